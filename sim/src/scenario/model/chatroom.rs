//! The chatroom steps: the app's chatroom and chatroom-KV calls ([`ChatroomCall`]), and the App Server API's
//! chatroom administration ([`ChatroomAdmin`]), with their canonical one-line descriptions.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::Duration;

use imsim_engine::types::TimeOrder;

use super::format_duration;
use super::pattern::abbreviated;

/// A chatroom call of the app (CR-10, CR-20, CR-25, CRKV-7, CRKV-8, CRKV-11, CRKV-12). Every argument is as the
/// scenario wrote it, even empty or out of range: the SDK's own argument checks are under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatroomCall {
    /// `joinChatRoom(targetId, messageCount, autoCreate)` (CR-10).
    Join {
        /// The `targetId` argument.
        room: String,
        /// The `messageCount` argument: -1 fetches none, 0 ten, n at most 50 (CR-38).
        count: i32,
        /// The `autoCreate` argument (CR-39).
        auto_create: bool,
    },
    /// `leaveChatRoom(targetId)` (CR-20).
    Leave {
        /// The `targetId` argument.
        room: String,
    },
    /// `getChatRoomMessages(targetId, timestamp, order, count)` (CR-25, CR-45).
    History {
        /// The `targetId` argument.
        room: String,
        /// The `timestamp` argument.
        timestamp: HistoryFrom,
        /// The `order` argument.
        order: TimeOrder,
        /// The `count` argument.
        count: i32,
    },
    /// `addChatRoomEntry(targetId, key, value, deleteWhenLeft, overwrite)` (CRKV-7).
    AddEntry {
        /// The `targetId` argument.
        room: String,
        /// The `key` argument.
        key: String,
        /// The `value` argument.
        value: String,
        /// The `deleteWhenLeft` argument (CRKV-6).
        delete_when_left: bool,
        /// The `overwrite` argument (CRKV-17).
        overwrite: bool,
    },
    /// `addChatRoomEntries(targetId, entries, deleteWhenLeft, overwrite)` (CRKV-8).
    AddEntries {
        /// The `targetId` argument.
        room: String,
        /// The `entries` argument (possibly empty).
        entries: BTreeMap<String, String>,
        /// The `deleteWhenLeft` argument (CRKV-6).
        delete_when_left: bool,
        /// The `overwrite` argument (CRKV-17).
        overwrite: bool,
    },
    /// `removeChatRoomEntry(targetId, key, force)` (CRKV-11).
    RemoveEntry {
        /// The `targetId` argument.
        room: String,
        /// The `key` argument.
        key: String,
        /// The `force` argument (CRKV-17).
        force: bool,
    },
    /// `removeChatRoomEntries(targetId, keys, force)` (CRKV-12).
    RemoveEntries {
        /// The `targetId` argument.
        room: String,
        /// The `keys` argument, in file order (possibly empty, possibly with repeats).
        keys: Vec<String>,
        /// The `force` argument (CRKV-17).
        force: bool,
    },
}

/// The `timestamp` argument of a `getChatRoomMessages` call (CR-25, CR-26).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryFrom {
    /// This timestamp, Unix milliseconds, as written; 0 starts from the newest (CR-45).
    Timestamp(i64),
    /// The `syncTime` of the device's latest `chatRoomMessagesLoaded` of the room: the next page, as CR-26 says
    /// to fetch it. The runner puts the value in when it queues the call, so the call's trace line shows it.
    SyncTime,
}

impl fmt::Display for HistoryFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryFrom::Timestamp(ms) => write!(f, "{ms}"),
            HistoryFrom::SyncTime => f.write_str("sync_time"),
        }
    }
}

