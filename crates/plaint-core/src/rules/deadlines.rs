//! Deadlines (SPEC §6, procedure §4.1, §7, §8.1): when each step is due, whether it was met,
//! under the fixing rule. Pure: a function of the rulebook, a ticket, its grades and the time.

use super::grading::{GradeSpell, grade_in_force, holds_on_state};
use super::{Clock, Limit, LimitKind, Rules, Start, Step, StepRule};
use crate::rules::state::{History, State};
use crate::ticket::Action;
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
    /// A history row that does not record the step: not judged (SPEC §9).
    Unrecorded,
    /// Not yet due when a reopen ended its cycle; the next cycle's deadline replaces it.
    Superseded,
}

impl DueState {
    pub fn code(self) -> &'static str {
        match self {
            DueState::Pending => "pending",
            DueState::Met => "met",
            DueState::Late => "late",
            DueState::Overdue => "overdue",
            DueState::Unrecorded => "unrecorded",
            DueState::Superseded => "superseded",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DueState::Pending => "未到期",
            DueState::Met => "按时",
            DueState::Late => "逾期完成",
            DueState::Overdue => "已逾期",
            DueState::Unrecorded => "未记录",
            DueState::Superseded => "重开后重计",
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
    /// The reopen that ended this deadline's cycle: a step never done in it stops being
    /// late there, and its fine is final.
    pub cut_at: Option<Moment>,
    /// Years the working clock ran through that the calendar does not cover: their
    /// holidays were counted as working days.
    pub calendar_gaps: Vec<i32>,
}

impl Deadline {
    /// How far past the deadline it was met (or the cycle ended, or `as_of`, if never met).
    pub fn lateness(&self, as_of: Moment) -> Option<chrono::Duration> {
        let end = self.met_at.or(self.cut_at).unwrap_or(as_of);
        (end > self.due && matches!(self.state, DueState::Late | DueState::Overdue))
            .then(|| end - self.due)
    }

    /// Passed, not met, and its cycle still running: a fine for it still grows.
    pub fn provisional(&self) -> bool {
        self.state == DueState::Overdue && self.cut_at.is_none()
    }

    /// The moment that fixes who answers for it: the deadline itself (§9 fines 责任人, the
    /// person responsible when the step was due). Whoever does the step later, or is
    /// assigned after it fell, never takes the fine on.
    pub fn answerable_at(&self) -> Moment {
        self.due
    }
}

/// One round of handling: from receipt (or a reopen) to the next reopen. A reopen restarts
/// the steps the rulebook names; each cycle keeps its own deadlines and fines (§9 "每次").
#[derive(Debug, Clone)]
pub struct Cycle {
    /// 1 for the first handling, 2 after the first reopen, ...
    pub n: usize,
    pub start: Moment,
    /// The reopen that ended it; `None` for the cycle in progress.
    pub end: Option<Moment>,
    /// Every step's deadline in this cycle; `None` where the step does not apply or belongs
    /// to the first cycle only (a step a reopen does not restart).
    pub deadlines: Vec<(Step, Option<Deadline>)>,
}

fn limit_for<'r>(rule: &'r StepRule, grade: &str, category: &str) -> Option<&'r Limit> {
    let table = match (&rule.by_grade, &rule.by_category) {
        (Some(t), _) => t,
        (None, Some(c)) => c.get(category)?,
        (None, None) => return None,
    };
    table.get(grade).or_else(|| table.get("all"))
}

/// The latest plan finish date given in this round (from `since`, the round's start) up to
/// the state's moment: an earlier round's plan never sets a later round's close.
fn plan_finish(state: &State, since: Moment) -> Option<Moment> {
    state
        .events
        .iter()
        .rev()
        .take_while(|e| e.at >= since)
        .find_map(|e| match &e.action {
            Action::Plan(p) => p.finish,
            _ => None,
        })
}

/// A deadline as the rulebook sets it from a start, before the step is judged.
struct Fixed {
    due: Moment,
    warn: Option<Moment>,
    clause: String,
    basis: String,
    gaps: Vec<i32>,
}

