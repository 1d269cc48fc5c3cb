//! The export of a session for the case file: a tar package holding every segment, the
//! manifest (so `room-controller verify` checks it anywhere), the session's events as JSON, and
//! a short summary in Chinese and English of how, when, by whom and where it was recorded.
//!
//! The package is described as a list of files ([`package_files`]) and framed as tar here
//! ([`tar_header`], [`tar_padding`], [`TAR_END`]), so that a server can stream it with async
//! reads, without holding a thread per download.

use site_api::SessionView;
use std::path::{Path, PathBuf};

use crate::manifest::MANIFEST_FILE;
use crate::verify::SITE_KEY_FILE;

/// The package's folder name, e.g. `session-12`.
pub fn package_name(view: &SessionView) -> String {
    format!("session-{}", view.id)
}

/// One file of the package, named as it is inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageFile {
    /// Made for the package (the summary, the events).
    Made { name: String, bytes: Vec<u8> },
    /// Read from the session's folder (the manifest, each segment).
    OnDisk { name: String, path: PathBuf },
}

/// Two empty blocks end a tar archive.
pub const TAR_END: [u8; 1024] = [0; 1024];

/// The files of the package of `view`, whose media are in `dir`, in the package's order.
pub fn package_files(
    view: &SessionView,
    dir: &Path,
    exported_by: &str,
    site_key: Option<&str>,
) -> std::io::Result<Vec<PackageFile>> {
    let root = package_name(view);
    let events = serde_json::to_vec_pretty(&view.events).map_err(std::io::Error::other)?;
    let mut files = vec![
        PackageFile::Made {
            name: format!("{root}/summary.txt"),
            bytes: summary(view, exported_by).into_bytes(),
        },
        PackageFile::Made {
            name: format!("{root}/events.json"),
            bytes: events,
        },
    ];
    files.extend(signed_manifest(&root, dir, site_key));
    files.extend(view.segments.iter().map(|seg| PackageFile::OnDisk {
        name: format!("{root}/{}", seg.file),
        path: dir.join(&seg.file),
    }));
    Ok(files)
}

/// The manifest of the folder `dir` and, when known, the site's public key that signed it,
/// named under the package's `root`: what lets anyone verify the package on its own.
pub fn signed_manifest(root: &str, dir: &Path, site_key: Option<&str>) -> Vec<PackageFile> {
    let mut files = vec![PackageFile::OnDisk {
        name: format!("{root}/{MANIFEST_FILE}"),
        path: dir.join(MANIFEST_FILE),
    }];
    if let Some(key) = site_key {
        files.push(PackageFile::Made {
            name: format!("{root}/{SITE_KEY_FILE}"),
            bytes: key.as_bytes().to_vec(),
        });
    }
    files
}

/// The tar (GNU) header of a file of `size` bytes named `name`.
pub fn tar_header(name: &str, size: u64) -> std::io::Result<[u8; 512]> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name)?;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    let mut bytes = [0u8; 512];
    bytes.copy_from_slice(header.as_bytes());
    Ok(bytes)
}

/// The zeros that fill a file of `size` bytes up to whole 512-byte blocks.
pub fn tar_padding(size: u64) -> &'static [u8] {
    const ZEROS: [u8; 512] = [0; 512];
    let rest = (size % 512) as usize;
    if rest == 0 { &[] } else { &ZEROS[rest..] }
}

