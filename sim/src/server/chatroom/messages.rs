//! Chatroom messages: who may send (CR-2, CR-22), load shedding (BIZ-13, CR-27 to CR-29), delivery, the room's
//! history (CR-25) with the join fetch (CR-12, CR-38) and history queries (CR-45).
//!
//! # Load shedding
//!
//! Each room counts the messages it delivered in a sliding window of [`CHATROOM_SHEDDING_WINDOW_MS`]; the app's
//! `chatroom_messages_per_second` is the cap. A message is **protected** when its sender is on the room's user
//! whitelist (CR-29, BIZ-13) or its object name is on the app's message whitelist (CR-28): it is always delivered.
//! Otherwise a low-priority object name (CR-27) is discarded once the window holds half the cap (at least 1), so
//! low-priority messages go first, and any other message once the window holds the cap. A discarded message has
//! been acknowledged like any other (the sender cannot tell), reaches nobody, is not in the history and does not
//! count for eviction (CR-42). Protected messages fill the window like the rest.
//!
//! # History
//!
//! Every delivered message is kept [`CHATROOM_HISTORY_RETENTION_MS`] (CR-25), whatever the cloud storage switch:
//! the switch gates only `ChatroomHistoryQuery` (23414), and the join fetch uses the history too. Status messages
//! are delivered live only, never kept (as they skip inboxes, SYNC-3). A history query needs the switch (23414),
//! membership (23406), a count of 1 to `CHATROOM_HISTORY_COUNT_MAX` and an order of 0 or 1 (23412), in that order.
//! CR-45: order 0 takes the newest `count` messages sent before `timestamp` (0: from the newest), order 1 the
//! oldest `count` sent after it; both come back in ascending sent time, and `sync_time` is the oldest sent time
//! returned for order 0, the newest for order 1, 0 when nothing is returned.

use std::collections::{BTreeSet, VecDeque};

use imsim_engine::limits::CHATROOM_HISTORY_COUNT_MAX;
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, TimeOrder};

use super::callbacks::Reports;
use super::{App, Caller, ConnId, Notices, Room, moderation};

/// CR-25, BIZ-15: chatroom history is kept 2 months (taken as 60 days).
pub const CHATROOM_HISTORY_RETENTION_MS: i64 = 60 * 24 * 60 * 60 * 1_000;

/// BIZ-13, CR-27: `chatroom_messages_per_second` is measured over a sliding window of this many milliseconds.
pub const CHATROOM_SHEDDING_WINDOW_MS: i64 = 1_000;

/// CR-22, CR-31 to CR-33: the code refusing `sender`'s message into `room_id` at `now_ms`: 23406 unless the room
/// exists and they are a member, then 23408 if they are muted there (see `moderation`); `None` if they may send.
pub(in crate::server) fn send_refusal(app: &App, room_id: &str, sender: &str, now_ms: i64) -> Option<ErrorCode> {
    let Some(room) = app.chatrooms.rooms.get(room_id).filter(|room| room.members.contains_key(sender)) else {
        return Some(ErrorCode::NOT_IN_CHATROOM);
    };
    moderation::is_muted(&app.chatrooms, room, sender, now_ms).then_some(ErrorCode::FORBIDDEN_IN_CHATROOM)
}

