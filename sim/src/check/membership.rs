//! Membership: the server pushes a room's messages only to connections that are in the room (CR-10, CR-11, CR-15,
//! CR-30, CR-43), and a group's messages only to the users who were its members when the message was accepted (GRP-6,
//! GRP-5).
//!
//! Membership is per connection, read off the wire: a join answered 0 puts the connection in the room (and out of
//! the rooms the answer says it left, CR-8); a leave's answer, whatever its code, a destruction or a kick or ban
//! notice takes it out. A new connection is in no room until it joins again (an offline member's eviction needs no
//! notice: the device's next connection must join anew). A chatroom delivery to a connection outside the room is a
//! breach.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use imsim_engine::ConversationType;

use super::journal::{RoomRequest, Via, Wire};
use super::{Checker, GroupChange, History, Index};
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

/// A group message delivered to a user who was not in the group when the server accepted it.
pub(super) const OUTSIDE_THE_GROUP: Checker = Checker {
    name: "outside-the-group",
    invariant: "a group message reaches only users who were members of the group when the server accepted it",
    check: outside_the_group,
};

/// Judged for the messages whose acceptance the wire shows (a `PublishAck` with their UID); the instant of a change
/// and of an acceptance in the same millisecond is taken in the user's favour (a member), so the checker never
/// blames an order the runner cannot see.
fn outside_the_group(history: &History, index: &Index) -> Vec<String> {
    let accepted_at: BTreeMap<&str, Duration> = history
        .journal
        .entries()
        .iter()
        .filter_map(|entry| match &entry.wire {
            Wire::PublishAck { code: 0, uid, .. } => Some((uid.as_str(), entry.at)),
            _ => None,
        })
        .collect();
    let mut breaches = Vec::new();
    let mut judged: BTreeSet<(&str, &str)> = BTreeSet::new();
    for entry in history.journal.entries() {
        let Wire::Delivered { message, via } = &entry.wire else { continue };
        if message.conversation_type != ConversationType::Group.ordinal() {
            continue;
        }
        let Some(&at) = accepted_at.get(message.uid.as_str()) else { continue };
        let Some(user) = index.sessions.get(&entry.conn).and_then(|session| session.user.as_deref()) else { continue };
        if *via == Via::CloudHistory && joined_with_pre_join_history(history, &message.target_id, user, entry.at) {
            continue;
        }
        if judged.insert((message.uid.as_str(), user)) && !member_at(history, &message.target_id, user, at) {
            breaches.push(format!(
                "at {:?}: group message {} of {} (accepted at {at:?}) delivered to {user}, not a member then",
                entry.at, message.uid, message.target_id
            ));
        }
    }
    breaches
}

/// GRP-14: whether `user`'s last join of `group` before `at` happened with cloud storage and the pre-join history
/// switch on, so that their cloud history may hold the group's messages from before they joined.
fn joined_with_pre_join_history(history: &History, group: &str, user: &str, at: Duration) -> bool {
    let last_join = history.group_changes.iter().rev().filter(|(changed_at, _)| *changed_at <= at).find_map(
        |(changed_at, change)| match change {
            GroupChange::Added { group: changed, users } if changed == group && users.iter().any(|u| u == user) => {
                Some(*changed_at)
            }
            _ => None,
        },
    );
    last_join
        .and_then(|joined_at| history.config_at(&history.app_key, joined_at))
        .is_some_and(|config| config.cloud_storage && config.group_pre_join_history)
}

/// Whether `user` could have been a member of `group` at `at`: a member just before that instant, or at some
/// point of the changes made at it.
fn member_at(history: &History, group: &str, user: &str, at: Duration) -> bool {
    let mut member = false;
    let mut member_during_the_instant = false;
    for (changed_at, change) in &history.group_changes {
        if *changed_at > at {
            break;
        }
        let names = |users: &[String]| users.iter().any(|named| named == user);
        let now_member = match change {
            GroupChange::Added { group: changed, users } if changed == group && names(users) => true,
            GroupChange::Removed { group: changed, users } if changed == group && names(users) => false,
            GroupChange::Dismissed { group: changed } if changed == group => false,
            _ => continue,
        };
        if *changed_at == at {
            member_during_the_instant |= member || now_member;
        }
        member = now_member;
    }
    member || member_during_the_instant
}
