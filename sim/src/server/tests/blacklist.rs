//! Blacklists (BLACK): client requests, the 405 refusal, the cap, and Server-API sends; system messages.

use imsim_engine::types::{ConversationType, PushNotificationLevel};
use proto::{request, response};

use super::*;

/// Sends a `Request` with `body` on `conn` and returns the single `Response` it got.
pub(super) fn request(h: &mut Harness, conn: ConnId, request_id: u64, body: Option<request::Body>) -> proto::Response {
    h.send(conn, Body::Request(proto::Request { request_id, body }));
    match h.outputs().as_slice() {
        [ServerOutput::Send { conn: to, frame: proto::Frame { body: Some(Body::Response(response)) } }]
            if *to == conn =>
        {
            assert_eq!(response.request_id, request_id);
            response.clone()
        }
        other => panic!("expected one Response, got {other:?}"),
    }
}

fn add(user_id: &str) -> Option<request::Body> {
    Some(request::Body::BlacklistAdd(proto::BlacklistAdd { user_id: user_id.to_owned() }))
}

fn remove(user_id: &str) -> Option<request::Body> {
    Some(request::Body::BlacklistRemove(proto::BlacklistRemove { user_id: user_id.to_owned() }))
}

fn status(user_id: &str) -> Option<request::Body> {
    Some(request::Body::BlacklistStatus(proto::BlacklistStatusQuery { user_id: user_id.to_owned() }))
}

fn list() -> Option<request::Body> {
    Some(request::Body::Blacklist(proto::BlacklistQuery {}))
}

fn ok(request_id: u64, body: Option<response::Body>) -> proto::Response {
    proto::Response { request_id, code: 0, body }
}

fn error(request_id: u64, code: ErrorCode) -> proto::Response {
    proto::Response { request_id, code: code.to_wire(), body: None }
}

fn in_blacklist(in_blacklist: bool) -> Option<response::Body> {
    Some(response::Body::BlacklistStatus(proto::BlacklistStatus { in_blacklist }))
}

fn listed(user_ids: &[&str]) -> Option<response::Body> {
    Some(response::Body::Blacklist(proto::Blacklist { user_ids: user_ids.iter().map(|&id| id.to_owned()).collect() }))
}

/// BLACK-5 to BLACK-9, BLACK-12, BLACK-13: add, remove, status and list, idempotent, in insertion order, and the
/// Server API sees the same list.
#[test]
fn requests_manage_the_users_own_blacklist() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    assert_eq!(request(&mut h, alice, 1, add("bob")), ok(1, None));
    assert_eq!(request(&mut h, alice, 2, add("carol")), ok(2, None));
    assert_eq!(request(&mut h, alice, 3, add("bob")), ok(3, None), "already listed: success, no change");
    assert_eq!(request(&mut h, alice, 4, status("bob")), ok(4, in_blacklist(true)));
    assert_eq!(request(&mut h, alice, 5, status("dave")), ok(5, in_blacklist(false)));
    assert_eq!(request(&mut h, alice, 6, list()), ok(6, listed(&["bob", "carol"])));
    assert_eq!(request(&mut h, alice, 7, remove("bob")), ok(7, None));
    assert_eq!(request(&mut h, alice, 8, remove("bob")), ok(8, None), "not listed: success");
    assert_eq!(request(&mut h, alice, 9, list()), ok(9, listed(&["carol"])));
    assert_eq!(h.server.blacklist_list(APP, "alice"), vec!["carol"]);

    h.server.blacklist_add(APP, "alice", "erin").unwrap();
    assert_eq!(request(&mut h, alice, 10, list()), ok(10, listed(&["carol", "erin"])));
    // Blacklists are per user: bob's is empty.
    let bob = h.connect_live("bob", "phone");
    assert_eq!(request(&mut h, bob, 1, list()), ok(1, listed(&[])));
}

/// BLACK-12 with imsim's wire code: oneself, empty or overlong IDs and bodiless requests answer 90001; the session
/// stays open, and removing or querying oneself is valid.
#[test]
fn malformed_requests_answer_90001() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    let malformed = ErrorCode::PROTOCOL_MALFORMED_FRAME;
    assert_eq!(request(&mut h, alice, 1, add("alice")), error(1, malformed));
    assert_eq!(request(&mut h, alice, 2, add("")), error(2, malformed));
    assert_eq!(request(&mut h, alice, 3, add(&"x".repeat(65))), error(3, malformed));
    assert_eq!(request(&mut h, alice, 4, remove("")), error(4, malformed));
    assert_eq!(request(&mut h, alice, 5, status("")), error(5, malformed));
    assert_eq!(request(&mut h, alice, 6, None), error(6, malformed));
    assert_eq!(request(&mut h, alice, 7, remove("alice")), ok(7, None));
    assert_eq!(request(&mut h, alice, 8, status("alice")), ok(8, in_blacklist(false)));
    assert_eq!(request(&mut h, alice, 9, add(&"x".repeat(64))), ok(9, None));
    assert_eq!(h.server.blacklist_list(APP, "alice"), vec!["x".repeat(64)]);
}

