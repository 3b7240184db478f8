//! Each checker on hand-made histories: silent on a clean one, and reporting exactly the breach put into another.

use imsim_engine::core::Event;
use imsim_engine::proto::{self, frame::Body, request, response};
use imsim_engine::{
    ConversationType, ErrorCode, Message, MessageContent, MessageDirection, Platform, ReceivedStatus, SentStatus,
};

use super::journal::Journal;
use super::{History, Violation, check};
use crate::net::SIM_EPOCH_UNIX_MS;
use crate::server::{AppConfig, ConnId};

const APP: &str = "app";
const A: ConnId = ConnId(1);
const B: ConnId = ConnId(2);

fn at(ms: i64) -> i64 {
    i64::try_from(SIM_EPOCH_UNIX_MS).unwrap() + ms
}

fn frame(body: Body) -> proto::Frame {
    proto::Frame { body: Some(body) }
}

/// A history of devices `a` (user `ua`) and `b` (user `ub`), each signed in on its own connection at 0 ms.
fn signed_in() -> History {
    let mut history = History {
        app_key: APP.into(),
        users: [("a".into(), "ua".into()), ("b".into(), "ub".into())].into(),
        app_configs: [(APP.into(), AppConfig::default())].into(),
        send_rate: Some(5),
        ..History::default()
    };
    for (conn, device, user) in [(A, "a", "ua"), (B, "b", "ub")] {
        connect(&mut history.journal, conn, device, user, Platform::Mobile, 0);
        history.stored.insert(device.into(), Vec::new());
        history.unread_total.insert(device.into(), 0);
    }
    history
}

fn connect(journal: &mut Journal, conn: ConnId, device: &str, user: &str, platform: Platform, ms: i64) {
    let request = proto::ConnectRequest {
        app_key: APP.into(),
        device_id: device.into(),
        platform: i32::try_from(platform.ordinal()).unwrap(),
        ..Default::default()
    };
    journal.inbound(conn, &frame(Body::Connect(request)), at(ms));
    let ack = proto::ConnectAck { code: 0, user_id: user.into(), server_time: at(ms) };
    journal.outbound(conn, &frame(Body::ConnectAck(ack)), at(ms));
}

fn wire_message(seq: u64, uid: &str, conversation_type: ConversationType, target: &str) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq,
        message_uid: uid.into(),
        conversation_type: conversation_type.ordinal(),
        target_id: target.into(),
        sender_user_id: "ua".into(),
        sent_time: 1,
        content: Some(imsim_engine::content::encode_content(&hi())),
        ..Default::default()
    }
}

fn deliver(journal: &mut Journal, conn: ConnId, message: proto::DeliveredMessage, ms: i64) {
    let body = Body::InboxDelivery(proto::InboxDelivery { message: Some(message) });
    journal.outbound(conn, &frame(body), at(ms));
}

fn ack(journal: &mut Journal, conn: ConnId, cursor: u64, ms: i64) {
    journal.inbound(conn, &frame(Body::InboxAck(proto::InboxAck { cursor })), at(ms));
}

fn stored(uid: &str, message_id: i64, target: &str) -> Message {
    Message {
        conversation_type: ConversationType::Private,
        target_id: target.into(),
        message_id,
        message_uid: Some(uid.into()),
        direction: MessageDirection::Receive,
        received_status: ReceivedStatus::Read,
        sent_status: SentStatus::Sent,
        ..text_message(target)
    }
}

fn hi() -> MessageContent {
    MessageContent::Text { text: "hi".into() }
}

/// A text message to `target` as an app creates it: never stored, never sent.
fn text_message(target: &str) -> Message {
    Message {
        conversation_type: ConversationType::Private,
        target_id: target.into(),
        channel_id: None,
        message_id: 0,
        message_uid: None,
        direction: MessageDirection::Send,
        received_time: 0,
        sent_time: 0,
        received_status: ReceivedStatus::Unread,
        sent_status: SentStatus::Sending,
        sender_user_id: String::new(),
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: hi(),
    }
}

fn received_event(message: Message) -> Event {
    Event::MessageReceived { message, left: 0, offline: false, has_package: false }
}

fn names(violations: &[Violation]) -> Vec<(&'static str, usize)> {
    violations.iter().map(|violation| (violation.checker, violation.count)).collect()
}

