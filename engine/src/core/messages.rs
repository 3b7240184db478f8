//! Sending and receiving messages (SEND, RECV, SYNC-12, MSG-22), and unread counts (UNREAD); the message objects
//! they take are made in `create_messages.rs` (MTYPE).
//!
//! A send is stored before anything else happens (attached, sending), then published; the server's acknowledgement
//! or a failure settles it in the store, then in an event (SEND-4, SEND-5, SEND-14). A receive is persisted together
//! with the inbox cursor in one store transaction, and only then acknowledged to the server and reported to the app
//! (RECV-11): a crash at any point either loses nothing or repeats a delivery the store then recognises by its
//! message UID (RECV-13).
//!
//! What is stored follows the content's `MessagePolicy` (MTYPE-2 to MTYPE-9):
//!
//! - a type that is not stored is still attached (with `messageId` 0) and published, and writes nothing (SEND-17);
//!   received, it is still acknowledged (the cursor moves) and reported with `messageId` 0;
//! - a status type is published with `status_message` set (SYNC-3, MTYPE-7); a delivery with `status_message` set
//!   (whatever its type: the Server API's status messages, SYNC-3) is outside the inbox (sequence 0), so it is
//!   reported but neither stored nor acknowledged, and the cursor stays where it is.

use super::{Core, Event, Now};
use crate::content::{decode_flagged_content, is_signal};
use crate::error::{ErrorCode, ImError};
use crate::limits::{CHANNEL_ID_CHARS_MAX, ExpansionLimits, TARGET_ID_CHARS_MAX};
use crate::proto::{self, frame::Body};
use crate::store::{Received, StoreError};
use crate::types::{
    ConversationType, MentionedInfo, MentionedType, Message, MessageContent, MessageDirection, ReceivedStatus,
    SentStatus, UserInfo, validate_expansion,
};

impl Core {
    /// `sendMessage(message)` (SEND-3 to SEND-5, SEND-14, SEND-16, SEND-17).
    ///
    /// Stores the message as sending, if its type is stored, and reports it attached; then publishes it, or, with no
    /// open session, fails it at once with 30002 (SEND-16: nothing is queued). A type that is not stored (a command,
    /// a custom message with the `command` or `status` policy) is attached with `messageId` 0 and writes nothing
    /// (SEND-17); a status type is published as a status message (SYNC-3). Needs an open database: before the first
    /// `connect` the call fails with -103. -101 for content the app cannot send: an unknown message (MTYPE-8) or a
    /// recall notification (MTYPE-16).
    ///
    /// A media message is refused with -101: it is sent with `sendMediaMessage`, which uploads its file (SEND-7).
    pub fn send_message(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        crate::mark!("SEND-3");
        self.send_to(now, message, Vec::new())
    }

