-- 0005: a message's @ alert (MENTION-2, MENTION-3).
--
-- `mentioned_type` is the manual's ordinal (0 all, 1 part), NULL for a message without an alert. The listed users
-- are a JSON array of strings, so that a query can ask whether the current user is among them with `json_each`
-- (XAPI-3, MENTION-6) without a row per user.

ALTER TABLE messages ADD COLUMN mentioned_type INTEGER;
ALTER TABLE messages ADD COLUMN mentioned_user_ids TEXT;
ALTER TABLE messages ADD COLUMN mentioned_content TEXT;
