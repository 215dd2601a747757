//! Formatting at the edge: terminal tables, JSON, CSV.

use anyhow::Result;
use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static COLOUR: AtomicBool = AtomicBool::new(false);

/// `--quiet`: confirmations are not printed.
pub fn set_quiet(q: bool) {
    QUIET.store(q, Ordering::Relaxed);
}

/// Whether tables are coloured (`--color`, `$NO_COLOR`, a terminal).
pub fn set_colour(c: bool) {
    COLOUR.store(c, Ordering::Relaxed);
}

/// A confirmation for people, on stderr ("closed 202611-0003"); `--quiet` drops it.
pub fn note(text: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        eprintln!("{text}");
    }
}

/// How a cell reads at a glance, when tables are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Overdue, or done late.
    Bad,
    /// Due today and not done yet.
    Soon,
    /// Done in time.
    Good,
}

/// A table for people: fits the terminal (or `$COLUMNS` when piped), CJK text aligned by
/// display width. Columns of IDs, times, amounts and codes never wrap; text columns give
/// way and wrap instead.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    Grid::new(headers, rows).render()
}

/// Tone of a cell, by row and column.
pub type ToneOf<'a> = &'a dyn Fn(usize, usize) -> Option<Tone>;

/// `table` with options: one line per row, columns kept whole, columns that give way on a
/// narrow terminal, colour.
pub struct Grid<'a> {
    headers: &'a [&'a str],
    rows: &'a [Vec<String>],
    lines: Option<usize>,
    keep: &'a [usize],
    give_way: &'a [usize],
    tone: Option<ToneOf<'a>>,
}

impl<'a> Grid<'a> {
    pub fn new(headers: &'a [&'a str], rows: &'a [Vec<String>]) -> Grid<'a> {
        Grid {
            headers,
            rows,
            lines: None,
            keep: &[],
            give_way: &[],
            tone: None,
        }
    }

    /// One line per row: a text that does not fit is cut with `…` (a list to scan; `show`
    /// gives the whole text).
    pub fn one_line(mut self) -> Self {
        self.lines = Some(1);
        self
    }

    /// Columns that never break a line of text (each line of a cell stays on one screen
    /// line).
    pub fn keep(mut self, columns: &'a [usize]) -> Self {
        self.keep = columns;
        self
    }

    /// Columns left out, in this order, on a terminal too narrow for every column.
    pub fn give_way(mut self, columns: &'a [usize]) -> Self {
        self.give_way = columns;
        self
    }

    /// A tone for some cells, shown as colour when tables are coloured.
    pub fn tone(mut self, tone: ToneOf<'a>) -> Self {
        self.tone = Some(tone);
        self
    }

    pub fn render(&self) -> String {
        let (headers, rows) = (self.headers, self.rows);
        let colour = COLOUR.load(Ordering::Relaxed);
        let mut t = Table::new();
        if colour {
            t.enforce_styling();
        }
        t.set_truncation_indicator("…");
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        let fit = width();
        match fit {
            Some(w) => {
                t.set_content_arrangement(ContentArrangement::Dynamic);
                t.set_width(w);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        t.set_header(headers.iter().copied());
        for (i, r) in rows.iter().enumerate() {
            let mut row = comfy_table::Row::from(r.iter().enumerate().map(|(j, c)| {
                let cell = Cell::new(visible(c));
                match self.tone.and_then(|f| f(i, j)).filter(|_| colour) {
                    Some(Tone::Bad) => cell.fg(Color::Red),
                    Some(Tone::Soon) => cell.fg(Color::Yellow),
                    Some(Tone::Good) => cell.fg(Color::Green),
                    None => cell,
                }
            }));
            if let Some(n) = self.lines {
                row.max_height(n);
            }
            t.add_row(row);
        }
        let layout = Layout::plan(headers, rows, fit, self.give_way, self.keep);
        for (i, col) in t.column_iter_mut().enumerate() {
            if layout.hidden[i] {
                col.set_constraint(ColumnConstraint::Hidden);
            } else if layout.whole[i] {
                // Kept on one line, and wide enough for its header when there is room.
                col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(layout.cells[i])));
            } else if let Some(h) = layout.header[i] {
                // Text may wrap; its header never breaks inside a word.
                col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(h)));
            }
        }
        t.to_string()
    }
}

/// How a table's columns share the width: which are kept whole (IDs, times, figures, codes
/// always; short labels when there is room) and which are left out on a narrow terminal.
struct Layout {
    whole: Vec<bool>,
    hidden: Vec<bool>,
    /// The narrowest a wrapping column may be so that its header stays whole, when the
    /// table has room for every header.
    header: Vec<Option<u16>>,
    /// The width of each column's widest cell, padding included (the header aside).
    cells: Vec<u16>,
}

