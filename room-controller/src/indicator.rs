//! A room's "recording" light, driven over a serial port by the bytes its profile gives.
//!
//! One thread owns the port and receives the light's wanted state over a channel. It re-sends
//! that state every `resend_seconds` of the profile, and while the port fails (unplugged, gone)
//! it retries every second: when the light comes back it is reopened and shows the right state
//! again by itself. A fault is visible in [`Indicator::status`]; recording never waits for it.
//! Devices that answer each command (a profile's `reply`) are faulty when the answer does not
//! come: a light that takes the bytes but shows nothing is not trusted.

use hardware_profiles::{IndicatorPort, IndicatorProfile, IndicatorSpec};
use serialport::{SerialPort, TTYPort};
use site_api::LightStatus;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::{info, warn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    On,
    Off,
    /// The recording failed or was cut off: the profile's `fault` command, or off.
    Fault,
}

/// How soon a failed light is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// A cloneable handle; the light's thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Indicator {
    tx: mpsc::Sender<Light>,
    status: Arc<Mutex<LightStatus>>,
}

impl Indicator {
    /// Starts the light's owner thread. For a virtual port this also creates the
    /// pseudo-terminal and a thread that shows in the log what the light would do.
    pub fn spawn(room: &str, spec: &IndicatorSpec) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(LightStatus {
            on: None,
            fault: None,
        }));
        let mut owner = Owner {
            room: room.to_string(),
            spec: spec.clone(),
            port: None,
            status: status.clone(),
            shown: None,
        };
        if spec.port == IndicatorPort::Virtual {
            let (master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
            spawn_virtual_light(room, spec, master)?;
            owner.port = Some(Box::new(slave));
        }
        std::thread::Builder::new()
            .name(format!("liuhen-{room}-light"))
            .spawn(move || owner.run(rx))?;
        Ok(Self { tx, status })
    }

    pub fn set(&self, light: Light) {
        // The thread only ends with the last handle, so a send cannot fail while we hold one.
        let _ = self.tx.send(light);
    }

    /// What the light is told to show and whether it can be reached, for clerks and displays.
    pub fn status(&self) -> LightStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or(LightStatus {
                on: None,
                fault: Some("light status unavailable".into()),
            })
    }
}

struct Owner {
    room: String,
    spec: IndicatorSpec,
    port: Option<Box<dyn SerialPort>>,
    status: Arc<Mutex<LightStatus>>,
    /// What the light was last seen to take (sent, and answered if the profile expects it).
    shown: Option<Light>,
}

