//! The register of enforcement decisions to publish (行政执法事后公示), as the agency sees it, and
//! the secrecy (保密) that keeps a decision or a recording from view.

use chrono::NaiveDate;

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidentiality {
    #[default]
    Public,
    Internal,
    TradeSecret,
    PersonalPrivacy,
    StateSecret,
}

impl Confidentiality {
    pub fn parse(text: &str) -> Self {
        match text {
            "internal" => Self::Internal,
            "trade_secret" => Self::TradeSecret,
            "personal_privacy" => Self::PersonalPrivacy,
            "state_secret" => Self::StateSecret,
            _ => Self::Public,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::TradeSecret => "trade_secret",
            Self::PersonalPrivacy => "personal_privacy",
            Self::StateSecret => "state_secret",
        }
    }
}

/// An entry of the register, as the agency sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Publication {
    pub agency_id: String,
    pub case_number: String,
    pub party_shown: String,
    pub action_type: String,
    pub document_number: String,
    pub conclusion: String,
    pub decided_on: NaiveDate,
    pub due_on: NaiveDate,
    pub withheld_because: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    pub withdraw_due: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

/// What an agency must do about publication, on a given day.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct PublicityDue {
    /// Past their due date and not published.
    pub overdue: Vec<Publication>,
    /// Due within the next `soon` working days.
    pub due_soon: Vec<Publication>,
    /// Revoked or changed and still shown.
    pub to_withdraw: Vec<Publication>,
}
