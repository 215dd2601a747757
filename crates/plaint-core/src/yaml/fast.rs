//! A fast reader for the block-style YAML that plaint itself writes (ticket files).
//!
//! A report reads every ticket of the desk, and a general YAML parser spends most of a
//! report's time there. Ticket files are written by one emitter in one style, so this
//! reader understands exactly that style (block mappings and sequences, plain, quoted and
//! literal block scalars) and gives up on anything else (comments, flow collections,
//! anchors, tags, folded scalars, odd indentation), leaving that file to the full parser.
//! Whatever it does accept it reads the way the full parser would; tests compare the two.

use serde::de::{
    self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use std::borrow::Cow;
use std::fmt;

/// What the reader builds: YAML's data model, borrowing text where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// Reads `text` into `T`, or `None` when the text is beyond this reader or does not fit `T`
/// (the caller then asks the full parser, which explains what is wrong and where).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    T::deserialize(parse(text)?).ok()
}

/// Parses `text`, or `None` when it uses anything beyond plaint's own style.
pub fn parse(text: &str) -> Option<Node<'_>> {
    // Tabs, carriage returns, other control characters (C0, DEL and C1), the noncharacters
    // U+FFFE and U+FFFF (not printable to YAML; found by fuzzing), a BOM or a document
    // marker, the line and paragraph separators: beyond plaint's own style; the full
    // parser decides.
    let b = text.as_bytes();
    // Every file is scanned byte by byte: only the bytes that may begin something odd are
    // looked at closely.
    let odd = b.iter().enumerate().any(|(i, &c)| {
        MAY_BE_ODD[c as usize]
            && ((c < 0x20 && c != b'\n')
                || c == 0x7f
                || (c == 0xc2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
                || (c == 0xef
                    && b.get(i + 1) == Some(&0xbf)
                    && matches!(b.get(i + 2), Some(0xbe | 0xbf)))
                // U+2028 and U+2029 end a line in YAML 1.1 (found by fuzzing).
                || (c == 0xe2
                    && b.get(i + 1) == Some(&0x80)
                    && matches!(b.get(i + 2), Some(0xa8 | 0xa9))))
    });
    if odd || text.starts_with("---") || text.starts_with('\u{feff}') {
        return None;
    }
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .map(|l| {
            let ind = l.len() - l.trim_start_matches(' ').len();
            (ind, &l[ind..])
        })
        .collect();
    // plaint's own files indent a few levels; deep indentation (or `- - - ...` nesting) is
    // left to the full path, which refuses it before parsing.
    if lines
        .iter()
        .any(|(ind, l)| *ind > 16 || l.starts_with("- - ") || l.starts_with("- -\n"))
    {
        return None;
    }
    let mut p = Parser { lines, pos: 0 };
    // A trailing newline leaves one empty last line.
    if p.lines.last().is_some_and(|(_, c)| c.is_empty()) {
        p.lines.pop();
    }
    if p.lines.is_empty() {
        return Some(Node::Null);
    }
    let v = p.block(0)?;
    (p.pos == p.lines.len()).then_some(v)
}

/// The bytes that begin what `parse` leaves to the full parser: control characters but the
/// newline, DEL, and the lead bytes of C1 controls, U+FFFE/U+FFFF and U+2028/U+2029.
static MAY_BE_ODD: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = c != b'\n' as usize;
        c += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xe2] = true;
    t[0xef] = true;
    t
};

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl<'de, 'a> Deserializer<'de> for Node<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => v.visit_unit(),
            Node::Bool(b) => v.visit_bool(b),
            Node::Int(i) => v.visit_i64(i),
            Node::Float(f) => v.visit_f64(f),
            Node::Str(Cow::Borrowed(s)) => v.visit_str(s),
            Node::Str(Cow::Owned(s)) => v.visit_string(s),
            Node::Seq(items) => v.visit_seq(Items(items.into_iter())),
            Node::Map(entries) => v.visit_map(Entries {
                it: entries.into_iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => v.visit_none(),
            other => v.visit_some(other),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Str(s) => v.visit_enum(s.into_owned().into_deserializer()),
            _ => Err(de::Error::custom("expected a name")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items<'a>(std::vec::IntoIter<Node<'a>>);

impl<'de, 'a> SeqAccess<'de> for Items<'a> {
    type Error = Error;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|n| seed.deserialize(n)).transpose()
    }
}

struct Entries<'a> {
    it: std::vec::IntoIter<(&'a str, Node<'a>)>,
    value: Option<Node<'a>>,
}

