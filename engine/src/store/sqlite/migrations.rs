//! The schema's history: the numbered migrations under `engine/migrations/` (see its `NOTES.md`), applied in order
//! and tracked by `PRAGMA user_version`, each with the Rust backfill that SQL alone cannot do.

use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::rows::{search_text, unreadable};
use crate::content::decode_content;
use crate::proto;
use crate::store::StoreError;
use crate::types::MessageContent;

/// A migration's Rust step: runs after its SQL, inside its transaction.
type Backfill = fn(&Transaction<'_>) -> Result<(), StoreError>;

/// One schema migration: its SQL, and what must follow it in the same transaction that SQL cannot do.
struct Migration {
    /// The file's statements.
    sql: &'static str,
    /// A backfill that needs the engine's own rules (decoding content, say).
    backfill: Option<Backfill>,
}

/// The schema migrations, in order: entry N-1 takes a database from `user_version` N-1 to N.
const MIGRATIONS: &[Migration] = &[
    Migration { sql: include_str!("../../../migrations/0001_init.sql"), backfill: None },
    Migration {
        sql: include_str!("../../../migrations/0002_counts_unread.sql"),
        backfill: Some(backfill_counts_unread),
    },
    Migration { sql: include_str!("../../../migrations/0003_interrupted_sends.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0004_directed_recipients.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0005_mentioned_info.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0006_search_text.sql"), backfill: Some(backfill_search_text) },
    Migration { sql: include_str!("../../../migrations/0007_conversations.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0008_message_fields.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0009_notification_levels.sql"), backfill: None },
    Migration { sql: include_str!("../../../migrations/0010_ultra_group_channels.sql"), backfill: None },
];

/// The schema's SQL, migration by migration: what a tool needs to compare the store with raw SQLite on the same
/// schema (the ingestion workload of `imsim bench`).
pub fn schema_sql() -> impl Iterator<Item = &'static str> {
    MIGRATIONS.iter().map(|migration| migration.sql)
}

/// The schema version this engine writes: the number of migrations. (Far below `u32::MAX`, so the cast is exact.)
const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies the migrations above the database's `user_version`, each in its own transaction with the version bump.
///
/// The version is read inside each transaction, so two processes opening the same new file cannot both apply a
/// migration.
pub(super) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    loop {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = schema_version(&transaction)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: version, supported: SCHEMA_VERSION });
        }
        let Some(migration) = MIGRATIONS.get(version as usize) else {
            // Up to date: the transaction wrote nothing and is dropped.
            return Ok(());
        };
        transaction.execute_batch(migration.sql)?;
        if let Some(backfill) = migration.backfill {
            backfill(&transaction)?;
        }
        transaction.pragma_update(None, "user_version", version + 1)?;
        transaction.commit()?;
    }
}

/// Migration 0002's backfill: sets `counts_unread` of every existing row from its content's type (MTYPE-2 to
/// MTYPE-9), which for a custom message is in its payload.
fn backfill_counts_unread(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    backfill_from_content(transaction, "counts_unread", |content| content.policy().counted.into())
}

/// A backfill's one pass: sets `column` of every stored row to `value` of the row's content, as it reads back.
fn backfill_from_content(
    transaction: &Transaction<'_>,
    column: &str,
    value: impl Fn(&MessageContent) -> rusqlite::types::Value,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, Vec<u8>)> = transaction
        .prepare("SELECT message_id, object_name, payload FROM messages ORDER BY message_id")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()
        .map_err(unreadable)?;
    let mut update = transaction.prepare(&format!("UPDATE messages SET {column} = ?2 WHERE message_id = ?1"))?;
    for (message_id, object_name, payload) in rows {
        let content = decode_content(&proto::MessageContent { object_name, payload });
        update.execute(params![message_id, value(&content)])?;
    }
    Ok(())
}

/// Migration 0006's backfill: sets `search_text` of every existing row from its content (SEARCH-5).
fn backfill_search_text(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    backfill_from_content(transaction, "search_text", |content| search_text(content).into())
}

/// The database's `PRAGMA user_version` (0 for a new file).
fn schema_version(connection: &Connection) -> Result<u32, StoreError> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(version).map_err(|_| StoreError::Corrupt(format!("negative schema version {version}")))
}
