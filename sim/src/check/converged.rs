//! Convergence: once the faults stop and the reconnect schedule has had its time, the devices agree with the server
//! (RECV-3, RECV-11, SEND-14). Judged only at the end of a liveness phase: in the middle of a run, a message can
//! rightly be still on its way. A device the run left offline is not judged.

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::{ConnectionStatus, ConversationType, MessageDirection, SentStatus};

use super::journal::Wire;
use super::{History, Index};
use crate::server::ConnId;

pub(super) fn converged(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    // Each accepted private publish: (recipient user, UID).
    let mut targets: BTreeMap<(ConnId, &str), &str> = BTreeMap::new();
    let mut accepted: BTreeSet<(&str, &str)> = BTreeSet::new();
    for entry in history.journal.entries() {
        match &entry.wire {
            Wire::Publish { client_message_id, conversation_type, target_id, status_message: false, .. }
                if *conversation_type == ConversationType::Private.ordinal() =>
            {
                targets.insert((entry.conn, client_message_id.as_str()), target_id.as_str());
            }
            Wire::PublishAck { client_message_id, code: 0, uid } => {
                if let Some(target) = targets.get(&(entry.conn, client_message_id.as_str())) {
                    accepted.insert((target, uid.as_str()));
                }
            }
            _ => {}
        }
    }
    // SYNC-1, SYNC-2: with multi-device sync on, every device of the recipient gets the message; with it off, one
    // of them does (whichever was online first), so the user holds it on at least one device.
    let sync = history.app_configs.get(&history.app_key).is_some_and(|config| config.multi_device_sync);
    let holds = |device: &str, uid: &str| {
        history
            .stored
            .get(device)
            .is_some_and(|stored| stored.iter().any(|message| message.message_uid.as_deref() == Some(uid)))
    };
    for (device, user) in &history.users {
        // A device the run left offline (signed out, kicked, banned, never connected) owes nothing yet.
        if history.final_status.get(device) != Some(&ConnectionStatus::Connected) {
            continue;
        }
        let stored = history.stored.get(device).map(Vec::as_slice).unwrap_or_default();
        for (_, uid) in accepted.iter().filter(|(target, _)| target == user) {
            let held = if sync {
                holds(device, uid)
            } else {
                history.users.iter().any(|(other, other_user)| other_user == user && holds(other, uid))
            };
            if !held {
                let whose = if sync {
                    format!("{device} ({user}) ended connected")
                } else {
                    format!("{user}, with {device} connected, ended")
                };
                breaches.push(format!("{whose} without message {uid}, accepted for {user}"));
            }
        }
        for message in stored {
            if message.direction == MessageDirection::Send && message.sent_status == SentStatus::Sending {
                breaches
                    .push(format!("{device} ended connected with its message {} still sending", message.message_id));
            }
        }
    }
    breaches
}
