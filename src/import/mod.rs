//! Import from spreadsheets (SPEC §9): every row checked before anything is written, rows
//! already in the desk (by `ref`) skipped, history columns turned into events with their
//! own times. Reading the file is in `sheet`; this module turns rows into tickets.

pub mod sheet;

use crate::rules::intake::{self, Intake};
use crate::rules::{AppliesTo, IMPORT_FIELDS, Rules, Step, admit};
use crate::ticket::{self, Action, Event, Ticket};
use crate::time::{Moment, parse_moment};
use chrono::TimeZone;
use sheet::{Cell, Sheet};
use std::collections::{HashMap, HashSet};

/// Which field each column of the sheet holds.
pub struct Columns {
    /// For each column: the field, or `None` for a column ignored with --ignore-unknown.
    fields: Vec<Option<&'static str>>,
    /// The header as written in the file, for messages.
    names: HashMap<&'static str, String>,
}

fn normal(h: &str) -> String {
    h.trim().to_lowercase().replace(['-', ' '], "_")
}

/// Matches headers to fields: the English names (case-insensitive, `-` and `_` alike) or the
/// rulebook's aliases (the notice form's Chinese labels).
pub fn columns(
    rules: &Rules,
    headers: &[String],
    ignore_unknown: bool,
) -> Result<Columns, Vec<String>> {
    let mut problems = Vec::new();
    let mut fields = Vec::new();
    let mut names: HashMap<&'static str, String> = HashMap::new();
    let known = |h: &str| -> Option<&'static str> {
        let n = normal(h);
        if let Some(f) = IMPORT_FIELDS.iter().find(|f| **f == n) {
            return Some(f);
        }
        // A few natural English spellings of the same columns.
        let alias = match n.as_str() {
            "flag" => "flags",
            "complainant" => "name",
            "received" | "received_time" => "received_at",
            "plan" => "action",
            _ => "",
        };
        if let Some(f) = IMPORT_FIELDS.iter().find(|f| **f == alias) {
            return Some(f);
        }
        rules
            .book
            .import
            .columns
            .iter()
            .find_map(|(field, aliases)| {
                aliases
                    .iter()
                    .any(|a| a.trim() == h.trim())
                    .then(|| IMPORT_FIELDS.iter().find(|f| **f == field).copied())
                    .flatten()
            })
    };
    let mut unknown = Vec::new();
    for h in headers {
        match known(h) {
            Some(f) => {
                if let Some(prev) = names.get(f) {
                    problems.push(format!("columns '{prev}' and '{h}' both hold {f}"));
                }
                names.insert(f, h.clone());
                fields.push(Some(f));
            }
            None if h.trim().is_empty() && ignore_unknown => fields.push(None),
            None if ignore_unknown => fields.push(None),
            None => unknown.push(format!("'{h}'")),
        }
    }
    if !unknown.is_empty() {
        // Each column plaint knows, by its name and the rulebook's headers for it (the
        // notice form's Chinese labels), listed once however many columns are unknown.
        let knows: Vec<String> = IMPORT_FIELDS
            .iter()
            .map(|f| match rules.book.import.columns.get(f) {
                Some(a) if !a.is_empty() => format!("  {f}: {}", a.join(" / ")),
                _ => format!("  {f}"),
            })
            .collect();
        problems.push(format!(
            "unknown column{} {} (use --ignore-unknown to skip {}); the columns plaint knows, by name and by the rulebook's headers:\n{}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            if unknown.len() == 1 { "it" } else { "them" },
            knows.join("\n")
        ));
    }
    for required in ["project", "name", "phone", "subject"] {
        if !names.contains_key(required) {
            let aliases = rules
                .book
                .import
                .columns
                .get(required)
                .map(|a| format!(" or {}", a.join(" / ")))
                .unwrap_or_default();
            problems.push(format!(
                "no column for {required} (a header {required}{aliases})"
            ));
        }
    }
    if problems.is_empty() {
        Ok(Columns { fields, names })
    } else {
        Err(problems)
    }
}

