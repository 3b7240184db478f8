//! The scenario parser: the model a valid file becomes, the defaults, one error per bad fixture with its exact
//! place, and no panic on any input.
//!
//! The tests are split by theme: `valid` (a full scenario and its canonical descriptions), `defaults` (defaults,
//! partial settings and how values are read), `errors` (the bad-fixture table and inline error cases) and
//! `properties` (no panic on any input), `server_callbacks` (the checks on callbacks to the app server),
//! `races_and_pages` (a race's statuses in any order, `sync_time` relations, paging from a `sync_time`). This file
//! holds the shared fixture and helpers.

mod chatroom_moderation;
mod chatrooms;
mod defaults;
mod errors;
mod properties;
mod races_and_pages;
mod server_api;
mod server_callbacks;
mod valid;

use std::path::Path;
use std::time::Duration;

use imsim_engine::types::Platform;
use imsim_sim::scenario::{
    Check, DeviceSpec, Endpoint, Expectation, Location, Pattern, ScalarKind, Scenario, ScenarioError, Step, StepKind,
    parse_scenario,
};

/// Every step form, every event, every check, non-default settings, devices out of alphabetical order.
const FULL: &str = r#"name: private text both ways
rules: [SEND-4, SEND-5, RECV-1]
seed: 7
settings:
  tick: 10ms
  latency: { min: 0ms, max: 20ms }
  app_key: test-app
  heartbeat: { interval: 20s, timeout: 5s }
  app:
    reconnect_kick_policy: true
    mobile_devices_max: 2
    mini_program_devices_max: 3
    multi_device_sync: true
    token_ttl: 1h
    compensation_days: 7
    private_offline_days: 1
    group_offline_days: 3
devices:
  b: { user: lisi, platform: desktop }
  a: { user: zhangsan, kick_reconnect_device: true }
  a-2: { user: zhangsan, platform: miniProgram, kick_reconnect_device: false }
steps:
  - connect: a
  - connect: { device: b, timeout: 5, token: other_app }
  - disconnect: a
  - disconnect: { device: b, receive_push: false }
  - send: { device: a, to: lisi, text: "hello" }
  - send:
      device: b
      type: group
      to: g1
      text: 007
  - advance: 1500ms
  - partition: [a, server]
  - repair: [server, a]
  - partition: [a, b]
  - revoke_tokens: zhangsan
  - expect: { device: b, event: onMessageReceived, left: 0, offline: false, hasPackage: false, message: { text: hello, senderUserId: zhangsan, sentStatus: sent }, within: 5s }
  - expect: { device: a, event: onMessageSent, code: 0, message: { text: hello, sentStatus: sent } }
  - expect: { device: a, event: onConnected, code: 31004 }
  - expect: { device: a, event: onDatabaseOpened, code: 0 }
  - expect: { device: a, event: onConnectionStatusChanged, status: connecting }
  - expect: { device: a, event: onMessageAttached, message: { text: hi, sentStatus: sending } }
  - expect: { device: a, status: signOut, within: 2m }
  - expect:
      device: a
      within: 1h
      stored:
        type: private
        target: lisi
        messages:
          - { direction: send, text: hi, sent_status: sent }
          - { direction: receive, text: yo }
  - connect: { device: a, token: expired }
  - ban: { user: zhangsan, duration: 90m }
  - unban: lisi
  - background: a
  - foreground: a
  - network_lost: b
  - network_restored: b
  - crash: a-2
  - restart: a-2
  - expect: { device: a, no_event: onConnected, for: 5s }
  - expect: { device: b, no_event: onMessageReceived, message: { text: hi, senderUserId: zhangsan }, for: 1500ms }
  - expect: { device: a, no_event: onConnectionStatusChanged, status: connected, for: 1m }
  - send: { device: a, to: lisi, text: "m{n}", count: 450 }
  - send: { device: b, type: group, to: g1, text: hi, directed: [lisi, wangwu], count: 10000 }
  - blacklist_add: { device: a, user: lisi }
  - blacklist_remove: { device: a, user: "" }
  - blacklist_status: { device: b, user: wangwu }
  - blacklist_get: a-2
  - create_group: { id: g1, name: "Team", members: [zhangsan, lisi] }
  - create_group: { id: g2, name: "", members: [] }
  - dismiss_group: g2
  - add_members: { group: g1, users: [wangwu] }
  - remove_members: { group: g1, users: [lisi, wangwu] }
  - mute_member: { group: g1, user: lisi, duration: 1h }
  - mute_member: { group: g1, user: zhaoliu }
  - unmute_member: { group: g1, user: lisi }
  - mute_all: { group: g1, whitelist: [zhangsan] }
  - mute_all: g1
  - unmute_all: g1
  - server_send: { from: admin, to: lisi, type: private, text: "hi", verify_blacklist: true }
  - server_send: { from: admin, to: g1, type: group, text: "all" }
  - server_send: { from: admin, to: lisi, type: system, text: "sys" }
  - expect: { device: a, event: onBlacklistAdded, code: 0, userId: lisi }
  - expect: { device: a, event: onBlacklistRemoved, code: 0, userId: "" }
  - expect: { device: b, event: onBlacklistStatusLoaded, code: 0, userId: wangwu, status: notInBlacklist }
  - expect: { device: a-2, event: onBlacklistLoaded, code: 0, userIds: [lisi, wangwu] }
  - expect: { device: a-2, event: onBlacklistLoaded, userIds: [] }
  - expect: { device: a, no_event: onBlacklistStatusLoaded, status: inBlacklist, for: 1s }
  - expect: { device: a, stored: { target: lisi, count: 450 }, within: 1m }
  - expect: { device: b, stored: { type: group, target: g1, count: 0 } }
  - expect: { device: b, unread: { target: zhangsan, type: private, count: 3 } }
  - expect: { device: b, unread: { count: 0, target: g1, type: group } }
  - expect: { device: b, unread: { total: 5 }, within: 2s }
