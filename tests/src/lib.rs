//! One helper for every end-to-end test: a real temporary site (a folder, a site file, a real
//! SQLite file), a pseudo-terminal standing in for the USB relay of the recording light, and the
//! real `room-controller` binary serving on a free loopback port.

pub mod browser;
pub mod lean_http;

use anyhow::{Context, bail};
use serialport::{SerialPort, TTYPort};

use site_api::SessionView;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The LCUS-1 relay's commands, as the shipped profile gives them.
pub const LIGHT_ON: [u8; 4] = [0xA0, 0x01, 0x01, 0xA2];
pub const LIGHT_OFF: [u8; 4] = [0xA0, 0x01, 0x00, 0xA1];

pub const ROOM: &str = "interview-1";

/// The demo room's devices: one test-pattern camera, one test-tone microphone.
pub const ONE_CAMERA_ONE_MICROPHONE: &str = r#"[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone""#;

/// Two test-pattern cameras, a test tone and the composite view of both (640×360).
pub const TWO_CAMERAS_ONE_MICROPHONE_AND_A_COMPOSITE: &str = r#"[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.cameras]]
id = "cam2"
profile = "test-pattern"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone"

[rooms.composite]
cameras = ["cam1", "cam2"]
width = 640
height = 360
"#;

/// A room whose second microphone hears nothing and raises the silence alarm after a second;
/// pass [`QUICK_SILENCE_PROFILE`] with it.
pub const CAMERA_TONE_AND_SILENT_MICROPHONE: &str = r#"[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone"

[[rooms.microphones]]
id = "mic2"
profile = "quick-silence""#;

/// A silent test microphone that raises its alarm after one second (file name, text).
pub const QUICK_SILENCE_PROFILE: (&str, &str) = (
    "quick-silence.toml",
    "id = \"quick-silence\"\nname = \"静音测试麦克风\"\n\n[microphone]\nsource = \"test-silence\"\n\
     rate = 48000\nchannels = 1\nsilence_alarm_seconds = 1\n",
);

/// A binary of this workspace, built (once per test process) so that it is never stale:
/// `cargo test` only builds the executables of packages that have integration tests themselves.
pub fn workspace_binary(name: &str) -> PathBuf {
    built(name, &["--bin", name, "-p", name], name)
}

/// Example program `name` of workspace package `package`, built as [`workspace_binary`] builds.
pub fn workspace_example(package: &str, name: &str) -> PathBuf {
    built(
        &format!("{package}/{name}"),
        &["--example", name, "-p", package],
        &format!("examples/{name}"),
    )
}

/// Runs `cargo build <args>` once per test process under `key`; returns `<target>/<path>`.
fn built(key: &str, args: &[&str], path: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<std::sync::Mutex<Vec<String>>> = std::sync::OnceLock::new();
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("target/debug"))
        .to_path_buf();
    let release = dir.ends_with("release");
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == key) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .arg("build")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        // What cargo sets for this test's own run: a build script that watches one of them
        // (ring's) would make every nested build, and the next `cargo test`, rebuild it and
        // everything above it.
        for (variable, _) in std::env::vars_os() {
            let name = variable.to_string_lossy();
            if [
                "CARGO_MANIFEST_",
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_PRIMARY_",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                || name == "OUT_DIR"
            {
                command.env_remove(&variable);
            }
        }
        if release {
            command.arg("--release");
        }
        match command.status() {
            Ok(status) if status.success() => built.push(key.to_string()),
            other => panic!("cannot build {key}: {other:?}"),
        }
    }
    dir.join(path)
}

/// A relay on a pseudo-terminal, reached through a symlink as udev's `/dev/serial/by-id/…`
/// links reach a USB relay: what it has received so far, and a way to unplug it.
#[derive(Clone)]
pub struct LightWire {
    received: Arc<Mutex<Vec<u8>>>,
    /// Sent back after every line received, as a sign that answers "OK" does.
    reply: Arc<Mutex<Option<Vec<u8>>>>,
    plugged: Arc<std::sync::atomic::AtomicBool>,
    link: PathBuf,
}

