//! `plaint list`: tickets, filtered, as a table, JSON or CSV.

use super::{Ctx, as_of};
use crate::cli::{ListArgs, ListFormat, StatusFilter};
use crate::output;
use crate::rules::assess::Assessment;
use crate::rules::grading::Peers;
use crate::ticket::{Status, Ticket};
use crate::time::{human, parse_month, rfc3339};
use anyhow::{Result, anyhow};
use chrono::Datelike;
use serde_json::json;

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

    let tickets = desk.all_tickets()?;
    let peers = Peers::index(rules, &tickets, at);
    let chosen: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| t.received_at <= at)
        .filter(|t| {
            month.is_none_or(|(y, m)| t.received_at.year() == y && t.received_at.month() == m)
        })
        .collect();
    let judged = crate::desk::parallel_map(&chosen, |t| Assessment::of(rules, t, &peers, at));
    let mut states: Vec<&Assessment> = judged
        .iter()
        .filter(|j| grade.as_deref().is_none_or(|g| j.grade() == g))
        .filter(|j| !a.overdue || j.overdue())
        .collect();
    states.retain(|j| {
        let s = &j.state;
        project
            .as_ref()
            .is_none_or(|p| s.facts.project == p.as_str())
            && category.as_deref().is_none_or(|c| s.category == c)
            && (department.is_none() || s.department == department.as_deref())
            && match a.status {
                Some(StatusFilter::Open) => s.status == Status::Open,
                Some(StatusFilter::Closed) => s.status == Status::Closed,
                None => true,
            }
    });
    states.sort_by(|x, y| {
        (x.state.ticket.received_at, &x.state.ticket.id)
            .cmp(&(y.state.ticket.received_at, &y.state.ticket.id))
    });

    let text = match a.format {
        ListFormat::Json => output::json(&json!(
            states
                .iter()
                .map(|j| (j, &j.state))
                .map(|(j, s)| json!({
                    "id": s.ticket.id,
                    "project": s.facts.project,
                    "status": s.status.code(),
                    "valid": s.valid,
                    "grade": j.grade(),
                    "overdue": j.overdue(),
                    "category": s.category,
                    "type": s.type_,
                    "department": s.department,
                    "handler": s.handler,
                    "received_at": rfc3339(&s.ticket.received_at),
                    "subject": s.facts.subject,
                }))
                .collect::<Vec<_>>()
        ))?,
        ListFormat::Csv => {
            let rows: Vec<Vec<String>> = states
                .iter()
                .map(|j| {
                    let s = &j.state;
                    vec![
                        s.ticket.id.clone(),
                        s.facts.project.to_string(),
                        s.status.code().into(),
                        s.valid.to_string(),
                        j.grade().to_string(),
                        s.category.to_string(),
                        s.type_.unwrap_or_default().to_string(),
                        s.department.unwrap_or_default().to_string(),
                        s.handler.unwrap_or_default().to_string(),
                        rfc3339(&s.ticket.received_at),
                        s.facts.subject.to_string(),
                    ]
                })
                .collect();
            output::csv(
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
                a.bom,
            )?
        }
        ListFormat::Table => {
            if states.is_empty() {
                eprintln!("no tickets match");
                return Ok(0);
            }
            let rows: Vec<Vec<String>> = states
                .iter()
                .map(|j| {
                    let s = &j.state;
                    vec![
                        s.ticket.id.clone(),
                        s.facts.project.to_string(),
                        rules.grades().label(j.grade()).to_string(),
                        match s.status {
                            Status::Open => "处理中".to_string(),
                            Status::Closed => "已关闭".to_string(),
                        } + if j.overdue() { " 逾期" } else { "" },
                        rules.categories().label(s.category).to_string(),
                        s.department
                            .map(|d| rules.departments().label(d).to_string())
                            .unwrap_or_else(|| "—".into()),
                        human(&s.ticket.received_at),
                        s.facts.subject.to_string(),
                    ]
                })
                .collect();
            output::table(
                &[
                    "编号",
                    "项目",
                    "等级",
                    "状态",
                    "类别",
                    "责任部门",
                    "受理时间",
                    "主题",
                ],
                &rows,
            )
        }
    };
    output::print(&text)?;
    super::warn_calendar_gaps(states.iter().copied());
    Ok(0)
}
