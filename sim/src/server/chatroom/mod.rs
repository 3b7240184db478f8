//! Chatrooms (CR, CRKV, BIZ-13). STUB: being implemented (issue 5).

use std::collections::BTreeMap;

use super::Server;
use super::tokens::ApiError;

impl Server {
    /// The Server API's "create chatroom" (CR-2).
    pub fn create_chatroom(&mut self, _app_key: &str, _room_id: &str, _now_ms: i64) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's "destroy chatroom" (CR-2, CR-5): members get `destroyManual`.
    pub fn destroy_chatroom(&mut self, _app_key: &str, _room_id: &str, _now_ms: i64) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's keep-alive list (CR-7).
    pub fn set_chatroom_keep_alive(
        &mut self,
        _app_key: &str,
        _room_id: &str,
        _keep_alive: bool,
    ) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's chatroom user whitelist (CR-19, CR-29): adds users.
    pub fn add_chatroom_user_whitelist(
        &mut self,
        _app_key: &str,
        _room_id: &str,
        _user_ids: &[String],
    ) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's chatroom user whitelist (CR-19, CR-29): removes users.
    pub fn remove_chatroom_user_whitelist(
        &mut self,
        _app_key: &str,
        _room_id: &str,
        _user_ids: &[String],
    ) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's message whitelist (CR-28): replaces the App Key's list of protected object names.
    pub fn set_chatroom_message_whitelist(&mut self, _app_key: &str, _object_names: &[String]) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The Server API's low-priority message types (CR-27): replaces the App Key's list.
    pub fn set_chatroom_low_priority_types(
        &mut self,
        _app_key: &str,
        _object_names: &[String],
    ) -> Result<(), ApiError> {
        todo!("issue 5")
    }

    /// The members of a chatroom, sorted, or `None` when it does not exist.
    pub fn chatroom_members(&self, _app_key: &str, _room_id: &str) -> Option<Vec<String>> {
        todo!("issue 5")
    }

    /// The KV entries of a chatroom, or `None` when it does not exist.
    pub fn chatroom_entries(&self, _app_key: &str, _room_id: &str) -> Option<BTreeMap<String, String>> {
        todo!("issue 5")
    }

    /// Whether the chatroom exists.
    pub fn chatroom_exists(&self, _app_key: &str, _room_id: &str) -> bool {
        todo!("issue 5")
    }
}