/// b receives two messages live, stores them, reports them once each and acknowledges them.
fn clean_delivery() -> History {
    let mut history = signed_in();
    for (seq, uid) in [(1, "u1"), (2, "u2")] {
        deliver(&mut history.journal, B, wire_message(seq, uid, ConversationType::Private, "ua"), 10);
        ack(&mut history.journal, B, seq, 20);
        let message = stored(uid, i64::try_from(seq).unwrap(), "ua");
        history.events.entry("b".into()).or_default().push(received_event(message.clone()));
        history.stored.get_mut("b").unwrap().push(message);
    }
    history
}

#[test]
fn a_clean_history_breaks_nothing() {
    assert_eq!(check(&clean_delivery()), []);
}

#[test]
fn an_acknowledged_message_missing_from_the_database_is_lost() {
    let mut history = clean_delivery();
    history.stored.get_mut("b").unwrap().remove(0);
    let violations = check(&history);
    assert_eq!(names(&violations), [("lost", 1)]);
    assert!(violations[0].examples[0].contains("does not store message u1 (seq 1)"), "{}", violations[0]);
}

#[test]
fn a_message_delivered_but_not_yet_acknowledged_is_not_lost() {
    let mut history = signed_in();
    deliver(&mut history.journal, B, wire_message(1, "u1", ConversationType::Private, "ua"), 10);
    assert_eq!(check(&history), []);
}

#[test]
fn a_uid_stored_twice_or_reported_twice_is_duplicated() {
    let mut history = clean_delivery();
    history.stored.get_mut("b").unwrap().push(stored("u2", 3, "ua"));
    history.events.get_mut("b").unwrap().push(received_event(stored("u1", 1, "ua")));
    let violations = check(&history);
    assert_eq!(names(&violations), [("duplicated", 2)]);
}

#[test]
fn a_chatroom_message_reported_again_after_a_rejoin_is_no_duplicate() {
    let mut history = signed_in();
    let mut message = stored("c1", 0, "room");
    message.conversation_type = ConversationType::Chatroom;
    let chatroom = wire_message(0, "c1", ConversationType::Chatroom, "room");
    history.journal.outbound(
        B,
        &frame(Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(chatroom) })),
        at(5),
    );
    let events = history.events.entry("b".into()).or_default();
    events.extend([received_event(message.clone()), received_event(message)]);
    // (Delivered outside a join: the after-leaving checker objects, and only it.)
    assert_eq!(names(&check(&history)), [("after-leaving", 1)]);
}

#[test]
fn a_message_the_server_never_delivered_is_a_phantom() {
    let mut history = clean_delivery();
    history.events.get_mut("b").unwrap().push(received_event(stored("u9", 9, "ua")));
    history.stored.get_mut("b").unwrap().push(stored("u9", 9, "ua"));
    let violations = check(&history);
    assert_eq!(names(&violations), [("phantom", 2)]);
}

#[test]
fn a_conversation_received_against_the_inbox_order_is_out_of_order() {
    let mut history = clean_delivery();
    history.events.get_mut("b").unwrap().reverse();
    history.stored.get_mut("b").unwrap().reverse();
    let violations = check(&history);
    assert_eq!(names(&violations), [("order", 2)]);
    assert!(violations[0].examples[0].contains("received u1 (seq 1) after u2 (seq 2)"), "{}", violations[0]);
}

#[test]
fn an_unread_total_that_disagrees_with_the_stored_messages_is_reported() {
    let mut history = clean_delivery();
    history.stored.get_mut("b").unwrap()[0].received_status = ReceivedStatus::Unread;
    history.unread_total.insert("b".into(), 1);
    assert_eq!(check(&history), []);
    history.unread_total.insert("b".into(), 0);
    let violations = check(&history);
    assert_eq!(names(&violations), [("unread", 1)]);
    assert!(violations[0].examples[0].contains("reports 0 unread, but its stored messages imply 1"));
}

#[test]
fn a_sent_message_reported_failed_afterwards_moves_backwards() {
    let mut history = signed_in();
    let mut mine = text_message("ub");
    mine.message_id = 7;
    mine.sent_status = SentStatus::Sent;
    let sent = Event::MessageSent { code: ErrorCode::SUCCESS, message: mine.clone() };
    mine.sent_status = SentStatus::Failed;
    let failed = Event::MessageSent { code: ErrorCode::SUCCESS, message: mine.clone() };
    history.events.insert("a".into(), vec![sent, failed]);
    history.stored.insert("a".into(), vec![mine]);
    let violations = check(&history);
    assert_eq!(names(&violations), [("sent-status", 2)]);
    // A deletion hands back the message as the app passed it, an older copy: no statement about the send.
    let mut echoed = signed_in();
    let mut kept = text_message("ub");
    kept.message_id = 7;
    kept.sent_status = SentStatus::Sent;
    let sent = Event::MessageSent { code: ErrorCode::SUCCESS, message: kept.clone() };
    let attached = Message { sent_status: SentStatus::Sending, ..kept };
    let deleted = Event::LocalMessagesDeleted { code: ErrorCode::SUCCESS, messages: vec![attached] };
    echoed.events.insert("a".into(), vec![sent, deleted]);
    assert_eq!(check(&echoed), []);
}

