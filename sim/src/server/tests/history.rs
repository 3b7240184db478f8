//! The server's cloud history (HIST-1, HIST-14, CFG-1, DEL-3 to DEL-6, DEL-13): what is kept, for how long, for whom,
//! and what a deletion takes with it.

use imsim_engine::checks;
use proto::{request, response};

use super::blacklist::request;
use super::*;

fn query(target_id: &str, sent_time: i64, order: u32, count: u32) -> Option<request::Body> {
    Some(request::Body::History(proto::HistoryQuery {
        conversation_type: imsim_engine::ConversationType::Private.ordinal(),
        target_id: target_id.to_owned(),
        channel_id: String::new(),
        sent_time,
        order,
        count,
    }))
}

/// The texts of the page `user`'s connection gets for `target_id`, newest first.
fn page(h: &mut Harness, conn: ConnId, target_id: &str) -> Vec<String> {
    let answer = request(h, conn, 1, query(target_id, 0, 0, 20));
    assert_eq!(answer.code, 0, "the history answers");
    match answer.body {
        Some(response::Body::History(history)) => texts(&history.messages),
        other => panic!("expected a History, got {other:?}"),
    }
}

/// CFG-1, DEL-3: with cloud storage on, a message is kept for 180 days after it was sent, to the millisecond, and
/// not a millisecond longer; with it off (the default) every request is refused with 33007 and nothing is recorded.
#[test]
fn history_keeps_a_message_180_days_and_only_while_cloud_storage_is_on() {
    checks!(unit: "CFG-1", "DEL-3");
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "phone");
    h.publish(alice, "p0", "bob", "before");
    let refused = request(&mut h, alice, 1, query("bob", 0, 0, 20));
    assert_eq!(refused.code, ErrorCode::MSG_ROAMING_SERVICE_UNAVAILABLE.to_wire());
    h.configure(|config| config.cloud_storage = true);
    h.advance(10);
    h.publish(alice, "p1", "bob", "kept");
    assert_eq!(page(&mut h, alice, "bob"), ["kept"], "only what was sent while it was on");
    h.advance(CLOUD_HISTORY_RETENTION_MS - 1);
    let sent_time_and_retention_so_far = page(&mut h, alice, "bob");
    assert_eq!(sent_time_and_retention_so_far, ["kept"], "one millisecond before the end it is still there");
    h.advance(1);
    assert_eq!(page(&mut h, alice, "bob"), ["kept"], "exactly 180 days after it was sent: still kept");
    h.advance(1);
    assert_eq!(page(&mut h, alice, "bob"), Vec::<String>::new(), "a millisecond later it is gone");
}

/// HIST-14, DEL-13: each participant has their own view: the recipient's history names the sender, the sender's the
/// recipient; a command message is not kept; deleting from one view leaves the other.
#[test]
fn each_user_has_their_own_view_and_deletes_only_from_it() {
    checks!(unit: "HIST-14", "DEL-13");
    let mut h = Harness::new();
    h.configure(|config| config.cloud_storage = true);
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let one = h.publish(alice, "p1", "bob", "one");
    let one_uid = split_ack(alice, &one).0.message_uid;
    h.advance(5);
    let mut command = private_publish("p2", "bob", "");
    command.content = Some(imsim_engine::content::encode_content(&imsim_engine::MessageContent::Command {
        name: "ping".to_owned(),
        data: String::new(),
    }));
    h.publish_with(alice, command);
    h.advance(5);
    h.publish(alice, "p3", "bob", "two");
    h.outputs();
    assert_eq!(page(&mut h, bob, "alice"), ["two", "one"]);
    assert_eq!(page(&mut h, alice, "bob"), ["two", "one"]);
    let delete = proto::HistoryDelete {
        conversation_type: imsim_engine::ConversationType::Private.ordinal(),
        target_id: "alice".to_owned(),
        channel_id: String::new(),
        message_uids: vec![one_uid],
    };
    assert_eq!(request(&mut h, bob, 2, Some(request::Body::HistoryDelete(delete))).code, 0);
    assert_eq!(page(&mut h, bob, "alice"), ["two"]);
    assert_eq!(page(&mut h, alice, "bob"), ["two", "one"]);
}

/// DEL-4 to DEL-6, CFG-4: deleting by message removes the caller's offline-compensation copies, so a new device of
/// theirs is not given them; deleting by timestamp leaves them unless `deleteCompensationOnTimestampDelete` is on.
#[test]
fn deletions_by_message_take_the_compensation_copies_and_by_timestamp_only_with_cfg_4() {
    checks!(unit: "DEL-4", "DEL-5", "DEL-6", "CFG-4");
    let mut h = Harness::new();
    h.configure(|config| {
        config.cloud_storage = true;
        config.multi_device_sync = true;
    });
    let alice = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let (mut uids, mut sent_times) = (Vec::new(), Vec::new());
    for (id, text) in [("p1", "one"), ("p2", "two"), ("p3", "three")] {
        let outputs = h.publish(alice, id, "bob", text);
        let ack = split_ack(alice, &outputs).0;
        uids.push(ack.message_uid);
        sent_times.push(ack.sent_time);
        h.advance(5);
    }
    let private = imsim_engine::ConversationType::Private.ordinal();
    // By message: "one" leaves bob's history and his compensation.
    let delete = proto::HistoryDelete {
        conversation_type: private,
        target_id: "alice".to_owned(),
        channel_id: String::new(),
        message_uids: vec![uids[0].clone()],
    };
    assert_eq!(request(&mut h, bob, 2, Some(request::Body::HistoryDelete(delete))).code, 0);
    let (_, outputs) = h.connect("bob", "laptop", 0);
    let compensated = packaged_texts(&outputs);
    assert_eq!(compensated, ["two", "three"], "the deleted message is not compensated");
    // By timestamp, switch off: "two" leaves the history, not the compensation.
    let clear = |sent_up_to| proto::HistoryClear {
        conversation_type: private,
        target_id: "alice".to_owned(),
        channel_id: String::new(),
        sent_up_to,
    };
    assert_eq!(request(&mut h, bob, 3, Some(request::Body::HistoryClear(clear(sent_times[1])))).code, 0);
    assert_eq!(page(&mut h, bob, "alice"), ["three"]);
    let (_, outputs) = h.connect("bob", "web", 0);
    let compensated = packaged_texts(&outputs);
    assert_eq!(compensated, ["two", "three"], "a timestamp deletion leaves the compensation by default (DEL-4)");
    // By timestamp with CFG-4: the compensation copies go too.
    h.configure(|config| config.delete_compensation_on_timestamp_delete = true);
    assert_eq!(request(&mut h, bob, 4, Some(request::Body::HistoryClear(clear(sent_times[2])))).code, 0);
    let (_, outputs) = h.connect("bob", "web2", 0);
    let compensated = packaged_texts(&outputs);
    assert_eq!(compensated, Vec::<String>::new(), "with CFG-4 the timestamp deletion took them (DEL-6)");
}

/// The texts of every offline package in `outputs`, in order.
fn packaged_texts(outputs: &[ServerOutput]) -> Vec<String> {
    outputs
        .iter()
        .flat_map(|output| match output {
            ServerOutput::Send { frame: proto::Frame { body: Some(Body::InboxPackage(package)) }, .. } => {
                texts(&package.messages)
            }
            _ => Vec::new(),
        })
        .collect()
}
