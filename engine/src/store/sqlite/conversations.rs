//! The conversation list in SQLite (migrations 0007 and 0010): each conversation's own state, one per ultra group
//! channel (CTYPE-5), read in the list's order through `conversations_in_list_order`, and the writes of DRAFT, TOP,
//! CREM and UNREAD-4; and the do-not-disturb levels (migration 0009).
//!
//! A page is two index seeks, one per pinned flag, each bounded by the operation time and cut to the page size, so
//! its cost does not grow with the list (the `getConversations` bench of issue 15 holds it to that). The type filter
//! is written `+conversation_type`, which keeps SQLite from choosing the primary key for it instead of the list's
//! order.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::rows::unreadable;
use crate::store::{
    ConversationKey, ConversationQuery, ConversationState, StoreError, channel_from_list, list_channel,
};
use std::collections::BTreeMap;

use crate::types::{ConversationType, PushNotificationLevel, ReceivedStatus};

const _: () = assert!(ReceivedStatus::Read as u32 == 1);

/// The columns `state_from_row` reads.
const STATE_COLUMNS: &str = "conversation_type, target_id, channel_id, operation_time, top, draft";

/// The messages of one conversation that count as unread: `counts_as_unread!()` for the correlated row, of its
/// channel in an ultra group (its `''` row holds the messages in no channel).
const HAS_UNREAD: &str = "EXISTS (SELECT 1 FROM messages WHERE messages.conversation_type = conversations.conversation_type \
                          AND messages.target_id = conversations.target_id AND messages.direction = 1 \
                          AND messages.counts_unread = 1 AND messages.received_status IN (0, 4) \
                          AND (conversations.conversation_type <> 5 \
                          OR messages.channel_id IS nullif(conversations.channel_id, '')))";

/// The columns of a conversation's row, bound in this order: type, target, list channel (`list_channel`).
const KEY: &str = "conversation_type = ?1 AND target_id = ?2 AND channel_id = ?3";

/// The parameters of `KEY` for one conversation.
fn key_params((conversation_type, target_id, channel_id): ConversationKey<'_>) -> (u32, &str, &str) {
    (conversation_type.ordinal(), target_id, list_channel(conversation_type, channel_id))
}

/// `Store::conversation_states`: the statement for this query's shape. The types are the enum's own ordinals, so
/// writing them into the text is safe; `?1` is the operation time bound, `?2` the limit (-1: none), `?3` the ultra
/// group channel kept (NULL: every channel).
pub fn list_sql(query: &ConversationQuery<'_>) -> String {
    let types: Vec<String> = query.conversation_types.iter().map(|kind| kind.ordinal().to_string()).collect();
    let mut filter = format!(
        "operation_time < ?1 AND +conversation_type IN ({}) AND (?3 IS NULL OR +conversation_type <> 5 OR channel_id = ?3)",
        types.join(", ")
    );
    if query.only_unread {
        filter = format!("{filter} AND {HAS_UNREAD}");
    }
    let part = |top: u8| {
        format!(
            "SELECT * FROM (SELECT {STATE_COLUMNS} FROM conversations WHERE top = {top} AND {filter} \
             ORDER BY operation_time DESC, conversation_type, target_id, channel_id LIMIT ?2)"
        )
    };
    let pinned_or_not = if query.only_top { part(1) } else { format!("{} UNION ALL {}", part(1), part(0)) };
    format!("{pinned_or_not} ORDER BY top DESC, operation_time DESC, conversation_type, target_id, channel_id LIMIT ?2")
}

/// A stored level ordinal (DND-6); `Corrupt` for one the enum does not know.
fn level_from_ordinal(ordinal: u32) -> Result<PushNotificationLevel, StoreError> {
    PushNotificationLevel::from_ordinal(ordinal)
        .ok_or_else(|| StoreError::Corrupt(format!("notification level ordinal {ordinal}")))
}

/// A row of `STATE_COLUMNS`.
fn state_from_row(row: &Row<'_>) -> rusqlite::Result<StateRow> {
    Ok(StateRow {
        conversation_type: row.get(0)?,
        target_id: row.get(1)?,
        channel_id: row.get(2)?,
        operation_time: row.get(3)?,
        top: row.get(4)?,
        draft: row.get(5)?,
    })
}

/// A row of `STATE_COLUMNS` as SQLite gives it.
struct StateRow {
    conversation_type: u32,
    target_id: String,
    channel_id: String,
    operation_time: i64,
    top: bool,
    draft: String,
}

/// The state a row of `STATE_COLUMNS` holds; `Corrupt` for an unknown type ordinal.
fn into_state(row: StateRow) -> Result<ConversationState, StoreError> {
    let StateRow { conversation_type: ordinal, target_id, channel_id, operation_time, top, draft } = row;
    let conversation_type = ConversationType::from_ordinal(ordinal)
        .ok_or_else(|| StoreError::Corrupt(format!("conversation type ordinal {ordinal}")))?;
    let channel_id = channel_from_list(&channel_id).map(str::to_owned);
    Ok(ConversationState { conversation_type, target_id, channel_id, operation_time, top, draft })
}

impl SqliteStore {
    pub(super) fn select_conversation_state(
        &self,
        conversation: ConversationKey<'_>,
    ) -> Result<Option<ConversationState>, StoreError> {
        let sql = format!("SELECT {STATE_COLUMNS} FROM conversations WHERE {KEY}");
        let row = self
            .connection
            .prepare_cached(&sql)?
            .query_row(key_params(conversation), state_from_row)
            .optional()
            .map_err(unreadable)?;
        row.map(into_state).transpose()
    }

