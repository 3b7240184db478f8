//! The explorer: random worlds by seed, every checker on every run, failures shrunk to a YAML scenario.
//!
//! A deterministic simulator earns its keep by running worlds nobody wrote (FoundationDB's simulation, TigerBeetle's
//! VOPR). A world ([`world::World`]) is drawn from its seed: devices, users, platforms, switches, and a timeline of
//! app calls drawn from the API table's own schema ([`arguments`]) and explicit faults. It is written out as an
//! ordinary scenario and run by the ordinary runner in two phases: a safety phase with the faults, during which
//! the checkers (`crate::check`) and the calling-convention ledger judge everything, then a liveness phase that heals
//! every fault, connects every device and requires convergence within [`world::CONVERGENCE_BOUND`].
//!
//! A world that breaks an invariant is shrunk ([`shrink`]): fewer operations, fewer devices, shorter waits, as long
//! as it still fails the same way; the result is a scenario file that `imsim run` replays.

pub mod arguments;
pub mod shrink;
pub mod world;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use imsim_engine::ErrorCode;
use imsim_engine::core::Event;

use crate::check::journal::{Via, Wire};
use crate::check::protocol::is_protocol_error;
use crate::check::{self, History};
use crate::runner::run_scenario_with_final_state;
use crate::scenario::parse_scenario;
use crate::server::ConnId;
use world::{FaultKind, Op, World};

/// What one world did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The world's seed.
    pub seed: u64,
    /// The invariant it broke, if it broke one.
    pub finding: Option<Finding>,
    /// Why the world could not be judged (its own scenario did not load or a step of it was impossible), if so:
    /// the generator's mistake, counted apart.
    pub invalid: Option<String>,
    /// The hash of its canonical trace.
    pub trace_hash: String,
    /// How many times each kind of fault and of interesting event happened, and each refusal code was seen (as
    /// `code N`, from the wire and from the app's calls).
    pub counters: BTreeMap<String, u64>,
    /// Simulated time at its end.
    pub simulated: Duration,
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Which: a checker's name, `calling-convention`, `server-invariant` or `simulation`.
    pub kind: String,
    /// The failure as the runner reported it.
    pub message: String,
}

/// The canonical trace of one run of `world` (empty if its scenario does not load).
pub fn world_trace(world: &World) -> String {
    let path = format!("explored/seed-{}.yaml", world.seed);
    let yaml = world.to_yaml(&format!("explored world {}", world.seed));
    parse_scenario(Path::new(&path), &yaml)
        .map(|scenario| crate::runner::run_scenario(&scenario, None).trace.render())
        .unwrap_or_default()
}

/// Runs `world` and judges it.
pub fn run_world(world: &World) -> Outcome {
    let path = format!("explored/seed-{}.yaml", world.seed);
    let yaml = world.to_yaml(&format!("explored world {}", world.seed));
    let mut outcome = Outcome {
        seed: world.seed,
        finding: None,
        invalid: None,
        trace_hash: String::new(),
        counters: BTreeMap::new(),
        simulated: Duration::ZERO,
    };
    let scenario = match parse_scenario(Path::new(&path), &yaml) {
        Ok(scenario) => scenario,
        Err(error) => {
            outcome.invalid = Some(format!("the world's scenario does not load: {error}"));
            return outcome;
        }
    };
    let (report, state) = run_scenario_with_final_state(&scenario, None);
    outcome.trace_hash = report.trace.hash();
    outcome.simulated = report.simulated;
    outcome.counters = counters(world, &state.history);
    if let Some(violation) = check::check(&state.history).first() {
        outcome.finding = Some(Finding { kind: violation.checker.to_owned(), message: violation.to_string() });
    } else if let Some(failure) = report.failure {
        let message = failure.message;
        let kind = if message.contains("checker converged") {
            "converged"
        } else if message.contains("the calling convention") {
            "calling-convention"
        } else if message.contains("invariant broken") {
            "server-invariant"
        } else if message.contains("the simulation failed") {
            "simulation"
        } else {
            outcome.invalid = Some(message);
            return outcome;
        };
        outcome.finding = Some(Finding { kind: kind.to_owned(), message });
    }
    outcome
}

