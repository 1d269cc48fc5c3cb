//! The site's shared collection station for body-worn cameras (执法记录仪采集站).
//!
//! Each docked camera appears as a folder under `[collect] mount_root` (the udev rule in
//! deploy/ mounts it there, read-only, named after its serial). The station looks every half
//! second; a new folder starts a visit on a thread of its own (`visit.rs`): recognise the
//! device, copy every new file with read-back and hash, record it, sign the batch's manifest,
//! and clear the camera only where the agency allows it and every file is verified. A folder
//! that vanishes is a camera unplugged: its visit stops at the file it was copying, which is
//! not recorded, and the next visit carries on. The screen (`kiosk-app collect`) reads
//! [`StationView`] through the API.

mod camera;
mod visit;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hardware_profiles::{CollectSpec, Site};
use site_api::{DockView, StationView};

use crate::db::Db;

/// How often the mount root is looked at.
const LOOK_EVERY: Duration = Duration::from_millis(500);

/// Every dock the screen shows, by its mount folder's name.
#[derive(Clone, Default)]
pub struct Station {
    docks: Arc<Mutex<BTreeMap<String, DockView>>>,
    media: Arc<std::path::PathBuf>,
}

impl Station {
    /// What the collection screen shows now.
    pub fn view(&self) -> StationView {
        let docks = self
            .docks
            .lock()
            .map(|d| d.values().cloned().collect())
            .unwrap_or_default();
        StationView {
            docks,
            free_bytes: crate::disk::free_bytes(&self.media).unwrap_or(0),
        }
    }

    fn set(&self, slot: &str, change: impl FnOnce(&mut DockView)) {
        if let Ok(mut docks) = self.docks.lock()
            && let Some(dock) = docks.get_mut(slot)
        {
            change(dock);
        }
    }
}

/// What a visit needs from the controller.
#[derive(Clone)]
pub(crate) struct Context {
    pub site: Arc<Site>,
    pub spec: CollectSpec,
    pub db: Db,
    pub storage: evidence::Storage,
    pub runtime: tokio::runtime::Handle,
}

/// Starts watching the mount root; batches left open by a stopped controller are closed as
/// interrupted first (their verified files stay; the next visit carries on).
pub(crate) async fn spawn(context: Context) -> anyhow::Result<Station> {
    let closed = context.db.call(|store| store.close_open_batches()).await?;
    for batch in closed {
        let context = context.clone();
        tokio::task::spawn_blocking(move || {
            tidy_interrupted(&context, batch)?;
            visit::write_manifest(&context, batch)
        })
        .await??;
    }
    let station = Station {
        docks: Arc::default(),
        media: Arc::new(context.site.media.clone()),
    };
    let watching = station.clone();
    tokio::spawn(async move {
        let mut visiting: BTreeSet<String> = BTreeSet::new();
        loop {
            // Looking into a camera's folder touches its device, which may hang as it goes:
            // never on the runtime's threads.
            let root = context.spec.mount_root.clone();
            let present = tokio::task::spawn_blocking(move || docked(&root))
                .await
                .unwrap_or_default();
            for slot in &present - &visiting {
                if let Ok(mut docks) = watching.docks.lock() {
                    docks.insert(slot.clone(), visit::fresh_dock(&slot));
                }
                let (context, station) = (context.clone(), watching.clone());
                tokio::task::spawn_blocking(move || visit::run(&context, &station, &slot));
            }
            // A camera unplugged leaves the screen; its visit ends by itself at the next read.
            for slot in &visiting - &present {
                if let Ok(mut docks) = watching.docks.lock() {
                    docks.remove(&slot);
                }
            }
            visiting = present;
            tokio::time::sleep(LOOK_EVERY).await;
        }
    });
    Ok(station)
}

/// The folder of a batch the controller was killed in: a partial copy goes; a copy read back
/// and named whose record was not yet written moves to `unrecorded/` (the camera still holds
/// it, and the next visit collects it), so the folder holds exactly what its manifest lists.
fn tidy_interrupted(context: &Context, batch: i64) -> anyhow::Result<()> {
    let view = context
        .runtime
        .block_on(context.db.read(move |store| store.batch(batch)))?;
    let dir = context.site.media.join(&view.media_dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let listed: BTreeSet<&str> = view.files.iter().map(|f| f.file.as_str()).collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name == evidence::MANIFEST_FILE
            || listed.contains(name.as_str())
            || !entry.path().is_file()
        {
            continue;
        }
        // A partial copy, or a manifest half written.
        if name.ends_with(".part") || name.ends_with(".tmp") {
            std::fs::remove_file(entry.path())?;
        } else {
            let aside = dir.join("unrecorded");
            std::fs::create_dir_all(&aside)?;
            std::fs::rename(entry.path(), aside.join(&name))?;
        }
        tracing::warn!(batch, file = %name, "tidied the folder of a visit the controller was stopped in");
    }
    Ok(())
}

/// Writes a batch's manifest anew from the records, signed with the site's key, and its copy
/// in the backup folder; the writing (fsync) runs on a blocking thread.
pub(crate) async fn rewrite_batch_manifest(
    site: &Arc<Site>,
    storage: &evidence::Storage,
    db: &Db,
    batch: i64,
) -> anyhow::Result<()> {
    let (view, timing) = db
        .read(move |store| Ok((store.batch(batch)?, store.batch_timing(batch)?)))
        .await?;
    let (site, storage) = (site.clone(), storage.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut manifest = evidence::field_batch::batch_manifest(&view, &timing, &site.name);
        if let Some(key) = &storage.key {
            manifest.sign(key)?;
        }
        let dir = site.media.join(&view.media_dir);
        manifest.write(&dir)?;
        // The backup folder holds the same files and this same manifest, so either verifies
        // alone.
        if let Some(backup) = storage.backup_of(&dir)
            && backup.exists()
            && let Err(problem) = evidence::backup::copy_manifest(&dir, &backup)
        {
            tracing::error!(%problem, "a batch's manifest has no backup copy");
        }
        Ok(())
    })
    .await??;
    Ok(())
}

/// The folders under the mount root: one per docked camera.
fn docked(root: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| !name.starts_with('.'))
                // A folder made for a mount that has not happened yet is empty: not docked yet.
                .filter(|name| {
                    std::fs::read_dir(root.join(name)).is_ok_and(|mut e| e.next().is_some())
                })
                .collect()
        })
        .unwrap_or_default()
}
