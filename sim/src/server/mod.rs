//! The fake IM server's sans-I/O core: tokens, sessions, per-user inboxes and private messages.
//!
//! # Why sans-I/O
//!
//! The simulator must give byte-identical behaviour for the same seed, and every server rule must be testable
//! without a network. So, as the engine's core does (the quinn-proto / rustls pattern), [`Server`] is a plain
//! struct: the I/O layer feeds it what happened (`handle_*`: a connection opened, a frame arrived, a stream broke,
//! the peer went away), each call stamped with the simulation clock's `now_ms`, and polls [`Server::poll_output`]
//! for what to do (send a frame, close a connection), in FIFO order. It never reads a clock, never spawns, never
//! touches a socket, and keeps every collection it iterates ordered (`BTreeMap`, `VecDeque`), so the same inputs
//! always give the same outputs.
//!
//! The App Server API (what an app's own server does through RongCloud's Server API: create the app, register users
//! and get tokens, revoke tokens, ban users, manage blacklists, groups and chatrooms, send messages as a user or as
//! the system) is a set of plain methods on the same struct. Its endpoints are also one table, by RongCloud path
//! with JSON answers (`app_api`, [`Server::call_server_api`]), which scenarios reach through one step.
//!
//! # Layout
//!
//! - this file: the public types, frame dispatch and the connection bookkeeping shared by the rest;
//! - `config`: the per-App-Key switches (CFG-2, CFG-3, CFG-6, CFG-7, CFG-9, CFG-10, GRP-3, GRP-14);
//! - `tokens`: the App Server API's user calls, token signing and the connect-time token check (CONN-11 to
//!   CONN-14, CONN-23);
//! - `bans`: banning users (USER-9, CONN-21);
//! - `kick`: who may be online once the token is valid: bans, platform classes and kicking (KICK, MULTI);
//! - `idle`: closing connections that went silent;
//! - `sessions`: connect, offline catch-up by inbox cursor, acknowledgements, live delivery, logout (CONN, RECV,
//!   OFFLINE);
//! - `inbox`: the per-user inbox with its sequence numbers, retention, per-entry routes and package building
//!   (RECV-3, OFFLINE);
//! - `sync`: which device gets which message, with multi-device sync off or on, offline compensation and status
//!   messages (SYNC, OFFLINE-8);
//! - `publish`: client publishes (private and group), idempotent publishes, the size and rate limits and the
//!   permission checks (SEND-2, SEND-19, MSG-6, MSG-22, BLACK-2, GRP-22);
//! - `fanout`: an accepted message into its recipients' inboxes and out to their devices;
//! - `requests`: the dispatch of a client's `Request` frames to the modules below, one `Response` each;
//! - `blacklist`: blacklists, by client `Request` and by the App Server API (BLACK);
//! - `groups`: groups, members and mutes, by the App Server API (GRP);
//! - `chatroom`: chatrooms: membership by join and leave requests, offline eviction, chatroom messages with load
//!   shedding and history, KV entries, destruction, moderation (bans, mutes, queries, broadcasts), their App
//!   Server API, and the callbacks to the app's own server, drained by [`Server::take_app_server_callbacks`] (CR,
//!   CRKV, BIZ-13, BIZ-21, CR-36, CRKV-15);
//! - `sent`: the private and group messages delivered, by UID, with who took part and each one's view;
//! - `recall`: recalling a message, and the recall signal (RECALL, SYNC-15, CFG-5);
//! - `expansion`: changing a message's expansion, and the expansion signal (EXP);
//! - `receipts`: private and group read receipts, and their signals (RCPT, GRCPT);
//! - `history`: each user's cloud history (HIST, DEL);
//! - `files`: the file service media messages upload to and download from (SEND-13, DL);
//! - `server_api`: messages sent by the App Server API: private and group as a user, status and system messages,
//!   and `isIncludeSender` (BLACK-4, CTYPE-7, GRP-11, SYNC-3, SYNC-16);
//! - `app_api`: the App Server API as one table of endpoints by path, with JSON answers;
//! - `users`: user profiles, online status and deactivation (USER-6, USER-7, USER-10);
//! - `whitelist`: user whitelists (USER-11, USER-12).
//!
//! # Call contract
//!
//! - Call [`Server::handle_connection_opened`] before any frame of a connection. Frames and events for a connection
//!   the server does not know (never opened, or already closed by either side) are ignored.
//! - After every `handle_*` call, drain [`Server::poll_output`]. After a [`ServerOutput::Close`] the server has
//!   forgotten the connection: the I/O layer closes it and need not report its closing back (doing so is harmless).
//! - Call [`Server::handle_timeout`] when the time [`Server::poll_timeout`] gives comes (and re-ask after every
//!   call): that is how silent connections get closed, inactive chatrooms destroyed and, with the real-time
//!   eviction ticket, offline chatroom members evicted (at exactly their deadline if the I/O layer wakes then).
//! - `now_ms` is Unix milliseconds from the simulation's clock and should not go backwards.

