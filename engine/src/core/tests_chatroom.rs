//! Chatrooms in the core (CR-10 to CR-26, CR-38 to CR-45, BIZ-19, BIZ-26, UNREAD-10): the harness plays the server
//! frame by frame, so each test pins the requests sent, the events reported, in order, and the local cache.

use super::tests::{FileOpener, Harness, delivered, token_for};
use super::*;
use crate::content::encode_content;
use crate::proto::{self, chatroom_notice, frame::Body, request, response};
use crate::types::{ChatRoomMemberActionType, ConversationType, MessageContent, TimeOrder};

pub(super) const ROOM: &str = "room-1";

/// The one frame the core sent, which must be a request.
pub(super) fn sent_request(harness: &mut Harness) -> proto::Request {
    let frames = harness.frames();
    let [Body::Request(request)] = frames.as_slice() else { panic!("expected one request, got {frames:?}") };
    request.clone()
}

pub(super) fn respond(harness: &mut Harness, request_id: u64, code: u32, body: Option<response::Body>) {
    harness.server_sends(Body::Response(proto::Response { request_id, code, body }));
}

/// A chatroom text message in `room` from `from`, as the server delivers it (not in the inbox: seq 0).
pub(super) fn room_message(room: &str, uid: &str, from: &str, sent_time: i64) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq: 0,
        message_uid: uid.to_owned(),
        conversation_type: ConversationType::Chatroom.ordinal(),
        target_id: room.to_owned(),
        sender_user_id: from.to_owned(),
        sent_time,
        content: Some(encode_content(&MessageContent::Text { text: format!("text of {uid}") })),
        ..Default::default()
    }
}

pub(super) fn entry(key: &str, value: &str) -> proto::ChatroomEntry {
    proto::ChatroomEntry { key: key.to_owned(), value: value.to_owned() }
}

/// Calls `join_chat_room(room, 10, true)`, checks `ChatRoomJoining`, and returns the join request's ID.
pub(super) fn start_join(harness: &mut Harness, room: &str) -> u64 {
    harness.core.join_chat_room(harness.now, room, 10, true).expect("accepted");
    assert_eq!(harness.events(), [Event::ChatRoomJoining { target_id: room.into() }]);
    sent_request(harness).request_id
}

/// Joins `room` all the way: the server answers with `messages` and `entries`. Returns the events of the answer.
pub(super) fn join(
    harness: &mut Harness,
    room: &str,
    messages: Vec<proto::DeliveredMessage>,
    entries: Vec<proto::ChatroomEntry>,
) -> Vec<Event> {
    let request_id = start_join(harness, room);
    let joined = proto::ChatroomJoined { messages, entries, resumed: false, left_room_ids: vec![] };
    respond(harness, request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    harness.events()
}

pub(super) fn deliver(harness: &mut Harness, message: proto::DeliveredMessage) {
    harness.server_sends(Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(message) }));
}

pub(super) fn notice(harness: &mut Harness, room: &str, body: chatroom_notice::Body) {
    harness.server_sends(Body::ChatroomNotice(proto::ChatroomNotice { room_id: room.to_owned(), body: Some(body) }));
}

/// The UIDs of the room's locally stored messages, oldest first.
pub(super) fn cached_uids(harness: &Harness, room: &str) -> Vec<String> {
    let store = harness.core.store().expect("a database is open");
    let messages = store.conversation_messages(ConversationType::Chatroom, room).unwrap();
    messages.into_iter().map(|message| message.message_uid.unwrap_or_default()).collect()
}

/// Whether the engine holds `room`: reads of its KV copy say 23406 when it does not.
pub(super) fn holds(harness: &Harness, room: &str) -> bool {
    match harness.core.get_chat_room_all_entries(room) {
        Err(error) => error.code != ErrorCode::NOT_IN_CHATROOM,
        Ok(_) => true,
    }
}

