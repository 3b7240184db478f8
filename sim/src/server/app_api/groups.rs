//! The group endpoints (GRP-2: groups are managed only here), and "query a user's groups".

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{Context, Endpoint, GroupChange, Reply};
use crate::server::tokens::ApiError;

/// The longest mute, in minutes, as the real Server API documents it (30 days).
pub const MUTE_MINUTES_MAX: i64 = 43_200;

/// A mute's `minute` parameter: 1 to [`MUTE_MINUTES_MAX`], or 0 / absent for "until lifted"; in milliseconds.
pub(super) fn mute_duration_ms(minute: Option<i64>) -> Result<Option<i64>, ApiError> {
    match minute {
        None | Some(0) => Ok(None),
        Some(minute @ 1..=MUTE_MINUTES_MAX) => Ok(Some(minute * 60_000)),
        Some(minute) => Err(ApiError::InvalidMuteDuration { duration_ms: minute.saturating_mul(60_000) }),
    }
}

fn ids(users: &[String]) -> Vec<&str> {
    users.iter().map(String::as_str).collect()
}

/// `/group/create`: creates a group with its first members (GRP-5); on an existing group, adds them and renames it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupCreate {
    /// The first members.
    pub user_id: Vec<String>,
    /// The group.
    pub group_id: String,
    /// Its name.
    pub group_name: String,
}

impl Endpoint for GroupCreate {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.create_group(cx.app_key, &self.group_id, &self.group_name, &ids(&self.user_id))?;
        Ok(Reply::ok().changing([GroupChange::Added { group: self.group_id, users: self.user_id }]))
    }
}

/// `/group/dismiss`: dismisses a group (GRP-5).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupDismiss {
    /// The group.
    pub group_id: String,
}

impl Endpoint for GroupDismiss {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.dismiss_group(cx.app_key, &self.group_id)?;
        Ok(Reply::ok().changing([GroupChange::Dismissed { group: self.group_id }]))
    }
}

/// `/group/join`: adds members (GRP-6).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupJoin {
    /// The users who join.
    pub user_id: Vec<String>,
    /// The group.
    pub group_id: String,
}

impl Endpoint for GroupJoin {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.add_group_members(cx.app_key, &self.group_id, &ids(&self.user_id))?;
        Ok(Reply::ok().changing([GroupChange::Added { group: self.group_id, users: self.user_id }]))
    }
}

/// `/group/quit`: removes members (GRP-6).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupQuit {
    /// The users who leave.
    pub user_id: Vec<String>,
    /// The group.
    pub group_id: String,
}

impl Endpoint for GroupQuit {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.remove_group_members(cx.app_key, &self.group_id, &ids(&self.user_id))?;
        Ok(Reply::ok().changing([GroupChange::Removed { group: self.group_id, users: self.user_id }]))
    }
}

/// `/group/refresh`: renames a group (GRP-7).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupRefresh {
    /// The group.
    pub group_id: String,
    /// Its new name.
    pub group_name: String,
}

impl Endpoint for GroupRefresh {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.refresh_group(cx.app_key, &self.group_id, &self.group_name)?;
        Ok(Reply::ok())
    }
}

/// One group of a `/group/sync`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncedGroup {
    /// The group ID.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// `/group/sync`: the full list of a user's groups (GRP-8).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSync {
    /// The user.
    pub user_id: String,
    /// Every group the user belongs to.
    pub groups: Vec<SyncedGroup>,
}

impl Endpoint for GroupSync {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let groups: Vec<(String, String)> = self.groups.into_iter().map(|group| (group.id, group.name)).collect();
        let changes = cx.server.sync_user_groups(cx.app_key, &self.user_id, &groups)?;
        Ok(Reply::ok().changing(changes))
    }
}

/// `/group/user/query`: a group's members (GRP-8), as `users: [{ id }]`, by user ID.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserQuery {
    /// The group.
    pub group_id: String,
}

impl Endpoint for GroupUserQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        imsim_engine::mark!("GRP-8");
        let members = cx
            .server
            .group_members(cx.app_key, &self.group_id)
            .ok_or(ApiError::UnknownGroup { group_id: self.group_id })?;
        let users: Vec<_> = members.into_iter().map(|id| json!({ "id": id })).collect();
        Ok(Reply::with(json!({ "users": users })))
    }
}

