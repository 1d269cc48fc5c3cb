//! A case at the desk: what it is and why it is major, what was submitted for review, its
//! timeline (every step, review, approval and recording, by date), its recordings to play, and
//! for a reviewer the review form with the checklist, or the form that returns the submission
//! for more materials.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use site_api::{
    CHECKLIST, CaseView, CheckedItem, ReturnForMaterials, ReviewCase, ReviewOutcome, SessionView,
    SubmissionState,
};

use super::user::DeskUser;
use super::view::{error_page, local_time, major_label, outcome_label, page, path_segment, table};
use crate::api::{AppState, Failure, case_file, cases, submissions};
use crate::pages::html::escape;

pub(super) async fn case(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
) -> Response {
    let case = match cases::case(State(state.clone()), user.api(), Path(number)).await {
        Ok(axum::Json(case)) => case,
        Err(failure) => return error_page(failure),
    };
    let mut sessions = Vec::new();
    for id in case.sessions.clone() {
        // The list names each recording and when it was made; what was recorded is only
        // reached by playing it, which is an access (logged, with its purpose).
        match state.db.read(move |store| store.session(id)).await {
            Ok(view) => sessions.push(view),
            Err(err) => return error_page(Failure::from(err)),
        }
    }
    let mut body = summary(&case);
    body.push_str(&submitted(&case));
    body.push_str(&attachments(&case));
    body.push_str(&timeline(&case, &sessions));
    body.push_str(&recordings(&sessions));
    body.push_str(&footage(&case));
    body.push_str(&reviews(&case));
    if user.reviews() && case.decision.is_none() {
        body.push_str(&review_form(&case));
    }
    page(&user, &format!("案件 {}", case.number), &body).into_response()
}