/// The `(uid, left, offline, has_package, stored)` of every `MessageReceived` in `events`.
fn received(events: &[Event]) -> Vec<(String, u32, bool, bool, bool)> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::MessageReceived { message, left, offline, has_package } => Some((
                message.message_uid.clone().unwrap_or_default(),
                *left,
                *offline,
                *has_package,
                message.message_id != 0,
            )),
            _ => None,
        })
        .collect()
}

/// Drops the connection and lets the engine reconnect automatically; returns the events of the new connection.
pub(super) fn reconnect(harness: &mut Harness) -> Vec<Event> {
    harness.core.handle_transport_closed(harness.now);
    let deadline = harness.core.poll_timeout().expect("a reconnect is scheduled");
    harness.advance(deadline - harness.now.monotonic_ms);
    assert_eq!(harness.actions(), ["open"]);
    harness.open_and_ack("alice");
    harness.events()
}

#[test]
fn refused_calls_return_their_code_and_change_nothing() {
    // CR-38, CR-45, CALL-12
    let mut harness = Harness::connected("alice");
    let now = harness.now;
    let long = "r".repeat(crate::limits::TARGET_ID_CHARS_MAX + 1);
    let param = ErrorCode::PARAM_ERROR;
    assert_eq!(harness.core.join_chat_room(now, ROOM, -2, false).unwrap_err().code, param);
    assert_eq!(harness.core.join_chat_room(now, ROOM, i32::MIN, false).unwrap_err().code, param);
    assert_eq!(harness.core.join_chat_room(now, "", 10, false).unwrap_err().code, param);
    assert_eq!(harness.core.join_chat_room(now, &long, 10, false).unwrap_err().code, param);
    assert_eq!(harness.core.leave_chat_room(now, "").unwrap_err().code, param);
    assert_eq!(harness.core.leave_chat_room(now, &long).unwrap_err().code, param);
    for count in [0, 51, -1, i32::MAX] {
        let error = harness.core.get_chat_room_messages(now, ROOM, 0, TimeOrder::Before, count).unwrap_err();
        assert_eq!(error.code, param, "count {count}");
    }
    assert_eq!(harness.core.get_chat_room_messages(now, "", 0, TimeOrder::After, 5).unwrap_err().code, param);
    assert!(harness.frames().is_empty());
    assert!(harness.events().is_empty());
    assert!(!holds(&harness, ROOM));

    harness.core.handle_transport_closed(harness.now);
    harness.events();
    harness.actions();
    let offline = ErrorCode::NATIVE_OPERATION_ERROR;
    assert_eq!(harness.core.join_chat_room(now, ROOM, 10, true).unwrap_err().code, offline);
    assert_eq!(harness.core.leave_chat_room(now, ROOM).unwrap_err().code, offline);
    assert_eq!(harness.core.get_chat_room_messages(now, ROOM, 0, TimeOrder::Before, 5).unwrap_err().code, offline);
    // A bad argument is still -101 while not connected.
    assert_eq!(harness.core.join_chat_room(now, ROOM, -2, true).unwrap_err().code, param);
    assert!(harness.frames().is_empty());
    assert!(harness.events().is_empty());
    assert!(!holds(&harness, ROOM));

    let mut never_connected = Harness::new();
    let error = never_connected.core.join_chat_room(now, ROOM, 10, true).unwrap_err();
    assert_eq!(error.code, offline);

    let mut destroyed = Harness::connected("alice");
    destroyed.core.destroy(now).expect("accepted");
    destroyed.events();
    destroyed.frames();
    let gone = ErrorCode::ENGINE_DESTROYED;
    assert_eq!(destroyed.core.join_chat_room(now, ROOM, 10, true).unwrap_err().code, gone);
    assert_eq!(destroyed.core.leave_chat_room(now, ROOM).unwrap_err().code, gone);
    assert_eq!(destroyed.core.get_chat_room_messages(now, ROOM, 0, TimeOrder::Before, 5).unwrap_err().code, gone);
    assert!(destroyed.frames().is_empty());
    assert!(destroyed.events().is_empty());
}

