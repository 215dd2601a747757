//! The whole desk as the commands that read all of it see it: a digest of every ticket
//! (from the cache where the file is unchanged), and the tickets themselves decoded only
//! when a command asks for them.
//!
//! A monthly report needs the complaints of its month and those still open; a settled
//! complaint of years ago plays no part, and neither its file nor its cached body is read.
//! What the same-target rules need of every ticket (its stretches) is in the digest.

use super::cache::{self, Digest, FileStamp, Shard};
use super::{Broken, Desk, parallel_map, read_ticket};
use crate::rules::Rules;
use crate::rules::grading::{Peers, Stretch, stretches};
use crate::ticket::Ticket;
use crate::time::Moment;
use anyhow::{Context, Result, bail};
use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

/// Ticket files read before the shards of their months are staged (bounds the memory that
/// freshly parsed tickets take on a cold run).
const GROUP_FILES: usize = 16384;

/// Tickets a desk-wide command decodes and judges at once: enough to keep every core busy,
/// few enough to bound memory.
pub const BATCH: usize = 4096;

/// A month directory under tickets/ (`YYYY/MM`), with its stamp when it was listed.
pub struct MonthDir {
    pub key: String,
    pub path: PathBuf,
    pub stamp: Option<FileStamp>,
}

/// Every ticket of the desk, in path order.
pub struct Catalog {
    entries: Vec<Entry>,
    /// The shards, by month: cached tickets are read from them.
    shards: Vec<Shard>,
    /// How many entries each shard serves.
    served: Vec<usize>,
    /// The month directories (`YYYY/MM`), by position.
    pub(super) months: Vec<String>,
    /// When the files were looked at (ns since the epoch).
    pub(super) read_at: i64,
    /// Whether the command may write the cache (not one that may yet be refused).
    pub(super) keeps: bool,
}

pub struct Entry {
    pub path: PathBuf,
    pub digest: Digest,
    /// Its month directory (and shard), by position.
    pub(super) month: usize,
    /// What its file looked like when it was read (`None`: it could not be looked at).
    pub(super) stamp: Option<FileStamp>,
    body: Body,
}

enum Body {
    /// In its month's shard.
    Shard(cache::Body),
    /// Just parsed and encoded.
    Own(Vec<u8>),
    /// Only in its file.
    File,
}