fn summary(case: &CaseView) -> String {
    let major = if case.major_because.is_empty() {
        "否".to_string()
    } else {
        let reasons: Vec<&str> = case.major_because.iter().map(|b| major_label(*b)).collect();
        format!("是：{}", reasons.join("、"))
    };
    let rows = [
        ("案号", escape(&case.number)),
        ("执法类别", escape(case.action_type.label())),
        ("当事人", escape(&case.party)),
        ("决定种类", escape(&case.decision_kind)),
        (
            "承办人",
            escape(
                &std::iter::once(case.handler_id.clone().unwrap_or_default())
                    .chain(case.co_handlers.iter().cloned())
                    .filter(|h| !h.is_empty())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
        ),
        ("重大执法决定", major),
    ];
    let mut out = String::from("<section id=\"summary\"><h2>案件概况</h2><table>\n");
    for (label, value) in rows {
        out.push_str(&format!("<tr><th>{label}</th><td>{value}</td></tr>\n"));
    }
    if let Some(decision) = &case.decision {
        out.push_str(&format!(
            "<tr><th>决定</th><td>{}（{}，{}）</td></tr>\n",
            escape(&decision.conclusion),
            escape(&decision.document_number),
            decision.decided_on
        ));
    }
    out.push_str("</table></section>\n");
    out
}

/// A link that downloads one of the case's files.
fn attachment_link(number: &str, id: i64, text: &str) -> String {
    format!(
        "<a href=\"/desk/cases/{}/attachments/{id}\">{}</a>",
        path_segment(number),
        escape(text)
    )
}

fn attachments(case: &CaseView) -> String {
    let rows: Vec<Vec<String>> = case
        .attachments
        .iter()
        .map(|a| {
            vec![
                attachment_link(&case.number, a.id, &a.name),
                a.kind.as_str().to_uppercase(),
                format!("{:.1} KB", a.size_bytes as f64 / 1024.0),
                format!("<code>{}…</code>", &a.sha256[..a.sha256.len().min(16)]),
                escape(&a.added_by),
                escape(
                    &a.added_at
                        .chars()
                        .take(16)
                        .collect::<String>()
                        .replace('T', " "),
                ),
            ]
        })
        .collect();
    format!(
        "<section id=\"attachments\"><h2>附件</h2>\n{}</section>\n",
        table(
            &["文件", "类型", "大小", "SHA-256", "添加人", "时间"],
            &rows
        )
    )
}

/// Body-worn camera footage linked to the case: what the media says it holds (start time,
/// duration, codecs, picture size), read at collection; viewing a file is an access of its own.
fn footage(case: &CaseView) -> String {
    let rows: Vec<Vec<String>> = case
        .footage
        .iter()
        .map(|f| {
            let duration = f
                .duration_ms
                .map(|ms| format!("{}:{:02}", ms / 60_000, ms / 1000 % 60))
                .unwrap_or_else(|| "—".into());
            let size = match (f.width, f.height) {
                (Some(w), Some(h)) => format!("{w}×{h}"),
                _ => "—".into(),
            };
            vec![
                format!("{}{}", if f.important { "★ " } else { "" }, escape(&f.file)),
                f.started_at.map(local_time).unwrap_or_default(),
                duration,
                escape(&f.codecs),
                size,
                escape(&format!("{}（{}）", f.officer_name, f.device_serial)),
                format!("<code>{}…</code>", &f.sha256[..f.sha256.len().min(16)]),
                escape(&f.note),
            ]
        })
        .collect();
    format!(
        "<section id=\"footage\"><h2>执法记录仪视音频</h2>\n{}</section>\n",
        table(
            &[
                "文件",
                "开始",
                "时长",
                "编码",
                "画面",
                "记录人（设备）",
                "SHA-256",
                "备注"
            ],
            &rows
        )
    )
}

fn submitted(case: &CaseView) -> String {
    let rows: Vec<Vec<String>> = case
        .submissions
        .iter()
        .map(|s| {
            let state = match s.state {
                SubmissionState::Waiting => format!("审核中，{} 前完成", s.due_on),
                SubmissionState::Returned => format!(
                    "已退回补充材料（{}）：{}",
                    s.returned_on.map(|d| d.to_string()).unwrap_or_default(),
                    escape(s.returned_because.as_deref().unwrap_or(""))
                ),
                SubmissionState::Reviewed => "已审核".to_string(),
            };
            let mut materials: String = s
                .materials
                .iter()
                .map(|m| format!("<li>{}</li>", escape(m)))
                .collect();
            for id in &s.attachments {
                let name = case
                    .attachments
                    .iter()
                    .find(|a| a.id == *id)
                    .map_or_else(|| format!("附件 {id}"), |a| a.name.clone());
                materials.push_str(&format!(
                    "<li>{}</li>",
                    attachment_link(&case.number, *id, &name)
                ));
            }
            vec![
                s.submitted_on.to_string(),
                escape(&s.submitted_by),
                format!("<ul>{materials}</ul>"),
                format!("{} 个工作日", s.working_days),
                state,
            ]
        })
        .collect();
    format!(
        "<section id=\"materials\"><h2>送审材料</h2>\n{}</section>\n",
        table(&["送审日期", "送审人", "材料", "审核时限", "状态"], &rows)
    )
}

/// Every dated step of the case, oldest first.
fn timeline(case: &CaseView, sessions: &[SessionView]) -> String {
    let mut steps: Vec<(String, String)> = Vec::new();
    for step in &case.steps {
        let mut what = format!("<b>{}</b>", step.kind.label());
        if !step.document_number.is_empty() {
            what.push_str(&format!(" {}", escape(&step.document_number)));
        }
        if let Some(told) = step.party_told_on {
            what.push_str(&format!("，{told} 告知当事人权利"));
        }
        if let Some(method) = step.delivery_method {
            what.push_str(&format!("（{}）", method.label()));
        }
        if let Some(session) = step.session_id {
            what.push_str(&format!(
                "，录像 <a href=\"/desk/sessions/{session}\">第 {session} 号</a>"
            ));
        }
        if let Some(because) = &step.unrecorded_because {
            what.push_str(&format!("，未录像：{}", escape(because)));
        }
        if !step.detail.is_empty() {
            what.push_str(&format!("：{}", escape(&step.detail)));
        }
        if let Some(file) = step.attachment_id {
            what.push_str(&format!(" {}", attachment_link(&case.number, file, "附件")));
        }
        what.push_str(&format!("（{}）", escape(&step.recorded_by)));
        steps.push((step.happened_on.to_string(), what));
    }
    for change in &case.history {
        steps.push((
            change.at.clone(),
            format!(
                "{} 改 {}：{} → {}",
                escape(&change.who),
                escape(&change.field),
                escape(&change.old),
                escape(&change.new)
            ),
        ));
    }
    for s in &case.submissions {
        steps.push((
            s.submitted_on.to_string(),
            format!("送审（{}）", escape(&s.submitted_by)),
        ));
        if let Some(on) = s.returned_on {
            steps.push((on.to_string(), "退回补充材料".to_string()));
        }
    }
    for session in sessions {
        if let Some(started) = session.started_at {
            steps.push((
                started.to_rfc3339(),
                format!(
                    "音像记录 <a href=\"/desk/sessions/{}\">第 {} 号</a>（{}）",
                    session.id,
                    session.id,
                    escape(&session.room_id)
                ),
            ));
        }
    }
    for review in &case.reviews {
        steps.push((
            review.at.clone(),
            format!(
                "法制审核：{}（{}，{}）",
                outcome_label(review.outcome),
                escape(&review.opinion_number),
                escape(&review.reviewer)
            ),
        ));
    }
    for discussion in &case.discussions {
        steps.push((
            discussion.held_on.to_string(),
            format!("集体讨论：{}", escape(&discussion.outcome)),
        ));
    }
    for approval in &case.approvals {
        steps.push((
            approval.at.clone(),
            format!("负责人审批（{}）", escape(&approval.approved_by)),
        ));
    }
    if let Some(decision) = &case.decision
        && let Some(because) = &decision.unrecorded_because
    {
        steps.push((
            decision.decided_on.to_string(),
            format!(
                "<span class=\"overdue\">按音像记录事项清单应录像而未录：{}</span>",
                escape(because)
            ),
        ));
    }
    if let Some(decision) = &case.decision {
        steps.push((
            decision.decided_on.to_string(),
            format!("决定 {}", escape(&decision.document_number)),
        ));
    }
    if let Some(on) = case.publication.as_ref().and_then(|p| p.published_on) {
        steps.push((on.to_string(), "公示".to_string()));
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    let items: String = steps
        .iter()
        .map(|(at, what)| {
            let shown: String = at.replace('T', " ").chars().take(16).collect();
            format!("<li><time>{}</time>{what}</li>\n", escape(&shown))
        })
        .collect();
    format!(
        "<section id=\"timeline\"><h2>办案过程</h2><ol class=\"timeline\">\n{items}</ol></section>\n"
    )
}

fn recordings(sessions: &[SessionView]) -> String {
    let rows: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            vec![
                format!("第 {} 号", s.id),
                escape(&s.room_id),
                s.started_at.map(local_time).unwrap_or_default(),
                s.ended_at.map(local_time).unwrap_or_default(),
                escape(s.state.as_str()),
                format!("<a href=\"/desk/sessions/{}\">播放</a>", s.id),
            ]
        })
        .collect();
    format!(
        "<section id=\"recordings\"><h2>音像记录</h2>\n{}<p class=\"hint\">每次播放都记入查阅日志，并写明用途。</p></section>\n",
        table(&["录像", "房间", "开始", "结束", "状态", ""], &rows)
    )
}

