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
    (s.len() > MAX_CELL).then(|| too_long(s.len()))
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

// ------------------------------------------------------------------------------- .xlsx
//
// An .xlsx file is a zip of XML parts. plaint reads the parts it needs itself, streaming,
// so that what the file claims (its sizes, its `<dimension>`) costs nothing: every part is
// inflated through a counter that stops at the part's limit whatever the zip declares, no
// piece of XML longer than a megabyte is ever buffered, and a sheet is kept as the cells it
// holds, checked against the limits below as they are read.

/// The most a sheet's XML may inflate to: a full 100,000-row × 60-column sheet is about
/// 300 MB of XML.
pub const MAX_SHEET_XML: u64 = 512 * 1024 * 1024;
/// The most the shared strings (the text of the cells) may inflate to.
pub const MAX_STRINGS_XML: u64 = 256 * 1024 * 1024;
/// The most any other part plaint reads (the workbook, its relationships, its styles) may
/// inflate to.
pub const MAX_PART_XML: u64 = 16 * 1024 * 1024;
/// The rows and columns plaint reads: twice the largest import a desk makes (100,000
/// rows), four times the widest sheet (60 columns).
pub const MAX_ROWS: u32 = 200_000;
pub const MAX_COLUMNS: u32 = 256;
/// The cells a sheet may hold, counting the empty ones between a row's first and last.
pub const MAX_CELLS: usize = 8_000_000;
/// The text all cells of a sheet may hold together.
pub const MAX_TEXT: usize = 256 * 1024 * 1024;
/// The longest piece of XML read at once: a tag, or the text between two tags.
const MAX_PIECE: u64 = 1024 * 1024;
/// The parts a workbook may hold (a workbook of a few sheets has a few dozen).
const MAX_ENTRIES: u64 = 10_000;
/// A cell's text kept while it is read; beyond this it is only counted (it is refused as
/// too long however its escapes decode).
const KEEP: usize = 8 * MAX_CELL;

/// What stopped the reading of a part.
#[derive(Debug)]
enum Tripped {
    /// It inflated to more than its limit.
    Size,
    /// A tag or a stretch of text ran longer than `MAX_PIECE`.
    Piece,
}

impl std::fmt::Display for Tripped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tripped::Size => "too large",
            Tripped::Piece => "a piece too long",
        })
    }
}

impl std::error::Error for Tripped {}

/// A zip entry as it inflates, refused once it passes `max` bytes.
struct Counted<R> {
    inner: R,
    read: u64,
    max: u64,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(std::io::Error::other(Tripped::Size));
        }
        Ok(n)
    }
}

/// The buffered reader the XML parser reads from: it counts what the parser takes for
/// the event it is reading (reset by `next`), and refuses to let one event grow past
/// `MAX_PIECE`.
struct Pieces<R> {
    inner: std::io::BufReader<Counted<R>>,
    taken: u64,
}

impl<R: std::io::Read> std::io::Read for Pieces<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let n = {
            let got = self.fill_buf()?;
            let n = got.len().min(buf.len());
            buf[..n].copy_from_slice(&got[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: std::io::Read> std::io::BufRead for Pieces<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.taken > MAX_PIECE {
            return Err(std::io::Error::other(Tripped::Piece));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.taken += n as u64;
        self.inner.consume(n)
    }
}

type Xml<R> = quick_xml::Reader<Pieces<R>>;
type Event<'b> = quick_xml::events::Event<'b>;

/// The next XML event, with the piece counter reset for it.
fn next<'b, R: std::io::Read>(
    xml: &mut Xml<R>,
    buf: &'b mut Vec<u8>,
) -> Result<Event<'b>, quick_xml::Error> {
    buf.clear();
    xml.get_mut().taken = 0;
    xml.read_event_into(buf)
}

/// One part of the workbook being read: what to call it in messages, and its limit.
struct PartName {
    what: String,
    max: u64,
    /// The size its zip entry declares, once opened.
    declared: std::cell::Cell<u64>,
}

