//! Many loopback IP cameras at a real bitrate, for the passthrough benchmark: replays an encoded
//! H.264 clip over RTSP (TCP-interleaved, as the recorder asks for) to every client, in real
//! time, looping.
//!
//! `cargo run --release -p pipelines --example rtsp-replay-server -- --clip FILE.mkv [--port N]`
//! prints `rtsp://127.0.0.1:PORT/cam` on its first line once it accepts connections.
//!
//! Why not gst-rtsp-server, as `rtsp-test-server` does: encoding a busy 1080p picture live does
//! not keep up on 2 cores, and serving a file over TCP needs one GStreamer pipeline per client
//! (a shared file media aborts in gst-rtsp-server 1.22), which took a third of the machine at 64
//! clients and would leave nothing for the recorder at 200. Here the clip is packetised once
//! (`rtph264pay`) into memory; each client then costs a thread that patches sequence numbers and
//! timestamps and writes a frame's packets every 40 ms.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One video frame's RTP packets, and when it is due from the start of the clip.
struct Frame {
    due: Duration,
    packets: Vec<Vec<u8>>,
}

/// An RTP packet as the payloader made it, with its frame's time.
type Packet = (Duration, Vec<u8>);

struct Clip {
    frames: Vec<Frame>,
    /// From the first frame to the one after the last: how far each loop shifts the timeline.
    length: Duration,
    /// `a=fmtp` parameters for the SDP (packetisation mode, SPS and PPS).
    fmtp: String,
}

