//! The checks of an `expect` step: [`Expectation`], [`Check`], the event and stored-message patterns, and their
//! canonical one-line descriptions.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::Duration;

use imsim_engine::types::{
    BlacklistStatus, ChatRoomEntriesOperationType, ChatRoomMemberActionType, ChatRoomStatus, ConnectionStatus,
    ConversationType, MessageDirection, SentStatus,
};

use super::format_duration;
use super::pattern::Pattern;

/// A check on one device, which must hold within a bound of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The device.
    pub device: String,
    /// How long the check may take to hold. Default 10s. For a [`Check::NoEvent`], its period: the check holds
    /// only once that much time has passed.
    pub within: Duration,
    /// What must hold.
    pub check: Check,
}

/// A check on the connection statuses of several devices at once, for a race whose winner the network decides
/// (which device logged in first, say): the devices' statuses are `statuses` in some order, which device has
/// which being the race's outcome. It must hold within `within`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusesExpectation {
    /// The devices, in file order; at least two, never one twice.
    pub devices: Vec<String>,
    /// Their statuses, one per device, in any order.
    pub statuses: Vec<ConnectionStatus>,
    /// How long the check may take to hold. Default 10s.
    pub within: Duration,
}

impl StatusesExpectation {
    /// Whether the devices' current statuses, in device order, are the expected ones in some order.
    pub fn holds(&self, actual: &[ConnectionStatus]) -> bool {
        let (mut actual, mut expected) = (actual.to_vec(), self.statuses.clone());
        actual.sort();
        expected.sort();
        actual == expected
    }

    /// The expectation as one canonical line, such as
    /// `expect [c, d] statuses [connected, kickedOfflineByOtherClient] in any order within=10s`.
    pub fn describe(&self) -> String {
        let statuses: Vec<&str> = self.statuses.iter().map(|status| status.manual_name()).collect();
        format!(
            "expect [{}] statuses [{}] in any order within={}",
            self.devices.join(", "),
            statuses.join(", "),
            format_duration(self.within)
        )
    }
}

/// What an expectation checks.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The device's app gets an event matching the pattern.
    Event(EventPattern),
    /// The device's app gets an event of `listener` whose serialised form matches `pattern` (the generic match).
    Listener {
        /// The listener, such as `onMessagesLoaded`.
        listener: String,
        /// What its fields must be.
        pattern: Pattern,
        /// The name to keep the matched event under (its message, if it has one), for later steps' `$name`.
        keep_as: Option<String>,
    },
    /// The device's app gets no event of `listener` matching `pattern` during `period` from the step on.
    NoListener {
        /// The listener.
        listener: String,
        /// What its fields would be.
        pattern: Pattern,
        /// How long none may come; never zero.
        period: Duration,
    },
    /// The device's app gets no event matching the pattern during `period` of simulated time from the step on.
    NoEvent {
        /// The events that must not come.
        pattern: EventPattern,
        /// How long none may come; never zero.
        period: Duration,
    },
    /// The device's connection status is this.
    Status(ConnectionStatus),
    /// The device's local database holds what `contents` says in the conversation.
    Stored {
        /// The conversation type.
        conversation_type: ConversationType,
        /// The conversation's target ID.
        target_id: String,
        /// The messages, or their number.
        contents: StoredContents,
    },
    /// An unread count on the device is `count`: one conversation's (`getUnreadCount`, UNREAD-2), or, with no
    /// conversation, the total (`getTotalUnreadCount`, UNREAD-1).
    Unread {
        /// The conversation's type and target ID; `None` for the total.
        conversation: Option<(ConversationType, String)>,
        /// The count.
        count: u32,
    },
    /// A read of the device's copy of a chatroom's KV entries (`getChatRoomAllEntries` or `getChatRoomEntry`,
    /// CRKV-9, CRKV-10) gives this.
    Entries {
        /// The `targetId` argument.
        room: String,
        /// Which read, and what it must give.
        read: EntriesRead,
    },
    /// The device's next call of `method` (such as `joinChatRoom`) returned `code` at once (0 when the engine took
    /// it, the refusal's code otherwise).
    Call {
        /// The manual's name of the method.
        method: &'static str,
        /// The call's return code.
        code: i32,
    },
}

