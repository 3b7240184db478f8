//! Delivery: nothing acknowledged is lost, nothing is stored or reported twice, nothing appears that the server never
//! delivered, and a conversation's messages arrive in the server's order (RECV-3, RECV-11, RECV-13, RECV-15, MSG-6).
//!
//! The server's side comes from the wire: what it delivered to each connection, with each message's inbox sequence
//! number, and what each device acknowledged. The device's side comes from its events and its database at the end.

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::core::Event;
use imsim_engine::{ConversationType, Message};

use super::journal::{Via, Wire};
use super::{Checker, History, Index};

/// An acknowledged message missing from its device.
pub(super) const LOST: Checker = Checker {
    name: "lost",
    invariant: "a message a device acknowledged (its InboxAck cursor covers it) is in that device's database",
    check: lost,
};

/// A message stored or reported twice.
pub(super) const DUPLICATED: Checker = Checker {
    name: "duplicated",
    invariant: "a device stores a message UID once and reports an inbox message by onMessageReceived once",
    check: duplicated,
};

/// A message nobody delivered.
pub(super) const PHANTOM: Checker = Checker {
    name: "phantom",
    invariant: "every message UID a device reports or stores is one the server delivered or acknowledged to it",
    check: phantom,
};

/// A conversation out of order.
pub(super) const ORDER: Checker = Checker {
    name: "order",
    invariant: "a device receives and stores each conversation's inbox messages in the server's inbox order",
    check: order,
};

fn lost(history: &History, index: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, stored) in &history.stored {
        let conns = index.own_conns(history, device);
        let acked = history
            .journal
            .entries()
            .iter()
            .filter(|entry| conns.contains(&entry.conn))
            .filter_map(|entry| match entry.wire {
                Wire::InboxAck { cursor } => Some(cursor),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let held: BTreeSet<&str> = stored.iter().filter_map(|message| message.message_uid.as_deref()).collect();
        let deleted = deleted_by_app(history.events.get(device).map(Vec::as_slice).unwrap_or_default());
        let mut missing = BTreeSet::new();
        for message in index.delivered_on(history, &conns) {
            if message.from_inbox()
                && message.seq <= acked
                && message.stored_type
                && !message.status_message
                && !held.contains(message.uid.as_str())
                && !deleted.contains(message.uid.as_str())
                && missing.insert(message.seq)
            {
                breaches.push(format!(
                    "{device} acknowledged its inbox up to {acked}, but does not store message {} (seq {}) from {}",
                    message.uid, message.seq, message.sender_user_id
                ));
            }
        }
    }
    breaches
}

fn duplicated(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, stored) in &history.stored {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for uid in stored.iter().filter_map(|message| message.message_uid.as_deref()) {
            *counts.entry(uid).or_default() += 1;
        }
        for (uid, count) in counts.into_iter().filter(|(_, count)| *count > 1) {
            breaches.push(format!("{device} stores message {uid} {count} times"));
        }
    }
    for (device, events) in &history.events {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for message in received(events).filter(|message| message.conversation_type != ConversationType::Chatroom) {
            if let Some(uid) = message.message_uid.as_deref() {
                *counts.entry(uid).or_default() += 1;
            }
        }
        for (uid, count) in counts.into_iter().filter(|(_, count)| *count > 1) {
            breaches.push(format!("{device} reported message {uid} by onMessageReceived {count} times"));
        }
    }
    breaches
}

fn phantom(history: &History, index: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for device in history.users.keys() {
        let conns = index.own_conns(history, device);
        let mut known: BTreeSet<&str> =
            index.delivered_on(history, &conns).map(|message| message.uid.as_str()).collect();
        for entry in history.journal.entries().iter().filter(|entry| conns.contains(&entry.conn)) {
            if let Wire::PublishAck { uid, code: 0, .. } = &entry.wire {
                known.insert(uid);
            }
        }
        let events = history.events.get(device).map(Vec::as_slice).unwrap_or_default();
        for message in received(events) {
            if let Some(uid) = message.message_uid.as_deref().filter(|uid| !known.contains(uid)) {
                breaches.push(format!("{device} reported message {uid}, which the server never delivered to it"));
            }
        }
        for message in history.stored.get(device).into_iter().flatten() {
            if let Some(uid) = message.message_uid.as_deref().filter(|uid| !known.contains(uid)) {
                breaches.push(format!(
                    "{device} stores message {uid}, which the server never delivered or acknowledged to it"
                ));
            }
        }
    }
    breaches
}

