//! The service hall's calls of the site API (see the table in `api.rs`): the hall's state for
//! its screens, taking a ticket at the kiosk, the counter's actions and the public's rating.
//! Every change is pushed to displays as a `LiveEvent` on the topic `Topic::Hall`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use site_api::routes;
use site_api::{
    ApiError, CloseFollowUp, CounterAction, HallStats, HallView, RateService, Role, TakeTicket,
    TicketView, WindowView,
};
use site_api::{HALL_HISTORY_PAGE, HallHistoryQuery, StatsQuery, TicketRecord};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::{Authenticated, CheckedOnWrite};

/// How many of the latest published decisions the hall board rotates among its notices.
const DECISION_NOTICES: usize = 5;

/// The hall's clock: local time, with its offset, as the queue's days and hours are local.
fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Local::now().fixed_offset()
}

impl AppState {
    /// The hall as the records hold it, with what only the site file says.
    async fn hall_view(&self) -> Result<HallView, Failure> {
        let mut view = self.db.read(|store| store.hall(now())).await?;
        let hall = &self.site.hall;
        view.site_name = self.site.name.clone();
        view.consult = hall.consult.clone();
        view.complain = hall.complain.clone();
        view.notices = hall.notices.clone();
        view.notices.extend(self.decision_notices().await?);
        for window in &mut view.windows {
            self.locate(window);
        }
        Ok(view)
    }

    /// The latest published decisions, as notices for the hall board's rotating panel
    /// (行政执法决定公开): the party masked as published.
    async fn decision_notices(&self) -> Result<Vec<String>, Failure> {
        let latest = self
            .db
            .read(|store| store.latest_published(DECISION_NOTICES))
            .await?;
        Ok(latest
            .into_iter()
            .map(|p| {
                let agency = self
                    .site
                    .agency(&p.agency_id)
                    .map_or(p.agency_id.as_str(), |a| a.name.as_str());
                let kind = site_api::ActionType::parse(&p.action_type)
                    .unwrap_or(site_api::ActionType::Other)
                    .label();
                format!(
                    "行政执法决定公开：{agency} {} {}，当事人 {}：{}（{}）",
                    kind.split(' ').next().unwrap_or(kind),
                    p.document_number,
                    p.party_shown,
                    p.conclusion,
                    p.decided_on.format("%Y-%m-%d")
                )
            })
            .collect())
    }

    fn locate(&self, window: &mut WindowView) {
        if let Some(spec) = self.site.hall.windows.iter().find(|w| w.id == window.id) {
            window.location = spec.location.clone();
        }
    }
}

#[utoipa::path(get, path = routes::HALL, tag = "hall", security(("token" = [])),
    responses(
        (status = 200, description = "queues, windows with their staff and current tickets, latest calls", body = HallView),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
pub(crate) async fn hall(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Answer<HallView> {
    Ok(Json(state.hall_view().await?))
}

#[utoipa::path(post, path = routes::HALL_TICKETS, tag = "hall", security(("token" = [])),
    request_body = TakeTicket,
    responses(
        (status = 201, description = "the ticket, with people ahead and the estimated wait", body = TicketView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such service", body = ApiError),
        (status = 409, description = "outside issuing hours, or today's tickets are all taken", body = ApiError),
    ))]
pub(crate) async fn take_ticket(
    State(state): State<AppState>,
    caller: CheckedOnWrite,
    body: Result<Json<TakeTicket>, JsonRejection>,
) -> Result<(StatusCode, Json<TicketView>), Failure> {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => return Err(caller.refused_first(&state, rejection.into()).await),
    };
    let ticket = caller
        .write(&state, move |store, _caller| {
            store.take_ticket(&request.service_id, request.priority, now())
        })
        .await?;
    state.live.hall_changed();
    Ok((StatusCode::CREATED, Json(ticket)))
}

#[utoipa::path(get, path = routes::HALL_TICKET, tag = "hall", security(("token" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    responses(
        (status = 200, description = "the ticket now", body = TicketView),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 404, description = "no such ticket", body = ApiError),
    ))]
