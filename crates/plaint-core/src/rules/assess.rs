//! A ticket judged under the rulebook at a moment: its state, grade and why, its cycles
//! and deadlines.

use super::Rules;
use super::deadlines::{Cycle, Deadline, DueState, cycles, per_cycle};
use super::grading::{Basis, GradeSpell, Peers, mentioned_keys, timeline};
use super::model::Step;
use crate::rules::state::{History, State};
use crate::ticket::{Status, Ticket};
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

    /// What the ticket comes to at the moment, in the few words a listing shows.
    pub fn verdict(&self) -> Verdict {
        let s = &self.state;
        let mut calendar_gaps: Vec<i32> = self.calendar_gaps().collect();
        calendar_gaps.sort_unstable();
        calendar_gaps.dedup();
        Verdict {
            id: s.ticket.id.clone(),
            received_at: s.ticket.received_at,
            project: s.facts.project.to_string(),
            status: s.status,
            valid: s.valid,
            grade: self.grade().to_string(),
            overdue: self.overdue(),
            category: s.category.to_string(),
            type_: s.type_.map(str::to_string),
            department: s.department.map(str::to_string),
            handler: s.handler.map(str::to_string),
            subject: s.facts.subject.to_string(),
            calendar_gaps,
        }
    }

    /// The stretch of time around `as_of` over which the judgement stays what it is, as
    /// long as the ticket's same-target groups count as `peers` counts them (which
    /// `Peers::fingerprint` tells).
    ///
    /// Time changes a judgement only through what it waits for: an event (or its
    /// withdrawal; one recorded with a later time counts from then), a deadline falling due, a length of time a grading rule counts
    /// (`open_for`), a group gaining or losing a member. The stretch runs from the last of
    /// those at or before `as_of` to the first after it.
    pub fn standing(&self, rules: &Rules, peers: &Peers) -> Standing {
        let t = self.state.ticket;
        let mut s = Standing {
            from: t.received_at,
            until: None,
        };
        // Every event counts, voids and withdrawn ones too: each changes the history.
        for e in &t.events {
            s.change_at(e.at, self.as_of);
        }
        for r in &rules.book.grading.rules {
            if let Some(d) = r.when.open_for {
                s.change_at(t.received_at + d.duration(), self.as_of);
            }
        }
        for (project, target) in mentioned_keys(t) {
            for m in peers.changes(&project, &target, t.received_at) {
                s.change_at(m, self.as_of);
            }
        }
        // A deadline passes, unmet, just after its due moment.
        let just_after = chrono::Duration::nanoseconds(1);
        for (_, d) in self.every_deadline() {
            match d.state {
                DueState::Pending => s.change_at(d.due + just_after, self.as_of),
                DueState::Overdue if d.cut_at.is_none() => {
                    s.change_at(d.due + just_after, self.as_of)
                }
                _ => {}
            }
        }
        s
    }
}

/// From when, and until when (if ever), a judgement holds: at every moment in
/// `from..until` it is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub from: Moment,
    pub until: Option<Moment>,
}

impl Standing {
    /// A moment at which the judgement may change: before `as_of` it moves `from` on,
    /// after it it brings `until` in.
    fn change_at(&mut self, m: Moment, as_of: Moment) {
        if m <= as_of {
            self.from = self.from.max(m);
        } else {
            self.until = Some(self.until.map_or(m, |u| u.min(m)));
        }
    }

