//! The outbox: putting messages on the wire, and finishing the sends a crash interrupted.
//!
//! Every publish carries a client message ID built from the database's own random ID and the message's local
//! `messageId`: `<database id>-<message id>`. The server answers a publish it has already accepted with the
//! original acknowledgement, so the same ID can be sent again without creating a second message: after a reconnect
//! (a publish in flight, re-sent byte for byte, the same call still waiting for its result) and after a crash (a
//! message the database still holds as `sending`, asked after under the same ID when the engine next connects, if
//! it is recent enough: the server acknowledges it only if it had accepted it, and never delivers it anew, since
//! there is no automatic resend, SEND-14). A message that is not
//! stored has no `messageId`; its ID ends in a random number instead, and it is never resumed.

use rand::RngCore as _;

use super::{Core, Now, PendingPublish, TransportAction};
use crate::codec::encode_frame;
use crate::content::{encode_content, persistence_flags, without_local_paths};
use crate::error::{ErrorCode, ImError};
use crate::limits::{PUBLISH_ACK_TIMEOUT_MS, TARGET_ID_CHARS_MAX};
use crate::proto::{self, frame::Body};
use crate::types::{ConversationType, Message, SentStatus};

impl Core {
    /// `sendGroupMessageToDesignatedUsers(message, userIds)` (GRP): a group message that only the listed members
    /// receive. Otherwise as `send_message`.
    pub fn send_group_message_to_designated_users(
        &mut self,
        now: Now,
        message: &Message,
        user_ids: &[String],
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if message.conversation_type != ConversationType::Group {
            return Err(ImError::param("designated users apply to group messages only"));
        }
        if user_ids.is_empty() {
            return Err(ImError::param("name at least one designated user"));
        }
        if let Some(bad) = user_ids.iter().find(|id| id.is_empty() || id.chars().count() > TARGET_ID_CHARS_MAX) {
            return Err(ImError::param(format!("user id {bad:?} must have 1 to {TARGET_ID_CHARS_MAX} characters")));
        }
        self.send_to(now, message, user_ids.to_vec())
    }

    /// The client message ID of the message with local ID `message_id` (0 for one that is not stored).
    fn client_message_id(&mut self, message_id: i64) -> String {
        if message_id == 0 {
            format!("{:016x}-t{:016x}", self.database_id, self.rng.next_u64())
        } else {
            format!("{:016x}-{message_id:x}", self.database_id)
        }
    }

    /// Publishes `message` (already attached) and waits for its acknowledgement.
    pub(super) fn publish(&mut self, now: Now, message: Message, directed: Vec<String>, status: bool) {
        self.put_on_wire(now, message, directed, status, false);
    }

    /// Publishes `message`, or with `only_if_accepted` asks the server for the acknowledgement of an earlier
    /// process's publish of it, which the server gives only if it had accepted that publish (SEND-14).
    fn put_on_wire(&mut self, now: Now, message: Message, directed: Vec<String>, status: bool, only_if_accepted: bool) {
        let client_message_id = self.client_message_id(message.message_id);
        let (not_stored, not_counted) = persistence_flags(&message.content);
        let publish = proto::Publish {
            client_message_id: client_message_id.clone(),
            conversation_type: message.conversation_type.ordinal(),
            target_id: message.target_id.clone(),
            channel_id: message.channel_id.clone().unwrap_or_default(),
            content: Some(encode_content(&without_local_paths(&message.content))),
            extra: message.extra.clone().unwrap_or_default(),
            directed_user_ids: directed,
            status_message: status,
            mentioned_info: message.mentioned_info.as_ref().map(super::messages::mentioned_info_to_wire),
            only_if_accepted,
            user_info: message.user_info.as_ref().map(super::messages::user_info_to_wire),
            expansion: message
                .expansion
                .as_ref()
                .map(|entries| proto::Expansion { entries: entries.clone().into_iter().collect() }),
            not_stored,
            not_counted,
        };
        let designated = !publish.directed_user_ids.is_empty();
        let mut frame_bytes = Vec::new();
        if encode_frame(&proto::Frame { body: Some(Body::Publish(publish)) }, &mut frame_bytes).is_err() {
            // Content the server would refuse with 30016 (SEND-19) and too large for a frame: refuse it locally
            // rather than send a frame the server must treat as a protocol error.
            self.settle_send(message, ErrorCode::MSG_SIZE_OUT_OF_LIMIT, None, designated);
            return;
        }
        self.transport_actions.push_back(TransportAction::Send(frame_bytes.clone()));
        let deadline_ms = now.monotonic_ms + PUBLISH_ACK_TIMEOUT_MS;
        self.last_publish_sequence += 1;
        let sequence = self.last_publish_sequence;
        self.pending_publishes.insert(
            client_message_id,
            deadline_ms,
            PendingPublish { message, frame_bytes, sequence, call: self.call_context, designated },
        );
    }

    /// Finishes the sends an earlier process left `sending`, without sending any of them again (SEND-14: there is no
    /// automatic resend). Those sent within the acknowledgement timeout are asked after under their client message
    /// ID (`only_if_accepted`): the server answers with the original acknowledgement if it had accepted the publish
    /// before the crash, and refuses it with 30003 otherwise, so the message ends sent or failed as the server saw
    /// it. Older ones fail with 30003 at once. Called once the session is open.
    ///
    /// A directed group message is resumed to the same designated users, stored with it (GRP-16).
    pub(super) fn resume_interrupted_sends(&mut self, now: Now) {
        let Some(Ok(interrupted)) = self.store().map(|store| store.messages_with_sent_status(SentStatus::Sending))
        else {
            return;
        };
        for message in interrupted {
            let client_message_id = format!("{:016x}-{:x}", self.database_id, message.message_id);
            if self.pending_publishes.contains_key(&client_message_id) {
                continue; // Sent by this process and still in flight: it is re-sent with the others.
            }
            // A store that cannot say whom the message was for must not widen it to the whole group.
            let directed = self.store().map(|store| store.directed_user_ids(message.message_id));
            let Some(Ok(directed)) = directed else {
                self.settle_send(message, ErrorCode::NATIVE_OPERATION_ERROR, None, false);
                continue;
            };
            let age_ms = now.unix_ms.saturating_sub(message.sent_time);
            let upload_unfinished = message.content.media().is_some_and(|media| media.remote.is_none());
            if upload_unfinished {
                // The crash stopped its upload: there is no automatic resend (SEND-14), so it fails.
                self.settle_send(message, ErrorCode::FILE_UPLOAD_FAILED, None, false);
            } else if age_ms > PUBLISH_ACK_TIMEOUT_MS as i64 {
                self.settle_send(message, ErrorCode::MSG_RESPONSE_TIMEOUT, None, !directed.is_empty());
            } else {
                let status = message.content.policy().status;
                crate::mark!("SEND-14");
                self.put_on_wire(now, message, directed, status, true);
            }
        }
    }
}
