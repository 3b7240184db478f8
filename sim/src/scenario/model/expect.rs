//! The checks of an `expect` step: [`Expectation`], [`Check`], the event and stored-message patterns, and their
//! canonical one-line descriptions.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::types::{ConnectionStatus, ConversationType, MessageDirection, SentStatus};

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
    /// The device's app gets an event of `listener` whose serialised form matches `pattern` (the generic match).
    Event {
        /// The listener, such as `onMessagesLoaded`.
        listener: String,
        /// What its fields must be.
        pattern: Pattern,
        /// The name to keep the matched event under (its message, if it has one), for later steps' `$name`; with
        /// `times`, the last match.
        keep_as: Option<String>,
        /// How many matching events, each after the one before; 1 to `SEND_COUNT_MAX`. With a `no_event` of the
        /// same listener after it, "exactly this many".
        times: u32,
    },
    /// A per-call callback of the device (CALL-4) gets an event of `listener` matching `pattern`: the result of a
    /// call made with `callback: true`.
    Callback {
        /// The listener whose event the callback receives, such as `onChatRoomJoined`.
        listener: String,
        /// What its fields must be.
        pattern: Pattern,
        /// The name to keep the matched event under (its message, if it has one).
        keep_as: Option<String>,
    },
    /// The device's app gets no event of `listener` matching `pattern` in the check's window: from the step that
    /// acted before it, or from the checkpoint `since`, to `period` after the check begins
    /// (`crate::scenario::negative_windows`).
    NoEvent {
        /// The listener.
        listener: String,
        /// What its fields would be.
        pattern: Pattern,
        /// How long none may come after the check begins; never zero.
        period: Duration,
        /// The checkpoint the window opens at, instead of the step that acted before the check.
        since: Option<String>,
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

impl Expectation {
    /// The expectation as one canonical line, such as `expect b event messageReceived text="hello" within=5s`.
    pub fn describe(&self) -> String {
        let mut line = format!("expect {} ", self.device);
        match &self.check {
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
            Check::Event { listener, pattern, keep_as, .. } | Check::Callback { listener, pattern, keep_as } => {
                let kind = if matches!(self.check, Check::Callback { .. }) { "callback" } else { "event" };
                let _ = write!(line, "{kind} {listener} {pattern}");
                if let Check::Event { times: times @ 2.., .. } = self.check {
                    let _ = write!(line, " times={times}");
                }
                if let Some(name) = keep_as {
                    let _ = write!(line, " as={name}");
                }
            }
            Check::NoEvent { listener, pattern, period, since } => {
                // The period is the whole check; `within` adds nothing.
                let _ = write!(line, "no_event {listener} {pattern} for={}", format_duration(*period));
                if let Some(since) = since {
                    let _ = write!(line, " since={since}");
                }
                return line;
            }
        }
        let _ = write!(line, " within={}", format_duration(self.within));
        line
    }
}
