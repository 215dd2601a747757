//! What `plaint due` tells people (SPEC §8 `due`, procedure §7.3, §8.1): the deadlines
//! falling due within a window, counted on each step's own clock, and those already
//! overdue, each with the person who answers for it; the complaints a grade's level must be
//! told of; and whether a moment is one at which mail may go out. Pure: the rulebook, the
//! judged tickets and a moment in, the answers out.

use super::Rules;
use super::assess::Assessment;
use super::deadlines::{Deadline, DueState};
use super::model::{Clock, LimitKind, Person, Step};
use crate::time::{Moment, Span, rfc3339};
use chrono::{Duration, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// Whether a deadline is still ahead or already passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Due within the window.
    Soon,
    /// Passed and not met.
    Overdue,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Soon => "soon",
            Urgency::Overdue => "overdue",
        }
    }
}

/// How the person who answers for a step was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// The handler assigned.
    Handler,
    /// The receiver (who logged it): no handler, or a step that is the receiver's (§7.3).
    Receiver,
    /// Nobody was named on the ticket: the head of the department responsible.
    Head,
    /// Nobody at all: the department, by its name.
    Department,
}

impl Answers {
    pub fn code(self) -> &'static str {
        match self {
            Answers::Handler => "handler",
            Answers::Receiver => "receiver",
            Answers::Head => "head",
            Answers::Department => "department",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Answers::Handler => "处理人",
            Answers::Receiver => "接单人",
            Answers::Head => "部门负责人",
            Answers::Department => "责任部门",
        }
    }
}

/// One deadline to remind someone of.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub ticket: String,
    pub project: String,
    pub subject: String,
    pub grade: String,
    pub cycle: usize,
    pub step: Step,
    pub due: Moment,
    /// The clock the step's limit counts on: the time left is counted on it.
    pub clock: Clock,
    pub urgency: Urgency,
    /// Time left on the step's clock (soon), or elapsed time since the deadline (overdue).
    pub gap: Duration,
    pub clause: String,
    /// How the limit was set ("1小时 工作日").
    pub basis: String,
    /// Who answers for the step: a name, or `None` for a department nobody heads.
    pub person: Option<String>,
    pub department: String,
    pub answers: Answers,
}

/// What a level is told of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announce {
    /// The complaint is at a grade the rulebook reports (§8.1).
    Grade,
    /// A step's deadline passed unmet at that grade.
    Overdue {
        step: Step,
        cycle: usize,
        due: Moment,
    },
}

/// A complaint announced to the people of its grade's level.
#[derive(Debug, Clone)]
pub struct Notice {
    pub ticket: String,
    pub project: String,
    pub subject: String,
    pub grade: String,
    pub department: String,
    /// The grade's `report_to`.
    pub level: String,
    /// Since when the complaint has had the grade.
    pub since: Moment,
    /// The rule that set the grade (`§6.1.2.3 三人以上十人以下的集体投诉`).
    pub why: String,
    pub what: Announce,
}

/// Who a message goes to: a person of the rulebook (with an address or without), or a
/// department or level nobody in the rulebook holds, by name alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recipient {
    pub name: String,
    pub email: Option<String>,
    /// Whether `name` is a person (else a department or a level).
    pub person: bool,
}

/// What makes a message the same message: never sent twice. A deadline fixed again (a new
/// due moment) is another deadline; a shorter window is another threshold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SentKey {
    pub ticket: String,
    pub cycle: usize,
    /// A step's code, or `level` for a grade announced.
    pub step: String,
    /// The deadline (RFC 3339), or the grade announced.
    pub due: String,
    /// `within 2h`, `overdue`, or `level major` / `grade major`.
    pub threshold: String,
    pub recipient: String,
}

/// One message: everything one recipient is to be told, each with its key.
#[derive(Debug, Clone)]
pub struct Letter {
    pub to: Recipient,
    pub reminders: Vec<(Reminder, SentKey)>,
    pub notices: Vec<(Notice, SentKey)>,
}

impl Letter {
    pub fn is_empty(&self) -> bool {
        self.reminders.is_empty() && self.notices.is_empty()
    }
    pub fn keys(&self) -> impl Iterator<Item = &SentKey> {
        self.reminders
            .iter()
            .map(|(_, k)| k)
            .chain(self.notices.iter().map(|(_, k)| k))
    }
}

