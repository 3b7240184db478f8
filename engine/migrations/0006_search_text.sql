-- 0006: the text a keyword search matches (SEARCH-5, XAPI-4).
--
-- `search_text` is the content's searchable text (a text or reference message's text, a file message's name) folded
-- to lowercase in Rust (`types::fold_for_search`), NULL for every other type. The payload is an encoded protobuf
-- that SQL cannot read, so the text is kept beside it; folding on write makes the case-insensitive match a plain
-- `instr` on the column, with Unicode folding that SQLite's own `lower()` (ASCII only) would not give. The migration's
-- Rust step fills it in for the rows already stored.

ALTER TABLE messages ADD COLUMN search_text TEXT;
