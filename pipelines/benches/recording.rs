//! Recording figures on this machine, printed as `figure: value` lines (not a timed test):
//!
//! - time from a start request to the first media byte on disk;
//! - CPU seconds of a 720p room recording (one camera, one microphone) in Liuhen, and of the
//!   same pipeline run by `gst-launch-1.0`;
//! - `verify` throughput against `sha256sum` on the same files;
//! - the CPU share of recording 16, 64, 128 and 200 RTSP 1080p25 H.264 streams at a real 4 Mbit/s
//!   without re-encoding (a busy clip replayed by the `rtsp-replay-server` example on loopback),
//!   the bitrate of the files written, and how many stay under 80 % of the machine.
//!
//! Run with `cargo bench -p pipelines`.

use evidence::{GENESIS_LINK, Manifest, ManifestSegment, SegmentFacts, hash_file, next_link};
use hardware_profiles::{CameraProfile, CameraSource, CameraSpec, MicrophoneSpec, RoomSpec};
use pipelines::{Destination, Recorder};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: u32 = 25;
const KBPS: u32 = 2000;

fn room() -> RoomSpec {
    RoomSpec::interview(
        "bench",
        10,
        vec![CameraSpec::test_pattern("cam1", WIDTH, HEIGHT, FPS, KBPS)],
        vec![MicrophoneSpec::test_tone("mic1")],
    )
}

/// User + system CPU time of this process (`RUSAGE_SELF`) or its finished children.
fn cpu(who: i32) -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct completely when it returns 0.
    let usage = unsafe {
        if libc::getrusage(who, usage.as_mut_ptr()) != 0 {
            return Duration::ZERO;
        }
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn first_byte_on_disk(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false))
        })
        .unwrap_or(false)
}

fn start_to_first_byte(runs: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let recorder = Recorder::build(&room()).expect("build");
        recorder
            .record(Destination::folder(dir.path()))
            .expect("start");
        while !first_byte_on_disk(dir.path()) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no media written"
            );
            std::thread::sleep(Duration::from_micros(500));
        }
        times.push(started.elapsed());
        recorder.send_eos();
        recorder.wait_for_end(Duration::from_secs(10));
    }
    times.sort();
    times
}

fn record_in_process(seconds: u64) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = cpu(libc::RUSAGE_SELF);
    let recorder = Recorder::build(&room()).expect("build");
    recorder
        .record(Destination::folder(dir.path()))
        .expect("start");
    std::thread::sleep(Duration::from_secs(seconds));
    recorder.send_eos();
    assert!(
        recorder.wait_for_end(Duration::from_secs(10)),
        "recording ended cleanly"
    );
    recorder.shutdown();
    cpu(libc::RUSAGE_SELF) - before
}

fn record_with_gst_launch(seconds: u64) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = format!(
        "videotestsrc is-live=true ! videoconvert ! videoscale ! videorate ! \
         video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1 ! \
         x264enc bitrate={KBPS} tune=zerolatency speed-preset=ultrafast key-int-max={gop} ! h264parse ! queue ! sm.video \
         audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! audioresample ! level ! \
         audio/x-raw,rate=48000 ! opusenc ! queue ! sm.audio_0 \
         splitmuxsink name=sm muxer=matroskamux max-size-time=10000000000 send-keyframe-requests=true location={}/g-%05d.mkv",
        dir.path().display(),
        gop = FPS / 2,
    );
    let before = cpu(libc::RUSAGE_CHILDREN);
    let mut child = Command::new("gst-launch-1.0")
        .arg("-e")
        .args(line.split_whitespace())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("gst-launch-1.0 (scripts/setup.sh installs it)");
    std::thread::sleep(Duration::from_secs(seconds));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let _ = child.wait();
    cpu(libc::RUSAGE_CHILDREN) - before
}

/// Writes `files` files of `mib` MiB with a manifest, as a session folder would hold them.
fn session_folder(dir: &Path, files: usize, mib: usize) -> u64 {
    let mut previous = GENESIS_LINK.to_string();
    let mut segments = Vec::new();
    let mut total = 0;
    for seq in 0..files {
        let name = format!("cam1-{seq:05}.mkv");
        let block: Vec<u8> = (0..1 << 20)
            .map(|i: usize| (i.wrapping_mul(2654435761) >> 13) as u8 ^ seq as u8)
            .collect();
        let mut data = Vec::with_capacity(mib << 20);
        for _ in 0..mib {
            data.extend_from_slice(&block);
        }
        std::fs::write(dir.join(&name), &data).expect("write");
        let hashed = hash_file(&dir.join(&name)).expect("hash");
        let facts = SegmentFacts {
            track: "cam1",
            seq: seq as i64,
            start_ns: 0,
            duration_ns: 1,
            size_bytes: hashed.size_bytes as i64,
            sha256: &hashed.sha256,
        };
        let link = next_link(&previous, &facts);
        segments.push(ManifestSegment {
            file: name,
            track: "cam1".into(),
            seq: seq as i64,
            start_ns: 0,
            duration_ns: 1,
            size_bytes: hashed.size_bytes as i64,
            sha256: hashed.sha256,
            link: link.clone(),
            recovered: false,
            backup_sha256: None,
            removed: None,
        });
        previous = link;
        total += hashed.size_bytes;
    }
    Manifest::new(serde_json::json!({}), segments, true)
        .write(dir)
        .expect("manifest");
    total
}

