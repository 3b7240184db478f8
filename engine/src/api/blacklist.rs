//! The blacklist (BLACK-5 to BLACK-8): requests to the server, answered through a listener.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;

/// `addToBlacklist(userId)` (BLACK-5) → `onBlacklistAdded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddToBlacklist {
    /// The user to block.
    pub user_id: String,
}

impl ApiMethod for AddToBlacklist {
    const COMPLETION: Completion = Completion::listener("onBlacklistAdded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.add_to_blacklist(&self.user_id).await.map(|()| Returned::Nothing)
    }
}

/// `removeFromBlacklist(userId)` (BLACK-6) → `onBlacklistRemoved`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveFromBlacklist {
    /// The user to unblock.
    pub user_id: String,
}

impl ApiMethod for RemoveFromBlacklist {
    const COMPLETION: Completion = Completion::listener("onBlacklistRemoved", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.remove_from_blacklist(&self.user_id).await.map(|()| Returned::Nothing)
    }
}

/// `getBlacklistStatus(userId)` (BLACK-7) → `onBlacklistStatusLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetBlacklistStatus {
    /// The user asked about.
    pub user_id: String,
}

impl ApiMethod for GetBlacklistStatus {
    const COMPLETION: Completion = Completion::listener("onBlacklistStatusLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_blacklist_status(&self.user_id).await.map(|()| Returned::Nothing)
    }
}

/// `getBlacklist()` (BLACK-8) → `onBlacklistLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetBlacklist {}

impl ApiMethod for GetBlacklist {
    const COMPLETION: Completion = Completion::listener("onBlacklistLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_blacklist().await.map(|()| Returned::Nothing)
    }
}
