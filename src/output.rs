//! Formatting at the edge: terminal tables, JSON, CSV.

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use std::io::{IsTerminal, Write};

/// A table for people: fits the terminal when there is one, CJK text aligned by display width.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    if std::io::stdout().is_terminal() {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(headers.iter().copied());
    for r in rows {
        t.add_row(r.iter().map(|c| visible(c)));
    }
    t.to_string()
}

/// Text as a terminal may show it: every control character but the newline written as an
/// escape (`\u{1b}`), so a subject cannot move the cursor, recolour the screen or hide
/// itself behind a bare carriage return.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A CSV cell that a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is a formula to Excel, so it gets a leading `'` (OWASP's advice for
/// CSV injection). Everything else is written as it is.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Prints to stdout; a closed pipe (`plaint list | head`) is not an error.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            out.write_all(b"\n")
        }
    }) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Pretty JSON written to stdout as it is produced (the same bytes `json` and `print` give),
/// for outputs too large to hold twice.
pub fn json_to_stdout<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

pub fn json(value: &serde_json::Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)?)
}

/// CSV with a header row; `bom` starts it with a UTF-8 BOM so Excel reads Chinese text.
pub fn csv(headers: &[&str], rows: &[Vec<String>], bom: bool) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers)?;
    for r in rows {
        w.write_record(r.iter().map(|c| inert(c).into_owned()))?;
    }
    let mut bytes = if bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok(String::from_utf8(bytes)?)
}

/// A line of a message cut to a readable length: a value quoted from a 50 MB cell or file
/// must not flood the terminal.
pub fn clip(line: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 400;
    let n = line.chars().count();
    if n <= MAX {
        return line.into();
    }
    let head: String = line.chars().take(MAX).collect();
    format!("{head}… ({} more characters)", n - MAX).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (cell, out) in [
            ("=1+2", "'=1+2"),
            ("+86 138", "'+86 138"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("楼道灯", "楼道灯"),
            ("2026-11-02", "2026-11-02"),
            ("", ""),
        ] {
            assert_eq!(inert(cell), out);
        }
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(visible("a\u{1b}[31mb\rc\nd"), "a\\u{1b}[31mb\\u{d}c\nd");
        assert_eq!(visible("楼道灯\t"), "楼道灯\\u{9}");
    }
}
