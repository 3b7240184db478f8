//! Negative checks that can fail (issue 13): a `no_event` or `no_server_callback` window opens at the step that
//! acted before the check (or at a `checkpoint`), so an event that came while an earlier `expect` waited is caught;
//! events a positive check matched are left out; and the parser refuses a window too short to contain anything.

use std::path::Path;

use imsim_sim::runner::run_scenario;
use imsim_sim::scenario::{Scenario, parse_scenario};

fn parse(yaml: &str) -> Result<Scenario, String> {
    parse_scenario(Path::new("window.yaml"), yaml).map_err(|error| error.to_string())
}

/// The failure of the scenario's run (its line and message), or `None` if it passed.
fn failure(yaml: &str) -> Option<(u64, String)> {
    let scenario = parse(yaml).expect("the scenario parses");
    let report = run_scenario(&scenario, None);
    report.failure.map(|failure| (failure.location.map_or(0, |at| at.line), failure.message))
}

const TWO_DEVICES: &str = "name: n\nrules: [SEND-4]\nseed: 7\ndevices: { a: { user: zhangsan }, b: { user: lisi } }\n";

fn with_steps(head: &str, steps: &[&str]) -> String {
    let steps: String = steps.iter().map(|step| format!("  - {step}\n")).collect();
    format!("{head}steps:\n{steps}")
}

/// Both devices connected, then `steps` (the first of them on line 10).
fn connected_then(steps: &[&str]) -> String {
    let connected = [
        "connect: a",
        "connect: b",
        "expect: { device: a, status: connected }",
        "expect: { device: b, status: connected }",
    ];
    with_steps(TWO_DEVICES, &[&connected[..], steps].concat())
}

#[test]
fn an_event_that_came_while_an_earlier_expect_waited_is_in_the_window() {
    // b's message reaches a while the expect on b's own result waits; a no_event that opened only when it began
    // would miss it.
    let yaml = connected_then(&[
        "send: { device: b, to: zhangsan, text: hi }",
        "expect: { device: b, event: onMessageSent, code: 0 }",
        "advance: 1s",
        "expect: { device: a, no_event: onMessageReceived, for: 1s }",
    ]);
    let (line, message) = failure(&yaml).expect("the check fails");
    assert_eq!(line, 13);
    assert!(message.starts_with("a emitted event onMessageReceived"), "{message}");
    assert!(message.contains("from the step that acted before the check"), "{message}");
}

#[test]
fn an_event_a_positive_check_matched_is_not_counted_and_a_second_one_is() {
    let matched_then_nothing = connected_then(&[
        "send: { device: b, to: zhangsan, text: hi }",
        "expect: { device: a, event: onMessageReceived, message: { text: hi } }",
        "expect: { device: a, no_event: onMessageReceived, for: 2s }",
    ]);
    assert_eq!(failure(&matched_then_nothing), None, "the one matched message is expected");
    let two_sent_one_matched = matched_then_nothing.replace("text: hi }\n", "text: hi, count: 2 }\n");
    let (line, message) = failure(&two_sent_one_matched).expect("the second message is caught");
    assert_eq!(line, 12);
    assert!(message.contains("text: \"hi\""), "{message}");
}

#[test]
fn a_checkpoint_opens_the_window_where_it_stands() {
    // The message before the checkpoint is outside the window; one after it is inside.
    let steps = [
        "connect: a",
        "connect: b",
        "expect: { device: a, status: connected }",
        "expect: { device: b, status: connected }",
        "send: { device: b, to: zhangsan, text: before }",
        "advance: 1s",
        "checkpoint: quiet",
        "expect: { device: a, no_event: onMessageReceived, for: 1s, since: quiet }",
    ];
    assert_eq!(failure(&with_steps(TWO_DEVICES, &steps)), None);
    let mut later = steps.to_vec();
    later.insert(7, "send: { device: b, to: zhangsan, text: after }");
    let (line, message) = failure(&with_steps(TWO_DEVICES, &later)).expect("the later message is caught");
    assert_eq!(line, 14);
    assert!(message.contains("text: \"after\"") && message.contains("from checkpoint quiet"), "{message}");
}

