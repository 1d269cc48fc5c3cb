//! `room-controller`: the site daemon and its command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use hardware_profiles::Site;
use records::api::{Role, SessionView, StartSession};
use room_controller::client::{Client, SessionVerb};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "room-controller",
    version,
    about = "Liuhen site controller: records, recording rooms and the site API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the site: records, rooms, lights and the API.
    Serve {
        /// The site file (TOML).
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
    },
    /// Checks a site file and the profiles it names. With --probe, also tries each device:
    /// each camera's pictures in its profile's format, each microphone's level, each light's
    /// answer (stop the controller first: it holds the lights' ports). Exits 1 on any problem.
    Check {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[arg(long)]
        probe: bool,
    },
    /// Checks a session folder against its manifest.json: every segment's size and SHA-256, the
    /// hash chain, and files the manifest does not list. Needs no database. Exits 1 on any problem.
    Verify {
        /// The session folder (the one holding manifest.json).
        dir: PathBuf,
    },
    /// Starts, stops or shows a recorded session through a running controller.
    Session {
        /// The controller's API address.
        #[arg(long, env = "LIUHEN_API", default_value = "http://127.0.0.1:7878")]
        api: String,
        /// A clerk's token (see `token issue`).
        #[arg(long, env = "LIUHEN_TOKEN", hide_env_values = true)]
        token: String,
        #[command(subcommand)]
        action: SessionAction,
    },
    /// Adds, lists and retires the site's enforcement staff (name, photo, credential number),
    /// whom windows and screens show and whose tokens act in their name.
    Staff {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Writes an agency's annual report of administrative law enforcement (行政执法年度报告)
    /// for a year, as report.html and report.csv in a folder, ready to publish.
    Report {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        year: i32,
        /// The folder to write into (made if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes the site's public display of enforcement information (行政执法公示) as static
    /// pages: index.html and one page per agency (items, staff, inspections, guides, remedy
    /// channels, published decisions), exactly what the publicity kiosk shows.
    Publicity {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        /// The folder to write into (made if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints the site API's OpenAPI description (JSON), as `GET /api/openapi.json` serves it.
    Openapi,
    /// Records one room into a folder until its standard input closes; the controller starts
    /// one per recording and reads its events (JSON lines) from standard output.
    #[command(hide = true)]
    MediaWorker {
        #[arg(long)]
        site: PathBuf,
        #[arg(long)]
        room: String,
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 0)]
        first_seq: i64,
        /// The agency and case recorded, for the composite view's caption.
        #[arg(long, default_value = "")]
        agency: String,
        #[arg(long, default_value = "")]
        case: String,
    },
    /// Issues, lists and revokes the tokens that kiosks and clerks use with the API. Works on
    /// the site's records file directly, with or without a running controller.
    Token {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[command(subcommand)]
        action: TokenAction,
    },
}

