//! `plaint settle --month YYYY-MM`: a month's fines, rewards and report figures recorded for
//! pay (`settlements/YYYY-MM.yaml`), and what reading commands do with settled months: show
//! them as settled, and carry later changes to them as adjustments (调整) into the first
//! month not yet settled.

use super::Outcome;
use super::{Ctx, actor, provenance};
use crate::cli::{ReportFormat, SettleArgs};
use crate::desk::{Desk, settlements, store};
use crate::output;
use crate::report::figures::By;
use crate::report::period::Period;
use crate::report::render;
use crate::rules::penalties::{Item, Penalties, Rating};
use crate::rules::settle::{self, Settlement, month_key, next_month};
use crate::time::{Moment, human, parse_month};
use anyhow::{Result, anyhow, bail};
use chrono::Datelike;
use serde_json::json;

pub fn run(ctx: &Ctx, a: SettleArgs) -> Result<Outcome> {
    let by = actor(&a.write)?;
    let desk = ctx.open_writing(&by)?;
    let rules = &desk.rules;
    let now = super::event_time(&desk, &a.write)?.at;
    let (y, m) = parse_month(&a.month).map_err(|e| anyhow!("--month: {e}"))?;
    let period =
        Period::month(y, m).ok_or_else(|| anyhow!("--month: {} is not a month", a.month))?;
    let key = month_key(y, m);
    let end = period.end(rules.offset);
    if now < end {
        bail!(
            "--month {key} has not ended (it ends {}); a month is settled once it is over",
            human(&end)
        );
    }
    let settled = settlements::all(&desk)?;
    if let Some(s) = settled.iter().find(|s| s.month == key) {
        bail!(
            "{key} was settled at {} by {}; a settled month is never settled again (later changes to it appear as adjustments in the first month not yet settled)",
            human(&s.settled_at),
            s.settled_by
        );
    }
    if let Some(last) = settled.last()
        && last.month > key
    {
        bail!(
            "{key} comes before {}, which is settled already; months are settled in order",
            last.month
        );
    }
    let ratings = super::rate::read(&desk)?;
    let (mut pn, _) = super::penalties::compute(&desk, period, now, None, &ratings)?;
    // Changes to months settled earlier are settled here, with this month.
    pn.add_adjustments(adjustments(&desk, &settled, now, None, &ratings)?);
    let (reports, _) = super::report::compute(&desk, period, now, None, &[Some(By::Project)])?;
    let prov = provenance(&desk, now);
    let report = render::report_json(rules, &reports[0], Some(By::Project), &prov);
    let (sha, terms) = terms_for(&desk, &period)?;
    let commit = crate::desk::git::head(&desk.root).map(|(c, _)| c);
    let s = Settlement::new(&key, now, &by, &sha, &terms, commit, &pn, report);
    let text = settlements::text(&s)?;
    let total: crate::money::Money = pn.items.iter().map(|i| i.amount).sum();
    if a.dry_run {
        let mut out = format!(
            "将结算 {key}(--dry-run,未写入):{} 项扣罚,合计 {total} 元\n",
            pn.items.len()
        );
        out.push_str(&render::penalties_table(rules, &pn, &period, &prov));
        output::print(&out)?;
        return Ok(Outcome::Done);
    }
    let path = settlements::path(&desk.root, &key);
    {
        let _lock = desk.written.lock(&desk.root)?;
        if path.exists() {
            bail!("{} exists already; nothing was written", path.display());
        }
        desk.written.will_write(&desk.root, &path)?;
        store::write_atomic(&desk.root, &path, text.as_bytes(), true)?;
    }
    super::commit(
        &desk,
        &format!("settle {key}: {} items, {total}", pn.items.len()),
    );
    output::print(&path.display().to_string())?;
    crate::output::note(&format!(
        "settled {key}: {} items, {total} in all; settlements/{key}.yaml is never changed again",
        pn.items.len()
    ));
    Ok(Outcome::Done)
}

/// The rulebook version in force when `period` began: the SHA-256 of its file and of its
/// terms (the file without its calendar).
pub fn terms_for(desk: &Desk, period: &Period) -> Result<(String, String)> {
    Ok(desk
        .version_at(period.from)?
        .map(|v| (v.sha256.clone(), v.terms_sha256.clone()))
        .unwrap_or_else(|| (desk.rules_sha256.clone(), String::new())))
}

/// Of the desk's settlements, the one of `period`, when it is exactly a settled month.
pub fn settled<'s>(settled: &'s [Settlement], period: &Period) -> Option<&'s Settlement> {
    let (y, m) = (period.from.year(), period.from.month());
    if Period::month(y, m).as_ref() != Some(period) {
        return None;
    }
    let key = month_key(y, m);
    settled.iter().find(|s| s.month == key)
}

/// The month after the newest settled one: where adjustments land.
pub fn first_unsettled(settled: &[Settlement]) -> Option<String> {
    settled.last().and_then(|s| next_month(&s.month))
}

/// The line that marks figures as settled.
fn settled_line(s: &Settlement) -> String {
    format!(
        "已结算:{},于 {} 由 {} 结算(规则手册 sha256 {}{});以下为结算时的数字,此后的更正见其后首个未结算月份的调整项。\n",
        s.month,
        human(&s.settled_at),
        s.settled_by,
        &s.rules_sha256.chars().take(12).collect::<String>(),
        s.commit
            .as_ref()
            .map(|c| format!(",台账提交 {c}"))
            .unwrap_or_default()
    )
}

fn settled_json(s: &Settlement) -> serde_json::Value {
    json!({
        "month": s.month,
        "at": crate::time::rfc3339(&s.settled_at),
        "by": s.settled_by,
        "rules_sha256": s.rules_sha256,
        "commit": s.commit,
    })
}

