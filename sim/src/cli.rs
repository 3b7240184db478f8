//! The `imsim` command line: `imsim run [PATH...] [--trace] [--seed N] [--seeds N] [--report FILE]`, and `imsim
//! explore` and `imsim replay SEED` (`cli/explore.rs`).
//!
//! Everything that can make a run pointless is checked before the first scenario runs: the paths (see `cli/paths.rs`
//! for how directories, symlinks and duplicates are handled) and whether the report can be written. Those are usage
//! errors (exit code 2); a scenario that fails or does not load makes the exit code 1.
//!
//! `--seeds N` sweeps each scenario under N seeds (`runner::sweep_seeds`: its own first, then seeds derived from it):
//! a conformance scenario must hold whatever the network's timing, and one that fails under a derived seed prints that
//! seed and the command that replays it alone.

mod bench;
mod explore;
mod outputs;
mod parallel;
mod paths;
mod select;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

pub use paths::{Found, check_report_writable, find_scenarios, has_scenario_extension, scenario_files};

use crate::report::{LoadFailure, ScenarioRuns, render_report, render_report_json};
use crate::runner::{RunReport, run_scenario, run_scenario_watched, sweep_seeds};
use crate::scenario::{Scenario, parse_duration};
use outputs::FileResult;
use select::{Candidate, Selection};
use watch::WallClock;

/// How many characters of a scenario's name, and of its list of rules, its result line shows.
pub const FIELD_CHARS_SHOWN: usize = 120;

/// The most seeds `--seeds` takes.
pub const SEEDS_MAX: u32 = 1_000;

/// imsim: a deterministic protocol simulator and conformance suite for IMLib-style IM client SDKs.
#[derive(Debug, Parser)]
#[command(name = "imsim", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios and print a pass/fail line for each; exits 1 if any fails, 2 on a usage error.
    Run {
        /// Scenario files or directories (searched for *.yaml and *.yml, in any case, following symlinks but not
        /// their loops). Default: scenarios/.
        paths: Vec<PathBuf>,
        /// Print each scenario's canonical trace.
        #[arg(long)]
        trace: bool,
        /// Run with this seed instead of each scenario's own (with --seeds: sweep from this seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Run each scenario under this many seeds: its own (or --seed's) first, then seeds derived from it. A
        /// scenario passes when it passes under every one.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(SEEDS_MAX)))]
        seeds: u32,
        /// Write the Markdown conformance report to this file (checked to be writable before anything runs), and its
        /// JSON twin beside it (the same name, with the extension `.json`).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Write the results as JSON to this file: per scenario, each seed's verdict, failure, trace hash and replay
        /// command.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the results as JUnit XML to this file: one test case per scenario, for CI systems.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Only the scenarios whose path or name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Only the scenarios that claim this rule in `rules:` (a rule ID of the spec, like CR-4).
        #[arg(long)]
        rule: Option<String>,
        /// Run this many scenarios at once, one simulation per thread (default: the machine's cores). The results,
        /// traces and reports are the same whatever it is.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
        jobs: Option<u32>,
        /// The wall-clock budget of one run (one scenario under one seed), like 90s or 10m: a run still going then
        /// fails, naming its step and the simulated instant it reached.
        #[arg(long, default_value = "5m", value_parser = parse_timeout)]
        timeout: Duration,
    },
    /// List the scenarios (path, name and the rules each claims), with the same choice as `run`.
    List {
        /// Scenario files or directories. Default: scenarios/.
        paths: Vec<PathBuf>,
        /// Only the scenarios whose path or name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Only the scenarios that claim this rule.
        #[arg(long)]
        rule: Option<String>,
    },
    /// Run random worlds by seed under every checker, shrink each finding into a regression scenario, and print
    /// the fault coverage; exits 1 on a finding, a world that could not be judged, a nondeterministic world, or a
    /// fault or event kind that never happened in a sweep of at least 200 worlds.
    Explore {
        /// How many seeds to sweep (before --shard splits them).
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// This machine's share of the sweep, I/N (I from 0): the seeds whose offset is I modulo N.
        #[arg(long, default_value = "0/1", value_parser = explore::parse_shard)]
        shard: (u64, u64),
        /// Stop starting worlds after this much wall-clock time, like 10m.
        #[arg(long, value_parser = parse_timeout)]
        time_budget: Option<Duration>,
        /// Where each finding's shrunk scenario is written.
        #[arg(long, default_value = "fixtures/regressions")]
        regressions: PathBuf,
    },
    /// Measure the throughput workloads, each beside its baseline in the same process, print the ratios, and write
    /// the report with its SVG charts beside it; exits 1 if a workload fails (a goal missed is reported, not fatal).
    Bench {
        /// The report to write; its charts go beside it.
        #[arg(long, default_value = "reports/throughput.md")]
        output: PathBuf,
        /// Small sizes and one iteration a side: checks that every workload runs; the figures are indicative only.
        #[arg(long)]
        quick: bool,
        /// Only the workloads whose name contains this text (`end_to_end`, `store`, ...).
        #[arg(long)]
        filter: Option<String>,
    },
    /// Run the explored world of SEED once and print it as a scenario, its full trace and its verdict.
    Replay {
        /// The world's seed.
        seed: u64,
    },
}