/// What a [`Check::Entries`] reads and expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntriesRead {
    /// `getChatRoomAllEntries` gives exactly these entries.
    All(BTreeMap<String, String>),
    /// `getChatRoomEntry(key)` gives the entry with this value.
    Entry {
        /// The key.
        key: String,
        /// Its value.
        value: String,
    },
    /// The read fails with `code`: `getChatRoomEntry(key)` with a key, `getChatRoomAllEntries` without.
    Fails {
        /// The key, for `getChatRoomEntry`.
        key: Option<String>,
        /// The error code.
        code: i32,
    },
}

/// What a [`Check::Stored`] expects of a conversation in the local database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredContents {
    /// Exactly these messages, oldest first.
    Messages(Vec<StoredPattern>),
    /// Exactly this many messages, whatever they are.
    Count(usize),
}

/// What the `syncTime` of a `chatRoomMessagesLoaded` must be (CR-26, CR-45).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncTime {
    /// Exactly this, Unix milliseconds (0 for an empty page).
    At(i64),
    /// The sent time of the oldest loaded message (CR-45, order before); no match when none was loaded.
    Oldest,
    /// The sent time of the newest loaded message (CR-45, order after); no match when none was loaded.
    Newest,
}

impl SyncTime {
    /// Whether an event with these loaded messages' sent times and this `sync_time` matches.
    pub fn matches(self, sent_times: &[i64], sync_time: i64) -> bool {
        match self {
            SyncTime::At(expected) => sync_time == expected,
            SyncTime::Oldest => sent_times.iter().min() == Some(&sync_time),
            SyncTime::Newest => sent_times.iter().max() == Some(&sync_time),
        }
    }
}

impl fmt::Display for SyncTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncTime::At(ms) => write!(f, "{ms}"),
            SyncTime::Oldest => f.write_str("oldest"),
            SyncTime::Newest => f.write_str("newest"),
        }
    }
}

/// An event the app receives, and what its fields must be; `None` matches anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPattern {
    /// Which event.
    pub kind: EventKind,
    /// The error code (`0` for success).
    pub code: Option<i32>,
    /// The connection status (connectionStatusChanged).
    pub status: Option<ConnectionStatus>,
    /// The message's text.
    pub text: Option<String>,
    /// The message's sender (messageReceived).
    pub from: Option<String>,
    /// The connected user (connected).
    pub user: Option<String>,
    /// How many messages are left to receive (messageReceived).
    pub left: Option<u32>,
    /// Whether the message is an offline one (messageReceived).
    pub offline: Option<bool>,
    /// Whether more offline messages wait on the server (messageReceived).
    pub has_package: Option<bool>,
    /// The message's sent status.
    pub sent_status: Option<SentStatus>,
    /// Whether the user is in the blacklist (blacklistStatusLoaded).
    pub blacklist_status: Option<BlacklistStatus>,
    /// The whole blacklist, in order (blacklistLoaded).
    pub users: Option<Vec<String>>,
    /// The chatroom (the chatroom events; for messageReceived, a chatroom message of that room).
    pub room: Option<String>,
    /// What happened to the room (chatRoomStatusChanged).
    pub chatroom_status: Option<ChatRoomStatus>,
    /// A member action the event must hold, with `user` (chatRoomMemberChanged).
    pub action: Option<ChatRoomMemberActionType>,
    /// The texts of the loaded messages, all of them in order (chatRoomMessagesLoaded).
    pub texts: Option<Vec<String>>,
    /// The timestamp for the next fetch (chatRoomMessagesLoaded).
    pub sync_time: Option<SyncTime>,
    /// The KV key (chatRoomEntryAdded, chatRoomEntryRemoved).
    pub key: Option<String>,
    /// The keys that failed with their codes, all of them (chatRoomEntriesAdded).
    pub error_entries: Option<BTreeMap<String, i32>>,
    /// The keys asked for, all of them in order (chatRoomEntriesRemoved).
    pub keys: Option<Vec<String>>,
    /// Set or removed (chatRoomEntriesChanged).
    pub operation: Option<ChatRoomEntriesOperationType>,
    /// The entries, all of them (chatRoomEntriesChanged; chatRoomEntriesAdded: the entries asked for).
    pub entries: Option<BTreeMap<String, String>>,
}

