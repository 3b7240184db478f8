//! The outbox across a crash: a send the process died in the middle of is finished by the next process, under the
//! same client message ID, so the server can recognise it and nothing is created twice.

use std::path::PathBuf;

use super::tests::{FileOpener, Harness, delivered, token_for};
use super::*;
use crate::limits;
use crate::proto::{self, frame::Body};
use crate::types::{ConversationType, SentStatus};

struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("imsim-outbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempFile(dir.join("db.sqlite"))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn publishes(harness: &mut Harness) -> Vec<proto::Publish> {
    harness
        .frames()
        .into_iter()
        .filter_map(|body| match body {
            Body::Publish(publish) => Some(publish),
            _ => None,
        })
        .collect()
}

/// Sends "hi" to bob from an engine seeded with `rng_seed` and crashes before any acknowledgement: returns the
/// publish that went out.
fn send_then_crash(file: &TempFile, rng_seed: u64) -> proto::Publish {
    send_then_crash_all(file, rng_seed).pop().expect("the new send was published")
}

/// As `send_then_crash`, returning every publish that went out, resumed ones first.
fn send_then_crash_all(file: &TempFile, rng_seed: u64) -> Vec<proto::Publish> {
    let mut first = Harness::with_store(Box::new(FileOpener(file.0.clone())), rng_seed).connect_as("alice");
    let message = first.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("valid");
    first.core.send_message(first.now, &message).expect("accepted");
    publishes(&mut first)
    // `first` is dropped here: the process is gone, the file stays.
}

/// The next process, with another seed, opening the same database and connecting as alice.
fn restart_and_connect(file: &TempFile) -> Harness {
    let mut second = Harness::with_store(Box::new(FileOpener(file.0.clone())), 2);
    second.core.connect(second.now, &token_for("alice"), 0).expect("accepted");
    second.actions();
    second.open_and_ack("alice");
    second
}

#[test]
fn an_interrupted_send_is_published_again_under_the_same_id_after_a_restart() {
    let file = TempFile::new("resume");
    let before = send_then_crash(&file, 1);

    let mut second = restart_and_connect(&file);
    let after = publishes(&mut second);
    let asked_after = proto::Publish { only_if_accepted: true, ..before.clone() };
    assert_eq!(after, [asked_after], "the same publish, same client message ID, same content, asked after (SEND-14)");

    second.events();
    second.server_sends(Body::PublishAck(proto::PublishAck {
        client_message_id: before.client_message_id,
        code: 0,
        message_uid: "UID-1".into(),
        sent_time: second.now.unix_ms,
    }));
    let events = second.events();
    let [Event::MessageSent { code, message }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*code, ErrorCode::SUCCESS);
    assert_eq!(message.sent_status, SentStatus::Sent);
    let stored = second.core.store().expect("open").all_messages().expect("readable");
    assert_eq!(stored.len(), 1, "still one message");
    assert_eq!(stored[0].message_uid.as_deref(), Some("UID-1"));
}

