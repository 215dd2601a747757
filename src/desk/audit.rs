//! Reading the desk's git history for `plaint audit`: every commit that did anything to a
//! ticket file but append (a changed or removed line, a line put in the middle, a deleted or
//! renamed ticket), every event entered long after it happened, every one-step commit
//! whose event names someone else than the commit's author, and every merge commit that
//! left one event in a ticket twice.
//!
//! Merge commits are read against their first parent, so a merge that brings in another
//! clone's appends is an append too.

use super::git;
use crate::time::Moment;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::Stdio;

#[derive(Debug, Clone)]
pub struct Commit {
    pub sha: String,
    pub author: String,
    pub date: String,
}

/// A commit that rewrote history: what it did to which file, and the lines.
#[derive(Debug, Clone)]
pub struct Rewrite {
    pub commit: Commit,
    pub file: String,
    /// `changed`, `deleted` (the whole ticket), or `inserted` (lines put before the end).
    pub what: &'static str,
    pub lines: Vec<String>,
}

/// An event (or a complaint) entered long after it happened.
#[derive(Debug, Clone)]
pub struct Backdated {
    pub commit: Commit,
    pub file: String,
    pub kind: String,
    pub by: String,
    pub at: Moment,
    pub entered_at: Moment,
}

/// A one-step commit whose event says another person did it.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub commit: Commit,
    pub file: String,
    pub kind: String,
    pub by: String,
}

/// A merge commit whose ticket file holds one event twice (same kind, time, author and
/// fields) where neither parent's version did: both sides' copies of one step were kept.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub commit: Commit,
    pub file: String,
    /// The event's numbers (1-based, in file order) in the merge's version of the file.
    pub events: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Findings {
    pub commits: usize,
    pub rewrites: Vec<Rewrite>,
    pub backdated: Vec<Backdated>,
    pub mismatches: Vec<Mismatch>,
    pub duplicates: Vec<Duplicate>,
}

/// One file's part of a commit's diff.
#[derive(Debug, Default)]
struct FileDiff {
    path: String,
    new: bool,
    deleted: bool,
    /// (old start, old count, added lines) of each hunk, and the removed lines.
    hunks: Vec<(usize, usize, Vec<String>)>,
    removed: Vec<String>,
}

impl FileDiff {
    /// The lines a change removed and added, for people to see (at most 40).
    fn changed_lines(&self) -> Vec<String> {
        self.removed
            .iter()
            .map(|l| format!("- {l}"))
            .chain(
                self.hunks
                    .iter()
                    .flat_map(|h| h.2.iter().map(|l| format!("+ {l}"))),
            )
            .take(40)
            .collect()
    }
}

