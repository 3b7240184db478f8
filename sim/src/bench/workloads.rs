//! The workloads, in the order `imsim bench` measures them (issue 12's benchmarks 1 to 6; the codec's, benchmark 4,
//! has its own module, [`super::codec`], with its frames).
//!
//! - **End to end** (`end_to_end/N`, N = 2, 10, 20): N devices each send private texts to the next one through the
//!   simulated network and the fake server until every recipient has stored them all (the scenario runner, as a
//!   user runs it), beside a bare turmoil echo of the same frames between the same number of hosts with the same
//!   network settings. Goal: 50 %.
//! - **Store ingestion** (`store_ingestion`): 10,000 received messages stored in packages of 200 by the engine's
//!   SQLite store, beside raw rusqlite inserting the same rows with the same schema (the store's own migrations) and
//!   the same transaction size. Goal: 70 %.
//! - **Offline catch-up** (`offline_catch_up`): the engine's core, on the same store, handed the same 10,000
//!   messages as 50 inbox packages of 200 off the wire (decoded, stored, acknowledged, reported), against store
//!   ingestion's rate. Goal: 50 %.
//! - **Time compression** (`idle_chatroom_hour`, `offline_expiry_week`): simulated seconds per wall second of the
//!   scenarios that let an idle chatroom be destroyed after an hour and offline messages expire after seven days,
//!   at the default 1 ms tick. Goals: 3,600 and 100,000.
//! - **Chatroom fan-out** (`chatroom_fan_out/N`, N = 10, 20): one member sends to a room of N member devices until
//!   every other member has stored every message, beside the same through a group of the same members.
//! - **Codec** (`codec/KIND`, one per frame kind): the round trip of a frame through the codec beside raw prost.
//!   Goal: 90 % ([`super::codec`]).

use std::path::{Path, PathBuf};
use std::rc::Rc;

use imsim_engine::codec::encode_frame;
use imsim_engine::content::encode_content;
use imsim_engine::core::{Core, CoreConfig, Now, StoreOpener, TransportAction};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::store::{INSERT_MESSAGE_SQL, SqliteStore, Store, StoreError, Sync, schema_sql};
use imsim_engine::token::TokenClaims;
use imsim_engine::types::fold_for_search;
use imsim_engine::{ConversationType, Message, MessageContent, MessageDirection, Platform, ReceivedStatus, SentStatus};
use rusqlite::{Connection, params};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{Baseline, Scale, Side, Unit, Workload};
use crate::net::{NetworkSettings, SERVER_HOST, SERVER_PORT, sim_builder};
use crate::runner::run_scenario;
use crate::scenario::{Scenario, parse_scenario};

/// The device counts of the end-to-end workload.
pub const END_TO_END_DEVICES: [usize; 3] = [2, 10, 20];
/// The room sizes of the fan-out workload.
pub const FAN_OUT_MEMBERS: [usize; 2] = [10, 20];
/// Messages in the offline catch-up and ingestion workloads, and the package size (OFFLINE-3: 200 a package).
pub const CATCH_UP_MESSAGES: usize = 10_000;
pub const PACKAGE_SIZE: usize = 200;

const APP_KEY: &str = "bench-app";
const SCENARIO_EPOCH_MS: i64 = 1_724_976_000_000;

/// Every workload at `scale`, in the order they are measured.
pub fn all(scale: Scale) -> Vec<Workload> {
    let mut workloads = Vec::new();
    for devices in END_TO_END_DEVICES {
        workloads.push(end_to_end(devices, scale));
    }
    workloads.push(store_ingestion(scale));
    workloads.push(offline_catch_up(scale));
    workloads.push(time_compression(
        "idle_chatroom_hour",
        "an idle chatroom destroyed after an hour (scenarios/chatrooms/auto-destruction-after-an-hour.yaml)",
        include_str!("../../../scenarios/chatrooms/auto-destruction-after-an-hour.yaml"),
        3_600.0,
    ));
    workloads.push(time_compression(
        "offline_expiry_week",
        "seven days of offline expiry (scenarios/delivery/offline-messages-expire.yaml)",
        include_str!("../../../scenarios/delivery/offline-messages-expire.yaml"),
        100_000.0,
    ));
    for members in FAN_OUT_MEMBERS {
        workloads.push(fan_out(members, scale));
    }
    workloads.extend(super::store_queries::workloads(scale));
    workloads.extend(super::conversation_queries::workloads(scale));
    workloads.extend(super::codec::workloads(scale));
    workloads
}

