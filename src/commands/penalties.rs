//! `plaint penalties`: fines, amounts to decide, totals and rewards for a period (§7).

use super::Outcome;
use super::{Ctx, as_of, period, provenance};
use crate::cli::{ListFormat, PenaltiesArgs};
use crate::output;
use crate::report::render;
use crate::rules::penalties::{Penalties, Tally};
use anyhow::Result;

pub fn run(ctx: &Ctx, a: PenaltiesArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let as_of = as_of(&desk, &a.read)?;
    let known = super::known_at(&desk, &a.read)?;
    let period = period(&a.period, as_of)?;
    let ratings = super::rate::read(&desk)?;
    // A settled month reads as settled: its figures as they were paid.
    let settled = crate::desk::settlements::all(&desk)?;
    if let Some(s) = super::settle::settled(&settled, &period) {
        let mut text = super::settle::settled_penalties(&desk, s, &period, a.format, a.bom)?;
        if a.period.recompute {
            let (pn, _) = compute(&desk, period, as_of, known, &ratings)?;
            let prov = provenance(&desk, as_of);
            if a.format == ListFormat::Json {
                // One document: the settled figures, and today's beside them.
                let mut v: serde_json::Value = serde_json::from_str(&text)?;
                v["recomputed"] = render::penalties_json(rules, &pn, &period, &prov);
                output::print(&output::json(&v)?)?;
                return Ok(Outcome::Done);
            }
            text.push('\n');
            text.push_str(&match a.format {
                ListFormat::Json => unreachable!("answered above"),
                ListFormat::Csv => render::penalties_csv(rules, &pn, a.bom)?,
                ListFormat::Table => format!(
                    "今日重算(--recompute,未结算数字,仅供核对;差额以调整项计入其后首个未结算月份):\n{}",
                    render::penalties_table(rules, &pn, &period, &prov)
                ),
            });
        }
        output::print(&text)?;
        return Ok(Outcome::Done);
    }
    let (mut pn, gaps) = compute(&desk, period, as_of, known, &ratings)?;
    // Later changes to settled months land, as adjustments, in the first month not yet
    // settled.
    if let Some(first) = super::settle::first_unsettled(&settled)
        && let Ok((y, m)) = crate::time::parse_month(&first)
        && crate::report::period::Period::month(y, m)
            .is_some_and(|f| period.contains(&f.start(rules.offset)))
    {
        pn.add_adjustments(super::settle::adjustments(
            &desk, &settled, as_of, known, &ratings,
        )?);
    }
    let prov = provenance(&desk, as_of);
    let text = match a.format {
        ListFormat::Table => render::penalties_table(rules, &pn, &period, &prov),
        ListFormat::Json => output::json(&render::penalties_json(rules, &pn, &period, &prov))?,
        ListFormat::Csv => render::penalties_csv(rules, &pn, a.bom)?,
    };
    output::print(&text)?;
    super::warn_gap_years(&gaps);
    Ok(Outcome::Done)
}

/// The fines and rewards of `period` as the desk stands at `as_of` (and, with `known`, as
/// it was known then), with the years the working clock ran through uncovered.
///
/// Each deadline is judged and priced by the rulebook in force when it fell: the period is
/// cut where a version of the rulebook takes effect, and each stretch computed under its
/// own version.
pub(crate) fn compute(
    desk: &crate::desk::Desk,
    period: crate::report::period::Period,
    as_of: crate::time::Moment,
    known: Option<crate::time::Moment>,
    ratings: &[crate::rules::penalties::Rating],
) -> Result<(Penalties, std::collections::BTreeSet<i32>)> {
    let versions = desk.versions()?;
    if versions.len() <= 1 {
        return compute_with(desk, &desk.rules, period, as_of, known, ratings);
    }
    let mut out = Penalties::default();
    let mut gaps = std::collections::BTreeSet::new();
    for (i, v) in versions.iter().enumerate() {
        let from = v.from.map_or(period.from, |f| f.max(period.from));
        let to = match versions.get(i + 1).and_then(|n| n.from) {
            Some(next) => next.pred_opt().unwrap_or(next).min(period.to),
            None => period.to,
        };
        if from > to {
            continue;
        }
        let part = crate::report::period::Period { from, to };
        let (pn, g) = compute_with(desk, &v.rules, part, as_of, known, ratings)?;
        out.merge(pn);
        gaps.extend(g);
    }
    Ok((out, gaps))
}

/// `compute` under one version of the rulebook.
fn compute_with(
    desk: &crate::desk::Desk,
    rules: &crate::rules::Rules,
    period: crate::report::period::Period,
    as_of: crate::time::Moment,
    known: Option<crate::time::Moment>,
    ratings: &[crate::rules::penalties::Rating],
) -> Result<(Penalties, std::collections::BTreeSet<i32>)> {
    let start = period.start(rules.offset);
    let judge = crate::desk::judge::Judge {
        desk,
        rules,
        at: as_of,
        known,
    };
    let mut tally = Tally::default();
    // A ticket whose every step was done before the period began has no fine in it: its
    // late steps' deadlines fell before they were done. It is not judged again, nor read:
    // its digest says so.
    let gaps = judge.each_batch(
        |d| !(d.settled_by(as_of) == Some(true) && d.last_at.is_none_or(|l| l < start)),
        |t| !(t.every_step_done_by(rules, as_of) && t.events.iter().all(|e| e.at < start)),
        |judged| tally.add(rules, judged, period, as_of),
    )?;
    Ok((tally.finish(rules, period, ratings), gaps))
}