fn reviews(case: &CaseView) -> String {
    if case.reviews.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = case
        .reviews
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                escape(&r.opinion_number),
                outcome_label(r.outcome).to_string(),
                escape(&r.reviewer),
                escape(&r.at),
                format!(
                    "<a href=\"/desk/cases/{}/opinion?review={}\">意见书</a>",
                    path_segment(&case.number),
                    i + 1
                ),
            ]
        })
        .collect();
    format!(
        "<section id=\"reviews\"><h2>法制审核意见</h2>\n{}</section>\n",
        table(&["文号", "结论", "审核人", "时间", ""], &rows)
    )
}

fn review_form(case: &CaseView) -> String {
    let action = path_segment(&case.number);
    let mut items = String::new();
    for (i, item) in CHECKLIST.iter().enumerate() {
        items.push_str(&format!(
            "<tr><td><label><input type=\"checkbox\" name=\"holds_{i}\" value=\"1\"> {}</label></td>\
             <td><input type=\"text\" name=\"note_{i}\" placeholder=\"说明\"></td></tr>\n",
            escape(item)
        ));
    }
    let waiting = case
        .submissions
        .last()
        .is_some_and(|s| s.state == SubmissionState::Waiting);
    let return_form = if waiting {
        format!(
            "<form method=\"post\" action=\"/desk/cases/{action}/return\" id=\"return-form\">\
             <h3>退回补充材料</h3><label>缺少的材料<input type=\"text\" name=\"reason\" required></label>\
             <p><button type=\"submit\">退回</button> <span class=\"hint\">退回后审核期限暂停，补齐后继续计算。</span></p></form>"
        )
    } else {
        String::new()
    };
    format!(
        "<section id=\"review\" class=\"no-print\"><h2>法制审核</h2>\n\
         <form method=\"post\" action=\"/desk/cases/{action}/review\" id=\"review-form\">\n\
         <table><tr><th>审核内容（符合的打勾）</th><th>说明</th></tr>\n{items}</table>\n\
         <p>审核结论：<label><input type=\"radio\" name=\"outcome\" value=\"pass\" required> 同意</label> \
         <label><input type=\"radio\" name=\"outcome\" value=\"return\"> 退回补正</label> \
         <label><input type=\"radio\" name=\"outcome\" value=\"fail\"> 不同意</label></p>\n\
         <label>审核意见<textarea name=\"opinion\" required></textarea></label>\n\
         <label>与承办机构的分歧<textarea name=\"disagreement\"></textarea></label>\n\
         <label>分歧的处理<textarea name=\"settled\"></textarea></label>\n\
         <p><button type=\"submit\">提交审核意见</button> <span class=\"hint\">提交后不可更改，并生成编号的法制审核意见书。</span></p>\n\
         </form>\n{return_form}</section>\n"
    )
}

