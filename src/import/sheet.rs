//! Reading a spreadsheet into rows of cells: CSV in UTF-8 (with or without BOM) or
//! GBK/GB18030 as Excel saves it on Chinese Windows, and .xlsx.

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell Excel stores as a date: a serial number shown with a date format.
    Date(NaiveDateTime),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person would read it.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

pub struct Sheet {
    pub headers: Vec<String>,
    /// Each row with its number as the spreadsheet shows it (the header is row 1).
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// Rows that cannot be read as rows (a ragged row, a control character, a cell too
    /// large): `(row, what is wrong)`. The import reports them with every other problem.
    pub problems: Vec<(usize, String)>,
    /// What the file was read as, for the summary ("GB18030", "UTF-8", "xlsx sheet 投诉").
    pub read_as: String,
}

/// The largest spreadsheet plaint reads (a year of complaints is a few megabytes).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;
/// The largest cell: a complaint's description fits many times over.
pub const MAX_CELL: usize = 32 * 1024;

/// The encoding `--encoding` names: any label browsers know (utf-8, gbk, gb18030, big5,
/// shift_jis, euc-kr, windows-1252, ...).
pub fn encoding_for(label: &str) -> Result<&'static encoding_rs::Encoding> {
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        anyhow!(
            "--encoding: '{}' is not an encoding plaint knows; for example utf-8, gbk, gb18030, big5, shift_jis, euc-kr",
            label.trim()
        )
    })
}

pub fn read(
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
    sheet: Option<&str>,
) -> Result<Sheet> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "csv" | "txt" | "xlsx" | "xlsm") {
        bail!(
            "{}: plaint imports .csv and .xlsx files (save the sheet from Excel as one of these)",
            path.display()
        );
    }
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file", path.display());
    }
    if meta.len() > MAX_FILE {
        bail!(
            "{} is {} MB; plaint imports sheets up to {} MB (split it by year)",
            path.display(),
            meta.len() / 1_000_000,
            MAX_FILE / 1_000_000
        );
    }
    match ext.as_str() {
        "csv" | "txt" => {
            if sheet.is_some() {
                bail!(
                    "--sheet is for .xlsx files; {} is a CSV file",
                    path.display()
                );
            }
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            csv_rows(&bytes, encoding)
        }
        "xlsx" | "xlsm" => {
            if encoding.is_some() {
                bail!("--encoding is for CSV files; an .xlsx file says its own encoding");
            }
            xlsx_rows(path, sheet)
        }
        _ => bail!(
            "{}: plaint imports .csv and .xlsx files (save the sheet from Excel as one of these)",
            path.display()
        ),
    }
}

/// The 1-based line of byte `at` in `bytes`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Decodes CSV bytes. With `--encoding`, exactly that encoding, strictly. Without: a UTF-8
/// BOM or valid UTF-8 is UTF-8; otherwise a browser's detector (chardetng) judges the bytes,
/// and only the GB family (GBK/GB18030, what Excel writes on Chinese Windows) is read
/// without being named: Big5, Shift-JIS and the rest decode "successfully" as GB18030 into
/// nonsense, so they need `--encoding`. A file that mixes UTF-8 lines with other lines is
/// refused rather than half garbled.
pub fn decode(
    bytes: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(String, String)> {
    let strict = |enc: &'static encoding_rs::Encoding, b: &[u8]| -> Result<String> {
        if enc == encoding_rs::UTF_8 {
            return std::str::from_utf8(b).map(str::to_string).map_err(|e| {
                let looks = guess(b).name();
                anyhow!(
                    "line {}: the file is not UTF-8 text here; it looks like {looks}: try --encoding {}",
                    line_of(b, e.valid_up_to()),
                    looks.to_lowercase()
                )
            });
        }
        let mut decoder = enc.new_decoder_without_bom_handling();
        let mut out = String::with_capacity(b.len() * 2);
        let mut read = 0;
        loop {
            out.reserve(decoder.max_utf8_buffer_length(b.len() - read).unwrap_or(0));
            let (result, n) =
                decoder.decode_to_string_without_replacement(&b[read..], &mut out, true);
            read += n;
            match result {
                encoding_rs::DecoderResult::InputEmpty => return Ok(out),
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(_, _) => bail!(
                    "line {}: the file is not {} text here; give the --encoding it was saved in",
                    line_of(b, read),
                    enc.name()
                ),
            }
        }
    };
    if let Some(enc) = encoding {
        let b = if enc == encoding_rs::UTF_8 {
            bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
        } else {
            bytes
        };
        return Ok((strict(enc, b)?, format!("{} (--encoding)", enc.name())));
    }
    if let Some(b) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return Ok((strict(encoding_rs::UTF_8, b)?, "UTF-8 with BOM".into()));
    }
    if let Ok(t) = std::str::from_utf8(bytes) {
        return Ok((t.to_string(), "UTF-8".into()));
    }
    // Lines that are surely UTF-8 (two or more multi-byte characters, all valid) beside
    // lines that are not: two encodings in one file.
    let mut utf8_line = None;
    let mut other_line = None;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(t) if t.chars().filter(|c| !c.is_ascii()).count() >= 2 => {
                utf8_line.get_or_insert(i + 1);
            }
            Ok(_) => {}
            Err(_) => {
                other_line.get_or_insert(i + 1);
            }
        }
    }
    if let (Some(u), Some(o)) = (utf8_line, other_line) {
        bail!(
            "the file mixes encodings: line {u} is UTF-8 and line {o} is not. Save the whole sheet again in one encoding (in Excel: CSV UTF-8)"
        );
    }
    let guess = guess(bytes);
    if guess == encoding_rs::GBK || guess == encoding_rs::GB18030 {
        return Ok((
            strict(encoding_rs::GB18030, bytes)?,
            "GBK/GB18030 (detected)".into(),
        ));
    }
    bail!(
        "the file is neither UTF-8 nor GBK/GB18030: it looks like {} text. If it is, import it with --encoding {}; otherwise save it again from Excel as CSV UTF-8",
        guess.name(),
        guess.name().to_lowercase()
    )
}