/// How, when, by whom and where the recording was made, for a person reading the case file.
fn summary(view: &SessionView, exported_by: &str) -> String {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
    };
    let seconds: f64 = view
        .segments
        .iter()
        .filter(|s| s.track == view.segments[0].track)
        .map(|s| s.duration_ns as f64 / 1e9)
        .sum();
    let bytes: i64 = view.segments.iter().map(|s| s.size_bytes).sum();
    let devices = |key: &str| {
        view.recorded_with[key]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|d| {
                        format!(
                            "{} ({})",
                            d["id"].as_str().unwrap_or("?"),
                            d["profile"].as_str().unwrap_or("?")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    // What reached the files, from the caps (not the profiles' expectations).
    let formats: Vec<String> = view.recorded_with["as_recorded"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| {
                    let mut line = format!(
                        "  {}/{}: {}",
                        f["track"].as_str().unwrap_or("?"),
                        f["stream"].as_str().unwrap_or("?"),
                        f["codec"].as_str().unwrap_or("?")
                    );
                    if let (Some(w), Some(h)) = (f["width"].as_i64(), f["height"].as_i64()) {
                        line.push_str(&format!(" {w}×{h}"));
                    }
                    if let Some(fps) = f["framerate"].as_str() {
                        line.push_str(&format!(" @ {fps} fps"));
                    }
                    if let Some(rate) = f["rate"].as_i64() {
                        line.push_str(&format!(" {rate} Hz"));
                    }
                    if let Some(channels) = f["channels"].as_i64() {
                        line.push_str(&format!(" × {channels} ch"));
                    }
                    line
                })
                .collect()
        })
        .unwrap_or_default();
    let markers: Vec<String> = view
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "marker"
                    | "gap"
                    | "interrupted"
                    | "failed"
                    | "alarm"
                    | "source-alarm"
                    | "source-ok"
            )
        })
        .map(|e| format!("  {} [{}] {}", time(Some(e.at)), e.kind, e.detail))
        .collect();
    format!(
        "执法全过程记录 · 录音录像说明 / Audio-video record of an enforcement action\n\
         \n\
         案件编号 Case number:   {case}\n\
         案件类型 Action:        {action}\n\
         当事人 Party:           {party}\n\
         执法机关 Agency:        {agency} ({agency_id})\n\
         地点 Room:              {room}\n\
         录制人 Recorded by:     {started_by}\n\
         开始 Started:           {start}\n\
         结束 Ended:             {end}\n\
         状态 State:             {state}\n\
         摄像机 Cameras:         {cameras}\n\
         麦克风 Microphones:     {mics}\n\
         格式 Format:            H.264 video, Opus audio, Matroska segments of {segment} s\n\
         实录格式 As recorded:\n{formats}\n\
         文件 Files:             {files} segments, {mb:.1} MB, about {seconds:.0} s per track\n\
         标记与事件 Markers and events:\n{markers}\n\
         \n\
         完整性 Integrity: every segment's SHA-256 is in manifest.json, linked in a hash chain whose\n\
         last link is {head}.\n\
         Check this folder with: room-controller verify <folder>\n\
         \n\
         导出 Exported by {who} at {now}.\n",
        case = view.case_number,
        action = view.action_type.label(),
        party = if view.party.is_empty() {
            "—"
        } else {
            &view.party
        },
        agency = view.agency_name,
        agency_id = view.agency_id,
        room = view.room_id,
        started_by = if view.started_by.is_empty() {
            "—"
        } else {
            &view.started_by
        },
        start = time(view.started_at),
        end = time(view.ended_at),
        state = view.state.as_str(),
        cameras = devices("cameras"),
        mics = devices("microphones"),
        segment = view.recorded_with["segment_seconds"],
        formats = if formats.is_empty() {
            "  —".to_string()
        } else {
            formats.join("\n")
        },
        files = view.segments.len(),
        mb = bytes as f64 / 1e6,
        markers = if markers.is_empty() {
            "  —".to_string()
        } else {
            markers.join("\n")
        },
        head = view
            .segments
            .last()
            .map(|s| s.link.as_str())
            .unwrap_or("(no segment)"),
        who = exported_by,
        now = time(Some(chrono::Utc::now())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_package_lists_its_files_and_frames_them_as_a_tar_reader_reads_them() {
        let view: SessionView = serde_json::from_value(serde_json::json!({
            "id": 3, "room_id": "r1", "agency_id": "a", "agency_name": "甲局",
            "case_number": "罚1号", "state": "finished", "failure": null,
            "recorded_with": {}, "media_dir": "r1/x", "created_at": "2026-01-05T09:00:00Z",
            "started_at": null, "ended_at": null,
            "segments": [{"track": "cam1", "seq": 0, "file": "cam1-00000.mkv",
                          "size_bytes": 1000, "start_ns": 0, "duration_ns": 1, "sha256": "h",
                          "link": "l", "recovered": false}],
            "events": []
        }))
        .expect("a session");
        let files =
            package_files(&view, Path::new("/m/r1/x"), "王芳", Some("ab12")).expect("files");
        let names: Vec<&str> = files
            .iter()
            .map(|f| match f {
                PackageFile::Made { name, .. } | PackageFile::OnDisk { name, .. } => name.as_str(),
            })
            .collect();
        assert_eq!(
            names,
            [
                "session-3/summary.txt",
                "session-3/events.json",
                "session-3/manifest.json",
                "session-3/site-key.pub",
                "session-3/cam1-00000.mkv"
            ]
        );
        // One file framed as the controller frames it reads back whole with a tar reader.
        let content = vec![7u8; 1000];
        let mut tar = tar_header("session-3/cam1-00000.mkv", 1000)
            .expect("header")
            .to_vec();
        tar.extend_from_slice(&content);
        tar.extend_from_slice(tar_padding(1000));
        tar.extend_from_slice(&TAR_END);
        assert_eq!(tar.len() % 512, 0);
        let mut archive = tar::Archive::new(tar.as_slice());
        let mut entries = archive.entries().expect("entries");
        let mut entry = entries.next().expect("one").expect("entry");
        let mut read = Vec::new();
        entry.read_to_end(&mut read).expect("read");
        assert_eq!(read, content);
        drop(entry);
        assert!(entries.next().is_none(), "the end blocks end it");
    }
}
