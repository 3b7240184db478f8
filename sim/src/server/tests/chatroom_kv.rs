//! Chatroom attributes (CRKV): the whole-request checks, per-key failures, owners, notices and the deleteWhenLeft
//! cleanup.

use imsim_engine::limits::CHATROOM_ENTRY_VALUE_CHARS_MAX;
use proto::{chatroom_notice, request, response};

use super::chatroom::*;
use super::*;

fn entry(key: &str, value: &str) -> proto::ChatroomEntry {
    proto::ChatroomEntry { key: key.to_owned(), value: value.to_owned() }
}

fn set_body(entries: &[proto::ChatroomEntry], delete_when_left: bool, overwrite: bool) -> request::Body {
    request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
        room_id: ROOM.to_owned(),
        entries: entries.to_vec(),
        delete_when_left,
        overwrite,
    })
}

fn remove_body(keys: &[&str], force: bool) -> request::Body {
    request::Body::ChatroomEntriesRemove(proto::ChatroomEntriesRemove {
        room_id: ROOM.to_owned(),
        keys: keys.iter().map(|&key| key.to_owned()).collect(),
        force,
    })
}

/// Sends a KV request; returns the failed keys (asserting code 0) and the notices for others.
fn kv(h: &mut Harness, conn: ConnId, body: request::Body) -> (Vec<(String, ErrorCode)>, Vec<ServerOutput>) {
    let (response, notices) = chatroom_request(h, conn, body);
    assert_eq!(response.code, 0, "{response:?}");
    let Some(response::Body::ChatroomEntriesResult(result)) = response.body else {
        panic!("expected ChatroomEntriesResult, got {response:?}");
    };
    let failed = result.failed_keys.into_iter().map(|failed| (failed.key, ErrorCode::from_wire(failed.code))).collect();
    (failed, notices)
}

/// The code of a KV request refused as a whole (no body, no notice).
fn kv_refused(h: &mut Harness, conn: ConnId, body: request::Body) -> ErrorCode {
    let (response, notices) = chatroom_request(h, conn, body);
    assert_eq!((&response.body, notices), (&None, vec![]));
    ErrorCode::from_wire(response.code)
}

/// An `entries_changed` notice: operation 0 update, 1 remove.
fn changed(conn: ConnId, operation: u32, entries: &[proto::ChatroomEntry]) -> ServerOutput {
    let changed = proto::ChatroomEntriesChanged { operation, entries: entries.to_vec() };
    notice(conn, ROOM, chatroom_notice::Body::EntriesChanged(changed))
}

fn entries(h: &Harness) -> Vec<(String, String)> {
    h.server.chatroom_entries(APP, ROOM).expect("the room exists").into_iter().collect()
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|&(key, value)| (key.to_owned(), value.to_owned())).collect()
}