/// The due moment of `step` from `start` under the ticket as it stands in `state`.
fn compute(
    rules: &Rules,
    step: Step,
    rule: &StepRule,
    start: Moment,
    state: &State,
    grade: &str,
) -> Option<Fixed> {
    if let Some(w) = &rule.when
        && !holds_on_state(w, state, start)
    {
        return None;
    }
    let limit = limit_for(rule, grade, state.category)?;
    let cal = &rules.calendar;
    let clock = limit.clock.unwrap_or(rule.clock);
    let mut clause = rule.clause.clone();
    // Where a limit puts the deadline (none for `none`), and on which clock it counted.
    let place = |kind: &LimitKind, c: Clock| -> (Option<Moment>, Option<Clock>) {
        match kind {
            LimitKind::Within(s) => (Some(cal.add(start, *s, c)), Some(c)),
            LimitKind::PlanFinishOr(s) => match plan_finish(state, start) {
                Some(f) => (Some(f), None),
                None => (Some(cal.add(start, *s, c)), Some(c)),
            },
            LimitKind::EndOfDay => (Some(end_of_day(start.date_naive(), rules.offset)), None),
            LimitKind::WorkingDays(n) => (
                Some(cal.end_of_working_days(start, *n)),
                Some(Clock::Working),
            ),
            LimitKind::None => (None, None),
        }
    };
    let (mut due, mut used) = place(&limit.kind, clock);
    let mut basis = match &limit.kind {
        LimitKind::PlanFinishOr(_) if used.is_none() => "方案完成时间".to_string(),
        LimitKind::Within(s) | LimitKind::PlanFinishOr(s) => format!(
            "{} {}",
            crate::time::describe_delay(s.duration()),
            clock_name(clock)
        ),
        LimitKind::EndOfDay => "当日内".to_string(),
        LimitKind::WorkingDays(n) => format!("{n} 个工作日内"),
        LimitKind::None => "不适用".to_string(),
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
        // Overrides of plan-finish kind count their span only (a plan's date is the table's).
        let kind = match &o.limit.kind {
            LimitKind::PlanFinishOr(s) => LimitKind::Within(*s),
            k => k.clone(),
        };
        let alt = place(&kind, c);
        // An override replaces the table's limit, or, by default, wins only when earlier.
        let earlier = match (alt.0, due) {
            (Some(a), Some(d)) => a < d,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if o.replace || earlier {
            (due, used) = alt;
            basis = format!("{} ({})", o.label, clock_name(c));
            clause = o.clause.clone();
        }
    }
    // No deadline falls before its clock starts (a plan's finish date written before the
    // round it belongs to began is due at the round's start).
    let due = due?.max(start);
    let gaps = match used {
        Some(Clock::Working) => cal.gaps(start, due),
        _ => Vec::new(),
    };
    Some(Fixed {
        due,
        warn,
        clause,
        basis,
        gaps,
    })
}

fn clock_name(c: Clock) -> &'static str {
    match c {
        Clock::Working => "工作日",
        Clock::Calendar => "自然时间",
    }
}

/// Every cycle of the ticket up to `as_of`, each with every step's deadline.
pub fn cycles(
    rules: &Rules,
    history: &History,
    spells: &[GradeSpell],
    as_of: Moment,
) -> Vec<Cycle> {
    let ticket = history.ticket();
    let reopens: Vec<Moment> = history
        .live()
        .iter()
        .filter(|e| matches!(e.action, Action::Reopen(_)))
        .map(|e| e.at)
        .collect();
    let now = history.at(as_of);
    let starts = std::iter::once(ticket.received_at).chain(reopens.iter().copied());
    starts
        .enumerate()
        .map(|(i, start)| {
            let end = reopens.get(i).copied();
            let window = Window {
                n: i + 1,
                start,
                end,
            };
            let deadlines = rules
                .steps()
                .map(|step| (step, one(rules, history, spells, now, step, &window, as_of)))
                .collect();
            Cycle {
                n: i + 1,
                start,
                end,
                deadlines,
            }
        })
        .collect()
}

/// Whether a step runs again in every cycle (a reopen restarts it, or it starts at the
/// close), rather than once for the ticket.
pub fn per_cycle(rules: &Rules, step: Step) -> bool {
    let d = &rules.book.deadlines;
    d.reopen_restarts.iter().any(|r| *r == step)
        || d.step(step)
            .is_some_and(|r| matches!(r.starts, Start::Closed | Start::After(_)))
}