/// BLACK-1, BLACK-2, BLACK-10, BLACK-11: once alice blacklists bob, bob's private messages answer 405 and reach
/// nobody; alice's reach bob; group messages are not affected; after removal bob's go through again.
#[test]
fn a_blacklisted_sender_gets_405_one_way() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    assert_eq!(request(&mut h, alice, 1, add("bob")), ok(1, None));

    let outputs = h.publish(bob, "b1", "alice", "let me in");
    assert_eq!(outputs, refused_publish(bob, "b1", ErrorCode::REJECTED_BY_BLACKLIST));
    assert_eq!((h.server.inbox_len(APP, "alice", h.now), h.server.inbox_last_seq(APP, "alice")), (0, 0));
    let mut status = private_publish("b2", "alice", "typing");
    status.status_message = true;
    assert_eq!(h.publish_with(bob, status), refused_publish(bob, "b2", ErrorCode::REJECTED_BY_BLACKLIST));

    let outputs = h.publish(alice, "a1", "bob", "no");
    let (ack, rest) = split_ack(alice, &outputs);
    assert_eq!(ack.code, 0);
    assert_eq!(texts(&deliveries(bob, rest)), vec!["no"]);

    h.server.create_group(APP, "g1", "friends", &["alice", "bob"]).unwrap();
    let outputs = h.publish_with(bob, group_publish("b3", "g1", "in the group"));
    let (ack, rest) = split_ack(bob, &outputs);
    assert_eq!(ack.code, 0);
    assert_eq!(texts(&deliveries(alice, rest)), vec!["in the group"]);

    assert_eq!(request(&mut h, alice, 2, remove("bob")), ok(2, None));
    let outputs = h.publish(bob, "b1", "alice", "let me in");
    let (ack, rest) = split_ack(bob, &outputs);
    assert_eq!(ack.code, 0, "a refused publish retried later is judged afresh");
    assert_eq!(texts(&deliveries(alice, rest)), vec!["let me in"]);
}

/// BLACK-3, BLACK-12, CFG-9, CFG-14: 3000 user IDs by default; the 3001st answers 90004 and changes nothing, while
/// re-adding a listed user still succeeds. The cap is a switch.
#[test]
fn the_blacklist_holds_3000_by_default() {
    imsim_engine::checks!(unit: "BLACK-3", "BLACK-12", "CFG-9", "CFG-14");
    let mut h = Harness::new();
    assert_eq!(h.server.app_config(APP).unwrap().blacklist_cap, 3000);
    for i in 0..3000 {
        h.server.blacklist_add(APP, "alice", &format!("u{i}")).unwrap();
    }
    let alice = h.connect_live("alice", "phone");
    assert_eq!(request(&mut h, alice, 1, add("u3000")), error(1, BLACKLIST_FULL));
    assert_eq!(BLACKLIST_FULL, ErrorCode(90004));
    assert_eq!(request(&mut h, alice, 2, add("u0")), ok(2, None));
    assert_eq!(
        h.server.blacklist_add(APP, "alice", "u3000"),
        Err(ApiError::BlacklistFull { user_id: "alice".to_owned(), cap: 3000 })
    );
    let list = h.server.blacklist_list(APP, "alice");
    assert_eq!((list.len(), list[0].as_str(), list[2999].as_str()), (3000, "u0", "u2999"));

    assert_eq!(request(&mut h, alice, 3, remove("u0")), ok(3, None));
    assert_eq!(request(&mut h, alice, 4, add("u3000")), ok(4, None));
    assert_eq!(h.server.blacklist_list(APP, "alice").last().map(String::as_str), Some("u3000"));

    h.configure(|config| config.blacklist_cap = 1);
    assert_eq!(h.server.blacklist_list(APP, "alice").len(), 3000, "lowering the cap removes nobody");
    assert_eq!(request(&mut h, alice, 5, add("new")), error(5, BLACKLIST_FULL));
}

