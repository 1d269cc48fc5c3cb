//! The backup copy (主备双份): where a site keeps a second folder, usually on another disk, every
//! finished segment is copied there, read back and hashed, and each session's manifest follows
//! it. The backup folder is laid out as the media folder, so `verify` checks either copy on its
//! own. A backup that cannot be written is an alarm; it never stops a recording.

use crate::hashing::hash_file;
use crate::manifest::MANIFEST_FILE;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a site's media goes: the media folder and, if the site keeps one, the backup folder.
#[derive(Debug, Clone)]
pub struct Storage {
    pub media: PathBuf,
    pub backup: Option<PathBuf>,
    /// The site's key, which signs every manifest written; None only where nothing is signed
    /// (tools and tests that write folders of their own).
    pub key: Option<std::sync::Arc<crate::SiteKey>>,
}

impl Storage {
    /// The backup folder of the session written into `session_dir` (a folder under `media`).
    pub fn backup_of(&self, session_dir: &Path) -> Option<PathBuf> {
        let backup = self.backup.as_ref()?;
        let relative = session_dir.strip_prefix(&self.media).ok()?;
        Some(backup.join(relative))
    }
}

/// Copies segment `file` into `backup_dir` and returns the SHA-256 of the copy as read back
/// from there. The copy is written under a temporary name, flushed to the disk and then renamed,
/// so a copy in the backup folder is whole or absent. The error names the folder and the fix.
pub fn copy_segment(file: &Path, backup_dir: &Path) -> Result<String, String> {
    let name = file
        .file_name()
        .ok_or_else(|| format!("{} is not a file", file.display()))?;
    let target = backup_dir.join(name);
    copy_whole(file, &target).map_err(|err| problem(backup_dir, &err))?;
    hash_file(&target)
        .map(|hashed| hashed.sha256)
        .map_err(|err| problem(backup_dir, &std::io::Error::other(err.to_string())))
}

/// Copies the session's manifest from `session_dir` into `backup_dir`.
pub fn copy_manifest(session_dir: &Path, backup_dir: &Path) -> Result<(), String> {
    copy_whole(
        &session_dir.join(MANIFEST_FILE),
        &backup_dir.join(MANIFEST_FILE),
    )
    .map_err(|err| problem(backup_dir, &err))
}

fn copy_whole(from: &Path, to: &Path) -> std::io::Result<()> {
    let dir = to
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent folder"))?;
    std::fs::create_dir_all(dir)?;
    let partial = to.with_extension("partial");
    {
        let mut source = std::fs::File::open(from)?;
        let mut copy = std::fs::File::create(&partial)?;
        std::io::copy(&mut source, &mut copy)?;
        copy.flush()?;
        copy.sync_all()?;
    }
    std::fs::rename(&partial, to)
}

/// The alarm text: what failed, where, and what to do.
fn problem(backup_dir: &Path, err: &std::io::Error) -> String {
    format!(
        "备份盘写入失败，主录制照常进行 / cannot write the backup copy in {}: {err}; check that the backup disk is mounted, writable and not full (site file: backup)",
        backup_dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_copied_whole_and_hashed_as_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("cam1-00000.mkv");
        std::fs::write(&file, b"segment bytes").expect("write");
        let backup = dir.path().join("backup/room/2026");
        let sha = copy_segment(&file, &backup).expect("copied");
        assert_eq!(
            sha,
            hash_file(&file).expect("hash").sha256,
            "the copy hashes as the original"
        );
        assert_eq!(
            std::fs::read(backup.join("cam1-00000.mkv")).expect("copy"),
            b"segment bytes"
        );
        assert!(
            !backup.join("cam1-00000.partial").exists(),
            "no partial file left"
        );
    }

    #[test]
    fn a_backup_that_cannot_be_written_says_where_and_what_to_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("cam1-00000.mkv");
        std::fs::write(&file, b"x").expect("write");
        // A file where the folder should be: refused even to root.
        let blocked = dir.path().join("not-a-folder");
        std::fs::write(&blocked, b"").expect("write");
        let err = copy_segment(&file, &blocked.join("s1")).expect_err("refused");
        assert!(
            err.contains("not-a-folder") && err.contains("mounted, writable and not full"),
            "{err}"
        );
    }

    #[test]
    fn a_session_folder_maps_to_the_same_place_under_the_backup() {
        let storage = Storage {
            media: "/srv/media".into(),
            backup: Some("/mnt/backup".into()),
            key: None,
        };
        assert_eq!(
            storage.backup_of(Path::new("/srv/media/interview-1/20261123-101500")),
            Some(PathBuf::from("/mnt/backup/interview-1/20261123-101500"))
        );
        let none = Storage {
            backup: None,
            ..storage
        };
        assert_eq!(none.backup_of(Path::new("/srv/media/x")), None);
    }
}
