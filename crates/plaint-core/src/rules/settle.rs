//! Settled months (SPEC §7): a month's fines, rewards and report figures, recorded for pay
//! and never changed again; and the adjustments (调整) by which a later change that would
//! alter a settled month reaches the first month not yet settled. Pure.
//!
//! Accounting settled this long ago: a posted period is never edited, a correction is a
//! reversing entry in an open period. Here a settled month's items are kept as they were
//! paid; whatever the desk says of that month later is compared with them, item by item,
//! and each difference becomes an adjustment item naming the settled month, the ticket,
//! the rule, the person and department, the difference (+ or −) and its cause.

use super::penalties::{Basis, Item, Penalties, ToDecide};
use crate::money::Money;
use crate::time::Moment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A month as settlements name it: `2026-11`.
pub fn month_key(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// The month after `key` (`2026-12` → `2027-01`).
pub fn next_month(key: &str) -> Option<String> {
    let (y, m) = key.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    Some(if m >= 12 {
        month_key(y + 1, 1)
    } else {
        month_key(y, m + 1)
    })
}

/// One month's settlement, as its file keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    pub month: String,
    pub settled_at: Moment,
    pub settled_by: String,
    /// The moment the figures were computed at (the settling itself).
    pub as_of: Moment,
    /// The rulebook the month was priced with: the whole file, and its terms (the file
    /// without its calendar, which may later learn a new year's holidays without repricing
    /// anything settled).
    pub rules_sha256: String,
    pub terms_sha256: String,
    /// The desk's git commit when it was settled, where a repository keeps the desk.
    #[serde(default)]
    pub commit: Option<String>,
    pub items: Vec<SettledItem>,
    #[serde(default)]
    pub to_decide: Vec<ToDecide>,
    pub totals: Vec<SettledTotal>,
    pub department_totals: Vec<SettledDepartment>,
    #[serde(default)]
    pub rewards: Vec<SettledReward>,
    /// The month's report figures (`plaint report --month M --format json`, as settled).
    pub report: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SettledItem {
    pub ticket: String,
    pub rule: String,
    pub clause: String,
    pub label: String,
    pub person: Option<String>,
    pub department: String,
    #[serde(with = "signed")]
    pub amount: Money,
    pub provisional: bool,
    pub cycle: usize,
    pub due: Moment,
    pub basis: Basis,
    /// For an adjustment: the settled month it corrects (as its basis says), for people
    /// reading the file and for finding what a month was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusts: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SettledTotal {
    pub person: Option<String>,
    pub department: String,
    #[serde(with = "signed")]
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SettledDepartment {
    pub department: String,
    #[serde(with = "signed")]
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SettledReward {
    pub department: String,
    pub month: String,
    pub score: Option<String>,
    pub amount: Money,
}

use super::penalties::signed;

impl SettledItem {
    pub fn of(i: &Item) -> SettledItem {
        SettledItem {
            ticket: i.ticket.clone(),
            rule: i.rule.clone(),
            clause: i.clause.clone(),
            label: i.label.clone(),
            person: i.person.clone(),
            department: i.department.clone(),
            amount: i.amount,
            provisional: i.provisional,
            cycle: i.cycle,
            due: i.when,
            basis: i.basis.clone(),
            adjusts: i.adjusts().map(str::to_string),
        }
    }

    pub fn item(&self) -> Item {
        Item {
            ticket: self.ticket.clone(),
            rule: self.rule.clone(),
            clause: self.clause.clone(),
            label: self.label.clone(),
            person: self.person.clone(),
            department: self.department.clone(),
            amount: self.amount,
            basis: self.basis.clone(),
            provisional: self.provisional,
            cycle: self.cycle,
            when: self.due,
        }
    }
}

impl Settlement {
    /// The penalties as settled, for printing.
    pub fn penalties(&self) -> Penalties {
        Penalties {
            items: self.items.iter().map(SettledItem::item).collect(),
            to_decide: self.to_decide.clone(),
            totals: self
                .totals
                .iter()
                .map(|t| super::penalties::Total {
                    person: t.person.clone(),
                    department: t.department.clone(),
                    amount: t.amount,
                })
                .collect(),
            department_totals: self
                .department_totals
                .iter()
                .map(|d| (d.department.clone(), d.amount))
                .collect(),
            rewards: Vec::new(),
        }
    }

    /// Makes the settlement of `month` from its penalties (adjustments of earlier months
    /// included) and its report figures.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        month: &str,
        settled_at: Moment,
        settled_by: &str,
        rules_sha256: &str,
        terms_sha256: &str,
        commit: Option<String>,
        pn: &Penalties,
        report: serde_json::Value,
    ) -> Settlement {
        Settlement {
            month: month.to_string(),
            settled_at,
            settled_by: settled_by.to_string(),
            as_of: settled_at,
            rules_sha256: rules_sha256.to_string(),
            terms_sha256: terms_sha256.to_string(),
            commit,
            items: pn.items.iter().map(SettledItem::of).collect(),
            to_decide: pn.to_decide.clone(),
            totals: pn
                .totals
                .iter()
                .map(|t| SettledTotal {
                    person: t.person.clone(),
                    department: t.department.clone(),
                    amount: t.amount,
                })
                .collect(),
            department_totals: pn
                .department_totals
                .iter()
                .map(|(d, a)| SettledDepartment {
                    department: d.clone(),
                    amount: *a,
                })
                .collect(),
            rewards: pn
                .rewards
                .iter()
                .map(|r| SettledReward {
                    department: r.department.clone(),
                    month: r.month.clone(),
                    score: r.score.map(|s| s.to_string()),
                    amount: r.amount,
                })
                .collect(),
            report,
        }
    }
}

/// What identifies a fine across recomputations: the ticket, the rule, the round and the
/// moment its deadline fell (or the violation was recorded).
type Key = (String, String, usize, Moment);

fn key_of(i: &Item) -> Key {
    (i.ticket.clone(), i.rule.clone(), i.cycle, i.when)
}

/// Why a ticket's items changed since a month was settled, as the caller found it: the
/// event entered after the settlement, the rulebook, or days accruing on a step still open.
pub type Cause<'a> = &'a dyn Fn(&str) -> String;

/// The adjustments of settled `month`: what the desk says of it now (`current`, its items)
/// against what was paid (`paid`: its settled items, and the adjustments of it settled in
/// later months). Each difference of amount for a (fine, person, department) is one item,
/// dated as the fine, with `adjusts: month` and the cause `cause` gives for its ticket.
pub fn adjustments(month: &str, paid: &[SettledItem], current: &[Item], cause: Cause) -> Vec<Item> {
    // (key, person, department) → (paid, now, the latest item for its words)
    type Who = (Option<String>, String);
    let mut table: BTreeMap<(Key, Who), (Money, Money, Option<Item>)> = BTreeMap::new();
    for p in paid {
        let item = p.item();
        let e = table
            .entry((
                key_of(&item),
                (item.person.clone(), item.department.clone()),
            ))
            .or_insert((Money(0), Money(0), None));
        e.0 += item.amount;
        if e.2.is_none() {
            e.2 = Some(Item { ..item });
        }
    }
    for i in current.iter().filter(|i| i.adjusts().is_none()) {
        let e = table
            .entry((key_of(i), (i.person.clone(), i.department.clone())))
            .or_insert((Money(0), Money(0), None));
        e.1 += i.amount;
        e.2 = Some(i.clone());
    }
    let mut out = Vec::new();
    for ((_, _), (was, now, item)) in table {
        let Some(item) = item else { continue };
        let diff = Money(now.0 - was.0);
        if diff.0 == 0 {
            continue;
        }
        let why = cause(&item.ticket);
        out.push(Item {
            amount: diff,
            basis: Basis::Adjusts {
                month: month.to_string(),
                was,
                now,
                cause: why,
            },
            ..item
        });
    }
    out
}

/// The items of `month` as paid: its settlement's own items, and the adjustments of it that
/// later settlements carried.
pub fn paid(month: &str, settlements: &[Settlement]) -> Vec<SettledItem> {
    let mut out: Vec<SettledItem> = Vec::new();
    for s in settlements {
        for i in &s.items {
            let own = s.month == month && i.adjusts.is_none();
            let later = i.adjusts.as_deref() == Some(month);
            if own || later {
                out.push(i.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn at(d: u32, h: u32) -> Moment {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .unwrap()
    }

    fn item(ticket: &str, person: &str, amount: i64) -> Item {
        Item {
            ticket: ticket.into(),
            rule: "late-response".into(),
            clause: "9.4".into(),
            label: "未按规定进行投诉响应".into(),
            person: Some(person.into()),
            department: "customer-service".into(),
            amount: Money::yuan(amount),
            basis: Basis::Recorded {
                at: at(2, 11),
                by: "x".into(),
            },
            provisional: false,
            cycle: 1,
            when: at(2, 11),
        }
    }

    #[test]
    fn a_fine_withdrawn_after_settling_is_taken_back_and_a_new_one_added() {
        let paid: Vec<SettledItem> = [item("A", "王芳", 200), item("B", "周工", 300)]
            .iter()
            .map(SettledItem::of)
            .collect();
        // A's fine is gone (its late step was voided); B's moved to 钱工; C is new.
        let now = [item("B", "钱工", 300), item("C", "李四", 200)];
        let adj = adjustments("2026-11", &paid, &now, &|t: &str| format!("cause {t}"));
        let got: Vec<(String, Option<String>, i64, Option<String>)> = adj
            .iter()
            .map(|i| {
                (
                    i.ticket.clone(),
                    i.person.clone(),
                    i.amount.0 / 100,
                    i.adjusts().map(str::to_string),
                )
            })
            .collect();
        let m = Some("2026-11".to_string());
        assert_eq!(
            got,
            vec![
                ("A".into(), Some("王芳".into()), -200, m.clone()),
                ("B".into(), Some("周工".into()), -300, m.clone()),
                ("B".into(), Some("钱工".into()), 300, m.clone()),
                ("C".into(), Some("李四".into()), 200, m.clone()),
            ]
        );
        // Settled again with those adjustments, nothing more is owed.
        let mut all = paid.clone();
        all.extend(adj.iter().map(SettledItem::of));
        assert!(adjustments("2026-11", &all, &now, &|_: &str| String::new()).is_empty());
    }

    #[test]
    fn negative_amounts_round_trip_through_the_file() {
        let mut i = SettledItem::of(&item("A", "王芳", 200));
        i.amount = Money(-1250);
        let text = crate::yaml::to_string(&i).unwrap();
        assert!(text.contains("amount: '-12.5'"), "{text}");
        let back: SettledItem = crate::yaml::from_str(&text).unwrap();
        assert_eq!(back.amount, Money(-1250));
    }
}
