//! What must always hold of the chatroom state, whatever the order of joins, leaves, closes, evictions and
//! destructions: the simulator's runner checks it after every tick, so a bookkeeping slip shows up at the tick it
//! happens (with the seed that replays it) rather than as a stray delivery much later.

use std::collections::BTreeSet;

use imsim_engine::limits::CHATROOM_ENTRIES_MAX;

use super::super::{Conn, Server};
use super::deadlines::RoomDeadlineBases;

impl Server {
    /// Checks the chatroom invariants of every app, or says which one broke:
    ///
    /// - every connection a member joined a room on is an open session of that member (so deliveries, which go to
    ///   joined connections, never reach another user or a closed connection);
    /// - the per-user membership index and the rooms' member lists agree both ways;
    /// - with the multi-room switch off, nobody is a member of two rooms (CR-9);
    /// - no room holds more than `CHATROOM_ENTRIES_MAX` KV entries (CRKV-2);
    /// - the deadline index (CR-4, CR-18) holds what a recomputation from the rooms gives, and no room that is gone.
    pub fn check_chatroom_invariants(&self) -> Result<(), String> {
        for (app_key, app) in &self.apps {
            let chatrooms = &app.chatrooms;
            for (room_id, room) in &chatrooms.rooms {
                for (user_id, member) in &room.members {
                    for conn in &member.conns {
                        match self.conns.get(conn) {
                            Some(Conn::Open(session)) if session.user_id == *user_id && session.app_key == *app_key => {
                            }
                            _ => {
                                return Err(format!(
                                    "chatroom {room_id} keeps {conn:?} as joined by {user_id}, which is not an open \
                                     session of {user_id}"
                                ));
                            }
                        }
                    }
                    if !chatrooms.memberships.get(user_id).is_some_and(|rooms| rooms.contains(room_id)) {
                        return Err(format!("{user_id} is a member of chatroom {room_id}, but not in the index"));
                    }
                }
                if room.entries.len() > CHATROOM_ENTRIES_MAX {
                    return Err(format!("chatroom {room_id} holds {} KV entries", room.entries.len()));
                }
                let (indexed, actual) = (chatrooms.deadlines.bases(room_id), RoomDeadlineBases::of(room));
                if indexed != actual {
                    return Err(format!("chatroom {room_id}'s deadlines are indexed as {indexed:?}, not {actual:?}"));
                }
            }
            if let Some(gone) = chatrooms.deadlines.room_ids().find(|room_id| !chatrooms.rooms.contains_key(*room_id)) {
                return Err(format!("the deadline index still holds chatroom {gone}, which is gone"));
            }
            for (user_id, rooms) in &chatrooms.memberships {
                let listed: BTreeSet<&String> = rooms
                    .iter()
                    .filter(|room_id| {
                        chatrooms.rooms.get(*room_id).is_some_and(|room| room.members.contains_key(user_id))
                    })
                    .collect();
                if listed.len() != rooms.len() {
                    return Err(format!("the index puts {user_id} in chatrooms {rooms:?}, not all of which list them"));
                }
                if !app.config.chatroom_multi_room && rooms.len() > 1 {
                    return Err(format!("{user_id} is a member of chatrooms {rooms:?} with the multi-room switch off"));
                }
            }
        }
        Ok(())
    }
}