fn kv_harness() -> Harness {
    let mut h = chatroom_harness();
    h.configure(|config| config.chatroom_kv = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    h
}

/// CRKV-1, CRKV-18, CRKV-8: the switch (23426), membership (23406), an empty batch (23412) and a batch over 10
/// (23429) refuse the whole request and change nothing.
#[test]
fn whole_request_refusals() {
    let mut h = chatroom_harness();
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let one = [entry("k", "v")];
    assert_eq!(kv_refused(&mut h, alice, set_body(&one, false, false)), ErrorCode::KV_STORE_NOT_AVAILABLE);
    assert_eq!(kv_refused(&mut h, alice, remove_body(&["k"], true)), ErrorCode::KV_STORE_NOT_AVAILABLE);

    h.configure(|config| config.chatroom_kv = true);
    let bob = h.connect_live("bob", "phone");
    assert_eq!(kv_refused(&mut h, bob, set_body(&one, false, false)), ErrorCode::NOT_IN_CHATROOM);
    assert_eq!(kv_refused(&mut h, bob, remove_body(&["k"], true)), ErrorCode::NOT_IN_CHATROOM);
    assert_eq!(kv_refused(&mut h, alice, set_body(&[], false, false)), ErrorCode::CHATROOM_PARAMETER_INVALID);
    assert_eq!(kv_refused(&mut h, alice, remove_body(&[], false)), ErrorCode::CHATROOM_PARAMETER_INVALID);
    let eleven: Vec<_> = (0..11).map(|i| entry(&format!("k{i}"), "v")).collect();
    assert_eq!(kv_refused(&mut h, alice, set_body(&eleven, false, false)), ErrorCode::KV_BATCH_OUT_OF_LIMIT);
    let keys: Vec<String> = (0..11).map(|i| format!("k{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(kv_refused(&mut h, alice, remove_body(&keys, true)), ErrorCode::KV_BATCH_OUT_OF_LIMIT);
    assert_eq!(entries(&h), vec![]);

    let (failed, _) = kv(&mut h, alice, set_body(&eleven[..10], false, false));
    assert_eq!(failed, vec![]);
    assert_eq!(entries(&h).len(), 10);
}

/// CRKV-4: more than 100 entry operations in a room's sliding second (this request's included) refuse the request
/// with 23425; refused requests do not count.
#[test]
fn the_operation_rate_is_per_room_and_second() {
    let mut h = kv_harness();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let batch: Vec<_> = (0..10).map(|i| entry(&format!("k{i}"), "v")).collect();
    let start = h.now;
    for _ in 0..9 {
        assert_eq!(kv(&mut h, alice, set_body(&batch, false, true)).0, vec![]);
        h.advance(100);
    }
    assert_eq!(kv(&mut h, alice, set_body(&batch[..9], false, true)).0, vec![], "99 operations");
    assert_eq!(kv_refused(&mut h, alice, set_body(&batch[..2], false, true)), ErrorCode::KV_RATE_EXCEEDED);
    assert_eq!(kv(&mut h, alice, remove_body(&["k9"], false)).0, vec![], "the 100th");
    assert_eq!(kv_refused(&mut h, alice, remove_body(&["k8"], false)), ErrorCode::KV_RATE_EXCEEDED);
    h.now = start + 1_000;
    assert_eq!(kv(&mut h, alice, remove_body(&["k8"], false)).0, vec![], "the first 10 left the window");
}

/// CRKV-5, CRKV-18: an invalid key or an oversized value fails with 23412 for that key only; the others apply.
#[test]
fn invalid_keys_and_values_fail_per_key() {
    let mut h = kv_harness();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(CHATROOM_ENTRY_VALUE_CHARS_MAX + 1);
    let max_value = "é".repeat(CHATROOM_ENTRY_VALUE_CHARS_MAX);
    let request = [
        entry("bad key", "v"),
        entry("ok+=-_1", "v"),
        entry(&long_key, "v"),
        entry("big", &long_value),
        entry("max", &max_value),
    ];
    let (failed, _) = kv(&mut h, alice, set_body(&request, false, false));
    let invalid = ErrorCode::CHATROOM_PARAMETER_INVALID;
    let expected = vec![("bad key".to_owned(), invalid), (long_key, invalid), ("big".to_owned(), invalid)];
    assert_eq!(failed, expected);
    assert_eq!(entries(&h), vec![("max".to_owned(), max_value), ("ok+=-_1".to_owned(), "v".to_owned())]);
    let (failed, _) = kv(&mut h, alice, remove_body(&["", "ok+=-_1"], false));
    assert_eq!(failed, vec![(String::new(), invalid)]);
}

/// CRKV-17: overwrite and force, with owners: an existing key needs `overwrite` (23424), which makes the caller the
/// owner; another user's key needs `force` to be removed (23424); a missing key is 23427.
#[test]
fn overwrite_force_and_owners() {
    let mut h = kv_harness();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    assert_eq!(kv(&mut h, alice, set_body(&[entry("seat", "alice"), entry("mine", "1")], false, false)).0, vec![]);
    let (failed, notices) = kv(&mut h, bob, set_body(&[entry("seat", "bob"), entry("new", "x")], false, false));
    assert_eq!(failed, vec![("seat".to_owned(), ErrorCode::KV_OVERWRITE_DENIED)]);
    assert_eq!(notices, vec![changed(alice, 0, &[entry("new", "x")])], "only what changed");
    assert_eq!(h.server.chatroom_entry_owner(APP, ROOM, "seat").as_deref(), Some("alice"));

    assert_eq!(kv(&mut h, bob, set_body(&[entry("seat", "bob")], false, true)).0, vec![]);
    assert_eq!(h.server.chatroom_entry_owner(APP, ROOM, "seat").as_deref(), Some("bob"));
    let (failed, _) = kv(&mut h, alice, remove_body(&["seat", "missing", "mine"], false));
    let expected =
        vec![("seat".to_owned(), ErrorCode::KV_OVERWRITE_DENIED), ("missing".to_owned(), ErrorCode::KV_KEY_NOT_EXIST)];
    assert_eq!(failed, expected, "alice may remove her own key without force");
    let (failed, notices) = kv(&mut h, alice, remove_body(&["seat"], true));
    assert_eq!(failed, vec![]);
    assert_eq!(notices, vec![changed(bob, 1, &[entry("seat", "bob")])], "the removed key with its last value");
    assert_eq!(entries(&h), pairs(&[("new", "x")]));
}

/// CRKV-2, CRKV-18: a room holds 100 entries: a new key beyond fails with 23423 (in a batch, only the entries
/// beyond 100), while existing keys can still be overwritten.
#[test]
fn a_room_holds_100_entries() {
    let mut h = kv_harness();
    let alice = member(&mut h, "alice", "phone", ROOM);
    for batch in 0..9 {
        let request: Vec<_> = (0..10).map(|i| entry(&format!("k{batch}{i}"), "v")).collect();
        assert_eq!(kv(&mut h, alice, set_body(&request, false, false)).0, vec![]);
    }
    let request: Vec<_> = (0..5).map(|i| entry(&format!("k9{i}"), "v")).collect();
    assert_eq!(kv(&mut h, alice, set_body(&request, false, false)).0, vec![]);
    h.advance(1_000);
    let mut request: Vec<_> = (0..5).map(|i| entry(&format!("z{i}"), "v")).collect();
    request.push(entry("k00", "overwritten"));
    request.extend((5..9).map(|i| entry(&format!("z{i}"), "v")));
    let (failed, _) = kv(&mut h, alice, set_body(&request, false, true));
    let full = ErrorCode::KV_MAX_SIZE_EXCEEDED;
    let expected: Vec<_> = (5..9).map(|i| (format!("z{i}"), full)).collect();
    assert_eq!(failed, expected, "95 + 5 new fill the room; the overwrite still applies");
    assert_eq!(entries(&h).len(), 100);
    assert_eq!(h.server.chatroom_entries(APP, ROOM).unwrap()["k00"], "overwritten");
    assert_eq!(
        kv(&mut h, alice, set_body(&[entry("one-more", "v")], false, false)).0,
        vec![("one-more".to_owned(), full)]
    );
    assert_eq!(kv(&mut h, alice, remove_body(&["k00"], false)).0, vec![]);
    assert_eq!(kv(&mut h, alice, set_body(&[entry("one-more", "v")], false, false)).0, vec![]);
}

/// CRKV-14, CRKV-20: changes go to every other joined connection, including the requester's other device, never to
/// the requesting connection; a join returns every entry by key.
#[test]
fn changes_reach_the_other_connections_and_joins_get_everything() {
    let mut h = kv_harness();
    let phone = member(&mut h, "alice", "phone", ROOM);
    let laptop = h.connect_live("alice", "laptop");
    join(&mut h, laptop, ROOM, 0);
    let bob = member(&mut h, "bob", "phone", ROOM);
    let (_, notices) = kv(&mut h, phone, set_body(&[entry("b", "2"), entry("a", "1")], true, false));
    let update = [entry("b", "2"), entry("a", "1")];
    assert_eq!(notices, vec![changed(laptop, 0, &update), changed(bob, 0, &update)]);
    let carol = h.connect_live("carol", "phone");
    let (joined, _) = join(&mut h, carol, ROOM, 0);
    assert_eq!(joined.entries, vec![entry("a", "1"), entry("b", "2")]);
}

/// CRKV-6, CRKV-19: a user's `delete_when_left` entries go when their membership ends (leave, eviction, the
/// single-room rule), and the others are told; a mere disconnect keeps them, as do entries without the flag or
/// since set by someone else.
#[test]
fn delete_when_left_cleanup() {
    let mut h = kv_harness();
    h.server.create_chatroom(APP, OTHER_ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    let alice = member(&mut h, "alice", "phone", ROOM);
    kv(&mut h, alice, set_body(&[entry("mic", "alice"), entry("taken", "alice")], true, false));
    kv(&mut h, alice, set_body(&[entry("keep", "alice")], false, false));
    kv(&mut h, bob, set_body(&[entry("taken", "bob")], false, true));

    // A disconnect is not leaving.
    h.server.handle_connection_closed(alice, h.now);
    assert_eq!(h.outputs(), vec![]);
    assert_eq!(entries(&h).len(), 3);
    h.advance(10_000);
    let alice = h.connect_live("alice", "phone");
    assert!(join(&mut h, alice, ROOM, 0).0.resumed);
    assert_eq!(entries(&h).len(), 3);

    // Leaving.
    let (_, notices) = chatroom_request(&mut h, alice, leave_body(ROOM));
    assert_eq!(notices, vec![changed(bob, 1, &[entry("mic", "alice")])]);
    assert_eq!(entries(&h), pairs(&[("keep", "alice"), ("taken", "bob")]));

    // The single-room rule.
    join(&mut h, alice, ROOM, 0);
    kv(&mut h, alice, set_body(&[entry("mic", "alice")], true, false));
    let (joined, notices) = join(&mut h, alice, OTHER_ROOM, 0);
    assert_eq!(joined.left_room_ids, vec![ROOM.to_owned()]);
    assert_eq!(notices, vec![changed(bob, 1, &[entry("mic", "alice")])]);

    // Eviction.
    join(&mut h, alice, ROOM, 0);
    kv(&mut h, alice, set_body(&[entry("mic", "alice")], true, false));
    h.server.handle_connection_closed(alice, h.now);
    h.advance(30_000);
    let outputs = h.publish_with(bob, chatroom_publish("m", ROOM, "hello"));
    let (ack, rest) = split_ack(bob, &outputs);
    assert_eq!(ack.code, 0);
    assert_eq!(rest, [changed(bob, 1, &[entry("mic", "alice")])]);
    assert_eq!(h.server.chatroom_members(APP, ROOM).unwrap(), vec!["bob"]);
    assert_eq!(entries(&h), pairs(&[("keep", "alice"), ("taken", "bob")]));
}
