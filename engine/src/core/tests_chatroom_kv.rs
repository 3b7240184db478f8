//! Chatroom attributes in the core (CRKV-5 to CRKV-20): the local checks, the requests sent, the events reported and
//! the engine's copy of the room's entries, with the harness playing the server by hand.

use super::tests::Harness;
use super::tests_chatroom::{ROOM, entry, join, respond, sent_request, start_join};
use super::*;
use crate::error::ImError;
use crate::limits::{CHATROOM_ENTRY_KEY_CHARS_MAX, CHATROOM_ENTRY_VALUE_CHARS_MAX};
use crate::proto::{self, chatroom_notice, frame::Body, request, response};

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

/// Alice, connected and in `ROOM`, whose entries are `entries`.
fn in_room(entries: &[(&str, &str)]) -> Harness {
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![], entries.iter().map(|(key, value)| entry(key, value)).collect());
    harness
}

fn result(failed: &[(&str, u32)]) -> Option<response::Body> {
    let failed_keys =
        failed.iter().map(|(key, code)| proto::ChatroomKeyError { key: key.to_string(), code: *code }).collect();
    Some(response::Body::ChatroomEntriesResult(proto::ChatroomEntriesResult { failed_keys }))
}

fn code_of<T: std::fmt::Debug>(outcome: Result<T, ImError>) -> ErrorCode {
    outcome.unwrap_err().code
}

#[test]
fn refused_kv_calls_return_their_code_and_change_nothing() {
    // CRKV-5, CRKV-18, CALL-12
    let mut harness = in_room(&[("k", "v")]);
    let now = harness.now;
    let param = ErrorCode::PARAM_ERROR;
    let long_key = "k".repeat(CHATROOM_ENTRY_KEY_CHARS_MAX + 1);
    let longest_key = "k".repeat(CHATROOM_ENTRY_KEY_CHARS_MAX);
    let long_value = "v".repeat(CHATROOM_ENTRY_VALUE_CHARS_MAX + 1);
    let long_room = "r".repeat(crate::limits::TARGET_ID_CHARS_MAX + 1);
    for key in ["", "a b", "ключ", "a.b", "a/b", long_key.as_str()] {
        assert_eq!(code_of(harness.core.add_chat_room_entry(now, ROOM, key, "v", false, false)), param, "{key:?}");
        assert_eq!(code_of(harness.core.remove_chat_room_entry(now, ROOM, key, false)), param, "{key:?}");
        let keys = vec!["k".to_owned(), key.to_owned()];
        assert_eq!(code_of(harness.core.remove_chat_room_entries(now, ROOM, keys, false)), param, "{key:?}");
        assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, key)), param, "{key:?}");
        assert_eq!(code_of(harness.core.get_chat_room_entry("not-held", key)), param, "{key:?}");
    }
    assert_eq!(code_of(harness.core.add_chat_room_entry(now, ROOM, "k", &long_value, false, false)), param);
    assert_eq!(code_of(harness.core.add_chat_room_entries(now, ROOM, BTreeMap::new(), false, false)), param);
    assert_eq!(code_of(harness.core.remove_chat_room_entries(now, ROOM, vec![], false)), param);
    for room in ["", long_room.as_str()] {
        assert_eq!(code_of(harness.core.add_chat_room_entry(now, room, "k", "v", false, false)), param);
        assert_eq!(code_of(harness.core.add_chat_room_entries(now, room, map(&[("k", "v")]), false, false)), param);
        assert_eq!(code_of(harness.core.remove_chat_room_entry(now, room, "k", false)), param);
        assert_eq!(code_of(harness.core.remove_chat_room_entries(now, room, vec!["k".into()], false)), param);
        assert_eq!(code_of(harness.core.get_chat_room_all_entries(room)), param);
        assert_eq!(code_of(harness.core.get_chat_room_entry(room, "k")), param);
    }
    assert!(harness.frames().is_empty());
    assert!(harness.events().is_empty());
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("k", "v")])));

    // The limits themselves are accepted.
    let longest_value = "v".repeat(CHATROOM_ENTRY_VALUE_CHARS_MAX);
    harness.core.add_chat_room_entry(now, ROOM, &longest_key, &longest_value, false, false).expect("accepted");
    harness.core.add_chat_room_entry(now, ROOM, "Az09+=-_", "", false, false).expect("accepted");
    assert_eq!(harness.frames().len(), 2);

    harness.core.handle_transport_closed(harness.now);
    harness.events();
    harness.actions();
    let offline = ErrorCode::NATIVE_OPERATION_ERROR;
    assert_eq!(code_of(harness.core.add_chat_room_entry(now, ROOM, "k", "v", false, false)), offline);
    assert_eq!(code_of(harness.core.add_chat_room_entries(now, ROOM, map(&[("k", "v")]), false, false)), offline);
    assert_eq!(code_of(harness.core.remove_chat_room_entry(now, ROOM, "k", false)), offline);
    assert_eq!(code_of(harness.core.remove_chat_room_entries(now, ROOM, vec!["k".into()], false)), offline);
    assert!(harness.frames().is_empty());
    assert!(harness.events().is_empty());

    let mut destroyed = in_room(&[]);
    destroyed.core.destroy(now).expect("accepted");
    destroyed.events();
    destroyed.frames();
    let gone = ErrorCode::ENGINE_DESTROYED;
    assert_eq!(code_of(destroyed.core.add_chat_room_entry(now, ROOM, "k", "v", false, false)), gone);
    assert_eq!(code_of(destroyed.core.add_chat_room_entries(now, ROOM, map(&[("k", "v")]), false, false)), gone);
    assert_eq!(code_of(destroyed.core.remove_chat_room_entry(now, ROOM, "k", false)), gone);
    assert_eq!(code_of(destroyed.core.remove_chat_room_entries(now, ROOM, vec!["k".into()], false)), gone);
    assert_eq!(code_of(destroyed.core.get_chat_room_entry(ROOM, "k")), gone);
    assert_eq!(code_of(destroyed.core.get_chat_room_entry("", "bad key")), gone);
    assert_eq!(code_of(destroyed.core.get_chat_room_all_entries(ROOM)), gone);
    assert!(destroyed.frames().is_empty());
    assert!(destroyed.events().is_empty());
}

