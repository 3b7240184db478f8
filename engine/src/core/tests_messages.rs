//! Tier-1 tests of the message model in the core: each type's storage and unread rules on send and on receive
//! (MTYPE), status deliveries (SYNC-3), copies of this user's own messages and compensation (SYNC-12), unread counts
//! (UNREAD) and the `create_*_message` family. The hand-played server harness is `core/tests.rs`'s.

use std::collections::BTreeMap;

use super::tests::{FileOpener, Harness, delivered};
use super::*;
use crate::content::tests::every_type;
use crate::content::{decode_content, encode_content, without_local_paths};
use crate::error::ImError;
use crate::limits;
use crate::proto::{self, frame::Body, request, response};
use crate::types::{
    ConversationType, CustomMessagePolicy, Degrees, EmbeddedMessage, Media, MessageContent, MessageDirection,
    MessageType, ReceivedStatus, SentStatus,
};

const SERVER_TIME: i64 = 1_800_000_000_000;

fn custom(policy: CustomMessagePolicy) -> MessageContent {
    MessageContent::Custom {
        identifier: "App:Card".to_owned(),
        policy,
        fields: BTreeMap::from([("title".to_owned(), "hi".to_owned())]),
    }
}

fn text(text: &str) -> MessageContent {
    MessageContent::Text { text: text.to_owned() }
}

/// The content of `every_type()` of this message type.
fn of_type(message_type: MessageType) -> MessageContent {
    every_type().into_iter().map(|(content, _)| content).find(|content| content.message_type() == message_type).unwrap()
}

/// A delivery of `content` from `from` in the private conversation with `from`.
fn delivered_content(seq: u64, uid: &str, from: &str, content: &MessageContent) -> proto::DeliveredMessage {
    proto::DeliveredMessage { content: Some(encode_content(content)), ..delivered(seq, uid, from, "") }
}

/// The URL every media upload of these tests gets.
const MEDIA_URL: &str = "https://files.imsim.invalid/media/1/f";

/// `content` as it is once its file is uploaded (SEND-13): with its remote URL. Other content is unchanged.
fn uploaded(content: &MessageContent) -> MessageContent {
    let mut content = content.clone();
    if let Some(media) = content.media_mut() {
        media.remote = Some(MEDIA_URL.to_owned());
    }
    content
}

/// Sends `content` to bob and returns the publish the core wrote and the attached message. Media content goes
/// through `send_media_message`, its file uploaded in one piece.
fn send(harness: &mut Harness, content: &MessageContent) -> (proto::Publish, Message) {
    let created = harness.core.create_text_message(ConversationType::Private, "bob", None, "").expect("valid");
    let message = Message { content: content.clone(), ..created };
    if let Some(path) = content.media().and_then(|media| media.local.clone()) {
        harness.files.insert(&path, b"file".to_vec());
        harness.core.send_media_message(harness.now, &message).expect("accepted");
        loop {
            let frames = harness.frames();
            match frames.as_slice() {
                [Body::Request(proto::Request { request_id, body: Some(request::Body::FileUploadChunk(chunk)) })] => {
                    let progress = proto::FileUploadProgress { received: chunk.total_size, url: MEDIA_URL.to_owned() };
                    harness.server_sends(Body::Response(proto::Response {
                        request_id: *request_id,
                        code: 0,
                        body: Some(response::Body::FileUploadProgress(progress)),
                    }));
                }
                [Body::Publish(publish)] => {
                    let events = harness.events();
                    let [
                        Event::MediaMessageAttached { message: attached },
                        Event::MediaMessageSending { progress: 100, .. },
                    ] = events.as_slice()
                    else {
                        panic!("{events:?}")
                    };
                    return (publish.clone(), attached.clone());
                }
                other => panic!("expected an upload piece or the publish, got {other:?}"),
            }
        }
    }
    harness.core.send_message(harness.now, &message).expect("accepted");
    let frames = harness.frames();
    let [Body::Publish(publish)] = frames.as_slice() else { panic!("expected a publish, got {frames:?}") };
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    (publish.clone(), attached.clone())
}

/// The server accepts `publish` with this UID and sent time; returns the send's outcome.
fn acknowledge(harness: &mut Harness, publish: &proto::Publish, uid: &str, sent_time: i64) -> (ErrorCode, Message) {
    harness.server_sends(Body::PublishAck(proto::PublishAck {
        client_message_id: publish.client_message_id.clone(),
        code: 0,
        message_uid: uid.to_owned(),
        sent_time,
    }));
    let events = harness.events();
    let ([Event::MessageSent { code, message }] | [Event::MediaMessageSent { code, message }]) = events.as_slice()
    else {
        panic!("{events:?}")
    };
    (*code, message.clone())
}