pub(crate) async fn ticket(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<i64>,
) -> Answer<TicketView> {
    Ok(Json(state.db.read(move |store| store.ticket(id)).await?))
}

#[utoipa::path(post, path = routes::HALL_TICKET_RATING, tag = "hall", security(("token" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = RateService,
    responses(
        (status = 204, description = "rated; a bad rating opens a follow-up"),
        (status = 400, description = "a comment over 500 characters", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "not a kiosk's token: only the public rates", body = ApiError),
        (status = 404, description = "no such ticket", body = ApiError),
        (status = 409, description = "not done yet, or already rated (一次一评)", body = ApiError),
    ))]
pub(crate) async fn rate(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<RateService>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    // The public rates the service, at the kiosk; the staff who served them never do.
    if caller.0.role != Role::Kiosk {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "a service is rated by the public, at the hall's kiosk; a staff or admin token cannot rate",
        ));
    }
    let Json(rating) = body?;
    if rating.comment.chars().count() > 500 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "a rating's comment is at most 500 characters",
        ));
    }
    state
        .db
        .call(move |store| store.rate(id, rating.level, &rating.comment, now()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = routes::HALL_WINDOW, tag = "hall", security(("token" = [])),
    params(("id" = String, Path, description = "the window's id in the site file")),
    request_body = CounterAction,
    responses(
        (status = 200, description = "the window after the action, with its current ticket", body = WindowView),
        (status = 400, description = "a bad request body", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "not a staff member's token, or another staff member is signed in here", body = ApiError),
        (status = 404, description = "no such window or ticket", body = ApiError),
        (status = 409, description = "the action does not fit the window's state; the message says what to do", body = ApiError),
    ))]
pub(crate) async fn counter(
    State(state): State<AppState>,
    caller: CheckedOnWrite,
    Path(window): Path<String>,
    body: Result<Json<CounterAction>, JsonRejection>,
) -> Answer<WindowView> {
    let action = match body {
        Ok(Json(action)) => action,
        Err(rejection) => return Err(caller.refused_first(&state, rejection.into()).await),
    };
    let mut view = caller
        .write(&state, move |store, caller| {
            counter_action(store, &caller, &window, action)
        })
        .await?;
    state.live.hall_changed();
    state.locate(&mut view);
    Ok(Json(view))
}

/// `action` at `window` for `caller`, on the records writer: the window after it.
fn counter_action(
    store: &mut records::Store,
    caller: &site_api::Caller,
    window: &str,
    action: CounterAction,
) -> Result<WindowView, records::StoreError> {
    let now = now();
    // The site's admin may free a window whose staff member left without signing out.
    if caller.role == Role::Admin && action == CounterAction::SignOut {
        store.sign_out(window)?;
        return store.window(window, now);
    }
    let staff = match (&caller.role, &caller.staff_id) {
        (Role::Clerk, Some(staff)) => staff.as_str(),
        _ => {
            return Err(records::StoreError::Forbidden(
                "counter actions need a staff member's own token (room-controller token issue --staff <id>); the site's admin may only sign a window out".into(),
            ));
        }
    };
    if action != CounterAction::SignIn && store.on_duty(window)?.as_deref() != Some(staff) {
        return Err(records::StoreError::Forbidden(format!(
            "you are not signed in at window {window}; sign in there first"
        )));
    }
    match action {
        CounterAction::SignIn => store.sign_in(window, staff)?,
        CounterAction::SignOut => store.sign_out(window)?,
        CounterAction::Pause => store.pause_window(window, true)?,
        CounterAction::Resume => store.pause_window(window, false)?,
        CounterAction::CallNext => {
            store
                .call_next(window, now)?
                .ok_or(records::Refusal::NobodyWaiting)?;
        }
        CounterAction::Call { number } => {
            store.call_ticket(window, number.trim(), now)?;
        }
        CounterAction::Recall => {
            store.recall(window, now)?;
        }
        CounterAction::Hold { reason } => {
            store.hold(window, now, &reason)?;
        }
        CounterAction::Transfer {
            service_id,
            window_id,
        } => {
            store.transfer(window, service_id.as_deref(), window_id.as_deref(), now)?;
        }
        CounterAction::NoShow => {
            store.no_show(window, now)?;
        }
        CounterAction::Start => {
            store.start_service(window, now)?;
        }
        CounterAction::Done => {
            store.finish_service(window, now)?;
        }
    }
    store.window(window, now)
}

