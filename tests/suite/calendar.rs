//! The business calendar (SPEC §3, procedure §4.1.1 "节假日顺延"): the holidays of every
//! year it covers, and a word wherever a clock runs into a year it does not.

use crate::common::{Desk, due};
use serde_json::{Value, json};

#[test]
fn national_day_2025_is_skipped_whole_and_its_make_up_days_worked() {
    let d = Desk::new();
    // Tue 2025-09-30 22:00. 2025-10-01..10-08 is National Day and Mid-Autumn (State Council,
    // 2025); 09-28 (Sun) and 10-11 (Sat) are worked.
    let general = d.log(&["--at", "2025-09-30 22:00"]);
    let v = d.show(&general, "2025-10-07 12:00");
    // Plan, 4h working (§8.1): 2h on 09-30, the rest on Thu 10-09.
    assert_eq!(due(&v, "plan"), "2025-10-09T02:00:00+08:00");
    // Still open 7 days later (10-07 22:00) it is important (§6.1.3.4); the plan, still
    // pending, is fixed again under 8h: 2h + 6h on 10-09.
    let later = d.show(&general, "2025-10-20");
    assert_eq!(later["grade"], "important");
    assert_eq!(due(&later, "plan"), "2025-10-09T06:00:00+08:00");
    // Respond, 1h working: within 09-30's last two hours.
    assert_eq!(due(&v, "respond"), "2025-09-30T23:00:00+08:00");
    // A major complaint (compensation, §6.1.2.1): plan 24h working → 2h + 22h on 10-09.
    let major = d.log(&["--at", "2025-09-30 22:00", "--compensation", "5000"]);
    let v = d.show(&major, "2025-10-20");
    assert_eq!(v["grade"], "major");
    assert_eq!(due(&v, "plan"), "2025-10-09T22:00:00+08:00");
    // Fri 2025-10-10 23:00: forward 2h → 1h on Friday, 1h on the make-up Saturday.
    let fri = d.log(&["--at", "2025-10-10 23:00"]);
    assert_eq!(
        due(&d.show(&fri, "2025-10-20"), "forward"),
        "2025-10-11T01:00:00+08:00"
    );
    // Sat 2025-09-27 23:00 (not worked): forward 2h from the make-up Sunday 09-28 00:00.
    let sat = d.log(&["--at", "2025-09-27 23:00"]);
    assert_eq!(
        due(&d.show(&sat, "2025-10-20"), "forward"),
        "2025-09-28T02:00:00+08:00"
    );
    // None of these ran through a year the calendar does not cover.
    assert!(
        d.show(&fri, "2025-10-20")["deadlines"]["forward"]
            .get("calendar_gaps")
            .is_none()
    );
}

#[test]
fn a_clock_running_into_an_uncovered_year_is_flagged_everywhere() {
    let d = Desk::new();
    let ny = d.log(&["--at", "2026-12-31 23:30"]);
    let quiet = d.log(&["--at", "2026-12-01 10:00"]);
    let v = d.show(&ny, "2027-01-02");
    // Plan 4h working: 30 minutes on 12-31, then into 2027, whose holidays are not entered.
    assert_eq!(due(&v, "plan"), "2027-01-01T03:30:00+08:00");
    assert_eq!(v["deadlines"]["plan"]["calendar_gaps"], json!([2027]));
    assert_eq!(v["deadlines"]["respond"]["calendar_gaps"], json!([2027]));
    // The close is on the calendar clock (3d / 15d): no gap to speak of.
    assert!(v["deadlines"]["close"].get("calendar_gaps").is_none());
    assert!(
        d.show(&quiet, "2027-01-02")["deadlines"]["plan"]
            .get("calendar_gaps")
            .is_none()
    );
    let table = d.cmd(&["show", &ny, "--as-of", "2027-01-02"]).ok();
    assert!(table.contains("工作日历未录入 2027 年节假日"), "{table}");

    // report, penalties and list say it once, on stderr, naming the year.
    for args in [
        vec!["report", "--month", "2026-12", "--as-of", "2027-01-02"],
        vec!["penalties", "--month", "2026-12", "--as-of", "2027-01-02"],
        vec!["list", "--as-of", "2027-01-02"],
    ] {
        let out = d.cmd(&args).output();
        assert!(out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.matches("warning:").count(), 1, "{args:?}: {err}");
        assert!(err.contains("2027") && err.contains("calendar"), "{err}");
        assert!(!String::from_utf8(out.stdout).unwrap().contains("warning"));
    }
    // A month whose clocks stay inside 2026 gets no warning.
    let out = d
        .cmd(&["report", "--month", "2026-11", "--as-of", "2026-11-30"])
        .output();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_warns_from_1_november_when_next_year_is_missing() {
    let d = Desk::new();
    let warned = |as_of: &str| {
        let out = d.cmd(&["check", "--as-of", as_of]).output();
        assert_eq!(out.status.code(), Some(0), "a warning is not a failure");
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(!warned("2026-10-31 23:59").contains("warning"));
    let err = warned("2026-11-01");
    assert!(
        err.contains("warning") && err.contains("does not cover 2027"),
        "{err}"
    );
    // In 2027 itself, the year in progress is missing too.
    assert!(warned("2027-03-01").contains("does not cover 2027"));
}

#[test]
fn plaint_calendar_prints_what_the_clocks_use() {
    let d = Desk::new();
    let v: Value = d.json(&["calendar", "--year", "2025", "--as-of", "2026-06-01"]);
    assert_eq!(v["years"], json!([2025, 2026]));
    assert_eq!(v["weekend"], json!(["sat", "sun"]));
    let days = v["days"].as_array().unwrap();
    assert!(
        days.iter()
            .all(|x| x["date"].as_str().unwrap().starts_with("2025-"))
    );
    assert!(days.contains(
        &json!({"date": "2025-10-11", "weekday": "sat", "kind": "workday", "name": "国庆节调休"})
    ));
    assert!(days.contains(&json!({"date": "2025-10-08", "weekday": "wed", "kind": "holiday", "name": "国庆节、中秋节"})));
    // 2025: 1 + 8 + 3 + 5 + 3 + 8 holidays, 5 make-up days.
    let count = |k: &str| days.iter().filter(|x| x["kind"] == k).count();
    assert_eq!((count("holiday"), count("workday")), (28, 5));
    let table = d
        .cmd(&["calendar", "--year", "2026", "--as-of", "2026-06-01"])
        .ok();
    assert!(
        table.contains("2025、2026") && table.contains("2026-10-10") && table.contains("调休上班"),
        "{table}"
    );
}

#[test]
fn the_rulebook_says_which_years_it_covers() {
    let d = Desk::new();
    let rules = d.path().join("rules.yaml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(&rules, text.replace("years: [2025, 2026]", "years: [2026]")).unwrap();
    let out = d.cmd(&["check", "--as-of", "2026-06-01"]).output();
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8(out.stdout).unwrap();
    assert!(
        msg.contains("rules.yaml:")
            && msg.contains("2025-01-01 is in 2025, which calendar.years does not list"),
        "{msg}"
    );
    std::fs::write(
        &rules,
        text.replace("years: [2025, 2026]", "years: [1999, 2026]"),
    )
    .unwrap();
    assert!(d.check(&[]).1.contains("1999 is not a year plaint keeps"));
}
