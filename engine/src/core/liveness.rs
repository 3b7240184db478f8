//! Knowing whether the connection is alive, and when to try again: the heartbeat (RECONN-2, RECONN-12), the
//! network's availability (RECONN-3) and the app coming to the foreground (RECONN-5, RECONN-9, RECONN-13).
//!
//! A TCP stream can die without a word: a partition, a NAT timeout or (in turmoil) any lost segment leaves both
//! ends waiting for ever. So while a session is open the engine pings every `heartbeat_interval_ms`, and a ping
//! left unanswered for `heartbeat_timeout_ms` ends the connection (status suspend, then connecting on the
//! schedule). Any frame from the server counts as an answer.

use super::{Core, Now, TransportState};
use crate::proto::{self, frame::Body};
use crate::types::ConnectionStatus;

/// The heartbeat of the open connection; all `None` while there is none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Heartbeat {
    /// When the next ping goes out.
    next_ping_at_ms: Option<u64>,
    /// When an unanswered ping means the connection is dead.
    answer_deadline_ms: Option<u64>,
    /// The nonce of the last ping.
    nonce: u64,
}

impl Heartbeat {
    /// The earliest heartbeat deadline, if any.
    pub(super) fn deadline_ms(&self) -> Option<u64> {
        [self.next_ping_at_ms, self.answer_deadline_ms].into_iter().flatten().min()
    }
}

impl Core {
    /// The OS reports the network gone (`available` false) or back, or changed (`available` true).
    ///
    /// Gone: the connection is dropped, the status becomes networkUnavailable and no attempt is made until the
    /// network returns (RECONN-3). Back or changed: the schedule restarts at d(1) = 0 (RECONN-5, RECONN-9).
    pub fn handle_network_changed(&mut self, now: Now, available: bool) {
        if self.destroyed {
            return;
        }
        self.network_available = available;
        if self.session.is_none() {
            return;
        }
        if !available {
            crate::mark!("RECONN-3");
            self.abandon_transport(now);
            self.set_status(ConnectionStatus::NetworkUnavailable);
            return;
        }
        if self.transport == TransportState::Closed {
            crate::mark!("RECONN-3");
            crate::mark!("RECONN-5");
            crate::mark!("RECONN-9");
            self.reconnect.reset();
            self.set_status(ConnectionStatus::Connecting);
            self.reconnect_at_ms = Some(now.monotonic_ms + self.reconnect.next_delay_ms());
        }
    }

    /// The app came to the foreground (`true`) or went to the background (`false`).
    ///
    /// Foreground cancels a pending retry and restarts the schedule at d(1) = 0 (RECONN-5, RECONN-9). Background
    /// changes nothing: reconnection goes on on the same schedule (RECONN-13).
    pub fn handle_app_state(&mut self, now: Now, foreground: bool) {
        if self.destroyed {
            return;
        }
        if !foreground {
            // RECONN-13: in the background, reconnection goes on, on the same schedule.
            crate::mark!("RECONN-13");
            return;
        }
        if self.session.is_some() && self.reconnect_at_ms.is_some() {
            crate::mark!("RECONN-5");
            crate::mark!("RECONN-9");
            self.reconnect.reset();
            self.reconnect_at_ms = Some(now.monotonic_ms + self.reconnect.next_delay_ms());
        }
    }

    /// Starts the heartbeat of a connection that has just opened.
    pub(super) fn start_heartbeat(&mut self, now: Now) {
        self.heartbeat = Heartbeat {
            next_ping_at_ms: Some(now.monotonic_ms + self.config.heartbeat_interval_ms),
            answer_deadline_ms: None,
            nonce: self.heartbeat.nonce,
        };
    }

    /// Stops the heartbeat: the connection is gone.
    pub(super) fn stop_heartbeat(&mut self) {
        self.heartbeat.next_ping_at_ms = None;
        self.heartbeat.answer_deadline_ms = None;
    }

    /// A frame arrived from the server: the connection is alive.
    pub(super) fn note_server_alive(&mut self) {
        self.heartbeat.answer_deadline_ms = None;
    }

    pub(super) fn handle_heartbeat_timeouts(&mut self, now: Now) {
        if self.transport != TransportState::Established {
            return;
        }
        if self.heartbeat.answer_deadline_ms.is_some_and(|deadline| now.monotonic_ms >= deadline) {
            crate::mark!("RECONN-2");
            crate::mark!("RECONN-12");
            // RECONN-2, CONN-8: a heartbeat timeout is a lost connection: suspend, then reconnect.
            self.drop_transport(now);
            return;
        }
        if self.heartbeat.next_ping_at_ms.is_some_and(|at| now.monotonic_ms >= at) {
            crate::mark!("RECONN-12");
            self.heartbeat.nonce = self.heartbeat.nonce.wrapping_add(1);
            let nonce = self.heartbeat.nonce;
            self.queue_frame(Body::Ping(proto::Ping { nonce }));
            self.heartbeat.next_ping_at_ms = Some(now.monotonic_ms + self.config.heartbeat_interval_ms);
            if self.heartbeat.answer_deadline_ms.is_none() {
                self.heartbeat.answer_deadline_ms = Some(now.monotonic_ms + self.config.heartbeat_timeout_ms);
            }
        }
    }
}
