//! The service hall end to end, with the real controller and the real kiosk binary: tickets
//! taken at the kiosk (and printed on an ESC/POS printer on a pty), called at the counters by
//! the staff member signed in there, shown on the hall board, the window screens and the
//! counter screens at 1920×1080 and 800×480, announced aloud, and kept on screen offline.

use liuhen_tests::{
    ALARM_BACKGROUND, FREE_GREEN, PAPER_OUT, PAUSED_BLUE, PrinterWire, RECORDING_RED, TestSite,
    WARNING_AMBER, authorised_client, distinct_colours, draw_screen, keep_screenshot, read_png,
    share_of, workspace_binary,
};
use reqwest::StatusCode;
use site_api::{HallStats, HallView, StatLine, TicketRecord, TicketState, TicketView, WindowView};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Two services (food capped at two tickets a day) and two windows, issuing all day.
const HALL: &str = r#"[hall]
consult = "一楼服务台 · 咨询电话 12345"
complain = "投诉监督电话 12345"
notices = ["本中心实行一窗受理。"]

[[hall.services]]
id = "licence"
agency = "scjg"
name = "营业执照办理"
prefix = "A"
hours = "00:00-24:00"

[[hall.services]]
id = "food"
agency = "scjg"
name = "食品经营许可"
prefix = "B"
daily_cap = 2
hours = "00:00-24:00"

[[hall.windows]]
id = "w1"
number = 1
name = "综合受理窗口"
location = "一楼东侧"
services = ["licence", "food"]

[[hall.windows]]
id = "w3"
number = 3
name = "食品许可窗口"
services = ["food"]
"#;

const SIZES: [(&str, &str); 2] = [("1080p", "1920x1080"), ("800x480", "800x480")];

fn photo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screens/door-panel-recording.png")
}

async fn take(
    http: &reqwest::Client,
    base: &str,
    service: &str,
    priority: &str,
) -> reqwest::Response {
    http.post(format!("{base}/api/hall/tickets"))
        .json(&serde_json::json!({ "service_id": service, "priority": priority }))
        .send()
        .await
        .expect("take")
}

async fn act(
    http: &reqwest::Client,
    base: &str,
    window: &str,
    action: serde_json::Value,
) -> reqwest::Response {
    http.post(format!("{base}/api/hall/windows/{window}"))
        .json(&action)
        .send()
        .await
        .expect("counter action")
}

/// A counter action without arguments (`sign_in`, `call_next` …), which must succeed.
async fn press(http: &reqwest::Client, base: &str, window: &str, action: &str) -> WindowView {
    ok_window(act(http, base, window, serde_json::json!({ "action": action })).await).await
}

async fn ok_window(response: reqwest::Response) -> WindowView {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).expect("a window")
}

