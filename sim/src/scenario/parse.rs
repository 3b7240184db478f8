//! From the YAML tree to a [`Scenario`]: every check the format makes, in the format's terms.

use std::path::Path;
use std::time::Duration;

use imsim_engine::types::{
    BlacklistStatus, ConnectionStatus, ConversationType, MessageDirection, Platform, SentStatus,
};

use super::model::{
    AppSettings, Check, DeviceSpec, Endpoint, EventKind, EventPattern, Expectation, Location, RuleId, SEND_COUNT_MAX,
    Scenario, Settings, Step, StepKind, StoredContents, StoredPattern, TokenChoice, distinct_users, format_duration,
};
use super::yaml::{self, Entry, Fields, Node, Res, Value, fail};

const TOP_FIELDS: &[&str] = &["name", "rules", "seed", "settings", "devices", "steps"];
const STEPS: &[&str] = &[
    "connect",
    "disconnect",
    "send",
    "advance",
    "partition",
    "repair",
    "revoke_tokens",
    "ban",
    "unban",
    "foreground",
    "background",
    "network_lost",
    "network_restored",
    "crash",
    "restart",
    "blacklist_add",
    "blacklist_remove",
    "blacklist_status",
    "blacklist_get",
    "create_group",
    "dismiss_group",
    "add_members",
    "remove_members",
    "mute_member",
    "unmute_member",
    "mute_all",
    "unmute_all",
    "server_send",
    "expect",
];
const SETTINGS_FIELDS: &[&str] = &["tick", "latency", "app_key", "heartbeat", "app"];
const APP_FIELDS: &[&str] = &[
    "reconnect_kick_policy",
    "mobile_devices_max",
    "mini_program_devices_max",
    "multi_device_sync",
    "token_ttl",
    "compensation_days",
    "private_offline_days",
    "group_offline_days",
    "send_rate_limit",
];
const DEVICE_FIELDS: &[&str] = &["user", "platform", "kick_reconnect_device"];
const EXPECT_FIELDS: &[&str] = &[
    "device",
    "within",
    "for",
    "event",
    "no_event",
    "status",
    "stored",
    "unread",
    "code",
    "text",
    "from",
    "user",
    "left",
    "offline",
    "has_package",
    "sent_status",
    "blacklist_status",
    "users",
];
/// The fields of an expect that describe its event (`status` too, when there is an `event` or a `no_event`).
const EVENT_FIELDS: &[&str] = &[
    "code",
    "status",
    "text",
    "from",
    "user",
    "left",
    "offline",
    "has_package",
    "sent_status",
    "blacklist_status",
    "users",
];
const DEFAULT_WITHIN: Duration = Duration::from_secs(10);
const TICK_MIN: Duration = Duration::from_millis(1);
const TICK_MAX: Duration = Duration::from_secs(1);
const HEARTBEAT_INTERVAL_MIN: Duration = Duration::from_secs(1);
const DEVICES_MAX_RANGE: &str = "an integer from 1 to 4294967295";
const U32_RANGE: &str = "an integer from 0 to 4294967295";
/// The range of the App Key's day counts (CFG-3, CFG-8).
const DAYS: std::ops::RangeInclusive<u32> = 1..=7;
/// The checks of an expect, as the messages list them.
const CHECKS: &str = "event, no_event, status, stored or unread";
/// The message APIs of a `server_send`.
const SERVER_SEND_TYPES: &[ConversationType] =
    &[ConversationType::Private, ConversationType::Group, ConversationType::System];

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
    let fields = node.fields("settings", "in settings", SETTINGS_FIELDS)?;
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
    let (heartbeat_interval, heartbeat_timeout) = match fields.get("heartbeat") {
        Some(node) => heartbeat(node)?,
        None => (defaults.heartbeat_interval, defaults.heartbeat_timeout),
    };
    let app = match fields.get("app") {
        Some(node) => app(node)?,
        None => defaults.app,
    };
    Ok(Settings { tick, latency_min, latency_max, app_key, heartbeat_interval, heartbeat_timeout, app })
}