/// Each `MessageReceived` as (message ID, left, offline, has package), asserting nothing else was reported but
/// the end of catch-up.
fn received(events: Vec<Event>) -> Vec<(Message, u32, bool, bool)> {
    events
        .into_iter()
        .filter(|event| *event != Event::OfflineMessageSyncCompleted)
        .map(|event| match event {
            Event::MessageReceived { message, left, offline, has_package } => (message, left, offline, has_package),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn store(harness: &Harness) -> &dyn Store {
    harness.core.store().expect("a database is open")
}

#[test]
fn each_type_is_stored_on_send_or_attached_with_id_0() {
    // MTYPE-2 to MTYPE-7, SEND-14, SEND-17: (content, messageId on attach, published as a status message).
    let cases = [
        (text("one"), 1, false),
        (of_type(MessageType::Command), 0, false),
        (custom(CustomMessagePolicy::Status), 0, true),
        (custom(CustomMessagePolicy::Command), 0, false),
        (custom(CustomMessagePolicy::Normal), 2, false),
        (custom(CustomMessagePolicy::Storage), 3, false),
        (of_type(MessageType::CommandNotification), 4, false),
        (of_type(MessageType::Voice), 5, false),
        (of_type(MessageType::Image), 6, false),
        (of_type(MessageType::File), 7, false),
        (of_type(MessageType::Sight), 8, false),
        (of_type(MessageType::Gif), 9, false),
        (of_type(MessageType::Reference), 10, false),
        (of_type(MessageType::Location), 11, false),
    ];
    let mut harness = Harness::connected("alice");
    for (index, (content, message_id, status_message)) in cases.iter().enumerate() {
        let (publish, attached) = send(&mut harness, content);
        let label = content.message_type();
        assert_eq!(attached.message_id, *message_id, "{label}");
        assert_eq!((attached.sent_status, attached.direction), (SentStatus::Sending, MessageDirection::Send));
        assert_eq!(&attached.content, content, "{label}: attached as created, local paths included");
        assert_eq!(publish.status_message, *status_message, "{label}");
        let published = decode_content(publish.content.as_ref().expect("content"));
        assert_eq!(published, without_local_paths(&uploaded(content)), "{label}: media with its URL (SEND-13)");

        let uid = format!("UID-{index}");
        let (code, sent) = acknowledge(&mut harness, &publish, &uid, SERVER_TIME + index as i64);
        assert_eq!(code, ErrorCode::SUCCESS);
        assert_eq!(
            (sent.message_id, sent.sent_status, sent.message_uid.as_deref(), sent.sent_time),
            (*message_id, SentStatus::Sent, Some(uid.as_str()), SERVER_TIME + index as i64),
            "{label}"
        );
        assert_eq!(sent.content, uploaded(content));
    }
    let stored: Vec<(i64, MessageType, SentStatus)> = store(&harness)
        .conversation_messages(ConversationType::Private, "bob")
        .expect("readable")
        .iter()
        .map(|message| (message.message_id, message.message_type(), message.sent_status))
        .collect();
    let expected: Vec<(i64, MessageType, SentStatus)> = [
        MessageType::Text,
        MessageType::Custom,
        MessageType::Custom,
        MessageType::CommandNotification,
        MessageType::Voice,
        MessageType::Image,
        MessageType::File,
        MessageType::Sight,
        MessageType::Gif,
        MessageType::Reference,
        MessageType::Location,
    ]
    .into_iter()
    .zip(1..)
    .map(|(message_type, message_id)| (message_id, message_type, SentStatus::Sent))
    .collect();
    assert_eq!(stored, expected);
    // Sent messages never count as unread.
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 0);
}

#[test]
fn a_type_not_stored_that_cannot_be_sent_fails_in_memory() {
    // SEND-16, SEND-17: attached with ID 0, failed with 30002, nothing written; and 30003 when no acknowledgement
    // comes.
    let mut harness = Harness::connected("alice");
    harness.core.handle_transport_closed(harness.now);
    harness.events();
    let created = harness.core.create_text_message(ConversationType::Private, "bob", None, "").expect("valid");
    let command = Message { content: of_type(MessageType::Command), ..created };
    harness.core.send_message(harness.now, &command).expect("accepted; the failure is an event");
    let events = harness.events();
    let [Event::MessageAttached { message: attached }, Event::MessageSent { code, message: failed }] =
        events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(attached.message_id, 0);
    assert_eq!(*code, ErrorCode::NETWORK_UNAVAILABLE);
    assert_eq!((failed.message_id, failed.sent_status, failed.message_uid.as_ref()), (0, SentStatus::Failed, None));
    assert_eq!(failed.sent_time, harness.now.unix_ms, "the provisional sent time stays");
    assert!(store(&harness).all_messages().expect("readable").is_empty());

    let mut harness = Harness::connected("alice");
    let (_, attached) = send(&mut harness, &custom(CustomMessagePolicy::Status));
    assert_eq!(attached.message_id, 0);
    harness.advance(limits::PUBLISH_ACK_TIMEOUT_MS);
    let events = harness.events();
    let [Event::MessageSent { code, message }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(
        (*code, message.message_id, message.sent_status),
        (ErrorCode::MSG_RESPONSE_TIMEOUT, 0, SentStatus::Failed)
    );
    assert!(store(&harness).all_messages().expect("readable").is_empty());
}

#[test]
fn unknown_messages_and_recall_notifications_cannot_be_sent() {
    // MTYPE-8, MTYPE-16, CALL-12: -101, nothing attached, nothing stored, nothing published.
    let mut harness = Harness::connected("alice");
    for message_type in [MessageType::Unknown, MessageType::Recall] {
        let created = harness.core.create_text_message(ConversationType::Private, "bob", None, "").expect("valid");
        let message = Message { content: of_type(message_type), ..created };
        let error = harness.core.send_message(harness.now, &message).unwrap_err();
        assert_eq!(error.code, ErrorCode::PARAM_ERROR, "{message_type}");
    }
    assert!(harness.events().is_empty());
    assert!(harness.frames().is_empty());
    assert!(store(&harness).all_messages().expect("readable").is_empty());
}

#[test]
fn each_type_is_stored_on_receive_or_reported_with_id_0() {
    // MTYPE-2 to MTYPE-9, RECV-10, RECV-11, UNREAD-6: one package of every type, and two more custom policies.
    let mut harness = Harness::connected("alice");
    let mut contents: Vec<MessageContent> = every_type().into_iter().map(|(content, _)| content).collect();
    contents.push(custom(CustomMessagePolicy::Normal));
    contents.push(custom(CustomMessagePolicy::Command));
    let messages: Vec<proto::DeliveredMessage> = contents
        .iter()
        .zip(1..)
        .map(|(content, seq)| delivered_content(seq, &format!("U{seq}"), "bob", content))
        .collect();
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages, has_package: false }));
    // Every message is acknowledged, stored or not (RECV-11).
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 15 })]);
    let reported: Vec<(MessageType, i64, u32)> = received(harness.events())
        .into_iter()
        .map(|(message, left, offline, has_package)| {
            assert!(offline && !has_package);
            assert_eq!(
                (message.direction, message.received_status),
                (MessageDirection::Receive, ReceivedStatus::Unread)
            );
            (message.message_type(), message.message_id, left)
        })
        .collect();
    assert_eq!(
        reported,
        [
            (MessageType::Text, 1, 14),
            (MessageType::Voice, 2, 13),
            (MessageType::Image, 3, 12),
            (MessageType::File, 4, 11),
            (MessageType::Sight, 5, 10),
            (MessageType::Gif, 6, 9),
            (MessageType::Recall, 7, 8),
            (MessageType::Reference, 8, 7),
            (MessageType::Location, 9, 6),
            (MessageType::Command, 0, 5),
            (MessageType::CommandNotification, 10, 4),
            (MessageType::Custom, 11, 3), // storage policy
            (MessageType::Unknown, 12, 2),
            (MessageType::Custom, 13, 1), // normal policy
            (MessageType::Custom, 0, 0),  // command policy
        ]
    );
    let store = store(&harness);
    assert_eq!(store.all_messages().expect("readable").len(), 13);
    assert_eq!(store.inbox_cursor().expect("readable"), 15);
    // Counted: text, voice, image, file, sight, GIF, reference, location, unknown and the normal custom message.
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 10);
    assert_eq!(harness.core.total_unread_count().expect("counted"), 10);
}

