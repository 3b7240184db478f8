//! Chatroom history queries (CR-25, CR-45) and load shedding (BIZ-13, CR-27 to CR-29, CR-42).

use proto::{request, response};

use super::chatroom::*;
use super::*;

fn history_body(room: &str, timestamp: i64, order: u32, count: u32) -> request::Body {
    request::Body::ChatroomHistory(proto::ChatroomHistoryQuery { room_id: room.to_owned(), timestamp, order, count })
}

/// Asks for history; returns the texts and the sync time, asserting code 0.
fn history(h: &mut Harness, conn: ConnId, timestamp: i64, order: u32, count: u32) -> (Vec<String>, i64) {
    let (response, rest) = chatroom_request(h, conn, history_body(ROOM, timestamp, order, count));
    assert_eq!((response.code, rest), (0, vec![]));
    let Some(response::Body::ChatroomHistory(history)) = response.body else {
        panic!("expected ChatroomHistory, got {response:?}");
    };
    (texts(&history.messages), history.sync_time)
}

fn history_code(h: &mut Harness, conn: ConnId, room: &str, order: u32, count: u32) -> u32 {
    let (response, rest) = chatroom_request(h, conn, history_body(room, 0, order, count));
    assert_eq!((&response.body, rest), (&None, vec![]));
    response.code
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|&text| text.to_owned()).collect()
}

/// CR-25, CR-45: the switch (23414), membership (23406) and the count and order (23412) are checked; order 0 gives
/// the newest messages before the timestamp (0: from the newest), order 1 the oldest after it, both ascending, with
/// the sync time of the oldest (order 0) or newest (order 1) returned, 0 when none.
#[test]
fn history_queries() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let carol = h.connect_live("carol", "phone");
    let mut sent_times = Vec::new();
    for i in 0..6 {
        h.advance(10);
        sent_times.push(say(&mut h, alice, ROOM, &format!("m{i}")).0.sent_time);
    }
    assert_eq!(history_code(&mut h, alice, ROOM, 0, 10), ErrorCode::CHATROOM_HISTORY_UNAVAILABLE.to_wire());
    h.configure(|config| config.chatroom_cloud_storage = true);
    assert_eq!(history_code(&mut h, carol, ROOM, 0, 10), ErrorCode::NOT_IN_CHATROOM.to_wire());
    assert_eq!(history_code(&mut h, alice, "missing", 0, 10), ErrorCode::NOT_IN_CHATROOM.to_wire());
    for (order, count) in [(0, 0), (0, 51), (1, 0), (2, 10)] {
        let code = history_code(&mut h, alice, ROOM, order, count);
        assert_eq!(code, ErrorCode::CHATROOM_PARAMETER_INVALID.to_wire(), "order {order} count {count}");
    }

    assert_eq!(history(&mut h, alice, 0, 0, 3), (strings(&["m3", "m4", "m5"]), sent_times[3]));
    assert_eq!(history(&mut h, alice, sent_times[3], 0, 2), (strings(&["m1", "m2"]), sent_times[1]));
    assert_eq!(history(&mut h, alice, sent_times[1], 0, 50), (strings(&["m0"]), sent_times[0]));
    assert_eq!(history(&mut h, alice, sent_times[0], 0, 50), (vec![], 0));
    assert_eq!(history(&mut h, alice, 0, 1, 2), (strings(&["m0", "m1"]), sent_times[1]));
    assert_eq!(history(&mut h, alice, sent_times[1], 1, 3), (strings(&["m2", "m3", "m4"]), sent_times[4]));
    assert_eq!(history(&mut h, alice, sent_times[4], 1, 50), (strings(&["m5"]), sent_times[5]));
    assert_eq!(history(&mut h, alice, sent_times[5], 1, 50), (vec![], 0));
    assert_eq!(history(&mut h, alice, 0, 0, 50).0.len(), 6);
}

/// CR-25: history is kept 2 months, whatever the switch said when the messages were sent.
#[test]
fn history_is_kept_two_months() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.set_chatroom_keep_alive(APP, ROOM, true).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    say(&mut h, alice, ROOM, "old");
    h.advance(CHATROOM_HISTORY_RETENTION_MS - 1);
    say(&mut h, alice, ROOM, "new");
    h.configure(|config| config.chatroom_cloud_storage = true);
    assert_eq!(history(&mut h, alice, 0, 0, 50).0, strings(&["old", "new"]));
    h.advance(1);
    assert_eq!(history(&mut h, alice, 0, 0, 50).0, strings(&["new"]));
    let bob = h.connect_live("bob", "phone");
    assert_eq!(texts(&join(&mut h, bob, ROOM, 50).0.messages), strings(&["new"]));
}

