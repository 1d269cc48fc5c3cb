//! Public display of enforcement information (行政执法公示), as the publicity screens, the
//! hall board and the static page export show it.
//!
//! Before the fact (事前): what an agency publishes about itself, written by the agency in its
//! publicity file (see `sites/demo/publicity/scjg.toml`) and read with unknown keys refused, so
//! that a misspelt field is an error rather than a gap on the screen. After the fact (事后): the
//! decisions the agency published, from the records.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::StaffView;

/// An agency's before-the-fact publicity.
/// A version of an agency's publicity as kept (`GET /api/agency/publicity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicityVersion {
    /// 0 for the site file's, then 1, 2, … for each change through the API.
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub publicity: AgencyPublicity,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyPublicity {
    /// The area it enforces in (执法区域), e.g. "本市行政区域".
    #[serde(default)]
    pub area: String,
    /// Its catalogue of major decisions (重大执法决定目录): the kinds of decision that need a
    /// legal review before they are made.
    #[serde(default)]
    pub major_decisions: Vec<String>,
    /// The kinds of decision that are also discussed collectively (集体讨论) before they are
    /// made; each is major as well.
    #[serde(default)]
    pub discussed_decisions: Vec<String>,
    /// Its enforcement items (执法事项清单).
    #[serde(default)]
    pub items: Vec<EnforcementItem>,
    /// Its random inspections (双随机、一公开).
    #[serde(default)]
    pub inspections: Vec<RandomInspection>,
    /// Service guides and their flow (服务指南、执法流程图).
    #[serde(default)]
    pub guides: Vec<ServiceGuide>,
    /// Where to turn for supervision and remedy (监督和救济渠道).
    #[serde(default)]
    pub channels: RemedyChannels,
}

/// One enforcement item: what the agency may do, on what basis, who does it, how fast and for
/// what fee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnforcementItem {
    pub name: String,
    /// 行政许可, 行政处罚, 行政强制, 行政检查, …
    pub category: String,
    /// 执法依据.
    pub basis: String,
    /// The handling body (承办机构).
    pub body: String,
    /// 办理时限.
    #[serde(default)]
    pub deadline: String,
    /// 收费标准; "不收费" when free.
    #[serde(default)]
    pub fees: String,
}

/// A random inspection (双随机抽查): what was checked, how, and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomInspection {
    pub plan: String,
    /// Who is inspected (抽查对象).
    pub subjects: String,
    /// How many of them, e.g. "5%".
    #[serde(default)]
    pub ratio: String,
    #[serde(default)]
    pub period: String,
    /// The outcome (抽查结果), once known.
    #[serde(default)]
    pub result: String,
}

/// A service guide: the steps as a flow, where, how long, what it costs, what to bring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceGuide {
    pub title: String,
    pub steps: Vec<String>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub fees: String,
    #[serde(default)]
    pub materials: Vec<String>,
}

/// Supervision and remedy channels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyChannels {
    /// 执法监督 (e.g. the justice bureau's line).
    #[serde(default)]
    pub supervision: String,
    /// 行政复议.
    #[serde(default)]
    pub reconsideration: String,
    /// 行政诉讼.
    #[serde(default)]
    pub litigation: String,
    /// 投诉举报.
    #[serde(default)]
    pub complaint: String,
}

/// A published decision as the public sees it: a person's name masked, an organisation's in
/// full; withheld and withdrawn decisions never appear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishedDecision {
    pub agency_name: String,
    pub party: String,
    /// 行政处罚, 行政许可, …
    pub category: String,
    pub document_number: String,
    pub conclusion: String,
    /// YYYY-MM-DD.
    pub decided_on: String,
    pub published_on: String,
}

/// One agency's publicity, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgencyPublicityView {
    pub agency_id: String,
    pub agency_name: String,
    pub before: AgencyPublicity,
    /// Its enforcement staff (执法人员清单): clerks and reviewers.
    pub staff: Vec<StaffView>,
    /// Its published decisions, newest first.
    pub decisions: Vec<PublishedDecision>,
    /// Its published inspection results (行政检查结果), newest first.
    #[serde(default)]
    pub inspection_results: Vec<crate::InspectionView>,
}

/// `GET /api/publicity`: every agency of the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicityView {
    pub site_name: String,
    pub agencies: Vec<AgencyPublicityView>,
}

impl AgencyPublicity {
    /// The first required field left empty, said as the file names it; None when all hold.
    pub fn first_blank(&self) -> Option<String> {
        for (n, item) in self.items.iter().enumerate() {
            for (field, value) in [
                ("name", &item.name),
                ("category", &item.category),
                ("basis", &item.basis),
                ("body", &item.body),
            ] {
                if value.trim().is_empty() {
                    return Some(format!("[[items]] number {} : `{field}`", n + 1));
                }
            }
        }
        for (n, guide) in self.guides.iter().enumerate() {
            if guide.title.trim().is_empty() || guide.steps.is_empty() {
                return Some(format!("[[guides]] number {}: `title` or `steps`", n + 1));
            }
        }
        for (n, inspection) in self.inspections.iter().enumerate() {
            if inspection.plan.trim().is_empty() || inspection.subjects.trim().is_empty() {
                return Some(format!(
                    "[[inspections]] number {}: `plan` or `subjects`",
                    n + 1
                ));
            }
        }
        None
    }
}

/// The query of `GET /api/agency/publicity`: the supervisor names the agency; a token of an
/// agency reads its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}
