//! The machine-readable results of `imsim run`: `--json FILE` and `--junit FILE`, so that CI systems show one result
//! per scenario, with the failure's message, its seed and the command that replays it.
//!
//! Both are built from the same [`FileResult`]s, in file order. The JSON holds only what the runs determine (no
//! wall-clock time), so it is identical whatever `--jobs` is; the JUnit XML (written by `quick-junit`, the crate
//! cargo-nextest writes its reports with) carries each scenario's wall time, which CI systems display.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

use crate::report::{LoadFailure, ScenarioRuns};
use crate::runner::RunReport;

/// What running one scenario file gave.
#[derive(Debug)]
pub(super) enum FileResult {
    /// It loaded and ran, under each of its seeds, in `wall` wall-clock time.
    Ran {
        /// Its runs.
        runs: ScenarioRuns,
        /// The wall-clock time they took (reporting only: never part of a run).
        wall: Duration,
    },
    /// It did not load.
    DidNotLoad(LoadFailure),
}

/// The JSON document `--json` writes.
#[derive(Debug, Serialize)]
struct JsonResults<'a> {
    /// How many scenario files passed and failed.
    passed: usize,
    failed: usize,
    scenarios: Vec<JsonScenario<'a>>,
}

#[derive(Debug, Serialize)]
struct JsonScenario<'a> {
    path: String,
    /// `None` for a file that did not load.
    name: Option<&'a str>,
    rules: Vec<&'a str>,
    passed: bool,
    /// The parser's message, for a file that did not load.
    load_error: Option<&'a str>,
    runs: Vec<JsonRun<'a>>,
}

#[derive(Debug, Serialize)]
struct JsonRun<'a> {
    seed: u64,
    passed: bool,
    simulated_ms: u128,
    trace_sha256: String,
    /// Where and why it failed, if it did.
    failure: Option<JsonFailure<'a>>,
    replay: String,
}

#[derive(Debug, Serialize)]
struct JsonFailure<'a> {
    place: String,
    message: &'a str,
}

/// The `--json` document for `results`.
pub(super) fn render_json(results: &[FileResult]) -> String {
    let scenarios: Vec<JsonScenario<'_>> = results.iter().map(json_scenario).collect();
    let passed = scenarios.iter().filter(|scenario| scenario.passed).count();
    let document = JsonResults { passed, failed: scenarios.len() - passed, scenarios };
    let mut text = serde_json::to_string_pretty(&document).expect("invariant: plain data serialises");
    text.push('\n');
    text
}

fn json_scenario(result: &FileResult) -> JsonScenario<'_> {
    match result {
        FileResult::Ran { runs, .. } => {
            let first = runs.first();
            JsonScenario {
                path: first.path.display().to_string(),
                name: Some(&first.name),
                rules: first.rules.iter().map(String::as_str).collect(),
                passed: runs.passed(),
                load_error: None,
                runs: runs.runs().iter().map(json_run).collect(),
            }
        }
        FileResult::DidNotLoad(failure) => JsonScenario {
            path: failure.path.clone(),
            name: None,
            rules: Vec::new(),
            passed: false,
            load_error: Some(&failure.message),
            runs: Vec::new(),
        },
    }
}

fn json_run(run: &RunReport) -> JsonRun<'_> {
    JsonRun {
        seed: run.seed,
        passed: run.passed(),
        simulated_ms: run.simulated.as_millis(),
        trace_sha256: run.trace.hash(),
        failure: run
            .failure
            .as_ref()
            .map(|failure| JsonFailure { place: run.failure_place().unwrap_or_default(), message: &failure.message }),
        replay: run.replay_command(),
    }
}

/// The `--junit` document for `results`: one test suite, one test case per scenario file (its class name the
/// scenario's area, the directory it is in), a failed one carrying each failed seed's message and replay command.
pub(super) fn render_junit(results: &[FileResult]) -> String {
    let mut suite = TestSuite::new("imsim scenarios");
    let mut total = Duration::ZERO;
    for result in results {
        let case = match result {
            FileResult::Ran { runs, wall } => {
                total += *wall;
                junit_case(runs, *wall)
            }
            FileResult::DidNotLoad(failure) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message("the scenario does not load").set_description(failure.message.as_str());
                let mut case = TestCase::new(failure.path.as_str(), status);
                case.set_classname(area(&failure.path));
                case
            }
        };
        suite.add_test_case(case);
    }
    suite.set_time(total);
    let mut report = Report::new("imsim");
    report.set_time(total);
    report.add_test_suite(suite);
    report.to_string().expect("invariant: a report of plain strings serialises")
}

fn junit_case(runs: &ScenarioRuns, wall: Duration) -> TestCase {
    let first = runs.first();
    let path = first.path.display().to_string();
    let status = if runs.passed() {
        TestCaseStatus::success()
    } else {
        let failed: Vec<&RunReport> = runs.runs().iter().filter(|run| !run.passed()).collect();
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let headline = failed.first().and_then(|run| run.failure.as_ref()).map_or("", |failure| &failure.message);
        let description: Vec<String> = failed
            .iter()
            .map(|run| {
                let place = run.failure_place().unwrap_or_default();
                let message = run.failure.as_ref().map_or("", |failure| &failure.message);
                format!("seed {}: at {place}: {message}\nreplay: {}", run.seed, run.replay_command())
            })
            .collect();
        status
            .set_message(format!("{} ({})", first_line(headline), runs.seeds_summary()))
            .set_type("scenario failed")
            .set_description(description.join("\n\n"));
        status
    };
    let mut case = TestCase::new(format!("{path}: {}", first.name), status);
    case.set_classname(area(&path)).set_time(wall);
    case
}

/// The area of a scenario: the directory it is in (`connection` for `scenarios/connection/x.yaml`).
fn area(path: &str) -> String {
    let path = std::path::Path::new(path);
    path.parent()
        .and_then(|parent| parent.file_name())
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
