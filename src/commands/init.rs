//! `plaint init [DIR]`: a new desk with the built-in rulebook.

use super::Ctx;
use crate::cli::InitArgs;
use crate::desk::store::{DeskLock, STATE, write_atomic};
use crate::rules::BUILTIN;
use anyhow::{Context, Result, bail};
use std::fs;

pub fn run(ctx: &Ctx, a: InitArgs) -> Result<i32> {
    let dir = a.dir.unwrap_or_else(|| ctx.desk.clone());
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
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        // The lock file and the state directory (staged writes, the import journal) are not
        // part of the record.
        let text = format!("{}\n{}/\n.plaint-*.tmp\n", DeskLock::FILE, STATE);
        write_atomic(&dir, &ignore, text.as_bytes(), true)?;
    }
    eprintln!(
        "created a desk in {} (rules.yaml, tickets/); log a complaint with `plaint log`",
        dir.display()
    );
    Ok(0)
}
