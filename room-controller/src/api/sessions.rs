//! Recorded sessions: start, read, stop, mark, pause, resume, export. Every read and export is
//! an access to a recording, decided and logged by the records.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use site_api::routes;
use site_api::{
    AddMarker, ApiError, RecordingUse, SessionState, SessionView, StartSession, StatedPurpose,
};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

#[utoipa::path(post, path = routes::ROOM_SESSIONS, tag = "sessions", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    request_body = StartSession,
    responses(
        (status = 201, description = "recording: media is being written", body = SessionView),
        (status = 400, description = "a bad request body", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "not a clerk, or not this agency", body = ApiError),
        (status = 409, description = "the room is busy or not shared with the agency", body = ApiError),
        (status = 503, description = "the devices did not start; the message says which", body = ApiError),
        (status = 507, description = "not enough free disk for the site's minimum", body = ApiError),
    ))]
pub(crate) async fn start_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room): Path<String>,
    body: Result<Json<StartSession>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionView>), Failure> {
    let agency_id = caller.clerk_agency()?;
    let Json(request) = body?;
    let case_number = records::case_number(&request.case_number)?;
    if let Some(asked) = request.agency_id.filter(|asked| *asked != agency_id) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!("your token acts for agency {agency_id}, not {asked}"),
        ));
    }
    let handle = state.room(&room)?;
    let (agency, number) = (agency_id.clone(), case_number.clone());
    // What the clerk says of the case at the start is a change of the case like any other:
    // kept in its history (and, as it only names the kind and the party, anyone's to make).
    let described = site_api::PrepareCase {
        action_type: request.action_type,
        party: request.party.clone(),
        ..Default::default()
    };
    let who = caller.0.who().to_string();
    state
        .db
        .call_durably(move |store| {
            let editor = records::CaseEditor {
                who: &who,
                approver: false,
            };
            store.prepare_case(&agency, &number, &described, editor)
        })
        .await?;
    let id = handle
        .start(agency_id, case_number, caller.0.who().to_string())
        .await?;
    let view = caller.session_access(&state, id, "start").await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = routes::SESSION, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number"), StatedPurpose),
    responses(
        (status = 200, description = "the session with its segments and events; the access is logged with its purpose", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "outside the team that recorded it: no purpose stated, or no approval where one is needed", body = ApiError),
        (status = 404, description = "no such session for this agency (also another agency's)", body = ApiError),
    ))]
pub(crate) async fn session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Answer<SessionView> {
    let Query(stated) = query?;
    Ok(Json(
        caller
            .recording_access(&state, id, RecordingUse::View, stated.purpose)
            .await?,
    ))
}

#[utoipa::path(post, path = routes::SESSION_STOP, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "stopped: every file is closed and hashed", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording", body = ApiError),
    ))]
pub(crate) async fn stop_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "stop").await?;
    let handle = state.room(&view.room_id)?;
    handle.stop(id).await?;
    Ok(Json(state.db.read(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = routes::SESSION_MARKERS, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    request_body = AddMarker,
    responses(
        (status = 200, description = "the marker is recorded", body = SessionView),
        (status = 400, description = "empty or overlong text", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording", body = ApiError),
    ))]
pub(crate) async fn add_marker(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<AddMarker>, JsonRejection>,
) -> Answer<SessionView> {
    caller.session_access(&state, id, "mark").await?;
    let Json(marker) = body?;
    let text = marker.text.trim().to_string();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "a marker's text must be 1 to 200 characters",
        ));
    }
    state
        .db
        .call_durably(move |store| store.add_marker(id, &text))
        .await?;
    Ok(Json(state.db.read(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = routes::SESSION_PAUSE, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "paused: every file so far is closed and hashed, the light is off; resume or stop it next", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording, or its room is recorded without pauses", body = ApiError),
    ))]
pub(crate) async fn pause_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "pause").await?;
    let handle = state.room(&view.room_id)?;
    handle.pause(id, caller.0.who().to_string()).await?;
    Ok(Json(state.db.read(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = routes::SESSION_RESUME, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "recording again into new segments of the same session; the gap is recorded", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is neither paused nor interrupted, or the room is busy", body = ApiError),
    ))]
pub(crate) async fn resume_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "resume").await?;
    let handle = state.room(&view.room_id)?;
    handle.resume(id).await?;
    Ok(Json(state.db.read(move |store| store.session(id)).await?))
}

/// The package for the case file, streamed as a tar. Only a session that has ended can be
/// exported, so that the package is complete; every export is in the access log.
#[utoipa::path(get, path = routes::SESSION_EXPORT, tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number"), StatedPurpose),
    responses(
        (status = 200, description = "a tar of the media, manifest.json, events.json and summary.txt; the export is logged with its purpose", content_type = "application/x-tar"),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "a state secret, or outside the team that recorded it without a purpose or a needed approval", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 503, description = "as many exports are running as the site allows at once; try again after Retry-After seconds", body = ApiError),
    ))]
pub(crate) async fn export_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Result<Response, Failure> {
    let Query(stated) = query?;
    // A download holds a permit for as long as it runs.
    let Some(permit) = crate::export::permit(&state.exports) else {
        return Ok(crate::export::busy(state.site.max_exports));
    };
    let view = caller
        .recording_access(&state, id, RecordingUse::Export, stated.purpose)
        .await?;
    if view.state.is_active() || view.state == SessionState::Paused {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            format!(
                "session {id} is still {}; stop it before exporting",
                view.state.as_str()
            ),
        ));
    }
    let dir = crate::room::session_dir(&state.site.media, &view.media_dir);
    let name = evidence::package_name(&view);
    let files = evidence::package_files(&view, &dir, caller.0.who(), Some(&state.site_key))
        .map_err(|err| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot prepare the export of session {id}: {err}"),
            )
        })?;
    Ok(crate::export::tar_answer(&name, files, permit))
}
