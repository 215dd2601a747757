//! Every YAML call plaint makes goes through here, so the YAML crate can be swapped in one place.

pub(crate) mod fast;

use serde::{Serialize, de::DeserializeOwned};
use std::fmt;

/// A YAML problem with the 1-based line it was found on (when the parser knows it).
#[derive(Debug, Clone)]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        // The crate appends " at line N column M"; plaint prints the line itself.
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        YamlError { line, message }
    })
}

/// Like `from_str`, trying plaint's own-style fast reader first (see `fast`). Errors always
/// come from the full parser, so they carry its line numbers.
pub fn from_str_fast<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    match fast::from_str(text) {
        Some(t) => Ok(t),
        None => from_str(text),
    }
}

pub fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_yaml::to_string(value)?)
}
