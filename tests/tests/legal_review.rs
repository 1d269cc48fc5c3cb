//! Submission for legal review (送审) through the real controller: the handling unit submits a
//! case with its materials, the review is due the agency's number of working days later on the
//! site's calendar, a reviewer may return it for more materials (补充材料) and may not review it
//! until they come, and the agency's due list and the supervisor's view show where it stands.

use liuhen_tests::{TestSite, authorised_client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use site_api::calendar::WorkCalendar;
use site_api::{AgencyDue, CHECKLIST, CaseView, SubmissionState, SubmissionView};

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("controller answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_is_submitted_returned_for_materials_and_reviewed_in_time() {
    let site = TestSite::new(1).unwrap();
    site.set_agency("scjg", "review_working_days = 3").unwrap();
    let wang =
        authorised_client(&site.add_staff("wang", "王芳", "32010019001", None).unwrap()).unwrap();
    // Outside counsel (法律顾问), registered with a role of their own, reviews for the agency.
    let zhou = authorised_client(
        &site
            .add_staff_as("zhou", "周律师", "律师执业证 13201201910", "counsel", None)
            .unwrap(),
    )
    .unwrap();
    let supervisor = site.client("司法局", "supervisor", None).unwrap();
    let controller = site.start_controller().unwrap();
    let case = "市监罚〔2026〕31号";
    let url = |tail: &str| controller.url(&format!("/api/cases/{case}{tail}"));
    let (status, body) = send(wang.put(url("")).json(&json!({
        "action_type": "penalty", "party": "某餐饮公司", "organisation": true,
        "hearing_held": true, "handler_id": "wang"})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // 送审 with the materials, due three working days later on the site's calendar.
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": []})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no materials: {body}");
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": ["调查终结报告", "证据材料", "听证笔录"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let submitted: SubmissionView = serde_json::from_value(body).unwrap();
    let today = chrono::Local::now().date_naive();
    let calendar = WorkCalendar::built_in().unwrap();
    assert_eq!(
        submitted.due_on,
        calendar.add_working_days(today, 3).unwrap()
    );
    assert_eq!(submitted.working_days, 3);
    assert_eq!(submitted.submitted_by, "wang");
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": ["x"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "submitted twice: {body}");

    let due = |who: &reqwest::Client, query: &str| {
        let request = who.get(controller.url(&format!("/api/agency/due{query}")));
        async move {
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<AgencyDue>(body).expect("a due list")
        }
    };
    let listed = due(&wang, "").await;
    assert_eq!(listed.reviews.waiting.len(), 1, "{:?}", listed.reviews);

    // Only a reviewer returns it, saying what is missing; the clock stops.
    let (status, _) = send(
        wang.post(url("/submissions/return"))
            .json(&json!({"reason": "缺少现场笔录"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a clerk returned a submission"
    );
    let (status, _) = send(
        zhou.post(url("/submissions/return"))
            .json(&json!({"reason": " "})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "returned without a reason");
    let (status, body) = send(
        zhou.post(url("/submissions/return"))
            .json(&json!({"reason": "缺少现场笔录"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let returned: SubmissionView = serde_json::from_value(body).unwrap();
    assert_eq!(returned.state, SubmissionState::Returned);
    assert_eq!(returned.days_left, Some(3), "returned the day it came");
    let listed = due(&supervisor, "?agency=scjg").await;
    assert_eq!(listed.reviews.returned.len(), 1, "{:?}", listed.reviews);

    // No review while materials are missing.
    let checklist: Vec<Value> = CHECKLIST
        .iter()
        .map(|item| json!({"item": item, "holds": true, "note": "已核"}))
        .collect();
    let review = json!({"checklist": checklist, "outcome": "pass", "opinion": "证据充分，程序合法",
                        "disagreement": "", "settled": ""});
    let (status, body) = send(zhou.post(url("/reviews")).json(&review)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("补充材料"),
        "{body}"
    );

    // The materials come; the clock runs again; the review closes the submission.
    let (status, body) = send(
        wang.post(url("/submissions/resubmit"))
            .json(&json!({"materials": ["现场笔录"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let back: SubmissionView = serde_json::from_value(body).unwrap();
    assert_eq!(back.state, SubmissionState::Waiting);
    assert_eq!(back.due_on, calendar.add_working_days(today, 3).unwrap());
    assert_eq!(back.materials.len(), 4);
    let (status, body) = send(zhou.post(url("/reviews")).json(&review)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let case: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(case.submissions.len(), 1);
    let year = chrono::Datelike::year(&today);
    assert!(
        case.reviews[0]
            .opinion_number
            .ends_with(&format!("法审〔{year}〕1号")),
        "the agency's first opinion of the year: {}",
        case.reviews[0].opinion_number
    );
    assert_eq!(case.submissions[0].state, SubmissionState::Reviewed);
    let listed = due(&wang, "").await;
    assert_eq!(listed.reviews, Default::default(), "nothing left to review");
    // A collective discussion (集体讨论) is kept with the case: two participants at least.
    let (status, body) = send(wang.post(url("/discussion")).json(&json!({
        "held_on": today, "participants": ["钱局长"], "outcome": "同意"})))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = send(wang.post(url("/discussion")).json(&json!({
        "held_on": today, "participants": ["钱局长", "孙副局长", "周律师"],
        "outcome": "同意审核意见", "minutes": "局务会议纪要〔2026〕12号"})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let discussed: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(discussed.discussions[0].participants.len(), 3);
    assert_eq!(
        listed.awaiting_approval,
        ["市监罚〔2026〕31号"],
        "the head's approval is next"
    );
    assert_eq!(
        listed.reviewer_ratio.reviewers, 0,
        "counsel is not the agency's own reviewer"
    );
}
