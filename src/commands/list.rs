//! `plaint list`: tickets, filtered, as a table, JSON or CSV.

use super::Outcome;
use super::{Ctx, as_of};
use crate::cli::{ListArgs, ListFormat, StatusFilter};
use crate::output;
use crate::rules::assess::Verdict;
use crate::ticket::Status;
use crate::time::{human, parse_month, rfc3339};
use anyhow::{Result, anyhow};
use chrono::Datelike;
use serde::Serialize;

pub fn run(ctx: &Ctx, a: ListArgs) -> Result<Outcome> {
    let desk = ctx.open()?;
    let rules = &desk.rules;
    let at = as_of(&desk, &a.read)?;
    let project = a
        .project
        .as_deref()
        .map(|p| rules.resolve_project(p))
        .transpose()
        .map_err(|e| anyhow!("--project: {e}"))?;
    let category = a
        .category
        .as_deref()
        .map(|c| rules.categories().resolve(c))
        .transpose()
        .map_err(|e| anyhow!("--category: {e}"))?;
    let department = a
        .department
        .as_deref()
        .map(|d| rules.departments().resolve(d))
        .transpose()
        .map_err(|e| anyhow!("--department: {e}"))?;
    let month = a
        .month
        .as_deref()
        .map(parse_month)
        .transpose()
        .map_err(|e| anyhow!("--month: {e}"))?;

    let grade = a
        .grade
        .as_deref()
        .map(|g| rules.grades().resolve(g))
        .transpose()
        .map_err(|e| anyhow!("--grade: {e}"))?;

    let known = super::known_at(&desk, &a.read)?;
    let judge = crate::desk::judge::Judge {
        desk: &desk,
        rules,
        at,
        known,
    };
    let in_month =
        |r: &crate::time::Moment| month.is_none_or(|(y, m)| r.year() == y && r.month() == m);
    // Kept verdicts describe the tickets as they are now: with --known-at every ticket is
    // read whole, cut to what was written, and judged afresh; otherwise the cache's kept
    // verdicts serve where they still hold.
    let mut all: Vec<Verdict> = Vec::new();
    let (mut catalog, mut kept) = (None, None);
    let mut judged: Vec<Option<Verdict>>;
    let (verdicts, gaps): (Vec<&Verdict>, _) = if known.is_some() {
        let gaps = judge.each_batch(
            |_| true,
            |t| in_month(&t.received_at),
            |js| all.extend(js.iter().map(|a| a.verdict())),
        )?;
        (all.iter().collect(), gaps)
    } else {
        let catalog: &_ = catalog.insert(desk.catalog()?);
        let peers = catalog.peers(rules, at)?;
        let entries = catalog.entries();
        let chosen: Vec<usize> = (0..entries.len())
            .filter(|i| {
                let r = &entries[*i].digest.received_at;
                r <= &at && in_month(r)
            })
            .collect();
        // A verdict kept by an earlier run is used where it still holds; the other tickets
        // are judged a batch at a time, so that only verdicts, not tickets, are held to the
        // end.
        let kept = kept.insert(desk.kept_verdicts(catalog, &chosen));
        let groups: Vec<Vec<[u8; 16]>> = chosen
            .iter()
            .map(|i| entries[*i].digest.groups(&peers))
            .collect();
        let stale: Vec<usize> = (0..chosen.len())
            .filter(|k| {
                kept.get(chosen[*k])
                    .and_then(|v| v.at(at, &groups[*k]))
                    .is_none()
            })
            .map(|k| chosen[k])
            .collect();
        // Where each chosen entry stands in `chosen`.
        let place: std::collections::HashMap<usize, usize> =
            chosen.iter().enumerate().map(|(k, i)| (*i, k)).collect();
        judged = vec![None; chosen.len()];
        let gaps = judge.entries(catalog, &peers, &stale, &|_| true, |which, js| {
            for (i, a) in which.iter().zip(js) {
                let k = place[i];
                let standing = a.standing(rules, &peers);
                judged[k] = kept.keep(catalog, *i, standing, groups[k].clone(), a.verdict());
            }
        })?;
        let verdicts = chosen
            .iter()
            .enumerate()
            .filter_map(|(k, i)| {
                judged[k]
                    .as_ref()
                    .or_else(|| kept.get(*i).map(|k| &k.verdict))
            })
            .collect();
        (verdicts, gaps)
    };
    let mut gaps = gaps;
    let mut rows: Vec<&Verdict> = Vec::new();
    for v in verdicts {
        let keep = grade.as_deref().is_none_or(|g| v.grade == g)
            && (!a.overdue || v.overdue)
            && project.as_ref().is_none_or(|p| v.project == p.as_str())
            && category.as_deref().is_none_or(|c| v.category == c)
            && (department.is_none() || v.department.as_deref() == department.as_deref())
            && match a.status {
                Some(StatusFilter::Open) => v.status == Status::Open,
                Some(StatusFilter::Closed) => v.status == Status::Closed,
                None => true,
            };
        if keep {
            gaps.extend(v.calendar_gaps.iter().copied());
            rows.push(v);
        }
    }
    rows.sort_by(|x, y| (x.received_at, &x.id).cmp(&(y.received_at, &y.id)));

    match a.format {
        ListFormat::Json => {
            output::json_to_stdout(&rows.iter().map(|v| Row(v)).collect::<Vec<_>>())?
        }
        ListFormat::Csv => {
            let rows: Vec<Vec<String>> = rows.iter().map(|r| csv_row(rules, r, a.bom)).collect();
            output::print(&output::csv(
                if a.bom {
                    &CSV_HEAD_FOR_PEOPLE
                } else {
                    &CSV_HEAD
                },
                &rows,
                a.bom,
            )?)?
        }
        ListFormat::Table if rows.is_empty() => eprintln!("no tickets match"),
        ListFormat::Table => {
            let overdue: Vec<bool> = rows.iter().map(|r| r.overdue).collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.project.clone(),
                        rules.grades().label(&r.grade).to_string(),
                        status_label(r),
                        rules.categories().label(&r.category).to_string(),
                        r.department
                            .as_deref()
                            .map(|d| rules.departments().label(d).to_string())
                            .unwrap_or_else(|| "—".into()),
                        human(&r.received_at),
                        r.subject.clone(),
                    ]
                })
                .collect();
            let headers = [
                "编号",
                "项目",
                "等级",
                "状态",
                "类别",
                "责任部门",
                "受理时间",
                "主题",
            ];
            let tone = |i: usize, j: usize| (j == 3 && overdue[i]).then_some(output::Tone::Bad);
            output::print(
                &output::Grid::new(&headers, &rows)
                    .one_line()
                    // On a narrow terminal: the category first, then the department, then
                    // the project give way to the subject.
                    .give_way(&[4, 5, 1])
                    .tone(&tone)
                    .render(),
            )?
        }
    }
    super::warn_gap_years(&gaps);
    // Kept after the output is written, so that nobody waits for the cache.
    if let (Some(catalog), Some(kept)) = (catalog, kept) {
        desk.keep_verdicts(&catalog, &kept);
        // The process ends here: handing every verdict and digest back to the allocator one
        // by one would only delay the exit.
        std::mem::forget(kept);
        std::mem::forget(catalog);
    }
    Ok(Outcome::Done)
}

