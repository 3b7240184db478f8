//! Groups (GRP): fan-out, membership and mutes, the member cap, directed messages, and offline retention.

use super::*;

/// Creates group `g1` with `members`.
fn group(h: &mut Harness, members: &[&str]) {
    h.server.create_group(APP, "g1", "the group", members).unwrap();
}

/// The group message `text` from `sender` as delivered with `seq`.
fn group_message(ack: &proto::PublishAck, seq: u64, sender: &str, text: &str) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq,
        message_uid: ack.message_uid.clone(),
        conversation_type: 2,
        target_id: "g1".to_owned(),
        sender_user_id: sender.to_owned(),
        sent_time: ack.sent_time,
        content: Some(text_content(text)),
        ..Default::default()
    }
}

/// GRP-1, GRP-11, OFFLINE-3: one copy per member other than the sender, to every member's devices (multi-device
/// sync on here), with the group as the conversation; offline members get it on connect. The sender's own copies
/// carry the publish's client message ID, so a device that lost the acknowledgement can settle its send with them.
#[test]
fn a_group_message_reaches_every_members_devices() {
    let mut h = Harness::new();
    h.configure(|config| config.multi_device_sync = true);
    group(&mut h, &["alice", "bob", "carol", "dave"]);
    let alice_phone = h.connect_live("alice", "phone");
    let alice_laptop = h.connect_live("alice", "laptop");
    let bob = h.connect_live("bob", "phone");
    let carol = h.connect_live("carol", "phone");
    let carol_laptop = h.connect_live("carol", "laptop");
    h.advance(3);

    let outputs = h.publish_with(carol, group_publish("c1", "g1", "hello all"));
    let (ack, rest) = split_ack(carol, &outputs);
    assert_eq!((ack.code, ack.sent_time), (0, T0 + 3));
    let received = group_message(&ack, 1, "carol", "hello all");
    assert_eq!(
        rest,
        [
            delivered(alice_phone, received.clone()),
            delivered(alice_laptop, received.clone()),
            delivered(bob, received.clone()),
            delivered(carol_laptop, proto::DeliveredMessage { client_message_id: "c1".to_owned(), ..received.clone() }),
        ]
    );
    assert_eq!(h.server.inbox_len(APP, "dave", h.now), 1);
    // Dave's device is new (cursor 0), but nobody had the message yet: an offline message, not compensation.
    let (dave, outputs) = h.connect("dave", "phone", 0);
    assert_eq!(package(dave, &outputs).messages, vec![received]);
}

/// GRP-22: a non-member, a sender into an unknown or dismissed group, or a removed member gets 22406, and nothing is
/// delivered.
#[test]
fn non_members_get_22406() {
    let mut h = Harness::new();
    group(&mut h, &["alice", "bob"]);
    let alice = h.connect_live("alice", "phone");
    let eve = h.connect_live("eve", "phone");
    assert_eq!(
        h.publish_with(eve, group_publish("e1", "g1", "hi")),
        refused_publish(eve, "e1", ErrorCode::NOT_IN_GROUP)
    );
    assert_eq!(
        h.publish_with(alice, group_publish("a1", "nope", "hi")),
        refused_publish(alice, "a1", ErrorCode::NOT_IN_GROUP)
    );
    h.server.remove_group_members(APP, "g1", &["alice"]).unwrap();
    assert_eq!(
        h.publish_with(alice, group_publish("a2", "g1", "hi")),
        refused_publish(alice, "a2", ErrorCode::NOT_IN_GROUP)
    );
    h.server.add_group_members(APP, "g1", &["alice"]).unwrap();
    assert_eq!(split_ack(alice, &h.publish_with(alice, group_publish("a3", "g1", "back"))).0.code, 0);
    h.server.dismiss_group(APP, "g1").unwrap();
    assert_eq!(
        h.publish_with(alice, group_publish("a4", "g1", "hi")),
        refused_publish(alice, "a4", ErrorCode::NOT_IN_GROUP)
    );
    assert_eq!(h.server.group_members(APP, "g1"), None);
    assert_eq!(h.server.inbox_last_seq(APP, "bob"), 1, "only the member's message reached bob");
}

