//! The chatroom deadlines of one App Key, kept in order: when each room is destroyed for inactivity (CR-4) and when
//! its first offline member is evicted under the real-time eviction ticket (CR-18).
//!
//! The server's host asks `Server::poll_timeout` after every input it hands the server, a heartbeat included, so the
//! earliest deadline must not cost a scan of every member of every room. Each room's two deadline bases are indexed
//! here; whatever changes a room's activity, keep-alive flag, whitelist or members' online state calls
//! [`Chatrooms::refresh_deadlines`] for that room, which recomputes the room's entries (O(members of that room),
//! the order of the work the change itself did). The app's settings (`chatroom_destroy_after_ms`, the eviction
//! switch) apply when the deadline is read, so a new setting takes effect at once (CFG-13). The invariants check the
//! index against a recomputation from scratch after every tick of a simulation.

use std::collections::{BTreeMap, BTreeSet};

use super::membership::CHATROOM_REALTIME_EVICTION_MS;
use super::{App, Chatrooms, Room};

/// What a room contributes to the deadlines: its last activity unless it is kept alive, and the earliest time one of
/// its members not on its whitelist went offline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RoomDeadlineBases {
    pub(super) last_activity_ms: Option<i64>,
    pub(super) first_offline_ms: Option<i64>,
}

impl RoomDeadlineBases {
    /// The bases of `room`, computed from scratch.
    pub(super) fn of(room: &Room) -> RoomDeadlineBases {
        if room.keep_alive {
            imsim_engine::mark!("CR-7");
        }
        RoomDeadlineBases {
            last_activity_ms: (!room.keep_alive).then_some(room.last_activity_ms),
            first_offline_ms: room
                .members
                .iter()
                .filter(|(user_id, member)| !member.is_online() && !room.user_whitelist.contains(*user_id))
                .map(|(_, member)| member.offline_since_ms)
                .min(),
        }
    }
}

/// The rooms by deadline base, with what each room is indexed under.
#[derive(Debug, Default)]
pub(super) struct DeadlineIndex {
    by_activity: BTreeSet<(i64, String)>,
    by_offline: BTreeSet<(i64, String)>,
    indexed: BTreeMap<String, RoomDeadlineBases>,
}

impl DeadlineIndex {
    fn set(&mut self, room_id: &str, bases: RoomDeadlineBases) {
        let previous = self.indexed.remove(room_id).unwrap_or_default();
        if let Some(at) = previous.last_activity_ms {
            self.by_activity.remove(&(at, room_id.to_owned()));
        }
        if let Some(at) = previous.first_offline_ms {
            self.by_offline.remove(&(at, room_id.to_owned()));
        }
        if let Some(at) = bases.last_activity_ms {
            self.by_activity.insert((at, room_id.to_owned()));
        }
        if let Some(at) = bases.first_offline_ms {
            self.by_offline.insert((at, room_id.to_owned()));
        }
        if bases != RoomDeadlineBases::default() {
            self.indexed.insert(room_id.to_owned(), bases);
        }
    }

    /// What `room_id` is indexed under (nothing for a room with no deadline, or none at all).
    pub(super) fn bases(&self, room_id: &str) -> RoomDeadlineBases {
        self.indexed.get(room_id).copied().unwrap_or_default()
    }

    /// The rooms indexed, for the invariants.
    pub(super) fn room_ids(&self) -> impl Iterator<Item = &String> {
        self.indexed.keys()
    }
}

impl Chatrooms {
    /// Re-indexes `room_id` after a change (or forgets it, if the room is gone).
    pub(super) fn refresh_deadlines(&mut self, room_id: &str) {
        let bases = self.rooms.get(room_id).map(RoomDeadlineBases::of).unwrap_or_default();
        self.deadlines.set(room_id, bases);
    }
}

impl App {
    /// The earliest CR-4 destruction deadline of the app's rooms, with the room.
    pub(super) fn next_destruction(&self) -> Option<(i64, &str)> {
        let (activity, room_id) = self.chatrooms.deadlines.by_activity.first()?;
        Some((activity.saturating_add(self.config.chatroom_destroy_after_ms), room_id))
    }

    /// The earliest CR-18 real-time eviction deadline of the app's rooms, with the room; none with the switch off.
    pub(super) fn next_realtime_eviction(&self) -> Option<(i64, &str)> {
        if !self.config.chatroom_realtime_eviction {
            return None;
        }
        let (offline, room_id) = self.chatrooms.deadlines.by_offline.first()?;
        Some((offline.saturating_add(CHATROOM_REALTIME_EVICTION_MS), room_id))
    }

    /// The rooms due for destruction at `now_ms`, earliest deadline first (then by room ID).
    pub(super) fn rooms_destroyed_by(&self, now_ms: i64) -> Vec<String> {
        let index = &self.chatrooms.deadlines.by_activity;
        due(index, self.config.chatroom_destroy_after_ms, now_ms).collect()
    }

    /// The rooms with at least one member due for real-time eviction at `now_ms`, in room order; none with the
    /// switch off.
    pub(super) fn rooms_with_evictions_due(&self, now_ms: i64) -> BTreeSet<String> {
        if !self.config.chatroom_realtime_eviction {
            return BTreeSet::new();
        }
        due(&self.chatrooms.deadlines.by_offline, CHATROOM_REALTIME_EVICTION_MS, now_ms).collect()
    }

    /// The earliest chatroom deadline of the app.
    pub(super) fn next_chatroom_deadline(&self) -> Option<i64> {
        [self.next_destruction(), self.next_realtime_eviction()].into_iter().flatten().map(|(at, _)| at).min()
    }
}

/// The rooms of `index` (by deadline base) whose deadline, `wait_ms` after the base, has come at `now_ms`.
fn due(index: &BTreeSet<(i64, String)>, wait_ms: i64, now_ms: i64) -> impl Iterator<Item = String> {
    index.iter().take_while(move |(base, _)| base.saturating_add(wait_ms) <= now_ms).map(|(_, room_id)| room_id.clone())
}
