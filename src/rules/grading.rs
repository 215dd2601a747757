//! Grading (SPEC §5, procedure §6.1): the grade a ticket has at each moment, and the rule
//! and clause that set it. Pure: a function of the rulebook, the tickets and the time.

use super::{Rules, When};
use crate::ticket::{Action, History, State, Status, Ticket};
use crate::time::{Moment, Span};
use std::collections::HashMap;

/// Who complained, for telling complainants apart (§6.1.2.2): phone digits, else name.
#[derive(Debug, Clone)]
pub struct Complainant {
    pub phone_digits: String,
    pub name: String,
}

impl Complainant {
    pub fn new(phone: &str, name: &str) -> Complainant {
        Complainant {
            phone_digits: phone.chars().filter(|c| c.is_ascii_digit()).collect(),
            name: name.trim().to_string(),
        }
    }

    /// The same person when the phone numbers match, or, where either has no phone, the names.
    pub fn same(&self, o: &Complainant) -> bool {
        if self.phone_digits.is_empty() || o.phone_digits.is_empty() {
            self.name == o.name
        } else {
            self.phone_digits == o.phone_digits
        }
    }
}

/// Tickets grouped by (project, target) for the "same target" rules (§6.1.2.2, §6.1.3.1).
///
/// How many tickets (and complainants) a group counts at a moment is the same for every
/// member, so it is worked out once per group, as a step function that changes only where
/// a count crosses a number the rulebook asks about.
#[derive(Debug, Default)]
pub struct Peers {
    groups: HashMap<(String, String), Group>,
}

#[derive(Debug, Clone)]
pub struct Peer {
    pub received_at: Moment,
    pub complainant: Complainant,
}

#[derive(Debug, Default)]
struct Group {
    /// From each moment on: (tickets, different complainants) in the window, capped.
    steps: Vec<(Moment, usize, usize)>,
}

impl Group {
    fn counts_at(&self, at: Moment) -> (usize, usize) {
        let i = self.steps.partition_point(|(m, _, _)| *m <= at);
        if i == 0 {
            (0, 0)
        } else {
            (self.steps[i - 1].1, self.steps[i - 1].2)
        }
    }
}

/// Targets are compared after trimming and case-folding.
pub fn target_key(project: &str, target: &str) -> Option<(String, String)> {
    let t = target.trim().to_lowercase();
    (!t.is_empty()).then(|| (project.to_string(), t))
}

impl Peers {
    /// Indexes the tickets' targets as they stand at `as_of` (a target set by a later
    /// classification counts from the ticket's receipt: it names what was complained of).
    pub fn index(rules: &Rules, tickets: &[Ticket], as_of: Moment) -> Peers {
        let g = &rules.book.grading;
        // Counts above the largest number any rule asks about change no grade.
        let cap = g
            .rules
            .iter()
            .flat_map(|r| {
                [
                    r.when.same_target_at_least,
                    r.when.same_target_complainants_at_least,
                ]
            })
            .flatten()
            .max()
            .unwrap_or(0) as usize;
        if cap == 0 {
            return Peers::default();
        }
        let window = g.same_target_window.duration();
        let mut members: HashMap<(String, String), Vec<Peer>> = HashMap::new();
        for t in tickets.iter().filter(|t| t.received_at <= as_of) {
            let who = Who::at(t, as_of);
            if let Some(key) = who.target.and_then(|x| target_key(who.project, x)) {
                members.entry(key).or_default().push(Peer {
                    received_at: t.received_at,
                    complainant: Complainant::new(who.phone, who.name),
                });
            }
        }
        let groups = members
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by_key(|p| p.received_at);
                (k, Group::build(&v, window, cap))
            })
            .collect();
        Peers { groups }
    }

    /// (tickets, different complainants) of the group of `project`/`target` received in
    /// (at − window, at], capped at the largest number the rulebook asks about.
    pub fn counts(&self, project: &str, target: &str, at: Moment) -> (usize, usize) {
        target_key(project, target)
            .and_then(|k| self.groups.get(&k))
            .map(|g| g.counts_at(at))
            .unwrap_or((0, 0))
    }

    /// The moments the group's counts change: the moments a member's grade may change.
    fn changes(&self, project: &str, target: &str) -> Vec<Moment> {
        target_key(project, target)
            .and_then(|k| self.groups.get(&k))
            .map(|g| g.steps.iter().map(|(m, _, _)| *m).collect())
            .unwrap_or_default()
    }
}

/// The facts "same target" looks at, with corrections up to a moment applied; cheaper
/// than a whole fold, as every ticket of the desk is read this way.
struct Who<'t> {
    project: &'t str,
    target: Option<&'t str>,
    name: &'t str,
    phone: &'t str,
}