#[test]
fn a_live_delivery_of_a_type_not_stored_is_acknowledged_and_reported_with_id_0() {
    // MTYPE-4, RECV-9, RECV-10: the cursor moves in the store, and the server hears of it.
    let mut harness = Harness::connected("alice");
    let command = of_type(MessageType::Command);
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery {
        message: Some(delivered_content(1, "U1", "bob", &command)),
    }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 1 })]);
    let reported = received(harness.events());
    let [(message, 0, false, false)] = reported.as_slice() else { panic!("{reported:?}") };
    assert_eq!((message.message_id, &message.content), (0, &command));
    assert_eq!(message.message_uid.as_deref(), Some("U1"));
    assert!(store(&harness).all_messages().expect("readable").is_empty());
    assert_eq!(store(&harness).inbox_cursor().expect("readable"), 1);
}

#[test]
fn a_status_delivery_is_reported_but_neither_stored_nor_acknowledged() {
    // SYNC-3, MTYPE-7: a status message is outside the inbox (sequence 0); whatever its type, it is not stored.
    let mut harness = Harness::connected("alice");
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(1, "U1", "bob", "a")) }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 1 })]);
    harness.events();

    for (uid, content) in [("S1", text("typing…")), ("S2", custom(CustomMessagePolicy::Status))] {
        let status = proto::DeliveredMessage { status_message: true, ..delivered_content(0, uid, "bob", &content) };
        harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(status) }));
        assert_eq!(harness.frames(), [], "no acknowledgement");
        let reported = received(harness.events());
        let [(message, 0, false, false)] = reported.as_slice() else { panic!("{reported:?}") };
        assert_eq!((message.message_id, message.message_uid.as_deref()), (0, Some(uid)));
        assert_eq!(message.content, content);
    }
    // In a package too: the status message is reported in its place, the cursor comes from the others.
    let status = proto::DeliveredMessage { status_message: true, ..delivered(0, "S3", "bob", "b") };
    let messages = vec![status, delivered(2, "U2", "bob", "c")];
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages, has_package: false }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 2 })]);
    let ids: Vec<(i64, u32)> =
        received(harness.events()).into_iter().map(|(message, left, ..)| (message.message_id, left)).collect();
    assert_eq!(ids, [(0, 1), (2, 0)]);

    let uids: Vec<Option<String>> =
        store(&harness).all_messages().expect("readable").into_iter().map(|message| message.message_uid).collect();
    assert_eq!(uids, [Some("U1".to_owned()), Some("U2".to_owned())]);
    assert_eq!(store(&harness).inbox_cursor().expect("readable"), 2);
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 2);
}

