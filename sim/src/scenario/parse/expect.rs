//! The `expect` step's checks besides a listener's event (`status`, `stored`, `unread`, `entries` or `call`; the
//! `event` and `no_event` checks are parsed in `parse/call.rs`) and the check's fields. The checks on the server's callbacks (`server_callback`, `no_server_callback`) are parsed in
//! `parse/server_callback.rs`.

use std::time::Duration;

use imsim_engine::api::Method;

use imsim_engine::types::{ConnectionStatus, MessageDirection, SentStatus};

use super::chatroom::entries;
use super::steps::{STEPS, conversation_type};
use super::{Context, server_callback};
use crate::scenario::model::{
    Check, EntriesRead, Expectation, Location, StatusesExpectation, StepKind, StoredContents, StoredPattern,
};
use crate::scenario::yaml::{Entry, Fields, Node, Res, fail};

/// The fields of an expect besides those of its event (`EVENT_FIELDS`): where and how long, and which check.
pub(super) const EXPECT_CHECK_FIELDS: &[&str] = &[
    "device",
    "within",
    "for",
    "since",
    "event",
    "no_event",
    "status",
    "stored",
    "unread",
    "entries",
    "call",
    "server_callback",
    "no_server_callback",
    "devices",
    "statuses",
];
const I32_RANGE: &str = "an integer from -2147483648 to 2147483647";
const DEFAULT_WITHIN: Duration = Duration::from_secs(10);
const U32_RANGE: &str = "an integer from 0 to 4294967295";
/// The checks of an expect, as the messages list them.
const CHECKS: &str = "event, no_event, status, stored, unread, entries or call";
/// The field a call check takes besides its method: the return code.
const CALL_FIELDS: &[&str] = &["code"];

/// The one of the fields `a` and `b` that `fields`, the mapping at `at` called `what`, has; an error naming both,
/// and ending with `hint`, when it has both (at the later one) or neither.
fn one_of<'f, 'a>(
    fields: &'f Fields<'a>,
    at: Location,
    what: &str,
    [a, b]: [&str; 2],
    hint: &str,
) -> Res<&'f Entry<'a>> {
    match (fields.entry(a), fields.entry(b)) {
        (Some(x), Some(y)) => {
            let (first, second) = if x.key_at <= y.key_at { (x, y) } else { (y, x) };
            fail(second.key_at, format!("{what} has both {} and {}; {hint}", first.key, second.key))
        }
        (Some(only), None) | (None, Some(only)) => Ok(only),
        (None, None) => fail(at, format!("{what} needs {a} or {b}; {hint}")),
    }
}

pub(super) fn expect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let allowed: Vec<&str> = EXPECT_CHECK_FIELDS
        .iter()
        .chain(CALL_FIELDS)
        .chain(server_callback::PATTERN_FIELDS.iter().filter(|field| !EXPECT_CHECK_FIELDS.contains(field)))
        .copied()
        .collect();
    let fields = node.fields("expect", "in expect", &allowed)?;
    if server_callback::is_callback_check(&fields) {
        return server_callback::expectation(&fields, DEFAULT_WITHIN).map(StepKind::ExpectServerCallback);
    }
    if fields.entry("devices").is_some() || fields.entry("statuses").is_some() {
        return statuses_expectation(node, &fields, context).map(StepKind::ExpectStatuses);
    }
    device_expectation(node, &fields, context).map(StepKind::Expect)
}

/// An expect on several devices' statuses, in any order: `devices` (two or more, distinct), `statuses` (one per
/// device) and `within`, nothing else.
fn statuses_expectation(node: &Node, fields: &Fields<'_>, context: &Context<'_>) -> Res<StatusesExpectation> {
    const HINT: &str = "a statuses check takes devices, statuses and within";
    if let Some(entry) = fields.entries.iter().find(|e| !["devices", "statuses", "within"].contains(&e.key)) {
        return fail(entry.key_at, format!("field {:?} does not apply here; {HINT}", entry.key));
    }
    let (devices_node, statuses_node) = match (fields.get("devices"), fields.get("statuses")) {
        (Some(devices), Some(statuses)) => (devices, statuses),
        (None, _) => return fail(node.at, format!("expect needs devices along with statuses; {HINT}")),
        (_, None) => return fail(node.at, format!("expect needs statuses along with devices; {HINT}")),
    };
    let mut devices = Vec::new();
    for item in devices_node.seq("expect.devices", "a list of devices, like [c, d]")? {
        let device = context.device(item, "expect.devices")?;
        if devices.contains(&device) {
            return fail(item.at, format!("expect.devices: {device} is listed twice"));
        }
        devices.push(device);
    }
    if devices.len() < 2 {
        return fail(
            devices_node.at,
            "expect.devices: a statuses check is about two or more devices; for one, use `status`",
        );
    }
    let mut statuses = Vec::new();
    for item in statuses_node.seq("expect.statuses", "a list of connection statuses, like [connected, signOut]")? {
        statuses.push(item.choice("expect.statuses", ConnectionStatus::ALL, ConnectionStatus::manual_name)?);
    }
    if statuses.len() != devices.len() {
        return fail(
            statuses_node.at,
            format!("expect.statuses: {} statuses for {} devices; give one per device", statuses.len(), devices.len()),
        );
    }
    let within = match fields.get("within") {
        Some(node) => node.duration("expect.within")?,
        None => DEFAULT_WITHIN,
    };
    Ok(StatusesExpectation { devices, statuses, within })
}

