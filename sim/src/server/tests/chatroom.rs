//! Chatrooms (CR): join, leave, the single-room rule, sending, offline eviction, member events, destruction and
//! malformed requests. This file also holds the chatroom helpers `chatroom_messages` and `chatroom_kv` use.

use imsim_engine::ChatRoomStatus;
use proto::{chatroom_notice, request, response};

use super::*;

pub(super) const ROOM: &str = "room-1";
pub(super) const OTHER_ROOM: &str = "room-2";
pub(super) const HOUR: i64 = 60 * 60 * 1_000;

/// A harness without the client send rate (chatroom tests send in bursts) and with connections that never go idle
/// within a test (destruction tests wait hours).
pub(super) fn chatroom_harness() -> Harness {
    let config =
        ServerConfig { client_send_rate: None, session_idle_timeout_ms: 30 * 24 * HOUR, ..ServerConfig::default() };
    Harness::with_config(config)
}

/// Sends a `Request` with `body` on `conn`; returns its `Response` (which must come first) and the other outputs.
pub(super) fn chatroom_request(
    h: &mut Harness,
    conn: ConnId,
    body: request::Body,
) -> (proto::Response, Vec<ServerOutput>) {
    h.send(conn, Body::Request(proto::Request { request_id: 7, body: Some(body) }));
    let mut outputs = h.outputs();
    match outputs.first() {
        Some(ServerOutput::Send { conn: to, frame: proto::Frame { body: Some(Body::Response(response)) } })
            if *to == conn =>
        {
            assert_eq!(response.request_id, 7);
            let response = response.clone();
            outputs.remove(0);
            (response, outputs)
        }
        _ => panic!("expected a Response for {conn:?} first, got {outputs:?}"),
    }
}

pub(super) fn join_body(room: &str, fetch_count: u32, auto_create: bool) -> request::Body {
    request::Body::ChatroomJoin(proto::ChatroomJoin {
        room_id: room.to_owned(),
        fetch_count,
        auto_create,
        rejoin: false,
    })
}

pub(super) fn leave_body(room: &str) -> request::Body {
    request::Body::ChatroomLeave(proto::ChatroomLeave { room_id: room.to_owned() })
}

/// Joins `room` (which must exist) on `conn`, asserting code 0; returns the answer and the notices for others.
pub(super) fn join(
    h: &mut Harness,
    conn: ConnId,
    room: &str,
    fetch_count: u32,
) -> (proto::ChatroomJoined, Vec<ServerOutput>) {
    let (response, notices) = chatroom_request(h, conn, join_body(room, fetch_count, false));
    assert_eq!(response.code, 0, "join {room}");
    let Some(response::Body::ChatroomJoined(joined)) = response.body else {
        panic!("expected ChatroomJoined, got {response:?}");
    };
    (joined, notices)
}

/// Connects `user` from `device` and joins `room`, asserting a fresh membership; the notices it caused for others
/// (a join action, with member events on) are dropped.
pub(super) fn member(h: &mut Harness, user: &str, device: &str, room: &str) -> ConnId {
    let conn = h.connect_live(user, device);
    let (joined, _) = join(h, conn, room, 0);
    assert!(!joined.resumed);
    conn
}

/// A chatroom `Publish` of a text message.
pub(super) fn chatroom_publish(id: &str, room: &str, text: &str) -> proto::Publish {
    proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: 3,
        target_id: room.to_owned(),
        content: Some(text_content(text)),
        ..Default::default()
    }
}

/// Sends a text into `room` from `conn`, asserting acceptance; returns the ack and the outputs after it.
pub(super) fn say(h: &mut Harness, conn: ConnId, room: &str, text: &str) -> (proto::PublishAck, Vec<ServerOutput>) {
    let id = format!("{text}-{}", h.now);
    let outputs = h.publish_with(conn, chatroom_publish(&id, room, text));
    let (ack, rest) = split_ack(conn, &outputs);
    assert_eq!(ack.code, 0, "{text}");
    (ack, rest.to_vec())
}