/// BLACK-4: a Server-API private message ignores the blacklist unless asked to verify it.
#[test]
fn server_api_sends_ignore_the_blacklist_unless_asked() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    h.server.blacklist_add(APP, "alice", "bob").unwrap();
    h.advance(7);

    let outcome = h.server.send_private_as(APP, "bob", "alice", text_content("hi"), h.now, BlacklistCheck::Ignore);
    let uid = "0000-0000-0000-0001".to_owned();
    assert_eq!(outcome, Ok(PublishOutcome::Accepted { message_uid: uid.clone(), sent_time: T0 + 7 }));
    let expected = proto::DeliveredMessage {
        seq: 1,
        message_uid: uid,
        conversation_type: 1,
        target_id: "bob".to_owned(),
        sender_user_id: "bob".to_owned(),
        sent_time: T0 + 7,
        content: Some(text_content("hi")),
        ..Default::default()
    };
    assert_eq!(h.outputs(), vec![delivered(alice, expected)]);
    assert_eq!(BlacklistCheck::default(), BlacklistCheck::Ignore);

    let outcome = h.server.send_private_as(APP, "bob", "alice", text_content("hi"), h.now, BlacklistCheck::Verify);
    assert_eq!(outcome, Ok(PublishOutcome::Refused { code: ErrorCode::REJECTED_BY_BLACKLIST }));
    let outcome = h.server.send_private_as(APP, "carol", "alice", text_content("yo"), h.now, BlacklistCheck::Verify);
    assert!(matches!(outcome, Ok(PublishOutcome::Accepted { .. })));
    assert_eq!(texts(&deliveries(alice, &h.outputs())), vec!["yo"]);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now), 2);

    let big = proto::MessageContent { object_name: "App:Blob".to_owned(), payload: vec![0; 128 * 1024] };
    let outcome = h.server.send_private_as(APP, "bob", "alice", big, h.now, BlacklistCheck::Ignore);
    assert_eq!(outcome, Ok(PublishOutcome::Refused { code: ErrorCode::MSG_SIZE_OUT_OF_LIMIT }));
    let outcome = h.server.send_private_as("no-app", "bob", "alice", text_content("x"), h.now, BlacklistCheck::Ignore);
    assert_eq!(outcome, Err(ApiError::UnknownApp { app_key: "no-app".to_owned() }));
    assert_eq!(
        h.server.send_private_as(APP, "", "alice", text_content("x"), h.now, BlacklistCheck::Ignore),
        Err(ApiError::InvalidUserId { user_id: String::new() })
    );
    assert_eq!(h.outputs(), vec![]);
}

#[test]
fn server_api_blacklist_calls_check_their_arguments() {
    let mut h = Harness::new();
    assert_eq!(h.server.blacklist_add(APP, "alice", "alice"), Err(ApiError::BlacklistSelf { user_id: "alice".into() }));
    assert_eq!(h.server.blacklist_add(APP, "alice", ""), Err(ApiError::InvalidUserId { user_id: String::new() }));
    assert_eq!(
        h.server.blacklist_add("no-app", "alice", "bob"),
        Err(ApiError::UnknownApp { app_key: "no-app".into() })
    );
    assert_eq!(h.server.blacklist_remove(APP, "alice", "bob"), Ok(()));
    assert_eq!(h.server.blacklist_list("no-app", "alice"), Vec::<String>::new());
}

/// CTYPE-7, OFFLINE-3, BIZ-16: a system message waits offline for 7 days, in the system conversation whose target is
/// the sender, and blacklists do not apply (BLACK-11).
#[test]
fn system_messages_wait_offline_for_seven_days() {
    const DAY: i64 = 24 * 60 * 60 * 1_000;
    let mut h = Harness::with_config(ServerConfig { private_offline_days: 1, ..ServerConfig::default() });
    h.server.blacklist_add(APP, "alice", "notices").unwrap();
    let outcome = h.server.send_system_message(APP, "notices", "alice", text_content("welcome"), h.now).unwrap();
    assert!(matches!(outcome, PublishOutcome::Accepted { .. }));
    assert_eq!(h.outputs(), vec![]);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now + 7 * DAY), 1);
    assert_eq!(h.server.inbox_len(APP, "alice", h.now + 7 * DAY + 1), 0);

    h.advance(7 * DAY);
    let (alice, outputs) = h.connect("alice", "phone", 0);
    let messages = package(alice, &outputs).messages;
    assert_eq!(texts(&messages), vec!["welcome"]);
    assert_eq!(
        (messages[0].conversation_type, messages[0].target_id.as_str(), messages[0].sender_user_id.as_str()),
        (4, "notices", "notices")
    );
}

