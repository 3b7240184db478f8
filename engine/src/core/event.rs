//! What the app's listeners receive: one [`Event`] variant per listener of the manual, serialised under the
//! listener's name with its parameters, so the scenarios, the trace and the schema all read the same names.

use std::collections::BTreeMap;

use crate::conversation::{Conversation, SearchConversationResult, TypingStatus};
use crate::error::ErrorCode;
use crate::types::{
    BlacklistStatus, ChatRoomEntriesOperationType, ChatRoomMemberAction, ChatRoomStatus, ConnectionStatus,
    ConversationType, Expansion, Message, MessageType, PushNotificationLevel, TimeOrder,
};

/// What the app's listeners receive (the manual's `on…` callbacks), in the order they happened.
///
/// Each serialises as its listener: `{ "event": "onMessageReceived", "message": { … }, "left": 0, … }`, with the
/// listener's parameter names (the conversation type is `conversationType`, as on the message, where the Dart
/// parameter is named `type`), enums under their manual names and codes as numbers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all_fields = "camelCase")]
pub enum Event {
    /// `onDatabaseOpened(code)` (CONN-4, CONN-6).
    #[serde(rename = "onDatabaseOpened")]
    DatabaseOpened {
        /// 0, or why the database could not be opened.
        code: ErrorCode,
    },
    /// `onConnected(code, userId)` (CONN-4, CONN-5): exactly one per accepted `connect` call (CONN-6).
    #[serde(rename = "onConnected")]
    Connected {
        /// 0 on success.
        code: ErrorCode,
        /// The connected user, when the token named one.
        user_id: Option<String>,
    },
    /// `onConnectionStatusChanged(status)` (CONN-7), only when the status changes (CONN-8).
    #[serde(rename = "onConnectionStatusChanged")]
    ConnectionStatusChanged {
        /// The new status.
        status: ConnectionStatus,
    },
    /// `onMessageAttached(message)` (SEND-4): the message is stored, with sent status sending; a type that is not
    /// stored is attached all the same, with `message_id` 0 (SEND-17).
    #[serde(rename = "onMessageAttached")]
    MessageAttached {
        /// The stored message (`message_id` 0 if its type is not stored).
        message: Message,
    },
    /// `onMessageSent(code, message)` (SEND-4): the send's outcome.
    #[serde(rename = "onMessageSent")]
    MessageSent {
        /// 0, or why the send failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onGroupMessageToDesignatedUsersAttached(message)` (GRP-16): a directed group message is stored, with sent
    /// status sending. A directed send reports through these two listeners, not `onMessageAttached` and
    /// `onMessageSent`.
    #[serde(rename = "onGroupMessageToDesignatedUsersAttached")]
    GroupMessageToDesignatedUsersAttached {
        /// The stored message.
        message: Message,
    },
    /// `onGroupMessageToDesignatedUsersSent(code, message)` (GRP-16): a directed group message's send result.
    #[serde(rename = "onGroupMessageToDesignatedUsersSent")]
    GroupMessageToDesignatedUsersSent {
        /// 0, or why the send failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onMediaMessageAttached(message)` (SEND-9; the per-call listener's `onMediaMessageSaved`, SEND-8): a media
    /// message is stored, with sent status sending, before its upload starts (SEND-10).
    #[serde(rename = "onMediaMessageAttached")]
    MediaMessageAttached {
        /// The stored message, its media's `local` path set and `remote` not yet.
        message: Message,
    },
    /// `onMediaMessageSending(message, progress)` (SEND-8, SEND-9, SEND-11): the upload moved on; `progress` is a
    /// percentage that never decreases, and the last one, 100, comes before `onMediaMessageSent(0, …)`.
    #[serde(rename = "onMediaMessageSending")]
    MediaMessageSending {
        /// The message being sent.
        message: Message,
        /// 1 to 100.
        progress: u8,
    },
    /// `onMediaMessageSent(code, message)` (SEND-8, SEND-9): the media send's outcome; on success the message
    /// carries the uploaded file's `remote` URL (SEND-13).
    #[serde(rename = "onMediaMessageSent")]
    MediaMessageSent {
        /// 0, or why the upload or the send failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onSendingMediaMessageCanceled(code, message)` (SEND-12, XAPI-1): the result of `cancelSendingMediaMessage`
    /// (its per-call callback is `onCancelSendingMediaMessageCalled`); and, through a `sendMediaMessage` call's own
    /// listener only (SEND-8: `onSendingMediaMessageCanceled(message)`, with code 0 here), that send's end.
    #[serde(rename = "onSendingMediaMessageCanceled")]
    SendingMediaMessageCanceled {
        /// 0 when an upload was cancelled; 34018 when none of that message was running.
        code: ErrorCode,
        /// The message, `sentStatus` canceled after a cancellation.
        message: Message,
    },
    /// `onMediaMessageDownloading(message, progress)` (DL-2, DL-6): the download moved on, as SEND-11 says of
    /// uploads.
    #[serde(rename = "onMediaMessageDownloading")]
    MediaMessageDownloading {
        /// The message being downloaded.
        message: Message,
        /// 1 to 100.
        progress: u8,
    },
    /// `onMediaMessageDownloaded(code, message)` (DL-2, DL-6): the download's outcome; on success the media's
    /// `local` path names the downloaded file and a received message is `downloaded`.
    #[serde(rename = "onMediaMessageDownloaded")]
    MediaMessageDownloaded {
        /// 0, or why the download failed.
        code: ErrorCode,
        /// The message as now stored.
        message: Message,
    },
    /// `onDownloadingMediaMessageCanceled(code, message)` (DL-3, DL-5): the result of
    /// `cancelDownloadingMediaMessage` (its callback is `onCancelDownloadingMediaMessageCalled`); and, through a
    /// `downloadMediaMessage` call's own listener only, that download's end.
    #[serde(rename = "onDownloadingMediaMessageCanceled")]
    DownloadingMediaMessageCanceled {
        /// 0 when a download was cancelled; 34018 when none of that message was running.
        code: ErrorCode,
        /// The message.
        message: Message,
    },
    /// `onMessageReceived(message, left, offline, hasPackage)` (RECV-1 to RECV-9): every content message, of any
    /// type (RECV-10).
    #[serde(rename = "onMessageReceived")]
    MessageReceived {
        /// The stored message; `message_id` 0 for a type that is not stored or a status delivery.
        message: Message,
        /// Messages of this package still to be reported after this one (RECV-4).
        left: u32,
        /// Whether it is an offline message (RECV-6).
        offline: bool,
        /// Whether the server has further packages (RECV-5).
        has_package: bool,
    },
    /// The offline catch-up of this connection is complete: the last package (`hasPackage` false) is stored and
    /// acknowledged, and every message in it was reported (RECV-7). Not a listener of the manual, which lets the
    /// app infer the moment from `left` and `hasPackage`; native SDKs call it `onOfflineMessageSyncCompleted`.
    #[serde(rename = "onOfflineMessageSyncCompleted")]
    OfflineMessageSyncCompleted,
    /// `onBlacklistAdded(code, userId)` (BLACK-5).
    #[serde(rename = "onBlacklistAdded")]
    BlacklistAdded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user added.
        user_id: String,
    },
    /// `onBlacklistRemoved(code, userId)` (BLACK-6).
    #[serde(rename = "onBlacklistRemoved")]
    BlacklistRemoved {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user removed.
        user_id: String,
    },
    /// `onBlacklistStatusLoaded(code, userId, status)` (BLACK-7).
    #[serde(rename = "onBlacklistStatusLoaded")]
    BlacklistStatusLoaded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The user asked about.
        user_id: String,
        /// Whether they are in the current user's blacklist (`unknown` on failure).
        status: BlacklistStatus,
    },
    /// `onBlacklistLoaded(code, userIds)` (BLACK-8).
    #[serde(rename = "onBlacklistLoaded")]
    BlacklistLoaded {
        /// 0, or why the request failed.
        code: ErrorCode,
        /// The current user's blacklist, in the order the users were added (BLACK-13).
        user_ids: Vec<String>,
    },
    /// `onChatRoomJoining(targetId)` (CR-11): a join, by the app or an automatic rejoin (CR-41), is under way.
    #[serde(rename = "onChatRoomJoining")]
    ChatRoomJoining {
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomJoined(code, targetId)` (CR-11): the join's result. The fetched messages (CR-38) and the KV events
    /// (CRKV-20) come before it.
    #[serde(rename = "onChatRoomJoined")]
    ChatRoomJoined {
        /// 0, or why the join failed (23410 for a missing room, CR-39).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomLeft(code, targetId)` (CR-20): the result of `leaveChatRoom`.
    #[serde(rename = "onChatRoomLeft")]
    ChatRoomLeft {
        /// 0, or why the leave failed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
    },
    /// `onChatRoomStatusChanged(targetId, status)` (CR-23, CR-43): the room was reset or destroyed.
    #[serde(rename = "onChatRoomStatusChanged")]
    ChatRoomStatusChanged {
        /// The chatroom.
        target_id: String,
        /// What happened to it.
        status: ChatRoomStatus,
    },
    /// `onChatRoomMemberChanged(targetId, actions)` (CR-24, CR-44), with the member-change switch on.
    #[serde(rename = "onChatRoomMemberChanged")]
    ChatRoomMemberChanged {
        /// The chatroom.
        target_id: String,
        /// Who joined or left, in order.
        actions: Vec<ChatRoomMemberAction>,
    },
    /// `onChatRoomMessagesLoaded(code, targetId, messages, syncTime)` (CR-25, CR-26, CR-45).
    #[serde(rename = "onChatRoomMessagesLoaded")]
    ChatRoomMessagesLoaded {
        /// 0, or why the fetch failed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The messages, in ascending sent time (CR-45); empty on failure.
        messages: Vec<Message>,
        /// The timestamp to pass to the next fetch (CR-26); 0 on failure or when nothing was returned.
        sync_time: i64,
    },
    /// `onChatRoomEntryAdded(code, targetId, key)` (CRKV-7).
    #[serde(rename = "onChatRoomEntryAdded")]
    ChatRoomEntryAdded {
        /// 0, or why the entry was not set.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key.
        key: String,
    },
    /// `onChatRoomEntriesAdded(code, targetId, entries, errorEntries)` (CRKV-8, CRKV-18).
    #[serde(rename = "onChatRoomEntriesAdded")]
    ChatRoomEntriesAdded {
        /// 0 once the request was processed, whatever happened to single keys; otherwise why it was not.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The entries asked for.
        entries: BTreeMap<String, String>,
        /// The keys that failed, each with its code.
        error_entries: BTreeMap<String, ErrorCode>,
    },
    /// `onChatRoomEntryRemoved(code, targetId, key)` (CRKV-11).
    #[serde(rename = "onChatRoomEntryRemoved")]
    ChatRoomEntryRemoved {
        /// 0, or why the entry was not removed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key.
        key: String,
    },
    /// `onChatRoomEntriesRemoved(code, targetId, keys)` (CRKV-12).
    #[serde(rename = "onChatRoomEntriesRemoved")]
    ChatRoomEntriesRemoved {
        /// 0, or why the entries were not removed.
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The keys asked for.
        keys: Vec<String>,
    },
    /// `onChatRoomEntriesSynced(roomId)` (CRKV-13): the KV sync after a join is done; reads now work.
    #[serde(rename = "onChatRoomEntriesSynced")]
    ChatRoomEntriesSynced {
        /// The chatroom.
        room_id: String,
    },
    /// `onChatRoomEntriesChanged(operationType, roomId, entries)` (CRKV-14, CRKV-20): all entries right after a join,
    /// and later the changes other members make.
    #[serde(rename = "onChatRoomEntriesChanged")]
    ChatRoomEntriesChanged {
        /// Set or removed.
        operation_type: ChatRoomEntriesOperationType,
        /// The chatroom.
        room_id: String,
        /// The entries set, or each removed key with its last value.
        entries: BTreeMap<String, String>,
    },
    /// `onChatRoomEntryLoaded(code, targetId, entry)` (CRKV-9): the result of `getChatRoomEntry`, from the engine's
    /// synced copy of the room's entries.
    #[serde(rename = "onChatRoomEntryLoaded")]
    ChatRoomEntryLoaded {
        /// 0, or why there is no entry (23406 not in the room, 34004 not synced yet, 23427 no such key).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// The key and its value; empty on failure.
        entry: BTreeMap<String, String>,
    },
    /// `onChatRoomAllEntriesLoaded(code, targetId, entries)` (CRKV-10): the result of `getChatRoomAllEntries`.
    #[serde(rename = "onChatRoomAllEntriesLoaded")]
    ChatRoomAllEntriesLoaded {
        /// 0, or why there are none (23406 not in the room, 34004 not synced yet).
        code: ErrorCode,
        /// The chatroom.
        target_id: String,
        /// Every entry; empty on failure.
        entries: BTreeMap<String, String>,
    },
    /// `onUnreadCountLoaded(code, type, targetId, channelId, count)` (UNREAD-2): the result of `getUnreadCount`.
    #[serde(rename = "onUnreadCountLoaded")]
    UnreadCountLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The number of unread messages.
        count: u32,
    },
    /// `onTotalUnreadCountLoaded(code, channelId, count)` (UNREAD-1): the result of `getTotalUnreadCount`.
    #[serde(rename = "onTotalUnreadCountLoaded")]
    TotalUnreadCountLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The number of unread messages of every conversation but chatrooms.
        count: u32,
    },
    /// `onFirstUnreadMessageLoaded(code, type, targetId, channelId, message)` (XAPI-2): the result of
    /// `getFirstUnreadMessage`. The manual names only the callback; the listener is the real SDK's (deprecated there).
    #[serde(rename = "onFirstUnreadMessageLoaded")]
    FirstUnreadMessageLoaded {
        /// 0, or why the message could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The oldest unread received message, or `null` when there is none.
        message: Option<Message>,
    },
    /// `onUnreadMentionedMessagesLoaded(code, type, targetId, channelId, messages)` (XAPI-3): the result of
    /// `getUnreadMentionedMessages`. The manual names only the callback; the listener is the real SDK's (deprecated
    /// there).
    #[serde(rename = "onUnreadMentionedMessagesLoaded")]
    UnreadMentionedMessagesLoaded {
        /// 0, or why the messages could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The unread messages that mention the current user, oldest first.
        messages: Vec<Message>,
    },
    /// `onConversationsSearched(code, conversationTypes, channelId, messageTypes, keyword, conversations)` (XAPI-4):
    /// the result of `searchConversations`. The manual names only the callback; the listener is the real SDK's
    /// (deprecated there).
    #[serde(rename = "onConversationsSearched")]
    ConversationsSearched {
        /// 0, or why the search failed.
        code: ErrorCode,
        /// The conversation types searched, as passed.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The message types searched, as passed.
        message_types: Vec<MessageType>,
        /// The keyword, as passed.
        keyword: String,
        /// The conversations found, each with its number of matching messages.
        conversations: Vec<SearchConversationResult>,
    },
    /// `onMessageSentStatusChanged(code, messageId)` (XAPI-5): the result of `changeMessageSentStatus`; the real
    /// SDK's listener (deprecated there), as the manual names only the callback.
    #[serde(rename = "onMessageSentStatusChanged")]
    MessageSentStatusChanged {
        /// 0, or 34204 (`INVALID_PARAMETER_MESSAGEID`) for a message that is not stored.
        code: ErrorCode,
        /// The message, as passed.
        message_id: i64,
    },
    /// `onMessageReceiveStatusChanged(code, messageId)` (XAPI-5): the result of `changeMessageReceiveStatus`.
    #[serde(rename = "onMessageReceiveStatusChanged")]
    MessageReceiveStatusChanged {
        /// 0, or 34204 (`INVALID_PARAMETER_MESSAGEID`) for a message that is not stored.
        code: ErrorCode,
        /// The message, as passed.
        message_id: i64,
    },
    /// `onConversationTypeNotificationLevelChanged(code, type, level)` (DND-17): the result of
    /// `changeConversationTypeNotificationLevel`.
    #[serde(rename = "onConversationTypeNotificationLevelChanged")]
    ConversationTypeNotificationLevelChanged {
        /// 0, or why the server refused it.
        code: ErrorCode,
        /// The conversation type (the listener's `type`), as passed.
        conversation_type: ConversationType,
        /// The level, as passed.
        level: PushNotificationLevel,
    },
    /// `onConversationTypeNotificationLevelLoaded(code, type, level)` (DND-18, XAPI-6): the result of
    /// `getConversationTypeNotificationLevel`; `none` when never set (DND-7) or when the read failed.
    #[serde(rename = "onConversationTypeNotificationLevelLoaded")]
    ConversationTypeNotificationLevelLoaded {
        /// 0, or why the level could not be read.
        code: ErrorCode,
        /// The conversation type (the listener's `type`), as passed.
        conversation_type: ConversationType,
        /// The level.
        level: PushNotificationLevel,
    },
    /// `onUnreadCountByConversationTypesLoaded(code, conversationTypes, channelId, contain, count)` (UNREAD-3): the
    /// result of `getUnreadCountByConversationTypes`.
    #[serde(rename = "onUnreadCountByConversationTypesLoaded")]
    UnreadCountByConversationTypesLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The types, as passed.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// Whether do-not-disturb conversations count, as passed.
        contain: bool,
        /// The number of unread messages of those types.
        count: u32,
    },
    /// `onMessagesLoaded(code, type, targetId, channelId, sentTime, order, messages)` (HIST-8): a page of one
    /// conversation's history, the result of `getMessages`.
    #[serde(rename = "onMessagesLoaded")]
    MessagesLoaded {
        /// 0, or why the page could not be loaded (33007: no cloud storage for `remote`, HIST-12).
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The anchor, as passed.
        sent_time: i64,
        /// The direction, as passed.
        order: TimeOrder,
        /// The page: newest first for `before`, oldest first for `after` (HIST-9); empty on failure.
        messages: Vec<Message>,
    },
    /// `IRCIMIWGetMessageCallback` (GET-4): the result of `getMessageById` or `getMessageByUid`. The manual gives
    /// these methods no engine listener, so only a per-call callback receives it: its `onSuccess(message)` when
    /// `code` is 0, its `onError(code)` otherwise.
    #[serde(rename = "IRCIMIWGetMessageCallback")]
    MessageLoaded {
        /// 0, or 34204 when no stored message matches (GET-5).
        code: ErrorCode,
        /// The stored message; `null` on a miss.
        message: Option<Message>,
    },
    /// `onMessageInserted(code, message)` (INS-1): the result of `insertMessage`.
    #[serde(rename = "onMessageInserted")]
    MessageInserted {
        /// 0, or why the message could not be stored.
        code: ErrorCode,
        /// The message as stored, with its new `messageId` (INS-9).
        message: Message,
    },
    /// `onMessagesInserted(code, messages)` (INS-5): the result of `insertMessages`: all of them, or none (INS-6).
    #[serde(rename = "onMessagesInserted")]
    MessagesInserted {
        /// 0, or why none could be stored.
        code: ErrorCode,
        /// The messages as stored, in the order given.
        messages: Vec<Message>,
    },
    /// `onLocalMessagesDeleted(code, messages)` (DEL-9): the result of `deleteLocalMessages`.
    #[serde(rename = "onLocalMessagesDeleted")]
    LocalMessagesDeleted {
        /// 0, or why nothing could be deleted.
        code: ErrorCode,
        /// The messages, as passed (DEL-16: those not stored were ignored).
        messages: Vec<Message>,
    },
    /// `onMessagesDeleted(code, type, targetId, channelId, messages)` (DEL-10): the result of `deleteMessages`.
    #[serde(rename = "onMessagesDeleted")]
    MessagesDeleted {
        /// 0, or why nothing was deleted (33007 without cloud storage, DEL-14).
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The messages, as passed.
        messages: Vec<Message>,
    },
    /// `onMessageRecalled(code, message)` (RECALL-1): the result of `recallMessage`.
    #[serde(rename = "onMessageRecalled")]
    MessageRecalled {
        /// 0, or why the server refused (25101, 25107 under CFG-5, RECALL-10).
        code: ErrorCode,
        /// On success the recalled message, now its recall notification (RECALL-8); on failure the message as
        /// passed.
        message: Message,
    },
    /// `onRemoteMessageRecalled(message)` (RECALL-4): a message this device holds was recalled by someone else,
    /// or by this user on another device (SYNC-15); it is now its recall notification (RECALL-8).
    #[serde(rename = "onRemoteMessageRecalled")]
    RemoteMessageRecalled {
        /// The message as now stored.
        message: Message,
    },
    /// `onMessageExpansionUpdated(code, messageUid, expansion)` (EXP-6): the result of `updateMessageExpansion`.
    #[serde(rename = "onMessageExpansionUpdated")]
    MessageExpansionUpdated {
        /// 0, or why the server refused (34008, 34010, 20604: EXP-11, EXP-14).
        code: ErrorCode,
        /// The message's UID, as passed.
        message_uid: String,
        /// The entries, as passed.
        expansion: Expansion,
    },
    /// `onMessageExpansionForKeysRemoved(code, messageUid, keys)` (EXP-8): the result of
    /// `removeMessageExpansionForKeys`.
    #[serde(rename = "onMessageExpansionForKeysRemoved")]
    MessageExpansionForKeysRemoved {
        /// 0, or why the server refused (34008, 20604: EXP-11, EXP-14).
        code: ErrorCode,
        /// The message's UID, as passed.
        message_uid: String,
        /// The keys, as passed.
        keys: Vec<String>,
    },
    /// `onRemoteMessageExpansionUpdated(expansion, message)` (EXP-9, EXP-13): another participant, or this user on
    /// another device, set entries of the expansion of a message this device holds.
    #[serde(rename = "onRemoteMessageExpansionUpdated")]
    RemoteMessageExpansionUpdated {
        /// Only the entries that changed.
        expansion: Expansion,
        /// The message as now stored, with its whole expansion.
        message: Message,
    },
    /// `onRemoteMessageExpansionForKeyRemoved(message, keys)` (EXP-10, EXP-13): another participant, or this user on
    /// another device, deleted keys from the expansion of a message this device holds.
    #[serde(rename = "onRemoteMessageExpansionForKeyRemoved")]
    RemoteMessageExpansionForKeyRemoved {
        /// The message as now stored.
        message: Message,
        /// The deleted keys.
        keys: Vec<String>,
    },
    /// `onPrivateReadReceiptMessageSent(code, targetId, channelId, timestamp)` (RCPT-2): the result of
    /// `sendPrivateReadReceiptMessage`.
    #[serde(rename = "onPrivateReadReceiptMessageSent")]
    PrivateReadReceiptMessageSent {
        /// 0, or why the receipt was not sent.
        code: ErrorCode,
        /// The reader's peer, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The send time of the last message read, as passed.
        timestamp: i64,
    },
    /// `onPrivateReadReceiptReceived(targetId, channelId, timestamp)` (RCPT-3, RCPT-4): the peer read this user's
    /// messages up to `timestamp`; they are now `read` (RCPT-5).
    #[serde(rename = "onPrivateReadReceiptReceived")]
    PrivateReadReceiptReceived {
        /// The reader: the private conversation's target as this user sees it.
        target_id: String,
        /// Always null: a private conversation has no channel.
        channel_id: Option<String>,
        /// The send time of the last message read.
        timestamp: i64,
    },
    /// `onGroupReadReceiptRequestSent(code, message)` (GRCPT-2): the result of `sendGroupReadReceiptRequest`.
    #[serde(rename = "onGroupReadReceiptRequestSent")]
    GroupReadReceiptRequestSent {
        /// 0, or why receipts were not asked for.
        code: ErrorCode,
        /// On success the message as now stored (`groupReadReceiptInfo.readReceiptMessage` true, GRCPT-10); on
        /// failure as passed.
        message: Message,
    },
    /// `onGroupMessageReadReceiptRequestReceived(targetId, messageUid)` (GRCPT-3, GRCPT-8): another member asks
    /// for read receipts for message `messageUid` of group `targetId`.
    #[serde(rename = "onGroupMessageReadReceiptRequestReceived")]
    GroupMessageReadReceiptRequestReceived {
        /// The group.
        target_id: String,
        /// The message receipts are asked for.
        message_uid: String,
    },
    /// `onGroupReadReceiptResponseSent(code, targetId, channelId, messages)` (GRCPT-4): the result of
    /// `sendGroupReadReceiptResponse`.
    #[serde(rename = "onGroupReadReceiptResponseSent")]
    GroupReadReceiptResponseSent {
        /// 0, or why the response was not sent.
        code: ErrorCode,
        /// The group, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// On success the messages as now stored (`hasRespond` true, GRCPT-10); on failure as passed.
        messages: Vec<Message>,
    },
    /// `onGroupMessageReadReceiptResponseReceived(targetId, messageUid, respondUserIds)` (GRCPT-5, GRCPT-9): the
    /// members who have answered this user's request so far, each with the time of the answer.
    #[serde(rename = "onGroupMessageReadReceiptResponseReceived")]
    GroupMessageReadReceiptResponseReceived {
        /// The group.
        target_id: String,
        /// The message receipts were asked for.
        message_uid: String,
        /// Every response so far (GRCPT-9), by user ID.
        respond_user_ids: BTreeMap<String, i64>,
    },
    /// `onConversationReadStatusSynced(code, type, targetId, channelId, timestamp)` (RSYNC-2): the result of
    /// `syncConversationReadStatus`.
    #[serde(rename = "onConversationReadStatusSynced")]
    ConversationReadStatusSynced {
        /// 0, or why the sync was not sent.
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The send time of the last message read, as passed.
        timestamp: i64,
    },
    /// `onUltraGroupReadStatusSynced(code, targetId, channelId, timestamp)` (UG-31): the result of
    /// `syncUltraGroupReadStatus`.
    #[serde(rename = "onUltraGroupReadStatusSynced")]
    UltraGroupReadStatusSynced {
        /// 0, or why the sync was refused.
        code: ErrorCode,
        /// The ultra group, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The unused timestamp, as passed (UG-32).
        timestamp: i64,
    },
    /// `onConversationReadStatusSyncMessageReceived(type, targetId, timestamp)` (RSYNC-3): another device of this
    /// user read the conversation up to `timestamp`; its received messages up to then are now read here (RSYNC-6).
    /// In an ultra group, every message of the channel the other device synced is read (RSYNC-4, UG-32).
    #[serde(rename = "onConversationReadStatusSyncMessageReceived")]
    ConversationReadStatusSyncMessageReceived {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The send time of the last message read.
        timestamp: i64,
    },
    /// `onMessagesCleared(code, type, targetId, channelId, timestamp)` (DEL-11): the result of `clearMessages`.
    #[serde(rename = "onMessagesCleared")]
    MessagesCleared {
        /// 0, or why nothing was cleared (33007 for a remote policy without cloud storage, DEL-14).
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The timestamp, as passed.
        timestamp: i64,
    },
    /// `onMessagesSearched(code, type, targetId, channelId, keyword, startTime, count, messages)` (SEARCH-2).
    #[serde(rename = "onMessagesSearched")]
    MessagesSearched {
        /// 0, or why the search failed.
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The keyword, as passed.
        keyword: String,
        /// The anchor, as passed.
        start_time: i64,
        /// The count, as passed.
        count: i32,
        /// The matches, newest first (SEARCH-6).
        messages: Vec<Message>,
    },
    /// `onMessagesSearchedByTimeRange(code, type, targetId, channelId, keyword, startTime, endTime, offset, count,
    /// messages)` (SEARCH-3).
    #[serde(rename = "onMessagesSearchedByTimeRange")]
    MessagesSearchedByTimeRange {
        /// 0, or why the search failed.
        code: ErrorCode,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The keyword, as passed.
        keyword: String,
        /// The range's start, as passed.
        start_time: i64,
        /// The range's end, as passed.
        end_time: i64,
        /// The offset, as passed.
        offset: i32,
        /// The count, as passed.
        count: i32,
        /// The matches, newest first, after the offset (SEARCH-7).
        messages: Vec<Message>,
    },
    /// `onMessagesSearchedByUserId(code, userId, type, targetId, channelId, startTime, count, messages)` (SEARCH-4).
    #[serde(rename = "onMessagesSearchedByUserId")]
    MessagesSearchedByUserId {
        /// 0, or why the search failed.
        code: ErrorCode,
        /// The sender, as passed.
        user_id: String,
        /// The conversation's type, as passed.
        conversation_type: ConversationType,
        /// The conversation's target, as passed.
        target_id: String,
        /// The channel, as passed.
        channel_id: Option<String>,
        /// The anchor, as passed.
        start_time: i64,
        /// The count, as passed.
        count: i32,
        /// The sender's messages, newest first (SEARCH-6).
        messages: Vec<Message>,
    },
    /// `onConversationsLoaded(code, conversationTypes, channelId, startTime, count, conversations)` (CONV-6).
    #[serde(rename = "onConversationsLoaded")]
    ConversationsLoaded {
        /// 0, or why the list could not be read.
        code: ErrorCode,
        /// The types asked for.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The bound asked for: only conversations whose operation time is before it; 0 from the newest.
        start_time: i64,
        /// The page size asked for.
        count: i32,
        /// The page, pinned first, then newest operation time first (CONV-7).
        conversations: Vec<Conversation>,
    },
    /// `onConversationLoaded(code, type, targetId, channelId, conversation)` (CONV-8).
    #[serde(rename = "onConversationLoaded")]
    ConversationLoaded {
        /// 0, or why the conversation could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The conversation; `null` when the list does not hold it (CONV-9).
        conversation: Option<Conversation>,
    },
    /// `IRCIMIWGetUnreadConversationsCallback` (CONV-10): the result of `getUnreadConversations`, which has no
    /// engine listener, so only a per-call callback receives it.
    #[serde(rename = "IRCIMIWGetUnreadConversationsCallback")]
    UnreadConversationsLoaded {
        /// 0, or why the list could not be read.
        code: ErrorCode,
        /// The conversations holding unread messages, in the list's order (CONV-11).
        conversations: Vec<Conversation>,
    },
    /// `onUnreadCountCleared(code, type, targetId, channelId, timestamp)` (UNREAD-4).
    #[serde(rename = "onUnreadCountCleared")]
    UnreadCountCleared {
        /// 0, or why nothing was cleared.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The send time up to which messages are now read (UNREAD-7).
        timestamp: i64,
    },
    /// `onUnreadMentionedCountLoaded(code, type, targetId, channelId, count)` (UNREAD-5).
    #[serde(rename = "onUnreadMentionedCountLoaded")]
    UnreadMentionedCountLoaded {
        /// 0, or why the count could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The unread messages that mention the current user (groups only, MENTION-7).
        count: u32,
    },
    /// `onConversationRemoved(code, type, targetId, channelId)` (CREM-1).
    #[serde(rename = "onConversationRemoved")]
    ConversationRemoved {
        /// 0, or why it was not removed.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
    },
    /// `onConversationsRemoved(code, conversationTypes, channelId)` (CREM-2).
    #[serde(rename = "onConversationsRemoved")]
    ConversationsRemoved {
        /// 0, or why nothing was removed.
        code: ErrorCode,
        /// The types asked for.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
    },
    /// `onDraftMessageSaved(code, type, targetId, channelId, draft)` (DRAFT-1).
    #[serde(rename = "onDraftMessageSaved")]
    DraftMessageSaved {
        /// 0, or why it was not saved.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The draft saved.
        draft: String,
    },
    /// `onDraftMessageLoaded(code, type, targetId, channelId, draft)` (DRAFT-2).
    #[serde(rename = "onDraftMessageLoaded")]
    DraftMessageLoaded {
        /// 0, or why it could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The draft; `""` when there is none (DRAFT-6).
        draft: String,
    },
    /// `onDraftMessageCleared(code, type, targetId, channelId)` (DRAFT-3).
    #[serde(rename = "onDraftMessageCleared")]
    DraftMessageCleared {
        /// 0, or why it was not cleared.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
    },
    /// `onConversationTopStatusChanged(code, type, targetId, channelId, top)` (TOP-2).
    #[serde(rename = "onConversationTopStatusChanged")]
    ConversationTopStatusChanged {
        /// 0, or why the server refused the change (nothing changed then).
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The state asked for.
        top: bool,
    },
    /// `onConversationTopStatusLoaded(code, type, targetId, channelId, top)` (TOP-3).
    #[serde(rename = "onConversationTopStatusLoaded")]
    ConversationTopStatusLoaded {
        /// 0, or why it could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// Whether it is pinned; `false` for a conversation the list does not hold.
        top: bool,
    },
    /// `onConversationsLoadedForAllChannel(code, type, targetId, conversations)` (UG-12): the result of
    /// `getConversationsForAllChannel`.
    #[serde(rename = "onConversationsLoadedForAllChannel")]
    ConversationsLoadedForAllChannel {
        /// 0, or why the list could not be read.
        code: ErrorCode,
        /// The type, as passed (the listener's `type`).
        conversation_type: ConversationType,
        /// The ultra group, as passed.
        target_id: String,
        /// One conversation per channel with a stored message, newest message first.
        conversations: Vec<Conversation>,
    },
    /// `onTopConversationsLoaded(code, conversationTypes, channelId, conversations)` (TOP-4).
    #[serde(rename = "onTopConversationsLoaded")]
    TopConversationsLoaded {
        /// 0, or why the list could not be read.
        code: ErrorCode,
        /// The types asked for.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The pinned conversations, newest operation time first (TOP-10).
        conversations: Vec<Conversation>,
    },
    /// `onConversationTopStatusSynced(type, targetId, channelId, top)` (TOP-5, TOP-9): another device of the user
    /// changed a pinned state, told at once or when this device connects.
    #[serde(rename = "onConversationTopStatusSynced")]
    ConversationTopStatusSynced {
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types.
        channel_id: Option<String>,
        /// The state now held.
        top: bool,
    },
    /// `onConversationNotificationLevelChanged(code, type, targetId, channelId, level)` (DND-19): the result of
    /// `changeConversationNotificationLevel`.
    #[serde(rename = "onConversationNotificationLevelChanged")]
    ConversationNotificationLevelChanged {
        /// 0, or why the server refused the change (nothing changed then).
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The level asked for.
        level: PushNotificationLevel,
    },
    /// `onConversationNotificationLevelLoaded(code, type, targetId, channelId, level)` (DND-22): the result of
    /// `getConversationNotificationLevel`.
    #[serde(rename = "onConversationNotificationLevelLoaded")]
    ConversationNotificationLevelLoaded {
        /// 0, or why it could not be read.
        code: ErrorCode,
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The level the user set; `none` when never set (DND-38).
        level: PushNotificationLevel,
    },
    /// `onConversationNotificationLevelSynced(type, targetId, channelId, level)` (TOP-5, TOP-11): another device of
    /// the user changed a conversation's do-not-disturb level, told at once or when this device connects.
    #[serde(rename = "onConversationNotificationLevelSynced")]
    ConversationNotificationLevelSynced {
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The ultra group channel; `null` for other types.
        channel_id: Option<String>,
        /// The level now held.
        level: PushNotificationLevel,
    },
    /// `onBlockedConversationsLoaded(code, conversationTypes, channelId, conversations)` (DND-23): the result of
    /// `getBlockedConversations`.
    #[serde(rename = "onBlockedConversationsLoaded")]
    BlockedConversationsLoaded {
        /// 0, or why the list could not be read.
        code: ErrorCode,
        /// The types asked for.
        conversation_types: Vec<ConversationType>,
        /// The channel, as passed (CALL-11).
        channel_id: Option<String>,
        /// The listed conversations whose own level mutes pushes (DND-37), newest operation time first.
        conversations: Vec<Conversation>,
    },
    /// `onTypingStatusChanged(type, targetId, channelId, userTypingStatus)` (TYPING-2, TYPING-6): the users typing
    /// in a conversation changed.
    #[serde(rename = "onTypingStatusChanged")]
    TypingStatusChanged {
        /// The conversation's type (the listener's `type`).
        conversation_type: ConversationType,
        /// The conversation's target: the other user of the private conversation.
        target_id: String,
        /// The ultra group channel; `null` for other types.
        channel_id: Option<String>,
        /// Everyone now typing in the conversation, by user ID; empty when nobody is.
        user_typing_status: Vec<TypingStatus>,
    },
}