/// The review form as the API's request: each checklist item, ticked or not, with its note.
fn review_request(fields: &[(String, String)]) -> Result<ReviewCase, Failure> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_string())
    };
    let outcome = field("outcome")
        .and_then(|o| ReviewOutcome::parse(&o))
        .ok_or_else(|| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "choose the review's conclusion: 同意, 退回补正 or 不同意",
            )
        })?;
    let checklist = CHECKLIST
        .iter()
        .enumerate()
        .map(|(i, item)| CheckedItem {
            item: item.to_string(),
            holds: field(&format!("holds_{i}")).is_some(),
            note: field(&format!("note_{i}")).unwrap_or_default(),
        })
        .collect();
    Ok(ReviewCase {
        checklist,
        outcome,
        opinion: field("opinion").unwrap_or_default(),
        disagreement: field("disagreement").unwrap_or_default(),
        settled: field("settled").unwrap_or_default(),
    })
}

/// One of the case's files, through the API's handler (its agency only, checked against its
/// hash).
pub(super) async fn attachment(
    State(state): State<AppState>,
    user: DeskUser,
    Path((number, id)): Path<(String, i64)>,
) -> Response {
    match case_file::attachment(State(state), user.api(), Path((number, id))).await {
        Ok(response) => response,
        Err(failure) => error_page(failure),
    }
}

pub(super) async fn review(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let request = match review_request(&fields) {
        Ok(request) => request,
        Err(failure) => return error_page(failure),
    };
    let path = path_segment(&number);
    match cases::review(
        State(state),
        user.api(),
        Path(number),
        Ok(axum::Json(request)),
    )
    .await
    {
        Ok((_, axum::Json(case))) => Redirect::to(&format!(
            "/desk/cases/{path}/opinion?review={}",
            case.reviews.len()
        ))
        .into_response(),
        Err(failure) => error_page(failure),
    }
}

#[derive(Deserialize)]
pub(super) struct ReturnForm {
    reason: String,
}

pub(super) async fn return_for_materials(
    State(state): State<AppState>,
    user: DeskUser,
    Path(number): Path<String>,
    Form(form): Form<ReturnForm>,
) -> Response {
    let path = path_segment(&number);
    let returned = ReturnForMaterials {
        reason: form.reason,
    };
    match submissions::return_for_materials(
        State(state),
        user.api(),
        Path(number),
        Ok(axum::Json(returned)),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/desk/cases/{path}")).into_response(),
        Err(failure) => error_page(failure),
    }
}
