//! `plaint penalties`: fines, amounts to decide, totals and rewards for a period (§7).

use super::{Ctx, as_of, period, provenance};
use crate::cli::{ListFormat, PenaltiesArgs};
use crate::output;
use crate::report::render;
use crate::rules::assess::Assessment;
use crate::rules::penalties::{Penalties, penalties};
use anyhow::Result;

pub fn run(ctx: &Ctx, a: PenaltiesArgs) -> Result<i32> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let as_of = as_of(&desk, &a.read)?;
    let known = super::known_at(&desk, &a.read)?;
    let period = period(&a.period, as_of)?;
    let ratings = super::rate::read(&desk)?;
    let (pn, gaps) = compute(&desk, period, as_of, known, &ratings)?;
    let prov = provenance(&desk, as_of);
    let text = match a.format {
        ListFormat::Table => render::penalties_table(rules, &pn, &period, &prov),
        ListFormat::Json => output::json(&render::penalties_json(rules, &pn, &period, &prov))?,
        ListFormat::Csv => render::penalties_csv(rules, &pn, a.bom)?,
    };
    output::print(&text)?;
    super::warn_gap_years(&gaps);
    Ok(0)
}

/// The fines and rewards of `period` as the desk stands at `as_of` (and, with `known`, as
/// it was known then), with the years the working clock ran through uncovered.
pub(crate) fn compute(
    desk: &crate::desk::Desk,
    period: crate::report::period::Period,
    as_of: crate::time::Moment,
    known: Option<crate::time::Moment>,
    ratings: &[crate::rules::penalties::Rating],
) -> Result<(Penalties, std::collections::BTreeSet<i32>)> {
    let rules = &desk.rules;
    let start = period.start(rules.offset);
    let (tickets, peers) = match known {
        // What the desk knew then: every ticket read whole and cut to what was written.
        Some(k) => {
            let tickets = desk.known_tickets(k)?;
            let peers = crate::rules::grading::Peers::index(rules, &tickets, as_of);
            (tickets, peers)
        }
        None => {
            let catalog = desk.catalog()?;
            let peers = catalog.peers(rules, as_of)?;
            // A ticket whose every step was done before the period began has no fine in
            // it: its late steps' deadlines fell before they were done. It is not judged
            // again, nor read: its digest says so.
            let maybe: Vec<usize> = (0..catalog.entries().len())
                .filter(|i| {
                    let d = &catalog.entries()[*i].digest;
                    d.received_at <= as_of
                        && !(d.settled_by(as_of) == Some(true)
                            && d.last_at.is_none_or(|l| l < start))
                })
                .collect();
            let tickets = catalog.tickets(&maybe)?;
            // The process ends soon: handing the catalog back piece by piece would only
            // delay the exit.
            std::mem::forget(catalog);
            (tickets, peers)
        }
    };
    let relevant: Vec<_> = tickets
        .iter()
        .filter(|t| t.received_at <= as_of)
        .filter(|t| !(t.every_step_done_by(rules, as_of) && t.events.iter().all(|e| e.at < start)))
        .collect();
    let judged = crate::desk::parallel_map(&relevant, |t| Assessment::of(rules, t, &peers, as_of));
    let pn = penalties(rules, &judged, period, as_of, ratings);
    let gaps = judged.iter().flat_map(|j| j.calendar_gaps()).collect();
    std::mem::forget(judged);
    std::mem::forget(tickets);
    Ok((pn, gaps))
}
