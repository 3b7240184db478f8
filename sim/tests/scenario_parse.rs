//! The scenario parser: the model a valid file becomes, the defaults, one error per bad fixture with its exact
//! place, and no panic on any input.

use std::path::{Path, PathBuf};
use std::time::Duration;

use imsim_engine::types::{
    BlacklistStatus, ConnectionStatus, ConversationType, MessageDirection, Platform, SentStatus,
};
use imsim_sim::scenario::{
    AppSettings, Check, DeviceSpec, Endpoint, EventKind, EventPattern, Expectation, Location, RuleId, SEND_COUNT_MAX,
    Scenario, ScenarioError, Settings, Step, StepKind, StoredContents, StoredPattern, TokenChoice, format_duration,
    load_scenario, numbered_text, parse_scenario,
};
use proptest::prelude::*;

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

#[test]
fn a_full_scenario_becomes_the_exact_model() {
    let rules = ["SEND-4", "SEND-5", "RECV-1"].map(|id| RuleId::new(id).expect("in the spec")).to_vec();
    let received = EventPattern {
        text: Some("hello".to_owned()),
        from: Some("zhangsan".to_owned()),
        left: Some(0),
        offline: Some(false),
        has_package: Some(false),
        sent_status: Some(SentStatus::Sent),
        ..EventPattern::new(EventKind::MessageReceived)
    };
    let sent = EventPattern {
        code: Some(0),
        text: Some("hello".to_owned()),
        sent_status: Some(SentStatus::Sent),
        ..EventPattern::new(EventKind::MessageSent)
    };
    let attached = EventPattern {
        text: Some("hi".to_owned()),
        sent_status: Some(SentStatus::Sending),
        ..EventPattern::new(EventKind::MessageAttached)
    };
    let expected = Scenario {
        path: PathBuf::from("test.yaml"),
        name: "private text both ways".to_owned(),
        rules,
        seed: 7,
        settings: Settings {
            tick: Duration::from_millis(10),
            latency_min: Duration::ZERO,
            latency_max: Duration::from_millis(20),
            app_key: "test-app".to_owned(),
            heartbeat_interval: Duration::from_secs(20),
            heartbeat_timeout: Duration::from_secs(5),
            app: AppSettings {
                reconnect_kick_policy: true,
                mobile_devices_max: 2,
                mini_program_devices_max: 3,
                multi_device_sync: true,
                token_ttl: Some(Duration::from_secs(3600)),
                compensation_days: 7,
                private_offline_days: 1,
                group_offline_days: 3,
                send_rate_limit: 5,
            },
        },
        devices: vec![
            device("b", "lisi", Platform::Desktop),
            DeviceSpec { kick_reconnect_device: true, ..device("a", "zhangsan", Platform::Mobile) },
            device("a-2", "zhangsan", Platform::MiniProgram),
        ],
        steps: vec![
            step(23, 5, StepKind::Connect { device: "a".into(), timeout_seconds: 0, token: TokenChoice::Valid }),
            step(24, 5, StepKind::Connect { device: "b".into(), timeout_seconds: 5, token: TokenChoice::OtherApp }),
            step(25, 5, StepKind::Disconnect { device: "a".into(), receive_push: true }),
            step(26, 5, StepKind::Disconnect { device: "b".into(), receive_push: false }),
            step(
                27,
                5,
                StepKind::Send {
                    device: "a".into(),
                    conversation_type: ConversationType::Private,
                    target_id: "lisi".into(),
                    text: "hello".into(),
                    count: 1,
                    directed: vec![],
                },
            ),
            step(
                28,
                5,
                StepKind::Send {
                    device: "b".into(),
                    conversation_type: ConversationType::Group,
                    target_id: "g1".into(),
                    text: "007".into(),
                    count: 1,
                    directed: vec![],
                },
            ),
            step(33, 5, StepKind::Advance(Duration::from_millis(1500))),
            step(34, 5, StepKind::Partition(endpoint("a"), Endpoint::Server)),
            step(35, 5, StepKind::Repair(Endpoint::Server, endpoint("a"))),
            step(36, 5, StepKind::Partition(endpoint("a"), endpoint("b"))),
            step(37, 5, StepKind::RevokeTokens { user: "zhangsan".into() }),
            step(38, 5, expect("b", 5_000, Check::Event(received))),
            step(39, 5, expect("a", 10_000, Check::Event(sent))),
            step(
                40,
                5,
                expect(
                    "a",
                    10_000,
                    Check::Event(EventPattern { code: Some(31004), ..EventPattern::new(EventKind::Connected) }),
                ),
            ),
            step(
                41,
                5,
                expect(
                    "a",
                    10_000,
                    Check::Event(EventPattern { code: Some(0), ..EventPattern::new(EventKind::DatabaseOpened) }),
                ),
            ),
            step(
                42,
                5,
                expect(
                    "a",
                    10_000,
                    Check::Event(EventPattern {
                        status: Some(ConnectionStatus::Connecting),
                        ..EventPattern::new(EventKind::ConnectionStatusChanged)
                    }),
                ),
            ),
            step(43, 5, expect("a", 10_000, Check::Event(attached))),
            step(44, 5, expect("a", 120_000, Check::Status(ConnectionStatus::SignOut))),
            step(
                45,
                5,
                expect(
                    "a",
                    3_600_000,
                    Check::Stored {
                        conversation_type: ConversationType::Private,
                        target_id: "lisi".into(),
                        contents: StoredContents::Messages(vec![
                            StoredPattern {
                                direction: MessageDirection::Send,
                                text: "hi".into(),
                                sent_status: Some(SentStatus::Sent),
                            },
                            StoredPattern {
                                direction: MessageDirection::Receive,
                                text: "yo".into(),
                                sent_status: None,
                            },
                        ]),
                    },
                ),
            ),
            step(54, 5, StepKind::Connect { device: "a".into(), timeout_seconds: 0, token: TokenChoice::Expired }),
            step(55, 5, StepKind::Ban { user: "zhangsan".into(), duration: Duration::from_secs(5400) }),
            step(56, 5, StepKind::Unban { user: "lisi".into() }),
            step(57, 5, StepKind::Background { device: "a".into() }),
            step(58, 5, StepKind::Foreground { device: "a".into() }),
            step(59, 5, StepKind::NetworkLost { device: "b".into() }),
            step(60, 5, StepKind::NetworkRestored { device: "b".into() }),
            step(61, 5, StepKind::Crash { device: "a-2".into() }),
            step(62, 5, StepKind::Restart { device: "a-2".into() }),
            step(63, 5, no_event("a", 5_000, EventPattern::new(EventKind::Connected))),
            step(
                64,
                5,
                no_event(
                    "b",
                    1_500,
                    EventPattern {
                        text: Some("hi".to_owned()),
                        from: Some("zhangsan".to_owned()),
                        ..EventPattern::new(EventKind::MessageReceived)
                    },
                ),
            ),
            step(
                65,
                5,
                no_event(
                    "a",
                    60_000,
                    EventPattern {
                        status: Some(ConnectionStatus::Connected),
                        ..EventPattern::new(EventKind::ConnectionStatusChanged)
                    },
                ),
            ),
            step(
                66,
                5,
                StepKind::Send {
                    device: "a".into(),
                    conversation_type: ConversationType::Private,
                    target_id: "lisi".into(),
                    text: "m{n}".into(),
                    count: 450,
                    directed: vec![],
                },
            ),
            step(
                67,
                5,
                StepKind::Send {
                    device: "b".into(),
                    conversation_type: ConversationType::Group,
                    target_id: "g1".into(),
                    text: "hi".into(),
                    count: 10_000,
                    directed: strings(&["lisi", "wangwu"]),
                },
            ),
            step(68, 5, StepKind::BlacklistAdd { device: "a".into(), user: "lisi".into() }),
            step(69, 5, StepKind::BlacklistRemove { device: "a".into(), user: String::new() }),
            step(70, 5, StepKind::BlacklistStatus { device: "b".into(), user: "wangwu".into() }),
            step(71, 5, StepKind::BlacklistGet { device: "a-2".into() }),
            step(
                72,
                5,
                StepKind::CreateGroup {
                    group: "g1".into(),
                    name: "Team".into(),
                    members: strings(&["zhangsan", "lisi"]),
                },
            ),
            step(73, 5, StepKind::CreateGroup { group: "g2".into(), name: String::new(), members: vec![] }),
            step(74, 5, StepKind::DismissGroup { group: "g2".into() }),
            step(75, 5, StepKind::AddMembers { group: "g1".into(), users: strings(&["wangwu"]) }),
            step(76, 5, StepKind::RemoveMembers { group: "g1".into(), users: strings(&["lisi", "wangwu"]) }),
            step(
                77,
                5,
                StepKind::MuteMember {
                    group: "g1".into(),
                    user: "lisi".into(),
                    duration: Some(Duration::from_secs(3600)),
                },
            ),
            step(78, 5, StepKind::MuteMember { group: "g1".into(), user: "zhaoliu".into(), duration: None }),
            step(79, 5, StepKind::UnmuteMember { group: "g1".into(), user: "lisi".into() }),
            step(80, 5, StepKind::MuteAll { group: "g1".into(), whitelist: strings(&["zhangsan"]) }),
            step(81, 5, StepKind::MuteAll { group: "g1".into(), whitelist: vec![] }),
            step(82, 5, StepKind::UnmuteAll { group: "g1".into() }),
            step(
                83,
                5,
                StepKind::ServerSend {
                    from: "admin".into(),
                    to: "lisi".into(),
                    conversation_type: ConversationType::Private,
                    text: "hi".into(),
                    verify_blacklist: true,
                },
            ),
            step(
                84,
                5,
                StepKind::ServerSend {
                    from: "admin".into(),
                    to: "g1".into(),
                    conversation_type: ConversationType::Group,
                    text: "all".into(),
                    verify_blacklist: false,
                },
            ),
            step(
                85,
                5,
                StepKind::ServerSend {
                    from: "admin".into(),
                    to: "lisi".into(),
                    conversation_type: ConversationType::System,
                    text: "sys".into(),
                    verify_blacklist: false,
                },
            ),
            step(
                86,
                5,
                expect(
                    "a",
                    10_000,
                    Check::Event(EventPattern {
                        code: Some(0),
                        user: Some("lisi".into()),
                        ..EventPattern::new(EventKind::BlacklistAdded)
                    }),
                ),
            ),
            step(
                87,
                5,
                expect(
                    "a",
                    10_000,
                    Check::Event(EventPattern {
                        code: Some(0),
                        user: Some(String::new()),
                        ..EventPattern::new(EventKind::BlacklistRemoved)
                    }),
                ),
            ),
            step(
                88,
                5,
                expect(
                    "b",
                    10_000,
                    Check::Event(EventPattern {
                        code: Some(0),
                        user: Some("wangwu".into()),
                        blacklist_status: Some(BlacklistStatus::NotInBlacklist),
                        ..EventPattern::new(EventKind::BlacklistStatusLoaded)
                    }),
                ),
            ),
            step(
                89,
                5,
                expect(
                    "a-2",
                    10_000,
                    Check::Event(EventPattern {
                        code: Some(0),
                        users: Some(strings(&["lisi", "wangwu"])),
                        ..EventPattern::new(EventKind::BlacklistLoaded)
                    }),
                ),
            ),
            step(
                90,
                5,
                expect(
                    "a-2",
                    10_000,
                    Check::Event(EventPattern { users: Some(vec![]), ..EventPattern::new(EventKind::BlacklistLoaded) }),
                ),
            ),
            step(
                91,
                5,
                no_event(
                    "a",
                    1_000,
                    EventPattern {
                        blacklist_status: Some(BlacklistStatus::InBlacklist),
                        ..EventPattern::new(EventKind::BlacklistStatusLoaded)
                    },
                ),
            ),
            step(
                92,
                5,
                expect(
                    "a",
                    60_000,
                    Check::Stored {
                        conversation_type: ConversationType::Private,
                        target_id: "lisi".into(),
                        contents: StoredContents::Count(450),
                    },
                ),
            ),
            step(
                93,
                5,
                expect(
                    "b",
                    10_000,
                    Check::Stored {
                        conversation_type: ConversationType::Group,
                        target_id: "g1".into(),
                        contents: StoredContents::Count(0),
                    },
                ),
            ),
            step(
                94,
                5,
                expect(
                    "b",
                    10_000,
                    Check::Unread { conversation: Some((ConversationType::Private, "zhangsan".into())), count: 3 },
                ),
            ),
            step(
                95,
                5,
                expect(
                    "b",
                    10_000,
                    Check::Unread { conversation: Some((ConversationType::Group, "g1".into())), count: 0 },
                ),
            ),
            step(96, 5, expect("b", 2_000, Check::Unread { conversation: None, count: 5 })),
        ],
    };
    assert_eq!(parse(FULL), Ok(expected));
}

