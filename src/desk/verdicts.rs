//! Verdicts kept for `list` (`.plaint/cache/YYYY-MM.verdicts.msgpack`): what a ticket
//! comes to, for as long as time alone cannot change it.
//!
//! Listing the whole desk judges every ticket, and judging (grade timeline, deadlines on the
//! working calendar) costs more than reading. Yet a verdict changes only when something the
//! ticket waits for comes to pass: an event, a deadline falling due, a week open, a
//! same-target group gaining or losing a member. Between those moments it stands
//! (`Assessment::standing`), and for a settled complaint it stands for good. Each verdict
//! is kept with the file's stamp, the stretch of time it stands over and the fingerprints
//! of the ticket's same-target groups; a later run uses it only when the file still has
//! that stamp, its `--as-of` lies in that stretch and every group still counts the same.
//! Anything else is judged afresh and kept in turn.
//!
//! Like the rest of the cache this is never the record: a file that is missing, corrupt,
//! of another version or of another rulebook is ignored and written again, and deleting it
//! changes no output.

use super::cache::{self, FileStamp, Packed};
use super::catalog::{Catalog, cache_name};
use super::{Desk, parallel_map};
use crate::rules::assess::{Standing, Verdict};
use crate::ticket::Status;
use crate::time::Moment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped whenever the shape of a kept verdict changes; the plaint version is checked too.
const FORMAT: u32 = 3;

/// A verdict that holds over `standing`, for as long as the file keeps `stamp` and the
/// ticket's same-target groups (its digest's keys, in order) keep `groups`.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub stamp: FileStamp,
    pub standing: Standing,
    pub groups: Vec<[u8; 16]>,
    pub verdict: Verdict,
}

impl Kept {
    /// The verdict, if it holds at `at` for groups that now have these fingerprints.
    pub fn at(&self, at: Moment, groups: &[[u8; 16]]) -> Option<&Verdict> {
        (self.standing.holds_at(at) && self.groups == groups).then_some(&self.verdict)
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    version: String,
    /// The SHA-256 of the rulebook the verdicts were worked out with.
    rules: String,
    entries: Vec<Wire>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    name: String,
    stamp: FileStamp,
    from: Packed,
    until: Option<Packed>,
    /// The groups' fingerprints, 16 bytes each.
    #[serde(with = "serde_bytes")]
    groups: Vec<u8>,
    id: String,
    received_at: Packed,
    project: String,
    closed: bool,
    valid: bool,
    grade: String,
    overdue: bool,
    category: String,
    type_: Option<String>,
    department: Option<String>,
    handler: Option<String>,
    subject: String,
    calendar_gaps: Vec<i32>,
}

impl Wire {
    fn of(name: &str, k: &Kept) -> Wire {
        let v = &k.verdict;
        Wire {
            name: name.to_string(),
            stamp: k.stamp,
            from: Packed::of(&k.standing.from),
            until: k.standing.until.as_ref().map(Packed::of),
            groups: k.groups.concat(),
            id: v.id.clone(),
            received_at: Packed::of(&v.received_at),
            project: v.project.clone(),
            closed: v.status == Status::Closed,
            valid: v.valid,
            grade: v.grade.clone(),
            overdue: v.overdue,
            category: v.category.clone(),
            type_: v.type_.clone(),
            department: v.department.clone(),
            handler: v.handler.clone(),
            subject: v.subject.clone(),
            calendar_gaps: v.calendar_gaps.clone(),
        }
    }

    fn kept(self) -> Option<(String, Kept)> {
        if !self.groups.len().is_multiple_of(16) {
            return None;
        }
        let groups = self
            .groups
            .chunks_exact(16)
            .map(|c| c.try_into().ok())
            .collect::<Option<Vec<[u8; 16]>>>()?;
        let kept = Kept {
            stamp: self.stamp,
            standing: Standing {
                from: self.from.moment()?,
                until: match self.until {
                    Some(u) => Some(u.moment()?),
                    None => None,
                },
            },
            groups,
            verdict: Verdict {
                id: self.id,
                received_at: self.received_at.moment()?,
                project: self.project,
                status: if self.closed {
                    Status::Closed
                } else {
                    Status::Open
                },
                valid: self.valid,
                grade: self.grade,
                overdue: self.overdue,
                category: self.category,
                type_: self.type_,
                department: self.department,
                handler: self.handler,
                subject: self.subject,
                calendar_gaps: self.calendar_gaps,
            },
        };
        Some((self.name, kept))
    }
}

fn path(root: &Path, month: &str) -> PathBuf {
    cache::cache_dir(root).join(format!("{}.verdicts.msgpack", month.replace('/', "-")))
}

/// The verdicts kept for month `month` (`YYYY/MM`) under the rulebook `rules` (its
/// SHA-256), by file name; `None` when there are none to trust (missing, corrupt, written
/// by another version or for another rulebook), in name order.
fn load(root: &Path, month: &str, rules: &str) -> Option<Vec<(String, Kept)>> {
    let (_, bytes, _) = cache::read_head(&path(root, month))?;
    let f: File = rmp_serde::from_slice(&bytes).ok()?;
    if f.format != FORMAT || f.version != env!("CARGO_PKG_VERSION") || f.rules != rules {
        return None;
    }
    let kept: Vec<(String, Kept)> = f
        .entries
        .into_iter()
        .map(Wire::kept)
        .collect::<Option<_>>()?;
    kept.is_sorted_by(|a, b| a.0 < b.0).then_some(kept)
}

/// Writes the verdicts of month `month`, each with its file's name, in name order. Best
/// effort, like the rest of the cache.
fn store<'a>(
    root: &Path,
    month: &str,
    rules: &str,
    entries: impl Iterator<Item = (&'a str, &'a Kept)>,
) {
    let f = File {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").into(),
        rules: rules.into(),
        entries: entries.map(|(name, k)| Wire::of(name, k)).collect(),
    };
    if let Ok(bytes) = rmp_serde::to_vec(&f) {
        cache::write_checked(root, &path(root, month), &bytes, &[]);
    }
}