/// `settings.heartbeat`: the interval and the timeout, both required.
fn heartbeat(node: &Node) -> Res<(Duration, Duration)> {
    let heartbeat = node.fields("settings.heartbeat", "in settings.heartbeat", &["interval", "timeout"])?;
    let interval_node = heartbeat.require("interval")?;
    let interval = interval_node.duration("settings.heartbeat.interval")?;
    if interval < HEARTBEAT_INTERVAL_MIN {
        let interval = format_duration(interval);
        return fail(
            interval_node.at,
            format!("settings.heartbeat.interval: {interval} is too short; expected 1s or more"),
        );
    }
    let timeout_node = heartbeat.require("timeout")?;
    let timeout = positive_duration(timeout_node, "settings.heartbeat.timeout", "")?;
    if timeout >= interval {
        let (interval, timeout) = (format_duration(interval), format_duration(timeout));
        return fail(
            timeout_node.at,
            format!(
                "settings.heartbeat: timeout {timeout} is not less than interval {interval}; expected a shorter timeout"
            ),
        );
    }
    Ok((interval, timeout))
}

/// `settings.app`: the App Key's console switches, every one optional.
fn app(node: &Node) -> Res<AppSettings> {
    let defaults = AppSettings::default();
    let fields = node.fields("settings.app", "in settings.app", APP_FIELDS)?;
    let switch = |name: &str, default: bool| match fields.get(name) {
        Some(node) => node.bool(&format!("settings.app.{name}")),
        None => Ok(default),
    };
    let devices_max = |name: &str, default: u32| {
        let Some(node) = fields.get(name) else {
            return Ok(default);
        };
        let what = format!("settings.app.{name}");
        match node.int::<u32>(&what, DEVICES_MAX_RANGE)? {
            0 => fail(node.at, format!("{what}: 0 is out of range; expected {DEVICES_MAX_RANGE}")),
            max => Ok(max),
        }
    };
    let days = |name: &str, rule: &str, default: u32| {
        let Some(node) = fields.get(name) else {
            return Ok(default);
        };
        let what = format!("settings.app.{name}");
        let range = format!("an integer from {} to {} ({rule})", DAYS.start(), DAYS.end());
        let days = node.int::<u32>(&what, &range)?;
        if !DAYS.contains(&days) {
            return fail(node.at, format!("{what}: {days} is out of range; expected {range}"));
        }
        Ok(days)
    };
    let token_ttl = match fields.get("token_ttl") {
        Some(node) => Some(positive_duration(
            node,
            "settings.app.token_ttl",
            " (leave token_ttl out for tokens that never expire, or connect with `token: expired`)",
        )?),
        None => defaults.token_ttl,
    };
    Ok(AppSettings {
        reconnect_kick_policy: switch("reconnect_kick_policy", defaults.reconnect_kick_policy)?,
        mobile_devices_max: devices_max("mobile_devices_max", defaults.mobile_devices_max)?,
        mini_program_devices_max: devices_max("mini_program_devices_max", defaults.mini_program_devices_max)?,
        multi_device_sync: switch("multi_device_sync", defaults.multi_device_sync)?,
        token_ttl,
        compensation_days: days("compensation_days", "CFG-3", defaults.compensation_days)?,
        private_offline_days: days("private_offline_days", "CFG-8", defaults.private_offline_days)?,
        group_offline_days: days("group_offline_days", "CFG-8", defaults.group_offline_days)?,
        send_rate_limit: devices_max("send_rate_limit", defaults.send_rate_limit)?,
    })
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
        let fields = value.fields(&what, &format!("in device {name}"), DEVICE_FIELDS)?;
        let user = non_empty(fields.require("user")?, &format!("{what}.user"))?;
        let platform = match fields.get("platform") {
            Some(node) => node.choice(&format!("{what}.platform"), Platform::ALL, Platform::manual_name)?,
            None => Platform::Mobile,
        };
        let kick_reconnect_device = match fields.get("kick_reconnect_device") {
            Some(node) => node.bool(&format!("{what}.kick_reconnect_device"))?,
            None => false,
        };
        devices.push(DeviceSpec { name: name.to_owned(), user, platform, kick_reconnect_device });
    }
    Ok(devices)
}

