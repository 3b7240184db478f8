//! Checkers: the invariants every run must keep, judged from its whole history when it ends.
//!
//! A scenario asserts what its author thought of; a checker asserts what must hold in every run, whatever the
//! steps, so a scenario or an explored world that breaks an invariant nobody wrote an `expect` for still fails. Each
//! checker is a small function over a [`History`]: what crossed the server's wire ([`journal`]), every event each
//! device's engine emitted, every call each app made, and what each device's database holds at the end. Each reports
//! its violations in Jepsen's vocabulary (lost, duplicated, phantom, out of order …) with examples, not just a count.
//!
//! The checkers are sound for any run: they judge only what the history proves. "Lost" is judged against what a
//! device acknowledged (an `InboxAck` promises the messages up to its cursor are committed), not against what a
//! device might still be owed when the run ends; whether everything was eventually delivered is the explorer's
//! liveness phase, which heals every fault first.
//!
//! The calling convention (exactly one result per accepted call, none for a refused one) is checked on every tick by
//! [`crate::ledger`], because its deadlines are part of the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::conversation::Conversation;
use imsim_engine::core::Event;
use imsim_engine::{ConnectionStatus, Message, Platform};

use crate::server::{AppConfig, ConnId};
use crate::world::CallRecord;

mod converged;
mod conversations;
mod delivery;
pub mod journal;
mod limits;
mod membership;
mod pages;
pub mod protocol;
mod recall;
mod receipts;
mod status;
#[cfg(test)]
mod tests;

use journal::{Delivered, Journal, Wire};

/// How many examples a violation lists; the count says how many there were.
pub const EXAMPLES_MAX: usize = 3;

/// Everything a run left behind, for the checkers.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The server's wire.
    pub journal: Journal,
    /// Each device's user, by device name (the device ID it connects with).
    pub users: BTreeMap<String, String>,
    /// The App Key whose database [`History::stored`] reads.
    pub app_key: String,
    /// Every event each device's engine listeners and per-call callbacks received, across boots, in order.
    pub events: BTreeMap<String, Vec<Event>>,
    /// Every app call each device made, with its return code.
    pub calls: BTreeMap<String, Vec<CallRecord>>,
    /// What each device's database of its user holds at the end, by `messageId`.
    pub stored: BTreeMap<String, Vec<Message>>,
    /// Each device's total unread count, as its database reports it.
    pub unread_total: BTreeMap<String, u32>,
    /// Each device's conversation list at the end, every listed type, in the list's order (CONV-7).
    pub conversations: BTreeMap<String, Vec<Conversation>>,
    /// The server's switches per App Key when the run began (the platform classes' device limits, multi-device
    /// sync); [`History::config_at`] gives them at any instant.
    pub app_configs: BTreeMap<String, AppConfig>,
    /// The switches changed mid-run, in order: when, which App Key, its switches from then on.
    pub config_changes: Vec<(Duration, String, AppConfig)>,
    /// The group memberships the App Server API changed, in order, as the runner called it (groups change off the
    /// wire, so this is the one record of them a checker can trust).
    pub group_changes: Vec<(Duration, GroupChange)>,
    /// The client send rate (CFG-11), if the server applies one.
    pub send_rate: Option<u32>,
    /// Each device's connection status when the run ended.
    pub final_status: BTreeMap<String, ConnectionStatus>,
    /// When the app was last reinstalled on a device (SYNC-8): what the device did before is the old installation's,
    /// whose database is gone, so the checkers judge only what came after (its events and connections).
    pub reinstalled_at: BTreeMap<String, Duration>,
}

pub use crate::server::GroupChange;

impl History {
    /// The switches of `app_key` in force at `at`: the last change at or before it, else those the run began
    /// with. (A change applies to what happens from its instant on, CFG-13.)
    pub fn config_at(&self, app_key: &str, at: Duration) -> Option<&AppConfig> {
        self.config_changes
            .iter()
            .rev()
            .find(|(changed_at, changed, _)| *changed_at <= at && changed == app_key)
            .map(|(_, _, config)| config)
            .or_else(|| self.app_configs.get(app_key))
    }
}

/// One invariant broken: which checker saw it, how often, and a few examples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The checker's name, such as `lost`.
    pub checker: &'static str,
    /// What the invariant is, in one line.
    pub invariant: &'static str,
    /// How many times it was broken.
    pub count: usize,
    /// Up to [`EXAMPLES_MAX`] of them.
    pub examples: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "checker {}: {} ({} times)", self.checker, self.invariant, self.count)?;
        for example in &self.examples {
            write!(f, "\n  - {example}")?;
        }
        if self.count > self.examples.len() {
            write!(f, "\n  - … and {} more", self.count - self.examples.len())?;
        }
        Ok(())
    }
}

/// A checker: its name, the invariant it judges, and the function that lists every breach of it.
pub struct Checker {
    /// A short name, used in failures and in the explorer's counters.
    pub name: &'static str,
    /// The invariant, in one line.
    pub invariant: &'static str,
    /// Every breach in `history`, described.
    pub check: fn(&History, &Index) -> Vec<String>,
}

/// Every checker, in the order their violations are reported.
pub const CHECKERS: &[Checker] = &[
    delivery::LOST,
    delivery::DUPLICATED,
    delivery::PHANTOM,
    delivery::ORDER,
    status::UNREAD,
    conversations::CONVERSATIONS,
    status::SENT_STATUS,
    pages::PAGES,
    recall::RECALL,
    receipts::RECEIPTS,
    membership::AFTER_LEAVING,
    membership::OUTSIDE_THE_GROUP,
    limits::RATE,
    limits::SIZE,
    limits::SESSIONS,
    protocol::PROTOCOL,
];