#[derive(Subcommand)]
enum StaffAction {
    /// Adds a staff member.
    Add {
        /// A short id, e.g. wang-fang.
        #[arg(long)]
        id: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
        /// The enforcement credential number (行政执法证件号).
        #[arg(long)]
        credential: String,
        #[arg(long, value_parser = ["clerk", "facilities", "reviewer", "admin"])]
        role: String,
        /// An enforcement category (执法类别); repeat for several.
        #[arg(long = "category")]
        categories: Vec<String>,
        /// A portrait photo, JPEG or PNG, at most 2 MB.
        #[arg(long)]
        photo: Option<PathBuf>,
    },
    /// Lists the active staff.
    List,
    /// Retires a staff member: gone from screens, their tokens revoked; records keep the name.
    Retire {
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Issues a token and prints it once (only its hash is kept).
    Issue {
        /// A name that says whose or which device's token it is, e.g. "王芳" or "door interview-1".
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["kiosk", "clerk", "admin"], required_unless_present = "staff")]
        role: Option<String>,
        /// The agency a clerk acts for.
        #[arg(long, conflicts_with = "staff")]
        agency: Option<String>,
        /// A staff member (see `staff add`) the token stands for: their agency and role apply,
        /// and what the token does is recorded as done by them.
        #[arg(long, conflicts_with = "role")]
        staff: Option<String>,
    },
    /// Lists the tokens (never the tokens themselves).
    List,
    /// Revokes a token by name; calls with it are refused from then on.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum SessionAction {
    /// Starts recording a case in a room; returns once media is being written.
    Start {
        #[arg(long)]
        room: String,
        /// The case number, e.g. "京市监罚〔2026〕12号".
        #[arg(long = "case")]
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
    },
    /// Shows a session, its segments and events.
    Show { id: i64 },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { site } => {
            let site = Site::load(&site)?;
            room_controller::server::serve(site, shutdown_signal()).await
        }
        Command::Check { site, probe } => {
            let loaded = Site::load(&site)?;
            println!(
                "{}: site \"{}\" is valid: {} agencies, {} rooms",
                site.display(),
                loaded.name,
                loaded.agencies.len(),
                loaded.rooms.len()
            );
            for room in &loaded.rooms {
                println!(
                    "  {} {}: {} camera(s), {} microphone(s), {}",
                    room.id,
                    room.name,
                    room.cameras.len(),
                    room.microphones.len(),
                    room.indicator
                        .as_ref()
                        .map_or("no light".to_string(), |i| format!(
                            "light {}",
                            i.profile_id
                        ))
                );
            }
            for window in &loaded.hall.windows {
                println!(
                    "  window {} ({}): {}",
                    window.number,
                    window.name,
                    window.services.join(", ")
                );
            }
            if probe && !probe_devices(&loaded) {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Verify { dir } => verify(&dir),
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&room_controller::api::openapi())?
            );
            Ok(())
        }
        Command::MediaWorker {
            site,
            room,
            dir,
            first_seq,
            agency,
            case,
        } => {
            let job = room_controller::media_worker::WorkerJob {
                site_file: &site,
                room_id: &room,
                dir: &dir,
                first_seq,
                agency_id: &agency,
                case_number: &case,
            };
            let code = room_controller::media_worker::run(&job).await;
            std::process::exit(code);
        }
        Command::Token { site, action } => token(&Site::load(&site)?, action),
        Command::Staff { site, action } => staff(&Site::load(&site)?, action),
        Command::Report {
            site,
            agency,
            year,
            out,
        } => {
            let store = room_controller::server::open_records(&Site::load(&site)?)?;
            let report = store.annual_report(&agency, year)?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("making the report folder {}", out.display()))?;
            for (name, text) in [
                ("report.html", report.to_html()),
                ("report.csv", report.to_csv()),
            ] {
                let file = out.join(name);
                std::fs::write(&file, text)
                    .with_context(|| format!("writing {}", file.display()))?;
                println!("wrote {}", file.display());
            }
            Ok(())
        }
        Command::Publicity { site, out } => {
            let site = Site::load(&site)?;
            let store = room_controller::server::open_records(&site)?;
            let view = room_controller::publicity_api::publicity_of(&store, &site)?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("making the publicity folder {}", out.display()))?;
            for (name, html) in records::publicity_pages::publicity_pages(&view) {
                let file = out.join(name);
                std::fs::write(&file, html)
                    .with_context(|| format!("writing {}", file.display()))?;
                println!("wrote {}", file.display());
            }
            Ok(())
        }
        Command::Session { api, token, action } => {
            let client = Client::new(&api, &token);
            let view = match action {
                SessionAction::Export { id, out } => {
                    let folder = client
                        .export(id, &out)
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
                } => client
                    .start(
                        &room,
                        &StartSession {
                            case_number,
                            agency_id: agency,
                            action_type: action
                                .as_deref()
                                .and_then(records::api::ActionType::parse),
                            party,
                        },
                    )
                    .await
                    .with_context(|| format!("starting a session in room {room}"))?,
                SessionAction::Stop { id } => act(&client, id, SessionVerb::Stop).await?,
                SessionAction::Pause { id } => act(&client, id, SessionVerb::Pause).await?,
                SessionAction::Show { id } => client.session(id).await?,
                SessionAction::Resume { id } => act(&client, id, SessionVerb::Resume).await?,
                SessionAction::Mark { id, text } => client
                    .mark(id, &text)
                    .await
                    .with_context(|| format!("marking session {id}"))?,
            };
            print_session(&view);
            Ok(())
        }
    }
}

fn token(site: &Site, action: TokenAction) -> anyhow::Result<()> {
    let mut store = room_controller::server::open_records(site)?;
    match action {
        TokenAction::Issue {
            name,
            role,
            agency,
            staff,
        } => {
            let token = match (staff, role) {
                (Some(staff), _) => store.issue_staff_token(&name, &staff)?,
                (None, Some(role)) => {
                    let role = Role::parse(&role).context("role must be kiosk, clerk or admin")?;
                    store.issue_token(&name, role, agency.as_deref())?
                }
                (None, None) => anyhow::bail!("give --role or --staff"),
            };
            println!("{token}");
        }
        TokenAction::List => {
            for t in store.tokens()? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    t.name,
                    t.role.as_str(),
                    t.agency_id.as_deref().unwrap_or("-"),
                    t.created_at,
                    if t.revoked { "\trevoked" } else { "" }
                );
            }
        }
        TokenAction::Revoke { name } => {
            store.revoke_token(&name)?;
            println!("revoked {name}");
        }
    }
    Ok(())
}

