//! The sans-I/O engine core: every protocol decision of the client, and nothing else.
//!
//! The core owns no socket, reads no clock and draws no OS entropy. The driver (or a test) feeds it inputs and
//! drains its outputs, in this contract, after the manner of `quinn-proto::Connection`:
//!
//! 1. Call an input: an API method (`connect`, `send_message` …), a transport event (`handle_transport_opened`,
//!    `handle_transport_closed`), received bytes (`handle_bytes`), or `handle_timeout` once `poll_timeout` has passed.
//!    Every input takes `now`; its `monotonic_ms` must never go backwards.
//! 2. Then drain, in this order: `poll_transport` (open, send bytes, close: in the order given) and `poll_event`
//!    (what the app's listeners receive), and read `poll_timeout` for the next deadline.
//!
//! The local database is the one synchronous dependency: the core writes to its `Store` inside the input that
//! caused the write, before it queues the acknowledgement, so "persist before acknowledge" is the order of two
//! statements here. The store is opened through a `StoreOpener`, because the user (and so the database) is known
//! only once `connect` has read the token (CONN-6).

mod chatroom;
mod chatroom_kv;
mod connection;
mod conversations;
mod create_messages;
mod event;
mod expansion;
mod history;
mod liveness;
mod local_messages;
mod media;
mod message_store;
mod messages;
mod notification;
mod outbox;
mod recall;
mod receipts;
pub mod reconnect;
mod requests;
mod signals;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_chatroom;
#[cfg(test)]
mod tests_chatroom_kv;
#[cfg(test)]
mod tests_chatroom_moderation;
#[cfg(test)]
mod tests_media;
#[cfg(test)]
mod tests_message_fields;
#[cfg(test)]
mod tests_messages;
#[cfg(test)]
mod tests_outbox;
#[cfg(test)]
mod tests_requests;
mod timed;
mod typing;
mod ultra_groups;

use std::collections::{BTreeMap, VecDeque};

use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use crate::codec::Deframer;
use crate::files::MediaFiles;
use crate::store::{Store, StoreError};
use crate::types::{ConnectionStatus, Message, Platform};
// The test modules are children of this one and take these through `use super::*`.
#[cfg(test)]
use crate::{
    error::ErrorCode,
    types::{ChatRoomEntriesOperationType, ChatRoomMemberAction, ChatRoomStatus},
};
pub use event::Event;
use reconnect::ReconnectSchedule;
use timed::TimedMap;

/// The time of an input: a monotonic clock for timers, and the wall clock for the timestamps the manual shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds on a monotonic clock with an arbitrary origin; never goes backwards.
    pub monotonic_ms: u64,
    /// Unix milliseconds (spec README decision 8).
    pub unix_ms: i64,
}

/// What the core needs to know about the device it runs on.
#[derive(Clone, Debug)]
pub struct CoreConfig {
    /// The App Key given to `create` (ENG-1).
    pub app_key: String,
    /// The device's platform class (MULTI).
    pub platform: Platform,
    /// A stable ID of this installation, sent to the server so it can tell a user's devices apart.
    pub device_id: String,
    /// ENG-14: on an automatic reconnect, `true` gives up if another device of this platform class is online
    /// (KICK-4); `false` kicks that device (KICK-5, the default, KICK-8).
    pub kick_reconnect_device: bool,
    /// RECONN-12: the interval between pings on an open connection.
    pub heartbeat_interval_ms: u64,
    /// RECONN-12: how long a ping may go unanswered before the connection is deemed dead.
    pub heartbeat_timeout_ms: u64,
    /// ENG-9, SEND-13: the file server media URLs name: the `fileServer` option, or `MEDIA_FILE_SERVER_DEFAULT`.
    pub file_server: String,
}

/// Opens the database of one user (spec: one database per user).
pub trait StoreOpener {
    /// Opens, creating it if needed, the database of `user_id` under `app_key`.
    fn open(&mut self, app_key: &str, user_id: &str) -> Result<Box<dyn Store>, StoreError>;
}

/// What the core asks of the transport, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportAction {
    /// Open a new connection to the server; answer with `handle_transport_opened` or `handle_transport_closed`.
    Open,
    /// Write these bytes (one or more whole frames) to the open connection.
    Send(Vec<u8>),
    /// Write everything queued so far, then close the connection. No `handle_transport_closed` is expected.
    Close,
}

/// The number the driver gives an app call made through the API table (`Engine::call`), which tags the events that
/// answer it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct CallId(pub u64);