/// The CSV columns: codes and RFC 3339 times, for scripts.
const CSV_HEAD: [&str; 11] = [
    "id",
    "project",
    "status",
    "valid",
    "grade",
    "category",
    "type",
    "department",
    "handler",
    "received_at",
    "subject",
];

/// The same columns for Excel and for people (`--bom`): Chinese headers.
const CSV_HEAD_FOR_PEOPLE: [&str; 11] = [
    "编号",
    "项目",
    "状态",
    "有效性",
    "等级",
    "类别",
    "投诉类型",
    "责任部门",
    "处理人",
    "受理时间",
    "主题",
];

/// A ticket's CSV row: codes for scripts, or, `for_people`, the rulebook's labels and
/// times as people write them.
fn csv_row(rules: &crate::rules::Rules, r: &Verdict, for_people: bool) -> Vec<String> {
    if for_people {
        vec![
            r.id.clone(),
            r.project.clone(),
            status_label(r),
            if r.valid { "有效" } else { "无效" }.into(),
            rules.grades().label(&r.grade).to_string(),
            rules.categories().label(&r.category).to_string(),
            r.type_
                .as_deref()
                .map_or(String::new(), |t| rules.types().label(t).to_string()),
            r.department
                .as_deref()
                .map_or(String::new(), |d| rules.departments().label(d).to_string()),
            r.handler.clone().unwrap_or_default(),
            human(&r.received_at),
            r.subject.clone(),
        ]
    } else {
        vec![
            r.id.clone(),
            r.project.clone(),
            r.status.code().into(),
            r.valid.to_string(),
            r.grade.clone(),
            r.category.clone(),
            r.type_.clone().unwrap_or_default(),
            r.department.clone().unwrap_or_default(),
            r.handler.clone().unwrap_or_default(),
            rfc3339(&r.received_at),
            r.subject.clone(),
        ]
    }
}

/// 处理中 or 已关闭, and 逾期 when a deadline has passed unmet.
fn status_label(v: &Verdict) -> String {
    format!(
        "{}{}",
        v.status.label(),
        if v.overdue { " 逾期" } else { "" }
    )
}

/// One ticket of the list as JSON: the verdict's fields in this order, under these keys.
struct Row<'a>(&'a Verdict);

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let v = self.0;
        let mut r = s.serialize_struct("Row", 12)?;
        r.serialize_field("id", &v.id)?;
        r.serialize_field("project", &v.project)?;
        r.serialize_field("status", &v.status)?;
        r.serialize_field("valid", &v.valid)?;
        r.serialize_field("grade", &v.grade)?;
        r.serialize_field("overdue", &v.overdue)?;
        r.serialize_field("category", &v.category)?;
        r.serialize_field("type", &v.type_)?;
        r.serialize_field("department", &v.department)?;
        r.serialize_field("handler", &v.handler)?;
        r.serialize_field("received_at", &rfc3339(&v.received_at))?;
        r.serialize_field("subject", &v.subject)?;
        r.end()
    }
}
