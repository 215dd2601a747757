//! The report's figures (SPEC §10, procedure §3.7, §13): pure functions of judged tickets.

use super::period::Period;
use crate::rules::Step;
use crate::rules::assess::Assessment;
use crate::rules::deadlines::DueState;
use crate::ticket::{Action, Status};
use crate::time::Moment;
use std::collections::BTreeMap;

pub use crate::money::Tenths;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Valid tickets received in the period.
    pub received: i64,
    /// Invalid tickets received in the period, counted apart.
    pub invalid: i64,
    /// Of `received`, closed by the cut-off.
    pub closed: i64,
    /// Of `closed`, closed by their close deadline.
    pub on_time: i64,
    /// Of `closed`, with a callback.
    pub called_back: i64,
    /// Sum of all callback answers (three per callback) and how many answers.
    pub score_sum: i64,
    pub score_count: i64,
}

impl Figures {
    pub fn closure_rate(&self) -> Option<Tenths> {
        Tenths::ratio(self.closed, self.received, 100)
    }
    pub fn on_time_rate(&self) -> Option<Tenths> {
        Tenths::ratio(self.on_time, self.closed, 100)
    }
    pub fn callback_rate(&self) -> Option<Tenths> {
        Tenths::ratio(self.called_back, self.closed, 100)
    }
    pub fn satisfaction(&self) -> Option<Tenths> {
        Tenths::ratio(self.score_sum, self.score_count, 1)
    }

    fn add(&mut self, o: &Figures) {
        self.received += o.received;
        self.invalid += o.invalid;
        self.closed += o.closed;
        self.on_time += o.on_time;
        self.called_back += o.called_back;
        self.score_sum += o.score_sum;
        self.score_count += o.score_count;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Project,
    Department,
    Category,
    Grade,
    Month,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub key: String,
    pub figures: Figures,
    pub rank: usize,
}

#[derive(Debug, Clone)]
pub struct Overdue {
    pub id: String,
    pub project: String,
    pub grade: String,
    pub department: Option<String>,
    pub handler: Option<String>,
    /// Steps passed and not met: (step, due, how long past at the cut-off).
    pub steps: Vec<(Step, Moment, chrono::Duration)>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    /// The end of the period, or `--as-of` if earlier: what "closed by" means.
    pub cutoff: Moment,
    pub totals: Figures,
    pub groups: Vec<Group>,
    pub overdue: Vec<Overdue>,
}

/// One ticket's contribution, judged at the cut-off.
fn figures_of(j: &Assessment) -> Figures {
    let s = &j.state;
    let mut f = Figures::default();
    if !s.valid {
        f.invalid = 1;
        return f;
    }
    f.received = 1;
    if s.status != Status::Closed {
        return f;
    }
    f.closed = 1;
    if j.deadline(Step::CLOSE)
        .is_some_and(|d| d.state == DueState::Met)
    {
        f.on_time = 1;
    }
    let closed_at = s.closed_at.unwrap_or(s.ticket.received_at);
    if let Some(cb) = s.events.iter().rev().find_map(|e| match &e.action {
        Action::Callback(c) if e.at >= closed_at => Some(c),
        _ => None,
    }) {
        f.called_back = 1;
        f.score_sum = (cb.timeliness + cb.plan + cb.attitude) as i64;
        f.score_count = 3;
    }
    f
}

fn key(j: &Assessment, by: By) -> String {
    let s = &j.state;
    match by {
        By::Project => s.facts.project.to_string(),
        By::Department => s.department.unwrap_or_default().to_string(),
        By::Category => s.category.to_string(),
        By::Grade => j.grade().to_string(),
        By::Month => s.ticket.received_at.format("%Y-%m").to_string(),
    }
}

/// The report over tickets judged at `cutoff`. `judged` may hold any tickets: those received
/// in the period are counted, and any overdue at the cut-off are listed.
pub fn report(
    judged: &[Assessment],
    period: Period,
    cutoff: Moment,
    by: Option<By>,
    order: &dyn Fn(By, &str) -> usize,
) -> Report {
    let mut t = Tally::new(period, cutoff, by);
    for j in judged {
        t.add(j);
    }
    t.finish(order)
}

/// A report being added up, one judged ticket at a time: a command can judge the desk in
/// batches and let each batch go once it is counted.
pub struct Tally {
    period: Period,
    cutoff: Moment,
    by: Option<By>,
    totals: Figures,
    groups: BTreeMap<String, Figures>,
    overdue: Vec<Overdue>,
}

impl Tally {
    pub fn new(period: Period, cutoff: Moment, by: Option<By>) -> Tally {
        Tally {
            period,
            cutoff,
            by,
            totals: Figures::default(),
            groups: BTreeMap::new(),
            overdue: Vec::new(),
        }
    }

