//! The manual's listeners and their parameters, read from the engine's own description of its events (the JSON Schema
//! of `imsim_engine::core::Event`), so that the scenario parser checks an `expect` against the listener it names
//! without a list of its own.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use imsim_engine::core::Event;

/// Every listener the engine reports, by name (`onMessageReceived`), with its parameters in the manual's order.
pub fn listeners() -> &'static BTreeMap<String, Vec<String>> {
    static LISTENERS: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    LISTENERS.get_or_init(|| {
        let schema = schemars::schema_for!(Event);
        let variants = schema.as_value().get("oneOf").and_then(|variants| variants.as_array()).cloned();
        let mut listeners = BTreeMap::new();
        for variant in variants.unwrap_or_default() {
            let Some(properties) = variant.get("properties").and_then(|p| p.as_object()) else { continue };
            let Some(name) = properties.get("event").and_then(|event| event.get("const")).and_then(|c| c.as_str())
            else {
                continue;
            };
            let parameters = properties.keys().filter(|key| *key != "event").cloned().collect();
            listeners.insert(name.to_owned(), parameters);
        }
        listeners
    })
}
