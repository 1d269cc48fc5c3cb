//! The desk (案件审核与监督工作台): pages in a browser for the people who decide and check — the
//! legal reviewer, the agency head who approves, and the justice bureau's supervisor. Every page
//! is HTML rendered here over the API's own handlers, so a page allows and refuses exactly what
//! the API does; the staff member signs in with their own token, kept in an HttpOnly,
//! SameSite=Strict cookie.
//!
//! | page                                  | for whom                                     |
//! |---------------------------------------|----------------------------------------------|
//! | `/desk/sign-in`                       | everyone: paste the token once               |
//! | `/desk/reviews`                       | the agency's submissions for review, by due date |
//! | `/desk/cases/{number}`                | a case: materials, timeline, recordings, review form |
//! | `/desk/cases/{number}/opinion[.pdf]`  | the review opinion (法制审核意见书), to print or as PDF |
//! | `/desk/approvals`                     | the head: decisions awaiting approval        |
//! | `/desk/supervision`                   | the supervisor: every agency's due lists, the access log, the hall |
//! | `/desk/sessions/{id}`                 | state a purpose, then play a recording (the supervisor too) |

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::api::AppState;

mod approvals;
mod case;
mod opinion;
mod playback;
mod queue;
mod supervision;
mod user;
mod view;

pub(crate) use playback::Playbacks;
use user::DeskUser;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/desk") }))
        .route("/desk", get(home))
        .route("/desk/sign-in", get(user::sign_in_form).post(user::sign_in))
        .route("/desk/sign-out", post(user::sign_out))
        .route("/desk/reviews", get(queue::reviews))
        .route("/desk/cases/{number}", get(case::case))
        .route("/desk/cases/{number}/review", post(case::review))
        .route(
            "/desk/cases/{number}/return",
            post(case::return_for_materials),
        )
        .route("/desk/cases/{number}/opinion", get(opinion::opinion))
        .route(
            "/desk/cases/{number}/opinion.pdf",
            get(opinion::opinion_pdf),
        )
        .route(
            "/desk/cases/{number}/attachments/{id}",
            get(case::attachment),
        )
        .route("/desk/approvals", get(approvals::approvals))
        .route("/desk/cases/{number}/approve", post(approvals::approve))
        .route("/desk/supervision", get(supervision::supervision))
        .route(
            "/desk/agencies/{agency}/annual-report",
            get(supervision::annual_report),
        )
        .route("/desk/sessions/{id}", get(playback::purpose_form))
        .route("/desk/sessions/{id}/play", get(playback::play))
        .route("/desk/playback/{grant}", get(playback::player))
        .route("/desk/playback/{grant}/{file}", get(playback::media))
        .with_state(state)
}

/// Where a staff member starts: the page of what they do.
async fn home(user: DeskUser) -> Redirect {
    Redirect::to(user.home())
}
