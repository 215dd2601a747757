//! Fines and rewards (SPEC §7, procedure §9 and the appended table): computed from the
//! events, each traceable to a ticket, a rule and a clause. Pure.

use super::assess::Assessment;
use super::deadlines::DueState;
use super::{Person, Rules};
use crate::money::Money;
use crate::money::Tenths;
use crate::rules::state::State;
use crate::ticket::Action;
use crate::time::Moment;
use crate::time::Period;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a fine is owed, as fields: the renderers write the sentence, in the run's language;
/// JSON carries the fields (`basis_fields`) beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Basis {
    /// A step not done by its deadline: done late at `done_at`, or still not done at `as_of`.
    Late {
        /// The step's code.
        step: String,
        due: Moment,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        done_at: Option<Moment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        as_of: Option<Moment>,
        /// How late, in seconds (to the step, the round's end, or `as_of`).
        late_seconds: i64,
        /// For a fine by the late day: the days (rounded up) and the arithmetic.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late_days: Option<i64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        per_day: Vec<DayCount>,
        /// The round of handling, when the ticket had more than one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<usize>,
        /// Nobody could be named at the deadline: the department answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unnamed: Option<Unnamed>,
        /// Extensions on record (§8.2): shown, not moving the deadline.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        delays: Vec<DelayNote>,
    },
    /// A fine entered by hand (`plaint violation`).
    Recorded { at: Moment, by: String },
    /// More late days than the per-day table covers: an amount to decide.
    Beyond {
        late_days: i64,
        through_day: i64,
        label: String,
    },
    /// An adjustment of a settled month: paid `was`, owed `now`, and why.
    Adjusts {
        month: String,
        #[serde(with = "signed")]
        was: Money,
        #[serde(with = "signed")]
        now: Money,
        cause: String,
    },
}

/// `days` late days at `amount` each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    pub days: i64,
    pub amount: Money,
}

/// Why nobody is named for a fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unnamed {
    /// A rule that names the handler, and none was assigned: the department answers.
    NoHandler,
    /// A history row that does not record its receiver: the receiving department answers.
    NoReceiver,
}

/// An extension on record (§8.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelayNote {
    pub approved_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub reason: String,
}

/// Amounts that may be negative (an adjustment takes money back).
pub(crate) mod signed {
    use crate::money::Money;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        m.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        let (negative, text) = match Raw::deserialize(d)? {
            Raw::Int(n) => (n < 0, n.unsigned_abs().to_string()),
            Raw::Text(t) => match t.trim().strip_prefix('-') {
                Some(rest) => (true, rest.to_string()),
                None => (false, t),
            },
        };
        let m = Money::parse(&text).map_err(serde::de::Error::custom)?;
        Ok(if negative { Money(-m.0) } else { m })
    }
}

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
    pub basis: Basis,
    /// The step is still not done: the fine accrues until it is.
    pub provisional: bool,
    /// The cycle of handling the deadline belongs to (1, or more after reopens).
    pub cycle: usize,
    /// When the deadline fell (or the violation was recorded): what period it belongs to.
    pub when: Moment,
}

impl Item {
    /// For an adjustment (调整): the settled month it corrects.
    pub fn adjusts(&self) -> Option<&str> {
        match &self.basis {
            Basis::Adjusts { month, .. } => Some(month),
            _ => None,
        }
    }

