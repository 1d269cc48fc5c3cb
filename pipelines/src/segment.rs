//! Closed segment files: flushed to the disk and hashed once, right after they close.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::PipelineError;

/// A file's SHA-256 and size, read in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedFile {
    pub sha256: String,
    pub size_bytes: u64,
}

/// Makes the file durable (fsync) and hashes it. Called once per segment, after it is closed.
pub fn hash_file(path: &Path) -> Result<HashedFile, PipelineError> {
    let io_err = |source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    // A closed segment must survive a power cut, not only a killed process.
    file.sync_all().map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size_bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        size_bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(HashedFile {
        sha256: hex::encode(hasher.finalize()),
        size_bytes,
    })
}
