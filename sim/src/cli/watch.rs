//! The command line's watchdog: a wall-clock budget per run (`--timeout`) and SLOW lines on stderr for a run that
//! is still going, in the manner of cargo-nextest. It reads the wall clock, which only it and the result line do;
//! what it sees never reaches a trace or the report, unless it ends a run, whose failure then says so.

use std::time::{Duration, Instant};

use crate::cli::human_duration;
use crate::runner::{Progress, Watchdog};
use crate::scenario::{Scenario, format_duration};

/// When a run still going is first reported on stderr.
pub(super) const SLOW_AFTER: Duration = Duration::from_secs(5);

/// How often a slow run is reported again after that.
pub(super) const SLOW_REPEAT: Duration = Duration::from_secs(15);

/// Watches one run of one scenario under one seed.
pub(super) struct WallClock {
    started: Instant,
    timeout: Duration,
    next_report: Duration,
    /// `name (path) seed=N`, for the SLOW lines.
    label: String,
    /// The scenario's path, for the step's `file:line:column`.
    path: String,
}

impl WallClock {
    pub(super) fn new(scenario: &Scenario, seed: u64, timeout: Duration) -> WallClock {
        WallClock {
            started: Instant::now(), // determinism: ok, outside the simulation: it only reports and stops runs
            timeout,
            next_report: SLOW_AFTER,
            label: format!("{} ({}) seed={seed}", super::shorten(&scenario.name, 60), scenario.path.display()),
            path: scenario.path.display().to_string(),
        }
    }

    fn place(&self, progress: &Progress) -> String {
        match progress.step {
            Some(at) => format!("at {}:{}:{}", self.path, at.line, at.column),
            None => "while the hosts boot".to_owned(),
        }
    }
}

impl Watchdog for WallClock {
    fn watch(&mut self, progress: &Progress) -> Result<(), String> {
        let elapsed = self.started.elapsed();
        if elapsed >= self.timeout {
            return Err(format!(
                "timed out: still running after {} of wall time (the budget of --timeout {}), at simulated {}",
                human_duration(elapsed),
                format_duration(self.timeout),
                human_duration(progress.simulated),
            ));
        }
        if elapsed >= self.next_report {
            eprintln!(
                "SLOW [{:>7.1}s] {} {}, simulated {}",
                elapsed.as_secs_f64(),
                self.label,
                self.place(progress),
                human_duration(progress.simulated)
            );
            while self.next_report <= elapsed {
                self.next_report += SLOW_REPEAT;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock_started_ago(ago: Duration, timeout: Duration) -> WallClock {
        let scenario = crate::scenario::parse_scenario(
            std::path::Path::new("s.yaml"),
            "name: n\nrules: [CONN-4]\nseed: 1\ndevices: { a: { user: u } }\nsteps:\n  - connect: a\n",
        )
        .expect("a valid scenario");
        let mut clock = WallClock::new(&scenario, 1, timeout);
        clock.started = Instant::now().checked_sub(ago).expect("the machine has been up that long");
        clock
    }

    fn progress() -> Progress {
        let step = Some(crate::scenario::Location { line: 6, column: 5 });
        Progress { step, simulated: Duration::from_secs(90), ticks: 90_000 }
    }

    #[test]
    fn a_run_is_reported_slow_after_five_seconds_then_every_fifteen() {
        let mut clock = clock_started_ago(Duration::from_secs(4), Duration::from_secs(300));
        assert_eq!(clock.watch(&progress()), Ok(()));
        assert_eq!(clock.next_report, SLOW_AFTER, "not slow yet");
        clock.started -= Duration::from_secs(2);
        assert_eq!(clock.watch(&progress()), Ok(()));
        assert_eq!(clock.next_report, SLOW_AFTER + SLOW_REPEAT, "reported once at 6 s");
        assert_eq!(clock.place(&progress()), "at s.yaml:6:5");
    }

    #[test]
    fn a_run_past_its_budget_is_ended_with_its_simulated_instant() {
        let mut clock = clock_started_ago(Duration::from_secs(11), Duration::from_secs(10));
        let why = clock.watch(&progress()).expect_err("past the budget");
        assert!(why.starts_with("timed out: still running after 11."), "{why}");
        assert!(why.ends_with("s of wall time (the budget of --timeout 10s), at simulated 1m 30.000s"), "{why}");
    }
}
