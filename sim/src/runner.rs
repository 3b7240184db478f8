//! Runs one scenario: builds the simulation from the seed, carries out the steps in order, checks expectations,
//! and returns the verdict with the canonical trace.
//!
//! Time only moves when the runner steps the simulation: on `advance`, and inside an `expect`, which steps one tick
//! at a time until its check holds or its `within` runs out. Commands to devices are queued at the current instant
//! and carried out by the device hosts on the next tick, in host order, so a scenario's timeline is exact.
//!
//! Event expectations are matched in order per device: each one consumes the first matching event after the one
//! the previous event expectation of that device matched, so a scenario can assert sequences. The server's callbacks
//! to the app server are matched the same way, in the run's order (`runner/server_callbacks.rs`).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use imsim_engine::api::{
    AddToBlacklist, Call, Connect, Disconnect, GetBlacklist, GetBlacklistStatus, RemoveFromBlacklist,
};
use imsim_engine::content::encode_content;
use imsim_engine::conversation::Conversation;
use imsim_engine::core::Event;
use imsim_engine::driver::{EngineOptions, database_path};
use imsim_engine::marks;
use imsim_engine::options::DeploymentOptions;
use imsim_engine::store::{ConversationQuery, SqliteStore, Store as _};
use imsim_engine::token::hex;
use imsim_engine::{ConversationType, Message};
use rand::{RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use tokio::sync::Notify;

mod chatroom_admin;
mod expectations;
mod server_callbacks;
mod short_forms;
mod watch;

pub use watch::{Progress, Watchdog};

use crate::check::{self, GroupChange, History, journal::Journal};
use crate::device::{DeviceConfig, device_host};
use crate::hostile::{Attack, HOSTILE_USER_PREFIX, Plan, Setting, hostile_peer};
use crate::net::{NetworkSettings, SERVER_HOST, sim_builder};
use crate::scenario::arguments::{self, NodeDeserializer};
use crate::scenario::{
    AppSettings, Check, Endpoint, Expectation, Location, PartialClaim, Scenario, ServerApiStep, StepKind, TokenChoice,
    file_content, numbered_text,
};
use crate::server::{
    ApiMessage, AppConfig, AppServerCallback, BlacklistCheck, PublishOutcome, SERVER_API_SUCCESS, Server,
    ServerApiCall, ServerConfig,
};
use crate::server_host::server_host;
use crate::trace::Trace;
use crate::world::{DeviceCommand, QueuedCall, SharedWorld, World};

/// How often a `stored` or `unread` check re-reads the database when the device reported no new event.
const STORE_REREAD_PERIOD: Duration = Duration::from_millis(100);

/// The App Key of a second application, whose tokens a scenario presents to test CONN-14's App Key mismatch.
pub const OTHER_APP_KEY: &str = "imsim-other-app";

/// The outcome of one scenario run.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The scenario's file.
    pub path: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// The rule IDs it checks in full.
    pub rules: Vec<String>,
    /// The rules it checks only in part, with what it leaves unchecked.
    pub partial: Vec<PartialClaim>,
    /// The seed it ran with.
    pub seed: u64,
    /// `None` if every step passed.
    pub failure: Option<Failure>,
    /// The canonical trace.
    pub trace: Trace,
    /// Simulated time at the end of the run.
    pub simulated: Duration,
    /// The rules whose coverage marks the run reached (`imsim_engine::marks`).
    pub reached: Vec<String>,
}

impl RunReport {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// Where the run failed, as `file:line:column` (just the file when no step failed), if it did.
    pub fn failure_place(&self) -> Option<String> {
        let failure = self.failure.as_ref()?;
        Some(match failure.location {
            Some(location) => format!("{}:{}:{}", self.path.display(), location.line, location.column),
            None => self.path.display().to_string(),
        })
    }

    /// The one command that replays this run.
    pub fn replay_command(&self) -> String {
        format!(
            "cargo run --release -p imsim-sim --bin imsim -- run {} --seed {} --trace",
            self.path.display(),
            self.seed
        )
    }
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The step that failed (0-based), if a step did.
    pub step_index: Option<usize>,
    /// Where that step is in the file.
    pub location: Option<Location>,
    /// What went wrong.
    pub message: String,
}

/// The seeds of a seed sweep: `base` first (a scenario's own seed), then `count - 1` more derived from it, so a
/// sweep of the same scenario is the same list on every machine. A conformance scenario must pass under all of
/// them: what it asserts is what the rule promises, not what one network timing happened to give.
pub fn sweep_seeds(base: u64, count: usize) -> Vec<u64> {
    let mut derived = ChaCha8Rng::seed_from_u64(base ^ 0x5EED_5EED_5EED_5EED);
    std::iter::once(base).chain(std::iter::repeat_with(move || derived.next_u64())).take(count).collect()
}

/// Runs `scenario` with its own seed, or with `seed_override`.
pub fn run_scenario(scenario: &Scenario, seed_override: Option<u64>) -> RunReport {
    run_scenario_with_final_state(scenario, seed_override).0
}

/// The whole conversation list of every type a list holds (CTYPE-9: not chatrooms), for the checkers.
const EVERY_LISTED_CONVERSATION: ConversationQuery<'static> = ConversationQuery {
    conversation_types: &[
        ConversationType::Private,
        ConversationType::Group,
        ConversationType::System,
        ConversationType::UltraGroup,
    ],
    operation_time_before: i64::MAX,
    only_top: false,
    only_unread: false,
    limit: None,
    ultra_group_channel: None,
};