/// An event and the call it answers, if it answers one: the result of a request or a publish is tagged with the
/// call that made it, and so is every event emitted while a call is carried out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The call this event answers, if it answers one made through the API table.
    pub call: Option<CallId>,
    /// The event.
    pub event: Event,
    /// Another call this event ends as well: a cancellation (the cancel call's result) ends the media send or
    /// download it cancelled (CALL-8, CALL-9, `media`). The driver hands a copy to that call's own listener, if it
    /// passed one, and clears this; otherwise the event is the ended call's end too.
    pub ends: Option<CallId>,
}

/// Where the transport is, as the core sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransportState {
    /// No connection, and none requested.
    Closed,
    /// `TransportAction::Open` was issued; waiting for the driver's answer.
    Opening,
    /// The `ConnectRequest` is sent; waiting for `ConnectAck` until `deadline_ms`.
    AwaitingConnectAck { deadline_ms: u64 },
    /// The session is open.
    Established,
}

/// The app's wish to be connected, from `connect` until `disconnect` or a connection error.
#[derive(Clone, Debug)]
struct Session {
    token: String,
    user_id: String,
    /// CONN-16: when a `connect` with a positive timeout gives up, if it has not connected by then.
    connect_deadline_ms: Option<u64>,
    /// Whether this `connect` call's one `onConnected` has been reported (CONN-6).
    connect_reported: bool,
    /// Transport attempts started for this session; every one after the first is an automatic reconnection.
    attempts: u32,
    /// The `connect` call this session answers with its one `onConnected` (CALL-13).
    call: Option<CallId>,
}

/// A publish waiting for the server's acknowledgement.
#[derive(Clone, Debug)]
struct PendingPublish {
    /// The message as attached. Its `message_id` locates a stored message; one that is not stored (SEND-17, ID 0)
    /// lives only here until it is settled.
    message: Message,
    /// The encoded `Publish` frame, re-sent as is after a reconnect, so the server can recognise it.
    frame_bytes: Vec<u8>,
    /// The order in which publishes were first sent: re-sends keep it, so a conversation's order survives a
    /// reconnect (the map's key, the client message ID, does not sort in send order).
    sequence: u64,
    /// The `sendMessage` call its `onMessageSent` answers (CALL-13).
    call: Option<CallId>,
    /// Whether it is a directed group message, reported through the designated-users listeners (GRP-16).
    designated: bool,
}

/// The sans-I/O client engine. See the module docs for the calling contract.
pub struct Core {
    config: CoreConfig,
    store_opener: Box<dyn StoreOpener>,
    /// The open database and whose it is.
    store: Option<(String, Box<dyn Store>)>,
    rng: ChaCha8Rng,
    destroyed: bool,
    status: ConnectionStatus,
    session: Option<Session>,
    transport: TransportState,
    reconnect: ReconnectSchedule,
    /// When the next reconnect attempt starts, if one is scheduled.
    reconnect_at_ms: Option<u64>,
    deframer: Deframer,
    /// Whether the OS reports a usable network (RECONN-3); attempts wait while it does not.
    network_available: bool,
    heartbeat: liveness::Heartbeat,
    /// Publishes awaiting acknowledgement, by client message ID, each with its acknowledgement deadline.
    pending_publishes: TimedMap<String, PendingPublish>,
    /// The `sequence` of the last publish sent.
    last_publish_sequence: u64,
    /// The open database's own random ID (`Store::database_id`): the first part of every client message ID.
    database_id: u64,
    /// The chatrooms the engine holds (joining or joined), by room ID.
    chatrooms: BTreeMap<String, chatroom::ChatRoom>,
    /// Requests awaiting their response, by request ID, each with its response deadline.
    /// Requests awaiting their response, each with the call it answers.
    pending_requests: TimedMap<u64, (requests::RequestKind, Option<CallId>)>,
    /// The last request ID used.
    next_request_id: u64,
    transport_actions: VecDeque<TransportAction>,
    events: VecDeque<Delivery>,
    /// The device's files, which media messages name (`files`).
    files: Box<dyn MediaFiles>,
    /// The media uploads and downloads running (`media`).
    transfers: media::Transfers,
    /// The app call being carried out, or whose request or publish is being settled: the events emitted meanwhile
    /// answer it (CALL-4, CALL-13).
    call_context: Option<CallId>,
    /// Typing status sent and received (`typing`).
    typing: typing::Typing,
}

