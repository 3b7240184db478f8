-- 0002: whether a message's type counts toward unread counts.
--
-- `counts_unread` is 1 when the message's content is of a type that counts as unread once received
-- (`MessagePolicy::counted`: MTYPE-2 to MTYPE-7, MTYPE-9), 0 when it never does. Whether a row counts right now also
-- depends on its direction and received status (UNREAD-6, SYNC-12): see the partial index below and
-- `Store::unread_count`. The rule of a custom message lives in its payload, out of SQL's reach, hence a column; the
-- store fills it on every insert, and `SqliteStore` recomputes it for the rows of an older database right after this
-- migration, in the same transaction (its Rust backfill), so the DEFAULT only serves that one moment.

ALTER TABLE messages ADD COLUMN counts_unread INTEGER NOT NULL DEFAULT 1 CHECK (counts_unread IN (0, 1));

-- Serves unread counts: received (direction 1 = receive), of a counted type, and unread (0) or retrieved (4).
CREATE INDEX messages_unread ON messages (conversation_type, target_id)
    WHERE direction = 1 AND counts_unread = 1 AND received_status IN (0, 4);
