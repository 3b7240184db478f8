//! The `server_api` step: any endpoint of the App Server API table (`crate::server::app_api`), by its path, with its
//! parameters under their Server-API names, and what its JSON answer must match:
//!
//! ```yaml
//! - server_api: { path: /user/checkOnline, userId: lisi, response: { status: "1" }, as: online }
//! ```

use super::call::name_to_keep;
use crate::scenario::arguments::{NodeDeserializer, has_references};
use crate::scenario::model::{ServerApiStep, StepKind};
use crate::scenario::pattern::Pattern;
use crate::scenario::yaml::{Node, Res, Value, fail};
use crate::server::{ServerApiCall, ServerEndpoint};

/// The keys of a `server_api` step besides the endpoint's parameters.
const SERVER_API_KEYS: &[&str] = &["path", "response", "as"];

/// `server_api: { path: /group/sync, userId: lisi, groups: [{ id: g1, name: G }], response: { code: 200 } }`.
pub(super) fn server_api_step(node: &Node) -> Res<StepKind> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected("server_api", "a mapping like { path: /user/checkOnline, userId: lisi }");
    }
    let entries = node.entries("server_api", "in server_api", "parameter")?;
    let field = |name: &str| entries.iter().find(|entry| entry.key == name);
    let Some(path_entry) = field("path") else {
        return fail(node.at, "server_api needs `path`, the endpoint's path, like /user/getToken");
    };
    let path = path_entry.value.text("server_api.path")?;
    let Some(endpoint) = ServerEndpoint::from_path(&path) else {
        let paths: Vec<&str> = ServerEndpoint::ALL.iter().map(|endpoint| endpoint.path()).collect();
        return fail(
            path_entry.value.at,
            format!("server_api.path: no endpoint {path:?}; the App Server API table has {}", paths.join(", ")),
        );
    };
    let response = match field("response") {
        Some(entry) => Some(Pattern::from_node(entry.value).or_else(|(at, message)| fail(at, message))?),
        None => None,
    };
    let keep_as = match field("as") {
        Some(entry) => Some(name_to_keep(entry.value, "server_api.as")?),
        None => None,
    };
    let pairs: Vec<(Node, Node)> = match &node.value {
        Value::Map(pairs) => pairs
            .iter()
            .filter(
                |(key, _)| !matches!(&key.value, Value::Scalar(text, _) if SERVER_API_KEYS.contains(&text.as_str())),
            )
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let arguments = Node { at: node.at, value: Value::Map(pairs) };
    let call = if has_references(&arguments) {
        None
    } else {
        let call = ServerApiCall::from_parameters(endpoint, NodeDeserializer(&arguments))
            .map_err(|error| (error.at.unwrap_or(node.at), error.message))
            .or_else(|(at, message)| fail(at, format!("server_api {}: {message}", endpoint.path())))?;
        Some(call)
    };
    Ok(StepKind::ServerApi(ServerApiStep { endpoint, arguments, call, response, keep_as }))
}
