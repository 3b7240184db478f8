//! The `imsim` binary as a user meets it: exit codes, pass and fail lines, the summary, and on failure the seed and
//! the one command that replays it; which files a run visits (symlink loops, duplicates, extensions, empty paths),
//! the checks made before anything runs, what a failed expectation shows, and seed sweeps. The symlinks are made
//! in a temporary directory at test time, never committed.

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
    assert!(stdout.contains(r#"event onConnected code=0 userId="zhangsan""#), "--trace prints the trace: {stdout}");
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
    let (output, stdout) = imsim(&["run", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stderr).trim_end(), "error: no/such/dir does not exist");
    assert!(stdout.is_empty(), "{stdout}");
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
    assert!(text.contains("- Spec rules checked: ") && text.contains(" of 738 ("), "{text}");
    assert!(text.contains("): 4 by a scenario, "), "{text}");
    assert!(text.contains("- Checked only in part: 4 more, "), "{text}");
    // Each rule links to its section of the spec (the anchor GitHub gives the heading), with its line.
    assert!(
        text.contains(
            "| [CONN-5](../docs/spec/part1.md#connection-conn) | part1.md:240 | pass | scenario | reached | connect opens \
             the database, then connects |"
        ),
        "{text}"
    );
    assert!(text.contains("| [KICK-3](../docs/spec/part1.md#reconnect-kicking-policy-kick) | part1.md:"), "{text}");
    assert!(text.contains("| not yet checked |  |"), "{text}");
    assert!(
        text.contains(
            "| [CONN-4](../docs/spec/part1.md#connection-conn) | part1.md:237 | checked only in part |  | marked | \
             connect opens the database, then connects (in part; not yet: the per-call RCIMIWConnectCallback"
        ),
        "{text}"
    );
    assert!(text.contains("| [CR-10](../docs/spec/part2.md#joining) | part2.md:"), "{text}");
}

/// A fresh, empty directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("imsim-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn arg(&self, relative: &str) -> String {
        self.path(relative).to_str().expect("utf-8 path").to_owned()
    }

    /// Writes `text` to `relative`, making its directories.
    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
        std::fs::write(&path, text).expect("written");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A scenario that passes in a few simulated milliseconds.
fn passing_scenario(name: &str) -> String {
    format!(
        "name: {name}\nrules: [CONN-3]\nseed: 3\ndevices:\n  a: {{ user: zhangsan }}\nsteps:\n  - connect: a\n  - \
         expect: {{ device: a, status: connected }}\n"
    )
}

