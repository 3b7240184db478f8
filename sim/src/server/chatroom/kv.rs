//! Chatroom attributes (CRKV): set and remove requests, owners (CRKV-17), the per-room limits (CRKV-2, CRKV-4,
//! CRKV-5, CRKV-8) and the deleteWhenLeft cleanup (CRKV-6, CRKV-19).
//!
//! A request is refused as a whole, in this order: the app's `chatroom_kv` switch is off, 23426 (CRKV-1); the room
//! does not exist or the caller is not a member, 23406 (CRKV-18); the batch is empty, 23412 (the engine refuses it
//! locally, CRKV-18); the batch has more than `CHATROOM_ENTRIES_BATCH_MAX` entries, 23429 (CRKV-8); the room's
//! processed entry operations in the last [`CHATROOM_KV_RATE_WINDOW_MS`], this request's included, would pass
//! `CHATROOM_ENTRY_OPERATIONS_PER_SECOND_MAX`, 23425 (CRKV-4: one request on n entries counts n).
//!
//! Otherwise the request is processed key by key in request order, and the `Response` is 0 with the keys that
//! failed (CRKV-18):
//!
//! - any key not valid by CRKV-5, or a value of more than `CHATROOM_ENTRY_VALUE_CHARS_MAX` characters: 23412;
//! - set: an existing key without `overwrite`, 23424; a new key when the room holds `CHATROOM_ENTRIES_MAX`, 23423
//!   (so in a batch only the entries beyond the cap fail); else the entry is set, and the caller becomes its owner
//!   with the request's `delete_when_left` (CRKV-17);
//! - remove: a missing key, 23427; another user's key without `force`, 23424; else it is removed.
//!
//! What changed goes to the room's other joined connections (not the requesting one, CRKV-20) as one
//! `entries_changed` notice: operation 0 with the entries set, or 1 with each removed key and its last value. With
//! `chatroom_kv_callback` the app server hears of the same change (CRKV-15, see `callbacks`).

use imsim_engine::limits::{
    CHATROOM_ENTRIES_BATCH_MAX, CHATROOM_ENTRIES_MAX, CHATROOM_ENTRY_OPERATIONS_PER_SECOND_MAX,
    CHATROOM_ENTRY_VALUE_CHARS_MAX, is_valid_chatroom_entry_key,
};
use imsim_engine::proto::{self, chatroom_notice};
use imsim_engine::{ChatRoomEntriesOperationType, ErrorCode};

use std::collections::BTreeMap;

use super::callbacks::Reports;
use super::{App, Caller, Entry, Notices, Room};

/// CRKV-4: the rate of entry operations is measured over a sliding window of this many milliseconds.
pub const CHATROOM_KV_RATE_WINDOW_MS: i64 = 1_000;

/// Answers a `ChatroomEntriesSet` (see the module documentation).
pub(super) fn set(
    app: &mut App,
    caller: &Caller,
    request: &proto::ChatroomEntriesSet,
    now_ms: i64,
    notices: &mut Notices,
) -> Result<proto::ChatroomEntriesResult, ErrorCode> {
    let reports = Reports::of(&app.config);
    let room = admit(app, caller, &request.room_id, request.entries.len(), now_ms)?;
    let mut failed_keys = Vec::new();
    let mut changed = Vec::new();
    for proto::ChatroomEntry { key, value } in &request.entries {
        let code = if !is_valid_chatroom_entry_key(key) || value.chars().count() > CHATROOM_ENTRY_VALUE_CHARS_MAX {
            imsim_engine::mark!("CRKV-5");
            Some(ErrorCode::CHATROOM_PARAMETER_INVALID)
        } else if room.entries.contains_key(key) {
            imsim_engine::mark!("CRKV-17");
            (!request.overwrite).then_some(ErrorCode::KV_OVERWRITE_DENIED)
        } else if room.entries.len() >= CHATROOM_ENTRIES_MAX {
            imsim_engine::mark!("CRKV-2");
            Some(ErrorCode::KV_MAX_SIZE_EXCEEDED)
        } else {
            None
        };
        if let Some(code) = code {
            imsim_engine::mark!("CRKV-18");
            failed_keys.push(proto::ChatroomKeyError { key: key.clone(), code: code.to_wire() });
            continue;
        }
        let entry =
            Entry { value: value.clone(), owner: caller.user_id.clone(), delete_when_left: request.delete_when_left };
        room.entries.insert(key.clone(), entry);
        changed.push(proto::ChatroomEntry { key: key.clone(), value: value.clone() });
    }
    let update = ChatRoomEntriesOperationType::Update;
    let synced = notify_changes(room, &request.room_id, update, changed, &[caller.conn], notices);
    app.chatrooms.callbacks.entries_changed(reports, &request.room_id, &caller.user_id, update, synced, now_ms);
    Ok(proto::ChatroomEntriesResult { failed_keys })
}