/// A pseudo-terminal reached through the symlink `link`, as udev's `/dev/serial/by-id/…` links
/// reach a USB serial device; returns our (master) end.
fn pty_at(link: &Path) -> anyhow::Result<TTYPort> {
    let (master, slave) = TTYPort::pair().context("creating a pseudo-terminal")?;
    // Without close-on-exec a process started later would inherit our end of the pty and keep
    // an "unplugged" device alive.
    {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a file descriptor we own, setting only its close-on-exec flag.
        unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // The program opens the pty by its path, as it would open /dev/ttyUSB0, and may take an
    // exclusive lock on it: our own end of that side must be closed first.
    let port = slave.name().context("the pty has no path")?;
    drop(slave);
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&port, link)?;
    Ok(master)
}

/// An ESC/POS receipt printer on a pseudo-terminal: records what it is sent and answers the
/// paper-status request (DLE EOT 4) with the status byte it is given, or not at all.
pub struct PrinterWire {
    received: Arc<Mutex<Vec<u8>>>,
    status: Arc<Mutex<Option<u8>>>,
}

/// Paper-sensor answers of an ESC/POS printer: paper present, and paper out.
pub const PAPER_OK: u8 = 0x12;
pub const PAPER_OUT: u8 = 0x72;

impl PrinterWire {
    pub fn plug(link: &Path) -> anyhow::Result<Self> {
        let mut master = pty_at(link)?;
        master.set_timeout(Duration::from_millis(100))?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(Some(PAPER_OK)));
        let (sink, answer) = (Arc::downgrade(&received), status.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Some(sink) = sink.upgrade() {
                match master.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        let mut all = sink.lock().unwrap_or_else(|e| e.into_inner());
                        let before = all.len();
                        all.extend_from_slice(&buf[..n]);
                        let asked = all[before.saturating_sub(2)..]
                            .windows(3)
                            .filter(|w| *w == [0x10, 0x04, 0x04])
                            .count();
                        let reply = *answer.lock().unwrap_or_else(|e| e.into_inner());
                        if let Some(reply) = reply {
                            for _ in 0..asked {
                                let _ = master.write_all(&[reply]);
                            }
                        }
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {}
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Self { received, status })
    }

    /// Answers status requests with `status` from now on, or stops answering (`None`).
    pub fn answer_with(&self, status: Option<u8>) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status;
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.received.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Forgets what was received so far.
    pub fn clear(&self) {
        if let Ok(mut all) = self.received.lock() {
            all.clear();
        }
    }
}

