//! Coverage marks (TigerBeetle's): the code that carries out a rule says so when it runs, so a test that claims the
//! rule can be held to having reached it.
//!
//! A scenario's `rules:` is a promise that the scenario would fail if the rule broke; a scenario that never runs the
//! rule's code cannot keep it. So the engine and the fake server call [`mark!`] where a rule takes effect (a rate
//! refusal, a kick, a room destroyed at its deadline), and the runner records the marks each run reaches
//! ([`record`]): a scenario that claims a marked rule its run never reached fails, and the conformance report
//! counts such a rule as checked only when a passing scenario both claims and reached it.
//!
//! Marks are per thread (one simulation runs on one thread) and cost one thread-local check when nothing records.
//! The set of marked rules is read from the code itself by the simulator's build script (`sim/build.rs`, which also
//! refuses a mark naming a rule the spec does not have), so a mark is one line where its rule takes effect.

use std::cell::RefCell;
use std::collections::BTreeSet;

thread_local! {
    static REACHED: RefCell<Option<BTreeSet<&'static str>>> = const { RefCell::new(None) };
}

/// Records that the code of `rule` ran, if marks are being recorded on this thread. Use [`mark!`].
pub fn reached(rule: &'static str) {
    REACHED.with(|reached| {
        if let Some(reached) = reached.borrow_mut().as_mut() {
            reached.insert(rule);
        }
    });
}

/// Runs `work`, and returns what it returned with the rules whose marks it reached on this thread.
pub fn record<T>(work: impl FnOnce() -> T) -> (T, BTreeSet<&'static str>) {
    let outer = REACHED.with(|reached| reached.borrow_mut().replace(BTreeSet::new()));
    let result = work();
    let mine = REACHED.with(|reached| std::mem::replace(&mut *reached.borrow_mut(), outer)).unwrap_or_default();
    // A recording around this one saw these too.
    for rule in &mine {
        reached(rule);
    }
    (result, mine)
}

/// `mark!("SEND-2")`: the code of rule SEND-2 runs here.
#[macro_export]
macro_rules! mark {
    ($rule:literal) => {{
        $crate::marks::reached($rule);
    }};
}

/// `checks!(unit: "RECONN-4", "RECONN-5")` or `checks!(property: "RECV-13")`, written in a test: the test checks
/// these rules, and fails if they break. It expands to nothing; the simulator's build script reads the markers from
/// the test sources (`sim/build.rs`, lexing them, so a marker in a comment or a string does not count), refuses a
/// rule the spec does not have, and the conformance report counts each marked test among the checks of its rules,
/// with its kind. A scenario says the same with its `rules:`.
#[macro_export]
macro_rules! checks {
    (unit: $($rule:literal),+ $(,)?) => {};
    (property: $($rule:literal),+ $(,)?) => {};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_sees_the_marks_reached_inside_it_and_nothing_outside() {
        crate::mark!("SEND-2");
        let ((), outer) = record(|| {
            crate::mark!("CR-4");
            let ((), inner) = record(|| crate::mark!("KICK-1"));
            assert_eq!(inner, BTreeSet::from(["KICK-1"]));
        });
        assert_eq!(outer, BTreeSet::from(["CR-4", "KICK-1"]), "the inner recording's marks count outside it too");
    }
}
