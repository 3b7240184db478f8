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
mod liveness;
mod local_messages;
mod messages;
mod notification;
mod outbox;
pub mod reconnect;
mod requests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_chatroom;
#[cfg(test)]
mod tests_chatroom_kv;
#[cfg(test)]
mod tests_chatroom_moderation;
#[cfg(test)]
mod tests_messages;
#[cfg(test)]
mod tests_outbox;
#[cfg(test)]
mod tests_requests;
mod timed;

use std::collections::{BTreeMap, VecDeque};

use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use crate::codec::Deframer;
use crate::error::ErrorCode;
use crate::store::{Store, StoreError};
use crate::types::{
    BlacklistStatus, ChatRoomEntriesOperationType, ChatRoomMemberAction, ChatRoomStatus, ConnectionStatus,
    ConversationType, Message, Platform, PushNotificationLevel,
};
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
}

/// What the app's listeners receive (the manual's `on…` callbacks), in the order they happened.
///
/// Each serialises as its listener: `{ "event": "onMessageReceived", "message": { … }, "left": 0, … }`, with the
/// listener's parameter names (the conversation type is `conversationType`, as on the message, where the Dart
/// parameter is named `type`), enums under their manual names and codes as numbers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all_fields = "camelCase")]
pub enum Event {
    /// `onDatabaseOpened(code)` (CONN-4, CONN-6).
    #[serde(rename = "onDatabaseOpened")]
    DatabaseOpened {
        /// 0, or why the database could not be opened.
        code: ErrorCode,
    },
    /// `onConnected(code, userId)` (CONN-4, CONN-5): exactly one per accepted `connect` call (CONN-6).
    #[serde(rename = "onConnected")]
    Connected {
        /// 0 on success.
        code: ErrorCode,
        /// The connected user, when the token named one.
        user_id: Option<String>,
    },
    /// `onConnectionStatusChanged(status)` (CONN-7), only when the status changes (CONN-8).
    #[serde(rename = "onConnectionStatusChanged")]
    ConnectionStatusChanged {
        /// The new status.
        status: ConnectionStatus,
    },
    /// `onMessageAttached(message)` (SEND-4): the message is stored, with sent status sending; a type that is not
    /// stored is attached all the same, with `message_id` 0 (SEND-17).
    #[serde(rename = "onMessageAttached")]
    MessageAttached {
        /// The stored message (`message_id` 0 if its type is not stored).
        message: Message,
    },
    /// `onMessageSent(code, message)` (SEND-4): the send's outcome.
    #[serde(rename = "onMessageSent")]
    MessageSent {
        /// 0, or why the send failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onGroupMessageToDesignatedUsersAttached(message)` (GRP-16): a directed group message is stored, with sent
    /// status sending. A directed send reports through these two listeners, not `onMessageAttached` and
    /// `onMessageSent`.
    #[serde(rename = "onGroupMessageToDesignatedUsersAttached")]
    GroupMessageToDesignatedUsersAttached {
        /// The stored message.
        message: Message,
    },
    /// `onGroupMessageToDesignatedUsersSent(code, message)` (GRP-16): a directed group message's send result.
    #[serde(rename = "onGroupMessageToDesignatedUsersSent")]
    GroupMessageToDesignatedUsersSent {
        /// 0, or why the send failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onMessageReceived(message, left, offline, hasPackage)` (RECV-1 to RECV-9): every content message, of any
    /// type (RECV-10).
    #[serde(rename = "onMessageReceived")]
    MessageReceived {
        /// The stored message; `message_id` 0 for a type that is not stored or a status delivery.
        message: Message,
        /// Messages of this package still to be reported after this one (RECV-4).
        left: u32,
        /// Whether it is an offline message (RECV-6).
        offline: bool,
        /// Whether the server has further packages (RECV-5).
        has_package: bool,
    },
    /// The offline catch-up of this connection is complete: the last package (`hasPackage` false) is stored and
    /// acknowledged, and every message in it was reported (RECV-7). Not a listener of the manual, which lets the
    /// app infer the moment from `left` and `hasPackage`; native SDKs call it `onOfflineMessageSyncCompleted`.
    #[serde(rename = "onOfflineMessageSyncCompleted")]
    OfflineMessageSyncCompleted,
    /// `onBlacklistAdded(code, userId)` (BLACK-5).
    #[serde(rename = "onBlacklistAdded")]
    BlacklistAdded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user added.
        user_id: String,
    },
    /// `onBlacklistRemoved(code, userId)` (BLACK-6).
    #[serde(rename = "onBlacklistRemoved")]
    BlacklistRemoved {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user removed.
        user_id: String,
    },
    /// `onBlacklistStatusLoaded(code, userId, status)` (BLACK-7).
    #[serde(rename = "onBlacklistStatusLoaded")]
    BlacklistStatusLoaded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user asked about.
        user_id: String,
        /// Whether they are in the current user's blacklist (`unknown` on failure).
        status: BlacklistStatus,
    },
    /// `onBlacklistLoaded(code, userIds)` (BLACK-8).
    #[serde(rename = "onBlacklistLoaded")]
    BlacklistLoaded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The current user's blacklist, in the order the users were added (BLACK-13).
        user_ids: Vec<String>,
    },
    /// `onChatRoomJoining(targetId)` (CR-11): a join, by the app or an automatic rejoin (CR-41), is under way.
    #[serde(rename = "onChatRoomJoining")]
    ChatRoomJoining {
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomJoined(code, targetId)` (CR-11): the join's result. The fetched messages (CR-38) and the KV events
    /// (CRKV-20) come before it.
    #[serde(rename = "onChatRoomJoined")]
    ChatRoomJoined {
        /// 0, or why the join failed (23410 for a missing room, CR-39).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomLeft(code, targetId)` (CR-20): the result of `leaveChatRoom`.
    #[serde(rename = "onChatRoomLeft")]
    ChatRoomLeft {
        /// 0, or why the leave failed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomStatusChanged(targetId, status)` (CR-23, CR-43): the room was reset or destroyed.
    #[serde(rename = "onChatRoomStatusChanged")]
    ChatRoomStatusChanged {
        /// The chatroom.
        target_id: String,
        /// What happened to it.
        status: ChatRoomStatus,
    },
    /// `onChatRoomMemberChanged(targetId, actions)` (CR-24, CR-44), with the member-change switch on.
    #[serde(rename = "onChatRoomMemberChanged")]
    ChatRoomMemberChanged {
        /// The chatroom.
        target_id: String,
        /// Who joined or left, in order.
        actions: Vec<ChatRoomMemberAction>,
    },
    /// `onChatRoomMessagesLoaded(code, targetId, messages, syncTime)` (CR-25, CR-26, CR-45).
    #[serde(rename = "onChatRoomMessagesLoaded")]
    ChatRoomMessagesLoaded {
        /// 0, or why the fetch failed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The messages, in ascending sent time (CR-45); empty on failure.
        messages: Vec<Message>,
        /// The timestamp to pass to the next fetch (CR-26); 0 on failure or when nothing was returned.
        sync_time: i64,
    },
    /// `onChatRoomEntryAdded(code, targetId, key)` (CRKV-7).
    #[serde(rename = "onChatRoomEntryAdded")]
    ChatRoomEntryAdded {
        /// 0, or why the entry was not set.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key.
        key: String,
    },
    /// `onChatRoomEntriesAdded(code, targetId, entries, errorEntries)` (CRKV-8, CRKV-18).
    #[serde(rename = "onChatRoomEntriesAdded")]
    ChatRoomEntriesAdded {
        /// 0 once the request was processed, whatever happened to single keys; otherwise why it was not.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The entries asked for.
        entries: BTreeMap<String, String>,
        /// The keys that failed, each with its code.
        error_entries: BTreeMap<String, ErrorCode>,
    },
    /// `onChatRoomEntryRemoved(code, targetId, key)` (CRKV-11).
    #[serde(rename = "onChatRoomEntryRemoved")]
    ChatRoomEntryRemoved {
        /// 0, or why the entry was not removed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key.
        key: String,
    },
    /// `onChatRoomEntriesRemoved(code, targetId, keys)` (CRKV-12).
    #[serde(rename = "onChatRoomEntriesRemoved")]
    ChatRoomEntriesRemoved {
        /// 0, or why the entries were not removed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The keys asked for.
        keys: Vec<String>,
    },
    /// `onChatRoomEntriesSynced(roomId)` (CRKV-13): the KV sync after a join is done; reads now work.
    #[serde(rename = "onChatRoomEntriesSynced")]
    ChatRoomEntriesSynced {
        /// The chatroom.
        room_id: String,
    },
    /// `onChatRoomEntriesChanged(operationType, roomId, entries)` (CRKV-14, CRKV-20): all entries right after a join,
    /// and later the changes other members make.
    #[serde(rename = "onChatRoomEntriesChanged")]
    ChatRoomEntriesChanged {
        /// Set or removed.
        operation_type: ChatRoomEntriesOperationType,
        /// The chatroom.
        room_id: String,
        /// The entries set, or each removed key with its last value.
        entries: BTreeMap<String, String>,
    },
    /// `onChatRoomEntryLoaded(code, targetId, entry)` (CRKV-9): the result of `getChatRoomEntry`, from the engine's
    /// synced copy of the room's entries.
    #[serde(rename = "onChatRoomEntryLoaded")]
    ChatRoomEntryLoaded {
        /// 0, or why there is no entry (23406 not in the room, 34004 not synced yet, 23427 no such key).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key and its value; empty on failure.
        entry: BTreeMap<String, String>,
    },
    /// `onChatRoomAllEntriesLoaded(code, targetId, entries)` (CRKV-10): the result of `getChatRoomAllEntries`.
    #[serde(rename = "onChatRoomAllEntriesLoaded")]
    ChatRoomAllEntriesLoaded {
        /// 0, or why there are none (23406 not in the room, 34004 not synced yet).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// Every entry; empty on failure.
        entries: BTreeMap<String, String>,
    },
    /// `onUnreadCountLoaded(code, type, targetId, channelId, count)` (UNREAD-2): the result of `getUnreadCount`.
    #[serde(rename = "onUnreadCountLoaded")]
    UnreadCountLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The number of unread messages.
        count: u32,
    },
    /// `onTotalUnreadCountLoaded(code, channelId, count)` (UNREAD-1): the result of `getTotalUnreadCount`.
    #[serde(rename = "onTotalUnreadCountLoaded")]
    TotalUnreadCountLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The number of unread messages of every conversation but chatrooms.
        count: u32,
    },
    /// `onFirstUnreadMessageLoaded(code, type, targetId, channelId, message)` (XAPI-2): the result of
    /// `getFirstUnreadMessage`. The manual names only the callback; the listener is the real SDK's (deprecated there).
    #[serde(rename = "onFirstUnreadMessageLoaded")]
    FirstUnreadMessageLoaded {
        /// 0, or why the message could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The oldest unread received message, or `null` when there is none.
        message: Option<Message>,
    },
    /// `onMessageSentStatusChanged(code, messageId)` (XAPI-5): the result of `changeMessageSentStatus`; the real
    /// SDK's listener (deprecated there), as the manual names only the callback.
    #[serde(rename = "onMessageSentStatusChanged")]
    MessageSentStatusChanged {
        /// 0, or 34204 (`INVALID_PARAMETER_MESSAGEID`) for a message that is not stored.
        code: ErrorCode,
        /// The message, as passed.
        message_id: i64,
    },
    /// `onMessageReceiveStatusChanged(code, messageId)` (XAPI-5): the result of `changeMessageReceiveStatus`.
    #[serde(rename = "onMessageReceiveStatusChanged")]
    MessageReceiveStatusChanged {
        /// 0, or 34204 (`INVALID_PARAMETER_MESSAGEID`) for a message that is not stored.
        code: ErrorCode,
        /// The message, as passed.
        message_id: i64,
    },
    /// `onConversationTypeNotificationLevelChanged(code, type, level)` (DND-17): the result of
    /// `changeConversationTypeNotificationLevel`.
    #[serde(rename = "onConversationTypeNotificationLevelChanged")]
    ConversationTypeNotificationLevelChanged {
        /// 0, or why the server refused it.
        code: ErrorCode,
        /// The conversation type (the listener's `type`), as passed.
        conversation_type: ConversationType,
        /// The level, as passed.
        level: PushNotificationLevel,
    },
    /// `onConversationTypeNotificationLevelLoaded(code, type, level)` (DND-18, XAPI-6): the result of
    /// `getConversationTypeNotificationLevel`; `none` when never set (DND-7) or when the read failed.
    #[serde(rename = "onConversationTypeNotificationLevelLoaded")]
    ConversationTypeNotificationLevelLoaded {
        /// 0, or why the level could not be read.
        code: ErrorCode,
        /// The conversation type (the listener's `type`), as passed.
        conversation_type: ConversationType,
        /// The level.
        level: PushNotificationLevel,
    },
    /// `onUnreadCountByConversationTypesLoaded(code, conversationTypes, channelId, contain, count)` (UNREAD-3): the
    /// result of `getUnreadCountByConversationTypes`.
    #[serde(rename = "onUnreadCountByConversationTypesLoaded")]
    UnreadCountByConversationTypesLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The types, as passed.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// Whether do-not-disturb conversations count, as passed.
        contain: bool,
        /// The number of unread messages of those types.
        count: u32,
    },
}