/// The clock a deadline's limit counts on: the override's that set it, else the limit's
/// for the grade and category, else the step's.
fn clock_of(rules: &Rules, d: &Deadline, grade: &str, category: &str) -> Clock {
    let Some(rule) = rules.step_rule(d.step) else {
        return Clock::Calendar;
    };
    for o in rules
        .book
        .deadlines
        .overrides
        .iter()
        .filter(|o| o.step.step == d.step)
    {
        if !o.label.is_empty() && d.basis.starts_with(&o.label) && d.clause == o.clause {
            return o.limit.clock.unwrap_or(rule.clock);
        }
    }
    let table = match (&rule.by_grade, &rule.by_category) {
        (Some(t), _) => Some(t),
        (None, Some(c)) => c.get(category),
        (None, None) => None,
    };
    match table.and_then(|t| t.get(grade).or_else(|| t.get("all"))) {
        Some(l) if matches!(l.kind, LimitKind::WorkingDays(_)) => Clock::Working,
        Some(l) => l.clock.unwrap_or(rule.clock),
        None => rule.clock,
    }
}

/// Time from `from` to `to` on `clock`.
pub fn left_on(rules: &Rules, clock: Clock, from: Moment, to: Moment) -> Duration {
    match clock {
        Clock::Working => rules.calendar.working_between(from, to),
        Clock::Calendar => (to - from).max(Duration::zero()),
    }
}

/// Who answers for a deadline: as the ticket stands at `at` for one still ahead, as it
/// stood when it fell for one passed (§9: the person responsible at the deadline). The
/// handler, else the receiver, else the head of the department responsible; for a step the
/// rulebook fines the receiver for (the hand-off, §7.3), the receiver first.
fn answerer(
    rules: &Rules,
    a: &Assessment,
    d: &Deadline,
    at: Moment,
) -> (Option<String>, String, Answers) {
    let when = if d.due <= at { d.answerable_at() } else { at };
    let s = a.state.ticket.state_seen_from(rules, when, at);
    let receiver_first = rules
        .book
        .penalties
        .iter()
        .find(|p| p.step == d.step)
        .is_some_and(|p| p.person == Person::Receiver);
    let received_by = s.facts.received_by.to_string();
    let handling = s.department.unwrap_or(s.facts.received_by).to_string();
    let (person, department, answers) = match (receiver_first, s.handler, s.facts.logged_by) {
        (true, _, Some(r)) | (false, None, Some(r)) => {
            (Some(r.to_string()), received_by, Answers::Receiver)
        }
        (true, _, None) => (None, received_by, Answers::Department),
        (false, Some(h), _) => (Some(h.to_string()), handling, Answers::Handler),
        (false, None, None) => (None, handling, Answers::Department),
    };
    if person.is_none()
        && let Some(head) = rules.notices.head_of(&department)
    {
        return (Some(head.name.clone()), department, Answers::Head);
    }
    (person, department, answers)
}

/// The cycle a deadline in force belongs to.
fn cycle_of(a: &Assessment, d: &Deadline) -> usize {
    a.cycles
        .iter()
        .find(|c| {
            c.deadlines
                .iter()
                .any(|(_, x)| x.as_ref().is_some_and(|x| std::ptr::eq(x, d)))
        })
        .map_or(1, |c| c.n)
}

/// Every deadline in force, judged at `at`, that falls due within `within` on its step's
/// own clock (so two working hours on a Saturday reach into Monday), or has passed unmet;
/// earliest first.
pub fn reminders(rules: &Rules, judged: &[Assessment], within: Span, at: Moment) -> Vec<Reminder> {
    let mut out = Vec::new();
    for a in judged {
        let s = &a.state;
        for (_, d) in a.deadlines() {
            let Some(d) = d else { continue };
            let clock = clock_of(rules, d, a.grade(), s.category);
            let (urgency, gap) = match d.state {
                DueState::Overdue if d.cut_at.is_none() => (Urgency::Overdue, at - d.due),
                DueState::Pending => {
                    let left = left_on(rules, clock, at, d.due);
                    if left > within.duration() {
                        continue;
                    }
                    (Urgency::Soon, left)
                }
                _ => continue,
            };
            let (person, department, answers) = answerer(rules, a, d, at);
            out.push(Reminder {
                ticket: s.ticket.id.clone(),
                project: s.facts.project.to_string(),
                subject: s.facts.subject.to_string(),
                grade: a.grade().to_string(),
                cycle: cycle_of(a, d),
                step: d.step,
                due: d.due,
                clock,
                urgency,
                gap,
                clause: d.clause.clone(),
                basis: d.basis.clone(),
                person,
                department,
                answers,
            });
        }
    }
    out.sort_by(|x, y| (x.due, &x.ticket, x.step).cmp(&(y.due, &y.ticket, y.step)));
    out
}