/// Tries every device of every room; prints a line each. False when any failed.
fn probe_devices(site: &Site) -> bool {
    let mut all_ok = true;
    let mut report = |room: &str, device: &str, result: Result<String, String>| match result {
        Ok(found) => println!("  ok      {room} {device}: {found}"),
        Err(problem) => {
            all_ok = false;
            println!("  FAILED  {room} {device}: {problem}");
        }
    };
    for room in &site.rooms {
        for camera in &room.cameras {
            let result = pipelines::check_camera(camera).map_err(|e| e.to_string());
            report(&room.id, &camera.id, result);
        }
        for mic in &room.microphones {
            let result = pipelines::check_microphone(mic)
                .map_err(|e| e.to_string())
                .and_then(|(caps, peak)| {
                    let quiet = peak < f64::from(mic.profile.silence_below_db);
                    let level = if peak > -200.0 {
                        format!("{peak:.0} dB")
                    } else {
                        "silence".to_string()
                    };
                    if quiet {
                        Err(format!(
                            "delivers sound but hears nothing (loudest {level}); check that it is switched on, unmuted and turned up"
                        ))
                    } else {
                        Ok(format!("level {level}, {caps}"))
                    }
                });
            report(&room.id, &mic.id, result);
        }
        if let Some(light) = &room.indicator {
            report(&room.id, "light", room_controller::indicator::probe(light));
        }
    }
    all_ok
}

fn staff(site: &Site, action: StaffAction) -> anyhow::Result<()> {
    let mut store = room_controller::server::open_records(site)?;
    match action {
        StaffAction::Add {
            id,
            agency,
            name,
            credential,
            role,
            categories,
            photo,
        } => {
            let photo = match photo {
                Some(path) => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("reading the photo {}", path.display()))?;
                    let kind = if bytes.starts_with(b"\x89PNG") {
                        "image/png"
                    } else if bytes.starts_with(&[0xFF, 0xD8]) {
                        "image/jpeg"
                    } else {
                        anyhow::bail!("{} is neither a JPEG nor a PNG file", path.display());
                    };
                    Some((bytes, kind))
                }
                None => None,
            };
            let role = records::api::StaffRole::parse(&role)
                .context("role must be clerk, facilities, reviewer or admin")?;
            store.add_staff(&records::NewStaff {
                id: &id,
                agency_id: &agency,
                name: &name,
                credential_number: &credential,
                categories: &categories,
                role,
                photo: photo.as_ref().map(|(b, k)| (b.as_slice(), *k)),
            })?;
            println!("added {id}: {name}（执法证 {credential}）, {agency}");
        }
        StaffAction::List => {
            for member in store.staff(None)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}{}",
                    member.id,
                    member.name,
                    member.credential_number,
                    member.agency_id,
                    member.role.as_str(),
                    member.categories.join(","),
                    if member.has_photo { "\tphoto" } else { "" }
                );
            }
        }
        StaffAction::Retire { id } => {
            store.retire_staff(&id)?;
            println!("retired {id}; their tokens are revoked");
        }
    }
    Ok(())
}

fn verify(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    let show_progress = std::io::stderr().is_terminal();
    let mut last_shown = 0u64;
    let report = pipelines::verify(dir, |done, total| {
        // A progress bar for large sessions, redrawn every 64 MiB, only on a terminal.
        if show_progress && total > 0 && (done - last_shown >= 64 << 20 || done == total) {
            last_shown = done;
            let filled = (done.min(total) * 40 / total) as usize;
            eprint!(
                "\r[{}{}] {:>3}%",
                "#".repeat(filled),
                " ".repeat(40 - filled),
                done.min(total) * 100 / total
            );
            let _ = std::io::stderr().flush();
        }
    });
    if show_progress {
        eprintln!();
    }
    for problem in &report.problems {
        println!("PROBLEM {problem}");
    }
    if report.problems.is_empty() {
        println!(
            "OK {}: {} segments, {} bytes, chain head {}",
            dir.display(),
            report.segments,
            report.bytes,
            report.head.as_deref().unwrap_or("(empty)")
        );
        Ok(())
    } else {
        println!(
            "FAILED {}: {} problem(s)",
            dir.display(),
            report.problems.len()
        );
        std::process::exit(1);
    }
}

async fn act(client: &Client, id: i64, verb: SessionVerb) -> anyhow::Result<SessionView> {
    client
        .act(id, verb)
        .await
        .with_context(|| format!("{} session {id}", verb.doing()))
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

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
