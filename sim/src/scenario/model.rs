//! What a parsed scenario is: plain values for the runner, with no trace of YAML left in them.
//!
//! This file holds the scenario, its settings, devices and steps; the checks of `expect` steps are in
//! `model/expect.rs`, the checks on the server's callbacks to the app server in `model/server_callback.rs` and the
//! chatroom steps in `model/chatroom.rs`.

mod chatroom;
mod expect;
pub mod pattern;
mod server_callback;

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use imsim_engine::api::{Call, Method};
use imsim_engine::types::{ConversationType, MessageContent, Platform};

use super::yaml::Node;
use crate::server::{AppConfig, CHATROOM_DESTROY_AFTER_MS_MAX, ServerApiCall, ServerConfig, ServerEndpoint};

pub use chatroom::{ChatroomAdmin, ChatroomCall, HistoryFrom};
pub use expect::{Check, EntriesRead, Expectation, StatusesExpectation, StoredContents, StoredPattern};
pub use server_callback::{CallbackExpectation, CallbackKind, CallbackPattern, describe_callback};

/// A parsed, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it came from, as given to the parser.
    pub path: PathBuf,
    /// What it checks, in a few words.
    pub name: String,
    /// The spec rules it checks in full, in file order.
    pub rules: Vec<RuleId>,
    /// The spec rules it checks only in part, each with what it leaves unchecked, in file order. A partial claim never
    /// counts as checking its rule (the conformance report lists it apart).
    pub partial: Vec<PartialClaim>,
    /// The seed of every random choice in the run.
    pub seed: u64,
    /// Simulation settings, defaults filled in.
    pub settings: Settings,
    /// The devices, in file order (the order is significant: it is the order hosts are created in).
    pub devices: Vec<DeviceSpec>,
    /// The steps, in file order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The distinct users of the devices, in device order.
    pub fn users(&self) -> Vec<&str> {
        distinct_users(&self.devices)
    }

    /// The device called `name`, if the scenario declares one.
    pub fn device(&self, name: &str) -> Option<&DeviceSpec> {
        self.devices.iter().find(|device| device.name == name)
    }
}

/// The distinct users of `devices`, in device order.
pub(crate) fn distinct_users(devices: &[DeviceSpec]) -> Vec<&str> {
    let mut users: Vec<&str> = Vec::new();
    for device in devices {
        if !users.contains(&device.user.as_str()) {
            users.push(&device.user);
        }
    }
    users
}

/// A rule a scenario checks only in part (`partial:`), with what is left unchecked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialClaim {
    /// The rule.
    pub rule: RuleId,
    /// What of the rule the scenario does not check yet, in a few words.
    pub missing: String,
}

/// A rule ID of the spec, such as `SEND-4`. Only IDs of the spec (`crate::spec`, generated from `docs/spec/`) can be
/// made.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(String);

impl RuleId {
    /// The rule `id`, if the spec has it.
    pub fn new(id: &str) -> Option<RuleId> {
        (Self::is_well_formed(id) && crate::spec::rule(id).is_some()).then(|| RuleId(id.to_owned()))
    }

    /// Whether `id` has the shape of a rule ID: capital letters, a dash, digits (`^[A-Z]+-[0-9]+$`).
    pub fn is_well_formed(id: &str) -> bool {
        match id.split_once('-') {
            Some((prefix, number)) => {
                !prefix.is_empty()
                    && prefix.bytes().all(|b| b.is_ascii_uppercase())
                    && !number.is_empty()
                    && number.bytes().all(|b| b.is_ascii_digit())
            }
            None => false,
        }
    }

    /// The ID, as written in the spec.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The spec file the rule is in (such as `part1.md`).
    pub fn part(&self) -> &'static str {
        crate::spec::rule(&self.0).map_or("", |rule| rule.part)
    }

    /// The first words of the rule's text.
    pub fn text(&self) -> &'static str {
        crate::spec::rule(&self.0).map_or("", |rule| rule.text)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Simulation settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The simulated tick (turmoil's `tick_duration`). Default 1ms.
    pub tick: Duration,
    /// The smallest one-way network latency. Default 1ms.
    pub latency_min: Duration,
    /// The largest one-way network latency. Default 5ms.
    pub latency_max: Duration,
    /// The App Key every device and the server use. Default `imsim-app`.
    pub app_key: String,
    /// How often the engine sends a heartbeat while connected (RECONN-12). Default 30s.
    pub heartbeat_interval: Duration,
    /// How long the engine waits for a heartbeat's answer before it counts the connection lost (RECONN-12).
    /// Always less than `heartbeat_interval`. Default 10s.
    pub heartbeat_timeout: Duration,
    /// The App Key's console switches on the server.
    pub app: AppSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tick: Duration::from_millis(1),
            latency_min: Duration::from_millis(1),
            latency_max: Duration::from_millis(5),
            app_key: "imsim-app".to_owned(),
            heartbeat_interval: Duration::from_secs(30),
            heartbeat_timeout: Duration::from_secs(10),
            app: AppSettings::default(),
        }
    }
}

