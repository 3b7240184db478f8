//! The App Server API's user endpoints through the table (`app_api`), as a scenario's `server_api` step reaches
//! them: registration limits (USER-4, CFG-12) and the answers' shape.

use imsim_engine::checks;
use serde_json::json;

use super::*;
use crate::scenario::arguments::NodeDeserializer;

/// Calls `path` with `parameters` (JSON) through the table, as the scenario step does, and returns the answer.
pub(super) fn call(h: &mut Harness, path: &str, parameters: serde_json::Value) -> serde_json::Value {
    let endpoint = ServerEndpoint::from_path(path).expect("a known path");
    let node = crate::scenario::arguments::from_json(&parameters, crate::scenario::Location { line: 1, column: 1 });
    let call = ServerApiCall::from_parameters(endpoint, NodeDeserializer(&node)).expect("valid parameters");
    h.server.call_server_api(APP, call, h.now).response
}

/// USER-4, CFG-12: in the development environment the 101st user cannot register (1002); users already registered
/// still get tokens. In production (the default) there is no limit.
#[test]
fn development_registers_at_most_100_users() {
    checks!(unit: "USER-4", "CFG-12");
    let mut h = Harness::new();
    for i in 0..150 {
        let answer = call(&mut h, "/user/getToken", json!({ "userId": format!("p{i}") }));
        assert_eq!(answer["code"], 200, "production has no limit");
    }

    let mut h = Harness::new();
    h.configure(|config| config.development = true);
    for i in 0..100 {
        assert_eq!(call(&mut h, "/user/getToken", json!({ "userId": format!("u{i}") }))["code"], 200);
    }
    let refused = call(&mut h, "/user/getToken", json!({ "userId": "u100" }));
    assert_eq!(
        refused,
        json!({ "code": 1002, "errorMessage": "the development environment already has 100 registered users" })
    );
    let again = call(&mut h, "/user/getToken", json!({ "userId": "u7" }));
    assert_eq!((again["code"].clone(), again["userId"].clone()), (json!(200), json!("u7")));
    assert!(again["token"].as_str().is_some_and(|token| !token.is_empty()));
}

/// A refused parameter changes nothing: a ban for more than the longest mute bans nobody.
#[test]
fn a_refused_call_changes_nothing() {
    let mut h = Harness::new();
    let answer = call(&mut h, "/user/block", json!({ "userId": ["a", "b"], "minute": 43_201 }));
    assert_eq!(answer["code"], 1002);
    assert_eq!(call(&mut h, "/user/block/query", json!({})), json!({ "code": 200, "users": [] }));
}
