//! The JSON Schema of a scenario file, for editors (completion, validation as you type), generated from the same
//! descriptions the parser reads: the API table's methods and their parameters (the JSON Schema of
//! `imsim_engine::api::Call`), the listeners and their parameters (that of `imsim_engine::core::Event`), and the
//! parser's own lists of steps, settings and checks. It is committed as `scenarios/scenario.schema.json`; a test
//! fails when it is stale.
//!
//! The schema helps an editor; the parser stays the judge: it checks what a schema cannot say (a device declared,
//! a rule in the spec, a duration's bounds), and its errors name the line and column.

use imsim_engine::api::Call;
use imsim_engine::core::Event;
use serde_json::{Map, Value as Json, json};

use super::call::EXPECT_KEYS;
use super::expect::EXPECT_CHECK_FIELDS;
use super::steps::STEPS;
use super::{APP_FIELDS, DEVICE_FIELDS, SETTINGS_FIELDS};
use crate::server::ServerApiCall;

/// A parameter written `$NAME` (or `$NAME.path`): a value kept by an earlier step.
const REFERENCE: &str = "^\\$[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*$";

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn scenario_schema() -> Json {
    let call = schemars::schema_for!(Call).to_value();
    let event = schemars::schema_for!(Event).to_value();
    let server_api = schemars::schema_for!(ServerApiCall).to_value();
    let mut definitions = Map::new();
    for schema in [&call, &event, &server_api] {
        if let Some(Json::Object(defs)) = schema.get("$defs") {
            definitions.extend(defs.clone());
        }
    }
    definitions.insert("callStep".into(), call_step(&call));
    definitions.insert("expectStep".into(), expect_step(&event));
    definitions.insert("serverApiStep".into(), server_api_step(&server_api));
    definitions.insert("step".into(), step());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/imsim/imsim/scenarios/scenario.schema.json",
        "title": "imsim scenario",
        "description": "A YAML scenario of imsim (README: How to write a scenario). Generated from the API table and the \
                        parser: do not edit; regenerate with IMSIM_UPDATE_SCHEMA=1 cargo test --release -p imsim-sim \
                        --test scenario_schema.",
        "type": "object",
        "properties": {
            "name": { "type": "string", "minLength": 1, "description": "What the scenario shows, in one line." },
            "rules": {
                "type": "array",
                "items": { "type": "string", "pattern": "^[A-Z]+-[0-9]+$" },
                "description": "The spec's rules this scenario checks in full, like [SEND-4, RECV-1].",
            },
            "partial": {
                "type": "object",
                "propertyNames": { "pattern": "^[A-Z]+-[0-9]+$" },
                "additionalProperties": { "type": "string", "minLength": 1 },
                "description": "The spec's rules this scenario checks only in part, each with what it leaves \
                                unchecked (`DND-7: the level of a conversation only`). Never counted as checked.",
            },
            "seed": { "type": "integer", "minimum": 0 },
            "settings": settings(),
            "devices": {
                "type": "object",
                "description": "The devices, by name.",
                "additionalProperties": {
                    "type": "object",
                    "properties": named(DEVICE_FIELDS),
                    "required": ["user"],
                    "additionalProperties": false,
                },
            },
            "steps": { "type": "array", "items": { "$ref": "#/$defs/step" } },
        },
        "required": ["name", "rules", "seed", "devices", "steps"],
        "additionalProperties": false,
        "$defs": definitions,
    })
}

/// An object schema naming `fields`, each of any value (the parser checks them).
fn named(fields: &[&str]) -> Map<String, Json> {
    fields.iter().map(|field| ((*field).to_owned(), json!({}))).collect()
}

