//! Case lookup for a party (案件信息查询): a decision found by its document number and the
//! lookup code printed on it, answered with its publication's state only.

use chrono::NaiveDate;
use rusqlite::params;
use site_api::{LOOKUP_ALPHABET, LOOKUP_CODE_LEN, LookupAnswer, LookupState, normalise_code};

use crate::{Store, StoreError};

/// A new lookup code from the system's random source.
pub(crate) fn new_lookup_code() -> Result<String, StoreError> {
    let random = crate::store::random_bytes::<LOOKUP_CODE_LEN>()?;
    // 256 is not a multiple of 31; the slight bias toward the first letters costs far less
    // than a guess a rate-limited address can afford.
    Ok(random
        .iter()
        .map(|b| LOOKUP_ALPHABET[usize::from(*b) % LOOKUP_ALPHABET.len()] as char)
        .collect())
}

impl Store {
    /// The decision whose document number and code both match, as its party may see it; None
    /// when either does not (the two are never told apart).
    pub fn lookup_decision(
        &self,
        document_number: &str,
        code: &str,
    ) -> Result<Option<LookupAnswer>, StoreError> {
        let code = normalise_code(code);
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.name, d.document_number, d.decided_on, p.due_on, p.withheld_because,
                    p.published_on, p.revoked_on, p.withdrawn_on
             FROM decisions d
             JOIN cases c ON c.id = d.case_id
             JOIN agencies a ON a.id = c.agency_id
             JOIN publications p ON p.case_id = d.case_id
             WHERE d.document_number = ?1 AND d.lookup_code = ?2",
        )?;
        let mut rows = stmt.query(params![document_number.trim(), code])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let day = |text: Option<String>| {
            text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
        };
        let withheld: Option<String> = r.get(4)?;
        let published_on = day(r.get(5)?);
        let revoked_on = day(r.get(6)?);
        let withdrawn_on = day(r.get(7)?);
        let state = if withheld.is_some() {
            LookupState::NotPublished
        } else if revoked_on.is_some() || withdrawn_on.is_some() {
            LookupState::Withdrawn
        } else if published_on.is_some() {
            LookupState::Published
        } else {
            LookupState::Awaiting
        };
        Ok(Some(LookupAnswer {
            agency_name: r.get(0)?,
            document_number: r.get(1)?,
            decided_on: day(r.get(2)?).unwrap_or_default(),
            due_on: day(r.get(3)?).unwrap_or_default(),
            state,
            published_on,
            withdrawn_on,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::NewDecision;
    use site_api::WorkCalendar;

    #[test]
    fn a_party_finds_their_decision_with_its_number_and_code_and_nothing_else() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕8号", Default::default());
        let decided_on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        store
            .record_decision(
                &calendar,
                "a",
                "甲罚〔2026〕8号",
                &NewDecision {
                    document_number: "甲罚决〔2026〕8号",
                    conclusion: "警告",
                    decided_on,
                    recorded_by: "王芳",
                    reasons: Default::default(),
                    unrecorded_because: None,
                    must_record: &[],
                },
            )
            .unwrap();
        let code = store
            .case_view(&calendar, "a", "甲罚〔2026〕8号")
            .unwrap()
            .decision
            .unwrap()
            .lookup_code;
        assert_eq!(code.len(), LOOKUP_CODE_LEN);
        assert!(code.bytes().all(|b| LOOKUP_ALPHABET.contains(&b)), "{code}");
        let typed = format!(" {}-{} ", &code[..4].to_lowercase(), &code[4..]);
        let found = store
            .lookup_decision("甲罚决〔2026〕8号", &typed)
            .unwrap()
            .expect("found with the code as typed");
        assert_eq!(found.state, LookupState::Awaiting);
        assert_eq!(found.agency_name, "甲局");
        assert!(
            store
                .lookup_decision("甲罚决〔2026〕8号", "22222222")
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .lookup_decision("甲罚决〔2026〕9号", &code)
                .unwrap()
                .is_none()
        );
        store.publish("a", "甲罚〔2026〕8号", decided_on).unwrap();
        let found = store
            .lookup_decision("甲罚决〔2026〕8号", &code)
            .unwrap()
            .unwrap();
        assert_eq!(found.state, LookupState::Published);
        assert_eq!(found.published_on, Some(decided_on));
    }
}
