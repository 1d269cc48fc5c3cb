//! The site file: one TOML file that names a site's agencies and rooms, and each room's devices
//! by profile. See `sites/demo/site.toml` for a complete, commented example.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::Spanned;

use crate::ConfigError;
use crate::agency::{AgencyEntry, AgencySpec};
use crate::checker::Checker;
use crate::hall::{HallEntry, HallSpec};
use crate::profile::{
    CameraProfile, CameraSource, IndicatorProfile, MicrophoneProfile, MicrophoneSource,
    ProfileKind, Profiles,
};
use site_api::RoomKind;
use site_api::WorkCalendar;

/// A checked site: every name resolved, every profile found and of the right kind.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site file this was read from.
    pub file: PathBuf,
    pub name: String,
    /// The SQLite records file.
    pub records: PathBuf,
    /// The folder under which every session's media is written.
    pub media: PathBuf,
    /// A second folder (another disk, or a mounted share) that receives a copy of every
    /// finished segment and of each session's manifest, laid out as under `media`.
    pub backup: Option<PathBuf>,
    /// Where the site API listens.
    pub listen: SocketAddr,
    /// Where the public website (行政执法公示, no token) listens, when it is served.
    pub public_listen: Option<SocketAddr>,
    /// When set, the API is served over HTTPS with this certificate and key.
    pub tls: Option<TlsFiles>,
    /// A session starts only if the media disk holds at least this many minutes of it.
    pub min_free_minutes: u32,
    /// Exports that may stream at once; the next caller is answered 503 with Retry-After.
    pub max_exports: usize,
    /// While recording, an alarm is raised once the disk holds less than this many minutes.
    pub warn_free_minutes: u32,
    /// While recording, the session is stopped cleanly when less than this many MB are free,
    /// so that the disk never fills up mid-segment.
    pub stop_free_mb: u64,
    pub agencies: Vec<AgencySpec>,
    pub rooms: Vec<RoomSpec>,
    /// The service hall: services, windows and what its screens tell the public.
    pub hall: HallSpec,
    /// The exchange with the province's platform, when the site delivers to one.
    pub exchange: Option<ExchangeSpec>,
    /// The shared collection station for body-worn cameras, when the site runs one.
    pub collect: Option<CollectSpec>,
    /// Every device profile the site may name (built in, and the site's own folder): body-worn
    /// cameras are registered by their model's profile id.
    pub profiles: Profiles,
    /// The official working-day calendar that deadlines are counted on: the built-in one, or
    /// the file `holidays` names (to add a year's State Council notice without an upgrade).
    pub calendar: WorkCalendar,
}

/// The PEM files of the API's HTTPS certificate (with its chain) and private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomSpec {
    pub id: String,
    pub name: String,
    pub kind: RoomKind,
    /// Agencies that share this room.
    pub agencies: Vec<String>,
    /// Longest time one media file covers before the next one starts.
    pub segment_seconds: u32,
    /// Whether a clerk may pause a session here. Off unless the site file says so: a hearing
    /// (听证) is recorded without a break, and so is an interview by default.
    pub pause_allowed: bool,
    /// Whether the room keeps its pipeline running while idle (its preview): a start then
    /// only opens it, and the clerk sees levels and device faults before starting. On unless
    /// the site file says `preview = false` (a composite view costs a share of a core idle).
    pub preview: bool,
    pub cameras: Vec<CameraSpec>,
    pub microphones: Vec<MicrophoneSpec>,
    pub indicator: Option<IndicatorSpec>,
    /// The "synchronised" composite view (同步合成画面), when the room records one.
    pub composite: Option<CompositeSpec>,
}

