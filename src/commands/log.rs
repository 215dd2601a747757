//! `plaint log` (register a complaint) and `plaint amend` (correct its intake facts).

use super::Outcome;
use super::facts::check_facts;
use super::{Ctx, actor, event_time, refuse};
use crate::cli::{AmendArgs, LogArgs};
use crate::ticket::{Action, Ticket};
use anyhow::{Result, bail};

pub fn log(ctx: &Ctx, a: LogArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let mut problems = Vec::new();
    let facts = check_facts(rules, &a.facts()).unwrap_or_else(|p| {
        problems.extend(p);
        Default::default()
    });
    if let Some(why) = rules.repairs_only(facts.compensation, None, facts.type_.as_deref()) {
        problems.push(format!("--compensation: {why}"));
    }
    let at = event_time(&desk, &a.write);
    let by = actor(&a.write);
    if let Err(e) = &at {
        problems.push(e.to_string());
    }
    if let Err(e) = &by {
        problems.push(e.to_string());
    }
    refuse(problems)?;
    let at = at?;
    let ticket = Ticket {
        id: String::new(),
        ext_ref: facts.ext_ref,
        project: facts.project.unwrap_or_default(),
        received_at: at.at,
        entered_at: at.entered_at,
        received_by: facts
            .received_by
            .unwrap_or_else(|| rules.book.default_receiving_department.clone()),
        channel: facts
            .channel
            .unwrap_or_else(|| rules.book.default_channel.clone()),
        logged_by: Some(by?),
        name: facts.name.unwrap_or_default(),
        phone: facts.phone.unwrap_or_default(),
        unit: facts.unit.filter(|u| !u.is_empty()),
        subject: facts.subject.unwrap_or_default(),
        description: facts.description,
        request: facts.request,
        headcount: facts.headcount.unwrap_or(1),
        flags: facts.flags.unwrap_or_default(),
        compensation: facts.compensation,
        target: facts.target,
        type_: facts.type_,
        source: None,
        fingerprint: None,
        unrecorded: Vec::new(),
        events: Vec::new(),
    };
    let subject = ticket.subject.clone();
    let by = ticket.logged_by.clone().unwrap_or_default();
    desk.commit_as(&by, !ctx.no_commit);
    let id = desk.create(ticket)?;
    super::commit(&desk, &format!("{id} log: {subject}"));
    crate::output::print(&id)?;
    Ok(Outcome::Done)
}

pub fn amend(ctx: &Ctx, a: AmendArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let mut problems = Vec::new();
    let mut facts = check_facts(&desk.rules, &a.facts()).unwrap_or_else(|p| {
        problems.extend(p);
        Default::default()
    });
    if a.no_flags {
        facts.flags = Some(Vec::new());
    }
    facts.reason = a.reason.clone().filter(|r| !r.trim().is_empty());
    let at = event_time(&desk, &a.write);
    let by = actor(&a.write);
    if let Err(e) = &at {
        problems.push(e.to_string());
    }
    if let Err(e) = &by {
        problems.push(e.to_string());
    }
    if problems.is_empty() && facts.is_empty() {
        problems.push(
            "nothing to amend: give the facts to correct, e.g. --phone or --subject (see plaint amend --help)"
                .into(),
        );
    }
    refuse(problems)?;
    let (at, by) = (at?, by?);
    desk.commit_as(&by, !ctx.no_commit);
    let event = desk.append(&a.id, |t| {
        if let Some(r) = &facts.ext_ref {
            desk.unique_ref(r, Some(&t.id))?;
        }
        if at.at < t.received_at {
            bail!(
                "--at {} is before {} was received ({})",
                crate::time::human(&at.at),
                t.id,
                crate::time::human(&t.received_at)
            );
        }
        let event = at.event(&by, Action::Amend(Box::new(facts)));
        super::lifecycle::repairs_only(&desk.rules, t, &event)?;
        Ok(event)
    })?;
    super::commit(
        &desk,
        &format!("{} amend: {}", a.id, super::summary(&event)),
    );
    eprintln!("amended {}", a.id);
    Ok(Outcome::Done)
}
