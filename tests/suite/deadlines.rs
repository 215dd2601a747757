//! Deadlines, one test per rule of SPEC §6 (procedure §4.1, §7, §8.1), named by clause, and
//! the business calendar through the real binary.

use crate::common::{Desk, due, state};

fn at_grade(d: &Desk, received: &str, grade: &str, extra: &[&str]) -> String {
    let mut a = vec!["--at", received];
    a.extend_from_slice(extra);
    let id = d.log(&a);
    if grade != "general" {
        d.cmd(&["classify", &id, "--grade", grade, "--reason", "测试"])
            .at(received)
            .ok();
    }
    id
}

#[test]
fn clause_8_1_forward_respond_plan_by_grade_on_the_working_clock() {
    let d = Desk::new();
    // Monday 2026-11-02 09:00: plenty of working time ahead.
    let cases = [
        ("general", "11:00", "10:00", "13:00"),
        ("important", "11:00", "10:00", "17:00"),
        ("major", "11:00", "11:00", "2026-11-03T09:00:00+08:00"),
        ("crisis", "13:00", "13:00", "2026-11-04T09:00:00+08:00"),
    ];
    for (grade, fwd, resp, plan) in cases {
        let id = at_grade(&d, "2026-11-02 09:00", grade, &[]);
        let v = d.show(&id, "2026-11-02 09:30");
        assert_eq!(v["grade"], grade);
        let day = |t: &str| {
            if t.contains('T') {
                t.to_string()
            } else {
                format!("2026-11-02T{t}:00+08:00")
            }
        };
        assert_eq!(due(&v, "forward"), day(fwd), "{grade} forward");
        assert_eq!(due(&v, "respond"), day(resp), "{grade} respond");
        assert_eq!(due(&v, "plan"), day(plan), "{grade} plan");
    }
}

#[test]
fn clause_4_1_1_holidays_extend_the_clock_friday_night() {
    let d = Desk::new();
    // Friday 23:30: 1h on the working clock is due Monday 00:30 (SPEC §3).
    let id = d.log(&["--at", "2026-11-06 23:30"]);
    let v = d.show(&id, "2026-11-07");
    assert_eq!(due(&v, "respond"), "2026-11-09T00:30:00+08:00");
    assert_eq!(due(&v, "forward"), "2026-11-09T01:30:00+08:00");
    // Logged on a Saturday: the clock starts on Monday.
    let id = d.log(&["--at", "2026-11-07 10:00"]);
    assert_eq!(
        due(&d.show(&id, "2026-11-07 11:00"), "respond"),
        "2026-11-09T01:00:00+08:00"
    );
}

#[test]
fn a_deadline_landing_exactly_at_midnight() {
    let d = Desk::new();
    // Friday 23:00 + 1h uses Friday's last hour: due at 00:00 Saturday, met at 00:00 is on time.
    let id = d.log(&["--at", "2026-11-06 23:00"]);
    d.cmd(&["respond", &id]).at("2026-11-07 00:00").ok();
    let v = d.show(&id, "2026-11-08");
    assert_eq!(due(&v, "respond"), "2026-11-07T00:00:00+08:00");
    assert_eq!(state(&v, "respond"), "met");
}

#[test]
fn a_holiday_spanning_a_weekend_is_skipped_whole() {
    let d = Desk::new();
    // 2026-09-30 (Wed) 22:00; National Day 10-01..10-07 covers a weekend; working again 10-08.
    let id = d.log(&["--at", "2026-09-30 22:00"]);
    let v = d.show(&id, "2026-09-30 23:00");
    assert_eq!(due(&v, "forward"), "2026-10-01T00:00:00+08:00");
    assert_eq!(due(&v, "plan"), "2026-10-08T02:00:00+08:00");
}

#[test]
fn a_make_up_saturday_is_a_working_day() {
    let d = Desk::new();
    // Friday 2026-10-09 23:30; Saturday 10-10 is a make-up working day (调休).
    let id = d.log(&["--at", "2026-10-09 23:30"]);
    let v = d.show(&id, "2026-10-10");
    assert_eq!(due(&v, "respond"), "2026-10-10T00:30:00+08:00");
    // A normal Saturday is not: the same on 2026-11-06 runs to Monday.
    let id = d.log(&["--at", "2026-11-06 23:30"]);
    assert_eq!(
        due(&d.show(&id, "2026-11-07"), "respond"),
        "2026-11-09T00:30:00+08:00"
    );
}

