//! The engine's local database: one per user (spec: "one database per user"), behind the `Store` trait.
//!
//! The sans-I/O core calls the store synchronously, inside the input that caused the write, so "persist before
//! acknowledge" is a plain ordering of two statements in the core: the store call returns, then the acknowledgement
//! frame is queued. Two implementations pass one shared conformance suite (`store/tests.rs`):
//!
//! - `SqliteStore`: rusqlite with bundled SQLite, WAL, numbered migrations under `engine/migrations/`. The real
//!   thing, used by the driver and the simulator (inline on the host's thread, never `spawn_blocking`).
//! - `MemoryStore`: ordered maps, for core tests that need no files.

mod memory;
mod sqlite;

pub use memory::MemoryStore;
pub use sqlite::{
    HISTORY_PAGE_BEFORE_SQL, INSERT_MESSAGE_SQL, SEARCH_MESSAGES_SQL, SqliteStore, Sync, TOTAL_UNREAD_COUNT_SQL,
    conversation_list_sql, schema_sql,
};

use std::collections::BTreeMap;

use crate::content;
use crate::conversation::Conversation;
use crate::types::{
    ConversationType, Expansion, GroupReadReceiptInfo, Message, MessageContent, MessageType, PushNotificationLevel,
    ReceivedStatus, SentStatus, TimeOrder,
};

/// A storage failure. The core treats any of these as fatal to the operation that caused it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row holds a value the engine cannot read back (an unknown enum ordinal, say).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database was written by a newer engine (its schema version is above every known migration).
    #[error("database schema version {found} is newer than this engine's {supported}")]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: u32,
        /// The highest migration this engine knows.
        supported: u32,
    },
    /// The message ID does not exist.
    #[error("no message with id {0}")]
    NoSuchMessage(i64),
    /// The database's directory could not be created.
    #[error("database directory: {0}")]
    Io(#[from] std::io::Error),
}

/// What a signal does to the stored message it names (`Store::apply_signals`): the store's half of
/// [`content::Signal`], with the recall notification already built.
#[derive(Clone, Debug, PartialEq)]
pub enum SignalChange {
    /// The message becomes this recall notification, as `Store::recall` does, unless it already is one.
    Recall(MessageContent),
    /// The message's expansion gets these entries (new keys added, existing ones overwritten) and loses these keys
    /// (EXP-12), if the message has expansion on; one with expansion off is left alone.
    Expansion {
        /// The entries to set.
        updated: Expansion,
        /// The keys to delete; a key that is not there is no error.
        removed_keys: Vec<String>,
    },
    /// RCPT-5: this user's sent private messages to `peer` still `sent` and sent at or before `up_to` become `read`.
    /// Names no one message: its result is always `None`.
    PrivateReadReceipt {
        /// The reader: the conversation's target.
        peer: String,
        /// The send time of the last message read.
        up_to: i64,
    },
    /// The message's group read-receipt status changes (GRCPT-10).
    GroupReceipt(ReceiptChange),
    /// RSYNC-6: the received messages of one conversation sent at or before `up_to` are read, as
    /// `mark_read_sent_up_to` does. Names no one message: its result is always `None`.
    ReadStatus {
        /// The conversation's type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// In an ultra group, the channel read (`None`: the messages in no channel); ignored by other types.
        channel_id: Option<String>,
        /// The send time of the last message read.
        up_to: i64,
    },
    /// Nothing is stored: the signal is only reported (a request for read receipts, GRCPT-3).
    Nothing,
}

/// A change of a message's group read-receipt status (`RCIMIWGroupReadReceiptInfo`, GRCPT-10).
#[derive(Clone, Debug, PartialEq)]
pub enum ReceiptChange {
    /// Receipts were asked for: `readReceiptMessage` becomes true (the sender's copy).
    Requested,
    /// This user answered: `hasRespond` becomes true (the responder's copy).
    Responded,
    /// Every response so far: `respondUserIds` becomes this map (the sender's copy, GRCPT-9).
    Responses(BTreeMap<String, i64>),
}

impl ReceiptChange {
    /// Applies the change to `info` (absent: a message nobody asked receipts for).
    pub(crate) fn apply(&self, info: &mut Option<GroupReadReceiptInfo>) {
        let info = info.get_or_insert_with(GroupReadReceiptInfo::default);
        match self {
            ReceiptChange::Requested => info.read_receipt_message = true,
            ReceiptChange::Responded => info.has_respond = true,
            ReceiptChange::Responses(responses) => {
                info.read_receipt_message = true;
                info.respond_user_ids = responses.clone();
            }
        }
    }
}