/// The `ChatroomDelivery` frames in `outputs`, as (connection, object name).
pub(super) fn chatroom_deliveries(outputs: &[ServerOutput]) -> Vec<(ConnId, String)> {
    outputs
        .iter()
        .filter_map(|output| match output {
            ServerOutput::Send { conn, frame: proto::Frame { body: Some(Body::ChatroomDelivery(delivery)) } } => {
                let message = delivery.message.as_ref().expect("a delivery carries a message");
                Some((*conn, message.content.as_ref().expect("a message has content").object_name.clone()))
            }
            _ => None,
        })
        .collect()
}

pub(super) fn notice(conn: ConnId, room: &str, body: chatroom_notice::Body) -> ServerOutput {
    sent(conn, Body::ChatroomNotice(proto::ChatroomNotice { room_id: room.to_owned(), body: Some(body) }))
}

/// A member action notice: action 1 join, 2 leave.
pub(super) fn member_notice(conn: ConnId, room: &str, user: &str, action: u32) -> ServerOutput {
    let action = proto::ChatroomMemberAction { user_id: user.to_owned(), action };
    notice(conn, room, chatroom_notice::Body::MembersChanged(proto::ChatroomMembersChanged { actions: vec![action] }))
}

pub(super) fn destroyed_notice(conn: ConnId, room: &str, status: ChatRoomStatus) -> ServerOutput {
    notice(conn, room, chatroom_notice::Body::Destroyed(proto::ChatroomDestroyed { status: status.ordinal() }))
}

fn members(h: &Harness, room: &str) -> Vec<String> {
    h.server.chatroom_members(APP, room).expect("the room exists")
}

/// CR-2, CR-20: a member joins a room the Server API created and leaves it; leaving again is 23406.
#[test]
fn join_and_leave() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = h.connect_live("alice", "phone");
    let (joined, notices) = join(&mut h, alice, ROOM, 0);
    assert_eq!(joined, proto::ChatroomJoined::default(), "nothing to fetch, no entries, not resumed");
    assert_eq!(notices, vec![]);
    assert_eq!(members(&h, ROOM), vec!["alice"]);

    let (response, notices) = chatroom_request(&mut h, alice, leave_body(ROOM));
    assert_eq!((response.code, response.body, notices), (0, None, vec![]));
    assert_eq!(members(&h, ROOM), Vec::<String>::new());
    let (response, _) = chatroom_request(&mut h, alice, leave_body(ROOM));
    assert_eq!(response.code, ErrorCode::NOT_IN_CHATROOM.to_wire());
    let (response, _) = chatroom_request(&mut h, alice, leave_body("never-created"));
    assert_eq!(response.code, ErrorCode::NOT_IN_CHATROOM.to_wire());
}

/// CR-2, CR-6, CR-39: a missing room answers 23410 without `auto_create` and is created with it; each creation is
/// a new session; creating again through the API changes nothing.
#[test]
fn auto_create_and_sessions() {
    let mut h = chatroom_harness();
    let alice = h.connect_live("alice", "phone");
    let (response, notices) = chatroom_request(&mut h, alice, join_body(ROOM, 10, false));
    assert_eq!((response.code, response.body, notices), (ErrorCode::CHATROOM_NOT_EXIST.to_wire(), None, vec![]));
    assert!(!h.server.chatroom_exists(APP, ROOM));

    let (response, _) = chatroom_request(&mut h, alice, join_body(ROOM, 10, true));
    assert_eq!(response.code, 0);
    assert_eq!(members(&h, ROOM), vec!["alice"]);
    let first = h.server.chatroom_session_id(APP, ROOM).unwrap();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(h.server.chatroom_session_id(APP, ROOM), Some(first), "idempotent");
    assert_eq!(members(&h, ROOM), vec!["alice"]);

    h.server.destroy_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(h.outputs(), vec![destroyed_notice(alice, ROOM, ChatRoomStatus::DestroyManual)]);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let second = h.server.chatroom_session_id(APP, ROOM).unwrap();
    assert!(second > first, "CR-6: a new session");
    assert_eq!(members(&h, ROOM), Vec::<String>::new());

    assert!(matches!(h.server.create_chatroom(APP, "", h.now), Err(ApiError::InvalidChatroomId { .. })));
    assert!(matches!(h.server.create_chatroom("nope", ROOM, h.now), Err(ApiError::UnknownApp { .. })));
    assert!(matches!(h.server.destroy_chatroom(APP, "missing", h.now), Err(ApiError::UnknownChatroom { .. })));
}