impl PartName {
    /// The message for an error met while reading the part.
    fn error(&self, e: quick_xml::Error) -> anyhow::Error {
        let tripped = match &e {
            quick_xml::Error::Io(io) => io.get_ref().and_then(|x| x.downcast_ref::<Tripped>()),
            _ => None,
        };
        match tripped {
            Some(Tripped::Size) => anyhow!(
                "{} inflates to more than {} MB; plaint reads up to {} MB of it",
                self.what,
                self.max / (1024 * 1024),
                self.max / (1024 * 1024)
            ),
            Some(Tripped::Piece) => anyhow!(
                "{} holds more than {} KB of text or markup in one piece; a cell holds at most {} KB",
                self.what,
                MAX_PIECE / 1024,
                MAX_CELL / 1024
            ),
            // The zip reader stops an entry that inflates past the size it declares.
            None if matches!(&e, quick_xml::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData && io.to_string().contains("declared")) =>
            {
                let declared = self.declared.get();
                anyhow!(
                    "{} inflates to more than the {} its zip entry declares; the file is damaged",
                    self.what,
                    if declared < 1024 * 1024 {
                        format!("{} KB", declared / 1024)
                    } else {
                        format!("{} MB", declared / (1024 * 1024))
                    }
                )
            }
            None => anyhow!("{} cannot be read: {e}", self.what),
        }
    }
}

/// Refuses a zip whose directory names more parts than a workbook has, before the zip
/// reader builds its index of them: the end-of-directory record (and its zip64 form) says
/// how many entries there are.
fn check_zip_directory(file: &mut std::fs::File) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.seek(SeekFrom::End(0))?;
    let tail_len = len.min(22 + 65_535 + 20);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail)?;
    let Some(at) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Ok(()); // not a zip: the zip reader says so
    };
    let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
    let mut entries = u16_at(&tail, at + 10).map(u64::from).unwrap_or(0);
    if entries == 0xFFFF && at >= 20 && &tail[at - 20..at - 16] == b"PK\x06\x07" {
        let offset = u64::from_le_bytes(tail[at - 12..at - 4].try_into().unwrap_or_default());
        let mut record = [0u8; 40];
        if offset < len
            && file.seek(SeekFrom::Start(offset)).is_ok()
            && file.read_exact(&mut record).is_ok()
            && &record[..4] == b"PK\x06\x06"
        {
            entries = u64::from_le_bytes(record[32..40].try_into().unwrap_or_default());
        }
    }
    if entries > MAX_ENTRIES {
        bail!(
            "the file says it holds {entries} parts; a workbook plaint reads holds at most {MAX_ENTRIES}"
        );
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// The workbook opened: its zip and the index of its parts by lower-case name.
struct Book {
    zip: zip::ZipArchive<std::fs::File>,
    parts: std::collections::HashMap<String, usize>,
}

impl Book {
    fn open(path: &Path) -> Result<Book> {
        use std::io::Read;
        let mut file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut magic = [0u8; 8];
        if file.read(&mut magic).unwrap_or(0) == 8 && magic == *b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        {
            bail!(
                "{} is a password-protected workbook or an old .xls file; save it from Excel as .xlsx without a password",
                path.display()
            );
        }
        check_zip_directory(&mut file)?;
        let zip = zip::ZipArchive::new(file)
            .map_err(|e| anyhow!("cannot open {} as a spreadsheet: {e}", path.display()))?;
        let mut parts = std::collections::HashMap::new();
        for i in 0..zip.len() {
            if let Some(name) = zip.name_for_index(i) {
                parts.insert(name?.replace('\\', "/").to_lowercase(), i);
            }
        }
        Ok(Book { zip, parts })
    }

    /// The part at `path` as XML, refused at once if the zip declares it larger than `name`
    /// allows (and stopped while inflating if it lied).
    fn part(
        &mut self,
        path: &str,
        name: &PartName,
    ) -> Result<Option<Xml<zip::read::ZipFile<'_, std::fs::File>>>> {
        let Some(&i) = self.parts.get(&path.trim_start_matches('/').to_lowercase()) else {
            return Ok(None);
        };
        let f = self
            .zip
            .by_index(i)
            .map_err(|e| anyhow!("{} cannot be read: {e}", name.what))?;
        name.declared.set(f.size());
        if f.size() > name.max {
            bail!(
                "{} says it inflates to {} MB; plaint reads up to {} MB of it",
                name.what,
                f.size() / (1024 * 1024),
                name.max / (1024 * 1024)
            );
        }
        let counted = Counted {
            inner: f,
            read: 0,
            max: name.max,
        };
        let mut xml = quick_xml::Reader::from_reader(Pieces {
            inner: std::io::BufReader::with_capacity(64 * 1024, counted),
            taken: 0,
        });
        let config = xml.config_mut();
        config.check_end_names = false;
        config.check_comments = false;
        config.trim_text(false);
        Ok(Some(xml))
    }
}