fn packetise(path: &str) -> anyhow::Result<Clip> {
    let pipeline = gst::parse::launch(&format!(
        "filesrc location=\"{path}\" ! matroskademux ! h264parse ! \
         rtph264pay pt=96 mtu=1400 config-interval=-1 ! fakesink name=sink sync=false"
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let pad = pipeline
        .by_name("sink")
        .and_then(|sink| sink.static_pad("sink"))
        .ok_or_else(|| anyhow::anyhow!("no sink pad"))?;
    let packets: Arc<Mutex<Vec<Packet>>> = Arc::default();
    let caps: Arc<Mutex<Option<gst::Caps>>> = Arc::default();
    let (kept, kept_caps) = (packets.clone(), caps.clone());
    pad.add_probe(
        gst::PadProbeType::BUFFER
            | gst::PadProbeType::BUFFER_LIST
            | gst::PadProbeType::EVENT_DOWNSTREAM,
        move |_, info| {
            let keep = |buffer: &gst::BufferRef| {
                let pts = buffer.pts().map_or(Duration::ZERO, |t| t.into());
                if let (Ok(map), Ok(mut kept)) = (buffer.map_readable(), kept.lock()) {
                    kept.push((pts, map.as_slice().to_vec()));
                }
            };
            match &info.data {
                // The payloader sends a frame's fragments as one list.
                Some(gst::PadProbeData::BufferList(list)) => list.iter().for_each(keep),
                Some(gst::PadProbeData::Buffer(buffer)) => keep(buffer),
                Some(gst::PadProbeData::Event(event)) => {
                    if let (gst::EventView::Caps(c), Ok(mut kept)) =
                        (event.view(), kept_caps.lock())
                    {
                        *kept = Some(c.caps_owned());
                    }
                }
                _ => {}
            }
            gst::PadProbeReturn::Ok
        },
    );
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().ok_or_else(|| anyhow::anyhow!("no bus"))?;
    let ended = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(120),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    pipeline.set_state(gst::State::Null)?;
    match ended.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => {}
        Some(gst::MessageView::Error(err)) => anyhow::bail!("reading {path}: {}", err.error()),
        _ => anyhow::bail!("reading {path} took more than 2 minutes"),
    }

    let packets = std::mem::take(&mut *packets.lock().map_err(|_| anyhow::anyhow!("lock"))?);
    let mut frames: Vec<Frame> = Vec::new();
    for (pts, packet) in packets {
        match frames.last_mut() {
            Some(frame) if frame.due == pts => frame.packets.push(packet),
            _ => frames.push(Frame {
                due: pts,
                packets: vec![packet],
            }),
        }
    }
    let first = frames.first().map_or(Duration::ZERO, |f| f.due);
    for frame in &mut frames {
        frame.due -= first;
    }
    let step = match frames.as_slice() {
        [.., before, last] => last.due - before.due,
        _ => Duration::from_millis(40),
    };
    let length = frames.last().map_or(step, |f| f.due + step);
    let sprop = caps
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .and_then(|c| c.structure(0)?.get::<String>("sprop-parameter-sets").ok());
    let fmtp = match sprop {
        Some(sets) => format!("packetization-mode=1;sprop-parameter-sets={sets}"),
        None => "packetization-mode=1".to_string(),
    };
    anyhow::ensure!(!frames.is_empty(), "{path} holds no H.264 frames");
    Ok(Clip {
        frames,
        length,
        fmtp,
    })
}

/// An RTSP request: its method, CSeq and headers (names lower-cased).
struct Request {
    method: String,
    cseq: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the next request, skipping interleaved binary data (the client's RTCP reports).
fn next_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    loop {
        let first = reader.fill_buf().ok()?.first().copied()?;
        if first == b'$' {
            let mut head = [0u8; 4];
            reader.read_exact(&mut head).ok()?;
            let mut skip = vec![0u8; usize::from(u16::from_be_bytes([head[2], head[3]]))];
            reader.read_exact(&mut skip).ok()?;
            continue;
        }
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let method = line.split_whitespace().next()?.to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).ok()?;
        let cseq = headers
            .iter()
            .find(|(n, _)| n == "cseq")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        return Some(Request {
            method,
            cseq,
            headers,
        });
    }
}

fn serve(stream: TcpStream, clip: Arc<Clip>, url: String) -> anyhow::Result<()> {
    let writer = Arc::new(Mutex::new(stream.try_clone()?));
    let mut reader = BufReader::new(stream);
    let session = "4c69756865";
    let mut playing: Option<Arc<std::sync::atomic::AtomicBool>> = None;
    let reply = |cseq: &str, extra: &str, body: &str| -> anyhow::Result<()> {
        let text = format!(
            "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut out = writer.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        out.write_all(text.as_bytes())?;
        Ok(())
    };
    while let Some(request) = next_request(&mut reader) {
        let cseq = request.cseq.clone();
        match request.method.as_str() {
            "OPTIONS" => reply(
                &cseq,
                "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n",
                "",
            )?,
            "DESCRIBE" => {
                let sdp = format!(
                    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Liuhen replay\r\nc=IN IP4 127.0.0.1\r\n\
                     t=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
                     a=fmtp:96 {}\r\na=control:stream=0\r\n",
                    clip.fmtp
                );
                reply(
                    &cseq,
                    &format!("Content-Base: {url}/\r\nContent-Type: application/sdp\r\n"),
                    &sdp,
                )?;
            }
            "SETUP" => {
                let transport = request.header("transport").unwrap_or_default();
                if !transport.contains("TCP") {
                    let mut out = writer.lock().map_err(|_| anyhow::anyhow!("lock"))?;
                    out.write_all(
                        format!("RTSP/1.0 461 Unsupported Transport\r\nCSeq: {cseq}\r\n\r\n")
                            .as_bytes(),
                    )?;
                    continue;
                }
                reply(
                    &cseq,
                    &format!(
                        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: {session};timeout=60\r\n"
                    ),
                    "",
                )?;
            }
            "PLAY" => {
                reply(
                    &cseq,
                    &format!("Session: {session}\r\nRange: npt=0.000-\r\n"),
                    "",
                )?;
                if playing.is_none() {
                    let on = Arc::new(std::sync::atomic::AtomicBool::new(true));
                    playing = Some(on.clone());
                    let (clip, writer) = (clip.clone(), writer.clone());
                    std::thread::spawn(move || send(&clip, &writer, &on));
                }
            }
            "TEARDOWN" => {
                reply(&cseq, &format!("Session: {session}\r\n"), "")?;
                break;
            }
            _ => reply(&cseq, &format!("Session: {session}\r\n"), "")?,
        }
    }
    if let Some(on) = playing {
        on.store(false, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(())
}

/// Writes each frame's packets when due, looping the clip with sequence numbers and timestamps
/// carried on, until the client goes.
fn send(clip: &Clip, writer: &Mutex<TcpStream>, on: &std::sync::atomic::AtomicBool) {
    let start = Instant::now();
    let ticks_per_loop = (clip.length.as_nanos() * 90_000 / 1_000_000_000) as u32;
    let mut seq: u16 = 0;
    let mut out = Vec::with_capacity(64 * 1024);
    for round in 0u32.. {
        for frame in &clip.frames {
            if !on.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let due = start + clip.length * round + frame.due;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            out.clear();
            for packet in &frame.packets {
                if packet.len() < 12 {
                    continue;
                }
                out.push(b'$');
                out.push(0);
                out.extend_from_slice(&(packet.len() as u16).to_be_bytes());
                let at = out.len();
                out.extend_from_slice(packet);
                out[at + 2..at + 4].copy_from_slice(&seq.to_be_bytes());
                seq = seq.wrapping_add(1);
                let ts = u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]])
                    .wrapping_add(ticks_per_loop.wrapping_mul(round));
                out[at + 4..at + 8].copy_from_slice(&ts.to_be_bytes());
            }
            let Ok(mut stream) = writer.lock() else {
                return;
            };
            if stream.write_all(&out).is_err() {
                return;
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut clip, mut port) = (None, 0u16);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--clip" => clip = Some(value),
            "--port" => port = value.parse()?,
            other => anyhow::bail!("unknown option {other}; see the file's header for usage"),
        }
    }
    let clip = clip.ok_or_else(|| anyhow::anyhow!("--clip FILE.mkv is needed"))?;
    gst::init()?;
    let clip = Arc::new(packetise(&clip)?);
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let url = format!("rtsp://127.0.0.1:{}/cam", listener.local_addr()?.port());
    println!("{url}");
    std::io::stdout().flush()?;
    for stream in listener.incoming().flatten() {
        let _ = stream.set_nodelay(true);
        let (clip, url) = (clip.clone(), url.clone());
        std::thread::spawn(move || {
            if let Err(err) = serve(stream, clip, url) {
                eprintln!("rtsp-replay-server: a client ended: {err}");
            }
        });
    }
    Ok(())
}
