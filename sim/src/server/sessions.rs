//! Sessions: connect (CONN-2, CONN-14, CONN-23; bans and kicks are in `kick`), offline catch-up by inbox cursor
//! (RECV-3 to RECV-8, RECV-15, OFFLINE-5), live delivery, acknowledgements and logout (CONN-20).
//!
//! Catch-up is one package at a time: the server sends a package, waits for the `InboxAck` of its last `seq`, then
//! sends the next. So a slow or vanished client costs one package of memory in flight, and the client's cursor,
//! persisted with the messages, is always exactly where a reconnect resumes. The rules that keep every entry
//! delivered exactly once per session:
//!
//! - A session remembers `scanned`, the highest `seq` it has judged, and `sent`, the highest it was given.
//!   Packages and deliveries look only at entries after `scanned`, in order, and advance both.
//! - While catching up, new entries are not pushed: the next package picks them up, or, if the final package
//!   (`has_package == false`) is already out, they are pushed as `InboxDelivery` the moment its ack arrives.
//! - An empty final package (nothing to catch up) needs no ack: the session is live as soon as it is sent. An ack
//!   of the current cursor is harmless, as is any ack below what was already acknowledged.
//! - An ack beyond `sent` is a protocol error: the client claims messages it was never given.
//!
//! Which entries a session gets at all is the `sync` module's business: a session skips the entries meant for
//! other devices, or outside its compensation window, and each entry is judged once. Acknowledgements are also
//! remembered per device (`DeviceRecord::acked`), which is what "consumed" means with multi-device sync off.

use std::collections::VecDeque;

use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};

use super::sync::{Reader, compensation_start_ms};
use super::tokens::check_token;
use super::{Conn, ConnId, Server, SessionInfo, SessionPhase};

/// imsim's own bound, not a spec rule: a device ID longer than this many bytes is a malformed `ConnectRequest`.
/// Device IDs key server state (cursors, idempotent publishes, logout choices), so a hostile client must not be able
/// to make them large.
pub const DEVICE_ID_BYTES_MAX: usize = 128;

/// An open session (after `ConnectAck` 0).
#[derive(Debug)]
pub(super) struct Session {
    pub(super) app_key: String,
    pub(super) user_id: String,
    pub(super) platform: Platform,
    pub(super) device_id: String,
    connected_at_ms: i64,
    /// The server's count of successful logins when this one succeeded: orders logins for kicking (KICK-1).
    pub(super) login_seq: u64,
    /// The highest `seq` the device acknowledged, or the cursor it resumed from.
    acked: u64,
    /// The highest `seq` sent to this session.
    sent: u64,
    /// The highest `seq` this session has judged, sent or skipped as meant for other devices; at least `sent`.
    scanned: u64,
    /// SYNC-7 to SYNC-13: for a session compensating (multi-device sync on, cursor 0), the window's start.
    compensation_from_ms: Option<i64>,
    /// SYNC-8: for a compensating session, the inbox's last `seq` when it opened: the device's own sent copies up to
    /// there are what a reinstall lost; those it sends from now on it has.
    compensated_through: u64,
    phase: Phase,
    /// SEND-2: when this connection's recent publishes were accepted, oldest first, within the rate window.
    pub(super) accepted_publishes: VecDeque<i64>,
    /// SEND-13: this connection's unfinished media uploads, forgotten with it.
    pub(super) uploads: super::files::Uploads,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A package ending at `package_end` is in flight; `is_final` if it said `has_package == false`.
    CatchingUp {
        package_end: u64,
        is_final: bool,
    },
    Live,
}

impl Session {
    /// Caught up: new entries are pushed as they arrive.
    pub(super) fn is_live(&self) -> bool {
        self.phase == Phase::Live
    }

