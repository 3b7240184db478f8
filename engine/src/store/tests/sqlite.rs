//! What only `SqliteStore` has: files that outlive the store, the schema, and contents written by someone else.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{outgoing, received};
use crate::content::encode_content;
use crate::store::sqlite::{TOTAL_UNREAD_COUNT, UNREAD_COUNT};
use crate::store::{Received, SqliteStore, Store, StoreError};
use crate::types::{ConversationType, CustomMessagePolicy, Message, MessageContent, MessageDirection, SentStatus};

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
conversations: CREATE TABLE \"conversations\" (
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    channel_id TEXT NOT NULL DEFAULT '',
    operation_time INTEGER NOT NULL,
    top INTEGER NOT NULL DEFAULT 0 CHECK (top IN (0, 1)),
    draft TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (conversation_type, target_id, channel_id)
) STRICT, WITHOUT ROWID
conversations_in_list_order: CREATE INDEX conversations_in_list_order
    ON conversations (top DESC, operation_time DESC, conversation_type, target_id, channel_id)
directed_recipients: CREATE TABLE directed_recipients (
    message_id INTEGER NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
) STRICT
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
, counts_unread INTEGER NOT NULL DEFAULT 1 CHECK (counts_unread IN (0, 1)), mentioned_type INTEGER, mentioned_user_ids TEXT, mentioned_content TEXT, search_text TEXT, user_info TEXT, expansion TEXT, push_options TEXT, group_read_receipt_info TEXT) STRICT
messages_by_conversation: CREATE INDEX messages_by_conversation ON messages (conversation_type, target_id, sent_time, message_id)
messages_by_uid: CREATE UNIQUE INDEX messages_by_uid ON messages (message_uid)
messages_keep_their_conversation: CREATE TRIGGER messages_keep_their_conversation AFTER INSERT ON messages WHEN NEW.conversation_type <> 3
BEGIN
    INSERT INTO conversations (conversation_type, target_id, channel_id, operation_time)
        VALUES (NEW.conversation_type, NEW.target_id,
            CASE WHEN NEW.conversation_type = 5 THEN coalesce(NEW.channel_id, '') ELSE '' END,
            (SELECT MAX(sent_time) FROM messages WHERE conversation_type = NEW.conversation_type
                AND target_id = NEW.target_id AND (NEW.conversation_type <> 5 OR channel_id IS NEW.channel_id)))
        ON CONFLICT (conversation_type, target_id, channel_id)
        DO UPDATE SET operation_time = max(operation_time, excluded.operation_time);
END
messages_sending: CREATE INDEX messages_sending ON messages (message_id) WHERE sent_status = 0
messages_sent_time_moves_their_conversation: CREATE TRIGGER messages_sent_time_moves_their_conversation AFTER UPDATE OF sent_time ON messages
    WHEN NEW.conversation_type <> 3
BEGIN
    UPDATE conversations SET operation_time = max(operation_time, NEW.sent_time)
        WHERE conversation_type = NEW.conversation_type AND target_id = NEW.target_id
        AND channel_id = CASE WHEN NEW.conversation_type = 5 THEN coalesce(NEW.channel_id, '') ELSE '' END;
END
messages_unread: CREATE INDEX messages_unread ON messages (conversation_type, target_id)
    WHERE direction = 1 AND counts_unread = 1 AND received_status IN (0, 4)
notification_levels: CREATE TABLE notification_levels (
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    PRIMARY KEY (conversation_type, target_id)
) STRICT, WITHOUT ROWID
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
    assert_eq!(user_version(&directory.database()), 10);
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
    assert_eq!(user_version(&path), 10);
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
    assert!(matches!(error, StoreError::SchemaTooNew { found: 99, supported: 10 }), "{error:?}");
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