/// Joins `room` on `conn` with request `id`, answered 0.
fn join(journal: &mut Journal, conn: ConnId, id: u64, room: &str, ms: i64) {
    let join = request::Body::ChatroomJoin(proto::ChatroomJoin { room_id: room.into(), ..Default::default() });
    journal.inbound(conn, &frame(Body::Request(proto::Request { request_id: id, body: Some(join) })), at(ms));
    let joined = response::Body::ChatroomJoined(proto::ChatroomJoined::default());
    let response = proto::Response { request_id: id, code: 0, body: Some(joined) };
    journal.outbound(conn, &frame(Body::Response(response)), at(ms));
}

fn chatroom_delivery(journal: &mut Journal, conn: ConnId, uid: &str, room: &str, ms: i64) {
    let message = wire_message(0, uid, ConversationType::Chatroom, room);
    journal.outbound(conn, &frame(Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(message) })), at(ms));
}

#[test]
fn a_chatroom_message_after_a_leave_is_delivered_after_leaving() {
    let mut history = signed_in();
    join(&mut history.journal, B, 1, "room", 10);
    chatroom_delivery(&mut history.journal, B, "c1", "room", 20);
    assert_eq!(check(&history), []);
    let leave = request::Body::ChatroomLeave(proto::ChatroomLeave { room_id: "room".into() });
    history.journal.inbound(B, &frame(Body::Request(proto::Request { request_id: 2, body: Some(leave) })), at(30));
    let answer = proto::Response { request_id: 2, code: 0, body: None };
    history.journal.outbound(B, &frame(Body::Response(answer)), at(30));
    chatroom_delivery(&mut history.journal, B, "c2", "room", 40);
    let violations = check(&history);
    assert_eq!(names(&violations), [("after-leaving", 1)]);
    assert!(violations[0].examples[0].contains("chatroom message c2 of room delivered to b"), "{}", violations[0]);
}

#[test]
fn a_kick_and_a_new_connection_both_end_membership() {
    let mut history = signed_in();
    join(&mut history.journal, B, 1, "room", 10);
    let kicked = proto::chatroom_notice::Body::Kicked(proto::ChatroomKicked { code: 1 });
    let notice = proto::ChatroomNotice { room_id: "room".into(), body: Some(kicked) };
    history.journal.outbound(B, &frame(Body::ChatroomNotice(notice)), at(20));
    chatroom_delivery(&mut history.journal, B, "c1", "room", 30);
    history.journal.closed(B, at(40));
    connect(&mut history.journal, ConnId(3), "b", "ub", Platform::Mobile, 50);
    chatroom_delivery(&mut history.journal, ConnId(3), "c2", "room", 60);
    assert_eq!(names(&check(&history)), [("after-leaving", 2)]);
}

/// `a` publishes `id` at `ms` and the server answers `code`.
fn publish(history: &mut History, id: &str, bytes: usize, code: ErrorCode, ms: i64) {
    let content = proto::MessageContent { object_name: String::new(), payload: vec![0; bytes] };
    let publish = proto::Publish {
        client_message_id: id.into(),
        conversation_type: ConversationType::Private.ordinal(),
        target_id: "ub".into(),
        content: Some(content),
        ..Default::default()
    };
    history.journal.inbound(A, &frame(Body::Publish(publish)), at(ms));
    let uid = if code.is_success() { format!("uid-{id}") } else { String::new() };
    let ack = proto::PublishAck { client_message_id: id.into(), code: code.to_wire(), message_uid: uid, sent_time: 0 };
    history.journal.outbound(A, &frame(Body::PublishAck(ack)), at(ms));
}

