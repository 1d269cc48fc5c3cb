//! The reviewer's queue (待审案件): the agency's submissions for legal review — overdue first,
//! then waiting by due date, then those returned for materials with their clock stopped.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use site_api::{DueQuery, SubmissionView};

use super::user::DeskUser;
use super::view::{case_link, error_page, page, table};
use crate::api::AppState;
use crate::api::cases::due;
use crate::pages::html::escape;

pub(super) async fn reviews(State(state): State<AppState>, user: DeskUser) -> Response {
    let due = match due(State(state), user.api(), Ok(Query(DueQuery::default()))).await {
        Ok(axum::Json(due)) => due,
        Err(failure) => return error_page(failure),
    };
    let reviews = &due.reviews;
    let mut waiting: Vec<&SubmissionView> = reviews.waiting.iter().collect();
    waiting.sort_by_key(|s| s.due_on);
    let mut body = format!(
        "<p>今天 {}：逾期 <b class=\"overdue\">{}</b> 件，审核中 {} 件，退回补充材料 {} 件。</p>\n",
        due.day,
        reviews.overdue.len(),
        waiting.len(),
        reviews.returned.len()
    );
    body.push_str("<section id=\"overdue\"><h2>已逾期 Overdue</h2>\n");
    body.push_str(&submissions(reviews.overdue.iter(), true));
    body.push_str("</section>\n<section id=\"waiting\"><h2>审核中 Waiting</h2>\n");
    body.push_str(&submissions(waiting.into_iter(), false));
    body.push_str(
        "</section>\n<section id=\"returned\"><h2>退回补充材料 Returned for materials</h2>\n",
    );
    let rows: Vec<Vec<String>> = reviews
        .returned
        .iter()
        .map(|s| {
            vec![
                case_link(&s.case_number),
                s.returned_on.map(|d| d.to_string()).unwrap_or_default(),
                escape(s.returned_because.as_deref().unwrap_or("")),
                format!("{} 个工作日", s.days_left.unwrap_or(0)),
            ]
        })
        .collect();
    body.push_str(&table(
        &["案号", "退回日期", "缺少的材料", "剩余期限"],
        &rows,
    ));
    body.push_str("</section>\n");
    if !due.awaiting_approval.is_empty() {
        let rows: Vec<Vec<String>> = due
            .awaiting_approval
            .iter()
            .map(|number| vec![case_link(number)])
            .collect();
        body.push_str("<section><h2>审核通过、待负责人审批</h2>\n");
        body.push_str(&table(&["案号"], &rows));
        body.push_str("</section>\n");
    }
    page(&user, "待审案件 Reviews", &body).into_response()
}

fn submissions<'a>(list: impl Iterator<Item = &'a SubmissionView>, overdue: bool) -> String {
    let rows: Vec<Vec<String>> = list
        .map(|s| {
            let due = if overdue {
                format!("<span class=\"overdue\">{}</span>", s.due_on)
            } else {
                s.due_on.to_string()
            };
            vec![
                case_link(&s.case_number),
                escape(&s.submitted_by),
                s.submitted_on.to_string(),
                escape(&s.materials.join("、")),
                due,
            ]
        })
        .collect();
    table(
        &["案号", "送审人", "送审日期", "送审材料", "审核期限"],
        &rows,
    )
}
