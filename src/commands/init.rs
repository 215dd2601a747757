//! `plaint init [DIR]`: a new desk with the built-in rulebook.

use super::Ctx;
use super::Outcome;
use crate::cli::InitArgs;
use crate::desk::git;
use crate::desk::store::{DeskLock, STATE, write_atomic};
use crate::rules::BUILTIN;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

pub fn run(ctx: &Ctx, a: InitArgs) -> Result<Outcome> {
    let dir = a.dir.clone().unwrap_or_else(|| ctx.desk.clone());
    if a.clone {
        return clone(ctx, &dir, a.site.as_deref());
    }
    let rules = dir.join("rules.yaml");
    if rules.exists() {
        bail!(
            "{} already exists; plaint init never overwrites a rulebook (edit it, or remove it first)",
            rules.display()
        );
    }
    fs::create_dir_all(dir.join("tickets"))
        .with_context(|| format!("cannot create {}", dir.join("tickets").display()))?;
    write_atomic(&dir, &rules, BUILTIN.as_bytes(), true)?;
    let mut wrote = vec![rules.clone()];
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        wrote.push(ignore.clone());
        // The lock file and the state directory (staged writes, the import journal) are not
        // part of the record.
        let text = format!("{}\n{}/\n.plaint-*.tmp\n", DeskLock::FILE, STATE);
        write_atomic(&dir, &ignore, text.as_bytes(), true)?;
    }
    wrote.extend(attributes(&dir)?);
    // In a repository that keeps the desk this is the first clone: set it up and commit.
    let files: Vec<_> = wrote
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    if !ctx.no_commit && git::keeping(&dir, &files).is_some() {
        git::setup_clone(&dir, None, &std::env::current_exe()?)?;
        let by = super::actor(&crate::cli::WriteOpts::default())?;
        if let Err(e) = git::record(&dir, &files, &by, "init: a plaint desk") {
            eprintln!("warning: the desk is created but not committed ({e:#})");
        }
    }
    eprintln!(
        "created a desk in {} (rules.yaml, tickets/); log a complaint with `plaint log`",
        dir.display()
    );
    Ok(Outcome::Done)
}

/// `.gitattributes`: ticket files merge with plaint's driver (appends on both sides merge).
/// Returns the file when it was written.
fn attributes(dir: &Path) -> Result<Option<PathBuf>> {
    let path = dir.join(".gitattributes");
    let line = format!("tickets/**/*.yaml merge={}\n", git::DRIVER);
    let text = fs::read_to_string(&path).unwrap_or_default();
    if text.contains(&format!("merge={}", git::DRIVER)) {
        return Ok(None);
    }
    let mut new = text;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(
        "# Ticket files only grow: appends made in two clones merge (plaint init --clone)\n",
    );
    new.push_str(&line);
    write_atomic(dir, &path, new.as_bytes(), false)?;
    Ok(Some(path))
}

/// `plaint init --clone [--site CODE]` in a fresh clone of a desk: the clone's site code and
/// merge driver, in its own git config. The rulebook is left alone.
fn clone(ctx: &Ctx, dir: &Path, site: Option<&str>) -> Result<Outcome> {
    crate::desk::Desk::require(dir)?;
    if git::work_tree(dir).is_none() {
        bail!(
            "{} is not in a git work tree; --clone sets up a git clone of a desk (`git clone URL`, then `plaint init --clone` in it)",
            dir.display()
        );
    }
    let site = site.map(git::check_site).transpose()?;
    git::setup_clone(dir, site.as_deref(), &std::env::current_exe()?)?;
    if let Some(path) = attributes(dir)?
        && !ctx.no_commit
    {
        let by = super::actor(&crate::cli::WriteOpts::default())?;
        let message = "init --clone: merge ticket files with plaint";
        if let Err(e) = git::record(dir, &[path], &by, message) {
            eprintln!("warning: .gitattributes is written but not committed ({e:#})");
        }
    }
    match git::site(dir)? {
        Some(s) => eprintln!(
            "set up this clone: site {s} (IDs minted here look like {s}-202611-0001), ticket files merge with plaint"
        ),
        None => eprintln!(
            "set up this clone: ticket files merge with plaint. Give it a site code (`plaint init --clone --site KM`) if it logs complaints, so its IDs never meet another clone's"
        ),
    }
    Ok(Outcome::Done)
}
