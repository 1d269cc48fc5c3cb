//! Rooms: the site's health, the rooms and their live state, the live change feed, bookings
//! and the clerk panel's view.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use site_api::routes;
use site_api::{ApiError, BookingView, ClerkView, NewBooking, RoomView, SiteKeyView};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::ControllerError;
use crate::auth::Authenticated;
use crate::live::Missed;

#[utoipa::path(get, path = routes::HEALTH, tag = "site",
    responses((status = 200, description = "the API is up; the site's name", body = Object)))]
pub(super) async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "site": state.site.name }))
}

/// The public half of the site's signing key: anyone with an export checks it with this alone.
#[utoipa::path(get, path = routes::SITE_KEY, tag = "site",
    responses((status = 200, description = "the key every manifest is signed with", body = SiteKeyView)))]
pub(super) async fn site_key(State(state): State<AppState>) -> Json<SiteKeyView> {
    Json(SiteKeyView {
        algorithm: evidence::signing::ALGORITHM.into(),
        public_key: state.site_key.to_string(),
    })
}

#[utoipa::path(get, path = routes::ROOMS, tag = "rooms", security(("token" = [])),
    responses(
        (status = 200, description = "every room, its session, light and devices", body = Vec<RoomView>),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
pub(super) async fn rooms(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Answer<Vec<RoomView>> {
    let rooms = state.db.read(|store| store.rooms()).await?;
    Ok(Json(
        rooms.into_iter().map(|room| state.live(room)).collect(),
    ))
}

#[utoipa::path(get, path = routes::ROOM, tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id in the site file")),
    responses(
        (status = 200, description = "the room", body = RoomView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such room", body = ApiError),
    ))]
pub(super) async fn room(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(room): Path<String>,
) -> Answer<RoomView> {
    let room = state.db.read(move |store| store.room(&room)).await?;
    Ok(Json(state.live(room)))
}

/// Server-sent events: `event: room` with a `LiveEvent` for each change, or `event: resync`
/// when this subscriber fell behind and should fetch everything again. A display that
/// reconnects sends the last event's number as `Last-Event-ID` and gets what it missed.
#[utoipa::path(get, path = routes::EVENTS, tag = "rooms", security(("token" = [])),
    params(("Last-Event-ID" = Option<u64>, Header, description = "the number of the last event received; the events after it are sent first, or `resync` when they are no longer kept")),
    responses(
        (status = 200, description = "server-sent events, one numbered `LiveEvent` per change; fetch the room it names", content_type = "text/event-stream", body = site_api::LiveEvent),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
pub(super) async fn events(
    State(state): State<AppState>,
    _caller: Authenticated,
    headers: axum::http::HeaderMap,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    use futures_util::StreamExt;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // What is replayed here is not sent twice when it also arrives on the channel.
    let mut replayed_up_to = 0;
    let (first, changes, closing) = match last_seen {
        Some(seq) => {
            let (missed, changes, closing) = state.live.subscribe_after(seq);
            let first: Vec<Event> = match missed {
                Missed::Events(events) => {
                    replayed_up_to = events.last().map_or(seq, |e| e.seq);
                    events.iter().map(room_event).collect()
                }
                Missed::TooMany => vec![resync_event()],
            };
            (first, changes, closing)
        }
        None => {
            let (changes, closing) = state.live.subscribe();
            (Vec::new(), changes, closing)
        }
    };
    let live = futures_util::stream::unfold(
        (changes, closing),
        move |(mut changes, mut closing)| async move {
            loop {
                if *closing.borrow() {
                    return None;
                }
                let event = tokio::select! {
                    change = changes.recv() => match change {
                        Ok(change) if change.seq <= replayed_up_to => continue,
                        Ok(change) => room_event(&change),
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => resync_event(),
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = closing.changed() => return None,
                };
                return Some((Ok(event), (changes, closing)));
            }
        },
    );
    let stream = futures_util::stream::iter(first.into_iter().map(Ok)).chain(live);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A change as a server-sent event, numbered so that a reconnecting display can resume.
fn room_event(change: &site_api::LiveEvent) -> Event {
    Event::default()
        .event("room")
        .id(change.seq.to_string())
        .data(serde_json::to_string(change).unwrap_or_default())
}

/// Tells a display it missed changes and must fetch everything again.
fn resync_event() -> Event {
    Event::default().event("resync").data("{}")
}

#[utoipa::path(get, path = routes::ROOM_BOOKINGS, tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    responses(
        (status = 200, description = "the room's bookings; case numbers only for the caller's own agency", body = Vec<BookingView>),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such room", body = ApiError),
    ))]
pub(super) async fn bookings(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(room): Path<String>,
) -> Answer<Vec<BookingView>> {
    let viewer = caller.0.agency_id.clone();
    Ok(Json(
        state
            .db
            .read(move |store| store.bookings(&room, viewer.as_deref()))
            .await?,
    ))
}

#[utoipa::path(post, path = routes::ROOM_BOOKINGS, tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    request_body = NewBooking,
    responses(
        (status = 201, description = "booked", body = BookingView),
        (status = 400, description = "a bad time span", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 409, description = "it overlaps another booking; the message names it", body = ApiError),
    ))]
pub(super) async fn book_room(
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

#[utoipa::path(get, path = routes::ROOM_CLERK, tag = "rooms", security(("token" = [])),
    params(("room" = String, Path, description = "the room's id")),
    responses(
        (status = 200, description = "what the room's clerk panel shows", body = ClerkView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "not a clerk", body = ApiError),
    ))]
pub(super) async fn clerk_view(
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