/// CR-22: only members may send (23406, also for a missing room); a message reaches every joined connection but
/// the sender's, including the sender's other joined device, and not a connection of a member that did not join.
#[test]
fn messages_reach_joined_connections_but_the_senders() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice_phone = member(&mut h, "alice", "phone", ROOM);
    let alice_laptop = h.connect_live("alice", "laptop");
    let (joined, _) = join(&mut h, alice_laptop, ROOM, 0);
    assert!(joined.resumed, "alice was already a member");
    let _alice_web = h.connect_live("alice", "web");
    let bob = member(&mut h, "bob", "phone", ROOM);
    let carol = h.connect_live("carol", "phone");

    for (room, conn) in [(ROOM, carol), ("missing", bob)] {
        let outputs = h.publish_with(conn, chatroom_publish("m", room, "hi"));
        assert_eq!(outputs, refused_publish(conn, "m", ErrorCode::NOT_IN_CHATROOM));
    }

    h.advance(5);
    let (ack, rest) = say(&mut h, alice_phone, ROOM, "hello");
    let message = proto::DeliveredMessage {
        seq: 0,
        message_uid: ack.message_uid.clone(),
        conversation_type: 3,
        target_id: ROOM.to_owned(),
        sender_user_id: "alice".to_owned(),
        sent_time: ack.sent_time,
        content: Some(text_content("hello")),
        ..Default::default()
    };
    assert_eq!(ack.sent_time, h.now);
    let delivery =
        |conn| sent(conn, Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(message.clone()) }));
    assert_eq!(rest, vec![delivery(alice_laptop), delivery(bob)]);
    assert_eq!(h.server.inbox_len(APP, "bob", h.now), 0, "chatroom messages skip inboxes");
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(1));
}

/// CR-10, CR-12, CR-38: the join fetch returns the latest messages oldest first: none for 0, as many as asked,
/// at most 50, and fewer when fewer exist.
#[test]
fn join_fetches_the_latest_messages() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    for i in 0..5 {
        h.advance(1);
        say(&mut h, bob, ROOM, &format!("m{i}"));
    }
    let alice = h.connect_live("alice", "phone");
    let (joined, _) = join(&mut h, alice, ROOM, 10);
    assert_eq!(texts(&joined.messages), ["m0", "m1", "m2", "m3", "m4"], "fewer than asked");
    assert!(joined.messages.iter().all(|m| m.seq == 0 && m.conversation_type == 3 && m.target_id == ROOM));

    for i in 5..60 {
        h.advance(1);
        say(&mut h, bob, ROOM, &format!("m{i}"));
    }
    let expected = |from: usize, to: usize| (from..to).map(|i| format!("m{i}")).collect::<Vec<_>>();
    let carol = h.connect_live("carol", "phone");
    assert_eq!(join(&mut h, carol, ROOM, 0).0.messages, vec![], "fetch count 0 (messageCount -1)");
    let dave = h.connect_live("dave", "phone");
    assert_eq!(texts(&join(&mut h, dave, ROOM, 10).0.messages), expected(50, 60));
    let erin = h.connect_live("erin", "phone");
    assert_eq!(texts(&join(&mut h, erin, ROOM, 1_000).0.messages), expected(10, 60), "capped at 50");
}

