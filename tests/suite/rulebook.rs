//! What the rulebook can express beyond the default procedure (issue: other companies'
//! procedures in the rulebook alone). Each feature through the real binary.

use crate::common::{Desk, Run, log_args};
use serde_json::json;
use std::fs;

/// Replaces `from` by `to` in the desk's rules.yaml (which must contain it).
fn edit_rules(d: &Desk, from: &str, to: &str) {
    let p = d.path().join("rules.yaml");
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "rules.yaml has no {from:?}");
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_notice_forms_department_names_are_accepted_as_aliases() {
    let d = Desk::new();
    // 客户投诉处理通知单: 投诉接单部门 □工程技术部/□销售管理部/□销售部/□其它.
    for (typed, code) in [
        ("工程技术部", "engineering"),
        ("销售管理部", "marketing"),
        ("销售部", "marketing"),
        ("其它", "other"),
        ("项目工程部", "engineering"),
        ("engineering", "engineering"),
    ] {
        let id = d.log(&["--at", "2026-11-02 10:00", "--received-by", typed]);
        assert_eq!(d.show(&id, "2026-11-03")["received_by"], code, "{typed}");
    }
    let csv = d.path().join("form.csv");
    fs::write(
        &csv,
        "项目名称,投诉人姓名,联系方式,投诉主题,投诉接单部门,发单时间\n实力北岸,甲,1,漏水,工程技术部,2026-11-03 10:00\n",
    )
    .unwrap();
    d.cmd(&["import", csv.to_str().unwrap()]).ok();
    let err = d.cmd(&log_args(&["--received-by", "保安部"])).refused(1);
    assert!(err.contains("unknown department '保安部'"), "{err}");
}

#[test]
fn an_alias_that_names_two_codes_is_refused() {
    let d = Desk::new();
    edit_rules(
        &d,
        "  project: 项目部\n",
        "  project: { label: 项目部, aliases: [销售部] }\n",
    );
    let (code, problems, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(problems.contains("'销售部' names both"), "{problems}");
}

#[test]
fn repairs_only_complaints_carry_no_compensation_4_2() {
    let d = Desk::new();
    let err = d
        .cmd(&log_args(&[
            "--subject",
            "漏水",
            "--type",
            "维保修",
            "--compensation",
            "500",
        ]))
        .refused(1);
    assert!(
        err.contains("repaired, not compensated (§4.2 只修不赔)"),
        "{err}"
    );
    // Other complaints may: a property complaint with 500 is major (§6.1.2.1).
    let ok = d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--type",
        "物业服务",
        "--compensation",
        "500",
    ]);
    assert_eq!(d.show(&ok, "2026-11-03")["grade"], "major");
    // §4.2 covers repairs (维保修) only: a delivery delay (延期交楼, also 工程类) may carry the
    // contract's compensation, and 5,000 makes it major (§6.1.2.1).
    let late = d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--type",
        "延期交楼",
        "--compensation",
        "5000",
    ]);
    let v = d.show(&late, "2026-11-03");
    assert_eq!(
        (&v["category"], &v["grade"], &v["grade_rule"]),
        (&json!("engineering"), &json!("major"), &json!("6.1.2.1"))
    );
    assert!(err.contains("维保修 complaints are repaired"), "{err}");
    // Nor can compensation be added later, or the type changed under it.
    let m = d.log(&["--at", "2026-11-02 10:00", "--type", "维保修"]);
    let err = d
        .cmd(&["amend", &m, "--compensation", "300"])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(err.contains("§4.2"), "{err}");
    let err = d
        .cmd(&["classify", &ok, "--type", "维保修"])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(err.contains("§4.2"), "{err}");
    let csv = d.path().join("c.csv");
    fs::write(
        &csv,
        "project,name,phone,subject,type,compensation\n实力北岸,甲,1,漏水,维保修,800\n",
    )
    .unwrap();
    let err = d.cmd(&["import", csv.to_str().unwrap()]).refused(1);
    assert!(
        err.contains("c.csv:2: compensation:") && err.contains("§4.2"),
        "{err}"
    );
}

#[test]
fn a_delay_is_signed_by_the_role_its_grade_requires_8_2() {
    let d = Desk::new();
    let general = d.log(&["--at", "2026-11-02 10:00"]);
    let major = d.log(&["--at", "2026-11-02 10:00", "--headcount", "5"]);
    d.cmd(&[
        "delay",
        &general,
        "--reason",
        "等鉴定",
        "--approved-by",
        "刘部长",
        "--role",
        "部门负责人",
    ])
    .at("2026-11-02 11:00")
    .ok();
    // §8.2.3: a major complaint's delay needs the VP (or the GM above).
    let err = d
        .cmd(&[
            "delay",
            &major,
            "--reason",
            "等鉴定",
            "--approved-by",
            "刘部长",
            "--role",
            "部门负责人",
        ])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(err.contains("部门负责人 cannot sign the delay of a 重大 complaint; it needs 分管副总 or 总经理 (§8.2)"), "{err}");
    d.cmd(&[
        "delay",
        &major,
        "--reason",
        "等鉴定",
        "--approved-by",
        "李总",
        "--role",
        "总经理",
    ])
    .at("2026-11-02 11:00")
    .ok();
    // Without a role it is recorded, and show says which role was required.
    d.cmd(&["delay", &major, "--reason", "再等", "--approved-by", "某人"])
        .at("2026-11-02 12:00")
        .ok();
    let table = d.cmd(&["show", &major, "--as-of", "2026-11-03"]).ok();
    assert!(table.contains("签字人职务 总经理,符合 §8.2"), "{table}");
    assert!(
        table.contains("未注明签字人职务;§8.2 重大投诉须由 分管副总/总经理 签字"),
        "{table}"
    );
}

