//! Grading (SPEC §5, procedure §6.1): the grade a ticket has at each moment, and the rule
//! and clause that set it. Pure: a function of the rulebook, the tickets and the time.

use super::{Rules, When};
use crate::rules::state::{History, State};
use crate::ticket::{Action, Status, Ticket};
use crate::time::{Moment, Span};
use std::collections::HashMap;

/// Who complained, for telling complainants apart (§6.1.2.2): phone digits, else name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complainant {
    pub phone_digits: String,
    pub name: String,
}

impl Complainant {
    pub fn new(phone: &str, name: &str) -> Complainant {
        Complainant {
            phone_digits: national(phone),
            name: comparable(name),
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

/// Text as grading compares it: Unicode NFKC (full-width `３栋` is `3栋`, a decomposed
/// `Café` the composed one), without zero-width or bidirectional format characters (which
/// show nothing, yet would split one target in two), trimmed and case-folded. The ticket
/// file keeps what was typed.
pub fn comparable(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .filter(|c| !invisible(*c))
        .collect::<String>()
        .trim()
        .to_lowercase()
}

/// Characters that change how text reads without showing: zero-width spaces and joiners,
/// the byte-order mark, and the bidirectional marks, embeddings, overrides and isolates.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// A phone number's digits without China's country code: `+86 139 1111 2222`,
/// `0086 13911112222` and `13911112222` are one phone. A bare `86` is taken for the country
/// code only before an 11-digit mobile number, so a local number that merely starts with 86
/// keeps its digits.
fn national(phone: &str) -> String {
    let phone = comparable(phone);
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let plus = phone.trim_start().starts_with('+');
    let mobile = |rest: &str| rest.len() == 11 && rest.starts_with('1');
    if let Some(rest) = digits.strip_prefix("0086") {
        return rest.to_string();
    }
    if let Some(rest) = digits.strip_prefix("86")
        && (plus || mobile(rest))
    {
        return rest.to_string();
    }
    digits
}

/// Tickets grouped by (project, target) for the "same target" rules (§6.1.2.2, §6.1.3.1).
///
/// The window is measured between the receipts of the complaints being compared, both ends
/// included ("以上/以下" include the number, SPEC §5): a ticket counts the largest set of its
/// group's members whose receipts lie, with its own, within the window of one another. Time
/// passing never breaks a group: once formed it stays formed, and only a correction that
/// moves a member to another target (or withdraws it) takes it out.
#[derive(Debug, Default)]
pub struct Peers {
    groups: HashMap<(String, String), Group>,
    /// The largest number any rule asks about: counts stop there.
    cap: usize,
    /// The longest window any rule counts over: members received further apart from a
    /// ticket than this never count for it.
    reach: chrono::Duration,
}

/// One stretch of a ticket's membership in a same-target group.
#[derive(Debug, Clone)]
struct Member {
    /// Which ticket (tickets count once however many stretches they have).
    ticket: usize,
    received_at: Moment,
    /// From when it counts: its receipt, or the moment its target was recorded (SPEC §5:
    /// grades follow the events known at T; a fact counts from when it is recorded).
    from: Moment,
    /// Until when: a correction that moved it to another target or project; else never.
    until: Option<Moment>,
    complainant: Complainant,
}

impl Member {
    fn counts_at(&self, at: Moment) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// A group's members, in order of receipt.
#[derive(Debug, Default)]
struct Group {
    members: Vec<Member>,
}

impl Group {
    fn new(mut members: Vec<Member>) -> Group {
        members.sort_by(|a, b| {
            (
                a.received_at,
                a.from,
                a.until,
                &a.complainant.phone_digits,
                &a.complainant.name,
            )
                .cmp(&(
                    b.received_at,
                    b.from,
                    b.until,
                    &b.complainant.phone_digits,
                    &b.complainant.name,
                ))
        });
        Group { members }
    }

    /// (tickets, different complainants), capped at `cap`, that the ticket received at
    /// `receipt` counts at `at`: the most that any stretch of `window` holding its receipt
    /// holds of the members counting at `at` (each count at its own best stretch).
    fn counts(
        &self,
        receipt: Moment,
        at: Moment,
        window: chrono::Duration,
        cap: usize,
    ) -> (usize, usize) {
        let m = &self.members;
        let lo = m.partition_point(|p| p.received_at < receipt - window);
        let hi = m.partition_point(|p| p.received_at <= receipt + window);
        let near: Vec<&Member> = m[lo..hi].iter().filter(|p| p.counts_at(at)).collect();
        // A best stretch starts at a member's receipt no later than the ticket's own, or at
        // the ticket's own receipt.
        let starts = near
            .iter()
            .map(|p| p.received_at)
            .filter(|r| *r <= receipt)
            .chain(std::iter::once(receipt));
        let mut best = (0, 0);
        let mut tickets: Vec<usize> = Vec::new();
        let mut distinct: Vec<&Complainant> = Vec::new();
        for from in starts {
            tickets.clear();
            distinct.clear();
            for p in near
                .iter()
                .filter(|p| p.received_at >= from && p.received_at <= from + window)
            {
                if tickets.len() < cap && !tickets.contains(&p.ticket) {
                    tickets.push(p.ticket);
                }
                if distinct.len() < cap && !distinct.iter().any(|c| c.same(&p.complainant)) {
                    distinct.push(&p.complainant);
                }
            }
            best = (best.0.max(tickets.len()), best.1.max(distinct.len()));
            if best == (cap, cap) {
                break;
            }
        }
        best
    }
}

/// Targets are compared as `comparable` text, within their project.
pub fn target_key(project: &str, target: &str) -> Option<(String, String)> {
    let t = comparable(target);
    (!t.is_empty()).then(|| (project.to_string(), t))
}

impl Peers {
    /// Indexes the tickets' targets as the desk stood at `as_of`. A ticket joins its group
    /// when its target is recorded (at receipt, or by a later amend or classification) and
    /// leaves it when a correction moves it elsewhere.
    pub fn index(rules: &Rules, tickets: &[Ticket], as_of: Moment) -> Peers {
        if Peers::cap(rules) == 0 {
            return Peers::default();
        }
        let stretched: Vec<(Moment, Vec<Stretch>)> = tickets
            .iter()
            .filter(|t| t.received_at <= as_of)
            .map(|t| (t.received_at, stretches(t, as_of)))
            .collect();
        Peers::from_stretches(rules, stretched.iter().map(|(r, s)| (*r, s.as_slice())))
    }

    /// Whether any grading rule asks about the same target: if none does, no ticket's
    /// peers need be known.
    pub fn needed(rules: &Rules) -> bool {
        Peers::cap(rules) > 0
    }

    /// Counts above the largest number any rule asks about change no grade; 0 when no rule
    /// asks about the same target at all.
    fn cap(rules: &Rules) -> usize {
        rules
            .book
            .grading
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
            .unwrap_or(0) as usize
    }

    /// The groups of tickets given as (receipt, stretches as the desk stood at the moment
    /// the peers are wanted for): what `index` builds from whole tickets, here from what the
    /// desk's cache keeps of each (its stretches), so that no ticket needs to be read.
    pub fn from_stretches<'a>(
        rules: &Rules,
        tickets: impl Iterator<Item = (Moment, &'a [Stretch])>,
    ) -> Peers {
        let g = &rules.book.grading;
        let cap = Peers::cap(rules);
        if cap == 0 {
            return Peers::default();
        }
        let reach = g
            .rules
            .iter()
            .filter(|r| {
                r.when.same_target_at_least.is_some()
                    || r.when.same_target_complainants_at_least.is_some()
            })
            .map(|r| r.when.same_target_window.unwrap_or(g.same_target_window))
            .max()
            .unwrap_or(g.same_target_window)
            .duration();
        let mut members: HashMap<(String, String), Vec<Member>> = HashMap::new();
        for (i, (received_at, stretches)) in tickets.enumerate() {
            for s in stretches {
                members.entry(s.key.clone()).or_default().push(Member {
                    ticket: i,
                    received_at,
                    from: s.from,
                    until: s.until,
                    complainant: s.complainant.clone(),
                });
            }
        }
        let groups = members
            .into_iter()
            .map(|(k, v)| (k, Group::new(v)))
            .collect();
        Peers { groups, cap, reach }
    }

    /// (tickets, different complainants) of the group of `project`/`target` that the ticket
    /// received at `receipt` counts at `at` over `window` (see `Peers`), capped at the
    /// largest number the rulebook asks about.
    pub fn counts(
        &self,
        project: &str,
        target: &str,
        receipt: Moment,
        at: Moment,
        window: Span,
    ) -> (usize, usize) {
        target_key(project, target)
            .and_then(|k| self.groups.get(&k))
            .map(|g| g.counts(receipt, at, window.duration(), self.cap))
            .unwrap_or((0, 0))
    }

    /// The moments the group's counts may change for the ticket received at `receipt`: a
    /// member near enough in time joining or leaving.
    pub fn changes(&self, project: &str, target: &str, receipt: Moment) -> Vec<Moment> {
        target_key(project, target)
            .and_then(|k| self.groups.get(&k))
            .map(|g| {
                g.members
                    .iter()
                    .filter(|p| {
                        p.received_at >= receipt - self.reach
                            && p.received_at <= receipt + self.reach
                    })
                    .flat_map(|p| std::iter::once(p.from).chain(p.until))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The group of `project`/`target` in 16 bytes (of a SHA-256 over every member's
    /// receipt, stretch and complainant): two `Peers` that agree on it count that group
    /// alike, so a member's grade worked out with one holds with the other.
    pub fn fingerprint(&self, project: &str, target: &str) -> [u8; 16] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let stamp = |h: &mut Sha256, m: &Moment| {
            h.update(m.timestamp().to_le_bytes());
            h.update(m.timestamp_subsec_nanos().to_le_bytes());
        };
        if let Some(g) = target_key(project, target).and_then(|k| self.groups.get(&k)) {
            h.update((g.members.len() as u64).to_le_bytes());
            for p in &g.members {
                stamp(&mut h, &p.received_at);
                stamp(&mut h, &p.from);
                match &p.until {
                    Some(u) => stamp(&mut h, u),
                    None => h.update([0xff; 12]),
                }
                for text in [&p.complainant.phone_digits, &p.complainant.name] {
                    h.update((text.len() as u64).to_le_bytes());
                    h.update(text.as_bytes());
                }
            }
        }
        let mut out = [0; 16];
        out.copy_from_slice(&h.finalize()[..16]);
        out
    }
}

/// Every (project, target) key `t` was given at intake or by any correction, withdrawn
/// ones included: a superset of the groups it belongs to at any moment.
pub fn mentioned_keys(t: &Ticket) -> Vec<(String, String)> {
    let mut projects = vec![t.project.as_str()];
    let mut targets: Vec<&str> = t.target.as_deref().into_iter().collect();
    for e in &t.events {
        match &e.action {
            Action::Amend(f) => {
                projects.extend(f.project.as_deref());
                targets.extend(f.target.as_deref());
            }
            Action::Classify(c) => targets.extend(c.target.as_deref()),
            _ => {}
        }
    }
    let mut keys: Vec<(String, String)> = projects
        .iter()
        .flat_map(|p| targets.iter().filter_map(move |x| target_key(p, x)))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// A stretch of time a ticket spent with one (project, target) and one complainant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    /// (project, target as `target_key` folds it).
    pub key: (String, String),
    pub from: Moment,
    /// When a correction moved it elsewhere; `None`: it is still there.
    pub until: Option<Moment>,
    pub complainant: Complainant,
}

/// The stretches of time a ticket spent with one (project, target) and one complainant, as
/// its live events at `as_of` tell: cheaper than a whole fold, as every ticket of the desk is
/// read this way. Only the events up to `as_of` count, so for an `as_of` at or after the
/// ticket's last event it is the same as for any later one.
pub fn stretches(t: &Ticket, as_of: Moment) -> Vec<Stretch> {
    let mut project: &str = &t.project;
    let mut target: Option<&str> = t.target.as_deref();
    let mut name: &str = &t.name;
    let mut phone: &str = &t.phone;
    let mut out = Vec::new();
    let mut open: Option<((String, String), Moment, Complainant)> = None;
    let mut settle = |at: Moment,
                      project: &str,
                      target: Option<&str>,
                      name: &str,
                      phone: &str,
                      out: &mut Vec<_>| {
        let key = target.and_then(|x| target_key(project, x));
        let who = Complainant::new(phone, name);
        if let Some((k, _, c)) = &open
            && Some(k) == key.as_ref()
            && c.phone_digits == who.phone_digits
            && c.name == who.name
        {
            return;
        }
        if let Some((key, from, complainant)) = open.take() {
            out.push(Stretch {
                key,
                from,
                until: Some(at),
                complainant,
            });
        }
        open = key.map(|k| (k, at, who));
    };
    settle(t.received_at, project, target, name, phone, &mut out);
    let live = t.live(as_of);
    for e in live {
        let before = (project, target, name, phone);
        match &e.action {
            Action::Amend(f) => {
                if let Some(p) = &f.project {
                    project = p;
                }
                if let Some(x) = &f.target {
                    target = Some(x);
                }
                if let Some(n) = &f.name {
                    name = n;
                }
                if let Some(p) = &f.phone {
                    phone = p;
                }
            }
            Action::Classify(c) => {
                if let Some(x) = &c.target {
                    target = Some(x);
                }
            }
            _ => continue,
        }
        if before != (project, target, name, phone) {
            settle(
                e.at.max(t.received_at),
                project,
                target,
                name,
                phone,
                &mut out,
            );
        }
    }
    if let Some((key, from, complainant)) = open {
        out.push(Stretch {
            key,
            from,
            until: None,
            complainant,
        });
    }
    out
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

/// The grade in force at `at` (the first spell's before it began).
pub fn grade_in_force(spells: &[GradeSpell], at: Moment) -> &str {
    spells
        .iter()
        .rev()
        .find(|s| s.from <= at)
        .or(spells.first())
        .map(|s| s.grade.as_str())
        .unwrap_or("")
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
    /// The same-target groups (none for deadline overrides) and the rulebook's window.
    peers: Option<&'a Peers>,
    window: Span,
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
        && ((w.same_target_at_least.is_none() && w.same_target_complainants_at_least.is_none())
            || {
                let (same_target, complainants) = match (f.peers, t.target) {
                    (Some(p), Some(target)) => p.counts(
                        t.project,
                        target,
                        f.state.ticket.received_at,
                        f.now,
                        w.same_target_window.unwrap_or(f.window),
                    ),
                    _ => (0, 0),
                };
                w.same_target_at_least
                    .is_none_or(|n| same_target >= n as usize)
                    && w.same_target_complainants_at_least
                        .is_none_or(|n| complainants >= n as usize)
            })
        && (w.text_contains.is_empty() || {
            let texts = [Some(t.subject), t.description, t.request];
            w.text_contains.iter().any(|word| {
                let word = word.to_lowercase();
                texts
                    .iter()
                    .flatten()
                    .any(|x| x.to_lowercase().contains(&word))
            })
        })
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
            peers: None,
            window: Span { minutes: 0 },
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
    moments.extend(history.live().iter().map(|e| e.at));
    // Every group the ticket was ever in may change its grade.
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for st in history.states() {
        if let Some(target) = st.facts.target
            && !keys.contains(&(st.facts.project, target))
        {
            keys.push((st.facts.project, target));
            moments.extend(peers.changes(st.facts.project, target, ticket.received_at));
        }
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
    let sorted_events = history.live();

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
    let f = Facts {
        state,
        now,
        peers: Some(ctx.peers),
        window: rules.book.grading.same_target_window,
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    /// The counts as SPEC §5 defines them, by every subset of the members counting at `m`:
    /// the largest whose receipts lie, with the ticket's own, within the window of one
    /// another (complainants told apart by phone alone, so that "same" is an equivalence).
    fn counts_by_definition(
        members: &[Member],
        receipt: Moment,
        window: chrono::Duration,
        cap: usize,
        m: Moment,
    ) -> (usize, usize) {
        let live: Vec<&Member> = members.iter().filter(|p| p.counts_at(m)).collect();
        let mut best = (0, 0);
        for bits in 0u32..(1 << live.len()) {
            let chosen: Vec<&&Member> = (0..live.len())
                .filter(|i| bits & (1 << i) != 0)
                .map(|i| &live[i])
                .collect();
            let lo = chosen
                .iter()
                .map(|p| p.received_at)
                .fold(receipt, Moment::min);
            let hi = chosen
                .iter()
                .map(|p| p.received_at)
                .fold(receipt, Moment::max);
            if hi - lo > window {
                continue;
            }
            let mut tickets: Vec<usize> = chosen.iter().map(|p| p.ticket).collect();
            tickets.sort();
            tickets.dedup();
            let mut phones: Vec<&str> = chosen
                .iter()
                .map(|p| p.complainant.phone_digits.as_str())
                .collect();
            phones.sort();
            phones.dedup();
            best = (
                best.0.max(tickets.len().min(cap)),
                best.1.max(phones.len().min(cap)),
            );
        }
        best
    }

    #[test]
    fn a_group_counts_what_the_definition_counts() {
        let at = |h: i64| {
            FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .timestamp_opt(1_790_000_000 + h * 3600, 0)
                .unwrap()
        };
        // Members joining late and leaving early, complainants with repeated phones, at
        // receipts that fall exactly a window apart as often as not.
        let mut next = crate::rules::generator(7);
        for round in 0..300 {
            let window = chrono::Duration::hours(1 + next(60) as i64);
            let members: Vec<Member> = (0..(1 + next(9)))
                .map(|k| {
                    let received = if next(2) == 0 {
                        next(200) as i64
                    } else {
                        window.num_hours() * next(4) as i64
                    };
                    let from = received + next(3) as i64 * next(100) as i64;
                    Member {
                        ticket: k as usize,
                        received_at: at(received),
                        from: at(from),
                        until: (next(3) == 0).then(|| at(from + 1 + next(150) as i64)),
                        complainant: Complainant::new(
                            ["138", "139", "137"][next(3) as usize],
                            "王",
                        ),
                    }
                })
                .collect();
            let cap = 1 + next(4) as usize;
            let g = Group::new(members.clone());
            for p in &members {
                for h in (-5..400).step_by(7) {
                    assert_eq!(
                        g.counts(p.received_at, at(h), window, cap),
                        counts_by_definition(&members, p.received_at, window, cap, at(h)),
                        "round {round}, hour {h}"
                    );
                }
            }
        }
    }

    #[test]
    fn phones_compare_without_the_country_code() {
        let a = Complainant::new("+86 139 1111 2222", "张三");
        for same in [
            "13911112222",
            "0086-139-1111-2222",
            "86 13911112222",
            "+8613911112222",
        ] {
            assert!(a.same(&Complainant::new(same, "李四")), "{same}");
        }
        assert!(!a.same(&Complainant::new("13911112223", "张三")));
        // A number that only starts like a country code keeps its digits.
        assert!(!Complainant::new("8613", "甲").same(&Complainant::new("13", "甲")));
    }
}