#[test]
fn a_copy_of_a_message_this_user_sent_elsewhere_is_stored_as_sent() {
    // SYNC-12, SYNC-17: sent by the current user from another device, delivered in the conversation with bob.
    let mut harness = Harness::connected("alice");
    let copy = proto::DeliveredMessage { target_id: "bob".to_owned(), ..delivered(1, "U1", "alice", "from my phone") };
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(copy) }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 1 })]);
    let reported = received(harness.events());
    let [(message, 0, false, false)] = reported.as_slice() else { panic!("{reported:?}") };
    let expected = Message {
        conversation_type: ConversationType::Private,
        target_id: "bob".to_owned(),
        channel_id: None,
        message_id: 1,
        message_uid: Some("U1".to_owned()),
        direction: MessageDirection::Send,
        received_time: harness.now.unix_ms,
        sent_time: 1_700_000_000_001,
        received_status: ReceivedStatus::Unread,
        sent_status: SentStatus::Sent,
        sender_user_id: "alice".to_owned(),
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: text("from my phone"),
    };
    assert_eq!(message, &expected);
    assert_eq!(store(&harness).message(1).expect("readable"), Some(expected));
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 0);
}

#[test]
fn compensated_messages_are_retrieved_and_still_count() {
    // SYNC-12: `retrieved` sets receivedStatus retrieved, which counts as unread; an own copy never counts.
    let mut harness = Harness::connected("alice");
    let messages = vec![
        proto::DeliveredMessage { retrieved: true, ..delivered(1, "U1", "bob", "old") },
        proto::DeliveredMessage { retrieved: true, target_id: "bob".to_owned(), ..delivered(2, "U2", "alice", "mine") },
        delivered(3, "U3", "bob", "new"),
    ];
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages, has_package: false }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 3 })]);
    let reported: Vec<(i64, MessageDirection, ReceivedStatus)> = received(harness.events())
        .into_iter()
        .map(|(message, ..)| (message.message_id, message.direction, message.received_status))
        .collect();
    let expected = [
        (1, MessageDirection::Receive, ReceivedStatus::Retrieved),
        (2, MessageDirection::Send, ReceivedStatus::Retrieved),
        (3, MessageDirection::Receive, ReceivedStatus::Unread),
    ];
    assert_eq!(reported, expected);
    let stored: Vec<(i64, MessageDirection, ReceivedStatus)> = store(&harness)
        .all_messages()
        .expect("readable")
        .into_iter()
        .map(|message| (message.message_id, message.direction, message.received_status))
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 2);
}

