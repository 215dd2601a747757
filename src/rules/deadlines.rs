//! Deadlines (SPEC §6, procedure §4.1, §7, §8.1): when each step is due, whether it was met,
//! under the fixing rule. Pure: a function of the rulebook, a ticket, its grades and the time.

use super::grading::{GradeSpell, holds_on_state};
use super::{Limit, LimitKind, Rules, Start, Step, StepRule};
use crate::ticket::{Action, History, State, Status};
use crate::time::{Moment, end_of_day};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    /// Not met and not yet passed.
    Pending,
    /// Met at or before the deadline.
    Met,
    /// Met, after the deadline.
    Late,
    /// Passed and not met.
    Overdue,
}

impl DueState {
    pub fn code(self) -> &'static str {
        match self {
            DueState::Pending => "pending",
            DueState::Met => "met",
            DueState::Late => "late",
            DueState::Overdue => "overdue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DueState::Pending => "未到期",
            DueState::Met => "按时",
            DueState::Late => "逾期完成",
            DueState::Overdue => "已逾期",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Deadline {
    pub step: Step,
    /// When the clock started (receipt, a reopen, or the close for callbacks).
    pub start: Moment,
    pub due: Moment,
    pub warn_at: Option<Moment>,
    pub met_at: Option<Moment>,
    pub state: DueState,
    /// The clause the limit comes from, and how it was set, for people.
    pub clause: String,
    pub basis: String,
    /// Set when the deadline was fixed again after a change of grade, type or facts.
    pub refixed_at: Option<Moment>,
}

impl Deadline {
    /// How far past the deadline it was met (or `as_of`, if still not met).
    pub fn lateness(&self, as_of: Moment) -> Option<chrono::Duration> {
        let end = self.met_at.unwrap_or(as_of);
        (end > self.due && self.state != DueState::Met && self.state != DueState::Pending)
            .then(|| end - self.due)
    }
}

fn step_event(step: Step, a: &Action) -> bool {
    matches!(
        (step, a),
        (Step::Forward, Action::Forward(_))
            | (Step::Respond, Action::Respond(_))
            | (Step::Plan, Action::Plan(_))
            | (Step::Close, Action::Close(_))
            | (Step::Callback, Action::Callback(_))
    )
}

fn grade_at(spells: &[GradeSpell], at: Moment) -> &str {
    spells
        .iter()
        .rev()
        .find(|s| s.from <= at)
        .or(spells.first())
        .map(|s| s.grade.as_str())
        .unwrap_or("")
}

fn limit_for<'r>(rule: &'r StepRule, grade: &str, category: &str) -> Option<&'r Limit> {
    let table = match (&rule.by_grade, &rule.by_category) {
        (Some(t), _) => t,
        (None, Some(c)) => c.get(category)?,
        (None, None) => return None,
    };
    table.get(grade).or_else(|| table.get("all"))
}

/// The latest plan finish date given up to `at`.
fn plan_finish(state: &State) -> Option<Moment> {
    state.events.iter().rev().find_map(|e| match &e.action {
        Action::Plan(p) => p.finish,
        _ => None,
    })
}

