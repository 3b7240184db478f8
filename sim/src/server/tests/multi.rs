//! Platform classes and kicking (MULTI, KICK, CFG-2, CFG-6, CFG-7): who stays online when a user logs in again.

use super::*;

/// The `ConnectRequest` flags that matter for kicking.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    /// An automatic reconnection attempt.
    reconnect: bool,
    /// The engine option `kickReconnectDevice`.
    kick_reconnect_device: bool,
}

const EXPLICIT: Flags = Flags { reconnect: false, kick_reconnect_device: false };
const EXPLICIT_GIVING_WAY: Flags = Flags { reconnect: false, kick_reconnect_device: true };
const RECONNECT_KICKING: Flags = Flags { reconnect: true, kick_reconnect_device: false };
const RECONNECT_GIVING_WAY: Flags = Flags { reconnect: true, kick_reconnect_device: true };

fn request(token: &str, device: &str, platform: Platform, flags: Flags) -> Body {
    Body::Connect(proto::ConnectRequest {
        token: token.to_owned(),
        app_key: APP.to_owned(),
        platform: platform.ordinal() as i32,
        device_id: device.to_owned(),
        inbox_cursor: 0,
        reconnect: flags.reconnect,
        kick_reconnect_device: flags.kick_reconnect_device,
    })
}

impl Harness {
    fn with_app_config(config: AppConfig) -> Harness {
        let mut h = Harness::new();
        h.server.set_app_config(APP, config).unwrap();
        h
    }

    /// Opens a connection and sends `user`'s `ConnectRequest`; returns the connection and the outputs, reasons
    /// blanked.
    fn login(&mut self, user: &str, device: &str, platform: Platform, flags: Flags) -> (ConnId, Vec<ServerOutput>) {
        let token = self.token(user);
        let conn = self.open();
        self.send(conn, request(&token, device, platform, flags));
        (conn, without_reasons(self.outputs()))
    }

    /// Logs `user` in and asserts it was accepted with nobody kicked.
    fn login_ok(&mut self, user: &str, device: &str, platform: Platform) -> ConnId {
        let (conn, outputs) = self.login(user, device, platform, EXPLICIT);
        assert_eq!(outputs, accepted(conn, user, self.now), "{device} logs in");
        conn
    }

    /// The open connections, in connection order.
    fn open_conns(&self) -> Vec<ConnId> {
        self.server.sessions().iter().map(|session| session.conn).collect()
    }
}

/// `kicked` each get `SessionClosed` 31010 and are closed, then `conn` is accepted.
fn kicked_then_accepted(kicked: &[ConnId], conn: ConnId, user: &str, now: i64) -> Vec<ServerOutput> {
    let kicks = kicked.iter().flat_map(|&old| closed_with(old, ErrorCode::DISCONN_KICK));
    kicks.chain(accepted(conn, user, now)).collect()
}

#[test]
fn the_defaults_are_the_manuals() {
    let h = Harness::new();
    let config = h.server.app_config(APP).unwrap();
    assert_eq!(config, &AppConfig::default());
    assert!(!config.reconnect_kick_policy_enabled, "CFG-6");
    assert!(!config.multi_device_sync, "CFG-2");
    assert_eq!(config.token_ttl_ms, None, "CFG-10");
    let limits: Vec<u32> = Platform::ALL.iter().map(|&platform| config.device_limit(platform)).collect();
    assert_eq!(limits, vec![1, 1, 1, 1], "CFG-7, MULTI-2: mobile, desktop, Web, mini program");
    assert_eq!(h.server.app_config("no-app"), None);
}

/// A day, in milliseconds, written out apart from the server's own constants.
const DAY_MS: i64 = 86_400_000;

#[test]
fn out_of_range_switches_are_refused() {
    let mut h = Harness::new();
    let cases = [
        (AppConfig { mobile_devices_max: 0, ..AppConfig::default() }, "mobile_devices_max", 0),
        (AppConfig { mini_program_devices_max: 0, ..AppConfig::default() }, "mini_program_devices_max", 0),
        (AppConfig { token_ttl_ms: Some(0), ..AppConfig::default() }, "token_ttl_ms", 0),
        (AppConfig { token_ttl_ms: Some(-5), ..AppConfig::default() }, "token_ttl_ms", -5),
        // CR-4, BIZ-24: a chatroom's inactivity period is 1 ms to 24 h.
        (AppConfig { chatroom_destroy_after_ms: 0, ..AppConfig::default() }, "chatroom_destroy_after_ms", 0),
        (
            AppConfig { chatroom_destroy_after_ms: DAY_MS + 1, ..AppConfig::default() },
            "chatroom_destroy_after_ms",
            DAY_MS + 1,
        ),
    ];
    for (config, field, value) in cases {
        assert_eq!(h.server.set_app_config(APP, config), Err(ApiError::InvalidAppConfig { field, value }));
    }
    assert_eq!(h.server.app_config(APP), Some(&AppConfig::default()), "a refused config changes nothing");
    for chatroom_destroy_after_ms in [1, DAY_MS] {
        let longest = AppConfig { chatroom_destroy_after_ms, ..AppConfig::default() };
        assert_eq!(h.server.set_app_config(APP, longest), Ok(()));
    }
    assert_eq!(
        h.server.set_app_config("no-app", AppConfig::default()),
        Err(ApiError::UnknownApp { app_key: "no-app".to_owned() })
    );
}

