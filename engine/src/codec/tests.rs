//! Codec tests: every frame type round-trips through the framing in any split of the byte stream, and no input,
//! however broken, makes the deframer panic or accept more than the limit.

use proptest::prelude::*;

use super::*;
use crate::proto::{self, frame::Body};

/// One frame of every body type, with every field set to something other than its default.
fn one_of_each_frame() -> Vec<Frame> {
    let content = proto::MessageContent { object_name: "RC:TxtMsg".into(), payload: vec![1, 2, 3] };
    let delivered = proto::DeliveredMessage {
        client_message_id: String::new(),
        seq: 9,
        message_uid: "UID".into(),
        conversation_type: 1,
        target_id: "bob".into(),
        channel_id: "ch".into(),
        sender_user_id: "bob".into(),
        sent_time: 1_700_000_000_000,
        content: Some(content.clone()),
        extra: "x".into(),
        status_message: true,
        retrieved: true,
        directed_user_ids: vec!["carol".into()],
        mentioned_info: Some(proto::MentionedInfo {
            mentioned_type: 1,
            user_ids: vec!["carol".into()],
            mentioned_content: "@carol".into(),
        }),
        user_info: Some(proto::UserInfo {
            user_id: "bob".into(),
            name: "Bob".into(),
            portrait: "p".into(),
            alias: "b".into(),
            extra: "x".into(),
        }),
        expansion: Some(proto::Expansion { entries: [("k".to_owned(), "v".to_owned())].into() }),
        not_stored: true,
        not_counted: true,
    };
    let bodies = vec![
        Body::Connect(proto::ConnectRequest {
            token: "t".into(),
            app_key: "k".into(),
            platform: proto::Platform::Web as i32,
            device_id: "d".into(),
            inbox_cursor: 7,
            reconnect: true,
            kick_reconnect_device: true,
        }),
        Body::Publish(proto::Publish {
            client_message_id: "c1".into(),
            conversation_type: 1,
            target_id: "bob".into(),
            channel_id: "ch".into(),
            content: Some(content),
            extra: "e".into(),
            directed_user_ids: vec!["carol".into(), "dave".into()],
            status_message: true,
            mentioned_info: Some(proto::MentionedInfo {
                mentioned_type: 1,
                user_ids: vec!["carol".into()],
                mentioned_content: "@carol".into(),
            }),
            only_if_accepted: true,
            user_info: Some(proto::UserInfo { user_id: "alice".into(), ..Default::default() }),
            expansion: Some(proto::Expansion::default()),
            not_stored: true,
            not_counted: true,
        }),
        Body::InboxAck(proto::InboxAck { cursor: 3 }),
        Body::Logout(proto::Logout { receive_push: true }),
        Body::Ping(proto::Ping { nonce: 5 }),
        Body::ConnectAck(proto::ConnectAck { code: 31004, user_id: "u".into(), server_time: 4 }),
        Body::PublishAck(proto::PublishAck {
            client_message_id: "c1".into(),
            code: 20604,
            message_uid: "UID".into(),
            sent_time: 8,
        }),
        Body::InboxPackage(proto::InboxPackage {
            messages: vec![delivered.clone(), delivered.clone()],
            has_package: true,
        }),
        Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered) }),
        Body::Pong(proto::Pong { nonce: 5 }),
        Body::SessionClosed(proto::SessionClosed { code: 31010, reason: "kicked".into() }),
        Body::Request(proto::Request {
            request_id: 3,
            body: Some(proto::request::Body::BlacklistAdd(proto::BlacklistAdd { user_id: "eve".into() })),
        }),
        Body::Response(proto::Response {
            request_id: 3,
            code: 405,
            body: Some(proto::response::Body::Blacklist(proto::Blacklist { user_ids: vec!["eve".into()] })),
        }),
    ];
    bodies.into_iter().map(|body| Frame { body: Some(body) }).collect()
}

#[test]
fn every_frame_type_round_trips() {
    let frames = one_of_each_frame();
    assert_eq!(frames.len(), 13, "one frame per body type of imsim.proto");
    let mut wire = Vec::new();
    for frame in &frames {
        encode_frame(frame, &mut wire).expect("small frames encode");
    }
    let mut deframer = Deframer::new();
    deframer.push(&wire);
    let decoded: Vec<Frame> = std::iter::from_fn(|| deframer.next_frame().expect("valid stream")).collect();
    assert_eq!(decoded, frames);
    assert_eq!(deframer.buffered_bytes(), 0);
}

