//! `plaint void ID N --reason TEXT`: withdraw a mistaken event (SPEC §2). The withdrawal is
//! an event too, so the file only grows and the mistake stays readable; folding ignores
//! what is withdrawn. A void of a void restores the event it withdrew.

use super::Outcome;
use super::lifecycle::{latest, record};
use super::{Ctx, refuse};
use crate::cli::VoidArgs;
use crate::ticket::{Action, Ticket, Void};
use crate::time::human;
use anyhow::{Result, bail};

pub fn run(ctx: &Ctx, a: VoidArgs) -> Result<Outcome> {
    let id = a.id.clone();
    let n = a.event;
    let done = format!("withdrew event {n} of");
    record(ctx, &id, &a.write, &done, |_desk, t, _s, at| {
        let reason = a.reason.trim().to_string();
        refuse(if reason.is_empty() {
            vec!["--reason is empty; say why the event is withdrawn".into()]
        } else {
            Vec::new()
        })?;
        let count = t.events.len();
        if count == 0 {
            bail!("{} has no events to withdraw", t.id);
        }
        if !(1..=count).contains(&n) {
            bail!(
                "{} has events 1 to {count}; there is no event {n} (`plaint show {}` numbers them)",
                t.id,
                t.id
            );
        }
        let target = &t.events[n - 1];
        if at < target.at {
            bail!(
                "--at {} is before event {n} happened ({})",
                human(&at),
                human(&target.at)
            );
        }
        let now = latest(t, at);
        if let Some(j) = t.withdrawn()[n - 1] {
            let w = &t.events[j];
            bail!(
                "event {n} ({}) of {} is already withdrawn by event {} ({} by {}); to restore it, void event {}",
                target.action.kind(),
                t.id,
                j + 1,
                human(&w.at),
                w.by,
                j + 1
            );
        }
        // The ticket's life must still make sense without the event (or with it back).
        let action = Action::Void(Void { event: n, reason });
        let mut after: Ticket = t.clone();
        after
            .events
            .push(crate::ticket::Event::new(at, "", action.clone()));
        if let Some(p) = Ticket::lifecycle_problem(&after.live(now)) {
            bail!(
                "withdrawing event {n} ({}) of {} would leave a history that cannot be: {p}; withdraw the later step first",
                target.action.kind(),
                t.id
            );
        }
        Ok(action)
    })
}
