//! Sending and receiving (SEND, RECV, MSG-22).
//!
//! A send is stored before anything else happens (attached, sending), then published; the server's acknowledgement
//! or a failure settles it in the store, then in an event (SEND-4, SEND-5, SEND-14). A receive is persisted together
//! with the inbox cursor in one store transaction, and only then acknowledged to the server and reported to the app
//! (RECV-11): a crash at any point either loses nothing or repeats a delivery the store then recognises by its
//! message UID (RECV-13).

use rand::RngCore as _;

use super::{Core, Event, Now, PendingPublish};
use crate::codec::encode_frame;
use crate::content::{decode_content, encode_content};
use crate::error::{ErrorCode, ImError};
use crate::limits::{CHANNEL_ID_CHARS_MAX, PUBLISH_ACK_TIMEOUT_MS, TARGET_ID_CHARS_MAX};
use crate::proto::{self, frame::Body};
use crate::store::Received;
use crate::types::{ConversationType, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};

impl Core {
    /// `createTextMessage(type, targetId, channelId, text)`: a message object ready for `send_message`. Nothing is
    /// stored until it is sent.
    pub fn create_text_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        text: &str,
    ) -> Result<Message, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        Ok(Message {
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            message_id: 0,
            message_uid: None,
            direction: MessageDirection::Send,
            received_time: 0,
            sent_time: 0,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Sending,
            sender_user_id: self.current_user_id().unwrap_or_default().to_owned(),
            offline: false,
            extra: None,
            content: MessageContent::Text { text: text.to_owned() },
        })
    }

    /// `sendMessage(message)` (SEND-3 to SEND-5, SEND-14, SEND-16).
    ///
    /// Stores the message as sending and reports it attached; then publishes it, or, with no open session, fails
    /// it at once with 30002 (SEND-16: nothing is queued). Needs an open database: before the first `connect` the
    /// call fails with -103.
    pub fn send_message(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(message.conversation_type, &message.target_id, message.channel_id.as_deref())?;
        let Some((user_id, store)) = self.store.as_mut() else {
            return Err(ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, "no database is open: connect first"));
        };
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
            ..message.clone()
        };
        outgoing.message_id = store
            .insert_outgoing(&outgoing)
            .map_err(|error| ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, error.to_string()))?;
        self.events.push_back(Event::MessageAttached { message: outgoing.clone() });

        if !self.is_established() {
            self.settle_send(outgoing.message_id, ErrorCode::NETWORK_UNAVAILABLE, None);
            return Ok(());
        }
        let client_message_id = format!("{:x}-{:016x}", outgoing.message_id, self.rng.next_u64());
        let content = encode_content(&outgoing.content);
        let publish = proto::Publish {
            client_message_id: client_message_id.clone(),
            conversation_type: outgoing.conversation_type.ordinal(),
            target_id: outgoing.target_id.clone(),
            channel_id: outgoing.channel_id.clone().unwrap_or_default(),
            content: Some(content),
            extra: outgoing.extra.clone().unwrap_or_default(),
            directed_user_ids: Vec::new(),
            status_message: false,
        };
        let mut frame_bytes = Vec::new();
        if encode_frame(&proto::Frame { body: Some(Body::Publish(publish)) }, &mut frame_bytes).is_err() {
            // Content the server would refuse with 30016 (SEND-19) and too large for a frame: refuse it locally
            // rather than send a frame the server must treat as a protocol error.
            self.settle_send(outgoing.message_id, ErrorCode::MSG_SIZE_OUT_OF_LIMIT, None);
            return Ok(());
        }
        self.transport_actions.push_back(super::TransportAction::Send(frame_bytes.clone()));
        let deadline_ms = now.monotonic_ms + PUBLISH_ACK_TIMEOUT_MS;
        self.track_publish(
            client_message_id,
            PendingPublish { message_id: outgoing.message_id, frame_bytes, deadline_ms },
        );
        Ok(())
    }

    pub(super) fn handle_publish_ack(&mut self, _now: Now, ack: proto::PublishAck) {
        let Some(pending) = self.pending_publishes.remove(&ack.client_message_id) else {
            // An acknowledgement for a send already settled (timed out, or a repeat): nothing to do.
            return;
        };
        let code = ErrorCode::from_wire(ack.code);
        let accepted = code.is_success().then_some((ack.message_uid.as_str(), ack.sent_time));
        self.settle_send(pending.message_id, code, accepted);
    }

    /// Records a send's outcome in the store, then reports it (SEND-14): `accepted` carries the server's UID and
    /// sent time on success.
    fn settle_send(&mut self, message_id: i64, code: ErrorCode, accepted: Option<(&str, i64)>) {
        let Some((_, store)) = self.store.as_mut() else { return };
        let Ok(Some(stored)) = store.message(message_id) else { return };
        let (sent_status, uid, sent_time) = match accepted {
            Some((uid, sent_time)) => (SentStatus::Sent, Some(uid), sent_time),
            None => (SentStatus::Failed, None, stored.sent_time),
        };
        if store.update_send_result(message_id, sent_status, uid, sent_time).is_err() {
            return;
        }
        let message = Message { sent_status, message_uid: uid.map(str::to_owned), sent_time, ..stored };
        self.events.push_back(Event::MessageSent { code, message });
    }

    /// Fails every publish still waiting for its acknowledgement with `code`.
    pub(super) fn fail_all_pending(&mut self, _now: Now, code: ErrorCode) {
        let pending = std::mem::take(&mut self.pending_publishes);
        for publish in pending.into_values() {
            self.settle_send(publish.message_id, code, None);
        }
    }

    /// Fails, with 30003, every publish whose acknowledgement is overdue.
    pub(super) fn expire_publishes(&mut self, now: Now) {
        let overdue: Vec<String> = self
            .pending_publishes
            .iter()
            .filter(|(_, pending)| now.monotonic_ms >= pending.deadline_ms)
            .map(|(id, _)| id.clone())
            .collect();
        for id in overdue {
            if let Some(pending) = self.pending_publishes.remove(&id) {
                self.settle_send(pending.message_id, ErrorCode::MSG_RESPONSE_TIMEOUT, None);
            }
        }
    }

    pub(super) fn handle_inbox_package(&mut self, now: Now, package: proto::InboxPackage) {
        // Every package is acknowledged, an empty one too (the server waits for it to end catch-up); an empty
        // package reports nothing (RECV-8).
        let current = self.store().and_then(|store| store.inbox_cursor().ok()).unwrap_or(0);
        let cursor = package.messages.iter().map(|m| m.seq).max().unwrap_or(0).max(current);
        let reported = self.persist_received(now, &package.messages, cursor, true);
        let count = reported.len();
        for (index, message) in reported.into_iter().enumerate() {
            let left = u32::try_from(count - index - 1).unwrap_or(u32::MAX);
            self.events.push_back(Event::MessageReceived {
                message,
                left,
                offline: true,
                has_package: package.has_package,
            });
        }
    }

    pub(super) fn handle_inbox_delivery(&mut self, now: Now, delivery: proto::InboxDelivery) {
        let Some(delivered) = delivery.message else { return };
        let cursor = delivered.seq;
        for message in self.persist_received(now, std::slice::from_ref(&delivered), cursor, false) {
            // RECV-9: real-time messages report left 0, offline false, hasPackage false.
            self.events.push_back(Event::MessageReceived { message, left: 0, offline: false, has_package: false });
        }
    }

    /// Stores `delivered` and the new cursor in one transaction, then acknowledges the cursor to the server.
    /// Returns the newly stored messages; duplicates are dropped silently (RECV-13).
    fn persist_received(
        &mut self,
        now: Now,
        delivered: &[proto::DeliveredMessage],
        cursor: u64,
        offline: bool,
    ) -> Vec<Message> {
        let messages: Vec<Message> = delivered.iter().map(|wire| received_message(wire, now, offline)).collect();
        let Some((_, store)) = self.store.as_mut() else { return Vec::new() };
        let Ok(outcomes) = store.insert_received(&messages, cursor) else {
            // Not persisted, so not acknowledged: the server will deliver these again on the next connection.
            self.drop_transport(now);
            return Vec::new();
        };
        self.queue_frame(Body::InboxAck(proto::InboxAck { cursor }));
        messages
            .into_iter()
            .zip(outcomes)
            .filter_map(|(message, outcome)| match outcome {
                Received::Stored(message_id) => Some(Message { message_id, ..message }),
                Received::Duplicate => None,
            })
            .collect()
    }
}

