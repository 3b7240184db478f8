//! Read receipts (RCPT, GRCPT): each returns at once, and its result follows as an event once the server answered.

use super::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, Message};

impl Engine {
    /// `syncConversationReadStatus(type, targetId, channelId, timestamp)` (RSYNC-1) →
    /// `Event::ConversationReadStatusSynced`.
    pub async fn sync_conversation_read_status(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, now| {
            core.sync_conversation_read_status(now, conversation_type, &target_id, channel_id.as_deref(), timestamp)
        })
        .await
    }

    /// `syncUltraGroupReadStatus(targetId, channelId, timestamp)` (UG-31) → `Event::UltraGroupReadStatusSynced`.
    pub async fn sync_ultra_group_read_status(
        &self,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, now| core.sync_ultra_group_read_status(now, &target_id, channel_id.as_deref(), timestamp))
            .await
    }

    /// `sendPrivateReadReceiptMessage(targetId, channelId, timestamp)` (RCPT-2) →
    /// `Event::PrivateReadReceiptMessageSent`.
    pub async fn send_private_read_receipt_message(
        &self,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, now| {
            core.send_private_read_receipt_message(now, &target_id, channel_id.as_deref(), timestamp)
        })
        .await
    }

    /// `sendGroupReadReceiptRequest(message)` (GRCPT-2) → `Event::GroupReadReceiptRequestSent`.
    pub async fn send_group_read_receipt_request(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.send_group_read_receipt_request(now, &message)).await
    }

    /// `sendGroupReadReceiptResponse(targetId, channelId, messages)` (GRCPT-4) →
    /// `Event::GroupReadReceiptResponseSent`.
    pub async fn send_group_read_receipt_response(
        &self,
        target_id: &str,
        channel_id: Option<&str>,
        messages: Vec<Message>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, now| {
            core.send_group_read_receipt_response(now, &target_id, channel_id.as_deref(), messages)
        })
        .await
    }
}