/// A `Publish` into the room with `object_name` (a text payload).
fn typed_publish(id: &str, object_name: &str) -> proto::Publish {
    let mut publish = chatroom_publish(id, ROOM, id);
    publish.content.as_mut().expect("a text").object_name = object_name.to_owned();
    publish
}

/// Sends a message of `object_name` from `conn`, asserting ack 0; returns whether `listener` got it.
fn reaches(h: &mut Harness, conn: ConnId, id: &str, object_name: &str, listener: ConnId) -> bool {
    let outputs = h.publish_with(conn, typed_publish(id, object_name));
    let (ack, rest) = split_ack(conn, &outputs);
    assert_eq!(ack.code, 0, "a discarded message is acknowledged all the same");
    match rest {
        [] => false,
        [ServerOutput::Send { conn: to, frame: proto::Frame { body: Some(Body::ChatroomDelivery(_)) } }] => {
            assert_eq!(*to, listener);
            true
        }
        other => panic!("unexpected outputs {other:?}"),
    }
}

const TEXT: &str = "RC:TxtMsg";

/// BIZ-13: once the room delivered `chatroom_messages_per_second` messages in the sliding second, the next are
/// discarded (acknowledged, not delivered, not in history) until the window moves on.
#[test]
fn messages_beyond_the_cap_are_discarded() {
    let mut h = chatroom_harness();
    h.configure(|config| {
        config.chatroom_messages_per_second = 4;
        config.chatroom_cloud_storage = true;
    });
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    let start = h.now;
    for i in 0..4 {
        assert!(reaches(&mut h, bob, &format!("kept{i}"), TEXT, alice));
        h.advance(100);
    }
    assert!(!reaches(&mut h, bob, "dropped0", TEXT, alice));
    h.now = start + 999;
    assert!(!reaches(&mut h, bob, "dropped1", TEXT, alice));
    h.now = start + 1_000;
    assert!(reaches(&mut h, bob, "kept4", TEXT, alice), "the first message left the window");
    assert!(!reaches(&mut h, bob, "dropped2", TEXT, alice));
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(5));
    let (response, _) = chatroom_request(
        &mut h,
        alice,
        request::Body::ChatroomHistory(proto::ChatroomHistoryQuery {
            room_id: ROOM.to_owned(),
            timestamp: 0,
            order: 0,
            count: 50,
        }),
    );
    let Some(response::Body::ChatroomHistory(history)) = response.body else { panic!("{response:?}") };
    assert_eq!(texts(&history.messages), strings(&["kept0", "kept1", "kept2", "kept3", "kept4"]));
    // A discarded message still counts as activity (somebody spoke).
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), Some(h.now + HOUR));
}

/// CR-28, CR-29, BIZ-13: whitelisted senders and message types are always delivered, even past the cap, and fill
/// the window like the rest.
#[test]
fn whitelisted_users_and_types_are_never_discarded() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_messages_per_second = 2);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.add_chatroom_user_whitelist(APP, ROOM, &["vip".to_owned()]).unwrap();
    h.server.set_chatroom_message_whitelist(APP, &["App:Gift".to_owned()]).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let vip = member(&mut h, "vip", "phone", ROOM);
    for i in 0..5 {
        assert!(reaches(&mut h, vip, &format!("vip{i}"), TEXT, alice), "vip{i}");
    }
    let bob = h.connect_live("bob", "phone");
    join(&mut h, bob, ROOM, 0);
    assert!(!reaches(&mut h, bob, "plain", TEXT, alice), "the whitelisted user filled the window");
    let outputs = h.publish_with(bob, typed_publish("gift", "App:Gift"));
    let (ack, rest) = split_ack(bob, &outputs);
    assert_eq!(ack.code, 0);
    assert_eq!(chatroom_deliveries(rest), vec![(alice, "App:Gift".to_owned()), (vip, "App:Gift".to_owned())]);
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(6));
}

