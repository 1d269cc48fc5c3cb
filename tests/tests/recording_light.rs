//! The "recording" light tells the truth even when its relay is unplugged and plugged back in
//! mid-session: the fault shows in the room's state, recording goes on, and the re-plugged light
//! shows "recording" again by itself.

use liuhen_tests::{LIGHT_OFF, LIGHT_ON, TestSite};
use site_api::{SessionState, SessionView};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn an_unplugged_light_raises_an_alarm_recording_goes_on_and_replugging_restores_it() {
    let mut site = TestSite::new(1).unwrap();
    site.use_fast_resending_light().unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session: SessionView = controller.start_session(&http, "市监罚〔2026〕9号").await;
    assert!(
        site.light
            .wait_for_len(4, Duration::from_secs(5))
            .starts_with(&LIGHT_ON)
    );
    let shown = controller
        .room(&http)
        .await
        .light
        .expect("the room has a light");
    assert_eq!((shown.on, shown.fault), (Some(true), None));

    // Pull the relay out: the fault shows, the session keeps recording.
    site.light.unplug();
    let faulty = controller
        .wait_for_room(&http, "fault shown", |r| {
            r.light.as_ref().is_some_and(|l| l.fault.is_some())
        })
        .await;
    assert!(
        faulty
            .light
            .unwrap()
            .fault
            .unwrap()
            .contains("recording light unreachable")
    );
    let before: SessionView = controller.session(&http, session.id).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let during: SessionView = controller.session(&http, session.id).await;
    assert_eq!(
        during.state,
        SessionState::Recording,
        "recording goes on without the light"
    );
    assert!(
        during.segments.len() > before.segments.len(),
        "segments keep closing: {} then {}",
        before.segments.len(),
        during.segments.len()
    );

    // Plug a relay back in at the same place: it shows "recording" again, by itself.
    site.replug_light().unwrap();
    let restored = site.light.wait_for_len(4, Duration::from_secs(10));
    assert!(restored.starts_with(&LIGHT_ON), "{restored:02X?}");
    controller
        .wait_for_room(&http, "fault cleared", |r| {
            r.light.as_ref().is_some_and(|l| l.fault.is_none())
        })
        .await;

    let stopped: SessionView = controller.stop_session(&http, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !site.light.bytes().ends_with(&LIGHT_OFF) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let wire = site.light.bytes();
    assert!(
        wire.ends_with(&LIGHT_OFF),
        "off after the stop: {wire:02X?}"
    );
    // Only "on" (re-sent) until the stop, then "off": never a wrong state.
    let frames: Vec<&[u8]> = wire.chunks(4).collect();
    assert!(
        frames[..frames.len() - 1].iter().all(|f| *f == LIGHT_ON),
        "{frames:02X?}"
    );
}

/// An idle controller whose light re-sends its state rests: nothing to re-send before any state
/// was asked for (it used to spin a whole core from the first re-send period on).
#[tokio::test(flavor = "multi_thread")]
async fn an_idle_controller_with_a_re_sending_light_rests() {
    let site = TestSite::new(1).unwrap();
    site.use_fast_resending_light().unwrap();
    let controller = site.start_controller().expect("controller");
    // Past a few re-send periods (1 s each), then measure.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = controller.cpu_time();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let used = controller.cpu_time() - before;
    assert!(
        used < Duration::from_millis(300),
        "an idle controller used {used:?} of CPU in 3 s"
    );
}
