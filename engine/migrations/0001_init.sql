-- 0001: the first schema.
--
-- A message keeps its content as the wire's (object_name, payload) pair, its enums as the manual's ordinals and its
-- times as Unix milliseconds. Tables are STRICT so that a value of the wrong type is refused on write instead of
-- being stored and failing on read.

CREATE TABLE messages (
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
) STRICT;

-- The server's UID names one message: a second copy is refused (RECV-13). Unsent messages have no UID, and SQLite
-- treats NULLs as distinct, so any number of them may coexist.
CREATE UNIQUE INDEX messages_by_uid ON messages (message_uid);

-- Serves a conversation's history in display order.
CREATE INDEX messages_by_conversation ON messages (conversation_type, target_id, sent_time, message_id);

-- Sync positions, one row per key. 'inbox_cursor' is the highest inbox sequence number persisted.
CREATE TABLE sync_state (
    key TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

INSERT INTO sync_state (key, value) VALUES ('inbox_cursor', 0);