/// A duration of at least 1ms; `hint` ends the message when it is zero.
fn positive_duration(node: &Node, what: &str, hint: &str) -> Res<Duration> {
    let duration = node.duration(what)?;
    if duration.is_zero() {
        let text = node.text(what)?;
        return fail(node.at, format!("{what}: {text} is too short; expected 1ms or more{hint}"));
    }
    Ok(duration)
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
        "ban" => ban(value, context)?,
        "unban" => StepKind::Unban { user: context.user(value, "unban")? },
        "foreground" => StepKind::Foreground { device: context.device(value, "foreground")? },
        "background" => StepKind::Background { device: context.device(value, "background")? },
        "network_lost" => StepKind::NetworkLost { device: context.device(value, "network_lost")? },
        "network_restored" => StepKind::NetworkRestored { device: context.device(value, "network_restored")? },
        "crash" => StepKind::Crash { device: context.device(value, "crash")? },
        "restart" => StepKind::Restart { device: context.device(value, "restart")? },
        "blacklist_add" => {
            let (device, user) = blacklist_call(value, context, "blacklist_add")?;
            StepKind::BlacklistAdd { device, user }
        }
        "blacklist_remove" => {
            let (device, user) = blacklist_call(value, context, "blacklist_remove")?;
            StepKind::BlacklistRemove { device, user }
        }
        "blacklist_status" => {
            let (device, user) = blacklist_call(value, context, "blacklist_status")?;
            StepKind::BlacklistStatus { device, user }
        }
        "blacklist_get" => StepKind::BlacklistGet { device: context.device(value, "blacklist_get")? },
        "create_group" => create_group(value)?,
        "dismiss_group" => StepKind::DismissGroup { group: id(value, "dismiss_group")? },
        "add_members" => {
            let (group, users) = members_change(value, "add_members")?;
            StepKind::AddMembers { group, users }
        }
        "remove_members" => {
            let (group, users) = members_change(value, "remove_members")?;
            StepKind::RemoveMembers { group, users }
        }
        "mute_member" => mute_member(value)?,
        "unmute_member" => {
            let fields = mapping(value, "unmute_member", &["group", "user"], "{ group: g1, user: lisi }")?;
            let group = id(fields.require("group")?, "unmute_member.group")?;
            let user = id(fields.require("user")?, "unmute_member.user")?;
            StepKind::UnmuteMember { group, user }
        }
        "mute_all" => mute_all(value)?,
        "unmute_all" => StepKind::UnmuteAll { group: id(value, "unmute_all")? },
        "server_send" => server_send(value)?,
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
    let fields = node.fields("send", "in send", &["device", "to", "text", "type", "count", "directed"])?;
    let device = context.device(fields.require("device")?, "send.device")?;
    let conversation_type = conversation_type(fields.get("type"), "send.type")?;
    let target_id = fields.require("to")?.text("send.to")?;
    let text = fields.require("text")?.text("send.text")?;
    let count = match fields.get("count") {
        Some(node) => {
            let range = format!("an integer from 1 to {SEND_COUNT_MAX}");
            let count = node.int::<u32>("send.count", &range)?;
            if !(1..=SEND_COUNT_MAX).contains(&count) {
                return fail(node.at, format!("send.count: {count} is out of range; expected {range}"));
            }
            count
        }
        None => 1,
    };
    let directed = match fields.entry("directed") {
        Some(entry) => {
            if conversation_type != ConversationType::Group {
                return fail(
                    entry.key_at,
                    format!(
                        "field \"directed\" only applies to a group message (GRP-16), and this send's type is \
                         {conversation_type}; add `type: group`"
                    ),
                );
            }
            let node = entry.value;
            let items = node.seq("send.directed", "a list of user IDs, like [lisi, wangwu]")?;
            if items.is_empty() {
                return fail(
                    node.at,
                    "send.directed: list at least one user ID (leave directed out to send to the whole group)",
                );
            }
            items.iter().map(|item| item.text("send.directed")).collect::<Res<Vec<String>>>()?
        }
        None => Vec::new(),
    };
    Ok(StepKind::Send { device, conversation_type, target_id, text, count, directed })
}

/// `blacklist_add`, `blacklist_remove` or `blacklist_status` (`step`): a device and the `userId` argument, as written.
fn blacklist_call(node: &Node, context: &Context<'_>, step: &str) -> Res<(String, String)> {
    let fields = mapping(node, step, &["device", "user"], "{ device: a, user: lisi }")?;
    let device = context.device(fields.require("device")?, &format!("{step}.device"))?;
    let user = fields.require("user")?.text(&format!("{step}.user"))?;
    Ok((device, user))
}

