//! Defaults, settings that set some fields only, and how values (durations, scalars, rule IDs) are read.

use std::time::Duration;

use imsim_engine::types::{ConversationType, MessageContent, Platform};
use imsim_sim::scenario::{
    AppSettings, Check, RuleId, SEND_COUNT_MAX, Settings, StepKind, StoredContents, TokenChoice, format_duration,
    numbered_text,
};

use crate::{device, event, expect, parse, strings};

#[test]
fn defaults_are_filled_in() {
    let scenario = parse(
        "name: defaults\nrules: [CONN-16]\nseed: 0\ndevices:\n  a: { user: u }\nsteps:\n  - connect: { device: a }\n  \
         - send: { device: a, to: v, text: '' }\n  - disconnect: { device: a }\n  \
         - expect: { device: a, event: onConnected }\n  - expect: { device: a, stored: { target: v, messages: [] } }\n",
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
                keep_as: None,
            },
            StepKind::Disconnect { device: "a".into(), receive_push: true },
            expect("a", 10_000, event("onConnected", &[])),
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
                keep_as: None,
            },
            StepKind::MuteAll { group: "g".into(), whitelist: vec![] },
            StepKind::ServerSend {
                from: "admin".into(),
                to: "u".into(),
                conversation_type: ConversationType::Private,
                content: MessageContent::Text { text: String::new() },
                persisted: true,
                counted: true,
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
    // OFFLINE-7: groupOfflineMaxCount is unset (every message kept) unless given, and then 1 to 10,000.
    let cap = |yaml: &str| {
        parse(&format!(
            "name: n\nrules: [OFFLINE-7]\nseed: 1\nsettings: {{ app: {yaml} }}\ndevices: {{ a: {{ user: u }} }}\n\
             steps: []\n"
        ))
        .map(|scenario| scenario.settings.app.group_offline_max_count)
        .map_err(|error| error.message)
    };
    assert_eq!(cap("{}"), Ok(None));
    assert_eq!(cap("{ group_offline_max_count: 1 }"), Ok(Some(1)));
    assert_eq!(cap("{ group_offline_max_count: 10000 }"), Ok(Some(10_000)));
    for refused in ["0", "10001", "-1"] {
        let message = cap(&format!("{{ group_offline_max_count: {refused} }}")).expect_err(refused);
        assert!(
            message.ends_with("expected an integer from 1 to 10000 (OFFLINE-7; leave it out to keep all)"),
            "{message}"
        );
    }
}

#[test]
fn numbered_texts_replace_every_n() {
    assert_eq!(numbered_text("m{n}", 1), "m1");
    assert_eq!(numbered_text("{n}/{n} {m} {{n}}", 450), "450/450 {m} {450}");
    assert_eq!(numbered_text("hello", 7), "hello");
    assert_eq!(SEND_COUNT_MAX, 100_000);
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
