//! The wire codec against raw prost, frame kind by frame kind (issue 12, benchmark 4: at least 90 % of raw prost).
//!
//! For each kind of frame, a representative frame is encoded and decoded by imsim's codec (`encode_frame`, the
//! `Deframer`) and by raw prost on the same message with the same 4-byte length prefix written and read by hand,
//! in the same process: `codec_vs_prost/<kind>/{imsim,prost}_{encode,decode}`. The ratio of each pair is what to read
//! (what the codec adds: the size check, the copy into the deframer's buffer and its error handling). The deframer
//! is kept across iterations, as a connection keeps it.

use criterion::{Criterion, criterion_group, criterion_main};
use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::content::encode_content;
use imsim_engine::proto::{self, chatroom_notice, frame::Body, request};
use imsim_engine::{ConversationType, MessageContent, Platform};
use prost::Message as _;
use std::hint::black_box;

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

/// One representative frame of each kind, by name.
fn frames() -> Vec<(&'static str, proto::Frame)> {
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

/// Raw prost with the same framing, written by hand: the baseline.
fn prost_encode(frame: &proto::Frame, out: &mut Vec<u8>) {
    let length = frame.encoded_len();
    out.reserve(4 + length);
    out.extend_from_slice(&(length as u32).to_be_bytes());
    frame.encode(out).expect("reserved");
}

fn prost_decode(bytes: &[u8]) -> proto::Frame {
    let length = u32::from_be_bytes(bytes[..4].try_into().expect("a header")) as usize;
    proto::Frame::decode(&bytes[4..4 + length]).expect("valid")
}

fn codec_vs_prost(c: &mut Criterion) {
    for (kind, frame) in frames() {
        let mut bytes = Vec::new();
        encode_frame(&frame, &mut bytes).expect("fits");
        let mut group = c.benchmark_group(format!("codec_vs_prost/{kind}"));
        let mut out = Vec::with_capacity(bytes.len());
        group.bench_function("imsim_encode", |b| {
            b.iter(|| {
                out.clear();
                encode_frame(black_box(&frame), &mut out).expect("fits");
            })
        });
        group.bench_function("prost_encode", |b| {
            b.iter(|| {
                out.clear();
                prost_encode(black_box(&frame), &mut out);
            })
        });
        // One deframer for the whole run, as a connection keeps one: its buffer's capacity is reused.
        let mut deframer = Deframer::new();
        group.bench_function("imsim_decode", |b| {
            b.iter(|| {
                deframer.push(black_box(&bytes));
                deframer.next_frame().expect("valid").expect("whole")
            })
        });
        group.bench_function("prost_decode", |b| b.iter(|| prost_decode(black_box(&bytes))));
        group.finish();
    }
}

criterion_group!(benches, codec_vs_prost);
criterion_main!(benches);