fn create_group(node: &Node) -> Res<StepKind> {
    let example = "{ id: g1, name: Team, members: [zhangsan, lisi] }";
    let fields = mapping(node, "create_group", &["id", "name", "members"], example)?;
    let group = id(fields.require("id")?, "create_group.id")?;
    let name = fields.require("name")?.text("create_group.name")?;
    let members = ids(fields.require("members")?, "create_group.members", true)?;
    Ok(StepKind::CreateGroup { group, name, members })
}

/// `add_members` or `remove_members` (`step`): a group and at least one user.
fn members_change(node: &Node, step: &str) -> Res<(String, Vec<String>)> {
    let fields = mapping(node, step, &["group", "users"], "{ group: g1, users: [wangwu] }")?;
    let group = id(fields.require("group")?, &format!("{step}.group"))?;
    let users = ids(fields.require("users")?, &format!("{step}.users"), false)?;
    Ok((group, users))
}

fn mute_member(node: &Node) -> Res<StepKind> {
    let example = "{ group: g1, user: lisi, duration: 1h }";
    let fields = mapping(node, "mute_member", &["group", "user", "duration"], example)?;
    let group = id(fields.require("group")?, "mute_member.group")?;
    let user = id(fields.require("user")?, "mute_member.user")?;
    let duration = match fields.get("duration") {
        Some(node) => Some(positive_duration(
            node,
            "mute_member.duration",
            " (leave duration out to mute until `unmute_member`)",
        )?),
        None => None,
    };
    Ok(StepKind::MuteMember { group, user, duration })
}

/// `mute_all: g1`, or `mute_all: { group: g1, whitelist: [zhangsan] }`.
fn mute_all(node: &Node) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        return Ok(StepKind::MuteAll { group: id(node, "mute_all")?, whitelist: Vec::new() });
    }
    if !matches!(node.value, Value::Map(_)) {
        return node.expected("mute_all", "a group ID or a mapping like { group: g1, whitelist: [zhangsan] }");
    }
    let fields = node.fields("mute_all", "in mute_all", &["group", "whitelist"])?;
    let group = id(fields.require("group")?, "mute_all.group")?;
    let whitelist = match fields.get("whitelist") {
        Some(node) => ids(node, "mute_all.whitelist", true)?,
        None => Vec::new(),
    };
    Ok(StepKind::MuteAll { group, whitelist })
}

fn server_send(node: &Node) -> Res<StepKind> {
    let example = "{ from: admin, to: lisi, text: hi }";
    let allowed = &["from", "to", "type", "text", "verify_blacklist"];
    let fields = mapping(node, "server_send", allowed, example)?;
    let from = id(fields.require("from")?, "server_send.from")?;
    let to = id(fields.require("to")?, "server_send.to")?;
    let conversation_type = match fields.get("type") {
        Some(node) => node.choice("server_send.type", SERVER_SEND_TYPES, ConversationType::manual_name)?,
        None => ConversationType::Private,
    };
    let text = fields.require("text")?.text("server_send.text")?;
    let verify_blacklist = match fields.entry("verify_blacklist") {
        Some(entry) if conversation_type != ConversationType::Private => {
            return fail(
                entry.key_at,
                format!(
                    "field \"verify_blacklist\" only applies to a private message (BLACK-4), and this \
                     server_send's type is {conversation_type}"
                ),
            );
        }
        Some(entry) => entry.value.bool("server_send.verify_blacklist")?,
        None => false,
    };
    Ok(StepKind::ServerSend { from, to, conversation_type, text, verify_blacklist })
}

/// The fields of a step that only has a long form, a mapping like `example`.
fn mapping<'a>(node: &'a Node, step: &str, allowed: &[&str], example: &str) -> Res<Fields<'a>> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(step, &format!("a mapping like {example}"));
    }
    node.fields(step, &format!("in {step}"), allowed)
}

/// A user or group ID for the App Server API: any text but the empty one.
fn id(node: &Node, what: &str) -> Res<String> {
    non_empty(node, what)
}

