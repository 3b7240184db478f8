//! The per-conversation-type do-not-disturb level (DND-17, DND-18, XAPI-6): a user-level setting the server keeps,
//! so every device of the user reads what any of them set. Both calls are requests (`requests.rs`): -103 while not
//! connected, one result event each.

use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::proto::{self, request, response};
use crate::types::{ConversationType, PushNotificationLevel};

/// A per-type level request in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NotificationRequest {
    /// `changeConversationTypeNotificationLevel`.
    SetTypeLevel { conversation_type: ConversationType, level: PushNotificationLevel },
    /// `getConversationTypeNotificationLevel`.
    GetTypeLevel { conversation_type: ConversationType },
}

impl NotificationRequest {
    /// The event that reports the request's outcome. A read that failed, or whose answer is missing or not a level,
    /// reports `none` (DND-7: not set) rather than inventing one.
    pub(super) fn settled(self, code: ErrorCode, body: Option<response::Body>) -> Event {
        match self {
            NotificationRequest::SetTypeLevel { conversation_type, level } => {
                crate::mark!("DND-17");
                Event::ConversationTypeNotificationLevelChanged { code, conversation_type, level }
            }
            NotificationRequest::GetTypeLevel { conversation_type } => {
                crate::mark!("DND-18");
                crate::mark!("XAPI-6");
                let level = match body {
                    Some(response::Body::ConversationTypeLevel(answer)) if code.is_success() => {
                        PushNotificationLevel::from_ordinal(answer.level).unwrap_or(PushNotificationLevel::None)
                    }
                    _ => PushNotificationLevel::None,
                };
                Event::ConversationTypeNotificationLevelLoaded { code, conversation_type, level }
            }
        }
    }
}

/// DND-13, DND-46: the types a per-type level applies to; a chatroom (never pushed) and `invalid` are -101.
fn check_type(conversation_type: ConversationType) -> Result<(), ImError> {
    match conversation_type {
        ConversationType::Private
        | ConversationType::Group
        | ConversationType::System
        | ConversationType::UltraGroup => Ok(()),
        ConversationType::Chatroom | ConversationType::Invalid => {
            crate::mark!("DND-13");
            crate::mark!("DND-46");
            Err(ImError::param(format!("{conversation_type} has no notification level (DND-13, DND-46)")))
        }
    }
}

impl Core {
    /// `changeConversationTypeNotificationLevel(type, level)` → `onConversationTypeNotificationLevelChanged`
    /// (DND-17).
    pub fn change_conversation_type_notification_level(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        level: PushNotificationLevel,
    ) -> Result<(), ImError> {
        self.check_server_call()?;
        check_type(conversation_type)?;
        let body = request::Body::ConversationTypeLevelSet(proto::ConversationTypeLevelSet {
            conversation_type: conversation_type.ordinal(),
            level: level.ordinal(),
        });
        let request = NotificationRequest::SetTypeLevel { conversation_type, level };
        self.send_request(now, body, RequestKind::Notification(request));
        Ok(())
    }

    /// `getConversationTypeNotificationLevel(type)` → `onConversationTypeNotificationLevelLoaded` (DND-18, XAPI-6).
    pub fn get_conversation_type_notification_level(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
    ) -> Result<(), ImError> {
        self.check_server_call()?;
        check_type(conversation_type)?;
        let body = request::Body::ConversationTypeLevel(proto::ConversationTypeLevelQuery {
            conversation_type: conversation_type.ordinal(),
        });
        self.send_request(
            now,
            body,
            RequestKind::Notification(NotificationRequest::GetTypeLevel { conversation_type }),
        );
        Ok(())
    }
}