/// What the devices hold when a run ends, for checkers that judge a whole run (delivery, order, duplicates).
#[derive(Clone, Debug, Default)]
pub struct FinalState {
    /// Every message in each device's database of its user, by `message_id`; a device that never opened a
    /// database has none.
    pub stored: BTreeMap<String, Vec<Message>>,
    /// Every event each device's engine emitted, across boots, with its simulated time.
    pub events: BTreeMap<String, Vec<(Duration, Event)>>,
    /// Each device's total unread count, as its database reports it (`Store::total_unread_count`).
    pub unread_total: BTreeMap<String, u32>,
    /// Each device's conversation list, every listed type, as its database reports it (`Store::conversations`).
    pub conversations: BTreeMap<String, Vec<Conversation>>,
    /// Everything the checkers read, for those a caller runs itself (`check::check_converged` after a liveness
    /// phase).
    pub history: History,
}

/// Runs `scenario` like `run_scenario`, and also returns what the devices hold at the end.
pub fn run_scenario_with_final_state(scenario: &Scenario, seed_override: Option<u64>) -> (RunReport, FinalState) {
    run_watched(scenario, seed_override, None)
}

/// Runs `scenario` like `run_scenario`, reporting its progress to `watchdog`, which may end it.
pub fn run_scenario_watched(scenario: &Scenario, seed_override: Option<u64>, watchdog: Box<dyn Watchdog>) -> RunReport {
    run_watched(scenario, seed_override, Some(watchdog)).0
}

/// Runs `scenario` like `run_scenario`, but steps every tick instead of jumping over idle time (`crate::wakes`):
/// the reference that jumping is held to, for it must give the same trace byte for byte.
pub fn run_scenario_tick_by_tick(scenario: &Scenario, seed_override: Option<u64>) -> RunReport {
    let seed = seed_override.unwrap_or(scenario.seed);
    let mut run = Run::new(scenario, seed);
    run.jump_idle_time = false;
    run.finish(scenario, seed).0
}

fn run_watched(
    scenario: &Scenario,
    seed_override: Option<u64>,
    watchdog: Option<Box<dyn Watchdog>>,
) -> (RunReport, FinalState) {
    let seed = seed_override.unwrap_or(scenario.seed);
    let mut run = Run::new(scenario, seed);
    run.watchdog = watchdog;
    run.finish(scenario, seed)
}

impl Run<'_> {
    /// Carries out the scenario's steps, then judges the run.
    fn finish(mut self, scenario: &Scenario, seed: u64) -> (RunReport, FinalState) {
        let run = &mut self;
        let (outcome, reached) = marks::record(|| run.execute(scenario).and_then(|()| run.settle_calls()));
        let mut failure = outcome.err();
        // A claimed rule whose code carries a coverage mark must have been reached: a claim the run never exercised
        // would pass whether or not the rule holds.
        let unreached: Vec<String> = scenario
            .rules
            .iter()
            .map(ToString::to_string)
            .filter(|rule| crate::markers::is_marked(rule) && !reached.contains(rule.as_str()))
            .collect();
        if failure.is_none() && !unreached.is_empty() {
            let message = format!(
                "the scenario claims {}, whose code (marked with imsim_engine::mark!) the run never reached: exercise \
             the rule or drop the claim",
                unreached.join(", ")
            );
            failure = Some(Failure { step_index: None, location: None, message });
        }
        let mut state = run.final_state();
        state.history = run.history(&state);
        // The checkers judge any prefix of a run soundly, so a run that failed a step is judged too: a broken invariant
        // often explains the failed expectation.
        let violations = check::check(&state.history);
        if !violations.is_empty() {
            let broken = format!("the run broke an invariant every run keeps\n{}", check::describe(&violations));
            match &mut failure {
                Some(failure) => failure.message = format!("{}\n{broken}", failure.message),
                None => failure = Some(Failure { step_index: None, location: None, message: broken }),
            }
        }
        let report = RunReport {
            path: scenario.path.clone(),
            name: scenario.name.clone(),
            rules: scenario.rules.iter().map(|rule| rule.to_string()).collect(),
            partial: scenario.partial.clone(),
            seed,
            failure,
            trace: run.world.borrow().trace.clone(),
            simulated: run.sim.elapsed(),
            reached: reached.into_iter().map(str::to_owned).collect(),
        };
        run.cleanup();
        (report, state)
    }
}

