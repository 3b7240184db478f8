//! From the YAML tree to a [`Scenario`]: every check the format makes, in the format's terms.

use std::path::Path;
use std::time::Duration;

use imsim_engine::types::{ConnectionStatus, ConversationType, MessageDirection, Platform, SentStatus};

use super::model::{
    Check, DeviceSpec, Endpoint, EventKind, EventPattern, Expectation, RuleId, Scenario, Settings, Step, StepKind,
    StoredPattern, TokenChoice, distinct_users, format_duration,
};
use super::yaml::{self, Entry, Fields, Node, Res, Value, fail};

const TOP_FIELDS: &[&str] = &["name", "rules", "seed", "settings", "devices", "steps"];
const STEPS: &[&str] = &["connect", "disconnect", "send", "advance", "partition", "repair", "revoke_tokens", "expect"];
const EXPECT_FIELDS: &[&str] = &[
    "device",
    "within",
    "event",
    "status",
    "stored",
    "code",
    "text",
    "from",
    "user",
    "left",
    "offline",
    "has_package",
    "sent_status",
];
/// The fields of an expect that describe its event (`status` too, when there is an `event`).
const EVENT_FIELDS: &[&str] =
    &["code", "status", "text", "from", "user", "left", "offline", "has_package", "sent_status"];
const DEFAULT_WITHIN: Duration = Duration::from_secs(10);
const TICK_MIN: Duration = Duration::from_millis(1);
const TICK_MAX: Duration = Duration::from_secs(1);

/// Parses and validates `text`, read from `path`.
pub(crate) fn scenario(path: &Path, text: &str) -> Res<Scenario> {
    let root = yaml::load(text)?;
    if matches!(root.value, Value::Null) {
        return fail(root.at, "the file is empty; a scenario needs name, rules, seed, devices and steps");
    }
    let top = root.fields("the scenario", "at the top level", TOP_FIELDS)?;
    let name = {
        let node = top.require("name")?;
        let name = node.text("name")?;
        if name.trim().is_empty() {
            return fail(node.at, "name: must not be empty");
        }
        name
    };
    let rules = rules(top.require("rules")?)?;
    let seed = top.require("seed")?.int("seed", "an integer from 0 to 18446744073709551615")?;
    let settings = match top.get("settings") {
        Some(node) => settings(node)?,
        None => Settings::default(),
    };
    let devices = devices(top.require("devices")?)?;
    let context = Context { devices: &devices };
    let steps = top
        .require("steps")?
        .seq("steps", "a sequence of steps (write `steps: []` for none)")?
        .iter()
        .map(|node| step(node, &context))
        .collect::<Res<Vec<Step>>>()?;
    Ok(Scenario { path: path.to_owned(), name, rules, seed, settings, devices, steps })
}

fn rules(node: &Node) -> Res<Vec<RuleId>> {
    let items = node.seq("rules", "a list of rule IDs, like [SEND-4, RECV-1]")?;
    if items.is_empty() {
        return fail(node.at, "rules: list at least one rule ID the scenario checks");
    }
    let mut rules: Vec<RuleId> = Vec::with_capacity(items.len());
    for item in items {
        let id = item.text("rules")?;
        if !RuleId::is_well_formed(&id) {
            return fail(
                item.at,
                format!("rules: {id:?} is not a rule ID; expected capital letters, a dash and a number, like SEND-4"),
            );
        }
        let Some(rule) = RuleId::new(&id) else {
            return fail(item.at, format!("rules: {id} is not a rule of the spec (sim/src/spec/rules.tsv)"));
        };
        if rules.contains(&rule) {
            return fail(item.at, format!("rules: {id} is listed twice"));
        }
        rules.push(rule);
    }
    Ok(rules)
}

