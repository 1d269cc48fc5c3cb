//! The justice bureau's supervision (司法局 执法监督), site-wide and read-only: every agency's
//! overdue reviews, publications and archiving, what waits for approval, the reviewer ratio;
//! the latest accesses to recordings; the hall's ratings and open follow-ups; and each agency's
//! annual report.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use site_api::{AgencyDue, DueQuery, Role, StatsQuery};

use super::user::DeskUser;
use super::view::{error_page, local_time, page, table};
use crate::api::{AppState, Failure, cases, hall};
use crate::pages::annual_report_html;
use crate::pages::html::escape;

/// How many of the latest accesses to recordings the page lists.
const ACCESS_LINES: u32 = 50;

pub(super) async fn supervision(State(state): State<AppState>, user: DeskUser) -> Response {
    if let Err(failure) = supervisor_only(&user) {
        return error_page(failure);
    }
    let mut dues: Vec<(String, String, AgencyDue)> = Vec::new();
    for agency in &state.site.agencies {
        let query = DueQuery {
            agency: Some(agency.id.clone()),
            ..Default::default()
        };
        match cases::due(State(state.clone()), user.api(), Ok(Query(query))).await {
            Ok(axum::Json(due)) => dues.push((agency.id.clone(), agency.name.clone(), due)),
            Err(failure) => return error_page(failure),
        }
    }
    let mut body = String::from("<section id=\"agencies\"><h2>各执法机关待办与逾期</h2>\n");
    let year = chrono::Local::now().year();
    let rows: Vec<Vec<String>> = dues
        .iter()
        .map(|(id, name, due)| {
            let ratio = &due.reviewer_ratio;
            let ratio_cell = format!(
                "<span class=\"{}\">{:.1}%（{}/{}）</span>",
                if ratio.below_five_percent {
                    "overdue"
                } else {
                    "ok"
                },
                ratio.percent,
                ratio.reviewers,
                ratio.enforcement_staff
            );
            vec![
                escape(name),
                count(due.reviews.overdue.len()),
                due.reviews.waiting.len().to_string(),
                due.reviews.returned.len().to_string(),
                due.awaiting_approval.len().to_string(),
                count(due.publicity.overdue.len()),
                count(due.publicity.to_withdraw.len()),
                count(due.archiving.iter().filter(|a| a.overdue).count()),
                count(due.unrecorded.len()),
                ratio_cell,
                format!(
                    "<a href=\"/desk/agencies/{}/annual-report?year={}\">{}年</a>{}",
                    escape(id),
                    year - 1,
                    year - 1,
                    match &due.annual_report {
                        Some(report) if report.overdue => {
                            format!(
                                "<span class=\"overdue\">（未报送，{} 截止）</span>",
                                report.due_on
                            )
                        }
                        Some(report) => format!("（待报送，{} 截止）", report.due_on),
                        None => String::new(),
                    }
                ),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "执法机关",
            "审核逾期",
            "审核中",
            "退回补充",
            "待审批",
            "公示逾期",
            "应撤未撤",
            "归档逾期",
            "未按清单录像",
            "法制审核人员比例",
            "年度报告",
        ],
        &rows,
    ));
    body.push_str("</section>\n<section id=\"overdue\"><h2>逾期与未按规定事项</h2>\n");
    let mut overdue = Vec::new();
    for (_, name, due) in &dues {
        for s in &due.reviews.overdue {
            overdue.push(vec![
                escape(name),
                "法制审核".to_string(),
                escape(&s.case_number),
                format!("<span class=\"overdue\">{}</span>", s.due_on),
            ]);
        }
        for p in &due.publicity.overdue {
            overdue.push(vec![
                escape(name),
                "决定公示".to_string(),
                escape(&p.case_number),
                format!("<span class=\"overdue\">{}</span>", p.due_on),
            ]);
        }
        for batch in due.inspections.iter().filter(|b| b.overdue) {
            overdue.push(vec![
                escape(name),
                format!("检查结果公示（{} 件）", batch.inspections),
                escape(&batch.period),
                batch
                    .due_on
                    .map(|d| format!("<span class=\"overdue\">{d}</span>"))
                    .unwrap_or_default(),
            ]);
        }
        for u in &due.unrecorded {
            overdue.push(vec![
                escape(name),
                format!("应录像而未录：{}", escape(&u.because)),
                escape(&u.case_number),
                u.decided_on.to_string(),
            ]);
        }
        for a in due.archiving.iter().filter(|a| a.overdue) {
            overdue.push(vec![
                escape(name),
                format!("归档（缺 {}）", escape(&a.missing.join("、"))),
                escape(&a.case_number),
                format!("<span class=\"overdue\">{}</span>", a.due_on),
            ]);
        }
    }
    body.push_str(&table(&["执法机关", "事项", "案号", "日期"], &overdue));
    body.push_str("</section>\n");
    body.push_str(&hall_today(&state, &user).await);
    body.push_str(&access_log(&state).await);
    page(&user, "执法监督 Supervision", &body).into_response()
}

