//! `SqliteStore`: the engine's real database, one SQLite file per user.
//!
//! The engine calls the store inline, inside the input that caused the write, so this module never blocks on
//! anything but SQLite itself: no threads, no clocks, no hash-ordered iteration, and the same answers for the same
//! calls, which is what the deterministic simulator relies on.
//!
//! Design choices:
//!
//! - Every write method is one `IMMEDIATE` transaction. `insert_received` writes a whole batch and the inbox cursor
//!   together: once it returns, the batch is on disk and the core may acknowledge it ("persist before acknowledge").
//!   A batch per transaction is also what makes catch-up fast: SQLite commits are the cost, not rows.
//! - Each read method is a single `SELECT`, which SQLite runs in its own read transaction.
//! - The schema comes from numbered migrations (`engine/migrations/`, see its `NOTES.md`) tracked by
//!   `PRAGMA user_version`.
//! - `journal_mode=WAL` with `synchronous=NORMAL`: a commit survives a crash of the app, but the last commits may
//!   be lost if the whole machine loses power before the next checkpoint. `synchronous=FULL` would close that window
//!   at the cost of an fsync per commit.
//! - Content is stored as the wire's (object name, payload) pair, so a message is kept exactly as it travelled.
//! - File contents are untrusted: a value that cannot be read back is `StoreError::Corrupt`, never a panic.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

mod conversations;
mod migrations;
mod rows;
mod signals;

pub use conversations::list_sql as conversation_list_sql;

/// The statement `getTotalUnreadCount` issues (`Store::total_unread_count`), for tools that run it bare.
pub const TOTAL_UNREAD_COUNT_SQL: &str = TOTAL_UNREAD_COUNT;
use migrations::migrate;
pub use migrations::schema_sql;
use rows::{MessageRow, count_to_u32, insert_message, search_text, unreadable};

use super::{
    ConversationKey, ConversationMatches, ConversationQuery, ConversationState, MessageFilter, ReceiptChange, Received,
    SignalChange, Store, StoreError, searchable_object_names,
};
use crate::content::encode_content;
use crate::proto;
use crate::types::{
    ConversationType, Expansion, MentionedType, Message, MessageContent, MessageDirection, MessageType,
    PushNotificationLevel, ReceivedStatus, SentStatus, TimeOrder, fold_for_search,
};

/// The statement that stores one message, with its parameters in the order `insert_message` binds them.
pub const INSERT_MESSAGE_SQL: &str = INSERT_MESSAGE;

/// The `sync_state` key of the inbox cursor.
const INBOX_CURSOR_KEY: &str = "inbox_cursor";

/// The `sync_state` key of the database's random ID (`Store::database_id`).
const DATABASE_ID_KEY: &str = "database_id";

/// The columns of `messages` that `MessageRow::read` reads, as a literal so that it can be `concat!`ed into SQL.
macro_rules! message_columns {
    () => {
        "message_id, conversation_type, target_id, channel_id, object_name, payload, direction, sender_user_id, \
         sent_status, received_status, sent_time, received_time, message_uid, offline, extra, mentioned_type, \
         mentioned_user_ids, mentioned_content, counts_unread, user_info, expansion, push_options, \
         group_read_receipt_info"
    };
}

/// Inserts a message. Callers check its UID first (`UID_IS_STORED`) rather than adding `ON CONFLICT DO NOTHING`:
/// SQLite draws an `AUTOINCREMENT` ID even for a row that conflict clause then drops, so every duplicate would
/// leave a gap in the message IDs.
const INSERT_MESSAGE: &str = "INSERT INTO messages (conversation_type, target_id, channel_id, object_name, \
                              payload, direction, sender_user_id, sent_status, received_status, sent_time, \
                              received_time, message_uid, offline, extra, counts_unread, mentioned_type, \
                              mentioned_user_ids, mentioned_content, search_text, user_info, expansion, \
                              push_options, group_read_receipt_info) \
                              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
                              ?19, ?20, ?21, ?22, ?23)";

/// The condition under which a row counts as unread (UNREAD-6, SYNC-12): received, of a type that counts, and unread
/// or retrieved. Written with literals, exactly as the partial index `messages_unread` (migration 0002) states it, so
/// that SQLite can use that index; the assertions below pin the ordinals.
macro_rules! counts_as_unread {
    () => {
        "direction = 1 AND counts_unread = 1 AND received_status IN (0, 4)"
    };
}