#[test]
fn unread_counts_are_derived_from_the_stored_messages() {
    // UNREAD-1, UNREAD-2, UNREAD-6, UNREAD-9, UNREAD-10, MTYPE-3, MTYPE-5
    let mut harness = Harness::connected("alice");
    let in_conversation = |conversation_type: ConversationType, target_id: &str, message| proto::DeliveredMessage {
        conversation_type: conversation_type.ordinal(),
        target_id: target_id.to_owned(),
        ..message
    };
    let messages = vec![
        delivered(1, "U1", "bob", "1"),
        delivered(2, "U2", "bob", "2"),
        delivered(3, "U3", "bob", "3"),
        delivered_content(4, "U4", "bob", &of_type(MessageType::CommandNotification)),
        delivered_content(5, "U5", "bob", &of_type(MessageType::Recall)),
        in_conversation(ConversationType::Group, "team", delivered(6, "U6", "carol", "g1")),
        in_conversation(ConversationType::Group, "team", delivered(7, "U7", "dave", "g2")),
        in_conversation(ConversationType::Chatroom, "room", delivered(8, "U8", "erin", "c1")),
        in_conversation(ConversationType::System, "news", delivered(9, "U9", "news", "s1")),
    ];
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages, has_package: false }));
    harness.frames();
    harness.events();
    let (publish, _) = send(&mut harness, &text("reply"));
    acknowledge(&mut harness, &publish, "UID-1", SERVER_TIME);

    let core = &harness.core;
    assert_eq!(core.unread_count(ConversationType::Private, "bob", None).expect("counted"), 3);
    assert_eq!(core.unread_count(ConversationType::Group, "team", None).expect("counted"), 2);
    assert_eq!(core.unread_count(ConversationType::System, "news", None).expect("counted"), 1);
    assert_eq!(core.unread_count(ConversationType::Private, "carol", None).expect("counted"), 0);
    assert_eq!(core.total_unread_count().expect("counted"), 6, "the chatroom's message is left out");

    let param = ErrorCode::PARAM_ERROR;
    assert_eq!(core.unread_count(ConversationType::Chatroom, "room", None).unwrap_err().code, param);
    assert_eq!(core.unread_count(ConversationType::Invalid, "bob", None).unwrap_err().code, param);
    assert_eq!(core.unread_count(ConversationType::Private, "", None).unwrap_err().code, param);
    let too_long = "b".repeat(limits::TARGET_ID_CHARS_MAX + 1);
    assert_eq!(core.unread_count(ConversationType::Private, &too_long, None).unwrap_err().code, param);

    harness.core.destroy(harness.now).expect("accepted");
    let destroyed = ErrorCode::ENGINE_DESTROYED;
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).unwrap_err().code, destroyed);
    assert_eq!(harness.core.total_unread_count().unwrap_err().code, destroyed);
}

#[test]
fn unread_counts_need_an_open_database() {
    // CODE-4: before any `connect` there is no database to count in.
    let harness = Harness::new();
    let no_database = ErrorCode::NATIVE_OPERATION_ERROR;
    assert_eq!(harness.core.unread_count(ConversationType::Private, "bob", None).unwrap_err().code, no_database);
    assert_eq!(harness.core.total_unread_count().unwrap_err().code, no_database);
}

