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

/// A git program run with `input` on its standard input; its standard output.
fn piped(top: &Path, args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut c = command(top, args);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .spawn()
        .with_context(|| format!("cannot run git {}", args.join(" ")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from another thread: a large input and a large output must not wait on
    // each other.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let o = child
        .wait_with_output()
        .with_context(|| format!("cannot run git {}", args.join(" ")))?;
    let _ = writer.join();
    if !o.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    Ok(o.stdout)
}

/// One entry of a tree: mode, type, object name.
#[derive(Debug, Clone)]
struct TreeEntry {
    mode: String,
    kind: String,
    sha: String,
}

type Entries = std::collections::BTreeMap<Vec<u8>, TreeEntry>;

/// The current commit, and the entries of the tree at each of `dirs` (relative, `""` for
/// the top) in it, through one `git cat-file --batch`; a directory the commit does not have
/// (or a repository without a commit) has none.
fn current_trees(
    top: &Path,
    dirs: &[String],
) -> Result<(Option<String>, std::collections::HashMap<String, Entries>)> {
    let mut input = String::from("HEAD\n");
    for d in dirs {
        if d.is_empty() {
            input.push_str("HEAD^{tree}\n");
        } else {
            input.push_str(&format!("HEAD:{d}\n"));
        }
    }
    let raw = piped(top, &["cat-file", "--batch"], &[], input.as_bytes())?;
    let mut at = 0;
    // One answer: "<name> <type> <size>\n<content>\n", or "<what> missing\n".
    let mut next = || -> Option<(String, String, &[u8])> {
        let end = raw[at..].iter().position(|b| *b == b'\n')? + at;
        let header = String::from_utf8_lossy(&raw[at..end]).into_owned();
        at = end + 1;
        let mut parts = header.split(' ');
        let (name, kind, size) = (parts.next()?, parts.next()?, parts.next());
        let Some(size) = size.and_then(|n| n.parse::<usize>().ok()) else {
            return Some((String::new(), "missing".into(), &[]));
        };
        let body = raw.get(at..at + size)?;
        at += size + 1;
        Some((name.to_string(), kind.to_string(), body))
    };
    let head = match next() {
        Some((name, kind, _)) if kind == "commit" => Some(name),
        _ => None,
    };
    let mut trees = std::collections::HashMap::new();
    for d in dirs {
        let (name, kind, body) = next().ok_or_else(|| anyhow!("git cat-file gave too little"))?;
        let mut entries = Entries::new();
        if kind == "tree" {
            // Binary tree: "<mode> <name>\0<raw object name>", the name as long as ours.
            let width = name.len() / 2;
            let mut i = 0;
            while i < body.len() {
                let space = body[i..].iter().position(|b| *b == b' ').map(|p| p + i);
                let nul = body[i..].iter().position(|b| *b == 0).map(|p| p + i);
                let (Some(space), Some(nul)) = (space, nul) else {
                    break;
                };
                let mode = String::from_utf8_lossy(&body[i..space]).into_owned();
                let sha: String = body
                    .get(nul + 1..nul + 1 + width)
                    .unwrap_or_default()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let kind = match mode.as_str() {
                    "40000" => "tree",
                    "160000" => "commit",
                    _ => "blob",
                };
                let mode = if mode == "40000" {
                    "040000".to_string()
                } else {
                    mode
                };
                entries.insert(
                    body[space + 1..nul].to_vec(),
                    TreeEntry {
                        mode,
                        kind: kind.into(),
                        sha,
                    },
                );
                i = nul + 1 + width;
            }
        }
        trees.insert(d.clone(), entries);
    }
    Ok((head, trees))
}

/// Commits exactly `files` (paths inside the work tree `top`) as they are on disk, authored
/// by `by`, without `git add` or `git commit`: their blobs are written, the trees above them
/// rebuilt from the current commit's, a commit made on it and the branch moved only if it
/// still points where it did. Nothing else in the work tree or the index goes into the
/// commit; the index then learns the new blobs, so `git status` stays clean. Returns the new
/// commit, or `None` when the files were already committed as they are.
pub fn commit(top: &Path, files: &[PathBuf], by: &str, message: &str) -> Result<Option<String>> {
    let mut rel: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(top)
                .unwrap_or(f)
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/")
        })
        .collect();
    rel.sort();
    rel.dedup();
    if rel.is_empty() {
        bail!("nothing to commit");
    }
    // The blobs, written from the files themselves (the writer still holds the desk lock, so
    // they are exactly the bytes it wrote).
    let paths: String = rel.iter().map(|r| format!("{r}\n")).collect();
    let blobs = piped(
        top,
        &["hash-object", "-w", "--stdin-paths"],
        &[],
        paths.as_bytes(),
    )?;
    let blobs: Vec<String> = String::from_utf8_lossy(&blobs)
        .lines()
        .map(str::to_string)
        .collect();
    if blobs.len() != rel.len() {
        bail!(
            "git hash-object gave {} names for {} files",
            blobs.len(),
            rel.len()
        );
    }
    let mut committer: Vec<(&str, &str)> = vec![("GIT_AUTHOR_NAME", by), ("GIT_AUTHOR_EMAIL", "")];
    if config(top, "user.name").is_none() {
        committer.push(("GIT_COMMITTER_NAME", by));
        committer.push(("GIT_COMMITTER_EMAIL", ""));
    }
    // A person committing meanwhile moves the branch: build again on their commit.
    let mut tries = 0;
    let new = loop {
        tries += 1;
        let (head, tree, unchanged) = build_tree(top, &rel, &blobs)?;
        if unchanged {
            break None;
        }
        let mut args = vec!["commit-tree", tree.as_str()];
        if let Some(h) = &head {
            args.extend(["-p", h.as_str()]);
        }
        let sha = piped(top, &args, &committer, message.as_bytes())?;
        let sha = String::from_utf8_lossy(&sha).trim().to_string();
        let zero = "0".repeat(sha.len());
        let old = head.as_deref().unwrap_or(&zero);
        let reflog = format!("plaint: {}", message.lines().next().unwrap_or(""));
        match out(top, &["update-ref", "-m", &reflog, "HEAD", &sha, old]) {
            Ok(_) => break Some(sha),
            Err(e) if tries >= 3 => return Err(e),
            Err(_) => continue,
        }
    };
    // The index learns the committed blobs (stage 0), so the files show as unchanged.
    let info: String = rel
        .iter()
        .zip(&blobs)
        .map(|(r, b)| format!("100644 {b}\t{r}\n"))
        .collect();
    piped(
        top,
        &["update-index", "--add", "--index-info"],
        &[],
        info.as_bytes(),
    )?;
    Ok(new)
}

