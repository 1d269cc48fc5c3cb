//! One camera's visit to the station, on a blocking thread: recognise it, collect every new
//! file (copy, read back, hash, probe, record, sign the manifest), then clear it where allowed.
//! Whatever stops the visit — an unplugged camera, a full disk, a copy that reads back
//! different — keeps every file verified before it and records the batch as interrupted.

use std::path::Path;
use std::time::Instant;

use evidence::ingest::{Copied, IngestError, copy_hashed};
use evidence::{GENESIS_LINK, SegmentFacts, next_link};
use hardware_profiles::{BodycamProfile, ProfileKind};
use records::{CollectedBefore, NewFieldFile, StoreError};
use site_api::{DeviceView, DockState, DockView};

use super::camera::{self, CameraFile, Slot};
use super::{Context, Station};

/// A dock as it first appears on the screen.
pub(super) fn fresh_dock(slot: &str) -> DockView {
    DockView {
        slot: slot.to_string(),
        serial: Some(Slot::of(slot).serial),
        officer_id: None,
        officer_name: None,
        agency_name: None,
        state: DockState::Reading,
        files_done: 0,
        files_total: 0,
        bytes_done: 0,
        bytes_total: 0,
        bytes_per_second: 0,
        seconds_left: None,
        batch_id: None,
        problem: None,
        changed_files: Vec::new(),
        safe_to_unplug: false,
        cleared: false,
    }
}

/// Runs the visit of the camera mounted at `<mount_root>/<slot>` to its end.
pub(super) fn run(context: &Context, station: &Station, slot: &str) {
    let mount = context.spec.mount_root.join(slot);
    let outcome = visit(context, station, slot, &mount);
    station.set(slot, |dock| match outcome {
        Ok(()) => {
            dock.state = DockState::Done;
            dock.safe_to_unplug = true;
            dock.seconds_left = Some(0);
        }
        Err(Stop::Refused(problem)) => {
            dock.state = DockState::Refused;
            dock.problem = Some(problem);
            dock.safe_to_unplug = true;
        }
        Err(Stop::Failed(problem)) => {
            tracing::warn!(slot, %problem, "a camera's collection stopped");
            dock.state = DockState::Failed;
            dock.problem = Some(problem);
            // Nothing is lost by unplugging: the camera still holds what was not collected.
            dock.safe_to_unplug = true;
        }
    });
}

enum Stop {
    /// Not collected from at all.
    Refused(String),
    /// Stopped part-way; what was verified is kept.
    Failed(String),
}

impl From<StoreError> for Stop {
    fn from(err: StoreError) -> Self {
        Self::Failed(format!("记录库出错 · The records failed: {err}"))
    }
}