#[test]
fn steps_describe_themselves_on_one_canonical_line() {
    let scenario = parse(FULL).expect("valid");
    let lines: Vec<String> = scenario.steps.iter().map(Step::describe).collect();
    assert_eq!(
        lines,
        [
            "connect a timeout=0 token=valid",
            "connect b timeout=5 token=other_app",
            "disconnect a receive_push=true",
            "disconnect b receive_push=false",
            r#"send a -> private:lisi "hello""#,
            r#"send b -> group:g1 "007""#,
            "advance 1500ms",
            "partition a <-> server",
            "repair server <-> a",
            "partition a <-> b",
            "revoke_tokens zhangsan",
            r#"expect b event messageReceived text="hello" from="zhangsan" left=0 offline=false has_package=false sent_status=sent within=5s"#,
            r#"expect a event messageSent code=0 text="hello" sent_status=sent within=10s"#,
            "expect a event connected code=31004 within=10s",
            "expect a event databaseOpened code=0 within=10s",
            "expect a event connectionStatusChanged status=connecting within=10s",
            r#"expect a event messageAttached text="hi" sent_status=sending within=10s"#,
            "expect a status signOut within=2m",
            r#"expect a stored private:lisi [send "hi" sent_status=sent, receive "yo"] within=1h"#,
            "connect a timeout=0 token=expired",
            "ban zhangsan duration=90m",
            "unban lisi",
            "background a",
            "foreground a",
            "network_lost b",
            "network_restored b",
            "crash a-2",
            "restart a-2",
            "expect a no_event connected for=5s",
            r#"expect b no_event messageReceived text="hi" from="zhangsan" for=1500ms"#,
            "expect a no_event connectionStatusChanged status=connected for=1m",
            r#"send a -> private:lisi "m{n}" count=450"#,
            r#"send b -> group:g1 "hi" count=10000 directed=[lisi, wangwu]"#,
            r#"blacklist_add a "lisi""#,
            "blacklist_remove a \"\"",
            r#"blacklist_status b "wangwu""#,
            "blacklist_get a-2",
            r#"create_group g1 name="Team" members=[zhangsan, lisi]"#,
            r#"create_group g2 name="" members=[]"#,
            "dismiss_group g2",
            "add_members g1 [wangwu]",
            "remove_members g1 [lisi, wangwu]",
            "mute_member g1 lisi duration=1h",
            "mute_member g1 zhaoliu until_unmuted",
            "unmute_member g1 lisi",
            "mute_all g1 whitelist=[zhangsan]",
            "mute_all g1 whitelist=[]",
            "unmute_all g1",
            r#"server_send admin -> private:lisi "hi" verify_blacklist=true"#,
            r#"server_send admin -> group:g1 "all""#,
            r#"server_send admin -> system:lisi "sys""#,
            r#"expect a event blacklistAdded code=0 user="lisi" within=10s"#,
            r#"expect a event blacklistRemoved code=0 user="" within=10s"#,
            r#"expect b event blacklistStatusLoaded code=0 user="wangwu" blacklist_status=notInBlacklist within=10s"#,
            r#"expect a-2 event blacklistLoaded code=0 users=["lisi", "wangwu"] within=10s"#,
            "expect a-2 event blacklistLoaded users=[] within=10s",
            "expect a no_event blacklistStatusLoaded blacklist_status=inBlacklist for=1s",
            "expect a stored private:lisi count=450 within=1m",
            "expect b stored group:g1 count=0 within=10s",
            "expect b unread private:zhangsan count=3 within=10s",
            "expect b unread group:g1 count=0 within=10s",
            "expect b unread total=5 within=2s",
        ]
    );
}

