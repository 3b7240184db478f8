//! Benchmark 4 of issue 12, the codec: for each kind of frame, a representative frame encoded with its length
//! prefix and read back through the `Deframer`, beside raw prost doing the same with the 4-byte prefix written and
//! read by hand (goal: 90 %). What the codec adds is the size check on both sides, the copy of the bytes into the
//! deframer's buffer (a stream read may end anywhere in a frame) and the check that a frame has a body.
//!
//! The frames are described here once: `imsim bench` measures the round trip of each kind, and the criterion bench
//! `codec_kinds` times encode and decode apart, in nanoseconds.

use std::rc::Rc;

use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::content::encode_content;
use imsim_engine::limits::READ_CHUNK_BYTES;
use imsim_engine::proto::{self, chatroom_notice, frame::Body, request};
use imsim_engine::{ConversationType, MessageContent, Platform};
use prost::Message as _;

use super::{Baseline, Scale, Side, Unit, Workload};

/// Frames of one kind in one iteration: enough that an iteration of the smallest kind lasts well over the clock's
/// resolution.
const FRAMES_PER_ITERATION: usize = 20_000;
const FRAMES_PER_QUICK_ITERATION: usize = 50;

/// One workload per frame kind, in the order of [`frames`].
pub fn workloads(scale: Scale) -> Vec<Workload> {
    let count = match scale {
        Scale::Full => FRAMES_PER_ITERATION,
        Scale::Quick => FRAMES_PER_QUICK_ITERATION,
    };
    frames()
        .into_iter()
        .map(|(kind, frame)| {
            let frame = Rc::new(frame);
            let for_prost = Rc::clone(&frame);
            Workload {
                group: "Codec",
                name: format!("codec/{kind}"),
                description: format!(
                    "{count} `{kind}` frames encoded with their length prefix and decoded through the `Deframer`, \
                     beside raw prost encoding and decoding the same frames with the prefix written and read by hand"
                ),
                unit: Unit::Frames,
                goal: Some(0.9),
                subject: Side::new("imsim codec", move || {
                    let frame = Rc::clone(&frame);
                    Box::new(move || codec_round_trip(&frame, count))
                }),
                baseline: Baseline::Run(Side::new("raw prost", move || {
                    let frame = Rc::clone(&for_prost);
                    Box::new(move || prost_round_trip(&frame, count))
                })),
            }
        })
        .collect()
}

/// Encodes `count` copies of `frame` with the codec, reads them back through one `Deframer` in reads of the size a
/// connection reads (`READ_CHUNK_BYTES`), and returns how many came back.
fn codec_round_trip(frame: &proto::Frame, count: usize) -> u64 {
    let mut wire = Vec::new();
    for _ in 0..count {
        encode_frame(std::hint::black_box(frame), &mut wire).expect("a frame within the limit");
    }
    let mut deframer = Deframer::new();
    let mut decoded = 0;
    for read in wire.chunks(READ_CHUNK_BYTES) {
        deframer.push(read);
        while let Some(frame) = deframer.next_frame().expect("a valid stream") {
            std::hint::black_box(frame);
            decoded += 1;
        }
    }
    decoded
}

/// The same with raw prost and the prefix by hand.
fn prost_round_trip(frame: &proto::Frame, count: usize) -> u64 {
    let mut wire = Vec::new();
    for _ in 0..count {
        prost_encode(std::hint::black_box(frame), &mut wire);
    }
    let mut rest = wire.as_slice();
    let mut decoded = 0;
    while !rest.is_empty() {
        let (frame, read) = prost_decode(rest);
        std::hint::black_box(frame);
        rest = &rest[read..];
        decoded += 1;
    }
    decoded
}

/// Raw prost with the same framing, written by hand: the baseline.
pub fn prost_encode(frame: &proto::Frame, out: &mut Vec<u8>) {
    let length = frame.encoded_len();
    out.reserve(4 + length);
    out.extend_from_slice(&(length as u32).to_be_bytes());
    frame.encode(out).expect("reserved");
}

