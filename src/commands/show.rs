//! `plaint show ID`: one ticket as it stood at --as-of.

use super::Outcome;
use super::{Ctx, as_of};
use crate::cli::{ShowArgs, ShowFormat};
use crate::output;
use crate::rules::assess::Assessment;
use crate::rules::deadlines::{Deadline, DueState};
use crate::rules::{Rules, Step};
use crate::ticket::{Event, Ticket};
use crate::time::{Moment, describe_delay, human, rfc3339};
use anyhow::Result;
use serde_json::{Value, json};

pub fn run(ctx: &Ctx, a: ShowArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let at = as_of(&desk, &a.read)?;
    let known = super::known_at(&desk, &a.read)?;
    let mut loaded = desk.load(&a.id)?;
    if let Some(k) = known {
        loaded.ticket = loaded.ticket.known_at(k).ok_or_else(|| {
            anyhow::anyhow!("{} was not yet written at --known-at {}", a.id, human(&k))
        })?;
    }
    if loaded.ticket.received_at > at {
        anyhow::bail!(
            "{} was received at {}, after --as-of {}",
            a.id,
            human(&loaded.ticket.received_at),
            human(&at)
        );
    }
    let peers = match known {
        // Other tickets matter only to a ticket that was ever given a target: then they
        // are read as they were known too.
        Some(k)
            if crate::rules::grading::Peers::needed(&desk.rules)
                && !crate::rules::grading::mentioned_keys(&loaded.ticket).is_empty() =>
        {
            crate::rules::grading::Peers::index(&desk.rules, &desk.known_tickets(k)?, at)
        }
        Some(_) => crate::rules::grading::Peers::default(),
        None => super::lifecycle::peers_for(&desk, &loaded.ticket, at)?,
    };
    let judged = Assessment::of(&desk.rules, &loaded.ticket, &peers, at);
    let text = match a.format {
        ShowFormat::Json => output::json(&to_json(&desk.rules, &judged))?,
        ShowFormat::Yaml => crate::yaml::to_string(&to_json(&desk.rules, &judged))?,
        ShowFormat::Table => to_table(&desk.rules, &judged),
    };
    output::print(&text)?;
    Ok(Outcome::Done)
}

/// An event of the file as `show` lists it: its number, and the withdrawal if any.
struct Listed<'t> {
    n: usize,
    event: &'t Event,
    voided: Option<&'t Event>,
}

/// Every event that happened by `as_of`, in time order, numbered as in the file.
fn listed<'t>(t: &'t Ticket, as_of: Moment) -> Vec<Listed<'t>> {
    let withdrawn = t.withdrawn();
    let mut out: Vec<Listed> = t
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.at <= as_of)
        .map(|(i, e)| Listed {
            n: i + 1,
            event: e,
            voided: withdrawn[i].map(|j| &t.events[j]),
        })
        .collect();
    out.sort_by_key(|l| l.event.at);
    out
}

fn event_json(l: &Listed) -> Value {
    let mut v = serde_json::to_value(l.event).unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        let mut m = serde_json::Map::new();
        m.insert("n".into(), json!(l.n));
        m.extend(std::mem::take(map));
        m.insert(
            "voided".into(),
            match l.voided {
                Some(w) => json!({
                    "at": rfc3339(&w.at),
                    "by": w.by,
                    "reason": match &w.action {
                        crate::ticket::Action::Void(v) => v.reason.as_str(),
                        _ => "",
                    },
                }),
                None => Value::Null,
            },
        );
        *map = m;
    }
    v
}

fn deadline_json(d: Option<&Deadline>, as_of: Moment) -> Value {
    match d {
        None => Value::Null,
        Some(d) => {
            let mut v = json!({
                "due": rfc3339(&d.due),
                "met_at": d.met_at.as_ref().map(rfc3339),
                "state": d.state.code(),
                "start": rfc3339(&d.start),
                "warn_at": d.warn_at.as_ref().map(rfc3339),
                "late_by_minutes": d.lateness(as_of).map(|l| l.num_minutes()),
                "clause": d.clause,
                "basis": d.basis,
                "refixed_at": d.refixed_at.as_ref().map(rfc3339),
            });
            if !d.calendar_gaps.is_empty() {
                v["calendar_gaps"] = json!(d.calendar_gaps);
            }
            v
        }
    }
}

