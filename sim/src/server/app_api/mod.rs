//! The App Server API as one table: every endpoint the fake server offers an app's own server, by its RongCloud path
//! (`/user/getToken`, `/group/sync`, `/message/group/publish`), with its parameters under their Server-API names and
//! a JSON answer, `{"code": 200, …}` on success (USER-3).
//!
//! # Why a table
//!
//! The manual's client API is one table in the engine (`imsim_engine::api`), so that a method is described once and
//! scenarios, the schema and the docs reach it through that description. The Server API gets the same treatment: an
//! endpoint is one line of [`server_api_table!`], one parameter struct and one `handle`, in this module. The
//! scenario step `server_api: { path: /user/checkOnline, userId: lisi, response: { status: "1" } }` reaches every
//! endpoint through [`ServerApiCall::from_parameters`] and [`Server::call_server_api`]; adding an endpoint touches
//! neither the scenario parser nor the runner.
//!
//! # Answers
//!
//! - Success: `code` 200 and the endpoint's fields, camelCase as RongCloud writes them.
//! - Failure: the code of [`ApiError::server_api_code`] (1002 for a bad parameter, as the real Server API's clients
//!   report it) and `errorMessage`. Nothing changed.
//!
//! Parameters the real API takes as repeated form fields (`userId=a&userId=b`) are lists here.

mod groups;
mod messages;
mod ultra_groups;
mod users;

use serde::de::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json, json};

pub use groups::{
    GroupBanAdd, GroupBanRollback, GroupCreate, GroupDismiss, GroupJoin, GroupQuit, GroupRefresh, GroupSync,
    GroupUserBanAdd, GroupUserBanQuery, GroupUserBanRemove, GroupUserGagAdd, GroupUserGagRollback, GroupUserQuery,
    MUTE_MINUTES_MAX, SyncedGroup, UserGroupQuery,
};
pub use messages::{
    GroupPublish, GroupStatusPublish, PrivatePublish, PrivateStatusPublish, SystemBroadcast, SystemPublish,
};
pub use ultra_groups::{
    UltraGroupChannelCreate, UltraGroupChannelDelete, UltraGroupChannelGet, UltraGroupCreate, UltraGroupDismiss,
    UltraGroupJoin, UltraGroupQuit,
};
pub use users::{
    UserBlacklistAdd, UserBlacklistQuery, UserBlacklistRemove, UserBlock, UserBlockQuery, UserCheckOnline,
    UserDeactivate, UserDeactivateQuery, UserGetToken, UserInfo, UserReactivate, UserRefresh, UserUnblock,
    UserWhitelistAdd, UserWhitelistQuery, UserWhitelistRemove, UserWhitelistSet, UserWhitelistStatus,
};

use super::{GroupChange, Server, tokens::ApiError};

/// The Server API's success code (USER-3).
pub const SERVER_API_SUCCESS: i64 = 200;
/// The Server API's code for a missing or invalid parameter (the real clients' `RCErrorNew(1002, …)`).
pub const SERVER_API_PARAMETER_ERROR: i64 = 1002;
/// The Server API's code for an unknown App Key (an authentication failure).
pub const SERVER_API_AUTH_ERROR: i64 = 1001;

/// What an endpoint's `handle` gives back: its answer's fields, and the group memberships it changed.
#[derive(Debug, Default)]
pub struct Reply {
    body: Map<String, Json>,
    group_changes: Vec<GroupChange>,
}

impl Reply {
    /// An answer with no fields but `code`.
    fn ok() -> Reply {
        Reply::default()
    }

    /// An answer with `fields` (a JSON object) besides `code`.
    fn with(fields: Json) -> Reply {
        let Json::Object(body) = fields else { unreachable!("invariant: endpoints answer with an object") };
        Reply { body, group_changes: Vec::new() }
    }

    fn changing(mut self, changes: impl IntoIterator<Item = GroupChange>) -> Reply {
        self.group_changes.extend(changes);
        self
    }
}

/// The outcome of one Server API call.
#[derive(Clone, Debug, PartialEq)]
pub struct Handled {
    /// The JSON answer: `code`, then the endpoint's fields or `errorMessage`.
    pub response: Json,
    /// The group memberships the call changed, in order (for the membership checker).
    pub group_changes: Vec<GroupChange>,
}

impl Handled {
    /// The answer's `code`.
    pub fn code(&self) -> i64 {
        self.response.get("code").and_then(Json::as_i64).unwrap_or_default()
    }
}