#[test]
fn the_message_count_maps_to_the_fetch_count() {
    // CR-10, CR-38: -1 none, 0 the default 10, n that many, at most 50.
    let mut harness = Harness::connected("alice");
    for (message_count, fetch_count, auto_create) in [(-1, 0, true), (0, 10, false), (7, 7, true), (80, 50, false)] {
        harness.core.join_chat_room(harness.now, ROOM, message_count, auto_create).expect("accepted");
        assert_eq!(harness.events(), [Event::ChatRoomJoining { target_id: ROOM.into() }]);
        let request = sent_request(&mut harness);
        let expected = proto::ChatroomJoin { room_id: ROOM.into(), fetch_count, auto_create, rejoin: false };
        assert_eq!(request.body, Some(request::Body::ChatroomJoin(expected)), "message count {message_count}");
    }
}

#[test]
fn a_join_reports_the_fetched_messages_then_joined_then_the_kv_sync() {
    // CR-11, CR-38, CRKV-13, CRKV-14, CRKV-20
    let mut harness = Harness::connected("alice");
    let fetched = vec![room_message(ROOM, "R1", "bob", 10), room_message(ROOM, "R2", "alice", 11)];
    let events = join(&mut harness, ROOM, fetched, vec![entry("seat1", "bob"), entry("mode", "quiz")]);
    let [
        Event::MessageReceived { message: first, left: 1, offline: false, has_package: false },
        Event::MessageReceived { message: second, left: 0, offline: false, has_package: false },
        Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: joined },
        Event::ChatRoomEntriesChanged { operation_type: ChatRoomEntriesOperationType::Update, room_id, entries },
        Event::ChatRoomEntriesSynced { room_id: synced },
    ] = events.as_slice()
    else {
        panic!("unexpected events {events:?}")
    };
    assert_eq!((joined.as_str(), room_id.as_str(), synced.as_str()), (ROOM, ROOM, ROOM));
    assert_eq!(
        *entries,
        BTreeMap::from([("mode".to_owned(), "quiz".to_owned()), ("seat1".to_owned(), "bob".to_owned())])
    );
    assert_eq!((first.conversation_type, first.target_id.as_str()), (ConversationType::Chatroom, ROOM));
    assert_eq!(first.message_uid.as_deref(), Some("R1"));
    assert!(first.message_id != 0 && !first.offline);
    assert_eq!(second.direction, crate::types::MessageDirection::Send, "a copy of one's own message");
    assert_eq!(cached_uids(&harness, ROOM), ["R1", "R2"]);
    // Never acknowledged, never in the inbox, never unread-counted (UNREAD-10).
    assert!(harness.frames().is_empty());
    let store = harness.core.store().unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), 0);
    assert_eq!(harness.core.total_unread_count().unwrap(), 0);
    let error = harness.core.unread_count(ConversationType::Chatroom, ROOM, None).unwrap_err();
    assert_eq!(error.code, ErrorCode::PARAM_ERROR);
}

#[test]
fn a_join_of_a_room_without_entries_only_reports_the_sync() {
    // CRKV-20
    let mut harness = Harness::connected("alice");
    let events = join(&mut harness, ROOM, vec![], vec![]);
    assert_eq!(
        events,
        [
            Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: ROOM.into() },
            Event::ChatRoomEntriesSynced { room_id: ROOM.into() },
        ]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(BTreeMap::new()));
}

#[test]
fn a_failed_join_forgets_the_room() {
    // CR-39
    let mut harness = Harness::connected("alice");
    let request_id = start_join(&mut harness, ROOM);
    assert!(holds(&harness, ROOM), "held while joining");
    respond(&mut harness, request_id, 23410, None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomJoined { code: ErrorCode::CHATROOM_NOT_EXIST, target_id: ROOM.into() }]
    );
    assert!(!holds(&harness, ROOM));
    deliver(&mut harness, room_message(ROOM, "R1", "bob", 10));
    assert!(harness.events().is_empty(), "deliveries for a room not held are ignored");
    assert!(cached_uids(&harness, ROOM).is_empty());
}

