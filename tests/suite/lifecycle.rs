//! The lifecycle commands of SPEC §8 and every refusal: each exits 1 with a reason and
//! writes nothing.

use crate::common::{Desk, due, state};

const AT: &str = "2026-11-02 10:00";

fn expect(d: &Desk, args: &[&str], msg: &str) {
    let err = d.cmd(args).refused(1);
    assert!(err.contains(msg), "{args:?}: expected '{msg}' in: {err}");
}

#[test]
fn every_step_refuses_a_time_before_receipt_and_unknown_tickets() {
    let d = Desk::new();
    let id = d.log(&["--at", AT]);
    for step in [
        vec!["forward", &id],
        vec!["respond", &id],
        vec!["assign", &id, "--department", "property"],
        vec!["plan", &id, "--action", "repair"],
        vec!["classify", &id, "--valid"],
        vec!["escalate", &id, "--reason", "x"],
        vec!["delay", &id, "--reason", "x", "--approved-by", "y"],
        vec![
            "violation",
            &id,
            "--rule",
            "first-ask",
            "--person",
            "p",
            "--department",
            "property",
        ],
    ] {
        let mut a = step.clone();
        a.extend(["--at", "2026-11-01 09:00"]);
        expect(&d, &a, "is before 202611-0001 was received");
        let mut b = step.clone();
        b[1] = "202611-0099";
        expect(&d, &b, "no ticket 202611-0099");
    }
}

#[test]
fn classify_refusals() {
    let d = Desk::new();
    let id = d.log(&["--at", AT]);
    expect(&d, &["classify", &id], "nothing to classify");
    expect(
        &d,
        &["classify", &id, "--invalid", "whatever"],
        "unknown invalid reason 'whatever'; valid: suggestion",
    );
    expect(
        &d,
        &["classify", &id, "--grade", "severe", "--reason", "x"],
        "unknown grade 'severe'; valid: general (一般)",
    );
    expect(
        &d,
        &["classify", &id, "--type", "noise"],
        "unknown type 'noise'",
    );
    expect(
        &d,
        &["classify", &id, "--headcount", "0"],
        "--headcount: 0 people",
    );
    d.cmd(&["classify", &id, "--valid", "--invalid", "suggestion"])
        .refused(2);
    d.cmd(&["classify", &id, "--type", "物业服务"])
        .at("2026-11-02 10:10")
        .ok();
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-02 11:00")
        .ok();
    expect(&d, &["classify", &id, "--valid"], "is closed");
}

#[test]
fn assign_takes_the_department_from_the_type() {
    let d = Desk::new();
    let m = d.log(&["--type", "delivery-delay", "--at", AT]);
    d.cmd(&[
        "assign",
        &m,
        "--handler",
        "陈工",
        "--cooperating",
        "营销部,property",
    ])
    .at("2026-11-02 10:30")
    .ok();
    let v = d.show(&m, "2026-11-02 11:00");
    assert_eq!(v["department"], "engineering");
    assert_eq!(v["handler"], "陈工");
    assert_eq!(
        v["cooperating"],
        serde_json::json!(["marketing", "property"])
    );
    // Service attitude → the receiving department (§4.1.2.8).
    let s = d.log(&[
        "--type",
        "service-attitude",
        "--received-by",
        "营销部",
        "--at",
        AT,
    ]);
    d.cmd(&["assign", &s]).at("2026-11-02 10:30").ok();
    assert_eq!(d.show(&s, "2026-11-02 11:00")["department"], "marketing");
    // Other (or not yet typed) → decided by hand (§4.1.2.9).
    let o = d.log(&["--at", AT]);
    expect(&d, &["assign", &o], "has no first responsible department");
    expect(
        &d,
        &["assign", &o, "--department", "sales"],
        "unknown department 'sales'",
    );
    expect(
        &d,
        &[
            "assign",
            &o,
            "--department",
            "legal",
            "--cooperating",
            "nobody",
        ],
        "--cooperating: unknown department 'nobody'",
    );
    d.cmd(&["assign", &o, "--department", "法律事务中心"])
        .at("2026-11-02 10:30")
        .ok();
    assert_eq!(d.show(&o, "2026-11-02 11:00")["department"], "legal");
}

#[test]
fn forward_and_respond_happen_once() {
    let d = Desk::new();
    let id = d.log(&["--at", AT]);
    d.cmd(&["forward", &id]).at("2026-11-02 10:10").ok();
    expect(
        &d,
        &["forward", &id],
        "already forwarded at 2026-11-02 10:10 by 测试员",
    );
    d.cmd(&["respond", &id]).at("2026-11-02 10:20").ok();
    expect(&d, &["respond", &id], "already had its first response");
}

