//! `plaint list`: tickets, filtered, as a table, JSON or CSV.

use super::{Ctx, as_of};
use crate::cli::{ListArgs, ListFormat, StatusFilter};
use crate::output;
use crate::rules::assess::Assessment;
use crate::ticket::Status;
use crate::time::{Moment, human, parse_month, rfc3339};
use anyhow::{Result, anyhow};
use chrono::Datelike;
use serde::Serialize;

pub fn run(ctx: &Ctx, a: ListArgs) -> Result<i32> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let at = as_of(&desk, &a.read)?;
    let project = a
        .project
        .as_deref()
        .map(|p| rules.resolve_project(p))
        .transpose()
        .map_err(|e| anyhow!("--project: {e}"))?;
    let category = a
        .category
        .as_deref()
        .map(|c| rules.categories().resolve(c))
        .transpose()
        .map_err(|e| anyhow!("--category: {e}"))?;
    let department = a
        .department
        .as_deref()
        .map(|d| rules.departments().resolve(d))
        .transpose()
        .map_err(|e| anyhow!("--department: {e}"))?;
    let month = a
        .month
        .as_deref()
        .map(parse_month)
        .transpose()
        .map_err(|e| anyhow!("--month: {e}"))?;

    let grade = a
        .grade
        .as_deref()
        .map(|g| rules.grades().resolve(g))
        .transpose()
        .map_err(|e| anyhow!("--grade: {e}"))?;

    let catalog = desk.catalog()?;
    let peers = catalog.peers(rules, at)?;
    let chosen: Vec<usize> = (0..catalog.entries().len())
        .filter(|i| {
            let r = &catalog.entries()[*i].digest.received_at;
            r <= &at && month.is_none_or(|(y, m)| r.year() == y && r.month() == m)
        })
        .collect();
    // Judged a batch at a time: only the rows, not every ticket, are held until the end.
    let mut rows: Vec<Row> = Vec::new();
    let mut gaps = std::collections::BTreeSet::new();
    for batch in chosen.chunks(BATCH) {
        let tickets = catalog.tickets(batch)?;
        let tickets: Vec<&crate::ticket::Ticket> = tickets.iter().collect();
        let judged = crate::desk::parallel_map(&tickets, |t| Assessment::of(rules, t, &peers, at));
        for j in &judged {
            let s = &j.state;
            let keep = grade.as_deref().is_none_or(|g| j.grade() == g)
                && (!a.overdue || j.overdue())
                && project
                    .as_ref()
                    .is_none_or(|p| s.facts.project == p.as_str())
                && category.as_deref().is_none_or(|c| s.category == c)
                && (department.is_none() || s.department == department.as_deref())
                && match a.status {
                    Some(StatusFilter::Open) => s.status == Status::Open,
                    Some(StatusFilter::Closed) => s.status == Status::Closed,
                    None => true,
                };
            if keep {
                gaps.extend(j.calendar_gaps());
                rows.push(Row::of(j));
            }
        }
    }
    rows.sort_by(|x, y| (x.received, &x.id).cmp(&(y.received, &y.id)));

    match a.format {
        ListFormat::Json => output::json_to_stdout(&rows)?,
        ListFormat::Csv if a.bom => {
            // For Excel, and for people: Chinese headers and the rulebook's labels.
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.project.clone(),
                        status_label(r),
                        if r.valid { "有效" } else { "无效" }.into(),
                        rules.grades().label(&r.grade).to_string(),
                        rules.categories().label(&r.category).to_string(),
                        r.type_
                            .as_deref()
                            .map(|t| rules.types().label(t).to_string())
                            .unwrap_or_default(),
                        r.department
                            .as_deref()
                            .map(|d| rules.departments().label(d).to_string())
                            .unwrap_or_default(),
                        r.handler.clone().unwrap_or_default(),
                        human(&r.received),
                        r.subject.clone(),
                    ]
                })
                .collect();
            output::print(&output::csv(
                &[
                    "编号",
                    "项目",
                    "状态",
                    "有效性",
                    "等级",
                    "类别",
                    "投诉类型",
                    "责任部门",
                    "处理人",
                    "受理时间",
                    "主题",
                ],
                &rows,
                true,
            )?)?
        }
        ListFormat::Csv => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.project.clone(),
                        r.status.code().into(),
                        r.valid.to_string(),
                        r.grade.clone(),
                        r.category.clone(),
                        r.type_.clone().unwrap_or_default(),
                        r.department.clone().unwrap_or_default(),
                        r.handler.clone().unwrap_or_default(),
                        r.received_at.clone(),
                        r.subject.clone(),
                    ]
                })
                .collect();
            output::print(&output::csv(
                &[
                    "id",
                    "project",
                    "status",
                    "valid",
                    "grade",
                    "category",
                    "type",
                    "department",
                    "handler",
                    "received_at",
                    "subject",
                ],
                &rows,
                false,
            )?)?
        }
        ListFormat::Table => {
            if rows.is_empty() {
                eprintln!("no tickets match");
                return Ok(0);
            }
            let overdue: Vec<bool> = rows.iter().map(|r| r.overdue).collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.project.clone(),
                        rules.grades().label(&r.grade).to_string(),
                        status_label(r),
                        rules.categories().label(&r.category).to_string(),
                        r.department
                            .as_deref()
                            .map(|d| rules.departments().label(d).to_string())
                            .unwrap_or_else(|| "—".into()),
                        human(&r.received),
                        r.subject.clone(),
                    ]
                })
                .collect();
            let headers = [
                "编号",
                "项目",
                "等级",
                "状态",
                "类别",
                "责任部门",
                "受理时间",
                "主题",
            ];
            let tone = |i: usize, j: usize| (j == 3 && overdue[i]).then_some(output::Tone::Bad);
            output::print(
                &output::Grid::new(&headers, &rows)
                    .one_line()
                    // On a narrow terminal: the category first, then the department, then
                    // the project give way to the subject.
                    .give_way(&[4, 5, 1])
                    .tone(&tone)
                    .render(),
            )?
        }
    }
    super::warn_gap_years(&gaps);
    std::mem::forget(catalog);
    Ok(0)
}

/// 处理中 or 已关闭, and 逾期 when a deadline has passed unmet.
fn status_label(r: &Row) -> String {
    format!(
        "{}{}",
        r.status.label(),
        if r.overdue { " 逾期" } else { "" }
    )
}

/// Tickets judged at once: enough to keep every core busy, few enough to bound memory.
const BATCH: usize = 4096;

/// One ticket of the list, as every format shows it (JSON keys in this order).
#[derive(Serialize)]
struct Row {
    id: String,
    project: String,
    status: Status,
    valid: bool,
    grade: String,
    overdue: bool,
    category: String,
    #[serde(rename = "type")]
    type_: Option<String>,
    department: Option<String>,
    handler: Option<String>,
    received_at: String,
    subject: String,
    #[serde(skip)]
    received: Moment,
}

impl Row {
    fn of(j: &Assessment) -> Row {
        let s = &j.state;
        Row {
            id: s.ticket.id.clone(),
            project: s.facts.project.to_string(),
            status: s.status,
            valid: s.valid,
            grade: j.grade().to_string(),
            overdue: j.overdue(),
            category: s.category.to_string(),
            type_: s.type_.map(str::to_string),
            department: s.department.map(str::to_string),
            handler: s.handler.map(str::to_string),
            received_at: rfc3339(&s.ticket.received_at),
            subject: s.facts.subject.to_string(),
            received: s.ticket.received_at,
        }
    }
}
