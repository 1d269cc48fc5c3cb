//! Free space on the media disk, checked before a session starts so that a recording is not cut
//! short by a full disk.

use std::path::Path;

/// Bytes available to this process on the file system holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path =
        std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: c_path is a valid NUL-terminated string and stats points to writable memory of
    // the right type; statvfs fills it completely when it returns 0.
    let result = unsafe { libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) };
    if result != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so the struct is initialised.
    let stats = unsafe { stats.assume_init() };
    // The fields are u32 on 32-bit targets (kiosk-class boards), u64 here.
    #[allow(clippy::useless_conversion)]
    Ok(u64::from(stats.f_bavail).saturating_mul(u64::from(stats.f_frsize)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_temporary_folder_has_some_free_space() {
        let free = super::free_bytes(&std::env::temp_dir()).expect("statvfs");
        assert!(free > 0);
        assert!(super::free_bytes(std::path::Path::new("/no/such/folder")).is_err());
    }
}

/// How much free space the media disk must keep, from the site file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskPolicy {
    /// A session starts only if this many minutes of it fit.
    pub min_free_minutes: u32,
    /// While recording, an alarm once fewer minutes fit.
    pub warn_free_minutes: u32,
    /// While recording, a clean stop below this many MB.
    pub stop_free_mb: u64,
}

impl DiskPolicy {
    pub fn of(site: &hardware_profiles::Site) -> Self {
        Self {
            min_free_minutes: site.min_free_minutes,
            warn_free_minutes: site.warn_free_minutes,
            stop_free_mb: site.stop_free_mb,
        }
    }
}
