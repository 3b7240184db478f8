//! Chatrooms (CR) in the engine: joining, leaving, the rooms' local message caches, their notices, the automatic
//! rejoin after a reconnection and remote history. Chatroom attributes (CRKV) live in `chatroom_kv.rs`: they share
//! the room table kept here, but their calls, their copy of the room's entries and their events are a protocol of
//! their own, and one file for both would be too long to read.
//!
//! The engine **holds** a room from the app's `join_chat_room` until the room is left: an answer to `leave_chat_room`,
//! a failed join or rejoin (23409 while banned, CR-30), the room's leaving under the single-room rule (`left_room_ids`,
//! CR-40), its destruction (CR-43), a kick by a ban (CR-30), or the end of the session (`disconnect`, a connection
//! error, `destroy`, a new `connect`). While held, its deliveries are stored and reported and its notices reported;
//! after an automatic reconnection it is rejoined (CR-13, CR-41). When it stops being held its local messages are
//! purged (CR-21, BIZ-19, BIZ-26). Chatroom messages are outside the inbox: stored with UID de-duplication, never
//! acknowledged, never moving the inbox cursor, never unread-counted (UNREAD-10).
//!
//! Every answer of the server settles exactly one request (`requests.rs`): a join in flight when the connection
//! drops fails with 30002, which forgets the room like any failed join, except an automatic rejoin: the room stays
//! held and the next reconnection rejoins it again (CR-13).

use std::collections::BTreeMap;

use super::messages::received_message;
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::{
    CHATROOM_HISTORY_COUNT_MAX, CHATROOM_JOIN_FETCH_DEFAULT, CHATROOM_JOIN_FETCH_MAX, TARGET_ID_CHARS_MAX,
};
use crate::proto::{self, chatroom_notice, request, response};
use crate::types::{
    ChatRoomMemberAction, ChatRoomMemberActionType, ChatRoomStatus, ConversationType, Message, TimeOrder,
};

/// A room the engine holds (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ChatRoom {
    /// The fetch count of the app's join, which every automatic rejoin reuses (CR-41).
    pub(super) fetch_count: u32,
    /// The engine's copy of the room's KV entries: `None` until the sync that follows the current join or rejoin
    /// (CRKV-13), so reads before it fail with 34004.
    pub(super) entries: Option<BTreeMap<String, String>>,
}

/// A chatroom request in flight (other than KV changes, which are `chatroom_kv::EntriesRequest`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ChatroomRequest {
    /// `join_chat_room`, or an automatic rejoin (`rejoin`).
    Join {
        room_id: String,
        fetch_count: u32,
        rejoin: bool,
    },
    Leave {
        room_id: String,
    },
    History {
        room_id: String,
    },
}

impl Core {
    /// `joinChatRoom(targetId, messageCount, autoCreate)` (CR-10, CR-11, CR-38, CR-39).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id`, or a `message_count`
    /// below -1; -103 when not connected. A refused call sends and reports nothing. Otherwise `ChatRoomJoining` at
    /// once, then, when the server answers: the fetched messages (`MessageReceived`, offline false, `left`
    /// counting down), `ChatRoomJoined{0}`, `ChatRoomEntriesChanged{update, all}` if the room has entries, and
    /// `ChatRoomEntriesSynced`; or, on failure, only `ChatRoomJoined{code}` (23410 for a missing room without
    /// `auto_create`), and the room is forgotten. `message_count` -1 fetches nothing, 0 fetches 10, a larger value
    /// fetches that many, at most 50.
    pub fn join_chat_room(
        &mut self,
        now: Now,
        target_id: &str,
        message_count: i32,
        auto_create: bool,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        if message_count < -1 {
            return Err(ImError::param("message count must be -1 or more (CR-38)"));
        }
        self.check_server_call()?;
        let fetch_count = join_fetch_count(message_count);
        crate::mark!("CR-10");
        self.chatrooms.insert(target_id.to_owned(), ChatRoom { fetch_count, entries: None });
        self.send_join(now, target_id, fetch_count, auto_create, false);
        Ok(())
    }

