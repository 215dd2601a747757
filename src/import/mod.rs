//! Import from spreadsheets (SPEC §9): every row checked before anything is written, rows
//! already in the desk (by `ref`) skipped, history columns turned into events with their
//! own times. Reading the file is in `sheet`; this module turns rows into tickets.

mod row;
pub mod sheet;

use crate::rules::{IMPORT_FIELDS, Rules, Step};
use crate::ticket::Ticket;
use crate::time::Moment;
use row::RowPlan;
use sheet::{Cell, Sheet};
use std::collections::{HashMap, HashSet};

/// Which field each column of the sheet holds.
pub struct Columns {
    /// For each column: the field, or `None` for a column ignored with --ignore-unknown.
    fields: Vec<Option<&'static str>>,
    /// The header as written in the file, for messages.
    names: HashMap<&'static str, String>,
}

fn normal(h: &str) -> String {
    h.trim().to_lowercase().replace(['-', ' '], "_")
}

/// Matches headers to fields: the English names (case-insensitive, `-` and `_` alike) or the
/// rulebook's aliases (the notice form's Chinese labels).
pub fn columns(
    rules: &Rules,
    headers: &[String],
    ignore_unknown: bool,
) -> Result<Columns, Vec<String>> {
    let mut problems = Vec::new();
    let mut fields = Vec::new();
    let mut names: HashMap<&'static str, String> = HashMap::new();
    let known = |h: &str| -> Option<&'static str> {
        let n = normal(h);
        if let Some(f) = IMPORT_FIELDS.iter().find(|f| **f == n) {
            return Some(f);
        }
        // A few natural English spellings of the same columns.
        let alias = match n.as_str() {
            "flag" => "flags",
            "complainant" => "name",
            "received" | "received_time" => "received_at",
            "plan" => "action",
            _ => "",
        };
        if let Some(f) = IMPORT_FIELDS.iter().find(|f| **f == alias) {
            return Some(f);
        }
        rules
            .book
            .import
            .columns
            .iter()
            .find_map(|(field, aliases)| {
                aliases
                    .iter()
                    .any(|a| a.trim() == h.trim())
                    .then(|| IMPORT_FIELDS.iter().find(|f| **f == field).copied())
                    .flatten()
            })
    };
    let mut unknown = Vec::new();
    for h in headers {
        match known(h) {
            Some(f) => {
                if let Some(prev) = names.get(f) {
                    problems.push(format!("columns '{prev}' and '{h}' both hold {f}"));
                }
                names.insert(f, h.clone());
                fields.push(Some(f));
            }
            None if h.trim().is_empty() && ignore_unknown => fields.push(None),
            None if ignore_unknown => fields.push(None),
            None => unknown.push(format!("'{h}'")),
        }
    }
    if !unknown.is_empty() {
        // Each column plaint knows, by its name and the rulebook's headers for it (the
        // notice form's Chinese labels), listed once however many columns are unknown.
        let knows: Vec<String> = IMPORT_FIELDS
            .iter()
            .map(|f| match rules.book.import.columns.get(f) {
                Some(a) if !a.is_empty() => format!("  {f}: {}", a.join(" / ")),
                _ => format!("  {f}"),
            })
            .collect();
        problems.push(format!(
            "unknown column{} {} (use --ignore-unknown to skip {}); the columns plaint knows, by name and by the rulebook's headers:\n{}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            if unknown.len() == 1 { "it" } else { "them" },
            knows.join("\n")
        ));
    }
    for required in ["project", "name", "phone", "subject"] {
        if !names.contains_key(required) {
            let aliases = rules
                .book
                .import
                .columns
                .get(required)
                .map(|a| format!(" or {}", a.join(" / ")))
                .unwrap_or_default();
            problems.push(format!(
                "no column for {required} (a header {required}{aliases})"
            ));
        }
    }
    if problems.is_empty() {
        Ok(Columns { fields, names })
    } else {
        Err(problems)
    }
}

