//! The media send and download at the core's edge (SEND-7 to SEND-14, DL): what goes on the wire piece by piece,
//! what is stored when, and what the app hears.

use super::tests::Harness;
use super::*;
use crate::limits::MEDIA_CHUNK_BYTES_MAX;
use crate::proto::{self, frame::Body, request, response};
use crate::types::{ConversationType, MessageContent, MessageDirection, ReceivedStatus, SentStatus};

const URL: &str = "https://files.imsim.invalid/media/1/a.jpg";

/// A connected harness with a file of `size` bytes at `a.jpg`, and an image message of it to bob.
fn with_image(size: usize) -> (Harness, Message) {
    let harness = Harness::connected("alice");
    harness.files.insert("a.jpg", (0..size).map(|i| (i % 251) as u8).collect());
    let image = harness.core.create_image_message(ConversationType::Private, "bob", None, "a.jpg").expect("valid");
    (harness, image)
}

/// The upload pieces sent since the last call: (request ID, offset, length, total).
fn pieces(harness: &mut Harness) -> Vec<(u64, u64, usize, u64)> {
    harness
        .frames()
        .into_iter()
        .filter_map(|body| match body {
            Body::Request(proto::Request { request_id, body: Some(request::Body::FileUploadChunk(chunk)) }) => {
                Some((request_id, chunk.offset, chunk.data.len(), chunk.total_size))
            }
            _ => None,
        })
        .collect()
}

fn answer_upload(harness: &mut Harness, request_id: u64, received: u64, url: &str) {
    let progress = proto::FileUploadProgress { received, url: url.to_owned() };
    harness.server_sends(Body::Response(proto::Response {
        request_id,
        code: 0,
        body: Some(response::Body::FileUploadProgress(progress)),
    }));
}