pub mod app_api;
mod bans;
mod blacklist;
mod chatroom;
mod config;
mod conversations;
mod expansion;
mod fanout;
mod files;
mod groups;
mod history;
mod idle;
mod inbox;
mod kick;
mod notification;
mod publish;
mod push;
mod recall;
mod receipts;
mod requests;
mod sent;
mod server_api;
mod sessions;
mod sync;
mod tokens;
mod ultra_groups;
mod users;
mod whitelist;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use imsim_engine::codec::FrameError;
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};

pub use app_api::{
    Handled, SERVER_API_AUTH_ERROR, SERVER_API_PARAMETER_ERROR, SERVER_API_SUCCESS, ServerApiCall, ServerEndpoint,
};
pub use blacklist::BLACKLIST_FULL;
pub use chatroom::{
    APP_SERVER_CALLBACKS_MAX, AppServerCallback, CHATROOM_BROADCAST_CONTENT_BYTES_MAX, CHATROOM_EVICTION_MESSAGES,
    CHATROOM_EVICTION_OFFLINE_MS, CHATROOM_HISTORY_RETENTION_MS, CHATROOM_KV_RATE_WINDOW_MS, CHATROOM_MEMBER_QUERY_MAX,
    CHATROOM_REALTIME_EVICTION_MS, CHATROOM_SHEDDING_WINDOW_MS, ChatroomBroadcast, ChatroomInfo,
};
pub use config::{
    AppConfig, BLACKLIST_CAP_DEFAULT, CHATROOM_DESTROY_AFTER_MS_DEFAULT, CHATROOM_DESTROY_AFTER_MS_MAX,
    CHATROOM_MESSAGES_PER_SECOND_DEFAULT, COMPENSATION_DAYS_DEFAULT, COMPENSATION_DAYS_RANGE, DESKTOP_DEVICES_MAX,
    DEVELOPMENT_REGISTERED_USERS_MAX, GROUP_MEMBERS_MAX_DEFAULT, MINI_PROGRAM_DEVICES_MAX_DEFAULT,
    MOBILE_DEVICES_MAX_DEFAULT, WEB_PAGES_MAX_DEFAULT, WEB_PAGES_MAX_WITH_SYNC,
};
pub use groups::GroupChange;
pub use history::CLOUD_HISTORY_RETENTION_MS;
pub use idle::SESSION_IDLE_TIMEOUT_MS;
pub use publish::{CLIENT_MESSAGE_ID_BYTES_MAX, PUBLISH_ACKS_REMEMBERED_PER_DEVICE};
pub use server_api::{ApiMessage, BlacklistCheck, PublishOutcome};
pub use sessions::DEVICE_ID_BYTES_MAX;
pub use sync::NATURAL_DAY_UTC_OFFSET_MS_DEFAULT;
pub use tokens::ApiError;
pub use ultra_groups::{DEFAULT_CHANNEL_ID, ULTRA_GROUPS_PER_USER_MAX};
pub use users::UserProfile;

