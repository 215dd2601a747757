//! The fold: a ticket's state at a moment, its events applied in time order under the
//! rulebook (a type's department and category, which steps a reopen restarts). It belongs
//! with the judging that reads it: grading, deadlines and fines take `History` and `State`
//! from here, and the ticket itself stays plain data.

use crate::money::Money;
use crate::rules::{DepartmentRule, Rules, Step};
use crate::ticket::{Action, Event, Facts, Status, Ticket};
use crate::time::Moment;

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

impl Ticket {
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
