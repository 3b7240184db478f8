//! Helpers shared by the property tests, which build their scenarios in code rather than from YAML.
#![allow(dead_code)] // each property test uses its own subset of these helpers

use std::time::Duration;

use proptest::test_runner::{Config as ProptestConfig, RngSeed};

use imsim_engine::{ConnectionStatus, MessageContent, Platform};
use imsim_sim::scenario::{Check, DeviceSpec, Expectation, Location, Step, StepKind, TokenChoice};

/// The RNG seed every property test draws its cases from unless `PROPTEST_RNG_SEED` names another.
pub(crate) const PROPERTY_RNG_SEED: u64 = 0x1a51;

/// The proptest settings of the property tests: `cases` cases, drawn from a fixed RNG seed so that every run, in CI
/// or here, explores the same worlds and a failure replays by running the test again; no failure file is written into
/// the tree. `PROPTEST_CASES=500` searches deeper and `PROPTEST_RNG_SEED=N` elsewhere (proptest reads both).
pub(crate) fn property_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(PROPERTY_RNG_SEED),
        ..ProptestConfig::default()
    }
}

/// A step with no place in a file.
pub(crate) fn step(kind: StepKind) -> Step {
    Step { location: Location { line: 0, column: 0 }, kind }
}

/// `connect` with a valid token and no timeout.
pub(crate) fn connect(device: &str) -> Step {
    step(StepKind::Connect { device: device.to_owned(), timeout_seconds: 0, token: TokenChoice::Valid })
}

/// Connects every device, then waits (up to 5 s each) until every one is connected.
pub(crate) fn connect_all(devices: &[&str]) -> Vec<Step> {
    let mut steps: Vec<Step> = devices.iter().map(|device| connect(device)).collect();
    for device in devices {
        let check = Check::Status(ConnectionStatus::Connected);
        let expectation = Expectation { device: (*device).into(), within: Duration::from_secs(5), check };
        steps.push(step(StepKind::Expect(expectation)));
    }
    steps
}

/// One mobile device per name, signed in as `user(name)`.
pub(crate) fn mobile_devices(devices: &[&str], user: impl Fn(&str) -> String) -> Vec<DeviceSpec> {
    devices
        .iter()
        .map(|device| DeviceSpec {
            name: (*device).into(),
            user: user(device),
            platform: Platform::Mobile,
            kick_reconnect_device: false,
            file_server: None,
        })
        .collect()
}

/// The text of a text message, or "" for any other content.
pub(crate) fn text(content: &MessageContent) -> &str {
    match content {
        MessageContent::Text { text } => text,
        _ => "",
    }
}
