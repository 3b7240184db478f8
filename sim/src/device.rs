//! A simulated device: one turmoil host running the real engine (driver, core and SQLite store) over turmoil TCP.
//!
//! Each boot of the host creates a fresh engine, as an app restart would, over the same database directory, which
//! lives outside the host and so survives a crash. The host's task forwards the runner's commands to the engine
//! API and the engine's events to the world, in a `biased` loop, so their order is fixed by the code.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use imsim_engine::core::Event;
use imsim_engine::driver::{Clock, ConnectFuture, Connector, Engine, EngineOptions, Runtime, Storage, Transport};
use imsim_engine::{ImError, Platform};
use tokio::sync::mpsc;

use crate::net::{SERVER_HOST, SERVER_PORT, sim_unix_ms};
use crate::scenario::{ChatroomCall, HistoryFrom};
use crate::world::{BlacklistCall, CallRecord, DeviceCommand, SharedWorld};

/// Opens turmoil TCP connections to the fake server, and writes each attempt and its outcome to the trace, so the
/// reconnect schedule (RECONN-4) can be read off a trace to the millisecond.
#[derive(Clone, Debug)]
pub struct TurmoilConnector {
    device: String,
    world: SharedWorld,
}

impl Connector for TurmoilConnector {
    fn connect(&self) -> ConnectFuture {
        let (device, world) = (self.device.clone(), self.world.clone());
        Box::pin(async move {
            world.borrow_mut().trace.record(turmoil::elapsed(), &device, "transport connecting");
            let result = turmoil::net::TcpStream::connect((SERVER_HOST, SERVER_PORT)).await;
            let outcome = match &result {
                Ok(_) => "transport open".to_owned(),
                Err(error) => format!("transport failed: {:?}", error.kind()),
            };
            world.borrow_mut().trace.record(turmoil::elapsed(), &device, &outcome);
            Ok(Box::new(result?) as Box<dyn Transport>)
        })
    }
}

/// The simulation's wall clock: the fixed epoch plus simulated time.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimClock;

impl Clock for SimClock {
    fn unix_ms(&self) -> i64 {
        sim_unix_ms()
    }
}

/// Everything a device host needs, fixed for the run.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    /// The device's name: its host name and its engine's device ID.
    pub name: String,
    /// The App Key its engine is created with.
    pub app_key: String,
    /// Its platform class.
    pub platform: Platform,
    /// The engine options it is created with.
    pub options: EngineOptions,
    /// Where its databases live; survives crashes.
    pub storage_dir: PathBuf,
    /// The seed of its first boot; later boots derive theirs from it, so a restarted engine never repeats the
    /// random choices of an earlier boot.
    pub rng_seed: u64,
}

/// The future of one boot of a device host.
pub type HostFuture = Pin<Box<dyn Future<Output = turmoil::Result>>>;

/// The factory turmoil calls at every boot of the device's host.
pub fn device_host(config: DeviceConfig, world: SharedWorld) -> impl Fn() -> HostFuture {
    move || Box::pin(run_device(config.clone(), world.clone()))
}

