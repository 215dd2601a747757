//! Safe writes: a desk-wide lock, atomic replacement, and the desk's own state directory
//! (`.plaint/`: staged writes, the import journal), which git ignores.

use crate::ticket::{Event, Ticket};
use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The desk's state directory: never part of the record.
pub const STATE: &str = ".plaint";

/// `DESK/.plaint/NAME`, created (with a `.gitignore` that ignores it all) when missing.
pub fn state_dir(root: &Path, name: &str) -> Result<PathBuf> {
    let state = root.join(STATE);
    let dir = state.join(name);
    if !dir.is_dir() {
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let ignore = state.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "*\n")
                .with_context(|| format!("cannot write {}", ignore.display()))?;
        }
    }
    Ok(dir)
}

/// Held while a command writes, so concurrent writers take turns and never mint one ID twice.
pub struct DeskLock {
    file: File,
}

impl DeskLock {
    pub const FILE: &'static str = ".plaint.lock";

    /// Takes the lock. Whatever is left in the staging directory then belongs to a writer
    /// that was killed (nobody else can be writing): it is removed.
    pub fn acquire(root: &Path) -> Result<DeskLock> {
        let path = root.join(Self::FILE);
        // A FIFO or device in its place would block the command forever.
        if let Ok(m) = fs::symlink_metadata(&path)
            && !m.is_file()
        {
            anyhow::bail!(
                "the desk lock {} is not a regular file; remove it (plaint makes it again)",
                path.display()
            );
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the desk lock {}", path.display()))?;
        file.lock()
            .with_context(|| format!("cannot lock the desk ({})", path.display()))?;
        let tmp = root.join(STATE).join("tmp");
        if let Ok(entries) = fs::read_dir(&tmp) {
            for e in entries.flatten() {
                let _ = fs::remove_file(e.path());
            }
        }
        if let Some(msg) = super::journal::recover(root)? {
            eprintln!("plaint: {msg}");
        }
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

/// The largest rulebook plaint reads (the default one is about 20 KB).
pub const MAX_RULEBOOK: u64 = 4 * 1024 * 1024;

/// Reads a file plaint keeps, refusing what is no regular file (a FIFO would block the
/// command forever, a device would never end) and anything larger than `limit` bytes, so a
/// hostile file costs bounded memory and time.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        anyhow::bail!(
            "{} is not a regular file (a FIFO, device or directory); plaint reads only regular files",
            path.display()
        );
    }
    if meta.len() > limit {
        anyhow::bail!(
            "{} is {} bytes, over the size limit of {} bytes",
            path.display(),
            meta.len(),
            limit
        );
    }
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut out)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if out.len() as u64 > limit {
        anyhow::bail!(
            "{} grew over the size limit of {limit} bytes while read",
            path.display()
        );
    }
    Ok(out)
}

/// Writes `bytes` to `path` (under the desk `root`) so that a crash leaves either the old
/// file or the new one: staged in `.plaint/tmp`, flushed to disk, then renamed over the
/// target. With `new_file`, an existing file is never replaced. A new file gets the mode the
/// umask gives; a replaced one keeps its mode and group, so a desk shared by several
/// accounts (a cron user, an auditor) stays readable by all of them.
pub fn write_atomic(root: &Path, path: &Path, bytes: &[u8], new_file: bool) -> Result<()> {
    let tmp = staged(root, path, bytes)?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    persist(tmp, path, new_file)?;
    // The rename itself must reach the disk too.
    if let Ok(d) = File::open(path.parent().unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Renames a staged file into place.
fn persist(tmp: tempfile::NamedTempFile, path: &Path, new_file: bool) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let r = if new_file {
        tmp.persist_noclobber(path)
    } else {
        tmp.persist(path)
    };
    match r {
        Ok(_) => Ok(()),
        // tickets/ on another file system than the desk's root: stage beside the target.
        Err(e) if e.error.kind() == std::io::ErrorKind::CrossesDevices => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let mut beside = tempfile::Builder::new()
                .prefix(".plaint-")
                .suffix(".tmp")
                .tempfile_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut staged = e.file.reopen()?;
            std::io::copy(&mut staged, beside.as_file_mut())?;
            copy_access(beside.as_file(), path)?;
            beside.as_file().sync_all()?;
            persist(beside, path, new_file)
        }
        Err(e) => Err(e.error).with_context(|| {
            format!(
                "cannot {} {}",
                if new_file { "create" } else { "replace" },
                path.display()
            )
        }),
    }
}

/// `bytes` in a temporary file in the desk's staging directory, ready to be renamed over
/// `path`, with the access `path` has (or the umask's, for a new file).
fn staged(root: &Path, path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = state_dir(root, "tmp")?;
    let mut b = tempfile::Builder::new();
    b.prefix("w-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created like any new file: 0666 less the umask.
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = b
        .tempfile_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    copy_access(tmp.as_file(), path)?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(tmp)
}

/// Gives `file` the mode and group of the existing `path` (nothing when it does not exist).
/// The group is kept where the process may set it; elsewhere the directory's default stands.
fn copy_access(file: &File, path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Ok(old) = fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        file.set_permissions(old.permissions())
            .with_context(|| format!("cannot set the mode of {}", path.display()))?;
        if file.metadata().is_ok_and(|m| m.gid() != old.gid()) {
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// Creates a new file in a private staging area without waiting for the disk: imports
/// stage every ticket this way and flush them all at once before they commit.
pub fn write_staged(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut f =
        File::create_new(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
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

/// Why appending an event to a ticket file written as `text` would not read back as one
/// more event, for the person who has to fix the file.
pub fn layout_problem(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.iter().position(|l| l.starts_with("events:")) else {
        return Some(
            "it has no `events:` line at the left margin (is it written in JSON or flow style?)"
                .into(),
        );
    };
    let rest = lines[at]["events:".len()..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return Some(format!(
            "line {}: its events are written on the `events:` line itself (`events: {}`); plaint appends each event on lines of its own below `events:`",
            at + 1,
            crate::output::clip(rest)
        ));
    }
    if let Some(k) = lines[at + 1..].iter().position(|l| {
        !l.is_empty() && !l.starts_with(' ') && !l.starts_with('-') && !l.starts_with('#')
    }) {
        return Some(format!(
            "line {}: `{}` comes after `events:`, so an event added at the end would not belong to the list",
            at + k + 2,
            crate::output::clip(lines[at + k + 1])
        ));
    }
    None
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
        "]x",
        "}y",
        "06",
        "-007",
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
            fingerprint: None,
            unrecorded: vec!["forward".into()],
            events: vec![
                Event {
                    at,
                    by: s.to_string(),
                    action: Action::Forward(Note {
                        note: Some(s.to_string()),
                    }),
                    entered_at: Some(at),
                    source: Some(s.to_string()),
                    entered_by: Some(format!("{s} 管理员")),
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
                    entered_by: None,
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
                    entered_by: None,
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