impl ChatroomCall {
    /// The name of the step that makes this call, which a `call` check names too.
    pub fn step_name(&self) -> &'static str {
        match self {
            ChatroomCall::Join { .. } => "join_chatroom",
            ChatroomCall::Leave { .. } => "leave_chatroom",
            ChatroomCall::History { .. } => "chatroom_history",
            ChatroomCall::AddEntry { .. } => "kv_add",
            ChatroomCall::AddEntries { .. } => "kv_add_many",
            ChatroomCall::RemoveEntry { .. } => "kv_remove",
            ChatroomCall::RemoveEntries { .. } => "kv_remove_many",
        }
    }

    /// The call's arguments as one canonical text, such as `"r1" count=-1 auto_create=false`.
    pub fn describe_arguments(&self) -> String {
        match self {
            ChatroomCall::Join { room, count, auto_create } => {
                format!("{room:?} count={count} auto_create={auto_create}")
            }
            ChatroomCall::Leave { room } => format!("{room:?}"),
            ChatroomCall::History { room, timestamp, order, count } => {
                format!("{room:?} timestamp={timestamp} order={order} count={count}")
            }
            ChatroomCall::AddEntry { room, key, value, delete_when_left, overwrite } => {
                let (key, value) = (abbreviated(key), abbreviated(value));
                format!("{room:?} {key}={value} delete_when_left={delete_when_left} overwrite={overwrite}")
            }
            ChatroomCall::AddEntries { room, entries, delete_when_left, overwrite } => {
                let mut line = format!("{room:?} {{");
                for (i, (key, value)) in entries.iter().enumerate() {
                    let separator = if i == 0 { "" } else { ", " };
                    let _ = write!(line, "{separator}{}: {}", abbreviated(key), abbreviated(value));
                }
                let _ = write!(line, "}} delete_when_left={delete_when_left} overwrite={overwrite}");
                line
            }
            ChatroomCall::RemoveEntry { room, key, force } => {
                format!("{room:?} {} force={force}", abbreviated(key))
            }
            ChatroomCall::RemoveEntries { room, keys, force } => {
                let keys: Vec<String> = keys.iter().map(|key| abbreviated(key)).collect();
                format!("{room:?} [{}] force={force}", keys.join(", "))
            }
        }
    }

    /// The step as one canonical line, such as `join_chatroom a "r1" count=-1 auto_create=false`.
    pub fn describe(&self, device: &str) -> String {
        format!("{} {device} {}", self.step_name(), self.describe_arguments())
    }
}

