//! Multi-device sync (SYNC-17) off and on, offline compensation (SYNC-7 to SYNC-13) and status messages (SYNC-3,
//! OFFLINE-8).

use super::*;

/// 2023-11-15 00:00 in UTC+8, the natural day of `T0`.
const MIDNIGHT: i64 = 1_699_977_600_000;
const DAY: i64 = 24 * 60 * 60 * 1_000;

fn ack(h: &mut Harness, conn: ConnId, cursor: u64) -> Vec<ServerOutput> {
    h.send(conn, Body::InboxAck(proto::InboxAck { cursor }));
    h.outputs()
}

fn sync_on() -> Harness {
    let mut h = Harness::new();
    h.configure(|config| config.multi_device_sync = true);
    h
}

/// The private message `text` from `sender` as delivered with `seq` and `target_id`.
fn private(ack: &proto::PublishAck, seq: u64, sender: &str, target: &str, text: &str) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq,
        message_uid: ack.message_uid.clone(),
        conversation_type: 1,
        target_id: target.to_owned(),
        sender_user_id: sender.to_owned(),
        sent_time: ack.sent_time,
        content: Some(text_content(text)),
        ..Default::default()
    }
}

/// `message` as the sender's other devices get it: with the publish's client message ID, so that the sending
/// database could recognise it as its own.
fn own_copy(message: proto::DeliveredMessage, client_message_id: &str) -> proto::DeliveredMessage {
    proto::DeliveredMessage { client_message_id: client_message_id.to_owned(), ..message }
}

/// SYNC-1, SYNC-17: with sync off, a live message goes to exactly one device, the newest login, and the sender's
/// other devices get no copy.
#[test]
fn sync_off_a_live_message_reaches_only_the_newest_device() {
    imsim_engine::checks!(unit: "SYNC-1", "SYNC-17");
    let mut h = Harness::new();
    let alice_phone = h.connect_live("alice", "phone");
    let alice_laptop = h.connect_live("alice", "laptop");
    let bob_phone = h.connect_live("bob", "phone");
    let _bob_laptop = h.connect_live("bob", "laptop");

    let outputs = h.publish(bob_phone, "b1", "alice", "one");
    let (first, rest) = split_ack(bob_phone, &outputs);
    assert_eq!(rest, [delivered(alice_laptop, private(&first, 1, "bob", "bob", "one"))]);
    assert_eq!(h.server.inbox_last_seq(APP, "bob"), 0, "no sender copy");

    h.server.handle_connection_closed(alice_laptop, h.now);
    let outputs = h.publish(bob_phone, "b2", "alice", "two");
    let (second, rest) = split_ack(bob_phone, &outputs);
    assert_eq!(rest, [delivered(alice_phone, private(&second, 2, "bob", "bob", "two"))]);

    // The laptop comes back: the second message went to the phone, so there is nothing for it.
    let (laptop, outputs) = h.connect("alice", "laptop", 1);
    assert_eq!(package(laptop, &outputs), proto::InboxPackage::default());
    // And it is the newest login again.
    let outputs = h.publish(bob_phone, "b3", "alice", "three");
    assert_eq!(texts(&deliveries(laptop, split_ack(bob_phone, &outputs).1)), vec!["three"]);
}

