//! A docked camera as the station reads it: which device it is (from its mount folder's name),
//! whether it has its model's layout, what its clock says, and which files it holds.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use hardware_profiles::BodycamProfile;
use std::path::{Path, PathBuf};

/// What a mount folder's name says: `SERIAL`, or `VVVV-PPPP-SERIAL` as the shipped udev rule
/// names it (USB vendor and product ids, then the serial).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub serial: String,
    pub usb: Option<String>,
}

impl Slot {
    pub fn of(name: &str) -> Self {
        let mut parts = name.splitn(3, '-');
        let hex4 = |p: &str| p.len() == 4 && p.bytes().all(|b| b.is_ascii_hexdigit());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(vendor), Some(product), Some(serial))
                if hex4(vendor) && hex4(product) && !serial.is_empty() =>
            {
                Self {
                    serial: serial.to_string(),
                    usb: Some(format!("{vendor}:{product}").to_ascii_lowercase()),
                }
            }
            _ => Self {
                serial: name.to_string(),
                usb: None,
            },
        }
    }
}

/// Why a camera does not look like its registered model, in plain Chinese then English.
pub fn model_mismatch(
    slot: &Slot,
    mount: &Path,
    model: &str,
    profile: &BodycamProfile,
) -> Option<String> {
    if let Some(usb) = &slot.usb
        && !profile.usb.is_empty()
        && !profile.usb.iter().any(|id| id.eq_ignore_ascii_case(usb))
    {
        return Some(format!(
            "设备型号不符：USB {usb} 不是登记的型号 {model} · USB id {usb} is not that of the registered model {model}; check the registration (room-controller device list)"
        ));
    }
    let missing: Vec<&str> = profile
        .layout
        .iter()
        .filter(|entry| !mount.join(entry).exists())
        .map(String::as_str)
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "目录结构不符：缺少 {} · The camera has no {} as model {model} does; check the registration or the model profile",
            missing.join("、"),
            missing.join(", ")
        )
    })
}

/// The camera's clock minus the station's, in milliseconds, when the model has a clock file.
pub fn clock_offset_ms(mount: &Path, profile: &BodycamProfile) -> Option<i64> {
    let text = std::fs::read_to_string(mount.join(profile.clock_file.as_ref()?)).ok()?;
    let camera = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let camera = Local.from_local_datetime(&camera).single()?;
    Some((camera.with_timezone(&Utc) - Utc::now()).num_milliseconds())
}

/// A file on the camera that the model collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraFile {
    pub path: PathBuf,
    /// Relative to the mount, with '/': how the records name it.
    pub relative: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// The files the model collects, in path order; an unreadable folder is an error (the camera
/// went away, or its card is bad).
pub fn list_files(mount: &Path, profile: &BodycamProfile) -> std::io::Result<Vec<CameraFile>> {
    let mut files = Vec::new();
    for dir in &profile.media_dirs {
        let dir = mount.join(dir);
        if dir.is_dir() {
            walk(mount, &dir, profile, 4, &mut files)?;
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

fn walk(
    mount: &Path,
    dir: &Path,
    profile: &BodycamProfile,
    depth: usize,
    out: &mut Vec<CameraFile>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            if depth > 0 {
                walk(mount, &path, profile, depth - 1, out)?;
            }
            continue;
        }
        let collected = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| profile.collects(e));
        if !meta.is_file() || !collected {
            continue;
        }
        let relative = path
            .strip_prefix(mount)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let mtime_ns = file_time_ns(&meta);
        out.push(CameraFile {
            path,
            relative,
            size: meta.len(),
            mtime_ns,
        });
    }
    Ok(())
}

/// The device its name says it was recorded on, where the model's names carry one.
pub fn named_device(file: &CameraFile, profile: &BodycamProfile) -> Option<String> {
    let stem = file.path.file_stem()?.to_str()?;
    profile.name_pattern.as_ref()?.read(stem)?.device
}

/// A camera file's time (as its clock wrote it), ns since 1970; 0 when the file system has none.
pub fn file_time_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// When a recording started, on the station's clock, and where that was read: its name (as
/// the model's pattern says), its media's creation tag, or the camera's file time.
pub fn start_of(
    file: &CameraFile,
    profile: &BodycamProfile,
    media_created: Option<&str>,
    clock_offset_ms: Option<i64>,
) -> (Option<DateTime<Utc>>, &'static str) {
    let correct = |camera: DateTime<Utc>| {
        camera - chrono::Duration::milliseconds(clock_offset_ms.unwrap_or(0))
    };
    let stem = file
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let named = profile
        .name_pattern
        .as_ref()
        .and_then(|p| p.read(stem))
        .and_then(|facts| facts.start)
        .and_then(|start| Local.from_local_datetime(&start).single());
    if let Some(start) = named {
        return (Some(correct(start.with_timezone(&Utc))), "name");
    }
    if let Some(created) = media_created.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        return (Some(correct(created.with_timezone(&Utc))), "media");
    }
    let file_time = DateTime::from_timestamp_nanos(file.mtime_ns);
    (Some(correct(file_time)), "file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mount_folder_names_the_serial_and_maybe_the_usb_ids() {
        assert_eq!(
            Slot::of("ZFY001"),
            Slot {
                serial: "ZFY001".into(),
                usb: None
            }
        );
        assert_eq!(
            Slot::of("2B9C-1A0F-ZFY-001"),
            Slot {
                serial: "ZFY-001".into(),
                usb: Some("2b9c:1a0f".into())
            }
        );
        assert_eq!(Slot::of("ZFY-001").serial, "ZFY-001");
    }

    fn profile(id: &str) -> BodycamProfile {
        let profiles = hardware_profiles::Profiles::built_in().expect("profiles");
        match profiles.get(id).map(|p| p.kind.clone()) {
            Some(hardware_profiles::ProfileKind::Bodycam(profile)) => profile,
            _ => panic!("{id} is a shipped bodycam profile"),
        }
    }

    fn file(name: &str) -> CameraFile {
        CameraFile {
            path: PathBuf::from("/docks/ZFY001/DCIM").join(name),
            relative: format!("DCIM/{name}"),
            size: 1,
            // 2026-11-30T02:00:00Z on the camera's clock.
            mtime_ns: 1_796_004_000_000_000_000,
        }
    }

    #[test]
    fn the_start_comes_from_the_name_else_the_media_else_the_file_time() {
        let named = profile("bodycam-gat947");
        let generic = profile("bodycam-generic");
        let (start, from) = start_of(
            &file("ZFY001_012345_20261130101500_0001.MP4"),
            &named,
            None,
            Some(90_000),
        );
        let expected = Local
            .from_local_datetime(
                &NaiveDateTime::parse_from_str("2026-11-30 10:13:30", "%Y-%m-%d %H:%M:%S")
                    .expect("time"),
            )
            .single()
            .expect("local");
        assert_eq!((start, from), (Some(expected.with_timezone(&Utc)), "name"));
        let (start, from) = start_of(
            &file("MOV_0001.MP4"),
            &generic,
            Some("2026-11-30T09:00:00Z"),
            None,
        );
        assert_eq!(from, "media");
        assert_eq!(
            start.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-30T09:00:00+00:00")
        );
        let (start, from) = start_of(&file("MOV_0002.MP4"), &generic, None, Some(-1_000));
        assert_eq!(from, "file");
        assert_eq!(
            start.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-30T02:00:01+00:00")
        );
    }
}