struct Window {
    n: usize,
    start: Moment,
    end: Option<Moment>,
}

fn one(
    rules: &Rules,
    history: &History,
    spells: &[GradeSpell],
    now: &State,
    step: Step,
    cycle: &Window,
    as_of: Moment,
) -> Option<Deadline> {
    let d = &rules.book.deadlines;
    let rule = d.step(step)?;
    if !now.valid && !d.invalid_steps.iter().any(|s| *s == step) {
        return None;
    }
    let repeats = per_cycle(rules, step);
    if cycle.n > 1 && !repeats {
        return None;
    }
    // A step that runs once for the ticket is not cut short by a reopen.
    let end = if repeats { cycle.end } else { None };
    let inside = |t: Moment| end.is_none_or(|e| t < e);
    let live = history.live();
    let start = match &rule.starts {
        Start::Received if repeats => cycle.start,
        Start::Received => history.ticket().received_at,
        // Once the complaint is classified valid; in a later round, from the reopen.
        Start::Valid => {
            let valid = live
                .iter()
                .find(|e| matches!(&e.action, Action::Classify(c) if c.valid == Some(true)))?
                .at;
            let from = if repeats {
                valid.max(cycle.start)
            } else {
                valid
            };
            if !inside(from) {
                return None;
            }
            from
        }
        Start::Closed => {
            live.iter()
                .find(|e| {
                    e.at >= cycle.start && inside(e.at) && matches!(e.action, Action::Close(_))
                })?
                .at
        }
        Start::After(after) => {
            live.iter()
                .find(|e| {
                    e.at >= cycle.start
                        && inside(e.at)
                        && rules.step_of(&e.action) == Some(after.step)
                })?
                .at
        }
    };
    let met_at = live
        .iter()
        .find(|e| e.at >= start && inside(e.at) && rules.step_of(&e.action) == Some(step))
        .map(|e| e.at);
    let horizon = end.map_or(as_of, |e| e.min(as_of));

    // Fixed by what is in force when the clock starts...
    let mut fixed = compute(
        rules,
        step,
        rule,
        start,
        history.at(start),
        grade_in_force(spells, start),
    );
    let mut raw = fixed.as_ref().map(|f| f.due);
    let mut refixed_at = None;
    // ...and fixed again at each later change while still pending, never earlier than it. A
    // step whose condition comes to hold gets its deadline then; one whose condition stops
    // holding (or whose limit becomes `none`) before it is due has none.
    let mut moments: Vec<Moment> = spells.iter().map(|s| s.from).collect();
    moments.extend(live.iter().map(|e| e.at));
    moments.retain(|m| *m > start && *m <= horizon);
    moments.sort();
    moments.dedup();
    for c in moments {
        let pending = met_at.is_none_or(|m| m > c) && fixed.as_ref().is_none_or(|f| f.due > c);
        if !pending {
            break;
        }
        let f = compute(
            rules,
            step,
            rule,
            start,
            history.at(c),
            grade_in_force(spells, c),
        );
        let now_raw = f.as_ref().map(|f| f.due);
        if now_raw != raw {
            raw = now_raw;
            fixed = f.map(|f| Fixed {
                due: f.due.max(c),
                ..f
            });
            refixed_at = Some(c);
        }
    }
    let Fixed {
        due,
        warn: warn_at,
        clause,
        basis,
        gaps,
    } = fixed?;
    let code = rules.step_code(step);
    let unrecorded = cycle.n == 1 && history.ticket().unrecorded.iter().any(|c| c == code);
    let (state, met_at, cut_at) = match (met_at, end) {
        _ if unrecorded => (DueState::Unrecorded, None, None),
        (Some(m), _) if m <= due => (DueState::Met, Some(m), None),
        (Some(m), _) => (DueState::Late, Some(m), None),
        (None, Some(e)) if e > due => (DueState::Overdue, None, Some(e)),
        (None, Some(_)) => (DueState::Superseded, None, None),
        (None, None) if as_of > due => (DueState::Overdue, None, None),
        (None, None) => (DueState::Pending, None, None),
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
        cut_at,
        calendar_gaps: gaps,
    })
}
