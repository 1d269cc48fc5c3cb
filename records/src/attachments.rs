//! A case's documents as files (附件): the row of each — its name, kind, size and SHA-256. The
//! bytes are kept by the evidence crate, content-addressed beside the media; the records hold
//! the hash the copy is checked against, and refuse to change or delete a row (triggers).

use rusqlite::{OptionalExtension, params};
use site_api::{AttachmentKind, AttachmentView};

use crate::review::case_id;
use crate::store::now;
use crate::{Store, StoreError};

/// The longest file name taken, in characters.
pub const ATTACHMENT_NAME_MAX_CHARS: usize = 200;

/// An attachment as the handler adds it: the bytes are already kept under their hash.
pub struct NewAttachment<'a> {
    pub name: &'a str,
    pub kind: AttachmentKind,
    pub size_bytes: u64,
    pub sha256: &'a str,
    pub added_by: &'a str,
}

fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentView> {
    let kind: String = r.get(2)?;
    Ok(AttachmentView {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: AttachmentKind::parse(&kind).unwrap_or(AttachmentKind::Pdf),
        size_bytes: r.get(3)?,
        sha256: r.get(4)?,
        added_by: r.get(5)?,
        added_at: r.get(6)?,
    })
}

/// A file name as the records keep it: trimmed, 1 to 200 characters, no control characters
/// and no path (a name is shown, never used as a path).
pub fn attachment_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > ATTACHMENT_NAME_MAX_CHARS
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(StoreError::Invalid(format!(
            "an attachment's name is 1 to {ATTACHMENT_NAME_MAX_CHARS} characters without a path or control characters, e.g. 调查终结报告.pdf"
        )));
    }
    Ok(name.to_string())
}

impl Store {
    /// Ok when the agency has case `number` (before its attachment's bytes are kept).
    pub fn case_known(&self, agency_id: &str, number: &str) -> Result<(), StoreError> {
        case_id(self, agency_id, number).map(drop)
    }

    /// Adds an attachment to case `number` of the agency.
    pub fn add_attachment(
        &mut self,
        agency_id: &str,
        number: &str,
        new: &NewAttachment<'_>,
    ) -> Result<AttachmentView, StoreError> {
        let case = case_id(self, agency_id, number)?;
        let name = attachment_name(new.name)?;
        self.conn.execute(
            "INSERT INTO attachments (case_id, name, kind, size_bytes, sha256, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                case,
                name,
                new.kind.as_str(),
                i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
                new.sha256,
                new.added_by,
                now()
            ],
        )?;
        self.attachment(agency_id, number, self.conn.last_insert_rowid())
    }

    /// Attachment `id` of case `number`; another case's (or agency's) is not found.
    pub fn attachment(
        &self,
        agency_id: &str,
        number: &str,
        id: i64,
    ) -> Result<AttachmentView, StoreError> {
        let case = case_id(self, agency_id, number)?;
        self.conn
            .query_row(
                "SELECT id, name, kind, size_bytes, sha256, added_by, added_at
                 FROM attachments WHERE id = ?1 AND case_id = ?2",
                params![id, case],
                attachment_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("attachment {id} of case {number}"),
            })
    }

    /// A case's attachments, oldest first.
    pub(crate) fn attachments_of(&self, case_id: i64) -> Result<Vec<AttachmentView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, kind, size_bytes, sha256, added_by, added_at
             FROM attachments WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![case_id], attachment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Refuses any id that is not an attachment of the case: a step, a submission or minutes
    /// name only the case's own files.
    pub(crate) fn own_attachments(
        &self,
        case_id: i64,
        number: &str,
        ids: &[i64],
    ) -> Result<(), StoreError> {
        for id in ids {
            let found: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND case_id = ?2)",
                params![id, case_id],
                |r| r.get(0),
            )?;
            if !found {
                return Err(StoreError::Invalid(format!(
                    "attachment {id} is not a file of case {number}; add it with POST /api/cases/{{number}}/attachments first"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_belongs_to_its_case_and_is_never_changed() {
        let (_dir, mut store) = crate::test_site::store(&[]);
        for number in ["A-1", "A-2"] {
            crate::test_site::describe(&mut store, "a", number, Default::default());
        }
        assert!(store.case_known("a", "A-1").is_ok());
        assert!(store.case_known("b", "A-1").is_err());
        let sha = "ab".repeat(32);
        let kept = store
            .add_attachment(
                "a",
                "A-1",
                &NewAttachment {
                    name: " 调查终结报告.pdf ",
                    kind: AttachmentKind::Pdf,
                    size_bytes: 10,
                    sha256: &sha,
                    added_by: "王芳",
                },
            )
            .unwrap();
        assert_eq!(kept.name, "调查终结报告.pdf");
        assert!(
            store.attachment("a", "A-2", kept.id).is_err(),
            "another case's"
        );
        assert!(
            store.attachment("b", "A-1", kept.id).is_err(),
            "another agency's"
        );
        assert!(
            store
                .conn
                .execute("UPDATE attachments SET sha256 = 'x'", [])
                .is_err()
        );
        assert!(store.conn.execute("DELETE FROM attachments", []).is_err());
        for bad in ["", "../etc/passwd", "a\nb"] {
            assert!(attachment_name(bad).is_err(), "{bad:?}");
        }
    }
}