fn settings() -> Json {
    let mut properties = named(SETTINGS_FIELDS);
    properties.insert(
        "app".into(),
        json!({ "type": "object", "properties": named(APP_FIELDS), "additionalProperties": false }),
    );
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

/// One step: a mapping with exactly one of the step keys.
fn step() -> Json {
    let branches: Vec<Json> = STEPS
        .iter()
        .map(|name| {
            let value = match *name {
                "call" => json!({ "$ref": "#/$defs/callStep" }),
                "server_api" => json!({ "$ref": "#/$defs/serverApiStep" }),
                "expect" => json!({ "$ref": "#/$defs/expectStep" }),
                _ => json!({}),
            };
            json!({
                "type": "object",
                "properties": { *name: value },
                "required": [name],
                "additionalProperties": false,
            })
        })
        .collect();
    json!({ "oneOf": branches })
}

/// A parameter's schema, or a `$NAME` reference in its place; a list's elements may be references too
/// (`messages: [$m1, { … }]`).
fn referable(mut schema: Json) -> Json {
    if let Some(items) = schema.get_mut("items") {
        *items = json!({ "anyOf": [items.take(), { "type": "string", "pattern": REFERENCE }] });
    }
    json!({ "anyOf": [schema, { "type": "string", "pattern": REFERENCE }] })
}

/// One branch of a step that reaches a table (`call`, `server_api`): an object of exactly `properties`, with the
/// table entry's description.
fn branch(variant: &Json, properties: Map<String, Json>, required: Json) -> Json {
    let mut branch = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    if let Some(description) = variant.get("description") {
        branch["description"] = description.clone();
    }
    branch
}

/// A `server_api` step: one branch per endpoint of the App Server API table, its path (with or without `.json`) and
/// parameters (each, and each element of a list, may also be a `$NAME` reference) beside `response` and `as`.
fn server_api_step(server_api: &Json) -> Json {
    let variants = server_api.get("oneOf").and_then(Json::as_array).cloned().unwrap_or_default();
    let branches: Vec<Json> = variants
        .into_iter()
        .map(|variant| {
            let mut properties = Map::new();
            properties.insert(
                "response".into(),
                json!({ "description": "What the JSON answer must match; without it, its code must be 200." }),
            );
            properties.insert(
                "as".into(),
                json!({ "type": "string", "description": "Keep the answer, for later `$NAME`s." }),
            );
            let given = variant.get("properties").and_then(Json::as_object).cloned().unwrap_or_default();
            for (name, schema) in given {
                let schema = if name == "path" {
                    let path = schema.get("const").and_then(Json::as_str).unwrap_or_default().to_owned();
                    json!({ "enum": [path.clone(), format!("{path}.json")] })
                } else {
                    referable(schema)
                };
                properties.insert(name, schema);
            }
            let required = variant.get("required").cloned().unwrap_or_else(|| json!(["path"]));
            branch(&variant, properties, required)
        })
        .collect();
    json!({ "oneOf": branches })
}

/// A `call` step: one branch per method of the API table, with the method's parameters (each, and each element of a
/// list, may also be a `$NAME` reference) beside `device`, `callback` and `as`.
fn call_step(call: &Json) -> Json {
    let variants = call.get("oneOf").and_then(Json::as_array).cloned().unwrap_or_default();
    let branches: Vec<Json> = variants
        .into_iter()
        .map(|variant| {
            let mut properties = Map::new();
            properties.insert("device".into(), json!({ "type": "string", "description": "The device that calls." }));
            properties.insert(
                "callback".into(),
                json!({ "type": "boolean", "description": "Pass a per-call callback (CALL-4)." }),
            );
            properties.insert(
                "as".into(),
                json!({ "type": "string", "description": "Keep what the call returns, for later `$NAME`s." }),
            );
            let given = variant.get("properties").and_then(Json::as_object).cloned().unwrap_or_default();
            for (name, schema) in given {
                let schema = if name == "method" { schema } else { referable(schema) };
                properties.insert(name, schema);
            }
            let mut required = vec![json!("device")];
            required.extend(variant.get("required").and_then(Json::as_array).cloned().unwrap_or_default());
            branch(&variant, properties, Json::Array(required))
        })
        .collect();
    json!({ "oneOf": branches })
}

/// An `expect` step: for each listener, its `event` (or `no_event`, `callback`) form with the listener's parameters
/// (any pattern); or one of the other checks.
fn expect_step(event: &Json) -> Json {
    let variants = event.get("oneOf").and_then(Json::as_array).cloned().unwrap_or_default();
    let mut branches = Vec::new();
    for variant in variants {
        let Some(given) = variant.get("properties").and_then(Json::as_object) else { continue };
        let Some(listener) = given.get("event").and_then(|event| event.get("const")).cloned() else { continue };
        for key in ["event", "no_event", "callback"] {
            let mut properties = named(&["device", "within", "for", "as", "since", "times"]);
            properties.insert(key.into(), json!({ "const": listener }));
            for (name, schema) in given.iter().filter(|(name, _)| *name != "event") {
                // A pattern, not a value: operators and references are allowed, so only the description is kept.
                let description = schema.get("description").cloned().unwrap_or(json!(""));
                properties.insert(name.clone(), json!({ "description": description }));
            }
            let mut branch = json!({
                "type": "object",
                "properties": properties,
                "required": ["device", key],
                "additionalProperties": false,
            });
            if let Some(description) = variant.get("description") {
                branch["description"] = description.clone();
            }
            branches.push(branch);
        }
    }
    // The other checks (status, stored, unread, entries, call, statuses, server callbacks): their fields are named,
    // the parser checks their values.
    let others: Vec<&str> = EXPECT_CHECK_FIELDS.iter().copied().filter(|key| !EXPECT_KEYS.contains(key)).collect();
    let mut properties = named(&["device", "within", "for", "since"]);
    properties.extend(named(&others));
    properties.extend(named(super::server_callback::PATTERN_FIELDS));
    properties.insert("code".into(), json!({ "type": "integer" }));
    branches.push(json!({
        "type": "object",
        "properties": properties,
        "not": { "anyOf": [{ "required": ["event"] }, { "required": ["no_event"] }, { "required": ["callback"] }] },
        "additionalProperties": false,
    }));
    json!({ "anyOf": branches })
}

#[cfg(test)]
mod tests {
    use super::super::TOP_FIELDS;
    use super::super::call::CALL_KEYS;
    use super::*;

    #[test]
    fn the_schema_names_what_the_parser_reads() {
        let schema = scenario_schema();
        let top: Vec<&str> = schema["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
        let mut expected = TOP_FIELDS.to_vec();
        expected.sort_unstable();
        let mut top = top;
        top.sort_unstable();
        assert_eq!(top, expected);
        let steps = schema["$defs"]["step"]["oneOf"].as_array().expect("branches");
        assert_eq!(steps.len(), STEPS.len());
        // Every call branch takes the call step's own keys besides the method's parameters.
        for branch in schema["$defs"]["callStep"]["oneOf"].as_array().expect("branches") {
            for key in CALL_KEYS {
                assert!(branch["properties"].get(*key).is_some(), "{key} in {branch}");
            }
        }
    }
}
