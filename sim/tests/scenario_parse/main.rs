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
mod server_callbacks;
mod valid;

use std::path::Path;
use std::time::Duration;

use imsim_engine::types::Platform;
use imsim_sim::scenario::{
    Check, DeviceSpec, Endpoint, EventPattern, Expectation, Location, Scenario, ScenarioError, Step, StepKind,
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
  - expect: { device: b, event: messageReceived, text: hello, from: zhangsan, left: 0, offline: false, has_package: false, sent_status: sent, within: 5s }
  - expect: { device: a, event: messageSent, code: 0, text: hello, sent_status: sent }
  - expect: { device: a, event: connected, code: 31004 }
  - expect: { device: a, event: databaseOpened, code: 0 }
  - expect: { device: a, event: connectionStatusChanged, status: connecting }
  - expect: { device: a, event: messageAttached, text: hi, sent_status: sending }
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
  - expect: { device: a, no_event: connected, for: 5s }
  - expect: { device: b, no_event: messageReceived, text: hi, from: zhangsan, for: 1500ms }
  - expect: { device: a, no_event: connectionStatusChanged, status: connected, for: 1m }
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
  - expect: { device: a, event: blacklistAdded, code: 0, user: lisi }
  - expect: { device: a, event: blacklistRemoved, code: 0, user: "" }
  - expect: { device: b, event: blacklistStatusLoaded, code: 0, user: wangwu, blacklist_status: notInBlacklist }
  - expect: { device: a-2, event: blacklistLoaded, code: 0, users: [lisi, wangwu] }
  - expect: { device: a-2, event: blacklistLoaded, users: [] }
  - expect: { device: a, no_event: blacklistStatusLoaded, blacklist_status: inBlacklist, for: 1s }
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

/// A no_event check: its `within` is its period.
fn no_event(device: &str, period_ms: u64, pattern: EventPattern) -> StepKind {
    let period = Duration::from_millis(period_ms);
    StepKind::Expect(Expectation {
        device: device.to_owned(),
        within: period,
        check: Check::NoEvent { pattern, period },
    })
}

fn device(name: &str, user: &str, platform: Platform) -> DeviceSpec {
    DeviceSpec { name: name.to_owned(), user: user.to_owned(), platform, kick_reconnect_device: false }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

fn endpoint(name: &str) -> Endpoint {
    Endpoint::Device(name.to_owned())
}