fn parsed(name: &str, yaml: &str) -> Rc<Scenario> {
    Rc::new(parse_scenario(Path::new(name), yaml).unwrap_or_else(|error| panic!("the {name} workload: {error}")))
}

/// A side that runs `scenario` and counts `units` when it passes (a failed run is a broken workload: it panics
/// with the failure, which `imsim bench` reports).
fn scenario_side(
    label: &str,
    scenario: Rc<Scenario>,
    units: impl Fn(&crate::runner::RunReport) -> u64 + 'static,
) -> Side {
    let units = Rc::new(units);
    Side::new(label, move || {
        let scenario = scenario.clone();
        let units = units.clone();
        Box::new(move || {
            let report = run_scenario(&scenario, None);
            if let Some(failure) = &report.failure {
                panic!("the workload's scenario {:?} failed: {}", scenario.name, failure.message);
            }
            units(&report)
        })
    })
}

/// The `devices:` of a workload scenario: `d1` to `dN`, desktops of users `u1` to `uN` (so no device kicks another).
pub fn devices_yaml(devices: usize) -> String {
    let mut yaml = String::from("devices:\n");
    for n in 1..=devices {
        yaml.push_str(&format!("  d{n}: {{ user: u{n}, platform: desktop }}\n"));
    }
    yaml
}

/// Steps that connect `d1` to `dN` and wait until each is connected.
pub fn connect_all_yaml(devices: usize) -> String {
    let mut yaml = String::new();
    for n in 1..=devices {
        yaml.push_str(&format!("  - connect: d{n}\n"));
    }
    for n in 1..=devices {
        yaml.push_str(&format!("  - expect: {{ device: d{n}, status: connected }}\n"));
    }
    yaml
}

/// Messages each of `devices` devices sends in the end-to-end workload.
fn end_to_end_messages_each(devices: usize, scale: Scale) -> usize {
    let total = match scale {
        Scale::Full => 4_000,
        Scale::Quick => 100,
    };
    total / devices
}

/// N devices of N users; device i sends to user i+1 (the last to the first), then every recipient's store holds
/// all of its sender's messages.
fn end_to_end_scenario(devices: usize, each: usize) -> String {
    let mut yaml = format!(
        "name: end to end with {devices} devices\nrules: [SEND-4]\nseed: 1\nsettings:\n  app: {{ send_rate_limit: \
         1000000 }}\n{}steps:\n{}",
        devices_yaml(devices),
        connect_all_yaml(devices)
    );
    let next = |n: usize| n % devices + 1;
    for n in 1..=devices {
        yaml.push_str(&format!("  - send: {{ device: d{n}, to: u{}, text: \"m{{n}}\", count: {each} }}\n", next(n)));
    }
    for n in 1..=devices {
        yaml.push_str(&format!(
            "  - expect: {{ device: d{}, stored: {{ target: u{n}, count: {each} }}, within: 1h }}\n",
            next(n)
        ));
    }
    yaml
}

fn end_to_end(devices: usize, scale: Scale) -> Workload {
    let each = end_to_end_messages_each(devices, scale);
    let scenario = parsed("end-to-end.yaml", &end_to_end_scenario(devices, each));
    let settings = NetworkSettings {
        rng_seed: 1,
        tick: scenario.settings.tick,
        latency_min: scenario.settings.latency_min,
        latency_max: scenario.settings.latency_max,
    };
    let total = (devices * each) as u64;
    Workload {
        group: "End to end",
        name: format!("end_to_end/{devices}"),
        description: format!(
            "{devices} devices each send {each} private texts to the next through the simulated network and the \
             fake server until every recipient has stored them, beside {devices} turmoil hosts echoing the same \
             frames through one server host with the same network settings"
        ),
        unit: Unit::Messages,
        goal: Some(0.5),
        subject: scenario_side("imsim", scenario, move |_| total),
        baseline: Baseline::Run(Side::new("bare turmoil echo", move || {
            Box::new(move || echo(settings, devices, each))
        })),
    }
}