impl Event {
    /// Every listener's name, read once from the events' JSON Schema (the `event` tag of each variant).
    pub fn listener_names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let schema = schemars::schema_for!(Event).to_value();
            let variants = schema.get("oneOf").and_then(|variants| variants.as_array()).cloned().unwrap_or_default();
            variants
                .iter()
                .filter_map(|variant| variant.pointer("/properties/event/const").and_then(|name| name.as_str()))
                .map(str::to_owned)
                .collect()
        })
    }

    /// The manual's name of the listener that receives this event, such as `onMessageReceived`: the `event` tag
    /// of its serialised form.
    pub fn listener(&self) -> &'static str {
        match self {
            Event::DatabaseOpened { .. } => "onDatabaseOpened",
            Event::Connected { .. } => "onConnected",
            Event::ConnectionStatusChanged { .. } => "onConnectionStatusChanged",
            Event::MessageAttached { .. } => "onMessageAttached",
            Event::MessageSent { .. } => "onMessageSent",
            Event::GroupMessageToDesignatedUsersAttached { .. } => "onGroupMessageToDesignatedUsersAttached",
            Event::GroupMessageToDesignatedUsersSent { .. } => "onGroupMessageToDesignatedUsersSent",
            Event::MessageReceived { .. } => "onMessageReceived",
            Event::OfflineMessageSyncCompleted => "onOfflineMessageSyncCompleted",
            Event::BlacklistAdded { .. } => "onBlacklistAdded",
            Event::BlacklistRemoved { .. } => "onBlacklistRemoved",
            Event::BlacklistStatusLoaded { .. } => "onBlacklistStatusLoaded",
            Event::BlacklistLoaded { .. } => "onBlacklistLoaded",
            Event::ChatRoomJoining { .. } => "onChatRoomJoining",
            Event::ChatRoomJoined { .. } => "onChatRoomJoined",
            Event::ChatRoomLeft { .. } => "onChatRoomLeft",
            Event::ChatRoomStatusChanged { .. } => "onChatRoomStatusChanged",
            Event::ChatRoomMemberChanged { .. } => "onChatRoomMemberChanged",
            Event::ChatRoomMessagesLoaded { .. } => "onChatRoomMessagesLoaded",
            Event::ChatRoomEntryAdded { .. } => "onChatRoomEntryAdded",
            Event::ChatRoomEntriesAdded { .. } => "onChatRoomEntriesAdded",
            Event::ChatRoomEntryRemoved { .. } => "onChatRoomEntryRemoved",
            Event::ChatRoomEntriesRemoved { .. } => "onChatRoomEntriesRemoved",
            Event::ChatRoomEntriesSynced { .. } => "onChatRoomEntriesSynced",
            Event::ChatRoomEntriesChanged { .. } => "onChatRoomEntriesChanged",
            Event::ChatRoomEntryLoaded { .. } => "onChatRoomEntryLoaded",
            Event::ChatRoomAllEntriesLoaded { .. } => "onChatRoomAllEntriesLoaded",
            Event::UnreadCountLoaded { .. } => "onUnreadCountLoaded",
            Event::TotalUnreadCountLoaded { .. } => "onTotalUnreadCountLoaded",
            Event::UnreadCountByConversationTypesLoaded { .. } => "onUnreadCountByConversationTypesLoaded",
            Event::FirstUnreadMessageLoaded { .. } => "onFirstUnreadMessageLoaded",
            Event::ConversationTypeNotificationLevelChanged { .. } => "onConversationTypeNotificationLevelChanged",
            Event::ConversationTypeNotificationLevelLoaded { .. } => "onConversationTypeNotificationLevelLoaded",
            Event::MessageSentStatusChanged { .. } => "onMessageSentStatusChanged",
            Event::MessageReceiveStatusChanged { .. } => "onMessageReceiveStatusChanged",
        }
    }
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
    /// The app call being carried out, or whose request or publish is being settled: the events emitted meanwhile
    /// answer it (CALL-4, CALL-13).
    call_context: Option<CallId>,
}

impl Core {
    /// A core for one device. `rng_seed` seeds every random choice the core makes (client message IDs).
    pub fn new(config: CoreConfig, store_opener: Box<dyn StoreOpener>, rng_seed: u64) -> Core {
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
            call_context: None,
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
        self.events.push_back(Delivery { call: self.call_context, event });
    }

    /// Queues an event for the app that answers `call`.
    fn emit_for(&mut self, call: Option<CallId>, event: Event) {
        self.events.push_back(Delivery { call, event });
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
        [ack_deadline, connect_deadline, publish_deadline, request_deadline, heartbeat_deadline, self.reconnect_at_ms]
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
    }

    fn set_status(&mut self, status: ConnectionStatus) {
        if self.status != status {
            self.status = status;
            self.emit(Event::ConnectionStatusChanged { status });
        }
    }
}