impl<'t> Who<'t> {
    fn at(t: &'t Ticket, as_of: Moment) -> Who<'t> {
        let mut w = Who {
            project: &t.project,
            target: t.target.as_deref(),
            name: &t.name,
            phone: &t.phone,
        };
        let mut events: Vec<_> = t.events.iter().filter(|e| e.at <= as_of).collect();
        events.sort_by_key(|e| e.at);
        for e in events {
            match &e.action {
                Action::Amend(f) => {
                    if let Some(p) = &f.project {
                        w.project = p;
                    }
                    if let Some(x) = &f.target {
                        w.target = Some(x);
                    }
                    if let Some(n) = &f.name {
                        w.name = n;
                    }
                    if let Some(p) = &f.phone {
                        w.phone = p;
                    }
                }
                Action::Classify(c) => {
                    if let Some(x) = &c.target {
                        w.target = Some(x);
                    }
                }
                _ => {}
            }
        }
        w
    }
}

impl Group {
    fn build(members: &[Peer], window: chrono::Duration, cap: usize) -> Group {
        let mut moments: Vec<Moment> = members
            .iter()
            .flat_map(|p| [p.received_at, p.received_at + window])
            .collect();
        moments.sort();
        moments.dedup();
        let mut steps: Vec<(Moment, usize, usize)> = Vec::new();
        for m in moments {
            let lo = members.partition_point(|p| p.received_at <= m - window);
            let hi = members.partition_point(|p| p.received_at <= m);
            let inside = &members[lo..hi];
            let mut distinct: Vec<&Complainant> = Vec::new();
            for p in inside {
                if distinct.len() >= cap {
                    break;
                }
                if !distinct.iter().any(|c| c.same(&p.complainant)) {
                    distinct.push(&p.complainant);
                }
            }
            let now = (inside.len().min(cap), distinct.len());
            if steps.last().is_none_or(|(_, a, b)| (*a, *b) != now) {
                steps.push((m, now.0, now.1));
            }
        }
        Group { steps }
    }
}

/// Why a ticket has its grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A grading rule of the rulebook: its clause and label.
    Rule { clause: String, label: String },
    /// Customer service's final say (§5.1.3), with the reason given.
    Override { clause: String, reason: String },
    /// No rule applied; the clause that says so (§6.1.4).
    Default { clause: String },
}

impl Basis {
    pub fn clause(&self) -> Option<&str> {
        match self {
            Basis::Rule { clause, .. } => Some(clause),
            Basis::Override { clause, .. } => Some(clause),
            Basis::Default { .. } => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Basis::Rule { clause, label } => format!("§{clause} {label}"),
            Basis::Override { clause, reason } => format!("§{clause} 客服部最终判定:{reason}"),
            Basis::Default { clause } => format!("§{clause} 以上各级之外"),
        }
    }
}

/// A grade in force from a moment on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeSpell {
    pub from: Moment,
    pub grade: String,
    pub basis: Basis,
}

/// Everything the `when` conditions look at, at one moment.
struct Facts<'a> {
    state: &'a State<'a>,
    now: Moment,
    same_target: usize,
    complainants: usize,
    reopened_from: &'a [String],
    escalated_from: &'a [String],
    /// For each `open_for` span: whether the ticket was still open when it ran out.
    open_when: &'a [(Span, bool)],
}

fn holds(w: &When, f: &Facts) -> bool {
    let t = &f.state.facts;
    let comp = t.compensation.unwrap_or_default();
    w.headcount_at_least.is_none_or(|n| t.headcount >= n)
        && w.headcount_at_most.is_none_or(|n| t.headcount <= n)
        && w.headcount_below.is_none_or(|n| t.headcount < n)
        && w.compensation_above
            .is_none_or(|m| t.compensation.is_some() && comp > m)
        && w.compensation_at_most
            .is_none_or(|m| t.compensation.is_some() && comp <= m)
        && (w.any_flag.is_empty() || w.any_flag.iter().any(|x| t.flags.contains(x)))
        && w.type_
            .as_ref()
            .is_none_or(|x| f.state.type_ == Some(x.as_str()))
        && w.category.as_ref().is_none_or(|x| f.state.category == x)
        && w.same_target_at_least
            .is_none_or(|n| f.same_target >= n as usize)
        && w.same_target_complainants_at_least
            .is_none_or(|n| f.complainants >= n as usize)
        && w.open_for.is_none_or(|d| {
            // Once a ticket has stayed open that long, the fact stands: closing it later
            // does not take the grade back down.
            f.now - f.state.ticket.received_at >= d.duration()
                && f.open_when.iter().any(|(s, open)| *s == d && *open)
        })
        && w.reopened_from
            .as_ref()
            .is_none_or(|g| f.reopened_from.contains(g))
        && w.escalated_from
            .as_ref()
            .is_none_or(|g| f.escalated_from.contains(g))
}

/// Conditions on facts alone (for deadline overrides): no cross-ticket or history context.
pub fn holds_on_state(w: &When, state: &State, now: Moment) -> bool {
    holds(
        w,
        &Facts {
            state,
            now,
            same_target: 0,
            complainants: 0,
            reopened_from: &[],
            escalated_from: &[],
            open_when: &[],
        },
    )
}

