//! Shrinking a failing world to a small one that fails the same way (delta debugging over its timeline, then fewer
//! devices, then shorter waits), so that what lands in `fixtures/regressions/` is a scenario a person can read.
//!
//! "The same way" is the same kind of finding (the same checker, or the same runner invariant): a candidate that
//! passes, fails differently, or is not a valid world any more is discarded.

use std::time::Duration;

use super::world::{Op, World};
use super::{Outcome, run_world};

/// How many candidate worlds one shrink may run.
pub const SHRINK_RUNS_MAX: usize = 400;

/// The smallest world found that fails as `outcome` did, and how many runs it took.
pub fn shrink(world: &World, outcome: &Outcome) -> (World, usize) {
    let Some(finding) = &outcome.finding else { return (world.clone(), 0) };
    let mut shrinker = Shrinker { kind: finding.kind.clone(), runs: 0, best: world.clone() };
    shrinker.fewer_ops();
    shrinker.fewer_devices();
    shrinker.shorter_waits();
    (shrinker.best, shrinker.runs)
}

struct Shrinker {
    /// The kind of finding every candidate must still have.
    kind: String,
    runs: usize,
    best: World,
}

impl Shrinker {
    fn budget_left(&self) -> bool {
        self.runs < SHRINK_RUNS_MAX
    }

    /// Keeps `candidate` if it still fails the same way.
    fn try_candidate(&mut self, candidate: World) -> bool {
        self.runs += 1;
        let same = run_world(&candidate).finding.is_some_and(|finding| finding.kind == self.kind);
        if same {
            self.best = candidate;
        }
        same
    }

    /// Removes chunks of the timeline, from half of it down to one op at a time.
    fn fewer_ops(&mut self) {
        let mut chunk = self.best.ops.len().div_ceil(2).max(1);
        loop {
            let mut start = 0;
            while start < self.best.ops.len() && self.budget_left() {
                let mut candidate = self.best.clone();
                let end = (start + chunk).min(candidate.ops.len());
                candidate.ops.drain(start..end);
                if !self.try_candidate(candidate) {
                    start += chunk;
                }
            }
            if chunk == 1 || !self.budget_left() {
                return;
            }
            chunk = chunk.div_ceil(2);
        }
    }

    /// Removes devices, each with every op about it (a user's ops stay while one of its devices does).
    fn fewer_devices(&mut self) {
        let mut index = 0;
        while index < self.best.devices.len() && self.best.devices.len() > 1 && self.budget_left() {
            let mut candidate = self.best.clone();
            let removed = candidate.devices.remove(index);
            let user_remains = candidate.devices.iter().any(|device| device.user == removed.user);
            candidate.ops.retain(|op| match op.subject() {
                Some(subject) => subject != removed.name && (user_remains || subject != removed.user),
                None => true,
            });
            if !self.try_candidate(candidate) {
                index += 1;
            }
        }
    }

    /// Shortens each wait: to nothing if it can, else by halves.
    fn shorter_waits(&mut self) {
        for position in 0..self.best.ops.len() {
            loop {
                let Op::Advance(wait) = self.best.ops[position] else { break };
                if wait.is_zero() || !self.budget_left() {
                    break;
                }
                let mut candidate = self.best.clone();
                candidate.ops[position] = Op::Advance(Duration::ZERO);
                if self.try_candidate(candidate) {
                    break;
                }
                let half = Duration::from_millis(u64::try_from(wait.as_millis() / 2).unwrap_or(0));
                let mut candidate = self.best.clone();
                candidate.ops[position] = Op::Advance(half);
                if half.is_zero() || !self.try_candidate(candidate) {
                    break;
                }
            }
        }
    }
}
