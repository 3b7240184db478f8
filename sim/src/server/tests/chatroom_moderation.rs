//! Chatroom moderation by the App Server API: bans (CR-15, CR-30), member mutes (CR-31), mute all (CR-32), global
//! mutes (CR-33), queries (CR-34) and broadcasts (CR-35).

use proto::{chatroom_notice, request};

use super::chatroom::{
    HOUR, OTHER_ROOM, ROOM, chatroom_deliveries, chatroom_harness, chatroom_publish, chatroom_request, join, join_body,
    member, member_notice, notice, say,
};
use super::*;

fn users(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

fn kicked_notice(conn: ConnId, room: &str) -> ServerOutput {
    let kicked = proto::ChatroomKicked { code: ErrorCode::KICKED_FROM_CHATROOM.to_wire() };
    notice(conn, room, chatroom_notice::Body::Kicked(kicked))
}

/// Sends a text into `room` from `conn` and returns the code of its `PublishAck` (and nothing else must follow a
/// refusal).
fn send_code(h: &mut Harness, conn: ConnId, room: &str, text: &str) -> u32 {
    let id = format!("{text}-{}", h.now);
    let outputs = h.publish_with(conn, chatroom_publish(&id, room, text));
    let (ack, rest) = split_ack(conn, &outputs);
    if ack.code != 0 {
        assert_eq!(rest, &[], "a refused message reaches nobody");
    }
    ack.code
}

fn join_code(h: &mut Harness, conn: ConnId, room: &str) -> u32 {
    chatroom_request(h, conn, join_body(room, 0, false)).0.code
}

/// 23408 on the wire.
const MUTED: u32 = 23408;

/// CR-15, CR-30: a ban removes the member (leave action, kicked notice on each of their joined connections), and
/// every join answers 23409 until the ban ends; the room's other members are untouched.
#[test]
fn a_ban_kicks_and_refuses_joins_until_it_ends() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_member_events = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    h.outputs();

    h.server.ban_chatroom_member(APP, ROOM, &users(&["bob", "carol"]), HOUR, h.now).unwrap();
    assert_eq!(h.outputs(), vec![kicked_notice(bob, ROOM), member_notice(alice, ROOM, "bob", 2)]);
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["alice"]);
    assert_eq!(send_code(&mut h, bob, ROOM, "late"), ErrorCode::NOT_IN_CHATROOM.to_wire());

    let kicked = ErrorCode::KICKED_FROM_CHATROOM.to_wire();
    assert_eq!(join_code(&mut h, bob, ROOM), kicked);
    let carol = h.connect_live("carol", "phone");
    assert_eq!(join_code(&mut h, carol, ROOM), kicked, "non-members can be banned too");
    h.advance(HOUR - 1);
    assert_eq!(join_code(&mut h, bob, ROOM), kicked, "one millisecond left");
    h.advance(1);
    let (joined, _) = join(&mut h, bob, ROOM, 0);
    assert!(!joined.resumed, "a new membership");
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["alice", "bob"]);
}

/// CR-30: an unban lets the user in at once; a refused join changes nothing (the single-room rule does not apply).
#[test]
fn an_unban_lets_the_user_back_and_a_refused_join_leaves_nothing() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", OTHER_ROOM);
    h.server.ban_chatroom_member(APP, ROOM, &users(&["bob"]), HOUR, h.now).unwrap();
    assert_eq!(h.outputs(), vec![], "bob was not in the room");
    assert_eq!(join_code(&mut h, bob, ROOM), ErrorCode::KICKED_FROM_CHATROOM.to_wire());
    assert_eq!(h.server.chatroom_members(APP, OTHER_ROOM).unwrap(), vec!["bob"], "still in the other room");

    h.server.unban_chatroom_member(APP, ROOM, &users(&["bob"])).unwrap();
    let (joined, _) = join(&mut h, bob, ROOM, 0);
    assert_eq!(joined.left_room_ids, vec![OTHER_ROOM.to_owned()]);
}