    /// `leaveChatRoom(targetId)` (CR-20, CR-21).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id`; -103 when not connected.
    /// Otherwise the server's answer (whatever it is: 23406 when the user is not a member) forgets the room, purges
    /// its local messages and reports `ChatRoomLeft{code}`.
    pub fn leave_chat_room(&mut self, now: Now, target_id: &str) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        self.check_server_call()?;
        let body = request::Body::ChatroomLeave(proto::ChatroomLeave { room_id: target_id.to_owned() });
        self.send_request(now, body, RequestKind::Chatroom(ChatroomRequest::Leave { room_id: target_id.to_owned() }));
        Ok(())
    }

    /// `getChatRoomMessages(targetId, timestamp, order, count)` (CR-25, CR-26, CR-45): the room's remote history.
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id` or a `count` outside 1 to
    /// 50; -103 when not connected. Otherwise `ChatRoomMessagesLoaded{code, messages, sync_time}` when the server
    /// answers: the messages in ascending sent time, not stored (`messageId` 0); on failure (23406 not a member,
    /// 23414 no cloud storage, 30002, 30003) no messages and `sync_time` 0.
    pub fn get_chat_room_messages(
        &mut self,
        now: Now,
        target_id: &str,
        timestamp: i64,
        order: TimeOrder,
        count: i32,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        let count = u32::try_from(count)
            .ok()
            .filter(|count| (1..=CHATROOM_HISTORY_COUNT_MAX).contains(count))
            .ok_or_else(|| ImError::param(format!("count must be 1 to {CHATROOM_HISTORY_COUNT_MAX} (CR-45)")))?;
        self.check_server_call()?;
        crate::mark!("CR-25");
        let body = request::Body::ChatroomHistory(proto::ChatroomHistoryQuery {
            room_id: target_id.to_owned(),
            timestamp,
            order: order.ordinal(),
            count,
        });
        self.send_request(now, body, RequestKind::Chatroom(ChatroomRequest::History { room_id: target_id.to_owned() }));
        Ok(())
    }

    /// Reports `ChatRoomJoining` and sends the join.
    fn send_join(&mut self, now: Now, room_id: &str, fetch_count: u32, auto_create: bool, rejoin: bool) {
        crate::mark!("CR-11");
        self.emit(Event::ChatRoomJoining { target_id: room_id.to_owned() });
        let body = request::Body::ChatroomJoin(proto::ChatroomJoin {
            room_id: room_id.to_owned(),
            fetch_count,
            auto_create,
            rejoin,
        });
        let kind = ChatroomRequest::Join { room_id: room_id.to_owned(), fetch_count, rejoin };
        self.send_request(now, body, RequestKind::Chatroom(kind));
    }

    /// CR-13, CR-41: after an automatic reconnection, every room still held is joined again, with the fetch count
    /// of the app's join and without creating it. Its KV copy waits for the new sync.
    pub(super) fn rejoin_chat_rooms(&mut self, now: Now) {
        let rooms: Vec<(String, u32)> = self
            .chatrooms
            .iter_mut()
            .map(|(room_id, room)| {
                room.entries = None;
                (room_id.clone(), room.fetch_count)
            })
            .collect();
        for (room_id, fetch_count) in rooms {
            crate::mark!("CR-13");
            self.send_join(now, &room_id, fetch_count, false, true);
        }
    }

    /// A chatroom request is settled: the server answered with `code` (and `body` on success), or it never will
    /// (30002, 30003, no body).
    pub(super) fn chatroom_settled(
        &mut self,
        now: Now,
        request: ChatroomRequest,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        match request {
            ChatroomRequest::Join { room_id, fetch_count, rejoin } => {
                if code.is_success() {
                    let joined = match body {
                        Some(response::Body::ChatroomJoined(joined)) => joined,
                        _ => proto::ChatroomJoined::default(),
                    };
                    self.chat_room_joined(now, room_id, fetch_count, rejoin, joined);
                } else {
                    // CR-13: a rejoin cut off by the connection dropping again is not a refusal: the room stays held
                    // and the next reconnection rejoins it. Any other failure ends the membership.
                    if !(rejoin && code == ErrorCode::NETWORK_UNAVAILABLE) {
                        self.forget_chat_room(&room_id);
                    }
                    self.emit(Event::ChatRoomJoined { code, target_id: room_id });
                }
            }
            ChatroomRequest::Leave { room_id } => {
                crate::mark!("CR-20");
                self.left_chat_room(&room_id);
                self.emit(Event::ChatRoomLeft { code, target_id: room_id });
            }
            ChatroomRequest::History { room_id } => {
                let (messages, sync_time) = match body {
                    Some(response::Body::ChatroomHistory(history)) if code.is_success() => {
                        (self.history_messages(now, &history.messages), history.sync_time)
                    }
                    _ => (Vec::new(), 0),
                };
                crate::mark!("CR-26");
                self.emit(Event::ChatRoomMessagesLoaded { code, target_id: room_id, messages, sync_time });
            }
        }
    }

    /// A successful join or rejoin (see `join_chat_room` for the events, in order).
    fn chat_room_joined(
        &mut self,
        now: Now,
        room_id: String,
        fetch_count: u32,
        rejoin: bool,
        joined: proto::ChatroomJoined,
    ) {
        // CR-40: rooms left under the single-room rule are forgotten without `ChatRoomLeft`.
        for left in joined.left_room_ids.iter().filter(|left| **left != room_id) {
            crate::mark!("CR-40");
            self.left_chat_room(left);
        }
        // CR-42: a rejoin that is a new membership means the user was evicted meanwhile: the cache is stale.
        if rejoin {
            crate::mark!("CR-41");
            if !joined.resumed {
                self.purge_chat_room(&room_id);
            }
        }
        // The room may have been forgotten meanwhile by an earlier answer (an older join that failed); the server's
        // word that the user is a member now is what counts.
        self.chatrooms.entry(room_id.clone()).or_insert(ChatRoom { fetch_count, entries: None });
        let fetched: Vec<proto::DeliveredMessage> =
            joined.messages.into_iter().filter(|message| is_in_room(message, &room_id)).collect();
        let reported = self.persist_outside_inbox(now, &fetched);
        let count = reported.len();
        for (index, message) in reported.into_iter().enumerate() {
            let left = u32::try_from(count - index - 1).unwrap_or(u32::MAX);
            self.emit(Event::MessageReceived { message, left, offline: false, has_package: false });
        }
        self.emit(Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: room_id.clone() });
        let entries = joined.entries.into_iter().map(|entry| (entry.key, entry.value)).collect();
        self.sync_chat_room_entries(&room_id, entries);
    }

    /// The messages of a history answer as the app sees them: not stored (`messageId` 0), in the server's order.
    fn history_messages(&self, now: Now, delivered: &[proto::DeliveredMessage]) -> Vec<Message> {
        let user_id = self.current_user_id().unwrap_or_default();
        delivered.iter().map(|wire| received_message(wire, now, false, user_id)).collect()
    }

    /// CR-22: a chatroom message to an online member. For a room the engine holds it is stored (if its type is
    /// stored; a repeat of a stored UID is dropped) and reported with `left` 0, offline false; it is never
    /// acknowledged. For any other room it is ignored.
    pub(super) fn handle_chatroom_delivery(&mut self, now: Now, delivery: proto::ChatroomDelivery) {
        let Some(delivered) = delivery.message else { return };
        if !self.chatrooms.contains_key(&delivered.target_id) || !is_in_room(&delivered, &delivered.target_id) {
            return;
        }
        for message in self.persist_outside_inbox(now, std::slice::from_ref(&delivered)) {
            self.emit(Event::MessageReceived { message, left: 0, offline: false, has_package: false });
        }
    }

    /// Something happened in a room: reported only for a room the engine holds.
    ///
    /// - destroyed (CR-5, CR-43): the room is forgotten and purged, then `ChatRoomStatusChanged` (no
    ///   `ChatRoomLeft`); a status the engine does not know forgets the room all the same, and reports nothing;
    /// - members changed (CR-24, CR-44): `ChatRoomMemberChanged`, an unknown action as `unknown`;
    /// - entries changed (CRKV-14, CRKV-20): see `chatroom_entries_changed`;
    /// - kicked (CR-30, a ban): the room is forgotten and purged, and nothing is reported (no listener exists).
    pub(super) fn handle_chatroom_notice(&mut self, notice: proto::ChatroomNotice) {
        let room_id = notice.room_id;
        if !self.chatrooms.contains_key(&room_id) {
            return;
        }
        match notice.body {
            Some(chatroom_notice::Body::Destroyed(destroyed)) => {
                crate::mark!("CR-43");
                self.left_chat_room(&room_id);
                if let Some(status) = ChatRoomStatus::from_ordinal(destroyed.status) {
                    crate::mark!("CR-23");
                    self.emit(Event::ChatRoomStatusChanged { target_id: room_id, status });
                }
            }
            Some(chatroom_notice::Body::MembersChanged(changed)) => {
                crate::mark!("CR-24");
                crate::mark!("CR-44");
                let actions = changed
                    .actions
                    .into_iter()
                    .map(|action| ChatRoomMemberAction {
                        user_id: action.user_id,
                        action_type: ChatRoomMemberActionType::from_ordinal(action.action)
                            .unwrap_or(ChatRoomMemberActionType::Unknown),
                    })
                    .collect();
                self.emit(Event::ChatRoomMemberChanged { target_id: room_id, actions });
            }
            Some(chatroom_notice::Body::EntriesChanged(changed)) => self.chatroom_entries_changed(room_id, changed),
            // CR-15, CR-30, BIZ-26: banned; the room is forgotten and its cache purged. The manual has no listener
            // for a kick (neither `onChatRoomLeft`, which answers `leaveChatRoom`, nor `onChatRoomStatusChanged`,
            // which reports resets and destructions), so nothing is reported: the app learns it from a rejoin or a
            // send refused with 23409 / 23406.
            Some(chatroom_notice::Body::Kicked(_)) => self.left_chat_room(&room_id),
            None => {}
        }
    }

    /// Stops holding `room_id` and purges its local messages. No event.
    /// The user is no longer a member of `room_id` (left, kicked, evicted, moved out by the single-room rule, or the
    /// room was destroyed): its local messages go with the membership (CR-21, BIZ-19, BIZ-26).
    fn left_chat_room(&mut self, room_id: &str) {
        crate::mark!("CR-21");
        crate::mark!("BIZ-19");
        crate::mark!("BIZ-26");
        self.forget_chat_room(room_id);
    }

    pub(super) fn forget_chat_room(&mut self, room_id: &str) {
        self.chatrooms.remove(room_id);
        self.purge_chat_room(room_id);
    }

    /// Forgets every room (the session ended: nothing will rejoin them).
    pub(super) fn forget_all_chat_rooms(&mut self) {
        for room_id in std::mem::take(&mut self.chatrooms).into_keys() {
            self.purge_chat_room(&room_id);
        }
    }

    /// Deletes the room's local messages (CR-21). A store failure leaves a stale cache, which the next opening of
    /// the database purges; nothing reads it meanwhile but `getMessages`.
    fn purge_chat_room(&mut self, room_id: &str) {
        if let Some((_, store)) = self.store.as_mut() {
            let _ = store.delete_conversation_messages(ConversationType::Chatroom, room_id);
        }
    }
}

/// Whether `message` is a chatroom message of `room_id`.
fn is_in_room(message: &proto::DeliveredMessage, room_id: &str) -> bool {
    message.conversation_type == ConversationType::Chatroom.ordinal() && message.target_id == room_id
}

/// -101 unless `room_id` has 1 to 64 characters.
pub(super) fn check_room_id(room_id: &str) -> Result<(), ImError> {
    let chars = room_id.chars().count();
    if chars == 0 || chars > TARGET_ID_CHARS_MAX {
        return Err(ImError::param(format!("chatroom id must have 1 to {TARGET_ID_CHARS_MAX} characters")));
    }
    Ok(())
}

/// CR-10, CR-38: how many messages a join with `message_count` (-1 or more) fetches: -1 none, 0 the default 10,
/// otherwise that many, at most 50.
pub(super) fn join_fetch_count(message_count: i32) -> u32 {
    crate::mark!("CR-38");
    match message_count {
        ..=-1 => 0,
        0 => CHATROOM_JOIN_FETCH_DEFAULT,
        count => u32::try_from(count).unwrap_or(u32::MAX).min(CHATROOM_JOIN_FETCH_MAX),
    }
}
