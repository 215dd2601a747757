//! `plaint penalties`: fines, amounts to decide, totals and rewards for a period (§7).

use super::{Ctx, as_of, period, provenance};
use crate::cli::{ListFormat, PenaltiesArgs};
use crate::output;
use crate::report::render;
use crate::rules::assess::Assessment;
use crate::rules::penalties::penalties;
use anyhow::Result;

pub fn run(ctx: &Ctx, a: PenaltiesArgs) -> Result<i32> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let as_of = as_of(&desk, &a.read)?;
    let period = period(&a.period, as_of)?;
    let catalog = desk.catalog()?;
    let ratings = super::rate::read(&desk)?;
    let peers = catalog.peers(rules, as_of)?;
    // A ticket whose every step was done before the period began has no fine in it: its
    // late steps' deadlines fell before they were done. It is not judged again, nor read:
    // its digest says so.
    let start = period.start(rules.offset);
    let maybe: Vec<usize> = (0..catalog.entries().len())
        .filter(|i| {
            let d = &catalog.entries()[*i].digest;
            d.received_at <= as_of
                && !(d.settled_by(as_of) == Some(true) && d.last_at.is_none_or(|l| l < start))
        })
        .collect();
    let tickets = catalog.tickets(&maybe)?;
    let relevant: Vec<_> = tickets
        .iter()
        .filter(|t| !(t.every_step_done_by(rules, as_of) && t.events.iter().all(|e| e.at < start)))
        .collect();
    let judged = crate::desk::parallel_map(&relevant, |t| Assessment::of(rules, t, &peers, as_of));
    let pn = penalties(rules, &judged, period, as_of, &ratings);
    let prov = provenance(&desk, as_of);
    let text = match a.format {
        ListFormat::Table => render::penalties_table(rules, &pn, &period, &prov),
        ListFormat::Json => output::json(&render::penalties_json(rules, &pn, &period, &prov))?,
        ListFormat::Csv => render::penalties_csv(rules, &pn, a.bom)?,
    };
    output::print(&text)?;
    super::warn_calendar_gaps(&judged);
    // The process ends here: freeing every ticket one by one would only delay the exit.
    std::mem::forget(judged);
    std::mem::forget(tickets);
    std::mem::forget(catalog);
    Ok(0)
}
