//! Things that end with time: bans (USER-9, CONN-21), token lifetimes (CFG-10, CONN-14) and idle connections.

use imsim_engine::token::parse_token;

use super::*;

const MINUTE: i64 = 60_000;

/// USER-9: a ban closes every open session of the user at once with 31009, whatever its class, in connection order;
/// other users are untouched.
#[test]
fn a_ban_closes_every_session_of_the_user() {
    let mut h = Harness::new();
    let phone = h.connect_live("alice", "phone");
    let bob = h.connect_live("bob", "phone");
    let laptop = h.connect_live("alice", "laptop");
    let web = h.connect_live("alice", "web");
    let waiting = h.open();
    h.advance(100);
    h.server.ban_user(APP, "alice", h.now, 10 * MINUTE).unwrap();
    let outputs = without_reasons(h.outputs());
    let expected: Vec<ServerOutput> =
        [phone, laptop, web].into_iter().flat_map(|conn| closed_with(conn, ErrorCode::CONN_USER_BLOCKED)).collect();
    assert_eq!(outputs, expected);
    assert!(h.server.online_sessions(APP, "alice").is_empty());
    assert_eq!(h.server.sessions().iter().map(|s| s.conn).collect::<Vec<_>>(), vec![bob]);
    assert_eq!(h.server.connection_count(), 2, "a connection not yet logged in is nobody's");
    h.send(waiting, Body::Ping(proto::Ping { nonce: 1 }));
    assert_eq!(without_reasons(h.outputs()), closed_with(waiting, ErrorCode::PROTOCOL_UNEXPECTED_FRAME));
    assert_eq!(h.server.banned_users(APP, h.now), vec![("alice".to_owned(), T0 + 100 + 10 * MINUTE)]);
}

/// CONN-21: a banned user's connect answers `ConnectAck` 31009 and closes, until the ban ends by itself (USER-9);
/// at exactly its end time the user may connect again.
#[test]
fn a_banned_user_cannot_connect_until_the_ban_ends() {
    let mut h = Harness::new();
    let token = h.token("alice");
    h.server.ban_user(APP, "alice", h.now, MINUTE).unwrap();
    assert_eq!(h.outputs(), vec![], "nobody was online");
    let (conn, outputs) = h.connect_with(&token, "phone", 0);
    assert_eq!(outputs, refused_connect(conn, ErrorCode::CONN_USER_BLOCKED, h.now));

    // The token is checked first: a bad token still answers 31004 while banned.
    let (conn, outputs) = h.connect_with("garbage", "phone", 0);
    assert_eq!(outputs, refused_token(conn, h.now));

    h.advance(MINUTE - 1);
    let (conn, outputs) = h.connect_with(&token, "phone", 0);
    assert_eq!(outputs, refused_connect(conn, ErrorCode::CONN_USER_BLOCKED, h.now));
    assert_eq!(h.server.banned_users(APP, h.now), vec![("alice".to_owned(), T0 + MINUTE)]);
    h.advance(1);
    assert_eq!(h.server.banned_users(APP, h.now), vec![]);
    h.connect_live("alice", "phone");
}

/// USER-9: a ban can be lifted explicitly; banning again replaces the end time; the list is sorted by user.
#[test]
fn bans_can_be_lifted_and_replaced() {
    let mut h = Harness::new();
    h.token("alice");
    for user in ["carol", "alice", "bob"] {
        h.server.ban_user(APP, user, h.now, MINUTE).unwrap();
    }
    h.server.ban_user(APP, "bob", h.now, 5 * MINUTE).unwrap();
    h.server.ban_user(APP, "carol", h.now, 1).unwrap();
    let expected =
        vec![("alice".to_owned(), T0 + MINUTE), ("bob".to_owned(), T0 + 5 * MINUTE), ("carol".to_owned(), T0 + 1)];
    assert_eq!(h.server.banned_users(APP, h.now), expected);

    h.server.unban_user(APP, "alice").unwrap();
    h.connect_live("alice", "phone");
    assert_eq!(h.server.unban_user(APP, "nobody"), Ok(()), "lifting a ban nobody has is a no-op");
    assert_eq!(h.server.banned_users(APP, h.now).len(), 2);

    h.advance(1);
    h.server.handle_timeout(h.now);
    assert_eq!(h.server.apps[APP].bans.keys().collect::<Vec<_>>(), vec!["bob"], "ended bans are forgotten");
    assert_eq!(h.server.banned_users("no-app", h.now), vec![]);
}

#[test]
fn ban_arguments_are_checked() {
    let mut h = Harness::new();
    for duration_ms in [0, -1] {
        assert_eq!(
            h.server.ban_user(APP, "alice", h.now, duration_ms),
            Err(ApiError::InvalidBanDuration { duration_ms })
        );
    }
    assert_eq!(h.server.ban_user(APP, "", h.now, MINUTE), Err(ApiError::InvalidUserId { user_id: String::new() }));
    let no_app = Err(ApiError::UnknownApp { app_key: "no-app".to_owned() });
    assert_eq!(h.server.ban_user("no-app", "alice", h.now, MINUTE), no_app);
    assert_eq!(h.server.unban_user("no-app", "alice"), no_app);
    assert_eq!(h.server.banned_users(APP, h.now), vec![]);
    h.server.ban_user(APP, "alice", i64::MAX - 1, MINUTE).unwrap();
    assert_eq!(h.server.banned_users(APP, i64::MAX - 1), vec![("alice".to_owned(), i64::MAX)], "the end saturates");
}

