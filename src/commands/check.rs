//! `plaint check`: the rulebook and every ticket file, each problem as `path:line: message`.

use super::Ctx;
use super::Outcome;
use crate::cli::CheckArgs;
use crate::desk::Desk;
use crate::rules::{Rules, mentions};
use crate::ticket::{Action, Ticket};
use anyhow::Result;
use chrono::Datelike;
use std::collections::HashMap;
use std::path::Path;

pub fn run(ctx: &Ctx, a: CheckArgs) -> Result<Outcome> {
    Desk::require(&ctx.desk)?;
    let (text, source) = Desk::rules_text(&ctx.desk, ctx.rules.as_deref())?;
    let mut problems: Vec<String> = Vec::new();
    let rules = match &text {
        Some(t) => match Rules::parse(t) {
            Ok(r) => Some(r),
            Err(ps) => {
                problems.extend(ps.iter().map(|p| p.render(&source.describe())));
                None
            }
        },
        None => Some(Rules::builtin()),
    };
    let Some(rules) = rules else {
        for p in &problems {
            crate::output::print(p)?;
        }
        eprintln!("the rulebook has problems; ticket files were not checked against it");
        return Ok(Outcome::Found);
    };
    let desk = Desk {
        root: ctx.desk.clone(),
        rules,
        rules_source: source,
        rules_sha256: String::new(),
        written: Default::default(),
        versions: Default::default(),
    };
    let as_of = match &a.as_of {
        Some(t) => crate::time::parse_moment(t, desk.rules.offset)
            .map_err(|e| anyhow::anyhow!("--as-of: {e}"))?,
        None => super::now(&desk)?,
    };
    for w in calendar_warnings(&desk.rules, as_of) {
        eprintln!("warning: {}: {w}", desk.rules_source.describe());
    }
    if crate::desk::git::work_tree(&desk.root).is_some()
        && std::fs::read_to_string(desk.root.join(".gitattributes"))
            .is_ok_and(|t| t.contains(crate::desk::git::DRIVER))
        && !crate::desk::git::driver_configured(&desk.root)
    {
        eprintln!(
            "warning: this clone has no merge driver for ticket files, so steps added in two clones will conflict; run `plaint init --clone` here (once per clone)"
        );
    }
    let mut refs: HashMap<String, String> = HashMap::new();
    let mut ids: HashMap<String, std::path::PathBuf> = HashMap::new();
    let scanned = desk.scan()?;
    let count = scanned.len();
    let mut reach = crate::rules::due::Reach::default();
    for r in scanned {
        let path = match &r {
            Ok(l) => &l.path,
            Err(b) => &b.path,
        };
        for (line, msg) in file_problems(&desk.rules, &r, path, Some(as_of)) {
            problems.push(match line {
                Some(line) => format!("{}:{line}: {msg}", path.display()),
                None => format!("{}: {msg}", path.display()),
            });
        }
        if let Ok(l) = r {
            reach.note(&desk.rules, &l.ticket, as_of);
            if let Some(other) = ids.insert(l.ticket.id.clone(), l.path.clone()) {
                problems.push(format!(
                    "{}:{}: the ID {} is also the ID of {}; one of them must be renumbered",
                    l.path.display(),
                    line_of(&l.text, "id", &l.ticket.id),
                    l.ticket.id,
                    other.display()
                ));
            }
            if let Some(r) = &l.ticket.ext_ref {
                if let Some(other) = refs.get(r) {
                    problems.push(format!(
                        "{}:{}: ref '{r}' is also used by {other}",
                        l.path.display(),
                        line_of(&l.text, "ref", r)
                    ));
                } else {
                    refs.insert(r.clone(), l.ticket.id.clone());
                }
            }
        }
    }
    // Whom `plaint due` would have to tell and cannot reach.
    for w in reach.warnings(&desk.rules) {
        eprintln!("warning: {}: {w}", desk.rules_source.describe());
    }
    if let Err(e) = super::rate::read(&desk) {
        problems.push(format!("{e:#}"));
    }
    problems.extend(settled_problems(&desk));
    // Files a stopped writer left uncommitted: the next writer commits them.
    for (by, p) in crate::desk::record::uncommitted(&desk.root) {
        problems.push(format!(
            "{}: written by {by} but not committed (plaint was stopped before its commit); the next plaint command that writes commits it",
            p.display()
        ));
    }
    for p in stale_temporaries(&desk)? {
        eprintln!(
            "warning: {}: a temporary file left by an interrupted write; it holds nothing of the record and can be deleted",
            p.display()
        );
    }
    for p in &problems {
        crate::output::print(&crate::output::clip(p))?;
    }
    if problems.is_empty() {
        eprintln!(
            "ok: {} and {count} ticket file{} checked",
            desk.rules_source.describe(),
            if count == 1 { "" } else { "s" }
        );
        Ok(Outcome::Done)
    } else {
        eprintln!(
            "{} problem{} found",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        Ok(Outcome::Found)
    }
}

/// The rulebook's versions (named on stderr, with their dates) and the settlement files:
/// each verified unchanged since it was settled, and the version in force in its month
/// checked to price it as it was settled, unless that version says it reprices the month.
fn settled_problems(desk: &Desk) -> Vec<String> {
    let mut out = Vec::new();
    let versions = match desk.versions() {
        Ok(v) => v,
        Err(e) => return vec![format!("{e:#}")],
    };
    if versions.len() > 1 {
        for (i, v) in versions.iter().enumerate() {
            let until = versions
                .get(i + 1)
                .and_then(|n| n.from)
                .and_then(|d| d.pred_opt())
                .map_or("今后".to_string(), |d| d.to_string());
            eprintln!(
                "rulebook version {}: in force from {} to {until} (sha256 {})",
                v.path.display(),
                v.from
                    .map_or("the beginning".to_string(), |d| d.to_string()),
                &v.sha256[..12]
            );
        }
    }
    for (_, s) in crate::desk::settlements::each(desk) {
        let s = match s {
            Ok(s) => s,
            Err(e) => {
                out.push(format!("{e:#}"));
                continue;
            }
        };
        let Ok((y, m)) = crate::time::parse_month(&s.month) else {
            continue;
        };
        let Some(month) = crate::report::period::Period::month(y, m) else {
            continue;
        };
        for (i, v) in versions.iter().enumerate() {
            let starts = v.from.is_none_or(|f| f <= month.to);
            let ends = versions
                .get(i + 1)
                .and_then(|n| n.from)
                .is_none_or(|next| next > month.from);
            if starts
                && ends
                && v.terms_sha256 != s.terms_sha256
                && !v.rules.book.desk.reprices_settled.contains(&s.month)
            {
                out.push(format!(
                    "{}: {} is in force in {}, which was settled under other terms (sha256 {}) and would be repriced without saying so: give the change a later desk.effective_from and keep the version {} was settled under in rulebooks/, or list {} in desk.reprices_settled so that the differences are paid as adjustments",
                    v.path.display(),
                    v.path.display(),
                    s.month,
                    &s.terms_sha256[..12],
                    s.month,
                    s.month
                ));
            }
        }
    }
    out
}

/// What `check` says about one ticket file on its own, as (line, message): the file as read
/// (`Err`: it does not read as a ticket) and checked as the file `shown` (whose name must be
/// its ID). The merge driver refuses a merged ticket on the same.
pub(crate) fn file_problems(
    rules: &Rules,
    read: &Result<crate::desk::Loaded, crate::desk::Broken>,
    shown: &Path,
    now: Option<crate::time::Moment>,
) -> Vec<(Option<usize>, String)> {
    match read {
        Err(b) => {
            let mut out = vec![(b.line, b.message.clone())];
            if let Ok(bytes) =
                crate::desk::store::read_regular(&b.path, crate::yaml::MAX_BYTES as u64)
                && let text = String::from_utf8_lossy(&bytes)
                && text.lines().filter(|l| l.starts_with("id:")).count() > 1
            {
                out.push((None, format!(
                    "two complaints are fused into this file (it has {} `id:` lines), as a merge that kept both sides would leave; split them into a file each",
                    text.lines().filter(|l| l.starts_with("id:")).count()
                )));
            }
            out
        }
        Ok(l) => check_ticket(rules, shown, &l.text, &l.ticket, now)
            .into_iter()
            .map(|(line, msg)| (Some(line), msg))
            .collect(),
    }
}

/// `.plaint-*.tmp` files beside ticket files: left by a write that was killed while it
/// staged beside its target (older plaint, or a desk whose tickets/ is another file system).
fn stale_temporaries(desk: &Desk) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![desk.root.clone(), desk.tickets_dir()];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) && d != desk.root {
                dirs.push(p);
            } else if name.starts_with(".plaint-") && name.ends_with(".tmp") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A warning for each year the desk is about to work in without its holidays.
