-- Schema version 19: staff photos in a table of their own.
--
-- A photo kept in the staff row (up to 2 MB, in overflow pages) lay before `active` and
-- `photo_type`: SQLite reaches a column after a large value by walking its overflow pages
-- one by one, so every read of those columns walked the photo. The token check reads
-- `active` and a counter's answer reads the window's staff member, both on every call: with
-- 100 KB photos a call cost 25 → 45 µs, with 1 MB photos 275 µs, and now 25 µs whatever the
-- photo (`records/benches/queue.rs`, LIUHEN_BENCH_PHOTO_KB). The staff row's own photo
-- columns stay, empty: dropping them means rebuilding the table, whose CHECK names them.

CREATE TABLE staff_photos (
    staff_id   TEXT PRIMARY KEY REFERENCES staff(id),
    photo      BLOB NOT NULL,
    -- image/jpeg or image/png
    photo_type TEXT NOT NULL
);

INSERT INTO staff_photos (staff_id, photo, photo_type)
SELECT id, photo, photo_type FROM staff WHERE photo IS NOT NULL;

UPDATE staff SET photo = NULL, photo_type = NULL WHERE photo IS NOT NULL;
