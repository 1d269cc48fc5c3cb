//! Field evidence (执法记录仪采集): body-worn cameras registered to an officer, docked at the
//! site's shared collection station, their files collected (copied, read back, hashed) into one
//! batch per visit, linked to cases, and kept or removed under the agency's retention rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long footage linked to no case is kept when the agency's site entry says nothing
/// (`footage_retention_days`): six months, the shortest period local rules commonly set for
/// body-worn camera footage with nothing to do with a case.
pub const DEFAULT_FOOTAGE_RETENTION_DAYS: u32 = 180;

/// A body-worn camera (or other field recorder) as the site registers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewDevice {
    /// The serial number printed on the device and shown by it when docked.
    pub serial: String,
    /// Its model profile (a `[bodycam]` profile of hardware-profiles).
    pub model: String,
    pub agency_id: String,
    /// The staff member it is issued to.
    pub issued_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceView {
    pub serial: String,
    pub model: String,
    pub agency_id: String,
    pub issued_to: String,
    /// The officer's name, as the staff list has it.
    pub issued_to_name: String,
    pub registered_at: DateTime<Utc>,
    pub registered_by: String,
    /// Set once retired: a retired device is not collected from any more.
    pub retired_at: Option<DateTime<Utc>>,
}

/// What a camera at the station is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DockState {
    /// Recognised; its files are being listed.
    Reading,
    /// Copying, reading back and hashing.
    Copying,
    /// Every new file is collected and verified (and cleared, where the agency allows it).
    Done,
    /// Stopped with a problem; what was verified before is kept.
    Failed,
    /// Not collected from: an unknown or retired device, an unreadable layout.
    Refused,
}

/// One device plugged into the station (or just unplugged), as the collection screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DockView {
    /// Where it is mounted under the station's mount root (its folder's name).
    pub slot: String,
    pub serial: Option<String>,
    pub officer_id: Option<String>,
    pub officer_name: Option<String>,
    pub agency_name: Option<String>,
    pub state: DockState,
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Bytes per second over the last few seconds of copying.
    pub bytes_per_second: u64,
    pub seconds_left: Option<u64>,
    /// The batch this visit is collected into.
    pub batch_id: Option<i64>,
    /// What went wrong, in plain Chinese then English, with what to do.
    pub problem: Option<String>,
    /// Files collected on an earlier visit that changed on the camera since (an alarm).
    pub changed_files: Vec<String>,
    /// Whether the camera may be unplugged now without losing anything.
    pub safe_to_unplug: bool,
    /// The camera's files were deleted after every copy was verified.
    pub cleared: bool,
}

/// The collection station: every device docked now, for its screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
pub struct StationView {
    pub docks: Vec<DockView>,
    /// Free space left on the media disk, in bytes.
    pub free_bytes: u64,
}

/// A collected file, its hash and what the media says it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldFileView {
    pub id: i64,
    pub batch_id: i64,
    pub agency_id: String,
    pub device_serial: String,
    pub officer_id: String,
    pub officer_name: String,
    /// Its path on the camera.
    pub source_path: String,
    /// Its name in the batch's folder (the camera's own name, container unchanged).
    pub file: String,
    pub seq: i64,
    pub size_bytes: i64,
    pub sha256: String,
    pub link: String,
    /// When the recording started, on the station's clock (the camera's time corrected by
    /// the clock offset measured at docking, where one was measured).
    pub started_at: Option<DateTime<Utc>>,
    /// Where the start time was read: "name" (the file's name, as the model profile says),
    /// "media" (the file's own metadata) or "file" (the camera's file time).
    pub started_from: String,
    pub duration_ms: Option<i64>,
    /// e.g. "video/x-h264, audio/mpeg" or "image/jpeg".
    pub codecs: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub collected_at: DateTime<Utc>,
    pub case_number: Option<String>,
    pub important: bool,
    pub note: String,
    /// Removed by the retention sweep (with an approver); its hash and this record stay.
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by: Option<String>,
    /// SHA-256 of the copy on the site's backup disk, read back; equal to `sha256` when good.
    #[serde(default)]
    pub backup_sha256: Option<String>,
}

/// One visit of a device: a batch with its manifest, like a room session's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldBatchView {
    pub id: i64,
    pub agency_id: String,
    pub agency_name: String,
    pub device_serial: String,
    pub model: String,
    pub officer_id: String,
    pub officer_name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// "collecting", "complete" or "interrupted".
    pub state: String,
    pub problem: Option<String>,
    /// The camera's clock minus the station's, in milliseconds, when it was measured.
    pub clock_offset_ms: Option<i64>,
    /// The batch's folder, relative to the media folder.
    pub media_dir: String,
    pub files: Vec<FieldFileView>,
}

/// Links a collected file to a case (and marks it or notes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkFootage {
    pub case_number: String,
    /// An important clip (重要片段): shown first in the case view.
    #[serde(default)]
    pub important: bool,
    #[serde(default)]
    pub note: String,
}

/// Removes expired footage: by one of the agency's approvers, each file named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RemoveExpired {
    pub files: Vec<i64>,
    /// Why, for the record (e.g. "保存期满，无关联案件").
    pub reason: String,
}

/// The query of the footage list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FootageQuery {
    /// Only footage linked to this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// Only footage past the agency's retention period and linked to no case.
    #[serde(default)]
    pub expired: bool,
}

/// A file that changed on the camera after it was collected: an alarm, never an overwrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FootageAlarm {
    pub id: i64,
    pub device_serial: String,
    pub source_path: String,
    pub detail: String,
    pub raised_at: DateTime<Utc>,
}
