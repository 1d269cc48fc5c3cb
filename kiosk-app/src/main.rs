//! `kiosk-app`: Liuhen's screens. One binary; the screen is chosen on the command line. With
//! `--png` it draws into a PNG file instead of a window (no display needed), for tests, docs and
//! machines without a screen.

mod announcer;
mod clerk_panel;
mod collect_screen;
mod door_panel;
mod feed;
mod hall_actions;
mod hall_screens;
mod headless;
mod last_state;
mod net;
mod printer;
mod publicity_screen;
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
    /// Prefer --token-file or LIUHEN_TOKEN: a token on the command line shows in `ps`.
    #[arg(
        long,
        env = "LIUHEN_TOKEN",
        hide_env_values = true,
        global = true,
        default_value = ""
    )]
    token: String,
    /// A file holding this screen's token (readable by the screen's user only).
    #[arg(long, global = true, conflicts_with = "token")]
    token_file: Option<PathBuf>,
    /// The PEM file of the CA that signed the controller's HTTPS certificate (for an `https://`
    /// --api); only that CA is trusted.
    #[arg(long, env = "LIUHEN_CA", global = true)]
    ca: Option<PathBuf>,
    /// Draw into this PNG file instead of opening a window.
    #[arg(long, global = true)]
    png: Option<PathBuf>,
    /// With --png: draw once and exit instead of following the controller.
    #[arg(long, global = true)]
    once: bool,
    /// Where the last state is kept, so the screen shows it when the controller is unreachable.
    #[arg(long, global = true)]
    state_file: Option<PathBuf>,
    /// The screen's size in pixels, e.g. 1920x1080 or 800x480 (the hall's screens scale).
    #[arg(long, global = true, value_parser = parse_size)]
    size: Option<(u32, u32)>,
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
    /// The hall board: latest calls (announced aloud), waiting per service, notices.
    HallBoard {
        /// Times each call is said.
        #[arg(long, default_value_t = 2)]
        voice_repeat: u32,
        /// Loudness, 0–200 (100 is normal).
        #[arg(long, default_value_t = 100)]
        voice_volume: u32,
        /// Speaking speed, words per minute.
        #[arg(long, default_value_t = 140)]
        voice_speed: u32,
        /// Write each announcement as a WAV file into this folder instead of playing it.
        #[arg(long)]
        voice_out: Option<PathBuf>,
        /// Show calls without announcing them.
        #[arg(long)]
        no_voice: bool,
    },
    /// The screen above a counter: the window, its services, the staff member on duty
    /// (photo, name, credential number) and the number now served.
    Window {
        /// The window's id in the site file.
        #[arg(long)]
        window: String,
    },
    /// The ticket kiosk: choose a service, get a number, printed on the ticket printer.
    Ticket {
        /// The printer's profile id (e.g. escpos-58mm); without it no ticket is printed.
        #[arg(long, requires = "printer_port")]
        printer: Option<String>,
        /// Its serial port (/dev/ttyUSB0) or line-printer device (/dev/usb/lp0).
        #[arg(long)]
        printer_port: Option<PathBuf>,
        /// A folder of the site's own device profiles, beside the built-in ones.
        #[arg(long)]
        profiles: Option<PathBuf>,
        /// With --png: take a ticket for this service, as a touch would, before drawing.
        #[arg(long)]
        press: Option<String>,
        /// With --press: through the green channel (priority).
        #[arg(long)]
        priority: bool,
    },
    /// The publicity kiosk (行政执法公示): an agency's staff, enforcement items, random
    /// inspections, guides, remedy channels and published decisions, in pages.
    Publicity {
        /// The agency's id; without it the public chooses among the site's agencies.
        #[arg(long)]
        agency: Option<String>,
        /// The page to open on: staff, items, inspections, guides, remedy or decisions.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(publicity_screen::PAGES))]
        page: Option<String>,
    },
    /// The collection station's screen for body-worn cameras: each docked camera with its
    /// officer, progress, and "safe to unplug" or what went wrong.
    Collect,
    /// The counter screen for staff: sign in, call, recall, start, done, no-show, hold,
    /// transfer, pause. Needs the staff member's own token.
    Counter {
        #[arg(long)]
        window: String,
        /// With --png: press this action (call_next, done, …) before drawing.
        #[arg(long)]
        press: Option<String>,
    },
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    text.split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .filter(|(w, h)| *w >= 320 && *h >= 240)
        .ok_or_else(|| format!("{text} is not a screen size; write it like 1920x1080"))
}

/// Reads the ticket printer's profile.
fn ticket_printer(
    profile: Option<&str>,
    port: Option<&PathBuf>,
    profiles: Option<&PathBuf>,
) -> anyhow::Result<Option<printer::Printer>> {
    let (Some(id), Some(port)) = (profile, port) else {
        return Ok(None);
    };
    let mut known = hardware_profiles::Profiles::built_in()?;
    if let Some(dir) = profiles {
        known.add_dir(dir)?;
    }
    match known.get(id).map(|p| &p.kind) {
        Some(hardware_profiles::ProfileKind::Printer(profile)) => Ok(Some(printer::Printer {
            port: port.clone(),
            profile: profile.clone(),
        })),
        _ => anyhow::bail!(
            "no printer profile \"{id}\"; the built-in ones are escpos-58mm and escpos-80mm, or add yours with --profiles"
        ),
    }
}

