//! A case's three-systems records through the site API (see the table in `api.rs`): what the
//! handling unit says about it, its legal review, its decision (refused for a major case until
//! a review passed), the decision's publication, and the case's archiving; and the agency's
//! list of what is due. Only clerks and reviewers of the case's agency reach its case; dates
//! are counted on the site's working-day calendar.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use records::review::{NewDecision, NewReview};
use site_api::CHECKLIST;
use site_api::DueQuery;
use site_api::routes;
use site_api::{
    AgencyDue, ApiError, ApproveDecision, ArchiveStep, CaseView, PrepareCase, PublicationStep,
    RecordDecision, RecordDiscussion, ReviewCase, Role,
};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

/// The site's local day.
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl Authenticated {
    /// Refuses anyone but the agency's publicity reviewers (`publicity_reviewers`, else its
    /// access approvers) where it names any: what goes public is theirs to release.
    pub(super) fn releases_for(&self, state: &AppState, agency: &str) -> Result<(), Failure> {
        let Some(spec) = state.site.agency(agency) else {
            return Ok(());
        };
        let releasers = spec.releasers();
        let theirs = self
            .0
            .staff_id
            .as_ref()
            .is_some_and(|staff| releasers.contains(staff));
        if releasers.is_empty() || theirs {
            return Ok(());
        }
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!(
                "what the agency publishes is released by its publicity reviewers ({}), with their own token",
                releasers.join(", ")
            ),
        ))
    }

    /// The agency of a clerk's or reviewer's token: the only agency whose cases it reaches.
    pub(crate) fn case_agency(&self) -> Result<String, Failure> {
        match (&self.0.role, &self.0.agency_id) {
            (Role::Clerk, Some(agency)) => Ok(agency.clone()),
            _ => Err(Failure::new(
                StatusCode::FORBIDDEN,
                format!(
                    "a {} token reaches no agency's cases; use the token of a clerk or reviewer of the agency",
                    self.0.role.as_str()
                ),
            )),
        }
    }
}

impl AppState {
    pub(super) async fn case_view(&self, agency: String, number: String) -> Answer<CaseView> {
        let site = self.site.clone();
        Ok(Json(
            self.db
                .read(move |store| store.case_view(&site.calendar, &agency, &number))
                .await?,
        ))
    }
}

#[utoipa::path(get, path = routes::CASE_CHECKLIST, tag = "cases", security(("token" = [])),
    responses((status = 200, description = "the items every legal review checks, in order", body = Vec<String>)))]
pub(crate) async fn checklist(_caller: Authenticated) -> Json<Vec<String>> {
    Json(CHECKLIST.iter().map(|item| item.to_string()).collect())
}

#[utoipa::path(get, path = routes::CASE, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    responses(
        (status = 200, description = "the case: why it is major, its reviews, decision, publication, archiving and sessions", body = CaseView),
        (status = 403, description = "not a clerk's or reviewer's token", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
    ))]
pub(crate) async fn case(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
) -> Answer<CaseView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    state.case_view(agency, number).await
}

#[utoipa::path(put, path = routes::CASE, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = PrepareCase,
    responses(
        (status = 200, description = "the case as now recorded", body = CaseView),
        (status = 400, description = "a handler who is not staff of the agency, an overlong party", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token, or a change that loosens the case or changes its team by someone who is not an approver", body = ApiError),
    ))]
pub(crate) async fn prepare(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<PrepareCase>, JsonRejection>,
) -> Answer<CaseView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(case) = body?;
    let approver = caller
        .0
        .staff_id
        .as_ref()
        .is_some_and(|staff| state.access_policy(Some(&agency)).approvers.contains(staff));
    let who = caller.0.who().to_string();
    let (a, n) = (agency.clone(), number.clone());
    state
        .db
        .call_durably(move |store| {
            let editor = records::CaseEditor {
                who: &who,
                approver,
            };
            store.prepare_case(&a, &n, &case, editor)
        })
        .await?;
    state.case_view(agency, number).await
}

#[utoipa::path(post, path = routes::CASE_REVIEWS, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = ReviewCase,
    responses(
        (status = 201, description = "the review is kept (it can never be changed); the case", body = CaseView),
        (status = 400, description = "no opinion", body = ApiError),
        (status = 403, description = "not a legal reviewer of the agency", body = ApiError),
        (status = 409, description = "the reviewer handles the case, or a pass with an item that does not hold", body = ApiError),
    ))]
