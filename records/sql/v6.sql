-- Schema version 6: the backup copy of each segment (a second folder, usually another disk).

-- SHA-256 of the copy as read back from the backup folder after it was written; NULL when the
-- site keeps no backup, or the copy could not be made (an event says why).
ALTER TABLE segments ADD COLUMN backup_sha256 TEXT;
