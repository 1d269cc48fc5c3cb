//! The desk's page frame, its style (on screen and on paper), and small pieces every page uses.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use site_api::{MajorBecause, ReviewOutcome, Role, StaffRole};

use super::user::{DeskUser, signed_in_as};
use crate::api::Failure;
use crate::pages::html::escape;

const STYLE: &str = "\
body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:0;color:#222;background:#f6f7f9}\
header{background:#1a5fb4;color:#fff;padding:.6em 1.2em;display:flex;align-items:center;gap:1.5em;flex-wrap:wrap}\
header a{color:#fff;text-decoration:none}header nav a{margin-right:1.2em}\
header .who{margin-left:auto}header form{display:inline}\
header button{background:none;border:1px solid #fff;color:#fff;border-radius:.3em;cursor:pointer}\
main{max-width:70em;margin:1.2em auto;padding:0 1.2em}\
section{background:#fff;border:1px solid #d8dce2;border-radius:.4em;padding:.6em 1.2em;margin-bottom:1em}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;vertical-align:top;border-bottom:1px solid #e3e6ea}\
th{font-weight:normal;color:#555}#summary th{width:9em}\
.overdue{color:#c01c28;font-weight:bold}.refused{color:#c01c28}.ok{color:#26a269}.hint{color:#666;font-size:.9em}\
.flash{background:#e6f4ea;border:1px solid #26a269;padding:.5em 1em;border-radius:.3em}\
textarea{width:100%;min-height:5em;font:inherit}input[type=text]{width:100%;font:inherit}\
button{font:inherit;padding:.3em 1em}\
ol.timeline{list-style:none;padding:0;border-left:3px solid #1a5fb4;margin-left:.5em}\
ol.timeline li{margin:0 0 .6em 0;padding-left:1em}ol.timeline time{color:#555;margin-right:.6em}\
@media print{header,.no-print{display:none}body{background:#fff}main{margin:0;max-width:none}section{border:none}}";

/// A desk page: the header with what this staff member may open, then the body (already HTML).
pub(super) fn page(user: &DeskUser, title: &str, body: &str) -> Html<String> {
    let mut nav = String::new();
    if user.caller.role == Role::Supervisor {
        nav.push_str("<a href=\"/desk/supervision\">执法监督</a>");
    } else {
        nav.push_str("<a href=\"/desk/reviews\">待审案件</a>");
        if user.staff_role == Some(StaffRole::Head) {
            nav.push_str("<a href=\"/desk/approvals\">待审批</a>");
        }
    }
    Html(frame(
        title,
        &format!(
            "<header><b>留痕 · 工作台</b><nav>{nav}</nav><span class=\"who\">{}</span>\
             <form method=\"post\" action=\"/desk/sign-out\"><button type=\"submit\">退出</button></form></header>\n\
             <main>\n<h1>{}</h1>\n{body}</main>",
            signed_in_as(user),
            escape(title)
        ),
    ))
}

/// A page without anyone signed in (the sign-in form).
pub(super) fn plain_page(site: &str, title: &str, body: &str) -> Html<String> {
    Html(frame(
        title,
        &format!(
            "<header><b>留痕 · 工作台</b><span>{}</span></header>\n<main>\n<h1>{}</h1>\n{body}</main>",
            escape(site),
            escape(title)
        ),
    ))
}

fn frame(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

/// A refusal or an error as a page: the API's sentence, and the way back.
pub(super) fn error_page(failure: Failure) -> Response {
    let status = failure.0;
    let heading = match status {
        StatusCode::FORBIDDEN => "不能这样做 Not allowed",
        StatusCode::NOT_FOUND => "没有找到 Not found",
        StatusCode::CONFLICT => "现在不能这样做 Not now",
        StatusCode::BAD_REQUEST => "填写的内容有误 Check the form",
        _ => "出错了 Something went wrong",
    };
    let body = frame(
        heading,
        &format!(
            "<main><h1>{heading}</h1><section><p class=\"refused\" id=\"error\">{}</p>\
             <p><a href=\"javascript:history.back()\">返回 Back</a> · <a href=\"/desk\">工作台 Desk</a></p></section></main>",
            escape(&failure.1)
        ),
    );
    (status, Html(body)).into_response()
}

/// The desk's link to a case (case numbers hold 〔〕 and CJK, so the path is percent-encoded).
pub(super) fn case_link(number: &str) -> String {
    format!(
        "<a href=\"/desk/cases/{}\">{}</a>",
        path_segment(number),
        escape(number)
    )
}

/// Text made safe as one segment of a URL path.
pub(super) use site_api::routes::encode_segment as path_segment;

/// A table of cells that are already HTML; an empty table says so.
pub(super) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<tr>");
    for header in headers {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(header)));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    if rows.is_empty() {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\" class=\"hint\">暂无 none</td></tr>\n",
            headers.len()
        ));
    }
    out.push_str("</table>\n");
    out
}

/// A review's outcome in the words of the opinion.
pub(super) fn outcome_label(outcome: ReviewOutcome) -> &'static str {
    match outcome {
        ReviewOutcome::Pass => "同意（通过）",
        ReviewOutcome::Return => "退回补正",
        ReviewOutcome::Fail => "不同意（不通过）",
    }
}

/// Why a case is major, in words.
pub(super) fn major_label(because: MajorBecause) -> &'static str {
    match because {
        MajorBecause::Catalogue => "列入重大执法决定目录",
        MajorBecause::HearingHeld => "经过听证",
        MajorBecause::LargeAmount => "数额较大",
        MajorBecause::ComplexFacts => "案情复杂",
        MajorBecause::Referral => "可能涉嫌犯罪移送",
    }
}

/// A time kept in UTC, shown in the site's local time to the minute.
pub(super) fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