#[test]
fn plan_refusals() {
    let d = Desk::new();
    let id = d.log(&["--at", AT]);
    expect(
        &d,
        &["plan", &id, "--action", "demolish"],
        "unknown plan action 'demolish'; valid: repair (进行修复)",
    );
    expect(
        &d,
        &["plan", &id, "--action", "repair", "--finish", "2026-02-30"],
        "--finish: '2026-02-30' is not a real date",
    );
    expect(
        &d,
        &[
            "plan",
            &id,
            "--action",
            "repair",
            "--start",
            "2026-11-10",
            "--finish",
            "2026-11-05",
        ],
        "is before --start",
    );
    expect(
        &d,
        &["plan", &id, "--action", "repair", "--cost", "-1"],
        "--cost: '-1' is negative",
    );
    d.cmd(&["classify", &id, "--invalid", "misunderstanding"])
        .at("2026-11-02 10:10")
        .ok();
    expect(
        &d,
        &["plan", &id, "--action", "repair"],
        "an invalid complaint has no plan step",
    );
}

#[test]
fn close_refusals_of_spec_section_8() {
    let d = Desk::new();
    let id = d.log(&["--type", "property-service", "--at", AT]);
    expect(
        &d,
        &["close", &id, "--reason", "explained"],
        "closes invalid complaints only",
    );
    expect(
        &d,
        &["close", &id, "--reason", "no-agreement"],
        "needs a definite plan on record",
    );
    expect(
        &d,
        &["close", &id, "--reason", "gave-up"],
        "unknown close reason 'gave-up'; valid: confirmed",
    );
    d.cmd(&["close", &id, "--reason", "客户书面或录音确认"])
        .at("2026-11-02 12:00")
        .ok();
    expect(
        &d,
        &["close", &id, "--reason", "confirmed"],
        "is already closed (2026-11-02 12:00)",
    );

    // §7.5: engineering results need the property company's confirmation.
    let e = d.log(&["--type", "maintenance", "--at", AT]);
    expect(
        &d,
        &["close", &e, "--reason", "confirmed"],
        "needs the property company's written confirmation (§7.5)",
    );
    d.cmd(&["plan", &e, "--action", "repair"])
        .at("2026-11-02 11:00")
        .ok();
    d.cmd(&["close", &e, "--reason", "no-agreement"])
        .at("2026-11-03 11:00")
        .ok();

    // An invalid complaint closes only by explanation.
    let i = d.log(&["--at", AT]);
    d.cmd(&["classify", &i, "--invalid", "suggestion"])
        .at("2026-11-02 10:30")
        .ok();
    expect(
        &d,
        &["close", &i, "--reason", "confirmed"],
        "is classified invalid",
    );
    d.cmd(&["close", &i, "--reason", "explained"])
        .at("2026-11-02 11:00")
        .ok();
}

#[test]
fn callback_refusals() {
    let d = Desk::new();
    let id = d.log(&["--type", "property-service", "--at", AT]);
    let cb = |t: &'static str| -> Vec<&'static str> {
        vec!["--timeliness", t, "--plan", "8", "--attitude", "8"]
    };
    let mut args = vec!["callback", id.as_str()];
    args.extend(cb("9"));
    expect(&d, &args, "is not closed");
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-02 12:00")
        .ok();
    let mut eleven = vec!["callback", id.as_str()];
    eleven.extend(cb("11"));
    expect(
        &d,
        &eleven,
        "--timeliness: 11 is not a score; scores are 0 to 10",
    );
    let mut neg = vec!["callback", id.as_str()];
    neg.extend(cb("-1"));
    expect(&d, &neg, "-1 is not a score");
    let mut low = vec!["callback", id.as_str()];
    low.extend(cb("5"));
    expect(&d, &low, "a score below 6 needs the customer's reason");
    low.extend(["--comment", "等了太久", "--at", "2026-11-02 15:00"]);
    d.cmd(&low).ok();
    expect(&d, &args, "already called back");
    d.cmd(&[
        "callback",
        &id,
        "--timeliness",
        "9",
        "--plan",
        "9",
        "--attitude",
        "9",
        "--visited",
        "maybe",
    ])
    .refused(2);
}