impl LightWire {
    /// Creates a pty pair, points `link` at it, and records what arrives.
    pub fn plug(link: &Path) -> anyhow::Result<Self> {
        let mut master = pty_at(link).context("the relay's pseudo-terminal")?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let reply: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
        let answer = reply.clone();
        let plugged = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sink = Arc::downgrade(&received);
        let still_plugged = plugged.clone();
        master.set_timeout(Duration::from_millis(100))?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            // Reads until unplugged or the test drops it. While no process has the other side
            // open (before the controller starts, after it is killed) reads fail: wait, retry.
            while still_plugged.load(std::sync::atomic::Ordering::SeqCst) {
                let Some(sink) = sink.upgrade() else { return };
                match master.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        if let Ok(mut all) = sink.lock() {
                            all.extend_from_slice(&buf[..n]);
                        }
                        let lines = buf[..n].iter().filter(|b| **b == b'\n').count();
                        let answer = answer.lock().map(|a| a.clone()).unwrap_or_default();
                        if let Some(answer) = answer {
                            for _ in 0..lines {
                                let _ = master.write_all(&answer);
                            }
                        }
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {}
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
            // Dropping the master here is the unplug: the controller's writes now fail.
        });
        Ok(Self {
            received,
            reply,
            plugged,
            link: link.to_path_buf(),
        })
    }

    /// Pulls the relay out: its pty closes and its link disappears.
    pub fn unplug(&self) {
        self.plugged
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let _ = std::fs::remove_file(&self.link);
        // Give the reader time to notice and close the pty.
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Answers every line from now on with `reply`, or stops answering (`None`).
    pub fn answer_with(&self, reply: Option<&[u8]>) {
        if let Ok(mut answer) = self.reply.lock() {
            *answer = reply.map(<[u8]>::to_vec);
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.received.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Waits until the wire has received `len` bytes or more, up to `timeout`.
    pub fn wait_for_len(&self, len: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        loop {
            let bytes = self.bytes();
            if bytes.len() >= len || Instant::now() > deadline {
                return bytes;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub struct TestSite {
    pub dir: tempfile::TempDir,
    pub site_file: PathBuf,
    pub light: LightWire,
}

impl TestSite {
    /// A site with one agency and one interview room: a test-pattern camera, a test-tone
    /// microphone and an LCUS-1 light on a pseudo-terminal. Segments are `segment_seconds` long.
    pub fn new(segment_seconds: u32) -> anyhow::Result<Self> {
        Self::with_devices(segment_seconds, ONE_CAMERA_ONE_MICROPHONE, &[])
    }

    /// A site like [`TestSite::new`] whose room has the given `[[rooms.cameras]]` and
    /// `[[rooms.microphones]]` entries, and extra device profiles (file name, text) in the
    /// site's own `profiles/` folder.
    pub fn with_devices(
        segment_seconds: u32,
        devices: &str,
        profiles: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = dir.path().join("ttyRELAY");
        let light = LightWire::plug(&port)?;
        let port = port.display();
        let site_file = dir.path().join("site.toml");
        std::fs::create_dir_all(dir.path().join("profiles"))?;
        for (name, text) in profiles {
            std::fs::write(dir.path().join("profiles").join(name), text)?;
        }
        std::fs::write(
            &site_file,
            format!(
                r#"[site]
name = "测试中心"
records = "var/liuhen.db"
media = "var/media"
listen = "127.0.0.1:0"
profiles = "profiles"

[[agencies]]
id = "scjg"
name = "市市场监督管理局"

[[agencies]]
id = "zrzy"
name = "市自然资源局"

[[rooms]]
id = "{ROOM}"
name = "第一询问室"
kind = "interview"
agencies = ["scjg", "zrzy"]
segment_seconds = {segment_seconds}

{devices}

[rooms.indicator]
profile = "lcus-1"
port = "{port}"
"#
            ),
        )?;
        Ok(Self {
            dir,
            site_file,
            light,
        })
    }

    /// Adds a second room (no light) shared by the same agencies, with the given devices.
    pub fn add_room(&self, id: &str, name: &str, devices: &str) -> anyhow::Result<()> {
        let mut text = std::fs::read_to_string(&self.site_file)?;
        let segment_seconds = text
            .lines()
            .find_map(|l| l.strip_prefix("segment_seconds = "))
            .context("the site has a segment length")?
            .to_string();
        text.push_str(&format!(
            "\n[[rooms]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"hearing\"\n\
             agencies = [\"scjg\", \"zrzy\"]\nsegment_seconds = {segment_seconds}\n\n{devices}\n"
        ));
        std::fs::write(&self.site_file, text)?;
        Ok(())
    }

    /// Adds a service hall (a `[hall]` table with its services and windows) to the site file.
    pub fn add_hall(&self, hall: &str) -> anyhow::Result<()> {
        let mut text = std::fs::read_to_string(&self.site_file)?;
        text.push('\n');
        text.push_str(hall);
        std::fs::write(&self.site_file, text)?;
        Ok(())
    }

    /// Adds a clerk of agency scjg with the real CLI (with a photo when given) and returns a
    /// token that stands for them.
    pub fn add_staff(
        &self,
        id: &str,
        name: &str,
        credential: &str,
        photo: Option<&Path>,
    ) -> anyhow::Result<String> {
        self.add_staff_as(id, name, credential, "clerk", photo)
    }

    /// Adds a staff member of agency scjg in `role` (clerk, reviewer) with the real CLI and
    /// returns a token that stands for them.
    pub fn add_staff_as(
        &self,
        id: &str,
        name: &str,
        credential: &str,
        role: &str,
        photo: Option<&Path>,
    ) -> anyhow::Result<String> {
        let mut args = vec![
            "add",
            "--id",
            id,
            "--agency",
            "scjg",
            "--name",
            name,
            "--credential",
            credential,
            "--role",
            role,
        ];
        let photo = photo.map(|p| p.display().to_string());
        if let Some(photo) = &photo {
            args.extend(["--photo", photo.as_str()]);
        }
        let added = self.cli("staff", &args);
        if !added.status.success() {
            bail!("staff add: {}", String::from_utf8_lossy(&added.stderr));
        }
        let issued = self.cli(
            "token",
            &["issue", "--name", &format!("{id} token"), "--staff", id],
        );
        if !issued.status.success() {
            bail!("token issue: {}", String::from_utf8_lossy(&issued.stderr));
        }
        Ok(String::from_utf8(issued.stdout)?.trim().to_string())
    }

    /// Runs the site's collection station for body-worn cameras on the folder `docks` (each
    /// docked camera a folder in it, as the udev rule mounts them); returns that folder.
    pub fn add_collection_station(&self) -> anyhow::Result<PathBuf> {
        let root = self.dir.path().join("docks");
        std::fs::create_dir_all(&root)?;
        self.add_hall("[collect]\nmount_root = \"docks\"\n")?;
        Ok(root)
    }

    /// Adds lines to agency `id`'s entry in the site file (e.g. `publicity = "…"`).
    pub fn set_agency(&self, id: &str, lines: &str) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(&self.site_file)?;
        let entry = format!("id = \"{id}\"\n");
        anyhow::ensure!(text.contains(&entry), "the site has agency {id}");
        std::fs::write(
            &self.site_file,
            text.replacen(&entry, &format!("{entry}{lines}\n"), 1),
        )?;
        Ok(())
    }

    /// Makes the controller listen on a fixed loopback port, so that it can be restarted
    /// where screens expect it; returns the port.
    pub fn use_fixed_port(&self) -> anyhow::Result<u16> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let text = std::fs::read_to_string(&self.site_file)?;
        anyhow::ensure!(
            text.contains("listen = \"127.0.0.1:0\""),
            "the site listens on :0"
        );
        std::fs::write(
            &self.site_file,
            text.replacen(
                "listen = \"127.0.0.1:0\"",
                &format!("listen = \"127.0.0.1:{port}\""),
                1,
            ),
        )?;
        Ok(port)
    }

    /// Lets clerks pause sessions in the test room (`pause_allowed = true`).
    pub fn allow_pause(&self) -> anyhow::Result<()> {
        self.set_room_option("pause_allowed = true")
    }

    /// Turns the test room's preview off (`preview = false`): it keeps no pipeline running
    /// while idle, so a display hears of its sessions only.
    pub fn without_preview(&self) -> anyhow::Result<()> {
        self.set_room_option("preview = false")
    }

    fn set_room_option(&self, line: &str) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(&self.site_file)?;
        let room = format!("id = \"{ROOM}\"\n");
        anyhow::ensure!(text.contains(&room), "the site has the test room");
        std::fs::write(
            &self.site_file,
            text.replacen(&room, &format!("{room}{line}\n"), 1),
        )?;
        Ok(())
    }

    /// Adds settings to the site file's `[site]` table, e.g. `"min_free_minutes = 0"`.
    pub fn set_site_settings(&self, lines: &str) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(&self.site_file)?.replacen(
            "profiles = \"profiles\"",
            &format!("profiles = \"profiles\"\n{lines}"),
            1,
        );
        std::fs::write(&self.site_file, text)?;
        Ok(())
    }

    /// Drives the light with an LCUS-1 profile that re-sends every second (instead of 30 s), so
    /// that a pulled-out relay shows as a fault at once.
    pub fn use_fast_resending_light(&self) -> anyhow::Result<()> {
        self.use_light_profile(
            "lcus-1-fast",
            "name = \"LCUS-1, re-sent every second\"\n\n[indicator]\nbaud = 9600\n\
             on = [0xA0, 0x01, 0x01, 0xA2]\noff = [0xA0, 0x01, 0x00, 0xA1]\nresend_seconds = 1\n",
        )
    }

    /// Drives the light with a profile of the site's own: `text` is the profile without its id.
    pub fn use_light_profile(&self, id: &str, text: &str) -> anyhow::Result<()> {
        std::fs::write(
            self.dir.path().join(format!("profiles/{id}.toml")),
            format!("id = \"{id}\"\n{text}"),
        )?;
        let site = std::fs::read_to_string(&self.site_file)?;
        anyhow::ensure!(
            site.contains("profile = \"lcus-1\""),
            "the site has its LCUS-1 light"
        );
        std::fs::write(
            &self.site_file,
            site.replace("profile = \"lcus-1\"", &format!("profile = \"{id}\"")),
        )?;
        Ok(())
    }

    /// Plugs a new relay in where the old one was (same link, new pty).
    pub fn replug_light(&mut self) -> anyhow::Result<()> {
        self.light = LightWire::plug(&self.dir.path().join("ttyRELAY"))?;
        Ok(())
    }

    pub fn records_file(&self) -> PathBuf {
        self.dir.path().join("var/liuhen.db")
    }

    pub fn media_root(&self) -> PathBuf {
        self.dir.path().join("var/media")
    }

    /// Issues a token with the real CLI (`room-controller token issue`).
    pub fn issue_token(
        &self,
        name: &str,
        role: &str,
        agency: Option<&str>,
    ) -> anyhow::Result<String> {
        let mut command = Command::new(workspace_binary("room-controller"));
        command
            .args(["token", "--site"])
            .arg(&self.site_file)
            .args(["issue", "--name", name, "--role", role]);
        if let Some(agency) = agency {
            command.args(["--agency", agency]);
        }
        let out = command.output()?;
        if !out.status.success() {
            bail!(
                "token issue failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_string())
    }

    /// Runs a `room-controller` command that takes the site file: `cli("staff", &["list"])`
    /// runs `room-controller staff --site <site> list`.
    pub fn cli(&self, command: &str, args: &[&str]) -> std::process::Output {
        Command::new(workspace_binary("room-controller"))
            .arg(command)
            .arg("--site")
            .arg(&self.site_file)
            .args(args)
            .output()
            .expect("room-controller runs")
    }

    /// A caller with a new token of this role.
    pub fn client(&self, name: &str, role: &str, agency: Option<&str>) -> anyhow::Result<Caller> {
        authorised_client(&self.issue_token(name, role, agency)?)
    }

    /// Starts the real controller on this site and waits until its API answers.
    pub fn start_controller(&self) -> anyhow::Result<Controller> {
        self.start_controller_with_env(&[])
    }

    /// The same, with extra environment variables (e.g. a test-only fault switch).
    pub fn start_controller_with_env(&self, env: &[(&str, &str)]) -> anyhow::Result<Controller> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("controller.log"))?;
        let mut child = Command::new(workspace_binary("room-controller"))
            .arg("serve")
            .arg("--site")
            .arg(&self.site_file)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("starting room-controller")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => Ok(Controller {
                child,
                base,
                log: self.dir.path().join("controller.log"),
            }),
            Err(_) => {
                let _ = child.kill();
                let log = std::fs::read_to_string(self.dir.path().join("controller.log"))
                    .unwrap_or_default();
                bail!("the controller did not start listening; its log:\n{log}")
            }
        }
    }
}

/// A running controller process.
pub struct Controller {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Controller {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Open file descriptors and threads of the controller process, from /proc.
    pub fn fds_and_threads(&self) -> (usize, usize) {
        let count = |what: &str| {
            std::fs::read_dir(format!("/proc/{}/{what}", self.child.id()))
                .map(|d| d.count())
                .unwrap_or(0)
        };
        (count("fd"), count("task"))
    }

    /// CPU time the controller's own process has used so far (user + system), from /proc.
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(self.child.id())
    }

    /// The controller's resident memory in KiB, from /proc.
    pub fn resident_kib(&self) -> u64 {
        resident_kib_of(self.child.id())
    }

    /// CPU time the controller has used so far: all of it, and its records writer's.
    pub fn cpu_time_and_writers(&self) -> (Duration, Duration) {
        let pid = self.child.id();
        (cpu_time_of(pid), thread_cpu_time_of(pid, "liuhen-records"))
    }

    /// The controller's child processes (pid, command line; empty for a zombie), from /proc.
    /// Its only children are media workers.
    pub fn child_processes(&self) -> Vec<(i32, String)> {
        let parent = self.child.id().to_string();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        procs
            .flatten()
            .filter_map(|entry| {
                let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
                // "pid (comm) state ppid …": the comm may hold spaces, so split after ')'.
                let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
                if ppid != parent {
                    return None;
                }
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                Some((pid, cmdline))
            })
            .collect()
    }

    /// The pid of the media worker recording `room`, if one runs.
    pub fn media_worker_of(&self, room: &str) -> Option<i32> {
        let room_arg = format!("--room {room} ");
        self.child_processes()
            .into_iter()
            .find(|(_, cmdline)| cmdline.contains(&room_arg))
            .map(|(pid, _)| pid)
    }

    /// What each open file descriptor of the controller points at, for leak reports.
    pub fn open_files(&self) -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|d| {
                d.flatten()
                    .filter_map(|e| std::fs::read_link(e.path()).ok())
                    .map(|p| p.display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The typed client of the site API (the one the kiosk and the CLI use), as `caller`.
    pub fn api(&self, caller: &Caller) -> site_api::Client {
        site_api::Client::new(&self.base, &caller.token)
    }

    /// Follows the live events as `token`'s holder, with the typed client's event stream; each
    /// change is sent into the returned channel.
    pub async fn subscribe(
        &self,
        token: &str,
    ) -> tokio::sync::mpsc::UnboundedReceiver<site_api::LiveEvent> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut events = site_api::Client::new(&self.base, token).events();
        // The stream is open once it said so (its first word is always "fetch everything").
        match events.next().await {
            site_api::LiveUpdate::Resync => {}
            other => panic!("the event stream did not open: {other:?}"),
        }
        tokio::spawn(async move {
            loop {
                if let site_api::LiveUpdate::Changed(event) = events.next().await
                    && tx.send(event).is_err()
                {
                    return;
                }
            }
        });
        rx
    }

    /// Starts a session in the test room for `case_number` as the caller (a clerk).
    pub async fn start_session(&self, caller: &Caller, case_number: &str) -> SessionView {
        self.start_session_in(caller, ROOM, case_number).await
    }

    /// Starts a session in `room` for `case_number` as the caller (a clerk).
    pub async fn start_session_in(
        &self,
        caller: &Caller,
        room: &str,
        case_number: &str,
    ) -> SessionView {
        let request = site_api::StartSession {
            case_number: case_number.to_string(),
            agency_id: None,
            action_type: None,
            party: None,
        };
        self.api(caller)
            .start_session(room, &request)
            .await
            .unwrap_or_else(|err| panic!("starting a session: {err}"))
    }

    /// Stops, pauses or resumes a session: the answer's status, and the session (as JSON) or
    /// the controller's sentence.
    pub async fn act(&self, caller: &Caller, id: i64, action: &str) -> (u16, String) {
        let api = self.api(caller);
        let answer = match action {
            "stop" => api.stop_session(id).await,
            "pause" => api.pause_session(id).await,
            "resume" => api.resume_session(id).await,
            other => panic!("no session action {other}"),
        };
        match answer {
            Ok(view) => (200, serde_json::to_string(&view).unwrap_or_default()),
            Err(err) => (err.status().unwrap_or(0), err.message()),
        }
    }

    /// Stops a session and returns it as the controller has it then.
    pub async fn stop_session(&self, caller: &Caller, id: i64) -> SessionView {
        self.api(caller)
            .stop_session(id)
            .await
            .unwrap_or_else(|err| panic!("stopping session {id}: {err}"))
    }

    pub async fn session(&self, caller: &Caller, id: i64) -> SessionView {
        self.api(caller)
            .session(id, None)
            .await
            .unwrap_or_else(|err| panic!("reading session {id}: {err}"))
    }

    /// Adds a marker to a session; returns the answer's status.
    pub async fn mark(&self, caller: &Caller, id: i64, text: &str) -> u16 {
        let marker = site_api::AddMarker {
            text: text.to_string(),
        };
        match self.api(caller).add_marker(id, &marker).await {
            Ok(_) => 200,
            Err(err) => err.status().unwrap_or(0),
        }
    }

    /// The test room as the API shows it.
    pub async fn room(&self, caller: &Caller) -> site_api::RoomView {
        self.api(caller)
            .room(ROOM)
            .await
            .unwrap_or_else(|err| panic!("reading room {ROOM}: {err}"))
    }

    /// Polls the test room until `done` holds, up to 15 s; fails naming `what`.
    pub async fn wait_for_room(
        &self,
        caller: &Caller,
        what: &str,
        done: impl Fn(&site_api::RoomView) -> bool,
    ) -> site_api::RoomView {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let room = self.room(caller).await;
            if done(&room) {
                return room;
            }
            assert!(Instant::now() < deadline, "{what}: {room:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls a session until `done` holds, up to 15 s; fails naming `what`.
    pub async fn wait_for_session(
        &self,
        caller: &Caller,
        id: i64,
        what: &str,
        done: impl Fn(&SessionView) -> bool,
    ) -> SessionView {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let session = self.session(caller, id).await;
            if done(&session) {
                return session;
            }
            assert!(Instant::now() < deadline, "{what}: {session:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and waits for a clean exit.
    pub fn terminate(mut self) -> anyhow::Result<std::process::ExitStatus> {
        let pid = i32::try_from(self.child.id())?;
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        Ok(self.child.wait()?)
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- controller log ({}) ---\n{log}", self.log.display());
        }
    }
}

/// Someone calling the API in a test, with their token. Tests speak through the typed client
/// (`Controller::api` and the helpers built on it), as the kiosk and the CLI do; the plain HTTP
/// client it also derefs to, sending the same token, is for what no program of ours would send
/// (a malformed body, a forged path, a missing field) and for reading raw answers.
#[derive(Clone)]
pub struct Caller {
    token: String,
    raw: reqwest::Client,
}

impl Caller {
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::ops::Deref for Caller {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.raw
    }
}

/// A caller holding `token`.
pub fn authorised_client(token: &str) -> anyhow::Result<Caller> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    let raw = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    Ok(Caller {
        token: token.to_string(),
        raw,
    })
}

/// The SHA-256 of a file, read independently of the code under test.
pub fn sha256_of(path: &Path) -> anyhow::Result<String> {
    use sha2::Digest;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex::encode(sha2::Sha256::digest(&bytes)))
}

/// CPU time process `pid` has used so far (user + system), from /proc; zero once it is gone.
pub fn cpu_time_of(pid: u32) -> Duration {
    cpu_time_in(&format!("/proc/{pid}/stat"))
}

/// CPU time the threads named `name` of process `pid` have used so far, from /proc.
pub fn thread_cpu_time_of(pid: u32, name: &str) -> Duration {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.trim() == name)
        })
        .map(|task| cpu_time_in(&task.path().join("stat").to_string_lossy()))
        .sum()
}

