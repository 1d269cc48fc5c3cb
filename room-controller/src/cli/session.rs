//! `room-controller session`: a clerk's recorded sessions through a running controller, with
//! the site API's typed client.

use anyhow::Context;
use clap::Subcommand;
use site_api::{ActionType, AddMarker, Client, SessionView, StartSession};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum SessionAction {
    /// Starts recording a case in a room; returns once media is being written.
    Start {
        #[arg(long)]
        room: String,
        /// The case number, e.g. "京市监罚〔2026〕12号".
        #[arg(long = "case", allow_hyphen_values = true)]
        case_number: String,
        /// The agency, when the site has more than one.
        #[arg(long)]
        agency: Option<String>,
        /// The kind of action: licensing, penalty, coercion, inspection, levy or other.
        #[arg(long, value_parser = ["licensing", "penalty", "coercion", "inspection", "levy", "other"])]
        action: Option<String>,
        /// The party (当事人), for the case file; never shown on public screens.
        #[arg(long)]
        party: Option<String>,
    },
    /// Adds a marker to a recording session, e.g. "已告知当事人权利义务".
    Mark {
        id: i64,
        #[arg(long)]
        text: String,
    },
    /// Pauses a session where the room allows it (`pause_allowed` in the site file): every file
    /// so far is closed and hashed and the light goes off until `resume`.
    Pause { id: i64 },
    /// Resumes a paused session, or one interrupted by a crash, into new segments of the same
    /// session; the time without recording is kept as a gap.
    Resume { id: i64 },
    /// Stops a session; returns once every file is closed and hashed.
    Stop { id: i64 },
    /// Exports an ended session for the case file into a folder: media, manifest, events and
    /// a summary. The folder verifies on its own (`room-controller verify`).
    Export {
        id: i64,
        /// The folder to put the package in (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Why you need the recording, when you are not on the team that recorded it.
        #[arg(long)]
        purpose: Option<String>,
    },
    /// Shows a session, its segments and events.
    Show {
        id: i64,
        /// Why you need the recording, when you are not on the team that recorded it.
        #[arg(long)]
        purpose: Option<String>,
    },
}

pub async fn run(client: &Client, action: SessionAction) -> anyhow::Result<()> {
    let view = match action {
        SessionAction::Export { id, out, purpose } => {
            let folder = export(client, id, purpose.as_deref(), &out)
                .await
                .with_context(|| format!("exporting session {id}"))?;
            println!("exported session {id} to {}", folder.display());
            println!("check it with: room-controller verify {}", folder.display());
            return Ok(());
        }
        SessionAction::Start {
            room,
            case_number,
            agency,
            action,
            party,
        } => {
            let request = StartSession {
                case_number,
                agency_id: agency,
                action_type: action.as_deref().and_then(ActionType::parse),
                party,
            };
            client
                .start_session(&room, &request)
                .await
                .with_context(|| format!("starting a session in room {room}"))?
        }
        SessionAction::Stop { id } => client
            .stop_session(id)
            .await
            .with_context(|| format!("stopping session {id}"))?,
        SessionAction::Pause { id } => client
            .pause_session(id)
            .await
            .with_context(|| format!("pausing session {id}"))?,
        SessionAction::Resume { id } => client
            .resume_session(id)
            .await
            .with_context(|| format!("resuming session {id}"))?,
        SessionAction::Show { id, purpose } => client
            .session(id, purpose.as_deref())
            .await
            .with_context(|| format!("reading session {id}"))?,
        SessionAction::Mark { id, text } => client
            .add_marker(id, &AddMarker { text })
            .await
            .with_context(|| format!("marking session {id}"))?,
    };
    print_session(&view);
    Ok(())
}

/// Downloads a session's package and unpacks it into `out`; returns the package's folder. The
/// download goes to a hidden part file first, so a broken one leaves no half folder.
async fn export(
    client: &Client,
    id: i64,
    purpose: Option<&str>,
    out: &Path,
) -> anyhow::Result<PathBuf> {
    let mut download = client.export_session(id, purpose).await?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let part = out.join(format!(".session-{id}.tar.part"));
    let mut file =
        std::fs::File::create(&part).with_context(|| format!("creating {}", part.display()))?;
    let show = std::io::stderr().is_terminal();
    let mut received = 0u64;
    while let Some(chunk) = download
        .chunk()
        .await
        .context("the export stopped midway; run it again")?
    {
        file.write_all(&chunk)
            .with_context(|| format!("writing {}", part.display()))?;
        received += chunk.len() as u64;
        if show {
            eprint!("\r{:.1} MB received", received as f64 / 1e6);
        }
    }
    if show {
        eprintln!();
    }
    file.sync_all()?;
    drop(file);
    let archive = std::fs::File::open(&part)?;
    tar::Archive::new(archive)
        .unpack(out)
        .with_context(|| format!("unpacking the export into {}", out.display()))?;
    std::fs::remove_file(&part)?;
    Ok(out.join(format!("session-{id}")))
}

fn print_session(view: &SessionView) {
    println!(
        "session {} · room {} · {} · case {} · {}",
        view.id,
        view.room_id,
        view.agency_name,
        view.case_number,
        view.state.as_str()
    );
    if let Some(failure) = &view.failure {
        println!("  note: {failure}");
    }
    for event in view.events.iter().filter(|e| e.kind == "marker") {
        println!("  marker {}: {}", event.at.format("%H:%M:%S"), event.detail);
    }
    for seg in &view.segments {
        println!(
            "  {} #{:<3} {:>6.1} s {:>10} B  sha256 {}{}",
            seg.file,
            seg.seq,
            seg.duration_ns as f64 / 1e9,
            seg.size_bytes,
            seg.sha256,
            if seg.recovered {
                "  (closed on recovery)"
            } else {
                ""
            }
        );
    }
}
