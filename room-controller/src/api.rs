//! The site API over HTTP (JSON). Every error answer is `{"error": "..."}` with one sentence
//! that says what happened and what to do. Every call but `/api/health` needs a token (see
//! `auth.rs`): kiosks see rooms; a clerk records and reads its own agency's sessions only.
//!
//! | method and path                   | what it does                                   |
//! |-----------------------------------|------------------------------------------------|
//! | `GET  /api/health`                | the site's name; answers when the API is up    |
//! | `GET  /api/rooms`                 | every room and the session holding it          |
//! | `GET  /api/events`                | live changes as server-sent events (`LiveEvent`)|
//! | `GET  /api/rooms/{room}`          | one room                                       |
//! | `POST /api/rooms/{room}/sessions` | start recording a case (`StartSession`)        |
//! | `GET  /api/rooms/{room}/clerk`    | what the room's clerk panel shows (`ClerkView`)|
//! | `GET  /api/rooms/{room}/bookings` | the room's bookings (own cases' numbers only)  |
//! | `POST /api/rooms/{room}/bookings` | book the room for a case (`NewBooking`)        |
//! | `GET  /api/sessions/{id}`         | a session with its segments and events         |
//! | `POST /api/sessions/{id}/stop`    | stop; answers when every file is closed        |
//! | `POST /api/sessions/{id}/markers` | add a clerk's marker (`AddMarker`)             |
//! | `POST /api/sessions/{id}/pause`   | pause, where the room allows it                |
//! | `POST /api/sessions/{id}/resume`  | resume a paused or interrupted session         |
//! | `GET  /api/sessions/{id}/export`  | the session's package for the case file (tar)  |
//! | `GET  /api/staff[?agency=ID]`     | enforcement staff as the public may see them   |
//! | `GET  /api/staff/{id}/photo`      | a staff member's photo (JPEG or PNG)           |
//! | `GET  /api/hall`                  | the service hall: queues, windows, latest calls|
//! | `POST /api/hall/tickets`          | take a number for a service (`TakeTicket`)     |
//! | `GET  /api/hall/tickets/{id}`     | a ticket: state, people ahead, estimated wait  |
//! | `POST /api/hall/tickets/{id}/rating` | rate a finished service once (`RateService`) |
//! | `POST /api/hall/windows/{id}`     | a counter's action (`CounterAction`), staff only|
//! | `GET  /api/hall/stats[?day=D]`    | per service, window and staff; open follow-ups |
//! | `POST /api/hall/follow-ups/{ticket}` | close a bad rating's follow-up (`CloseFollowUp`) |
//! | `POST /api/sessions/{id}/access-requests` | ask to view or export a recording (`RequestAccess`) |
//! | `GET  /api/access-requests`       | the agency's requests                          |
//! | `POST /api/access-requests/{id}`  | an approver's answer (`DecideAccess`)          |
//! | `GET  /api/access-log`            | every access to recordings (read only)         |
//! | `GET  /api/cases/checklist`       | the legal review's checklist items             |
//! | `GET  /api/cases/{number}`        | a case: major?, reviews, decision, publication, archiving |
//! | `PUT  /api/cases/{number}`        | what the handling unit says (`PrepareCase`)    |
//! | `POST /api/cases/{number}/reviews`| a legal review, by its reviewer (`ReviewCase`) |
//! | `POST /api/cases/{number}/decision` | record the decision (`RecordDecision`); a major case needs a passed review |
//! | `POST /api/cases/{number}/publication` | publish, revoke, withdraw (`PublicationStep`) |
//! | `POST /api/cases/{number}/archive`| action ended, or a part archived (`ArchiveStep`)|
//! | `GET  /api/agency/due[?day&soon]` | publication and archiving due; reviewer ratio  |
//! | `GET  /api/publicity`             | every agency's publicity, before and after     |
//! | `GET  /api/openapi.json`          | this API described in OpenAPI 3.1, from the code |

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hardware_profiles::Site;
use records::StoreError;
use records::api::{
    AddMarker, ApiError, BookingView, ClerkView, NewBooking, RecordingUse, RoomView, SessionState,
    SessionView, StaffView, StartSession, StatedPurpose,
};
use records::recording_access::AccessPolicy;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Authenticated;
use crate::db::Db;
use crate::health::HealthBoard;
use crate::indicator::Indicator;
use crate::live::Live;
use crate::room::RoomHandle;
use crate::{ControllerError, access_api, cases_api, hall_api, publicity_api};

