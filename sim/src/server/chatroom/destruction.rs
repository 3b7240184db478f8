//! Destroying chatrooms (CR-4, CR-5, CR-7, CR-8, CR-43, BIZ-21).
//!
//! A room not on the keep-alive list is destroyed once `now >= last activity + chatroom_destroy_after_ms`, the
//! app's setting at the time it is checked (CFG-13: a new setting applies at once). Activity is the room's creation,
//! a join, a membership end other than destruction, and an accepted message (discarded by load shedding or not:
//! somebody spoke). The deadline is part of [`Server::poll_timeout`] and the destruction happens in
//! [`Server::handle_timeout`], so a host that wakes at the deadline destroys the room at exactly that time.
//!
//! Destroying a room, automatically (status 2, `destroyAuto`) or by the Server API (status 1, `destroyManual`), sends
//! every joined connection a `ChatroomNotice` destroyed, then forgets the room with its members, whitelist, KV
//! entries (CR-8, CRKV-3) and history. No member action and no KV notice is sent: the room is gone. A room created
//! again later with the same ID is a new session (CR-6). The app server hears of it (see `callbacks`): the deletion
//! of all the room's entries if it had any (CRKV-15), then the destruction (CR-36); no member left callbacks.

use imsim_engine::proto::{self, chatroom_notice};
use imsim_engine::{ChatRoomEntriesOperationType, ChatRoomStatus};

use super::callbacks::{AppServerCallback, Reports};
use super::{App, Notices, Room, Server, membership};

/// When `room` is destroyed for inactivity, or `None` if it is on the keep-alive list (CR-7).
pub(super) fn deadline(app: &App, room: &Room) -> Option<i64> {
    (!room.keep_alive).then(|| room.last_activity_ms.saturating_add(app.config.chatroom_destroy_after_ms))
}

/// Destroys `room_id` (which must exist) with `status`, returning the notices to send. With the callback switches,
/// the app server hears of the deletion of the room's entries (CRKV-15), then of the destruction (CR-36).
pub(super) fn destroy(app: &mut App, room_id: &str, status: ChatRoomStatus, now_ms: i64) -> Notices {
    let mut notices = Notices::new();
    let reports = Reports::of(&app.config);
    let chatrooms = &mut app.chatrooms;
    let room = chatrooms.rooms.remove(room_id).expect("invariant: the caller found the room");
    chatrooms.refresh_deadlines(room_id);
    imsim_engine::mark!("CR-8");
    imsim_engine::mark!("CRKV-3");
    let entries = room.entries.iter().map(|(key, entry)| (key.clone(), entry.value.clone())).collect();
    let remove = ChatRoomEntriesOperationType::Remove;
    chatrooms.callbacks.entries_changed(reports, room_id, "", remove, entries, now_ms);
    let destroyed = AppServerCallback::ChatroomDestroyed { room_id: room_id.to_owned(), status, at_ms: now_ms };
    chatrooms.callbacks.status(reports, destroyed);
    let destroyed = chatroom_notice::Body::Destroyed(proto::ChatroomDestroyed { status: status.ordinal() });
    imsim_engine::mark!("CR-5");
    room.notify(room_id, destroyed, &[], &mut notices);
    for user_id in room.members.keys() {
        if let Some(rooms) = chatrooms.memberships.get_mut(user_id) {
            rooms.remove(room_id);
            if rooms.is_empty() {
                chatrooms.memberships.remove(user_id);
            }
        }
    }
    notices
}

impl Server {
    /// The chatroom deadlines that have come: CR-18 real-time evictions first (a member evicted then no longer
    /// holds a room up), then CR-4 destructions, app by app, earliest deadline first (then by room ID).
    pub(in crate::server) fn handle_chatroom_deadlines(&mut self, now_ms: i64) {
        let mut notices = Notices::new();
        for app in self.apps.values_mut() {
            membership::evict_abnormally_disconnected(app, now_ms, &mut notices);
            for room_id in app.rooms_destroyed_by(now_ms) {
                imsim_engine::mark!("CR-4");
                imsim_engine::mark!("BIZ-21");
                notices.extend(destroy(app, &room_id, ChatRoomStatus::DestroyAuto, now_ms));
            }
        }
        self.send_notices(notices);
    }

    /// The earliest chatroom deadline: a room's inactivity deadline (CR-4) or an offline member's real-time
    /// eviction (CR-18).
    pub(in crate::server) fn next_chatroom_deadline(&self) -> Option<i64> {
        self.apps.values().filter_map(App::next_chatroom_deadline).min()
    }
}