fn device_expectation(node: &Node, fields: &Fields<'_>, context: &Context<'_>) -> Res<Expectation> {
    let device = context.device(fields.require("device")?, "expect.device")?;
    let mut checks: Vec<&Entry<'_>> =
        ["status", "stored", "unread", "entries", "call"].into_iter().filter_map(|name| fields.entry(name)).collect();
    checks.sort_by_key(|entry| entry.key_at);
    let only = match checks.as_slice() {
        [] => return fail(node.at, format!("expect needs a check: one of {CHECKS}")),
        [first, second, ..] => {
            let message =
                format!("expect has two checks, {} and {}; use one of {CHECKS} per expect", first.key, second.key);
            return fail(second.key_at, message);
        }
        [only] => only,
    };
    if let Some(period) = fields.entry("for") {
        return fail(
            period.key_at,
            "field \"for\" only applies to a no_event check; the time any other check may take is `within`",
        );
    }
    if let Some(since) = fields.entry("since") {
        return fail(
            since.key_at,
            "field \"since\" only applies to a negative check (no_event, no_server_callback): it names the \
             checkpoint its window opens at",
        );
    }
    let within = match fields.get("within") {
        Some(node) => node.duration("expect.within")?,
        None => DEFAULT_WITHIN,
    };
    // A server callback's pattern fields (but `entries`, a check of its own here), or a code off a call check.
    let stray = fields.entries.iter().find(|entry| {
        let of_callback = server_callback::PATTERN_FIELDS.contains(&entry.key) && entry.key != "entries";
        let of_call = CALL_FIELDS.contains(&entry.key) && only.key != "call";
        of_callback || of_call
    });
    if let Some(entry) = stray {
        return fail(entry.key_at, format!("field {:?} does not apply to the {} check", entry.key, only.key));
    }
    let check = match only.key {
        "status" => {
            Check::Status(only.value.choice("expect.status", ConnectionStatus::ALL, ConnectionStatus::manual_name)?)
        }
        "stored" => stored(only.value)?,
        "unread" => unread(only.value)?,
        "entries" => entries_check(only.value)?,
        _ => call(fields, only)?,
    };
    Ok(Expectation { device, within, check })
}

fn stored(node: &Node) -> Res<Check> {
    let fields = node.fields("expect.stored", "in expect.stored", &["type", "target", "messages", "count"])?;
    let conversation_type = conversation_type(fields.get("type"), "expect.stored.type")?;
    let target_id = fields.require("target")?.text("expect.stored.target")?;
    let hint = "`messages` lists the conversation's messages, `count` only counts them";
    let contents = one_of(&fields, node.at, "expect.stored", ["messages", "count"], hint)?;
    if contents.key == "count" {
        let count: u32 = contents.value.int("expect.stored.count", U32_RANGE)?;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        return Ok(Check::Stored { conversation_type, target_id, contents: StoredContents::Count(count) });
    }
    let items = contents.value.seq("expect.stored.messages", "a list of messages (`[]` for none)")?;
    let mut messages = Vec::with_capacity(items.len());
    for item in items {
        let what = "expect.stored.messages";
        let message = item.fields(what, "in a stored message", &["direction", "text", "sent_status"])?;
        let direction = message.require("direction")?.choice(
            "expect.stored.messages.direction",
            MessageDirection::ALL,
            MessageDirection::manual_name,
        )?;
        let text = message.require("text")?.text("expect.stored.messages.text")?;
        let sent_status = match message.get("sent_status") {
            Some(node) => {
                Some(node.choice("expect.stored.messages.sent_status", SentStatus::ALL, SentStatus::manual_name)?)
            }
            None => None,
        };
        messages.push(StoredPattern { direction, text, sent_status });
    }
    Ok(Check::Stored { conversation_type, target_id, contents: StoredContents::Messages(messages) })
}