#[test]
fn concealment_applies_to_major_and_crisis_complaints_only_11() {
    let d = Desk::new();
    let general = d.log(&["--at", "2026-11-02 10:00"]);
    let args = |id: &str| {
        vec![
            "violation".to_string(),
            id.to_string(),
            "--rule".into(),
            "concealment".into(),
            "--person".into(),
            "赵六".into(),
            "--department".into(),
            "property".into(),
            "--at".into(),
            "2026-11-02 12:00".into(),
        ]
    };
    let a = args(&general);
    let err = d
        .cmd(&a.iter().map(String::as_str).collect::<Vec<_>>())
        .refused(1);
    assert!(
        err.contains("applies to 重大/危机 complaints") && err.contains("is 一般"),
        "{err}"
    );
    let major = d.log(&["--at", "2026-11-02 10:00", "--headcount", "5"]);
    let a = args(&major);
    d.cmd(&a.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
}

#[test]
fn a_limit_in_working_days_ends_with_the_nth_working_day() {
    let d = Desk::new();
    // 004's "销售员2个工作日内拜访", here as the property close limit.
    edit_rules(
        &d,
        "property:    { general: 3d,",
        "property:    { general: 2 working-days,",
    );
    d.cmd(&["check"]).ok();
    let id = d.log(&["--at", "2026-11-06 17:00", "--type", "物业服务"]);
    let v = d.show(&id, "2026-11-07");
    assert_eq!(
        crate::common::due(&v, "close"),
        "2026-11-10T23:59:59+08:00",
        "Friday 17:00 → end of Tuesday"
    );
    assert_eq!(v["deadlines"]["close"]["basis"], "2 个工作日内");
    let err_rules = d.path().join("rules.yaml");
    let text = fs::read_to_string(&err_rules)
        .unwrap()
        .replace("general: 2 working-days,", "general: 0 working-days,");
    fs::write(&err_rules, text).unwrap();
    assert!(d.check(&[]).1.contains("is not a number of working days"));
}

#[test]
fn overrides_can_lift_or_lengthen_a_limit() {
    let d = Desk::new();
    // Overrides apply in the order listed: these come after the default ones.
    edit_rules(
        &d,
        "limit: 8h calendar }\n",
        "limit: 8h calendar }\n    - { step: plan, clause: x.1, label: 服务态度投诉不出方案, when: { type: service-attitude }, limit: none, replace: true }\n    - { step: respond, clause: x.2, label: 来信三小时内响应, when: { category: other }, limit: 3h, replace: true }\n",
    );
    d.cmd(&["check"]).ok();
    let staff = d.log(&["--at", "2026-11-02 10:00", "--type", "服务态度"]);
    let v = d.show(&staff, "2026-11-03");
    assert_eq!(
        v["deadlines"]["plan"],
        serde_json::Value::Null,
        "no plan step for it"
    );
    // Replaced by a later limit: 3h instead of the table's 1h.
    assert_eq!(
        crate::common::due(&v, "respond"),
        "2026-11-02T13:00:00+08:00"
    );
    assert_eq!(v["deadlines"]["respond"]["clause"], "x.2");
    // Without replace, a later limit does nothing (the safety override only shortens).
    let property = d.log(&["--at", "2026-11-02 10:00", "--type", "物业服务"]);
    assert_eq!(
        crate::common::due(&d.show(&property, "2026-11-03"), "respond"),
        "2026-11-02T11:00:00+08:00"
    );
}

#[test]
fn conditions_on_the_complaints_words_grade_and_set_deadlines() {
    let d = Desk::new();
    // 004's appended material: brakes, airbags, fire → the top grade; a leak of current
    // answered within 30 minutes.
    edit_rules(
        &d,
        "  rules:\n",
        "  rules:\n    - { grade: crisis, clause: 附件1, label: 涉及人身安全的产品缺陷, when: { text_contains: [刹车, 气囊, 起火, Brake] } }\n",
    );
    edit_rules(
        &d,
        "  overrides:\n",
        "  overrides:\n    - { step: respond, clause: 附件2, label: 漏电30分钟内响应, when: { text_contains: [漏电] }, limit: 30m calendar }\n",
    );
    d.cmd(&["check"]).ok();
    let brake = d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--description",
        "地库道闸刹车失灵,险些撞人",
    ]);
    let v = d.show(&brake, "2026-11-03");
    assert_eq!(
        (v["grade"].as_str(), v["grade_rule"].as_str()),
        (Some("crisis"), Some("附件1"))
    );
    let latin = d.log(&["--at", "2026-11-02 10:00", "--request", "check the BRAKE"]);
    assert_eq!(
        d.show(&latin, "2026-11-03")["grade"],
        "crisis",
        "case-folded"
    );
    let leak = d.log(&["--at", "2026-11-02 10:00", "--subject", "楼道漏电"]);
    assert_eq!(
        crate::common::due(&d.show(&leak, "2026-11-03"), "respond"),
        "2026-11-02T10:30:00+08:00"
    );
    let plain = d.log(&["--at", "2026-11-02 10:00"]);
    assert_eq!(d.show(&plain, "2026-11-03")["grade"], "general");
}

#[test]
fn each_same_target_rule_may_have_its_own_window() {
    let d = Desk::new();
    // "The same complaint again within 3 months" (a second complaint) → important.
    edit_rules(
        &d,
        "  rules:\n",
        "  rules:\n    - { grade: important, clause: 二次投诉, label: 三个月内再次投诉, when: { same_target_at_least: 2, same_target_window: 90d } }\n",
    );
    let log = |at: &str| {
        d.log(&[
            "--name",
            "甲",
            "--subject",
            "电梯",
            "--target",
            "3栋电梯",
            "--at",
            at,
        ])
    };
    log("2026-06-01 10:00");
    let late = log("2026-09-15 10:00"); // 106 days later: outside the window
    assert_eq!(d.show(&late, "2026-09-15 11:00")["grade"], "general");
    let soon = log("2026-11-02 10:00"); // 48 days after the second
    let v = d.show(&soon, "2026-11-02 11:00");
    assert_eq!(
        (v["grade"].as_str(), v["grade_rule"].as_str()),
        (Some("important"), Some("二次投诉"))
    );
    // The 365-day rules still see all three: three complaints about one target (§6.1.3.1).
    edit_rules(
        &d,
        "same_target_at_least: 2, same_target_window: 90d",
        "same_target_at_least: 9, same_target_window: 90d",
    );
    assert_eq!(d.show(&soon, "2026-11-02 11:00")["grade_rule"], "6.1.3.1");
}

