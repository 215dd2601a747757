//! Rendering reports and penalty lists: table, JSON, CSV, Markdown and a self-contained HTML
//! page with SVG charts. Formatting only; the figures come from `figures` and `penalties`.

use super::figures::{By, Figures, Group, Report, Tenths};
use crate::output;
use crate::rules::Rules;
use crate::rules::penalties::Penalties;
use crate::time::{describe_delay, human, rfc3339};
use anyhow::Result;
use serde_json::{Value, json};

/// Where a figure came from, so it can be reproduced: the rulebook and the moment.
pub struct Provenance {
    pub rules_path: String,
    pub rules_sha256: String,
    pub as_of: crate::time::Moment,
    /// The git commit the desk was at, and whether it had changes not committed yet.
    pub commit: Option<(String, bool)>,
}

impl Provenance {
    pub fn json(&self) -> Value {
        json!({
            "path": self.rules_path,
            "sha256": self.rules_sha256,
            "commit": self.commit.as_ref().map(|(c, _)| c),
            "uncommitted_changes": self.commit.as_ref().map(|(_, d)| d),
        })
    }
    pub fn line(&self) -> String {
        let commit = match &self.commit {
            Some((c, false)) => format!(",台账提交 {c}"),
            Some((c, true)) => format!(",台账提交 {c}(另有未提交的改动)"),
            None => String::new(),
        };
        format!(
            "规则手册 {} (sha256 {}){commit},计算时刻 --as-of {}",
            self.rules_path,
            self.rules_sha256,
            rfc3339(&self.as_of)
        )
    }
}

pub const DEFINITIONS: [(&str, &str); 7] = [
    (
        "received",
        "受理数:期内受理的有效投诉;无效投诉另计(invalid),不计入以下各率",
    ),
    (
        "closed",
        "关闭数:上述有效投诉中,至期末(或 --as-of,取较早者)已关闭的(§3.6)",
    ),
    (
        "closure_rate",
        "关闭率 = 关闭数 / 受理数 × 100(§3.7.1),保留一位小数;无受理时为空",
    ),
    (
        "on_time_rate",
        "按时关闭率 = 在关闭时限内关闭的 / 关闭数 × 100(§8.1)",
    ),
    ("callback_rate", "回访率 = 已回访的 / 关闭数 × 100(§7.4)"),
    (
        "satisfaction",
        "满意度 = 回访三项评分(及时性、方案、态度,0–10)的平均",
    ),
    (
        "rank",
        "排名:按关闭率,其次按时关闭率,其次满意度,由高到低(§13);并列同名次",
    ),
];

pub fn by_code(b: By) -> &'static str {
    match b {
        By::Project => "project",
        By::Department => "department",
        By::Category => "category",
        By::Grade => "grade",
        By::Month => "month",
    }
}

pub fn key_label(rules: &Rules, by: By, key: &str) -> String {
    match by {
        By::Department if key.is_empty() => "待界定".into(),
        By::Department => rules.departments().label(key).to_string(),
        By::Category => rules.categories().label(key).to_string(),
        By::Grade => rules.grades().label(key).to_string(),
        By::Project | By::Month => key.to_string(),
    }
}

fn t(v: Option<Tenths>) -> Value {
    v.map(|x| json!(x.as_f64())).unwrap_or(Value::Null)
}

fn figures_json(f: &Figures) -> serde_json::Map<String, Value> {
    let v = json!({
        "received": f.received,
        "invalid": f.invalid,
        "closed": f.closed,
        "closure_rate": t(f.closure_rate()),
        "on_time_rate": t(f.on_time_rate()),
        "callback_rate": t(f.callback_rate()),
        "satisfaction": t(f.satisfaction()),
    });
    v.as_object().cloned().unwrap_or_default()
}

