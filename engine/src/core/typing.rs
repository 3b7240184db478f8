//! Typing status (TYPING): `sendTypingStatus` and `onTypingStatusChanged`.
//!
//! A typing status travels as the status message `RC:TypSts` (TYPING-4): the server hands it only to the online
//! devices and keeps nothing. The engine sends it outside the outbox: it has no call result, waits for no
//! acknowledgement (the server's is ignored, as for any publish the outbox does not know) and is never stored
//! (TYPING-9). At most one leaves per conversation every 6 s; calls within that window return 0 and send nothing
//! (TYPING-8).
//!
//! On the receiving side each conversation keeps who is typing, each entry expiring 6 s after that user's last typing
//! status, or at once when a stored message from that user arrives (TYPING-7). Every change reports the whole set
//! (TYPING-6), empty once nobody types.

use std::collections::BTreeMap;

use prost::Message as _;

use super::messages::validate_conversation;
use super::timed::TimedMap;
use super::{Core, Event, Now, TransportAction};
use crate::codec::encode_frame;
use crate::content::TYPING_STATUS_OBJECT_NAME;
use crate::conversation::TypingStatus;
use crate::error::{ErrorCode, ImError};
use crate::limits::{TYPING_STATUS_EXPIRY_MS, TYPING_STATUS_INTERVAL_MS};
use crate::proto::{self, frame::Body};
use crate::types::{ConversationType, Message, MessageDirection};

/// A conversation whose typing users are tracked: (type, target).
type ConversationKey = (ConversationType, String);

/// The typing state of one engine.
#[derive(Debug, Default)]
pub(super) struct Typing {
    /// When this device last sent a typing status to each conversation (monotonic ms).
    last_sent_ms: BTreeMap<ConversationKey, u64>,
    /// How many typing statuses this device has sent: makes each one's client message ID unique.
    sent: u64,
    /// Who is typing in each conversation, by user ID.
    typing: BTreeMap<ConversationKey, BTreeMap<String, TypingStatus>>,
    /// When each entry expires.
    expiries: TimedMap<(ConversationKey, String), ()>,
}

impl Typing {
    /// When the next typing entry expires.
    pub(super) fn deadline_ms(&self) -> Option<u64> {
        self.expiries.earliest_deadline_ms()
    }
}

impl Core {
    /// `sendTypingStatus(type, targetId, channelId, currentType)` (TYPING-1, TYPING-5, TYPING-8): private
    /// conversations only (-101 for another type or an empty `currentType`), -103 while not connected. Within 6 s of
    /// the last one to the same conversation it returns 0 and sends nothing.
    pub fn send_typing_status(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        current_type: &str,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type != ConversationType::Private {
            crate::mark!("TYPING-5");
            return Err(ImError::param("typing status is for private conversations only (TYPING-5)"));
        }
        if current_type.is_empty() {
            return Err(ImError::param("currentType must name the type being typed"));
        }
        self.check_server_call()?;
        let key = (conversation_type, target_id.to_owned());
        if let Some(&last) = self.typing.last_sent_ms.get(&key)
            && now.monotonic_ms < last.saturating_add(TYPING_STATUS_INTERVAL_MS)
        {
            crate::mark!("TYPING-8");
            return Ok(());
        }
        self.typing.last_sent_ms.insert(key, now.monotonic_ms);
        self.typing.sent += 1;
        let payload = proto::TypingStatusContent { typing_content_type: current_type.to_owned() }.encode_to_vec();
        let publish = proto::Publish {
            client_message_id: format!("{:016x}-t{:x}", self.database_id, self.typing.sent),
            conversation_type: conversation_type.ordinal(),
            target_id: target_id.to_owned(),
            content: Some(proto::MessageContent { object_name: TYPING_STATUS_OBJECT_NAME.to_owned(), payload }),
            status_message: true,
            ..Default::default()
        };
        let mut frame_bytes = Vec::new();
        if encode_frame(&proto::Frame { body: Some(Body::Publish(publish)) }, &mut frame_bytes).is_err() {
            return Err(ImError::new(ErrorCode::MSG_SIZE_OUT_OF_LIMIT, "currentType does not fit in a frame"));
        }
        crate::mark!("TYPING-1");
        crate::mark!("TYPING-4");
        self.transport_actions.push_back(TransportAction::Send(frame_bytes));
        Ok(())
    }

