//! The rulebook's `people` and `notices` sections: who works the desk (names, departments,
//! heads of departments, who holds the levels complaints are reported to, §8.1) and how
//! `plaint due` reaches them (which grades are reported, which late steps are reported at
//! those grades, when mail may go out, from which address). Shapes, validation and
//! look-ups; pure.
//!
//! These two sections say whom to tell, not how a complaint is judged: they are read apart
//! from the procedure's sections (`split`), each at its own lines.

use super::validate::Validator;
use crate::time::Span;
use chrono::NaiveTime;
use serde::Deserialize;

/// The top-level sections read here.
const SECTIONS: [&str; 2] = ["people", "notices"];

/// One person of the desk, as the rulebook lists them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    /// Their department (a code of `departments`).
    pub department: Option<String>,
    /// Head of their department: reminders nobody else answers for go to them.
    #[serde(default)]
    pub head: bool,
    /// The report-to levels they hold (the `report_to` of `grades`, §8.1), or the roles that
    /// sign delays.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Where their mail goes; without one, `--format mail` still writes their message
    /// (addressed to their name alone) and `--smtp` names them on stderr.
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeRules {
    #[serde(default, deserialize_with = "clause")]
    clause: String,
    remind_within: Option<Span>,
    #[serde(default)]
    report_grades: Vec<String>,
    #[serde(default)]
    report_overdue: Vec<String>,
    #[serde(default)]
    send_hours: Vec<String>,
    from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    #[serde(default)]
    people: Option<Vec<Contact>>,
    notices: Option<NoticeRules>,
}

/// A clause as written: `8.1` reads as a number in YAML, `"7.3, 8.1"` as text.
fn clause<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum C {
        S(String),
        I(i64),
        F(f64),
    }
    Ok(match C::deserialize(d)? {
        C::S(s) => s,
        C::I(i) => i.to_string(),
        C::F(f) => f.to_string(),
    })
}

/// The two sections, validated.
#[derive(Debug, Clone)]
pub struct Notices {
    pub people: Vec<Contact>,
    /// The clause that makes grades report to their level (§8.1).
    pub clause: String,
    /// The window `plaint due` uses without `--within` (the rulebook's; none, then
    /// `--within` must be given).
    pub remind_within: Option<Span>,
    /// Grades whose complaints are announced to their level (codes).
    pub report_grades: Vec<String>,
    /// Steps whose deadline, overdue at a reported grade, is announced to the level too.
    pub report_overdue: Vec<String>,
    /// When on a working day mail may go out; empty: the calendar's business hours, else
    /// the whole day.
    pub send_hours: Vec<(NaiveTime, NaiveTime)>,
    /// The sender: display name and address.
    pub from_name: String,
    pub from_address: String,
}

impl Default for Notices {
    fn default() -> Notices {
        Notices {
            people: Vec::new(),
            clause: String::new(),
            remind_within: None,
            report_grades: Vec::new(),
            report_overdue: Vec::new(),
            send_hours: Vec::new(),
            from_name: "plaint".into(),
            from_address: "plaint@localhost".into(),
        }
    }
}

impl Notices {
    /// The person of that name (compared as grading compares names: NFKC, trimmed,
    /// case-folded).
    pub fn person(&self, name: &str) -> Option<&Contact> {
        let want = super::grading::comparable(name);
        self.people
            .iter()
            .find(|p| super::grading::comparable(&p.name) == want)
    }

    /// The head of a department, if the rulebook names one.
    pub fn head_of(&self, department: &str) -> Option<&Contact> {
        self.people
            .iter()
            .find(|p| p.head && p.department.as_deref() == Some(department))
    }

    /// Everyone who holds a level (a grade's `report_to`).
    pub fn holders(&self, level: &str) -> Vec<&Contact> {
        let want = level.trim();
        self.people
            .iter()
            .filter(|p| p.roles.iter().any(|r| r.trim() == want))
            .collect()
    }
}

