//! The conformance run: each scenario under `scenarios/` is its own test case (a libtest-mimic harness), named by
//! its path under `scenarios/` (`chatrooms/join-and-leave.yaml`), so `cargo test --release -- chatrooms/` runs one
//! area, failures are listed by scenario and cargo-nextest can split them across machines. A scenario's case
//! passes when the scenario passes under its own seed with a canonical trace that matches its snapshot under
//! `fixtures/traces/`, gives the byte-identical trace when run again with that seed (tick by tick, without jumping
//! over idle time, when the run is short enough), and passes under a sweep of other seeds derived from its own. The harness's own checks (the seed drives the network, a few failure messages)
//! are cases beside them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use imsim_sim::cli::scenario_files;
use imsim_sim::runner::{RunReport, run_scenario, run_scenario_tick_by_tick, sweep_seeds};
use imsim_sim::scenario::{Scenario, load_scenario, parse_scenario};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let arguments = Arguments::from_args();
    let mut trials: Vec<Trial> = all_scenarios()
        .into_iter()
        .map(|scenario| {
            let name = case_name(&scenario);
            Trial::test(name, move || conformance_case(&scenario))
        })
        .collect();
    trials.extend([
        Trial::test("harness: the seed drives the network", the_seed_drives_the_network),
        Trial::test(
            "harness: a statuses check fails when no device has the status it expects",
            a_statuses_check_fails_when_no_device_has_the_status_it_expects,
        ),
        Trial::test(
            "harness: sameAs the first and the last message fail on the other end of the page",
            same_as_the_first_and_the_last_message_fail_on_the_other_end_of_the_page,
        ),
        Trial::test(
            "harness: a history page from sync_time needs an earlier page",
            a_history_page_from_sync_time_needs_an_earlier_page,
        ),
        Trial::test(
            "harness: a claimed rule whose coverage mark the run never reached fails the scenario",
            a_claimed_rule_whose_mark_the_run_never_reached_fails_the_scenario,
        ),
    ]);
    libtest_mimic::run(&arguments, trials).exit();
}
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

/// The longest run (in simulated time) that the determinism check runs again tick by tick: a few hundred thousand
/// ticks, a second or two of wall time; longer runs (an idle week) are run again with jumps.
const TICK_BY_TICK_SIMULATED_MAX: Duration = Duration::from_secs(5 * 60);

/// How many seeds each scenario runs under, its own included: a CI-sized default, raised with `IMSIM_SEEDS` (for
/// example `IMSIM_SEEDS=64 cargo test --release --test scenarios`).
const SWEEP_SEEDS_DEFAULT: usize = 4;

fn sweep_seed_count() -> usize {
    match std::env::var("IMSIM_SEEDS") {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("IMSIM_SEEDS={value:?} is not a number of seeds")),
        Err(_) => SWEEP_SEEDS_DEFAULT,
    }
}

/// A scenario's case name: its path under `scenarios/`, like `chatrooms/join-and-leave.yaml`.
fn case_name(scenario: &Scenario) -> String {
    let scenarios = workspace_root().join("scenarios");
    let relative = scenario.path.strip_prefix(&scenarios).unwrap_or(&scenario.path);
    relative.display().to_string().replace('\\', "/")
}

/// The environment variable that, set to 1, skips the comparison of every trace with its golden copy.
const NO_SNAPSHOTS: &str = "IMSIM_NO_SNAPSHOTS";

