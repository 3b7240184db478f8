//! The `imsim` command line: `imsim run [PATH...] [--trace] [--seed N] [--report FILE]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use crate::report::{LoadFailure, render_report};
use crate::runner::{RunReport, run_scenario};
use crate::scenario::load_scenario;

/// imsim: a deterministic protocol simulator and conformance suite for IMLib-style IM client SDKs.
#[derive(Debug, Parser)]
#[command(name = "imsim", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios and print a pass/fail line for each; exits non-zero if any fails.
    Run {
        /// Scenario files or directories (searched for *.yaml). Default: scenarios/.
        paths: Vec<PathBuf>,
        /// Print each scenario's canonical trace.
        #[arg(long)]
        trace: bool,
        /// Run with this seed instead of each scenario's own.
        #[arg(long)]
        seed: Option<u64>,
        /// Write the Markdown conformance report to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

/// Runs the command line and returns the process's exit code.
pub fn main_with(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Run { paths, trace, seed, report } => run(paths, trace, seed, report.as_deref()),
    }
}

fn run(paths: Vec<PathBuf>, show_trace: bool, seed: Option<u64>, report_path: Option<&Path>) -> ExitCode {
    let paths = if paths.is_empty() { vec![PathBuf::from("scenarios")] } else { paths };
    let files = match scenario_files(&paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut runs: Vec<RunReport> = Vec::new();
    let mut load_failures = Vec::new();
    for file in &files {
        let scenario = match load_scenario(file) {
            Ok(scenario) => scenario,
            Err(error) => {
                println!("FAIL {} (does not load)\n  {error}", file.display());
                load_failures.push(LoadFailure { path: file.display().to_string(), message: error.to_string() });
                continue;
            }
        };
        // Wall time is printed on the scenario's line and goes nowhere else: not into the run, its trace or the
        // report file.
        let started = Instant::now(); // determinism: ok, reporting only
        let report = run_scenario(&scenario, seed);
        let wall = started.elapsed();
        print_run(&report, wall, show_trace);
        runs.push(report);
    }
    let passed = runs.iter().filter(|run| run.passed()).count();
    let failed = runs.len() - passed + load_failures.len();
    if let Some(report_path) = report_path
        && let Err(error) = std::fs::write(report_path, render_report(&runs, &load_failures))
    {
        eprintln!("error: cannot write {}: {error}", report_path.display());
        return ExitCode::from(2);
    }
    println!("\n{passed} passed, {failed} failed");
    if failed == 0 && !files.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Prints a run's verdict line (with its simulated time, the wall-clock time `wall` it took and their ratio), its
/// failure, and its trace if asked.
fn print_run(report: &RunReport, wall: Duration, show_trace: bool) {
    let verdict = if report.passed() { "PASS" } else { "FAIL" };
    println!(
        "{verdict} {} ({}) seed={} (simulated {} in {:.3} s wall, {}) [{}]",
        report.name,
        report.path.display(),
        report.seed,
        human_duration(report.simulated),
        wall.as_secs_f64(),
        speedup(report.simulated, wall),
        report.rules.join(", ")
    );
    if let (Some(failure), Some(place)) = (&report.failure, report.failure_place()) {
        println!("  at {place}: {}", failure.message);
        println!("  seed: {}", report.seed);
        println!("  replay: {}", report.replay_command());
    }
    if show_trace {
        print!("{}", report.trace.render());
        println!("  trace sha256: {}", report.trace.hash());
    }
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
    if ratio >= 10.0 { format!("{ratio:.0}x") } else { format!("{ratio:.1}x") }
}

/// The scenario files under `paths`: files as given, directories searched recursively for `.yaml`/`.yml`, in
/// sorted order so every run visits them alike.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_yaml(path, &mut files).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    Ok(files)
}

fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir)?.map(|entry| entry.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_yaml(&entry, files)?;
        } else if entry.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
            files.push(entry);
        }
    }
    Ok(())
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
    }
}