impl EventPattern {
    /// A pattern matching any event of `kind`.
    pub fn new(kind: EventKind) -> EventPattern {
        EventPattern {
            kind,
            code: None,
            status: None,
            text: None,
            from: None,
            user: None,
            left: None,
            offline: None,
            has_package: None,
            sent_status: None,
            blacklist_status: None,
            users: None,
            room: None,
            chatroom_status: None,
            action: None,
            texts: None,
            sync_time: None,
            key: None,
            error_entries: None,
            keys: None,
            operation: None,
            entries: None,
        }
    }
}

/// The app events a scenario can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// `onDatabaseOpened`.
    DatabaseOpened,
    /// `onConnected`.
    Connected,
    /// `onConnectionStatusChanged`.
    ConnectionStatusChanged,
    /// `onMessageAttached`.
    MessageAttached,
    /// `onMessageSent`.
    MessageSent,
    /// `onMessageReceived`.
    MessageReceived,
    /// The end of a connection's offline catch-up (RECV-7; `onOfflineMessageSyncCompleted` in native SDKs).
    OfflineMessageSyncCompleted,
    /// `onBlacklistAdded` (BLACK-5).
    BlacklistAdded,
    /// `onBlacklistRemoved` (BLACK-6).
    BlacklistRemoved,
    /// `onBlacklistStatusLoaded` (BLACK-7).
    BlacklistStatusLoaded,
    /// `onBlacklistLoaded` (BLACK-8).
    BlacklistLoaded,
    /// `onChatRoomJoining` (CR-11).
    ChatRoomJoining,
    /// `onChatRoomJoined` (CR-11).
    ChatRoomJoined,
    /// `onChatRoomLeft` (CR-20).
    ChatRoomLeft,
    /// `onChatRoomStatusChanged` (CR-23, CR-43).
    ChatRoomStatusChanged,
    /// `onChatRoomMemberChanged` (CR-24, CR-44).
    ChatRoomMemberChanged,
    /// `onChatRoomMessagesLoaded` (CR-25, CR-26).
    ChatRoomMessagesLoaded,
    /// `onChatRoomEntryAdded` (CRKV-7).
    ChatRoomEntryAdded,
    /// `onChatRoomEntriesAdded` (CRKV-8).
    ChatRoomEntriesAdded,
    /// `onChatRoomEntryRemoved` (CRKV-11).
    ChatRoomEntryRemoved,
    /// `onChatRoomEntriesRemoved` (CRKV-12).
    ChatRoomEntriesRemoved,
    /// `onChatRoomEntriesSynced` (CRKV-13).
    ChatRoomEntriesSynced,
    /// `onChatRoomEntriesChanged` (CRKV-14).
    ChatRoomEntriesChanged,
}

