//! Do not disturb (DND): the per-type and per-conversation levels, answered through a listener.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, PushNotificationLevel};

/// `changeConversationTypeNotificationLevel(type, level)` (DND-17) → `onConversationTypeNotificationLevelChanged`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeConversationTypeNotificationLevel {
    /// The conversation type (the manual's `type`).
    pub conversation_type: ConversationType,
    /// The level for every conversation of that type.
    pub level: PushNotificationLevel,
}

impl ApiMethod for ChangeConversationTypeNotificationLevel {
    const COMPLETION: Completion = Completion::listener("onConversationTypeNotificationLevelChanged", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine
            .change_conversation_type_notification_level(self.conversation_type, self.level)
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `getConversationTypeNotificationLevel(type)` (DND-18, XAPI-6) → `onConversationTypeNotificationLevelLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConversationTypeNotificationLevel {
    /// The conversation type (the manual's `type`).
    pub conversation_type: ConversationType,
}

impl ApiMethod for GetConversationTypeNotificationLevel {
    const COMPLETION: Completion = Completion::listener("onConversationTypeNotificationLevelLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_conversation_type_notification_level(self.conversation_type).await.map(|()| Returned::Nothing)
    }
}

api_method! {
    /// `changeConversationNotificationLevel(type, targetId, channelId, level)` (DND-19) →
    /// `onConversationNotificationLevelChanged`.
    ChangeConversationNotificationLevel {
        /// The conversation's type: private, group or ultra group (DND-12).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The level for that conversation.
        level: PushNotificationLevel,
    } => Completion::listener("onConversationNotificationLevelChanged", &[]),
    |call, engine| engine.change_conversation_notification_level(call.conversation_type, &call.target_id, call.channel_id.as_deref(), call.level)
}

api_method! {
    /// `getConversationNotificationLevel(type, targetId, channelId)` (DND-22) →
    /// `onConversationNotificationLevelLoaded`.
    GetConversationNotificationLevel {
        /// The conversation's type: private, group or ultra group (DND-12).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onConversationNotificationLevelLoaded", &[]),
    |call, engine| engine.get_conversation_notification_level(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `getBlockedConversations(conversationTypes, channelId)` (DND-23) → `onBlockedConversationsLoaded`.
    GetBlockedConversations {
        /// The types to list; a chatroom adds nothing.
        conversation_types: Vec<ConversationType>,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onBlockedConversationsLoaded", &[]),
    |call, engine| engine.get_blocked_conversations(&call.conversation_types, call.channel_id.as_deref())
}