#[test]
fn rooms_left_under_the_single_room_rule_are_purged_silently() {
    // CR-9, CR-40
    let mut harness = Harness::connected("alice");
    join(&mut harness, "old", vec![room_message("old", "O1", "bob", 10)], vec![]);
    assert_eq!(cached_uids(&harness, "old"), ["O1"]);
    let request_id = start_join(&mut harness, ROOM);
    let joined = proto::ChatroomJoined { left_room_ids: vec!["old".into()], ..Default::default() };
    respond(&mut harness, request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    assert_eq!(
        harness.events(),
        [
            Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: ROOM.into() },
            Event::ChatRoomEntriesSynced { room_id: ROOM.into() },
        ],
        "no ChatRoomLeft for the old room"
    );
    assert!(cached_uids(&harness, "old").is_empty());
    assert!(!holds(&harness, "old"));
    assert!(holds(&harness, ROOM));
    deliver(&mut harness, room_message("old", "O2", "bob", 11));
    assert!(harness.events().is_empty());
}

#[test]
fn deliveries_are_stored_reported_once_and_never_acknowledged() {
    // CR-22, BIZ-26, RECV-13, UNREAD-10
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![], vec![]);
    deliver(&mut harness, room_message(ROOM, "R1", "bob", 10));
    let events = harness.events();
    assert_eq!(received(&events), [("R1".to_owned(), 0, false, false, true)]);
    assert_eq!(events.len(), 1);
    deliver(&mut harness, room_message(ROOM, "R1", "bob", 10));
    assert!(harness.events().is_empty(), "a UID already stored is not reported again");
    // A type that is not stored is reported with messageId 0 and writes nothing.
    let command = MessageContent::Command { name: "n".into(), data: "d".into() };
    deliver(
        &mut harness,
        proto::DeliveredMessage { content: Some(encode_content(&command)), ..room_message(ROOM, "C1", "bob", 11) },
    );
    assert_eq!(received(&harness.events()), [("C1".to_owned(), 0, false, false, false)]);
    // Another room's delivery is ignored.
    deliver(&mut harness, room_message("elsewhere", "E1", "bob", 12));
    assert!(harness.events().is_empty());
    assert!(cached_uids(&harness, "elsewhere").is_empty());
    assert_eq!(cached_uids(&harness, ROOM), ["R1"]);
    assert!(harness.frames().is_empty(), "no InboxAck for a chatroom message");
    assert_eq!(harness.core.store().unwrap().inbox_cursor().unwrap(), 0);
    assert_eq!(harness.core.total_unread_count().unwrap(), 0);
}

#[test]
fn leaving_purges_the_room_and_reports_the_answer() {
    // CR-20, CR-21, BIZ-19
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    harness.core.leave_chat_room(harness.now, ROOM).expect("accepted");
    let request = sent_request(&mut harness);
    assert_eq!(request.body, Some(request::Body::ChatroomLeave(proto::ChatroomLeave { room_id: ROOM.into() })));
    assert!(harness.events().is_empty());
    respond(&mut harness, request.request_id, 0, None);
    assert_eq!(harness.events(), [Event::ChatRoomLeft { code: ErrorCode::SUCCESS, target_id: ROOM.into() }]);
    assert!(cached_uids(&harness, ROOM).is_empty());
    assert!(!holds(&harness, ROOM));

    // Leaving a room the user is not in: the server's 23406 is reported.
    harness.core.leave_chat_room(harness.now, "other").expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 23406, None);
    assert_eq!(harness.events(), [Event::ChatRoomLeft { code: ErrorCode::NOT_IN_CHATROOM, target_id: "other".into() }]);
}