#[test]
fn clause_4_1_1_safety_respond_within_4h_calendar_the_earlier_wins() {
    let d = Desk::new();
    // Saturday 10:00: 1h working would be Monday 01:00; 4h calendar is Saturday 14:00.
    let sat = d.log(&["--flag", "safety", "--at", "2026-11-07 10:00"]);
    let v = d.show(&sat, "2026-11-07 11:00");
    assert_eq!(due(&v, "respond"), "2026-11-07T14:00:00+08:00");
    assert_eq!(v["deadlines"]["respond"]["clause"], "4.1.1");
    // Monday 10:00: 1h working (11:00) is earlier than 4h calendar.
    let mon = d.log(&["--flag", "safety", "--at", "2026-11-02 10:00"]);
    assert_eq!(
        due(&d.show(&mon, "2026-11-02 10:30"), "respond"),
        "2026-11-02T11:00:00+08:00"
    );
}

#[test]
fn clause_7_special_note_staff_complaints_plan_within_8h_calendar() {
    let d = Desk::new();
    // Saturday 09:00: 4h working → Monday 04:00; 8h calendar → Saturday 17:00.
    let id = d.log(&[
        "--type",
        "service-attitude",
        "--received-by",
        "物业公司",
        "--at",
        "2026-11-07 09:00",
    ]);
    let v = d.show(&id, "2026-11-07 10:00");
    assert_eq!(due(&v, "plan"), "2026-11-07T17:00:00+08:00");
    assert_eq!(v["deadlines"]["plan"]["clause"], "7 特别备注");
    // The receiving department handles complaints about its own staff (§4.1.2.8).
    assert_eq!(v["department"], "property");
}

#[test]
fn clause_8_1_close_by_category_and_grade() {
    let d = Desk::new();
    let r = "2026-11-02 10:00";
    let cases = [
        (
            "planning-design",
            "general",
            "2026-11-17T10:00:00+08:00",
            Some("2026-11-09T10:00:00+08:00"),
        ),
        (
            "planning-design",
            "crisis",
            "2026-11-17T10:00:00+08:00",
            None,
        ),
        (
            "property-service",
            "general",
            "2026-11-05T10:00:00+08:00",
            None,
        ),
        ("sales-contract", "major", "2026-11-05T10:00:00+08:00", None),
        ("leasing", "important", "2026-11-05T10:00:00+08:00", None),
        // crisis: 5 working days: Mon 11-02 10:00 → Mon 11-09 10:00.
        (
            "property-service",
            "crisis",
            "2026-11-09T10:00:00+08:00",
            None,
        ),
        (
            "other",
            "general",
            "2026-11-17T10:00:00+08:00",
            Some("2026-11-09T10:00:00+08:00"),
        ),
        ("other", "important", "2026-11-17T10:00:00+08:00", None),
        ("other", "major", "2026-11-09T10:00:00+08:00", None),
        ("other", "crisis", "2026-11-09T10:00:00+08:00", None),
        ("maintenance", "general", "2026-11-17T10:00:00+08:00", None),
    ];
    for (ty, grade, close, warn) in cases {
        let id = at_grade(&d, r, grade, &["--type", ty]);
        let v = d.show(&id, "2026-11-02 11:00");
        assert_eq!(due(&v, "close"), close, "{ty}/{grade}");
        assert_eq!(
            v["deadlines"]["close"]["warn_at"].as_str(),
            warn,
            "{ty}/{grade} warn"
        );
    }
}

#[test]
fn clause_8_1_engineering_closes_by_the_plans_finish_date() {
    let d = Desk::new();
    let id = d.log(&["--type", "maintenance", "--at", "2026-11-02 10:00"]);
    d.cmd(&["plan", &id, "--action", "repair", "--finish", "2026-11-25"])
        .at("2026-11-02 12:00")
        .ok();
    let v = d.show(&id, "2026-11-03");
    // A bare finish date means the end of that day (SPEC §3).
    assert_eq!(due(&v, "close"), "2026-11-25T23:59:59+08:00");
}

#[test]
fn clause_7_4_callback_by_the_end_of_the_closing_day() {
    let d = Desk::new();
    let id = d.log(&["--type", "property-service", "--at", "2026-11-02 10:00"]);
    let v = d.show(&id, "2026-11-02 11:00");
    assert!(
        v["deadlines"]["callback"].is_null(),
        "no callback before closing"
    );
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-03 16:00")
        .ok();
    let v = d.show(&id, "2026-11-03 17:00");
    assert_eq!(due(&v, "callback"), "2026-11-03T23:59:59+08:00");
    assert_eq!(state(&v, "callback"), "pending");
    assert_eq!(
        state(&d.show(&id, "2026-11-04 00:00"), "callback"),
        "overdue"
    );
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "8",
        "--attitude",
        "9",
    ])
    .at("2026-11-04 09:00")
    .ok();
    let v = d.show(&id, "2026-11-05");
    assert_eq!(state(&v, "callback"), "late");
    assert_eq!(v["deadlines"]["callback"]["late_by_minutes"], 9 * 60);
}

