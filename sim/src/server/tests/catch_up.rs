//! Inboxes, offline catch-up and live delivery (RECV-3 to RECV-8, RECV-15, OFFLINE).

use super::*;

/// Acknowledges `cursor` on `conn` and returns what the server did.
fn ack(h: &mut Harness, conn: ConnId, cursor: u64) -> Vec<ServerOutput> {
    h.send(conn, Body::InboxAck(proto::InboxAck { cursor }));
    h.outputs()
}

/// RECV-8: 450 offline messages arrive as packages of 200, 200 and 50, oldest first, one package per ack.
#[test]
fn four_hundred_fifty_messages_come_in_three_packages() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    let uids = h.fill(bob, "alice", 450);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 450);

    let (alice, outputs) = h.connect("alice", "phone", 0);
    let first = package(alice, &outputs);
    assert_eq!((first.messages.len(), first.has_package), (200, true));
    assert_eq!(seqs(&first.messages), (1..=200).collect::<Vec<_>>());
    let sent_times: Vec<i64> = first.messages.iter().map(|m| m.sent_time).collect();
    assert!(sent_times.is_sorted(), "oldest first (RECV-15)");
    assert_eq!(first.messages.iter().map(|m| m.message_uid.clone()).collect::<Vec<_>>(), uids[..200]);

    // Nothing more until the package is acknowledged, even partially.
    h.send(alice, Body::Ping(proto::Ping { nonce: 7 }));
    assert_eq!(h.outputs(), vec![sent(alice, Body::Pong(proto::Pong { nonce: 7 }))]);
    assert_eq!(ack(&mut h, alice, 150), vec![]);
    assert_eq!(h.server.session_info(alice).unwrap().acked_cursor, 150);

    let second = package(alice, &ack(&mut h, alice, 200));
    assert_eq!((second.messages.len(), second.has_package), (200, true));
    assert_eq!(seqs(&second.messages), (201..=400).collect::<Vec<_>>());
    let third = package(alice, &ack(&mut h, alice, 400));
    assert_eq!((third.messages.len(), third.has_package), (50, false));
    assert_eq!(seqs(&third.messages), (401..=450).collect::<Vec<_>>());
    assert_eq!(h.server.session_info(alice).unwrap().phase, SessionPhase::CatchingUp);

    assert_eq!(ack(&mut h, alice, 450), vec![]);
    assert_eq!(h.server.session_info(alice).unwrap().phase, SessionPhase::Live);
}

/// RECV-8: exactly 200 messages make one final package.
#[test]
fn two_hundred_messages_make_one_final_package() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 200);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    let only = package(alice, &outputs);
    assert_eq!((only.messages.len(), only.has_package), (200, false));
}

/// With nothing to catch up the server still sends one empty final package, and the session is live at once, with
/// no ack needed (an ack of the current cursor is harmless).
#[test]
fn an_empty_catch_up_is_one_empty_package() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    assert_eq!(h.server.session_info(alice).unwrap().phase, SessionPhase::Live);
    assert_eq!(ack(&mut h, alice, 0), vec![]);

    let bob = h.connect_live("bob", "phone");
    h.publish(bob, "m1", "alice", "hi");
    h.send(alice, Body::InboxAck(proto::InboxAck { cursor: 1 }));
    // A device that already has everything gets an empty package too.
    h.server.handle_connection_closed(alice, h.now);
    let (alice, outputs) = h.connect("alice", "phone", 1);
    assert_eq!(outputs, vec![sent(alice, Body::InboxPackage(proto::InboxPackage::default()))]);
}

/// With multi-device sync on (the `sync` tests cover both modes), every live session gets each entry once.
#[test]
fn live_sessions_get_each_message_once() {
    let mut h = Harness::new();
    h.configure(|config| config.multi_device_sync = true);
    let phone = h.connect_live("alice", "phone");
    let laptop = h.connect_live("alice", "laptop");
    let bob = h.connect_live("bob", "phone");
    h.advance(5);
    let outputs = h.publish(bob, "m1", "alice", "hello");
    let [ack_output, to_phone, to_laptop] = outputs.as_slice() else {
        panic!("expected an ack and two deliveries, got {outputs:?}");
    };
    let ServerOutput::Send { conn, frame } = ack_output else { panic!("{ack_output:?}") };
    assert_eq!(*conn, bob);
    let publish = publish_ack(frame);
    let expected = proto::DeliveredMessage {
        seq: 1,
        message_uid: publish.message_uid.clone(),
        conversation_type: 1,
        target_id: "bob".to_owned(),
        channel_id: String::new(),
        sender_user_id: "bob".to_owned(),
        sent_time: T0 + 5,
        content: Some(text_content("hello")),
        ..Default::default()
    };
    assert_eq!(deliveries(phone, std::slice::from_ref(to_phone)), vec![expected.clone()]);
    assert_eq!(deliveries(laptop, std::slice::from_ref(to_laptop)), vec![expected]);
    assert_eq!(h.server.session_info(phone).unwrap().sent_cursor, 1);
    assert_eq!(ack(&mut h, phone, 1), vec![]);
    assert_eq!(h.server.session_info(phone).unwrap().acked_cursor, 1);
}