#[test]
fn every_create_method_makes_its_content() {
    // MTYPE-10 to MTYPE-22; MTYPE-26: every path names a file on the device, whose size the message records.
    let harness = Harness::connected("alice");
    for (path, size) in [
        ("/v/a.aac", 1),
        ("/i/a.jpg", 2),
        ("/sdcard/docs/report.final.PDF", 3_000),
        ("C:\\docs\\.profile", 4),
        ("/m/clip.mp4", 5_000_000),
        ("/g/a.gif", 6),
        ("/g/b.gif", 8),
        ("/t/map.png", 7),
    ] {
        harness.files.insert(path, vec![0; size]);
    }
    let core = &harness.core;
    let private = ConversationType::Private;
    let local = |path: &str| Media { local: Some(path.to_owned()), remote: None };
    let contents = [
        core.create_voice_message(private, "bob", None, "/v/a.aac", 7),
        core.create_image_message(private, "bob", None, "/i/a.jpg"),
        core.create_file_message(private, "bob", None, "/sdcard/docs/report.final.PDF"),
        core.create_file_message(private, "bob", None, "C:\\docs\\.profile"),
        core.create_sight_message(private, "bob", None, "/m/clip.mp4", 15),
        core.create_gif_message(private, "bob", None, "/g/a.gif"),
        core.create_location_message(private, "bob", None, 116.4, -39.9, "广场", "/t/map.png"),
        core.create_custom_message(
            private,
            "bob",
            None,
            CustomMessagePolicy::Normal,
            "App:Card",
            BTreeMap::from([("title".to_owned(), "hi".to_owned())]),
        ),
    ]
    .map(|created| created.expect("valid").content);
    assert_eq!(
        contents,
        [
            MessageContent::Voice { media: local("/v/a.aac"), duration: 7 },
            MessageContent::Image { media: local("/i/a.jpg"), thumbnail_base64_string: String::new(), original: false },
            MessageContent::File {
                media: local("/sdcard/docs/report.final.PDF"),
                name: "report.final.PDF".to_owned(),
                file_type: "PDF".to_owned(),
                size: 3_000,
            },
            MessageContent::File {
                media: local("C:\\docs\\.profile"),
                name: ".profile".to_owned(),
                file_type: String::new(),
                size: 4,
            },
            MessageContent::Sight {
                media: local("/m/clip.mp4"),
                duration: 15,
                size: 5_000_000,
                name: "clip.mp4".to_owned(),
                thumbnail_base64_string: String::new(),
            },
            MessageContent::Gif { media: local("/g/a.gif"), data_size: 6, width: 0, height: 0 },
            MessageContent::Location {
                longitude: Degrees(116.4),
                latitude: Degrees(-39.9),
                poi_name: "广场".to_owned(),
                thumbnail_path: "/t/map.png".to_owned(),
            },
            custom(CustomMessagePolicy::Normal),
        ]
    );

    let quoted = Message {
        message_id: 9,
        message_uid: Some("U9".to_owned()),
        direction: MessageDirection::Receive,
        sender_user_id: "bob".to_owned(),
        sent_time: 1_234,
        received_status: ReceivedStatus::Read,
        ..core.create_text_message(ConversationType::Group, "team", None, "quote me").expect("valid")
    };
    let reference =
        core.create_reference_message(ConversationType::Group, "team", None, &quoted, "agreed").expect("valid");
    let expected_quote = EmbeddedMessage {
        conversation_type: ConversationType::Group,
        target_id: "team".to_owned(),
        channel_id: None,
        message_uid: Some("U9".to_owned()),
        sender_user_id: "bob".to_owned(),
        sent_time: 1_234,
        extra: None,
        content: text("quote me"),
    };
    assert_eq!(
        reference.content,
        MessageContent::Reference { text: "agreed".to_owned(), reference_message: Some(Box::new(expected_quote)) }
    );
    // Every created message is this user's, unsent and unstored, in the conversation asked for.
    assert_eq!(
        (
            reference.conversation_type,
            reference.target_id.as_str(),
            reference.message_id,
            reference.direction,
            reference.sent_status,
            reference.sender_user_id.as_str()
        ),
        (ConversationType::Group, "team", 0, MessageDirection::Send, SentStatus::Sending, "alice")
    );
    let in_channel = core.create_gif_message(ConversationType::UltraGroup, "ug", Some("c1"), "/g/b.gif").expect("ok");
    assert_eq!(in_channel.channel_id.as_deref(), Some("c1"));
}