#[test]
fn reads_answer_from_the_synced_copy() {
    // CRKV-9, CRKV-10, CRKV-13
    let mut harness = Harness::connected("alice");
    assert_eq!(code_of(harness.core.get_chat_room_all_entries(ROOM)), ErrorCode::NOT_IN_CHATROOM);
    assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, "k")), ErrorCode::NOT_IN_CHATROOM);
    let request_id = start_join(&mut harness, ROOM);
    assert_eq!(code_of(harness.core.get_chat_room_all_entries(ROOM)), ErrorCode::KV_STORE_NOT_SYNC);
    assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, "k")), ErrorCode::KV_STORE_NOT_SYNC);
    let joined = proto::ChatroomJoined { entries: vec![entry("k", "v"), entry("seat", "bob")], ..Default::default() };
    respond(&mut harness, request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    harness.events();
    assert_eq!(harness.core.get_chat_room_entry(ROOM, "k"), Ok(map(&[("k", "v")])));
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("k", "v"), ("seat", "bob")])));
    assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, "missing")), ErrorCode::KV_KEY_NOT_EXIST);
    assert_eq!(code_of(harness.core.get_chat_room_all_entries("other")), ErrorCode::NOT_IN_CHATROOM);
}

#[test]
fn a_rejoin_waits_for_its_own_sync() {
    // CRKV-13 after CR-41: the copy may be stale until the rejoin's sync replaces it.
    let mut harness = in_room(&[("k", "v")]);
    harness.core.handle_transport_closed(harness.now);
    let deadline = harness.core.poll_timeout().unwrap();
    harness.advance(deadline - harness.now.monotonic_ms);
    harness.actions();
    harness.open_and_ack("alice");
    harness.events();
    let rejoin = sent_request(&mut harness);
    assert_eq!(code_of(harness.core.get_chat_room_all_entries(ROOM)), ErrorCode::KV_STORE_NOT_SYNC);
    let joined = proto::ChatroomJoined { entries: vec![entry("k2", "v2")], resumed: true, ..Default::default() };
    respond(&mut harness, rejoin.request_id, 0, Some(response::Body::ChatroomJoined(joined)));
    let events = harness.events();
    assert_eq!(
        events[1..],
        [
            Event::ChatRoomEntriesChanged {
                operation_type: ChatRoomEntriesOperationType::Update,
                room_id: ROOM.into(),
                entries: map(&[("k2", "v2")])
            },
            Event::ChatRoomEntriesSynced { room_id: ROOM.into() },
        ]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("k2", "v2")])));
}