/// Writes `message` into a schema-0001 database as an engine of that version did (no `counts_unread`).
fn insert_as_0001(connection: &Connection, message: &Message) {
    let wire = encode_content(&message.content);
    connection
        .execute(
            "INSERT INTO messages (conversation_type, target_id, channel_id, object_name, payload, direction, \
             sender_user_id, sent_status, received_status, sent_time, received_time, message_uid, offline, extra) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            rusqlite::params![
                message.conversation_type.ordinal(),
                message.target_id,
                message.channel_id,
                wire.object_name,
                wire.payload,
                message.direction.ordinal(),
                message.sender_user_id,
                message.sent_status.ordinal(),
                message.received_status.ordinal(),
                message.sent_time,
                message.received_time,
                message.message_uid,
                message.offline,
                message.extra,
            ],
        )
        .unwrap();
}

#[test]
fn a_0001_database_migrates_and_its_rows_count_by_their_type() {
    // Migration 0002 and its backfill: `counts_unread` of existing rows comes from their content's type, custom
    // policies included (MTYPE-2 to MTYPE-9), and the messages read back unchanged.
    let directory = TempDir::new("a_0001_database_migrates");
    let path = directory.database();
    let old = Connection::open(&path).unwrap();
    old.execute_batch(include_str!("../../../migrations/0001_init.sql")).unwrap();
    old.pragma_update(None, "user_version", 1).unwrap();
    let custom = |policy| MessageContent::Custom {
        identifier: "App:Card".to_owned(),
        policy,
        fields: [("k".to_owned(), "v".to_owned())].into(),
    };
    let contents = [
        MessageContent::Text { text: "Hi Ünï".to_owned() },
        MessageContent::CommandNotification { name: "n".to_owned(), data: "d".to_owned() },
        custom(CustomMessagePolicy::Storage),
        custom(CustomMessagePolicy::Normal),
        MessageContent::unknown("App:Blob".to_owned(), vec![0xff, 0x00]),
        MessageContent::RecallNotification {
            admin: false,
            deleted: false,
            recall_time: 1,
            recall_action_time: 2,
            original_message: None,
            operator_id: "bob".to_owned(),
        },
    ];
    let mut expected = Vec::new();
    for (index, content) in contents.into_iter().enumerate() {
        let message = Message { content, ..received("bob", &format!("uid-{index}"), 100 + index as i64, "") };
        insert_as_0001(&old, &message);
        expected.push(Message { message_id: index as i64 + 1, ..message });
    }
    let sent = Message { message_id: 7, ..outgoing("bob", 200, "mine") };
    insert_as_0001(&old, &sent);
    expected.push(sent);
    old.execute("UPDATE sync_state SET value = 6 WHERE key = 'inbox_cursor'", []).unwrap();
    drop(old);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), 10);
    assert_eq!(store.all_messages().unwrap(), expected);
    assert_eq!(store.inbox_cursor().unwrap(), 6);
    let raw = Connection::open(&path).unwrap();
    let counts_unread: Vec<i64> = raw
        .prepare("SELECT counts_unread FROM messages ORDER BY message_id")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Text, command notification, storage custom, normal custom, unknown, recall notification, sent text.
    assert_eq!(counts_unread, [1, 0, 0, 1, 1, 0, 1]);
    // Migration 0006's backfill: the two texts are searchable, folded (SEARCH-5); nothing else is.
    let search_text: Vec<Option<String>> = raw
        .prepare("SELECT search_text FROM messages ORDER BY message_id")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let folded = |text: &str| Some(text.to_owned());
    assert_eq!(search_text, [folded("hi ünï"), None, None, None, None, None, folded("mine")]);
    // Text, normal custom and unknown: received, unread and of a counted type.
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 3);
    assert_eq!(store.total_unread_count().unwrap(), 3);
    assert_eq!(schema(&raw), EXPECTED_SCHEMA);
}

#[test]
fn unread_counts_use_the_partial_index() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    fn plan(store: &SqliteStore, sql: &str, params: impl rusqlite::Params) -> String {
        let mut statement = store.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let details = statement.query_map(params, |row| row.get::<_, String>(3)).unwrap();
        details.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }
    let one = plan(&store, UNREAD_COUNT, rusqlite::params![1, "bob"]);
    assert!(one.contains("messages_unread"), "{one}");
    let total = plan(&store, TOTAL_UNREAD_COUNT, []);
    assert!(total.contains("messages_unread"), "{total}");
    // A message stored by this engine sets the column itself.
    let arrived = Message { direction: MessageDirection::Receive, ..outgoing("bob", 1, "hi") };
    store.insert_received(&[arrived], 1).unwrap();
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 1);
}

