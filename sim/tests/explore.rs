//! The explorer in CI: a fixed budget of random worlds breaks no invariant, is judged (no world the generator got
//! wrong), repeats itself byte for byte, and exercises the faults and events it exists to exercise; and every
//! regression scenario an explorer finding left in `fixtures/regressions/` passes.
//!
//! The deep sweeps (`imsim explore --seeds 1000`) run outside `cargo test`; this budget keeps the conformance run
//! fast while still failing when a change breaks an invariant in the worlds it covers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use imsim_sim::cli::scenario_files;
use imsim_sim::explore::world::World;
use imsim_sim::explore::{required_counters, run_world};
use imsim_sim::runner::run_scenario;
use imsim_sim::scenario::load_scenario;

/// Worlds per `cargo test` run: about eight seconds of a release build, and enough for every required counter.
const WORLDS: u64 = 80;

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

#[test]
fn a_budget_of_random_worlds_breaks_no_invariant() {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for seed in 0..WORLDS {
        let world = World::generate(seed);
        let outcome = run_world(&world);
        if let Some(finding) = &outcome.finding {
            problems.push(format!(
                "seed {seed} broke {}:\n{}\n  replay: cargo run --release -p imsim-sim --bin imsim -- replay {seed}",
                finding.kind, finding.message
            ));
        }
        if let Some(reason) = &outcome.invalid {
            problems.push(format!("seed {seed} could not be judged (the generator's mistake): {reason}"));
        }
        for (name, count) in outcome.counters {
            *seen.entry(name).or_default() += count;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // What a sweep of any size must show, this budget shows too: every fault kind and every required event.
    let missing: Vec<&str> = required_counters().into_iter().filter(|name| !seen.contains_key(*name)).collect();
    assert!(missing.is_empty(), "no world of {WORLDS} had a {missing:?}; seen: {seen:?}");
}

#[test]
fn a_world_runs_the_same_twice() {
    for seed in [1, 17, 42] {
        let world = World::generate(seed);
        assert_eq!(World::generate(seed).to_yaml("w"), world.to_yaml("w"), "seed {seed}: the world itself");
        let (first, second) = (run_world(&world), run_world(&world));
        assert_eq!(first.trace_hash, second.trace_hash, "seed {seed}: replay with imsim replay {seed}");
        assert_eq!(first.counters, second.counters, "seed {seed}");
    }
}

#[test]
fn every_regression_scenario_passes() {
    let directory = workspace_root().join("fixtures/regressions");
    let files = scenario_files(&[directory]).expect("fixtures/regressions is readable");
    assert!(!files.is_empty(), "the explorer's regressions are kept here");
    let mut failures = Vec::new();
    for file in files {
        let scenario = load_scenario(&file).unwrap_or_else(|error| panic!("{error}"));
        let report = run_scenario(&scenario, None);
        if let Some(failure) = &report.failure {
            failures.push(format!("{}: {}\n  replay: {}", file.display(), failure.message, report.replay_command()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
