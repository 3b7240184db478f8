//! `imsim bench`: measures the throughput workloads (`crate::bench`), prints each against its baseline, and writes
//! `reports/throughput.md` with its SVG charts beside it.
//!
//! The wall clock and the system are read here for the report's date, commit and machine only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::paths::check_report_writable;
use crate::bench::report::{
    COMPRESSION_CHART, Context, RATIOS_CHART, render_compression_chart, render_markdown, render_ratios_chart,
};
use crate::bench::{FULL_ITERATIONS_MIN, FULL_MEASURE, Outcome, Scale, run_workloads, workloads};

/// What `imsim bench` was asked.
#[derive(Clone, Debug)]
pub(super) struct BenchOptions {
    pub(super) output: PathBuf,
    pub(super) quick: bool,
    pub(super) filter: Option<String>,
}

pub(super) fn bench(options: &BenchOptions) -> ExitCode {
    let scale = if options.quick { Scale::Quick } else { Scale::Full };
    let chosen: Vec<_> = workloads::all(scale)
        .into_iter()
        .filter(|workload| options.filter.as_ref().is_none_or(|text| workload.name.contains(text.as_str())))
        .collect();
    if chosen.is_empty() {
        eprintln!("error: no workload's name contains {:?}", options.filter.as_deref().unwrap_or_default());
        return ExitCode::from(2);
    }
    if let Err(message) = check_report_writable(&options.output) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let progress = ProgressBar::new(chosen.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})").unwrap_or(ProgressStyle::default_bar()),
    );
    let mut started = 0;
    let measured = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_workloads(chosen, scale, |name| {
            progress.set_position(started);
            progress.set_message(name.to_owned());
            started += 1;
        })
    }));
    progress.finish_and_clear();
    let outcomes = match measured {
        Ok(Ok(outcomes)) => outcomes,
        Ok(Err(message)) => {
            eprintln!("error: a workload is broken: {message}");
            return ExitCode::FAILURE;
        }
        Err(_) => {
            eprintln!("error: a workload failed (its message is above); no report was written");
            return ExitCode::FAILURE;
        }
    };
    for outcome in &outcomes {
        println!("{}", summary_line(outcome));
    }
    let method = match scale {
        Scale::Full => format!(
            "each side runs once to warm up, then for at least {} s and {FULL_ITERATIONS_MIN} iterations; the rate is \
             the median of the iterations",
            FULL_MEASURE.as_secs()
        ),
        Scale::Quick => "`--quick`: small sizes, one iteration a side; the figures are indicative only".to_owned(),
    };
    let context = Context { date: today(), commit: commit(), cpu: cpu(), cores: cores(), os: os(), method };
    match write_report(&options.output, &outcomes, &context) {
        Ok(()) => {
            println!("\nwrote {}", options.output.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `name: rate unit (label) vs rate (label): ratio, goal met`.
fn summary_line(outcome: &Outcome) -> String {
    let goal = match outcome.goal {
        Some(goal) if outcome.meets_goal() => format!("goal {goal} met"),
        Some(goal) => format!("goal {goal} MISSED"),
        None => "no goal".to_owned(),
    };
    format!(
        "{:<22} {:>14.0} {} ({}) vs {:>12.0} ({}): ratio {:.3}, {goal}",
        outcome.name,
        outcome.subject.per_second,
        outcome.unit.per_second(),
        outcome.subject_label,
        outcome.baseline_per_second,
        outcome.baseline_label,
        outcome.ratio,
    )
}

fn write_report(output: &Path, outcomes: &[Outcome], context: &Context) -> Result<(), String> {
    let directory = output.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
    };
    write(directory.join(RATIOS_CHART), render_ratios_chart(outcomes)?)?;
    write(directory.join(COMPRESSION_CHART), render_compression_chart(outcomes)?)?;
    write(output.to_path_buf(), render_markdown(outcomes, context))
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let seconds = std::time::SystemTime::now() // determinism: ok, the report's date only
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    date_of(i64::try_from(seconds).unwrap_or(0))
}

/// The UTC date, `YYYY-MM-DD`, of `seconds` since the Unix epoch.
fn date_of(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| "an unknown date".to_owned(), |time| time.date_naive().to_string())
}

/// The commit checked out, `-dirty` when the work tree has changes; "unknown" outside a git checkout.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(hash) => {
            let dirty =
                git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|status| !status.is_empty());
            if dirty { format!("{hash}-dirty") } else { hash }
        }
        None => "unknown".to_owned(),
    }
}

/// The processor's model name, as Linux reports it.
fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name").map(|rest| rest.trim_start_matches([' ', '\t', ':'])))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "an unknown processor".to_owned())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn os() -> String {
    format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_are_civil_dates() {
        let day = 86_400;
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(19_965 * day), "2024-08-30");
        assert_eq!(date_of(20_428 * day), "2025-12-06");
        assert_eq!(date_of(11_016 * day), "2000-02-29");
    }
}
