//! What each camera and microphone of a room is doing now, for the clerk panel and the API, and
//! the silence alarm: a microphone that hears nothing for longer than its profile allows raises
//! an alarm (recorded in the session's events) and clears it when sound comes back. An alarm
//! only warns; it never stops a recording. A network camera that is lost (and retried by the
//! recorder) is an alarm too, and its return records the gap in its track.

use chrono::{DateTime, Utc};
use hardware_profiles::RoomSpec;
use site_api::{SourceKind, SourceState, SourceStatus};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Levels below this are shown as this: a meter has no use for -inf.
const FLOOR_DB: f64 = -100.0;

/// The API's read-only view of a room's sources.
#[derive(Clone, Default)]
pub struct HealthBoard(Arc<Mutex<Board>>);

#[derive(Default)]
struct Board {
    sources: Vec<SourceStatus>,
    /// Per track: the segment file being written, and the bytes of its finished ones.
    open_files: HashMap<String, PathBuf>,
    closed_bytes: HashMap<String, u64>,
}

impl HealthBoard {
    /// The sources now, with the bytes written so far read from the open files.
    pub fn snapshot(&self) -> Vec<SourceStatus> {
        let Ok(board) = self.0.lock() else {
            return Vec::new();
        };
        let mut sources = board.sources.clone();
        for source in &mut sources {
            let Some(track) = &source.track else {
                continue;
            };
            let open = board
                .open_files
                .get(track)
                .and_then(|f| std::fs::metadata(f).ok())
                .map_or(0, |m| m.len());
            let closed = board.closed_bytes.get(track).copied().unwrap_or(0);
            source.recorded_bytes = closed + open;
        }
        sources
    }

    fn lock(&self) -> Option<std::sync::MutexGuard<'_, Board>> {
        self.0.lock().ok()
    }
}

/// A change worth a line in the session's events.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthChange {
    /// Says what is wrong, in Chinese and English.
    Alarm(String),
    Cleared(String),
    /// A track had no media for a while: which, and from when until when.
    Gap(String),
}

/// The room worker's side: it feeds levels in and records the changes that come out.
pub struct Health {
    room: Arc<RoomSpec>,
    board: HealthBoard,
    quiet_since: HashMap<String, Instant>,
    /// When each lost camera was lost.
    lost_since: HashMap<String, DateTime<Utc>>,
    /// Media is being written (else the room is idle or previewing).
    recording: bool,
}

impl Health {
    #[cfg(test)]
    pub fn new(room: Arc<RoomSpec>) -> (Self, HealthBoard) {
        let board = HealthBoard::default();
        (Self::on_board(room, board.clone()), board)
    }

    /// A fresh start on an existing board (a restarted room): every source idle.
    pub fn on_board(room: Arc<RoomSpec>, board: HealthBoard) -> Self {
        let mut health = Self {
            room,
            board,
            quiet_since: HashMap::new(),
            lost_since: HashMap::new(),
            recording: false,
        };
        health.set_all(SourceState::Idle);
        health
    }

    /// Media is being written: every source counts as working until it shows otherwise.
    pub fn recording(&mut self) {
        self.set_all(SourceState::Ok);
    }

    /// Nothing is recording.
    pub fn idle(&mut self) {
        self.set_all(SourceState::Idle);
    }

    /// Nothing is recording; the room's preview runs, so every device works.
    pub fn ready(&mut self) {
        self.set_all(SourceState::Ready);
    }

    /// The room's preview failed (on `element` when the pipeline said which) and is tried again
    /// after `retry_in`: the device the element belongs to is shown as faulty, or every device
    /// when it cannot be told.
    pub fn fault(&mut self, element: Option<&str>, reason: &str, retry_in: Duration) {
        self.set_all(SourceState::Idle);
        let device = element.and_then(|e| self.device_of(e));
        let Some(mut board) = self.board.lock() else {
            return;
        };
        let seconds = retry_in.as_secs();
        for status in board.sources.iter_mut() {
            if device.as_deref().is_some_and(|d| d != status.id) {
                continue;
            }
            let (zh, en) = match (&device, status.kind) {
                (None, _) => ("设备".to_string(), "device".to_string()),
                (Some(id), SourceKind::Camera) => (format!("摄像机 {id} "), format!("camera {id}")),
                (Some(id), SourceKind::Microphone) => {
                    (format!("麦克风 {id} "), format!("microphone {id}"))
                }
            };
            status.state = SourceState::Fault;
            status.alarm = Some(format!(
                "{zh}故障，{seconds} 秒后重试；开始录制时立即重试 / {en} fault: {reason}; tried again in {seconds} s, and at once when a recording starts"
            ));
        }
    }

