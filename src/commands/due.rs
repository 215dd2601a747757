//! `plaint due`: deadlines falling due soon and overdue, by the person who answers for each,
//! and the complaints a grade's level must be told of (§7.3, §8.1); shown as a table or
//! JSON, or sent, once each, as mail (an mbox on stdout, or over SMTP).

use super::Outcome;
use super::{Ctx, Usage, as_of};
use crate::cli::{DueArgs, DueFormat};
use crate::desk::Desk;
use crate::mail::{Outgoing, Sender, Server};
use crate::output;
use crate::report::render::esc;
use crate::rules::Rules;
use crate::rules::due::{self, Announce, Letter, Notice, Reminder, SentKey, Urgency};
use crate::rules::model::Clock;
use crate::time::{Moment, Span, describe_delay, human, rfc3339};
use anyhow::{Context, Result, anyhow};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

pub fn run(ctx: &Ctx, a: DueArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let at = as_of(&desk, &a.read)?;
    let within = match &a.within {
        Some(w) => Span::parse(w).map_err(|e| anyhow!("--within: {e}"))?,
        None => rules.notices.remind_within.ok_or_else(|| {
            Usage(
                "how far ahead? give --within (e.g. 2h), or set notices.remind_within in the rulebook"
                    .into(),
            )
        })?,
    };
    let server = a
        .smtp
        .as_deref()
        .map(Server::parse)
        .transpose()
        .map_err(|e| Usage(format!("--smtp: {e}")))?;
    let format = a.format.unwrap_or(DueFormat::Table);
    let department = a
        .department
        .as_deref()
        .map(|d| rules.departments().resolve(d))
        .transpose()
        .map_err(|e| anyhow!("--department: {e}"))?;

    let known = super::known_at(&desk, &a.read)?;
    let judge = crate::desk::judge::Judge {
        desk: &desk,
        rules,
        at,
        known,
    };
    // Only tickets with a step still to do at the moment can have anything due.
    let (mut reminders, mut notices) = (Vec::new(), Vec::new());
    let gaps = judge.each_batch(
        |d| d.settled_by(at) != Some(true),
        |_| true,
        |judged| {
            reminders.extend(due::reminders(rules, judged, within, at));
            notices.extend(due::notices(rules, judged, at));
        },
    )?;
    let mut letters = due::letters(rules, &reminders, &notices, within);
    for l in &mut letters {
        if a.notices {
            l.reminders.clear();
        }
        if let Some(d) = &department {
            l.reminders.retain(|(r, _)| &r.department == d);
            l.notices.retain(|(n, _)| &n.department == d);
        }
    }
    if let Some(p) = &a.for_ {
        let want = crate::rules::grading::comparable(p);
        letters.retain(|l| crate::rules::grading::comparable(&l.to.name) == want);
    }
    letters.retain(|l| !l.is_empty());

    let record = Record::at(&desk)?;
    let sending = server.is_some() || format == DueFormat::Mail;
    if sending && known.is_some() {
        return Err(Usage(
            "--known-at shows what was due as the desk knew it then; it sends nothing (leave out --format mail and --smtp)".into(),
        )
        .into());
    }
    if !sending {
        let sent = record.read()?;
        // A level is shown what it has not been told yet; everyone their deadlines.
        for l in &mut letters {
            l.notices.retain(|(_, k)| !sent.contains_key(k));
        }
        letters.retain(|l| !l.is_empty());
        if letters.is_empty() {
            return Ok(Outcome::Done);
        }
        let text = match format {
            DueFormat::Json => output::json(&view_json(rules, &letters, &sent, at, within))?,
            _ => view_table(rules, &letters, &sent, at, within),
        };
        output::print(&text)?;
        super::warn_gap_years(&gaps);
        return Ok(Outcome::Done);
    }

    // Never at night, on a weekend or a holiday: what would go now goes at the next
    // working hour, when the next run finds it still unsent.
    if !a.any_time && !due::may_send(rules, at) {
        return Ok(Outcome::Done);
    }
    let _lock = record.lock()?;
    let sent = record.read()?;
    let letters = due::unsent(letters, &sent.keys().cloned().collect::<HashSet<_>>());
    if letters.is_empty() {
        return Ok(Outcome::Done);
    }
    let now = super::now(&desk)?;
    let provenance = format!(
        "{},规则 {}({})",
        human(&at),
        desk.rules_source.describe(),
        &desk.rules_sha256[..12.min(desk.rules_sha256.len())]
    );
    let messages: Vec<Outgoing> = letters
        .iter()
        .map(|l| message(rules, l, at, within, &provenance))
        .collect();
    match server {
        None => {
            let bytes = crate::mail::mbox(&messages);
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .context("cannot write the messages to stdout")?;
            if !a.dry_run {
                for l in &letters {
                    record.append(l, at, now, "mail", within, rules)?;
                }
            }
            Ok(Outcome::Done)
        }
        Some(server) => {
            let mut failed = 0;
            let mut unreachable = Vec::new();
            let sender = if a.dry_run {
                None
            } else {
                Some(Sender::new(&server).map_err(|e| anyhow!("--smtp: {e}"))?)
            };
            for (l, m) in letters.iter().zip(&messages) {
                if m.to_address.is_none() {
                    unreachable.push(l);
                    continue;
                }
                let Some(sender) = &sender else {
                    eprintln!(
                        "would send to {} <{}>: {}",
                        m.to_name,
                        m.to_address.as_deref().unwrap_or_default(),
                        m.subject
                    );
                    continue;
                };
                match sender.send(m) {
                    Ok(()) => record.append(l, at, now, "smtp", within, rules)?,
                    Err(e) => {
                        failed += 1;
                        eprintln!(
                            "error: mail to {} <{}> was not sent: {e}",
                            m.to_name,
                            m.to_address.as_deref().unwrap_or_default()
                        );
                    }
                }
            }
            for l in unreachable {
                eprintln!(
                    "not sent to {}: the rulebook gives {} no email ({}); add it under people, or deliver `plaint due --format mail`",
                    l.to.name,
                    if l.to.person {
                        "them"
                    } else {
                        "this department or level, and no person holding it,"
                    },
                    items(l)
                );
            }
            Ok(if failed > 0 {
                Outcome::Found
            } else {
                Outcome::Done
            })
        }
    }
}