/// MULTI-2, MULTI-9, KICK-1: by default each class holds one device; a second login in the class kicks the first,
/// with 31010, before it is accepted.
#[test]
fn each_class_holds_one_device_by_default() {
    let mut h = Harness::new();
    for &platform in Platform::ALL {
        let first = h.login_ok("alice", &format!("{platform}-1"), platform);
        h.advance(1);
        let (second, outputs) = h.login("alice", &format!("{platform}-2"), platform, EXPLICIT);
        assert_eq!(outputs, kicked_then_accepted(&[first], second, "alice", h.now), "{platform}");
        assert_eq!(h.server.session_info(first), None, "{platform}");
        assert_eq!(h.server.online_sessions(APP, "alice").iter().filter(|s| s.platform == platform).count(), 1);
    }
}

/// MULTI-1, MULTI-2, KICK-13: one device per class coexist, and a login in one class never touches another.
#[test]
fn classes_never_affect_each_other() {
    let mut h = Harness::new();
    let conns: Vec<ConnId> =
        Platform::ALL.iter().map(|&platform| h.login_ok("alice", &format!("{platform}"), platform)).collect();
    assert_eq!(h.open_conns(), conns);
    let bob = h.login_ok("bob", "Mobile", Platform::Mobile);
    let (web, outputs) = h.login("alice", "web-2", Platform::Web, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&[conns[2]], web, "alice", h.now));
    assert_eq!(h.open_conns(), vec![conns[0], conns[1], conns[3], bob, web]);
    let platforms: Vec<Platform> = h.server.online_sessions(APP, "alice").iter().map(|s| s.platform).collect();
    assert_eq!(platforms, vec![Platform::Mobile, Platform::Desktop, Platform::MiniProgram, Platform::Web]);
}

/// KICK-11: an explicit `connect` always kicks the older mobile login, whatever its `kickReconnectDevice` says and
/// whether or not the policy is on.
#[test]
fn an_explicit_login_kicks_even_with_the_kick_flag() {
    for policy in [false, true] {
        let mut h =
            Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: policy, ..AppConfig::default() });
        let (b, _) = h.login("alice", "phone-b", Platform::Mobile, EXPLICIT_GIVING_WAY);
        let (a, outputs) = h.login("alice", "phone-a", Platform::Mobile, EXPLICIT_GIVING_WAY);
        assert_eq!(outputs, kicked_then_accepted(&[b], a, "alice", h.now), "policy {policy}");
        assert_eq!(h.open_conns(), vec![a]);
    }
}

/// KICK-3, KICK-4, KICK-7, KICK-9, KICK-10: with the policy on, a reconnecting mobile device that gives way is
/// refused with 31023 and the online device is untouched.
#[test]
fn a_reconnect_that_gives_way_is_refused_when_the_policy_is_on() {
    let mut h = Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: true, ..AppConfig::default() });
    let b = h.login_ok("alice", "phone-b", Platform::Mobile);
    h.advance(10);
    let (a, outputs) = h.login("alice", "phone-a", Platform::Mobile, RECONNECT_GIVING_WAY);
    assert_eq!(outputs, refused_connect(a, ErrorCode::CONN_OTHER_DEVICE_LOGIN, h.now));
    assert_eq!(h.open_conns(), vec![b]);
    h.send(b, Body::Ping(proto::Ping { nonce: 7 }));
    assert_eq!(h.outputs(), vec![sent(b, Body::Pong(proto::Pong { nonce: 7 }))], "B is still served");
}

/// KICK-7: with the policy off the server ignores `kickReconnectDevice`: the reconnecting device kicks (KICK-5).
#[test]
fn a_reconnect_that_gives_way_kicks_when_the_policy_is_off() {
    let mut h = Harness::new();
    let b = h.login_ok("alice", "phone-b", Platform::Mobile);
    let (a, outputs) = h.login("alice", "phone-a", Platform::Mobile, RECONNECT_GIVING_WAY);
    assert_eq!(outputs, kicked_then_accepted(&[b], a, "alice", h.now));
    assert_eq!(h.open_conns(), vec![a]);
}

