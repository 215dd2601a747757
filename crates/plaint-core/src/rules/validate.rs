//! Validating a rulebook section by section: every problem placed on the line of the
//! rulebook that causes it, all problems reported at once, so that `plaint check` can name
//! each as `rules.yaml:LINE: message`. Each section has its own small check below; the
//! order of the calls in `calendar`, `steps` and `book` is the order the problems are listed.

use super::*;

pub(super) struct Validator<'a> {
    pub(super) text: &'a str,
    pub(super) problems: Vec<Problem>,
}

impl Validator<'_> {
    /// Records a problem, placing it on the first line of `section` that mentions `needle`.
    pub(super) fn at(&mut self, section: &str, needle: &str, message: impl Into<String>) {
        let line = locate(self.text, section, needle);
        self.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    /// `calendar`: reads the working week, holidays, make-up workdays, business hours and the
    /// years whose holidays are entered.
    pub(super) fn calendar(&mut self, c: &CalendarRules) -> Calendar {
        let mut cal = Calendar::default();
        self.weekend(c, &mut cal);
        self.holidays(c, &mut cal);
        self.workdays(c, &mut cal);
        self.hours(c, &mut cal);
        self.years(c, &mut cal);
        cal
    }

    /// `calendar.weekend`: days of the week, each once, and not all seven.
    fn weekend(&mut self, c: &CalendarRules, cal: &mut Calendar) {
        for w in &c.weekend {
            match weekday(w) {
                Some(d) if cal.weekend.contains(&d) => {
                    self.at("calendar", w, format!("calendar.weekend lists '{w}' twice"))
                }
                Some(d) => cal.weekend.push(d),
                None => self.at(
                    "calendar",
                    w,
                    format!("calendar.weekend: '{w}' is not a day of the week (monday … sunday)"),
                ),
            }
        }
        if cal.weekend.len() == 7 {
            self.at(
                "calendar",
                "weekend",
                "calendar.weekend covers every day; no day would be worked",
            );
        }
    }

    /// `calendar.holidays`: real dates or ranges of at most a year that end after they
    /// start, each with its name if given.
    fn holidays(&mut self, c: &CalendarRules, cal: &mut Calendar) {
        for h in &c.holidays {
            let (dates, name) = entry(h);
            let r = match dates.split_once("..") {
                Some((a, b)) => date(a).and_then(|a| date(b).map(|b| (a, b))),
                None => date(&dates).map(|d| (d, d)),
            };
            match r {
                Ok((a, b)) if b < a => self.at(
                    "calendar",
                    &dates,
                    format!("calendar.holidays: the range '{dates}' ends before it starts"),
                ),
                Ok((a, b)) if (b - a).num_days() > 366 => self.at(
                    "calendar",
                    &dates,
                    format!("calendar.holidays: the range '{dates}' is longer than a year"),
                ),
                Ok((a, b)) => {
                    for d in a.iter_days().take_while(|d| *d <= b) {
                        cal.holidays.insert(d);
                        if let Some(n) = &name {
                            cal.names.insert(d, n.clone());
                        }
                    }
                }
                Err(e) => self.at("calendar", &dates, format!("calendar.holidays: {e}")),
            }
        }
    }

    /// `calendar.workdays`: the make-up working days, real dates each with its name if given.
    fn workdays(&mut self, c: &CalendarRules, cal: &mut Calendar) {
        for w in &c.workdays {
            let (d, name) = entry(w);
            match date(&d) {
                Ok(day) => {
                    cal.workdays.insert(day);
                    if let Some(n) = name {
                        cal.names.insert(day, n);
                    }
                }
                Err(e) => self.at("calendar", &d, format!("calendar.workdays: {e}")),
            }
        }
    }

    /// `calendar.hours`: business hours as spans in order, none overlapping.
    fn hours(&mut self, c: &CalendarRules, cal: &mut Calendar) {
        let time = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M");
        for h in &c.hours {
            let span = h
                .split_once('-')
                .and_then(|(a, b)| Some((time(a).ok()?, time(b).ok()?)));
            match span {
                Some((a, b)) if a < b && cal.hours.last().is_none_or(|(_, end)| *end <= a) => {
                    cal.hours.push((a, b))
                }
                Some(_) => self.at(
                    "calendar",
                    h,
                    format!("calendar.hours: '{h}' must end after it starts and after the span before it"),
                ),
                None => self.at(
                    "calendar",
                    h,
                    format!("calendar.hours: '{h}' is not a span of hours (write it like 09:00-12:00)"),
                ),
            }
        }
    }

    /// `calendar.years`: the years whose holidays are entered, declared (years plaint keeps,
    /// covering every holiday and workday) or else the years the dates fall in.
    fn years(&mut self, c: &CalendarRules, cal: &mut Calendar) {
        let mut years = std::collections::BTreeSet::new();
        match &c.years {
            Some(list) => {
                for y in list {
                    if !(2000..=2099).contains(y) {
                        self.at(
                            "calendar",
                            "years",
                            format!("calendar.years: {y} is not a year plaint keeps (2000–2099)"),
                        );
                    } else {
                        years.insert(*y);
                    }
                }
                for d in cal.holidays.iter().chain(cal.workdays.iter()) {
                    if !years.contains(&d.year()) {
                        self.at(
                            "calendar",
                            &d.to_string(),
                            format!(
                                "calendar: {d} is in {}, which calendar.years does not list; add the year once its holidays and make-up days are all entered",
                                d.year()
                            ),
                        );
                        break;
                    }
                }
            }
            None => years.extend(
                cal.holidays
                    .iter()
                    .chain(cal.workdays.iter())
                    .map(|d| d.year()),
            ),
        }
        cal.years = (!years.is_empty()).then_some(years);
    }

    /// Names every step (built-in, then the rulebook's own) and settles each step the
    /// rulebook refers to by name.
    pub(super) fn steps(&mut self, b: &mut Rulebook) -> Vec<StepName> {
        let mut names = built_in_names(&b.deadlines);
        if b.deadlines.steps.0.len() > 200 {
            self.at("deadlines", "steps", "deadlines.steps: more than 200 steps");
            b.deadlines.steps.0.truncate(200);
        }
        for (code, r) in b.deadlines.steps.iter() {
            self.own_step(&mut names, code, r);
        }
        self.built_in_steps(&b.deadlines);
        self.resolve_steps(b, &names);
        names
    }

    /// `deadlines.steps.CODE`: a code of the rulebook's own, a label, and a label and aliases
    /// that name no other step; the step's name is added to `names`.
    fn own_step(&mut self, names: &mut Vec<StepName>, code: &str, r: &StepRule) {
        let label = r.label.clone().unwrap_or_default();
        self.step_code(code);
        if label.trim().is_empty() {
            self.at(
                "deadlines",
                code,
                format!("deadlines.steps.{code} has no label"),
            );
        }
        for word in std::iter::once(&label).chain(&r.aliases) {
            if let Some(other) = names
                .iter()
                .find(|n| n.code == *word || n.label == *word || n.aliases.contains(word))
            {
                self.at(
                    "deadlines",
                    word,
                    format!(
                        "deadlines.steps: '{word}' names both '{code}' and '{}'",
                        other.code
                    ),
                );
            }
        }
        names.push(StepName {
            code: code.to_string(),
            label,
            aliases: r.aliases.clone(),
        });
    }

    /// `deadlines.steps`: a step's code is not a built-in name and is made of letters,
    /// digits, '-' and '_'.
    fn step_code(&mut self, code: &str) {
        if Step::built_in(code).is_some() || ["received", "closed", "after", "all"].contains(&code)
        {
            self.at(
                "deadlines",
                code,
                format!("deadlines.steps: '{code}' is a built-in name; give the step another code"),
            );
        } else if !code
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            || code.is_empty()
        {
            self.at(
                "deadlines",
                code,
                format!("deadlines.steps: '{code}' is not a code (letters, digits, '-' or '_')"),
            );
        }
    }

    /// `deadlines.forward` … `deadlines.callback`: the built-in steps take no signers or
    /// aliases.
    fn built_in_steps(&mut self, d: &Deadlines) {
        for (code, r) in d.builtin_rules() {
            if !r.signers.is_empty() || !r.aliases.is_empty() {
                self.at(
                    "deadlines",
                    code,
                    format!("deadlines.{code}: signers and aliases belong to the rulebook's own steps (deadlines.steps)"),
                );
            }
        }
    }

    /// `deadlines` (overrides, invalid_steps, reopen_restarts, `after STEP` starts) and
    /// `penalties`: every step named is a known step, and is settled to it.
    fn resolve_steps(&mut self, b: &mut Rulebook, names: &[StepName]) {
        let d = &mut b.deadlines;
        for o in &mut d.overrides {
            self.resolve(names, &mut o.step, "deadlines");
        }
        for r in d
            .invalid_steps
            .iter_mut()
            .chain(d.reopen_restarts.iter_mut())
        {
            self.resolve(names, r, "deadlines");
        }
        for r in [
            &mut d.forward,
            &mut d.respond,
            &mut d.plan,
            &mut d.close,
            &mut d.callback,
        ]
        .into_iter()
        .flatten()
        .chain(d.steps.0.iter_mut().map(|(_, r)| r))
        {
            if let Start::After(s) = &mut r.starts {
                self.resolve(names, s, "deadlines");
            }
        }
        for p in &mut b.penalties {
            self.resolve(names, &mut p.step, "penalties");
        }
    }

    /// A step named in `section`: settled to the step of that code, or an unknown step.
    fn resolve(&mut self, names: &[StepName], r: &mut StepRef, section: &str) {
        match names.iter().position(|n| n.code == r.code) {
            Some(i) => r.step = Step(i as u8),
            None => {
                let valid: Vec<&str> = names.iter().map(|n| n.code.as_str()).collect();
                self.at(
                    section,
                    &r.code,
                    format!(
                        "{section}: unknown step '{}'; valid: {}",
                        r.code,
                        valid.join(", ")
                    ),
                );
            }
        }
    }

    /// A code used in `section` is one of `table`'s codes.
    pub(super) fn code<T>(&mut self, section: &str, what: &str, table: &Ordered<T>, code: &str) {
        if !table.contains(code) {
            let valid: Vec<&str> = table.keys().collect();
            self.at(
                section,
                code,
                format!(
                    "{section}: unknown {what} '{code}'; valid: {}",
                    valid.join(", ")
                ),
            );
        }
    }

    /// A table of codes (`grades`, `categories`, …): not empty, each code labelled, no label
    /// used twice, and each alias naming one code only.
    pub(super) fn labels<T: codes::Labelled>(&mut self, section: &str, table: &Ordered<T>) {
        if table.is_empty() {
            self.at(section, section, format!("{section} lists no codes"));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (code, v) in table.iter() {
            let l = v.label();
            if l.trim().is_empty() {
                self.at(section, code, format!("{section}: '{code}' has no label"));
            } else if seen.contains(&l) {
                self.at(
                    section,
                    l,
                    format!("{section}: the label '{l}' is used twice"),
                );
            }
            seen.push(l);
        }
        self.aliases(section, table);
    }

    /// A table's aliases: an alias names one code, not two, and not a code or label of
    /// another.
    fn aliases<T: codes::Labelled>(&mut self, section: &str, table: &Ordered<T>) {
        for (code, v) in table.iter() {
            for a in v.aliases() {
                let a = a.trim();
                if a.is_empty() {
                    self.at(
                        section,
                        code,
                        format!("{section}.{code}: an alias is empty"),
                    );
                } else if let Some((other, _)) = table.iter().find(|(k, w)| {
                    *k != code
                        && (*k == a || w.label() == a || w.aliases().iter().any(|x| x.trim() == a))
                }) {
                    self.at(
                        section,
                        a,
                        format!("{section}: '{a}' names both '{code}' and '{other}'"),
                    );
                }
            }
        }
    }

    /// Checks every section of the rulebook after the calendar and the steps, in this order.
    pub(super) fn book(&mut self, b: &Rulebook, steps: &[StepName]) {
        self.projects(b);
        self.desk(b);
        self.code_tables(b);
        self.types(b);
        self.defaults(b);
        self.close_reasons(b);
        self.grading(b);
        self.step_deadlines(b, steps);
        self.overrides(b, steps);
        self.delay_approvers(b);
        for p in &b.penalties {
            self.penalty(b, steps, p);
        }
        self.rewards(b);
        self.violations(b);
        self.escalation(b);
        self.repairs_only(b);
        self.import_columns(b);
    }

    /// `projects`: no empty name, none listed twice.
    fn projects(&mut self, b: &Rulebook) {
        let mut seen = Vec::new();
        for p in &b.projects {
            if p.trim().is_empty() {
                self.at("projects", "-", "projects: a project name is empty");
            } else if seen.contains(&p) {
                self.at("projects", p, format!("projects: '{p}' is listed twice"));
            }
            seen.push(p);
        }
    }

    /// `desk.prefix`: usable in a file name (no '/', '\' or spaces).
    fn desk(&mut self, b: &Rulebook) {
        if b.desk
            .prefix
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_whitespace())
        {
            self.at(
                "desk",
                "prefix",
                "desk.prefix may not contain '/', '\\' or spaces",
            );
        }
    }

    /// The code tables (`grades`, `categories`, `departments`, `types`, `flags`, `channels`,
    /// `invalid_reasons`, `close_reasons`, `plan_actions`): their codes, labels and aliases.
    fn code_tables(&mut self, b: &Rulebook) {
        self.labels("grades", &b.grades);
        self.labels("categories", &b.categories);
        self.labels("departments", &b.departments);
        self.labels("types", &b.types);
        self.labels("flags", &b.flags);
        self.labels("channels", &b.channels);
        self.labels("invalid_reasons", &b.invalid_reasons);
        self.labels("close_reasons", &b.close_reasons);
        self.labels("plan_actions", &b.plan_actions);
    }

    /// `types`: each type gives a department or a department rule (one of them), and its
    /// departments and category are known codes.
    fn types(&mut self, b: &Rulebook) {
        for (code, t) in b.types.iter() {
            match (&t.department, t.department_rule) {
                (Some(d), None) => self.code("types", "department", &b.departments, d),
                (None, Some(_)) => {}
                _ => self.at(
                    "types",
                    code,
                    format!("types.{code}: give either department: CODE or department_rule: receiving/manual"),
                ),
            }
            for d in &t.cooperating {
                self.code("types", "department", &b.departments, d);
            }
            self.code("types", "category", &b.categories, &t.category);
        }
    }

    /// `default_type`, `default_channel`, `default_receiving_department`: known codes.
    fn defaults(&mut self, b: &Rulebook) {
        self.code("default_type", "type", &b.types, &b.default_type);
        self.code(
            "default_channel",
            "channel",
            &b.channels,
            &b.default_channel,
        );
        self.code(
            "default_receiving_department",
            "department",
            &b.departments,
            &b.default_receiving_department,
        );
    }

    /// `close_reasons`: the categories that require a property confirmation are known.
    fn close_reasons(&mut self, b: &Rulebook) {
        for (_, r) in b.close_reasons.iter() {
            for c in &r.requires_property_confirmation {
                self.code("close_reasons", "category", &b.categories, c);
            }
        }
    }

    /// `grading`: the default and each rule's grade are known, and each rule has a
    /// condition of known codes.
    fn grading(&mut self, b: &Rulebook) {
        self.code("grading", "grade", &b.grades, &b.grading.default);
        for r in &b.grading.rules {
            self.code("grading", "grade", &b.grades, &r.grade);
            if r.when.is_empty() {
                self.at(
                    "grading",
                    &r.clause,
                    format!("grading rule {}: 'when' has no condition", r.clause),
                );
            }
            self.when("grading", b, &r.when);
        }
    }

    /// `deadlines.STEP`, for every step with a deadline: its condition, its start, its
    /// limits.
    fn step_deadlines(&mut self, b: &Rulebook, steps: &[StepName]) {
        for (i, n) in steps.iter().enumerate() {
            let step = Step(i as u8);
            let Some(s) = b.deadlines.step(step) else {
                continue;
            };
            let name = n.code.as_str();
            if let Some(w) = &s.when {
                self.when("deadlines", b, w);
            }
            if let Start::After(a) = &s.starts
                && a.step == step
            {
                self.at(
                    "deadlines",
                    name,
                    format!("deadlines.{name}: a step cannot start after itself"),
                );
            }
            self.step_limits(b, name, s);
        }
    }

    /// `deadlines.STEP.by_grade` or `.by_category` (one of them): limits for every grade,
    /// and with `by_category` for every category.
    fn step_limits(&mut self, b: &Rulebook, name: &str, s: &StepRule) {
        match (&s.by_grade, &s.by_category) {
            (Some(g), None) => self.grade_table(b, &format!("deadlines.{name}"), name, g),
            (None, Some(c)) => {
                for (cat, g) in c.iter() {
                    self.code("deadlines", "category", &b.categories, cat);
                    self.grade_table(b, &format!("deadlines.{name}.{cat}"), cat, g);
                }
                for cat in b.categories.keys() {
                    if !c.contains(cat) {
                        self.at(
                            "deadlines",
                            name,
                            format!(
                                "deadlines.{name}.by_category has no limits for category '{cat}'"
                            ),
                        );
                    }
                }
            }
            _ => self.at(
                "deadlines",
                name,
                format!("deadlines.{name}: give by_grade or by_category (one of them)"),
            ),
        }
    }

    /// `deadlines.overrides`: each overrides a step that has a deadline, plan-finish only
    /// on the close step, under a condition of known codes.
    fn overrides(&mut self, b: &Rulebook, steps: &[StepName]) {
        let d = &b.deadlines;
        for o in &d.overrides {
            if known(&o.step, steps) && d.step(o.step.step).is_none() {
                self.at(
                    "deadlines",
                    &o.step.code,
                    format!(
                        "deadlines.overrides: step '{}' has no deadline to override",
                        o.step.code
                    ),
                );
            }
            if matches!(o.limit.kind, LimitKind::PlanFinishOr(_)) && o.step.step != Step::CLOSE {
                self.at(
                    "deadlines",
                    "plan-finish",
                    "deadlines: plan-finish only applies to the close step",
                );
            }
            self.when("deadlines", b, &o.when);
        }
    }

    /// `deadlines.delay_approvers`: keyed by known grades.
    fn delay_approvers(&mut self, b: &Rulebook) {
        for (g, _) in b.deadlines.delay_approvers.iter() {
            self.code("deadlines", "grade", &b.grades, g);
        }
    }

    /// `penalties`, one rule: its step has a deadline, it gives an amount or a per-day
    /// rate, its departments are known, its days rise and its cap is not below its floor.
    fn penalty(&mut self, b: &Rulebook, steps: &[StepName], p: &Penalty) {
        if known(&p.step, steps) && b.deadlines.step(p.step.step).is_none() {
            self.at(
                "penalties",
                &p.rule,
                format!(
                    "penalties.{}: step '{}' has no deadline",
                    p.rule, p.step.code
                ),
            );
        }
        if p.amount.is_none() && p.per_late_day.is_empty() {
            self.at(
                "penalties",
                &p.rule,
                format!("penalties.{}: give amount or per_late_day", p.rule),
            );
        }
        for (dep, _) in p.amount_if_received_by.iter() {
            self.code("penalties", "department", &b.departments, dep);
        }
        let mut last = 0;
        for r in &p.per_late_day {
            if r.through_day <= last {
                self.at(
                    "penalties",
                    "through_day",
                    format!(
                        "penalties.{}: per_late_day must list through_day in increasing order",
                        p.rule
                    ),
                );
            }
            last = r.through_day;
        }
        if let Some(x) = &p.beyond
            && x.max < x.min
        {
            self.at(
                "penalties",
                &x.rule,
                format!("penalties.{}: max is below min", x.rule),
            );
        }
    }

    /// `rewards`: the weights add up to 100, each tier gives one bound, the excluded
    /// departments are known.
    fn rewards(&mut self, b: &Rulebook) {
        let Some(r) = &b.rewards else { return };
        if r.callback_weight + r.platform_weight != 100 {
            self.at(
                "rewards",
                "weight",
                "rewards: callback_weight + platform_weight must be 100",
            );
        }
        for t in &r.tiers {
            if t.at_least.is_some() == t.above.is_some() {
                self.at(
                    "rewards",
                    "tiers",
                    "rewards.tiers: each tier gives at_least or above (one of them)",
                );
            }
        }
        for d in &r.exclude_departments {
            self.code("rewards", "department", &b.departments, d);
        }
    }

    /// `violations`: the grades each violation applies to are known.
    fn violations(&mut self, b: &Rulebook) {
        for (code, v) in b.violations.iter() {
            for g in &v.grades {
                if !b.grades.contains(g) {
                    self.at(
                        "violations",
                        code,
                        format!("violations.{code}: unknown grade '{g}'"),
                    );
                }
            }
        }
    }

    /// `escalation.chain`: at least two departments, all known.
    fn escalation(&mut self, b: &Rulebook) {
        let Some(e) = &b.escalation else { return };
        if e.chain.len() < 2 {
            self.at(
                "escalation",
                "chain",
                "escalation.chain names at least two departments",
            );
        }
        for d in &e.chain {
            self.code("escalation", "department", &b.departments, d);
        }
    }

    /// `repairs_only`: its categories and types are known.
    fn repairs_only(&mut self, b: &Rulebook) {
        let Some(r) = &b.repairs_only else { return };
        for c in &r.categories {
            self.code("repairs_only", "category", &b.categories, c);
        }
        for t in &r.types {
            self.code("repairs_only", "type", &b.types, t);
        }
    }

    /// `import.columns`: every field named is one plaint imports.
    fn import_columns(&mut self, b: &Rulebook) {
        for (field, _) in b.import.columns.iter() {
            if !IMPORT_FIELDS.contains(&field) {
                self.at(
                    "import",
                    field,
                    format!(
                        "import.columns: '{field}' is not a column plaint knows; valid: {}",
                        IMPORT_FIELDS.join(", ")
                    ),
                );
            }
        }
    }

    /// `deadlines`, a table of limits by grade at `path`: its grades are known, and without
    /// `all` every grade has a limit.
    pub(super) fn grade_table(
        &mut self,
        b: &Rulebook,
        path: &str,
        needle: &str,
        t: &Ordered<Limit>,
    ) {
        let has_all = t.contains("all");
        for (g, _) in t.iter() {
            if g != "all" {
                self.code("deadlines", "grade", &b.grades, g);
            }
        }
        if !has_all {
            for g in b.grades.keys() {
                if !t.contains(g) {
                    self.at(
                        "deadlines",
                        needle,
                        format!("{path} has no limit for grade '{g}'"),
                    );
                }
            }
        }
    }

    /// A condition (`when`) in `section`: its flags, type, category and grades are known.
    pub(super) fn when(&mut self, section: &str, b: &Rulebook, w: &When) {
        for f in &w.any_flag {
            self.code(section, "flag", &b.flags, f);
        }
        if let Some(t) = &w.type_ {
            self.code(section, "type", &b.types, t);
        }
        if let Some(c) = &w.category {
            self.code(section, "category", &b.categories, c);
        }
        for g in [&w.reopened_from, &w.escalated_from].into_iter().flatten() {
            self.code(section, "grade", &b.grades, g);
        }
    }
}