#[test]
fn create_methods_check_their_arguments() {
    // CALL-12: -101 for an argument error; -102 once destroyed, before any argument is looked at.
    let mut harness = Harness::connected("alice");
    let private = ConversationType::Private;
    let fields = BTreeMap::new;
    let long_channel = "c".repeat(limits::CHANNEL_ID_CHARS_MAX + 1);
    for path in ["/t.png", "/i.jpg", "/f.txt"] {
        harness.files.insert(path, vec![1]);
    }
    let calls = |core: &Core| -> Vec<Result<Message, ImError>> {
        vec![
            // MTYPE-26: a path that names no file on the device, for every method that takes one.
            core.create_voice_message(private, "bob", None, "/no.aac", 1),
            core.create_image_message(private, "bob", None, "/no.jpg"),
            core.create_file_message(private, "bob", None, "/no.txt"),
            core.create_sight_message(private, "bob", None, "/no.mp4", 1),
            core.create_gif_message(private, "bob", None, "/no.gif"),
            core.create_location_message(private, "bob", None, 0.0, 0.0, "p", "/no.png"),
            core.create_voice_message(private, "bob", None, "", 1),
            core.create_image_message(private, "bob", None, ""),
            core.create_file_message(private, "bob", None, ""),
            core.create_sight_message(private, "bob", None, "", 1),
            core.create_gif_message(private, "bob", None, ""),
            core.create_location_message(private, "bob", None, 180.5, 0.0, "p", "/t.png"),
            core.create_location_message(private, "bob", None, -180.5, 0.0, "p", "/t.png"),
            core.create_location_message(private, "bob", None, 0.0, 90.5, "p", "/t.png"),
            core.create_location_message(private, "bob", None, 0.0, -90.5, "p", "/t.png"),
            core.create_location_message(private, "bob", None, f64::NAN, 0.0, "p", "/t.png"),
            core.create_location_message(private, "bob", None, 0.0, f64::INFINITY, "p", "/t.png"),
            core.create_location_message(private, "bob", None, 0.0, 0.0, "p", ""),
            core.create_custom_message(private, "bob", None, CustomMessagePolicy::Normal, "", fields()),
            core.create_custom_message(private, "bob", None, CustomMessagePolicy::Normal, "RC:TxtMsg", fields()),
            core.create_image_message(ConversationType::Invalid, "bob", None, "/i.jpg"),
            core.create_file_message(private, "", None, "/f.txt"),
            core.create_custom_message(
                ConversationType::UltraGroup,
                "ug",
                Some(&long_channel),
                CustomMessagePolicy::Normal,
                "App:X",
                fields(),
            ),
            core.create_reference_message(ConversationType::Invalid, "bob", None, &Harness::new_message(), "t"),
        ]
    };
    let codes: Vec<ErrorCode> = calls(&harness.core).into_iter().map(|result| result.unwrap_err().code).collect();
    assert_eq!(codes, vec![ErrorCode::PARAM_ERROR; 24]);
    // The boundaries themselves are valid.
    for (longitude, latitude) in [(180.0, 90.0), (-180.0, -90.0), (0.0, 0.0)] {
        let location = harness.core.create_location_message(private, "bob", None, longitude, latitude, "", "/t.png");
        assert!(location.is_ok(), "{longitude}, {latitude}");
    }
    harness.core.destroy(harness.now).expect("accepted");
    let codes: Vec<ErrorCode> = calls(&harness.core).into_iter().map(|result| result.unwrap_err().code).collect();
    assert_eq!(codes, vec![ErrorCode::ENGINE_DESTROYED; 24]);
}

impl Harness {
    /// A message to quote, made without a core.
    fn new_message() -> Message {
        Message {
            conversation_type: ConversationType::Private,
            target_id: "bob".to_owned(),
            channel_id: None,
            message_id: 0,
            message_uid: None,
            direction: MessageDirection::Send,
            received_time: 0,
            sent_time: 0,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Sending,
            sender_user_id: "alice".to_owned(),
            offline: false,
            extra: None,
            mentioned_info: None,
            user_info: None,
            expansion: None,
            push_options: None,
            group_read_receipt_info: None,
            content: text("x"),
        }
    }
}