impl EventKind {
    /// Every value, in declaration order.
    pub const ALL: &'static [EventKind] = &[
        EventKind::DatabaseOpened,
        EventKind::Connected,
        EventKind::ConnectionStatusChanged,
        EventKind::MessageAttached,
        EventKind::MessageSent,
        EventKind::MessageReceived,
        EventKind::OfflineMessageSyncCompleted,
        EventKind::BlacklistAdded,
        EventKind::BlacklistRemoved,
        EventKind::BlacklistStatusLoaded,
        EventKind::BlacklistLoaded,
        EventKind::ChatRoomJoining,
        EventKind::ChatRoomJoined,
        EventKind::ChatRoomLeft,
        EventKind::ChatRoomStatusChanged,
        EventKind::ChatRoomMemberChanged,
        EventKind::ChatRoomMessagesLoaded,
        EventKind::ChatRoomEntryAdded,
        EventKind::ChatRoomEntriesAdded,
        EventKind::ChatRoomEntryRemoved,
        EventKind::ChatRoomEntriesRemoved,
        EventKind::ChatRoomEntriesSynced,
        EventKind::ChatRoomEntriesChanged,
    ];

    /// The name scenarios use (the manual's callback name without `on`).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::DatabaseOpened => "databaseOpened",
            EventKind::Connected => "connected",
            EventKind::ConnectionStatusChanged => "connectionStatusChanged",
            EventKind::MessageAttached => "messageAttached",
            EventKind::MessageSent => "messageSent",
            EventKind::MessageReceived => "messageReceived",
            EventKind::OfflineMessageSyncCompleted => "offlineMessageSyncCompleted",
            EventKind::BlacklistAdded => "blacklistAdded",
            EventKind::BlacklistRemoved => "blacklistRemoved",
            EventKind::BlacklistStatusLoaded => "blacklistStatusLoaded",
            EventKind::BlacklistLoaded => "blacklistLoaded",
            EventKind::ChatRoomJoining => "chatRoomJoining",
            EventKind::ChatRoomJoined => "chatRoomJoined",
            EventKind::ChatRoomLeft => "chatRoomLeft",
            EventKind::ChatRoomStatusChanged => "chatRoomStatusChanged",
            EventKind::ChatRoomMemberChanged => "chatRoomMemberChanged",
            EventKind::ChatRoomMessagesLoaded => "chatRoomMessagesLoaded",
            EventKind::ChatRoomEntryAdded => "chatRoomEntryAdded",
            EventKind::ChatRoomEntriesAdded => "chatRoomEntriesAdded",
            EventKind::ChatRoomEntryRemoved => "chatRoomEntryRemoved",
            EventKind::ChatRoomEntriesRemoved => "chatRoomEntriesRemoved",
            EventKind::ChatRoomEntriesSynced => "chatRoomEntriesSynced",
            EventKind::ChatRoomEntriesChanged => "chatRoomEntriesChanged",
        }
    }

    /// The pattern fields that apply to this event, in canonical order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            EventKind::DatabaseOpened => &["code"],
            EventKind::Connected => &["code", "user"],
            EventKind::ConnectionStatusChanged => &["status"],
            EventKind::MessageAttached => &["text", "sent_status"],
            EventKind::MessageSent => &["code", "text", "sent_status"],
            EventKind::MessageReceived => &["text", "from", "left", "offline", "has_package", "sent_status", "room"],
            EventKind::OfflineMessageSyncCompleted => &[],
            EventKind::BlacklistAdded | EventKind::BlacklistRemoved => &["code", "user"],
            EventKind::BlacklistStatusLoaded => &["code", "user", "blacklist_status"],
            EventKind::BlacklistLoaded => &["code", "users"],
            EventKind::ChatRoomJoining | EventKind::ChatRoomEntriesSynced => &["room"],
            EventKind::ChatRoomJoined | EventKind::ChatRoomLeft => &["code", "room"],
            EventKind::ChatRoomStatusChanged => &["room", "chatroom_status"],
            EventKind::ChatRoomMemberChanged => &["room", "user", "action"],
            EventKind::ChatRoomMessagesLoaded => &["code", "room", "texts", "sync_time"],
            EventKind::ChatRoomEntryAdded | EventKind::ChatRoomEntryRemoved => &["code", "room", "key"],
            EventKind::ChatRoomEntriesAdded => &["code", "room", "entries", "error_entries"],
            EventKind::ChatRoomEntriesRemoved => &["code", "room", "keys"],
            EventKind::ChatRoomEntriesChanged => &["room", "operation", "entries"],
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A message expected in the local database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPattern {
    /// Sent or received.
    pub direction: MessageDirection,
    /// The text.
    pub text: String,
    /// The sent status, if it matters.
    pub sent_status: Option<SentStatus>,
}

impl EventPattern {
    /// The pattern as the trace and failure messages show it, such as `event messageReceived text="hello"`.
    pub fn describe(&self) -> String {
        format!("event {}", self.describe_fields())
    }

