//! `room-controller token`: the tokens kiosks, clerks and staff use with the API, issued,
//! listed and revoked on the records file directly.

use anyhow::Context;
use clap::Subcommand;
use hardware_profiles::Site;
use site_api::Role;

#[derive(Subcommand)]
pub enum TokenAction {
    /// Issues a token and prints it once (only its hash is kept).
    Issue {
        /// A name that says whose or which device's token it is, e.g. "王芳" or "door interview-1".
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["kiosk", "clerk", "admin", "supervisor"], required_unless_present = "staff")]
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

pub fn run(site: &Site, action: TokenAction) -> anyhow::Result<()> {
    let mut store = crate::server::open_records(site)?;
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
                    let role = Role::parse(&role)
                        .context("role must be kiosk, clerk, admin or supervisor")?;
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