/// The rulebook's text in two: the procedure's sections (with the lines of `people` and
/// `notices` left blank) and these two (with every other line left blank). Each keeps every
/// line where it was, so a problem in either is reported at its line of the file.
pub fn split(text: &str) -> (String, String) {
    let mut rest = String::with_capacity(text.len());
    let mut own = String::new();
    let mut mine = false;
    for line in text.split_inclusive('\n') {
        let top = !line.starts_with([' ', '\t', '#', '-', '\r', '\n']) && !line.trim().is_empty();
        if top {
            mine = SECTIONS.iter().any(|s| {
                line.strip_prefix(s)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            });
        }
        let end = if line.ends_with('\n') { "\n" } else { "" };
        if mine {
            own.push_str(line);
            rest.push_str(end);
        } else {
            rest.push_str(line);
            own.push_str(end);
        }
    }
    (rest, own)
}

/// An address as mail needs it: `local@domain`, printable ASCII without spaces, brackets,
/// quotes or a second `@`.
pub fn valid_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| {
                c.is_ascii_graphic()
                    && !matches!(
                        c,
                        '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '\\' | '[' | ']' | '@'
                    )
            })
    };
    ok(local) && ok(domain) && !domain.starts_with('.') && !domain.ends_with('.')
}

/// `Name <address>` or a bare address.
fn mailbox(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    match s.rsplit_once('<') {
        Some((name, addr)) => {
            let addr = addr.strip_suffix('>')?.trim();
            valid_address(addr)
                .then(|| (name.trim().trim_matches('"').to_string(), addr.to_string()))
        }
        None => valid_address(s).then(|| ("plaint".to_string(), s.to_string())),
    }
}

/// A span of hours, `08:30-18:00`.
pub fn hours_span(s: &str) -> Option<(NaiveTime, NaiveTime)> {
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    let (a, b) = s.split_once('-')?;
    let (a, b) = (time(a)?, time(b)?);
    (a < b).then_some((a, b))
}

