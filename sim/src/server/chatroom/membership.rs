//! Chatroom membership: join (CR-9 to CR-14, CR-38 to CR-42), leave (CR-15, CR-20), connection closes, offline
//! eviction (CR-16, CR-17, CR-19, CR-42) and what every end of a membership does (CR-24, CRKV-6, CRKV-19).
//!
//! - A join adds the connection to the user's membership, creating the room first with `auto_create` (else 23410,
//!   CR-39). A user banned from an existing room (CR-30) is refused with 23409 before anything else changes. `resumed`
//!   says the user was still a member (a rejoin before eviction, CR-42): their offline time and counter are reset, and
//!   no `join` action is sent. Without `chatroom_multi_room`, the user first leaves every other room they are in (CR-9,
//!   CR-40), listed in `left_room_ids`. The `rejoin` flag (the engine's automatic rejoin after a reconnect, CR-13,
//!   CR-41) changes nothing here: a rejoin is judged like any join, so a room destroyed in the meantime answers 23410
//!   (the engine sends it without `auto_create`).
//! - A connection that closes leaves every room's connection set; a member with no joined connection left goes
//!   offline at that time with a counter of 0. The membership stays (CRKV-19).
//! - Every **delivered** message (never a discarded one, CR-42) counts for each offline member off the room's user
//!   whitelist (CR-19): the member is evicted once offline for [`CHATROOM_EVICTION_OFFLINE_MS`] or more (CR-16 b),
//!   or, within that time, by the [`CHATROOM_EVICTION_MESSAGES`]th message since going offline (CR-16 a). No
//!   message, no eviction (CR-17). The evicted user learns it at their next join (`resumed = false`).
//! - With the real-time eviction ticket (`chatroom_realtime_eviction`, CR-18) the server does not wait for
//!   messages: a member offline (and off the whitelist) for [`CHATROOM_REALTIME_EVICTION_MS`] is evicted then, a
//!   deadline of `Server::poll_timeout`. "Within 5 minutes at the latest" is met at its bound, so runs are exact.
//! - A membership end (leave, eviction, single-room rule) sends a `leave` action to the room's other joined
//!   connections when `chatroom_member_events` is on, removes the user's `delete_when_left` entries with an
//!   `entries_changed` removal notice (CRKV-6, CRKV-19), and is activity (CR-4).
//! - With the callback switches (see `callbacks`), a room created by a join, a membership beginning and a
//!   membership end are reported to the app server (CR-36), and so is the deleteWhenLeft cleanup (CRKV-15).

use imsim_engine::limits::CHATROOM_JOIN_FETCH_MAX;
use imsim_engine::proto::{self, chatroom_notice};
use imsim_engine::{ChatRoomEntriesOperationType, ChatRoomMemberActionType, ErrorCode};

use super::callbacks::{AppServerCallback, Reports};
use super::{App, Caller, Chatrooms, ConnId, Member, Notices, Room, kv, messages, moderation};

/// CR-16, CR-42: a member offline for this long is evicted by the room's next delivered message (condition b).
pub const CHATROOM_EVICTION_OFFLINE_MS: i64 = 30_000;

/// CR-16, CR-42: within [`CHATROOM_EVICTION_OFFLINE_MS`] of going offline, the room's 31st delivered message since
/// then evicts the member (condition a).
pub const CHATROOM_EVICTION_MESSAGES: u32 = 31;

/// CR-18: with the real-time eviction ticket, an offline member is evicted after this long without waiting for
/// messages ("within 5 minutes at the latest").
pub const CHATROOM_REALTIME_EVICTION_MS: i64 = 5 * 60 * 1_000;

/// CR-18: when `member` of `room` is evicted for being offline, if the real-time eviction ticket is on.
pub(super) fn realtime_eviction_deadline(app: &App, room: &Room, user_id: &str, member: &Member) -> Option<i64> {
    (app.config.chatroom_realtime_eviction && !member.is_online() && !room.user_whitelist.contains(user_id))
        .then(|| member.offline_since_ms.saturating_add(CHATROOM_REALTIME_EVICTION_MS))
}