#[test]
fn met_late_overdue_and_pending() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    d.cmd(&["forward", &id]).at("2026-11-02 12:00").ok();
    d.cmd(&["respond", &id]).at("2026-11-02 11:30").ok();
    let v = d.show(&id, "2026-11-02 13:00");
    assert_eq!(state(&v, "forward"), "met"); // exactly at the deadline
    assert_eq!(
        v["deadlines"]["forward"]["met_at"],
        "2026-11-02T12:00:00+08:00"
    );
    assert_eq!(state(&v, "respond"), "late");
    assert_eq!(state(&v, "plan"), "pending");
    assert_eq!(state(&d.show(&id, "2026-11-02 14:01"), "plan"), "overdue");
    // Before the response was given, it was overdue, not late.
    assert_eq!(
        state(&d.show(&id, "2026-11-02 11:10"), "respond"),
        "overdue"
    );
    let listed = d.json(&["list", "--overdue", "--as-of", "2026-11-02 14:01"]);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(
        d.json(&["list", "--overdue", "--as-of", "2026-11-02 10:30"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn fixing_rule_pending_deadlines_refix_never_earlier_than_the_change() {
    let d = Desk::new();
    // An 'other' complaint, general: close in 15 days, plan in 4 working hours.
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    // Day 1: responded late (due 11:00).
    d.cmd(&["respond", &id]).at("2026-11-02 11:30").ok();
    // Day 7: still open, so important (§6.1.3.4); 'other' important still closes in 15 days.
    assert_eq!(d.show(&id, "2026-11-09 10:00")["grade"], "important");
    assert_eq!(
        due(&d.show(&id, "2026-11-09 10:00"), "close"),
        "2026-11-17T10:00:00+08:00"
    );
    // Day 10: escalated for mishandling (important → major): close becomes 7 days from
    // receipt, which has already passed; it is due at the change, not before.
    d.cmd(&["escalate", &id, "--reason", "拖延"])
        .at("2026-11-12 10:00")
        .ok();
    let v = d.show(&id, "2026-11-12 12:00");
    assert_eq!(v["grade"], "major");
    assert_eq!(due(&v, "close"), "2026-11-12T10:00:00+08:00");
    assert_eq!(
        v["deadlines"]["close"]["refixed_at"],
        "2026-11-12T10:00:00+08:00"
    );
    // The late response is not forgiven, nor moved.
    assert_eq!(state(&v, "respond"), "late");
    assert_eq!(due(&v, "respond"), "2026-11-02T11:00:00+08:00");
    // The plan deadline had already passed before the escalation: it stays as it was.
    assert_eq!(due(&v, "plan"), "2026-11-02T14:00:00+08:00");
    // Before the escalation the close deadline was the general one.
    assert_eq!(
        due(&d.show(&id, "2026-11-12 09:00"), "close"),
        "2026-11-17T10:00:00+08:00"
    );
}

#[test]
fn fixing_rule_a_grade_raised_early_shortens_what_is_pending() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    // 10:20: it turns out three people complain together → major: plan 24h from receipt.
    d.cmd(&["classify", &id, "--headcount", "3"])
        .at("2026-11-02 10:20")
        .ok();
    let v = d.show(&id, "2026-11-02 10:30");
    assert_eq!(v["grade"], "major");
    assert_eq!(due(&v, "plan"), "2026-11-03T10:00:00+08:00");
    assert_eq!(due(&v, "respond"), "2026-11-02T12:00:00+08:00");
    assert_eq!(due(&v, "close"), "2026-11-09T10:00:00+08:00");
}

#[test]
fn a_reopened_ticket_restarts_respond_plan_and_close() {
    let d = Desk::new();
    let id = d.log(&["--type", "property-service", "--at", "2026-11-02 10:00"]);
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["respond", &id]).at("2026-11-02 10:40").ok();
    d.cmd(&["plan", &id, "--action", "negotiate"])
        .at("2026-11-02 12:00")
        .ok();
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-03 10:00")
        .ok();
    d.cmd(&["reopen", &id, "--reason", "问题复发"])
        .at("2026-11-10 09:00")
        .ok();
    let v = d.show(&id, "2026-11-10 09:30");
    assert_eq!(v["status"], "open");
    assert_eq!(state(&v, "forward"), "met");
    assert_eq!(due(&v, "forward"), "2026-11-02T12:00:00+08:00");
    assert_eq!(due(&v, "respond"), "2026-11-10T10:00:00+08:00");
    assert_eq!(state(&v, "respond"), "pending");
    assert_eq!(due(&v, "plan"), "2026-11-10T13:00:00+08:00");
    assert_eq!(due(&v, "close"), "2026-11-13T09:00:00+08:00");
    assert!(v["deadlines"]["callback"].is_null());
}

#[test]
fn an_invalid_ticket_has_forward_respond_and_close_only() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    d.cmd(&["classify", &id, "--invalid", "合理化意见或建议"])
        .at("2026-11-02 10:30")
        .ok();
    let v = d.show(&id, "2026-11-02 11:00");
    assert_eq!(v["valid"], false);
    assert_eq!(v["invalid_reason"], "suggestion");
    for step in ["forward", "respond", "close"] {
        assert!(!v["deadlines"][step].is_null(), "{step}");
    }
    assert!(v["deadlines"]["plan"].is_null());
    d.cmd(&["close", &id, "--reason", "explained"])
        .at("2026-11-02 11:00")
        .ok();
    assert!(d.show(&id, "2026-11-03")["deadlines"]["callback"].is_null());
}