#[test]
fn defaults_are_filled_in() {
    let scenario = parse(
        "name: defaults\nrules: [CONN-16]\nseed: 0\ndevices:\n  a: { user: u }\nsteps:\n  - connect: { device: a }\n  \
         - send: { device: a, to: v, text: '' }\n  - disconnect: { device: a }\n  \
         - expect: { device: a, event: connected }\n  - expect: { device: a, stored: { target: v, messages: [] } }\n",
    )
    .expect("valid");
    assert_eq!(scenario.settings, Settings::default());
    assert_eq!(
        Settings::default(),
        Settings {
            tick: Duration::from_millis(1),
            latency_min: Duration::from_millis(1),
            latency_max: Duration::from_millis(5),
            app_key: "imsim-app".to_owned(),
            heartbeat_interval: Duration::from_secs(30),
            heartbeat_timeout: Duration::from_secs(10),
            app: AppSettings {
                reconnect_kick_policy: false,
                mobile_devices_max: 1,
                mini_program_devices_max: 1,
                multi_device_sync: false,
                token_ttl: None,
                compensation_days: 1,
                private_offline_days: 7,
                group_offline_days: 7,
                send_rate_limit: 5,
            },
        }
    );
    assert_eq!(scenario.devices, [device("a", "u", Platform::Mobile)]);
    let kinds: Vec<StepKind> = scenario.steps.into_iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Connect { device: "a".into(), timeout_seconds: 0, token: TokenChoice::Valid },
            StepKind::Send {
                device: "a".into(),
                conversation_type: ConversationType::Private,
                target_id: "v".into(),
                text: String::new(),
                count: 1,
                directed: vec![],
            },
            StepKind::Disconnect { device: "a".into(), receive_push: true },
            expect("a", 10_000, Check::Event(EventPattern::new(EventKind::Connected))),
            expect(
                "a",
                10_000,
                Check::Stored {
                    conversation_type: ConversationType::Private,
                    target_id: "v".into(),
                    contents: StoredContents::Messages(vec![]),
                }
            ),
        ]
    );
}

