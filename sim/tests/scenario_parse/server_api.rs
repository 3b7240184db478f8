//! The `server_api` step (the App Server API table) and the `reinstall` step: what they parse to, and their errors
//! at the exact line and column.

use imsim_sim::scenario::StepKind;
use imsim_sim::server::{ServerApiCall, ServerEndpoint};

use super::{assert_step_errors, parse};

fn only_step(yaml: &str) -> StepKind {
    let text = format!("name: n\nrules: [USER-10]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - {yaml}\n");
    parse(&text).expect("a valid scenario").steps[0].kind.clone()
}

#[test]
fn a_server_api_step_reads_its_endpoint_parameters_response_and_name() {
    let StepKind::ServerApi(step) =
        only_step("server_api: { path: /user/checkOnline.json, userId: lisi, response: { status: \"1\" }, as: on }")
    else {
        panic!("not a server_api step");
    };
    assert_eq!(step.endpoint, ServerEndpoint::from_path("/user/checkOnline").expect("in the table"));
    assert_eq!(step.endpoint.path(), "/user/checkOnline");
    let Some(ServerApiCall::UserCheckOnline(call)) = step.call else { panic!("not a checkOnline call") };
    assert_eq!(call.user_id, "lisi");
    assert_eq!(step.keep_as.as_deref(), Some("on"));
    assert_eq!(step.response.map(|pattern| pattern.to_string()).as_deref(), Some("{status: \"1\"}"));
}

#[test]
fn a_server_api_step_with_a_reference_is_resolved_at_run_time() {
    let StepKind::ServerApi(step) = only_step("server_api: { path: /user/info, userId: $kept.userId }") else {
        panic!("not a server_api step");
    };
    assert_eq!(step.call, None);
}

#[test]
fn server_api_and_reinstall_errors_name_their_line_and_column() {
    let cases = [
        (
            "server_api: { path: /user/nothing }",
            6,
            25,
            "server_api.path: no endpoint \"/user/nothing\"; the App Server API table has /user/getToken",
        ),
        ("server_api: { userId: a }", 6, 17, "server_api needs `path`"),
        ("server_api: { path: /user/info, userid: a }", 6, 37, "unknown field `userid`, expected `userId`"),
        ("server_api: { path: /user/block, userId: [a], minute: many }", 6, 59, "server_api /user/block: invalid type"),
        ("server_api: /user/info", 6, 17, "server_api"),
        ("server_api: { path: /user/info, userId: a, as: 9lives }", 6, 52, "server_api.as"),
        ("reinstall: nobody", 6, 16, "nobody"),
    ];
    assert_step_errors("USER-10", "{ a: { user: u } }", &cases);
}
