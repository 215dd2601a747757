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
    /// What the file was read as, for the summary ("GB18030", "UTF-8", "xlsx sheet 投诉").
    pub read_as: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

pub fn read(path: &Path, encoding: Option<Encoding>, sheet: Option<&str>) -> Result<Sheet> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_lowercase())
        .unwrap_or_default();
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
        "xlsx" | "xlsm" => xlsx_rows(path, sheet),
        _ => bail!(
            "{}: plaint imports .csv and .xlsx files (save the sheet from Excel as one of these)",
            path.display()
        ),
    }
}

/// Decodes CSV bytes: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else is taken as
/// GB18030 (a superset of GBK), which is what Excel writes on Chinese Windows.
pub fn decode(bytes: &[u8], encoding: Option<Encoding>) -> Result<(String, &'static str)> {
    let bytes_no_bom = bytes.strip_prefix(b"\xef\xbb\xbf");
    match encoding {
        Some(Encoding::Utf8) => {
            let b = bytes_no_bom.unwrap_or(bytes);
            let text = std::str::from_utf8(b).map_err(|e| {
                anyhow!(
                    "the file is not UTF-8 (byte {} is not); try --encoding gbk",
                    e.valid_up_to() + 1
                )
            })?;
            Ok((text.to_string(), "UTF-8"))
        }
        Some(Encoding::Gbk) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                bail!("the file is not GBK/GB18030 text; try --encoding utf-8");
            }
            Ok((text.into_owned(), "GBK/GB18030"))
        }
        None => {
            if let Some(b) = bytes_no_bom {
                return Ok((String::from_utf8_lossy(b).into_owned(), "UTF-8 with BOM"));
            }
            if let Ok(t) = std::str::from_utf8(bytes) {
                return Ok((t.to_string(), "UTF-8"));
            }
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                bail!("the file is neither UTF-8 nor GBK/GB18030 text; give --encoding");
            }
            Ok((text.into_owned(), "GBK/GB18030 (detected)"))
        }
    }
}

fn csv_rows(bytes: &[u8], encoding: Option<Encoding>) -> Result<Sheet> {
    let (text, read_as) = decode(bytes, encoding)?;
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
        let byte = byte.min(text.len());
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
        let cells: Vec<Cell> = rec.iter().map(|s| Cell::Text(s.to_string())).collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        rows.push((row, cells));
    }
    Ok(Sheet {
        headers,
        rows,
        read_as: read_as.to_string(),
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
        rows.push((first_row as usize + i + 1, cells));
    }
    Ok(Sheet {
        headers,
        rows,
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
        assert_eq!((t.as_str(), how), ("项目", "UTF-8 with BOM"));
        assert!(
            decode(&gbk, Some(Encoding::Utf8))
                .unwrap_err()
                .to_string()
                .contains("--encoding gbk")
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