/// What a browser would take these (non-UTF-8) bytes for.
fn guess(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // No top-level domain: a ".cn" hint would take Big5 and Shift-JIS for GBK.
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Where a quote opened that never closed (RFC 4180: a field starting with `"` runs to the
/// next lone `"`). The CSV reader would take the rest of the file as one cell.
fn unclosed_quote(text: &str) -> Option<usize> {
    let mut line = 1;
    let mut opened = None;
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (opened, c) {
            (Some(_), '"') if chars.peek() == Some(&'"') => {
                chars.next();
            }
            (Some(_), '"') => {
                opened = None;
                field_start = false;
            }
            (None, '"') if field_start => opened = Some(line),
            (_, '\n') => {
                line += 1;
                if opened.is_none() {
                    field_start = true;
                }
            }
            (None, ',') => field_start = true,
            (None, '\r') => {}
            (None, _) => field_start = false,
            _ => {}
        }
    }
    opened
}

/// Why a cell's text cannot be taken: a control character, or more text than a cell holds.
fn cell_problem(s: &str) -> Option<String> {
    if let Some(c) = crate::ticket::unprintable(s) {
        return Some(format!(
            "contains the control character U+{:04X}; plaint keeps text printable",
            c as u32
        ));
    }
    (s.len() > MAX_CELL).then(|| {
        format!(
            "has {} KB of text; a cell holds at most {} KB",
            s.len() / 1024,
            MAX_CELL / 1024
        )
    })
}

/// Checks each row's cells; a row with a problem is reported, not imported.
fn check_row(
    headers: &[String],
    row: usize,
    cells: &[Cell],
    problems: &mut Vec<(usize, String)>,
) -> bool {
    let mut ok = true;
    for (i, c) in cells.iter().enumerate() {
        if let Cell::Text(t) = c
            && let Some(p) = cell_problem(t)
        {
            let col = headers
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1));
            problems.push((row, format!("{col}: {p}")));
            ok = false;
        }
    }
    ok
}

/// Reads CSV bytes (as a file would be read) into a sheet.
pub fn csv_rows(bytes: &[u8], encoding: Option<&'static encoding_rs::Encoding>) -> Result<Sheet> {
    let (text, read_as) = decode(bytes, encoding)?;
    let mut problems = Vec::new();
    if let Some(line) = unclosed_quote(&text) {
        bail!(
            "line {line}: a quote opens a cell and never closes, so the rest of the file would be one cell; close it (or double it: \"\") and import again"
        );
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = r.records();
    let headers: Vec<String> = match records.next() {
        Some(h) => h
            .context("cannot read the header row")?
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
        None => bail!("the file is empty: it has no header row"),
    };
    let mut rows = Vec::new();
    // The line a record starts on, counted from its byte offset: the reader's own line
    // count is off by one on files with CRLF line ends (as Excel writes them).
    let mut counted = (0usize, 1usize);
    let mut line_at = |byte: usize| {
        // With CRLF line ends a record's offset may point at the `\n` of the line before.
        let mut byte = byte.min(text.len());
        while text
            .as_bytes()
            .get(byte)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            byte += 1;
        }
        if byte >= counted.0 {
            counted.1 += text.as_bytes()[counted.0..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted.0 = byte;
        }
        counted.1
    };
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow!("row {line}: {e}")
        })?;
        let row = rec
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(rows.len() + 2);
        // Excel writes a cell's own line breaks as CRLF too.
        let cells: Vec<Cell> = rec
            .iter()
            .map(|s| Cell::Text(s.replace("\r\n", "\n")))
            .collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let (n, want) = (cells.len(), headers.len());
        let extra_filled = cells.iter().skip(want).any(|c| !c.is_empty());
        if n < want || extra_filled {
            problems.push((
                row,
                format!(
                    "has {n} cells but the header has {want}: a cell is missing or one too many (a comma in a cell needs quotes)"
                ),
            ));
            continue;
        }
        if check_row(&headers, row, &cells, &mut problems) {
            rows.push((row, cells));
        }
    }
    Ok(Sheet {
        headers,
        rows,
        problems,
        read_as,
    })
}

