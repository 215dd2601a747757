//! One sheet row checked and turned into its ticket, a step at a time (SPEC §9). Each step
//! adds what is wrong with its columns to the row's problems, in the order the columns are
//! checked, and the events it finds to the row's history; the ticket is built at the end,
//! and only if the intake facts stood.

use super::sheet::{self, Cell};
use super::{Defaults, Row, UNKNOWN_ACTOR, problem};
use crate::rules::intake::{self, Intake};
use crate::rules::{AppliesTo, Rules, Step, admit};
use crate::ticket::{self, Action, Event, Facts, Ticket};
use crate::time::{Moment, parse_moment};
use chrono::TimeZone;

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

/// The columns that hold a step's time, in the order they are read and checked.
const STEP_TIMES: [&str; 5] = [
    "forwarded_at",
    "responded_at",
    "planned_at",
    "closed_at",
    "callback_at",
];

/// The callback's score columns, in the order `admit::callback` takes them.
const SCORES: [&str; 3] = ["timeliness", "plan_score", "attitude"];

/// Whose act an imported step is (SPEC §9): the receiver (发单人) for the hand-off, the
/// handler for the response, plan and close; a step the row names nobody for is by nobody
/// known. Who ran the import is kept apart, as each event's `entered_by`.
#[derive(Clone, Copy)]
enum By {
    Receiver,
    Handler,
    Nobody,
}

/// A plan of `action`, as a sheet records it: no dates, cost or note.
fn planned(action: String) -> Action {
    Action::Plan(Box::new(ticket::Plan {
        action,
        start: None,
        finish: None,
        cost: None,
        note: None,
    }))
}

