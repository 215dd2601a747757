//! The rulebook as admins write it (rules.yaml). Shapes only; `validate` checks meaning.

use super::codes::{Label, Labelled, Ordered};
use crate::money::Money;
use crate::time::Span;
use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    pub desk: DeskSettings,
    pub calendar: CalendarRules,
    #[serde(default)]
    pub projects: Vec<String>,
    pub grades: Ordered<Grade>,
    pub categories: Ordered<Label>,
    pub departments: Ordered<Label>,
    pub types: Ordered<TypeRule>,
    pub default_type: String,
    pub flags: Ordered<Label>,
    pub channels: Ordered<Label>,
    pub default_channel: String,
    pub default_receiving_department: String,
    pub invalid_reasons: Ordered<Label>,
    pub close_reasons: Ordered<CloseReason>,
    pub plan_actions: Ordered<Label>,
    pub grading: Grading,
    pub deadlines: Deadlines,
    #[serde(default)]
    pub penalties: Vec<Penalty>,
    #[serde(default)]
    pub violations: Ordered<Violation>,
    pub rewards: Option<Rewards>,
    #[serde(default)]
    pub import: ImportRules,
    /// Complaints that are repaired, never compensated (§4.2 只修不赔).
    pub repairs_only: Option<RepairsOnly>,
    /// Escalation up a chain of departments (store → supervisor → service centre → ...).
    pub escalation: Option<Escalation>,
    /// The callback form (§7.4): a score below `reason_below` needs the customer's reason.
    pub callback_form: Option<CallbackForm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackForm {
    pub clause: String,
    pub reason_below: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    /// Departments from the first to handle a complaint to the last to answer for it.
    pub chain: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairsOnly {
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub types: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskSettings {
    #[serde(default)]
    pub prefix: String,
    #[serde(default = "default_offset")]
    pub utc_offset: String,
    /// How far an event's `at` may lie from the moment it is written before plaint stores
    /// `entered_at` beside it; an `--at` this far in the future is refused (SPEC §2).
    #[serde(default = "default_tolerance")]
    pub clock_tolerance: Span,
    /// In a git work tree, commit each step (the files it wrote, authored by `--by`).
    #[serde(default = "yes")]
    pub commit: bool,
    /// The day this rulebook takes effect: deadlines that fell before it are judged and
    /// priced by the version it replaced (kept in the desk's `rulebooks/`).
    #[serde(default)]
    pub effective_from: Option<chrono::NaiveDate>,
    /// Settled months this rulebook knowingly reprices: their differences become adjustments.
    #[serde(default)]
    pub reprices_settled: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_offset() -> String {
    "+08:00".into()
}

fn default_tolerance() -> Span {
    Span { minutes: 10 }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarRules {
    #[serde(default)]
    pub weekend: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub workdays: Vec<String>,
    /// The years whose holidays and make-up days are entered in full. A working-clock
    /// deadline that runs through any other year is flagged. Default: the years the listed
    /// dates fall in.
    pub years: Option<Vec<i32>>,
    /// Business hours of a working day (`09:00-12:00`, `13:30-18:00`); none: whole days.
    #[serde(default)]
    pub hours: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub label: String,
    #[serde(default)]
    pub report_to: String,
    /// Other names users may type for the code.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Labelled for Grade {
    fn label(&self) -> &str {
        &self.label
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRule {
    pub label: String,
    #[serde(default)]
    pub clause: String,
    pub department: Option<String>,
    pub department_rule: Option<DepartmentRule>,
    #[serde(default)]
    pub cooperating: Vec<String>,
    pub category: String,
    /// Other names users may type for the code.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Labelled for TypeRule {
    fn label(&self) -> &str {
        &self.label
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepartmentRule {
    /// The department that received the complaint handles it (§4.1.2.8).
    Receiving,
    /// Customer service decides by hand (§4.1.2.9).
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    Valid,
    Invalid,
    #[default]
    Any,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseReason {
    pub label: String,
    #[serde(default)]
    pub clause: String,
    #[serde(default)]
    pub applies_to: AppliesTo,
    #[serde(default)]
    pub requires_plan: bool,
    #[serde(default)]
    pub requires_property_confirmation: Vec<String>,
    /// Other names users may type for the code.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Labelled for CloseReason {
    fn label(&self) -> &str {
        &self.label
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grading {
    pub default: String,
    /// The clause that grades what no rule catches (§6.1.4).
    #[serde(default, deserialize_with = "clause")]
    pub default_clause: String,
    /// The clause that gives customer service the final say on a grade (§5.1.3).
    #[serde(default, deserialize_with = "clause")]
    pub override_clause: String,
    #[serde(default = "default_window")]
    pub same_target_window: Span,
    #[serde(default)]
    pub rules: Vec<GradeRule>,
}

fn default_window() -> Span {
    Span {
        minutes: 365 * 1440,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeRule {
    pub grade: String,
    #[serde(deserialize_with = "clause")]
    pub clause: String,
    #[serde(default)]
    pub label: String,
    pub when: When,
}

/// Conditions on a ticket; all that are given must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub headcount_at_least: Option<u32>,
    pub headcount_at_most: Option<u32>,
    pub headcount_below: Option<u32>,
    pub compensation_above: Option<Money>,
    pub compensation_at_most: Option<Money>,
    #[serde(default)]
    pub any_flag: Vec<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub category: Option<String>,
    pub same_target_at_least: Option<u32>,
    pub same_target_complainants_at_least: Option<u32>,
    /// The window the same-target counts look back over, for this rule (default: the
    /// grading section's `same_target_window`).
    pub same_target_window: Option<Span>,
    /// Any of these words in the subject, description or request.
    #[serde(default)]
    pub text_contains: Vec<String>,
    pub open_for: Option<Span>,
    pub reopened_from: Option<String>,
    pub escalated_from: Option<String>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        self.headcount_at_least.is_none()
            && self.headcount_at_most.is_none()
            && self.headcount_below.is_none()
            && self.compensation_above.is_none()
            && self.compensation_at_most.is_none()
            && self.any_flag.is_empty()
            && self.type_.is_none()
            && self.category.is_none()
            && self.same_target_at_least.is_none()
            && self.same_target_complainants_at_least.is_none()
            && self.same_target_window.is_none()
            && self.text_contains.is_empty()
            && self.open_for.is_none()
            && self.reopened_from.is_none()
            && self.escalated_from.is_none()
    }
}

/// Clause numbers are text (`6.1.2.3`, `7 特别备注`), but admins may write `8.1` bare,
/// which YAML reads as a number.
fn clause<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// Plain elapsed time.
    Calendar,
    /// Only working days count, whole (SPEC §3).
    Working,
}

/// A step of handling: the five the procedure names (forward, respond, plan, close,
/// callback) and the ones a rulebook adds under `deadlines.steps` (a visit, an approval),
/// numbered after them in the order the rulebook lists them. Its code and label are asked of
/// the rulebook (`Rules::step_code`, `Rules::step_label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step(pub(crate) u8);

impl Step {
    pub const FORWARD: Step = Step(0);
    pub const RESPOND: Step = Step(1);
    pub const PLAN: Step = Step(2);
    pub const CLOSE: Step = Step(3);
    pub const CALLBACK: Step = Step(4);
    pub const BUILT_IN: [Step; 5] = [
        Step::FORWARD,
        Step::RESPOND,
        Step::PLAN,
        Step::CLOSE,
        Step::CALLBACK,
    ];
    /// The built-in steps' codes, as the rulebook and ticket files spell them.
    pub const CODES: [&'static str; 5] = ["forward", "respond", "plan", "close", "callback"];
    /// The built-in steps' names on the procedure's forms.
    pub const LABELS: [&'static str; 5] = ["信息传递", "投诉响应", "处理方案", "投诉关闭", "回访"];
    /// A step the rulebook has not resolved yet (only while it is being read).
    const UNRESOLVED: Step = Step(u8::MAX);

    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// One of the five the procedure names (each has its own command).
    pub fn is_built_in(self) -> bool {
        self.index() < Step::BUILT_IN.len()
    }

    pub fn built_in(code: &str) -> Option<Step> {
        Step::CODES
            .iter()
            .position(|c| *c == code)
            .map(|i| Step::BUILT_IN[i])
    }
}

/// A step as a rulebook names it (`step: visit`); which step it is gets settled once every
/// step of the rulebook is known (`Rules::parse`).
#[derive(Debug, Clone)]
pub struct StepRef {
    pub code: String,
    pub step: Step,
}

impl StepRef {
    pub fn named(code: &str) -> StepRef {
        StepRef {
            code: code.to_string(),
            step: Step::UNRESOLVED,
        }
    }
}

impl PartialEq<Step> for StepRef {
    fn eq(&self, other: &Step) -> bool {
        self.step == *other
    }
}

impl<'de> Deserialize<'de> for StepRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(StepRef::named(String::deserialize(d)?.trim()))
    }
}

/// When a step's clock starts: `received` (or the reopen that began the round), `valid`
/// (when the complaint was classified valid: "投诉成立后"), `closed`, or `after STEP`, when
/// another step was recorded (an approval after the plan).
#[derive(Debug, Clone)]
pub enum Start {
    Received,
    Valid,
    Closed,
    After(StepRef),
}

impl<'de> Deserialize<'de> for Start {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            ["received"] => Ok(Start::Received),
            ["valid"] => Ok(Start::Valid),
            ["closed"] => Ok(Start::Closed),
            ["after", step] => Ok(Start::After(StepRef::named(step))),
            _ => Err(serde::de::Error::custom(format!(
                "'{s}' is not when a clock starts (write received, valid, closed or 'after STEP')"
            ))),
        }
    }
}

/// One cell of a deadline table, written `2h`, `5d working`, `15d, warn 7d`,
/// `plan-finish or 15d` or `end-of-day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub kind: LimitKind,
    pub clock: Option<Clock>,
    pub warn: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitKind {
    Within(Span),
    /// The plan's finish date if one was given, else the span.
    PlanFinishOr(Span),
    /// The end of the day the clock started on.
    EndOfDay,
    /// By the end of the Nth working day after the day the clock started ("2 个工作日内":
    /// Friday 17:00 → the end of Tuesday, not 48 working hours later).
    WorkingDays(u32),
    /// The step has no deadline here (a grade, category or type it does not apply to).
    None,
}

impl Limit {
    pub fn parse(s: &str) -> Result<Limit, String> {
        let mut parts = s.split(',');
        let main = parts.next().unwrap_or("").trim();
        let mut warn = None;
        for p in parts {
            let p = p.trim();
            match p.strip_prefix("warn ") {
                Some(w) => warn = Some(Span::parse(w)?),
                None => {
                    return Err(format!(
                        "'{p}' in '{s}': only 'warn <duration>' may follow a comma"
                    ));
                }
            }
        }
        let words: Vec<&str> = main.split_whitespace().collect();
        let clock_word = |w: &str| match w {
            "working" => Ok(Clock::Working),
            "calendar" => Ok(Clock::Calendar),
            _ => Err(format!(
                "'{w}' in '{s}' is not a clock (working or calendar)"
            )),
        };
        let (kind, clock) = match words.as_slice() {
            ["end-of-day"] => (LimitKind::EndOfDay, None),
            ["none"] => (LimitKind::None, None),
            [n, "working-days" | "working-day"] => {
                let n: u32 = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=366).contains(n))
                    .ok_or_else(|| {
                        format!("'{n}' in '{s}' is not a number of working days (1 to 366)")
                    })?;
                (LimitKind::WorkingDays(n), Some(Clock::Working))
            }
            ["plan-finish", "or", d] => (LimitKind::PlanFinishOr(Span::parse(d)?), None),
            ["plan-finish", "or", d, c] => (
                LimitKind::PlanFinishOr(Span::parse(d)?),
                Some(clock_word(c)?),
            ),
            [d] => (LimitKind::Within(Span::parse(d)?), None),
            [d, c] => (LimitKind::Within(Span::parse(d)?), Some(clock_word(c)?)),
            _ => {
                return Err(format!(
                    "'{s}' is not a time limit (write 2h, '5d working', '15d, warn 7d', 'plan-finish or 15d', '2 working-days', end-of-day or none)"
                ));
            }
        };
        Ok(Limit { kind, clock, warn })
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Limit::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRule {
    /// The step's name on the forms; the five built-in steps have theirs already.
    pub label: Option<String>,
    /// Other names users may type for the step (rulebook-defined steps).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    pub clock: Clock,
    pub starts: Start,
    pub by_grade: Option<Ordered<Limit>>,
    pub by_category: Option<Ordered<Ordered<Limit>>>,
    /// The complaints the step applies to; others have no such deadline.
    pub when: Option<When>,
    /// Roles that may sign the step (an approval); `plaint step --role` is checked against
    /// them. Rulebook-defined steps only.
    #[serde(default)]
    pub signers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub forward: Option<StepRule>,
    pub respond: Option<StepRule>,
    pub plan: Option<StepRule>,
    pub close: Option<StepRule>,
    pub callback: Option<StepRule>,
    /// Steps of the rulebook's own (a visit, an approval), recorded with `plaint step`.
    #[serde(default)]
    pub steps: Ordered<StepRule>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub invalid_steps: Vec<StepRef>,
    #[serde(default)]
    pub reopen_restarts: Vec<StepRef>,
    #[serde(default)]
    pub delay_approvers: Ordered<String>,
    /// The clause that names who signs a delay (§8.2).
    #[serde(default, deserialize_with = "clause")]
    pub delay_clause: String,
}

impl Deadlines {
    /// The five built-in steps' rules, where given, with their codes.
    pub fn builtin_rules(&self) -> impl Iterator<Item = (&'static str, &StepRule)> {
        Step::BUILT_IN
            .into_iter()
            .filter_map(|s| Some((Step::CODES[s.index()], self.step(s)?)))
    }

    /// The rule of a step, if the rulebook gives it a deadline.
    pub fn step(&self, s: Step) -> Option<&StepRule> {
        match s {
            Step::FORWARD => self.forward.as_ref(),
            Step::RESPOND => self.respond.as_ref(),
            Step::PLAN => self.plan.as_ref(),
            Step::CLOSE => self.close.as_ref(),
            Step::CALLBACK => self.callback.as_ref(),
            Step(i) => self
                .steps
                .0
                .get((i as usize).checked_sub(Step::BUILT_IN.len())?)
                .map(|(_, r)| r),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub step: StepRef,
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    #[serde(default)]
    pub label: String,
    pub when: When,
    pub limit: Limit,
    /// `true`: the limit replaces the table's, later or earlier (or `none`: no deadline);
    /// default: it applies only when it is earlier.
    #[serde(default)]
    pub replace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Person {
    Handler,
    Receiver,
    HandlerOrReceiver,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Penalty {
    pub rule: String,
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    #[serde(default)]
    pub label: String,
    pub step: StepRef,
    pub person: Person,
    pub amount: Option<Money>,
    #[serde(default)]
    pub amount_if_received_by: Ordered<Money>,
    #[serde(default)]
    pub per_late_day: Vec<DayRate>,
    pub beyond: Option<Beyond>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRate {
    pub through_day: u32,
    pub amount: Money,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beyond {
    pub rule: String,
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    #[serde(default)]
    pub label: String,
    pub min: Money,
    pub max: Money,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub label: String,
    #[serde(default, deserialize_with = "clause")]
    pub clause: String,
    pub amount: Money,
    /// The grades it applies to (§11: major and crisis complaints only); empty: all.
    #[serde(default)]
    pub grades: Vec<String>,
    /// Other names users may type for the code.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Labelled for Violation {
    fn label(&self) -> &str {
        &self.label
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rewards {
    pub callback_weight: u32,
    pub platform_weight: u32,
    pub tiers: Vec<Tier>,
    /// Departments that earn no reward (the appended table: "除客服部外").
    #[serde(default)]
    pub exclude_departments: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub at_least: Option<u32>,
    pub above: Option<u32>,
    pub amount: Money,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRules {
    #[serde(default)]
    pub columns: Ordered<Vec<String>>,
}
