//! The generic forms that reach the whole API table: the `call` step (any method of the manual, by its name, with its
//! parameters under their names) and the `expect` of a listener's event (`event: onMessagesLoaded` with the fields
//! its serialised form must match).

use std::time::Duration;

use imsim_engine::api::{Call, Completion, Method};

use super::{Context, positive_duration};
use crate::scenario::arguments::{NodeDeserializer, has_references, is_valid_name};
use crate::scenario::listeners::listeners;
use crate::scenario::model::{CallArguments, CallStep, Check, Expectation, SEND_COUNT_MAX, StepKind};
use crate::scenario::pattern::Pattern;
use crate::scenario::yaml::{Node, Res, Value, fail};

/// The keys of a `call` step besides the method's parameters.
pub(super) const CALL_KEYS: &[&str] = &["device", "method", "callback", "as"];
/// The keys of a listener `expect` besides the event's fields.
pub(super) const EXPECT_KEYS: &[&str] =
    &["device", "event", "no_event", "callback", "within", "for", "as", "since", "times"];
/// The checks an expect may have instead of an event: one of them beside `event` is a second check.
const OTHER_CHECKS: &[&str] =
    &["status", "stored", "unread", "entries", "call", "server_callback", "no_server_callback"];
const DEFAULT_WITHIN: Duration = Duration::from_secs(10);

/// `call: { device: a, method: joinChatRoom, targetId: r1, messageCount: -1, autoCreate: false, as: NAME }`.
pub(super) fn call_step(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected("call", "a mapping like { device: a, method: leaveChatRoom, targetId: r1 }");
    }
    let entries = node.entries("call", "in call", "field")?;
    let field = |name: &str| entries.iter().find(|entry| entry.key == name);
    let Some(device) = field("device") else { return fail(node.at, "call needs `device`, the device that calls") };
    let device = context.device(device.value, "call.device")?;
    let Some(method_entry) = field("method") else {
        return fail(node.at, "call needs `method`, the manual's name of the method, like joinChatRoom");
    };
    let name = method_entry.value.text("call.method")?;
    let Some(method) = Method::from_name(&name) else {
        let names: Vec<&str> = Method::ALL.iter().map(|method| method.name()).collect();
        let hint = names
            .iter()
            .find(|known| known.eq_ignore_ascii_case(&name))
            .map_or(String::new(), |known| format!(" (names are case-sensitive: did you mean {known}?)"));
        return fail(
            method_entry.value.at,
            format!("call.method: unknown method {name:?}{hint}; the API table has {}", names.join(", ")),
        );
    };
    let callback = match field("callback") {
        Some(entry) => {
            let callback = entry.value.bool("call.callback")?;
            if callback && !matches!(method.completion(), Completion::Listener { .. }) {
                return fail(
                    entry.key_at,
                    format!("call.callback: {name} answers through no listener, so it takes no callback (CALL-4)"),
                );
            }
            callback
        }
        None => false,
    };
    let keep_as = match field("as") {
        Some(entry) => Some(name_to_keep(entry.value, "call.as")?),
        None => None,
    };
    let takes = takes(method);
    let pairs: Vec<(Node, Node)> = match &node.value {
        Value::Map(pairs) => pairs.iter().filter(|(key, _)| !is_key(key, CALL_KEYS)).cloned().collect(),
        _ => Vec::new(),
    };
    let arguments = Node { at: node.at, value: Value::Map(pairs) };
    let arguments = if has_references(&arguments) {
        if let Some(unknown) =
            entries.iter().find(|e| !CALL_KEYS.contains(&e.key) && !method.parameters().contains(&e.key))
        {
            return fail(unknown.key_at, format!("unknown parameter {:?} of {name}; {takes}", unknown.key));
        }
        CallArguments::Written { method, arguments }
    } else {
        let call = Call::from_parameters(method, NodeDeserializer(&arguments))
            .map_err(|error| (error.at.unwrap_or(node.at), error.message))
            .or_else(|(at, message)| fail(at, format!("call {name}: {message}; {takes}")))?;
        CallArguments::Ready(call)
    };
    Ok(StepKind::Call(CallStep { device, arguments, keep_as, callback }))
}

/// `method`'s parameters, as messages list them.
fn takes(method: Method) -> String {
    match method.parameters() {
        [] => format!("{} takes no parameters", method.name()),
        parameters => format!("{} takes {}", method.name(), parameters.join(", ")),
    }
}

fn is_key(key: &Node, names: &[&str]) -> bool {
    matches!(&key.value, Value::Scalar(text, _) if names.contains(&text.as_str()))
}

pub(super) fn name_to_keep(node: &Node, what: &str) -> Res<String> {
    let name = node.text(what)?;
    if !is_valid_name(&name) {
        return fail(node.at, format!("{what}: {name:?} is not a name; use letters, digits and _, like page1"));
    }
    Ok(name)
}

/// Whether an expect is about a listener's event (`event: onX` or `no_event: onX`).
pub(super) fn is_event_expect(node: &Node) -> bool {
    let Value::Map(pairs) = &node.value else { return false };
    // A server callback check says so, whatever else it has (its own errors name a stray `event`).
    pairs.iter().any(|(key, _)| is_key(key, &["event", "no_event", "callback"]))
        && !pairs.iter().any(|(key, _)| is_key(key, &["server_callback", "no_server_callback"]))
}