/// DND-13, DND-17, DND-18: the per-type level is kept per user; a type it does not cover or an unknown level is
/// malformed and changes nothing; a level never set reads `none` (1, DND-7).
#[test]
fn the_per_type_notification_level_is_kept_per_user_and_checked() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let set = |conversation_type, level| {
        Some(request::Body::ConversationTypeLevelSet(proto::ConversationTypeLevelSet { conversation_type, level }))
    };
    let get = |conversation_type| {
        Some(request::Body::ConversationTypeLevel(proto::ConversationTypeLevelQuery { conversation_type }))
    };
    let level = |level| Some(response::Body::ConversationTypeLevel(proto::ConversationTypeLevel { level }));
    let malformed = ErrorCode::PROTOCOL_MALFORMED_FRAME;
    assert_eq!(request(&mut h, alice, 1, get(2)), ok(1, level(1)));
    assert_eq!(request(&mut h, alice, 2, set(2, 3)), ok(2, None));
    assert_eq!(request(&mut h, alice, 3, get(2)), ok(3, level(3)));
    assert_eq!(request(&mut h, bob, 4, get(2)), ok(4, level(1)), "another user's setting");
    for (request_id, body) in [(5, set(3, 5)), (6, set(0, 5)), (7, set(2, 6)), (8, get(3)), (9, get(9))] {
        assert_eq!(request(&mut h, alice, request_id, body), error(request_id, malformed));
    }
    assert_eq!(request(&mut h, alice, 10, get(2)), ok(10, level(3)), "a malformed request changed nothing");
}

/// BLACK-9, USER-13: the Server API's remove takes the user off the list (and removing one not listed changes nothing).
#[test]
fn the_server_api_removes_from_a_blacklist() {
    let mut h = Harness::new();
    h.server.blacklist_add(APP, "alice", "bob").expect("added");
    h.server.blacklist_add(APP, "alice", "carol").expect("added");
    h.server.blacklist_remove(APP, "alice", "bob").expect("removed");
    assert_eq!(h.server.blacklist_list(APP, "alice"), ["carol"]);
    h.server.blacklist_remove(APP, "alice", "dave").expect("a no-op");
    assert_eq!(h.server.blacklist_list(APP, "alice"), ["carol"]);
    assert!(h.server.blacklist_remove(APP, "alice", "").is_err(), "an empty user ID is refused");
}

/// DND-12, DND-19, TOP-11: a per-conversation level goes to the user's other online devices when it changes (not
/// to the setter, not when it is already held), every level the user set goes to a device that connects, and a
/// type the setting does not cover, an empty target or an unknown level is malformed.
#[test]
fn a_conversation_level_reaches_the_users_other_devices() {
    let mut h = Harness::new();
    let phone = h.connect_live("alice", "phone");
    let pc = h.connect_live("alice", "laptop");
    let bob = h.connect_live("bob", "phone");
    let (private, group) = (ConversationType::Private.ordinal(), ConversationType::Group.ordinal());
    let level_of = |conversation_type, target_id: &str, level| proto::ConversationLevel {
        conversation_type,
        target_id: target_id.to_owned(),
        level,
    };
    let set = |state: &proto::ConversationLevel| {
        Body::Request(proto::Request { request_id: 1, body: Some(request::Body::ConversationLevelSet(state.clone())) })
    };
    let states_to = |conn, levels: Vec<proto::ConversationLevel>| ServerOutput::Send {
        conn,
        frame: proto::Frame {
            body: Some(Body::ConversationStates(proto::ConversationStates { levels, ..Default::default() })),
        },
    };
    let answered = |conn, code: ErrorCode| ServerOutput::Send {
        conn,
        frame: proto::Frame {
            body: Some(Body::Response(proto::Response { request_id: 1, code: code.to_wire(), body: None })),
        },
    };
    let blocked = level_of(private, "bob", PushNotificationLevel::Blocked.ordinal());
    h.send(phone, set(&blocked));
    assert_eq!(h.outputs(), [states_to(pc, vec![blocked.clone()]), answered(phone, ErrorCode::SUCCESS)]);
    h.send(pc, set(&blocked));
    assert_eq!(h.outputs(), [answered(pc, ErrorCode::SUCCESS)], "already held: nobody is told");
    let malformed = ErrorCode::PROTOCOL_MALFORMED_FRAME;
    for refused in [
        level_of(ConversationType::Chatroom.ordinal(), "room", 5),
        level_of(ConversationType::System.ordinal(), "admin", 5),
        level_of(private, "", 5),
        level_of(private, "bob", 6),
    ] {
        h.send(phone, set(&refused));
        assert_eq!(h.outputs(), [answered(phone, malformed)], "{refused:?}");
    }
    let team = level_of(group, "team", PushNotificationLevel::Mention.ordinal());
    h.send(pc, set(&team));
    assert_eq!(h.outputs(), [states_to(phone, vec![team.clone()]), answered(pc, ErrorCode::SUCCESS)]);
    // A device that connects gets every level, by type then target; bob's own states are empty.
    let (web, outputs) = h.connect("alice", "web", 0);
    assert!(outputs.contains(&states_to(web, vec![blocked, team])), "{outputs:?}");
    let (_, outputs) = h.connect("bob", "web", 0);
    assert!(!outputs.iter().any(|output| matches!(
        output,
        ServerOutput::Send { frame: proto::Frame { body: Some(Body::ConversationStates(_)) }, .. }
    )));
    let _ = bob;
}
