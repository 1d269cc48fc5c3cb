//! The recording list (音像记录事项清单): what an agency must record on audio and video. The
//! rules leave the list to each agency (typically coercive measures such as 查封扣押, hearings,
//! and delivery left at the door, 留置送达); the site file names it per agency.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ActionType;

/// One entry of an agency's recording list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MustRecord {
    /// Every case of this kind of action.
    Licensing,
    Penalty,
    Coercion,
    Inspection,
    Levy,
    Other,
    /// Every case with a hearing (听证).
    Hearing,
    /// Every delivery left at the party's door (留置送达).
    LeftAtDoor,
}

impl MustRecord {
    pub const ALL: [MustRecord; 8] = [
        Self::Licensing,
        Self::Penalty,
        Self::Coercion,
        Self::Inspection,
        Self::Levy,
        Self::Other,
        Self::Hearing,
        Self::LeftAtDoor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licensing => "licensing",
            Self::Penalty => "penalty",
            Self::Coercion => "coercion",
            Self::Inspection => "inspection",
            Self::Levy => "levy",
            Self::Other => "other",
            Self::Hearing => "hearing",
            Self::LeftAtDoor => "left_at_door",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.as_str() == text)
    }

    /// The entry that lists every case of this kind of action.
    pub fn of_action(action: ActionType) -> Self {
        match action {
            ActionType::Licensing => Self::Licensing,
            ActionType::Penalty => Self::Penalty,
            ActionType::Coercion => Self::Coercion,
            ActionType::Inspection => Self::Inspection,
            ActionType::Levy => Self::Levy,
            ActionType::Other => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MustRecord;

    #[test]
    fn every_entry_reads_back_from_its_name() {
        for item in MustRecord::ALL {
            assert_eq!(MustRecord::parse(item.as_str()), Some(item));
            assert_eq!(
                serde_json::to_string(&item).unwrap(),
                format!("\"{}\"", item.as_str())
            );
        }
        assert_eq!(MustRecord::parse("hearings"), None);
    }
}
