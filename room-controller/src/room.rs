//! One room's worker: the single owner of the room's pipeline and light. Requests come in over
//! a channel; the pipeline's bus messages are the only source of the session's state.
//!
//! States, as the records keep them (see `site_api::SessionState`):
//!
//! ```text
//!  start ─▶ Starting ──first segment opened──▶ Recording ──stop──▶ Stopping ──EOS──▶ Finished
//!              │                                  │                    │
//!              └── error / no media ──▶ Failed ◀──┴── element error ───┘
//!  (controller killed in any live state ──▶ Interrupted, found at the next start-up)
//!  (media worker process died while recording ──▶ Interrupted, at once, with an alarm)
//!  Interrupted ──resume──▶ Starting ──▶ Recording … (same session, new segments, a "gap" event)
//!  Recording ──pause (rooms that allow it)──▶ Paused ──resume──▶ Starting ──▶ Recording …
//!  Paused or Interrupted ──stop──▶ Finished (closed as it is)
//! ```
//!
//! The pipeline itself runs in a media worker process (see `media_worker`): this task keeps the
//! records, the hash chain and the light, so a crash of the media code costs one room's
//! recording, never the controller.
//!
//! An idle room keeps a worker previewing (unless its site file says `preview = false`): the
//! pipeline built and playing with nothing written, so that the clerk sees the microphones'
//! levels and any device fault before starting, and a start only opens it into the session's
//! folder. A preview that fails (a device unplugged, the worker killed) is a device fault on
//! the clerk panel, never a recording, and is started again after 1 s, 2 s, 4 s … 30 s.

use hardware_profiles::RoomSpec;
use pipelines::{Destination, Recorder, RecorderEvent};
use records::NewSession;
use site_api::SessionState;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::ControllerError;
use crate::db::Db;
use crate::disk::DiskPolicy;
use crate::health::{Health, HealthBoard, HealthChange};
use crate::indicator::{Indicator, Light};
use crate::live::Live;
use crate::media_worker::{MediaWorker, WorkerEvent, WorkerMessage};
use crate::recovery;
use crate::segments::{self, ClosedSegment};
use evidence::Storage;

/// How long a start may take before the first media byte must be on disk.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a recording room looks at the free space of the media disk.
const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long a stop waits for every source's end before it closes the files as they are.
/// How often, and how patiently, a stop writes again what the records refused.
const RECORDS_RETRIES: u32 = 8;
const RECORDS_RETRY_FIRST: Duration = Duration::from_millis(250);
const RECORDS_RETRY_MOST: Duration = Duration::from_secs(4);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait before a failed preview is started again; it doubles up to the most.
const PREVIEW_RETRY_FIRST: Duration = Duration::from_secs(1);
const PREVIEW_RETRY_MOST: Duration = Duration::from_secs(30);
/// A preview that ran this long before failing starts its back-off afresh.
const PREVIEW_STABLE: Duration = Duration::from_secs(60);

enum Command {
    Start {
        agency_id: String,
        case_number: String,
        started_by: String,
        reply: oneshot::Sender<Result<i64, ControllerError>>,
    },
    Stop {
        session_id: i64,
        reply: oneshot::Sender<Result<(), ControllerError>>,
    },
    Pause {
        session_id: i64,
        by: String,
        reply: oneshot::Sender<Result<(), ControllerError>>,
    },
    Resume {
        session_id: i64,
        reply: oneshot::Sender<Result<i64, ControllerError>>,
    },
}

/// A cloneable handle to a room's worker.
#[derive(Clone)]
pub struct RoomHandle {
    pub id: String,
    tx: mpsc::Sender<Command>,
}

impl RoomHandle {
    /// Starts a session; returns once media is being written (or the start failed).
    pub async fn start(
        &self,
        agency_id: String,
        case_number: String,
        started_by: String,
    ) -> Result<i64, ControllerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Start {
            agency_id,
            case_number,
            started_by,
            reply,
        })
        .await?;
        answer
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))?
    }

    /// Resumes an interrupted session into new segments; returns once media is written.
    pub async fn resume(&self, session_id: i64) -> Result<i64, ControllerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Resume { session_id, reply }).await?;
        answer
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))?
    }

    /// Stops a session; returns once every segment is closed and recorded.
    pub async fn stop(&self, session_id: i64) -> Result<(), ControllerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Stop { session_id, reply }).await?;
        answer
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))?
    }

    /// Pauses a session where the room allows it; returns once every file is closed and hashed.
    pub async fn pause(&self, session_id: i64, by: String) -> Result<(), ControllerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Pause {
            session_id,
            by,
            reply,
        })
        .await?;
        answer
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))?
    }

    async fn send(&self, cmd: Command) -> Result<(), ControllerError> {
        self.tx
            .send(cmd)
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))
    }
}

