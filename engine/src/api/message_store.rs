//! The message store: history (HIST), get (GET), insert (INS), delete and clear (DEL), recall (RECALL), expansion
//! (EXP) and search (SEARCH).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::{ConversationType, Expansion, Message, MessageOperationPolicy, TimeOrder};

api_method! {
    /// `getMessages(type, targetId, channelId, sentTime, order, policy, count)` (HIST-3) → `onMessagesLoaded`.
    GetMessages {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The anchor, exclusive; 0 starts from the newest (`before`) or the oldest (`after`) (HIST-10).
        sent_time: i64,
        /// Which way from the anchor (HIST-5).
        order: TimeOrder,
        /// Local, remote or both (HIST-6).
        policy: MessageOperationPolicy,
        /// How many, 1 to 20 (HIST-7).
        count: i32,
    } => Completion::listener("onMessagesLoaded", &[]),
    |call, engine| engine.get_messages(
        call.conversation_type,
        &call.target_id,
        call.channel_id.as_deref(),
        call.sent_time,
        call.order,
        call.policy,
        call.count,
    )
}

api_method! {
    /// `getMessageById(messageId)` (GET-1) → `IRCIMIWGetMessageCallback`, a per-call callback only (GET-4).
    GetMessageById {
        /// The message's local ID.
        message_id: i64,
    } => Completion::callback_only("IRCIMIWGetMessageCallback"),
    |call, engine| engine.get_message_by_id(call.message_id)
}

api_method! {
    /// `getMessageByUid(messageUid)` (GET-2, GET-3) → `IRCIMIWGetMessageCallback`, a per-call callback only (GET-4).
    GetMessageByUid {
        /// The server's UID of the message.
        message_uid: String,
    } => Completion::callback_only("IRCIMIWGetMessageCallback"),
    |call, engine| engine.get_message_by_uid(&call.message_uid)
}

api_method! {
    /// `insertMessage(message)` (INS-1) → `onMessageInserted`.
    InsertMessage {
        /// The message: its conversation, direction, sent time and content are used (INS-3).
        message: Message,
    } => Completion::listener("onMessageInserted", &[]),
    |call, engine| engine.insert_message(call.message)
}

api_method! {
    /// `insertMessages(messages)` (INS-5) → `onMessagesInserted`: all or none (INS-6).
    InsertMessages {
        /// The messages, each as `insertMessage` takes it.
        messages: Vec<Message>,
    } => Completion::listener("onMessagesInserted", &[]),
    |call, engine| engine.insert_messages(call.messages)
}

api_method! {
    /// `deleteLocalMessages(messages)` (DEL-9) → `onLocalMessagesDeleted`.
    DeleteLocalMessages {
        /// The messages; only their `messageId`s matter.
        messages: Vec<Message>,
    } => Completion::listener("onLocalMessagesDeleted", &[]),
    |call, engine| engine.delete_local_messages(call.messages)
}

api_method! {
    /// `deleteMessages(type, targetId, channelId, messages)` (DEL-10) → `onMessagesDeleted`.
    DeleteMessages {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The messages to delete, locally and from the server's history.
        messages: Vec<Message>,
    } => Completion::listener("onMessagesDeleted", &[]),
    |call, engine| engine.delete_messages(call.conversation_type, &call.target_id, call.channel_id.as_deref(), call.messages)
}

api_method! {
    /// `recallMessage(message)` (RECALL-1) → `onMessageRecalled`.
    RecallMessage {
        /// The message to recall: a private or group message the server accepted (it has a `messageUId`).
        message: Message,
    } => Completion::listener("onMessageRecalled", &[]),
    |call, engine| engine.recall_message(call.message)
}