/// GRP-9, GRP-22: a muted member gets 22408 until the mute ends or is lifted, and still receives.
#[test]
fn a_muted_member_gets_22408_until_the_mute_ends() {
    let mut h = Harness::new();
    group(&mut h, &["alice", "bob"]);
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    h.server.mute_group_members(APP, "g1", &["bob"], h.now, Some(60_000)).unwrap();
    assert!(h.server.is_muted_in_group(APP, "g1", "bob", h.now));
    assert!(!h.server.is_muted_in_group(APP, "g1", "alice", h.now), "only bob");
    assert!(!h.server.is_muted_in_group(APP, "g2", "bob", h.now), "an unknown group mutes no one");

    let muted = ErrorCode::FORBIDDEN_IN_GROUP;
    assert_eq!(h.publish_with(bob, group_publish("b1", "g1", "hi")), refused_publish(bob, "b1", muted));
    let outputs = h.publish_with(alice, group_publish("a1", "g1", "you are muted"));
    assert_eq!(texts(&deliveries(bob, split_ack(alice, &outputs).1)), vec!["you are muted"]);

    h.advance(59_999);
    assert_eq!(h.publish_with(bob, group_publish("b1", "g1", "hi")), refused_publish(bob, "b1", muted));
    h.advance(1);
    assert!(!h.server.is_muted_in_group(APP, "g1", "bob", h.now), "the mute ended");
    assert_eq!(split_ack(bob, &h.publish_with(bob, group_publish("b1", "g1", "free"))).0.code, 0);

    h.server.mute_group_members(APP, "g1", &["bob"], h.now, None).unwrap();
    h.advance(365 * 24 * 60 * 60 * 1_000);
    assert_eq!(h.publish_with(bob, group_publish("b2", "g1", "hi")), refused_publish(bob, "b2", muted));
    h.server.unmute_group_members(APP, "g1", &["bob"]).unwrap();
    assert_eq!(split_ack(bob, &h.publish_with(bob, group_publish("b2", "g1", "hi"))).0.code, 0);
}

/// GRP-10: muting all answers 22408 to everyone but the whitelist; an individual mute beats the whitelist.
#[test]
fn mute_all_spares_the_whitelist() {
    imsim_engine::checks!(unit: "GRP-10");
    let mut h = Harness::new();
    group(&mut h, &["alice", "bob", "carol"]);
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let carol = h.connect_live("carol", "phone");
    h.server.set_group_mute_all(APP, "g1", true).unwrap();
    h.server.add_group_mute_whitelist(APP, "g1", &["alice", "carol"]).unwrap();
    h.server.mute_group_members(APP, "g1", &["carol"], h.now, None).unwrap();

    let muted = ErrorCode::FORBIDDEN_IN_GROUP;
    assert_eq!(h.publish_with(bob, group_publish("b1", "g1", "hi")), refused_publish(bob, "b1", muted));
    assert_eq!(h.publish_with(carol, group_publish("c1", "g1", "hi")), refused_publish(carol, "c1", muted));
    let outputs = h.publish_with(alice, group_publish("a1", "g1", "only me"));
    let (ack, rest) = split_ack(alice, &outputs);
    assert_eq!(ack.code, 0);
    assert_eq!(rest.len(), 2, "bob and carol still receive: {rest:?}");

    h.server.remove_group_mute_whitelist(APP, "g1", &["alice"]).unwrap();
    assert_eq!(h.publish_with(alice, group_publish("a2", "g1", "hi")), refused_publish(alice, "a2", muted));
    h.server.set_group_mute_all(APP, "g1", false).unwrap();
    assert_eq!(split_ack(bob, &h.publish_with(bob, group_publish("b1", "g1", "hi"))).0.code, 0);
    assert_eq!(h.publish_with(carol, group_publish("c1", "g1", "hi")), refused_publish(carol, "c1", muted));
}

