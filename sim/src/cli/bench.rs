//! `imsim bench`: measures the throughput workloads (`crate::bench`), prints each against its baseline, and writes
//! `reports/throughput.md` with its SVG charts beside it.
//!
//! The wall clock and the system are read here for the report's date, commit and machine only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

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
    if let Err(message) = check_writable(&options.output) {
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

fn check_writable(output: &Path) -> Result<(), String> {
    let directory = output.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if directory.is_dir() {
        Ok(())
    } else {
        Err(format!("cannot write {}: {} is not a directory", output.display(), directory.display()))
    }
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
    let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day number since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * month_index + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if month_index < 10 { month_index + 3 } else { month_index - 9 }).unwrap_or(1);
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
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
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_965), (2024, 8, 30));
        assert_eq!(civil_from_days(20_428), (2025, 12, 6));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