/// The kinds of fault injected and of interesting event seen in one world, for a sweep's coverage.
fn counters(world: &World, history: &History) -> BTreeMap<String, u64> {
    let mut counters: BTreeMap<String, u64> = BTreeMap::new();
    for op in &world.ops {
        if let Op::FaultOn(kind, _) = op {
            *counters.entry(kind.name().to_owned()).or_default() += 1;
        }
    }
    let mut connects: BTreeMap<&str, u64> = BTreeMap::new();
    let mut publishes: BTreeMap<&str, u64> = BTreeMap::new();
    let index_devices: BTreeMap<_, _> = history
        .journal
        .entries()
        .iter()
        .filter_map(|entry| match &entry.wire {
            Wire::Connect { device_id, .. } => Some((entry.conn, device_id.as_str())),
            _ => None,
        })
        .collect();
    // Per connection: the highest sequence number a package sent and not yet acknowledged; a connection that closes
    // with one was cut in the middle of a catch-up. (A publish is answered the moment the server reads it, so a cut
    // send shows only as a publish resent.)
    let mut unacknowledged_package: BTreeMap<ConnId, u64> = BTreeMap::new();
    for entry in history.journal.entries() {
        match &entry.wire {
            Wire::Delivered { via: Via::Package, message } => {
                unacknowledged_package.insert(entry.conn, message.seq);
            }
            Wire::InboxAck { cursor } if unacknowledged_package.get(&entry.conn).is_some_and(|seq| cursor >= seq) => {
                unacknowledged_package.remove(&entry.conn);
            }
            Wire::Closed if unacknowledged_package.remove(&entry.conn).is_some() => {
                *counters.entry("package cut".to_owned()).or_default() += 1;
            }
            _ => {}
        }
        let event = match &entry.wire {
            Wire::Connected { .. } => {
                let device = index_devices.get(&entry.conn).copied().unwrap_or_default();
                let count = connects.entry(device).or_default();
                *count += 1;
                (*count > 1).then_some("reconnect")
            }
            Wire::SessionClosed { code } if *code == ErrorCode::DISCONN_KICK.to_wire() => Some("kick"),
            Wire::SessionClosed { code } if is_protocol_error(*code) => Some("hostile peer closed"),
            Wire::Delivered { via: Via::Package, .. } => Some("offline package message"),
            Wire::Delivered { via: Via::Chatroom, .. } => Some("chatroom delivery"),
            Wire::Delivered { via: Via::UltraGroup, .. } => Some("ultra group delivery"),
            Wire::PublishAck { code, .. } if *code == ErrorCode::SEND_MSG_FREQUENCY_OVERRUN.to_wire() => {
                Some("rate refusal")
            }
            Wire::Publish { client_message_id, .. } => {
                let count = publishes.entry(client_message_id).or_default();
                *count += 1;
                (*count > 1).then_some("publish resent")
            }
            _ => None,
        };
        if let Some(event) = event {
            *counters.entry(event.to_owned()).or_default() += 1;
        }
    }
    // Signals that reached another device and were applied there (RECALL-4, EXP-13, RCPT, GRCPT).
    let applied_signals: [(&str, SignalApplied); 3] = [
        ("recall applied", |event| matches!(event, Event::RemoteMessageRecalled { .. })),
        ("expansion change applied", |event| {
            matches!(
                event,
                Event::RemoteMessageExpansionUpdated { .. } | Event::RemoteMessageExpansionForKeyRemoved { .. }
            )
        }),
        ("read receipt received", |event| {
            matches!(
                event,
                Event::PrivateReadReceiptReceived { .. }
                    | Event::GroupMessageReadReceiptRequestReceived { .. }
                    | Event::GroupMessageReadReceiptResponseReceived { .. }
            )
        }),
    ];
    for (counter, applied) in applied_signals {
        let count = history.events.values().flatten().filter(|event| applied(event)).count();
        if count > 0 {
            counters.insert(counter.to_owned(), u64::try_from(count).unwrap_or(u64::MAX));
        }
    }
    let refused = history.calls.values().flatten().filter(|call| call.code != 0).count();
    if refused > 0 {
        counters.insert("refused call".to_owned(), u64::try_from(refused).unwrap_or(u64::MAX));
    }
    // Every refusal code seen: the app's calls refused by the engine, and the server's answers on the wire.
    let call_codes = history.calls.values().flatten().filter_map(|call| (call.code != 0).then_some(call.code));
    let wire_codes = history.journal.entries().iter().filter_map(|entry| match entry.wire {
        Wire::PublishAck { code, .. } | Wire::Response { code, .. } | Wire::SessionClosed { code } if code != 0 => {
            Some(ErrorCode::from_wire(code).0)
        }
        _ => None,
    });
    for code in call_codes.chain(wire_codes) {
        *counters.entry(format!("{REFUSAL_CODE_PREFIX}{code}")).or_default() += 1;
    }
    counters
}

/// The start of a refusal code's counter: `code 23406`.
pub const REFUSAL_CODE_PREFIX: &str = "code ";

/// The fault kinds and events a healthy sweep must see at least once; a harness that injects nothing cannot pass.
pub fn required_counters() -> Vec<&'static str> {
    let mut required: Vec<&'static str> = FaultKind::ALL.iter().map(|kind| kind.name()).collect();
    required.extend([
        "reconnect",
        "offline package message",
        "package cut",
        "publish resent",
        "rate refusal",
        "chatroom delivery",
        "refused call",
        "kick",
        "hostile peer closed",
    ]);
    required
}

/// Whether an event reports a signal applied on the device that reports it (a coverage counter of `explore`).
type SignalApplied = fn(&Event) -> bool;
