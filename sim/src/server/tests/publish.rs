//! Publishing private messages: acknowledgements, UIDs and sent times, idempotence, and the limits.

use imsim_engine::limits::MESSAGE_CONTENT_BYTES_MAX;

use super::*;

/// The single `PublishAck` in `outputs`, which must be for `conn`.
fn only_ack(conn: ConnId, outputs: &[ServerOutput]) -> proto::PublishAck {
    match outputs {
        [ServerOutput::Send { conn: to, frame }] if *to == conn => publish_ack(frame).clone(),
        other => panic!("expected one PublishAck for {conn:?}, got {other:?}"),
    }
}

fn refused(id: &str, code: ErrorCode) -> proto::PublishAck {
    proto::PublishAck { client_message_id: id.to_owned(), code: code.to_wire(), ..proto::PublishAck::default() }
}

fn blob_publish(id: &str, to: &str, object_name: &str, payload_bytes: usize) -> Body {
    Body::Publish(proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: 1,
        target_id: to.to_owned(),
        content: Some(proto::MessageContent { object_name: object_name.to_owned(), payload: vec![1; payload_bytes] }),
        ..proto::Publish::default()
    })
}

#[test]
fn an_accepted_publish_gets_a_uid_and_the_server_time() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.advance(10);
    let ack = only_ack(bob, &h.publish(bob, "m1", "alice", "hi"));
    assert_eq!(
        ack,
        proto::PublishAck {
            client_message_id: "m1".to_owned(),
            code: 0,
            message_uid: "0000-0000-0000-0001".to_owned(),
            sent_time: T0 + 10,
        }
    );
    // The extra travels (MSG-19); a channel ID is ignored outside ultra groups (CALL-11).
    let mut body = publish_body("m2", "alice", "again");
    if let Body::Publish(publish) = &mut body {
        publish.extra = "{\"k\":1}".to_owned();
        publish.channel_id = "chan".to_owned();
    }
    h.send(bob, body);
    let second = only_ack(bob, &h.outputs());
    assert_eq!(second.message_uid, "0000-0000-0000-0002");
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 2);

    let (alice, outputs) = h.connect("alice", "phone", 0);
    let messages = package(alice, &outputs).messages;
    assert_eq!((messages[1].extra.as_str(), messages[1].channel_id.as_str()), ("{\"k\":1}", ""));
    assert_eq!(messages[1].message_uid, second.message_uid);
}

/// MSG-22: `sentTime` orders messages, so it is strictly increasing within an app even within one millisecond.
#[test]
fn sent_times_strictly_increase() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    let carol = h.connect_live("carol", "phone");
    let times: Vec<i64> = [(bob, "b1"), (carol, "c1"), (bob, "b2")]
        .into_iter()
        .map(|(conn, id)| only_ack(conn, &h.publish(conn, id, "alice", "x")).sent_time)
        .collect();
    assert_eq!(times, vec![T0, T0 + 1, T0 + 2]);
    h.advance(1_000);
    assert_eq!(only_ack(bob, &h.publish(bob, "b3", "alice", "x")).sent_time, T0 + 1_000);
}

/// A retried publish (same device, same client message ID) gets the original ack and creates nothing, even from a
/// new connection; the same ID from another device is another message.
#[test]
fn publishes_are_idempotent_per_device() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    let alice = h.connect_live("alice", "phone");
    let outputs = h.publish(bob, "m1", "alice", "hi");
    assert_eq!(outputs.len(), 2, "ack and delivery: {outputs:?}");
    let ServerOutput::Send { frame, .. } = &outputs[0] else { panic!("{outputs:?}") };
    let original = publish_ack(frame).clone();

    h.advance(5_000);
    assert_eq!(only_ack(bob, &h.publish(bob, "m1", "alice", "hi")), original);
    h.server.handle_connection_closed(bob, h.now);
    let bob = h.connect_live("bob", "phone");
    assert_eq!(only_ack(bob, &h.publish(bob, "m1", "alice", "changed text")), original);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 1);
    assert_eq!(h.server.session_info(alice).unwrap().sent_cursor, 1);

    let bob_laptop = h.connect_live("bob", "laptop");
    let outputs = h.publish(bob_laptop, "m1", "alice", "hi");
    let ServerOutput::Send { frame, .. } = &outputs[0] else { panic!("{outputs:?}") };
    assert_ne!(publish_ack(frame).message_uid, original.message_uid);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 2);
}