fn deadlines_json<'d>(
    rules: &Rules,
    list: impl IntoIterator<Item = (Step, Option<&'d Deadline>)>,
    as_of: Moment,
) -> Value {
    let mut m = serde_json::Map::new();
    for (step, d) in list {
        m.insert(rules.step_code(step).into(), deadline_json(d, as_of));
    }
    Value::Object(m)
}

pub fn to_json(rules: &Rules, j: &Assessment) -> Value {
    let s = &j.state;
    let f = &s.facts;
    let grade = j.grade();
    json!({
        "id": s.ticket.id,
        "ref": f.ext_ref,
        "project": f.project,
        "status": s.status.code(),
        "valid": s.valid,
        "invalid_reason": s.invalid_reason,
        "category": s.category,
        "type": s.type_,
        "grade": grade,
        "grade_rule": j.basis().clause(),
        "grade_basis": j.basis().describe(),
        "report_to": rules.book.grades.get(grade).map(|g| g.report_to.clone()),
        "grade_history": j.spells.iter().map(|sp| json!({
            "from": rfc3339(&sp.from),
            "grade": sp.grade,
            "rule": sp.basis.clause(),
        })).collect::<Vec<_>>(),
        "department": s.department,
        "handler": s.handler,
        "cooperating": s.cooperating,
        "received_at": rfc3339(&s.ticket.received_at),
        "received_by": f.received_by,
        "channel": f.channel,
        "logged_by": f.logged_by,
        "entered_at": s.ticket.entered_at.as_ref().map(rfc3339),
        "source": s.ticket.source,
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
        "deadlines": deadlines_json(rules, j.deadlines(), j.as_of),
        "cycles": j.cycles.iter().map(|c| json!({
            "n": c.n,
            "start": rfc3339(&c.start),
            "end": c.end.as_ref().map(rfc3339),
            "deadlines": deadlines_json(rules, c.deadlines.iter().map(|(s, d)| (*s, d.as_ref())), j.as_of),
        })).collect::<Vec<_>>(),
        "events": listed(s.ticket, j.as_of).iter().map(event_json).collect::<Vec<_>>(),
    })
}

