//! Chatroom attributes (CRKV) in the engine: the KV calls, and the engine's copy of each held room's entries.
//!
//! The copy is filled by the sync that follows every join or rejoin (CRKV-13, CRKV-20), kept up to date by the
//! changes other members make (`entries_changed` notices, reported as `ChatRoomEntriesChanged`) and by this user's
//! own successful changes (not reported as changes: the operation's own event says it, CRKV-20). The reads
//! (`get_chat_room_entry`, `get_chat_room_all_entries`) answer from it, synchronously. The server is the judge of
//! every change: the engine refuses locally only what CRKV-5 and CRKV-18 say it checks.
//!
//! Kept apart from `chatroom.rs`, which owns the room table, because the KV protocol is a whole of its own.

use std::collections::BTreeMap;

use super::chatroom::check_room_id;
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::{CHATROOM_ENTRY_KEY_CHARS_MAX, CHATROOM_ENTRY_VALUE_CHARS_MAX, is_valid_chatroom_entry_key};
use crate::proto::{self, request, response};
use crate::types::ChatRoomEntriesOperationType;

/// A KV change in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum EntriesRequest {
    /// `add_chat_room_entry`.
    Set { room_id: String, key: String, value: String },
    /// `add_chat_room_entries`: every entry asked for, and those refused locally (not sent), with their code.
    SetMany { room_id: String, entries: BTreeMap<String, String>, local_errors: BTreeMap<String, ErrorCode> },
    /// `remove_chat_room_entry`.
    Remove { room_id: String, key: String },
    /// `remove_chat_room_entries`.
    RemoveMany { room_id: String, keys: Vec<String> },
}

