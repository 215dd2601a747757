//! `plaint show ID`: one ticket as it stood at --as-of.

use super::{Ctx, as_of};
use crate::cli::{ShowArgs, ShowFormat};
use crate::output;
use crate::rules::Rules;
use crate::ticket::{Event, State};
use crate::time::{human, rfc3339};
use anyhow::Result;
use serde_json::{Value, json};

pub fn run(ctx: &Ctx, a: ShowArgs) -> Result<i32> {
    let desk = ctx.open()?;
    let at = as_of(&desk, &a.read)?;
    let loaded = desk.load(&a.id)?;
    let state = loaded.ticket.state_at(&desk.rules, at);
    let text = match a.format {
        ShowFormat::Json => output::json(&to_json(&state))?,
        ShowFormat::Yaml => crate::yaml::to_string(&to_json(&state))?,
        ShowFormat::Table => to_table(&desk.rules, &state),
    };
    output::print(&text)?;
    Ok(0)
}

fn event_json(e: &Event) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

pub fn to_json(s: &State) -> Value {
    let f = &s.facts;
    json!({
        "id": s.ticket.id,
        "ref": f.ext_ref,
        "project": f.project,
        "status": s.status.code(),
        "valid": s.valid,
        "invalid_reason": s.invalid_reason,
        "category": s.category,
        "type": s.type_,
        "grade": Value::Null,
        "grade_rule": Value::Null,
        "department": s.department,
        "handler": s.handler,
        "cooperating": s.cooperating,
        "received_at": rfc3339(&s.ticket.received_at),
        "received_by": f.received_by,
        "channel": f.channel,
        "logged_by": f.logged_by,
        "name": f.name,
        "phone": f.phone,
        "unit": f.unit,
        "subject": f.subject,
        "description": f.description,
        "request": f.request,
        "headcount": f.headcount,
        "flags": f.flags,
        "compensation": f.compensation.map(|m| m.to_string()),
        "target": f.target,
        "closed_at": s.closed_at.as_ref().map(rfc3339),
        "deadlines": {
            "forward": Value::Null,
            "respond": Value::Null,
            "plan": Value::Null,
            "close": Value::Null,
            "callback": Value::Null,
        },
        "events": s.events.iter().map(|e| event_json(e)).collect::<Vec<_>>(),
    })
}

fn to_table(rules: &Rules, s: &State) -> String {
    let f = &s.facts;
    let dash = || "—".to_string();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(dash);
    let type_label = s
        .type_
        .as_deref()
        .map(|t| rules.types().label(t).to_string())
        .unwrap_or_else(|| "未分类".into());
    let validity = if s.valid {
        "有效".to_string()
    } else {
        format!(
            "无效({})",
            s.invalid_reason
                .as_deref()
                .map(|r| rules.invalid_reasons().label(r).to_string())
                .unwrap_or_default()
        )
    };
    let status = match s.status {
        crate::ticket::Status::Open => "处理中".to_string(),
        crate::ticket::Status::Closed => format!(
            "已关闭 {}",
            s.closed_at.as_ref().map(human).unwrap_or_default()
        ),
    };
    let rows: Vec<Vec<String>> = vec![
        vec!["编号".into(), s.ticket.id.clone()],
        vec!["投诉编号(外部)".into(), opt(&f.ext_ref)],
        vec!["项目".into(), f.project.clone()],
        vec!["状态".into(), status],
        vec!["有效性".into(), validity],
        vec!["类型".into(), type_label],
        vec![
            "类别".into(),
            rules.categories().label(&s.category).to_string(),
        ],
        vec![
            "责任部门".into(),
            s.department
                .as_deref()
                .map(|d| rules.departments().label(d).to_string())
                .unwrap_or_else(|| "待客服部界定".into()),
        ],
        vec!["处理人".into(), opt(&s.handler)],
        vec!["受理时间".into(), human(&s.ticket.received_at)],
        vec![
            "接单部门".into(),
            rules.departments().label(&f.received_by).to_string(),
        ],
        vec![
            "渠道".into(),
            rules.channels().label(&f.channel).to_string(),
        ],
        vec!["登记人".into(), f.logged_by.clone()],
        vec!["投诉人".into(), format!("{} {}", f.name, f.phone)],
        vec!["房号".into(), opt(&f.unit)],
        vec!["主题".into(), f.subject.clone()],
        vec!["内容".into(), opt(&f.description)],
        vec!["客户要求".into(), opt(&f.request)],
        vec!["人数".into(), f.headcount.to_string()],
        vec![
            "标记".into(),
            if f.flags.is_empty() {
                dash()
            } else {
                f.flags
                    .iter()
                    .map(|x| rules.flags().label(x).to_string())
                    .collect::<Vec<_>>()
                    .join("、")
            },
        ],
        vec![
            "赔偿金额".into(),
            f.compensation
                .map(|m| format!("{m} 元"))
                .unwrap_or_else(dash),
        ],
        vec!["投诉对象".into(), opt(&f.target)],
    ];
    let mut out = output::table(&["项", "内容"], &rows);
    if !s.events.is_empty() {
        let ev: Vec<Vec<String>> = s
            .events
            .iter()
            .map(|e| {
                vec![
                    human(&e.at),
                    e.action.kind().to_string(),
                    e.by.clone(),
                    describe(e),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&output::table(&["时间", "事件", "经办人", "内容"], &ev));
    }
    out
}

/// An event's own fields in one line, for the events table.
fn describe(e: &Event) -> String {
    let v = event_json(e);
    let Some(map) = v.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "at" | "by" | "kind"))
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
