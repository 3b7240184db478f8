//! A valid file with every step form, every event and every check becomes the exact model, and each step describes
//! itself on one canonical line.

use std::path::PathBuf;
use std::time::Duration;

use imsim_engine::types::{ConnectionStatus, ConversationType, MessageContent, MessageDirection, Platform, SentStatus};
use imsim_sim::scenario::{
    AppSettings, Check, DeviceSpec, Endpoint, RuleId, Scenario, Settings, Step, StepKind, StoredContents,
    StoredPattern, TokenChoice,
};

use crate::{FULL, device, endpoint, event, expect, fields, list, no_event, parse, scalar, step, strings, text};

#[test]
fn a_full_scenario_becomes_the_exact_model() {
    let rules = ["SEND-4", "SEND-5", "RECV-1"].map(|id| RuleId::new(id).expect("in the spec")).to_vec();
    let received = event(
        "onMessageReceived",
        &[
            ("left", scalar("0")),
            ("offline", scalar("false")),
            ("hasPackage", scalar("false")),
            (
                "message",
                fields(&[
                    ("text", scalar("hello")),
                    ("senderUserId", scalar("zhangsan")),
                    ("sentStatus", scalar("sent")),
                ]),
            ),
        ],
    );
    let sent = event(
        "onMessageSent",
        &[("code", scalar("0")), ("message", fields(&[("text", scalar("hello")), ("sentStatus", scalar("sent"))]))],
    );
    let attached = event(
        "onMessageAttached",
        &[("message", fields(&[("text", scalar("hi")), ("sentStatus", scalar("sending"))]))],
    );
    let expected = Scenario {
        path: PathBuf::from("test.yaml"),
        name: "private text both ways".to_owned(),
        rules,
        partial: Vec::new(),
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
                group_offline_max_count: None,
                send_rate_limit: 5,
                chatroom_multi_room: false,
                chatroom_destroy_after: Duration::from_secs(3600),
                chatroom_member_events: false,
                chatroom_cloud_storage: false,
                chatroom_kv: false,
                chatroom_messages_per_second: 100,
                chatroom_join_message_types: None,
                chatroom_realtime_eviction: false,
                chatroom_status_callback: false,
                chatroom_kv_callback: false,
                push_service: false,
                cloud_storage: false,
                delete_compensation_on_timestamp_delete: false,
                recall_own_only: false,
                directed_message_cloud_storage: false,
                group_pre_join_history: false,
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
                    keep_as: None,
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
                    keep_as: None,
                },
            ),
            step(33, 5, StepKind::Advance(Duration::from_millis(1500))),
            step(34, 5, StepKind::Partition(endpoint("a"), Endpoint::Server)),
            step(35, 5, StepKind::Repair(Endpoint::Server, endpoint("a"))),
            step(36, 5, StepKind::Partition(endpoint("a"), endpoint("b"))),
            step(37, 5, StepKind::RevokeTokens { user: "zhangsan".into() }),
            step(38, 5, expect("b", 5_000, received)),
            step(39, 5, expect("a", 10_000, sent)),
            step(40, 5, expect("a", 10_000, event("onConnected", &[("code", scalar("31004"))]))),
            step(41, 5, expect("a", 10_000, event("onDatabaseOpened", &[("code", scalar("0"))]))),
            step(42, 5, expect("a", 10_000, event("onConnectionStatusChanged", &[("status", scalar("connecting"))]))),
            step(43, 5, expect("a", 10_000, attached)),
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
            step(63, 5, no_event("a", 5_000, "onConnected", &[])),
            step(
                64,
                5,
                no_event(
                    "b",
                    1_500,
                    "onMessageReceived",
                    &[("message", fields(&[("text", scalar("hi")), ("senderUserId", scalar("zhangsan"))]))],
                ),
            ),
            step(65, 5, no_event("a", 60_000, "onConnectionStatusChanged", &[("status", scalar("connected"))])),
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
                    keep_as: None,
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
                    keep_as: None,
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
                    content: MessageContent::Text { text: "hi".into() },
                    persisted: true,
                    counted: true,
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
                    content: MessageContent::Text { text: "all".into() },
                    persisted: true,
                    counted: true,
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
                    content: MessageContent::Text { text: "sys".into() },
                    persisted: true,
                    counted: true,
                    verify_blacklist: false,
                },
            ),
            step(
                86,
                5,
                expect("a", 10_000, event("onBlacklistAdded", &[("code", scalar("0")), ("userId", scalar("lisi"))])),
            ),
            step(
                87,
                5,
                expect("a", 10_000, event("onBlacklistRemoved", &[("code", scalar("0")), ("userId", text(""))])),
            ),
            step(
                88,
                5,
                expect(
                    "b",
                    10_000,
                    event(
                        "onBlacklistStatusLoaded",
                        &[("code", scalar("0")), ("userId", scalar("wangwu")), ("status", scalar("notInBlacklist"))],
                    ),
                ),
            ),
            step(
                89,
                5,
                expect(
                    "a-2",
                    10_000,
                    event("onBlacklistLoaded", &[("code", scalar("0")), ("userIds", list(&["lisi", "wangwu"]))]),
                ),
            ),
            step(90, 5, expect("a-2", 10_000, event("onBlacklistLoaded", &[("userIds", list(&[]))]))),
            step(91, 5, no_event("a", 1_000, "onBlacklistStatusLoaded", &[("status", scalar("inBlacklist"))])),
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
            r#"expect b event onMessageReceived {left: 0, offline: false, hasPackage: false, message: {text: "hello", senderUserId: "zhangsan", sentStatus: "sent"}} within=5s"#,
            r#"expect a event onMessageSent {code: 0, message: {text: "hello", sentStatus: "sent"}} within=10s"#,
            "expect a event onConnected {code: 31004} within=10s",
            "expect a event onDatabaseOpened {code: 0} within=10s",
            r#"expect a event onConnectionStatusChanged {status: "connecting"} within=10s"#,
            r#"expect a event onMessageAttached {message: {text: "hi", sentStatus: "sending"}} within=10s"#,
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
            "expect a no_event onConnected any for=5s",
            r#"expect b no_event onMessageReceived {message: {text: "hi", senderUserId: "zhangsan"}} for=1500ms"#,
            r#"expect a no_event onConnectionStatusChanged {status: "connected"} for=1m"#,
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
            r#"expect a event onBlacklistAdded {code: 0, userId: "lisi"} within=10s"#,
            r#"expect a event onBlacklistRemoved {code: 0, userId: ""} within=10s"#,
            r#"expect b event onBlacklistStatusLoaded {code: 0, userId: "wangwu", status: "notInBlacklist"} within=10s"#,
            r#"expect a-2 event onBlacklistLoaded {code: 0, userIds: ["lisi", "wangwu"]} within=10s"#,
            "expect a-2 event onBlacklistLoaded {userIds: []} within=10s",
            r#"expect a no_event onBlacklistStatusLoaded {status: "inBlacklist"} for=1s"#,
            "expect a stored private:lisi count=450 within=1m",
            "expect b stored group:g1 count=0 within=10s",
            "expect b unread private:zhangsan count=3 within=10s",
            "expect b unread group:g1 count=0 within=10s",
            "expect b unread total=5 within=2s",
        ]
    );
}

#[test]
fn users_are_distinct_and_in_device_order() {
    let scenario = parse(FULL).expect("valid");
    assert_eq!(scenario.users(), ["lisi", "zhangsan"]);
    assert_eq!(scenario.device("a-2").map(|d| d.platform), Some(Platform::MiniProgram));
    assert_eq!(scenario.device("server"), None);
}
