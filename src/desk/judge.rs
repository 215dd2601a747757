//! Judging the desk, a batch at a time: the one loop every desk-wide command (`report`,
//! `penalties`, `due`) runs, so that which tickets are read, how their same-target peers are
//! found and how `--known-at` cuts them is decided in one place.
//!
//! Without `--known-at` the cache's digests choose the tickets that may matter (most are
//! settled long ago and never read), their peers come from the digests' stretches, and the
//! chosen ones are read and judged `BATCH` at a time, on every core. With `--known-at K`
//! the digests describe the tickets as they are now, not as they were known at K: every
//! ticket is read whole, cut to what had been written by K, and judged.

use super::Desk;
use super::cache::Digest;
use super::catalog::Catalog;
use crate::rules::Rules;
use crate::rules::assess::Assessment;
use crate::rules::grading::Peers;
use crate::ticket::Ticket;
use crate::time::Moment;
use anyhow::Result;

/// What to judge, and at what moment.
pub struct Judge<'a> {
    pub desk: &'a Desk,
    /// The rulebook (the version) to judge under.
    pub rules: &'a Rules,
    /// The moment tickets are judged at (`--as-of`, or a report's cut-off).
    pub at: Moment,
    /// `--known-at`: only what had been written by then.
    pub known: Option<Moment>,
}

impl Judge<'_> {
    /// Judges every ticket that `maybe` (by its digest) and then `wanted` (by the ticket)
    /// let through, received by `at`, and hands each batch's judgements to `each`; returns
    /// the years the working clock ran through uncovered.
    pub fn each_batch(
        &self,
        maybe: impl Fn(&Digest) -> bool,
        wanted: impl Fn(&Ticket) -> bool + Sync,
        mut each: impl FnMut(&[Assessment]),
    ) -> Result<std::collections::BTreeSet<i32>> {
        let (rules, at) = (self.rules, self.at);
        match self.known {
            Some(k) => {
                let tickets = self.desk.known_tickets(k)?;
                let peers = Peers::index(rules, &tickets, at);
                let relevant: Vec<&Ticket> = tickets
                    .iter()
                    .filter(|t| t.received_at <= at && wanted(t))
                    .collect();
                let judged =
                    super::parallel_map(&relevant, |t| Assessment::of(rules, t, &peers, at));
                each(&judged);
                Ok(judged.iter().flat_map(|j| j.calendar_gaps()).collect())
            }
            None => {
                let catalog = self.desk.catalog()?;
                let peers = catalog.peers(rules, at)?;
                let chosen: Vec<usize> = (0..catalog.entries().len())
                    .filter(|i| {
                        let d = &catalog.entries()[*i].digest;
                        d.received_at <= at && maybe(d)
                    })
                    .collect();
                let gaps = self.entries(&catalog, &peers, &chosen, &wanted, |_, j| each(j))?;
                // The process ends soon: handing every digest back to the allocator one by
                // one would only delay the exit.
                std::mem::forget(catalog);
                Ok(gaps)
            }
        }
    }

    /// Judges the catalog's entries `chosen` (those `wanted` lets through), `BATCH` at a
    /// time, with `peers`; hands `each` the entries of every batch and their judgements
    /// (entries `wanted` turned away are left out of both); returns the years the working
    /// clock ran through uncovered.
    pub fn entries(
        &self,
        catalog: &Catalog,
        peers: &Peers,
        chosen: &[usize],
        wanted: &(impl Fn(&Ticket) -> bool + Sync),
        mut each: impl FnMut(&[usize], &[Assessment]),
    ) -> Result<std::collections::BTreeSet<i32>> {
        let (rules, at) = (self.rules, self.at);
        let mut gaps = std::collections::BTreeSet::new();
        for batch in chosen.chunks(super::catalog::BATCH) {
            let tickets = catalog.tickets(batch)?;
            let (which, relevant): (Vec<usize>, Vec<&Ticket>) = batch
                .iter()
                .copied()
                .zip(tickets.iter())
                .filter(|(_, t)| t.received_at <= at && wanted(t))
                .unzip();
            let judged = super::parallel_map(&relevant, |t| Assessment::of(rules, t, peers, at));
            for j in &judged {
                gaps.extend(j.calendar_gaps());
            }
            each(&which, &judged);
            // The batch's tickets are dropped here, once judged and added up.
        }
        Ok(gaps)
    }
}