    /// Whether `delivered` is a typing status; if so it is taken in here (TYPING-2, TYPING-9) and goes no further.
    pub(super) fn take_typing_status(&mut self, now: Now, delivered: &proto::DeliveredMessage) -> bool {
        let Some(content) = delivered.content.as_ref() else { return false };
        if content.object_name != TYPING_STATUS_OBJECT_NAME {
            return false;
        }
        crate::mark!("TYPING-9");
        let own = self.current_user_id() == Some(delivered.sender_user_id.as_str());
        let conversation_type = ConversationType::from_ordinal(delivered.conversation_type);
        let Ok(typing) = proto::TypingStatusContent::decode(content.payload.as_slice()) else { return true };
        if own || conversation_type != Some(ConversationType::Private) {
            return true;
        }
        // CONV-4: the conversation is named after the other user, here the sender.
        let key = (ConversationType::Private, delivered.sender_user_id.clone());
        let status = TypingStatus {
            user_id: delivered.sender_user_id.clone(),
            content_type: typing.typing_content_type,
            sent_time: delivered.sent_time,
        };
        let deadline = now.monotonic_ms + TYPING_STATUS_EXPIRY_MS;
        self.typing.expiries.insert((key.clone(), status.user_id.clone()), deadline, ());
        let users = self.typing.typing.entry(key.clone()).or_default();
        let changed = users.get(&status.user_id).is_none_or(|held| held.content_type != status.content_type);
        users.insert(status.user_id.clone(), status);
        if changed {
            crate::mark!("TYPING-2");
            crate::mark!("TYPING-3");
            self.emit_typing(key);
        }
        true
    }

    /// TYPING-7: a stored message from a user typing in its conversation ends that user's entry.
    pub(super) fn end_typing_on_messages(&mut self, messages: &[Message]) {
        for message in messages {
            if message.direction != MessageDirection::Receive || message.message_id == 0 {
                continue;
            }
            let key = (message.conversation_type, message.target_id.clone());
            let removed =
                self.typing.typing.get_mut(&key).is_some_and(|users| users.remove(&message.sender_user_id).is_some());
            if removed {
                crate::mark!("TYPING-7");
                self.typing.expiries.remove(&(key.clone(), message.sender_user_id.clone()));
                self.emit_typing(key);
            }
        }
    }

    /// TYPING-7: the entries whose 6 s have run out end, each change reported.
    pub(super) fn expire_typing(&mut self, now: Now) {
        for ((key, user_id), ()) in self.typing.expiries.take_due(now.monotonic_ms) {
            let removed = self.typing.typing.get_mut(&key).is_some_and(|users| users.remove(&user_id).is_some());
            if removed {
                crate::mark!("TYPING-7");
                self.emit_typing(key);
            }
        }
    }

    /// `onTypingStatusChanged` with everyone now typing in the conversation (TYPING-6); empty when nobody is.
    fn emit_typing(&mut self, key: ConversationKey) {
        let users = self.typing.typing.get(&key).map(|users| users.values().cloned().collect()).unwrap_or_default();
        if self.typing.typing.get(&key).is_some_and(BTreeMap::is_empty) {
            self.typing.typing.remove(&key);
        }
        crate::mark!("TYPING-6");
        let (conversation_type, target_id) = key;
        self.emit(Event::TypingStatusChanged {
            conversation_type,
            target_id,
            channel_id: None,
            user_typing_status: users,
        });
    }
}