#[test]
fn a_page_of_the_conversation_list_is_read_in_index_order() {
    // Issue 15: no sort of the whole list for a page; each half (pinned, not) is a seek in the list's index.
    let store = SqliteStore::open_in_memory().unwrap();
    let types = [ConversationType::Private, ConversationType::Group];
    let query = crate::store::ConversationQuery {
        conversation_types: &types,
        operation_time_before: i64::MAX,
        only_top: false,
        only_unread: false,
        limit: Some(20),
        ultra_group_channel: None,
    };
    let sql = super::super::sqlite::conversation_list_sql(&query);
    let mut statement = store.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let details =
        statement.query_map(rusqlite::params![i64::MAX, 20, None::<&str>], |row| row.get::<_, String>(3)).unwrap();
    let plan = details.map(Result::unwrap).collect::<Vec<_>>();
    let searches = plan.iter().filter(|detail| detail.contains("USING INDEX conversations_in_list_order")).count();
    assert_eq!(searches, 2, "{plan:#?}");
    // Each half comes out of its seek already in order (no sort between the seek and the half's rows): only the
    // two halves, at most `count` rows each, are sorted into one page.
    for (index, detail) in plan.iter().enumerate() {
        if detail.starts_with("SEARCH conversations") {
            assert!(plan[index + 1].starts_with("SCAN (subquery"), "{plan:#?}");
        }
    }
}

/// The committed database written by schema version 6 (`fixtures/databases/schema-6.db`), frozen: later engines must
/// open it, upgrade it in place and read back every row as this engine wrote it (issue 14: a database written by
/// today's schema opens and upgrades).
const SCHEMA_6_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/databases/schema-6.db");

/// The rows the schema-6 fixture holds, as `write_the_schema_6_fixture` stored them.
fn schema_6_rows() -> Vec<Message> {
    let mentioned = Message {
        conversation_type: ConversationType::Group,
        mentioned_info: Some(crate::types::MentionedInfo {
            mentioned_type: crate::types::MentionedType::Part,
            user_id_list: vec!["me".to_owned()],
            mentioned_content: Some("@me".to_owned()),
        }),
        ..received("team", "uid-3", 3_000, "Ünïcode @me")
    };
    vec![
        Message {
            sent_status: SentStatus::Sent,
            message_uid: Some("uid-1".to_owned()),
            ..outgoing("bob", 1_000, "hello")
        },
        received("bob", "uid-2", 2_000, "a reply"),
        mentioned,
    ]
}