/// SEND-14: the server had not accepted the interrupted publish, so it refuses the asking-after with 30003: the
/// message fails, and is not sent again by itself.
#[test]
fn an_interrupted_send_the_server_never_accepted_fails_with_30003() {
    let file = TempFile::new("resume-refused");
    let before = send_then_crash(&file, 1);
    let mut second = restart_and_connect(&file);
    assert_eq!(publishes(&mut second).len(), 1, "asked after once");
    second.events();
    second.server_sends(Body::PublishAck(proto::PublishAck {
        client_message_id: before.client_message_id,
        code: ErrorCode::MSG_RESPONSE_TIMEOUT.to_wire(),
        ..proto::PublishAck::default()
    }));
    let events = second.events();
    let [Event::MessageSent { code, message }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!((*code, message.sent_status), (ErrorCode::MSG_RESPONSE_TIMEOUT, SentStatus::Failed));
    let stored = second.core.store().expect("open").all_messages().expect("readable");
    assert_eq!((stored.len(), stored[0].sent_status, stored[0].message_uid.as_deref()), (1, SentStatus::Failed, None));
    assert!(publishes(&mut second).is_empty(), "no automatic resend");
}

#[test]
fn an_interrupted_directed_send_is_resumed_to_the_same_users_only() {
    // GRP-16: the designated users are stored with the message, so the resumed publish does not widen to the group.
    let file = TempFile::new("resume-directed");
    let mut first = Harness::with_store(Box::new(FileOpener(file.0.clone())), 1).connect_as("alice");
    let message = first.core.create_text_message(ConversationType::Group, "team", None, "psst").expect("valid");
    let designated = ["carol".to_owned(), "bob".to_owned()];
    first.core.send_group_message_to_designated_users(first.now, &message, &designated).expect("accepted");
    let before = publishes(&mut first).pop().expect("published");
    assert_eq!(before.directed_user_ids, designated);
    drop(first);

    let mut second = restart_and_connect(&file);
    let asked_after = proto::Publish { only_if_accepted: true, ..before };
    assert_eq!(publishes(&mut second), [asked_after], "the same publish, to the same designated users");
}

#[test]
fn an_interrupted_send_too_old_to_resume_fails_with_30003() {
    let file = TempFile::new("expire");
    send_then_crash(&file, 1);
    let mut second = Harness::with_store(Box::new(FileOpener(file.0.clone())), 2);
    second.now.unix_ms += limits::PUBLISH_ACK_TIMEOUT_MS as i64 + 1;
    second.core.connect(second.now, &token_for("alice"), 0).expect("accepted");
    second.actions();
    second.open_and_ack("alice");
    assert!(publishes(&mut second).is_empty(), "nothing is published again");
    let events = second.events();
    let failed: Vec<&Event> = events.iter().filter(|event| matches!(event, Event::MessageSent { .. })).collect();
    let [Event::MessageSent { code, message }] = failed.as_slice() else { panic!("{events:?}") };
    assert_eq!(*code, ErrorCode::MSG_RESPONSE_TIMEOUT);
    assert_eq!(message.sent_status, SentStatus::Failed);
}

#[test]
fn client_message_ids_differ_between_databases_and_repeat_within_one() {
    // A reinstall starts a new database (and a new engine, with its own seed): its message IDs restart at 1, its
    // client message IDs do not repeat.
    let first_file = TempFile::new("ids-a");
    let second_file = TempFile::new("ids-b");
    let first = send_then_crash(&first_file, 1);
    let second = send_then_crash(&second_file, 2);
    assert_ne!(first.client_message_id, second.client_message_id);
    assert!(first.client_message_id.ends_with("-1"), "{}", first.client_message_id);
    assert!(second.client_message_id.ends_with("-1"), "{}", second.client_message_id);
    // The same database keeps its ID: a later process on it resumes the first send under its ID and builds the
    // next one's from the same prefix.
    let again = send_then_crash_all(&first_file, 3);
    let ids: Vec<&str> = again.iter().map(|publish| publish.client_message_id.as_str()).collect();
    let prefix = first.client_message_id.trim_end_matches("-1");
    assert_eq!(ids, [first.client_message_id.clone(), format!("{prefix}-2")]);
}

#[test]
fn publishes_in_flight_are_resent_in_the_order_they_were_sent() {
    // Regression (found by the delivery property test): 17 publishes in flight crossed the point where the
    // message ID's hex form gains a digit (0xf to 0x10); the re-send after a reconnect went in the map's key order
    // and delivered message 16 before message 15. Re-sends now keep the order of the first sends.
    let mut harness = Harness::connected("alice");
    for n in 1..=17 {
        let text = format!("m{n}");
        let message = harness.core.create_text_message(ConversationType::Private, "bob", None, &text).expect("valid");
        harness.core.send_message(harness.now, &message).expect("accepted");
    }
    let first: Vec<String> = publishes(&mut harness).into_iter().map(|p| p.client_message_id).collect();
    harness.core.handle_transport_closed(harness.now);
    harness.advance(0);
    harness.open_and_ack("alice");
    let again: Vec<String> = publishes(&mut harness).into_iter().map(|p| p.client_message_id).collect();
    assert_eq!(again, first, "the same publishes, in the same order");
    let message_ids: Vec<i64> = again
        .iter()
        .map(|id| i64::from_str_radix(id.rsplit('-').next().expect("has a suffix"), 16).expect("hex"))
        .collect();
    assert_eq!(message_ids, (1..=17).collect::<Vec<i64>>());
}

/// alice, connected, sends a text to herself: the harness, the publish on the wire and the attached message.
fn alice_sends_a_note_to_herself() -> (Harness, proto::Publish, Message) {
    let mut harness = Harness::connected("alice");
    let message = harness.core.create_text_message(ConversationType::Private, "alice", None, "note").expect("valid");
    harness.core.send_message(harness.now, &message).expect("accepted");
    let frames = harness.frames();
    let [Body::Publish(publish)] = frames.as_slice() else { panic!("expected a publish, got {frames:?}") };
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    (harness, publish.clone(), attached.clone())
}

/// The copy of `publish` the server delivers back to its sender, with the publish's client message ID.
fn own_copy(publish: &proto::Publish) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        client_message_id: publish.client_message_id.clone(),
        ..delivered(1, "UID-1", "alice", "note")
    }
}