/// Runs the command line and returns the process's exit code.
pub fn main_with(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Run { paths, trace, seed, seeds, report, json, junit, filter, rule, jobs, timeout } => {
            let jobs = jobs.map_or_else(parallel::default_jobs, |jobs| jobs as usize);
            let options = RunOptions { show_trace: trace, seed, seeds, timeout, jobs };
            let outputs = Outputs { report, json, junit };
            run(paths, &Selection { filter, rule }, &options, &outputs)
        }
        Command::List { paths, filter, rule } => list(paths, &Selection { filter, rule }),
        Command::Explore { seeds, from, shard, time_budget, regressions } => {
            explore::explore(&explore::ExploreOptions { seeds, from, shard, time_budget, regressions })
        }
        Command::Bench { output, quick, filter } => bench::bench(&bench::BenchOptions { output, quick, filter }),
        Command::Replay { seed } => explore::replay(seed),
    }
}

/// How `imsim run` runs each scenario.
#[derive(Clone, Copy, Debug)]
struct RunOptions {
    show_trace: bool,
    seed: Option<u64>,
    seeds: u32,
    timeout: Duration,
    jobs: usize,
}

/// The files `imsim run` writes besides its output.
#[derive(Debug)]
struct Outputs {
    report: Option<PathBuf>,
    json: Option<PathBuf>,
    junit: Option<PathBuf>,
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        zero if zero.is_zero() => Err("the timeout must be longer than 0ms".to_owned()),
        timeout => Ok(timeout),
    }
}