/// CR-18: evicts every offline member of the app whose real-time eviction deadline has come, room by room (in room
/// order, then user order). Only the rooms the deadline index says have a member due are looked at.
pub(super) fn evict_abnormally_disconnected(app: &mut App, now_ms: i64, notices: &mut Notices) {
    let due_rooms = app.rooms_with_evictions_due(now_ms);
    let due: Vec<(String, String)> = due_rooms
        .iter()
        .filter_map(|room_id| app.chatrooms.rooms.get_key_value(room_id))
        .flat_map(|(room_id, room)| {
            room.members
                .iter()
                .filter(|(user_id, member)| {
                    realtime_eviction_deadline(app, room, user_id, member).is_some_and(|at| at <= now_ms)
                })
                .map(move |(user_id, _)| (room_id.clone(), user_id.clone()))
        })
        .collect();
    let reports = Reports::of(&app.config);
    for (room_id, user_id) in due {
        imsim_engine::mark!("CR-18");
        app.chatrooms.end_membership(&room_id, &user_id, reports, now_ms, notices);
    }
}

/// Answers a `ChatroomJoin` (see the module documentation).
pub(super) fn join(
    app: &mut App,
    caller: &Caller,
    join: &proto::ChatroomJoin,
    now_ms: i64,
    notices: &mut Notices,
) -> Result<proto::ChatroomJoined, ErrorCode> {
    let room_id = &join.room_id;
    let reports = Reports::of(&app.config);
    let fetched_types = app.config.chatroom_join_message_types.as_ref();
    let chatrooms = &mut app.chatrooms;
    if chatrooms.rooms.get(room_id).is_some_and(|room| moderation::is_banned(room, &caller.user_id, now_ms)) {
        imsim_engine::mark!("CR-30");
        return Err(ErrorCode::KICKED_FROM_CHATROOM);
    }
    if !chatrooms.rooms.contains_key(room_id) {
        if !join.auto_create {
            imsim_engine::mark!("CR-39");
            imsim_engine::mark!("CR-14");
            return Err(ErrorCode::CHATROOM_NOT_EXIST);
        }
        chatrooms.create(room_id, reports, now_ms);
    }
    let mut left_room_ids = Vec::new();
    imsim_engine::mark!("BIZ-6");
    if !app.config.chatroom_multi_room {
        let others: Vec<String> = chatrooms
            .memberships
            .get(&caller.user_id)
            .map(|rooms| rooms.iter().filter(|other| *other != room_id).cloned().collect())
            .unwrap_or_default();
        for other in others {
            imsim_engine::mark!("CR-9");
            chatrooms.end_membership(&other, &caller.user_id, reports, now_ms, notices);
            left_room_ids.push(other);
        }
    }

    let room = chatrooms.rooms.get_mut(room_id).expect("invariant: found or created above");
    room.last_activity_ms = now_ms;
    let resumed = match room.members.get_mut(&caller.user_id) {
        Some(member) => {
            if !member.is_online() {
                imsim_engine::mark!("CR-42");
                imsim_engine::mark!("CRKV-19");
                member.offline_since_ms = 0;
                member.missed = 0;
            }
            member.conns.insert(caller.conn);
            true
        }
        None => {
            if reports.member_events {
                let action = member_action(&caller.user_id, ChatRoomMemberActionType::Join);
                room.notify(room_id, action, &[caller.conn], notices);
            }
            let joined = AppServerCallback::ChatroomMemberJoined {
                room_id: room_id.clone(),
                user_id: caller.user_id.clone(),
                at_ms: now_ms,
            };
            chatrooms.callbacks.status(reports, joined);
            let mut member = Member { joined_at_ms: now_ms, ..Member::default() };
            member.conns.insert(caller.conn);
            room.members.insert(caller.user_id.clone(), member);
            chatrooms.memberships.entry(caller.user_id.clone()).or_default().insert(room_id.clone());
            false
        }
    };
    chatrooms.refresh_deadlines(room_id);
    let room = &mut chatrooms.rooms.get_mut(room_id).expect("invariant: found or created above");
    imsim_engine::mark!("CR-12");
    let fetch = join.fetch_count.min(CHATROOM_JOIN_FETCH_MAX) as usize;
    Ok(proto::ChatroomJoined {
        messages: messages::latest(room, fetch, fetched_types, now_ms),
        entries: kv::all_entries(room),
        resumed,
        left_room_ids,
    })
}