/// The ticket's grade from receipt up to `as_of`: one spell per change, oldest first.
pub fn timeline(rules: &Rules, history: &History, peers: &Peers, as_of: Moment) -> Vec<GradeSpell> {
    let ticket = history.ticket();
    let g = &rules.book.grading;
    // Moments at which the grade may change: receipt, every event, every arrival in the
    // ticket's target group, and every "open for" threshold.
    let mut moments: Vec<Moment> = vec![ticket.received_at];
    moments.extend(ticket.events.iter().map(|e| e.at));
    let final_state = history.at(as_of);
    if let Some(target) = &final_state.facts.target {
        moments.extend(peers.changes(final_state.facts.project, target));
    }
    for r in &g.rules {
        if let Some(d) = r.when.open_for {
            moments.push(ticket.received_at + d.duration());
        }
    }
    moments.retain(|m| *m >= ticket.received_at && *m <= as_of);
    moments.sort();
    moments.dedup();

    let open_when: Vec<(Span, bool)> = g
        .rules
        .iter()
        .filter_map(|r| r.when.open_for)
        .map(|d| {
            let at = ticket.received_at + d.duration();
            (d, at > as_of || history.at(at).status == Status::Open)
        })
        .collect();
    let mut spells: Vec<GradeSpell> = Vec::new();
    let mut reopened_from: Vec<String> = Vec::new();
    let mut escalated_from: Vec<String> = Vec::new();
    let mut seen_events = 0usize;
    let mut sorted_events: Vec<_> = ticket.events.iter().filter(|e| e.at <= as_of).collect();
    sorted_events.sort_by_key(|e| e.at);

    for now in moments {
        // Reopens and escalations look at the grade in force just before them.
        let before = spells
            .last()
            .map(|s| s.grade.clone())
            .unwrap_or_else(|| g.default.clone());
        while seen_events < sorted_events.len() && sorted_events[seen_events].at <= now {
            match &sorted_events[seen_events].action {
                Action::Reopen(_) => reopened_from.push(before.clone()),
                Action::Escalate(_) => escalated_from.push(before.clone()),
                _ => {}
            }
            seen_events += 1;
        }
        let state = history.at(now);
        let ctx = Context {
            peers,
            reopened_from: &reopened_from,
            escalated_from: &escalated_from,
            open_when: &open_when,
        };
        let (grade, basis) = grade_at(rules, state, now, &ctx);
        if spells
            .last()
            .is_none_or(|s| s.grade != grade || s.basis != basis)
        {
            spells.push(GradeSpell {
                from: now,
                grade,
                basis,
            });
        }
    }
    if spells.is_empty() {
        spells.push(GradeSpell {
            from: ticket.received_at,
            grade: g.default.clone(),
            basis: Basis::Default {
                clause: g.default_clause.clone(),
            },
        });
    }
    spells
}

/// What grading looks at beyond the ticket itself.
struct Context<'a> {
    peers: &'a Peers,
    reopened_from: &'a [String],
    escalated_from: &'a [String],
    open_when: &'a [(Span, bool)],
}

fn grade_at(rules: &Rules, state: &State, now: Moment, ctx: &Context) -> (String, Basis) {
    // Customer service's override is the final say (§5.1.3).
    let over = state.events.iter().rev().find_map(|e| match &e.action {
        Action::Classify(c) => c
            .grade
            .as_ref()
            .map(|g| (g.clone(), c.reason.clone().unwrap_or_default())),
        _ => None,
    });
    if let Some((grade, reason)) = over {
        return (
            grade,
            Basis::Override {
                clause: rules.book.grading.override_clause.clone(),
                reason,
            },
        );
    }
    let (same_target, complainants) = match &state.facts.target {
        Some(t) => ctx.peers.counts(state.facts.project, t, now),
        None => (0, 0),
    };
    let f = Facts {
        state,
        now,
        same_target,
        complainants,
        reopened_from: ctx.reopened_from,
        escalated_from: ctx.escalated_from,
        open_when: ctx.open_when,
    };
    let g = &rules.book.grading;
    let mut best: Option<(usize, &super::GradeRule)> = None;
    for r in &g.rules {
        if holds(&r.when, &f) {
            let rank = rules.grade_rank(&r.grade);
            // The highest grade wins; among equals, the first rule listed names the clause.
            if best.is_none_or(|(b, _)| rank > b) {
                best = Some((rank, r));
            }
        }
    }
    match best {
        Some((_, r)) => (
            r.grade.clone(),
            Basis::Rule {
                clause: r.clause.clone(),
                label: r.label.clone(),
            },
        ),
        None => (
            g.default.clone(),
            Basis::Default {
                clause: g.default_clause.clone(),
            },
        ),
    }
}