#[test]
fn reopen_escalate_delay_and_violation_refusals() {
    let d = Desk::new();
    let id = d.log(&["--type", "property-service", "--at", AT]);
    expect(
        &d,
        &["reopen", &id, "--reason", "x"],
        "only a closed complaint can be reopened",
    );
    expect(
        &d,
        &["delay", &id, "--reason", " ", "--approved-by", "王"],
        "--reason is empty",
    );
    expect(
        &d,
        &["delay", &id, "--reason", "x", "--approved-by", ""],
        "--approved-by is empty",
    );
    expect(
        &d,
        &[
            "violation",
            &id,
            "--rule",
            "rudeness",
            "--person",
            "p",
            "--department",
            "property",
        ],
        "unknown violation rule 'rudeness'; valid: first-ask",
    );
    expect(
        &d,
        &[
            "violation",
            &id,
            "--rule",
            "first-ask",
            "--person",
            "p",
            "--department",
            "nowhere",
        ],
        "unknown department 'nowhere'",
    );
    expect(
        &d,
        &[
            "violation",
            &id,
            "--rule",
            "first-ask",
            "--person",
            " ",
            "--department",
            "property",
        ],
        "--person is empty",
    );
    d.cmd(&["close", &id, "--reason", "confirmed"])
        .at("2026-11-02 12:00")
        .ok();
    expect(&d, &["escalate", &id, "--reason", "x"], "is closed");
    expect(
        &d,
        &["delay", &id, "--reason", "x", "--approved-by", "王"],
        "is closed",
    );
    expect(
        &d,
        &["reopen", &id, "--reason", "x", "--at", "2026-11-02 11:00"],
        "before the ticket was closed",
    );
    let c = d.log(&["--headcount", "20", "--at", AT]);
    expect(
        &d,
        &["escalate", &c, "--reason", "x"],
        "no rule that raises a crisis complaint",
    );
    // A violation may be recorded on a closed ticket.
    d.cmd(&[
        "violation",
        &id,
        "--rule",
        "首问责任制:推诿转移矛盾",
        "--person",
        "小李",
        "--department",
        "物业公司",
    ])
    .at("2026-11-03 09:00")
    .ok();
}

#[test]
fn a_property_management_rulebook_runs_a_ticket_too() {
    // seeds/002-style property rules: urgent outages handled at once, 3 days otherwise,
    // callback within 2 working days. Nothing in plaint's code knows these numbers.
    let d = Desk::empty();
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rules-property.yaml");
    let run = |args: &[&str]| -> String {
        let mut a = vec!["--rules", rules];
        a.extend_from_slice(args);
        d.cmd(&a).ok()
    };
    run(&["check"]);
    // Friday 2026-11-06 18:00: no water in building 3.
    let id = run(&[
        "log",
        "--project",
        "阳光花园",
        "--name",
        "赵先生",
        "--phone",
        "13600001111",
        "--subject",
        "3栋停水",
        "--type",
        "停水停电",
        "--received-by",
        "客户服务中心",
        "--at",
        "2026-11-06 18:00",
    ])
    .trim()
    .to_string();
    assert_eq!(id, "WY-202611-0001");
    let show = |as_of: &str| -> serde_json::Value {
        serde_json::from_str(&run(&["show", &id, "--as-of", as_of, "--format", "json"])).unwrap()
    };
    let v = show("2026-11-06 18:10");
    assert_eq!(v["grade"], "urgent");
    assert_eq!(v["grade_rule"], "4.6");
    assert_eq!(v["department"], "engineering");
    assert_eq!(due(&v, "respond"), "2026-11-06T18:30:00+08:00");
    assert_eq!(due(&v, "close"), "2026-11-06T23:59:59+08:00");
    assert!(v["deadlines"]["forward"].is_null() && v["deadlines"]["plan"].is_null());
    run(&["respond", &id, "--at", "2026-11-06 18:20"]);
    run(&[
        "close",
        &id,
        "--reason",
        "已处理并经业主确认",
        "--at",
        "2026-11-06 22:00",
    ]);
    // Callback within 2 working days of a Friday-night close: the weekend does not count.
    let v = show("2026-11-07");
    assert_eq!(due(&v, "callback"), "2026-11-10T22:00:00+08:00");
    assert_eq!(state(&v, "respond"), "met");
    assert_eq!(state(&v, "close"), "met");
    // A routine complaint: 3 days.
    let r = run(&[
        "log",
        "--project",
        "阳光花园",
        "--name",
        "钱女士",
        "--phone",
        "135",
        "--subject",
        "楼道卫生",
        "--type",
        "environment",
        "--at",
        "2026-11-02 09:00",
    ])
    .trim()
    .to_string();
    let v: serde_json::Value = serde_json::from_str(&run(&[
        "show",
        &r,
        "--as-of",
        "2026-11-02 10:00",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["grade"], "routine");
    assert_eq!(due(&v, "close"), "2026-11-05T09:00:00+08:00");
    assert_eq!(due(&v, "respond"), "2026-11-03T09:00:00+08:00");
}