/// The App Key's console switches, as the fake server applies them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSettings {
    /// `reconnectKickPolicyEnabled` (CFG-6): whether the server honours a device's `kickReconnectDevice`.
    /// Default false.
    pub reconnect_kick_policy: bool,
    /// How many mobile devices of one user may be connected at once (CFG-7). Default 1, never 0.
    pub mobile_devices_max: u32,
    /// How many mini-program connections of one user may be open at once (CFG-7). Default 1, never 0.
    pub mini_program_devices_max: u32,
    /// `multiDeviceSync` (CFG-2). Default false.
    pub multi_device_sync: bool,
    /// `tokenTtl` (CFG-10): how long a token is valid after it is issued; `None`, the default, is permanent.
    /// Never zero.
    pub token_ttl: Option<Duration>,
    /// `compensationDays` (CFG-3): how many natural days back the offline compensation reaches. 1 to 7, default 1.
    pub compensation_days: u32,
    /// `privateOfflineDays` (CFG-8): how many days the server keeps private offline messages. 1 to 7, default 7.
    pub private_offline_days: u32,
    /// `groupOfflineDays` (CFG-8): how many days the server keeps group offline messages. 1 to 7, default 7.
    pub group_offline_days: u32,
    /// `groupOfflineMaxCount` (CFG-8, OFFLINE-7): how many group messages per group wait for a user's devices, the
    /// newest. 1 to `GROUP_OFFLINE_MAX_COUNT_MAX`; `None`, the default, keeps them all.
    pub group_offline_max_count: Option<u32>,
    /// `clientSendRate` (CFG-11, BIZ-8): sends per client connection per second; 5 unless raised for a fee.
    pub send_rate_limit: u32,
    /// One user may be in several chatrooms at once (BIZ-6, CR-9). Default false: joining a room leaves the other.
    pub chatroom_multi_room: bool,
    /// How long a chatroom may be inactive before it is destroyed (CR-4, BIZ-21). 1ms to 24h, default 1h.
    pub chatroom_destroy_after: Duration,
    /// Chatroom member-change notifications (CR-24, BIZ-24). Default false.
    pub chatroom_member_events: bool,
    /// Chatroom cloud history storage (CR-25, BIZ-24): `getChatRoomMessages` works. Default false (23414).
    pub chatroom_cloud_storage: bool,
    /// Chatroom attributes, KV (CRKV-1, BIZ-24). Default false (23426).
    pub chatroom_kv: bool,
    /// The server's consumption cap, messages per sliding second per chatroom, beyond which it discards (BIZ-13,
    /// CR-27 to CR-29). At least 1, default 100.
    pub chatroom_messages_per_second: u32,
    /// "Joining a chatroom returns only specified message types" (CR-12, BIZ-24): the object names a join fetches,
    /// or `None` (the default) for every type.
    pub chatroom_join_message_types: Option<Vec<String>>,
    /// The real-time eviction ticket (CR-18): offline members are evicted 5 minutes after going offline, messages
    /// or not. Default false.
    pub chatroom_realtime_eviction: bool,
    /// Chatroom status sync to the app server (CR-36, BIZ-24): creations, destructions, joins and leaves are
    /// called back. Default false.
    pub chatroom_status_callback: bool,
    /// Chatroom KV sync to the app server (CRKV-15): every KV change is called back. Default false.
    pub chatroom_kv_callback: bool,
    /// A push service is integrated (DND-5, PUSH-2): the notifications for users with no device online are logged.
    /// Default false.
    pub push_service: bool,
    /// `cloudStorage` (CFG-1): the server keeps each user's private, group and system history, and remote history
    /// fetches and deletions work (HIST, DEL). Default false (33007).
    pub cloud_storage: bool,
    /// `deleteCompensationOnTimestampDelete` (CFG-4, DEL-6): a remote deletion by timestamp also deletes the
    /// offline-compensation copies. Default false.
    pub delete_compensation_on_timestamp_delete: bool,
    /// `recallOwnOnly` (CFG-5, RECALL-3): a user may recall only their own messages (25107 otherwise). Default
    /// false.
    pub recall_own_only: bool,
    /// `directedMessageCloudStorage` (GRP-19): directed group messages are kept in the cloud history too (with
    /// `cloud_storage`). Default false.
    pub directed_message_cloud_storage: bool,
    /// `groupPreJoinHistory` (GRP-14, BIZ-24): new group members may fetch the group's history from before they
    /// joined (with `cloud_storage`). Default false.
    pub group_pre_join_history: bool,
}

