//! Callbacks to the app server (CR-36, CRKV-15): every kind with its exact fields, the switches off, and the order
//! of the callbacks one action makes.

use std::collections::BTreeMap;

use imsim_engine::{ChatRoomEntriesOperationType, ChatRoomStatus};
use proto::request;

use super::chatroom::*;
use super::*;

use AppServerCallback::{
    ChatroomCreated, ChatroomDestroyed, ChatroomEntriesChanged, ChatroomMemberJoined, ChatroomMemberLeft,
};

/// A chatroom harness with the given callback switches (and KV on).
fn callback_harness(status: bool, kv: bool) -> Harness {
    let mut h = chatroom_harness();
    h.configure(|config| {
        config.chatroom_kv = true;
        config.chatroom_status_callback = status;
        config.chatroom_kv_callback = kv;
    });
    h
}

fn callbacks(h: &mut Harness) -> Vec<AppServerCallback> {
    h.server.take_app_server_callbacks(APP)
}

fn created(room: &str, at_ms: i64) -> AppServerCallback {
    ChatroomCreated { room_id: room.to_owned(), at_ms }
}

fn joined(room: &str, user: &str, at_ms: i64) -> AppServerCallback {
    ChatroomMemberJoined { room_id: room.to_owned(), user_id: user.to_owned(), at_ms }
}

fn left(room: &str, user: &str, at_ms: i64) -> AppServerCallback {
    ChatroomMemberLeft { room_id: room.to_owned(), user_id: user.to_owned(), at_ms }
}

fn destroyed(room: &str, status: ChatRoomStatus, at_ms: i64) -> AppServerCallback {
    ChatroomDestroyed { room_id: room.to_owned(), status, at_ms }
}

fn entries_changed(
    user: &str,
    operation: ChatRoomEntriesOperationType,
    entries: &[(&str, &str)],
    at_ms: i64,
) -> AppServerCallback {
    let entries: BTreeMap<String, String> = entries.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
    ChatroomEntriesChanged { room_id: ROOM.to_owned(), user_id: user.to_owned(), operation, entries, at_ms }
}

fn set(h: &mut Harness, conn: ConnId, entries: &[(&str, &str)], delete_when_left: bool, overwrite: bool) {
    let entries = entries.iter().map(|&(key, value)| proto::ChatroomEntry { key: key.into(), value: value.into() });
    let body = request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
        room_id: ROOM.to_owned(),
        entries: entries.collect(),
        delete_when_left,
        overwrite,
    });
    assert_eq!(chatroom_request(h, conn, body).0.code, 0);
}

fn remove(h: &mut Harness, conn: ConnId, keys: &[&str], force: bool) {
    let keys = keys.iter().map(|&key| key.to_owned()).collect();
    let body =
        request::Body::ChatroomEntriesRemove(proto::ChatroomEntriesRemove { room_id: ROOM.to_owned(), keys, force });
    assert_eq!(chatroom_request(h, conn, body).0.code, 0);
}

/// CR-36: creation by the Server API (idempotent: once), joins (a resumed rejoin is none), a leave and the
/// destruction by the Server API, with their times; draining empties the log.
#[test]
fn status_callbacks_for_creation_joins_leaves_and_manual_destruction() {
    let mut h = callback_harness(true, false);
    let t0 = h.now;
    h.server.create_chatroom(APP, ROOM, t0).unwrap();
    h.server.create_chatroom(APP, ROOM, t0).unwrap();
    h.advance(1_000);
    let alice = member(&mut h, "alice", "phone", ROOM);
    h.advance(1_000);
    join(&mut h, alice, ROOM, 0);
    let bob = member(&mut h, "bob", "phone", ROOM);
    h.advance(1_000);
    assert_eq!(chatroom_request(&mut h, bob, leave_body(ROOM)).0.code, 0);
    assert_eq!(
        callbacks(&mut h),
        vec![
            created(ROOM, t0),
            joined(ROOM, "alice", t0 + 1_000),
            joined(ROOM, "bob", t0 + 2_000),
            left(ROOM, "bob", t0 + 3_000)
        ]
    );
    assert_eq!(callbacks(&mut h), vec![], "drained");
    h.advance(1_000);
    h.server.destroy_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(callbacks(&mut h), vec![destroyed(ROOM, ChatRoomStatus::DestroyManual, t0 + 4_000)], "no member left");
}

/// CR-36: a join with `auto_create` reports the creation, then the single-room rule's leave, then the join.
#[test]
fn auto_create_and_the_single_room_rule_in_order() {
    let mut h = callback_harness(true, false);
    let t0 = h.now;
    let alice = member_auto(&mut h, "alice", ROOM);
    h.advance(500);
    let (response, _) = chatroom_request(&mut h, alice, join_body(OTHER_ROOM, 0, true));
    assert_eq!(response.code, 0);
    assert_eq!(
        callbacks(&mut h),
        vec![
            created(ROOM, t0),
            joined(ROOM, "alice", t0),
            created(OTHER_ROOM, t0 + 500),
            left(ROOM, "alice", t0 + 500),
            joined(OTHER_ROOM, "alice", t0 + 500),
        ]
    );
}

fn member_auto(h: &mut Harness, user: &str, room: &str) -> ConnId {
    let conn = h.connect_live(user, "phone");
    assert_eq!(chatroom_request(h, conn, join_body(room, 0, true)).0.code, 0);
    conn
}

