//! Read receipts: private (RCPT) and group (GRCPT).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::Message;

api_method! {
    /// `sendPrivateReadReceiptMessage(targetId, channelId, timestamp)` (RCPT-2) → `onPrivateReadReceiptMessageSent`.
    SendPrivateReadReceiptMessage {
        /// The peer of the private conversation read (RCPT-8: always private).
        target_id: String,
        /// Ignored: a private conversation has no channel (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The send time of the last message read.
        timestamp: i64,
    } => Completion::listener("onPrivateReadReceiptMessageSent", &[]),
    |call, engine| engine.send_private_read_receipt_message(&call.target_id, call.channel_id.as_deref(), call.timestamp)
}

api_method! {
    /// `sendGroupReadReceiptRequest(message)` (GRCPT-2) → `onGroupReadReceiptRequestSent`.
    SendGroupReadReceiptRequest {
        /// The caller's own group message, sent (GRCPT-7).
        message: Message,
    } => Completion::listener("onGroupReadReceiptRequestSent", &[]),
    |call, engine| engine.send_group_read_receipt_request(call.message)
}

api_method! {
    /// `sendGroupReadReceiptResponse(targetId, channelId, messages)` (GRCPT-4) → `onGroupReadReceiptResponseSent`.
    SendGroupReadReceiptResponse {
        /// The group.
        target_id: String,
        /// Ignored outside ultra groups (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The messages of the group read.
        messages: Vec<Message>,
    } => Completion::listener("onGroupReadReceiptResponseSent", &[]),
    |call, engine| engine.send_group_read_receipt_response(&call.target_id, call.channel_id.as_deref(), call.messages)
}