/// User + system time from a /proc `stat` file.
fn cpu_time_in(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces) closes with ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    // SAFETY: sysconf has no memory effects.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(100);
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / per_second.max(1))
}

/// Resident memory of process `pid` in KiB (`VmRSS`), from /proc; zero once it is gone.
pub fn resident_kib_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Reads a PNG into (width, height, RGB bytes).
pub fn read_png(path: &Path) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path)?));
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().context("png too large")?];
    let info = reader.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    Ok((info.width, info.height, buf))
}

/// Draws a kiosk screen once into `png` with the real kiosk binary, e.g.
/// `draw_screen(api, token, &["door", "--room", ROOM], png, state)`.
pub fn draw_screen(api: &str, token: &str, screen: &[&str], png: &Path, state_file: &Path) {
    // The token goes in a file, as on a real screen (on the command line it shows in `ps`).
    let token_file = state_file.with_extension("token");
    std::fs::write(&token_file, token).expect("the token file");
    let out = Command::new(workspace_binary("kiosk-app"))
        .args(["--api", api, "--once", "--png"])
        .arg(png)
        .arg("--token-file")
        .arg(&token_file)
        .arg("--state-file")
        .arg(state_file)
        .args(screen)
        .output()
        .expect("kiosk-app runs");
    assert!(
        out.status.success(),
        "kiosk-app failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Share of an RGB image's pixels within a small distance of `rgb`.
pub fn share_of(pixels: &[u8], rgb: [u8; 3]) -> f64 {
    let near = pixels
        .chunks_exact(3)
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 8))
        .count();
    near as f64 / (pixels.len() / 3).max(1) as f64
}