/// The kept verdicts of a catalog's tickets, by entry, and those a run adds to them.
pub struct Verdicts {
    /// Per entry: 1 + where its verdict is in `kept`, or 0.
    slots: Vec<u32>,
    kept: Vec<Kept>,
    /// Per month directory: `None` when not looked at, else whether its file is to be
    /// written again.
    months: Vec<Option<bool>>,
}

impl Verdicts {
    /// What was kept for entry `i` of the catalog.
    pub fn get(&self, i: usize) -> Option<&Kept> {
        let slot = *self.slots.get(i)? as usize;
        self.kept.get(slot.checked_sub(1)?)
    }

    /// Keeps the verdict of entry `i`, which holds over `standing` for groups with these
    /// fingerprints (then `get` has it), or hands it back: a verdict is kept only when its
    /// file was old enough, when read, for its stamp to name the bytes it was worked out
    /// from.
    #[must_use]
    pub fn keep(
        &mut self,
        catalog: &Catalog,
        i: usize,
        standing: Standing,
        groups: Vec<[u8; 16]>,
        verdict: Verdict,
    ) -> Option<Verdict> {
        let e = &catalog.entries()[i];
        let Some(stamp) = e.stamp.filter(|s| s.settled_before(catalog.read_at)) else {
            return Some(verdict);
        };
        let Some(Some(changed)) = self.months.get_mut(e.month) else {
            return Some(verdict);
        };
        *changed = true;
        self.put(
            i,
            Kept {
                stamp,
                standing,
                groups,
                verdict,
            },
        );
        None
    }

    fn put(&mut self, i: usize, k: Kept) {
        match self.slots[i] as usize {
            0 => {
                self.kept.push(k);
                self.slots[i] = self.kept.len() as u32;
            }
            slot => self.kept[slot - 1] = k,
        }
    }
}

/// Month directories whose verdict files are read at once (on every core).
const MONTHS_AT_ONCE: usize = 4;

impl Desk {
    /// The verdicts kept for the tickets of the months that entries `which` lie in.
    pub fn kept_verdicts(&self, catalog: &Catalog, which: &[usize]) -> Verdicts {
        let entries = catalog.entries();
        let mut v = Verdicts {
            slots: vec![0; entries.len()],
            kept: Vec::new(),
            months: vec![None; catalog.months.len()],
        };
        for i in which {
            v.months[entries[*i].month] = Some(false);
        }
        // Each month's entries, in name order (the catalog keeps them together).
        let mut span = vec![0..0; catalog.months.len()];
        for (i, e) in entries.iter().enumerate() {
            let s = &mut span[e.month];
            if s.start == s.end {
                *s = i..i + 1;
            } else {
                s.end = i + 1;
            }
        }
        let wanted: Vec<usize> = (0..v.months.len())
            .filter(|m| v.months[*m].is_some())
            .collect();
        v.kept
            .reserve_exact(wanted.iter().map(|m| span[*m].len()).sum());
        let root = self.root.as_path();
        let sha = self.rules_sha256.as_str();
        for few in wanted.chunks(MONTHS_AT_ONCE) {
            let loaded = parallel_map(few, |m| load(root, &catalog.months[*m], sha));
            for (m, l) in few.iter().zip(loaded) {
                // A month without a file to trust gets one written.
                let Some(l) = l else {
                    v.months[*m] = Some(true);
                    continue;
                };
                // Both in name order: walked together.
                let mut left = l.len();
                let mut l = l.into_iter().peekable();
                for i in span[*m].clone() {
                    let Some(name) = cache_name(&entries[i].path) else {
                        continue;
                    };
                    while l.next_if(|(n, _)| n.as_str() < name).is_some() {}
                    if let Some((_, k)) = l.next_if(|(n, _)| n == name)
                        && Some(k.stamp) == entries[i].stamp
                    {
                        left -= 1;
                        v.put(i, k);
                    }
                }
                // Verdicts of files changed or gone: the month is written without them.
                if left > 0 {
                    v.months[*m] = Some(true);
                }
            }
        }
        v
    }

    /// Writes the verdict files of the months that gained or lost a verdict. A command
    /// that may yet be refused writes nothing.
    pub fn keep_verdicts(&self, catalog: &Catalog, v: &Verdicts) {
        if !catalog.keeps {
            return;
        }
        let root = self.root.as_path();
        let sha = self.rules_sha256.as_str();
        let entries = catalog.entries();
        let write: Vec<usize> = (0..v.months.len())
            .filter(|m| v.months[*m] == Some(true))
            .collect();
        parallel_map(&write, |m| {
            store(
                root,
                &catalog.months[*m],
                sha,
                entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.month == *m)
                    .filter_map(|(i, e)| Some((cache_name(&e.path)?, v.get(i)?))),
            )
        });
    }
}
