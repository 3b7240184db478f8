//! Chatrooms (CR-10 to CR-26) and their attributes (CRKV-7 to CRKV-12).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::TimeOrder;

/// `joinChatRoom(targetId, messageCount, autoCreate)` (CR-10) → `onChatRoomJoined` (CR-11); `onChatRoomJoining`
/// and the fetched messages (`onMessageReceived`) are the listeners' alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JoinChatRoom {
    /// The chatroom.
    pub target_id: String,
    /// How many of the room's latest messages to fetch: -1 none, 0 ten, n at most 50 (CR-38).
    pub message_count: i32,
    /// Create the room if it does not exist (CR-39).
    pub auto_create: bool,
}

impl ApiMethod for JoinChatRoom {
    const COMPLETION: Completion = Completion::listener("onChatRoomJoined", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.join_chat_room(&self.target_id, self.message_count, self.auto_create).await.map(|()| Returned::Nothing)
    }
}

/// `leaveChatRoom(targetId)` (CR-20) → `onChatRoomLeft`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeaveChatRoom {
    /// The chatroom.
    pub target_id: String,
}

impl ApiMethod for LeaveChatRoom {
    const COMPLETION: Completion = Completion::listener("onChatRoomLeft", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.leave_chat_room(&self.target_id).await.map(|()| Returned::Nothing)
    }
}

/// `getChatRoomMessages(targetId, timestamp, order, count)` (CR-25) → `onChatRoomMessagesLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetChatRoomMessages {
    /// The chatroom.
    pub target_id: String,
    /// Unix ms to page from; 0 starts from the newest (CR-45); the last page's `syncTime` fetches the next (CR-26).
    pub timestamp: i64,
    /// Which way from `timestamp`.
    pub order: TimeOrder,
    /// How many messages, 1 to 50.
    pub count: i32,
}

impl ApiMethod for GetChatRoomMessages {
    const COMPLETION: Completion = Completion::listener("onChatRoomMessagesLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { target_id, timestamp, order, count } = self;
        engine.get_chat_room_messages(&target_id, timestamp, order, count).await.map(|()| Returned::Nothing)
    }
}

/// `addChatRoomEntry(targetId, key, value, deleteWhenLeft, overwrite)` (CRKV-7) → `onChatRoomEntryAdded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddChatRoomEntry {
    /// The chatroom.
    pub target_id: String,
    /// The key (CRKV-5).
    pub key: String,
    /// The value (CRKV-5).
    pub value: String,
    /// Remove the entry when its setter leaves the room (CRKV-6).
    pub delete_when_left: bool,
    /// Overwrite another user's entry (CRKV-17).
    pub overwrite: bool,
}

impl ApiMethod for AddChatRoomEntry {
    const COMPLETION: Completion = Completion::listener("onChatRoomEntryAdded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { target_id, key, value, delete_when_left, overwrite } = self;
        engine
            .add_chat_room_entry(&target_id, &key, &value, delete_when_left, overwrite)
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `addChatRoomEntries(targetId, entries, deleteWhenLeft, overwrite)` (CRKV-8) → `onChatRoomEntriesAdded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddChatRoomEntries {
    /// The chatroom.
    pub target_id: String,
    /// The entries (at most 10, CRKV-8).
    pub entries: BTreeMap<String, String>,
    /// Remove the entries when their setter leaves the room (CRKV-6).
    pub delete_when_left: bool,
    /// Overwrite other users' entries (CRKV-17).
    pub overwrite: bool,
}

impl ApiMethod for AddChatRoomEntries {
    const COMPLETION: Completion = Completion::listener("onChatRoomEntriesAdded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { target_id, entries, delete_when_left, overwrite } = self;
        engine.add_chat_room_entries(&target_id, entries, delete_when_left, overwrite).await.map(|()| Returned::Nothing)
    }
}

/// `getChatRoomEntry(targetId, key)` (CRKV-9) → `onChatRoomEntryLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetChatRoomEntry {
    /// The chatroom.
    pub target_id: String,
    /// The key.
    pub key: String,
}

impl ApiMethod for GetChatRoomEntry {
    const COMPLETION: Completion = Completion::listener("onChatRoomEntryLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_chat_room_entry(&self.target_id, &self.key).await.map(|()| Returned::Nothing)
    }
}

/// `getChatRoomAllEntries(targetId)` (CRKV-10, CRKV-21) → `onChatRoomAllEntriesLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetChatRoomAllEntries {
    /// The chatroom.
    pub target_id: String,
}

impl ApiMethod for GetChatRoomAllEntries {
    const COMPLETION: Completion = Completion::listener("onChatRoomAllEntriesLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_chat_room_all_entries(&self.target_id).await.map(|()| Returned::Nothing)
    }
}

/// `removeChatRoomEntry(targetId, key, force)` (CRKV-11) → `onChatRoomEntryRemoved`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveChatRoomEntry {
    /// The chatroom.
    pub target_id: String,
    /// The key.
    pub key: String,
    /// Remove another user's entry (CRKV-17).
    pub force: bool,
}

impl ApiMethod for RemoveChatRoomEntry {
    const COMPLETION: Completion = Completion::listener("onChatRoomEntryRemoved", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.remove_chat_room_entry(&self.target_id, &self.key, self.force).await.map(|()| Returned::Nothing)
    }
}

/// `removeChatRoomEntries(targetId, keys, force)` (CRKV-12) → `onChatRoomEntriesRemoved`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveChatRoomEntries {
    /// The chatroom.
    pub target_id: String,
    /// The keys.
    pub keys: Vec<String>,
    /// Remove other users' entries (CRKV-17).
    pub force: bool,
}

impl ApiMethod for RemoveChatRoomEntries {
    const COMPLETION: Completion = Completion::listener("onChatRoomEntriesRemoved", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.remove_chat_room_entries(&self.target_id, self.keys, self.force).await.map(|()| Returned::Nothing)
    }
}
