//! What the evidence benchmarks share: data that does not compress, and a cold page cache.

use std::io::Write;
use std::process::Command;

/// Data that does not compress or repeat (a file system could not make it cheap to read).
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Drops the page cache; false where this process may not.
pub fn drop_caches() -> bool {
    let _ = Command::new("sync").status();
    std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/sys/vm/drop_caches")
        .and_then(|mut f| f.write_all(b"3\n"))
        .is_ok()
}