/// The rows of one conversation: `?1` the conversation type, `?2` the target, `?3` true when the channel does not
/// matter (every type but ultra groups, CALL-11) and `?4` the channel (`conversation_params`).
macro_rules! in_conversation {
    () => {
        "conversation_type = ?1 AND target_id = ?2 AND (?3 OR channel_id IS ?4)"
    };
}

/// One conversation's type ordinal, target, whether the channel does not matter (every type but ultra groups,
/// CALL-11) and channel: the parameters `?1` to `?4` of `in_conversation!()`, and the same values wherever another
/// statement binds them (CTYPE-5: an ultra group's conversation is one channel).
pub(super) fn conversation_params(
    (conversation_type, target_id, channel_id): ConversationKey<'_>,
) -> (u32, &str, bool, Option<&str>) {
    (conversation_type.ordinal(), target_id, conversation_type != ConversationType::UltraGroup, channel_id)
}

/// `Store::unread_count` outside ultra groups, and `Store::unread_count_of_target`: `?1` the conversation type, `?2`
/// the target. It reads nothing but the partial index `messages_unread`, so it is kept apart from the one channel of
/// an ultra group, whose `channel_id` only the table holds.
pub(super) const UNREAD_COUNT: &str =
    concat!("SELECT COUNT(*) FROM messages WHERE conversation_type = ?1 AND target_id = ?2 AND ", counts_as_unread!());

/// `Store::unread_count` of one ultra group channel: `?1` the conversation type, `?2` the target, `?3` the channel
/// (NULL: the messages in no channel).
const UNREAD_COUNT_IN_CHANNEL: &str = concat!(
    "SELECT COUNT(*) FROM messages WHERE conversation_type = ?1 AND target_id = ?2 AND channel_id IS ?3 AND ",
    counts_as_unread!()
);

/// `Store::unread_count_of_type`: every conversation of one type (UNREAD-3).
pub(super) const UNREAD_COUNT_OF_TYPE: &str =
    concat!("SELECT COUNT(*) FROM messages WHERE conversation_type = ?1 AND ", counts_as_unread!());

/// `Store::total_unread_count`: every conversation type but chatroom (3, UNREAD-1).
pub(super) const TOTAL_UNREAD_COUNT: &str =
    concat!("SELECT COUNT(*) FROM messages WHERE conversation_type <> 3 AND ", counts_as_unread!());

/// `Store::unread_mentioned_messages`: the conversation as `in_conversation!()` takes it, `?5` the user (MENTION-6:
/// an alert of type all, or of type part that lists the user).
const UNREAD_MENTIONED_MESSAGES: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE ",
    in_conversation!(),
    " AND ",
    counts_as_unread!(),
    " AND (mentioned_type = 0 OR (mentioned_type = 1 AND EXISTS \
     (SELECT 1 FROM json_each(mentioned_user_ids) WHERE value = ?5))) ORDER BY sent_time, message_id"
);

/// `Store::search_conversations`: `?1` the conversation types' ordinals and `?2` the object names searched, both as
/// JSON arrays; `?3` the folded keyword; `?4` the ultra group channel or NULL. An ultra group's channels are
/// conversations of their own (CTYPE-5).
const SEARCH_CONVERSATIONS: &str = "SELECT conversation_type, target_id, \
     CASE WHEN conversation_type = 5 THEN channel_id END AS conversation_channel, COUNT(*) FROM messages \
     WHERE conversation_type IN (SELECT value FROM json_each(?1)) \
     AND object_name IN (SELECT value FROM json_each(?2)) AND instr(search_text, ?3) > 0 \
     AND (conversation_type <> 5 OR ?4 IS NULL OR channel_id = ?4) \
     GROUP BY conversation_type, target_id, conversation_channel \
     ORDER BY conversation_type, target_id, conversation_channel";

/// One of `Store::history_page`'s statements: `?1` the conversation type, `?2` the target, `?3` the anchor, `?4` true
/// when the channel does not matter (every type but ultra groups) and `?5` the channel, `?6` the count. Three
/// statements rather than one with `OR`s, so that each walks `messages_by_conversation` from its bound.
macro_rules! history_page {
    ($bound:literal, $order:literal) => {
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE conversation_type = ?1 AND target_id = ?2 AND ",
            $bound,
            " AND (?4 OR channel_id IS ?5) ORDER BY ",
            $order,
            " LIMIT ?6"
        )
    };
}

