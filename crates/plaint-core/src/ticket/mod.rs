//! A complaint: its intake facts and its events, which only ever grow. Plain data: how the
//! events fold into a state under the rulebook is the rules' business (`rules::state`).

use crate::money::Money;
use crate::time::Moment;
pub mod merge;
mod read;

use serde::{Deserialize, Deserializer, Serialize};

/// One ticket file. Intake facts first, then the events, which only ever grow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub id: String,
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub ext_ref: Option<String>,
    pub project: String,
    pub received_at: Moment,
    /// When the ticket was written, if that differs from `received_at` by more than the
    /// rulebook's tolerance: a complaint entered after the fact shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Moment>,
    pub received_by: String,
    pub channel: String,
    /// The receiver: who logged the complaint. A history row that does not name its receiver
    /// (no `logged_by` column) leaves it unknown; the person running the import is not it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    pub name: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    pub headcount: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Where an imported complaint came from: `FILE:ROW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For a row imported without a `ref`: a digest of the row, so that importing the same
    /// sheet again finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Steps a history row does not record: not judged, never late, never fined (SPEC §9).
    /// Step codes (`respond`, `visit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrecorded: Vec<String>,
    /// `events:` is written empty at intake and each event is appended below it.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: Vec<Event>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    Ok(Option::<Vec<Event>>::deserialize(d)?.unwrap_or_default())
}

/// Written with the derived serialisation; read by `read::RawEvent`, which parses every kind
/// in one pass (serde's flatten + tag would buffer each event twice).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: Moment,
    pub by: String,
    #[serde(flatten)]
    pub action: Action,
    /// When the event was written, if that differs from `at` by more than the rulebook's
    /// tolerance: back-dating stays visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Moment>,
    /// Where an imported event came from: `FILE:ROW`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Who entered the event, when that is not who did it: the admin who imported a row
    /// whose step `by` names the person the row names for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
}

impl Event {
    /// An event entered now, as it happened.
    pub fn new(at: Moment, by: impl Into<String>, action: Action) -> Event {
        Event {
            at,
            by: by.into(),
            action,
            entered_at: None,
            source: None,
            entered_by: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    // Boxed: these carry many optional fields, and every event of the desk is held in
    // memory during a report.
    Amend(Box<Facts>),
    Classify(Box<Classify>),
    Assign(Box<Assign>),
    Plan(Box<Plan>),
    Callback(Box<Callback>),
    Forward(Note),
    Respond(Note),
    Close(Close),
    Reopen(Reason),
    Escalate(Reason),
    Delay(Delay),
    Violation(Violation),
    /// A step of the rulebook's own (`plaint step ID visit`).
    Step(Box<StepDone>),
    /// Withdraws a mistaken event (SPEC §2); the file still only grows.
    Void(Void),
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Amend(_) => "amend",
            Action::Classify(_) => "classify",
            Action::Assign(_) => "assign",
            Action::Forward(_) => "forward",
            Action::Respond(_) => "respond",
            Action::Plan(_) => "plan",
            Action::Close(_) => "close",
            Action::Callback(_) => "callback",
            Action::Reopen(_) => "reopen",
            Action::Escalate(_) => "escalate",
            Action::Delay(_) => "delay",
            Action::Violation(_) => "violation",
            Action::Step(_) => "step",
            Action::Void(_) => "void",
        }
    }
}

/// Intake facts that `amend` may correct; only the ones given are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub ext_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        Facts {
            reason: None,
            ..self.clone()
        } == Facts::default()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classify {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_reason: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cooperating: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Moment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish: Option<Moment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    pub reason: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub property_confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    pub timeliness: u8,
    pub plan: u8,
    pub attitude: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visited: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
    /// An escalation along the rulebook's chain: the department it moved the complaint to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delay {
    pub reason: String,
    pub approved_by: String,
    /// The signer's role, as the rulebook names it for the grade (§8.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub rule: String,
    pub person: String,
    pub department: String,
}