/// The open complaints whose grade the rulebook reports to a level (§8.1: major to the
/// VP, crisis to the general manager), and the steps the rulebook names (the plan) overdue
/// at such a grade.
pub fn notices(rules: &Rules, judged: &[Assessment], at: Moment) -> Vec<Notice> {
    let n = &rules.notices;
    let mut out = Vec::new();
    for a in judged {
        let s = &a.state;
        let grade = a.grade();
        if s.status != crate::ticket::Status::Open || !n.report_grades.iter().any(|g| g == grade) {
            continue;
        }
        let level = rules
            .book
            .grades
            .get(grade)
            .map(|g| g.report_to.trim().to_string())
            .unwrap_or_default();
        // Since when, without a break, the complaint has had this grade.
        let since = a
            .spells
            .iter()
            .rev()
            .take_while(|sp| sp.grade == grade)
            .last()
            .map_or(s.ticket.received_at, |sp| sp.from);
        let why = match a.basis() {
            super::grading::Basis::Rule { clause, label } => format!("§{clause} {label}"),
            super::grading::Basis::Override { clause, reason } => {
                format!("§{clause} 客服部判定:{reason}")
            }
            super::grading::Basis::Default { clause } => format!("§{clause}"),
        };
        let base = Notice {
            ticket: s.ticket.id.clone(),
            project: s.facts.project.to_string(),
            subject: s.facts.subject.to_string(),
            grade: grade.to_string(),
            department: s.department.unwrap_or(s.facts.received_by).to_string(),
            level,
            since,
            why,
            what: Announce::Grade,
        };
        for (step, d) in a.deadlines() {
            let Some(d) = d else { continue };
            if d.state == DueState::Overdue
                && d.cut_at.is_none()
                && d.due <= at
                && n.report_overdue.iter().any(|c| c == rules.step_code(step))
            {
                out.push(Notice {
                    what: Announce::Overdue {
                        step,
                        cycle: cycle_of(a, d),
                        due: d.due,
                    },
                    ..base.clone()
                });
            }
        }
        out.push(base);
    }
    out.sort_by(|x, y| (x.since, &x.ticket).cmp(&(y.since, &y.ticket)));
    out
}

/// The recipient a name stands for: the rulebook's person of that name, with their address
/// if it gives one.
fn person(rules: &Rules, name: &str) -> Recipient {
    match rules.notices.person(name) {
        Some(p) => Recipient {
            name: p.name.clone(),
            email: p.email.clone(),
            person: true,
        },
        None => Recipient {
            name: name.trim().to_string(),
            email: None,
            person: true,
        },
    }
}

/// Who a reminder goes to.
pub fn reminder_to(rules: &Rules, r: &Reminder) -> Recipient {
    match &r.person {
        Some(p) => person(rules, p),
        None => Recipient {
            name: rules.departments().label(&r.department).to_string(),
            email: None,
            person: false,
        },
    }
}

/// Who a notice goes to: everyone holding its level, or the level by its name when the
/// rulebook names nobody.
pub fn notice_to(rules: &Rules, n: &Notice) -> Vec<Recipient> {
    let holders = rules.notices.holders(&n.level);
    if holders.is_empty() {
        return vec![Recipient {
            name: n.level.clone(),
            email: None,
            person: false,
        }];
    }
    holders
        .into_iter()
        .map(|p| Recipient {
            name: p.name.clone(),
            email: p.email.clone(),
            person: true,
        })
        .collect()
}

/// The key that says a reminder was sent to `to` at this threshold.
pub fn reminder_key(rules: &Rules, r: &Reminder, within: Span, to: &Recipient) -> SentKey {
    SentKey {
        ticket: r.ticket.clone(),
        cycle: r.cycle,
        step: rules.step_code(r.step).to_string(),
        due: rfc3339(&r.due),
        threshold: match r.urgency {
            Urgency::Soon => format!("within {within}"),
            Urgency::Overdue => "overdue".into(),
        },
        recipient: to.name.clone(),
    }
}