/// The longest `chatroom_destroy_after`.
pub const CHATROOM_DESTROY_AFTER_MAX: Duration = Duration::from_millis(CHATROOM_DESTROY_AFTER_MS_MAX as u64);

impl Default for AppSettings {
    /// The fake server's own defaults (`ServerConfig::default`, `AppConfig::default`), read from there so a scenario
    /// that leaves a setting out runs against exactly what the server does by default: a second copy of the numbers
    /// here would let a wrong default in the server pass every scenario.
    fn default() -> Self {
        let server = ServerConfig::default();
        let app = AppConfig::default();
        AppSettings {
            reconnect_kick_policy: app.reconnect_kick_policy_enabled,
            mobile_devices_max: app.mobile_devices_max,
            mini_program_devices_max: app.mini_program_devices_max,
            multi_device_sync: app.multi_device_sync,
            token_ttl: app.token_ttl_ms.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
            compensation_days: app.compensation_days,
            private_offline_days: server.private_offline_days,
            group_offline_days: server.group_offline_days,
            group_offline_max_count: app.group_offline_max_count,
            // The scenario's setting has no "unlimited"; the server's default has a limit.
            send_rate_limit: server.client_send_rate.unwrap_or(u32::MAX),
            chatroom_multi_room: app.chatroom_multi_room,
            chatroom_destroy_after: Duration::from_millis(u64::try_from(app.chatroom_destroy_after_ms).unwrap_or(0)),
            chatroom_member_events: app.chatroom_member_events,
            chatroom_cloud_storage: app.chatroom_cloud_storage,
            chatroom_kv: app.chatroom_kv,
            chatroom_messages_per_second: app.chatroom_messages_per_second,
            chatroom_join_message_types: app.chatroom_join_message_types.map(|names| names.into_iter().collect()),
            chatroom_realtime_eviction: app.chatroom_realtime_eviction,
            chatroom_status_callback: app.chatroom_status_callback,
            chatroom_kv_callback: app.chatroom_kv_callback,
            push_service: app.push_service,
            cloud_storage: app.cloud_storage,
            delete_compensation_on_timestamp_delete: app.delete_compensation_on_timestamp_delete,
            recall_own_only: app.recall_own_only,
            directed_message_cloud_storage: app.directed_message_cloud_storage,
            group_pre_join_history: app.group_pre_join_history,
        }
    }
}

/// One simulated device: an app with its engine, logged in as `user`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    /// The device's name in the scenario (`[a-z0-9_-]+`, never `server`).
    pub name: String,
    /// The user ID it connects as.
    pub user: String,
    /// Its platform class. Default mobile.
    pub platform: Platform,
    /// The engine option `kickReconnectDevice` (ENG-14). Default false.
    pub kick_reconnect_device: bool,
    /// The engine option `fileServer` (ENG-9): the file server media URLs name. Default none.
    pub file_server: Option<String>,
}

