//! The window of a negative check (`no_event`, `no_server_callback`), and the lint that refuses one that cannot
//! contain what it guards against.
//!
//! A negative check promises that something did not happen. If its window opened only when the check started, an
//! event that arrived while an earlier `expect` waited (the trigger answered, the callback already made) would slip
//! by, and the check could not fail. So the window opens at the start of the step that caused what is being
//! watched: the last step before the check that acts on the world (a call, a fault, an App Server API call); the
//! `expect`, `advance` and `converge` steps in between only let time pass, so they stay inside the window. It closes
//! `for` after the check starts. Events (or callbacks) that a positive check in the window matched are expected
//! ones and are not counted: a negative check of the same kind after a positive one means "nothing else of this
//! kind".
//!
//! A `checkpoint: NAME` step names a point in the run, and a negative check with `since: NAME` opens its window
//! there instead: for "nothing changes from here on" once earlier checks have established a state, or for a window
//! that must reach back past the last acting step.
//!
//! The lint: an event caused over the network needs at least a round trip to show, so a window shorter than a round
//! trip at the smallest latency, plus a tick, cannot contain even the earliest such event. The parser refuses a
//! negative check whose window is shorter than that, counting only what it knows (the `advance` and `converge` steps
//! in the window and the check's own `for`; an `expect` in between may take no time at all), at the smallest latency
//! the settings or a `latency` step have set by then. (A window may well end before the event is due: "not before
//! 795 ms" on an 800 ms link is a check that a message does not come early.)

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{CallbackExpectation, Check, Location, Scenario, Settings, StepKind, format_duration};

impl StepKind {
    /// Whether the step acts on the world, and so opens the window of the negative checks after it. Checks and
    /// the passing of time do not.
    pub fn opens_negative_window(&self) -> bool {
        !matches!(
            self,
            StepKind::Expect(_)
                | StepKind::ExpectStatuses(_)
                | StepKind::ExpectServerCallback(_)
                | StepKind::Advance(_)
                | StepKind::Converge(_)
                | StepKind::Checkpoint(_)
        )
    }

    /// The negative check's own period (`for`) and its checkpoint, if the step is one.
    fn negative_check(&self) -> Option<(Duration, Option<&str>)> {
        match self {
            StepKind::Expect(expectation) => match &expectation.check {
                Check::NoEvent { period, since, .. } => Some((*period, since.as_deref())),
                _ => None,
            },
            StepKind::ExpectServerCallback(CallbackExpectation::NoCallback { period, since, .. }) => {
                Some((*period, since.as_deref()))
            }
            _ => None,
        }
    }
}

/// The shortest window a negative check may have: a round trip at the smallest latency, and a tick.
pub fn negative_window_min(latency_min: Duration, settings: &Settings) -> Duration {
    2 * latency_min.min(settings.latency_min) + settings.tick
}

/// Refuses, at its location, a negative check whose window is known to be shorter than [`negative_window_min`], a
/// `since` naming no earlier checkpoint, and a checkpoint named twice.
pub(super) fn check(scenario: &Scenario) -> Result<(), (Location, String)> {
    // The smallest latency the settings or a `latency` step have set so far.
    let mut latency_min = scenario.settings.latency_min;
    // The time the steps since the window opened are known to cover, and the same since each checkpoint.
    let mut known = Duration::ZERO;
    let mut since_checkpoint: BTreeMap<&str, Duration> = BTreeMap::new();
    for step in &scenario.steps {
        match &step.kind {
            StepKind::Latency { min, .. } => latency_min = latency_min.min(*min),
            StepKind::Checkpoint(name) if since_checkpoint.insert(name, Duration::ZERO).is_some() => {
                return Err((step.location, format!("checkpoint: {name:?} is already a checkpoint; name each once")));
            }
            _ => {}
        }
        if step.kind.opens_negative_window() {
            known = Duration::ZERO;
        }
        if let Some((period, since)) = step.kind.negative_check() {
            let (opened, known) = match since {
                None => ("the step that acted before it", known),
                Some(name) => match since_checkpoint.get(name) {
                    Some(known) => ("its checkpoint", *known),
                    None => {
                        return Err((
                            step.location,
                            format!(
                                "expect.since: no checkpoint {name:?} before this step; add `- checkpoint: {name}`"
                            ),
                        ));
                    }
                },
            };
            let least = negative_window_min(latency_min, &scenario.settings);
            let window = known + period;
            if window < least {
                return Err((
                    step.location,
                    format!(
                        "expect.for: this negative check's window is {} (from {opened}), shorter than a round trip at \
                         the smallest latency so far and a tick ({}), so it cannot contain an event caused over the \
                         network and could never fail; make `for` at least {}",
                        format_duration(window),
                        format_duration(least),
                        format_duration(least.saturating_sub(known)),
                    ),
                ));
            }
        }
        if let StepKind::Advance(duration) | StepKind::Converge(duration) = &step.kind {
            known += *duration;
            for known in since_checkpoint.values_mut() {
                *known += *duration;
            }
        }
    }
    Ok(())
}
