//! Properties: whatever the input, the parser returns, and an error points inside the text.

use proptest::prelude::*;

use crate::{FULL, parse};

/// A small edit to a text: insert, delete, replace or duplicate a line.
fn mutate(text: &str, edits: &[(prop::sample::Index, u8, String)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for (at, op, insert) in edits {
        let i = at.index(chars.len() + 1);
        match op % 4 {
            0 => chars.splice(i..i, insert.chars()).for_each(drop),
            1 => chars.splice(i..(i + insert.len()).min(chars.len()), []).for_each(drop),
            2 => chars.splice(i..(i + 1).min(chars.len()), insert.chars()).for_each(drop),
            _ => {
                let start = chars[..i].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
                let end = chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| i + p + 1);
                let line: Vec<char> = chars[start..end].to_vec();
                chars.splice(start..start, line).for_each(drop);
            }
        }
    }
    chars.into_iter().collect()
}

/// Whatever the input, the parser returns, and an error points inside the text.
fn check_total(text: &str) {
    if let Err(error) = parse(text) {
        let lines = text.split('\n').count() as u64;
        assert!(error.line >= 1 && error.line <= lines + 1, "{error} in {text:?}");
        assert!(error.column >= 1, "{error}");
        assert!(!error.message.is_empty());
    }
}

proptest! {
    // Fixed cases, the same in every run (PROPTEST_RNG_SEED draws others), and no failure file in the tree.
    #![proptest_config(ProptestConfig {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1a51),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        check_total(&text);
    }

    #[test]
    fn never_panics_on_yaml_like_text(text in "([ \n\t:,\\-\\[\\]{}#&*!|>'\"?%@]|[a-z0-9]{1,6}|SEND-4|steps|expect|device){0,80}") {
        check_total(&text);
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_file(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), "([ \n:,\\-\\[\\]{}#&*!'\"]|[a-z0-9]{1,4}|-1|1.5|ms){0,3}"),
            1..6,
        )
    ) {
        check_total(&mutate(FULL, &edits));
    }
}
