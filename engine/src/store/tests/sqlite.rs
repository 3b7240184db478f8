//! What only `SqliteStore` has: files that outlive the store, the schema, and contents written by someone else.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{outgoing, received};
use crate::store::{Received, SqliteStore, Store, StoreError};
use crate::types::SentStatus;

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A fresh, empty directory for the test `test_name` (tests run in parallel in one process).
    fn new(test_name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("imsim-engine-store-{}-{test_name}", std::process::id()));
        // A leftover from a crashed run with the same process ID would hold a stale database.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    /// The database file `user.db` inside the directory.
    fn database(&self) -> PathBuf {
        self.path.join("user.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The schema as SQLite records it, one `name: sql` entry per table and index, without SQLite's own objects.
fn schema(connection: &Connection) -> String {
    let mut statement =
        connection.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").unwrap();
    let entries = statement
        .query_map([], |row| Ok(format!("{}: {}", row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .unwrap();
    entries.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

/// The file's `PRAGMA user_version`.
fn user_version(path: &Path) -> i64 {
    Connection::open(path).unwrap().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap()
}

/// The schema after every migration, as `schema` prints it.
const EXPECTED_SCHEMA: &str = "\
messages: CREATE TABLE messages (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    channel_id TEXT,
    object_name TEXT NOT NULL,
    payload BLOB NOT NULL,
    direction INTEGER NOT NULL,
    sender_user_id TEXT NOT NULL,
    sent_status INTEGER NOT NULL,
    received_status INTEGER NOT NULL,
    sent_time INTEGER NOT NULL,
    received_time INTEGER NOT NULL,
    message_uid TEXT,
    offline INTEGER NOT NULL,
    extra TEXT
) STRICT
messages_by_conversation: CREATE INDEX messages_by_conversation ON messages (conversation_type, target_id, sent_time, message_id)
messages_by_uid: CREATE UNIQUE INDEX messages_by_uid ON messages (message_uid)
sync_state: CREATE TABLE sync_state (
    key TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT";

#[test]
fn schema_matches_snapshot() {
    // A fresh store's schema, to be compared with the SQL in `engine/migrations/`. A new migration changes this on
    // purpose; anything else changing it is a mistake.
    let directory = TempDir::new("schema_matches_snapshot");
    drop(SqliteStore::open(&directory.database()).unwrap());
    assert_eq!(schema(&Connection::open(directory.database()).unwrap()), EXPECTED_SCHEMA);
    assert_eq!(user_version(&directory.database()), 1);
}

#[test]
fn reopening_a_file_keeps_messages_and_cursor_without_migrating_again() {
    let directory = TempDir::new("reopening_a_file");
    let path = directory.database();
    let mut store = SqliteStore::open(&path).unwrap();
    let message_id = store.insert_outgoing(&outgoing("bob", 1_000, "hello")).unwrap();
    store.update_send_result(message_id, SentStatus::Sent, Some("uid-1"), 1_234).unwrap();
    store.insert_received(&[received("bob", "uid-2", 1_300, "hi")], 42).unwrap();
    let messages = store.all_messages().unwrap();
    drop(store);

    let mut reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.all_messages().unwrap(), messages);
    assert_eq!(reopened.inbox_cursor().unwrap(), 42);
    // Migration 0001 would have failed on the existing tables, or reset the cursor; the version is unchanged.
    assert_eq!(user_version(&path), 1);
    // The UID index and the ID sequence survived as well.
    let results = reopened.insert_received(&[received("bob", "uid-1", 1_234, "hello")], 43).unwrap();
    assert_eq!(results, [Received::Duplicate]);
    assert_eq!(reopened.insert_outgoing(&outgoing("bob", 2_000, "again")).unwrap(), 3);
}

#[test]
fn a_file_database_uses_wal() {
    let directory = TempDir::new("a_file_database_uses_wal");
    let _store = SqliteStore::open(&directory.database()).unwrap();
    let journal_mode: String = Connection::open(directory.database())
        .unwrap()
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(journal_mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let directory = TempDir::new("a_newer_schema_is_refused");
    let path = directory.database();
    let future = Connection::open(&path).unwrap();
    future.execute_batch("CREATE TABLE from_the_future (x INTEGER); PRAGMA user_version = 99;").unwrap();
    drop(future);

    let error = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::SchemaTooNew { found: 99, supported: 1 }), "{error:?}");
    assert_eq!(user_version(&path), 99);
    assert_eq!(schema(&Connection::open(&path).unwrap()), "from_the_future: CREATE TABLE from_the_future (x INTEGER)");
}

#[test]
fn values_out_of_their_domain_are_corrupt_not_a_panic() {
    let directory = TempDir::new("values_out_of_their_domain");
    let path = directory.database();
    let mut store = SqliteStore::open(&path).unwrap();
    let message_id = store.insert_outgoing(&outgoing("bob", 1_000, "hello")).unwrap();
    let intact = store.message(message_id).unwrap();
    let raw = Connection::open(&path).unwrap();

    for (column, bad_value) in [
        ("conversation_type", 99),
        ("conversation_type", -1),
        ("direction", 2),
        ("sent_status", 7),
        ("received_status", 6),
        ("received_status", i64::from(u32::MAX) + 1),
        ("offline", 2),
    ] {
        let original: i64 = raw
            .query_row(&format!("SELECT {column} FROM messages WHERE message_id = ?1"), [message_id], |row| row.get(0))
            .unwrap();
        let set = format!("UPDATE messages SET {column} = ?1 WHERE message_id = ?2");
        raw.execute(&set, [bad_value, message_id]).unwrap();

        let error = store.message(message_id).unwrap_err();
        assert!(matches!(&error, StoreError::Corrupt(reason) if reason.contains(column)), "{column}: {error:?}");
        assert!(matches!(store.all_messages(), Err(StoreError::Corrupt(_))), "{column}");

        raw.execute(&set, [original, message_id]).unwrap();
        assert_eq!(store.message(message_id).unwrap(), intact);
    }

    raw.execute("UPDATE sync_state SET value = -1 WHERE key = 'inbox_cursor'", []).unwrap();
    assert!(matches!(store.inbox_cursor(), Err(StoreError::Corrupt(_))));
    raw.execute("DELETE FROM sync_state", []).unwrap();
    assert!(matches!(store.inbox_cursor(), Err(StoreError::Corrupt(_))));
    assert!(matches!(store.insert_received(&[], 1), Err(StoreError::Corrupt(_))));
}
