//! The user endpoints (USER): registration and tokens, profiles, online status, bans, the blacklist and whitelist,
//! deactivation.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::groups::mute_duration_ms;
use super::{Context, Endpoint, Reply};
use crate::server::tokens::{ApiError, check_user_id};

fn ids(users: &[String]) -> Vec<&str> {
    users.iter().map(String::as_str).collect()
}

/// `/user/getToken`: registers the user if new and issues a token (USER-2, USER-3), answering `{ userId, token }`.
/// `name` and `portraitUri` set the push profile (USER-7) when given.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserGetToken {
    /// The app's user ID.
    pub user_id: String,
    /// The push name.
    #[serde(default)]
    pub name: Option<String>,
    /// The push avatar URL.
    #[serde(default)]
    pub portrait_uri: Option<String>,
}

impl Endpoint for UserGetToken {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let token = cx.server.register_user(cx.app_key, &self.user_id, cx.now_ms)?;
        imsim_engine::mark!("USER-2");
        imsim_engine::mark!("USER-3");
        if self.name.is_some() || self.portrait_uri.is_some() {
            cx.server.refresh_user(cx.app_key, &self.user_id, self.name.as_deref(), self.portrait_uri.as_deref())?;
        }
        Ok(Reply::with(json!({ "userId": self.user_id, "token": token })))
    }
}

/// `/user/refresh`: changes a registered user's push name and avatar (USER-7).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRefresh {
    /// The user.
    pub user_id: String,
    /// The new push name, if it changes.
    #[serde(default)]
    pub name: Option<String>,
    /// The new push avatar URL, if it changes.
    #[serde(default)]
    pub portrait_uri: Option<String>,
}

impl Endpoint for UserRefresh {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.refresh_user(cx.app_key, &self.user_id, self.name.as_deref(), self.portrait_uri.as_deref())?;
        Ok(Reply::ok())
    }
}

/// `/user/info`: a registered user's push profile (USER-7), as `{ userName, userPortrait, createTime }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInfo {
    /// The user.
    pub user_id: String,
}

impl Endpoint for UserInfo {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let profile = cx.server.user_profile(cx.app_key, &self.user_id)?;
        imsim_engine::mark!("USER-7");
        Ok(Reply::with(json!({
            "userName": profile.name,
            "userPortrait": profile.portrait_uri,
            "createTime": profile.registered_at_ms,
        })))
    }
}

/// `/user/checkOnline`: whether any device of the user is connected (USER-10), as `status` `"1"` or `"0"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserCheckOnline {
    /// The user.
    pub user_id: String,
}

impl Endpoint for UserCheckOnline {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let online = cx.server.is_online(cx.app_key, &self.user_id);
        Ok(Reply::with(json!({ "status": if online { "1" } else { "0" } })))
    }
}

/// `/user/block`: bans users for `minute` minutes (USER-9, CONN-21), 1 to `MUTE_MINUTES_MAX`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBlock {
    /// The users.
    pub user_id: Vec<String>,
    /// How long.
    pub minute: i64,
}

impl Endpoint for UserBlock {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let duration_ms =
            mute_duration_ms(Some(self.minute))?.ok_or(ApiError::InvalidBanDuration { duration_ms: 0 })?;
        for user_id in &self.user_id {
            cx.server.ban_user(cx.app_key, user_id, cx.now_ms, duration_ms)?;
        }
        Ok(Reply::ok())
    }
}

/// `/user/unblock`: lifts bans (USER-9).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserUnblock {
    /// The users.
    pub user_id: Vec<String>,
}

impl Endpoint for UserUnblock {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        for user_id in &self.user_id {
            cx.server.unban_user(cx.app_key, user_id)?;
        }
        Ok(Reply::ok())
    }
}

/// `/user/block/query`: the banned users with when each ban ends (USER-9), as `users: [{ userId, blockEndTime }]`
/// (Unix ms), by user ID.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBlockQuery {}

impl Endpoint for UserBlockQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        imsim_engine::mark!("USER-9");
        let users: Vec<_> = cx
            .server
            .banned_users(cx.app_key, cx.now_ms)
            .into_iter()
            .map(|(user_id, ends_at)| json!({ "userId": user_id, "blockEndTime": ends_at }))
            .collect();
        Ok(Reply::with(json!({ "users": users })))
    }
}

/// `/user/blacklist/add`: `userId` puts `blackUserId` on their blacklist (BLACK-9, USER-13).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBlacklistAdd {
    /// The blacklist's owner.
    pub user_id: String,
    /// The users to list.
    pub black_user_id: Vec<String>,
}

