//! The rulebook: loading, validation and the questions the rest of plaint asks of it.

pub mod admit;
pub mod assess;
pub mod calendar;
pub mod codes;
pub mod deadlines;
pub mod due;
pub mod grading;
pub mod intake;
pub mod model;
pub mod penalties;
pub mod people;
pub mod settle;
pub mod state;
mod validate;

use validate::Validator;

use crate::time::parse_offset;
use calendar::Calendar;
use chrono::{Datelike, FixedOffset, NaiveDate, Weekday};
use codes::{CodeTable, Label, Ordered};
pub use model::*;
use std::fmt;

/// The default rulebook, compiled in: the repository's top-level rules.yaml.
pub const BUILTIN: &str = include_str!("../../../../rules.yaml");

/// One thing wrong with a rulebook, at a line of it when that is known.
#[derive(Debug, Clone)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn render(&self, file: &str) -> String {
        match self.line {
            Some(l) => format!("{file}:{l}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

/// A validated rulebook with what plaint derives from it once.
pub struct Rules {
    pub book: Rulebook,
    pub offset: FixedOffset,
    pub calendar: Calendar,
    /// Whom `plaint due` tells, and how (`people`, `notices`).
    pub notices: people::Notices,
    /// Every step, built-in then the rulebook's own, indexed by `Step`.
    steps: Vec<StepName>,
}

/// What a step is called: its code, its label and any aliases.
#[derive(Debug, Clone)]
struct StepName {
    code: String,
    label: String,
    aliases: Vec<String>,
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules").finish_non_exhaustive()
    }
}

impl Rules {
    pub fn builtin() -> Rules {
        Rules::parse(BUILTIN).expect("the built-in rulebook is valid")
    }

    /// Parses and validates rulebook text; every problem found is returned.
    pub fn parse(text: &str) -> Result<Rules, Vec<Problem>> {
        let (procedure, contacts) = people::split(text);
        let mut book: Rulebook = crate::yaml::from_str(&procedure).map_err(|e| {
            vec![Problem {
                line: e.line,
                message: e.message,
            }]
        })?;
        let mut v = Validator {
            text,
            problems: Vec::new(),
        };
        let offset = match parse_offset(&book.desk.utc_offset) {
            Ok(o) => o,
            Err(e) => {
                v.at("desk", "utc_offset", e);
                FixedOffset::east_opt(0).expect("zero")
            }
        };
        let calendar = v.calendar(&book.calendar);
        let steps = v.steps(&mut book);
        v.book(&book, &steps);
        let notices = v.notices(&contacts, &book, &steps);
        if v.problems.is_empty() {
            Ok(Rules {
                book,
                offset,
                calendar,
                notices,
                steps,
            })
        } else {
            Err(v.problems)
        }
    }

    pub fn grades(&self) -> CodeTable<'_, Grade> {
        CodeTable {
            what: "grade",
            table: &self.book.grades,
        }
    }
    pub fn categories(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "category",
            table: &self.book.categories,
        }
    }
    pub fn departments(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "department",
            table: &self.book.departments,
        }
    }
    pub fn types(&self) -> CodeTable<'_, TypeRule> {
        CodeTable {
            what: "type",
            table: &self.book.types,
        }
    }
    pub fn flags(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "flag",
            table: &self.book.flags,
        }
    }
    pub fn channels(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "channel",
            table: &self.book.channels,
        }
    }
    pub fn invalid_reasons(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "invalid reason",
            table: &self.book.invalid_reasons,
        }
    }
    pub fn close_reasons(&self) -> CodeTable<'_, CloseReason> {
        CodeTable {
            what: "close reason",
            table: &self.book.close_reasons,
        }
    }
    pub fn plan_actions(&self) -> CodeTable<'_, Label> {
        CodeTable {
            what: "plan action",
            table: &self.book.plan_actions,
        }
    }
    pub fn violations(&self) -> CodeTable<'_, Violation> {
        CodeTable {
            what: "violation rule",
            table: &self.book.violations,
        }
    }

    /// A project as typed, checked against the rulebook's list when it has one.
    pub fn resolve_project(&self, input: &str) -> Result<String, String> {
        let t = input.trim();
        if t.is_empty() {
            return Err("the project is empty".into());
        }
        if self.book.projects.is_empty() || self.book.projects.iter().any(|p| p == t) {
            return Ok(t.to_string());
        }
        Err(format!(
            "unknown project '{t}'; valid: {}",
            self.book.projects.join(", ")
        ))
    }

    /// Grades are ordered low to high as the rulebook lists them.
    pub fn grade_rank(&self, code: &str) -> usize {
        self.book.grades.position(code).unwrap_or(0)
    }

    pub fn type_rule(&self, code: &str) -> Option<&TypeRule> {
        self.book.types.get(code)
    }

    /// Why a complaint of this category and type may not carry compensation (§4.2), if so.
    /// `category` defaults to the type's. Only a compensation above zero is refused.
    pub fn repairs_only(
        &self,
        compensation: Option<crate::money::Money>,
        category: Option<&str>,
        type_: Option<&str>,
    ) -> Option<String> {
        let r = self.book.repairs_only.as_ref()?;
        if compensation.is_none_or(|m| m.0 <= 0) {
            return None;
        }
        let category = category.unwrap_or_else(|| self.category_of(type_));
        let by_type = type_.filter(|t| r.types.iter().any(|x| x == t));
        let what = match by_type {
            Some(t) => self.types().label(t).to_string(),
            None if r.categories.iter().any(|c| c == category) => {
                self.categories().label(category).to_string()
            }
            None => return None,
        };
        Some(format!(
            "{what} complaints are repaired, not compensated (§{} {}): leave --compensation out, or classify the complaint as another type first",
            r.clause, r.label
        ))
    }

    /// The category a type puts a complaint in (the default type's, for none).
    pub fn category_of(&self, type_: Option<&str>) -> &str {
        type_
            .and_then(|t| self.type_rule(t))
            .or_else(|| self.type_rule(&self.book.default_type))
            .map(|r| r.category.as_str())
            .unwrap_or("")
    }

    /// Every step, built-in first, then the rulebook's own in the order it lists them.
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        (0..self.steps.len()).map(|i| Step(i as u8))
    }

    /// The rule that gives a step its deadline, if any.
    pub fn step_rule(&self, step: Step) -> Option<&StepRule> {
        self.book.deadlines.step(step)
    }

    pub fn step_code(&self, step: Step) -> &str {
        self.steps.get(step.index()).map_or("?", |n| &n.code)
    }

    pub fn step_label(&self, step: Step) -> &str {
        self.steps.get(step.index()).map_or("?", |n| &n.label)
    }

    /// A step as typed: its code, label or an alias.
    pub fn resolve_step(&self, input: &str) -> Result<Step, String> {
        let t = input.trim();
        self.steps
            .iter()
            .position(|n| n.code == t || n.label == t || n.aliases.iter().any(|a| a == t))
            .map(|i| Step(i as u8))
            .ok_or_else(|| {
                let valid: Vec<String> = self
                    .steps
                    .iter()
                    .map(|n| format!("{} ({})", n.code, n.label))
                    .collect();
                format!("unknown step '{t}'; valid: {}", valid.join(", "))
            })
    }

    /// Which step an event records, if any.
    pub fn step_of(&self, a: &crate::ticket::Action) -> Option<Step> {
        use crate::ticket::Action;
        match a {
            Action::Forward(_) => Some(Step::FORWARD),
            Action::Respond(_) => Some(Step::RESPOND),
            Action::Plan(_) => Some(Step::PLAN),
            Action::Close(_) => Some(Step::CLOSE),
            Action::Callback(_) => Some(Step::CALLBACK),
            Action::Step(d) => self
                .steps
                .iter()
                .skip(Step::BUILT_IN.len())
                .position(|n| n.code == d.step)
                .map(|i| Step((i + Step::BUILT_IN.len()) as u8)),
            _ => None,
        }
    }

    /// The roles that may sign a delay of a complaint of `grade` (§8.2): the one the
    /// rulebook names for the grade, and those it names for higher grades.
    pub fn delay_signers(&self, grade: &str) -> Vec<&str> {
        let d = &self.book.deadlines.delay_approvers;
        let rank = self.grade_rank(grade);
        let mut out: Vec<&str> = Vec::new();
        for (g, role) in d.iter() {
            if self.grade_rank(g) >= rank && !out.contains(&role.as_str()) {
                out.push(role);
            }
        }
        out
    }
}