    /// `send_message`, to the `directed` members of a group only when `directed` is not empty (GRP).
    pub(super) fn send_to(&mut self, now: Now, message: &Message, directed: Vec<String>) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_outgoing(message)?;
        if message.content.media().is_some() {
            return Err(ImError::param(format!(
                "a {} message is sent with sendMediaMessage (SEND-7)",
                message.message_type()
            )));
        }
        if !message.content.is_sendable() {
            if let MessageContent::RecallNotification { .. } = message.content {
                crate::mark!("MTYPE-16");
            }
            return Err(ImError::param(format!(
                "a {} message cannot be sent by the app (MTYPE-8, MTYPE-16)",
                message.message_type()
            )));
        }
        let Some((user_id, store)) = self.store.as_mut() else {
            return Err(ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, "no database is open: connect first"));
        };
        let policy = message.content.policy();
        if let MessageContent::Custom { .. } = message.content {
            crate::mark!("MTYPE-6");
            crate::mark!("MTYPE-7");
        }
        if message.mentioned_info.is_some() {
            crate::mark!("MENTION-1");
            crate::mark!("MENTION-3");
        }
        let mut outgoing = Message {
            message_id: 0,
            message_uid: None,
            direction: MessageDirection::Send,
            received_time: 0,
            sent_time: now.unix_ms,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Sending,
            sender_user_id: user_id.clone(),
            offline: false,
            // MSG-15: receipts are asked for after the send (GRCPT), never by the message the app passes.
            group_read_receipt_info: None,
            channel_id: ultra_group_channel(message),
            ..message.clone()
        };
        if policy.stored {
            crate::mark!("SEND-15");
            outgoing.message_id = store.insert_outgoing_directed(&outgoing, &directed).map_err(native_error)?;
        }
        let designated = !directed.is_empty();
        let message = outgoing.clone();
        crate::mark!("SEND-5");
        self.emit(if designated {
            Event::GroupMessageToDesignatedUsersAttached { message }
        } else {
            Event::MessageAttached { message }
        });

        if !self.is_established() {
            crate::mark!("SEND-16");
            self.settle_send(outgoing, ErrorCode::NETWORK_UNAVAILABLE, None, designated);
            return Ok(());
        }
        self.publish(now, outgoing, directed, policy.status);
        Ok(())
    }

    pub(super) fn handle_publish_ack(&mut self, _now: Now, ack: proto::PublishAck) {
        let Some(pending) = self.pending_publishes.remove(&ack.client_message_id) else {
            // An acknowledgement for a send already settled (timed out, or a repeat): nothing to do.
            return;
        };
        let code = ErrorCode::from_wire(ack.code);
        let accepted = code.is_success().then_some((ack.message_uid.as_str(), ack.sent_time));
        self.within_call(pending.call, |core| core.settle_send(pending.message, code, accepted, pending.designated));
    }

    /// Records a send's outcome, then reports it (SEND-14): `accepted` carries the server's UID and sent time on
    /// success. A stored message is settled in the store and reported as stored; one that is not stored (SEND-17) is
    /// settled in memory and reported with `messageId` 0.
    /// A directed group message (`designated`) is reported through `onGroupMessageToDesignatedUsersSent` (GRP-16), a
    /// media message through `onMediaMessageSent` (SEND-9).
    pub(super) fn settle_send(
        &mut self,
        attached: Message,
        code: ErrorCode,
        accepted: Option<(&str, i64)>,
        designated: bool,
    ) {
        let mut message_id = attached.message_id;
        let stored = match self.store.as_mut() {
            Some((_, store)) if message_id != 0 => store.message(message_id),
            _ => Ok(None),
        };
        let settled = match stored {
            Ok(Some(stored)) => stored,
            // Not stored (SEND-17), or deleted while in flight (a chatroom's cache purged when the room was left,
            // CR-21): the send is still reported, as a message that is not stored.
            Ok(None) => {
                message_id = 0;
                Message { message_id, ..attached }
            }
            // The call is still owed its one result (CALL-13): a database that cannot be read is reported.
            Err(_) => {
                self.emit_sent(attached, ErrorCode::NATIVE_OPERATION_ERROR, designated);
                return;
            }
        };
        let (sent_status, uid, sent_time) = match accepted {
            Some((uid, sent_time)) => (SentStatus::Sent, Some(uid), sent_time),
            // A failure keeps the provisional sent time.
            None => (SentStatus::Failed, None, settled.sent_time),
        };
        if message_id != 0
            && let Some((_, store)) = self.store.as_mut()
            && store.update_send_result(message_id, sent_status, uid, sent_time).is_err()
        {
            // Reported as the database holds it: the result could not be recorded.
            self.emit_sent(settled, ErrorCode::NATIVE_OPERATION_ERROR, designated);
            return;
        }
        crate::mark!("SEND-14");
        let message = Message { sent_status, message_uid: uid.map(str::to_owned), sent_time, ..settled };
        self.emit_sent(message, code, designated);
    }

    /// Reports a settled send through its listener: `onGroupMessageToDesignatedUsersSent` for a directed group
    /// message (GRP-16), `onMediaMessageSent` for a media message (SEND-9), else `onMessageSent`.
    fn emit_sent(&mut self, message: Message, code: ErrorCode, designated: bool) {
        self.emit(if designated {
            Event::GroupMessageToDesignatedUsersSent { code, message }
        } else if message.content.media().is_some() {
            crate::mark!("SEND-9");
            Event::MediaMessageSent { code, message }
        } else {
            crate::mark!("SEND-4");
            Event::MessageSent { code, message }
        });
    }

    /// Fails every publish still waiting for its acknowledgement with `code`.
    pub(super) fn fail_all_pending(&mut self, _now: Now, code: ErrorCode) {
        for (_, publish) in self.pending_publishes.take_all() {
            self.within_call(publish.call, |core| core.settle_send(publish.message, code, None, publish.designated));
        }
    }

    /// Fails, with 30003, every publish whose acknowledgement is overdue.
    pub(super) fn expire_publishes(&mut self, now: Now) {
        for (_, pending) in self.pending_publishes.take_due(now.monotonic_ms) {
            let timeout = ErrorCode::MSG_RESPONSE_TIMEOUT;
            let designated = pending.designated;
            self.within_call(pending.call, |core| core.settle_send(pending.message, timeout, None, designated));
        }
    }

    pub(super) fn handle_inbox_package(&mut self, now: Now, package: proto::InboxPackage) {
        // Every package is acknowledged, an empty one too (the server waits for it to end catch-up); an empty
        // package reports nothing (RECV-8). A status message has no place in the inbox (sequence 0) and never moves
        // the cursor.
        let current = self.store().and_then(|store| store.inbox_cursor().ok()).unwrap_or(0);
        let cursor = package
            .messages
            .iter()
            .filter(|message| !message.status_message)
            .map(|message| message.seq)
            .max()
            .unwrap_or(0)
            .max(current);
        let (reported, signal_events) = self.persist_received(now, &package.messages, Some(cursor), true);
        let count = reported.len();
        self.end_typing_on_messages(&reported);
        for (index, message) in reported.into_iter().enumerate() {
            let left = u32::try_from(count - index - 1).unwrap_or(u32::MAX);
            crate::mark!("RECV-1");
            crate::mark!("OFFLINE-5");
            crate::mark!("RECV-4");
            crate::mark!("RECV-5");
            crate::mark!("RECV-6");
            self.emit(Event::MessageReceived { message, left, offline: true, has_package: package.has_package });
        }
        for event in signal_events {
            self.emit(event);
        }
        // The last package, persisted and acknowledged: catch-up is over for this connection (RECV-7).
        if !package.has_package && self.is_established() {
            crate::mark!("RECV-7");
            self.emit(Event::OfflineMessageSyncCompleted);
        }
    }

    pub(super) fn handle_inbox_delivery(&mut self, now: Now, delivery: proto::InboxDelivery) {
        let Some(delivered) = delivery.message else { return };
        if delivered.status_message && self.take_typing_status(now, &delivered) {
            return;
        }
        // A status message (SYNC-3) is not in the inbox: there is nothing to persist or acknowledge.
        let cursor = (!delivered.status_message).then_some(delivered.seq);
        let (reported, signal_events) = self.persist_received(now, std::slice::from_ref(&delivered), cursor, false);
        for message in reported.iter().cloned() {
            // RECV-9: real-time messages report left 0, offline false, hasPackage false.
            crate::mark!("RECV-1");
            crate::mark!("RECV-9");
            self.emit(Event::MessageReceived { message, left: 0, offline: false, has_package: false });
        }
        for event in signal_events {
            self.emit(event);
        }
        self.end_typing_on_messages(&reported);
    }

    /// Stores those of `delivered` whose type is stored, and the new cursor, in one transaction, then acknowledges
    /// the cursor to the server; with no cursor (a status delivery) nothing is written or acknowledged. Returns the
    /// messages to report, in order: the stored ones with their new `messageId`, the others (types that are not
    /// stored, status deliveries) with `messageId` 0. Duplicates of stored messages are dropped silently (RECV-13).
    ///
    /// A copy of a message this database sent itself (a message to oneself) whose acknowledgement a crash lost is
    /// not stored again: it settles the waiting message instead (`settle_own_copies`).
    ///
    /// Signals (RC:RcCmd, RC:MsgExMsg) among them are applied after the messages, with the cursor (`signals`): the
    /// messages are persisted with the cursor just below the first signal, so that a crash between the two
    /// transactions brings the signals again rather than losing them. The events the signals give come second in
    /// the result: the caller reports them after the messages, so that an app hears of a message before it hears
    /// of a change to it.
    fn persist_received(
        &mut self,
        now: Now,
        delivered: &[proto::DeliveredMessage],
        cursor: Option<u64>,
        offline: bool,
    ) -> (Vec<Message>, Vec<Event>) {
        let is_signal =
            |wire: &proto::DeliveredMessage| !wire.status_message && wire.content.as_ref().is_some_and(is_signal);
        let (Some(cursor), Some(first_signal)) = (cursor, delivered.iter().find(|wire| is_signal(wire))) else {
            return (self.persist_messages(now, delivered, cursor, offline), Vec::new());
        };
        let (signals, messages): (Vec<proto::DeliveredMessage>, Vec<proto::DeliveredMessage>) =
            delivered.iter().cloned().partition(|wire| is_signal(wire));
        let reported = self.persist_messages(now, &messages, Some(first_signal.seq.saturating_sub(1)), offline);
        let signal_events = if self.is_established() { self.apply_signals(now, &signals, cursor) } else { Vec::new() };
        (reported, signal_events)
    }

    fn persist_messages(
        &mut self,
        now: Now,
        delivered: &[proto::DeliveredMessage],
        cursor: Option<u64>,
        offline: bool,
    ) -> Vec<Message> {
        let (own, others): (Vec<&proto::DeliveredMessage>, Vec<&proto::DeliveredMessage>) =
            delivered.iter().partition(|wire| self.own_unsettled_send(wire).is_some());
        let others: Vec<proto::DeliveredMessage> =
            if own.is_empty() { delivered.to_vec() } else { others.into_iter().cloned().collect() };
        let own: Vec<proto::DeliveredMessage> = own.into_iter().cloned().collect();
        let reported = self.persist_others(now, &others, cursor, offline);
        self.settle_own_copies(&own);
        reported
    }

    /// The stored `messageId` of the send of this database that `wire` is a copy of, if that send is still
    /// waiting for its result: its publish is in flight, or the database holds it as `sending` (a send an earlier
    /// process began). The copy carries the publish's client message ID, which this database made from its own ID
    /// and the message's (`outbox`). A publish in flight counts whatever its stored status says: the app may have
    /// overwritten it (`changeMessageSentStatus`) without settling the send, which still owes its call a result
    /// (found by `imsim explore`, seed 154).
    fn own_unsettled_send(&self, wire: &proto::DeliveredMessage) -> Option<i64> {
        let message_id = wire.client_message_id.strip_prefix(&format!("{:016x}-", self.database_id))?;
        let message_id = i64::from_str_radix(message_id, 16).ok()?;
        let stored = self.store()?.message(message_id).ok()??;
        let in_flight = self.pending_publishes.contains_key(&wire.client_message_id);
        (in_flight || stored.sent_status == SentStatus::Sending).then_some(message_id)
    }

    /// Settles each waiting send that `own` holds a copy of as the server accepted it (SEND-14), exactly as its
    /// acknowledgement would have: through the publish still in flight if there is one (its call gets the result),
    /// else as a resumed send.
    fn settle_own_copies(&mut self, own: &[proto::DeliveredMessage]) {
        for wire in own {
            let Some(message_id) = self.own_unsettled_send(wire) else { continue };
            let accepted = Some((wire.message_uid.as_str(), wire.sent_time));
            if let Some(pending) = self.pending_publishes.remove(&wire.client_message_id) {
                let designated = pending.designated;
                self.within_call(pending.call, |core| {
                    core.settle_send(pending.message, ErrorCode::SUCCESS, accepted, designated);
                });
                continue;
            }
            let Some(Ok(Some(stored))) = self.store().map(|store| store.message(message_id)) else { continue };
            let designated = !wire.directed_user_ids.is_empty();
            self.settle_send(stored, ErrorCode::SUCCESS, accepted, designated);
        }
    }

    fn persist_others(
        &mut self,
        now: Now,
        delivered: &[proto::DeliveredMessage],
        cursor: Option<u64>,
        offline: bool,
    ) -> Vec<Message> {
        let Some((user_id, store)) = self.store.as_mut() else { return Vec::new() };
        let messages: Vec<(Message, bool)> = delivered
            .iter()
            .map(|wire| {
                let message = received_message(wire, now, offline, user_id);
                crate::mark!("MTYPE-2");
                // MTYPE-2 to MTYPE-9; a status delivery is never stored, whatever its type (SYNC-3).
                let stored = cursor.is_some() && !wire.status_message && message.content.policy().stored;
                (message, stored)
            })
            .collect();
        let outcomes = match cursor {
            Some(cursor) => {
                let to_store: Vec<Message> =
                    messages.iter().filter(|(_, stored)| *stored).map(|(message, _)| message.clone()).collect();
                match store.insert_received(&to_store, cursor) {
                    Ok(outcomes) => {
                        crate::mark!("RECV-11");
                        crate::mark!("RECV-12");
                        outcomes
                    }
                    Err(_) => {
                        // Not persisted, so not acknowledged: the server will deliver these again on the next
                        // connection.
                        self.drop_transport(now);
                        return Vec::new();
                    }
                }
            }
            None => Vec::new(),
        };
        if let Some(cursor) = cursor {
            self.queue_frame(Body::InboxAck(proto::InboxAck { cursor }));
        }
        to_report(messages, outcomes)
    }

    /// Stores those of `delivered` (chatroom messages: CR-22, BIZ-26) whose type is stored, de-duplicated by UID,
    /// without touching the inbox cursor and without acknowledging anything: they are not in the inbox. Returns the
    /// messages to report, in order, as `persist_received` does; a duplicate (a message fetched again by a rejoin,
    /// CR-41) is not reported again. If the store fails, nothing is reported: the cache is only a cache.
    pub(super) fn persist_outside_inbox(&mut self, now: Now, delivered: &[proto::DeliveredMessage]) -> Vec<Message> {
        let Some((user_id, store)) = self.store.as_mut() else { return Vec::new() };
        let messages: Vec<(Message, bool)> = delivered
            .iter()
            .map(|wire| {
                let message = received_message(wire, now, false, user_id);
                let stored = !wire.status_message && message.content.policy().stored;
                (message, stored)
            })
            .collect();
        let to_store: Vec<Message> =
            messages.iter().filter(|(_, stored)| *stored).map(|(message, _)| message.clone()).collect();
        match store.insert_received_outside_inbox(&to_store) {
            Ok(outcomes) => to_report(messages, outcomes),
            Err(_) => Vec::new(),
        }
    }

    /// `getUnreadCount(type, targetId, channelId)` (UNREAD-2, UNREAD-6): how many messages of one conversation
    /// count as unread, from the stored messages (`Store::unread_count`). The manual delivers the count through
    /// `onUnreadCountLoaded`; here it is the call's result. -102 once destroyed; -101 for an invalid conversation,
    /// and for a chatroom (UNREAD-10); -103 before any `connect` (no database is open).
    pub fn unread_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<u32, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("UNREAD-10");
            return Err(ImError::param("chatrooms have no unread count (UNREAD-10)"));
        }
        self.database()?.unread_count((conversation_type, target_id, channel_id)).map_err(native_error)
    }

    /// `getTotalUnreadCount(channelId)` (UNREAD-1, UNREAD-9): the unread count of every conversation except
    /// chatrooms, do-not-disturb ones included. The manual delivers it through `onTotalUnreadCountLoaded`; here it
    /// is the call's result. -102 once destroyed; -103 before any `connect`.
    pub fn total_unread_count(&self) -> Result<u32, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        self.database()?.total_unread_count().map_err(native_error)
    }

    /// `getUnreadCount(type, targetId, channelId)` → `onUnreadCountLoaded` (UNREAD-2): the count of
    /// [`Core::unread_count`], reported as an event. The refusals of `unread_count` are the call's status code.
    pub fn load_unread_count(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        validate_conversation(conversation_type, target_id, channel_id)?;
        let count = self.unread_count(conversation_type, target_id, channel_id)?;
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        crate::mark!("UNREAD-2");
        self.emit(Event::UnreadCountLoaded { code, conversation_type, target_id, channel_id, count });
        Ok(())
    }

    /// `getTotalUnreadCount(channelId)` → `onTotalUnreadCountLoaded` (UNREAD-1): the count of
    /// [`Core::total_unread_count`], reported as an event.
    pub fn load_total_unread_count(&mut self, channel_id: Option<&str>) -> Result<(), ImError> {
        // UNREAD-9: every conversation counts, whatever its do-not-disturb level.
        let count = self.total_unread_count()?;
        let channel_id = channel_id.map(str::to_owned);
        crate::mark!("UNREAD-1");
        crate::mark!("UNREAD-9");
        self.emit(Event::TotalUnreadCountLoaded { code: ErrorCode::SUCCESS, channel_id, count });
        Ok(())
    }

    /// `getUnreadCountByConversationTypes(conversationTypes, channelId, contain)` →
    /// `onUnreadCountByConversationTypesLoaded` (UNREAD-3): the unread count of every conversation of those types,
    /// each type counted once; a chatroom contributes 0 (UNREAD-10). `contain` false leaves do-not-disturb
    /// conversations out (UNREAD-8, `notification::do_not_disturb_unread`). Refused with -101 for an empty list or the `invalid` type (CALL-12), -102 once destroyed, -103
    /// before any `connect`.
    pub fn load_unread_count_by_conversation_types(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        contain: bool,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if conversation_types.is_empty() {
            return Err(ImError::param("conversationTypes must list at least one type"));
        }
        if conversation_types.contains(&ConversationType::Invalid) {
            return Err(ImError::param("the invalid conversation type counts nothing (CALL-12)"));
        }
        if conversation_types.contains(&ConversationType::UltraGroup)
            && channel_id.is_some_and(|id| id.chars().count() > CHANNEL_ID_CHARS_MAX)
        {
            crate::mark!("MSG-20");
            return Err(ImError::param(format!("channel id has more than {CHANNEL_ID_CHARS_MAX} characters")));
        }
        let mut distinct = conversation_types.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let database = self.database()?;
        let mut count = 0u32;
        if distinct.contains(&ConversationType::Chatroom) {
            crate::mark!("UNREAD-10");
        }
        for conversation_type in distinct.into_iter().filter(|kind| *kind != ConversationType::Chatroom) {
            let mut of_type = database.unread_count_of_type(conversation_type).map_err(native_error)?;
            if !contain {
                crate::mark!("UNREAD-8");
                of_type =
                    of_type.saturating_sub(super::notification::do_not_disturb_unread(database, conversation_type)?);
            }
            count = count.saturating_add(of_type);
        }
        crate::mark!("UNREAD-3");
        self.emit(Event::UnreadCountByConversationTypesLoaded {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
            contain,
            count,
        });
        Ok(())
    }

    /// The open database, or -103 when none is (before the first `connect`).
    pub(super) fn database(&self) -> Result<&dyn crate::store::Store, ImError> {
        self.store().ok_or_else(no_database)
    }

    /// The open database, to write, or -103 when none is.
    pub(super) fn database_mut(&mut self) -> Result<&mut dyn crate::store::Store, ImError> {
        self.store.as_mut().map(|(_, store)| store.as_mut() as &mut dyn crate::store::Store).ok_or_else(no_database)
    }
}