#[test]
fn escalation_moves_a_complaint_up_the_rulebooks_chain_of_departments() {
    let d = Desk::new();
    // 002: 门店 → 督导 → 客户服务中心 → 市场营销总监; here with the default departments.
    edit_rules(
        &d,
        "repairs_only:\n",
        "escalation:\n  clause: 002 第十二条\n  chain: [property, customer-service, marketing]\n\nrepairs_only:\n",
    );
    d.cmd(&["check"]).ok();
    let id = d.log(&["--at", "2026-11-02 10:00", "--type", "物业服务"]);
    d.cmd(&["assign", &id, "--handler", "孙主管"])
        .at("2026-11-02 10:10")
        .ok();
    d.cmd(&["escalate", &id, "--reason", "处理拖沓"])
        .at("2026-11-02 12:00")
        .ok();
    let v = d.show(&id, "2026-11-02 13:00");
    // One grade up (§6.1.3.5) and one department up; the new department names its handler.
    assert_eq!(
        (v["grade"].as_str(), v["department"].as_str()),
        (Some("important"), Some("customer-service"))
    );
    assert_eq!(v["handler"], serde_json::Value::Null);
    d.cmd(&["escalate", &id, "--reason", "仍未解决"])
        .at("2026-11-02 14:00")
        .ok();
    let v = d.show(&id, "2026-11-02 15:00");
    assert_eq!(
        (v["grade"].as_str(), v["department"].as_str()),
        (Some("major"), Some("marketing"))
    );
    // The top of the chain, and no rule raises a major complaint: nowhere to go.
    let err = d
        .cmd(&["escalate", &id, "--reason", "again"])
        .at("2026-11-02 16:00")
        .refused(1);
    assert!(
        err.contains("no department above this one in its chain"),
        "{err}"
    );
    // A chain naming an unknown department is refused.
    edit_rules(
        &d,
        "\n  chain: [property, customer-service, marketing]",
        "\n  chain: [property, 督导]",
    );
    assert!(d.check(&[]).1.contains("unknown department '督导'"));
}

#[test]
fn business_hours_make_two_hours_two_office_hours() {
    let d = Desk::new();
    edit_rules(
        &d,
        "  weekend: [saturday, sunday]\n",
        "  weekend: [saturday, sunday]\n  hours: [\"09:00-12:00\", \"13:30-18:00\"]\n",
    );
    d.cmd(&["check"]).ok();
    // Friday 17:00, forward within 2h (working): 17:00–18:00, then Monday 09:00–10:00.
    let id = d.log(&["--at", "2026-11-06 17:00"]);
    let v = d.show(&id, "2026-11-07");
    assert_eq!(
        crate::common::due(&v, "forward"),
        "2026-11-09T10:00:00+08:00"
    );
    // Plan within 4h from Monday 11:00: one hour before lunch, three after → 16:30.
    let m = d.log(&["--at", "2026-11-09 11:00"]);
    assert_eq!(
        crate::common::due(&d.show(&m, "2026-11-10"), "plan"),
        "2026-11-09T16:30:00+08:00"
    );
    let cal = d.json(&["calendar", "--year", "2026", "--as-of", "2026-06-01"]);
    assert_eq!(
        cal["hours"],
        serde_json::json!(["09:00-12:00", "13:30-18:00"])
    );
    edit_rules(&d, "\"13:30-18:00\"", "\"11:30-18:00\"");
    assert!(
        d.check(&[])
            .1
            .contains("must end after it starts and after the span before it")
    );
}

/// A `visit` step of the rulebook's own (004 §4.2: within 2 working days), fined 150 when
/// late, added to the default rulebook.
fn with_visit(d: &Desk) {
    edit_rules(
        d,
        "  overrides:\n",
        "  steps:\n    visit:\n      label: 上门查看\n      aliases: [上门]\n      clause: x.3\n      clock: working\n      starts: received\n      by_grade: { all: 2 working-days }\n  overrides:\n",
    );
    edit_rules(
        d,
        "penalties:\n",
        "penalties:\n  - { rule: late-visit, clause: x.3, label: 未按时上门查看, step: visit, person: handler, amount: 150 }\n",
    );
    d.cmd(&["check"]).ok();
}