/// A directory for this run's databases, unique within the process and wiped first. Its path never reaches the
/// trace, so it does not affect determinism.
fn fresh_storage_root(seed: u64) -> PathBuf {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let root = std::env::temp_dir().join(format!("imsim-{}-{run}-{seed}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    root
}

/// Where the window of a negative check opens: the instant the step that acted before it started (or a checkpoint),
/// and how many events each device and how many callbacks the server had emitted by then.
#[derive(Clone, Default)]
struct NegativeWindow {
    /// What opened it, as a failure names it: "the step that acted before the check", "checkpoint NAME".
    opened_by: String,
    opened_at: Duration,
    events: BTreeMap<String, usize>,
    callbacks: usize,
}

struct Run<'a> {
    sim: turmoil::Sim<'a>,
    world: SharedWorld,
    server: Rc<RefCell<Server>>,
    app_key: String,
    storage_root: PathBuf,
    tick: Duration,
    /// Per device, the index of the first event the next event expectation may match.
    event_cursors: BTreeMap<String, usize>,
    /// Per device, the index of the first callback result the next callback expectation may match.
    callback_cursors: BTreeMap<String, usize>,
    /// How many of the expecting device's events the current event expectation has already looked at in vain.
    events_scanned: usize,
    /// Whether the current expectation is being checked for the last time (its `within` ends with this tick).
    last_check: bool,
    /// Whoever watches the run from outside, if anyone.
    watchdog: Option<Box<dyn Watchdog>>,
    /// The step being carried out, for the watchdog.
    current_step: Option<Location>,
    /// Ticks stepped so far.
    ticks: u64,
    /// Per device, the index of the first call record the next call expectation may match.
    call_cursors: BTreeMap<String, usize>,
    /// Whether the current `entries` expectation has a read in flight.
    entries_read_sent: bool,
    /// Per device, its user.
    users: BTreeMap<String, String>,
    /// Wakes the server's host after an App Server API call, so what the call produced goes out at once.
    app_server_called: Rc<Notify>,
    /// The server's callbacks to the app server so far, in order (CR-36, CRKV-15).
    server_callbacks: Vec<AppServerCallback>,
    /// The index of the first callback the next `server_callback` expectation may match.
    callback_cursor: usize,
    /// Where the window of the next negative check opens (`crate::scenario::negative_windows`).
    negative_window: NegativeWindow,
    /// Per device, the events a positive check matched: expected, so no negative check counts them.
    matched_events: BTreeMap<String, BTreeSet<usize>>,
    /// The server callbacks a `server_callback` check matched.
    matched_callbacks: BTreeSet<usize>,
    /// The windows opened by the `checkpoint` steps so far, by name.
    checkpoints: BTreeMap<String, NegativeWindow>,
    /// What crossed the server's wire, for the checkers.
    journal: Rc<RefCell<Journal>>,
    /// How many hostile peers the run has added (each host needs its own name).
    hostile_peers: u32,
    /// Whether the runner has handed something to a host (a command, an App Server API call, a fault) since the
    /// last tick: the next tick then carries it out, so it cannot be jumped over.
    handed_over: bool,
    /// Whether idle time is jumped over (`crate::wakes`); off only for the tick-by-tick reference run.
    jump_idle_time: bool,
    /// The group memberships the App Server API changed, for the checkers.
    group_changes: Vec<(Duration, GroupChange)>,
    /// When the app was last reinstalled on each device (SYNC-8).
    reinstalled_at: BTreeMap<String, Duration>,
    /// The switches of each App Key when the run began.
    initial_app_configs: BTreeMap<String, AppConfig>,
    /// The App Key switches changed mid-run (`app_settings`), in order, for the checkers.
    config_changes: Vec<(Duration, String, AppConfig)>,
}

impl<'a> Run<'a> {
    fn new(scenario: &Scenario, seed: u64) -> Run<'a> {
        let mut master = ChaCha8Rng::seed_from_u64(seed);
        let settings = &scenario.settings;
        let network = NetworkSettings {
            rng_seed: master.next_u64(),
            tick: settings.tick,
            latency_min: settings.latency_min,
            latency_max: settings.latency_max,
        };
        let mut server = Server::new(ServerConfig {
            private_offline_days: settings.app.private_offline_days,
            group_offline_days: settings.app.group_offline_days,
            client_send_rate: Some(settings.app.send_rate_limit),
            ..ServerConfig::default()
        });
        server.create_app(&settings.app_key, &hex(&master.next_u64().to_be_bytes()));
        server.create_app(OTHER_APP_KEY, &hex(&master.next_u64().to_be_bytes()));
        server
            .set_app_config(&settings.app_key, app_config(&settings.app))
            .expect("invariant: the app was created just above");
        let initial_app_configs = [settings.app_key.as_str(), OTHER_APP_KEY]
            .into_iter()
            .filter_map(|app_key| Some((app_key.to_owned(), server.app_config(app_key)?.clone())))
            .collect();
        let server = Rc::new(RefCell::new(server));
        let world: SharedWorld = Rc::new(RefCell::new(World::default()));
        let storage_root = fresh_storage_root(seed);

        let mut sim = sim_builder(network).build();
        let app_server_called = Rc::new(Notify::new());
        let journal = Rc::new(RefCell::new(Journal::default()));
        let wakes = world.borrow().wakes.clone();
        sim.host(SERVER_HOST, server_host(server.clone(), app_server_called.clone(), journal.clone(), wakes));
        for device in &scenario.devices {
            let config = DeviceConfig {
                name: device.name.clone(),
                app_key: settings.app_key.clone(),
                platform: device.platform,
                options: EngineOptions {
                    kick_reconnect_device: device.kick_reconnect_device,
                    deployment: DeploymentOptions {
                        file_server: device.file_server.clone(),
                        ..DeploymentOptions::default()
                    },
                    heartbeat_interval_ms: millis(settings.heartbeat_interval),
                    heartbeat_timeout_ms: millis(settings.heartbeat_timeout),
                },
                storage_dir: storage_root.join(&device.name),
                rng_seed: master.next_u64(),
            };
            world.borrow_mut().device_mut(&device.name);
            sim.host(device.name.as_str(), device_host(config, world.clone()));
        }
        Run {
            sim,
            world,
            server,
            app_key: settings.app_key.clone(),
            storage_root,
            tick: settings.tick,
            event_cursors: Default::default(),
            callback_cursors: Default::default(),
            events_scanned: 0,
            last_check: false,
            watchdog: None,
            current_step: None,
            ticks: 0,
            call_cursors: Default::default(),
            entries_read_sent: false,
            users: scenario.devices.iter().map(|device| (device.name.clone(), device.user.clone())).collect(),
            app_server_called,
            server_callbacks: Vec::new(),
            callback_cursor: 0,
            negative_window: NegativeWindow::default(),
            matched_events: BTreeMap::new(),
            matched_callbacks: BTreeSet::new(),
            checkpoints: BTreeMap::new(),
            journal,
            hostile_peers: 0,
            handed_over: true,
            jump_idle_time: true,
            initial_app_configs,
            config_changes: Vec::new(),
            group_changes: Vec::new(),
            reinstalled_at: BTreeMap::new(),
        }
    }

    /// Everything the run left behind, for the checkers.
    fn history(&self, state: &FinalState) -> History {
        let world = self.world.borrow();
        let server = self.server.borrow();
        let mut events: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        let mut calls = BTreeMap::new();
        for (device, log) in &world.devices {
            let installed = self.reinstalled_at.get(device).copied().unwrap_or_default();
            let mut all: Vec<&(Duration, Event)> =
                log.events.iter().chain(&log.callback_events).filter(|(at, _)| *at >= installed).collect();
            all.sort_by_key(|(at, _)| *at);
            events.insert(device.clone(), all.into_iter().map(|(_, event)| event.clone()).collect());
            calls.insert(device.clone(), log.calls.clone());
        }
        History {
            journal: self.journal.borrow().clone(),
            users: self.users.clone(),
            app_key: self.app_key.clone(),
            events,
            calls,
            stored: state.stored.clone(),
            unread_total: state.unread_total.clone(),
            conversations: state.conversations.clone(),
            app_configs: self.initial_app_configs.clone(),
            config_changes: self.config_changes.clone(),
            group_changes: self.group_changes.clone(),
            send_rate: server.config().client_send_rate,
            final_status: world.devices.iter().map(|(device, log)| (device.clone(), log.status)).collect(),
            reinstalled_at: self.reinstalled_at.clone(),
        }
    }

    fn final_state(&self) -> FinalState {
        let mut state = FinalState::default();
        for device in self.users.keys() {
            let user = self.users.get(device).map(String::as_str).unwrap_or_default();
            let (stored, unread, conversations) = match self.open_device_store(device) {
                Ok(store) => (
                    store.all_messages().unwrap_or_default(),
                    store.total_unread_count().unwrap_or_default(),
                    store.conversations(&EVERY_LISTED_CONVERSATION, user).unwrap_or_default(),
                ),
                Err(_) => (Vec::new(), 0, Vec::new()),
            };
            state.stored.insert(device.clone(), stored);
            state.unread_total.insert(device.clone(), unread);
            state.conversations.insert(device.clone(), conversations);
        }
        for (device, log) in &self.world.borrow().devices {
            state.events.insert(device.clone(), log.events.clone());
        }
        state
    }

    fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.storage_root);
    }

    fn now_unix_ms(&self) -> i64 {
        i64::try_from(self.sim.since_epoch().as_millis()).unwrap_or(i64::MAX)
    }

    /// A second connection to `device`'s database, for checks; an error if the device has not opened one yet.
    /// (SQLite in WAL mode lets it read while the engine writes.)
    fn open_device_store(&self, device: &str) -> Result<SqliteStore, String> {
        let user = self.users.get(device).ok_or_else(|| format!("no device {device}"))?;
        let path = database_path(&self.storage_root.join(device), &self.app_key, user);
        if !path.exists() {
            return Err(format!("{device} has no database yet"));
        }
        SqliteStore::open(&path).map_err(|e| format!("cannot open {device}'s database: {e}"))
    }

    fn record_step(&self, text: &str) {
        self.world.borrow_mut().trace.record(self.sim.elapsed(), "step", text);
    }

    fn execute(&mut self, scenario: &Scenario) -> Result<(), Failure> {
        // Boot every host once, so each device is listening for commands before the first step.
        self.step_once().map_err(|message| Failure { step_index: None, location: None, message })?;
        for (index, step) in scenario.steps.iter().enumerate() {
            self.current_step = Some(step.location);
            // Whatever a step does, it hands to the hosts for the next tick.
            self.handed_over = true;
            self.record_step(&step.describe());
            if step.kind.opens_negative_window() {
                self.open_negative_window();
            }
            self.execute_step(&step.kind).map_err(|message| Failure {
                step_index: Some(index),
                location: Some(step.location),
                message,
            })?;
        }
        Ok(())
    }

    /// Opens the window of the negative checks to come at this instant: they look at every event and callback
    /// from here on.
    fn open_negative_window(&mut self) {
        self.negative_window = self.window_here();
    }

    /// A window opening at this instant.
    fn window_here(&self) -> NegativeWindow {
        let world = self.world.borrow();
        NegativeWindow {
            opened_by: "the step that acted before the check".to_owned(),
            opened_at: self.sim.elapsed(),
            events: world.devices.iter().map(|(device, log)| (device.clone(), log.events.len())).collect(),
            callbacks: self.server_callbacks.len(),
        }
    }

    /// The window of a negative check: at the checkpoint `since`, or at the step that acted before it.
    fn window_of(&self, since: Option<&str>) -> Result<NegativeWindow, String> {
        match since {
            None => Ok(self.negative_window.clone()),
            Some(name) => self.checkpoints.get(name).cloned().ok_or_else(|| format!("no checkpoint {name} yet")),
        }
    }

    /// CALL-13 once the steps are done: lets simulated time run on until every accepted call owing a bounded result
    /// has had it, so that a missing result fails the run even when the scenario ends before the call's bound. Runs
    /// no tick when every call has been answered, as in most scenarios.
    fn settle_calls(&mut self) -> Result<(), Failure> {
        let unsettled = |world: &World| {
            world.ledger.first_deadline().is_some()
                || world.devices.values().any(|log| log.call_lists_queued > 0)
                || world.hostile_peers_pending > 0
        };
        // Calls still queued are made within a tick or two; their results are then bounded by the ledger.
        let give_up_at = self.sim.elapsed() + crate::ledger::RESULT_BOUND + crate::ledger::RESULT_BOUND;
        while unsettled(&self.world.borrow()) && self.sim.elapsed() < give_up_at {
            self.step_toward(give_up_at).map_err(|message| Failure { step_index: None, location: None, message })?;
        }
        Ok(())
    }

    fn execute_step(&mut self, kind: &StepKind) -> Result<(), String> {
        match kind {
            StepKind::Connect { device, timeout_seconds, token } => {
                let user = self.users.get(device).cloned().ok_or_else(|| format!("no device {device}"))?;
                let token = self.token_for(&user, *token)?;
                self.call(device, Call::Connect(Connect { token, timeout: *timeout_seconds }))
            }
            StepKind::Disconnect { device, receive_push } => {
                self.call(device, Call::Disconnect(Disconnect { receive_push: *receive_push }))
            }
            StepKind::Send { device, conversation_type, target_id, text, count, directed, keep_as } => {
                for n in 1..=*count {
                    let text = numbered_text(text, n);
                    let keep_as = if n == *count { keep_as.clone() } else { None };
                    let conversation = (*conversation_type, target_id.as_str());
                    let calls = short_forms::send_text(device, conversation, text, directed, keep_as, self.location());
                    self.command(device, DeviceCommand::Calls(calls))?;
                }
                Ok(())
            }
            StepKind::Call(step) => {
                let queued = QueuedCall {
                    arguments: step.arguments.clone(),
                    keep_as: step.keep_as.clone(),
                    location: self.location(),
                    callback: step.callback,
                };
                self.command(&step.device, DeviceCommand::Calls(vec![queued]))
            }
            StepKind::Advance(duration) => self.advance(*duration),
            StepKind::Checkpoint(name) => {
                let window = NegativeWindow { opened_by: format!("checkpoint {name}"), ..self.window_here() };
                self.checkpoints.insert(name.clone(), window);
                Ok(())
            }
            StepKind::Converge(duration) => {
                self.advance(*duration)?;
                let state = self.final_state();
                let violations = check::check_converged(&self.history(&state));
                if violations.is_empty() { Ok(()) } else { Err(check::describe(&violations)) }
            }
            StepKind::Partition(a, b) => {
                self.sim.partition(host_name(a), host_name(b));
                Ok(())
            }
            StepKind::Repair(a, b) => {
                self.sim.repair(host_name(a), host_name(b));
                Ok(())
            }
            StepKind::PartitionOneWay { from, to } => {
                self.sim.partition_oneway(host_name(from), host_name(to));
                Ok(())
            }
            StepKind::Hold(a, b) => {
                self.sim.hold(host_name(a), host_name(b));
                Ok(())
            }
            StepKind::Release(a, b) => {
                self.sim.release(host_name(a), host_name(b));
                Ok(())
            }
            StepKind::Latency { a, b, min, max } => {
                // turmoil sets a link's latency as one value, then its maximum alone.
                self.sim.set_link_latency(host_name(a), host_name(b), *min);
                self.sim.set_link_max_message_latency(host_name(a), host_name(b), *max);
                Ok(())
            }
            StepKind::RevokeTokens { user } => {
                let now_ms = self.now_unix_ms();
                self.server.borrow_mut().revoke_tokens(&self.app_key, user, now_ms).map_err(|e| e.to_string())
            }
            StepKind::Ban { user, duration } => {
                let now_ms = self.now_unix_ms();
                let duration_ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
                let banned = self.server.borrow_mut().ban_user(&self.app_key, user, now_ms, duration_ms);
                self.app_server_called.notify_one();
                banned.map_err(|e| e.to_string())
            }
            StepKind::HostilePeer { attack, seed } => self.add_hostile_peer(*attack, *seed),
            StepKind::AppSettings { settings, .. } => {
                let config = app_config(settings);
                self.server.borrow_mut().set_app_config(&self.app_key, config.clone()).map_err(|e| e.to_string())?;
                self.config_changes.push((self.sim.elapsed(), self.app_key.clone(), config));
                // What the change lets go out now (CFG-13: at once) goes out at once.
                self.app_server_called.notify_one();
                Ok(())
            }
            StepKind::Unban { user } => {
                self.server.borrow_mut().unban_user(&self.app_key, user).map_err(|e| e.to_string())
            }
            StepKind::BlacklistAdd { device, user } => {
                self.call(device, Call::AddToBlacklist(AddToBlacklist { user_id: user.clone() }))
            }
            StepKind::BlacklistRemove { device, user } => {
                self.call(device, Call::RemoveFromBlacklist(RemoveFromBlacklist { user_id: user.clone() }))
            }
            StepKind::BlacklistStatus { device, user } => {
                self.call(device, Call::GetBlacklistStatus(GetBlacklistStatus { user_id: user.clone() }))
            }
            StepKind::BlacklistGet { device } => self.call(device, Call::GetBlacklist(GetBlacklist {})),
            StepKind::CreateGroup { .. }
            | StepKind::DismissGroup { .. }
            | StepKind::AddMembers { .. }
            | StepKind::RemoveMembers { .. }
            | StepKind::MuteMember { .. }
            | StepKind::UnmuteMember { .. }
            | StepKind::MuteAll { .. }
            | StepKind::UnmuteAll { .. }
            | StepKind::ServerSend { .. }
            | StepKind::ServerBroadcast { .. }
            | StepKind::ChatroomAdmin(_) => {
                let result = self.app_server_call(kind);
                self.drain_server_callbacks();
                result
            }
            StepKind::ServerApi(step) => self.server_api(step),
            StepKind::Chatroom { device, call } => {
                let call = self.world.borrow().resolve_chatroom_call(device, call)?;
                self.call(device, short_forms::chatroom(call))
            }
            StepKind::Foreground { device } => self.command(device, DeviceCommand::AppForeground(true)),
            StepKind::Background { device } => self.command(device, DeviceCommand::AppForeground(false)),
            StepKind::NetworkLost { device } => {
                // The OS loses the network: the link goes, and the engine is told.
                self.sim.partition(device.as_str(), SERVER_HOST);
                self.command(device, DeviceCommand::NetworkAvailable(false))
            }
            StepKind::NetworkRestored { device } => {
                self.sim.repair(device.as_str(), SERVER_HOST);
                self.command(device, DeviceCommand::NetworkAvailable(true))
            }
            StepKind::Create { device, app_key } => {
                // ENG-5, ENG-6: the old engine is destroyed, so nothing it had in flight is owed any more.
                self.world.borrow_mut().ledger.engine_gone(device);
                self.command(device, DeviceCommand::Create { app_key: app_key.clone() })
            }
            StepKind::SetListener { device, listener, set } => {
                self.world.borrow_mut().ledger.listener_set(device, listener, *set);
                self.command(device, DeviceCommand::SetListener { listener: listener.clone(), set: *set })
            }
            StepKind::Crash { device } => {
                // The process dies; its database directory, outside the host, survives.
                self.sim.crash(device.as_str());
                let mut world = self.world.borrow_mut();
                world.ledger.engine_gone(device);
                world.wakes.borrow_mut().forget_device(device);
                // Calls queued for the dead boot are never made.
                world.device_mut(device).call_lists_queued = 0;
                Ok(())
            }
            StepKind::File { device, path, size } => {
                self.world.borrow_mut().device_mut(device).files.insert(path, file_content(*size));
                Ok(())
            }
            StepKind::Reinstall { device } => {
                if self.sim.is_host_running(device.as_str()) {
                    return Err(format!("{device} is running: crash it before reinstalling the app"));
                }
                // Uninstalling deletes the app's data: every database of the device.
                let storage = self.storage_root.join(device);
                match std::fs::remove_dir_all(&storage) {
                    Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                        return Err(format!("reinstall {device}: cannot delete {}: {error}", storage.display()));
                    }
                    _ => {}
                }
                self.reinstalled_at.insert(device.clone(), self.sim.elapsed());
                self.sim.bounce(device.as_str());
                self.step_once()
            }
            StepKind::Restart { device } => {
                if self.sim.is_host_running(device.as_str()) {
                    return Err(format!("{device} is running: crash it before restarting it"));
                }
                self.sim.bounce(device.as_str());
                // One tick boots the host, so the next step can talk to the new engine.
                self.step_once()
            }
            StepKind::Expect(Expectation {
                device,
                check: Check::NoEvent { listener, pattern, period, since },
                ..
            }) => self.expect_no_event(device, listener, pattern, *period, since.as_deref()),
            StepKind::Expect(expectation) => self.expect(expectation),
            StepKind::ExpectStatuses(expectation) => self.expect_statuses(expectation),
            StepKind::ExpectServerCallback(expectation) => self.expect_server_callback(expectation),
        }
    }

    /// Carries out a call of the App Server API (groups, Server-API sends, chatrooms), then wakes the server's host so
    /// that what the call produced (deliveries, kicks) goes out at once.
    fn app_server_call(&mut self, kind: &StepKind) -> Result<(), String> {
        let now_ms = self.now_unix_ms();
        let app_key = self.app_key.as_str();
        let mut server = self.server.borrow_mut();
        let result = match kind {
            StepKind::CreateGroup { group, name, members } => server.create_group(app_key, group, name, &ids(members)),
            StepKind::DismissGroup { group } => server.dismiss_group(app_key, group),
            StepKind::AddMembers { group, users } => server.add_group_members(app_key, group, &ids(users)),
            StepKind::RemoveMembers { group, users } => server.remove_group_members(app_key, group, &ids(users)),
            StepKind::MuteMember { group, user, duration } => {
                let duration_ms = duration.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                server.mute_group_members(app_key, group, &[user.as_str()], now_ms, duration_ms)
            }
            StepKind::UnmuteMember { group, user } => server.unmute_group_members(app_key, group, &[user.as_str()]),
            StepKind::MuteAll { group, whitelist } => server
                .set_group_mute_all(app_key, group, true)
                .and_then(|()| server.add_group_mute_whitelist(app_key, group, &ids(whitelist))),
            StepKind::UnmuteAll { group } => server.set_group_mute_all(app_key, group, false),
            StepKind::ServerSend { from, to, conversation_type, content, persisted, counted, verify_blacklist } => {
                let content = ApiMessage {
                    persisted: *persisted,
                    counted: *counted,
                    ..ApiMessage::from(encode_content(content))
                };
                let outcome = match conversation_type {
                    ConversationType::Private => {
                        let check = if *verify_blacklist { BlacklistCheck::Verify } else { BlacklistCheck::Ignore };
                        server.send_private_as(app_key, from, to, content, now_ms, check)
                    }
                    ConversationType::System => server.send_system_message(app_key, from, to, content, now_ms),
                    other => return Err(format!("the App Server API of this simulator sends no {other} messages yet")),
                };
                let note = match outcome.map_err(|e| e.to_string())? {
                    PublishOutcome::Accepted { message_uid, .. } => format!("server api sent uid={message_uid}"),
                    PublishOutcome::Refused { code } => format!("server api refused code={}", code.0),
                };
                drop(server);
                self.world.borrow_mut().trace.record(self.sim.elapsed(), "server", &note);
                self.app_server_called.notify_one();
                return Ok(());
            }
            StepKind::ServerBroadcast { from, content, persisted, counted } => {
                let message = ApiMessage {
                    persisted: *persisted,
                    counted: *counted,
                    ..ApiMessage::from(encode_content(content))
                };
                let note = match server.broadcast_system_message(app_key, from, message, now_ms) {
                    Ok(PublishOutcome::Accepted { message_uid, .. }) => {
                        format!("server api broadcast uid={message_uid}")
                    }
                    Ok(PublishOutcome::Refused { code }) => format!("server api refused code={}", code.0),
                    Err(error) => return Err(error.to_string()),
                };
                drop(server);
                self.world.borrow_mut().trace.record(self.sim.elapsed(), "server", &note);
                self.app_server_called.notify_one();
                return Ok(());
            }
            StepKind::ChatroomAdmin(admin) => {
                let note = chatroom_admin::call(&mut server, app_key, admin, now_ms).map_err(|e| e.to_string())?;
                drop(server);
                if let Some(note) = note {
                    self.world.borrow_mut().trace.record(self.sim.elapsed(), "server", &note);
                }
                self.app_server_called.notify_one();
                return Ok(());
            }
            _ => return Err("not an App Server API step".to_owned()),
        };
        drop(server);
        self.app_server_called.notify_one();
        result.map_err(|e| e.to_string())?;
        let change = match kind {
            StepKind::CreateGroup { group, members: users, .. } | StepKind::AddMembers { group, users } => {
                Some(GroupChange::Added { group: group.clone(), users: users.clone() })
            }
            StepKind::RemoveMembers { group, users } => {
                Some(GroupChange::Removed { group: group.clone(), users: users.clone() })
            }
            StepKind::DismissGroup { group } => Some(GroupChange::Dismissed { group: group.clone() }),
            _ => None,
        };
        self.group_changes.extend(change.map(|change| (self.sim.elapsed(), change)));
        Ok(())
    }

    /// Calls one endpoint of the App Server API table, then wakes the server's host so that what the call produced
    /// goes out at once, and checks the answer: against the step's `response`, or for code 200.
    fn server_api(&mut self, step: &ServerApiStep) -> Result<(), String> {
        let path = step.endpoint.path();
        let call = match &step.call {
            Some(call) => call.clone(),
            None => {
                let arguments =
                    arguments::resolve(&step.arguments, &self.world.borrow().kept).map_err(|error| error.message)?;
                ServerApiCall::from_parameters(step.endpoint, NodeDeserializer(&arguments))
                    .map_err(|error| format!("server_api {path}: {}", error.message))?
            }
        };
        let now_ms = self.now_unix_ms();
        let handled = self.server.borrow_mut().call_server_api(&self.app_key, call, now_ms);
        let code = handled.code();
        self.app_server_called.notify_one();
        self.drain_server_callbacks();
        let at = self.sim.elapsed();
        self.group_changes.extend(handled.group_changes.into_iter().map(|change| (at, change)));
        let response = handled.response;
        let rendered = serde_json::to_string(&response).unwrap_or_default();
        let mut world = self.world.borrow_mut();
        world.trace.record(at, "server", &format!("server api {path} -> {rendered}"));
        if let Some(name) = &step.keep_as {
            world.kept.insert(name.clone(), response.clone());
        }
        match &step.response {
            Some(pattern) => pattern
                .check(&response, &response, &world.kept)
                .map_err(|mismatch| format!("server_api {path} answered {rendered}: {mismatch}")),
            None if code == SERVER_API_SUCCESS => Ok(()),
            None => Err(format!("server_api {path} answered {rendered}; write `response:` to expect a failure")),
        }
    }

    /// A token of the kind the step asks for, issued now by the App Server API. (The server gives a user's tokens
    /// strictly increasing issue times, so a token issued right after a revocation is valid.)
    fn token_for(&mut self, user: &str, choice: TokenChoice) -> Result<String, String> {
        let now_ms = self.now_unix_ms();
        let mut server = self.server.borrow_mut();
        let token = match choice {
            TokenChoice::Valid => server.issue_token(&self.app_key, user, now_ms, None),
            TokenChoice::Malformed => Ok("this-is-not-a-token".to_owned()),
            TokenChoice::OtherApp => server.issue_token(OTHER_APP_KEY, user, now_ms, None),
            TokenChoice::Revoked => server
                .issue_token(&self.app_key, user, now_ms, None)
                .and_then(|token| server.revoke_tokens(&self.app_key, user, now_ms).map(|()| token)),
            // A token whose lifetime ends the moment it is issued: expired by the time it is presented.
            TokenChoice::Expired => server.issue_token(&self.app_key, user, now_ms, Some(now_ms)),
        };
        token.map_err(|e| e.to_string())
    }

    /// Adds a hostile peer (`crate::hostile`) to the network, signed up as a user of its own; it attacks at once.
    fn add_hostile_peer(&mut self, attack: Option<Attack>, seed: u64) -> Result<(), String> {
        if let Some(user) = self.users.values().find(|user| user.starts_with(HOSTILE_USER_PREFIX)) {
            return Err(format!("hostile_peer: user {user} of this scenario's devices is named like a hostile peer"));
        }
        self.hostile_peers += 1;
        let name = format!("{HOSTILE_USER_PREFIX}{}", self.hostile_peers);
        let now_ms = self.now_unix_ms();
        let (token, foreign_cursor) = {
            let mut server = self.server.borrow_mut();
            let token = server.issue_token(&self.app_key, &name, now_ms, None).map_err(|e| e.to_string())?;
            let foreign_cursor =
                self.users.values().map(|user| server.inbox_last_seq(&self.app_key, user)).max().unwrap_or(0);
            (token, foreign_cursor.max(1))
        };
        let setting = Setting { name, app_key: self.app_key.clone(), token, foreign_cursor };
        let plan = Plan::draw(seed, attack, &setting);
        self.world.borrow_mut().hostile_peers_pending += 1;
        self.sim.client(setting.name.as_str(), hostile_peer(plan, self.world.clone(), self.location()));
        Ok(())
    }

    /// Where the step being carried out is (nowhere, before the first step).
    fn location(&self) -> Location {
        self.current_step.unwrap_or(Location { line: 0, column: 0 })
    }

    /// Queues `call` on `device`, as a list of one.
    fn call(&mut self, device: &str, call: Call) -> Result<(), String> {
        let calls = vec![short_forms::ready(call, self.location())];
        self.command(device, DeviceCommand::Calls(calls))
    }

    fn command(&mut self, device: &str, command: DeviceCommand) -> Result<(), String> {
        let mut world = self.world.borrow_mut();
        let log = world.devices.get_mut(device).ok_or_else(|| format!("device {device} is not running"))?;
        let is_calls = matches!(command, DeviceCommand::Calls(_));
        let sender = log.commands.as_ref().ok_or_else(|| format!("device {device} is not running"))?;
        sender.send(command).map_err(|_| format!("device {device} is not running"))?;
        self.handed_over = true;
        if is_calls {
            log.call_lists_queued += 1;
        }
        Ok(())
    }

    /// Steps the simulation by one tick.
    fn step_once(&mut self) -> Result<(), String> {
        self.step_by(self.tick)
    }

    /// Steps the simulation toward `limit`: straight to the earliest instant at which anything is due when nothing
    /// is happening now (`crate::wakes`), otherwise by one tick; never past `limit` (rounded down to a whole tick).
    /// The run is the same either way, tick for tick.
    fn step_toward(&mut self, limit: Duration) -> Result<(), String> {
        match self.idle_until(limit) {
            Some(until) => self.step_by(until - self.sim.elapsed()),
            None => self.step_once(),
        }
    }

    /// When the simulation is idle (the runner has handed nothing to a host since the last tick, no hostile peer
    /// runs, nothing is on the network), the instant to jump to: the earliest of the hosts' timers and the calls'
    /// result bounds (CALL-13), rounded up to a whole tick as ticking would reach it, and `limit` rounded down.
    /// `None` when that is not at least two ticks away.
    fn idle_until(&self, limit: Duration) -> Option<Duration> {
        if !self.jump_idle_time || self.handed_over || self.tick.is_zero() {
            return None;
        }
        let world = self.world.borrow();
        if world.hostile_peers_pending > 0 {
            return None;
        }
        let mut in_flight = false;
        self.sim.links(|mut links| in_flight = links.any(|mut link| link.next().is_some()));
        if in_flight {
            return None;
        }
        let now = self.sim.elapsed();
        let ticks_to = |instant: Duration, round_up: bool| {
            let whole = instant.saturating_sub(now).as_nanos() / self.tick.as_nanos();
            let part = instant.saturating_sub(now).as_nanos() % self.tick.as_nanos();
            whole + u128::from(round_up && part > 0)
        };
        let mut ticks = ticks_to(limit, false);
        if let Some(wake) = world.wakes.borrow().earliest() {
            ticks = ticks.min(ticks_to(wake, true));
        }
        if let Some(bound) = world.ledger.first_deadline() {
            ticks = ticks.min(ticks_to(bound, true));
        }
        let ticks = u32::try_from(ticks).ok().filter(|ticks| *ticks >= 2)?;
        Some(now + self.tick * ticks)
    }

    /// Steps the simulation by `duration` (one tick, or a jump over idle time), then checks what every tick checks.
    fn step_by(&mut self, duration: Duration) -> Result<(), String> {
        self.sim.step_by(duration).map_err(|error| format!("the simulation failed: {error}"))?;
        self.handed_over = false;
        self.ticks += 1;
        if let Some(watchdog) = &mut self.watchdog {
            let progress = Progress { step: self.current_step, simulated: self.sim.elapsed(), ticks: self.ticks };
            watchdog.watch(&progress)?;
        }
        self.drain_server_callbacks();
        if let Some((at, message)) = self.world.borrow_mut().failures.pop() {
            return Err(format!("at {at}: {message}"));
        }
        let now = self.sim.elapsed();
        if let Some((at, message)) = self.world.borrow_mut().ledger.violation(now) {
            return Err(format!("the calling convention, for the call at {at}: {message}"));
        }
        self.check_server_invariants()
    }

    /// The chatroom bookkeeping is consistent (`Server::check_chatroom_invariants`), checked after every tick. (The
    /// sessions a platform class allows are judged from the wire when the run ends: the `sessions` checker.)
    fn check_server_invariants(&self) -> Result<(), String> {
        let server = self.server.borrow();
        server.check_chatroom_invariants().map_err(|problem| format!("invariant broken: {problem}"))
    }

    fn advance(&mut self, duration: Duration) -> Result<(), String> {
        let until = self.sim.elapsed() + duration;
        while self.sim.elapsed() < until {
            self.step_toward(until)?;
        }
        Ok(())
    }
}

