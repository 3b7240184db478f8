//! The chatroom forms: the chatroom settings, the app's chatroom and KV calls, the App Server API's chatroom steps,
//! the chatroom events' fields, and the `entries` and `call` checks; their exact models, canonical lines and errors.

use std::collections::BTreeMap;
use std::time::Duration;

use imsim_engine::types::TimeOrder;
use imsim_sim::scenario::{ChatroomAdmin, ChatroomCall, Check, EntriesRead, HistoryFrom, Pattern, StepKind};

use crate::{assert_step_errors, event, expect, fields, list, no_event, parse, scalar, step, strings};

const CHATROOMS: &str = r#"name: chatrooms
rules: [CR-10, CRKV-7]
seed: 3
settings:
  app:
    chatroom_multi_room: true
    chatroom_destroy_after: 10m
    chatroom_member_events: true
    chatroom_cloud_storage: true
    chatroom_kv: true
    chatroom_messages_per_second: 3
devices:
  a: { user: zhangsan }
steps:
  - join_chatroom: { device: a, room: r1 }
  - join_chatroom: { device: a, room: "", count: 60, auto_create: true }
  - leave_chatroom: { device: a, room: r1 }
  - chatroom_history: { device: a, room: r1, count: 20 }
  - chatroom_history: { device: a, room: r1, timestamp: 1700000000000, order: after, count: 0 }
  - kv_add: { device: a, room: r1, key: k, value: 1 }
  - kv_add: { device: a, room: r1, key: { repeat: ab, times: 3 }, value: "", delete_when_left: true, overwrite: true }
  - kv_add_many: { device: a, room: r1, entries: { k1: v1, k2: v2 }, overwrite: true }
  - kv_add_many: { device: a, room: r1, entries: {} }
  - kv_remove: { device: a, room: r1, key: k, force: true }
  - kv_remove_many: { device: a, room: r1, keys: [k1, k1, ""] }
  - create_chatroom: r1
  - destroy_chatroom: r1
  - chatroom_keep_alive: r1
  - chatroom_keep_alive: { room: r1, keep_alive: false }
  - chatroom_whitelist: { room: r1, users: [lisi, wangwu] }
  - chatroom_unwhitelist: { room: r1, users: [lisi] }
  - chatroom_message_whitelist: ["RC:TxtMsg"]
  - chatroom_low_priority: []
  - expect: { device: a, event: onChatRoomJoining, targetId: r1 }
  - expect: { device: a, event: onChatRoomJoined, code: 23410, targetId: r1 }
  - expect: { device: a, event: onChatRoomStatusChanged, targetId: r1, status: destroyAuto, within: 1h }
  - expect: { device: a, event: onChatRoomMemberChanged, targetId: r1, actions: { $contains: { userId: lisi, actionType: leave } } }
  - expect: { device: a, event: onChatRoomMessagesLoaded, code: 0, messages: [{ text: m1 }, { text: m2 }], syncTime: 1700000000001 }
  - expect: { device: a, event: onChatRoomEntriesAdded, code: 0, errorEntries: { $exactly: { k1: 23424 } } }
  - expect: { device: a, event: onChatRoomEntriesRemoved, keys: [k1, k2] }
  - expect: { device: a, event: onChatRoomEntriesChanged, operationType: remove, entries: { $exactly: { k: v } } }
  - expect: { device: a, no_event: onChatRoomEntriesChanged, roomId: r1, for: 5s }
  - expect: { device: a, event: onMessageReceived, message: { conversationType: chatroom, targetId: r1, text: hi } }
  - expect: { device: a, entries: { room: r1, entries: { k: "1" } } }
  - expect: { device: a, entries: { room: r1, key: k, value: v }, within: 2s }
  - expect: { device: a, entries: { room: r1, key: k, code: 23427 } }
  - expect: { device: a, entries: { room: r1, code: 34004 } }
  - expect: { device: a, call: joinChatRoom, code: -101 }
  - expect: { device: a, stored: { type: chatroom, target: r1, count: 3 } }
"#;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|&(key, value)| (key.to_owned(), value.to_owned())).collect()
}

