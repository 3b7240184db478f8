//! Checking expectations against what a device saw: its events, and the messages in its database.

use std::time::Duration;

use imsim_engine::core::Event;
use imsim_engine::{Message, MessageContent};

use crate::scenario::{EventPattern, StoredPattern};
use crate::trace::{describe_event, event_name};

/// How many of a device's latest events a failure message shows.
const EVENTS_SHOWN_ON_FAILURE: usize = 8;

/// The index of the first event at or after `cursor` that matches `pattern`, or why there is none.
pub fn check_event(events: &[(Duration, Event)], cursor: usize, pattern: &EventPattern) -> Result<usize, String> {
    if let Some(offset) = events.iter().skip(cursor).position(|(_, event)| event_matches(event, pattern)) {
        return Ok(cursor + offset);
    }
    let recent: Vec<String> = events
        .iter()
        .skip(cursor)
        .rev()
        .take(EVENTS_SHOWN_ON_FAILURE)
        .rev()
        .map(|(at, event)| format!("\n      {:>6}ms {}", at.as_millis(), describe_event(event)))
        .collect();
    let seen = if recent.is_empty() { " none".to_owned() } else { recent.concat() };
    Err(format!("no event matching {} since the last match; events since then:{seen}", pattern.describe()))
}

fn event_matches(event: &Event, pattern: &EventPattern) -> bool {
    if event_name(event) != pattern.kind.name() {
        return false;
    }
    let (code, status, message, delivery) = match event {
        Event::DatabaseOpened { code } => (Some(code.0), None, None, None),
        Event::Connected { code, .. } => (Some(code.0), None, None, None),
        Event::ConnectionStatusChanged { status } => (None, Some(*status), None, None),
        Event::MessageAttached { message } => (None, None, Some(message), None),
        Event::MessageSent { code, message } => (Some(code.0), None, Some(message), None),
        Event::MessageReceived { message, left, offline, has_package } => {
            (None, None, Some(message), Some((*left, *offline, *has_package)))
        }
        Event::OfflineMessageSyncCompleted => (None, None, None, None),
        Event::BlacklistAdded { code, .. }
        | Event::BlacklistRemoved { code, .. }
        | Event::BlacklistStatusLoaded { code, .. }
        | Event::BlacklistLoaded { code, .. }
        | Event::ChatRoomJoined { code, .. }
        | Event::ChatRoomLeft { code, .. }
        | Event::ChatRoomMessagesLoaded { code, .. }
        | Event::ChatRoomEntryAdded { code, .. }
        | Event::ChatRoomEntriesAdded { code, .. }
        | Event::ChatRoomEntryRemoved { code, .. }
        | Event::ChatRoomEntriesRemoved { code, .. } => (Some(code.0), None, None, None),
        Event::ChatRoomJoining { .. }
        | Event::ChatRoomStatusChanged { .. }
        | Event::ChatRoomMemberChanged { .. }
        | Event::ChatRoomEntriesSynced { .. }
        | Event::ChatRoomEntriesChanged { .. } => (None, None, None, None),
    };
    let blacklist_status = match event {
        Event::BlacklistStatusLoaded { status, .. } => Some(*status),
        _ => None,
    };
    let user_ids = match event {
        Event::BlacklistLoaded { user_ids, .. } => Some(user_ids.as_slice()),
        _ => None,
    };
    let user = match event {
        Event::Connected { user_id, .. } => user_id.as_deref(),
        Event::BlacklistAdded { user_id, .. }
        | Event::BlacklistRemoved { user_id, .. }
        | Event::BlacklistStatusLoaded { user_id, .. } => Some(user_id.as_str()),
        _ => None,
    };
    same(pattern.code, code)
        && same(pattern.status, status)
        && same(pattern.from.as_deref(), message.map(|m| m.sender_user_id.as_str()))
        && same(pattern.user.as_deref(), user)
        && same(pattern.text.as_deref(), message.and_then(text_of))
        && same(pattern.sent_status, message.map(|m| m.sent_status))
        && same(pattern.left, delivery.map(|d| d.0))
        && same(pattern.offline, delivery.map(|d| d.1))
        && same(pattern.has_package, delivery.map(|d| d.2))
        && same(pattern.blacklist_status, blacklist_status)
        && same(pattern.users.as_deref(), user_ids)
}

/// A pattern field matches when it is unset, or equal to the event's value.
fn same<T: PartialEq>(expected: Option<T>, actual: Option<T>) -> bool {
    expected.is_none() || expected == actual
}

fn text_of(message: &Message) -> Option<&str> {
    match &message.content {
        MessageContent::Text { text } => Some(text),
        _ => None,
    }
}

/// Whether a conversation's stored messages are exactly `expected`, in order.
pub fn check_stored(stored: &[Message], expected: &[StoredPattern]) -> Result<(), String> {
    let matches = stored.len() == expected.len()
        && stored.iter().zip(expected).all(|(message, pattern)| {
            message.direction == pattern.direction
                && text_of(message) == Some(pattern.text.as_str())
                && same(pattern.sent_status, Some(message.sent_status))
        });
    if matches {
        return Ok(());
    }
    let stored: Vec<String> = stored.iter().map(|m| format!("\n      {}", crate::trace::describe_message(m))).collect();
    Err(format!("stored messages differ; the database holds {}:{}", stored.len(), stored.concat()))
}
