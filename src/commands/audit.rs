//! `plaint audit [--since REV]`: what the desk's git history shows beyond appends: rewritten
//! or deleted tickets and merges that left one event twice (exit 1), back-dated entries, and
//! one-step commits whose event names someone else than their author.

use super::Ctx;
use super::Outcome;
use crate::cli::{AuditArgs, AuditFormat};
use crate::desk::{Desk, audit, git};
use crate::output;
use crate::time::{human, rfc3339};
use anyhow::{Result, bail};
use serde_json::json;

pub fn run(ctx: &Ctx, a: AuditArgs) -> Result<Outcome> {
    let desk = Desk::open(&ctx.desk, ctx.rules.as_deref())?;
    let Some(top) = git::work_tree(&desk.root) else {
        bail!(
            "{} is not in a git work tree: there is no history to audit (keep the desk in git to have one)",
            desk.root.display()
        );
    };
    let tolerance = desk.rules.book.desk.clock_tolerance.duration();
    let f = audit::read(&top, &desk.root, a.since.as_deref(), tolerance)?;
    // Files written but not committed (a writer stopped before its commit).
    let uncommitted = crate::desk::record::uncommitted(&desk.root);
    let text = match a.format {
        AuditFormat::Json => output::json(&json!({
            "commits": f.commits,
            "rewrites": f.rewrites.iter().map(|r| json!({
                "commit": r.commit.sha, "author": r.commit.author, "date": r.commit.date,
                "file": r.file, "what": r.what, "lines": r.lines,
            })).collect::<Vec<_>>(),
            "backdated": f.backdated.iter().map(|b| json!({
                "commit": b.commit.sha, "author": b.commit.author, "file": b.file,
                "kind": b.kind, "by": b.by, "at": rfc3339(&b.at), "entered_at": rfc3339(&b.entered_at),
            })).collect::<Vec<_>>(),
            "author_mismatches": f.mismatches.iter().map(|m| json!({
                "commit": m.commit.sha, "author": m.commit.author, "file": m.file,
                "kind": m.kind, "by": m.by,
            })).collect::<Vec<_>>(),
            "duplicates": f.duplicates.iter().map(|d| json!({
                "commit": d.commit.sha, "author": d.commit.author, "date": d.commit.date,
                "file": d.file, "events": d.events,
            })).collect::<Vec<_>>(),
            "uncommitted": uncommitted.iter().map(|(by, p)| json!({
                "file": p.strip_prefix(&desk.root).unwrap_or(p).display().to_string(), "by": by,
            })).collect::<Vec<_>>(),
        }))?,
        AuditFormat::Table => {
            let mut t = table(&f);
            if !uncommitted.is_empty() {
                t.push_str(&format!(
                    "未提交({} 个文件,写入后 plaint 被中止;下一个写入命令会补交):\n",
                    uncommitted.len()
                ));
                let rows: Vec<Vec<String>> = uncommitted
                    .iter()
                    .map(|(by, p)| {
                        vec![
                            p.strip_prefix(&desk.root)
                                .unwrap_or(p)
                                .display()
                                .to_string(),
                            by.clone(),
                        ]
                    })
                    .collect();
                t.push_str(&output::table(&["文件", "经办人"], &rows));
                t.push('\n');
            }
            t
        }
    };
    output::print(&text)?;
    Ok(
        if f.rewrites.is_empty() && f.duplicates.is_empty() && uncommitted.is_empty() {
            Outcome::Done
        } else {
            Outcome::Found
        },
    )
}

fn table(f: &audit::Findings) -> String {
    let mut out = format!("审计:{} 个提交\n", f.commits);
    if f.rewrites.is_empty() {
        out.push_str("没有改写:每个提交都只在投诉文件末尾追加。\n");
    } else {
        out.push_str(&format!("改写({} 处,须核查):\n", f.rewrites.len()));
        let rows: Vec<Vec<String>> = f
            .rewrites
            .iter()
            .map(|r| {
                vec![
                    r.commit.sha.clone(),
                    r.commit.author.clone(),
                    r.commit.date.clone(),
                    r.file.clone(),
                    match r.what {
                        "deleted" => "删除投诉".into(),
                        "inserted" => "中间插入".into(),
                        _ => "修改或删行".into(),
                    },
                    r.lines.join("\n"),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &["提交", "作者", "时间", "文件", "改动", "内容"],
            &rows,
        ));
        out.push('\n');
    }
    if !f.backdated.is_empty() {
        out.push_str(&format!("补录({} 条,事后录入):\n", f.backdated.len()));
        let rows: Vec<Vec<String>> = f
            .backdated
            .iter()
            .map(|b| {
                vec![
                    b.commit.sha.clone(),
                    b.file.clone(),
                    b.kind.clone(),
                    b.by.clone(),
                    b.commit.author.clone(),
                    human(&b.at),
                    human(&b.entered_at),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &[
                "提交",
                "文件",
                "事件",
                "经办人",
                "录入人",
                "发生时间",
                "录入时间",
            ],
            &rows,
        ));
        out.push('\n');
    }
    if !f.mismatches.is_empty() {
        out.push_str(&format!(
            "经办人与提交作者不符({} 条):\n",
            f.mismatches.len()
        ));
        let rows: Vec<Vec<String>> = f
            .mismatches
            .iter()
            .map(|m| {
                vec![
                    m.commit.sha.clone(),
                    m.commit.author.clone(),
                    m.file.clone(),
                    m.kind.clone(),
                    m.by.clone(),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &["提交", "提交作者", "文件", "事件", "记录的经办人"],
            &rows,
        ));
    }
    if !f.duplicates.is_empty() {
        if !f.mismatches.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "重复事件({} 处,合并时同一事件留了两份,须核查):\n",
            f.duplicates.len()
        ));
        let rows: Vec<Vec<String>> = f
            .duplicates
            .iter()
            .map(|d| {
                vec![
                    d.commit.sha.clone(),
                    d.commit.author.clone(),
                    d.commit.date.clone(),
                    d.file.clone(),
                    d.events
                        .iter()
                        .map(|n| format!("第 {n} 条"))
                        .collect::<Vec<_>>()
                        .join("、"),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &["提交", "作者", "时间", "文件", "相同的事件"],
            &rows,
        ));
    }
    out
}
