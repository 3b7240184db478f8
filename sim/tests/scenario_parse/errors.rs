//! Errors: inline bad steps with their exact place and message, error display, deep nesting, and one error per
//! bad fixture in fixtures/bad-scenarios.

use std::path::{Path, PathBuf};

use imsim_sim::scenario::{StepKind, load_scenario, parse_scenario};

use crate::{assert_step_errors, parse};

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
        ("expect: { device: a, no_event: onConnected, for: 0s }", 6, 54, "expect.for: 0s is too short"),
        ("listener: { device: a, name: onKicked, set: false }", 6, 34, r#"listener.name: unknown listener "onKicked""#),
        ("create: { device: a, app_key: '' }", 6, 35, "create.app_key: must not be empty"),
        ("create: a", 6, 13, "create: expected a mapping"),
        ("listener: { device: a, name: onConnected }", 6, 15, r#"missing required field "set" in listener"#),
        (
            "expect: { device: a, no_event: kicked, for: 1s }",
            6,
            36,
            r#"expect.no_event: unknown listener "kicked"; the"#,
        ),
        (
            "expect: { device: a, no_event: onConnected, event: onConnected, for: 1s }",
            6,
            49,
            "expect has both no_event and event",
        ),
        ("expect: { device: a, status: connected, for: 1s }", 6, 45, r#"field "for" only applies to a no_event check"#),
        (
            "expect: { device: a, event: onChatRoomEntriesAdded, entries: { $keys: k } }",
            6,
            75,
            "$keys: expected a list of key names",
        ),
        (
            "expect: { device: a, event: onChatRoomEntriesAdded, entries: { $keys: [{ k: v }] } }",
            6,
            76,
            "$keys: expected plain key names",
        ),
        (
            "expect: { device: a, for: 1s }",
            6,
            13,
            "expect needs a check: one of event, no_event, status, stored, unread, entries or call",
        ),
    ];
    for (yaml, line, column, phrase) in cases {
        let error = first_step(yaml).expect_err(yaml);
        assert_eq!((error.line, error.column), (line, column), "{yaml}: {error}");
        assert!(error.message.contains(phrase), "{yaml}: {error}");
    }
}

#[test]
fn the_blacklist_group_and_server_steps_check_their_values() {
    let cases = [
        ("send: { device: a, to: v, text: t, count: 100001 }", 6, 47, "send.count: 100001 is out of range"),
        ("send: { device: a, to: v, text: t, count: -1 }", 6, 47, "send.count: -1 is out of range"),
        ("send: { device: a, to: v, text: t, count: '3' }", 6, 47, "send.count: expected an integer from 1 to 100000"),
        ("send: { device: a, to: v, text: t, as: my-m }", 6, 44, "send.as: \"my-m\" is not a name; use letters"),
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
        ("server_send: { from: admin, to: v }", 6, 18, "server_send needs a `text` or a `content`"),
        ("server_send: { from: a, to: v, text: t, content: {} }", 6, 45, "takes a `text` or a `content`, not both"),
        (
            "server_send: { from: a, to: v, content: { messageType: nope } }",
            6,
            60,
            "server_send.content: unknown variant `nope`",
        ),
        ("server_send: { from: a, to: v, text: t, counted: 1 }", 6, 54, "expected true or false"),
        ("server_broadcast: { from: a }", 6, 23, "server_broadcast needs a `text` or a `content`"),
        ("server_broadcast: { from: a, to: v, text: t }", 6, 34, "unknown field \"to\""),
        ("server_send: { from: '', to: v, text: t }", 6, 26, "server_send.from: must not be empty"),
        ("server_send: { from: s, to: v, text: t, verify_blacklist: 1 }", 6, 63, "expected true or false"),
        (
            "server_send: { from: s, to: v, type: system, text: t, verify_blacklist: false }",
            6,
            59,
            r#"field "verify_blacklist" only applies to a private message (BLACK-4)"#,
        ),
        (
            "expect: { device: a, event: onBlacklistAdded, status: unknown }",
            6,
            51,
            "expect has two checks, event and status",
        ),
        (
            "expect: { device: a, event: onBlacklistLoaded, userId: v }",
            6,
            52,
            r#""userId" is not a parameter of onBlacklistLoaded"#,
        ),
        (
            "expect: { device: a, event: onBlacklistLoaded, userIds: [[v]] }",
            6,
            62,
            "expect.userIds.0: expected a string, found a sequence",
        ),
        ("expect: { device: a, status: connected, users: [] }", 6, 45, r#"unknown field "users" in expect"#),
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
            r#"field "code" does not apply to the unread check"#,
        ),
    ];
    assert_step_errors("BLACK-5", "{ a: { user: u } }", &cases);
}

#[test]
fn errors_display_as_path_line_column_message() {
    let error = parse_scenario(Path::new("dir/s.yaml"), "name: n\nbogus: 1\n").expect_err("unknown key");
    assert_eq!(
        error.to_string(),
        "dir/s.yaml:2:1: unknown field \"bogus\" at the top level; expected one of name, rules, partial, seed, \
         settings, devices, steps"
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
    ("blacklist-status-bad-name.yaml", 10, 75, r#"expect.status: unknown value "inblacklist""#),
    ("blacklist-unknown-device.yaml", 9, 30, r#"blacklist_add.device: unknown device "c"; declared devices are a, b"#),
    ("blacklist-users-not-a-list.yaml", 9, 70, r#"expect.userIds: expected a list, found string "lisi""#),
    (
        "call-check-unknown-step.yaml",
        7,
        32,
        r#"expect.call: unknown method "join_chatroom" (name the method the step calls, not the step); expected one of connect, disconnect,"#,
    ),
    ("call-check-without-code.yaml", 8, 26, "a call check needs `code`, the call's return code"),
    (
        "call-callback-without-listener.yaml",
        7,
        104,
        "call.callback: createTextMessage answers through no listener, so it takes no callback (CALL-4)",
    ),
    (
        "call-unknown-method.yaml",
        7,
        32,
        r#"call.method: unknown method "joinChatroom" (names are case-sensitive: did you mean joinChatRoom?); the API table has connect,"#,
    ),
    (
        "call-missing-parameter.yaml",
        8,
        7,
        "call joinChatRoom: missing field `messageCount`; joinChatRoom takes targetId, messageCount, autoCreate",
    ),
    (
        "call-mistyped-parameter.yaml",
        7,
        74,
        r#"call joinChatRoom: invalid type: string "ten", expected i32; joinChatRoom takes targetId, messageCount, autoCreate"#,
    ),
    (
        "call-unknown-parameter.yaml",
        7,
        61,
        "call leaveChatRoom: unknown field `room`, expected `targetId`; leaveChatRoom takes targetId",
    ),
    ("expect-unknown-listener-field.yaml", 7, 60, r#""room" is not a parameter of onChatRoomJoined"#),
    (
        "chatroom-destroy-after-too-long.yaml",
        6,
        29,
        "settings.app.chatroom_destroy_after: 25h is too long; expected 24h or less (CR-4)",
    ),
    (
        "chatroom-history-bad-order.yaml",
        11,
        14,
        r#"chatroom_history.order: unknown value "newest"; expected one of before, after"#,
    ),
    ("chatroom-history-without-count.yaml", 8, 23, r#"missing required field "count" in chatroom_history"#),
    (
        "chatroom-messages-per-second-zero.yaml",
        5,
        59,
        "settings.app.chatroom_messages_per_second: 0 is out of range; expected an integer from 1",
    ),
    ("chatroom-status-bad-name.yaml", 7, 80, r#"expect.status: unknown value "destroyed""#),
    ("chatroom-ban-without-duration.yaml", 8, 19, r#"missing required field "duration" in chatroom_ban"#),
    ("chatroom-broadcast-without-text.yaml", 7, 25, r#"missing required field "text" in chatroom_broadcast"#),
    ("chatroom-global-mute-with-room.yaml", 7, 29, r#"unknown field "room" in chatroom_global_mute"#),
    ("chatroom-mute-zero-duration.yaml", 8, 57, "chatroom_mute.duration: 0s is too short; expected 1ms or more"),
    ("chatroom-whitelist-twice.yaml", 8, 61, "chatroom_whitelist.users: lisi is listed twice"),
    ("chatroom-kv-callback-not-bool.yaml", 5, 32, "settings.app.chatroom_kv_callback: expected true or false"),
    ("latency-too-long.yaml", 7, 49, "latency: max 2h is more than the 1m a link may take"),
    (
        "server-callback-with-device.yaml",
        7,
        52,
        r#"field "device" does not apply to a server_callback check: callbacks go to the app's own server"#,
    ),
    (
        "server-callback-unknown-kind.yaml",
        7,
        32,
        r#"expect.server_callback: unknown value "memberLeft"; expected one of chatroomCreated, chatroomDestroyed,"#,
    ),
    ("no-server-callback-without-for.yaml", 7, 15, "no_server_callback needs `for`"),
    (
        "server-callback-field-not-applicable.yaml",
        7,
        49,
        r#"field "user" does not apply to server callback chatroomCreated; it takes room"#,
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
    ("entries-check-without-outcome.yaml", 9, 16, "expect.entries needs entries, value or code"),
    ("event-field-not-valid.yaml", 10, 55, r#""left" is not a parameter of onConnected"#),
    ("event-field-without-event.yaml", 10, 45, r#"field "code" does not apply to the status check"#),
    ("event-room-not-valid.yaml", 7, 57, r#""targetId" is not a parameter of onMessageSent"#),
    (
        "expect-no-check.yaml",
        10,
        13,
        "expect needs a check: one of event, no_event, status, stored, unread, entries or call",
    ),
    ("expect-event-and-callback.yaml", 7, 51, "expect has both event and callback; use one per expect"),
    ("expect-two-checks.yaml", 13, 7, "expect has two checks, event and stored"),
    ("for-without-no-event.yaml", 8, 46, r#"field "for" only applies to a no_event check"#),
    (
        "heartbeat-interval-too-short.yaml",
        5,
        26,
        "settings.heartbeat.interval: 500ms is too short; expected 1s or more",
    ),
    ("heartbeat-missing-timeout.yaml", 7, 5, r#"missing required field "timeout" in settings.heartbeat"#),
    ("heartbeat-timeout-not-less.yaml", 5, 40, "settings.heartbeat: timeout 10s is not less than interval 10s"),
    (
        "join-chatroom-count-not-int.yaml",
        8,
        50,
        r#"join_chatroom.count: expected an integer from -2147483648 to 2147483647, found string "ten""#,
    ),
    (
        "kick-reconnect-not-bool.yaml",
        5,
        47,
        r#"devices.a.kick_reconnect_device: expected true or false, found string "yes""#,
    ),
    ("kv-add-many-entries-not-a-map.yaml", 8, 50, "kv_add_many.entries: expected a mapping of keys to values"),
    ("kv-add-repeat-bad-field.yaml", 7, 64, r#"unknown field "count" in kv_add.value; expected one of repeat, times"#),
    (
        "kv-remove-many-keys-not-a-list.yaml",
        8,
        50,
        "kv_remove_many.keys: expected a list of keys, like [k1, k2] (`[]` for none), found a mapping",
    ),
    ("latency-inverted.yaml", 5, 30, "settings.latency: max 20ms is less than min 30ms"),
    ("member-changed-bad-action.yaml", 7, 108, r#"expect.actions ($contains).actionType: unknown value "joined""#),
    ("missing-name.yaml", 2, 1, r#"missing required field "name" at the top level"#),
    (
        "mobile-devices-max-zero.yaml",
        7,
        25,
        "settings.app.mobile_devices_max: 0 is out of range; expected an integer from 1",
    ),
    (
        "advance-past-the-step-bound.yaml",
        8,
        5,
        "advance: 1000h is longer than the 192h one step may cover (the spec's longest period, 7 days of offline \
         retention, and a day more); split it into several steps if the scenario really needs that long",
    ),
    (
        "within-absurd.yaml",
        11,
        5,
        "expect.within: 18446744073709551615ms is longer than the 192h one step may cover (the spec's longest \
         period, 7 days of offline retention, and a day more); split it into several steps if the scenario really \
         needs that long",
    ),
    ("multiple-documents.yaml", 11, 1, "exactly one YAML document"),
    (
        "mute-member-bad-duration.yaml",
        8,
        53,
        r#"mute_member.duration: invalid duration "forever"; expected a whole number"#,
    ),
    ("negative-duration.yaml", 10, 54, r#"expect.within: invalid duration "-5s""#),
    ("no-event-field-not-valid.yaml", 11, 7, r#""text" is not a parameter of onConnected"#),
    ("no-event-with-within.yaml", 9, 58, r#"field "within" does not apply to a no_event check"#),
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
    ("send-count-zero.yaml", 9, 55, "send.count: 0 is out of range; expected an integer from 1 to 100000"),
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
        r#"unknown field "cloud_backup" in settings.app; expected one of reconnect_kick_policy, mobile_devices_max,"#,
    ),
    ("unknown-device.yaml", 10, 21, r#"send.device: unknown device "c"; declared devices are a, b"#),
    ("file-too-large.yaml", 7, 45, "file.size: 16777217 bytes is more than the 16777216 a scenario may use"),
    (
        "file-server-not-an-address.yaml",
        5,
        37,
        r#"devices.a.file_server: "ftp://files.example.com" is not a server address"#,
    ),
    ("unknown-field.yaml", 13, 7, r#"unknown field "txt" in send; expected one of device, to, text, type"#),
    ("unknown-rule.yaml", 4, 5, "SEND-9999 is not a rule of the spec"),
    (
        "unknown-step.yaml",
        10,
        5,
        r#"unknown step "jump"; expected one of connect, disconnect, send, advance, converge, checkpoint, partition, "#,
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

/// `partial:` names rules the scenario checks only in part, each with what it leaves unchecked; a rule is claimed in
/// full or in part, never both, and a scenario must claim something.
#[test]
fn partial_claims_name_a_rule_of_the_spec_and_what_is_missing() {
    let with_claims = |claims: &str| {
        parse(&format!("name: n\n{claims}\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps: []\n"))
            .map(|scenario| {
                let partial = scenario.partial.iter().map(|claim| (claim.rule.to_string(), claim.missing.clone()));
                (scenario.rules.len(), partial.collect::<Vec<_>>())
            })
            .map_err(|error| (error.line, error.column, error.message))
    };
    assert_eq!(
        with_claims("rules: [USER-9]\npartial: { DND-7: the level of a conversation only }"),
        Ok((1, vec![("DND-7".to_owned(), "the level of a conversation only".to_owned())]))
    );
    assert_eq!(
        with_claims("rules: []\npartial: { DND-7: levels }"),
        Ok((0, vec![("DND-7".to_owned(), "levels".to_owned())]))
    );
    let refused = [
        ("rules: []", 2, 8, "rules: list at least one rule ID the scenario checks (or name one under partial:)"),
        ("rules: [DND-7]\npartial: { DND-7: x }", 3, 12, "partial: DND-7 is also under rules:"),
        ("rules: [USER-9]\npartial: { DND-9999: x }", 3, 12, "partial: DND-9999 is not a rule of the spec"),
        ("rules: [USER-9]\npartial: { dnd-7: x }", 3, 12, r#"partial: "dnd-7" is not a rule ID"#),
        ("rules: [USER-9]\npartial: { DND-7: '' }", 3, 19, "partial.DND-7: say what of the rule"),
        ("rules: [USER-9]\npartial: [DND-7]", 3, 10, "partial: expected a mapping"),
        ("rules: [USER-9]\npartial: { DND-7: a, DND-7: b }", 3, 22, "duplicate rule \"DND-7\" in partial"),
    ];
    for (claims, line, column, message) in refused {
        let (at_line, at_column, said) = with_claims(claims).expect_err(claims);
        assert!(said.starts_with(message), "{claims}: {said}");
        assert_eq!((at_line, at_column), (line, column), "{claims}: {said}");
    }
}
