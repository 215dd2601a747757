//! The desk in git: the clone's site code, a commit per step, the merge driver's setup, and
//! the history `plaint audit` reads. Everything here runs the `git` program; outside a git
//! work tree (or without git installed) plaint works on plain files and none of this runs.

use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The merge driver's name in `.gitattributes` and the clone's git config.
pub const DRIVER: &str = "plaint-ticket";

/// `git -C dir ARGS`, never prompting, in the C locale.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    c
}

fn run(dir: &Path, args: &[&str]) -> Result<Output> {
    command(dir, args)
        .output()
        .with_context(|| format!("cannot run git {}", args.join(" ")))
}

/// Standard output of a git command that must succeed.
pub fn out(dir: &Path, args: &[&str]) -> Result<String> {
    let o = run(dir, args)?;
    if !o.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Whether the desk may be in a git repository: a `.git` in it or above it (or `$GIT_DIR`).
/// Checked before running git at all, so that a desk outside git pays nothing for git.
fn maybe_git(desk: &Path) -> bool {
    if std::env::var_os("GIT_DIR").is_some() {
        return true;
    }
    let Ok(abs) = std::fs::canonicalize(desk) else {
        return false;
    };
    abs.ancestors().any(|d| d.join(".git").exists())
}

/// The top of the git work tree the desk is in, if it is in one.
pub fn work_tree(desk: &Path) -> Option<PathBuf> {
    if !maybe_git(desk) {
        return None;
    }
    let o = run(desk, &["rev-parse", "--show-toplevel"]).ok()?;
    o.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

fn config(dir: &Path, key: &str) -> Option<String> {
    let o = run(dir, &["config", "--get", key]).ok()?;
    let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
    (o.status.success() && !v.is_empty()).then_some(v)
}

/// A site code: letters and digits, up to 16, so IDs stay short and file names portable.
pub fn check_site(code: &str) -> Result<String> {
    let c = code.trim();
    if c.is_empty() || c.len() > 16 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        bail!("'{c}' is not a site code: use 1 to 16 letters or digits, like KM or DL2");
    }
    Ok(c.to_string())
}

/// This clone's site code: `$PLAINT_SITE`, else the clone's git config `plaint.site`.
/// IDs minted here carry it, so two clones of one desk never mint the same ID.
pub fn site(desk: &Path) -> Result<Option<String>> {
    if let Ok(s) = std::env::var("PLAINT_SITE")
        && !s.trim().is_empty()
    {
        return check_site(&s)
            .map(Some)
            .map_err(|e| anyhow!("$PLAINT_SITE: {e}"));
    }
    if !maybe_git(desk) {
        return Ok(None);
    }
    match config(desk, "plaint.site") {
        Some(s) => check_site(&s)
            .map(Some)
            .map_err(|e| anyhow!("git config plaint.site: {e}")),
        None => Ok(None),
    }
}

/// Whether this clone has the merge driver the desk's `.gitattributes` asks for.
pub fn driver_configured(desk: &Path) -> bool {
    config(desk, &format!("merge.{DRIVER}.driver")).is_some()
}

/// Sets up a clone: its site code and the merge driver (in the clone's own git config; the
/// shared rulebook is left alone).
pub fn setup_clone(desk: &Path, site: Option<&str>, exe: &Path) -> Result<()> {
    if let Some(s) = site {
        out(desk, &["config", "plaint.site", s])?;
    }
    out(
        desk,
        &[
            "config",
            &format!("merge.{DRIVER}.name"),
            "plaint: ticket files only grow, so appends on both sides merge",
        ],
    )?;
    let driver = format!("'{}' merge-ticket %O %A %B %P", exe.display());
    out(
        desk,
        &["config", &format!("merge.{DRIVER}.driver"), &driver],
    )?;
    Ok(())
}

/// Whether git ignores any of `files` (paths inside the work tree `top`): a desk in an
/// ignored directory (a build directory, a scratch copy) is not kept in that repository.
pub fn ignored(top: &Path, files: &[PathBuf]) -> bool {
    let mut c = command(top, &["check-ignore", "--quiet", "--stdin"]);
    c.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let Ok(mut child) = c.spawn() else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        for f in files {
            let rel = f.strip_prefix(top).unwrap_or(f);
            let _ = writeln!(stdin, "{}", rel.display());
        }
    }
    // check-ignore exits 0 when at least one path is ignored.
    child.wait().is_ok_and(|s| s.success())
}

/// Commits exactly `files` (paths inside the work tree), authored by `by`, leaving every
/// other change in the repository, staged or not, as it was.
pub fn commit(top: &Path, files: &[PathBuf], by: &str, message: &str) -> Result<()> {
    let rel: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(top)
                .unwrap_or(f)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    if rel.is_empty() {
        bail!("nothing to commit");
    }
    // Paths go through a file, not the command line: an import commits thousands.
    let list = tempfile::NamedTempFile::new().context("cannot write the list of files")?;
    std::fs::write(list.path(), rel.join("\n") + "\n")?;
    let spec = format!("--pathspec-from-file={}", list.path().display());
    out(top, &["add", &spec])?;
    let mut c = command(top, &["commit", "--quiet", "--only", "-m", message, &spec]);
    c.env("GIT_AUTHOR_NAME", by).env("GIT_AUTHOR_EMAIL", "");
    if config(top, "user.name").is_none() {
        c.env("GIT_COMMITTER_NAME", by)
            .env("GIT_COMMITTER_EMAIL", "");
    }
    let o = c.output().context("cannot run git commit")?;
    if !o.status.success() {
        bail!(
            "git commit failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    Ok(())
}

/// The top of the repository that keeps the desk at `root`, if one does: the desk is in a
/// git work tree and not in a directory it ignores (a build directory, a scratch copy).
pub fn keeping(root: &Path, files: &[PathBuf]) -> Option<PathBuf> {
    let top = work_tree(root)?;
    (!ignored(&top, files)).then_some(top)
}

/// Records a step in the repository that keeps the desk, if one does: commits exactly
/// `files`, authored by `by`, one commit at a time (concurrent writers would trip over git's
/// own index lock). Outside git it does nothing.
pub fn record(root: &Path, files: &[PathBuf], by: &str, message: &str) -> Result<()> {
    let files: Vec<PathBuf> = files
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let Some(top) = keeping(root, &files) else {
        return Ok(());
    };
    let _lock = super::store::DeskLock::acquire(root)?;
    commit(&top, &files, by, message)
}

/// The commit the work tree is at, and whether the desk has changes not committed yet.
pub fn head(desk: &Path) -> Option<(String, bool)> {
    if !maybe_git(desk) {
        return None;
    }
    let sha = config_free_out(desk, &["rev-parse", "--short=12", "HEAD"])?;
    let status = config_free_out(desk, &["status", "--porcelain", "--", "."])?;
    Some((sha.trim().to_string(), !status.trim().is_empty()))
}

fn config_free_out(dir: &Path, args: &[&str]) -> Option<String> {
    let o = run(dir, args).ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}
