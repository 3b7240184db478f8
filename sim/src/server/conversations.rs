//! Pinned conversations on the server (TOP-1, TOP-5, TOP-8, TOP-9): every pinned state a user has set, kept
//! whatever the multi-device sync switch says (TOP-8), sent at once to the user's other online devices and, on
//! connect, to the device that connects.
//!
//! A state once set is remembered, `false` included, so a device that was offline while another unpinned a
//! conversation learns of it when it connects. Setting the value already held changes nothing and tells no one
//! (TOP-9).

use std::collections::BTreeMap;

use imsim_engine::error::ErrorCode;
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::types::ConversationType;

use super::{ConnId, Server};

/// Each user's pinned states, by (user ID, conversation type ordinal, target ID, channel ID): an ultra group's channels
/// are conversations of their own (CTYPE-5); `""` is no channel, and every other type's.
#[derive(Debug, Default)]
pub(super) struct PinnedStates {
    states: BTreeMap<(String, u32, String, String), bool>,
}

impl PinnedStates {
    /// Forgets every state `user_id` has set (USER-6).
    pub(super) fn forget_user(&mut self, user_id: &str) {
        self.states.retain(|(owner, ..), _| owner != user_id);
    }

    /// Every state `user_id` has set, by type then target.
    fn of_user(&self, user_id: &str) -> Vec<proto::ConversationTop> {
        let from = (user_id.to_owned(), 0, String::new(), String::new());
        self.states
            .range(from..)
            .take_while(|((owner, ..), _)| owner == user_id)
            .map(|((_, conversation_type, target_id, channel_id), &top)| proto::ConversationTop {
                conversation_type: *conversation_type,
                target_id: target_id.clone(),
                channel_id: channel_id.clone(),
                top,
            })
            .collect()
    }
}

/// The types a conversation can be pinned in: every type with a conversation list entry (CTYPE-9: not chatrooms).
fn pinnable(ordinal: u32) -> bool {
    matches!(
        ConversationType::from_ordinal(ordinal),
        Some(
            ConversationType::Private
                | ConversationType::Group
                | ConversationType::System
                | ConversationType::UltraGroup
        )
    )
}

impl Server {
    /// `changeConversationTopStatus` (TOP-2): records `user_id`'s state and, if it changed, sends it to the user's
    /// other online devices (TOP-5, TOP-9). A type without a conversation list is a malformed request.
    pub(super) fn set_conversation_top(
        &mut self,
        conn: ConnId,
        app_key: &str,
        user_id: &str,
        mut set: proto::ConversationTop,
    ) -> Result<(), ErrorCode> {
        if !pinnable(set.conversation_type) || set.target_id.is_empty() {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        let app = self.apps.get_mut(app_key).expect("invariant: a session's app exists");
        if set.conversation_type != ConversationType::UltraGroup.ordinal() {
            // CALL-11: only an ultra group has channels.
            set.channel_id.clear();
        }
        let key = (user_id.to_owned(), set.conversation_type, set.target_id.clone(), set.channel_id.clone());
        let held = app.pinned.states.get(&key).copied().unwrap_or(false);
        app.pinned.states.insert(key, set.top);
        if held == set.top {
            imsim_engine::mark!("TOP-9");
            return Ok(());
        }
        imsim_engine::mark!("TOP-1");
        imsim_engine::mark!("TOP-8");
        let states = proto::ConversationStates { tops: vec![set], ..Default::default() };
        self.send_states_to_other_devices(conn, app_key, user_id, &states);
        Ok(())
    }

    /// Sends `states`, just changed by the device on `conn`, to its user's other online devices (TOP-5).
    pub(super) fn send_states_to_other_devices(
        &mut self,
        conn: ConnId,
        app_key: &str,
        user_id: &str,
        states: &proto::ConversationStates,
    ) {
        let others: Vec<ConnId> = self
            .apps
            .get(app_key)
            .and_then(|app| app.online.get(user_id))
            .map(|conns| conns.iter().copied().filter(|&other| other != conn).collect())
            .unwrap_or_default();
        for other in others {
            self.send(other, Body::ConversationStates(states.clone()));
        }
    }

    /// TOP-9, TOP-11: right after a successful connect, the device gets every pinned state and do-not-disturb level
    /// its user has set, if any.
    pub(super) fn send_conversation_states(&mut self, conn: ConnId, app_key: &str, user_id: &str) {
        let Some(app) = self.apps.get(app_key) else { return };
        let tops = app.pinned.of_user(user_id);
        let (levels, type_levels) = app.notification_levels.of_user(user_id);
        if !(tops.is_empty() && levels.is_empty() && type_levels.is_empty()) {
            self.send(conn, Body::ConversationStates(proto::ConversationStates { tops, levels, type_levels }));
        }
    }
}