/// CR-36: evictions (by a message after 30 s offline, in real time) and bans are member left callbacks; a closed
/// connection is not; destruction for inactivity is `destroyAuto` at its deadline.
#[test]
fn evictions_bans_and_auto_destruction() {
    let mut h = callback_harness(true, false);
    h.configure(|config| config.chatroom_realtime_eviction = true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let bob = member(&mut h, "bob", "phone", ROOM);
    let alice = member(&mut h, "alice", "phone", ROOM);
    member(&mut h, "carol", "phone", ROOM);
    callbacks(&mut h);
    h.server.handle_connection_closed(alice, h.now);
    h.advance(30_000);
    assert_eq!(callbacks(&mut h), vec![], "going offline ends nothing");
    say(&mut h, bob, ROOM, "hi");
    let evicted_at = h.now;
    h.server.ban_chatroom_member(APP, ROOM, &["carol".to_owned()], HOUR, h.now).unwrap();
    assert_eq!(callbacks(&mut h), vec![left(ROOM, "alice", evicted_at), left(ROOM, "carol", evicted_at)]);

    h.server.handle_connection_closed(bob, h.now);
    let offline_at = h.now;
    h.now = offline_at + CHATROOM_REALTIME_EVICTION_MS;
    h.server.handle_timeout(h.now);
    assert_eq!(callbacks(&mut h), vec![left(ROOM, "bob", h.now)], "real-time eviction");
    let deadline = h.server.chatroom_destroy_deadline(APP, ROOM).unwrap();
    h.now = deadline;
    h.server.handle_timeout(h.now);
    assert_eq!(callbacks(&mut h), vec![destroyed(ROOM, ChatRoomStatus::DestroyAuto, deadline)]);
}

/// CRKV-15: a set, an overwrite by another user, a removal, the deleteWhenLeft cleanup on leave (empty user), and
/// the deletion of all the entries before the destroyed callback; failed keys are not reported, nor are requests
/// that changed nothing.
#[test]
fn kv_callbacks_for_every_change() {
    let mut h = callback_harness(true, true);
    let t0 = h.now;
    h.server.create_chatroom(APP, ROOM, t0).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    let bob = member(&mut h, "bob", "phone", ROOM);
    callbacks(&mut h);
    use ChatRoomEntriesOperationType::{Remove, Update};
    set(&mut h, alice, &[("k1", "v1"), ("k2", "v2")], false, false);
    h.advance(10);
    set(&mut h, bob, &[("k1", "x"), ("k3", "v3")], true, false);
    set(&mut h, bob, &[("k1", "w")], true, true);
    h.advance(10);
    remove(&mut h, alice, &["k2", "missing"], false);
    remove(&mut h, alice, &["missing"], false);
    assert_eq!(
        callbacks(&mut h),
        vec![
            entries_changed("alice", Update, &[("k1", "v1"), ("k2", "v2")], t0),
            entries_changed("bob", Update, &[("k3", "v3")], t0 + 10),
            entries_changed("bob", Update, &[("k1", "w")], t0 + 10),
            entries_changed("alice", Remove, &[("k2", "v2")], t0 + 20),
        ]
    );
    h.advance(10);
    assert_eq!(chatroom_request(&mut h, bob, leave_body(ROOM)).0.code, 0);
    assert_eq!(
        callbacks(&mut h),
        vec![left(ROOM, "bob", t0 + 30), entries_changed("", Remove, &[("k1", "w"), ("k3", "v3")], t0 + 30)]
    );
    set(&mut h, alice, &[("k4", "v4")], false, false);
    callbacks(&mut h);
    h.server.destroy_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(
        callbacks(&mut h),
        vec![
            entries_changed("", Remove, &[("k4", "v4")], t0 + 30),
            destroyed(ROOM, ChatRoomStatus::DestroyManual, t0 + 30),
        ]
    );
}

/// BIZ-24: both switches are off by default, and each governs its own kind.
#[test]
fn nothing_is_recorded_with_the_switches_off() {
    let mut h = callback_harness(false, false);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    set(&mut h, alice, &[("k", "v")], true, false);
    assert_eq!(chatroom_request(&mut h, alice, leave_body(ROOM)).0.code, 0);
    h.server.destroy_chatroom(APP, ROOM, h.now).unwrap();
    assert_eq!(callbacks(&mut h), vec![]);
    assert!(!AppConfig::default().chatroom_status_callback && !AppConfig::default().chatroom_kv_callback);

    let mut h = callback_harness(false, true);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    set(&mut h, alice, &[("k", "v")], false, false);
    assert_eq!(
        callbacks(&mut h),
        vec![entries_changed("alice", ChatRoomEntriesOperationType::Update, &[("k", "v")], h.now)]
    );

    let mut h = callback_harness(true, false);
    h.server.create_chatroom(APP, ROOM, h.now).unwrap();
    let alice = member(&mut h, "alice", "phone", ROOM);
    set(&mut h, alice, &[("k", "v")], false, false);
    assert_eq!(callbacks(&mut h), vec![created(ROOM, h.now), joined(ROOM, "alice", h.now)]);
    assert_eq!(h.server.take_app_server_callbacks("no-such-app"), vec![]);
}