/// Requests are small JSON documents; anything larger is refused before it is read.
const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub site: Arc<Site>,
    pub db: Db,
    pub rooms: Arc<HashMap<String, RoomHandle>>,
    /// Each room's light, by room id, for its live status.
    pub lights: Arc<HashMap<String, Indicator>>,
    /// Each room's cameras and microphones, by room id, for their live status.
    pub health: Arc<HashMap<String, HealthBoard>>,
    pub live: Live,
}

impl AppState {
    /// The worker of room `id`.
    fn room(&self, id: &str) -> Result<&RoomHandle, ControllerError> {
        self.rooms
            .get(id)
            .ok_or_else(|| ControllerError::UnknownRoom(id.to_string()))
    }

    /// The access rule of an agency's recordings, from the site file.
    pub(crate) fn access_policy(&self, agency: Option<&str>) -> AccessPolicy {
        self.site
            .agencies
            .iter()
            .find(|a| Some(a.id.as_str()) == agency)
            .map(|a| a.access.clone())
            .unwrap_or_default()
    }

    /// Adds what only the running controller and the site file know (the light, the sources,
    /// whether pausing is allowed) to a stored room view.
    fn live(&self, mut room: RoomView) -> RoomView {
        room.pause_allowed = self
            .site
            .rooms
            .iter()
            .any(|spec| spec.id == room.id && spec.pause_allowed);
        room.light = self.lights.get(&room.id).map(Indicator::status);
        room.sources = self
            .health
            .get(&room.id)
            .map(HealthBoard::snapshot)
            .unwrap_or_default();
        room
    }
}

/// The API's description; the paths and types below are read from the handlers themselves.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Liuhen site API",
        description = "Rooms, recorded sessions, bookings, staff and live changes of one Liuhen site. Every call but /api/health and /api/openapi.json needs a bearer token from `room-controller token issue`. Errors are {\"error\": \"...\"} with a sentence that says what to do."
    ),
    modifiers(&BearerToken),
    tags(
        (name = "site"),
        (name = "rooms", description = "rooms, their live state, bookings and the clerk panel"),
        (name = "sessions", description = "recorded sessions: start, mark, stop, resume, export; every access is logged"),
        (name = "staff", description = "enforcement staff as the public may see them"),
        (name = "hall", description = "the service hall: tickets, counters, calls and ratings (好差评)"),
        (name = "cases", description = "a case's legal review, decision, publication and archiving; the agency's due lists"),
        (name = "publicity", description = "public display of enforcement information (行政执法公示)"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("a token from `room-controller token issue`"))
                    .build(),
            ),
        );
    }
}

/// Every route together with its description, so that the two cannot drift apart.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(rooms))
        .routes(routes!(events))
        .routes(routes!(room))
        .routes(routes!(start_session))
        .routes(routes!(bookings, book_room))
        .routes(routes!(clerk_view))
        .routes(routes!(session))
        .routes(routes!(stop_session))
        .routes(routes!(add_marker))
        .routes(routes!(pause_session))
        .routes(routes!(resume_session))
        .routes(routes!(export_session))
        .routes(routes!(staff))
        .routes(routes!(staff_photo))
        .routes(routes!(hall_api::hall))
        .routes(routes!(hall_api::take_ticket))
        .routes(routes!(hall_api::ticket))
        .routes(routes!(hall_api::rate))
        .routes(routes!(hall_api::counter))
        .routes(routes!(hall_api::stats))
        .routes(routes!(hall_api::close_follow_up))
        .routes(routes!(access_api::request_access))
        .routes(routes!(access_api::access_requests))
        .routes(routes!(access_api::decide_access))
        .routes(routes!(access_api::access_log))
        .routes(routes!(cases_api::checklist))
        .routes(routes!(cases_api::case, cases_api::prepare))
        .routes(routes!(cases_api::review))
        .routes(routes!(cases_api::decide))
        .routes(routes!(cases_api::publication))
        .routes(routes!(cases_api::archive))
        .routes(routes!(cases_api::due))
        .routes(routes!(publicity_api::publicity))
}

/// The OpenAPI description of this API (also served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented_routes().split_for_parts().1
}

pub fn router(state: AppState) -> Router {
    let (routes, doc) = documented_routes().split_for_parts();
    let doc = Arc::new(doc);
    routes
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// An error answer.
pub struct Failure(StatusCode, String);

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self(status, message.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(ApiError { error: self.1 })).into_response()
    }
}

