//! Banned users (USER-9, CONN-21): the Server API bans a user for a duration, which closes every open session of the
//! user at once with `SessionClosed` 31009 and refuses their connects with `ConnectAck` 31009 until the ban ends,
//! by itself or through [`Server::unban_user`].
//!
//! A ban is one end time per user: banning a banned user again replaces it with the new call's end (the latest call
//! wins, even if it ends sooner), as setting a duration anew does. Bans that ended are forgotten lazily: at the
//! user's next connect or ban, and by [`Server::handle_timeout`].

use std::collections::BTreeMap;

use imsim_engine::ErrorCode;

use super::tokens::{ApiError, app_mut, check_user_id};
use super::{ConnId, Server};

impl Server {
    /// Bans `user_id` for `duration_ms` from `now_ms` (USER-9): every open session of the user gets `SessionClosed`
    /// 31009 and is closed, in connection order, and connecting answers `ConnectAck` 31009 (CONN-21) until
    /// `now_ms + duration_ms`. Any user ID may be banned, registered or not.
    pub fn ban_user(&mut self, app_key: &str, user_id: &str, now_ms: i64, duration_ms: i64) -> Result<(), ApiError> {
        if duration_ms <= 0 {
            return Err(ApiError::InvalidBanDuration { duration_ms });
        }
        check_user_id(user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        imsim_engine::mark!("USER-9");
        app.bans.insert(user_id.to_owned(), now_ms.saturating_add(duration_ms));
        let conns: Vec<ConnId> =
            app.online.get(user_id).map(|conns| conns.iter().copied().collect()).unwrap_or_default();
        for conn in conns {
            self.close_with_error(conn, ErrorCode::CONN_USER_BLOCKED, "the user is banned", now_ms);
        }
        Ok(())
    }

    /// Lifts the user's ban, if any (USER-9). Sessions closed by the ban stay closed; the user may connect again.
    pub fn unban_user(&mut self, app_key: &str, user_id: &str) -> Result<(), ApiError> {
        app_mut(&mut self.apps, app_key)?.bans.remove(user_id);
        Ok(())
    }

    /// The users banned at `now_ms`, with the time each ban ends (USER-9), sorted by user ID. Empty for an unknown
    /// App Key.
    pub fn banned_users(&self, app_key: &str, now_ms: i64) -> Vec<(String, i64)> {
        let Some(app) = self.apps.get(app_key) else {
            return Vec::new();
        };
        app.bans
            .iter()
            .filter(|&(_, &ends_at)| now_ms < ends_at)
            .map(|(user, &ends_at)| (user.clone(), ends_at))
            .collect()
    }

    /// Forgets every ban that has ended at `now_ms`.
    pub(super) fn forget_ended_bans(&mut self, now_ms: i64) {
        for app in self.apps.values_mut() {
            app.bans.retain(|_, ends_at| now_ms < *ends_at);
        }
    }
}

/// When the user's ban ends, if they are banned at `now_ms`. A ban that has ended is forgotten.
pub(super) fn ban_end(bans: &mut BTreeMap<String, i64>, user_id: &str, now_ms: i64) -> Option<i64> {
    let &ends_at = bans.get(user_id)?;
    if now_ms < ends_at {
        return Some(ends_at);
    }
    bans.remove(user_id);
    None
}