/// The due moment of `step` from `start` under the ticket as it stands in `state`.
fn compute(
    rules: &Rules,
    step: Step,
    rule: &StepRule,
    start: Moment,
    state: &State,
    grade: &str,
) -> Option<(Moment, Option<Moment>, String, String)> {
    let limit = limit_for(rule, grade, state.category)?;
    let cal = &rules.calendar;
    let clock = limit.clock.unwrap_or(rule.clock);
    let mut clause = rule.clause.clone();
    let (mut due, mut basis) = match &limit.kind {
        LimitKind::Within(span) => (
            cal.add(start, *span, clock),
            format!("{span} {}", clock_name(clock)),
        ),
        LimitKind::PlanFinishOr(span) => match plan_finish(state) {
            Some(f) => (f, "方案完成时间".to_string()),
            None => (
                cal.add(start, *span, clock),
                format!("{span} {}", clock_name(clock)),
            ),
        },
        LimitKind::EndOfDay => (
            end_of_day(start.date_naive(), rules.offset),
            "当日内".to_string(),
        ),
    };
    let warn = limit.warn.map(|w| cal.add(start, w, clock));
    for o in rules
        .book
        .deadlines
        .overrides
        .iter()
        .filter(|o| o.step == step)
    {
        if !holds_on_state(&o.when, state, start) {
            continue;
        }
        let c = o.limit.clock.unwrap_or(rule.clock);
        let alt = match &o.limit.kind {
            LimitKind::Within(s) | LimitKind::PlanFinishOr(s) => cal.add(start, *s, c),
            LimitKind::EndOfDay => end_of_day(start.date_naive(), rules.offset),
        };
        if alt < due {
            due = alt;
            basis = format!("{} ({})", o.label, clock_name(c));
            clause = o.clause.clone();
        }
    }
    Some((due, warn, clause, basis))
}

fn clock_name(c: super::Clock) -> &'static str {
    match c {
        super::Clock::Working => "工作日",
        super::Clock::Calendar => "自然时间",
    }
}

/// Every step's deadline at `as_of`; `None` where the step does not apply (no such step in
/// the rulebook, an invalid ticket's plan and callback, a callback before any close).
pub fn deadlines(
    rules: &Rules,
    history: &History,
    spells: &[GradeSpell],
    as_of: Moment,
) -> Vec<(Step, Option<Deadline>)> {
    let now_state = history.at(as_of);
    Step::ALL
        .iter()
        .map(|&step| (step, one(rules, history, spells, now_state, step, as_of)))
        .collect()
}

fn one(
    rules: &Rules,
    history: &History,
    spells: &[GradeSpell],
    now: &State,
    step: Step,
    as_of: Moment,
) -> Option<Deadline> {
    let d = &rules.book.deadlines;
    let rule = d.step(step)?;
    if !now.valid && !d.invalid_steps.contains(&step) {
        return None;
    }
    let last_reopen = now
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.action, Action::Reopen(_)))
        .map(|e| e.at);
    let start = match rule.starts {
        Start::Received => match last_reopen {
            Some(r) if d.reopen_restarts.contains(&step) => r,
            _ => history.ticket().received_at,
        },
        Start::Closed => match now.status {
            Status::Closed => now.closed_at?,
            Status::Open => return None,
        },
    };
    let met_at = now
        .events
        .iter()
        .find(|e| e.at >= start && step_event(step, &e.action))
        .map(|e| e.at);

    // Fixed by what is in force when the clock starts...
    let first = history.at(start);
    let (mut due, warn_at, mut clause, mut basis) =
        compute(rules, step, rule, start, first, grade_at(spells, start))?;
    let mut raw = due;
    let mut refixed_at = None;
    // ...and fixed again at each later change while still pending, never earlier than it.
    let mut moments: Vec<Moment> = spells.iter().map(|s| s.from).collect();
    moments.extend(now.events.iter().map(|e| e.at));
    moments.retain(|m| *m > start && *m <= as_of);
    moments.sort();
    moments.dedup();
    for c in moments {
        let pending = met_at.is_none_or(|m| m > c) && due > c;
        if !pending {
            break;
        }
        let st = history.at(c);
        let Some((new_raw, _, cl, b)) = compute(rules, step, rule, start, st, grade_at(spells, c))
        else {
            continue;
        };
        if new_raw != raw {
            raw = new_raw;
            due = new_raw.max(c);
            clause = cl;
            basis = b;
            refixed_at = Some(c);
        }
    }
    let state = match met_at {
        Some(m) if m <= due => DueState::Met,
        Some(_) => DueState::Late,
        None if as_of > due => DueState::Overdue,
        None => DueState::Pending,
    };
    Some(Deadline {
        step,
        start,
        due,
        warn_at,
        met_at,
        state,
        clause,
        basis,
        refixed_at,
    })
}
