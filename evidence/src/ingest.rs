//! Collecting a file from a docked camera: the bytes read from the camera are hashed (SHA-256,
//! what the records and the manifest keep) as they are written to the media disk, each block
//! with a CRC-32 beside; the copy is flushed, dropped from the page cache and read back from
//! the disk block by block against those CRCs, and only a copy that reads back the same is
//! given its name. The CRC finds a changed block at memory speed, so the one SHA-256 pass is
//! the only cryptographic work (`verify` takes the SHA-256 of the copy itself later). Anything
//! else — a camera unplugged mid-copy, a full disk, a copy that reads back different — leaves
//! no file under the final name, so nothing half-copied is ever taken for collected.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::hashing::HashedFile;

/// The block the copy is read, checked and written in.
const BLOCK: usize = 4 << 20;

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
    #[error("the copy {} reads back different from the camera's file from byte {offset} on", path.display())]
    Differs { path: PathBuf, offset: u64 },
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

/// A file copied from the camera and hashed, not yet read back: flushed, checked and named by
/// [`Copied::read_back`], which may run while the next file is copied (on a camera the USB
/// link, not the media disk, sets the pace, so the read-back then costs no time).
#[derive(Debug)]
pub struct Copied {
    partial: PathBuf,
    target: PathBuf,
    file: File,
    sha256: String,
    size: u64,
    block_crcs: Vec<u32>,
    /// Set once the copy has its name; a copy dropped before that takes its partial file along.
    named: bool,
}

impl Drop for Copied {
    fn drop(&mut self) {
        if !self.named {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Copies `source` to `target` (through `target`.part), hashing as it goes, then reads the
/// copy back from the disk; `progress` is told the bytes copied so far. Returns the hash and
/// size of the verified copy.
pub fn copy_verified(
    source: &Path,
    target: &Path,
    progress: impl FnMut(u64),
) -> Result<HashedFile, IngestError> {
    copy_hashed(source, target, progress)?.read_back()
}

/// The first half of [`copy_verified`]: the copy, hashed, under its partial name.
pub fn copy_hashed(
    source: &Path,
    target: &Path,
    mut progress: impl FnMut(u64),
) -> Result<Copied, IngestError> {
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
        let mut block_crcs = Vec::new();
        let mut buf = vec![0u8; BLOCK];
        let mut copied = 0u64;
        loop {
            let n = read_block(&mut from, &mut buf).map_err(unreadable)?;
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
            block_crcs.push(crc32fast::hash(&buf[..n]));
            to.write_all(&buf[..n]).map_err(unwritable)?;
            // Start writing this block to the disk now, as cp's copy is written behind it,
            // so that the flush at the end has little left to wait for.
            start_writeback(&to, copied, n as u64);
            copied += n as u64;
            progress(copied);
        }
        let size_after = std::fs::metadata(source).map_err(unreadable)?.len();
        if size_after != size_before || copied != size_before {
            return Err(IngestError::Changed {
                path: source.to_path_buf(),
            });
        }
        Ok(Copied {
            partial: partial.clone(),
            target: target.to_path_buf(),
            file: to,
            sha256: hex::encode(hasher.finalize()),
            size: copied,
            block_crcs,
            named: false,
        })
    })();
    if result.is_err() {
        // A partial copy is never left to be taken for a whole one.
        let _ = std::fs::remove_file(&partial);
    }
    result
}

impl Copied {
    /// Flushes the copy, drops it from the page cache, reads it back from the disk block by
    /// block against the CRCs taken of the camera's bytes, and gives it its name.
    pub fn read_back(mut self) -> Result<HashedFile, IngestError> {
        // On an error the copy is dropped here, and its partial file with it.
        self.check()?;
        std::fs::rename(&self.partial, &self.target).map_err(|err| IngestError::Unwritable {
            path: self.target.clone(),
            source: err,
        })?;
        self.named = true;
        if let Some(dir) = self.target.parent() {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|err| IngestError::Unwritable {
                    path: dir.to_path_buf(),
                    source: err,
                })?;
        }
        Ok(HashedFile {
            sha256: self.sha256.clone(),
            size_bytes: self.size,
        })
    }

    fn check(&self) -> Result<(), IngestError> {
        let unwritable = |err| IngestError::Unwritable {
            path: self.partial.clone(),
            source: err,
        };
        self.file.sync_all().map_err(unwritable)?;
        drop_from_cache(&self.file);
        let mut back = File::open(&self.partial).map_err(unwritable)?;
        let mut buf = vec![0u8; BLOCK];
        let mut offset = 0u64;
        let differs = |offset| IngestError::Differs {
            path: self.partial.clone(),
            offset,
        };
        for &expected in &self.block_crcs {
            let n = read_block(&mut back, &mut buf).map_err(unwritable)?;
            if n == 0 || crc32fast::hash(&buf[..n]) != expected {
                return Err(differs(offset));
            }
            offset += n as u64;
        }
        if read_block(&mut back, &mut buf).map_err(unwritable)? != 0 {
            return Err(differs(offset));
        }
        Ok(())
    }
}

fn start_writeback(file: &File, offset: u64, len: u64) {
    // SAFETY: sync_file_range only reads the descriptor, which `file` keeps open for the call.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

/// Fills `buf` as far as the file goes (a short read is not its end), so that copy and
/// read-back cut the file into the same blocks.
fn read_block(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
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

    #[test]
    fn a_copy_changed_before_its_read_back_is_refused_and_not_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("B.MP4");
        std::fs::write(&source, vec![9u8; (1 << 20) + 17]).expect("source");
        let target = dir.path().join("B-copy.MP4");
        let copied = copy_hashed(&source, &target, |_| {}).expect("copied");
        let partial = dir.path().join("B-copy.MP4.part");
        let mut bytes = std::fs::read(&partial).expect("partial");
        bytes[1000] ^= 1;
        std::fs::write(&partial, bytes).expect("altered");
        let err = copied.read_back().expect_err("a changed copy");
        assert!(
            matches!(err, IngestError::Differs { offset: 0, .. }),
            "{err}"
        );
        assert!(
            !target.exists() && !partial.exists(),
            "nothing is left to be taken"
        );
    }
}
