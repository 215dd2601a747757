//! The steps of a complaint's life (SPEC §8): each appends one event, or is refused with a
//! reason and writes nothing.

use super::Outcome;
use super::facts::{check_facts, split_list};
use super::{Ctx, actor, event_time, refuse};
use crate::cli::{
    AssignArgs, CallbackArgs, ClassifyArgs, CloseArgs, DelayArgs, FactArgs, NoteArgs, PlanArgs,
    ReasonArgs, StepArgs, ViolationArgs, WriteOpts, YesNo,
};
use crate::desk::Desk;
use crate::money::Money;
use crate::rules::assess::Assessment;
use crate::rules::grading::Peers;
use crate::rules::state::State;
use crate::rules::{Rules, Start, Step, admit};
use crate::ticket::{self, Action, Event, Status, Ticket};
use crate::time::{Moment, human, parse_due, parse_moment};
use anyhow::{Result, anyhow, bail};

/// Appends the event `build` makes, after the checks every step shares. `build` sees the
/// ticket with every event it has so far, and the moment of the new one.
pub(super) fn record(
    ctx: &Ctx,
    id: &str,
    w: &WriteOpts,
    done: &str,
    build: impl FnOnce(&Desk, &Ticket, &State, Moment) -> Result<Action>,
) -> Result<Outcome> {
    let desk = ctx.open()?;
    let stamp = event_time(&desk, w)?;
    let at = stamp.at;
    let by = actor(w)?;
    desk.commit_as(&by, !ctx.no_commit);
    let event = desk.append(id, |t| {
        if at < t.received_at {
            bail!(
                "--at {} is before {} was received ({})",
                human(&at),
                t.id,
                human(&t.received_at)
            );
        }
        let state = t.state_at(&desk.rules, latest(t, at));
        let action = build(&desk, t, &state, at)?;
        let event = stamp.event(&by, action);
        repairs_only(&desk.rules, t, &event)?;
        Ok(event)
    })?;
    let what = super::summary(&event);
    let message = if what.is_empty() {
        format!("{id} {}", event.action.kind())
    } else {
        format!("{id} {}: {what}", event.action.kind())
    };
    super::commit(&desk, &message);
    // The ID on stdout, for scripts; the sentence on stderr, for people (`-q` drops it).
    crate::output::print(id)?;
    crate::output::note(&format!("{done} {id}"));
    Ok(Outcome::Done)
}

/// The moment to judge a step against: the ticket as it stands with everything recorded so
/// far, back-dated steps included.
pub fn latest(t: &Ticket, at: Moment) -> Moment {
    t.events.iter().map(|e| e.at).max().unwrap_or(at).max(at)
}

fn must_be_open(s: &State, what: &str) -> Result<()> {
    if s.status == Status::Closed {
        bail!(
            "{} is closed ({}); reopen it with `plaint reopen {} --reason ...` before you {what}",
            s.ticket.id,
            s.closed_at.as_ref().map(human).unwrap_or_default(),
            s.ticket.id
        );
    }
    Ok(())
}

