//! A case's documents kept like evidence: content-addressed under `<media>/attachments/`, named
//! by their SHA-256, written through a temporary file, flushed, renamed and read back before
//! they count; read back and checked against their hash on every download. The same bytes
//! added twice are one file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::hashing::sha256_of_reader;

/// The folder under the media root that holds every attachment.
pub const ATTACHMENTS_DIR: &str = "attachments";

/// Where the attachment with this hash is kept.
pub fn attachment_path(media: &Path, sha256: &str) -> PathBuf {
    media.join(ATTACHMENTS_DIR).join(sha256)
}

/// Keeps `bytes` under the media root and returns their SHA-256 once the copy on the disk reads
/// back equal. A file already there under that hash is checked, not written again.
pub fn keep_attachment(media: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let (sha256, _) = sha256_of_reader(&mut &bytes[..], |_| {})?;
    let dir = media.join(ATTACHMENTS_DIR);
    std::fs::create_dir_all(&dir)?;
    let path = attachment_path(media, &sha256);
    if read_back(&path)?.as_deref() == Some(sha256.as_str()) {
        return Ok(sha256);
    }
    let tmp = dir.join(format!("{sha256}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(&dir)?.sync_all()?;
    match read_back(&path)? {
        Some(found) if found == sha256 => Ok(sha256),
        _ => Err(std::io::Error::other(format!(
            "the copy of the attachment at {} does not read back as written; check the disk",
            path.display()
        ))),
    }
}

/// The bytes of the attachment with this hash, if the stored copy still has it.
pub fn read_attachment(media: &Path, sha256: &str) -> std::io::Result<Vec<u8>> {
    let path = attachment_path(media, sha256);
    let bytes = std::fs::read(&path)?;
    let (found, _) = sha256_of_reader(&mut &bytes[..], |_| {})?;
    if found != sha256 {
        return Err(std::io::Error::other(format!(
            "the stored attachment {} no longer matches its hash (now {found}); restore it from the backup",
            path.display()
        )));
    }
    Ok(bytes)
}

fn read_back(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::File::open(path) {
        Ok(mut file) => Ok(Some(sha256_of_reader(&mut file, |_| {})?.0)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_is_kept_once_and_a_changed_copy_is_refused() {
        let media = tempfile::tempdir().unwrap();
        let sha = keep_attachment(media.path(), b"%PDF-1.7 opinion").unwrap();
        assert_eq!(sha.len(), 64);
        assert_eq!(
            keep_attachment(media.path(), b"%PDF-1.7 opinion").unwrap(),
            sha
        );
        assert_eq!(
            read_attachment(media.path(), &sha).unwrap(),
            b"%PDF-1.7 opinion"
        );
        std::fs::write(attachment_path(media.path(), &sha), b"%PDF-1.7 forged").unwrap();
        let err = read_attachment(media.path(), &sha).unwrap_err().to_string();
        assert!(err.contains("no longer matches its hash"), "{err}");
        // Kept again, the damaged copy is replaced by the right bytes.
        keep_attachment(media.path(), b"%PDF-1.7 opinion").unwrap();
        assert!(read_attachment(media.path(), &sha).is_ok());
    }
}
