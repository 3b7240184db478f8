//! Requests that are not messages (the blacklist): exactly one result event per accepted call (CALL-13), -103
//! while not connected (CALL-12), and failure rather than silence when the connection drops or the server is mute.

use super::tests::{Harness, status_changes};
use super::*;
use crate::limits;
use crate::proto::{self, frame::Body, request, response};
use crate::types::BlacklistStatus;

fn sent_request(harness: &mut Harness) -> proto::Request {
    let frames = harness.frames();
    let [Body::Request(request)] = frames.as_slice() else { panic!("expected one request, got {frames:?}") };
    request.clone()
}

fn respond(harness: &mut Harness, request_id: u64, code: u32, body: Option<response::Body>) {
    harness.server_sends(Body::Response(proto::Response { request_id, code, body }));
}

#[test]
fn each_blacklist_call_sends_its_request_and_reports_its_response() {
    // BLACK-5 to BLACK-8
    let mut harness = Harness::connected("alice");
    let now = harness.now;

    harness.core.add_to_blacklist(now, "bob").expect("accepted");
    let add = sent_request(&mut harness);
    assert_eq!(add.body, Some(request::Body::BlacklistAdd(proto::BlacklistAdd { user_id: "bob".into() })));
    respond(&mut harness, add.request_id, 0, None);
    assert_eq!(harness.events(), [Event::BlacklistAdded { code: ErrorCode::SUCCESS, user_id: "bob".into() }]);

    harness.core.get_blacklist_status(now, "bob").expect("accepted");
    let status = sent_request(&mut harness);
    let answer = response::Body::BlacklistStatus(proto::BlacklistStatus { in_blacklist: true });
    respond(&mut harness, status.request_id, 0, Some(answer));
    assert_eq!(
        harness.events(),
        [Event::BlacklistStatusLoaded {
            code: ErrorCode::SUCCESS,
            user_id: "bob".into(),
            status: BlacklistStatus::InBlacklist
        }]
    );

    harness.core.get_blacklist(now).expect("accepted");
    let list = sent_request(&mut harness);
    let answer = response::Body::Blacklist(proto::Blacklist { user_ids: vec!["bob".into(), "carol".into()] });
    respond(&mut harness, list.request_id, 0, Some(answer));
    assert_eq!(
        harness.events(),
        [Event::BlacklistLoaded { code: ErrorCode::SUCCESS, user_ids: vec!["bob".into(), "carol".into()] }]
    );

    harness.core.remove_from_blacklist(now, "bob").expect("accepted");
    let remove = sent_request(&mut harness);
    respond(&mut harness, remove.request_id, 0, None);
    assert_eq!(harness.events(), [Event::BlacklistRemoved { code: ErrorCode::SUCCESS, user_id: "bob".into() }]);

    let ids = [add.request_id, status.request_id, list.request_id, remove.request_id];
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "request IDs are unique and increasing: {ids:?}");
}

#[test]
fn an_error_response_reports_its_code_and_no_answer() {
    // BLACK-12: a full list refuses the add with a non-zero code.
    let mut harness = Harness::connected("alice");
    harness.core.get_blacklist_status(harness.now, "bob").expect("accepted");
    let request = sent_request(&mut harness);
    respond(&mut harness, request.request_id, 90001, None);
    assert_eq!(
        harness.events(),
        [Event::BlacklistStatusLoaded {
            code: ErrorCode::PROTOCOL_MALFORMED_FRAME,
            user_id: "bob".into(),
            status: BlacklistStatus::Unknown
        }]
    );
    respond(&mut harness, request.request_id, 0, None);
    assert!(harness.events().is_empty(), "a second response to a settled request reports nothing");
}

#[test]
fn calls_needing_the_server_fail_synchronously_while_not_connected() {
    // CALL-12: -103 without a connection, -101 for a bad argument, and nothing is sent or reported.
    let mut harness = Harness::connected("alice");
    assert_eq!(harness.core.add_to_blacklist(harness.now, "").unwrap_err().code, ErrorCode::PARAM_ERROR);
    let too_long = "u".repeat(limits::TARGET_ID_CHARS_MAX + 1);
    assert_eq!(harness.core.add_to_blacklist(harness.now, &too_long).unwrap_err().code, ErrorCode::PARAM_ERROR);
    harness.core.handle_transport_closed(harness.now);
    harness.events();
    harness.actions();
    let offline = ErrorCode::NATIVE_OPERATION_ERROR;
    assert_eq!(harness.core.add_to_blacklist(harness.now, "bob").unwrap_err().code, offline);
    assert_eq!(harness.core.get_blacklist(harness.now).unwrap_err().code, offline);
    assert!(harness.frames().is_empty());
    assert!(harness.events().is_empty());
}

#[test]
fn a_request_in_flight_fails_with_30002_when_the_connection_drops() {
    // CALL-13: exactly one result event, even when the answer can never come.
    let mut harness = Harness::connected("alice");
    harness.core.add_to_blacklist(harness.now, "bob").expect("accepted");
    harness.frames();
    harness.core.handle_transport_closed(harness.now);
    let events = harness.events();
    assert_eq!(events[0], Event::BlacklistAdded { code: ErrorCode::NETWORK_UNAVAILABLE, user_id: "bob".into() });
    assert_eq!(status_changes(&events), [ConnectionStatus::Suspend, ConnectionStatus::Connecting]);
}

#[test]
fn a_request_without_an_answer_times_out_with_30003() {
    let mut harness = Harness::connected("alice");
    harness.core.get_blacklist(harness.now).expect("accepted");
    harness.frames();
    // Keep the connection alive meanwhile, as a live server would.
    let timeout = limits::PUBLISH_ACK_TIMEOUT_MS;
    harness.advance(timeout - 1);
    harness.server_sends(Body::Pong(proto::Pong { nonce: 1 }));
    assert!(harness.events().is_empty());
    harness.advance(1);
    assert_eq!(harness.events(), [Event::BlacklistLoaded { code: ErrorCode::MSG_RESPONSE_TIMEOUT, user_ids: vec![] }]);
}

#[test]
fn a_blacklist_user_id_of_64_characters_is_accepted_and_65_refused() {
    // MSG-2, BLACK-5: a user ID has 1 to 64 characters.
    let mut harness = Harness::connected("alice");
    let now = harness.now;
    let longest = "b".repeat(limits::TARGET_ID_CHARS_MAX);
    assert_eq!(harness.core.add_to_blacklist(now, &longest).map_err(|error| error.code), Ok(()));
    let too_long = "b".repeat(limits::TARGET_ID_CHARS_MAX + 1);
    assert_eq!(harness.core.add_to_blacklist(now, &too_long).map_err(|error| error.code), Err(ErrorCode::PARAM_ERROR));
}