    /// What this session may read, given its device's highest acknowledgement ever.
    fn reader(&self, device_acked: u64) -> Reader<'_> {
        Reader {
            device_id: &self.device_id,
            login_seq: self.login_seq,
            device_acked,
            compensation_from_ms: self.compensation_from_ms,
            compensated_through: self.compensated_through,
        }
    }

    pub(super) fn info(&self, conn: ConnId, last_frame_ms: i64) -> SessionInfo {
        SessionInfo {
            conn,
            app_key: self.app_key.clone(),
            user_id: self.user_id.clone(),
            platform: self.platform,
            device_id: self.device_id.clone(),
            connected_at_ms: self.connected_at_ms,
            last_frame_ms,
            acked_cursor: self.acked,
            sent_cursor: self.sent,
            phase: match self.phase {
                Phase::CatchingUp { .. } => SessionPhase::CatchingUp,
                Phase::Live => SessionPhase::Live,
            },
        }
    }
}

impl Server {
    pub(super) fn handle_connect(&mut self, conn: ConnId, request: proto::ConnectRequest, now_ms: i64) {
        let Some(platform) = u32::try_from(request.platform).ok().and_then(Platform::from_ordinal) else {
            let reason = format!("ConnectRequest has no valid platform ({})", request.platform);
            self.close_with_error(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME, reason, now_ms);
            return;
        };
        if request.device_id.is_empty() || request.device_id.len() > DEVICE_ID_BYTES_MAX {
            let reason = format!("ConnectRequest device_id must have 1 to {DEVICE_ID_BYTES_MAX} bytes");
            self.close_with_error(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME, reason, now_ms);
            return;
        }
        imsim_engine::mark!("CONN-2");
        let Ok(claims) = check_token(&self.apps, &request.app_key, &request.token, now_ms) else {
            imsim_engine::mark!("CONN-14");
            self.refuse_connect(conn, ErrorCode::CONN_TOKEN_INCORRECT, now_ms);
            return;
        };
        if !self.admit(conn, &claims.app_key, &claims.user_id, platform, &request, now_ms) {
            return;
        }
        self.logins += 1;
        let login_seq = self.logins;

        let utc_offset_ms = self.config.natural_day_utc_offset_ms;
        let app = self.apps.get_mut(&claims.app_key).expect("invariant: check_token found the app");
        // SYNC-13: a device with nothing (cursor 0) is a new device or a reinstall.
        let compensation_from_ms = (app.config.multi_device_sync && request.inbox_cursor == 0).then(|| {
            imsim_engine::mark!("SYNC-6");
            compensation_start_ms(now_ms, app.config.compensation_days, utc_offset_ms)
        });
        // A cursor past the inbox's end (the client kept state the server no longer has) resumes from the end, so
        // that every later entry still reaches the device.
        let mut cursor = 0;
        let mut compensated_through = 0;
        if let Some(inbox) = app.inboxes.get_mut(&claims.user_id) {
            if compensation_from_ms.is_some() {
                compensated_through = inbox.last_seq();
            }
            inbox.expire(now_ms);
            cursor = request.inbox_cursor.min(inbox.last_seq());
            // SYNC-17: messages that arrived while no device was online belong to the first one to connect.
            imsim_engine::mark!("SYNC-17");
            inbox.claim(cursor, &request.device_id);
        }
        app.online.entry(claims.user_id.clone()).or_default().insert(conn);
        let device = app.devices.entry((claims.user_id.clone(), request.device_id.clone())).or_default();
        device.logout_receive_push = None;

        let session = Session {
            app_key: claims.app_key.clone(),
            user_id: claims.user_id.clone(),
            platform,
            device_id: request.device_id,
            connected_at_ms: now_ms,
            login_seq,
            acked: cursor,
            sent: cursor,
            scanned: cursor,
            compensation_from_ms,
            compensated_through,
            phase: Phase::CatchingUp { package_end: cursor, is_final: false },
            accepted_publishes: VecDeque::new(),
            uploads: Default::default(),
        };
        self.conns.insert(conn, Conn::Open(Box::new(session)));
        let ack = proto::ConnectAck {
            code: ErrorCode::SUCCESS.to_wire(),
            user_id: claims.user_id.clone(),
            server_time: now_ms,
        };
        self.send(conn, Body::ConnectAck(ack));
        self.send_conversation_states(conn, &claims.app_key, &claims.user_id);
        self.send_next_package(conn, now_ms);
    }

