//! A room's "recording" light, driven over a serial port by the bytes its profile gives.
//!
//! One thread owns the port and receives the light's wanted state over a channel. A port that
//! cannot be opened or written is logged and reopened at the next command, so a light that was
//! unplugged recovers; recording never waits for the light.

use hardware_profiles::{IndicatorPort, IndicatorSpec};
use serialport::{SerialPort, TTYPort};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;
use tracing::{info, warn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    On,
    Off,
}

/// A cloneable handle; the light's thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Indicator {
    tx: mpsc::Sender<Light>,
}

impl Indicator {
    /// Starts the light's owner thread. For a virtual port this also creates the
    /// pseudo-terminal and a thread that shows in the log what the light would do.
    pub fn spawn(room: &str, spec: &IndicatorSpec) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let owner = Owner {
            room: room.to_string(),
            spec: spec.clone(),
            port: None,
        };
        let owner = match &spec.port {
            IndicatorPort::Device(_) => owner,
            IndicatorPort::Virtual => {
                let (master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
                spawn_virtual_light(room, spec, master)?;
                Owner {
                    port: Some(Box::new(slave)),
                    ..owner
                }
            }
        };
        std::thread::Builder::new()
            .name(format!("liuhen-{room}-light"))
            .spawn(move || owner.run(rx))?;
        Ok(Self { tx })
    }

    pub fn set(&self, light: Light) {
        // The thread only ends with the last handle, so a send cannot fail while we hold one.
        let _ = self.tx.send(light);
    }
}

struct Owner {
    room: String,
    spec: IndicatorSpec,
    port: Option<Box<dyn SerialPort>>,
}

impl Owner {
    fn run(mut self, rx: mpsc::Receiver<Light>) {
        while let Ok(light) = rx.recv() {
            let bytes = match light {
                Light::On => self.spec.profile.on.bytes().to_vec(),
                Light::Off => self.spec.profile.off.bytes().to_vec(),
            };
            if let Err(err) = self.write(&bytes) {
                warn!(room = %self.room, port = ?self.spec.port, error = %err, ?light,
                    "cannot drive the recording light; will reopen the port at the next change");
                self.port = None;
            } else {
                info!(room = %self.room, ?light, "recording light set");
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
        if self.port.is_none() {
            let IndicatorPort::Device(path) = &self.spec.port else {
                return Err("the virtual light's pseudo-terminal is gone".into());
            };
            let path = path.to_string_lossy();
            let port = serialport::new(path.as_ref(), self.spec.profile.baud)
                .timeout(Duration::from_secs(1))
                .open()
                .map_err(|err| format!("cannot open {path}: {err}"))?;
            self.port = Some(port);
        }
        if let Some(port) = self.port.as_mut() {
            port.write_all(bytes)?;
            port.flush()?;
        }
        Ok(())
    }
}

/// Reads the pseudo-terminal's other end and says in the log what a real light would show.
fn spawn_virtual_light(
    room: &str,
    spec: &IndicatorSpec,
    mut master: TTYPort,
) -> std::io::Result<()> {
    let room = room.to_string();
    let on = spec.profile.on.bytes().to_vec();
    let off = spec.profile.off.bytes().to_vec();
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
                for (bytes, shown) in [(&on, "ON  ● 录音录像中"), (&off, "OFF ○ 空闲")] {
                    if seen.ends_with(bytes) {
                        info!(room = %room, "virtual recording light {shown}");
                        seen.clear();
                    }
                }
            }
        })?;
    Ok(())
}