/// The key that says a notice was sent to `to`: a grade is announced once per complaint; a
/// late step once per deadline.
pub fn notice_key(rules: &Rules, n: &Notice, to: &Recipient) -> SentKey {
    match &n.what {
        Announce::Grade => SentKey {
            ticket: n.ticket.clone(),
            cycle: 0,
            step: "level".into(),
            due: n.grade.clone(),
            threshold: format!("grade {}", n.grade),
            recipient: to.name.clone(),
        },
        Announce::Overdue { step, cycle, due } => SentKey {
            ticket: n.ticket.clone(),
            cycle: *cycle,
            step: rules.step_code(*step).to_string(),
            due: rfc3339(due),
            threshold: format!("level {}", n.grade),
            recipient: to.name.clone(),
        },
    }
}

/// One letter per recipient, in the order of their names: their reminders (earliest
/// first), then the notices for their level.
pub fn letters(
    rules: &Rules,
    reminders: &[Reminder],
    notices: &[Notice],
    within: Span,
) -> Vec<Letter> {
    let mut out: Vec<Letter> = Vec::new();
    fn slot<'a>(out: &'a mut Vec<Letter>, to: &Recipient) -> &'a mut Letter {
        let i = match out.iter().position(|l| l.to.name == to.name) {
            Some(i) => i,
            None => {
                out.push(Letter {
                    to: to.clone(),
                    reminders: Vec::new(),
                    notices: Vec::new(),
                });
                out.len() - 1
            }
        };
        &mut out[i]
    }
    for r in reminders {
        let to = reminder_to(rules, r);
        let key = reminder_key(rules, r, within, &to);
        slot(&mut out, &to).reminders.push((r.clone(), key));
    }
    for n in notices {
        for to in notice_to(rules, n) {
            let key = notice_key(rules, n, &to);
            slot(&mut out, &to).notices.push((n.clone(), key));
        }
    }
    out.sort_by(|a, b| a.to.name.cmp(&b.to.name));
    out
}

