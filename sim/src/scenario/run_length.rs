//! The bound on how much simulated time one step may cover, checked when a scenario is parsed.
//!
//! The runner jumps over idle time (`crate::wakes`): a step costs wall time for what happens in it (frames on the
//! wire, timers firing), not for the simulated time it covers, so an idle week costs about as much as an idle minute.
//! What a step covers is still bounded, so that a typo such as `advance: 1000h` or `within: 100000d` is refused with
//! a message rather than run: every duration the runner steps through (`advance`, `converge`, an expectation's
//! `within`, a negative check's `for`) is refused past [`STEPPED_DURATION_MAX`], the longest period the spec names
//! with a day to spare. A run that is busy for long (a storm of messages, a partition holding frames on the wire,
//! which both forbid jumps) is bounded at run time instead, by `imsim run --timeout`.

use std::time::Duration;

use super::model::{CallbackExpectation, Location, Scenario, StepKind, format_duration};

/// OFFLINE-1: the longest period the spec names, the offline retention of 7 days.
pub const LONGEST_SPEC_PERIOD: Duration = Duration::from_secs(7 * 24 * 3_600);

/// The most simulated time one step may cover: [`LONGEST_SPEC_PERIOD`] and a day more.
pub const STEPPED_DURATION_MAX: Duration = Duration::from_secs(LONGEST_SPEC_PERIOD.as_secs() + 24 * 3_600);

/// Checks every stepped duration of `scenario` against [`STEPPED_DURATION_MAX`]; the error is the step's location
/// and what to do.
pub(super) fn check(scenario: &Scenario) -> Result<(), (Location, String)> {
    for step in &scenario.steps {
        let stepped = match &step.kind {
            StepKind::Advance(duration) => Some(("advance", *duration)),
            StepKind::Converge(duration) => Some(("converge", *duration)),
            StepKind::Expect(expectation) => Some(("expect.within", expectation.within)),
            StepKind::ExpectServerCallback(CallbackExpectation::Callback { within, .. }) => {
                Some(("expect.within", *within))
            }
            StepKind::ExpectServerCallback(CallbackExpectation::NoCallback { period, .. }) => {
                Some(("expect.for", *period))
            }
            _ => None,
        };
        if let Some((what, duration)) = stepped {
            check_duration(what, duration).map_err(|message| (step.location, message))?;
        }
    }
    Ok(())
}

fn check_duration(what: &str, duration: Duration) -> Result<(), String> {
    if duration <= STEPPED_DURATION_MAX {
        return Ok(());
    }
    Err(format!(
        "{what}: {} is longer than the {} one step may cover (the spec's longest period, 7 days of offline \
         retention, and a day more); split it into several steps if the scenario really needs that long",
        format_duration(duration),
        format_duration(STEPPED_DURATION_MAX),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_inclusive_to_the_nanosecond() {
        assert_eq!(check_duration("advance", STEPPED_DURATION_MAX), Ok(()));
        assert!(check_duration("advance", STEPPED_DURATION_MAX + Duration::from_nanos(1)).is_err());
    }

    #[test]
    fn the_message_names_the_step_the_duration_and_the_bound() {
        let message = check_duration("advance", Duration::from_secs(1_000 * 3_600)).expect_err("too long");
        assert_eq!(
            message,
            "advance: 1000h is longer than the 192h one step may cover (the spec's longest period, 7 days of offline \
             retention, and a day more); split it into several steps if the scenario really needs that long"
        );
    }

    #[test]
    fn an_absurd_duration_is_refused_without_overflow() {
        let message = check_duration("expect.within", Duration::from_millis(u64::MAX)).expect_err("absurd");
        assert!(message.starts_with("expect.within: 18446744073709551615ms is longer than"), "{message}");
    }
}
