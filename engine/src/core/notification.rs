//! Do not disturb (DND): the per-conversation-type level (DND-17, DND-18, XAPI-6) and the per-conversation level
//! (DND-19, DND-22, DND-23), user-level settings the server keeps so that every device of the user holds what any of
//! them set.
//!
//! A change is a request (`requests.rs`): -103 while not connected, and the local copy changes only once the server
//! has said yes. The server tells the user's other devices at once and sends every level to a device that connects
//! (`ConversationStates`); a per-conversation level that differs from the local one is applied and reported through
//! `onConversationNotificationLevelSynced` (TOP-5, TOP-11), a per-type one is applied silently (the SDK has no
//! listener for it). The per-type read asks the server; the per-conversation read and `getBlockedConversations`
//! read the local copy, like the pinned state (TOP-3).
//!
//! The local copy also tells which conversations are do-not-disturb (UNREAD-8): the effective level is the
//! conversation's own unless that is `none`, then its type's (DND-39's order, without the App level, which no
//! client sets, and quiet hours, which depend on the hour of each push).

use std::collections::BTreeMap;

use super::conversations::check_types;
use super::messages::{native_error, validate_conversation};
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::proto::{self, request, response};
use crate::store::Store;
use crate::types::{ConversationType, PushNotificationLevel};

/// A do-not-disturb request in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NotificationRequest {
    /// `changeConversationTypeNotificationLevel`.
    ChangeType { conversation_type: ConversationType, level: PushNotificationLevel },
    /// `getConversationTypeNotificationLevel`.
    GetType { conversation_type: ConversationType },
    /// `changeConversationNotificationLevel`.
    ChangeConversation {
        conversation_type: ConversationType,
        target_id: String,
        channel_id: Option<String>,
        level: PushNotificationLevel,
    },
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

/// DND-12, DND-46: the conversations a per-conversation level applies to: private, group and ultra group. A
/// chatroom (never pushed) and a system conversation are -101.
fn check_conversation_type(conversation_type: ConversationType) -> Result<(), ImError> {
    match conversation_type {
        ConversationType::Private | ConversationType::Group | ConversationType::UltraGroup => Ok(()),
        _ => {
            crate::mark!("DND-12");
            crate::mark!("DND-46");
            Err(ImError::param(format!(
                "{conversation_type} conversations have no notification level (DND-12, DND-46)"
            )))
        }
    }
}

/// DND-37, UNREAD-8: whether a level mutes pushes: set, and not `allMessage`.
pub(crate) fn is_do_not_disturb(level: PushNotificationLevel) -> bool {
    !matches!(level, PushNotificationLevel::AllMessage | PushNotificationLevel::None)
}

/// UNREAD-8: the unread count of one type's do-not-disturb conversations, from the local copy of the levels: those
/// whose own level mutes, and, when the type's level mutes, those whose own level is `none`.
pub(super) fn do_not_disturb_unread(store: &dyn Store, conversation_type: ConversationType) -> Result<u32, ImError> {
    let type_level = store.notification_level(conversation_type, "").map_err(native_error)?;
    let own: BTreeMap<String, PushNotificationLevel> =
        store.conversation_notification_levels(conversation_type).map_err(native_error)?;
    let unread_of = |target_id: &str| store.unread_count_of_target(conversation_type, target_id).map_err(native_error);
    let mut count = 0u32;
    if is_do_not_disturb(type_level) {
        // Every conversation of the type, but those whose own level lets everything through.
        count = store.unread_count_of_type(conversation_type).map_err(native_error)?;
        for (target_id, _) in own.iter().filter(|(_, level)| **level == PushNotificationLevel::AllMessage) {
            count = count.saturating_sub(unread_of(target_id)?);
        }
    } else {
        for (target_id, _) in own.iter().filter(|(_, level)| is_do_not_disturb(**level)) {
            count = count.saturating_add(unread_of(target_id)?);
        }
    }
    Ok(count)
}

impl Core {
    /// The server's answer to a do-not-disturb request: on success a change is copied locally; either way the
    /// result is reported. A read that failed, or whose answer is missing or not a level, reports `none` (DND-7:
    /// not set) rather than inventing one.
    pub(super) fn notification_settled(
        &mut self,
        request: NotificationRequest,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        match request {
            NotificationRequest::ChangeType { conversation_type, level } => {
                crate::mark!("DND-17");
                let code = self.keep_level(code, conversation_type, "", level);
                self.emit(Event::ConversationTypeNotificationLevelChanged { code, conversation_type, level });
            }
            NotificationRequest::GetType { conversation_type } => {
                crate::mark!("DND-18");
                crate::mark!("XAPI-6");
                let level = match body {
                    Some(response::Body::ConversationTypeLevel(answer)) if code.is_success() => {
                        PushNotificationLevel::from_ordinal(answer.level).unwrap_or(PushNotificationLevel::None)
                    }
                    _ => PushNotificationLevel::None,
                };
                self.emit(Event::ConversationTypeNotificationLevelLoaded { code, conversation_type, level });
            }
            NotificationRequest::ChangeConversation { conversation_type, target_id, channel_id, level } => {
                crate::mark!("DND-19");
                let code = self.keep_level(code, conversation_type, &target_id, level);
                self.emit(Event::ConversationNotificationLevelChanged {
                    code,
                    conversation_type,
                    target_id,
                    channel_id,
                    level,
                });
            }
        }
    }