/// A busy 1080p25 H.264 clip at a true 4 Mbit/s (`videotestsrc pattern=snow`, encoded once and
/// kept in the target folder: encoding it live does not keep up on 2 cores).
fn busy_clip(target: &Path) -> std::path::PathBuf {
    let clip = target.join("bench-clips/snow-1080p25-4mbit.mkv");
    if clip.exists() {
        return clip;
    }
    std::fs::create_dir_all(clip.parent().expect("folder")).expect("clip folder");
    let partial = clip.with_extension("partial");
    let status = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "videotestsrc",
            "pattern=snow",
            "num-buffers=1000",
            "!",
            "video/x-raw,format=I420,width=1920,height=1080,framerate=25/1",
            "!",
            // x264's ABR lands below its target on this picture: 4300 gives a true 4 Mbit/s.
            "x264enc",
            "speed-preset=ultrafast",
            "bitrate=4300",
            "key-int-max=25",
            "!",
            "h264parse",
            "!",
            "matroskamux",
            "!",
            "filesink",
        ])
        .arg(format!("location={}", partial.display()))
        .status()
        .expect("gst-launch-1.0 (scripts/setup.sh installs it)");
    assert!(status.success(), "encoding the bench clip");
    std::fs::rename(&partial, &clip).expect("clip");
    clip
}

/// Starts many loopback RTSP cameras that replay `clip` in real time (the `rtsp-replay-server`
/// example, built in release as this bench is); returns it and its URL.
fn rtsp_cameras(target: &Path, clip: &Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "pipelines",
            "--example",
            "rtsp-replay-server",
        ])
        .status()
        .expect("cargo");
    assert!(built.success(), "building the RTSP replay server");
    let mut child = Command::new(target.join("examples/rtsp-replay-server"))
        .arg("--clip")
        .arg(clip)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("RTSP replay server");
    let mut url = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("its address");
    (child, url.trim().to_string())
}

/// CPU time of another process so far, from /proc.
fn cpu_of(pid: u32) -> Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            // utime and stime: fields 14 and 15 of the line, 11 and 12 after the name.
            let field = |n: usize| fields.get(n)?.parse::<u64>().ok();
            Some(field(11)? + field(12)?)
        })
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

/// Time for every stream of a passthrough run to connect and settle before it is measured
/// (200 RTSP sessions take a few seconds to set up, and that is not recording).
const WARM_UP: Duration = Duration::from_secs(5);

/// What recording many RTSP streams at once cost and wrote.
struct Passthrough {
    /// Share of the whole machine (every core) the recorder took.
    recorder: f64,
    /// The same for the cameras' server.
    server: f64,
    /// Mean bitrate of the files written, per stream, Mbit/s.
    mbit_per_stream: f64,
}

/// Bytes in the files of `dir`.
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// After the streams settle, measures `seconds` of a recorder writing `streams` streams into
/// `dir`: its CPU (`recorder_cpu`, read at each end), the cameras' server's, and the bitrate
/// written.
fn steady_window(
    server: u32,
    dir: &Path,
    streams: usize,
    seconds: u64,
    recorder_cpu: impl Fn() -> Duration,
) -> Passthrough {
    std::thread::sleep(WARM_UP);
    let (used, served, bytes) = (recorder_cpu(), cpu_of(server), folder_bytes(dir));
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let (used, served, bytes) = (
        recorder_cpu() - used,
        cpu_of(server) - served,
        folder_bytes(dir) - bytes,
    );
    let wall = started.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let share = |cpu: Duration| cpu.as_secs_f64() / wall / cores * 100.0;
    Passthrough {
        recorder: share(used),
        server: share(served),
        mbit_per_stream: bytes as f64 * 8.0 / wall / 1e6 / streams as f64,
    }
}

