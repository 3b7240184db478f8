//! Creating, sending and counting messages (MTYPE, SEND, GRP-16, UNREAD).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::limits;
use crate::types::{ConversationType, CustomMessagePolicy, Message, MessageType, ReceivedStatus, SentStatus};

/// Declares a `create…Message` method: its parameters after the conversation's three, and the typed call.
macro_rules! create_message {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident: $ty:ty, )* } => |$this:ident, $engine:ident, $target:ident, $channel:ident| $call:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            /// The conversation's type.
            pub conversation_type: ConversationType,
            /// The conversation's target: the other user, the group or the room.
            pub target_id: String,
            /// The ultra group channel; `null` for other types (CALL-10).
            #[serde(default)]
            pub channel_id: Option<String>,
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl ApiMethod for $name {
            const COMPLETION: Completion = Completion::Returns;

            async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
                let $this = self;
                let $engine = engine;
                let $target = $this.target_id.as_str();
                let $channel = $this.channel_id.as_deref();
                $call.await.map(|message| Returned::Message(Box::new(message)))
            }
        }
    };
}

create_message! {
    /// `createTextMessage(type, targetId, channelId, text)` (MTYPE-10): returns the message.
    CreateTextMessage {
        /// The text.
        text: String,
    } => |call, engine, target, channel| engine.create_text_message(call.conversation_type, target, channel, &call.text)
}

create_message! {
    /// `createVoiceMessage(type, targetId, channelId, path, duration)` (MTYPE-11): returns the message.
    CreateVoiceMessage {
        /// The audio file's local path.
        path: String,
        /// Its length, in seconds.
        duration: u32,
    } => |call, engine, target, channel| {
        engine.create_voice_message(call.conversation_type, target, channel, &call.path, call.duration)
    }
}

create_message! {
    /// `createImageMessage(type, targetId, channelId, path)` (MTYPE-12): returns the message.
    CreateImageMessage {
        /// The image file's local path.
        path: String,
    } => |call, engine, target, channel| engine.create_image_message(call.conversation_type, target, channel, &call.path)
}

create_message! {
    /// `createFileMessage(type, targetId, channelId, path)` (MTYPE-13): returns the message.
    CreateFileMessage {
        /// The file's local path.
        path: String,
    } => |call, engine, target, channel| engine.create_file_message(call.conversation_type, target, channel, &call.path)
}

create_message! {
    /// `createSightMessage(type, targetId, channelId, path, duration)` (MTYPE-14): returns the message.
    CreateSightMessage {
        /// The video file's local path.
        path: String,
        /// Its length, in seconds.
        duration: u32,
    } => |call, engine, target, channel| {
        engine.create_sight_message(call.conversation_type, target, channel, &call.path, call.duration)
    }
}

create_message! {
    /// `createGIFMessage(type, targetId, channelId, path)` (MTYPE-15): returns the message.
    CreateGIFMessage {
        /// The GIF file's local path.
        path: String,
    } => |call, engine, target, channel| engine.create_gif_message(call.conversation_type, target, channel, &call.path)
}

create_message! {
    /// `createReferenceMessage(type, targetId, channelId, referenceMessage, text)` (MTYPE-17): returns the message.
    CreateReferenceMessage {
        /// The quoted message.
        reference_message: Message,
        /// The quoting text.
        text: String,
    } => |call, engine, target, channel| {
        engine.create_reference_message(call.conversation_type, target, channel, &call.reference_message, &call.text)
    }
}

create_message! {
    /// `createLocationMessage(type, targetId, channelId, longitude, latitude, poiName, thumbnailPath)` (MTYPE-18):
    /// returns the message.
    CreateLocationMessage {
        /// Degrees east.
        #[schemars(range(min = -limits::LONGITUDE_DEGREES_MAX, max = limits::LONGITUDE_DEGREES_MAX))]
        longitude: f64,
        /// Degrees north.
        #[schemars(range(min = -limits::LATITUDE_DEGREES_MAX, max = limits::LATITUDE_DEGREES_MAX))]
        latitude: f64,
        /// The point of interest.
        poi_name: String,
        /// The thumbnail's path.
        thumbnail_path: String,
    } => |call, engine, target, channel| {
        engine.create_location_message(
            call.conversation_type,
            target,
            channel,
            call.longitude,
            call.latitude,
            &call.poi_name,
            &call.thumbnail_path,
        )
    }
}

create_message! {
    /// `createCustomMessage(type, targetId, channelId, policy, messageIdentifier, fields)` (MTYPE-21): returns the
    /// message.
    CreateCustomMessage {
        /// How it is stored and counted (MTYPE-7).
        policy: CustomMessagePolicy,
        /// Its object name (MTYPE-25).
        message_identifier: String,
        /// Its key-value content.
        fields: BTreeMap<String, String>,
    } => |call, engine, target, channel| {
        engine.create_custom_message(
            call.conversation_type,
            target,
            channel,
            call.policy,
            &call.message_identifier,
            call.fields.clone(),
        )
    }
}

/// `sendMessage(message)` (SEND-3) → `onMessageAttached`, then `onMessageSent` (SEND-4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessage {
    /// The message, as a `create…Message` method returned it.
    pub message: Message,
}

impl ApiMethod for SendMessage {
    const COMPLETION: Completion = Completion::listener("onMessageSent", &["onMessageAttached"]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.send_message(self.message).await.map(|()| Returned::Nothing)
    }
}

/// `sendGroupMessageToDesignatedUsers(message, userIds)` (GRP-16): a group message only these members receive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendGroupMessageToDesignatedUsers {
    /// The group message.
    pub message: Message,
    /// The members who receive it.
    pub user_ids: Vec<String>,
}

