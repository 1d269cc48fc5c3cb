//! Delivers the exchange's outbox to the province's platform (`[exchange]` in the site file):
//! the oldest document first, and the next only once it is acknowledged (2xx), so documents
//! arrive in order; a failed try is retried after 1, 2, 4 … up to 300 seconds. Each document
//! carries its stable id (also as `Idempotency-Key`), so a receiver that acknowledged a copy
//! whose answer was lost keeps the first and acknowledges the rest: exactly once per id.

use anyhow::Context;
use hardware_profiles::ExchangeSpec;
use records::exchange::Outgoing;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tracing::{info, warn};

use crate::db::Db;

/// How long the delivery waits, with nothing pending, before it looks again anyway.
const IDLE_LOOK: Duration = Duration::from_secs(30);
/// The longest wait between two tries of one document.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The wait after a document's `attempts`-th failed try.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    Duration::from_secs(1u64 << exponent).min(MAX_BACKOFF)
}

/// The month before the one `day` is in.
pub fn last_month(day: chrono::NaiveDate) -> (i32, u32) {
    use chrono::Datelike;
    if day.month() == 1 {
        (day.year() - 1, 12)
    } else {
        (day.year(), day.month() - 1)
    }
}

/// Starts the delivery; `wake` is notified whenever a document is added. When a month turns,
/// each of `agencies` hands the past month's figures to the outbox first.
pub fn spawn(
    spec: ExchangeSpec,
    db: Db,
    wake: Arc<Notify>,
    agencies: Vec<String>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mut client = reqwest::Client::builder().timeout(spec.timeout);
    if let Some(ca) = &spec.ca {
        let pem = std::fs::read(ca)
            .with_context(|| format!("reading the exchange's CA {}", ca.display()))?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
        client = client.add_root_certificate(certificate);
    }
    let client = client
        .build()
        .context("making the exchange's HTTP client")?;
    let token = match &spec.token_file {
        Some(file) => Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the exchange's token file {}", file.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    info!(url = %spec.url, "exchange delivery started");
    Ok(tokio::spawn(async move {
        let mut figures_of = None;
        loop {
            let month = last_month(chrono::Local::now().date_naive());
            if figures_of != Some(month) {
                let agencies = agencies.clone();
                let (year, number) = month;
                let enqueued = db
                    .call(move |store| {
                        for agency in &agencies {
                            store.enqueue_monthly_figures(agency, year, number)?;
                        }
                        Ok(())
                    })
                    .await;
                match enqueued {
                    Ok(()) => figures_of = Some(month),
                    Err(err) => warn!(%err, "cannot hand last month's figures to the exchange"),
                }
            }
            match db.read(|store| store.next_outgoing()).await {
                Ok(Some(outgoing)) => {
                    let seq = outgoing.seq;
                    match deliver(&client, &spec.url, token.as_deref(), &outgoing).await {
                        Ok(()) => {
                            if let Err(err) =
                                db.call(move |store| store.outgoing_delivered(seq)).await
                            {
                                warn!(%err, seq, "cannot note an acknowledged document");
                                tokio::time::sleep(Duration::from_secs(5)).await;
                            }
                        }
                        Err(why) => {
                            warn!(%why, id = %outgoing.document_id, "exchange delivery failed");
                            let noted = why.clone();
                            let _ = db
                                .call(move |store| store.outgoing_failed(seq, &noted))
                                .await;
                            tokio::time::sleep(backoff(outgoing.attempts + 1)).await;
                        }
                    }
                }
                Ok(None) => {
                    let _ = tokio::time::timeout(IDLE_LOOK, wake.notified()).await;
                }
                Err(err) => {
                    warn!(%err, "cannot read the exchange's outbox");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    }))
}

async fn deliver(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    outgoing: &Outgoing,
) -> Result<(), String> {
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", &outgoing.document_id)
        .body(outgoing.body.clone());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(answer) if answer.status().is_success() => Ok(()),
        Ok(answer) => Err(format!("the platform answered {}", answer.status())),
        Err(err) if err.is_timeout() => Err("no acknowledgement in time".to_string()),
        Err(err) => Err(format!("cannot reach the platform: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn the_month_before_january_is_last_years_december() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(super::last_month(day(2027, 1, 5)), (2026, 12));
        assert_eq!(super::last_month(day(2026, 11, 30)), (2026, 10));
    }

    #[test]
    fn tries_wait_longer_each_time_up_to_five_minutes() {
        let waits: Vec<u64> = (1..=11).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(0), Duration::from_secs(1));
    }
}
