-- 0007: the conversation list (CONV, DRAFT, TOP, CREM).
--
-- A conversation has state of its own that its messages cannot give: whether it is in the list at all (CREM-1
-- removes it and keeps its messages), its pinned flag, its draft, and its operation time (CONV-2: the latest of its
-- newest message's sent time, its last draft save and its creation when empty, unchanged by deletions, DEL-15).
-- What its messages do give (the last message, the unread and mentioned counts) is read from them through the
-- message indexes, so it can never disagree with them. Chatrooms never have a row (CTYPE-9).
--
-- The triggers keep the row in the same statement as the message, whichever path stored it (sent, received,
-- inserted, fetched from the server's history), and a removed conversation comes back with its next message
-- (CREM-4). The operation time of a new row is the newest stored message's time, through the conversation index.

CREATE TABLE conversations (
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    operation_time INTEGER NOT NULL,
    top INTEGER NOT NULL DEFAULT 0 CHECK (top IN (0, 1)),
    draft TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (conversation_type, target_id)
) STRICT, WITHOUT ROWID;

-- Serves a page of the list in its order (CONV-7): pinned first, then the newest operation time.
CREATE INDEX conversations_in_list_order ON conversations (top DESC, operation_time DESC, conversation_type, target_id);

CREATE TRIGGER messages_keep_their_conversation AFTER INSERT ON messages WHEN NEW.conversation_type <> 3
BEGIN
    INSERT INTO conversations (conversation_type, target_id, operation_time)
        VALUES (NEW.conversation_type, NEW.target_id, (SELECT MAX(sent_time) FROM messages
            WHERE conversation_type = NEW.conversation_type AND target_id = NEW.target_id))
        ON CONFLICT (conversation_type, target_id)
        DO UPDATE SET operation_time = max(operation_time, excluded.operation_time);
END;

-- A send's authoritative time (MSG-22) can move the conversation forward.
CREATE TRIGGER messages_sent_time_moves_their_conversation AFTER UPDATE OF sent_time ON messages
    WHEN NEW.conversation_type <> 3
BEGIN
    UPDATE conversations SET operation_time = max(operation_time, NEW.sent_time)
        WHERE conversation_type = NEW.conversation_type AND target_id = NEW.target_id;
END;

INSERT INTO conversations (conversation_type, target_id, operation_time)
    SELECT conversation_type, target_id, MAX(sent_time) FROM messages WHERE conversation_type <> 3
        GROUP BY conversation_type, target_id;
