//! Formatting at the edge: terminal tables, JSON, CSV.

use anyhow::Result;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
use std::io::{IsTerminal, Write};

/// A table for people: fits the terminal (or `$COLUMNS` when piped), CJK text aligned by
/// display width. Columns of IDs, times, amounts and codes never wrap; text columns give
/// way and wrap instead.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    build(headers, rows, None)
}

/// `table` with one line per row: a text that does not fit is cut with `…` (a list to scan;
/// `show` gives the whole text).
pub fn table_lines(headers: &[&str], rows: &[Vec<String>]) -> String {
    build(headers, rows, Some(1))
}

fn build(headers: &[&str], rows: &[Vec<String>], lines: Option<usize>) -> String {
    let mut t = Table::new();
    t.set_truncation_indicator("…");
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    match width() {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t.set_header(headers.iter().copied());
    for r in rows {
        let mut row = comfy_table::Row::from(r.iter().map(|c| visible(c)));
        if let Some(n) = lines {
            row.max_height(n);
        }
        t.add_row(row);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        let cells = || rows.iter().filter_map(|r| r.get(i));
        let short = cells().all(|c| display_width(c) <= 12) && display_width(headers[i]) <= 12;
        if short || cells().all(|c| atomic(c)) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    t.to_string()
}

/// The width to fit: the terminal's, else `$COLUMNS` (a pager or `watch` sets it), else
/// none (the table is as wide as its content).
fn width() -> Option<u16> {
    let env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w >= 20);
    if std::io::stdout().is_terminal() {
        return env.or_else(|| comfy_table::Table::new().width());
    }
    env
}

/// Columns a text takes in a terminal: CJK characters take two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c, '—' | '…') {
                2
            } else {
                1
            }
        })
        .sum()
}

/// A cell that must never be broken across lines: an ID, a time, a number, an amount or a
/// short code (no more than 24 columns, nothing but digits, Latin letters and the
/// punctuation they carry).
fn atomic(cell: &str) -> bool {
    cell.chars().count() <= 24
        && cell.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | ':' | '.' | '/' | '%' | '+' | ',' | ' ' | '¥' | '—' | '§'
                )
        })
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
