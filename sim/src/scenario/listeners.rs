//! The manual's listeners and their parameters, read from the engine's own description of its events (the JSON Schema
//! of `imsim_engine::core::Event`), so that the scenario parser checks an `expect` against the listener it names
//! without a list of its own: the parameters it may name, and the shape of what it writes for each (an enum's
//! manual names, a number, a list, a map and its keys). A typo such as `status: conected` is then an error at its
//! line and column, not a check that never matches.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use imsim_engine::core::Event;
use serde_json::Value as Json;

use super::arguments::reference;
use super::yaml::{Node, Res, Scalar, Value, fail};

/// One listener: its parameters in the manual's order, and the schema of each.
#[derive(Debug)]
pub struct Listener {
    /// The parameter names, in the manual's order.
    pub parameters: Vec<String>,
    /// Each parameter's JSON Schema, by name.
    properties: serde_json::Map<String, Json>,
}

/// The event schema's shared definitions (`$defs`), which the parameters' schemas refer to.
static DEFINITIONS: OnceLock<Json> = OnceLock::new();

/// Every listener the engine reports, by name (`onMessageReceived`).
pub fn listeners() -> &'static BTreeMap<String, Listener> {
    static LISTENERS: OnceLock<BTreeMap<String, Listener>> = OnceLock::new();
    LISTENERS.get_or_init(|| {
        let schema = schemars::schema_for!(Event).to_value();
        let _ = DEFINITIONS.set(schema.get("$defs").cloned().unwrap_or_default());
        let variants = schema.get("oneOf").and_then(Json::as_array).cloned().unwrap_or_default();
        let mut listeners = BTreeMap::new();
        for variant in variants {
            let Some(mut properties) = variant.get("properties").and_then(Json::as_object).cloned() else { continue };
            let Some(name) = properties.remove("event").and_then(|event| event.get("const").cloned()) else {
                continue;
            };
            let Some(name) = name.as_str() else { continue };
            let parameters = properties.keys().cloned().collect();
            listeners.insert(name.to_owned(), Listener { parameters, properties });
        }
        listeners
    })
}

impl Listener {
    /// Checks that what `node` writes for `parameter` can match a value of its type; `what` names it in errors.
    pub(crate) fn check_field(&self, parameter: &str, node: &Node, what: &str) -> Res<()> {
        match self.properties.get(parameter) {
            Some(schema) => check_shape(node, schema, what),
            None => Ok(()),
        }
    }
}

/// The schema `schema` refers to (`$ref: #/$defs/Name`), or itself.
fn resolve(schema: &Json) -> &Json {
    let definitions = DEFINITIONS.get();
    let mut schema = schema;
    for _ in 0..8 {
        let target = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|path| path.strip_prefix("#/$defs/"))
            .and_then(|name| definitions.and_then(|definitions| definitions.get(name)));
        match target {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// The alternatives a schema allows (`anyOf`, `oneOf`), when it is nothing but them.
fn alternatives(schema: &Json) -> Option<&Vec<Json>> {
    if schema.get("properties").is_some() {
        return None;
    }
    schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Json::as_array)
}

/// Every schema of `key` among an object schema's properties and those of its alternatives (a flattened enum, such
/// as a message's content, adds its variants' fields).
fn property_schemas<'s>(schema: &'s Json, key: &str, found: &mut Vec<&'s Json>) {
    let schema = resolve(schema);
    if let Some(property) = schema.get("properties").and_then(|properties| properties.get(key)) {
        found.push(property);
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for alternative in schema.get(combinator).and_then(Json::as_array).into_iter().flatten() {
            property_schemas(alternative, key, found);
        }
    }
}

/// Every property name an object schema and its alternatives have, sorted, for error messages.
fn property_names(schema: &Json, names: &mut Vec<String>) {
    let schema = resolve(schema);
    if let Some(properties) = schema.get("properties").and_then(Json::as_object) {
        names.extend(properties.keys().cloned());
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for alternative in schema.get(combinator).and_then(Json::as_array).into_iter().flatten() {
            property_names(alternative, names);
        }
    }
}

