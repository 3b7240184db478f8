//! The server's limits, judged from both sides: it never accepts past a limit, and it never refuses in a limit's
//! name when the limit was not reached. The send rate (CFG-11, SEND-1, SEND-2: per connection, over a sliding
//! second, status messages aside), the content size (SEND-19) and the sessions of a platform class (MULTI-2, KICK-1,
//! CFG-7).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use imsim_engine::ErrorCode;
use imsim_engine::Platform;
use imsim_engine::limits::MESSAGE_CONTENT_BYTES_MAX;

use super::journal::Wire;
use super::{Checker, History, Index};
use crate::server::{ConnId, SEND_RATE_WINDOW_MS};

/// The send rate, both ways.
pub(super) const RATE: Checker = Checker {
    name: "rate",
    invariant: "a connection gets at most the send rate of publishes accepted per sliding second, and a rate \
                refusal only when it already has that many",
    check: rate,
};

/// The content size, both ways.
pub(super) const SIZE: Checker = Checker {
    name: "size",
    invariant: "no publish over 128 KB of content is accepted, and none within it is refused for its size",
    check: size,
};

/// Sessions per platform class.
pub(super) const SESSIONS: Checker = Checker {
    name: "sessions",
    invariant: "a user never has more open sessions in a platform class than the class allows",
    check: sessions,
};

/// Each publish, by connection and client message ID, as it came in: (status message, content size).
fn publishes(history: &History) -> BTreeMap<(ConnId, &str), (bool, usize)> {
    let mut publishes = BTreeMap::new();
    for entry in history.journal.entries() {
        if let Wire::Publish { client_message_id, status_message, content_bytes, .. } = &entry.wire {
            publishes.insert((entry.conn, client_message_id.as_str()), (*status_message, *content_bytes));
        }
    }
    publishes
}

fn rate(history: &History, index: &Index) -> Vec<String> {
    let Some(limit) = history.send_rate else { return Vec::new() };
    let limit = limit as usize;
    let window = Duration::from_millis(u64::try_from(SEND_RATE_WINDOW_MS).unwrap_or(0));
    let publishes = publishes(history);
    // A repeat of an accepted publish is answered from the device's cache (SEND-4): not a new acceptance.
    let mut accepted_ids: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut accepted: BTreeMap<ConnId, VecDeque<Duration>> = BTreeMap::new();
    let mut breaches = Vec::new();
    for entry in history.journal.entries() {
        let Wire::PublishAck { client_message_id, code, .. } = &entry.wire else { continue };
        let conn = entry.conn;
        let device = index.sessions.get(&conn).map(|session| session.device.clone()).unwrap_or_default();
        let status_message = publishes.get(&(conn, client_message_id.as_str())).is_some_and(|(status, _)| *status);
        let times = accepted.entry(conn).or_default();
        while times.front().is_some_and(|&at| at + window <= entry.at) {
            times.pop_front();
        }
        if *code == 0 {
            if status_message || !accepted_ids.insert((device.clone(), client_message_id.as_str())) {
                continue;
            }
            times.push_back(entry.at);
            if times.len() > limit {
                breaches.push(format!(
                    "at {:?}: {device} had {} publishes accepted within a second (the rate is {limit})",
                    entry.at,
                    times.len()
                ));
            }
        } else if *code == ErrorCode::SEND_MSG_FREQUENCY_OVERRUN.to_wire() && times.len() < limit {
            breaches.push(format!(
                "at {:?}: {device}'s publish was refused for its rate with only {} accepted within the second \
                 (the rate is {limit})",
                entry.at,
                times.len()
            ));
        }
    }
    breaches
}

fn size(history: &History, index: &Index) -> Vec<String> {
    let publishes = publishes(history);
    let mut breaches = Vec::new();
    for entry in history.journal.entries() {
        let Wire::PublishAck { client_message_id, code, .. } = &entry.wire else { continue };
        let Some(&(_, bytes)) = publishes.get(&(entry.conn, client_message_id.as_str())) else { continue };
        let device = index.sessions.get(&entry.conn).map(|session| session.device.as_str()).unwrap_or("?");
        if *code == 0 && bytes > MESSAGE_CONTENT_BYTES_MAX {
            breaches.push(format!(
                "{device}'s publish of {bytes} bytes was accepted (the limit is {MESSAGE_CONTENT_BYTES_MAX})"
            ));
        } else if *code == ErrorCode::MSG_SIZE_OUT_OF_LIMIT.to_wire() && bytes <= MESSAGE_CONTENT_BYTES_MAX {
            breaches.push(format!("{device}'s publish of {bytes} bytes was refused for its size (the limit is {MESSAGE_CONTENT_BYTES_MAX})"));
        }
    }
    breaches
}

fn sessions(history: &History, index: &Index) -> Vec<String> {
    let mut open: BTreeMap<(&str, &str, Platform), BTreeSet<ConnId>> = BTreeMap::new();
    let mut breaches = Vec::new();
    for entry in history.journal.entries() {
        let Some(session) = index.sessions.get(&entry.conn) else { continue };
        let (Some(user), Some(platform)) = (session.user.as_deref(), session.platform) else { continue };
        let class = (session.app_key.as_str(), user, platform);
        match entry.wire {
            Wire::Connected { .. } => {
                let conns = open.entry(class).or_default();
                conns.insert(entry.conn);
                let limit =
                    history.config_at(&session.app_key, entry.at).map_or(1, |config| config.device_limit(platform));
                if conns.len() > limit as usize {
                    breaches.push(format!(
                        "at {:?}: {user} had {} open {platform} sessions (the limit is {limit})",
                        entry.at,
                        conns.len()
                    ));
                }
            }
            Wire::SessionClosed { .. } | Wire::Closed => {
                open.entry(class).or_default().remove(&entry.conn);
            }
            _ => {}
        }
    }
    breaches
}
