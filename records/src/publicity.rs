//! Rules of 行政执法公示 and 执法全过程记录 that are about dates and names:
//! when a decision must be published, withdrawn and archived, and how a person's name is masked
//! before publication.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkCalendar};

/// The kinds of enforcement action the three systems distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionType {
    /// 行政许可
    Licensing,
    /// 行政处罚
    Penalty,
    /// 行政强制
    Coercion,
    /// 行政检查
    Inspection,
    /// 行政征收征用
    Levy,
    Other,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licensing => "licensing",
            Self::Penalty => "penalty",
            Self::Coercion => "coercion",
            Self::Inspection => "inspection",
            Self::Levy => "levy",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Licensing,
            Self::Penalty,
            Self::Coercion,
            Self::Inspection,
            Self::Levy,
            Self::Other,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// The name the law gives it, in Chinese and English.
    pub fn label(self) -> &'static str {
        match self {
            Self::Licensing => "行政许可 licensing",
            Self::Penalty => "行政处罚 penalty",
            Self::Coercion => "行政强制 coercion",
            Self::Inspection => "行政检查 inspection",
            Self::Levy => "行政征收征用 levy or requisition",
            Self::Other => "其他 other",
        }
    }
}

/// Licensing and penalty decisions are published within 7 working days of the decision, other
/// decisions within 20; the day of the decision is not counted.
pub fn publication_due(
    calendar: &WorkCalendar,
    kind: ActionType,
    decided_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let days = match kind {
        ActionType::Licensing | ActionType::Penalty => 7,
        _ => 20,
    };
    calendar.add_working_days(decided_on, days)
}

/// A revoked or changed decision is withdrawn the same day, and at the latest within 5 working
/// days: the date returned is that latest day.
pub fn withdrawal_due(
    calendar: &WorkCalendar,
    changed_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    calendar.add_working_days(changed_on, 5)
}

/// Text and audio/video records are archived within 30 days of the end of the enforcement
/// action; a period ending on a rest day runs to the next working day.
pub fn archive_due(
    calendar: &WorkCalendar,
    action_ended_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    calendar.period_end(action_ended_on, 30)
}

/// Two-character surnames, kept whole when masking (the common ones in use today).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "澹台", "申屠", "太史",
    "钟离", "呼延",
];

/// Masks a natural person's name for publication as agencies do: the surname stays, every
/// other character becomes 某 ("张三丰" → "张某某", "欧阳修" → "欧阳某"). A name that is not
/// written in Chinese characters keeps its first letter only.
pub fn mask_person_name(name: &str) -> String {
    let name = name.trim();
    let chinese = name
        .chars()
        .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·');
    if !chinese || name.is_empty() {
        return name
            .chars()
            .next()
            .map(|c| format!("{c}某"))
            .unwrap_or_default();
    }
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map(|s| s.to_string())
        .unwrap_or_else(|| name.chars().take(1).collect());
    let hidden = (name.chars().count() - surname.chars().count()).max(1);
    format!("{surname}{}", "某".repeat(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn licensing_and_penalties_are_due_in_7_working_days_others_in_20() {
        let cal = WorkCalendar::built_in().unwrap();
        assert_eq!(
            publication_due(&cal, ActionType::Penalty, d("2025-01-24")).unwrap(),
            d("2025-02-10")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Licensing, d("2026-02-12")).unwrap(),
            d("2026-02-28")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Coercion, d("2026-09-18")).unwrap(),
            d("2026-10-22")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Inspection, d("2025-01-24")).unwrap(),
            d("2025-02-27")
        );
    }

    #[test]
    fn withdrawal_and_archive_deadlines() {
        let cal = WorkCalendar::built_in().unwrap();
        assert_eq!(
            withdrawal_due(&cal, d("2025-04-30")).unwrap(),
            d("2025-05-12")
        );
        assert_eq!(archive_due(&cal, d("2025-12-02")).unwrap(), d("2026-01-04"));
        assert_eq!(
            archive_due(&cal, d("2025-09-05")).unwrap(),
            d("2025-10-09"),
            "5 Oct is in the National Day holiday"
        );
    }

    #[test]
    fn names_keep_the_surname_only() {
        assert_eq!(mask_person_name("张三"), "张某");
        assert_eq!(mask_person_name("张三丰"), "张某某");
        assert_eq!(mask_person_name("欧阳修"), "欧阳某");
        assert_eq!(
            mask_person_name("欧阳"),
            "欧某",
            "a two-character name is surname + given name"
        );
        assert_eq!(mask_person_name(" 李 "), "李某");
        assert_eq!(mask_person_name("John Smith"), "J某");
    }
}