#[test]
fn the_rate_is_judged_both_ways_over_a_sliding_second() {
    let mut history = signed_in();
    for n in 0..5 {
        publish(&mut history, &format!("p{n}"), 10, ErrorCode::SUCCESS, n * 100);
    }
    // A repeat answered from the cache is no new acceptance; the 6th within the second is refused, as it should be.
    publish(&mut history, "p0", 10, ErrorCode::SUCCESS, 450);
    publish(&mut history, "p5", 10, ErrorCode::SEND_MSG_FREQUENCY_OVERRUN, 999);
    assert_eq!(check(&history), []);
    // At 1000 ms the first acceptance (at 0) has left the window: a refusal then is unjustified.
    publish(&mut history, "p6", 10, ErrorCode::SEND_MSG_FREQUENCY_OVERRUN, 1_000);
    // And a sixth acceptance within one second is one too many.
    publish(&mut history, "p7", 10, ErrorCode::SUCCESS, 1_001);
    publish(&mut history, "p8", 10, ErrorCode::SUCCESS, 1_002);
    let violations = check(&history);
    assert_eq!(names(&violations), [("rate", 2)], "{violations:?}");
    assert!(violations[0].examples[0].contains("refused for its rate with only 4 accepted"), "{}", violations[0]);
    assert!(violations[0].examples[1].contains("had 6 publishes accepted within a second"), "{}", violations[0]);
}

#[test]
fn the_size_limit_is_judged_both_ways() {
    let max = imsim_engine::limits::MESSAGE_CONTENT_BYTES_MAX;
    let mut history = signed_in();
    history.send_rate = None;
    publish(&mut history, "fits", max, ErrorCode::SUCCESS, 0);
    publish(&mut history, "over", max + 1, ErrorCode::MSG_SIZE_OUT_OF_LIMIT, 0);
    assert_eq!(check(&history), []);
    publish(&mut history, "accepted-over", max + 1, ErrorCode::SUCCESS, 0);
    publish(&mut history, "refused-fits", max, ErrorCode::MSG_SIZE_OUT_OF_LIMIT, 0);
    assert_eq!(names(&check(&history)), [("size", 2)]);
}

#[test]
fn two_open_sessions_in_one_class_are_one_too_many() {
    let mut history = signed_in();
    // b's desktop joins its mobile: another class, allowed (MULTI-2).
    connect(&mut history.journal, ConnId(3), "b-desktop", "ub", Platform::Desktop, 10);
    assert_eq!(check(&history), []);
    // A second mobile while the first is open, then, the first kicked, a third beside the second: two breaches.
    connect(&mut history.journal, ConnId(4), "b-phone", "ub", Platform::Mobile, 20);
    history.journal.outbound(
        B,
        &frame(Body::SessionClosed(proto::SessionClosed { code: 1, reason: String::new() })),
        at(30),
    );
    connect(&mut history.journal, ConnId(5), "b-phone-2", "ub", Platform::Mobile, 40);
    let violations = check(&history);
    assert_eq!(names(&violations), [("sessions", 2)], "{violations:?}");
}

/// a publishes `content` privately to ub as `id`, and the server accepts it as `uid`.
fn accepted_publish(history: &mut History, id: &str, uid: &str, content: &MessageContent) {
    let publish = proto::Publish {
        client_message_id: id.into(),
        conversation_type: ConversationType::Private.ordinal(),
        target_id: "ub".into(),
        content: Some(imsim_engine::content::encode_content(content)),
        ..Default::default()
    };
    history.journal.inbound(A, &frame(Body::Publish(publish)), at(0));
    let ack = proto::PublishAck { client_message_id: id.into(), code: 0, message_uid: uid.into(), sent_time: 0 };
    history.journal.outbound(A, &frame(Body::PublishAck(ack)), at(0));
}

/// The history at the end of a liveness phase: both devices connected.
fn healed(mut history: History) -> History {
    for device in ["a", "b"] {
        history.final_status.insert(device.into(), imsim_engine::ConnectionStatus::Connected);
    }
    history
}

#[test]
fn an_accepted_message_missing_from_its_connected_recipient_has_not_converged() {
    let mut history = signed_in();
    accepted_publish(&mut history, "p1", "uid-1", &hi());
    let history = healed(history);
    let violations = super::check_converged(&history);
    assert_eq!(names(&violations), [("converged", 1)], "{violations:?}");
    assert!(violations[0].examples[0].contains("without message uid-1, accepted for ub"), "{}", violations[0]);

    let mut history = history;
    history.stored.get_mut("b").unwrap().push(stored("uid-1", 1, "ua"));
    assert_eq!(super::check_converged(&history), [], "stored on b: converged");
    history.final_status.insert("b".into(), imsim_engine::ConnectionStatus::Suspend);
    history.stored.get_mut("b").unwrap().clear();
    assert_eq!(super::check_converged(&history), [], "a device left offline owes nothing yet");
    // A message the app deleted from b is not owed to b any more; another device's deletion excuses nothing.
    history.final_status.insert("b".into(), imsim_engine::ConnectionStatus::Connected);
    let deletion =
        |uid: &str| Event::LocalMessagesDeleted { code: ErrorCode::SUCCESS, messages: vec![stored(uid, 1, "ua")] };
    history.events.entry("a".into()).or_default().push(deletion("uid-1"));
    assert_eq!(names(&super::check_converged(&history)), [("converged", 1)]);
    history.events.entry("b".into()).or_default().push(deletion("uid-1"));
    assert_eq!(super::check_converged(&history), [], "deleted on b by its app");
}

