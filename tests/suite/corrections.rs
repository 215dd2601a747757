//! Figures people are fined by: corrections (void), back-dating, cycles after a reopen,
//! blame fixed when a deadline falls, facts that count from when they are recorded, and the
//! reward table's exclusion. Every figure below is worked out by hand from the procedure.

use crate::common::{Desk, due, log_args, state};
use serde_json::{Value, json};
use std::fs;

/// Mon 2026-11-02 10:00: respond due 11:00, forward 12:00, plan 14:00 (general, working clock).
const MON: &str = "2026-11-02 10:00";

fn items(d: &Desk, month: &str, as_of: &str) -> Vec<Value> {
    d.json(&["penalties", "--month", month, "--as-of", as_of])["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// (rule, person, department, amount, provisional) of every item, in the order listed.
fn summary(items: &[Value]) -> Vec<(String, Value, String, i64, bool)> {
    items
        .iter()
        .map(|i| {
            (
                i["rule"].as_str().unwrap().to_string(),
                i["person"].clone(),
                i["department"].as_str().unwrap().to_string(),
                i["amount"].as_i64().unwrap(),
                i["provisional"].as_bool().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- case 1: corrections

#[test]
fn a_response_dated_in_the_future_is_refused_and_writes_nothing() {
    let d = Desk::new();
    let id = d.log(&["--at", MON]);
    // At 10:20 nobody can have responded "tomorrow"; nor at 10:31 (beyond the 10 minutes
    // of clock difference the rulebook allows).
    for at in ["2026-11-03 09:00", "2026-11-02 10:31"] {
        let err = d
            .cmd(&["respond", &id])
            .at(at)
            .now("2026-11-02 10:20")
            .refused(1);
        assert!(err.contains("is in the future"), "{err}");
        assert!(err.contains("10m"), "{err}");
    }
    // Within the tolerance it is a clock difference, and no entered_at is stored.
    d.cmd(&["respond", &id])
        .at("2026-11-02 10:25")
        .now("2026-11-02 10:20")
        .ok();
    assert!(!d.ticket_text(&id).contains("entered_at"));
    // log is held to the same rule.
    let err = d
        .cmd(&log_args(&["--at", "2026-11-05"]))
        .now("2026-11-02 10:20")
        .refused(1);
    assert!(
        err.contains("--at: 2026-11-05 00:00 is in the future"),
        "{err}"
    );
}

#[test]
fn a_mistaken_response_is_withdrawn_and_the_right_one_recorded_9_4() {
    let d = Desk::new();
    let id = d.log(&["--at", MON]);
    // Typed 10:30 instead of 11:45.
    d.cmd(&["respond", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["forward", &id]).at("2026-11-02 10:40").ok();
    let before = d.ticket_text(&id);
    let err = d.cmd(&["respond", &id]).at("2026-11-02 11:45").refused(1);
    assert!(err.contains("already had its first response"), "{err}");
    d.cmd(&["void", &id, "1", "--reason", "响应时间录错"])
        .at("2026-11-02 12:00")
        .ok();
    // The file only grew.
    let after = d.ticket_text(&id);
    assert!(
        after.starts_with(&before),
        "void rewrote the file:\n{after}"
    );
    assert!(
        after.contains("kind: void\n  event: 1\n  reason: 响应时间录错"),
        "{after}"
    );
    // Now the right response is accepted, back-dated: it carries when it was entered.
    d.cmd(&["respond", &id])
        .at("2026-11-02 11:45")
        .now("2026-11-02 12:05")
        .ok();
    let v = d.show(&id, "2026-11-02 13:00");
    let events = v["events"].as_array().unwrap();
    assert_eq!(
        events.iter().map(|e| e["n"].clone()).collect::<Vec<_>>(),
        vec![json!(1), json!(2), json!(4), json!(3)],
        "time order, numbered as in the file"
    );
    assert_eq!(
        events[0]["voided"],
        json!({"at": "2026-11-02T12:00:00+08:00", "by": "测试员", "reason": "响应时间录错"})
    );
    assert_eq!(events[2]["voided"], Value::Null);
    assert_eq!(events[2]["entered_at"], "2026-11-02T12:05:00+08:00");
    assert!(events[3].get("entered_at").is_none(), "{}", events[3]);
    // §4.1.1: due 11:00; met 11:45: late by 45 minutes; §9.4: 200 to the receiver, as nobody
    // was assigned.
    assert_eq!(due(&v, "respond"), "2026-11-02T11:00:00+08:00");
    assert_eq!(
        v["deadlines"]["respond"]["met_at"],
        "2026-11-02T11:45:00+08:00"
    );
    assert_eq!(state(&v, "respond"), "late");
    let it = items(&d, "2026-11", "2026-11-02 13:00");
    assert_eq!(
        summary(&it),
        vec![(
            "late-response".into(),
            json!("测试员"),
            "customer-service".into(),
            200,
            false
        )]
    );
    // --as-of is the world at that moment as the desk knows it now: the withdrawn 10:30
    // response never happened, in any view, so as of 11:59 the 11:45 one was already late.
    assert_eq!(summary(&items(&d, "2026-11", "2026-11-02 11:59")).len(), 1);
    // --known-at is what the desk knew then: at 11:59 only the mistaken response had been
    // written (the void came at 12:00, the right response at 12:05): no fine was shown.
    let then = d.json(&[
        "penalties",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-02 11:59",
        "--known-at",
        "2026-11-02 11:59",
    ]);
    assert_eq!(then["items"], json!([]));
    let shown = d.json(&[
        "show",
        &id,
        "--as-of",
        "2026-11-02 11:59",
        "--known-at",
        "2026-11-02 11:59",
    ]);
    assert_eq!(shown["events"].as_array().unwrap().len(), 2);
    assert_eq!(state(&shown, "respond"), "met");

    // Withdrawing it twice is refused, and says how to restore it.
    let err = d.cmd(&["void", &id, "1", "--reason", "again"]).refused(1);
    assert!(
        err.contains("already withdrawn by event 3") && err.contains("void event 3"),
        "{err}"
    );
    let err = d.cmd(&["void", &id, "9", "--reason", "x"]).refused(1);
    assert!(
        err.contains("has events 1 to 4; there is no event 9"),
        "{err}"
    );
    let err = d.cmd(&["void", &id, "1", "--reason", " "]).refused(1);
    assert!(err.contains("--reason is empty"), "{err}");

    // A void of the void restores the 10:30 response: met again, no fine.
    d.cmd(&["void", &id, "3", "--reason", "撤销有误"])
        .at("2026-11-02 12:30")
        .ok();
    let v = d.show(&id, "2026-11-02 13:00");
    assert_eq!(v["events"][0]["voided"], Value::Null);
    // Events in time order: 1 respond, 2 forward, 4 respond, 3 void, 5 void.
    assert_eq!(v["events"][3]["n"], 3);
    assert_eq!(v["events"][3]["kind"], "void");
    assert_eq!(v["events"][3]["voided"]["reason"], "撤销有误");
    assert_eq!(
        v["deadlines"]["respond"]["met_at"],
        "2026-11-02T10:30:00+08:00"
    );
    assert_eq!(state(&v, "respond"), "met");
    assert!(items(&d, "2026-11", "2026-11-02 13:00").is_empty());
    d.cmd(&["check"]).ok();
}

#[test]
fn a_void_that_would_leave_an_impossible_history_is_refused() {
    let d = Desk::new();
    let id = d.log(&["--at", MON, "--type", "物业服务"]);
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-02 15:00")
        .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-02 16:00")
    .ok();
    // Without the close, the callback would be on an open complaint.
    let err = d
        .cmd(&["void", &id, "1", "--reason", "x"])
        .at("2026-11-02 16:30")
        .refused(1);
    assert!(
        err.contains("the callback at 2026-11-02 16:00 would call back an open ticket"),
        "{err}"
    );
    // Withdrawing the callback first, then the close, is fine.
    d.cmd(&["void", &id, "2", "--reason", "回访未做"])
        .at("2026-11-02 16:30")
        .ok();
    d.cmd(&["void", &id, "1", "--reason", "未关闭"])
        .at("2026-11-02 16:31")
        .ok();
    assert_eq!(d.show(&id, "2026-11-02 17:00")["status"], "open");
}

#[test]
fn plan_finish_before_the_plan_itself_is_refused() {
    let d = Desk::new();
    let id = d.log(&["--at", MON]);
    let err = d
        .cmd(&["plan", &id, "--action", "repair", "--finish", "2026-11-01"])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(err.contains("before the plan itself"), "{err}");
    // The same day is fine: a date alone means the end of that day.
    d.cmd(&["plan", &id, "--action", "repair", "--finish", "2026-11-02"])
        .at("2026-11-02 11:00")
        .ok();
}

#[test]
fn a_back_dated_complaint_and_step_store_when_they_were_entered() {
    let d = Desk::new();
    let id = d
        .cmd(&log_args(&["--at", MON]))
        .now("2026-11-04 09:00")
        .ok()
        .trim()
        .to_string();
    d.cmd(&["forward", &id])
        .at("2026-11-02 11:00")
        .now("2026-11-04 09:05")
        .ok();
    let text = d.ticket_text(&id);
    assert!(
        text.contains(
            "received_at: 2026-11-02T10:00:00+08:00\nentered_at: 2026-11-04T09:00:00+08:00\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("kind: forward\n  entered_at: 2026-11-04T09:05:00+08:00\n"),
        "{text}"
    );
    let v = d.show(&id, "2026-11-05");
    assert_eq!(v["entered_at"], "2026-11-04T09:00:00+08:00");
    assert_eq!(v["events"][0]["entered_at"], "2026-11-04T09:05:00+08:00");
    let table = d.cmd(&["show", &id, "--as-of", "2026-11-05"]).ok();
    assert!(table.contains("补录于 2026-11-04 09:05"), "{table}");
}

// ---------------------------------------------------------------- case 2: cycles

/// A property complaint fined 200 (late response) and 300 (no plan) in its first round,
/// closed, called back, then reopened on 11-10 and handled on time.
fn reopened(d: &Desk) -> String {
    let id = d.log(&["--at", MON, "--type", "物业服务"]);
    d.cmd(&["assign", &id, "--handler", "孙主管"])
        .at("2026-11-02 10:20")
        .ok();
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["respond", &id]).at("2026-11-02 12:00").ok();
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-04 10:00")
        .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-04 15:00")
    .ok();
    d.cmd(&["reopen", &id, "--reason", "灯又坏了"])
        .at("2026-11-10 09:00")
        .ok();
    d.cmd(&["respond", &id]).at("2026-11-10 09:30").ok();
    d.cmd(&["plan", &id, "--action", "repair"])
        .at("2026-11-10 12:00")
        .ok();
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-12 16:00")
        .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-12 17:00")
    .ok();
    id
}

#[test]
fn a_reopen_keeps_the_first_rounds_fines_9() {
    let d = Desk::new();
    let id = reopened(&d);
    // §9 fines "每次": round 1's late response (due 11:00, done 12:00: §9.4, 200) and its
    // missing plan (due 14:00 on the working clock, never given before the reopen: §9.1, 300)
    // stay; both are final (the round is over). Round 2 was on time: nothing more.
    let it = items(&d, "2026-11", "2026-11-30 23:00");
    assert_eq!(
        summary(&it),
        vec![
            (
                "late-response".into(),
                json!("孙主管"),
                "property".into(),
                200,
                false
            ),
            (
                "no-plan".into(),
                json!("孙主管"),
                "property".into(),
                300,
                false
            ),
        ]
    );
    assert!(it.iter().all(|i| i["cycle"] == 1));
    assert!(
        it[1]["basis"].as_str().unwrap().starts_with("第1轮"),
        "{}",
        it[1]
    );
    let p = d.json(&[
        "penalties",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-30 23:00",
    ]);
    assert_eq!(
        p["totals"],
        json!([{"person": "孙主管", "department": "property", "amount": 500}])
    );

    // show lists both rounds.
    let v = d.show(&id, "2026-11-30 23:00");
    let cycles = v["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[0]["start"], "2026-11-02T10:00:00+08:00");
    assert_eq!(cycles[0]["end"], "2026-11-10T09:00:00+08:00");
    assert_eq!(cycles[1]["start"], "2026-11-10T09:00:00+08:00");
    assert_eq!(cycles[1]["end"], Value::Null);
    let c1 = &cycles[0]["deadlines"];
    assert_eq!(
        (
            c1["respond"]["state"].clone(),
            c1["plan"]["state"].clone(),
            c1["plan"]["due"].clone(),
            c1["close"]["state"].clone(),
            c1["callback"]["state"].clone()
        ),
        (
            json!("late"),
            json!("overdue"),
            json!("2026-11-02T14:00:00+08:00"),
            json!("met"),
            json!("met")
        )
    );
    // The forward runs once for the ticket; a reopen does not restart it (§6, reopen_restarts).
    assert_eq!(cycles[1]["deadlines"]["forward"], Value::Null);
    assert_eq!(state(&v, "forward"), "met");
    // The deadlines in force are round 2's: respond due 10:00 after the 09:00 reopen.
    assert_eq!(due(&v, "respond"), "2026-11-10T10:00:00+08:00");
    assert_eq!(state(&v, "respond"), "met");
    assert_eq!(due(&v, "plan"), "2026-11-10T13:00:00+08:00");
    assert_eq!(state(&v, "plan"), "met");
    let table = d.cmd(&["show", &id, "--as-of", "2026-11-30 23:00"]).ok();
    assert!(
        table.contains("第1轮") && table.contains("第2轮"),
        "{table}"
    );
}

#[test]
fn a_step_not_yet_due_when_its_round_ends_is_superseded() {
    let d = Desk::new();
    let id = d.log(&["--at", MON, "--type", "物业服务"]);
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-04 10:00")
        .ok();
    // Reopened the same day, before the callback (due by the end of the day, §7.4).
    d.cmd(&["reopen", &id, "--reason", "again"])
        .at("2026-11-04 12:00")
        .ok();
    let v = d.show(&id, "2026-11-05");
    let cb = &v["cycles"][0]["deadlines"]["callback"];
    assert_eq!(cb["state"], "superseded", "{cb}");
    assert_eq!(
        v["deadlines"]["callback"],
        Value::Null,
        "round 2 is not closed"
    );
    // Superseded is no fine, and round 1's plan, never given, is.
    let it = items(&d, "2026-11", "2026-11-05");
    assert!(!it.iter().any(|i| i["rule"] == "callback"));
    assert!(
        it.iter()
            .any(|i| i["rule"] == "no-plan" && i["cycle"] == 1 && i["provisional"] == false)
    );
}

// ---------------------------------------------------------------- case 3: blame

#[test]
fn the_receiver_answers_for_a_response_missed_before_anyone_was_assigned_9_4() {
    let d = Desk::new();
    let id = d.log(&["--at", MON]);
    // §4.1.1: respond due 11:00. Nobody assigned until 周工 at 12:00.
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 12:00")
    .ok();
    // SPEC §7 "handler (receiver if not yet assigned)", at the deadline: the receiver, in
    // the receiving department, however late the report is run.
    for as_of in ["2026-11-02 11:30", "2026-11-02 12:10", "2026-11-20"] {
        let it: Vec<_> = items(&d, "2026-11", as_of)
            .into_iter()
            .filter(|i| i["rule"] == "late-response")
            .collect();
        assert_eq!(
            summary(&it),
            vec![(
                "late-response".into(),
                json!("测试员"),
                "customer-service".into(),
                200,
                true
            )],
            "as of {as_of}"
        );
    }
    // 周工 responding late at 12:30 does not take the fine on (§9 fines 责任人, the person
    // responsible when the step was due): the receiver still answers, now for a final 200.
    d.cmd(&["respond", &id, "--at", "2026-11-02 12:30", "--by", "周工"])
        .ok();
    let it: Vec<_> = items(&d, "2026-11", "2026-11-20")
        .into_iter()
        .filter(|i| i["rule"] == "late-response")
        .collect();
    assert_eq!(
        summary(&it),
        vec![(
            "late-response".into(),
            json!("测试员"),
            "customer-service".into(),
            200,
            false
        )]
    );
    // The plan (due 14:00, §9.1) was the handler's from 12:00: 周工, property. A later
    // reassignment to 钱工 does not move it.
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "钱工",
    ])
    .at("2026-11-03 09:00")
    .ok();
    let np: Vec<_> = items(&d, "2026-11", "2026-11-20")
        .into_iter()
        .filter(|i| i["rule"] == "no-plan")
        .collect();
    assert_eq!(np[0]["person"], "周工");
}

// ---------------------------------------------------------------- case 4: facts when recorded

#[test]
fn a_target_recorded_later_counts_from_then_6_1_2_2() {
    let d = Desk::new();
    let log = |at: &str, name: &str, phone: &str, extra: &[&str]| {
        let mut a = vec![
            "--name",
            name,
            "--phone",
            phone,
            "--subject",
            "电梯故障",
            "--at",
            at,
        ];
        a.extend_from_slice(extra);
        d.log(&a)
    };
    let _q = log(
        "2026-11-03 09:00",
        "甲",
        "13900000001",
        &["--target", "3栋电梯"],
    );
    let r = log("2026-11-03 10:00", "乙", "13900000002", &[]);
    // Wed 11-04 09:00, general: plan due 13:00 (4h on the working clock, §8.1).
    let p = log(
        "2026-11-04 09:00",
        "丙",
        "13900000003",
        &["--target", "3栋电梯"],
    );
    d.cmd(&["plan", &p, "--action", "repair"])
        .at("2026-11-05 08:00")
        .ok();
    // R's target is recorded on 11-05 10:00: from then, three complainants about 3栋电梯.
    d.cmd(&["amend", &r, "--target", "3栋电梯"])
        .at("2026-11-05 10:00")
        .ok();

    let v = d.show(&p, "2026-11-06");
    assert_eq!(v["grade"], "major");
    assert_eq!(v["grade_rule"], "6.1.2.2");
    assert_eq!(
        v["grade_history"],
        json!([
            {"from": "2026-11-04T09:00:00+08:00", "grade": "general", "rule": null},
            {"from": "2026-11-05T10:00:00+08:00", "grade": "major", "rule": "6.1.2.2"},
        ])
    );
    // The plan deadline had passed when the grade changed: it stays (SPEC §6), and the plan
    // given at 08:00 was late: §9.1, 300.
    assert_eq!(due(&v, "plan"), "2026-11-04T13:00:00+08:00");
    assert_eq!(state(&v, "plan"), "late");
    let it = items(&d, "2026-11", "2026-11-06");
    assert!(
        it.iter()
            .any(|i| i["ticket"] == p.as_str() && i["rule"] == "no-plan" && i["amount"] == 300),
        "{it:?}"
    );
    // Before the target was recorded, P was general; so was R itself.
    assert_eq!(d.show(&p, "2026-11-05 09:59")["grade"], "general");
    assert_eq!(d.show(&r, "2026-11-05 09:59")["grade"], "general");
    assert_eq!(d.show(&r, "2026-11-05 10:00")["grade"], "major");
}

// ---------------------------------------------------------------- case 7: rewards

#[test]
fn customer_service_earns_no_reward_appended_table() {
    let d = Desk::new();
    // Complaints about staff are handled by the receiving department (§4.1.2.8).
    let a = d.log(&["--at", MON, "--type", "服务态度"]);
    let b = d.log(&["--at", MON, "--type", "物业服务"]);
    for id in [&a, &b] {
        d.cmd(&["close", id, "--reason", "confirmed"])
            .at("2026-11-02 15:00")
            .ok();
        d.cmd(&[
            "callback",
            id,
            "--timeliness",
            "10",
            "--plan",
            "10",
            "--attitude",
            "10",
        ])
        .at("2026-11-02 16:00")
        .ok();
    }
    for dept in ["customer-service", "property"] {
        d.cmd(&[
            "rate",
            "--department",
            dept,
            "--month",
            "2026-11",
            "--score",
            "99",
        ])
        .at("2026-11-30 12:00")
        .ok();
    }
    let v = d.json(&[
        "penalties",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-30 13:00",
    ]);
    // 0.7 × 100 + 0.3 × 99 = 99.7 → above 98: 500, for property only.
    assert_eq!(
        v["rewards"],
        json!([{"department": "property", "month": "2026-11", "callback_score": 100.0,
                "platform_score": 99.0, "score": 99.7, "amount": 500}])
    );
}

// ---------------------------------------------------------------- no fine on the wrong person

/// The `rule` items of November as of `as_of`, summarised.
fn of_rule(d: &Desk, rule: &str, as_of: &str) -> Vec<(String, Value, String, i64, bool)> {
    let it: Vec<Value> = items(d, "2026-11", as_of)
        .into_iter()
        .filter(|i| i["rule"] == rule)
        .collect();
    summary(&it)
}

fn fine(
    person: &str,
    department: &str,
    amount: i64,
    provisional: bool,
) -> (Value, String, i64, bool) {
    (json!(person), department.to_string(), amount, provisional)
}

fn without_rule(s: Vec<(String, Value, String, i64, bool)>) -> Vec<(Value, String, i64, bool)> {
    s.into_iter().map(|(_, p, d, a, v)| (p, d, a, v)).collect()
}

#[test]
fn a_late_plan_stays_with_whoever_was_handler_at_the_deadline_9_1() {
    let d = Desk::new();
    // Mon 10:00, general: plan due 14:00 (4 working hours, §8.1). 周工 (物业公司) handles it
    // from 10:05; at 15:00, already late, it passes to 钱工 (项目工程部), who plans at 16:00.
    let id = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "engineering",
        "--handler",
        "钱工",
    ])
    .at("2026-11-02 15:00")
    .ok();
    // §9.1 fines 责任人: the one responsible when the plan was due.
    assert_eq!(
        without_rule(of_rule(&d, "no-plan", "2026-11-02 15:30")),
        vec![fine("周工", "property", 300, true)]
    );
    d.cmd(&[
        "plan",
        &id,
        "--action",
        "repair",
        "--at",
        "2026-11-02 16:00",
        "--by",
        "钱工",
    ])
    .ok();
    assert_eq!(
        without_rule(of_rule(&d, "no-plan", "2026-11-30")),
        vec![fine("周工", "property", 300, false)]
    );
    let basis = items(&d, "2026-11", "2026-11-30")
        .into_iter()
        .find(|i| i["rule"] == "no-plan")
        .unwrap()["basis"]
        .clone();
    assert!(basis.as_str().unwrap().contains("11-02 14:00"), "{basis}");
}

#[test]
fn a_handler_cannot_dodge_a_fine_by_handing_the_ticket_on_first_9_1() {
    let d = Desk::new();
    // 周工 hands the ticket to 钱工 at 13:30, before the 14:00 plan deadline: 钱工 is the
    // one responsible when it falls, and answers for the 300 (§9.1).
    let id = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "engineering",
        "--handler",
        "钱工",
    ])
    .at("2026-11-02 13:30")
    .ok();
    d.cmd(&[
        "plan",
        &id,
        "--action",
        "repair",
        "--at",
        "2026-11-02 16:00",
        "--by",
        "周工",
    ])
    .ok();
    assert_eq!(
        without_rule(of_rule(&d, "no-plan", "2026-11-30")),
        vec![fine("钱工", "engineering", 300, false)]
    );
}

#[test]
fn a_late_response_stays_with_the_receiver_when_nobody_was_assigned_at_its_deadline_9_4() {
    let d = Desk::new();
    // Respond due 11:00 (1 working hour, §4.1.1). Nobody assigned until 周工 at 12:00, who
    // responds at 12:30: the 200 (§9.4) stays with the receiver (测试员, 客户服务部).
    let id = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 12:00")
    .ok();
    d.cmd(&["respond", &id, "--at", "2026-11-02 12:30", "--by", "周工"])
        .ok();
    assert_eq!(
        without_rule(of_rule(&d, "late-response", "2026-11-30")),
        vec![fine("测试员", "customer-service", 200, false)]
    );
}

/// A maintenance complaint (工程类: closed by the plan's finish date, else 15 days, §8.1)
/// handled in time by 周工, planned to finish 11-06, closed 11-05 and reopened 11-20 10:00
/// (a Friday).
fn reopened_repair(d: &Desk) -> String {
    let id = d.log(&["--at", MON, "--type", "maintenance"]);
    d.cmd(&["assign", &id, "--handler", "周工"])
        .at("2026-11-02 10:05")
        .ok();
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["respond", &id]).at("2026-11-02 10:40").ok();
    d.cmd(&["plan", &id, "--action", "repair", "--finish", "2026-11-06"])
        .at("2026-11-02 11:00")
        .ok();
    d.cmd(&[
        "close",
        &id,
        "--reason",
        "confirmed",
        "--property-confirmed",
    ])
    .at("2026-11-05 10:00")
    .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-05 15:00")
    .ok();
    d.cmd(&["reopen", &id, "--reason", "又漏了"])
        .at("2026-11-20 10:00")
        .ok();
    id
}

#[test]
fn a_reopened_rounds_close_comes_from_its_own_plan_never_an_earlier_rounds_8_1() {
    let d = Desk::new();
    let id = reopened_repair(&d);
    // Round 2 has no plan yet: its close is due 15 days from the reopen, 12-05 10:00, not
    // round 1's 11-06 23:59:59 (which fell before round 2 began).
    let v = d.show(&id, "2026-11-20 11:00");
    let round2 = &v["cycles"][1];
    assert_eq!(round2["start"], "2026-11-20T10:00:00+08:00");
    assert_eq!(
        round2["deadlines"]["close"]["due"],
        "2026-12-05T10:00:00+08:00"
    );
    for c in v["cycles"].as_array().unwrap() {
        for (step, dl) in c["deadlines"].as_object().unwrap() {
            if let Some(due) = dl.get("due").and_then(Value::as_str) {
                assert!(
                    due >= c["start"].as_str().unwrap(),
                    "{step} due {due} before its round"
                );
            }
        }
    }
    // Nobody owes anything at 11:00 (respond due 11:00 on the dot, §4.1.1): no 2,100 on 周工.
    assert_eq!(summary(&items(&d, "2026-11", "2026-11-20 11:00")), vec![]);
    // Round 2's plan sets round 2's close: finish 11-25 → due 11-25 23:59:59; still open on
    // 11-27 12:00, 1 day 12 hours and 1 second late → 2 late days → 2×100 = 200 (§9.5.1).
    d.cmd(&["plan", &id, "--action", "repair", "--finish", "2026-11-25"])
        .at("2026-11-20 10:50")
        .ok();
    let v = d.show(&id, "2026-11-27 12:00");
    assert_eq!(
        v["cycles"][1]["deadlines"]["close"]["due"],
        "2026-11-25T23:59:59+08:00"
    );
    assert_eq!(
        of_rule(&d, "overdue", "2026-11-27 12:00"),
        vec![(
            "overdue".into(),
            json!("周工"),
            "property".into(),
            200,
            true
        )]
    );
}

#[test]
fn assigning_a_handler_alone_keeps_the_complaints_current_department_4_1_2() {
    let d = Desk::new();
    // 维保修 goes to 物业公司 by type (§4.1.2.7); customer service moves it to 项目工程部.
    let id = d.log(&["--at", MON, "--type", "maintenance"]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "engineering",
        "--handler",
        "钱工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&["assign", &id, "--handler", "孙工"])
        .at("2026-11-02 10:30")
        .ok();
    let v = d.show(&id, "2026-11-02 11:00");
    assert_eq!(v["department"], "engineering");
    assert_eq!(v["handler"], "孙工");
    // Without any department set yet, the type's first responsible one (§4.1.2.7).
    let other = d.log(&["--at", MON, "--type", "maintenance"]);
    d.cmd(&["assign", &other, "--handler", "周工"])
        .at("2026-11-02 10:05")
        .ok();
    assert_eq!(d.show(&other, "2026-11-02 11:00")["department"], "property");
}

#[test]
fn assigning_a_handler_after_an_escalation_keeps_the_department_it_was_escalated_to() {
    let d = Desk::new();
    let p = d.path().join("rules.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    let text = text.replacen(
        "# escalation: { clause: \"…\", chain: [property, customer-service, marketing] }",
        "escalation: { clause: \"12.3\", chain: [property, customer-service, marketing] }",
        1,
    );
    assert!(text.contains("\nescalation:"));
    std::fs::write(&p, text).unwrap();
    let id = d.log(&["--at", MON, "--type", "property-service"]);
    d.cmd(&["assign", &id, "--handler", "周工"])
        .at("2026-11-02 10:05")
        .ok();
    d.cmd(&["escalate", &id, "--reason", "推诿"])
        .at("2026-11-02 10:20")
        .ok();
    assert_eq!(
        d.show(&id, "2026-11-02 10:30")["department"],
        "customer-service"
    );
    d.cmd(&["assign", &id, "--handler", "督导老陈"])
        .at("2026-11-02 10:40")
        .ok();
    let v = d.show(&id, "2026-11-02 11:00");
    assert_eq!(v["department"], "customer-service");
    assert_eq!(v["handler"], "督导老陈");
}

// ---------------------------------------------------------------- settled months

/// A complaint of Mon 11-02 handled by 周工 (物业公司): respond due 11:00 (§4.1.1) done
/// 11:30 → late-response 200 (§9.4); everything else in time; then on 11-10 a violation of
/// 500 for 王五 (mishandling, §10). November: 700.
fn november(d: &Desk) -> String {
    let id = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["respond", &id]).at("2026-11-02 11:30").ok();
    d.cmd(&["plan", &id, "--action", "repair"])
        .at("2026-11-02 12:00")
        .ok();
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-03 10:00")
        .ok();
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
    ])
    .at("2026-11-03 11:00")
    .ok();
    d.cmd(&[
        "violation",
        &id,
        "--rule",
        "mishandling",
        "--person",
        "王五",
        "--department",
        "property",
        "--at",
        "2026-11-10 10:00",
        "--by",
        "主管",
    ])
    .ok();
    id
}