/// CR-9, CR-40: joining another room leaves the previous one (listed in `left_room_ids`, with a leave action
/// there); with `chatroom_multi_room` the user stays in both.
#[test]
fn the_single_room_rule() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_member_events = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    let alice = h.connect_live("alice", "phone");
    let (_, notices) = join(&mut h, alice, ROOM, 0);
    assert_eq!(notices, vec![member_notice(bob, ROOM, "alice", 1)]);
    let alice_laptop = h.connect_live("alice", "laptop");
    assert!(join(&mut h, alice_laptop, ROOM, 0).0.resumed);

    let (joined, notices) = join(&mut h, alice, OTHER_ROOM, 0);
    assert_eq!(joined.left_room_ids, vec![ROOM.to_owned()]);
    assert!(!joined.resumed);
    assert_eq!(notices, vec![member_notice(bob, ROOM, "alice", 2)], "nobody else is in room-2");
    assert_eq!(members(&h, ROOM), vec!["bob"], "every connection of alice left");
    assert_eq!(members(&h, OTHER_ROOM), vec!["alice"]);
    let (_, rest) = say(&mut h, bob, ROOM, "still there?");
    assert_eq!(rest, vec![], "alice's laptop no longer gets room-1");

    h.configure(|config| config.chatroom_multi_room = true);
    let (joined, notices) = join(&mut h, alice, ROOM, 0);
    assert_eq!(joined.left_room_ids, Vec::<String>::new());
    assert_eq!(notices, vec![member_notice(bob, ROOM, "alice", 1)]);
    assert_eq!(members(&h, ROOM), vec!["alice", "bob"]);
    assert_eq!(members(&h, OTHER_ROOM), vec!["alice"]);
}

/// Connects `user` on a phone, joins `room`, then loses the connection at the current time.
fn offline_member(h: &mut Harness, user: &str, room: &str) {
    let conn = member(h, user, "phone", room);
    h.server.handle_connection_closed(conn, h.now);
    assert_eq!(h.outputs(), vec![]);
    assert!(h.server.chatroom_offline_members(APP, room).unwrap().contains(&user.to_owned()));
}

/// CR-16 (a), CR-42: within 30 s of going offline, the 30th message keeps the member and the 31st evicts them.
#[test]
fn the_31st_message_within_30_seconds_evicts() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_member_events = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    offline_member(&mut h, "alice", ROOM);
    assert_eq!(members(&h, ROOM), vec!["alice", "bob"], "a disconnect keeps the membership");
    for i in 0..30 {
        h.advance(900);
        let (_, rest) = say(&mut h, bob, ROOM, &format!("m{i}"));
        assert_eq!(rest, vec![]);
    }
    assert_eq!(members(&h, ROOM), vec!["alice", "bob"], "30 messages in 27 s");
    h.advance(900);
    let (_, rest) = say(&mut h, bob, ROOM, "m30");
    assert_eq!(rest, vec![member_notice(bob, ROOM, "alice", 2)], "the sender's connection is told too");
    assert_eq!(members(&h, ROOM), vec!["bob"]);
}

/// CR-16: a member whose joined connection closed but who sends from another connection is not away; only the
/// others' messages count toward its eviction.
#[test]
fn an_offline_member_s_own_messages_do_not_evict_it() {
    let mut h = chatroom_harness();
    h.configure(|config| config.mobile_devices_max = 2);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    offline_member(&mut h, "alice", ROOM);
    let desk = h.connect_live("alice", "tablet");
    h.advance(31_000);
    say(&mut h, desk, ROOM, "still here");
    assert_eq!(members(&h, ROOM), vec!["alice"], "alice's own message");
    let bob = member(&mut h, "bob", "phone", ROOM);
    say(&mut h, bob, ROOM, "hello");
    assert_eq!(members(&h, ROOM), vec!["bob"], "the first message of someone else after 30 s");
}