#[test]
fn a_step_of_the_rulebooks_own_is_timed_recorded_shown_and_fined() {
    let d = Desk::new();
    with_visit(&d);
    // Friday 17:00: the visit is due by the end of Tuesday (Mon, Tue are the two days).
    let late = d.log(&["--at", "2026-11-06 17:00", "--type", "物业服务"]);
    d.cmd(&["assign", &late, "--handler", "周工"])
        .at("2026-11-06 17:30")
        .ok();
    let v = d.show(&late, "2026-11-07");
    assert_eq!(crate::common::due(&v, "visit"), "2026-11-10T23:59:59+08:00");
    assert_eq!(crate::common::state(&v, "visit"), "pending");
    assert_eq!(v["deadlines"]["visit"]["clause"], "x.3");
    // Not visited by Wednesday: overdue, and the report's overdue list names the step.
    let r = d.json(&[
        "report",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-11 08:00",
    ]);
    let row = r["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == late.as_str())
        .expect("the ticket is overdue");
    assert!(
        row["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "visit"),
        "{row}"
    );
    let table = d.cmd(&["show", &late, "--as-of", "2026-11-11 08:00"]).ok();
    assert!(table.contains("上门查看"), "{table}");
    // Recorded by its alias on Wednesday 09:00: late by 9 hours and a second.
    d.cmd(&[
        "step",
        &late,
        "上门",
        "--note",
        "已查看渗水点",
        "--at",
        "2026-11-11 09:00",
        "--by",
        "周工",
    ])
    .ok();
    let text = d.ticket_text(&late);
    assert!(
        text.contains("  kind: step\n  step: visit\n  note: 已查看渗水点\n"),
        "{text}"
    );
    let v = d.show(&late, "2026-11-12");
    assert_eq!(crate::common::state(&v, "visit"), "late");
    // Fined like a built-in step: 150 to the handler at the deadline.
    let p = d.json(&["penalties", "--month", "2026-11", "--as-of", "2026-11-30"]);
    let items: Vec<&serde_json::Value> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["rule"] == "late-visit")
        .collect();
    assert_eq!(items.len(), 1, "{p}");
    assert_eq!(items[0]["ticket"], late.as_str());
    assert_eq!(items[0]["person"], "周工");
    assert_eq!(items[0]["amount"], 150);
    assert_eq!(items[0]["clause"], "x.3");
    assert_eq!(items[0]["provisional"], false);
    let basis = items[0]["basis"].as_str().unwrap();
    assert!(
        basis.starts_with("上门查看 11-11 09:00 完成,超出 11-10 23:59 时限"),
        "{basis}"
    );
    // On time: Monday.
    let met = d.log(&["--at", "2026-11-06 17:00"]);
    d.cmd(&["step", &met, "visit"]).at("2026-11-09 15:00").ok();
    assert_eq!(
        crate::common::state(&d.show(&met, "2026-11-12"), "visit"),
        "met"
    );
    // Twice, a built-in step, an unknown one: refused, naming the valid choices.
    let err = d
        .cmd(&["step", &met, "visit"])
        .at("2026-11-09 16:00")
        .refused(1);
    assert!(
        err.contains("already had 上门查看 (visit) at 2026-11-09 15:00"),
        "{err}"
    );
    let err = d
        .cmd(&["step", &met, "respond"])
        .at("2026-11-09 16:00")
        .refused(1);
    assert!(
        err.contains("has a command of its own: plaint respond"),
        "{err}"
    );
    let err = d
        .cmd(&["step", &met, "sing"])
        .at("2026-11-09 16:00")
        .refused(1);
    assert!(
        err.contains("unknown step 'sing'; valid: forward (信息传递)"),
        "{err}"
    );
    assert!(err.contains("visit (上门查看)"), "{err}");
    let err = d
        .cmd(&["step", &met, "visit", "--role", "经理"])
        .at("2026-11-09 16:00")
        .refused(1);
    assert!(err.contains("is not signed"), "{err}");
}

#[test]
fn an_approval_step_names_who_may_sign_and_starts_after_the_plan() {
    let d = Desk::new();
    // 002 / 004: the plan is approved by the marketing director (营销副总) before it is told
    // to the customer; here within one working day of the plan.
    edit_rules(
        &d,
        "  overrides:\n",
        "  steps:\n    approve:\n      label: 方案审批\n      clause: x.5\n      clock: working\n      starts: after plan\n      by_grade: { all: 1 working-day }\n      signers: [营销副总, 总经理]\n  overrides:\n",
    );
    d.cmd(&["check"]).ok();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let v = d.show(&id, "2026-11-02 11:00");
    assert!(v["deadlines"]["approve"].is_null(), "no plan yet: no clock");
    let err = d
        .cmd(&["step", &id, "approve", "--role", "营销副总"])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(
        err.contains("方案审批 (approve) follows 处理方案 (plan)"),
        "{err}"
    );
    d.cmd(&["plan", &id, "--action", "repair"])
        .at("2026-11-02 13:00")
        .ok();
    assert_eq!(
        crate::common::due(&d.show(&id, "2026-11-02 14:00"), "approve"),
        "2026-11-03T23:59:59+08:00"
    );
    let err = d
        .cmd(&["step", &id, "approve"])
        .at("2026-11-03 09:00")
        .refused(1);
    assert!(
        err.contains("signed by 营销副总, 总经理: say which with --role"),
        "{err}"
    );
    let err = d
        .cmd(&["step", &id, "approve", "--role", "保安"])
        .at("2026-11-03 09:00")
        .refused(1);
    assert!(
        err.contains("--role: 保安 may not sign 方案审批 (approve); valid: 营销副总, 总经理"),
        "{err}"
    );
    d.cmd(&[
        "step",
        &id,
        "方案审批",
        "--role",
        "营销副总",
        "--approved-by",
        "李总",
    ])
    .at("2026-11-03 09:00")
    .ok();
    let text = d.ticket_text(&id);
    assert!(
        text.contains("  kind: step\n  step: approve\n  role: 营销副总\n  approved_by: 李总\n"),
        "{text}"
    );
    let v = d.show(&id, "2026-11-04");
    assert_eq!(crate::common::state(&v, "approve"), "met");
    let events = v["events"].as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["step"].as_str()),
        (Some("step"), Some("approve"))
    );
    // A step the rulebook does not define, written by hand: check names it.
    let path = d.ticket_path(&id);
    fs::write(
        &path,
        format!("{text}- at: 2026-11-03T10:00:00+08:00\n  by: x\n  kind: step\n  step: lunch\n"),
    )
    .unwrap();
    let (code, out, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("step: unknown step 'lunch'"), "{out}");
}