/// Where an endpoint runs: the server, the App Key the call is signed with, and the simulation's clock.
pub struct Context<'a> {
    server: &'a mut Server,
    app_key: &'a str,
    now_ms: i64,
}

/// One endpoint: its parameters, deserialised from the call, and what it does.
trait Endpoint {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError>;
}

/// Declares the table: the path of each endpoint and the struct of its parameters.
macro_rules! server_api_table {
    ($( $(#[$doc:meta])* $path:literal => $variant:ident, )*) => {
        /// A call of one endpoint of the App Server API, with its parameters: see the module documentation. (Its
        /// JSON Schema, a branch per endpoint with `path`, is what the scenario schema's `server_api` step is made of.)
        #[derive(Clone, Debug, PartialEq, schemars::JsonSchema)]
        #[serde(tag = "path")]
        pub enum ServerApiCall {
            $( $(#[$doc])* #[serde(rename = $path)] $variant($variant), )*
        }

        /// The endpoints of the App Server API, without their parameters.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ServerEndpoint {
            $( $(#[$doc])* $variant, )*
        }

        impl ServerEndpoint {
            /// Every endpoint, in table order.
            pub const ALL: &'static [ServerEndpoint] = &[$( ServerEndpoint::$variant, )*];

            /// RongCloud's path, such as `/user/getToken` (the real API adds `.json`).
            pub fn path(self) -> &'static str {
                match self {
                    $( ServerEndpoint::$variant => $path, )*
                }
            }

            /// The endpoint at `path`, with or without the real API's `.json`.
            pub fn from_path(path: &str) -> Option<ServerEndpoint> {
                let path = path.strip_suffix(".json").unwrap_or(path);
                ServerEndpoint::ALL.iter().copied().find(|endpoint| endpoint.path() == path)
            }
        }

        impl ServerApiCall {
            /// Reads `endpoint`'s parameters (a mapping of their Server-API names) into a call.
            pub fn from_parameters<'de, D: Deserializer<'de>>(
                endpoint: ServerEndpoint,
                parameters: D,
            ) -> Result<ServerApiCall, D::Error> {
                match endpoint {
                    $( ServerEndpoint::$variant => {
                        <$variant as Deserialize>::deserialize(parameters).map(ServerApiCall::$variant)
                    } )*
                }
            }

            /// The endpoint called.
            pub fn endpoint(&self) -> ServerEndpoint {
                match self {
                    $( ServerApiCall::$variant(_) => ServerEndpoint::$variant, )*
                }
            }

            fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
                match self {
                    $( ServerApiCall::$variant(call) => call.handle(cx), )*
                }
            }
        }
    };
}

server_api_table! {
    "/user/getToken" => UserGetToken,
    "/user/refresh" => UserRefresh,
    "/user/info" => UserInfo,
    "/user/checkOnline" => UserCheckOnline,
    "/user/block" => UserBlock,
    "/user/unblock" => UserUnblock,
    "/user/block/query" => UserBlockQuery,
    "/user/blacklist/add" => UserBlacklistAdd,
    "/user/blacklist/remove" => UserBlacklistRemove,
    "/user/blacklist/query" => UserBlacklistQuery,
    "/user/whitelist/set" => UserWhitelistSet,
    "/user/whitelist/status" => UserWhitelistStatus,
    "/user/whitelist/add" => UserWhitelistAdd,
    "/user/whitelist/remove" => UserWhitelistRemove,
    "/user/whitelist/query" => UserWhitelistQuery,
    "/user/deactivate" => UserDeactivate,
    "/user/deactivate/query" => UserDeactivateQuery,
    "/user/reactivate" => UserReactivate,
    "/user/group/query" => UserGroupQuery,
    "/group/create" => GroupCreate,
    "/group/dismiss" => GroupDismiss,
    "/group/join" => GroupJoin,
    "/group/quit" => GroupQuit,
    "/group/refresh" => GroupRefresh,
    "/group/sync" => GroupSync,
    "/group/user/query" => GroupUserQuery,
    "/group/user/gag/add" => GroupUserGagAdd,
    "/group/user/gag/rollback" => GroupUserGagRollback,
    "/group/ban/add" => GroupBanAdd,
    "/group/ban/rollback" => GroupBanRollback,
    "/group/user/ban/add" => GroupUserBanAdd,
    "/group/user/ban/remove" => GroupUserBanRemove,
    "/group/user/ban/query" => GroupUserBanQuery,
    "/ultragroup/create" => UltraGroupCreate,
    "/ultragroup/dis" => UltraGroupDismiss,
    "/ultragroup/join" => UltraGroupJoin,
    "/ultragroup/quit" => UltraGroupQuit,
    "/ultragroup/channel/create" => UltraGroupChannelCreate,
    "/ultragroup/channel/del" => UltraGroupChannelDelete,
    "/ultragroup/channel/get" => UltraGroupChannelGet,
    "/message/private/publish" => PrivatePublish,
    "/message/group/publish" => GroupPublish,
    "/message/system/publish" => SystemPublish,
    "/message/broadcast" => SystemBroadcast,
    "/statusmessage/private/publish" => PrivateStatusPublish,
    "/statusmessage/group/publish" => GroupStatusPublish,
}

impl ApiError {
    /// The Server API's code for this failure: 1001 for an unknown App Key, 1002 for every refused parameter.
    pub fn server_api_code(&self) -> i64 {
        match self {
            ApiError::UnknownApp { .. } => SERVER_API_AUTH_ERROR,
            _ => SERVER_API_PARAMETER_ERROR,
        }
    }
}

impl Server {
    /// Calls one endpoint of the App Server API for `app_key` at `now_ms`. What it sends or closes is in
    /// [`Server::poll_output`] afterwards, as for any call.
    pub fn call_server_api(&mut self, app_key: &str, call: ServerApiCall, now_ms: i64) -> Handled {
        let mut cx = Context { server: self, app_key, now_ms };
        match call.handle(&mut cx) {
            Ok(Reply { body, group_changes }) => {
                let mut response = Map::new();
                response.insert("code".to_owned(), json!(SERVER_API_SUCCESS));
                response.extend(body);
                Handled { response: Json::Object(response), group_changes }
            }
            Err(error) => Handled {
                response: json!({ "code": error.server_api_code(), "errorMessage": error.to_string() }),
                group_changes: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use imsim_engine::api::Method;

    use super::ServerEndpoint;

    fn paths() -> Vec<&'static str> {
        ServerEndpoint::ALL.iter().map(|endpoint| endpoint.path()).collect()
    }

    /// GRP-2: groups are created, dismissed, joined and left through the Server API only; the client API has no
    /// group-management method. GRP-4: owners, administrators, announcements, invitations and group search are the
    /// app's own: neither API has them.
    #[test]
    fn groups_are_managed_by_the_server_api_only() {
        imsim_engine::checks!(unit: "GRP-2", "GRP-4");
        for path in ["/group/create", "/group/dismiss", "/group/join", "/group/quit"] {
            assert!(ServerEndpoint::from_path(path).is_some(), "{path} is missing");
        }
        let client: Vec<String> = Method::ALL.iter().map(|method| method.name().to_ascii_lowercase()).collect();
        for verb in ["creategroup", "dismissgroup", "joingroup", "quitgroup", "addgroupmember", "kickgroupmember"] {
            assert!(client.iter().all(|name| !name.contains(verb)), "the client API has a {verb} method");
        }
        for app_side in ["owner", "admin", "manager", "announcement", "notice", "invite", "search"] {
            assert!(paths().iter().all(|path| !path.contains(app_side)), "the Server API has a {app_side} endpoint");
            assert!(
                client.iter().all(|name| !(name.contains("group") && name.contains(app_side))),
                "the client API has a group {app_side} method"
            );
        }
    }

    /// USER-5: deleting a user is a console action of the development environment, with no API. USER-8: friends are
    /// the app server's: no friend API on either side. USER-13: the Server API manages a blacklist (add, remove,
    /// list) but has no status query; the client has all four.
    #[test]
    fn users_have_no_deletion_or_friend_api() {
        imsim_engine::checks!(unit: "USER-5", "USER-8");
        let client: Vec<String> = Method::ALL.iter().map(|method| method.name().to_ascii_lowercase()).collect();
        assert!(paths().iter().all(|path| !path.contains("delete") && !path.contains("deluser")));
        assert!(paths().iter().all(|path| !path.contains("friend")));
        assert!(client.iter().all(|name| !name.contains("friend") && !name.contains("deleteuser")));
        for path in ["/user/blacklist/add", "/user/blacklist/remove", "/user/blacklist/query"] {
            assert!(ServerEndpoint::from_path(path).is_some(), "{path} is missing");
        }
        assert!(paths().iter().all(|path| !path.starts_with("/user/blacklist/") || !path.contains("status")));
        for method in ["addToBlacklist", "removeFromBlacklist", "getBlacklistStatus", "getBlacklist"] {
            assert!(Method::from_name(method).is_some(), "{method} is missing");
        }
    }
}
