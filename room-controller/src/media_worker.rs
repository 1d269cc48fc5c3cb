//! A room's recording runs in a process of its own, so that a media fault (GStreamer elements
//! can crash on an unplugged webcam) takes down that room's recording at most, never another
//! room or the API.
//!
//! The controller starts `room-controller media-worker --room R` and speaks to it over pipes:
//!
//! ```text
//! controller ──stdin──▶ worker   first the room (one JSON line, see WorkerSetup), then one
//!                                command per line: "start <Destination as JSON>",
//!                                "eos" (finish the files), "shutdown"
//! controller ◀─stdout── worker   one JSON message per line: built, then the recorder's events
//! ```
//!
//! The worker builds its pipeline, says `built` with what it records with, and plays it with
//! nothing written: the room's preview (levels and device faults show while the room is idle).
//! `start` opens it into the session's folder: the controller records the session first, so
//! that no media predates its record. An idle room keeps a worker previewing, so that a start
//! only opens the gates (see `pipelines::Recorder::record`).
//!
//! The worker ignores SIGINT and SIGTERM (a Ctrl-C or `systemctl stop` must let the controller
//! stop sessions cleanly), ends when its stdin closes, and is killed with its controller
//! (`PR_SET_PDEATHSIG`), so that a restarted controller never finds an old worker still writing.

use hardware_profiles::RoomSpec;
use pipelines::{Destination, Recorder, RecorderEvent};
use serde::{Deserialize, Serialize};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tracing::{debug, warn};

use crate::ControllerError;

/// What a worker reports, one JSON line each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum WorkerMessage {
    /// The pipeline is built and starting; this is what it records with (devices, formats).
    Built {
        description: serde_json::Value,
    },
    Recorder(RecorderEvent),
}

/// What the controller learns from a worker.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    Message(WorkerMessage),
    /// The worker process ended; says how (exit code or signal).
    Exited(String),
}

/// How long a worker may take to tear its pipeline down before it is killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The controller's end of one room's media worker.
pub struct MediaWorker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    exited: bool,
}

/// The first line a worker reads on its standard input: the room as the controller has it.
/// The worker never reads the site file itself, so an edited site file cannot make the two
/// disagree. (On the command line only the room's id, so `ps` shows no case numbers.)
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerSetup {
    pub room: RoomSpec,
}

impl MediaWorker {
    /// Starts a worker process for `room`: it builds the room's pipeline and previews it.
    pub async fn spawn(room: &RoomSpec) -> Result<Self, ControllerError> {
        let program = std::env::current_exe().map_err(|source| ControllerError::Worker {
            room: room.id.clone(),
            reason: format!("cannot find the controller's own program to start it: {source}"),
        })?;
        let mut command = tokio::process::Command::new(program);
        command
            .arg("media-worker")
            .arg("--room")
            .arg(&room.id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        // SAFETY: only async-signal-safe calls (prctl, signal, getppid, _exit) run between fork
        // and exec.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                libc::signal(libc::SIGTERM, libc::SIG_IGN);
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The controller may already have died between fork and prctl.
                if libc::getppid() == 1 {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|source| ControllerError::Worker {
            room: room.id.clone(),
            reason: format!("cannot start the media worker process: {source}"),
        })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ControllerError::Worker {
                room: room.id.clone(),
                reason: "the media worker has no pipes".into(),
            });
        };
        debug!(room = %room.id, pid = child.id(), "media worker started");
        let mut worker = Self {
            child,
            stdin: Some(stdin),
            lines: BufReader::new(stdout).lines(),
            exited: false,
        };
        let setup = serde_json::to_string(&WorkerSetup { room: room.clone() }).map_err(|err| {
            ControllerError::Worker {
                room: room.id.clone(),
                reason: format!("cannot describe the room to the media worker: {err}"),
            }
        })?;
        // One line: JSON never holds a raw newline.
        worker.say(&setup).await;
        Ok(worker)
    }

    /// The worker's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The next thing the worker reports; `Exited` once, then `None`. Cancel-safe.
    pub async fn next(&mut self) -> Option<WorkerEvent> {
        if self.exited {
            return None;
        }
        while let Ok(Some(line)) = self.lines.next_line().await {
            match serde_json::from_str(&line) {
                Ok(message) => return Some(WorkerEvent::Message(message)),
                Err(err) => warn!(%line, error = %err, "unreadable line from a media worker"),
            }
        }
        let status = self.child.wait().await;
        self.exited = true;
        Some(WorkerEvent::Exited(match status {
            Ok(status) => describe(status),
            Err(err) => format!("cannot tell how it ended: {err}"),
        }))
    }

    /// Opens the pipeline into `destination`; media follows as `SegmentOpened` events.
    pub async fn start(&mut self, destination: &Destination) {
        match serde_json::to_string(destination) {
            Ok(json) => self.say(&format!("start {json}")).await,
            // Nothing is written, and the start times out naming the room.
            Err(err) => warn!(error = %err, "cannot describe the destination to a media worker"),
        }
    }

    /// Asks every source to end; the files are finished when the recorder's EOS arrives.
    pub async fn send_eos(&mut self) {
        self.say("eos").await;
    }

    /// Tears the pipeline down and waits for the process to end, killing it if it hangs.
    pub async fn shutdown(mut self) {
        self.say("shutdown").await;
        self.stdin = None;
        if tokio::time::timeout(SHUTDOWN_GRACE, self.child.wait())
            .await
            .is_err()
        {
            warn!(
                pid = self.child.id(),
                "a media worker did not end in time; killing it"
            );
            let _ = self.child.kill().await;
        }
    }

    async fn say(&mut self, word: &str) {
        if let Some(stdin) = self.stdin.as_mut() {
            let line = format!("{word}\n");
            if let Err(err) = stdin.write_all(line.as_bytes()).await {
                debug!(error = %err, word, "a media worker no longer listens");
            }
        }
    }
}

