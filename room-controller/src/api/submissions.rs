//! Submissions for legal review through the site API (送审, 补充材料): the handling unit submits a
//! case with its materials, a reviewer of the agency may return it for more, and the handling
//! unit sends them. The review's due date counts the agency's limit in working days on the
//! site's calendar, and stops while the submission is returned.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hardware_profiles::DEFAULT_REVIEW_WORKING_DAYS;
use records::review_submissions::NewSubmission;
use site_api::routes;
use site_api::{ApiError, ReturnForMaterials, SubmissionView, SubmitForReview};

use super::cases::today;
use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

#[utoipa::path(post, path = routes::CASE_SUBMISSIONS, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = SubmitForReview,
    responses(
        (status = 201, description = "submitted for legal review, due the agency's number of working days later", body = SubmissionView),
        (status = 400, description = "no materials named, a material the agency requires missing, or an attachment of another case", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
        (status = 409, description = "an earlier submission of the case is still open", body = ApiError),
    ))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<SubmitForReview>, JsonRejection>,
) -> Result<(StatusCode, Json<SubmissionView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(submission) = body?;
    let by = caller.0.staff_id.clone().unwrap_or(caller.0.name.clone());
    let site = state.site.clone();
    let view = state
        .db
        .call_durably(move |store| {
            let spec = site.agency(&agency);
            let new = NewSubmission {
                submitted_by: &by,
                materials: &submission.materials,
                attachments: &submission.attachments,
                working_days: spec.map_or(DEFAULT_REVIEW_WORKING_DAYS, |a| a.review_working_days),
                required: spec
                    .map(|a| a.review_materials.as_slice())
                    .unwrap_or_default(),
            };
            store.submit_for_review(&site.calendar, &agency, &number, &new, today())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = routes::CASE_SUBMISSION_RETURN, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = ReturnForMaterials,
    responses(
        (status = 200, description = "returned for more materials; the review's clock stops with the working days left", body = SubmissionView),
        (status = 400, description = "no reason given", body = ApiError),
        (status = 403, description = "not the token of a legal reviewer of the case's agency", body = ApiError),
        (status = 409, description = "no submission of the case is waiting for review", body = ApiError),
    ))]
pub(crate) async fn return_for_materials(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<ReturnForMaterials>, JsonRejection>,
) -> Answer<SubmissionView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(returned) = body?;
    let reviewer = caller.0.staff_id.clone().ok_or_else(|| {
        Failure::new(
            StatusCode::FORBIDDEN,
            "a submission is returned by a legal reviewer: use the reviewer's own token (`token issue --staff`)",
        )
    })?;
    let site = state.site.clone();
    Ok(Json(
        state
            .db
            .call_durably(move |store| {
                store.return_for_materials(
                    &site.calendar,
                    &agency,
                    &number,
                    &reviewer,
                    &returned.reason,
                    today(),
                )
            })
            .await?,
    ))
}

#[utoipa::path(post, path = routes::CASE_SUBMISSION_RESUBMIT, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = SubmitForReview,
    responses(
        (status = 200, description = "the materials asked for are added; the clock runs again with the working days it had left", body = SubmissionView),
        (status = 400, description = "no materials named", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 409, description = "the case's submission was not returned", body = ApiError),
    ))]
pub(crate) async fn resubmit(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<SubmitForReview>, JsonRejection>,
) -> Answer<SubmissionView> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(materials) = body?;
    let site = state.site.clone();
    Ok(Json(
        state
            .db
            .call_durably(move |store| {
                store.resubmit_for_review(
                    &site.calendar,
                    &agency,
                    &number,
                    &materials.materials,
                    &materials.attachments,
                    today(),
                )
            })
            .await?,
    ))
}
