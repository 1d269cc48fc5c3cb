//! Handing the agency's annual report to the exchange with the province's platform.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use chrono::Datelike;
use site_api::routes;
use site_api::{ApiError, ExchangeStatus, SendAnnualReport};

use super::cases::today;
use super::failure::Failure;
use super::state::AppState;
use crate::auth::Authenticated;

#[utoipa::path(post, path = routes::ANNUAL_REPORT_SEND, tag = "cases", security(("token" = [])),
    request_body = SendAnnualReport,
    responses(
        (status = 201, description = "the report is in the exchange's outbox (once per agency and year); where the outbox stands", body = ExchangeStatus),
        (status = 400, description = "a year that has not ended", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of an agency", body = ApiError),
    ))]
pub(super) async fn send_annual_report(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<SendAnnualReport>, JsonRejection>,
) -> Result<(StatusCode, Json<ExchangeStatus>), Failure> {
    let agency = caller.case_agency()?;
    let Json(SendAnnualReport { year }) = body?;
    if year >= today().year() || year < 2000 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            format!("the annual report of {year} cannot be sent: only a year that has ended"),
        ));
    }
    let status = state
        .db
        .call_durably(move |store| {
            store.enqueue_annual_report(&agency, year)?;
            store.exchange_status()
        })
        .await?;
    state.exchange_wake.notify_one();
    Ok((StatusCode::CREATED, Json(status)))
}