/// CFG-10, CONN-14: tokens issued without an expiry live for the app's `token_ttl_ms`; connecting at or after their
/// end answers 31004. An explicit expiry wins, and tokens issued before the switch keep their own expiry.
#[test]
fn tokens_live_for_the_apps_lifetime() {
    let mut h = Harness::new();
    let permanent = h.server.register_user(APP, "alice", h.now).unwrap();
    h.server.set_app_config(APP, AppConfig { token_ttl_ms: Some(MINUTE), ..AppConfig::default() }).unwrap();
    let registered = h.server.register_user(APP, "alice", h.now).unwrap();
    let claims = parse_token(&registered).unwrap().claims;
    assert_eq!(claims.expires_at_ms, Some(claims.issued_at_ms + MINUTE));
    let issued = h.server.issue_token(APP, "alice", h.now, None).unwrap();
    let explicit = h.server.issue_token(APP, "alice", h.now, Some(T0 + 10 * MINUTE)).unwrap();
    assert_eq!(parse_token(&explicit).unwrap().claims.expires_at_ms, Some(T0 + 10 * MINUTE));

    fn try_connect(h: &mut Harness, token: &str) -> bool {
        let (conn, outputs) = h.connect_with(token, "phone", 0);
        h.server.handle_connection_closed(conn, h.now);
        outputs == accepted(conn, "alice", h.now)
    }
    let registered_end = claims.expires_at_ms.unwrap();
    h.now = registered_end - 1;
    for token in [&permanent, &registered, &issued, &explicit] {
        assert!(try_connect(&mut h, token), "before the end, every token connects");
    }
    h.advance(1);
    let (conn, outputs) = h.connect_with(&registered, "phone", 0);
    assert_eq!(outputs, refused_token(conn, h.now));
    assert!(try_connect(&mut h, &issued), "issued 1 ms later, so it ends 1 ms later");
    h.advance(1);
    let (conn, outputs) = h.connect_with(&issued, "phone", 0);
    assert_eq!(outputs, refused_token(conn, h.now));
    assert!(try_connect(&mut h, &permanent));
    assert!(try_connect(&mut h, &explicit));
}

/// A connection that sends nothing for `session_idle_timeout_ms` is closed without a frame; one that pings is not.
#[test]
fn silent_sessions_are_closed_and_pinging_ones_are_not() {
    let mut h = Harness::new();
    assert_eq!(h.server.config().session_idle_timeout_ms, 90_000);
    assert_eq!(h.server.poll_timeout(), None);
    let silent = h.connect_live("alice", "phone");
    h.advance(1);
    let pinging = h.connect_live("bob", "phone");
    assert_eq!(h.server.poll_timeout(), Some(T0 + SESSION_IDLE_TIMEOUT_MS));

    for _ in 0..3 {
        h.advance(30_000);
        h.server.handle_timeout(h.now.min(T0 + SESSION_IDLE_TIMEOUT_MS - 1));
        assert_eq!(h.outputs(), vec![], "nothing is due before the deadline");
        h.send(pinging, Body::Ping(proto::Ping { nonce: 1 }));
        assert_eq!(h.outputs(), vec![sent(pinging, Body::Pong(proto::Pong { nonce: 1 }))]);
    }
    // Now T0 + 90_001: the silent session's deadline (T0 + 90_000) has passed.
    assert_eq!(h.server.session_info(pinging).unwrap().last_frame_ms, h.now);
    h.server.handle_timeout(h.now);
    assert_eq!(h.outputs(), vec![ServerOutput::Close { conn: silent }]);
    assert_eq!(h.server.sessions().iter().map(|s| s.conn).collect::<Vec<_>>(), vec![pinging]);
    assert_eq!(h.server.poll_timeout(), Some(h.now + SESSION_IDLE_TIMEOUT_MS));

    h.advance(SESSION_IDLE_TIMEOUT_MS - 1);
    h.server.handle_timeout(h.now);
    assert_eq!(h.outputs(), vec![]);
    h.advance(1);
    h.server.handle_timeout(h.now);
    assert_eq!(h.outputs(), vec![ServerOutput::Close { conn: pinging }]);
    assert_eq!(h.server.poll_timeout(), None);
    assert_eq!(h.server.connection_count(), 0);
}

/// The idle clock starts when the connection opens, so one that never sends its `ConnectRequest` is closed too;
/// every frame counts, and several connections due at once close in the order they went quiet.
#[test]
fn idle_deadlines_count_from_the_last_frame() {
    let mut h = Harness::with_config(ServerConfig { session_idle_timeout_ms: 1_000, ..ServerConfig::default() });
    let mute = h.open();
    h.advance(10);
    let session = h.connect_live("alice", "phone");
    h.advance(500);
    h.send(session, Body::InboxAck(proto::InboxAck { cursor: 0 }));
    assert_eq!(h.outputs(), vec![]);
    let late = h.open();
    assert_eq!(h.server.poll_timeout(), Some(T0 + 1_000));
    h.advance(5_000);
    h.server.handle_timeout(h.now);
    let closes = [mute, session, late].map(|conn| ServerOutput::Close { conn });
    assert_eq!(h.outputs(), closes.to_vec());
    assert_eq!(h.server.connection_count(), 0);
    h.send(session, Body::Ping(proto::Ping { nonce: 1 }));
    assert_eq!(h.outputs(), vec![], "an idle-closed connection is forgotten");
}
