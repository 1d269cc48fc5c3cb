//! Requests to view or export a recording from outside the team that recorded it, their
//! approval, and the access log (read only: no route changes or removes an entry).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use site_api::routes;
use site_api::{
    ACCESS_LOG_PAGE, AccessEntry, AccessLogQuery, AccessRequestView, ApiError, DecideAccess,
    RequestAccess, Role,
};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

#[utoipa::path(post, path = routes::SESSION_ACCESS_REQUESTS, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    request_body = RequestAccess,
    responses(
        (status = 201, description = "the request, pending until an approver of the agency decides", body = AccessRequestView),
        (status = 400, description = "no purpose stated", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
    ))]
pub(crate) async fn request_access(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<RequestAccess>, JsonRejection>,
) -> Result<(StatusCode, Json<AccessRequestView>), Failure> {
    let Json(request) = body?;
    let caller = caller.0;
    let view = state
        .db
        .call_durably(move |store| {
            store.request_access(&caller, id, request.what, &request.purpose)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = routes::ACCESS_REQUESTS, tag = "sessions", security(("token" = [])),
    responses(
        (status = 200, description = "the caller's agency's requests, newest first", body = Vec<AccessRequestView>),
        (status = 403, description = "not a clerk's or reviewer's token", body = ApiError),
    ))]
pub(crate) async fn access_requests(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Answer<Vec<AccessRequestView>> {
    let agency = caller.clerk_agency()?;
    Ok(Json(
        state
            .db
            .read(move |store| store.access_requests(&agency))
            .await?,
    ))
}

#[utoipa::path(post, path = routes::ACCESS_REQUEST, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the request's number")),
    request_body = DecideAccess,
    responses(
        (status = 200, description = "the request as decided; an approval holds for 7 days", body = AccessRequestView),
        (status = 403, description = "not an approver of the agency (the site file's access_approvers), or one's own request", body = ApiError),
        (status = 404, description = "no such request for this agency", body = ApiError),
        (status = 409, description = "already decided", body = ApiError),
    ))]
pub(crate) async fn decide_access(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<DecideAccess>, JsonRejection>,
) -> Answer<AccessRequestView> {
    let Json(decision) = body?;
    let caller = caller.0;
    let policy = state.access_policy(caller.agency_id.as_deref());
    Ok(Json(
        state
            .db
            .call_durably(move |store| {
                store.decide_access(&caller, id, decision.approve, &decision.note, &policy)
            })
            .await?,
    ))
}

#[utoipa::path(get, path = routes::ACCESS_LOG, tag = "sessions", security(("token" = [])),
    params(AccessLogQuery),
    responses(
        (status = 200, description = "one page of the accesses to recordings, oldest first (at most 1000 lines; page on with ?after=<last id>): an admin sees all, a clerk their agency's callers' and the attempts on their agency's recordings", body = Vec<AccessEntry>),
        (status = 400, description = "after or limit is not a number", body = ApiError),
        (status = 403, description = "a kiosk's token", body = ApiError),
    ))]
pub(crate) async fn access_log(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<AccessLogQuery>, QueryRejection>,
) -> Answer<Vec<AccessEntry>> {
    let agency = match (&caller.0.role, &caller.0.agency_id) {
        (Role::Admin | Role::Supervisor, _) => None,
        (Role::Clerk, Some(agency)) => Some(agency.clone()),
        _ => {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "the access log is for the site administrator and the agencies' staff",
            ));
        }
    };
    let Query(query) = query?;
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(ACCESS_LOG_PAGE).min(ACCESS_LOG_PAGE);
    Ok(Json(
        state
            .db
            .read(move |store| store.access_log_of(agency.as_deref(), after, limit))
            .await?,
    ))
}