/// A row turned into a ticket, ready to write.
pub struct Planned {
    pub row: usize,
    pub ticket: Ticket,
}

/// The outcome of checking a whole sheet.
pub struct Plan {
    pub tickets: Vec<Planned>,
    /// Rows whose `ref` is already in the desk.
    pub skipped: usize,
    /// `FILE:ROW: column: what is wrong`, every one of them.
    pub problems: Vec<String>,
}

struct Row<'a> {
    cols: &'a Columns,
    cells: &'a [Cell],
}

impl Row<'_> {
    fn cell(&self, field: &str) -> Option<&Cell> {
        let i = self.cols.fields.iter().position(|f| *f == Some(field))?;
        self.cells.get(i).filter(|c| !c.is_empty())
    }
    fn text(&self, field: &str) -> Option<String> {
        self.cell(field).map(Cell::text)
    }
    fn name(&self, field: &str) -> String {
        self.cols
            .names
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_string())
    }
}

/// A time from a cell: an Excel date, an Excel serial number in a time column, or text.
fn moment(cell: &Cell, rules: &Rules) -> Result<Moment, String> {
    let local = |d: chrono::NaiveDateTime| {
        rules
            .offset
            .from_local_datetime(&d)
            .single()
            .ok_or_else(|| "not a time in the desk's zone".to_string())
    };
    match cell {
        Cell::Date(d) => local(*d),
        Cell::Number(n) => match sheet::excel_serial(*n) {
            Some(d) => local(d),
            None => Err(format!("{n} is not a date")),
        },
        other => parse_moment(&other.text(), rules.offset),
    }
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "有" | "已" => Some(true),
        "no" | "n" | "false" | "0" | "否" | "无" | "未" => Some(false),
        _ => None,
    }
}

/// Who imports and when, and when rows without a received_at column were received.
pub struct Defaults<'a> {
    pub by: &'a str,
    pub received: Moment,
    /// The moment of the import, and how far an event's time may lie from it before the
    /// event also records `entered_at` (SPEC §2).
    pub now: Moment,
    pub tolerance: chrono::Duration,
    /// The sheet's file name, for each event's `source` (`NAME:ROW`).
    pub source: &'a str,
}

impl Defaults<'_> {
    fn entered_at(&self, at: Moment) -> Option<Moment> {
        crate::time::entered_at(at, self.now, self.tolerance)
    }
}

/// The steps a history row does not record (SPEC §9): on a closed row, every step without
/// its column; on an open one, a step missing before a recorded later step. Those are not
/// judged: a sheet from last year must not fine anybody for what it never kept. (A sheet has
/// no column for the rulebook's own steps, so those are unrecorded on every row.)
pub fn unrecorded(recorded: &[(Step, bool)], closed: bool) -> Vec<Step> {
    let last = recorded.iter().rposition(|(_, r)| *r);
    recorded
        .iter()
        .enumerate()
        .filter(|(i, (_, r))| !r && (closed || last.is_some_and(|l| *i < l)))
        .map(|(_, (s, _))| *s)
        .collect()
}

/// What the desk already holds, so that a row imported before is skipped.
#[derive(Debug, Default)]
pub struct Known {
    pub refs: HashSet<String>,
    pub fingerprints: HashSet<String>,
}

