//! `room-controller`: the site daemon and its command line. This file parses the arguments
//! and hands each subcommand to its module (`room_controller::cli`).

use clap::{Parser, Subcommand};
use hardware_profiles::Site;
use room_controller::cli::{self, session::SessionAction, staff::StaffAction, token::TokenAction};
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
    /// Checks a session folder against its manifest.json: the site's signature, every segment's
    /// size and SHA-256, the hash chain, and files the manifest does not list. Needs no
    /// database (--records adds the records' view). Exits 1 on any problem.
    Verify {
        /// The session folder (the one holding manifest.json).
        dir: PathBuf,
        /// The site's public key: a `site-key.pub` file or its hex (`GET /api/site-key`). An
        /// export carries it; without either, the signature is checked but not its signer.
        #[arg(long)]
        key: Option<String>,
        /// The site's records file: also check the folder against the records of its session
        /// (every segment's hash and link, the chain's head) and the key the records know.
        #[arg(long)]
        records: Option<PathBuf>,
    },
    /// Starts, stops or shows a recorded session through a running controller.
    Session {
        /// The controller's API address.
        #[arg(long, env = "LIUHEN_API", default_value = "http://127.0.0.1:7878")]
        api: String,
        /// A clerk's token (see `token issue`). Prefer --token-file or LIUHEN_TOKEN: a token
        /// on the command line shows in `ps`.
        #[arg(
            long,
            env = "LIUHEN_TOKEN",
            hide_env_values = true,
            required_unless_present = "token_file"
        )]
        token: Option<String>,
        /// A file holding the clerk's token.
        #[arg(long, conflicts_with = "token")]
        token_file: Option<PathBuf>,
        /// The PEM file of the CA that signed the controller's HTTPS certificate.
        #[arg(long, env = "LIUHEN_CA")]
        ca: Option<PathBuf>,
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
    /// Registers, lists and retires body-worn cameras (执法记录仪) and whom they are issued to.
    Device {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[command(subcommand)]
        action: cli::device::DeviceAction,
    },
    /// Lists collected body-worn camera footage and links it to cases.
    Footage {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[command(subcommand)]
        action: cli::device::FootageAction,
    },
    /// Shows what the exchange with the province's platform has delivered and what waits: the
    /// oldest document not acknowledged, its tries and the last error.
    Exchange {
        #[arg(long, env = "LIUHEN_SITE")]
        site: PathBuf,
        #[command(subcommand)]
        action: cli::exchange::ExchangeAction,
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
    /// Prints the nanoseconds a media file covers, read by demuxing it; the controller runs
    /// one per crash-cut segment at recovery, so a file that trips the demuxer costs only this.
    #[command(hide = true)]
    MediaSpan { file: PathBuf },
    /// Runs one room's pipeline (its preview, then a recording) until its standard input
    /// closes; the controller starts it, says what to record over standard input and reads its
    /// events (JSON lines) from standard output.
    #[command(hide = true)]
    MediaWorker {
        #[arg(long)]
        room: String,
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let all_ok = match Cli::parse().command {
        Command::Serve { site } => {
            room_controller::server::serve(Site::load(&site)?, shutdown_signal()).await?;
            true
        }
        Command::Check { site, probe } => cli::check::run(&site, probe)?,
        Command::Verify { dir, key, records } => {
            cli::verify::run(&dir, key.as_deref(), records.as_deref())?
        }
        Command::Openapi => {
            let doc = room_controller::api::openapi();
            println!("{}", serde_json::to_string_pretty(&doc)?);
            true
        }
        Command::MediaSpan { file } => {
            room_controller::span_probe::run(&file)?;
            true
        }
        Command::MediaWorker { room } => {
            std::process::exit(room_controller::media_worker::run(&room).await);
        }
        Command::Token { site, action } => {
            cli::token::run(&Site::load(&site)?, action)?;
            true
        }
        Command::Staff { site, action } => {
            cli::staff::run(&Site::load(&site)?, action)?;
            true
        }
        Command::Device { site, action } => {
            cli::device::run_device(&Site::load(&site)?, action)?;
            true
        }
        Command::Footage { site, action } => {
            cli::device::run_footage(&Site::load(&site)?, action)?;
            true
        }
        Command::Report {
            site,
            agency,
            year,
            out,
        } => {
            cli::report::run(&Site::load(&site)?, &agency, year, &out)?;
            true
        }
        Command::Exchange { site, action } => {
            cli::exchange::run(&Site::load(&site)?, action)?;
            true
        }
        Command::Publicity { site, out } => {
            cli::publicity::run(&Site::load(&site)?, &out)?;
            true
        }
        Command::Session {
            api,
            token,
            token_file,
            ca,
            action,
        } => {
            let token = match token_file {
                Some(file) => std::fs::read_to_string(&file)
                    .map_err(|err| {
                        anyhow::anyhow!(
                            "cannot read the token file {}: {err}; write the clerk's token there (room-controller token issue)",
                            file.display()
                        )
                    })?
                    .trim()
                    .to_string(),
                None => token.unwrap_or_default(),
            };
            let client = site_api::Client::trusting(&api, &token, ca.as_deref())?;
            cli::session::run(&client, action).await?;
            true
        }
    };
    if !all_ok {
        std::process::exit(1);
    }
    Ok(())
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
