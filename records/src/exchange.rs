//! The exchange's outbox: a document for every publication step, written with the step itself
//! (so a step is never reported twice or lost), and read back oldest first by the delivery.

use rusqlite::{OptionalExtension, params};
use site_api::{EXCHANGE_SCHEMA, ExchangeDocument, ExchangeKind, ExchangeReport, ExchangeStatus};

use crate::store::now;
use crate::{Store, StoreError};

/// A document waiting for its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub seq: i64,
    pub document_id: String,
    /// The JSON as delivered.
    pub body: String,
    pub attempts: i64,
}

/// A publication's row, as the document reports it.
struct PublicationRow {
    agency_name: String,
    party: String,
    action: String,
    conclusion: String,
    document: String,
    decided: String,
    published: Option<String>,
    revoked: Option<String>,
    withdrawn: Option<String>,
}

impl Store {
    /// Puts the publication step `kind` of case `number` in the outbox, once per step.
    pub(crate) fn enqueue_publication_step(
        &self,
        agency_id: &str,
        number: &str,
        kind: ExchangeKind,
    ) -> Result<(), StoreError> {
        let PublicationRow {
            agency_name,
            party,
            action,
            conclusion,
            document,
            decided,
            published,
            revoked,
            withdrawn,
        } = self.conn.query_row(
            "SELECT a.name, p.party_shown, p.action_type, p.conclusion, p.document_number,
                    p.decided_on, p.published_on, p.revoked_on, p.withdrawn_on
             FROM publications p JOIN agencies a ON a.id = p.agency_id
             JOIN cases c ON c.id = p.case_id
             WHERE p.agency_id = ?1 AND c.number = ?2",
            params![agency_id, number],
            |r| {
                Ok(PublicationRow {
                    agency_name: r.get(0)?,
                    party: r.get(1)?,
                    action: r.get(2)?,
                    conclusion: r.get(3)?,
                    document: r.get(4)?,
                    decided: r.get(5)?,
                    published: r.get(6)?,
                    revoked: r.get(7)?,
                    withdrawn: r.get(8)?,
                })
            },
        )?;
        let on = match kind {
            ExchangeKind::DecisionPublished => published,
            ExchangeKind::DecisionRevoked => revoked,
            ExchangeKind::DecisionWithdrawn => withdrawn,
            ExchangeKind::AnnualReport | ExchangeKind::MonthlyFigures => None,
        };
        let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let (Some(on), Some(decided_on)) = (on.as_deref().and_then(day), day(&decided)) else {
            return Ok(());
        };
        let id = format!("{agency_id}/{document}/{}", kind.as_str());
        self.put_in_outbox(&id, |seq| ExchangeDocument {
            schema: EXCHANGE_SCHEMA.to_string(),
            id: id.clone(),
            seq,
            kind,
            agency_id: agency_id.to_string(),
            agency_name,
            party,
            action_type: action,
            conclusion,
            document_number: document,
            decided_on,
            on,
        })
    }

