//! A case's documents as files (附件): the submitted materials, minutes, notices. PDF, JPEG and
//! DOCX only, recognised by their first bytes (not by their name), up to a size limit; each
//! is hashed and kept like evidence and never changed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kinds of file a case takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Pdf,
    Jpeg,
    Docx,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpeg",
            Self::Docx => "docx",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Docx]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    /// What the bytes are, from their signature: PDF (`%PDF-`), JPEG (`FF D8 FF`) or a DOCX
    /// (a ZIP archive holding `word/`). Anything else is none of these.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"PK\x03\x04")
            && bytes.windows(5).take(64 * 1024).any(|w| w == b"word/")
        {
            Some(Self::Docx)
        } else {
            None
        }
    }
}

/// An attachment as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    /// The file's name as given, e.g. "调查终结报告.pdf".
    pub name: String,
    pub kind: AttachmentKind,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, hex; the stored copy is checked against it on every download.
    pub sha256: String,
    pub added_by: String,
    pub added_at: String,
}

/// The query of `POST /api/cases/{number}/attachments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentName {
    /// The file's name, e.g. "调查终结报告.pdf" (1 to 200 characters).
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::AttachmentKind;

    #[test]
    fn a_file_is_known_by_its_first_bytes() {
        assert_eq!(
            AttachmentKind::sniff(b"%PDF-1.7\n..."),
            Some(AttachmentKind::Pdf)
        );
        assert_eq!(
            AttachmentKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(AttachmentKind::Jpeg)
        );
        assert_eq!(
            AttachmentKind::sniff(b"PK\x03\x04....word/document.xml"),
            Some(AttachmentKind::Docx)
        );
        assert_eq!(AttachmentKind::sniff(b"PK\x03\x04....xl/sheet1.xml"), None);
        assert_eq!(AttachmentKind::sniff(b"MZ\x90\x00"), None);
    }
}