/// The current commit, and its top tree with each of `rel` (sorted) replaced by its blob and
/// the trees above them rebuilt: the commit, the new tree's object name, and whether it is
/// the commit's own tree (nothing changed).
fn build_tree(
    top: &Path,
    rel: &[String],
    blobs: &[String],
) -> Result<(Option<String>, String, bool)> {
    use std::collections::BTreeMap;
    // Every directory that changes, with what changes in it.
    let mut dirs: BTreeMap<String, Entries> = BTreeMap::new();
    for (r, b) in rel.iter().zip(blobs) {
        let (dir, name) = r.rsplit_once('/').unwrap_or(("", r));
        dirs.entry(dir.to_string()).or_default().insert(
            name.as_bytes().to_vec(),
            TreeEntry {
                mode: String::new(),
                kind: "blob".into(),
                sha: b.clone(),
            },
        );
        // Every directory above it changes too.
        let mut d = dir;
        while !d.is_empty() {
            let parent = d.rsplit_once('/').map_or("", |(p, _)| p);
            dirs.entry(parent.to_string()).or_default();
            d = parent;
        }
    }
    let depth = |d: &str| {
        if d.is_empty() {
            0
        } else {
            d.matches('/').count() + 1
        }
    };
    // Deepest first, so that a directory's new tree is known before its parent is built.
    let mut order: Vec<String> = dirs.keys().cloned().collect();
    order.sort_by_key(|d| std::cmp::Reverse(depth(d)));
    let (head, mut current) = current_trees(top, &order)?;
    let mut built: BTreeMap<String, String> = BTreeMap::new();
    let mut unchanged = head.is_some();
    for dir in order {
        let mut entries = current.remove(&dir).unwrap_or_default();
        let before = entries.clone();
        for (name, new) in dirs.remove(&dir).unwrap_or_default() {
            // A file keeps the mode it had (an executable stays one).
            let mode = entries
                .get(&name)
                .filter(|e| e.kind == "blob")
                .map_or_else(|| "100644".to_string(), |e| e.mode.clone());
            entries.insert(name, TreeEntry { mode, ..new });
        }
        for (sub, sha) in built
            .iter()
            .filter(|(k, _)| !k.is_empty() && k.rsplit_once('/').map_or("", |(p, _)| p) == dir)
        {
            let name = sub.rsplit_once('/').map_or(sub.as_str(), |(_, n)| n);
            entries.insert(
                name.as_bytes().to_vec(),
                TreeEntry {
                    mode: "040000".into(),
                    kind: "tree".into(),
                    sha: sha.clone(),
                },
            );
        }
        let same = before.len() == entries.len()
            && before
                .iter()
                .zip(&entries)
                .all(|((a, x), (b, y))| a == b && x.sha == y.sha && x.mode == y.mode);
        unchanged &= same;
        let mut input = Vec::new();
        for (name, e) in &entries {
            input.extend_from_slice(format!("{} {} {}\t", e.mode, e.kind, e.sha).as_bytes());
            input.extend_from_slice(name);
            input.push(0);
        }
        // A directory whose entries did not change keeps its tree, already named in its
        // parent: nothing to write.
        if same && head.is_some() {
            continue;
        }
        let sha = piped(top, &["mktree", "-z"], &[], &input)?;
        built.insert(dir, String::from_utf8_lossy(&sha).trim().to_string());
    }
    let tree = built.remove("").unwrap_or_default();
    Ok((head, tree, unchanged))
}

/// The top of the repository that keeps the desk at `root`, if one does: the desk is in a
/// git work tree and not in a directory it ignores (a build directory, a scratch copy).
pub fn keeping(root: &Path, files: &[PathBuf]) -> Option<PathBuf> {
    let top = work_tree(root)?;
    (!ignored(&top, files)).then_some(top)
}

/// Records a step in the repository that keeps the desk, if one does: commits exactly
/// `files`, authored by `by`, under the desk lock. Outside git it does nothing.
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
    commit(&top, &files, by, message).map(|_| ())
}

/// Where git keeps the index's lock file for the work tree `top`.
pub fn index_lock(top: &Path) -> Option<PathBuf> {
    let p = out(top, &["rev-parse", "--git-path", "index.lock"]).ok()?;
    let p = PathBuf::from(p.trim());
    Some(if p.is_absolute() { p } else { top.join(p) })
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
