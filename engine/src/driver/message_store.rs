//! The message store's methods (HIST, GET, INS, DEL, SEARCH): each returns at once, and its result follows as an
//! event; those that reach the server's history answer once it has (see `core::history`).

use super::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, Expansion, Message, MessageOperationPolicy, TimeOrder};

/// A conversation as the calls take it, owned so that it can move into the driver.
type Conversation = (ConversationType, String, Option<String>);

fn owned(conversation_type: ConversationType, target_id: &str, channel_id: Option<&str>) -> Conversation {
    (conversation_type, target_id.to_owned(), channel_id.map(str::to_owned))
}

impl Engine {
    /// `getMessages(type, targetId, channelId, sentTime, order, policy, count)` (HIST-3) →
    /// `Event::MessagesLoaded`: see `Core::get_messages`.
    #[allow(clippy::too_many_arguments)] // the manual's parameters, one for one
    pub async fn get_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        sent_time: i64,
        order: TimeOrder,
        policy: MessageOperationPolicy,
        count: i32,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        self.run(move |core, now| {
            let conversation = (conversation_type, target_id.as_str(), channel_id.as_deref());
            core.get_messages(now, conversation, sent_time, order, policy, count)
        })
        .await
    }

    /// `getMessageById(messageId)` (GET-1) → `Event::MessageLoaded`, through a per-call callback only (GET-4).
    pub async fn get_message_by_id(&self, message_id: i64) -> Result<(), ImError> {
        self.run(move |core, _| core.get_message_by_id(message_id)).await
    }

    /// `getMessageByUid(messageUid)` (GET-2, GET-3) → `Event::MessageLoaded`, through a per-call callback only.
    pub async fn get_message_by_uid(&self, message_uid: &str) -> Result<(), ImError> {
        let message_uid = message_uid.to_owned();
        self.run(move |core, _| core.get_message_by_uid(&message_uid)).await
    }

    /// `insertMessage(message)` (INS-1) → `Event::MessageInserted`: see `Core::insert_messages`.
    pub async fn insert_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.insert_messages(now, vec![message], true)).await
    }

    /// `insertMessages(messages)` (INS-5) → `Event::MessagesInserted`: all of them or none (INS-6).
    pub async fn insert_messages(&self, messages: Vec<Message>) -> Result<(), ImError> {
        self.run(move |core, now| core.insert_messages(now, messages, false)).await
    }

    /// `deleteLocalMessages(messages)` (DEL-9) → `Event::LocalMessagesDeleted`.
    pub async fn delete_local_messages(&self, messages: Vec<Message>) -> Result<(), ImError> {
        self.run(move |core, _| core.delete_local_messages(messages)).await
    }

    /// `recallMessage(message)` (RECALL-1) → `Event::MessageRecalled`.
    pub async fn recall_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.recall_message(now, &message)).await
    }

    /// `updateMessageExpansion(messageUid, expansion)` (EXP-6) → `Event::MessageExpansionUpdated`.
    pub async fn update_message_expansion(&self, message_uid: &str, expansion: Expansion) -> Result<(), ImError> {
        let message_uid = message_uid.to_owned();
        self.run(move |core, now| core.update_message_expansion(now, &message_uid, expansion)).await
    }

    /// `removeMessageExpansionForKeys(messageUid, keys)` (EXP-8) → `Event::MessageExpansionForKeysRemoved`.
    pub async fn remove_message_expansion_for_keys(&self, message_uid: &str, keys: Vec<String>) -> Result<(), ImError> {
        let message_uid = message_uid.to_owned();
        self.run(move |core, now| core.remove_message_expansion_for_keys(now, &message_uid, keys)).await
    }

    /// `deleteMessages(type, targetId, channelId, messages)` (DEL-10) → `Event::MessagesDeleted`.
    pub async fn delete_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        messages: Vec<Message>,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        self.run(move |core, now| {
            core.delete_messages(now, (conversation_type, target_id.as_str(), channel_id.as_deref()), messages)
        })
        .await
    }

    /// `clearMessages(type, targetId, channelId, timestamp, policy)` (DEL-11) → `Event::MessagesCleared`.
    pub async fn clear_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
        policy: MessageOperationPolicy,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        self.run(move |core, now| {
            let conversation = (conversation_type, target_id.as_str(), channel_id.as_deref());
            core.clear_messages(now, conversation, timestamp, policy)
        })
        .await
    }

    /// `searchMessages(type, targetId, channelId, keyword, startTime, count)` (SEARCH-2) →
    /// `Event::MessagesSearched`.
    pub async fn search_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        keyword: &str,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        let keyword = keyword.to_owned();
        self.run(move |core, _| {
            let conversation = (conversation_type, target_id.as_str(), channel_id.as_deref());
            core.search_messages(conversation, &keyword, start_time, count)
        })
        .await
    }

    /// `searchMessagesByTimeRange(type, targetId, channelId, keyword, startTime, endTime, offset, count)`
    /// (SEARCH-3) → `Event::MessagesSearchedByTimeRange`.
    #[allow(clippy::too_many_arguments)] // the manual's parameters, one for one
    pub async fn search_messages_by_time_range(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        keyword: &str,
        start_time: i64,
        end_time: i64,
        offset: i32,
        count: i32,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        let keyword = keyword.to_owned();
        self.run(move |core, _| {
            let conversation = (conversation_type, target_id.as_str(), channel_id.as_deref());
            core.search_messages_by_time_range(conversation, &keyword, start_time, end_time, offset, count)
        })
        .await
    }

    /// `searchMessagesByUserId(userId, type, targetId, channelId, startTime, count)` (SEARCH-4) →
    /// `Event::MessagesSearchedByUserId`.
    pub async fn search_messages_by_user_id(
        &self,
        user_id: &str,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        let (conversation_type, target_id, channel_id) = owned(conversation_type, target_id, channel_id);
        let user_id = user_id.to_owned();
        self.run(move |core, _| {
            let conversation = (conversation_type, target_id.as_str(), channel_id.as_deref());
            core.search_messages_by_user_id(&user_id, conversation, start_time, count)
        })
        .await
    }
}