#[test]
fn settings_may_set_some_fields_only() {
    let scenario = parse(
        "---\n# a document marker and comments are fine\nname: n\nrules: [SEND-4]\nseed: 18446744073709551615\nsettings: { tick: 1s }\ndevices: { a: { user: u } }\n\
         steps: []\n",
    )
    .expect("valid");
    assert_eq!(scenario.seed, u64::MAX);
    assert_eq!(scenario.settings, Settings { tick: Duration::from_secs(1), ..Settings::default() });
    assert!(scenario.steps.is_empty());
}

#[test]
fn app_settings_and_heartbeat_may_set_some_fields_only() {
    let settings = |yaml: &str| {
        parse(&format!(
            "name: n\nrules: [CFG-7]\nseed: 1\nsettings: {yaml}\ndevices: {{ a: {{ user: u }} }}\nsteps: []\n"
        ))
        .map(|scenario| scenario.settings)
    };
    assert_eq!(settings("{ app: {} }"), Ok(Settings::default()));
    assert_eq!(
        settings("{ app: { mobile_devices_max: 4294967295, token_ttl: 1ms } }"),
        Ok(Settings {
            app: AppSettings {
                mobile_devices_max: u32::MAX,
                token_ttl: Some(Duration::from_millis(1)),
                ..AppSettings::default()
            },
            ..Settings::default()
        })
    );
    assert_eq!(settings("{ app: { mini_program_devices_max: 1, multi_device_sync: false } }"), Ok(Settings::default()));
    // The smallest heartbeat: a 1s interval, and a timeout just under it.
    assert_eq!(
        settings("{ heartbeat: { timeout: 999ms, interval: 1s } }"),
        Ok(Settings {
            heartbeat_interval: Duration::from_secs(1),
            heartbeat_timeout: Duration::from_millis(999),
            ..Settings::default()
        })
    );
    let error = settings("{ heartbeat: { interval: 1s, timeout: 0ms } }").expect_err("a zero timeout");
    assert_eq!(
        (error.line, error.column, error.message.as_str()),
        (4, 49, "settings.heartbeat.timeout: 0ms is too short; expected 1ms or more")
    );
    let error = settings("{ app: { mini_program_devices_max: -1 } }").expect_err("negative");
    assert_eq!(
        (error.line, error.column, error.message.as_str()),
        (4, 46, "settings.app.mini_program_devices_max: -1 is out of range; expected an integer from 1 to 4294967295")
    );
}