/// The IDs of `users` as the server's API takes them.
fn ids(users: &[String]) -> Vec<&str> {
    users.iter().map(String::as_str).collect()
}

/// A duration in whole milliseconds, saturating.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The server's switches for the scenario's App Key (CFG-2, CFG-6, CFG-7, CFG-10, BIZ-24).
fn app_config(settings: &AppSettings) -> AppConfig {
    AppConfig {
        reconnect_kick_policy_enabled: settings.reconnect_kick_policy,
        mobile_devices_max: settings.mobile_devices_max,
        mini_program_devices_max: settings.mini_program_devices_max,
        multi_device_sync: settings.multi_device_sync,
        token_ttl_ms: settings.token_ttl.map(|ttl| i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)),
        compensation_days: settings.compensation_days,
        chatroom_multi_room: settings.chatroom_multi_room,
        chatroom_destroy_after_ms: i64::try_from(settings.chatroom_destroy_after.as_millis()).unwrap_or(i64::MAX),
        chatroom_member_events: settings.chatroom_member_events,
        chatroom_cloud_storage: settings.chatroom_cloud_storage,
        chatroom_kv: settings.chatroom_kv,
        chatroom_messages_per_second: settings.chatroom_messages_per_second,
        chatroom_join_message_types: settings
            .chatroom_join_message_types
            .as_ref()
            .map(|names| names.iter().cloned().collect()),
        chatroom_realtime_eviction: settings.chatroom_realtime_eviction,
        chatroom_status_callback: settings.chatroom_status_callback,
        chatroom_kv_callback: settings.chatroom_kv_callback,
        push_service: settings.push_service,
        group_offline_max_count: settings.group_offline_max_count,
        cloud_storage: settings.cloud_storage,
        delete_compensation_on_timestamp_delete: settings.delete_compensation_on_timestamp_delete,
        recall_own_only: settings.recall_own_only,
        directed_message_cloud_storage: settings.directed_message_cloud_storage,
        group_pre_join_history: settings.group_pre_join_history,
        ..AppConfig::default()
    }
}

fn host_name(endpoint: &Endpoint) -> &str {
    match endpoint {
        Endpoint::Server => SERVER_HOST,
        Endpoint::Device(name) => name.as_str(),
    }
}