#[test]
fn a_step_with_a_condition_applies_to_some_complaints_only() {
    let d = Desk::new();
    // Engineering complaints only: the property company confirms the repair within a
    // working day (a step the default procedure does not time).
    edit_rules(
        &d,
        "  overrides:\n",
        "  steps:\n    confirm:\n      label: 物业确认\n      clause: x.6\n      clock: working\n      starts: received\n      by_grade: { all: 1 working-day }\n      when: { category: engineering }\n  overrides:\n",
    );
    d.cmd(&["check"]).ok();
    let property = d.log(&["--at", "2026-11-02 10:00", "--type", "物业服务"]);
    assert!(d.show(&property, "2026-11-05")["deadlines"]["confirm"].is_null());
    let repair = d.log(&["--at", "2026-11-02 10:00", "--type", "维保修"]);
    let v = d.show(&repair, "2026-11-05");
    assert_eq!(
        crate::common::due(&v, "confirm"),
        "2026-11-03T23:59:59+08:00"
    );
    assert_eq!(crate::common::state(&v, "confirm"), "overdue");
    // Classified as a repair on Wednesday: the step applies from then, due at once (a
    // change never makes a deadline fall before it).
    let later = d.log(&["--at", "2026-11-02 10:00", "--type", "物业服务"]);
    d.cmd(&["classify", &later, "--type", "维保修"])
        .at("2026-11-04 10:00")
        .ok();
    let v = d.show(&later, "2026-11-05");
    assert_eq!(
        crate::common::due(&v, "confirm"),
        "2026-11-04T10:00:00+08:00"
    );
    assert_eq!(
        v["deadlines"]["confirm"]["refixed_at"],
        "2026-11-04T10:00:00+08:00"
    );
}

#[test]
fn a_rulebook_naming_a_step_wrongly_is_refused_with_the_valid_ones() {
    let d = Desk::new();
    let rules = d.path().join("rules.yaml");
    let good = fs::read_to_string(&rules).unwrap();
    for (from, to, says) in [
        (
            "    step: plan\n",
            "    step: visit\n",
            "penalties: unknown step 'visit'; valid: forward, respond, plan, close, callback",
        ),
        (
            "  overrides:\n",
            "  steps:\n    respond: { label: 再响应, clock: working, starts: received, by_grade: { all: 1h } }\n  overrides:\n",
            "'respond' is a built-in name",
        ),
        (
            "  overrides:\n",
            "  steps:\n    visit: { label: 回访, clock: working, starts: received, by_grade: { all: 1h } }\n  overrides:\n",
            "'回访' names both 'visit' and 'callback'",
        ),
        (
            "  overrides:\n",
            "  steps:\n    visit: { label: 上门, clock: working, starts: after visit, by_grade: { all: 1h } }\n  overrides:\n",
            "a step cannot start after itself",
        ),
        (
            "  overrides:\n",
            "  steps:\n    visit: { label: 上门, clock: working, starts: after lunch, by_grade: { all: 1h } }\n  overrides:\n",
            "unknown step 'lunch'",
        ),
        (
            "    starts: closed\n",
            "    starts: closed\n    signers: [经理]\n",
            "signers and aliases belong to the rulebook's own steps",
        ),
        (
            "    starts: closed\n",
            "    starts: whenever\n",
            "is not when a clock starts (write received, valid, closed or 'after STEP')",
        ),
    ] {
        fs::write(&rules, good.replacen(from, to, 1)).unwrap();
        let (code, problems, _) = d.check(&[]);
        assert_eq!(code, Some(1), "{to}");
        assert!(problems.contains(says), "{to}: {problems}");
    }
}

/// A desk run under one of the example rulebooks in examples/.
struct Example {
    d: Desk,
    rules: String,
}

impl Example {
    fn new(file: &str) -> Example {
        let e = Example {
            d: Desk::empty(),
            rules: format!("{}/examples/{file}", env!("CARGO_MANIFEST_DIR")),
        };
        e.cmd(&["check"]).ok();
        e
    }
    /// `plaint --rules RULEBOOK ARGS` on the desk.
    fn cmd(&self, args: &[&str]) -> Run {
        let mut a = vec!["--rules", self.rules.as_str()];
        a.extend_from_slice(args);
        self.d.cmd(&a)
    }
    fn log(&self, at: &str, extra: &[&str]) -> String {
        let mut a = vec!["--project", "昆明片区", "--subject", "投诉", "--at", at];
        a.extend_from_slice(extra);
        self.cmd(&log_args(&a)).ok().trim().to_string()
    }
    fn show(&self, id: &str, as_of: &str) -> serde_json::Value {
        self.cmd(&["show", id, "--as-of", as_of]).json()
    }
}

