-- 0010: one conversation per ultra group channel (CTYPE-5, UG-4).
--
-- An ultra group's channels are independent conversations: each has its own last message, unread counts, draft,
-- pinned flag and place in the list. The list's key gains `channel_id`: an ultra group's channel, and '' for its
-- messages in no channel (UG-7's pre-2022 behaviour) and for every other type, which has no channels (CALL-11).
--
-- SQLite cannot change a primary key, so the table is rebuilt: the triggers that write it go first and come back
-- with the channel. Rows of other types keep their state. An ultra group's one row becomes one row per channel its
-- stored messages are in, at that channel's newest time; its pinned flag and draft, which no channel owned, stay on
-- its '' row.

DROP TRIGGER messages_keep_their_conversation;
DROP TRIGGER messages_sent_time_moves_their_conversation;

CREATE TABLE conversations_by_channel (
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    channel_id TEXT NOT NULL DEFAULT '',
    operation_time INTEGER NOT NULL,
    top INTEGER NOT NULL DEFAULT 0 CHECK (top IN (0, 1)),
    draft TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (conversation_type, target_id, channel_id)
) STRICT, WITHOUT ROWID;

INSERT INTO conversations_by_channel (conversation_type, target_id, operation_time, top, draft)
    SELECT conversation_type, target_id, operation_time, top, draft FROM conversations WHERE conversation_type <> 5;

INSERT INTO conversations_by_channel (conversation_type, target_id, channel_id, operation_time)
    SELECT conversation_type, target_id, coalesce(channel_id, ''), MAX(sent_time) FROM messages
        WHERE conversation_type = 5 AND target_id IN (SELECT target_id FROM conversations WHERE conversation_type = 5)
        GROUP BY target_id, coalesce(channel_id, '');

INSERT INTO conversations_by_channel (conversation_type, target_id, operation_time, top, draft)
    SELECT conversation_type, target_id, operation_time, top, draft FROM conversations
        WHERE conversation_type = 5 AND (top = 1 OR draft <> '')
    ON CONFLICT (conversation_type, target_id, channel_id) DO UPDATE SET top = excluded.top, draft = excluded.draft;

DROP TABLE conversations;
ALTER TABLE conversations_by_channel RENAME TO conversations;

-- Serves a page of the list in its order (CONV-7): pinned first, then the newest operation time.
CREATE INDEX conversations_in_list_order
    ON conversations (top DESC, operation_time DESC, conversation_type, target_id, channel_id);

CREATE TRIGGER messages_keep_their_conversation AFTER INSERT ON messages WHEN NEW.conversation_type <> 3
BEGIN
    INSERT INTO conversations (conversation_type, target_id, channel_id, operation_time)
        VALUES (NEW.conversation_type, NEW.target_id,
            CASE WHEN NEW.conversation_type = 5 THEN coalesce(NEW.channel_id, '') ELSE '' END,
            (SELECT MAX(sent_time) FROM messages WHERE conversation_type = NEW.conversation_type
                AND target_id = NEW.target_id AND (NEW.conversation_type <> 5 OR channel_id IS NEW.channel_id)))
        ON CONFLICT (conversation_type, target_id, channel_id)
        DO UPDATE SET operation_time = max(operation_time, excluded.operation_time);
END;

-- A send's authoritative time (MSG-22) can move the conversation forward.
CREATE TRIGGER messages_sent_time_moves_their_conversation AFTER UPDATE OF sent_time ON messages
    WHEN NEW.conversation_type <> 3
BEGIN
    UPDATE conversations SET operation_time = max(operation_time, NEW.sent_time)
        WHERE conversation_type = NEW.conversation_type AND target_id = NEW.target_id
        AND channel_id = CASE WHEN NEW.conversation_type = 5 THEN coalesce(NEW.channel_id, '') ELSE '' END;
END;