/// Steps the rulebook does not run for invalid tickets are refused on them (SPEC §6).
fn must_apply(rules: &Rules, s: &State, step: Step) -> Result<()> {
    if !s.valid
        && !rules
            .book
            .deadlines
            .invalid_steps
            .iter()
            .any(|s| *s == step)
    {
        bail!(
            "{} is classified invalid ({}); an invalid complaint has no {} step (reclassify it with --valid first)",
            s.ticket.id,
            s.invalid_reason.unwrap_or("-"),
            rules.step_code(step)
        );
    }
    Ok(())
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn required(v: &str, option: &str) -> Result<String> {
    let t = v.trim();
    if t.is_empty() {
        bail!("{option} is empty; say why");
    }
    Ok(t.to_string())
}

pub fn classify(ctx: &Ctx, a: ClassifyArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "classified", |desk, _t, s, _at| {
        let r = &desk.rules;
        let mut p = Vec::new();
        let mut c = ticket::Classify::default();
        let mut take = |opt: &str, res: Result<String, String>| match res {
            Ok(v) => Some(v),
            Err(e) => {
                p.push(format!("--{opt}: {e}"));
                None
            }
        };
        if a.valid {
            c.valid = Some(true);
        }
        if let Some(reason) = &a.invalid {
            c.valid = Some(false);
            c.invalid_reason = take("invalid", r.invalid_reasons().resolve(reason));
        }
        c.category = a
            .category
            .as_ref()
            .and_then(|v| take("category", r.categories().resolve(v)));
        c.grade = a
            .grade
            .as_ref()
            .and_then(|v| take("grade", r.grades().resolve(v)));
        // The facts customer service may correct are checked as `log` checks them.
        let facts = FactArgs {
            type_: a.type_.clone(),
            target: a.target.clone(),
            headcount: a.headcount,
            flags: a.flags.clone(),
            compensation: a.compensation.clone(),
            ..Default::default()
        };
        match check_facts(r, &facts) {
            Ok(f) => {
                c.type_ = f.type_;
                c.target = f.target;
                c.headcount = f.headcount;
                c.flags = f.flags;
                c.compensation = f.compensation;
            }
            Err(ps) => p.extend(ps),
        }
        c.reason = text(&a.reason);
        if c.grade.is_some() && c.reason.is_none() {
            p.push("--reason: a grade set by hand needs a reason".into());
        }
        refuse(p)?;
        let nothing = c.valid.is_none()
            && c.type_.is_none()
            && c.category.is_none()
            && c.grade.is_none()
            && c.target.is_none()
            && c.flags.is_none()
            && c.headcount.is_none()
            && c.compensation.is_none();
        if nothing {
            bail!(
                "nothing to classify: give --valid or --invalid REASON, --type, --grade ... (see plaint classify --help)"
            );
        }
        must_be_open(s, "classify it")?;
        Ok(Action::Classify(Box::new(c)))
    })
}

pub fn assign(ctx: &Ctx, a: AssignArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "assigned", |desk, _t, s, _at| {
        let r = &desk.rules;
        must_be_open(s, "assign it")?;
        let department = match &a.department {
            Some(d) => r
                .departments()
                .resolve(d)
                .map_err(|e| anyhow!("--department: {e}"))?,
            None => admit::assigned_department(r, s).map_err(option_error)?,
        };
        let mut cooperating = Vec::new();
        for c in a.cooperating.iter().flat_map(|c| split_list(c)) {
            let code = r
                .departments()
                .resolve(&c)
                .map_err(|e| anyhow!("--cooperating: {e}"))?;
            if !cooperating.contains(&code) {
                cooperating.push(code);
            }
        }
        Ok(Action::Assign(Box::new(ticket::Assign {
            department: Some(department),
            handler: text(&a.handler),
            cooperating,
        })))
    })
}

pub fn forward(ctx: &Ctx, a: NoteArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "forwarded", |desk, _t, s, _at| {
        if let Some(e) = s.done_this_round(&desk.rules, Step::FORWARD) {
            bail!(
                "{} was already forwarded at {} by {}",
                s.ticket.id,
                human(&e.at),
                e.by
            );
        }
        Ok(Action::Forward(ticket::Note {
            note: text(&a.note),
        }))
    })
}

pub fn respond(ctx: &Ctx, a: NoteArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "responded", |desk, _t, s, _at| {
        must_be_open(s, "respond")?;
        if let Some(e) = s.done_this_round(&desk.rules, Step::RESPOND) {
            bail!(
                "{} already had its first response at {} by {}",
                s.ticket.id,
                human(&e.at),
                e.by
            );
        }
        Ok(Action::Respond(ticket::Note {
            note: text(&a.note),
        }))
    })
}

pub fn plan(ctx: &Ctx, a: PlanArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "planned", |desk, _t, s, at| {
        let r = &desk.rules;
        let mut p = Vec::new();
        let action = r
            .plan_actions()
            .resolve(&a.action)
            .map_err(|e| p.push(format!("--action: {e}")))
            .ok();
        let start = a
            .start
            .as_ref()
            .map(|v| parse_moment(v, r.offset))
            .transpose()
            .map_err(|e| p.push(format!("--start: {e}")))
            .ok()
            .flatten();
        let finish = a
            .finish
            .as_ref()
            .map(|v| parse_due(v, r.offset))
            .transpose()
            .map_err(|e| p.push(format!("--finish: {e}")))
            .ok()
            .flatten();
        let cost = a
            .cost
            .as_ref()
            .map(|v| Money::parse(v))
            .transpose()
            .map_err(|e| p.push(format!("--cost: {e}")))
            .ok()
            .flatten();
        if let (Some(st), Some(f)) = (start, finish)
            && f < st
        {
            p.push(format!(
                "--finish {} is before --start {}",
                human(&f),
                human(&st)
            ));
        }
        if let Some(f) = finish
            && f < at
        {
            p.push(format!(
                "--finish {} is before the plan itself ({}): a plan cannot finish before it is made",
                human(&f),
                human(&at)
            ));
        }
        refuse(p)?;
        must_be_open(s, "plan")?;
        must_apply(r, s, Step::PLAN)?;
        Ok(Action::Plan(Box::new(ticket::Plan {
            action: action.unwrap_or_default(),
            start,
            finish,
            cost,
            note: text(&a.note),
        })))
    })
}