impl ApiMethod for SendGroupMessageToDesignatedUsers {
    const COMPLETION: Completion =
        Completion::listener("onGroupMessageToDesignatedUsersSent", &["onGroupMessageToDesignatedUsersAttached"]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.send_group_message_to_designated_users(self.message, self.user_ids).await.map(|()| Returned::Nothing)
    }
}

/// `getUnreadCount(type, targetId, channelId)` (UNREAD-2) → `onUnreadCountLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetUnreadCount {
    /// The conversation's type.
    pub conversation_type: ConversationType,
    /// The conversation's target.
    pub target_id: String,
    /// The ultra group channel; `null` for other types (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
}

impl ApiMethod for GetUnreadCount {
    const COMPLETION: Completion = Completion::listener("onUnreadCountLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { conversation_type, target_id, channel_id } = self;
        engine.get_unread_count(conversation_type, &target_id, channel_id.as_deref()).await.map(|()| Returned::Nothing)
    }
}

/// `getTotalUnreadCount(channelId)` (UNREAD-1) → `onTotalUnreadCountLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetTotalUnreadCount {
    /// The ultra group channel; `null` for every conversation (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
}

impl ApiMethod for GetTotalUnreadCount {
    const COMPLETION: Completion = Completion::listener("onTotalUnreadCountLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.get_total_unread_count(self.channel_id.as_deref()).await.map(|()| Returned::Nothing)
    }
}

/// `getUnreadCountByConversationTypes(conversationTypes, channelId, contain)` (UNREAD-3) →
/// `onUnreadCountByConversationTypesLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetUnreadCountByConversationTypes {
    /// The types to count (a chatroom counts 0).
    pub conversation_types: Vec<ConversationType>,
    /// The ultra group channel; `null` for other types (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
    /// Whether do-not-disturb conversations count (UNREAD-8).
    pub contain: bool,
}

impl ApiMethod for GetUnreadCountByConversationTypes {
    const COMPLETION: Completion = Completion::listener("onUnreadCountByConversationTypesLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { conversation_types, channel_id, contain } = self;
        engine
            .get_unread_count_by_conversation_types(&conversation_types, channel_id.as_deref(), contain)
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `getFirstUnreadMessage(type, targetId, channelId)` (XAPI-2) → `onFirstUnreadMessageLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetFirstUnreadMessage {
    /// The conversation's type.
    pub conversation_type: ConversationType,
    /// The conversation's target.
    pub target_id: String,
    /// The ultra group channel; `null` for other types (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
}

impl ApiMethod for GetFirstUnreadMessage {
    const COMPLETION: Completion = Completion::listener("onFirstUnreadMessageLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { conversation_type, target_id, channel_id } = self;
        engine
            .get_first_unread_message(conversation_type, &target_id, channel_id.as_deref())
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `getUnreadMentionedMessages(type, targetId, channelId)` (XAPI-3) → `onUnreadMentionedMessagesLoaded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetUnreadMentionedMessages {
    /// The conversation's type.
    pub conversation_type: ConversationType,
    /// The conversation's target.
    pub target_id: String,
    /// The ultra group channel; `null` for other types (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
}

impl ApiMethod for GetUnreadMentionedMessages {
    const COMPLETION: Completion = Completion::listener("onUnreadMentionedMessagesLoaded", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { conversation_type, target_id, channel_id } = self;
        engine
            .get_unread_mentioned_messages(conversation_type, &target_id, channel_id.as_deref())
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `searchConversations(conversationTypes, channelId, messageTypes, keyword)` (XAPI-4) → `onConversationsSearched`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchConversations {
    /// The conversation types to search; not empty, no chatroom (SEARCH-8).
    pub conversation_types: Vec<ConversationType>,
    /// The ultra group channel; `null` for other types (CALL-10).
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The message types to search; not empty. Only text, reference and file messages have searchable text
    /// (SEARCH-5).
    pub message_types: Vec<MessageType>,
    /// The text to find, ignoring case; not empty (SEARCH-5).
    pub keyword: String,
}

impl ApiMethod for SearchConversations {
    const COMPLETION: Completion = Completion::listener("onConversationsSearched", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        let Self { conversation_types, channel_id, message_types, keyword } = self;
        engine
            .search_conversations(&conversation_types, channel_id.as_deref(), &message_types, &keyword)
            .await
            .map(|()| Returned::Nothing)
    }
}

/// `changeMessageSentStatus(messageId, sentStatus)` (XAPI-5) → `onMessageSentStatusChanged`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeMessageSentStatus {
    /// The stored message's `messageId`.
    pub message_id: i64,
    /// The status to write.
    pub sent_status: SentStatus,
}

impl ApiMethod for ChangeMessageSentStatus {
    const COMPLETION: Completion = Completion::listener("onMessageSentStatusChanged", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.change_message_sent_status(self.message_id, self.sent_status).await.map(|()| Returned::Nothing)
    }
}

/// `changeMessageReceiveStatus(messageId, receivedStatus)` (XAPI-5) → `onMessageReceiveStatusChanged`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeMessageReceiveStatus {
    /// The stored message's `messageId`.
    pub message_id: i64,
    /// The status to write.
    pub received_status: ReceivedStatus,
}

impl ApiMethod for ChangeMessageReceiveStatus {
    const COMPLETION: Completion = Completion::listener("onMessageReceiveStatusChanged", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.change_message_receive_status(self.message_id, self.received_status).await.map(|()| Returned::Nothing)
    }
}