/// The frames device `device` sends in the end-to-end workload, as the engine encodes them.
fn publish_frames(device: usize, count: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    for n in 0..count {
        let publish = proto::Publish {
            client_message_id: format!("{device:016x}-{n}"),
            conversation_type: ConversationType::Private.ordinal(),
            target_id: format!("u{}", device + 1),
            content: Some(encode_content(&MessageContent::Text { text: format!("m{n}") })),
            ..Default::default()
        };
        encode_frame(&proto::Frame { body: Some(Body::Publish(publish)) }, &mut bytes).expect("a small frame");
    }
    bytes
}

/// Bare turmoil: a server host that echoes every byte it reads, and `devices` client hosts that each write their
/// frames and read them all back. Returns the frames echoed.
fn echo(settings: NetworkSettings, devices: usize, each: usize) -> u64 {
    let mut sim = sim_builder(settings).build();
    sim.host(SERVER_HOST, || async {
        let listener = turmoil::net::TcpListener::bind(("0.0.0.0", SERVER_PORT)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::task::spawn_local(async move {
                let (mut reader, mut writer) = stream.into_split();
                let mut buffer = vec![0_u8; 16 * 1024];
                while let Ok(count @ 1..) = reader.read(&mut buffer).await {
                    if writer.write_all(&buffer[..count]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    for device in 0..devices {
        let frames = publish_frames(device, each);
        sim.client(format!("d{device}"), async move {
            let stream = turmoil::net::TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
            let (mut reader, mut writer) = stream.into_split();
            let length = frames.len();
            let writing = tokio::task::spawn_local(async move { writer.write_all(&frames).await });
            let mut echoed = vec![0_u8; length];
            reader.read_exact(&mut echoed).await?;
            writing.await??;
            Ok(())
        });
    }
    sim.run().expect("the echo runs");
    (devices * each) as u64
}

/// The messages of the ingestion and catch-up workloads: private texts from `bob`, each with its own UID.
fn received_messages(count: usize) -> Vec<Message> {
    (0..count)
        .map(|n| Message {
            conversation_type: ConversationType::Private,
            target_id: "bob".to_owned(),
            channel_id: None,
            message_id: 0,
            message_uid: Some(format!("UID-{n:012}")),
            direction: MessageDirection::Receive,
            received_time: SCENARIO_EPOCH_MS + 60_000,
            sent_time: SCENARIO_EPOCH_MS + n as i64,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Received,
            sender_user_id: "bob".to_owned(),
            offline: true,
            extra: None,
            mentioned_info: None,
            user_info: None,
            expansion: None,
            push_options: None,
            group_read_receipt_info: None,
            content: MessageContent::Text { text: format!("offline message number {n}") },
        })
        .collect()
}

fn catch_up_messages(scale: Scale) -> usize {
    match scale {
        Scale::Full => CATCH_UP_MESSAGES,
        Scale::Quick => 2 * PACKAGE_SIZE,
    }
}

/// A fresh directory for one iteration's database files, under the system's temporary directory.
pub(super) fn scratch_database(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("imsim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("a writable temporary directory");
    let path = directory.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

fn store_ingestion(scale: Scale) -> Workload {
    let count = catch_up_messages(scale);
    Workload {
        group: "Store ingestion",
        name: "store_ingestion".to_owned(),
        description: format!(
            "{count} received messages stored in packages of {PACKAGE_SIZE} by the engine's SQLite store \
             (`insert_received`: duplicate check, content encoding, the inbox cursor), beside raw rusqlite inserting \
             the same rows with the same schema and one transaction a package"
        ),
        unit: Unit::Messages,
        goal: Some(0.7),
        subject: Side::new("imsim store", move || {
            let mut store = SqliteStore::open_with(&scratch_database("store.db"), Sync::Normal).expect("a store");
            let messages = received_messages(count);
            Box::new(move || {
                for (index, package) in messages.chunks(PACKAGE_SIZE).enumerate() {
                    let cursor = ((index + 1) * PACKAGE_SIZE) as u64;
                    store.insert_received(package, cursor).expect("stored");
                }
                count as u64
            })
        }),
        baseline: Baseline::Run(Side::new("raw rusqlite", move || {
            let connection = raw_database(&scratch_database("raw.db"));
            let rows: Vec<RawRow> = received_messages(count).iter().map(RawRow::of).collect();
            Box::new(move || {
                let mut connection = connection;
                for package in rows.chunks(PACKAGE_SIZE) {
                    let transaction = connection.transaction().expect("a transaction");
                    {
                        let mut insert = transaction.prepare_cached(INSERT_MESSAGE_SQL).expect("the statement");
                        for row in package {
                            row.insert(&mut insert);
                        }
                    }
                    transaction.commit().expect("committed");
                }
                count as u64
            })
        })),
    }
}

/// A database with the store's schema and pragmas (WAL, `synchronous = NORMAL`), set up by hand.
fn raw_database(path: &Path) -> Connection {
    let connection = Connection::open(path).expect("a database");
    connection.pragma_update(None, "synchronous", "NORMAL").expect("a pragma");
    for sql in schema_sql() {
        connection.execute_batch(sql).expect("the store's schema");
    }
    let version = u32::try_from(schema_sql().count()).expect("a few migrations");
    connection.pragma_update(None, "user_version", version).expect("a pragma");
    connection.pragma_update(None, "journal_mode", "WAL").expect("a pragma");
    connection.pragma_update(None, "foreign_keys", "ON").expect("a pragma");
    connection
}

/// One message's row, as the store binds it, computed before the timing starts.
struct RawRow {
    target_id: String,
    object_name: String,
    payload: Vec<u8>,
    sender_user_id: String,
    sent_time: i64,
    received_time: i64,
    message_uid: Option<String>,
    search_text: String,
}

impl RawRow {
    fn of(message: &Message) -> RawRow {
        let wire = encode_content(&message.content);
        let MessageContent::Text { text } = &message.content else { unreachable!("the workload's messages are texts") };
        RawRow {
            target_id: message.target_id.clone(),
            object_name: wire.object_name,
            payload: wire.payload,
            sender_user_id: message.sender_user_id.clone(),
            sent_time: message.sent_time,
            received_time: message.received_time,
            message_uid: message.message_uid.clone(),
            search_text: fold_for_search(text),
        }
    }

    fn insert(&self, statement: &mut rusqlite::CachedStatement<'_>) {
        statement
            .execute(params![
                ConversationType::Private.ordinal(),
                self.target_id,
                Option::<String>::None,
                self.object_name,
                self.payload,
                MessageDirection::Receive.ordinal(),
                self.sender_user_id,
                SentStatus::Received.ordinal(),
                ReceivedStatus::Unread.ordinal(),
                self.sent_time,
                self.received_time,
                self.message_uid,
                true,
                Option::<String>::None,
                true,
                Option::<u32>::None,
                Option::<String>::None,
                Option::<String>::None,
                self.search_text,
                // Migration 0008's fields: none on a received text.
                Option::<String>::None,
                Option::<String>::None,
                Option::<String>::None,
                Option::<String>::None,
            ])
            .expect("inserted");
    }
}

/// Opens each user's database as a file in a scratch directory, as a device does.
struct FileOpener;

impl StoreOpener for FileOpener {
    fn open(&mut self, _app_key: &str, user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(SqliteStore::open_with(&scratch_database(&format!("{user_id}.db")), Sync::Normal)?))
    }
}

/// A core signed in as `alice` on a fresh database, the server played by hand.
fn connected_core() -> Core {
    let config = CoreConfig {
        app_key: APP_KEY.to_owned(),
        platform: Platform::Mobile,
        device_id: "bench".to_owned(),
        kick_reconnect_device: false,
        heartbeat_interval_ms: imsim_engine::limits::HEARTBEAT_INTERVAL_MS_DEFAULT,
        heartbeat_timeout_ms: imsim_engine::limits::HEARTBEAT_TIMEOUT_MS_DEFAULT,
        file_server: imsim_engine::limits::MEDIA_FILE_SERVER_DEFAULT.to_owned(),
    };
    let mut core = Core::new(config, Box::new(FileOpener), Box::new(imsim_engine::files::MemoryFiles::default()), 1);
    let claims =
        TokenClaims { app_key: APP_KEY.to_owned(), user_id: "alice".to_owned(), issued_at_ms: 1, expires_at_ms: None };
    core.connect(NOW, &claims.to_token(b"secret"), 0).expect("connect is accepted");
    core.handle_transport_opened(NOW);
    let ack = proto::ConnectAck { code: 0, user_id: "alice".to_owned(), server_time: SCENARIO_EPOCH_MS };
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(Body::ConnectAck(ack)) }, &mut bytes).expect("a small frame");
    core.handle_bytes(NOW, &bytes);
    drain(&mut core);
    core
}

const NOW: Now = Now { monotonic_ms: 0, unix_ms: SCENARIO_EPOCH_MS + 60_000 };

/// Drops what the core queued (frames and events); returns how many inbox acknowledgements it sent.
fn drain(core: &mut Core) -> usize {
    let mut acknowledgements = 0;
    while let Some(action) = core.poll_transport() {
        if let TransportAction::Send(bytes) = action {
            acknowledgements += usize::from(bytes.len() > 4);
        }
    }
    while core.poll_event().is_some() {}
    acknowledgements
}

/// The messages as the server delivers them: inbox packages of `PACKAGE_SIZE`, encoded for the wire.
fn inbox_packages(count: usize) -> Vec<Vec<u8>> {
    let delivered: Vec<proto::DeliveredMessage> = (0..count)
        .map(|n| proto::DeliveredMessage {
            seq: n as u64 + 1,
            message_uid: format!("UID-{n:012}"),
            conversation_type: ConversationType::Private.ordinal(),
            target_id: "bob".into(),
            sender_user_id: "bob".into(),
            sent_time: SCENARIO_EPOCH_MS + n as i64,
            content: Some(encode_content(&MessageContent::Text { text: format!("offline message number {n}") })),
            ..Default::default()
        })
        .collect();
    let packages = delivered.chunks(PACKAGE_SIZE).count();
    delivered
        .chunks(PACKAGE_SIZE)
        .enumerate()
        .map(|(index, messages)| {
            let package = proto::InboxPackage { messages: messages.to_vec(), has_package: index + 1 < packages };
            let mut bytes = Vec::new();
            encode_frame(&proto::Frame { body: Some(Body::InboxPackage(package)) }, &mut bytes).expect("a frame");
            bytes
        })
        .collect()
}

fn offline_catch_up(scale: Scale) -> Workload {
    let count = catch_up_messages(scale);
    Workload {
        group: "Offline catch-up",
        name: "offline_catch_up".to_owned(),
        description: format!(
            "the engine's core, on the same store, handed {count} messages as inbox packages of {PACKAGE_SIZE} off \
             the wire: decoded, stored, acknowledged and reported, package by package; against store ingestion"
        ),
        unit: Unit::Messages,
        goal: Some(0.5),
        subject: Side::new("imsim core", move || {
            let mut core = connected_core();
            let packages = inbox_packages(count);
            Box::new(move || {
                let mut acknowledged = 0;
                for package in &packages {
                    core.handle_bytes(NOW, package);
                    acknowledged += drain(&mut core);
                }
                assert_eq!(acknowledged, packages.len(), "every package is acknowledged once");
                count as u64
            })
        }),
        baseline: Baseline::Workload("store_ingestion".to_owned()),
    }
}

fn time_compression(name: &str, what: &str, yaml: &str, goal: f64) -> Workload {
    let scenario = parsed(&format!("{name}.yaml"), yaml);
    Workload {
        group: "Time compression",
        name: name.to_owned(),
        description: format!("simulated seconds per wall second of {what}, at the default 1 ms tick"),
        unit: Unit::SimulatedSeconds,
        goal: Some(goal),
        subject: scenario_side("imsim", scenario, |report| report.simulated.as_secs()),
        baseline: Baseline::RealTime,
    }
}

/// One sender and `members - 1` receivers in a chatroom (or a group) of them all; every receiver stores every
/// message.
fn fan_out_scenario(members: usize, messages: usize, chatroom: bool) -> String {
    let mut yaml = format!(
        "name: fan-out to {members}\nrules: [SEND-4]\nseed: 1\nsettings:\n  app: {{ send_rate_limit: 1000000, \
         chatroom_messages_per_second: 1000000 }}\n{}steps:\n",
        devices_yaml(members)
    );
    if !chatroom {
        let users: Vec<String> = (1..=members).map(|n| format!("u{n}")).collect();
        yaml.push_str(&format!("  - create_group: {{ id: g1, name: G, members: [{}] }}\n", users.join(", ")));
    }
    yaml.push_str(&connect_all_yaml(members));
    let (kind, target) = if chatroom { ("chatroom", "r1") } else { ("group", "g1") };
    if chatroom {
        for n in 1..=members {
            let create = if n == 1 { ", auto_create: true" } else { "" };
            yaml.push_str(&format!("  - join_chatroom: {{ device: d{n}, room: r1, count: 0{create} }}\n"));
            yaml.push_str(&format!("  - expect: {{ device: d{n}, event: onChatRoomJoined, code: 0, targetId: r1 }}\n"));
        }
    }
    yaml.push_str(&format!(
        "  - send: {{ device: d1, type: {kind}, to: {target}, text: \"m{{n}}\", count: {messages} }}\n"
    ));
    for n in 2..=members {
        yaml.push_str(&format!(
            "  - expect: {{ device: d{n}, stored: {{ type: {kind}, target: {target}, count: {messages} }}, within: 1h }}\n"
        ));
    }
    yaml
}

fn fan_out(members: usize, scale: Scale) -> Workload {
    let messages = match scale {
        Scale::Full => 200,
        Scale::Quick => 10,
    };
    let deliveries = (messages * (members - 1)) as u64;
    let chatroom = parsed("chatroom-fan-out.yaml", &fan_out_scenario(members, messages, true));
    let group = parsed("group-fan-out.yaml", &fan_out_scenario(members, messages, false));
    Workload {
        group: "Chatroom fan-out",
        name: format!("chatroom_fan_out/{members}"),
        description: format!(
            "one member sends {messages} texts to a chatroom of {members} member devices until every other member \
             has stored them all, beside the same through a group of the same members"
        ),
        unit: Unit::Deliveries,
        goal: None,
        subject: scenario_side("imsim chatroom", chatroom, move |_| deliveries),
        baseline: Baseline::Run(scenario_side("imsim group", group, move |_| deliveries)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every workload runs once at the quick scale, both sides, and counts what it was built to count.
    #[test]
    fn every_workload_runs_at_the_quick_scale() {
        let outcomes = super::super::run_workloads(all(Scale::Quick), Scale::Quick, |_| {}).expect("measured");
        let (outcomes, codec) = outcomes.split_at(outcomes.len() - super::super::codec::frames().len());
        let codec_units: Vec<(&str, u64)> =
            codec.iter().map(|outcome| (outcome.name.as_str(), outcome.subject.units)).collect();
        assert!(codec_units.iter().all(|(name, units)| name.starts_with("codec/") && *units == 50), "{codec_units:?}");
        let names: Vec<&str> = outcomes.iter().map(|outcome| outcome.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "end_to_end/2",
                "end_to_end/10",
                "end_to_end/20",
                "store_ingestion",
                "offline_catch_up",
                "idle_chatroom_hour",
                "offline_expiry_week",
                "chatroom_fan_out/10",
                "chatroom_fan_out/20",
                "history_page/large",
                "history_page/raw",
                "search_messages",
                "conversation_page/large",
                "total_unread_count",
            ]
        );
        let units: Vec<u64> = outcomes.iter().map(|outcome| outcome.subject.units).collect();
        assert_eq!(units, [100, 100, 100, 400, 400, 3_605, 604_802, 90, 190, 20, 20, 2, 20, 2]);
        assert!(outcomes.iter().all(|outcome| outcome.ratio > 0.0 && outcome.ratio.is_finite()));
    }

    #[test]
    fn the_store_and_raw_rusqlite_store_the_same_rows() {
        let messages = received_messages(3);
        let mut store = SqliteStore::open_in_memory().expect("a store");
        store.insert_received(&messages, 3).expect("stored");
        let path = scratch_database("same-rows.db");
        let mut connection = raw_database(&path);
        let transaction = connection.transaction().expect("a transaction");
        {
            let mut insert = transaction.prepare_cached(INSERT_MESSAGE_SQL).expect("the statement");
            for message in &messages {
                RawRow::of(message).insert(&mut insert);
            }
        }
        transaction.commit().expect("committed");
        drop(connection);
        let raw = SqliteStore::open(&path).expect("the raw database opens as a store");
        assert_eq!(raw.all_messages().expect("read"), store.all_messages().expect("read"));
    }
}