/// CR-16 (b), CR-42: offline for 29.999 s, a message does not evict; at exactly 30 s, one message does.
#[test]
fn one_message_at_30_seconds_offline_evicts() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    offline_member(&mut h, "alice", ROOM);
    h.advance(29_999);
    say(&mut h, bob, ROOM, "early");
    assert_eq!(members(&h, ROOM), vec!["alice", "bob"]);
    h.advance(1);
    let (_, rest) = say(&mut h, bob, ROOM, "on time");
    assert_eq!(rest, vec![], "member events are off");
    assert_eq!(members(&h, ROOM), vec!["bob"]);
}

/// CR-18: with the real-time eviction ticket, an offline member is evicted 5 minutes after going offline without
/// any message; a rejoin before then resets the clock; the whitelist still protects.
#[test]
fn the_real_time_eviction_ticket_evicts_without_messages() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_realtime_eviction = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.set_chatroom_keep_alive(APP, ROOM, true).unwrap();
    h.server.add_chatroom_user_whitelist(APP, ROOM, &["carol".to_owned()]).unwrap();
    offline_member(&mut h, "carol", ROOM);
    offline_member(&mut h, "alice", ROOM);
    let offline_at = h.now;
    assert_eq!(h.server.poll_timeout(), Some(offline_at + CHATROOM_REALTIME_EVICTION_MS), "alice's, not carol's");

    // Back after 4 minutes, then gone again: the 5 minutes start over.
    h.advance(4 * 60_000);
    let phone = h.connect_live("alice", "phone");
    assert!(join(&mut h, phone, ROOM, 0).0.resumed);
    h.server.handle_connection_closed(phone, h.now);
    let offline_again_at = h.now;
    h.advance(CHATROOM_REALTIME_EVICTION_MS - 1);
    h.server.handle_timeout(h.now);
    assert_eq!(members(&h, ROOM), vec!["alice", "carol"], "1 ms before the deadline");
    h.advance(1);
    assert_eq!(h.now, offline_again_at + CHATROOM_REALTIME_EVICTION_MS);
    h.server.handle_timeout(h.now);
    assert_eq!(members(&h, ROOM), vec!["carol"], "evicted at the deadline; the whitelisted member stays");
    assert_eq!(h.server.poll_timeout(), None, "nothing left to evict, and the room is kept alive");
}

/// CR-17, CR-19: no message, no eviction, however long; a whitelisted member is never evicted.
#[test]
fn no_eviction_without_messages_or_for_the_whitelist() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.set_chatroom_keep_alive(APP, ROOM, true).unwrap();
    h.server.add_chatroom_user_whitelist(APP, ROOM, &["carol".to_owned()]).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    offline_member(&mut h, "alice", ROOM);
    offline_member(&mut h, "carol", ROOM);
    h.advance(5 * HOUR);
    h.server.handle_timeout(h.now);
    let dave = member(&mut h, "dave", "phone", ROOM);
    chatroom_request(&mut h, dave, leave_body(ROOM));
    assert_eq!(members(&h, ROOM), vec!["alice", "bob", "carol"], "joins and leaves are not messages");
    for i in 0..40 {
        h.advance(1_000);
        say(&mut h, bob, ROOM, &format!("m{i}"));
    }
    assert_eq!(members(&h, ROOM), vec!["bob", "carol"]);
    h.server.remove_chatroom_user_whitelist(APP, ROOM, &["carol".to_owned()]).unwrap();
    say(&mut h, bob, ROOM, "now");
    assert_eq!(members(&h, ROOM), vec!["bob"]);
}

