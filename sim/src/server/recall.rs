//! Recall (RECALL, SYNC-15, DEL-7, CFG-5): the server's side of `recallMessage`.
//!
//! Every private and group message the fan-out delivers is remembered by UID with who took part in its conversation
//! and how each of them sees it (the `sent` module). A recall by a participant (RECALL-2; under `recallOwnOnly` only by
//! the sender, CFG-5) then, in this order:
//!
//! 1. replaces the message with its recall notification wherever it still waits: every participant's inbox entries
//!    (a device that has not read it gets the notification instead, RECALL-11) and cloud histories (RECALL-5);
//! 2. sends the recall signal (RC:RcCmd) into the conversation from the caller, through the inboxes like any
//!    message: every other participant's devices get it, online now or at their next login (RECALL-11), and so do
//!    the caller's other devices when multi-device sync is on (SYNC-15). It is marked neither stored nor counted, so
//!    no history keeps it;
//! 3. answers the caller with the recall's time, which is also the signal's sent time.
//!
//! There is no time limit (RECALL-12). A UID that names no private or group message of the conversation the caller
//! names, a caller who took no part in it, and a message already recalled are all refused with 25101.

use imsim_engine::content::{Signal, encode_content};
use imsim_engine::proto::{self, frame::Body, response};
use imsim_engine::{ErrorCode, MessageContent};

use super::fanout::SignalRoute;
use super::{Conn, ConnId, Server};

/// `message` as it reads once recalled: its recall notification `content`, with no mention, expansion or extra,
/// stored and not counted (MTYPE-3); its UID, sent time, sender and conversation unchanged (RECALL-8).
pub(super) fn as_recalled(
    message: &proto::DeliveredMessage,
    content: &proto::MessageContent,
) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        content: Some(content.clone()),
        mentioned_info: None,
        expansion: None,
        extra: String::new(),
        not_stored: false,
        not_counted: false,
        ..message.clone()
    }
}

impl Server {
    /// Carries out `recall` for the session on `conn` and answers it. See the module documentation.
    pub(super) fn handle_recall(&mut self, conn: ConnId, request_id: u64, recall: &proto::Recall, now_ms: i64) {
        let result = self.recall(conn, recall, now_ms);
        let (code, body) = match result {
            Ok(recall_action_time) => {
                (ErrorCode::SUCCESS, Some(response::Body::Recalled(proto::Recalled { recall_action_time })))
            }
            Err(code) => (code, None),
        };
        self.send(conn, Body::Response(proto::Response { request_id, code: code.to_wire(), body }));
    }

    fn recall(&mut self, conn: ConnId, recall: &proto::Recall, now_ms: i64) -> Result<i64, ErrorCode> {
        let Some(Conn::Open(session)) = self.conns.get(&conn) else { return Err(ErrorCode::PROTOCOL_UNEXPECTED_FRAME) };
        let (app_key, caller, device_id) =
            (session.app_key.clone(), session.user_id.clone(), session.device_id.clone());
        let app = self.apps.get_mut(&app_key).expect("invariant: a session's app exists");
        let sent = app.sent.get_mut(&recall.message_uid).ok_or(ErrorCode::RECALL_PARAMETER_INVALID)?;
        let caller_view = sent.view_of(&caller);
        let names_its_conversation = sent.conversation_type == recall.conversation_type
            && caller_view.is_some_and(|(_, target_id)| *target_id == recall.target_id);
        if !names_its_conversation || sent.recalled {
            return Err(ErrorCode::RECALL_PARAMETER_INVALID);
        }
        if app.config.recall_own_only && sent.sender_user_id != caller {
            imsim_engine::mark!("CFG-5");
            return Err(ErrorCode::RECALL_MESSAGE_USER_INVALID);
        }
        imsim_engine::mark!("RECALL-2");
        sent.recalled = true;
        let (conversation_type, recall_time) = (sent.conversation_type, sent.sent_time);
        let views = sent.views.clone();
        let (signal_uid, recall_action_time) = app.stamp(now_ms);
        let notification = encode_content(&MessageContent::RecallNotification {
            admin: false,
            deleted: false,
            recall_time,
            recall_action_time,
            original_message: None,
            operator_id: caller.clone(),
        });
        for (user_id, target_id) in &views {
            if let Some(inbox) = app.inboxes.get_mut(user_id) {
                inbox.recall(&recall.message_uid, &notification);
            }
            let conversation = (conversation_type, target_id.as_str());
            app.histories.change(user_id, conversation, (recall_time, &recall.message_uid), |kept| {
                *kept = as_recalled(kept, &notification);
            });
        }
        let command = proto::RecallCommandContent {
            message_uid: recall.message_uid.clone(),
            recall_time,
            recall_action_time,
            admin: false,
        };
        let route = SignalRoute::to_participants(conversation_type, views, &caller, device_id);
        self.send_signal(&app_key, route, &Signal::Recall(command), (signal_uid, recall_action_time), now_ms);
        Ok(recall_action_time)
    }
}