/// Answers a `ChatroomLeave`: 23406 unless the caller is a member; otherwise the membership ends.
pub(super) fn leave(
    app: &mut App,
    caller: &Caller,
    room_id: &str,
    now_ms: i64,
    notices: &mut Notices,
) -> Result<(), ErrorCode> {
    if !app.chatrooms.is_member(room_id, &caller.user_id) {
        return Err(ErrorCode::NOT_IN_CHATROOM);
    }
    let reports = Reports::of(&app.config);
    app.chatrooms.end_membership(room_id, &caller.user_id, reports, now_ms, notices);
    Ok(())
}

/// A `ChatroomNotice` body with one member action.
fn member_action(user_id: &str, action: ChatRoomMemberActionType) -> chatroom_notice::Body {
    let action = proto::ChatroomMemberAction { user_id: user_id.to_owned(), action: action.ordinal() };
    chatroom_notice::Body::MembersChanged(proto::ChatroomMembersChanged { actions: vec![action] })
}

impl Chatrooms {
    /// `conn` (of `user_id`) closed: it leaves every room; a member left with no joined connection goes offline.
    pub(in crate::server) fn connection_closed(&mut self, user_id: &str, conn: ConnId, now_ms: i64) {
        let Some(room_ids) = self.memberships.get(user_id).cloned() else {
            return;
        };
        for room_id in &room_ids {
            let Some(member) = self.rooms.get_mut(room_id).and_then(|room| room.members.get_mut(user_id)) else {
                continue;
            };
            if member.conns.remove(&conn) && member.conns.is_empty() {
                member.offline_since_ms = now_ms;
                member.missed = 0;
                self.refresh_deadlines(room_id);
            }
        }
    }

    /// Ends `user_id`'s membership of `room_id` (a leave, an eviction, the single-room rule or a ban; see the module
    /// documentation). The user must be a member.
    pub(super) fn end_membership(
        &mut self,
        room_id: &str,
        user_id: &str,
        reports: Reports,
        now_ms: i64,
        notices: &mut Notices,
    ) {
        imsim_engine::mark!("CR-15");
        let room = self.rooms.get_mut(room_id).expect("invariant: the caller found the room");
        room.members.remove(user_id).expect("invariant: the caller found the member");
        if let Some(rooms) = self.memberships.get_mut(user_id) {
            rooms.remove(room_id);
            if rooms.is_empty() {
                self.memberships.remove(user_id);
            }
        }
        room.last_activity_ms = now_ms;
        if reports.member_events {
            room.notify(room_id, member_action(user_id, ChatRoomMemberActionType::Leave), &[], notices);
        }
        let left = AppServerCallback::ChatroomMemberLeft {
            room_id: room_id.to_owned(),
            user_id: user_id.to_owned(),
            at_ms: now_ms,
        };
        self.callbacks.status(reports, left);
        let removed = kv::delete_when_left(room, room_id, user_id, notices);
        self.callbacks.entries_changed(reports, room_id, "", ChatRoomEntriesOperationType::Remove, removed, now_ms);
        self.refresh_deadlines(room_id);
    }

    /// CR-16: counts a delivered message of `room_id` for its offline members and evicts those it should.
    pub(super) fn count_for_eviction(
        &mut self,
        room_id: &str,
        sender: &str,
        reports: Reports,
        now_ms: i64,
        notices: &mut Notices,
    ) {
        let room = self.rooms.get_mut(room_id).expect("invariant: the caller found the room");
        let mut evicted = Vec::new();
        for (user_id, member) in &mut room.members {
            // A member sending from a connection that has not joined the room is not away from it: its own message
            // does not count toward its eviction.
            if member.is_online() || user_id == sender {
                continue;
            }
            if room.user_whitelist.contains(user_id) {
                imsim_engine::mark!("CR-19");
                imsim_engine::mark!("CR-29");
                continue;
            }
            member.missed = member.missed.saturating_add(1);
            let offline_for = now_ms.saturating_sub(member.offline_since_ms);
            if offline_for >= CHATROOM_EVICTION_OFFLINE_MS || member.missed >= CHATROOM_EVICTION_MESSAGES {
                imsim_engine::mark!("CR-16");
                imsim_engine::mark!("CR-42");
                evicted.push(user_id.clone());
            }
        }
        for user_id in evicted {
            self.end_membership(room_id, &user_id, reports, now_ms, notices);
        }
    }
}