impl<'de, 'a> MapAccess<'de> for Entries<'a> {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.it.next() {
            Some((k, v)) => {
                self.value = Some(v);
                let key: de::value::StrDeserializer<'_, Error> = k.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.value.take().unwrap_or(Node::Null))
    }
}

struct Parser<'a> {
    lines: Vec<(usize, &'a str)>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn block(&mut self, indent: usize) -> Option<Node<'a>> {
        let &(ind, content) = self.lines.get(self.pos)?;
        if ind != indent || content.is_empty() {
            return None;
        }
        if content == "-" || content.starts_with("- ") {
            self.seq(indent)
        } else {
            self.map(indent)
        }
    }

    fn map(&mut self, indent: usize) -> Option<Node<'a>> {
        let mut map: Vec<(&'a str, Node<'a>)> = Vec::new();
        while let Some(&(ind, content)) = self.lines.get(self.pos) {
            if content.is_empty() || content.starts_with('#') {
                return None;
            }
            if ind < indent || (ind == indent && (content == "-" || content.starts_with("- "))) {
                break;
            }
            if ind > indent {
                return None;
            }
            let (key, rest) = split_key(content)?;
            if map.iter().any(|(k, _)| *k == key) {
                return None;
            }
            self.pos += 1;
            let value = if rest.is_empty() {
                match self.lines.get(self.pos) {
                    Some(&(i, c)) if i == indent && (c == "-" || c.starts_with("- ")) => {
                        self.seq(indent)?
                    }
                    Some(&(i, c)) if i > indent && !c.is_empty() => self.block(i)?,
                    _ => Node::Null,
                }
            } else if rest.starts_with('|') {
                self.literal(indent, rest)?
            } else {
                scalar(rest)?
            };
            map.push((key, value));
        }
        Some(Node::Map(map))
    }

    fn seq(&mut self, indent: usize) -> Option<Node<'a>> {
        let mut items = Vec::new();
        while let Some(&(ind, content)) = self.lines.get(self.pos) {
            if ind < indent || content.is_empty() {
                break;
            }
            if ind > indent {
                return None;
            }
            if !(content == "-" || content.starts_with("- ")) {
                // A key of the enclosing mapping, at the sequence's own indentation.
                break;
            }
            let rest = content.strip_prefix("- ").unwrap_or("");
            // More than one space after the dash is not plaint's style (found by fuzzing:
            // `-  x` is the item `x` to the library); leave it to the library.
            if rest.is_empty() || rest.starts_with(['-', '|', ' ']) {
                return None;
            }
            if split_key(rest).is_some() {
                // `- key: value` opens a mapping whose keys sit two columns in.
                self.lines[self.pos] = (indent + 2, rest);
                items.push(self.map(indent + 2)?);
            } else {
                self.pos += 1;
                items.push(scalar(rest)?);
            }
        }
        Some(Node::Seq(items))
    }

    /// A literal block scalar (`|`, `|-`, `|+`, with an optional indentation digit).
    fn literal(&mut self, indent: usize, header: &str) -> Option<Node<'a>> {
        let h = &header[1..];
        let (mut chomp, mut explicit) = ('c', None);
        for c in h.chars() {
            match c {
                '-' | '+' if chomp == 'c' => chomp = c,
                '1'..='9' if explicit.is_none() => explicit = c.to_digit(10).map(|d| d as usize),
                _ => return None,
            }
        }
        let content_indent = match explicit {
            Some(d) => indent + d,
            None => {
                let first = self.lines[self.pos..].iter().find(|(_, c)| !c.is_empty())?;
                first.0
            }
        };
        if content_indent <= indent {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        while let Some(&(ind, content)) = self.lines.get(self.pos) {
            if content.is_empty() {
                out.push(" ".repeat(ind.saturating_sub(content_indent)));
            } else if ind >= content_indent {
                out.push(format!("{}{content}", " ".repeat(ind - content_indent)));
            } else {
                break;
            }
            self.pos += 1;
        }
        // Trailing empty lines belong to the chomping, not the text.
        let mut trailing = 0;
        while out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
            trailing += 1;
        }
        // Whitespace-only lines at the end would need the full parser's judgement.
        if out.last().is_some_and(|l| l.trim().is_empty()) {
            return None;
        }
        let mut s = out.join("\n");
        match chomp {
            '-' => {}
            '+' => {
                if !out.is_empty() {
                    s.push('\n');
                }
                s.push_str(&"\n".repeat(trailing));
            }
            _ => {
                if !out.is_empty() {
                    s.push('\n');
                }
            }
        }
        Some(Node::Str(Cow::Owned(s)))
    }
}

/// `key: rest` or `key:` with a plain key.
fn split_key(content: &str) -> Option<(&str, &str)> {
    let (key, rest) = match find2(content, b": ") {
        Some(i) => (&content[..i], content[i + 2..].trim_start_matches(' ')),
        None => (content.strip_suffix(':')?, ""),
    };
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && key.as_bytes()[0].is_ascii_alphabetic();
    ok.then_some((key, rest))
}

