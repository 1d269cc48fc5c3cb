//! An agency's publicity (事前公示: items, inspections, guides, channels, its catalogue of major
//! decisions) changed through the API: every version kept, the latest in force over the site
//! file's, so that a change takes effect without a restart and its history is never lost.

use rusqlite::{OptionalExtension, params};
use site_api::{AgencyPublicity, PublicityVersion};

use crate::store::now;
use crate::{Store, StoreError};

const VERSION_COLUMNS: &str = "version, body, changed_by, changed_at";

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PublicityVersion> {
    let body: String = r.get(1)?;
    Ok(PublicityVersion {
        version: r.get(0)?,
        // Bodies are written by `change_publicity` from the same type.
        publicity: serde_json::from_str(&body).unwrap_or_default(),
        changed_by: r.get(2)?,
        changed_at: r.get(3)?,
    })
}

impl Store {
    /// Keeps `publicity` as the agency's next version and puts its catalogue in force.
    pub fn change_publicity(
        &mut self,
        agency_id: &str,
        publicity: &AgencyPublicity,
        changed_by: &str,
    ) -> Result<PublicityVersion, StoreError> {
        if let Some(what) = publicity.first_blank() {
            return Err(StoreError::Invalid(format!(
                "{what} is empty; write it, or leave the entry out"
            )));
        }
        let body = serde_json::to_string(publicity)
            .map_err(|err| StoreError::Invalid(format!("the publicity: {err}")))?;
        self.all_or_nothing(|store| {
            store.conn.execute(
                "INSERT INTO publicity_versions (agency_id, version, body, changed_by, changed_at)
                 VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM publicity_versions
                              WHERE agency_id = ?1), ?2, ?3, ?4)",
                params![agency_id, body, changed_by, now()],
            )?;
            let kinds: Vec<&str> = publicity
                .major_decisions
                .iter()
                .map(String::as_str)
                .collect();
            let discussed: Vec<&str> = publicity
                .discussed_decisions
                .iter()
                .map(String::as_str)
                .collect();
            store.set_major_catalogue(agency_id, &kinds, &discussed)
        })?;
        self.latest_publicity(agency_id)?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("the publicity of agency {agency_id}"),
            })
    }

    /// The agency's latest version changed through the API, if any.
    pub fn latest_publicity(
        &self,
        agency_id: &str,
    ) -> Result<Option<PublicityVersion>, StoreError> {
        // Read on every publicity page and kiosk refresh: the one row, not the history.
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM publicity_versions
                     WHERE agency_id = ?1 ORDER BY version DESC LIMIT 1"
                ),
                params![agency_id],
                version_row,
            )
            .optional()?)
    }

    /// Every version changed through the API, oldest first.
    pub fn publicity_history(&self, agency_id: &str) -> Result<Vec<PublicityVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM publicity_versions WHERE agency_id = ?1 ORDER BY version"
        ))?;
        let rows = stmt.query_map(params![agency_id], version_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
