//! Message expansion on the server (EXP-7, EXP-11, EXP-12, EXP-14, EXP-15): each change is checked whole against the
//! message's expansion as it stands, and nothing of a refused change is applied.

use std::collections::BTreeMap;

use imsim_engine::checks;
use imsim_engine::limits::{EXPANSION_ENTRIES_MAX, EXPANSION_ENTRIES_PER_UPDATE_MAX, ExpansionLimits};
use proto::request;

use super::blacklist::request;
use super::*;

/// An expansion change of `message_uid` setting `updated` and removing `removed`.
fn change(message_uid: &str, updated: &[(String, String)], removed: &[&str]) -> Option<request::Body> {
    Some(request::Body::ExpansionChange(proto::ExpansionChange {
        message_uid: message_uid.to_owned(),
        updated: updated.iter().cloned().collect(),
        removed_keys: removed.iter().map(|key| (*key).to_owned()).collect(),
    }))
}

/// `count` entries `{prefix}0` … with value `v`.
fn entries(prefix: &str, count: usize) -> Vec<(String, String)> {
    (0..count).map(|i| (format!("{prefix}{i}"), "v".to_owned())).collect()
}

/// Alice (live on the returned connection) sends bob (offline) a message with expansion `expansion`, or without
/// expansion; returns the connection and the message's UID.
fn expandable(h: &mut Harness, expansion: Option<BTreeMap<String, String>>) -> (ConnId, String) {
    let alice = h.connect_live("alice", "phone");
    let publish = proto::Publish {
        expansion: expansion.map(|entries| proto::Expansion { entries: entries.into_iter().collect() }),
        ..private_publish("p1", "bob", "gift")
    };
    let outputs = h.publish_with(alice, publish);
    let (ack, _) = split_ack(alice, &outputs);
    assert_eq!(ack.code, 0);
    (alice, ack.message_uid)
}

/// EXP-7, EXP-11: 300 distinct keys after the merge is the most; overwriting a key adds no entry, and a removal
/// makes room again. A refused change leaves the expansion as it was.
#[test]
fn a_message_holds_at_most_300_distinct_keys_after_the_merge() {
    checks!(unit: "EXP-7", "EXP-11", "EXP-12");
    let mut h = Harness::new();
    let (alice, uid) = expandable(&mut h, Some(BTreeMap::new()));
    let per_update = EXPANSION_ENTRIES_PER_UPDATE_MAX;
    for round in 0..EXPANSION_ENTRIES_MAX / per_update {
        // Under the send rate: 250 ms apart.
        h.advance(250);
        let answer =
            request(&mut h, alice, round as u64, change(&uid, &entries(&format!("r{round}k"), per_update), &[]));
        assert_eq!(answer.code, 0, "round {round}");
    }
    h.advance(250);
    let one_more = request(&mut h, alice, 100, change(&uid, &entries("extra", 1), &[]));
    assert_eq!(one_more.code, ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED.to_wire(), "a 301st key");
    h.advance(250);
    let overwrite = request(&mut h, alice, 101, change(&uid, &entries("r0k", per_update), &[]));
    assert_eq!(overwrite.code, 0, "overwriting 20 existing keys adds none");
    h.advance(250);
    assert_eq!(request(&mut h, alice, 102, change(&uid, &[], &["r0k0", "absent"])).code, 0);
    h.advance(250);
    assert_eq!(request(&mut h, alice, 103, change(&uid, &entries("extra", 1), &[])).code, 0, "room for one");
    h.advance(250);
    let full = request(&mut h, alice, 104, change(&uid, &entries("more", 1), &[]));
    assert_eq!(full.code, ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED.to_wire(), "full again");
}

/// EXP-7, EXP-11: one change sets or removes at most 20, each key 1 to 32 characters of EXP-6's set, each value at
/// most 4096 characters; a change must set or remove, not both or neither. A broken client gets here only.
#[test]
fn a_change_past_the_limits_of_one_operation_is_refused() {
    checks!(unit: "EXP-7");
    let mut h = Harness::new();
    let (alice, uid) = expandable(&mut h, Some(BTreeMap::new()));
    let size = ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED.to_wire();
    let malformed = ErrorCode::PROTOCOL_MALFORMED_FRAME.to_wire();
    let long_key = "k".repeat(33);
    let cases: Vec<(Option<request::Body>, u32)> = vec![
        (change(&uid, &entries("k", 21), &[]), size),
        (change(&uid, &[(long_key.clone(), "v".to_owned())], &[]), size),
        (change(&uid, &[("k".to_owned(), "v".repeat(4097))], &[]), size),
        (change(&uid, &[], &[long_key.as_str()]), size),
        (change(&uid, &[], &(0..21).map(|_| "k").collect::<Vec<_>>()), size),
        (change(&uid, &[("键".to_owned(), "v".to_owned())], &[]), malformed),
        (change(&uid, &[], &["a b"]), malformed),
        (change(&uid, &entries("k", 1), &["k0"]), malformed),
        (change(&uid, &[], &[]), malformed),
    ];
    for (i, (body, code)) in cases.into_iter().enumerate() {
        h.advance(250);
        assert_eq!(request(&mut h, alice, i as u64, body).code, code, "case {i}");
    }
    // The bounds themselves pass: 20 entries, a 32-character key, a 4096-character value.
    h.advance(250);
    assert_eq!(request(&mut h, alice, 50, change(&uid, &entries("k", 20), &[])).code, 0);
    h.advance(250);
    let at_bounds = [("k".repeat(32), "v".repeat(4096))];
    assert_eq!(request(&mut h, alice, 51, change(&uid, &at_bounds, &[])).code, 0);
}

