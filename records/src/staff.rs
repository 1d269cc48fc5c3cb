//! The site's enforcement staff: who they are as the public may see them (name, photo,
//! credential number, categories), their agency and their role.

use rusqlite::{OptionalExtension, params};

use crate::store::now;
use crate::{Refusal, Store, StoreError};
use site_api::{StaffRole, StaffView};

/// A staff member to add.
#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub name: &'a str,
    pub credential_number: &'a str,
    pub categories: &'a [String],
    pub role: StaffRole,
    /// The photo's bytes and its media type (image/jpeg or image/png).
    pub photo: Option<(&'a [u8], &'a str)>,
}

/// Photos larger than this are refused: a window screen needs a portrait, not a poster.
pub const PHOTO_MAX_BYTES: usize = 2 << 20;

/// The columns of a staff member `s` of agency `a` as lists and screens show them, in the
/// order [`staff_view_at`] reads them. Photos are kept in a table of their own (schema v19),
/// out of the way of every read of a staff row.
macro_rules! staff_columns {
    () => {
        "s.id, s.agency_id, a.name, s.name, s.credential_number, s.categories, s.role,
         EXISTS (SELECT 1 FROM staff_photos p WHERE p.staff_id = s.id)"
    };
}
pub(crate) use staff_columns;

/// A staff member as lists and screens show them; a query adds its own WHERE.
const STAFF_VIEW: &str = concat!(
    "SELECT ",
    staff_columns!(),
    " FROM staff s JOIN agencies a ON a.id = s.agency_id"
);