/// Writes the fixture: run once with `IMSIM_WRITE_SCHEMA_6_FIXTURE=1` while the engine's schema is version 6. It
/// never rewrites an existing file: the fixture is the past, kept as it was.
#[test]
fn write_the_schema_6_fixture() {
    let path = Path::new(SCHEMA_6_FIXTURE);
    if std::env::var_os("IMSIM_WRITE_SCHEMA_6_FIXTURE").is_none() || path.exists() {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut store = SqliteStore::open_with(path, crate::store::Sync::Normal).unwrap();
    assert_eq!(user_version(path), 6, "the fixture is written by schema version 6 only");
    let rows = schema_6_rows();
    let id = store.insert_outgoing(&rows[0]).unwrap();
    store.update_send_result(id, SentStatus::Sent, Some("uid-1"), 1_000).unwrap();
    store.insert_received(&rows[1..], 7).unwrap();
    // One file, no WAL beside it.
    store.connection().pragma_update(None, "journal_mode", "DELETE").unwrap();
}

#[test]
fn the_committed_schema_6_database_opens_upgrades_and_reads_back() {
    let directory = TempDir::new("schema_6_fixture");
    let path = directory.database();
    std::fs::copy(SCHEMA_6_FIXTURE, &path).expect("fixtures/databases/schema-6.db is committed");
    assert_eq!(user_version(&path), 6);
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), i64::from(super::super::sqlite::schema_sql().count() as u32));
    let stored = store.all_messages().unwrap();
    let expected: Vec<Message> = schema_6_rows()
        .into_iter()
        .enumerate()
        .map(|(index, message)| super::stored_as(&message, index as i64 + 1))
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(store.inbox_cursor().unwrap(), 7);
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 1);
    assert_eq!(store.unread_mentioned_messages((ConversationType::Group, "team", None), "me").unwrap().len(), 1);
    // The new queries work on it, and writing goes on from the stored IDs.
    let page = store.history_page((ConversationType::Private, "bob", None), 0, crate::types::TimeOrder::Before, 20);
    assert_eq!(page.unwrap().len(), 2);
    // Migration 0007 made the conversation list from the stored messages (CONV-5), newest first.
    let conversations = store
        .conversations(
            &crate::store::ConversationQuery {
                conversation_types: &[ConversationType::Private, ConversationType::Group],
                operation_time_before: i64::MAX,
                only_top: false,
                only_unread: false,
                limit: None,
                ultra_group_channel: None,
            },
            "me",
        )
        .unwrap();
    let listed: Vec<(&str, i64, u32, u32)> = conversations
        .iter()
        .map(|conversation| {
            let (target, time) = (conversation.target_id.as_str(), conversation.operation_time);
            (target, time, conversation.unread_count, conversation.mentioned_count)
        })
        .collect();
    assert_eq!(listed, [("team", 3_000, 1, 1), ("bob", 2_000, 1, 0)]);
    assert_eq!(store.insert_outgoing(&outgoing("bob", 4_000, "after the upgrade")).unwrap(), 4);
}

#[test]
fn a_schema_9_ultra_group_row_becomes_one_row_per_channel() {
    // Migration 0010 (CTYPE-5): an ultra group's one row becomes one per channel its messages are in, at that
    // channel's newest time; its pinned flag and draft stay on its no-channel row; other types keep their state.
    let directory = TempDir::new("a_schema_9_ultra_group_row");
    let path = directory.database();
    let old = Connection::open(&path).unwrap();
    for sql in super::super::sqlite::schema_sql().take(9) {
        old.execute_batch(sql).unwrap();
    }
    old.pragma_update(None, "user_version", 9).unwrap();
    let ultra = |uid: &str, channel: &str, sent_time| Message {
        conversation_type: ConversationType::UltraGroup,
        channel_id: Some(channel.to_owned()),
        ..received("ug", uid, sent_time, "x")
    };
    for message in
        [ultra("u1", "news", 100), ultra("u2", "chat", 300), ultra("u3", "news", 200), received("bob", "u4", 50, "y")]
    {
        insert_as_0001(&old, &message);
    }
    old.execute("UPDATE conversations SET top = 1, draft = 'pinned before channels'", []).unwrap();
    drop(old);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), 10);
    let states = store
        .conversation_states(&crate::store::ConversationQuery {
            conversation_types: &[ConversationType::Private, ConversationType::UltraGroup],
            operation_time_before: i64::MAX,
            only_top: false,
            only_unread: false,
            limit: None,
            ultra_group_channel: None,
        })
        .unwrap();
    let rows: Vec<(String, Option<String>, i64, bool, String)> = states
        .into_iter()
        .map(|state| (state.target_id, state.channel_id, state.operation_time, state.top, state.draft))
        .collect();
    let row = |target: &str, channel: Option<&str>, time, top, draft: &str| {
        (target.to_owned(), channel.map(str::to_owned), time, top, draft.to_owned())
    };
    let draft = "pinned before channels";
    assert_eq!(
        rows,
        [
            row("ug", None, 300, true, draft),
            row("bob", None, 50, true, draft),
            row("ug", Some("chat"), 300, false, ""),
            row("ug", Some("news"), 200, false, ""),
        ]
    );
    assert_eq!(store.unread_count((ConversationType::UltraGroup, "ug", Some("news"))).unwrap(), 2);
}