impl From<ControllerError> for Failure {
    fn from(err: ControllerError) -> Self {
        let status = match &err {
            ControllerError::Store(StoreError::NotFound { .. })
            | ControllerError::UnknownRoom(_) => StatusCode::NOT_FOUND,
            ControllerError::Store(
                StoreError::Refused(_) | StoreError::IllegalTransition { .. },
            )
            | ControllerError::NotRecording { .. } => StatusCode::CONFLICT,
            ControllerError::DiskFull { .. } => StatusCode::INSUFFICIENT_STORAGE,
            ControllerError::Store(StoreError::Forbidden(_)) => StatusCode::FORBIDDEN,
            ControllerError::Store(StoreError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ControllerError::NoMedia { .. }
            | ControllerError::RecordingFailed { .. }
            | ControllerError::Worker { .. }
            | ControllerError::RoomGone(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self(status, err.to_string())
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        ControllerError::from(err).into()
    }
}

impl From<JsonRejection> for Failure {
    fn from(rejection: JsonRejection) -> Self {
        Self(
            rejection.status(),
            format!(
                "the request body is not what this call takes: {}",
                rejection.body_text()
            ),
        )
    }
}

pub(crate) type Answer<T> = Result<Json<T>, Failure>;

impl From<QueryRejection> for Failure {
    fn from(rejection: QueryRejection) -> Self {
        Self(
            StatusCode::BAD_REQUEST,
            format!(
                "the query string is not what this call takes: {}",
                rejection.body_text()
            ),
        )
    }
}

#[utoipa::path(get, path = "/api/health", tag = "site",
    responses((status = 200, description = "the API is up; the site's name", body = Object)))]
async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "site": state.site.name }))
}

#[utoipa::path(get, path = "/api/rooms", tag = "rooms", security(("token" = [])),
    responses(
        (status = 200, description = "every room, its session, light and devices", body = Vec<RoomView>),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
async fn rooms(State(state): State<AppState>, _caller: Authenticated) -> Answer<Vec<RoomView>> {
    let rooms = state.db.call(|store| store.rooms()).await?;
    Ok(Json(
        rooms.into_iter().map(|room| state.live(room)).collect(),
    ))
}

#[utoipa::path(get, path = "/api/rooms/{room}", tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id in the site file")),
    responses(
        (status = 200, description = "the room", body = RoomView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such room", body = ApiError),
    ))]
async fn room(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(room): Path<String>,
) -> Answer<RoomView> {
    let room = state.db.call(move |store| store.room(&room)).await?;
    Ok(Json(state.live(room)))
}

#[utoipa::path(post, path = "/api/rooms/{room}/sessions", tag = "sessions", security(("token" = [])),
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
async fn start_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room): Path<String>,
    body: Result<Json<StartSession>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionView>), Failure> {
    let agency_id = caller.clerk_agency()?;
    let Json(request) = body?;
    let case_number = request.case_number.trim().to_string();
    if case_number.is_empty() || case_number.chars().count() > 100 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "case_number must be 1 to 100 characters",
        ));
    }
    if let Some(asked) = request.agency_id.filter(|asked| *asked != agency_id) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!("your token acts for agency {agency_id}, not {asked}"),
        ));
    }
    let handle = state.room(&room)?;
    let (agency, number) = (agency_id.clone(), case_number.clone());
    let party = request.party.clone();
    state
        .db
        .call(move |store| {
            store.describe_case(&agency, &number, request.action_type, party.as_deref())
        })
        .await?;
    let id = handle
        .start(agency_id, case_number, caller.0.who().to_string())
        .await?;
    let view = caller.session_access(&state, id, "start").await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/sessions/{id}", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number"), StatedPurpose),
    responses(
        (status = 200, description = "the session with its segments and events; the access is logged with its purpose", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "outside the team that recorded it: no purpose stated, or no approval where one is needed", body = ApiError),
        (status = 404, description = "no such session for this agency (also another agency's)", body = ApiError),
    ))]
async fn session(
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

#[utoipa::path(post, path = "/api/sessions/{id}/stop", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "stopped: every file is closed and hashed", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording", body = ApiError),
    ))]