/// A digest of a row's cells under their fields (the k-th identical row gets `#k`): the
/// same row of the same sheet gives the same fingerprint, however often it is imported.
fn fingerprint(cols: &Columns, cells: &[Cell], seen: &mut HashMap<String, usize>) -> String {
    use sha2::{Digest, Sha256};
    let mut pairs: Vec<(&str, String)> = cols
        .fields
        .iter()
        .zip(cells)
        .filter_map(|(f, c)| Some((f.as_ref().copied()?, c.text())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    pairs.sort();
    let mut h = Sha256::new();
    for (f, v) in pairs {
        h.update(f.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let k = seen.entry(hex.clone()).or_insert(0);
    *k += 1;
    if *k == 1 { hex } else { format!("{hex}#{k}") }
}

/// Who did an imported step the row names nobody for.
pub const UNKNOWN_ACTOR: &str = "未登记";

/// The column a refusal of the domain's is about.
fn column_of(f: admit::Field) -> &'static str {
    use admit::Field;
    match f {
        Field::Timeliness => "timeliness",
        Field::PlanScore => "plan_score",
        Field::Attitude => "attitude",
        Field::Comment => "comment",
        Field::CloseReason => "close_reason",
        Field::PropertyConfirmed => "property_confirmed",
        Field::Department => "department",
    }
}

/// Checks every row of `sheet` (read from `file`) and builds its ticket; rows whose `ref`
/// (or, without one, whose fingerprint) is `known` are skipped and counted.
pub fn plan(
    rules: &Rules,
    file: &str,
    sheet: &Sheet,
    cols: &Columns,
    known: &Known,
    defaults: &Defaults,
    mut progress: impl FnMut(),
) -> Plan {
    let (by, default_received) = (defaults.by, defaults.received);
    let mut out = Plan {
        tickets: Vec::new(),
        skipped: 0,
        problems: Vec::new(),
    };
    for (row, msg) in &sheet.problems {
        out.problems.push(format!("{file}:{row}: {msg}"));
    }
    // The rulebook's own steps: no sheet column records them.
    let own_steps: Vec<Step> = rules
        .steps()
        .filter(|s| !s.is_built_in() && rules.step_rule(*s).is_some())
        .collect();
    let mut seen_refs: HashMap<String, usize> = HashMap::new();
    let mut seen_prints: HashMap<String, usize> = HashMap::new();
    for (rowno, cells) in &sheet.rows {
        progress();
        let row = Row { cols, cells };
        let mut bad = |field: &str, msg: String| {
            out.problems
                .push(format!("{file}:{rowno}: {}: {msg}", row.name(field)));
        };
        let ext_ref = row.text("ref");
        let print = ext_ref
            .is_none()
            .then(|| fingerprint(cols, cells, &mut seen_prints));
        if print
            .as_ref()
            .is_some_and(|p| known.fingerprints.contains(p))
        {
            out.skipped += 1;
            continue;
        }
        if let Some(r) = &ext_ref {
            if known.refs.contains(r) {
                out.skipped += 1;
                continue;
            }
            if let Some(first) = seen_refs.insert(r.clone(), *rowno) {
                bad("ref", format!("'{r}' is already used by row {first}"));
                continue;
            }
        }
        // The intake facts go through the same checks as `plaint log`.
        let headcount = match row.text("headcount") {
            None => None,
            Some(h) => match h.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad("headcount", format!("'{h}' is not a number of people"));
                    None
                }
            },
        };
        let args = Intake {
            project: row.text("project"),
            name: row.text("name"),
            phone: row.text("phone"),
            subject: row.text("subject"),
            unit: row.text("unit"),
            description: row.text("description"),
            request: row.text("request"),
            channel: row.text("channel"),
            received_by: row.text("received_by"),
            headcount,
            flags: row.text("flags").into_iter().collect(),
            compensation: row.text("compensation"),
            target: row.text("target"),
            type_: row.text("type"),
            ext_ref: ext_ref.clone(),
        };
        for (field, given) in [
            ("project", &args.project),
            ("name", &args.name),
            ("phone", &args.phone),
            ("subject", &args.subject),
        ] {
            if given.is_none() {
                bad(field, "is empty; every complaint needs it".into());
            }
        }
        let facts = match intake::check(rules, &args) {
            Ok(f) => {
                if let Some(why) = rules.repairs_only(f.compensation, None, f.type_.as_deref()) {
                    bad("compensation", why);
                }
                Some(f)
            }
            Err(ps) => {
                for (fact, msg) in ps {
                    // The fact's name → the column it came from.
                    let field = match fact {
                        "received-by" => "received_by",
                        "flag" => "flags",
                        other => other,
                    };
                    bad(field, msg);
                }
                None
            }
        };
        let mut time = |field: &str| -> Option<Moment> {
            let c = row.cell(field)?;
            match moment(c, rules) {
                Ok(m) => Some(m),
                Err(e) => {
                    out.problems
                        .push(format!("{file}:{rowno}: {}: {e}", row.name(field)));
                    None
                }
            }
        };
        let received = time("received_at").unwrap_or(default_received);
        let times: Vec<(&str, Option<Moment>)> = [
            "forwarded_at",
            "responded_at",
            "planned_at",
            "closed_at",
            "callback_at",
        ]
        .iter()
        .map(|f| (*f, time(f)))
        .collect();
        let at = |f: &str| times.iter().find(|(k, _)| *k == f).and_then(|(_, t)| *t);
        let mut bad = |field: &str, msg: String| {
            out.problems
                .push(format!("{file}:{rowno}: {}: {msg}", row.name(field)));
        };
        for (f, t) in &times {
            if let Some(t) = t
                && *t < received
            {
                bad(
                    f,
                    format!(
                        "{} is before the complaint was received ({})",
                        crate::time::human(t),
                        crate::time::human(&received)
                    ),
                );
            }
        }
        let mut events: Vec<Event> = Vec::new();
        let source = format!("{}:{rowno}", defaults.source);
        // Each step is the act of the person the row names for it (SPEC §9): the receiver
        // (发单人) for the hand-off, the handler for the response, plan and close; a step the
        // row names nobody for is by nobody known. Who ran the import is kept apart.
        let receiver = row.text("logged_by");
        let handler = row.text("handler");
        let ev = |at: Moment, who: Option<&String>, action: Action| Event {
            at,
            by: who.map_or(UNKNOWN_ACTOR, String::as_str).to_string(),
            action,
            entered_at: defaults.entered_at(at),
            source: Some(source.clone()),
            entered_by: Some(by.to_string()),
        };

        // Validity: yes/no, or an invalid reason straight away.
        let mut valid = true;
        let mut classify = ticket::Classify::default();
        if let Some(v) = row.text("valid") {
            let t = v.trim();
            if t == "有效" || yes_no(t) == Some(true) {
                classify.valid = Some(true);
            } else if t == "无效" || yes_no(t) == Some(false) {
                classify.valid = Some(false);
                valid = false;
            } else {
                match rules.invalid_reasons().resolve(t) {
                    Ok(reason) => {
                        classify.valid = Some(false);
                        classify.invalid_reason = Some(reason);
                        valid = false;
                    }
                    Err(e) => bad(
                        "valid",
                        format!("'{t}' is neither yes/no (有效/无效) nor an invalid reason: {e}"),
                    ),
                }
            }
        }
        if let Some(r) = row.text("invalid_reason") {
            match rules.invalid_reasons().resolve(&r) {
                Ok(code) => {
                    classify.valid = Some(false);
                    classify.invalid_reason = Some(code);
                    valid = false;
                }
                Err(e) => bad("invalid_reason", e),
            }
        }
        if !valid && classify.invalid_reason.is_none() {
            bad(
                "valid",
                "an invalid complaint needs its reason (§3.3): give it in an invalid_reason column"
                    .into(),
            );
        }
        if classify.valid.is_some() {
            events.push(ev(received, None, Action::Classify(Box::new(classify))));
        }
        if let Some(t) = at("forwarded_at") {
            events.push(ev(
                t,
                receiver.as_ref(),
                Action::Forward(ticket::Note::default()),
            ));
        }
        let department = match row.text("department") {
            Some(d) => match rules.departments().resolve(&d) {
                Ok(c) => Some(c),
                Err(e) => {
                    bad("department", e);
                    None
                }
            },
            None => None,
        };
        if department.is_some() || handler.is_some() {
            events.push(ev(
                received,
                None,
                Action::Assign(Box::new(ticket::Assign {
                    department,
                    handler: handler.clone(),
                    cooperating: vec![],
                })),
            ));
        }
        if let Some(t) = at("responded_at") {
            events.push(ev(
                t,
                handler.as_ref(),
                Action::Respond(ticket::Note::default()),
            ));
        }
        let action = row.text("action").map(|a| rules.plan_actions().resolve(&a));
        match (at("planned_at"), action) {
            (Some(t), Some(Ok(a))) => events.push(ev(
                t,
                handler.as_ref(),
                Action::Plan(Box::new(ticket::Plan {
                    action: a,
                    start: None,
                    finish: None,
                    cost: None,
                    note: None,
                })),
            )),
            (Some(t), None) => events.push(ev(
                t,
                handler.as_ref(),
                Action::Plan(Box::new(ticket::Plan {
                    action: "other".into(),
                    start: None,
                    finish: None,
                    cost: None,
                    note: None,
                })),
            )),
            (_, Some(Err(e))) => bad("action", e),
            (None, Some(Ok(_))) => bad(
                "action",
                "a plan needs its time in the planned_at column".into(),
            ),
            (None, None) => {}
        }
        let closed = at("closed_at");
        if let Some(t) = closed {
            let reason = match row.text("close_reason") {
                Some(r) => match rules.close_reasons().resolve(&r) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        bad("close_reason", e);
                        None
                    }
                },
                // The first reason the rulebook lists for valid (or invalid) complaints.
                None => rules
                    .book
                    .close_reasons
                    .iter()
                    .find(|(_, c)| {
                        c.applies_to
                            == if valid {
                                AppliesTo::Valid
                            } else {
                                AppliesTo::Invalid
                            }
                            || c.applies_to == AppliesTo::Any
                    })
                    .map(|(k, _)| k.to_string()),
            };
            let property_confirmed = match row.text("property_confirmed") {
                None => false,
                Some(v) => yes_no(&v).unwrap_or_else(|| {
                    bad(
                        "property_confirmed",
                        format!("'{v}' is neither yes nor no (是/否)"),
                    );
                    false
                }),
            };
            if let Some(code) = &reason {
                let type_ = row
                    .text("type")
                    .and_then(|t| rules.types().resolve(&t).ok());
                let category = type_
                    .as_deref()
                    .and_then(|t| rules.type_rule(t))
                    .or_else(|| rules.type_rule(&rules.book.default_type))
                    .map(|r| r.category.as_str())
                    .unwrap_or_default();
                let closing = admit::Closing {
                    ticket: "this row",
                    valid,
                    category,
                    has_plan: at("planned_at").is_some(),
                    property_confirmed,
                };
                if let Err(r) = admit::close(rules, code, &closing) {
                    bad(column_of(r.field), r.message);
                }
            }
            if let Some(code) = reason {
                events.push(ev(
                    t,
                    handler.as_ref(),
                    Action::Close(ticket::Close {
                        reason: code,
                        property_confirmed,
                        note: Some("导入".into()),
                    }),
                ));
            }
        } else if row.text("close_reason").is_some() {
            bad(
                "close_reason",
                "a close reason needs its time in the closed_at column".into(),
            );
        }
        let scores: Vec<(&str, Option<String>)> = ["timeliness", "plan_score", "attitude"]
            .iter()
            .map(|f| (*f, row.text(f)))
            .collect();
        if scores.iter().any(|(_, s)| s.is_some()) {
            let mut vals = [0i64; 3];
            let mut readable = true;
            for ((f, s), v) in scores.iter().zip(vals.iter_mut()) {
                match s.as_deref().map(|x| x.parse::<i64>()) {
                    Some(Ok(n)) => *v = n,
                    Some(Err(_)) => {
                        readable = false;
                        bad(
                            f,
                            format!(
                                "'{}' is not a score; scores are 0 to 10",
                                s.clone().unwrap_or_default()
                            ),
                        )
                    }
                    None => {
                        readable = false;
                        bad(f, "is empty; a callback has all three scores".into())
                    }
                }
            }
            let comment = row.text("comment");
            let admitted = if readable {
                admit::callback(vals, comment.as_deref()).map_err(|rs| {
                    for r in rs {
                        bad(column_of(r.field), r.message);
                    }
                })
            } else {
                Err(())
            };
            match (closed, admitted) {
                (None, _) => bad(
                    "timeliness",
                    "a callback comes after closing; give closed_at".into(),
                ),
                (Some(c), Ok([timeliness, plan, attitude])) => {
                    let t = at("callback_at").unwrap_or(c);
                    if t < c {
                        bad("callback_at", "is before the complaint was closed".into());
                    }
                    events.push(ev(
                        t,
                        None,
                        Action::Callback(Box::new(ticket::Callback {
                            timeliness,
                            plan,
                            attitude,
                            acknowledged: row.text("acknowledged").and_then(|v| yes_no(&v)),
                            visited: row.text("visited").and_then(|v| yes_no(&v)),
                            comment,
                        })),
                    ));
                }
                _ => {}
            }
        }
        let Some(f) = facts else { continue };
        events.sort_by_key(|e| e.at);
        let recorded = [
            (Step::FORWARD, at("forwarded_at").is_some()),
            (Step::RESPOND, at("responded_at").is_some()),
            (Step::PLAN, at("planned_at").is_some()),
            (Step::CLOSE, closed.is_some()),
            (
                Step::CALLBACK,
                events
                    .iter()
                    .any(|e| matches!(e.action, Action::Callback(_))),
            ),
        ];
        out.tickets.push(Planned {
            row: *rowno,
            ticket: Ticket {
                id: String::new(),
                ext_ref,
                project: f.project.unwrap_or_default(),
                received_at: received,
                entered_at: defaults.entered_at(received),
                received_by: f
                    .received_by
                    .unwrap_or_else(|| rules.book.default_receiving_department.clone()),
                channel: f
                    .channel
                    .unwrap_or_else(|| rules.book.default_channel.clone()),
                logged_by: row.text("logged_by"),
                name: f.name.unwrap_or_default(),
                phone: f.phone.unwrap_or_default(),
                unit: f.unit.filter(|u| !u.is_empty()),
                subject: f.subject.unwrap_or_default(),
                description: f.description,
                request: f.request,
                headcount: f.headcount.unwrap_or(1),
                flags: f.flags.unwrap_or_default(),
                compensation: f.compensation,
                target: f.target,
                type_: f.type_,
                source: Some(source),
                fingerprint: print,
                unrecorded: unrecorded(&recorded, closed.is_some())
                    .into_iter()
                    .chain(own_steps.iter().copied())
                    .map(|s| rules.step_code(s).to_string())
                    .collect(),
                events,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(recorded: [bool; 5]) -> Vec<(Step, bool)> {
        Step::BUILT_IN.iter().copied().zip(recorded).collect()
    }

    #[test]
    fn a_closed_row_leaves_every_missing_step_unrecorded() {
        assert_eq!(
            unrecorded(&steps([false, true, false, true, false]), true),
            vec![Step::FORWARD, Step::PLAN, Step::CALLBACK]
        );
    }

    #[test]
    fn an_open_row_leaves_only_the_gaps_before_its_last_recorded_step() {
        assert_eq!(
            unrecorded(&steps([false, false, true, false, false]), false),
            vec![Step::FORWARD, Step::RESPOND]
        );
        assert_eq!(unrecorded(&steps([false; 5]), false), vec![]);
    }
}