impl Validator<'_> {
    /// Reads and checks `people` and `notices` from their own lines of the rulebook.
    pub(super) fn notices(
        &mut self,
        own: &str,
        book: &super::Rulebook,
        steps: &[super::StepName],
    ) -> Notices {
        let sections: Sections = if own.trim().is_empty() {
            Sections::default()
        } else {
            match crate::yaml::from_str(own) {
                Ok(s) => s,
                Err(e) => {
                    self.problems.push(super::Problem {
                        line: e.line,
                        message: e.message,
                    });
                    return Notices::default();
                }
            }
        };
        let mut out = Notices::default();
        let people = sections.people.unwrap_or_default();
        // The levels a person may hold: the grades' report_to, and the delay signers.
        let mut levels: Vec<&str> = book
            .grades
            .iter()
            .map(|(_, g)| g.report_to.trim())
            .filter(|l| !l.is_empty())
            .collect();
        levels.extend(book.deadlines.delay_approvers.iter().map(|(_, r)| r.trim()));
        let mut seen: Vec<String> = Vec::new();
        for p in &people {
            let name = p.name.trim();
            if name.is_empty() {
                self.at("people", "name", "people: a person without a name");
                continue;
            }
            let key = super::grading::comparable(name);
            if seen.contains(&key) {
                self.at(
                    "people",
                    name,
                    format!("people: '{name}' is listed twice; list each person once"),
                );
            }
            seen.push(key);
            if let Some(d) = &p.department {
                self.code("people", "department", &book.departments, d);
            }
            if p.head && p.department.is_none() {
                self.at(
                    "people",
                    name,
                    format!("people: {name} is a head (head: true) of no department; give department: CODE"),
                );
            }
            for r in &p.roles {
                if !levels.contains(&r.trim()) {
                    self.at(
                        "people",
                        r,
                        format!(
                            "people: {name}'s role '{r}' is no level the rulebook names; valid: {}",
                            levels.join(", ")
                        ),
                    );
                }
            }
            if let Some(e) = &p.email
                && !valid_address(e.trim())
            {
                self.at(
                    "people",
                    e,
                    format!("people: {name}'s email '{e}' is not an address (write it like name@example.com)"),
                );
            }
        }
        out.people = people
            .into_iter()
            .map(|mut p| {
                p.name = p.name.trim().to_string();
                p.email = p.email.map(|e| e.trim().to_string());
                p
            })
            .collect();
        let Some(n) = sections.notices else {
            return out;
        };
        out.clause = n.clause;
        out.remind_within = n.remind_within;
        for g in &n.report_grades {
            self.code("notices", "grade", &book.grades, g);
            if book
                .grades
                .get(g)
                .is_some_and(|x| x.report_to.trim().is_empty())
            {
                self.at(
                    "notices",
                    g,
                    format!(
                        "notices.report_grades: grade '{g}' has no report_to to announce it to"
                    ),
                );
            }
        }
        out.report_grades = n.report_grades;
        for s in &n.report_overdue {
            if !steps.iter().any(|x| x.code == *s) {
                let valid: Vec<&str> = steps.iter().map(|x| x.code.as_str()).collect();
                self.at(
                    "notices",
                    s,
                    format!(
                        "notices.report_overdue: unknown step '{s}'; valid: {}",
                        valid.join(", ")
                    ),
                );
            }
        }
        out.report_overdue = n.report_overdue;
        for h in &n.send_hours {
            match hours_span(h) {
                Some((a, b)) if out.send_hours.last().is_none_or(|(_, end)| *end <= a) => {
                    out.send_hours.push((a, b))
                }
                _ => self.at(
                    "notices",
                    h,
                    format!("notices.send_hours: '{h}' is not a span of hours after the one before it (write it like 08:30-18:00)"),
                ),
            }
        }
        if let Some(f) = &n.from {
            match mailbox(f) {
                Some((name, addr)) => {
                    out.from_name = name;
                    out.from_address = addr;
                }
                None => self.at(
                    "notices",
                    "from",
                    format!("notices.from: '{f}' is not an address (write it like 投诉台 <complaints@example.com>)"),
                ),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_every_line_in_its_place() {
        let text = "desk:\n  prefix: \"\"\npeople:\n  - { name: 王芳 }\n# 注释\nnotices :\n  from: a@b\ngrades:\n  g: x\n";
        let (rest, own) = split(text);
        assert_eq!(rest.lines().count(), text.lines().count());
        assert_eq!(own.lines().count(), text.lines().count());
        assert_eq!(rest.lines().nth(7), Some("grades:"));
        assert_eq!(rest.lines().nth(2), Some(""));
        assert_eq!(own.lines().nth(3), Some("  - { name: 王芳 }"));
        assert_eq!(own.lines().nth(5), Some("notices :"));
        assert_eq!(own.lines().next(), Some(""));
        // A section whose name only starts like one of these stays with the procedure.
        let (rest, own) = split("peoples:\n  x: 1\n");
        assert!(own.trim().is_empty() && rest.starts_with("peoples:"));
    }

    #[test]
    fn addresses_and_mailboxes() {
        assert!(valid_address("wang.fang@example.com"));
        assert!(!valid_address("wang fang@example.com"));
        assert!(!valid_address("王芳@example.com"));
        assert!(!valid_address("a@b@c"));
        assert!(!valid_address("@example.com"));
        assert_eq!(
            mailbox("投诉台 <complaints@example.com>"),
            Some(("投诉台".into(), "complaints@example.com".into()))
        );
        assert_eq!(
            mailbox("complaints@example.com"),
            Some(("plaint".into(), "complaints@example.com".into()))
        );
        assert_eq!(mailbox("投诉台 <complaints>"), None);
    }

    #[test]
    fn hours() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert_eq!(hours_span("08:30-18:00"), Some((t("08:30"), t("18:00"))));
        assert_eq!(hours_span("18:00-08:30"), None);
        assert_eq!(hours_span("8点-18点"), None);
    }
}
