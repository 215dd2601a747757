//! A complaint: its intake facts, its events, and the state they fold into.

use crate::money::Money;
use crate::rules::{DepartmentRule, Rules, Step};
use crate::time::Moment;
pub mod merge;
mod read;

use serde::{Deserialize, Deserializer, Serialize};

/// One ticket file. Intake facts first, then the events, which only ever grow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub id: String,
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub ext_ref: Option<String>,
    pub project: String,
    pub received_at: Moment,
    /// When the ticket was written, if that differs from `received_at` by more than the
    /// rulebook's tolerance: a complaint entered after the fact shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Moment>,
    pub received_by: String,
    pub channel: String,
    /// The receiver: who logged the complaint. A history row that does not name its receiver
    /// (no `logged_by` column) leaves it unknown; the person running the import is not it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    pub name: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    pub headcount: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Where an imported complaint came from: `FILE:ROW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For a row imported without a `ref`: a digest of the row, so that importing the same
    /// sheet again finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Steps a history row does not record: not judged, never late, never fined (SPEC §9).
    /// Step codes (`respond`, `visit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrecorded: Vec<String>,
    /// `events:` is written empty at intake and each event is appended below it.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: Vec<Event>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    Ok(Option::<Vec<Event>>::deserialize(d)?.unwrap_or_default())
}

/// Written with the derived serialisation; read by `read::RawEvent`, which parses every kind
/// in one pass (serde's flatten + tag would buffer each event twice).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: Moment,
    pub by: String,
    #[serde(flatten)]
    pub action: Action,
    /// When the event was written, if that differs from `at` by more than the rulebook's
    /// tolerance: back-dating stays visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Moment>,
    /// Where an imported event came from: `FILE:ROW`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Who entered the event, when that is not who did it: the admin who imported a row
    /// whose step `by` names the person the row names for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
}

impl Event {
    /// An event entered now, as it happened.
    pub fn new(at: Moment, by: impl Into<String>, action: Action) -> Event {
        Event {
            at,
            by: by.into(),
            action,
            entered_at: None,
            source: None,
            entered_by: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    // Boxed: these carry many optional fields, and every event of the desk is held in
    // memory during a report.
    Amend(Box<Facts>),
    Classify(Box<Classify>),
    Assign(Box<Assign>),
    Plan(Box<Plan>),
    Callback(Box<Callback>),
    Forward(Note),
    Respond(Note),
    Close(Close),
    Reopen(Reason),
    Escalate(Reason),
    Delay(Delay),
    Violation(Violation),
    /// A step of the rulebook's own (`plaint step ID visit`).
    Step(Box<StepDone>),
    /// Withdraws a mistaken event (SPEC §2); the file still only grows.
    Void(Void),
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Amend(_) => "amend",
            Action::Classify(_) => "classify",
            Action::Assign(_) => "assign",
            Action::Forward(_) => "forward",
            Action::Respond(_) => "respond",
            Action::Plan(_) => "plan",
            Action::Close(_) => "close",
            Action::Callback(_) => "callback",
            Action::Reopen(_) => "reopen",
            Action::Escalate(_) => "escalate",
            Action::Delay(_) => "delay",
            Action::Violation(_) => "violation",
            Action::Step(_) => "step",
            Action::Void(_) => "void",
        }
    }
}

/// Intake facts that `amend` may correct; only the ones given are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub ext_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        Facts {
            reason: None,
            ..self.clone()
        } == Facts::default()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classify {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_reason: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cooperating: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Moment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish: Option<Moment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    pub reason: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub property_confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    pub timeliness: u8,
    pub plan: u8,
    pub attitude: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visited: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
    /// An escalation along the rulebook's chain: the department it moved the complaint to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delay {
    pub reason: String,
    pub approved_by: String,
    /// The signer's role, as the rulebook names it for the grade (§8.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub rule: String,
    pub person: String,
    pub department: String,
}