#[test]
fn status_callbacks_off_fails_at_each_of_its_checks_with_the_switch_on() {
    imsim_engine::checks!(unit: "CR-36", "BIZ-24");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/chatrooms/status-callbacks-off.yaml");
    let original = std::fs::read_to_string(path).expect("the scenario");
    let switched_on =
        original.replace("seed: 141\n", "seed: 141\nsettings:\n  app: { chatroom_status_callback: true }\n");
    assert_ne!(switched_on, original);
    assert_eq!(failure(&original), None);
    let kinds = ["chatroomCreated", "chatroomMemberLeft", "chatroomDestroyed", "chatroomMemberJoined"];
    // Each check in turn, with the ones before it removed, fails on the callback it guards against.
    for (index, kind) in kinds.iter().enumerate() {
        let mut seen = 0;
        let yaml: String = switched_on
            .lines()
            .filter(|line| {
                if !line.contains("no_server_callback") {
                    return true;
                }
                seen += 1;
                seen > index
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let (_, message) = failure(&yaml).unwrap_or_else(|| panic!("the {kind} check passed with the switch on"));
        assert!(message.starts_with(&format!("the server made callback {kind} ")), "{kind}: {message}");
    }
}

#[test]
fn a_window_too_short_to_contain_a_round_trip_is_refused() {
    let refused = |steps: &[&str]| parse(&with_steps(TWO_DEVICES, steps)).expect_err("refused");
    let error = refused(&[
        "send: { device: b, to: zhangsan, text: hi }",
        "expect: { device: a, no_event: onMessageReceived, for: 2ms }",
    ]);
    assert_eq!(
        error,
        "window.yaml:7:5: expect.for: this negative check's window is 2ms (from the step that acted before it), shorter \
         than a round trip at the smallest latency so far and a tick (3ms), so it cannot contain an event caused over \
         the network and could never fail; make `for` at least 3ms"
    );
    // An advance inside the window counts; an acting step starts it again.
    assert!(
        parse(&with_steps(
            TWO_DEVICES,
            &[
                "send: { device: b, to: zhangsan, text: hi }",
                "advance: 2ms",
                "expect: { device: a, no_event: onMessageReceived, for: 1ms }"
            ]
        ))
        .is_ok()
    );
    refused(&[
        "advance: 2ms",
        "send: { device: b, to: zhangsan, text: hi }",
        "expect: { device: a, no_event: onMessageReceived, for: 1ms }",
    ]);
    // The same for a server callback check, and from a checkpoint.
    refused(&["create_chatroom: r1", "expect: { no_server_callback: chatroomCreated, for: 1ms }"]);
    refused(&["checkpoint: c", "expect: { no_server_callback: chatroomCreated, for: 1ms, since: c }"]);
}

#[test]
fn since_names_an_earlier_checkpoint_and_a_checkpoint_is_named_once() {
    let steps = |steps: &[&str]| parse(&with_steps(TWO_DEVICES, steps)).map(|_| ());
    assert_eq!(
        steps(&["expect: { device: a, no_event: onConnected, for: 1s, since: later }", "checkpoint: later"]),
        Err("window.yaml:6:5: expect.since: no checkpoint \"later\" before this step; add `- checkpoint: later`".into())
    );
    assert_eq!(
        steps(&["checkpoint: c", "checkpoint: c"]),
        Err("window.yaml:7:5: checkpoint: \"c\" is already a checkpoint; name each once".into())
    );
    let error = steps(&["expect: { device: a, event: onConnected, since: c }"]).expect_err("refused");
    assert!(error.contains("field \"since\" only applies to a no_event check"), "{error}");
    let error = steps(&["expect: { device: a, status: connected, since: c }"]).expect_err("refused");
    assert!(error.contains("field \"since\" only applies to a negative check"), "{error}");
}

#[test]
fn times_and_a_following_no_event_say_exactly_n() {
    let exactly = |sent: u32, expected: u32| {
        failure(&connected_then(&[
            &format!("send: {{ device: b, to: zhangsan, text: \"m{{n}}\", count: {sent} }}"),
            &format!("expect: {{ device: a, event: onMessageReceived, times: {expected}, within: 2s }}"),
            "expect: { device: a, no_event: onMessageReceived, for: 2s }",
        ]))
    };
    assert_eq!(exactly(3, 3), None);
    let (line, message) = exactly(2, 3).expect("too few");
    assert_eq!(
        (line, message.as_str()),
        (11, "expectation not met within 2s: 2 of the 3 matching onMessageReceived events since the last match so far")
    );
    let (line, message) = exactly(4, 3).expect("too many");
    assert_eq!(line, 12);
    assert!(message.contains("text: \"m4\""), "the fourth is the one too many: {message}");
}