#[test]
fn a_message_of_a_type_never_stored_is_owed_to_nobody() {
    let mut history = signed_in();
    let command = MessageContent::Command { name: "n".into(), data: "d".into() };
    accepted_publish(&mut history, "p1", "uid-1", &command);
    assert_eq!(super::check_converged(&healed(history)), []);
}

#[test]
fn a_send_left_sending_after_the_faults_stop_has_not_converged() {
    let mut history = signed_in();
    history.stored.get_mut("a").unwrap().push(Message { message_id: 7, ..text_message("ub") });
    let violations = super::check_converged(&healed(history));
    assert_eq!(names(&violations), [("converged", 1)], "{violations:?}");
    assert!(violations[0].examples[0].contains("a ended connected with its message 7 still sending"));
    // The app set it to sending by hand (XAPI-5): its own doing, not a send left hanging.
    let mut overwritten = signed_in();
    overwritten.stored.get_mut("a").unwrap().push(Message { message_id: 7, ..text_message("ub") });
    let changed = |message_id| Event::MessageSentStatusChanged { code: ErrorCode::SUCCESS, message_id };
    overwritten.events.insert("a".into(), vec![changed(8)]);
    assert_eq!(names(&super::check_converged(&healed(overwritten.clone()))), [("converged", 1)]);
    overwritten.events.insert("a".into(), vec![changed(7)]);
    assert_eq!(super::check_converged(&healed(overwritten)), []);
}

#[test]
fn without_sync_a_message_is_owed_by_the_device_it_was_sent_to() {
    let mut history = signed_in();
    history.users.insert("b2".into(), "ub".into());
    history.stored.insert("b2".into(), Vec::new());
    connect(&mut history.journal, ConnId(3), "b2", "ub", Platform::Desktop, 0);
    accepted_publish(&mut history, "p1", "uid-1", &hi());
    deliver(&mut history.journal, ConnId(3), wire_message(1, "uid-1", ConversationType::Private, "ua"), 0);
    let mut history = healed(history);
    // b2 got it and never came back (its token revoked, say): b, also ub's, owes nothing (SYNC-17).
    history.final_status.insert("b2".into(), imsim_engine::ConnectionStatus::TokenIncorrect);
    assert_eq!(super::check_converged(&history), []);
    // b2 ended connected without it: lost.
    history.final_status.insert("b2".into(), imsim_engine::ConnectionStatus::Connected);
    let violations = super::check_converged(&history);
    assert_eq!(names(&violations), [("converged", 1)], "{violations:?}");
    assert!(
        violations[0].examples[0].starts_with("b2 (ub) ended connected without message uid-1"),
        "{}",
        violations[0]
    );
}

fn closed_with(journal: &mut Journal, conn: ConnId, code: ErrorCode, ms: i64) {
    let closed = proto::SessionClosed { code: code.to_wire(), reason: "bad frame".into() };
    journal.outbound(conn, &frame(Body::SessionClosed(closed)), at(ms));
    journal.closed(conn, at(ms));
}

#[test]
fn a_protocol_error_is_a_breach_for_a_device_of_the_world_only() {
    let mut history = clean_delivery();
    // A hostile peer, signed in as a user of its own, earns its protocol error: no breach.
    let intruder = ConnId(9);
    connect(&mut history.journal, intruder, "intruder-1", "intruder-1", Platform::Mobile, 30);
    closed_with(&mut history.journal, intruder, ErrorCode::PROTOCOL_UNEXPECTED_FRAME, 31);
    // A kick is no protocol error.
    closed_with(&mut history.journal, A, ErrorCode::DISCONN_KICK, 32);
    assert_eq!(check(&history), []);
    closed_with(&mut history.journal, B, ErrorCode::PROTOCOL_MALFORMED_FRAME, 40);
    assert_eq!(names(&check(&history)), [("protocol", 1)]);
}

