//! Connecting: tokens (CONN-11 to CONN-14, CONN-23), protocol errors, ping, logout (CONN-20), closing.

use imsim_engine::codec::FrameError;
use imsim_engine::token::{TokenClaims, parse_token};

use super::super::tokens::{TokenRefusal, check_token, sign};
use super::*;

#[test]
fn a_valid_token_opens_a_session() {
    let mut h = Harness::new();
    let (conn, outputs) = h.connect("alice", "phone", 0);
    assert_eq!(outputs, vec![sent(conn, Body::InboxPackage(proto::InboxPackage::default()))]);
    let sessions = h.server.online_sessions(APP, "alice");
    assert_eq!(
        sessions,
        vec![SessionInfo {
            conn,
            app_key: APP.to_owned(),
            user_id: "alice".to_owned(),
            platform: Platform::Mobile,
            device_id: "phone".to_owned(),
            connected_at_ms: T0,
            last_frame_ms: T0,
            acked_cursor: 0,
            sent_cursor: 0,
            phase: SessionPhase::Live,
        }]
    );
}

/// Every way a token can be bad answers `ConnectAck` 31004 and closes (CONN-14, CONN-23, ENG-18); the finer reason
/// is checked too, so each case exercises the branch it names.
#[test]
fn every_bad_token_answers_31004() {
    let mut h = Harness::new();
    let good = h.token("alice");
    let claims = parse_token(&good).unwrap().claims;
    let signed = |secret: &str, claims: &TokenClaims| claims.to_token(&sign(secret, claims));

    let mut tampered = good.clone();
    tampered.replace_range(tampered.len() - 2.., if good.ends_with("00") { "01" } else { "00" });
    let other_app = TokenClaims { app_key: "other-app".to_owned(), ..claims.clone() };
    h.server.create_app("third-app", "third-secret");
    let third_app = TokenClaims { app_key: "third-app".to_owned(), ..claims.clone() };
    let stranger = TokenClaims { user_id: "stranger".to_owned(), ..claims.clone() };
    let expired = h.server.issue_token(APP, "alice", h.now, Some(h.now)).unwrap();
    let upper_case = good.to_uppercase().replacen("V1", "v1", 1);

    let cases: Vec<(&str, String, &str, TokenRefusal)> = vec![
        ("garbage", "garbage".to_owned(), APP, TokenRefusal::Malformed),
        ("empty", String::new(), APP, TokenRefusal::Malformed),
        ("not canonical", upper_case, APP, TokenRefusal::Malformed),
        ("tampered signature", tampered, APP, TokenRefusal::BadSignature),
        ("signed with another secret", signed("not-the-secret", &claims), APP, TokenRefusal::BadSignature),
        ("another App Key in the request", good, "other-app", TokenRefusal::AppKeyMismatch),
        ("unknown app", signed(SECRET, &other_app), "other-app", TokenRefusal::UnknownApp),
        ("another app's secret", signed(SECRET, &third_app), "third-app", TokenRefusal::BadSignature),
        ("unregistered user", signed(SECRET, &stranger), APP, TokenRefusal::UnknownUser),
        ("expired", expired, APP, TokenRefusal::Expired),
    ];
    for (case, token, app_key, refusal) in cases {
        assert_eq!(check_token(&h.server.apps, app_key, &token, h.now).map(|_| ()), Err(refusal), "{case}");
        let conn = h.open();
        let mut request = connect_request(&token, "phone", 0);
        if let Body::Connect(request) = &mut request {
            request.app_key = app_key.to_owned();
        }
        h.send(conn, request);
        assert_eq!(h.outputs(), refused_token(conn, h.now), "{case}");
        assert_eq!(h.server.connection_count(), 0, "{case}");
    }
    assert!(h.server.online_sessions(APP, "alice").is_empty());
    h.connect("alice", "phone", 0);
}

