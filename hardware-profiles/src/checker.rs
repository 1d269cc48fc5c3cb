//! What every part of a site file is checked with: the file, its text (so that an error names
//! the line) and the device profiles its rooms may name.

use std::path::Path;

use crate::ConfigError;
use crate::profile::Profiles;

pub(crate) struct Checker<'a> {
    pub(crate) file: &'a Path,
    pub(crate) text: &'a str,
    pub(crate) profiles: &'a Profiles,
}

impl Checker<'_> {
    /// An error at `span` of the file, naming its line.
    pub(crate) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Result<T, ConfigError> {
        Err(ConfigError::at(self.file, self.text, Some(span), message))
    }
}