async fn run_device(config: DeviceConfig, world: SharedWorld) -> turmoil::Result {
    let (command_sender, mut commands) = mpsc::unbounded_channel();
    let boot = {
        let mut world = world.borrow_mut();
        let log = world.device_mut(&config.name);
        log.commands = Some(command_sender);
        log.boots += 1;
        log.boots
    };
    let runtime = Runtime {
        connector: Box::new(TurmoilConnector { device: config.name.clone(), world: world.clone() }),
        clock: Box::new(SimClock),
        rng_seed: config.rng_seed.wrapping_add(u64::from(boot - 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        storage: Storage::DirectoryWithoutSync(config.storage_dir.clone()),
        platform: config.platform,
        device_id: config.name.clone(),
    };
    let (engine, mut events, driver) = Engine::create(&config.app_key, config.options.clone(), runtime)?;
    tokio::task::spawn_local(driver.run());
    loop {
        tokio::select! {
            biased;
            Some(event) = events.recv() => record(&world, &config.name, event),
            Some(command) = commands.recv() => match command {
                DeviceCommand::ReadEntries { room, key } => {
                    let result = match key {
                        Some(key) => engine.get_chat_room_entry(&room, &key).await,
                        None => engine.get_chat_room_all_entries(&room).await,
                    };
                    world.borrow_mut().device_mut(&config.name).entries_read = Some(result.map_err(|e| e.code.0));
                }
                command => {
                    let call = describe_call(&command);
                    let step = command.step_name().unwrap_or("-");
                    let result = execute(&engine, command).await;
                    let code = result.err().map_or(0, |error| error.code.0);
                    let at = turmoil::elapsed();
                    let mut world = world.borrow_mut();
                    world.trace.record(at, &config.name, &format!("call {call} -> {code}"));
                    world.device_mut(&config.name).calls.push(CallRecord { at, step, code });
                }
            },
            else => return Ok(()),
        }
    }
}

fn record(world: &SharedWorld, device: &str, event: Event) {
    world.borrow_mut().record_event(turmoil::elapsed(), device, event);
}

async fn execute(engine: &Engine, command: DeviceCommand) -> Result<(), ImError> {
    match command {
        DeviceCommand::Connect { token, timeout_seconds } => engine.connect(&token, timeout_seconds).await,
        DeviceCommand::Disconnect { receive_push } => engine.disconnect(receive_push).await,
        DeviceCommand::SendText { conversation_type, target_id, text, directed } => {
            let message = engine.create_text_message(conversation_type, &target_id, None, &text).await?;
            if directed.is_empty() {
                engine.send_message(message).await
            } else {
                engine.send_group_message_to_designated_users(message, directed).await
            }
        }
        DeviceCommand::Blacklist(call) => match call {
            BlacklistCall::Add(user) => engine.add_to_blacklist(&user).await,
            BlacklistCall::Remove(user) => engine.remove_from_blacklist(&user).await,
            BlacklistCall::Status(user) => engine.get_blacklist_status(&user).await,
            BlacklistCall::Get => engine.get_blacklist().await,
        },
        DeviceCommand::NetworkAvailable(available) => engine.notify_network_available(available).await,
        DeviceCommand::AppForeground(foreground) => engine.notify_app_foreground(foreground).await,
        DeviceCommand::Chatroom(call) => chatroom_call(engine, call).await,
        // A check's read is carried out by the host's loop, which keeps its result.
        DeviceCommand::ReadEntries { room, key: Some(key) } => engine.get_chat_room_entry(&room, &key).await.map(drop),
        DeviceCommand::ReadEntries { room, key: None } => engine.get_chat_room_all_entries(&room).await.map(drop),
    }
}

async fn chatroom_call(engine: &Engine, call: ChatroomCall) -> Result<(), ImError> {
    match call {
        ChatroomCall::Join { room, count, auto_create } => engine.join_chat_room(&room, count, auto_create).await,
        ChatroomCall::Leave { room } => engine.leave_chat_room(&room).await,
        ChatroomCall::History { room, timestamp, order, count } => {
            let timestamp = match timestamp {
                HistoryFrom::Timestamp(ms) => ms,
                HistoryFrom::SyncTime => unreachable!("the runner puts the syncTime in when it queues the call"),
            };
            engine.get_chat_room_messages(&room, timestamp, order, count).await
        }
        ChatroomCall::AddEntry { room, key, value, delete_when_left, overwrite } => {
            engine.add_chat_room_entry(&room, &key, &value, delete_when_left, overwrite).await
        }
        ChatroomCall::AddEntries { room, entries, delete_when_left, overwrite } => {
            engine.add_chat_room_entries(&room, entries, delete_when_left, overwrite).await
        }
        ChatroomCall::RemoveEntry { room, key, force } => engine.remove_chat_room_entry(&room, &key, force).await,
        ChatroomCall::RemoveEntries { room, keys, force } => engine.remove_chat_room_entries(&room, keys, force).await,
    }
}

/// The trace's name for an API call (the token is left out: it is long and the step line names its kind).
fn describe_call(command: &DeviceCommand) -> String {
    match command {
        DeviceCommand::Connect { timeout_seconds, .. } => format!("connect timeout={timeout_seconds}"),
        DeviceCommand::Disconnect { receive_push } => format!("disconnect receive_push={receive_push}"),
        DeviceCommand::SendText { conversation_type, target_id, directed, .. } if directed.is_empty() => {
            format!("sendMessage {conversation_type}:{target_id}")
        }
        DeviceCommand::SendText { conversation_type, target_id, directed, .. } => {
            format!("sendGroupMessageToDesignatedUsers {conversation_type}:{target_id} {directed:?}")
        }
        DeviceCommand::Blacklist(BlacklistCall::Add(user)) => format!("addToBlacklist {user}"),
        DeviceCommand::Blacklist(BlacklistCall::Remove(user)) => format!("removeFromBlacklist {user}"),
        DeviceCommand::Blacklist(BlacklistCall::Status(user)) => format!("getBlacklistStatus {user}"),
        DeviceCommand::Blacklist(BlacklistCall::Get) => "getBlacklist".to_owned(),
        DeviceCommand::NetworkAvailable(available) => format!("notifyNetworkAvailable {available}"),
        DeviceCommand::AppForeground(foreground) => format!("notifyAppForeground {foreground}"),
        DeviceCommand::Chatroom(call) => format!("{} {}", call.api_name(), call.describe_arguments()),
        DeviceCommand::ReadEntries { room, key: Some(key) } => format!("getChatRoomEntry {room:?} {key:?}"),
        DeviceCommand::ReadEntries { room, key: None } => format!("getChatRoomAllEntries {room:?}"),
    }
}