impl Catalog {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The encoded ticket of `e`: from `whole` (all its shard's bodies, when they were read
    /// at once), else from its shard or its own bytes; `None` when only its file has it.
    fn bytes<'a>(&'a self, e: &'a Entry, whole: Option<&[u8]>) -> Option<Cow<'a, [u8]>> {
        match &e.body {
            Body::Shard(b) => match whole {
                Some(all) => cache::body_in(all, *b).map(|x| Cow::Owned(x.to_vec())),
                None => {
                    let s = &self.shards[e.month];
                    cache::read_body(s.file.as_ref()?, s.bodies_at, *b).map(Cow::Owned)
                }
            },
            Body::Own(b) => Some(Cow::Borrowed(b)),
            Body::File => None,
        }
    }

    fn decode(&self, i: usize, bytes: Option<&[u8]>) -> Result<Ticket, Broken> {
        match bytes.and_then(cache::decode) {
            Some(t) => Ok(t),
            None => read_ticket(&self.entries[i].path).map(|l| l.ticket),
        }
    }

    /// The tickets of entries `which`, decoded on every core, in that order. A shard of
    /// which many tickets are wanted is read in one go, the others a body at a time.
    pub fn tickets(&self, which: &[usize]) -> Result<Vec<Ticket>> {
        // Runs of wanted entries from one shard.
        let mut runs: Vec<(Option<usize>, &[usize])> = Vec::new();
        let mut start = 0;
        let shard_of = |i: usize| match self.entries[i].body {
            Body::Shard(_) => Some(self.entries[i].month),
            _ => None,
        };
        for k in 1..=which.len() {
            if k == which.len() || shard_of(which[k]) != shard_of(which[start]) {
                runs.push((shard_of(which[start]), &which[start..k]));
                start = k;
            }
        }
        let fetched: Vec<Vec<Option<Cow<[u8]>>>> = parallel_map(&runs, |(m, run)| {
            let whole = m
                .filter(|m| run.len() * 4 >= self.served[*m] && run.len() > 16)
                .and_then(|m| {
                    let s = &self.shards[m];
                    cache::read_bodies(s.file.as_ref()?, s.bodies_at)
                });
            run.iter()
                .map(|i| self.bytes(&self.entries[*i], whole.as_deref()))
                .collect()
        });
        let fetched: Vec<(usize, Option<Cow<[u8]>>)> = which
            .iter()
            .copied()
            .zip(fetched.into_iter().flatten())
            .collect();
        gather(parallel_map(&fetched, |(i, b)| {
            self.decode(*i, b.as_deref())
        }))
    }

    /// The same-target groups as the desk stood at `at`, from the digests; only tickets
    /// that changed after `at` are decoded to see where they stood then.
    pub fn peers(&self, rules: &Rules, at: Moment) -> Result<Peers> {
        if !Peers::needed(rules) {
            return Ok(Peers::default());
        }
        let known = |e: &Entry| e.digest.received_at <= at;
        let back: Vec<usize> = (0..self.entries.len())
            .filter(|i| {
                let e = &self.entries[*i];
                known(e) && e.digest.stretches_at(at).is_none()
            })
            .collect();
        let then: Vec<Vec<Stretch>> = self
            .tickets(&back)?
            .iter()
            .map(|t| stretches(t, at))
            .collect();
        Ok(peers_at(
            rules,
            self.entries.iter().map(|e| &e.digest),
            &then,
            at,
        ))
    }
}

/// The same-target groups at `at` from the digests of the tickets received by then; `then`
/// holds, in order, the stretches at `at` of each one whose digest cannot tell (it changed
/// after `at`).
fn peers_at<'a>(
    rules: &Rules,
    digests: impl Iterator<Item = &'a Digest>,
    then: &[Vec<Stretch>],
    at: Moment,
) -> Peers {
    let mut then = then.iter();
    Peers::from_stretches(
        rules,
        digests.filter(|d| d.received_at <= at).map(|d| {
            let s = match d.stretches_at(at) {
                Some(s) => s,
                None => then.next().map_or(&[][..], |s| s.as_slice()),
            };
            (d.received_at, s)
        }),
    )
}

/// The tickets, or an error naming every file that could not be read.
fn gather(results: Vec<Result<Ticket, Broken>>) -> Result<Vec<Ticket>> {
    let mut tickets = Vec::with_capacity(results.len());
    let mut bad = Vec::new();
    for r in results {
        match r {
            Ok(t) => tickets.push(t),
            Err(b) => bad.push(b.render()),
        }
    }
    unreadable(&bad)?;
    Ok(tickets)
}

fn unreadable(bad: &[String]) -> Result<()> {
    if bad.is_empty() {
        return Ok(());
    }
    bail!(
        "{} ticket file{} cannot be read (fix {}, then `plaint check`):\n{}",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        if bad.len() == 1 { "it" } else { "them" },
        bad.join("\n")
    )
}

impl Desk {
    /// The month directories under tickets/, in order, each stamped before it is listed.
    pub fn month_dirs(&self) -> Result<Vec<MonthDir>> {
        let mut out = Vec::new();
        let dir = self.tickets_dir();
        if !dir.exists() {
            return Ok(out);
        }
        for year in super::sorted_dirs(&dir)? {
            for month in super::sorted_dirs(&year)? {
                out.push(MonthDir {
                    key: format!("{}/{}", super::file_name(&year), super::file_name(&month)),
                    stamp: FileStamp::at(&month),
                    path: month,
                });
            }
        }
        Ok(out)
    }

