//! A ticket judged under the rulebook at a moment: its state, grade and why, and deadlines.

use super::Rules;
use super::deadlines::{Deadline, deadlines};
use super::grading::{Basis, GradeSpell, Peers, timeline};
use super::model::Step;
use crate::ticket::{History, State, Ticket};
use crate::time::Moment;

#[derive(Debug, Clone)]
pub struct Assessment<'t> {
    pub state: State<'t>,
    /// The grade's history up to the moment, oldest first; the last is in force.
    pub spells: Vec<GradeSpell>,
    pub deadlines: Vec<(Step, Option<Deadline>)>,
    pub as_of: Moment,
}

impl<'t> Assessment<'t> {
    pub fn of(
        rules: &'t Rules,
        ticket: &'t Ticket,
        peers: &Peers,
        as_of: Moment,
    ) -> Assessment<'t> {
        let history = History::new(ticket, rules, as_of);
        let spells = timeline(rules, &history, peers, as_of);
        let deadlines = deadlines(rules, &history, &spells, as_of);
        Assessment {
            state: history.at(as_of).clone(),
            spells,
            deadlines,
            as_of,
        }
    }

    pub fn grade(&self) -> &str {
        &self
            .spells
            .last()
            .expect("a timeline has at least one spell")
            .grade
    }

    pub fn basis(&self) -> &Basis {
        &self
            .spells
            .last()
            .expect("a timeline has at least one spell")
            .basis
    }

    pub fn deadline(&self, step: Step) -> Option<&Deadline> {
        self.deadlines
            .iter()
            .find(|(s, _)| *s == step)
            .and_then(|(_, d)| d.as_ref())
    }

    /// Whether any deadline has passed unmet at the moment.
    pub fn overdue(&self) -> bool {
        self.deadlines
            .iter()
            .filter_map(|(_, d)| d.as_ref())
            .any(|d| d.state == super::deadlines::DueState::Overdue)
    }
}