pub fn report_json(rules: &Rules, r: &Report, by: Option<By>, p: &Provenance) -> Value {
    let groups: Vec<Value> = r
        .groups
        .iter()
        .map(|g| {
            let mut m = serde_json::Map::new();
            m.insert("key".into(), json!(g.key));
            if let Some(b) = by {
                m.insert("label".into(), json!(key_label(rules, b, &g.key)));
            }
            m.extend(figures_json(&g.figures));
            m.insert("rank".into(), json!(g.rank));
            Value::Object(m)
        })
        .collect();
    json!({
        "period": {"from": r.period.from.to_string(), "to": r.period.to.to_string()},
        "as_of": rfc3339(&p.as_of),
        "cutoff": rfc3339(&r.cutoff),
        "rules": p.json(),
        "by": by.map(by_code),
        "totals": Value::Object(figures_json(&r.totals)),
        "groups": groups,
        "overdue": r.overdue.iter().map(|o| json!({
            "id": o.id,
            "project": o.project,
            "grade": o.grade,
            "department": o.department,
            "handler": o.handler,
            "steps": o.steps.iter().map(|(s, due, late)| json!({
                "step": rules.step_code(*s),
                "due": rfc3339(due),
                "overdue_minutes": late.num_minutes(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "definitions": DEFINITIONS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    })
}

fn dash(v: Option<Tenths>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "—".into())
}

/// The report's columns; the first is named after what the rows are grouped by.
fn head(by: Option<By>) -> [&'static str; 9] {
    let first = match by {
        Some(By::Project) => "项目",
        Some(By::Department) => "责任部门",
        Some(By::Category) => "类别",
        Some(By::Grade) => "等级",
        Some(By::Month) => "月份",
        None => "范围",
    };
    [
        first,
        "受理",
        "无效",
        "关闭",
        "关闭率%",
        "按时关闭率%",
        "回访率%",
        "满意度",
        "排名",
    ]
}

fn row(label: String, f: &Figures, rank: Option<usize>) -> Vec<String> {
    vec![
        label,
        f.received.to_string(),
        f.invalid.to_string(),
        f.closed.to_string(),
        dash(f.closure_rate()),
        dash(f.on_time_rate()),
        dash(f.callback_rate()),
        dash(f.satisfaction()),
        rank.map(|r| r.to_string()).unwrap_or_default(),
    ]
}

fn rows(rules: &Rules, r: &Report, by: Option<By>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g: &Group| {
            row(
                key_label(rules, by.unwrap_or(By::Project), &g.key),
                &g.figures,
                Some(g.rank),
            )
        })
        .collect();
    out.push(row("合计".into(), &r.totals, None));
    out
}

/// The overdue complaints, each late step as `环节(时限 …,已超 …)`, the steps joined by
/// `sep` (a new line in a terminal table).
fn overdue_rows(rules: &Rules, r: &Report, sep: &str) -> Vec<Vec<String>> {
    r.overdue
        .iter()
        .map(|o| {
            vec![
                o.id.clone(),
                o.project.clone(),
                rules.grades().label(&o.grade).to_string(),
                o.department
                    .as_deref()
                    .map(|d| rules.departments().label(d).to_string())
                    .unwrap_or_else(|| "待界定".into()),
                o.handler.clone().unwrap_or_else(|| "—".into()),
                o.steps
                    .iter()
                    .map(|(s, due, late)| {
                        if sep == "\n" {
                            // A terminal line: the month and day are enough under the title.
                            format!(
                                "{} {} 超{}",
                                rules.step_label(*s),
                                due.format("%m-%d %H:%M"),
                                describe_delay(*late)
                            )
                        } else {
                            format!(
                                "{}(时限 {},已超 {})",
                                rules.step_label(*s),
                                human(due),
                                describe_delay(*late)
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(sep),
            ]
        })
        .collect()
}

const OVERDUE_HEAD: [&str; 6] = ["编号", "项目", "等级", "责任部门", "处理人", "逾期环节"];

fn title(r: &Report) -> String {
    format!(
        "客户投诉处理报表 {}(统计至 {})",
        r.period.label(),
        human(&r.cutoff)
    )
}

pub fn report_table(rules: &Rules, r: &Report, by: Option<By>, p: &Provenance) -> String {
    let mut out = title(r);
    out.push('\n');
    out.push_str(&output::table(&head(by), &rows(rules, r, by)));
    out.push('\n');
    if r.overdue.is_empty() {
        out.push_str("期末无逾期投诉。\n");
    } else {
        out.push_str(&format!("期末逾期投诉 {} 件:\n", r.overdue.len()));
        // One late step a line, never broken; on a narrow terminal the project, the
        // handler, the department and the grade give way, in that order.
        out.push_str(
            &output::Grid::new(&OVERDUE_HEAD, &overdue_rows(rules, r, "\n"))
                .keep(&[5])
                .give_way(&[1, 4, 3, 2])
                .render(),
        );
        out.push('\n');
    }
    out.push_str("口径:\n");
    for (_, d) in DEFINITIONS {
        out.push_str(&format!("  {d}\n"));
    }
    out.push_str(&p.line());
    out.push('\n');
    out
}

pub fn report_csv(rules: &Rules, r: &Report, by: Option<By>, bom: bool) -> Result<String> {
    let h = head(by);
    let chinese = ["代码", h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]];
    let english = [
        "key",
        "label",
        "received",
        "invalid",
        "closed",
        "closure_rate",
        "on_time_rate",
        "callback_rate",
        "satisfaction",
        "rank",
    ];
    // With a BOM the file is for Excel, and for people: Chinese headers.
    let head = if bom { chinese } else { english };
    let opt = |v: Option<Tenths>| v.map(|x| x.to_string()).unwrap_or_default();
    let line = |key: &str, label: String, f: &Figures, rank: String| {
        vec![
            key.to_string(),
            label,
            f.received.to_string(),
            f.invalid.to_string(),
            f.closed.to_string(),
            opt(f.closure_rate()),
            opt(f.on_time_rate()),
            opt(f.callback_rate()),
            opt(f.satisfaction()),
            rank,
        ]
    };
    let mut rows: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g| {
            line(
                &g.key,
                key_label(rules, by.unwrap_or(By::Project), &g.key),
                &g.figures,
                g.rank.to_string(),
            )
        })
        .collect();
    rows.push(line("total", "合计".into(), &r.totals, String::new()));
    output::csv(&head, &rows, bom)
}

fn md_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n|{}|\n",
        head.join(" | "),
        vec!["---"; head.len()].join("|")
    );
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out
}

pub fn report_md(rules: &Rules, r: &Report, by: Option<By>, p: &Provenance) -> String {
    let mut out = format!("# {}\n\n", title(r));
    out.push_str(&md_table(&head(by), &rows(rules, r, by)));
    out.push('\n');
    if r.overdue.is_empty() {
        out.push_str("期末无逾期投诉。\n\n");
    } else {
        out.push_str(&format!("## 期末逾期投诉({} 件)\n\n", r.overdue.len()));
        out.push_str(&md_table(&OVERDUE_HEAD, &overdue_rows(rules, r, ";")));
        out.push('\n');
    }
    out.push_str("## 口径\n\n");
    for (_, d) in DEFINITIONS {
        out.push_str(&format!("- {d}\n"));
    }
    out.push_str(&format!("\n_{}_\n", p.line()));
    out
}

/// Text for a Markdown table cell: HTML is not markup here, a `|` does not split the cell,
/// Markdown's own marks are literal, and control characters are shown escaped.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in output::visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn esc(s: &str) -> String {
    output::visible(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html_table(head: &[&str], rows: &[Vec<String>], last_is_total: bool) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, r) in rows.iter().enumerate() {
        let class = if last_is_total && i + 1 == rows.len() {
            " class=\"total\""
        } else {
            ""
        };
        out.push_str(&format!("<tr{class}>"));
        for (k, c) in r.iter().enumerate() {
            let num = k > 0
                && c.chars()
                    .all(|ch| ch.is_ascii_digit() || ch == '.' || ch == '—');
            out.push_str(&if num {
                format!("<td class=\"n\">{}</td>", esc(c))
            } else {
                format!("<td>{}</td>", esc(c))
            });
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Horizontal bars of closure rate, one per group (inline SVG, no scripts).
fn bar_chart(title: &str, bars: &[(String, Option<Tenths>)]) -> String {
    let row_h = 28;
    // Wide enough for the longest name (12px text: a Chinese character takes about 13px,
    // a Latin one 7px), so no label is clipped at the left edge.
    let label_w = bars
        .iter()
        .map(|(l, _)| output::display_width(l) as i64 * 7 + 16)
        .max()
        .unwrap_or(0)
        .max(80);
    let chart_w = 420;
    let h = 40 + bars.len() as i64 * row_h + 24;
    let mut s = format!(
        "<svg width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\" role=\"img\" aria-label=\"{}\">\n",
        label_w + chart_w + 70,
        label_w + chart_w + 70,
        esc(title)
    );
    s.push_str(&format!(
        "<text x=\"0\" y=\"18\" class=\"ct\">{}</text>\n",
        esc(title)
    ));
    for pct in [0, 25, 50, 75, 100] {
        let x = label_w + chart_w * pct / 100;
        s.push_str(&format!(
            "<line x1=\"{x}\" y1=\"32\" x2=\"{x}\" y2=\"{}\" class=\"grid\"/><text x=\"{x}\" y=\"{}\" class=\"ax\" text-anchor=\"middle\">{pct}%</text>\n",
            h - 20,
            h - 6
        ));
    }
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = 36 + i as i64 * row_h;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"lb\" text-anchor=\"end\">{}</text>\n",
            label_w - 8,
            y + 15,
            esc(label)
        ));
        match v {
            Some(t) => {
                let w = (chart_w as f64 * t.as_f64() / 100.0).round() as i64;
                s.push_str(&format!(
                    "<rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"20\" class=\"bar\"/><text x=\"{}\" y=\"{}\" class=\"val\">{t}%</text>\n",
                    label_w + w + 6,
                    y + 15
                ));
            }
            None => s.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" class=\"val\">无受理</text>\n",
                label_w + 6,
                y + 15
            )),
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A line of closure rate by month (inline SVG).
fn trend_chart(title: &str, points: &[(String, Option<Tenths>)]) -> String {
    let (w, h, left, top, bottom) = (640i64, 272i64, 50i64, 52i64, 40i64);
    // Room on both sides so the first and last month's labels are not cut.
    let pad = 36;
    let plot_w = w - left - 20 - 2 * pad;
    let plot_h = h - top - bottom;
    let n = points.len().max(1) as i64;
    let x = |i: i64| {
        left + if n == 1 {
            plot_w / 2
        } else {
            plot_w * i / (n - 1)
        }
    };
    let y = |v: f64| top + plot_h - (plot_h as f64 * v / 100.0).round() as i64;
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">\n<text x=\"0\" y=\"18\" class=\"ct\">{}</text>\n",
        esc(title),
        esc(title)
    );
    for pct in [0, 50, 100] {
        let yy = y(pct as f64);
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" class=\"grid\"/><text x=\"{}\" y=\"{}\" class=\"ax\" text-anchor=\"end\">{pct}%</text>\n",
            w - 20,
            left - 6,
            yy + 4
        ));
    }
    let mut path = String::new();
    for (i, (label, v)) in points.iter().enumerate() {
        let xi = x(i as i64);
        s.push_str(&format!(
            "<text x=\"{xi}\" y=\"{}\" class=\"ax\" text-anchor=\"middle\">{}</text>\n",
            h - 14,
            esc(label)
        ));
        if let Some(t) = v {
            let yi = y(t.as_f64());
            path.push_str(&format!(
                "{}{xi},{yi} ",
                if path.is_empty() { "M" } else { "L" }
            ));
            s.push_str(&format!(
                "<circle cx=\"{xi}\" cy=\"{yi}\" r=\"4\" class=\"dot\"/><text x=\"{xi}\" y=\"{}\" class=\"val\" text-anchor=\"middle\">{t}</text>\n",
                yi - 8
            ));
        }
    }
    if !path.is_empty() {
        s.push_str(&format!("<path d=\"{}\" class=\"line\"/>\n", path.trim()));
    }
    s.push_str("</svg>\n");
    s
}

const CSS: &str = "body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2933;margin:24px;max-width:960px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#616e7c;font-size:12px;margin-bottom:16px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #cbd2d9;padding:4px 8px;text-align:left;white-space:nowrap}
td:last-child{white-space:normal}
th{background:#f0f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f5f7fa}
ul.defs{font-size:12px;color:#3e4c59;padding-left:18px}
svg{display:block;margin:8px 0}
svg .ct{font-size:14px;font-weight:bold;fill:#1f2933}
svg .lb,svg .val,svg .ax{font-size:12px;fill:#3e4c59}
svg .bar{fill:#2f80ed}svg .grid{stroke:#e4e7eb;stroke-width:1}
svg .line{fill:none;stroke:#2f80ed;stroke-width:2}svg .dot{fill:#2f80ed}";

/// One self-contained page: inline CSS and SVG, no scripts, no outside links.
pub fn report_html(
    rules: &Rules,
    r: &Report,
    by: Option<By>,
    p: &Provenance,
    by_project: &Report,
    by_month: Option<&Report>,
) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<div class=\"meta\">{}</div>\n",
        esc(&title(r)),
        esc(&title(r)),
        esc(&p.line())
    );
    out.push_str(&html_table(&head(by), &rows(rules, r, by), true));
    let bars: Vec<(String, Option<Tenths>)> = by_project
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.figures.closure_rate()))
        .collect();
    if !bars.is_empty() {
        out.push_str("<h2>各项目关闭率</h2>\n");
        out.push_str(&bar_chart("关闭率(按项目)", &bars));
    }
    if let Some(m) = by_month {
        let points: Vec<(String, Option<Tenths>)> = m
            .groups
            .iter()
            .map(|g| (g.key.clone(), g.figures.closure_rate()))
            .collect();
        if !points.is_empty() {
            out.push_str("<h2>月度关闭率趋势</h2>\n");
            out.push_str(&trend_chart("关闭率(按月)", &points));
        }
    }
    if r.overdue.is_empty() {
        out.push_str("<h2>期末逾期投诉</h2>\n<p>无。</p>\n");
    } else {
        out.push_str(&format!("<h2>期末逾期投诉({} 件)</h2>\n", r.overdue.len()));
        out.push_str(&html_table(
            &OVERDUE_HEAD,
            &overdue_rows(rules, r, ";"),
            false,
        ));
    }
    out.push_str("<h2>口径</h2>\n<ul class=\"defs\">\n");
    for (_, d) in DEFINITIONS {
        out.push_str(&format!("<li>{}</li>\n", esc(d)));
    }
    out.push_str("</ul>\n</body>\n</html>\n");
    out
}

// ------------------------------------------------------------------ penalties

/// Whole yuan as a JSON integer; anything else as an exact decimal string.
fn money(m: crate::money::Money) -> Value {
    if m.0 % 100 == 0 {
        json!(m.0 / 100)
    } else {
        json!(m.to_string())
    }
}

/// A fine's basis as a sentence: "投诉响应 11-02 11:30 完成,超出 11-02 11:00 时限 30分钟",
/// "第2轮 投诉关闭 截至 11-27 12:00 仍未完成,…;逾期 2 天:2×100", "11-10 10:00 由主管登记".
pub fn basis_text(rules: &Rules, b: &crate::rules::penalties::Basis) -> String {
    use crate::rules::penalties::{Basis, Unnamed};
    let short = |m: &crate::time::Moment| m.format("%m-%d %H:%M").to_string();
    match b {
        Basis::Late {
            step,
            due,
            done_at,
            as_of,
            late_seconds,
            late_days,
            per_day,
            round,
            unnamed,
            delays,
        } => {
            let label = rules
                .resolve_step(step)
                .map(|s| rules.step_label(s).to_string())
                .unwrap_or_else(|_| step.clone());
            let late = crate::time::describe_delay(chrono::Duration::seconds(*late_seconds));
            let mut out = match (done_at, as_of) {
                (Some(m), _) => {
                    format!("{label} {} 完成,超出 {} 时限 {late}", short(m), short(due))
                }
                (None, Some(a)) => format!(
                    "{label} 截至 {} 仍未完成,已超出 {} 时限 {late}",
                    short(a),
                    short(due)
                ),
                (None, None) => format!("{label} 超出 {} 时限 {late}", short(due)),
            };
            if let Some(n) = round {
                out = format!("第{n}轮 {out}");
            }
            match unnamed {
                Some(Unnamed::NoHandler) => out.push_str("(未指派处理人,由责任部门承担)"),
                Some(Unnamed::NoReceiver) => out.push_str("(接单人未登记,由接单部门承担)"),
                None => {}
            }
            for d in delays {
                out.push_str(&match &d.role {
                    Some(r) => format!(";延期说明已由{}({r})签字:{}", d.approved_by, d.reason),
                    None => format!(";延期说明已由{}签字:{}", d.approved_by, d.reason),
                });
            }
            if let Some(days) = late_days {
                let parts: Vec<String> = per_day
                    .iter()
                    .map(|p| format!("{}×{}", p.days, p.amount))
                    .collect();
                out.push_str(&format!(";逾期 {days} 天:{}", parts.join(" + ")));
            }
            out
        }
        Basis::Recorded { at, by } => format!("{} 由{by}登记", short(at)),
        Basis::Beyond {
            late_days,
            through_day,
            label,
        } => format!("逾期 {late_days} 天,超过 {through_day} 天:{label}"),
        Basis::Adjusts {
            month,
            was,
            now,
            cause,
        } => format!("调整 {month}:已结算 {was},现为 {now};{cause}"),
    }
}

pub fn penalties_json(
    rules: &Rules,
    pn: &Penalties,
    period: &super::period::Period,
    prov: &Provenance,
) -> Value {
    json!({
        "period": {"from": period.from.to_string(), "to": period.to.to_string()},
        "as_of": rfc3339(&prov.as_of),
        "rules": prov.json(),
        "items": pn.items.iter().map(|i| json!({
            "ticket": i.ticket,
            "rule": i.rule,
            "clause": i.clause,
            "label": i.label,
            "person": i.person,
            "department": i.department,
            "amount": money(i.amount),
            "basis": basis_text(rules, &i.basis),
            "basis_fields": i.basis,
            "provisional": i.provisional,
            "cycle": i.cycle,
            "due": rfc3339(&i.when),
            "adjusts": i.adjusts(),
            "cause": i.cause(),
        })).collect::<Vec<_>>(),
        "to_decide": pn.to_decide.iter().map(|d| json!({
            "ticket": d.ticket,
            "rule": d.rule,
            "clause": d.clause,
            "person": d.person,
            "department": d.department,
            "min": money(d.min),
            "max": money(d.max),
            "basis": basis_text(rules, &d.basis),
            "basis_fields": d.basis,
        })).collect::<Vec<_>>(),
        "totals": pn.totals.iter().map(|t| json!({
            "person": t.person,
            "department": t.department,
            "amount": money(t.amount),
        })).collect::<Vec<_>>(),
        "department_totals": pn.department_totals.iter().map(|(d, a)| json!({
            "department": d,
            "label": rules.departments().label(d),
            "amount": money(*a),
        })).collect::<Vec<_>>(),
        "rewards": pn.rewards.iter().map(|r| json!({
            "department": r.department,
            "month": r.month,
            "callback_score": t(r.callback_score),
            "platform_score": t(r.platform_score),
            "score": t(r.score),
            "amount": money(r.amount),
        })).collect::<Vec<_>>(),
    })
}

/// The fines as CSV: codes and English headers for scripts; with `bom` (for Excel) the
/// rulebook's labels and Chinese headers, and a grand total row.
pub fn penalties_csv(rules: &Rules, pn: &Penalties, bom: bool) -> Result<String> {
    let head = if bom {
        [
            "编号",
            "规则",
            "条款",
            "责任人",
            "部门",
            "金额(元)",
            "依据",
            "暂计",
            "时限",
            "调整月份",
        ]
    } else {
        [
            "ticket",
            "rule",
            "clause",
            "person",
            "department",
            "amount",
            "basis",
            "provisional",
            "due",
            "adjusts",
        ]
    };
    let mut rows: Vec<Vec<String>> = pn
        .items
        .iter()
        .map(|i| {
            if bom {
                vec![
                    i.ticket.clone(),
                    i.label.clone(),
                    format!("§{}", i.clause),
                    named(&i.person),
                    rules.departments().label(&i.department).to_string(),
                    i.amount.to_string(),
                    basis_text(rules, &i.basis),
                    if i.provisional { "是" } else { "否" }.into(),
                    human(&i.when),
                    i.adjusts().unwrap_or_default().to_string(),
                ]
            } else {
                vec![
                    i.ticket.clone(),
                    i.rule.clone(),
                    i.clause.clone(),
                    i.person.clone().unwrap_or_default(),
                    i.department.clone(),
                    i.amount.to_string(),
                    basis_text(rules, &i.basis),
                    i.provisional.to_string(),
                    rfc3339(&i.when),
                    i.adjusts().unwrap_or_default().to_string(),
                ]
            }
        })
        .collect();
    if bom && !pn.items.is_empty() {
        let total: crate::money::Money = pn.items.iter().map(|i| i.amount).sum();
        let mut last = vec![String::new(); head.len()];
        last[0] = "合计".into();
        last[5] = total.to_string();
        rows.push(last);
    }
    output::csv(&head, &rows, bom)
}

/// A person in a table; a fine nobody can be named for stays with the department ("—").
fn named(p: &Option<String>) -> String {
    p.clone().unwrap_or_else(|| "—".into())
}

pub fn penalties_table(
    rules: &Rules,
    pn: &Penalties,
    period: &super::period::Period,
    prov: &Provenance,
) -> String {
    let dept = |d: &str| rules.departments().label(d).to_string();
    let mut out = format!("投诉处理扣罚与奖励 {}\n", period.label());
    if pn.items.is_empty() {
        out.push_str("本期无扣罚。\n");
    } else {
        let rows: Vec<Vec<String>> = pn
            .items
            .iter()
            .map(|i| {
                vec![
                    i.ticket.clone(),
                    match i.adjusts() {
                        Some(m) => format!("调整 {m} · {} §{}", i.label, i.clause),
                        None => format!("{} §{}", i.label, i.clause),
                    },
                    named(&i.person),
                    dept(&i.department),
                    format!("{}{}", i.amount, if i.provisional { "(暂计)" } else { "" }),
                    basis_text(rules, &i.basis),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &["编号", "规则", "责任人", "部门", "金额(元)", "依据"],
            &rows,
        ));
        out.push('\n');
    }
    if !pn.to_decide.is_empty() {
        out.push_str("待定(视情节,不计入合计):\n");
        let rows: Vec<Vec<String>> = pn
            .to_decide
            .iter()
            .map(|d| {
                vec![
                    d.ticket.clone(),
                    format!("§{}", d.clause),
                    named(&d.person),
                    dept(&d.department),
                    format!("{}–{}", d.min, d.max),
                    basis_text(rules, &d.basis),
                ]
            })
            .collect();
        out.push_str(&output::table(
            &["编号", "条款", "责任人", "部门", "金额(元)", "依据"],
            &rows,
        ));
        out.push('\n');
    }
    if !pn.totals.is_empty() {
        let rows: Vec<Vec<String>> = pn
            .totals
            .iter()
            .map(|t| vec![named(&t.person), dept(&t.department), t.amount.to_string()])
            .collect();
        out.push_str("按责任人合计:\n");
        out.push_str(&output::table(&["责任人", "部门", "金额(元)"], &rows));
        out.push('\n');
        let mut rows: Vec<Vec<String>> = pn
            .department_totals
            .iter()
            .map(|(d, a)| vec![dept(d), a.to_string()])
            .collect();
        let total: crate::money::Money = pn.department_totals.iter().map(|(_, a)| *a).sum();
        rows.push(vec!["合计".into(), total.to_string()]);
        out.push_str("按部门合计:\n");
        out.push_str(&output::table(&["部门", "金额(元)"], &rows));
        out.push('\n');
    }
    if !pn.rewards.is_empty() {
        let rows: Vec<Vec<String>> = pn
            .rewards
            .iter()
            .map(|r| {
                vec![
                    dept(&r.department),
                    r.month.clone(),
                    dash(r.callback_score),
                    r.platform_score
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "未录入(plaint rate)".into()),
                    dash(r.score),
                    r.amount.to_string(),
                ]
            })
            .collect();
        // The weights are the rulebook's (rewards.callback_weight / platform_weight).
        let (cb, pf) = rules
            .book
            .rewards
            .as_ref()
            .map_or((0, 0), |r| (r.callback_weight, r.platform_weight));
        out.push_str(&format!("奖励(回访 {cb}% + 客服平台 {pf}%):\n"));
        out.push_str(&output::table(
            &[
                "部门",
                "月份",
                "回访得分",
                "平台评分",
                "综合得分",
                "奖励(元)",
            ],
            &rows,
        ));
        out.push('\n');
    }
    out.push_str(&prov.line());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long project name is drawn whole: its right-aligned label starts at or after the
    /// chart's left edge, and the bars start after it.
    #[test]
    fn chart_labels_are_never_clipped() {
        let long = "大理古城文旅综合体二期商业街区项目";
        let svg = bar_chart(
            "关闭率",
            &[(long.into(), Some(Tenths(1000))), ("书香大地".into(), None)],
        );
        let label = svg.lines().find(|l| l.contains(long)).unwrap();
        let x: i64 = label
            .split("x=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        // 17 characters of about 13px each end at x: they need at least 221px.
        assert!(x >= 17 * 13, "{label}");
        let bar = svg.lines().find(|l| l.starts_with("<rect")).unwrap();
        assert!(bar.contains(&format!("x=\"{}\"", x + 8)), "{bar}");
    }
}
