//! The conformance run: every scenario under `scenarios/` passes, its canonical trace matches the snapshot under
//! `fixtures/traces/`, it also passes under a sweep of other seeds derived from its own, and running it twice with
//! the same seed gives byte-identical traces.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use imsim_sim::cli::scenario_files;
use imsim_sim::runner::{RunReport, run_scenario, sweep_seeds};
use imsim_sim::scenario::{Scenario, load_scenario, parse_scenario};

fn workspace_root() -> PathBuf {
    // Canonical, so that failures and replay commands name `/path/to/imsim/scenarios/...`, not `sim/../scenarios`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

fn all_scenarios() -> Vec<Scenario> {
    let files = scenario_files(&[workspace_root().join("scenarios")]).expect("scenarios/ is readable");
    assert!(!files.is_empty(), "no scenarios found");
    files.iter().map(|file| load_scenario(file).unwrap_or_else(|error| panic!("{error}"))).collect()
}

/// The scenario's path relative to `scenarios/`, as snapshot names show it.
fn snapshot_name(scenario: &Scenario) -> String {
    let scenarios = workspace_root().join("scenarios");
    let relative = scenario.path.strip_prefix(&scenarios).unwrap_or(&scenario.path);
    relative.with_extension("").display().to_string().replace(['/', '\\'], "__")
}

fn describe_failure(report: &RunReport) -> String {
    let failure = report.failure.as_ref().expect("called on failures");
    format!(
        "{}: {}\n  seed: {}\n  replay: {}\n{}",
        report.failure_place().unwrap_or_default(),
        failure.message,
        report.seed,
        report.replay_command(),
        report.trace.render()
    )
}

#[test]
fn every_scenario_passes_and_matches_its_trace_snapshot() {
    let mut failures = Vec::new();
    for scenario in all_scenarios() {
        let report = run_scenario(&scenario, None);
        if !report.passed() {
            failures.push(describe_failure(&report));
            continue;
        }
        insta::with_settings!({
            snapshot_path => "../../fixtures/traces",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => scenario.name.clone(),
        }, {
            insta::assert_snapshot!(snapshot_name(&scenario), report.trace.render());
        });
    }
    assert!(failures.is_empty(), "{} scenario(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// How many seeds the sweep runs each scenario under, its own included: a CI-sized default, raised with
/// `IMSIM_SEEDS` (for example `IMSIM_SEEDS=64 cargo test --release --test scenarios`).
const SWEEP_SEEDS_DEFAULT: usize = 4;

fn sweep_seed_count() -> usize {
    match std::env::var("IMSIM_SEEDS") {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("IMSIM_SEEDS={value:?} is not a number of seeds")),
        Err(_) => SWEEP_SEEDS_DEFAULT,
    }
}

#[test]
fn every_scenario_passes_under_a_sweep_of_seeds() {
    // What a scenario asserts is what its rules promise, so it holds under every network timing; the scenario's own
    // seed is run by the snapshot test, the sweep runs the others `sweep_seeds` derives from it.
    let scenarios = all_scenarios();
    let count = sweep_seed_count();
    let runs: Vec<(&Scenario, u64)> = scenarios
        .iter()
        .flat_map(|scenario| sweep_seeds(scenario.seed, count).into_iter().skip(1).map(move |seed| (scenario, seed)))
        .collect();
    let next = Mutex::new(runs.iter());
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let Some(&(scenario, seed)) = next.lock().unwrap().next() else { break };
                    let report = run_scenario(scenario, Some(seed));
                    if let Some(failure) = &report.failure {
                        let line = format!(
                            "{} seed={}\n  at {}: {}\n  replay: {}",
                            scenario.path.display(),
                            seed,
                            report.failure_place().unwrap_or_default(),
                            failure.message,
                            report.replay_command()
                        );
                        failures.lock().unwrap().push((scenario.path.clone(), seed, line));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} runs failed (each scenario under {} seed(s) besides its own):\n{}",
        failures.len(),
        runs.len(),
        count.saturating_sub(1),
        failures.into_iter().map(|(_, _, line)| line).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_same_seed_gives_the_same_trace_byte_for_byte() {
    for scenario in all_scenarios() {
        let first = run_scenario(&scenario, None);
        let second = run_scenario(&scenario, None);
        assert_eq!(
            first.trace.hash(),
            second.trace.hash(),
            "{} is not deterministic; replay: {}\nfirst:\n{}\nsecond:\n{}",
            scenario.path.display(),
            first.replay_command(),
            first.trace.render(),
            second.trace.render()
        );
    }
}

#[test]
fn the_seed_drives_the_network() {
    // A harness that ignored the seed would pass the determinism test trivially; with latency drawn from a range,
    // other seeds must give other timings.
    let scenario = all_scenarios()
        .into_iter()
        .find(|scenario| scenario.path.ends_with("messaging/private-text-both-ways.yaml"))
        .expect("the messaging scenario exists");
    let hashes: std::collections::BTreeSet<String> =
        (1..=4).map(|seed| run_scenario(&scenario, Some(seed)).trace.hash()).collect();
    assert!(hashes.len() > 1, "four seeds gave one trace");
}

/// Runs an inline scenario and returns its failure message (`None` if it passed).
fn failure_of(text: &str) -> Option<String> {
    let scenario = parse_scenario(Path::new("inline.yaml"), text).unwrap_or_else(|error| panic!("{error}"));
    run_scenario(&scenario, None).failure.map(|failure| failure.message)
}

#[test]
fn a_statuses_check_fails_when_no_device_has_the_status_it_expects() {
    // The check the kicking race uses, on two users' devices: nobody is kicked, and the check must say so.
    let failure = failure_of(
        r#"name: n
rules: [KICK-1]
seed: 1
devices: { c: { user: lisi }, d: { user: wangwu } }
steps:
  - connect: c
  - connect: d
  - expect: { devices: [c, d], statuses: [connected, kickedOfflineByOtherClient], within: 2s }
"#,
    )
    .expect("the check fails");
    assert_eq!(failure, "expectation not met within 2s: the statuses are c connected, d connected");
}

#[test]
fn same_as_the_first_and_the_last_message_fail_on_the_other_end_of_the_page() {
    let history = |check: &str| {
        format!(
            r#"name: n
rules: [CR-45]
seed: 1
settings: {{ app: {{ chatroom_cloud_storage: true }} }}
devices: {{ a: {{ user: zhangsan }} }}
steps:
  - connect: a
  - expect: {{ device: a, status: connected }}
  - join_chatroom: {{ device: a, room: r1, auto_create: true }}
  - expect: {{ device: a, event: onChatRoomJoined, code: 0 }}
  - send: {{ device: a, type: chatroom, to: r1, text: m1 }}
  - advance: 100ms
  - send: {{ device: a, type: chatroom, to: r1, text: m2 }}
  - expect: {{ device: a, event: onMessageSent, code: 0, message: {{ text: m2 }} }}
  - chatroom_history: {{ device: a, room: r1, order: before, count: 2 }}
  - expect: {{ device: a, event: onChatRoomMessagesLoaded, code: 0, messages: [{{ text: m1 }}, {{ text: m2 }}], syncTime: {{ $sameAs: {check} }}, within: 1s }}
"#
        )
    };
    let (oldest, newest) = ("messages.0.sentTime", "messages.-1.sentTime");
    assert_eq!(failure_of(&history(oldest)), None, "order before: syncTime is the oldest message's sent time");
    let failure = failure_of(&history(newest)).expect("the newest is the wrong end for order before");
    assert!(failure.contains("differs: syncTime: expected messages.-1.sentTime = "), "{failure}");
}

#[test]
fn a_history_page_from_sync_time_needs_an_earlier_page() {
    let failure = failure_of(
        r#"name: n
rules: [CR-26]
seed: 1
devices: { a: { user: zhangsan } }
steps:
  - chatroom_history: { device: a, room: r1, timestamp: sync_time, count: 3 }
"#,
    )
    .expect("there is no syncTime to start from");
    assert_eq!(failure, r#"chatroom_history from sync_time, but a has had no chatRoomMessagesLoaded of "r1" yet"#);
}