/// a's group message to g1 accepted at `accepted_ms` (its `PublishAck`), then delivered to b at 50 ms.
fn group_message_to_b(history: &mut History, accepted_ms: i64) {
    let ack = proto::PublishAck { client_message_id: "c1".into(), code: 0, message_uid: "g-1".into(), sent_time: 1 };
    history.journal.outbound(A, &frame(Body::PublishAck(ack)), at(accepted_ms));
    deliver(&mut history.journal, B, wire_message(1, "g-1", ConversationType::Group, "g1"), 50);
}

#[test]
fn a_group_message_accepted_after_the_recipient_was_removed_reached_it_outside_the_group() {
    use super::GroupChange;
    use std::time::Duration;
    let added = (Duration::ZERO, GroupChange::Added { group: "g1".into(), users: vec!["ua".into(), "ub".into()] });
    let removed =
        |ms| (Duration::from_millis(ms), GroupChange::Removed { group: "g1".into(), users: vec!["ub".into()] });
    let judge = |accepted_ms: i64, changes: Vec<(Duration, GroupChange)>| {
        let mut history = signed_in();
        history.group_changes = changes;
        group_message_to_b(&mut history, accepted_ms);
        names(&check(&history))
    };
    assert_eq!(judge(10, vec![added.clone(), removed(20)]), [], "accepted while b was a member");
    assert_eq!(judge(20, vec![added.clone(), removed(20)]), [], "the same instant: either order is possible");
    assert_eq!(judge(21, vec![added.clone(), removed(20)]), [("outside-the-group", 1)]);
    assert_eq!(judge(10, vec![]), [("outside-the-group", 1)], "never a member");
    let dismissed = (Duration::from_millis(5), GroupChange::Dismissed { group: "g1".into() });
    assert_eq!(judge(10, vec![added.clone(), dismissed]), [("outside-the-group", 1)]);
    let back = (Duration::from_millis(30), GroupChange::Added { group: "g1".into(), users: vec!["ub".into()] });
    assert_eq!(judge(30, vec![added, removed(20), back]), [], "added back at the instant of acceptance");
}

#[test]
fn a_message_the_app_deleted_is_not_lost_and_only_on_its_device() {
    // DEL-9, DEL-11: u1 deleted by messageId, u2 by a clear of the conversation up to its sent time.
    let mut history = clean_delivery();
    history.stored.get_mut("b").unwrap().clear();
    let events = history.events.get_mut("b").unwrap();
    let by_id = Message { message_uid: None, ..stored("u1", 1, "ua") };
    events.push(Event::LocalMessagesDeleted { code: ErrorCode::SUCCESS, messages: vec![by_id] });
    let violations = check(&history);
    assert_eq!(names(&violations), [("lost", 1)], "u2 is still owed: {violations:?}");
    let events = history.events.get_mut("b").unwrap();
    events.push(Event::MessagesCleared {
        code: ErrorCode::SUCCESS,
        conversation_type: ConversationType::Private,
        target_id: "ua".into(),
        channel_id: None,
        timestamp: 0,
    });
    assert_eq!(check(&history), []);
    // A refused deletion excuses nothing.
    let mut refused = clean_delivery();
    refused.stored.get_mut("b").unwrap().clear();
    refused.events.get_mut("b").unwrap().push(Event::MessagesCleared {
        code: ErrorCode::MSG_ROAMING_SERVICE_UNAVAILABLE,
        conversation_type: ConversationType::Private,
        target_id: "ua".into(),
        channel_id: None,
        timestamp: 0,
    });
    assert_eq!(names(&check(&refused)), [("lost", 2)]);
    // CREM-2: removing the conversations of a type deletes their messages; of another type, nothing.
    let mut removed = clean_delivery();
    removed.stored.get_mut("b").unwrap().clear();
    let remove = |conversation_types| Event::ConversationsRemoved {
        code: ErrorCode::SUCCESS,
        conversation_types,
        channel_id: None,
    };
    removed.events.get_mut("b").unwrap().push(remove(vec![ConversationType::Group]));
    assert_eq!(names(&check(&removed)), [("lost", 2)]);
    removed.events.get_mut("b").unwrap().push(remove(vec![ConversationType::Private]));
    assert_eq!(check(&removed), []);
}

/// A page of `messages` for b's conversation with ua, before `anchor`.
fn page(anchor: i64, messages: Vec<Message>) -> Event {
    Event::MessagesLoaded {
        code: ErrorCode::SUCCESS,
        conversation_type: ConversationType::Private,
        target_id: "ua".into(),
        channel_id: None,
        sent_time: anchor,
        order: imsim_engine::types::TimeOrder::Before,
        messages,
    }
}