    /// After the server's `code` for a change: on success, copies the level locally (`target_id` empty: the type's).
    /// The code to report: the server's, or a native error when the store fails.
    fn keep_level(
        &mut self,
        code: ErrorCode,
        conversation_type: ConversationType,
        target_id: &str,
        level: PushNotificationLevel,
    ) -> ErrorCode {
        if !code.is_success() {
            return code;
        }
        match self.database_mut().map(|store| store.set_notification_level(conversation_type, target_id, level)) {
            Ok(Ok(_)) => code,
            _ => ErrorCode::NATIVE_OPERATION_ERROR,
        }
    }

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
        let request = NotificationRequest::ChangeType { conversation_type, level };
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
        self.send_request(now, body, RequestKind::Notification(NotificationRequest::GetType { conversation_type }));
        Ok(())
    }

    /// `changeConversationNotificationLevel(type, targetId, channelId, level)` →
    /// `onConversationNotificationLevelChanged` (DND-19): a request to the server, which keeps the level and tells
    /// the user's other devices; the local copy changes once it says yes. -103 while not connected, -101 for a
    /// chatroom or system conversation (DND-12, DND-46).
    pub fn change_conversation_notification_level(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        level: PushNotificationLevel,
    ) -> Result<(), ImError> {
        self.check_server_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        check_conversation_type(conversation_type)?;
        let body = request::Body::ConversationLevelSet(proto::ConversationLevel {
            conversation_type: conversation_type.ordinal(),
            target_id: target_id.to_owned(),
            level: level.ordinal(),
        });
        let request = NotificationRequest::ChangeConversation {
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            level,
        };
        self.send_request(now, body, RequestKind::Notification(request));
        Ok(())
    }

    /// `getConversationNotificationLevel(type, targetId, channelId)` → `onConversationNotificationLevelLoaded`
    /// (DND-22): the level the user set for that conversation, from the local copy; `none` when never set (DND-38).
    /// -101 for a chatroom or system conversation (DND-12, DND-46).
    pub fn get_conversation_notification_level(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        check_conversation_type(conversation_type)?;
        let level = self.database()?.notification_level(conversation_type, target_id).map_err(native_error)?;
        crate::mark!("DND-22");
        if level == PushNotificationLevel::None {
            crate::mark!("DND-38");
        }
        self.emit(Event::ConversationNotificationLevelLoaded {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            level,
        });
        Ok(())
    }

    /// `getBlockedConversations(conversationTypes, channelId)` → `onBlockedConversationsLoaded` (DND-23, DND-37):
    /// the listed conversations of those types whose own level mutes pushes (not `allMessage`, not `none`), newest
    /// operation time first. A chatroom in the list adds nothing; -101 for an empty or invalid list.
    pub fn get_blocked_conversations(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        check_types(conversation_types)?;
        let user_id = self.current_user_id().unwrap_or_default().to_owned();
        let store = self.database()?;
        let mut kinds = conversation_types.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        let mut conversations = Vec::new();
        for conversation_type in kinds.into_iter().filter(|kind| check_conversation_type(*kind).is_ok()) {
            let levels = store.conversation_notification_levels(conversation_type).map_err(native_error)?;
            for (target_id, _) in levels.into_iter().filter(|(_, level)| is_do_not_disturb(*level)) {
                let key = (conversation_type, target_id.as_str(), channel_id);
                let conversation = store.conversation(key, &user_id).map_err(native_error)?;
                conversations.extend(conversation);
            }
        }
        conversations.sort_by(|left, right| {
            (right.operation_time, left.conversation_type, &left.target_id).cmp(&(
                left.operation_time,
                right.conversation_type,
                &right.target_id,
            ))
        });
        crate::mark!("DND-23");
        crate::mark!("DND-37");
        self.emit(Event::BlockedConversationsLoaded {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
            conversations,
        });
        Ok(())
    }

    /// The levels of `ConversationStates` (TOP-5, TOP-11): each that differs from the local copy is applied; a
    /// per-conversation one is reported through `onConversationNotificationLevelSynced`. One the device cannot read
    /// (an unknown type or level) is skipped; one the store fails to write is not reported.
    pub(super) fn apply_notification_levels(
        &mut self,
        levels: Vec<proto::ConversationLevel>,
        type_levels: Vec<proto::ConversationTypeLevelSet>,
    ) {
        let Ok(store) = self.database_mut() else { return };
        for type_level in type_levels {
            let conversation_type = ConversationType::from_ordinal(type_level.conversation_type);
            let level = PushNotificationLevel::from_ordinal(type_level.level);
            if let (Some(conversation_type), Some(level)) = (conversation_type, level) {
                // A failed write leaves the old copy; nothing reports a per-type change.
                let _ = store.set_notification_level(conversation_type, "", level);
            }
        }
        for state in levels {
            let conversation_type = ConversationType::from_ordinal(state.conversation_type);
            let level = PushNotificationLevel::from_ordinal(state.level);
            let (Some(conversation_type), Some(level)) = (conversation_type, level) else { continue };
            if check_conversation_type(conversation_type).is_err() || state.target_id.is_empty() {
                continue;
            }
            let Ok(store) = self.database_mut() else { return };
            if matches!(store.set_notification_level(conversation_type, &state.target_id, level), Ok(true)) {
                crate::mark!("TOP-11");
                self.emit(Event::ConversationNotificationLevelSynced {
                    conversation_type,
                    target_id: state.target_id,
                    channel_id: None,
                    level,
                });
            }
        }
    }
}
