//! Read receipts (RCPT, GRCPT) and read-status sync (RSYNC): the server's side of `sendPrivateReadReceiptMessage`,
//! `sendGroupReadReceiptRequest`, `sendGroupReadReceiptResponse` and `syncConversationReadStatus`.
//!
//! Each is a request answered with no body, and each reaches the others as a signal through the inboxes, so that an
//! offline device gets it at its next login (RCPT-7, GRCPT-8). None goes to the caller's other devices (RCPT-9).
//!
//! - A private receipt goes to the peer as `RC:ReadNtf`, from the reader.
//! - A request for group receipts is the sender's, for a group message the server delivered; it goes to every other
//!   participant of the message as `RC:RRReqMsg`. Asking again changes nothing and tells no one.
//! - A response records, for each message receipts were asked for, the responder's first answer with the server's
//!   time, and sends the sender every answer so far as `RC:RRRspMsg` (GRCPT-9). A message receipts were not asked
//!   for, the sender's own, one the responder took no part in, or one already answered is ignored (GRCPT-11); the
//!   response still succeeds.
//! - A read-status sync goes to the caller's other devices only, as `RC:SRSMsg`, with multi-device sync on (like any
//!   copy of what a user sends, SYNC-17): without it, those devices hold no copy of the conversation's messages. In
//!   an ultra group it names the channel read (UG-31), and a caller who is not a member gets 24406.

use imsim_engine::ErrorCode;
use imsim_engine::content::Signal;
use imsim_engine::limits::CHANNEL_ID_CHARS_MAX;
use imsim_engine::proto;
use imsim_engine::types::ConversationType;

use super::Server;
use super::fanout::{SenderCopy, SignalRoute};
use super::sent::View;
use super::tokens::check_user_id;

impl Server {
    pub(super) fn private_receipt(
        &mut self,
        app_key: &str,
        reader: &str,
        receipt: proto::PrivateReadReceipt,
        now_ms: i64,
    ) -> Result<(), ErrorCode> {
        if check_user_id(&receipt.target_id).is_err() || receipt.timestamp < 0 {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        imsim_engine::mark!("RCPT-7");
        imsim_engine::mark!("RCPT-9");
        let signal = Signal::PrivateReadReceipt(proto::PrivateReadReceiptContent { timestamp: receipt.timestamp });
        let recipients = vec![(receipt.target_id, reader.to_owned())];
        self.send_receipt(app_key, reader, ConversationType::Private, signal, recipients, now_ms);
        Ok(())
    }

    pub(super) fn read_status_sync(
        &mut self,
        app_key: &str,
        reader: &str,
        device_id: String,
        sync: proto::ReadStatusSync,
        now_ms: i64,
    ) -> Result<(), ErrorCode> {
        let conversation_type = ConversationType::from_ordinal(sync.conversation_type)
            .filter(|kind| !matches!(kind, ConversationType::Chatroom | ConversationType::Invalid));
        let (Some(conversation_type), Ok(())) = (conversation_type, check_user_id(&sync.target_id)) else {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        };
        if sync.timestamp < 0 || sync.channel_id.chars().count() > CHANNEL_ID_CHARS_MAX {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        imsim_engine::mark!("RSYNC-5");
        imsim_engine::mark!("RSYNC-7");
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        // UG-31: an ultra group's sync names a channel, and only a member may send it; elsewhere there is no channel.
        let channel_id = if conversation_type == ConversationType::UltraGroup {
            if !app.ultra_groups.is_member(&sync.target_id, reader) {
                return Err(ErrorCode::NOT_IN_ULTRA_GROUP);
            }
            imsim_engine::mark!("UG-31");
            sync.channel_id
        } else {
            String::new()
        };
        let stamp = app.stamp(now_ms);
        let sender_copy =
            SenderCopy { user_id: reader.to_owned(), device_id: Some(device_id), target_id: sync.target_id };
        let route = SignalRoute {
            from: reader.to_owned(),
            conversation_type: conversation_type.ordinal(),
            recipients: Vec::new(),
            sender_copy: Some(sender_copy),
        };
        let signal = Signal::ReadStatusSync(proto::ReadStatusSyncContent { timestamp: sync.timestamp, channel_id });
        self.send_signal(app_key, route, &signal, stamp, now_ms);
        Ok(())
    }

    pub(super) fn receipt_request(
        &mut self,
        app_key: &str,
        sender: &str,
        request: &proto::GroupReceiptRequest,
        now_ms: i64,
    ) -> Result<(), ErrorCode> {
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        let sent = app.sent.get_mut(&request.message_uid).ok_or(ErrorCode::PROTOCOL_MALFORMED_FRAME)?;
        if sent.conversation_type != ConversationType::Group.ordinal() || sent.sender_user_id != sender {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        if sent.receipts.is_some() {
            return Ok(());
        }
        sent.receipts = Some(Default::default());
        imsim_engine::mark!("GRCPT-8");
        let recipients: Vec<View> = sent.views.iter().filter(|(user_id, _)| user_id != sender).cloned().collect();
        let message_uid = request.message_uid.clone();
        let signal = Signal::GroupReceiptRequest(proto::GroupReceiptRequestContent { message_uid });
        self.send_receipt(app_key, sender, ConversationType::Group, signal, recipients, now_ms);
        Ok(())
    }

    pub(super) fn receipt_response(
        &mut self,
        app_key: &str,
        responder: &str,
        response: &proto::GroupReceiptResponse,
        now_ms: i64,
    ) -> Result<(), ErrorCode> {
        if check_user_id(&response.group_id).is_err() || response.message_uids.is_empty() {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        let mut answered = Vec::new();
        for message_uid in &response.message_uids {
            let Some(sent) = app.sent.get_mut(message_uid) else { continue };
            let of_the_group = sent.conversation_type == ConversationType::Group.ordinal()
                && sent.view_of(responder).is_some_and(|(_, group_id)| *group_id == response.group_id);
            let sender = sent.sender_user_id.clone();
            let Some(responses) = sent.receipts.as_mut().filter(|_| of_the_group && sender != responder) else {
                imsim_engine::mark!("GRCPT-11");
                continue;
            };
            if responses.contains_key(responder) {
                continue;
            }
            imsim_engine::mark!("GRCPT-9");
            responses.insert(responder.to_owned(), now_ms);
            let content = proto::GroupReceiptResponseContent {
                message_uid: message_uid.clone(),
                respond_user_ids: responses.clone().into_iter().collect(),
            };
            answered.push((sender, content));
        }
        for (sender, content) in answered {
            let recipients = vec![(sender, response.group_id.clone())];
            let signal = Signal::GroupReceiptResponse(content);
            self.send_receipt(app_key, responder, ConversationType::Group, signal, recipients, now_ms);
        }
        Ok(())
    }

    /// Sends `signal` from `from` to `recipients`, never to the caller's other devices (RCPT-9).
    fn send_receipt(
        &mut self,
        app_key: &str,
        from: &str,
        conversation_type: ConversationType,
        signal: Signal,
        recipients: Vec<View>,
        now_ms: i64,
    ) {
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        let stamp = app.stamp(now_ms);
        let route = SignalRoute {
            from: from.to_owned(),
            conversation_type: conversation_type.ordinal(),
            recipients,
            sender_copy: None,
        };
        self.send_signal(app_key, route, &signal, stamp, now_ms);
    }
}
