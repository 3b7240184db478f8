//! Checking expectations against what a device saw: its events, and the messages in its database.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::core::Event;
use imsim_engine::{ConversationType, Message, MessageContent};

use crate::scenario::{EntriesRead, EventPattern, Pattern, StoredPattern};
use crate::trace::{describe_event, is_event_named};
use crate::world::CallRecord;

/// How many of a device's latest events a failure message shows.
const EVENTS_SHOWN_ON_FAILURE: usize = 8;

/// How many stored messages a failure message lists.
const MESSAGES_SHOWN_ON_FAILURE: usize = 20;

/// The first event at or after `from` of `listener` whose serialised form matches `pattern` (the generic match), with
/// its index and that form. Each event is serialised only if it is of the listener.
pub fn find_listener_event(
    events: &[(Duration, Event)],
    from: usize,
    listener: &str,
    pattern: &Pattern,
    kept: &BTreeMap<String, serde_json::Value>,
) -> Option<(usize, serde_json::Value)> {
    let from = from.min(events.len());
    events[from..].iter().enumerate().find_map(|(offset, (_, event))| {
        if event.listener() != listener {
            return None;
        }
        let value = serde_json::to_value(event).ok()?;
        pattern.check(&value, &value, kept).is_ok().then_some((from + offset, value))
    })
}

/// Why no event at or after `cursor` of `listener` matches `pattern`: the nearest events of that listener (the
/// latest first) with the field each differs in, or, when there are none, the device's latest events. Call it once,
/// when the check has failed for good.
pub fn describe_missing_listener_event(
    events: &[(Duration, Event)],
    cursor: usize,
    listener: &str,
    pattern: &Pattern,
    kept: &BTreeMap<String, serde_json::Value>,
) -> String {
    let cursor = cursor.min(events.len());
    let since = &events[cursor..];
    let mut message = format!("no {listener} event matching {pattern} since the last match");
    let same: Vec<&(Duration, Event)> = since.iter().filter(|(_, event)| event.listener() == listener).collect();
    if same.is_empty() {
        let recent_from = since.len().saturating_sub(EVENTS_SHOWN_ON_FAILURE);
        let _ = write!(
            message,
            "; it got no {listener} event; its events since then:{}",
            list_events(&since[recent_from..])
        );
        return message;
    }
    let shown = same.len().min(EVENTS_SHOWN_ON_FAILURE);
    let _ = write!(message, "; the nearest {listener} events it got (the latest {shown} of {}):", same.len());
    for (at, event) in same.iter().rev().take(shown) {
        let value = serde_json::to_value(event).unwrap_or_default();
        let why = pattern.check(&value, &value, kept).err().unwrap_or_default();
        let _ = write!(message, "\n      {:>6}ms {}\n        differs: {why}", at.as_millis(), describe_event(event));
    }
    message
}

/// The index of the first event at or after `cursor` that matches `pattern`, or why there is none
/// ([`describe_missing_event`]).
pub fn check_event(events: &[(Duration, Event)], cursor: usize, pattern: &EventPattern) -> Result<usize, String> {
    find_event(events, cursor, pattern).ok_or_else(|| describe_missing_event(events, cursor, pattern))
}

/// The index of the first event at or after `from` that matches `pattern`. A check polled on every tick passes the
/// first event it has not looked at yet, so each event is looked at once, not once per tick.
pub fn find_event(events: &[(Duration, Event)], from: usize, pattern: &EventPattern) -> Option<usize> {
    let from = from.min(events.len());
    events[from..].iter().position(|(_, event)| event_matches(event, pattern)).map(|offset| from + offset)
}

