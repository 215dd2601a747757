//! A ticket judged under the rulebook at a moment: its state, grade and why, its cycles
//! and deadlines.

use super::Rules;
use super::deadlines::{Cycle, Deadline, DueState, cycles, per_cycle};
use super::grading::{Basis, GradeSpell, Peers, timeline};
use super::model::Step;
use crate::ticket::{History, State, Ticket};
use crate::time::Moment;

#[derive(Debug, Clone)]
pub struct Assessment<'t> {
    pub state: State<'t>,
    /// The grade's history up to the moment, oldest first; the last is in force.
    pub spells: Vec<GradeSpell>,
    /// Every cycle of handling, oldest first; the last is in progress (or closed).
    pub cycles: Vec<Cycle>,
    /// For each step (by its index), the cycle whose deadline is in force: the current
    /// one, or the first for a step a reopen does not restart.
    in_force: Vec<usize>,
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
        let cycles = cycles(rules, &history, &spells, as_of);
        let last = cycles.len().saturating_sub(1);
        let in_force = rules
            .steps()
            .map(|step| if per_cycle(rules, step) { last } else { 0 })
            .collect();
        Assessment {
            state: history.at(as_of).clone(),
            spells,
            cycles,
            in_force,
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
        self.cycles
            .get(*self.in_force.get(step.index())?)?
            .deadlines
            .iter()
            .find(|(s, _)| *s == step)
            .and_then(|(_, d)| d.as_ref())
    }

    /// The deadlines in force, step by step.
    pub fn deadlines(&self) -> impl Iterator<Item = (Step, Option<&Deadline>)> {
        (0..self.in_force.len()).map(|i| {
            let s = super::model::Step(i as u8);
            (s, self.deadline(s))
        })
    }

    /// Every deadline of every cycle, with its cycle's number: what fines are counted from.
    pub fn every_deadline(&self) -> impl Iterator<Item = (usize, &Deadline)> {
        self.cycles.iter().flat_map(|c| {
            c.deadlines
                .iter()
                .filter_map(move |(_, d)| Some((c.n, d.as_ref()?)))
        })
    }

    /// Whether any deadline in force has passed unmet at the moment.
    pub fn overdue(&self) -> bool {
        self.deadlines()
            .filter_map(|(_, d)| d)
            .any(|d| d.state == DueState::Overdue)
    }

    /// The years the working clock ran through, for any deadline of the ticket, that the
    /// calendar does not cover.
    pub fn calendar_gaps(&self) -> impl Iterator<Item = i32> + '_ {
        self.every_deadline()
            .flat_map(|(_, d)| d.calendar_gaps.iter().copied())
    }
}
