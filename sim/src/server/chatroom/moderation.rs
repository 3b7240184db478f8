//! Chatroom moderation by the App Server API: bans (CR-15, CR-30), member mutes (CR-31), muting all members with a
//! whitelist (CR-32), the app's global chatroom mute (CR-33), the server queries (CR-34) and broadcasts (CR-35).
//!
//! - **Ban** (CR-30): a banned user who is a member is removed from the room at once. That is a membership end like
//!   a leave (CR-15 "passively"): a member `leave` action to the room's other joined connections (with
//!   `chatroom_member_events`), the deleteWhenLeft cleanup (CRKV-6) and activity (CR-4). Each of the user's joined
//!   connections first gets `ChatroomNotice{kicked{23409}}`. Until the ban ends (`now >= end`, or an unban), a join
//!   or rejoin of the room by the user answers 23409 (`KICKED_FROM_CHATROOM`). Users need not be members to be
//!   banned; bans go with the room (destroying it forgets them).
//! - **Mutes** (CR-31 to CR-33): a muted member still receives, but a message they send into the room answers
//!   23408 (`FORBIDDEN_IN_CHATROOM`), checked after membership (23406). A user is muted in a room when muted there
//!   individually (for a duration or until unmuted), when the room is muted as a whole and they are not on its
//!   mute-all whitelist (an individual mute beats the whitelist, as in groups, GRP-10), or when they are on the
//!   app's global mute list (every room of the App Key). Room mutes are kept by user ID, members or not, survive
//!   leaving and rejoining, and go with the room; the global list stays with the app.
//! - **Queries** (CR-34): the room's ID and creation time; its members with their join times (a resumed rejoin
//!   keeps the time of the membership's start), sorted by join time, at most [`CHATROOM_MEMBER_QUERY_MAX`]. Rooms
//!   have no name in this simulator.
//! - **Broadcast** (CR-35): one message, from a user ID on no device, into every room of the App Key. In each room
//!   it is a chatroom message of its own (its own UID and sent time, `target_id` the room) that goes through the
//!   members' delivery path of `messages`: activity, load shedding (the sender may be on a room's user whitelist),
//!   history, eviction counting, `ChatroomDelivery` to every joined connection. Content over
//!   [`CHATROOM_BROADCAST_CONTENT_BYTES_MAX`] is refused with [`ApiError::ChatroomBroadcastTooLarge`].

use imsim_engine::limits::MESSAGE_CONTENT_BYTES_MAX;
use imsim_engine::proto::{self, chatroom_notice, frame::Body};
use imsim_engine::{ConversationType, ErrorCode};

use super::super::publish::content_bytes;
use super::super::tokens::{ApiError, app_mut, check_user_id};
use super::callbacks::Reports;
use super::{Chatrooms, Notices, Room, Server, messages, room_mut};

/// CR-34: the member query returns at most this many members.
pub const CHATROOM_MEMBER_QUERY_MAX: usize = 500;

/// CR-35: a broadcast message's content (object name plus payload) is at most 128 KB, the limit of every message
/// (SEND-19).
pub const CHATROOM_BROADCAST_CONTENT_BYTES_MAX: usize = MESSAGE_CONTENT_BYTES_MAX;

/// CR-34: a room's basics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatroomInfo {
    /// The room ID.
    pub room_id: String,
    /// When the room (its current session, CR-6) was created, Unix milliseconds.
    pub created_at_ms: i64,
}

/// CR-35: what became of a broadcast in one room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatroomBroadcast {
    /// The room.
    pub room_id: String,
    /// The UID of the room's copy (MSG-6).
    pub message_uid: String,
    /// Its sent time (MSG-22).
    pub sent_time: i64,
    /// Delivered, or discarded by the room's load shedding (BIZ-13).
    pub delivered: bool,
}

/// Whether `user_id` is banned from `room` at `now_ms` (CR-30).
pub(super) fn is_banned(room: &Room, user_id: &str, now_ms: i64) -> bool {
    room.bans.get(user_id).is_some_and(|&ends_at| now_ms < ends_at)
}

/// Whether `user_id` may not send into `room` at `now_ms` (CR-31 to CR-33, see the module documentation).
pub(super) fn is_muted(chatrooms: &Chatrooms, room: &Room, user_id: &str, now_ms: i64) -> bool {
    let active = |ends: &Option<i64>| ends.is_none_or(|ends_at| now_ms < ends_at);
    if room.mutes.get(user_id).is_some_and(active) {
        imsim_engine::mark!("CR-31");
        return true;
    }
    if room.mute_all && !room.mute_all_whitelist.contains(user_id) {
        imsim_engine::mark!("CR-32");
        return true;
    }
    if chatrooms.global_mutes.get(user_id).is_some_and(active) {
        imsim_engine::mark!("CR-33");
        return true;
    }
    false
}