/// EXP-12: sets `updated` in `expansion` (new keys added, existing ones overwritten), then deletes `removed_keys`.
fn merge_expansion(expansion: &mut Expansion, updated: &Expansion, removed_keys: &[String]) {
    expansion.extend(updated.iter().map(|(key, value)| (key.clone(), value.clone())));
    for key in removed_keys {
        expansion.remove(key);
    }
}

/// How a received message fared when a batch was persisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Newly stored, with this `messageId`.
    Stored(i64),
    /// A message with the same `messageUid` was already stored; nothing was written (RECV-13).
    Duplicate,
}

/// One conversation's matches in a keyword search (`Store::search_conversations`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationMatches {
    /// The conversation's type.
    pub conversation_type: ConversationType,
    /// The conversation's target.
    pub target_id: String,
    /// In an ultra group, the channel (CTYPE-5: each is a conversation of its own); `None` for other types.
    pub channel_id: Option<String>,
    /// How many of its messages match; never 0.
    pub count: u32,
}

/// Which of one conversation's messages a search returns (`Store::search_messages`, SEARCH-2 to SEARCH-7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFilter<'a> {
    /// Only messages whose searchable text contains this keyword, ignoring case (SEARCH-5); unfolded.
    pub keyword: Option<&'a str>,
    /// Only messages this user sent (SEARCH-4).
    pub sender_user_id: Option<&'a str>,
    /// Only messages sent within this range, both ends included.
    pub sent_time: std::ops::RangeInclusive<i64>,
}

/// One conversation (CTYPE-5, UG-4): its type, its target and, in an ultra group, its channel (`None`: the messages
/// in no channel, UG-7). The other types have no channels, so their channel is ignored (CALL-11).
pub type ConversationKey<'a> = (ConversationType, &'a str, Option<&'a str>);

/// The channel under which the list keeps a conversation (migration 0010's `channel_id`): an ultra group's own, and
/// `""` for its messages in no channel and for every other type (CALL-11).
pub fn list_channel(conversation_type: ConversationType, channel_id: Option<&str>) -> &str {
    match (conversation_type, channel_id) {
        (ConversationType::UltraGroup, Some(channel_id)) => channel_id,
        _ => "",
    }
}

/// The inverse of `list_channel`: the channel a list row's `channel_id` stands for (`""`: none).
pub fn channel_from_list(channel_id: &str) -> Option<&str> {
    Some(channel_id).filter(|channel_id| !channel_id.is_empty())
}

/// A conversation's own state (migration 0007): what its messages cannot give. The rest of `RCIMIWConversation`
/// (its last message, its unread and mentioned counts) is read from its messages (`Store::conversation_of`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationState {
    /// The conversation's type; never a chatroom (CTYPE-9).
    pub conversation_type: ConversationType,
    /// The conversation's target.
    pub target_id: String,
    /// In an ultra group, the channel (CTYPE-5; `None`: the messages in no channel); `None` for every other type.
    pub channel_id: Option<String>,
    /// CONV-2: the latest of its newest message's sent time, its last draft save and its creation when empty.
    pub operation_time: i64,
    /// Whether it is pinned (TOP).
    pub top: bool,
    /// Its draft; empty when there is none (DRAFT-6).
    pub draft: String,
}

/// Which conversations a list reads (`Store::conversation_states`), always in the order of CONV-7: pinned first,
/// then the newest operation time, then by type and target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationQuery<'a> {
    /// Only conversations of these types.
    pub conversation_types: &'a [ConversationType],
    /// Only those whose operation time is strictly before this (CONV-6's `startTime`); `i64::MAX` for no bound.
    pub operation_time_before: i64,
    /// Only pinned ones (TOP-4).
    pub only_top: bool,
    /// Only those holding a message that counts as unread (CONV-10).
    pub only_unread: bool,
    /// In ultra groups, only the conversations of this channel (`""`: the messages in no channel); `None` for
    /// every channel. Other types ignore it (CALL-11).
    pub ultra_group_channel: Option<&'a str>,
    /// At most this many; `None` for all of them.
    pub limit: Option<u32>,
}

