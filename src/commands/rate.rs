//! `plaint rate`: the customer-service platform score of a department for a month, kept in
//! ratings.yaml at the desk root (append-only, like tickets).

use super::Outcome;
use super::{Ctx, actor, event_time, refuse};
use crate::cli::RateArgs;
use crate::desk::{Desk, RATINGS, store};
use crate::report::figures::Tenths;
use crate::rules::penalties::Rating;
use crate::time::{Moment, parse_month};
use anyhow::{Result, anyhow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    at: Moment,
    by: String,
    department: String,
    month: String,
    score: String,
}

/// A score 0–100 with at most one decimal, in tenths.
fn score(s: &str) -> Result<Tenths, String> {
    let bad = || format!("'{s}' is not a score (0 to 100, at most one decimal)");
    let t = s.trim();
    let (w, f) = t.split_once('.').unwrap_or((t, ""));
    if w.is_empty()
        || !w.bytes().all(|b| b.is_ascii_digit())
        || f.len() > 1
        || !f.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let v: i64 = w.parse::<i64>().map_err(|_| bad())? * 10 + f.parse::<i64>().unwrap_or(0);
    if v > 1000 {
        return Err(bad());
    }
    Ok(Tenths(v))
}

pub fn run(ctx: &Ctx, a: RateArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let mut p = Vec::new();
    let department = desk
        .rules
        .departments()
        .resolve(&a.department)
        .map_err(|e| p.push(format!("--department: {e}")))
        .ok();
    let month = parse_month(&a.month)
        .map_err(|e| p.push(format!("--month: {e}")))
        .ok();
    let sc = score(&a.score)
        .map_err(|e| p.push(format!("--score: {e}")))
        .ok();
    let at = event_time(&desk, &a.write)
        .map(|s| s.at)
        .map_err(|e| p.push(e.to_string()))
        .ok();
    let by = actor(&a.write).map_err(|e| p.push(e.to_string())).ok();
    refuse(p)?;
    let (department, (y, m), sc, at, by) = (
        department.unwrap_or_default(),
        month.unwrap_or_default(),
        sc.unwrap_or(Tenths(0)),
        at.ok_or_else(|| anyhow!("no time"))?,
        by.unwrap_or_default(),
    );
    let entry = Entry {
        at,
        by: by.clone(),
        department: department.clone(),
        month: format!("{y:04}-{m:02}"),
        score: sc.to_string(),
    };
    desk.commit_as(&by, !ctx.no_commit);
    let _lock = desk.written.lock(&desk.root)?;
    let path = desk.root.join(RATINGS);
    let mut text = if path.exists() {
        read_text(&path)?
    } else {
        String::from("# 客服平台评分(plaint rate 录入;同一部门同一月份以最后一条为准)\n")
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&crate::yaml::to_string(&[entry])?);
    desk.written.will_write(&desk.root, &path)?;
    store::write_atomic(&desk.root, &path, text.as_bytes(), false)?;
    drop(_lock);
    super::commit(&desk, &format!("rate {department} {y:04}-{m:02}: {sc}"));
    eprintln!(
        "rated {} for {y:04}-{m:02}: {sc}",
        desk.rules.departments().label(&department)
    );
    Ok(Outcome::Done)
}

/// The ratings file's text (a regular file of at most 64 MB).
fn read_text(path: &std::path::Path) -> Result<String> {
    let bytes = crate::desk::store::read_regular(path, 64 * 1024 * 1024)?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", path.display()))
}

/// Every rating entered, in file order.
pub fn read(desk: &Desk) -> Result<Vec<Rating>> {
    let path = desk.root.join(RATINGS);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = read_text(&path)?;
    let entries: Option<Vec<Entry>> = crate::yaml::from_str(&text)
        .map_err(|e| anyhow!("{}:{}: {}", path.display(), e.line.unwrap_or(1), e.message))?;
    entries
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let (year, month) =
                parse_month(&e.month).map_err(|x| anyhow!("{}: {x}", path.display()))?;
            Ok(Rating {
                department: e.department,
                year,
                month,
                score: score(&e.score).map_err(|x| anyhow!("{}: {x}", path.display()))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores() {
        assert_eq!(super::score("92.5").unwrap().0, 925);
        assert_eq!(super::score("100").unwrap().0, 1000);
        assert!(super::score("100.1").is_err());
        assert!(super::score("-1").is_err());
        assert!(super::score("9.25").is_err());
    }
}
