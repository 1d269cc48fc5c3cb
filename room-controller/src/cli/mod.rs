//! The command line's subcommands, one module each. `main.rs` only parses the arguments and
//! hands each subcommand to its module here.

pub mod check;
pub mod device;
pub mod exchange;
pub mod publicity;
pub mod report;
pub mod session;
pub mod staff;
pub mod token;
pub mod verify;