    /// Adds the document `id` as the outbox's next, once: a document already there (the same
    /// step again) is left as it was.
    fn put_in_outbox<D: serde::Serialize>(
        &self,
        id: &str,
        document: impl FnOnce(i64) -> D,
    ) -> Result<(), StoreError> {
        let seq: i64 = self.conn.query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM exchange_outbox",
            [],
            |r| r.get(0),
        )?;
        let body = serde_json::to_string(&document(seq))
            .map_err(|err| StoreError::Invalid(format!("an exchange document: {err}")))?;
        self.conn.execute(
            "INSERT INTO exchange_outbox (seq, document_id, body, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (document_id) DO NOTHING",
            params![seq, id, body, now()],
        )?;
        Ok(())
    }

    /// Hands agency `agency_id`'s annual report of `year` to the exchange, once.
    pub fn enqueue_annual_report(
        &mut self,
        agency_id: &str,
        year: i32,
    ) -> Result<String, StoreError> {
        let report = self.annual_report(agency_id, year)?;
        let id = format!("{agency_id}/annual-report/{year}");
        self.enqueue_report(id, ExchangeKind::AnnualReport, year, None, report)
    }

    /// Hands agency `agency_id`'s figures of `month` of `year` to the exchange, once.
    pub fn enqueue_monthly_figures(
        &mut self,
        agency_id: &str,
        year: i32,
        month: u32,
    ) -> Result<String, StoreError> {
        let id = format!("{agency_id}/monthly-figures/{year:04}-{month:02}");
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM exchange_outbox WHERE document_id = ?1)",
            params![id],
            |r| r.get(0),
        )?;
        if known {
            return Ok(id);
        }
        let report = self.monthly_figures(agency_id, year, month)?;
        self.enqueue_report(id, ExchangeKind::MonthlyFigures, year, Some(month), report)
    }

    fn enqueue_report(
        &self,
        id: String,
        kind: ExchangeKind,
        year: i32,
        month: Option<u32>,
        report: site_api::AnnualReport,
    ) -> Result<String, StoreError> {
        self.put_in_outbox(&id, |seq| ExchangeReport {
            schema: EXCHANGE_SCHEMA.to_string(),
            id: id.clone(),
            seq,
            kind,
            agency_id: report.agency_id.clone(),
            agency_name: report.agency_name.clone(),
            year,
            month,
            report,
        })?;
        Ok(id)
    }

    /// Whether the agency's annual report of `year` is in the outbox, and whether delivered.
    pub fn annual_report_handed(
        &self,
        agency_id: &str,
        year: i32,
    ) -> Result<(bool, bool), StoreError> {
        let delivered: Option<bool> = self
            .conn
            .query_row(
                "SELECT delivered_at IS NOT NULL FROM exchange_outbox WHERE document_id = ?1",
                params![format!("{agency_id}/annual-report/{year}")],
                |r| r.get(0),
            )
            .optional()?;
        Ok((delivered.is_some(), delivered.unwrap_or(false)))
    }

    /// The oldest document not yet acknowledged.
    pub fn next_outgoing(&self) -> Result<Option<Outgoing>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq, document_id, body, attempts FROM exchange_outbox
                 WHERE delivered_at IS NULL ORDER BY seq LIMIT 1",
                [],
                |r| {
                    Ok(Outgoing {
                        seq: r.get(0)?,
                        document_id: r.get(1)?,
                        body: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The receiver acknowledged document `seq`.
    pub fn outgoing_delivered(&mut self, seq: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE exchange_outbox SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL
             WHERE seq = ?1 AND delivered_at IS NULL",
            params![seq, now()],
        )?;
        Ok(())
    }

    /// A try at document `seq` failed; `error` says how.
    pub fn outgoing_failed(&mut self, seq: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE exchange_outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
            params![seq, error.chars().take(500).collect::<String>()],
        )?;
        Ok(())
    }

    pub fn exchange_status(&self) -> Result<ExchangeStatus, StoreError> {
        let (pending, delivered): (i64, i64) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE delivered_at IS NULL),
                    count(*) FILTER (WHERE delivered_at IS NOT NULL) FROM exchange_outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let oldest: Option<(String, i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT document_id, attempts, last_error FROM exchange_outbox
                 WHERE delivered_at IS NULL ORDER BY seq LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(ExchangeStatus {
            pending,
            delivered,
            attempts: oldest.as_ref().map_or(0, |o| o.1),
            last_error: oldest.as_ref().and_then(|o| o.2.clone()),
            oldest_pending: oldest.map(|o| o.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::NewDecision;
    use chrono::NaiveDate;
    use site_api::WorkCalendar;

    #[test]
    fn each_publication_step_is_one_document_in_order() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        for n in [1, 2] {
            let number = format!("甲罚〔2026〕{n}号");
            crate::test_site::describe(&mut store, "a", &number, Default::default());
            store
                .record_decision(
                    &calendar,
                    "a",
                    &number,
                    &NewDecision {
                        document_number: &format!("甲罚决〔2026〕{n}号"),
                        conclusion: "警告",
                        decided_on: day(2),
                        recorded_by: "王芳",
                        reasons: Default::default(),
                        unrecorded_because: None,
                        must_record: &[],
                    },
                )
                .unwrap();
        }
        assert_eq!(
            store.next_outgoing().unwrap(),
            None,
            "a decision alone is not sent"
        );
        store.publish("a", "甲罚〔2026〕1号", day(3)).unwrap();
        store.publish("a", "甲罚〔2026〕1号", day(4)).unwrap();
        store.publish("a", "甲罚〔2026〕2号", day(4)).unwrap();
        store
            .revoke_publication(&calendar, "a", "甲罚〔2026〕1号", day(5))
            .unwrap();
        let mut ids = Vec::new();
        while let Some(next) = store.next_outgoing().unwrap() {
            let document: ExchangeDocument = serde_json::from_str(&next.body).unwrap();
            assert_eq!(document.seq, next.seq);
            ids.push((document.id, document.on));
            store.outgoing_failed(next.seq, "refused").unwrap();
            store.outgoing_delivered(next.seq).unwrap();
        }
        assert_eq!(
            ids,
            [
                ("a/甲罚决〔2026〕1号/decision_published".to_string(), day(3)),
                ("a/甲罚决〔2026〕2号/decision_published".to_string(), day(4)),
                ("a/甲罚决〔2026〕1号/decision_revoked".to_string(), day(5)),
            ]
        );
        let status = store.exchange_status().unwrap();
        assert_eq!((status.pending, status.delivered), (0, 3));
    }
}