#[test]
fn a_chatroom_send_settles_even_when_leaving_purged_it() {
    // CALL-13: the send still gets its one result, as a message no longer stored.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![], vec![]);
    let message = harness.core.create_text_message(ConversationType::Chatroom, ROOM, None, "hi").unwrap();
    harness.core.send_message(harness.now, &message).expect("accepted");
    let events = harness.events();
    assert!(matches!(events.as_slice(), [Event::MessageAttached { message }] if message.message_id != 0));
    let frames = harness.frames();
    let [Body::Publish(publish)] = frames.as_slice() else { panic!("expected the publish, got {frames:?}") };
    let client_message_id = publish.client_message_id.clone();
    harness.core.leave_chat_room(harness.now, ROOM).expect("accepted");
    let leave = sent_request(&mut harness);
    respond(&mut harness, leave.request_id, 0, None);
    harness.events();
    let ack = proto::PublishAck { client_message_id, code: 0, message_uid: "U1".into(), sent_time: 99 };
    harness.server_sends(Body::PublishAck(ack));
    let events = harness.events();
    let [Event::MessageSent { code: ErrorCode::SUCCESS, message }] = events.as_slice() else {
        panic!("unexpected events {events:?}")
    };
    assert_eq!((message.message_id, message.message_uid.as_deref()), (0, Some("U1")));
    assert!(harness.core.store().unwrap().all_messages().unwrap().is_empty());
}

#[test]
fn a_destroyed_room_is_purged_and_reported_without_left() {
    // CR-5, CR-23, CR-43
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    notice(&mut harness, ROOM, chatroom_notice::Body::Destroyed(proto::ChatroomDestroyed { status: 2 }));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomStatusChanged { target_id: ROOM.into(), status: ChatRoomStatus::DestroyAuto }]
    );
    assert!(cached_uids(&harness, ROOM).is_empty());
    assert!(!holds(&harness, ROOM));
    // A notice for a room not held is ignored.
    notice(&mut harness, ROOM, chatroom_notice::Body::Destroyed(proto::ChatroomDestroyed { status: 1 }));
    assert!(harness.events().is_empty());
}

#[test]
fn member_changes_are_reported() {
    // CR-24, CR-44
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![], vec![]);
    let actions = vec![
        proto::ChatroomMemberAction { user_id: "bob".into(), action: 1 },
        proto::ChatroomMemberAction { user_id: "carol".into(), action: 2 },
        proto::ChatroomMemberAction { user_id: "dave".into(), action: 9 },
    ];
    notice(&mut harness, ROOM, chatroom_notice::Body::MembersChanged(proto::ChatroomMembersChanged { actions }));
    let expected = [
        ("bob", ChatRoomMemberActionType::Join),
        ("carol", ChatRoomMemberActionType::Leave),
        ("dave", ChatRoomMemberActionType::Unknown),
    ]
    .map(|(user_id, action_type)| ChatRoomMemberAction { user_id: user_id.into(), action_type });
    assert_eq!(harness.events(), [Event::ChatRoomMemberChanged { target_id: ROOM.into(), actions: expected.to_vec() }]);
}

