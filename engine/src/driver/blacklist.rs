//! The blacklist API (BLACK-5 to BLACK-8): each call returns at once and its result arrives as an event.

use super::Engine;
use crate::error::ImError;

impl Engine {
    /// `addToBlacklist(userId)` (BLACK-5) → `Event::BlacklistAdded`. -103 while not connected.
    pub async fn add_to_blacklist(&self, user_id: &str) -> Result<(), ImError> {
        let user_id = user_id.to_owned();
        self.run(move |core, now| core.add_to_blacklist(now, &user_id)).await
    }

    /// `removeFromBlacklist(userId)` (BLACK-6) → `Event::BlacklistRemoved`. -103 while not connected.
    pub async fn remove_from_blacklist(&self, user_id: &str) -> Result<(), ImError> {
        let user_id = user_id.to_owned();
        self.run(move |core, now| core.remove_from_blacklist(now, &user_id)).await
    }

    /// `getBlacklistStatus(userId)` (BLACK-7) → `Event::BlacklistStatusLoaded`. -103 while not connected.
    pub async fn get_blacklist_status(&self, user_id: &str) -> Result<(), ImError> {
        let user_id = user_id.to_owned();
        self.run(move |core, now| core.get_blacklist_status(now, &user_id)).await
    }

    /// `getBlacklist()` (BLACK-8) → `Event::BlacklistLoaded`. -103 while not connected.
    pub async fn get_blacklist(&self) -> Result<(), ImError> {
        self.run(|core, now| core.get_blacklist(now)).await
    }
}