api_method! {
    /// `updateMessageExpansion(messageUid, expansion)` (EXP-6) → `onMessageExpansionUpdated`.
    UpdateMessageExpansion {
        /// The UID of a sent private or group message that has expansion on (EXP-5).
        message_uid: String,
        /// The entries to set: 1 to 20, added or overwritten (EXP-7, EXP-12).
        expansion: Expansion,
    } => Completion::listener("onMessageExpansionUpdated", &[]),
    |call, engine| engine.update_message_expansion(&call.message_uid, call.expansion)
}

api_method! {
    /// `removeMessageExpansionForKeys(messageUid, keys)` (EXP-8) → `onMessageExpansionForKeysRemoved`.
    RemoveMessageExpansionForKeys {
        /// The UID of a sent private or group message that has expansion on (EXP-5).
        message_uid: String,
        /// The keys to delete: 1 to 20; a key that is not there is no error (EXP-12).
        keys: Vec<String>,
    } => Completion::listener("onMessageExpansionForKeysRemoved", &[]),
    |call, engine| engine.remove_message_expansion_for_keys(&call.message_uid, call.keys)
}

api_method! {
    /// `clearMessages(type, targetId, channelId, timestamp, policy)` (DEL-11) → `onMessagesCleared`.
    ClearMessages {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// Clears the messages sent at or before it; 0 clears all (DEL-11).
        timestamp: i64,
        /// Local, remote or both.
        policy: MessageOperationPolicy,
    } => Completion::listener("onMessagesCleared", &[]),
    |call, engine| engine.clear_messages(
        call.conversation_type,
        &call.target_id,
        call.channel_id.as_deref(),
        call.timestamp,
        call.policy,
    )
}

api_method! {
    /// `searchMessages(type, targetId, channelId, keyword, startTime, count)` (SEARCH-2) → `onMessagesSearched`.
    SearchMessages {
        /// The conversation's type; not a chatroom (SEARCH-8).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The text to find, ignoring case; not empty (SEARCH-5).
        keyword: String,
        /// Only messages sent before it; 0 starts from the newest (SEARCH-2, SEARCH-6).
        start_time: i64,
        /// How many, 1 to 50.
        count: i32,
    } => Completion::listener("onMessagesSearched", &[]),
    |call, engine| engine.search_messages(
        call.conversation_type,
        &call.target_id,
        call.channel_id.as_deref(),
        &call.keyword,
        call.start_time,
        call.count,
    )
}

api_method! {
    /// `searchMessagesByTimeRange(type, targetId, channelId, keyword, startTime, endTime, offset, count)`
    /// (SEARCH-3) → `onMessagesSearchedByTimeRange`.
    SearchMessagesByTimeRange {
        /// The conversation's type; not a chatroom (SEARCH-8).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The text to find, ignoring case; not empty (SEARCH-5).
        keyword: String,
        /// The range's start, included (SEARCH-7).
        start_time: i64,
        /// The range's end, included.
        end_time: i64,
        /// How many matches to skip, newest first; not negative.
        offset: i32,
        /// How many, 1 to 50.
        count: i32,
    } => Completion::listener("onMessagesSearchedByTimeRange", &[]),
    |call, engine| engine.search_messages_by_time_range(
        call.conversation_type,
        &call.target_id,
        call.channel_id.as_deref(),
        &call.keyword,
        call.start_time,
        call.end_time,
        call.offset,
        call.count,
    )
}

api_method! {
    /// `searchMessagesByUserId(userId, type, targetId, channelId, startTime, count)` (SEARCH-4) →
    /// `onMessagesSearchedByUserId`.
    SearchMessagesByUserId {
        /// The sender.
        user_id: String,
        /// The conversation's type; not a chatroom (SEARCH-8).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// Only messages sent before it; 0 starts from the newest (SEARCH-4).
        start_time: i64,
        /// How many, 1 to 50.
        count: i32,
    } => Completion::listener("onMessagesSearchedByUserId", &[]),
    |call, engine| engine.search_messages_by_user_id(
        &call.user_id,
        call.conversation_type,
        &call.target_id,
        call.channel_id.as_deref(),
        call.start_time,
        call.count,
    )
}