fn settings(node: &Node) -> Res<Settings> {
    let defaults = Settings::default();
    let fields = node.fields("settings", "in settings", &["tick", "latency", "app_key"])?;
    let tick = match fields.get("tick") {
        Some(node) => {
            let tick = node.duration("settings.tick")?;
            if !(TICK_MIN..=TICK_MAX).contains(&tick) {
                let tick = format_duration(tick);
                return fail(node.at, format!("settings.tick: {tick} is out of range; expected 1ms to 1s"));
            }
            tick
        }
        None => defaults.tick,
    };
    let (latency_min, latency_max) = match fields.get("latency") {
        Some(node) => {
            let latency = node.fields("settings.latency", "in settings.latency", &["min", "max"])?;
            let min = latency.require("min")?.duration("settings.latency.min")?;
            let max_node = latency.require("max")?;
            let max = max_node.duration("settings.latency.max")?;
            if min > max {
                let (min, max) = (format_duration(min), format_duration(max));
                return fail(max_node.at, format!("settings.latency: max {max} is less than min {min}"));
            }
            (min, max)
        }
        None => (defaults.latency_min, defaults.latency_max),
    };
    let app_key = match fields.get("app_key") {
        Some(node) => non_empty(node, "settings.app_key")?,
        None => defaults.app_key,
    };
    Ok(Settings { tick, latency_min, latency_max, app_key })
}

fn devices(node: &Node) -> Res<Vec<DeviceSpec>> {
    let entries = node.entries("devices", "in devices", "device")?;
    if entries.is_empty() {
        return fail(node.at, "devices: declare at least one device, like `a: { user: zhangsan }`");
    }
    let mut devices = Vec::with_capacity(entries.len());
    for Entry { key: name, key_at, value } in entries {
        if name == "server" {
            return fail(key_at, "device name \"server\" is reserved for the server endpoint");
        }
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return fail(key_at, format!("invalid device name {name:?}; use lowercase letters, digits, `_` and `-`"));
        }
        let what = format!("devices.{name}");
        let fields = value.fields(&what, &format!("in device {name}"), &["user", "platform"])?;
        let user = non_empty(fields.require("user")?, &format!("{what}.user"))?;
        let platform = match fields.get("platform") {
            Some(node) => node.choice(&format!("{what}.platform"), Platform::ALL, Platform::manual_name)?,
            None => Platform::Mobile,
        };
        devices.push(DeviceSpec { name: name.to_owned(), user, platform });
    }
    Ok(devices)
}

fn non_empty(node: &Node, what: &str) -> Res<String> {
    let text = node.text(what)?;
    if text.is_empty() {
        return fail(node.at, format!("{what}: must not be empty"));
    }
    Ok(text)
}

/// What steps can refer to.
struct Context<'a> {
    devices: &'a [DeviceSpec],
}

impl Context<'_> {
    fn device_names(&self) -> String {
        self.devices.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    fn device(&self, node: &Node, what: &str) -> Res<String> {
        let name = node.text(what)?;
        if self.devices.iter().any(|d| d.name == name) {
            return Ok(name);
        }
        fail(node.at, format!("{what}: unknown device {name:?}; declared devices are {}", self.device_names()))
    }

    fn endpoint(&self, node: &Node, what: &str) -> Res<Endpoint> {
        let name = node.text(what)?;
        if name == "server" {
            return Ok(Endpoint::Server);
        }
        if self.devices.iter().any(|d| d.name == name) {
            return Ok(Endpoint::Device(name));
        }
        let names = self.device_names();
        fail(node.at, format!("{what}: unknown endpoint {name:?}; expected server or a declared device ({names})"))
    }

    fn user(&self, node: &Node, what: &str) -> Res<String> {
        let user = node.text(what)?;
        if self.devices.iter().any(|d| d.user == user) {
            return Ok(user);
        }
        let users = distinct_users(self.devices).join(", ");
        fail(node.at, format!("{what}: unknown user {user:?}; the devices' users are {users}"))
    }
}