/// Where something starts in the scenario file, 1-based; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The line.
    pub line: u64,
    /// The column.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Where the step starts in the file (its key).
    pub location: Location,
    /// What it does.
    pub kind: StepKind,
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a scenario holds a few hundred steps, parsed once: size does not matter
pub enum StepKind {
    /// The app calls `connect` on `device`.
    Connect {
        /// The device.
        device: String,
        /// The `timeLimit` argument in whole seconds; `0` (or less) keeps trying (CONN-16).
        timeout_seconds: i32,
        /// Which token the app passes.
        token: TokenChoice,
    },
    /// The app calls `disconnect` on `device`.
    Disconnect {
        /// The device.
        device: String,
        /// The `receivePush` argument.
        receive_push: bool,
    },
    /// The app sends `count` text messages back to back: with `sendGroupMessageToDesignatedUsers` when `directed`
    /// is not empty (GRP-16), else with `sendMessage`.
    Send {
        /// The sending device.
        device: String,
        /// The conversation type.
        conversation_type: ConversationType,
        /// The conversation's target ID (the other user, or the group).
        target_id: String,
        /// The text, as written: message `n` (1-based) has the text [`numbered_text`]`(text, n)`.
        text: String,
        /// How many messages; 1 to [`SEND_COUNT_MAX`].
        count: u32,
        /// The users of the group a directed message goes to, in file order, as written; empty for a message to the
        /// whole conversation. Never empty for a directed message, and only for a group conversation.
        directed: Vec<String>,
        /// The name the last message is kept under, as its send's events give it (`as:`).
        keep_as: Option<String>,
    },
    /// Simulated time moves on.
    Advance(Duration),
    /// A named point in the run, where the window of a negative check with `since: NAME` opens
    /// (`crate::scenario::negative_windows`). Nothing happens.
    Checkpoint(String),
    /// Simulated time moves on with nothing injected, then the devices must have converged (the `converged`
    /// checker: every accepted private message of a stored type on its recipient's devices, nothing left sending). The liveness
    /// check after a scenario's faults are healed; explored worlds end with it.
    Converge(Duration),
    /// The network between two endpoints goes down, both ways.
    Partition(Endpoint, Endpoint),
    /// The network between two endpoints comes back, both ways (also ending a one-way partition).
    Repair(Endpoint, Endpoint),
    /// The network drops what the first endpoint sends to the second, and still carries the other way.
    PartitionOneWay {
        /// Whose frames are dropped.
        from: Endpoint,
        /// Who no longer hears them.
        to: Endpoint,
    },
    /// The network holds, without dropping, everything sent between two endpoints until a `Release`.
    Hold(Endpoint, Endpoint),
    /// Everything held between two endpoints is delivered at once, and the link carries traffic again.
    Release(Endpoint, Endpoint),
    /// Every message between two endpoints takes from `min` to `max` one way, from now on.
    Latency {
        /// One end.
        a: Endpoint,
        /// The other end.
        b: Endpoint,
        /// The shortest latency.
        min: Duration,
        /// The longest latency; at most [`LATENCY_MAX`].
        max: Duration,
    },
    /// The App Server API revokes every token issued so far to `user`.
    RevokeTokens {
        /// The user.
        user: String,
    },
    /// The App Server API bans `user` for `duration` (USER-9).
    Ban {
        /// The user.
        user: String,
        /// How long the ban lasts; never zero.
        duration: Duration,
    },
    /// The App Key's switches change mid-run, as an administrator's console change (CFG-13: at once): they become
    /// `settings.app` with the `changes` applied (each `app_settings` step starts again from `settings.app`).
    AppSettings {
        /// The switches from now on.
        settings: Box<AppSettings>,
        /// The switches the step names, with their values as written, in file order.
        changes: Vec<(String, String)>,
    },
    /// A hostile peer joins the network and attacks the server's wire (`crate::hostile`): the attack given, or one
    /// drawn from `seed`, whose bytes are drawn from `seed` too.
    HostilePeer {
        /// The attack, if the scenario names one.
        attack: Option<crate::hostile::Attack>,
        /// The seed of its bytes (and of its attack, if none is named).
        seed: u64,
    },
    /// The App Server API lifts `user`'s ban (USER-9).
    Unban {
        /// The user.
        user: String,
    },
    /// The app on `device` calls `addToBlacklist(user)` (BLACK-5).
    BlacklistAdd {
        /// The device.
        device: String,
        /// The `userId` argument, as written (it may be empty: the SDK's argument checks are under test).
        user: String,
    },
    /// The app on `device` calls `removeFromBlacklist(user)` (BLACK-6).
    BlacklistRemove {
        /// The device.
        device: String,
        /// The `userId` argument, as written.
        user: String,
    },
    /// The app on `device` calls `getBlacklistStatus(user)` (BLACK-7).
    BlacklistStatus {
        /// The device.
        device: String,
        /// The `userId` argument, as written.
        user: String,
    },
    /// The app on `device` calls `getBlacklist()` (BLACK-8).
    BlacklistGet {
        /// The device.
        device: String,
    },
    /// The App Server API creates group `group` (GRP-2, GRP-5).
    CreateGroup {
        /// The group ID; never empty.
        group: String,
        /// The group's name, as written.
        name: String,
        /// Its first members, in file order; possibly none, never one twice, never an empty ID.
        members: Vec<String>,
    },
    /// The App Server API dismisses group `group` (GRP-5).
    DismissGroup {
        /// The group ID; never empty.
        group: String,
    },
    /// The App Server API adds `users` to group `group` (GRP-6).
    AddMembers {
        /// The group ID; never empty.
        group: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// The App Server API removes `users` from group `group` (GRP-6).
    RemoveMembers {
        /// The group ID; never empty.
        group: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// The App Server API mutes `user` in group `group` (GRP-9).
    MuteMember {
        /// The group ID; never empty.
        group: String,
        /// The user; never empty.
        user: String,
        /// How long the mute lasts (never zero); `None` until the user is unmuted.
        duration: Option<Duration>,
    },
    /// The App Server API lifts `user`'s mute in group `group` (GRP-9).
    UnmuteMember {
        /// The group ID; never empty.
        group: String,
        /// The user; never empty.
        user: String,
    },
    /// The App Server API mutes the whole group `group`, except the users of `whitelist` (GRP-10).
    MuteAll {
        /// The group ID; never empty.
        group: String,
        /// The mute whitelist, in file order; possibly none, never one twice, never an empty ID.
        whitelist: Vec<String>,
    },
    /// The App Server API lifts the mute of the whole group `group` (GRP-10).
    UnmuteAll {
        /// The group ID; never empty.
        group: String,
    },
    /// The App Server API broadcasts a system message from `from` to every user of the App Key (CTYPE-7).
    ServerBroadcast {
        /// The sending (system) account; never empty.
        from: String,
        /// The content, as for `ServerSend`.
        content: MessageContent,
        /// The Server API's `isPersisted` (MTYPE-9).
        persisted: bool,
        /// The Server API's `isCounted` (MTYPE-9).
        counted: bool,
    },
    /// The App Server API sends a text message on behalf of `from` (BLACK-4).
    ServerSend {
        /// The sending user; never empty.
        from: String,
        /// The target: the receiving user (private, system) or the group; never empty.
        to: String,
        /// The message API: private, group or system.
        conversation_type: ConversationType,
        /// The content: a text (`text:`), or any content the manual's message object can hold (`content:`), a
        /// type the engine does not know (`messageType: unknown`) included.
        content: MessageContent,
        /// The Server API's `isPersisted` (MTYPE-9).
        persisted: bool,
        /// The Server API's `isCounted` (MTYPE-9).
        counted: bool,
        /// `verifyBlacklist`: whether the recipient's blacklist applies (BLACK-4). Always false for a group or
        /// system message.
        verify_blacklist: bool,
    },
    /// The app on `device` comes to the foreground (RECONN-5, RECONN-13).
    Foreground {
        /// The device.
        device: String,
    },
    /// The app on `device` goes to the background (RECONN-13).
    Background {
        /// The device.
        device: String,
    },
    /// The device's OS reports that the network is gone (RECONN-3).
    NetworkLost {
        /// The device.
        device: String,
    },
    /// The device's OS reports that the network is back (RECONN-3, RECONN-5).
    NetworkRestored {
        /// The device.
        device: String,
    },
    /// A file appears on the device's disk (its `MemoryFiles`), for a media message to name: `size` bytes of
    /// deterministic content (SEND-13, DL).
    File {
        /// The device.
        device: String,
        /// The path, as a `create…Message` call will name it.
        path: String,
        /// Its size in bytes, at most [`FILE_BYTES_MAX`].
        size: u64,
    },
    /// The app calls `RCIMIWEngine.create` again on a live device (ENG-6): the engine is destroyed and created
    /// anew, with this App Key, on the same database directory.
    Create {
        /// The device.
        device: String,
        /// The App Key the new engine is created with.
        app_key: String,
    },
    /// The app sets (`set: true`) or removes (`engine?.onX = null`) one of its engine's listeners (CALL-3).
    SetListener {
        /// The device.
        device: String,
        /// The listener, such as `onMessageReceived`.
        listener: String,
        /// Whether it is set from now on.
        set: bool,
    },
    /// The device's host crashes: the app's process is gone, its disk is kept.
    Crash {
        /// The device.
        device: String,
    },
    /// The device's host boots again after a crash, with the disk it had.
    Restart {
        /// The device.
        device: String,
    },
    /// The app is uninstalled and installed again on `device` after a crash: its database is gone, its device ID
    /// stays (SYNC-8), and the host boots.
    Reinstall {
        /// The device.
        device: String,
    },
    /// The app on `device` makes a chatroom call.
    Chatroom {
        /// The device.
        device: String,
        /// The call, with its arguments as written.
        call: ChatroomCall,
    },
    /// The App Server API administers chatrooms.
    ChatroomAdmin(ChatroomAdmin),
    /// The app on `device` calls one of the manual's methods, by its name, with its arguments.
    Call(CallStep),
    /// The app's own server calls one endpoint of the App Server API, by its path, with its parameters.
    ServerApi(ServerApiStep),
    /// A check on one device.
    Expect(Expectation),
    /// A check on the statuses of several devices, in any order (the outcome of a race).
    ExpectStatuses(StatusesExpectation),
    /// A check on the server's callbacks to the app server (CR-36, CRKV-15).
    ExpectServerCallback(CallbackExpectation),
}

/// A `call` step: one of the manual's methods, called on a device.
#[derive(Clone, Debug, PartialEq)]
pub struct CallStep {
    /// The device.
    pub device: String,
    /// The call.
    pub arguments: CallArguments,
    /// The name to keep what the call returns under (a created message), for later steps' `$name`.
    pub keep_as: Option<String>,
    /// Whether the call passes a per-call callback (CALL-4): its results then come to it, not to the listeners.
    pub callback: bool,
}

/// A `server_api` step: one endpoint of the App Server API table (`crate::server::app_api`), what its answer must
/// match, and the name to keep the answer under.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerApiStep {
    /// The endpoint.
    pub endpoint: ServerEndpoint,
    /// The parameters as written (for the trace, and to resolve `$name` references at run time).
    pub arguments: Node,
    /// The call, when the parameters hold no reference (checked when the file was read).
    pub call: Option<ServerApiCall>,
    /// What the JSON answer must match; without it, the answer's `code` must be 200.
    pub response: Option<pattern::Pattern>,
    /// The name to keep the answer under, for later steps' `$name`.
    pub keep_as: Option<String>,
}

/// A call's arguments.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per call step or queued call, carried once: size does not matter
pub enum CallArguments {
    /// Complete when the scenario was read.
    Ready(Call),
    /// With references to values kept during the run (`$m`), resolved when the device makes the call: the
    /// arguments as written, their names already checked against the method's parameters.
    Written {
        /// The method.
        method: Method,
        /// The mapping of its arguments.
        arguments: Node,
    },
}

impl CallArguments {
    /// The method called.
    pub fn method(&self) -> Method {
        match self {
            CallArguments::Ready(call) => call.method(),
            CallArguments::Written { method, .. } => *method,
        }
    }