    pub(super) fn select_conversation_states(
        &self,
        query: &ConversationQuery<'_>,
    ) -> Result<Vec<ConversationState>, StoreError> {
        if query.conversation_types.is_empty() {
            return Ok(Vec::new());
        }
        let limit = query.limit.map_or(-1, i64::from);
        let mut statement = self.connection.prepare_cached(&list_sql(query))?;
        let rows = statement
            .query_map(params![query.operation_time_before, limit, query.ultra_group_channel], state_from_row)?;
        rows.map(|row| into_state(row.map_err(unreadable)?)).collect()
    }

    pub(super) fn write_draft(
        &mut self,
        conversation: ConversationKey<'_>,
        draft: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let (conversation_type, target_id, channel_id) = key_params(conversation);
        self.connection
            .prepare_cached(
                "INSERT INTO conversations (conversation_type, target_id, channel_id, operation_time, draft) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (conversation_type, target_id, channel_id) \
                 DO UPDATE SET draft = excluded.draft, operation_time = excluded.operation_time",
            )?
            .execute(params![conversation_type, target_id, channel_id, now, draft])?;
        Ok(())
    }

    pub(super) fn empty_draft(&mut self, conversation: ConversationKey<'_>) -> Result<(), StoreError> {
        self.connection
            .prepare_cached(&format!("UPDATE conversations SET draft = '' WHERE {KEY}"))?
            .execute(key_params(conversation))?;
        Ok(())
    }

    pub(super) fn write_top(
        &mut self,
        conversation: ConversationKey<'_>,
        top: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (conversation_type, target_id, channel_id) = key_params(conversation);
        let changed = if top {
            self.connection
                .prepare_cached(
                    "INSERT INTO conversations (conversation_type, target_id, channel_id, operation_time, top) \
                     VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT (conversation_type, target_id, channel_id) \
                     DO UPDATE SET top = 1 WHERE top = 0",
                )?
                .execute(params![conversation_type, target_id, channel_id, now])?
        } else {
            self.connection
                .prepare_cached(&format!("UPDATE conversations SET top = 0 WHERE {KEY} AND top = 1"))?
                .execute(key_params(conversation))?
        };
        Ok(changed > 0)
    }

    pub(super) fn write_notification_level(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        level: PushNotificationLevel,
    ) -> Result<bool, StoreError> {
        let changed = self
            .connection
            .prepare_cached(
                "INSERT INTO notification_levels (conversation_type, target_id, level) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (conversation_type, target_id) DO UPDATE SET level = excluded.level \
                 WHERE level <> excluded.level",
            )?
            .execute(params![conversation_type.ordinal(), target_id, level.ordinal()])?;
        Ok(changed > 0)
    }

    pub(super) fn select_notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<PushNotificationLevel, StoreError> {
        let ordinal: Option<u32> = self
            .connection
            .prepare_cached("SELECT level FROM notification_levels WHERE conversation_type = ?1 AND target_id = ?2")?
            .query_row(params![conversation_type.ordinal(), target_id], |row| row.get(0))
            .optional()
            .map_err(unreadable)?;
        ordinal.map_or(Ok(PushNotificationLevel::None), level_from_ordinal)
    }

    pub(super) fn select_conversation_notification_levels(
        &self,
        conversation_type: ConversationType,
    ) -> Result<BTreeMap<String, PushNotificationLevel>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT target_id, level FROM notification_levels WHERE conversation_type = ?1 AND target_id <> ''",
        )?;
        let rows = statement.query_map(params![conversation_type.ordinal()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?))
        })?;
        rows.map(|row| {
            let (target_id, ordinal) = row.map_err(unreadable)?;
            Ok((target_id, level_from_ordinal(ordinal)?))
        })
        .collect()
    }

    pub(super) fn delete_conversation_row(&mut self, conversation: ConversationKey<'_>) -> Result<bool, StoreError> {
        let deleted = self
            .connection
            .prepare_cached(&format!("DELETE FROM conversations WHERE {KEY}"))?
            .execute(key_params(conversation))?;
        Ok(deleted > 0)
    }

    pub(super) fn delete_conversations_of_types(
        &mut self,
        conversation_types: &[ConversationType],
    ) -> Result<u64, StoreError> {
        let transaction = self.write_transaction()?;
        let mut deleted = 0;
        for conversation_type in conversation_types {
            deleted += transaction
                .prepare_cached("DELETE FROM messages WHERE conversation_type = ?1")?
                .execute(params![conversation_type.ordinal()])? as u64;
            transaction
                .prepare_cached("DELETE FROM conversations WHERE conversation_type = ?1")?
                .execute(params![conversation_type.ordinal()])?;
        }
        transaction.commit()?;
        Ok(deleted)
    }
}

/// UNREAD-4, RSYNC-6: marks read the received messages of one conversation sent at or before `sent_up_to`, on
/// `connection` (a transaction of the caller's, or the store's own connection); how many changed.
pub(super) fn mark_read(
    connection: &Connection,
    conversation: ConversationKey<'_>,
    sent_up_to: i64,
) -> Result<u64, StoreError> {
    let (conversation_type, target_id, any_channel, channel_id) = super::conversation_params(conversation);
    let marked = connection
        .prepare_cached(
            "UPDATE messages SET received_status = 1 WHERE conversation_type = ?1 AND target_id = ?2 \
             AND sent_time <= ?3 AND direction = 1 AND received_status IN (0, 4) AND (?4 OR channel_id IS ?5)",
        )?
        .execute(params![conversation_type, target_id, sent_up_to, any_channel, channel_id])?;
    Ok(marked as u64)
}