    /// The event's name and the fields that must match, such as `messageReceived text="hello"`.
    fn describe_fields(&self) -> String {
        let pattern = self;
        let mut line = pattern.kind.to_string();
        if let Some(code) = pattern.code {
            let _ = write!(line, " code={code}");
        }
        if let Some(status) = pattern.status {
            let _ = write!(line, " status={status}");
        }
        if let Some(text) = &pattern.text {
            let _ = write!(line, " text={text:?}");
        }
        if let Some(from) = &pattern.from {
            let _ = write!(line, " from={from:?}");
        }
        if let Some(user) = &pattern.user {
            let _ = write!(line, " user={user:?}");
        }
        if let Some(left) = pattern.left {
            let _ = write!(line, " left={left}");
        }
        if let Some(offline) = pattern.offline {
            let _ = write!(line, " offline={offline}");
        }
        if let Some(has_package) = pattern.has_package {
            let _ = write!(line, " has_package={has_package}");
        }
        if let Some(sent_status) = pattern.sent_status {
            let _ = write!(line, " sent_status={sent_status}");
        }
        if let Some(blacklist_status) = pattern.blacklist_status {
            let _ = write!(line, " blacklist_status={blacklist_status}");
        }
        if let Some(users) = &pattern.users {
            let _ = write!(line, " users={users:?}");
        }
        if let Some(room) = &pattern.room {
            let _ = write!(line, " room={room:?}");
        }
        if let Some(chatroom_status) = pattern.chatroom_status {
            let _ = write!(line, " chatroom_status={chatroom_status}");
        }
        if let Some(action) = pattern.action {
            let _ = write!(line, " action={action}");
        }
        if let Some(texts) = &pattern.texts {
            let _ = write!(line, " texts={texts:?}");
        }
        if let Some(sync_time) = pattern.sync_time {
            let _ = write!(line, " sync_time={sync_time}");
        }
        if let Some(key) = &pattern.key {
            let _ = write!(line, " key={key:?}");
        }
        if let Some(error_entries) = &pattern.error_entries {
            let _ = write!(line, " error_entries={error_entries:?}");
        }
        if let Some(keys) = &pattern.keys {
            let _ = write!(line, " keys={keys:?}");
        }
        if let Some(operation) = pattern.operation {
            let _ = write!(line, " operation={operation}");
        }
        if let Some(entries) = &pattern.entries {
            let _ = write!(line, " entries={entries:?}");
        }
        line
    }
}

impl Expectation {
    /// The expectation as one canonical line, such as `expect b event messageReceived text="hello" within=5s`.
    pub fn describe(&self) -> String {
        let mut line = format!("expect {} ", self.device);
        match &self.check {
            Check::Event(pattern) => line.push_str(&pattern.describe()),
            Check::NoEvent { pattern, period } => {
                // The period is the whole check; `within` adds nothing.
                let _ = write!(line, "no_event {} for={}", pattern.describe_fields(), format_duration(*period));
                return line;
            }
            Check::Status(status) => {
                let _ = write!(line, "status {status}");
            }
            Check::Stored { conversation_type, target_id, contents } => {
                let _ = write!(line, "stored {conversation_type}:{target_id} ");
                match contents {
                    StoredContents::Messages(messages) => {
                        line.push('[');
                        for (i, message) in messages.iter().enumerate() {
                            let separator = if i == 0 { "" } else { ", " };
                            let _ = write!(line, "{separator}{} {:?}", message.direction, message.text);
                            if let Some(sent_status) = message.sent_status {
                                let _ = write!(line, " sent_status={sent_status}");
                            }
                        }
                        line.push(']');
                    }
                    StoredContents::Count(count) => {
                        let _ = write!(line, "count={count}");
                    }
                }
            }
            Check::Unread { conversation, count } => match conversation {
                Some((conversation_type, target_id)) => {
                    let _ = write!(line, "unread {conversation_type}:{target_id} count={count}");
                }
                None => {
                    let _ = write!(line, "unread total={count}");
                }
            },
            Check::Entries { room, read } => {
                let _ = write!(line, "entries {room:?} ");
                match read {
                    EntriesRead::All(entries) => {
                        let _ = write!(line, "all={entries:?}");
                    }
                    EntriesRead::Entry { key, value } => {
                        let _ = write!(line, "key={key:?} value={value:?}");
                    }
                    EntriesRead::Fails { key: Some(key), code } => {
                        let _ = write!(line, "key={key:?} code={code}");
                    }
                    EntriesRead::Fails { key: None, code } => {
                        let _ = write!(line, "all code={code}");
                    }
                }
            }
            Check::Call { method, code } => {
                let _ = write!(line, "call {method} code={code}");
            }
            Check::Listener { listener, pattern, keep_as } => {
                let _ = write!(line, "event {listener} {pattern}");
                if let Some(name) = keep_as {
                    let _ = write!(line, " as={name}");
                }
            }
            Check::NoListener { listener, pattern, period } => {
                let _ = write!(line, "no_event {listener} {pattern} for={}", format_duration(*period));
                return line;
            }
        }
        let _ = write!(line, " within={}", format_duration(self.within));
        line
    }
}
