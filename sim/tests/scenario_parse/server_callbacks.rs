//! The checks on the server's callbacks to the app server (CR-36, CRKV-15): the settings, the models of
//! `server_callback` and `no_server_callback`, their canonical lines and their errors.

use std::collections::BTreeMap;
use std::time::Duration;

use imsim_engine::types::{ChatRoomEntriesOperationType, ChatRoomStatus};
use imsim_sim::scenario::{CallbackExpectation, CallbackKind, CallbackPattern, StepKind};

use crate::parse;

const CALLBACKS: &str = r#"name: callbacks
rules: [CR-36, CRKV-15]
seed: 3
settings:
  app: { chatroom_status_callback: true, chatroom_kv_callback: true }
devices:
  a: { user: zhangsan }
steps:
  - expect: { server_callback: chatroomMemberLeft, room: r1, user: lisi, within: 5s }
  - expect: { server_callback: chatroomCreated }
  - expect: { server_callback: chatroomDestroyed, room: r1, chatroom_status: destroyAuto }
  - expect: { server_callback: chatroomEntriesChanged, user: "", operation: remove, entries: { k: v } }
  - expect: { no_server_callback: chatroomMemberJoined, user: lisi, for: 10s }
"#;

#[test]
fn callback_checks_parse_to_their_models_and_lines() {
    let scenario = parse(CALLBACKS).expect("a valid scenario");
    assert!(scenario.settings.app.chatroom_status_callback && scenario.settings.app.chatroom_kv_callback);
    let kinds: Vec<StepKind> = scenario.steps.iter().map(|step| step.kind.clone()).collect();
    let within = |pattern, seconds| CallbackExpectation::Callback { pattern, within: Duration::from_secs(seconds) };
    let left = CallbackPattern {
        room: Some("r1".into()),
        user: Some("lisi".into()),
        ..CallbackPattern::new(CallbackKind::ChatroomMemberLeft)
    };
    let destroyed = CallbackPattern {
        room: Some("r1".into()),
        chatroom_status: Some(ChatRoomStatus::DestroyAuto),
        ..CallbackPattern::new(CallbackKind::ChatroomDestroyed)
    };
    let changed = CallbackPattern {
        user: Some(String::new()),
        operation: Some(ChatRoomEntriesOperationType::Remove),
        entries: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
        ..CallbackPattern::new(CallbackKind::ChatroomEntriesChanged)
    };
    let joined =
        CallbackPattern { user: Some("lisi".into()), ..CallbackPattern::new(CallbackKind::ChatroomMemberJoined) };
    assert_eq!(
        kinds,
        [
            StepKind::ExpectServerCallback(within(left, 5)),
            StepKind::ExpectServerCallback(within(CallbackPattern::new(CallbackKind::ChatroomCreated), 10)),
            StepKind::ExpectServerCallback(within(destroyed, 10)),
            StepKind::ExpectServerCallback(within(changed, 10)),
            StepKind::ExpectServerCallback(CallbackExpectation::NoCallback {
                pattern: joined,
                period: Duration::from_secs(10),
                since: None,
            }),
        ]
    );
    let lines: Vec<String> = scenario.steps.iter().map(|step| step.describe()).collect();
    assert_eq!(
        lines,
        [
            r#"expect server_callback chatroomMemberLeft room="r1" user="lisi" within=5s"#,
            "expect server_callback chatroomCreated within=10s",
            r#"expect server_callback chatroomDestroyed room="r1" chatroom_status=destroyAuto within=10s"#,
            r#"expect server_callback chatroomEntriesChanged user="" operation=remove entries={"k": "v"} within=10s"#,
            r#"expect no_server_callback chatroomMemberJoined user="lisi" for=10s"#,
        ]
    );
}

#[test]
fn callback_checks_report_their_errors_in_place() {
    let first_step = |yaml: &str| {
        parse(&format!("name: n\nrules: [CR-36]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - {yaml}\n"))
            .map(|scenario| scenario.steps[0].kind.clone())
    };
    let cases = [
        ("expect: { device: a, server_callback: chatroomCreated }", 6, 15, r#"field "device" does not apply"#),
        (
            "expect: { server_callback: chatroomCreated, no_server_callback: chatroomCreated, for: 1s }",
            6,
            49,
            "expect has both server_callback and no_server_callback",
        ),
        ("expect: { server_callback: chatroomCreated, for: 1s }", 6, 49, r#"field "for" only applies to a no_server"#),
        (
            "expect: { no_server_callback: chatroomCreated, within: 1s, for: 1s }",
            6,
            52,
            r#"field "within" does not apply to a no_server_callback check"#,
        ),
        ("expect: { no_server_callback: chatroomCreated, for: 0s }", 6, 57, "expect.for: 0s is too short"),
        (
            "expect: { server_callback: chatroomCreated, event: connected }",
            6,
            49,
            "expect has two checks, server_callback and event",
        ),
        (
            "expect: { server_callback: chatroomMemberJoined, operation: update }",
            6,
            54,
            r#"field "operation" does not apply to server callback chatroomMemberJoined; it takes room, user"#,
        ),
        (
            "expect: { server_callback: chatroomDestroyed, chatroom_status: reset2 }",
            6,
            68,
            r#"expect.chatroom_status: unknown value "reset2""#,
        ),
        ("expect: { server_callback: chatroomCreated, color: red }", 6, 49, r#"unknown field "color" in expect"#),
    ];
    for (yaml, line, column, phrase) in cases {
        let error = first_step(yaml).expect_err(yaml);
        assert_eq!((error.line, error.column), (line, column), "{yaml}: {error}");
        assert!(error.message.contains(phrase), "{yaml}: {error}");
    }
}