#[test]
fn created_messages_of_every_sendable_type_arrive_as_sent() {
    // The whole path: create, send, publish, and the same bytes delivered to a receiver read back as created (minus
    // the local paths, which stay on the sender's device).
    let mut sender = Harness::connected("alice");
    sender.files.insert("/v.aac", vec![1]);
    sender.files.insert("/t.png", vec![2]);
    let private = ConversationType::Private;
    let core = &sender.core;
    let created: Vec<Message> = [
        core.create_text_message(private, "bob", None, "hi"),
        core.create_voice_message(private, "bob", None, "/v.aac", 3),
        core.create_location_message(private, "bob", None, 1.5, 2.5, "poi", "/t.png"),
        core.create_custom_message(private, "bob", None, CustomMessagePolicy::Storage, "App:Note", BTreeMap::new()),
    ]
    .into_iter()
    .map(|result| result.expect("valid"))
    .collect();
    let mut receiver = Harness::connected("bob");
    for (message, seq) in created.iter().zip(1..) {
        let (publish, _) = send(&mut sender, &message.content);
        let delivery = proto::DeliveredMessage {
            seq,
            message_uid: format!("U{seq}"),
            conversation_type: publish.conversation_type,
            target_id: "alice".to_owned(),
            sender_user_id: "alice".to_owned(),
            sent_time: SERVER_TIME,
            content: publish.content.clone(),
            status_message: publish.status_message,
            ..Default::default()
        };
        receiver.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivery) }));
        let reported = received(receiver.events());
        let [(arrived, ..)] = reported.as_slice() else { panic!("{reported:?}") };
        assert_eq!(arrived.content, without_local_paths(&uploaded(&message.content)));
        assert_eq!(arrived.message_id, seq as i64);
    }
    let unread = receiver.core.unread_count(ConversationType::Private, "alice", None).expect("counted");
    assert_eq!(unread, 3, "text, voice and location count; the storage-policy custom message does not");
}

#[test]
fn a_package_the_store_cannot_commit_is_not_acknowledged_and_comes_again() {
    // Persist before acknowledge: a write that never commits (here the disk refuses it, as a crash before the commit
    // would leave it) must not be acknowledged, or the server would drop what the device never stored. Acknowledging
    // first and storing second fails this test: the acknowledgement goes out before the connection is dropped.
    let dir = std::env::temp_dir().join(format!("imsim-persist-before-ack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let file = dir.join("db.sqlite");
    let mut harness = Harness::with_store(Box::new(FileOpener(file.clone())), 1).connect_as("alice");
    let disk = rusqlite::Connection::open(&file).expect("the same database");
    disk.execute_batch("CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk full'); END;")
        .expect("the trigger");
    let package = || proto::InboxPackage {
        messages: vec![delivered(1, "U1", "bob", "one"), delivered(2, "U2", "bob", "two")],
        has_package: false,
    };
    harness.server_sends(Body::InboxPackage(package()));
    let sent = harness.frames();
    assert!(
        !sent.iter().any(|body| matches!(body, Body::InboxAck(_))),
        "nothing stored, nothing acknowledged: {sent:?}"
    );
    let events = harness.events();
    assert!(!events.iter().any(|event| matches!(event, Event::MessageReceived { .. })), "nothing reported: {events:?}");
    assert_eq!(store(&harness).inbox_cursor().expect("readable"), 0);
    // The disk recovers; the next connection gets the same package, which is now stored and acknowledged once.
    disk.execute_batch("DROP TRIGGER refuse;").expect("dropped");
    harness.advance(120_000);
    let _ = harness.actions();
    harness.open_and_ack("alice");
    harness.events();
    harness.server_sends(Body::InboxPackage(package()));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 2 })]);
    let texts: Vec<String> = store(&harness)
        .all_messages()
        .expect("readable")
        .iter()
        .map(|message| match &message.content {
            MessageContent::Text { text } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["one", "two"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_message_sent_is_attached_and_stored_as_a_new_send_whatever_it_carried() {
    // SEND-4, MSG-10: the message an app passes may carry statuses and times of its own (a literal, a message read
    // back); the send attaches and stores it as a new one: sending, unread, no receive time, sent by the user.
    let mut harness = Harness::connected("alice");
    let created = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("valid");
    let carried = Message {
        received_status: ReceivedStatus::Read,
        sent_status: SentStatus::Failed,
        received_time: 77,
        offline: true,
        sender_user_id: "mallory".into(),
        direction: MessageDirection::Receive,
        ..created
    };
    harness.core.send_message(harness.now, &carried).expect("accepted");
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    let fields = (attached.received_status, attached.sent_status, attached.received_time, attached.offline);
    assert_eq!(fields, (ReceivedStatus::Unread, SentStatus::Sending, 0, false));
    assert_eq!((attached.sender_user_id.as_str(), attached.direction), ("alice", MessageDirection::Send));
    let stored = harness.core.store().expect("open").message(attached.message_id).expect("read").expect("stored");
    assert_eq!(&stored, attached);
}
