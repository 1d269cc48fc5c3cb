//! A field batch (one camera's visit to the collection station) as evidence: its manifest,
//! in the same format as a room session's, so that `verify` and the export package work on it
//! unchanged. Each collected file is a "segment" of the track named after the camera, its
//! `start_ns` the recording's start (ns since 1970, station clock), chained in collection order.

use site_api::FieldBatchView;
use std::path::Path;

use crate::export::PackageFile;
use crate::manifest::{Manifest, ManifestSegment};

/// `session.kind` in a batch's manifest.
pub const BATCH_KIND: &str = "field-batch";

/// The manifest of a batch: `timing` is each file's (start_ns, duration_ns) in seq order.
pub fn batch_manifest(view: &FieldBatchView, timing: &[(i64, i64)], station: &str) -> Manifest {
    let session = serde_json::json!({
        "kind": BATCH_KIND,
        "id": view.id,
        "station": station,
        "agency_id": view.agency_id,
        "agency_name": view.agency_name,
        "device": view.device_serial,
        "model": view.model,
        "officer_id": view.officer_id,
        "officer_name": view.officer_name,
        "state": view.state,
        "problem": view.problem,
        "started_at": view.started_at,
        "ended_at": view.ended_at,
        "clock_offset_ms": view.clock_offset_ms,
    });
    let segments = view
        .files
        .iter()
        .zip(timing)
        .map(|(f, &(start_ns, duration_ns))| ManifestSegment {
            file: f.file.clone(),
            track: view.device_serial.clone(),
            seq: f.seq,
            start_ns,
            duration_ns,
            size_bytes: f.size_bytes,
            sha256: f.sha256.clone(),
            link: f.link.clone(),
            recovered: false,
            backup_sha256: f.backup_sha256.clone(),
            removed: f.removed_at.map(|at| {
                format!(
                    "{} by {}",
                    at.to_rfc3339(),
                    f.removed_by.as_deref().unwrap_or("?")
                )
            }),
        })
        .collect();
    Manifest::new(session, segments, view.state != "collecting")
}

/// The package name of a batch, e.g. `footage-batch-3`.
pub fn batch_package_name(view: &FieldBatchView) -> String {
    format!("footage-batch-{}", view.id)
}

/// The files of a batch's package: a summary, the signed manifest, the site's key and every
/// file still held, each as collected.
pub fn batch_package_files(
    view: &FieldBatchView,
    dir: &Path,
    exported_by: &str,
    site_key: Option<&str>,
) -> Vec<PackageFile> {
    let root = batch_package_name(view);
    let mut files = vec![PackageFile::Made {
        name: format!("{root}/summary.txt"),
        bytes: summary(view, exported_by).into_bytes(),
    }];
    files.extend(crate::export::signed_manifest(&root, dir, site_key));
    files.extend(
        view.files
            .iter()
            .filter(|f| f.removed_at.is_none())
            .map(|f| PackageFile::OnDisk {
                name: format!("{root}/{}", f.file),
                path: dir.join(&f.file),
            }),
    );
    files
}

fn summary(view: &FieldBatchView, exported_by: &str) -> String {
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let mut text = format!(
        "执法记录仪采集批次 Field footage batch {}\n\
         单位 Agency: {} ({})\n\
         记录仪 Device: {} ({})\n\
         持有人 Officer: {} ({})\n\
         采集 Collected: {} — {}\n\
         记录仪时钟偏差 Camera clock offset: {}\n\
         导出人 Exported by: {exported_by}\n\n\
         文件 Files (SHA-256; 校验: room-controller verify <folder>):\n",
        view.id,
        view.agency_name,
        view.agency_id,
        view.device_serial,
        view.model,
        view.officer_name,
        view.officer_id,
        local(view.started_at),
        view.ended_at.map(local).unwrap_or_else(|| "—".into()),
        view.clock_offset_ms
            .map(|ms| format!("{:+.1} s", ms as f64 / 1000.0))
            .unwrap_or_else(|| "未测 not measured".into()),
    );
    for f in &view.files {
        text.push_str(&format!(
            "  {} ← {}  {} bytes  {}{}{}\n",
            f.file,
            f.source_path,
            f.size_bytes,
            f.sha256,
            f.case_number
                .as_ref()
                .map(|c| format!("  案件 case {c}"))
                .unwrap_or_default(),
            if f.removed_at.is_some() {
                "  (已按保存期限删除 removed after retention)"
            } else {
                ""
            }
        ));
    }
    text
}