#[test]
fn a_page_out_of_order_out_of_bounds_or_unlike_the_database_is_reported() {
    let timed = |uid: &str, id: i64, sent_time: i64| Message { sent_time, ..stored(uid, id, "ua") };
    let mut history = clean_delivery();
    for message in history.stored.get_mut("b").unwrap() {
        message.sent_time = message.message_id * 100;
    }
    let good = page(300, vec![timed("u2", 2, 200), timed("u1", 1, 100)]);
    history.events.get_mut("b").unwrap().push(good);
    assert_eq!(check(&history), []);
    // A message the page showed while it was still sending (no UID, its provisional time) was sent since.
    let sending = Message { message_uid: None, sent_status: SentStatus::Sending, ..timed("u2", 2, 150) };
    let mut later = history.clone();
    later.events.get_mut("b").unwrap().push(page(0, vec![sending]));
    assert_eq!(check(&later), []);
    let cases = [
        (page(300, vec![timed("u1", 1, 100), timed("u2", 2, 200)]), "not newest first"),
        (page(200, vec![timed("u2", 2, 200)]), "outside its bounds"),
        (page(0, vec![Message { target_id: "uc".into(), ..timed("u2", 2, 200) }]), "holds message 2 of Private uc"),
        (page(0, vec![timed("u9", 2, 200)]), "but it is stored as"),
    ];
    for (event, expected) in cases {
        let mut broken = history.clone();
        broken.events.get_mut("b").unwrap().push(event);
        let violations = check(&broken);
        assert_eq!(names(&violations), [("pages", 1)], "{expected}");
        assert!(violations[0].examples[0].contains(expected), "{}", violations[0]);
    }
}

/// b's conversation with ua as its database would list it after `clean_delivery`: u2, the newest, last; both read.
fn listed_conversation(history: &History) -> imsim_engine::conversation::Conversation {
    let stored = &history.stored["b"];
    imsim_engine::conversation::Conversation {
        conversation_type: ConversationType::Private,
        target_id: "ua".into(),
        channel_id: None,
        unread_count: 0,
        mentioned_count: 0,
        first_unread_msg_send_time: 0,
        top: false,
        draft: String::new(),
        notification_level: imsim_engine::types::PushNotificationLevel::None,
        last_message: stored.iter().max_by_key(|message| (message.sent_time, message.message_id)).cloned(),
        operation_time: stored.iter().map(|message| message.sent_time).max().unwrap_or(0),
    }
}

#[test]
fn a_conversation_unlike_its_stored_messages_or_a_list_out_of_order_is_reported() {
    let mut history = clean_delivery();
    let good = listed_conversation(&history);
    history.conversations.insert("b".into(), vec![good.clone()]);
    assert_eq!(check(&history), []);
    let older = imsim_engine::conversation::Conversation {
        target_id: "uz".into(),
        last_message: None,
        operation_time: good.operation_time - 1,
        ..good.clone()
    };
    history.conversations.insert("b".into(), vec![good.clone(), older.clone()]);
    assert_eq!(check(&history), [], "an empty conversation left by deletions (DEL-15)");
    let cases = [
        (vec![older.clone(), good.clone()], "before"),
        (vec![imsim_engine::conversation::Conversation { top: true, ..older }, good.clone()], ""),
        (vec![imsim_engine::conversation::Conversation { last_message: None, ..good.clone() }], "last message none"),
        (vec![imsim_engine::conversation::Conversation { unread_count: 1, ..good.clone() }], "1 unread"),
        (vec![imsim_engine::conversation::Conversation { mentioned_count: 1, ..good.clone() }], "1 mentions"),
        (vec![imsim_engine::conversation::Conversation { operation_time: -1, ..good.clone() }], "older than"),
        (
            vec![imsim_engine::conversation::Conversation { conversation_type: ConversationType::Chatroom, ..good }],
            "CTYPE-9",
        ),
    ];
    for (index, (list, expected)) in cases.into_iter().enumerate() {
        let mut broken = history.clone();
        broken.conversations.insert("b".into(), list);
        let violations = check(&broken);
        if index == 1 {
            assert_eq!(violations, [], "a pinned conversation comes first whatever its time");
            continue;
        }
        assert_eq!(names(&violations), [("conversations", 1)], "{expected}: {violations:?}");
        assert!(violations[0].examples[0].contains(expected), "{}", violations[0]);
    }
}