#[test]
fn an_own_change_updates_the_copy_without_entries_changed() {
    // CRKV-7, CRKV-11, CRKV-12, CRKV-20
    let mut harness = in_room(&[("a", "1"), ("b", "2"), ("c", "3")]);
    harness.core.add_chat_room_entry(harness.now, ROOM, "seat", "alice", true, false).expect("accepted");
    let request = sent_request(&mut harness);
    let expected = proto::ChatroomEntriesSet {
        room_id: ROOM.into(),
        entries: vec![entry("seat", "alice")],
        delete_when_left: true,
        overwrite: false,
    };
    assert_eq!(request.body, Some(request::Body::ChatroomEntriesSet(expected)));
    respond(&mut harness, request.request_id, 0, result(&[]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntryAdded { code: ErrorCode::SUCCESS, target_id: ROOM.into(), key: "seat".into() }]
    );
    assert_eq!(harness.core.get_chat_room_entry(ROOM, "seat"), Ok(map(&[("seat", "alice")])));

    harness.core.remove_chat_room_entry(harness.now, ROOM, "a", true).expect("accepted");
    let request = sent_request(&mut harness);
    let expected = proto::ChatroomEntriesRemove { room_id: ROOM.into(), keys: vec!["a".into()], force: true };
    assert_eq!(request.body, Some(request::Body::ChatroomEntriesRemove(expected)));
    respond(&mut harness, request.request_id, 0, result(&[]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntryRemoved { code: ErrorCode::SUCCESS, target_id: ROOM.into(), key: "a".into() }]
    );
    assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, "a")), ErrorCode::KV_KEY_NOT_EXIST);

    // A batch removal: the keys the server refused stay in the copy.
    let keys = vec!["b".to_owned(), "c".to_owned()];
    harness.core.remove_chat_room_entries(harness.now, ROOM, keys.clone(), false).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 0, result(&[("c", 23424)]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesRemoved { code: ErrorCode::SUCCESS, target_id: ROOM.into(), keys }]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("c", "3"), ("seat", "alice")])));
}

#[test]
fn a_single_key_reports_its_own_code() {
    // CRKV-17, CRKV-18: the request was processed (code 0), the key failed.
    let mut harness = in_room(&[("k", "theirs")]);
    harness.core.add_chat_room_entry(harness.now, ROOM, "k", "mine", false, false).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 0, result(&[("k", 23424)]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntryAdded { code: ErrorCode::KV_OVERWRITE_DENIED, target_id: ROOM.into(), key: "k".into() }]
    );
    assert_eq!(harness.core.get_chat_room_entry(ROOM, "k"), Ok(map(&[("k", "theirs")])));

    harness.core.remove_chat_room_entry(harness.now, ROOM, "gone", false).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 0, result(&[("gone", 23427)]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntryRemoved { code: ErrorCode::KV_KEY_NOT_EXIST, target_id: ROOM.into(), key: "gone".into() }]
    );

    // A whole request refused: its code.
    harness.core.add_chat_room_entry(harness.now, ROOM, "k2", "v", false, true).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 23426, None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntryAdded {
            code: ErrorCode::KV_STORE_NOT_AVAILABLE,
            target_id: ROOM.into(),
            key: "k2".into()
        }]
    );
    assert_eq!(code_of(harness.core.get_chat_room_entry(ROOM, "k2")), ErrorCode::KV_KEY_NOT_EXIST);
}

#[test]
fn a_batch_sends_the_valid_entries_and_reports_the_invalid_ones() {
    // CRKV-8, CRKV-18
    let mut harness = in_room(&[("taken", "theirs")]);
    let long_value = "v".repeat(CHATROOM_ENTRY_VALUE_CHARS_MAX + 1);
    let entries = map(&[("good", "1"), ("bad key", "2"), ("long", &long_value), ("taken", "mine")]);
    harness.core.add_chat_room_entries(harness.now, ROOM, entries.clone(), false, false).expect("accepted");
    assert!(harness.events().is_empty());
    let request = sent_request(&mut harness);
    let expected = proto::ChatroomEntriesSet {
        room_id: ROOM.into(),
        entries: vec![entry("good", "1"), entry("taken", "mine")],
        delete_when_left: false,
        overwrite: false,
    };
    assert_eq!(request.body, Some(request::Body::ChatroomEntriesSet(expected)));
    respond(&mut harness, request.request_id, 0, result(&[("taken", 23424)]));
    let error_entries = BTreeMap::from([
        ("bad key".to_owned(), ErrorCode::CHATROOM_PARAMETER_INVALID),
        ("long".to_owned(), ErrorCode::CHATROOM_PARAMETER_INVALID),
        ("taken".to_owned(), ErrorCode::KV_OVERWRITE_DENIED),
    ]);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesAdded { code: ErrorCode::SUCCESS, target_id: ROOM.into(), entries, error_entries }]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("good", "1"), ("taken", "theirs")])));
}

