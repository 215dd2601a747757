//! Import from spreadsheets (SPEC §9): each encoding and format, Chinese and English headers,
//! all-or-nothing, idempotent by ref, and history that the report counts.

use crate::common::Desk;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/import")
        .join(name)
}

fn import(d: &Desk, file: &Path, extra: &[&str]) -> String {
    let mut a = vec!["import", file.to_str().unwrap(), "--by", "导入员"];
    a.extend_from_slice(extra);
    let out = d.cmd(&a).output();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(
        out.stdout.is_empty(),
        "import prints its summary on stderr only"
    );
    err
}

fn ids(d: &Desk) -> Vec<String> {
    d.json(&["list", "--as-of", "2026-12-31"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_three_sample_sheets_import_the_same_complaints() {
    let mut seen = Vec::new();
    for (file, read_as) in [
        ("complaints-gbk.csv", "GBK/GB18030 (detected)"),
        ("complaints-utf8.csv", "UTF-8"),
        ("complaints.xlsx", "xlsx sheet '投诉台账'"),
    ] {
        let d = Desk::new();
        let summary = import(&d, &sample(file), &[]);
        assert!(summary.contains(read_as), "{summary}");
        assert!(
            summary.contains("imported 6 (2025-09: 6), skipped 0"),
            "{summary}"
        );
        let t = d.show("202509-0002", "2025-12-01");
        assert_eq!(t["ref"], "KF-2025-0902");
        assert_eq!(t["project"], "实力郡城");
        assert_eq!(t["name"], "吴秀兰");
        assert_eq!(t["type"], "maintenance");
        assert_eq!(t["received_by"], "customer-service");
        assert_eq!(t["received_at"], "2025-09-03T14:20:00+08:00");
        assert_eq!(t["handler"], "钱工");
        assert_eq!(t["status"], "closed");
        assert_eq!(
            t["deadlines"]["respond"]["met_at"],
            "2025-09-03T15:00:00+08:00"
        );
        // The first row's time was typed as text in the .xlsx; the others are Excel dates.
        assert_eq!(
            d.show("202509-0001", "2025-12-01")["received_at"],
            "2025-09-01T08:40:00+08:00"
        );
        // "合理化意见或建议" in the validity column: invalid, for that reason.
        let inv = d.show("202509-0003", "2025-12-01");
        assert_eq!(
            (inv["valid"].clone(), inv["invalid_reason"].clone()),
            (serde_json::json!(false), serde_json::json!("suggestion"))
        );
        assert_eq!(
            inv["events"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["kind"] == "close")
                .unwrap()["reason"],
            "explained"
        );
        d.cmd(&["check"]).ok();
        let mut shows: Vec<String> = (1..=6)
            .map(|i| {
                let mut v = d.show(&format!("202509-000{i}"), "2025-12-01");
                // Everything but where each came from (file name) and when it was entered.
                for k in ["events", "source", "entered_at"] {
                    v.as_object_mut().unwrap().remove(k);
                }
                v.to_string()
            })
            .collect();
        shows.sort();
        seen.push(shows);
    }
    assert_eq!(
        seen[0], seen[1],
        "GBK CSV and UTF-8 CSV give the same tickets"
    );
    assert_eq!(seen[0], seen[2], "CSV and .xlsx give the same tickets");
}

#[test]
fn history_columns_give_closed_tickets_that_the_report_counts() {
    let d = Desk::new();
    import(&d, &sample("complaints-utf8.csv"), &[]);
    let r = d.json(&["report", "--month", "2025-09", "--as-of", "2025-12-01"]);
    // Six rows: one invalid; of the five valid, four were closed (row 4 is still open).
    // Callbacks (scores given) on four of them; on-time: rows 1, 5 and 6 closed within 3 days
    // (property/leasing), row 2 (maintenance, 15 days) too → 4 of 4.
    let t = &r["totals"];
    assert_eq!(
        (
            t["received"].as_i64(),
            t["invalid"].as_i64(),
            t["closed"].as_i64()
        ),
        (Some(5), Some(1), Some(4))
    );
    assert_eq!(t["closure_rate"], 80.0);
    assert_eq!(t["on_time_rate"], 100.0);
    assert_eq!(t["callback_rate"], 100.0);
    // (9+9+10 + 7+8+8 + 8+6+9 + 5+7+6) / 12 = 92 / 12 = 7.67 → 7.7
    assert_eq!(t["satisfaction"], 7.7);
}

#[test]
fn reimporting_a_grown_sheet_adds_only_the_new_rows() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("sheet.csv");
    let text = std::fs::read_to_string(sample("complaints-utf8.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&first, lines[..4].join("\n") + "\n").unwrap();
    let s = import(&d, &first, &[]);
    assert!(s.contains("imported 3") && s.contains("skipped 0"), "{s}");
    // The sheet grows by three rows; the nightly job imports it whole again.
    std::fs::write(&first, text).unwrap();
    let s = import(&d, &first, &[]);
    assert!(
        s.contains("imported 3 (2025-09: 3), skipped 3 already in the desk"),
        "{s}"
    );
    let s = import(&d, &first, &[]);
    assert!(s.contains("imported 0, skipped 6"), "{s}");
    assert_eq!(ids(&d).len(), 6);
    d.cmd(&["check"]).ok();
}

#[test]
fn a_bad_row_among_good_ones_writes_nothing_and_names_row_and_column() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.csv");
    std::fs::write(
        &f,
        "项目名称,投诉人姓名,联系方式,投诉主题,发单时间,投诉人数,投诉类型,关闭时间,及时性评分,方案评分,服务态度评分,投诉编号\n\
         实力北岸,张三,138,漏水,2026-11-02 10:00,1,维保修,,,,,R1\n\
         实力北岸,李四,电话号码,漏水,2026-02-30,0,噪音,,,,,R2\n\
         不存在,王五,139,电梯,2026-11-03 10:00,1,,2026-11-01 10:00,11,8,8,R3\n\
         实力北岸,赵六,137,漏水,2026-11-04 10:00,1,,,,,,R1\n",
    )
    .unwrap();
    let err = d
        .cmd(&["import", f.to_str().unwrap(), "--by", "x"])
        .refused(1);
    let name = f.display().to_string();
    for expected in [
        format!("{name}:3: 联系方式: '电话号码' is not a phone number"),
        format!("{name}:3: 发单时间: '2026-02-30' is not a real date"),
        format!("{name}:3: 投诉人数: 0 people"),
        format!("{name}:3: 投诉类型: unknown type '噪音'"),
        format!("{name}:4: 项目名称: unknown project '不存在'"),
        format!("{name}:4: 关闭时间: 2026-11-01 10:00 is before the complaint was received"),
        format!("{name}:4: 及时性评分: 11 is not a score; scores are 0 to 10"),
        format!("{name}:5: 投诉编号: 'R1' is already used by row 2"),
    ] {
        assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    }
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(!err.contains(&format!("{name}:2:")), "row 2 is good: {err}");
}

#[test]
fn headers_unknown_columns_and_dry_run() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    // English headers in any case, with - or _ alike; a column plaint does not know.
    std::fs::write(&f, "Project,NAME,phone,Subject,received-at,Received_By,备注栏\n实力北岸,张三,138,漏水,2026-11-02 10:00,物业公司,随便写写\n").unwrap();
    let err = d
        .cmd(&["import", f.to_str().unwrap(), "--by", "x"])
        .refused(1);
    assert!(
        err.contains(":1: unknown column '备注栏' (use --ignore-unknown to skip it)"),
        "{err}"
    );
    let s = import(&d, &f, &["--ignore-unknown", "--dry-run"]);
    assert!(
        s.contains("would import 1") && s.contains("nothing written"),
        "{s}"
    );
    assert!(ids(&d).is_empty());
    import(&d, &f, &["--ignore-unknown"]);
    assert_eq!(
        d.show("202611-0001", "2026-11-03")["received_by"],
        "property"
    );
    // A missing required column.
    std::fs::write(&f, "project,name\n实力北岸,张三\n").unwrap();
    let err = d
        .cmd(&["import", f.to_str().unwrap(), "--by", "x"])
        .refused(1);
    assert!(
        err.contains("no column for phone") && err.contains("no column for subject"),
        "{err}"
    );
}

#[test]
fn encodings_can_be_forced_and_files_checked() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let gbk = dir.path().join("gbk.csv");
    std::fs::copy(sample("complaints-gbk.csv"), &gbk).unwrap();
    let err = d
        .cmd(&[
            "import",
            gbk.to_str().unwrap(),
            "--encoding",
            "utf-8",
            "--by",
            "x",
        ])
        .refused(1);
    assert!(
        err.contains("not UTF-8") && err.contains("--encoding gbk"),
        "{err}"
    );
    import(&d, &gbk, &["--encoding", "gbk"]);
    // UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it.
    let bom = dir.path().join("bom.csv");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(b"project,name,phone,subject,received_at,ref\n\xe5\xae\x9e\xe5\x8a\x9b\xe5\x8c\x97\xe5\xb2\xb8,a,1,s,2026-11-02 10:00,B1\n");
    std::fs::write(&bom, bytes).unwrap();
    let s = import(&d, &bom, &[]);
    assert!(
        s.contains("UTF-8 with BOM") && s.contains("imported 1"),
        "{s}"
    );
    for (file, msg) in [
        ("x.pdf", "imports .csv and .xlsx"),
        ("missing.csv", "cannot read"),
    ] {
        let err = d
            .cmd(&[
                "import",
                dir.path().join(file).to_str().unwrap(),
                "--by",
                "x",
            ])
            .refused(1);
        assert!(err.contains(msg), "{err}");
    }
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(
        d.cmd(&["import", empty.to_str().unwrap(), "--by", "x"])
            .refused(1)
            .contains("no header row")
    );
}

#[test]
fn xlsx_dates_as_serial_numbers_or_text_and_the_sheet_option() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("book.xlsx");
    let mut book = Workbook::new();
    let first = book.add_worksheet();
    first.set_name("说明").unwrap();
    first.write_string(0, 0, "本表第二页为投诉台账").unwrap();
    let s = book.add_worksheet();
    s.set_name("台账").unwrap();
    for (c, h) in [
        "项目名称",
        "投诉人姓名",
        "联系方式",
        "投诉主题",
        "发单时间",
        "关闭时间",
        "投诉编号",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let fmt = Format::new().set_num_format("yyyy/m/d h:mm");
    // Row 2: a real date cell; row 3: a bare serial number; row 4: text.
    s.write_string(1, 0, "实力北岸").unwrap();
    s.write_string(1, 1, "甲").unwrap();
    s.write_number(1, 2, 13800000000.0).unwrap();
    s.write_string(1, 3, "漏水").unwrap();
    s.write_datetime_with_format(
        1,
        4,
        ExcelDateTime::parse_from_str("2026-11-02 09:30:00").unwrap(),
        &fmt,
    )
    .unwrap();
    s.write_string(1, 6, "X1").unwrap();
    s.write_string(2, 0, "书香大地").unwrap();
    s.write_string(2, 1, "乙").unwrap();
    s.write_string(2, 2, "139").unwrap();
    s.write_string(2, 3, "电梯").unwrap();
    s.write_number(2, 4, 46329.5).unwrap(); // 2026-11-03 12:00
    s.write_string(2, 6, "X2").unwrap();
    s.write_string(3, 0, "实力锦城").unwrap();
    s.write_string(3, 1, "丙").unwrap();
    s.write_string(3, 2, "137").unwrap();
    s.write_string(3, 3, "噪音").unwrap();
    s.write_string(3, 4, "2026/11/4 8:05").unwrap();
    s.write_string(3, 5, "2026/11/5 8:05").unwrap();
    s.write_string(3, 6, "X3").unwrap();
    book.save(&f).unwrap();

    let err = d
        .cmd(&["import", f.to_str().unwrap(), "--by", "x"])
        .refused(1);
    assert!(
        err.contains("unknown column '本表第二页为投诉台账'"),
        "the first sheet is read by default: {err}"
    );
    let err = d
        .cmd(&[
            "import",
            f.to_str().unwrap(),
            "--sheet",
            "Sheet9",
            "--by",
            "x",
        ])
        .refused(1);
    assert!(
        err.contains("no sheet 'Sheet9'; its sheets: 说明, 台账"),
        "{err}"
    );
    import(&d, &f, &["--sheet", "台账"]);
    assert_eq!(
        d.show("202611-0001", "2026-11-10")["received_at"],
        "2026-11-02T09:30:00+08:00"
    );
    assert_eq!(d.show("202611-0001", "2026-11-10")["phone"], "13800000000");
    assert_eq!(
        d.show("202611-0002", "2026-11-10")["received_at"],
        "2026-11-03T12:00:00+08:00"
    );
    let third = d.show("202611-0003", "2026-11-10");
    assert_eq!(third["received_at"], "2026-11-04T08:05:00+08:00");
    assert_eq!(third["closed_at"], "2026-11-05T08:05:00+08:00");
}

#[test]
fn rows_without_a_receipt_time_take_at() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(&f, "project,name,phone,subject\n实力北岸,张三,138,漏水\n").unwrap();
    import(&d, &f, &["--at", "2026-10-09 09:00"]);
    assert_eq!(
        d.show("202610-0001", "2026-10-10")["received_at"],
        "2026-10-09T09:00:00+08:00"
    );
}

