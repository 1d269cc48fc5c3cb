//! The agency head's approvals (负责人审批): each major case whose review passed and whose
//! decision waits, with the review it follows; approving signs with the head's own token.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use site_api::{ApproveDecision, DueQuery, ReviewOutcome};

use super::user::DeskUser;
use super::view::{case_link, error_page, outcome_label, page, path_segment, table};
use crate::api::{AppState, cases};
use crate::pages::html::escape;

#[derive(Deserialize)]
pub(super) struct Approved {
    approved: Option<String>,
}

pub(super) async fn approvals(
    State(state): State<AppState>,
    user: DeskUser,
    Query(done): Query<Approved>,
) -> Response {
    let due = match cases::due(
        State(state.clone()),
        user.api(),
        Ok(Query(DueQuery::default())),
    )
    .await
    {
        Ok(axum::Json(due)) => due,
        Err(failure) => return error_page(failure),
    };
    let mut rows = Vec::new();
    for number in &due.awaiting_approval {
        let case = match cases::case(State(state.clone()), user.api(), Path(number.clone())).await {
            Ok(axum::Json(case)) => case,
            Err(failure) => return error_page(failure),
        };
        let Some(review) = case
            .reviews
            .iter()
            .rev()
            .find(|r| r.outcome == ReviewOutcome::Pass)
        else {
            continue;
        };
        let path = path_segment(number);
        rows.push(vec![
            case_link(number),
            escape(&case.party),
            format!(
                "<a href=\"/desk/cases/{path}/opinion\">{}</a>（{}，{}）",
                escape(&review.opinion_number),
                outcome_label(review.outcome),
                escape(&review.reviewer)
            ),
            format!(
                "<form method=\"post\" action=\"/desk/cases/{path}/approve\" class=\"approve\">\
                 <input type=\"text\" name=\"note\" placeholder=\"审批意见\">\
                 <button type=\"submit\">同意作出决定</button></form>"
            ),
        ]);
    }
    let mut body = String::new();
    if let Some(number) = done.approved {
        body.push_str(&format!(
            "<p class=\"flash\" id=\"approved\">已审批 {}。</p>\n",
            escape(&number)
        ));
    }
    body.push_str("<section id=\"awaiting\"><h2>法制审核通过、待审批的重大执法决定</h2>\n");
    body.push_str(&table(&["案号", "当事人", "法制审核意见", "审批"], &rows));
    body.push_str("</section>\n");
    page(&user, "待审批 Approvals", &body).into_response()
}

#[derive(Deserialize)]
pub(super) struct ApproveForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn approve(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
    Form(form): Form<ApproveForm>,
) -> Response {
    let approval = ApproveDecision { note: form.note };
    let back = format!("/desk/approvals?approved={}", path_segment(&number));
    match cases::approve(
        State(state),
        user.api(),
        Path(number),
        Ok(axum::Json(approval)),
    )
    .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(failure) => error_page(failure),
    }
}
