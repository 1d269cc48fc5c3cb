//! The kinds of enforcement action the three systems distinguish.

use serde::{Deserialize, Serialize};

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
    /// Every kind, in the order reports list them.
    pub const ALL: [ActionType; 6] = [
        Self::Licensing,
        Self::Penalty,
        Self::Coercion,
        Self::Inspection,
        Self::Levy,
        Self::Other,
    ];

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
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
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