/// SEND-14: a publish asked after `only_if_accepted` (an engine finishing a send a crash interrupted) gets the
/// original acknowledgement if the server had accepted it, and 30003 with nothing delivered if it had not.
#[test]
fn a_publish_asked_after_is_acknowledged_only_if_it_was_accepted() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    h.connect_live("alice", "phone");
    let outputs = h.publish(bob, "m1", "alice", "hi");
    let ServerOutput::Send { frame, .. } = &outputs[0] else { panic!("{outputs:?}") };
    let original = publish_ack(frame).clone();
    let asked_after = |id: &str| proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: 1,
        target_id: "alice".to_owned(),
        content: Some(text_content("hi")),
        only_if_accepted: true,
        ..proto::Publish::default()
    };
    assert_eq!(only_ack(bob, &h.publish_with(bob, asked_after("m1"))), original);
    assert_eq!(only_ack(bob, &h.publish_with(bob, asked_after("m2"))), refused("m2", ErrorCode::MSG_RESPONSE_TIMEOUT));
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 1, "only the accepted m1 is in alice's inbox");
    // Refused, m2 was not remembered: an ordinary publish of it later is a new message.
    assert_eq!(h.publish(bob, "m2", "alice", "hi").len(), 2, "ack and delivery");
}

/// SEND-19: content (object name plus payload) over 128 KB answers 30016 and nothing is delivered.
#[test]
fn oversized_content_answers_30016() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    let alice = h.connect_live("alice", "phone");
    let name = "App:Blob";

    h.send(bob, blob_publish("big", "alice", name, MESSAGE_CONTENT_BYTES_MAX - name.len() + 1));
    assert_eq!(h.outputs(), vec![sent(bob, Body::PublishAck(refused("big", ErrorCode::MSG_SIZE_OUT_OF_LIMIT)))]);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 0);

    h.send(bob, blob_publish("max", "alice", name, MESSAGE_CONTENT_BYTES_MAX - name.len()));
    let outputs = h.outputs();
    let ServerOutput::Send { frame, .. } = &outputs[0] else { panic!("{outputs:?}") };
    assert_eq!(publish_ack(frame).code, 0, "exactly the limit is accepted");
    assert_eq!(deliveries(alice, &outputs[1..]).len(), 1);
}

/// SEND-2, BIZ-25: at most 5 publishes accepted per connection in any sliding 1000 ms; the 6th answers 20604.
/// Refused publishes do not count, and the limit is per connection.
#[test]
fn the_sixth_publish_within_a_second_answers_20604() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    for i in 0..5 {
        assert_eq!(only_ack(bob, &h.publish(bob, &format!("m{i}"), "alice", "x")).code, 0);
        h.advance(100);
    }
    // Now T0 + 500: the window (T0 - 500, T0 + 500] holds 5.
    assert_eq!(
        only_ack(bob, &h.publish(bob, "m5", "alice", "x")),
        refused("m5", ErrorCode::SEND_MSG_FREQUENCY_OVERRUN)
    );
    let bob_laptop = h.connect_live("bob", "laptop");
    assert_eq!(only_ack(bob_laptop, &h.publish(bob_laptop, "l0", "alice", "x")).code, 0);

    h.advance(499);
    assert_eq!(only_ack(bob, &h.publish(bob, "m5", "alice", "x")).code, 20604, "T0 is still inside the window");
    h.advance(1);
    assert_eq!(only_ack(bob, &h.publish(bob, "m5", "alice", "x")).code, 0, "T0 left the window; retried afresh");
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 7);

    let mut h = Harness::with_config(ServerConfig { client_send_rate: None, ..ServerConfig::default() });
    let bob = h.connect_live("bob", "phone");
    for i in 0..20 {
        assert_eq!(only_ack(bob, &h.publish(bob, &format!("m{i}"), "alice", "x")).code, 0);
    }
}

