//! `kiosk-app`: Liuhen's screens. One binary; the screen is chosen on the command line. With
//! `--png` it draws into a PNG file instead of a window (no display needed), for tests, docs and
//! machines without a screen.

mod clerk_panel;
mod door_panel;
mod feed;
mod headless;
mod last_state;
mod screen;

slint::include_modules!();

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "kiosk-app", version, about = "Liuhen kiosk screens")]
struct Cli {
    /// The controller's API address.
    #[arg(
        long,
        env = "LIUHEN_API",
        default_value = "http://127.0.0.1:7878",
        global = true
    )]
    api: String,
    /// This screen's token (a kiosk token, see `room-controller token issue --role kiosk`).
    #[arg(
        long,
        env = "LIUHEN_TOKEN",
        hide_env_values = true,
        global = true,
        default_value = ""
    )]
    token: String,
    /// Draw into this PNG file instead of opening a window.
    #[arg(long, global = true)]
    png: Option<PathBuf>,
    /// With --png: draw once and exit instead of following the controller.
    #[arg(long, global = true)]
    once: bool,
    /// Where the last state is kept, so the screen shows it when the controller is unreachable.
    #[arg(long, global = true)]
    state_file: Option<PathBuf>,
    #[command(subcommand)]
    screen: Screen,
}

#[derive(Subcommand)]
enum Screen {
    /// The panel beside a room's door: recording or free, agency and case.
    Door {
        /// The room's id in the site file.
        #[arg(long)]
        room: String,
    },
    /// The clerk's touch panel inside a room: start, markers, stop, resume; devices and alarms.
    /// Needs a clerk's token.
    Clerk {
        #[arg(long)]
        room: String,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let (room, screen) = match &cli.screen {
        Screen::Door { room } => (room.clone(), "door"),
        Screen::Clerk { room } => (room.clone(), "clerk"),
    };
    let options = screen::Options {
        api: cli.api,
        token: cli.token,
        state_file: cli
            .state_file
            .unwrap_or_else(|| last_state::default_path(&format!("{screen}-{room}"))),
        room,
    };
    match (cli.screen, cli.png) {
        (Screen::Door { .. }, Some(png)) => {
            screen::run_headless::<DoorPanel>(options, &png, cli.once)
        }
        (Screen::Door { .. }, None) => screen::run_window::<DoorPanel>(options, |_| {}),
        (Screen::Clerk { .. }, Some(png)) => {
            screen::run_headless::<ClerkPanel>(options, &png, cli.once)
        }
        (Screen::Clerk { .. }, None) => {
            let wiring = options.clone();
            screen::run_window::<ClerkPanel>(options, move |ui| {
                if let Err(err) = clerk_panel::wire(ui, &wiring) {
                    tracing::error!(error = %err, "cannot wire the clerk panel's buttons");
                }
            })
        }
    }
}