#[test]
fn the_manufacturers_rulebook_runs_its_time_limits_004() {
    let m = Example::new("rules-manufacturer.yaml");
    // Friday 17:00, a product-quality complaint. 004 names no office hours: a working day
    // runs to 23:59:59.
    let a = m.log("2026-11-06 17:00", &["--type", "产品质量投诉"]);
    assert_eq!(a, "ZZ-202611-0001");
    let v = m.show(&a, "2026-11-06 17:30");
    // §4.6: every product-quality complaint goes to 管理者代表和总经理 (was graded
    // "important" under §5.1.3 and reported to the marketing VP).
    assert_eq!(
        (v["grade"].as_str(), v["grade_rule"].as_str()),
        (Some("quality"), Some("4.6"))
    );
    assert_eq!(v["report_to"], "管理者代表和总经理");
    assert_eq!(v["department"], "quality");
    // §4.2 visit within 2 working days: Monday and Tuesday, to the end of Tuesday.
    assert_eq!(crate::common::due(&v, "visit"), "2026-11-10T23:59:59+08:00");
    // 时限 2.3 review: "投诉成立后", so none until the complaint is classified valid.
    // §4.5 approval and §4.1 reply: no time in the procedure, so no deadline.
    for step in ["review", "approve", "reply"] {
        assert!(v["deadlines"][step].is_null(), "{step}: {v}");
    }
    // Accepted as valid Monday 09:00: the review is due 2 hours later (calendar).
    m.cmd(&["classify", &a, "--valid"])
        .at("2026-11-09 09:00")
        .ok();
    let v = m.show(&a, "2026-11-09 09:10");
    assert_eq!(
        crate::common::due(&v, "review"),
        "2026-11-09T11:00:00+08:00"
    );
    m.cmd(&[
        "step",
        &a,
        "报审",
        "--at",
        "2026-11-09 09:30",
        "--by",
        "售后王",
    ])
    .ok();
    let err = m
        .cmd(&["step", &a, "审批", "--role", "销售经理"])
        .at("2026-11-09 14:00")
        .refused(1);
    assert!(err.contains("valid: 营销副总, 总经理"), "{err}");
    m.cmd(&[
        "step",
        &a,
        "审批",
        "--role",
        "营销副总",
        "--approved-by",
        "刘总",
    ])
    .at("2026-11-09 14:00")
    .ok();
    m.cmd(&[
        "step",
        &a,
        "visit",
        "--at",
        "2026-11-11 09:00",
        "--by",
        "销售员小赵",
    ])
    .ok();
    let v = m.show(&a, "2026-11-12");
    assert_eq!(crate::common::state(&v, "review"), "met");
    assert_eq!(crate::common::state(&v, "visit"), "late");
    assert_eq!(
        v["deadlines"]["visit"]["late_by_minutes"],
        9 * 60,
        "Tue 23:59:59 → Wed 09:00"
    );
    // 时限 2.3: once accepted, a wrong or missing shipment is answered within 24 hours
    // (calendar), from the acceptance (Saturday 10:00), not from receipt.
    let b = m.log("2026-11-06 17:00", &["--type", "漏放"]);
    assert!(m.show(&b, "2026-11-07 09:00")["deadlines"]["reply"].is_null());
    m.cmd(&["classify", &b, "--valid"])
        .at("2026-11-07 10:00")
        .ok();
    let v = m.show(&b, "2026-11-08 12:00");
    assert_eq!(crate::common::due(&v, "reply"), "2026-11-08T10:00:00+08:00");
    assert_eq!(crate::common::state(&v, "reply"), "overdue");
    assert_eq!(v["deadlines"]["reply"]["clause"], "时限 2.3");
    // 004 has no safety words: a fire in the description alone changes nothing.
    let c = m.log("2026-11-06 17:00", &["--description", "使用中突然起火"]);
    let v = m.show(&c, "2026-11-07");
    assert_eq!(
        (v["grade"].as_str(), v["report_to"].as_str()),
        (Some("general"), Some("营销副总"))
    );
    // Across the National Day holiday: the visit by the end of the second working day
    // after it (Thu 10-08, Fri 10-09).
    let d = m.log("2026-09-30 16:00", &[]);
    let v = m.show(&d, "2026-09-30 16:30");
    assert_eq!(crate::common::due(&v, "visit"), "2026-10-09T23:59:59+08:00");
}