pub fn calendar_warnings(rules: &Rules, as_of: crate::time::Moment) -> Vec<String> {
    rules
        .calendar
        .years_missing(as_of)
        .into_iter()
        .map(|y| {
            format!(
                "the calendar does not cover {y}: enter its holidays and make-up working days (国务院办公厅 {y} 年部分节假日安排) and add {y} to calendar.years; until then the working clock counts {y}'s holidays as working days"
            )
        })
        .collect()
}

/// The first control character (other than a newline or tab) in any text of the ticket,
/// with the key it is under.
fn control_character(t: &Ticket) -> Option<(String, char)> {
    fn walk(key: &str, v: &serde_json::Value) -> Option<(String, char)> {
        match v {
            serde_json::Value::String(s) => {
                crate::ticket::unprintable(s).map(|c| (key.to_string(), c))
            }
            serde_json::Value::Array(a) => a.iter().find_map(|x| walk(key, x)),
            serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| walk(k, x)),
            _ => None,
        }
    }
    walk("", &serde_json::to_value(t).ok()?)
}

/// The first line that has `key:` and mentions `value`; line 1 when none does.
fn line_of(text: &str, key: &str, value: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .starts_with(&format!("{key}:"))
                && mentions(l, value)
        })
        .or_else(|| text.lines().position(|l| mentions(l, value)))
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// Problems of meaning in a ticket that parsed: codes the rulebook does not know, an ID
/// that does not match its file, events before the ticket was received.
fn check_ticket(
    rules: &Rules,
    path: &Path,
    text: &str,
    t: &Ticket,
    now: Option<crate::time::Moment>,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // Nothing can have happened after the desk's clock (plus the rulebook's tolerance): an
    // event dated 9999 would close the ticket for good while every view shows it open.
    let latest = now.map(|n| n + rules.book.desk.clock_tolerance.duration());
    let future = |at: &crate::time::Moment| latest.is_some_and(|l| *at > l);
    if future(&t.received_at) {
        out.push((
            line_of(text, "received_at", &t.received_at.format("%Y").to_string()),
            format!(
                "received_at {} is after the desk's clock ({}) by more than the rulebook's tolerance",
                crate::time::human(&t.received_at),
                now.map(|n| crate::time::human(&n)).unwrap_or_default()
            ),
        ));
    }
    if let Some(p) = crate::desk::store::layout_problem(text) {
        out.push((1, format!("plaint cannot add events to this file: {p}")));
    }
    if text.starts_with('\u{feff}') {
        out.push((1, "the file starts with a byte-order mark; plaint writes UTF-8 without one (it still reads the file)".into()));
    }
    // plaint's own style has no tags, anchors or aliases; only a file beyond it can.
    let own_style = crate::yaml::fast::parse(text).is_some();
    for (i, line) in text.lines().enumerate().filter(|_| !own_style) {
        let value = line.trim_start().trim_start_matches("- ");
        let value = value.split_once(": ").map(|(_, v)| v).unwrap_or(value);
        if value.starts_with('!') || value.starts_with('&') || value.starts_with('*') {
            out.push((
                i + 1,
                "a YAML tag, anchor or alias; ticket files hold plain values only".into(),
            ));
        }
    }
    if let Some((field, c)) = control_character(t) {
        out.push((
            line_of(text, field.as_str(), ""),
            format!(
                "`{field}` contains the control character U+{:04X}; plaint keeps text printable",
                c as u32
            ),
        ));
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != t.id {
        out.push((
            line_of(text, "id", &t.id),
            format!("id '{}' does not match the file name {stem}.yaml", t.id),
        ));
    }
    if !crate::time::YEARS.contains(&t.received_at.year()) {
        out.push((
            line_of(text, "received_at", &t.received_at.format("%Y").to_string()),
            format!(
                "received_at is in the year {}; plaint keeps the years 2000–2099",
                t.received_at.year()
            ),
        ));
    }
    let parsed = crate::desk::id::TicketId::parse(&t.id);
    if let Err(e) = &parsed {
        out.push((line_of(text, "id", &t.id), format!("{e}")));
    }
    if let Ok(p) = parsed {
        let ym = t.received_at.format("%Y%m").to_string();
        if format!("{:04}{:02}", p.year, p.month) != ym {
            out.push((
                line_of(text, "received_at", &t.received_at.format("%Y").to_string()),
                format!(
                    "received_at is in {ym} but the ID says {:04}{:02}",
                    p.year, p.month
                ),
            ));
        }
    }
    let mut code = |key: &str, value: &str, r: Result<String, String>| {
        if let Err(e) = r {
            out.push((line_of(text, key, value), format!("{key}: {e}")));
        } else if let Ok(c) = &r
            && c != value
        {
            out.push((
                line_of(text, key, value),
                format!("{key}: write the code '{c}', not '{value}'"),
            ));
        }
    };
    code("project", &t.project, rules.resolve_project(&t.project));
    code(
        "received_by",
        &t.received_by,
        rules.departments().resolve(&t.received_by),
    );
    code("channel", &t.channel, rules.channels().resolve(&t.channel));
    for f in &t.flags {
        code("flags", f, rules.flags().resolve(f));
    }
    if let Some(ty) = &t.type_ {
        code("type", ty, rules.types().resolve(ty));
    }
    for u in &t.unrecorded {
        if !rules.steps().any(|s| rules.step_code(s) == u) {
            out.push((
                line_of(text, "unrecorded", u),
                format!("unrecorded: unknown step '{u}'"),
            ));
        }
    }
    if t.headcount == 0 {
        out.push((
            line_of(text, "headcount", "0"),
            "headcount is 0; a complaint has at least 1 complainant".into(),
        ));
    }
    let event_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- "))
        .map(|(i, _)| i + 1)
        .collect();
    for (i, e) in t.events.iter().enumerate() {
        let line = event_lines.get(i).copied().unwrap_or(1);
        let mut bad = |msg: String| out.push((line, msg));
        if e.at < t.received_at {
            bad(format!(
                "the {} event is dated before the ticket was received",
                e.action.kind()
            ));
        }
        if future(&e.at) {
            bad(format!(
                "the {} event is dated {}, after the desk's clock ({}) by more than the rulebook's tolerance ({}); correct its `at`",
                e.action.kind(),
                crate::time::human(&e.at),
                now.map(|n| crate::time::human(&n)).unwrap_or_default(),
                rules.book.desk.clock_tolerance
            ));
        }
        let mut known = |what: &str, v: &str, r: Result<String, String>| {
            if r.is_err() || r.as_deref() != Ok(v) {
                bad(format!("{}: unknown {what} '{v}'", e.action.kind()));
            }
        };
        match &e.action {
            Action::Amend(f) => {
                if let Some(p) = &f.project {
                    known("project", p, rules.resolve_project(p));
                }
                if let Some(ty) = &f.type_ {
                    known("type", ty, rules.types().resolve(ty));
                }
                for x in f.flags.iter().flatten() {
                    known("flag", x, rules.flags().resolve(x));
                }
            }
            Action::Classify(c) => {
                if let Some(ty) = &c.type_ {
                    known("type", ty, rules.types().resolve(ty));
                }
                if let Some(g) = &c.grade {
                    known("grade", g, rules.grades().resolve(g));
                }
                if let Some(r) = &c.invalid_reason {
                    known("invalid reason", r, rules.invalid_reasons().resolve(r));
                }
            }
            Action::Assign(a) => {
                for d in a.department.iter().chain(&a.cooperating) {
                    known("department", d, rules.departments().resolve(d));
                }
            }
            Action::Plan(p) => known(
                "plan action",
                &p.action,
                rules.plan_actions().resolve(&p.action),
            ),
            Action::Close(c) => known(
                "close reason",
                &c.reason,
                rules.close_reasons().resolve(&c.reason),
            ),
            Action::Violation(v) => {
                known(
                    "violation rule",
                    &v.rule,
                    rules.violations().resolve(&v.rule),
                );
                known(
                    "department",
                    &v.department,
                    rules.departments().resolve(&v.department),
                );
            }
            Action::Step(s) if rules.step_of(&e.action).is_none() => {
                bad(format!("step: unknown step '{}'", s.step));
            }
            Action::Callback(c) if [c.timeliness, c.plan, c.attitude].iter().any(|s| *s > 10) => {
                bad("callback: scores are 0–10".into());
            }
            Action::Void(v) if !(1..=i).contains(&v.event) => {
                bad(format!(
                    "void: event {} is not an earlier event of this ticket (this is event {})",
                    v.event,
                    i + 1
                ));
            }
            _ => {}
        }
    }
    // The same event twice (a merge that kept both sides' copy of one step): it would be
    // counted, and fined, twice.
    for (i, j) in crate::ticket::merge::repeats(&t.events) {
        out.push((
            event_lines.get(i).copied().unwrap_or(1),
            format!(
                "event {} repeats event {} (same kind, time, author and fields)",
                i + 1,
                j + 1
            ),
        ));
    }
    out
}
