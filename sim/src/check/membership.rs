//! Chatroom membership: the server pushes a room's messages only to connections that are in the room (CR-10, CR-11,
//! CR-15, CR-30, CR-43).
//!
//! Membership is per connection, read off the wire: a join answered 0 puts the connection in the room (and out of
//! the rooms the answer says it left, CR-8); a leave's answer, whatever its code, a destruction or a kick or ban
//! notice takes it out. A new connection is in no room until it joins again (an offline member's eviction needs no
//! notice: the device's next connection must join anew). A chatroom delivery to a connection outside the room is a
//! breach.

use std::collections::{BTreeMap, BTreeSet};

use super::journal::{RoomRequest, Via, Wire};
use super::{Checker, History, Index};
use crate::server::ConnId;

/// A chatroom message delivered to a connection that left the room, was kicked or banned, or never joined.
pub(super) const AFTER_LEAVING: Checker = Checker {
    name: "after-leaving",
    invariant: "a chatroom message reaches only connections in the room (joined, not left, kicked, banned or destroyed)",
    check: after_leaving,
};

fn after_leaving(history: &History, index: &Index) -> Vec<String> {
    let mut rooms: BTreeMap<ConnId, BTreeSet<String>> = BTreeMap::new();
    let mut pending: BTreeMap<(ConnId, u64), RoomRequest> = BTreeMap::new();
    let mut breaches = Vec::new();
    for entry in history.journal.entries() {
        let conn = entry.conn;
        match &entry.wire {
            Wire::RoomRequest { request_id, request } => {
                pending.insert((conn, *request_id), request.clone());
            }
            Wire::Response { request_id, code, left_room_ids } => {
                let joined = rooms.entry(conn).or_default();
                for room in left_room_ids {
                    joined.remove(room);
                }
                match pending.remove(&(conn, *request_id)) {
                    Some(RoomRequest::Join(room)) if *code == 0 => {
                        joined.insert(room);
                    }
                    Some(RoomRequest::Leave(room)) => {
                        joined.remove(&room);
                    }
                    _ => {}
                }
            }
            Wire::RoomGone { room_id } => {
                rooms.entry(conn).or_default().remove(room_id);
            }
            Wire::Closed => {
                rooms.remove(&conn);
            }
            Wire::Delivered { via: Via::Chatroom, message }
                if !rooms.get(&conn).is_some_and(|joined| joined.contains(&message.target_id)) =>
            {
                let who = index.sessions.get(&conn).map_or_else(
                    || format!("connection {}", conn.0),
                    |session| format!("{} (connection {})", session.device, conn.0),
                );
                breaches.push(format!(
                    "at {:?}: chatroom message {} of {} delivered to {who}, which is not in the room",
                    entry.at, message.uid, message.target_id
                ));
            }
            _ => {}
        }
    }
    breaches
}
