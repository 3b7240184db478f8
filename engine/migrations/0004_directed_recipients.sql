-- 0004: the designated users of a directed group message (`sendGroupMessageToDesignatedUsers`, GRP-16).
--
-- A send the last process left `sending` is published again when the engine next connects. A directed message
-- must go out to the same users, not to the whole group, so its recipients are stored with it, in the order the
-- app gave them, in the same transaction as the message. They go when the message goes.

CREATE TABLE directed_recipients (
    message_id INTEGER NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
) STRICT;