/// Records `streams` RTSP streams at once for `seconds`.
fn rtsp_passthrough(url: &str, server: u32, streams: usize, seconds: u64) -> Passthrough {
    let mut room = room();
    room.microphones.clear();
    room.cameras = (0..streams)
        .map(|n| CameraSpec {
            id: format!("ip{n}"),
            profile_id: "rtsp-h264".into(),
            profile: CameraProfile {
                source: CameraSource::Rtsp,
                width: 1920,
                height: 1080,
                framerate: 25,
                bitrate_kbps: 4000,
            },
            device: Some(url.to_string()),
            audio: false,
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = Recorder::build(&room).expect("build");
    recorder
        .record(Destination::folder(dir.path()))
        .expect("start");
    let measured = steady_window(server, dir.path(), streams, seconds, || {
        cpu(libc::RUSAGE_SELF)
    });
    recorder.send_eos();
    recorder.wait_for_end(Duration::from_secs(10));
    recorder.shutdown();
    let written = std::fs::read_dir(dir.path())
        .map(|d| {
            d.flatten()
                .filter(|e| e.metadata().is_ok_and(|m| m.len() > 0))
                .count()
        })
        .unwrap_or(0);
    assert!(written >= streams, "{written} files for {streams} streams");
    measured
}

/// The same graph run by `gst-launch-1.0` (rtspsrc over TCP, depayloader, parser, Matroska
/// muxer and file per stream), measured over the same steady window.
fn gst_launch_passthrough(url: &str, server: u32, streams: usize, seconds: u64) -> Passthrough {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["-q".to_string(), "-e".to_string()];
    for n in 0..streams {
        args.extend(
            format!(
                "rtspsrc location={url} protocols=tcp latency=200 ! rtph264depay ! h264parse ! matroskamux ! filesink location={}",
                dir.path().join(format!("s{n}.mkv")).display()
            )
            .split(' ')
            .map(String::from),
        );
    }
    let mut child = Command::new("gst-launch-1.0")
        .args(&args)
        .spawn()
        .expect("gst-launch-1.0");
    let measured = steady_window(server, dir.path(), streams, seconds, || cpu_of(child.id()));
    // SAFETY: kill with a pid this process started and has not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let _ = child.wait();
    measured
}

fn main() {
    pipelines::init().expect("GStreamer");
    let firsts = start_to_first_byte(5);
    println!(
        "start to first media byte (720p camera + mic, 5 runs): median {:.0} ms, max {:.0} ms",
        firsts[firsts.len() / 2].as_secs_f64() * 1e3,
        firsts[firsts.len() - 1].as_secs_f64() * 1e3
    );

    let seconds = 10;
    let ours = record_in_process(seconds);
    let theirs = record_with_gst_launch(seconds);
    println!(
        "CPU for {seconds} s of 720p25 H.264 + Opus: Liuhen {:.2} s ({:.0} % of one core), gst-launch-1.0 {:.2} s ({:.0} %)",
        ours.as_secs_f64(),
        ours.as_secs_f64() * 100.0 / seconds as f64,
        theirs.as_secs_f64(),
        theirs.as_secs_f64() * 100.0 / seconds as f64
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = session_folder(dir.path(), 8, 64);
    let mb = bytes as f64 / 1e6;
    let started = Instant::now();
    let report = evidence::verify(dir.path(), |_, _| {});
    let ours = started.elapsed();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let files: Vec<_> = (0..8)
        .map(|seq| dir.path().join(format!("cam1-{seq:05}.mkv")))
        .collect();
    let started = Instant::now();
    let status = Command::new("sha256sum")
        .args(&files)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("sha256sum");
    let theirs = started.elapsed();
    assert!(status.success());
    println!(
        "verify {mb:.0} MB (8 segments, warm cache): Liuhen {:.0} MB/s, sha256sum {:.0} MB/s",
        mb / ours.as_secs_f64(),
        mb / theirs.as_secs_f64()
    );

    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .expect("target folder");
    let clip = busy_clip(&target);
    let (mut server, url) = rtsp_cameras(&target, &clip);
    let mut under = 0;
    for streams in [16, 64, 128, 200] {
        let p = rtsp_passthrough(&url, server.id(), streams, 10);
        println!(
            "RTSP 1080p25 H.264 passthrough over TCP, {streams} streams: recorder {:.1} % of the machine, the cameras' server {:.1} %; files written at {:.2} Mbit/s per stream",
            p.recorder, p.server, p.mbit_per_stream
        );
        if p.recorder < 80.0 && p.mbit_per_stream > 3.8 {
            under = streams;
        }
        if streams == 64 || streams == 200 {
            let g = gst_launch_passthrough(&url, server.id(), streams, 10);
            println!(
                "  the same {streams} streams in one gst-launch-1.0: {:.1} % of the machine; files written at {:.2} Mbit/s per stream",
                g.recorder, g.mbit_per_stream
            );
        }
    }
    println!(
        "RTSP passthrough streams recorded in full (at least 3.8 of the clip's 4 Mbit/s) under 80 % of the machine: {under} measured"
    );
    let _ = server.kill();
    let _ = server.wait();
}
