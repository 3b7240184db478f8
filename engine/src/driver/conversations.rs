//! The conversation list's methods (CONV, UNREAD, CREM, DRAFT, TOP) and typing status (TYPING): each returns at once, and its result follows
//! as an event (see `core::conversations`).

use super::Engine;
use crate::error::ImError;
use crate::types::ConversationType;

/// Owned copies of a call's strings, so that they can move into the driver.
pub(super) fn owned(target_id: &str, channel_id: Option<&str>) -> (String, Option<String>) {
    (target_id.to_owned(), channel_id.map(str::to_owned))
}

impl Engine {
    /// `getConversations(types, channelId, startTime, count)` (CONV-6) → `Event::ConversationsLoaded`.
    pub async fn get_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        let (types, channel_id) = (conversation_types.to_vec(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.get_conversations(&types, channel_id.as_deref(), start_time, count)).await
    }

    /// `getConversation(type, targetId, channelId)` (CONV-8) → `Event::ConversationLoaded`.
    pub async fn get_conversation(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.get_conversation(conversation_type, &target_id, channel_id.as_deref())).await
    }

    /// `getUnreadConversations(types)` (CONV-10) → `Event::UnreadConversationsLoaded`, through a per-call callback.
    pub async fn get_unread_conversations(&self, conversation_types: &[ConversationType]) -> Result<(), ImError> {
        let types = conversation_types.to_vec();
        self.run(move |core, _| core.get_unread_conversations(&types)).await
    }

    /// `clearUnreadCount(type, targetId, channelId, timestamp)` (UNREAD-4) → `Event::UnreadCountCleared`.
    pub async fn clear_unread_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| {
            core.clear_unread_count(conversation_type, &target_id, channel_id.as_deref(), timestamp)
        })
        .await
    }

    /// `getUnreadMentionedCount(type, targetId, channelId)` (UNREAD-5) → `Event::UnreadMentionedCountLoaded`.
    pub async fn get_unread_mentioned_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.get_unread_mentioned_count(conversation_type, &target_id, channel_id.as_deref()))
            .await
    }

    /// `removeConversation(type, targetId, channelId)` (CREM-1) → `Event::ConversationRemoved`.
    pub async fn remove_conversation(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.remove_conversation(conversation_type, &target_id, channel_id.as_deref())).await
    }

    /// `removeConversations(types, channelId)` (CREM-2) → `Event::ConversationsRemoved`.
    pub async fn remove_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (types, channel_id) = (conversation_types.to_vec(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.remove_conversations(&types, channel_id.as_deref())).await
    }

    /// `saveDraftMessage(type, targetId, channelId, draft)` (DRAFT-1) → `Event::DraftMessageSaved`.
    pub async fn save_draft_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        draft: &str,
    ) -> Result<(), ImError> {
        let ((target_id, channel_id), draft) = (owned(target_id, channel_id), draft.to_owned());
        self.run(move |core, now| {
            core.save_draft_message(now, conversation_type, &target_id, channel_id.as_deref(), &draft)
        })
        .await
    }

    /// `getDraftMessage(type, targetId, channelId)` (DRAFT-2) → `Event::DraftMessageLoaded`.
    pub async fn get_draft_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.get_draft_message(conversation_type, &target_id, channel_id.as_deref())).await
    }

    /// `clearDraftMessage(type, targetId, channelId)` (DRAFT-3) → `Event::DraftMessageCleared`.
    pub async fn clear_draft_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.clear_draft_message(conversation_type, &target_id, channel_id.as_deref())).await
    }

    /// `changeConversationTopStatus(type, targetId, channelId, top)` (TOP-2) →
    /// `Event::ConversationTopStatusChanged`, once the server answers.
    pub async fn change_conversation_top_status(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        top: bool,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, now| {
            core.change_conversation_top_status(now, conversation_type, &target_id, channel_id.as_deref(), top)
        })
        .await
    }

    /// `getConversationTopStatus(type, targetId, channelId)` (TOP-3) → `Event::ConversationTopStatusLoaded`.
    pub async fn get_conversation_top_status(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| core.get_conversation_top_status(conversation_type, &target_id, channel_id.as_deref()))
            .await
    }

    /// `getConversationsForAllChannel(type, targetId)` (UG-12) → `Event::ConversationsLoadedForAllChannel`.
    pub async fn get_conversations_for_all_channel(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, _| core.get_conversations_for_all_channel(conversation_type, &target_id)).await
    }

    /// `getTopConversations(types, channelId)` (TOP-4) → `Event::TopConversationsLoaded`.
    pub async fn get_top_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (types, channel_id) = (conversation_types.to_vec(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.get_top_conversations(&types, channel_id.as_deref())).await
    }

    /// `sendTypingStatus(type, targetId, channelId, currentType)` (TYPING-1): the status code is all there is.
    pub async fn send_typing_status(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        current_type: &str,
    ) -> Result<(), ImError> {
        let ((target_id, channel_id), current_type) = (owned(target_id, channel_id), current_type.to_owned());
        self.run(move |core, now| {
            core.send_typing_status(now, conversation_type, &target_id, channel_id.as_deref(), &current_type)
        })
        .await
    }
}
