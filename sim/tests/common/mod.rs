//! Helpers shared by the property tests.

/// The number of proptest cases: `PROPTEST_CASES` when set (for a deeper search, e.g. `PROPTEST_CASES=500`), else
/// `default`, the number CI runs.
pub(crate) fn cases_or(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(default)
}