impl Layout {
    /// Narrowest a text column is let become: three Chinese characters.
    const TEXT_MIN: usize = 8;

    fn plan(
        headers: &[&str],
        rows: &[Vec<String>],
        fit: Option<u16>,
        drop: &[usize],
        keep: &[usize],
    ) -> Layout {
        let n = headers.len();
        let widest = |i: usize| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .flat_map(|c| c.lines())
                .map(display_width)
                .max()
                .unwrap_or(0)
        };
        // At least one Chinese character wide, so that a header can wrap a character a
        // line.
        let cells: Vec<usize> = (0..n).map(|i| (widest(i) + 2).max(4)).collect();
        let full: Vec<usize> = (0..n)
            .map(|i| cells[i].max(display_width(headers[i]) + 2))
            .collect();
        let atomic: Vec<bool> = (0..n)
            .map(|i| keep.contains(&i) || rows.iter().filter_map(|r| r.get(i)).all(|c| atomic(c)))
            .collect();
        let short: Vec<bool> = (0..n).map(|i| full[i] <= 14).collect();
        // A header stays whole: its column is at least as wide as it (CJK headers have no
        // place to break but between characters, which is inside the word).
        let head: Vec<usize> = (0..n).map(|i| display_width(headers[i]) + 2).collect();
        let mut hidden = vec![false; n];
        let need = |hidden: &[bool], short_whole: bool, heads: bool| -> usize {
            1 + (0..n)
                .filter(|i| !hidden[*i])
                .map(|i| {
                    let h = if heads { head[i] } else { 0 };
                    1 + if atomic[i] {
                        cells[i].max(h)
                    } else if short_whole && short[i] {
                        full[i]
                    } else {
                        full[i].min(Layout::TEXT_MIN).max(h)
                    }
                })
                .sum::<usize>()
        };
        let (mut short_whole, mut heads) = (true, true);
        if let Some(w) = fit.map(usize::from) {
            // Columns give way before any header breaks; a table too narrow even then
            // lets its headers wrap.
            for d in drop {
                if need(&hidden, false, true) <= w {
                    break;
                }
                if *d < n {
                    hidden[*d] = true;
                }
            }
            heads = need(&hidden, false, true) <= w;
            short_whole = need(&hidden, true, heads) <= w;
        }
        Layout {
            whole: (0..n)
                .map(|i| atomic[i] || (short_whole && short[i]))
                .collect(),
            hidden,
            header: (0..n)
                .map(|i| heads.then(|| u16::try_from(head[i]).unwrap_or(u16::MAX)))
                .collect(),
            cells: (0..n)
                .map(|i| {
                    let w = if atomic[i] {
                        cells[i].max(if heads { head[i] } else { 0 })
                    } else {
                        full[i]
                    };
                    u16::try_from(w).unwrap_or(u16::MAX)
                })
                .collect(),
        }
    }
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
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()
}

/// East Asian wide characters (Hangul, CJK, fullwidth forms), as terminals draw them.
fn wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD)
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

/// Text as a terminal may show it: every control character but the newline, and every
/// bidirectional control, written as an escape (`\u{1b}`, `\u{202e}`), so a subject cannot
/// move the cursor, recolour the screen, hide itself behind a bare carriage return or
/// reverse the text after it.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    // Bidirectional controls (U+202E turns the rest of a line around) are escaped too.
    let hidden = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(hidden) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
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
    fn headers_stay_whole_while_the_table_has_room() {
        let headers = ["编号", "满意度", "金额(元)", "依据"];
        let rows = vec![vec![
            "202611-0001".to_string(),
            "8.2".to_string(),
            "300".to_string(),
            "投诉响应 11-02 11:30 完成,超出 11-02 11:00 时限 30分钟".to_string(),
        ]];
        let l = Layout::plan(&headers, &rows, Some(100), &[], &[]);
        for (i, h) in headers.iter().enumerate() {
            let need = u16::try_from(display_width(h) + 2).unwrap();
            let room = if l.whole[i] {
                l.cells[i]
            } else {
                l.header[i].unwrap()
            };
            assert!(room >= need, "{h}: {room} < {need}");
        }
        // Too narrow for every header: they may wrap rather than the table overflow.
        let l = Layout::plan(&headers, &rows, Some(30), &[], &[]);
        assert!(l.header.iter().all(Option::is_none));
    }

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
        // A right-to-left override would show "漏水 (txt.exe" as something else.
        assert_eq!(
            visible("a\u{202E}b\u{2066}c\u{200F}"),
            "a\\u{202e}b\\u{2066}c\\u{200f}"
        );
    }
}