    /// Counts `j` if it was received in the period, and lists it if it is overdue at the
    /// cut-off.
    pub fn add(&mut self, j: &Assessment) {
        let s = &j.state;
        if s.ticket.received_at > self.cutoff {
            return;
        }
        if self.period.contains(&s.ticket.received_at) {
            let f = figures_of(j);
            self.totals.add(&f);
            if let Some(by) = self.by {
                self.groups.entry(key(j, by)).or_default().add(&f);
            }
        }
        let steps: Vec<_> = j
            .deadlines()
            .filter_map(|(_, d)| d)
            .filter(|d| d.state == DueState::Overdue)
            .map(|d| (d.step, d.due, self.cutoff - d.due))
            .collect();
        if !steps.is_empty() {
            self.overdue.push(Overdue {
                id: s.ticket.id.clone(),
                project: s.facts.project.to_string(),
                grade: j.grade().to_string(),
                department: s.department.map(str::to_string),
                handler: s.handler.map(str::to_string),
                steps,
            });
        }
    }

    /// The report: groups ranked (§13), the overdue worst first.
    pub fn finish(self, order: &dyn Fn(By, &str) -> usize) -> Report {
        let Tally {
            period,
            cutoff,
            by,
            totals,
            groups,
            mut overdue,
        } = self;
        overdue.sort_by(|a, b| {
            let worst = |o: &Overdue| o.steps.iter().map(|s| s.2).max().unwrap_or_default();
            worst(b).cmp(&worst(a)).then_with(|| a.id.cmp(&b.id))
        });
        let mut groups: Vec<Group> = groups
            .into_iter()
            .map(|(key, figures)| Group {
                key,
                figures,
                rank: 0,
            })
            .collect();
        // §13: ranked by closure rate, then on-time rate, then satisfaction; ties share a rank.
        let score = |g: &Group| {
            (
                g.figures.closure_rate(),
                g.figures.on_time_rate(),
                g.figures.satisfaction(),
            )
        };
        if let Some(b) = by {
            if b == By::Month {
                groups.sort_by(|a, c| a.key.cmp(&c.key));
            } else {
                groups.sort_by(|a, c| {
                    score(c)
                        .cmp(&score(a))
                        .then_with(|| order(b, &a.key).cmp(&order(b, &c.key)))
                });
            }
            let mut ranked: Vec<_> = groups.iter().map(score).collect();
            ranked.sort_by(|a, b| b.cmp(a));
            for g in &mut groups {
                let sc = score(g);
                g.rank = 1 + ranked.iter().take_while(|x| **x > sc).count();
            }
        }
        Report {
            period,
            cutoff,
            totals,
            groups,
            overdue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_round_half_up() {
        assert_eq!(Tenths::ratio(1, 3, 100).unwrap().to_string(), "33.3");
        assert_eq!(Tenths::ratio(2, 3, 100).unwrap().to_string(), "66.7");
        assert_eq!(Tenths::ratio(1, 8, 100).unwrap().to_string(), "12.5");
        assert_eq!(Tenths::ratio(1, 16, 100).unwrap().to_string(), "6.3");
        assert_eq!(Tenths::ratio(0, 5, 100).unwrap().to_string(), "0.0");
        assert_eq!(Tenths::ratio(25, 3, 1).unwrap().to_string(), "8.3");
        assert!(Tenths::ratio(1, 0, 100).is_none());
    }
}