#[test]
fn a_batch_without_a_valid_entry_is_reported_at_once() {
    // CRKV-18
    let mut harness = in_room(&[]);
    let entries = map(&[("bad key", "1"), ("", "2")]);
    harness.core.add_chat_room_entries(harness.now, ROOM, entries.clone(), true, true).expect("accepted");
    assert!(harness.frames().is_empty());
    let error_entries = BTreeMap::from([
        ("".to_owned(), ErrorCode::CHATROOM_PARAMETER_INVALID),
        ("bad key".to_owned(), ErrorCode::CHATROOM_PARAMETER_INVALID),
    ]);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesAdded { code: ErrorCode::SUCCESS, target_id: ROOM.into(), entries, error_entries }]
    );
}

#[test]
fn a_refused_batch_reports_the_request_code() {
    // CRKV-8: more than 10 entries, refused whole by the server.
    let mut harness = in_room(&[]);
    let entries: BTreeMap<String, String> = (0..11).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    harness.core.add_chat_room_entries(harness.now, ROOM, entries.clone(), false, false).expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 23429, None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesAdded {
            code: ErrorCode::KV_BATCH_OUT_OF_LIMIT,
            target_id: ROOM.into(),
            entries,
            error_entries: BTreeMap::new()
        }]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(BTreeMap::new()));
}

#[test]
fn others_changes_update_the_copy_and_are_reported() {
    // CRKV-14, CRKV-19, CRKV-20
    let mut harness = in_room(&[("a", "1"), ("b", "2")]);
    let changed = |operation, entries: Vec<proto::ChatroomEntry>| {
        chatroom_notice::Body::EntriesChanged(proto::ChatroomEntriesChanged { operation, entries })
    };
    let notice = |harness: &mut Harness, room: &str, body| {
        harness.server_sends(Body::ChatroomNotice(proto::ChatroomNotice { room_id: room.into(), body: Some(body) }))
    };
    notice(&mut harness, ROOM, changed(0, vec![entry("a", "10"), entry("c", "3")]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesChanged {
            operation_type: ChatRoomEntriesOperationType::Update,
            room_id: ROOM.into(),
            entries: map(&[("a", "10"), ("c", "3")])
        }]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("a", "10"), ("b", "2"), ("c", "3")])));
    notice(&mut harness, ROOM, changed(1, vec![entry("b", "2")]));
    assert_eq!(
        harness.events(),
        [Event::ChatRoomEntriesChanged {
            operation_type: ChatRoomEntriesOperationType::Remove,
            room_id: ROOM.into(),
            entries: map(&[("b", "2")])
        }]
    );
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("a", "10"), ("c", "3")])));
    // A room not held, or an operation the engine does not know: ignored.
    notice(&mut harness, "other", changed(0, vec![entry("x", "1")]));
    notice(&mut harness, ROOM, changed(7, vec![entry("a", "1")]));
    assert!(harness.events().is_empty());
    assert_eq!(harness.core.get_chat_room_all_entries(ROOM), Ok(map(&[("a", "10"), ("c", "3")])));
}

#[test]
fn kv_requests_in_flight_fail_with_30002_when_the_connection_drops() {
    // CALL-13
    let mut harness = in_room(&[]);
    let now = harness.now;
    harness.core.add_chat_room_entry(now, ROOM, "k", "v", false, false).expect("accepted");
    harness.core.remove_chat_room_entries(now, ROOM, vec!["k".into()], false).expect("accepted");
    harness.frames();
    harness.core.handle_transport_closed(harness.now);
    let unavailable = ErrorCode::NETWORK_UNAVAILABLE;
    assert_eq!(
        harness.events()[..2],
        [
            Event::ChatRoomEntryAdded { code: unavailable, target_id: ROOM.into(), key: "k".into() },
            Event::ChatRoomEntriesRemoved { code: unavailable, target_id: ROOM.into(), keys: vec!["k".into()] },
        ]
    );
}