/// CR-27: a low-priority type is discarded once the window holds half the cap, while other messages still get
/// through up to the cap; with a cap of 1, half is still 1.
#[test]
fn low_priority_types_are_discarded_first() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_messages_per_second = 4);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.set_chatroom_low_priority_types(APP, &["App:Like".to_owned()]).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    assert!(reaches(&mut h, bob, "like0", "App:Like", alice));
    assert!(reaches(&mut h, bob, "like1", "App:Like", alice));
    assert!(!reaches(&mut h, bob, "like2", "App:Like", alice), "2 = half the cap");
    assert!(reaches(&mut h, bob, "text0", TEXT, alice));
    assert!(reaches(&mut h, bob, "text1", TEXT, alice));
    assert!(!reaches(&mut h, bob, "text2", TEXT, alice));

    h.advance(1_000);
    h.configure(|config| config.chatroom_messages_per_second = 1);
    assert!(reaches(&mut h, bob, "like3", "App:Like", alice));
    assert!(!reaches(&mut h, bob, "like4", "App:Like", alice));
}

/// CR-42: discarded messages do not count for eviction.
#[test]
fn discarded_messages_do_not_count_for_eviction() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_messages_per_second = 4);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    let alice = member(&mut h, "alice", "phone", ROOM);
    h.server.handle_connection_closed(alice, h.now);
    for i in 0..40 {
        say(&mut h, bob, ROOM, &format!("m{i}"));
    }
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(4));
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["alice", "bob"], "only 4 were delivered");
    for i in 0..26 {
        h.advance(1_000);
        say(&mut h, bob, ROOM, &format!("n{i}"));
    }
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["alice", "bob"], "30 delivered in 26 s");
    h.advance(1_000);
    say(&mut h, bob, ROOM, "last");
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["bob"]);
}

/// CR-12, BIZ-24: with "join returns specified messages", a join fetches the latest messages of those types only.
#[test]
fn a_join_can_fetch_only_specified_types() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_join_message_types = Some(["App:Gift".to_owned()].into()));
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    for (id, object_name) in [("g1", "App:Gift"), ("t1", "RC:TxtMsg"), ("g2", "App:Gift"), ("t2", "RC:TxtMsg")] {
        h.advance(1);
        let outputs = h.publish_with(bob, typed_publish(id, object_name));
        assert_eq!(split_ack(bob, &outputs).0.code, 0);
    }
    // Every message's payload is a `TextContent` holding its ID, whatever its object name.
    let ids = |messages: &[proto::DeliveredMessage]| -> Vec<String> {
        let payload = |m: &proto::DeliveredMessage| m.content.as_ref().map(|c| c.payload.clone()).unwrap_or_default();
        messages
            .iter()
            .map(|m| <proto::TextContent as prost::Message>::decode(payload(m).as_slice()).expect("text").text)
            .collect()
    };
    let alice = h.connect_live("alice", "phone");
    let (joined, _) = join(&mut h, alice, ROOM, 1);
    assert_eq!(ids(&joined.messages), ["g2"], "the latest gift, not the latest message");
    let carol = h.connect_live("carol", "phone");
    assert_eq!(ids(&join(&mut h, carol, ROOM, 10).0.messages), ["g1", "g2"]);

    h.configure(|config| config.chatroom_join_message_types = None);
    let dave = h.connect_live("dave", "phone");
    assert_eq!(ids(&join(&mut h, dave, ROOM, 10).0.messages), ["g1", "t1", "g2", "t2"], "every type by default");
}

/// DEL-8: the Server API clears a room's history for everyone, only while chatroom cloud history storage is on and
/// only for a room that exists; messages sent afterwards are kept.
#[test]
fn the_server_api_clears_a_rooms_history() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    say(&mut h, alice, ROOM, "before");
    assert_eq!(
        h.server.clear_chatroom_history(APP, ROOM),
        Err(ApiError::ChatroomHistoryOff { room_id: ROOM.to_owned() }),
        "no history to clear while the switch is off"
    );
    h.configure(|config| config.chatroom_cloud_storage = true);
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(1), "the refusal changed nothing");
    assert_eq!(
        h.server.clear_chatroom_history(APP, "missing"),
        Err(ApiError::UnknownChatroom { room_id: "missing".to_owned() })
    );
    h.server.clear_chatroom_history(APP, ROOM).unwrap();
    assert_eq!(history(&mut h, alice, 0, 0, 50).0, Vec::<String>::new());
    h.advance(10);
    say(&mut h, alice, ROOM, "after");
    assert_eq!(history(&mut h, alice, 0, 0, 50).0, strings(&["after"]));
}