/// A step the rulebook defines (a visit, an approval), by its code; an approval names the
/// role and the person who signed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `plaint void ID N`: event N (1-based, in file order) is withdrawn; a void of a void
/// restores the event it withdrew.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    pub event: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Open,
    Closed,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "处理中",
            Status::Closed => "已关闭",
        }
    }
}

/// Intake facts with their corrections applied, borrowed from the ticket and its events
/// (folding runs many times per ticket in a report, so it copies nothing).
#[derive(Debug, Clone)]
pub struct Current<'t> {
    pub ext_ref: Option<&'t str>,
    pub project: &'t str,
    pub received_by: &'t str,
    pub channel: &'t str,
    pub logged_by: Option<&'t str>,
    pub name: &'t str,
    pub phone: &'t str,
    pub unit: Option<&'t str>,
    pub subject: &'t str,
    pub description: Option<&'t str>,
    pub request: Option<&'t str>,
    pub headcount: u32,
    pub flags: &'t [String],
    pub compensation: Option<Money>,
    pub target: Option<&'t str>,
    pub type_: Option<&'t str>,
}

impl<'t> Current<'t> {
    fn of(t: &'t Ticket) -> Current<'t> {
        Current {
            ext_ref: t.ext_ref.as_deref(),
            project: &t.project,
            received_by: &t.received_by,
            channel: &t.channel,
            logged_by: t.logged_by.as_deref(),
            name: &t.name,
            phone: &t.phone,
            unit: t.unit.as_deref(),
            subject: &t.subject,
            description: t.description.as_deref(),
            request: t.request.as_deref(),
            headcount: t.headcount,
            flags: &t.flags,
            compensation: t.compensation,
            target: t.target.as_deref(),
            type_: t.type_.as_deref(),
        }
    }

    /// Applies an intake correction.
    fn apply(&mut self, f: &'t Facts) {
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(v) = &f.$field { self.$field = v; }
            )*};
        }
        macro_rules! set_opt {
            ($($field:ident),*) => {$(
                if let Some(v) = &f.$field { self.$field = Some(v); }
            )*};
        }
        set!(project, name, phone, subject, channel, received_by, flags);
        set_opt!(unit, description, request, target, type_, ext_ref);
        if let Some(h) = f.headcount {
            self.headcount = h;
        }
        if f.compensation.is_some() {
            self.compensation = f.compensation;
        }
    }
}

/// A ticket's state after each moment something happened to it, so that grading and
/// deadlines can ask "how did it stand at T?" many times without folding again.
///
/// Which events count is settled once, from `as_of`: a mistake withdrawn by then never
/// happened, at any earlier moment either.
pub struct History<'t> {
    times: Vec<Moment>,
    states: Vec<State<'t>>,
    live: Vec<&'t Event>,
}

impl<'t> History<'t> {
    pub fn new(ticket: &'t Ticket, rules: &'t Rules, as_of: Moment) -> History<'t> {
        let live = ticket.live(as_of);
        let mut times: Vec<Moment> = std::iter::once(ticket.received_at)
            .chain(
                live.iter()
                    .map(|e| e.at)
                    .filter(|t| *t > ticket.received_at),
            )
            .collect();
        times.dedup();
        let states = times
            .iter()
            .map(|t| {
                let n = live.partition_point(|e| e.at <= *t);
                ticket.fold(rules, live[..n].to_vec())
            })
            .collect();
        History {
            times,
            states,
            live,
        }
    }

    /// The state at `at` (at or after receipt): nothing changes between events.
    pub fn at(&self, at: Moment) -> &State<'t> {
        let i = self.times.partition_point(|t| *t <= at);
        &self.states[i.saturating_sub(1)]
    }

    pub fn ticket(&self) -> &'t Ticket {
        self.states[0].ticket
    }

    /// The events that count, in time order.
    pub fn live(&self) -> &[&'t Event] {
        &self.live
    }

    /// Every state the ticket passed through, oldest first.
    pub fn states(&self) -> &[State<'t>] {
        &self.states
    }
}

