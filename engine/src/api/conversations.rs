//! The conversation list: lists (CONV), unread counts by conversation (UNREAD), removal (CREM), drafts (DRAFT) and
//! pinning (TOP), and typing status (TYPING).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::ConversationType;

api_method! {
    /// `getConversations(conversationTypes, channelId, startTime, count)` (CONV-6) → `onConversationsLoaded`.
    GetConversations {
        /// The types to list; a chatroom adds nothing (CTYPE-9).
        conversation_types: Vec<ConversationType>,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// Only conversations whose operation time is before this; 0 starts from the newest.
        start_time: i64,
        /// How many, 1 to 50.
        count: i32,
    } => Completion::listener("onConversationsLoaded", &[]),
    |call, engine| engine.get_conversations(&call.conversation_types, call.channel_id.as_deref(), call.start_time, call.count)
}

api_method! {
    /// `getConversation(type, targetId, channelId)` (CONV-8) → `onConversationLoaded`.
    GetConversation {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onConversationLoaded", &[]),
    |call, engine| engine.get_conversation(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `getUnreadConversations(conversationTypes)` (CONV-10) → `IRCIMIWGetUnreadConversationsCallback`, a per-call
    /// callback only.
    GetUnreadConversations {
        /// The types to look in; only private, group and system count (CONV-11).
        conversation_types: Vec<ConversationType>,
    } => Completion::callback_only("IRCIMIWGetUnreadConversationsCallback"),
    |call, engine| engine.get_unread_conversations(&call.conversation_types)
}

api_method! {
    /// `clearUnreadCount(type, targetId, channelId, timestamp)` (UNREAD-4) → `onUnreadCountCleared`.
    ClearUnreadCount {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The send time of the last message read (UNREAD-7).
        timestamp: i64,
    } => Completion::listener("onUnreadCountCleared", &[]),
    |call, engine| engine.clear_unread_count(call.conversation_type, &call.target_id, call.channel_id.as_deref(), call.timestamp)
}

api_method! {
    /// `getUnreadMentionedCount(type, targetId, channelId)` (UNREAD-5) → `onUnreadMentionedCountLoaded`.
    GetUnreadMentionedCount {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onUnreadMentionedCountLoaded", &[]),
    |call, engine| engine.get_unread_mentioned_count(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `removeConversation(type, targetId, channelId)` (CREM-1) → `onConversationRemoved`.
    RemoveConversation {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onConversationRemoved", &[]),
    |call, engine| engine.remove_conversation(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `removeConversations(conversationTypes, channelId)` (CREM-2) → `onConversationsRemoved`.
    RemoveConversations {
        /// The types whose conversations and messages go.
        conversation_types: Vec<ConversationType>,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onConversationsRemoved", &[]),
    |call, engine| engine.remove_conversations(&call.conversation_types, call.channel_id.as_deref())
}

api_method! {
    /// `saveDraftMessage(type, targetId, channelId, draft)` (DRAFT-1) → `onDraftMessageSaved`.
    SaveDraftMessage {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The draft's text; empty clears it (DRAFT-6).
        draft: String,
    } => Completion::listener("onDraftMessageSaved", &[]),
    |call, engine| engine.save_draft_message(call.conversation_type, &call.target_id, call.channel_id.as_deref(), &call.draft)
}

api_method! {
    /// `getDraftMessage(type, targetId, channelId)` (DRAFT-2) → `onDraftMessageLoaded`.
    GetDraftMessage {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onDraftMessageLoaded", &[]),
    |call, engine| engine.get_draft_message(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `clearDraftMessage(type, targetId, channelId)` (DRAFT-3) → `onDraftMessageCleared`.
    ClearDraftMessage {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onDraftMessageCleared", &[]),
    |call, engine| engine.clear_draft_message(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `changeConversationTopStatus(type, targetId, channelId, top)` (TOP-2) → `onConversationTopStatusChanged`.
    ChangeConversationTopStatus {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// Pin (`true`) or unpin.
        top: bool,
    } => Completion::listener("onConversationTopStatusChanged", &[]),
    |call, engine| engine.change_conversation_top_status(call.conversation_type, &call.target_id, call.channel_id.as_deref(), call.top)
}

api_method! {
    /// `getConversationTopStatus(type, targetId, channelId)` (TOP-3) → `onConversationTopStatusLoaded`.
    GetConversationTopStatus {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onConversationTopStatusLoaded", &[]),
    |call, engine| engine.get_conversation_top_status(call.conversation_type, &call.target_id, call.channel_id.as_deref())
}

api_method! {
    /// `getTopConversations(conversationTypes, channelId)` (TOP-4) → `onTopConversationsLoaded`.
    GetTopConversations {
        /// The types to list.
        conversation_types: Vec<ConversationType>,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
    } => Completion::listener("onTopConversationsLoaded", &[]),
    |call, engine| engine.get_top_conversations(&call.conversation_types, call.channel_id.as_deref())
}

api_method! {
    /// `getConversationsForAllChannel(type, targetId)` (UG-12) → `onConversationsLoadedForAllChannel`.
    GetConversationsForAllChannel {
        /// The conversation type (the method's `type`): `ultraGroup` only.
        conversation_type: ConversationType,
        /// The ultra group.
        target_id: String,
    } => Completion::listener("onConversationsLoadedForAllChannel", &[]),
    |call, engine| engine.get_conversations_for_all_channel(call.conversation_type, &call.target_id)
}

api_method! {
    /// `sendTypingStatus(type, targetId, channelId, currentType)` (TYPING-1): a status code and nothing more.
    SendTypingStatus {
        /// The conversation's type: private only (TYPING-5).
        conversation_type: ConversationType,
        /// The other user.
        target_id: String,
        /// The ultra group channel; `null` for other types (CALL-10).
        #[serde(default)]
        channel_id: Option<String>,
        /// The type name of the message being typed, such as `RC:TxtMsg` (TYPING-3).
        current_type: String,
    } => Completion::StatusOnly,
    |call, engine| engine.send_typing_status(call.conversation_type, &call.target_id, call.channel_id.as_deref(), &call.current_type)
}
