//! Users as the App Server API sees them (USER): the profile the push service uses (USER-7), online status
//! (USER-10), and deactivation (USER-6).
//!
//! Deactivating a user deletes what the server holds for the ID: the registration and with it every token (a connect
//! answers 31004, as for a user never registered), the open sessions (closed with `SessionClosed` 31004), the
//! inbox, the cloud history, the pinned states, the user's own blacklist and whitelist, and every group membership.
//! What other users hold (messages from the user, the user on someone else's blacklist) stays. A deactivated ID
//! cannot register until it is reactivated; reactivation restores nothing, and tokens issued before it stay void.

use imsim_engine::ErrorCode;

use super::tokens::{self, ApiError, UserRecord, app_mut, check_user_id};
use super::{ConnId, GroupChange, Server};

/// A registered user's profile for the push service (USER-7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    /// The push name.
    pub name: String,
    /// The push avatar URL.
    pub portrait_uri: String,
    /// When the user was registered, Unix ms.
    pub registered_at_ms: i64,
}

impl Server {
    /// Changes a registered user's push name and avatar (USER-7); a `None` keeps the current value.
    pub fn refresh_user(
        &mut self,
        app_key: &str,
        user_id: &str,
        name: Option<&str>,
        portrait_uri: Option<&str>,
    ) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        let user = app.users.get_mut(user_id).ok_or_else(|| ApiError::UnknownUser { user_id: user_id.to_owned() })?;
        imsim_engine::mark!("USER-7");
        if let Some(name) = name {
            name.clone_into(&mut user.name);
        }
        if let Some(portrait_uri) = portrait_uri {
            portrait_uri.clone_into(&mut user.portrait_uri);
        }
        Ok(())
    }

    /// A registered user's profile (USER-7).
    pub fn user_profile(&self, app_key: &str, user_id: &str) -> Result<UserProfile, ApiError> {
        let app = tokens::app(&self.apps, app_key)?;
        let user = app.users.get(user_id).ok_or_else(|| ApiError::UnknownUser { user_id: user_id.to_owned() })?;
        Ok(UserProfile {
            name: user.name.clone(),
            portrait_uri: user.portrait_uri.clone(),
            registered_at_ms: user.registered_at_ms,
        })
    }

    /// Whether any device of the user has an open session (USER-10).
    pub fn is_online(&self, app_key: &str, user_id: &str) -> bool {
        imsim_engine::mark!("USER-10");
        !self.user_sessions(app_key, user_id).is_empty()
    }

    /// Deactivates users (USER-6): see the module documentation. Deactivating an ID twice, or one never registered,
    /// is allowed. The group memberships it ends, for the membership checker.
    pub fn deactivate_users(
        &mut self,
        app_key: &str,
        user_ids: &[&str],
        now_ms: i64,
    ) -> Result<Vec<GroupChange>, ApiError> {
        user_ids.iter().try_for_each(|id| check_user_id(id))?;
        let app = app_mut(&mut self.apps, app_key)?;
        imsim_engine::mark!("USER-6");
        let mut changes = Vec::new();
        let mut conns: Vec<ConnId> = Vec::new();
        for &user_id in user_ids {
            app.deactivated.insert(user_id.to_owned());
            app.users.remove(user_id);
            app.inboxes.remove(user_id);
            app.histories.forget_user(user_id);
            app.pinned.forget_user(user_id);
            app.notification_levels.forget_user(user_id);
            app.ultra_groups.forget_user(user_id);
            app.blacklists.remove(user_id);
            app.whitelists.remove(user_id);
            for (group_id, group) in &mut app.groups {
                if group.members.remove(user_id) {
                    changes.push(GroupChange::Removed { group: group_id.clone(), users: vec![user_id.to_owned()] });
                }
            }
            conns.extend(app.online.get(user_id).into_iter().flatten().copied());
        }
        for conn in conns {
            self.close_with_error(conn, ErrorCode::CONN_TOKEN_INCORRECT, "the user is deactivated", now_ms);
        }
        Ok(changes)
    }

    /// Reactivates deactivated users (USER-6): they may register again, with nothing restored. Every token issued
    /// before stays void. IDs not deactivated are ignored.
    pub fn reactivate_users(&mut self, app_key: &str, user_ids: &[&str], now_ms: i64) -> Result<(), ApiError> {
        user_ids.iter().try_for_each(|id| check_user_id(id))?;
        let app = app_mut(&mut self.apps, app_key)?;
        for &user_id in user_ids {
            if app.deactivated.remove(user_id) {
                let record =
                    UserRecord { revoked_through_ms: Some(now_ms), registered_at_ms: now_ms, ..UserRecord::default() };
                app.users.insert(user_id.to_owned(), record);
            }
        }
        Ok(())
    }

    /// The deactivated user IDs, sorted (USER-6).
    pub fn deactivated_users(&self, app_key: &str) -> Vec<String> {
        self.apps.get(app_key).map(|app| app.deactivated.iter().cloned().collect()).unwrap_or_default()
    }
}
