//! The ultra group endpoints (UG-8: ultra groups and their channels are managed only here, never by the client SDK).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{Context, Endpoint, Reply};
use crate::server::tokens::ApiError;

/// `/ultragroup/create`: creates an ultra group with its first member (UG-8, UG-9); on an existing one, renames it and
/// adds the user.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupCreate {
    /// The first member.
    pub user_id: String,
    /// The ultra group, chosen by the app server (UG-9).
    pub group_id: String,
    /// Its name.
    pub group_name: String,
}

impl Endpoint for UltraGroupCreate {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.create_ultra_group(cx.app_key, &self.group_id, &self.group_name, &self.user_id)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/dis`: dismisses an ultra group; its memberships no longer exist (UG-8).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupDismiss {
    /// The ultra group.
    pub group_id: String,
}

impl Endpoint for UltraGroupDismiss {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.dismiss_ultra_group(cx.app_key, &self.group_id)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/join`: a user joins; new messages reach them from now on (UG-8). At most
/// [`ULTRA_GROUPS_PER_USER_MAX`](crate::server::ULTRA_GROUPS_PER_USER_MAX) per user (UG-2).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupJoin {
    /// The user who joins.
    pub user_id: String,
    /// The ultra group.
    pub group_id: String,
}

impl Endpoint for UltraGroupJoin {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.join_ultra_group(cx.app_key, &self.group_id, &self.user_id)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/quit`: a user leaves; no new message reaches them (UG-8).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupQuit {
    /// The user who leaves.
    pub user_id: String,
    /// The ultra group.
    pub group_id: String,
}

impl Endpoint for UltraGroupQuit {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.quit_ultra_group(cx.app_key, &self.group_id, &self.user_id)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/channel/create`: adds a channel (the server API's `busChannel`, UG-1) to an ultra group (UG-8).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupChannelCreate {
    /// The ultra group.
    pub group_id: String,
    /// The channel ID: 1 to 20 characters (MSG-3).
    pub bus_channel: String,
}

impl Endpoint for UltraGroupChannelCreate {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.create_ultra_group_channel(cx.app_key, &self.group_id, &self.bus_channel)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/channel/del`: deletes a channel; it can no longer receive sends (UG-8). Not the default one (UG-6).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupChannelDelete {
    /// The ultra group.
    pub group_id: String,
    /// The channel.
    pub bus_channel: String,
}

impl Endpoint for UltraGroupChannelDelete {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        cx.server.delete_ultra_group_channel(cx.app_key, &self.group_id, &self.bus_channel)?;
        Ok(Reply::ok())
    }
}

/// `/ultragroup/channel/get`: an ultra group's channels (UG-10), as `channelList: [{ channelId }]`, the default
/// channel first.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UltraGroupChannelGet {
    /// The ultra group.
    pub group_id: String,
}

impl Endpoint for UltraGroupChannelGet {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let channels = cx.server.ultra_group_channels(cx.app_key, &self.group_id)?;
        let list: Vec<_> = channels.into_iter().map(|channel_id| json!({ "channelId": channel_id })).collect();
        Ok(Reply::with(json!({ "channelList": list })))
    }
}
