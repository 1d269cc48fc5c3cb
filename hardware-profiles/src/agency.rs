//! An agency in the site file: its name, where its before-the-fact publicity is written, and
//! its rule for access to its recordings from outside the team that recorded them.
//!
//! ```toml
//! [[agencies]]
//! id = "scjg"
//! name = "市市场监督管理局"
//! publicity = "publicity/scjg.toml"     # optional: items, inspections, guides, channels
//! recordings_need_approval = true       # optional: every outside access needs an approval
//! access_approvers = ["zhao-min"]       # staff ids who approve (see `staff add`)
//! review_working_days = 5               # optional: the legal review's time limit
//! review_materials = ["调查终结报告"]     # optional: what every 送审 must include
//! must_record = ["coercion", "hearing", "left_at_door"]  # optional: 音像记录事项清单
//! publicity_reviewers = ["qian-li"]     # optional: who releases decisions for publication
//! inspection_batches = "quarterly"      # optional: inspection results per month (default) or quarter
//! clear_after_ingest = true             # optional: clear docked cameras once every copy is verified
//! footage_retention_days = 180          # optional: how long footage linked to no case is kept
//! ```

use serde::Deserialize;
use site_api::AccessPolicy;
use site_api::AgencyPublicity;
use site_api::{DEFAULT_FOOTAGE_RETENTION_DAYS, InspectionBatching, MustRecord};
use std::path::{Path, PathBuf};
use toml::Spanned;

use crate::ConfigError;
use crate::checker::Checker;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencySpec {
    pub id: String,
    pub name: String,
    /// The publicity file, when the agency has one.
    pub publicity_file: Option<PathBuf>,
    pub publicity: AgencyPublicity,
    pub access: AccessPolicy,
    /// The legal review's time limit (法制审核期限), in working days from submission.
    pub review_working_days: u32,
    /// The materials every submission for review must name (送审材料清单).
    pub review_materials: Vec<String>,
    /// The recording list (音像记录事项清单): what must be recorded on audio and video.
    pub must_record: Vec<MustRecord>,
    /// Who releases decisions for publication (拟公示信息审核): staff ids; the access
    /// approvers when none are named; anyone of the agency when neither is.
    pub publicity_reviewers: Vec<String>,
    /// How the agency publishes its inspection results: per month or per quarter.
    pub inspection_batches: InspectionBatching,
    /// Whether a docked body-worn camera is cleared once every file of it is collected and
    /// verified (off: the officer clears it).
    pub clear_after_ingest: bool,
    /// How long body-worn camera footage linked to no case is kept, in days (the rules leave
    /// the number to each agency); footage linked to a case is never removed by the sweep.
    pub footage_retention_days: u32,
}

impl AgencySpec {
    /// The staff who release the agency's decisions for publication; empty when anyone of the
    /// agency may.
    pub fn releasers(&self) -> &[String] {
        if self.publicity_reviewers.is_empty() {
            &self.access.approvers
        } else {
            &self.publicity_reviewers
        }
    }
}

/// The review time limit when the site file sets none: five working days, the limit most
/// provinces' rules set for 法制审核.
pub const DEFAULT_REVIEW_WORKING_DAYS: u32 = 5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgencyEntry {
    pub(crate) id: Spanned<String>,
    name: String,
    publicity: Option<Spanned<PathBuf>>,
    #[serde(default)]
    recordings_need_approval: bool,
    #[serde(default)]
    access_approvers: Vec<Spanned<String>>,
    review_working_days: Option<Spanned<u32>>,
    #[serde(default)]
    review_materials: Vec<String>,
    #[serde(default)]
    must_record: Vec<Spanned<String>>,
    #[serde(default)]
    publicity_reviewers: Vec<Spanned<String>>,
    inspection_batches: Option<Spanned<String>>,
    #[serde(default)]
    clear_after_ingest: bool,
    footage_retention_days: Option<Spanned<u32>>,
}