use blacklist::UserList;
use chatroom::Chatrooms;
use groups::Group;
use idle::IdleTimers;
use inbox::Inbox;
use publish::AckCache;

/// CFG-8, OFFLINE-2, OFFLINE-4: private messages are kept for offline delivery for 7 days by default.
pub const PRIVATE_OFFLINE_DAYS_DEFAULT: u32 = 7;

/// CFG-8, OFFLINE-4, GRP-12: group messages are kept for offline delivery for 7 days by default.
pub const GROUP_OFFLINE_DAYS_DEFAULT: u32 = 7;

/// OFFLINE-1 to OFFLINE-3, BIZ-16: system messages are kept for offline delivery for the default 7 days; the
/// retention settings apply only to private and group messages.
pub const SYSTEM_OFFLINE_DAYS: u32 = 7;

/// CFG-8, OFFLINE-4: the offline retention can be set from 1 to 7 days.
pub const OFFLINE_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=7;

/// OFFLINE-7, CFG-8: the largest `groupOfflineMaxCount` a scenario may ask for. imsim's bound, not the spec's (which
/// gives none): it keeps a setting that is meant to cut the queue from being used to ask for an unbounded one.
pub const GROUP_OFFLINE_MAX_COUNT_MAX: u32 = 10_000;

/// CFG-11, SEND-1, BIZ-8: a client may send at most 5 messages per second.
pub const CLIENT_SEND_RATE_DEFAULT: u32 = 5;

/// SEND-2, BIZ-25: the client send rate is measured over a sliding window of this many milliseconds, per connection.
pub const SEND_RATE_WINDOW_MS: i64 = 1_000;

const DAY_MS: i64 = 24 * 60 * 60 * 1_000;

/// A connection, as numbered by the I/O layer. Never reused within one server's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

/// Server-wide settings. Per-App-Key switches (CFG, BIZ-24) are in [`AppConfig`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// CFG-8 `privateOfflineDays`: how long a private message waits in a recipient's inbox, in days, within
    /// [`OFFLINE_DAYS_RANGE`]. A message expires once `now − sentTime` exceeds it (OFFLINE-6).
    pub private_offline_days: u32,
    /// CFG-8 `groupOfflineDays`: the same for group messages (OFFLINE-4, GRP-12), within [`OFFLINE_DAYS_RANGE`].
    pub group_offline_days: u32,
    /// CFG-11 `clientSendRate`: accepted publishes per connection per sliding second (SEND-2), or `None` for no limit.
    pub client_send_rate: Option<u32>,
    /// How long a connection may send no frame before the server closes it ([`SESSION_IDLE_TIMEOUT_MS`] by default;
    /// see [`Server::handle_timeout`]). At least 1.
    pub session_idle_timeout_ms: i64,
    /// Decision 8, SYNC-11: the time zone of "natural days" (the offline compensation window), in milliseconds east
    /// of UTC: UTC+8 ([`NATURAL_DAY_UTC_OFFSET_MS_DEFAULT`]) by default. Less than a day either way.
    pub natural_day_utc_offset_ms: i64,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            private_offline_days: PRIVATE_OFFLINE_DAYS_DEFAULT,
            group_offline_days: GROUP_OFFLINE_DAYS_DEFAULT,
            client_send_rate: Some(CLIENT_SEND_RATE_DEFAULT),
            session_idle_timeout_ms: SESSION_IDLE_TIMEOUT_MS,
            natural_day_utc_offset_ms: NATURAL_DAY_UTC_OFFSET_MS_DEFAULT,
        }
    }
}

/// What the I/O layer must do, in the order the server produced it.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "outputs are drained as soon as they are made; boxing would cost an allocation per frame"
)]
pub enum ServerOutput {
    /// Write `frame` to the connection.
    Send {
        /// The connection.
        conn: ConnId,
        /// The frame to encode and write.
        frame: proto::Frame,
    },
    /// Close the connection (after writing everything sent before). The server has already forgotten it.
    Close {
        /// The connection.
        conn: ConnId,
    },
}