impl Core {
    /// A core for one device. `rng_seed` seeds every random choice the core makes (client message IDs).
    pub fn new(
        config: CoreConfig,
        store_opener: Box<dyn StoreOpener>,
        files: Box<dyn MediaFiles>,
        rng_seed: u64,
    ) -> Core {
        Core {
            config,
            store_opener,
            store: None,
            rng: ChaCha8Rng::seed_from_u64(rng_seed),
            destroyed: false,
            status: ConnectionStatus::Unconnected,
            session: None,
            transport: TransportState::Closed,
            reconnect: ReconnectSchedule::default(),
            reconnect_at_ms: None,
            deframer: Deframer::new(),
            network_available: true,
            heartbeat: liveness::Heartbeat::default(),
            pending_publishes: TimedMap::default(),
            last_publish_sequence: 0,
            database_id: 0,
            chatrooms: BTreeMap::new(),
            pending_requests: TimedMap::default(),
            next_request_id: 0,
            transport_actions: VecDeque::new(),
            events: VecDeque::new(),
            files,
            transfers: media::Transfers::default(),
            call_context: None,
            typing: typing::Typing::default(),
        }
    }

    /// The current connection status (CONN-7).
    pub fn connection_status(&self) -> ConnectionStatus {
        self.status
    }

    /// The user whose database is open, if any.
    pub fn current_user_id(&self) -> Option<&str> {
        self.store.as_ref().map(|(user_id, _)| user_id.as_str())
    }

    /// The open database, for read-only queries.
    pub fn store(&self) -> Option<&dyn Store> {
        self.store.as_ref().map(|(_, store)| store.as_ref())
    }

    /// Whether `destroy` was called (ENG-5).
    pub fn is_destroyed(&self) -> bool {
        self.destroyed
    }

    /// The next transport action, if any.
    pub fn poll_transport(&mut self) -> Option<TransportAction> {
        self.transport_actions.pop_front()
    }

    /// The next event for the app, if any, with the call it answers.
    pub fn poll_event(&mut self) -> Option<Delivery> {
        self.events.pop_front()
    }

    /// Carries out an app call as call `call`: the events it emits, and those that settle its requests and
    /// publishes later, are tagged with it, so that the driver can route its result to a per-call callback (CALL-4)
    /// and a checker can count its results (CALL-13).
    pub fn within_call<R>(&mut self, call: Option<CallId>, run: impl FnOnce(&mut Core) -> R) -> R {
        let outer = std::mem::replace(&mut self.call_context, call);
        let result = run(self);
        self.call_context = outer;
        result
    }

    /// Queues an event for the app, answering the call in progress, if any.
    fn emit(&mut self, event: Event) {
        self.events.push_back(Delivery { call: self.call_context, event, ends: None });
    }

    /// Queues an event that answers the call in progress and also ends `ended` (a cancellation).
    fn emit_ending(&mut self, ended: Option<CallId>, event: Event) {
        self.events.push_back(Delivery { call: self.call_context, event, ends: ended });
    }

    /// Queues an event for the app that answers `call`.
    fn emit_for(&mut self, call: Option<CallId>, event: Event) {
        self.events.push_back(Delivery { call, event, ends: None });
    }

    /// The earliest deadline at which `handle_timeout` must be called, if any. O(log n) in the publishes and
    /// requests in flight: the driver asks after every input.
    pub fn poll_timeout(&self) -> Option<u64> {
        let ack_deadline = match self.transport {
            TransportState::AwaitingConnectAck { deadline_ms } => Some(deadline_ms),
            _ => None,
        };
        let connect_deadline = self.session.as_ref().and_then(|session| session.connect_deadline_ms);
        let publish_deadline = self.pending_publishes.earliest_deadline_ms();
        let heartbeat_deadline = self.heartbeat.deadline_ms();
        let request_deadline = self.pending_requests.earliest_deadline_ms();
        let typing_deadline = self.typing.deadline_ms();
        [
            ack_deadline,
            connect_deadline,
            publish_deadline,
            request_deadline,
            heartbeat_deadline,
            self.reconnect_at_ms,
            typing_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Handles every deadline that has passed by `now`. Spurious calls are harmless.
    pub fn handle_timeout(&mut self, now: Now) {
        if self.destroyed {
            return;
        }
        self.expire_publishes(now);
        self.expire_requests(now);
        self.handle_heartbeat_timeouts(now);
        self.handle_connection_timeouts(now);
        self.expire_typing(now);
    }

    fn set_status(&mut self, status: ConnectionStatus) {
        if self.status != status {
            crate::mark!("CONN-7");
            crate::mark!("CONN-8");
            self.status = status;
            self.emit(Event::ConnectionStatusChanged { status });
        }
    }
}
