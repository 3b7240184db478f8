//! `imsim explore` and `imsim replay`: sweeps of random worlds, their findings shrunk into regression scenarios, the
//! determinism sample and the fault coverage.
//!
//! The wall clock is read here for the time budget, the progress bar and the seeds-per-minute figure only; none of
//! it reaches a world, its trace or the regression files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::explore::shrink::shrink;
use crate::explore::world::World;
use crate::explore::{Outcome, REFUSAL_CODE_PREFIX, required_counters, run_world, world_trace};

/// Every how many seeds a sweep runs a world twice and compares the two traces.
pub(super) const DETERMINISM_SAMPLE_EVERY: u64 = 10;

/// Below this many worlds a sweep does not require every fault and event kind to have happened.
pub(super) const COVERAGE_MIN_SEEDS: u64 = 200;

/// What `imsim explore` was asked.
#[derive(Clone, Debug)]
pub(super) struct ExploreOptions {
    /// How many seeds (before sharding).
    pub(super) seeds: u64,
    /// The first seed.
    pub(super) from: u64,
    /// This machine's share, `(i, n)`: the seeds whose offset is `i` modulo `n`.
    pub(super) shard: (u64, u64),
    /// Stop starting worlds after this much wall-clock time.
    pub(super) time_budget: Option<Duration>,
    /// Where shrunk findings are written.
    pub(super) regressions: PathBuf,
}

/// A shard written `I/N`, `I` from 0.
pub(super) fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (index, count) = text.split_once('/').ok_or_else(|| format!("{text:?}: expected I/N, like 0/4"))?;
    let index: u64 = index.trim().parse().map_err(|_| format!("{text:?}: I must be a number"))?;
    let count: u64 = count.trim().parse().map_err(|_| format!("{text:?}: N must be a number"))?;
    if count == 0 || index >= count {
        return Err(format!("{text:?}: expected 0 <= I < N"));
    }
    Ok((index, count))
}