/// The object names of the searchable types among `message_types` (SEARCH-5: text, reference and file); the other
/// types have no searchable text, so a search for them finds nothing.
fn searchable_object_names(message_types: &[MessageType]) -> Vec<&'static str> {
    message_types
        .iter()
        .filter_map(|message_type| match message_type {
            MessageType::Text => Some(content::TEXT_OBJECT_NAME),
            MessageType::Reference => Some(content::REFERENCE_OBJECT_NAME),
            MessageType::File => Some(content::FILE_OBJECT_NAME),
            _ => None,
        })
        .collect()
}

/// The local database of one user.
///
/// Every method is one transaction: it either happens whole or not at all. The store keeps whatever it is given:
/// which messages are stored at all (MTYPE rules) is the core's decision.
pub trait Store {
    /// Stores a message this user is sending (`sent_status` sending, no UID) and returns its new `messageId`.
    /// `message.message_id` is ignored, and so are its `sent_status` and `message_uid`: the message is stored as
    /// sending without a UID whatever they hold.
    fn insert_outgoing(&mut self, message: &Message) -> Result<i64, StoreError> {
        self.insert_outgoing_directed(message, &[])
    }

    /// `insert_outgoing` for a group message sent to designated users only (GRP-16): `directed_user_ids` is stored
    /// with the message, in order, in the same transaction, so a send a crash interrupts is resumed to the same users
    /// (`directed_user_ids`). Empty: an ordinary message.
    fn insert_outgoing_directed(&mut self, message: &Message, directed_user_ids: &[String]) -> Result<i64, StoreError>;

    /// The designated users stored with message `message_id`, in the order given; empty for an ordinary message or
    /// an unknown ID.
    fn directed_user_ids(&self, message_id: i64) -> Result<Vec<String>, StoreError>;

    /// Records the outcome of a send: `sent_status`, and on success the server's UID and authoritative sent time
    /// (MSG-22). Success is `message_uid` being `Some`: with `None` only `sent_status` changes and `sent_time` is
    /// ignored, so the message keeps its provisional time. Fails with `NoSuchMessage` if the ID is unknown, and with
    /// SQLite's unique-constraint error (`SQLITE_CONSTRAINT_UNIQUE`) if another message already holds the UID.
    fn update_send_result(
        &mut self,
        message_id: i64,
        sent_status: SentStatus,
        message_uid: Option<&str>,
        sent_time: i64,
    ) -> Result<(), StoreError>;

    /// Replaces the content of message `message_id`, its type unchanged: a media message's file locations once
    /// uploaded (SEND-13) or downloaded (DL-6). Fails with `NoSuchMessage` if the ID is unknown.
    fn update_content(&mut self, message_id: i64, content: &MessageContent) -> Result<(), StoreError>;

    /// Turns message `message_id` into its recall notification `content` (RECALL-8, RECALL-9), keeping its IDs,
    /// times, direction and sender: it stops counting as unread (MTYPE-3) and as a mention, and its expansion goes
    /// with the content it belonged to. Returns the message as now stored; fails with `NoSuchMessage` if the ID is
    /// unknown.
    fn recall(&mut self, message_id: i64, content: &MessageContent) -> Result<Message, StoreError>;

    /// Applies each signal (a message UID and what to do to it: recall it, change its expansion) to the stored
    /// message with that UID, and advances the inbox cursor to `inbox_cursor`, in one transaction: a signal is
    /// acknowledged only once applied (RECALL-4, RECALL-11, EXP-13). The result has one entry per signal, in order:
    /// the message as that signal left it, or `None` when the signal changed nothing (a UID not stored, a message already
    /// recalled, an expansion change to a message with expansion off).
    fn apply_signals(
        &mut self,
        signals: &[(String, SignalChange)],
        inbox_cursor: u64,
    ) -> Result<Vec<Option<Message>>, StoreError>;

    /// Changes the expansion of the stored message with UID `message_uid` as [`SignalChange::Expansion`] says: the
    /// caller's own copy after the server accepted its change (EXP-12). `None` when no such message with expansion
    /// on is stored.
    fn change_expansion(
        &mut self,
        message_uid: &str,
        updated: &Expansion,
        removed_keys: &[String],
    ) -> Result<Option<Message>, StoreError>;

    /// Changes the group read-receipt status of the stored message with UID `message_uid` (GRCPT-10): the caller's
    /// own copy once the server accepted its request or response. `None` when no message has that UID.
    fn change_group_receipt(
        &mut self,
        message_uid: &str,
        change: &ReceiptChange,
    ) -> Result<Option<Message>, StoreError>;

