//! The calling convention, checked on every run (CALL-1, CALL-4, CALL-13, CODE-6): every app call made through the
//! API table is entered here with its number and return code, and every event the engine tags with a call's number
//! is counted against it. After every tick the runner asks for a violation:
//!
//! - a refused call (non-zero return code) gets no result at all, through no listener and no callback (CALL-1);
//! - an accepted call whose method answers through a listener gets exactly one terminal result (CALL-13): never a
//!   second, and, when its result is bounded (a request or a send times out after 30 s), one within that bound;
//! - a terminal result comes after the call returned (CALL-13), never before.
//!
//! A call whose engine went away before its result (the device crashed, or `destroy` was called: ENG-5 says nothing
//! fires after it) owes nothing, and nor does a `connect` replaced by a later `connect` or ended by a `disconnect`
//! before it was answered (CONN-10: the earlier call's outcome is never reported): an answer to either is a
//! violation. A call made without a callback while the app had removed its result's listener, or whose listener
//! the app removed before the result came, owes at most one (CALL-5: the result is dropped, unless the listener is
//! set again in time).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use imsim_engine::api::{Completion, Method};
use imsim_engine::core::CallId;
use imsim_engine::limits::PUBLISH_ACK_TIMEOUT_MS;

use crate::scenario::Location;

/// How long an accepted call with a bounded result may wait for it: a request or a publish fails with 30003 once its
/// 30 s pass (CALL-13), and the answer may take up to a second more to be delivered and seen.
pub const RESULT_BOUND: Duration = Duration::from_millis(PUBLISH_ACK_TIMEOUT_MS + 1_000);

/// One call made through the API table.
#[derive(Clone, Debug)]
struct Entry {
    method: Method,
    /// When the call returned.
    at: Duration,
    code: i32,
    /// The step that made it.
    location: Location,
    /// Terminal results seen so far.
    results: u32,
    /// Why it owes no result any more (its engine went away, or a later call replaced it), if it does not.
    released: Option<&'static str>,
    /// Whether it passed a per-call callback (CALL-4): its result then never depends on the listeners.
    callback: bool,
}

/// The calls of every device, and the deadlines of those still owing a bounded result.
#[derive(Debug, Default)]
pub struct CallLedger {
    calls: BTreeMap<(String, CallId), Entry>,
    /// The listeners each device's app has removed (CALL-3).
    removed_listeners: BTreeMap<String, BTreeSet<String>>,
    /// Accepted calls still owing a bounded result, by deadline.
    open: BTreeSet<(Duration, String, CallId)>,
    /// The first violation seen, for the runner to fail the run with.
    violation: Option<(Location, String)>,
}

impl CallLedger {
    /// Enters a call `device` made, with its return code, as it returned at `at`, with a callback or not.
    #[allow(clippy::too_many_arguments)] // one call's record, as the device saw it
    pub fn called(
        &mut self,
        device: &str,
        call: CallId,
        method: Method,
        at: Duration,
        code: i32,
        location: Location,
        callback: bool,
    ) {
        if code == 0 {
            match method.name() {
                // ENG-5: nothing fires after destroy, so nothing in flight will be answered.
                "destroy" => self.release(device, |_| true, "the engine was destroyed"),
                // CONN-10: a later connect, or a disconnect, replaces a connect still unanswered.
                "connect" | "disconnect" => {
                    self.release(device, |method| method.name() == "connect", "a later call replaced it (CONN-10)");
                }
                _ => {}
            }
        }
        let may_be_dropped =
            !callback && (self.is_removed(device, method) || !method.completion().reaches_engine_listener());
        if code == 0
            && !may_be_dropped
            && let Completion::Listener { bounded: true, .. } = method.completion()
        {
            self.open.insert((at + RESULT_BOUND, device.to_owned(), call));
        }
        let entry = Entry { method, at, code, location, results: 0, released: None, callback };
        self.calls.insert((device.to_owned(), call), entry);
    }

    /// The app of `device` set or removed `listener` (CALL-3): from now on, a result for it of a call made without a
    /// callback may be dropped (CALL-5).
    pub fn listener_set(&mut self, device: &str, listener: &str, set: bool) {
        let removed = self.removed_listeners.entry(device.to_owned()).or_default();
        if set {
            removed.remove(listener);
            return;
        }
        removed.insert(listener.to_owned());
        for ((owner, call), entry) in self.calls.range_mut((device.to_owned(), CallId(0))..) {
            if owner != device {
                break;
            }
            let answers_to =
                matches!(entry.method.completion(), Completion::Listener { result, .. } if result == listener);
            // Its result may be dropped now (CALL-5): it owes at most one, with no deadline.
            if answers_to && !entry.callback && entry.results == 0 {
                self.open.remove(&(entry.at + RESULT_BOUND, owner.clone(), *call));
            }
        }
    }