fn visit(context: &Context, station: &Station, slot: &str, mount: &Path) -> Result<(), Stop> {
    let rt = &context.runtime;
    let serial = Slot::of(slot).serial;
    let device = {
        let serial = serial.clone();
        rt.block_on(context.db.read(move |store| store.device(&serial)))?
    };
    let device = match device {
        None => {
            return Err(Stop::Refused(format!(
                "未登记的设备 {serial}：请设备管理员登记后再插入 · Device {serial} is not registered: facilities register it with `room-controller device add`, then plug it in again"
            )));
        }
        Some(d) if d.retired_at.is_some() => {
            return Err(Stop::Refused(format!(
                "设备 {serial} 已停用 · Device {serial} is retired and is not collected from; ask facilities"
            )));
        }
        Some(d) => d,
    };
    let agency = context.site.agency(&device.agency_id);
    station.set(slot, |dock| {
        dock.officer_id = Some(device.issued_to.clone());
        dock.officer_name = Some(device.issued_to_name.clone());
        dock.agency_name = agency.map(|a| a.name.clone());
    });
    let profile = match context.site.profiles.get(&device.model).map(|p| &p.kind) {
        Some(ProfileKind::Bodycam(profile)) => profile.clone(),
        _ => {
            return Err(Stop::Refused(format!(
                "型号 {} 没有采集配置 · Model {} has no [bodycam] profile: add one to the site's profiles folder",
                device.model, device.model
            )));
        }
    };
    if let Some(problem) = camera::model_mismatch(&Slot::of(slot), mount, &device.model, &profile) {
        return Err(Stop::Refused(problem));
    }
    let clock_offset_ms = camera::clock_offset_ms(mount, &profile);
    let on_camera = camera::list_files(mount, &profile).map_err(unplugged)?;
    let mut new_files = Vec::new();
    let mut kept = Vec::new();
    for file in on_camera {
        let before = {
            let (serial, relative) = (serial.clone(), file.relative.clone());
            rt.block_on(
                context
                    .db
                    .read(move |store| store.collected_before(&serial, &relative)),
            )?
        };
        match before {
            None => new_files.push(file),
            Some(before) if same_file(&before, &file) => kept.push(Verified {
                file,
                sha256: before.sha256,
                id: before.id,
                read_now: false,
            }),
            Some(before) => {
                // Changed on the camera after it was collected: never an overwrite. The new
                // content is collected as a file of its own, and the alarm names both.
                let detail = format!(
                    "{} 在采集后被改动（原 {} 字节 SHA-256 {}，现 {} 字节） · changed on the camera after it was collected (was {} bytes, now {})",
                    file.relative,
                    before.size_bytes,
                    before.sha256,
                    file.size,
                    before.size_bytes,
                    file.size
                );
                let (device, relative) = (serial.clone(), file.relative.clone());
                rt.block_on(context.db.call_durably(move |store| {
                    store.raise_footage_alarm(&device, None, &relative, &detail)
                }))?;
                tracing::warn!(%serial, file = %file.relative, "a collected file changed on the camera");
                station.set(slot, |dock| dock.changed_files.push(file.relative.clone()));
                new_files.push(file);
            }
        }
    }
    // A new file whose name says another camera (a card moved between cameras): collected
    // under the camera it came from, with an alarm for someone to look at.
    for file in &new_files {
        let Some(named) = camera::named_device(file, &profile) else {
            continue;
        };
        if named.eq_ignore_ascii_case(&serial) {
            continue;
        }
        let detail = format!(
            "{} 的文件名记为设备 {named}，却在记录仪 {serial} 上 · its name says device {named}, but it was on camera {serial}",
            file.relative
        );
        let (device, relative) = (serial.clone(), file.relative.clone());
        rt.block_on(context.db.call_durably(move |store| {
            store.raise_footage_alarm(&device, None, &relative, &detail)
        }))?;
        tracing::warn!(%serial, %named, file = %file.relative, "a file names another camera");
    }
    let bytes_total: u64 = new_files.iter().map(|f| f.size).sum();
    station.set(slot, |dock| {
        dock.files_total = new_files.len() as u64;
        dock.bytes_total = bytes_total;
        dock.state = DockState::Copying;
    });
    let collected = if new_files.is_empty() {
        Vec::new()
    } else {
        collect_batch(
            context,
            station,
            slot,
            &device,
            &profile,
            clock_offset_ms,
            new_files,
        )?
    };
    let clear = agency.is_some_and(|a| a.clear_after_ingest);
    if clear {
        let mut verified = collected;
        verified.extend(kept);
        let cleared = clear_camera(context, mount, &verified);
        // What was deleted is marked, even when clearing stopped part-way.
        let ids: Vec<i64> = verified[..cleared.count].iter().map(|v| v.id).collect();
        rt.block_on(
            context
                .db
                .call_durably(move |store| store.mark_cleared(&ids)),
        )?;
        if let Some(problem) = cleared.problem {
            return Err(Stop::Failed(problem));
        }
        station.set(slot, |dock| dock.cleared = true);
    }
    Ok(())
}

/// The same size and file time as when it was collected: taken as the same file.
fn same_file(before: &CollectedBefore, file: &CameraFile) -> bool {
    u64::try_from(before.size_bytes) == Ok(file.size) && before.source_mtime_ns == file.mtime_ns
}

fn unplugged(err: std::io::Error) -> Stop {
    Stop::Failed(format!(
        "读取记录仪失败（已拔出？）：{err} · Cannot read the camera (unplugged?): {err}; plug it in again and collection carries on"
    ))
}