/// Set (in tests only) to a file: the room's next stop panics once (the file is removed), as a
/// bug in the room's code would, so that the supervisor's restart can be seen.
pub const PANIC_ON_STOP_FOR_TEST: &str = "LIUHEN_TEST_PANIC_ON_STOP";

/// How long a room that broke off waits before its restart; doubled each time it breaks off
/// again soon after, up to `RESTART_MAX`.
const RESTART_FIRST: Duration = Duration::from_millis(100);
const RESTART_MAX: Duration = Duration::from_secs(30);

/// Starts the room's worker under a supervisor. It runs until every handle is dropped, then
/// stops any session cleanly and ends the returned task.
pub fn spawn(
    room: Arc<RoomSpec>,
    agency_names: Arc<HashMap<String, String>>,
    storage: Storage,
    disk: DiskPolicy,
    db: Db,
    indicator: Option<Indicator>,
    live: Live,
) -> (RoomHandle, HealthBoard, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(16);
    let board = HealthBoard::default();
    let handle = RoomHandle {
        id: room.id.clone(),
        tx,
    };
    let parts = RoomParts {
        room,
        agency_names,
        disk,
        storage,
        db,
        indicator,
        live,
    };
    let task = tokio::spawn(supervise(parts, board.clone(), Arc::new(Mutex::new(rx))));
    (handle, board, task)
}

/// What a room's worker is made of; a restarted worker is made of the same.
#[derive(Clone)]
struct RoomParts {
    room: Arc<RoomSpec>,
    /// Each agency's name by id, for the composite view's caption.
    agency_names: Arc<HashMap<String, String>>,
    disk: DiskPolicy,
    storage: Storage,
    db: Db,
    indicator: Option<Indicator>,
    live: Live,
}