/// The messages to report of a batch, given which were to be stored and how the store fared with those (one
/// outcome per stored message, in order): stored ones get their new `messageId`, duplicates are dropped, the others
/// are reported as they are (`messageId` 0).
fn to_report(messages: Vec<(Message, bool)>, outcomes: Vec<Received>) -> Vec<Message> {
    let mut outcomes = outcomes.into_iter();
    messages
        .into_iter()
        .filter_map(|(message, stored)| {
            if !stored {
                return Some(message);
            }
            match outcomes.next() {
                Some(Received::Stored(message_id)) => Some(Message { message_id, ..message }),
                Some(Received::Duplicate) => {
                    crate::mark!("RECV-13");
                    None
                }
                None => None,
            }
        })
        .collect()
}

/// A call that needs the database before the first `connect` opened one: -103.
pub(super) fn no_database() -> ImError {
    ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, "no database is open: connect first")
}

/// A store failure as the caller sees it: -103, a native error (CODE-4).
pub(super) fn native_error(error: StoreError) -> ImError {
    ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, error.to_string())
}

/// A delivered message as this device, signed in as `user_id`, stores and reports it (RECV-14, RECV-16, MSG-22,
/// SYNC-12).
///
/// - Sent by `user_id` (a copy of a message this user sent from another device, SYNC-12): direction send, sent
///   status sent. Otherwise direction receive, sent status received.
/// - `retrieved` (delivered by offline compensation, SYNC-12): received status retrieved. Otherwise unread.
pub(super) fn received_message(wire: &proto::DeliveredMessage, now: Now, offline: bool, user_id: &str) -> Message {
    crate::mark!("RECV-16");
    let conversation_type = ConversationType::from_ordinal(wire.conversation_type).unwrap_or(ConversationType::Invalid);
    let own = wire.sender_user_id == user_id;
    Message {
        conversation_type,
        target_id: wire.target_id.clone(),
        channel_id: Some(wire.channel_id.clone()).filter(|id| !id.is_empty()),
        message_id: 0,
        message_uid: Some(wire.message_uid.clone()),
        direction: if own { MessageDirection::Send } else { MessageDirection::Receive },
        received_time: now.unix_ms,
        sent_time: wire.sent_time,
        received_status: if wire.retrieved { ReceivedStatus::Retrieved } else { ReceivedStatus::Unread },
        sent_status: if own { SentStatus::Sent } else { SentStatus::Received },
        sender_user_id: wire.sender_user_id.clone(),
        offline,
        extra: Some(wire.extra.clone()).filter(|extra| !extra.is_empty()),
        mentioned_info: wire.mentioned_info.as_ref().and_then(mentioned_info_from_wire),
        user_info: wire.user_info.as_ref().map(user_info_from_wire),
        expansion: wire.expansion.as_ref().map(|expansion| expansion.entries.clone().into_iter().collect()),
        // MSG-18: push options never travel; MSG-15: receipts are asked for by a request of their own (GRCPT).
        push_options: None,
        group_read_receipt_info: None,
        content: wire
            .content
            .as_ref()
            .map(|content| decode_flagged_content(content, wire.not_stored, wire.not_counted))
            .unwrap_or(MessageContent::unknown(String::new(), Vec::new())),
    }
}