/// Runs the sweep and prints its summary; exit code 1 on any finding, world the generator got wrong, determinism
/// mismatch or missing coverage.
pub(super) fn explore(options: &ExploreOptions) -> ExitCode {
    let seeds: Vec<u64> = (0..options.seeds)
        .filter(|offset| offset % options.shard.1 == options.shard.0)
        .map(|offset| options.from.wrapping_add(offset))
        .collect();
    let started = Instant::now(); // determinism: ok, the budget and the summary only
    let bar = ProgressBar::new(u64::try_from(seeds.len()).unwrap_or(u64::MAX));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} worlds, {elapsed} ({msg})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = Summary::default();
    for seed in seeds {
        if options.time_budget.is_some_and(|budget| started.elapsed() >= budget) {
            bar.suspend(|| println!("time budget spent; stopped before seed {seed}"));
            break;
        }
        let world = World::generate(seed);
        let outcome = run_world(&world);
        if seed % DETERMINISM_SAMPLE_EVERY == 0 && outcome.invalid.is_none() {
            let again = run_world(&world);
            summary.determinism_checked += 1;
            if again.trace_hash != outcome.trace_hash {
                bar.suspend(|| println!("{}", report_nondeterminism(&world, &outcome, &again)));
                summary.nondeterministic.push(seed);
            }
        }
        if let Some(finding) = &outcome.finding {
            let seen = summary.findings.entry(finding.kind.clone()).or_default();
            // Shrinking costs up to SHRINK_RUNS_MAX runs: the first world of each kind is shrunk and written, the
            // rest are only listed (`imsim replay SEED` shows any of them whole).
            if seen.is_empty() {
                bar.suspend(|| println!("{}", report_finding(&world, &outcome, &options.regressions)));
            } else {
                let first = finding.message.lines().next().unwrap_or_default();
                bar.suspend(|| println!("finding {} again in seed {seed}: {first}", finding.kind));
            }
            seen.push(seed);
        }
        summary.record(&outcome);
        bar.set_message(format!("{} findings", summary.findings.values().map(Vec::len).sum::<usize>()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let wall = started.elapsed();
    print!("{}", summary.render(wall));
    if summary.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Where the two traces of a nondeterministic world are written.
const NONDETERMINISM_DIR: &str = "target/explore";

/// Runs a world that gave two traces twice more, writes both traces out and names their first differing line.
fn report_nondeterminism(world: &World, first: &Outcome, second: &Outcome) -> String {
    let seed = world.seed;
    let mut text =
        format!("NONDETERMINISTIC seed {seed}: two runs gave traces {} and {}\n", first.trace_hash, second.trace_hash);
    let (a, b) = (world_trace(world), world_trace(world));
    let directory = Path::new(NONDETERMINISM_DIR);
    let files = [directory.join(format!("seed-{seed}-a.trace")), directory.join(format!("seed-{seed}-b.trace"))];
    let written = std::fs::create_dir_all(directory)
        .and_then(|()| std::fs::write(&files[0], &a))
        .and_then(|()| std::fs::write(&files[1], &b));
    match written {
        Ok(()) => {
            let _ = writeln!(text, "  traces: {} and {}", files[0].display(), files[1].display());
        }
        Err(error) => {
            let _ = writeln!(text, "  could not write the traces under {NONDETERMINISM_DIR}: {error}");
        }
    }
    text.push_str(&first_difference(&a, &b));
    text
}

/// Where two traces first differ, as lines to print.
fn first_difference(a: &str, b: &str) -> String {
    match a.lines().zip(b.lines()).enumerate().find(|(_, (x, y))| x != y) {
        Some((number, (x, y))) => format!("  first difference, line {}:\n  - {x}\n  + {y}\n", number + 1),
        None if a == b => "  (the two runs after it agreed: the difference comes and goes)\n".to_owned(),
        None => {
            let (x, y) = (a.lines().count(), b.lines().count());
            format!("  one trace is a prefix of the other ({x} and {y} lines)\n")
        }
    }
}

/// Shrinks a finding, writes its regression scenario and describes it.
fn report_finding(world: &World, outcome: &Outcome, regressions: &Path) -> String {
    let finding = outcome.finding.as_ref().expect("only called with a finding");
    let (small, runs) = shrink(world, outcome);
    let file = regressions.join(format!("{}-seed-{}.yaml", finding.kind, world.seed));
    let name = format!("explored world {} broke {} (shrunk)", world.seed, finding.kind);
    let written = std::fs::create_dir_all(regressions).and_then(|()| std::fs::write(&file, small.to_yaml(&name)));
    let mut text = String::new();
    let _ = writeln!(text, "FINDING {} in seed {} (commit {})", finding.kind, world.seed, commit());
    let _ = writeln!(
        text,
        "  world: {} devices ({}), multi_device_sync {}, mobile_devices_max {}, {} ops",
        world.devices.len(),
        world.devices.iter().map(|d| format!("{}={}/{}", d.name, d.user, d.platform)).collect::<Vec<_>>().join(" "),
        world.multi_device_sync,
        world.mobile_devices_max,
        world.ops.len()
    );
    for line in finding.message.lines() {
        let _ = writeln!(text, "  {line}");
    }
    let _ = writeln!(text, "  shrunk in {runs} runs to {} devices and {} ops", small.devices.len(), small.ops.len());
    match written {
        Ok(()) => {
            let _ = writeln!(text, "  written: {}", file.display());
            let _ = writeln!(text, "  replay: imsim run {} --trace", file.display());
        }
        Err(error) => {
            let _ = writeln!(text, "  could not write {}: {error}", file.display());
        }
    }
    let _ = writeln!(text, "  replay the whole world: imsim replay {}", world.seed);
    text
}

/// The commit being explored, for the finding's record.
fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// What a sweep saw.
#[derive(Debug, Default)]
struct Summary {
    worlds: u64,
    invalid: Vec<(u64, String)>,
    findings: BTreeMap<String, Vec<u64>>,
    /// Per counter: the total, and how many worlds saw it at least once.
    counters: BTreeMap<String, (u64, u64)>,
    simulated: Duration,
    determinism_checked: u64,
    nondeterministic: Vec<u64>,
}

impl Summary {
    fn record(&mut self, outcome: &Outcome) {
        self.worlds += 1;
        self.simulated += outcome.simulated;
        if let Some(reason) = &outcome.invalid {
            self.invalid.push((outcome.seed, reason.clone()));
        }
        for (name, count) in &outcome.counters {
            let entry = self.counters.entry(name.clone()).or_default();
            entry.0 += count;
            entry.1 += u64::from(*count > 0);
        }
    }

    fn missing_coverage(&self) -> Vec<&'static str> {
        if self.worlds < COVERAGE_MIN_SEEDS {
            return Vec::new();
        }
        required_counters().into_iter().filter(|name| !self.counters.contains_key(*name)).collect()
    }

    fn failed(&self) -> bool {
        !self.findings.is_empty()
            || !self.invalid.is_empty()
            || !self.nondeterministic.is_empty()
            || !self.missing_coverage().is_empty()
    }

    fn render(&self, wall: Duration) -> String {
        let mut text = String::new();
        let per_minute = self.worlds as f64 / wall.as_secs_f64().max(1e-9) * 60.0;
        let _ = writeln!(
            text,
            "{} worlds in {:.1} s wall ({per_minute:.0} per minute), {} simulated",
            self.worlds,
            wall.as_secs_f64(),
            crate::cli::human_duration(self.simulated)
        );
        let _ = writeln!(text, "coverage (total, share of worlds):");
        let (codes, kinds): (Vec<_>, Vec<_>) =
            self.counters.iter().partition(|(name, _)| name.starts_with(REFUSAL_CODE_PREFIX));
        for (name, (total, worlds)) in kinds {
            let share = *worlds as f64 * 100.0 / self.worlds.max(1) as f64;
            let _ = writeln!(text, "  {name:<34} {total:>8}  {share:5.1} %");
        }
        let codes: Vec<String> = codes
            .iter()
            .map(|(name, (total, _))| format!("{}×{total}", name.trim_start_matches(REFUSAL_CODE_PREFIX)))
            .collect();
        let _ = writeln!(text, "refusal codes seen (code×times): {}", codes.join(", "));
        for name in self.missing_coverage() {
            let _ = writeln!(text, "MISSING COVERAGE: no world had a {name}");
        }
        let _ = writeln!(
            text,
            "determinism: {} worlds run twice, {} differed{}",
            self.determinism_checked,
            self.nondeterministic.len(),
            if self.nondeterministic.is_empty() {
                String::new()
            } else {
                format!(" (seeds {:?})", self.nondeterministic)
            }
        );
        if !self.invalid.is_empty() {
            let _ = writeln!(text, "{} worlds could not be judged (the generator's mistakes):", self.invalid.len());
            for (seed, reason) in self.invalid.iter().take(5) {
                let _ = writeln!(text, "  seed {seed}: {}", reason.lines().next().unwrap_or_default());
            }
        }
        if self.findings.is_empty() {
            let _ = writeln!(text, "no findings");
        }
        for (kind, seeds) in &self.findings {
            let _ = writeln!(
                text,
                "FINDINGS {kind}: {} worlds, first seeds {:?}",
                seeds.len(),
                &seeds[..seeds.len().min(10)]
            );
        }
        text
    }
}

/// `imsim replay SEED`: the world of `seed`, run once with its full trace.
pub(super) fn replay(seed: u64) -> ExitCode {
    let world = World::generate(seed);
    let yaml = world.to_yaml(&format!("explored world {seed}"));
    println!("{yaml}");
    let outcome = run_world(&world);
    print!("{}", world_trace(&world));
    match (&outcome.finding, &outcome.invalid) {
        (Some(finding), _) => {
            println!("FINDING {}\n{}", finding.kind, finding.message);
            ExitCode::FAILURE
        }
        (None, Some(reason)) => {
            println!("could not be judged: {reason}");
            ExitCode::FAILURE
        }
        (None, None) => {
            println!("no findings (trace {})", outcome.trace_hash);
            ExitCode::SUCCESS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_named_with_both_versions() {
        assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), "  first difference, line 2:\n  - b\n  + x\n");
        assert_eq!(first_difference("a\nb", "a\nb\nc"), "  one trace is a prefix of the other (2 and 3 lines)\n");
        assert!(first_difference("a", "a").contains("comes and goes"));
    }

    #[test]
    fn a_shard_is_an_index_below_its_count() {
        assert_eq!(parse_shard("1/4"), Ok((1, 4)));
        assert_eq!(parse_shard(" 0 / 1 "), Ok((0, 1)));
        assert!(parse_shard("4/4").unwrap_err().contains("expected 0 <= I < N"));
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("1").unwrap_err().contains("expected I/N"));
        assert!(parse_shard("a/2").unwrap_err().contains("I must be a number"));
    }
}
