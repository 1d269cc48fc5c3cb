//! Playing a recording in the browser (录像回放). Playing is an access like an export: the
//! viewer states a purpose, the agency's rules decide (`Authenticated::recording_access`), and
//! the access log gets one line with the purpose. An allowed playback gets a grant: a random
//! name, bound to the viewer's token and one session, that the page's media requests carry,
//! so that the seeks of one playback are one access and never flood the log. The segments are
//! served as recorded (H.264 and Opus in Matroska, which Chromium plays), with byte ranges for
//! seeking: nothing is re-encoded or remuxed.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use site_api::{RecordingUse, SessionView};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::user::DeskUser;
use super::view::{case_link, error_page, local_time, page};
use crate::api::{AppState, Failure};
use crate::pages::html::escape;

/// How long a playback page keeps working after the access was allowed.
const GRANT_LIFETIME: Duration = Duration::from_secs(4 * 60 * 60);
/// Grants held at once, site-wide; the oldest go first past this.
const MAX_GRANTS: usize = 4096;

/// The playbacks allowed and not yet expired.
#[derive(Clone, Default)]
pub(crate) struct Playbacks(Arc<Mutex<HashMap<String, Grant>>>);

struct Grant {
    /// The token's name: a grant works only for the token it was given to.
    token: String,
    session: SessionView,
    purpose: String,
    given: Instant,
}

impl Playbacks {
    fn give(&self, token: &str, session: SessionView, purpose: String) -> Result<String, Failure> {
        let random = records::random_bytes::<16>().map_err(Failure::from)?;
        let name: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let mut grants = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        grants.retain(|_, grant| grant.given.elapsed() < GRANT_LIFETIME);
        while grants.len() >= MAX_GRANTS {
            let oldest = grants
                .iter()
                .min_by_key(|(_, grant)| grant.given)
                .map(|(name, _)| name.clone());
            match oldest {
                Some(oldest) => grants.remove(&oldest),
                None => break,
            };
        }
        grants.insert(
            name.clone(),
            Grant {
                token: token.to_string(),
                session,
                purpose,
                given: Instant::now(),
            },
        );
        Ok(name)
    }

    /// The session and purpose of a live grant of this token.
    fn session(&self, name: &str, token: &str) -> Result<(SessionView, String), Failure> {
        let grants = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        grants
            .get(name)
            .filter(|grant| grant.token == token && grant.given.elapsed() < GRANT_LIFETIME)
            .map(|grant| (grant.session.clone(), grant.purpose.clone()))
            .ok_or_else(|| {
                Failure::new(
                    StatusCode::NOT_FOUND,
                    "this playback has expired or belongs to someone else; open the recording again and state your purpose",
                )
            })
    }
}

/// The form that comes before a recording: why it is being watched.
pub(super) async fn purpose_form(user: DeskUser, Path(id): Path<i64>) -> Response {
    let body = format!(
        "<section><form method=\"get\" action=\"/desk/sessions/{id}/play\" id=\"purpose-form\">\
         <p>播放音像记录是一次查阅，会连同用途记入查阅日志。非本案办案人员须写明用途，需要审批的按本机关规定先申请。</p>\
         <label>用途 Purpose<input type=\"text\" name=\"purpose\" id=\"purpose\" maxlength=\"200\" placeholder=\"例如：法制审核，核对听证程序\"></label>\
         <p><button type=\"submit\">播放</button></p></form></section>"
    );
    page(&user, &format!("音像记录 第 {id} 号"), &body).into_response()
}

#[derive(Deserialize)]
pub(super) struct Purpose {
    #[serde(default)]
    purpose: String,
}