/// Where a session is in its inbox synchronisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SessionPhase {
    /// Offline packages are being sent; the last one has not been acknowledged yet.
    CatchingUp,
    /// Catch-up is over: new inbox entries are pushed as they arrive.
    Live,
}

/// An open session, for checkers and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The connection carrying the session.
    pub conn: ConnId,
    /// The App Key.
    pub app_key: String,
    /// The connected user.
    pub user_id: String,
    /// The device's platform class (MULTI-3).
    pub platform: Platform,
    /// The device's stable ID.
    pub device_id: String,
    /// When the session opened (the `ConnectAck`'s `server_time`).
    pub connected_at_ms: i64,
    /// When the connection last sent a frame; it is closed once silent for `session_idle_timeout_ms`.
    pub last_frame_ms: i64,
    /// The highest inbox sequence number the device has acknowledged (or resumed from).
    pub acked_cursor: u64,
    /// The highest inbox sequence number sent to this session, in a package or a delivery.
    pub sent_cursor: u64,
    /// Catching up or live.
    pub phase: SessionPhase,
}

/// The fake IM server. See the module documentation for the call contract.
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    apps: BTreeMap<String, App>,
    conns: BTreeMap<ConnId, Conn>,
    /// When each known connection last sent a frame.
    idle: IdleTimers,
    /// How many sessions have opened so far; numbers logins in order.
    logins: u64,
    outputs: VecDeque<ServerOutput>,
}

/// One App Key's data. Apps share nothing (OVR-1).
#[derive(Debug)]
struct App {
    secret: String,
    /// The app's switches (CFG).
    config: AppConfig,
    /// Banned users, with when each ban ends (USER-9). May hold bans that have ended, until they are noticed.
    bans: BTreeMap<String, i64>,
    /// Users registered through the App Server API, with their token state.
    users: BTreeMap<String, tokens::UserRecord>,
    /// Inboxes by user ID. A private message to a user ID never registered is still kept, as RongCloud does.
    inboxes: BTreeMap<String, Inbox>,
    /// Blacklists by their owner's user ID (BLACK).
    blacklists: BTreeMap<String, UserList>,
    /// Whitelists by their owner's user ID (USER-11).
    whitelists: BTreeMap<String, whitelist::Whitelist>,
    /// The user IDs deactivated and not reactivated (USER-6).
    deactivated: BTreeSet<String>,
    /// Users muted in every group, with when the mute ends (`None`: until lifted) (GRP-9).
    group_global_mutes: BTreeMap<String, Option<i64>>,
    /// Groups by group ID (GRP).
    groups: BTreeMap<String, Group>,
    /// Chatrooms and the app's chatroom lists (CR, CRKV).
    chatrooms: Chatrooms,
    /// Open sessions by user ID.
    online: BTreeMap<String, BTreeSet<ConnId>>,
    /// What the server remembers per (user ID, device ID).
    devices: BTreeMap<(String, String), DeviceRecord>,
    /// The counter behind message UIDs (MSG-6).
    last_uid: u64,
    /// The last `sentTime` assigned, so the next is strictly later (MSG-22).
    last_sent_time_ms: Option<i64>,
    /// Each user's do-not-disturb levels, per type and per conversation (DND-17, DND-19).
    notification_levels: notification::NotificationLevels,
    /// The media files uploaded (SEND-13), by URL.
    files: files::StoredFiles,
    /// The counter behind file URLs.
    last_file: u64,
    /// Each user's cloud history, while cloud storage is on (CFG-1, HIST).
    histories: history::Histories,
    /// Each user's pinned conversations (TOP).
    pinned: conversations::PinnedStates,
    /// The private and group messages delivered, by UID, for recall and expansion (RECALL, EXP).
    sent: sent::SentMessages,
    /// Ultra groups by ID, with their members and channels (UG).
    ultra_groups: ultra_groups::UltraGroups,
}