fn progress_of(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::MediaMessageSending { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect()
}

#[test]
fn an_upload_goes_piece_by_piece_then_the_message_is_published_with_its_url() {
    // SEND-10, SEND-11, SEND-13: 150,000 bytes are three pieces; each answer moves the progress; the URL goes into
    // the stored message before it is published, without the local path.
    let (mut harness, image) = with_image(150_000);
    harness.core.send_media_message(harness.now, &image).expect("accepted");
    let events = harness.events();
    let Some(Event::MediaMessageAttached { message: attached }) = events.first() else {
        panic!("attached first, got {events:?}")
    };
    assert_eq!((attached.message_id, attached.sent_status), (1, SentStatus::Sending));
    let chunk = MEDIA_CHUNK_BYTES_MAX as u64;
    let mut sent = Vec::new();
    for (received, progress) in [(chunk, 43), (2 * chunk, 87)] {
        let [(request_id, offset, len, total)] = pieces(&mut harness)[..] else { panic!("one piece at a time") };
        sent.push((offset, len, total));
        answer_upload(&mut harness, request_id, received, "");
        assert_eq!(progress_of(&harness.events()), [progress]);
    }
    let [(request_id, offset, len, total)] = pieces(&mut harness)[..] else { panic!("the last piece") };
    sent.push((offset, len, total));
    assert_eq!(sent, [(0, 65_536, 150_000), (chunk, 65_536, 150_000), (2 * chunk, 18_928, 150_000)]);
    answer_upload(&mut harness, request_id, 150_000, URL);
    assert_eq!(progress_of(&harness.events()), [100]);
    let published = harness.frames();
    let [Body::Publish(publish)] = &published[..] else { panic!("the message goes out, got {published:?}") };
    let content = crate::content::decode_content(publish.content.as_ref().expect("content"));
    assert_eq!(content.media().map(|media| (media.local.as_deref(), media.remote.as_deref())), Some((None, Some(URL))));
    // Persisted before the publish: a crash now would not upload again.
    let stored = harness.core.store().expect("open").message(1).expect("read").expect("stored");
    assert_eq!(stored.content.media().and_then(|media| media.remote.as_deref()), Some(URL));
    assert_eq!(stored.content.media().and_then(|media| media.local.as_deref()), Some("a.jpg"));
}

#[test]
fn a_media_message_is_refused_by_send_message_and_a_missing_file_by_send_media_message() {
    // SEND-7: media goes through sendMediaMessage; an unreadable file is an argument error: nothing is stored.
    let (mut harness, image) = with_image(10);
    let refused = harness.core.send_message(harness.now, &image).expect_err("media through sendMessage");
    assert_eq!(refused.code, ErrorCode::PARAM_ERROR);
    // MTYPE-26: no file at the path, no message; a message naming a file that has gone since is refused on send.
    let created = harness.core.create_image_message(ConversationType::Private, "bob", None, "nope.jpg");
    assert_eq!(created.map_err(|e| e.code), Err(ErrorCode::PARAM_ERROR));
    let mut missing = image.clone();
    missing.content.media_mut().expect("an image").local = Some("nope.jpg".to_owned());
    let refused = harness.core.send_media_message(harness.now, &missing).expect_err("no such file");
    assert_eq!(refused.code, ErrorCode::PARAM_ERROR);
    let text = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("ok");
    assert_eq!(harness.core.send_media_message(harness.now, &text).map_err(|e| e.code), Err(ErrorCode::PARAM_ERROR));
    assert_eq!(harness.events(), []);
    assert!(harness.frames().is_empty());
    assert_eq!(harness.core.store().expect("open").all_messages().expect("read"), []);
}

#[test]
fn a_cancelled_upload_ignores_the_answer_in_flight_and_a_lost_connection_fails_the_send() {
    // SEND-12: the answer to the piece in flight when the upload was cancelled changes nothing.
    let (mut harness, image) = with_image(200_000);
    harness.core.send_media_message(harness.now, &image).expect("accepted");
    let attached = match harness.events().remove(0) {
        Event::MediaMessageAttached { message } => message,
        other => panic!("attached first, got {other:?}"),
    };
    let [(request_id, ..)] = pieces(&mut harness)[..] else { panic!("one piece") };
    harness.core.cancel_sending_media_message(harness.now, &attached).expect("accepted");
    let events = harness.events();
    assert!(
        matches!(&events[..], [Event::SendingMediaMessageCanceled { code: ErrorCode::SUCCESS, message }]
            if message.sent_status == SentStatus::Canceled),
        "{events:?}"
    );
    answer_upload(&mut harness, request_id, 65_536, "");
    assert_eq!(harness.events(), []);
    assert!(harness.frames().is_empty(), "nothing more is uploaded");
    let stored = harness.core.store().expect("open").message(1).expect("read").expect("stored");
    assert_eq!(stored.sent_status, SentStatus::Canceled);

    // SEND-13: a second send loses its connection mid-upload and fails with 30002, without a remote URL.
    harness.core.send_media_message(harness.now, &image).expect("accepted");
    harness.events();
    assert_eq!(pieces(&mut harness).len(), 1);
    harness.core.handle_transport_closed(harness.now);
    let failed: Vec<_> = harness
        .events()
        .into_iter()
        .filter_map(|event| match event {
            Event::MediaMessageSent { code, message } => Some((code, message.sent_status, message.message_id)),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [(ErrorCode::NETWORK_UNAVAILABLE, SentStatus::Failed, 2)]);
}

/// Stores a received image from alice, not yet downloaded (message ID 1, UID `U1`), and returns it.
fn stored_received_image(harness: &mut Harness) -> Message {
    let received = Message {
        message_id: 0,
        message_uid: Some("U1".to_owned()),
        direction: MessageDirection::Receive,
        sender_user_id: "alice".to_owned(),
        sent_status: SentStatus::Sent,
        content: MessageContent::Image {
            media: crate::types::Media { local: None, remote: Some(URL.to_owned()) },
            thumbnail_base64_string: String::new(),
            original: false,
        },
        ..harness.core.create_text_message(ConversationType::Private, "alice", None, "x").expect("ok")
    };
    let store = harness.core.database_mut().expect("open");
    let outcomes = store.insert_received(std::slice::from_ref(&received), 1).expect("ok");
    assert_eq!(outcomes.len(), 1);
    Message { message_id: 1, ..received }
}

#[test]
fn a_download_answer_that_brings_nothing_while_bytes_are_missing_fails_it() {
    // DL-6: an empty piece before the last byte would make the download ask for ever; it ends with 34252 instead,
    // and so does an error answer, whatever it carries.
    for (code, data) in [(0, Vec::new()), (ErrorCode::FILE_NOT_EXIST.to_wire(), vec![1, 2, 3])] {
        let mut harness = Harness::connected("bob");
        let received = stored_received_image(&mut harness);
        harness.core.download_media_message(harness.now, &received).expect("accepted");
        let frames = harness.frames();
        let [Body::Request(proto::Request { request_id, body: Some(request::Body::FileDownloadChunk(_)) })] =
            &frames[..]
        else {
            panic!("{frames:?}")
        };
        let data = proto::FileData { data, total_size: 100 };
        let body = Some(response::Body::FileData(data));
        harness.server_sends(Body::Response(proto::Response { request_id: *request_id, code, body }));
        assert!(harness.frames().is_empty(), "no further piece is asked for");
        let events = harness.events();
        assert!(
            matches!(events.as_slice(), [Event::MediaMessageDownloaded { code: ErrorCode::FILE_NOT_EXIST, .. }]),
            "{events:?}"
        );
    }
}

#[test]
fn a_download_writes_the_file_and_stores_its_path() {
    // DL-6: the pieces are appended in order; the file is written under downloads/<uid>/, its path stored, and the
    // received message becomes downloaded.
    let mut harness = Harness::connected("bob");
    let received = stored_received_image(&mut harness);
    harness.core.download_media_message(harness.now, &received).expect("accepted");
    let whole: Vec<u8> = (0..100_000).map(|i| (i % 7) as u8).collect();
    let mut offsets = Vec::new();
    loop {
        let frames = harness.frames();
        let [Body::Request(proto::Request { request_id, body: Some(request::Body::FileDownloadChunk(piece)) })] =
            &frames[..]
        else {
            break;
        };
        offsets.push(piece.offset);
        let start = piece.offset as usize;
        let end = (start + MEDIA_CHUNK_BYTES_MAX).min(whole.len());
        let data = proto::FileData { data: whole[start..end].to_vec(), total_size: whole.len() as u64 };
        harness.server_sends(Body::Response(proto::Response {
            request_id: *request_id,
            code: 0,
            body: Some(response::Body::FileData(data)),
        }));
    }
    assert_eq!(offsets, [0, 65_536]);
    let events = harness.events();
    let progress: Vec<u8> = events
        .iter()
        .filter_map(|event| match event {
            Event::MediaMessageDownloading { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [65, 100]);
    let path = "downloads/U1/a.jpg";
    assert!(
        matches!(events.last(), Some(Event::MediaMessageDownloaded { code: ErrorCode::SUCCESS, message })
            if message.received_status == ReceivedStatus::Downloaded
                && message.content.media().and_then(|media| media.local.as_deref()) == Some(path)),
        "{events:?}"
    );
    assert_eq!(harness.files.get(path), Some(whole));
    let stored = harness.core.store().expect("open").message(1).expect("read").expect("stored");
    assert_eq!(stored.received_status, ReceivedStatus::Downloaded);
    assert_eq!(stored.content.media().and_then(|media| media.local.as_deref()), Some(path));
}

#[test]
fn an_upload_with_every_byte_and_no_url_fails_the_send() {
    // SEND-13: the file service answered every byte without a URL: the send fails with 34011, nothing is published.
    let (mut harness, image) = with_image(10);
    harness.core.send_media_message(harness.now, &image).expect("accepted");
    harness.events();
    let [(request_id, _, _, _)] = pieces(&mut harness)[..] else { panic!("one piece") };
    answer_upload(&mut harness, request_id, 10, "");
    let events = harness.events();
    let sent = events.iter().find_map(|event| match event {
        Event::MediaMessageSent { code, message } => Some((*code, message.sent_status)),
        _ => None,
    });
    assert_eq!(sent, Some((ErrorCode::FILE_UPLOAD_FAILED, SentStatus::Failed)), "{events:?}");
    assert!(harness.frames().iter().all(|body| !matches!(body, Body::Publish(_))), "nothing is published");
}

#[test]
fn a_media_message_sent_is_attached_as_a_new_send_whatever_it_carried() {
    // SEND-9, MSG-7, MSG-10: a media message the app passes may carry a direction and statuses of its own (a
    // literal, a message read back); the send attaches and stores it as the user's new send.
    let (mut harness, image) = with_image(10);
    let carried = Message {
        direction: MessageDirection::Receive,
        received_status: ReceivedStatus::Read,
        sent_status: SentStatus::Failed,
        received_time: 77,
        offline: true,
        sender_user_id: "mallory".into(),
        ..image
    };
    harness.core.send_media_message(harness.now, &carried).expect("accepted");
    let events = harness.events();
    let Some(Event::MediaMessageAttached { message: attached }) = events.first() else { panic!("{events:?}") };
    let fields = (attached.direction, attached.received_status, attached.sent_status, attached.received_time);
    assert_eq!(fields, (MessageDirection::Send, ReceivedStatus::Unread, SentStatus::Sending, 0));
    assert_eq!((attached.offline, attached.sender_user_id.as_str()), (false, "alice"));
    let stored = harness.core.store().expect("open").message(attached.message_id).expect("read").expect("stored");
    assert_eq!(&stored, attached);
}
