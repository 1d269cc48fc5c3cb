//! Collecting a file from a docked camera: the bytes read from the camera are hashed as they
//! are written to the media disk, the copy is flushed, dropped from the page cache and read
//! back from the disk, and only a copy whose hash matches is given its name. Anything else —
//! a camera unplugged mid-copy, a full disk, a copy that reads back different — leaves no file
//! under the final name, so nothing half-copied is ever taken for collected.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::hashing::{HashedFile, sha256_of_reader};

/// Why a file could not be collected.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The camera's file could not be read (unplugged, a bad card).
    #[error("cannot read {} on the camera: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The copy could not be written (a full disk, a failing disk).
    #[error("cannot write {}: {source}", path.display())]
    Unwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The copy reads back other bytes than were read from the camera.
    #[error("the copy {} reads back different from the camera's file (camera {camera}, copy {copy})", path.display())]
    Differs {
        path: PathBuf,
        camera: String,
        copy: String,
    },
    /// The camera's file changed size while it was copied.
    #[error("{} changed on the camera while it was copied", path.display())]
    Changed { path: PathBuf },
}

impl IngestError {
    /// Whether the media disk is full (and not the camera at fault).
    pub fn disk_full(&self) -> bool {
        matches!(self, Self::Unwritable { source, .. } if source.raw_os_error() == Some(libc::ENOSPC))
    }
}

/// Copies `source` to `target` (through `target`.part), hashing as it goes, then reads the
/// copy back from the disk; `progress` is told the bytes copied so far. Returns the hash and
/// size of the verified copy.
pub fn copy_verified(
    source: &Path,
    target: &Path,
    mut progress: impl FnMut(u64),
) -> Result<HashedFile, IngestError> {
    let unreadable = |source_err| IngestError::Unreadable {
        path: source.to_path_buf(),
        source: source_err,
    };
    let partial = target.with_extension(match target.extension() {
        Some(ext) => format!("{}.part", ext.to_string_lossy()),
        None => "part".into(),
    });
    let unwritable = |err| IngestError::Unwritable {
        path: partial.clone(),
        source: err,
    };
    let mut from = File::open(source).map_err(unreadable)?;
    let size_before = from.metadata().map_err(unreadable)?.len();
    let result = (|| {
        let mut to = File::create(&partial).map_err(unwritable)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 4 << 20];
        let mut copied = 0u64;
        loop {
            let n = from.read(&mut buf).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            // A camera pulled out mid-read may still serve what the kernel cached: its file
            // vanishing from the mount is the sign, checked at every block.
            if !source.exists() {
                return Err(unreadable(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the camera went away during the copy",
                )));
            }
            hasher.update(&buf[..n]);
            to.write_all(&buf[..n]).map_err(unwritable)?;
            copied += n as u64;
            progress(copied);
        }
        let size_after = std::fs::metadata(source).map_err(unreadable)?.len();
        if size_after != size_before || copied != size_before {
            return Err(IngestError::Changed {
                path: source.to_path_buf(),
            });
        }
        to.sync_all().map_err(unwritable)?;
        drop_from_cache(&to);
        let camera = hex::encode(hasher.finalize());
        let mut back = File::open(&partial).map_err(unwritable)?;
        let (copy, size) = sha256_of_reader(&mut back, |_| {}).map_err(unwritable)?;
        if copy != camera || size != copied {
            return Err(IngestError::Differs {
                path: partial.clone(),
                camera,
                copy,
            });
        }
        Ok(HashedFile {
            sha256: copy,
            size_bytes: size,
        })
    })();
    match result {
        Ok(hashed) => {
            std::fs::rename(&partial, target).map_err(|err| IngestError::Unwritable {
                path: target.to_path_buf(),
                source: err,
            })?;
            if let Some(dir) = target.parent() {
                File::open(dir).and_then(|d| d.sync_all()).map_err(|err| {
                    IngestError::Unwritable {
                        path: dir.to_path_buf(),
                        source: err,
                    }
                })?;
            }
            Ok(hashed)
        }
        Err(err) => {
            // A partial copy is never left to be taken for a whole one.
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

/// Asks the kernel to forget the file's cached pages (it is flushed already), so that the read
/// back comes from the disk and not from memory.
fn drop_from_cache(file: &File) {
    // SAFETY: posix_fadvise only reads the descriptor, which `file` keeps open for the call.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_named_only_once_it_reads_back_the_same() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("A.MP4");
        std::fs::write(&source, vec![7u8; 3 << 20]).expect("source");
        let target = dir.path().join("out").join("A.MP4");
        std::fs::create_dir_all(target.parent().expect("parent")).expect("dir");
        let mut told = 0;
        let hashed = copy_verified(&source, &target, |n| told = n).expect("copied");
        assert_eq!(hashed.size_bytes, 3 << 20);
        assert_eq!(told, 3 << 20);
        assert_eq!(
            hashed.sha256,
            crate::hash_file(&source).expect("hash").sha256
        );
        assert!(!dir.path().join("out/A.MP4.part").exists());

        let gone = dir.path().join("gone.MP4");
        let err =
            copy_verified(&gone, &dir.path().join("out/gone.MP4"), |_| {}).expect_err("no source");
        assert!(matches!(err, IngestError::Unreadable { .. }), "{err}");
        assert!(!dir.path().join("out/gone.MP4").exists());
    }
}
