//! The `imsim` binary as a user meets it: exit codes, pass and fail lines, the summary, and on failure the seed and
//! the one command that replays it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn imsim(args: &[&str]) -> (Output, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_imsim")).args(args).current_dir(root()).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output, stdout)
}

#[test]
fn a_passing_scenario_exits_zero_with_a_summary() {
    let (output, stdout) = imsim(&["run", "scenarios/connection/connect-succeeds.yaml", "--trace"]);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("PASS connect opens the database, then connects"), "{stdout}");
    assert!(stdout.contains("event connected code=0 user=zhangsan"), "--trace prints the trace: {stdout}");
    assert!(stdout.contains("trace sha256: "), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 0 failed"), "{stdout}");
}

#[test]
fn a_failing_scenario_prints_its_seed_and_replay_command_and_exits_non_zero() {
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/wrong-status.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL a scenario that expects the wrong status"), "{stdout}");
    assert!(stdout.contains("fixtures/failing-scenarios/wrong-status.yaml:9:5"), "the step's place: {stdout}");
    assert!(stdout.contains("has status connected, expected signOut"), "{stdout}");
    assert!(stdout.contains("seed: 99"), "{stdout}");
    assert!(
        stdout.contains(
            "replay: cargo run --release -p imsim-sim --bin imsim -- run \
             fixtures/failing-scenarios/wrong-status.yaml --seed 99 --trace"
        ),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_seed_override_is_used_and_reported() {
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/wrong-status.yaml", "--seed", "7"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.contains("seed=7") && stdout.contains("seed: 7"), "{stdout}");
}

#[test]
fn a_scenario_that_does_not_parse_is_a_failure_naming_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("imsim-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "name: x\nrules: [CONN-1]\nseed: 1\ndevices:\n  a: { user: u }\nsteps:\n  - jump: a\n")
        .expect("written");
    let (output, stdout) = imsim(&["run", file.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("bad.yaml:7:"), "names the line: {stdout}");
    assert!(stdout.contains("jump"), "names the unknown step: {stdout}");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let (output, _) = imsim(&["run", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_report_counts_rules_against_the_spec() {
    let report = std::env::temp_dir().join(format!("imsim-report-{}.md", std::process::id()));
    let (output, stdout) =
        imsim(&["run", "scenarios/connection/connect-succeeds.yaml", "--report", report.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{stdout}");
    let text = std::fs::read_to_string(&report).expect("the report was written");
    let _ = std::fs::remove_file(&report);
    assert!(text.contains("- Scenarios: 1 passed, 0 failed."), "{text}");
    assert!(text.contains("Spec rules checked by a scenario: 9 of 738"), "{text}");
    assert!(text.contains("| CONN-4 | part1.md | pass | connect opens the database, then connects |"), "{text}");
    assert!(text.contains("| KICK-3 | part1.md | not yet checked |  |"), "{text}");
}