/// A step the rulebook defines (a visit, an approval), by its code; an approval names the
/// role and the person who signed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `plaint void ID N`: event N (1-based, in file order) is withdrawn; a void of a void
/// restores the event it withdrew.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    pub event: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Open,
    Closed,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "处理中",
            Status::Closed => "已关闭",
        }
    }
}

/// The first control character in `s` that ticket text may not hold: any but the newline and
/// the tab (an escape sequence would reach the next person's terminal).
pub fn unprintable(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
}

impl Ticket {
    /// For each event (by index in the file), the index of the `void` event that withdraws
    /// it. A withdrawn event is withdrawn in every view, whenever the void was entered (a
    /// mistaken step never happened; `--known-at` is how to see what the desk knew before
    /// the void). A void withdrawn by a later void withdraws nothing, so a void of a void
    /// restores the event.
    pub fn withdrawn(&self) -> Vec<Option<usize>> {
        let mut by: Vec<Option<usize>> = vec![None; self.events.len()];
        // A void names an earlier event, so walking backwards settles each void's own fate
        // before it is applied.
        for j in (0..self.events.len()).rev() {
            let e = &self.events[j];
            if let Action::Void(v) = &e.action
                && by[j].is_none()
                && (1..=j).contains(&v.event)
            {
                let target = v.event - 1;
                if by[target].is_none() {
                    by[target] = Some(j);
                }
            }
        }
        by
    }

    /// The events that count at `as_of`: happened by then, not voids, not withdrawn; in time
    /// order (back-dated history may be appended out of order; the stable sort keeps file
    /// order for events at the same moment).
    pub fn live(&self, as_of: Moment) -> Vec<&Event> {
        let has_voids = self
            .events
            .iter()
            .any(|e| matches!(e.action, Action::Void(_)));
        let withdrawn = if has_voids {
            self.withdrawn()
        } else {
            Vec::new()
        };
        let mut events: Vec<&Event> = self
            .events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                e.at <= as_of
                    && !matches!(e.action, Action::Void(_))
                    && withdrawn.get(*i).is_none_or(|w| w.is_none())
            })
            .map(|(_, e)| e)
            .collect();
        if !events.is_sorted_by_key(|e| e.at) {
            events.sort_by_key(|e| e.at);
        }
        events
    }

    /// The ticket as the desk knew it at `known`: `None` if it had not been written yet (its
    /// `entered_at`, else its receipt, is later), else with only the events written by then
    /// (each one's `entered_at`, else its `at`), voids renumbered to the events kept. So any
    /// earlier output can be reproduced (`--known-at`).
    pub fn known_at(&self, known: Moment) -> Option<Ticket> {
        if self.entered_at.unwrap_or(self.received_at) > known {
            return None;
        }
        let written = |e: &Event| e.entered_at.unwrap_or(e.at) <= known;
        if self.events.iter().all(written) {
            return Some(self.clone());
        }
        let mut t = self.clone();
        // Old number (from 1) → new number, for the events kept.
        let mut renumber: Vec<Option<usize>> = Vec::with_capacity(self.events.len());
        let mut events = Vec::new();
        for e in &self.events {
            let mut e = e.clone();
            let keep = written(&e)
                && match &mut e.action {
                    Action::Void(v) => {
                        match renumber.get(v.event.wrapping_sub(1)).copied().flatten() {
                            Some(n) => {
                                v.event = n;
                                true
                            }
                            None => false,
                        }
                    }
                    _ => true,
                };
            if keep {
                events.push(e);
                renumber.push(Some(events.len()));
            } else {
                renumber.push(None);
            }
        }
        t.events = events;
        Some(t)
    }

    /// What would be wrong with the ticket's life if only `events` (live, in time order) had
    /// happened: a close while closed, a reopen or a callback while open. A correction that
    /// would leave such a history is refused.
    pub fn lifecycle_problem(events: &[&Event]) -> Option<String> {
        let mut closed = false;
        for e in events {
            let at = crate::time::human(&e.at);
            match e.action {
                Action::Close(_) if closed => {
                    return Some(format!("the close at {at} would close a closed ticket"));
                }
                Action::Close(_) => closed = true,
                Action::Reopen(_) if !closed => {
                    return Some(format!("the reopen at {at} would reopen an open ticket"));
                }
                Action::Reopen(_) => closed = false,
                Action::Callback(_) if !closed => {
                    return Some(format!(
                        "the callback at {at} would call back an open ticket"
                    ));
                }
                _ => {}
            }
        }
        None
    }
}

