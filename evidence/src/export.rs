//! The export of a session for the case file: a tar package holding every segment, the
//! manifest (so `room-controller verify` checks it anywhere), the session's events as JSON, and
//! a short summary in Chinese and English of how, when, by whom and where it was recorded.

use site_api::SessionView;
use std::io::Write;
use std::path::Path;

use crate::manifest::MANIFEST_FILE;

/// The package's folder name, e.g. `session-12`.
pub fn package_name(view: &SessionView) -> String {
    format!("session-{}", view.id)
}

/// Writes the package of `view`, whose media are in `dir`, as a tar stream into `out`.
pub fn write_package(
    view: &SessionView,
    dir: &Path,
    exported_by: &str,
    out: impl Write,
) -> std::io::Result<()> {
    let mut tar = tar::Builder::new(out);
    let root = package_name(view);
    add_text(
        &mut tar,
        &root,
        "summary.txt",
        summary(view, exported_by).as_bytes(),
    )?;
    let events = serde_json::to_vec_pretty(&view.events).map_err(std::io::Error::other)?;
    add_text(&mut tar, &root, "events.json", &events)?;
    tar.append_path_with_name(dir.join(MANIFEST_FILE), format!("{root}/{}", MANIFEST_FILE))?;
    for seg in &view.segments {
        tar.append_path_with_name(dir.join(&seg.file), format!("{root}/{}", seg.file))?;
    }
    tar.into_inner()?.flush()
}

/// Adds a file made here (not read from disk) to the package.
fn add_text<W: Write>(
    tar: &mut tar::Builder<W>,
    root: &str,
    name: &str,
    text: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    tar.append_data(&mut header, format!("{root}/{name}"), text)
}

/// How, when, by whom and where the recording was made, for a person reading the case file.
fn summary(view: &SessionView, exported_by: &str) -> String {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
    };
    let seconds: f64 = view
        .segments
        .iter()
        .filter(|s| s.track == view.segments[0].track)
        .map(|s| s.duration_ns as f64 / 1e9)
        .sum();
    let bytes: i64 = view.segments.iter().map(|s| s.size_bytes).sum();
    let devices = |key: &str| {
        view.recorded_with[key]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|d| {
                        format!(
                            "{} ({})",
                            d["id"].as_str().unwrap_or("?"),
                            d["profile"].as_str().unwrap_or("?")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let markers: Vec<String> = view
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "marker"
                    | "gap"
                    | "interrupted"
                    | "failed"
                    | "alarm"
                    | "source-alarm"
                    | "source-ok"
            )
        })
        .map(|e| format!("  {} [{}] {}", time(Some(e.at)), e.kind, e.detail))
        .collect();
    format!(
        "执法全过程记录 · 录音录像说明 / Audio-video record of an enforcement action\n\
         \n\
         案件编号 Case number:   {case}\n\
         案件类型 Action:        {action}\n\
         当事人 Party:           {party}\n\
         执法机关 Agency:        {agency} ({agency_id})\n\
         地点 Room:              {room}\n\
         录制人 Recorded by:     {started_by}\n\
         开始 Started:           {start}\n\
         结束 Ended:             {end}\n\
         状态 State:             {state}\n\
         摄像机 Cameras:         {cameras}\n\
         麦克风 Microphones:     {mics}\n\
         格式 Format:            H.264 video, Opus audio, Matroska segments of {segment} s\n\
         文件 Files:             {files} segments, {mb:.1} MB, about {seconds:.0} s per track\n\
         标记与事件 Markers and events:\n{markers}\n\
         \n\
         完整性 Integrity: every segment's SHA-256 is in manifest.json, linked in a hash chain whose\n\
         last link is {head}.\n\
         Check this folder with: room-controller verify <folder>\n\
         \n\
         导出 Exported by {who} at {now}.\n",
        case = view.case_number,
        action = view.action_type.label(),
        party = if view.party.is_empty() {
            "—"
        } else {
            &view.party
        },
        agency = view.agency_name,
        agency_id = view.agency_id,
        room = view.room_id,
        started_by = if view.started_by.is_empty() {
            "—"
        } else {
            &view.started_by
        },
        start = time(view.started_at),
        end = time(view.ended_at),
        state = view.state.as_str(),
        cameras = devices("cameras"),
        mics = devices("microphones"),
        segment = view.recorded_with["segment_seconds"],
        files = view.segments.len(),
        mb = bytes as f64 / 1e6,
        markers = if markers.is_empty() {
            "  —".to_string()
        } else {
            markers.join("\n")
        },
        head = view
            .segments
            .last()
            .map(|s| s.link.as_str())
            .unwrap_or("(no segment)"),
        who = exported_by,
        now = time(Some(chrono::Utc::now())),
    )
}