/// Runs the room's worker, and when it breaks off (a panic) restarts it from the records: the
/// session it was recording is closed as interrupted with every segment kept (resumable), the
/// light turned off, and the same handles go on working. Other rooms never notice.
async fn supervise(
    parts: RoomParts,
    board: HealthBoard,
    commands: Arc<Mutex<mpsc::Receiver<Command>>>,
) {
    let mut wait = RESTART_FIRST;
    loop {
        let worker = Worker {
            health: Health::on_board(parts.room.clone(), board.clone()),
            parts: parts.clone(),
            active: None,
            preview: None,
            preview_due: None,
            preview_failures: 0,
        };
        let started = Instant::now();
        let broke = match tokio::spawn(worker.run(commands.clone())).await {
            Ok(()) => return,
            Err(err) if err.is_panic() => err,
            // Cancelled: the runtime is going away.
            Err(_) => return,
        };
        // Back-off only for a room that breaks off again soon after its restart.
        if started.elapsed() > RESTART_MAX {
            wait = RESTART_FIRST;
        }
        let room = &parts.room.id;
        error!(%room, error = %broke, "the room's task broke off; its session is kept as interrupted and the room restarts");
        // Its media worker was killed with it (kill on drop); the light may be left on.
        if let Some(indicator) = &parts.indicator {
            indicator.set(Light::Off);
        }
        match recovery::recover_room(&parts.db, &parts.storage, room).await {
            Ok(true) => parts.live.room_changed(room),
            Ok(false) => {}
            Err(err) => {
                error!(%room, error = %err, "cannot close the broken-off session; it is closed at the next start")
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RESTART_MAX);
    }
}

struct Active {
    session_id: i64,
    worker: MediaWorker,
    dir: PathBuf,
    /// True from the first opened segment: media is being written.
    writing: bool,
    /// The low-disk alarm was raised for this session.
    disk_warned: bool,
    /// The last segment's backup copy failed (its alarm is raised once, until one succeeds).
    backup_failing: bool,
}

/// An idle room's media worker: its pipeline playing, nothing written.
struct Preview {
    worker: MediaWorker,
    /// What it records with, once it said it is built.
    built: Option<serde_json::Value>,
    since: Instant,
}

struct Worker {
    parts: RoomParts,
    health: Health,
    active: Option<Active>,
    preview: Option<Preview>,
    /// When a failed preview is tried again; `None`: at once, whenever the room is idle.
    preview_due: Option<Instant>,
    /// Failures since the preview last ran steadily: the back-off's exponent.
    preview_failures: u32,
}

impl Worker {
    async fn run(mut self, commands: Arc<Mutex<mpsc::Receiver<Command>>>) {
        // Held for the worker's life; a panic lets go of it for the restarted worker.
        let mut rx = commands.lock().await;
        let mut disk_check = tokio::time::interval(DISK_CHECK_EVERY);
        disk_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let preview_due = self.preview_due.unwrap_or_else(Instant::now);
            tokio::select! {
                _ = disk_check.tick(), if self.active.as_ref().is_some_and(|a| a.writing) => {
                    self.watch_disk().await;
                }
                _ = tokio::time::sleep_until(preview_due), if self.wants_preview() => {
                    self.start_preview().await;
                }
                Some(event) = next_from(self.preview.as_mut().map(|p| &mut p.worker)), if self.active.is_none() => {
                    self.preview_event(event).await;
                }
                cmd = rx.recv() => match cmd {
                    Some(Command::Start { agency_id, case_number, started_by, reply }) => {
                        let _ = reply.send(self.start(agency_id, case_number, started_by).await);
                    }
                    Some(Command::Resume { session_id, reply }) => {
                        let _ = reply.send(self.resume(session_id).await);
                    }
                    Some(Command::Stop { session_id, reply }) => {
                        let _ = reply.send(self.stop(session_id).await);
                    }
                    Some(Command::Pause { session_id, by, reply }) => {
                        let _ = reply.send(self.pause(session_id, by).await);
                    }
                    None => break,
                },
                Some(event) = next_from(self.active.as_mut().map(|a| &mut a.worker)) => {
                    self.handle_event(event).await;
                }
            }
        }
        if let Some(preview) = self.preview.take() {
            preview.worker.shutdown().await;
        }
        if let Some(session_id) = self.active.as_ref().map(|a| a.session_id) {
            info!(room = %self.parts.room.id, session = session_id, "shutting down: stopping the session");
            if let Err(err) = self.stop(session_id).await {
                error!(room = %self.parts.room.id, error = %err, "stopping at shutdown failed");
            }
        }
    }

    async fn start(
        &mut self,
        agency_id: String,
        case_number: String,
        started_by: String,
    ) -> Result<i64, ControllerError> {
        self.check_free_space()?;
        let stamp = chrono::Local::now().format("%Y%m%dT%H%M%S%.3f");
        let media_dir = format!("{}/{stamp}", self.parts.room.id);
        let dir = self.parts.storage.media.join(&media_dir);
        // The room's folder may exist; the session's never does: a folder is never reused, so
        // no session's files can mix with another's.
        let made = dir
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::create_dir(&dir));
        made.map_err(|source| ControllerError::MediaFolder {
            path: dir.clone(),
            source,
        })?;

        let (worker, recorded_with) = self.worker_for_recording().await?;
        let destination = Destination {
            dir,
            first_seq: 0,
            caption: self.caption(&agency_id, &case_number),
        };
        let room_id = self.parts.room.id.clone();
        let session_id = self
            .parts
            .db
            .call(move |store| {
                store.create_session(&NewSession {
                    room_id: &room_id,
                    agency_id: &agency_id,
                    case_number: &case_number,
                    media_dir: &media_dir,
                    recorded_with: &recorded_with,
                    started_by: &started_by,
                })
            })
            .await?;
        self.record(session_id, worker, destination).await
    }

    /// Resumes a paused or interrupted session into new segments of the same session, after
    /// the ones it already has; the time without recording is kept as a "gap" event.
    async fn resume(&mut self, session_id: i64) -> Result<i64, ControllerError> {
        if let Some(active) = &self.active {
            return Err(ControllerError::RoomBusy {
                room: self.parts.room.id.clone(),
                session: active.session_id,
            });
        }
        let view = self
            .parts
            .db
            .read(move |store| store.session(session_id))
            .await?;
        let reason = match view.state {
            SessionState::Paused => "resumed after a pause",
            SessionState::Interrupted => "resumed after an interruption",
            other => {
                return Err(ControllerError::NotResumable {
                    session: session_id,
                    state: other,
                });
            }
        };
        self.check_free_space()?;
        let dir = session_dir(&self.parts.storage.media, &view.media_dir);
        let next_seq = view
            .segments
            .iter()
            .map(|s| s.seq)
            .max()
            .map_or(0, |last| last + 1);
        let (worker, _) = self.worker_for_recording().await?;
        let destination = Destination {
            dir,
            first_seq: next_seq,
            caption: self.caption(&view.agency_id, &view.case_number),
        };
        // A pause is the last "paused" event; an interruption ended the session for a while.
        let stopped_at = match view.state {
            SessionState::Paused => view
                .events
                .iter()
                .rev()
                .find(|e| e.kind == SessionState::Paused.as_str())
                .map(|e| e.at),
            _ => view.ended_at,
        }
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "unknown".into());
        self.parts
            .db
            .call(move |store| {
                store.set_state(session_id, SessionState::Starting, Some(reason))?;
                let gap = format!(
                    "no recording from {stopped_at} until {}",
                    chrono::Utc::now().to_rfc3339()
                );
                store.add_event(session_id, "gap", &gap)
            })
            .await?;
        self.parts.live.room_changed(&self.parts.room.id);
        self.record(session_id, worker, destination).await
    }

    /// What the composite view of a session says: room, agency and case number.
    fn caption(&self, agency_id: &str, case_number: &str) -> String {
        let agency = self
            .parts
            .agency_names
            .get(agency_id)
            .map_or(agency_id, String::as_str);
        format!("{} · {agency} · {case_number}", self.parts.room.name)
    }

    /// A media worker with its pipeline built, for a recording: the room's preview when it
    /// runs (a start then only opens it), else a new one. Returns it with what it records
    /// with. Nothing is in the records yet.
    async fn worker_for_recording(
        &mut self,
    ) -> Result<(MediaWorker, serde_json::Value), ControllerError> {
        let mut worker = match self.preview.take() {
            Some(Preview {
                worker,
                built: Some(description),
                ..
            }) => {
                // It ran: its devices work, and a later failure starts the back-off afresh.
                self.preview_failures = 0;
                return Ok((worker, description));
            }
            Some(preview) => preview.worker,
            None => MediaWorker::spawn(&self.parts.room).await?,
        };
        let reason = match tokio::time::timeout(START_TIMEOUT, worker.next()).await {
            Ok(Some(WorkerEvent::Message(WorkerMessage::Built { description }))) => {
                return Ok((worker, description));
            }
            Ok(Some(WorkerEvent::Message(WorkerMessage::Recorder(RecorderEvent::Error {
                element,
                message,
            })))) => format!("{element}: {message}"),
            Ok(Some(WorkerEvent::Exited(how))) => {
                format!("the media worker ended before recording: {how}")
            }
            Ok(Some(other)) => format!("the media worker said {other:?} before it was ready"),
            Ok(None) | Err(_) => format!(
                "the media worker did not build the pipeline within {} s",
                START_TIMEOUT.as_secs()
            ),
        };
        worker.shutdown().await;
        Err(ControllerError::RecordingFailed {
            room: self.parts.room.id.clone(),
            reason,
        })
    }

    /// Takes over a built worker for a recorded session, opens it into the session's folder and
    /// waits until media is written.
    async fn record(
        &mut self,
        session_id: i64,
        mut worker: MediaWorker,
        destination: Destination,
    ) -> Result<i64, ControllerError> {
        info!(room = %self.parts.room.id, session = session_id, dir = %destination.dir.display(), pid = worker.pid(), "starting a session");
        worker.start(&destination).await;
        self.active = Some(Active {
            session_id,
            worker,
            dir: destination.dir,
            writing: false,
            disk_warned: false,
            backup_failing: false,
        });

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let Some(active) = self.active.as_mut() else {
                return Err(self.failure_of(session_id).await);
            };
            if active.writing {
                return Ok(session_id);
            }
            match tokio::time::timeout_at(deadline, active.worker.next()).await {
                Ok(Some(event)) => {
                    self.handle_event(event).await;
                }
                Ok(None) | Err(_) => {
                    let err = ControllerError::NoMedia {
                        room: self.parts.room.id.clone(),
                        seconds: START_TIMEOUT.as_secs(),
                    };
                    self.fail(err.to_string()).await;
                    return Err(err);
                }
            }
        }
    }

    /// While recording: an alarm (once) when the disk holds less than `warn_free_minutes`,
    /// and a clean stop, keeping every segment, before it is full. An alarm never stops a
    /// recording; only a really full disk does.
    async fn watch_disk(&mut self) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        let session_id = active.session_id;
        let Ok(free) = crate::disk::free_bytes(&self.parts.storage.media) else {
            return;
        };
        let per_second = Recorder::estimated_bytes_per_second(&self.parts.room).max(1);
        let minutes_left = free / per_second / 60;
        let full = free < self.parts.disk.stop_free_mb << 20;
        let low =
            minutes_left < u64::from(self.parts.disk.warn_free_minutes) && !active.disk_warned;
        if !full && !low {
            return;
        }
        active.disk_warned = true;
        let note = if full {
            format!(
                "媒体磁盘已满，录制已停止，已录内容完整保留 / media disk full ({} MB left): recording stopped, every segment kept",
                free >> 20
            )
        } else {
            format!(
                "媒体磁盘空间不足 / media disk low: {} MB left, about {minutes_left} minutes of recording",
                free >> 20
            )
        };
        self.note(session_id, "alarm", note).await;
        if full && let Err(err) = self.stop(session_id).await {
            error!(session = session_id, error = %err, "stopping on a full disk failed");
        }
    }

    /// Refuses to start when the media disk cannot hold `min_free_minutes` of this room.
    fn check_free_space(&self) -> Result<(), ControllerError> {
        let free = crate::disk::free_bytes(&self.parts.storage.media).map_err(|source| {
            ControllerError::MediaFolder {
                path: self.parts.storage.media.clone(),
                source,
            }
        })?;
        let needed = Recorder::estimated_bytes_per_second(&self.parts.room)
            * 60
            * u64::from(self.parts.disk.min_free_minutes);
        if free < needed {
            return Err(ControllerError::DiskFull {
                path: self.parts.storage.media.clone(),
                room: self.parts.room.id.clone(),
                free_mb: free >> 20,
                needed_mb: needed >> 20,
                minutes: self.parts.disk.min_free_minutes,
            });
        }
        Ok(())
    }

    async fn stop(&mut self, session_id: i64) -> Result<(), ControllerError> {
        if let Ok(flag) = std::env::var(PANIC_ON_STOP_FOR_TEST)
            && std::fs::remove_file(flag).is_ok()
        {
            panic!("test-only panic on stop in room {}", self.parts.room.id);
        }
        match &self.active {
            Some(active) if active.session_id == session_id => {}
            _ => return self.close_as_it_is(session_id).await,
        }
        // The records may fail here (a locked file, a full disk): the media are closed and the
        // light turned off all the same, and what the records missed is written again until it
        // holds, so that the room is never left "stopping".
        if let Err(err) = self
            .set_state(session_id, SessionState::Stopping, None)
            .await
        {
            warn!(room = %self.parts.room.id, session = session_id, error = %err, "cannot note the stop yet; stopping the media all the same");
        }
        let dir = self.end_recording(session_id).await?;
        self.finish_records(session_id, &dir).await?;
        info!(room = %self.parts.room.id, session = session_id, "session finished");
        Ok(())
    }

    /// Records what a stop leaves to record (segments left open, the session finished, the
    /// manifest), retried with back-off while the records refuse.
    async fn finish_records(&self, session_id: i64, dir: &Path) -> Result<(), ControllerError> {
        let mut wait = RECORDS_RETRY_FIRST;
        let mut attempt = 1;
        loop {
            let done: Result<(), ControllerError> = async {
                segments::record_leftovers(&self.parts.db, session_id, dir, &self.parts.storage)
                    .await?;
                let state = self
                    .parts
                    .db
                    .read(move |s| s.session(session_id))
                    .await?
                    .state;
                if state == SessionState::Recording {
                    self.set_state(session_id, SessionState::Stopping, None)
                        .await?;
                }
                if state != SessionState::Finished {
                    self.set_state(session_id, SessionState::Finished, None)
                        .await?;
                }
                self.write_manifest(session_id, dir).await
            }
            .await;
            match done {
                Ok(()) => return Ok(()),
                Err(err) if attempt < RECORDS_RETRIES => {
                    warn!(room = %self.parts.room.id, session = session_id, attempt, error = %err, "the records refused the stop's last writes; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(RECORDS_RETRY_MOST);
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Pauses the recording where the room allows it: like a stop, every file is closed,
    /// hashed and listed in the manifest, and the light goes off; the session keeps its room
    /// until the clerk resumes it (new segments) or stops it.
    async fn pause(&mut self, session_id: i64, by: String) -> Result<(), ControllerError> {
        if !self.parts.room.pause_allowed {
            return Err(ControllerError::PauseNotAllowed {
                room: self.parts.room.id.clone(),
            });
        }
        match &self.active {
            Some(active) if active.session_id == session_id && active.writing => {}
            _ => {
                return Err(ControllerError::NotRecording {
                    session: session_id,
                });
            }
        }
        let dir = self.end_recording(session_id).await?;
        // A resume numbers its segments after the recorded ones: every file must be recorded
        // before the pause is (nothing more is recorded if they all are).
        segments::record_leftovers(&self.parts.db, session_id, &dir, &self.parts.storage).await?;
        let note = format!("暂停录制 / paused by {by}");
        self.set_state(session_id, SessionState::Paused, Some(&note))
            .await?;
        self.write_manifest(session_id, &dir).await?;
        info!(room = %self.parts.room.id, session = session_id, "session paused");
        Ok(())
    }

    /// Ends the active recording of `session_id`: asks every source to end, waits a bounded
    /// time, records every segment on disk and turns the light off. Returns the session's folder.
    async fn end_recording(&mut self, session_id: i64) -> Result<PathBuf, ControllerError> {
        if let Some(active) = self.active.as_mut() {
            active.worker.send_eos().await;
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        let mut ended = false;
        while let Some(active) = self.active.as_mut() {
            match tokio::time::timeout_at(deadline, active.worker.next()).await {
                Ok(Some(WorkerEvent::Message(WorkerMessage::Recorder(RecorderEvent::Eos)))) => {
                    ended = true;
                    break;
                }
                // The files are closed as they are, as when a source never ends.
                Ok(Some(WorkerEvent::Exited(how))) => {
                    warn!(room = %self.parts.room.id, session = session_id, %how, "the media worker ended during the stop");
                    break;
                }
                Ok(Some(event)) => {
                    self.handle_event(event).await;
                }
                Ok(None) | Err(_) => break,
            }
        }
        let Some(active) = self.active.take() else {
            // An error during the stop already failed the session.
            return Err(self.failure_of(session_id).await);
        };
        active.worker.shutdown().await;
        if !ended {
            warn!(room = %self.parts.room.id, session = session_id, "a source never ended; closing the files as they are");
        }
        // The files are closed: the light goes off now, whatever the records do next.
        self.light(Light::Off);
        self.health.idle();
        // Anything the pipeline did not report closed (a source that never ended) is kept too;
        // if the records refuse it now, a stop writes it again (`finish_records`).
        if let Err(err) =
            segments::record_leftovers(&self.parts.db, session_id, &active.dir, &self.parts.storage)
                .await
        {
            warn!(room = %self.parts.room.id, session = session_id, error = %err, "cannot record the last segments yet");
        }
        Ok(active.dir)
    }

    /// Stopping a session that is paused, or that a crash interrupted, closes it as it is:
    /// finished, not resumed.
    async fn close_as_it_is(&mut self, session_id: i64) -> Result<(), ControllerError> {
        let view = self.parts.db.read(move |s| s.session(session_id)).await?;
        let note = match view.state {
            _ if view.room_id != self.parts.room.id => None,
            SessionState::Paused => Some("暂停后结束 / stopped while paused"),
            SessionState::Interrupted => Some(
                "中断后未恢复，按现状结束 / closed as it was after the interruption, not resumed",
            ),
            _ => None,
        };
        let Some(note) = note else {
            return Err(ControllerError::NotRecording {
                session: session_id,
            });
        };
        self.parts
            .db
            .call(move |s| {
                s.add_event(session_id, "closed", note)?;
                s.set_state(session_id, SessionState::Finished, None)
            })
            .await?;
        self.light(Light::Off);
        self.parts.live.room_changed(&self.parts.room.id);
        let dir = session_dir(&self.parts.storage.media, &view.media_dir);
        self.write_manifest(session_id, &dir).await?;
        info!(room = %self.parts.room.id, session = session_id, "session closed as it was, without resuming");
        Ok(())
    }

    /// Applies one event of the active recording. An error ends the session (as failed); a
    /// media worker that dies while writing leaves it interrupted, ready to resume.
    async fn handle_event(&mut self, event: WorkerEvent) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        let session_id = active.session_id;
        let event = match event {
            WorkerEvent::Message(WorkerMessage::Recorder(event)) => event,
            WorkerEvent::Message(WorkerMessage::Built { .. }) => return,
            WorkerEvent::Exited(how) if active.writing => {
                self.interrupt(how).await;
                return;
            }
            WorkerEvent::Exited(how) => {
                self.fail(format!("the media worker ended before writing: {how}"))
                    .await;
                return;
            }
        };
        match event {
            RecorderEvent::SegmentOpened {
                track, seq, file, ..
            } => {
                if !active.writing {
                    active.writing = true;
                    if let Err(err) = self
                        .set_state(session_id, SessionState::Recording, None)
                        .await
                    {
                        error!(session = session_id, error = %err, "cannot record the session as recording");
                    }
                    // The light follows the files: on only once media is really being written.
                    self.light(Light::On);
                    self.health.recording();
                    info!(room = %self.parts.room.id, session = session_id, "recording");
                }
                self.health.segment_opened(&track, seq, &file);
                tracing::debug!(session = session_id, %track, seq, "segment opened");
            }
            RecorderEvent::SegmentClosed {
                track,
                seq,
                file,
                start_ns,
                end_ns,
            } => {
                let duration_ns = end_ns.saturating_sub(start_ns);
                let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
                self.health
                    .segment_closed(&track, bytes, Duration::from_nanos(duration_ns));
                let seg = ClosedSegment {
                    track,
                    seq,
                    file,
                    start_ns,
                    duration_ns,
                    recovered: false,
                };
                match segments::record(&self.parts.db, session_id, seg, &self.parts.storage).await {
                    Ok(backup_problem) => self.backup_outcome(session_id, backup_problem).await,
                    Err(err) => {
                        error!(session = session_id, error = %err, "cannot record a closed segment; it stays on disk");
                    }
                }
            }
            RecorderEvent::Level {
                microphone,
                peak_db,
            } => {
                let change = self
                    .health
                    .level(&microphone, peak_db, std::time::Instant::now());
                if let Some(change) = change {
                    self.record_health(session_id, change).await;
                }
            }
            RecorderEvent::SourceLost { source, reason } => {
                let now = chrono::Utc::now();
                if let Some(change) = self.health.lost(&source, &reason, now) {
                    self.record_health(session_id, change).await;
                }
            }
            RecorderEvent::SourceBack { source } => {
                for change in self.health.back(&source, chrono::Utc::now()) {
                    self.record_health(session_id, change).await;
                }
            }
            RecorderEvent::Format {
                track,
                stream,
                format,
            } => {
                let format = serde_json::to_value(&format).unwrap_or_default();
                let noted = self
                    .parts
                    .db
                    .call(move |store| {
                        store.note_recorded_format(session_id, &track, &stream, &format)
                    })
                    .await;
                if let Err(err) = noted {
                    error!(session = session_id, error = %err, "cannot note a track's recorded format");
                }
            }
            RecorderEvent::Eos => {}
            RecorderEvent::Error { element, message } => {
                self.fail(format!("{element}: {message}")).await;
            }
        }
    }

    /// Ends the active session as failed, keeping every segment already written.
    async fn fail(&mut self, reason: String) {
        let Some((session_id, dir)) = self.take_down_broken().await else {
            return;
        };
        error!(room = %self.parts.room.id, session = session_id, %reason, "recording failed");
        let _ = self
            .set_state(session_id, SessionState::Failed, Some(&reason))
            .await;
        if let Err(err) = self.write_manifest(session_id, &dir).await {
            error!(session = session_id, error = %err, "cannot write the manifest");
        }
    }

    /// Takes a recording that broke off the room: ends its worker, records every segment on
    /// disk (the one left open too) and shows the light's fault. Returns its session and folder.
    async fn take_down_broken(&mut self) -> Option<(i64, PathBuf)> {
        let active = self.active.take()?;
        let session_id = active.session_id;
        active.worker.shutdown().await;
        if let Err(err) =
            segments::record_leftovers(&self.parts.db, session_id, &active.dir, &self.parts.storage)
                .await
        {
            error!(session = session_id, error = %err, "cannot record the last segments");
        }
        self.light(Light::Fault);
        self.health.idle();
        Some((session_id, active.dir))
    }

    /// The media worker died while writing: keeps every segment, including the one it had
    /// open, and leaves the session interrupted with an alarm, so that the clerk can resume it.
    async fn interrupt(&mut self, how: String) {
        let Some((session_id, dir)) = self.take_down_broken().await else {
            return;
        };
        error!(room = %self.parts.room.id, session = session_id, %how, "the media worker died while recording");
        let alarm = format!(
            "录制进程异常退出，已录内容完整保留，请点击“继续录制” / the recording process of room {} stopped ({how}); every segment so far is kept: resume the session to go on",
            self.parts.room.id
        );
        let note = alarm.clone();
        let recorded = self
            .parts
            .db
            .call(move |s| {
                s.add_event(session_id, "alarm", &note)?;
                s.set_state(session_id, SessionState::Interrupted, Some(&note))
            })
            .await;
        if let Err(err) = recorded {
            error!(session = session_id, error = %err, "cannot record the interruption");
        }
        self.parts.live.room_changed(&self.parts.room.id);
        if let Err(err) = self.write_manifest(session_id, &dir).await {
            error!(session = session_id, error = %err, "cannot write the manifest");
        }
    }

    async fn failure_of(&self, session_id: i64) -> ControllerError {
        let reason = self
            .parts
            .db
            .read(move |s| Ok(s.session(session_id)?.failure))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "the recording ended unexpectedly".into());
        ControllerError::RecordingFailed {
            room: self.parts.room.id.clone(),
            reason,
        }
    }

    /// Rewrites the session's manifest in its folder and in its backup folder, if any.
    async fn write_manifest(&self, session_id: i64, dir: &Path) -> Result<(), ControllerError> {
        segments::write_manifest(&self.parts.db, session_id, dir, &self.parts.storage).await
    }

    /// Keeps a source alarm (or its end) in the session's events and tells the displays.
    async fn record_health(&self, session_id: i64, change: HealthChange) {
        let (kind, detail) = match change {
            HealthChange::Alarm(text) => ("source-alarm", text),
            HealthChange::Cleared(text) => ("source-ok", text),
            HealthChange::Gap(text) => ("gap", text),
        };
        self.note(session_id, kind, detail).await;
    }

    /// Raises the backup alarm when copies start failing (shown to the clerk as an alarm) and
    /// notes when they work again; one event per change, not one per segment.
    async fn backup_outcome(&mut self, session_id: i64, problem: Option<String>) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        let failing = problem.is_some();
        if failing == active.backup_failing {
            return;
        }
        active.backup_failing = failing;
        match problem {
            Some(problem) => self.note(session_id, "alarm", problem).await,
            None => {
                let detail = "备份副本恢复写入 / backup copies are written again".to_string();
                self.note(session_id, "backup-ok", detail).await;
            }
        }
    }

    /// Adds an event of `kind` to the session, logs it and tells the displays.
    async fn note(&self, session_id: i64, kind: &'static str, detail: String) {
        warn!(room = %self.parts.room.id, session = session_id, %detail, "{kind}");
        if let Err(err) = self
            .parts
            .db
            .call(move |s| s.add_event(session_id, kind, &detail))
            .await
        {
            error!(session = session_id, error = %err, "cannot record the {kind} event");
        }
        self.parts.live.room_changed(&self.parts.room.id);
    }

    /// Moves the session to `state` in the records and tells the displays.
    async fn set_state(
        &self,
        session_id: i64,
        state: SessionState,
        failure: Option<&str>,
    ) -> Result<(), records::StoreError> {
        let failure = failure.map(str::to_string);
        let result = self
            .parts
            .db
            .call(move |s| s.set_state(session_id, state, failure.as_deref()))
            .await;
        self.parts.live.room_changed(&self.parts.room.id);
        result
    }

    /// True when the room should be previewing and is not: idle, and previews are on.
    fn wants_preview(&self) -> bool {
        self.parts.room.preview && self.active.is_none() && self.preview.is_none()
    }

    /// Starts the room's preview worker; it says when it is built.
    async fn start_preview(&mut self) {
        self.preview_due = None;
        match MediaWorker::spawn(&self.parts.room).await {
            Ok(worker) => {
                self.preview = Some(Preview {
                    worker,
                    built: None,
                    since: Instant::now(),
                });
            }
            Err(err) => self.preview_failed(None, err.to_string()).await,
        }
    }

    /// Applies one thing the preview worker says: built, a level, a camera lost or back, a
    /// fault, or its end.
    async fn preview_event(&mut self, event: WorkerEvent) {
        let Some(preview) = self.preview.as_mut() else {
            return;
        };
        let event = match event {
            WorkerEvent::Message(WorkerMessage::Built { description }) => {
                preview.built = Some(description);
                self.health.ready();
                self.parts.live.room_changed(&self.parts.room.id);
                return;
            }
            WorkerEvent::Message(WorkerMessage::Recorder(event)) => event,
            WorkerEvent::Exited(how) => {
                let reason = format!("the preview process stopped ({how})");
                return self.preview_failed(None, reason).await;
            }
        };
        match event {
            RecorderEvent::Level {
                microphone,
                peak_db,
            } => {
                // Shown on the panel; silence raises no alarm while nothing is recorded.
                let _ = self
                    .health
                    .level(&microphone, peak_db, std::time::Instant::now());
            }
            RecorderEvent::SourceLost { source, reason } => {
                let _ = self.health.lost(&source, &reason, chrono::Utc::now());
                self.parts.live.room_changed(&self.parts.room.id);
            }
            RecorderEvent::SourceBack { source } => {
                let _ = self.health.back(&source, chrono::Utc::now());
                self.parts.live.room_changed(&self.parts.room.id);
            }
            RecorderEvent::Error { element, message } => {
                self.preview_failed(Some(&element), message).await;
            }
            RecorderEvent::SegmentOpened { .. }
            | RecorderEvent::SegmentClosed { .. }
            | RecorderEvent::Format { .. }
            | RecorderEvent::Eos => {}
        }
    }

    /// The preview failed: its worker is ended, the device (or the room) shown as faulty, and
    /// a new preview started after the back-off.
    async fn preview_failed(&mut self, element: Option<&str>, reason: String) {
        if let Some(preview) = self.preview.take() {
            if preview.since.elapsed() >= PREVIEW_STABLE {
                self.preview_failures = 0;
            }
            preview.worker.shutdown().await;
        }
        let wait = PREVIEW_RETRY_FIRST
            .saturating_mul(1 << self.preview_failures.min(5))
            .min(PREVIEW_RETRY_MOST);
        self.preview_failures = self.preview_failures.saturating_add(1);
        self.preview_due = Some(Instant::now() + wait);
        warn!(room = %self.parts.room.id, element = element.unwrap_or("-"), %reason, retry_in_s = wait.as_secs(), "the room's preview failed");
        self.health.fault(element, &reason, wait);
        self.parts.live.room_changed(&self.parts.room.id);
    }

    fn light(&self, light: Light) {
        if let Some(indicator) = &self.parts.indicator {
            indicator.set(light);
        }
    }
}

/// The next thing `worker` says; never, without one.
async fn next_from(worker: Option<&mut MediaWorker>) -> Option<WorkerEvent> {
    match worker {
        Some(worker) => worker.next().await,
        None => std::future::pending().await,
    }
}

/// The folder a session writes into.
pub fn session_dir(media_root: &Path, media_dir: &str) -> PathBuf {
    media_root.join(media_dir)
}
