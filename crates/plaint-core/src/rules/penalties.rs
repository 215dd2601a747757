//! Fines and rewards (SPEC §7, procedure §9 and the appended table): computed from the
//! events, each traceable to a ticket, a rule and a clause. Pure.

use super::assess::Assessment;
use super::deadlines::{Deadline, DueState};
use super::{Person, Rules};
use crate::money::Money;
use crate::money::Tenths;
use crate::ticket::Action;
use crate::ticket::State;
use crate::time::Period;
use crate::time::{Moment, describe_delay};
use chrono::Datelike;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Item {
    pub ticket: String,
    pub rule: String,
    pub clause: String,
    pub label: String,
    /// `None` when nobody can be named: no handler assigned yet, or a history row that does
    /// not record its receiver. The department answers alone then.
    pub person: Option<String>,
    pub department: String,
    pub amount: Money,
    pub basis: String,
    /// The step is still not done: the fine accrues until it is.
    pub provisional: bool,
    /// The cycle of handling the deadline belongs to (1, or more after reopens).
    pub cycle: usize,
    /// When the deadline fell (or the violation was recorded): what period it belongs to.
    pub when: Moment,
    /// For an adjustment (调整): the settled month it corrects, and its cause.
    pub adjusts: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToDecide {
    pub ticket: String,
    pub rule: String,
    pub clause: String,
    pub person: Option<String>,
    pub department: String,
    pub min: Money,
    pub max: Money,
    pub basis: String,
}

#[derive(Debug, Clone)]
pub struct Total {
    pub person: Option<String>,
    pub department: String,
    pub amount: Money,
}

/// A platform score entered with `plaint rate`.
#[derive(Debug, Clone)]
pub struct Rating {
    pub department: String,
    pub year: i32,
    pub month: u32,
    pub score: Tenths,
}

#[derive(Debug, Clone)]
pub struct Reward {
    pub department: String,
    pub month: String,
    /// Mean callback answer × 10, of the callbacks made that month on its tickets.
    pub callback_score: Option<Tenths>,
    pub platform_score: Option<Tenths>,
    pub score: Option<Tenths>,
    pub amount: Money,
}

#[derive(Debug, Clone, Default)]
pub struct Penalties {
    pub items: Vec<Item>,
    pub to_decide: Vec<ToDecide>,
    pub totals: Vec<Total>,
    pub department_totals: Vec<(String, Money)>,
    pub rewards: Vec<Reward>,
}

/// Who answers for a step, as the ticket stood at the moment that fixes it: the handler,
/// the receiver (who logged it), or the handler when one was assigned and the receiver
/// before that. A person nobody recorded is `None`, with why.
fn who(s: &State, p: Person) -> (Option<String>, String, Option<&'static str>) {
    let department = s.department.unwrap_or(s.facts.received_by);
    match (p, s.handler) {
        (Person::Receiver, _) | (Person::HandlerOrReceiver, None) => match s.facts.logged_by {
            Some(r) => (Some(r.to_string()), s.facts.received_by.to_string(), None),
            None => (
                None,
                s.facts.received_by.to_string(),
                Some("接单人未登记,由接单部门承担"),
            ),
        },
        (_, Some(h)) => (Some(h.to_string()), department.to_string(), None),
        (Person::Handler, None) => (
            None,
            department.to_string(),
            Some("未指派处理人,由责任部门承担"),
        ),
    }
}

fn short(m: &Moment) -> String {
    m.format("%m-%d %H:%M").to_string()
}

/// "投诉响应 11-02 11:30 完成,超出 11-02 11:00 时限 30m" or, still open, "截至 … 仍未完成".
fn basis(rules: &Rules, d: &Deadline, as_of: Moment) -> String {
    let late = d.lateness(as_of).unwrap_or_default();
    match d.met_at {
        Some(m) => format!(
            "{} {} 完成,超出 {} 时限 {}",
            rules.step_label(d.step),
            short(&m),
            short(&d.due),
            describe_delay(late)
        ),
        None => format!(
            "{} 截至 {} 仍未完成,已超出 {} 时限 {}",
            rules.step_label(d.step),
            short(&as_of),
            short(&d.due),
            describe_delay(late)
        ),
    }
}

/// The fines and rewards for deadlines (and violations) that fell in `period`, judged at
/// `as_of`.
pub fn penalties(
    rules: &Rules,
    judged: &[Assessment],
    period: Period,
    as_of: Moment,
    ratings: &[Rating],
) -> Penalties {
    let mut tally = Tally::default();
    tally.add(rules, judged, period, as_of);
    tally.finish(rules, period, ratings)
}

/// Fines and callback answers added up a batch of judged tickets at a time, so that a month
/// of a large desk never holds all its judgements at once.
#[derive(Debug, Default)]
pub struct Tally {
    out: Penalties,
    /// (department, year, month) → (sum of callback answers, answers), for rewards.
    callbacks: BTreeMap<(String, i32, u32), (i64, i64)>,
}

impl Tally {
    /// Adds a batch of judged tickets.
    pub fn add(&mut self, rules: &Rules, judged: &[Assessment], period: Period, as_of: Moment) {
        fines(&mut self.out, rules, judged, period, as_of);
        callbacks(&mut self.callbacks, rules, judged, period);
    }

    /// The fines, amounts to decide, totals and rewards (with the platform scores entered).
    pub fn finish(self, rules: &Rules, period: Period, ratings: &[Rating]) -> Penalties {
        let mut out = self.out;
        out.rewards = rewards(rules, &self.callbacks, period, ratings);
        out.total_up();
        out
    }
}

/// The fines of `judged` whose deadlines (or violations) fell in `period`, into `out`.
fn fines(out: &mut Penalties, rules: &Rules, judged: &[Assessment], period: Period, as_of: Moment) {
    for j in judged {
        let s = &j.state;
        let id = &s.ticket.id;
        let delays: Vec<String> = s
            .events
            .iter()
            .filter_map(|e| match &e.action {
                Action::Delay(d) => Some(match &d.role {
                    Some(r) => format!("延期说明已由{}({r})签字:{}", d.approved_by, d.reason),
                    None => format!("延期说明已由{}签字:{}", d.approved_by, d.reason),
                }),
                _ => None,
            })
            .collect();
        let several = j.cycles.len() > 1;
        for (cycle, d) in j.every_deadline() {
            if !matches!(d.state, DueState::Late | DueState::Overdue) || !period.contains(&d.due) {
                continue;
            }
            for p in rules.book.penalties.iter().filter(|p| p.step == d.step) {
                // Whoever answered for the step when the deadline fell answers for the fine;
                // a later assignment, or whoever does the step late, does not move it.
                let then = s.ticket.state_seen_from(rules, d.answerable_at(), as_of);
                let (person, department, unnamed) = who(&then, p.person);
                let mut basis = basis(rules, d, as_of);
                if several {
                    basis = format!("第{cycle}轮 {basis}");
                }
                if let Some(why) = unnamed {
                    basis.push_str(&format!("({why})"));
                }
                for note in &delays {
                    basis.push(';');
                    basis.push_str(note);
                }
                let provisional = d.provisional();
                if p.per_late_day.is_empty() {
                    let amount = p
                        .amount_if_received_by
                        .get(then.facts.received_by)
                        .copied()
                        .or(p.amount)
                        .unwrap_or_default();
                    out.items.push(Item {
                        ticket: id.clone(),
                        rule: p.rule.clone(),
                        clause: p.clause.clone(),
                        label: p.label.clone(),
                        person,
                        department,
                        amount,
                        basis,
                        provisional,
                        cycle,
                        when: d.due,
                        adjusts: None,
                        cause: None,
                    });
                    continue;
                }
                // Late days: elapsed calendar time past the deadline, rounded up to whole days.
                let late = d.lateness(as_of).unwrap_or_default();
                let days = (late.num_seconds() + 86_399) / 86_400;
                let (amount, parts) = per_day(&p.per_late_day, days);
                let last = p
                    .per_late_day
                    .last()
                    .map(|r| r.through_day as i64)
                    .unwrap_or(0);
                out.items.push(Item {
                    ticket: id.clone(),
                    rule: p.rule.clone(),
                    clause: p.clause.clone(),
                    label: p.label.clone(),
                    person: person.clone(),
                    department: department.clone(),
                    amount,
                    basis: format!("{basis};逾期 {days} 天:{parts}"),
                    provisional,
                    cycle,
                    when: d.due,
                    adjusts: None,
                    cause: None,
                });
                if days > last
                    && let Some(b) = &p.beyond
                {
                    out.to_decide.push(ToDecide {
                        ticket: id.clone(),
                        rule: b.rule.clone(),
                        clause: b.clause.clone(),
                        person,
                        department,
                        min: b.min,
                        max: b.max,
                        basis: format!("逾期 {days} 天,超过 {last} 天:{}", b.label),
                    });
                }
            }
        }
        for e in &s.events {
            let Action::Violation(v) = &e.action else {
                continue;
            };
            if !period.contains(&e.at) {
                continue;
            }
            let rule = rules.book.violations.get(&v.rule);
            out.items.push(Item {
                ticket: id.clone(),
                rule: v.rule.clone(),
                clause: rule.map(|r| r.clause.clone()).unwrap_or_default(),
                label: rule.map(|r| r.label.clone()).unwrap_or_default(),
                person: Some(v.person.clone()),
                department: v.department.clone(),
                amount: rule.map(|r| r.amount).unwrap_or_default(),
                basis: format!("{} 由{}登记", short(&e.at), e.by),
                provisional: false,
                cycle: 0,
                when: e.at,
                adjusts: None,
                cause: None,
            });
        }
    }
}

impl Penalties {
    /// Takes in the items of another stretch of the period (under another version of the
    /// rulebook) and adds the totals up again.
    pub fn merge(&mut self, other: Penalties) {
        self.items.extend(other.items);
        self.to_decide.extend(other.to_decide);
        self.rewards.extend(other.rewards);
        self.total_up();
    }

    /// Adds adjustment items (of settled months) and adds the totals up again.
    pub fn add_adjustments(&mut self, items: Vec<Item>) {
        self.items.extend(items);
        self.total_up();
    }

    /// Orders the items and adds up the totals per person and per department.
    fn total_up(&mut self) {
        let out = self;
        out.items.sort_by(|a, b| {
            (a.adjusts.is_some(), a.when, &a.ticket, &a.rule).cmp(&(
                b.adjusts.is_some(),
                b.when,
                &b.ticket,
                &b.rule,
            ))
        });
        let mut by_person: BTreeMap<(Option<String>, String), Money> = BTreeMap::new();
        let mut by_dept: BTreeMap<String, Money> = BTreeMap::new();
        for i in &out.items {
            *by_person
                .entry((i.person.clone(), i.department.clone()))
                .or_default() += i.amount;
            *by_dept.entry(i.department.clone()).or_default() += i.amount;
        }
        out.totals = by_person
            .into_iter()
            .map(|((person, department), amount)| Total {
                person,
                department,
                amount,
            })
            .collect();
        out.totals.sort_by(|a, b| {
            b.amount
                .cmp(&a.amount)
                .then_with(|| a.person.cmp(&b.person))
        });
        out.department_totals = by_dept.into_iter().collect();
        out.department_totals
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
}

/// `7×100 + 3×200`, and the sum.
fn per_day(rates: &[super::DayRate], days: i64) -> (Money, String) {
    let mut from = 0i64;
    let mut total = Money(0);
    let mut parts = Vec::new();
    for r in rates {
        let upto = (r.through_day as i64).min(days);
        let n = upto - from;
        if n > 0 {
            total += Money(r.amount.0 * n);
            parts.push(format!("{n}×{}", r.amount));
        }
        from = r.through_day as i64;
        if from >= days {
            break;
        }
    }
    (total, parts.join(" + "))
}

/// Monthly department rewards (appended table): 70% callback score + 30% platform score.
/// The callback answers given in `period` on `judged`, by department and month, into
/// `callbacks` (for rewards).
fn callbacks(
    callbacks: &mut BTreeMap<(String, i32, u32), (i64, i64)>,
    rules: &Rules,
    judged: &[Assessment],
    period: Period,
) {
    let Some(r) = &rules.book.rewards else {
        return;
    };
    let earns = |d: &str| !r.exclude_departments.iter().any(|x| x == d);
    for j in judged {
        let Some(dept) = j.state.department.filter(|d| earns(d)) else {
            continue;
        };
        for e in &j.state.events {
            if let Action::Callback(c) = &e.action
                && period.contains(&e.at)
            {
                let k = (dept.to_string(), e.at.year(), e.at.month());
                let v = callbacks.entry(k).or_default();
                v.0 += (c.timeliness + c.plan + c.attitude) as i64;
                v.1 += 3;
            }
        }
    }
}

fn rewards(
    rules: &Rules,
    callbacks: &BTreeMap<(String, i32, u32), (i64, i64)>,
    period: Period,
    ratings: &[Rating],
) -> Vec<Reward> {
    let Some(r) = &rules.book.rewards else {
        return Vec::new();
    };
    let earns = |d: &str| !r.exclude_departments.iter().any(|x| x == d);
    let mut keys: Vec<(String, i32, u32)> = callbacks.keys().cloned().collect();
    for rt in ratings {
        let k = (rt.department.clone(), rt.year, rt.month);
        if period.months().contains(&(rt.year, rt.month)) && earns(&k.0) && !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort();
    keys.into_iter()
        .map(|(department, y, m)| {
            let cb = callbacks
                .get(&(department.clone(), y, m))
                .and_then(|(sum, n)| Tenths::ratio(*sum, *n, 10));
            // The last rating entered for the month wins.
            let platform = ratings
                .iter()
                .rev()
                .find(|x| x.department == department && x.year == y && x.month == m)
                .map(|x| x.score);
            let score = match (cb, platform) {
                (Some(c), Some(p)) => {
                    let w =
                        (c.0 * r.callback_weight as i64 + p.0 * r.platform_weight as i64) * 2 + 100;
                    Some(Tenths(w / 200))
                }
                _ => None,
            };
            let amount = score
                .map(|s| {
                    r.tiers
                        .iter()
                        .filter(|t| {
                            t.at_least.is_some_and(|v| s.0 >= v as i64 * 10)
                                || t.above.is_some_and(|v| s.0 > v as i64 * 10)
                        })
                        .map(|t| t.amount)
                        .max()
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            Reward {
                department,
                month: format!("{y:04}-{m:02}"),
                callback_score: cb,
                platform_score: platform,
                score,
                amount,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::DayRate;

    #[test]
    fn overdue_by_the_day() {
        let rates = [
            DayRate {
                through_day: 7,
                amount: Money::yuan(100),
            },
            DayRate {
                through_day: 15,
                amount: Money::yuan(200),
            },
        ];
        assert_eq!(
            per_day(&rates, 10),
            (Money::yuan(1300), "7×100 + 3×200".to_string())
        );
        assert_eq!(per_day(&rates, 1), (Money::yuan(100), "1×100".to_string()));
        assert_eq!(per_day(&rates, 7), (Money::yuan(700), "7×100".to_string()));
        assert_eq!(
            per_day(&rates, 15),
            (Money::yuan(2300), "7×100 + 8×200".to_string())
        );
        assert_eq!(
            per_day(&rates, 40),
            (Money::yuan(2300), "7×100 + 8×200".to_string())
        );
    }
}
