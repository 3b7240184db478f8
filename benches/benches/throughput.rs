//! The throughput workloads of `imsim bench` (issue 12's benchmarks 1, 2, 3, 5 and 6, described once in
//! `imsim_sim::bench::workloads`), under criterion: `throughput/<workload>/{subject,baseline}`, both sides in the same
//! run, so the ratio of each pair is what to read. `imsim bench` measures the same workloads and writes
//! `reports/throughput.md` with the ratios and charts; this bench is for criterion's statistics and comparisons
//! between runs.

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use imsim_sim::bench::{Baseline, Scale, Side, workloads};

/// Times `side` the way criterion asks: `iterations` prepared iterations, the preparation untimed.
fn time_side(side: &mut Side, iterations: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        let iteration = (side.prepare)();
        let started = Instant::now();
        std::hint::black_box(iteration());
        total += started.elapsed();
    }
    total
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("throughput");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    for mut workload in workloads::all(Scale::Full) {
        group.bench_function(format!("{}/subject", workload.name), |b| {
            b.iter_custom(|iterations| time_side(&mut workload.subject, iterations))
        });
        if let Baseline::Run(side) = &mut workload.baseline {
            group.bench_function(format!("{}/baseline", workload.name), |b| {
                b.iter_custom(|iterations| time_side(side, iterations))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