/// Keys a spreadsheet column may carry (SPEC §9), for validating `import.columns`.
pub const IMPORT_FIELDS: &[&str] = &[
    "project",
    "name",
    "phone",
    "unit",
    "subject",
    "description",
    "request",
    "channel",
    "received_by",
    "received_at",
    "headcount",
    "flags",
    "compensation",
    "target",
    "type",
    "ref",
    "valid",
    "invalid_reason",
    "department",
    "handler",
    "responded_at",
    "planned_at",
    "action",
    "closed_at",
    "close_reason",
    "property_confirmed",
    "timeliness",
    "plan_score",
    "attitude",
    "acknowledged",
    "visited",
    "callback_at",
    "comment",
    "forwarded_at",
    "logged_by",
];

/// Whether `line` contains `word` not glued to other code characters.
pub fn mentions(line: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let glue = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(i) = line[from..].find(word) {
        let s = from + i;
        let e = s + word.len();
        let before = line[..s].chars().next_back();
        let after = line[e..].chars().next();
        if !before.is_some_and(glue) && !after.is_some_and(glue) {
            return true;
        }
        from = e;
    }
    false
}

/// A small deterministic generator for the rules' randomised tests: `next(n)` is in `0..n`.
#[cfg(test)]
pub(crate) fn generator(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        Rules::parse(text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.render("rules.yaml"))
            .collect()
    }

    #[test]
    fn the_builtin_rulebook_is_valid() {
        let r = Rules::builtin();
        assert_eq!(r.grades().resolve("重大").unwrap(), "major");
        assert_eq!(r.departments().resolve("物业公司").unwrap(), "property");
        assert!(r.calendar.holidays.len() > 20);
        assert_eq!(r.offset.local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn unknown_code_is_placed_on_its_line() {
        let t = BUILTIN.replace(
            "department: property, cooperating: [engineering], category: property",
            "department: propperty, cooperating: [engineering], category: property",
        );
        let p = problems(&t);
        let line = t.lines().position(|l| l.contains("propperty")).unwrap() + 1;
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with(&format!(
                "rules.yaml:{line}: types: unknown department 'propperty'"
            )),
            "{p:?}"
        );
    }

    #[test]
    fn bad_duration_impossible_date_duplicate_and_missing_grade() {
        let t = BUILTIN.replace(
            "general: 2h, important: 2h, major: 2h, crisis: 4h",
            "general: 2x, important: 2h, major: 2h",
        );
        let p = problems(&t);
        assert!(p[0].contains("not a duration"), "{p:?}");

        let t = BUILTIN.replace(
            "general: 2h, important: 2h, major: 2h, crisis: 4h",
            "general: 2h, important: 2h, major: 2h",
        );
        let p = problems(&t);
        assert!(
            p.iter()
                .any(|m| m.contains("deadlines.forward has no limit for grade 'crisis'")),
            "{p:?}"
        );

        let t = BUILTIN.replace("- 2026-02-28", "- 2026-02-30");
        let p = problems(&t);
        let line = t.lines().position(|l| l.contains("2026-02-30")).unwrap() + 1;
        assert_eq!(
            p,
            vec![format!(
                "rules.yaml:{line}: calendar.workdays: '2026-02-30' is not a real date (write it like 2026-10-01)"
            )]
        );

        let t = BUILTIN.replace("  finance: 财务部\n", "  finance: 财务部\n  legal: 法务\n");
        let p = problems(&t);
        assert!(p[0].contains("'legal' is listed twice"), "{p:?}");
    }

    #[test]
    fn locate_matches_whole_words() {
        assert!(mentions("department: property", "property"));
        assert!(!mentions("property-service: x", "property"));
        assert!(mentions("cooperating: [engineering]", "engineering"));
    }
}
