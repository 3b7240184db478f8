//! Throughput of the wire codec and of the engine's receive path, measured on the sans-I/O pieces so the numbers
//! do not depend on a network or a runtime.
//!
//! - `codec/encode_package_200` and `codec/decode_package_200`: one full offline package (RECV-3) of short texts.
//! - `core/receive_package_200/{memory,sqlite}`: the core persisting and reporting one package, against the
//!   in-memory store (the baseline) and the SQLite store, both measured in the same process so their ratio is
//!   what to read.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::content::encode_content;
use imsim_engine::core::{Core, CoreConfig, Now, StoreOpener, TransportAction};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::store::{MemoryStore, SqliteStore, Store, StoreError};
use imsim_engine::token::TokenClaims;
use imsim_engine::{ConversationType, MessageContent, Platform};
use std::hint::black_box;

const PACKAGE_MESSAGES: u64 = 200;

fn package(first_seq: u64) -> proto::Frame {
    let messages = (first_seq..first_seq + PACKAGE_MESSAGES)
        .map(|seq| proto::DeliveredMessage {
            seq,
            message_uid: format!("UID-{seq:012}"),
            conversation_type: ConversationType::Private.ordinal(),
            target_id: "bob".into(),
            channel_id: String::new(),
            sender_user_id: "bob".into(),
            sent_time: 1_724_976_000_000 + seq as i64,
            content: Some(encode_content(&MessageContent::Text { text: format!("message number {seq}") })),
            ..Default::default()
        })
        .collect();
    proto::Frame { body: Some(Body::InboxPackage(proto::InboxPackage { messages, has_package: false })) }
}

fn encoded(frame: &proto::Frame) -> Vec<u8> {
    let mut bytes = Vec::new();
    encode_frame(frame, &mut bytes).expect("a package fits in a frame");
    bytes
}

fn codec(c: &mut Criterion) {
    let frame = package(1);
    let bytes = encoded(&frame);
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(PACKAGE_MESSAGES));
    group.bench_function("encode_package_200", |b| {
        let mut out = Vec::with_capacity(bytes.len());
        b.iter(|| {
            out.clear();
            encode_frame(black_box(&frame), &mut out).expect("fits");
        })
    });
    group.bench_function("decode_package_200", |b| {
        b.iter(|| {
            let mut deframer = Deframer::new();
            deframer.push(black_box(&bytes));
            deframer.next_frame().expect("valid").expect("whole")
        })
    });
    group.finish();
}

#[derive(Clone, Copy)]
enum Backend {
    Memory,
    Sqlite,
}

impl StoreOpener for Backend {
    fn open(&mut self, _app_key: &str, _user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        match self {
            Backend::Memory => Ok(Box::new(MemoryStore::new())),
            Backend::Sqlite => Ok(Box::new(SqliteStore::open_in_memory()?)),
        }
    }
}

/// A core connected as alice, ready to receive.
fn connected_core(backend: Backend) -> (Core, Now) {
    let config = CoreConfig {
        app_key: "app".into(),
        platform: Platform::Mobile,
        device_id: "d".into(),
        kick_reconnect_device: false,
        heartbeat_interval_ms: 30_000,
        heartbeat_timeout_ms: 10_000,
        file_server: imsim_engine::limits::MEDIA_FILE_SERVER_DEFAULT.to_owned(),
    };
    let mut core = Core::new(config, Box::new(backend), Box::new(imsim_engine::files::MemoryFiles::default()), 1);
    let now = Now { monotonic_ms: 0, unix_ms: 1_724_976_000_000 };
    let token = TokenClaims { app_key: "app".into(), user_id: "alice".into(), issued_at_ms: 0, expires_at_ms: None }
        .to_token(&[1]);
    core.connect(now, &token, 0).expect("valid");
    core.handle_transport_opened(now);
    let ack = proto::Frame {
        body: Some(Body::ConnectAck(proto::ConnectAck { code: 0, user_id: "alice".into(), server_time: 0 })),
    };
    core.handle_bytes(now, &encoded(&ack));
    drain(&mut core);
    (core, now)
}

fn drain(core: &mut Core) -> usize {
    let mut outputs = 0;
    while let Some(action) = core.poll_transport() {
        outputs += usize::from(matches!(action, TransportAction::Send(_)));
    }
    while core.poll_event().is_some() {
        outputs += 1;
    }
    outputs
}

fn receive(c: &mut Criterion) {
    let bytes = encoded(&package(1));
    let mut group = c.benchmark_group("core/receive_package_200");
    group.throughput(Throughput::Elements(PACKAGE_MESSAGES));
    for (name, backend) in [("memory", Backend::Memory), ("sqlite", Backend::Sqlite)] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || connected_core(backend),
                |(mut core, now)| {
                    core.handle_bytes(now, black_box(&bytes));
                    drain(&mut core)
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, codec, receive);
criterion_main!(benches);
