//! `plaint list`: tickets, filtered, as a table, JSON or CSV.

use super::{Ctx, as_of};
use crate::cli::{ListArgs, ListFormat, StatusFilter};
use crate::output;
use crate::ticket::Status;
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

    let tickets = desk.all_tickets()?;
    let mut states: Vec<_> = tickets
        .iter()
        .filter(|t| t.received_at <= at)
        .filter(|t| {
            month.is_none_or(|(y, m)| t.received_at.year() == y && t.received_at.month() == m)
        })
        .map(|t| t.state_at(rules, at))
        .filter(|s| project.as_ref().is_none_or(|p| &s.facts.project == p))
        .filter(|s| category.as_ref().is_none_or(|c| &s.category == c))
        .filter(|s| department.is_none() || s.department == department)
        .filter(|s| match a.status {
            Some(StatusFilter::Open) => s.status == Status::Open,
            Some(StatusFilter::Closed) => s.status == Status::Closed,
            None => true,
        })
        .collect();
    states.sort_by(|x, y| {
        (x.ticket.received_at, &x.ticket.id).cmp(&(y.ticket.received_at, &y.ticket.id))
    });

    let text = match a.format {
        ListFormat::Json => output::json(&json!(
            states
                .iter()
                .map(|s| json!({
                    "id": s.ticket.id,
                    "project": s.facts.project,
                    "status": s.status.code(),
                    "valid": s.valid,
                    "grade": serde_json::Value::Null,
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
                .map(|s| {
                    vec![
                        s.ticket.id.clone(),
                        s.facts.project.clone(),
                        s.status.code().into(),
                        s.valid.to_string(),
                        String::new(),
                        s.category.clone(),
                        s.type_.clone().unwrap_or_default(),
                        s.department.clone().unwrap_or_default(),
                        s.handler.clone().unwrap_or_default(),
                        rfc3339(&s.ticket.received_at),
                        s.facts.subject.clone(),
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
                .map(|s| {
                    vec![
                        s.ticket.id.clone(),
                        s.facts.project.clone(),
                        match s.status {
                            Status::Open => "处理中".into(),
                            Status::Closed => "已关闭".into(),
                        },
                        rules.categories().label(&s.category).to_string(),
                        s.department
                            .as_deref()
                            .map(|d| rules.departments().label(d).to_string())
                            .unwrap_or_else(|| "—".into()),
                        human(&s.ticket.received_at),
                        s.facts.subject.clone(),
                    ]
                })
                .collect();
            output::table(
                &[
                    "编号",
                    "项目",
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
    Ok(0)
}