/// Reads the history of `tickets/` of the desk at `desk` (inside the work tree `top`),
/// commits after `since` (or all).
pub fn read(
    top: &Path,
    desk: &Path,
    since: Option<&str>,
    tolerance: chrono::Duration,
) -> Result<Findings> {
    let base = std::fs::canonicalize(desk)?
        .strip_prefix(top)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let rel = base.join("tickets");
    // Settlement files are written once and never changed: any later change is a rewrite.
    let settled = base.join(super::settlements::DIR);
    let range = match since {
        Some(r) => {
            git::out(
                top,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{r}^{{commit}}"),
                ],
            )
            .with_context(|| format!("--since: '{r}' is not a commit of this repository"))?;
            format!("{r}..HEAD")
        }
        None => "HEAD".to_string(),
    };
    if git::out(top, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
        return Ok(Findings::default());
    }
    let log = git::out(
        top,
        &[
            "log",
            "--first-parent",
            "-m",
            "--reverse",
            "--no-renames",
            "--no-color",
            "--unified=0",
            "--format=%x01%H%x09%P%x09%an%x09%aI",
            "-p",
            &range,
            "--",
            &rel.to_string_lossy(),
            &settled.to_string_lossy(),
        ],
    )?;
    let mut out = Findings::default();
    let mut parsed: Vec<(Commit, Option<String>, Vec<FileDiff>)> = Vec::new();
    // Merge commits: full commit, every parent, and the ticket files the merge touched.
    let mut merges: Vec<(Commit, String, Vec<String>, Vec<String>)> = Vec::new();
    for chunk in log.split('\u{1}').filter(|c| !c.trim().is_empty()) {
        let (head, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let f: Vec<&str> = head.split('\t').collect();
        if f.len() < 4 {
            continue;
        }
        let commit = Commit {
            sha: f[0].chars().take(12).collect(),
            author: f[2].to_string(),
            date: f[3].to_string(),
        };
        let parents: Vec<String> = f[1].split_whitespace().map(str::to_string).collect();
        let parent = parents.first().cloned();
        let files = diff(body);
        if parents.len() > 1 {
            let touched = files
                .iter()
                .filter(|d| !d.deleted && !Path::new(&d.path).starts_with(&settled))
                .map(|d| d.path.clone())
                .collect();
            merges.push((commit.clone(), f[0].to_string(), parents, touched));
        }
        parsed.push((commit, parent, files));
    }
    out.commits = parsed.len();
    // Old line counts of modified files, asked of git in one batch.
    let wanted: Vec<String> = parsed
        .iter()
        .flat_map(|(_, parent, files)| {
            files
                .iter()
                .filter(|d| !d.new && !d.deleted && d.removed.is_empty())
                .filter_map(move |d| parent.as_ref().map(|p| format!("{p}:{}", d.path)))
        })
        .collect();
    let lengths = line_counts(top, &wanted)?;
    out.duplicates = duplicates(top, &merges)?;
    for (commit, parent, files) in &parsed {
        let mut steps = 0;
        let mut single: Option<(String, Vec<String>)> = None;
        for d in files {
            // A settlement file is written once: any later change is a rewrite.
            if Path::new(&d.path).starts_with(&settled) {
                if !d.new {
                    out.rewrites.push(Rewrite {
                        commit: commit.clone(),
                        file: d.path.clone(),
                        what: if d.deleted { "deleted" } else { "changed" },
                        lines: d.changed_lines(),
                    });
                }
                continue;
            }
            if d.deleted {
                out.rewrites.push(Rewrite {
                    commit: commit.clone(),
                    file: d.path.clone(),
                    what: "deleted",
                    lines: d.removed.iter().take(20).cloned().collect(),
                });
                continue;
            }
            if !d.removed.is_empty() {
                out.rewrites.push(Rewrite {
                    commit: commit.clone(),
                    file: d.path.clone(),
                    what: "changed",
                    lines: d.changed_lines(),
                });
                continue;
            }
            if !d.new {
                let old = parent
                    .as_ref()
                    .and_then(|p| lengths.get(&format!("{p}:{}", d.path)))
                    .copied()
                    .unwrap_or(0);
                // An append adds lines after the last one, in one place.
                let appended = d.hunks.len() == 1 && d.hunks[0].0 == old && d.hunks[0].1 == 0;
                if !appended {
                    out.rewrites.push(Rewrite {
                        commit: commit.clone(),
                        file: d.path.clone(),
                        what: "inserted",
                        lines: d
                            .hunks
                            .iter()
                            .flat_map(|h| h.2.iter().cloned())
                            .take(40)
                            .collect(),
                    });
                    continue;
                }
            }
            let added: Vec<String> = d.hunks.iter().flat_map(|h| h.2.iter().cloned()).collect();
            for ev in blocks(&added, d.new) {
                steps += 1;
                single = Some((d.path.clone(), ev.clone()));
                if let Some(b) = backdated(commit, &d.path, &ev, tolerance) {
                    out.backdated.push(b);
                }
            }
        }
        // A commit of exactly one step: its event should be the author's (who entered it,
        // for an imported step that names the person the row names).
        if steps == 1
            && let Some((file, ev)) = single
            && let Some(by) = field(&ev, "entered_by")
                .or_else(|| field(&ev, "by"))
                .or_else(|| field(&ev, "logged_by"))
            && by != commit.author
        {
            out.mismatches.push(Mismatch {
                commit: commit.clone(),
                file,
                kind: field(&ev, "kind").unwrap_or_else(|| "log".into()),
                by,
            });
        }
    }
    Ok(out)
}

/// Splits a commit's diff into its files.
fn diff(body: &str) -> Vec<FileDiff> {
    let mut files: Vec<FileDiff> = Vec::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("diff --git a/") {
            let path = rest.split(" b/").next().unwrap_or(rest).to_string();
            files.push(FileDiff {
                path,
                ..Default::default()
            });
            continue;
        }
        let Some(f) = files.last_mut() else { continue };
        if line.starts_with("new file mode") {
            f.new = true;
        } else if line.starts_with("deleted file mode") {
            f.deleted = true;
        } else if let Some(h) = line.strip_prefix("@@ -") {
            let old = h.split_whitespace().next().unwrap_or("0");
            let (start, count) = match old.split_once(',') {
                Some((s, c)) => (s.parse().unwrap_or(0), c.parse().unwrap_or(0)),
                None => (old.parse().unwrap_or(0), 1),
            };
            f.hunks.push((start, count, Vec::new()));
        } else if line.starts_with("---") || line.starts_with("+++") {
        } else if let Some(l) = line.strip_prefix('+') {
            if let Some(h) = f.hunks.last_mut() {
                h.2.push(l.to_string());
            }
        } else if let Some(l) = line.strip_prefix('-') {
            f.removed.push(l.to_string());
        }
    }
    files
}