/// CR-30: every joined connection of a banned user is told, an offline member is removed silently, and the KV
/// entries they set with `delete_when_left` go (CRKV-6). Bad arguments are refused.
#[test]
fn a_ban_reaches_every_connection_and_ends_the_membership() {
    let mut h = chatroom_harness();
    h.configure(|config| {
        config.mobile_devices_max = 2;
        config.chatroom_kv = true;
    });
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let phone = member(&mut h, "bob", "phone", ROOM);
    let pad = h.connect_live("bob", "pad");
    join(&mut h, pad, ROOM, 0);
    let entry = proto::ChatroomEntry { key: "k".to_owned(), value: "v".to_owned() };
    let set = proto::ChatroomEntriesSet {
        room_id: ROOM.to_owned(),
        entries: vec![entry],
        delete_when_left: true,
        overwrite: false,
    };
    let (response, _) = chatroom_request(&mut h, phone, request::Body::ChatroomEntriesSet(set));
    assert_eq!(response.code, 0);
    h.server.ban_chatroom_member(APP, ROOM, &users(&["bob"]), HOUR, h.now).unwrap();
    assert_eq!(h.outputs(), vec![kicked_notice(phone, ROOM), kicked_notice(pad, ROOM)]);
    assert_eq!(h.server.chatroom_entries(APP, ROOM).unwrap(), BTreeMap::new());

    let carol = member(&mut h, "carol", "phone", ROOM);
    h.send(carol, Body::Logout(proto::Logout::default()));
    h.outputs();
    h.server.ban_chatroom_member(APP, ROOM, &users(&["carol"]), HOUR, h.now).unwrap();
    assert_eq!(h.outputs(), vec![]);
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), Vec::<String>::new());

    let ban =
        |h: &mut Harness, room: &str, duration| h.server.ban_chatroom_member(APP, room, &users(&["x"]), duration, 0);
    assert!(matches!(ban(&mut h, ROOM, 0), Err(ApiError::InvalidBanDuration { duration_ms: 0 })));
    assert!(matches!(ban(&mut h, "nowhere", HOUR), Err(ApiError::UnknownChatroom { .. })));
}

/// CR-31: a muted member still receives but sends get 23408 until the mute ends or is lifted; 23406 comes first.
#[test]
fn a_muted_member_gets_23408_until_the_mute_ends() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    let carol = h.connect_live("carol", "phone");
    h.server.mute_chatroom_member(APP, ROOM, &users(&["bob", "carol"]), Some(HOUR), h.now).unwrap();

    assert_eq!(send_code(&mut h, bob, ROOM, "muted"), MUTED);
    assert_eq!(send_code(&mut h, carol, ROOM, "outsider"), ErrorCode::NOT_IN_CHATROOM.to_wire(), "23406 first");
    let (_, outputs) = say(&mut h, alice, ROOM, "hello");
    assert_eq!(chatroom_deliveries(&outputs), vec![(bob, "RC:TxtMsg".to_owned())], "a muted member receives");
    h.advance(HOUR);
    assert_eq!(send_code(&mut h, bob, ROOM, "free"), 0);

    h.server.mute_chatroom_member(APP, ROOM, &users(&["bob"]), None, h.now).unwrap();
    h.advance(24 * HOUR);
    assert_eq!(send_code(&mut h, bob, ROOM, "forever"), MUTED);
    h.server.unmute_chatroom_member(APP, ROOM, &users(&["bob"])).unwrap();
    assert_eq!(send_code(&mut h, bob, ROOM, "unmuted"), 0);

    let result = h.server.mute_chatroom_member(APP, ROOM, &users(&["bob"]), Some(0), h.now);
    assert!(matches!(result, Err(ApiError::InvalidMuteDuration { duration_ms: 0 })));
}

/// CR-32: muting all answers 23408 to everyone but the whitelist; an individual mute beats the whitelist; unmuting
/// all clears the whitelist.
#[test]
fn mute_all_spares_the_whitelist() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    h.server.mute_all_chatroom(APP, ROOM, &users(&["alice"])).unwrap();
    assert_eq!(send_code(&mut h, bob, ROOM, "b1"), MUTED);
    assert_eq!(send_code(&mut h, alice, ROOM, "a1"), 0);
    h.server.mute_chatroom_member(APP, ROOM, &users(&["alice"]), None, h.now).unwrap();
    assert_eq!(send_code(&mut h, alice, ROOM, "a2"), MUTED, "an individual mute beats the whitelist");
    h.server.unmute_chatroom_member(APP, ROOM, &users(&["alice"])).unwrap();

    h.server.unmute_all_chatroom(APP, ROOM).unwrap();
    assert_eq!(send_code(&mut h, bob, ROOM, "b2"), 0);
    h.server.mute_all_chatroom(APP, ROOM, &[]).unwrap();
    assert_eq!(send_code(&mut h, alice, ROOM, "a3"), MUTED, "the old whitelist is gone");
    assert!(matches!(h.server.mute_all_chatroom(APP, "nowhere", &[]), Err(ApiError::UnknownChatroom { .. })));
}

