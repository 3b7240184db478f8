//! Sending at scale (issue 9): the cost of a message must not grow with the number of messages in flight.
//!
//! - `send/end_to_end/N`: one device sends N private texts to another through the simulated network and the fake
//!   server, with the App Key's rate limit raised, until the recipient has stored all N (the scenario runner, as a
//!   user runs it). Throughput is messages per wall second; the figures for 10,000, 40,000 and 100,000 messages
//!   must stay within 1.5x of each other (linear total cost).
//! - `send/core_input/N`: the sans-I/O core alone, one `send_message` and the acknowledgement of it, each followed by
//!   the `poll_timeout` the driver asks for, with N other publishes in flight (unacknowledged), for N = 1,000 and
//!   100,000: the per-input cost, whose ratio shows O(log n) directly.
//!
//! Before the timings, the bench prints the heap the core holds per publish in flight, measured with a counting
//! allocator (`stats_alloc`) around N sends that are never acknowledged.

use std::alloc::System;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::core::{Core, CoreConfig, Now, StoreOpener, TransportAction};
use imsim_engine::limits::{HEARTBEAT_INTERVAL_MS_DEFAULT, HEARTBEAT_TIMEOUT_MS_DEFAULT};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::store::{MemoryStore, Store, StoreError};
use imsim_engine::token::TokenClaims;
use imsim_engine::{ConversationType, Platform};
use imsim_sim::runner::run_scenario;
use imsim_sim::scenario::parse_scenario;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const END_TO_END_COUNTS: [u32; 3] = [10_000, 40_000, 100_000];
const IN_FLIGHT_COUNTS: [usize; 2] = [1_000, 100_000];
const APP_KEY: &str = "bench-app";

/// The scenario: two connected devices, N messages from one to the other, done when the recipient stores them all.
fn bulk_send_scenario(count: u32) -> String {
    format!(
        "name: bulk send of {count}\nrules: [SEND-4]\nseed: 1\nsettings:\n  app: {{ send_rate_limit: 1000000 }}\n\
         devices:\n  a: {{ user: zhangsan }}\n  b: {{ user: lisi }}\nsteps:\n  - connect: a\n  - connect: b\n  \
         - expect: {{ device: a, status: connected }}\n  - expect: {{ device: b, status: connected }}\n  \
         - send: {{ device: a, to: lisi, text: \"m{{n}}\", count: {count} }}\n  \
         - expect: {{ device: b, stored: {{ target: zhangsan, count: {count} }}, within: 1h }}\n"
    )
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("send/end_to_end");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    for count in END_TO_END_COUNTS {
        let scenario = parse_scenario(Path::new("bench.yaml"), &bulk_send_scenario(count)).expect("a valid scenario");
        group.throughput(Throughput::Elements(u64::from(count)));
        group.measurement_time(Duration::from_secs(u64::from(count) / 300));
        group.bench_function(count.to_string(), |b| {
            b.iter(|| {
                let report = run_scenario(&scenario, None);
                assert!(report.passed(), "the bulk send failed: {:?}", report.failure);
                black_box(report.simulated)
            })
        });
    }
    group.finish();
}

struct MemoryOpener;

impl StoreOpener for MemoryOpener {
    fn open(&mut self, _app_key: &str, _user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(MemoryStore::new()))
    }
}

/// A core connected as `zhangsan`, the server played by hand.
fn connected_core() -> (Core, Now) {
    let config = CoreConfig {
        app_key: APP_KEY.to_owned(),
        platform: Platform::Mobile,
        device_id: "bench".to_owned(),
        kick_reconnect_device: false,
        heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS_DEFAULT,
        heartbeat_timeout_ms: HEARTBEAT_TIMEOUT_MS_DEFAULT,
        file_server: imsim_engine::limits::MEDIA_FILE_SERVER_DEFAULT.to_owned(),
    };
    let mut core = Core::new(config, Box::new(MemoryOpener), Box::new(imsim_engine::files::MemoryFiles::default()), 1);
    let now = Now { monotonic_ms: 0, unix_ms: 1_724_976_000_000 };
    let claims = TokenClaims {
        app_key: APP_KEY.to_owned(),
        user_id: "zhangsan".to_owned(),
        issued_at_ms: 1,
        expires_at_ms: None,
    };
    core.connect(now, &claims.to_token(b"secret"), 0).expect("connect is accepted");
    core.handle_transport_opened(now);
    let ack = proto::ConnectAck { code: 0, user_id: "zhangsan".to_owned(), server_time: 0 };
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(Body::ConnectAck(ack)) }, &mut bytes).expect("a small frame");
    core.handle_bytes(now, &bytes);
    drain(&mut core);
    (core, now)
}