/// `unread: { total: 5 }`, or `unread: { target: lisi, type: private, count: 3 }`.
fn unread(node: &Node) -> Res<Check> {
    let fields = node.fields("expect.unread", "in expect.unread", &["total", "target", "type", "count"])?;
    let hint =
        "use `total: N` for the total unread count, or `target` (with `type`) and `count` for one conversation's";
    let which = one_of(&fields, node.at, "expect.unread", ["total", "target"], hint)?;
    if which.key == "total" {
        if let Some(extra) = fields.entries.iter().find(|e| e.key != "total") {
            return fail(
                extra.key_at,
                format!("field {:?} only applies to one conversation's count (with `target`), not to total", extra.key),
            );
        }
        return Ok(Check::Unread { conversation: None, count: which.value.int("expect.unread.total", U32_RANGE)? });
    }
    let conversation_type = conversation_type(fields.get("type"), "expect.unread.type")?;
    let target_id = which.value.text("expect.unread.target")?;
    let count = fields.require("count")?.int("expect.unread.count", U32_RANGE)?;
    Ok(Check::Unread { conversation: Some((conversation_type, target_id)), count })
}

/// `entries: { room: r1, entries: { k: v } }` (all entries), `{ room, key, value }` (one entry), or
/// `{ room, code }` / `{ room, key, code }` (a read that fails).
fn entries_check(node: &Node) -> Res<Check> {
    const WHAT: &str = "expect.entries";
    let fields = node.fields(WHAT, "in expect.entries", &["room", "key", "entries", "value", "code"])?;
    let room = fields.require("room")?.text("expect.entries.room")?;
    let key = match fields.get("key") {
        Some(node) => Some(node.text("expect.entries.key")?),
        None => None,
    };
    let mut outcomes: Vec<&Entry<'_>> =
        ["entries", "value", "code"].into_iter().filter_map(|name| fields.entry(name)).collect();
    outcomes.sort_by_key(|entry| entry.key_at);
    let hint = "`entries` is the whole map, `value` one key's value, `code` the error of a read that fails";
    let outcome = match outcomes.as_slice() {
        [] => return fail(node.at, format!("{WHAT} needs entries, value or code; {hint}")),
        [first, second, ..] => {
            return fail(second.key_at, format!("{WHAT} has both {} and {}; {hint}", first.key, second.key));
        }
        [only] => only,
    };
    let read = match (outcome.key, key) {
        ("entries", Some(_)) => {
            let at = fields.entry("key").map_or(node.at, |entry| entry.key_at);
            return fail(
                at,
                "field \"key\" does not apply with `entries`, which is the whole map; use `value` for one key",
            );
        }
        ("entries", None) => EntriesRead::All(entries(outcome.value, "expect.entries.entries")?),
        ("value", Some(key)) => EntriesRead::Entry { key, value: outcome.value.text("expect.entries.value")? },
        ("value", None) => return fail(outcome.key_at, "field \"value\" needs `key`, the key whose value it is"),
        (_, key) => EntriesRead::Fails { key, code: outcome.value.int("expect.entries.code", I32_RANGE)? },
    };
    Ok(Check::Entries { room, read })
}

/// `call: joinChatRoom` with `code`: the return code of the device's next call of that method.
fn call(fields: &Fields<'_>, call: &Entry<'_>) -> Res<Check> {
    let name = call.value.text("expect.call")?;
    let Some(method) = Method::from_name(&name) else {
        let names: Vec<&str> = Method::ALL.iter().map(|method| method.name()).collect();
        let hint = if STEPS.contains(&name.as_str()) { " (name the method the step calls, not the step)" } else { "" };
        return fail(
            call.value.at,
            format!("expect.call: unknown method {name:?}{hint}; expected one of {}", names.join(", ")),
        );
    };
    let Some(code) = fields.get("code") else {
        return fail(call.key_at, "a call check needs `code`, the call's return code (0 when the engine took it)");
    };
    Ok(Check::Call { method: method.name(), code: code.int("expect.code", I32_RANGE)? })
}
