//! Checking expectations against what a device saw: its events, and the messages in its database.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::core::Event;
use imsim_engine::{Message, MessageContent};

use crate::scenario::{EntriesRead, Pattern, StoredPattern};
use crate::trace::describe_event;
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
    events[from..]
        .iter()
        .enumerate()
        .find_map(|(offset, (_, event))| matching(event, listener, pattern, kept).map(|value| (from + offset, value)))
}

/// Whether `event` is an event of `listener` that matches `pattern`.
pub fn event_matches(
    event: &Event,
    listener: &str,
    pattern: &Pattern,
    kept: &BTreeMap<String, serde_json::Value>,
) -> bool {
    matching(event, listener, pattern, kept).is_some()
}

/// The serialised form of `event` if it is an event of `listener` that matches `pattern`. Only an event of the
/// listener is serialised.
fn matching(
    event: &Event,
    listener: &str,
    pattern: &Pattern,
    kept: &BTreeMap<String, serde_json::Value>,
) -> Option<serde_json::Value> {
    if event.listener() != listener {
        return None;
    }
    let value = serde_json::to_value(event).ok()?;
    pattern.check(&value, &value, kept).is_ok().then_some(value)
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
        message.push_str(&earlier_match(events, cursor, listener, pattern, kept));
        return message;
    }
    let shown = same.len().min(EVENTS_SHOWN_ON_FAILURE);
    let _ = write!(message, "; the nearest {listener} events it got (the latest {shown} of {}):", same.len());
    for (at, event) in same.iter().rev().take(shown) {
        let value = serde_json::to_value(event).unwrap_or_default();
        let why = pattern.check(&value, &value, kept).err().unwrap_or_default();
        let _ = write!(message, "\n      {:>6}ms {}\n        differs: {why}", at.as_millis(), describe_event(event));
    }
    message.push_str(&earlier_match(events, cursor, listener, pattern, kept));
    message
}

/// The note that a matching event came at or before `cursor`, which an earlier check consumed (event checks consume
/// events in order), or nothing.
fn earlier_match(
    events: &[(Duration, Event)],
    cursor: usize,
    listener: &str,
    pattern: &Pattern,
    kept: &BTreeMap<String, serde_json::Value>,
) -> String {
    let earlier = events[..cursor].iter().rev().find(|(_, event)| matching(event, listener, pattern, kept).is_some());
    match earlier {
        Some((at, event)) => format!(
            "\n    a matching event came at {}ms, at or before the last match (event checks consume events in order): {}",
            at.as_millis(),
            describe_event(event)
        ),
        None => String::new(),
    }
}

/// Events as the lines of a failure message, or ` none`.
fn list_events(events: &[(Duration, Event)]) -> String {
    if events.is_empty() {
        return " none".to_owned();
    }
    events.iter().map(|(at, event)| format!("\n      {:>6}ms {}", at.as_millis(), describe_event(event))).collect()
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
            && pattern.sent_status.is_none_or(|status| status == message.sent_status)
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
    use crate::scenario::ScalarKind;

    fn status(at_ms: u64, status: ConnectionStatus) -> (Duration, Event) {
        (Duration::from_millis(at_ms), Event::ConnectionStatusChanged { status })
    }

    #[test]
    fn a_missed_event_shows_the_nearest_of_its_listener_and_an_earlier_match() {
        let mut events = vec![status(1, ConnectionStatus::Connecting), status(4, ConnectionStatus::Connected)];
        events.extend((10..20).map(|at| (Duration::from_millis(at), Event::DatabaseOpened { code: ErrorCode(0) })));
        let listener = "onConnectionStatusChanged";
        let pattern = Pattern::Fields(vec![("status".into(), Pattern::Scalar("connecting".into(), ScalarKind::Text))]);
        let kept = BTreeMap::new();
        // The cursor is past the only matching event (a check before consumed it).
        assert_eq!(find_listener_event(&events, 1, listener, &pattern, &kept), None);
        let why = describe_missing_listener_event(&events, 1, listener, &pattern, &kept);
        let expected = [
            "no onConnectionStatusChanged event matching {status: \"connecting\"} since the last match; the nearest \
             onConnectionStatusChanged events it got (the latest 1 of 1):",
            "           4ms event onConnectionStatusChanged status=\"connected\"",
            "        differs: status: expected \"connecting\", found \"connected\"",
            "    a matching event came at 1ms, at or before the last match (event checks consume events in order): \
             event onConnectionStatusChanged status=\"connecting\"",
        ];
        assert_eq!(why, expected.join("\n"));
        assert_eq!(find_listener_event(&events, 0, listener, &pattern, &kept).map(|(index, _)| index), Some(0));
        let nothing = describe_missing_listener_event(&[], 0, listener, &pattern, &kept);
        assert!(nothing.ends_with("its events since then: none"), "{nothing}");
    }
}