/// A mute's end: `now_ms + duration_ms`, or `None` (until unmuted); a duration must be positive.
fn mute_end(now_ms: i64, duration_ms: Option<i64>) -> Result<Option<i64>, ApiError> {
    match duration_ms {
        Some(duration_ms) if duration_ms <= 0 => Err(ApiError::InvalidMuteDuration { duration_ms }),
        duration_ms => Ok(duration_ms.map(|duration_ms| now_ms.saturating_add(duration_ms))),
    }
}

fn check_user_ids(user_ids: &[String]) -> Result<(), ApiError> {
    user_ids.iter().try_for_each(|user_id| check_user_id(user_id))
}

impl Server {
    /// The Server API's chatroom ban (CR-15, CR-30): bans `user_ids` from `room_id` for `duration_ms` (at least
    /// 1 ms, else [`ApiError::InvalidBanDuration`]) from `now_ms`; banning again replaces the end. Banned members
    /// are removed from the room, each of their joined connections getting `ChatroomNotice{kicked{23409}}`, and a
    /// join by a banned user answers 23409 until the ban ends. An unknown room is an [`ApiError::UnknownChatroom`].
    pub fn ban_chatroom_member(
        &mut self,
        app_key: &str,
        room_id: &str,
        user_ids: &[String],
        duration_ms: i64,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        if duration_ms <= 0 {
            return Err(ApiError::InvalidBanDuration { duration_ms });
        }
        check_user_ids(user_ids)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let reports = Reports::of(&app.config);
        let room = room_mut(app, room_id)?;
        let mut notices = Notices::new();
        let mut banned_members = Vec::new();
        for user_id in user_ids {
            room.bans.insert(user_id.clone(), now_ms.saturating_add(duration_ms));
            if let Some(member) = room.members.get(user_id) {
                imsim_engine::mark!("CR-30");
                let kicked = proto::ChatroomKicked { code: ErrorCode::KICKED_FROM_CHATROOM.to_wire() };
                for &conn in &member.conns {
                    let notice = proto::ChatroomNotice {
                        room_id: room_id.to_owned(),
                        body: Some(chatroom_notice::Body::Kicked(kicked)),
                    };
                    notices.push((conn, Body::ChatroomNotice(notice)));
                }
                banned_members.push(user_id.clone());
            }
        }
        for user_id in banned_members {
            app.chatrooms.end_membership(room_id, &user_id, reports, now_ms, &mut notices);
        }
        self.send_notices(notices);
        Ok(())
    }