fn call(line: u64, call: ChatroomCall) -> imsim_sim::scenario::Step {
    step(line, 5, StepKind::Chatroom { device: "a".into(), call })
}

fn admin(line: u64, admin: ChatroomAdmin) -> imsim_sim::scenario::Step {
    step(line, 5, StepKind::ChatroomAdmin(admin))
}

#[test]
fn the_chatroom_forms_become_the_exact_model() {
    let scenario = parse(CHATROOMS).expect("valid");
    let app = &scenario.settings.app;
    assert!(app.chatroom_multi_room && app.chatroom_member_events && app.chatroom_cloud_storage && app.chatroom_kv);
    assert_eq!(app.chatroom_destroy_after, Duration::from_secs(600));
    assert_eq!(app.chatroom_messages_per_second, 3);
    let r1 = || "r1".to_owned();
    let expected = vec![
        call(15, ChatroomCall::Join { room: r1(), count: -1, auto_create: false }),
        call(16, ChatroomCall::Join { room: String::new(), count: 60, auto_create: true }),
        call(17, ChatroomCall::Leave { room: r1() }),
        call(
            18,
            ChatroomCall::History {
                room: r1(),
                timestamp: HistoryFrom::Timestamp(0),
                order: TimeOrder::Before,
                count: 20,
            },
        ),
        call(
            19,
            ChatroomCall::History {
                room: r1(),
                timestamp: HistoryFrom::Timestamp(1_700_000_000_000),
                order: TimeOrder::After,
                count: 0,
            },
        ),
        call(
            20,
            ChatroomCall::AddEntry {
                room: r1(),
                key: "k".into(),
                value: "1".into(),
                delete_when_left: false,
                overwrite: false,
            },
        ),
        call(
            21,
            ChatroomCall::AddEntry {
                room: r1(),
                key: "ababab".into(),
                value: String::new(),
                delete_when_left: true,
                overwrite: true,
            },
        ),
        call(
            22,
            ChatroomCall::AddEntries {
                room: r1(),
                entries: map(&[("k1", "v1"), ("k2", "v2")]),
                delete_when_left: false,
                overwrite: true,
            },
        ),
        call(
            23,
            ChatroomCall::AddEntries {
                room: r1(),
                entries: BTreeMap::new(),
                delete_when_left: false,
                overwrite: false,
            },
        ),
        call(24, ChatroomCall::RemoveEntry { room: r1(), key: "k".into(), force: true }),
        call(25, ChatroomCall::RemoveEntries { room: r1(), keys: strings(&["k1", "k1", ""]), force: false }),
        admin(26, ChatroomAdmin::Create { room: r1() }),
        admin(27, ChatroomAdmin::Destroy { room: r1() }),
        admin(28, ChatroomAdmin::KeepAlive { room: r1(), keep_alive: true }),
        admin(29, ChatroomAdmin::KeepAlive { room: r1(), keep_alive: false }),
        admin(30, ChatroomAdmin::Whitelist { room: r1(), users: strings(&["lisi", "wangwu"]) }),
        admin(31, ChatroomAdmin::Unwhitelist { room: r1(), users: strings(&["lisi"]) }),
        admin(32, ChatroomAdmin::MessageWhitelist { object_names: strings(&["RC:TxtMsg"]) }),
        admin(33, ChatroomAdmin::LowPriority { object_names: Vec::new() }),
        step(34, 5, expect("a", 10_000, event("onChatRoomJoining", &[("targetId", scalar("r1"))]))),
        step(
            35,
            5,
            expect("a", 10_000, event("onChatRoomJoined", &[("code", scalar("23410")), ("targetId", scalar("r1"))])),
        ),
        step(
            36,
            5,
            expect(
                "a",
                3_600_000,
                event("onChatRoomStatusChanged", &[("targetId", scalar("r1")), ("status", scalar("destroyAuto"))]),
            ),
        ),
        step(
            37,
            5,
            expect(
                "a",
                10_000,
                event(
                    "onChatRoomMemberChanged",
                    &[
                        ("targetId", scalar("r1")),
                        (
                            "actions",
                            Pattern::Contains(Box::new(fields(&[
                                ("userId", scalar("lisi")),
                                ("actionType", scalar("leave")),
                            ]))),
                        ),
                    ],
                ),
            ),
        ),
        step(
            38,
            5,
            expect(
                "a",
                10_000,
                event(
                    "onChatRoomMessagesLoaded",
                    &[
                        ("code", scalar("0")),
                        (
                            "messages",
                            Pattern::List(vec![fields(&[("text", scalar("m1"))]), fields(&[("text", scalar("m2"))])]),
                        ),
                        ("syncTime", scalar("1700000000001")),
                    ],
                ),
            ),
        ),
        step(
            39,
            5,
            expect(
                "a",
                10_000,
                event(
                    "onChatRoomEntriesAdded",
                    &[("code", scalar("0")), ("errorEntries", Pattern::Exactly(serde_json::json!({ "k1": 23424 })))],
                ),
            ),
        ),
        step(40, 5, expect("a", 10_000, event("onChatRoomEntriesRemoved", &[("keys", list(&["k1", "k2"]))]))),
        step(
            41,
            5,
            expect(
                "a",
                10_000,
                event(
                    "onChatRoomEntriesChanged",
                    &[
                        ("operationType", scalar("remove")),
                        ("entries", Pattern::Exactly(serde_json::json!({ "k": "v" }))),
                    ],
                ),
            ),
        ),
        step(42, 5, no_event("a", 5_000, "onChatRoomEntriesChanged", &[("roomId", scalar("r1"))])),
        step(
            43,
            5,
            expect(
                "a",
                10_000,
                event(
                    "onMessageReceived",
                    &[(
                        "message",
                        fields(&[
                            ("conversationType", scalar("chatroom")),
                            ("targetId", scalar("r1")),
                            ("text", scalar("hi")),
                        ]),
                    )],
                ),
            ),
        ),
        step(44, 5, expect("a", 10_000, Check::Entries { room: r1(), read: EntriesRead::All(map(&[("k", "1")])) })),
        step(
            45,
            5,
            expect(
                "a",
                2_000,
                Check::Entries { room: r1(), read: EntriesRead::Entry { key: "k".into(), value: "v".into() } },
            ),
        ),
        step(
            46,
            5,
            expect(
                "a",
                10_000,
                Check::Entries { room: r1(), read: EntriesRead::Fails { key: Some("k".into()), code: 23427 } },
            ),
        ),
        step(
            47,
            5,
            expect("a", 10_000, Check::Entries { room: r1(), read: EntriesRead::Fails { key: None, code: 34004 } }),
        ),
        step(48, 5, expect("a", 10_000, Check::Call { method: "joinChatRoom", code: -101 })),
        step(
            49,
            5,
            expect(
                "a",
                10_000,
                Check::Stored {
                    conversation_type: imsim_engine::types::ConversationType::Chatroom,
                    target_id: r1(),
                    contents: imsim_sim::scenario::StoredContents::Count(3),
                },
            ),
        ),
    ];
    for (i, (actual, expected)) in scenario.steps.iter().zip(&expected).enumerate() {
        assert_eq!(actual, expected, "step {i}");
    }
    assert_eq!(scenario.steps.len(), expected.len());
}