/// Answers a `ChatroomEntriesRemove` (see the module documentation).
pub(super) fn remove(
    app: &mut App,
    caller: &Caller,
    request: &proto::ChatroomEntriesRemove,
    now_ms: i64,
    notices: &mut Notices,
) -> Result<proto::ChatroomEntriesResult, ErrorCode> {
    let reports = Reports::of(&app.config);
    let room = admit(app, caller, &request.room_id, request.keys.len(), now_ms)?;
    let mut failed_keys = Vec::new();
    let mut removed = Vec::new();
    for key in &request.keys {
        let code = if !is_valid_chatroom_entry_key(key) {
            Some(ErrorCode::CHATROOM_PARAMETER_INVALID)
        } else {
            match room.entries.get(key) {
                None => Some(ErrorCode::KV_KEY_NOT_EXIST),
                Some(entry) if entry.owner != caller.user_id => {
                    imsim_engine::mark!("CRKV-17");
                    (!request.force).then_some(ErrorCode::KV_OVERWRITE_DENIED)
                }
                Some(_) => None,
            }
        };
        if let Some(code) = code {
            failed_keys.push(proto::ChatroomKeyError { key: key.clone(), code: code.to_wire() });
            continue;
        }
        let entry = room.entries.remove(key).expect("invariant: found above");
        removed.push(proto::ChatroomEntry { key: key.clone(), value: entry.value });
    }
    let remove = ChatRoomEntriesOperationType::Remove;
    let synced = notify_changes(room, &request.room_id, remove, removed, &[caller.conn], notices);
    app.chatrooms.callbacks.entries_changed(reports, &request.room_id, &caller.user_id, remove, synced, now_ms);
    Ok(proto::ChatroomEntriesResult { failed_keys })
}

/// The whole-request checks (see the module documentation); on success the request's entries are counted in the
/// room's rate window.
fn admit<'a>(
    app: &'a mut App,
    caller: &Caller,
    room_id: &str,
    entries: usize,
    now_ms: i64,
) -> Result<&'a mut Room, ErrorCode> {
    if !app.config.chatroom_kv {
        imsim_engine::mark!("CRKV-1");
        return Err(ErrorCode::KV_STORE_NOT_AVAILABLE);
    }
    let room = app
        .chatrooms
        .rooms
        .get_mut(room_id)
        .filter(|room| room.members.contains_key(&caller.user_id))
        .ok_or(ErrorCode::NOT_IN_CHATROOM)?;
    if entries == 0 {
        return Err(ErrorCode::CHATROOM_PARAMETER_INVALID);
    }
    if entries > CHATROOM_ENTRIES_BATCH_MAX {
        return Err(ErrorCode::KV_BATCH_OUT_OF_LIMIT);
    }
    let window = &mut room.kv_operations;
    while window.front().is_some_and(|&(at, _)| at <= now_ms.saturating_sub(CHATROOM_KV_RATE_WINDOW_MS)) {
        window.pop_front();
    }
    let recent: usize = window.iter().map(|&(_, count)| count).sum();
    if recent + entries > CHATROOM_ENTRY_OPERATIONS_PER_SECOND_MAX as usize {
        imsim_engine::mark!("CRKV-4");
        return Err(ErrorCode::KV_RATE_EXCEEDED);
    }
    window.push_back((now_ms, entries));
    Ok(room)
}

/// Every entry of the room, by key (CRKV-13, CRKV-14: what a join returns).
pub(super) fn all_entries(room: &Room) -> Vec<proto::ChatroomEntry> {
    room.entries
        .iter()
        .map(|(key, entry)| proto::ChatroomEntry { key: key.clone(), value: entry.value.clone() })
        .collect()
}

/// CRKV-6, CRKV-19: `user_id` left `room_id`; their `delete_when_left` entries go, and the room is told. Returns
/// the removed entries with their last values.
pub(super) fn delete_when_left(
    room: &mut Room,
    room_id: &str,
    user_id: &str,
    notices: &mut Notices,
) -> BTreeMap<String, String> {
    let keys: Vec<String> = room
        .entries
        .iter()
        .filter(|(_, entry)| entry.delete_when_left && entry.owner == user_id)
        .map(|(key, _)| key.clone())
        .collect();
    imsim_engine::mark!("CRKV-19");
    if !keys.is_empty() {
        imsim_engine::mark!("CRKV-6");
    }
    let removed = keys
        .into_iter()
        .map(|key| {
            let entry = room.entries.remove(&key).expect("invariant: listed above");
            proto::ChatroomEntry { key, value: entry.value }
        })
        .collect();
    notify_changes(room, room_id, ChatRoomEntriesOperationType::Remove, removed, &[], notices)
}

/// Sends one `entries_changed` notice for `entries`, if any; returns them as a map (CRKV-15's callback).
fn notify_changes(
    room: &Room,
    room_id: &str,
    operation: ChatRoomEntriesOperationType,
    entries: Vec<proto::ChatroomEntry>,
    except: &[super::ConnId],
    notices: &mut Notices,
) -> BTreeMap<String, String> {
    if entries.is_empty() {
        return BTreeMap::new();
    }
    let map = entries.iter().map(|entry| (entry.key.clone(), entry.value.clone())).collect();
    let changed = proto::ChatroomEntriesChanged { operation: operation.ordinal(), entries };
    room.notify(room_id, chatroom_notice::Body::EntriesChanged(changed), except, notices);
    map
}