/// The built-in steps' names, each with the rulebook's label where it gives one.
fn built_in_names(d: &Deadlines) -> Vec<StepName> {
    Step::CODES
        .iter()
        .zip(Step::LABELS)
        .zip(Step::BUILT_IN)
        .map(|((code, label), step)| StepName {
            code: code.to_string(),
            label: d
                .step(step)
                .and_then(|r| r.label.clone())
                .unwrap_or_else(|| label.to_string()),
            aliases: Vec::new(),
        })
        .collect()
}

/// Whether a step named in the rulebook was settled to one of `steps`.
fn known(s: &StepRef, steps: &[StepName]) -> bool {
    s.step.index() < steps.len()
}

/// A calendar entry: a date or a range `A..B`, then optionally its name
/// (`2026-10-01..2026-10-07 国庆节`).
fn entry(s: &str) -> (String, Option<String>) {
    let t = s.trim();
    match t.split_once(char::is_whitespace) {
        Some((d, name)) if !name.trim().is_empty() => {
            (d.to_string(), Some(name.trim().to_string()))
        }
        _ => (t.to_string(), None),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.trim().to_lowercase().as_str() {
        "monday" | "mon" | "周一" | "星期一" => Weekday::Mon,
        "tuesday" | "tue" | "周二" | "星期二" => Weekday::Tue,
        "wednesday" | "wed" | "周三" | "星期三" => Weekday::Wed,
        "thursday" | "thu" | "周四" | "星期四" => Weekday::Thu,
        "friday" | "fri" | "周五" | "星期五" => Weekday::Fri,
        "saturday" | "sat" | "周六" | "星期六" => Weekday::Sat,
        "sunday" | "sun" | "周日" | "星期日" | "星期天" => Weekday::Sun,
        _ => return None,
    })
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "'{}' is not a real date (write it like 2026-10-01)",
            s.trim()
        )
    })
}

/// The 1-based line of the first line mentioning `needle` as a whole word inside the
/// top-level `section` of a YAML text; the section's own line when not found.
pub fn locate(text: &str, section: &str, needle: &str) -> Option<usize> {
    let mut in_section = false;
    let mut section_line = None;
    for (i, line) in text.lines().enumerate() {
        let top = !line.starts_with([' ', '\t', '#', '-']) && !line.trim().is_empty();
        if top {
            in_section = line.starts_with(&format!("{section}:"));
            if in_section {
                section_line = Some(i + 1);
            }
        }
        if in_section && mentions(line.split('#').next().unwrap_or(""), needle) {
            return Some(i + 1);
        }
    }
    section_line
}
