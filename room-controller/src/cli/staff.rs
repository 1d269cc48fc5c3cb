//! `room-controller staff`: the site's enforcement staff as the public may see them.

use anyhow::Context;
use clap::Subcommand;
use hardware_profiles::Site;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum StaffAction {
    /// Adds a staff member.
    Add {
        /// A short id, e.g. wang-fang.
        #[arg(long)]
        id: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
        /// The enforcement credential number (行政执法证件号); for counsel, their practising
        /// certificate's number.
        #[arg(long)]
        credential: String,
        #[arg(long, value_parser = ["clerk", "facilities", "reviewer", "counsel", "head", "admin"])]
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

pub fn run(site: &Site, action: StaffAction) -> anyhow::Result<()> {
    let mut store = crate::server::open_records(site)?;
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
            let photo = photo.map(|path| read_photo(&path)).transpose()?;
            let role = site_api::StaffRole::parse(&role)
                .context("role must be clerk, facilities, reviewer, counsel, head or admin")?;
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

/// A photo's bytes and media type; only JPEG and PNG are taken.
fn read_photo(path: &std::path::Path) -> anyhow::Result<(Vec<u8>, &'static str)> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading the photo {}", path.display()))?;
    let kind = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        "image/jpeg"
    } else {
        anyhow::bail!("{} is neither a JPEG nor a PNG file", path.display());
    };
    Ok((bytes, kind))
}
