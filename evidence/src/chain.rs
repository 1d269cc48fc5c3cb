//! The per-session hash chain. Each link is
//! `SHA-256(previous link ‖ "\n" ‖ track ‖ "\n" ‖ seq ‖ "\n" ‖ start_ns ‖ "\n" ‖ duration_ns ‖ "\n" ‖ size ‖ "\n" ‖ segment sha256)`
//! in lowercase hex, with decimal numbers, starting from [`GENESIS_LINK`]. A link therefore
//! commits to its segment's content and place and to every segment before it: a changed,
//! missing or re-ordered segment breaks every later link.

use sha2::{Digest, Sha256};

/// The "previous link" of a session's first segment.
pub const GENESIS_LINK: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a link commits to about one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentFacts<'a> {
    pub track: &'a str,
    pub seq: i64,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

impl<'a> From<&'a site_api::SegmentView> for SegmentFacts<'a> {
    /// What a link commits to of a segment as the records keep it.
    fn from(seg: &'a site_api::SegmentView) -> Self {
        Self {
            track: &seg.track,
            seq: seg.seq,
            start_ns: seg.start_ns,
            duration_ns: seg.duration_ns,
            size_bytes: seg.size_bytes,
            sha256: &seg.sha256,
        }
    }
}

impl<'a> From<&'a crate::ManifestSegment> for SegmentFacts<'a> {
    /// What a link commits to of a segment as a manifest lists it.
    fn from(seg: &'a crate::ManifestSegment) -> Self {
        Self {
            track: &seg.track,
            seq: seg.seq,
            start_ns: seg.start_ns,
            duration_ns: seg.duration_ns,
            size_bytes: seg.size_bytes,
            sha256: &seg.sha256,
        }
    }
}

pub fn next_link(previous: &str, seg: &SegmentFacts<'_>) -> String {
    let text = format!(
        "{previous}\n{}\n{}\n{}\n{}\n{}\n{}",
        seg.track, seg.seq, seg.start_ns, seg.duration_ns, seg.size_bytes, seg.sha256
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(sha: &str) -> SegmentFacts<'_> {
        SegmentFacts {
            track: "cam1",
            seq: 0,
            start_ns: 0,
            duration_ns: 1_000_000_000,
            size_bytes: 10,
            sha256: sha,
        }
    }

    #[test]
    fn a_link_changes_with_the_segment_and_with_the_past() {
        let a = next_link(GENESIS_LINK, &facts("aa"));
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            next_link(GENESIS_LINK, &facts("ab")),
            "content is committed"
        );
        assert_ne!(
            a,
            next_link(&a, &facts("aa")),
            "the previous link is committed"
        );
        let mut moved = facts("aa");
        moved.seq = 1;
        assert_ne!(a, next_link(GENESIS_LINK, &moved), "the place is committed");
    }
}