/// The system type and values outside the enum are not sendable, and the sender is in no group, chatroom or ultra
/// group: each answers a documented non-zero code.
#[test]
fn unsupported_conversations_and_chatrooms_not_joined_are_refused() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    for (conversation_type, code) in [
        (0, ErrorCode::PROTOCOL_MALFORMED_FRAME),
        (2, ErrorCode::NOT_IN_GROUP),
        (3, ErrorCode::NOT_IN_CHATROOM),
        (4, ErrorCode::PROTOCOL_UNEXPECTED_FRAME),
        (5, ErrorCode::NOT_IN_ULTRA_GROUP),
        (6, ErrorCode::PROTOCOL_MALFORMED_FRAME),
    ] {
        let mut body = publish_body("m", "group-1", "x");
        if let Body::Publish(publish) = &mut body {
            publish.conversation_type = conversation_type;
        }
        h.send(bob, body);
        assert_eq!(h.outputs(), vec![sent(bob, Body::PublishAck(refused("m", code)))], "type {conversation_type}");
    }
    assert_eq!(h.server.inbox_len(APP, "group-1", h.now), 0);
}

#[test]
fn bad_ids_in_a_publish_are_refused() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    for target in [String::new(), "t".repeat(65)] {
        let ack = only_ack(bob, &h.publish(bob, "m", &target, "x"));
        assert_eq!(ack, refused("m", ErrorCode::PROTOCOL_MALFORMED_FRAME));
    }
    assert_eq!(only_ack(bob, &h.publish(bob, "m", &"t".repeat(64), "x")).code, 0);

    for id in [String::new(), "i".repeat(CLIENT_MESSAGE_ID_BYTES_MAX + 1)] {
        let bob = h.connect_live("bob", "laptop");
        let outputs = h.publish(bob, &id, "alice", "x");
        assert_eq!(without_reasons(outputs), closed_with(bob, ErrorCode::PROTOCOL_MALFORMED_FRAME));
    }
}

/// A private message to a user ID never registered is kept for that user, who gets it after registering.
#[test]
fn messages_to_unregistered_users_wait_for_them() {
    let mut h = Harness::new();
    let bob = h.connect_live("bob", "phone");
    assert_eq!(only_ack(bob, &h.publish(bob, "m1", "newcomer", "welcome")).code, 0);
    assert!(!h.server.is_registered(APP, "newcomer"));
    let (newcomer, outputs) = h.connect("newcomer", "phone", 0);
    assert_eq!(package(newcomer, &outputs).messages[0].sender_user_id, "bob");
}

/// The same inputs give the same outputs: two runs of a mixed workload produce identical output streams.
#[test]
fn runs_are_deterministic() {
    fn run() -> Vec<ServerOutput> {
        let mut h = Harness::new();
        let mut all = Vec::new();
        let bob = h.connect_live("bob", "phone");
        let phone = h.connect_live("alice", "phone");
        let laptop = h.connect_live("alice", "laptop");
        for i in 0..30 {
            h.advance(300);
            all.extend(h.publish(bob, &format!("m{i}"), if i % 3 == 0 { "carol" } else { "alice" }, "x"));
            if i == 10 {
                h.server.handle_connection_closed(laptop, h.now);
            }
        }
        h.send(phone, Body::InboxAck(proto::InboxAck { cursor: 20 }));
        let (carol, outputs) = h.connect("carol", "phone", 0);
        all.extend(outputs);
        h.send(carol, Body::Logout(proto::Logout { receive_push: true }));
        all.extend(h.outputs());
        all
    }
    assert_eq!(run(), run());
}