/// KICK-3, KICK-5: a reconnect with `kickReconnectDevice = false` kicks the online device, policy on or off.
#[test]
fn a_reconnect_that_does_not_give_way_kicks() {
    for policy in [false, true] {
        let mut h =
            Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: policy, ..AppConfig::default() });
        let b = h.login_ok("alice", "phone-b", Platform::Mobile);
        let (a, outputs) = h.login("alice", "phone-a", Platform::Mobile, RECONNECT_KICKING);
        assert_eq!(outputs, kicked_then_accepted(&[b], a, "alice", h.now), "policy {policy}");
    }
}

/// KICK-13, MULTI-9: the reconnect policy is for mobile devices; in the other classes the later login kicks.
#[test]
fn the_reconnect_policy_is_mobile_only() {
    let mut h = Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: true, ..AppConfig::default() });
    for platform in [Platform::Desktop, Platform::Web, Platform::MiniProgram] {
        let old = h.login_ok("alice", &format!("{platform}-old"), platform);
        let (new, outputs) = h.login("alice", &format!("{platform}-new"), platform, RECONNECT_GIVING_WAY);
        assert_eq!(outputs, kicked_then_accepted(&[old], new, "alice", h.now), "{platform}");
    }
}

/// The same device ID coming back (its old connection dead after a network cut) replaces its own session without a
/// frame, and counts for nothing against the limit: neither a refusal nor a kick, even with the policy on.
#[test]
fn a_device_replaces_its_own_stale_session_silently() {
    let mut h = Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: true, ..AppConfig::default() });
    let laptop = h.login_ok("alice", "laptop", Platform::Desktop);
    let stale = h.login_ok("alice", "phone", Platform::Mobile);
    h.advance(5_000);
    let (fresh, outputs) = h.login("alice", "phone", Platform::Mobile, RECONNECT_GIVING_WAY);
    let mut expected = vec![ServerOutput::Close { conn: stale }];
    expected.extend(accepted(fresh, "alice", h.now));
    assert_eq!(outputs, expected);
    assert_eq!(h.open_conns(), vec![laptop, fresh]);
}

/// One installation has one connection: its device ID coming back under another platform class still replaces its
/// session silently.
#[test]
fn a_device_id_is_one_installation_whatever_its_class() {
    let mut h = Harness::new();
    let mobile = h.login_ok("alice", "dev", Platform::Mobile);
    let (web, outputs) = h.login("alice", "dev", Platform::Web, EXPLICIT);
    let mut expected = vec![ServerOutput::Close { conn: mobile }];
    expected.extend(accepted(web, "alice", h.now));
    assert_eq!(outputs, expected);
    assert_eq!(h.open_conns(), vec![web]);
}

/// CFG-7, MULTI-4: a raised mobile limit lets two devices in; the third kicks the oldest *login* (not the oldest
/// connection).
#[test]
fn a_raised_mobile_limit_allows_two_and_kicks_the_oldest_login() {
    let mut h = Harness::with_app_config(AppConfig { mobile_devices_max: 2, ..AppConfig::default() });
    let token = h.token("alice");
    let opened_first = h.open();
    let opened_second = h.open();
    h.send(opened_second, request(&token, "phone-1", Platform::Mobile, EXPLICIT));
    assert_eq!(h.outputs(), accepted(opened_second, "alice", h.now));
    h.advance(1);
    h.send(opened_first, request(&token, "phone-2", Platform::Mobile, EXPLICIT));
    assert_eq!(h.outputs(), accepted(opened_first, "alice", h.now));
    assert_eq!(h.open_conns(), vec![opened_first, opened_second]);

    h.advance(1);
    let (third, outputs) = h.login("alice", "phone-3", Platform::Mobile, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&[opened_second], third, "alice", h.now));
    let (fourth, outputs) = h.login("alice", "phone-4", Platform::Mobile, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&[opened_first], fourth, "alice", h.now));
    assert_eq!(h.open_conns(), vec![third, fourth]);
}

/// CFG-13: a lowered limit applies at the next login, which kicks as many of the oldest as needed to fit.
#[test]
fn a_lowered_limit_applies_at_the_next_login() {
    let mut h = Harness::with_app_config(AppConfig { mobile_devices_max: 3, ..AppConfig::default() });
    let phones: Vec<ConnId> = (0..3).map(|i| h.login_ok("alice", &format!("phone-{i}"), Platform::Mobile)).collect();
    h.server.set_app_config(APP, AppConfig::default()).unwrap();
    assert_eq!(h.open_conns(), phones, "changing the switch kicks nobody");
    let (new, outputs) = h.login("alice", "phone-new", Platform::Mobile, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&phones, new, "alice", h.now));
}