/// The events (or, for a new file, the complaint's intake too) among appended lines.
fn blocks(added: &[String], new_file: bool) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    if new_file {
        // The intake facts: one block up to `events:`.
        let end = added
            .iter()
            .position(|l| l.starts_with("events:"))
            .unwrap_or(added.len());
        out.push(added[..end].iter().map(|l| format!("  {l}")).collect());
    }
    let from = if new_file {
        added
            .iter()
            .position(|l| l.starts_with("events:"))
            .map_or(added.len(), |i| i + 1)
    } else {
        0
    };
    for l in &added[from.min(added.len())..] {
        if let Some(rest) = l.strip_prefix("- ") {
            out.push(vec![format!("  {rest}")]);
        } else if let Some(b) = out.last_mut() {
            b.push(l.clone());
        }
    }
    out
}

/// A `key: value` of an event block (plain or quoted scalars as plaint writes them).
fn field(block: &[String], key: &str) -> Option<String> {
    block.iter().find_map(|l| {
        let v = l.trim_start().strip_prefix(key)?.strip_prefix(": ")?;
        Some(v.trim().trim_matches('\'').trim_matches('"').to_string())
    })
}

fn backdated(
    commit: &Commit,
    file: &str,
    ev: &[String],
    tolerance: chrono::Duration,
) -> Option<Backdated> {
    let entered = field(ev, "entered_at")?;
    let at = field(ev, "at").or_else(|| field(ev, "received_at"))?;
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    let (at, entered_at) = (parse(&at)?, parse(&entered)?);
    (entered_at - at > tolerance).then(|| Backdated {
        commit: commit.clone(),
        file: file.to_string(),
        kind: field(ev, "kind").unwrap_or_else(|| "log".into()),
        by: field(ev, "by")
            .or_else(|| field(ev, "logged_by"))
            .unwrap_or_default(),
        at,
        entered_at,
    })
}

/// The events each merge left twice in a ticket file where no parent's version held them
/// twice: for each file the merge touched, an event whose identity (`ticket::merge::identity`)
/// occurs more often than in any parent, and at least twice.
fn duplicates(
    top: &Path,
    merges: &[(Commit, String, Vec<String>, Vec<String>)],
) -> Result<Vec<Duplicate>> {
    let specs: Vec<String> = merges
        .iter()
        .flat_map(|(_, sha, parents, files)| {
            files.iter().flat_map(move |f| {
                std::iter::once(sha)
                    .chain(parents)
                    .map(move |rev| format!("{rev}:{f}"))
            })
        })
        .collect();
    let blobs = contents(top, &specs)?;
    // Each event's identity, in file order; a version that does not read has none.
    let events = |spec: &str| -> Vec<String> {
        blobs
            .get(spec)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| {
                crate::yaml::from_str_fast::<crate::ticket::Ticket>(
                    t.strip_prefix('\u{feff}').unwrap_or(t),
                )
                .ok()
            })
            .map(|t| {
                t.events
                    .iter()
                    .map(|e| crate::ticket::merge::identity(e, |n| n))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (commit, sha, parents, files) in merges {
        for f in files {
            let merged = events(&format!("{sha}:{f}"));
            let before: Vec<Vec<String>> = parents
                .iter()
                .map(|p| events(&format!("{p}:{f}")))
                .collect();
            let count = |list: &[String], key: &String| list.iter().filter(|k| *k == key).count();
            let mut seen: Vec<&String> = Vec::new();
            for key in &merged {
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let n = count(&merged, key);
                if n >= 2 && before.iter().all(|p| count(p, key) < n) {
                    out.push(Duplicate {
                        commit: commit.clone(),
                        file: f.clone(),
                        events: merged
                            .iter()
                            .enumerate()
                            .filter(|(_, k)| *k == key)
                            .map(|(i, _)| i + 1)
                            .collect(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// How many lines each `REV:PATH` has, through one `git cat-file --batch`.
fn line_counts(top: &Path, specs: &[String]) -> Result<HashMap<String, usize>> {
    Ok(contents(top, specs)?
        .into_iter()
        .map(|(spec, body)| {
            let size = body.len();
            let lines = body.iter().filter(|b| **b == b'\n').count()
                + usize::from(size > 0 && body[size - 1] != b'\n');
            (spec, lines)
        })
        .collect())
}

/// The bytes of each `REV:PATH` that exists, through one `git cat-file --batch`.
fn contents(top: &Path, specs: &[String]) -> Result<HashMap<String, Vec<u8>>> {
    let mut out = HashMap::new();
    if specs.is_empty() {
        return Ok(out);
    }
    let mut child = git::command(top, &["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run git cat-file")?;
    let mut stdin = child.stdin.take().context("git cat-file's input")?;
    let list: String = specs.iter().map(|s| format!("{s}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().context("git cat-file's output")?);
    for spec in specs {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let parts: Vec<&str> = header.split_whitespace().collect();
        if parts.len() == 3 {
            let size: usize = parts[2].parse().unwrap_or(0);
            let mut body = vec![0u8; size + 1];
            reader.read_exact(&mut body)?;
            body.truncate(size);
            out.insert(spec.clone(), body);
        } else if !header.trim().ends_with("missing") {
            bail!("git cat-file: unexpected answer '{}'", header.trim());
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}