/// The binary's stdout and stderr, run on `args`; fails the test if it runs for more than a minute.
fn imsim_within_a_minute(args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imsim"))
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let started = std::time::Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("imsim {args:?} still ran after a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn count_lines_starting(stdout: &str, prefix: &str) -> usize {
    stdout.lines().filter(|line| line.starts_with(prefix)).count()
}

#[cfg(unix)]
#[test]
fn a_directory_with_a_symlink_to_itself_runs_its_scenarios_once() {
    let dir = TempDir::new("self-link");
    dir.write("suite/a.yaml", &passing_scenario("the one scenario"));
    std::os::unix::fs::symlink(dir.path("suite"), dir.path("suite/again")).expect("symlink");
    let (code, stdout, stderr) = imsim_within_a_minute(&["run", &dir.arg("suite")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(count_lines_starting(&stdout, "PASS the one scenario"), 1, "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 0 failed"), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        format!("warning: skipped {}: symlink loop (it leads back to {})", dir.arg("suite/again"), dir.arg("suite"))
    );
}

#[cfg(unix)]
#[test]
fn two_looping_links_and_a_link_to_a_sibling_neither_hang_nor_repeat() {
    let dir = TempDir::new("two-links");
    dir.write("suite/a.yaml", &passing_scenario("first"));
    dir.write("suite/sub/b.yml", &passing_scenario("second"));
    std::os::unix::fs::symlink(dir.path("suite"), dir.path("suite/loop1")).expect("symlink");
    std::os::unix::fs::symlink("..", dir.path("suite/sub/loop2")).expect("symlink");
    // Not a loop: the same directory reached under another name, whose files run once.
    std::os::unix::fs::symlink("sub", dir.path("suite/sub-again")).expect("symlink");
    let (code, stdout, stderr) = imsim_within_a_minute(&["run", &dir.arg("suite")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(count_lines_starting(&stdout, "PASS first"), 1, "{stdout}");
    assert_eq!(count_lines_starting(&stdout, "PASS second"), 1, "{stdout}");
    assert!(stdout.trim_end().ends_with("2 passed, 0 failed"), "{stdout}");
    // loop1, sub/loop2, and sub/loop2 again as reached through sub-again: each skipped, with a word on stderr.
    assert_eq!(stderr.matches("symlink loop").count(), 3, "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_looping_path_on_the_command_line_is_a_symlink_loop() {
    let dir = TempDir::new("loop-arg");
    std::os::unix::fs::symlink(dir.path("ping"), dir.path("pong")).expect("symlink");
    std::os::unix::fs::symlink(dir.path("pong"), dir.path("ping")).expect("symlink");
    let (code, stdout, stderr) = imsim_within_a_minute(&["run", &dir.arg("ping")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!("error: {}: symlink loop (following its links never reaches a file or directory)", dir.arg("ping"))
    );
    assert!(stdout.is_empty(), "nothing ran: {stdout}");
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_on_the_command_line_says_where_it_points() {
    let dir = TempDir::new("dangling");
    std::os::unix::fs::symlink(dir.path("nowhere.yaml"), dir.path("link.yaml")).expect("symlink");
    let (code, _, stderr) = imsim_within_a_minute(&["run", &dir.arg("link.yaml")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!("error: {} is a symlink to {}, which does not exist", dir.arg("link.yaml"), dir.arg("nowhere.yaml"))
    );
}

#[test]
fn a_file_given_twice_or_also_inside_a_given_directory_runs_once_and_is_reported_once() {
    let dir = TempDir::new("dupes");
    dir.write("suite/a.yaml", &passing_scenario("scenario a"));
    dir.write("suite/b.yaml", &passing_scenario("scenario b"));
    let report = dir.path("report.md");
    let a = dir.arg("suite/a.yaml");
    let roundabout = dir.arg("suite/../suite/a.yaml");
    let args = ["run", &a, &dir.arg("suite"), &a, &roundabout, "--report", report.to_str().expect("utf-8")];
    let (code, stdout, stderr) = imsim_within_a_minute(&args);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let verdicts: Vec<&str> = stdout.lines().filter(|line| line.starts_with("PASS")).collect();
    assert_eq!(verdicts.len(), 2, "{stdout}");
    // The order given, the file as first given: a (given first), then the rest of the directory.
    assert!(verdicts[0].starts_with(&format!("PASS scenario a ({a})")), "{stdout}");
    assert!(verdicts[1].starts_with("PASS scenario b"), "{stdout}");
    assert!(stdout.trim_end().ends_with("2 passed, 0 failed"), "{stdout}");
    let text = std::fs::read_to_string(&report).expect("the report was written");
    assert!(text.contains("- Scenarios: 2 passed, 0 failed."), "{text}");
    assert_eq!(text.matches("| pass | scenario a |").count(), 1, "{text}");
}

#[test]
fn scenario_files_match_yaml_and_yml_in_any_case_and_nothing_else() {
    let dir = TempDir::new("extensions");
    for name in ["a.YAML", "b.Yml", "c.yaml", "d.yml"] {
        dir.write(&format!("suite/{name}"), &passing_scenario(name));
    }
    dir.write("suite/notes.txt", "not a scenario");
    dir.write("suite/e.yaml.bak", "not a scenario either");
    let files = imsim_sim::cli::scenario_files(&[dir.path("suite")]).expect("found");
    let names: Vec<String> =
        files.iter().map(|file| file.file_name().expect("a name").to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["a.YAML", "b.Yml", "c.yaml", "d.yml"]);
    let (code, stdout, _) = imsim_within_a_minute(&["run", &dir.arg("suite")]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.trim_end().ends_with("4 passed, 0 failed"), "{stdout}");
}

#[test]
fn a_path_with_no_scenarios_says_so_and_runs_nothing() {
    let dir = TempDir::new("empty");
    dir.write("suite/README.txt", "no scenarios here");
    dir.write("other/a.yaml", &passing_scenario("a"));
    let (code, stdout, stderr) = imsim_within_a_minute(&["run", &dir.arg("other"), &dir.arg("suite")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!("error: no scenarios found under {} (scenarios are *.yaml or *.yml files)", dir.arg("suite"))
    );
    assert!(stdout.is_empty(), "nothing ran: {stdout}");
}

#[test]
fn an_unwritable_report_path_is_refused_before_anything_runs() {
    let dir = TempDir::new("report-path");
    dir.write("a.yaml", &passing_scenario("a"));
    let missing = dir.path("no-such-dir/report.md");
    let (code, stdout, stderr) =
        imsim_within_a_minute(&["run", &dir.arg("a.yaml"), "--report", missing.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: cannot write the report to {}: its directory {} does not exist; nothing was run",
            missing.display(),
            dir.arg("no-such-dir")
        )
    );
    assert!(stdout.is_empty(), "nothing ran: {stdout}");
    // A directory is no report file either (a permission check would not hold as root, which CI runs as).
    let (code, stdout, stderr) = imsim_within_a_minute(&["run", &dir.arg("a.yaml"), "--report", &dir.arg("")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("it is a directory; nothing was run"), "{stderr}");
    assert!(stdout.is_empty(), "nothing ran: {stdout}");
    // A report path that can be written is not left behind by the check when the run cannot start.
    let fine = dir.path("fine.md");
    let (code, _, _) =
        imsim_within_a_minute(&["run", &dir.arg("nothing.yaml"), "--report", fine.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(!fine.exists());
}

#[test]
fn a_failed_unread_check_shows_the_count_it_saw_and_within_zero_reads_0ms() {
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/unread-wrong-count.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "at fixtures/failing-scenarios/unread-wrong-count.yaml:14:5: expectation not met within 3s: b counts 1 \
             unread in private:zhangsan, expected 3"
        ),
        "{stdout}"
    );
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/within-zero.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "at fixtures/failing-scenarios/within-zero.yaml:9:5: expectation not met within 0ms: a has status \
             unconnected, expected connected"
        ),
        "{stdout}"
    );
}

#[test]
fn a_failed_stored_check_shows_the_count_it_saw() {
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/stored-wrong-count.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("expectation not met within 2s: b stores 2 messages of private:zhangsan, expected 5"),
        "{stdout}"
    );
}

#[test]
fn the_yaml_size_budget_is_refused_in_words() {
    let dir = TempDir::new("budget");
    let items = vec!["CONN-1"; 250_001].join(", ");
    let file = dir.write("huge.yaml", &format!("name: huge\nrules: [{items}]\n"));
    let (output, stdout) = imsim(&["run", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", &stdout[..stdout.len().min(2_000)]);
    assert!(
        stdout.contains(
            "invalid YAML: the file is too large for a scenario: it has more than 250000 values, sequences and \
             mappings; split it into several scenarios"
        ),
        "{}",
        &stdout[..stdout.len().min(2_000)]
    );
    assert!(!stdout.contains("Nodes {") && !stdout.contains("budget breached"), "{stdout}");
}

#[test]
fn a_huge_name_and_rules_list_are_cut_in_the_pass_line() {
    let dir = TempDir::new("huge-fields");
    let name = "n".repeat(5_000);
    // Rules whose code carries a coverage mark would need the run to reach it; these need nothing.
    let rules: Vec<&str> = imsim_sim::spec::rules()
        .iter()
        .map(|rule| rule.id)
        .filter(|rule| !imsim_sim::markers::is_marked(rule))
        .take(300)
        .collect();
    let file = dir.write(
        "a.yaml",
        &format!(
            "name: {name}\nrules: [{}]\nseed: 3\ndevices:\n  a: {{ user: zhangsan }}\nsteps:\n  - connect: a\n",
            rules.join(", ")
        ),
    );
    let (output, stdout) = imsim(&["run", file.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{stdout}");
    let line = stdout.lines().find(|line| line.starts_with("PASS")).expect("a PASS line");
    assert!(line.starts_with(&format!("PASS {}… (", "n".repeat(119))), "{line}");
    assert!(line.ends_with(", … (300 rules)]"), "{line}");
    assert!(line.chars().count() < 450, "{} characters: {line}", line.chars().count());
}

#[test]
fn seeds_sweeps_each_scenario_and_the_report_says_under_how_many_it_passed() {
    let dir = TempDir::new("seeds");
    let report = dir.path("report.md");
    let (output, stdout) = imsim(&[
        "run",
        "scenarios/connection/connect-succeeds.yaml",
        "--seeds",
        "3",
        "--report",
        report.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("PASS connect opens the database, then connects (scenarios/connection/connect-succeeds.yaml) seed=1, 3/3 seeds (simulated "), "{stdout}");
    let text = std::fs::read_to_string(&report).expect("the report was written");
    assert!(text.contains("- Each scenario ran under 3 seeds: its own, then 2 derived from it;"), "{text}");
    assert!(
        text.contains(
            "| pass | connect opens the database, then connects | `scenarios/connection/connect-succeeds.yaml` | 1 | \
             3/3 seeds |"
        ),
        "{text}"
    );
}

#[test]
fn a_failure_under_a_derived_seed_prints_that_seed_and_its_replay_command() {
    let derived = imsim_sim::runner::sweep_seeds(99, 2)[1];
    let (output, stdout) = imsim(&["run", "fixtures/failing-scenarios/wrong-status.yaml", "--seeds", "2"]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL a scenario that expects the wrong status (fixtures/failing-scenarios/wrong-status.yaml) seed=99, 0/2 seeds"), "{stdout}");
    assert!(stdout.contains("  seed: 99\n"), "{stdout}");
    assert!(stdout.contains(&format!("  seed: {derived} (derived from seed 99 by --seeds)\n")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "replay: cargo run --release -p imsim-sim --bin imsim -- run fixtures/failing-scenarios/wrong-status.yaml \
             --seed {derived} --trace"
        )),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn seeds_must_be_at_least_one() {
    let (output, _) = imsim(&["run", "scenarios/connection/connect-succeeds.yaml", "--seeds", "0"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_readme_main_job_is_the_one_ci_runs() {
    let read = |path: &str| std::fs::read_to_string(root().join(path)).expect("readable");
    let main_job = |text: &str, prefix: &str| -> String {
        let line = text.lines().find(|line| line.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix:?}"));
        // The arguments, but for where the report goes (CI writes it beside the committed one, to compare them).
        line[prefix.len()..].split(" --report ").next().unwrap_or_default().to_owned()
    };
    let readme = main_job(&read("README.md"), "cargo run --release -p imsim-sim --bin imsim -- run ");
    let ci = main_job(&read(".ci/run"), "cargo run --release --locked -p imsim-sim --bin imsim -- run ");
    assert_eq!(readme, ci);
    assert_eq!(readme, "scenarios --seeds 4");
}

#[test]
fn a_run_past_its_wall_clock_budget_fails_at_its_step_with_the_simulated_instant() {
    // Twenty thousand messages keep the run busy (no idle time to jump over) for seconds; the budget ends it
    // after one second.
    let started = std::time::Instant::now();
    let (output, stdout) = imsim(&["run", "fixtures/slow-scenarios/twenty-thousand-messages.yaml", "--timeout", "1s"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "the budget did not stop the run");
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .contains("at fixtures/slow-scenarios/twenty-thousand-messages.yaml:15:5: timed out: still running after"),
        "names the advance step: {stdout}"
    );
    assert!(stdout.contains("of wall time (the budget of --timeout 1s), at simulated "), "{stdout}");
    assert!(stdout.contains("seed: 3"), "{stdout}");
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_zero_or_malformed_timeout_is_a_usage_error() {
    for bad in ["0s", "5", "soon"] {
        let (output, _) = imsim(&["run", "scenarios/connection/connect-succeeds.yaml", "--timeout", bad]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--timeout {bad}: {stderr}");
        assert!(stderr.contains("invalid value"), "--timeout {bad}: {stderr}");
    }
}

#[test]
fn explore_runs_its_shard_of_the_seeds_and_replay_shows_one_world() {
    let regressions = std::env::temp_dir().join(format!("imsim-explore-{}", std::process::id()));
    let regressions_arg = regressions.to_string_lossy().into_owned();
    let args = ["explore", "--seeds", "6", "--from", "100", "--shard", "1/3", "--regressions", &regressions_arg];
    let (output, stdout) = imsim(&args);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("2 worlds in "), "seeds 101 and 104 of 100..106: {stdout}");
    assert!(stdout.contains("\nno findings\n"), "{stdout}");
    assert!(!regressions.exists(), "nothing written without a finding");

    let (output, _) = imsim(&["explore", "--shard", "3/3"]);
    assert_eq!(output.status.code(), Some(2), "a shard index must be below the count");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expected 0 <= I < N"), "{stderr}");

    let (output, stdout) = imsim(&["replay", "104"]);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("name: \"explored world 104\""), "the world as a scenario: {stdout}");
    assert!(stdout.contains("converge: 90s"), "its liveness phase: {stdout}");
    assert!(stdout.trim_end().lines().last().unwrap_or_default().starts_with("no findings (trace "), "{stdout}");
}

/// A fresh temporary directory for one test's output files.
fn output_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imsim-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The output lines of a run, with the wall-clock part of each verdict line (` in 0.123 s wall, 85x`: the one
/// thing that may differ) cut.
fn without_wall_times(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|line| !line.starts_with("SLOW "))
        .map(|line| {
            let wall = line.find(" wall, ").and_then(|wall| Some((line[..wall].rfind(" in ")?, wall)));
            match wall.and_then(|(start, wall)| Some((start, wall + line[wall..].find(')')?))) {
                Some((start, end)) => format!("{}{}", &line[..start], &line[end..]),
                None => line.to_owned(),
            }
        })
        .collect()
}

/// `--jobs` changes how many scenarios run at once and nothing else: the output (in file order), the report and the
/// JSON are the same with one job and with three.
#[test]
fn the_results_are_the_same_whatever_the_number_of_jobs() {
    let dir = output_dir("jobs");
    let mut runs = Vec::new();
    for jobs in ["1", "3"] {
        let (report, json) = (dir.join(format!("report-{jobs}.md")), dir.join(format!("results-{jobs}.json")));
        let (report_arg, json_arg) = (report.to_string_lossy().into_owned(), json.to_string_lossy().into_owned());
        let args = ["run", "scenarios/sync", "scenarios/protocol", "--seeds", "2", "--jobs", jobs];
        let (output, stdout) = imsim(&[&args[..], &["--report", &report_arg, "--json", &json_arg]].concat());
        assert!(output.status.success(), "{stdout}");
        let read = |path: &Path| std::fs::read_to_string(path).expect("written");
        runs.push((without_wall_times(&stdout), read(&report), read(&json)));
    }
    assert_eq!(runs[0].0, runs[1].0, "the output, in file order");
    assert_eq!(runs[0].1, runs[1].1, "the report");
    assert_eq!(runs[0].2, runs[1].2, "the JSON");
    assert!(runs[0].0.iter().filter(|line| line.starts_with("PASS ")).count() >= 4, "{:?}", runs[0].0);
}

/// `--json` and `--junit` give one result per scenario; a failed one carries the failure's place and message, its
/// seed and the command that replays it, and a file that does not load is an error of its own.
#[test]
fn json_and_junit_carry_each_failure_with_its_seed_and_replay_command() {
    let dir = output_dir("machine-readable");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "name: x\nrules: [CONN-1]\nseed: 1\ndevices:\n  a: { user: u }\nsteps:\n  - jump: a\n")
        .expect("written");
    let (json, junit) = (dir.join("results.json"), dir.join("results.xml"));
    let (output, stdout) = imsim(&[
        "run",
        "fixtures/failing-scenarios/wrong-status.yaml",
        "scenarios/connection/connect-succeeds.yaml",
        &bad.to_string_lossy(),
        "--json",
        &json.to_string_lossy(),
        "--junit",
        &junit.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("JSON");
    assert_eq!((json["passed"].as_u64(), json["failed"].as_u64()), (Some(1), Some(2)), "{json:#}");
    let failed = &json["scenarios"][0];
    assert_eq!(failed["path"], "fixtures/failing-scenarios/wrong-status.yaml");
    assert_eq!(failed["passed"], false);
    let run = &failed["runs"][0];
    assert_eq!(run["seed"], 99);
    assert_eq!(run["failure"]["place"], "fixtures/failing-scenarios/wrong-status.yaml:9:5");
    assert!(run["failure"]["message"].as_str().is_some_and(|m| m.contains("expected signOut")), "{run:#}");
    assert_eq!(
        run["replay"],
        "cargo run --release -p imsim-sim --bin imsim -- run fixtures/failing-scenarios/wrong-status.yaml --seed 99 --trace"
    );
    assert_eq!(json["scenarios"][1]["passed"], true);
    assert_eq!(json["scenarios"][1]["runs"][0]["failure"], serde_json::Value::Null);
    assert!(json["scenarios"][2]["load_error"].as_str().is_some_and(|e| e.contains("jump")), "{json:#}");

    let junit = std::fs::read_to_string(&junit).expect("written");
    assert!(junit.contains(r#"tests="3" failures="1" errors="1""#), "{junit}");
    assert!(junit.contains(r#"classname="failing-scenarios""#), "{junit}");
    assert!(junit.contains("has status connected, expected signOut"), "{junit}");
    assert!(junit.contains("seed 99: at fixtures/failing-scenarios/wrong-status.yaml:9:5"), "{junit}");
    assert!(junit.contains("replay: cargo run --release -p imsim-sim --bin imsim -- run"), "{junit}");
    assert!(junit.contains(r#"<error message="the scenario does not load""#), "{junit}");
}

#[test]
fn filter_and_rule_choose_the_scenarios_that_run_and_list_shows_them() {
    let (output, stdout) = imsim(&["list", "--rule", "CR-4"]);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("scenarios/chatrooms/auto-destruction-after-an-hour.yaml\n"), "{stdout}");
    assert!(
        stdout.contains("  [CR-5] in part: [CR-4, CR-43, CR-23, BIZ-21, CR-14]\n"),
        "a partial claim counts: {stdout}"
    );
    assert!(!stdout.contains("scenarios/connection/"), "only the scenarios claiming CR-4: {stdout}");

    let (output, stdout) = imsim(&["run", "--filter", "auto-destruction", "--rule", "CR-4"]);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("PASS an inactive room is destroyed after exactly one hour"), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 0 failed"), "{stdout}");

    let (output, _) = imsim(&["run", "--filter", "auto-destruction", "--rule", "CONN-4"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(" found matches the --filter and --rule given"), "{stderr}");

    let (output, _) = imsim(&["list", "--rule", "CONN-999"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--rule CONN-999: the spec has no rule CONN-999"), "{stderr}");
}