/// GRP-3, BIZ-28, CTYPE-4: at most 3000 members, every one of whom gets the group's messages; a call that would pass
/// the cap changes nothing; an app has as many groups as it likes.
#[test]
fn a_group_holds_at_most_3000_members() {
    imsim_engine::checks!(unit: "GRP-3", "BIZ-28", "CTYPE-4");
    let mut h = Harness::new();
    let ids: Vec<String> = (0..3001).map(|i| format!("u{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let full = |group_id: &str| ApiError::GroupFull { group_id: group_id.to_owned(), cap: 3000 };

    assert_eq!(h.server.create_group(APP, "big", "big", &refs), Err(full("big")));
    assert_eq!(h.server.group_members(APP, "big"), None, "a refused create creates nothing");
    h.server.create_group(APP, "big", "big", &refs[..2999]).unwrap();
    assert_eq!(h.server.add_group_members(APP, "big", &["u0", "u2999", "u3000"]), Err(full("big")));
    assert_eq!(h.server.group_members(APP, "big").unwrap().len(), 2999);
    h.server.add_group_members(APP, "big", &["u0", "u2999", "u2999"]).unwrap();
    assert_eq!(h.server.group_members(APP, "big").unwrap().len(), 3000);
    assert_eq!(h.server.create_group(APP, "big", "bigger", &["u3000"]), Err(full("big")));
    assert_eq!(h.server.user_groups(APP, "u7"), vec![("big".to_owned(), "big".to_owned())]);
    // CTYPE-4: the server delivers a group message to every member, the last of the 3000 included.
    let sender = h.connect_live("u0", "phone-u0");
    let (ack, _) = split_ack(sender, &h.publish_with(sender, group_publish("m1", "big", "to all")));
    assert_eq!(ack.code, 0);
    let (last, outputs) = h.connect("u2999", "phone-u2999", 0);
    assert_eq!(texts(&package(last, &outputs).messages), ["to all"]);

    h.configure(|config| config.group_members_max = 2);
    assert_eq!(h.server.group_members(APP, "big").unwrap().len(), 3000, "lowering the cap removes nobody");
    h.server.create_group(APP, "small", "small", &["a", "b"]).unwrap();
    assert_eq!(
        h.server.add_group_members(APP, "small", &["c"]),
        Err(ApiError::GroupFull { group_id: "small".to_owned(), cap: 2 })
    );
}

/// GRP-16, GRP-21: a directed message reaches only the listed members; non-members and duplicates are skipped
/// silently; each copy names its recipients. Outside groups the list is malformed (90001).
#[test]
fn directed_messages_reach_only_the_chosen_members() {
    let mut h = Harness::new();
    group(&mut h, &["alice", "bob", "carol", "dave"]);
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let _carol = h.connect_live("carol", "phone");
    let dave = h.connect_live("dave", "phone");

    let mut publish = group_publish("a1", "g1", "psst");
    publish.directed_user_ids = ["dave", "eve", "bob", "dave", "alice"].map(str::to_owned).to_vec();
    let outputs = h.publish_with(alice, publish);
    let (ack, rest) = split_ack(alice, &outputs);
    assert_eq!(ack.code, 0);
    let directed = proto::DeliveredMessage {
        directed_user_ids: vec!["dave".to_owned(), "bob".to_owned()],
        ..group_message(&ack, 1, "alice", "psst")
    };
    assert_eq!(rest, [delivered(dave, directed.clone()), delivered(bob, directed)], "in the order listed");
    assert_eq!(h.server.inbox_len(APP, "carol", h.now), 0);

    let mut nobody = group_publish("a2", "g1", "to no member");
    nobody.directed_user_ids = vec!["eve".to_owned()];
    let outputs = h.publish_with(alice, nobody);
    assert_eq!(split_ack(alice, &outputs).0.code, 0);
    assert_eq!(outputs.len(), 1, "accepted, delivered to nobody");

    let mut private = private_publish("a3", "bob", "hi");
    private.directed_user_ids = vec!["bob".to_owned()];
    assert_eq!(h.publish_with(alice, private), refused_publish(alice, "a3", ErrorCode::PROTOCOL_MALFORMED_FRAME));
    let mut bad_id = group_publish("a4", "g1", "hi");
    bad_id.directed_user_ids = vec![String::new()];
    assert_eq!(h.publish_with(alice, bad_id), refused_publish(alice, "a4", ErrorCode::PROTOCOL_MALFORMED_FRAME));
    assert_eq!(h.outputs(), vec![]);
}

/// GRP-6, GRP-14, BIZ-7: a new member gets only what is sent after joining; a removed member nothing after leaving.
#[test]
fn a_new_member_sees_nothing_from_before() {
    let mut h = Harness::new();
    group(&mut h, &["alice", "bob"]);
    let alice = h.connect_live("alice", "phone");
    h.publish_with(alice, group_publish("a1", "g1", "before"));
    h.server.add_group_members(APP, "g1", &["carol"]).unwrap();
    h.server.remove_group_members(APP, "g1", &["bob"]).unwrap();
    h.advance(1);
    h.publish_with(alice, group_publish("a2", "g1", "after"));

    let (carol, outputs) = h.connect("carol", "phone", 0);
    assert_eq!(texts(&package(carol, &outputs).messages), vec!["after"]);
    let (bob, outputs) = h.connect("bob", "phone", 0);
    assert_eq!(texts(&package(bob, &outputs).messages), vec!["before"]);
    assert_eq!(h.server.group_members(APP, "g1").unwrap(), vec!["alice", "carol"]);
    assert!(!h.server.app_config(APP).unwrap().group_pre_join_history, "BIZ-24: off by default");
}

/// CFG-8, OFFLINE-4, GRP-12: group messages wait `group_offline_days`, private ones `private_offline_days`.
#[test]
fn group_messages_follow_their_own_retention() {
    const DAY: i64 = 24 * 60 * 60 * 1_000;
    let config = ServerConfig { group_offline_days: 1, ..ServerConfig::default() };
    let mut h = Harness::with_config(config);
    group(&mut h, &["alice", "bob"]);
    let alice = h.connect_live("alice", "phone");
    h.publish_with(alice, group_publish("a1", "g1", "group"));
    h.publish(alice, "a2", "bob", "private");
    assert_eq!(h.server.inbox_len(APP, "bob", h.now + DAY), 2);
    assert_eq!(h.server.inbox_len(APP, "bob", h.now + DAY + 1), 1);
    h.advance(DAY + 1);
    let (bob, outputs) = h.connect("bob", "phone", 0);
    assert_eq!(texts(&package(bob, &outputs).messages), vec!["private"]);
}

#[test]
fn group_calls_check_their_arguments() {
    let mut h = Harness::new();
    let unknown = || ApiError::UnknownGroup { group_id: "g9".to_owned() };
    assert_eq!(h.server.dismiss_group(APP, "g9"), Err(unknown()));
    assert_eq!(h.server.add_group_members(APP, "g9", &["a"]), Err(unknown()));
    assert_eq!(h.server.set_group_mute_all(APP, "g9", true), Err(unknown()));
    assert_eq!(h.server.create_group(APP, "", "x", &["a"]), Err(ApiError::InvalidGroupId { group_id: String::new() }));
    // MSG-2: a group ID of 64 characters is accepted, 65 refused.
    let longest = "g".repeat(imsim_engine::limits::TARGET_ID_CHARS_MAX);
    assert_eq!(h.server.create_group(APP, &longest, "x", &["a"]), Ok(()));
    let too_long = "g".repeat(imsim_engine::limits::TARGET_ID_CHARS_MAX + 1);
    assert_eq!(
        h.server.create_group(APP, &too_long, "x", &["a"]),
        Err(ApiError::InvalidGroupId { group_id: too_long.clone() })
    );
    assert_eq!(h.server.create_group(APP, "g1", "x", &[""]), Err(ApiError::InvalidUserId { user_id: String::new() }));
    group(&mut h, &["alice"]);
    assert_eq!(
        h.server.mute_group_members(APP, "g1", &["alice"], h.now, Some(0)),
        Err(ApiError::InvalidMuteDuration { duration_ms: 0 })
    );
    assert_eq!(h.server.create_group("no-app", "g1", "x", &[]), Err(ApiError::UnknownApp { app_key: "no-app".into() }));
    assert_eq!(
        h.server.set_app_config(APP, AppConfig { group_members_max: 0, ..AppConfig::default() }),
        Err(ApiError::InvalidAppConfig { field: "group_members_max", value: 0 })
    );
}

/// OFFLINE-7: with `groupOfflineMaxCount` set, only the newest N group messages per group wait for a user, each group
/// on its own; a count of 0 is refused.
#[test]
fn the_group_offline_cap_keeps_the_newest_per_group() {
    let mut h = Harness::new();
    let capped = AppConfig { group_offline_max_count: Some(2), ..AppConfig::default() };
    h.server.set_app_config(APP, capped).expect("in range");
    group(&mut h, &["alice", "bob"]);
    h.server.create_group(APP, "g2", "other", &["alice", "bob"]).expect("created");
    let alice = h.connect_live("alice", "phone");
    for (id, text) in [("a1", "one"), ("a2", "two"), ("a3", "three")] {
        h.publish_with(alice, group_publish(id, "g1", text));
        h.advance(300);
    }
    h.publish_with(alice, group_publish("b1", "g2", "elsewhere"));
    let (bob, outputs) = h.connect("bob", "phone", 0);
    assert_eq!(texts(&package(bob, &outputs).messages), vec!["two", "three", "elsewhere"]);
    let zero = AppConfig { group_offline_max_count: Some(0), ..AppConfig::default() };
    assert_eq!(
        h.server.set_app_config(APP, zero),
        Err(ApiError::InvalidAppConfig { field: "group_offline_max_count", value: 0 })
    );
}

/// OFFLINE-4, CFG-8: the App-level offline settings. Private and group retention are 7 days by default, each
/// settable from 1 to 7 days and to nothing else, each applying to every conversation of its kind, to the
/// millisecond; the group message count is unlimited by default (its cap: the test above).
#[test]
fn the_offline_settings_have_their_defaults_ranges_and_effects() {
    imsim_engine::checks!(unit: "OFFLINE-4", "CFG-8");
    const DAY: i64 = 24 * 60 * 60 * 1_000;
    let defaults = ServerConfig::default();
    assert_eq!((defaults.private_offline_days, defaults.group_offline_days), (7, 7));
    assert_eq!(AppConfig::default().group_offline_max_count, None);
    for days in [0, 8] {
        let private = ServerConfig { private_offline_days: days, ..ServerConfig::default() };
        assert!(std::panic::catch_unwind(|| Server::new(private)).is_err(), "private {days} days is refused");
        let group = ServerConfig { group_offline_days: days, ..ServerConfig::default() };
        assert!(std::panic::catch_unwind(|| Server::new(group)).is_err(), "group {days} days is refused");
    }
    for (private_days, group_days) in [(1, 7), (7, 1), (2, 5), (7, 7)] {
        let config = ServerConfig {
            private_offline_days: private_days,
            group_offline_days: group_days,
            client_send_rate: None,
            ..defaults.clone()
        };
        let mut h = Harness::with_config(config);
        group(&mut h, &["alice", "bob"]);
        let alice = h.connect_live("alice", "phone");
        let sent = h.now;
        // Thirty group messages, all kept: no count limit by default.
        for n in 0..30 {
            h.publish_with(alice, group_publish(&format!("g{n}"), "g1", "group"));
        }
        h.publish(alice, "p", "bob", "private");
        let kept = |h: &Harness, at: i64| h.server.inbox_len(APP, "bob", at);
        // MSG-22: the server's sent times are strictly increasing: group message n at `sent + n`, the private one
        // at `sent + 30`. Each is kept while `now - sentTime` is at most its retention.
        let group_last = |n: i64| sent + n + i64::from(group_days) * DAY;
        let private_end = sent + 30 + i64::from(private_days) * DAY;
        let expected = |at: i64| usize::from(at <= private_end) + (0..30).filter(|&n| at <= group_last(n)).count();
        for at in [private_end, private_end + 1, group_last(0), group_last(0) + 1, group_last(29), group_last(29) + 1] {
            assert_eq!(
                kept(&h, at),
                expected(at),
                "private {private_days} d, group {group_days} d, at +{} ms",
                at - sent
            );
        }
    }
}