#[derive(Debug, Default)]
struct DeviceRecord {
    /// CONN-20: the `receivePush` choice of the device's last logout, until its next successful connect.
    logout_receive_push: Option<bool>,
    /// Acknowledgements of accepted publishes, for idempotent retries.
    acks: AckCache,
    /// The highest inbox `seq` the device ever acknowledged: the messages routed to it alone up to there are
    /// consumed (SYNC-17, the `sync` module).
    acked: u64,
}

#[derive(Debug)]
enum Conn {
    /// Opened; the first frame must be a `ConnectRequest` (CONN-2).
    AwaitingConnect,
    /// `ConnectAck` 0 was sent. Boxed: a session is large and most connections in a big run are open.
    Open(Box<sessions::Session>),
}

impl Server {
    /// A server with no apps.
    ///
    /// # Panics
    ///
    /// If `config.private_offline_days` or `config.group_offline_days` is outside [`OFFLINE_DAYS_RANGE`] (CFG-8; the
    /// scenario loader checks it first), `config.session_idle_timeout_ms` is not positive or
    /// `config.natural_day_utc_offset_ms` is a day or more: a bug in the caller.
    pub fn new(config: ServerConfig) -> Server {
        for (name, days) in [("private", config.private_offline_days), ("group", config.group_offline_days)] {
            assert!(
                OFFLINE_DAYS_RANGE.contains(&days),
                "CFG-8: {name}_offline_days must be within {OFFLINE_DAYS_RANGE:?}, got {days}"
            );
        }
        assert!(config.session_idle_timeout_ms > 0, "session_idle_timeout_ms must be positive");
        assert!(config.natural_day_utc_offset_ms.abs() < DAY_MS, "natural_day_utc_offset_ms must be under a day");
        Server {
            config,
            apps: BTreeMap::new(),
            conns: BTreeMap::new(),
            idle: IdleTimers::default(),
            logins: 0,
            outputs: VecDeque::new(),
        }
    }

    /// The server's settings.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Creates an app. Idempotent: creating an existing App Key again changes nothing (its first secret stays).
    pub fn create_app(&mut self, app_key: &str, app_secret: &str) {
        self.apps.entry(app_key.to_owned()).or_insert_with(|| App {
            secret: app_secret.to_owned(),
            config: AppConfig::default(),
            bans: BTreeMap::new(),
            users: BTreeMap::new(),
            inboxes: BTreeMap::new(),
            blacklists: BTreeMap::new(),
            whitelists: BTreeMap::new(),
            deactivated: BTreeSet::new(),
            group_global_mutes: BTreeMap::new(),
            groups: BTreeMap::new(),
            chatrooms: Chatrooms::default(),
            online: BTreeMap::new(),
            devices: BTreeMap::new(),
            last_uid: 0,
            last_sent_time_ms: None,
            notification_levels: notification::NotificationLevels::default(),
            files: files::StoredFiles::default(),
            last_file: 0,
            histories: history::Histories::default(),
            pinned: conversations::PinnedStates::default(),
            sent: sent::SentMessages::default(),
            ultra_groups: ultra_groups::UltraGroups::default(),
        });
    }

    // --- connections -------------------------------------------------------------------------------------------

    /// A transport connection opened; the server now waits for its `ConnectRequest`.
    pub fn handle_connection_opened(&mut self, conn: ConnId, now_ms: i64) {
        debug_assert!(!self.conns.contains_key(&conn), "{conn:?} opened twice");
        self.forget(conn, now_ms);
        self.conns.insert(conn, Conn::AwaitingConnect);
        self.idle.heard(conn, now_ms);
    }