/// `/user/group/query`: the groups a user is in (GRP-8), as `groups: [{ id, name }]`, by group ID.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserGroupQuery {
    /// The user.
    pub user_id: String,
}

impl Endpoint for UserGroupQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        imsim_engine::mark!("GRP-8");
        let groups: Vec<_> = cx
            .server
            .user_groups(cx.app_key, &self.user_id)
            .into_iter()
            .map(|(id, name)| json!({ "id": id, "name": name }))
            .collect();
        Ok(Reply::with(json!({ "groups": groups })))
    }
}

/// `/group/user/gag/add`: mutes users in one group (GRP-9) for `minute` minutes, or until lifted.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserGagAdd {
    /// The users.
    pub user_id: Vec<String>,
    /// The group.
    pub group_id: String,
    /// How long, 1 to [`MUTE_MINUTES_MAX`]; 0 or absent: until lifted.
    #[serde(default)]
    pub minute: Option<i64>,
}

impl Endpoint for GroupUserGagAdd {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let duration_ms = mute_duration_ms(self.minute)?;
        cx.server.mute_group_members(cx.app_key, &self.group_id, &ids(&self.user_id), cx.now_ms, duration_ms)?;
        Ok(Reply::ok())
    }
}

/// `/group/user/gag/rollback`: lifts mutes in one group (GRP-9).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserGagRollback {
    /// The users.
    pub user_id: Vec<String>,
    /// The group.
    pub group_id: String,
}

impl Endpoint for GroupUserGagRollback {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.unmute_group_members(cx.app_key, &self.group_id, &ids(&self.user_id))?;
        Ok(Reply::ok())
    }
}

/// `/group/ban/add`: mutes every member of the groups (GRP-10), but each group's mute whitelist.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupBanAdd {
    /// The groups.
    pub group_id: Vec<String>,
}

impl Endpoint for GroupBanAdd {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        for group_id in &self.group_id {
            cx.server.set_group_mute_all(cx.app_key, group_id, true)?;
        }
        Ok(Reply::ok())
    }
}

/// `/group/ban/rollback`: lifts the mute of every member (GRP-10).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupBanRollback {
    /// The groups.
    pub group_id: Vec<String>,
}

impl Endpoint for GroupBanRollback {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        for group_id in &self.group_id {
            cx.server.set_group_mute_all(cx.app_key, group_id, false)?;
        }
        Ok(Reply::ok())
    }
}

/// `/group/user/ban/add`: mutes users in every group (GRP-9) for `minute` minutes, or until lifted.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserBanAdd {
    /// The users.
    pub user_id: Vec<String>,
    /// How long, 1 to [`MUTE_MINUTES_MAX`]; 0 or absent: until lifted.
    #[serde(default)]
    pub minute: Option<i64>,
}

impl Endpoint for GroupUserBanAdd {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let duration_ms = mute_duration_ms(self.minute)?;
        cx.server.mute_in_all_groups(cx.app_key, &ids(&self.user_id), cx.now_ms, duration_ms)?;
        Ok(Reply::ok())
    }
}

/// `/group/user/ban/remove`: lifts mutes in every group (GRP-9).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserBanRemove {
    /// The users.
    pub user_id: Vec<String>,
}

impl Endpoint for GroupUserBanRemove {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.unmute_in_all_groups(cx.app_key, &ids(&self.user_id))?;
        Ok(Reply::ok())
    }
}

/// `/group/user/ban/query`: the users muted in every group, as `members: [{ userId, time }]` (`time`: when the
/// mute ends, Unix ms, or null until lifted), by user ID.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupUserBanQuery {}

impl Endpoint for GroupUserBanQuery {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let members: Vec<_> = cx
            .server
            .muted_in_all_groups(cx.app_key, cx.now_ms)
            .into_iter()
            .map(|(user_id, ends)| json!({ "userId": user_id, "time": ends }))
            .collect();
        Ok(Reply::with(json!({ "members": members })))
    }
}
