//! A simulated device: one turmoil host running the real engine (driver, core and SQLite store) over turmoil TCP.
//!
//! Each boot of the host creates a fresh engine, as an app restart would, over the same database directory, which
//! lives outside the host and so survives a crash. The host's task forwards the runner's commands to the engine
//! (every app call through the API table, `Engine::call`) and the engine's events to the world, in a `biased` loop,
//! so their order is fixed by the code.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use imsim_engine::api::{Call, CallOutcome, Returned};
use imsim_engine::core::Delivery;
use imsim_engine::driver::{Clock, ConnectFuture, Connector, Engine, EngineOptions, Runtime, Storage, Transport};
use imsim_engine::{ConnectionStatus, ImError, Platform};
use tokio::sync::mpsc;

use crate::net::{SERVER_HOST, SERVER_PORT, sim_unix_ms};
use crate::scenario::arguments::{NodeDeserializer, resolve};
use crate::scenario::{CallArguments, describe_call_arguments};
use crate::wakes::{SharedWakes, Sleeper};
use crate::world::{CallRecord, DeviceCommand, QueuedCall, SharedWorld};

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

/// The simulation's wall clock for one engine: the fixed epoch plus simulated time. It passes on when the engine's
/// driver next has a timer due, so the runner can jump over the time in between (`crate::wakes`).
pub struct SimClock {
    sleeper: Sleeper,
    wakes: SharedWakes,
}

impl Clock for SimClock {
    fn unix_ms(&self) -> i64 {
        sim_unix_ms()
    }

