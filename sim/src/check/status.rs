//! A device's own bookkeeping: its unread count agrees with the messages it stores (UNREAD-1, UNREAD-6, RECV-16),
//! and a message's sent status never goes back once the server accepted it (SEND-14).

use std::collections::BTreeMap;

use imsim_engine::{ConversationType, MessageDirection, ReceivedStatus, SentStatus};

use super::{Checker, History, Index, event_messages};

/// An unread count that disagrees with the stored messages.
pub(super) const UNREAD: Checker = Checker {
    name: "unread",
    invariant: "a device's total unread count equals its stored received messages that count and are unread",
    check: unread,
};

/// A sent status that moves backwards.
pub(super) const SENT_STATUS: Checker = Checker {
    name: "sent-status",
    invariant: "once a device reports its message sent, it never reports or stores it as sending or failed again",
    check: sent_status,
};

fn unread(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, stored) in &history.stored {
        // UNREAD-1: chatrooms have no unread count; UNREAD-6, MTYPE-2: a received message of a counted type, unread
        // (or retrieved, SYNC-12).
        let implied = stored
            .iter()
            .filter(|message| {
                message.direction == MessageDirection::Receive
                    && message.conversation_type != ConversationType::Chatroom
                    && message.content.policy().counted
                    && matches!(message.received_status, ReceivedStatus::Unread | ReceivedStatus::Retrieved)
            })
            .count();
        let reported = history.unread_total.get(device).copied().unwrap_or(0);
        if usize::try_from(reported).ok() != Some(implied) {
            breaches.push(format!("{device} reports {reported} unread, but its stored messages imply {implied}"));
        }
    }
    breaches
}

/// The listeners that hand the app back the messages it passed (DEL-9, DEL-10), as the app held them, not as the
/// engine holds them: a message the app kept from its `onMessageAttached` is echoed as sending even once sent.
const ECHOES: &[&str] = &["onLocalMessagesDeleted", "onMessagesDeleted"];

/// The listeners whose failure code is the send's own outcome, reported with the message as the engine holds it.
const SEND_RESULTS: &[&str] = &["onMessageSent", "onMediaMessageSent", "onGroupMessageToDesignatedUsersSent"];

fn sent_status(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, events) in &history.events {
        // XAPI-5: the app may overwrite a status itself; then the device's statuses are the app's, not the engine's.
        let overwritten = history
            .calls
            .get(device)
            .is_some_and(|calls| calls.iter().any(|call| call.method == "changeMessageSentStatus" && call.code == 0));
        if overwritten {
            continue;
        }
        // Messages by `messageId` (0 is a type that is not stored: no identity to follow).
        let mut sent: BTreeMap<i64, &'static str> = BTreeMap::new();
        for event in events {
            let listener = event.listener();
            if ECHOES.contains(&listener) {
                continue;
            }
            let (code, messages) = event_messages(event);
            // A refusal hands the app back the message it passed (34018: not cancellable), not the engine's view of
            // it; a send's own failure (SEND-14) is the engine's view.
            if code.is_some_and(|code| code != 0) && !SEND_RESULTS.contains(&listener) {
                continue;
            }
            for message in messages {
                if message.direction != MessageDirection::Send || message.message_id <= 0 {
                    continue;
                }
                match message.sent_status {
                    SentStatus::Sent => {
                        sent.entry(message.message_id).or_insert(listener);
                    }
                    SentStatus::Sending | SentStatus::Failed => {
                        if let Some(earlier) = sent.get(&message.message_id) {
                            breaches.push(format!(
                                "{device} reported message {} {:?} in {listener} after {earlier} reported it sent",
                                message.message_id, message.sent_status
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        for message in history.stored.get(device).into_iter().flatten() {
            if let Some(listener) = sent.get(&message.message_id)
                && matches!(message.sent_status, SentStatus::Sending | SentStatus::Failed)
            {
                breaches.push(format!(
                    "{device} stores message {} as {:?}, after {listener} reported it sent",
                    message.message_id, message.sent_status
                ));
            }
        }
    }
    breaches
}