/// A ticket as it stood at a moment: intake facts with their corrections applied and what
/// the lifecycle events say. Grade and deadlines are computed on top of this.
#[derive(Debug, Clone)]
pub struct State<'t> {
    pub ticket: &'t Ticket,
    /// The intake facts after every `amend`/`classify` up to the moment.
    pub facts: Current<'t>,
    /// The events that count up to the moment (none withdrawn, no voids), in time order.
    pub events: Vec<&'t Event>,
    pub valid: bool,
    pub invalid_reason: Option<&'t str>,
    /// The type after classification; `None` until classified or given at intake.
    pub type_: Option<&'t str>,
    pub category: &'t str,
    pub department: Option<&'t str>,
    pub handler: Option<&'t str>,
    pub cooperating: &'t [String],
    pub status: Status,
    pub closed_at: Option<Moment>,
}

impl<'t> State<'t> {
    /// The event that already did `step` in the ticket's current round: since the last
    /// reopen for a step a reopen restarts (or that starts at the close), else at any time.
    pub fn done_this_round(&self, rules: &Rules, step: Step) -> Option<&'t Event> {
        let from = if crate::rules::deadlines::per_cycle(rules, step) {
            self.since_reopen()
        } else {
            self.ticket.received_at
        };
        self.events
            .iter()
            .copied()
            .find(|e| e.at >= from && rules.step_of(&e.action) == Some(step))
    }

    /// The last reopen: steps after it start afresh.
    pub fn since_reopen(&self) -> Moment {
        self.events
            .iter()
            .rev()
            .find(|e| matches!(e.action, Action::Reopen(_)))
            .map(|e| e.at)
            .unwrap_or(self.ticket.received_at)
    }
}

/// The first control character in `s` that ticket text may not hold: any but the newline and
/// the tab (an escape sequence would reach the next person's terminal).
pub fn unprintable(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
}

impl Ticket {
    /// For each event (by index in the file), the index of the `void` event that withdraws
    /// it. A withdrawn event is withdrawn in every view, whenever the void was entered (a
    /// mistaken step never happened; `--known-at` is how to see what the desk knew before
    /// the void). A void withdrawn by a later void withdraws nothing, so a void of a void
    /// restores the event.
    pub fn withdrawn(&self) -> Vec<Option<usize>> {
        let mut by: Vec<Option<usize>> = vec![None; self.events.len()];
        // A void names an earlier event, so walking backwards settles each void's own fate
        // before it is applied.
        for j in (0..self.events.len()).rev() {
            let e = &self.events[j];
            if let Action::Void(v) = &e.action
                && by[j].is_none()
                && (1..=j).contains(&v.event)
            {
                let target = v.event - 1;
                if by[target].is_none() {
                    by[target] = Some(j);
                }
            }
        }
        by
    }