/// Statistics and follow-ups are for the site's administration (every agency) and for an
/// agency's clerks (their own agency's services only); kiosks get none.
fn statistics_scope(caller: &Authenticated) -> Result<Option<String>, Failure> {
    match (caller.0.role, &caller.0.agency_id) {
        (Role::Admin | Role::Supervisor, _) => Ok(None),
        (Role::Clerk, Some(agency)) => Ok(Some(agency.clone())),
        _ => Err(Failure::new(
            StatusCode::FORBIDDEN,
            "a kiosk token cannot read the hall's statistics; use an admin's or a clerk's token",
        )),
    }
}

#[utoipa::path(get, path = routes::HALL_STATS, tag = "hall", security(("token" = [])),
    params(("day" = Option<String>, Query, description = "the day, YYYY-MM-DD; today when left out")),
    responses(
        (status = 200, description = "tickets, waits, service times and ratings per service, window and staff member, and open follow-ups; a clerk sees those of their agency's services only", body = HallStats),
        (status = 400, description = "not a day", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "a kiosk token", body = ApiError),
    ))]
pub(crate) async fn stats(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Answer<HallStats> {
    let agency = statistics_scope(&caller)?;
    let Query(query) = query?;
    let day = day_or_today(query.day)?;
    Ok(Json(
        state
            .db
            .read(move |store| store.hall_stats(&day, agency.as_deref()))
            .await?,
    ))
}

/// `day` as YYYY-MM-DD, or today's date when left out.
fn day_or_today(day: Option<String>) -> Result<String, Failure> {
    let Some(day) = day else {
        return Ok(now().format("%Y-%m-%d").to_string());
    };
    Ok(chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                format!("day={day} is not a day; write it like 2026-11-23"),
            )
        })?
        .format("%Y-%m-%d")
        .to_string())
}

#[utoipa::path(get, path = routes::HALL_HISTORY, tag = "hall", security(("token" = [])),
    params(HallHistoryQuery),
    responses(
        (status = 200, description = "one page of the day's tickets in issue order (at most 1000; page on with ?after=<last id>), each with its times, window and staff member; a clerk sees those of their agency's services only", body = Vec<TicketRecord>),
        (status = 400, description = "not a day, or after or limit is not a number", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "a kiosk token", body = ApiError),
    ))]
pub(crate) async fn history(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<HallHistoryQuery>, QueryRejection>,
) -> Answer<Vec<TicketRecord>> {
    let agency = statistics_scope(&caller)?;
    let Query(query) = query?;
    let day = day_or_today(query.day)?;
    let after = query.after.unwrap_or(0);
    let limit = query
        .limit
        .unwrap_or(HALL_HISTORY_PAGE)
        .min(HALL_HISTORY_PAGE);
    Ok(Json(
        state
            .db
            .read(move |store| store.hall_history(&day, agency.as_deref(), after, limit))
            .await?,
    ))
}

#[utoipa::path(post, path = routes::HALL_FOLLOW_UP, tag = "hall", security(("token" = [])),
    params(("ticket" = i64, Path, description = "the badly rated ticket's id")),
    request_body = CloseFollowUp,
    responses(
        (status = 204, description = "the follow-up is closed with its outcome"),
        (status = 400, description = "no outcome", body = ApiError),
        (status = 401, description = "no or unknown token", body = ApiError),
        (status = 403, description = "a kiosk token", body = ApiError),
        (status = 404, description = "no open follow-up for this ticket (of the clerk's agency)", body = ApiError),
    ))]
pub(crate) async fn close_follow_up(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(ticket): Path<i64>,
    body: Result<Json<CloseFollowUp>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    let agency = statistics_scope(&caller)?;
    let Json(close) = body?;
    state
        .db
        .call(move |store| {
            store.close_follow_up(
                agency.as_deref(),
                ticket,
                &close.contact,
                &close.rectification,
                &close.outcome,
                now(),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