fn scalar(s: &str) -> Option<Node<'_>> {
    let s = s.trim_end_matches(' ');
    match s.as_bytes().first()? {
        b'\'' => single(s).map(Node::Str),
        b'"' => double(s).map(|x| Node::Str(Cow::Owned(x))),
        // YAML's indicators cannot start a plain scalar (found by fuzzing: `]x`).
        b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`'
        | b'#' | b',' | b'?' | b':' => None,
        b'-' if s == "-" || s.starts_with("- ") || s.starts_with("---") => None,
        _ => plain(s),
    }
}

fn single(s: &str) -> Option<Cow<'_, str>> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    if !inner.contains('\'') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(Cow::Owned(out))
}

fn double(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let e = chars.next()?;
                out.push(match e {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                        if hex.len() != n {
                            return None;
                        }
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                    }
                    _ => return None,
                });
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A plain scalar, resolved as YAML 1.2's core schema does.
fn plain(s: &str) -> Option<Node<'_>> {
    if find2(s, b": ").is_some() || find2(s, b" #").is_some() || s.ends_with(':') {
        return None;
    }
    Some(match s {
        "null" | "Null" | "NULL" | "~" => Node::Null,
        "true" | "True" | "TRUE" => Node::Bool(true),
        "false" | "False" | "FALSE" => Node::Bool(false),
        _ => {
            let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
            // The library reads `06` as text, not a number (found by fuzzing): leave such
            // values to it.
            if digits.len() > 1 && digits.starts_with('0') {
                return None;
            }
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return s.trim_start_matches('+').parse::<i64>().ok().map(Node::Int);
            }
            // A float starts with a digit or a point.
            if digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && looks_like_float(digits)
            {
                let f: f64 = s.parse().ok()?;
                return f.is_finite().then_some(Node::Float(f));
            }
            if digits.starts_with('.') || digits.starts_with("0x") || digits.starts_with("0o") {
                return None;
            }
            Node::Str(Cow::Borrowed(s))
        }
    })
}

/// Where the two bytes `pair` first occur in `s`: for the short texts of a ticket, quicker
/// than setting up `str::find`'s searcher.
fn find2(s: &str, pair: &[u8; 2]) -> Option<usize> {
    s.as_bytes().windows(2).position(|w| w == pair)
}

fn looks_like_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (w, f) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (mantissa.contains('.') || exp.is_some())
        && digits(w)
        && digits(f)
        && !(w.is_empty() && f.is_empty());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn to_json(n: Node) -> Value {
        match n {
            Node::Null => Value::Null,
            Node::Bool(b) => json!(b),
            Node::Int(i) => json!(i),
            Node::Float(f) => json!(f),
            Node::Str(s) => json!(s),
            Node::Seq(v) => Value::Array(v.into_iter().map(to_json).collect()),
            Node::Map(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| (k.to_string(), to_json(v)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn the_shapes_plaint_writes() {
        let text = "id: 202611-0001\nphone: '13800000000'\nheadcount: 3\nflags:\n- safety\n- media\ndescription: |-\n  第一行\n\n  第三行\nevents:\n- at: 2026-11-02T10:00:00+08:00\n  kind: assign\n  cooperating:\n  - marketing\n  note: \"a\\tb \\\"c\\\"\"\n- at: x\n  kind: forward\n";
        let v = to_json(parse(text).unwrap());
        assert_eq!(
            v,
            json!({
                "id": "202611-0001", "phone": "13800000000", "headcount": 3,
                "flags": ["safety", "media"], "description": "第一行\n\n第三行",
                "events": [
                    {"at": "2026-11-02T10:00:00+08:00", "kind": "assign", "cooperating": ["marketing"], "note": "a\tb \"c\""},
                    {"at": "x", "kind": "forward"}
                ]
            })
        );
        assert_eq!(
            to_json(parse("events:\n").unwrap()),
            json!({"events": null})
        );
    }

    #[test]
    fn anything_else_is_left_to_the_full_parser() {
        for t in [
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "# comment\na: 1\n",
            "a: 1 # note\n",
            "a: &x 1\n",
            "a: !tag 1\n",
            "a: >\n  folded\n",
            "a: 'unclosed\n",
            "a: 1\na: 2\n",
            "a:\n\tb: 1\n",
            "a: \"multi\n  line\"\n",
            "a: b: c\n",
            "- - x\n",
            "a: 0x1F\n",
            "a: .inf\n",
        ] {
            assert!(parse(t).is_none(), "{t:?} should fall back");
        }
    }
}
