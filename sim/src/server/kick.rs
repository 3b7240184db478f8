//! Who may be online: bans (USER-9, CONN-21), platform classes and their device limits (MULTI, CFG-7) and the
//! reconnect kicking policy (KICK). These checks run on a `ConnectRequest` whose token is valid, in this order:
//!
//! 1. A banned user is refused: `ConnectAck` 31009, then close (CONN-21).
//! 2. A session of the user with the same device ID is the same installation coming back (after a network cut its
//!    old connection is usually dead, and the server may not know yet): the old connection is closed silently (no
//!    frame; nobody would read it). One installation has one engine with one connection, so this holds whatever
//!    platform class the old session claimed.
//! 3. Let `others` be the user's sessions in the request's platform class from other devices. If there are as many
//!    as the class allows ([`AppConfig::device_limit`]):
//!    - a *mobile* device that is *reconnecting* (`reconnect`), asks to give way (`kick_reconnect_device`, KICK-4)
//!      and whose app has the policy switched on (`reconnect_kick_policy_enabled`, CFG-6, KICK-7) is refused:
//!      `ConnectAck` 31023, then close (KICK-10); the online devices are untouched (KICK-9: the reconnecting
//!      device's own flag decides);
//!    - otherwise the oldest logins of the class are kicked until one place is free, each with `SessionClosed`
//!      31010 then close (KICK-1, KICK-5, KICK-12), and the new device comes online. This is also what an explicit
//!      `connect` does whatever its flag says (KICK-11), and what every non-mobile class does (KICK-13, MULTI-9).
//!
//! Classes never affect each other (MULTI-2). The server handles one frame at a time, so two devices racing for
//! the last place always end with the later one online and the earlier one kicked.
//!
//! [`AppConfig::device_limit`]: super::AppConfig::device_limit

use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};

use super::bans::ban_end;
use super::{Conn, ConnId, Server};

impl Server {
    /// Applies the checks above to a connect of `user_id` whose token is valid. Returns whether the session may
    /// open; if not, the refusal has been sent and `conn` closed.
    pub(super) fn admit(
        &mut self,
        conn: ConnId,
        app_key: &str,
        user_id: &str,
        platform: Platform,
        request: &proto::ConnectRequest,
        now_ms: i64,
    ) -> bool {
        let app = self.apps.get_mut(app_key).expect("invariant: the token check found the app");
        if ban_end(&mut app.bans, user_id, now_ms).is_some() {
            imsim_engine::mark!("CONN-21");
            self.refuse_connect(conn, ErrorCode::CONN_USER_BLOCKED, now_ms);
            return false;
        }
        let limit = app.config.device_limit(platform) as usize;
        let policy_enabled = app.config.reconnect_kick_policy_enabled;
        let sessions: Vec<ConnId> =
            app.online.get(user_id).map(|conns| conns.iter().copied().collect()).unwrap_or_default();

        let mut stale = Vec::new();
        // (login order, connection) of the other devices in the class.
        let mut others = Vec::new();
        for other in sessions {
            let Some(Conn::Open(session)) = self.conns.get(&other) else {
                continue;
            };
            if session.device_id == request.device_id {
                stale.push(other);
            } else if session.platform == platform {
                others.push((session.login_seq, other));
            } else {
                imsim_engine::mark!("MULTI-1");
            }
        }
        for other in stale {
            self.close(other, now_ms);
        }
        if others.len() < limit {
            if !others.is_empty() {
                // Several devices of one class online at once, as the app's settings allow.
                match platform {
                    Platform::Mobile => imsim_engine::mark!("CFG-7"),
                    Platform::Web => {
                        imsim_engine::mark!("MULTI-6");
                        imsim_engine::mark!("CFG-2");
                    }
                    _ => {}
                }
            }
            return true;
        }
        imsim_engine::mark!("MULTI-2");
        imsim_engine::mark!("MULTI-3");
        match platform {
            Platform::Mobile => imsim_engine::mark!("MULTI-4"),
            Platform::Desktop => imsim_engine::mark!("MULTI-5"),
            Platform::Web => imsim_engine::mark!("MULTI-6"),
            Platform::MiniProgram => imsim_engine::mark!("MULTI-7"),
        }
        if platform == Platform::Mobile && request.reconnect {
            imsim_engine::mark!("KICK-2");
            imsim_engine::mark!("KICK-3");
            if request.kick_reconnect_device {
                imsim_engine::mark!("KICK-7");
                imsim_engine::mark!("KICK-9");
                if policy_enabled {
                    imsim_engine::mark!("KICK-4");
                    self.refuse_connect(conn, ErrorCode::CONN_OTHER_DEVICE_LOGIN, now_ms);
                    return false;
                }
                imsim_engine::mark!("CFG-6");
            }
            imsim_engine::mark!("KICK-5");
        } else if platform == Platform::Mobile {
            imsim_engine::mark!("KICK-11");
        } else {
            imsim_engine::mark!("KICK-13");
            imsim_engine::mark!("MULTI-9");
        }
        others.sort_unstable();
        let excess = others.len() + 1 - limit;
        for (_, other) in others.into_iter().take(excess) {
            imsim_engine::mark!("KICK-1");
            let reason = format!("the user logged in on another {platform} device");
            self.close_with_error(other, ErrorCode::DISCONN_KICK, reason, now_ms);
        }
        true
    }

    /// Answers a `ConnectRequest` with a refusal `code`, then closes.
    pub(super) fn refuse_connect(&mut self, conn: ConnId, code: ErrorCode, now_ms: i64) {
        let ack = proto::ConnectAck { code: code.to_wire(), user_id: String::new(), server_time: now_ms };
        self.send(conn, Body::ConnectAck(ack));
        self.close(conn, now_ms);
    }
}
