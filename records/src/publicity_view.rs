//! What the public sees of each agency (行政执法公示): its before-the-fact publicity as its
//! publicity file says, its enforcement staff, and the decisions it published (masked, never
//! withheld or withdrawn ones). The API, the kiosk and the static page export all read this.

use crate::{Store, StoreError};
use site_api::{
    ActionType, AgencyPublicity, AgencyPublicityView, PublicityView, PublishedDecision, StaffRole,
};

/// An agency as the site file describes it, for the public view.
pub struct PublicAgency<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub before: &'a AgencyPublicity,
}

impl Store {
    pub fn publicity_view(
        &self,
        site_name: &str,
        agencies: &[PublicAgency<'_>],
    ) -> Result<PublicityView, StoreError> {
        let mut views = Vec::new();
        for agency in agencies {
            let staff = self
                .staff(Some(agency.id))?
                .into_iter()
                .filter(|s| matches!(s.role, StaffRole::Clerk | StaffRole::Reviewer))
                .collect();
            let mut decisions: Vec<PublishedDecision> = self
                .published(agency.id)?
                .into_iter()
                .map(|p| PublishedDecision {
                    agency_name: agency.name.to_string(),
                    party: p.party_shown,
                    category: ActionType::parse(&p.action_type)
                        .unwrap_or(ActionType::Other)
                        .label()
                        .to_string(),
                    document_number: p.document_number,
                    conclusion: p.conclusion,
                    decided_on: p.decided_on.format("%Y-%m-%d").to_string(),
                    published_on: p
                        .published_on
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                })
                .collect();
            decisions.sort_by(|a, b| {
                (&b.published_on, &b.document_number).cmp(&(&a.published_on, &a.document_number))
            });
            views.push(AgencyPublicityView {
                agency_id: agency.id.to_string(),
                agency_name: agency.name.to_string(),
                before: agency.before.clone(),
                staff,
                decisions,
                inspection_results: self.published_inspections(agency.id)?,
            });
        }
        Ok(PublicityView {
            site_name: site_name.to_string(),
            agencies: views,
        })
    }
}
