//! Reports and penalties (SPEC §7, §10) on a hand-built desk, checked figure by figure
//! against numbers worked out here by hand.

use crate::common::Desk;
use serde_json::{Value, json};

/// The desk of the worked example (times are 2026, desk time):
///
/// | ticket | project  | received    | what happens                                              |
/// |--------|----------|-------------|-----------------------------------------------------------|
/// | A      | 实力北岸 | 11-02 10:00 | all on time, closed 11-04, callback 10/10/10               |
/// | B      | 实力北岸 | 11-03 10:00 | closed 11-07 10:00, 1 day past its 11-06 10:00 deadline   |
/// | C      | 实力北岸 | 11-05 09:00 | nothing done at all                                       |
/// | D      | 书香大地 | 11-06 10:00 | invalid (suggestion), closed by explanation               |
/// | E      | 书香大地 | 11-09 10:00 | on time, callback 9/9/10, a mishandling violation         |
/// | F      | 实力锦城 | 10-30 10:00 | October's, closed 11-03 10:00, 1 day past 11-02 10:00     |
/// | H      | 实力郡城 | 11-01 08:00 | still open, close due 11-04 08:00                         |
/// | G      | 实力北岸 | 12-01 10:00 | after the period                                          |
struct Example {
    d: Desk,
    a: String,
    b: String,
    c: String,
    e: String,
    f: String,
    h: String,
}

fn log(d: &Desk, project: &str, at: &str) -> String {
    d.cmd(&[
        "log",
        "--project",
        project,
        "--name",
        "业主",
        "--phone",
        "13800000000",
        "--subject",
        "物业问题",
        "--type",
        "property-service",
    ])
    .at(at)
    .ok()
    .trim()
    .to_string()
}

fn steps(d: &Desk, id: &str, handler: &str, times: [&str; 4]) {
    d.cmd(&["forward", id]).at(times[0]).ok();
    d.cmd(&["assign", id, "--handler", handler])
        .at(times[1])
        .ok();
    d.cmd(&["respond", id]).at(times[2]).ok();
    d.cmd(&["plan", id, "--action", "repair"]).at(times[3]).ok();
}

