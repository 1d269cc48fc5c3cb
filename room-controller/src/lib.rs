//! The room controller: Liuhen's site daemon. It owns the site's records, runs each room's
//! recording pipeline and "recording" light, and serves the site API that kiosks, clerk panels
//! and the CLI use. The binary (`main.rs`) only parses the command line and wires these parts.

pub mod access_api;
pub mod api;
pub mod auth;
pub mod backup;
pub mod cases_api;
pub mod client;
pub mod db;
pub mod disk;
pub mod error;
pub mod export;
pub mod hall_api;
pub mod health;
pub mod indicator;
pub mod live;
pub mod media_worker;
pub mod publicity_api;
pub mod recovery;
pub mod room;
pub mod segments;
pub mod server;

pub use error::ControllerError;