    /// For an adjustment: why the settled figure changed.
    pub fn cause(&self) -> Option<&str> {
        match &self.basis {
            Basis::Adjusts { cause, .. } => Some(cause),
            _ => None,
        }
    }
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
    pub basis: Basis,
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
fn who(s: &State, p: Person) -> (Option<String>, String, Option<Unnamed>) {
    let department = s.department.unwrap_or(s.facts.received_by);
    match (p, s.handler) {
        (Person::Receiver, _) | (Person::HandlerOrReceiver, None) => match s.facts.logged_by {
            Some(r) => (Some(r.to_string()), s.facts.received_by.to_string(), None),
            None => (
                None,
                s.facts.received_by.to_string(),
                Some(Unnamed::NoReceiver),
            ),
        },
        (_, Some(h)) => (Some(h.to_string()), department.to_string(), None),
        (Person::Handler, None) => (None, department.to_string(), Some(Unnamed::NoHandler)),
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
        let delays: Vec<DelayNote> = s
            .events
            .iter()
            .filter_map(|e| match &e.action {
                Action::Delay(d) => Some(DelayNote {
                    approved_by: d.approved_by.clone(),
                    role: d.role.clone(),
                    reason: d.reason.clone(),
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
                let late = d.lateness(as_of).unwrap_or_default();
                let basis = Basis::Late {
                    step: rules.step_code(d.step).to_string(),
                    due: d.due,
                    done_at: d.met_at,
                    as_of: d.met_at.is_none().then_some(as_of),
                    late_seconds: late.num_seconds(),
                    late_days: None,
                    per_day: Vec::new(),
                    round: several.then_some(cycle),
                    unnamed,
                    delays: delays.clone(),
                };
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
                    });
                    continue;
                }
                // Late days: elapsed calendar time past the deadline, rounded up to whole days.
                let days = (late.num_seconds() + 86_399) / 86_400;
                let (amount, parts) = per_day(&p.per_late_day, days);
                let basis = match basis {
                    Basis::Late {
                        step,
                        due,
                        done_at,
                        as_of,
                        late_seconds,
                        round,
                        unnamed,
                        delays,
                        ..
                    } => Basis::Late {
                        step,
                        due,
                        done_at,
                        as_of,
                        late_seconds,
                        late_days: Some(days),
                        per_day: parts,
                        round,
                        unnamed,
                        delays,
                    },
                    other => other,
                };
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
                    basis,
                    provisional,
                    cycle,
                    when: d.due,
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
                        basis: Basis::Beyond {
                            late_days: days,
                            through_day: last,
                            label: b.label.clone(),
                        },
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
                basis: Basis::Recorded {
                    at: e.at,
                    by: e.by.clone(),
                },
                provisional: false,
                cycle: 0,
                when: e.at,
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
            (a.adjusts().is_some(), a.when, &a.ticket, &a.rule).cmp(&(
                b.adjusts().is_some(),
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

/// The amount for `days` late days by the table (`7×100 + 3×200`): the sum and its parts.
fn per_day(rates: &[super::DayRate], days: i64) -> (Money, Vec<DayCount>) {
    let mut from = 0i64;
    let mut total = Money(0);
    let mut parts = Vec::new();
    for r in rates {
        let upto = (r.through_day as i64).min(days);
        let n = upto - from;
        if n > 0 {
            total += Money(r.amount.0 * n);
            parts.push(DayCount {
                days: n,
                amount: r.amount,
            });
        }
        from = r.through_day as i64;
        if from >= days {
            break;
        }
    }
    (total, parts)
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

    /// The sum and the arithmetic as a table would show it.
    fn arithmetic(rates: &[DayRate], days: i64) -> (Money, String) {
        let (sum, parts) = per_day(rates, days);
        let text: Vec<String> = parts
            .iter()
            .map(|p| format!("{}×{}", p.days, p.amount))
            .collect();
        (sum, text.join(" + "))
    }

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
            arithmetic(&rates, 10),
            (Money::yuan(1300), "7×100 + 3×200".to_string())
        );
        assert_eq!(
            arithmetic(&rates, 1),
            (Money::yuan(100), "1×100".to_string())
        );
        assert_eq!(
            arithmetic(&rates, 7),
            (Money::yuan(700), "7×100".to_string())
        );
        assert_eq!(
            arithmetic(&rates, 15),
            (Money::yuan(2300), "7×100 + 8×200".to_string())
        );
        assert_eq!(
            arithmetic(&rates, 40),
            (Money::yuan(2300), "7×100 + 8×200".to_string())
        );
    }
}