    /// The events that count at `as_of`: happened by then, not voids, not withdrawn; in time
    /// order (back-dated history may be appended out of order; the stable sort keeps file
    /// order for events at the same moment).
    pub fn live(&self, as_of: Moment) -> Vec<&Event> {
        let has_voids = self
            .events
            .iter()
            .any(|e| matches!(e.action, Action::Void(_)));
        let withdrawn = if has_voids {
            self.withdrawn()
        } else {
            Vec::new()
        };
        let mut events: Vec<&Event> = self
            .events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                e.at <= as_of
                    && !matches!(e.action, Action::Void(_))
                    && withdrawn.get(*i).is_none_or(|w| w.is_none())
            })
            .map(|(_, e)| e)
            .collect();
        if !events.is_sorted_by_key(|e| e.at) {
            events.sort_by_key(|e| e.at);
        }
        events
    }

    /// The ticket as the desk knew it at `known`: `None` if it had not been written yet (its
    /// `entered_at`, else its receipt, is later), else with only the events written by then
    /// (each one's `entered_at`, else its `at`), voids renumbered to the events kept. So any
    /// earlier output can be reproduced (`--known-at`).
    pub fn known_at(&self, known: Moment) -> Option<Ticket> {
        if self.entered_at.unwrap_or(self.received_at) > known {
            return None;
        }
        let written = |e: &Event| e.entered_at.unwrap_or(e.at) <= known;
        if self.events.iter().all(written) {
            return Some(self.clone());
        }
        let mut t = self.clone();
        // Old number (from 1) → new number, for the events kept.
        let mut renumber: Vec<Option<usize>> = Vec::with_capacity(self.events.len());
        let mut events = Vec::new();
        for e in &self.events {
            let mut e = e.clone();
            let keep = written(&e)
                && match &mut e.action {
                    Action::Void(v) => {
                        match renumber.get(v.event.wrapping_sub(1)).copied().flatten() {
                            Some(n) => {
                                v.event = n;
                                true
                            }
                            None => false,
                        }
                    }
                    _ => true,
                };
            if keep {
                events.push(e);
                renumber.push(Some(events.len()));
            } else {
                renumber.push(None);
            }
        }
        t.events = events;
        Some(t)
    }

    /// Whether, by `at`, every step the rulebook times has its event since the last reopen
    /// (or, for a step a reopen does not restart, at all), or is one a history import does
    /// not record: such a ticket cannot be overdue at `at`.
    pub fn every_step_done_by(&self, rules: &Rules, at: Moment) -> bool {
        let live = self.live(at);
        let since = live
            .iter()
            .filter(|e| matches!(e.action, Action::Reopen(_)))
            .map(|e| e.at)
            .max();
        rules
            .steps()
            .filter(|s| rules.step_rule(*s).is_some())
            .all(|step| {
                let restarts = crate::rules::deadlines::per_cycle(rules, step);
                self.unrecorded.iter().any(|c| c == rules.step_code(step))
                    || live.iter().any(|e| {
                        rules.step_of(&e.action) == Some(step)
                            && (!restarts || since.is_none_or(|s| e.at >= s))
                    })
            })
    }

    /// What would be wrong with the ticket's life if only `events` (live, in time order) had
    /// happened: a close while closed, a reopen or a callback while open. A correction that
    /// would leave such a history is refused.
    pub fn lifecycle_problem(events: &[&Event]) -> Option<String> {
        let mut closed = false;
        for e in events {
            let at = crate::time::human(&e.at);
            match e.action {
                Action::Close(_) if closed => {
                    return Some(format!("the close at {at} would close a closed ticket"));
                }
                Action::Close(_) => closed = true,
                Action::Reopen(_) if !closed => {
                    return Some(format!("the reopen at {at} would reopen an open ticket"));
                }
                Action::Reopen(_) => closed = false,
                Action::Callback(_) if !closed => {
                    return Some(format!(
                        "the callback at {at} would call back an open ticket"
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// What in the ticket's history the lifecycle commands would not have let happen, among
    /// the events that count now: a close while closed, a reopen or callback while open
    /// (`lifecycle_problem`), or a step done twice in one round (`State::done_this_round`)
    /// where the command refuses a second one: a forward, a first response, a step of the
    /// rulebook's own. A merge of two clones' versions is refused on any of these.
    pub fn history_problems(&self, rules: &Rules) -> Vec<String> {
        let Some(last) = self.events.iter().map(|e| e.at).max() else {
            return Vec::new();
        };
        let live = self.live(last);
        let mut out: Vec<String> = Ticket::lifecycle_problem(&live).into_iter().collect();
        for (i, e) in live.iter().enumerate() {
            let Some(step) = rules.step_of(&e.action) else {
                continue;
            };
            let once = step == Step::FORWARD || step == Step::RESPOND || !step.is_built_in();
            if !once {
                continue;
            }
            if let Some(first) = self
                .fold(rules, live[..i].to_vec())
                .done_this_round(rules, step)
            {
                out.push(format!(
                    "the {} at {} by {} is a second {} in one round (the first: {} by {})",
                    e.action.kind(),
                    crate::time::human(&e.at),
                    e.by,
                    rules.step_code(step),
                    crate::time::human(&first.at),
                    first.by
                ));
            }
        }
        out
    }

    /// Folds the events known at `as_of` under `rules`.
    pub fn state_at<'t>(&'t self, rules: &'t Rules, as_of: Moment) -> State<'t> {
        self.fold(rules, self.live(as_of))
    }

    /// The state after `events` (live, in time order), as seen from a later moment: what
    /// stood at `at` among the events that count at `seen_from`.
    pub fn state_seen_from<'t>(
        &'t self,
        rules: &'t Rules,
        at: Moment,
        seen_from: Moment,
    ) -> State<'t> {
        let mut live = self.live(seen_from);
        live.retain(|e| e.at <= at);
        self.fold(rules, live)
    }

    /// Folds `events` (live, in time order) under `rules`.
    fn fold<'t>(&'t self, rules: &'t Rules, events: Vec<&'t Event>) -> State<'t> {
        let mut facts = Current::of(self);
        let mut valid = true;
        let mut invalid_reason: Option<&str> = None;
        let mut category_override: Option<&str> = None;
        let mut department: Option<&str> = None;
        let mut handler: Option<&str> = None;
        let mut cooperating: &[String] = &[];
        let mut status = Status::Open;
        let mut closed_at = None;
        for e in &events {
            match &e.action {
                Action::Amend(f) => facts.apply(f),
                Action::Classify(c) => {
                    if let Some(v) = c.valid {
                        valid = v;
                        invalid_reason = if v { None } else { c.invalid_reason.as_deref() };
                    }
                    if let Some(t) = &c.type_ {
                        facts.type_ = Some(t);
                    }
                    if let Some(x) = &c.category {
                        category_override = Some(x);
                    }
                    if let Some(t) = &c.target {
                        facts.target = Some(t);
                    }
                    if let Some(h) = c.headcount {
                        facts.headcount = h;
                    }
                    if let Some(f) = &c.flags {
                        facts.flags = f;
                    }
                    if c.compensation.is_some() {
                        facts.compensation = c.compensation;
                    }
                }
                Action::Assign(a) => {
                    if let Some(d) = &a.department {
                        department = Some(d);
                    }
                    if let Some(h) = &a.handler {
                        handler = Some(h);
                    }
                    if !a.cooperating.is_empty() {
                        cooperating = &a.cooperating;
                    }
                }
                Action::Close(_) => {
                    status = Status::Closed;
                    closed_at = Some(e.at);
                }
                Action::Reopen(_) => {
                    status = Status::Open;
                    closed_at = None;
                }
                Action::Escalate(r) => {
                    // Moved up the chain: the new department names its own handler.
                    if let Some(d) = &r.department {
                        department = Some(d);
                        handler = None;
                    }
                }
                _ => {}
            }
        }
        let type_ = facts.type_;
        // A type the rulebook no longer knows (`check` reports it) counts as the default type.
        let rule = type_
            .and_then(|t| rules.type_rule(t))
            .or_else(|| rules.type_rule(&rules.book.default_type));
        let category = category_override
            .or_else(|| rule.map(|r| r.category.as_str()))
            .unwrap_or_default();
        let department = department.or(match rule {
            Some(r) => match (&r.department, r.department_rule) {
                (Some(d), _) => Some(d.as_str()),
                (None, Some(DepartmentRule::Receiving)) => Some(facts.received_by),
                _ => None,
            },
            None => None,
        });
        if cooperating.is_empty()
            && let Some(r) = rule
        {
            cooperating = &r.cooperating;
        }
        State {
            ticket: self,
            facts,
            events,
            valid,
            invalid_reason,
            type_,
            category,
            department,
            handler,
            cooperating,
            status,
            closed_at,
        }
    }
}

impl Ticket {
    /// Every external reference the ticket has carried: its own and any set by `amend`.
    pub fn refs(&self) -> impl Iterator<Item = &str> {
        self.ext_ref
            .as_deref()
            .into_iter()
            .chain(self.events.iter().filter_map(|e| match &e.action {
                Action::Amend(f) => f.ext_ref.as_deref(),
                _ => None,
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_moment, parse_offset};

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    fn void(n: usize, when: &str) -> Event {
        Event::new(
            at(when),
            "x",
            Action::Void(Void {
                event: n,
                reason: "r".into(),
            }),
        )
    }

    fn ticket(events: Vec<Event>) -> Ticket {
        let text = "id: 202611-0001\nproject: p\nreceived_at: 2026-11-02T10:00:00+08:00\n\
                    received_by: customer-service\nchannel: phone\nname: n\nphone: '1'\n\
                    subject: s\nheadcount: 1\nevents:\n";
        let mut t: Ticket = crate::yaml::from_str(text).unwrap();
        t.events = events;
        t
    }

    #[test]
    fn a_void_of_a_void_restores_and_a_third_withdraws_again() {
        let respond = Event::new(
            at("2026-11-02 10:30"),
            "x",
            Action::Respond(Note::default()),
        );
        let t = ticket(vec![
            respond,
            void(1, "2026-11-02 11:00"),
            void(2, "2026-11-02 12:00"),
            void(3, "2026-11-02 13:00"),
        ]);
        // Withdrawn in every view, whenever each void was entered: the third withdraws the
        // second, so the first void stands and the response is withdrawn, even as of 10:45.
        assert_eq!(t.withdrawn(), vec![Some(1), None, Some(3), None]);
        assert!(t.live(at("2026-11-02 10:45")).is_empty());
        assert!(t.live(at("2026-11-02 13:30")).is_empty());
        // What the desk knew at 11:30 (every event written as it happened): only the
        // first void, which withdraws the response; at 12:30 the second restores it.
        let k = t.known_at(at("2026-11-02 11:30")).unwrap();
        assert_eq!(k.events.len(), 2);
        assert!(k.live(at("2026-11-02 11:30")).is_empty());
        let k = t.known_at(at("2026-11-02 12:30")).unwrap();
        assert_eq!(k.withdrawn(), vec![None, Some(2), None]);
        assert_eq!(k.live(at("2026-11-02 12:30")).len(), 1);
        // Before the ticket was written, the desk did not know it.
        assert!(t.known_at(at("2026-11-02 09:00")).is_none());
    }

    #[test]
    fn a_void_naming_itself_or_a_later_event_withdraws_nothing() {
        let t = ticket(vec![
            void(1, "2026-11-02 11:00"),
            void(3, "2026-11-02 11:00"),
        ]);
        assert_eq!(t.withdrawn(), vec![None, None]);
    }

    #[test]
    fn lifecycle_problems_are_named() {
        let close = Event::new(
            at("2026-11-02 11:00"),
            "x",
            Action::Close(Close {
                reason: "confirmed".into(),
                property_confirmed: false,
                note: None,
            }),
        );
        let reopen = Event::new(
            at("2026-11-02 12:00"),
            "x",
            Action::Reopen(Reason {
                reason: "r".into(),
                department: None,
            }),
        );
        assert_eq!(Ticket::lifecycle_problem(&[&close, &reopen]), None);
        assert!(
            Ticket::lifecycle_problem(&[&reopen])
                .unwrap()
                .contains("would reopen an open ticket")
        );
        assert!(
            Ticket::lifecycle_problem(&[&close, &close])
                .unwrap()
                .contains("would close a closed ticket")
        );
    }
}