    /// The ticket files of a month directory, in path order.
    pub fn month_files(month: &MonthDir) -> Result<Vec<PathBuf>> {
        // Names are sorted before they become paths: comparing paths parses them.
        let mut names: Vec<std::ffi::OsString> = fs::read_dir(&month.path)
            .with_context(|| format!("cannot list {}", month.path.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .filter(|n| super::is_ticket_name(n))
            .collect();
        names.sort_unstable();
        Ok(names.into_iter().map(|n| month.path.join(n)).collect())
    }

    /// Every ticket's digest, the tickets themselves on demand. Files unchanged since the
    /// last run come from the derived cache; the others are parsed, on all cores, and
    /// their month's shard (and the target index) written again.
    pub fn catalog(&self) -> Result<Catalog> {
        self.read_catalog(true)
    }

    /// `catalog` for a command that may yet be refused: it uses the cache but writes
    /// nothing, not even the cache, so a refused command leaves the desk as it was.
    pub fn catalog_for_writing(&self) -> Result<Catalog> {
        self.read_catalog(false)
    }

    fn read_catalog(&self, keep: bool) -> Result<Catalog> {
        let months = self.month_dirs()?;
        let mut listed: Vec<Vec<PathBuf>> = parallel_map(&months, Desk::month_files)
            .into_iter()
            .collect::<Result<_>>()?;
        let read_at = cache::now_ns();
        // Months are read a group at a time, and a group's out-of-date shards are staged
        // (written to temporary files) before the next is read: its freshly parsed tickets
        // then live in those files, not in memory. The staged shards are put in place once
        // every file has been read without an error.
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let mut start = 0;
        let mut files = 0;
        for (m, f) in listed.iter().enumerate() {
            files += f.len();
            if files >= GROUP_FILES || m + 1 == months.len() {
                groups.push(start..m + 1);
                start = m + 1;
                files = 0;
            }
        }
        let mut catalog = Catalog {
            entries: Vec::with_capacity(listed.iter().map(Vec::len).sum()),
            shards: Vec::new(),
            served: Vec::new(),
            months: months.iter().map(|m| m.key.clone()).collect(),
            read_at,
            keeps: keep,
        };
        let mut staged: Vec<cache::Staged> = Vec::new();
        let mut bad = Vec::new();
        for g in groups {
            let files: Vec<Vec<PathBuf>> =
                g.clone().map(|m| std::mem::take(&mut listed[m])).collect();
            let (reads, shards, dirty) = self.read_months(&months[g.clone()], files)?;
            let first = catalog.entries.len();
            for r in reads {
                match r {
                    Ok(e) => catalog.entries.push(Entry {
                        month: g.start + e.month,
                        ..e
                    }),
                    Err(b) => bad.push(b.render()),
                }
            }
            catalog.shards.extend(shards);
            if keep && bad.is_empty() {
                let rewrite: Vec<usize> = g.clone().filter(|m| dirty[m - g.start]).collect();
                staged.extend(self.stage(&mut catalog, &months, first, &rewrite, read_at));
            }
        }
        unreadable(&bad)?;
        catalog.served = vec![0; months.len()];
        for e in &catalog.entries {
            if let Body::Shard(_) = e.body {
                catalog.served[e.month] += 1;
            }
        }
        if keep {
            let root = self.root.as_path();
            let rewrote = !staged.is_empty();
            for s in staged {
                s.persist(root);
            }
            self.index(&catalog, &months, rewrote, read_at);
        }
        Ok(catalog)
    }

    /// Reads the files of `months` (listed in `files`): from the cache where unchanged,
    /// else parsed. Also returns the shards (their bytes hold the cached bodies) and which
    /// months' shards are out of date.
    #[allow(clippy::type_complexity)]
    fn read_months(
        &self,
        months: &[MonthDir],
        files: Vec<Vec<PathBuf>>,
    ) -> Result<(Vec<Result<Entry, Broken>>, Vec<Shard>, Vec<bool>)> {
        let root = self.root.as_path();
        let rules_sha = self.rules_sha256.as_str();
        let mut shards: Vec<Shard> = parallel_map(months, |m| Shard::load(root, &m.key, rules_sha));
        let files: Vec<(usize, PathBuf)> = files
            .into_iter()
            .enumerate()
            .flat_map(|(m, f)| f.into_iter().map(move |p| (m, p)))
            .collect();
        let stamps = parallel_map(&files, |(_, p)| {
            fs::symlink_metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| FileStamp::of(&m))
        });
        let mut dirty = vec![false; months.len()];
        let mut reads: Vec<Option<Result<Entry, Broken>>> = Vec::with_capacity(files.len());
        for ((m, p), st) in files.iter().zip(&stamps) {
            let hit = cache_name(p)
                .zip(*st)
                .and_then(|(name, st)| shards[*m].take(name, st));
            reads.push(hit.map(|c| {
                Ok(Entry {
                    month: *m,
                    // Moved in from `files` at the end.
                    path: PathBuf::new(),
                    stamp: *st,
                    digest: c.digest,
                    body: Body::Shard(c.body),
                })
            }));
        }
        let misses: Vec<usize> = (0..files.len()).filter(|i| reads[*i].is_none()).collect();
        let rules = &self.rules;
        // Each parsed ticket is encoded and dropped at once: memory holds bytes, not trees.
        let parsed = parallel_map(&misses, |i| {
            let (m, p) = &files[*i];
            read_ticket(p).map(|l| {
                let body = cache::encode(&l.ticket).map_or(Body::File, Body::Own);
                Entry {
                    month: *m,
                    path: PathBuf::new(),
                    stamp: stamps[*i],
                    digest: Digest::of(rules, &l.ticket),
                    body,
                }
            })
        });
        for (i, r) in misses.iter().zip(parsed) {
            dirty[files[*i].0] = true;
            reads[*i] = Some(r);
        }
        // A shard with entries left over names files that changed or went away.
        for (m, s) in shards.iter().enumerate() {
            dirty[m] |= !s.is_empty();
        }
        let reads = reads
            .into_iter()
            .zip(files)
            .filter_map(|(r, (_, path))| Some(r?.map(|e| Entry { path, ..e })))
            .collect();
        Ok((reads, shards, dirty))
    }

    /// Stages the shards of months `rewrite` from the catalog's entries (from `first` on,
    /// those of the group just read), then points those entries at the staged files, so
    /// that the parsed tickets' bytes can go.
    fn stage(
        &self,
        catalog: &mut Catalog,
        months: &[MonthDir],
        first: usize,
        rewrite: &[usize],
        read_at: i64,
    ) -> Vec<cache::Staged> {
        let root = self.root.as_path();
        let sha = self.rules_sha256.as_str();
        let cat: &Catalog = catalog;
        let staged: Vec<Option<(usize, cache::Staged, Vec<usize>)>> = parallel_map(rewrite, |m| {
            let mine: Vec<usize> = (first..cat.entries.len())
                .filter(|i| cat.entries[*i].month == *m)
                .collect();
            // Bodies still cached are read back from the old shard, which stays open.
            let bodies: Vec<Option<Cow<[u8]>>> = mine
                .iter()
                .map(|i| cat.bytes(&cat.entries[*i], None))
                .collect();
            let mut stored = Vec::new();
            let entries: Vec<cache::Store> = mine
                .iter()
                .zip(&bodies)
                .filter_map(|(i, body)| {
                    let e = &cat.entries[*i];
                    let entry = (cache_name(&e.path)?, e.stamp?, &e.digest, body.as_deref()?);
                    stored.push(*i);
                    Some(entry)
                })
                .collect();
            let s = cache::stage(root, &months[*m].key, sha, read_at, &entries)?;
            Some((*m, s, stored))
        });
        let mut out = Vec::new();
        for (m, s, stored) in staged.into_iter().flatten() {
            if let Some(file) = s.reader() {
                catalog.shards[m] = Shard::reading(file, s.bodies_at);
                for (i, b) in stored.iter().zip(&s.bodies) {
                    catalog.entries[*i].body = Body::Shard(*b);
                }
            }
            out.push(s);
        }
        out
    }

    /// Writes the target index when a shard was rewritten or the month directories are not
    /// as the index on disk saw them.
    fn index(&self, catalog: &Catalog, months: &[MonthDir], rewrote: bool, read_at: i64) {
        let root = self.root.as_path();
        // The index names the months it knows (those with a stamp) by position.
        let mut position = vec![None; months.len()];
        let mut dirs: Vec<(String, FileStamp)> = Vec::new();
        for (i, m) in months.iter().enumerate() {
            if let Some(st) = m.stamp {
                position[i] = Some(dirs.len());
                dirs.push((m.key.clone(), st));
            }
        }
        if !rewrote && cache::TargetIndex::current(root, &dirs) {
            return;
        }
        cache::TargetIndex::store(
            root,
            read_at,
            dirs,
            catalog.entries.iter().filter_map(|e| {
                Some((
                    position[e.month]?,
                    cache_name(&e.path)?,
                    e.stamp?,
                    &e.digest,
                ))
            }),
        );
    }

    /// The same-target peers of `t` as the desk stood at `at`, for a command on one ticket:
    /// through the target index, reading only the months whose directory changed since it
    /// was written and the files of the tickets that share a target with `t`.
    pub fn peers_of(&self, t: &Ticket, at: Moment) -> Result<Peers> {
        let rules = &self.rules;
        if !Peers::needed(rules) {
            return Ok(Peers::default());
        }
        let root = self.root.as_path();
        let Some((ix, members)) = cache::TargetIndex::load(root) else {
            return self.catalog_for_writing()?.peers(rules, at);
        };
        let keys = crate::rules::grading::mentioned_keys(t);
        let shares = |d: &Digest| d.keys.iter().any(|k| keys.contains(k));
        let months = self.month_dirs()?;
        // Months whose directory is as the index saw it: their members are checked one by
        // one. The others are read whole (through their shards).
        let mut changed = Vec::new();
        let mut same = vec![None; ix.months.len()];
        for (i, m) in months.iter().enumerate() {
            let known = ix.months.iter().position(|(k, st)| {
                *k == m.key && Some(*st) == m.stamp && st.settled_before(ix.read_at_ns)
            });
            match known {
                Some(k) => same[k] = Some(i),
                None => changed.push(i),
            }
        }
        // (path, digest) of every ticket sharing a target with `t`.
        let mut found: Vec<(PathBuf, Digest)> = Vec::new();
        let checks: Vec<(PathBuf, &cache::Member)> = members
            .iter()
            .filter(|mb| shares(&mb.digest))
            .filter_map(|mb| Some((months[same[mb.month]?].path.join(&mb.name), mb)))
            .collect();
        let checked = parallel_map(&checks, |(path, mb)| -> Result<Option<Digest>, Broken> {
            match FileStamp::at(path) {
                None => Ok(None),
                Some(st) if st == mb.stamp && st.settled_before(ix.read_at_ns) => {
                    Ok(Some(mb.digest.clone()))
                }
                Some(_) => read_ticket(path).map(|l| Some(Digest::of(rules, &l.ticket))),
            }
        });
        let mut bad = Vec::new();
        for ((path, _), r) in checks.iter().zip(checked) {
            match r {
                Ok(Some(d)) => found.push((path.clone(), d)),
                Ok(None) => {}
                Err(b) => bad.push(b.render()),
            }
        }
        let changed: Vec<MonthDir> = changed
            .into_iter()
            .map(|i| MonthDir {
                key: months[i].key.clone(),
                path: months[i].path.clone(),
                stamp: months[i].stamp,
            })
            .collect();
        let listed: Vec<Vec<PathBuf>> = parallel_map(&changed, Desk::month_files)
            .into_iter()
            .collect::<Result<_>>()?;
        let (reads, _, _) = self.read_months(&changed, listed)?;
        for r in reads {
            match r {
                Ok(r) if shares(&r.digest) => found.push((r.path, r.digest)),
                Ok(_) => {}
                Err(b) => bad.push(b.render()),
            }
        }
        unreadable(&bad)?;
        // Tickets that changed after `at` are read to see where they stood then.
        found.retain(|(_, d)| d.received_at <= at);
        let back: Vec<&PathBuf> = found
            .iter()
            .filter(|(_, d)| d.stretches_at(at).is_none())
            .map(|(p, _)| p)
            .collect();
        let then: Vec<Vec<Stretch>> =
            gather(parallel_map(&back, |p| read_ticket(p).map(|l| l.ticket)))?
                .iter()
                .map(|t| stretches(t, at))
                .collect();
        Ok(peers_at(rules, found.iter().map(|(_, d)| d), &then, at))
    }
}

/// A ticket file's name as its cache entry is keyed (a name that is not UTF-8 is not cached).
pub(super) fn cache_name(p: &Path) -> Option<&str> {
    p.file_name()?.to_str()
}