/// stdout of a command run with the clock reading `now`.
fn at_clock(d: &Desk, now: &str, args: &[&str]) -> String {
    d.cmd(args).now(now).ok()
}

fn sum(items: &Value) -> i64 {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount"].as_i64().unwrap())
        .sum()
}

#[test]
fn a_settled_month_never_changes_and_a_later_void_is_an_adjustment() {
    let d = Desk::new();
    let id = november(&d);
    let settled_at = "2026-12-01 09:00";
    at_clock(
        &d,
        settled_at,
        &["settle", "--month", "2026-11", "--by", "王芳"],
    );
    let file = d.path().join("settlements/2026-11.yaml");
    let settled_bytes = fs::read(&file).unwrap();
    // November as settled: 200 + 500 = 700, marked with who settled it and when.
    let json_before = at_clock(
        &d,
        "2026-12-01 10:00",
        &["penalties", "--month", "2026-11", "--format", "json"],
    );
    let table_before = at_clock(&d, "2026-12-01 10:00", &["penalties", "--month", "2026-11"]);
    let v: Value = serde_json::from_str(&json_before).unwrap();
    assert_eq!(sum(&v["items"]), 700);
    assert_eq!(v["settled"]["by"], "王芳");
    assert_eq!(v["settled"]["at"], "2026-12-01T09:00:00+08:00");
    assert!(
        table_before.starts_with("已结算:2026-11,于 2026-12-01 09:00 由 王芳 结算"),
        "{table_before}"
    );

    // Settling twice, or a month not over, is refused and writes nothing.
    let err = d
        .cmd(&["settle", "--month", "2026-11"])
        .now("2026-12-01 10:00")
        .refused(1);
    assert!(
        err.contains("2026-11 was settled at 2026-12-01 09:00 by 王芳"),
        "{err}"
    );
    let err = d
        .cmd(&["settle", "--month", "2026-12"])
        .now("2026-12-15 10:00")
        .refused(1);
    assert!(
        err.contains("--month 2026-12 has not ended (it ends 2027-01-01 00:00)"),
        "{err}"
    );

    // December 2: the violation was entered by mistake (event 7) and is withdrawn.
    d.cmd(&["void", &id, "7", "--reason", "误登", "--by", "王芳"])
        .now("2026-12-02 10:00")
        .ok();
    // November's settled figures are byte for byte what they were.
    assert_eq!(fs::read(&file).unwrap(), settled_bytes);
    assert_eq!(
        at_clock(
            &d,
            "2026-12-02 11:00",
            &["penalties", "--month", "2026-11", "--format", "json"]
        ),
        json_before
    );
    assert_eq!(
        at_clock(&d, "2026-12-02 11:00", &["penalties", "--month", "2026-11"]),
        table_before
    );
    // December carries the difference: −500 for 王五 (property), adjusting 2026-11, caused
    // by event 8 (the void) entered on 12-02 10:00 by 王芳.
    let dec: Value = serde_json::from_str(&at_clock(
        &d,
        "2026-12-02 11:00",
        &["penalties", "--month", "2026-12", "--format", "json"],
    ))
    .unwrap();
    let items = dec["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{dec}");
    let a = &items[0];
    assert_eq!(
        (&a["ticket"], &a["rule"], &a["person"], &a["department"]),
        (
            &json!(id),
            &json!("mishandling"),
            &json!("王五"),
            &json!("property")
        )
    );
    assert_eq!(a["amount"], -500);
    assert_eq!(a["adjusts"], "2026-11");
    let cause = a["cause"].as_str().unwrap();
    assert!(
        cause.contains("第 8 条事件(void") && cause.contains("由 王芳 于 2026-12-02 10:00 录入"),
        "{cause}"
    );
    assert_eq!(
        dec["totals"],
        json!([{"person": "王五", "department": "property", "amount": -500}])
    );
    // --recompute shows today's November beside the settled one: 200 now.
    let both: Value = serde_json::from_str(&at_clock(
        &d,
        "2026-12-02 11:00",
        &[
            "penalties",
            "--month",
            "2026-11",
            "--recompute",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(sum(&both["items"]), 700);
    assert_eq!(sum(&both["recomputed"]["items"]), 200);

    // Settling December settles the adjustment; January then owes nothing more for it.
    at_clock(
        &d,
        "2027-01-02 09:00",
        &["settle", "--month", "2026-12", "--by", "王芳"],
    );
    let text = fs::read_to_string(d.path().join("settlements/2026-12.yaml")).unwrap();
    assert!(
        text.contains("adjusts: 2026-11") && text.contains("amount: -500"),
        "{text}"
    );
    let jan: Value = serde_json::from_str(&at_clock(
        &d,
        "2027-01-02 10:00",
        &["penalties", "--month", "2027-01", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(jan["items"], json!([]));
}

#[test]
fn a_hand_edited_settlement_is_flagged_by_check_and_refused_for_pay() {
    let d = Desk::new();
    november(&d);
    at_clock(
        &d,
        "2026-12-01 09:00",
        &["settle", "--month", "2026-11", "--by", "王芳"],
    );
    d.cmd(&["check"]).now("2026-12-01 10:00").ok();
    let file = d.path().join("settlements/2026-11.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replacen("amount: 500", "amount: 50", 1)).unwrap();
    let out = d.cmd(&["check"]).now("2026-12-01 10:00").output();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("settlements/2026-11.yaml: changed since it was settled"),
        "{said}"
    );
    let err = d
        .cmd(&["penalties", "--month", "2026-11"])
        .now("2026-12-01 10:00")
        .refused(1);
    assert!(err.contains("changed since it was settled"), "{err}");
}

#[test]
fn a_rulebook_dated_into_next_year_prices_only_from_then_on() {
    let d = Desk::new();
    // November: a response half an hour late, 200 (§9.4).
    let nov = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &nov,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&["respond", &nov]).at("2026-11-02 11:30").ok();
    // The desk keeps this year's rulebook and raises late-response to 500 from 2027-01-01.
    let rules = d.path().join("rules.yaml");
    let text = fs::read_to_string(&rules).unwrap();
    fs::create_dir_all(d.path().join("rulebooks")).unwrap();
    fs::write(d.path().join("rulebooks/2026.yaml"), &text).unwrap();
    let raised = text
        .replacen(
            "  commit: true\n",
            "  commit: true\n  effective_from: 2027-01-01\n",
            1,
        )
        .replacen(
            "    person: handler-or-receiver\n    amount: 200",
            "    person: handler-or-receiver\n    amount: 500",
            1,
        );
    assert_ne!(raised, text);
    fs::write(&rules, raised).unwrap();
    let out = d.cmd(&["check"]).now("2026-12-01 10:00").output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("rulebooks/2026.yaml: in force from the beginning to 2026-12-31"),
        "{err}"
    );
    assert!(
        err.contains("rules.yaml: in force from 2027-01-01 to 今后"),
        "{err}"
    );
    // Nothing before the change moves: November still 200.
    let late = |v: &Value| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["rule"] == "late-response")
            .cloned()
            .collect()
    };
    let v = d.json(&["penalties", "--month", "2026-11", "--as-of", "2026-11-30"]);
    assert_eq!(
        summary(&late(&v)),
        vec![(
            "late-response".into(),
            json!("周工"),
            "property".into(),
            200,
            false
        )]
    );
    // January 2027 (Mon 01-04): the same half hour late costs 500.
    let jan = d.log(&["--at", "2027-01-04 10:00"]);
    d.cmd(&[
        "assign",
        &jan,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2027-01-04 10:05")
    .ok();
    d.cmd(&["respond", &jan]).at("2027-01-04 11:30").ok();
    let v = d.json(&["penalties", "--month", "2027-01", "--as-of", "2027-01-31"]);
    assert_eq!(
        summary(&late(&v)),
        vec![(
            "late-response".into(),
            json!("周工"),
            "property".into(),
            500,
            false
        )]
    );
}

#[test]
fn a_change_that_would_reprice_a_settled_month_is_refused_unless_it_says_so() {
    let d = Desk::new();
    november(&d);
    at_clock(
        &d,
        "2026-12-01 09:00",
        &["settle", "--month", "2026-11", "--by", "王芳"],
    );
    // late-response raised to 300 with no date: November would be repriced silently.
    let rules = d.path().join("rules.yaml");
    let text = fs::read_to_string(&rules).unwrap();
    let raised = text.replacen(
        "    person: handler-or-receiver\n    amount: 200",
        "    person: handler-or-receiver\n    amount: 300",
        1,
    );
    fs::write(&rules, &raised).unwrap();
    let out = d.cmd(&["check"]).now("2026-12-02 10:00").output();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("is in force in 2026-11, which was settled under other terms"),
        "{said}"
    );
    // Said so: the difference, +100 for 周工, is paid in December as an adjustment.
    fs::write(
        &rules,
        raised.replacen(
            "  commit: true\n",
            "  commit: true\n  reprices_settled: [\"2026-11\"]\n",
            1,
        ),
    )
    .unwrap();
    d.cmd(&["check"]).now("2026-12-02 10:00").ok();
    let dec: Value = serde_json::from_str(&at_clock(
        &d,
        "2026-12-02 11:00",
        &["penalties", "--month", "2026-12", "--format", "json"],
    ))
    .unwrap();
    let items = dec["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{dec}");
    assert_eq!(
        (
            &items[0]["person"],
            &items[0]["amount"],
            &items[0]["adjusts"]
        ),
        (&json!("周工"), &json!(100), &json!("2026-11"))
    );
    assert!(
        items[0]["cause"]
            .as_str()
            .unwrap()
            .contains("规则手册条款已改"),
        "{dec}"
    );
}

#[test]
fn an_earlier_output_is_reproduced_byte_for_byte_with_known_at() {
    let d = Desk::new();
    let id = d.log(&["--at", MON]);
    d.cmd(&[
        "assign",
        &id,
        "--department",
        "property",
        "--handler",
        "周工",
    ])
    .at("2026-11-02 10:05")
    .ok();
    d.cmd(&["respond", &id]).at("2026-11-02 11:30").ok();
    let args = [
        "penalties",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-20 10:00",
    ];
    let json_then = at_clock(
        &d,
        "2026-11-20 10:00",
        &[&args[..], &["--format", "json"]].concat(),
    );
    let table_then = at_clock(&d, "2026-11-20 10:00", &args);
    let report_then = at_clock(
        &d,
        "2026-11-20 10:00",
        &[
            "report",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-20 10:00",
        ],
    );
    // On 11-25 the response is found to have been at 10:50 (event 2 withdrawn, the right one
    // back-dated), and a complaint of 11-10 is entered late.
    d.cmd(&["void", &id, "2", "--reason", "时间录错"])
        .now("2026-11-25 09:00")
        .ok();
    d.cmd(&["respond", &id])
        .at("2026-11-02 10:50")
        .now("2026-11-25 09:05")
        .ok();
    d.cmd(&log_args(&["--at", "2026-11-10 10:00"]))
        .now("2026-11-25 09:10")
        .ok();
    let known = ["--known-at", "2026-11-20 10:00"];
    assert_ne!(
        at_clock(
            &d,
            "2026-11-26 10:00",
            &[&args[..], &["--format", "json"]].concat()
        ),
        json_then
    );
    assert_eq!(
        at_clock(
            &d,
            "2026-11-26 10:00",
            &[&args[..], &["--format", "json"], &known].concat()
        ),
        json_then
    );
    assert_eq!(
        at_clock(&d, "2026-11-26 10:00", &[&args[..], &known].concat()),
        table_then
    );
    assert_eq!(
        at_clock(
            &d,
            "2026-11-26 10:00",
            &[
                &[
                    "report",
                    "--month",
                    "2026-11",
                    "--as-of",
                    "2026-11-20 10:00"
                ][..],
                &known
            ]
            .concat()
        ),
        report_then
    );
}
