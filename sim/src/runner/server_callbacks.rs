//! The server's callbacks to the app server (CR-36, CRKV-15) in a run: drained after every tick and after every
//! App Server API call, written to the trace as `server callback ...` lines, kept in order, and checked by
//! `server_callback` and `no_server_callback` expectations.
//!
//! `server_callback` checks consume the run's callbacks in order, as event checks do a device's events: each one
//! matches the first matching callback after the one the previous `server_callback` check matched.

use std::time::Duration;

use super::Run;
use crate::scenario::{CallbackExpectation, CallbackPattern, describe_callback, format_duration};

impl Run<'_> {
    /// Moves the callbacks the server made since the last drain into the run's list and the trace. (With both
    /// callback switches off, the default, there never are any, so existing traces do not change.)
    pub(super) fn drain_server_callbacks(&mut self) {
        let callbacks = self.server.borrow_mut().take_app_server_callbacks(&self.app_key);
        if callbacks.is_empty() {
            return;
        }
        let at = self.sim.elapsed();
        let mut world = self.world.borrow_mut();
        for callback in callbacks {
            world.trace.record(at, "server", &describe_callback(&callback));
            self.server_callbacks.push(callback);
        }
    }

    /// Carries out a `server_callback` or `no_server_callback` expectation.
    pub(super) fn expect_server_callback(&mut self, expectation: &CallbackExpectation) -> Result<(), String> {
        match expectation {
            CallbackExpectation::Callback { pattern, within } => self.expect_callback(pattern, *within),
            CallbackExpectation::NoCallback { pattern, period, since } => {
                self.expect_no_callback(pattern, *period, since.as_deref())
            }
        }
    }

    /// Steps the simulation until a callback matching `pattern` has come after the last one matched, or fails once
    /// `within` has passed.
    fn expect_callback(&mut self, pattern: &CallbackPattern, within: Duration) -> Result<(), String> {
        let deadline = self.sim.elapsed() + within;
        loop {
            let found = self.server_callbacks[self.callback_cursor..].iter().position(|c| pattern.matches(c));
            if let Some(offset) = found {
                self.matched_callbacks.insert(self.callback_cursor + offset);
                self.callback_cursor += offset + 1;
                self.world.borrow_mut().trace.record(self.sim.elapsed(), "step", "expect held");
                return Ok(());
            }
            if self.sim.elapsed() + self.tick > deadline {
                let seen: Vec<String> =
                    self.server_callbacks[self.callback_cursor..].iter().map(describe_callback).collect();
                return Err(format!(
                    "expectation not met within {}: no matching callback; since the last match the server made [{}]",
                    format_duration(within),
                    seen.join("; ")
                ));
            }
            self.step_toward(deadline)?;
        }
    }

    /// Lets `period` pass and fails if a callback matching `pattern` came in the check's window: since the step
    /// that acted before it (`crate::scenario::negative_windows`), leaving out the callbacks a `server_callback`
    /// check matched.
    fn expect_no_callback(
        &mut self,
        pattern: &CallbackPattern,
        period: Duration,
        since: Option<&str>,
    ) -> Result<(), String> {
        let window = self.window_of(since)?;
        let first = window.callbacks;
        self.advance(period)?;
        let unexpected = (first..self.server_callbacks.len())
            .filter(|index| !self.matched_callbacks.contains(index))
            .map(|index| &self.server_callbacks[index])
            .find(|callback| pattern.matches(callback));
        match unexpected {
            Some(callback) => Err(format!(
                "the server made {}, within the window in which none was expected (from {}, {}ms, to {} after the \
                 check began)",
                describe_callback(callback),
                window.opened_by,
                window.opened_at.as_millis(),
                format_duration(period)
            )),
            None => Ok(()),
        }
    }
}