impl Owner {
    fn run(mut self, rx: mpsc::Receiver<Light>) {
        let resend = self
            .spec
            .profile
            .resend_seconds
            .map(|s| Duration::from_secs(u64::from(s.max(1))));
        let mut wanted: Option<Light> = None;
        let mut faulty = false;
        let mut last_sent = Instant::now();
        loop {
            // Nothing asked for yet: nothing to re-send or retry (a zero wait here would spin).
            let wait = match (wanted, faulty, resend) {
                (None, _, _) => Duration::from_secs(3600),
                (Some(_), true, _) => RETRY_EVERY,
                (Some(_), false, Some(every)) => every.saturating_sub(last_sent.elapsed()),
                (Some(_), false, None) => Duration::from_secs(3600),
            };
            match rx.recv_timeout(wait) {
                Ok(light) => wanted = Some(light),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let Some(light) = wanted else { continue };
            let due = faulty || resend.is_some_and(|every| last_sent.elapsed() >= every);
            if !due && self.shown == Some(light) {
                continue;
            }
            last_sent = Instant::now();
            faulty = match self.write(light) {
                Ok(()) => {
                    self.shown = Some(light);
                    tracing::debug!(room = %self.room, ?light, "recording light sent");
                    if faulty {
                        info!(room = %self.room, ?light, "recording light reachable again; state restored");
                    }
                    self.report(light, None);
                    false
                }
                Err(err) => {
                    if !faulty {
                        warn!(room = %self.room, port = ?self.spec.port, error = %err, ?light,
                            "cannot drive the recording light; retrying every second");
                    }
                    self.port = None;
                    self.shown = None;
                    self.report(
                        light,
                        Some(format!(
                            "录音录像指示灯无法控制 / recording light unreachable: {err}"
                        )),
                    );
                    true
                }
            };
        }
    }

    fn report(&self, light: Light, fault: Option<String>) {
        if let Ok(mut status) = self.status.lock() {
            *status = LightStatus {
                on: Some(light == Light::On),
                fault,
            };
        }
    }

    fn write(&mut self, light: Light) -> Result<(), Box<dyn std::error::Error>> {
        if self.port.is_none() {
            let IndicatorPort::Device(path) = &self.spec.port else {
                return Err("the virtual light's pseudo-terminal is gone".into());
            };
            self.port = Some(open_port(path, self.spec.profile.baud)?);
        }
        if let Some(port) = self.port.as_mut() {
            send(port.as_mut(), &self.spec.profile, light)?;
        }
        Ok(())
    }
}

fn open_port(path: &Path, baud: u32) -> Result<Box<dyn SerialPort>, String> {
    serialport::new(path.to_string_lossy().as_ref(), baud)
        .timeout(Duration::from_secs(1))
        .open()
        .map_err(|err| format!("cannot open {}: {err}", path.display()))
}

/// Sends the command for `light` and, when the profile expects an answer, waits for it.
fn send(
    port: &mut dyn SerialPort,
    profile: &IndicatorProfile,
    light: Light,
) -> Result<(), Box<dyn std::error::Error>> {
    if profile.reply.is_some() {
        // An answer left over from an earlier command must not count for this one.
        let _ = port.clear(serialport::ClearBuffer::Input);
    }
    port.write_all(command(profile, light))?;
    port.flush()?;
    if let Some(reply) = &profile.reply {
        let timeout = Duration::from_millis(u64::from(profile.reply_timeout_ms));
        await_reply(port, reply.bytes(), timeout)?;
    }
    Ok(())
}

/// Sends the light's "off" command once and checks its answer when the profile expects one:
/// for `room-controller check --probe`, with the controller stopped (it holds the port).
pub fn probe(spec: &IndicatorSpec) -> Result<String, String> {
    let IndicatorPort::Device(path) = &spec.port else {
        return Ok(
            "virtual light (a pseudo-terminal the controller makes): nothing to check".into(),
        );
    };
    let shown = path.display();
    let mut port = open_port(path, spec.profile.baud).map_err(|err| {
        format!("{err}. Is the relay plugged in, and the controller stopped (it holds the port)?")
    })?;
    send(port.as_mut(), &spec.profile, Light::Off)
        .map_err(|err| format!("{shown}: {err}; check the baud rate and the wiring"))?;
    match &spec.profile.reply {
        Some(reply) => Ok(format!(
            "{shown} answered {:?}",
            String::from_utf8_lossy(reply.bytes())
        )),
        None => {
            // Closing at once can drop bytes still on their way (a pty loses them for sure).
            std::thread::sleep(Duration::from_millis(200));
            Ok(format!(
                "sent \"off\" to {shown}; this light does not answer: look that it is off"
            ))
        }
    }
}

/// The bytes that make the light show `light`.
fn command(profile: &IndicatorProfile, light: Light) -> &[u8] {
    match light {
        Light::On => profile.on.bytes(),
        Light::Off => profile.off.bytes(),
        Light::Fault => profile.fault.as_ref().unwrap_or(&profile.off).bytes(),
    }
}

/// Reads until `reply` has arrived, or fails naming what was expected and what came instead.
fn await_reply(
    port: &mut dyn SerialPort,
    reply: &[u8],
    timeout: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut buf = [0u8; 64];
    while !seen.windows(reply.len()).any(|w| w == reply) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no reply {:?} within {} ms (got {:?})",
                String::from_utf8_lossy(reply),
                timeout.as_millis(),
                String::from_utf8_lossy(&seen)
            )
            .into());
        }
        port.set_timeout(left)?;
        match port.read(&mut buf) {
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

/// Reads the pseudo-terminal's other end and says in the log what a real light would show.
fn spawn_virtual_light(
    room: &str,
    spec: &IndicatorSpec,
    mut master: TTYPort,
) -> std::io::Result<()> {
    let room = room.to_string();
    let shows = [
        (
            command(&spec.profile, Light::On).to_vec(),
            "ON  ● 录音录像中",
        ),
        (command(&spec.profile, Light::Off).to_vec(), "OFF ○ 空闲"),
        (
            command(&spec.profile, Light::Fault).to_vec(),
            "FAULT ✕ 录制异常",
        ),
    ];
    let reply = spec.profile.reply.as_ref().map(|r| r.bytes().to_vec());
    master
        .set_timeout(Duration::from_secs(3600))
        .map_err(std::io::Error::other)?;
    std::thread::Builder::new()
        .name(format!("liuhen-{room}-virtual-light"))
        .spawn(move || {
            let mut seen = Vec::new();
            let mut buf = [0u8; 64];
            loop {
                match master.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                    Err(err) if err.kind() == std::io::ErrorKind::TimedOut => continue,
                    Err(_) => return,
                }
                for (bytes, shown) in &shows {
                    if seen.ends_with(bytes) {
                        info!(room = %room, "virtual recording light {shown}");
                        seen.clear();
                        // Answers like the device it stands for.
                        if let Some(reply) = &reply {
                            let _ = master.write_all(reply);
                        }
                        break;
                    }
                }
            }
        })?;
    Ok(())
}