#[test]
fn the_retailers_rulebook_runs_its_time_limits_002() {
    let r = Example::new("rules-retailer.yaml");
    // A pendant broke: received at a counter on Saturday.
    let a = r.log(
        "2026-11-07 11:00",
        &["--type", "商品质量投诉", "--received-by", "专柜"],
    );
    assert_eq!(a, "ZB-202611-0001");
    assert_eq!(r.show(&a, "2026-11-07 12:00")["department"], "store");
    // 第十二条 3, 4: beyond the counter's authority, up the chain one level at a time, as
    // far as the service centre (the marketing director approves, 第十二条 6; the chain
    // no longer hands the complaint to the director).
    for dept in ["supervisor", "service-centre"] {
        r.cmd(&["escalate", &a, "--reason", "超出权限"])
            .at("2026-11-07 15:00")
            .ok();
        assert_eq!(r.show(&a, "2026-11-07 16:00")["department"], dept);
    }
    let err = r
        .cmd(&["escalate", &a, "--reason", "再升级"])
        .at("2026-11-07 15:30")
        .refused(1);
    assert!(
        err.contains("no department above this one in its chain"),
        "{err}"
    );
    // 第十二条 6: the plan is approved by the marketing director.
    r.cmd(&["plan", &a, "--action", "调换"])
        .at("2026-11-08 10:00")
        .ok();
    let err = r
        .cmd(&["step", &a, "approve", "--role", "店长"])
        .at("2026-11-08 15:00")
        .refused(1);
    assert!(err.contains("valid: 市场营销总监"), "{err}");
    r.cmd(&[
        "step",
        &a,
        "approve",
        "--role",
        "市场营销总监",
        "--approved-by",
        "陈总",
    ])
    .at("2026-11-08 15:00")
    .ok();
    r.cmd(&["close", &a, "--reason", "agreed"])
        .at("2026-11-09 16:00")
        .ok();
    // 第十五条: the satisfaction call within a week of the close, weekends included.
    let v = r.show(&a, "2026-11-10");
    assert_eq!(
        crate::common::due(&v, "callback"),
        "2026-11-16T16:00:00+08:00"
    );
    r.cmd(&[
        "callback",
        &a,
        "--timeliness",
        "8",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-17 10:00")
    .ok();
    assert_eq!(
        crate::common::state(&r.show(&a, "2026-11-18"), "callback"),
        "late"
    );
    // 第五条: reported by the media → crisis.
    let b = r.log("2026-11-07 11:00", &["--flag", "media"]);
    let v = r.show(&b, "2026-11-07 12:00");
    assert_eq!(
        (v["grade"].as_str(), v["grade_rule"].as_str()),
        (Some("crisis"), Some("5"))
    );
}

#[test]
fn both_example_rulebooks_pass_check() {
    for file in ["rules-manufacturer.yaml", "rules-retailer.yaml"] {
        let e = Example::new(file);
        // Mid-2026: the calendar covers the year, so not even a warning.
        let (code, out, err) = e.d.check(&["--rules", &e.rules, "--as-of", "2026-06-01"]);
        assert_eq!(code, Some(0), "{file}: {out}{err}");
        assert!(
            err.starts_with("ok: ") && err.contains(file) && !err.contains("warning"),
            "{file}: {out}{err}"
        );
    }
}

/// 004 §4.6: 所有产质量问题投诉事件……都必须知会或申报管理者代表与总经理. Every
/// product-quality complaint, whatever its words, carries that report line; the others go
/// to the marketing VP who approves replies (§4.3 呈报审批, §4.5).
#[test]
fn a_manufacturer_product_quality_complaint_reports_to_the_management_rep_and_gm_004_4_6() {
    let m = Example::new("rules-manufacturer.yaml");
    let a = m.log(
        "2026-11-09 09:00",
        &["--type", "产品质量投诉", "--description", "外壳开裂"],
    );
    let v = m.show(&a, "2026-11-09 09:30");
    assert_eq!(v["category"], "quality");
    assert_eq!(v["grade"], "quality");
    assert_eq!(v["grade_rule"], "4.6");
    let to = v["report_to"].as_str().unwrap();
    assert_eq!(to, "管理者代表和总经理");
    assert!(to.contains("管理者代表") && to.contains("总经理"), "{to}");
    // The table says it too, as the report line (上报级别).
    let table = m.cmd(&["show", &a, "--as-of", "2026-11-09 09:30"]).ok();
    let line = table.lines().find(|l| l.contains("上报级别")).unwrap();
    assert!(line.contains("管理者代表和总经理"), "{table}");
    // §4.4: the quality department handles it, the salesperson visits (§4.2).
    assert_eq!(v["department"], "quality");
    assert_eq!(v["cooperating"], serde_json::json!(["sales"]));
    // Typed as another complaint first, re-classified by after-sales (§4.3): the report
    // line follows the type.
    let b = m.log("2026-11-09 09:00", &[]);
    let v = m.show(&b, "2026-11-09 09:30");
    assert_eq!(
        (v["grade"].as_str(), v["report_to"].as_str()),
        (Some("general"), Some("营销副总"))
    );
    m.cmd(&["classify", &b, "--type", "产品质量投诉"])
        .at("2026-11-09 10:00")
        .ok();
    let v = m.show(&b, "2026-11-09 10:30");
    assert_eq!(
        (v["grade"].as_str(), v["report_to"].as_str()),
        (Some("quality"), Some("管理者代表和总经理"))
    );
}

/// 004 §4.3: after-sales classifies and passes complaints on; it handles none. 时限 2.2:
/// 非产品质量投诉由业务员/跟单员处理, so the other types go to sales.
#[test]
fn after_sales_handles_no_manufacturer_complaint_004_4_3() {
    let m = Example::new("rules-manufacturer.yaml");
    for (ty, dept) in [
        ("客户服务行为投诉", "sales"),
        ("营业人员专业工作投诉", "sales"),
        ("错放漏放", "sales"),
        ("产品质量投诉", "quality"),
    ] {
        let id = m.log(
            "2026-11-09 09:00",
            &["--type", ty, "--received-by", "售后服务部"],
        );
        let v = m.show(&id, "2026-11-09 09:30");
        assert_eq!(v["department"], dept, "{ty}");
        assert_eq!(v["received_by"], "after-sales", "{ty}");
    }
    // No grade rule reads words (the old 刹车/起火 list) or counts repeats (the old
    // 3-month rule): 004 has neither.
    for _ in 0..3 {
        let id = m.log(
            "2026-11-09 09:00",
            &["--description", "刹车失灵后起火", "--target", "某型号"],
        );
        assert_eq!(m.show(&id, "2026-11-09 09:30")["grade"], "general");
    }
}

/// 004 时限 2.3: 投诉成立后,则在 2 小时内报请总(副)经理审核. The clock starts when the
/// complaint is classified valid, not at receipt, and runs on the calendar: 004 writes
/// "2 小时" bare where it writes "2 个工作日" for the visit (§4.2), and names no office
/// hours.
#[test]
fn the_manufacturers_review_runs_two_hours_from_the_valid_classification_004_time_limits_2_3() {
    let m = Example::new("rules-manufacturer.yaml");
    // Received Monday 09:00: no review deadline while the complaint is not yet accepted.
    let a = m.log("2026-11-09 09:00", &["--type", "营业人员专业工作投诉"]);
    let v = m.show(&a, "2026-11-09 10:00");
    assert!(v["deadlines"]["review"].is_null(), "{v}");
    let listed = m.cmd(&["show", &a, "--as-of", "2026-11-09 10:00"]).ok();
    assert!(!listed.contains("报请审核"), "{listed}");
    // Classified valid at 10:30 → due 12:30 (10:30 + 2h).
    m.cmd(&["classify", &a, "--valid"])
        .at("2026-11-09 10:30")
        .ok();
    let v = m.show(&a, "2026-11-09 11:00");
    let review = &v["deadlines"]["review"];
    assert_eq!(review["start"], "2026-11-09T10:30:00+08:00");
    assert_eq!(review["due"], "2026-11-09T12:30:00+08:00");
    assert_eq!(review["clause"], "时限 2.3");
    assert_eq!(review["state"], "pending");
    // Submitted at 12:45: 15 minutes late. Measured from receipt it would have been due
    // 11:00 and 105 minutes late.
    m.cmd(&["step", &a, "报审"]).at("2026-11-09 12:45").ok();
    let v = m.show(&a, "2026-11-09 13:00");
    assert_eq!(crate::common::state(&v, "review"), "late");
    assert_eq!(v["deadlines"]["review"]["late_by_minutes"], 15);

    // The calendar clock: accepted Friday 17:00 → due Friday 19:00, not Monday.
    let b = m.log("2026-11-13 16:00", &[]);
    m.cmd(&["classify", &b, "--valid"])
        .at("2026-11-13 17:00")
        .ok();
    let v = m.show(&b, "2026-11-13 17:30");
    assert_eq!(
        crate::common::due(&v, "review"),
        "2026-11-13T19:00:00+08:00"
    );
    let v = m.show(&b, "2026-11-16 09:00");
    assert_eq!(crate::common::state(&v, "review"), "overdue");
    assert_eq!(v["deadlines"]["review"]["late_by_minutes"], 62 * 60);

    // Not accepted (misuse, §4.2): never a review deadline; the visit still runs.
    let c = m.log("2026-11-09 09:00", &["--type", "产品质量投诉"]);
    m.cmd(&["classify", &c, "--invalid", "使用不当,非产品质量问题"])
        .at("2026-11-09 10:30")
        .ok();
    let v = m.show(&c, "2026-11-12");
    assert!(v["deadlines"]["review"].is_null(), "{v}");
    assert_eq!(crate::common::due(&v, "visit"), "2026-11-11T23:59:59+08:00");
}

/// 002 第十二条 6: 客户服务中心……组织相关部门讨论处理方案。报市场营销总监审批. The
/// service centre holds the complaint and makes the plan; the marketing director signs it
/// and never takes the complaint over. 第十二条 8: the director signs the service centre's
/// ruling on responsibility too.
#[test]
fn the_retailers_plan_is_made_by_the_service_centre_and_approved_by_the_marketing_director_002_12_6()
 {
    let r = Example::new("rules-retailer.yaml");
    let a = r.log(
        "2026-11-07 11:00",
        &["--type", "商品质量投诉", "--received-by", "专柜"],
    );
    // 第十二条 3, 4: counter → 上级主管 → 客户服务中心, and no further.
    r.cmd(&["escalate", &a, "--reason", "超出权限"])
        .at("2026-11-07 12:00")
        .ok();
    r.cmd(&["escalate", &a, "--reason", "问题复杂"])
        .at("2026-11-07 13:00")
        .ok();
    assert_eq!(
        r.show(&a, "2026-11-07 13:30")["department"],
        "service-centre"
    );
    let err = r
        .cmd(&["escalate", &a, "--reason", "报总监"])
        .at("2026-11-07 14:00")
        .refused(1);
    assert!(
        err.contains("no department above this one in its chain"),
        "{err}"
    );
    let err = r
        .cmd(&["assign", &a, "--department", "市场营销总监"])
        .at("2026-11-07 14:00")
        .refused(1);
    assert!(err.contains("unknown department '市场营销总监'"), "{err}");
    // The service centre records the plan; the director approves it.
    r.cmd(&[
        "plan",
        &a,
        "--action",
        "调换",
        "--at",
        "2026-11-08 10:00",
        "--by",
        "客服中心李",
    ])
    .ok();
    let err = r
        .cmd(&["step", &a, "营销总监审批", "--role", "客户服务中心"])
        .at("2026-11-08 15:00")
        .refused(1);
    assert!(err.contains("valid: 市场营销总监"), "{err}");
    r.cmd(&[
        "step",
        &a,
        "营销总监审批",
        "--role",
        "市场营销总监",
        "--approved-by",
        "陈总",
    ])
    .at("2026-11-08 15:00")
    .ok();
    r.cmd(&[
        "step",
        &a,
        "责任奖惩审批",
        "--role",
        "市场营销总监",
        "--approved-by",
        "陈总",
    ])
    .at("2026-11-09 10:00")
    .ok();
    let v = r.show(&a, "2026-11-09 12:00");
    assert_eq!(v["department"], "service-centre");
    let events = v["events"].as_array().unwrap();
    let plan = events.iter().find(|e| e["kind"] == "plan").unwrap();
    assert_eq!(
        (plan["by"].as_str(), plan["at"].as_str()),
        (Some("客服中心李"), Some("2026-11-08T10:00:00+08:00"))
    );
    let signed: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "step")
        .map(|e| {
            (
                e["step"].as_str().unwrap(),
                e["role"].as_str().unwrap(),
                e["at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        signed,
        [
            ("approve", "市场营销总监", "2026-11-08T15:00:00+08:00"),
            ("duty", "市场营销总监", "2026-11-09T10:00:00+08:00"),
        ]
    );
}

/// 002 第十二条 4: 如问题复杂或现场无有权限处理的人员在场……立即向上级主管或客户服务中心
/// 上传投诉单. The chain goes through the supervisor; a counter may also pass the complaint
/// straight to the service centre (`assign`), and it then stays there.
#[test]
fn a_counter_passes_a_complaint_straight_to_the_service_centre_002_12_4() {
    let r = Example::new("rules-retailer.yaml");
    // Received at a counter on Saturday 11:00: the counter handles it (第十二条 2).
    let a = r.log(
        "2026-11-07 11:00",
        &["--type", "服务质量投诉", "--received-by", "专柜"],
    );
    let v = r.show(&a, "2026-11-07 11:30");
    assert_eq!(
        (v["department"].as_str(), v["received_by"].as_str()),
        (Some("store"), Some("store"))
    );
    // Complex, nobody with authority on site: the form goes up to 客户服务中心 at 11:20,
    // past the supervisor.
    r.cmd(&[
        "assign",
        &a,
        "--department",
        "客户服务中心",
        "--at",
        "2026-11-07 11:20",
        "--by",
        "专柜小王",
    ])
    .ok();
    let v = r.show(&a, "2026-11-07 11:30");
    assert_eq!(v["department"], "service-centre");
    assert_eq!(v["received_by"], "store");
    // The top of the chain: nowhere further to escalate.
    let err = r
        .cmd(&["escalate", &a, "--reason", "再升级"])
        .at("2026-11-07 12:00")
        .refused(1);
    assert!(
        err.contains("no department above this one in its chain"),
        "{err}"
    );
    // Closed Monday 16:00; the satisfaction call is due within a week (第十五条): the
    // following Monday 16:00.
    r.cmd(&["close", &a, "--reason", "agreed"])
        .at("2026-11-09 16:00")
        .ok();
    let v = r.show(&a, "2026-11-10");
    assert_eq!(
        crate::common::due(&v, "callback"),
        "2026-11-16T16:00:00+08:00"
    );
    assert_eq!(v["deadlines"]["callback"]["clause"], "15 顾客反应调查 1");
}
