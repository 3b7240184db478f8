-- 0009: the do-not-disturb levels the user set (DND-17, DND-19), as the server last sent them.
--
-- The server keeps them and sends every one to a device that connects (TOP-11); the engine keeps a copy so that the
-- conversation object carries its level (CONV-1) and `getUnreadCountByConversationTypes` can leave do-not-disturb
-- conversations out without asking the server (UNREAD-8). A level belongs to the user, not to the list: removing a
-- conversation keeps it. The per-type level is the row whose `target_id` is empty. Levels are the
-- `RCIMIWPushNotificationLevel` ordinals (DND-6); `none` (1) is stored like any other.

CREATE TABLE notification_levels (
    conversation_type INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    PRIMARY KEY (conversation_type, target_id)
) STRICT, WITHOUT ROWID;