/// Decides and logs the access, then sends the browser to the player. A GET, like the API's
/// `GET /api/sessions/{id}?purpose=`: a read, logged, that the read-only supervisor may make.
pub(super) async fn play(
    State(state): State<AppState>,
    user: DeskUser,
    Path(id): Path<i64>,
    Query(form): Query<Purpose>,
) -> Response {
    let purpose = form.purpose.trim().to_string();
    let stated = (!purpose.is_empty()).then(|| purpose.clone());
    let view = match user
        .api()
        .recording_access(&state, id, RecordingUse::View, stated)
        .await
    {
        Ok(view) => view,
        Err(failure) => return error_page(failure),
    };
    match state.playbacks.give(&user.caller.name, view, purpose) {
        Ok(grant) => Redirect::to(&format!("/desk/playback/{grant}")).into_response(),
        Err(failure) => error_page(failure),
    }
}

/// A segment placed on the session's timeline, in milliseconds from the first frame.
#[derive(Debug, Serialize, PartialEq)]
pub(super) struct Placed {
    track: String,
    file: String,
    start: i64,
    dur: i64,
}

/// A marker placed on the timeline.
#[derive(Debug, Serialize, PartialEq)]
pub(super) struct Mark {
    at: i64,
    text: String,
}

/// Where every segment and marker of a session falls, in milliseconds from its first frame.
/// Each run of the recorder (the start, and each resume) counts its segments from its own
/// zero; a run begins when its first segment opens, which is when the session's state turned
/// to recording, so each run is anchored at that event.
pub(super) fn timeline(view: &SessionView) -> (Vec<Placed>, Vec<Mark>) {
    let runs: Vec<DateTime<Utc>> = view
        .events
        .iter()
        .filter(|e| e.kind == "recording")
        .map(|e| e.at)
        .collect();
    let Some(origin) = runs.first().copied().or(view.started_at) else {
        return (Vec::new(), Vec::new());
    };
    let mut segments: Vec<&site_api::SegmentView> = view.segments.iter().collect();
    segments.sort_by(|a, b| (&a.track, a.seq).cmp(&(&b.track, b.seq)));
    let mut placed = Vec::new();
    let mut track = "";
    let (mut run, mut run_zero, mut previous) = (0usize, 0i64, i64::MIN);
    for seg in segments {
        if seg.track != track {
            track = &seg.track;
            (run, run_zero) = (0, seg.start_ns);
        } else if seg.start_ns < previous {
            run += 1;
            run_zero = seg.start_ns;
        }
        previous = seg.start_ns;
        let run_start = runs.get(run).copied().unwrap_or(origin);
        let offset_ms = (run_start - origin).num_milliseconds();
        placed.push(Placed {
            track: seg.track.clone(),
            file: seg.file.clone(),
            start: offset_ms + (seg.start_ns - run_zero) / 1_000_000,
            dur: seg.duration_ns / 1_000_000,
        });
    }
    let marks = view
        .events
        .iter()
        .filter(|e| e.kind == "marker")
        .map(|e| Mark {
            at: (e.at - origin).num_milliseconds().max(0),
            text: e.detail.clone(),
        })
        .collect();
    (placed, marks)
}

/// Stretches of the timeline where no track recorded (a pause, an interruption).
fn gaps(placed: &[Placed]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = placed.iter().map(|p| (p.start, p.start + p.dur)).collect();
    spans.sort_unstable();
    let mut gaps = Vec::new();
    let mut covered = spans.first().map_or(0, |s| s.1);
    for (start, end) in spans {
        // Below a second is the seam between two runs' first and last frames, not a gap.
        if start > covered + 1000 {
            gaps.push((covered, start));
        }
        covered = covered.max(end);
    }
    gaps
}