/// Collects `files` into a new batch; returns each collected file with its hash.
fn collect_batch(
    context: &Context,
    station: &Station,
    slot: &str,
    device: &DeviceView,
    profile: &BodycamProfile,
    clock_offset_ms: Option<i64>,
    files: Vec<CameraFile>,
) -> Result<Vec<Verified>, Stop> {
    let rt = &context.runtime;
    let now = chrono::Local::now();
    let relative_dir = format!(
        "field/{}/{}-{}",
        now.format("%Y-%m-%d"),
        device.serial,
        now.format("%H%M%S%3f")
    );
    let dir = context.site.media.join(&relative_dir);
    std::fs::create_dir_all(&dir).map_err(|err| {
        Stop::Failed(format!(
            "无法创建采集目录 · Cannot make the batch folder {}: {err}; check the media disk",
            dir.display()
        ))
    })?;
    let batch =
        {
            let (serial, relative_dir) = (device.serial.clone(), relative_dir.clone());
            rt.block_on(context.db.call_durably(move |store| {
                store.open_batch(&serial, &relative_dir, clock_offset_ms)
            }))?
        };
    station.set(slot, |dock| dock.batch_id = Some(batch));
    let reserve = context.site.stop_free_mb.saturating_mul(1 << 20);
    let started = Instant::now();
    // The next file is copied from the camera while the last one is flushed, read back from
    // the disk and recorded: the camera's link, not the read-back, sets the pace.
    let (to_check, checking) = std::sync::mpsc::sync_channel::<(CameraFile, String, Copied)>(1);
    let dir = dir.as_path();
    let (collected, stop) = std::thread::scope(|scope| {
        let checker = scope.spawn(move || {
            let mut collected = Vec::new();
            for (file, name, copied) in checking {
                let recorded = copied
                    .read_back()
                    .map_err(|err| explain(&err, &file))
                    .and_then(|hashed| {
                        record(
                            context,
                            batch,
                            device,
                            profile,
                            clock_offset_ms,
                            dir,
                            &file,
                            name,
                            hashed,
                        )
                    });
                match recorded {
                    Ok((sha256, id)) => {
                        station.set(slot, |dock| dock.files_done += 1);
                        collected.push(Verified {
                            file,
                            sha256,
                            id,
                            read_now: true,
                        });
                    }
                    Err(problem) => return (collected, Some(problem)),
                }
            }
            (collected, None)
        });
        let mut copied_bytes = 0u64;
        let mut names = std::collections::BTreeSet::new();
        let mut stop = None;
        for (index, file) in files.into_iter().enumerate() {
            let free = crate::disk::free_bytes(&context.site.media).unwrap_or(0);
            if free < file.size.saturating_add(reserve) {
                stop = Some(format!(
                    "存储空间不足，采集暂停：{} 需要 {} MB，可用 {} MB（为询问室录像保留 {} MB） · The media disk is full: {} needs {} MB, {} MB free with {} MB kept for room recordings; free space (archive or move old media), then plug the camera in again",
                    file.relative,
                    file.size >> 20,
                    free >> 20,
                    reserve >> 20,
                    file.relative,
                    file.size >> 20,
                    free >> 20,
                    reserve >> 20
                ));
                break;
            }
            // Two folders of the camera may hold the same name: the later one gets its number.
            let name = file_name(&file);
            let name = if names.contains(&name) {
                format!("{index:05}-{name}")
            } else {
                name
            };
            names.insert(name.clone());
            let copied = copy_hashed(&file.path, &dir.join(&name), |n| {
                let done = copied_bytes + n;
                station.set(slot, |dock| progress(dock, done, started));
            });
            match copied {
                Ok(copied) => {
                    copied_bytes += file.size;
                    if to_check.send((file, name, copied)).is_err() {
                        // The checker stopped on a problem of its own, which it reports.
                        break;
                    }
                }
                Err(err) => {
                    stop = Some(explain(&err, &file));
                    break;
                }
            }
        }
        drop(to_check);
        let (collected, checked) = checker.join().unwrap_or_else(|_| {
            (
                Vec::new(),
                Some("采集校验线程出错 · The read-back check failed unexpectedly".into()),
            )
        });
        (collected, checked.or(stop))
    });
    let complete = stop.is_none();
    let problem = stop.clone();
    rt.block_on(
        context
            .db
            .call_durably(move |store| store.close_batch(batch, complete, problem.as_deref())),
    )?;
    write_manifest(context, batch).map_err(|err| Stop::Failed(err.to_string()))?;
    match stop {
        None => Ok(collected),
        Some(problem) => Err(Stop::Failed(problem)),
    }
}