/// A message to oneself whose acknowledgement was lost comes back in the sender's own inbox carrying the publish's
/// client message ID (found by `imsim explore`, seed 216): the copy settles the waiting send as its acknowledgement
/// would have (SEND-14), is acknowledged to the server (RECV-7), and is neither stored again nor reported as
/// received (RECV-9); the late acknowledgement then changes nothing.
#[test]
fn a_copy_of_its_own_send_settles_the_send_instead_of_being_stored_again() {
    let (mut harness, publish, attached) = alice_sends_a_note_to_herself();
    let copy = own_copy(&publish);
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(copy.clone()) }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 1 })]);
    let events = harness.events();
    let [Event::MessageSent { code: ErrorCode::SUCCESS, message: sent }] = events.as_slice() else {
        panic!("expected the send settled, got {events:?}")
    };
    assert_eq!(sent.message_id, attached.message_id);
    assert_eq!(sent.sent_status, SentStatus::Sent);
    assert_eq!(sent.message_uid.as_deref(), Some("UID-1"));
    assert_eq!(sent.sent_time, copy.sent_time);
    let stored = harness.core.store().expect("open").all_messages().expect("readable");
    assert_eq!(stored, std::slice::from_ref(sent), "one row: the send, now with its UID");

    harness.server_sends(Body::PublishAck(proto::PublishAck {
        client_message_id: publish.client_message_id,
        code: 0,
        message_uid: "UID-1".into(),
        sent_time: copy.sent_time,
    }));
    assert_eq!(harness.events(), [], "the late acknowledgement settles nothing twice");
    assert_eq!(harness.core.store().expect("open").all_messages().expect("readable"), std::slice::from_ref(sent));
}

/// The app overwrites the status of a send in flight (`changeMessageSentStatus`) before its own copy comes back
/// (found by `imsim explore`, seed 154): the copy still settles the send, exactly once, rather than being stored as
/// a second message with the send's UID, which left the send's call without a result (CALL-13).
#[test]
fn a_copy_of_its_own_send_settles_it_even_after_the_app_overwrote_its_status() {
    let (mut harness, publish, attached) = alice_sends_a_note_to_herself();
    harness.core.change_message_sent_status(attached.message_id, SentStatus::Received).expect("accepted");
    harness.events();
    let copy = own_copy(&publish);
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(copy) }));
    let events = harness.events();
    let [Event::MessageSent { code: ErrorCode::SUCCESS, message: sent }] = events.as_slice() else {
        panic!("expected the send settled, got {events:?}")
    };
    assert_eq!((sent.message_id, sent.message_uid.as_deref()), (attached.message_id, Some("UID-1")));
    let stored = harness.core.store().expect("open").all_messages().expect("readable");
    assert_eq!(stored, std::slice::from_ref(sent), "one row: the send, now with its UID");
}

/// A copy whose client message ID another database made (the same user's other device, SYNC-17) is an ordinary
/// received message here.
#[test]
fn a_copy_of_another_devices_send_is_received() {
    let mut harness = Harness::connected("alice");
    let copy = proto::DeliveredMessage {
        client_message_id: format!("{:016x}-1", 0xdead_u64),
        target_id: "bob".to_owned(),
        ..delivered(1, "UID-1", "alice", "from my laptop")
    };
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(copy) }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 1 })]);
    let events = harness.events();
    let [Event::MessageReceived { message, .. }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!((message.message_uid.as_deref(), message.target_id.as_str()), (Some("UID-1"), "bob"));
    assert_eq!(harness.core.store().expect("open").all_messages().expect("readable").len(), 1);
}
