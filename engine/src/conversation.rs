//! `RCIMIWConversation` (CONV-1, CONV-2): a conversation as the app sees it, derived from the stored messages (CONV-5:
//! "the SDK generates conversations in the local database from the messages sent and received").
//!
//! The store builds it (`Store::conversation_of`): its own state (operation time, pinned flag, draft) from the
//! conversation list, the rest (last message, unread and mentioned counts) from its stored messages. The
//! conversation's do-not-disturb level holds `none` until per-conversation levels exist.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{ConversationType, Message, PushNotificationLevel};

/// `RCIMIWConversation` (CONV-1), with `operationTime` (CONV-2). It serialises under the manual's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    /// The conversation's type.
    pub conversation_type: ConversationType,
    /// The conversation ID: the other user of a private conversation (CONV-4), the group, the chatroom.
    pub target_id: String,
    /// The ultra group channel; `null` for other types (CALL-11).
    pub channel_id: Option<String>,
    /// How many stored messages count as unread (UNREAD-6).
    pub unread_count: u32,
    /// How many unread messages mention the current user (MENTION-6; groups only, MENTION-7).
    pub mentioned_count: u32,
    /// The send time of the first unread message: ultra groups only, `0` for every other type (CONV-3).
    pub first_unread_msg_send_time: i64,
    /// Whether the conversation is pinned.
    pub top: bool,
    /// The saved draft; empty when there is none.
    pub draft: String,
    /// The conversation's do-not-disturb level: `none` until one is set (DND-7).
    pub notification_level: PushNotificationLevel,
    /// The newest stored message (by `sentTime`, then `messageId`).
    pub last_message: Option<Message>,
    /// The time of the conversation's last operation, Unix ms (CONV-2): the newest stored message's `sentTime`.
    pub operation_time: i64,
}

/// `RCIMIWSearchConversationResult` (XAPI-4): a conversation found by `searchConversations`, with how many of its
/// messages match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchConversationResult {
    /// The conversation.
    pub conversation: Conversation,
    /// How many of its stored messages of the searched types match the keyword (SEARCH-5).
    pub count: u32,
}

/// `RCIMIWTypingStatus` (TYPING-3): one user typing in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TypingStatus {
    /// The user who is typing.
    pub user_id: String,
    /// The type name of the message being typed: the `currentType` the sender passed.
    pub content_type: String,
    /// When the typing status was sent, Unix ms.
    pub sent_time: i64,
}