    pub fn holds_at(&self, at: Moment) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// A ticket as a listing shows it: its state at a moment, its grade and whether a
/// deadline in force has passed unmet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub id: String,
    pub received_at: Moment,
    pub project: String,
    pub status: Status,
    pub valid: bool,
    pub grade: String,
    pub overdue: bool,
    pub category: String,
    pub type_: Option<String>,
    pub department: Option<String>,
    pub handler: Option<String>,
    pub subject: String,
    /// Years the working clock ran through, for any of its deadlines, that the calendar
    /// does not cover (in order, once each).
    pub calendar_gaps: Vec<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_moment, parse_offset};

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    /// A complaint about property services (category property, §4.1.2.6) received at
    /// `received`, with `events` (YAML list items) and a `target`.
    fn ticket(id: &str, received: &str, target: Option<&str>, events: &str) -> Ticket {
        let text = format!(
            "id: {id}\nproject: 实力五星彩园\nreceived_at: {}\nreceived_by: customer-service\n\
             channel: phone\nname: 蒋涛{id}\nphone: '1368899{id}'\nsubject: 物业费争议\n\
             headcount: 1\ntype: property-service\n{}events:\n{events}",
            at(received).to_rfc3339(),
            target.map(|t| format!("target: {t}\n")).unwrap_or_default(),
        );
        crate::yaml::from_str(&text).unwrap()
    }

    fn event(when: &str, body: &str) -> String {
        format!("- at: {}\n  by: 王芳\n  {body}\n", at(when).to_rfc3339())
    }

    /// Forwarded, answered and given a plan within the hour of a 10:00 receipt on
    /// 2026-11-02 (§7.3, §4.1.1, §8.1).
    fn handled_in_time() -> String {
        [
            event("2026-11-02 10:10", "kind: forward"),
            event("2026-11-02 10:20", "kind: respond"),
            event("2026-11-02 11:00", "kind: plan\n  action: repair"),
        ]
        .concat()
    }

    fn judge(rules: &Rules, t: &Ticket, peers: &Peers, when: &str) -> (Verdict, Standing) {
        let a = Assessment::of(rules, t, peers, at(when));
        (a.verdict(), a.standing(rules, peers))
    }

    /// §4.1.1, §8.1: a response within 1 working hour. Received Monday 2026-11-02 10:00
    /// (a working day: the clock counts whole working days), due 11:00; not overdue at
    /// 11:00 itself, overdue just after. Until then nothing else can change the verdict.
    #[test]
    fn a_pending_deadline_ends_the_standing_just_after_it_is_due() {
        let rules = Rules::builtin();
        let t = ticket("0001", "2026-11-02 10:00", None, "");
        let none = Peers::default();
        let (v, s) = judge(&rules, &t, &none, "2026-11-02 10:30");
        assert!(!v.overdue);
        assert_eq!(s.from, at("2026-11-02 10:00"));
        assert_eq!(
            s.until,
            Some(at("2026-11-02 11:00") + chrono::Duration::nanoseconds(1))
        );
        assert_eq!(judge(&rules, &t, &none, "2026-11-02 11:00").0, v);
        let late = Assessment::of(&rules, &t, &none, s.until.unwrap());
        assert!(late.overdue(), "respond is overdue just after 11:00");
        // From then on it stands again until the next deadline (forward, 2 working hours:
        // 12:00).
        let s = late.standing(&rules, &none);
        assert_eq!(
            s.from,
            at("2026-11-02 11:00") + chrono::Duration::nanoseconds(1)
        );
        assert_eq!(
            s.until,
            Some(at("2026-11-02 12:00") + chrono::Duration::nanoseconds(1))
        );
    }

    /// §6.1.3.4: a complaint still open a week after receipt is important. Forwarded,
    /// answered and planned in time but not closed, it is overdue from its close deadline
    /// (property: 3 days, 11-05 10:00, §8.1) and turns important at 11-09 10:00.
    #[test]
    fn a_week_open_ends_the_standing_of_an_open_complaint() {
        let rules = Rules::builtin();
        let t = ticket("0002", "2026-11-02 10:00", None, &handled_in_time());
        let none = Peers::default();
        let (v, s) = judge(&rules, &t, &none, "2026-11-06 12:00");
        assert!(v.overdue);
        assert_eq!(v.grade, "general");
        assert_eq!(
            s.from,
            at("2026-11-05 10:00") + chrono::Duration::nanoseconds(1)
        );
        assert_eq!(s.until, Some(at("2026-11-09 10:00")));
        assert_eq!(judge(&rules, &t, &none, "2026-11-09 09:59").0, v);
        assert_eq!(
            judge(&rules, &t, &none, "2026-11-09 10:00").0.grade,
            "important"
        );
    }

    /// Closed, called back the same day (§7.4) and every step in time: nothing is left to
    /// wait for once the week of §6.1.3.4 has passed, so the verdict stands for good.
    #[test]
    fn a_settled_complaint_stands_for_good() {
        let rules = Rules::builtin();
        let events = [
            handled_in_time(),
            event("2026-11-03 09:00", "kind: close\n  reason: confirmed"),
            event(
                "2026-11-03 15:00",
                "kind: callback\n  timeliness: 9\n  plan: 9\n  attitude: 10",
            ),
        ]
        .concat();
        let t = ticket("0003", "2026-11-02 10:00", None, &events);
        let none = Peers::default();
        let (v, s) = judge(&rules, &t, &none, "2026-11-04 00:00");
        assert_eq!(s.from, at("2026-11-03 15:00"));
        // The week of §6.1.3.4 is still ahead (11-09 10:00): it cannot raise a closed
        // complaint, but the standing does not look that far.
        assert_eq!(s.until, Some(at("2026-11-09 10:00")));
        let (later, s) = judge(&rules, &t, &none, "2027-06-01 00:00");
        assert_eq!(later, v);
        assert_eq!(s.from, at("2026-11-09 10:00"));
        assert_eq!(s.until, None);
    }

    /// The claim the verdicts kept for `list` rest on: wherever a verdict's standing says
    /// it holds, judging the ticket afresh at that moment (with groups that count the same)
    /// gives the same verdict. Random tickets sharing targets, with corrections, reopens
    /// and withdrawn events, under a 20-day same-target window so that groups lapse.
    #[test]
    fn a_verdict_is_the_same_everywhere_its_standing_says_it_holds() {
        let text =
            crate::rules::BUILTIN.replace("same_target_window: 365d", "same_target_window: 20d");
        let rules = Rules::parse(&text).map_err(|p| format!("{p:?}")).unwrap();
        let mut next = crate::rules::generator(11);
        let base = at("2026-10-01 08:00");
        let hours = |h: u64| base + chrono::Duration::minutes(h as i64 * 60 + 7);
        let fmt = |m: Moment| m.format("%Y-%m-%d %H:%M").to_string();
        let mut checked = 0;
        for round in 0..40 {
            let tickets: Vec<Ticket> = (0..(2 + next(6)))
                .map(|k| {
                    let received = next(900);
                    let mut t = received;
                    let mut events = String::new();
                    let mut closed = false;
                    for n in 0..next(9) {
                        t += next(60);
                        let body = match next(10) {
                            0 => "kind: forward".to_string(),
                            1 => "kind: respond".to_string(),
                            2 => "kind: plan\n  action: repair".to_string(),
                            3 if !closed => {
                                closed = true;
                                "kind: close\n  reason: confirmed".to_string()
                            }
                            4 if closed => {
                                closed = false;
                                "kind: reopen\n  reason: 业主不认可".to_string()
                            }
                            5 if closed => {
                                "kind: callback\n  timeliness: 9\n  plan: 9\n  attitude: 10"
                                    .to_string()
                            }
                            6 => format!(
                                "kind: amend\n  target: {}\n  reason: 更正",
                                ["东门", "西门", "北门"][next(3) as usize]
                            ),
                            7 if n > 0 => {
                                format!("kind: void\n  event: {}\n  reason: 录错", 1 + next(n))
                            }
                            _ => "kind: assign\n  department: property\n  handler: 马主管"
                                .to_string(),
                        };
                        events.push_str(&event(&fmt(hours(t)), &body));
                    }
                    let target = ["东门", "西门"][next(2) as usize];
                    ticket(
                        &format!("{k:04}"),
                        &fmt(hours(received)),
                        (next(4) > 0).then_some(target),
                        &events,
                    )
                })
                .collect();
            for _ in 0..4 {
                let a = hours(next(1400));
                let peers_a = Peers::index(&rules, &tickets, a);
                for t in tickets.iter().filter(|t| t.received_at <= a) {
                    let (v, s) = {
                        let j = Assessment::of(&rules, t, &peers_a, a);
                        (j.verdict(), j.standing(&rules, &peers_a))
                    };
                    assert!(s.holds_at(a), "round {round}: {s:?} at {a}");
                    let keys = mentioned_keys(t);
                    let prints = |p: &Peers| -> Vec<[u8; 16]> {
                        keys.iter().map(|(x, y)| p.fingerprint(x, y)).collect()
                    };
                    let end = s.until.unwrap_or(hours(3000));
                    let span = (end - s.from).num_minutes().max(1) as u64;
                    let mut moments = vec![s.from, end - chrono::Duration::nanoseconds(1)];
                    moments.extend(
                        (0..3).map(|_| s.from + chrono::Duration::minutes(next(span) as i64)),
                    );
                    for b in moments.into_iter().filter(|b| s.holds_at(*b)) {
                        let peers_b = Peers::index(&rules, &tickets, b);
                        if prints(&peers_b) != prints(&peers_a) {
                            continue;
                        }
                        assert_eq!(
                            Assessment::of(&rules, t, &peers_b, b).verdict(),
                            v,
                            "round {round}, ticket {}: judged at {a}, standing {s:?}, again at {b}",
                            t.id
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 500, "only {checked} comparisons");
    }
}