pub(crate) async fn review(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<ReviewCase>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(review) = body?;
    let reviewer = caller.0.staff_id.clone().ok_or_else(|| {
        Failure::new(
            StatusCode::FORBIDDEN,
            "a legal review is signed by its reviewer: use the reviewer's own token (`token issue --staff`)",
        )
    })?;
    let (a, n) = (agency.clone(), number.clone());
    state
        .db
        .call_durably(move |store| {
            store.review_case(
                &a,
                &n,
                &NewReview {
                    reviewer_id: &reviewer,
                    checklist: review.checklist,
                    outcome: review.outcome,
                    opinion: &review.opinion,
                    disagreement: &review.disagreement,
                    settled: &review.settled,
                },
            )
        })
        .await?;
    Ok((StatusCode::CREATED, state.case_view(agency, number).await?))
}

#[utoipa::path(post, path = routes::CASE_DISCUSSION, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = RecordDiscussion,
    responses(
        (status = 201, description = "the collective discussion (集体讨论) is kept with the case", body = CaseView),
        (status = 400, description = "fewer than two participants, or no outcome", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
    ))]
pub(crate) async fn discuss(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<RecordDiscussion>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(discussion) = body?;
    let by = caller.0.who().to_string();
    let (a, n) = (agency.clone(), number.clone());
    state
        .db
        .call_durably(move |store| store.record_discussion(&a, &n, &discussion, &by))
        .await?;
    Ok((StatusCode::CREATED, state.case_view(agency, number).await?))
}

#[utoipa::path(post, path = routes::CASE_APPROVAL, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = ApproveDecision,
    responses(
        (status = 201, description = "the head's approval (负责人审批) is kept with the case, after its latest passed review", body = CaseView),
        (status = 403, description = "not the own token of the agency's head", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
        (status = 409, description = "the case has no passed review to approve after", body = ApiError),
    ))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<ApproveDecision>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(approval) = body?;
    let head = caller.0.staff_id.clone().ok_or_else(|| {
        Failure::new(
            StatusCode::FORBIDDEN,
            "a decision is approved by the agency's head with their own token (`token issue --staff`)",
        )
    })?;
    let (a, n) = (agency.clone(), number.clone());
    state
        .db
        .call_durably(move |store| store.approve_decision(&a, &n, &head, &approval.note))
        .await?;
    Ok((StatusCode::CREATED, state.case_view(agency, number).await?))
}

#[utoipa::path(post, path = routes::CASE_DECISION, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = RecordDecision,
    responses(
        (status = 201, description = "the decision is recorded and entered for publication, with its due date", body = CaseView),
        (status = 403, description = "not a clerk's or reviewer's token", body = ApiError),
        (status = 409, description = "a major case without a passed legal review, a case on the agency's recording list with nothing recorded and no reason given, or a decision already recorded", body = ApiError),
    ))]
pub(crate) async fn decide(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<RecordDecision>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(decision) = body?;
    if decision.document_number.trim().is_empty() || decision.conclusion.trim().is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "a decision needs its document number (决定书文号) and its conclusion",
        ));
    }
    let (a, n, site) = (agency.clone(), number.clone(), state.site.clone());
    let by = caller.0.who().to_string();
    state
        .db
        .call_durably(move |store| {
            let must_record = site
                .agency(&a)
                .map(|agency| agency.must_record.as_slice())
                .unwrap_or_default();
            store.record_decision(
                &site.calendar,
                &a,
                &n,
                &NewDecision {
                    document_number: &decision.document_number,
                    conclusion: &decision.conclusion,
                    decided_on: decision.decided_on,
                    recorded_by: &by,
                    reasons: decision.reasons,
                    unrecorded_because: decision.unrecorded_because.as_deref(),
                    must_record,
                },
            )
        })
        .await?;
    Ok((StatusCode::CREATED, state.case_view(agency, number).await?))
}

#[utoipa::path(post, path = routes::CASE_PUBLICATION, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = PublicationStep,
    responses(
        (status = 200, description = "the case with its publication as now recorded", body = CaseView),
        (status = 403, description = "publishing without being one of the agency's publicity reviewers (publicity_reviewers, else access_approvers)", body = ApiError),
        (status = 404, description = "no decision recorded for the case", body = ApiError),
        (status = 409, description = "a decision that is never published (a minor, a secret)", body = ApiError),
    ))]