/// Why no event at or after `cursor` matches `pattern`: the latest events since `cursor`, the latest of the expected
/// kind if they are not among those (the nearest misses), and a matching event before `cursor` if there is one (the
/// check consumed events in order and that one came too early). It reads every event since `cursor`: call it once,
/// when the check has failed for good.
pub fn describe_missing_event(events: &[(Duration, Event)], cursor: usize, pattern: &EventPattern) -> String {
    let cursor = cursor.min(events.len());
    let since = &events[cursor..];
    let recent_from = since.len().saturating_sub(EVENTS_SHOWN_ON_FAILURE);
    let mut message = format!(
        "no event matching {} since the last match; events since then{}:{}",
        pattern.describe(),
        if recent_from > 0 {
            format!(" (the last {EVENTS_SHOWN_ON_FAILURE} of {})", since.len())
        } else {
            String::new()
        },
        list_events(&since[recent_from..])
    );
    let same_kind: Vec<(Duration, Event)> =
        since[..recent_from].iter().filter(|(_, event)| is_event_named(event, pattern.kind.name())).cloned().collect();
    if !same_kind.is_empty() {
        let from = same_kind.len().saturating_sub(EVENTS_SHOWN_ON_FAILURE);
        let _ = write!(
            message,
            "\n    and earlier {} events since then{}:{}",
            pattern.kind.name(),
            if from > 0 {
                format!(" (the last {EVENTS_SHOWN_ON_FAILURE} of {})", same_kind.len())
            } else {
                String::new()
            },
            list_events(&same_kind[from..])
        );
    }
    if let Some((at, event)) = events[..cursor].iter().rev().find(|(_, event)| event_matches(event, pattern)) {
        let _ = write!(
            message,
            "\n    a matching event came at {}ms, at or before the last match (event checks consume events in order): {}",
            at.as_millis(),
            describe_event(event)
        );
    }
    message
}

/// Events as the lines of a failure message, or ` none`.
fn list_events(events: &[(Duration, Event)]) -> String {
    if events.is_empty() {
        return " none".to_owned();
    }
    events.iter().map(|(at, event)| format!("\n      {:>6}ms {}", at.as_millis(), describe_event(event))).collect()
}