/// SYNC-17: queued offline messages are consumed by the first device to connect; another device never gets them;
/// the owner gets again only what it has not acknowledged, even after a reinstall (cursor 0).
#[test]
fn sync_off_offline_messages_are_consumed_once() {
    imsim_engine::checks!(unit: "SYNC-17");
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.fill(bob, "alice", 3);

    let (phone, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(seqs(&package(phone, &outputs).messages), vec![1, 2, 3]);
    // A device connecting while the first one catches up gets none of them either.
    let (laptop, outputs) = h.connect("alice", "laptop", 0);
    assert_eq!(package(laptop, &outputs), proto::InboxPackage::default());
    assert_eq!(ack(&mut h, phone, 2), vec![]);
    h.server.handle_connection_closed(phone, h.now);
    h.server.handle_connection_closed(laptop, h.now);

    let (web, outputs) = h.connect("alice", "web", 0);
    assert_eq!(package(web, &outputs), proto::InboxPackage::default());
    let (phone, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(seqs(&package(phone, &outputs).messages), vec![3], "1 and 2 were acknowledged: consumed");
    assert_eq!(ack(&mut h, phone, 3), vec![]);
    h.server.handle_connection_closed(phone, h.now);
    let (phone, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(package(phone, &outputs), proto::InboxPackage::default());
}

/// SYNC-17, KICK-1: a device kicked while catching up keeps what it was sent; the rest goes to the newer login.
#[test]
fn sync_off_a_kicked_devices_unsent_messages_go_to_the_next_device() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "laptop");
    h.fill(bob, "alice", 250);
    let (phone, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(seqs(&package(phone, &outputs).messages), (1..=200).collect::<Vec<_>>());
    let token = h.token("alice");
    let (tablet, mut outputs) = h.connect_with(&token, "tablet", 0);
    let rest = outputs.split_off(3);
    assert_eq!(without_reasons(outputs[..2].to_vec()), closed_with(phone, ErrorCode::DISCONN_KICK));
    assert_eq!(seqs(&package(tablet, &rest).messages), (201..=250).collect::<Vec<_>>());
    // The phone comes back (kicking the tablet): it still gets what it was sent and never acknowledged, and
    // nothing else.
    let (phone, mut outputs) = h.connect_with(&token, "phone", 0);
    let rest = outputs.split_off(3);
    assert_eq!(without_reasons(outputs[..2].to_vec()), closed_with(tablet, ErrorCode::DISCONN_KICK));
    assert_eq!(seqs(&package(phone, &rest).messages), (1..=200).collect::<Vec<_>>());
}

/// SYNC-17 with sync on: every online device of the recipient gets the message, and the sender's other devices a
/// copy with the same UID and the peer as the conversation; never the sending device from its cursor (a reinstall is
/// SYNC-8's).
#[test]
fn sync_on_every_device_gets_it_and_the_senders_others_a_copy() {
    imsim_engine::checks!(unit: "SYNC-17");
    let mut h = sync_on();
    let alice_phone = h.connect_live("alice", "phone");
    let alice_laptop = h.connect_live("alice", "laptop");
    let alice_web = h.connect_live("alice", "web");
    let bob_phone = h.connect_live("bob", "phone");
    let bob_laptop = h.connect_live("bob", "laptop");

    let outputs = h.publish(bob_phone, "b1", "alice", "hi");
    let (hi, rest) = split_ack(bob_phone, &outputs);
    let received = private(&hi, 1, "bob", "bob", "hi");
    assert_eq!(
        rest,
        [
            delivered(alice_phone, received.clone()),
            delivered(alice_laptop, received.clone()),
            delivered(alice_web, received),
            delivered(bob_laptop, own_copy(private(&hi, 1, "bob", "alice", "hi"), "b1")),
        ]
    );

    let outputs = h.publish(alice_laptop, "a1", "bob", "yo");
    let (yo, rest) = split_ack(alice_laptop, &outputs);
    let received = private(&yo, 2, "alice", "alice", "yo");
    let copy = own_copy(private(&yo, 2, "alice", "bob", "yo"), "a1");
    assert_eq!(
        rest,
        [
            delivered(bob_phone, received.clone()),
            delivered(bob_laptop, received),
            delivered(alice_phone, copy.clone()),
            delivered(alice_web, copy),
        ]
    );

    // The sending device never gets its own copy from its cursor; as a reinstall (cursor 0, SYNC-8) it gets back
    // what it sent within the compensation window, as sent, beside what it received elsewhere.
    h.server.handle_connection_closed(bob_phone, h.now);
    let (bob_phone, outputs) = h.connect("bob", "phone", 0);
    let compensated = package(bob_phone, &outputs).messages;
    assert_eq!(
        compensated,
        vec![
            own_copy(private(&hi, 1, "bob", "alice", "hi"), "b1"),
            proto::DeliveredMessage { retrieved: true, ..private(&yo, 2, "alice", "alice", "yo") },
        ]
    );
    h.server.handle_connection_closed(alice_laptop, h.now);
    let (alice_laptop, outputs) = h.connect("alice", "laptop", 1);
    assert_eq!(package(alice_laptop, &outputs), proto::InboxPackage::default());
    let _ = bob_phone;
}

/// SYNC-17: with sync on, an offline device gets everything after its cursor on connect, however old (within the
/// retention), without `retrieved`.
#[test]
fn sync_on_offline_devices_get_everything_from_their_cursor() {
    let mut h = sync_on();
    let alice_phone = h.connect_live("alice", "phone");
    let alice_laptop = h.connect_live("alice", "laptop");
    let bob = h.connect_live("bob", "phone");
    h.publish(bob, "b1", "alice", "first");
    assert_eq!(ack(&mut h, alice_phone, 1), vec![]);
    h.server.handle_connection_closed(alice_phone, h.now);
    for i in 0..3 {
        h.advance(DAY);
        h.publish(bob, &format!("later-{i}"), "alice", &format!("day {i}"));
    }
    h.publish(alice_laptop, "a1", "bob", "from the laptop");
    h.advance(DAY);
    let (phone, outputs) = h.connect("alice", "phone", 1);
    let messages = package(phone, &outputs).messages;
    assert_eq!(texts(&messages), vec!["day 0", "day 1", "day 2", "from the laptop"]);
    assert!(messages.iter().all(|message| !message.retrieved));
    assert_eq!(messages[3].sender_user_id, "alice");
}

/// SYNC-7 to SYNC-12: a new device (cursor 0) gets what the other devices had since 00:00 (UTC+8) of today, the
/// received ones as `retrieved`; 23:59:59.999 of yesterday is out. Messages no device had yet are offline messages,
/// whatever their age. `compensation_days` widens the window.
#[test]
fn compensation_covers_today_from_midnight_utc8() {
    let mut h = sync_on();
    h.now = MIDNIGHT - 10;
    let alice_phone = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    h.now = MIDNIGHT - 2;
    h.publish(bob, "c1", "carol", "carol yesterday");
    h.now = MIDNIGHT - 1;
    h.publish(bob, "a1", "alice", "23:59:59.999");
    h.now = MIDNIGHT;
    let outputs = h.publish(bob, "a2", "alice", "00:00");
    let (midnight_ack, rest) = split_ack(bob, &outputs);
    assert_eq!(texts(&deliveries(alice_phone, rest)), vec!["00:00"]);
    h.now = MIDNIGHT + 1;
    h.publish(bob, "c2", "carol", "carol today");

    h.now = T0;
    let (laptop, outputs) = h.connect("alice", "laptop", 0);
    let retrieved = proto::DeliveredMessage { retrieved: true, ..private(&midnight_ack, 2, "bob", "bob", "00:00") };
    assert_eq!(package(laptop, &outputs).messages, vec![retrieved]);

    let (carol, outputs) = h.connect("carol", "phone", 0);
    let messages = package(carol, &outputs).messages;
    assert_eq!(texts(&messages), vec!["carol yesterday", "carol today"]);
    assert!(messages.iter().all(|message| !message.retrieved), "offline messages, not compensation");

    // Bob's own sent messages from his phone: a new device gets today's, as sent messages (not retrieved).
    let (bob_laptop, outputs) = h.connect("bob", "laptop", 0);
    let copies = package(bob_laptop, &outputs).messages;
    assert_eq!(texts(&copies), vec!["00:00", "carol today"]);
    assert_eq!(
        copies.iter().map(|m| (m.target_id.as_str(), m.retrieved)).collect::<Vec<_>>(),
        [("alice", false), ("carol", false)]
    );

    h.configure(|config| config.compensation_days = 2);
    let (web, outputs) = h.connect("alice", "web", 0);
    let messages = package(web, &outputs).messages;
    assert_eq!(texts(&messages), vec!["23:59:59.999", "00:00"]);
    assert!(messages.iter().all(|message| message.retrieved));
    assert_eq!(
        h.server.set_app_config(APP, AppConfig { compensation_days: 8, ..AppConfig::default() }),
        Err(ApiError::InvalidAppConfig { field: "compensation_days", value: 8 })
    );
}

/// The natural day's time zone is a server setting (decision 8).
#[test]
fn the_natural_day_follows_the_configured_time_zone() {
    let mut h = Harness::with_config(ServerConfig { natural_day_utc_offset_ms: 0, ..ServerConfig::default() });
    h.configure(|config| config.multi_device_sync = true);
    let utc_midnight = MIDNIGHT + 8 * 60 * 60 * 1_000;
    h.now = utc_midnight - 10;
    let _phone = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    h.now = utc_midnight - 1;
    h.publish(bob, "a1", "alice", "yesterday in UTC");
    h.now = utc_midnight;
    h.publish(bob, "a2", "alice", "today in UTC");
    let (laptop, outputs) = h.connect("alice", "laptop", 0);
    assert_eq!(texts(&package(laptop, &outputs).messages), vec!["today in UTC"]);
}

/// CFG-13: a message keeps the mode of when it was sent: queued with sync off, it is still consumed by one device
/// after sync is switched on.
#[test]
fn switching_sync_keeps_each_messages_mode() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.publish(bob, "b1", "alice", "sent with sync off");
    h.configure(|config| config.multi_device_sync = true);
    h.publish(bob, "b2", "alice", "sent with sync on");
    let (phone, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(texts(&package(phone, &outputs).messages), vec!["sent with sync off", "sent with sync on"]);
    let (laptop, outputs) = h.connect("alice", "laptop", 0);
    let messages = package(laptop, &outputs).messages;
    assert_eq!(texts(&messages), vec!["sent with sync on"]);
    assert!(messages[0].retrieved);
}

/// SYNC-3, OFFLINE-8, SEND-17, TYPING-4: a status message reaches only the device(s) live at that moment, as
/// `seq` 0, is never stored, and never arrives later. With sync off, only the newest device.
#[test]
fn status_messages_reach_only_live_devices_and_are_never_stored() {
    let mut h = Harness::new();
    let _alice_phone = h.connect_live("alice", "phone");
    let alice_laptop = h.connect_live("alice", "laptop");
    let bob = h.connect_live("bob", "phone");
    let _bob_laptop = h.connect_live("bob", "laptop");
    let mut status = private_publish("s1", "alice", "typing");
    status.status_message = true;
    let outputs = h.publish_with(bob, status.clone());
    let (ack, rest) = split_ack(bob, &outputs);
    assert_eq!((ack.code, ack.message_uid.as_str()), (0, "0000-0000-0000-0001"));
    let pushed = proto::DeliveredMessage { seq: 0, status_message: true, ..private(&ack, 0, "bob", "bob", "typing") };
    assert_eq!(rest, [delivered(alice_laptop, pushed)]);
    assert_eq!((h.server.inbox_len(APP, "alice", h.now), h.server.inbox_last_seq(APP, "alice")), (0, 0));
    assert_eq!(h.publish_with(bob, status).len(), 1, "a retry gets the original ack and pushes nothing");

    // To an offline user: accepted, delivered to nobody, ever.
    let mut to_carol = private_publish("s2", "carol", "typing");
    to_carol.status_message = true;
    assert_eq!(split_ack(bob, &h.publish_with(bob, to_carol)).1, []);
    let (carol, outputs) = h.connect("carol", "phone", 0);
    assert_eq!(package(carol, &outputs), proto::InboxPackage::default());
}

/// SYNC-3 with sync on: every live device of the recipient and the sender's other live devices; a device still
/// catching up does not get it, then or later.
#[test]
fn with_sync_on_status_messages_reach_every_live_device() {
    let mut h = sync_on();
    let alice_phone = h.connect_live("alice", "phone");
    let bob_phone = h.connect_live("bob", "phone");
    let bob_laptop = h.connect_live("bob", "laptop");
    h.publish(bob_phone, "b1", "alice", "hello");
    let (alice_laptop, outputs) = h.connect("alice", "laptop", 0);
    assert_eq!(package(alice_laptop, &outputs).messages.len(), 1, "catching up");

    h.server.create_group(APP, "g1", "g", &["alice", "bob"]).unwrap();
    let mut status = group_publish("s1", "g1", "typing");
    status.status_message = true;
    let outputs = h.publish_with(bob_phone, status);
    let (accepted, rest) = split_ack(bob_phone, &outputs);
    let pushed = proto::DeliveredMessage {
        seq: 0,
        message_uid: accepted.message_uid.clone(),
        conversation_type: 2,
        target_id: "g1".to_owned(),
        sender_user_id: "bob".to_owned(),
        sent_time: accepted.sent_time,
        content: Some(text_content("typing")),
        status_message: true,
        ..Default::default()
    };
    assert_eq!(rest, [delivered(alice_phone, pushed.clone()), delivered(bob_laptop, own_copy(pushed, "s1"))]);
    assert_eq!(ack(&mut h, alice_laptop, 1), vec![], "caught up: nothing late");
}

/// TYPING-8, decision 5: status messages neither count toward the send rate nor are refused by it.
#[test]
fn status_messages_are_outside_the_rate_limit() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    for i in 0..10 {
        let mut status = private_publish(&format!("s{i}"), "alice", "typing");
        status.status_message = true;
        assert_eq!(split_ack(bob, &h.publish_with(bob, status)).0.code, 0);
    }
    for i in 0..5 {
        assert_eq!(split_ack(bob, &h.publish(bob, &format!("m{i}"), "alice", "x")).0.code, 0);
    }
    assert_eq!(h.publish(bob, "m5", "alice", "x"), refused_publish(bob, "m5", ErrorCode::SEND_MSG_FREQUENCY_OVERRUN));
    let mut status = private_publish("s10", "alice", "typing");
    status.status_message = true;
    assert_eq!(split_ack(bob, &h.publish_with(bob, status)).0.code, 0);
}