/// Decodes the frame at the start of `bytes`, and says how many bytes it took.
pub fn prost_decode(bytes: &[u8]) -> (proto::Frame, usize) {
    let length = u32::from_be_bytes(bytes[..4].try_into().expect("a header")) as usize;
    (proto::Frame::decode(&bytes[4..4 + length]).expect("valid"), 4 + length)
}

fn delivered(seq: u64) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq,
        message_uid: format!("UID-{seq:012}"),
        conversation_type: ConversationType::Private.ordinal(),
        target_id: "bob".into(),
        sender_user_id: "bob".into(),
        sent_time: 1_724_976_000_000 + seq as i64,
        content: Some(encode_content(&MessageContent::Text { text: format!("message number {seq}") })),
        ..Default::default()
    }
}

/// One representative frame of each kind of imsim.proto, by name.
pub fn frames() -> Vec<(&'static str, proto::Frame)> {
    let bodies = vec![
        (
            "connect",
            Body::Connect(proto::ConnectRequest {
                token: "v1.".to_owned() + &"a1b2c3d4".repeat(14),
                app_key: "imsim-app".into(),
                platform: Platform::Mobile.ordinal() as i32,
                device_id: "device-0001".into(),
                inbox_cursor: 12_345,
                reconnect: true,
                kick_reconnect_device: false,
            }),
        ),
        ("connect_ack", Body::ConnectAck(proto::ConnectAck { code: 0, user_id: "alice".into(), server_time: 1 })),
        (
            "publish",
            Body::Publish(proto::Publish {
                client_message_id: "00000000deadbeef-2a".into(),
                conversation_type: ConversationType::Private.ordinal(),
                target_id: "bob".into(),
                content: Some(encode_content(&MessageContent::Text { text: "hello, ".repeat(15) })),
                ..Default::default()
            }),
        ),
        (
            "publish_ack",
            Body::PublishAck(proto::PublishAck {
                client_message_id: "00000000deadbeef-2a".into(),
                code: 0,
                message_uid: "0000-0000-0000-002a".into(),
                sent_time: 1_724_976_000_042,
            }),
        ),
        (
            "inbox_package_200",
            Body::InboxPackage(proto::InboxPackage { messages: (1..=200).map(delivered).collect(), has_package: true }),
        ),
        ("inbox_delivery", Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(7)) })),
        ("inbox_ack", Body::InboxAck(proto::InboxAck { cursor: 12_345 })),
        ("ping", Body::Ping(proto::Ping { nonce: 99 })),
        ("pong", Body::Pong(proto::Pong { nonce: 99 })),
        ("logout", Body::Logout(proto::Logout { receive_push: true })),
        (
            "session_closed",
            Body::SessionClosed(proto::SessionClosed { code: 31010, reason: "kicked by another device".into() }),
        ),
        (
            "request",
            Body::Request(proto::Request {
                request_id: 5,
                body: Some(request::Body::ChatroomJoin(proto::ChatroomJoin {
                    room_id: "room-1".into(),
                    fetch_count: 10,
                    auto_create: true,
                    ..Default::default()
                })),
            }),
        ),
        ("response", Body::Response(proto::Response { request_id: 5, code: 0, ..Default::default() })),
        ("chatroom_delivery", Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(delivered(8)) })),
        (
            "chatroom_notice",
            Body::ChatroomNotice(proto::ChatroomNotice {
                room_id: "room-1".into(),
                body: Some(chatroom_notice::Body::Destroyed(proto::ChatroomDestroyed { status: 2 })),
            }),
        ),
    ];
    bodies.into_iter().map(|(name, body)| (name, proto::Frame { body: Some(body) })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_round_trip_every_frame_kind_to_the_same_frames() {
        let kinds = frames();
        assert_eq!(kinds.len(), 15);
        for (kind, frame) in &kinds {
            assert_eq!(codec_round_trip(frame, 3), 3, "{kind}");
            assert_eq!(prost_round_trip(frame, 3), 3, "{kind}");
            let mut wire = Vec::new();
            encode_frame(frame, &mut wire).expect("fits");
            let mut by_hand = Vec::new();
            prost_encode(frame, &mut by_hand);
            assert_eq!(wire, by_hand, "{kind}: the same bytes on the wire");
            assert_eq!(&prost_decode(&by_hand).0, frame, "{kind}");
        }
    }
}