impl Endpoint for UserBlacklistAdd {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        imsim_engine::mark!("USER-13");
        self.black_user_id.iter().try_for_each(|user_id| check_user_id(user_id))?;
        for blocked in &self.black_user_id {
            cx.server.blacklist_add(cx.app_key, &self.user_id, blocked)?;
        }
        Ok(Reply::ok())
    }
}

/// `/user/blacklist/remove`: takes `blackUserId` off `userId`'s blacklist (BLACK-9, USER-13).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBlacklistRemove {
    /// The blacklist's owner.
    pub user_id: String,
    /// The users to take off.
    pub black_user_id: Vec<String>,
}

impl Endpoint for UserBlacklistRemove {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        for blocked in &self.black_user_id {
            cx.server.blacklist_remove(cx.app_key, &self.user_id, blocked)?;
        }
        Ok(Reply::ok())
    }
}

/// `/user/blacklist/query`: `userId`'s blacklist, as `users`, in the order they were added (BLACK-9, BLACK-13,
/// USER-13). The Server API has no status query for one user (USER-13): a client's `getBlacklistStatus` only.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBlacklistQuery {
    /// The blacklist's owner.
    pub user_id: String,
}

impl Endpoint for UserBlacklistQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::with(json!({ "users": cx.server.blacklist_list(cx.app_key, &self.user_id) })))
    }
}

/// `/user/whitelist/set`: switches `userId`'s whitelist on or off (USER-11). (The path is the simulator's: the manual
/// names the operation, not its endpoint.)
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWhitelistSet {
    /// The whitelist's owner.
    pub user_id: String,
    /// On or off.
    pub enabled: bool,
}

impl Endpoint for UserWhitelistSet {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.whitelist_set(cx.app_key, &self.user_id, self.enabled)?;
        Ok(Reply::ok())
    }
}

/// `/user/whitelist/status`: whether `userId`'s whitelist is on (USER-11), as `enabled`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWhitelistStatus {
    /// The whitelist's owner.
    pub user_id: String,
}

impl Endpoint for UserWhitelistStatus {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::with(json!({ "enabled": cx.server.whitelist_enabled(cx.app_key, &self.user_id) })))
    }
}

/// `/user/whitelist/add`: puts `whiteUserId` on `userId`'s whitelist (USER-11).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWhitelistAdd {
    /// The whitelist's owner.
    pub user_id: String,
    /// The users allowed to send.
    pub white_user_id: Vec<String>,
}

impl Endpoint for UserWhitelistAdd {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.whitelist_add(cx.app_key, &self.user_id, &ids(&self.white_user_id))?;
        Ok(Reply::ok())
    }
}

/// `/user/whitelist/remove`: takes `whiteUserId` off `userId`'s whitelist (USER-11).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWhitelistRemove {
    /// The whitelist's owner.
    pub user_id: String,
    /// The users to take off.
    pub white_user_id: Vec<String>,
}

impl Endpoint for UserWhitelistRemove {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.whitelist_remove(cx.app_key, &self.user_id, &ids(&self.white_user_id))?;
        Ok(Reply::ok())
    }
}

/// `/user/whitelist/query`: `userId`'s whitelist, as `users`, in the order they were added (USER-11).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWhitelistQuery {
    /// The whitelist's owner.
    pub user_id: String,
}

impl Endpoint for UserWhitelistQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::with(json!({ "users": cx.server.whitelist_list(cx.app_key, &self.user_id) })))
    }
}

/// `/user/deactivate`: deactivates users (USER-6): their data on the server is gone.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserDeactivate {
    /// The users.
    pub user_id: Vec<String>,
}

impl Endpoint for UserDeactivate {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let changes = cx.server.deactivate_users(cx.app_key, &ids(&self.user_id), cx.now_ms)?;
        Ok(Reply::ok().changing(changes))
    }
}

/// `/user/deactivate/query`: every deactivated user ID, as `users`, sorted (USER-6).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserDeactivateQuery {}

impl Endpoint for UserDeactivateQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::with(json!({ "users": cx.server.deactivated_users(cx.app_key) })))
    }
}

/// `/user/reactivate`: lets deactivated users register again, with nothing restored (USER-6).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserReactivate {
    /// The users.
    pub user_id: Vec<String>,
}

impl Endpoint for UserReactivate {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.reactivate_users(cx.app_key, &ids(&self.user_id), cx.now_ms)?;
        Ok(Reply::ok())
    }
}