/// MSG-16: the user information on a message as it is published; an absent field travels as "".
pub(super) fn user_info_to_wire(info: &UserInfo) -> proto::UserInfo {
    proto::UserInfo {
        user_id: info.user_id.clone(),
        name: info.name.clone().unwrap_or_default(),
        portrait: info.portrait.clone().unwrap_or_default(),
        alias: info.alias.clone().unwrap_or_default(),
        extra: info.extra.clone().unwrap_or_default(),
    }
}

/// MSG-16: delivered user information, with "" read as absent.
fn user_info_from_wire(wire: &proto::UserInfo) -> UserInfo {
    let present = |text: &String| Some(text.clone()).filter(|text| !text.is_empty());
    UserInfo {
        user_id: wire.user_id.clone(),
        name: present(&wire.name),
        portrait: present(&wire.portrait),
        alias: present(&wire.alias),
        extra: present(&wire.extra),
    }
}

/// MENTION-3: a message's @ alert as it is published.
pub(super) fn mentioned_info_to_wire(info: &MentionedInfo) -> proto::MentionedInfo {
    proto::MentionedInfo {
        mentioned_type: info.mentioned_type.ordinal(),
        user_ids: info.user_id_list.clone(),
        mentioned_content: info.mentioned_content.clone().unwrap_or_default(),
    }
}