/// The staff member in [`staff_columns`] from column `first` of `row` on.
pub(crate) fn staff_view_at(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<StaffView> {
    let categories: String = row.get(first + 5)?;
    let role: String = row.get(first + 6)?;
    Ok(StaffView {
        id: row.get(first)?,
        agency_id: row.get(first + 1)?,
        agency_name: row.get(first + 2)?,
        name: row.get(first + 3)?,
        credential_number: row.get(first + 4)?,
        categories: serde_json::from_str(&categories).unwrap_or_default(),
        role: StaffRole::parse(&role).unwrap_or(StaffRole::Clerk),
        has_photo: row.get(first + 7)?,
    })
}

impl Store {
    pub fn add_staff(&mut self, new: &NewStaff<'_>) -> Result<(), StoreError> {
        let id = new.id.trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(StoreError::Invalid(format!(
                "staff id \"{id}\" must be letters, digits, - or _ (e.g. wang-fang)"
            )));
        }
        if new.name.trim().is_empty() || new.credential_number.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a staff member needs a name and an enforcement credential number".into(),
            ));
        }
        if let Some((bytes, kind)) = new.photo {
            if !matches!(kind, "image/jpeg" | "image/png") {
                return Err(StoreError::Invalid(format!(
                    "the photo must be a JPEG or PNG file, not {kind}"
                )));
            }
            if bytes.len() > PHOTO_MAX_BYTES {
                return Err(StoreError::Invalid(format!(
                    "the photo has {} KB; at most {} KB (a portrait of about 300×400 is enough)",
                    bytes.len() >> 10,
                    PHOTO_MAX_BYTES >> 10
                )));
            }
        }
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM agencies WHERE id = ?1)",
            params![new.agency_id],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Refusal::UnknownAgency {
                agency: new.agency_id.to_string(),
            }
            .into());
        }
        let clash: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM staff WHERE id = ?1 OR credential_number = ?2",
                params![id, new.credential_number.trim()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = clash {
            return Err(Refusal::StaffExists {
                other,
                credential: new.credential_number.trim().to_string(),
            }
            .into());
        }
        let categories = serde_json::to_string(new.categories)
            .map_err(|err| StoreError::Invalid(err.to_string()))?;
        let tx = self.change()?;
        tx.execute(
            "INSERT INTO staff (id, agency_id, name, credential_number, categories, role, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                new.agency_id,
                new.name.trim(),
                new.credential_number.trim(),
                categories,
                new.role.as_str(),
                now()
            ],
        )?;
        if let Some((bytes, kind)) = new.photo {
            tx.execute(
                "INSERT INTO staff_photos (staff_id, photo, photo_type) VALUES (?1, ?2, ?3)",
                params![id, bytes, kind],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Active staff, of one agency or of all, by agency and name.
    pub fn staff(&self, agency_id: Option<&str>) -> Result<Vec<StaffView>, StoreError> {
        self.staff_rows(
            &format!(
                "{STAFF_VIEW} WHERE s.active = 1 AND (?1 IS NULL OR s.agency_id = ?1)
                 ORDER BY s.agency_id, s.name"
            ),
            params![agency_id],
        )
    }

    /// One active staff member.
    pub fn staff_member(&self, id: &str) -> Result<StaffView, StoreError> {
        // Its own query, by the key: every counter's answer names the staff member on duty,
        // and the list's query with an optional id walked the whole table to find one.
        self.staff_rows(
            &format!("{STAFF_VIEW} WHERE s.id = ?1 AND s.active = 1"),
            params![id],
        )?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            what: format!("staff member {id}"),
        })
    }

    fn staff_rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StaffView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |row| staff_view_at(row, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A staff member's photo and its media type.
    pub fn staff_photo(&self, id: &str) -> Result<(Vec<u8>, String), StoreError> {
        self.conn
            .query_row(
                "SELECT p.photo, p.photo_type FROM staff_photos p JOIN staff s ON s.id = p.staff_id
                 WHERE p.staff_id = ?1 AND s.active = 1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("a photo of staff member {id}"),
            })
    }

    /// Ends a staff member's time at the site: they vanish from screens and their tokens stop
    /// working. What they recorded keeps their name.
    pub fn retire_staff(&mut self, id: &str) -> Result<(), StoreError> {
        let tx = self.change()?;
        let changed = tx.execute(
            "UPDATE staff SET active = 0 WHERE id = ?1 AND active = 1",
            params![id],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("an active staff member {id}"),
            });
        }
        tx.execute(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE staff_id = ?1 AND revoked_at IS NULL",
            params![id, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        crate::test_site::store(&[])
    }

    fn wang<'a>(categories: &'a [String]) -> NewStaff<'a> {
        NewStaff {
            id: "wang-fang",
            agency_id: "a",
            name: "王芳",
            credential_number: "32010019001",
            categories,
            role: StaffRole::Clerk,
            photo: Some((b"\x89PNG fake", "image/png")),
        }
    }

    #[test]
    fn staff_are_listed_with_their_public_details_and_a_duplicate_is_refused() {
        let (_dir, mut store) = store();
        let categories = vec!["市场监管".to_string()];
        store.add_staff(&wang(&categories)).expect("added");
        let listed = store.staff(Some("a")).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].credential_number, "32010019001");
        assert_eq!(listed[0].categories, categories);
        assert!(listed[0].has_photo);
        assert_eq!(
            store.staff_photo("wang-fang").expect("photo").1,
            "image/png"
        );

        let mut again = wang(&categories);
        again.id = "wang-fang-2";
        let err = store.add_staff(&again).expect_err("same credential");
        assert!(err.to_string().contains("32010019001"), "{err}");
        let mut elsewhere = wang(&categories);
        elsewhere.id = "li";
        elsewhere.credential_number = "1";
        elsewhere.agency_id = "nowhere";
        assert!(store.add_staff(&elsewhere).is_err(), "unknown agency");
    }

    #[test]
    fn a_retired_staff_member_leaves_the_screens_and_their_token_stops_working() {
        let (_dir, mut store) = store();
        store.add_staff(&wang(&[])).expect("added");
        let token = store
            .issue_staff_token("王芳's tablet", "wang-fang")
            .expect("token");
        let caller = store.caller(&token).expect("caller").expect("valid");
        assert_eq!(caller.who(), "王芳（执法证 32010019001）");
        assert_eq!(caller.agency_id.as_deref(), Some("a"));
        store.retire_staff("wang-fang").expect("retired");
        assert!(store.staff(None).expect("list").is_empty());
        assert!(store.caller(&token).expect("caller").is_none());
    }
}