#[test]
fn the_chatroom_forms_describe_themselves_on_one_line() {
    let scenario = parse(CHATROOMS).expect("valid");
    let lines: Vec<String> = scenario.steps.iter().map(|step| step.describe()).collect();
    let expected = [
        r#"join_chatroom a "r1" count=-1 auto_create=false"#,
        r#"join_chatroom a "" count=60 auto_create=true"#,
        r#"leave_chatroom a "r1""#,
        r#"chatroom_history a "r1" timestamp=0 order=before count=20"#,
        r#"chatroom_history a "r1" timestamp=1700000000000 order=after count=0"#,
        r#"kv_add a "r1" "k"="1" delete_when_left=false overwrite=false"#,
        r#"kv_add a "r1" "ababab"="" delete_when_left=true overwrite=true"#,
        r#"kv_add_many a "r1" {"k1": "v1", "k2": "v2"} delete_when_left=false overwrite=true"#,
        r#"kv_add_many a "r1" {} delete_when_left=false overwrite=false"#,
        r#"kv_remove a "r1" "k" force=true"#,
        r#"kv_remove_many a "r1" ["k1", "k1", ""] force=false"#,
        "create_chatroom r1",
        "destroy_chatroom r1",
        "chatroom_keep_alive r1 true",
        "chatroom_keep_alive r1 false",
        "chatroom_whitelist r1 [lisi, wangwu]",
        "chatroom_unwhitelist r1 [lisi]",
        "chatroom_message_whitelist [RC:TxtMsg]",
        "chatroom_low_priority []",
        r#"expect a event onChatRoomJoining {targetId: "r1"} within=10s"#,
        r#"expect a event onChatRoomJoined {code: 23410, targetId: "r1"} within=10s"#,
        r#"expect a event onChatRoomStatusChanged {targetId: "r1", status: "destroyAuto"} within=1h"#,
        r#"expect a event onChatRoomMemberChanged {targetId: "r1", actions: {$contains: {userId: "lisi", actionType: "leave"}}} within=10s"#,
        r#"expect a event onChatRoomMessagesLoaded {code: 0, messages: [{text: "m1"}, {text: "m2"}], syncTime: 1700000000001} within=10s"#,
        "expect a event onChatRoomEntriesAdded {code: 0, errorEntries: {$exactly: {k1: 23424}}} within=10s",
        r#"expect a event onChatRoomEntriesRemoved {keys: ["k1", "k2"]} within=10s"#,
        r#"expect a event onChatRoomEntriesChanged {operationType: "remove", entries: {$exactly: {k: "v"}}} within=10s"#,
        r#"expect a no_event onChatRoomEntriesChanged {roomId: "r1"} for=5s"#,
        r#"expect a event onMessageReceived {message: {conversationType: "chatroom", targetId: "r1", text: "hi"}} within=10s"#,
        r#"expect a entries "r1" all={"k": "1"} within=10s"#,
        r#"expect a entries "r1" key="k" value="v" within=2s"#,
        r#"expect a entries "r1" key="k" code=23427 within=10s"#,
        r#"expect a entries "r1" all code=34004 within=10s"#,
        "expect a call joinChatRoom code=-101 within=10s",
        "expect a stored chatroom:r1 count=3 within=10s",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn a_long_text_is_shown_by_its_start_and_length() {
    let scenario = parse(
        "name: n\nrules: [CRKV-5]\nseed: 1\ndevices: { a: { user: u } }\nsteps:\n  - kv_add: { device: a, room: r, \
         key: k, value: { repeat: x, times: 4097 } }\n",
    )
    .expect("valid");
    assert_eq!(
        scenario.steps[0].describe(),
        r#"kv_add a "r" "k"="xxxxxxxxxxxxxxxx"...(4097 chars) delete_when_left=false overwrite=false"#
    );
}

#[test]
fn the_chatroom_forms_check_their_values() {
    let cases = [
        ("join_chatroom: a", 6, 20, "join_chatroom: expected a mapping like { device: a, room: r1, count: 10 }"),
        ("join_chatroom: { device: a }", 6, 20, r#"missing required field "room" in join_chatroom"#),
        ("join_chatroom: { device: b, room: r }", 6, 30, r#"join_chatroom.device: unknown device "b""#),
        ("join_chatroom: { device: a, room: r, count: 1.5 }", 6, 49, "join_chatroom.count: expected an integer"),
        ("join_chatroom: { device: a, room: r, count: 2147483648 }", 6, 49, "join_chatroom.count: 2147483648 is out"),
        ("join_chatroom: { device: a, room: r, auto_create: 1 }", 6, 55, "join_chatroom.auto_create: expected true"),
        ("join_chatroom: { device: a, room: [r] }", 6, 39, "join_chatroom.room: expected a string"),
        ("leave_chatroom: { device: a, room: r, count: 1 }", 6, 43, r#"unknown field "count" in leave_chatroom"#),
        ("chatroom_history: { device: a, room: r }", 6, 23, r#"missing required field "count" in chatroom_history"#),
        (
            "chatroom_history: { device: a, room: r, count: 5, order: newest }",
            6,
            62,
            r#"chatroom_history.order: unknown value "newest"; expected one of before, after"#,
        ),
        ("chatroom_history: { device: a, room: r, count: 5, timestamp: 1s }", 6, 66, "chatroom_history.timestamp"),
        ("kv_add: { device: a, room: r, key: k }", 6, 13, r#"missing required field "value" in kv_add"#),
        ("kv_add: { device: a, room: r, key: k, value: [v] }", 6, 50, "kv_add.value: expected a string"),
        ("kv_add: { device: a, room: r, key: { repeat: k }, value: v }", 6, 40, r#"missing required field "times""#),
        (
            "kv_add: { device: a, room: r, key: k, value: { repeat: v, times: -1 } }",
            6,
            70,
            "kv_add.value.times: -1 is out of range",
        ),
        ("kv_add: { device: a, room: r, key: k, value: v, force: true }", 6, 53, r#"unknown field "force" in kv_add"#),
        ("kv_add_many: { device: a, room: r, entries: [k] }", 6, 49, "kv_add_many.entries: expected a mapping of keys"),
        ("kv_add_many: { device: a, room: r, entries: { k: v, k: w } }", 6, 57, r#"duplicate key "k""#),
        ("kv_add_many: { device: a, room: r, entries: { k: [v] } }", 6, 54, "kv_add_many.entries.k: expected a string"),
        ("kv_remove: { device: a, room: r, key: k, force: yes }", 6, 53, "kv_remove.force: expected true or false"),
        ("kv_remove_many: { device: a, room: r, keys: k }", 6, 49, "kv_remove_many.keys: expected a list of keys"),
        ("create_chatroom: ''", 6, 22, "create_chatroom: must not be empty"),
        ("destroy_chatroom: { room: r }", 6, 23, "destroy_chatroom: expected a string, found a mapping"),
        ("chatroom_keep_alive: [r]", 6, 26, "chatroom_keep_alive: expected a room ID or a mapping"),
        ("chatroom_keep_alive: { room: r, keep_alive: no }", 6, 49, "chatroom_keep_alive.keep_alive: expected true"),
        ("chatroom_whitelist: { room: r, users: [] }", 6, 43, "chatroom_whitelist.users: list at least one user ID"),
        ("chatroom_unwhitelist: { room: r, users: [v, v] }", 6, 49, "chatroom_unwhitelist.users: v is listed twice"),
        ("chatroom_message_whitelist: RC:TxtMsg", 6, 33, "chatroom_message_whitelist: expected a list of message"),
        ("chatroom_low_priority: [a, '']", 6, 32, "chatroom_low_priority: must not be empty"),
        ("chatroom_low_priority: [a, a]", 6, 32, "chatroom_low_priority: a is listed twice"),
        (
            "expect: { device: a, event: onChatRoomJoined, key: k }",
            6,
            51,
            r#""key" is not a parameter of onChatRoomJoined"#,
        ),
        (
            "expect: { device: a, event: onChatRoomStatusChanged, status: destroyed }",
            6,
            66,
            r#"expect.status: unknown value "destroyed""#,
        ),
        (
            "expect: { device: a, event: onChatRoomMemberChanged, actions: { $contains: { actionType: joined } } }",
            6,
            94,
            r#"expect.actions ($contains).actionType: unknown value "joined""#,
        ),
        (
            "expect: { device: a, event: onChatRoomMessagesLoaded, messages: hi }",
            6,
            69,
            "expect.messages: expected a list",
        ),
        (
            "expect: { device: a, event: onChatRoomMessagesLoaded, syncTime: x }",
            6,
            69,
            "expect.syncTime: expected an integer",
        ),
        (
            "expect: { device: a, event: onChatRoomEntriesAdded, errorEntries: [k] }",
            6,
            71,
            "expect.errorEntries: expected a mapping",
        ),
        (
            "expect: { device: a, event: onChatRoomEntriesAdded, errorEntries: { k: x } }",
            6,
            76,
            "expect.errorEntries.k: expected an integer",
        ),
        (
            "expect: { device: a, event: onChatRoomEntriesChanged, operationType: set }",
            6,
            74,
            "expected one of update, remove",
        ),
        (
            "expect: { device: a, event: onConnected, targetId: r }",
            6,
            46,
            r#""targetId" is not a parameter of onConnected"#,
        ),
        ("expect: { device: a, entries: { room: r } }", 6, 35, "expect.entries needs entries, value or code"),
        ("expect: { device: a, entries: { room: r, value: v } }", 6, 46, r#"field "value" needs `key`"#),
        ("expect: { device: a, entries: { room: r, key: k, entries: {} } }", 6, 46, r#"field "key" does not apply"#),
        ("expect: { device: a, entries: { room: r, code: 1, value: v } }", 6, 55, "has both code and value"),
        ("expect: { device: a, entries: { key: k, code: 1 } }", 6, 35, r#"missing required field "room""#),
        ("expect: { device: a, entries: { room: r, code: 1 }, key: k }", 6, 57, r#"unknown field "key" in expect"#),
        ("expect: { device: a, call: joinChatRoom }", 6, 26, "a call check needs `code`"),
        (
            "expect: { device: a, call: kv_add, code: 0 }",
            6,
            32,
            r#"expect.call: unknown method "kv_add" (name the method the step calls, not the step)"#,
        ),
        ("expect: { device: a, call: join, code: 0 }", 6, 32, r#"expect.call: unknown method "join"; expected one of"#),
        ("expect: { device: a, call: addChatRoomEntry, code: 0, key: k }", 6, 59, r#"unknown field "key" in expect"#),
        (
            "expect: { device: a, call: addChatRoomEntry, stored: { target: r, count: 1 }, code: 0 }",
            6,
            50,
            "two checks, call and",
        ),
    ];
    assert_step_errors("CR-10", "{ a: { user: u } }", &cases);
}

#[test]
fn the_chatroom_settings_check_their_values() {
    let app = |yaml: &str| {
        let text =
            "name: n\nrules: [CR-4]\nseed: 1\nsettings:\n  app: { YAML }\ndevices: { a: { user: u } }\nsteps: []\n";
        parse(&text.replace("YAML", yaml)).map(|scenario| scenario.settings.app)
    };
    assert_eq!(app("chatroom_destroy_after: 24h").map(|a| a.chatroom_destroy_after), Ok(Duration::from_secs(86_400)));
    assert_eq!(app("chatroom_destroy_after: 1ms").map(|a| a.chatroom_destroy_after), Ok(Duration::from_millis(1)));
    assert_eq!(
        app("chatroom_join_message_types: [RC:TxtMsg, App:Gift]").map(|a| a.chatroom_join_message_types),
        Ok(Some(strings(&["RC:TxtMsg", "App:Gift"])))
    );
    assert_eq!(app("chatroom_kv: true").map(|a| a.chatroom_join_message_types), Ok(None));
    assert_eq!(app("chatroom_realtime_eviction: true").map(|a| a.chatroom_realtime_eviction), Ok(true));
    let cases = [
        (
            "chatroom_destroy_after: 0s",
            34,
            "settings.app.chatroom_destroy_after: 0s is too short; expected 1ms or more",
        ),
        (
            "chatroom_destroy_after: 25h",
            34,
            "settings.app.chatroom_destroy_after: 25h is too long; expected 24h or less",
        ),
        ("chatroom_destroy_after: 1", 34, r#"invalid duration "1" (no unit)"#),
        ("chatroom_messages_per_second: 0", 40, "settings.app.chatroom_messages_per_second: 0 is out of range"),
        ("chatroom_kv: on", 23, "settings.app.chatroom_kv: expected true or false"),
        (
            "chatroom_join_message_types: [App:Gift, App:Gift]",
            50,
            "settings.app.chatroom_join_message_types: App:Gift is listed twice",
        ),
        ("chatroom_join_message_types: App:Gift", 39, "a list of message object names"),
        ("chatroom_multi_rooms: true", 10, r#"unknown field "chatroom_multi_rooms" in settings.app"#),
    ];
    for (yaml, column, phrase) in cases {
        let error = app(yaml).expect_err(yaml);
        assert_eq!((error.line, error.column), (5, column), "{yaml}: {error}");
        assert!(error.message.contains(phrase), "{yaml}: {error}");
    }
}