/// What becomes of an accepted chatroom message (a member's from `sender_conn`, or a Server API broadcast from no
/// connection, CR-35): whether it was delivered (`false`: discarded by load shedding).
pub(in crate::server) fn publish(
    app: &mut App,
    sender_conn: Option<ConnId>,
    message: proto::DeliveredMessage,
    now_ms: i64,
    notices: &mut Notices,
) -> bool {
    let room_id = message.target_id.clone();
    let cap = app.config.chatroom_messages_per_second;
    let reports = Reports::of(&app.config);
    let chatrooms = &mut app.chatrooms;
    let object_name = message.content.as_ref().map_or("", |content| content.object_name.as_str());
    let protected = chatrooms.message_whitelist.contains(object_name);
    let low_priority = chatrooms.low_priority.contains(object_name);
    let room = chatrooms.rooms.get_mut(&room_id).expect("invariant: the caller found the room");
    room.last_activity_ms = now_ms;
    chatrooms.refresh_deadlines(&room_id);
    let room = chatrooms.rooms.get_mut(&room_id).expect("invariant: the caller found the room");
    let window = &mut room.delivered;
    while window.front().is_some_and(|&at| at <= now_ms.saturating_sub(CHATROOM_SHEDDING_WINDOW_MS)) {
        window.pop_front();
    }
    let threshold = if low_priority { (cap / 2).max(1) } else { cap };
    if window.len() >= threshold as usize {
        if protected {
            imsim_engine::mark!("CR-28");
        } else if room.user_whitelist.contains(&message.sender_user_id) {
            imsim_engine::mark!("CR-29");
        } else {
            if low_priority {
                imsim_engine::mark!("CR-27");
            }
            imsim_engine::mark!("BIZ-13");
            return false;
        }
    }
    window.push_back(now_ms);
    if !message.status_message {
        expire(&mut room.history, now_ms);
        room.history.push_back(message.clone());
    }
    let conns = room.joined_conns();
    chatrooms.count_for_eviction(&room_id, &message.sender_user_id, reports, now_ms, notices);
    for conn in conns {
        if Some(conn) != sender_conn {
            imsim_engine::mark!("CR-22");
            imsim_engine::mark!("BIZ-19");
            let delivery = proto::ChatroomDelivery { message: Some(message.clone()) };
            notices.push((conn, Body::ChatroomDelivery(delivery)));
        }
    }
    true
}

/// Drops the messages past their retention.
fn expire(history: &mut VecDeque<proto::DeliveredMessage>, now_ms: i64) {
    let oldest_kept = now_ms.saturating_sub(CHATROOM_HISTORY_RETENTION_MS);
    while history.front().is_some_and(|message| message.sent_time <= oldest_kept) {
        history.pop_front();
    }
}

/// CR-12: the latest `count` messages of the room, oldest first; with `only_types`, the latest `count` of those
/// types (the "join returns specified messages" switch, BIZ-24).
pub(super) fn latest(
    room: &mut Room,
    count: usize,
    only_types: Option<&BTreeSet<String>>,
    now_ms: i64,
) -> Vec<proto::DeliveredMessage> {
    expire(&mut room.history, now_ms);
    let wanted = |message: &&proto::DeliveredMessage| {
        only_types
            .is_none_or(|types| message.content.as_ref().is_some_and(|content| types.contains(&content.object_name)))
    };
    let mut latest: Vec<proto::DeliveredMessage> =
        room.history.iter().rev().filter(wanted).take(count).cloned().collect();
    latest.reverse();
    latest
}

/// Answers a `ChatroomHistoryQuery` (see the module documentation).
pub(super) fn history(
    app: &mut App,
    caller: &Caller,
    query: &proto::ChatroomHistoryQuery,
    now_ms: i64,
) -> Result<proto::ChatroomHistory, ErrorCode> {
    if !app.config.chatroom_cloud_storage {
        imsim_engine::mark!("CR-45");
        return Err(ErrorCode::CHATROOM_HISTORY_UNAVAILABLE);
    }
    if !app.chatrooms.is_member(&query.room_id, &caller.user_id) {
        return Err(ErrorCode::NOT_IN_CHATROOM);
    }
    let order = TimeOrder::from_ordinal(query.order).ok_or(ErrorCode::CHATROOM_PARAMETER_INVALID)?;
    if !(1..=CHATROOM_HISTORY_COUNT_MAX).contains(&query.count) {
        return Err(ErrorCode::CHATROOM_PARAMETER_INVALID);
    }
    let count = query.count as usize;
    let room = app.chatrooms.rooms.get_mut(&query.room_id).expect("invariant: the membership check found it");
    expire(&mut room.history, now_ms);
    // The history is in sent-time order, so the page's bounds are found by binary search, not by a scan.
    let history = &room.history;
    imsim_engine::mark!("CR-45");
    let range = match order {
        TimeOrder::Before => {
            let end = if query.timestamp == 0 {
                history.len()
            } else {
                history.partition_point(|message| message.sent_time < query.timestamp)
            };
            end.saturating_sub(count)..end
        }
        TimeOrder::After => {
            let start = history.partition_point(|message| message.sent_time <= query.timestamp);
            start..history.len().min(start.saturating_add(count))
        }
    };
    let messages: Vec<proto::DeliveredMessage> = history.range(range).cloned().collect();
    let sync_time = match order {
        TimeOrder::Before => messages.first(),
        TimeOrder::After => messages.last(),
    }
    .map_or(0, |message| message.sent_time);
    Ok(proto::ChatroomHistory { messages, sync_time })
}
