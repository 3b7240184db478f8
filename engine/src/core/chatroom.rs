//! Chatrooms (CR) and chatroom attributes (CRKV) in the engine. STUB: being implemented (issue 5).

use std::collections::BTreeMap;

use super::{Core, Now};
use crate::error::ImError;
use crate::types::TimeOrder;

impl Core {
    /// `joinChatRoom(targetId, messageCount, autoCreate)` (CR-10).
    pub fn join_chat_room(
        &mut self,
        _now: Now,
        _target_id: &str,
        _message_count: i32,
        _auto_create: bool,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `leaveChatRoom(targetId)` (CR-20).
    pub fn leave_chat_room(&mut self, _now: Now, _target_id: &str) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `getChatRoomMessages(targetId, timestamp, order, count)` (CR-25).
    pub fn get_chat_room_messages(
        &mut self,
        _now: Now,
        _target_id: &str,
        _timestamp: i64,
        _order: TimeOrder,
        _count: i32,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `addChatRoomEntry` (CRKV-7).
    pub fn add_chat_room_entry(
        &mut self,
        _now: Now,
        _target_id: &str,
        _key: &str,
        _value: &str,
        _delete_when_left: bool,
        _overwrite: bool,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `addChatRoomEntries` (CRKV-8).
    pub fn add_chat_room_entries(
        &mut self,
        _now: Now,
        _target_id: &str,
        _entries: BTreeMap<String, String>,
        _delete_when_left: bool,
        _overwrite: bool,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `removeChatRoomEntry` (CRKV-11).
    pub fn remove_chat_room_entry(
        &mut self,
        _now: Now,
        _target_id: &str,
        _key: &str,
        _force: bool,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `removeChatRoomEntries` (CRKV-12).
    pub fn remove_chat_room_entries(
        &mut self,
        _now: Now,
        _target_id: &str,
        _keys: Vec<String>,
        _force: bool,
    ) -> Result<(), ImError> {
        todo!("issue 5")
    }

    /// `getChatRoomEntry` (CRKV-9).
    pub fn get_chat_room_entry(&self, _target_id: &str, _key: &str) -> Result<BTreeMap<String, String>, ImError> {
        todo!("issue 5")
    }

    /// `getChatRoomAllEntries` (CRKV-10).
    pub fn get_chat_room_all_entries(&self, _target_id: &str) -> Result<BTreeMap<String, String>, ImError> {
        todo!("issue 5")
    }
}