/// HIST-5: the page strictly before a non-zero anchor, newest first (public for the store benchmarks' raw
/// baseline, which issues the same statement).
pub const HISTORY_PAGE_BEFORE_SQL: &str = history_page!("sent_time < ?3", "sent_time DESC, message_id DESC");
/// HIST-10: the page from the newest message (`?3` is 0).
const HISTORY_FROM_NEWEST: &str = history_page!("?3 = 0", "sent_time DESC, message_id DESC");
/// HIST-5: the page strictly after the anchor, oldest first.
const HISTORY_AFTER: &str = history_page!("sent_time > ?3", "sent_time, message_id");

/// `Store::search_messages`: `?1` the conversation type, `?2` the target, `?3` true when the channel does not matter
/// and `?4` the channel; `?5` the folded keyword or NULL, `?6` the sender or NULL; `?7` to `?8` the sent times kept,
/// both included; `?9` the count and `?10` the offset. The conversation and time bounds walk
/// `messages_by_conversation` from its newest end; the keyword and sender are tested on those rows only.
pub const SEARCH_MESSAGES_SQL: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE conversation_type = ?1 AND target_id = ?2 AND sent_time BETWEEN ?7 AND ?8 \
     AND (?3 OR channel_id IS ?4) AND (?5 IS NULL OR instr(search_text, ?5) > 0) \
     AND (?6 IS NULL OR sender_user_id = ?6) ORDER BY sent_time DESC, message_id DESC LIMIT ?9 OFFSET ?10"
);

const _: () = assert!(ConversationType::UltraGroup as u32 == 5);
const _: () = assert!(MentionedType::All as u32 == 0);
const _: () = assert!(MentionedType::Part as u32 == 1);
const _: () = assert!(MessageDirection::Receive as u32 == 1);
const _: () = assert!(ReceivedStatus::Unread as u32 == 0);
const _: () = assert!(ReceivedStatus::Retrieved as u32 == 4);
const _: () = assert!(ConversationType::Chatroom as u32 == 3);

/// Whether a message with UID `?1` is stored.
const UID_IS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM messages WHERE message_uid = ?1)";

/// A user's message database in SQLite. See the module documentation.
#[derive(Debug)]
pub struct SqliteStore {
    connection: Connection,
}

impl SqliteStore {
    /// Opens (or creates) the database file at `path` and brings its schema up to date.
    ///
    /// Fails with `SchemaTooNew`, leaving the file untouched, if a newer engine wrote it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, Sync::Normal)
    }

    /// Opens the database file at `path` like [`SqliteStore::open`], with the given durability.
    pub fn open_with(path: &Path, sync: Sync) -> Result<Self, StoreError> {
        Self::set_up(Connection::open(path)?, JournalMode::WriteAheadLog, sync)
    }

    /// A fresh database that lives in memory only (no WAL: there is no file to log beside).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::set_up(Connection::open_in_memory()?, JournalMode::Default, Sync::Normal)
    }

    /// Migrates `connection`, then sets the per-connection pragmas.
    ///
    /// Migrating first means a too-new file is refused before anything (even its journal mode) is changed, and lets
    /// a future migration that rebuilds a table run before foreign keys are enforced, as SQLite's table-rebuild
    /// procedure requires.
    fn set_up(mut connection: Connection, journal_mode: JournalMode, sync: Sync) -> Result<Self, StoreError> {
        // `synchronous` belongs to the connection, not the file, so setting it first changes nothing in a file that
        // turns out too new; and without it, the migrations of a new file would each wait on the disk.
        let synchronous = match sync {
            Sync::Normal => "NORMAL",
            Sync::Off => "OFF",
        };
        connection.pragma_update(None, "synchronous", synchronous)?;
        migrate(&mut connection)?;
        if journal_mode == JournalMode::WriteAheadLog {
            // SQLite answers with the mode in force; where WAL is unavailable it keeps the old mode, which is
            // slower but just as correct, so the answer is not checked.
            connection.pragma_update(None, "journal_mode", "WAL")?;
        }
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(SqliteStore { connection })
    }

    /// The connection, for tests that look at how SQLite runs a query.
    #[cfg(test)]
    pub(super) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Message `message_id`, which a write of this store just touched.
    fn stored(&self, message_id: i64) -> Result<Message, StoreError> {
        self.message(message_id)?.ok_or(StoreError::NoSuchMessage(message_id))
    }

    /// Starts a write transaction. `IMMEDIATE` takes the write lock up front, so a transaction never fails halfway
    /// because another connection to the file wrote first.
    fn write_transaction(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The messages a `SELECT` of `message_columns!()` returns, in its order.
    fn select_messages(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Message>, StoreError> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows = statement.query_map(params, MessageRow::read)?;
        rows.map(|row| row.map_err(unreadable)?.into_message()).collect()
    }
}

