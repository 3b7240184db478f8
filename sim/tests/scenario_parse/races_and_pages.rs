//! The forms that let a scenario state what a rule promises rather than what one network timing gave: a statuses
//! check on several devices in any order (a race's outcome), `syncTime: { $sameAs: messages.0.sentTime }` (CR-45), and a
//! `chatroom_history` from the previous page's `sync_time` (CR-26); their models, canonical lines and errors.

use std::collections::BTreeMap;
use std::time::Duration;

use imsim_engine::types::{ConnectionStatus, TimeOrder};
use imsim_sim::scenario::{ChatroomCall, Check, HistoryFrom, Pattern, StatusesExpectation, StepKind};

use crate::{assert_step_errors, event, expect, parse, scalar, step};

const RACES_AND_PAGES: &str = r#"name: races and pages
rules: [KICK-1, CR-26]
seed: 3
devices:
  a: { user: zhangsan }
  b: { user: lisi }
  c: { user: lisi }
steps:
  - expect: { devices: [b, c], statuses: [connected, kickedOfflineByOtherClient] }
  - expect: { devices: [a, b, c], statuses: [signOut, connected, connected], within: 2s }
  - chatroom_history: { device: a, room: r1, timestamp: sync_time, count: 3 }
  - expect: { device: a, event: onChatRoomMessagesLoaded, syncTime: { $sameAs: messages.0.sentTime } }
  - expect: { device: a, event: onChatRoomMessagesLoaded, syncTime: { $sameAs: messages.-1.sentTime } }
  - expect: { device: a, event: onChatRoomMessagesLoaded, syncTime: 0 }
"#;

fn loaded(sync_time: Pattern) -> Check {
    event("onChatRoomMessagesLoaded", &[("syncTime", sync_time)])
}

#[test]
fn the_race_and_paging_forms_become_the_exact_model() {
    let scenario = parse(RACES_AND_PAGES).expect("valid");
    let names = |names: &[&str]| names.iter().map(|&name| name.to_owned()).collect::<Vec<String>>();
    let expected = vec![
        step(
            9,
            5,
            StepKind::ExpectStatuses(StatusesExpectation {
                devices: names(&["b", "c"]),
                statuses: vec![ConnectionStatus::Connected, ConnectionStatus::KickedOfflineByOtherClient],
                within: Duration::from_secs(10),
            }),
        ),
        step(
            10,
            5,
            StepKind::ExpectStatuses(StatusesExpectation {
                devices: names(&["a", "b", "c"]),
                statuses: vec![ConnectionStatus::SignOut, ConnectionStatus::Connected, ConnectionStatus::Connected],
                within: Duration::from_secs(2),
            }),
        ),
        step(
            11,
            5,
            StepKind::Chatroom {
                device: "a".into(),
                call: ChatroomCall::History {
                    room: "r1".into(),
                    timestamp: HistoryFrom::SyncTime,
                    order: TimeOrder::Before,
                    count: 3,
                },
            },
        ),
        step(12, 5, expect("a", 10_000, loaded(Pattern::SameAs("messages.0.sentTime".into())))),
        step(13, 5, expect("a", 10_000, loaded(Pattern::SameAs("messages.-1.sentTime".into())))),
        step(14, 5, expect("a", 10_000, loaded(scalar("0")))),
    ];
    assert_eq!(scenario.steps, expected);
}

#[test]
fn the_race_and_paging_forms_describe_themselves_on_one_line() {
    let scenario = parse(RACES_AND_PAGES).expect("valid");
    let lines: Vec<String> = scenario.steps.iter().map(|step| step.describe()).collect();
    assert_eq!(
        lines,
        [
            "expect [b, c] statuses [connected, kickedOfflineByOtherClient] in any order within=10s",
            "expect [a, b, c] statuses [signOut, connected, connected] in any order within=2s",
            r#"chatroom_history a "r1" timestamp=sync_time order=before count=3"#,
            "expect a event onChatRoomMessagesLoaded {syncTime: {$sameAs: messages.0.sentTime}} within=10s",
            "expect a event onChatRoomMessagesLoaded {syncTime: {$sameAs: messages.-1.sentTime}} within=10s",
            "expect a event onChatRoomMessagesLoaded {syncTime: 0} within=10s",
        ]
    );
}

