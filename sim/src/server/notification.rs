//! The user-level do-not-disturb settings the server keeps (DND): the per-conversation-type level (DND-17, DND-18)
//! and the per-conversation level (DND-19), which every device of the user holds. A level never set is `none`
//! (DND-7). A request naming a type the setting does not cover (DND-12, DND-13) or an unknown level is malformed.
//!
//! Like pinned states (`conversations.rs`), a level that changes goes at once to the user's other online devices as
//! `ConversationStates`, and a device that connects gets every level its user has set (TOP-5, TOP-11): the engine
//! keeps them so that it can tell a do-not-disturb conversation without asking (UNREAD-8).

use std::collections::BTreeMap;

use imsim_engine::error::ErrorCode;
use imsim_engine::proto;
use imsim_engine::types::{ConversationType, PushNotificationLevel};

use super::{App, ConnId, Server};

/// Each user's do-not-disturb levels, as `RCIMIWPushNotificationLevel` ordinals.
#[derive(Debug, Default)]
pub(super) struct NotificationLevels {
    /// The per-type levels, by (user ID, type ordinal) (DND-17).
    types: BTreeMap<(String, u32), u32>,
    /// The per-conversation levels, by (user ID, type ordinal, target ID) (DND-19).
    conversations: BTreeMap<(String, u32, String), u32>,
}

impl NotificationLevels {
    /// Forgets every level `user_id` has set (USER-6).
    pub(super) fn forget_user(&mut self, user_id: &str) {
        self.types.retain(|(owner, _), _| owner != user_id);
        self.conversations.retain(|(owner, ..), _| owner != user_id);
    }

    /// `user_id`'s level for the conversation, if set (DND-19).
    pub(super) fn conversation_level(
        &self,
        user_id: &str,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Option<u32> {
        let key = (user_id.to_owned(), conversation_type.ordinal(), target_id.to_owned());
        self.conversations.get(&key).copied()
    }

    /// `user_id`'s level for the conversation type, if set (DND-17).
    pub(super) fn type_level(&self, user_id: &str, conversation_type: ConversationType) -> Option<u32> {
        self.types.get(&(user_id.to_owned(), conversation_type.ordinal())).copied()
    }

    /// Every level `user_id` has set, as the states a device should hold.
    pub(super) fn of_user(
        &self,
        user_id: &str,
    ) -> (Vec<proto::ConversationLevel>, Vec<proto::ConversationTypeLevelSet>) {
        let levels = self
            .conversations
            .range((user_id.to_owned(), 0, String::new())..)
            .take_while(|((owner, ..), _)| owner == user_id)
            .map(|((_, conversation_type, target_id), &level)| proto::ConversationLevel {
                conversation_type: *conversation_type,
                target_id: target_id.clone(),
                level,
            })
            .collect();
        let type_levels = self
            .types
            .range((user_id.to_owned(), 0)..)
            .take_while(|((owner, _), _)| owner == user_id)
            .map(|((_, conversation_type), &level)| proto::ConversationTypeLevelSet {
                conversation_type: *conversation_type,
                level,
            })
            .collect();
        (levels, type_levels)
    }
}

/// The type ordinal of a per-type request, if the per-type level covers that type (DND-13).
fn covered_type(ordinal: u32) -> Result<u32, ErrorCode> {
    match ConversationType::from_ordinal(ordinal) {
        Some(
            ConversationType::Private
            | ConversationType::Group
            | ConversationType::System
            | ConversationType::UltraGroup,
        ) => {
            imsim_engine::mark!("DND-13");
            Ok(ordinal)
        }
        _ => Err(ErrorCode::PROTOCOL_MALFORMED_FRAME),
    }
}

/// A level ordinal the enum knows (DND-6), or a malformed request.
fn known_level(ordinal: u32) -> Result<u32, ErrorCode> {
    PushNotificationLevel::from_ordinal(ordinal).map(|_| ordinal).ok_or(ErrorCode::PROTOCOL_MALFORMED_FRAME)
}

/// `getConversationTypeNotificationLevel`: `user_id`'s level for the type, `none` when never set.
pub(super) fn type_level(
    app: &App,
    user_id: &str,
    query: &proto::ConversationTypeLevelQuery,
) -> Result<u32, ErrorCode> {
    let conversation_type = covered_type(query.conversation_type)?;
    let never_set = PushNotificationLevel::None.ordinal();
    match app.notification_levels.types.get(&(user_id.to_owned(), conversation_type)) {
        Some(&level) => Ok(level),
        None => {
            imsim_engine::mark!("DND-7");
            Ok(never_set)
        }
    }
}

impl Server {
    /// `changeConversationTypeNotificationLevel` (DND-17): stores `user_id`'s level for the type and, if it changed,
    /// sends it to the user's other online devices.
    pub(super) fn set_type_level(
        &mut self,
        conn: ConnId,
        app_key: &str,
        user_id: &str,
        set: proto::ConversationTypeLevelSet,
    ) -> Result<(), ErrorCode> {
        let conversation_type = covered_type(set.conversation_type)?;
        let level = known_level(set.level)?;
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        let held = app.notification_levels.types.insert((user_id.to_owned(), conversation_type), level);
        if held != Some(level) {
            let states = proto::ConversationStates { type_levels: vec![set], ..Default::default() };
            self.send_states_to_other_devices(conn, app_key, user_id, &states);
        }
        Ok(())
    }

    /// `changeConversationNotificationLevel` (DND-19): stores `user_id`'s level for one private, group or ultra group
    /// conversation (DND-12) and, if it changed, sends it to the user's other online devices (TOP-5, TOP-11).
    pub(super) fn set_conversation_level(
        &mut self,
        conn: ConnId,
        app_key: &str,
        user_id: &str,
        set: proto::ConversationLevel,
    ) -> Result<(), ErrorCode> {
        let covered = matches!(
            ConversationType::from_ordinal(set.conversation_type),
            Some(ConversationType::Private | ConversationType::Group | ConversationType::UltraGroup)
        );
        if !covered || set.target_id.is_empty() {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        let level = known_level(set.level)?;
        imsim_engine::mark!("DND-12");
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        let key = (user_id.to_owned(), set.conversation_type, set.target_id.clone());
        let held = app.notification_levels.conversations.insert(key, level);
        if held != Some(level) {
            let states = proto::ConversationStates { levels: vec![set], ..Default::default() };
            self.send_states_to_other_devices(conn, app_key, user_id, &states);
        }
        Ok(())
    }
}