/// CR-42: a rejoin before eviction resumes the membership (no join action) and resets the timer and counter; after
/// an eviction the rejoin is a new membership.
#[test]
fn a_rejoin_before_eviction_resumes_and_resets_the_counter() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_member_events = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    offline_member(&mut h, "alice", ROOM);
    let _ = h.outputs();
    for i in 0..20 {
        h.advance(100);
        say(&mut h, bob, ROOM, &format!("a{i}"));
    }
    h.advance(25_000);
    let alice = h.connect_live("alice", "phone");
    let (joined, notices) = join(&mut h, alice, ROOM, 0);
    assert!(joined.resumed);
    assert_eq!(notices, vec![], "a resumed rejoin is not a join action");
    h.server.handle_connection_closed(alice, h.now);
    for i in 0..30 {
        h.advance(100);
        say(&mut h, bob, ROOM, &format!("b{i}"));
    }
    assert_eq!(members(&h, ROOM), vec!["alice", "bob"], "the counter started again from 0");
    h.advance(100);
    let (_, rest) = say(&mut h, bob, ROOM, "b30");
    assert_eq!(rest, vec![member_notice(bob, ROOM, "alice", 2)]);

    let alice = h.connect_live("alice", "phone");
    let (joined, notices) = join(&mut h, alice, ROOM, 0);
    assert!(!joined.resumed, "evicted in between");
    assert_eq!(notices, vec![member_notice(bob, ROOM, "alice", 1)]);
}

/// CR-24: with member events off, joins and leaves notify nobody; on, the others (not the acting user's
/// connections) get each action.
#[test]
fn member_events_follow_the_switch() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    let alice = member(&mut h, "alice", "phone", ROOM);
    assert_eq!(chatroom_request(&mut h, alice, leave_body(ROOM)).1, vec![]);

    h.configure(|config| config.chatroom_member_events = true);
    let (_, notices) = join(&mut h, alice, ROOM, 0);
    assert_eq!(notices, vec![member_notice(bob, ROOM, "alice", 1)]);
    let alice_laptop = h.connect_live("alice", "laptop");
    assert_eq!(join(&mut h, alice_laptop, ROOM, 0).1, vec![]);
    let (_, notices) = chatroom_request(&mut h, bob, leave_body(ROOM));
    assert_eq!(notices, vec![member_notice(alice, ROOM, "bob", 2), member_notice(alice_laptop, ROOM, "bob", 2)]);
    let (_, notices) = chatroom_request(&mut h, alice, leave_body(ROOM));
    assert_eq!(notices, vec![], "nobody left to tell");
}

/// CR-4, BIZ-21: a room is destroyed at exactly last activity + 1 h (not 1 ms earlier), every joined connection
/// gets destroyAuto, and the room's members, KV entries and history go with it.
#[test]
fn an_inactive_room_is_destroyed_at_its_deadline() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_kv = true);
    let created = h.now;
    h.server.create_chatroom(APP, ROOM, created).unwrap();
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), Some(created + HOUR));
    h.advance(10 * 60_000);
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    h.advance(10 * 60_000);
    say(&mut h, bob, ROOM, "hi");
    let last_activity = h.now;
    let set = request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
        room_id: ROOM.to_owned(),
        entries: vec![proto::ChatroomEntry { key: "k".to_owned(), value: "v".to_owned() }],
        delete_when_left: false,
        overwrite: false,
    });
    h.advance(30 * 60_000);
    chatroom_request(&mut h, alice, set);
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), Some(last_activity + HOUR), "KV is not activity");
    assert_eq!(h.server.poll_timeout(), Some(last_activity + HOUR));

    h.now = last_activity + HOUR - 1;
    h.server.handle_timeout(h.now);
    assert_eq!(h.outputs(), vec![]);
    assert!(h.server.chatroom_exists(APP, ROOM));
    h.now = last_activity + HOUR;
    h.server.handle_timeout(h.now);
    assert_eq!(
        h.outputs(),
        vec![
            destroyed_notice(alice, ROOM, ChatRoomStatus::DestroyAuto),
            destroyed_notice(bob, ROOM, ChatRoomStatus::DestroyAuto)
        ]
    );
    assert!(!h.server.chatroom_exists(APP, ROOM));
    assert_eq!(h.server.chatroom_entries(APP, ROOM), None);
    assert_eq!(h.server.chatroom_members(APP, ROOM), None);
    assert_eq!(h.server.poll_timeout(), Some(last_activity + 30 * 24 * HOUR), "only bob's idle timer is left");

    // The users are no longer members: sending is refused, and recreating starts empty.
    let outputs = h.publish_with(bob, chatroom_publish("late", ROOM, "x"));
    assert_eq!(outputs, refused_publish(bob, "late", ErrorCode::NOT_IN_CHATROOM));
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(0));
    assert_eq!(h.server.chatroom_entries(APP, ROOM), Some(BTreeMap::new()));
}