/// Runs every checker over `history`; an empty list when the run kept every invariant.
pub fn check(history: &History) -> Vec<Violation> {
    let index = Index::new(history);
    CHECKERS.iter().filter_map(|checker| checker.run(history, &index)).collect()
}

impl Checker {
    /// The violation of this checker in `history`, if there is one.
    fn run(&self, history: &History, index: &Index) -> Option<Violation> {
        let breaches = (self.check)(history, index);
        (!breaches.is_empty()).then(|| Violation {
            checker: self.name,
            invariant: self.invariant,
            count: breaches.len(),
            examples: breaches.into_iter().take(EXAMPLES_MAX).collect(),
        })
    }
}

/// Every violation, one after the other, for a failure message.
pub fn describe(violations: &[Violation]) -> String {
    let mut text = String::new();
    for violation in violations {
        let _ = writeln!(text, "{violation}");
    }
    text.trim_end().to_owned()
}

/// Who a connection was, read off its `ConnectRequest` and `ConnectAck`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The App Key it connected to.
    pub app_key: String,
    /// The device (its device ID).
    pub device: String,
    /// The platform class it claimed.
    pub platform: Option<Platform>,
    /// The user, once the server accepted the session.
    pub user: Option<String>,
}

/// What the checkers look up again and again, built once per history.
#[derive(Debug, Default)]
pub struct Index {
    /// Every connection that sent a `ConnectRequest`.
    pub sessions: BTreeMap<ConnId, Session>,
}

impl Index {
    fn new(history: &History) -> Index {
        let mut sessions: BTreeMap<ConnId, Session> = BTreeMap::new();
        for entry in history.journal.entries() {
            match &entry.wire {
                Wire::Connect { .. }
                    if history.reinstalled_at.get(Index::connecting_device(entry)).is_some_and(|at| entry.at < *at) =>
                {
                    // SYNC-8: an installation the reinstall removed; the device's database is the new one's.
                }
                Wire::Connect { app_key, device_id, platform } => {
                    let session = Session {
                        app_key: app_key.clone(),
                        device: device_id.clone(),
                        platform: *platform,
                        user: None,
                    };
                    sessions.insert(entry.conn, session);
                }
                Wire::Connected { user_id } => {
                    if let Some(session) = sessions.get_mut(&entry.conn) {
                        session.user = Some(user_id.clone());
                    }
                }
                _ => {}
            }
        }
        Index { sessions }
    }

    /// The device ID a `Connect` entry names ("" for any other entry).
    fn connecting_device(entry: &journal::Entry) -> &str {
        match &entry.wire {
            Wire::Connect { device_id, .. } => device_id,
            _ => "",
        }
    }

    /// The connections on which `device` was signed in as its user in the App Key its database belongs to: the
    /// ones whose deliveries and acknowledgements concern [`History::stored`].
    pub fn own_conns(&self, history: &History, device: &str) -> BTreeSet<ConnId> {
        let user = history.users.get(device);
        self.sessions
            .iter()
            .filter(|(_, session)| {
                session.device == device && session.app_key == history.app_key && session.user.as_ref() == user
            })
            .map(|(conn, _)| *conn)
            .collect()
    }

    /// Every message delivered on `conns`, in order.
    pub fn delivered_on<'a>(
        &self,
        history: &'a History,
        conns: &'a BTreeSet<ConnId>,
    ) -> impl Iterator<Item = &'a Delivered> + 'a {
        history.journal.entries().iter().filter(|entry| conns.contains(&entry.conn)).filter_map(|entry| {
            match &entry.wire {
                Wire::Delivered { message, .. } => Some(message),
                _ => None,
            }
        })
    }
}

/// The messages an event carries (its `message`, or each of its `messages`), read through the event's serialised
/// form so that every listener, present and future, is covered without a list here; and its `code`, if it has one.
pub fn event_messages(event: &Event) -> (Option<i64>, Vec<Message>) {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(event) else { return (None, Vec::new()) };
    let code = fields.get("code").and_then(serde_json::Value::as_i64);
    let mut messages = Vec::new();
    if let Some(message) = fields.get("message").and_then(|value| serde_json::from_value(value.clone()).ok()) {
        messages.push(message);
    }
    if let Some(serde_json::Value::Array(list)) = fields.get("messages") {
        messages.extend(list.iter().filter_map(|value| serde_json::from_value(value.clone()).ok()));
    }
    (code, messages)
}

/// The liveness invariant, judged only once every fault has been healed and the run given time to settle (the
/// `converge` step, which ends every explored world and the property tests): every private message the server
/// accepted is stored on the devices of its recipient, and no connected device still holds a message of its own as
/// sending.
pub const CONVERGED: Checker = Checker {
    name: "converged",
    invariant: "after the faults stop, every accepted private message of a stored type is on its connected recipient's devices (all \
                of them with multi-device sync; without, the one it was sent to, or any that connects if none was), \
                and nothing is left sending",
    check: converged::converged,
};

/// Runs the [`CONVERGED`] checker; an empty list when the devices converged.
pub fn check_converged(history: &History) -> Vec<Violation> {
    CONVERGED.run(history, &Index::new(history)).into_iter().collect()
}