/// The screen's token: from --token-file, else LIUHEN_TOKEN or --token (with a warning when it
/// was typed on the command line, where every user of the machine sees it in `ps`).
fn screen_token(cli: &Cli) -> anyhow::Result<String> {
    if let Some(file) = &cli.token_file {
        let text = std::fs::read_to_string(file).map_err(|err| {
            anyhow::anyhow!(
                "cannot read the token file {}: {err}; write the screen's token there (room-controller token issue)",
                file.display()
            )
        })?;
        return Ok(text.trim().to_string());
    }
    let typed = std::env::args().any(|a| a == "--token" || a.starts_with("--token="));
    if typed {
        tracing::warn!(
            "the token was given with --token, so it shows in the process list; use --token-file or LIUHEN_TOKEN"
        );
    }
    Ok(cli.token.clone())
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let token = screen_token(&cli)?;
    let (subject, screen) = match &cli.screen {
        Screen::Door { room } => (room.clone(), "door"),
        Screen::Clerk { room } => (room.clone(), "clerk"),
        Screen::HallBoard { .. } => (String::new(), "hall-board"),
        Screen::Window { window } => (window.clone(), "window"),
        Screen::Ticket { .. } => (String::new(), "ticket"),
        Screen::Counter { window, .. } => (window.clone(), "counter"),
        Screen::Collect => (String::new(), "collect"),
        Screen::Publicity { agency, .. } => (agency.clone().unwrap_or_default(), "publicity"),
    };
    let options = screen::Options {
        net: net::Net::start(&cli.api, &token, cli.ca.as_deref())?,
        state_file: cli
            .state_file
            .unwrap_or_else(|| last_state::default_path(&format!("{screen}-{subject}"))),
        subject,
        size: cli.size,
    };
    let png = cli.png;
    let once = cli.once;
    match cli.screen {
        Screen::Door { .. } => match png {
            Some(png) => screen::run_headless::<DoorPanel>(options, &png, once, |_| {}),
            None => screen::run_window::<DoorPanel>(options, |_| {}),
        },
        Screen::Clerk { .. } => match png {
            Some(png) => screen::run_headless::<ClerkPanel>(options, &png, once, |_| {}),
            None => {
                let wiring = options.clone();
                screen::run_window::<ClerkPanel>(options, move |ui| {
                    if let Err(err) = clerk_panel::wire(ui, &wiring) {
                        tracing::error!(error = %err, "cannot wire the clerk panel's buttons");
                    }
                })
            }
        },
        Screen::HallBoard {
            voice_repeat,
            voice_volume,
            voice_speed,
            voice_out,
            no_voice,
        } => {
            if !no_voice {
                announcer::start(announcer::Voice {
                    repeat: voice_repeat,
                    volume: voice_volume,
                    speed: voice_speed,
                    out_dir: voice_out,
                })?;
            }
            match png {
                Some(png) => screen::run_headless::<HallBoard>(options, &png, once, |_| {}),
                None => screen::run_window::<HallBoard>(options, |_| {}),
            }
        }
        Screen::Collect => match png {
            Some(png) => screen::run_headless::<CollectScreen>(options, &png, once, |_| {}),
            None => screen::run_window::<CollectScreen>(options, |_| {}),
        },
        Screen::Window { .. } => match png {
            Some(png) => screen::run_headless::<WindowScreen>(options, &png, once, |_| {}),
            None => screen::run_window::<WindowScreen>(options, |_| {}),
        },
        Screen::Ticket {
            printer,
            printer_port,
            profiles,
            press,
            priority,
        } => {
            let printer =
                ticket_printer(printer.as_deref(), printer_port.as_ref(), profiles.as_ref())?;
            match png {
                Some(png) => {
                    let pressing = options.clone();
                    screen::run_headless::<TicketKiosk>(options, &png, once, move |ui| {
                        if let Some(service) = press {
                            let client = pressing.net.actions().clone();
                            hall_actions::press_now(
                                ui,
                                &pressing,
                                hall_actions::take(&client, printer.as_ref(), &service, priority),
                            );
                        }
                    })
                }
                None => {
                    let wiring = options.clone();
                    screen::run_window::<TicketKiosk>(options, move |ui| {
                        hall_actions::wire_kiosk(ui, &wiring, printer);
                    })
                }
            }
        }
        Screen::Publicity { page, .. } => {
            let wiring = options.clone();
            let wire = move |ui: &PublicityScreen| {
                publicity_screen::wire(ui, &wiring, page.as_deref());
            };
            match png {
                Some(png) => screen::run_headless::<PublicityScreen>(options, &png, once, wire),
                None => screen::run_window::<PublicityScreen>(options, wire),
            }
        }
        Screen::Counter { press, .. } => match png {
            Some(png) => {
                let pressing = options.clone();
                let action = match press.as_deref().map(hall_actions::pressed) {
                    Some(None) => anyhow::bail!(
                        "--press takes sign_in, sign_out, call_next, recall, start, done, no_show, hold, pause, resume, transfer:SERVICE or call:NUMBER"
                    ),
                    Some(Some(action)) => Some(action),
                    None => None,
                };
                screen::run_headless::<CounterScreen>(options, &png, once, move |ui| {
                    if let Some(action) = action {
                        let client = pressing.net.actions().clone();
                        let window = pressing.subject.clone();
                        hall_actions::press_now(
                            ui,
                            &pressing,
                            hall_actions::act(&client, &window, action),
                        );
                    }
                })
            }
            None => {
                let wiring = options.clone();
                screen::run_window::<CounterScreen>(options, move |ui| {
                    hall_actions::wire_counter(ui, &wiring);
                })
            }
        },
    }
}