/// The letters with only what is not yet sent; letters left empty are dropped.
pub fn unsent(letters: Vec<Letter>, sent: &std::collections::HashSet<SentKey>) -> Vec<Letter> {
    letters
        .into_iter()
        .map(|mut l| {
            l.reminders.retain(|(_, k)| !sent.contains(k));
            l.notices.retain(|(_, k)| !sent.contains(k));
            l
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The hours of a working day in which mail may go out: the rulebook's `send_hours`, else
/// the calendar's business hours, else the whole day.
pub fn send_hours(rules: &Rules) -> &[(NaiveTime, NaiveTime)] {
    if rules.notices.send_hours.is_empty() {
        &rules.calendar.hours
    } else {
        &rules.notices.send_hours
    }
}

/// Whether mail may go out at `at`: a working day (make-up days included, holidays and
/// weekends not), within the sending hours.
pub fn may_send(rules: &Rules, at: Moment) -> bool {
    if !rules.calendar.is_working_day(at.date_naive()) {
        return false;
    }
    let t = at.time().with_nanosecond(0).unwrap_or(at.time());
    let hours = send_hours(rules);
    hours.is_empty() || hours.iter().any(|(a, b)| *a <= t && t < *b)
}

/// The first moment at or after `at` at which mail may go out (what is held goes then).
pub fn next_send(rules: &Rules, at: Moment) -> Moment {
    if may_send(rules, at) {
        return at;
    }
    let offset = *at.offset();
    let mut day = at.date_naive();
    for _ in 0..3660 {
        if rules.calendar.is_working_day(day) {
            let opens: Vec<Moment> = match send_hours(rules) {
                [] => vec![crate::time::start_of_day(day, offset)],
                h => h
                    .iter()
                    .map(|(a, _)| crate::time::at_local(offset, day.and_time(*a)))
                    .collect(),
            };
            if let Some(m) = opens.into_iter().find(|m| *m >= at) {
                return m;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    at
}

/// Whom notices would need and the rulebook cannot reach, for `plaint check`: a level no
/// one holds, a holder without an address, and the people open complaints name (their
/// handler, else their receiver) whom `people` lists without an address, or not at all.
/// Said only of a rulebook that lists people: a desk that mails nobody is told nothing.
#[derive(Debug, Default)]
pub struct Reach {
    /// Name → the open complaints that name them.
    named: std::collections::BTreeMap<String, Vec<String>>,
}

impl Reach {
    /// Notes whom an open complaint would remind, as it stands at `at`.
    pub fn note(&mut self, rules: &Rules, t: &crate::ticket::Ticket, at: Moment) {
        if rules.notices.people.is_empty() || t.received_at > at {
            return;
        }
        let s = t.state_seen_from(rules, at, at);
        if s.status != crate::ticket::Status::Open {
            return;
        }
        if let Some(name) = s.handler.or(s.facts.logged_by) {
            self.named
                .entry(name.trim().to_string())
                .or_default()
                .push(t.id.clone());
        }
    }

    pub fn warnings(&self, rules: &Rules) -> Vec<String> {
        let n = &rules.notices;
        if n.people.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for g in &n.report_grades {
            let Some(grade) = rules.book.grades.get(g) else {
                continue;
            };
            let level = grade.report_to.trim();
            let holders = n.holders(level);
            if holders.is_empty() {
                out.push(format!(
                    "people: nobody holds {level}, to whom {} complaints are reported (§{}); their notices are addressed to '{level}' alone and --smtp cannot send them: add roles: [{level}] to a person",
                    grade.label, n.clause
                ));
            }
            for h in holders.iter().filter(|h| h.email.is_none()) {
                out.push(format!(
                    "people: {} holds {level} but has no email; notices of {} complaints cannot be sent to them by --smtp",
                    h.name, grade.label
                ));
            }
        }
        for (name, ids) in &self.named {
            let what = match n.person(name) {
                Some(p) if p.email.is_some() => continue,
                Some(_) => "is listed under people without an email",
                None => "is not listed under people",
            };
            let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
            out.push(format!(
                "{name} {what}, yet is reminded of {} open complaint{} ({}{}); --smtp cannot reach them",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if ids.len() > 3 { ", …" } else { "" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::grading::Peers;
    use crate::ticket::Ticket;
    use crate::time::{parse_moment, parse_offset};

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    /// The built-in rulebook with people and notices of its own.
    fn rules(extra: &str) -> Rules {
        let people = "people:\n  \
            - { name: 马主管, department: property, head: true, email: ma@example.com }\n  \
            - { name: 李总, roles: [人力运营副总], email: li@example.com }\n  \
            - { name: 王芳, department: customer-service }\n\
            notices:\n  clause: \"8.1\"\n  report_grades: [major, crisis]\n  report_overdue: [plan]\n  send_hours: [\"08:30-18:00\"]\n";
        let text = format!(
            "{}\n{people}{extra}",
            crate::rules::BUILTIN
                .replace("\npeople:", "\npeople_:")
                .replace("\nnotices:", "\nnotices_:")
        );
        // The built-in sections are replaced by the ones above.
        let text = strip(&text, "people_:");
        let text = strip(&text, "notices_:");
        Rules::parse(&text).map_err(|p| format!("{p:?}")).unwrap()
    }

    /// The text without the top-level section `name` (its line and the indented lines
    /// under it).
    fn strip(text: &str, name: &str) -> String {
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            if line.starts_with(name) {
                skipping = true;
                continue;
            }
            if skipping && (line.starts_with(' ') || line.trim().is_empty()) {
                continue;
            }
            skipping = false;
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// A complaint about property services (§4.1.2.6: the property company handles it)
    /// received at `received`; `extra` intake lines replace the defaults of their keys.
    fn ticket(received: &str, logged_by: Option<&str>, extra: &str, events: &str) -> Ticket {
        let mut facts = String::new();
        for line in ["headcount: 1", "type: property-service"] {
            let key = line.split(':').next().unwrap();
            if !extra.lines().any(|l| l.starts_with(key)) {
                facts.push_str(line);
                facts.push('\n');
            }
        }
        let text = format!(
            "id: 202611-0001\nproject: 实力北岸\nreceived_at: {}\nreceived_by: customer-service\n\
             channel: phone\n{}name: 张三\nphone: '13800000000'\nsubject: 卫生间漏水\n\
             {facts}{extra}events:\n{events}",
            at(received).to_rfc3339(),
            logged_by
                .map(|l| format!("logged_by: {l}\n"))
                .unwrap_or_default(),
        );
        crate::yaml::from_str(&text).unwrap()
    }

    fn event(when: &str, body: &str) -> String {
        format!("- at: {}\n  by: 王芳\n  {body}\n", at(when).to_rfc3339())
    }

    fn due_at(rules: &Rules, t: &Ticket, within: &str, when: &str) -> Vec<Reminder> {
        let a = Assessment::of(rules, t, &Peers::default(), at(when));
        reminders(rules, &[a], Span::parse(within).unwrap(), at(when))
    }

    /// §4.1.1: respond within 1 working hour. Received Friday 23:30, due Monday 00:30
    /// (whole working days). On Saturday 10:00 only 30 working minutes are left: within a
    /// 2-hour window, though 38½ hours of the calendar lie between.
    #[test]
    fn the_window_counts_on_the_steps_own_clock() {
        let r = rules("");
        let t = ticket("2026-11-06 23:30", Some("王芳"), "", "");
        let due = due_at(&r, &t, "2h", "2026-11-07 10:00");
        let respond = due.iter().find(|d| d.step == Step::RESPOND).unwrap();
        assert_eq!(respond.urgency, Urgency::Soon);
        assert_eq!(respond.due, at("2026-11-09 00:30"));
        assert_eq!(respond.gap, Duration::minutes(30));
        assert_eq!(respond.clock, Clock::Working);
        // Forward (2 working hours) is due Monday 01:30: 1h30m left, also within 2h.
        assert!(due.iter().any(|d| d.step == Step::FORWARD));
        // A 20-minute window holds neither.
        assert!(due_at(&r, &t, "20m", "2026-11-07 10:00").is_empty());
        // Monday 01:00: respond is overdue by 30 minutes.
        let due = due_at(&r, &t, "2h", "2026-11-09 01:00");
        let respond = due.iter().find(|d| d.step == Step::RESPOND).unwrap();
        assert_eq!(respond.urgency, Urgency::Overdue);
        assert_eq!(respond.gap, Duration::minutes(30));
    }

    /// The safety override (§4.1.1: respond within 4h on the calendar clock) counts on its
    /// own clock: from Saturday 10:00 it is due at 14:00, 4 hours of the calendar away.
    #[test]
    fn an_override_counts_on_its_own_clock() {
        let r = rules("");
        let t = ticket("2026-11-07 10:00", Some("王芳"), "flags: [safety]\n", "");
        let due = due_at(&r, &t, "4h", "2026-11-07 10:00");
        let respond = due.iter().find(|d| d.step == Step::RESPOND).unwrap();
        assert_eq!(respond.clock, Clock::Calendar);
        assert_eq!(respond.due, at("2026-11-07 14:00"));
        assert_eq!(respond.gap, Duration::hours(4));
    }

    /// Who answers: the handler; the receiver for the hand-off (§7.3, fined on the
    /// receiver) and while nobody is assigned; the head of the department when the
    /// ticket names nobody; the department itself when the rulebook names no head.
    #[test]
    fn the_person_who_answers() {
        let r = rules("");
        let assigned = event(
            "2026-11-02 10:05",
            "kind: assign\n  department: property\n  handler: 周工",
        );
        let t = ticket("2026-11-02 10:00", Some("王芳"), "", &assigned);
        let due = due_at(&r, &t, "2h", "2026-11-02 10:10");
        let of = |s: Step| due.iter().find(|d| d.step == s).unwrap();
        assert_eq!(of(Step::RESPOND).person.as_deref(), Some("周工"));
        assert_eq!(of(Step::RESPOND).answers, Answers::Handler);
        assert_eq!(of(Step::RESPOND).department, "property");
        assert_eq!(of(Step::FORWARD).person.as_deref(), Some("王芳"));
        assert_eq!(of(Step::FORWARD).answers, Answers::Receiver);

        // No receiver recorded (a history row) and no department yet (type other, decided
        // by hand, §4.1.2.9): the receiving department's head, if any.
        let t = ticket("2026-11-02 10:00", None, "type: other\n", "");
        let due = due_at(&r, &t, "2h", "2026-11-02 10:10");
        let respond = due.iter().find(|d| d.step == Step::RESPOND).unwrap();
        assert_eq!(respond.person, None, "customer service has no head here");
        assert_eq!(respond.answers, Answers::Department);
        assert_eq!(reminder_to(&r, respond).name, "客户服务部");
        let t = ticket(
            "2026-11-02 10:00",
            None,
            "",
            &event("2026-11-02 10:05", "kind: assign\n  department: property"),
        );
        let due = due_at(&r, &t, "2h", "2026-11-02 10:10");
        let respond = due.iter().find(|d| d.step == Step::RESPOND).unwrap();
        assert_eq!(respond.person.as_deref(), Some("马主管"));
        assert_eq!(respond.answers, Answers::Head);
        let to = reminder_to(&r, respond);
        assert_eq!(to.email.as_deref(), Some("ma@example.com"));
    }

    /// §8.1: a complaint of 4 people is major (§6.1.2.3) and is announced to the VP; with
    /// its plan overdue (24 working hours), that too, once per deadline.
    #[test]
    fn a_major_complaint_is_announced_to_its_level() {
        let r = rules("");
        let t = ticket("2026-11-02 10:00", Some("王芳"), "headcount: 4\n", "");
        let a = Assessment::of(&r, &t, &Peers::default(), at("2026-11-02 10:30"));
        let n = notices(&r, std::slice::from_ref(&a), at("2026-11-02 10:30"));
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].level, "人力运营副总");
        assert_eq!(n[0].why, "§6.1.2.3 三人以上十人以下的集体投诉");
        let to = notice_to(&r, &n[0]);
        assert_eq!(to.len(), 1);
        assert_eq!(to[0].name, "李总");
        assert_eq!(notice_key(&r, &n[0], &to[0]).threshold, "grade major");

        let a = Assessment::of(&r, &t, &Peers::default(), at("2026-11-03 11:00"));
        let n = notices(&r, &[a], at("2026-11-03 11:00"));
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(
            matches!(n.iter().find(|x| x.what != Announce::Grade).unwrap().what,
            Announce::Overdue { step, .. } if step == Step::PLAN)
        );
    }

    /// The same deadline at the same threshold has one key; fixed again, or a shorter
    /// window, another.
    #[test]
    fn keys_tell_one_reminder_from_another() {
        let r = rules("");
        let t = ticket("2026-11-02 10:00", Some("王芳"), "", "");
        let due = due_at(&r, &t, "2h", "2026-11-02 10:10");
        let letters = letters(&r, &due, &[], Span::parse("2h").unwrap());
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0].to.name, "王芳");
        let keys: std::collections::HashSet<SentKey> = letters[0].keys().cloned().collect();
        let again = super::letters(&r, &due, &[], Span::parse("2h").unwrap());
        assert!(unsent(again, &keys).is_empty());
        let shorter = super::letters(&r, &due, &[], Span::parse("30m").unwrap());
        assert_eq!(unsent(shorter, &keys).len(), 1);
    }

    /// Mail goes out on working days within the sending hours: not at night, not on a
    /// weekend or a holiday, yes on a make-up working day; what is held goes at the next
    /// opening.
    #[test]
    fn sending_hours() {
        let r = rules("");
        assert!(may_send(&r, at("2026-11-06 17:59")));
        assert!(!may_send(&r, at("2026-11-06 18:00")));
        assert!(!may_send(&r, at("2026-11-07 10:00")), "a Saturday");
        assert!(!may_send(&r, at("2026-11-09 08:29")));
        assert!(may_send(&r, at("2026-11-09 08:30")));
        assert!(!may_send(&r, at("2026-10-01 10:00")), "National Day");
        assert!(may_send(&r, at("2026-10-10 10:00")), "a make-up Saturday");
        assert_eq!(
            next_send(&r, at("2026-11-06 18:30")),
            at("2026-11-09 08:30")
        );
        assert_eq!(
            next_send(&r, at("2026-11-09 07:00")),
            at("2026-11-09 08:30")
        );
        assert_eq!(
            next_send(&r, at("2026-09-30 19:00")),
            at("2026-10-08 08:30")
        );
        assert_eq!(
            next_send(&r, at("2026-11-09 09:00")),
            at("2026-11-09 09:00")
        );
    }

    #[test]
    fn people_are_checked_at_their_lines() {
        let text = crate::rules::BUILTIN.replace(
            "people: []",
            "people:\n  - { name: 李总, department: sales, roles: [副总], email: li at example }",
        );
        let problems: Vec<String> = Rules::parse(&text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.render("rules.yaml"))
            .collect();
        let line = text.lines().position(|l| l.contains("李总")).unwrap() + 1;
        assert_eq!(problems.len(), 3, "{problems:?}");
        for p in &problems {
            assert!(p.starts_with(&format!("rules.yaml:{line}: people")), "{p}");
        }
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown department 'sales'"))
        );
        assert!(problems.iter().any(|p| p.contains("role '副总'")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("'li at example' is not an address"))
        );
    }
}
