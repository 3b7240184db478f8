//! Recall (RECALL, SYNC-15, DEL-7): a recall is reported at most once per device and message, it reaches every
//! device that acknowledged its signal, and no copy but the recalling device's keeps the original content.
//!
//! A device learns of a recall in exactly one of three ways: it recalled the message itself (`onMessageRecalled`
//! with code 0), a recall signal reached the copy it held (`onRemoteMessageRecalled`), or the message reached it
//! already recalled (`onMessageReceived` of a recall notification, RECALL-11). Two of these for one message on one
//! device is a recall applied twice. And once recalled, the original lives on only in the recalling device's
//! `originalMessage` (see `engine/src/core/recall.rs`): any other copy holding it, in the store or in an event, is
//! content the recall failed to delete.
//!
//! A device that acknowledged a recall signal (an `InboxAck` at or past its sequence number) promised it committed
//! it: from then on, any copy of the message it stores is the recall notification (the server replaced the original
//! everywhere it could be fetched again, RECALL-5).

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::core::Event;
use imsim_engine::{Message, MessageContent};

use super::journal::Wire;
use super::{Checker, History, Index};
use crate::server::ConnId;

/// A recall reported twice, or an original kept where it should be gone.
pub(super) const RECALL: Checker = Checker {
    name: "recall",
    invariant: "each device learns of a message's recall at most once, holds it recalled once it acknowledged the \
                signal, and only the device that recalled it keeps the original content",
    check: recall,
};

/// The original a recall notification keeps, if `message` is one that keeps it.
fn kept_original(message: &Message) -> bool {
    matches!(&message.content, MessageContent::RecallNotification { original_message: Some(_), .. })
}

fn recall(history: &History, index: &Index) -> Vec<String> {
    let mut breaches = acknowledged_but_not_applied(history, index);
    for (device, events) in &history.events {
        // (UID, how the device learnt of its recall) for every recall this device saw.
        let mut learnt: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        // UIDs this device recalled itself: only there may the original stay.
        let mut recalled_here = BTreeSet::new();
        for event in events {
            let (how, message) = match event {
                Event::MessageRecalled { code, message } if code.is_success() => {
                    recalled_here.insert(message.message_uid.clone().unwrap_or_default());
                    ("onMessageRecalled", message)
                }
                Event::RemoteMessageRecalled { message } => ("onRemoteMessageRecalled", message),
                Event::MessageReceived { message, .. }
                    if matches!(message.content, MessageContent::RecallNotification { .. }) =>
                {
                    ("onMessageReceived", message)
                }
                _ => continue,
            };
            let Some(uid) = message.message_uid.clone() else { continue };
            if how != "onMessageRecalled" && kept_original(message) {
                breaches.push(format!("{device} was told of the recall of {uid} with its original content ({how})"));
            }
            learnt.entry(uid).or_default().push(how);
        }
        for (uid, ways) in &learnt {
            if ways.len() > 1 {
                breaches.push(format!(
                    "{device} learnt of the recall of {uid} {} times: {}",
                    ways.len(),
                    ways.join(", ")
                ));
            }
        }
        for message in history.stored.get(device).into_iter().flatten() {
            let uid = message.message_uid.clone().unwrap_or_default();
            if kept_original(message) && !recalled_here.contains(&uid) {
                breaches.push(format!("{device} stores the original of {uid}, which another device recalled"));
            }
        }
    }
    breaches
}

/// The devices that acknowledged a recall signal and still store the message it recalls as something else.
fn acknowledged_but_not_applied(history: &History, index: &Index) -> Vec<String> {
    // Per connection, the recall signals sent on it and not yet acknowledged: (sequence number, recalled UID).
    let mut waiting: BTreeMap<ConnId, Vec<(u64, String)>> = BTreeMap::new();
    // Per device, the UIDs whose recall it acknowledged.
    let mut acknowledged: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for entry in history.journal.entries() {
        match &entry.wire {
            Wire::Delivered { message, .. } if message.from_inbox() => {
                if let Some(uid) = &message.recalls {
                    waiting.entry(entry.conn).or_default().push((message.seq, uid.clone()));
                }
            }
            Wire::InboxAck { cursor } => {
                let Some(signals) = waiting.get_mut(&entry.conn) else { continue };
                let Some(device) = index.sessions.get(&entry.conn).map(|session| session.device.as_str()) else {
                    continue;
                };
                let (done, still): (Vec<_>, Vec<_>) = signals.drain(..).partition(|(seq, _)| seq <= cursor);
                *signals = still;
                acknowledged.entry(device).or_default().extend(done.into_iter().map(|(_, uid)| uid));
            }
            _ => {}
        }
    }
    let mut breaches = Vec::new();
    for (device, uids) in acknowledged {
        for message in history.stored.get(device).into_iter().flatten() {
            let Some(uid) = message.message_uid.as_ref().filter(|uid| uids.contains(*uid)) else { continue };
            if !matches!(message.content, MessageContent::RecallNotification { .. }) {
                let kind = message.message_type();
                breaches.push(format!("{device} acknowledged the recall of {uid} but stores it as a {kind} message"));
            }
        }
    }
    breaches
}