impl Event {
    /// Every listener's name, read once from the events' JSON Schema (the `event` tag of each variant).
    pub fn listener_names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let schema = schemars::schema_for!(Event).to_value();
            let variants = schema.get("oneOf").and_then(|variants| variants.as_array()).cloned().unwrap_or_default();
            variants
                .iter()
                .filter_map(|variant| variant.pointer("/properties/event/const").and_then(|name| name.as_str()))
                .map(str::to_owned)
                .collect()
        })
    }

    /// Whether only a per-call callback ever receives this event: the manual gives its methods no engine listener
    /// (GET-4), so a call made without a callback has its result dropped.
    pub fn only_through_callback(&self) -> bool {
        matches!(self, Event::MessageLoaded { .. } | Event::UnreadConversationsLoaded { .. })
    }

    /// The manual's name of the listener that receives this event, such as `onMessageReceived`: the `event` tag
    /// of its serialised form.
    pub fn listener(&self) -> &'static str {
        match self {
            Event::DatabaseOpened { .. } => "onDatabaseOpened",
            Event::Connected { .. } => "onConnected",
            Event::ConnectionStatusChanged { .. } => "onConnectionStatusChanged",
            Event::MessageAttached { .. } => "onMessageAttached",
            Event::MessageSent { .. } => "onMessageSent",
            Event::GroupMessageToDesignatedUsersAttached { .. } => "onGroupMessageToDesignatedUsersAttached",
            Event::GroupMessageToDesignatedUsersSent { .. } => "onGroupMessageToDesignatedUsersSent",
            Event::MediaMessageAttached { .. } => "onMediaMessageAttached",
            Event::MediaMessageSending { .. } => "onMediaMessageSending",
            Event::MediaMessageSent { .. } => "onMediaMessageSent",
            Event::SendingMediaMessageCanceled { .. } => "onSendingMediaMessageCanceled",
            Event::MediaMessageDownloading { .. } => "onMediaMessageDownloading",
            Event::MediaMessageDownloaded { .. } => "onMediaMessageDownloaded",
            Event::DownloadingMediaMessageCanceled { .. } => "onDownloadingMediaMessageCanceled",
            Event::MessageReceived { .. } => "onMessageReceived",
            Event::OfflineMessageSyncCompleted => "onOfflineMessageSyncCompleted",
            Event::BlacklistAdded { .. } => "onBlacklistAdded",
            Event::BlacklistRemoved { .. } => "onBlacklistRemoved",
            Event::BlacklistStatusLoaded { .. } => "onBlacklistStatusLoaded",
            Event::BlacklistLoaded { .. } => "onBlacklistLoaded",
            Event::ChatRoomJoining { .. } => "onChatRoomJoining",
            Event::ChatRoomJoined { .. } => "onChatRoomJoined",
            Event::ChatRoomLeft { .. } => "onChatRoomLeft",
            Event::ChatRoomStatusChanged { .. } => "onChatRoomStatusChanged",
            Event::ChatRoomMemberChanged { .. } => "onChatRoomMemberChanged",
            Event::ChatRoomMessagesLoaded { .. } => "onChatRoomMessagesLoaded",
            Event::MessagesLoaded { .. } => "onMessagesLoaded",
            Event::MessageLoaded { .. } => "IRCIMIWGetMessageCallback",
            Event::MessageInserted { .. } => "onMessageInserted",
            Event::MessagesInserted { .. } => "onMessagesInserted",
            Event::LocalMessagesDeleted { .. } => "onLocalMessagesDeleted",
            Event::MessagesDeleted { .. } => "onMessagesDeleted",
            Event::MessageRecalled { .. } => "onMessageRecalled",
            Event::RemoteMessageRecalled { .. } => "onRemoteMessageRecalled",
            Event::MessageExpansionUpdated { .. } => "onMessageExpansionUpdated",
            Event::MessageExpansionForKeysRemoved { .. } => "onMessageExpansionForKeysRemoved",
            Event::RemoteMessageExpansionUpdated { .. } => "onRemoteMessageExpansionUpdated",
            Event::RemoteMessageExpansionForKeyRemoved { .. } => "onRemoteMessageExpansionForKeyRemoved",
            Event::PrivateReadReceiptMessageSent { .. } => "onPrivateReadReceiptMessageSent",
            Event::PrivateReadReceiptReceived { .. } => "onPrivateReadReceiptReceived",
            Event::GroupReadReceiptRequestSent { .. } => "onGroupReadReceiptRequestSent",
            Event::GroupMessageReadReceiptRequestReceived { .. } => "onGroupMessageReadReceiptRequestReceived",
            Event::GroupReadReceiptResponseSent { .. } => "onGroupReadReceiptResponseSent",
            Event::GroupMessageReadReceiptResponseReceived { .. } => "onGroupMessageReadReceiptResponseReceived",
            Event::ConversationReadStatusSynced { .. } => "onConversationReadStatusSynced",
            Event::UltraGroupReadStatusSynced { .. } => "onUltraGroupReadStatusSynced",
            Event::ConversationReadStatusSyncMessageReceived { .. } => "onConversationReadStatusSyncMessageReceived",
            Event::MessagesCleared { .. } => "onMessagesCleared",
            Event::MessagesSearched { .. } => "onMessagesSearched",
            Event::MessagesSearchedByTimeRange { .. } => "onMessagesSearchedByTimeRange",
            Event::MessagesSearchedByUserId { .. } => "onMessagesSearchedByUserId",
            Event::ChatRoomEntryAdded { .. } => "onChatRoomEntryAdded",
            Event::ChatRoomEntriesAdded { .. } => "onChatRoomEntriesAdded",
            Event::ChatRoomEntryRemoved { .. } => "onChatRoomEntryRemoved",
            Event::ChatRoomEntriesRemoved { .. } => "onChatRoomEntriesRemoved",
            Event::ChatRoomEntriesSynced { .. } => "onChatRoomEntriesSynced",
            Event::ChatRoomEntriesChanged { .. } => "onChatRoomEntriesChanged",
            Event::ChatRoomEntryLoaded { .. } => "onChatRoomEntryLoaded",
            Event::ChatRoomAllEntriesLoaded { .. } => "onChatRoomAllEntriesLoaded",
            Event::UnreadCountLoaded { .. } => "onUnreadCountLoaded",
            Event::TotalUnreadCountLoaded { .. } => "onTotalUnreadCountLoaded",
            Event::UnreadCountByConversationTypesLoaded { .. } => "onUnreadCountByConversationTypesLoaded",
            Event::FirstUnreadMessageLoaded { .. } => "onFirstUnreadMessageLoaded",
            Event::UnreadMentionedMessagesLoaded { .. } => "onUnreadMentionedMessagesLoaded",
            Event::ConversationsSearched { .. } => "onConversationsSearched",
            Event::ConversationTypeNotificationLevelChanged { .. } => "onConversationTypeNotificationLevelChanged",
            Event::ConversationTypeNotificationLevelLoaded { .. } => "onConversationTypeNotificationLevelLoaded",
            Event::MessageSentStatusChanged { .. } => "onMessageSentStatusChanged",
            Event::MessageReceiveStatusChanged { .. } => "onMessageReceiveStatusChanged",
            Event::ConversationsLoaded { .. } => "onConversationsLoaded",
            Event::ConversationLoaded { .. } => "onConversationLoaded",
            Event::UnreadConversationsLoaded { .. } => "IRCIMIWGetUnreadConversationsCallback",
            Event::UnreadCountCleared { .. } => "onUnreadCountCleared",
            Event::UnreadMentionedCountLoaded { .. } => "onUnreadMentionedCountLoaded",
            Event::ConversationRemoved { .. } => "onConversationRemoved",
            Event::ConversationsRemoved { .. } => "onConversationsRemoved",
            Event::DraftMessageSaved { .. } => "onDraftMessageSaved",
            Event::DraftMessageLoaded { .. } => "onDraftMessageLoaded",
            Event::DraftMessageCleared { .. } => "onDraftMessageCleared",
            Event::ConversationTopStatusChanged { .. } => "onConversationTopStatusChanged",
            Event::ConversationTopStatusLoaded { .. } => "onConversationTopStatusLoaded",
            Event::TopConversationsLoaded { .. } => "onTopConversationsLoaded",
            Event::ConversationsLoadedForAllChannel { .. } => "onConversationsLoadedForAllChannel",
            Event::ConversationTopStatusSynced { .. } => "onConversationTopStatusSynced",
            Event::ConversationNotificationLevelChanged { .. } => "onConversationNotificationLevelChanged",
            Event::ConversationNotificationLevelLoaded { .. } => "onConversationNotificationLevelLoaded",
            Event::ConversationNotificationLevelSynced { .. } => "onConversationNotificationLevelSynced",
            Event::BlockedConversationsLoaded { .. } => "onBlockedConversationsLoaded",
            Event::TypingStatusChanged { .. } => "onTypingStatusChanged",
        }
    }
}
