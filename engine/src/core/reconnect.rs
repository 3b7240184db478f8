//! The reconnect schedule (RECONN-4, RECONN-8, spec README decision 3).
//!
//! Attempt n starts d(n) after the previous attempt failed (for n = 1, after the loss was detected):
//! 0, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000 ms, then every 64000 ms, with no jitter, so that a trace
//! shows the exact attempt times and a scenario can assert them.

/// RECONN-4, RECONN-8: the delays before attempts 1 to 9, in milliseconds.
pub const RECONNECT_DELAYS_MS: [u64; 9] = [0, 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000];

/// RECONN-4, RECONN-8: the delay before every attempt after the ninth, in milliseconds.
pub const RECONNECT_DELAY_STEADY_MS: u64 = 64_000;

const _: () = assert!(RECONNECT_DELAYS_MS[RECONNECT_DELAYS_MS.len() - 1] < RECONNECT_DELAY_STEADY_MS);

/// Where the engine is in the schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReconnectSchedule {
    /// Attempts already scheduled since the last success or reset.
    attempts: u32,
}

impl ReconnectSchedule {
    /// The delay before the next attempt; advances the schedule.
    pub fn next_delay_ms(&mut self) -> u64 {
        crate::mark!("RECONN-4");
        let delay = RECONNECT_DELAYS_MS.get(self.attempts as usize).copied().unwrap_or(RECONNECT_DELAY_STEADY_MS);
        self.attempts = self.attempts.saturating_add(1);
        delay
    }

    /// Starts again from d(1): after a success (RECONN-8) or a foreground or network change (RECONN-5, RECONN-9).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }

    /// How many attempts have been scheduled since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_reconn_4_then_every_64_seconds() {
        crate::checks!(unit: "RECONN-4");
        let mut schedule = ReconnectSchedule::default();
        let delays: Vec<u64> = (0..12).map(|_| schedule.next_delay_ms()).collect();
        assert_eq!(delays, [0, 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000]);
        schedule.reset();
        assert_eq!(schedule.next_delay_ms(), 0);
        assert_eq!(schedule.attempts(), 1);
    }
}