/// A delivered @ alert, or `None` if its type is not one this engine knows: a peer's bad alert must not stop the
/// message, which is delivered without it.
fn mentioned_info_from_wire(wire: &proto::MentionedInfo) -> Option<MentionedInfo> {
    Some(MentionedInfo {
        mentioned_type: MentionedType::from_ordinal(wire.mentioned_type)?,
        user_id_list: wire.user_ids.clone(),
        mentioned_content: Some(wire.mentioned_content.clone()).filter(|content| !content.is_empty()),
    })
}

/// MSG-3, MSG-20, CALL-11: the channel a message keeps: its own in an ultra group, none in any other type, whose
/// `channelId` is ignored.
pub(super) fn ultra_group_channel(message: &Message) -> Option<String> {
    message
        .channel_id
        .clone()
        .filter(|channel_id| message.conversation_type == ConversationType::UltraGroup && !channel_id.is_empty())
}

/// The argument checks of every send (`sendMessage`, `sendMediaMessage`, to designated users): the conversation
/// (`validate_conversation`), the @ alert (MENTION-9) and the expansion (MSG-13: only a private or group message
/// may have one, with at most 20 entries set at once, each key and value within its limits). -101 for any breach,
/// before anything is stored.
pub(super) fn validate_outgoing(message: &Message) -> Result<(), ImError> {
    validate_conversation(message.conversation_type, &message.target_id, message.channel_id.as_deref())?;
    validate_mentioned_info(message.mentioned_info.as_ref())?;
    if let Some(expansion) = &message.expansion {
        crate::mark!("MSG-13");
        crate::mark!("EXP-5");
        if !matches!(message.conversation_type, ConversationType::Private | ConversationType::Group) {
            return Err(ImError::param(format!(
                "only private and group messages can have expansion entries, not {} ones (MSG-13)",
                message.conversation_type
            )));
        }
        if let Some(breach) = validate_expansion(expansion, &ExpansionLimits::MANUAL) {
            return Err(ImError::param(breach));
        }
    }
    Ok(())
}