fn order(history: &History, index: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for device in history.users.keys() {
        let conns = index.own_conns(history, device);
        let seqs: BTreeMap<&str, u64> = index
            .delivered_on(history, &conns)
            .filter(|message| message.from_inbox())
            .map(|message| (message.uid.as_str(), message.seq))
            .collect();
        let events = history.events.get(device).map(Vec::as_slice).unwrap_or_default();
        let mut reported = BTreeSet::new();
        let first_reports = received(events)
            .filter(|message| message.message_uid.as_deref().is_some_and(|uid| reported.insert(uid.to_owned())));
        breaches.extend(out_of_order(device, "received", first_reports, &seqs));
        // The device's own messages were stored when it sent them, before the server numbered them: only what it
        // stored on receipt follows the inbox order.
        let own: BTreeSet<&str> = history
            .journal
            .entries()
            .iter()
            .filter(|entry| conns.contains(&entry.conn))
            .filter_map(|entry| match &entry.wire {
                Wire::PublishAck { uid, code: 0, .. } => Some(uid.as_str()),
                _ => None,
            })
            .collect();
        // A message a history page brought (HIST-11) is stored when fetched, in page order, not in inbox order.
        let fetched: BTreeSet<&str> = history
            .journal
            .entries()
            .iter()
            .filter(|entry| conns.contains(&entry.conn))
            .filter_map(|entry| match &entry.wire {
                Wire::Delivered { via: Via::CloudHistory, message } => Some(message.uid.as_str()),
                _ => None,
            })
            .collect();
        let stored = history.stored.get(device).into_iter().flatten().filter(|message| {
            message.message_uid.as_deref().is_none_or(|uid| !own.contains(uid) && !fetched.contains(uid))
        });
        breaches.extend(out_of_order(device, "stores", stored, &seqs));
    }
    breaches
}

/// The places where `messages`, taken in their order, go back in inbox sequence within one conversation.
fn out_of_order<'a>(
    device: &str,
    verb: &str,
    messages: impl Iterator<Item = &'a Message>,
    seqs: &BTreeMap<&str, u64>,
) -> Vec<String> {
    let mut last: BTreeMap<(ConversationType, &str), (u64, &str)> = BTreeMap::new();
    let mut breaches = Vec::new();
    for message in messages {
        let Some(uid) = message.message_uid.as_deref() else { continue };
        let Some(&seq) = seqs.get(uid) else { continue };
        let conversation = (message.conversation_type, message.target_id.as_str());
        if let Some(&(previous_seq, previous_uid)) = last.get(&conversation)
            && previous_seq > seq
        {
            breaches.push(format!(
                "{device} {verb} {uid} (seq {seq}) after {previous_uid} (seq {previous_seq}) in {:?} {}",
                message.conversation_type, message.target_id
            ));
        }
        last.insert(conversation, (seq, uid));
    }
    breaches
}

/// The UIDs of the messages the app deleted from the device's database (DEL-9 to DEL-11, CREM-2): those a successful
/// `deleteLocalMessages` or `deleteMessages` named (by UID, or by a `messageId` an earlier event gave with its UID),
/// and those a successful `clearMessages` or `removeConversations` covered among the messages the device had seen by
/// then. A deleted message
/// is gone from that device only, so only that device's `lost` check excuses it. A clear's event does not say its
/// policy, so a remote-only clear is excused as well: that weakens the check only for runs that clear remotely.
pub(super) fn deleted_by_app(events: &[Event]) -> BTreeSet<&str> {
    let mut seen: Vec<&Message> = Vec::new();
    let mut deleted = BTreeSet::new();
    for event in events {
        match event {
            Event::MessageReceived { message, .. } | Event::MessageSent { message, .. } => seen.push(message),
            Event::MessagesLoaded { messages, .. } => seen.extend(messages),
            Event::LocalMessagesDeleted { code, messages } | Event::MessagesDeleted { code, messages, .. }
                if code.is_success() =>
            {
                // The local deletion goes by messageId whatever else the message passed says (DEL-2), so both the
                // UID it names and the UID of the message stored under its ID may be gone.
                for message in messages {
                    deleted.extend(message.message_uid.as_deref().filter(|uid| !uid.is_empty()));
                    let same_id = |known: &&&Message| known.message_id == message.message_id && message.message_id > 0;
                    deleted.extend(seen.iter().rev().find(same_id).and_then(|known| known.message_uid.as_deref()));
                }
            }
            Event::MessagesCleared { code, conversation_type, target_id, timestamp, .. } if code.is_success() => {
                let covered = |message: &&&Message| {
                    message.conversation_type == *conversation_type
                        && message.target_id == *target_id
                        && (*timestamp == 0 || message.sent_time <= *timestamp)
                };
                deleted.extend(seen.iter().filter(covered).filter_map(|message| message.message_uid.as_deref()));
            }
            // CREM-2: the conversations of these types go with their messages.
            Event::ConversationsRemoved { code, conversation_types, .. } if code.is_success() => {
                let covered = |message: &&&Message| conversation_types.contains(&message.conversation_type);
                deleted.extend(seen.iter().filter(covered).filter_map(|message| message.message_uid.as_deref()));
            }
            _ => {}
        }
    }
    deleted
}

/// The messages of `events` reported by `onMessageReceived`, in order.
fn received(events: &[Event]) -> impl Iterator<Item = &Message> {
    events.iter().filter_map(|event| match event {
        Event::MessageReceived { message, .. } => Some(message),
        _ => None,
    })
}