/// CFG-7, MULTI-7: the mini-program limit is raised the same way.
#[test]
fn a_raised_mini_program_limit_allows_more() {
    let mut h = Harness::with_app_config(AppConfig { mini_program_devices_max: 3, ..AppConfig::default() });
    let minis: Vec<ConnId> = (0..3).map(|i| h.login_ok("alice", &format!("mini-{i}"), Platform::MiniProgram)).collect();
    let (fourth, outputs) = h.login("alice", "mini-3", Platform::MiniProgram, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&minis[..1], fourth, "alice", h.now));
    let (mobile, outputs) = h.login("alice", "phone", Platform::Mobile, EXPLICIT);
    assert_eq!(outputs, accepted(mobile, "alice", h.now), "the mobile limit is still its own");
}

/// CFG-2, MULTI-6: with multi-device sync on, up to 10 Web pages; the 11th kicks the first. Desktop stays at 1
/// (MULTI-5).
#[test]
fn multi_device_sync_allows_ten_web_pages() {
    let mut h = Harness::with_app_config(AppConfig { multi_device_sync: true, ..AppConfig::default() });
    let pages: Vec<ConnId> = (0..10).map(|i| h.login_ok("alice", &format!("web-{i}"), Platform::Web)).collect();
    let (eleventh, outputs) = h.login("alice", "web-10", Platform::Web, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&pages[..1], eleventh, "alice", h.now));
    assert_eq!(h.server.online_sessions(APP, "alice").len(), 10);

    let laptop = h.login_ok("alice", "laptop-1", Platform::Desktop);
    let (second_laptop, outputs) = h.login("alice", "laptop-2", Platform::Desktop, EXPLICIT);
    assert_eq!(outputs, kicked_then_accepted(&[laptop], second_laptop, "alice", h.now));
}

/// Two mobile devices racing: both connections open, both `ConnectRequest`s arrive before anything is written back.
/// The server takes one frame at a time, so exactly one device is kicked (31010) and exactly one stays online, in
/// either order and whatever their flags (the policy being off).
#[test]
fn two_racing_mobile_logins_end_with_exactly_one_online() {
    for flags in [EXPLICIT, RECONNECT_KICKING, RECONNECT_GIVING_WAY] {
        for a_first in [true, false] {
            let mut h = Harness::new();
            let token = h.token("alice");
            let a = h.open();
            let b = h.open();
            let (first, second) = if a_first { (a, b) } else { (b, a) };
            h.send(first, request(&token, &format!("phone-{}", first.0), Platform::Mobile, flags));
            h.send(second, request(&token, &format!("phone-{}", second.0), Platform::Mobile, flags));
            let outputs = without_reasons(h.outputs());
            let kicks: Vec<&ServerOutput> =
                outputs.iter().filter(|output| **output == session_closed(first, ErrorCode::DISCONN_KICK)).collect();
            assert_eq!(kicks.len(), 1, "{flags:?} {outputs:?}");
            let closed_frames = outputs.iter().filter(|output| {
                matches!(output, ServerOutput::Send { frame: proto::Frame { body: Some(Body::SessionClosed(_)) }, .. })
            });
            assert_eq!(closed_frames.count(), 1, "{flags:?} {outputs:?}");
            assert_eq!(h.open_conns(), vec![second], "{flags:?}");
            let mut expected = accepted(first, "alice", h.now);
            expected.extend(kicked_then_accepted(&[first], second, "alice", h.now));
            assert_eq!(outputs, expected, "{flags:?}");
        }
    }
}

/// Invariant for checkers: with the default limits, at most one session per (user, class) whatever the sequence of
/// logins, reconnects and policy.
#[test]
fn default_limits_keep_one_session_per_user_and_class() {
    let mut h = Harness::with_app_config(AppConfig { reconnect_kick_policy_enabled: true, ..AppConfig::default() });
    let all_flags = [EXPLICIT, EXPLICIT_GIVING_WAY, RECONNECT_KICKING, RECONNECT_GIVING_WAY];
    for step in 0..64_usize {
        let user = ["alice", "bob"][step % 2];
        let platform = Platform::ALL[(step / 2) % Platform::ALL.len()];
        let device = format!("{platform}-{}", step % 3);
        h.login(user, &device, platform, all_flags[(step / 3) % all_flags.len()]);
        let mut seen = BTreeMap::new();
        for session in h.server.sessions() {
            let count = seen.entry((session.user_id.clone(), session.platform)).or_insert(0);
            *count += 1;
            assert_eq!(*count, 1, "step {step}: {:?}", h.server.sessions());
        }
    }
}
