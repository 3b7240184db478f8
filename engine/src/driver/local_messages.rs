//! The stored-message methods that need no server (XAPI-2 to XAPI-5): each returns at once, and its result follows as
//! an event.

use super::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, MessageType, ReceivedStatus, SentStatus};

impl Engine {
    /// `getFirstUnreadMessage(type, targetId, channelId)` (XAPI-2) → `Event::FirstUnreadMessageLoaded`: see
    /// `Core::load_first_unread_message`.
    pub async fn get_first_unread_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.load_first_unread_message(conversation_type, &target_id, channel_id.as_deref()))
            .await
    }

    /// `getUnreadMentionedMessages(type, targetId, channelId)` (XAPI-3) → `Event::UnreadMentionedMessagesLoaded`: see
    /// `Core::load_unread_mentioned_messages`.
    pub async fn get_unread_mentioned_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, _| {
            core.load_unread_mentioned_messages(conversation_type, &target_id, channel_id.as_deref())
        })
        .await
    }

    /// `searchConversations(conversationTypes, channelId, messageTypes, keyword)` (XAPI-4) →
    /// `Event::ConversationsSearched`: see `Core::search_conversations`.
    pub async fn search_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        message_types: &[MessageType],
        keyword: &str,
    ) -> Result<(), ImError> {
        let (conversation_types, message_types) = (conversation_types.to_vec(), message_types.to_vec());
        let (channel_id, keyword) = (channel_id.map(str::to_owned), keyword.to_owned());
        self.run(move |core, _| {
            core.search_conversations(&conversation_types, channel_id.as_deref(), &message_types, &keyword)
        })
        .await
    }

    /// `changeMessageSentStatus(messageId, sentStatus)` (XAPI-5) → `Event::MessageSentStatusChanged`.
    pub async fn change_message_sent_status(&self, message_id: i64, sent_status: SentStatus) -> Result<(), ImError> {
        self.run(move |core, _| core.change_message_sent_status(message_id, sent_status)).await
    }

    /// `changeMessageReceiveStatus(messageId, receivedStatus)` (XAPI-5) → `Event::MessageReceiveStatusChanged`.
    pub async fn change_message_receive_status(
        &self,
        message_id: i64,
        received_status: ReceivedStatus,
    ) -> Result<(), ImError> {
        self.run(move |core, _| core.change_message_receive_status(message_id, received_status)).await
    }
}
