//! The rule markers written in the sources, collected when the simulator is built (`sim/build.rs`):
//!
//! - the unit and property tests that check rules (their `imsim_engine::checks!` markers), so the conformance report
//!   counts them beside the scenarios and says which kind of check covers each rule. A marked test is counted as
//!   passing: CI runs every test and fails on any failure, so the report of a green build never counts a failing test;
//! - the rules whose code carries a coverage mark (`imsim_engine::mark!`), which a scenario claiming them must reach.

include!(concat!(env!("OUT_DIR"), "/markers.rs"));

/// Whether the code of `rule` carries a coverage mark (`imsim_engine::mark!`).
pub fn is_marked(rule: &str) -> bool {
    MARKED_RULES.binary_search(&rule).is_ok()
}

/// One marked test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestCheck {
    /// Its file, from the repository's root.
    pub file: &'static str,
    /// Its function's name.
    pub test: &'static str,
    /// `unit` or `property`.
    pub kind: &'static str,
}

/// The marked tests that check `rule`, in file order.
pub fn tests_checking(rule: &str) -> Vec<TestCheck> {
    TEST_CHECKS
        .iter()
        .filter(|(_, _, _, rules)| rules.contains(&rule))
        .map(|&(file, test, kind, _)| TestCheck { file, test, kind })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markers_are_read_from_the_test_sources_of_both_crates() {
        assert_eq!(
            tests_checking("RECONN-4"),
            [TestCheck {
                file: "engine/src/core/reconnect.rs",
                test: "follows_reconn_4_then_every_64_seconds",
                kind: "unit"
            }]
        );
        let property = tests_checking("RECV-13");
        assert!(
            property.contains(&TestCheck {
                file: "sim/tests/delivery_properties.rs",
                test: "acknowledged_messages_arrive_exactly_once_and_in_order",
                kind: "property"
            }),
            "a marker inside proptest! belongs to its test: {property:?}"
        );
        assert!(tests_checking("CONN-999").is_empty());
        // The macro's own definition and its documentation are not markers.
        assert!(TEST_CHECKS.iter().all(|(file, _, _, _)| *file != "engine/src/marks.rs"));
    }

    #[test]
    fn the_marked_rules_are_read_from_the_code_of_the_engine_and_the_server() {
        // CONN-10 is marked in the engine, KICK-1 in the fake server; the examples in the macro's own tests are not
        // marks.
        assert!(is_marked("CONN-10") && is_marked("KICK-1"));
        assert!(!is_marked("CONN-99"));
        assert!(MARKED_RULES.windows(2).all(|pair| pair[0] < pair[1]), "sorted, each once: {MARKED_RULES:?}");
    }
}