pub(crate) async fn publication(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<PublicationStep>, JsonRejection>,
) -> Answer<CaseView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(step) = body?;
    // Release review (拟公示信息审核): what goes public is released by the agency's publicity
    // reviewers; taking a decision down is anyone's of the agency.
    if matches!(step, PublicationStep::Publish { .. }) {
        caller.releases_for(&state, &agency)?;
    }
    let (a, n, site) = (agency.clone(), number.clone(), state.site.clone());
    state
        .db
        .call_durably(move |store| {
            store.publication(&a, &n)?;
            match step {
                PublicationStep::Publish { on } => store.publish(&a, &n, on.unwrap_or_else(today)),
                PublicationStep::Revoke { on } => store
                    .revoke_publication(&site.calendar, &a, &n, on.unwrap_or_else(today))
                    .map(|_| ()),
                PublicationStep::Withdraw { on } => {
                    store.withdraw_publication(&a, &n, on.unwrap_or_else(today))
                }
            }
        })
        .await?;
    // The publicity screens and the hall board show published decisions; the step went into
    // the exchange's outbox.
    state.live.hall_changed();
    state.exchange_wake.notify_one();
    state.case_view(agency, number).await
}

#[utoipa::path(post, path = routes::CASE_ARCHIVE, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = ArchiveStep,
    responses(
        (status = 200, description = "the case with its archiving as now recorded", body = CaseView),
        (status = 409, description = "audio/video records while a recording of the case has not ended", body = ApiError),
    ))]
pub(crate) async fn archive(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<ArchiveStep>, JsonRejection>,
) -> Answer<CaseView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(step) = body?;
    let (a, n) = (agency.clone(), number.clone());
    let on = step.on.unwrap_or_else(today);
    state
        .db
        .call_durably(move |store| match step.part {
            None => store.end_action(&a, &n, on),
            Some(part) => store.mark_archived(&a, &n, part, on),
        })
        .await?;
    state.case_view(agency, number).await
}

/// Last year's annual report, from 1 January until delivered (or, without an exchange, until
/// handed over); overdue after 31 January.
fn annual_report_due(
    store: &records::Store,
    agency: &str,
    day: NaiveDate,
    exchange_configured: bool,
) -> Result<Option<site_api::AnnualReportDue>, records::StoreError> {
    use chrono::Datelike;
    let year = day.year() - 1;
    let (queued, delivered) = store.annual_report_handed(agency, year)?;
    if delivered || (queued && !exchange_configured) {
        return Ok(None);
    }
    let due_on = NaiveDate::from_ymd_opt(day.year(), 1, 31).unwrap_or(day);
    Ok(Some(site_api::AnnualReportDue {
        year,
        due_on,
        overdue: day > due_on,
        queued,
    }))
}

#[utoipa::path(get, path = routes::AGENCY_DUE, tag = "cases", security(("token" = [])),
    params(DueQuery),
    responses(
        (status = 200, description = "publication overdue, due soon and to withdraw; archiving due; the reviewer ratio: a clerk's or reviewer's own agency's, or the agency the supervisor names", body = AgencyDue),
        (status = 400, description = "the supervisor named no agency", body = ApiError),
        (status = 403, description = "a kiosk's or admin's token, or a clerk naming another agency", body = ApiError),
        (status = 404, description = "the supervisor named an agency the site does not have", body = ApiError),
    ))]
pub(crate) async fn due(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<DueQuery>, QueryRejection>,
) -> Answer<AgencyDue> {
    let Query(query) = query?;
    let agency = match (caller.0.role, query.agency) {
        (Role::Supervisor, Some(agency)) => {
            if state.site.agency(&agency).is_none() {
                return Err(Failure::new(
                    StatusCode::NOT_FOUND,
                    format!("agency {agency} is not one of this site's agencies"),
                ));
            }
            agency
        }
        (Role::Supervisor, None) => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "name the agency whose due list to read: ?agency=<id>",
            ));
        }
        (_, asked) => {
            let own = caller.case_agency()?;
            if asked.is_some_and(|asked| asked != own) {
                return Err(Failure::new(
                    StatusCode::FORBIDDEN,
                    "a clerk's token reads its own agency's due list only",
                ));
            }
            own
        }
    };
    let day = query.day.unwrap_or_else(today);
    let soon = query.soon.unwrap_or(3).min(60);
    let site = state.site.clone();
    let exchange_configured = site.exchange.is_some();
    Ok(Json(
        state
            .db
            .call_durably(move |store| {
                Ok(AgencyDue {
                    day,
                    publicity: store.publicity_due(&site.calendar, &agency, day, soon)?,
                    archiving: store.archiving_due(&site.calendar, &agency, day)?,
                    reviews: store.reviews_due(&agency, day)?,
                    awaiting_approval: store.awaiting_approval(&agency)?,
                    unrecorded: store.unrecorded_decisions(&agency)?,
                    annual_report: annual_report_due(store, &agency, day, exchange_configured)?,
                    inspections: store.inspections_due(&site.calendar, &agency, day)?,
                    reviewer_ratio: store.reviewer_ratio(&agency)?,
                })
            })
            .await?,
    ))
}