    /// A whole frame arrived on `conn`.
    pub fn handle_frame(&mut self, conn: ConnId, frame: proto::Frame, now_ms: i64) {
        let Some(state) = self.conns.get(&conn) else {
            return;
        };
        // Any frame, even one about to be refused, shows the peer is alive.
        self.idle.heard(conn, now_ms);
        let awaiting_connect = matches!(state, Conn::AwaitingConnect);
        let Some(body) = frame.body else {
            self.close_with_error(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME, "frame has no body", now_ms);
            return;
        };
        match body {
            Body::Connect(request) if awaiting_connect => self.handle_connect(conn, request, now_ms),
            _ if awaiting_connect => {
                let reason = format!("the first frame must be ConnectRequest, got {}", body_name(&body));
                self.close_with_error(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME, reason, now_ms);
            }
            Body::Connect(_) => {
                let reason = "ConnectRequest on an open session";
                self.close_with_error(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME, reason, now_ms);
            }
            Body::Publish(publish) => self.handle_publish(conn, publish, now_ms),
            Body::InboxAck(ack) => self.handle_inbox_ack(conn, ack.cursor, now_ms),
            Body::Logout(logout) => self.handle_logout(conn, logout.receive_push, now_ms),
            Body::Ping(ping) => self.send(conn, Body::Pong(proto::Pong { nonce: ping.nonce })),
            Body::Request(request) => self.handle_request(conn, request, now_ms),
            Body::Response(_)
            | Body::ChatroomDelivery(_)
            | Body::UltraGroupDelivery(_)
            | Body::ChatroomNotice(_)
            | Body::ConversationStates(_)
            | Body::ConnectAck(_)
            | Body::PublishAck(_)
            | Body::InboxPackage(_)
            | Body::InboxDelivery(_)
            | Body::Pong(_)
            | Body::SessionClosed(_) => {
                let reason = format!("{} is a server-to-client frame", body_name(&body));
                self.close_with_error(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME, reason, now_ms);
            }
        }
    }

    /// The byte stream of `conn` broke (oversized or undecodable frame): the server reports why and closes it.
    pub fn handle_frame_error(&mut self, conn: ConnId, error: &FrameError, now_ms: i64) {
        if self.conns.contains_key(&conn) {
            self.close_with_error(conn, error.code(), error.to_string(), now_ms);
        }
    }

    /// The peer went away (EOF, reset, or the I/O layer gave up on it). The session, if any, ends silently.
    pub fn handle_connection_closed(&mut self, conn: ConnId, now_ms: i64) {
        self.forget(conn, now_ms);
    }

    /// The next thing the I/O layer must do, in FIFO order.
    pub fn poll_output(&mut self) -> Option<ServerOutput> {
        self.outputs.pop_front()
    }

    /// Drops every inbox entry past its retention (OFFLINE-2, OFFLINE-6). Expiry also happens lazily whenever an
    /// inbox is used, so calling this is optional; it only bounds the memory of inboxes nobody reads.
    pub fn expire_inboxes(&mut self, now_ms: i64) {
        for app in self.apps.values_mut() {
            for inbox in app.inboxes.values_mut() {
                inbox.expire(now_ms);
            }
        }
    }

    // --- introspection -----------------------------------------------------------------------------------------

    /// The open sessions of a user, in connection order.
    pub fn online_sessions(&self, app_key: &str, user_id: &str) -> Vec<SessionInfo> {
        let Some(conns) = self.apps.get(app_key).and_then(|app| app.online.get(user_id)) else {
            return Vec::new();
        };
        conns.iter().filter_map(|&conn| self.session_info(conn)).collect()
    }