    /// Whether the result listener of `method` is removed on `device`.
    fn is_removed(&self, device: &str, method: Method) -> bool {
        let Completion::Listener { result, .. } = method.completion() else { return false };
        self.removed_listeners.get(device).is_some_and(|removed| removed.contains(result))
    }

    /// The device's engine went away (a crash): its calls in flight owe nothing.
    pub fn engine_gone(&mut self, device: &str) {
        self.release(device, |_| true, "the device crashed");
    }

    /// Counts an event of `listener` tagged with `call`, delivered at `at` (through a callback or not).
    pub fn answered(&mut self, device: &str, call: CallId, listener: &str, at: Duration) {
        let Some(entry) = self.calls.get_mut(&(device.to_owned(), call)) else { return };
        let Completion::Listener { result, .. } = entry.method.completion() else { return };
        if listener != result {
            return;
        }
        entry.results += 1;
        let method = entry.method.name();
        let violation = if let Some(reason) = entry.released {
            Some(format!(
                "{device}'s {method} (call #{}) owed no result any more ({reason}), yet {listener} answered it at {}ms",
                call.0,
                at.as_millis()
            ))
        } else if entry.code != 0 {
            Some(format!(
                "CALL-1: {device}'s {method} was refused with {} at {}ms, yet {listener} answered it at {}ms",
                entry.code,
                entry.at.as_millis(),
                at.as_millis()
            ))
        } else if entry.results > 1 {
            Some(format!(
                "CALL-13: {device}'s {method} (call #{}) got a second {listener}, at {}ms",
                call.0,
                at.as_millis()
            ))
        } else if at < entry.at {
            Some(format!("CALL-13: {device}'s {method} was answered at {}ms, before it returned", at.as_millis()))
        } else {
            None
        };
        let location = entry.location;
        self.open.remove(&(entry.at + RESULT_BOUND, device.to_owned(), call));
        if let Some(message) = violation {
            self.violation.get_or_insert((location, message));
        }
    }

    /// The first violation so far, or the first accepted call whose bound passed by `now` without a result.
    pub fn violation(&mut self, now: Duration) -> Option<(Location, String)> {
        if let Some(violation) = self.violation.take() {
            return Some(violation);
        }
        let (deadline, device, call) = self.open.first()?.clone();
        if deadline >= now {
            return None;
        }
        self.open.pop_first();
        let entry = self.calls.get(&(device.clone(), call))?;
        let Completion::Listener { result, .. } = entry.method.completion() else { return None };
        Some((
            entry.location,
            format!(
                "CALL-13: {device}'s {} (call #{}, accepted at {}ms) got no {result} within {}s",
                entry.method.name(),
                call.0,
                entry.at.as_millis(),
                RESULT_BOUND.as_secs()
            ),
        ))
    }

    /// When the first accepted call still owing a bounded result must have it by, if any is still owing.
    pub fn first_deadline(&self) -> Option<Duration> {
        self.open.first().map(|(deadline, _, _)| *deadline)
    }