/// The value of an attribute (`key` its local name), unescaped.
fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .ok()
            })
            .flatten()
    })
}

/// `target` resolved against the folder `dir` (`xl/`), as a zip path.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(t) => t.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The relationships of a part: id → (type, target resolved).
fn relationships(book: &mut Book, part: &str) -> Result<Vec<(String, String, String)>> {
    let (dir, file) = part.rsplit_once('/').map_or(("", part), |(d, f)| (d, f));
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let rels = format!("{dir}_rels/{file}.rels");
    let name = PartName {
        what: rels.clone(),
        max: MAX_PART_XML,
        declared: Default::default(),
    };
    let Some(mut xml) = book.part(&rels, &name)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match next(&mut xml, &mut buf).map_err(|e| name.error(e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let kind = attr(&e, "Type").unwrap_or_default();
                    if attr(&e, "TargetMode").as_deref() != Some("External") {
                        out.push((id, kind, resolve(&dir, &target)));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The sheets of a workbook (name and part) and how it counts dates.
struct Workbook {
    sheets: Vec<(String, String)>,
    date1904: bool,
    strings: String,
    styles: String,
}

fn workbook(book: &mut Book) -> Result<Workbook> {
    let main = relationships(book, "")?
        .into_iter()
        .find(|(_, kind, _)| kind.ends_with("/officeDocument"))
        .map(|(_, _, target)| target)
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let rels = relationships(book, &main)?;
    let dir = main
        .rsplit_once('/')
        .map_or(String::new(), |(d, _)| format!("{d}/"));
    let of_kind = |suffix: &str, default: &str| {
        rels.iter()
            .find(|(_, kind, _)| kind.ends_with(suffix))
            .map(|(_, _, t)| t.clone())
            .unwrap_or_else(|| format!("{dir}{default}"))
    };
    let mut wb = Workbook {
        sheets: Vec::new(),
        date1904: false,
        strings: of_kind("/sharedStrings", "sharedStrings.xml"),
        styles: of_kind("/styles", "styles.xml"),
    };
    let name = PartName {
        what: "the workbook".into(),
        max: MAX_PART_XML,
        declared: Default::default(),
    };
    let Some(mut xml) = book.part(&main, &name)? else {
        bail!("the file is not an .xlsx workbook: it has no {main}");
    };
    let mut buf = Vec::new();
    loop {
        match next(&mut xml, &mut buf).map_err(|e| name.error(e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookPr" => {
                    wb.date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true"));
                }
                "sheet" => {
                    let sheet = attr(&e, "name").unwrap_or_default();
                    let part = attr(&e, "id")
                        .and_then(|id| rels.iter().find(|(i, _, _)| *i == id))
                        .map(|(_, _, t)| t.clone())
                        .unwrap_or_default();
                    wb.sheets.push((sheet, part));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(wb)
}

/// Excel's `_xHHHH_` escapes (a UTF-16 unit each; `_x005F_` is a literal `_`).
fn unescape_excel(s: &str) -> std::borrow::Cow<'_, str> {
    fn unit(b: &[u8], i: usize) -> Option<u16> {
        let e = b.get(i..i + 7)?;
        if e[0] != b'_'
            || e[1] != b'x'
            || e[6] != b'_'
            || !e[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&e[2..6]).ok()?, 16).ok()
    }
    let b = s.as_bytes();
    if !s.contains("_x") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut units: Vec<u16> = Vec::new();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if let Some(u) = unit(b, i) {
            out.push_str(&s[copied..i]);
            units.clear();
            units.push(u);
            i += 7;
            if (0xD800..0xDC00).contains(&u)
                && let Some(low) = unit(b, i)
                && (0xDC00..0xE000).contains(&low)
            {
                units.push(low);
                i += 7;
            }
            out.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or('\u{FFFD}')));
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Text being read: kept up to `KEEP` bytes, counted beyond.
#[derive(Default)]
struct Text {
    kept: String,
    len: usize,
}

impl Text {
    fn push(&mut self, s: &str) {
        self.len += s.len();
        if self.kept.len() + s.len() <= KEEP {
            self.kept.push_str(s);
        }
    }
    fn too_long(&self) -> bool {
        self.len > self.kept.len()
    }
}

/// Reads the text of the element just opened, to its end, into `text`.
fn read_text<R: std::io::Read>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
    text: &mut Text,
) -> Result<(), quick_xml::Error> {
    let mut depth = 0usize;
    loop {
        match next(xml, buf)? {
            Event::Text(t) => text.push(&t.xml10_content()),
            Event::CData(t) => text.push(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(s) = quick_xml::escape::resolve_xml_entity(&r) {
                    text.push(s);
                } else if let Some(c) = r.resolve_char_ref()? {
                    text.push(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Skips the element just opened, to its end.
fn skip<R: std::io::Read>(xml: &mut Xml<R>, buf: &mut Vec<u8>) -> Result<(), quick_xml::Error> {
    let mut depth = 0usize;
    loop {
        match next(xml, buf)? {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// A string as Excel stores it (`<si>` or `<is>`): plain `<t>`, or rich-text runs `<r><t>`
/// joined, without the phonetic guide (`<rPh>`). Each `<t>` is trimmed of ASCII spaces
/// unless it says `xml:space="preserve"`.
fn read_rich<R: std::io::Read>(
    xml: &mut Xml<R>,
    buf: &mut Vec<u8>,
    out: &mut Text,
) -> Result<(), quick_xml::Error> {
    let mut depth = 0usize;
    let mut phonetic = 0usize;
    let mut piece = Text::default();
    loop {
        match next(xml, buf)? {
            Event::Start(e) if e.local_name().as_ref() == "t" && phonetic == 0 => {
                let preserve = attr(&e, "space").as_deref() == Some("preserve");
                piece.kept.clear();
                piece.len = 0;
                read_text(xml, buf, &mut piece)?;
                if piece.too_long() {
                    out.len += piece.len;
                } else {
                    let t = if preserve {
                        piece.kept.as_str()
                    } else {
                        piece.kept.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    out.push(&unescape_excel(t));
                }
            }
            Event::Start(e) => {
                if e.local_name().as_ref() == "rPh" {
                    phonetic += 1;
                }
                depth += 1;
            }
            Event::End(e) if depth > 0 => {
                if e.local_name().as_ref() == "rPh" {
                    phonetic = phonetic.saturating_sub(1);
                }
                depth -= 1;
            }
            Event::End(_) | Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The shared strings, one buffer for all: a workbook of many short strings costs their
/// text and four bytes each.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
    /// Strings too long to keep, by index, with their length.
    long: std::collections::HashMap<usize, usize>,
}

impl Strings {
    /// The string at `i`: its text, or the length of one too long to keep.
    fn get(&self, i: usize) -> Option<Result<&str, usize>> {
        if let Some(len) = self.long.get(&i) {
            return Some(Err(*len));
        }
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(Ok(&self.text[start..end]))
    }
}

fn shared_strings(book: &mut Book, path: &str) -> Result<Strings> {
    let name = PartName {
        what: "the shared strings table".into(),
        max: MAX_STRINGS_XML,
        declared: Default::default(),
    };
    let mut strings = Strings::default();
    let Some(mut xml) = book.part(path, &name)? else {
        return Ok(strings);
    };
    let mut buf = Vec::new();
    let mut s = Text::default();
    loop {
        let empty = match next(&mut xml, &mut buf).map_err(|e| name.error(e))? {
            Event::Start(e) if e.local_name().as_ref() == "si" => false,
            Event::Empty(e) if e.local_name().as_ref() == "si" => true,
            Event::Eof => break,
            _ => continue,
        };
        s.kept.clear();
        s.len = 0;
        if !empty {
            read_rich(&mut xml, &mut buf, &mut s).map_err(|e| name.error(e))?;
        }
        if strings.ends.len() >= MAX_CELLS {
            bail!(
                "the shared strings table holds more than {MAX_CELLS} strings, more than the cells plaint reads"
            );
        }
        if s.too_long() {
            strings.long.insert(strings.ends.len(), s.len);
        } else {
            strings.text.push_str(&s.kept);
        }
        strings.ends.push(strings.text.len() as u32);
    }
    Ok(strings)
}

/// Which cell formats (by the cells' `s` index) show a number as a date or a time.
fn date_styles(book: &mut Book, path: &str) -> Result<Vec<bool>> {
    let name = PartName {
        what: "the styles".into(),
        max: MAX_PART_XML,
        declared: Default::default(),
    };
    let Some(mut xml) = book.part(path, &name)? else {
        return Ok(Vec::new());
    };
    let mut custom = std::collections::HashMap::new();
    let mut out = Vec::new();
    let mut in_cell_xfs = false;
    let mut buf = Vec::new();
    loop {
        match next(&mut xml, &mut buf).map_err(|e| name.error(e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode")) {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    let id = attr(&e, "numFmtId").unwrap_or_default();
                    let date = custom.get(&id).copied().unwrap_or_else(|| {
                        matches!(id.parse::<u32>(), Ok(14..=22 | 27..=36 | 45..=47 | 50..=58))
                    });
                    out.push(date);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Whether a custom number format shows a date or a time: a d, m, y, h or s outside quotes,
/// brackets and escapes in its first section, or an `[h]`-style elapsed time.
fn is_date_format(format: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets, mut ampm) = (false, false, 0u8, false);
    let mut prev = ' ';
    let mut elapsed = false;
    for c in format.chars() {
        if escaped {
            escaped = false;
        } else if quoted {
            quoted = c != '"';
        } else {
            match c {
                '_' | '\\' | '*' => escaped = true,
                '"' => quoted = true,
                ';' => return false,
                '[' => brackets += 1,
                ']' if brackets == 1 && elapsed => return true,
                ']' => brackets = brackets.saturating_sub(1),
                'a' | 'A' if !ampm && brackets == 0 => ampm = true,
                'p' | 'm' | '/' | 'P' | 'M' if ampm && brackets == 0 => return true,
                'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S'
                    if !ampm && brackets == 0 =>
                {
                    return true;
                }
                _ => {
                    if !(elapsed && c.eq_ignore_ascii_case(&prev)) {
                        elapsed = prev == '[' && "mhsMHS".contains(c);
                    }
                }
            }
        }
        prev = c;
    }
    false
}

/// `(row, column)` from 0 of a reference such as `AB12`, or `None` when it is not one.
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let b = r.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = &b[letters..];
    if letters == 0 || letters > 3 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let col = b[..letters].iter().fold(0u32, |n, c| {
        n * 26 + u32::from(c.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = r[letters..].parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A column's letters (0 → A, 26 → AA).
fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A cell as read from the sheet: a value, or text too long to keep (its length).
enum Read {
    Cell(Cell),
    TooLong(usize),
}

/// What a cell's value needs from the rest of the workbook.
struct Lookup {
    strings: Strings,
    dates: Vec<bool>,
    date1904: bool,
}

impl Lookup {
    /// The cell of type `t` and style `s` whose `<v>` reads `v`.
    fn value(&self, t: &str, s: Option<usize>, v: &str, at: (u32, u32)) -> Result<Read> {
        Ok(Read::Cell(match t {
            "s" => {
                if v.is_empty() {
                    return Ok(Read::Cell(Cell::Empty));
                }
                let i = v.trim().parse::<usize>().unwrap_or(0);
                match self.strings.get(i) {
                    Some(Ok(s)) => Cell::Text(s.to_string()),
                    Some(Err(len)) => return Ok(Read::TooLong(len)),
                    None => bail!(
                        "cell {}{} refers to shared string {i}, which the file does not hold",
                        column_name(at.1),
                        at.0 + 1
                    ),
                }
            }
            "b" => Cell::Text(
                match v.trim() {
                    "1" | "true" => "true",
                    "0" | "false" => "false",
                    other => other,
                }
                .to_string(),
            ),
            "e" => Cell::Text(
                match v {
                    "#DIV/0!" => "#Div0",
                    "#N/A" => "#NA",
                    "#NAME?" => "#Name",
                    "#NULL!" => "#Null",
                    "#NUM!" => "#Num",
                    "#REF!" => "#Ref",
                    "#VALUE!" => "#Value",
                    "#GETTING_DATA" => "#GettingData",
                    other => other,
                }
                .to_string(),
            ),
            "str" => Cell::Text(unescape_excel(v).into_owned()),
            "n" | "" => {
                if v.is_empty() {
                    return Ok(Read::Cell(Cell::Empty));
                }
                match v.parse::<f64>() {
                    Ok(n) if s.is_some_and(|s| self.dates.get(s).copied().unwrap_or(false)) => {
                        let serial = if self.date1904 { n + 1462.0 } else { n };
                        excel_serial(serial)
                            .map(Cell::Date)
                            .unwrap_or(Cell::Number(n))
                    }
                    Ok(n) => Cell::Number(n),
                    Err(_) => Cell::Text(v.to_string()),
                }
            }
            // "d" (an ISO 8601 date as text) and types plaint does not know: the text.
            _ => Cell::Text(v.to_string()),
        }))
    }
}

/// The cells of a sheet as read, row by row: `(row, [(column, cell)])`, both from 0.
type Grid = std::collections::BTreeMap<u32, Vec<(u32, Read)>>;

/// Streams a sheet's cells into a grid of the cells that hold something, refusing the sheet
/// as soon as it passes a limit.
fn read_grid<R: std::io::Read>(
    xml: &mut Xml<R>,
    name: &PartName,
    sheet: &str,
    ctx: &Lookup,
) -> Result<Grid> {
    let err = |e| name.error(e);
    let mut grid = Grid::new();
    let mut buf = Vec::new();
    let mut inner = Vec::new();
    // Where the next cell is when it does not say (rows and cells may leave out `r`).
    let (mut row_at, mut col_at) = (0u32, 0u32);
    let (mut cells, mut text) = (0usize, 0usize);
    let mut current: Option<(u32, Vec<(u32, Read)>)> = None;
    let mut t = String::new();
    let mut v = Text::default();
    let mut is = Text::default();
    loop {
        let (e, empty) = match next(xml, &mut buf).map_err(err)? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row_at = row_at.saturating_add(1);
                col_at = 0;
                continue;
            }
            Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
            Event::Eof => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            "row" => {
                if let Some(r) = attr(&e, "r") {
                    row_at = r
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .and_then(|r| r.checked_sub(1))
                        .ok_or_else(|| anyhow!("sheet {sheet} has a row numbered '{r}'"))?;
                }
                col_at = 0;
                if empty {
                    row_at = row_at.saturating_add(1);
                }
                continue;
            }
            "c" => {}
            _ => continue,
        }
        let (mut at, mut style) = ((row_at, col_at), None);
        t.clear();
        for a in e.attributes().with_checks(false).flatten() {
            match a.key.as_ref() {
                "r" => {
                    at = cell_ref(&a.value).ok_or_else(|| {
                        anyhow!(
                            "sheet {sheet} has a cell at '{}', which is not a cell",
                            a.value
                        )
                    })?
                }
                "s" => style = a.value.trim().parse::<usize>().ok(),
                "t" => t.push_str(&a.value),
                _ => {}
            }
        }
        col_at = at.1.saturating_add(1);
        if empty {
            continue;
        }
        v.kept.clear();
        v.len = 0;
        is.kept.clear();
        is.len = 0;
        let (mut has_v, mut has_is) = (false, false);
        loop {
            match next(xml, &mut inner).map_err(err)? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "v" => {
                        has_v = true;
                        read_text(xml, &mut inner, &mut v).map_err(err)?;
                    }
                    "is" => {
                        has_is = true;
                        read_rich(xml, &mut inner, &mut is).map_err(err)?;
                    }
                    _ => skip(xml, &mut inner).map_err(err)?,
                },
                Event::End(_) | Event::Eof => break,
                _ => {}
            }
        }
        let read = if has_is || t == "inlineStr" {
            if is.too_long() {
                Read::TooLong(is.len)
            } else if has_is {
                Read::Cell(Cell::Text(std::mem::take(&mut is.kept)))
            } else {
                Read::Cell(Cell::Empty)
            }
        } else if !has_v {
            Read::Cell(Cell::Empty)
        } else if v.too_long() {
            Read::TooLong(v.len)
        } else {
            ctx.value(&t, style, &v.kept, at)
                .map_err(|e| anyhow!("sheet {sheet}: {e}"))?
        };
        if matches!(read, Read::Cell(Cell::Empty)) {
            continue;
        }
        if at.0 >= MAX_ROWS || at.1 >= MAX_COLUMNS {
            bail!(
                "sheet {sheet} holds a cell at {}{}, beyond the {MAX_ROWS} rows × {MAX_COLUMNS} columns plaint reads",
                column_name(at.1),
                at.0 + 1
            );
        }
        cells += 1;
        if cells > MAX_CELLS {
            bail!(
                "sheet {sheet} holds more than {MAX_CELLS} cells; plaint reads up to {MAX_CELLS}"
            );
        }
        text += match &read {
            Read::Cell(Cell::Text(s)) => s.len(),
            _ => 0,
        };
        if text > MAX_TEXT {
            bail!(
                "sheet {sheet} holds more than {} MB of text; plaint reads up to {} MB",
                MAX_TEXT / (1024 * 1024),
                MAX_TEXT / (1024 * 1024)
            );
        }
        match &mut current {
            Some((r, row)) if *r == at.0 => row.push((at.1, read)),
            _ => {
                if let Some((r, row)) = current.take() {
                    grid.entry(r).or_default().extend(row);
                }
                current = Some((at.0, vec![(at.1, read)]));
            }
        }
    }
    if let Some((r, row)) = current.take() {
        grid.entry(r).or_default().extend(row);
    }
    Ok(grid)
}

/// The message for a cell too long to keep, as `cell_problem` words it.
fn too_long(len: usize) -> String {
    format!(
        "has {} KB of text; a cell holds at most {} KB",
        len / 1024,
        MAX_CELL / 1024
    )
}

fn xlsx_rows(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    let mut book = Book::open(path)?;
    let wb = workbook(&mut book)?;
    let names: Vec<String> = wb.sheets.iter().map(|(n, _)| n.clone()).collect();
    let (name, part) = match sheet {
        Some(s) => wb
            .sheets
            .iter()
            .find(|(n, _)| n == s)
            .cloned()
            .ok_or_else(|| {
                anyhow!(
                    "--sheet: {} has no sheet '{s}'; its sheets: {}",
                    path.display(),
                    names.join(", ")
                )
            })?,
        None => wb
            .sheets
            .first()
            .cloned()
            .ok_or_else(|| anyhow!("{} has no sheets", path.display()))?,
    };
    let ctx = Lookup {
        strings: shared_strings(&mut book, &wb.strings)?,
        dates: date_styles(&mut book, &wb.styles)?,
        date1904: wb.date1904,
    };
    let part_name = PartName {
        what: format!("sheet {name}"),
        max: MAX_SHEET_XML,
        declared: Default::default(),
    };
    let grid = match book.part(&part, &part_name)? {
        Some(mut xml) => read_grid(&mut xml, &part_name, &name, &ctx)?,
        None => Grid::new(),
    };
    drop(ctx);
    // The sheet spans its cells' columns; each row is kept to its last cell.
    let Some(&header_row) = grid.keys().next() else {
        bail!("sheet '{name}' is empty: it has no header row");
    };
    let first_col = grid
        .values()
        .flat_map(|r| r.iter().map(|(c, _)| *c))
        .min()
        .unwrap_or(0);
    let last_col = grid
        .values()
        .flat_map(|r| r.iter().map(|(c, _)| *c))
        .max()
        .unwrap_or(0);
    let width = (last_col - first_col + 1) as usize;
    let spanned: usize = width
        + grid
            .values()
            .map(|r| {
                r.iter()
                    .map(|(c, _)| (c - first_col + 1) as usize)
                    .max()
                    .unwrap_or(0)
            })
            .sum::<usize>();
    if spanned > MAX_CELLS {
        bail!(
            "sheet {name} spans {spanned} cells from column {} to each row's last; plaint reads up to {MAX_CELLS}",
            column_name(first_col)
        );
    }
    let mut headers = Vec::with_capacity(width);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (r, row) in grid {
        let len = if r == header_row {
            width
        } else {
            row.iter()
                .map(|(c, _)| (c - first_col + 1) as usize)
                .max()
                .unwrap_or(0)
        };
        let mut cells = vec![Cell::Empty; len];
        let mut long = Vec::new();
        for (c, read) in row {
            let i = (c - first_col) as usize;
            match read {
                Read::Cell(cell) => cells[i] = cell,
                Read::TooLong(n) => {
                    cells[i] = Cell::Empty;
                    long.push((i, n));
                }
            }
        }
        if r == header_row {
            headers = cells.iter().map(|c| c.text().trim().to_string()).collect();
            continue;
        }
        let number = r as usize + 1;
        if long.is_empty() && cells.iter().all(Cell::is_empty) {
            continue;
        }
        let col_name = |i: usize| {
            headers
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1))
        };
        let mut ok = long.is_empty();
        for (i, n) in long {
            problems.push((number, format!("{}: {}", col_name(i), too_long(n))));
        }
        ok &= check_row(&headers, number, &cells, &mut problems);
        if ok {
            rows.push((number, cells));
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

    /// An XML part from `bytes` as plaint reads a zip entry, with `max` its limit.
    fn part(bytes: Vec<u8>, max: u64) -> Xml<std::io::Cursor<Vec<u8>>> {
        quick_xml::Reader::from_reader(Pieces {
            inner: std::io::BufReader::new(Counted {
                inner: std::io::Cursor::new(bytes),
                read: 0,
                max,
            }),
            taken: 0,
        })
    }

    fn read_all(mut xml: Xml<std::io::Cursor<Vec<u8>>>, max: u64) -> String {
        let name = PartName {
            what: "sheet 台账".into(),
            max,
            declared: Default::default(),
        };
        let mut buf = Vec::new();
        loop {
            match next(&mut xml, &mut buf) {
                Ok(Event::Eof) => return "read".into(),
                Ok(_) => {}
                Err(e) => return name.error(e).to_string(),
            }
        }
    }

    #[test]
    fn a_part_is_stopped_at_its_limit_and_no_piece_is_buffered_whole() {
        let many = "<x/>".repeat(1 << 20).into_bytes();
        assert_eq!(read_all(part(many.clone(), 8 << 20), 8 << 20), "read");
        assert_eq!(
            read_all(part(many, 2 << 20), 2 << 20),
            "sheet 台账 inflates to more than 2 MB; plaint reads up to 2 MB of it"
        );
        // Text, a tag, a comment: each refused past a megabyte in one piece.
        for piece in [
            format!("<t>{}</t>", "长".repeat(400_000)),
            format!("<t a=\"{}\"/>", "x".repeat(1_100_000)),
            format!("<!-- {} -->", "<>".repeat(600_000)),
        ] {
            assert_eq!(
                read_all(part(piece.into_bytes(), 8 << 20), 8 << 20),
                "sheet 台账 holds more than 1024 KB of text or markup in one piece; a cell holds at most 32 KB"
            );
        }
        let fits = format!("<t>{}</t>", "长".repeat(300_000)).into_bytes();
        assert_eq!(read_all(part(fits, 8 << 20), 8 << 20), "read");
    }

    #[test]
    fn cell_references_formats_and_escapes() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("xfd1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("AAAA1"), None);
        assert_eq!(cell_ref("A99999999"), None);
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        for date in [
            "yyyy/m/d h:mm",
            "[$-804]yyyy\"年\"m\"月\"d\"日\"",
            "[h]:mm:ss",
            "h:mm AM/PM",
        ] {
            assert!(is_date_format(date), "{date}");
        }
        for not in ["0.00", "#,##0;[Red]-#,##0", "\"d\"0", "0_);(0)", "@"] {
            assert!(!is_date_format(not), "{not}");
        }
        assert_eq!(unescape_excel("a_x000D_b_x005F_x000D_"), "a\rb_x000D_");
        assert_eq!(unescape_excel("_xD83D__xDE00_"), "😀");
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
