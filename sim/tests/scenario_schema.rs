//! `scenarios/scenario.schema.json`, the JSON Schema editors use for scenario files, is what the API table and the
//! parser give (regenerate it with `IMSIM_UPDATE_SCHEMA=1 cargo test --release -p imsim-sim --test
//! scenario_schema`); every committed scenario satisfies it, and it refuses what the API table does not have.

use std::path::{Path, PathBuf};

use imsim_sim::scenario::scenario_schema;
use serde_json::Value as Json;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn schema_path() -> PathBuf {
    root().join("scenarios/scenario.schema.json")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&scenario_schema()).expect("the schema is a valid JSON Schema")
}

/// A scenario file as the JSON an editor's YAML support validates.
fn as_json(text: &str) -> Json {
    serde_saphyr::from_str(text).expect("the YAML reads")
}

#[test]
fn the_committed_schema_is_current() {
    let generated = format!("{:#}\n", scenario_schema());
    if std::env::var_os("IMSIM_UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).expect("scenarios/scenario.schema.json is writable");
    }
    let committed = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "scenarios/scenario.schema.json is stale: run IMSIM_UPDATE_SCHEMA=1 cargo test --release -p imsim-sim --test \
         scenario_schema"
    );
}

#[test]
fn every_committed_scenario_satisfies_the_schema() {
    let validator = validator();
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(root().join("scenarios")).sort_by_file_name() {
        let entry = entry.expect("the scenarios directory is readable");
        if entry.path().extension().is_none_or(|extension| extension != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable");
        checked += 1;
        for error in validator.iter_errors(&as_json(&text)) {
            failures.push(format!("{}: {} at {}", entry.path().display(), error, error.instance_path()));
        }
    }
    assert!(checked >= 87, "only {checked} scenarios found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_refuses_what_the_api_table_does_not_have() {
    let validator = validator();
    let scenario = |step: &str| {
        as_json(&format!(
            "name: one step\nrules: [CALL-1]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - {step}\n"
        ))
    };
    let good = [
        "call: { device: a, method: joinChatRoom, targetId: r1, messageCount: -1, autoCreate: true }",
        "call: { device: a, method: sendMessage, message: $m, callback: true }",
        "expect: { device: a, event: onChatRoomJoined, code: 0, targetId: r1 }",
        "expect: { device: a, callback: onMessageSent, message: { text: hi } }",
        "expect: { device: a, status: connected }",
        "advance: 1s",
    ];
    for step in good {
        let errors: Vec<String> = validator.iter_errors(&scenario(step)).map(|error| error.to_string()).collect();
        assert!(errors.is_empty(), "{step} is refused: {}", errors.join("; "));
    }
    let bad = [
        "call: { device: a, method: joinChatroom, targetId: r1, messageCount: -1, autoCreate: true }",
        "call: { device: a, method: joinChatRoom, targetId: r1, messageCount: -1 }",
        "call: { device: a, method: joinChatRoom, targetId: r1, messageCount: -1, autoCreate: true, room: r1 }",
        "call: { device: a, method: joinChatRoom, targetId: r1, messageCount: many, autoCreate: true }",
        "call: { method: joinChatRoom, targetId: r1, messageCount: -1, autoCreate: true }",
        "expect: { device: a, event: onChatRoomJoinedd }",
        "expect: { device: a, event: onChatRoomJoined, room: r1 }",
        "teleport: a",
    ];
    for step in bad {
        assert!(!validator.is_valid(&scenario(step)), "{step} is accepted");
    }
}