/// Excel's day 0 is 1899-12-30 (so that its 1900 leap-year bug cancels out after March 1900).
pub fn excel_serial(v: f64) -> Option<NaiveDateTime> {
    if !(1.0..=2_958_465.0).contains(&v) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let seconds = (v * 86_400.0).round() as i64;
    base.checked_add_signed(Duration::seconds(seconds))
}

fn xlsx_rows(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| anyhow!("cannot open {} as a spreadsheet: {e}", path.display()))?;
    let names = book.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                bail!(
                    "--sheet: {} has no sheet '{s}'; its sheets: {}",
                    path.display(),
                    names.join(", ")
                );
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| anyhow!("{} has no sheets", path.display()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| anyhow!("cannot read sheet '{name}': {e}"))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut iter = range.rows().enumerate();
    let headers: Vec<String> = match iter.next() {
        Some((_, r)) => r.iter().map(|c| c.to_string().trim().to_string()).collect(),
        None => bail!("sheet '{name}' is empty: it has no header row"),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in iter {
        let cells: Vec<Cell> = r
            .iter()
            .map(|c| match c {
                Data::Empty => Cell::Empty,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    Cell::Text(s.clone())
                }
                Data::Int(i) => Cell::Number(*i as f64),
                Data::Float(f) => Cell::Number(*f),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::DateTime(d) => excel_serial(d.as_f64())
                    .map(Cell::Date)
                    .unwrap_or(Cell::Number(d.as_f64())),
                Data::Error(e) => Cell::Text(format!("#{e:?}")),
            })
            .collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let row = first_row as usize + i + 1;
        if check_row(&headers, row, &cells, &mut problems) {
            rows.push((row, cells));
        }
    }
    Ok(Sheet {
        headers,
        rows,
        problems,
        read_as: format!("xlsx sheet '{name}'"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let gbk = encoding_rs::GBK
            .encode("项目名称,投诉人姓名\r\n实力北岸,张三\r\n")
            .0
            .into_owned();
        let (t, how) = decode(&gbk, None).unwrap();
        assert!(t.starts_with("项目名称") && how.contains("GBK"));
        let (t, how) = decode("\u{feff}项目".as_bytes(), None).unwrap();
        assert_eq!((t.as_str(), how.as_str()), ("项目", "UTF-8 with BOM"));
        assert!(
            decode(&gbk, Some(encoding_rs::UTF_8))
                .unwrap_err()
                .to_string()
                .contains("--encoding")
        );
    }

    #[test]
    fn big5_and_shift_jis_need_their_encoding_named() {
        let big5 = encoding_rs::BIG5
            .encode("項目名稱,投訴人姓名,聯繫方式\r\n實力北岸,陳大文,13800000000\r\n實力北岸,黃小明,13800000001\r\n")
            .0
            .into_owned();
        let e = decode(&big5, None).unwrap_err().to_string();
        assert!(e.contains("Big5") && e.contains("--encoding big5"), "{e}");
        let (t, _) = decode(&big5, Some(encoding_for("big5").unwrap())).unwrap();
        assert!(t.contains("陳大文"));
        let sjis = encoding_rs::SHIFT_JIS
            .encode("名前,電話\r\n山田太郎,0312345678\r\n鈴木花子,0312345679\r\n")
            .0
            .into_owned();
        let e = decode(&sjis, None).unwrap_err().to_string();
        assert!(e.contains("Shift_JIS"), "{e}");
    }

    #[test]
    fn a_file_mixing_utf8_and_gbk_is_refused() {
        let mut bytes = "项目名称,投诉人姓名\n实力北岸,张三丰\n".as_bytes().to_vec();
        bytes.extend(encoding_rs::GBK.encode("实力北岸,李四光\n").0.iter());
        let e = decode(&bytes, None).unwrap_err().to_string();
        assert!(
            e.contains("mixes encodings: line 1 is UTF-8 and line 3 is not"),
            "{e}"
        );
    }

    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        for text in [
            "a,b\n1,2\n\n3,\"x\ny\"\n4,5\n",
            "a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n4,5\r\n",
        ] {
            let sheet = csv_rows(text.as_bytes(), None).unwrap();
            let rows: Vec<usize> = sheet.rows.iter().map(|(r, _)| *r).collect();
            assert_eq!(rows, vec![2, 4, 6], "{text:?}");
        }
    }

    #[test]
    fn unclosed_quotes_are_found_where_they_open() {
        assert_eq!(unclosed_quote("a,b\n1,\"x\n2,y\n"), Some(2));
        assert_eq!(unclosed_quote("a,b\n1,\"x,\"\"q\"\"\n y\"\n2,y\n"), None);
        assert_eq!(
            unclosed_quote("a,b\n1,x\"y\n"),
            None,
            "a quote inside a cell is text"
        );
    }

    #[test]
    fn excel_serials() {
        assert_eq!(
            excel_serial(46328.0).unwrap().to_string(),
            "2026-11-02 00:00:00"
        );
        assert_eq!(
            excel_serial(46328.375).unwrap().to_string(),
            "2026-11-02 09:00:00"
        );
        assert!(excel_serial(-1.0).is_none());
    }
}
