//! `plaint report`: the closure-rate report of §10, for people and for cron.

use super::Outcome;
use super::{Ctx, as_of, period, provenance};
use crate::cli::{GroupBy, ReportArgs, ReportFormat};
use crate::output;
use crate::report::figures::{By, Tally};
use crate::report::render;
use anyhow::Result;

pub fn run(ctx: &Ctx, a: ReportArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let as_of = as_of(&desk, &a.read)?;
    let period = period(&a.period, as_of)?;
    let by = a.by.map(|b| match b {
        GroupBy::Project => By::Project,
        GroupBy::Department => By::Department,
        GroupBy::Category => By::Category,
        GroupBy::Grade => By::Grade,
        GroupBy::Month => By::Month,
    });
    let known = super::known_at(&desk, &a.read)?;
    // A settled month reads as settled: its figures as they were paid on.
    let settled = crate::desk::settlements::all(&desk)?;
    if let Some(s) = super::settle::settled(&settled, &period) {
        let settled = super::settle::settled_report(s, a.format, by)?;
        let mut text = settled;
        if a.period.recompute {
            let prov = provenance(&desk, as_of);
            let (mut reports, _) = compute(&desk, period, as_of, known, &[by])?;
            let now = reports.remove(0);
            if a.format == ReportFormat::Json {
                // One document: the settled figures, and today's beside them.
                let mut v: serde_json::Value = serde_json::from_str(&text)?;
                v["recomputed"] = render::report_json(rules, &now, by, &prov);
                output::print(&output::json(&v)?)?;
                return Ok(Outcome::Done);
            }
            text.push('\n');
            text.push_str(&match a.format {
                ReportFormat::Json => unreachable!("answered above"),
                _ => format!(
                    "今日重算(--recompute,未结算数字,仅供核对):\n{}",
                    render::report_table(rules, &now, by, &prov)
                ),
            });
        }
        output::print(&text)?;
        return Ok(Outcome::Done);
    }
    // The tables this format prints: the main one, and for HTML the charts' by-project
    // and by-month figures.
    let html = a.format == ReportFormat::Html;
    let monthly = by == Some(By::Month) || period.months().len() > 1;
    let mut wanted = vec![by];
    if html {
        wanted.push(Some(By::Project));
        if monthly {
            wanted.push(Some(By::Month));
        }
    }
    let (reports, gaps) = compute(&desk, period, as_of, known, &wanted)?;
    let mut reports = reports.into_iter();
    let main = reports.next().expect("the main table is always added up");
    let prov = provenance(&desk, as_of);
    let text = match a.format {
        ReportFormat::Table => render::report_table(rules, &main, by, &prov),
        ReportFormat::Json => output::json(&render::report_json(rules, &main, by, &prov))?,
        ReportFormat::Csv => render::report_csv(rules, &main, by, a.bom)?,
        ReportFormat::Md => render::report_md(rules, &main, by, &prov),
        ReportFormat::Html => {
            let by_project = reports.next().expect("added up for HTML");
            let by_month = reports.next();
            render::report_html(rules, &main, by, &prov, &by_project, by_month.as_ref())
        }
    };
    output::print(&text)?;
    super::warn_gap_years(&gaps);
    Ok(Outcome::Done)
}

/// The report of `period` as the desk stands at `as_of` (with `known`, as it was known
/// then), one table per grouping in `bys`, and the years the working clock ran through
/// uncovered. Each table is added up as the tickets are judged, a batch at a time, so that
/// memory holds one batch of judgements, not a year's.
pub(crate) fn compute(
    desk: &crate::desk::Desk,
    period: crate::report::period::Period,
    as_of: crate::time::Moment,
    known: Option<crate::time::Moment>,
    bys: &[Option<By>],
) -> Result<(
    Vec<crate::report::figures::Report>,
    std::collections::BTreeSet<i32>,
)> {
    // Judged under the rulebook in force when the period began.
    let rules = desk
        .version_at(period.from)?
        .map_or(&desk.rules, |v| &v.rules);
    // "Closed by the end of the period, or --as-of if earlier."
    let cutoff = period.end(rules.offset).min(as_of);
    let mut tallies: Vec<Tally> = bys.iter().map(|b| Tally::new(period, cutoff, *b)).collect();
    let judge = crate::desk::judge::Judge {
        desk,
        rules,
        at: cutoff,
        known,
    };
    // Tickets received after the cut-off play no part. Of the rest, those received in the
    // period are counted, and any other is judged only if it could be overdue at the
    // cut-off. The digests settle most tickets without reading them.
    let gaps = judge.each_batch(
        |d| period.contains(&d.received_at) || d.settled_by(cutoff) != Some(true),
        |t| period.contains(&t.received_at) || !t.every_step_done_by(rules, cutoff),
        |judged| {
            for j in judged {
                for t in &mut tallies {
                    t.add(j);
                }
            }
        },
    )?;
    let order = |b: By, key: &str| -> usize {
        match b {
            By::Project => rules.book.projects.iter().position(|p| p == key),
            By::Department => rules.book.departments.position(key),
            By::Category => rules.book.categories.position(key),
            By::Grade => rules.book.grades.position(key).map(|i| usize::MAX - i),
            By::Month => None,
        }
        .unwrap_or(usize::MAX)
    };
    let reports = tallies.into_iter().map(|t| t.finish(&order)).collect();
    Ok((reports, gaps))
}
