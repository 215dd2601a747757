//! Benchmark of `plaint import` on a 100k-row CSV (SPEC §11: spreadsheet-sized files in
//! seconds), into an empty desk, then again into the full desk (every row skipped by ref).
//!
//!     cargo bench --bench import
//!     PLAINT_BENCH_ROWS=10000 cargo bench --bench import

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// A callback score on a closed row; nothing on an open one.
fn score(closed: bool, n: u64) -> String {
    if closed { n.to_string() } else { String::new() }
}

fn main() {
    let exe = Path::new(env!("CARGO_BIN_EXE_plaint"));
    let rows: usize = std::env::var("PLAINT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("complaints.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record([
        "投诉编号",
        "项目名称",
        "投诉人姓名",
        "联系方式",
        "物业房号",
        "投诉主题",
        "投诉内容",
        "客户要求",
        "发单时间",
        "投诉类型",
        "处理责任人",
        "响应时间",
        "关闭时间",
        "及时性评分",
        "方案评分",
        "服务态度评分",
        "回访意见",
    ])
    .unwrap();
    let mut rng = support::Rng::new(7);
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    for i in 0..rows {
        let (subject, _) = *rng.pick(&support::SUBJECTS);
        let received = start + chrono::Duration::minutes((i as i64 * 730 * 1440) / rows as i64);
        let fmt = |t: chrono::NaiveDateTime| t.format("%Y/%-m/%-d %-H:%M").to_string();
        let closed = rng.below(10) < 8;
        w.write_record([
            format!("KF-{i:06}"),
            rng.pick(&support::PROJECTS).to_string(),
            format!(
                "{}{}",
                rng.pick(&support::SURNAMES),
                rng.pick(&support::GIVEN)
            ),
            format!("13{:09}", rng.below(1_000_000_000)),
            format!("{}栋{}", 1 + rng.below(20), 101 + rng.below(3000)),
            subject.to_string(),
            format!("{subject},业主多次反映未果。"),
            "尽快处理".to_string(),
            fmt(received),
            "物业服务".to_string(),
            format!("{}工", rng.pick(&support::SURNAMES)),
            fmt(received + chrono::Duration::minutes(40)),
            if closed {
                fmt(received + chrono::Duration::days(2))
            } else {
                String::new()
            },
            score(closed, 5 + rng.below(6)),
            score(closed, 5 + rng.below(6)),
            score(closed, 6 + rng.below(5)),
            // A score below 6 comes with the customer's reason (§7.4): every closed row says
            // one, as a callback form would.
            if closed {
                "等待时间偏长".to_string()
            } else {
                String::new()
            },
        ])
        .unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let desk = dir.path().join("desk");
    assert!(
        Command::new(exe)
            .env("PLAINT_NO_COMMIT", "1")
            .args(["init"])
            .arg(&desk)
            .output()
            .unwrap()
            .status
            .success()
    );
    for label in ["into an empty desk", "again (all skipped)"] {
        let t = Instant::now();
        let out = Command::new(exe)
            .env("PLAINT_NO_COMMIT", "1")
            .arg("--desk")
            .arg(&desk)
            .args(["import", csv.to_str().unwrap(), "--by", "bench"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!(
            "import {rows} rows {label}: {:.2} s  ({})",
            t.elapsed().as_secs_f64(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
}