#[test]
fn clause_8_2_a_delay_is_recorded_and_moves_nothing() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let before = d.show(&id, "2026-11-02 10:30");
    d.cmd(&[
        "delay",
        &id,
        "--reason",
        "需等待鉴定结果",
        "--approved-by",
        "刘部长",
    ])
    .at("2026-11-02 10:30")
    .ok();
    let after = d.show(&id, "2026-11-02 10:31");
    assert_eq!(before["deadlines"], after["deadlines"]);
    let ev = &after["events"][0];
    assert_eq!(ev["kind"], "delay");
    assert_eq!(ev["approved_by"], "刘部长");
    assert!(d.cmd(&["show", &id]).ok().contains("需等待鉴定结果"));
}

#[test]
fn a_whole_life_checked_at_several_moments() {
    let d = Desk::new();
    // Thursday 2026-11-05 16:00, a leaking pipe with a safety risk, logged by the property company.
    let id = d
        .cmd(&[
            "log",
            "--project",
            "实力锦城",
            "--name",
            "王女士",
            "--phone",
            "13700001111",
            "--subject",
            "水管爆裂",
            "--type",
            "maintenance",
            "--flag",
            "safety",
            "--received-by",
            "property",
            "--target",
            "5栋水管",
        ])
        .at("2026-11-05 16:00")
        .ok()
        .trim()
        .to_string();
    let v = d.show(&id, "2026-11-05 16:05");
    assert_eq!(v["grade"], "general");
    assert_eq!(v["department"], "property");
    assert_eq!(due(&v, "forward"), "2026-11-05T18:00:00+08:00");
    assert_eq!(due(&v, "respond"), "2026-11-05T17:00:00+08:00");
    assert_eq!(due(&v, "plan"), "2026-11-05T20:00:00+08:00");
    assert_eq!(due(&v, "close"), "2026-11-20T16:00:00+08:00");

    d.cmd(&["forward", &id]).at("2026-11-05 17:00").ok();
    d.cmd(&[
        "respond",
        &id,
        "--at",
        "2026-11-05 16:45",
        "--note",
        "已安排维修工上门关阀",
    ])
    .ok();
    d.cmd(&["assign", &id, "--handler", "周工"])
        .at("2026-11-05 17:10")
        .ok();
    d.cmd(&[
        "plan",
        &id,
        "--action",
        "repair",
        "--start",
        "2026-11-06",
        "--finish",
        "2026-11-08",
        "--cost",
        "800",
    ])
    .at("2026-11-05 21:00")
    .ok();
    let v = d.show(&id, "2026-11-06 09:00");
    assert_eq!(state(&v, "forward"), "met");
    assert_eq!(state(&v, "respond"), "met");
    assert_eq!(state(&v, "plan"), "late");
    assert_eq!(v["handler"], "周工");
    assert_eq!(due(&v, "close"), "2026-11-08T23:59:59+08:00");

    // 11-09: not closed by the plan's finish date.
    assert_eq!(state(&d.show(&id, "2026-11-09 09:00"), "close"), "overdue");
    d.cmd(&[
        "close",
        &id,
        "--reason",
        "confirmed",
        "--property-confirmed",
    ])
    .at("2026-11-10 10:00")
    .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "6",
        "--plan",
        "8",
        "--attitude",
        "9",
        "--acknowledged",
        "yes",
        "--visited",
        "yes",
    ])
    .at("2026-11-10 15:00")
    .ok();
    let v = d.show(&id, "2026-11-11");
    assert_eq!(v["status"], "closed");
    assert_eq!(state(&v, "close"), "late");
    assert_eq!(state(&v, "callback"), "met");
    // Open for 7 days? It was closed on day 5: still general.
    assert_eq!(v["grade"], "general");
    assert_eq!(v["events"].as_array().unwrap().len(), 6);
}
