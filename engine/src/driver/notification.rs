//! The do-not-disturb API (DND): each call returns at once and its result arrives as an event.

use super::Engine;
use super::conversations::owned;
use crate::error::ImError;
use crate::types::{ConversationType, PushNotificationLevel};

impl Engine {
    /// `changeConversationTypeNotificationLevel(type, level)` (DND-17) →
    /// `Event::ConversationTypeNotificationLevelChanged`. -101 for a chatroom, -103 while not connected.
    pub async fn change_conversation_type_notification_level(
        &self,
        conversation_type: ConversationType,
        level: PushNotificationLevel,
    ) -> Result<(), ImError> {
        self.run(move |core, now| core.change_conversation_type_notification_level(now, conversation_type, level)).await
    }

    /// `getConversationTypeNotificationLevel(type)` (DND-18, XAPI-6) →
    /// `Event::ConversationTypeNotificationLevelLoaded`. -101 for a chatroom, -103 while not connected.
    pub async fn get_conversation_type_notification_level(
        &self,
        conversation_type: ConversationType,
    ) -> Result<(), ImError> {
        self.run(move |core, now| core.get_conversation_type_notification_level(now, conversation_type)).await
    }

    /// `changeConversationNotificationLevel(type, targetId, channelId, level)` (DND-19) →
    /// `Event::ConversationNotificationLevelChanged`, once the server answers.
    pub async fn change_conversation_notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        level: PushNotificationLevel,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, now| {
            core.change_conversation_notification_level(
                now,
                conversation_type,
                &target_id,
                channel_id.as_deref(),
                level,
            )
        })
        .await
    }

    /// `getConversationNotificationLevel(type, targetId, channelId)` (DND-22) →
    /// `Event::ConversationNotificationLevelLoaded`.
    pub async fn get_conversation_notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = owned(target_id, channel_id);
        self.run(move |core, _| {
            core.get_conversation_notification_level(conversation_type, &target_id, channel_id.as_deref())
        })
        .await
    }

    /// `getBlockedConversations(conversationTypes, channelId)` (DND-23) → `Event::BlockedConversationsLoaded`.
    pub async fn get_blocked_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (conversation_types, channel_id) = (conversation_types.to_vec(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.get_blocked_conversations(&conversation_types, channel_id.as_deref())).await
    }
}
