//! The review opinion (法制审核意见书) as a document: the agency's heading, its number, the case,
//! what was submitted, each checklist item, the opinion and conclusion, the reviewer and date.
//! Laid out for A4; the browser prints it (or saves it as PDF) with the fonts of the page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use site_api::{CaseView, ReviewView, SubmissionView};

use super::user::DeskUser;
use super::view::{error_page, outcome_label, page, path_segment};
use crate::api::{AppState, Failure, cases};
use crate::pages::html::escape;

const PAPER: &str = "<style>\
.opinion{background:#fff;max-width:46em;margin:0 auto;padding:2em 3em;border:1px solid #d8dce2;font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif}\
.opinion h2{text-align:center;font-size:1.3em;margin:.2em 0}.opinion h3{text-align:center;font-size:1.6em;letter-spacing:.3em;margin:.2em 0 .4em}\
.opinion .number{text-align:center;margin-bottom:1.2em}.opinion th{width:8em;color:#222;border:1px solid #444}\
.opinion td{border:1px solid #444}.opinion td.result{width:9em}.opinion .sign{text-align:right;margin-top:2em}\
@page{size:A4;margin:20mm}@media print{.opinion{border:none;padding:0}main>h1{display:none}}</style>";

#[derive(Deserialize)]
pub(super) struct WhichReview {
    /// 1 for the case's first review; the latest when left out.
    review: Option<usize>,
}

/// The opinion asked for: the case, the review, the agency's name and the submission the
/// review answered.
struct Opinion {
    case: CaseView,
    review: usize,
    agency: String,
}

impl Opinion {
    async fn find(
        state: &AppState,
        user: &DeskUser,
        number: String,
        which: WhichReview,
    ) -> Result<Self, Failure> {
        let axum::Json(case) = cases::case(State(state.clone()), user.api(), Path(number)).await?;
        let index = which.review.unwrap_or(case.reviews.len());
        if index == 0 || index > case.reviews.len() {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                format!("case {} has no review number {index}", case.number),
            ));
        }
        let agency = user
            .caller
            .agency_id
            .as_deref()
            .and_then(|id| state.site.agency(id))
            .map(|a| a.name.clone())
            .unwrap_or_default();
        Ok(Self {
            case,
            review: index - 1,
            agency,
        })
    }

    fn review(&self) -> &ReviewView {
        &self.case.reviews[self.review]
    }

    /// The submission the review answered: the latest made on or before its day.
    fn submission(&self) -> Option<&SubmissionView> {
        let reviewed_on: String = self.review().at.chars().take(10).collect();
        self.case
            .submissions
            .iter()
            .rev()
            .find(|s| s.submitted_on.to_string() <= reviewed_on)
    }
}

/// The opinion as a PDF file with its CJK font embedded, for the case file.
pub(super) async fn opinion_pdf(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
    Query(which): Query<WhichReview>,
) -> Response {
    let opinion = match Opinion::find(&state, &user, number, which).await {
        Ok(opinion) => opinion,
        Err(failure) => return error_page(failure),
    };
    let file = format!("{}.pdf", opinion.review().opinion_number);
    let made = tokio::task::spawn_blocking(move || {
        crate::pages::opinion_pdf(
            &opinion.agency,
            &opinion.case,
            opinion.review(),
            opinion.submission(),
        )
    })
    .await
    .unwrap_or_else(|err| Err(err.to_string()));
    match made {
        Ok(pdf) => (
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"opinion.pdf\"; filename*=UTF-8''{}",
                        path_segment(&file)
                    ),
                ),
            ],
            pdf,
        )
            .into_response(),
        Err(why) => error_page(Failure::new(StatusCode::INTERNAL_SERVER_ERROR, why)),
    }
}

pub(super) async fn opinion(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
    Query(which): Query<WhichReview>,
) -> Response {
    let found = match Opinion::find(&state, &user, number, which).await {
        Ok(found) => found,
        Err(failure) => return error_page(failure),
    };
    let (case, review, agency) = (&found.case, found.review(), &found.agency);
    let reviewed_on: String = review.at.chars().take(10).collect();
    let submission = found.submission();
    let materials = submission
        .map(|s| escape(&s.materials.join("、")))
        .unwrap_or_else(|| "（未经送审登记）".to_string());
    let submitted = submission
        .map(|s| format!("{}（{}）", escape(&s.submitted_by), s.submitted_on))
        .unwrap_or_default();
    let mut checklist = String::new();
    for item in &review.checklist {
        checklist.push_str(&format!(
            "<tr><td colspan=\"2\">{}</td><td class=\"result\">{}<br>{}</td></tr>\n",
            escape(&item.item),
            if item.holds { "符合" } else { "不符合" },
            escape(&item.note)
        ));
    }
    let disagreement = if review.disagreement.is_empty() {
        "无".to_string()
    } else {
        format!(
            "{}<br>处理：{}",
            escape(&review.disagreement),
            escape(&review.settled)
        )
    };
    let body = format!(
        "{PAPER}<p class=\"no-print\"><button onclick=\"window.print()\">打印</button> \
         <a href=\"/desk/cases/{path}/opinion.pdf?review={index}\" id=\"pdf\">下载 PDF</a></p>\n\
         <article class=\"opinion\" id=\"opinion\">\n<h2>{agency}</h2>\n<h3>法制审核意见书</h3>\n\
         <p class=\"number\">{number}</p>\n<table>\n\
         <tr><th>案号</th><td colspan=\"2\">{case_number}</td></tr>\n\
         <tr><th>当事人</th><td colspan=\"2\">{party}</td></tr>\n\
         <tr><th>送审</th><td colspan=\"2\">{submitted}</td></tr>\n\
         <tr><th>送审材料</th><td colspan=\"2\">{materials}</td></tr>\n\
         <tr><th colspan=\"3\">审核内容</th></tr>\n{checklist}\
         <tr><th>审核意见</th><td colspan=\"2\">{opinion}</td></tr>\n\
         <tr><th>审核结论</th><td colspan=\"2\">{outcome}</td></tr>\n\
         <tr><th>分歧及处理</th><td colspan=\"2\">{disagreement}</td></tr>\n</table>\n\
         <p class=\"sign\">审核人：{reviewer}<br>{reviewed_on}</p>\n</article>\n",
        agency = escape(agency),
        path = path_segment(&case.number),
        index = found.review + 1,
        number = escape(&review.opinion_number),
        case_number = escape(&case.number),
        party = escape(&case.party),
        opinion = escape(&review.opinion).replace('\n', "<br>"),
        outcome = outcome_label(review.outcome),
        reviewer = escape(&review.reviewer),
    );
    page(&user, &review.opinion_number, &body).into_response()
}