pub fn close(ctx: &Ctx, a: CloseArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "closed", |desk, _t, s, _at| {
        let r = &desk.rules;
        let code = r
            .close_reasons()
            .resolve(&a.reason)
            .map_err(|e| anyhow!("--reason: {e}"))?;
        if s.status == Status::Closed {
            bail!(
                "{} is already closed ({}); a ticket is closed once",
                s.ticket.id,
                s.closed_at.as_ref().map(human).unwrap_or_default()
            );
        }
        admit::close(
            r,
            &code,
            &admit::Closing {
                ticket: &s.ticket.id,
                valid: s.valid,
                category: s.category,
                has_plan: s.events.iter().any(|e| matches!(e.action, Action::Plan(_))),
                property_confirmed: a.property_confirmed,
            },
        )
        .map_err(option_error)?;
        Ok(Action::Close(ticket::Close {
            reason: code,
            property_confirmed: a.property_confirmed,
            note: text(&a.note),
        }))
    })
}

/// A refusal of the domain's, said as the option it is about.
fn option_error(r: admit::Refusal) -> anyhow::Error {
    anyhow!("{}: {}", option_of(r.field), r.message)
}

fn option_of(f: admit::Field) -> &'static str {
    use admit::Field;
    match f {
        Field::Timeliness => "--timeliness",
        Field::PlanScore => "--plan",
        Field::Attitude => "--attitude",
        Field::Comment => "--comment",
        Field::CloseReason => "--reason",
        Field::PropertyConfirmed => "--property-confirmed",
        Field::Department => "--department",
    }
}

