//! A writing command's files and their commit, as one unit under the desk lock.
//!
//! The lock is taken before the first write and held until the commit is made, so a commit
//! holds exactly the bytes this command wrote, authored by the one who wrote them: another
//! writer's event can neither slip into it nor be committed under this author's name.
//!
//! A command can still be killed between writing a file and committing it. So in a desk a
//! repository keeps, each file is named in `.plaint/uncommitted` (with its author) before it
//! is written, and the list is cleared once the commit is made. The next writer, on taking
//! the lock, commits whatever that list names as "recovered" under the author it names, and
//! removes a `.git/index.lock` that the stopped command left behind. `check` and `audit`
//! name the files while they wait.

use super::git;
use super::store::{self, DeskLock, STATE};
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of files written but not yet committed, in the desk's state directory.
pub const UNCOMMITTED: &str = "uncommitted";

/// What the command has written so far, the lock it holds, and whom it commits as.
#[derive(Default)]
pub struct Writes {
    paths: RefCell<Vec<PathBuf>>,
    lock: RefCell<Option<DeskLock>>,
    keeper: RefCell<Option<Keeper>>,
}

/// The repository that keeps the desk, and the author of this command's commit.
#[derive(Debug, Clone)]
struct Keeper {
    top: PathBuf,
    by: String,
}

impl Writes {
    /// The files written so far.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.paths.borrow().clone()
    }

    /// This command's writes are committed as `by`, when a repository keeps the desk.
    pub fn commit_as(&self, root: &Path, by: &str) {
        let top = git::keeping(root, &[root.to_path_buf()]);
        *self.keeper.borrow_mut() = top.map(|top| Keeper {
            top,
            by: by.to_string(),
        });
    }

    /// Takes the desk lock for the rest of the command (once), and first commits what a
    /// stopped writer left uncommitted.
    pub fn lock(&self, root: &Path) -> Result<std::cell::Ref<'_, DeskLock>> {
        if self.lock.borrow().is_none() {
            let lock = DeskLock::acquire(root)?;
            if let Some(msg) = recover(root)? {
                eprintln!("plaint: {msg}");
            }
            *self.lock.borrow_mut() = Some(lock);
        }
        Ok(std::cell::Ref::map(self.lock.borrow(), |l| {
            l.as_ref().expect("taken above")
        }))
    }

    /// Notes that `path` is about to be written (the lock is held): named in the list of
    /// uncommitted files first, when the desk is committed.
    pub fn will_write(&self, root: &Path, path: &Path) -> Result<()> {
        if let Some(k) = self.keeper.borrow().as_ref() {
            note_uncommitted(root, &k.by, path)?;
        }
        self.paths.borrow_mut().push(path.to_path_buf());
        Ok(())
    }

    /// Commits what was written (if a repository keeps the desk and anything was written),
    /// then lets the lock go. The files stay written whatever happens to the commit.
    pub fn commit(&self, root: &Path, message: &str) -> Result<Option<String>> {
        let result = (|| {
            let Some(k) = self.keeper.borrow().clone() else {
                return Ok(None);
            };
            let files: Vec<PathBuf> = self
                .paths()
                .iter()
                .filter_map(|p| fs::canonicalize(p).ok())
                .collect();
            if files.is_empty() {
                return Ok(None);
            }
            let sha = git::commit(&k.top, &files, &k.by, message)?;
            clear_uncommitted(root)?;
            Ok(sha)
        })();
        self.release();
        result
    }

    /// Lets the lock go without committing.
    pub fn release(&self) {
        self.lock.borrow_mut().take();
    }
}

fn list_path(root: &Path) -> PathBuf {
    root.join(STATE).join(UNCOMMITTED)
}

/// Appends `by<TAB>path` to the list, flushed to disk before the file is written.
fn note_uncommitted(root: &Path, by: &str, path: &Path) -> Result<()> {
    store::state_dir(root, "tmp")?;
    let list = list_path(root);
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&list)
        .with_context(|| format!("cannot write {}", list.display()))?;
    let by = by.replace(['\t', '\n'], " ");
    writeln!(f, "{by}\t{}", rel.display())
        .and_then(|_| f.sync_data())
        .with_context(|| format!("cannot write {}", list.display()))
}

fn clear_uncommitted(root: &Path) -> Result<()> {
    let list = list_path(root);
    match fs::remove_file(&list) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", list.display()))
        }
        _ => Ok(()),
    }
}

/// The files a stopped writer left uncommitted, with their authors, as the list names them
/// (those that still exist).
pub fn uncommitted(root: &Path) -> Vec<(String, PathBuf)> {
    let Ok(text) = store::read_regular(&list_path(root), 64 * 1024 * 1024) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    for line in String::from_utf8_lossy(&text).lines() {
        let Some((by, rel)) = line.split_once('\t') else {
            continue;
        };
        let path = root.join(rel);
        if path.is_file() && !out.iter().any(|(_, p)| *p == path) {
            out.push((by.to_string(), path));
        }
    }
    out
}

/// Commits what a stopped writer left uncommitted, each file under the author the list
/// names, and clears the list. The caller holds the desk lock, so no plaint is writing: a
/// `.git/index.lock` older than the list was left by the stopped command, and is removed.
fn recover(root: &Path) -> Result<Option<String>> {
    let list = list_path(root);
    let Ok(meta) = fs::metadata(&list) else {
        return Ok(None);
    };
    let left = uncommitted(root);
    let Some(top) = git::keeping(root, &[root.to_path_buf()]) else {
        clear_uncommitted(root)?;
        return Ok(None);
    };
    let mut said = Vec::new();
    if let Some(lock) = git::index_lock(&top)
        && let Ok(m) = fs::metadata(&lock)
        && let (Ok(locked), Ok(listed)) = (m.modified(), meta.modified())
        && locked >= listed
        && locked.elapsed().is_ok_and(|e| e.as_secs() >= 2)
    {
        fs::remove_file(&lock).with_context(|| format!("cannot remove {}", lock.display()))?;
        said.push(format!(
            "removed {} left by a stopped plaint",
            lock.display()
        ));
    }
    let mut authors: Vec<&str> = left.iter().map(|(b, _)| b.as_str()).collect();
    authors.sort();
    authors.dedup();
    let mut committed = 0;
    for by in authors {
        let files: Vec<PathBuf> = left
            .iter()
            .filter(|(b, _)| b == by)
            .filter_map(|(_, p)| fs::canonicalize(p).ok())
            .collect();
        let names: Vec<String> = files
            .iter()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        let message = format!(
            "recovered: {} written by {by} but not committed (plaint was stopped)",
            names.join(", ")
        );
        if git::commit(&top, &files, by, &message)?.is_some() {
            committed += files.len();
        }
    }
    clear_uncommitted(root)?;
    if committed > 0 {
        said.push(format!(
            "committed {committed} file{} a stopped writer left uncommitted (\"recovered\")",
            if committed == 1 { "" } else { "s" }
        ));
    }
    Ok((!said.is_empty()).then(|| said.join("; ")))
}