impl Core {
    /// `addChatRoomEntry(targetId, key, value, deleteWhenLeft, overwrite)` (CRKV-7, CRKV-17).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id`, a key that is not 1 to 128
    /// letters, digits and `+ = - _` (CRKV-5), or a value over 4096 characters; -103 when not connected. Otherwise
    /// `ChatRoomEntryAdded{code}` when the server answers: the response's code, or the key's own code when the
    /// request was processed but the key failed (23424 exists and no `overwrite`, 23423 room full, 23412). On
    /// success the engine's copy holds the entry.
    pub fn add_chat_room_entry(
        &mut self,
        now: Now,
        target_id: &str,
        key: &str,
        value: &str,
        delete_when_left: bool,
        overwrite: bool,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        check_key(key)?;
        if !is_valid_value(value) {
            crate::mark!("CRKV-5");
            return Err(ImError::param(format!("a value has at most {CHATROOM_ENTRY_VALUE_CHARS_MAX} characters")));
        }
        self.check_server_call()?;
        let body = request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
            room_id: target_id.to_owned(),
            entries: vec![proto::ChatroomEntry { key: key.to_owned(), value: value.to_owned() }],
            delete_when_left,
            overwrite,
        });
        let request =
            EntriesRequest::Set { room_id: target_id.to_owned(), key: key.to_owned(), value: value.to_owned() };
        self.send_request(now, body, RequestKind::ChatroomEntries(request));
        Ok(())
    }

    /// `addChatRoomEntries(targetId, entries, deleteWhenLeft, overwrite)` (CRKV-8, CRKV-17, CRKV-18).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id` or an empty map; -103 when
    /// not connected. Otherwise `ChatRoomEntriesAdded{code, entries, error_entries}`: an entry with an invalid key or
    /// a value over 4096 characters is not sent and is in `error_entries` with 23412; the others are sent, and when
    /// the server answers `code` is the response's (0 once the request was processed; 23429 more than 10 entries,
    /// 23425 rate, 23406 not a member, 23426 no KV service), with the keys it refused added to `error_entries`.
    /// When no entry is valid the event comes at once, with code 0. The entries set are put in the engine's copy.
    pub fn add_chat_room_entries(
        &mut self,
        now: Now,
        target_id: &str,
        entries: BTreeMap<String, String>,
        delete_when_left: bool,
        overwrite: bool,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        if entries.is_empty() {
            return Err(ImError::param("entries must not be empty"));
        }
        self.check_server_call()?;
        let (valid, invalid): (Vec<_>, Vec<_>) =
            entries.iter().partition(|(key, value)| is_valid_chatroom_entry_key(key) && is_valid_value(value));
        let local_errors: BTreeMap<String, ErrorCode> =
            invalid.into_iter().map(|(key, _)| (key.clone(), ErrorCode::CHATROOM_PARAMETER_INVALID)).collect();
        if valid.is_empty() {
            crate::mark!("CRKV-8");
            self.emit(Event::ChatRoomEntriesAdded {
                code: ErrorCode::SUCCESS,
                target_id: target_id.to_owned(),
                entries,
                error_entries: local_errors,
            });
            return Ok(());
        }
        let body = request::Body::ChatroomEntriesSet(proto::ChatroomEntriesSet {
            room_id: target_id.to_owned(),
            entries: valid
                .into_iter()
                .map(|(key, value)| proto::ChatroomEntry { key: key.clone(), value: value.clone() })
                .collect(),
            delete_when_left,
            overwrite,
        });
        let request = EntriesRequest::SetMany { room_id: target_id.to_owned(), entries, local_errors };
        self.send_request(now, body, RequestKind::ChatroomEntries(request));
        Ok(())
    }

    /// `removeChatRoomEntry(targetId, key, force)` (CRKV-11, CRKV-17).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id` or an invalid key (CRKV-5);
    /// -103 when not connected. Otherwise `ChatRoomEntryRemoved{code}` when the server answers: the response's code,
    /// or the key's own (23427 missing, 23424 another user's without `force`). On success the engine's copy loses
    /// the entry.
    pub fn remove_chat_room_entry(&mut self, now: Now, target_id: &str, key: &str, force: bool) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        check_key(key)?;
        self.check_server_call()?;
        let body = request::Body::ChatroomEntriesRemove(proto::ChatroomEntriesRemove {
            room_id: target_id.to_owned(),
            keys: vec![key.to_owned()],
            force,
        });
        let request = EntriesRequest::Remove { room_id: target_id.to_owned(), key: key.to_owned() };
        self.send_request(now, body, RequestKind::ChatroomEntries(request));
        Ok(())
    }

    /// `removeChatRoomEntries(targetId, keys, force)` (CRKV-12, CRKV-17).
    ///
    /// Returns -102 once destroyed; -101 for an empty or over-64-character `target_id`, an empty list or any invalid
    /// key in it (CRKV-18: only `addChatRoomEntries` reports invalid entries one by one); -103 when not connected.
    /// Otherwise `ChatRoomEntriesRemoved{code, keys}` with the response's code when the server answers; the keys it
    /// removed leave the engine's copy.
    pub fn remove_chat_room_entries(
        &mut self,
        now: Now,
        target_id: &str,
        keys: Vec<String>,
        force: bool,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        if keys.is_empty() {
            return Err(ImError::param("keys must not be empty"));
        }
        for key in &keys {
            check_key(key)?;
        }
        self.check_server_call()?;
        let body = request::Body::ChatroomEntriesRemove(proto::ChatroomEntriesRemove {
            room_id: target_id.to_owned(),
            keys: keys.clone(),
            force,
        });
        let request = EntriesRequest::RemoveMany { room_id: target_id.to_owned(), keys };
        self.send_request(now, body, RequestKind::ChatroomEntries(request));
        Ok(())
    }

    /// `getChatRoomEntry(targetId, key)` (CRKV-9): the entry, as a one-entry map, from the engine's copy.
    ///
    /// Fails with -102 once destroyed; -101 for an empty or over-64-character `target_id` or an invalid key; 23406
    /// when the engine does not hold the room; 34004 before the KV sync of the current join (CRKV-13); 23427 when
    /// the room has no such key.
    pub fn get_chat_room_entry(&self, target_id: &str, key: &str) -> Result<BTreeMap<String, String>, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        check_key(key)?;
        crate::mark!("CRKV-9");
        let entries = self.synced_entries(target_id)?;
        let value =
            entries.get(key).ok_or_else(|| ImError::new(ErrorCode::KV_KEY_NOT_EXIST, format!("no entry {key:?}")))?;
        Ok(BTreeMap::from([(key.to_owned(), value.clone())]))
    }

    /// `getChatRoomAllEntries(targetId)` (CRKV-10, CRKV-21): every entry, from the engine's copy (empty if the room
    /// has none).
    ///
    /// Fails with -102 once destroyed; -101 for an empty or over-64-character `target_id`; 23406 when the engine
    /// does not hold the room; 34004 before the KV sync of the current join (CRKV-13).
    pub fn get_chat_room_all_entries(&self, target_id: &str) -> Result<BTreeMap<String, String>, ImError> {
        crate::mark!("CRKV-10");
        crate::mark!("CRKV-21");
        self.synced_entries(target_id).cloned()
    }

    /// `getChatRoomEntry(targetId, key)` → `onChatRoomEntryLoaded` (CRKV-9): the entry of
    /// [`Core::get_chat_room_entry`], reported as an event. Argument errors (-101) and -102 are the call's status
    /// code; the native codes (23406, 34004, 23427) are the event's (CODE-11).
    pub fn load_chat_room_entry(&mut self, target_id: &str, key: &str) -> Result<(), ImError> {
        let (code, entry) = split_native(self.get_chat_room_entry(target_id, key))?;
        self.emit(Event::ChatRoomEntryLoaded { code, target_id: target_id.to_owned(), entry });
        Ok(())
    }

    /// `getChatRoomAllEntries(targetId)` → `onChatRoomAllEntriesLoaded` (CRKV-10): the entries of
    /// [`Core::get_chat_room_all_entries`], reported as an event, with the status codes as in
    /// [`Core::load_chat_room_entry`].
    pub fn load_chat_room_all_entries(&mut self, target_id: &str) -> Result<(), ImError> {
        let (code, entries) = split_native(self.get_chat_room_all_entries(target_id))?;
        self.emit(Event::ChatRoomAllEntriesLoaded { code, target_id: target_id.to_owned(), entries });
        Ok(())
    }

    /// The copy of a held and synced room's entries, or why there is none.
    fn synced_entries(&self, target_id: &str) -> Result<&BTreeMap<String, String>, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        check_room_id(target_id)?;
        let room = self
            .chatrooms
            .get(target_id)
            .ok_or_else(|| ImError::new(ErrorCode::NOT_IN_CHATROOM, "the engine has not joined this chatroom"))?;
        room.entries
            .as_ref()
            .ok_or_else(|| ImError::new(ErrorCode::KV_STORE_NOT_SYNC, "the chatroom's entries are not synced yet"))
    }

    /// A KV change is settled: the server answered with `code` (and the keys it refused in `body`), or it never
    /// will (30002, 30003). Reports the operation's event; a success updates the engine's copy (CRKV-20: no
    /// `ChatRoomEntriesChanged` for one's own change).
    pub(super) fn chatroom_entries_settled(
        &mut self,
        request: EntriesRequest,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        let failed_keys: BTreeMap<String, ErrorCode> = match body {
            Some(response::Body::ChatroomEntriesResult(result)) if code.is_success() => {
                result.failed_keys.into_iter().map(|failed| (failed.key, ErrorCode::from_wire(failed.code))).collect()
            }
            _ => BTreeMap::new(),
        };
        // The code of a single-key call: the request's, or the key's own.
        let key_code = |key: &str| if code.is_success() { failed_keys.get(key).copied().unwrap_or(code) } else { code };
        match request {
            EntriesRequest::Set { room_id, key, value } => {
                crate::mark!("CRKV-7");
                let code = key_code(&key);
                if code.is_success() {
                    self.update_entries(&room_id, |entries| {
                        entries.insert(key.clone(), value);
                    });
                }
                self.emit(Event::ChatRoomEntryAdded { code, target_id: room_id, key });
            }
            EntriesRequest::SetMany { room_id, entries, local_errors } => {
                crate::mark!("CRKV-8");
                if code.is_success() {
                    let set: Vec<(String, String)> = entries
                        .iter()
                        .filter(|(key, _)| !local_errors.contains_key(*key) && !failed_keys.contains_key(*key))
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect();
                    self.update_entries(&room_id, |copy| copy.extend(set));
                }
                let mut error_entries = local_errors;
                error_entries.extend(failed_keys);
                self.emit(Event::ChatRoomEntriesAdded { code, target_id: room_id, entries, error_entries });
            }
            EntriesRequest::Remove { room_id, key } => {
                crate::mark!("CRKV-11");
                let code = key_code(&key);
                if code.is_success() {
                    self.update_entries(&room_id, |entries| {
                        entries.remove(&key);
                    });
                }
                self.emit(Event::ChatRoomEntryRemoved { code, target_id: room_id, key });
            }
            EntriesRequest::RemoveMany { room_id, keys } => {
                crate::mark!("CRKV-12");
                if code.is_success() {
                    let removed: Vec<&String> = keys.iter().filter(|key| !failed_keys.contains_key(*key)).collect();
                    self.update_entries(&room_id, |entries| {
                        for key in removed {
                            entries.remove(key);
                        }
                    });
                }
                self.emit(Event::ChatRoomEntriesRemoved { code, target_id: room_id, keys });
            }
        }
    }

    /// CRKV-13, CRKV-14, CRKV-20: the sync that follows a join: the copy becomes `entries`, then
    /// `ChatRoomEntriesChanged{update, all}` if there are any, then `ChatRoomEntriesSynced`.
    pub(super) fn sync_chat_room_entries(&mut self, room_id: &str, entries: BTreeMap<String, String>) {
        crate::mark!("CRKV-20");
        if let Some(room) = self.chatrooms.get_mut(room_id) {
            room.entries = Some(entries.clone());
        }
        if !entries.is_empty() {
            crate::mark!("CRKV-14");
            self.emit(Event::ChatRoomEntriesChanged {
                operation_type: ChatRoomEntriesOperationType::Update,
                room_id: room_id.to_owned(),
                entries,
            });
        }
        crate::mark!("CRKV-13");
        self.emit(Event::ChatRoomEntriesSynced { room_id: room_id.to_owned() });
    }

    /// CRKV-14, CRKV-19, CRKV-20: another member (or the server's `deleteWhenLeft` cleanup) changed a held room's
    /// entries: the copy follows and `ChatRoomEntriesChanged` reports it. An operation the engine does not know is
    /// ignored.
    pub(super) fn chatroom_entries_changed(&mut self, room_id: String, changed: proto::ChatroomEntriesChanged) {
        let Some(operation) = ChatRoomEntriesOperationType::from_ordinal(changed.operation) else { return };
        let entries: BTreeMap<String, String> =
            changed.entries.into_iter().map(|entry| (entry.key, entry.value)).collect();
        self.update_entries(&room_id, |copy| match operation {
            ChatRoomEntriesOperationType::Update => copy.extend(entries.clone()),
            ChatRoomEntriesOperationType::Remove => copy.retain(|key, _| !entries.contains_key(key)),
        });
        crate::mark!("CRKV-14");
        self.emit(Event::ChatRoomEntriesChanged { operation_type: operation, room_id, entries });
    }

    /// Applies `change` to the copy of `room_id`'s entries, if the engine holds the room and its copy is synced
    /// (an unsynced copy is replaced whole by the coming sync).
    fn update_entries(&mut self, room_id: &str, change: impl FnOnce(&mut BTreeMap<String, String>)) {
        if let Some(entries) = self.chatrooms.get_mut(room_id).and_then(|room| room.entries.as_mut()) {
            change(entries);
        }
    }
}

/// -101 unless `key` is a valid KV key (CRKV-5).
/// A read's outcome as the manual reports it (CODE-11): a status code (-101 … -104) is the call's own refusal; a native
/// code is the result event's `code`, with empty entries.
fn split_native(
    read: Result<BTreeMap<String, String>, ImError>,
) -> Result<(ErrorCode, BTreeMap<String, String>), ImError> {
    match read {
        Ok(entries) => Ok((ErrorCode::SUCCESS, entries)),
        Err(error) if error.code.0 < 0 => Err(error),
        Err(error) => {
            crate::mark!("CODE-11");
            Ok((error.code, BTreeMap::new()))
        }
    }
}

fn check_key(key: &str) -> Result<(), ImError> {
    if is_valid_chatroom_entry_key(key) {
        Ok(())
    } else {
        crate::mark!("CRKV-5");
        Err(ImError::param(format!(
            "a key has 1 to {CHATROOM_ENTRY_KEY_CHARS_MAX} characters, each a letter, a digit or one of + = - _"
        )))
    }
}

/// CRKV-5: a value has at most 4096 characters.
fn is_valid_value(value: &str) -> bool {
    value.chars().count() <= CHATROOM_ENTRY_VALUE_CHARS_MAX
}