    fn next_timer(&self, due_in: Option<Duration>) {
        let now = turmoil::sim_elapsed().unwrap_or_default();
        self.wakes.borrow_mut().set(self.sleeper.clone(), due_in.map(|due_in| now + due_in));
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
    let (boot, files) = {
        let mut world = world.borrow_mut();
        let log = world.device_mut(&config.name);
        log.commands = Some(command_sender);
        log.boots += 1;
        (log.boots, log.files.clone())
    };
    let wakes = world.borrow().wakes.clone();
    // Each engine of this boot (ENG-6 creates another) draws its own seed.
    let runtime = |generation: u64| Runtime {
        connector: Box::new(TurmoilConnector { device: config.name.clone(), world: world.clone() }),
        clock: Box::new(SimClock {
            sleeper: Sleeper::Engine { device: config.name.clone(), boot, generation },
            wakes: wakes.clone(),
        }),
        rng_seed: config
            .rng_seed
            .wrapping_add(u64::from(boot - 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .wrapping_add(generation.wrapping_mul(0xD1B5_4A32_D192_ED03)),
        storage: Storage::DirectoryWithoutSync(config.storage_dir.clone()),
        platform: config.platform,
        device_id: config.name.clone(),
        files: Box::new(files.clone()),
    };
    let mut generation = 0;
    let (mut engine, mut events, driver) =
        Engine::create(&config.app_key, config.options.clone(), runtime(generation))?;
    tokio::task::spawn_local(driver.run());
    // What the per-call callbacks receive, forwarded from each call's own receiver.
    let (callback_sender, mut callbacks) = mpsc::unbounded_channel();
    loop {
        tokio::select! {
            biased;
            Some(delivery) = events.recv() => record(&world, &config.name, delivery),
            Some(delivery) = callbacks.recv() => {
                world.borrow_mut().record_callback(turmoil::elapsed(), &config.name, delivery);
            }
            Some(command) = commands.recv() => match command {
                DeviceCommand::ReadEntries { room, key } => {
                    let result = engine.chat_room_entries(&room, key.as_deref()).await;
                    world.borrow_mut().device_mut(&config.name).entries_read = Some(result.map_err(|e| e.code.0));
                }
                DeviceCommand::Calls(calls) => {
                    make_calls(&engine, &world, &config.name, calls, &callback_sender).await;
                    let mut world = world.borrow_mut();
                    let log = world.device_mut(&config.name);
                    log.call_lists_queued = log.call_lists_queued.saturating_sub(1);
                }
                DeviceCommand::Create { app_key } => {
                    // ENG-6: one live engine per device; `create` again destroys it (ENG-5) and creates a new one.
                    let _ = engine.destroy().await;
                    while let Ok(delivery) = events.try_recv() {
                        record(&world, &config.name, delivery);
                    }
                    generation += 1;
                    let created = Engine::create(&app_key, config.options.clone(), runtime(generation));
                    let code = created.as_ref().err().map_or(0, |error| error.code.0);
                    {
                        let mut world = world.borrow_mut();
                        world.trace.record(turmoil::elapsed(), &config.name, &format!("call create appKey={app_key:?} -> {code}"));
                        // The new engine starts unconnected and says so with no event.
                        world.device_mut(&config.name).status = ConnectionStatus::Unconnected;
                    }
                    let (new_engine, new_events, driver) = created?;
                    tokio::task::spawn_local(driver.run());
                    (engine, events) = (new_engine, new_events);
                }
                DeviceCommand::SetListener { listener, set } => {
                    let result = engine.set_listener(&listener, set).await;
                    let handler = if set { "handler" } else { "null" };
                    record_hook(&world, &config.name, &format!("{listener} = {handler}"), result);
                }
                DeviceCommand::NetworkAvailable(available) => {
                    let result = engine.notify_network_available(available).await;
                    record_hook(&world, &config.name, &format!("notifyNetworkAvailable {available}"), result);
                }
                DeviceCommand::AppForeground(foreground) => {
                    let result = engine.notify_app_foreground(foreground).await;
                    record_hook(&world, &config.name, &format!("notifyAppForeground {foreground}"), result);
                }
            },
            else => return Ok(()),
        }
    }
}

fn record(world: &SharedWorld, device: &str, delivery: Delivery) {
    world.borrow_mut().record_event(turmoil::elapsed(), device, delivery);
}

/// Makes `calls` in order, each through the API table (`Engine::call`), writing each to the trace with its return
/// code; a refused call, or one whose references do not resolve, ends the list.
async fn make_calls(
    engine: &Engine,
    world: &SharedWorld,
    device: &str,
    calls: Vec<QueuedCall>,
    callbacks: &mpsc::UnboundedSender<Delivery>,
) {
    for queued in calls {
        let call = match queued.arguments {
            CallArguments::Ready(call) => call,
            CallArguments::Written { method, arguments } => {
                let resolved = resolve(&arguments, &world.borrow().kept)
                    .and_then(|arguments| Call::from_parameters(method, NodeDeserializer(&arguments)));
                match resolved {
                    Ok(call) => call,
                    Err(error) => {
                        let message = format!("call {}: {}", method.name(), error.message);
                        world.borrow_mut().failures.push((queued.location, message));
                        return;
                    }
                }
            }
        };
        let method = call.method();
        let arguments = describe_call_arguments(&call);
        let passed = queued.keep_as.as_ref().and_then(|_| passed_message(&call));
        let CallOutcome { call: number, result } = if queued.callback {
            let (outcome, mut receiver) = engine.call_with_callback(call).await;
            let forward = callbacks.clone();
            tokio::task::spawn_local(async move {
                while let Some(delivery) = receiver.recv().await {
                    let _ = forward.send(delivery);
                }
            });
            outcome
        } else {
            engine.call(call).await
        };
        let code = result.as_ref().err().map_or(0, |error| error.code.0);
        let at = turmoil::elapsed();
        let mut world = world.borrow_mut();
        let separator = if arguments.is_empty() { "" } else { " " };
        let callback = if queued.callback { format!(" (callback #{})", number.0) } else { String::new() };
        world.trace.record(at, device, &format!("call {}{separator}{arguments} -> {code}{callback}", method.name()));
        world.device_mut(device).calls.push(CallRecord { at, method: method.name(), code });
        world.ledger.called(device, number, method, at, code, queued.location, queued.callback);
        match (result, queued.keep_as) {
            (Ok(Returned::Message(message)), Some(name)) => {
                let value = serde_json::to_value(&message).unwrap_or_default();
                world.kept.insert(name, value);
            }
            // A call answered through a listener keeps the message it passed, then its events' (`record_event`):
            // the name always holds the app's latest object for it, a refused send's included.
            (result, Some(name)) => {
                if let Some(message) = passed {
                    world.kept.insert(name.clone(), message);
                }
                if result.is_ok() {
                    world.call_keeps.insert((device.to_owned(), number.0), name);
                } else {
                    return;
                }
            }
            (Ok(_), None) => {}
            (Err(_), None) => return,
        }
    }
}

/// Writes a platform hook's call to the trace (not an API call: no call record).
fn record_hook(world: &SharedWorld, device: &str, hook: &str, result: Result<(), ImError>) {
    let code = result.err().map_or(0, |error| error.code.0);
    world.borrow_mut().trace.record(turmoil::elapsed(), device, &format!("call {hook} -> {code}"));
}

/// The `message` parameter of `call`, serialised, if the method takes one.
fn passed_message(call: &Call) -> Option<serde_json::Value> {
    let serde_json::Value::Object(mut parameters) = serde_json::to_value(call).ok()? else { return None };
    parameters.remove("message").filter(|message| message.is_object())
}