/// The recall signal for `uid`, as the server sends it with `seq`.
fn recall_signal(seq: u64, uid: &str) -> proto::DeliveredMessage {
    let command =
        proto::RecallCommandContent { message_uid: uid.into(), recall_time: 1, recall_action_time: 2, admin: false };
    proto::DeliveredMessage {
        content: Some(imsim_engine::content::encode_signal(&imsim_engine::content::Signal::Recall(command))),
        not_stored: true,
        not_counted: true,
        ..wire_message(seq, &format!("signal-{uid}"), ConversationType::Private, "ua")
    }
}

/// `message` recalled by `ua`, keeping the original or not.
fn recalled(message: &Message, keep_original: bool) -> Message {
    let original = keep_original.then(|| Box::new(imsim_engine::EmbeddedMessage::of(message)));
    let content = MessageContent::RecallNotification {
        admin: false,
        deleted: false,
        recall_time: message.sent_time,
        recall_action_time: 2,
        original_message: original,
        operator_id: "ua".into(),
    };
    Message { content, ..message.clone() }
}

/// `clean_delivery`, then the recall of u1 reaches b, which acknowledges it; b's copy is as `stored_as` says and b
/// reports `events`.
fn recall_of_u1(stored_as: impl Fn(&Message) -> Message, events: impl Fn(&Message) -> Vec<Event>) -> History {
    let mut history = clean_delivery();
    deliver(&mut history.journal, B, recall_signal(3, "u1"), 30);
    ack(&mut history.journal, B, 3, 40);
    let stored = history.stored.get_mut("b").unwrap();
    let original = stored[0].clone();
    stored[0] = stored_as(&original);
    history.events.get_mut("b").unwrap().extend(events(&original));
    history
}

#[test]
fn a_recall_acknowledged_applied_and_reported_once_breaks_nothing() {
    let history = recall_of_u1(
        |original| recalled(original, false),
        |original| vec![Event::RemoteMessageRecalled { message: recalled(original, false) }],
    );
    assert_eq!(names(&check(&history)), []);
}

#[test]
fn a_recall_acknowledged_but_not_applied_is_reported() {
    let history = recall_of_u1(Message::clone, |_| Vec::new());
    assert_eq!(names(&check(&history)), [("recall", 1)]);
}

#[test]
fn a_recall_reported_twice_on_one_device_is_reported() {
    let history = recall_of_u1(
        |original| recalled(original, false),
        |original| {
            let message = recalled(original, false);
            vec![
                Event::RemoteMessageRecalled { message: message.clone() },
                Event::MessageRecalled { code: ErrorCode::SUCCESS, message },
            ]
        },
    );
    assert_eq!(names(&check(&history)), [("recall", 1)]);
}

#[test]
fn an_original_kept_by_a_device_that_did_not_recall_is_reported() {
    // Stored with its original, and told so: two breaches, both this device's.
    let history = recall_of_u1(
        |original| recalled(original, true),
        |original| vec![Event::RemoteMessageRecalled { message: recalled(original, true) }],
    );
    assert_eq!(names(&check(&history)), [("recall", 2)]);
}

/// Two reports of the answers to the request for `u1` on device a.
fn receipt_reports(first: &[(&str, i64)], second: &[(&str, i64)]) -> History {
    let mut history = signed_in();
    let report = |answers: &[(&str, i64)]| Event::GroupMessageReadReceiptResponseReceived {
        target_id: "g".into(),
        message_uid: "u1".into(),
        respond_user_ids: answers.iter().map(|(reader, time)| ((*reader).to_owned(), *time)).collect(),
    };
    history.events.insert("a".into(), vec![report(first), report(second)]);
    history
}

#[test]
fn answers_that_only_grow_break_nothing() {
    let history = receipt_reports(&[("ub", 10)], &[("ub", 10), ("uc", 20)]);
    assert_eq!(names(&check(&history)), []);
}

#[test]
fn an_answer_counted_twice_or_dropped_is_reported() {
    let moved = receipt_reports(&[("ub", 10)], &[("ub", 30)]);
    assert_eq!(names(&check(&moved)), [("receipts", 1)]);
    let dropped = receipt_reports(&[("ub", 10), ("uc", 20)], &[("uc", 20)]);
    let violations = check(&dropped);
    assert_eq!(names(&violations), [("receipts", 1)]);
    assert!(violations[0].examples[0].contains("ub's answer for u1 was reported, then dropped"), "{}", violations[0]);
}