/// `2 项即将到期、1 项已逾期、1 件上报` for a letter.
fn items(l: &Letter) -> String {
    let soon = l
        .reminders
        .iter()
        .filter(|(r, _)| r.urgency == Urgency::Soon)
        .count();
    let late = l.reminders.len() - soon;
    let mut parts = Vec::new();
    if soon > 0 {
        parts.push(format!("即将到期 {soon} 项"));
    }
    if late > 0 {
        parts.push(format!("已逾期 {late} 项"));
    }
    if !l.notices.is_empty() {
        parts.push(format!("上报 {} 件", l.notices.len()));
    }
    parts.join(",")
}

/// `尚余 1小时30分钟(工作日)` or `已超 30分钟`.
fn state_words(r: &Reminder) -> String {
    match r.urgency {
        Urgency::Soon => format!(
            "尚余 {}({})",
            describe_delay(r.gap),
            match r.clock {
                Clock::Working => "工作日",
                Clock::Calendar => "自然时间",
            }
        ),
        Urgency::Overdue => format!("已逾期 {}", describe_delay(r.gap)),
    }
}

fn clause(c: &str) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!("§{c}")
    }
}

/// Who answers, for a row: `周工(处理人,物业公司)`.
fn answerer(rules: &Rules, r: &Reminder) -> String {
    format!(
        "{}({},{})",
        r.person
            .clone()
            .unwrap_or_else(|| rules.departments().label(&r.department).to_string()),
        r.answers.label(),
        rules.departments().label(&r.department)
    )
}

fn notice_words(rules: &Rules, n: &Notice) -> String {
    match &n.what {
        Announce::Grade => format!(
            "{}投诉,自 {};{}",
            rules.grades().label(&n.grade),
            human(&n.since),
            n.why
        ),
        Announce::Overdue { step, due, .. } => format!(
            "{}投诉的{}已逾期(时限 {})",
            rules.grades().label(&n.grade),
            rules.step_label(*step),
            human(due)
        ),
    }
}

// ------------------------------------------------------------------ the view