    /// The Server API's chatroom unban (CR-30): lifts the bans of `user_ids` in `room_id` (users not banned are
    /// ignored); they may join again at once.
    pub fn unban_chatroom_member(&mut self, app_key: &str, room_id: &str, user_ids: &[String]) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let room = room_mut(app_mut(&mut self.apps, app_key)?, room_id)?;
        for user_id in user_ids {
            room.bans.remove(user_id);
        }
        Ok(())
    }

    /// The Server API's chatroom member mute (CR-31): mutes `user_ids` in `room_id` from `now_ms` for
    /// `duration_ms` (at least 1 ms, else [`ApiError::InvalidMuteDuration`]), or until unmuted if `None`; muting
    /// again replaces the end. Their messages into the room answer 23408; they still receive.
    pub fn mute_chatroom_member(
        &mut self,
        app_key: &str,
        room_id: &str,
        user_ids: &[String],
        duration_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let ends_at = mute_end(now_ms, duration_ms)?;
        check_user_ids(user_ids)?;
        let room = room_mut(app_mut(&mut self.apps, app_key)?, room_id)?;
        for user_id in user_ids {
            room.mutes.insert(user_id.clone(), ends_at);
        }
        Ok(())
    }

    /// The Server API's chatroom member unmute (CR-31): lifts individual mutes in `room_id` (users not muted are
    /// ignored).
    pub fn unmute_chatroom_member(
        &mut self,
        app_key: &str,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let room = room_mut(app_mut(&mut self.apps, app_key)?, room_id)?;
        for user_id in user_ids {
            room.mutes.remove(user_id);
        }
        Ok(())
    }

    /// The Server API's chatroom mute all (CR-32): nobody may send into `room_id` (23408) but the users of
    /// `whitelist`, which replaces the room's mute-all whitelist. Individual mutes still apply to whitelisted users.
    pub fn mute_all_chatroom(&mut self, app_key: &str, room_id: &str, whitelist: &[String]) -> Result<(), ApiError> {
        check_user_ids(whitelist)?;
        let room = room_mut(app_mut(&mut self.apps, app_key)?, room_id)?;
        room.mute_all = true;
        room.mute_all_whitelist = whitelist.iter().cloned().collect();
        Ok(())
    }

    /// The Server API's chatroom unmute all (CR-32): members may send again (individual and global mutes still
    /// apply); the mute-all whitelist is cleared.
    pub fn unmute_all_chatroom(&mut self, app_key: &str, room_id: &str) -> Result<(), ApiError> {
        let room = room_mut(app_mut(&mut self.apps, app_key)?, room_id)?;
        room.mute_all = false;
        room.mute_all_whitelist.clear();
        Ok(())
    }

    /// The Server API's global chatroom mute (CR-33): `user_ids` may send into no room of the App Key (23408) from
    /// `now_ms` for `duration_ms` (at least 1 ms, else [`ApiError::InvalidMuteDuration`]), or until unmuted if
    /// `None`. They still receive. Muting again replaces the end.
    pub fn global_mute_chatroom_user(
        &mut self,
        app_key: &str,
        user_ids: &[String],
        duration_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let ends_at = mute_end(now_ms, duration_ms)?;
        check_user_ids(user_ids)?;
        let chatrooms = &mut app_mut(&mut self.apps, app_key)?.chatrooms;
        for user_id in user_ids {
            chatrooms.global_mutes.insert(user_id.clone(), ends_at);
        }
        Ok(())
    }

    /// The Server API's global chatroom unmute (CR-33): takes `user_ids` off the app's global mute list (users not
    /// on it are ignored).
    pub fn global_unmute_chatroom_user(&mut self, app_key: &str, user_ids: &[String]) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let chatrooms = &mut app_mut(&mut self.apps, app_key)?.chatrooms;
        for user_id in user_ids {
            chatrooms.global_mutes.remove(user_id);
        }
        Ok(())
    }

    /// The Server API's chatroom query (CR-34): the room's ID and creation time, or `None` when the app or the
    /// room does not exist.
    pub fn chatroom_info(&self, app_key: &str, room_id: &str) -> Option<ChatroomInfo> {
        let room = self.room(app_key, room_id)?;
        Some(ChatroomInfo { room_id: room_id.to_owned(), created_at_ms: room.created_at_ms })
    }

    /// The Server API's chatroom member query (CR-34): at most `count` members (and never more than
    /// [`CHATROOM_MEMBER_QUERY_MAX`]), online or offline, with their join times, sorted by join time (then user ID)
    /// ascending or descending; `None` when the app or the room does not exist.
    pub fn chatroom_member_list(
        &self,
        app_key: &str,
        room_id: &str,
        count: usize,
        ascending_by_join_time: bool,
    ) -> Option<Vec<(String, i64)>> {
        let room = self.room(app_key, room_id)?;
        let mut members: Vec<(String, i64)> =
            room.members.iter().map(|(user_id, member)| (user_id.clone(), member.joined_at_ms)).collect();
        members.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        if !ascending_by_join_time {
            members.reverse();
        }
        members.truncate(count.min(CHATROOM_MEMBER_QUERY_MAX));
        Some(members)
    }

    /// The Server API's chatroom broadcast (CR-35): a text (or any) message from `from_user_id` into every room of
    /// the App Key, room by room in ID order (see the module documentation). Returns what became of it in each room
    /// (none when the app has no room). Content over [`CHATROOM_BROADCAST_CONTENT_BYTES_MAX`] bytes is refused
    /// with [`ApiError::ChatroomBroadcastTooLarge`] and nothing is sent.
    pub fn broadcast_chatroom_message(
        &mut self,
        app_key: &str,
        from_user_id: &str,
        content: proto::MessageContent,
        now_ms: i64,
    ) -> Result<Vec<ChatroomBroadcast>, ApiError> {
        check_user_id(from_user_id)?;
        let bytes = content_bytes(&content);
        if bytes > CHATROOM_BROADCAST_CONTENT_BYTES_MAX {
            return Err(ApiError::ChatroomBroadcastTooLarge { bytes, max: CHATROOM_BROADCAST_CONTENT_BYTES_MAX });
        }
        let app = app_mut(&mut self.apps, app_key)?;
        let room_ids: Vec<String> = app.chatrooms.rooms.keys().cloned().collect();
        let mut notices = Notices::new();
        let mut outcomes = Vec::with_capacity(room_ids.len());
        for room_id in room_ids {
            imsim_engine::mark!("CR-35");
            let (message_uid, sent_time) = app.stamp(now_ms);
            let message = proto::DeliveredMessage {
                message_uid: message_uid.clone(),
                conversation_type: ConversationType::Chatroom.ordinal(),
                target_id: room_id.clone(),
                sender_user_id: from_user_id.to_owned(),
                sent_time,
                content: Some(content.clone()),
                ..proto::DeliveredMessage::default()
            };
            let delivered = messages::publish(app, None, message, now_ms, &mut notices);
            outcomes.push(ChatroomBroadcast { room_id, message_uid, sent_time, delivered });
        }
        self.send_notices(notices);
        Ok(outcomes)
    }
}