    /// The arguments as one canonical text, such as `targetId="r1" messageCount=-1`.
    pub fn describe(&self) -> String {
        match self {
            CallArguments::Ready(call) => describe_call_arguments(call),
            CallArguments::Written { arguments, .. } => {
                let pattern = pattern::Pattern::from_node(arguments).map(|p| p.to_string());
                pattern.unwrap_or_default()
            }
        }
    }
}

/// A call's arguments as the trace shows them: `key=value`, in the manual's order, values as
/// [`pattern::render`] shows them.
pub fn describe_call_arguments(call: &Call) -> String {
    let value = serde_json::to_value(call).unwrap_or_default();
    let fields: Vec<String> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| *key != "method")
        .map(|(key, value)| format!("{key}={}", pattern::render(value)))
        .collect();
    fields.join(" ")
}

/// Which token a `connect` step passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenChoice {
    /// A fresh token for the device's user and the scenario's App Key.
    Valid,
    /// A string that is not a token at all.
    Malformed,
    /// A token issued to the user and then revoked.
    Revoked,
    /// A token signed for another App Key.
    OtherApp,
    /// A token for the device's user and the scenario's App Key whose lifetime has already passed.
    Expired,
}

impl TokenChoice {
    /// Every value, in declaration order.
    pub const ALL: &'static [TokenChoice] = &[
        TokenChoice::Valid,
        TokenChoice::Malformed,
        TokenChoice::Revoked,
        TokenChoice::OtherApp,
        TokenChoice::Expired,
    ];

    /// The name scenarios use.
    pub fn name(self) -> &'static str {
        match self {
            TokenChoice::Valid => "valid",
            TokenChoice::Malformed => "malformed",
            TokenChoice::Revoked => "revoked",
            TokenChoice::OtherApp => "other_app",
            TokenChoice::Expired => "expired",
        }
    }
}