#[test]
fn a_long_stream_read_across_frame_boundaries_keeps_the_buffer_small() {
    let frames = one_of_each_frame();
    let mut wire = Vec::new();
    for frame in &frames {
        encode_frame(frame, &mut wire).expect("small frames encode");
    }
    let largest_frame = frames.iter().map(framed_len).max().expect("frames");
    // Reads of a frame and a half never end on a boundary, so the consumed prefix is never dropped by emptying.
    let read_bytes = largest_frame * 3 / 2;
    let stream: Vec<u8> = wire.iter().copied().cycle().take(wire.len() * 200).collect();
    let mut deframer = Deframer::new();
    let mut decoded = 0;
    for read in stream.chunks(read_bytes) {
        deframer.push(read);
        while deframer.next_frame().expect("valid stream").is_some() {
            decoded += 1;
        }
        assert!(
            deframer.buffer.len() <= 2 * (read_bytes + largest_frame),
            "the consumed prefix is dropped: {} bytes held",
            deframer.buffer.len()
        );
    }
    assert_eq!(decoded, frames.len() * 200);
}

#[test]
fn an_oversized_length_prefix_is_refused_before_buffering_the_body() {
    let mut deframer = Deframer::new();
    deframer.push(&(FRAME_SIZE_BYTES_MAX + 1).to_be_bytes());
    let error = deframer.next_frame().unwrap_err();
    assert_eq!(error, FrameError::TooLarge { announced_bytes: FRAME_SIZE_BYTES_MAX + 1 });
    assert_eq!(error.code(), ErrorCode::PROTOCOL_FRAME_TOO_LARGE);
    deframer.push(&[0; 64]);
    assert_eq!(deframer.next_frame().unwrap_err(), error, "a broken stream stays broken");
    assert_eq!(deframer.buffered_bytes(), 0);
}

#[test]
fn a_frame_at_the_limit_is_accepted_and_one_past_it_is_not_encoded() {
    let payload_at = |len: usize| Frame {
        body: Some(Body::Publish(proto::Publish {
            content: Some(proto::MessageContent { object_name: String::new(), payload: vec![0; len] }),
            ..Default::default()
        })),
    };
    // Find the payload length whose frame body is exactly the limit.
    let overhead = payload_at(0).encoded_len();
    let mut len = FRAME_SIZE_BYTES_MAX as usize - overhead;
    while payload_at(len).encoded_len() > FRAME_SIZE_BYTES_MAX as usize {
        len -= 1;
    }
    let at_limit = payload_at(len);
    let mut wire = Vec::new();
    encode_frame(&at_limit, &mut wire).expect("a frame at the limit encodes");
    let mut deframer = Deframer::new();
    deframer.push(&wire);
    assert_eq!(deframer.next_frame().expect("decodes"), Some(at_limit));

    let mut untouched = vec![1, 2, 3];
    let too_large = payload_at(len + 8);
    assert!(matches!(encode_frame(&too_large, &mut untouched), Err(FrameError::TooLarge { .. })));
    assert_eq!(untouched, [1, 2, 3], "a refused frame writes nothing");
}

#[test]
fn a_frame_without_a_body_is_malformed() {
    let mut deframer = Deframer::new();
    deframer.push(&0_u32.to_be_bytes());
    let error = deframer.next_frame().unwrap_err();
    assert!(matches!(error, FrameError::Malformed(_)));
    assert_eq!(error.code(), ErrorCode::PROTOCOL_MALFORMED_FRAME);
}

proptest! {
    // Fixed cases, the same in every run (PROPTEST_RNG_SEED draws others), and no failure file in the tree.
    #![proptest_config(ProptestConfig {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1a51),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn frames_round_trip_in_any_split(splits in proptest::collection::vec(1_usize..64, 1..40)) {
        let frames = one_of_each_frame();
        let mut wire = Vec::new();
        for frame in &frames {
            encode_frame(frame, &mut wire).expect("small frames encode");
        }
        let mut deframer = Deframer::new();
        let mut decoded = Vec::new();
        let mut offset = 0;
        for split in splits.iter().cycle() {
            if offset >= wire.len() {
                break;
            }
            let end = (offset + split).min(wire.len());
            deframer.push(&wire[offset..end]);
            offset = end;
            while let Some(frame) = deframer.next_frame().expect("valid stream") {
                decoded.push(frame);
            }
        }
        prop_assert_eq!(decoded, frames);
    }

    #[test]
    fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8)) {
        let mut deframer = Deframer::new();
        for chunk in &chunks {
            deframer.push(chunk);
            while let Ok(Some(frame)) = deframer.next_frame() {
                // Whatever decodes re-encodes to a frame that decodes to the same message.
                let mut wire = Vec::new();
                encode_frame(&frame, &mut wire).expect("a decoded frame is within the limit");
                let mut again = Deframer::new();
                again.push(&wire);
                prop_assert_eq!(again.next_frame().expect("re-decodes"), Some(frame));
            }
            prop_assert!(deframer.buffered_bytes() <= FRAME_HEADER_BYTES + FRAME_SIZE_BYTES_MAX as usize);
        }
    }

    #[test]
    fn arbitrary_bodies_behind_a_valid_prefix_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut deframer = Deframer::new();
        deframer.push(&(body.len() as u32).to_be_bytes());
        deframer.push(&body);
        let _ = deframer.next_frame();
    }
}
