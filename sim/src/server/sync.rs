//! Multi-device message sync and offline compensation (SYNC, CFG-2, CFG-3): which of a user's devices gets which
//! message. The inbox records the facts (`inbox` module: each entry's [`Route`] and when it was first handed out);
//! this module holds the rules that read them.
//!
//! # Multi-device sync off (the default, SYNC-1, SYNC-17)
//!
//! - Each message for a user goes to exactly one device: the online device that connected most recently when the
//!   message arrives (even if it is still catching up; it then gets it in a package). The entry is
//!   [`Route::OneDevice`] with that device.
//! - If no device is online, the entry waits unowned, and the first device to connect claims every such entry: a
//!   second device connecting later does not get them again. If a device's session ends before it was sent an
//!   entry it owns (kicked by a newer login while catching up, or cut off), the entry is unowned again and the next
//!   device to connect claims it; a device already online does not get it until then.
//! - A message is delivered again to its own device until that device acknowledges it (a lost package, a crash
//!   before persisting); after the acknowledgement it is consumed, even for a reinstall of the same device.
//! - The sender's other devices get no copy of what the sender sent.
//!
//! # Multi-device sync on
//!
//! - Every device of the recipient gets every message: online devices at once, the others when they connect, from
//!   their cursor ([`Route::AllDevices`]).
//! - The sender's own copy (same UID, `sender_user_id` = the sender, `target_id` = the peer or the group) goes into
//!   the sender's inbox with the sending device as its `origin`, which never gets it, live or at catch-up, unless it
//!   connects with cursor 0 (a reinstall, SYNC-8): then it gets back what it sent within the compensation window. A private message to oneself has no separate sender copy: the received copy already
//!   reaches every device.
//! - Offline compensation (SYNC-6 to SYNC-13): a device connecting with inbox cursor 0 is a new device or a
//!   reinstall (SYNC-13; the cursor is the "empty local database" flag). It gets only the compensation window of
//!   what the user's other devices already had: entries sent by the user from another device, and received entries
//!   that a device was sent before this one connected, count only if sent at or after 00:00 of day
//!   (today − (N − 1)) in the natural-day time zone (SYNC-11, N = `compensation_days`, UTC+8 by default), and the
//!   received ones come with `retrieved` set (SYNC-12). A received entry that no device has had yet is an ordinary
//!   offline message (OFFLINE-2): it is delivered whatever its age, without `retrieved`.
//!
//! Each message keeps the mode in force when it was sent (CFG-13: a switch changes what happens next, not what was
//! done), so switching sync on or off never re-delivers or loses a message already routed. The compensation window
//! is fixed when the session opens.
//!
//! # Status messages (SYNC-3, OFFLINE-8, SEND-17, TYPING-4)
//!
//! A status message never enters an inbox: it is pushed at once, as an `InboxDelivery` with `seq` 0 and
//! `status_message` set (so it is never acknowledged), to the devices that would get a live message and are live
//! (caught up) at that moment: with sync off, the recipient's most recently connected device if it is live; with
//! sync on, every live device of the recipient and the sender's other live devices. Nobody else ever gets it.

use imsim_engine::proto;

use super::inbox::{Entry, Route, Verdict};
use super::{Conn, ConnId, DAY_MS, Server};

/// Decision 8, SYNC-11: "natural day" is the day in UTC+8 unless set otherwise.
pub const NATURAL_DAY_UTC_OFFSET_MS_DEFAULT: i64 = 8 * 60 * 60 * 1_000;

/// What one session may read of its user's inbox.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reader<'a> {
    /// The session's device.
    pub(super) device_id: &'a str,
    /// The session's login number: entries first handed out before it were received elsewhere.
    pub(super) login_seq: u64,
    /// The highest `seq` the device has ever acknowledged: its [`Route::OneDevice`] entries up to it are consumed.
    pub(super) device_acked: u64,
    /// For a compensating session (sync on, cursor 0), the start of the compensation window.
    pub(super) compensation_from_ms: Option<i64>,
    /// For a compensating session, the last `seq` of the inbox when it opened (SYNC-8).
    pub(super) compensated_through: u64,
}

impl Reader<'_> {
    /// Whether the session gets `entry`, and whether as `retrieved`. See the module documentation.
    pub(super) fn view(&self, entry: &Entry) -> Verdict {
        match &entry.route {
            Route::OneDevice { device } => {
                (device.as_deref() == Some(self.device_id) && entry.message.seq > self.device_acked).then_some(false)
            }
            Route::AllDevices { origin } => {
                let own = origin.as_deref() == Some(self.device_id);
                let Some(window_start_ms) = self.compensation_from_ms else {
                    return (!own).then_some(false);
                };
                if own {
                    // SYNC-8: a reinstall on the sending device (its database empty) gets back what it sent in the
                    // window; a device that still holds them skips them by UID (RECV-13).
                    imsim_engine::mark!("SYNC-8");
                    let lost = entry.message.seq <= self.compensated_through;
                    return (lost && entry.message.sent_time >= window_start_ms).then_some(false);
                }
                let received = origin.is_none();
                let had_elsewhere = entry.first_sent_login.is_some_and(|login| login < self.login_seq);
                if received && !had_elsewhere {
                    return Some(false);
                }
                imsim_engine::mark!("SYNC-12");
                (entry.message.sent_time >= window_start_ms).then_some(received && had_elsewhere)
            }
        }
    }
}

