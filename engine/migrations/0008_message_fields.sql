-- 0008: the fields of a message that are not its content (MSG-13, MSG-15, MSG-16, MSG-18).
--
-- Each is a JSON object under the manual's field names, NULL when the message has none: the user information the
-- sender put on it, its expansion entries (NULL: expansion off; `{}`: on, with no entries, EXP-5), the sender's
-- push options (only on the sender's copy) and its group read-receipt status. JSON rather than columns per field:
-- no query filters on them, they are read whole with the message, and the expansion's entries change as one map
-- (EXP-12), which `json_set` and `json_remove` can edit in place.

ALTER TABLE messages ADD COLUMN user_info TEXT;
ALTER TABLE messages ADD COLUMN expansion TEXT;
ALTER TABLE messages ADD COLUMN push_options TEXT;
ALTER TABLE messages ADD COLUMN group_read_receipt_info TEXT;