/// Drops everything the core queued for the app; returns the client message ID of the publishes it sent.
fn drain(core: &mut Core) -> Vec<String> {
    let mut sent = Deframer::new();
    while let Some(action) = core.poll_transport() {
        if let TransportAction::Send(bytes) = action {
            sent.push(&bytes);
        }
    }
    while core.poll_event().is_some() {}
    let mut published = Vec::new();
    while let Ok(Some(frame)) = sent.next_frame() {
        if let Some(Body::Publish(publish)) = frame.body {
            published.push(publish.client_message_id);
        }
    }
    published
}

/// One send, as the driver makes it: create, send, drain, ask for the next deadline. Returns the publish's client
/// message ID.
fn send_one(core: &mut Core, now: Now, n: usize) -> String {
    let message = core
        .create_text_message(ConversationType::Private, "lisi", None, &format!("message {n}"))
        .expect("a valid message");
    core.send_message(now, &message).expect("the send is accepted");
    let published = drain(core);
    black_box(core.poll_timeout());
    published.into_iter().next().expect("the send was published")
}

/// The server's acknowledgement of `client_message_id`, as the driver hands it over, then the next deadline.
fn acknowledge(core: &mut Core, now: Now, client_message_id: String, n: usize) {
    let ack = proto::PublishAck { client_message_id, code: 0, message_uid: format!("uid-{n}"), sent_time: now.unix_ms };
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(Body::PublishAck(ack)) }, &mut bytes).expect("a small frame");
    core.handle_bytes(now, &bytes);
    drain(core);
    black_box(core.poll_timeout());
}

/// A connected core with `count` publishes in flight, each sent at its own millisecond.
fn core_with_in_flight(count: usize) -> (Core, Now) {
    let (mut core, mut now) = connected_core();
    for n in 0..count {
        now.monotonic_ms += 1;
        now.unix_ms += 1;
        send_one(&mut core, now, n);
    }
    (core, now)
}

fn core_input(c: &mut Criterion) {
    print_memory_per_publish_in_flight();
    let mut group = c.benchmark_group("send/core_input");
    for count in IN_FLIGHT_COUNTS {
        // Each iteration sends one message and acknowledges it, so `count` stay in flight throughout.
        let (mut core, now) = core_with_in_flight(count);
        let mut n = count;
        group.throughput(Throughput::Elements(1));
        group.bench_function(count.to_string(), |b| {
            b.iter(|| {
                n += 1;
                let client_message_id = send_one(&mut core, now, n);
                acknowledge(&mut core, now, client_message_id, n);
            })
        });
    }
    group.finish();
}

/// The heap the core holds per unacknowledged publish: the attached message, its encoded frame (kept for a
/// re-send after a reconnect) and its place in the deadline index, plus what the memory store keeps of it.
fn print_memory_per_publish_in_flight() {
    let (mut core, mut now) = connected_core();
    let region = Region::new(GLOBAL);
    const COUNT: usize = 10_000;
    for n in 0..COUNT {
        now.monotonic_ms += 1;
        now.unix_ms += 1;
        send_one(&mut core, now, n);
    }
    let change = region.change();
    let held = change.bytes_allocated.saturating_sub(change.bytes_deallocated) as f64 / COUNT as f64;
    println!("send/memory: {held:.0} bytes of heap per publish in flight (core and memory store, {COUNT} in flight)");
    black_box(&core);
}

criterion_group!(benches, core_input, end_to_end);
criterion_main!(benches);