/// Case 5 of the trust issue: last year's sheet (no forwarded_at, no planned_at) must not
/// fine anybody for what it never recorded, nor the admin who ran the import.
#[test]
fn a_history_sheet_fines_nobody_for_what_it_does_not_record() {
    let d = Desk::new();
    import(&d, &sample("complaints.xlsx"), &[]);
    let as_of = "2025-12-01";
    // Closed rows: every step the sheet does not record is unrecorded; the row 1 ticket
    // records respond and close (and a callback), not forward or plan.
    let v = d.show("202509-0001", as_of);
    let states: Vec<(&str, &str)> = ["forward", "respond", "plan", "close", "callback"]
        .iter()
        .map(|s| (*s, v["deadlines"][s]["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("forward", "unrecorded"),
            ("respond", "met"),
            ("plan", "unrecorded"),
            ("close", "met"),
            ("callback", "met")
        ]
    );
    // Every imported event says where it came from.
    let src = v["source"].as_str().unwrap();
    assert_eq!(src, "complaints.xlsx:2");
    assert!(
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"] == src)
    );
    // Only the one row still open is overdue, and for its own steps.
    let overdue: Vec<String> = d
        .json(&["list", "--overdue", "--as-of", as_of])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(overdue, vec!["202509-0004"]);
    let open = d.show("202509-0004", as_of);
    // It records a response, so the forward before it is unrecorded; plan and close run.
    assert_eq!(open["deadlines"]["forward"]["state"], "unrecorded");
    assert_eq!(open["deadlines"]["plan"]["state"], "overdue");

    // September's fines: the sheet's own late steps, to the handlers it names, or to the
    // receiving department where it names no receiver. Never to 导入员, who ran the import.
    let p = d.json(&["penalties", "--month", "2025-09", "--as-of", as_of]);
    let text = p.to_string();
    assert!(!text.contains("导入员"), "{text}");
    let items: Vec<(String, String, Value, i64)> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["ticket"].as_str().unwrap().into(),
                i["rule"].as_str().unwrap().into(),
                i["person"].clone(),
                i["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    // 0003: invalid, answered 09-06 09:00 against 09-05 20:05 (§9.4): 200, receiver unknown.
    // 0004: answered 11:30 against 11:00 (200), no plan by 14:00 (300), and its close due
    // 09-13 10:00 still open on 12-01: 79 days late, capped at 7×100 + 8×200 = 2300 (§9.5).
    assert_eq!(
        items,
        vec![
            (
                "202509-0003".into(),
                "late-response".into(),
                Value::Null,
                200
            ),
            (
                "202509-0004".into(),
                "late-response".into(),
                json!("黄经理"),
                200
            ),
            ("202509-0004".into(), "no-plan".into(), json!("黄经理"), 300),
            (
                "202509-0004".into(),
                "overdue".into(),
                json!("黄经理"),
                2300
            ),
        ]
    );
    assert_eq!(p["items"][0]["department"], "customer-service");
    assert!(
        p["items"][0]["basis"]
            .as_str()
            .unwrap()
            .contains("接单人未登记")
    );
}

#[test]
fn a_logged_by_column_names_the_receiver() {
    let d = Desk::new();
    let csv = d.path().join("history.csv");
    std::fs::write(
        &csv,
        "投诉编号,项目名称,投诉人姓名,联系方式,投诉主题,发单时间,发单人,响应时间,关闭时间\n\
         H-1,实力北岸,甲,139,楼道灯,2025-09-01 10:00,李接待,2025-09-01 12:00,2025-09-02 10:00\n",
    )
    .unwrap();
    import(&d, &csv, &[]);
    let v = d.show("202509-0001", "2025-12-01");
    assert_eq!(v["logged_by"], "李接待");
    let p = d.json(&["penalties", "--month", "2025-09", "--as-of", "2025-12-01"]);
    // Responded 12:00 against 11:00, nobody assigned: the receiver the sheet names (§9.4).
    assert_eq!(p["items"][0]["rule"], "late-response");
    assert_eq!(p["items"][0]["person"], "李接待");
    assert_eq!(p["items"].as_array().unwrap().len(), 1, "{p}");
}

/// A sheet of text cells, headers first, written as .xlsx at `f`.
fn xlsx(f: &Path, rows: &[&[&str]]) {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(f).unwrap();
}

/// `import` that must be refused with exit 1, writing nothing; its stderr.
fn import_refused(d: &Desk, file: &Path) -> String {
    d.cmd(&["import", file.to_str().unwrap(), "--by", "王芳"])
        .refused(1)
}

#[test]
fn an_imported_step_names_the_person_the_row_names_and_keeps_the_importer_apart() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("history.xlsx");
    // 经办人 王芳 imports a row that 李敏 received and 黄经理 handled.
    xlsx(
        &f,
        &[
            &[
                "投诉编号",
                "项目名称",
                "投诉人姓名",
                "联系方式",
                "投诉主题",
                "发单时间",
                "投诉类型",
                "是否有效",
                "发单人",
                "信息传递时间",
                "处理责任人",
                "响应时间",
                "方案时间",
                "处理方案",
                "关闭时间",
                "及时性评分",
                "方案评分",
                "服务态度评分",
            ],
            &[
                "KF-1",
                "实力北岸",
                "甲",
                "13800000000",
                "楼道灯不亮",
                "2026-11-02 09:00",
                "物业服务",
                "有效",
                "李敏",
                "2026-11-02 09:30",
                "黄经理",
                "2026-11-02 09:40",
                "2026-11-02 11:00",
                "进行修复",
                "2026-11-03 17:00",
                "9",
                "9",
                "9",
            ],
        ],
    );
    let out = d
        .cmd(&["import", f.to_str().unwrap(), "--by", "王芳"])
        .at("2026-11-20 10:00")
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = ids(&d).pop().unwrap();
    let v = d.show(&id, "2026-11-20");
    let by: Vec<(String, String, String)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["by"].as_str().unwrap().to_string(),
                e["entered_by"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let s = |k: &str, b: &str| (k.to_string(), b.to_string(), "王芳".to_string());
    assert_eq!(
        by,
        vec![
            s("classify", "未登记"),
            s("assign", "未登记"),
            s("forward", "李敏"),
            s("respond", "黄经理"),
            s("plan", "黄经理"),
            s("close", "黄经理"),
            s("callback", "未登记"),
        ]
    );
    // show's table says who entered them.
    let table = d.cmd(&["show", &id, "--as-of", "2026-11-20"]).ok();
    assert!(table.contains("王芳 导入自"), "{table}");
}

#[test]
fn import_refuses_a_callback_the_callback_command_refuses_7_4() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("low.xlsx");
    // 方案评分 5 and no comment: the callback form asks the customer's reason below 6 (§7.4).
    xlsx(
        &f,
        &[
            &[
                "项目名称",
                "投诉人姓名",
                "联系方式",
                "投诉主题",
                "发单时间",
                "投诉类型",
                "关闭时间",
                "及时性评分",
                "方案评分",
                "服务态度评分",
            ],
            &[
                "实力北岸",
                "甲",
                "13800000000",
                "楼道灯不亮",
                "2026-11-02 09:00",
                "物业服务",
                "2026-11-03 17:00",
                "9",
                "5",
                "9",
            ],
        ],
    );
    let err = import_refused(&d, &f);
    let sentence =
        "a score below 6 needs the customer's reason (the callback form asks for it, §7.4)";
    assert!(
        err.contains(&format!("low.xlsx:2: comment: {sentence}")),
        "{err}"
    );
    // The command says the same sentence about the same answers.
    let id = d.log(&["--at", "2026-11-02 09:00", "--type", "物业服务"]);
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-03 17:00")
        .ok();
    let cmd = d
        .cmd(&[
            "callback",
            &id,
            "--timeliness",
            "9",
            "--plan",
            "5",
            "--attitude",
            "9",
        ])
        .at("2026-11-03 18:00")
        .refused(1);
    assert!(cmd.contains(&format!("--comment: {sentence}")), "{cmd}");
    // With the customer's reason, both take it.
    xlsx(
        &f,
        &[
            &[
                "项目名称",
                "投诉人姓名",
                "联系方式",
                "投诉主题",
                "发单时间",
                "投诉类型",
                "关闭时间",
                "及时性评分",
                "方案评分",
                "服务态度评分",
                "回访意见",
            ],
            &[
                "实力北岸",
                "甲",
                "13800000000",
                "楼道灯不亮",
                "2026-11-02 09:00",
                "物业服务",
                "2026-11-03 17:00",
                "9",
                "5",
                "9",
                "方案只修了一半",
            ],
        ],
    );
    import(&d, &f, &[]);
}

#[test]
fn import_refuses_a_close_the_close_command_refuses_3_6_7_5() {
    let d = Desk::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("close.csv");
    // Row 2: a valid complaint closed 'explained' (§3.6: for invalid ones only). Row 3: a
    // repair (工程类) closed 'confirmed' without the property company's confirmation (§7.5).
    // Row 4: 'no-agreement' with no plan on record (§3.6.2).
    std::fs::write(
        &f,
        "project,name,phone,subject,received_at,type,closed_at,close_reason\n\
         实力北岸,甲,1,s,2026-11-02 09:00,物业服务,2026-11-03 10:00,explained\n\
         实力北岸,乙,2,s,2026-11-02 09:00,维保修,2026-11-03 10:00,confirmed\n\
         实力北岸,丙,3,s,2026-11-02 09:00,物业服务,2026-11-03 10:00,no-agreement\n",
    )
    .unwrap();
    let err = import_refused(&d, &f);
    assert!(
        err.contains("close.csv:2: close_reason: 'explained' (无效投诉沟通解释关闭) closes invalid complaints only"),
        "{err}"
    );
    assert!(
        err.contains("close.csv:3: property_confirmed: this row is a 工程类 complaint: closing it 'confirmed' needs the property company's written confirmation (§7.5)"),
        "{err}"
    );
    assert!(
        err.contains("close.csv:4: close_reason: 'no-agreement' (已出具明确方案未达成一致) needs a definite plan on record (§3.6.2)"),
        "{err}"
    );
    // The commands refuse the same closes in the same words.
    let a = d.log(&["--at", "2026-11-02 09:00", "--type", "物业服务"]);
    let e = d
        .cmd(&["close", &a, "--reason", "explained"])
        .at("2026-11-03 10:00")
        .refused(1);
    assert!(
        e.contains("--reason: 'explained' (无效投诉沟通解释关闭) closes invalid complaints only"),
        "{e}"
    );
    let b = d.log(&["--at", "2026-11-02 09:00", "--type", "维保修"]);
    let e = d
        .cmd(&["close", &b, "--reason", "confirmed"])
        .at("2026-11-03 10:00")
        .refused(1);
    assert!(e.contains("is a 工程类 complaint: closing it 'confirmed' needs the property company's written confirmation (§7.5)"), "{e}");
    let e = d
        .cmd(&["close", &a, "--reason", "no-agreement"])
        .at("2026-11-03 10:00")
        .refused(1);
    assert!(e.contains("--reason: 'no-agreement' (已出具明确方案未达成一致) needs a definite plan on record (§3.6.2)"), "{e}");
    // 物业确认 = 是 admits the repair's close.
    std::fs::write(
        &f,
        "project,name,phone,subject,received_at,type,closed_at,close_reason,物业确认\n\
         实力北岸,乙,2,s,2026-11-02 09:00,维保修,2026-11-03 10:00,confirmed,是\n",
    )
    .unwrap();
    import(&d, &f, &[]);
}