/// One row on its way to a ticket: what is wrong with it, and the events found so far.
pub(super) struct RowPlan<'a> {
    rules: &'a Rules,
    defaults: &'a Defaults<'a>,
    file: &'a str,
    rowno: usize,
    row: Row<'a>,
    /// `FILE:ROW: column: what is wrong`, in the order found.
    pub(super) problems: Vec<String>,
    events: Vec<Event>,
    /// `NAME:ROW`, the ticket's and each event's `source`.
    source: String,
    receiver: Option<String>,
    handler: Option<String>,
    /// When the complaint was received: its column, else the import's default.
    received: Moment,
    /// Each of `STEP_TIMES` with the time its cell holds, once `times` has read them.
    times: [(&'static str, Option<Moment>); 5],
    /// False once the row says the complaint is invalid.
    valid: bool,
}

impl<'a> RowPlan<'a> {
    pub(super) fn new(
        rules: &'a Rules,
        defaults: &'a Defaults<'a>,
        file: &'a str,
        rowno: usize,
        row: Row<'a>,
    ) -> Self {
        RowPlan {
            rules,
            defaults,
            file,
            rowno,
            row,
            problems: Vec::new(),
            events: Vec::new(),
            source: format!("{}:{rowno}", defaults.source),
            receiver: row.text("logged_by"),
            handler: row.text("handler"),
            received: defaults.received,
            times: STEP_TIMES.map(|f| (f, None)),
            valid: true,
        }
    }

    /// Notes what is wrong with the row's `field` column.
    fn bad(&mut self, field: &str, msg: impl std::fmt::Display) {
        let column = self.row.name(field);
        self.problems
            .push(problem(self.file, self.rowno, &column, msg));
    }

    /// The time of a step's column (one of `STEP_TIMES`), if its cell holds a good one.
    fn at(&self, field: &str) -> Option<Moment> {
        self.times
            .iter()
            .find(|(k, _)| *k == field)
            .and_then(|(_, t)| *t)
    }

    /// Adds the event of a step done at `at`.
    fn record(&mut self, at: Moment, by: By, action: Action) {
        let who = match by {
            By::Receiver => self.receiver.as_deref(),
            By::Handler => self.handler.as_deref(),
            By::Nobody => None,
        };
        self.events.push(Event {
            at,
            by: who.unwrap_or(UNKNOWN_ACTOR).to_string(),
            action,
            entered_at: self.defaults.entered_at(at),
            source: Some(self.source.clone()),
            entered_by: Some(self.defaults.by.to_string()),
        });
    }

    /// The intake facts, through the same checks as `plaint log`; `None` if they do not
    /// stand, and then the row gives no ticket.
    pub(super) fn facts(&mut self, ext_ref: Option<String>) -> Option<Facts> {
        let row = self.row;
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
            headcount: self.headcount(),
            flags: row.text("flags").into_iter().collect(),
            compensation: row.text("compensation"),
            target: row.text("target"),
            type_: row.text("type"),
            ext_ref,
        };
        for (field, given) in [
            ("project", &args.project),
            ("name", &args.name),
            ("phone", &args.phone),
            ("subject", &args.subject),
        ] {
            if given.is_none() {
                self.bad(field, "is empty; every complaint needs it");
            }
        }
        match intake::check(self.rules, &args) {
            Ok(f) => {
                let types = f.type_.as_deref();
                if let Some(why) = self.rules.repairs_only(f.compensation, None, types) {
                    self.bad("compensation", why);
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
                    self.bad(field, msg);
                }
                None
            }
        }
    }

    fn headcount(&mut self) -> Option<i64> {
        let h = self.row.text("headcount")?;
        match h.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad("headcount", format!("'{h}' is not a number of people"));
                None
            }
        }
    }

    /// When the complaint was received and when each step was done; no step before the
    /// complaint was received.
    pub(super) fn times(&mut self) {
        if let Some(t) = self.time("received_at") {
            self.received = t;
        }
        self.times = STEP_TIMES.map(|f| (f, self.time(f)));
        let received = self.received;
        for (f, t) in self.times {
            if let Some(t) = t
                && t < received
            {
                self.bad(
                    f,
                    format!(
                        "{} is before the complaint was received ({})",
                        crate::time::human(&t),
                        crate::time::human(&received)
                    ),
                );
            }
        }
    }

    /// The time in `field`'s cell, if it has one and it reads.
    fn time(&mut self, field: &str) -> Option<Moment> {
        let c = self.row.cell(field)?;
        match moment(c, self.rules) {
            Ok(m) => Some(m),
            Err(e) => {
                self.bad(field, e);
                None
            }
        }
    }

    /// Validity: yes/no, or an invalid reason straight away; an invalid complaint needs its
    /// reason (§3.3). Classified when received.
    pub(super) fn validity(&mut self) {
        let mut classify = ticket::Classify::default();
        if let Some(v) = self.row.text("valid") {
            self.valid_column(v.trim(), &mut classify);
        }
        if let Some(r) = self.row.text("invalid_reason") {
            match self.rules.invalid_reasons().resolve(&r) {
                Ok(code) => {
                    classify.valid = Some(false);
                    classify.invalid_reason = Some(code);
                    self.valid = false;
                }
                Err(e) => self.bad("invalid_reason", e),
            }
        }
        if !self.valid && classify.invalid_reason.is_none() {
            self.bad(
                "valid",
                "an invalid complaint needs its reason (§3.3): give it in an invalid_reason column",
            );
        }
        if classify.valid.is_some() {
            let action = Action::Classify(Box::new(classify));
            self.record(self.received, By::Nobody, action);
        }
    }

    /// The valid column: 有效/无效, yes/no, or an invalid reason itself.
    fn valid_column(&mut self, t: &str, classify: &mut ticket::Classify) {
        if t == "有效" || yes_no(t) == Some(true) {
            classify.valid = Some(true);
        } else if t == "无效" || yes_no(t) == Some(false) {
            classify.valid = Some(false);
            self.valid = false;
        } else {
            match self.rules.invalid_reasons().resolve(t) {
                Ok(reason) => {
                    classify.valid = Some(false);
                    classify.invalid_reason = Some(reason);
                    self.valid = false;
                }
                Err(e) => self.bad(
                    "valid",
                    format!("'{t}' is neither yes/no (有效/无效) nor an invalid reason: {e}"),
                ),
            }
        }
    }

    /// The hand-off, the receiver's.
    pub(super) fn forward(&mut self) {
        if let Some(t) = self.at("forwarded_at") {
            self.record(t, By::Receiver, Action::Forward(ticket::Note::default()));
        }
    }

    /// The department and handler, assigned when received.
    pub(super) fn assignment(&mut self) {
        let department = match self.row.text("department") {
            Some(d) => match self.rules.departments().resolve(&d) {
                Ok(c) => Some(c),
                Err(e) => {
                    self.bad("department", e);
                    None
                }
            },
            None => None,
        };
        if department.is_some() || self.handler.is_some() {
            let assign = ticket::Assign {
                department,
                handler: self.handler.clone(),
                cooperating: vec![],
            };
            self.record(self.received, By::Nobody, Action::Assign(Box::new(assign)));
        }
    }

    /// The response, the handler's.
    pub(super) fn response(&mut self) {
        if let Some(t) = self.at("responded_at") {
            self.record(t, By::Handler, Action::Respond(ticket::Note::default()));
        }
    }

    /// The plan, the handler's: its action (else "other") at planned_at; an action without
    /// that time is a problem.
    pub(super) fn plan(&mut self) {
        let action = self
            .row
            .text("action")
            .map(|a| self.rules.plan_actions().resolve(&a));
        match (self.at("planned_at"), action) {
            (Some(t), Some(Ok(a))) => self.record(t, By::Handler, planned(a)),
            (Some(t), None) => self.record(t, By::Handler, planned("other".into())),
            (_, Some(Err(e))) => self.bad("action", e),
            (None, Some(Ok(_))) => {
                self.bad("action", "a plan needs its time in the planned_at column")
            }
            (None, None) => {}
        }
    }

    /// The close, the handler's, at closed_at: its reason admitted as `plaint close` admits
    /// it. A close reason without that time is a problem.
    pub(super) fn close(&mut self) {
        let Some(t) = self.at("closed_at") else {
            if self.row.text("close_reason").is_some() {
                self.bad(
                    "close_reason",
                    "a close reason needs its time in the closed_at column",
                );
            }
            return;
        };
        let reason = self.close_reason();
        let property_confirmed = self.property_confirmed();
        if let Some(code) = reason {
            self.admit_close(&code, property_confirmed);
            let close = ticket::Close {
                reason: code,
                property_confirmed,
                note: Some("导入".into()),
            };
            self.record(t, By::Handler, Action::Close(close));
        }
    }

    /// The close_reason column's code, else the first reason the rulebook lists for valid
    /// (or invalid) complaints.
    fn close_reason(&mut self) -> Option<String> {
        match self.row.text("close_reason") {
            Some(r) => match self.rules.close_reasons().resolve(&r) {
                Ok(c) => Some(c),
                Err(e) => {
                    self.bad("close_reason", e);
                    None
                }
            },
            None => {
                let applies = if self.valid {
                    AppliesTo::Valid
                } else {
                    AppliesTo::Invalid
                };
                self.rules
                    .book
                    .close_reasons
                    .iter()
                    .find(|(_, c)| c.applies_to == applies || c.applies_to == AppliesTo::Any)
                    .map(|(k, _)| k.to_string())
            }
        }
    }

    fn property_confirmed(&mut self) -> bool {
        let Some(v) = self.row.text("property_confirmed") else {
            return false;
        };
        yes_no(&v).unwrap_or_else(|| {
            self.bad(
                "property_confirmed",
                format!("'{v}' is neither yes nor no (是/否)"),
            );
            false
        })
    }

    /// Whether the rulebook lets this row close with `code` (`admit::close`).
    fn admit_close(&mut self, code: &str, property_confirmed: bool) {
        let rules = self.rules;
        let type_ = self
            .row
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
            valid: self.valid,
            category,
            has_plan: self.at("planned_at").is_some(),
            property_confirmed,
        };
        if let Err(r) = admit::close(rules, code, &closing) {
            self.bad(column_of(r.field), r.message);
        }
    }

    /// The callback, by nobody known, if any score is given: all three scores, admitted as
    /// `plaint callback` admits them, at callback_at (else when closed), after the close.
    pub(super) fn callback(&mut self) {
        let scores = SCORES.map(|f| self.row.text(f));
        if scores.iter().all(Option::is_none) {
            return;
        }
        let comment = self.row.text("comment");
        let admitted = self
            .scores(&scores)
            .and_then(|vals| self.admit_callback(vals, comment.as_deref()));
        match (self.at("closed_at"), admitted) {
            (None, _) => self.bad(
                "timeliness",
                "a callback comes after closing; give closed_at",
            ),
            (Some(c), Some([timeliness, plan, attitude])) => {
                let t = self.at("callback_at").unwrap_or(c);
                if t < c {
                    self.bad("callback_at", "is before the complaint was closed");
                }
                let callback = ticket::Callback {
                    timeliness,
                    plan,
                    attitude,
                    acknowledged: self.row.text("acknowledged").and_then(|v| yes_no(&v)),
                    visited: self.row.text("visited").and_then(|v| yes_no(&v)),
                    comment,
                };
                self.record(t, By::Nobody, Action::Callback(Box::new(callback)));
            }
            _ => {}
        }
    }

    /// The three scores as numbers, each one that is empty or not a number a problem.
    fn scores(&mut self, scores: &[Option<String>; 3]) -> Option<[i64; 3]> {
        let mut vals = [0i64; 3];
        let mut readable = true;
        for ((f, s), v) in SCORES.iter().zip(scores).zip(vals.iter_mut()) {
            match s.as_deref().map(|x| x.parse::<i64>()) {
                Some(Ok(n)) => *v = n,
                Some(Err(_)) => {
                    readable = false;
                    let s = s.as_deref().unwrap_or_default();
                    self.bad(f, format!("'{s}' is not a score; scores are 0 to 10"));
                }
                None => {
                    readable = false;
                    self.bad(f, "is empty; a callback has all three scores");
                }
            }
        }
        readable.then_some(vals)
    }

    /// The scores and comment as `admit::callback` admits them, each refusal a problem.
    fn admit_callback(&mut self, vals: [i64; 3], comment: Option<&str>) -> Option<[u8; 3]> {
        match admit::callback(self.rules, vals, comment) {
            Ok(scores) => Some(scores),
            Err(refusals) => {
                for r in refusals {
                    self.bad(column_of(r.field), r.message);
                }
                None
            }
        }
    }

    /// The steps this row leaves unrecorded (`super::unrecorded`), then the rulebook's own,
    /// by their codes.
    fn unrecorded(&self, own_steps: &[Step]) -> Vec<String> {
        let closed = self.at("closed_at").is_some();
        let called_back = self
            .events
            .iter()
            .any(|e| matches!(e.action, Action::Callback(_)));
        let recorded = [
            (Step::FORWARD, self.at("forwarded_at").is_some()),
            (Step::RESPOND, self.at("responded_at").is_some()),
            (Step::PLAN, self.at("planned_at").is_some()),
            (Step::CLOSE, closed),
            (Step::CALLBACK, called_back),
        ];
        super::unrecorded(&recorded, closed)
            .into_iter()
            .chain(own_steps.iter().copied())
            .map(|s| self.rules.step_code(s).to_string())
            .collect()
    }

    /// The row's ticket from its intake facts, its events in time order. `print` is its
    /// fingerprint when it has no ref.
    pub(super) fn ticket(
        mut self,
        f: Facts,
        ext_ref: Option<String>,
        print: Option<String>,
        own_steps: &[Step],
    ) -> Ticket {
        let unrecorded = self.unrecorded(own_steps);
        self.events.sort_by_key(|e| e.at);
        let book = &self.rules.book;
        Ticket {
            id: String::new(),
            ext_ref,
            project: f.project.unwrap_or_default(),
            received_at: self.received,
            entered_at: self.defaults.entered_at(self.received),
            received_by: f
                .received_by
                .unwrap_or_else(|| book.default_receiving_department.clone()),
            channel: f.channel.unwrap_or_else(|| book.default_channel.clone()),
            logged_by: self.receiver,
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
            source: Some(self.source),
            fingerprint: print,
            unrecorded,
            events: self.events,
        }
    }
}