/// CR-4: joins, leaves and accepted messages push the deadline back; the period is the app's setting.
#[test]
fn activity_pushes_the_deadline_back_and_the_period_is_configurable() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_destroy_after_ms = 5 * 60_000);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.advance(4 * 60_000);
    let alice = member(&mut h, "alice", "phone", ROOM);
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), Some(h.now + 5 * 60_000));
    h.advance(4 * 60_000);
    say(&mut h, alice, ROOM, "x");
    let deadline = h.now + 5 * 60_000;
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), Some(deadline));
    h.advance(4 * 60_000);
    h.server.handle_timeout(h.now);
    assert!(h.server.chatroom_exists(APP, ROOM));
    h.now = deadline;
    h.server.handle_timeout(h.now);
    assert_eq!(h.outputs(), vec![destroyed_notice(alice, ROOM, ChatRoomStatus::DestroyAuto)]);
    assert!(!h.server.chatroom_exists(APP, ROOM));
}

/// CR-7: a keep-alive room is never destroyed automatically, but the Server API destroys it (destroyManual); taken
/// off the list, its usual deadline applies at once.
#[test]
fn keep_alive_rooms_live_until_destroyed_by_the_api() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    h.server.set_chatroom_keep_alive(APP, ROOM, true).unwrap();
    h.server.set_chatroom_keep_alive(APP, OTHER_ROOM, true).unwrap();
    assert_eq!(h.server.chatroom_destroy_deadline(APP, ROOM), None);
    assert_eq!(h.server.poll_timeout(), None);
    let alice = member(&mut h, "alice", "phone", ROOM);
    h.advance(48 * HOUR);
    h.server.handle_timeout(h.now);
    assert!(h.server.chatroom_exists(APP, ROOM));
    h.server.destroy_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(h.outputs(), vec![destroyed_notice(alice, ROOM, ChatRoomStatus::DestroyManual)]);
    assert!(!h.server.chatroom_exists(APP, ROOM));

    h.server.set_chatroom_keep_alive(APP, OTHER_ROOM, false).unwrap();
    h.server.handle_timeout(h.now);
    assert!(!h.server.chatroom_exists(APP, OTHER_ROOM));
    assert!(matches!(h.server.set_chatroom_keep_alive(APP, OTHER_ROOM, true), Err(ApiError::UnknownChatroom { .. })));
}