fn event_matches(event: &Event, pattern: &EventPattern) -> bool {
    if !is_event_named(event, pattern.kind.name()) {
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
        // The listeners an old-style pattern cannot name: only the generic match reaches them.
        _ => (None, None, None, None),
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
        // A member-changed event's users are matched with their actions.
        Event::ChatRoomMemberChanged { .. } => pattern.user.as_deref(),
        Event::Connected { user_id, .. } => user_id.as_deref(),
        Event::BlacklistAdded { user_id, .. }
        | Event::BlacklistRemoved { user_id, .. }
        | Event::BlacklistStatusLoaded { user_id, .. } => Some(user_id.as_str()),
        _ => None,
    };
    same(pattern.code, code)
        && chatroom_fields_match(event, pattern)
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

/// Whether the chatroom fields of `pattern` match `event` (`room` also applies to a received message).
fn chatroom_fields_match(event: &Event, pattern: &EventPattern) -> bool {
    let room = match event {
        Event::ChatRoomJoining { target_id }
        | Event::ChatRoomJoined { target_id, .. }
        | Event::ChatRoomLeft { target_id, .. }
        | Event::ChatRoomStatusChanged { target_id, .. }
        | Event::ChatRoomMemberChanged { target_id, .. }
        | Event::ChatRoomMessagesLoaded { target_id, .. }
        | Event::ChatRoomEntryAdded { target_id, .. }
        | Event::ChatRoomEntriesAdded { target_id, .. }
        | Event::ChatRoomEntryRemoved { target_id, .. }
        | Event::ChatRoomEntriesRemoved { target_id, .. } => Some(target_id.as_str()),
        Event::ChatRoomEntriesSynced { room_id } | Event::ChatRoomEntriesChanged { room_id, .. } => {
            Some(room_id.as_str())
        }
        Event::MessageReceived { message, .. } if message.conversation_type == ConversationType::Chatroom => {
            Some(message.target_id.as_str())
        }
        _ => None,
    };
    let chatroom_status = match event {
        Event::ChatRoomStatusChanged { status, .. } => Some(*status),
        _ => None,
    };
    // A member-changed event matches when one of its actions has the pattern's user and action.
    let member = match event {
        Event::ChatRoomMemberChanged { actions, .. } => actions.iter().any(|action| {
            same(pattern.user.as_deref(), Some(action.user_id.as_str()))
                && same(pattern.action, Some(action.action_type))
        }),
        _ => pattern.action.is_none(),
    };
    let (texts, sent_times, sync_time) = match event {
        Event::ChatRoomMessagesLoaded { messages, sync_time, .. } => (
            Some(messages.iter().map(|m| text_of(m).unwrap_or("")).collect::<Vec<&str>>()),
            messages.iter().map(|m| m.sent_time).collect::<Vec<i64>>(),
            Some(*sync_time),
        ),
        _ => (None, Vec::new(), None),
    };
    let key = match event {
        Event::ChatRoomEntryAdded { key, .. } | Event::ChatRoomEntryRemoved { key, .. } => Some(key.as_str()),
        _ => None,
    };
    let error_entries: Option<BTreeMap<String, i32>> = match event {
        Event::ChatRoomEntriesAdded { error_entries, .. } => {
            Some(error_entries.iter().map(|(key, code)| (key.clone(), code.0)).collect())
        }
        _ => None,
    };
    let keys = match event {
        Event::ChatRoomEntriesRemoved { keys, .. } => Some(keys.as_slice()),
        _ => None,
    };
    let operation = match event {
        Event::ChatRoomEntriesChanged { operation_type, .. } => Some(*operation_type),
        _ => None,
    };
    let entries = match event {
        Event::ChatRoomEntriesChanged { entries, .. } | Event::ChatRoomEntriesAdded { entries, .. } => Some(entries),
        _ => None,
    };
    same(pattern.room.as_deref(), room)
        && same(pattern.chatroom_status, chatroom_status)
        && member
        && (pattern.texts.is_none()
            || texts.is_some_and(|texts| pattern.texts.iter().flatten().map(String::as_str).eq(texts)))
        && pattern
            .sync_time
            .is_none_or(|expected| sync_time.is_some_and(|actual| expected.matches(&sent_times, actual)))
        && same(pattern.key.as_deref(), key)
        && same(pattern.error_entries.as_ref(), error_entries.as_ref())
        && same(pattern.keys.as_deref(), keys)
        && same(pattern.operation, operation)
        && same(pattern.entries.as_ref(), entries)
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

/// Whether a conversation's stored messages are exactly `expected`, in order; if not, the first difference and
/// what the database holds.
pub fn check_stored(stored: &[Message], expected: &[StoredPattern]) -> Result<(), String> {
    let message_matches = |message: &Message, pattern: &StoredPattern| {
        message.direction == pattern.direction
            && text_of(message) == Some(pattern.text.as_str())
            && same(pattern.sent_status, Some(message.sent_status))
    };
    let first_difference = (0..stored.len().max(expected.len())).find(|&i| match (stored.get(i), expected.get(i)) {
        (Some(message), Some(pattern)) => !message_matches(message, pattern),
        _ => true,
    });
    let Some(i) = first_difference else {
        return Ok(());
    };
    let wanted = expected.get(i).map_or_else(|| "no message".to_owned(), describe_stored_pattern);
    let found = stored.get(i).map_or_else(|| "none".to_owned(), crate::trace::describe_message);
    let shown: Vec<String> = stored
        .iter()
        .take(MESSAGES_SHOWN_ON_FAILURE)
        .map(|m| format!("\n      {}", crate::trace::describe_message(m)))
        .collect();
    let more = stored.len().saturating_sub(MESSAGES_SHOWN_ON_FAILURE);
    let more = if more > 0 { format!("\n      ... and {more} more") } else { String::new() };
    Err(format!(
        "stored messages differ at message {} of {} expected: expected {wanted}, found {found}; the database holds {}:{}{more}",
        i + 1,
        expected.len(),
        stored.len(),
        shown.concat()
    ))
}

/// A stored-message pattern as a failure message shows it: `send "hi" sent_status=sent`.
fn describe_stored_pattern(pattern: &StoredPattern) -> String {
    let mut line = format!("{} {:?}", pattern.direction, pattern.text);
    if let Some(sent_status) = pattern.sent_status {
        let _ = write!(line, " sent_status={sent_status}");
    }
    line
}

/// The index of the first call record at or after `cursor` of `method` with return code `code`, or why there is none.
pub fn check_call(calls: &[CallRecord], cursor: usize, method: &str, code: i32) -> Result<usize, String> {
    if let Some(offset) = calls.iter().skip(cursor).position(|call| call.method == method && call.code == code) {
        return Ok(cursor + offset);
    }
    let seen: Vec<String> = calls
        .iter()
        .skip(cursor)
        .filter(|call| call.method == method)
        .map(|call| format!("\n      {:>6}ms {} -> {}", call.at.as_millis(), call.method, call.code))
        .collect();
    let seen = if seen.is_empty() { " none".to_owned() } else { seen.concat() };
    Err(format!("no {method} call returned {code} since the last match; its calls since then:{seen}"))
}

/// Whether a read of `room`'s entries on `device` gave what `read` expects.
pub fn check_entries(
    device: &str,
    room: &str,
    read: &EntriesRead,
    result: Result<BTreeMap<String, String>, i32>,
) -> Result<(), String> {
    let expected: Result<BTreeMap<String, String>, i32> = match read {
        EntriesRead::All(entries) => Ok(entries.clone()),
        EntriesRead::Entry { key, value } => Ok(BTreeMap::from([(key.clone(), value.clone())])),
        EntriesRead::Fails { code, .. } => Err(*code),
    };
    if result == expected {
        return Ok(());
    }
    let got = match result {
        Ok(entries) => format!("the entries {entries:?}"),
        Err(code) => format!("error {code}"),
    };
    let wanted = match expected {
        Ok(entries) => format!("the entries {entries:?}"),
        Err(code) => format!("error {code}"),
    };
    Err(format!("reading {device}'s entries of chatroom {room:?} gave {got}, expected {wanted}"))
}

#[cfg(test)]
mod tests {
    use imsim_engine::ConnectionStatus;
    use imsim_engine::error::ErrorCode;

    use super::*;
    use crate::scenario::EventKind;

    fn status(at_ms: u64, status: ConnectionStatus) -> (Duration, Event) {
        (Duration::from_millis(at_ms), Event::ConnectionStatusChanged { status })
    }

    #[test]
    fn a_missed_event_shows_the_latest_events_the_nearest_of_its_kind_and_an_earlier_match() {
        let mut events = vec![status(1, ConnectionStatus::Connecting), status(4, ConnectionStatus::Connected)];
        events.extend((10..20).map(|at| (Duration::from_millis(at), Event::DatabaseOpened { code: ErrorCode(0) })));
        let mut pattern = EventPattern::new(EventKind::ConnectionStatusChanged);
        pattern.status = Some(ConnectionStatus::Connecting);
        // The cursor is past the only matching event (a check before consumed it).
        let why = check_event(&events, 1, &pattern).expect_err("no match after the cursor");
        let mut expected = vec![
            "no event matching event connectionStatusChanged status=connecting since the last match; events since then \
             (the last 8 of 11):"
                .to_owned(),
        ];
        expected.extend((12..20).map(|at| format!("          {at}ms event onDatabaseOpened code=0")));
        expected.push("    and earlier connectionStatusChanged events since then:".to_owned());
        expected.push("           4ms event onConnectionStatusChanged status=\"connected\"".to_owned());
        expected.push(
            "    a matching event came at 1ms, at or before the last match (event checks consume events in order): \
             event onConnectionStatusChanged status=\"connecting\""
                .to_owned(),
        );
        assert_eq!(why, expected.join("\n"));
        assert_eq!(check_event(&events, 0, &pattern), Ok(0));
        let nothing = check_event(&[], 0, &pattern).expect_err("nothing to match");
        assert!(nothing.ends_with("events since then: none"), "{nothing}");
    }
}
