//! Hashing evidence files: a closed segment is flushed to the disk and hashed once, right after
//! it closes; verification and backup read files back through the same reader.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::FileError;

/// A file's SHA-256 and size, read in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedFile {
    pub sha256: String,
    pub size_bytes: u64,
}

/// Makes the file durable (fsync) and hashes it. Called once per segment, after it is closed.
pub fn hash_file(path: &Path) -> Result<HashedFile, FileError> {
    let io_err = |source| FileError {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    // A closed segment must survive a power cut, not only a killed process.
    file.sync_all().map_err(io_err)?;
    let (sha256, size_bytes) = sha256_of_reader(&mut file, |_| {}).map_err(io_err)?;
    Ok(HashedFile { sha256, size_bytes })
}

/// SHA-256 (lowercase hex) and length of everything `reader` gives; `progress` is told the bytes
/// read so far after each block.
pub fn sha256_of_reader(
    reader: &mut impl Read,
    mut progress: impl FnMut(u64),
) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
        progress(size);
    }
    Ok((hex::encode(hasher.finalize()), size))
}
