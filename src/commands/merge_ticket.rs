//! `plaint merge-ticket BASE OURS THEIRS [PATH]`: git's merge driver for ticket files
//! (`.gitattributes`: `tickets/**/*.yaml merge=plaint-ticket`). Appends on both sides merge
//! cleanly; anything else is handed to `git merge-file`, which leaves the usual conflict.

use crate::cli::MergeTicketArgs;
use anyhow::{Context, Result};
use std::fs;

pub fn run(a: MergeTicketArgs) -> Result<i32> {
    let read = |p: &std::path::Path| {
        fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (base, ours, theirs) = (read(&a.base)?, read(&a.ours)?, read(&a.theirs)?);
    if let Some(merged) = crate::ticket::merge::appends(&base, &ours, &theirs)
        && crate::yaml::from_str::<crate::ticket::Ticket>(&merged).is_ok()
    {
        fs::write(&a.ours, merged).with_context(|| format!("cannot write {}", a.ours.display()))?;
        return Ok(0);
    }
    let name = a.path.as_deref().unwrap_or("ticket");
    eprintln!("plaint: {name} was changed, not only appended to, on one side; merge it by hand");
    // Conflict markers as git writes them, in ours.
    let status = std::process::Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(&a.ours)
        .arg(&a.base)
        .arg(&a.theirs)
        .status()
        .context("cannot run git merge-file")?;
    Ok(match status.code() {
        Some(0) => 1,
        Some(n) if n > 0 => n.min(127),
        _ => 1,
    })
}
