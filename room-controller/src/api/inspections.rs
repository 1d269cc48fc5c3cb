//! Inspections (行政检查) through the site API: recorded with their results by the agency's
//! staff, published a batch (a month or a quarter) at a time by its publicity reviewers.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use site_api::routes;
use site_api::{ApiError, InspectionView, PublishInspections, RecordInspection};

use super::cases::today;
use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

#[utoipa::path(post, path = routes::INSPECTIONS, tag = "publicity", security(("token" = [])),
    request_body = RecordInspection,
    responses(
        (status = 201, description = "kept in its batch (a month or a quarter, as the agency publishes)", body = InspectionView),
        (status = 400, description = "an empty subject, item or result", body = ApiError),
        (status = 403, description = "not a token of an agency's staff", body = ApiError),
    ))]
pub(super) async fn record_inspection(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<RecordInspection>, JsonRejection>,
) -> Result<(StatusCode, Json<InspectionView>), Failure> {
    let agency = caller.case_agency()?;
    let Json(inspection) = body?;
    let batching = state
        .site
        .agency(&agency)
        .map(|a| a.inspection_batches)
        .unwrap_or_default();
    let who = caller.0.who().to_string();
    let view = state
        .db
        .call_durably(move |store| store.record_inspection(&agency, &inspection, batching, &who))
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = routes::INSPECTIONS_PUBLISH, tag = "publicity", security(("token" = [])),
    request_body = PublishInspections,
    responses(
        (status = 200, description = "the batch is published today: how many results", body = usize),
        (status = 403, description = "not one of the agency's publicity reviewers", body = ApiError),
        (status = 404, description = "no unpublished results in that period", body = ApiError),
    ))]
pub(super) async fn publish_inspections(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<PublishInspections>, JsonRejection>,
) -> Answer<usize> {
    let agency = caller.case_agency()?;
    let Json(batch) = body?;
    caller.releases_for(&state, &agency)?;
    let published = state
        .db
        .call_durably(move |store| store.publish_inspections(&agency, &batch.period, today()))
        .await?;
    state.live.hall_changed();
    Ok(Json(published))
}
