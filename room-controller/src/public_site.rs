//! The public website (行政执法公示) on its own listener (`[site] public_listen`), with no token:
//! every agency's publicity pages — the same as the kiosk's and `room-controller publicity
//! --out` — and the party's case lookup. Only this router is served there: no API path, no
//! session, no case, no staff-only field is reachable from it. Plain HTTP: put the agency's
//! HTTPS web server or the government portal in front of it.

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use site_api::{CaseLookup, LookupAnswer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::api::{AppState, publicity_of};
use crate::pages::html::{escape, page};
use crate::pages::publicity_pages;

/// Failed lookups an address may make in a window before it is told to wait.
pub const LOOKUP_FAILURES_ALLOWED: u32 = 5;
/// The window over which failed lookups are counted.
pub const LOOKUP_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at once; past this the oldest windows are forgotten.
const LOOKUP_ADDRESSES: usize = 10_000;

/// Failed lookups per address, so that codes cannot be guessed by trying.
#[derive(Clone, Default)]
pub struct LookupLimit(Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>);

impl LookupLimit {
    /// How long `address` must wait before it may look up again, if it must.
    fn wait_for(&self, address: IpAddr) -> Option<Duration> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&address).and_then(|(since, failures)| {
            let left = LOOKUP_WINDOW.checked_sub(since.elapsed())?;
            (*failures >= LOOKUP_FAILURES_ALLOWED).then_some(left)
        })
    }

    fn failed(&self, address: IpAddr) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LOOKUP_ADDRESSES {
            map.retain(|_, (since, _)| since.elapsed() < LOOKUP_WINDOW);
        }
        let entry = map.entry(address).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= LOOKUP_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

#[derive(Clone)]
struct PublicState {
    app: AppState,
    lookups: LookupLimit,
}

/// The public website's routes, and nothing else.
pub fn router(app: AppState) -> Router {
    let state = PublicState {
        app,
        lookups: LookupLimit::default(),
    };
    Router::new()
        .route("/", get(index))
        .route("/lookup", get(lookup_form).post(lookup))
        .route("/{file}", get(agency_page))
        .with_state(state)
}

/// Every page of the publicity, rendered now from the records and the site file.
async fn pages(state: &PublicState) -> Result<Vec<(String, String)>, Response> {
    let site = state.app.site.clone();
    state
        .app
        .db
        .read(move |store| publicity_of(store, &site))
        .await
        .map(|view| publicity_pages(&view))
        .map_err(|err| {
            tracing::warn!(%err, "the public website cannot read the publicity");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(page(
                    "暂时无法访问",
                    "<p>公示信息暂时无法读取，请稍后再试。</p>",
                )),
            )
                .into_response()
        })
}

async fn index(State(state): State<PublicState>) -> Response {
    let pages = match pages(&state).await {
        Ok(pages) => pages,
        Err(answer) => return answer,
    };
    let index = pages
        .into_iter()
        .find(|(file, _)| file == "index.html")
        .map(|(_, html)| html)
        .unwrap_or_default();
    let lookup = "<p><a href=\"/lookup\">案件信息查询 Look up your decision</a></p>\n</body>";
    Html(index.replacen("</body>", lookup, 1)).into_response()
}

async fn agency_page(State(state): State<PublicState>, Path(file): Path<String>) -> Response {
    let pages = match pages(&state).await {
        Ok(pages) => pages,
        Err(answer) => return answer,
    };
    match pages.into_iter().find(|(name, _)| *name == file) {
        Some((_, html)) => Html(html).into_response(),
        None => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "没有这个页面",
            "<p>没有这个页面。<a href=\"/\">返回公示首页</a></p>",
        )),
    )
        .into_response()
}

const LOOKUP_FORM: &str = "<form method=\"post\" action=\"/lookup\" id=\"lookup\">\
    <p><label>决定书文号<br><input name=\"document_number\" required size=\"30\"></label></p>\
    <p><label>查询码（印在决定书上）<br><input name=\"code\" required size=\"12\" autocomplete=\"off\"></label></p>\
    <p><button type=\"submit\">查询</button></p></form>\
    <p><a href=\"/\">返回公示首页</a></p>";

async fn lookup_form() -> Html<String> {
    Html(page("案件信息查询", LOOKUP_FORM))
}

#[derive(Deserialize)]
struct LookupForm {
    document_number: String,
    code: String,
}

async fn lookup(
    State(state): State<PublicState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<LookupForm>,
) -> Response {
    let address = peer.ip();
    if let Some(wait) = state.lookups.wait_for(address) {
        let minutes = wait.as_secs().div_ceil(60);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, wait.as_secs().to_string())],
            Html(page(
                "案件信息查询",
                &format!(
                    "<p class=\"refused\" id=\"answer\">查询失败次数过多，请 {minutes} 分钟后再试。Too many failed lookups from this address; try again in {minutes} minutes.</p>"
                ),
            )),
        )
            .into_response();
    }
    let asked = CaseLookup {
        document_number: form.document_number.chars().take(100).collect(),
        code: form.code.chars().take(32).collect(),
    };
    let found = state
        .app
        .db
        .read(move |store| store.lookup_decision(&asked.document_number, &asked.code))
        .await;
    match found {
        Ok(Some(answer)) => Html(page("案件信息查询", &answered(&answer))).into_response(),
        Ok(None) => {
            state.lookups.failed(address);
            (
                StatusCode::NOT_FOUND,
                Html(page(
                    "案件信息查询",
                    &format!(
                        "<p class=\"refused\" id=\"answer\">没有查到：请核对决定书文号和查询码。No decision matches this number and code.</p>{LOOKUP_FORM}"
                    ),
                )),
            )
                .into_response()
        }
        Err(err) => {
            tracing::warn!(%err, "a case lookup failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(page("案件信息查询", "<p>暂时无法查询，请稍后再试。</p>")),
            )
                .into_response()
        }
    }
}

fn answered(answer: &LookupAnswer) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "<table id=\"answer\">\
         <tr><th>执法机关</th><td>{}</td></tr>\
         <tr><th>决定书文号</th><td>{}</td></tr>\
         <tr><th>决定日期</th><td>{}</td></tr>\
         <tr><th>公示状态</th><td>{}</td></tr>\
         <tr><th>应公示日期</th><td>{}</td></tr>\
         <tr><th>公示日期</th><td>{}</td></tr>\
         <tr><th>撤下日期</th><td>{}</td></tr></table>\
         <p><a href=\"/lookup\">再查一件</a> · <a href=\"/\">返回公示首页</a></p>",
        escape(&answer.agency_name),
        escape(&answer.document_number),
        answer.decided_on,
        answer.state.label(),
        answer.due_on,
        day(answer.published_on),
        day(answer.withdrawn_on),
    )
}