/// Message `message_id` as `connection` (or a transaction on it) sees it.
fn read_message(connection: &Connection, message_id: i64) -> Result<Option<Message>, StoreError> {
    let row = connection
        .prepare_cached(concat!("SELECT ", message_columns!(), " FROM messages WHERE message_id = ?1"))?
        .query_row([message_id], MessageRow::read)
        .optional()
        .map_err(unreadable)?;
    row.map(MessageRow::into_message).transpose()
}

/// How long a commit waits for the disk (SQLite's `synchronous`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sync {
    /// `synchronous = NORMAL` with WAL, what an app ships with: a commit survives the app's crash, and the
    /// database stays consistent through the machine's (the last commits may be lost then).
    #[default]
    Normal,
    /// `synchronous = OFF`: commits are handed to the OS and never waited for. A commit still survives the app's
    /// crash (the OS holds it), but not the machine's. The simulator models app crashes only, so its devices use
    /// this and a run does not wait on the real disk's flushes.
    Off,
}

/// How `SqliteStore::set_up` sets the journal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JournalMode {
    /// SQLite's default (what an in-memory database uses).
    Default,
    /// `journal_mode=WAL`.
    WriteAheadLog,
}

impl Store for SqliteStore {
    fn insert_outgoing_directed(&mut self, message: &Message, directed_user_ids: &[String]) -> Result<i64, StoreError> {
        let transaction = self.write_transaction()?;
        // An outgoing message is stored as "sending, no UID" whatever the caller passed (see the trait), so it can
        // never be a duplicate: `insert_message` always inserts it.
        let message_id = insert_message(&transaction, message, SentStatus::Sending, None)?
            .ok_or(rusqlite::Error::StatementChangedRows(0))?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO directed_recipients (message_id, position, user_id) VALUES (?1, ?2, ?3)",
            )?;
            for (position, user_id) in directed_user_ids.iter().enumerate() {
                insert.execute(params![message_id, position as i64, user_id])?;
            }
        }
        transaction.commit()?;
        Ok(message_id)
    }

    fn directed_user_ids(&self, message_id: i64) -> Result<Vec<String>, StoreError> {
        let mut query = self
            .connection
            .prepare_cached("SELECT user_id FROM directed_recipients WHERE message_id = ?1 ORDER BY position")?;
        let user_ids = query.query_map(params![message_id], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(user_ids)
    }

    fn update_send_result(
        &mut self,
        message_id: i64,
        sent_status: SentStatus,
        message_uid: Option<&str>,
        sent_time: i64,
    ) -> Result<(), StoreError> {
        let transaction = self.write_transaction()?;
        let changed = match message_uid {
            Some(message_uid) => transaction
                .prepare_cached(
                    "UPDATE messages SET sent_status = ?2, message_uid = ?3, sent_time = ?4 \
                     WHERE message_id = ?1",
                )?
                .execute(params![message_id, sent_status.ordinal(), message_uid, sent_time])?,
            // No UID: the send did not succeed, so the provisional sent time stays.
            None => transaction
                .prepare_cached("UPDATE messages SET sent_status = ?2 WHERE message_id = ?1")?
                .execute(params![message_id, sent_status.ordinal()])?,
        };
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(message_id));
        }
        transaction.commit()?;
        Ok(())
    }

    fn update_content(&mut self, message_id: i64, content: &MessageContent) -> Result<(), StoreError> {
        let proto::MessageContent { object_name, payload } = encode_content(content);
        let transaction = self.write_transaction()?;
        let changed = transaction
            .prepare_cached(
                "UPDATE messages SET object_name = ?2, payload = ?3, search_text = ?4 WHERE message_id = ?1",
            )?
            .execute(params![message_id, object_name, payload, search_text(content)])?;
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(message_id));
        }
        transaction.commit()?;
        Ok(())
    }

    fn recall(&mut self, message_id: i64, content: &MessageContent) -> Result<Message, StoreError> {
        let transaction = self.write_transaction()?;
        if !signals::recall_row(&transaction, message_id, content)? {
            return Err(StoreError::NoSuchMessage(message_id));
        }
        transaction.commit()?;
        self.stored(message_id)
    }

    fn apply_signals(
        &mut self,
        signals: &[(String, SignalChange)],
        inbox_cursor: u64,
    ) -> Result<Vec<Option<Message>>, StoreError> {
        let transaction = self.write_transaction()?;
        let mut applied = Vec::with_capacity(signals.len());
        for (message_uid, change) in signals {
            // Read back at once: each result is the message as that signal left it.
            let changed = match signals::apply(&transaction, message_uid, change)? {
                Some(message_id) => read_message(&transaction, message_id)?,
                None => None,
            };
            applied.push(changed);
        }
        advance_cursor(&transaction, inbox_cursor)?;
        transaction.commit()?;
        Ok(applied)
    }

    fn change_group_receipt(
        &mut self,
        message_uid: &str,
        change: &ReceiptChange,
    ) -> Result<Option<Message>, StoreError> {
        let transaction = self.write_transaction()?;
        let changed = signals::change_group_receipt(&transaction, message_uid, change)?;
        transaction.commit()?;
        changed.map(|message_id| self.stored(message_id)).transpose()
    }

    fn change_expansion(
        &mut self,
        message_uid: &str,
        updated: &Expansion,
        removed_keys: &[String],
    ) -> Result<Option<Message>, StoreError> {
        let transaction = self.write_transaction()?;
        let changed = signals::change_expansion(&transaction, message_uid, updated, removed_keys)?;
        transaction.commit()?;
        changed.map(|message_id| self.stored(message_id)).transpose()
    }

    fn insert_received(&mut self, messages: &[Message], inbox_cursor: u64) -> Result<Vec<Received>, StoreError> {
        let transaction = self.write_transaction()?;
        let mut results = Vec::with_capacity(messages.len());
        for message in messages {
            let inserted = insert_message(&transaction, message, message.sent_status, message.message_uid.as_deref())?;
            results.push(inserted.map_or(Received::Duplicate, Received::Stored));
        }
        // Advanced here, after the batch, rather than up front: a cursor SQLite cannot hold then exercises the
        // rollback of the whole batch, which the conformance suite checks.
        advance_cursor(&transaction, inbox_cursor)?;
        transaction.commit()?;
        Ok(results)
    }

    fn insert_received_outside_inbox(&mut self, messages: &[Message]) -> Result<Vec<Received>, StoreError> {
        let transaction = self.write_transaction()?;
        let mut results = Vec::with_capacity(messages.len());
        for message in messages {
            let inserted = insert_message(&transaction, message, message.sent_status, message.message_uid.as_deref())?;
            results.push(inserted.map_or(Received::Duplicate, Received::Stored));
        }
        transaction.commit()?;
        Ok(results)
    }

    fn delete_conversation_messages(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError> {
        let transaction = self.write_transaction()?;
        let deleted = transaction
            .prepare_cached("DELETE FROM messages WHERE conversation_type = ?1 AND target_id = ?2")?
            .execute(params![conversation_type.ordinal(), target_id])?;
        transaction.commit()?;
        Ok(deleted as u64)
    }

    fn insert_local(&mut self, messages: &[Message]) -> Result<Vec<i64>, StoreError> {
        let transaction = self.write_transaction()?;
        let mut message_ids = Vec::with_capacity(messages.len());
        for message in messages {
            // Without a UID nothing can be a duplicate, so every message is inserted.
            let message_id = insert_message(&transaction, message, message.sent_status, None)?
                .ok_or(rusqlite::Error::StatementChangedRows(0))?;
            message_ids.push(message_id);
        }
        transaction.commit()?;
        Ok(message_ids)
    }

    fn delete_messages(&mut self, message_ids: &[i64]) -> Result<Vec<Message>, StoreError> {
        let transaction = self.write_transaction()?;
        let mut deleted = Vec::new();
        {
            let mut delete = transaction
                .prepare_cached(concat!("DELETE FROM messages WHERE message_id = ?1 RETURNING ", message_columns!()))?;
            // In ID order; a repeated ID deletes nothing the second time.
            for message_id in message_ids.iter().collect::<std::collections::BTreeSet<_>>() {
                if let Some(row) = delete.query_row([message_id], MessageRow::read).optional().map_err(unreadable)? {
                    deleted.push(row.into_message()?);
                }
            }
        }
        transaction.commit()?;
        Ok(deleted)
    }

    fn delete_messages_sent_up_to(
        &mut self,
        conversation: ConversationKey<'_>,
        sent_up_to: i64,
    ) -> Result<u64, StoreError> {
        let transaction = self.write_transaction()?;
        let (conversation_type, target_id, any_channel, channel_id) = conversation_params(conversation);
        let deleted = transaction
            .prepare_cached(
                "DELETE FROM messages WHERE conversation_type = ?1 AND target_id = ?2 AND sent_time <= ?3 \
                 AND (?4 OR channel_id IS ?5)",
            )?
            .execute(params![conversation_type, target_id, sent_up_to, any_channel, channel_id])?;
        transaction.commit()?;
        Ok(deleted as u64)
    }

    fn delete_conversation_type_messages(&mut self, conversation_type: ConversationType) -> Result<u64, StoreError> {
        let transaction = self.write_transaction()?;
        let deleted = transaction
            .prepare_cached("DELETE FROM messages WHERE conversation_type = ?1")?
            .execute(params![conversation_type.ordinal()])?;
        transaction.commit()?;
        Ok(deleted as u64)
    }

    fn inbox_cursor(&self) -> Result<u64, StoreError> {
        let cursor: Option<i64> = self
            .connection
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([INBOX_CURSOR_KEY], |row| row.get(0))
            .optional()
            .map_err(unreadable)?;
        let cursor = cursor.ok_or_else(missing_cursor)?;
        u64::try_from(cursor).map_err(|_| StoreError::Corrupt(format!("negative inbox cursor {cursor}")))
    }

    fn message(&self, message_id: i64) -> Result<Option<Message>, StoreError> {
        read_message(&self.connection, message_id)
    }

    fn conversation_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<Vec<Message>, StoreError> {
        self.select_messages(
            concat!(
                "SELECT ",
                message_columns!(),
                " FROM messages WHERE conversation_type = ?1 AND target_id = ?2 ORDER BY sent_time, message_id"
            ),
            params![conversation_type.ordinal(), target_id],
        )
    }

    fn message_by_uid(&self, message_uid: &str) -> Result<Option<Message>, StoreError> {
        let found = self.select_messages(
            concat!("SELECT ", message_columns!(), " FROM messages WHERE message_uid = ?1"),
            params![message_uid],
        )?;
        Ok(found.into_iter().next())
    }

    fn history_page(
        &self,
        conversation: ConversationKey<'_>,
        sent_time: i64,
        order: TimeOrder,
        count: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = match order {
            TimeOrder::Before if sent_time == 0 => HISTORY_FROM_NEWEST,
            TimeOrder::Before => HISTORY_PAGE_BEFORE_SQL,
            TimeOrder::After => HISTORY_AFTER,
        };
        let (conversation_type, target_id, any_channel, channel_id) = conversation_params(conversation);
        self.select_messages(sql, params![conversation_type, target_id, sent_time, any_channel, channel_id, count])
    }

    fn search_messages(
        &self,
        conversation: ConversationKey<'_>,
        filter: &MessageFilter<'_>,
        offset: u32,
        count: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let (conversation_type, target_id, any_channel, channel_id) = conversation_params(conversation);
        self.select_messages(
            SEARCH_MESSAGES_SQL,
            params![
                conversation_type,
                target_id,
                any_channel,
                channel_id,
                filter.keyword.map(fold_for_search),
                filter.sender_user_id,
                filter.sent_time.start(),
                filter.sent_time.end(),
                count,
                offset,
            ],
        )
    }

    fn conversation_message_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError> {
        let count: i64 = self
            .connection
            .prepare_cached("SELECT COUNT(*) FROM messages WHERE conversation_type = ?1 AND target_id = ?2")?
            .query_row(params![conversation_type.ordinal(), target_id], |row| row.get(0))?;
        u64::try_from(count).map_err(|_| StoreError::Corrupt(format!("a negative count: {count}")))
    }

    fn database_id(&mut self, candidate: u64) -> Result<u64, StoreError> {
        let transaction = self.write_transaction()?;
        // The bits are kept as they are: the ID is an opaque value, and INTEGER holds 64 of them.
        transaction
            .prepare_cached("INSERT OR IGNORE INTO sync_state (key, value) VALUES (?1, ?2)")?
            .execute(params![DATABASE_ID_KEY, candidate as i64])?;
        let stored: i64 = transaction
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([DATABASE_ID_KEY], |row| row.get(0))?;
        transaction.commit()?;
        Ok(stored as u64)
    }

    fn messages_with_sent_status(&self, sent_status: SentStatus) -> Result<Vec<Message>, StoreError> {
        self.select_messages(
            concat!("SELECT ", message_columns!(), " FROM messages WHERE sent_status = ?1 ORDER BY message_id"),
            params![sent_status.ordinal()],
        )
    }

    fn all_messages(&self) -> Result<Vec<Message>, StoreError> {
        self.select_messages(concat!("SELECT ", message_columns!(), " FROM messages ORDER BY message_id"), [])
    }

    fn unread_count(&self, conversation: ConversationKey<'_>) -> Result<u32, StoreError> {
        let (conversation_type, target_id, channel_id) = conversation;
        let count: i64 = if conversation_type == ConversationType::UltraGroup {
            let mut statement = self.connection.prepare_cached(UNREAD_COUNT_IN_CHANNEL)?;
            statement.query_row(params![conversation_type.ordinal(), target_id, channel_id], |row| row.get(0))?
        } else {
            let mut statement = self.connection.prepare_cached(UNREAD_COUNT)?;
            statement.query_row(params![conversation_type.ordinal(), target_id], |row| row.get(0))?
        };
        count_to_u32(count)
    }

    fn unread_count_of_target(&self, conversation_type: ConversationType, target_id: &str) -> Result<u32, StoreError> {
        let count: i64 = self
            .connection
            .prepare_cached(UNREAD_COUNT)?
            .query_row(params![conversation_type.ordinal(), target_id], |row| row.get(0))?;
        count_to_u32(count)
    }

    fn total_unread_count(&self) -> Result<u32, StoreError> {
        let count: i64 = self.connection.prepare_cached(TOTAL_UNREAD_COUNT)?.query_row([], |row| row.get(0))?;
        count_to_u32(count)
    }

    fn set_received_status(&mut self, message_id: i64, received_status: ReceivedStatus) -> Result<(), StoreError> {
        let transaction = self.write_transaction()?;
        let changed = transaction
            .prepare_cached("UPDATE messages SET received_status = ?2 WHERE message_id = ?1")?
            .execute(params![message_id, received_status.ordinal()])?;
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(message_id));
        }
        transaction.commit()?;
        Ok(())
    }

    fn first_unread_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError> {
        let first = self.select_messages(
            concat!(
                "SELECT ",
                message_columns!(),
                " FROM messages WHERE ",
                in_conversation!(),
                " AND ",
                counts_as_unread!(),
                " ORDER BY sent_time, message_id LIMIT 1"
            ),
            conversation_params(conversation),
        )?;
        Ok(first.into_iter().next())
    }

    fn unread_count_of_type(&self, conversation_type: ConversationType) -> Result<u32, StoreError> {
        let count: i64 = self
            .connection
            .prepare_cached(UNREAD_COUNT_OF_TYPE)?
            .query_row(params![conversation_type.ordinal()], |row| row.get(0))?;
        count_to_u32(count)
    }

    fn unread_mentioned_messages(
        &self,
        conversation: ConversationKey<'_>,
        user_id: &str,
    ) -> Result<Vec<Message>, StoreError> {
        let (conversation_type, target_id, any_channel, channel_id) = conversation_params(conversation);
        self.select_messages(
            UNREAD_MENTIONED_MESSAGES,
            params![conversation_type, target_id, any_channel, channel_id, user_id],
        )
    }

    fn last_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError> {
        let newest = self.select_messages(
            concat!(
                "SELECT ",
                message_columns!(),
                " FROM messages WHERE ",
                in_conversation!(),
                " ORDER BY sent_time DESC, message_id DESC LIMIT 1"
            ),
            conversation_params(conversation),
        )?;
        Ok(newest.into_iter().next())
    }

    fn conversation_state(&self, conversation: ConversationKey<'_>) -> Result<Option<ConversationState>, StoreError> {
        self.select_conversation_state(conversation)
    }

    fn conversation_states(&self, query: &ConversationQuery<'_>) -> Result<Vec<ConversationState>, StoreError> {
        self.select_conversation_states(query)
    }

    fn save_draft(&mut self, conversation: ConversationKey<'_>, draft: &str, now: i64) -> Result<(), StoreError> {
        self.write_draft(conversation, draft, now)
    }

    fn clear_draft(&mut self, conversation: ConversationKey<'_>) -> Result<(), StoreError> {
        self.empty_draft(conversation)
    }

    fn set_top(&mut self, conversation: ConversationKey<'_>, top: bool, now: i64) -> Result<bool, StoreError> {
        self.write_top(conversation, top, now)
    }

    fn set_notification_level(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        level: PushNotificationLevel,
    ) -> Result<bool, StoreError> {
        self.write_notification_level(conversation_type, target_id, level)
    }

    fn notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<PushNotificationLevel, StoreError> {
        self.select_notification_level(conversation_type, target_id)
    }

    fn conversation_notification_levels(
        &self,
        conversation_type: ConversationType,
    ) -> Result<BTreeMap<String, PushNotificationLevel>, StoreError> {
        self.select_conversation_notification_levels(conversation_type)
    }

    fn remove_conversation(&mut self, conversation: ConversationKey<'_>) -> Result<bool, StoreError> {
        self.delete_conversation_row(conversation)
    }

    fn remove_conversations_of_types(&mut self, conversation_types: &[ConversationType]) -> Result<u64, StoreError> {
        self.delete_conversations_of_types(conversation_types)
    }

    fn mark_read_sent_up_to(&mut self, conversation: ConversationKey<'_>, sent_up_to: i64) -> Result<u64, StoreError> {
        conversations::mark_read(&self.connection, conversation, sent_up_to)
    }

    fn search_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        message_types: &[MessageType],
        keyword: &str,
    ) -> Result<Vec<ConversationMatches>, StoreError> {
        let ordinals: Vec<u32> =
            conversation_types.iter().map(|conversation_type| conversation_type.ordinal()).collect();
        let object_names = searchable_object_names(message_types);
        let as_json = |error: serde_json::Error| StoreError::Corrupt(format!("search arguments: {error}"));
        let ordinals = serde_json::to_string(&ordinals).map_err(as_json)?;
        let object_names = serde_json::to_string(&object_names).map_err(as_json)?;
        let mut statement = self.connection.prepare_cached(SEARCH_CONVERSATIONS)?;
        let rows = statement
            .query_map(params![ordinals, object_names, fold_for_search(keyword), channel_id], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?, row.get(3)?))
            })?;
        rows.map(|row| {
            let (conversation_type, target_id, channel_id, count) = row.map_err(unreadable)?;
            Ok(ConversationMatches {
                conversation_type: u32::try_from(conversation_type)
                    .ok()
                    .and_then(ConversationType::from_ordinal)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown conversation_type {conversation_type}")))?,
                target_id,
                channel_id,
                count: count_to_u32(count)?,
            })
        })
        .collect()
    }
}

/// The inbox cursor as SQLite stores it (a signed 64-bit integer). A cursor beyond `i64::MAX` cannot be stored and
/// fails like any other value SQLite refuses. `MemoryStore` applies the same limit, so both stores agree.
pub(super) fn cursor_to_sql(inbox_cursor: u64) -> Result<i64, StoreError> {
    i64::try_from(inbox_cursor)
        .map_err(|error| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(error))))
}

/// The error for a database whose `sync_state` lost its cursor row (migration 0001 creates it).
fn missing_cursor() -> StoreError {
    StoreError::Corrupt(format!("sync_state has no '{INBOX_CURSOR_KEY}' row"))
}

/// Moves the inbox cursor up to `inbox_cursor`, never back, inside `transaction`.
fn advance_cursor(transaction: &Transaction<'_>, inbox_cursor: u64) -> Result<(), StoreError> {
    let inbox_cursor = cursor_to_sql(inbox_cursor)?;
    let changed = transaction
        .prepare_cached("UPDATE sync_state SET value = MAX(value, ?2) WHERE key = ?1")?
        .execute(params![INBOX_CURSOR_KEY, inbox_cursor])?;
    if changed == 0 {
        return Err(missing_cursor());
    }
    Ok(())
}