    /// The room's camera or microphone that a pipeline element belongs to: elements are named
    /// `liuhen-<device>-<role>`. The longest id wins (`cam` and `cam-2` both match
    /// `liuhen-cam-2-src` as prefixes).
    fn device_of(&self, element: &str) -> Option<String> {
        let rest = element.strip_prefix("liuhen-")?;
        let cameras = self.room.cameras.iter().map(|c| &c.id);
        let microphones = self.room.microphones.iter().map(|m| &m.id);
        cameras
            .chain(microphones)
            .filter(|id| {
                rest.strip_prefix(id.as_str())
                    .is_some_and(|after| after.starts_with('-'))
            })
            .max_by_key(|id| id.len())
            .cloned()
    }

    /// Takes a microphone's level at `now`; returns an alarm when it has been silent too long,
    /// and its clearing when sound is back.
    pub fn level(&mut self, mic: &str, peak_db: f64, now: Instant) -> Option<HealthChange> {
        let spec = self.room.microphones.iter().find(|m| m.id == mic)?;
        let threshold = f64::from(spec.profile.silence_below_db);
        let allowed = Duration::from_secs(u64::from(spec.profile.silence_alarm_seconds));
        let quiet_for = if peak_db < threshold {
            now.duration_since(*self.quiet_since.entry(mic.to_string()).or_insert(now))
        } else {
            self.quiet_since.remove(mic);
            Duration::ZERO
        };
        let mut board = self.board.lock()?;
        let status = board.sources.iter_mut().find(|s| s.id == mic)?;
        if status.state == SourceState::Idle {
            return None;
        }
        status.level_db = Some(peak_db.max(FLOOR_DB));
        match status.state {
            SourceState::Ok if quiet_for >= allowed => {
                let alarm = format!(
                    "麦克风 {mic} 已 {} 秒无声，请检查是否静音或脱落 / microphone {mic} has been silent for {} s: check that it is switched on and connected",
                    quiet_for.as_secs(),
                    quiet_for.as_secs()
                );
                status.state = SourceState::Silent;
                status.alarm = Some(alarm.clone());
                Some(HealthChange::Alarm(alarm))
            }
            SourceState::Silent if quiet_for.is_zero() => {
                status.state = SourceState::Ok;
                status.alarm = None;
                Some(HealthChange::Cleared(format!(
                    "麦克风 {mic} 恢复有声 / microphone {mic} hears sound again"
                )))
            }
            _ => None,
        }
    }

    /// A network camera stopped sending at `now`; the recorder is reconnecting it.
    pub fn lost(&mut self, camera: &str, reason: &str, now: DateTime<Utc>) -> Option<HealthChange> {
        let mut board = self.board.lock()?;
        let status = board.sources.iter_mut().find(|s| s.id == camera)?;
        let alarm = if self.recording {
            format!(
                "摄像机 {camera} 信号中断，正在重新连接，其他设备照常录制 / camera {camera} was lost ({reason}); reconnecting, the other devices go on recording"
            )
        } else {
            format!(
                "摄像机 {camera} 信号中断，正在重新连接 / camera {camera} was lost ({reason}); reconnecting"
            )
        };
        status.state = SourceState::Lost;
        status.alarm = Some(alarm.clone());
        self.lost_since.entry(camera.to_string()).or_insert(now);
        Some(HealthChange::Alarm(alarm))
    }

    /// A lost camera sends again at `now`: the alarm clears and its gap is told.
    pub fn back(&mut self, camera: &str, now: DateTime<Utc>) -> Vec<HealthChange> {
        let since = self.lost_since.remove(camera);
        let Some(mut board) = self.board.lock() else {
            return Vec::new();
        };
        let Some(status) = board.sources.iter_mut().find(|s| s.id == camera) else {
            return Vec::new();
        };
        status.state = if self.recording {
            SourceState::Ok
        } else {
            SourceState::Ready
        };
        status.alarm = None;
        let mut changes = vec![HealthChange::Cleared(format!(
            "摄像机 {camera} 已恢复录制 / camera {camera} is back and recording"
        ))];
        if let Some(since) = since {
            changes.push(HealthChange::Gap(format!(
                "{camera}: no recording from {} until {} ({} s)",
                since.to_rfc3339(),
                now.to_rfc3339(),
                (now - since).num_seconds()
            )));
        }
        changes
    }

    /// A segment file of `track` was opened: its sources now write into segment `seq`.
    pub fn segment_opened(&mut self, track: &str, seq: i64, file: &Path) {
        let Some(mut board) = self.board.lock() else {
            return;
        };
        board
            .open_files
            .insert(track.to_string(), file.to_path_buf());
        for source in board.sources.iter_mut() {
            if source.track.as_deref() == Some(track) {
                source.segment = Some(seq);
            }
        }
    }

    /// A segment file of `track` was finished: `bytes` long, covering `duration`.
    pub fn segment_closed(&mut self, track: &str, bytes: u64, duration: Duration) {
        let Some(mut board) = self.board.lock() else {
            return;
        };
        board.open_files.remove(track);
        *board.closed_bytes.entry(track.to_string()).or_default() += bytes;
        let millis = duration.as_millis();
        let kbps =
            (millis > 0).then(|| u32::try_from(u128::from(bytes) * 8 / millis).unwrap_or(u32::MAX));
        for source in board.sources.iter_mut() {
            if source.track.as_deref() == Some(track) {
                source.bitrate_kbps = kbps;
            }
        }
    }