async fn stop_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "stop").await?;
    let handle = state.room(&view.room_id)?;
    handle.stop(id).await?;
    Ok(Json(state.db.call(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = "/api/sessions/{id}/markers", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    request_body = AddMarker,
    responses(
        (status = 200, description = "the marker is recorded", body = SessionView),
        (status = 400, description = "empty or overlong text", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording", body = ApiError),
    ))]
async fn add_marker(
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
        .call(move |store| store.add_marker(id, &text))
        .await?;
    Ok(Json(state.db.call(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = "/api/sessions/{id}/pause", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "paused: every file so far is closed and hashed, the light is off; resume or stop it next", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is not recording, or its room is recorded without pauses", body = ApiError),
    ))]
async fn pause_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "pause").await?;
    let handle = state.room(&view.room_id)?;
    handle.pause(id, caller.0.who().to_string()).await?;
    Ok(Json(state.db.call(move |store| store.session(id)).await?))
}

#[utoipa::path(post, path = "/api/sessions/{id}/resume", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number")),
    responses(
        (status = 200, description = "recording again into new segments of the same session; the gap is recorded", body = SessionView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
        (status = 409, description = "the session is neither paused nor interrupted, or the room is busy", body = ApiError),
    ))]
async fn resume_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<SessionView> {
    let view = caller.session_access(&state, id, "resume").await?;
    let handle = state.room(&view.room_id)?;
    handle.resume(id).await?;
    Ok(Json(state.db.call(move |store| store.session(id)).await?))
}

/// Server-sent events: `event: room` with a `LiveEvent` for each change, or `event: resync`
/// when this subscriber fell behind and should fetch everything again.
#[utoipa::path(get, path = "/api/events", tag = "rooms", security(("token" = [])),
    responses(
        (status = 200, description = "server-sent events, one numbered `LiveEvent` per change; fetch the room it names", content_type = "text/event-stream", body = records::api::LiveEvent),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
async fn events(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let (changes, closing) = state.live.subscribe();
    let stream = futures_util::stream::unfold(
        (changes, closing),
        |(mut changes, mut closing)| async move {
            if *closing.borrow() {
                return None;
            }
            let event = tokio::select! {
                change = changes.recv() => match change {
                    Ok(change) => Event::default()
                        .event("room")
                        .id(change.seq.to_string())
                        .data(serde_json::to_string(&change).unwrap_or_default()),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Event::default().event("resync").data("{}"),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = closing.changed() => return None,
            };
            Some((Ok(event), (changes, closing)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The package for the case file, streamed as a tar. Only a session that has ended can be
/// exported, so that the package is complete; every export is in the access log.
#[utoipa::path(get, path = "/api/sessions/{id}/export", tag = "sessions", security(("token" = [])),
    params(("id" = i64, Path, description = "the session's number"), StatedPurpose),
    responses(
        (status = 200, description = "a tar of the media, manifest.json, events.json and summary.txt; the export is logged with its purpose", content_type = "application/x-tar"),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "a state secret, or outside the team that recorded it without a purpose or a needed approval", body = ApiError),
        (status = 404, description = "no such session for this agency", body = ApiError),
    ))]
async fn export_session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Result<Response, Failure> {
    let Query(stated) = query?;
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
    let name = crate::export::package_name(&view);
    let body = crate::export::stream(view, dir, caller.0);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-tar".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.tar\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/rooms/{room}/bookings", tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    responses(
        (status = 200, description = "the room's bookings; case numbers only for the caller's own agency", body = Vec<BookingView>),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such room", body = ApiError),
    ))]
async fn bookings(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room): Path<String>,
) -> Answer<Vec<BookingView>> {
    let viewer = caller.0.agency_id.clone();
    Ok(Json(
        state
            .db
            .call(move |store| store.bookings(&room, viewer.as_deref()))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/rooms/{room}/bookings", tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    request_body = NewBooking,
    responses(
        (status = 201, description = "booked", body = BookingView),
        (status = 400, description = "a bad time span", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 409, description = "it overlaps another booking; the message names it", body = ApiError),
    ))]
async fn book_room(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room): Path<String>,
    body: Result<Json<NewBooking>, JsonRejection>,
) -> Result<(StatusCode, Json<BookingView>), Failure> {
    let agency_id = caller.clerk_agency()?;
    let Json(request) = body?;
    if request.case_number.trim().is_empty() || request.case_number.chars().count() > 100 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "case_number must be 1 to 100 characters",
        ));
    }
    if !state.rooms.contains_key(&room) {
        return Err(ControllerError::UnknownRoom(room).into());
    }
    let who = caller.0.name.clone();
    let booking = state
        .db
        .call(move |store| store.book(&room, &agency_id, &who, &request))
        .await?;
    state.live.room_changed(&booking.room_id);
    Ok((StatusCode::CREATED, Json(booking)))
}

