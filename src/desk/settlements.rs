//! Settlement files: `settlements/YYYY-MM.yaml`, one per settled month, written once and
//! never again. Each ends with a `sha256:` line over everything above it, so that `check`
//! can tell a file changed since it was settled.

use super::{Desk, store};
use crate::rules::settle::Settlement;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The directory of settlement files in the desk.
pub const DIR: &str = "settlements";

/// The largest settlement file plaint reads (a month of 100,000 complaints' fines).
const MAX: u64 = 256 * 1024 * 1024;

pub fn path(root: &Path, month: &str) -> PathBuf {
    root.join(DIR).join(format!("{month}.yaml"))
}

/// The text of a settlement file: a header for people, the settlement, its checksum.
pub fn text(s: &Settlement) -> Result<String> {
    let mut body = format!(
        "# plaint 结算:{} 月的扣罚、奖励与报表数字,已于 {} 由 {} 结算。\n\
         # 结算后本文件不再改动;之后的更正以“调整”计入其后首个未结算月份。\n",
        s.month,
        crate::time::human(&s.settled_at),
        s.settled_by
    );
    body.push_str(&crate::yaml::to_string(s)?);
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let sum = super::sha256_hex(body.as_bytes());
    body.push_str(&format!("sha256: {sum}\n"));
    Ok(body)
}

/// A settlement file read and verified: `Err` says what is wrong with it.
pub fn parse(file: &Path, text: &str) -> Result<Settlement> {
    let body_end = text
        .trim_end_matches('\n')
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let (body, last) = text.split_at(body_end);
    let Some(sum) = last.trim().strip_prefix("sha256: ") else {
        bail!(
            "{}: has no closing `sha256:` line; a settlement file is written by `plaint settle` and never edited",
            file.display()
        );
    };
    if super::sha256_hex(body.as_bytes()) != sum.trim() {
        bail!(
            "{}: changed since it was settled (its sha256 no longer matches); a settled month is never edited: put the file back as it was settled (from git: `git checkout -- {}`)",
            file.display(),
            file.display()
        );
    }
    crate::yaml::from_str::<Settlement>(body)
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", file.display(), e.line.unwrap_or(1), e.message))
}

/// Every settlement file of the desk, in name order, each read and verified.
pub fn each(desk: &Desk) -> Vec<(PathBuf, Result<Settlement>)> {
    let dir = desk.root.join(DIR);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let read = (|| {
                let bytes = store::read_regular(&f, MAX)?;
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("{} is not UTF-8 text", f.display()))?;
                let s = parse(&f, &text)?;
                let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                if s.month != stem {
                    bail!(
                        "{}: settles {}, but its name says {stem}",
                        f.display(),
                        s.month
                    );
                }
                Ok(s)
            })();
            (f, read)
        })
        .collect()
}

/// Every settlement of the desk, oldest month first. A file that does not verify is an
/// error: figures for pay are never computed over a tampered settlement.
pub fn all(desk: &Desk) -> Result<Vec<Settlement>> {
    let mut out = Vec::new();
    for (_, s) in each(desk) {
        out.push(s?);
    }
    out.sort_by(|a, b| a.month.cmp(&b.month));
    Ok(out)
}

/// The rulebook's terms: its text without the `calendar:` section, whose holidays are facts
/// that may be added to at any time without repricing anything settled. Its SHA-256.
pub fn terms_sha256(rules_text: &str) -> String {
    let mut out = String::new();
    let mut in_calendar = false;
    for line in rules_text.lines() {
        let top = !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty();
        if top {
            in_calendar = line.starts_with("calendar:");
        }
        if !in_calendar {
            out.push_str(line);
            out.push('\n');
        }
    }
    super::sha256_hex(out.as_bytes())
}