fn step(node: &Node, context: &Context<'_>) -> Res<Step> {
    if !matches!(node.value, Value::Map(_)) {
        return fail(node.at, format!("a step is a mapping with one key, like `connect: a`; found {}", node.found()));
    }
    let entries = node.entries("step", "in the step", "key")?;
    let Some(first) = entries.first() else {
        return fail(node.at, format!("empty step; expected one of {}", STEPS.join(", ")));
    };
    if !STEPS.contains(&first.key) {
        return fail(first.key_at, format!("unknown step {:?}; expected one of {}", first.key, STEPS.join(", ")));
    }
    if let Some(extra) = entries.get(1) {
        let hint = if STEPS.contains(&extra.key) {
            "start each step with its own `- `".to_owned()
        } else {
            format!("indent it under `{}:`", first.key)
        };
        return fail(
            extra.key_at,
            format!("a step has exactly one key, but this one also has {:?}; {hint}", extra.key),
        );
    }
    let value = first.value;
    let kind = match first.key {
        "connect" => connect(value, context)?,
        "disconnect" => disconnect(value, context)?,
        "send" => send(value, context)?,
        "advance" => StepKind::Advance(value.duration("advance")?),
        "partition" => {
            let (x, y) = link(value, context, "partition")?;
            StepKind::Partition(x, y)
        }
        "repair" => {
            let (x, y) = link(value, context, "repair")?;
            StepKind::Repair(x, y)
        }
        "revoke_tokens" => StepKind::RevokeTokens { user: context.user(value, "revoke_tokens")? },
        _ => StepKind::Expect(expect(value, context)?),
    };
    Ok(Step { location: node.at, kind })
}

/// The fields of a step that also has a short form (a bare device name, handled by the caller).
fn long_form<'a>(node: &'a Node, step: &str, allowed: &[&str], example: &str) -> Res<Fields<'a>> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(step, &format!("a device name or a mapping like {example}"));
    }
    node.fields(step, &format!("in {step}"), allowed)
}

fn connect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        let device = context.device(node, "connect")?;
        return Ok(StepKind::Connect { device, timeout_seconds: 0, token: TokenChoice::Valid });
    }
    let fields = long_form(node, "connect", &["device", "timeout", "token"], "{ device: a, timeout: 5 }")?;
    let device = context.device(fields.require("device")?, "connect.device")?;
    let timeout_seconds = match fields.get("timeout") {
        Some(node) => node.int("connect.timeout", "whole seconds, an integer from -2147483648 to 2147483647")?,
        None => 0,
    };
    let token = match fields.get("token") {
        Some(node) => node.choice("connect.token", TokenChoice::ALL, TokenChoice::name)?,
        None => TokenChoice::Valid,
    };
    Ok(StepKind::Connect { device, timeout_seconds, token })
}

fn disconnect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        return Ok(StepKind::Disconnect { device: context.device(node, "disconnect")?, receive_push: true });
    }
    let fields = long_form(node, "disconnect", &["device", "receive_push"], "{ device: a, receive_push: false }")?;
    let device = context.device(fields.require("device")?, "disconnect.device")?;
    let receive_push = match fields.get("receive_push") {
        Some(node) => node.bool("disconnect.receive_push")?,
        None => true,
    };
    Ok(StepKind::Disconnect { device, receive_push })
}

fn send(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields = node.fields("send", "in send", &["device", "to", "text", "type"])?;
    let device = context.device(fields.require("device")?, "send.device")?;
    let conversation_type = conversation_type(fields.get("type"), "send.type")?;
    let target_id = fields.require("to")?.text("send.to")?;
    let text = fields.require("text")?.text("send.text")?;
    Ok(StepKind::Send { device, conversation_type, target_id, text })
}

fn conversation_type(node: Option<&Node>, what: &str) -> Res<ConversationType> {
    match node {
        Some(node) => node.choice(what, ConversationType::ALL, ConversationType::manual_name),
        None => Ok(ConversationType::Private),
    }
}

fn link(node: &Node, context: &Context<'_>, what: &str) -> Res<(Endpoint, Endpoint)> {
    let items = node.seq(what, "two endpoints, like [a, server]")?;
    let [x, y] = items else {
        let found = match items.len() {
            1 => "1 item".to_owned(),
            n => format!("{n} items"),
        };
        return fail(node.at, format!("{what}: expected two endpoints, like [a, server], found {found}"));
    };
    let (x_endpoint, y_endpoint) = (context.endpoint(x, what)?, context.endpoint(y, what)?);
    if x_endpoint == y_endpoint {
        return fail(y.at, format!("{what}: both endpoints are {x_endpoint}; expected two different endpoints"));
    }
    Ok((x_endpoint, y_endpoint))
}