/// CR-33: a global mute answers 23408 in every room of the app, rooms created later included, until it ends or is
/// lifted.
#[test]
fn a_global_mute_covers_every_room() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_multi_room = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    h.server.global_mute_chatroom_user(APP, &users(&["bob"]), Some(HOUR), h.now).unwrap();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    join(&mut h, bob, OTHER_ROOM, 0);
    assert_eq!(send_code(&mut h, bob, ROOM, "one"), MUTED);
    assert_eq!(send_code(&mut h, bob, OTHER_ROOM, "two"), MUTED);
    h.advance(HOUR);
    assert_eq!(send_code(&mut h, bob, OTHER_ROOM, "three"), 0);

    h.server.global_mute_chatroom_user(APP, &users(&["bob"]), None, h.now).unwrap();
    assert_eq!(send_code(&mut h, bob, ROOM, "four"), MUTED);
    h.server.global_unmute_chatroom_user(APP, &users(&["bob"])).unwrap();
    assert_eq!(send_code(&mut h, bob, ROOM, "five"), 0);
    let result = h.server.global_mute_chatroom_user(APP, &users(&["bob"]), Some(-1), h.now);
    assert!(matches!(result, Err(ApiError::InvalidMuteDuration { duration_ms: -1 })));
}

/// CR-34: the room's creation time, and its members by join time (a resumed rejoin keeps the first), both ways,
/// at most `count` and never more than 500.
#[test]
fn queries_give_creation_and_join_times() {
    imsim_engine::checks!(unit: "CR-34");
    let mut h = chatroom_harness();
    let created = h.now;
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let info = h.server.chatroom_info(APP, ROOM).unwrap();
    assert_eq!(info, ChatroomInfo { room_id: ROOM.to_owned(), created_at_ms: created });
    assert_eq!(h.server.chatroom_info(APP, "nowhere"), None);

    h.advance(10);
    let zoe = member(&mut h, "zoe", "phone", ROOM);
    h.advance(10);
    member(&mut h, "adam", "phone", ROOM);
    h.advance(10);
    join(&mut h, zoe, ROOM, 0);
    let ascending = h.server.chatroom_member_list(APP, ROOM, 10, true).unwrap();
    assert_eq!(ascending, vec![("zoe".to_owned(), created + 10), ("adam".to_owned(), created + 20)]);
    let newest = h.server.chatroom_member_list(APP, ROOM, 1, false).unwrap();
    assert_eq!(newest, vec![("adam".to_owned(), created + 20)]);
    assert_eq!(h.server.chatroom_member_list(APP, "nowhere", 10, true), None);

    for n in 0..CHATROOM_MEMBER_QUERY_MAX {
        member(&mut h, &format!("user{n:03}"), "phone", ROOM);
    }
    assert_eq!(h.server.chatroom_member_list(APP, ROOM, 10_000, true).unwrap().len(), CHATROOM_MEMBER_QUERY_MAX);
}

/// CR-35: a broadcast reaches every joined connection of every room of the app, each room's copy with its own UID
/// into its history; content over 128 KB is refused.
#[test]
fn a_broadcast_reaches_every_room() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", OTHER_ROOM);
    let outcomes = h.server.broadcast_chatroom_message(APP, "admin", text_content("news"), h.now).unwrap();
    assert_eq!(
        outcomes.iter().map(|o| (o.room_id.as_str(), o.delivered)).collect::<Vec<_>>(),
        [(ROOM, true), (OTHER_ROOM, true)]
    );
    assert_ne!(outcomes[0].message_uid, outcomes[1].message_uid);
    let outputs = h.outputs();
    assert_eq!(chatroom_deliveries(&outputs), vec![(alice, "RC:TxtMsg".to_owned()), (bob, "RC:TxtMsg".to_owned())]);
    assert_eq!(h.server.chatroom_history_len(APP, ROOM), Some(1));
    assert_eq!(h.server.chatroom_history_len(APP, OTHER_ROOM), Some(1));

    let big = proto::MessageContent {
        object_name: "RC:TxtMsg".to_owned(),
        payload: vec![b'x'; CHATROOM_BROADCAST_CONTENT_BYTES_MAX],
    };
    let result = h.server.broadcast_chatroom_message(APP, "admin", big, h.now);
    assert!(matches!(result, Err(ApiError::ChatroomBroadcastTooLarge { .. })));
    assert_eq!(h.outputs(), vec![]);
}

/// CR-35, BIZ-13: a broadcast goes through load shedding like a member's message.
#[test]
fn a_broadcast_is_shed_like_any_message() {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_messages_per_second = 1);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    member(&mut h, "bob", "phone", ROOM);
    say(&mut h, alice, ROOM, "first");
    let outcomes = h.server.broadcast_chatroom_message(APP, "admin", text_content("news"), h.now).unwrap();
    assert!(!outcomes[0].delivered);
    assert_eq!(chatroom_deliveries(&h.outputs()), vec![]);
}
