//! `room-controller exchange status`: what the exchange's outbox holds.

use hardware_profiles::Site;

#[derive(clap::Subcommand, Debug)]
pub enum ExchangeAction {
    /// Documents delivered and pending; the oldest pending, its tries and the last error.
    Status,
}

pub fn run(site: &Site, action: ExchangeAction) -> anyhow::Result<()> {
    let store = crate::server::open_records(site)?;
    match action {
        ExchangeAction::Status => {
            let status = store.exchange_status()?;
            match &site.exchange {
                Some(spec) => println!("exchange: {}", spec.url),
                None => println!("exchange: not configured (no [exchange] in the site file)"),
            }
            println!("delivered: {}", status.delivered);
            println!("pending: {}", status.pending);
            if let Some(oldest) = &status.oldest_pending {
                println!("oldest pending: {oldest} ({} tries)", status.attempts);
            }
            if let Some(error) = &status.last_error {
                println!("last error: {error}");
            }
        }
    }
    Ok(())
}
