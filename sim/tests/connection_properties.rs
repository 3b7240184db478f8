//! Property test of the connection lifecycle over random fault schedules (issue: connection lifecycle).
//!
//! For random sequences of partitions, repairs, network losses and restorations and foreground/background events,
//! each followed by a random wait, then one of three endings:
//!
//! - **heal**: every fault is lifted, and the device must be connected again within the bound the RECONN-4
//!   schedule implies (a heartbeat to notice a dead link, the longest retry interval, and slack for latency);
//! - **disconnect**: the app calls `disconnect()`, the faults are lifted, and the device must stay signed out,
//!   with no connection attempt afterwards (RECONN-7);
//! - **ban**: the App Server bans the user (a connection error, RECONN-6), the faults are lifted, and the device
//!   must end blocked, with no attempt afterwards.
//!
//! Throughout every run the runner checks that the server never holds more sessions for a user in a platform
//! class than the class allows: a device never holds two sessions.

use std::path::PathBuf;
use std::time::Duration;

use imsim_engine::{ConnectionStatus, Platform};
use imsim_sim::runner::run_scenario;
use imsim_sim::scenario::{Check, DeviceSpec, Expectation, Pattern, Scenario, Settings, Step, StepKind, TokenChoice};
use proptest::prelude::*;

mod common;
use common::{property_config, step};

const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(2);
/// RECONN-4: the longest interval between two attempts.
const RECONNECT_DELAY_MAX: Duration = Duration::from_secs(64);
/// Handshake round trips and tick granularity.
const SLACK: Duration = Duration::from_secs(2);
/// How long a device that must not reconnect is watched.
const QUIET_PERIOD: Duration = Duration::from_secs(180);

#[derive(Clone, Copy, Debug)]
enum Fault {
    Partition,
    Repair,
    NetworkLost,
    NetworkRestored,
    Foreground,
    Background,
}

#[derive(Clone, Copy, Debug)]
enum Ending {
    Heal,
    Disconnect,
    Ban,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        3 => Just(Fault::Partition),
        3 => Just(Fault::Repair),
        2 => Just(Fault::NetworkLost),
        2 => Just(Fault::NetworkRestored),
        1 => Just(Fault::Foreground),
        1 => Just(Fault::Background),
    ]
}

fn ending() -> impl Strategy<Value = Ending> {
    prop_oneof![4 => Just(Ending::Heal), 1 => Just(Ending::Disconnect), 1 => Just(Ending::Ban)]
}

fn expect(within: Duration, check: Check) -> Step {
    step(StepKind::Expect(Expectation { device: "a".into(), within, check }))
}

fn scenario(seed: u64, schedule: &[(u64, Fault)], ending: Ending) -> Scenario {
    let device = || "a".to_owned();
    let server = imsim_sim::scenario::Endpoint::Server;
    let a = imsim_sim::scenario::Endpoint::Device(device());
    let mut steps = vec![
        step(StepKind::Connect { device: device(), timeout_seconds: 0, token: TokenChoice::Valid }),
        expect(Duration::from_secs(10), Check::Status(ConnectionStatus::Connected)),
    ];
    let mut network_lost = false;
    for &(wait_ms, fault) in schedule {
        match fault {
            Fault::NetworkLost => network_lost = true,
            Fault::NetworkRestored => network_lost = false,
            _ => {}
        }
        steps.push(step(StepKind::Advance(Duration::from_millis(wait_ms))));
        steps.push(step(match fault {
            Fault::Partition => StepKind::Partition(a.clone(), server.clone()),
            Fault::Repair => StepKind::Repair(a.clone(), server.clone()),
            Fault::NetworkLost => StepKind::NetworkLost { device: device() },
            Fault::NetworkRestored => StepKind::NetworkRestored { device: device() },
            Fault::Foreground => StepKind::Foreground { device: device() },
            Fault::Background => StepKind::Background { device: device() },
        }));
    }
    // Healing lifts only what is broken: a network restoration restarts the schedule (RECONN-5), so using it when
    // the network was never lost would hide a wrong schedule from the bound below.
    let heal = if network_lost {
        vec![step(StepKind::NetworkRestored { device: device() })]
    } else {
        vec![step(StepKind::Repair(a, server))]
    };
    // The device reaches `status`, then stays there: no status change at all, so no attempt, for a long while.
    // (The window opens at the checkpoint, once the status is reached, not at the fault that led to it.)
    let quiet = |status| {
        [
            expect(Duration::from_secs(10), Check::Status(status)),
            step(StepKind::Checkpoint("settled".to_owned())),
            expect(
                QUIET_PERIOD,
                Check::NoEvent {
                    listener: "onConnectionStatusChanged".to_owned(),
                    pattern: Pattern::Any,
                    period: QUIET_PERIOD,
                    since: Some("settled".to_owned()),
                },
            ),
        ]
    };
    match ending {
        Ending::Heal => {
            steps.extend(heal);
            let bound = HEARTBEAT_INTERVAL + HEARTBEAT_TIMEOUT + RECONNECT_DELAY_MAX + SLACK;
            steps.push(expect(bound, Check::Status(ConnectionStatus::Connected)));
        }
        Ending::Disconnect => {
            steps.push(step(StepKind::Disconnect { device: device(), receive_push: true }));
            steps.extend(heal);
            steps.extend(quiet(ConnectionStatus::SignOut));
        }
        Ending::Ban => {
            steps.push(step(StepKind::Ban { user: "zhangsan".into(), duration: Duration::from_secs(3_600) }));
            steps.extend(heal);
            // A device that was online is blocked at once; one that was reconnecting is refused at its next
            // attempt, which comes within the longest retry interval.
            let bound = RECONNECT_DELAY_MAX + SLACK;
            steps.push(expect(bound, Check::Status(ConnectionStatus::ConnUserBlocked)));
            steps.extend(quiet(ConnectionStatus::ConnUserBlocked));
        }
    }
    Scenario {
        path: PathBuf::from("(generated by sim/tests/connection_properties.rs)"),
        name: format!("random faults, ending {ending:?}"),
        // The property bears on RECONN-1, RECONN-3, RECONN-4, RECONN-6, RECONN-7 and MULTI-2, but a random instance
        // need not reach each rule's coverage mark, so it claims none.
        rules: Vec::new(),
        partial: Vec::new(),
        seed,
        settings: Settings {
            tick: Duration::from_millis(10),
            heartbeat_interval: HEARTBEAT_INTERVAL,
            heartbeat_timeout: HEARTBEAT_TIMEOUT,
            ..Settings::default()
        },
        devices: vec![DeviceSpec {
            name: device(),
            user: "zhangsan".into(),
            platform: Platform::Mobile,
            kick_reconnect_device: false,
            file_server: None,
        }],
        steps,
    }
}

proptest! {
    #![proptest_config(property_config(48))]

    #[test]
    fn devices_recover_within_the_schedule_and_never_after_an_ending(
        seed in any::<u64>(),
        schedule in proptest::collection::vec((0_u64..150_000, fault()), 0..8),
        ending in ending(),
    ) {
        let scenario = scenario(seed, &schedule, ending);
        let report = run_scenario(&scenario, None);
        let steps: Vec<String> = scenario.steps.iter().map(Step::describe).collect();
        prop_assert!(
            report.passed(),
            "{} (seed {seed})\nsteps:\n  {}\n\ntrace:\n{}",
            report.failure.as_ref().map(|f| f.message.as_str()).unwrap_or_default(),
            steps.join("\n  "),
            report.trace.render()
        );
    }
}
