-- 0003: finding the sends a crash interrupted.
--
-- A message still `sending` (sent_status 0) when the engine opens the database was being published when the last
-- process died. The engine looks these up on every connect to finish them (re-publish under the same client
-- message ID, or fail them once too old), so they get a small partial index rather than a table scan.

CREATE INDEX messages_sending ON messages (message_id) WHERE sent_status = 0;
