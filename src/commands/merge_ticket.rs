//! `plaint merge-ticket BASE OURS THEIRS [PATH]`: git's merge driver for ticket files
//! (`.gitattributes`: `tickets/**/*.yaml merge=plaint-ticket`). Both sides' events merge as a
//! union (`ticket::merge::union`: ours unchanged, then theirs' events ours does not hold). The
//! result is written only when it is a ticket `plaint check` accepts and a history the
//! lifecycle commands could have made; anything else is handed to `git merge-file`, which
//! leaves the usual conflict, and each problem is named on stderr.

use super::Outcome;
use crate::cli::MergeTicketArgs;
use crate::desk::{Desk, read_ticket};
use crate::rules::Rules;
use crate::ticket::Ticket;
use anyhow::{Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

pub fn run(a: MergeTicketArgs) -> Result<Outcome> {
    let read =
        |p: &Path| fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()));
    let (base, ours, theirs) = (read(&a.base)?, read(&a.ours)?, read(&a.theirs)?);
    let name = a.path.as_deref().unwrap_or("ticket");
    let problems = match crate::ticket::merge::union(&base, &ours, &theirs) {
        Err(problems) => problems,
        Ok(merged) => match refusals(&a, &merged) {
            Ok(p) if p.is_empty() => {
                fs::write(&a.ours, merged)
                    .with_context(|| format!("cannot write {}", a.ours.display()))?;
                return Ok(Outcome::Done);
            }
            Ok(p) => p,
            Err(e) => vec![format!("cannot check the merged ticket: {e:#}")],
        },
    };
    for p in &problems {
        eprintln!("plaint: {name}: {p}");
    }
    eprintln!("plaint: {name}: left as a conflict; merge it by hand, then run `plaint check`");
    // Conflict markers as git writes them, in ours.
    std::process::Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(&a.ours)
        .arg(&a.base)
        .arg(&a.theirs)
        .status()
        .context("cannot run git merge-file")?;
    Ok(Outcome::Found)
}

/// Why the merged text may not stand, one line each: what `plaint check` says of it (or of
/// theirs, whose repeated events the union would otherwise hide), each named by the version
/// it comes from, and what in its history the lifecycle commands would have refused that
/// neither side had on its own.
fn refusals(a: &MergeTicketArgs, merged: &str) -> Result<Vec<String>> {
    // git runs the driver at the top of the work tree and names the file from there; the
    // desk is the directory that holds `tickets/`.
    // Without its path (a driver set up by hand without %P), the file is taken to be named
    // after its ID.
    let shown = match &a.path {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(format!(
            "{}.yaml",
            crate::yaml::from_str_fast::<Ticket>(merged.strip_prefix('\u{feff}').unwrap_or(merged))
                .map(|t| t.id)
                .unwrap_or_default()
        )),
    };
    let root = desk_of(&shown);
    let rules = match Desk::rules_text(&root, None)? {
        (Some(text), source) => Rules::parse(&text).map_err(|ps| {
            anyhow::anyhow!(
                "the rulebook {} has {} problem(s), the first: {}",
                source.describe(),
                ps.len(),
                ps.first()
                    .map(|p| p.render(&source.describe()))
                    .unwrap_or_default()
            )
        })?,
        (None, _) => Rules::builtin(),
    };
    let dir = a.ours.parent().filter(|d| !d.as_os_str().is_empty());
    let staged = tempfile::Builder::new()
        .prefix(".plaint-merge-")
        .suffix(".yaml")
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .context("cannot write the merged ticket to check it")?;
    fs::write(staged.path(), merged)?;
    // No clock here: a merge judges what both sides wrote, not when it is run.
    let check = |file: &Path| super::check::file_problems(&rules, &read_ticket(file), &shown, None);
    let (ours, theirs, result) = (check(&a.ours), check(&a.theirs), check(staged.path()));
    let at = |line: Option<usize>| line.map(|l| format!(", line {l}")).unwrap_or_default();
    let mut out = Vec::new();
    for (line, msg) in &result {
        let from = |side: &[(Option<usize>, String)]| side.iter().find(|(_, m)| m == msg).cloned();
        out.push(match (from(&theirs), from(&ours)) {
            (Some((l, _)), _) => format!("their version{}: {msg}", at(l)),
            (None, Some((l, _))) => format!("our version{}: {msg}", at(l)),
            (None, None) => format!("the merged ticket{}: {msg}", at(*line)),
        });
    }
    for (line, msg) in &theirs {
        if !result.iter().any(|(_, m)| m == msg) {
            out.push(format!("their version{}: {msg}", at(*line)));
        }
    }
    if !out.is_empty() {
        return Ok(out);
    }
    let history = |text: &str| {
        crate::yaml::from_str_fast::<Ticket>(text.strip_prefix('\u{feff}').unwrap_or(text))
            .map(|t| t.history_problems(&rules))
            .unwrap_or_default()
    };
    let before: Vec<String> = [read_text(&a.ours), read_text(&a.theirs)]
        .iter()
        .flat_map(|t| history(t))
        .collect();
    Ok(history(merged)
        .into_iter()
        .filter(|p| !before.contains(p))
        .map(|p| format!("the merged history cannot be: {p}"))
        .collect())
}

fn read_text(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_default()
}

/// The desk a ticket file at `path` (relative to the top of the work tree) belongs to.
fn desk_of(path: &Path) -> PathBuf {
    path.ancestors()
        .skip(1)
        .find(|d| d.file_name().is_some_and(|n| n == "tickets"))
        .and_then(Path::parent)
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
            .to_path_buf()
        })
        .unwrap_or_else(|| PathBuf::from("."))
}