/// A composite track: the first camera full-frame with the others as small pictures in its
/// lower right corner, the date and time to the second, the room, agency and case number
/// written over it, and every microphone mixed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeSpec {
    /// Local cameras of the room, the main picture first.
    pub cameras: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub framerate: u32,
    pub bitrate_kbps: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CameraSpec {
    pub id: String,
    pub profile_id: String,
    pub profile: CameraProfile,
    /// Device path for V4L2 cameras.
    pub device: Option<String>,
    /// An IP camera's own microphone is recorded with its pictures (`audio = true`).
    pub audio: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MicrophoneSpec {
    pub id: String,
    pub profile_id: String,
    pub profile: MicrophoneProfile,
    /// Device name for ALSA microphones.
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndicatorPort {
    /// A serial device such as `/dev/ttyUSB0`.
    Device(PathBuf),
    /// A pseudo-terminal that the controller opens itself and whose light it shows in its log:
    /// for demos and for rooms that have no light yet.
    Virtual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndicatorSpec {
    pub profile_id: String,
    pub profile: IndicatorProfile,
    pub port: IndicatorPort,
}

const DEFAULT_LISTEN: &str = "127.0.0.1:7878";
const DEFAULT_SEGMENT_SECONDS: u32 = 60;
/// Two hours: longer than most hearings.
const DEFAULT_MIN_FREE_MINUTES: u32 = 120;
const DEFAULT_WARN_FREE_MINUTES: u32 = 30;
/// Exports that stream at once: enough for a legal team, few enough to leave the disk to recording.
const DEFAULT_MAX_EXPORTS: usize = 4;
const DEFAULT_STOP_FREE_MB: u64 = 256;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    site: SiteSection,
    #[serde(default)]
    agencies: Vec<AgencyEntry>,
    #[serde(default)]
    rooms: Vec<RoomEntry>,
    hall: Option<HallEntry>,
    exchange: Option<ExchangeEntry>,
    collect: Option<CollectEntry>,
}

/// `[collect]`: the collection station for body-worn cameras (执法记录仪采集站).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectEntry {
    mount_root: PathBuf,
    make_writable: Option<Vec<String>>,
}

/// The site's shared collection station: where docked cameras are mounted, one folder each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectSpec {
    /// Each docked camera appears as a folder here (see deploy/99-liuhen-bodycam.rules).
    pub mount_root: PathBuf,
    /// The command (and its arguments; `{mount}` is the camera's folder) that makes a camera
    /// writable so that it can be cleared after every file is verified; cameras are mounted
    /// read-only until then. None where the mount is writable already.
    pub make_writable: Option<Vec<String>>,
}

/// `[exchange]`: where the province's platform takes the site's documents.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeEntry {
    url: Spanned<String>,
    /// A file holding the bearer token the platform issued (kept out of the site file).
    token_file: Option<PathBuf>,
    /// The CA certificate (PEM) that signs the platform's HTTPS certificate.
    ca: Option<PathBuf>,
    timeout_seconds: Option<u64>,
}