/// MENTION-9: an @ alert of type `part` must list at least one user; -101 otherwise.
fn validate_mentioned_info(info: Option<&MentionedInfo>) -> Result<(), ImError> {
    match info {
        Some(info) if info.mentioned_type == MentionedType::Part && info.user_id_list.is_empty() => {
            crate::mark!("MENTION-9");
            Err(ImError::param("mentionedInfo of type part must list at least one user (MENTION-9)"))
        }
        _ => Ok(()),
    }
}

/// The argument checks every message method shares (CALL-12, MSG-3, MSG-20, CALL-11).
pub(super) fn validate_conversation(
    conversation_type: ConversationType,
    target_id: &str,
    channel_id: Option<&str>,
) -> Result<(), ImError> {
    if conversation_type == ConversationType::Invalid {
        return Err(ImError::param("conversation type invalid is reserved"));
    }
    let target_chars = target_id.chars().count();
    if target_chars == 0 || target_chars > TARGET_ID_CHARS_MAX {
        return Err(ImError::param(format!("target id must have 1 to {TARGET_ID_CHARS_MAX} characters")));
    }
    if conversation_type == ConversationType::UltraGroup
        && channel_id.is_some_and(|id| id.chars().count() > CHANNEL_ID_CHARS_MAX)
    {
        crate::mark!("MSG-20");
        return Err(ImError::param(format!("channel id has more than {CHANNEL_ID_CHARS_MAX} characters")));
    }
    Ok(())
}
