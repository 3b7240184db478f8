//! Throughput of the fake server's fan-out, on the sans-I/O `Server` so the numbers do not depend on a network:
//! one member publishes a batch of messages to 100 online members, and every delivery frame is drained.
//!
//! - `fanout/group_100` is the baseline: each message goes into every member's inbox (numbered, kept for
//!   offline delivery, GRP and OFFLINE rules) and out to their connection.
//! - `fanout/chatroom_100`: each message is kept once in the room's history and pushed to every joined connection,
//!   with no inbox at all (CR-22), after the load-shedding window and the eviction check (BIZ-13, CR-16).
//!
//! Both run in the same process; their ratio is what to read. Throughput counts deliveries (messages × members).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use imsim_engine::content::encode_content;
use imsim_engine::proto::{self, frame::Body, request};
use imsim_engine::{ConversationType, MessageContent, Platform};
use imsim_sim::server::{ConnId, Server, ServerConfig};
use std::hint::black_box;

const APP: &str = "bench-app";
const MEMBERS: u64 = 100;
const MESSAGES_PER_BATCH: u64 = 200;
const NOW_MS: i64 = 1_724_976_000_000;
const TARGET: &str = "target-1";

fn frame(body: Body) -> proto::Frame {
    proto::Frame { body: Some(body) }
}

/// A server with `MEMBERS` users online, each on their own connection (numbered from 1), the last one being the
/// sender. With `chatroom`, every user has joined room `TARGET`; otherwise they are the members of group `TARGET`.
fn server_with_members(chatroom: bool) -> Server {
    let mut server = Server::new(ServerConfig { client_send_rate: None, ..ServerConfig::default() });
    server.create_app(APP, "secret");
    let mut config = server.app_config(APP).expect("created").clone();
    config.chatroom_messages_per_second = u32::MAX;
    server.set_app_config(APP, config).expect("valid");
    let users: Vec<String> = (1..=MEMBERS).map(|n| format!("user-{n}")).collect();
    if chatroom {
        server.create_chatroom(APP, TARGET, NOW_MS).expect("created");
    } else {
        let ids: Vec<&str> = users.iter().map(String::as_str).collect();
        server.create_group(APP, TARGET, "bench", &ids).expect("created");
    }
    for (index, user) in users.iter().enumerate() {
        let conn = ConnId(index as u64 + 1);
        let token = server.register_user(APP, user, NOW_MS).expect("registered");
        server.handle_connection_opened(conn, NOW_MS);
        let connect = proto::ConnectRequest {
            token,
            app_key: APP.into(),
            platform: Platform::Mobile.ordinal() as i32,
            device_id: format!("device-{index}"),
            ..Default::default()
        };
        server.handle_frame(conn, frame(Body::Connect(connect)), NOW_MS);
        if chatroom {
            let join = proto::ChatroomJoin { room_id: TARGET.into(), ..Default::default() };
            let request = proto::Request { request_id: 1, body: Some(request::Body::ChatroomJoin(join)) };
            server.handle_frame(conn, frame(Body::Request(request)), NOW_MS);
        }
    }
    while server.poll_output().is_some() {}
    server
}

/// Publishes `MESSAGES_PER_BATCH` texts from the last member and drains every output; returns how many there were.
fn publish_batch(server: &mut Server, conversation_type: ConversationType, batch: u64) -> usize {
    let sender = ConnId(MEMBERS);
    let mut outputs = 0;
    for n in 0..MESSAGES_PER_BATCH {
        let publish = proto::Publish {
            client_message_id: format!("{batch}-{n}"),
            conversation_type: conversation_type.ordinal(),
            target_id: TARGET.into(),
            content: Some(encode_content(&MessageContent::Text { text: format!("message {n}") })),
            ..Default::default()
        };
        server.handle_frame(sender, frame(Body::Publish(publish)), NOW_MS + n as i64);
        while let Some(output) = server.poll_output() {
            black_box(output);
            outputs += 1;
        }
    }
    outputs
}

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements(MESSAGES_PER_BATCH * (MEMBERS - 1)));
    for (name, conversation_type) in
        [("group_100", ConversationType::Group), ("chatroom_100", ConversationType::Chatroom)]
    {
        let chatroom = conversation_type == ConversationType::Chatroom;
        // Every delivery and the sender's acknowledgement come out: the bench measures what it claims to.
        let outputs = publish_batch(&mut server_with_members(chatroom), conversation_type, 0);
        assert_eq!(outputs as u64, MESSAGES_PER_BATCH * MEMBERS, "{name}: one ack and 99 deliveries per message");
        group.bench_function(name, |b| {
            b.iter_batched(
                || server_with_members(chatroom),
                |mut server| publish_batch(&mut server, conversation_type, 1),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