/// The exchange with the province's supervision platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSpec {
    /// The endpoint each document is POSTed to (https, or http on a loopback address).
    pub url: String,
    pub token_file: Option<PathBuf>,
    pub ca: Option<PathBuf>,
    /// How long one delivery may take before it is tried again.
    pub timeout: std::time::Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteSection {
    name: String,
    records: PathBuf,
    media: PathBuf,
    backup: Option<PathBuf>,
    listen: Option<Spanned<String>>,
    /// The public website's address, apart from the API's.
    public_listen: Option<Spanned<String>>,
    /// `tls = { cert = "…", key = "…" }`: serve the API over HTTPS.
    tls: Option<Spanned<TlsEntry>>,
    /// An extra folder of device profiles, beside the built-in ones.
    profiles: Option<PathBuf>,
    min_free_minutes: Option<u32>,
    warn_free_minutes: Option<u32>,
    max_exports: Option<usize>,
    stop_free_mb: Option<u64>,
    /// A working-day calendar file replacing the built-in one (same format).
    holidays: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsEntry {
    cert: PathBuf,
    key: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomEntry {
    id: Spanned<String>,
    name: String,
    kind: RoomKind,
    agencies: Spanned<Vec<Spanned<String>>>,
    segment_seconds: Option<Spanned<u32>>,
    #[serde(default)]
    pause_allowed: bool,
    #[serde(default = "previews_by_default")]
    preview: bool,
    #[serde(default)]
    cameras: Vec<DeviceEntry>,
    #[serde(default)]
    microphones: Vec<DeviceEntry>,
    indicator: Option<IndicatorEntry>,
    composite: Option<CompositeEntry>,
}

fn previews_by_default() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompositeEntry {
    cameras: Spanned<Vec<String>>,
    #[serde(default = "default_composite_width")]
    width: u32,
    #[serde(default = "default_composite_height")]
    height: u32,
    #[serde(default = "default_composite_framerate")]
    framerate: u32,
    #[serde(default = "default_composite_kbps")]
    bitrate_kbps: u32,
}

fn default_composite_width() -> u32 {
    1280
}
fn default_composite_height() -> u32 {
    720
}
fn default_composite_framerate() -> u32 {
    25
}
fn default_composite_kbps() -> u32 {
    2000
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceEntry {
    id: Spanned<String>,
    profile: Spanned<String>,
    device: Option<String>,
    /// Cameras only: record an IP camera's own sound.
    audio: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorEntry {
    profile: Spanned<String>,
    /// A serial device path, or "virtual".
    port: String,
}

impl Site {
    /// Agency `id` as the site file declares it.
    pub fn agency(&self, id: &str) -> Option<&AgencySpec> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// Reads and checks a site file. Nothing is opened or started here: a site either loads
    /// completely or not at all.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|err| {
            ConfigError::new(file, None, format!("cannot read the site file: {err}"))
        })?;
        // Relative paths in the file are read from its folder, made absolute for clear logs.
        let parent = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
        let base = base.as_path();
        let raw: SiteFile =
            toml::from_str(&text).map_err(|err| ConfigError::from_toml(file, &text, &err))?;
        let mut profiles = Profiles::built_in()?;
        if let Some(dir) = &raw.site.profiles {
            profiles.add_dir(&base.join(dir))?;
        }
        let mut site = Checker {
            file,
            text: &text,
            profiles: &profiles,
        }
        .check(raw, base)?;
        site.profiles = profiles;
        Ok(site)
    }
}

/// Removes `.` and `..` parts without touching the disk (the folders may not exist yet).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Checker<'_> {
    fn check(&self, raw: SiteFile, base: &Path) -> Result<Site, ConfigError> {
        let listen = match &raw.site.listen {
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|_| ConfigError::new(self.file, None, "bad default address"))?,
            Some(listen) => match listen.get_ref().parse() {
                Ok(addr) => addr,
                Err(_) => {
                    return self.err(listen.span(), format!(
                        "listen = \"{}\" is not an address and port; write it like \"127.0.0.1:7878\"",
                        listen.get_ref()
                    ));
                }
            },
        };
        let public_listen = match &raw.site.public_listen {
            None => None,
            Some(text) => match text.get_ref().parse::<SocketAddr>() {
                Ok(addr) if addr == listen => {
                    return self.err(text.span(), format!(
                        "public_listen = \"{addr}\" is the API's own address; give the public website a port of its own, e.g. \"0.0.0.0:8080\""
                    ));
                }
                Ok(addr) => Some(addr),
                Err(_) => {
                    return self.err(text.span(), format!(
                        "public_listen = \"{}\" is not an address and port; write it like \"0.0.0.0:8080\"",
                        text.get_ref()
                    ));
                }
            },
        };
        let tls = match &raw.site.tls {
            None => None,
            Some(entry) => Some(self.check_tls(entry, base)?),
        };
        let exchange = match &raw.exchange {
            None => None,
            Some(entry) => {
                let url = entry.url.get_ref().trim();
                let loopback = ["http://127.", "http://localhost", "http://[::1]"]
                    .iter()
                    .any(|p| url.starts_with(p));
                if !url.starts_with("https://") && !loopback {
                    return self.err(entry.url.span(), format!(
                        "exchange url = \"{url}\" must be https:// (plain http only to this machine, for testing)"
                    ));
                }
                if url.starts_with("https://") && entry.ca.is_none() {
                    return self.err(entry.url.span(), format!(
                        "exchange url = \"{url}\" is HTTPS: name the CA that signs the platform's certificate with ca = \"…pem\""
                    ));
                }
                Some(ExchangeSpec {
                    url: url.to_string(),
                    token_file: entry.token_file.as_ref().map(|f| normalise(&base.join(f))),
                    ca: entry.ca.as_ref().map(|f| normalise(&base.join(f))),
                    timeout: std::time::Duration::from_secs(
                        entry.timeout_seconds.unwrap_or(30).clamp(1, 600),
                    ),
                })
            }
        };
        let collect = match raw.collect {
            None => None,
            Some(entry) if entry.make_writable.as_ref().is_some_and(Vec::is_empty) => {
                return Err(ConfigError::new(
                    self.file,
                    None,
                    "[collect] make_writable = [] names no command; name one (e.g. [\"sudo\", \"-n\", \"/usr/lib/liuhen/bodycam-writable\", \"{mount}\"]) or leave it out",
                ));
            }
            Some(entry) => Some(CollectSpec {
                mount_root: normalise(&base.join(entry.mount_root)),
                make_writable: entry.make_writable,
            }),
        };
        let media = normalise(&base.join(&raw.site.media));
        let backup = raw.site.backup.as_ref().map(|b| normalise(&base.join(b)));
        if let Some(backup) = &backup
            && (backup.starts_with(&media) || media.starts_with(backup))
        {
            return Err(ConfigError::new(
                self.file,
                None,
                format!(
                    "backup = \"{}\" overlaps media = \"{}\"; a backup copy is only worth having on another disk: point backup at a folder outside the media folder",
                    backup.display(),
                    media.display()
                ),
            ));
        }
        if raw.agencies.is_empty() {
            return Err(ConfigError::new(
                self.file,
                None,
                "the site names no agency; add an [[agencies]] entry with id and name",
            ));
        }
        let mut agency_ids = BTreeSet::new();
        let mut agencies = Vec::new();
        for agency in raw.agencies {
            if !agency_ids.insert(agency.id.get_ref().clone()) {
                return self.err(
                    agency.id.span(),
                    format!("agency id \"{}\" is used twice", agency.id.get_ref()),
                );
            }
            agencies.push(self.check_agency(agency, base)?);
        }
        let mut room_ids = BTreeSet::new();
        let mut rooms = Vec::new();
        for room in raw.rooms {
            self.check_id(&room.id, "room")?;
            if !room_ids.insert(room.id.get_ref().clone()) {
                return self.err(
                    room.id.span(),
                    format!("room id \"{}\" is used twice", room.id.get_ref()),
                );
            }
            rooms.push(self.check_room(room, &agency_ids)?);
        }
        let hall = match raw.hall {
            Some(hall) => self.check_hall(hall, &agency_ids)?,
            None => HallSpec::default(),
        };
        let calendar = match &raw.site.holidays {
            None => WorkCalendar::built_in(),
            Some(path) => {
                let file = base.join(path);
                let text = std::fs::read_to_string(&file).map_err(|err| {
                    ConfigError::new(self.file, None, format!(
                        "cannot read the calendar file {} (holidays = …): {err}; fix the path or leave `holidays` out to use the built-in calendar",
                        file.display()
                    ))
                })?;
                WorkCalendar::parse(&file.display().to_string(), &text)
            }
        }
        .map_err(|err| ConfigError::new(self.file, None, err.to_string()))?;
        Ok(Site {
            file: self.file.to_path_buf(),
            name: raw.site.name,
            records: normalise(&base.join(raw.site.records)),
            media,
            backup,
            listen,
            public_listen,
            exchange,
            collect,
            profiles: Profiles::default(),
            tls,
            min_free_minutes: raw
                .site
                .min_free_minutes
                .unwrap_or(DEFAULT_MIN_FREE_MINUTES),
            warn_free_minutes: raw
                .site
                .warn_free_minutes
                .unwrap_or(DEFAULT_WARN_FREE_MINUTES),
            max_exports: raw.site.max_exports.unwrap_or(DEFAULT_MAX_EXPORTS).max(1),
            stop_free_mb: raw.site.stop_free_mb.unwrap_or(DEFAULT_STOP_FREE_MB),
            agencies,
            rooms,
            hall,
            calendar,
        })
    }

    /// Both files must be there when the site is checked, not only when it is served.
    fn check_tls(&self, entry: &Spanned<TlsEntry>, base: &Path) -> Result<TlsFiles, ConfigError> {
        let files = TlsFiles {
            cert: normalise(&base.join(&entry.get_ref().cert)),
            key: normalise(&base.join(&entry.get_ref().key)),
        };
        for (what, path) in [("cert", &files.cert), ("key", &files.key)] {
            if !path.is_file() {
                return self.err(entry.span(), format!(
                    "tls.{what} = \"{}\" is not a file; give the PEM file of the API's {} (the README's \"HTTPS\" section shows how to make one), or leave `tls` out to serve plain HTTP on a trusted network",
                    path.display(),
                    if what == "cert" { "certificate" } else { "private key" },
                ));
            }
        }
        Ok(files)
    }

    /// Ids become folder names and URL parts: keep them plain.
    pub(crate) fn check_id(&self, id: &Spanned<String>, what: &str) -> Result<(), ConfigError> {
        let text = id.get_ref();
        let plain = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if plain {
            Ok(())
        } else {
            self.err(id.span(), format!(
                "{what} id \"{text}\" may only use a-z, 0-9, '-' and '_' (it names folders and URLs); put other text in `name`"
            ))
        }
    }

    fn check_room(
        &self,
        room: RoomEntry,
        agency_ids: &BTreeSet<String>,
    ) -> Result<RoomSpec, ConfigError> {
        let room_id = room.id.get_ref().clone();
        if room.agencies.get_ref().is_empty() {
            return self.err(
                room.agencies.span(),
                format!("room \"{room_id}\" names no agency that may use it"),
            );
        }
        for agency in room.agencies.get_ref() {
            if !agency_ids.contains(agency.get_ref()) {
                return self.err(
                    agency.span(),
                    format!(
                        "room \"{room_id}\" names agency \"{}\", which is not in [[agencies]]",
                        agency.get_ref()
                    ),
                );
            }
        }
        let segment_seconds = match room.segment_seconds {
            None => DEFAULT_SEGMENT_SECONDS,
            Some(s) if (1..=3600).contains(s.get_ref()) => *s.get_ref(),
            Some(s) => return self.err(s.span(), "segment_seconds must be between 1 and 3600"),
        };
        if room.cameras.is_empty() && room.microphones.is_empty() {
            return self.err(room.id.span(), format!("room \"{room_id}\" has no camera and no microphone: add [[rooms.cameras]] or [[rooms.microphones]]"));
        }
        let mut device_ids = BTreeSet::new();
        let mut cameras = Vec::new();
        for entry in room.cameras {
            self.check_device_id(&entry.id, &mut device_ids)?;
            let ProfileKind::Camera(profile) = self.profile(&entry.profile, "camera")? else {
                unreachable!("profile() checked the kind")
            };
            if profile.source == CameraSource::V4l2 && entry.device.is_none() {
                return self.err(entry.id.span(), format!(
                    "camera \"{}\" uses a V4L2 profile and needs `device = \"/dev/v4l/by-id/...\"`",
                    entry.id.get_ref()
                ));
            }
            let is_rtsp_url = |d: &str| d.starts_with("rtsp://") || d.starts_with("rtsps://");
            if profile.source == CameraSource::Rtsp
                && !entry.device.as_deref().is_some_and(is_rtsp_url)
            {
                return self.err(entry.id.span(), format!(
                    "camera \"{}\" is an RTSP camera and needs `device = \"rtsp://ADDRESS:554/PATH\"` (the stream address from the camera's settings)",
                    entry.id.get_ref()
                ));
            }
            let audio = entry.audio.as_ref().is_some_and(|a| *a.get_ref());
            if audio && profile.source != CameraSource::Rtsp {
                let span = entry.audio.as_ref().map_or(entry.id.span(), Spanned::span);
                return self.err(span, format!(
                    "camera \"{}\": audio = true is for IP (RTSP) cameras that send sound; record a USB camera's microphone as a [[rooms.microphones]] entry (ALSA)",
                    entry.id.get_ref()
                ));
            }
            cameras.push(CameraSpec {
                id: entry.id.into_inner(),
                profile_id: entry.profile.into_inner(),
                profile,
                device: entry.device,
                audio,
            });
        }
        let mut microphones = Vec::new();
        for entry in room.microphones {
            self.check_device_id(&entry.id, &mut device_ids)?;
            let ProfileKind::Microphone(profile) = self.profile(&entry.profile, "microphone")?
            else {
                unreachable!("profile() checked the kind")
            };
            if let Some(audio) = &entry.audio {
                return self.err(
                    audio.span(),
                    "audio = ... belongs to an IP camera's entry; a microphone always records sound",
                );
            }
            if profile.source == MicrophoneSource::Alsa && entry.device.is_none() {
                return self.err(entry.id.span(), format!(
                    "microphone \"{}\" uses an ALSA profile and needs `device = \"hw:CARD=...,DEV=0\"`",
                    entry.id.get_ref()
                ));
            }
            microphones.push(MicrophoneSpec {
                id: entry.id.into_inner(),
                profile_id: entry.profile.into_inner(),
                profile,
                device: entry.device,
            });
        }
        let indicator = match room.indicator {
            None => None,
            Some(entry) => {
                let ProfileKind::Indicator(profile) = self.profile(&entry.profile, "indicator")?
                else {
                    unreachable!("profile() checked the kind")
                };
                let port = if entry.port == "virtual" {
                    IndicatorPort::Virtual
                } else {
                    IndicatorPort::Device(PathBuf::from(entry.port))
                };
                Some(IndicatorSpec {
                    profile_id: entry.profile.into_inner(),
                    profile: profile.clone(),
                    port,
                })
            }
        };
        let composite = match room.composite {
            None => None,
            Some(entry) => Some(self.check_composite(&room_id, entry, &cameras)?),
        };
        Ok(RoomSpec {
            id: room_id,
            name: room.name,
            kind: room.kind,
            agencies: room
                .agencies
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            segment_seconds,
            pause_allowed: room.pause_allowed,
            preview: room.preview,
            cameras,
            microphones,
            indicator,
            composite,
        })
    }

    fn check_composite(
        &self,
        room_id: &str,
        entry: CompositeEntry,
        cameras: &[CameraSpec],
    ) -> Result<CompositeSpec, ConfigError> {
        let span = entry.cameras.span();
        let names = entry.cameras.into_inner();
        if names.is_empty() || names.len() > 4 {
            return self.err(
                span,
                format!("room \"{room_id}\": a composite view shows 1 to 4 cameras"),
            );
        }
        for name in &names {
            match cameras.iter().find(|c| &c.id == name) {
                None => {
                    return self.err(span, format!("room \"{room_id}\": the composite names camera \"{name}\", which is not in this room's [[rooms.cameras]]"));
                }
                Some(c) if c.profile.source == CameraSource::Rtsp => {
                    return self.err(span, format!("room \"{room_id}\": camera \"{name}\" is an RTSP camera, recorded as it sends; the composite view takes local cameras only"));
                }
                Some(_) => {}
            }
        }
        if !(160..=3840).contains(&entry.width)
            || !(120..=2160).contains(&entry.height)
            || !(1..=60).contains(&entry.framerate)
        {
            return self.err(span, format!("room \"{room_id}\": the composite's width, height or framerate is out of range (160-3840, 120-2160, 1-60)"));
        }
        Ok(CompositeSpec {
            cameras: names,
            width: entry.width,
            height: entry.height,
            framerate: entry.framerate,
            bitrate_kbps: entry.bitrate_kbps,
        })
    }

    fn check_device_id(
        &self,
        id: &Spanned<String>,
        seen: &mut BTreeSet<String>,
    ) -> Result<(), ConfigError> {
        self.check_id(id, "device")?;
        if !seen.insert(id.get_ref().clone()) {
            return self.err(
                id.span(),
                format!("device id \"{}\" is used twice in this room", id.get_ref()),
            );
        }
        Ok(())
    }

    /// Finds a profile by id and checks it is the kind of device the entry is.
    fn profile(&self, id: &Spanned<String>, noun: &str) -> Result<ProfileKind, ConfigError> {
        match self.profiles.get(id.get_ref()) {
            Some(profile) if profile.kind.noun() == noun => Ok(profile.kind.clone()),
            Some(profile) => self.err(
                id.span(),
                format!(
                    "profile \"{}\" is for a device of kind {}; this entry needs a {noun} profile",
                    id.get_ref(),
                    profile.kind.noun()
                ),
            ),
            None => self.err(
                id.span(),
                format!(
                    "no {noun} profile \"{}\"; known {noun} profiles: {}",
                    id.get_ref(),
                    self.profiles.ids_of(noun).join(", ")
                ),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn load(text: &str) -> Result<Site, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("site.toml");
        std::fs::write(&file, text).expect("write site");
        Site::load(&file)
    }

    pub(crate) const GOOD: &str = r#"
[site]
name = "测试中心"
records = "var/site.db"
media = "var/media"

[[agencies]]
id = "a"
name = "甲局"

[[rooms]]
id = "r1"
name = "第一询问室"
kind = "interview"
agencies = ["a"]
segment_seconds = 5

[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone"

[rooms.indicator]
profile = "lcus-1"
port = "virtual"
"#;

    #[test]
    fn a_good_site_resolves_every_device() {
        let site = load(GOOD).expect("good site loads");
        assert_eq!(site.listen.to_string(), DEFAULT_LISTEN);
        let room = &site.rooms[0];
        assert_eq!(room.segment_seconds, 5);
        assert_eq!(room.cameras[0].profile.source, CameraSource::TestPattern);
        assert_eq!(
            room.indicator.as_ref().map(|i| &i.port),
            Some(&IndicatorPort::Virtual)
        );
        assert!(site.records.ends_with("var/site.db"));
    }

    #[test]
    fn a_room_travels_whole_to_its_media_worker() {
        let site = load(GOOD).expect("good site loads");
        let sent = serde_json::to_string(&site.rooms[0]).expect("serialises");
        assert!(!sent.contains('\n'), "one line");
        let got: RoomSpec = serde_json::from_str(&sent).expect("reads back");
        assert_eq!(serde_json::to_string(&got).expect("again"), sent);
        assert_eq!(got.cameras[0].profile.source, CameraSource::TestPattern);
    }

    #[test]
    fn https_needs_both_files_and_names_the_missing_one() {
        let with_tls = GOOD.replace(
            "media = \"var/media\"",
            "media = \"var/media\"\ntls = { cert = \"tls/api.pem\", key = \"tls/api.key\" }",
        );
        let shown = error_of(&with_tls);
        assert!(shown.contains("tls.cert"), "{shown}");
        assert!(shown.contains("tls/api.pem"), "{shown}");

        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("tls")).expect("mkdir");
        std::fs::write(dir.path().join("tls/api.pem"), "cert").expect("write");
        std::fs::write(dir.path().join("tls/api.key"), "key").expect("write");
        let file = dir.path().join("site.toml");
        std::fs::write(&file, &with_tls).expect("write site");
        let site = Site::load(&file).expect("loads with both files");
        let tls = site.tls.expect("tls kept");
        assert_eq!(tls.cert, dir.path().join("tls/api.pem"));
        assert!(
            load(GOOD).expect("loads").tls.is_none(),
            "plain HTTP unless asked"
        );
    }

    #[test]
    fn a_room_may_pause_only_when_the_site_file_says_so() {
        let site = load(GOOD).expect("good site loads");
        assert!(!site.rooms[0].pause_allowed, "no pause unless asked for");
        let site = load(&GOOD.replace(
            "segment_seconds = 5",
            "segment_seconds = 5\npause_allowed = true",
        ))
        .expect("loads");
        assert!(site.rooms[0].pause_allowed);
    }

    #[test]
    fn a_room_previews_unless_the_site_file_turns_it_off() {
        let site = load(GOOD).expect("good site loads");
        assert!(site.rooms[0].preview, "a room previews unless told not to");
        let site = load(&GOOD.replace(
            "segment_seconds = 5",
            "segment_seconds = 5\npreview = false",
        ))
        .expect("loads");
        assert!(!site.rooms[0].preview);
    }

    #[test]
    fn only_an_ip_camera_may_record_its_own_sound() {
        let usb_with_audio = GOOD.replace(
            "profile = \"test-pattern\"",
            "profile = \"test-pattern\"\naudio = true",
        );
        let shown = error_of(&usb_with_audio);
        assert!(
            shown.contains("audio = true is for IP (RTSP) cameras"),
            "{shown}"
        );
        let mic_with_audio = GOOD.replace(
            "profile = \"test-tone\"",
            "profile = \"test-tone\"\naudio = true",
        );
        assert!(error_of(&mic_with_audio).contains("belongs to an IP camera"));
        let ip = GOOD.replace(
            "profile = \"test-pattern\"",
            "profile = \"rtsp-h264\"\ndevice = \"rtsp://10.0.0.9/main\"\naudio = true",
        );
        assert!(load(&ip).expect("loads").rooms[0].cameras[0].audio);
    }

    #[test]
    fn a_backup_folder_must_be_outside_the_media_folder() {
        let site = load(GOOD).expect("loads");
        assert_eq!(site.backup, None, "no backup unless asked for");
        let with = |backup: &str| {
            GOOD.replace(
                "media = \"var/media\"",
                &format!("media = \"var/media\"\nbackup = \"{backup}\""),
            )
        };
        let site = load(&with("/mnt/backup/liuhen")).expect("loads");
        assert_eq!(site.backup, Some(PathBuf::from("/mnt/backup/liuhen")));
        let shown = error_of(&with("var/media/copy"));
        assert!(
            shown.contains("overlaps media") && shown.contains("another disk"),
            "{shown}"
        );
    }

    fn error_of(text: &str) -> String {
        load(text).expect_err("site must be refused").to_string()
    }

    #[test]
    fn an_agencys_recording_list_takes_known_entries_only() {
        let listed = GOOD.replace(
            "id = \"a\"\n",
            "id = \"a\"\nmust_record = [\"coercion\", \"hearing\"]\nreview_materials = [\"调查终结报告\"]\n",
        );
        let site = load(&listed).expect("loads");
        assert_eq!(
            site.agencies[0].must_record,
            [
                site_api::MustRecord::Coercion,
                site_api::MustRecord::Hearing
            ]
        );
        assert_eq!(site.agencies[0].review_materials, ["调查终结报告"]);
        let shown = error_of(&listed.replace("\"hearing\"", "\"hearings\""));
        assert!(shown.contains("must_record entry \"hearings\""), "{shown}");
        assert!(
            shown.contains("left_at_door"),
            "the entries are listed: {shown}"
        );
    }

    #[test]
    fn an_unknown_profile_is_named_with_its_line() {
        let shown = error_of(&GOOD.replace("profile = \"test-tone\"", "profile = \"studio-mic\""));
        assert!(
            shown.contains("site.toml, line 24: no microphone profile \"studio-mic\""),
            "{shown}"
        );
        assert!(shown.contains("test-tone"), "lists known ones: {shown}");
    }

    #[test]
    fn an_rtsp_camera_needs_its_stream_address() {
        let rtsp = GOOD.replace("profile = \"test-pattern\"", "profile = \"rtsp-h264\"");
        let shown = error_of(&rtsp);
        assert!(shown.contains("needs `device = \"rtsp://"), "{shown}");
        let shown = error_of(&rtsp.replace(
            "profile = \"rtsp-h264\"",
            "profile = \"rtsp-h264\"\ndevice = \"/dev/video0\"",
        ));
        assert!(shown.contains("RTSP camera"), "{shown}");
        let site = load(&rtsp.replace(
            "profile = \"rtsp-h264\"",
            "profile = \"rtsp-h264\"\ndevice = \"rtsp://10.0.0.9:554/ch1\"",
        ))
        .expect("an RTSP camera with its address loads");
        assert_eq!(site.rooms[0].cameras[0].profile.source, CameraSource::Rtsp);
    }

    #[test]
    fn a_profile_of_the_wrong_kind_is_refused() {
        let shown = error_of(&GOOD.replace("profile = \"test-pattern\"", "profile = \"lcus-1\""));
        assert!(
            shown.contains("line 20")
                && shown.contains("kind indicator; this entry needs a camera profile"),
            "{shown}"
        );
    }

    #[test]
    fn an_unknown_agency_and_a_misspelt_key_are_named() {
        let shown = error_of(&GOOD.replace("agencies = [\"a\"]", "agencies = [\"b\"]"));
        assert!(
            shown.contains("line 15") && shown.contains("agency \"b\""),
            "{shown}"
        );
        let shown = error_of(&GOOD.replace("segment_seconds", "segment_secs"));
        assert!(
            shown.contains("line 16") && shown.contains("segment_secs"),
            "{shown}"
        );
    }

    #[test]
    fn broken_toml_is_refused_with_its_line() {
        let shown = error_of(&GOOD.replace("kind = \"interview\"", "kind = interview"));
        assert!(shown.contains("line 14"), "{shown}");
    }
}