fn example() -> Example {
    let d = Desk::new();
    let f = log(&d, "实力锦城", "2026-10-30 10:00");
    steps(
        &d,
        &f,
        "王工",
        [
            "2026-10-30 10:10",
            "2026-10-30 10:15",
            "2026-10-30 10:20",
            "2026-10-30 12:00",
        ],
    );
    d.cmd(&["close", &f, "--reason", "confirmed"])
        .at("2026-11-03 10:00")
        .ok();

    let h = log(&d, "实力郡城", "2026-11-01 08:00");
    steps(
        &d,
        &h,
        "王工",
        [
            "2026-11-01 08:30",
            "2026-11-01 08:30",
            "2026-11-01 08:40",
            "2026-11-01 09:00",
        ],
    );

    let a = log(&d, "实力北岸", "2026-11-02 10:00");
    steps(
        &d,
        &a,
        "李工",
        [
            "2026-11-02 10:30",
            "2026-11-02 10:35",
            "2026-11-02 10:40",
            "2026-11-02 12:00",
        ],
    );
    d.cmd(&["close", &a, "--reason", "confirmed"])
        .at("2026-11-04 10:00")
        .ok();
    d.cmd(&[
        "callback",
        &a,
        "--timeliness",
        "10",
        "--plan",
        "10",
        "--attitude",
        "10",
    ])
    .at("2026-11-04 15:00")
    .ok();

    let b = log(&d, "实力北岸", "2026-11-03 10:00");
    steps(
        &d,
        &b,
        "李工",
        [
            "2026-11-03 10:10",
            "2026-11-03 10:15",
            "2026-11-03 10:20",
            "2026-11-03 13:00",
        ],
    );
    d.cmd(&["close", &b, "--reason", "confirmed"])
        .at("2026-11-07 10:00")
        .ok();

    let c = log(&d, "实力北岸", "2026-11-05 09:00");

    let dd = d
        .cmd(&[
            "log",
            "--project",
            "书香大地",
            "--name",
            "访客",
            "--phone",
            "139",
            "--subject",
            "建议",
        ])
        .at("2026-11-06 10:00")
        .ok()
        .trim()
        .to_string();
    d.cmd(&["forward", &dd]).at("2026-11-06 10:20").ok();
    d.cmd(&["respond", &dd]).at("2026-11-06 10:25").ok();
    d.cmd(&["classify", &dd, "--invalid", "suggestion"])
        .at("2026-11-06 10:30")
        .ok();
    d.cmd(&["close", &dd, "--reason", "explained"])
        .at("2026-11-06 11:00")
        .ok();

    let e = log(&d, "书香大地", "2026-11-09 10:00");
    steps(
        &d,
        &e,
        "赵工",
        [
            "2026-11-09 10:30",
            "2026-11-09 10:35",
            "2026-11-09 10:50",
            "2026-11-09 11:30",
        ],
    );
    d.cmd(&["close", &e, "--reason", "confirmed"])
        .at("2026-11-10 10:00")
        .ok();
    d.cmd(&[
        "callback",
        &e,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "10",
    ])
    .at("2026-11-10 12:00")
    .ok();
    d.cmd(&[
        "violation",
        &e,
        "--rule",
        "mishandling",
        "--person",
        "赵六",
        "--department",
        "property",
    ])
    .at("2026-11-10 13:00")
    .ok();

    log(&d, "实力北岸", "2026-12-01 10:00");
    d.cmd(&[
        "rate",
        "--department",
        "物业公司",
        "--month",
        "2026-11",
        "--score",
        "80",
    ])
    .at("2026-11-30 09:00")
    .ok();
    // A later rating for the same month replaces the earlier one.
    d.cmd(&[
        "rate",
        "--department",
        "property",
        "--month",
        "2026-11",
        "--score",
        "92",
    ])
    .at("2026-11-30 10:00")
    .ok();
    d.cmd(&[
        "rate",
        "--department",
        "marketing",
        "--month",
        "2026-11",
        "--score",
        "99",
    ])
    .at("2026-11-30 10:00")
    .ok();
    Example {
        d,
        a,
        b,
        c,
        e,
        f,
        h,
    }
}

fn figures(v: &Value) -> Value {
    json!({
        "received": v["received"], "invalid": v["invalid"], "closed": v["closed"],
        "closure_rate": v["closure_rate"], "on_time_rate": v["on_time_rate"],
        "callback_rate": v["callback_rate"], "satisfaction": v["satisfaction"],
    })
}