    fn set_all(&mut self, state: SourceState) {
        self.recording = state == SourceState::Ok;
        self.quiet_since.clear();
        self.lost_since.clear();
        let tracks = pipelines::plan_tracks(&self.room);
        let track_of = |source: &str| {
            tracks
                .iter()
                .find(|t| {
                    t.id != pipelines::COMPOSITE_TRACK
                        && (t.camera.as_deref() == Some(source)
                            || t.microphones.iter().any(|m| m == source))
                })
                .map(|t| t.id.clone())
        };
        let status = |id: &str, kind: SourceKind, profile: &str| SourceStatus {
            id: id.to_string(),
            kind,
            profile: profile.to_string(),
            state,
            level_db: None,
            alarm: None,
            track: track_of(id),
            segment: None,
            recorded_bytes: 0,
            bitrate_kbps: None,
        };
        let cameras = self
            .room
            .cameras
            .iter()
            .map(|c| status(&c.id, SourceKind::Camera, &c.profile_id));
        let microphones = self
            .room
            .microphones
            .iter()
            .map(|m| status(&m.id, SourceKind::Microphone, &m.profile_id));
        let sources = cameras.chain(microphones).collect();
        if let Some(mut board) = self.board.lock() {
            *board = Board {
                sources,
                ..Board::default()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardware_profiles::MicrophoneSpec;

    fn room_with_one_mic(alarm_seconds: u32) -> Arc<RoomSpec> {
        let mut mic = MicrophoneSpec::test_tone("mic1");
        mic.profile.silence_alarm_seconds = alarm_seconds;
        Arc::new(RoomSpec::interview("r", 60, vec![], vec![mic]))
    }

    #[test]
    fn a_preview_fault_lands_on_the_device_its_element_belongs_to() {
        let room = Arc::new(RoomSpec::interview(
            "r",
            60,
            vec![
                hardware_profiles::CameraSpec::test_pattern("cam", 160, 120, 10, 100),
                hardware_profiles::CameraSpec::test_pattern("cam-2", 160, 120, 10, 100),
            ],
            vec![MicrophoneSpec::test_tone("mic1")],
        ));
        let (mut health, board) = Health::new(room);
        let retry = Duration::from_secs(4);
        health.fault(Some("liuhen-cam-2-src"), "gone", retry);
        let states: Vec<_> = board.snapshot().iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            [SourceState::Idle, SourceState::Fault, SourceState::Idle],
            "the longest matching id, not its prefix"
        );
        let alarm = board.snapshot()[1].alarm.clone().unwrap_or_default();
        assert!(
            alarm.starts_with("摄像机 cam-2 故障，4 秒后重试"),
            "{alarm}"
        );
        health.fault(Some("liuhen-composite-mix"), "broke", retry);
        assert!(
            board
                .snapshot()
                .iter()
                .all(|s| s.state == SourceState::Fault),
            "an element of no device faults the room"
        );
        health.ready();
        assert!(
            board
                .snapshot()
                .iter()
                .all(|s| s.state == SourceState::Ready && s.alarm.is_none())
        );
    }

    #[test]
    fn silence_longer_than_the_profile_allows_raises_one_alarm_and_sound_clears_it() {
        let (mut health, board) = Health::new(room_with_one_mic(10));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(health.level("mic1", -80.0, at(0)), None, "idle: no alarm");
        health.recording();
        assert_eq!(health.level("mic1", -12.0, at(0)), None);
        assert_eq!(board.snapshot()[0].level_db, Some(-12.0));
        assert_eq!(
            health.level("mic1", f64::MIN, at(1)),
            None,
            "quiet, not yet long"
        );
        assert_eq!(health.level("mic1", -75.0, at(10)), None, "9 s quiet");
        let alarm = health.level("mic1", -75.0, at(11));
        assert!(matches!(alarm, Some(HealthChange::Alarm(ref a)) if a.contains("10 秒")));
        assert_eq!(board.snapshot()[0].state, SourceState::Silent);
        assert_eq!(board.snapshot()[0].level_db, Some(-75.0));
        assert_eq!(
            health.level("mic1", -75.0, at(30)),
            None,
            "one alarm per silence"
        );
        assert!(matches!(
            health.level("mic1", -20.0, at(31)),
            Some(HealthChange::Cleared(_))
        ));
        assert_eq!(board.snapshot()[0].state, SourceState::Ok);
        assert_eq!(health.level("mic1", -20.0, at(32)), None);
        health.idle();
        assert_eq!(board.snapshot()[0].state, SourceState::Idle);
        assert_eq!(board.snapshot()[0].level_db, None);
    }
}