/// Checks that the pattern `node` can match a value of `schema`: enums by their names, numbers, booleans, lists item
/// by item, maps key by key. References (`$name`) and `$sameAs` are checked when the run resolves them.
fn check_shape(node: &Node, schema: &Json, what: &str) -> Res<()> {
    if reference(node).is_some() {
        return Ok(());
    }
    if let Value::Map(entries) = &node.value
        && let [(key, value)] = entries.as_slice()
        && let Value::Scalar(operator, _) = &key.value
    {
        match operator.as_str() {
            "$contains" => {
                let items = resolve(schema).get("items").cloned().unwrap_or_default();
                return check_shape(value, &items, &format!("{what} ($contains)"));
            }
            "$exactly" => return check_shape(value, schema, what),
            "$sameAs" | "$keys" => return Ok(()),
            _ => {}
        }
    }
    let schema = resolve(schema);
    if let Some(alternatives) = alternatives(schema) {
        let mut first_error = None;
        for alternative in alternatives {
            match check_shape(node, alternative, what) {
                Ok(()) => return Ok(()),
                // The error worth showing is the one against what the value is, not against `null`.
                Err(error) if resolve(alternative).get("type").and_then(Json::as_str) != Some("null") => {
                    first_error.get_or_insert(error);
                }
                Err(_) => {}
            }
        }
        return match first_error {
            Some(error) => Err(error),
            None => node.expected(what, "a value of this field's type"),
        };
    }
    if let Some(names) = schema.get("enum").and_then(Json::as_array) {
        let names: Vec<&str> = names.iter().filter_map(Json::as_str).collect();
        return match &node.value {
            Value::Scalar(text, Scalar::Str) if names.contains(&text.as_str()) => Ok(()),
            Value::Scalar(text, _) => {
                fail(node.at, format!("{what}: unknown value {text:?}; expected one of {}", names.join(", ")))
            }
            _ => node.expected(what, &format!("one of {}", names.join(", "))),
        };
    }
    if let Some(constant) = schema.get("const").and_then(Json::as_str) {
        return match &node.value {
            Value::Scalar(text, _) if text == constant => Ok(()),
            _ => node.expected(what, constant),
        };
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Json::String(one)) => vec![one.as_str()],
        Some(Json::Array(many)) => many.iter().filter_map(Json::as_str).collect(),
        _ => return Ok(()),
    };
    let allows = |kind: &str| types.contains(&kind);
    let expected = || types.iter().map(|kind| describe_type(kind)).collect::<Vec<_>>().join(" or ");
    match &node.value {
        Value::Null if allows("null") => Ok(()),
        Value::Scalar(_, Scalar::Bool(_)) if allows("boolean") => Ok(()),
        Value::Scalar(_, Scalar::Int(_) | Scalar::Float) if allows("integer") || allows("number") => Ok(()),
        // A string field matches by text, so a number written plainly (`text: 007`) is fine.
        Value::Scalar(_, _) if allows("string") => Ok(()),
        Value::Seq(items) if allows("array") => {
            let item_schema = schema.get("items").cloned().unwrap_or_default();
            for (index, item) in items.iter().enumerate() {
                check_shape(item, &item_schema, &format!("{what}.{index}"))?;
            }
            Ok(())
        }
        Value::Map(entries) if allows("object") => {
            for (key, value) in entries {
                let Value::Scalar(key_text, _) = &key.value else { continue };
                let field = format!("{what}.{key_text}");
                let mut schemas = Vec::new();
                property_schemas(schema, key_text, &mut schemas);
                if schemas.is_empty() {
                    match schema.get("additionalProperties") {
                        Some(Json::Bool(false)) | None => {
                            let mut names = Vec::new();
                            property_names(schema, &mut names);
                            names.sort();
                            names.dedup();
                            return fail(key.at, format!("{field}: no such field; it has {}", names.join(", ")));
                        }
                        Some(values) => check_shape(value, values, &field)?,
                    }
                    continue;
                }
                let mut first_error = None;
                if !schemas.iter().any(|schema| match check_shape(value, schema, &field) {
                    Ok(()) => true,
                    Err(error) => {
                        first_error.get_or_insert(error);
                        false
                    }
                }) && let Some(error) = first_error
                {
                    return Err(error);
                }
            }
            Ok(())
        }
        _ => node.expected(what, &expected()),
    }
}

/// A JSON Schema type as error messages name it.
fn describe_type(kind: &str) -> &str {
    match kind {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "null",
        other => other,
    }
}