const PLAYER: &str = r#"<script>
const data = JSON.parse(document.getElementById('timeline-data').textContent);
const video = document.getElementById('player');
const picker = document.getElementById('track');
const bar = document.getElementById('bar');
const base = location.pathname + '/';
let track = picker.value, current = null;
const ofTrack = () => data.segments.filter(s => s.track === track);
const pct = ms => (100 * ms / Math.max(1, data.length)) + '%';
function draw() {
  bar.querySelectorAll('.seg').forEach(e => e.remove());
  for (const s of ofTrack()) {
    const e = document.createElement('div');
    e.className = 'seg'; e.style.left = pct(s.start); e.style.width = pct(s.dur);
    bar.appendChild(e);
  }
}
function load(seg, offset) {
  if (current !== seg) {
    current = seg;
    video.addEventListener('loadedmetadata', () => { video.currentTime = offset; video.play().catch(() => {}); }, { once: true });
    video.src = base + encodeURIComponent(seg.file);
  } else {
    video.currentTime = offset;
  }
}
function seek(ms) {
  const list = ofTrack();
  const seg = list.find(s => ms >= s.start && ms < s.start + s.dur) || list.find(s => s.start >= ms) || list[list.length - 1];
  if (seg) load(seg, Math.max(0, Math.min(seg.dur, ms - seg.start)) / 1000);
}
video.addEventListener('ended', () => {
  const list = ofTrack(), next = list[list.indexOf(current) + 1];
  if (next) load(next, 0);
});
video.addEventListener('timeupdate', () => {
  if (!current) return;
  const at = current.start + video.currentTime * 1000;
  document.getElementById('cursor').style.left = pct(at);
  document.getElementById('position').textContent = (at / 1000).toFixed(1) + ' s';
});
picker.addEventListener('change', () => {
  const at = current ? current.start + video.currentTime * 1000 : 0;
  track = picker.value; current = null; draw(); seek(at);
});
document.querySelectorAll('[data-at]').forEach(b => b.addEventListener('click', () => seek(Number(b.dataset.at))));
bar.addEventListener('click', e => { const r = bar.getBoundingClientRect(); seek((e.clientX - r.left) / r.width * data.length); });
draw(); seek(0);
</script>"#;

const PLAYER_STYLE: &str = "<style>\
#player{width:100%;max-height:60vh;background:#000}\
#bar{position:relative;height:2.2em;background:#eee;margin:.6em 0;cursor:pointer}\
#bar .seg{position:absolute;top:.5em;height:1.2em;background:#1a5fb4;border-right:1px solid #fff}\
#bar .gap{position:absolute;top:0;height:100%;background:repeating-linear-gradient(45deg,#f6d5d5,#f6d5d5 4px,#fff 4px,#fff 8px)}\
#bar .mark{position:absolute;top:0;width:3px;height:100%;background:#e5a50a}\
#cursor{position:absolute;top:0;width:2px;height:100%;background:#c01c28}</style>";

pub(super) async fn player(
    State(state): State<AppState>,
    user: DeskUser,
    Path(grant): Path<String>,
) -> Response {
    let (view, purpose) = match state.playbacks.session(&grant, &user.caller.name) {
        Ok(found) => found,
        Err(failure) => return error_page(failure),
    };
    let (placed, marks) = timeline(&view);
    let length = placed.iter().map(|p| p.start + p.dur).max().unwrap_or(0);
    let mut tracks: Vec<&str> = placed.iter().map(|p| p.track.as_str()).collect();
    tracks.dedup();
    let options: String = tracks
        .iter()
        .map(|t| format!("<option value=\"{0}\">{0}</option>", escape(t)))
        .collect();
    let mut bar = String::new();
    for (from, to) in gaps(&placed) {
        bar.push_str(&format!(
            "<div class=\"gap\" title=\"未录制\" style=\"left:{}%;width:{}%\"></div>",
            100 * from / length.max(1),
            100 * (to - from) / length.max(1)
        ));
    }
    let mut list = String::new();
    for mark in &marks {
        bar.push_str(&format!(
            "<div class=\"mark\" title=\"{}\" style=\"left:{}%\"></div>",
            escape(&mark.text),
            100 * mark.at / length.max(1)
        ));
        list.push_str(&format!(
            "<li><button type=\"button\" class=\"marker\" data-at=\"{}\">{:.1} s</button> {}</li>\n",
            mark.at,
            mark.at as f64 / 1000.0,
            escape(&mark.text)
        ));
    }
    let data = serde_json::json!({ "segments": placed, "length": length });
    // Inside <script type="application/json"> only "</" could end the element early.
    let data = data.to_string().replace("</", "<\\/");
    let body = format!(
        "{PLAYER_STYLE}<section><p>案号 {case} · {room} · {started} · 用途：{purpose}</p>\n\
         <label>画面 Track <select id=\"track\">{options}</select></label> <span id=\"position\">0.0 s</span>\n\
         <video id=\"player\" controls preload=\"metadata\"></video>\n\
         <div id=\"bar\">{bar}<div id=\"cursor\"></div></div>\n\
         <h2>标记 Markers</h2><ol id=\"markers\">{list}</ol></section>\n\
         <script type=\"application/json\" id=\"timeline-data\">{data}</script>\n{PLAYER}",
        case = case_link(&view.case_number),
        room = escape(&view.room_id),
        started = view.started_at.map(local_time).unwrap_or_default(),
        purpose = escape(&purpose),
    );
    page(&user, &format!("音像记录 第 {} 号", view.id), &body).into_response()
}