fn count(n: usize) -> String {
    if n == 0 {
        "0".to_string()
    } else {
        format!("<span class=\"overdue\">{n}</span>")
    }
}

fn supervisor_only(user: &DeskUser) -> Result<(), Failure> {
    if user.caller.role == Role::Supervisor {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            "this page is the justice bureau's supervision; use the supervisor's token",
        ))
    }
}

async fn hall_today(state: &AppState, user: &DeskUser) -> String {
    let stats = match hall::stats(
        State(state.clone()),
        user.api(),
        Ok(Query(StatsQuery::default())),
    )
    .await
    {
        Ok(axum::Json(stats)) => stats,
        Err(failure) => return format!("<p class=\"refused\">{}</p>", escape(&failure.1)),
    };
    let rows: Vec<Vec<String>> = stats
        .services
        .iter()
        .map(|line| {
            vec![
                escape(&line.name),
                line.issued.to_string(),
                line.done.to_string(),
                line.ratings.to_string(),
                line.average_rating
                    .map(|r| format!("{r:.1}"))
                    .unwrap_or_default(),
                count(usize::try_from(line.bad_ratings).unwrap_or(0)),
            ]
        })
        .collect();
    format!(
        "<section id=\"hall\"><h2>服务大厅 {}（好差评）</h2>\n{}<p>差评待回访：{} 件</p></section>\n",
        escape(&stats.day),
        table(&["事项", "取号", "办结", "评价", "平均分", "差评"], &rows),
        stats.open_follow_ups.len()
    )
}

async fn access_log(state: &AppState) -> String {
    let lines = match state
        .db
        .read(|store| store.access_log_latest(ACCESS_LINES))
        .await
    {
        Ok(lines) => lines,
        Err(err) => return format!("<p class=\"refused\">{}</p>", escape(&err.to_string())),
    };
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|line| {
            vec![
                local_time(line.at),
                escape(&line.who),
                escape(&line.action),
                match line
                    .target
                    .strip_prefix("session ")
                    .and_then(|id| id.parse::<i64>().ok())
                {
                    Some(id) => format!(
                        "<a href=\"/desk/sessions/{id}\">{}</a>",
                        escape(&line.target)
                    ),
                    None => escape(&line.target),
                },
                if line.allowed {
                    "<span class=\"ok\">允许</span>".to_string()
                } else {
                    format!(
                        "<span class=\"refused\">拒绝：{}</span>",
                        escape(&line.reason)
                    )
                },
                escape(&line.purpose),
            ]
        })
        .collect();
    format!(
        "<section id=\"access-log\"><h2>音像记录查阅日志（最近 {ACCESS_LINES} 条）</h2>\n{}</section>\n",
        table(&["时间", "查阅人", "操作", "对象", "结果", "用途"], &rows)
    )
}

#[derive(Deserialize)]
pub(super) struct Year {
    year: Option<i32>,
}

pub(super) async fn annual_report(
    State(state): State<AppState>,
    user: DeskUser,
    Path(agency): Path<String>,
    Query(year): Query<Year>,
) -> Response {
    let own = user.caller.agency_id.as_deref() == Some(agency.as_str());
    if !own && user.caller.role != Role::Supervisor {
        return error_page(Failure::new(
            StatusCode::FORBIDDEN,
            "an agency's annual report is read by its own staff and the supervisor",
        ));
    }
    if state.site.agency(&agency).is_none() {
        return error_page(Failure::new(
            StatusCode::NOT_FOUND,
            format!("agency {agency} is not one of this site's agencies"),
        ));
    }
    let year = year.year.unwrap_or_else(|| chrono::Local::now().year() - 1);
    match state
        .db
        .read(move |store| store.annual_report(&agency, year))
        .await
    {
        Ok(report) => Html(annual_report_html(&report)).into_response(),
        Err(err) => error_page(Failure::from(err)),
    }
}
