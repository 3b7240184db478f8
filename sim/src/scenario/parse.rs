//! From the YAML tree to a [`Scenario`]: every check the format makes, in the format's terms.
//!
//! This file parses the top level, the settings and the devices; the steps are parsed in `parse/steps.rs` (the
//! chatroom steps in `parse/chatroom.rs`) and the `expect` steps' checks in `parse/expect.rs`.

mod call;
mod chatroom;
mod expect;
pub(super) mod schema;
mod server_api;
mod server_callback;
mod steps;

use std::path::Path;
use std::time::Duration;

use imsim_engine::options::DeploymentOptions;
use imsim_engine::types::Platform;

use crate::server::GROUP_OFFLINE_MAX_COUNT_MAX;

use super::model::{
    AppSettings, CHATROOM_DESTROY_AFTER_MAX, DeviceSpec, Endpoint, LATENCY_MAX, Location, PartialClaim, RuleId,
    Scenario, Settings, Step, distinct_users, format_duration,
};
use super::yaml::{self, Entry, Fields, Node, Res, Value, fail};
use steps::step;

const TOP_FIELDS: &[&str] = &["name", "rules", "partial", "seed", "settings", "devices", "steps"];
const SETTINGS_FIELDS: &[&str] = &["tick", "latency", "app_key", "heartbeat", "app"];
pub(super) const APP_FIELDS: &[&str] = &[
    "reconnect_kick_policy",
    "mobile_devices_max",
    "mini_program_devices_max",
    "multi_device_sync",
    "token_ttl",
    "compensation_days",
    "private_offline_days",
    "group_offline_days",
    "group_offline_max_count",
    "send_rate_limit",
    "chatroom_multi_room",
    "chatroom_destroy_after",
    "chatroom_member_events",
    "chatroom_cloud_storage",
    "chatroom_kv",
    "chatroom_messages_per_second",
    "chatroom_join_message_types",
    "chatroom_realtime_eviction",
    "chatroom_status_callback",
    "chatroom_kv_callback",
    "push_service",
    "cloud_storage",
    "delete_compensation_on_timestamp_delete",
    "recall_own_only",
    "directed_message_cloud_storage",
    "group_pre_join_history",
];
const DEVICE_FIELDS: &[&str] = &["user", "platform", "kick_reconnect_device", "file_server"];
const TICK_MIN: Duration = Duration::from_millis(1);
pub(super) const TICK_MAX: Duration = Duration::from_secs(1);
const HEARTBEAT_INTERVAL_MIN: Duration = Duration::from_secs(1);
const DEVICES_MAX_RANGE: &str = "an integer from 1 to 4294967295";
/// The range of the App Key's day counts (CFG-3, CFG-8).
const DAYS: std::ops::RangeInclusive<u32> = 1..=7;

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
    let rules_node = top.require("rules")?;
    let rules = rules(rules_node)?;
    let partial = match top.get("partial") {
        Some(node) => partial_claims(node, &rules)?,
        None => Vec::new(),
    };
    if rules.is_empty() && partial.is_empty() {
        return fail(
            rules_node.at,
            "rules: list at least one rule ID the scenario checks (or name one under partial:)",
        );
    }
    let seed = top.require("seed")?.int("seed", "an integer from 0 to 18446744073709551615")?;
    let settings = match top.get("settings") {
        Some(node) => settings(node)?,
        None => Settings::default(),
    };
    let devices = devices(top.require("devices")?)?;
    let context = Context { devices: &devices, app: &settings.app };
    let steps = top
        .require("steps")?
        .seq("steps", "a sequence of steps (write `steps: []` for none)")?
        .iter()
        .map(|node| step(node, &context))
        .collect::<Res<Vec<Step>>>()?;
    Ok(Scenario { path: path.to_owned(), name, rules, partial, seed, settings, devices, steps })
}