#[utoipa::path(get, path = "/api/rooms/{room}/clerk", tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    responses(
        (status = 200, description = "what the room's clerk panel shows", body = ClerkView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "not a clerk", body = ApiError),
    ))]
async fn clerk_view(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room_id): Path<String>,
) -> Answer<ClerkView> {
    let agency = caller.clerk_agency()?;
    let spec = state
        .site
        .rooms
        .iter()
        .find(|r| r.id == room_id)
        .ok_or_else(|| ControllerError::UnknownRoom(room_id.clone()))?;
    let per_second = pipelines::Recorder::estimated_bytes_per_second(spec).max(1);
    let (room, mut session, bookings) = state
        .db
        .call(move |store| {
            Ok((
                store.room(&room_id)?,
                store.latest_session(&room_id, &agency)?,
                store.bookings(&room_id, Some(&agency))?,
            ))
        })
        .await?;
    if let Some(session) = session.as_mut() {
        // The panel shows state, devices and events; the segments and hashes stay out of it.
        session.segments.clear();
    }
    let now = chrono::Utc::now();
    let next_booking = bookings
        .into_iter()
        .find(|b| b.case_number.is_some() && b.ends_at > now);
    let free = crate::disk::free_bytes(&state.site.media).unwrap_or(0);
    Ok(Json(ClerkView {
        room: state.live(room),
        session,
        next_booking,
        disk_free_mb: free >> 20,
        disk_minutes_left: free / per_second / 60,
    }))
}

#[derive(serde::Deserialize)]
struct StaffQuery {
    /// Only this agency's staff.
    agency: Option<String>,
}

/// Staff as the public may see them (行政执法人员信息公示): any token, kiosks included.
#[utoipa::path(get, path = "/api/staff", tag = "staff", security(("token" = [])),
    params(("agency" = Option<String>, Query, description = "only this agency's staff")),
    responses(
        (status = 200, description = "active staff as the public may see them", body = Vec<StaffView>),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
async fn staff(
    State(state): State<AppState>,
    _caller: Authenticated,
    query: Result<Query<StaffQuery>, QueryRejection>,
) -> Answer<Vec<StaffView>> {
    let Query(query) = query?;
    Ok(Json(
        state
            .db
            .call(move |store| store.staff(query.agency.as_deref()))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/staff/{id}/photo", tag = "staff", security(("token" = [])),
    params(("id" = String, Path, description = "the staff member's id")),
    responses(
        (status = 200, description = "the photo", content_type = "image/jpeg"),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such staff member or no photo", body = ApiError),
    ))]
async fn staff_photo(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let (bytes, kind) = state.db.call(move |store| store.staff_photo(&id)).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind),
            (axum::http::header::CACHE_CONTROL, "max-age=300".into()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    /// Every `$ref` in the description names a schema it also holds, and every call in the
    /// module's table is described.
    #[test]
    fn the_openapi_description_is_complete_and_self_contained() {
        let doc = serde_json::to_value(super::openapi()).expect("serialises");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let text = doc.to_string();
        for reference in text.split("\"$ref\":\"").skip(1) {
            let name = reference
                .split('"')
                .next()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .expect("a schema reference");
            assert!(
                schemas.contains_key(name),
                "{name} is referenced but not described"
            );
        }
        let paths = doc["paths"].as_object().expect("paths");
        let mut rows = 0;
        for line in include_str!("api.rs").lines() {
            let Some(row) = line.strip_prefix("//! | `") else {
                continue;
            };
            let call = row.split('`').next().unwrap_or_default();
            let (method, path) = call.split_once(' ').expect("METHOD path");
            let path = path.trim().split('[').next().unwrap_or_default();
            if path == "/api/openapi.json" {
                continue;
            }
            let method = method.to_lowercase();
            assert!(
                paths.get(path).is_some_and(|p| p.get(&method).is_some()),
                "{method} {path} is in the table but not described"
            );
            rows += 1;
        }
        assert!(rows >= 15, "the module's table was read: {rows} rows");
        assert!(doc["components"]["securitySchemes"]["token"].is_object());
    }
}
