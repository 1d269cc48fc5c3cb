//! Agencies book the shared rooms: a booking that overlaps another is refused with the time and
//! the agency holding it, and no agency sees another's case numbers in the room's bookings.

use liuhen_tests::{ROOM, TestSite};
use site_api::{ApiError, BookingView};

fn booking(case: &str, from: &str, to: &str) -> serde_json::Value {
    serde_json::json!({"case_number": case, "starts_at": format!("2026-03-10T{from}:00+08:00"), "ends_at": format!("2026-03-10T{to}:00+08:00")})
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_bookings_are_refused_and_cases_stay_private() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let clerk_a = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let clerk_b = site.client("李强", "clerk", Some("zrzy")).unwrap();
    let kiosk = site.client("hall board", "kiosk", None).unwrap();
    let url = controller.url(&format!("/api/rooms/{ROOM}/bookings"));

    let first = clerk_a
        .post(&url)
        .json(&booking("市监罚〔2026〕30号", "09:00", "10:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let clash = clerk_b
        .post(&url)
        .json(&booking("自然资源〔2026〕5号", "09:30", "10:30"))
        .send()
        .await
        .unwrap();
    assert_eq!(clash.status(), 409);
    let err: ApiError = clash.json().await.unwrap();
    assert!(
        err.error.contains("already booked") && err.error.contains("市市场监督管理局"),
        "{}",
        err.error
    );
    let after = clerk_b
        .post(&url)
        .json(&booking("自然资源〔2026〕5号", "10:00", "11:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 201, "back to back is fine");
    let backwards = clerk_b
        .post(&url)
        .json(&booking("x", "12:00", "11:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(backwards.status(), 400);
    let by_kiosk = kiosk
        .post(&url)
        .json(&booking("x", "13:00", "14:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_kiosk.status(), 403, "kiosks do not book");

    let seen_by_b: Vec<BookingView> = clerk_b
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cases: Vec<Option<&str>> = seen_by_b.iter().map(|b| b.case_number.as_deref()).collect();
    assert_eq!(
        cases,
        [None, Some("自然资源〔2026〕5号")],
        "b sees its own case only"
    );
    let seen_by_kiosk: Vec<BookingView> =
        kiosk.get(&url).send().await.unwrap().json().await.unwrap();
    assert!(seen_by_kiosk.iter().all(|b| b.case_number.is_none()));
    assert_eq!(seen_by_kiosk[0].agency_name, "市市场监督管理局");
}