pub fn callback(ctx: &Ctx, a: CallbackArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "called back", |desk, _t, s, _at| {
        let comment = text(&a.comment);
        let [ti, pl, at] = admit::callback(
            &desk.rules,
            [a.timeliness, a.plan, a.attitude],
            comment.as_deref(),
        )
        .map_err(|rs| {
            anyhow!(
                "{}",
                rs.into_iter()
                    .map(|r| format!("{}: {}", option_of(r.field), r.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })?;
        if s.status != Status::Closed {
            bail!(
                "{} is not closed; the callback comes after closing (§7.4)",
                s.ticket.id
            );
        }
        must_apply(&desk.rules, s, Step::CALLBACK)?;
        let closed = s.closed_at.unwrap_or(s.ticket.received_at);
        if let Some(e) = s
            .events
            .iter()
            .find(|e| e.at >= closed && matches!(e.action, Action::Callback(_)))
        {
            bail!(
                "{} was already called back at {} by {}",
                s.ticket.id,
                human(&e.at),
                e.by
            );
        }
        Ok(Action::Callback(Box::new(ticket::Callback {
            timeliness: ti,
            plan: pl,
            attitude: at,
            acknowledged: a.acknowledged.map(|v| v == YesNo::Yes),
            visited: a.visited.map(|v| v == YesNo::Yes),
            comment,
        })))
    })
}

/// `plaint step ID NAME`: a step the rulebook defines (a visit within 2 working days, an
/// approval by the VP), checked like the built-in ones and, when signed, against its signers.
pub fn step(ctx: &Ctx, a: StepArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(
        ctx,
        &id,
        &a.write,
        "recorded the step of",
        |desk, _t, s, _at| {
            let r = &desk.rules;
            let step = r.resolve_step(&a.step).map_err(|e| anyhow!("{e}"))?;
            let code = r.step_code(step).to_string();
            let label = r.step_label(step).to_string();
            if step.is_built_in() {
                bail!("{label} ({code}) has a command of its own: plaint {code} {id} ...");
            }
            let rule = r
                .step_rule(step)
                .ok_or_else(|| anyhow!("the rulebook gives {code} no rule"))?;
            must_apply(r, s, step)?;
            let role = text(&a.role);
            let approved_by = text(&a.approved_by);
            let (role, approved_by) = if rule.signers.is_empty() {
                if role.is_some() || approved_by.is_some() {
                    bail!(
                        "{label} ({code}) is not signed; --role and --approved-by are for the steps whose rule names signers"
                    );
                }
                (None, None)
            } else {
                let valid = rule.signers.join(", ");
                match role {
                    None => bail!("{label} ({code}) is signed by {valid}: say which with --role"),
                    Some(x) if !rule.signers.contains(&x) => {
                        bail!("--role: {x} may not sign {label} ({code}); valid: {valid}")
                    }
                    Some(x) => (
                        Some(x),
                        Some(approved_by.map_or_else(|| actor(&a.write), Ok)?),
                    ),
                }
            };
            match &rule.starts {
                Start::Closed if s.status != Status::Closed => bail!(
                    "{id} is open; {label} ({code}) follows the close, and {id} is not closed yet"
                ),
                Start::Closed => {}
                _ => must_be_open(s, &format!("record {label}"))?,
            }
            if let Start::After(after) = &rule.starts
                && s.done_this_round(r, after.step).is_none()
            {
                bail!(
                    "{label} ({code}) follows {} ({}), which {id} has not had yet",
                    r.step_label(after.step),
                    after.code
                );
            }
            if let Some(e) = s.done_this_round(r, step) {
                bail!(
                    "{id} already had {label} ({code}) at {} by {}",
                    human(&e.at),
                    e.by
                );
            }
            Ok(Action::Step(Box::new(ticket::StepDone {
                step: code,
                role,
                approved_by,
                note: text(&a.note),
            })))
        },
    )
}

pub fn reopen(ctx: &Ctx, a: ReasonArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "reopened", |_desk, _t, s, at| {
        let reason = required(&a.reason, "--reason")?;
        if s.status != Status::Closed {
            bail!(
                "{} is open; only a closed complaint can be reopened",
                s.ticket.id
            );
        }
        if s.closed_at.is_some_and(|c| at < c) {
            bail!("--at {} is before the ticket was closed", human(&at));
        }
        Ok(Action::Reopen(ticket::Reason {
            reason,
            department: None,
        }))
    })
}

pub fn escalate(ctx: &Ctx, a: ReasonArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(ctx, &id, &a.write, "escalated", |desk, t, s, at| {
        let reason = required(&a.reason, "--reason")?;
        must_be_open(s, "escalate it")?;
        let r = &desk.rules;
        let grade = grade_now(desk, t, at)?;
        let rule = r
            .book
            .grading
            .rules
            .iter()
            .find(|g| g.when.escalated_from.as_deref() == Some(grade.as_str()));
        // Up the rulebook's chain of departments, where it names one.
        let next = r.book.escalation.as_ref().and_then(|e| {
            let here = s.department?;
            let i = e.chain.iter().position(|d| d == here)?;
            e.chain.get(i + 1).map(|d| (d.clone(), e.clause.clone()))
        });
        if rule.is_none() && next.is_none() {
            bail!(
                "{} is graded {} ({grade}){}; the rulebook has no rule that raises a {grade} complaint for mishandling{}. Customer service can set a grade with `plaint classify {} --grade G --reason ...`",
                t.id,
                r.grades().label(&grade),
                s.department
                    .map(|d| format!(" and handled by {}", r.departments().label(d)))
                    .unwrap_or_default(),
                if r.book.escalation.is_some() {
                    " and no department above this one in its chain"
                } else {
                    ""
                },
                t.id
            );
        }
        if let Some(g) = rule {
            eprintln!(
                "{}: {} → {} (§{} {})",
                t.id,
                r.grades().label(&grade),
                r.grades().label(&g.grade),
                g.clause,
                g.label
            );
        }
        if let Some((d, clause)) = &next {
            eprintln!(
                "{}: {} → {} (§{clause})",
                t.id,
                s.department
                    .map(|x| r.departments().label(x).to_string())
                    .unwrap_or_else(|| "—".into()),
                r.departments().label(d)
            );
        }
        Ok(Action::Escalate(ticket::Reason {
            reason,
            department: next.map(|(d, _)| d),
        }))
    })
}

/// §4.2 只修不赔: after `event`, a complaint the rulebook repairs only may not carry
/// compensation.
pub fn repairs_only(rules: &Rules, t: &Ticket, event: &Event) -> Result<()> {
    if !matches!(event.action, Action::Amend(_) | Action::Classify(_)) {
        return Ok(());
    }
    let mut after = t.clone();
    after.events.push(event.clone());
    let s = after.state_at(rules, latest(&after, event.at));
    if let Some(why) = rules.repairs_only(s.facts.compensation, Some(s.category), s.type_) {
        bail!("{}: {why}", t.id);
    }
    Ok(())
}

/// The grade of `t` at `at`, with everything recorded so far.
fn grade_now(desk: &Desk, t: &Ticket, at: Moment) -> Result<String> {
    let when = latest(t, at);
    let peers = peers_for(desk, t, when)?;
    Ok(
        Assessment::of(&desk.rules, t, &peers, at.max(t.received_at))
            .grade()
            .to_string(),
    )
}

/// The tickets that share a target with `t`, for the "same target" grading rules; the desk
/// is read only when the ticket has a target at all.
pub fn peers_for(desk: &Desk, t: &Ticket, at: Moment) -> Result<Peers> {
    let s = t.state_at(&desk.rules, at);
    if s.facts.target.is_none() {
        return Ok(Peers::default());
    }
    desk.peers_of(t, at)
}

pub fn delay(ctx: &Ctx, a: DelayArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(
        ctx,
        &id,
        &a.write,
        "recorded the delay of",
        |desk, t, s, at| {
            let reason = required(&a.reason, "--reason")?;
            let approved_by = required(&a.approved_by, "--approved-by")?;
            must_be_open(s, "ask for more time")?;
            // §8.2: who signs depends on the grade at the time of the request.
            let r = &desk.rules;
            let grade = grade_now(desk, t, at)?;
            let signers = r.delay_signers(&grade);
            let role = a.role.as_deref().map(str::trim).filter(|x| !x.is_empty());
            let role = match (role, signers.is_empty()) {
                (_, true) | (None, false) => role.map(str::to_string),
                (Some(x), false) if signers.contains(&x) => Some(x.to_string()),
                (Some(x), false) => bail!(
                    "--role: {x} cannot sign the delay of a {} complaint; it needs {} (§{})",
                    r.grades().label(&grade),
                    signers.join(" or "),
                    r.book.deadlines.delay_clause
                ),
            };
            Ok(Action::Delay(ticket::Delay {
                reason,
                approved_by,
                role,
            }))
        },
    )
}

pub fn violation(ctx: &Ctx, a: ViolationArgs) -> Result<Outcome> {
    let id = a.id.clone();
    record(
        ctx,
        &id,
        &a.write,
        "recorded a violation on",
        |desk, t, _s, at| {
            let r = &desk.rules;
            let mut p = Vec::new();
            let rule = r
                .violations()
                .resolve(&a.rule)
                .map_err(|e| p.push(format!("--rule: {e}")))
                .ok();
            let department = r
                .departments()
                .resolve(&a.department)
                .map_err(|e| p.push(format!("--department: {e}")))
                .ok();
            let person = required(&a.person, "--person")
                .map_err(|e| p.push(e.to_string()))
                .ok();
            refuse(p)?;
            if let Some(v) = rule.as_deref().and_then(|c| r.book.violations.get(c))
                && !v.grades.is_empty()
            {
                let grade = grade_now(desk, t, at)?;
                if !v.grades.contains(&grade) {
                    bail!(
                        "--rule: {} (§{}) applies to {} complaints; {} is {}",
                        v.label,
                        v.clause,
                        v.grades
                            .iter()
                            .map(|g| r.grades().label(g).to_string())
                            .collect::<Vec<_>>()
                            .join("/"),
                        t.id,
                        r.grades().label(&grade)
                    );
                }
            }
            Ok(Action::Violation(ticket::Violation {
                rule: rule.unwrap_or_default(),
                person: person.unwrap_or_default(),
                department: department.unwrap_or_default(),
            }))
        },
    )
}
