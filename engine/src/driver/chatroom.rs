//! The chatroom API (CR-10 to CR-26) and chatroom attributes (CRKV-7 to CRKV-14). Every call returns at once;
//! results arrive as events (the KV reads answer from the engine's synced copy).

use std::collections::BTreeMap;

use super::Engine;
use crate::error::ImError;
use crate::types::TimeOrder;

impl Engine {
    /// `joinChatRoom(targetId, messageCount, autoCreate)` (CR-10) → `ChatRoomJoining`, the fetched messages,
    /// `ChatRoomJoined`, then the KV events. See `Core::join_chat_room`.
    pub async fn join_chat_room(&self, target_id: &str, message_count: i32, auto_create: bool) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, now| core.join_chat_room(now, &target_id, message_count, auto_create)).await
    }

    /// `leaveChatRoom(targetId)` (CR-20) → `ChatRoomLeft`.
    pub async fn leave_chat_room(&self, target_id: &str) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, now| core.leave_chat_room(now, &target_id)).await
    }

    /// `getChatRoomMessages(targetId, timestamp, order, count)` (CR-25) → `ChatRoomMessagesLoaded`.
    pub async fn get_chat_room_messages(
        &self,
        target_id: &str,
        timestamp: i64,
        order: TimeOrder,
        count: i32,
    ) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, now| core.get_chat_room_messages(now, &target_id, timestamp, order, count)).await
    }

    /// `addChatRoomEntry(targetId, key, value, deleteWhenLeft, overwrite)` (CRKV-7) → `ChatRoomEntryAdded`.
    pub async fn add_chat_room_entry(
        &self,
        target_id: &str,
        key: &str,
        value: &str,
        delete_when_left: bool,
        overwrite: bool,
    ) -> Result<(), ImError> {
        let (target_id, key, value) = (target_id.to_owned(), key.to_owned(), value.to_owned());
        self.run(move |core, now| core.add_chat_room_entry(now, &target_id, &key, &value, delete_when_left, overwrite))
            .await
    }

    /// `addChatRoomEntries(targetId, entries, deleteWhenLeft, overwrite)` (CRKV-8) → `ChatRoomEntriesAdded`.
    pub async fn add_chat_room_entries(
        &self,
        target_id: &str,
        entries: BTreeMap<String, String>,
        delete_when_left: bool,
        overwrite: bool,
    ) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, now| core.add_chat_room_entries(now, &target_id, entries, delete_when_left, overwrite))
            .await
    }

    /// `removeChatRoomEntry(targetId, key, force)` (CRKV-11) → `ChatRoomEntryRemoved`.
    pub async fn remove_chat_room_entry(&self, target_id: &str, key: &str, force: bool) -> Result<(), ImError> {
        let (target_id, key) = (target_id.to_owned(), key.to_owned());
        self.run(move |core, now| core.remove_chat_room_entry(now, &target_id, &key, force)).await
    }

    /// `removeChatRoomEntries(targetId, keys, force)` (CRKV-12) → `ChatRoomEntriesRemoved`.
    pub async fn remove_chat_room_entries(
        &self,
        target_id: &str,
        keys: Vec<String>,
        force: bool,
    ) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, now| core.remove_chat_room_entries(now, &target_id, keys, force)).await
    }

    /// `getChatRoomEntry(targetId, key)` (CRKV-9) → `ChatRoomEntryLoaded`, from the engine's synced copy of the
    /// room's entries.
    pub async fn get_chat_room_entry(&self, target_id: &str, key: &str) -> Result<(), ImError> {
        let (target_id, key) = (target_id.to_owned(), key.to_owned());
        self.run(move |core, _| core.load_chat_room_entry(&target_id, &key)).await
    }

    /// `getChatRoomAllEntries(targetId)` (CRKV-10, CRKV-21) → `ChatRoomAllEntriesLoaded`, from the engine's copy.
    pub async fn get_chat_room_all_entries(&self, target_id: &str) -> Result<(), ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, _| core.load_chat_room_all_entries(&target_id)).await
    }

    /// imsim's inspection call, not one of the manual's: what `getChatRoomEntry(targetId, key)` (with a key) or
    /// `getChatRoomAllEntries(targetId)` would report, returned at once and reported to no listener, so that a
    /// checker can read the engine's copy of a room's entries as often as it likes.
    pub async fn chat_room_entries(
        &self,
        target_id: &str,
        key: Option<&str>,
    ) -> Result<BTreeMap<String, String>, ImError> {
        let (target_id, key) = (target_id.to_owned(), key.map(str::to_owned));
        self.run(move |core, _| match key {
            Some(key) => core.get_chat_room_entry(&target_id, &key),
            None => core.get_chat_room_all_entries(&target_id),
        })
        .await
    }
}