#[test]
fn a_statuses_check_matches_its_statuses_in_any_order_and_only_those() {
    use ConnectionStatus::{Connected, Connecting, KickedOfflineByOtherClient as Kicked};
    let check = StatusesExpectation {
        devices: vec!["c".into(), "d".into()],
        statuses: vec![Connected, Kicked],
        within: Duration::from_secs(10),
    };
    assert!(check.holds(&[Connected, Kicked]));
    assert!(check.holds(&[Kicked, Connected]));
    assert!(!check.holds(&[Connected, Connected]), "nobody kicked");
    assert!(!check.holds(&[Kicked, Kicked]), "both kicked");
    assert!(!check.holds(&[Connecting, Kicked]));
}

#[test]
fn same_as_the_first_and_last_message_pins_the_sync_time_to_the_oldest_and_newest() {
    // CR-45: the page is in ascending sent time, so backwards its syncTime is the first message's, forwards the last's.
    let page = |sent: &[i64], sync_time: i64| {
        let messages: Vec<serde_json::Value> =
            sent.iter().map(|sent_time| serde_json::json!({ "sentTime": sent_time })).collect();
        serde_json::json!({ "messages": messages, "syncTime": sync_time })
    };
    let oldest = loaded(Pattern::SameAs("messages.0.sentTime".into()));
    let newest = loaded(Pattern::SameAs("messages.-1.sentTime".into()));
    let holds = |check: &Check, value: &serde_json::Value| match check {
        Check::Event { pattern, .. } => pattern.check(value, value, &BTreeMap::new()),
        _ => unreachable!("an event check"),
    };
    let sent = [1_724_976_000_010, 1_724_976_000_112, 1_724_976_000_210];
    assert_eq!(holds(&oldest, &page(&sent, 1_724_976_000_010)), Ok(()));
    assert_eq!(
        holds(&oldest, &page(&sent, 1_724_976_000_210)),
        Err("syncTime: expected messages.0.sentTime = 1724976000010, found 1724976000210".to_owned())
    );
    assert_eq!(holds(&newest, &page(&sent, 1_724_976_000_210)), Ok(()));
    assert!(holds(&newest, &page(&sent, 1_724_976_000_112)).is_err());
    // An empty page has no oldest or newest message: only an exact value can match it.
    assert!(holds(&oldest, &page(&[], 0)).is_err());
    assert!(holds(&newest, &page(&[], 0)).is_err());
    assert_eq!(holds(&loaded(scalar("0")), &page(&[], 0)), Ok(()));
    assert!(holds(&loaded(scalar("0")), &page(&sent, 1_724_976_000_010)).is_err());
}

#[test]
fn the_race_and_paging_forms_check_their_values() {
    let cases = [
        ("expect: { devices: [a, b] }", 6, 13, "expect needs statuses along with devices"),
        ("expect: { statuses: [connected] }", 6, 13, "expect needs devices along with statuses"),
        ("expect: { devices: [a], statuses: [connected] }", 6, 24, "two or more devices; for one, use `status`"),
        ("expect: { devices: [a, a], statuses: [connected, connected] }", 6, 28, "a is listed twice"),
        ("expect: { devices: [a, x], statuses: [connected, connected] }", 6, 28, r#"unknown device "x""#),
        ("expect: { devices: a, statuses: [connected] }", 6, 24, "expect.devices: expected a list of devices"),
        ("expect: { devices: [a, b], statuses: [connected] }", 6, 42, "1 statuses for 2 devices"),
        ("expect: { devices: [a, b], statuses: [connected, kicked] }", 6, 54, r#"unknown value "kicked""#),
        (
            "expect: { devices: [a, b], statuses: [connected, signOut], device: a }",
            6,
            64,
            r#"field "device" does not apply here; a statuses check takes devices, statuses and within"#,
        ),
        (
            "expect: { devices: [a, b], statuses: [connected, signOut], for: 5s }",
            6,
            64,
            r#"field "for" does not apply here"#,
        ),
        (
            "chatroom_history: { device: a, room: r, count: 5, timestamp: latest }",
            6,
            66,
            "chatroom_history.timestamp: expected an integer from -9223372036854775808 to 9223372036854775807 (Unix \
             milliseconds), or sync_time",
        ),
        (
            "expect: { device: a, event: onChatRoomMessagesLoaded, syncTime: first }",
            6,
            69,
            r#"expect.syncTime: expected an integer, found string "first""#,
        ),
    ];
    assert_step_errors("KICK-1", "{ a: { user: u }, b: { user: u } }", &cases);
}