#[test]
fn new_steps_check_their_values() {
    let first_step = |yaml: &str| {
        parse(&format!("name: n\nrules: [USER-9]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - {yaml}\n"))
            .map(|scenario| scenario.steps[0].kind.clone())
    };
    assert_eq!(first_step("unban: u"), Ok(StepKind::Unban { user: "u".into() }));
    let cases = [
        ("unban: a", 6, 12, r#"unban: unknown user "a"; the devices' users are u"#),
        ("foreground: u", 6, 17, r#"foreground: unknown device "u"; declared devices are a"#),
        ("restart: { device: a }", 6, 14, "restart: expected a string, found a mapping"),
        ("ban: { user: u }", 6, 10, r#"missing required field "duration" in ban"#),
        ("ban: { user: u, duration: 0h }", 6, 31, "ban.duration: 0h is too short; expected 1ms or more"),
        ("ban: { user: u, duration: 1h, reason: spam }", 6, 35, r#"unknown field "reason" in ban"#),
        ("expect: { device: a, no_event: connected, for: 0s }", 6, 52, "expect.for: 0s is too short"),
        ("expect: { device: a, no_event: kicked, for: 1s }", 6, 36, r#"expect.no_event: unknown value "kicked""#),
        (
            "expect: { device: a, no_event: connected, event: connected, for: 1s }",
            6,
            47,
            "two checks, no_event and event",
        ),
        ("expect: { device: a, status: connected, for: 1s }", 6, 45, r#"field "for" only applies to a no_event check"#),
        (
            "expect: { device: a, for: 1s }",
            6,
            13,
            "expect needs a check: one of event, no_event, status, stored or unread",
        ),
    ];
    for (yaml, line, column, phrase) in cases {
        let error = first_step(yaml).expect_err(yaml);
        assert_eq!((error.line, error.column), (line, column), "{yaml}: {error}");
        assert!(error.message.contains(phrase), "{yaml}: {error}");
    }
}

#[test]
fn the_new_forms_have_defaults() {
    let scenario = parse(
        "name: n\nrules: [GRP-16]\nseed: 1\ndevices: { a: { user: u } }\nsteps:\n  \
         - send: { device: a, type: group, to: g, text: '{n}{n}', directed: ['', u, u] }\n  \
         - mute_all: { group: g }\n  \
         - server_send: { from: admin, to: u, text: '' }\n  \
         - expect: { device: a, unread: { target: v, count: 0 } }\n  \
         - expect: { device: a, unread: { total: 0 } }\n",
    )
    .expect("valid");
    let kinds: Vec<StepKind> = scenario.steps.into_iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Send {
                device: "a".into(),
                conversation_type: ConversationType::Group,
                target_id: "g".into(),
                text: "{n}{n}".into(),
                count: 1,
                // The SDK's arguments are passed as written: empty and repeated IDs too.
                directed: strings(&["", "u", "u"]),
            },
            StepKind::MuteAll { group: "g".into(), whitelist: vec![] },
            StepKind::ServerSend {
                from: "admin".into(),
                to: "u".into(),
                conversation_type: ConversationType::Private,
                text: String::new(),
                verify_blacklist: false,
            },
            expect(
                "a",
                10_000,
                Check::Unread { conversation: Some((ConversationType::Private, "v".into())), count: 0 }
            ),
            expect("a", 10_000, Check::Unread { conversation: None, count: 0 }),
        ]
    );
    let days = |yaml: &str| {
        parse(&format!(
            "name: n\nrules: [CFG-8]\nseed: 1\nsettings: {{ app: {yaml} }}\ndevices: {{ a: {{ user: u }} }}\n\
             steps: []\n"
        ))
        .map(|scenario| {
            let app = scenario.settings.app;
            (app.compensation_days, app.private_offline_days, app.group_offline_days)
        })
    };
    assert_eq!(days("{}"), Ok((1, 7, 7)));
    assert_eq!(days("{ compensation_days: 1, private_offline_days: 7, group_offline_days: 1 }"), Ok((1, 7, 1)));
    let error = days("{ group_offline_days: -1 }").expect_err("negative");
    assert_eq!(
        (error.line, error.column, error.message.as_str()),
        (4, 40, "settings.app.group_offline_days: -1 is out of range; expected an integer from 1 to 7 (CFG-8)")
    );
}

#[test]
fn numbered_texts_replace_every_n() {
    assert_eq!(numbered_text("m{n}", 1), "m1");
    assert_eq!(numbered_text("{n}/{n} {m} {{n}}", 450), "450/450 {m} {450}");
    assert_eq!(numbered_text("hello", 7), "hello");
    assert_eq!(SEND_COUNT_MAX, 10_000);
}

#[test]
fn the_blacklist_group_and_server_steps_check_their_values() {
    let first_step = |yaml: &str| {
        parse(&format!("name: n\nrules: [BLACK-5]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - {yaml}\n"))
            .map(|scenario| scenario.steps[0].kind.clone())
    };
    let cases = [
        ("send: { device: a, to: v, text: t, count: 10001 }", 6, 47, "send.count: 10001 is out of range"),
        ("send: { device: a, to: v, text: t, count: -1 }", 6, 47, "send.count: -1 is out of range"),
        ("send: { device: a, to: v, text: t, count: '3' }", 6, 47, "send.count: expected an integer from 1 to 10000"),
        (
            "send: { device: a, type: private, to: v, text: t, directed: [v] }",
            6,
            55,
            r#"field "directed" only applies to a group message (GRP-16)"#,
        ),
        ("send: { device: a, type: group, to: g, text: t, directed: v }", 6, 63, "send.directed: expected a list"),
        ("blacklist_add: a", 6, 20, "blacklist_add: expected a mapping like { device: a, user: lisi }"),
        ("blacklist_remove: { device: a }", 6, 23, r#"missing required field "user" in blacklist_remove"#),
        ("blacklist_status: { user: v }", 6, 23, r#"missing required field "device" in blacklist_status"#),
        ("blacklist_status: { device: a, user: [v] }", 6, 42, "blacklist_status.user: expected a string"),
        ("blacklist_get: b", 6, 20, r#"blacklist_get: unknown device "b"; declared devices are a"#),
        ("create_group: { id: g, name: n }", 6, 19, r#"missing required field "members" in create_group"#),
        ("create_group: { id: '', name: n, members: [] }", 6, 25, "create_group.id: must not be empty"),
        ("create_group: { id: g, name: n, members: [u, ''] }", 6, 50, "create_group.members: must not be empty"),
        ("create_group: { id: g, name: n, members: [], owner: u }", 6, 50, r#"unknown field "owner" in create_group"#),
        ("dismiss_group: ''", 6, 20, "dismiss_group: must not be empty"),
        ("add_members: { group: g, users: [] }", 6, 37, "add_members.users: list at least one user ID"),
        ("remove_members: { group: g }", 6, 21, r#"missing required field "users" in remove_members"#),
        ("mute_member: { group: g, user: v, duration: 0s }", 6, 49, "mute_member.duration: 0s is too short"),
        ("unmute_member: g", 6, 20, "unmute_member: expected a mapping like { group: g1, user: lisi }"),
        ("mute_all: [g]", 6, 15, "mute_all: expected a group ID or a mapping"),
        ("mute_all: { group: g, whitelist: [v, v] }", 6, 42, "mute_all.whitelist: v is listed twice"),
        ("unmute_all: { group: g }", 6, 17, "unmute_all: expected a string, found a mapping"),
        ("server_send: { from: admin, to: v }", 6, 18, r#"missing required field "text" in server_send"#),
        ("server_send: { from: '', to: v, text: t }", 6, 26, "server_send.from: must not be empty"),
        ("server_send: { from: s, to: v, text: t, verify_blacklist: 1 }", 6, 63, "expected true or false"),
        (
            "server_send: { from: s, to: v, type: system, text: t, verify_blacklist: false }",
            6,
            59,
            r#"field "verify_blacklist" only applies to a private message (BLACK-4)"#,
        ),
        (
            "expect: { device: a, event: blacklistAdded, blacklist_status: unknown }",
            6,
            49,
            r#"field "blacklist_status" does not apply to event blacklistAdded; it takes code, user"#,
        ),
        (
            "expect: { device: a, event: blacklistLoaded, user: v }",
            6,
            50,
            r#"field "user" does not apply to event blacklistLoaded; it takes code, users"#,
        ),
        ("expect: { device: a, event: blacklistLoaded, users: [[v]] }", 6, 58, "expect.users: expected a string"),
        (
            "expect: { device: a, status: connected, users: [] }",
            6,
            45,
            r#"field "users" only applies to an event check"#,
        ),
        ("expect: { device: a, stored: { target: v } }", 6, 34, "expect.stored needs messages or count"),
        ("expect: { device: a, stored: { target: v, count: -1 } }", 6, 54, "expect.stored.count: -1 is out of range"),
        ("expect: { device: a, unread: {} }", 6, 34, "expect.unread needs total or target"),
        ("expect: { device: a, unread: { target: v } }", 6, 34, r#"missing required field "count" in expect.unread"#),
        (
            "expect: { device: a, unread: { total: 1, type: group } }",
            6,
            46,
            r#"field "type" only applies to one conversation's count (with `target`), not to total"#,
        ),
        ("expect: { device: a, unread: { target: v, count: 1, total: 2 } }", 6, 57, "has both target and total"),
        (
            "expect: { device: a, unread: { total: 1 }, stored: { target: v, count: 1 } }",
            6,
            48,
            "two checks, unread and stored",
        ),
        (
            "expect: { device: a, unread: { total: 1 }, code: 0 }",
            6,
            48,
            r#"field "code" only applies to an event check"#,
        ),
    ];
    let mut failures = Vec::new();
    for (yaml, line, column, phrase) in cases {
        match first_step(yaml) {
            Ok(kind) => failures.push(format!("{yaml}: parsed as {kind:?}")),
            Err(error) if (error.line, error.column) != (line, column) || !error.message.contains(phrase) => {
                failures.push(format!("{yaml}: got {}:{}: {}", error.line, error.column, error.message));
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn users_are_distinct_and_in_device_order() {
    let scenario = parse(FULL).expect("valid");
    assert_eq!(scenario.users(), ["lisi", "zhangsan"]);
    assert_eq!(scenario.device("a-2").map(|d| d.platform), Some(Platform::MiniProgram));
    assert_eq!(scenario.device("server"), None);
}

#[test]
fn rule_ids_come_from_the_spec() {
    let rule = RuleId::new("SEND-4").expect("in the spec");
    assert_eq!((rule.as_str(), rule.part(), rule.to_string()), ("SEND-4", "part1.md", "SEND-4".to_owned()));
    assert!(rule.text().contains("RCIMIWSendMessageCallback"));
    assert!(RuleId::is_well_formed("SEND-9999") && RuleId::new("SEND-9999").is_none());
    for bad in ["", "SEND", "SEND-", "-4", "send-4", "SEND-4a", "SEND_4", "SEND-4-1", " SEND-4"] {
        assert!(!RuleId::is_well_formed(bad), "{bad:?}");
        assert_eq!(RuleId::new(bad), None, "{bad:?}");
    }
}

#[test]
fn durations_print_in_the_largest_exact_unit() {
    let cases =
        [(0, "0ms"), (1, "1ms"), (1500, "1500ms"), (2000, "2s"), (90_000, "90s"), (120_000, "2m"), (7_200_000, "2h")];
    for (ms, text) in cases {
        assert_eq!(format_duration(Duration::from_millis(ms)), text);
    }
}

#[test]
fn durations_accept_every_unit_and_reject_other_forms() {
    let within = |text: &str| {
        parse(&format!(
            "name: n\nrules: [SEND-4]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\n\
             steps: [ {{ expect: {{ device: a, status: connected, within: {text} }} }} ]\n"
        ))
        .map(|s| match &s.steps[0].kind {
            StepKind::Expect(e) => e.within,
            other => panic!("not an expect: {other:?}"),
        })
    };
    assert_eq!(within("250ms"), Ok(Duration::from_millis(250)));
    assert_eq!(within("10s"), Ok(Duration::from_secs(10)));
    assert_eq!(within("2m"), Ok(Duration::from_secs(120)));
    assert_eq!(within("1h"), Ok(Duration::from_secs(3600)));
    for bad in ["10", "1.5s", "-1s", "+1s", "1 s", "1S", "1d", "s", "\"\"", "1e3ms", "18446744073709551615s", "[1s]"] {
        let error = within(bad).expect_err(bad);
        assert_eq!((error.line, error.column), (5, 60), "{bad}: {error}");
        assert!(error.message.starts_with("expect.within: "), "{bad}: {error}");
    }
}

#[test]
fn errors_display_as_path_line_column_message() {
    let error = parse_scenario(Path::new("dir/s.yaml"), "name: n\nbogus: 1\n").expect_err("unknown key");
    assert_eq!(
        error.to_string(),
        "dir/s.yaml:2:1: unknown field \"bogus\" at the top level; expected one of name, rules, seed, settings, \
         devices, steps"
    );
    let missing = load_scenario(Path::new("no/such/file.yaml")).expect_err("missing file");
    assert_eq!((missing.line, missing.column), (1, 1));
    assert!(missing.message.starts_with("cannot read the file: "), "{missing}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let flow = format!("name: {}{}", "[".repeat(5_000), "]".repeat(5_000));
    let blocks: String = (0..5_000).map(|depth| format!("{}- \n", "  ".repeat(depth))).collect();
    let mut aliases = String::from("a0: &a0 [[[[[[[[[[[[[[1]]]]]]]]]]]]]]\n");
    for i in 1..40 {
        aliases.push_str(&format!("a{i}: &a{i} [[[[[[[[[[[[[[*a{}]]]]]]]]]]]]]]\n", i - 1));
    }
    for text in ["[".repeat(100_000), flow, blocks, aliases] {
        let error = parse(&text).expect_err("too deep");
        assert!(error.message.starts_with("invalid YAML: "), "{error}");
    }
    let error = parse(&"- ".repeat(20)).expect_err("too deep");
    assert_eq!(
        (error.line, error.column, error.message.as_str()),
        (1, 33, "invalid YAML: collections nest more than 16 deep")
    );
}

#[test]
fn scalars_are_read_as_written() {
    let scenario = parse(
        "name: 1.50\nrules: [SEND-4]\nseed: 0x10\ndevices:\n  007: { user: &u 0x1F }\n  yes: { user: *u }\n\
         steps:\n  - send: { device: yes, to: true, text: .inf }\n",
    )
    .expect("valid");
    assert_eq!((scenario.name.as_str(), scenario.seed), ("1.50", 16));
    assert_eq!(scenario.devices, [device("007", "0x1F", Platform::Mobile), device("yes", "0x1F", Platform::Mobile)]);
    assert_eq!(scenario.steps[0].describe(), r#"send yes -> private:true ".inf""#);
    let error = parse("name: n\nrules: [SEND-4]\nseed: 1\ndevices: { a: { user: u } }\nsteps:\n  - disconnect: { device: a, receive_push: yes }\n")
        .expect_err("booleans are true or false");
    assert_eq!(
        (error.line, error.column, error.message.as_str()),
        (6, 44, r#"disconnect.receive_push: expected true or false, found string "yes""#)
    );
}

/// Each bad fixture, with where its one defect is and a phrase of the message.
const BAD: &[(&str, u64, u64, &str)] = &[
    ("add-members-twice.yaml", 8, 53, "add_members.users: wangwu is listed twice"),
    ("bad-duration.yaml", 10, 14, r#"advance: invalid duration "1.5s"; expected a whole number followed by ms"#),
    ("bad-platform.yaml", 5, 34, r#"unknown value "ios"; expected one of mobile, desktop, web, miniProgram"#),
    ("bad-rule-format.yaml", 2, 17, r#""recv-1" is not a rule ID"#),
    ("bad-status.yaml", 11, 34, r#"expect.status: unknown value "signedOut"; expected one of networkUnavailable,"#),
    (
        "bad-token.yaml",
        10,
        34,
        r#"unknown value "stale"; expected one of valid, malformed, revoked, other_app, expired"#,
    ),
    ("ban-bad-duration.yaml", 10, 17, r#"ban.duration: invalid duration "1.5h"; expected a whole number"#),
    (
        "ban-short-form.yaml",
        8,
        10,
        r#"ban: expected a mapping like { user: zhangsan, duration: 1h }, found string "zhangsan""#,
    ),
    ("ban-unknown-user.yaml", 10, 18, r#"ban.user: unknown user "wangwu"; the devices' users are zhangsan, lisi"#),
    (
        "blacklist-status-bad-name.yaml",
        10,
        83,
        r#"expect.blacklist_status: unknown value "inblacklist"; expected one of unknown, inBlacklist, notInBlacklist"#,
    ),
    ("blacklist-unknown-device.yaml", 9, 30, r#"blacklist_add.device: unknown device "c"; declared devices are a, b"#),
    (
        "blacklist-users-not-a-list.yaml",
        9,
        66,
        r#"expect.users: expected a list of user IDs, like [lisi, wangwu] (`[]` for none), found string "lisi""#,
    ),
    (
        "compensation-days-eight.yaml",
        7,
        24,
        "settings.app.compensation_days: 8 is out of range; expected an integer from 1 to 7 (CFG-3)",
    ),
    ("crash-unknown-device.yaml", 9, 12, r#"crash: unknown device "c"; declared devices are a, b"#),
    ("create-group-without-id.yaml", 9, 7, r#"missing required field "id" in create_group"#),
    ("device-named-server.yaml", 6, 3, r#"device name "server" is reserved"#),
    ("duplicate-device.yaml", 7, 3, r#"duplicate device "a" in devices (first at line 5, column 3)"#),
    ("duplicate-key.yaml", 4, 1, r#"duplicate field "name" at the top level (first at line 1, column 1)"#),
    ("empty-rules.yaml", 2, 8, "rules: list at least one rule ID"),
    ("event-field-not-valid.yaml", 10, 53, r#"field "left" does not apply to event connected; it takes code"#),
    ("event-field-without-event.yaml", 10, 45, r#"field "code" only applies to an event check"#),
    ("expect-no-check.yaml", 10, 13, "expect needs a check: one of event, no_event, status, stored or unread"),
    ("expect-two-checks.yaml", 13, 7, "expect has two checks, event and stored"),
    ("for-without-no-event.yaml", 8, 44, r#"field "for" only applies to a no_event check"#),
    (
        "heartbeat-interval-too-short.yaml",
        5,
        26,
        "settings.heartbeat.interval: 500ms is too short; expected 1s or more",
    ),
    ("heartbeat-missing-timeout.yaml", 7, 5, r#"missing required field "timeout" in settings.heartbeat"#),
    ("heartbeat-timeout-not-less.yaml", 5, 40, "settings.heartbeat: timeout 10s is not less than interval 10s"),
    (
        "kick-reconnect-not-bool.yaml",
        5,
        47,
        r#"devices.a.kick_reconnect_device: expected true or false, found string "yes""#,
    ),
    ("latency-inverted.yaml", 5, 30, "settings.latency: max 20ms is less than min 30ms"),
    ("missing-name.yaml", 2, 1, r#"missing required field "name" at the top level"#),
    (
        "mobile-devices-max-zero.yaml",
        7,
        25,
        "settings.app.mobile_devices_max: 0 is out of range; expected an integer from 1",
    ),
    ("multiple-documents.yaml", 11, 1, "exactly one YAML document"),
    (
        "mute-member-bad-duration.yaml",
        8,
        53,
        r#"mute_member.duration: invalid duration "forever"; expected a whole number"#,
    ),
    ("negative-duration.yaml", 10, 52, r#"expect.within: invalid duration "-5s""#),
    ("no-event-field-not-valid.yaml", 11, 7, r#"field "text" does not apply to event connected; it takes code, user"#),
    ("no-event-with-within.yaml", 9, 56, r#"field "within" does not apply to a no_event check; its period is `for`"#),
    ("no-event-without-for.yaml", 9, 26, "no_event needs `for`"),
    ("not-utf8.yaml", 10, 44, "not valid UTF-8"),
    (
        "offline-days-zero.yaml",
        5,
        32,
        "settings.app.private_offline_days: 0 is out of range; expected an integer from 1 to 7 (CFG-8)",
    ),
    ("partition-self.yaml", 10, 20, "partition: both endpoints are a; expected two different endpoints"),
    ("partition-three.yaml", 10, 16, "partition: expected two endpoints, like [a, server], found 3 items"),
    ("revoke-unknown-user.yaml", 10, 20, r#"unknown user "wangwu"; the devices' users are zhangsan, lisi"#),
    ("send-count-zero.yaml", 9, 55, "send.count: 0 is out of range; expected an integer from 1 to 10000"),
    ("send-directed-empty.yaml", 9, 65, "send.directed: list at least one user ID"),
    (
        "send-directed-not-group.yaml",
        13,
        7,
        r#"field "directed" only applies to a group message (GRP-16), and this send's type is private"#,
    ),
    (
        "server-send-bad-type.yaml",
        7,
        53,
        r#"server_send.type: unknown value "chatroom"; expected one of private, group, system"#,
    ),
    ("step-misindented.yaml", 11, 5, r#"a step has exactly one key, but this one also has "device"; indent it under"#),
    ("stored-count-and-messages.yaml", 16, 9, "expect.stored has both messages and count; `messages` lists"),
    ("stored-missing-text.yaml", 16, 13, r#"missing required field "text" in a stored message"#),
    ("syntax-error.yaml", 11, 12, "invalid YAML: "),
    ("tick-out-of-range.yaml", 5, 9, "settings.tick: 2s is out of range; expected 1ms to 1s"),
    ("timeout-overflow.yaml", 10, 36, "connect.timeout: 3000000000 is out of range"),
    ("token-ttl-zero.yaml", 6, 16, "settings.app.token_ttl: 0s is too short; expected 1ms or more"),
    (
        "unknown-app-switch.yaml",
        5,
        35,
        r#"unknown field "cloud_storage" in settings.app; expected one of reconnect_kick_policy, mobile_devices_max,"#,
    ),
    ("unknown-device.yaml", 10, 21, r#"send.device: unknown device "c"; declared devices are a, b"#),
    ("unknown-field.yaml", 13, 7, r#"unknown field "txt" in send; expected one of device, to, text, type"#),
    ("unknown-rule.yaml", 4, 5, "SEND-9999 is not a rule of the spec"),
    (
        "unknown-step.yaml",
        10,
        5,
        r#"unknown step "jump"; expected one of connect, disconnect, send, advance, partition, repair, revoke_tokens, ban, unban, foreground, background, network_lost, network_restored, crash, restart, blacklist_add, blacklist_remove, blacklist_status, blacklist_get, create_group, dismiss_group, add_members, remove_members, mute_member, unmute_member, mute_all, unmute_all, server_send, expect"#,
    ),
    ("unknown-top-level-key.yaml", 6, 1, r#"unknown field "step" at the top level; expected one of name, rules,"#),
    ("unread-total-and-target.yaml", 9, 46, "expect.unread has both total and target; use `total: N`"),
    (
        "verify-blacklist-group.yaml",
        7,
        64,
        r#"field "verify_blacklist" only applies to a private message (BLACK-4), and this server_send's type is group"#,
    ),
    ("wrong-type.yaml", 3, 7, r#"seed: expected an integer from 0 to 18446744073709551615, found string "seven""#),
];

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bad-scenarios")
}

#[test]
fn every_bad_fixture_fails_at_its_defect() {
    let mut failures = Vec::new();
    for &(file, line, column, phrase) in BAD {
        let path = bad_dir().join(file);
        match load_scenario(&path) {
            Ok(_) => failures.push(format!("{file}: parsed")),
            Err(error) => {
                if error.path != path || (error.line, error.column) != (line, column) || !error.message.contains(phrase)
                {
                    failures.push(format!("{file}: got {}:{}: {}", error.line, error.column, error.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_bad_fixture_is_in_the_table() {
    let mut on_disk: Vec<String> = std::fs::read_dir(bad_dir())
        .expect("fixtures/bad-scenarios")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = BAD.iter().map(|&(file, ..)| file).collect();
    listed.sort_unstable();
    assert_eq!(on_disk, listed);
}

/// A small edit to a text: insert, delete, replace or duplicate a line.
fn mutate(text: &str, edits: &[(prop::sample::Index, u8, String)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for (at, op, insert) in edits {
        let i = at.index(chars.len() + 1);
        match op % 4 {
            0 => chars.splice(i..i, insert.chars()).for_each(drop),
            1 => chars.splice(i..(i + insert.len()).min(chars.len()), []).for_each(drop),
            2 => chars.splice(i..(i + 1).min(chars.len()), insert.chars()).for_each(drop),
            _ => {
                let start = chars[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
                let end = chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| i + p + 1);
                let line: Vec<char> = chars[start..end].to_vec();
                chars.splice(start..start, line).for_each(drop);
            }
        }
    }
    chars.into_iter().collect()
}

/// Whatever the input, the parser returns, and an error points inside the text.
fn check_total(text: &str) {
    if let Err(error) = parse(text) {
        let lines = text.split('\n').count() as u64;
        assert!(error.line >= 1 && error.line <= lines + 1, "{error} in {text:?}");
        assert!(error.column >= 1, "{error}");
        assert!(!error.message.is_empty());
    }
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        check_total(&text);
    }

    #[test]
    fn never_panics_on_yaml_like_text(text in "([ \n\t:,\\-\\[\\]{}#&*!|>'\"?%@]|[a-z0-9]{1,6}|SEND-4|steps|expect|device){0,80}") {
        check_total(&text);
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_file(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), "([ \n:,\\-\\[\\]{}#&*!'\"]|[a-z0-9]{1,4}|-1|1.5|ms){0,3}"),
            1..6,
        )
    ) {
        check_total(&mutate(FULL, &edits));
    }
}