fn rules(node: &Node) -> Res<Vec<RuleId>> {
    let items = node.seq("rules", "a list of rule IDs, like [SEND-4, RECV-1]")?;
    let mut rules: Vec<RuleId> = Vec::with_capacity(items.len());
    for item in items {
        let id = item.text("rules")?;
        let rule = rule_id(&id, item.at, "rules")?;
        if rules.contains(&rule) {
            return fail(item.at, format!("rules: {id} is listed twice"));
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// `partial:`: the rules the scenario checks only in part, each with what it leaves unchecked, as
/// `RULE-ID: what is missing`. A rule is claimed in full (`rules:`) or in part, not both.
fn partial_claims(node: &Node, full: &[RuleId]) -> Res<Vec<PartialClaim>> {
    let entries = node.entries("partial", "in partial", "rule")?;
    let mut claims = Vec::with_capacity(entries.len());
    for entry in entries {
        let rule = rule_id(entry.key, entry.key_at, "partial")?;
        if full.contains(&rule) {
            return fail(
                entry.key_at,
                format!("partial: {rule} is also under rules:; claim a rule in full or in part, not both"),
            );
        }
        let missing = entry.value.text(&format!("partial.{rule}"))?;
        if missing.trim().is_empty() {
            return fail(
                entry.value.at,
                format!("partial.{rule}: say what of the rule the scenario does not check yet"),
            );
        }
        claims.push(PartialClaim { rule, missing });
    }
    Ok(claims)
}

/// The spec rule `id` (written at `at`, under `what`), if `id` has the shape of one and the spec has it.
fn rule_id(id: &str, at: Location, what: &str) -> Res<RuleId> {
    if !RuleId::is_well_formed(id) {
        return fail(
            at,
            format!("{what}: {id:?} is not a rule ID; expected capital letters, a dash and a number, like SEND-4"),
        );
    }
    match RuleId::new(id) {
        Some(rule) => Ok(rule),
        None => fail(at, format!("{what}: {id} is not a rule of the spec (docs/spec/)")),
    }
}

/// The `min` and `max` of a latency (`settings.latency`, the `latency` step): durations, `min <= max`, and
/// `max` at most [`LATENCY_MAX`].
fn latency_range(fields: &Fields<'_>, what: &str) -> Res<(Duration, Duration)> {
    let min = fields.require("min")?.duration(&format!("{what}.min"))?;
    let max_node = fields.require("max")?;
    let max = max_node.duration(&format!("{what}.max"))?;
    if min > max {
        let (min, max) = (format_duration(min), format_duration(max));
        return fail(max_node.at, format!("{what}: max {max} is less than min {min}"));
    }
    if max > LATENCY_MAX {
        let (max, limit) = (format_duration(max), format_duration(LATENCY_MAX));
        return fail(max_node.at, format!("{what}: max {max} is more than the {limit} a link may take"));
    }
    Ok((min, max))
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
            latency_range(&latency, "settings.latency")?
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
        Some(node) => app(node, &AppSettings::default(), "settings.app")?,
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

/// `settings.app` (`what`), or an `app_settings` step: the App Key's console switches, every one optional, each
/// one left out keeping its value in `defaults`.
pub(super) fn app(node: &Node, defaults: &AppSettings, what: &str) -> Res<AppSettings> {
    let fields = node.fields(what, &format!("in {what}"), APP_FIELDS)?;
    let prefix = what;
    let switch = |name: &str, default: bool| match fields.get(name) {
        Some(node) => node.bool(&format!("{prefix}.{name}")),
        None => Ok(default),
    };
    let devices_max = |name: &str, default: u32| {
        let Some(node) = fields.get(name) else {
            return Ok(default);
        };
        let what = format!("{prefix}.{name}");
        match node.int::<u32>(&what, DEVICES_MAX_RANGE)? {
            0 => fail(node.at, format!("{what}: 0 is out of range; expected {DEVICES_MAX_RANGE}")),
            max => Ok(max),
        }
    };
    let days = |name: &str, rule: &str, default: u32| {
        let Some(node) = fields.get(name) else {
            return Ok(default);
        };
        let what = format!("{prefix}.{name}");
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
            &format!("{prefix}.token_ttl"),
            " (leave token_ttl out for tokens that never expire, or connect with `token: expired`)",
        )?),
        None => defaults.token_ttl,
    };
    let chatroom_destroy_after = match fields.get("chatroom_destroy_after") {
        Some(node) => {
            let what = &format!("{prefix}.chatroom_destroy_after");
            let duration = positive_duration(node, what, "")?;
            if duration > CHATROOM_DESTROY_AFTER_MAX {
                let duration = format_duration(duration);
                return fail(node.at, format!("{what}: {duration} is too long; expected 24h or less (CR-4)"));
            }
            duration
        }
        None => defaults.chatroom_destroy_after,
    };
    let group_offline_max_count = match fields.get("group_offline_max_count") {
        Some(node) => {
            let what = format!("{prefix}.group_offline_max_count");
            let range =
                format!("an integer from 1 to {GROUP_OFFLINE_MAX_COUNT_MAX} (OFFLINE-7; leave it out to keep all)");
            let count: u32 = node.int(&what, &range)?;
            if !(1..=GROUP_OFFLINE_MAX_COUNT_MAX).contains(&count) {
                return fail(node.at, format!("{what}: {count} is out of range; expected {range}"));
            }
            Some(count)
        }
        None => defaults.group_offline_max_count,
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
        group_offline_max_count,
        send_rate_limit: devices_max("send_rate_limit", defaults.send_rate_limit)?,
        chatroom_multi_room: switch("chatroom_multi_room", defaults.chatroom_multi_room)?,
        chatroom_destroy_after,
        chatroom_member_events: switch("chatroom_member_events", defaults.chatroom_member_events)?,
        chatroom_cloud_storage: switch("chatroom_cloud_storage", defaults.chatroom_cloud_storage)?,
        chatroom_kv: switch("chatroom_kv", defaults.chatroom_kv)?,
        chatroom_messages_per_second: devices_max(
            "chatroom_messages_per_second",
            defaults.chatroom_messages_per_second,
        )?,
        chatroom_join_message_types: match fields.get("chatroom_join_message_types") {
            Some(node) => Some(chatroom::object_names(node, &format!("{prefix}.chatroom_join_message_types"))?),
            None => defaults.chatroom_join_message_types.clone(),
        },
        chatroom_realtime_eviction: switch("chatroom_realtime_eviction", defaults.chatroom_realtime_eviction)?,
        chatroom_status_callback: switch("chatroom_status_callback", defaults.chatroom_status_callback)?,
        chatroom_kv_callback: switch("chatroom_kv_callback", defaults.chatroom_kv_callback)?,
        push_service: switch("push_service", defaults.push_service)?,
        cloud_storage: switch("cloud_storage", defaults.cloud_storage)?,
        delete_compensation_on_timestamp_delete: switch(
            "delete_compensation_on_timestamp_delete",
            defaults.delete_compensation_on_timestamp_delete,
        )?,
        recall_own_only: switch("recall_own_only", defaults.recall_own_only)?,
        directed_message_cloud_storage: switch(
            "directed_message_cloud_storage",
            defaults.directed_message_cloud_storage,
        )?,
        group_pre_join_history: switch("group_pre_join_history", defaults.group_pre_join_history)?,
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
        let file_server = match fields.get("file_server") {
            Some(node) => {
                let address = non_empty(node, &format!("{what}.file_server"))?;
                let options = DeploymentOptions { file_server: Some(address.clone()), ..DeploymentOptions::default() };
                if let Err(error) = options.validate() {
                    return fail(node.at, format!("{what}.file_server: {}", error.reason));
                }
                Some(address)
            }
            None => None,
        };
        devices.push(DeviceSpec { name: name.to_owned(), user, platform, kick_reconnect_device, file_server });
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
    /// The App Key's switches as `settings.app` sets them, which an `app_settings` step changes.
    app: &'a AppSettings,
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