/// One scenario's conformance: it passes under its own seed and its trace matches the snapshot; the same seed gives
/// the same trace again, byte for byte; and it passes under the sweep's other seeds. (What a scenario asserts is
/// what its rules promise, so it holds under every network timing.)
fn conformance_case(scenario: &Scenario) -> Result<(), Failed> {
    let report = run_scenario(scenario, None);
    if !report.passed() {
        return Err(describe_failure(&report).into());
    }
    // `IMSIM_NO_SNAPSHOTS=1` (scripts/mutation) skips the golden traces, so that a mutant counts as caught only when
    // a check fails, not because its trace differs. (cargo-mutants sets insta's own INSTA_FORCE_PASS to 0.)
    if std::env::var_os(NO_SNAPSHOTS).is_none_or(|value| value != "1") {
        insta::with_settings!({
            snapshot_path => "../../fixtures/traces",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => scenario.name.clone(),
        }, {
            insta::assert_snapshot!(snapshot_name(scenario), report.trace.render());
        });
    }
    // The run again: the same seed must give the same trace byte for byte. A run short enough to step through tick
    // by tick is run again that way, without jumping over idle time, which holds the jumps to being exact too.
    let (again, how) = if report.simulated <= TICK_BY_TICK_SIMULATED_MAX {
        (run_scenario_tick_by_tick(scenario, None), "tick by tick (without jumping over idle time)")
    } else {
        (run_scenario(scenario, None), "the same way")
    };
    if again.trace.hash() != report.trace.hash() {
        return Err(format!(
            "not deterministic: the same seed gave another trace when run again {how}; replay: {}\nfirst:\n{}\n\
             second:\n{}",
            report.replay_command(),
            report.trace.render(),
            again.trace.render()
        )
        .into());
    }
    let failures: Vec<String> = sweep_seeds(scenario.seed, sweep_seed_count())
        .into_iter()
        .skip(1)
        .map(|seed| run_scenario(scenario, Some(seed)))
        .filter(|run| !run.passed())
        .map(|run| {
            let message = run.failure.as_ref().map_or("", |failure| failure.message.as_str());
            format!(
                "seed={} (derived from {})\n  at {}: {message}\n  replay: {}",
                run.seed,
                scenario.seed,
                run.failure_place().unwrap_or_default(),
                run.replay_command()
            )
        })
        .collect();
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n").into()) }
}

fn the_seed_drives_the_network() -> Result<(), Failed> {
    // A harness that ignored the seed would pass the determinism test trivially; with latency drawn from a range,
    // other seeds must give other timings.
    let scenario = all_scenarios()
        .into_iter()
        .find(|scenario| scenario.path.ends_with("messaging/private-text-both-ways.yaml"))
        .expect("the messaging scenario exists");
    let hashes: std::collections::BTreeSet<String> =
        (1..=4).map(|seed| run_scenario(&scenario, Some(seed)).trace.hash()).collect();
    assert!(hashes.len() > 1, "four seeds gave one trace");
    Ok(())
}

/// Runs an inline scenario and returns its failure message (`None` if it passed).
fn failure_of(text: &str) -> Option<String> {
    let scenario = parse_scenario(Path::new("inline.yaml"), text).unwrap_or_else(|error| panic!("{error}"));
    run_scenario(&scenario, None).failure.map(|failure| failure.message)
}

fn a_statuses_check_fails_when_no_device_has_the_status_it_expects() -> Result<(), Failed> {
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
    Ok(())
}

fn same_as_the_first_and_the_last_message_fail_on_the_other_end_of_the_page() -> Result<(), Failed> {
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
    Ok(())
}

fn a_history_page_from_sync_time_needs_an_earlier_page() -> Result<(), Failed> {
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
    Ok(())
}

/// SEND-2's code carries a coverage mark (the rate refusal): a scenario that claims it and sends once passes every
/// step and still fails; the sixth send in a second reaches the mark and passes.
fn a_claimed_rule_whose_mark_the_run_never_reached_fails_the_scenario() -> Result<(), Failed> {
    let sends = |count: u32| {
        format!(
            "name: n\nrules: [SEND-2]\nseed: 1\ndevices: {{ a: {{ user: zhangsan }}, b: {{ user: lisi }} }}\nsteps:\n  - \
             connect: a\n  - expect: {{ device: a, status: connected }}\n  - send: {{ device: a, to: lisi, text: \"m{{n}}\", \
             count: {count} }}\n  - advance: 500ms\n"
        )
    };
    let failure = failure_of(&sends(1)).expect("a claim of SEND-2 that never reached the rate refusal fails");
    assert!(
        failure.contains("claims SEND-2, whose code (marked with imsim_engine::mark!) the run never reached"),
        "{failure}"
    );
    assert_eq!(failure_of(&sends(6)), None, "the sixth send is refused: the mark is reached");
    Ok(())
}
