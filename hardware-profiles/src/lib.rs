//! Device profiles and site files: what a facilities person writes to describe rooms and their
//! devices, how it is read, and how it is checked before anything is started.
//!
//! A *profile* describes a kind of device (a camera model, a microphone, a relay that drives the
//! "recording" light). A *site file* names the agencies and rooms of one site and, per room,
//! which devices by profile and where they are plugged in. [`Site::load`] reads and checks both
//! and either returns a complete site or an error naming the file, the line and the fix.

mod agency;
mod checker;
mod error;
mod hall;
mod in_code;
mod name_pattern;
mod profile;
mod site;

pub use agency::{AgencySpec, DEFAULT_REVIEW_WORKING_DAYS};
pub use error::ConfigError;
pub use hall::{HallSpec, ServiceSpec, WindowSpec};
pub use profile::{
    BodycamProfile, CameraProfile, CameraSource, IndicatorCommand, IndicatorProfile,
    MicrophoneProfile, MicrophoneSource, NamePattern, PrinterProfile, Profile, ProfileKind,
    Profiles,
};
pub use site::{
    CameraSpec, CollectSpec, CompositeSpec, ExchangeSpec, IndicatorPort, IndicatorSpec,
    MicrophoneSpec, RoomSpec, Site, TlsFiles,
};
pub use site_api::RoomKind;
