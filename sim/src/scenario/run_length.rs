//! The bound on how long one step may make the simulation run, checked when a scenario is parsed.
//!
//! The runner steps turmoil one tick at a time (turmoil's API has no way to jump over idle time: see
//! ARCHITECTURE.md), so a step's wall-clock cost is its tick count times what a tick costs, which grows with the
//! number of hosts. A typo such as `advance: 10h` at the default 1 ms tick, or an expectation that never holds with
//! `within: 1000h`, would keep a run busy for minutes or hours without a word. So every duration the runner steps
//! through (`advance`, an expectation's `within`, a negative check's `for`) is refused past
//! [`STEPPED_TICKS_MAX`] ticks, with the projected wall time and the tick that would make it fit.

use std::time::Duration;

use super::model::{CallbackExpectation, Location, Scenario, StepKind, format_duration};
use super::parse::TICK_MAX;

/// The most ticks one step may step through: one simulated hour at the default 1 ms tick.
pub const STEPPED_TICKS_MAX: u64 = 3_600_000;

/// What a tick costs, for the projection in the error, on the reference machine (2 cores): about
/// `TICK_NS_PER_HOST × h + TICK_NS_PER_HOST_SQUARED × h²` nanoseconds with `h` hosts (the devices and the server),
/// fitted to `benches/benches/ticks.rs` with 2 to 20 idle devices (turmoil's own cost grows faster than linearly
/// with the hosts; README, "the cost model"). The projection is an estimate, not a promise.
pub const TICK_NS_PER_HOST: u128 = 2_400;
/// See [`TICK_NS_PER_HOST`].
pub const TICK_NS_PER_HOST_SQUARED: u128 = 126;

/// The projected wall time of `ticks` ticks with `hosts` hosts, in seconds.
pub fn projected_wall_seconds(ticks: u128, hosts: u64) -> u128 {
    let hosts = u128::from(hosts);
    let tick_ns = TICK_NS_PER_HOST * hosts + TICK_NS_PER_HOST_SQUARED * hosts * hosts;
    ticks.saturating_mul(tick_ns) / 1_000_000_000
}

/// Checks every stepped duration of `scenario` against [`STEPPED_TICKS_MAX`]; the error is the step's location and
/// what to do.
pub(super) fn check(scenario: &Scenario) -> Result<(), (Location, String)> {
    let tick = scenario.settings.tick;
    let hosts = scenario.devices.len() as u64 + 1;
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
            check_duration(what, duration, tick, hosts).map_err(|message| (step.location, message))?;
        }
    }
    Ok(())
}

fn check_duration(what: &str, duration: Duration, tick: Duration, hosts: u64) -> Result<(), String> {
    let ticks = duration.as_nanos() / tick.as_nanos().max(1);
    if ticks <= u128::from(STEPPED_TICKS_MAX) {
        return Ok(());
    }
    let wall_seconds = projected_wall_seconds(ticks, hosts);
    // The smallest whole-millisecond tick that brings the step within the bound, if the longest tick does.
    let fitting_ms = duration.as_millis().div_ceil(u128::from(STEPPED_TICKS_MAX)).max(1);
    let remedy = match u64::try_from(fitting_ms).map(Duration::from_millis) {
        Ok(fitting) if fitting <= TICK_MAX => {
            format!("raise `settings.tick` to {} or more, or shorten the step", format_duration(fitting))
        }
        _ => format!("shorten the step: even the longest tick ({}) cannot fit it", format_duration(TICK_MAX)),
    };
    Err(format!(
        "{what}: {} is {ticks} ticks of {}, more than the {STEPPED_TICKS_MAX} one step may take (about {} of wall \
         time with {hosts} hosts); {remedy}",
        format_duration(duration),
        format_duration(tick),
        wall_time(wall_seconds),
    ))
}

/// A projected wall time in words: `40 s`, `12 min`, `3 h`, `9 days`.
fn wall_time(seconds: u128) -> String {
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7_199 => format!("{} min", seconds / 60),
        7_200..=172_799 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_inclusive_and_counts_ticks_of_the_scenarios_tick() {
        let ms = Duration::from_millis;
        assert_eq!(check_duration("advance", ms(STEPPED_TICKS_MAX), ms(1), 3), Ok(()));
        assert!(check_duration("advance", ms(STEPPED_TICKS_MAX + 1), ms(1), 3).is_err());
        // The same duration fits with a longer tick.
        assert_eq!(check_duration("advance", ms(STEPPED_TICKS_MAX + 1), ms(2), 3), Ok(()));
    }

    #[test]
    fn the_message_names_the_ticks_the_projected_wall_time_and_a_tick_that_fits() {
        let ten_hours = Duration::from_secs(10 * 3_600);
        let message = check_duration("advance", ten_hours, Duration::from_millis(1), 3).expect_err("too long");
        assert_eq!(
            message,
            "advance: 10h is 36000000 ticks of 1ms, more than the 3600000 one step may take (about 5 min of wall \
             time with 3 hosts); raise `settings.tick` to 10ms or more, or shorten the step"
        );
    }

    #[test]
    fn an_absurd_duration_is_refused_without_overflow() {
        let message = check_duration("advance", Duration::from_millis(u64::MAX), Duration::from_millis(1), 21)
            .expect_err("absurd");
        assert!(message.contains("18446744073709551615 ticks of 1ms"), "{message}");
        assert_eq!(
            message,
            "advance: 18446744073709551615ms is 18446744073709551615 ticks of 1ms, more than the 3600000 one step may \
             take (about 22624162992 days of wall time with 21 hosts); shorten the step: even the longest tick (1s) \
             cannot fit it"
        );
    }
}
