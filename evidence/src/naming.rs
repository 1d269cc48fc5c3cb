//! How segment files are named in a session folder: `<track>-<seq, 5 digits>.mkv`, e.g.
//! `cam1-00012.mkv`. The recorder writes these names; verification and recovery read them.

use std::path::{Path, PathBuf};

/// The container every segment is written in (Matroska: readable up to the last cluster even
/// when its writer was killed).
pub const CONTAINER_EXT: &str = "mkv";

/// Segment `seq` of `track` in `dir`.
pub fn segment_file(dir: &Path, track: &str, seq: i64) -> PathBuf {
    dir.join(format!("{track}-{seq:05}.{CONTAINER_EXT}"))
}

/// The track and segment number of a segment file name such as `cam1-00012.mkv`, or `None` for
/// any other file.
pub fn segment_name(file: &Path) -> Option<(String, i64)> {
    if file.extension()?.to_str()? != CONTAINER_EXT {
        return None;
    }
    let stem = file.file_stem()?.to_str()?;
    let (track, seq) = stem.rsplit_once('-')?;
    Some((track.to_string(), seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_written() {
        assert_eq!(
            segment_name(Path::new("/m/cam1-00012.mkv")),
            Some(("cam1".into(), 12))
        );
        assert_eq!(
            segment_name(Path::new("/m/composite-view-00001.mkv")),
            Some(("composite-view".into(), 1))
        );
        assert_eq!(segment_name(Path::new("/m/manifest.json")), None);
        let file = segment_file(Path::new("/m"), "cam1", 12);
        assert_eq!(file, Path::new("/m/cam1-00012.mkv"));
        assert_eq!(segment_name(&file), Some(("cam1".into(), 12)));
        assert_eq!(segment_name(Path::new("/m/cam1.mkv")), None);
    }
}
