//! Device profiles: one TOML file per kind of device, with exactly one of the sections
//! `[camera]`, `[microphone]`, `[indicator]` or `[printer]`. The profiles shipped in `profiles/` are built in;
//! a site may add its own folder of profiles.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ConfigError;

/// The profiles shipped with Liuhen, compiled in so that a site works with no extra files.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "cameras/test-pattern.toml",
        include_str!("../profiles/cameras/test-pattern.toml"),
    ),
    (
        "cameras/usb-uvc-720p.toml",
        include_str!("../profiles/cameras/usb-uvc-720p.toml"),
    ),
    (
        "cameras/rtsp-h264.toml",
        include_str!("../profiles/cameras/rtsp-h264.toml"),
    ),
    (
        "microphones/test-tone.toml",
        include_str!("../profiles/microphones/test-tone.toml"),
    ),
    (
        "microphones/alsa-usb.toml",
        include_str!("../profiles/microphones/alsa-usb.toml"),
    ),
    (
        "microphones/test-silence.toml",
        include_str!("../profiles/microphones/test-silence.toml"),
    ),
    (
        "indicators/lcus-1.toml",
        include_str!("../profiles/indicators/lcus-1.toml"),
    ),
    (
        "indicators/kmtronic-1.toml",
        include_str!("../profiles/indicators/kmtronic-1.toml"),
    ),
    (
        "indicators/numato-1.toml",
        include_str!("../profiles/indicators/numato-1.toml"),
    ),
    (
        "indicators/line-sign.toml",
        include_str!("../profiles/indicators/line-sign.toml"),
    ),
    (
        "bodycams/gat947-named.toml",
        include_str!("../profiles/bodycams/gat947-named.toml"),
    ),
    (
        "bodycams/generic.toml",
        include_str!("../profiles/bodycams/generic.toml"),
    ),
    (
        "printers/escpos-58mm.toml",
        include_str!("../profiles/printers/escpos-58mm.toml"),
    ),
    (
        "printers/escpos-80mm.toml",
        include_str!("../profiles/printers/escpos-80mm.toml"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CameraSource {
    /// GStreamer's `videotestsrc`: a moving test pattern.
    TestPattern,
    /// A USB/V4L2 camera; the site file gives the device path.
    V4l2,
    /// An IP camera that sends H.264 over RTSP; the site file gives its `rtsp://` address. Its
    /// stream is recorded as the camera sends it (no re-encoding): width, height, frame rate
    /// and bitrate in the profile describe it and size the disk checks.
    Rtsp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraProfile {
    pub source: CameraSource,
    pub width: u32,
    pub height: u32,
    pub framerate: u32,
    #[serde(default = "default_bitrate")]
    pub bitrate_kbps: u32,
}

fn default_bitrate() -> u32 {
    2000
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MicrophoneSource {
    /// GStreamer's `audiotestsrc`: a steady tone.
    TestTone,
    /// `audiotestsrc` making silence: a muted or dead microphone, for tests and demos.
    TestSilence,
    /// An ALSA capture device; the site file gives the device name.
    Alsa,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrophoneProfile {
    pub source: MicrophoneSource,
    pub rate: u32,
    pub channels: u32,
    /// A microphone whose loudest sample stays below `silence_below_db` (dBFS) for this many
    /// seconds raises a silence alarm; recording goes on.
    #[serde(default = "default_silence_alarm_seconds")]
    pub silence_alarm_seconds: u32,
    #[serde(default = "default_silence_below_db")]
    pub silence_below_db: i32,
}

/// A command to the light: raw bytes (`[0xA0, 0x01, 0x01, 0xA2]`) or text (`"relay on 0\r"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "a list of bytes like [0xA0, 0x01] or a text like \"relay on 0\\r\""
)]
pub enum IndicatorCommand {
    Bytes(Vec<u8>),
    Text(String),
}

impl IndicatorCommand {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Bytes(bytes) => bytes,
            Self::Text(text) => text.as_bytes(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorProfile {
    pub baud: u32,
    pub on: IndicatorCommand,
    pub off: IndicatorCommand,
    /// What the light shows when a recording fails or is cut off (a sign's "fault" text, a
    /// second relay channel); lights without one are turned off.
    #[serde(default)]
    pub fault: Option<IndicatorCommand>,
    /// The answer the device sends to every command (e.g. `"OK\r\n"`); when set, a command
    /// without it within `reply_timeout_ms` counts as a fault of the light.
    #[serde(default)]
    pub reply: Option<IndicatorCommand>,
    #[serde(default = "default_reply_timeout_ms")]
    pub reply_timeout_ms: u32,
    /// Re-send the current state this often, so a light that lost power or was re-plugged shows
    /// the truth again without anyone touching it. None: send only on changes (and retry faults).
    #[serde(default)]
    pub resend_seconds: Option<u32>,
}

/// A ticket printer at the kiosk: an ESC/POS thermal receipt printer on a serial line (or a
/// USB line-printer device such as /dev/usb/lp0, which takes the same bytes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterProfile {
    /// Serial speed; ignored for a line-printer device.
    pub baud: u32,
    /// Characters per line in the normal font (a Chinese character takes two).
    pub columns: u32,
    /// Whether it has a cutter (GS V).
    #[serde(default)]
    pub cut: bool,
    /// How long to wait for the answer to a status request (DLE EOT) before counting the
    /// printer as gone.
    #[serde(default = "default_reply_timeout_ms")]
    pub status_timeout_ms: u32,
}

/// A model of body-worn camera (执法记录仪) as the collection station meets it: mounted as a
/// disk under the station's mount root. How to recognise it, where its files are, and what
/// their names say.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodycamProfile {
    /// USB "vendor:product" ids (hex) of the model; empty accepts any.
    #[serde(default)]
    pub usb: Vec<String>,
    /// Folders (or files) that must be at the top of the mounted camera.
    #[serde(default)]
    pub layout: Vec<String>,
    /// Where its files are, searched with their sub-folders.
    pub media_dirs: Vec<String>,
    /// The file extensions collected (lowercase, without the dot).
    pub extensions: Vec<String>,
    /// How its file names carry the device, the officer and the start time:
    /// `{device}`, `{officer}`, `{start}` (YYYYMMDDhhmmss, local time) and `{any}` between
    /// literal text. Without one, the start time is read from the media.
    #[serde(default)]
    pub name_pattern: Option<NamePattern>,
    /// A file in which the camera writes its clock when docked ("YYYY-MM-DD hh:mm:ss").
    #[serde(default)]
    pub clock_file: Option<String>,
}

impl BodycamProfile {
    /// Whether `extension` (any case) is collected.
    pub fn collects(&self, extension: &str) -> bool {
        let extension = extension.to_ascii_lowercase();
        self.extensions.contains(&extension)
    }
}

pub use crate::name_pattern::NamePattern;

pub(crate) fn default_silence_alarm_seconds() -> u32 {
    60
}

/// Below the noise floor of any room with a live microphone in it.
pub(crate) fn default_silence_below_db() -> i32 {
    -60
}

fn default_reply_timeout_ms() -> u32 {
    500
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileKind {
    Camera(CameraProfile),
    Microphone(MicrophoneProfile),
    Indicator(IndicatorProfile),
    Printer(PrinterProfile),
    Bodycam(BodycamProfile),
}

impl ProfileKind {
    pub fn noun(&self) -> &'static str {
        match self {
            Self::Camera(_) => "camera",
            Self::Microphone(_) => "microphone",
            Self::Indicator(_) => "indicator",
            Self::Printer(_) => "printer",
            Self::Bodycam(_) => "bodycam",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub kind: ProfileKind,
    /// Where the profile was read from, for error messages.
    pub file: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    name: String,
    camera: Option<CameraProfile>,
    microphone: Option<MicrophoneProfile>,
    indicator: Option<IndicatorProfile>,
    printer: Option<PrinterProfile>,
    bodycam: Option<BodycamProfile>,
}

impl Profile {
    /// Reads one profile from its text; `file` is only used to name it in errors.
    pub fn parse(file: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: ProfileFile =
            toml::from_str(text).map_err(|err| ConfigError::from_toml(file, text, &err))?;
        let mut kinds = Vec::new();
        if let Some(camera) = raw.camera {
            if camera.width == 0 || camera.height == 0 || camera.framerate == 0 {
                return Err(ConfigError::new(
                    file,
                    None,
                    "[camera] width, height and framerate must be above 0",
                ));
            }
            kinds.push(ProfileKind::Camera(camera));
        }
        if let Some(mic) = raw.microphone {
            if mic.rate == 0 || mic.channels == 0 {
                return Err(ConfigError::new(
                    file,
                    None,
                    "[microphone] rate and channels must be above 0",
                ));
            }
            kinds.push(ProfileKind::Microphone(mic));
        }
        if let Some(indicator) = raw.indicator {
            if indicator.on.bytes().is_empty() || indicator.off.bytes().is_empty() {
                return Err(ConfigError::new(
                    file,
                    None,
                    "[indicator] `on` and `off` must not be empty",
                ));
            }
            kinds.push(ProfileKind::Indicator(indicator));
        }
        if let Some(printer) = raw.printer {
            if printer.columns < 16 || printer.baud == 0 {
                return Err(ConfigError::new(
                    file,
                    None,
                    "[printer] needs baud above 0 and at least 16 columns",
                ));
            }
            kinds.push(ProfileKind::Printer(printer));
        }
        if let Some(bodycam) = raw.bodycam {
            if bodycam.media_dirs.is_empty() || bodycam.extensions.is_empty() {
                return Err(ConfigError::new(
                    file,
                    None,
                    "[bodycam] needs media_dirs (where the files are) and extensions (which are collected)",
                ));
            }
            kinds.push(ProfileKind::Bodycam(bodycam));
        }
        let kind = match (kinds.pop(), kinds.is_empty()) {
            (Some(kind), true) => kind,
            _ => {
                return Err(ConfigError::new(
                    file,
                    None,
                    "a profile needs exactly one of the sections [camera], [microphone], [indicator], [printer] or [bodycam]",
                ));
            }
        };
        Ok(Self {
            id: raw.id,
            name: raw.name,
            kind,
            file: file.to_path_buf(),
        })
    }
}

/// The profiles a site can name, by id.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    by_id: BTreeMap<String, Profile>,
}

impl Profiles {
    /// The profiles shipped with Liuhen.
    pub fn built_in() -> Result<Self, ConfigError> {
        let mut profiles = Self::default();
        for (name, text) in BUILT_IN {
            let file = Path::new("hardware-profiles/profiles").join(name);
            profiles.add(Profile::parse(&file, text)?)?;
        }
        Ok(profiles)
    }

    /// Adds every `*.toml` file under `dir` (one level of sub-folders too).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), ConfigError> {
        let mut files = Vec::new();
        collect_toml(dir, 2, &mut files)?;
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|err| {
                ConfigError::new(&file, None, format!("cannot read the profile: {err}"))
            })?;
            self.add(Profile::parse(&file, &text)?)?;
        }
        Ok(())
    }

    fn add(&mut self, profile: Profile) -> Result<(), ConfigError> {
        if let Some(existing) = self.by_id.get(&profile.id) {
            return Err(ConfigError::new(
                &profile.file,
                None,
                format!(
                    "profile id \"{}\" is already used by {}; give one of them another id",
                    profile.id,
                    existing.file.display()
                ),
            ));
        }
        self.by_id.insert(profile.id.clone(), profile);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.by_id.values()
    }

    /// Ids of the profiles of one kind, for "did you mean" help in errors.
    pub(crate) fn ids_of(&self, noun: &str) -> Vec<&str> {
        self.by_id
            .values()
            .filter(|p| p.kind.noun() == noun)
            .map(|p| p.id.as_str())
            .collect()
    }
}

fn collect_toml(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), ConfigError> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        ConfigError::new(dir, None, format!("cannot read the profiles folder: {err}"))
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && depth > 0 {
            collect_toml(&path, depth - 1, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_profile_is_valid() {
        let profiles = Profiles::built_in().expect("built-in profiles parse");
        assert_eq!(profiles.iter().count(), BUILT_IN.len());
        let lcus = profiles.get("lcus-1").expect("lcus-1 is shipped");
        let ProfileKind::Indicator(relay) = &lcus.kind else {
            panic!("lcus-1 is an indicator");
        };
        assert_eq!(relay.on.bytes(), [0xA0, 0x01, 0x01, 0xA2]);
        assert_eq!(relay.off.bytes(), [0xA0, 0x01, 0x00, 0xA1]);
    }

    #[test]
    fn the_shipped_folder_holds_exactly_the_built_in_profiles() {
        let mut from_disk = Profiles::default();
        from_disk
            .add_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles"))
            .expect("profiles folder reads");
        assert_eq!(from_disk.iter().count(), BUILT_IN.len());
    }

    #[test]
    fn a_bad_profile_names_file_line_and_key() {
        let text = "id = \"x\"\nname = \"x\"\n[camera]\nsource = \"test-pattern\"\nwidth = \"wide\"\nheight = 1\nframerate = 1\n";
        let err =
            Profile::parse(Path::new("cams/x.toml"), text).expect_err("width is not a number");
        let shown = err.to_string();
        assert!(shown.starts_with("cams/x.toml, line 5:"), "{shown}");
        assert!(shown.contains("expected u32"), "{shown}");
    }

    #[test]
    fn a_profile_with_two_sections_is_refused() {
        let text = "id = \"x\"\nname = \"x\"\n[microphone]\nsource = \"test-tone\"\nrate = 1\nchannels = 1\n[indicator]\nbaud = 1\non = [1]\noff = [0]\n";
        let err = Profile::parse(Path::new("x.toml"), text).expect_err("two kinds");
        assert!(err.to_string().contains("exactly one"), "{err}");
    }
}
