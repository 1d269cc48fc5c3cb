//! Liuhen's site API contract: the request and response types of every route, the shared
//! vocabulary of the three systems (session states, kinds of action, secrecy, deadlines on the
//! working-day calendar), and the live events pushed to displays.
//!
//! This crate is the bottom of the workspace: it knows no SQL, no GStreamer and no UI, so the
//! controller (which serves these types), the kiosk (which reads them) and the tests all agree
//! on the wire format, and a kiosk that depends on it links nothing else. With the feature
//! `client` it also holds the one typed client of the API ([`Client`]).

mod access;
mod access_log;
mod action_type;
mod annual_report;
mod archiving;
mod attachments;
mod bookings;
pub mod calendar;
mod case_lookup;
mod case_steps;
mod cases;
#[cfg(feature = "client")]
mod client;
pub mod deadlines;
mod error;
mod exchange;
mod field;
mod hall;
mod inspections;
mod live;
pub mod masking;
mod people;
mod publication;
mod publicity;
mod recording_list;
mod review;
mod rooms;
pub mod routes;
mod sessions;

pub use access::*;
pub use access_log::*;
pub use action_type::*;
pub use annual_report::*;
pub use archiving::*;
pub use attachments::*;
pub use bookings::*;
pub use calendar::{CalendarError, WorkCalendar};
pub use case_lookup::*;
pub use case_steps::*;
pub use cases::*;
#[cfg(feature = "client")]
pub use client::{Client, ClientError, ClientResult, Download, LiveEvents, LiveUpdate};
pub use error::*;
pub use exchange::*;
pub use field::*;
pub use hall::*;
pub use inspections::*;
pub use live::*;
pub use people::*;
pub use publication::*;
pub use publicity::*;
pub use recording_list::*;
pub use review::*;
pub use rooms::*;
pub use sessions::*;