/// `expect: { device: a, event: onMessagesLoaded, code: 0, messages: [ { text: c } ], as: NAME, within: 5s }`, or
/// `no_event: onX` with `for`.
pub(super) fn listener_expect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let entries = node.entries("expect", "in expect", "field")?;
    let field = |name: &str| entries.iter().find(|entry| entry.key == name);
    let Some(device) = field("device") else { return fail(node.at, "expect needs `device`") };
    let device = context.device(device.value, "expect.device")?;
    let mut kinds: Vec<_> = ["event", "no_event", "callback"].into_iter().filter_map(field).collect();
    kinds.sort_by_key(|entry| entry.key_at);
    let which = match kinds.as_slice() {
        [first, second, ..] => {
            return fail(
                second.key_at,
                format!("expect has both {} and {}; use one per expect", first.key, second.key),
            );
        }
        [only] => *only,
        [] => return fail(node.at, "expect needs event, no_event or callback"),
    };
    let negative = which.key == "no_event";
    let what = format!("expect.{}", which.key);
    let what = what.as_str();
    let listener = which.value.text(what)?;
    let Some(parameters) = listeners().get(&listener) else {
        let names: Vec<&str> = listeners().keys().map(String::as_str).collect();
        let mut capitalised = listener.chars();
        let manual_name =
            capitalised.next().map(|first| format!("on{}{}", first.to_ascii_uppercase(), capitalised.as_str()));
        let hint = match manual_name.filter(|name| listeners().contains_key(name)) {
            Some(name) => format!(" (listeners go by the manual's names: did you mean {name}?)"),
            None => String::new(),
        };
        return fail(
            which.value.at,
            format!("{what}: unknown listener {listener:?}{hint}; the engine reports {}", names.join(", ")),
        );
    };
    let mut fields = Vec::new();
    for entry in entries.iter().filter(|entry| !EXPECT_KEYS.contains(&entry.key)) {
        if !parameters.parameters.iter().any(|parameter| parameter == entry.key) {
            if OTHER_CHECKS.contains(&entry.key) {
                return fail(
                    entry.key_at,
                    format!("expect has two checks, {} and {}; use one check per expect", which.key, entry.key),
                );
            }
            let has = match parameters.parameters.as_slice() {
                [] => "no parameters".to_owned(),
                names => names.join(", "),
            };
            return fail(entry.key_at, format!("{:?} is not a parameter of {listener}; it has {has}", entry.key));
        }
        parameters.check_field(entry.key, entry.value, &format!("expect.{}", entry.key))?;
        let pattern = Pattern::from_node(entry.value).or_else(|(at, message)| fail(at, message))?;
        fields.push((entry.key.to_owned(), pattern));
    }
    let pattern = if fields.is_empty() { Pattern::Any } else { Pattern::Fields(fields) };
    if negative {
        for name in ["within", "as", "times"] {
            if let Some(entry) = field(name) {
                return fail(
                    entry.key_at,
                    format!("field {name:?} does not apply to a no_event check; its period is `for`"),
                );
            }
        }
        let Some(period) = field("for") else {
            return fail(
                which.key_at,
                "no_event needs `for`, the period in which no such event may come, like `for: 5s`",
            );
        };
        let period = positive_duration(period.value, "expect.for", "")?;
        let since = field("since").map(|entry| name_to_keep(entry.value, "expect.since")).transpose()?;
        let check = Check::NoEvent { listener, pattern, period, since };
        return Ok(StepKind::Expect(Expectation { device, within: period, check }));
    }
    if let Some(entry) = field("for") {
        return fail(
            entry.key_at,
            "field \"for\" only applies to a no_event check; the time an event may take is `within`",
        );
    }
    if let Some(entry) = field("since") {
        return fail(
            entry.key_at,
            "field \"since\" only applies to a no_event check: it names the checkpoint its window opens at",
        );
    }
    let within = match field("within") {
        Some(entry) => entry.value.duration("expect.within")?,
        None => DEFAULT_WITHIN,
    };
    let keep_as = match field("as") {
        Some(entry) => Some(name_to_keep(entry.value, "expect.as")?),
        None => None,
    };
    let times = match field("times") {
        Some(entry) if which.key == "callback" => {
            return fail(entry.key_at, "field \"times\" only applies to an event check");
        }
        Some(entry) => {
            let range = format!("an integer from 1 to {SEND_COUNT_MAX}");
            let times = entry.value.int::<u32>("expect.times", &range)?;
            if !(1..=SEND_COUNT_MAX).contains(&times) {
                return fail(entry.value.at, format!("expect.times: {times} is out of range; expected {range}"));
            }
            times
        }
        None => 1,
    };
    let check = if which.key == "callback" {
        Check::Callback { listener, pattern, keep_as }
    } else {
        Check::Event { listener, pattern, keep_as, times }
    };
    Ok(StepKind::Expect(Expectation { device, within, check }))
}