"#;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    parse_scenario(Path::new("test.yaml"), text)
}

/// Asserts that a scenario naming `rule`, with `devices` (a YAML flow mapping) and the one step of each case (at line
/// 6, column 5), fails at the case's line and column with a message containing its phrase; lists every case that
/// does not.
fn assert_step_errors(rule: &str, devices: &str, cases: &[(&str, u64, u64, &str)]) {
    let mut failures = Vec::new();
    for &(yaml, line, column, phrase) in cases {
        let text = format!("name: n\nrules: [{rule}]\nseed: 1\ndevices: {devices}\nsteps:\n  - {yaml}\n");
        match parse(&text).map(|scenario| scenario.steps[0].kind.clone()) {
            Ok(kind) => failures.push(format!("{yaml}: parsed as {kind:?}")),
            Err(error) if (error.line, error.column) != (line, column) || !error.message.contains(phrase) => {
                failures.push(format!("{yaml}: got {}:{}: {}", error.line, error.column, error.message));
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn step(line: u64, column: u64, kind: StepKind) -> Step {
    Step { location: Location { line, column }, kind }
}

fn expect(device: &str, within_ms: u64, check: Check) -> StepKind {
    StepKind::Expect(Expectation { device: device.to_owned(), within: Duration::from_millis(within_ms), check })
}

/// A no_event check of `listener` with these fields: its `within` is its period.
fn no_event(device: &str, period_ms: u64, listener: &str, pairs: &[(&str, Pattern)]) -> StepKind {
    let period = Duration::from_millis(period_ms);
    StepKind::Expect(Expectation {
        device: device.to_owned(),
        within: period,
        check: Check::NoEvent { listener: listener.to_owned(), pattern: fields_or_any(pairs), period, since: None },
    })
}

/// An event check of `listener` with these fields, keeping nothing.
fn event(listener: &str, pairs: &[(&str, Pattern)]) -> Check {
    Check::Event { listener: listener.to_owned(), pattern: fields_or_any(pairs), keep_as: None, times: 1 }
}

fn fields_or_any(pairs: &[(&str, Pattern)]) -> Pattern {
    if pairs.is_empty() { Pattern::Any } else { fields(pairs) }
}

/// A mapping pattern with these fields, in order.
fn fields(pairs: &[(&str, Pattern)]) -> Pattern {
    Pattern::Fields(pairs.iter().map(|(key, pattern)| ((*key).to_owned(), pattern.clone())).collect())
}

/// A scalar pattern as YAML reads `text` written plainly: a number, true or false, or text.
fn scalar(text: &str) -> Pattern {
    let kind = match text {
        "true" => ScalarKind::Bool(true),
        "false" => ScalarKind::Bool(false),
        _ if text.parse::<f64>().is_ok() => ScalarKind::Number,
        _ => ScalarKind::Text,
    };
    Pattern::Scalar(text.to_owned(), kind)
}

/// A quoted text pattern (`"007"`, `""`).
fn text(text: &str) -> Pattern {
    Pattern::Scalar(text.to_owned(), ScalarKind::Text)
}

/// A list pattern of plain scalars.
fn list(items: &[&str]) -> Pattern {
    Pattern::List(items.iter().map(|item| scalar(item)).collect())
}

fn device(name: &str, user: &str, platform: Platform) -> DeviceSpec {
    DeviceSpec {
        name: name.to_owned(),
        user: user.to_owned(),
        platform,
        kick_reconnect_device: false,
        file_server: None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

fn endpoint(name: &str) -> Endpoint {
    Endpoint::Device(name.to_owned())
}