impl Checker<'_> {
    pub(crate) fn check_agency(
        &self,
        agency: AgencyEntry,
        base: &Path,
    ) -> Result<AgencySpec, ConfigError> {
        self.check_id(&agency.id, "agency")?;
        for approver in &agency.access_approvers {
            self.check_id(approver, "approver (a staff)")?;
        }
        for reviewer in &agency.publicity_reviewers {
            self.check_id(reviewer, "publicity reviewer (a staff)")?;
        }
        if agency.recordings_need_approval && agency.access_approvers.is_empty() {
            return self.err(agency.id.span(), format!(
                "agency \"{}\" has recordings_need_approval = true but names nobody to approve: add access_approvers = [\"STAFF-ID\", …]",
                agency.id.get_ref()
            ));
        }
        let review_working_days = match &agency.review_working_days {
            None => DEFAULT_REVIEW_WORKING_DAYS,
            Some(days) if (1..=30).contains(days.get_ref()) => *days.get_ref(),
            Some(days) => {
                return self.err(days.span(), format!(
                    "agency \"{}\" has review_working_days = {}: the legal review's time limit is 1 to 30 working days",
                    agency.id.get_ref(),
                    days.get_ref()
                ));
            }
        };
        let mut must_record = Vec::new();
        for item in &agency.must_record {
            let Some(entry) = MustRecord::parse(item.get_ref()) else {
                let known: Vec<&str> = MustRecord::ALL.iter().map(|m| m.as_str()).collect();
                return self.err(
                    item.span(),
                    format!(
                        "agency \"{}\" has must_record entry \"{}\", which is not one of: {}",
                        agency.id.get_ref(),
                        item.get_ref(),
                        known.join(", ")
                    ),
                );
            };
            must_record.push(entry);
        }
        let inspection_batches = match &agency.inspection_batches {
            None => InspectionBatching::default(),
            Some(text) => match InspectionBatching::parse(text.get_ref()) {
                Some(batching) => batching,
                None => {
                    return self.err(text.span(), format!(
                        "agency \"{}\" has inspection_batches = \"{}\": write \"monthly\" or \"quarterly\"",
                        agency.id.get_ref(),
                        text.get_ref()
                    ));
                }
            },
        };
        let footage_retention_days = match &agency.footage_retention_days {
            None => DEFAULT_FOOTAGE_RETENTION_DAYS,
            Some(days) if *days.get_ref() >= 1 => *days.get_ref(),
            Some(days) => {
                return self.err(days.span(), format!(
                    "agency \"{}\" has footage_retention_days = 0: footage is kept at least a day; write the number of days your rules set",
                    agency.id.get_ref()
                ));
            }
        };
        let (publicity_file, publicity) = match &agency.publicity {
            None => (None, AgencyPublicity::default()),
            Some(path) => {
                let file = base.join(path.get_ref());
                let text = std::fs::read_to_string(&file).or_else(|err| {
                    self.err(path.span(), format!(
                        "cannot read the publicity file {}: {err}; write it (see sites/demo/publicity/scjg.toml) or leave `publicity` out",
                        file.display()
                    ))
                })?;
                let publicity = read_publicity(&file, &text)?;
                (Some(file), publicity)
            }
        };
        Ok(AgencySpec {
            id: agency.id.into_inner(),
            name: agency.name,
            publicity_file,
            publicity,
            access: AccessPolicy {
                approval_required: agency.recordings_need_approval,
                approvers: agency
                    .access_approvers
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
            },
            review_working_days,
            review_materials: agency
                .review_materials
                .iter()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect(),
            must_record,
            publicity_reviewers: agency
                .publicity_reviewers
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            inspection_batches,
            clear_after_ingest: agency.clear_after_ingest,
            footage_retention_days,
        })
    }
}

/// Reads an agency's publicity file: unknown keys and empty required fields are errors that
/// name the line.
fn read_publicity(file: &Path, text: &str) -> Result<AgencyPublicity, ConfigError> {
    let publicity: AgencyPublicity =
        toml::from_str(text).map_err(|err| ConfigError::from_toml(file, text, &err))?;
    if let Some(what) = publicity.first_blank() {
        return Err(ConfigError::new(
            file,
            None,
            format!("{what} is empty; write it, or remove the entry"),
        ));
    }
    Ok(publicity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_publicity_key_names_its_line() {
        let file = Path::new("scjg.toml");
        let err = read_publicity(file, "area = \"本市\"\n\n[[items]]\nname = \"x\"\ncategory = \"行政处罚\"\nbasis = \"法\"\nbody = \"科\"\nfee = \"不收费\"\n")
            .unwrap_err();
        assert_eq!(err.line, Some(8), "{err}");
        assert!(err.message.contains("fee"), "{err}");
        let err = read_publicity(file, "[[guides]]\ntitle = \"指南\"\nsteps = []\n").unwrap_err();
        assert!(err.message.contains("guides"), "{err}");
    }
}