fn expect(node: &Node, context: &Context<'_>) -> Res<Expectation> {
    let fields = node.fields("expect", "in expect", EXPECT_FIELDS)?;
    let device = context.device(fields.require("device")?, "expect.device")?;
    let within = match fields.get("within") {
        Some(node) => node.duration("expect.within")?,
        None => DEFAULT_WITHIN,
    };
    let event = fields.entry("event");
    // With an event, `status` is the connectionStatusChanged field; without, it is the check.
    let status = if event.is_none() { fields.entry("status") } else { None };
    let mut checks: Vec<&Entry<'_>> = [event, status, fields.entry("stored")].into_iter().flatten().collect();
    checks.sort_by_key(|entry| entry.key_at);
    let check = match checks.as_slice() {
        [] => return fail(node.at, "expect needs a check: one of event, status or stored"),
        [first, second, ..] => {
            let message = format!(
                "expect has two checks, {} and {}; use one of event, status or stored per expect",
                first.key, second.key
            );
            return fail(second.key_at, message);
        }
        [only] => match only.key {
            "event" => Check::Event(event_pattern(&fields, only.value)?),
            "status" => {
                no_event_fields(&fields, "status")?;
                Check::Status(only.value.choice(
                    "expect.status",
                    ConnectionStatus::ALL,
                    ConnectionStatus::manual_name,
                )?)
            }
            _ => {
                no_event_fields(&fields, "")?;
                stored(only.value)?
            }
        },
    };
    Ok(Expectation { device, within, check })
}

/// Reports an event field in an expect without `event` (`except` is the one field that is the check).
fn no_event_fields(fields: &Fields<'_>, except: &str) -> Res<()> {
    match fields.entries.iter().find(|e| e.key != except && EVENT_FIELDS.contains(&e.key)) {
        Some(entry) => {
            fail(entry.key_at, format!("field {:?} only applies to an event check (`event: ...`)", entry.key))
        }
        None => Ok(()),
    }
}

fn event_pattern(fields: &Fields<'_>, event: &Node) -> Res<EventPattern> {
    let kind = event.choice("expect.event", EventKind::ALL, EventKind::name)?;
    let mut pattern = EventPattern::new(kind);
    for Entry { key, key_at, value } in &fields.entries {
        if !EVENT_FIELDS.contains(key) {
            continue;
        }
        if !kind.fields().contains(key) {
            let takes = kind.fields().join(", ");
            return fail(*key_at, format!("field {key:?} does not apply to event {kind}; it takes {takes}"));
        }
        let what = format!("expect.{key}");
        match *key {
            "code" => pattern.code = Some(value.int(&what, "an integer from -2147483648 to 2147483647")?),
            "status" => {
                pattern.status = Some(value.choice(&what, ConnectionStatus::ALL, ConnectionStatus::manual_name)?);
            }
            "text" => pattern.text = Some(value.text(&what)?),
            "from" => pattern.from = Some(value.text(&what)?),
            "user" => pattern.user = Some(value.text(&what)?),
            "left" => pattern.left = Some(value.int(&what, "an integer from 0 to 4294967295")?),
            "offline" => pattern.offline = Some(value.bool(&what)?),
            "has_package" => pattern.has_package = Some(value.bool(&what)?),
            _ => pattern.sent_status = Some(value.choice(&what, SentStatus::ALL, SentStatus::manual_name)?),
        }
    }
    Ok(pattern)
}

fn stored(node: &Node) -> Res<Check> {
    let fields = node.fields("expect.stored", "in expect.stored", &["type", "target", "messages"])?;
    let conversation_type = conversation_type(fields.get("type"), "expect.stored.type")?;
    let target_id = fields.require("target")?.text("expect.stored.target")?;
    let items = fields.require("messages")?.seq("expect.stored.messages", "a list of messages (`[]` for none)")?;
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
    Ok(Check::Stored { conversation_type, target_id, messages })
}