fn view_table(
    rules: &Rules,
    letters: &[Letter],
    sent: &HashMap<SentKey, String>,
    at: Moment,
    within: Span,
) -> String {
    let mut out = String::new();
    let rows: Vec<Vec<String>> = letters
        .iter()
        .flat_map(|l| {
            l.reminders.iter().map(move |(r, k)| {
                vec![
                    l.to.name.clone(),
                    r.ticket.clone(),
                    r.project.clone(),
                    rules.grades().label(&r.grade).to_string(),
                    rules.step_label(r.step).to_string(),
                    human(&r.due),
                    state_words(r),
                    format!("{} {}", clause(&r.clause), r.basis)
                        .trim()
                        .to_string(),
                    sent.get(k).cloned().unwrap_or_else(|| "—".into()),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&format!(
            "截至 {},{} 内到期(按各环节的时钟)及已逾期的环节:\n",
            human(&at),
            within
        ));
        let overdue: Vec<bool> = rows.iter().map(|r| r[6].starts_with("已逾期")).collect();
        let tone = |i: usize, j: usize| (j == 6 && overdue[i]).then_some(output::Tone::Bad);
        out.push_str(
            &output::Grid::new(
                &[
                    "责任人",
                    "编号",
                    "项目",
                    "等级",
                    "环节",
                    "时限",
                    "状态",
                    "依据",
                    "已提醒",
                ],
                &rows,
            )
            .one_line()
            .give_way(&[2, 7])
            .tone(&tone)
            .render(),
        );
    }
    let notes: Vec<Vec<String>> = letters
        .iter()
        .flat_map(|l| {
            l.notices.iter().map(move |(n, _)| {
                vec![
                    l.to.name.clone(),
                    n.level.clone(),
                    n.ticket.clone(),
                    n.project.clone(),
                    n.subject.clone(),
                    notice_words(rules, n),
                ]
            })
        })
        .collect();
    if !notes.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("待上报(§{},尚未通知):\n", rules.notices.clause));
        out.push_str(
            &output::Grid::new(
                &["通知", "上报级别", "编号", "项目", "主题", "事由"],
                &notes,
            )
            .render(),
        );
    }
    out
}

fn view_json(
    rules: &Rules,
    letters: &[Letter],
    sent: &HashMap<SentKey, String>,
    at: Moment,
    within: Span,
) -> serde_json::Value {
    json!({
        "as_of": rfc3339(&at),
        "within": within.to_string(),
        "people": letters.iter().map(|l| json!({
            "name": l.to.name,
            "email": l.to.email,
            "person": l.to.person,
            "items": l.reminders.iter().map(|(r, k)| json!({
                "ticket": r.ticket,
                "project": r.project,
                "subject": r.subject,
                "grade": r.grade,
                "cycle": r.cycle,
                "step": rules.step_code(r.step),
                "due": rfc3339(&r.due),
                "state": r.urgency.code(),
                "minutes": r.gap.num_minutes(),
                "clock": match r.clock { Clock::Working => "working", Clock::Calendar => "calendar" },
                "clause": r.clause,
                "basis": r.basis,
                "answers": r.answers.code(),
                "department": r.department,
                "reminded_at": sent.get(k),
            })).collect::<Vec<_>>(),
            "notices": l.notices.iter().map(|(n, _)| json!({
                "ticket": n.ticket,
                "project": n.project,
                "subject": n.subject,
                "grade": n.grade,
                "level": n.level,
                "since": rfc3339(&n.since),
                "why": n.why,
                "what": match &n.what { Announce::Grade => "grade", Announce::Overdue { .. } => "overdue" },
                "step": match &n.what { Announce::Overdue { step, .. } => Some(rules.step_code(*step)), _ => None },
                "due": match &n.what { Announce::Overdue { due, .. } => Some(rfc3339(due)), _ => None },
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

// ------------------------------------------------------------------ mail

/// One recipient's message: the subject says how many items and of what kind; the text and
/// the HTML list them, each with its deadline, state, clause and basis.
fn message(rules: &Rules, l: &Letter, at: Moment, within: Span, provenance: &str) -> Outgoing {
    let n = &rules.notices;
    let subject = match (&l.reminders[..], &l.notices[..]) {
        ([], [one]) => format!(
            "{}投诉上报:{} {}「{}」",
            rules.grades().label(&one.0.grade),
            one.0.ticket,
            one.0.project,
            one.0.subject
        ),
        _ => format!("投诉提醒({}):{}", l.to.name, items(l)),
    };
    let soon: Vec<&Reminder> = l
        .reminders
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.urgency == Urgency::Soon)
        .collect();
    let late: Vec<&Reminder> = l
        .reminders
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.urgency == Urgency::Overdue)
        .collect();
    let notices: Vec<&Notice> = l.notices.iter().map(|(n, _)| n).collect();
    let soon_title =
        format!("以下投诉环节将在 {within} 内到期(按各环节的时钟,工作日时钟跳过节假日):");
    let late_title = "以下投诉环节已逾期:".to_string();
    let level_title = format!(
        "以下投诉按 §{} 须上报{}:",
        n.clause,
        notices.first().map(|x| x.level.clone()).unwrap_or_default()
    );

    let mut text = format!("{}:\n\n", l.to.name);
    let line = |r: &Reminder| {
        format!(
            "  {} {}「{}」{}\n    {} 时限 {},{}\n    依据 {} {};{}\n",
            r.ticket,
            r.project,
            r.subject,
            rules.grades().label(&r.grade),
            rules.step_label(r.step),
            human(&r.due),
            state_words(r),
            clause(&r.clause),
            r.basis,
            answerer(rules, r)
        )
    };
    for (title, list) in [(&soon_title, &soon), (&late_title, &late)] {
        if !list.is_empty() {
            text.push_str(title);
            text.push('\n');
            for r in list.iter() {
                text.push_str(&line(r));
            }
            text.push('\n');
        }
    }
    if !notices.is_empty() {
        text.push_str(&level_title);
        text.push('\n');
        for x in &notices {
            text.push_str(&format!(
                "  {} {}「{}」\n    {}\n",
                x.ticket,
                x.project,
                x.subject,
                notice_words(rules, x)
            ));
        }
        text.push('\n');
    }
    text.push_str(&format!("—— plaint 客户投诉台,截至 {provenance}\n"));

    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<style>\n\
         body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2933}\n\
         table{border-collapse:collapse;font-size:13px;margin:8px 0}\n\
         th,td{border:1px solid #cbd2d9;padding:4px 8px;text-align:left}\n\
         th{background:#f0f4f8}td.bad{color:#c81e1e}\n.meta{color:#616e7c;font-size:12px}\n\
         </style>\n</head>\n<body>\n",
    );
    html.push_str(&format!("<p>{}:</p>\n", esc(&l.to.name)));
    let head = [
        "编号",
        "项目",
        "主题",
        "等级",
        "环节",
        "时限",
        "状态",
        "依据",
        "责任人",
    ];
    for (title, list) in [(&soon_title, &soon), (&late_title, &late)] {
        if list.is_empty() {
            continue;
        }
        html.push_str(&format!("<h3>{}</h3>\n<table>\n<thead><tr>", esc(title)));
        for h in head {
            html.push_str(&format!("<th>{h}</th>"));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for r in list.iter() {
            let bad = if r.urgency == Urgency::Overdue {
                " class=\"bad\""
            } else {
                ""
            };
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{bad}>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&r.ticket),
                esc(&r.project),
                esc(&r.subject),
                esc(rules.grades().label(&r.grade)),
                esc(rules.step_label(r.step)),
                esc(&human(&r.due)),
                esc(&state_words(r)),
                esc(format!("{} {}", clause(&r.clause), r.basis).trim()),
                esc(&answerer(rules, r)),
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if !notices.is_empty() {
        html.push_str(&format!(
            "<h3>{}</h3>\n<table>\n<thead><tr><th>编号</th><th>项目</th><th>主题</th><th>事由</th></tr></thead>\n<tbody>\n",
            esc(&level_title)
        ));
        for x in &notices {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&x.ticket),
                esc(&x.project),
                esc(&x.subject),
                esc(&notice_words(rules, x))
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str(&format!(
        "<p class=\"meta\">plaint 客户投诉台,截至 {}</p>\n</body>\n</html>\n",
        esc(provenance)
    ));

    let digest = crate::desk::sha256_hex(
        format!(
            "{}\n{}\n{}",
            l.to.name,
            rfc3339(&at),
            l.keys()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
        .as_bytes(),
    );
    let domain = n
        .from_address
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d);
    Outgoing {
        from_name: n.from_name.clone(),
        from_address: n.from_address.clone(),
        to_name: l.to.name.clone(),
        to_address: l.to.email.clone(),
        subject,
        date: at,
        message_id: format!("plaint.{}@{domain}", &digest[..32]),
        text,
        html,
    }
}

// ------------------------------------------------------------------ what was sent

/// What was sent, in `.plaint/notices/sent.jsonl`: one line per reminder or notice per
/// recipient, appended once the message went out (or was written for the mailer), with when,
/// how, to which address and why. The desk's state directory, not its record: git ignores
/// it, ticket files never change for it, and the cron of the clone that sends keeps it.
struct Record {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    #[serde(flatten)]
    key: SentKey,
    sent_at: String,
    via: String,
    to: Option<String>,
    reason: String,
}

/// The largest record read (about 200,000 lines).
const MAX_RECORD: u64 = 64 * 1024 * 1024;

impl Record {
    fn at(desk: &Desk) -> Result<Record> {
        Ok(Record {
            dir: desk.root.join(crate::desk::store::STATE).join("notices"),
        })
    }

    fn path(&self) -> PathBuf {
        self.dir.join("sent.jsonl")
    }

    /// Held while sending, so two runs at once never send one reminder twice.
    fn lock(&self) -> Result<std::fs::File> {
        let root = self
            .dir
            .parent()
            .and_then(|p| p.parent())
            .ok_or_else(|| anyhow!("no desk"))?;
        let dir = crate::desk::store::state_dir(root, "notices")?;
        let path = dir.join("lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        f.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(f)
    }

    /// Every key sent, with when (`YYYY-MM-DD HH:MM`). A line a stopped run left half
    /// written is passed over (its reminder goes again).
    fn read(&self) -> Result<HashMap<SentKey, String>> {
        let path = self.path();
        if !path.exists() {
            return Ok(HashMap::new());
        }
        let bytes = crate::desk::store::read_regular(&path, MAX_RECORD)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut out = HashMap::new();
        let mut bad = 0;
        for l in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Line>(l) {
                Ok(line) => {
                    let when = line
                        .sent_at
                        .get(..16)
                        .unwrap_or(&line.sent_at)
                        .replace('T', " ");
                    out.insert(line.key, when);
                }
                Err(_) => bad += 1,
            }
        }
        if bad > 0 {
            eprintln!(
                "warning: {}: {bad} line{} not readable, passed over (what they recorded may be sent again)",
                path.display(),
                if bad == 1 { " is" } else { "s are" }
            );
        }
        Ok(out)
    }

    /// Records a letter as sent: one line per item, written and flushed to disk at once.
    fn append(
        &self,
        l: &Letter,
        at: Moment,
        now: Moment,
        via: &str,
        within: Span,
        rules: &Rules,
    ) -> Result<()> {
        let mut text = String::new();
        let line = |key: &SentKey, reason: String| -> Result<String> {
            Ok(serde_json::to_string(&Line {
                key: key.clone(),
                sent_at: rfc3339(&now),
                via: via.into(),
                to: l.to.email.clone(),
                reason,
            })? + "\n")
        };
        for (r, k) in &l.reminders {
            let why = match r.urgency {
                Urgency::Soon => format!(
                    "{} 时限 {},截至 {} {};提前 {within} 提醒",
                    rules.step_label(r.step),
                    human(&r.due),
                    human(&at),
                    state_words(r)
                ),
                Urgency::Overdue => format!(
                    "{} 时限 {},截至 {} {}",
                    rules.step_label(r.step),
                    human(&r.due),
                    human(&at),
                    state_words(r)
                ),
            };
            text.push_str(&line(k, why)?);
        }
        for (n, k) in &l.notices {
            text.push_str(&line(
                k,
                format!(
                    "§{} 上报{}:{}",
                    rules.notices.clause,
                    n.level,
                    notice_words(rules, n)
                ),
            )?);
        }
        let path = self.path();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_data())
            .with_context(|| format!("cannot write {}", path.display()))
    }
}
