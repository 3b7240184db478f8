//! Idle connections. A server cannot tell a dead client from a quiet one on a wedged TCP stream (the peer's host
//! vanished, or a middlebox dropped the flow without a reset), so a connection that has sent no frame for
//! [`ServerConfig::session_idle_timeout_ms`] is closed without a frame (nobody would read it). Every frame received
//! refreshes the connection, `Ping` included, so a client that heartbeats is never closed for idleness. The clock
//! starts when the connection opens, so a connection that never sends its `ConnectRequest` is closed too.
//!
//! The I/O layer asks [`Server::poll_timeout`] when to call [`Server::handle_timeout`] next, as with the engine's
//! core. The same calls drive the other timed rules: bans that end (the `bans` module) and chatrooms destroyed for
//! inactivity (the `chatroom` module).
//!
//! [`ServerConfig::session_idle_timeout_ms`]: super::ServerConfig::session_idle_timeout_ms

use std::collections::{BTreeMap, BTreeSet};

use super::{ConnId, Server};

/// RECONN-12 leaves the heartbeat to the simulator; a session silent for three of the engine's default heartbeat
/// intervals (two heartbeats lost in a row, and the third overdue) is taken for dead: 90 s.
pub const SESSION_IDLE_TIMEOUT_MS: i64 = 3 * imsim_engine::limits::HEARTBEAT_INTERVAL_MS_DEFAULT as i64;

/// When each connection last sent a frame (or opened), indexed both ways so the earliest deadline is at hand.
#[derive(Debug, Default)]
pub(super) struct IdleTimers {
    last_heard: BTreeMap<ConnId, i64>,
    by_time: BTreeSet<(i64, ConnId)>,
}

impl IdleTimers {
    /// `conn` opened or sent a frame at `now_ms`. The time never goes back, should the caller's clock.
    pub(super) fn heard(&mut self, conn: ConnId, now_ms: i64) {
        let at = match self.last_heard.get(&conn) {
            Some(&previous) => {
                self.by_time.remove(&(previous, conn));
                previous.max(now_ms)
            }
            None => now_ms,
        };
        self.last_heard.insert(conn, at);
        self.by_time.insert((at, conn));
    }

    pub(super) fn remove(&mut self, conn: ConnId) {
        if let Some(previous) = self.last_heard.remove(&conn) {
            self.by_time.remove(&(previous, conn));
        }
    }

    /// When `conn` last sent a frame (or opened).
    pub(super) fn last_heard(&self, conn: ConnId) -> Option<i64> {
        self.last_heard.get(&conn).copied()
    }

    /// The connection heard from longest ago, with when.
    fn quietest(&self) -> Option<(i64, ConnId)> {
        self.by_time.first().copied()
    }
}

impl Server {
    /// Time passed: closes every connection silent for `session_idle_timeout_ms` at `now_ms` (without a frame), in
    /// the order they went quiet, and forgets the bans that have ended. Calling it early or late is harmless.
    pub fn handle_timeout(&mut self, now_ms: i64) {
        let timeout_ms = self.config.session_idle_timeout_ms;
        while let Some((heard_at, conn)) = self.idle.quietest()
            && heard_at.saturating_add(timeout_ms) <= now_ms
        {
            self.close(conn, now_ms);
        }
        self.forget_ended_bans(now_ms);
        self.handle_chatroom_deadlines(now_ms);
    }

    /// When [`Server::handle_timeout`] has something to do next: the earliest idle deadline, chatroom inactivity
    /// deadline (CR-4) or real-time eviction (CR-18, the `chatroom` module), or `None` when there is none.
    pub fn poll_timeout(&self) -> Option<i64> {
        let idle =
            self.idle.quietest().map(|(heard_at, _)| heard_at.saturating_add(self.config.session_idle_timeout_ms));
        [idle, self.next_chatroom_deadline()].into_iter().flatten().min()
    }
}
