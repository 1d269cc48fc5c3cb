//! One room's worker: the single owner of the room's pipeline and light. Requests come in over
//! a channel; the pipeline's bus messages are the only source of the session's state.
//!
//! States, as the records keep them (see `records::api::SessionState`):
//!
//! ```text
//!  start ─▶ Starting ──first segment opened──▶ Recording ──stop──▶ Stopping ──EOS──▶ Finished
//!              │                                  │                    │
//!              └── error / no media ──▶ Failed ◀──┴── element error ───┘
//!  (controller killed in any live state ──▶ Interrupted, found at the next start-up)
//!  Interrupted ──resume──▶ Starting ──▶ Recording … (same session, new segments, a "gap" event)
//! ```

use hardware_profiles::RoomSpec;
use pipelines::{Recorder, RecorderEvent, RecorderEvents};
use records::NewSession;
use records::api::SessionState;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::ControllerError;
use crate::db::Db;
use crate::disk::DiskPolicy;
use crate::indicator::{Indicator, Light};
use crate::live::Live;
use crate::segments::{self, ClosedSegment};

/// How long a start may take before the first media byte must be on disk.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a recording room looks at the free space of the media disk.
const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long a stop waits for every source's end before it closes the files as they are.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

enum Command {
    Start {
        agency_id: String,
        case_number: String,
        reply: oneshot::Sender<Result<i64, ControllerError>>,
    },
    Stop {
        session_id: i64,
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
    ) -> Result<i64, ControllerError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Start {
            agency_id,
            case_number,
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

    async fn send(&self, cmd: Command) -> Result<(), ControllerError> {
        self.tx
            .send(cmd)
            .await
            .map_err(|_| ControllerError::RoomGone(self.id.clone()))
    }
}

/// Starts the room's worker. It runs until every handle is dropped, then stops any session
/// cleanly and sends `done`.
pub fn spawn(
    room: Arc<RoomSpec>,
    media_root: PathBuf,
    disk: DiskPolicy,
    db: Db,
    indicator: Option<Indicator>,
    live: Live,
) -> (RoomHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(16);
    let handle = RoomHandle {
        id: room.id.clone(),
        tx,
    };
    let worker = Worker {
        room,
        disk,
        media_root,
        db,
        indicator,
        live,
        active: None,
    };
    let task = tokio::spawn(worker.run(rx));
    (handle, task)
}

struct Active {
    session_id: i64,
    recorder: Recorder,
    events: RecorderEvents,
    dir: PathBuf,
    /// True from the first opened segment: media is being written.
    writing: bool,
    /// The low-disk alarm was raised for this session.
    disk_warned: bool,
}

struct Worker {
    room: Arc<RoomSpec>,
    disk: DiskPolicy,
    media_root: PathBuf,
    db: Db,
    indicator: Option<Indicator>,
    live: Live,
    active: Option<Active>,
}

impl Worker {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        let mut disk_check = tokio::time::interval(DISK_CHECK_EVERY);
        disk_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = disk_check.tick(), if self.active.as_ref().is_some_and(|a| a.writing) => {
                    self.watch_disk().await;
                }
                cmd = rx.recv() => match cmd {
                    Some(Command::Start { agency_id, case_number, reply }) => {
                        let _ = reply.send(self.start(agency_id, case_number).await);
                    }
                    Some(Command::Resume { session_id, reply }) => {
                        let _ = reply.send(self.resume(session_id).await);
                    }
                    Some(Command::Stop { session_id, reply }) => {
                        let _ = reply.send(self.stop(session_id).await);
                    }
                    None => break,
                },
                Some(event) = next_event(&mut self.active) => {
                    self.handle_event(event).await;
                }
            }
        }
        if let Some(session_id) = self.active.as_ref().map(|a| a.session_id) {
            info!(room = %self.room.id, session = session_id, "shutting down: stopping the session");
            if let Err(err) = self.stop(session_id).await {
                error!(room = %self.room.id, error = %err, "stopping at shutdown failed");
            }
        }
    }

    async fn start(
        &mut self,
        agency_id: String,
        case_number: String,
    ) -> Result<i64, ControllerError> {
        self.check_free_space()?;
        let stamp = chrono::Local::now().format("%Y%m%dT%H%M%S%.3f");
        let media_dir = format!("{}/{stamp}", self.room.id);
        let dir = self.media_root.join(&media_dir);
        std::fs::create_dir_all(&dir).map_err(|source| ControllerError::MediaFolder {
            path: dir.clone(),
            source,
        })?;

        let recorder = Recorder::build(&self.room, &dir, 0)?;
        let recorded_with = recorder.description().clone();
        let room_id = self.room.id.clone();
        let session_id = self
            .db
            .call(move |store| {
                store.create_session(&NewSession {
                    room_id: &room_id,
                    agency_id: &agency_id,
                    case_number: &case_number,
                    media_dir: &media_dir,
                    recorded_with: &recorded_with,
                })
            })
            .await?;
        self.record(session_id, recorder, dir).await
    }

    /// Resumes an interrupted session into new segments of the same session, after the ones it
    /// already has; the time without recording is kept as a "gap" event.
    async fn resume(&mut self, session_id: i64) -> Result<i64, ControllerError> {
        if let Some(active) = &self.active {
            return Err(records::StoreError::Refused(format!(
                "room {} is recording session {}; stop it before resuming another",
                self.room.id, active.session_id
            ))
            .into());
        }
        self.check_free_space()?;
        let view = self.db.call(move |store| store.session(session_id)).await?;
        let dir = session_dir(&self.media_root, &view.media_dir);
        let next_seq = view
            .segments
            .iter()
            .map(|s| s.seq)
            .max()
            .map_or(0, |last| last + 1);
        let recorder = Recorder::build(
            &self.room,
            &dir,
            i32::try_from(next_seq).unwrap_or(i32::MAX),
        )?;
        let stopped_at = view
            .ended_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "unknown".into());
        self.db
            .call(move |store| {
                store.set_state(
                    session_id,
                    SessionState::Starting,
                    Some("resumed after an interruption"),
                )?;
                let gap = format!(
                    "no recording from {stopped_at} until {}",
                    chrono::Utc::now().to_rfc3339()
                );
                store.add_event(session_id, "gap", &gap)
            })
            .await?;
        self.live.room_changed(&self.room.id);
        self.record(session_id, recorder, dir).await
    }

    /// Starts a built recorder for a recorded session and waits until media is being written.
    async fn record(
        &mut self,
        session_id: i64,
        recorder: Recorder,
        dir: PathBuf,
    ) -> Result<i64, ControllerError> {
        info!(room = %self.room.id, session = session_id, dir = %dir.display(), "starting a session");
        let mut events = recorder.events()?;
        if let Err(err) = recorder.start() {
            // The bus usually says which device refused; prefer that reason.
            let reason = first_error(&mut events)
                .await
                .unwrap_or_else(|| err.to_string());
            return Err(self.fail_start(session_id, &recorder, reason).await);
        }
        self.active = Some(Active {
            session_id,
            recorder,
            events,
            dir,
            writing: false,
            disk_warned: false,
        });

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let Some(active) = self.active.as_mut() else {
                return Err(self.failure_of(session_id).await);
            };
            if active.writing {
                return Ok(session_id);
            }
            match tokio::time::timeout_at(deadline, active.events.next()).await {
                Ok(Some(event)) => {
                    self.handle_event(event).await;
                }
                Ok(None) | Err(_) => {
                    let err = ControllerError::NoMedia {
                        room: self.room.id.clone(),
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
        let Ok(free) = crate::disk::free_bytes(&self.media_root) else {
            return;
        };
        let per_second = Recorder::estimated_bytes_per_second(&self.room).max(1);
        let minutes_left = free / per_second / 60;
        let full = free < self.disk.stop_free_mb << 20;
        let low = minutes_left < u64::from(self.disk.warn_free_minutes) && !active.disk_warned;
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
        warn!(room = %self.room.id, session = session_id, free_mb = free >> 20, full, "media disk");
        let detail = note.clone();
        if let Err(err) = self
            .db
            .call(move |s| s.add_event(session_id, "alarm", &detail))
            .await
        {
            error!(session = session_id, error = %err, "cannot record the disk alarm");
        }
        self.live.room_changed(&self.room.id);
        if full && let Err(err) = self.stop(session_id).await {
            error!(session = session_id, error = %err, "stopping on a full disk failed");
        }
    }

    /// Refuses to start when the media disk cannot hold `min_free_minutes` of this room.
    fn check_free_space(&self) -> Result<(), ControllerError> {
        let free = crate::disk::free_bytes(&self.media_root).map_err(|source| {
            ControllerError::MediaFolder {
                path: self.media_root.clone(),
                source,
            }
        })?;
        let needed = Recorder::estimated_bytes_per_second(&self.room)
            * 60
            * u64::from(self.disk.min_free_minutes);
        if free < needed {
            return Err(ControllerError::DiskFull {
                path: self.media_root.clone(),
                room: self.room.id.clone(),
                free_mb: free >> 20,
                needed_mb: needed >> 20,
                minutes: self.disk.min_free_minutes,
            });
        }
        Ok(())
    }

    async fn stop(&mut self, session_id: i64) -> Result<(), ControllerError> {
        match &self.active {
            Some(active) if active.session_id == session_id => {}
            _ => {
                return Err(ControllerError::NotRecording {
                    session: session_id,
                });
            }
        }
        self.set_state(session_id, SessionState::Stopping, None)
            .await?;
        if let Some(active) = &self.active {
            active.recorder.send_eos();
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        let mut ended = false;
        while let Some(active) = self.active.as_mut() {
            match tokio::time::timeout_at(deadline, active.events.next()).await {
                Ok(Some(RecorderEvent::Eos)) => {
                    ended = true;
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
        active.recorder.shutdown();
        if !ended {
            warn!(room = %self.room.id, session = session_id, "a source never ended; closing the files as they are");
        }
        // Anything the pipeline did not report closed (a source that never ended) is kept too.
        segments::record_leftovers(&self.db, session_id, &active.dir).await?;
        self.light(Light::Off);
        self.set_state(session_id, SessionState::Finished, None)
            .await?;
        segments::write_manifest(&self.db, session_id, &active.dir).await?;
        info!(room = %self.room.id, session = session_id, "session finished");
        Ok(())
    }

    /// Applies one event of the active recording. An error ends the session (as failed).
    async fn handle_event(&mut self, event: RecorderEvent) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        let session_id = active.session_id;
        match event {
            RecorderEvent::SegmentOpened { track, seq, .. } => {
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
                    info!(room = %self.room.id, session = session_id, "recording");
                }
                tracing::debug!(session = session_id, %track, seq, "segment opened");
            }
            RecorderEvent::SegmentClosed {
                track,
                seq,
                file,
                start_ns,
                end_ns,
            } => {
                let seg = ClosedSegment {
                    track,
                    seq,
                    file,
                    start_ns,
                    duration_ns: end_ns.saturating_sub(start_ns),
                    recovered: false,
                };
                if let Err(err) = segments::record(&self.db, session_id, seg).await {
                    error!(session = session_id, error = %err, "cannot record a closed segment; it stays on disk");
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
        let Some(active) = self.active.take() else {
            return;
        };
        let session_id = active.session_id;
        error!(room = %self.room.id, session = session_id, %reason, "recording failed");
        active.recorder.shutdown();
        if let Err(err) = segments::record_leftovers(&self.db, session_id, &active.dir).await {
            error!(session = session_id, error = %err, "cannot record the last segments");
        }
        self.light(Light::Off);
        let _ = self
            .set_state(session_id, SessionState::Failed, Some(&reason))
            .await;
        if let Err(err) = segments::write_manifest(&self.db, session_id, &active.dir).await {
            error!(session = session_id, error = %err, "cannot write the manifest");
        }
    }

    async fn fail_start(
        &mut self,
        session_id: i64,
        recorder: &Recorder,
        reason: String,
    ) -> ControllerError {
        recorder.shutdown();
        let stored = reason.clone();
        let _ = self
            .set_state(session_id, SessionState::Failed, Some(&stored))
            .await;
        ControllerError::RecordingFailed {
            room: self.room.id.clone(),
            reason,
        }
    }

    async fn failure_of(&self, session_id: i64) -> ControllerError {
        let reason = self
            .db
            .call(move |s| Ok(s.session(session_id)?.failure))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "the recording ended unexpectedly".into());
        ControllerError::RecordingFailed {
            room: self.room.id.clone(),
            reason,
        }
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
            .db
            .call(move |s| s.set_state(session_id, state, failure.as_deref()))
            .await;
        self.live.room_changed(&self.room.id);
        result
    }

    fn light(&self, light: Light) {
        if let Some(indicator) = &self.indicator {
            indicator.set(light);
        }
    }
}

async fn next_event(active: &mut Option<Active>) -> Option<RecorderEvent> {
    match active {
        Some(active) => active.events.next().await,
        None => std::future::pending().await,
    }
}

/// The first error the pipeline reports shortly after a failed start, if any.
async fn first_error(events: &mut RecorderEvents) -> Option<String> {
    let wait = async {
        while let Some(event) = events.next().await {
            if let RecorderEvent::Error { element, message } = event {
                return Some(format!("{element}: {message}"));
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(2), wait)
        .await
        .ok()
        .flatten()
}

/// The folder a session writes into.
pub fn session_dir(media_root: &Path, media_dir: &str) -> PathBuf {
    media_root.join(media_dir)
}
