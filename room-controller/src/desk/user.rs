//! Who is at the desk: the staff member whose token the browser holds in a cookie. The token
//! is pasted once into the sign-in form; the cookie is HttpOnly (no script reads it) and
//! SameSite=Strict (no other site's form can send it), and a form posted from another origin is
//! refused as well.

use axum::extract::{Form, FromRequestParts, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use site_api::{Caller, Role, StaffRole};

use super::view::{error_page, plain_page};
use crate::api::{AppState, Failure};
use crate::auth::Authenticated;
use crate::pages::html::escape;

/// The cookie that holds the desk's token.
const COOKIE_NAME: &str = "liuhen_desk";

/// A signed-in staff member (or the supervisor).
pub(crate) struct DeskUser {
    pub caller: Caller,
    /// What the staff member does, when the token stands for one.
    pub staff_role: Option<StaffRole>,
}

impl DeskUser {
    /// The same caller as the API sees, for calling its handlers.
    pub fn api(&self) -> Authenticated {
        Authenticated(self.caller.clone())
    }

    /// The page a staff member starts from.
    pub fn home(&self) -> &'static str {
        match (self.caller.role, self.staff_role) {
            (Role::Supervisor, _) => "/desk/supervision",
            (_, Some(StaffRole::Head)) => "/desk/approvals",
            _ => "/desk/reviews",
        }
    }

    /// Whether the staff member reviews cases (the agency's own reviewers and outside counsel).
    pub fn reviews(&self) -> bool {
        matches!(
            self.staff_role,
            Some(StaffRole::Reviewer | StaffRole::Counsel)
        )
    }
}

impl FromRequestParts<AppState> for DeskUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = desk_token(parts) else {
            return Err(Redirect::to("/desk/sign-in").into_response());
        };
        let caller = state
            .db
            .read(move |store| store.caller(&token))
            .await
            .map_err(|err| error_page(Failure::from(err)))?;
        let Some(caller) = caller else {
            return Err(Redirect::to("/desk/sign-in?expired=1").into_response());
        };
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            if caller.role == Role::Supervisor {
                return Err(error_page(Failure::new(
                    StatusCode::FORBIDDEN,
                    "the supervisor reads and changes nothing; ask the agency concerned to act",
                )));
            }
            if !same_origin(parts) {
                return Err(error_page(Failure::new(
                    StatusCode::FORBIDDEN,
                    "this form was sent from another site; open the desk and send it from there",
                )));
            }
        }
        let staff_role = match caller.staff_id.clone() {
            Some(id) => state
                .db
                .read(move |store| store.staff_member(&id))
                .await
                .ok()
                .map(|staff| staff.role),
            None => None,
        };
        Ok(Self { caller, staff_role })
    }
}

/// The token in the desk's cookie, if any.
fn desk_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, token)| token.trim().to_string())
        .filter(|token| !token.is_empty())
}

/// A form is accepted from the desk's own pages only: a browser names the page's origin, and
/// its host must be the one the request was sent to.
fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN) else {
        // Browsers send Origin with every form POST; a program without one holds the token
        // itself and could as well call the API.
        return true;
    };
    let host = parts.headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host);
    matches!((origin_host, host), (Some(a), Some(b)) if a == b)
}

#[derive(Deserialize)]
pub(super) struct SignInQuery {
    #[serde(default)]
    expired: Option<String>,
}

pub(super) async fn sign_in_form(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<SignInQuery>,
) -> Html<String> {
    let note = if query.expired.is_some() {
        "<p class=\"refused\">这个令牌已失效或被撤销，请向站点管理员申请新的令牌。The token is unknown or revoked.</p>"
    } else {
        ""
    };
    plain_page(
        &state.site.name,
        "登录 Sign in",
        &format!(
            "{note}<form method=\"post\" action=\"/desk/sign-in\" class=\"sign-in\">\
             <label>令牌 Token<br><input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"off\" required size=\"70\"></label>\
             <p class=\"hint\">用本人的令牌登录（<code>room-controller token issue --staff 工号</code>）。</p>\
             <button type=\"submit\">登录</button></form>"
        ),
    )
}

#[derive(Deserialize)]
pub(super) struct SignIn {
    token: String,
}

pub(super) async fn sign_in(State(state): State<AppState>, Form(form): Form<SignIn>) -> Response {
    let token = form.token.trim().to_string();
    let checked = token.clone();
    let caller = match state.db.read(move |store| store.caller(&checked)).await {
        Ok(caller) => caller,
        Err(err) => return error_page(Failure::from(err)),
    };
    if token.is_empty()
        || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || caller.is_none()
    {
        return Redirect::to("/desk/sign-in?expired=1").into_response();
    }
    let secure = if state.site.tls.is_some() {
        "; Secure"
    } else {
        ""
    };
    (
        [(
            SET_COOKIE,
            format!("{COOKIE_NAME}={token}; Path=/desk; HttpOnly; SameSite=Strict{secure}"),
        )],
        Redirect::to("/desk"),
    )
        .into_response()
}

pub(super) async fn sign_out() -> Response {
    (
        [(
            SET_COOKIE,
            format!("{COOKIE_NAME}=; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=0"),
        )],
        Redirect::to("/desk/sign-in"),
    )
        .into_response()
}

/// The line at the top of every page: who is signed in.
pub(super) fn signed_in_as(user: &DeskUser) -> String {
    let role = match (user.caller.role, user.staff_role) {
        (Role::Supervisor, _) => "执法监督",
        (_, Some(StaffRole::Reviewer)) => "法制审核",
        (_, Some(StaffRole::Counsel)) => "法律顾问",
        (_, Some(StaffRole::Head)) => "负责人",
        _ => "承办",
    };
    format!("{}（{role}）", escape(user.caller.who()))
}