/// A settled month's penalties, in the format asked for.
pub fn settled_penalties(
    desk: &Desk,
    s: &Settlement,
    period: &Period,
    format: crate::cli::ListFormat,
    bom: bool,
) -> Result<String> {
    let rules = &desk.rules;
    let pn = s.penalties();
    let mut prov = provenance(desk, s.as_of);
    prov.rules_sha256 = s.rules_sha256.chars().take(12).collect();
    prov.commit = s.commit.clone().map(|c| (c, false));
    Ok(match format {
        crate::cli::ListFormat::Table => {
            let mut t = settled_line(s);
            t.push_str(&render::penalties_table(rules, &pn, period, &prov));
            if !s.rewards.is_empty() {
                let rows: Vec<Vec<String>> = s
                    .rewards
                    .iter()
                    .map(|r| {
                        vec![
                            rules.departments().label(&r.department).to_string(),
                            r.month.clone(),
                            r.score.clone().unwrap_or_else(|| "—".into()),
                            r.amount.to_string(),
                        ]
                    })
                    .collect();
                t.push_str("奖励(已结算):\n");
                t.push_str(&output::table(
                    &["部门", "月份", "综合得分", "奖励(元)"],
                    &rows,
                ));
                t.push('\n');
            }
            t
        }
        crate::cli::ListFormat::Json => {
            let mut v = render::penalties_json(rules, &pn, period, &prov);
            v["settled"] = settled_json(s);
            v["rewards"] = serde_json::to_value(&s.rewards)?;
            output::json(&v)?
        }
        crate::cli::ListFormat::Csv => render::penalties_csv(rules, &pn, bom)?,
    })
}

/// A settled month's report figures, in the format asked for. The settlement keeps the
/// figures by project; another grouping is computed afresh and said to be so.
pub fn settled_report(s: &Settlement, format: ReportFormat, by: Option<By>) -> Result<String> {
    if !matches!(by, None | Some(By::Project)) {
        bail!(
            "{} is settled by project; its settled figures are printed with --by project (or without --by); add --recompute to see today's computation",
            s.month
        );
    }
    let mut v = s.report.clone();
    v["settled"] = settled_json(s);
    Ok(match format {
        ReportFormat::Json => output::json(&v)?,
        _ => {
            let mut t = settled_line(s);
            let cell = |x: &serde_json::Value| match x {
                serde_json::Value::Null => "—".to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let row = |name: String, g: &serde_json::Value| {
                vec![
                    name,
                    cell(&g["received"]),
                    cell(&g["invalid"]),
                    cell(&g["closed"]),
                    cell(&g["closure_rate"]),
                    cell(&g["on_time_rate"]),
                    cell(&g["callback_rate"]),
                    cell(&g["satisfaction"]),
                ]
            };
            let mut rows: Vec<Vec<String>> = v["groups"]
                .as_array()
                .map(|gs| {
                    gs.iter()
                        .map(|g| row(g["key"].as_str().unwrap_or("").to_string(), g))
                        .collect()
                })
                .unwrap_or_default();
            rows.push(row("合计".into(), &v["totals"]));
            t.push_str(&format!("投诉处理报表 {}(已结算)\n", s.month));
            t.push_str(&output::table(
                &[
                    "项目",
                    "受理",
                    "无效",
                    "关闭",
                    "关闭率%",
                    "按时关闭率%",
                    "回访率%",
                    "满意度",
                ],
                &rows,
            ));
            t.push('\n');
            t
        }
    })
}

/// The adjustments of every settled month: each one recomputed as the desk stands at
/// `as_of` (as known at `known`), against what was paid for it.
pub fn adjustments(
    desk: &Desk,
    settled: &[Settlement],
    as_of: Moment,
    known: Option<Moment>,
    ratings: &[Rating],
) -> Result<Vec<Item>> {
    let mut out = Vec::new();
    for s in settled {
        let (y, m) = parse_month(&s.month).map_err(|e| anyhow!("{e}"))?;
        let Some(period) = Period::month(y, m) else {
            continue;
        };
        let (_, terms) = terms_for(desk, &period)?;
        let (now, _): (Penalties, _) =
            super::penalties::compute(desk, period, as_of, known, ratings)?;
        let paid = settle::paid(&s.month, settled);
        let cause = |ticket: &str| cause_of(desk, ticket, s, &terms, as_of);
        out.extend(settle::adjustments(&s.month, &paid, &now.items, &cause));
    }
    Ok(out)
}

/// Why a ticket's fines in settled month `s` changed: the last event entered after the
/// settlement (a void, a back-dated step, a correction), else a change of the rulebook's
/// terms, else days accruing on a step still not done.
fn cause_of(desk: &Desk, ticket: &str, s: &Settlement, terms: &str, as_of: Moment) -> String {
    if let Ok(l) = desk.load(ticket) {
        let late = l
            .ticket
            .events
            .iter()
            .enumerate()
            .rfind(|(_, e)| e.entered_at.unwrap_or(e.at) > s.settled_at);
        if let Some((i, e)) = late {
            return format!(
                "{ticket} 第 {} 条事件({},发生于 {})由 {} 于 {} 录入",
                i + 1,
                e.action.kind(),
                human(&e.at),
                e.by,
                human(&e.entered_at.unwrap_or(e.at))
            );
        }
    }
    if terms != s.terms_sha256 {
        return format!(
            "规则手册条款已改(结算时 sha256 {})",
            s.terms_sha256.chars().take(12).collect::<String>()
        );
    }
    format!("暂计扣罚随逾期累计(截至 {})", human(&as_of))
}