#[tokio::test(flavor = "multi_thread")]
async fn tickets_are_called_by_the_staff_on_duty_and_every_screen_shows_it() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(HALL).expect("hall");
    let staff_token = site
        .add_staff("wang-fang", "王芳", "32010019001", Some(&photo()))
        .expect("staff");
    let other_token = site
        .add_staff("li-lei", "李磊", "32010019002", None)
        .expect("staff");
    let kiosk_token = site.issue_token("hall kiosk", "kiosk", None).unwrap();
    let kiosk = authorised_client(&kiosk_token).unwrap();
    let staff = authorised_client(&staff_token).unwrap();
    let other = authorised_client(&other_token).unwrap();
    let controller = site.start_controller().expect("controller");
    let base = controller.base.clone();
    let out = site.dir.path();

    // Numbers per service; the green channel; a daily cap.
    for (service, priority, number) in [
        ("licence", "ordinary", "A001"),
        ("licence", "ordinary", "A002"),
        ("food", "ordinary", "B001"),
        ("food", "ordinary", "B002"),
        ("licence", "elderly", "A003"),
    ] {
        let response = take(&kiosk, &base, service, priority).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let ticket: TicketView = response.json().await.unwrap();
        assert_eq!(ticket.number, number);
    }
    let capped = take(&kiosk, &base, "food", "ordinary").await;
    assert_eq!(capped.status(), StatusCode::CONFLICT, "food is capped at 2");
    assert!(capped.text().await.unwrap().contains("今日号已取完"));
    let unknown = take(&kiosk, &base, "passport", "ordinary").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // Only the staff member signed in at a window calls there.
    let refused = act(
        &kiosk,
        &base,
        "w1",
        serde_json::json!({"action": "sign_in"}),
    )
    .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "a kiosk is not staff"
    );
    press(&staff, &base, "w1", "sign_in").await;
    let not_here = act(
        &other,
        &base,
        "w1",
        serde_json::json!({"action": "call_next"}),
    )
    .await;
    assert_eq!(
        not_here.status(),
        StatusCode::FORBIDDEN,
        "李磊 is not signed in at w1"
    );
    let bad = act(&staff, &base, "w1", serde_json::json!({"action": "dance"})).await;
    assert!(bad.status().is_client_error());

    // Priority first, then the oldest.
    let window = press(&staff, &base, "w1", "call_next").await;
    let current = window.current.expect("a called ticket");
    assert_eq!(
        (current.number.as_str(), current.state),
        ("A003", TicketState::Called)
    );
    let hall: HallView = controller
        .api(&kiosk)
        .hall()
        .await
        .expect("the controller answers");
    assert_eq!(hall.recent_calls[0].number, "A003");
    assert_eq!(hall.recent_calls[0].window_number, 1);
    assert_eq!(
        hall.windows[0].staff.as_ref().map(|s| s.name.as_str()),
        Some("王芳")
    );
    assert_eq!(hall.windows[0].location, "一楼东侧");
    let licence = hall.services.iter().find(|s| s.id == "licence").unwrap();
    assert_eq!((licence.waiting, licence.windows.as_slice()), (2, &[1][..]));
    let food = hall.services.iter().find(|s| s.id == "food").unwrap();
    assert_eq!((food.remaining, food.issuing), (Some(0), false));

    // Every screen, at both sizes.
    for (name, size) in SIZES {
        let png = |role: &str| out.join(format!("{role}-{name}.png"));
        let state = |role: &str| out.join(format!("{role}-{name}.json"));
        draw_screen(
            &base,
            &kiosk_token,
            &["--size", size, "hall-board", "--no-voice"],
            &png("hall-board"),
            &state("hall-board"),
        );
        draw_screen(
            &base,
            &kiosk_token,
            &["--size", size, "window", "--window", "w1"],
            &png("window"),
            &state("window"),
        );
        draw_screen(
            &base,
            &kiosk_token,
            &["--size", size, "window", "--window", "w3"],
            &png("window-free"),
            &state("window-free"),
        );
        draw_screen(
            &base,
            &staff_token,
            &["--size", size, "counter", "--window", "w1"],
            &png("counter"),
            &state("counter"),
        );
        draw_screen(
            &base,
            &kiosk_token,
            &["--size", size, "ticket", "--press", "licence"],
            &png("ticket"),
            &state("ticket"),
        );
        let (w, h) = size
            .split_once('x')
            .map(|(w, h)| (w.parse::<u32>().unwrap(), h.parse::<u32>().unwrap()))
            .unwrap();
        let read = |role: &str| {
            let (pw, ph, pixels) = read_png(&png(role)).expect("png");
            assert_eq!((pw, ph), (w, h), "{role} at {size}");
            assert!(
                distinct_colours(&pixels) > 50,
                "{role} at {size} shows text"
            );
            pixels
        };
        // The board: the latest call in a green band.
        assert!(
            share_of(&read("hall-board"), FREE_GREEN) > 0.03,
            "the call is highlighted"
        );
        // The window: the staff member's photo (its red band), the number served in green.
        let window = read("window");
        assert!(
            share_of(&window, RECORDING_RED) > 0.002,
            "the photo is shown"
        );
        assert!(
            share_of(&window, FREE_GREEN) > 0.10,
            "the called number is shown in green"
        );
        let free = read("window-free");
        assert!(
            share_of(&free, RECORDING_RED) < 0.0005,
            "no staff, no photo at w3"
        );
        assert!(share_of(&free, FREE_GREEN) < 0.01, "nothing served at w3");
        assert!(
            share_of(&read("counter"), FREE_GREEN) > 0.05,
            "the counter shows its call"
        );
        assert!(
            share_of(&read("ticket"), PAUSED_BLUE) > 0.03,
            "the kiosk shows service buttons"
        );
        for role in ["hall-board", "window", "counter", "ticket"] {
            keep_screenshot(&png(role), &format!("{role}-{name}.png"));
        }
    }
    // The two kiosk presses took tickets A004 and A005.
    let hall: HallView = controller
        .api(&kiosk)
        .hall()
        .await
        .expect("the controller answers");
    let licence = hall.services.iter().find(|s| s.id == "licence").unwrap();
    assert_eq!(licence.waiting, 4, "A001, A002, A004, A005 wait");

    // Recall, start, done; then one rating only.
    let recalled = press(&staff, &base, "w1", "recall").await;
    assert_eq!(recalled.current.as_ref().map(|t| t.calls), Some(2));
    let early = act(&staff, &base, "w1", serde_json::json!({"action": "done"})).await;
    assert_eq!(
        early.status(),
        StatusCode::CONFLICT,
        "done before start is refused"
    );
    press(&staff, &base, "w1", "start").await;
    let done = press(&staff, &base, "w1", "done").await;
    assert!(done.current.is_none());
    let rating_url = format!("{base}/api/hall/tickets/{}/rating", current.id);
    let rated = kiosk
        .post(&rating_url)
        .json(&serde_json::json!({"level": "very_dissatisfied", "comment": "等太久"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rated.status(), StatusCode::NO_CONTENT);
    let twice = kiosk
        .post(&rating_url)
        .json(&serde_json::json!({"level": "satisfied"}))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT, "一次一评");

    // The day's statistics: the bad rating counts against the service, window and staff
    // member, and its follow-up stays open until closed with an outcome.
    let refused = kiosk
        .get(format!("{base}/api/hall/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "kiosks do not read statistics"
    );
    let stats: HallStats = controller
        .api(&staff)
        .hall_stats(None)
        .await
        .expect("the controller answers");
    let by = |lines: &[StatLine], id: &str| lines.iter().find(|l| l.id == id).cloned().expect(id);
    let licence = by(&stats.services, "licence");
    assert_eq!(
        (licence.issued, licence.done, licence.bad_ratings),
        (5, 1, 1)
    );
    let wang = by(&stats.staff, "wang-fang");
    assert_eq!(
        (wang.done, wang.ratings, wang.average_rating),
        (1, 1, Some(1.0))
    );
    assert_eq!(by(&stats.windows, "w1").done, 1);
    assert_eq!(stats.open_follow_ups, vec![current.id]);
    // Another agency's clerk sees none of it, and cannot close the follow-up.
    let zrzy = site
        .client("自然资源局办事员", "clerk", Some("zrzy"))
        .unwrap();
    let theirs: HallStats = controller
        .api(&zrzy)
        .hall_stats(None)
        .await
        .expect("the controller answers");
    assert!(theirs.services.is_empty() && theirs.staff.is_empty() && theirs.windows.is_empty());
    assert!(theirs.open_follow_ups.is_empty());
    let follow_up = format!("{base}/api/hall/follow-ups/{}", current.id);
    let not_theirs = zrzy
        .post(&follow_up)
        .json(&serde_json::json!({"outcome": "已处理"}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_theirs.status(), StatusCode::NOT_FOUND);
    let no_outcome = staff
        .post(&follow_up)
        .json(&serde_json::json!({"outcome": " "}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_outcome.status(), StatusCode::BAD_REQUEST);
    let closed = staff
        .post(&follow_up)
        .json(&serde_json::json!({"contact": "电话回访", "rectification": "增开窗口", "outcome": "当事人表示理解"}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::NO_CONTENT);
    let stats: HallStats = controller
        .api(&staff)
        .hall_stats(None)
        .await
        .expect("the controller answers");
    assert!(stats.open_follow_ups.is_empty());

    // Transfer the next one to window 3; only window 3 may call it then.
    let next = press(&staff, &base, "w1", "call_next").await;
    assert_eq!(
        next.current.as_ref().map(|t| t.number.as_str()),
        Some("A001")
    );
    ok_window(
        act(
            &staff,
            &base,
            "w1",
            serde_json::json!({"action": "transfer", "window_id": "w3"}),
        )
        .await,
    )
    .await;
    press(&other, &base, "w3", "sign_in").await;
    let at_three = press(&other, &base, "w3", "call_next").await;
    assert_eq!(at_three.current.map(|t| t.number), Some("A001".to_string()));

    // Set aside (挂起) while a document is fetched, then called back by number from the counter
    // screen's button.
    let held = press(&other, &base, "w3", "hold").await;
    assert_eq!(
        (held.current, held.held.as_slice()),
        (None, &["A001".to_string()][..])
    );
    draw_screen(
        &base,
        &other_token,
        &["counter", "--window", "w3", "--press", "call:A001"],
        &out.join("call-back.png"),
        &out.join("call-back.json"),
    );
    let hall: HallView = controller
        .api(&kiosk)
        .hall()
        .await
        .expect("the controller answers");
    let w3 = hall.windows.iter().find(|w| w.id == "w3").expect("w3");
    assert_eq!(w3.current.as_ref().map(|t| t.number.as_str()), Some("A001"));
    assert!(w3.held.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ticket_printer_gets_esc_pos_in_gb18030_and_its_problems_are_shown_to_staff() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(HALL).expect("hall");
    let kiosk_token = site.issue_token("hall kiosk", "kiosk", None).unwrap();
    let controller = site.start_controller().expect("controller");
    let out = site.dir.path();
    let link = out.join("ttyPRINTER");
    let printer = PrinterWire::plug(&link).expect("printer pty");
    let port = link.display().to_string();
    let kiosk = |png: &Path| {
        draw_screen(
            &controller.base,
            &kiosk_token,
            &[
                "ticket",
                "--printer",
                "escpos-58mm",
                "--printer-port",
                &port,
                "--press",
                "licence",
            ],
            png,
            &out.join("kiosk.json"),
        )
    };

    kiosk(&out.join("printed.png"));
    let sent = printer.bytes();
    let at = |needle: &[u8]| sent.windows(needle.len()).position(|w| w == needle);
    let asked = at(&[0x10, 0x04, 0x04]).expect("the paper state is asked first");
    let reset = at(&[0x1B, b'@', 0x1C, b'&']).expect("reset and Chinese mode");
    assert!(asked < reset, "asked before printing");
    assert!(
        sent.ends_with(&[0x1B, b'd', 4, 0x10, 0x04, 0x04]),
        "fed, then asked again"
    );
    // 营业执照办理 in GB18030.
    assert!(
        at(&[
            0xD3, 0xAA, 0xD2, 0xB5, 0xD6, 0xB4, 0xD5, 0xD5, 0xB0, 0xEC, 0xC0, 0xED
        ])
        .is_some(),
        "the service in GB18030"
    );
    assert!(
        at(&[0x1D, b'!', 0x33, b'A', b'0', b'0', b'1']).is_some(),
        "the number, large"
    );
    let (_, _, printed) = read_png(&out.join("printed.png")).unwrap();
    assert!(
        share_of(&printed, ALARM_BACKGROUND) < 0.001,
        "no printer alarm"
    );

    // Out of paper: nothing but the status request is sent, and staff see it on the kiosk.
    printer.answer_with(Some(PAPER_OUT));
    printer.clear();
    kiosk(&out.join("no-paper.png"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        printer.bytes(),
        vec![0x10, 0x04, 0x04],
        "no ticket sent to an empty printer"
    );
    let (_, _, no_paper) = read_png(&out.join("no-paper.png")).unwrap();
    assert!(
        share_of(&no_paper, ALARM_BACKGROUND) > 0.01,
        "the printer alarm is shown"
    );
    keep_screenshot(&out.join("no-paper.png"), "ticket-printer-out-of-paper.png");

    // A printer that does not answer is a problem too.
    printer.answer_with(None);
    kiosk(&out.join("silent.png"));
    let (_, _, silent) = read_png(&out.join("silent.png")).unwrap();
    assert!(
        share_of(&silent, ALARM_BACKGROUND) > 0.01,
        "a silent printer is shown"
    );
    // The tickets were taken all the same: the person has a number on screen.
    let kiosk = authorised_client(&kiosk_token).expect("kiosk");
    let hall: HallView = controller.api(&kiosk).hall().await.expect("the hall");
    assert_eq!(hall.services[0].waiting, 3);
}

/// The RIFF files the hall board wrote, in order.
fn announcements(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "wav"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_default())
        .collect()
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hall_board_announces_each_call_in_turn_and_keeps_its_state_offline() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(HALL).expect("hall");
    let port = site.use_fixed_port().expect("port");
    let staff_token = site
        .add_staff("wang-fang", "王芳", "32010019001", None)
        .unwrap();
    let kiosk_token = site.issue_token("hall board", "kiosk", None).unwrap();
    let staff = authorised_client(&staff_token).unwrap();
    let kiosk = authorised_client(&kiosk_token).unwrap();
    let controller = site.start_controller().expect("controller");
    let base = controller.base.clone();
    for _ in 0..3 {
        take(&kiosk, &base, "licence", "ordinary").await;
    }
    press(&staff, &base, "w1", "sign_in").await;
    // A call made before the board starts is not announced again by it.
    press(&staff, &base, "w1", "call_next").await;

    let out = site.dir.path();
    let (png, voice) = (out.join("board.png"), out.join("voice"));
    let mut board = std::process::Command::new(workspace_binary("kiosk-app"))
        .args([
            "--api",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            &kiosk_token,
            "--png",
        ])
        .arg(&png)
        .arg("--state-file")
        .arg(out.join("board.json"))
        .args(["hall-board", "--voice-repeat", "2", "--voice-out"])
        .arg(&voice)
        .spawn()
        .expect("kiosk-app runs");
    wait_for("the board's first drawing", Duration::from_secs(30), || {
        png.exists()
    });

    press(&staff, &base, "w1", "no_show").await;
    press(&staff, &base, "w1", "call_next").await;
    press(&staff, &base, "w1", "recall").await;
    wait_for("two calls said twice", Duration::from_secs(60), || {
        announcements(&voice).len() >= 4
    });
    std::thread::sleep(Duration::from_secs(3));
    let said = announcements(&voice);
    assert_eq!(
        said.len(),
        4,
        "A002 and its recall, each twice; A001 not again"
    );
    assert!(
        said.iter()
            .all(|wav| wav.starts_with(b"RIFF") && wav.len() > 20_000),
        "spoken audio"
    );
    assert_eq!(said[0], said[1], "the call, repeated");
    assert_eq!(said[1], said[2], "the recall says the same");

    // The controller stops: the board keeps the last calls, marked offline.
    controller.kill();
    wait_for("the offline mark", Duration::from_secs(30), || {
        read_png(&png).is_ok_and(|(_, _, p)| share_of(&p, WARNING_AMBER) > 0.005)
    });
    let (_, _, offline) = read_png(&png).unwrap();
    assert!(
        share_of(&offline, FREE_GREEN) > 0.03,
        "the last call is still shown"
    );
    keep_screenshot(&png, "hall-board-offline.png");

    // It comes back: the board catches up and the mark goes.
    let controller = site.start_controller().expect("controller again");
    press(&staff, &controller.base, "w1", "no_show").await;
    press(&staff, &controller.base, "w1", "call_next").await;
    wait_for("the board back online", Duration::from_secs(30), || {
        read_png(&png).is_ok_and(|(_, _, p)| share_of(&p, WARNING_AMBER) < 0.001)
    });
    wait_for("the new call announced", Duration::from_secs(60), || {
        announcements(&voice).len() >= 6
    });
    let _ = board.kill();
    let _ = board.wait();
}

/// The hall's ledger (台账): a day's tickets a page at a time, each agency its own services'.
#[tokio::test(flavor = "multi_thread")]
async fn the_days_tickets_are_read_a_page_at_a_time_each_agency_its_own() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(&format!(
        "{HALL}\n[[hall.services]]\nid = \"land\"\nagency = \"zrzy\"\nname = \"不动产登记\"\nprefix = \"C\"\nhours = \"00:00-24:00\"\n\n[[hall.windows]]\nid = \"w5\"\nnumber = 5\nname = \"不动产窗口\"\nservices = [\"land\"]\n"
    ))
    .expect("hall");
    let staff = authorised_client(
        &site
            .add_staff("wang-fang", "王芳", "32010019001", None)
            .expect("staff"),
    )
    .unwrap();
    let kiosk_token = site.issue_token("hall kiosk", "kiosk", None).unwrap();
    let kiosk = authorised_client(&kiosk_token).unwrap();
    let admin = site.client("site admin", "admin", None).unwrap();
    let land_clerk = site.client("赵敏", "clerk", Some("zrzy")).unwrap();
    let controller = site.start_controller().expect("controller");
    let base = controller.base.clone();

    for service in [
        "licence", "land", "licence", "food", "land", "licence", "licence",
    ] {
        let response = take(&kiosk, &base, service, "ordinary").await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    press(&staff, &base, "w1", "sign_in").await;
    let called = press(&staff, &base, "w1", "call_next").await;
    assert_eq!(
        called.current.as_ref().map(|t| t.number.as_str()),
        Some("A001")
    );
    press(&staff, &base, "w1", "no_show").await;

    let page = |http: reqwest::Client, query: String| {
        let url = format!("{base}/api/hall/history{query}");
        async move {
            let response = http.get(url).send().await.expect("history");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            (status, text)
        }
    };
    // The site's admin pages through every ticket of the day, two at a time.
    let mut seen: Vec<TicketRecord> = Vec::new();
    let mut after = 0;
    loop {
        let (status, text) = page((*admin).clone(), format!("?limit=2&after={after}")).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let tickets: Vec<TicketRecord> = serde_json::from_str(&text).expect("tickets");
        assert!(tickets.len() <= 2, "a page holds at most the limit");
        let Some(last) = tickets.last() else { break };
        after = last.id;
        seen.extend(tickets);
    }
    let numbers: Vec<&str> = seen.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(
        numbers,
        ["A001", "C001", "A002", "B001", "C002", "A003", "A004"],
        "every ticket once, in issue order"
    );
    let first = &seen[0];
    assert_eq!(first.state, TicketState::NoShow);
    assert_eq!(first.window_id.as_deref(), Some("w1"));
    assert_eq!(first.staff_id.as_deref(), Some("wang-fang"));
    assert!(first.called_at.is_some() && first.ended_at.is_some());
    assert_eq!(seen[1].state, TicketState::Waiting);

    // Another agency's clerk sees their own services' tickets only.
    let (status, text) = page((*land_clerk).clone(), String::new()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let theirs: Vec<TicketRecord> = serde_json::from_str(&text).expect("tickets");
    let numbers: Vec<&str> = theirs.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["C001", "C002"]);

    // Another day has its own tickets; a kiosk reads none; a bad day is named.
    let (status, text) = page((*admin).clone(), "?day=2020-01-01".into()).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "[]"));
    let (status, _) = page((*kiosk).clone(), String::new()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, text) = page((*admin).clone(), "?day=2026-13-01".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("2026-13-01"), "{text}");
}
