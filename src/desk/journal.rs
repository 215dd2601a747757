//! An import lands whole or not at all, even under `kill -9` or a full disk.
//!
//! Under the desk lock, every new ticket is first written to `.plaint/import/` (the same
//! relative path it will have in the desk) and flushed to disk. Then the journal
//! (`.plaint/import.journal`, the list of those paths) is written atomically: that is the
//! moment the import happens. Then each file is renamed into place, the desk is flushed
//! again, and the journal and staging area are removed.
//!
//! A command that finds a journal finishes the moves (roll forward); one that finds a
//! staging area without a journal removes it (roll back). Either way the desk holds all of
//! the import or none of it.

use super::store::{self, STATE};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

const JOURNAL: &str = "import.journal";
const STAGING: &str = "import";

fn journal_path(root: &Path) -> PathBuf {
    root.join(STATE).join(JOURNAL)
}

fn staging_path(root: &Path) -> PathBuf {
    root.join(STATE).join(STAGING)
}

/// Whether an interrupted import is waiting to be finished.
pub fn pending(root: &Path) -> bool {
    journal_path(root).exists()
}

/// A staging area for one import; the caller holds the desk lock.
pub struct Import {
    root: PathBuf,
    staging: PathBuf,
    files: Vec<PathBuf>,
}

impl Import {
    /// Starts an import: an empty staging area.
    pub fn begin(root: &Path) -> Result<Import> {
        let staging = staging_path(root);
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        store::state_dir(root, STAGING)?;
        Ok(Import {
            root: root.to_path_buf(),
            staging,
            files: Vec::new(),
        })
    }

    /// Where the file that will land at `rel` (relative to the desk) is staged.
    pub fn staged(&self, rel: &Path) -> PathBuf {
        self.staging.join(rel)
    }

    /// Records that a file was staged for `rel` (the caller wrote it to `staged(rel)`).
    pub fn add(&mut self, rel: PathBuf) {
        self.files.push(rel);
    }

    /// Flushes the staged files, commits the journal and moves every file into place. On
    /// an error before the journal is written, nothing lands; after it, the moves made so
    /// far are undone where possible, else the next command completes them.
    pub fn commit(self) -> Result<usize> {
        let done = (|| -> Result<()> {
            store::sync_desk(&self.root)?;
            let list: String = self
                .files
                .iter()
                .map(|p| format!("{}\n", p.display()))
                .collect();
            store::write_atomic(&self.root, &journal_path(&self.root), list.as_bytes(), true)
        })();
        if let Err(e) = done {
            self.abandon();
            return Err(e.context("nothing was imported"));
        }
        let mut moved: Vec<&PathBuf> = Vec::new();
        for rel in &self.files {
            if let Err(e) = place(&self.root, &self.staging, rel) {
                // Undo what landed, so that the import is all or nothing here and now.
                let undone = moved
                    .iter()
                    .all(|m| fs::rename(self.root.join(m), self.staging.join(m)).is_ok());
                if undone && fs::remove_file(journal_path(&self.root)).is_ok() {
                    self.abandon();
                    return Err(e.context("nothing was imported"));
                }
                return Err(e.context(
                    "the import stopped half way; the next plaint command in this desk completes it",
                ));
            }
            moved.push(rel);
        }
        finish(&self.root)?;
        Ok(self.files.len())
    }

    /// Removes the staging area: nothing of this import lands.
    pub fn abandon(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Moves one staged file into the desk (never over an existing file).
fn place(root: &Path, staging: &Path, rel: &Path) -> Result<()> {
    let from = staging.join(rel);
    let to = root.join(rel);
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if to.exists() {
        bail!(
            "{} already exists; an import never replaces a ticket",
            to.display()
        );
    }
    fs::rename(&from, &to).with_context(|| format!("cannot move {} into the desk", rel.display()))
}

/// Flushes the moves, then forgets the journal and the staging area.
fn finish(root: &Path) -> Result<()> {
    store::sync_desk(root)?;
    fs::remove_file(journal_path(root)).context("cannot remove the import journal")?;
    let _ = fs::remove_dir_all(staging_path(root));
    if let Ok(d) = fs::File::open(root.join(STATE)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Finishes or rolls back an import that was interrupted; the caller holds the desk lock.
/// Returns a line for the user when there was anything to do.
pub fn recover(root: &Path) -> Result<Option<String>> {
    let journal = journal_path(root);
    let staging = staging_path(root);
    if !journal.exists() {
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
            return Ok(Some(
                "an interrupted import had not landed; it was rolled back (import the file again)"
                    .into(),
            ));
        }
        return Ok(None);
    }
    let list =
        String::from_utf8_lossy(&store::read_regular(&journal, 256 * 1024 * 1024)?).into_owned();
    let mut n = 0;
    for rel in list
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
    {
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| c == std::path::Component::ParentDir)
        {
            bail!(
                "{}: '{}' is not a path inside the desk; remove the journal by hand",
                journal.display(),
                rel.display()
            );
        }
        if staging.join(&rel).exists() {
            place(root, &staging, &rel)?;
        }
        n += 1;
    }
    finish(root)?;
    Ok(Some(format!(
        "completed an interrupted import of {n} complaint{}",
        if n == 1 { "" } else { "s" }
    )))
}