/// SYNC-11: the start of the compensation window at `now_ms`: 00:00 of day (today − (days − 1)) in the time zone
/// `utc_offset_ms` east of UTC.
pub(super) fn compensation_start_ms(now_ms: i64, days: u32, utc_offset_ms: i64) -> i64 {
    let local_ms = now_ms + utc_offset_ms;
    let today_ms = local_ms.div_euclid(DAY_MS) * DAY_MS;
    today_ms - i64::from(days.saturating_sub(1)) * DAY_MS - utc_offset_ms
}

impl Server {
    /// The open sessions of a user, with each one's device and whether it is live, in connection order.
    pub(super) fn user_sessions(&self, app_key: &str, user_id: &str) -> Vec<SessionRef> {
        let Some(conns) = self.apps.get(app_key).and_then(|app| app.online.get(user_id)) else {
            return Vec::new();
        };
        conns
            .iter()
            .filter_map(|&conn| match self.conns.get(&conn)? {
                Conn::Open(session) => Some(SessionRef {
                    conn,
                    device_id: session.device_id.clone(),
                    login_seq: session.login_seq,
                    live: session.is_live(),
                }),
                Conn::AwaitingConnect => None,
            })
            .collect()
    }

    /// SYNC-17: the route of a message for `user_id` appended now: one device (the newest login, or nobody yet) with
    /// sync off, every device with sync on.
    pub(super) fn route_for(&self, app_key: &str, user_id: &str, sync: bool) -> Route {
        if sync {
            imsim_engine::mark!("SYNC-2");
            return Route::AllDevices { origin: None };
        }
        imsim_engine::mark!("SYNC-1");
        imsim_engine::mark!("SYNC-17");
        imsim_engine::mark!("MULTI-8");
        let newest = self.user_sessions(app_key, user_id).into_iter().max_by_key(|session| session.login_seq);
        Route::OneDevice { device: newest.map(|session| session.device_id) }
    }

    /// The live sessions that get a status message for `user_id` now. `origin` is the sending device, for the
    /// sender's own copy; see the module documentation.
    pub(super) fn status_targets(&self, app_key: &str, user_id: &str, origin: Option<&str>, sync: bool) -> Vec<ConnId> {
        let sessions = self.user_sessions(app_key, user_id);
        if sync {
            return sessions
                .into_iter()
                .filter(|session| session.live && Some(session.device_id.as_str()) != origin)
                .map(|session| session.conn)
                .collect();
        }
        if origin.is_some() {
            return Vec::new();
        }
        let newest = sessions.into_iter().max_by_key(|session| session.login_seq);
        newest.filter(|session| session.live).map(|session| session.conn).into_iter().collect()
    }

    /// Pushes a status message to `conns`, as it is: `seq` 0, never stored (SYNC-3).
    pub(super) fn push_status(&mut self, conns: &[ConnId], message: &proto::DeliveredMessage) {
        debug_assert!(message.status_message && message.seq == 0);
        for &conn in conns {
            let delivery = proto::InboxDelivery { message: Some(message.clone()) };
            self.send(conn, proto::frame::Body::InboxDelivery(delivery));
        }
    }
}

/// An open session, as the routing rules see it.
#[derive(Clone, Debug)]
pub(super) struct SessionRef {
    pub(super) conn: ConnId,
    pub(super) device_id: String,
    pub(super) login_seq: u64,
    /// Caught up (not still receiving packages).
    pub(super) live: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60 * 1_000;

    #[test]
    fn the_window_starts_at_local_midnight() {
        // 2023-11-14T22:13:20Z is 2023-11-15 06:13:20 in UTC+8, so today began at 2023-11-14T16:00:00Z.
        let now = 1_700_000_000_000;
        let midnight = 1_699_977_600_000;
        assert_eq!(compensation_start_ms(now, 1, 8 * HOUR), midnight);
        assert_eq!(compensation_start_ms(now, 3, 8 * HOUR), midnight - 2 * DAY_MS);
        assert_eq!(compensation_start_ms(now, 1, 0), 1_699_920_000_000, "UTC midnight");
        assert_eq!(compensation_start_ms(midnight, 1, 8 * HOUR), midnight, "00:00 itself is today");
        assert_eq!(compensation_start_ms(midnight - 1, 1, 8 * HOUR), midnight - DAY_MS, "23:59:59.999 is yesterday");
        assert_eq!(compensation_start_ms(-1, 1, 0), -DAY_MS, "before 1970 too");
    }
}
