//! Every YAML call plaint makes goes through here, so the YAML crate can be swapped in one place.

pub mod fast;

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

/// The most any YAML plaint reads may nest, in brackets or in `- ` items on one line, and
/// the deepest indentation: a ticket nests three levels, the rulebook five. Parsing cost
/// grows with nesting faster than with size, so anything deeper is refused before parsing.
const MAX_DEPTH: usize = 32;
const MAX_INDENT: usize = 256;
/// The largest YAML text plaint parses (a ticket is a few KB, the rulebook 20 KB).
pub const MAX_BYTES: usize = 1024 * 1024;

/// Why `text` is refused before it is parsed, with its line.
fn shape(text: &str) -> Option<YamlError> {
    if text.len() > MAX_BYTES {
        return Some(YamlError {
            line: None,
            message: format!(
                "the file is {} KB; plaint reads YAML files up to {} KB",
                text.len() / 1024,
                MAX_BYTES / 1024
            ),
        });
    }
    // Flow collections (`[...]`, `{...}`) open only where a value starts, or inside another
    // one; a `[` in plain text is text.
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let bad = |message: String| {
            Some(YamlError {
                line: Some(i + 1),
                message,
            })
        };
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        if indent > MAX_INDENT {
            return bad(format!(
                "indented {indent} columns deep; plaint reads YAML indented up to {MAX_INDENT}"
            ));
        }
        let mut rest = line.trim_start();
        let mut items = 0;
        if depth == 0 {
            while let Some(r) = rest
                .strip_prefix("- ")
                .or_else(|| (rest == "-").then_some(""))
            {
                items += 1;
                rest = r.trim_start();
            }
            if !rest.starts_with(['[', '{'])
                && let Some((_, v)) = rest.split_once(": ")
            {
                rest = v.trim_start();
            }
            if !rest.starts_with(['[', '{']) {
                rest = "";
            }
        }
        let mut quote: Option<char> = None;
        for c in rest.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            if depth > MAX_DEPTH {
                break;
            }
        }
        if depth + items > MAX_DEPTH {
            return bad(format!(
                "nested more than {MAX_DEPTH} levels deep; plaint's files nest a few levels"
            ));
        }
    }
    None
}

pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some(e) = shape(text) {
        return Err(e);
    }
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
    if text.len() > MAX_BYTES {
        return from_str(text);
    }
    match fast::from_str(text) {
        Some(t) => Ok(t),
        None => from_str(text),
    }
}

pub fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_yaml::to_string(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs the fuzzer found where the fast reader and the library disagreed: whatever
    /// the fast reader accepts must read the same with the library.
    #[test]
    fn the_fast_reader_agrees_on_what_fuzzing_found() {
        for text in [
            "a:\n-  x\n- y\n",
            "a: ]x\n",
            "a: }y\n",
            "a: 06\n",
            "a: -007\n",
            "description: 周末[[[[\n",
            "subject: 漏水\u{ffff}\n",
            "subject: 漏水\u{fffe}\n",
            // YAML 1.1 breaks lines at U+2028 and U+2029 too.
            "note: 上门道\u{2029}:歉\nb: c\n",
            "note: 上门道\u{2028}歉\n",
        ] {
            let full: Result<serde_json::Value, _> = from_str(text);
            if let Some(v) = fast::from_str::<serde_json::Value>(text) {
                assert_eq!(Some(v), full.ok(), "{text:?}");
            }
        }
    }

    #[test]
    fn nesting_is_counted_in_flow_collections_only() {
        let deep = format!("a: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert!(
            shape(&deep)
                .unwrap()
                .message
                .contains("nested more than 32")
        );
        let items = format!("{}x\n", "- ".repeat(40));
        assert!(shape(&items).is_some());
        // Brackets in text are text.
        assert!(shape(&format!("description: 周末{}\n", "[".repeat(200))).is_none());
        assert!(shape(&format!("- note: '{}'\n", "{".repeat(200))).is_none());
        // A flow list over several lines still counts.
        let multi = format!("a: [\n{}\n]\n", "[".repeat(40));
        assert!(shape(&multi).is_some());
        assert!(shape("a: [1, [2, {b: 3}]]\nc: d\n").is_none());
    }
}
