//! Read receipts: private (RCPT) and group (GRCPT), and read-status sync (RSYNC).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, Message};

api_method! {
    /// `syncConversationReadStatus(type, targetId, channelId, timestamp)` (RSYNC-1) → `onConversationReadStatusSynced`.
    SyncConversationReadStatus {
        /// The conversation's type: not a chatroom (RSYNC-8).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The send time of the last message read.
        timestamp: i64,
    } => Completion::listener("onConversationReadStatusSynced", &[]),
    |call, engine| engine.sync_conversation_read_status(call.conversation_type, &call.target_id, call.channel_id.as_deref(), call.timestamp)
}

api_method! {
    /// `syncUltraGroupReadStatus(targetId, channelId, timestamp)` (UG-31, UG-32, RSYNC-4) →
    /// `onUltraGroupReadStatusSynced`.
    SyncUltraGroupReadStatus {
        /// The ultra group.
        target_id: String,
        /// The channel read; `null` for the messages in no channel (UG-31).
        #[serde(default)]
        channel_id: Option<String>,
        /// Unused: any number (UG-32).
        timestamp: i64,
    } => Completion::listener("onUltraGroupReadStatusSynced", &[]),
    |call, engine| engine.sync_ultra_group_read_status(&call.target_id, call.channel_id.as_deref(), call.timestamp)
}

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
