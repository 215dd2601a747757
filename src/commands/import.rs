//! `plaint import FILE`: batch `log` from a spreadsheet (SPEC §9), safe for a nightly cron.

use super::Outcome;
use super::{Ctx, actor};
use crate::cli::{ImportArgs, WriteOpts};
use crate::desk::{id, journal, store};
use crate::import::{self, sheet};
use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;

fn bar(len: usize, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(len as u64),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})") {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    pb
}

pub fn run(ctx: &Ctx, a: ImportArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let write = WriteOpts {
        at: a.at.clone(),
        by: a.by.clone(),
    };
    let default_received = super::event_time(&desk, &write)?.at;
    let now = super::now(&desk)?;
    let by = actor(&write)?;
    desk.commit_as(&by, !ctx.no_commit);
    let encoding = a.encoding.as_deref().map(sheet::encoding_for).transpose()?;
    let file = a.file.display().to_string();
    let sh = sheet::read(&a.file, encoding, a.sheet.as_deref())
        .map_err(|e| anyhow::anyhow!("{file}: {e:#}"))?;
    let cols = import::columns(rules, &sh.headers, a.ignore_unknown).map_err(|ps| {
        anyhow::anyhow!(
            "{}",
            ps.iter()
                .map(|p| format!("{file}:1: {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;

    // Rows whose ref is already in the desk are skipped: the same growing sheet can be
    // imported every night.
    let lock = desk.written.lock(&desk.root)?;
    let mut known = import::Known::default();
    // The digests carry both: no ticket needs decoding.
    for e in desk.catalog_for_writing()?.entries() {
        known.refs.extend(e.digest.refs.iter().cloned());
        known.fingerprints.extend(e.digest.fingerprint.clone());
    }
    let pb = bar(sh.rows.len(), "checking");
    let source = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let defaults = import::Defaults {
        by: &by,
        received: default_received,
        now,
        tolerance: rules.book.desk.clock_tolerance.duration(),
        source: &source,
    };
    let plan = import::plan(rules, &file, &sh, &cols, &known, &defaults, || pb.inc(1));
    pb.finish_and_clear();
    if !plan.problems.is_empty() {
        let n = plan.problems.len();
        bail!(
            "{}\n{n} problem{} in {file}; nothing was imported",
            plan.problems.join("\n"),
            if n == 1 { "" } else { "s" }
        );
    }

    let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
    for p in &plan.tickets {
        *by_month
            .entry(p.ticket.received_at.format("%Y-%m").to_string())
            .or_default() += 1;
    }
    let months = by_month
        .iter()
        .map(|(m, n)| format!("{m}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if a.dry_run {
        eprintln!(
            "{file} ({}): would import {} ({months}), skip {} already in the desk; nothing written (--dry-run)",
            sh.read_as,
            plan.tickets.len(),
            plan.skipped
        );
        return Ok(Outcome::Done);
    }

    // IDs are minted in row order, one month directory read per month; the files are
    // then written on every core.
    let prefix = &desk.id_prefix()?;
    let mut next: BTreeMap<std::path::PathBuf, u64> = BTreeMap::new();
    let mut serials = lock.serials();
    let mut tickets = Vec::with_capacity(plan.tickets.len());
    for p in plan.tickets {
        let mut t = p.ticket;
        let dir = desk.tickets_dir().join(id::month_dir(&t.received_at));
        let serial = match next.get(&dir) {
            Some(n) => *n,
            None => id::next_serial(&dir, prefix, &t.received_at, None)?,
        };
        next.insert(dir.clone(), serial + 1);
        serials.insert(id::series(prefix, &t.received_at), serial);
        t.id = id::format_id(prefix, &t.received_at, serial);
        let rel = std::path::Path::new("tickets")
            .join(id::month_dir(&t.received_at))
            .join(format!("{}.yaml", t.id));
        tickets.push((p.row, rel, t));
    }
    // Every ticket is staged (on every core), then the whole import lands at once.
    let mut staging = journal::Import::begin(&desk.root)?;
    let pb = bar(tickets.len(), "writing");
    let written = crate::desk::parallel_map(&tickets, |(row, rel, t)| {
        let r = store::ticket_text(t)
            .and_then(|text| store::write_staged(&staging.staged(rel), text.as_bytes()))
            .map_err(|e| anyhow::anyhow!("row {row}: {e:#}"));
        pb.inc(1);
        r
    });
    pb.finish_and_clear();
    let failed: Vec<String> = written
        .into_iter()
        .filter_map(|r| r.err().map(|e| e.to_string()))
        .collect();
    if !failed.is_empty() {
        staging.abandon();
        bail!(
            "{} of {} tickets could not be written, so nothing was imported:\n{}",
            failed.len(),
            tickets.len(),
            failed.join("\n")
        );
    }
    for (_, rel, _) in tickets {
        desk.written.will_write(&desk.root, &desk.root.join(&rel))?;
        staging.add(rel);
    }
    let landed = staging.commit()?;
    lock.remember(&serials);
    drop(lock);
    super::commit(
        &desk,
        &format!(
            "import {source}: {landed} complaint{}",
            if landed == 1 { "" } else { "s" }
        ),
    );
    let imported: usize = by_month.values().sum();
    eprintln!(
        "{file} ({}): imported {imported}{}, skipped {} already in the desk",
        sh.read_as,
        if months.is_empty() {
            String::new()
        } else {
            format!(" ({months})")
        },
        plan.skipped
    );
    Ok(Outcome::Done)
}
