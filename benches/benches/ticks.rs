//! What a simulated tick costs (issue 9): ticks per wall second with N connected, idle devices, beside bare turmoil
//! with the same hosts, the same tick and the same latency.
//!
//! - `ticks/imsim/N`: a scenario with N devices, each connected (the real engine, its SQLite database and its
//!   driver on a turmoil host, the fake server on another), then 20 simulated seconds of nothing (no heartbeat is
//!   due: the interval is 30 s). The runner steps one tick at a time and checks the server's invariants after each.
//! - `ticks/turmoil/N`: the baseline. A server host that accepts connections and reads from each, and N client hosts
//!   that each open one TCP connection and wait on it; stepped for the same number of ticks. This is what turmoil
//!   itself costs for N + 1 hosts with N idle connections; the difference is what imsim adds per tick.
//!
//! Throughput is simulated ticks (1 ms each) per wall second; the goal is at least 80 % of the baseline's.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use imsim_sim::bench::workloads::{connect_all_yaml, devices_yaml};
use imsim_sim::net::{NetworkSettings, SERVER_HOST, SERVER_PORT, sim_builder};
use imsim_sim::runner::run_scenario;
use imsim_sim::scenario::parse_scenario;
use tokio::io::AsyncReadExt as _;

const DEVICE_COUNTS: [usize; 4] = [2, 5, 10, 20];
/// The idle period each run steps through, after its devices have connected.
const IDLE: Duration = Duration::from_secs(20);
const TICK: Duration = Duration::from_millis(1);

/// N desktop devices of N users (so no device kicks another), each connected, then the idle period.
fn idle_scenario(devices: usize) -> String {
    format!(
        "name: {devices} idle devices\nrules: [CONN-4]\nseed: 1\n{}steps:\n{}  - advance: {}ms\n",
        devices_yaml(devices),
        connect_all_yaml(devices),
        IDLE.as_millis()
    )
}

/// Bare turmoil: `devices` clients each holding one idle connection to a server that reads from all of them, stepped
/// for `ticks` ticks.
fn bare_turmoil(devices: usize, ticks: u64) {
    let settings = NetworkSettings {
        rng_seed: 1,
        tick: TICK,
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(5),
    };
    let mut sim = sim_builder(settings).build();
    sim.host(SERVER_HOST, || async {
        let listener = turmoil::net::TcpListener::bind(("0.0.0.0", SERVER_PORT)).await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::task::spawn_local(async move {
                let mut buffer = [0_u8; 1024];
                while stream.read(&mut buffer).await.is_ok_and(|count| count > 0) {}
            });
        }
    });
    for n in 1..=devices {
        sim.host(format!("d{n}"), || async {
            let mut stream = turmoil::net::TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
            let mut buffer = [0_u8; 1024];
            while stream.read(&mut buffer).await.is_ok_and(|count| count > 0) {}
            Ok(())
        });
    }
    for _ in 0..ticks {
        sim.step().expect("the baseline runs");
    }
    black_box(sim.elapsed());
}

fn ticks(c: &mut Criterion) {
    let mut group = c.benchmark_group("ticks");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    for devices in DEVICE_COUNTS {
        let scenario = parse_scenario(Path::new("bench.yaml"), &idle_scenario(devices)).expect("a valid scenario");
        // The same number of ticks for both: the whole imsim run, connection phase included.
        let probe = run_scenario(&scenario, None);
        assert!(probe.passed(), "the idle scenario failed: {:?}", probe.failure);
        let run_ticks = u64::try_from(probe.simulated.as_millis()).expect("a short run");
        group.throughput(Throughput::Elements(run_ticks));
        group.bench_function(format!("imsim/{devices}"), |b| {
            b.iter(|| {
                let report = run_scenario(&scenario, None);
                assert!(report.passed());
                black_box(report.simulated)
            })
        });
        group.bench_function(format!("turmoil/{devices}"), |b| b.iter(|| bare_turmoil(devices, run_ticks)));
    }
    group.finish();
}

criterion_group!(benches, ticks);
criterion_main!(benches);