    /// Releases `device`'s unanswered accepted calls whose method `applies` to, for `reason`.
    fn release(&mut self, device: &str, applies: impl Fn(Method) -> bool, reason: &'static str) {
        for ((owner, call), entry) in self.calls.range_mut((device.to_owned(), CallId(0))..) {
            if owner != device {
                break;
            }
            if entry.code == 0 && entry.results == 0 && entry.released.is_none() && applies(entry.method) {
                entry.released = Some(reason);
                self.open.remove(&(entry.at + RESULT_BOUND, owner.clone(), *call));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Location = Location { line: 7, column: 5 };

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn call_13_one_terminal_result_per_accepted_call_within_its_bound() {
        let mut ledger = CallLedger::default();
        ledger.called("a", CallId(1), Method::JoinChatRoom, ms(10), 0, AT, false);
        // Progress and other listeners are not results; the bound has not passed.
        ledger.answered("a", CallId(1), "onChatRoomJoining", ms(11));
        assert_eq!(ledger.violation(ms(10) + RESULT_BOUND), None);
        ledger.answered("a", CallId(1), "onChatRoomJoined", ms(12));
        assert_eq!(ledger.violation(ms(10_000_000)), None);
        ledger.answered("a", CallId(1), "onChatRoomJoined", ms(13));
        let (at, message) = ledger.violation(ms(13)).expect("a second result");
        assert_eq!(at, AT);
        assert_eq!(message, "CALL-13: a's joinChatRoom (call #1) got a second onChatRoomJoined, at 13ms");
        // No result at all: a violation one tick after the bound, not at it.
        ledger.called("a", CallId(2), Method::AddToBlacklist, ms(20), 0, AT, false);
        assert_eq!(ledger.violation(ms(20) + RESULT_BOUND), None);
        let (_, message) = ledger.violation(ms(21) + RESULT_BOUND).expect("overdue");
        assert_eq!(
            message,
            "CALL-13: a's addToBlacklist (call #2, accepted at 20ms) got no onBlacklistAdded within 31s"
        );
    }

    #[test]
    fn call_1_a_refused_call_gets_no_result() {
        let mut ledger = CallLedger::default();
        ledger.called("a", CallId(1), Method::AddToBlacklist, ms(5), -101, AT, false);
        assert_eq!(ledger.violation(ms(100_000)), None, "a refused call owes nothing");
        ledger.answered("a", CallId(1), "onBlacklistAdded", ms(6));
        let (_, message) = ledger.violation(ms(6)).expect("a result for a refused call");
        assert_eq!(
            message,
            "CALL-1: a's addToBlacklist was refused with -101 at 5ms, yet onBlacklistAdded answered it at 6ms"
        );
    }

    #[test]
    fn a_crash_destroy_or_later_connect_releases_calls_and_a_late_result_is_a_violation() {
        let mut ledger = CallLedger::default();
        ledger.called("a", CallId(1), Method::JoinChatRoom, ms(1), 0, AT, false);
        ledger.called("b", CallId(1), Method::JoinChatRoom, ms(1), 0, AT, false);
        ledger.engine_gone("a");
        let (_, message) = ledger.violation(ms(1) + RESULT_BOUND + ms(1)).expect("b's call is still owed");
        assert!(message.starts_with("CALL-13: b's joinChatRoom"), "{message}");
        assert_eq!(ledger.violation(ms(1_000_000)), None, "a's call was released by the crash");
        // CONN-10: a connect replaced by a later one owes nothing, and must not be answered.
        ledger.called("c", CallId(1), Method::Connect, ms(1), 0, AT, false);
        ledger.called("c", CallId(2), Method::Connect, ms(2), 0, AT, false);
        ledger.answered("c", CallId(1), "onConnected", ms(3));
        let (_, message) = ledger.violation(ms(3)).expect("an answer to a replaced connect");
        assert!(message.contains("owed no result any more (a later call replaced it (CONN-10))"), "{message}");
    }

    #[test]
    fn call_5_a_result_whose_listener_is_removed_may_be_dropped_but_a_callbacks_may_not() {
        let mut ledger = CallLedger::default();
        ledger.listener_set("a", "onBlacklistAdded", false);
        ledger.called("a", CallId(1), Method::AddToBlacklist, ms(1), 0, AT, false);
        assert_eq!(ledger.violation(ms(1_000_000)), None, "dropped for want of a listener");
        ledger.called("a", CallId(2), Method::AddToBlacklist, ms(2), 0, AT, true);
        let (_, message) = ledger.violation(ms(2) + RESULT_BOUND + ms(1)).expect("a callback's result is owed");
        assert!(message.contains("call #2"), "{message}");
        // Removing a listener while a call waits releases its deadline; setting it again owes the next calls again.
        ledger.listener_set("a", "onBlacklistAdded", true);
        ledger.called("a", CallId(3), Method::AddToBlacklist, ms(3), 0, AT, false);
        ledger.listener_set("a", "onBlacklistAdded", false);
        assert_eq!(ledger.violation(ms(1_000_000)), None);
        ledger.listener_set("a", "onBlacklistAdded", true);
        ledger.called("a", CallId(4), Method::AddToBlacklist, ms(4), 0, AT, false);
        assert!(ledger.violation(ms(4) + RESULT_BOUND + ms(1)).is_some(), "owed again once the listener is set");
    }
}