/// EXP-15: the limits are the App Key's settings, the manual's by default (the tests above): with other values the
/// server holds a message's expansion, one operation, a key and a value to those, and a change past one of them is
/// refused whole.
#[test]
fn the_expansion_limits_are_the_app_keys_settings() {
    checks!(unit: "EXP-15");
    let mut h = Harness::new();
    let limits = ExpansionLimits { key_chars_max: 4, value_chars_max: 8, entries_per_update_max: 2, entries_max: 3 };
    h.configure(|config| config.expansion_limits = limits);
    let (alice, uid) = expandable(&mut h, Some(BTreeMap::new()));
    let size = ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED.to_wire();
    let cases: Vec<(Option<request::Body>, u32)> = vec![
        (change(&uid, &entries("k", 3), &[]), size),
        (change(&uid, &[("kkkkk".to_owned(), "v".to_owned())], &[]), size),
        (change(&uid, &[("k".to_owned(), "v".repeat(9))], &[]), size),
        (change(&uid, &[], &["a", "b", "c"]), size),
        (change(&uid, &[("kkkk".to_owned(), "v".repeat(8)), ("k1".to_owned(), "v".to_owned())], &[]), 0),
        (change(&uid, &entries("x", 1), &[]), 0),
        (change(&uid, &entries("y", 1), &[]), size),
        (change(&uid, &[], &["x0"]), 0),
        (change(&uid, &entries("y", 1), &[]), 0),
    ];
    for (i, (body, code)) in cases.into_iter().enumerate() {
        h.advance(250);
        assert_eq!(request(&mut h, alice, i as u64, body).code, code, "case {i}");
    }
}

/// EXP-5, EXP-11: a message sent without expansion, one the server never delivered, and one the caller took no part
/// in cannot be expanded (34008).
#[test]
fn only_a_participant_may_expand_a_message_sent_with_expansion() {
    checks!(unit: "EXP-5");
    let mut h = Harness::new();
    let (alice, plain) = expandable(&mut h, None);
    let cant = ErrorCode::MESSAGE_CANT_EXPAND.to_wire();
    assert_eq!(request(&mut h, alice, 1, change(&plain, &entries("k", 1), &[])).code, cant, "sent without");
    h.advance(250);
    assert_eq!(request(&mut h, alice, 2, change("NO-SUCH-UID", &entries("k", 1), &[])).code, cant, "unknown");
    h.advance(250);
    let publish =
        proto::Publish { expansion: Some(proto::Expansion::default()), ..private_publish("p2", "bob", "with") };
    let outputs = h.publish_with(alice, publish);
    let uid = split_ack(alice, &outputs).0.message_uid;
    let carol = h.connect_live("carol", "phone");
    assert_eq!(request(&mut h, carol, 3, change(&uid, &entries("k", 1), &[])).code, cant, "not a participant");
}

/// EXP-14: an expansion change counts toward the sender's 5 messages a second, with messages; past it, 20604 and
/// nothing changes.
#[test]
fn expansion_changes_count_toward_the_send_rate() {
    checks!(unit: "EXP-14");
    let mut h = Harness::new();
    let (alice, uid) = expandable(&mut h, Some(BTreeMap::new()));
    // The publish above is the first of the window; four changes make five.
    for i in 0..4 {
        assert_eq!(request(&mut h, alice, i, change(&uid, &entries(&format!("k{i}-"), 1), &[])).code, 0);
    }
    let refused = request(&mut h, alice, 9, change(&uid, &entries("late", 1), &[]));
    assert_eq!(refused.code, ErrorCode::SEND_MSG_FREQUENCY_OVERRUN.to_wire());
    let outputs = h.publish(alice, "p-late", "bob", "late");
    assert_eq!(split_ack(alice, &outputs).0.code, ErrorCode::SEND_MSG_FREQUENCY_OVERRUN.to_wire(), "and messages");
    h.advance(SEND_RATE_WINDOW_MS);
    assert_eq!(request(&mut h, alice, 10, change(&uid, &entries("late", 1), &[])).code, 0, "a second later");
}
