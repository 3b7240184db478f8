//! Convergence: once the faults stop and the reconnect schedule has had its time, the devices agree with the server
//! (RECV-3, RECV-11, SEND-14). Judged only at the end of a liveness phase: in the middle of a run, a message can
//! rightly be still on its way. A device the run left offline is not judged.

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::core::Event;
use imsim_engine::{ConnectionStatus, ConversationType, MessageDirection, SentStatus};

use super::journal::Wire;
use super::{History, Index};
use crate::server::ConnId;

pub(super) fn converged(history: &History, index: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    // Each accepted private publish of a stored type: (recipient user, UID), with whether multi-device sync was on
    // when the server accepted it (a message keeps the mode it was sent in, CFG-13).
    let mut targets: BTreeMap<(ConnId, &str), &str> = BTreeMap::new();
    let mut accepted: BTreeMap<(&str, &str), (bool, std::time::Duration)> = BTreeMap::new();
    for entry in history.journal.entries() {
        match &entry.wire {
            Wire::Publish {
                client_message_id,
                conversation_type,
                target_id,
                status_message: false,
                stored_type: true,
                ..
            } if *conversation_type == ConversationType::Private.ordinal() => {
                targets.insert((entry.conn, client_message_id.as_str()), target_id.as_str());
            }
            Wire::PublishAck { client_message_id, code: 0, uid } => {
                if let Some(target) = targets.get(&(entry.conn, client_message_id.as_str())) {
                    let sync =
                        history.config_at(&history.app_key, entry.at).is_some_and(|config| config.multi_device_sync);
                    accepted.entry((target, uid.as_str())).or_insert((sync, entry.at));
                }
            }
            _ => {}
        }
    }
    // SYNC-17: with multi-device sync off, a message belongs to the one device the server first sent it to (a
    // device that was sent it and never came back keeps it); one never sent belongs to the next device to connect.
    // A delivery to an installation a reinstall removed counts as well: the message went to that device, and left
    // with its database (SYNC-8).
    let mut sent_to: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut devices_of_conns: BTreeMap<ConnId, &str> = BTreeMap::new();
    for entry in history.journal.entries() {
        match &entry.wire {
            Wire::Connect { device_id, .. } => {
                devices_of_conns.insert(entry.conn, device_id.as_str());
            }
            Wire::Delivered { message, .. } => {
                let device = index.sessions.get(&entry.conn).map(|session| session.device.as_str());
                if let Some(device) = device.or_else(|| devices_of_conns.get(&entry.conn).copied()) {
                    sent_to.entry(message.uid.as_str()).or_default().insert(device);
                }
            }
            _ => {}
        }
    }
    // SYNC-1, SYNC-2: with multi-device sync on, every device of the recipient gets the message; with it off, the
    // one it belongs to does.
    let holds = |device: &str, uid: &str| {
        history
            .stored
            .get(device)
            .is_some_and(|stored| stored.iter().any(|message| message.message_uid.as_deref() == Some(uid)))
    };
    let connected = |device: &str| history.final_status.get(device) == Some(&ConnectionStatus::Connected);
    for (device, user) in &history.users {
        // A device the run left offline (signed out, kicked, banned, never connected) owes nothing yet.
        if !connected(device) {
            continue;
        }
        let stored = history.stored.get(device).map(Vec::as_slice).unwrap_or_default();
        // A message the app deleted from this device is gone from it by design (DEL-9 to DEL-11, CREM-2).
        let deleted =
            super::delivery::deleted_by_app(history.events.get(device).map(Vec::as_slice).unwrap_or_default());
        let holds = |device: &str, uid: &str| holds(device, uid) || deleted.contains(uid);
        // SYNC-8: what was accepted before the device's reinstall went with the old installation; what comes back
        // is the compensation's business (its scenarios check it), so the new installation owes none of it here.
        let installed = history.reinstalled_at.get(device).copied().unwrap_or_default();
        let owed = accepted.iter().filter(|((target, _), (_, at))| target == user && *at >= installed);
        for ((_, uid), &(sync, _)) in owed {
            let held = if sync {
                holds(device, uid)
            } else {
                match sent_to.get(uid) {
                    Some(owners) if owners.contains(device.as_str()) => holds(device, uid),
                    // Another device's: judged there.
                    Some(_) => true,
                    // Never sent though this device of its user ended connected: it should have claimed it.
                    None => holds(device, uid),
                }
            };
            if !held {
                let whose = match sent_to.get(uid) {
                    Some(_) if !sync => "the device it was sent to",
                    None if !sync => "its user's connected device, which should have claimed it",
                    _ => "one of its recipient's devices",
                };
                breaches.push(format!(
                    "{device} ({user}) ended connected without message {uid}, accepted for {user}: {whose}"
                ));
            }
        }
        // A send whose result was reported is settled; an app may still set it back to sending by hand (XAPI-5), and
        // may do so to a message it never sent from this device (a copy synced from another of its devices).
        let settled: BTreeSet<i64> = history
            .events
            .get(device)
            .into_iter()
            .flatten()
            .filter_map(|event| match event {
                Event::MessageSent { message, .. } => Some(message.message_id),
                Event::MessageSentStatusChanged { code, message_id } if code.is_success() => Some(*message_id),
                _ => None,
            })
            .collect();
        for message in stored {
            if message.direction == MessageDirection::Send
                && message.sent_status == SentStatus::Sending
                && !settled.contains(&message.message_id)
            {
                breaches
                    .push(format!("{device} ended connected with its message {} still sending", message.message_id));
            }
        }
    }
    breaches
}
