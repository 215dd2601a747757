//! Safe writes: a desk-wide lock and atomic file replacement.

use crate::ticket::{Event, Ticket};
use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
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
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the desk lock {}", path.display()))?;
        file.lock()
            .with_context(|| format!("cannot lock the desk ({})", path.display()))?;
        Ok(DeskLock { file })
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
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".plaint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
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
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
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
