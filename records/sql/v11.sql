-- Schema version 11: archiving a case's records (执法全过程记录归档).

-- When the enforcement action ended (the 30-day archiving period runs from then), and when its
-- text records and its audio/video records went into the case file.
ALTER TABLE cases ADD COLUMN action_ended_on TEXT;
ALTER TABLE cases ADD COLUMN text_archived_on TEXT;
ALTER TABLE cases ADD COLUMN media_archived_on TEXT;