impl fmt::Display for TokenChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One end of a network link.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// The fake server.
    Server,
    /// A device, by name.
    Device(String),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Server => f.write_str("server"),
            Endpoint::Device(name) => f.write_str(name),
        }
    }
}

/// The longest one-way latency a scenario may give a link (in `settings.latency` or a `latency` step): a minute is
/// already longer than every timeout of the protocol, and longer would only make runs slow.
pub const LATENCY_MAX: Duration = Duration::from_secs(60);

/// The most messages one `send` step may send. Every per-message cost of the engine, the server and the runner is
/// O(log n) in the work in flight, so a run's time grows linearly with the count (about 6,000 messages per wall
/// second end to end, `benches/benches/send.rs`); the bound keeps one step within about 20 s of wall time
/// and about 600 MB of memory (traces and event logs keep every message of the run).
pub const SEND_COUNT_MAX: u32 = 100_000;

/// The largest file a `file` step may put on a device: 16 MiB, 256 upload pieces. A scenario has no use for larger
/// (the file service's own limit, 100 MB, is checked by the server's tests), and every byte is held in memory.
pub const FILE_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// The content of a `file` step's file: byte `i` is `i mod 251`, a prime, so no two pieces of an upload look
/// alike.
pub fn file_content(size: u64) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