#[test]
fn an_automatic_reconnection_rejoins_with_the_original_fetch_count() {
    // CR-13, CR-41, CR-42
    let mut harness = Harness::connected("alice");
    harness.core.join_chat_room(harness.now, ROOM, 7, true).expect("accepted");
    harness.events();
    let request = sent_request(&mut harness);
    let joined = proto::ChatroomJoined { messages: vec![room_message(ROOM, "R1", "bob", 10)], ..Default::default() };
    respond(&mut harness, request.request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    harness.events();

    let events = reconnect(&mut harness);
    assert!(events.contains(&Event::ChatRoomJoining { target_id: ROOM.into() }));
    let rejoin = sent_request(&mut harness);
    let expected = proto::ChatroomJoin { room_id: ROOM.into(), fetch_count: 7, auto_create: false, rejoin: true };
    assert_eq!(rejoin.body, Some(request::Body::ChatroomJoin(expected)));
    // Resumed: the cache stays; R1 fetched again is not reported twice.
    let joined = proto::ChatroomJoined {
        messages: vec![room_message(ROOM, "R1", "bob", 10), room_message(ROOM, "R2", "bob", 11)],
        resumed: true,
        ..Default::default()
    };
    respond(&mut harness, rejoin.request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    let events = harness.events();
    assert_eq!(received(&events), [("R2".to_owned(), 0, false, false, true)]);
    assert_eq!(events[1], Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: ROOM.into() });
    assert_eq!(cached_uids(&harness, ROOM), ["R1", "R2"]);

    // Evicted meanwhile (not resumed): the stale cache is purged before the fetch is stored, so R2 is new again.
    reconnect(&mut harness);
    let rejoin = sent_request(&mut harness);
    let joined = proto::ChatroomJoined {
        messages: vec![room_message(ROOM, "R2", "bob", 11), room_message(ROOM, "R3", "bob", 12)],
        resumed: false,
        ..Default::default()
    };
    respond(&mut harness, rejoin.request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    let events = harness.events();
    assert_eq!(received(&events), [("R2".to_owned(), 1, false, false, true), ("R3".to_owned(), 0, false, false, true)]);
    assert_eq!(cached_uids(&harness, ROOM), ["R2", "R3"]);
}

#[test]
fn a_failed_rejoin_forgets_the_room() {
    // CR-41: a room destroyed meanwhile.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    reconnect(&mut harness);
    let rejoin = sent_request(&mut harness);
    respond(&mut harness, rejoin.request_id, 23410, None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomJoined { code: ErrorCode::CHATROOM_NOT_EXIST, target_id: ROOM.into() }]
    );
    assert!(!holds(&harness, ROOM));
    assert!(cached_uids(&harness, ROOM).is_empty());
    reconnect(&mut harness);
    assert!(harness.frames().is_empty(), "nothing left to rejoin");
}

#[test]
fn a_rejoin_cut_off_by_another_drop_is_tried_again_on_the_next_reconnection() {
    // CR-13: the room was joined and not left; losing the connection during the rejoin changes nothing about that.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    reconnect(&mut harness);
    let _lost = sent_request(&mut harness);
    let events = reconnect(&mut harness);
    assert!(events.contains(&Event::ChatRoomJoined { code: ErrorCode::NETWORK_UNAVAILABLE, target_id: ROOM.into() }));
    assert!(events.contains(&Event::ChatRoomJoining { target_id: ROOM.into() }));
    assert!(holds(&harness, ROOM));
    assert_eq!(cached_uids(&harness, ROOM), ["R1"], "nothing is purged while the membership is in doubt");
    let rejoin = sent_request(&mut harness);
    let expected = proto::ChatroomJoin { room_id: ROOM.into(), fetch_count: 10, auto_create: false, rejoin: true };
    assert_eq!(rejoin.body, Some(request::Body::ChatroomJoin(expected)));
}

#[test]
fn no_rejoin_after_disconnect() {
    // CR-13 is for automatic reconnections; disconnect forgets every room and purges it.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    harness.core.disconnect(harness.now, true).expect("accepted");
    let events = harness.events();
    assert!(!events.iter().any(|event| matches!(event, Event::ChatRoomLeft { .. })));
    assert!(cached_uids(&harness, ROOM).is_empty());
    assert!(!holds(&harness, ROOM));
    harness.frames();
    let mut harness = harness.connect_as("alice");
    assert!(harness.frames().is_empty(), "no ChatroomJoin after a new connect");
}

#[test]
fn a_connection_error_forgets_every_room() {
    // KICK-12: a kicked device does not reconnect, so it does not rejoin either.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    harness.server_sends(Body::SessionClosed(proto::SessionClosed { code: 31010, ..Default::default() }));
    harness.events();
    assert!(!holds(&harness, ROOM));
    assert!(cached_uids(&harness, ROOM).is_empty());
}

#[test]
fn requests_in_flight_fail_with_30002_when_the_connection_drops() {
    // CALL-13
    let mut harness = Harness::connected("alice");
    join(&mut harness, "joined", vec![], vec![]);
    start_join(&mut harness, ROOM);
    harness.core.leave_chat_room(harness.now, "joined").expect("accepted");
    harness.core.get_chat_room_messages(harness.now, "joined", 0, TimeOrder::Before, 5).expect("accepted");
    harness.frames();
    harness.core.handle_transport_closed(harness.now);
    let events = harness.events();
    let unavailable = ErrorCode::NETWORK_UNAVAILABLE;
    assert_eq!(
        events[..3],
        [
            Event::ChatRoomJoined { code: unavailable, target_id: ROOM.into() },
            Event::ChatRoomLeft { code: unavailable, target_id: "joined".into() },
            Event::ChatRoomMessagesLoaded {
                code: unavailable,
                target_id: "joined".into(),
                messages: vec![],
                sync_time: 0
            },
        ]
    );
    assert!(!holds(&harness, ROOM) && !holds(&harness, "joined"));
}

#[test]
fn history_is_reported_with_its_sync_time_and_not_stored() {
    // CR-25, CR-26, CR-45
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![], vec![]);
    harness.core.get_chat_room_messages(harness.now, ROOM, 5_000, TimeOrder::After, 2).expect("accepted");
    let request = sent_request(&mut harness);
    let expected = proto::ChatroomHistoryQuery { room_id: ROOM.into(), timestamp: 5_000, order: 1, count: 2 };
    assert_eq!(request.body, Some(request::Body::ChatroomHistory(expected)));
    let history = proto::ChatroomHistory {
        messages: vec![room_message(ROOM, "H1", "bob", 5_001), room_message(ROOM, "H2", "carol", 5_002)],
        sync_time: 5_002,
    };
    respond(&mut harness, request.request_id, 0, Some(response::Body::ChatroomHistory(history)));
    let events = harness.events();
    let [Event::ChatRoomMessagesLoaded { code: ErrorCode::SUCCESS, target_id, messages, sync_time: 5_002 }] =
        events.as_slice()
    else {
        panic!("unexpected events {events:?}")
    };
    assert_eq!(target_id, ROOM);
    let uids: Vec<(&str, i64, i64)> = messages
        .iter()
        .map(|message| (message.message_uid.as_deref().unwrap(), message.sent_time, message.message_id))
        .collect();
    assert_eq!(uids, [("H1", 5_001, 0), ("H2", 5_002, 0)]);
    assert!(cached_uids(&harness, ROOM).is_empty(), "history is not stored");

    harness.core.get_chat_room_messages(harness.now, ROOM, 0, TimeOrder::Before, 50).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 23414, None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomMessagesLoaded {
            code: ErrorCode::CHATROOM_HISTORY_UNAVAILABLE,
            target_id: ROOM.into(),
            messages: vec![],
            sync_time: 0
        }]
    );
}

#[test]
fn opening_the_database_purges_every_chatroom_cache() {
    // BIZ-26: after a crash nothing is joined, so what was cached is stale.
    let dir = std::env::temp_dir().join(format!("imsim-chatroom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.sqlite");
    let mut first = Harness::with_store(Box::new(FileOpener(file.clone())), 1).connect_as("alice");
    join(&mut first, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    let private = delivered(1, "P1", "bob", "hi");
    first.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(private) }));
    assert_eq!(cached_uids(&first, ROOM), ["R1"]);
    drop(first); // a crash: nothing is left or purged

    let mut second = Harness::with_store(Box::new(FileOpener(file)), 2);
    second.core.connect(second.now, &token_for("alice"), 0).expect("accepted");
    assert!(cached_uids(&second, ROOM).is_empty());
    let uids: Vec<String> =
        second.core.store().unwrap().all_messages().unwrap().into_iter().filter_map(|m| m.message_uid).collect();
    assert_eq!(uids, ["P1"], "other conversations are kept");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}
