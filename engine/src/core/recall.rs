//! Recall (RECALL, SYNC-15, DEL-7): `recallMessage` and the recall signal other devices receive.
//!
//! The server does the recall: it replaces the message wherever it still waits (inboxes, cloud histories) with its
//! recall notification and sends the recall signal (RC:RcCmd) through the inboxes to every other device that may
//! hold it. This module turns the local copy into its recall notification (RECALL-8) on the device that recalled it,
//! once the server has said yes, and on every device the signal reaches, in the same transaction that acknowledges
//! the signal, so that a crash can neither lose a recall nor apply it twice.
//!
//! Only the device that recalled keeps the original, in the notification's `originalMessage`, so its UI can offer to
//! edit it again. Every other copy loses the original content (RECALL-5, DEL-7: "the original content is deleted from
//! all users' local and server histories"); RECALL-8's proposal that every device keeps it would contradict the
//! manual's rule, and the real SDK keeps the recalled content on the sender's side only.

use super::messages::{native_error, validate_conversation};
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::proto::{self, request, response};
use crate::types::{ConversationType, EmbeddedMessage, Message, MessageContent};

impl Core {
    /// `recallMessage(message)` → `onMessageRecalled` (RECALL-1, RECALL-10, RECALL-12): asks the server to recall a
    /// sent private or group message. -101 for a message with no UID (never sent, failed, inserted), one of another
    /// conversation type, or one that already is a recall notification; -102 once destroyed; -103 while not
    /// connected. The server's refusals (25101, 25107 under CFG-5) come in the result.
    pub fn recall_message(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        let Some(message_uid) = message.message_uid.clone().filter(|uid| !uid.is_empty()) else {
            crate::mark!("RECALL-10");
            return Err(ImError::param("only a message the server accepted (it has a messageUId) can be recalled"));
        };
        if !matches!(message.conversation_type, ConversationType::Private | ConversationType::Group) {
            crate::mark!("RECALL-12");
            return Err(ImError::param("recallMessage recalls private and group messages only (RECALL-12)"));
        }
        validate_conversation(message.conversation_type, &message.target_id, None)?;
        if matches!(message.content, MessageContent::RecallNotification { .. }) {
            return Err(ImError::param("the message is already recalled"));
        }
        self.check_server_call()?;
        let body = request::Body::Recall(proto::Recall {
            message_uid,
            conversation_type: message.conversation_type.ordinal(),
            target_id: message.target_id.clone(),
        });
        self.send_request(now, body, RequestKind::Recall(Box::new(message.clone())));
        Ok(())
    }

    /// The server's answer to a recall: on success the local copy (found by UID, whatever the passed message's ID
    /// says) becomes its recall notification, keeping the original, and `onMessageRecalled` reports it; a copy this
    /// device does not hold is reported converted but not stored. On failure the passed message comes back as it
    /// was.
    pub(super) fn recall_settled(&mut self, message: Message, code: ErrorCode, body: Option<response::Body>) {
        crate::mark!("RECALL-1");
        let action_time = match (code.is_success(), body) {
            (true, Some(response::Body::Recalled(recalled))) => recalled.recall_action_time,
            (true, _) => {
                let code = ErrorCode::PROTOCOL_MALFORMED_FRAME;
                self.emit(Event::MessageRecalled { code, message });
                return;
            }
            (false, _) => {
                crate::mark!("RECALL-3");
                self.emit(Event::MessageRecalled { code, message });
                return;
            }
        };
        let operator_id = self.current_user_id().unwrap_or_default().to_owned();
        let stored = message.message_uid.as_deref().and_then(|uid| self.store()?.message_by_uid(uid).ok().flatten());
        let original = stored.unwrap_or(message);
        let content = MessageContent::RecallNotification {
            admin: false,
            deleted: false,
            recall_time: original.sent_time,
            recall_action_time: action_time,
            original_message: Some(Box::new(EmbeddedMessage::of(&original))),
            operator_id,
        };
        crate::mark!("RECALL-5");
        crate::mark!("RECALL-8");
        crate::mark!("DEL-7");
        let result = if original.message_id > 0 {
            self.database_mut().and_then(|store| store.recall(original.message_id, &content).map_err(native_error))
        } else {
            Ok(Message { content, mentioned_info: None, expansion: None, ..original.clone() })
        };
        match result {
            Ok(recalled) => self.emit(Event::MessageRecalled { code: ErrorCode::SUCCESS, message: recalled }),
            Err(error) => self.emit(Event::MessageRecalled { code: error.code, message: original }),
        }
    }
}

/// The recall notification a recall signal from `operator_id` makes of the message it names, on a device that did
/// not recall it: without the original (see the module documentation).
pub(super) fn remote_recall_notification(command: &proto::RecallCommandContent, operator_id: &str) -> MessageContent {
    MessageContent::RecallNotification {
        admin: command.admin,
        deleted: false,
        recall_time: command.recall_time,
        recall_action_time: command.recall_action_time,
        original_message: None,
        operator_id: operator_id.to_owned(),
    }
}