fn progress(dock: &mut DockView, done: u64, started: Instant) {
    dock.bytes_done = done;
    let seconds = started.elapsed().as_secs_f64();
    if seconds > 0.2 {
        dock.bytes_per_second = (done as f64 / seconds) as u64;
        let left = dock.bytes_total.saturating_sub(done);
        dock.seconds_left = (dock.bytes_per_second > 0).then(|| left / dock.bytes_per_second);
    }
}

fn file_name(file: &CameraFile) -> String {
    file.path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into())
}

/// Probes a verified copy and records it as the batch's next file, chained, and re-signs the
/// manifest; returns its SHA-256 and its id in the records.
#[allow(clippy::too_many_arguments)]
fn record(
    context: &Context,
    batch: i64,
    device: &DeviceView,
    profile: &BodycamProfile,
    clock_offset_ms: Option<i64>,
    dir: &Path,
    file: &CameraFile,
    name: String,
    hashed: evidence::HashedFile,
) -> Result<(String, i64), String> {
    let rt = &context.runtime;
    let (head, seq) = rt
        .block_on(context.db.read(move |store| store.batch_head(batch)))
        .map_err(|err| err.to_string())?;
    let target = dir.join(&name);
    let media = pipelines::probe(&target).ok();
    let (started_at, started_from) = camera::start_of(
        file,
        profile,
        media.as_ref().and_then(|m| m.created.as_deref()),
        clock_offset_ms,
    );
    let duration_ns = media
        .as_ref()
        .and_then(|m| m.duration)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    let codecs = media
        .as_ref()
        .map(|m| {
            m.video
                .iter()
                .map(|v| v.codec.clone())
                .chain(m.audio.iter().map(|a| a.codec.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let picture = media.as_ref().and_then(|m| m.video.first());
    let start_ns = started_at
        .and_then(|t| t.timestamp_nanos_opt())
        .unwrap_or(0);
    let size_bytes = i64::try_from(hashed.size_bytes).unwrap_or(i64::MAX);
    // The second copy (主备双份), read back from the backup disk; a failing backup disk is an
    // alarm in the log, never a stopped collection.
    let backup_sha256 = context.storage.backup_of(dir).and_then(|backup| {
        match evidence::backup::copy_segment(&target, &backup) {
            Ok(sha) if sha == hashed.sha256 => Some(sha),
            Ok(sha) => {
                tracing::error!(file = %name, backup = %sha, "备份副本与原文件不一致 / the backup copy of a collected file reads back differently: check the backup disk");
                Some(sha)
            }
            Err(problem) => {
                tracing::error!(file = %name, %problem, "a collected file has no backup copy");
                None
            }
        }
    });
    let link = next_link(
        head.as_deref().unwrap_or(GENESIS_LINK),
        &SegmentFacts {
            track: &device.serial,
            seq,
            start_ns,
            duration_ns,
            size_bytes,
            sha256: &hashed.sha256,
        },
    );
    let record = NewFieldFile {
        source_path: file.relative.clone(),
        source_mtime_ns: file.mtime_ns,
        file: name,
        size_bytes,
        sha256: hashed.sha256.clone(),
        link,
        start_ns,
        duration_ns,
        started_at,
        started_from,
        codecs,
        width: picture.map(|p| i64::from(p.width)),
        height: picture.map(|p| i64::from(p.height)),
        backup_sha256,
    };
    let recorded = rt
        .block_on(
            context
                .db
                .call_durably(move |store| store.add_field_file(batch, seq, &record)),
        )
        .map_err(|err| {
            // A copy the records do not list would only confuse verify.
            let _ = std::fs::remove_file(&target);
            format!("记录库出错 · The records failed: {err}")
        })?;
    write_manifest(context, batch).map_err(|err| err.to_string())?;
    Ok((hashed.sha256, recorded.id))
}

/// The screen's words for why a file was not collected.
fn explain(err: &IngestError, file: &CameraFile) -> String {
    if err.disk_full() {
        return format!(
            "存储空间已满，采集暂停 · The media disk is full while copying {}: free space, then plug the camera in again; nothing is lost",
            file.relative
        );
    }
    match err {
        IngestError::Unreadable { .. } => format!(
            "读取 {} 失败（记录仪已拔出？） · Cannot read {} (camera unplugged?); plug it in again and collection carries on: {err}",
            file.relative, file.relative
        ),
        IngestError::Changed { .. } => format!(
            "{} 在复制时被改动 · {} changed while it was copied; plug the camera in again",
            file.relative, file.relative
        ),
        IngestError::Differs { .. } => format!(
            "复制校验不一致 · The copy of {} reads back different: the media disk may be failing; ask facilities ({err})",
            file.relative
        ),
        IngestError::Unwritable { .. } => format!(
            "无法写入存储 · Cannot write the copy of {}: {err}; ask facilities",
            file.relative
        ),
    }
}

/// Rewrites the batch's manifest from the records and signs it with the site's key.
pub(super) fn write_manifest(context: &Context, batch: i64) -> anyhow::Result<()> {
    context.runtime.block_on(super::rewrite_batch_manifest(
        &context.site,
        &context.storage,
        &context.db,
        batch,
    ))
}

/// A camera file whose copy the station holds, verified: its hash and its record.
struct Verified {
    file: CameraFile,
    sha256: String,
    id: i64,
    /// Read from the camera (and hashed) in this very visit, rather than on an earlier one.
    read_now: bool,
}

/// Whether the camera's file still holds what was collected: a file read in this visit (its
/// bytes hashed moments ago, its size checked after the copy) must keep its size and file time;
/// one collected on an earlier visit is read and hashed again.
fn still_the_same(verified: &Verified) -> std::io::Result<bool> {
    let file = &verified.file;
    if verified.read_now {
        let meta = std::fs::metadata(&file.path)?;
        let mtime_ns = camera::file_time_ns(&meta);
        return Ok(meta.len() == file.size && mtime_ns == file.mtime_ns);
    }
    let mut on_camera = std::fs::File::open(&file.path)?;
    let (sha256, _) = evidence::hashing::sha256_of_reader(&mut on_camera, |_| {})?;
    Ok(sha256 == verified.sha256)
}

/// How far clearing a camera went: the first `count` files were deleted.
struct Cleared {
    count: usize,
    problem: Option<String>,
}

/// Deletes from the camera every file whose copy is verified, after checking it still holds
/// what was collected (see `still_the_same`): a file is never deleted unless the station holds
/// its bytes.
fn clear_camera(context: &Context, mount: &Path, verified: &[Verified]) -> Cleared {
    let stopped = |count, problem| Cleared {
        count,
        problem: Some(problem),
    };
    if let Some(command) = &context.spec.make_writable {
        let args: Vec<String> = command
            .iter()
            .map(|a| a.replace("{mount}", &mount.to_string_lossy()))
            .collect();
        let status = std::process::Command::new(&args[0])
            .args(&args[1..])
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                return stopped(
                    0,
                    format!(
                        "无法清除记录仪 · make_writable ({}) failed with {status}; the camera keeps its files",
                        args[0]
                    ),
                );
            }
            Err(err) => {
                return stopped(
                    0,
                    format!(
                        "无法清除记录仪 · Cannot run make_writable ({}): {err}; the camera keeps its files",
                        args[0]
                    ),
                );
            }
        }
    }
    for (count, verified) in verified.iter().enumerate() {
        let file = &verified.file;
        match still_the_same(verified) {
            Ok(true) => {}
            Ok(false) => {
                return stopped(
                    count,
                    format!(
                        "{} 与已采集副本不同，未清除 · {} differs from its collected copy and was not cleared; plug the camera in again",
                        file.relative, file.relative
                    ),
                );
            }
            Err(err) => return stopped(count, format!("{}: {err}", file.relative)),
        }
        if let Err(err) = std::fs::remove_file(&file.path) {
            return stopped(
                count,
                format!(
                    "无法清除 {} · Cannot clear {} from the camera: {err}",
                    file.relative, file.relative
                ),
            );
        }
    }
    Cleared {
        count: verified.len(),
        problem: None,
    }
}