fn to_table(rules: &Rules, j: &Assessment) -> String {
    let s = &j.state;
    let f = &s.facts;
    let grade = j.grade();
    let dash = || "—".to_string();
    let opt = |v: &Option<&str>| v.map(str::to_string).unwrap_or_else(dash);
    let type_label = s
        .type_
        .map(|t| rules.types().label(t).to_string())
        .unwrap_or_else(|| "未分类".into());
    let validity = if s.valid {
        "有效".to_string()
    } else {
        format!(
            "无效({})",
            s.invalid_reason
                .map(|r| rules.invalid_reasons().label(r).to_string())
                .unwrap_or_default()
        )
    };
    let status = match s.status {
        crate::ticket::Status::Open => s.status.label().to_string(),
        crate::ticket::Status::Closed => format!(
            "{} {}",
            s.status.label(),
            s.closed_at.as_ref().map(human).unwrap_or_default()
        ),
    };
    let rows: Vec<Vec<String>> = vec![
        vec!["编号".into(), s.ticket.id.clone()],
        vec!["投诉编号(外部)".into(), opt(&f.ext_ref)],
        vec!["项目".into(), f.project.to_string()],
        vec!["状态".into(), status],
        vec!["有效性".into(), validity],
        vec![
            "等级".into(),
            format!("{}({})", rules.grades().label(grade), j.basis().describe()),
        ],
        vec![
            "上报级别".into(),
            rules
                .book
                .grades
                .get(grade)
                .map(|g| g.report_to.clone())
                .unwrap_or_default(),
        ],
        vec![field_label("type").into(), type_label],
        vec![
            field_label("category").into(),
            rules.categories().label(s.category).to_string(),
        ],
        vec![
            field_label("department").into(),
            s.department
                .map(|d| rules.departments().label(d).to_string())
                .unwrap_or_else(|| "待客服部界定".into()),
        ],
        vec![field_label("handler").into(), opt(&s.handler)],
        vec![
            "受理时间".into(),
            match &s.ticket.entered_at {
                Some(e) => format!("{}(补录于 {})", human(&s.ticket.received_at), human(e)),
                None => human(&s.ticket.received_at),
            },
        ],
        vec![
            field_label("received_by").into(),
            rules.departments().label(f.received_by).to_string(),
        ],
        vec![
            field_label("channel").into(),
            rules.channels().label(f.channel).to_string(),
        ],
        vec![
            "登记人".into(),
            f.logged_by
                .map(str::to_string)
                .unwrap_or_else(|| "—(未登记)".into()),
        ],
        vec![
            field_label("name").into(),
            format!("{} {}", f.name, f.phone),
        ],
        vec![field_label("unit").into(), opt(&f.unit)],
        vec![field_label("subject").into(), f.subject.to_string()],
        vec![field_label("description").into(), opt(&f.description)],
        vec![field_label("request").into(), opt(&f.request)],
        vec![field_label("headcount").into(), f.headcount.to_string()],
        vec![
            field_label("flags").into(),
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
            field_label("compensation").into(),
            f.compensation
                .map(|m| format!("{m} 元"))
                .unwrap_or_else(dash),
        ],
        vec![field_label("target").into(), opt(&f.target)],
    ];
    let mut rows = rows;
    if let Some(src) = &s.ticket.source {
        rows.push(vec!["导入来源".into(), src.clone()]);
    }
    let mut out = output::table(&["项", "内容"], &rows);
    let several = j.cycles.len() > 1;
    for c in &j.cycles {
        // The cycle in progress shows the deadlines in force (with the first cycle's forward).
        let list: Vec<&Deadline> = if c.end.is_none() {
            j.deadlines().filter_map(|(_, d)| d).collect()
        } else {
            c.deadlines.iter().filter_map(|(_, d)| d.as_ref()).collect()
        };
        if list.is_empty() {
            continue;
        }
        out.push('\n');
        if several {
            out.push_str(&match c.end {
                Some(e) => format!("第{}轮({} 起,{} 重开止)\n", c.n, human(&c.start), human(&e)),
                None => format!("第{}轮({} 重开起)\n", c.n, human(&c.start)),
            });
        }
        let dl: Vec<Vec<String>> = list
            .iter()
            .map(|d| {
                let mut basis = format!("§{} {}", d.clause, d.basis);
                if !d.calendar_gaps.is_empty() {
                    basis.push_str(&format!(
                        "(工作日历未录入 {} 年节假日)",
                        d.calendar_gaps
                            .iter()
                            .map(|y| y.to_string())
                            .collect::<Vec<_>>()
                            .join("、")
                    ));
                }
                vec![
                    rules.step_label(d.step).to_string(),
                    human(&d.due),
                    d.met_at.as_ref().map(human).unwrap_or_else(dash),
                    d.state.label().to_string(),
                    d.lateness(j.as_of).map(describe_delay).unwrap_or_else(dash),
                    basis,
                ]
            })
            .collect();
        let tones: Vec<Option<output::Tone>> = list
            .iter()
            .map(|d| match d.state {
                DueState::Overdue | DueState::Late => Some(output::Tone::Bad),
                DueState::Met => Some(output::Tone::Good),
                DueState::Pending if d.due.date_naive() == j.as_of.date_naive() => {
                    Some(output::Tone::Soon)
                }
                _ => None,
            })
            .collect();
        let tone = |i: usize, c: usize| if c == 3 { tones[i] } else { None };
        out.push_str(
            &output::Grid::new(&["环节", "时限", "完成时间", "状态", "逾期", "依据"], &dl)
                // The state stays whole; on a narrow terminal the basis, then the
                // lateness, give way to the times.
                .keep(&[0, 3])
                .give_way(&[5, 4])
                .tone(&tone)
                .render(),
        );
    }
    let events = listed(s.ticket, j.as_of);
    if !events.is_empty() {
        let ev: Vec<Vec<String>> = events
            .iter()
            .map(|l| {
                let e = l.event;
                let mut what = describe(rules, e);
                if let crate::ticket::Action::Delay(d) = &e.action {
                    let grade = crate::rules::grading::grade_in_force(&j.spells, e.at);
                    let signers = rules.delay_signers(grade);
                    if !signers.is_empty() {
                        what.push_str(&match &d.role {
                            Some(r) => format!(
                                "(签字人职务 {r},符合 §{})",
                                rules.book.deadlines.delay_clause
                            ),
                            None => format!(
                                "(未注明签字人职务;§{} {}投诉须由 {} 签字)",
                                rules.book.deadlines.delay_clause,
                                rules.grades().label(grade),
                                signers.join("/")
                            ),
                        });
                    }
                }
                if let Some(w) = l.voided {
                    let why = match &w.action {
                        crate::ticket::Action::Void(v) => v.reason.as_str(),
                        _ => "",
                    };
                    what = format!("〔已撤销:{} 于 {} 撤销,{why}〕 {what}", w.by, human(&w.at));
                }
                if let Some(en) = &e.entered_at {
                    what.push_str(&format!("(补录于 {})", human(en)));
                }
                match (&e.source, &e.entered_by) {
                    (Some(src), Some(who)) => what.push_str(&format!("({who} 导入自 {src})")),
                    (Some(src), None) => what.push_str(&format!("(导入自 {src})")),
                    (None, Some(who)) => what.push_str(&format!("({who} 录入)")),
                    (None, None) => {}
                }
                vec![
                    l.n.to_string(),
                    human(&e.at),
                    kind_label(rules, e),
                    e.by.clone(),
                    what,
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&output::table(
            &["#", "时间", "事件", "经办人", "内容"],
            &ev,
        ));
    }
    out
}

/// An event's own fields in one line, for the events table.
/// An event's fields in the table's language: Chinese names, the rulebook's labels for
/// codes, 是/否 for yes and no.
fn describe(rules: &Rules, e: &Event) -> String {
    use serde_json::Value;
    super::event_fields(e)
        .into_iter()
        .map(|(k, v)| {
            let code = |c: &str| -> String {
                match k.as_str() {
                    "department" | "received_by" | "cooperating" => {
                        rules.departments().label(c).to_string()
                    }
                    "grade" | "from" | "to" => rules.grades().label(c).to_string(),
                    "type" => rules.types().label(c).to_string(),
                    "category" => rules.categories().label(c).to_string(),
                    "flags" => rules.flags().label(c).to_string(),
                    "step" => rules
                        .resolve_step(c)
                        .map(|s| rules.step_label(s).to_string())
                        .unwrap_or_else(|_| c.to_string()),
                    _ => c.to_string(),
                }
            };
            let value = |v: &Value| -> String {
                match v {
                    Value::String(s) => code(s),
                    Value::Bool(b) => if *b { "是" } else { "否" }.into(),
                    other => other.to_string(),
                }
            };
            let shown = match &v {
                Value::Array(list) => list.iter().map(value).collect::<Vec<_>>().join("、"),
                other => value(other),
            };
            format!("{}:{shown}", field_label(&k))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The Chinese name of a ticket's or an event's field (the file's key where plaint has
/// none): one name in the facts table and in the events.
fn field_label(key: &str) -> &str {
    match key {
        "project" => "项目",
        "name" => "投诉人",
        "phone" => "联系方式",
        "subject" => "主题",
        "unit" => "房号",
        "description" => "内容",
        "request" => "客户要求",
        "channel" => "渠道",
        "received_by" => "接单部门",
        "headcount" => "人数",
        "flags" => "标记",
        "compensation" => "赔偿金额",
        "target" => "投诉对象",
        "type" => "类型",
        "ref" => "投诉编号",
        "valid" => "有效",
        "invalid" => "无效原因",
        "category" => "类别",
        "grade" => "等级",
        "reason" => "原因",
        "department" => "责任部门",
        "handler" => "处理人",
        "cooperating" => "协办部门",
        "note" => "备注",
        "action" => "处理方式",
        "start" => "开始",
        "finish" => "完成",
        "cost" => "费用",
        "property_confirmed" => "物业书面确认",
        "timeliness" => "及时性",
        "plan" => "方案",
        "attitude" => "态度",
        "acknowledged" => "收到确认",
        "visited" => "沟通或上门",
        "comment" => "客户意见",
        "approved_by" => "签字人",
        "role" => "签字人职务",
        "rule" => "违规",
        "person" => "责任人",
        "step" => "环节",
        "event" => "撤销事件",
        "from" => "原等级",
        "to" => "新等级",
        other => other,
    }
}

/// An event's kind in Chinese: a step by the rulebook's label for it, the others by name.
fn kind_label(rules: &Rules, e: &Event) -> String {
    use crate::ticket::Action;
    if let Some(step) = rules.step_of(&e.action) {
        return rules.step_label(step).to_string();
    }
    match &e.action {
        Action::Amend(_) => "修正",
        Action::Classify(_) => "判定",
        Action::Assign(_) => "指派",
        Action::Reopen(_) => "重开",
        Action::Escalate(_) => "升级",
        Action::Delay(_) => "延期说明",
        Action::Violation(_) => "违规",
        Action::Void(_) => "撤销",
        // A step the rulebook does not define (check names it): its code.
        Action::Step(s) => &s.step,
        _ => e.action.kind(),
    }
    .to_string()
}
