//! The do-not-disturb API (DND): each call returns at once and its result arrives as an event.

use super::Engine;
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
}
