//! `room-controller device` and `room-controller footage`: body-worn cameras registered to
//! officers, and their collected footage listed and linked to cases, on the controller's own
//! machine (the same as `POST /api/devices` and `POST /api/footage/{id}/link`).

use anyhow::Context;
use clap::Subcommand;
use hardware_profiles::{ProfileKind, Site};

#[derive(Subcommand)]
pub enum DeviceAction {
    /// Registers a body-worn camera to a staff member of its agency.
    Add {
        /// The serial number printed on the camera (its mount folder under mount_root).
        #[arg(long)]
        serial: String,
        /// Its model profile, e.g. bodycam-gat947 or bodycam-generic.
        #[arg(long)]
        model: String,
        #[arg(long)]
        agency: String,
        /// The staff id it is issued to.
        #[arg(long)]
        issued_to: String,
    },
    /// Lists the registered cameras.
    List,
    /// Retires a camera: it is not collected from any more; its footage stays.
    Retire {
        #[arg(long)]
        serial: String,
    },
}

#[derive(Subcommand)]
pub enum FootageAction {
    /// Lists an agency's collected footage, newest first.
    List {
        #[arg(long)]
        agency: String,
        /// Only footage linked to this case.
        #[arg(long)]
        case: Option<String>,
        /// Only footage past the agency's retention period and linked to no case.
        #[arg(long)]
        expired: bool,
    },
    /// Links collected footage to a case (by its id from `footage list`).
    Link {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        case: String,
        /// Marks it as an important clip.
        #[arg(long)]
        important: bool,
        #[arg(long, default_value = "")]
        note: String,
        /// Who links it, for the record.
        #[arg(long)]
        by: String,
    },
}

pub fn run_device(site: &Site, action: DeviceAction) -> anyhow::Result<()> {
    let mut store = crate::server::open_records(site)?;
    match action {
        DeviceAction::Add {
            serial,
            model,
            agency,
            issued_to,
        } => {
            if !matches!(
                site.profiles.get(&model).map(|p| &p.kind),
                Some(ProfileKind::Bodycam(_))
            ) {
                let known: Vec<&str> = site
                    .profiles
                    .iter()
                    .filter(|p| matches!(p.kind, ProfileKind::Bodycam(_)))
                    .map(|p| p.id.as_str())
                    .collect();
                anyhow::bail!(
                    "no body-worn camera model \"{model}\"; known models: {}",
                    known.join(", ")
                );
            }
            let device = store
                .add_device(
                    &site_api::NewDevice {
                        serial,
                        model,
                        agency_id: agency,
                        issued_to,
                    },
                    "room-controller device add",
                )
                .context("registering the device")?;
            println!(
                "registered {} ({}) to {} ({}), {}",
                device.serial,
                device.model,
                device.issued_to_name,
                device.issued_to,
                device.agency_id
            );
        }
        DeviceAction::List => {
            for d in store.devices(None)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    d.serial,
                    d.model,
                    d.agency_id,
                    d.issued_to,
                    d.issued_to_name,
                    if d.retired_at.is_some() {
                        "\tretired"
                    } else {
                        ""
                    }
                );
            }
        }
        DeviceAction::Retire { serial } => {
            store.retire_device(&serial, None)?;
            println!("retired {serial}: it is not collected from any more");
        }
    }
    Ok(())
}

pub fn run_footage(site: &Site, action: FootageAction) -> anyhow::Result<()> {
    let mut store = crate::server::open_records(site)?;
    match action {
        FootageAction::List {
            agency,
            case,
            expired,
        } => {
            let list = if expired {
                let days = site
                    .agency(&agency)
                    .map_or(site_api::DEFAULT_FOOTAGE_RETENTION_DAYS, |a| {
                        a.footage_retention_days
                    });
                store.expired_footage(&agency, days, chrono::Utc::now())?
            } else {
                store.footage_where(&agency, case.as_deref(), None)?
            };
            for f in list {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    f.id,
                    f.device_serial,
                    f.source_path,
                    f.sha256,
                    f.case_number.as_deref().unwrap_or("-"),
                    if f.removed_at.is_some() {
                        "removed"
                    } else {
                        ""
                    }
                );
            }
        }
        FootageAction::Link {
            id,
            case,
            important,
            note,
            by,
        } => {
            let file = store.link_footage(id, &case, important, &note, &by)?;
            println!("footage {id} ({}) linked to case {case}", file.file);
        }
    }
    Ok(())
}