/// A malformed chatroom request (a room ID empty or over 64 characters) answers 90001, changes nothing and keeps
/// the session open.
#[test]
fn malformed_requests_answer_a_code_and_change_nothing() {
    let mut h = chatroom_harness();
    h.configure(|config| {
        config.chatroom_kv = true;
        config.chatroom_cloud_storage = true;
    });
    let alice = h.connect_live("alice", "phone");
    for room in [String::new(), "r".repeat(65)] {
        let bodies = [
            join_body(&room, 10, true),
            leave_body(&room),
            request::Body::ChatroomHistory(proto::ChatroomHistoryQuery {
                room_id: room.clone(),
                timestamp: 0,
                order: 0,
                count: 10,
            }),
            request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
                room_id: room.clone(),
                ..Default::default()
            }),
            request::Body::ChatroomEntriesRemove(proto::ChatroomEntriesRemove {
                room_id: room.clone(),
                ..Default::default()
            }),
        ];
        for body in bodies {
            let (response, rest) = chatroom_request(&mut h, alice, body);
            assert_eq!(
                (response.code, response.body, rest),
                (ErrorCode::PROTOCOL_MALFORMED_FRAME.to_wire(), None, vec![])
            );
        }
        assert!(!h.server.chatroom_exists(APP, &room));
    }
    // A 64-character ID is valid.
    let room = "r".repeat(64);
    let (response, _) = chatroom_request(&mut h, alice, join_body(&room, 10, true));
    assert_eq!(response.code, 0);
    assert_eq!(h.server.online_sessions(APP, "alice").len(), 1);
}

/// CR-42, CRKV-19: every way a connection ends (peer gone, logout, kick, ban, protocol error, idleness) makes its
/// user offline in the rooms it joined, without ending the membership.
#[test]
fn every_connection_end_makes_the_member_offline() {
    let mut h = Harness::with_config(ServerConfig { client_send_rate: None, ..ServerConfig::default() });
    h.configure(|config| config.chatroom_multi_room = true);
    let rooms = ["closed", "logout", "kick", "ban", "error", "idle"];
    let mut conns = Vec::new();
    for room in rooms {
        h.server.create_chatroom(APP, room, h.now).unwrap();
        conns.push(member(&mut h, room, "phone", room));
    }
    let offline = |h: &Harness, room: &str| h.server.chatroom_offline_members(APP, room).unwrap();
    h.server.handle_connection_closed(conns[0], h.now);
    h.send(conns[1], Body::Logout(proto::Logout { receive_push: false }));
    assert_eq!(h.outputs(), vec![ServerOutput::Close { conn: conns[1] }]);
    let token = h.token("kick");
    let (_, outputs) = h.connect_with(&token, "phone-2", 0);
    assert_eq!(without_reasons(outputs[..2].to_vec()), closed_with(conns[2], ErrorCode::DISCONN_KICK));
    h.server.ban_user(APP, "ban", h.now, 60_000).unwrap();
    h.send(conns[4], Body::Pong(proto::Pong { nonce: 1 }));
    let _ = h.outputs();
    for room in &rooms[..5] {
        assert_eq!(offline(&h, room), vec![(*room).to_owned()], "{room}");
    }
    assert_eq!(offline(&h, "idle"), Vec::<String>::new());
    h.advance(SESSION_IDLE_TIMEOUT_MS);
    h.server.handle_timeout(h.now);
    assert_eq!(offline(&h, "idle"), vec!["idle".to_owned()]);
    for room in rooms {
        assert_eq!(members(&h, room), vec![room.to_owned()], "{room}: still a member");
    }
}

/// CTYPE-6 at scale (its scenario, `chatrooms/a-chatroom-conversation.yaml`, checks the rest with four members): a
/// chatroom has no member cap: more users join one room than a group may hold (GRP-3's 3000), even with the app's
/// group cap at its lowest, and a message still reaches every member but the sender.
#[test]
fn a_chatroom_has_no_member_cap() {
    const MEMBERS: usize = 3_500;
    let mut h = chatroom_harness();
    h.configure(|config| config.group_members_max = 1);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let conns: Vec<ConnId> =
        (0..MEMBERS).map(|i| member(&mut h, &format!("user-{i}"), &format!("laptop-{i}"), ROOM)).collect();
    assert_eq!(members(&h, ROOM).len(), MEMBERS);
    let (ack, outputs) = say(&mut h, conns[0], ROOM, "to everyone");
    assert_eq!(ack.code, 0);
    assert_eq!(chatroom_deliveries(&outputs).len(), MEMBERS - 1);
}
