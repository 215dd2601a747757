//! Safe writes: a desk-wide lock and atomic file replacement.

use crate::ticket::{Event, Ticket};
use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Held while a command writes, so concurrent writers take turns and never mint one ID twice.
pub struct DeskLock {
    file: File,
}

impl DeskLock {
    pub const FILE: &'static str = ".plaint.lock";

    pub fn acquire(root: &Path) -> Result<DeskLock> {
        fs::create_dir_all(root)
            .with_context(|| format!("cannot create the desk {}", root.display()))?;
        let path = root.join(Self::FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the desk lock {}", path.display()))?;
        file.lock()
            .with_context(|| format!("cannot lock the desk ({})", path.display()))?;
        Ok(DeskLock { file })
    }

    /// The last serial minted per `<prefix><YYYYMM>`, as remembered in the lock file. Only a
    /// hint: `id::next_serial` checks it against the month's files.
    pub fn serials(&self) -> std::collections::BTreeMap<String, u64> {
        let mut text = String::new();
        let _ = (&self.file).seek(SeekFrom::Start(0));
        let _ = (&self.file).read_to_string(&mut text);
        text.lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect()
    }

    /// Remembers the last serials minted. Losing this (a crash, a fresh clone) costs only a
    /// read of the month's directory next time.
    pub fn remember(&self, serials: &std::collections::BTreeMap<String, u64>) {
        let text: String = serials.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
        let mut f = &self.file;
        let _ = f
            .set_len(0)
            .and_then(|_| f.seek(SeekFrom::Start(0)))
            .and_then(|_| f.write_all(text.as_bytes()));
    }
}

impl Drop for DeskLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one:
/// a temporary file in the same directory, flushed to disk, then renamed over the target.
/// With `new_file`, an existing file is never replaced.
pub fn write_atomic(path: &Path, bytes: &[u8], new_file: bool) -> Result<()> {
    let tmp = staged(path, bytes)?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    if new_file {
        tmp.persist_noclobber(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot create {}", path.display()))?;
    } else {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot replace {}", path.display()))?;
    }
    // The rename itself must reach the disk too.
    if let Ok(d) = File::open(path.parent().unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `bytes` in a temporary file beside `path`, ready to be renamed over it.
fn staged(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".plaint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(tmp)
}

/// Creates a new file (temporary file renamed into place, never replacing one) without
/// waiting for the disk: for batch imports, which call `sync_desk` once at the end.
pub fn write_new_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    staged(path, bytes)?
        .persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

/// Flushes everything written under `root` to disk in one call.
pub fn sync_desk(root: &Path) -> Result<()> {
    let dir = File::open(root).with_context(|| format!("cannot open {}", root.display()))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs takes any open descriptor on the file system to flush.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error()).context("cannot flush the desk to disk");
        }
    }
    #[cfg(not(target_os = "linux"))]
    dir.sync_all().context("cannot flush the desk to disk")?;
    Ok(())
}

/// A ticket file's text: intake facts, then `events:` and each event as a list item.
pub fn ticket_text(ticket: &Ticket) -> Result<String> {
    let mut head = ticket.clone();
    head.events = Vec::new();
    let mut text = crate::yaml::to_string(&head)?;
    // Serialising an empty list would write `events: []`, which the first appended event
    // would have to rewrite; an empty `events:` lets every event be added below it.
    let at = text
        .rfind("events:")
        .context("a ticket always serialises its events key")?;
    text.truncate(at);
    text.push_str("events:\n");
    for e in &ticket.events {
        text.push_str(&event_text(e)?);
    }
    Ok(text)
}

/// One event as a YAML list item, ready to append to a ticket file.
pub fn event_text(event: &Event) -> Result<String> {
    crate::yaml::to_string(&[event])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::ticket::{Action, Callback, Event, Note, Plan};
    use crate::time::{parse_moment, parse_offset};

    const AWKWARD: &[&str] = &[
        "a: b",
        "'quoted'",
        "\"dq\"",
        " leading space",
        "trailing space ",
        "#hash",
        "x #y",
        "- dash",
        "123",
        "12.5",
        "true",
        "null",
        "~",
        "多行\n文本",
        "line\n",
        "\n\nlead",
        "tab\there",
        "😀",
        "back\\slash",
        "colon:",
        "?q",
        "@at",
        "%p",
        "`b",
        "[x]",
        "{y}",
        "*z",
        "&a",
        "!b",
        "|c",
        ">d",
        "0x1F",
        ".5",
        "1e3",
        "+1",
        "-1",
        "2026-11-02",
        "yes",
        "no",
        "on",
        "Y",
        "\u{85}x",
        "，：",
        "  two\n  lines  ",
        "end\n\n",
        "a'b",
        "a\"b",
        "---",
        "...",
        "-",
        "a\r\nb",
        "x: y\n- z",
        "0o17",
        ".inf",
        "NaN",
        "1_000",
        "=",
        "<<",
        "业主说:\"再不修就找媒体\"",
    ];

    fn ticket(s: &str, i: usize) -> Ticket {
        let off = parse_offset("+08:00").unwrap();
        let at = parse_moment("2026-11-02 10:00", off).unwrap();
        Ticket {
            id: format!("202611-{:04}", i + 1),
            ext_ref: Some(s.to_string()),
            project: "实力北岸".into(),
            received_at: at,
            received_by: "customer-service".into(),
            channel: "phone".into(),
            logged_by: Some(s.to_string()),
            name: s.to_string(),
            phone: "138".into(),
            unit: Some(s.to_string()),
            subject: s.to_string(),
            description: Some(format!("{s}\n{s}")),
            request: Some(s.to_string()),
            headcount: 2,
            flags: vec![s.to_string(), "safety".into()],
            compensation: Some(Money(123456)),
            target: Some(s.to_string()),
            type_: None,
            entered_at: None,
            source: Some(format!("{s}:2")),
            unrecorded: vec![crate::rules::Step::Forward],
            events: vec![
                Event {
                    at,
                    by: s.to_string(),
                    action: Action::Forward(Note {
                        note: Some(s.to_string()),
                    }),
                    entered_at: Some(at),
                    source: Some(s.to_string()),
                },
                Event {
                    at,
                    by: "x".into(),
                    action: Action::Plan(Box::new(Plan {
                        action: s.to_string(),
                        start: None,
                        finish: Some(at),
                        cost: Some(Money(50)),
                        note: None,
                    })),
                    entered_at: None,
                    source: None,
                },
                Event {
                    at,
                    by: "x".into(),
                    action: Action::Callback(Box::new(Callback {
                        timeliness: 9,
                        plan: 0,
                        attitude: 10,
                        acknowledged: Some(true),
                        visited: None,
                        comment: Some(s.to_string()),
                    })),
                    entered_at: None,
                    source: None,
                },
            ],
        }
    }

    /// Whatever the fast reader accepts, it reads exactly as the full parser does.
    #[test]
    fn the_fast_reader_agrees_with_the_full_parser() {
        let mut fast_hits = 0;
        for (i, s) in AWKWARD.iter().enumerate() {
            let text = ticket_text(&ticket(s, i)).unwrap();
            let full: Ticket =
                crate::yaml::from_str(&text).unwrap_or_else(|e| panic!("{s:?}: {e}\n{text}"));
            if let Some(fast) = crate::yaml::fast::from_str::<Ticket>(&text) {
                fast_hits += 1;
                assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{s:?}:\n{text}");
            }
            let via = crate::yaml::from_str_fast::<Ticket>(&text).unwrap();
            assert_eq!(format!("{via:?}"), format!("{full:?}"));
        }
        eprintln!("fast hits: {fast_hits} of {}", AWKWARD.len());
        // Most of what plaint writes takes the fast road.
        assert!(
            fast_hits * 10 >= AWKWARD.len() * 8,
            "{fast_hits} of {}",
            AWKWARD.len()
        );
    }
}