fn usage_error(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The scenario files under `paths` (default `scenarios/`) that `selection` chooses, loaded; warnings go to stderr.
fn chosen_scenarios(paths: Vec<PathBuf>, selection: &Selection) -> Result<Vec<Candidate>, String> {
    selection.validate()?;
    let paths = if paths.is_empty() { vec![PathBuf::from("scenarios")] } else { paths };
    let found = find_scenarios(&paths)?;
    for warning in &found.warnings {
        eprintln!("warning: {warning}");
    }
    let chosen = selection.choose(&found.files);
    if chosen.is_empty() && !found.files.is_empty() {
        return Err(format!("no scenario of the {} found matches the --filter and --rule given", found.files.len()));
    }
    Ok(chosen)
}

fn list(paths: Vec<PathBuf>, selection: &Selection) -> ExitCode {
    match chosen_scenarios(paths, selection) {
        Ok(chosen) => {
            print!("{}", select::render_list(&chosen));
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(message),
    }
}

fn run(paths: Vec<PathBuf>, selection: &Selection, options: &RunOptions, outputs: &Outputs) -> ExitCode {
    let chosen = match chosen_scenarios(paths, selection) {
        Ok(chosen) => chosen,
        Err(message) => return usage_error(message),
    };
    for output in [&outputs.report, &outputs.json, &outputs.junit].into_iter().flatten() {
        if let Err(message) = check_report_writable(output) {
            return usage_error(format!("{message}; nothing was run"));
        }
    }
    let mut results: Vec<FileResult> = Vec::with_capacity(chosen.len());
    let run_file = |index: usize| {
        let candidate = &chosen[index];
        match &candidate.loaded {
            Ok(scenario) => {
                // Wall time is printed on the scenario's line and in the JUnit file, and goes nowhere else: not
                // into the run, its trace, the report or the JSON.
                let started = Instant::now(); // determinism: ok, reporting only
                let runs = run_sweep_watched(scenario, options.seed, options.seeds, options.timeout);
                FileResult::Ran { runs, wall: started.elapsed() }
            }
            Err(error) => FileResult::DidNotLoad(LoadFailure {
                path: candidate.path.display().to_string(),
                message: error.to_string(),
            }),
        }
    };
    // A progress bar on stderr when it is a terminal (indicatif draws nothing otherwise), above which the result
    // lines print.
    let progress = ProgressBar::new(chosen.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios ({elapsed})")
            .unwrap_or(ProgressStyle::default_bar()),
    );
    parallel::run_in_order(chosen.len(), options.jobs, run_file, |_, result| {
        progress.suspend(|| match &result {
            FileResult::Ran { runs, wall } => print_runs(runs, *wall, options.show_trace),
            FileResult::DidNotLoad(failure) => println!("FAIL {} (does not load)\n  {}", failure.path, failure.message),
        });
        progress.inc(1);
        results.push(result);
    });
    progress.finish_and_clear();
    // Each document is rendered only if asked for; the machine-readable ones first, from the results as they are,
    // then the results are split (moved, not copied) for the Markdown report and its JSON twin.
    let mut documents: Vec<(PathBuf, String)> = Vec::new();
    if let Some(path) = &outputs.json {
        documents.push((path.clone(), outputs::render_json(&results)));
    }
    if let Some(path) = &outputs.junit {
        documents.push((path.clone(), outputs::render_junit(&results)));
    }
    let mut scenarios: Vec<ScenarioRuns> = Vec::new();
    let mut load_failures = Vec::new();
    for result in results {
        match result {
            FileResult::Ran { runs, .. } => scenarios.push(runs),
            FileResult::DidNotLoad(failure) => load_failures.push(failure),
        }
    }
    if let Some(path) = &outputs.report {
        documents.push((path.clone(), render_report(&scenarios, &load_failures)));
        // The report's JSON twin sits beside it: `reports/conformance.md` and `reports/conformance.json`.
        documents.push((path.with_extension("json"), render_report_json(&scenarios, &load_failures)));
    }
    let passed = scenarios.iter().filter(|scenario| scenario.passed()).count();
    let failed = scenarios.len() - passed + load_failures.len();
    for (path, text) in documents {
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    println!("\n{passed} passed, {failed} failed");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Runs `scenario` under `seeds` seeds from its own seed (or `seed`), the base seed first.
pub fn run_sweep(scenario: &Scenario, seed: Option<u64>, seeds: u32) -> ScenarioRuns {
    sweep_with(scenario, seed, seeds, |seed| run_scenario(scenario, Some(seed)))
}

/// As [`run_sweep`], each run watched by a [`WallClock`] with the budget `timeout`.
fn run_sweep_watched(scenario: &Scenario, seed: Option<u64>, seeds: u32, timeout: Duration) -> ScenarioRuns {
    sweep_with(scenario, seed, seeds, |seed| {
        run_scenario_watched(scenario, Some(seed), Box::new(WallClock::new(scenario, seed, timeout)))
    })
}

fn sweep_with(
    scenario: &Scenario,
    seed: Option<u64>,
    seeds: u32,
    mut run: impl FnMut(u64) -> RunReport,
) -> ScenarioRuns {
    let base = seed.unwrap_or(scenario.seed);
    let mut sweep = sweep_seeds(base, usize::try_from(seeds).unwrap_or(1).max(1)).into_iter();
    let first = run(sweep.next().unwrap_or(base));
    ScenarioRuns::new(first, sweep.map(run).collect())
}

/// Prints a scenario's verdict line (with its simulated time, the wall-clock time `wall` its runs took and their
/// ratio), each failed run with its seed and replay command, and the traces if asked.
fn print_runs(scenario: &ScenarioRuns, wall: Duration, show_trace: bool) {
    let first = scenario.first();
    let verdict = if scenario.passed() { "PASS" } else { "FAIL" };
    let seeds = if scenario.runs().len() > 1 { format!(", {}", scenario.seeds_summary()) } else { String::new() };
    let simulated: Duration = scenario.runs().iter().map(|run| run.simulated).sum();
    println!(
        "{verdict} {} ({}) seed={}{seeds} (simulated {} in {:.3} s wall, {}) [{}]",
        shorten(&first.name, FIELD_CHARS_SHOWN),
        first.path.display(),
        first.seed,
        human_duration(simulated),
        wall.as_secs_f64(),
        speedup(simulated, wall),
        shorten_list(&first.rules, FIELD_CHARS_SHOWN, "rules")
    );
    for run in scenario.runs() {
        print_failure(run, first.seed);
        if show_trace {
            if scenario.runs().len() > 1 {
                println!("  trace under seed {}:", run.seed);
            }
            print!("{}", run.trace.render());
            println!("  trace sha256: {}", run.trace.hash());
        }
    }
}

/// Prints where and why `run` failed, its seed and the command that replays it, if it failed.
fn print_failure(run: &RunReport, base_seed: u64) {
    let (Some(failure), Some(place)) = (&run.failure, run.failure_place()) else {
        return;
    };
    println!("  at {place}: {}", failure.message);
    if run.seed == base_seed {
        println!("  seed: {}", run.seed);
    } else {
        println!("  seed: {} (derived from seed {base_seed} by --seeds)", run.seed);
    }
    println!("  replay: {}", run.replay_command());
}

/// `text` cut to `max` characters, the cut marked with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// `items` joined with `, `, cut at an item to about `max` characters: `CONN-1, CONN-2, … (738 rules)`.
pub fn shorten_list(items: &[String], max: usize, noun: &str) -> String {
    let all = items.join(", ");
    if all.chars().count() <= max {
        return all;
    }
    let mut shown = String::new();
    for item in items {
        if shown.chars().count() + item.chars().count() + 2 > max {
            break;
        }
        shown.push_str(&shorten(item, max));
        shown.push_str(", ");
    }
    format!("{shown}… ({} {noun})", items.len())
}

/// A simulated duration for people: `2.345s`, `3m 0.500s`, `1h 0m 2.000s`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    let (hours, minutes, seconds, millis) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1_000 % 60, ms % 1_000);
    if hours > 0 {
        format!("{hours}h {minutes}m {seconds}.{millis:03}s")
    } else if minutes > 0 {
        format!("{minutes}m {seconds}.{millis:03}s")
    } else {
        format!("{seconds}.{millis:03}s")
    }
}

/// How many times faster than real time a run went: `116129x`, `2.5x`, `0.3x`.
pub fn speedup(simulated: Duration, wall: Duration) -> String {
    let ratio = simulated.as_secs_f64() / wall.as_secs_f64().max(1e-6);
    match ratio {
        10.0.. => format!("{ratio:.0}x"),
        0.1.. => format!("{ratio:.1}x"),
        0.0 => "0x".to_owned(),
        // Far slower than real time (a burst of sends in a few simulated milliseconds): two significant digits.
        _ => {
            let decimals = ((-ratio.log10()).ceil() as usize + 1).min(9);
            format!("{ratio:.decimals$}x")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_time_reads_in_hours_minutes_and_seconds() {
        assert_eq!(human_duration(Duration::from_millis(2_345)), "2.345s");
        assert_eq!(human_duration(Duration::from_millis(180_500)), "3m 0.500s");
        assert_eq!(human_duration(Duration::from_millis(3_602_000)), "1h 0m 2.000s");
    }

    #[test]
    fn the_speedup_is_simulated_over_wall_time() {
        assert_eq!(speedup(Duration::from_secs(3_602), Duration::from_millis(31)), "116194x");
        assert_eq!(speedup(Duration::from_secs(5), Duration::from_secs(2)), "2.5x");
        assert_eq!(speedup(Duration::from_secs(1), Duration::ZERO), "1000000x");
        assert_eq!(speedup(Duration::from_millis(553), Duration::from_secs(29)), "0.019x");
        assert_eq!(speedup(Duration::from_millis(12), Duration::from_secs(10)), "0.0012x");
        assert_eq!(speedup(Duration::ZERO, Duration::from_secs(1)), "0x");
    }

    #[test]
    fn long_fields_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("exactly10!", 10), "exactly10!");
        assert_eq!(shorten("a much longer name", 10), "a much lo…");
        assert_eq!(shorten("我们的场景名字很长很长", 5), "我们的场…");
        let rules: Vec<String> = (1..=738).map(|n| format!("CONN-{n}")).collect();
        let shown = shorten_list(&rules, 40, "rules");
        assert_eq!(shown, "CONN-1, CONN-2, CONN-3, CONN-4, CONN-5, … (738 rules)");
        let few: Vec<String> = ["A-1", "B-2"].map(str::to_owned).to_vec();
        assert_eq!(shorten_list(&few, 40, "rules"), "A-1, B-2");
    }
}