/// A list of IDs for the App Server API, in file order: none empty, none twice, and at least one unless
/// `may_be_empty`.
fn ids(node: &Node, what: &str, may_be_empty: bool) -> Res<Vec<String>> {
    let items = node.seq(what, "a list of user IDs, like [zhangsan, lisi]")?;
    if items.is_empty() && !may_be_empty {
        return fail(node.at, format!("{what}: list at least one user ID"));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let user = id(item, what)?;
        if ids.contains(&user) {
            return fail(item.at, format!("{what}: {user} is listed twice"));
        }
        ids.push(user);
    }
    Ok(ids)
}

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

fn ban(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields = mapping(node, "ban", &["user", "duration"], "{ user: zhangsan, duration: 1h }")?;
    let user = context.user(fields.require("user")?, "ban.user")?;
    let duration = positive_duration(fields.require("duration")?, "ban.duration", " (`unban` lifts a ban)")?;
    Ok(StepKind::Ban { user, duration })
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
    let event = fields.entry("event");
    let no_event = fields.entry("no_event");
    // With an event or a no_event, `status` is the connectionStatusChanged field; without, it is the check.
    let status = if event.is_none() && no_event.is_none() { fields.entry("status") } else { None };
    let mut checks: Vec<&Entry<'_>> =
        [event, no_event, status, fields.entry("stored"), fields.entry("unread")].into_iter().flatten().collect();
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
    if only.key == "no_event" {
        return no_event_expectation(&fields, only, device);
    }
    if let Some(period) = fields.entry("for") {
        return fail(
            period.key_at,
            "field \"for\" only applies to a no_event check; the time any other check may take is `within`",
        );
    }
    let within = match fields.get("within") {
        Some(node) => node.duration("expect.within")?,
        None => DEFAULT_WITHIN,
    };
    let check = match only.key {
        "event" => Check::Event(event_pattern(&fields, only.value, "expect.event")?),
        "status" => {
            forbid_event_fields(&fields, "status")?;
            Check::Status(only.value.choice("expect.status", ConnectionStatus::ALL, ConnectionStatus::manual_name)?)
        }
        "stored" => {
            forbid_event_fields(&fields, "")?;
            stored(only.value)?
        }
        _ => {
            forbid_event_fields(&fields, "")?;
            unread(only.value)?
        }
    };
    Ok(Expectation { device, within, check })
}

/// An expect whose check is `no_event`: its period is `for`, required, and `within` has no place.
fn no_event_expectation(fields: &Fields<'_>, no_event: &Entry<'_>, device: String) -> Res<Expectation> {
    let pattern = event_pattern(fields, no_event.value, "expect.no_event")?;
    if let Some(within) = fields.entry("within") {
        return fail(
            within.key_at,
            "field \"within\" does not apply to a no_event check; its period is `for`, like `for: 5s`",
        );
    }
    let Some(period) = fields.get("for") else {
        return fail(
            no_event.key_at,
            "no_event needs `for`, the period in which no such event may come, like `for: 5s`",
        );
    };
    let duration = positive_duration(period, "expect.for", "")?;
    Ok(Expectation { device, within: duration, check: Check::NoEvent { pattern, period: duration } })
}

/// Reports an event field in an expect without `event` or `no_event` (`except` is the one field that is the check).
fn forbid_event_fields(fields: &Fields<'_>, except: &str) -> Res<()> {
    match fields.entries.iter().find(|e| e.key != except && EVENT_FIELDS.contains(&e.key)) {
        Some(entry) => {
            let message =
                format!("field {:?} only applies to an event check (`event: ...` or `no_event: ...`)", entry.key);
            fail(entry.key_at, message)
        }
        None => Ok(()),
    }
}

/// The pattern of an `event` or `no_event` check (`what` names it) and its event's fields.
fn event_pattern(fields: &Fields<'_>, event: &Node, what: &str) -> Res<EventPattern> {
    let kind = event.choice(what, EventKind::ALL, EventKind::name)?;
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
            "sent_status" => {
                pattern.sent_status = Some(value.choice(&what, SentStatus::ALL, SentStatus::manual_name)?);
            }
            "blacklist_status" => {
                pattern.blacklist_status =
                    Some(value.choice(&what, BlacklistStatus::ALL, BlacklistStatus::manual_name)?);
            }
            _ => {
                let items = value.seq(&what, "a list of user IDs, like [lisi, wangwu] (`[]` for none)")?;
                pattern.users = Some(items.iter().map(|item| item.text(&what)).collect::<Res<Vec<String>>>()?);
            }
        }
    }
    Ok(pattern)
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