/// A delivered message as this device stores and reports it (RECV-14, RECV-16, MSG-22).
fn received_message(wire: &proto::DeliveredMessage, now: Now, offline: bool) -> Message {
    let conversation_type = ConversationType::from_ordinal(wire.conversation_type).unwrap_or(ConversationType::Invalid);
    Message {
        conversation_type,
        target_id: wire.target_id.clone(),
        channel_id: Some(wire.channel_id.clone()).filter(|id| !id.is_empty()),
        message_id: 0,
        message_uid: Some(wire.message_uid.clone()),
        direction: MessageDirection::Receive,
        received_time: now.unix_ms,
        sent_time: wire.sent_time,
        received_status: ReceivedStatus::Unread,
        sent_status: SentStatus::Received,
        sender_user_id: wire.sender_user_id.clone(),
        offline,
        extra: Some(wire.extra.clone()).filter(|extra| !extra.is_empty()),
        content: wire
            .content
            .as_ref()
            .map(decode_content)
            .unwrap_or(MessageContent::Unknown { object_name: String::new(), raw_data: Vec::new() }),
    }
}

/// The argument checks every message method shares (CALL-12, MSG-3, MSG-20, CALL-11).
fn validate_conversation(
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
        return Err(ImError::param(format!("channel id has more than {CHANNEL_ID_CHARS_MAX} characters")));
    }
    Ok(())
}