/// One segment of a granted playback, with byte ranges (the player seeks with them).
pub(super) async fn media(
    State(state): State<AppState>,
    user: DeskUser,
    Path((grant, file)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let (view, _) = match state.playbacks.session(&grant, &user.caller.name) {
        Ok(found) => found,
        Err(failure) => return error_page(failure),
    };
    // Only a file the records list for this session: never a path the request made up.
    let Some(segment) = view.segments.iter().find(|s| s.file == file) else {
        return error_page(Failure::new(
            StatusCode::NOT_FOUND,
            format!("session {} has no segment {file}", view.id),
        ));
    };
    let path = crate::room::session_dir(&state.site.media, &view.media_dir).join(&segment.file);
    // Served as video/x-matroska, from the file's name.
    match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(err) => error_page(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read {file}: {err}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{Mark, Placed, gaps, timeline};
    use chrono::{TimeZone, Utc};
    use site_api::{EventView, SegmentView, SessionState, SessionView};

    fn segment(track: &str, seq: i64, start_ms: i64, dur_ms: i64) -> SegmentView {
        SegmentView {
            track: track.into(),
            seq,
            file: format!("{track}-{seq:05}.mkv"),
            size_bytes: 1,
            start_ns: start_ms * 1_000_000,
            duration_ns: dur_ms * 1_000_000,
            sha256: String::new(),
            link: String::new(),
            recovered: false,
            backup_sha256: None,
        }
    }

    fn event(second: u32, kind: &str, detail: &str) -> EventView {
        EventView {
            at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, second).unwrap(),
            kind: kind.into(),
            detail: detail.into(),
        }
    }

    /// Recorded 0–4 s, paused, resumed at 10 s for 2 s: the second run's segments count from
    /// their own zero and land at 10 s; the marker at 11 s falls in them; 4–10 s is a gap.
    #[test]
    fn a_resumed_sessions_runs_and_markers_land_where_they_happened() {
        let view = SessionView {
            id: 1,
            room_id: "r".into(),
            agency_id: "a".into(),
            agency_name: "A".into(),
            case_number: "c".into(),
            state: SessionState::Finished,
            failure: None,
            recorded_with: serde_json::Value::Null,
            media_dir: String::new(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
            started_at: Some(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()),
            ended_at: None,
            started_by: String::new(),
            action_type: site_api::ActionType::Other,
            party: String::new(),
            segments: vec![
                segment("cam1", 0, 300, 2000),
                segment("cam1", 1, 2300, 2000),
                segment("cam1", 2, 250, 2000),
            ],
            events: vec![
                event(0, "recording", ""),
                event(4, "paused", ""),
                event(10, "recording", ""),
                event(11, "marker", "出示证件"),
            ],
        };
        let (placed, marks) = timeline(&view);
        let starts: Vec<i64> = placed.iter().map(|p| p.start).collect();
        assert_eq!(starts, [0, 2000, 10_000]);
        assert_eq!(
            marks,
            [Mark {
                at: 11_000,
                text: "出示证件".into()
            }]
        );
        assert_eq!(gaps(&placed), [(4000, 10_000)]);
        assert_eq!(
            placed[2],
            Placed {
                track: "cam1".into(),
                file: "cam1-00002.mkv".into(),
                start: 10_000,
                dur: 2000
            }
        );
    }
}