    /// Persists received messages and advances the inbox cursor to `inbox_cursor`, in one transaction.
    /// A message whose UID is already stored, earlier or in the same batch, is skipped (RECV-13); one without a UID
    /// is always stored. The result has one entry per input message, in order. The cursor never moves backwards: a
    /// smaller value leaves it unchanged. A cursor above `i64::MAX` (SQLite's integer) fails the whole call.
    fn insert_received(&mut self, messages: &[Message], inbox_cursor: u64) -> Result<Vec<Received>, StoreError>;

    /// Persists received messages that are not in the inbox (chatroom messages: CR-22, BIZ-26) in one transaction,
    /// de-duplicated by UID exactly as `insert_received` does, and leaves the inbox cursor where it is. The result
    /// has one entry per input message, in order.
    fn insert_received_outside_inbox(&mut self, messages: &[Message]) -> Result<Vec<Received>, StoreError>;

    /// Deletes every message of one conversation (a chatroom's cache when the user leaves it: CR-21, BIZ-26) and
    /// returns how many were deleted. Message IDs are never reused, and a deleted message's UID may be stored again.
    fn delete_conversation_messages(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError>;

    /// Deletes every message of every conversation of `conversation_type` (all chatroom caches when the database is
    /// opened: nothing is joined after a restart) and returns how many were deleted.
    fn delete_conversation_type_messages(&mut self, conversation_type: ConversationType) -> Result<u64, StoreError>;

    /// INS-1, INS-5, INS-6: stores messages the app inserts, each exactly as given (direction, statuses, times and
    /// sender: the core sets them, INS-9), without a UID, in one transaction: all of them are stored or none.
    /// Returns their new `messageId`s, in order.
    fn insert_local(&mut self, messages: &[Message]) -> Result<Vec<i64>, StoreError>;

    /// DEL-9, DEL-16: deletes the messages with these IDs, in one transaction, and returns those it deleted, as they
    /// were stored, by `message_id`. An ID that is not stored is ignored.
    fn delete_messages(&mut self, message_ids: &[i64]) -> Result<Vec<Message>, StoreError>;

    /// DEL-11: deletes the messages of one conversation sent at or before `sent_up_to` (`i64::MAX`: all of them) and
    /// returns how many. In an ultra group only `channel_id`'s messages go, as in `history_page`.
    fn delete_messages_sent_up_to(
        &mut self,
        conversation: ConversationKey<'_>,
        sent_up_to: i64,
    ) -> Result<u64, StoreError>;

    /// The highest inbox sequence number persisted (0 for a new database).
    fn inbox_cursor(&self) -> Result<u64, StoreError>;

    /// The message with this `messageId`, if any.
    fn message(&self, message_id: i64) -> Result<Option<Message>, StoreError>;

    /// GET-2, GET-3: the message with this `messageUid`, if any (only a message the server accepted has one).
    fn message_by_uid(&self, message_uid: &str) -> Result<Option<Message>, StoreError>;

    /// The messages of one conversation, oldest first: by `sent_time`, then `message_id`.
    fn conversation_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<Vec<Message>, StoreError>;

    /// HIST-5, HIST-9, HIST-10: a page of one conversation's history: at most `count` messages sent strictly before
    /// `sent_time`, newest first (`TimeOrder::Before`), or strictly after it, oldest first (`After`). A `sent_time`
    /// of 0 starts from the newest message (`Before`) or the oldest (`After`). Messages sent at the same instant are
    /// ordered by `message_id`, the same way round. In an ultra group only `channel_id`'s messages are in the page
    /// (`None` is the messages without a channel); other types ignore it (CALL-11). Served by an index, so a page
    /// costs the same whatever the conversation holds.
    fn history_page(
        &self,
        conversation: (ConversationType, &str, Option<&str>),
        sent_time: i64,
        order: TimeOrder,
        count: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// SEARCH-2 to SEARCH-7: the messages of one conversation that `filter` keeps, newest first (by `sent_time`, then
    /// `message_id`), the first `offset` skipped, at most `count`. The channel is read as `history_page` reads it.
    /// Served by the conversation's index: the filter is applied to its rows only.
    fn search_messages(
        &self,
        conversation: (ConversationType, &str, Option<&str>),
        filter: &MessageFilter<'_>,
        offset: u32,
        count: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// How many messages one conversation holds (what `conversation_messages` would return, without reading them).
    fn conversation_message_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError>;

    /// The database's own random ID: `candidate` the first time, the same value ever after. It tells this database
    /// apart from any earlier one of the same user on the same device (a reinstall starts a new one), so the client
    /// message IDs built from it never repeat.
    fn database_id(&mut self, candidate: u64) -> Result<u64, StoreError>;

    /// The stored messages whose sent status is `sent_status`, by `message_id` (the sends a crash interrupted are
    /// the `sending` ones).
    fn messages_with_sent_status(&self, sent_status: SentStatus) -> Result<Vec<Message>, StoreError>;

    /// Every stored message, by `message_id`. For checkers and tests.
    fn all_messages(&self) -> Result<Vec<Message>, StoreError>;

    /// UNREAD-2, UNREAD-6: how many messages of one conversation count as unread. A message counts when it was
    /// received (`direction` receive), its content's type counts (`MessagePolicy::counted`, MTYPE-2 to MTYPE-9) and
    /// it has not been read: `received_status` unread, or retrieved (SYNC-12: compensation does not make a message
    /// read). The type's rule is taken from the content as stored.
    fn unread_count(&self, conversation: ConversationKey<'_>) -> Result<u32, StoreError>;

    /// `unread_count` summed over every conversation of one target: all the channels of an ultra group, one
    /// conversation of any other type (the do-not-disturb levels of UNREAD-8 are per target).
    fn unread_count_of_target(&self, conversation_type: ConversationType, target_id: &str) -> Result<u32, StoreError>;

    /// UNREAD-1, UNREAD-9: `unread_count` summed over every conversation except chatrooms.
    fn total_unread_count(&self) -> Result<u32, StoreError>;

    /// XAPI-5: overwrites the received status of message `message_id`; `NoSuchMessage` if the ID is unknown. The
    /// unread counts follow, as they are read from the statuses (UNREAD-6).
    fn set_received_status(&mut self, message_id: i64, received_status: ReceivedStatus) -> Result<(), StoreError>;

    /// XAPI-2: the oldest message of one conversation that counts as unread (by `sent_time`, then `message_id`), if
    /// any.
    fn first_unread_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError>;

    /// UNREAD-3: `unread_count` summed over every conversation of one type.
    fn unread_count_of_type(&self, conversation_type: ConversationType) -> Result<u32, StoreError>;

    /// XAPI-3, MENTION-6: the messages of one conversation that count as unread and whose @ alert mentions
    /// `user_id` (everyone, or a list naming the user), oldest first (by `sent_time`, then `message_id`).
    fn unread_mentioned_messages(
        &self,
        conversation: ConversationKey<'_>,
        user_id: &str,
    ) -> Result<Vec<Message>, StoreError>;

    /// The newest stored message of one conversation (by `sent_time`, then `message_id`), if any.
    fn last_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError>;

    /// CONV-1, CONV-5: the conversation as the list holds it for `user_id`; `None` when it is not in the list (never
    /// created, removed, or a chatroom).
    fn conversation(
        &self,
        conversation: ConversationKey<'_>,
        user_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        match self.conversation_state(conversation)? {
            Some(state) => self.conversation_of(state, user_id).map(Some),
            None => Ok(None),
        }
    }

    /// CONV-6, CONV-7, CONV-10, TOP-4: the conversations `query` selects, in its order, as `conversation` gives
    /// each.
    fn conversations(&self, query: &ConversationQuery<'_>, user_id: &str) -> Result<Vec<Conversation>, StoreError> {
        let states = self.conversation_states(query)?;
        states.into_iter().map(|state| self.conversation_of(state, user_id)).collect()
    }

    /// The conversation whose own state is `state`, completed from its stored messages for `user_id`: its last
    /// message (`last_message`), its unread count (UNREAD-6), its `mentionedCount` in groups only (MENTION-7) and
    /// its `firstUnreadMsgSendTime` in ultra groups only (CONV-3).
    fn conversation_of(&self, state: ConversationState, user_id: &str) -> Result<Conversation, StoreError> {
        let ConversationState { conversation_type, target_id, channel_id, operation_time, top, draft } = state;
        let key = (conversation_type, target_id.as_str(), channel_id.as_deref());
        let notification_level = self.notification_level(conversation_type, &target_id)?;
        let last_message = self.last_message(key)?;
        let unread_count = self.unread_count(key)?;
        let mentioned_count = if conversation_type == ConversationType::Group {
            u32::try_from(self.unread_mentioned_messages(key, user_id)?.len()).unwrap_or(u32::MAX)
        } else {
            0
        };
        let first_unread_msg_send_time = if conversation_type == ConversationType::UltraGroup {
            self.first_unread_message(key)?.map_or(0, |message| message.sent_time)
        } else {
            0
        };
        Ok(Conversation {
            conversation_type,
            channel_id,
            target_id,
            unread_count,
            mentioned_count,
            first_unread_msg_send_time,
            top,
            draft,
            notification_level,
            last_message,
            operation_time,
        })
    }

    /// The own state of one conversation of the list, if it is there.
    fn conversation_state(&self, conversation: ConversationKey<'_>) -> Result<Option<ConversationState>, StoreError>;

    /// The own states of the conversations `query` selects, in its order. Served by the list's index, so a page
    /// costs the same whatever the list holds.
    fn conversation_states(&self, query: &ConversationQuery<'_>) -> Result<Vec<ConversationState>, StoreError>;

    /// DRAFT-1, DRAFT-4, DRAFT-5: stores `draft` as the conversation's draft and sets its operation time to `now`,
    /// creating the conversation (with no message) if it is not in the list.
    fn save_draft(&mut self, conversation: ConversationKey<'_>, draft: &str, now: i64) -> Result<(), StoreError>;

    /// DRAFT-3, DRAFT-6: empties the conversation's draft, its operation time unchanged; nothing if it is not in the
    /// list.
    fn clear_draft(&mut self, conversation: ConversationKey<'_>) -> Result<(), StoreError>;

    /// TOP-2, TOP-7: pins or unpins the conversation and says whether that changed it. Pinning one that is not in
    /// the list creates it, with no message and operation time `now`; unpinning one that is not changes nothing.
    fn set_top(&mut self, conversation: ConversationKey<'_>, top: bool, now: i64) -> Result<bool, StoreError>;

    /// DND-17, DND-19, TOP-11: records the do-not-disturb level the server holds for one conversation, or for every
    /// conversation of the type when `target_id` is empty. Says whether that changed it. A level belongs to the user,
    /// not to the list: it is kept whether or not the conversation is listed, and removing one keeps it.
    fn set_notification_level(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        level: PushNotificationLevel,
    ) -> Result<bool, StoreError>;

    /// The level recorded for one conversation, or for the type when `target_id` is empty; `none` when there is none
    /// (DND-38).
    fn notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<PushNotificationLevel, StoreError>;

    /// Every per-conversation level recorded for `conversation_type` (not the per-type one), by target.
    fn conversation_notification_levels(
        &self,
        conversation_type: ConversationType,
    ) -> Result<BTreeMap<String, PushNotificationLevel>, StoreError>;

    /// CREM-1, CREM-4: takes the conversation out of the list, with its draft and its pinned flag, and keeps its
    /// messages. Says whether it was there.
    fn remove_conversation(&mut self, conversation: ConversationKey<'_>) -> Result<bool, StoreError>;

    /// CREM-2: takes every conversation of these types out of the list and deletes their messages, in one
    /// transaction. Returns how many messages were deleted.
    fn remove_conversations_of_types(&mut self, conversation_types: &[ConversationType]) -> Result<u64, StoreError>;

    /// UNREAD-4, UNREAD-7: marks as read every received message of one conversation sent at or before `sent_up_to`
    /// that is unread or retrieved, and returns how many. In an ultra group the conversation is one channel (`None`:
    /// the messages in no channel, UG-4); other types ignore the channel (CALL-11).
    fn mark_read_sent_up_to(
        &mut self,
        conversation: (ConversationType, &str, Option<&str>),
        sent_up_to: i64,
    ) -> Result<u64, StoreError>;

    /// XAPI-4, SEARCH-5: every conversation of one of `conversation_types` with stored messages of one of
    /// `message_types` whose searchable text (`MessageContent::searchable_text`) contains `keyword`, ignoring case
    /// (`fold_for_search`), with how many; by conversation type, then target. In an ultra group a `channel_id` keeps
    /// only that channel's messages; other types ignore it (CALL-11).
    fn search_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        message_types: &[MessageType],
        keyword: &str,
    ) -> Result<Vec<ConversationMatches>, StoreError>;
}

#[cfg(test)]
mod tests;