/// The App Server API's chatroom administration (CR-2, CR-5, CR-7, CR-19, CR-27 to CR-35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatroomAdmin {
    /// Creates the room (idempotent).
    Create {
        /// The room ID; never empty.
        room: String,
    },
    /// Destroys the room: members get `destroyManual`.
    Destroy {
        /// The room ID; never empty.
        room: String,
    },
    /// Clears the room's history for every user (DEL-8); needs chatroom cloud history storage.
    ClearHistory {
        /// The room ID; never empty.
        room: String,
    },
    /// Puts the room on the keep-alive list (CR-7), or takes it off.
    KeepAlive {
        /// The room ID; never empty.
        room: String,
        /// On the list or off it.
        keep_alive: bool,
    },
    /// Adds users to the room's user whitelist (CR-19, CR-29).
    Whitelist {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// Removes users from the room's user whitelist.
    Unwhitelist {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// Replaces the App Key's message whitelist (CR-28): object names whose messages are never discarded.
    MessageWhitelist {
        /// The object names, in file order; possibly none, never one twice, never an empty name.
        object_names: Vec<String>,
    },
    /// Replaces the App Key's low-priority message types (CR-27).
    LowPriority {
        /// The object names, in file order; possibly none, never one twice, never an empty name.
        object_names: Vec<String>,
    },
    /// Bans users from the room (CR-15, CR-30): members are kicked, and joins answer 23409 until the ban ends.
    Ban {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
        /// How long the ban lasts; at least 1 ms.
        duration: Duration,
    },
    /// Lifts bans from the room (CR-30).
    Unban {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// Mutes users in the room (CR-31): their sends answer 23408.
    Mute {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
        /// How long the mute lasts (at least 1 ms), or `None` until unmuted.
        duration: Option<Duration>,
    },
    /// Lifts mutes in the room (CR-31).
    Unmute {
        /// The room ID; never empty.
        room: String,
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// Mutes every member of the room but the whitelist (CR-32).
    MuteAll {
        /// The room ID; never empty.
        room: String,
        /// The users who may still send, in file order; possibly none, never one twice, never an empty ID.
        whitelist: Vec<String>,
    },
    /// Lifts the mute of all members (CR-32).
    UnmuteAll {
        /// The room ID; never empty.
        room: String,
    },
    /// Mutes users in every room of the App Key (CR-33).
    GlobalMute {
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
        /// How long the mute lasts (at least 1 ms), or `None` until unmuted.
        duration: Option<Duration>,
    },
    /// Lifts global mutes (CR-33).
    GlobalUnmute {
        /// The users, in file order; at least one, never one twice, never an empty ID.
        users: Vec<String>,
    },
    /// Sends one text message into every room of the App Key (CR-35).
    Broadcast {
        /// The sender's user ID; never empty.
        from: String,
        /// The text, as written.
        text: String,
    },
}

impl ChatroomAdmin {
    /// The step as one canonical line, such as `chatroom_whitelist r1 [lisi]`.
    pub fn describe(&self) -> String {
        match self {
            ChatroomAdmin::Create { room } => format!("create_chatroom {room}"),
            ChatroomAdmin::Destroy { room } => format!("destroy_chatroom {room}"),
            ChatroomAdmin::ClearHistory { room } => format!("chatroom_clear_history {room}"),
            ChatroomAdmin::KeepAlive { room, keep_alive } => format!("chatroom_keep_alive {room} {keep_alive}"),
            ChatroomAdmin::Whitelist { room, users } => format!("chatroom_whitelist {room} [{}]", users.join(", ")),
            ChatroomAdmin::Unwhitelist { room, users } => {
                format!("chatroom_unwhitelist {room} [{}]", users.join(", "))
            }
            ChatroomAdmin::MessageWhitelist { object_names } => {
                format!("chatroom_message_whitelist [{}]", object_names.join(", "))
            }
            ChatroomAdmin::LowPriority { object_names } => {
                format!("chatroom_low_priority [{}]", object_names.join(", "))
            }
            ChatroomAdmin::Ban { room, users, duration } => {
                format!("chatroom_ban {room} [{}] duration={}", users.join(", "), format_duration(*duration))
            }
            ChatroomAdmin::Unban { room, users } => format!("chatroom_unban {room} [{}]", users.join(", ")),
            ChatroomAdmin::Mute { room, users, duration } => {
                format!("chatroom_mute {room} [{}] {}", users.join(", "), until(*duration))
            }
            ChatroomAdmin::Unmute { room, users } => format!("chatroom_unmute {room} [{}]", users.join(", ")),
            ChatroomAdmin::MuteAll { room, whitelist } => {
                format!("chatroom_mute_all {room} whitelist=[{}]", whitelist.join(", "))
            }
            ChatroomAdmin::UnmuteAll { room } => format!("chatroom_unmute_all {room}"),
            ChatroomAdmin::GlobalMute { users, duration } => {
                format!("chatroom_global_mute [{}] {}", users.join(", "), until(*duration))
            }
            ChatroomAdmin::GlobalUnmute { users } => format!("chatroom_global_unmute [{}]", users.join(", ")),
            ChatroomAdmin::Broadcast { from, text } => format!("chatroom_broadcast {from} {}", abbreviated(text)),
        }
    }
}

/// A mute's length as a step line shows it: `duration=1h`, or `until_unmuted`.
fn until(duration: Option<Duration>) -> String {
    duration.map_or_else(|| "until_unmuted".to_owned(), |duration| format!("duration={}", format_duration(duration)))
}