/// The text of message `n` (1-based) of a `send` step whose text is `template`: every `{n}` replaced by `n`.
pub fn numbered_text(template: &str, n: u32) -> String {
    template.replace("{n}", &n.to_string())
}

/// `d` as a scenario writes it: whole hours, minutes, seconds or milliseconds, the largest unit that is exact.
pub fn format_duration(d: Duration) -> String {
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        return format!("{d:?}");
    }
    let ms = d.as_millis();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if ms != 0 && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

impl Step {
    /// The step as one canonical line for the trace, such as `send a -> private:lisi "hello"`.
    pub fn describe(&self) -> String {
        match &self.kind {
            StepKind::Connect { device, timeout_seconds, token } => {
                format!("connect {device} timeout={timeout_seconds} token={token}")
            }
            StepKind::Disconnect { device, receive_push } => format!("disconnect {device} receive_push={receive_push}"),
            StepKind::Send { device, conversation_type, target_id, text, count, directed, keep_as } => {
                let mut line = format!("send {device} -> {conversation_type}:{target_id} {text:?}");
                if *count != 1 {
                    let _ = write!(line, " count={count}");
                }
                if !directed.is_empty() {
                    let _ = write!(line, " directed=[{}]", directed.join(", "));
                }
                if let Some(name) = keep_as {
                    let _ = write!(line, " as={name}");
                }
                line
            }
            StepKind::Advance(d) => format!("advance {}", format_duration(*d)),
            StepKind::Checkpoint(name) => format!("checkpoint {name}"),
            StepKind::Converge(d) => format!("converge {}", format_duration(*d)),
            StepKind::Partition(x, y) => format!("partition {x} <-> {y}"),
            StepKind::Repair(x, y) => format!("repair {x} <-> {y}"),
            StepKind::PartitionOneWay { from, to } => format!("partition_oneway {from} -> {to}"),
            StepKind::Hold(x, y) => format!("hold {x} <-> {y}"),
            StepKind::Release(x, y) => format!("release {x} <-> {y}"),
            StepKind::Latency { a, b, min, max } => {
                format!("latency {a} <-> {b} min={} max={}", format_duration(*min), format_duration(*max))
            }
            StepKind::RevokeTokens { user } => format!("revoke_tokens {user}"),
            StepKind::Ban { user, duration } => format!("ban {user} duration={}", format_duration(*duration)),
            StepKind::Unban { user } => format!("unban {user}"),
            StepKind::AppSettings { changes, .. } => {
                if changes.is_empty() {
                    return "app_settings as settings.app".to_owned();
                }
                let changes: Vec<String> = changes.iter().map(|(name, value)| format!("{name}={value}")).collect();
                format!("app_settings {}", changes.join(" "))
            }
            StepKind::HostilePeer { attack, seed } => match attack {
                Some(attack) => format!("hostile_peer attack={} seed={seed}", attack.name()),
                None => format!("hostile_peer seed={seed}"),
            },
            StepKind::BlacklistAdd { device, user } => format!("blacklist_add {device} {user:?}"),
            StepKind::BlacklistRemove { device, user } => format!("blacklist_remove {device} {user:?}"),
            StepKind::BlacklistStatus { device, user } => format!("blacklist_status {device} {user:?}"),
            StepKind::BlacklistGet { device } => format!("blacklist_get {device}"),
            StepKind::CreateGroup { group, name, members } => {
                format!("create_group {group} name={name:?} members=[{}]", members.join(", "))
            }
            StepKind::DismissGroup { group } => format!("dismiss_group {group}"),
            StepKind::AddMembers { group, users } => format!("add_members {group} [{}]", users.join(", ")),
            StepKind::RemoveMembers { group, users } => format!("remove_members {group} [{}]", users.join(", ")),
            StepKind::MuteMember { group, user, duration } => match duration {
                Some(duration) => format!("mute_member {group} {user} duration={}", format_duration(*duration)),
                None => format!("mute_member {group} {user} until_unmuted"),
            },
            StepKind::UnmuteMember { group, user } => format!("unmute_member {group} {user}"),
            StepKind::MuteAll { group, whitelist } => {
                format!("mute_all {group} whitelist=[{}]", whitelist.join(", "))
            }
            StepKind::UnmuteAll { group } => format!("unmute_all {group}"),
            StepKind::ServerSend { from, to, conversation_type, content, persisted, counted, verify_blacklist } => {
                let mut line = match content {
                    MessageContent::Text { text } => format!("server_send {from} -> {conversation_type}:{to} {text:?}"),
                    other => format!(
                        "server_send {from} -> {conversation_type}:{to} {}",
                        serde_json::to_string(other).unwrap_or_else(|_| other.object_name().to_owned())
                    ),
                };
                if *conversation_type == ConversationType::Private {
                    let _ = write!(line, " verify_blacklist={verify_blacklist}");
                }
                if !persisted || !counted {
                    let _ = write!(line, " persisted={persisted} counted={counted}");
                }
                line
            }
            StepKind::ServerBroadcast { from, content, persisted, counted } => {
                let mut line =
                    format!("server_broadcast {from} {}", serde_json::to_string(content).unwrap_or_default());
                if !persisted || !counted {
                    let _ = write!(line, " persisted={persisted} counted={counted}");
                }
                line
            }
            StepKind::Foreground { device } => format!("foreground {device}"),
            StepKind::Background { device } => format!("background {device}"),
            StepKind::NetworkLost { device } => format!("network_lost {device}"),
            StepKind::NetworkRestored { device } => format!("network_restored {device}"),
            StepKind::Crash { device } => format!("crash {device}"),
            StepKind::SetListener { device, listener, set } => format!("listener {device} {listener} set={set}"),
            StepKind::Create { device, app_key } => format!("create {device} app_key={app_key:?}"),
            StepKind::File { device, path, size } => format!("file {device} {path:?} {size} bytes"),
            StepKind::Restart { device } => format!("restart {device}"),
            StepKind::Reinstall { device } => format!("reinstall {device}"),
            StepKind::Chatroom { device, call } => call.describe(device),
            StepKind::ChatroomAdmin(admin) => admin.describe(),
            StepKind::Call(step) => {
                let mut line = format!("call {} {}", step.device, step.arguments.method().name());
                let arguments = step.arguments.describe();
                if !arguments.is_empty() {
                    let _ = write!(line, " {arguments}");
                }
                if step.callback {
                    line.push_str(" callback=true");
                }
                if let Some(name) = &step.keep_as {
                    let _ = write!(line, " as={name}");
                }
                line
            }
            StepKind::ServerApi(step) => {
                let mut line = format!("server_api {}", step.endpoint.path());
                if let Ok(arguments) = pattern::Pattern::from_node(&step.arguments) {
                    let _ = write!(line, " {arguments}");
                }
                if let Some(name) = &step.keep_as {
                    let _ = write!(line, " as={name}");
                }
                line
            }
            StepKind::Expect(expectation) => expectation.describe(),
            StepKind::ExpectStatuses(expectation) => expectation.describe(),
            StepKind::ExpectServerCallback(expectation) => expectation.describe(),
        }
    }
}