    /// Every open session, in connection order. With the default limits, a checker can assert that each (app,
    /// user, platform) appears at most once (MULTI-2).
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.conns.keys().filter_map(|&conn| self.session_info(conn)).collect()
    }

    /// The session on `conn`, if it is open.
    pub fn session_info(&self, conn: ConnId) -> Option<SessionInfo> {
        match self.conns.get(&conn)? {
            Conn::AwaitingConnect => None,
            Conn::Open(session) => {
                let last_frame_ms = self.idle.last_heard(conn).expect("invariant: every known connection has a timer");
                Some(session.info(conn, last_frame_ms))
            }
        }
    }

    /// How many connections the server knows, open sessions or still awaiting their `ConnectRequest`.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// How many entries of the user's inbox have not expired at `now_ms`.
    pub fn inbox_len(&self, app_key: &str, user_id: &str, now_ms: i64) -> usize {
        self.inbox(app_key, user_id).map_or(0, |inbox| inbox.unexpired_len(now_ms))
    }

    /// The sequence number of the newest entry ever appended to the user's inbox, or 0.
    pub fn inbox_last_seq(&self, app_key: &str, user_id: &str) -> u64 {
        self.inbox(app_key, user_id).map_or(0, Inbox::last_seq)
    }

    /// Whether the user is registered in the app.
    pub fn is_registered(&self, app_key: &str, user_id: &str) -> bool {
        self.apps.get(app_key).is_some_and(|app| app.users.contains_key(user_id))
    }

    /// CONN-20: the `receivePush` choice of the device's last logout, or `None` if it has connected since (or never
    /// logged out).
    pub fn logout_receive_push(&self, app_key: &str, user_id: &str, device_id: &str) -> Option<bool> {
        let app = self.apps.get(app_key)?;
        app.devices.get(&(user_id.to_owned(), device_id.to_owned()))?.logout_receive_push
    }

    // --- shared helpers ----------------------------------------------------------------------------------------

    fn inbox(&self, app_key: &str, user_id: &str) -> Option<&Inbox> {
        self.apps.get(app_key)?.inboxes.get(user_id)
    }

    fn private_retention_ms(&self) -> i64 {
        i64::from(self.config.private_offline_days) * DAY_MS
    }

    fn group_retention_ms(&self) -> i64 {
        i64::from(self.config.group_offline_days) * DAY_MS
    }

    fn send(&mut self, conn: ConnId, body: Body) {
        self.outputs.push_back(ServerOutput::Send { conn, frame: proto::Frame { body: Some(body) } });
    }

    /// Sends `SessionClosed` with `code`, then closes.
    fn close_with_error(&mut self, conn: ConnId, code: ErrorCode, reason: impl Into<String>, now_ms: i64) {
        self.send(conn, Body::SessionClosed(proto::SessionClosed { code: code.to_wire(), reason: reason.into() }));
        self.close(conn, now_ms);
    }

    fn close(&mut self, conn: ConnId, now_ms: i64) {
        self.forget(conn, now_ms);
        self.outputs.push_back(ServerOutput::Close { conn });
    }

    /// Removes the connection and its session from every index. Every way a connection ends comes through here,
    /// so this is also where its user goes offline in the chatrooms it had joined (the `chatroom` module).
    fn forget(&mut self, conn: ConnId, now_ms: i64) {
        self.idle.remove(conn);
        let Some(Conn::Open(session)) = self.conns.remove(&conn) else {
            return;
        };
        let Some(app) = self.apps.get_mut(&session.app_key) else {
            return;
        };
        if let Some(conns) = app.online.get_mut(&session.user_id) {
            conns.remove(&conn);
            if conns.is_empty() {
                app.online.remove(&session.user_id);
            }
        }
        // SYNC-17: what the device was meant to get but was never sent goes to the next device to connect.
        if let Some(inbox) = app.inboxes.get_mut(&session.user_id) {
            inbox.release(&session.device_id);
        }
        app.chatrooms.connection_closed(&session.user_id, conn, now_ms);
    }
}

/// The name of a frame body, for close reasons.
fn body_name(body: &Body) -> &'static str {
    match body {
        Body::Connect(_) => "ConnectRequest",
        Body::Publish(_) => "Publish",
        Body::InboxAck(_) => "InboxAck",
        Body::Logout(_) => "Logout",
        Body::Ping(_) => "Ping",
        Body::ConnectAck(_) => "ConnectAck",
        Body::PublishAck(_) => "PublishAck",
        Body::InboxPackage(_) => "InboxPackage",
        Body::InboxDelivery(_) => "InboxDelivery",
        Body::Pong(_) => "Pong",
        Body::SessionClosed(_) => "SessionClosed",
        Body::Request(_) => "Request",
        Body::Response(_) => "Response",
        Body::ChatroomDelivery(_) => "ChatroomDelivery",
        Body::UltraGroupDelivery(_) => "UltraGroupDelivery",
        Body::ChatroomNotice(_) => "ChatroomNotice",
        Body::ConversationStates(_) => "ConversationStates",
    }
}