#[test]
fn a_token_expires_at_its_expiry_time() {
    let mut h = Harness::new();
    h.token("alice");
    let token = h.server.issue_token(APP, "alice", h.now, Some(T0 + 1_000)).unwrap();
    h.advance(999);
    let (conn, outputs) = h.connect_with(&token, "phone", 0);
    assert!(
        matches!(&outputs[0], ServerOutput::Send { frame: proto::Frame { body: Some(Body::ConnectAck(ack)) }, .. } if ack.code == 0)
    );
    h.server.handle_connection_closed(conn, h.now);
    h.advance(1);
    let (conn, outputs) = h.connect_with(&token, "phone", 0);
    assert_eq!(outputs, refused_token(conn, h.now));
    assert_eq!(h.server.issue_token(APP, "alice", h.now, Some(0)), Err(ApiError::InvalidExpiry { expires_at_ms: 0 }));
}

/// CONN-12: registering again issues a new token and the old one stays valid; revoking voids every token issued so
/// far, even in the same millisecond, and not the ones issued after (CONN-23).
#[test]
fn revocation_voids_earlier_tokens_only() {
    let mut h = Harness::new();
    let first = h.token("alice");
    let second = h.server.register_user(APP, "alice", h.now).unwrap();
    assert_ne!(first, second, "registering again issues a new token");
    for token in [&first, &second] {
        let (conn, outputs) = h.connect_with(token, "phone", 0);
        assert_eq!(outputs.len(), 2, "{outputs:?}");
        h.server.handle_connection_closed(conn, h.now);
    }

    let open = h.connect_live("alice", "laptop");
    h.server.revoke_tokens(APP, "alice", h.now).unwrap();
    let third = h.server.register_user(APP, "alice", h.now).unwrap();
    for token in [&first, &second] {
        let (conn, outputs) = h.connect_with(token, "phone", 0);
        assert_eq!(outputs, refused_token(conn, h.now));
    }
    let (conn, outputs) = h.connect_with(&third, "phone", 0);
    assert_eq!(outputs.len(), 2, "a token issued after the revocation is valid: {outputs:?}");
    assert_eq!(h.server.online_sessions(APP, "alice").len(), 2);
    assert!(h.server.session_info(open).is_some(), "revocation leaves open sessions alone");
    h.server.handle_connection_closed(conn, h.now);

    assert_eq!(h.server.revoke_tokens(APP, "nobody", h.now), Ok(()), "a user never registered has no token to void");
    assert!(!h.server.is_registered(APP, "nobody"));
    let late = h.server.issue_token(APP, "latecomer", h.now, None).unwrap();
    assert!(h.server.is_registered(APP, "latecomer"), "issue_token registers a new user");
    let (conn, outputs) = h.connect_with(&late, "phone", 0);
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    h.server.handle_connection_closed(conn, h.now);
    assert_eq!(
        h.server.register_user("no-app", "alice", h.now),
        Err(ApiError::UnknownApp { app_key: "no-app".to_owned() })
    );
    assert_eq!(h.server.register_user(APP, "", h.now), Err(ApiError::InvalidUserId { user_id: String::new() }));
    let long = "x".repeat(65);
    assert_eq!(h.server.register_user(APP, &long, h.now), Err(ApiError::InvalidUserId { user_id: long.clone() }));
}

#[test]
fn the_first_frame_must_be_connect() {
    let mut h = Harness::new();
    let token = h.token("alice");
    for body in [
        Body::Ping(proto::Ping { nonce: 1 }),
        publish_body("m1", "bob", "hi"),
        Body::InboxAck(proto::InboxAck { cursor: 0 }),
        Body::Logout(proto::Logout { receive_push: true }),
        Body::ConnectAck(proto::ConnectAck::default()),
    ] {
        let conn = h.open();
        h.send(conn, body);
        assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME));
        h.send(conn, connect_request(&token, "phone", 0));
        assert_eq!(h.outputs(), vec![], "a closed connection's frames are ignored");
    }
    assert_eq!(h.server.connection_count(), 0);
}

