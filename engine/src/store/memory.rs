//! In-memory twin of `SqliteStore` (temporary minimal version; the store work replaces it).

use std::collections::BTreeMap;

use super::{Received, Store, StoreError};
use crate::types::{ConversationType, Message, SentStatus};

/// Placeholder until the store lands.
#[derive(Debug, Default)]
pub struct MemoryStore {
    messages: BTreeMap<i64, Message>,
    next_id: i64,
    cursor: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn insert_outgoing(&mut self, message: &Message) -> Result<i64, StoreError> {
        self.next_id += 1;
        self.messages.insert(self.next_id, Message { message_id: self.next_id, ..message.clone() });
        Ok(self.next_id)
    }
    fn update_send_result(&mut self, id: i64, s: SentStatus, uid: Option<&str>, t: i64) -> Result<(), StoreError> {
        let m = self.messages.get_mut(&id).ok_or(StoreError::NoSuchMessage(id))?;
        m.sent_status = s;
        m.message_uid = uid.map(str::to_owned);
        m.sent_time = t;
        Ok(())
    }
    fn insert_received(&mut self, messages: &[Message], cursor: u64) -> Result<Vec<Received>, StoreError> {
        let mut out = Vec::new();
        for m in messages {
            if self.messages.values().any(|s| s.message_uid.is_some() && s.message_uid == m.message_uid) {
                out.push(Received::Duplicate);
            } else {
                out.push(Received::Stored(self.insert_outgoing(m)?));
            }
        }
        self.cursor = self.cursor.max(cursor);
        Ok(out)
    }
    fn inbox_cursor(&self) -> Result<u64, StoreError> {
        Ok(self.cursor)
    }
    fn message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        Ok(self.messages.get(&id).cloned())
    }
    fn conversation_messages(&self, t: ConversationType, target: &str) -> Result<Vec<Message>, StoreError> {
        let mut v: Vec<Message> =
            self.messages.values().filter(|m| m.conversation_type == t && m.target_id == target).cloned().collect();
        v.sort_by_key(|m| (m.sent_time, m.message_id));
        Ok(v)
    }
    fn all_messages(&self) -> Result<Vec<Message>, StoreError> {
        Ok(self.messages.values().cloned().collect())
    }
}
