//! A loopback IP camera for tests and benchmarks: serves an H.264 test pattern over RTSP, as
//! cameras in hearing rooms do, using GStreamer's RTSP server library.
//!
//! `cargo run -p pipelines --example rtsp-test-server -- [--port N] [--size WxH] [--fps N]
//! [--kbps N] [--codec h264|h265] [--audio g711]` prints `rtsp://127.0.0.1:PORT/cam` on its first line once it accepts connections,
//! and serves until killed. Port 0 (the default) picks a free port; pass the same port again to
//! bring a "camera" back after a test cut it off.

use gstreamer as gst;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

struct Options {
    port: u16,
    width: u32,
    height: u32,
    fps: u32,
    kbps: u32,
    /// "h264", or "h265" to play a camera set to a codec Liuhen does not record.
    codec: String,
    /// "g711" to send the camera's own microphone (a tone, G.711 A-law) beside the pictures.
    audio: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        port: 0,
        width: 1280,
        height: 720,
        fps: 25,
        kbps: 2000,
        codec: "h264".into(),
        audio: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => options.port = value.parse()?,
            "--fps" => options.fps = value.parse()?,
            "--kbps" => options.kbps = value.parse()?,
            "--codec" => options.codec = value,
            "--audio" if value == "g711" => options.audio = Some(value),
            "--size" => {
                let (w, h) = value
                    .split_once('x')
                    .ok_or_else(|| anyhow::anyhow!("--size is WIDTHxHEIGHT, e.g. 1920x1080"))?;
                options.width = w.parse()?;
                options.height = h.parse()?;
            }
            other => anyhow::bail!("unknown option {other}; see the file's header for usage"),
        }
    }
    Ok(options)
}

fn main() -> anyhow::Result<()> {
    let options = options()?;
    gst::init()?;
    let server = rtsp::RTSPServer::new();
    server.set_address("127.0.0.1");
    server.set_service(&options.port.to_string());
    let mounts = server
        .mount_points()
        .ok_or_else(|| anyhow::anyhow!("the RTSP server has no mount points"))?;
    let factory = rtsp::RTSPMediaFactory::new();
    let (fps, kbps) = (options.fps, options.kbps);
    let encode = match options.codec.as_str() {
        "h264" => format!(
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} ! rtph264pay"
        ),
        "h265" => format!(
            "x265enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} ! rtph265pay"
        ),
        other => anyhow::bail!("--codec is h264 or h265, not {other}"),
    };
    let sound = match options.audio {
        Some(_) => "audiotestsrc is-live=true freq=440 ! audio/x-raw,rate=8000,channels=1 \
                    ! alawenc ! rtppcmapay name=pay1 pt=8"
            .to_string(),
        None => String::new(),
    };
    // One encoder shared by every client, as a camera has; a key frame every second.
    factory.set_launch(&format!(
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1 \
           ! {encode} name=pay0 pt=96 config-interval=1 {sound} )",
        w = options.width,
        h = options.height,
    ));
    factory.set_shared(true);
    mounts.add_factory("/cam", factory);
    let _source = server.attach(None)?;
    println!("rtsp://127.0.0.1:{}/cam", server.bound_port());
    use std::io::Write;
    std::io::stdout().flush()?;
    gst::glib::MainLoop::new(None, false).run();
    Ok(())
}