#[test]
fn protocol_errors_on_an_open_session_close_it() {
    let mut h = Harness::new();
    let token = h.token("alice");
    let server_frames = [
        Body::ConnectAck(proto::ConnectAck::default()),
        Body::PublishAck(proto::PublishAck::default()),
        Body::InboxPackage(proto::InboxPackage::default()),
        Body::InboxDelivery(proto::InboxDelivery::default()),
        Body::Pong(proto::Pong::default()),
        Body::SessionClosed(proto::SessionClosed::default()),
        connect_request(&token, "phone", 0),
    ];
    for body in server_frames {
        let conn = h.connect_live("alice", "phone");
        h.send(conn, body);
        assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME));
        assert!(h.server.online_sessions(APP, "alice").is_empty());
    }
    let conn = h.connect_live("alice", "phone");
    h.server.handle_frame(conn, proto::Frame { body: None }, h.now);
    assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME));
}

#[test]
fn a_malformed_connect_request_is_refused() {
    let mut h = Harness::new();
    let token = h.token("alice");
    let long_device = "d".repeat(DEVICE_ID_BYTES_MAX + 1);
    for (platform, device) in [(0, "phone"), (5, "phone"), (-1, "phone"), (1, ""), (1, long_device.as_str())] {
        let conn = h.open();
        let mut request = connect_request(&token, device, 0);
        if let Body::Connect(request) = &mut request {
            request.platform = platform;
        }
        h.send(conn, request);
        assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME));
    }
    h.connect("alice", &"d".repeat(DEVICE_ID_BYTES_MAX), 0);
}

#[test]
fn frame_errors_close_with_their_code() {
    let mut h = Harness::new();
    let too_large = FrameError::TooLarge { announced_bytes: u32::MAX };
    let malformed = FrameError::Malformed("bad varint".to_owned());

    let conn = h.open();
    h.server.handle_frame_error(conn, &too_large, h.now);
    assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_FRAME_TOO_LARGE));

    let conn = h.connect_live("alice", "phone");
    h.server.handle_frame_error(conn, &malformed, h.now);
    assert_eq!(without_reasons(h.outputs()), closed_with(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME));
    assert!(h.server.online_sessions(APP, "alice").is_empty());
    h.server.handle_frame_error(conn, &malformed, h.now);
    assert_eq!(h.outputs(), vec![], "nothing more for a closed connection");
}

#[test]
fn ping_gets_pong() {
    let mut h = Harness::new();
    let conn = h.connect_live("alice", "phone");
    h.send(conn, Body::Ping(proto::Ping { nonce: 42 }));
    assert_eq!(h.outputs(), vec![sent(conn, Body::Pong(proto::Pong { nonce: 42 }))]);
}

/// CONN-20: logout records `receivePush` for the device and closes without a frame; the choice lasts until the
/// device's next successful connect.
#[test]
fn logout_records_the_push_choice_and_closes() {
    let mut h = Harness::new();
    for receive_push in [true, false] {
        let conn = h.connect_live("alice", "phone");
        h.send(conn, Body::Logout(proto::Logout { receive_push }));
        assert_eq!(h.outputs(), vec![ServerOutput::Close { conn }]);
        assert!(h.server.online_sessions(APP, "alice").is_empty());
        assert_eq!(h.server.logout_receive_push(APP, "alice", "phone"), Some(receive_push));
        h.send(conn, Body::Ping(proto::Ping { nonce: 1 }));
        assert_eq!(h.outputs(), vec![]);
    }
    h.connect_live("alice", "phone");
    assert_eq!(h.server.logout_receive_push(APP, "alice", "phone"), None);
}

#[test]
fn a_closed_connection_ends_its_session() {
    let mut h = Harness::new();
    let phone = h.connect_live("alice", "phone");
    let laptop = h.connect_live("alice", "laptop");
    assert_eq!(h.server.online_sessions(APP, "alice").len(), 2);
    h.server.handle_connection_closed(phone, h.now);
    let sessions = h.server.online_sessions(APP, "alice");
    assert_eq!(sessions.iter().map(|s| s.conn).collect::<Vec<_>>(), vec![laptop]);
    h.server.handle_connection_closed(phone, h.now);
    h.send(phone, Body::Ping(proto::Ping { nonce: 1 }));
    assert_eq!(h.outputs(), vec![]);
    assert_eq!(h.server.connection_count(), 1);
}