/// How a process ended, for people: its exit code, or the signal that killed it.
pub(crate) fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(signal) = status.signal() {
        let name = match signal {
            libc::SIGSEGV => "SIGSEGV, a crash",
            libc::SIGABRT => "SIGABRT, an abort",
            libc::SIGKILL => "SIGKILL",
            libc::SIGBUS => "SIGBUS, a crash",
            _ => "a signal",
        };
        format!("killed by signal {signal} ({name})")
    } else {
        format!("exited with {status}")
    }
}

/// The worker's side: reads its room (a [`WorkerSetup`] line), previews it, then records into
/// the destination `start` names until told to stop or its stdin closes.
pub async fn run(room_id: &str) -> i32 {
    let emit = |message: &WorkerMessage| {
        use std::io::Write;
        let Ok(line) = serde_json::to_string(message) else {
            return;
        };
        let mut out = std::io::stdout().lock();
        // The controller reading this is the only reason to run; if it is gone, so is the job.
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    };
    let fail = |element: &str, message: String| {
        emit(&WorkerMessage::Recorder(RecorderEvent::Error {
            element: element.to_string(),
            message,
        }));
        1
    };

    let mut commands = BufReader::new(tokio::io::stdin()).lines();
    let setup: WorkerSetup = match commands.next_line().await {
        Ok(Some(line)) => match serde_json::from_str(&line) {
            Ok(setup) => setup,
            Err(err) => {
                return fail(
                    "controller",
                    format!(
                        "the room sent by the controller cannot be read: {err}; are the controller and its media worker the same program?"
                    ),
                );
            }
        },
        Ok(None) | Err(_) => return fail("controller", "no room was sent".into()),
    };
    let room = &setup.room;
    if room.id != room_id {
        return fail(
            "controller",
            format!("sent room {} for a worker of room {room_id}", room.id),
        );
    }
    let recorder = match Recorder::build(room) {
        Ok(recorder) => recorder,
        Err(err) => return fail("pipeline", err.to_string()),
    };
    let mut events = match recorder.events() {
        Ok(events) => events,
        Err(err) => return fail("pipeline", err.to_string()),
    };
    emit(&WorkerMessage::Built {
        description: recorder.description().clone(),
    });
    if let Err(err) = recorder.preview() {
        // The bus usually says which device refused; prefer that reason.
        let reason = first_error(&mut events)
            .await
            .unwrap_or_else(|| ("pipeline".into(), err.to_string()));
        recorder.shutdown();
        return fail(&reason.0, reason.1);
    }

    loop {
        tokio::select! {
            line = commands.next_line() => match line {
                Ok(Some(line)) => match Command::read(&line) {
                    Some(Command::Start(destination)) => {
                        if let Err(err) = recorder.record(destination) {
                            recorder.shutdown();
                            return fail("pipeline", err.to_string());
                        }
                    }
                    Some(Command::Eos) => recorder.send_eos(),
                    Some(Command::Shutdown) => break,
                    None => warn!(%line, "unknown command from the controller"),
                },
                Ok(None) | Err(_) => break,
            },
            event = events.next() => match event {
                Some(event) => emit(&WorkerMessage::Recorder(event)),
                None => break,
            },
        }
    }
    recorder.shutdown();
    0
}

/// One line the controller sends after the room.
enum Command {
    Start(Destination),
    Eos,
    Shutdown,
}

impl Command {
    fn read(line: &str) -> Option<Self> {
        let line = line.trim();
        match line.split_once(' ') {
            Some(("start", json)) => serde_json::from_str(json).ok().map(Self::Start),
            _ if line == "eos" => Some(Self::Eos),
            _ if line == "shutdown" => Some(Self::Shutdown),
            _ => None,
        }
    }
}

/// The first error the pipeline reports shortly after a failed start, if any.
async fn first_error(events: &mut pipelines::RecorderEvents) -> Option<(String, String)> {
    let wait = async {
        while let Some(event) = events.next().await {
            if let RecorderEvent::Error { element, message } = event {
                return Some((element, message));
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(2), wait)
        .await
        .ok()
        .flatten()
}
