//! Blacklists (BLACK), kept on the server (BLACK-9): a client manages its own with `Request` frames, and the App
//! Server API manages anyone's.
//!
//! A blacklist is one way (BLACK-1, BLACK-2): once A has B on it, B's private messages to A are refused with
//! `PublishAck` 405 and reach nobody, while A's messages to B go through. It covers private messages only (BLACK-11):
//! group and system messages are not affected. Private messages sent through the Server API ignore it unless the
//! call asks otherwise (BLACK-4, `server_api`).
//!
//! # Requests
//!
//! The codes of the blacklist requests (the `requests` module dispatches them):
//!
//! - 0: done. Adding a user already on the list and removing one who is not are successes too, and change nothing
//!   (BLACK-12). `BlacklistStatusQuery` answers a `BlacklistStatus`, `BlacklistQuery` a `Blacklist` in insertion
//!   order (BLACK-13).
//! - 90001 (`PROTOCOL_MALFORMED_FRAME`): a request with no body, a user ID that is empty or longer than
//!   `TARGET_ID_CHARS_MAX` characters, or adding oneself. BLACK-12 gives -101 for the last two, but a status code
//!   never travels on the wire (the engine refuses such calls locally with -101): only a broken client gets here.
//!   Removing oneself, or asking one's own status, is valid and finds nothing.
//! - [`BLACKLIST_FULL`] (90004): the list already holds `blacklist_cap` user IDs (BLACK-12, CFG-9, CFG-14) and the
//!   user to add is not on it. The list is unchanged.
//!
//! Any user ID of valid length may be listed, registered or not.

use std::collections::BTreeSet;

use super::tokens::{ApiError, app_mut, check_user_id};
use super::{App, Server};
use imsim_engine::ErrorCode;

/// Adding to a blacklist that already holds `blacklist_cap` user IDs (BLACK-12): the code lives in the engine's
/// table with every other code.
pub const BLACKLIST_FULL: ErrorCode = ErrorCode::BLACKLIST_FULL;

/// An ordered set of user IDs: one user's blacklist (BLACK-13: in the order they were added), or whitelist (USER-11).
#[derive(Debug, Default)]
pub(super) struct UserList {
    order: Vec<String>,
    listed: BTreeSet<String>,
}

impl UserList {
    pub(super) fn contains(&self, user_id: &str) -> bool {
        self.listed.contains(user_id)
    }

    /// Adds `user_id` last; `false` if it was there already.
    pub(super) fn insert(&mut self, user_id: &str) -> bool {
        let new = self.listed.insert(user_id.to_owned());
        if new {
            self.order.push(user_id.to_owned());
        }
        new
    }

    /// Removes `user_id`; `false` if it was not there.
    pub(super) fn remove(&mut self, user_id: &str) -> bool {
        let was = self.listed.remove(user_id);
        if was {
            self.order.retain(|listed| listed != user_id);
        }
        was
    }

    /// The user IDs, in the order they were added.
    pub(super) fn ids(&self) -> &[String] {
        &self.order
    }
}

/// Whether `owner` has `user_id` on their blacklist.
pub(super) fn is_blacklisted(app: &App, owner: &str, user_id: &str) -> bool {
    app.blacklists.get(owner).is_some_and(|list| list.contains(user_id))
}

/// Adds `user_id` to `owner`'s blacklist (idempotent), within the app's cap.
pub(super) fn add(app: &mut App, owner: &str, user_id: &str) -> Result<(), ApiError> {
    check_user_id(owner)?;
    check_user_id(user_id)?;
    if owner == user_id {
        return Err(ApiError::BlacklistSelf { user_id: owner.to_owned() });
    }
    let cap = app.config.blacklist_cap;
    let list = app.blacklists.entry(owner.to_owned()).or_default();
    if list.contains(user_id) {
        imsim_engine::mark!("BLACK-12");
        return Ok(());
    }
    if list.ids().len() >= cap as usize {
        imsim_engine::mark!("BLACK-3");
        imsim_engine::mark!("BLACK-12");
        return Err(ApiError::BlacklistFull { user_id: owner.to_owned(), cap });
    }
    list.insert(user_id);
    Ok(())
}

/// Removes `user_id` from `owner`'s blacklist, if there.
pub(super) fn remove(app: &mut App, owner: &str, user_id: &str) -> Result<(), ApiError> {
    check_user_id(owner)?;
    check_user_id(user_id)?;
    if let Some(list) = app.blacklists.get_mut(owner)
        && list.remove(user_id)
        && list.ids().is_empty()
    {
        app.blacklists.remove(owner);
    }
    Ok(())
}

pub(super) fn list(app: &App, owner: &str) -> Vec<String> {
    app.blacklists.get(owner).map(|list| list.ids().to_vec()).unwrap_or_default()
}

/// The `Response` code for a refused blacklist call.
pub(super) fn wire_code(error: &ApiError) -> ErrorCode {
    match error {
        ApiError::BlacklistFull { .. } => BLACKLIST_FULL,
        _ => ErrorCode::PROTOCOL_MALFORMED_FRAME,
    }
}

impl Server {
    /// The Server API's "add to blacklist" (BLACK-9, USER-13): `user_id` puts `blocked_user_id` on their blacklist.
    /// Idempotent. Refused for invalid IDs, for oneself, and when the list is full (`blacklist_cap`); a refusal
    /// changes nothing.
    pub fn blacklist_add(&mut self, app_key: &str, user_id: &str, blocked_user_id: &str) -> Result<(), ApiError> {
        add(app_mut(&mut self.apps, app_key)?, user_id, blocked_user_id)
    }

    /// The Server API's "remove from blacklist" (BLACK-9, USER-13). Removing a user who is not listed is a no-op.
    pub fn blacklist_remove(&mut self, app_key: &str, user_id: &str, blocked_user_id: &str) -> Result<(), ApiError> {
        remove(app_mut(&mut self.apps, app_key)?, user_id, blocked_user_id)
    }

    /// The Server API's "list blacklist" (BLACK-9, USER-13): the user IDs on `user_id`'s blacklist, in the order they
    /// were added. Empty for an unknown App Key.
    pub fn blacklist_list(&self, app_key: &str, user_id: &str) -> Vec<String> {
        self.apps.get(app_key).map(|app| list(app, user_id)).unwrap_or_default()
    }
}