/// A row turned into a ticket, ready to write.
pub struct Planned {
    pub row: usize,
    pub ticket: Ticket,
}

/// The outcome of checking a whole sheet.
pub struct Plan {
    pub tickets: Vec<Planned>,
    /// Rows whose `ref` is already in the desk.
    pub skipped: usize,
    /// `FILE:ROW: column: what is wrong`, every one of them.
    pub problems: Vec<String>,
}

/// The cells of one row, read by field.
#[derive(Clone, Copy)]
struct Row<'a> {
    cols: &'a Columns,
    cells: &'a [Cell],
}

impl<'a> Row<'a> {
    fn cell(&self, field: &str) -> Option<&'a Cell> {
        let i = self.cols.fields.iter().position(|f| *f == Some(field))?;
        self.cells.get(i).filter(|c| !c.is_empty())
    }
    fn text(&self, field: &str) -> Option<String> {
        self.cell(field).map(Cell::text)
    }
    fn name(&self, field: &str) -> String {
        self.cols
            .names
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_string())
    }
}

/// Who imports and when, and when rows without a received_at column were received.
pub struct Defaults<'a> {
    pub by: &'a str,
    pub received: Moment,
    /// The moment of the import, and how far an event's time may lie from it before the
    /// event also records `entered_at` (SPEC §2).
    pub now: Moment,
    pub tolerance: chrono::Duration,
    /// The sheet's file name, for each event's `source` (`NAME:ROW`).
    pub source: &'a str,
}

impl Defaults<'_> {
    fn entered_at(&self, at: Moment) -> Option<Moment> {
        crate::time::entered_at(at, self.now, self.tolerance)
    }
}

/// The steps a history row does not record (SPEC §9): on a closed row, every step without
/// its column; on an open one, a step missing before a recorded later step. Those are not
/// judged: a sheet from last year must not fine anybody for what it never kept. (A sheet has
/// no column for the rulebook's own steps, so those are unrecorded on every row.)
pub fn unrecorded(recorded: &[(Step, bool)], closed: bool) -> Vec<Step> {
    let last = recorded.iter().rposition(|(_, r)| *r);
    recorded
        .iter()
        .enumerate()
        .filter(|(i, (_, r))| !r && (closed || last.is_some_and(|l| *i < l)))
        .map(|(_, (s, _))| *s)
        .collect()
}

/// What the desk already holds, so that a row imported before is skipped.
#[derive(Debug, Default)]
pub struct Known {
    pub refs: HashSet<String>,
    pub fingerprints: HashSet<String>,
}