/// Entries appended while a device catches up reach it exactly once: in a later package if a package is still to
/// come, or pushed when the final package is acknowledged.
#[test]
fn messages_during_catch_up_arrive_exactly_once() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 250);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    let mut received = package(alice, &outputs).messages;

    // While package 1 (1..=200) is in flight: 251 and 252 join the next package.
    h.fill(bob, "alice", 2);
    let second = package(alice, &ack(&mut h, alice, 200));
    assert!(!second.has_package);
    assert_eq!(seqs(&second.messages), (201..=252).collect::<Vec<_>>());
    received.extend(second.messages);

    // While the final package is in flight: 253 and 254 wait for its ack, then are pushed.
    h.fill(bob, "alice", 2);
    assert_eq!(ack(&mut h, alice, 230), vec![], "a partial ack changes nothing");
    let pushed = deliveries(alice, &ack(&mut h, alice, 252));
    assert_eq!(seqs(&pushed), vec![253, 254]);
    received.extend(pushed);

    // And once live, new entries are pushed at once.
    let outputs = h.publish(bob, "live", "alice", "now");
    assert_eq!(seqs(&deliveries(alice, &outputs[1..])), vec![255]);
    let session = h.server.session_info(alice).unwrap();
    assert_eq!((session.phase, session.sent_cursor), (SessionPhase::Live, 255));
    assert_eq!(seqs(&received), (1..=254).collect::<Vec<_>>());
}

#[test]
fn a_reconnecting_device_resumes_from_its_cursor() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    let uids = h.fill(bob, "alice", 10);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(package(alice, &outputs).messages.len(), 10);
    assert_eq!(ack(&mut h, alice, 4), vec![]);
    h.server.handle_connection_closed(alice, h.now);

    let (alice, outputs) = h.connect("alice", "phone", 4);
    let resumed = package(alice, &outputs);
    assert_eq!(seqs(&resumed.messages), (5..=10).collect::<Vec<_>>());
    assert_eq!(resumed.messages[0].message_uid, uids[4]);

    // Another device of the same user (of another class, so nobody is kicked) has its own cursor, but with
    // multi-device sync off the phone claimed every message when it first connected (SYNC-17).
    let (laptop, outputs) = h.connect("alice", "laptop", 0);
    assert_eq!(package(laptop, &outputs), proto::InboxPackage::default());
}

#[test]
fn acks_below_the_cursor_are_ignored_and_beyond_it_are_errors() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 3);
    let (alice, _) = h.connect("alice", "phone", 0);
    assert_eq!(ack(&mut h, alice, 2), vec![]);
    assert_eq!(ack(&mut h, alice, 1), vec![]);
    assert_eq!(h.server.session_info(alice).unwrap().acked_cursor, 2);
    assert_eq!(without_reasons(ack(&mut h, alice, 4)), closed_with(alice, ErrorCode::PROTOCOL_UNEXPECTED_FRAME));

    // Live, too: an ack of a seq never pushed is an error.
    let (alice, _) = h.connect("alice", "phone", 3);
    assert_eq!(without_reasons(ack(&mut h, alice, 4)), closed_with(alice, ErrorCode::PROTOCOL_UNEXPECTED_FRAME));
}

/// A cursor past the inbox's end (the server lost state the device kept) resumes from the end.
#[test]
fn a_cursor_past_the_end_resumes_from_the_end() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 2);
    let (alice, outputs) = h.connect("alice", "phone", 1_000);
    assert_eq!(outputs, vec![sent(alice, Body::InboxPackage(proto::InboxPackage::default()))]);
    assert_eq!(h.server.session_info(alice).unwrap().acked_cursor, 2);
    let outputs = h.publish(bob, "live", "alice", "now");
    assert_eq!(seqs(&deliveries(alice, &outputs[1..])), vec![3]);
}

/// OFFLINE-2, OFFLINE-6, CFG-8: an entry is kept while `now − sentTime <= 7 days`, and gone after.
#[test]
fn entries_expire_after_the_retention() {
    const DAY: i64 = 24 * 60 * 60 * 1_000;
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 1);
    let sent_at = h.now;
    h.advance(DAY);
    h.fill(bob, "alice", 1);

    h.now = sent_at + 7 * DAY;
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 2);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(seqs(&package(alice, &outputs).messages), vec![1, 2]);
    h.server.handle_connection_closed(alice, h.now);

    h.advance(1);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 1);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(seqs(&package(alice, &outputs).messages), vec![2]);
    h.server.handle_connection_closed(alice, h.now);

    h.advance(2 * DAY);
    h.server.expire_inboxes(h.now);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 0);
    assert_eq!(h.server.inbox_last_seq(APP, "alice"), 2, "sequence numbers are never reused");
    let (alice, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(outputs, vec![sent(alice, Body::InboxPackage(proto::InboxPackage::default()))]);
}

#[test]
fn retention_follows_the_config() {
    const DAY: i64 = 24 * 60 * 60 * 1_000;
    let mut h = Harness::with_config(ServerConfig { private_offline_days: 1, ..ServerConfig::default() });
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 1);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now + DAY), 1);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now + DAY + 1), 0);
}

#[test]
#[should_panic(expected = "CFG-8")]
fn retention_outside_one_to_seven_days_is_refused() {
    Server::new(ServerConfig { private_offline_days: 8, ..ServerConfig::default() });
}
