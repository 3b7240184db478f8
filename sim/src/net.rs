//! The simulated network: the one place a turmoil `Sim` is built (`reference/dst-anchors.md` §7).
//!
//! turmoil is deterministic only if told to be: its RNG defaults to OS entropy and its epoch to the wall clock.
//! `sim_builder` always sets both, so the seed and the scenario alone decide every latency draw and every
//! timestamp. Hosts are registered in the scenario's order (the server first), which is also part of the
//! reproduction key.

use std::time::{Duration, SystemTime};

/// The simulation's epoch: 2024-08-30 00:00:00 UTC, the date of the manual the spec restates. Every wall-clock
/// value the engines and the server see is this plus simulated time (spec README decision 8).
pub const SIM_EPOCH_UNIX_MS: u64 = 1_724_976_000_000;

/// The port the fake server listens on inside the simulation.
pub const SERVER_PORT: u16 = 7_000;

/// The server's host name inside the simulation.
pub const SERVER_HOST: &str = "server";

/// How long a simulation may run before turmoil refuses to step further: far beyond any scenario (the runner
/// bounds runs itself), so turmoil's own 10-second default never cuts a scenario short.
const SIMULATION_DURATION_MAX: Duration = Duration::from_secs(60 * 60 * 24 * 30);

/// Per-stream window and listener backlog, in segments. turmoil panics when a listener's SYN backlog overflows
/// this, so it is sized well above any number of devices a scenario may declare.
const TCP_CAPACITY_SEGMENTS: usize = 1_024;

/// The network settings of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkSettings {
    /// The seed of turmoil's RNG (latency draws).
    pub rng_seed: u64,
    /// Simulated time per step.
    pub tick: Duration,
    /// The shortest one-way message latency.
    pub latency_min: Duration,
    /// The longest one-way message latency.
    pub latency_max: Duration,
}

/// A turmoil builder with every source of nondeterminism pinned.
pub fn sim_builder(settings: NetworkSettings) -> turmoil::Builder {
    let mut builder = turmoil::Builder::new();
    builder
        .rng_seed(settings.rng_seed)
        .epoch(SystemTime::UNIX_EPOCH + Duration::from_millis(SIM_EPOCH_UNIX_MS))
        .tick_duration(settings.tick)
        .min_message_latency(settings.latency_min)
        .max_message_latency(settings.latency_max)
        .simulation_duration(SIMULATION_DURATION_MAX)
        .tcp_capacity(TCP_CAPACITY_SEGMENTS);
    builder
}

/// Unix milliseconds on the simulation's clock, read from inside a host.
pub fn sim_unix_ms() -> i64 {
    let since_epoch = turmoil::since_epoch().unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