#[test]
fn the_monthly_report_figure_by_figure() {
    let x = example();
    let v = x.d.json(&[
        "report",
        "--month",
        "2026-11",
        "--by",
        "project",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(
        v["period"],
        json!({"from": "2026-11-01", "to": "2026-11-30"})
    );
    // Valid received in November: H, A, B, C, E = 5; invalid: D. Closed by 11-20: A, B, E = 3
    // → 60.0%. On time: A, E → 2/3 = 66.7%. Called back: A, E → 66.7%. Satisfaction:
    // (10+10+10+9+9+10)/6 = 9.67 → 9.7.
    assert_eq!(
        figures(&v["totals"]),
        json!({"received": 5, "invalid": 1, "closed": 3, "closure_rate": 60.0, "on_time_rate": 66.7, "callback_rate": 66.7, "satisfaction": 9.7})
    );
    let g = v["groups"].as_array().unwrap();
    assert_eq!(g.len(), 3);
    // 书香大地: E only (D invalid): 1 received, 1 closed → 100.0, on time 100.0, callback
    // 100.0, satisfaction 28/3 = 9.3. Rank 1.
    assert_eq!(g[0]["key"], "书香大地");
    assert_eq!(g[0]["rank"], 1);
    assert_eq!(
        figures(&g[0]),
        json!({"received": 1, "invalid": 1, "closed": 1, "closure_rate": 100.0, "on_time_rate": 100.0, "callback_rate": 100.0, "satisfaction": 9.3})
    );
    // 实力北岸: A, B, C → 2 closed of 3 = 66.7; on time 1/2 = 50.0; callback 1/2 = 50.0;
    // satisfaction 10.0. Rank 2. (G arrives in December.)
    assert_eq!(g[1]["key"], "实力北岸");
    assert_eq!(g[1]["rank"], 2);
    assert_eq!(
        figures(&g[1]),
        json!({"received": 3, "invalid": 0, "closed": 2, "closure_rate": 66.7, "on_time_rate": 50.0, "callback_rate": 50.0, "satisfaction": 10.0})
    );
    // 实力郡城: H, open: 0.0, nothing closed so the other rates are empty. Rank 3.
    assert_eq!(g[2]["key"], "实力郡城");
    assert_eq!(g[2]["rank"], 3);
    assert_eq!(
        figures(&g[2]),
        json!({"received": 1, "invalid": 0, "closed": 0, "closure_rate": 0.0, "on_time_rate": null, "callback_rate": null, "satisfaction": null})
    );
    // Overdue at the cut-off: C (all steps), H (close), B (callback never made).
    let overdue: Vec<&str> = v["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(
        overdue.contains(&x.c.as_str())
            && overdue.contains(&x.h.as_str())
            && overdue.contains(&x.b.as_str()),
        "{overdue:?}"
    );
    assert!(!overdue.contains(&x.a.as_str()));
    assert_eq!(v["as_of"], "2026-11-20T00:00:00+08:00");
    assert_eq!(
        v["rules"]["path"],
        x.d.path().join("rules.yaml").display().to_string()
    );
    assert_eq!(v["rules"]["sha256"].as_str().unwrap().len(), 12);
    assert!(
        v["definitions"]["closure_rate"]
            .as_str()
            .unwrap()
            .contains("3.7.1")
    );
}

#[test]
fn the_same_report_at_two_moments() {
    let x = example();
    // At 11-05 09:30 only H, A, B, C had arrived, and only A was closed.
    let early = x.d.json(&[
        "report",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-05 09:30",
    ]);
    assert_eq!(
        figures(&early["totals"]),
        json!({"received": 4, "invalid": 0, "closed": 1, "closure_rate": 25.0, "on_time_rate": 100.0, "callback_rate": 100.0, "satisfaction": 10.0})
    );
    assert_eq!(early["cutoff"], "2026-11-05T09:30:00+08:00");
    // Later events never change a report already made: the same --as-of gives the same bytes.
    let again =
        x.d.cmd(&[
            "report",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-05 09:30",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), early);
    // After the month ended, the cut-off is the end of the month.
    let late =
        x.d.json(&["report", "--month", "2026-11", "--as-of", "2027-01-10"]);
    assert_eq!(late["cutoff"], "2026-12-01T00:00:00+08:00");
    assert_eq!(late["totals"]["received"], 5);
}

#[test]
fn an_empty_period_reports_nothing_received() {
    let x = example();
    let v = x.d.json(&[
        "report",
        "--month",
        "2026-06",
        "--by",
        "project",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(
        figures(&v["totals"]),
        json!({"received": 0, "invalid": 0, "closed": 0, "closure_rate": null, "on_time_rate": null, "callback_rate": null, "satisfaction": null})
    );
    assert_eq!(v["groups"], json!([]));
    let t =
        x.d.cmd(&["report", "--month", "2026-06", "--as-of", "2026-11-20"])
            .ok();
    assert!(t.contains("合计") && t.contains("—"), "{t}");
    // A desk with no tickets at all.
    let empty = Desk::empty();
    assert_eq!(
        empty.json(&["report", "--as-of", "2026-11-20"])["totals"]["received"],
        0
    );
}

#[test]
fn report_periods_and_groupings() {
    let x = example();
    let v = x.d.json(&[
        "report",
        "--year",
        "2026",
        "--by",
        "month",
        "--as-of",
        "2026-12-31",
    ]);
    let months: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(months, vec!["2026-10", "2026-11", "2026-12"]);
    let last =
        x.d.json(&["report", "--last-month", "--as-of", "2026-12-05"]);
    assert_eq!(last["period"]["from"], "2026-11-01");
    let range = x.d.json(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-03",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(range["totals"]["received"], 3); // H, A, B
    let dept = x.d.json(&[
        "report",
        "--month",
        "2026-11",
        "--by",
        "department",
        "--as-of",
        "2026-11-20",
    ]);
    assert_eq!(dept["groups"][0]["key"], "property");
    assert_eq!(dept["groups"][0]["label"], "物业公司");
    let grade = x.d.json(&[
        "report",
        "--month",
        "2026-11",
        "--by",
        "grade",
        "--as-of",
        "2026-11-20",
    ]);
    assert!(
        grade["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["key"] == "important"),
        "C and H stayed open 7 days"
    );
    x.d.json(&[
        "report",
        "--month",
        "2026-11",
        "--by",
        "category",
        "--as-of",
        "2026-11-20",
    ]);
    for (args, msg) in [
        (
            vec!["report", "--month", "2026-13"],
            "--month: '2026-13' is not a month",
        ),
        (
            vec!["report", "--from", "2026-11-05", "--to", "2026-11-01"],
            "is before --from",
        ),
        (vec!["report", "--year", "26"], "is not a year"),
    ] {
        let err = x.d.cmd(&args).refused(1);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    x.d.cmd(&["report", "--by", "weather"]).refused(2);
    x.d.cmd(&["report", "--format", "pdf"]).refused(2);
}

#[test]
fn report_formats_parse_back() {
    let x = example();
    let base = [
        "report",
        "--month",
        "2026-11",
        "--by",
        "project",
        "--as-of",
        "2026-11-20",
        "--format",
    ];
    let with = |f: &str| {
        let mut a = base.to_vec();
        a.push(f);
        x.d.cmd(&a).ok()
    };
    // CSV, without and with a BOM.
    for (bom, text) in [
        (false, with("csv")),
        (true, {
            let mut a = base.to_vec();
            a.extend(["csv", "--bom"]);
            x.d.cmd(&a).ok()
        }),
    ] {
        assert_eq!(text.starts_with('\u{feff}'), bom);
        let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        // Plain CSV is for scripts (codes, English keys); with a BOM it is for Excel and
        // people: Chinese headers named after --by.
        let expected = if bom {
            ["代码", "项目", "受理"]
        } else {
            ["key", "label", "received"]
        };
        assert_eq!(head[..3], expected);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(&rows[0][0], "书香大地");
        assert_eq!(&rows[1][5], "66.7");
        assert_eq!(&rows[3][0], "total");
        assert_eq!(&rows[3][5], "60.0");
    }
    let md = with("md");
    assert!(md.starts_with("# 客户投诉处理报表 2026-11"));
    assert!(
        md.contains("| 实力北岸 | 3 | 0 | 2 | 66.7 | 50.0 | 50.0 | 10.0 | 2 |"),
        "{md}"
    );
    let table = with("table");
    assert!(
        table.contains("关闭率 = 关闭数 / 受理数 × 100") && table.contains("sha256"),
        "{table}"
    );
    let html = with("html");
    assert_well_formed(&html);
    assert!(html.contains("<svg") && html.contains("各项目关闭率"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("href=") && !html.contains("src="));
    // A year gets the monthly trend too.
    let year =
        x.d.cmd(&[
            "report",
            "--year",
            "2026",
            "--as-of",
            "2026-12-31",
            "--format",
            "html",
        ])
        .ok();
    assert_well_formed(&year);
    assert!(year.contains("月度关闭率趋势"));
}

/// Every tag closed in order (void elements aside): enough to know a mail client can lay
/// the page out.
fn assert_well_formed(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("an unclosed '<'");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag.starts_with('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/')
            && !["meta", "br", "hr", "img", "link", "input"].contains(&name.as_str())
        {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn item<'a>(v: &'a Value, ticket: &str, rule: &str) -> &'a Value {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ticket"] == ticket && i["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} item for {ticket}: {v:#}"))
}

#[test]
fn penalties_item_by_item() {
    let x = example();
    let v =
        x.d.json(&["penalties", "--month", "2026-11", "--as-of", "2026-11-20"]);
    let items = v["items"].as_array().unwrap();
    // B: closed 24h after its 11-06 10:00 deadline: 1 late day × 100 (§9.5.1), 李工.
    let b = item(&v, &x.b, "overdue");
    assert_eq!(
        (
            b["amount"].clone(),
            b["person"].clone(),
            b["department"].clone()
        ),
        (json!(100), json!("李工"), json!("property"))
    );
    assert_eq!(b["clause"], "9.5.1, 9.5.2");
    assert_eq!(b["provisional"], false);
    assert!(
        b["basis"].as_str().unwrap().contains("逾期 1 天:1×100"),
        "{b}"
    );
    // C: nothing done. Forward due 11:00 → the receiver, who logged it at customer service:
    // 200 (§9.2). Respond due 10:00 → no handler yet, so the receiver: 200 (§9.4). Plan due
    // 13:00 → the handler, none assigned: 300 (§9.1). Close due 11-08 09:00, open at 11-20
    // 00:00: 11d15h → 12 days = 7×100 + 5×200 = 1700, provisional.
    let f = item(&v, &x.c, "late-forward");
    assert_eq!(
        (
            f["amount"].clone(),
            f["person"].clone(),
            f["department"].clone(),
            f["provisional"].clone()
        ),
        (
            json!(200),
            json!("测试员"),
            json!("customer-service"),
            json!(true)
        )
    );
    let r = item(&v, &x.c, "late-response");
    assert_eq!(
        (r["amount"].clone(), r["person"].clone()),
        (json!(200), json!("测试员"))
    );
    assert_eq!(r["clause"], "9.4");
    let p = item(&v, &x.c, "no-plan");
    assert_eq!(
        (
            p["amount"].clone(),
            p["person"].clone(),
            p["department"].clone()
        ),
        (json!(300), Value::Null, json!("property"))
    );
    // Nobody was assigned: the department answers alone, and the basis says so.
    assert!(p["basis"].as_str().unwrap().contains("未指派处理人"), "{p}");
    let o = item(&v, &x.c, "overdue");
    assert_eq!(
        (o["amount"].clone(), o["provisional"].clone()),
        (json!(1700), json!(true))
    );
    assert!(
        o["basis"]
            .as_str()
            .unwrap()
            .contains("逾期 12 天:7×100 + 5×200"),
        "{o}"
    );
    // F: received in October, its close deadline fell on 11-02: November's fine. 100, 王工.
    let ff = item(&v, &x.f, "overdue");
    assert_eq!(
        (ff["amount"].clone(), ff["person"].clone()),
        (json!(100), json!("王工"))
    );
    // H: close due 11-04 08:00, open at 11-20 00:00: 15d16h → 16 days: 7×100 + 8×200 = 2300,
    // and more than 15 days: 500–1500 to decide (§9.5.3), not in the totals.
    let h = item(&v, &x.h, "overdue");
    assert_eq!(h["amount"], 2300);
    assert_eq!(
        v["to_decide"],
        json!([{
            "ticket": x.h, "rule": "overdue-15", "clause": "9.5.3", "person": "王工", "department": "property",
            "min": 500, "max": 1500, "basis": h_basis(&v),
            "basis_fields": {"kind": "beyond", "late_days": 16, "through_day": 15, "label": "超期15天以上,视情节轻重处分"},
        }])
    );
    // E: the mishandling violation (§10): 500 to 赵六.
    let vi = item(&v, &x.e, "mishandling");
    assert_eq!(
        (
            vi["amount"].clone(),
            vi["person"].clone(),
            vi["clause"].clone()
        ),
        (json!(500), json!("赵六"), json!("10"))
    );
    // A and E were on time; D was invalid but forwarded and answered in time: no items.
    assert!(!items.iter().any(|i| i["ticket"] == x.a.as_str()));
    assert_eq!(items.len(), 8);
    // Totals: 王工 100 + 2300 = 2400; nobody named (property) 300 + 1700 = 2000; 赵六 500;
    // 测试员 200 + 200 = 400; 李工 100. Departments: property 5000, customer-service 400.
    assert_eq!(
        v["totals"],
        json!([
            {"person": "王工", "department": "property", "amount": 2400},
            {"person": null, "department": "property", "amount": 2000},
            {"person": "赵六", "department": "property", "amount": 500},
            {"person": "测试员", "department": "customer-service", "amount": 400},
            {"person": "李工", "department": "property", "amount": 100},
        ])
    );
    assert_eq!(v["department_totals"][0]["amount"], 5000);
    assert_eq!(v["department_totals"][1]["amount"], 400);
    // Rewards: property's callbacks in November: A 10/10/10 and E 9/9/10 → 58/6 × 10 = 96.7;
    // platform score 92 (the later entry): 0.7 × 96.7 + 0.3 × 92 = 95.3 → 95–98: 300.
    // Marketing has a platform score but no callbacks: no score, no reward.
    assert_eq!(
        v["rewards"],
        json!([
            {"department": "marketing", "month": "2026-11", "callback_score": null, "platform_score": 99.0, "score": null, "amount": 0},
            {"department": "property", "month": "2026-11", "callback_score": 96.7, "platform_score": 92.0, "score": 95.3, "amount": 300},
        ])
    );
}

fn h_basis(v: &Value) -> Value {
    v["to_decide"][0]["basis"].clone()
}

#[test]
fn a_fine_belongs_to_the_period_of_its_deadline() {
    let x = example();
    let oct =
        x.d.json(&["penalties", "--month", "2026-10", "--as-of", "2026-11-20"]);
    // F's steps in October were all on time; its close deadline (11-02) was November's.
    assert_eq!(oct["items"], json!([]));
    // Before C's close deadline passed, there was no overdue item for it yet.
    let early = x.d.json(&[
        "penalties",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-08 08:00",
    ]);
    assert!(
        early["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !(i["ticket"] == x.c.as_str() && i["rule"] == "overdue"))
    );
}

#[test]
fn penalty_formats() {
    let x = example();
    let csv_text =
        x.d.cmd(&[
            "penalties",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-20",
            "--format",
            "csv",
            "--bom",
        ])
        .ok();
    assert!(csv_text.starts_with('\u{feff}'));
    let mut r = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>()[..6],
        ["编号", "规则", "条款", "责任人", "部门", "金额(元)"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    // Eight fines, then the grand total, in yuan (the same sum the table's 合计 gives).
    assert_eq!(rows.len(), 9);
    assert_eq!(&rows[8][0], "合计");
    let sum: i64 = rows[..8].iter().map(|r| r[5].parse::<i64>().unwrap()).sum();
    assert_eq!((&rows[8][5], sum), ("5400", 5400));
    let plain =
        x.d.cmd(&[
            "penalties",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-20",
            "--format",
            "csv",
        ])
        .ok();
    let mut r = csv::Reader::from_reader(plain.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>()[..6],
        ["ticket", "rule", "clause", "person", "department", "amount"]
    );
    assert_eq!(r.records().count(), 8);
    let t =
        x.d.cmd(&["penalties", "--month", "2026-11", "--as-of", "2026-11-20"])
            .ok();
    // The department subtotals end with the grand total.
    let by_dept = &t[t.find("按部门合计").unwrap()..];
    assert!(
        by_dept
            .lines()
            .any(|l| l.contains(" 合计 ") && l.contains(" 5400 ")),
        "{t}"
    );
    assert!(
        t.contains("待定")
            && t.contains("按责任人合计")
            && t.contains("(暂计)")
            && t.contains("sha256"),
        "{t}"
    );
}

#[test]
fn rate_refuses_bad_input() {
    let d = Desk::new();
    for (args, msg) in [
        (
            vec![
                "rate",
                "--department",
                "nowhere",
                "--month",
                "2026-11",
                "--score",
                "90",
            ],
            "--department: unknown department 'nowhere'",
        ),
        (
            vec![
                "rate",
                "--department",
                "property",
                "--month",
                "2026-13",
                "--score",
                "90",
            ],
            "--month: '2026-13' is not a month",
        ),
        (
            vec![
                "rate",
                "--department",
                "property",
                "--month",
                "2026-11",
                "--score",
                "101",
            ],
            "--score: '101' is not a score",
        ),
        (
            vec![
                "rate",
                "--department",
                "property",
                "--month",
                "2026-11",
                "--score",
                "-5",
            ],
            "is not a score",
        ),
    ] {
        let err = d.cmd(&args).refused(1);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}

#[test]
fn check_reads_the_ratings_file_too() {
    let d = Desk::new();
    d.cmd(&[
        "rate",
        "--department",
        "property",
        "--month",
        "2026-11",
        "--score",
        "92.5",
    ])
    .at("2026-11-30 10:00")
    .ok();
    let text = std::fs::read_to_string(d.path().join("ratings.yaml")).unwrap();
    assert!(
        text.contains("department: property") && text.contains("score: '92.5'"),
        "{text}"
    );
    d.cmd(&["check"]).ok();
    std::fs::write(
        d.path().join("ratings.yaml"),
        text.replace("month: 2026-11", "month: 2026-13"),
    )
    .unwrap();
    let (code, out, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("ratings.yaml: '2026-13' is not a month"));
}

#[test]
fn a_ticket_finished_before_the_period_has_no_fines_in_it() {
    let d = Desk::new();
    let x = log(&d, "实力北岸", "2026-10-12 10:00");
    steps(
        &d,
        &x,
        "李工",
        [
            "2026-10-12 10:30",
            "2026-10-12 10:35",
            "2026-10-12 12:00",
            "2026-10-12 13:00",
        ],
    );
    d.cmd(&["close", &x, "--reason", "confirmed"])
        .at("2026-10-16 10:00")
        .ok();
    d.cmd(&[
        "callback",
        &x,
        "--timeliness",
        "8",
        "--plan",
        "8",
        "--attitude",
        "8",
    ])
    .at("2026-10-16 12:00")
    .ok();
    let oct = d.json(&["penalties", "--month", "2026-10", "--as-of", "2026-11-20"]);
    let rules: Vec<(&str, i64)> = oct["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["rule"].as_str().unwrap(), i["amount"].as_i64().unwrap()))
        .collect();
    // Responded 12:00 against 11:00 (§9.4); closed 10-16 10:00 against 10-15 10:00 (§9.5.1).
    assert_eq!(rules, vec![("late-response", 200), ("overdue", 100)]);
    let nov = d.json(&["penalties", "--month", "2026-11", "--as-of", "2026-11-20"]);
    assert_eq!(nov["items"], json!([]));
    // Its October report still counts it, and it is overdue nowhere.
    let r = d.json(&["report", "--month", "2026-11", "--as-of", "2026-11-20"]);
    assert_eq!(r["overdue"], json!([]));
}
