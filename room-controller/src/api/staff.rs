//! Enforcement staff as the public may see them (行政执法人员信息公示), and their photos.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use site_api::routes;
use site_api::{ApiError, StaffQuery, StaffView};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

/// Staff as the public may see them (行政执法人员信息公示): any token, kiosks included.
#[utoipa::path(get, path = routes::STAFF, tag = "staff", security(("token" = [])),
    params(("agency" = Option<String>, Query, description = "only this agency's staff")),
    responses(
        (status = 200, description = "active staff as the public may see them", body = Vec<StaffView>),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
pub(super) async fn staff(
    State(state): State<AppState>,
    _caller: Authenticated,
    query: Result<Query<StaffQuery>, QueryRejection>,
) -> Answer<Vec<StaffView>> {
    let Query(query) = query?;
    Ok(Json(
        state
            .db
            .read(move |store| store.staff(query.agency.as_deref()))
            .await?,
    ))
}

#[utoipa::path(get, path = routes::STAFF_PHOTO, tag = "staff", security(("token" = [])),
    params(("id" = String, Path, description = "the staff member's id")),
    responses(
        (status = 200, description = "the photo", content_type = "image/jpeg"),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such staff member or no photo", body = ApiError),
    ))]
pub(super) async fn staff_photo(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let (bytes, kind) = state.db.read(move |store| store.staff_photo(&id)).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind),
            (axum::http::header::CACHE_CONTROL, "max-age=300".into()),
        ],
        bytes,
    )
        .into_response())
}
