//! Do not disturb (DND): requests to the server, answered through a listener.

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