impl Ticket {
    /// Every external reference the ticket has carried: its own and any set by `amend`.
    pub fn refs(&self) -> impl Iterator<Item = &str> {
        self.ext_ref
            .as_deref()
            .into_iter()
            .chain(self.events.iter().filter_map(|e| match &e.action {
                Action::Amend(f) => f.ext_ref.as_deref(),
                _ => None,
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_moment, parse_offset};

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    fn void(n: usize, when: &str) -> Event {
        Event::new(
            at(when),
            "x",
            Action::Void(Void {
                event: n,
                reason: "r".into(),
            }),
        )
    }

    fn ticket(events: Vec<Event>) -> Ticket {
        let text = "id: 202611-0001\nproject: p\nreceived_at: 2026-11-02T10:00:00+08:00\n\
                    received_by: customer-service\nchannel: phone\nname: n\nphone: '1'\n\
                    subject: s\nheadcount: 1\nevents:\n";
        let mut t: Ticket = crate::yaml::from_str(text).unwrap();
        t.events = events;
        t
    }

    #[test]
    fn a_void_of_a_void_restores_and_a_third_withdraws_again() {
        let respond = Event::new(
            at("2026-11-02 10:30"),
            "x",
            Action::Respond(Note::default()),
        );
        let t = ticket(vec![
            respond,
            void(1, "2026-11-02 11:00"),
            void(2, "2026-11-02 12:00"),
            void(3, "2026-11-02 13:00"),
        ]);
        // Withdrawn in every view, whenever each void was entered: the third withdraws the
        // second, so the first void stands and the response is withdrawn, even as of 10:45.
        assert_eq!(t.withdrawn(), vec![Some(1), None, Some(3), None]);
        assert!(t.live(at("2026-11-02 10:45")).is_empty());
        assert!(t.live(at("2026-11-02 13:30")).is_empty());
        // What the desk knew at 11:30 (every event written as it happened): only the
        // first void, which withdraws the response; at 12:30 the second restores it.
        let k = t.known_at(at("2026-11-02 11:30")).unwrap();
        assert_eq!(k.events.len(), 2);
        assert!(k.live(at("2026-11-02 11:30")).is_empty());
        let k = t.known_at(at("2026-11-02 12:30")).unwrap();
        assert_eq!(k.withdrawn(), vec![None, Some(2), None]);
        assert_eq!(k.live(at("2026-11-02 12:30")).len(), 1);
        // Before the ticket was written, the desk did not know it.
        assert!(t.known_at(at("2026-11-02 09:00")).is_none());
    }

    #[test]
    fn a_void_naming_itself_or_a_later_event_withdraws_nothing() {
        let t = ticket(vec![
            void(1, "2026-11-02 11:00"),
            void(3, "2026-11-02 11:00"),
        ]);
        assert_eq!(t.withdrawn(), vec![None, None]);
    }

    #[test]
    fn lifecycle_problems_are_named() {
        let close = Event::new(
            at("2026-11-02 11:00"),
            "x",
            Action::Close(Close {
                reason: "confirmed".into(),
                property_confirmed: false,
                note: None,
            }),
        );
        let reopen = Event::new(
            at("2026-11-02 12:00"),
            "x",
            Action::Reopen(Reason {
                reason: "r".into(),
                department: None,
            }),
        );
        assert_eq!(Ticket::lifecycle_problem(&[&close, &reopen]), None);
        assert!(
            Ticket::lifecycle_problem(&[&reopen])
                .unwrap()
                .contains("would reopen an open ticket")
        );
        assert!(
            Ticket::lifecycle_problem(&[&close, &close])
                .unwrap()
                .contains("would close a closed ticket")
        );
    }
}