/// How many different colours an RGB image has: text drawn with anti-aliasing gives many.
pub fn distinct_colours(pixels: &[u8]) -> usize {
    let mut seen: Vec<[u8; 3]> = pixels.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Copies a drawn screen to `$LIUHEN_SCREENSHOTS/<name>` when that is set (docs/screens).
pub fn keep_screenshot(png: &Path, name: &str) {
    if let Ok(dir) = std::env::var("LIUHEN_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::copy(png, Path::new(&dir).join(name)).expect("screenshot copied");
    }
}

/// Colours of the screens' theme (kiosk-app/ui/theme.slint).
pub const RECORDING_RED: [u8; 3] = [0xc6, 0x28, 0x28];
pub const FREE_GREEN: [u8; 3] = [0x2e, 0x7d, 0x32];
pub const WARNING_AMBER: [u8; 3] = [0xf9, 0xa8, 0x25];
pub const ALARM_BACKGROUND: [u8; 3] = [0x7f, 0x1d, 0x1d];
pub const PAUSED_BLUE: [u8; 3] = [0x15, 0x65, 0xc0];

/// Asserts that `track`'s segments follow each other without a gap: each starts where the last
/// ended (within 0.1 s).
pub fn assert_no_gap(segments: &[site_api::SegmentView], track: &str) {
    let mut segments: Vec<_> = segments.iter().filter(|s| s.track == track).collect();
    segments.sort_by_key(|s| s.seq);
    assert!(!segments.is_empty(), "track {track} has segments");
    for pair in segments.windows(2) {
        let end = pair[0].start_ns + pair[0].duration_ns;
        let jump = (pair[1].start_ns - end).abs();
        assert!(
            jump < 100_000_000,
            "a {jump} ns gap between segments {} and {}",
            pair[0].file,
            pair[1].file
        );
    }
}

/// An IP camera on loopback: the workspace's `rtsp-test-server`, serving H.264 over RTSP.
pub struct RtspCamera {
    child: std::process::Child,
    pub url: String,
    pub port: u16,
}

impl RtspCamera {
    /// Starts a camera serving `size` ("1280x720") on `port` (0: any free port).
    pub fn start(port: u16, size: &str) -> anyhow::Result<Self> {
        Self::start_with(port, size, &[])
    }

    /// A camera started with more of the server's options, e.g. `["--codec", "h265"]` or
    /// `["--audio", "g711"]`.
    pub fn start_with(port: u16, size: &str, options: &[&str]) -> anyhow::Result<Self> {
        use std::io::BufRead;
        let mut child = Command::new(workspace_example("pipelines", "rtsp-test-server"))
            .args(["--port", &port.to_string(), "--size", size])
            .args(options)
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().context("the server's output")?;
        let mut url = String::new();
        std::io::BufReader::new(stdout).read_line(&mut url)?;
        let url = url.trim().to_string();
        let port = url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .with_context(|| format!("the server printed {url:?}, not its address"))?;
        Ok(Self { child, url, port })
    }

    /// Makes the camera hang: its connections stay open and it sends nothing, as a camera
    /// whose firmware locks up does.
    pub fn freeze(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// Lets a frozen camera go on.
    pub fn thaw(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: i32) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child's pid, with a plain signal number.
            unsafe {
                libc::kill(pid, signal);
            }
        }
    }

    /// Cuts the camera off at once, as a pulled network cable or a power cut would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RtspCamera {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `room-controller verify` on a session folder: (passed, what it printed).
pub fn verify_folder(dir: &Path) -> (bool, String) {
    let out = Command::new(workspace_binary("room-controller"))
        .arg("verify")
        .arg(dir)
        .output()
        .expect("verify runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

/// Asserts that a session folder verifies on its own (`room-controller verify`).
pub fn assert_verifies(dir: &Path, what: &str) {
    let (ok, report) = verify_folder(dir);
    assert!(ok, "{what}: {report}");
}