    pub(super) fn handle_inbox_ack(&mut self, conn: ConnId, cursor: u64, now_ms: i64) {
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return;
        };
        if cursor <= session.acked {
            return;
        }
        if cursor > session.sent {
            let reason = format!("InboxAck cursor {cursor} is beyond the last sequence number sent, {}", session.sent);
            self.close_with_error(conn, ErrorCode::PROTOCOL_UNEXPECTED_FRAME, reason, now_ms);
            return;
        }
        session.acked = cursor;
        if let Some(app) = self.apps.get_mut(&session.app_key) {
            let device = app.devices.entry((session.user_id.clone(), session.device_id.clone())).or_default();
            device.acked = device.acked.max(cursor);
        }
        match session.phase {
            Phase::CatchingUp { package_end, is_final } if cursor == package_end => {
                if is_final {
                    session.phase = Phase::Live;
                    self.deliver_pending(conn, now_ms);
                } else {
                    self.send_next_package(conn, now_ms);
                }
            }
            Phase::CatchingUp { .. } | Phase::Live => {}
        }
    }

    pub(super) fn handle_logout(&mut self, conn: ConnId, receive_push: bool, now_ms: i64) {
        let Some(Conn::Open(session)) = self.conns.get(&conn) else {
            return;
        };
        imsim_engine::mark!("CONN-20");
        let key = (session.user_id.clone(), session.device_id.clone());
        if let Some(app) = self.apps.get_mut(&session.app_key) {
            app.devices.entry(key).or_default().logout_receive_push = Some(receive_push);
        }
        self.close(conn, now_ms);
    }

    /// Pushes every inbox entry after the cursor of each live session of `user_id` (called after an append).
    pub(super) fn deliver_to_live_sessions(&mut self, app_key: &str, user_id: &str, now_ms: i64) {
        let conns: Vec<ConnId> = self
            .apps
            .get(app_key)
            .and_then(|app| app.online.get(user_id))
            .map(|conns| conns.iter().copied().collect())
            .unwrap_or_default();
        for conn in conns {
            self.deliver_pending(conn, now_ms);
        }
    }

    /// Sends the next offline package to a catching-up session whose previous package (if any) was acknowledged.
    fn send_next_package(&mut self, conn: ConnId, now_ms: i64) {
        let login = self.logins;
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return;
        };
        let app = self.apps.get_mut(&session.app_key).expect("invariant: a session's app exists");
        let device_acked =
            app.devices.get(&(session.user_id.clone(), session.device_id.clone())).map_or(0, |d| d.acked);
        let (package, scanned) = match app.inboxes.get_mut(&session.user_id) {
            Some(inbox) => {
                inbox.expire(now_ms);
                let reader = session.reader(device_acked);
                inbox.package_after(session.scanned, login, |entry| reader.view(entry))
            }
            None => (proto::InboxPackage::default(), session.scanned),
        };
        session.scanned = scanned;
        session.phase = match package.messages.last() {
            Some(last) => {
                session.sent = last.seq;
                Phase::CatchingUp { package_end: last.seq, is_final: !package.has_package }
            }
            None => Phase::Live,
        };
        self.send(conn, Body::InboxPackage(package));
    }

    /// Pushes to a live session every inbox entry for it after what it has scanned, as `InboxDelivery` frames.
    fn deliver_pending(&mut self, conn: ConnId, now_ms: i64) {
        let login = self.logins;
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return;
        };
        if session.phase != Phase::Live {
            return;
        }
        let Some(app) = self.apps.get_mut(&session.app_key) else {
            return;
        };
        let device_acked =
            app.devices.get(&(session.user_id.clone(), session.device_id.clone())).map_or(0, |d| d.acked);
        let Some(inbox) = app.inboxes.get_mut(&session.user_id) else {
            return;
        };
        inbox.expire(now_ms);
        let reader = session.reader(device_acked);
        let (messages, scanned) = inbox.deliveries_after(session.scanned, login, |entry| reader.view(entry));
        session.scanned = scanned;
        if let Some(last) = messages.last() {
            session.sent = last.seq;
        }
        for message in messages {
            self.send(conn, Body::InboxDelivery(proto::InboxDelivery { message: Some(message) }));
        }
    }
}
