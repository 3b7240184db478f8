//! Watching a run from outside the simulation: progress reports, and a way to stop a run that takes too long.
//!
//! The runner never reads a clock: what a run does depends on its scenario and seed alone. A [`Watchdog`] may read
//! the wall clock (the command line's does, to print SLOW lines and enforce `--timeout`); it sees where the run is
//! after every step of the simulation (a tick, or a jump over idle time) and can only end the run, never change what
//! the run did before that. (A step can carry much work, a burst of thousands of sends, so a period counted in ticks
//! could let a busy run go unwatched for minutes; a report costs one clock read.) A run that a watchdog ends fails
//! at the step it had reached, with the watchdog's reason.

use std::time::Duration;

use crate::scenario::Location;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The step being carried out (its location in the file), or `None` while the hosts boot.
    pub step: Option<Location>,
    /// The simulated time reached.
    pub simulated: Duration,
    /// Ticks stepped so far.
    pub ticks: u64,
}

/// Watches a run from outside the simulation.
pub trait Watchdog {
    /// Called after every step of the simulation; an `Err` ends the run, failing it with that reason.
    fn watch(&mut self, progress: &Progress) -> Result<(), String>;
}
