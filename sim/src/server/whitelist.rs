//! User whitelists (USER-11, USER-12), managed only by the App Server API: once a user switches theirs on, private
//! messages from anyone not on it are refused with `PublishAck` 407 (`NOT_IN_WHITELIST`, the real SDK's code) and
//! reach nobody, as the blacklist's 405 does (BLACK-10). It covers private messages from clients only, like the
//! blacklist (BLACK-1, BLACK-11): group, system and Server-API messages are not affected. The blacklist is checked
//! first, so a sender on both lists gets 405.
//!
//! The list and the switch are independent: a list kept while the switch is off does nothing, and switching on an
//! empty list refuses every sender.

use super::blacklist::UserList;
use super::tokens::{ApiError, app_mut, check_user_id};
use super::{App, Server};

/// One user's whitelist.
#[derive(Debug, Default)]
pub(super) struct Whitelist {
    /// Whether it applies.
    pub(super) enabled: bool,
    /// The users allowed to send, in the order they were added.
    pub(super) users: UserList,
}

/// Whether `recipient`'s whitelist refuses a private message from `sender`.
pub(super) fn refuses(app: &App, recipient: &str, sender: &str) -> bool {
    app.whitelists.get(recipient).is_some_and(|whitelist| whitelist.enabled && !whitelist.users.contains(sender))
}

impl Server {
    /// Switches `user_id`'s whitelist on or off (USER-11).
    pub fn whitelist_set(&mut self, app_key: &str, user_id: &str, enabled: bool) -> Result<(), ApiError> {
        check_user_id(user_id)?;
        app_mut(&mut self.apps, app_key)?.whitelists.entry(user_id.to_owned()).or_default().enabled = enabled;
        Ok(())
    }

    /// Whether `user_id`'s whitelist is on (USER-11).
    pub fn whitelist_enabled(&self, app_key: &str, user_id: &str) -> bool {
        let app = self.apps.get(app_key);
        app.and_then(|app| app.whitelists.get(user_id)).is_some_and(|whitelist| whitelist.enabled)
    }

    /// Puts `user_ids` on `user_id`'s whitelist (USER-11); those already on it stay where they are.
    pub fn whitelist_add(&mut self, app_key: &str, user_id: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        check_user_id(user_id)?;
        user_ids.iter().try_for_each(|id| check_user_id(id))?;
        let whitelist = app_mut(&mut self.apps, app_key)?.whitelists.entry(user_id.to_owned()).or_default();
        for id in user_ids {
            whitelist.users.insert(id);
        }
        Ok(())
    }

    /// Takes `user_ids` off `user_id`'s whitelist (USER-11); those not on it are ignored.
    pub fn whitelist_remove(&mut self, app_key: &str, user_id: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        check_user_id(user_id)?;
        user_ids.iter().try_for_each(|id| check_user_id(id))?;
        if let Some(whitelist) = app_mut(&mut self.apps, app_key)?.whitelists.get_mut(user_id) {
            for id in user_ids {
                whitelist.users.remove(id);
            }
        }
        Ok(())
    }

    /// The user IDs on `user_id`'s whitelist, in the order they were added (USER-11).
    pub fn whitelist_list(&self, app_key: &str, user_id: &str) -> Vec<String> {
        let app = self.apps.get(app_key);
        app.and_then(|app| app.whitelists.get(user_id))
            .map(|whitelist| whitelist.users.ids().to_vec())
            .unwrap_or_default()
    }
}