/// A digest of a row's cells under their fields (the k-th identical row gets `#k`): the
/// same row of the same sheet gives the same fingerprint, however often it is imported.
fn fingerprint(cols: &Columns, cells: &[Cell], seen: &mut HashMap<String, usize>) -> String {
    use sha2::{Digest, Sha256};
    let mut pairs: Vec<(&str, String)> = cols
        .fields
        .iter()
        .zip(cells)
        .filter_map(|(f, c)| Some((f.as_ref().copied()?, c.text())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    pairs.sort();
    let mut h = Sha256::new();
    for (f, v) in pairs {
        h.update(f.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let k = seen.entry(hex.clone()).or_insert(0);
    *k += 1;
    if *k == 1 { hex } else { format!("{hex}#{k}") }
}

/// Who did an imported step the row names nobody for.
pub const UNKNOWN_ACTOR: &str = "未登记";

/// `FILE:ROW: column: what is wrong`.
fn problem(file: &str, rowno: usize, column: &str, msg: impl std::fmt::Display) -> String {
    format!("{file}:{rowno}: {column}: {msg}")
}

/// How a row stands against the desk and the rows above it in the sheet.
enum Identity {
    /// Imported before (by its ref, or without one by its fingerprint): skipped and counted.
    Known,
    /// Its ref is already used by row `first` of this sheet.
    Repeated { ext_ref: String, first: usize },
    /// To be planned: its ref, or without one its fingerprint.
    New {
        ext_ref: Option<String>,
        print: Option<String>,
    },
}

/// The refs and fingerprints of the sheet's rows so far, each with the first row it was on
/// (a fingerprint: how many rows had it).
#[derive(Default)]
struct Seen {
    refs: HashMap<String, usize>,
    prints: HashMap<String, usize>,
}

impl Seen {
    fn identify(&mut self, known: &Known, row: Row, rowno: usize) -> Identity {
        let ext_ref = row.text("ref");
        let print = ext_ref
            .is_none()
            .then(|| fingerprint(row.cols, row.cells, &mut self.prints));
        if print
            .as_ref()
            .is_some_and(|p| known.fingerprints.contains(p))
        {
            return Identity::Known;
        }
        if let Some(r) = &ext_ref {
            if known.refs.contains(r) {
                return Identity::Known;
            }
            if let Some(first) = self.refs.insert(r.clone(), rowno) {
                let ext_ref = r.clone();
                return Identity::Repeated { ext_ref, first };
            }
        }
        Identity::New { ext_ref, print }
    }
}

/// Checks every row of `sheet` (read from `file`) and builds its ticket; rows whose `ref`
/// (or, without one, whose fingerprint) is `known` are skipped and counted.
pub fn plan(
    rules: &Rules,
    file: &str,
    sheet: &Sheet,
    cols: &Columns,
    known: &Known,
    defaults: &Defaults,
    mut progress: impl FnMut(),
) -> Plan {
    let mut out = Plan {
        tickets: Vec::new(),
        skipped: 0,
        problems: Vec::new(),
    };
    for (row, msg) in &sheet.problems {
        out.problems.push(format!("{file}:{row}: {msg}"));
    }
    // The rulebook's own steps: no sheet column records them.
    let own_steps: Vec<Step> = rules
        .steps()
        .filter(|s| !s.is_built_in() && rules.step_rule(*s).is_some())
        .collect();
    let mut seen = Seen::default();
    for (rowno, cells) in &sheet.rows {
        progress();
        let rowno = *rowno;
        let row = Row { cols, cells };
        let (ext_ref, print) = match seen.identify(known, row, rowno) {
            Identity::Known => {
                out.skipped += 1;
                continue;
            }
            Identity::Repeated { ext_ref, first } => {
                let msg = format!("'{ext_ref}' is already used by row {first}");
                out.problems
                    .push(problem(file, rowno, &row.name("ref"), msg));
                continue;
            }
            Identity::New { ext_ref, print } => (ext_ref, print),
        };
        // Every step is checked, in this order, whether or not the facts stand, so that
        // each row's problems are all reported at once.
        let mut r = RowPlan::new(rules, defaults, file, rowno, row);
        let facts = r.facts(ext_ref.clone());
        r.times();
        r.validity();
        r.forward();
        r.assignment();
        r.response();
        r.plan();
        r.close();
        r.callback();
        out.problems.append(&mut r.problems);
        if let Some(f) = facts {
            let ticket = r.ticket(f, ext_ref, print, &own_steps);
            out.tickets.push(Planned { row: rowno, ticket });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(recorded: [bool; 5]) -> Vec<(Step, bool)> {
        Step::BUILT_IN.iter().copied().zip(recorded).collect()
    }

    #[test]
    fn a_closed_row_leaves_every_missing_step_unrecorded() {
        assert_eq!(
            unrecorded(&steps([false, true, false, true, false]), true),
            vec![Step::FORWARD, Step::PLAN, Step::CALLBACK]
        );
    }

    #[test]
    fn an_open_row_leaves_only_the_gaps_before_its_last_recorded_step() {
        assert_eq!(
            unrecorded(&steps([false, false, true, false, false]), false),
            vec![Step::FORWARD, Step::RESPOND]
        );
        assert_eq!(unrecorded(&steps([false; 5]), false), vec![]);
    }
}
