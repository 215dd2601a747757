//! Grading, one test per rule of SPEC §5 (procedure §6.1), named by clause.

use crate::common::Desk;

const T0: &str = "2026-11-02 10:00"; // a Monday

fn grade(d: &Desk, id: &str, as_of: &str) -> (String, String) {
    let v = d.show(id, as_of);
    (
        v["grade"].as_str().unwrap().to_string(),
        v["grade_rule"].as_str().unwrap_or("-").to_string(),
    )
}

fn g(grade: &str, rule: &str) -> (String, String) {
    (grade.to_string(), rule.to_string())
}

fn logged(d: &Desk, extra: &[&str]) -> String {
    let mut a = vec!["--at", T0];
    a.extend_from_slice(extra);
    d.log(&a)
}

#[test]
fn clause_6_1_4_everything_else_is_general() {
    let d = Desk::new();
    let id = logged(&d, &["--headcount", "2"]);
    assert_eq!(grade(&d, &id, "2026-11-03"), g("general", "-"));
}

#[test]
fn clause_6_1_1_1_ten_or_more_people_is_a_crisis() {
    let d = Desk::new();
    let id = logged(&d, &["--headcount", "10"]);
    assert_eq!(grade(&d, &id, "2026-11-03"), g("crisis", "6.1.1.1"));
}

#[test]
fn clause_6_1_1_2_major_loss_or_compensation_above_10000_is_a_crisis() {
    let d = Desk::new();
    let a = logged(&d, &["--flag", "major-loss"]);
    let b = logged(&d, &["--compensation", "10000.01"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("crisis", "6.1.1.2"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("crisis", "6.1.1.2"));
}

#[test]
fn clause_6_1_1_3_three_or_more_with_litigation_or_media_is_a_crisis() {
    let d = Desk::new();
    let a = logged(&d, &["--headcount", "3", "--flag", "litigation"]);
    let b = logged(&d, &["--headcount", "4", "--flag", "media"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("crisis", "6.1.1.3"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("crisis", "6.1.1.3"));
}

#[test]
fn clause_6_1_1_4_brand_damage_is_a_crisis() {
    let d = Desk::new();
    let id = logged(&d, &["--flag", "brand"]);
    assert_eq!(grade(&d, &id, "2026-11-03"), g("crisis", "6.1.1.4"));
}

#[test]
fn clause_6_1_2_1_compensation_up_to_10000_is_major() {
    let d = Desk::new();
    let a = logged(&d, &["--compensation", "10000"]);
    let b = logged(&d, &["--compensation", "0.01"]);
    let c = logged(&d, &["--compensation", "0"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("major", "6.1.2.1"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("major", "6.1.2.1"));
    assert_eq!(grade(&d, &c, "2026-11-03"), g("general", "-"));
}

#[test]
fn clause_6_1_2_2_three_different_complainants_about_one_target_is_major_for_all() {
    let d = Desk::new();
    let t = ["--target", "3栋电梯"];
    let a = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "甲",
            "--phone",
            "131",
            "--subject",
            "电梯停运",
            "--target",
            "3栋电梯",
        ])
        .at("2026-11-02 10:00")
        .ok()
        .trim()
        .to_string();
    let b = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "乙",
            "--phone",
            "132",
            "--subject",
            "电梯又停",
            "--target",
            " 3栋电梯 ",
        ])
        .at("2026-11-03 10:00")
        .ok()
        .trim()
        .to_string();
    assert_eq!(grade(&d, &a, "2026-11-03 12:00"), g("general", "-"));
    let c = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "丙",
            "--phone",
            "133",
            "--subject",
            "电梯",
            "--target",
            t[1],
        ])
        .at("2026-11-04 09:00")
        .ok()
        .trim()
        .to_string();
    // Once the third arrives, every ticket of the group is graded up, as of that moment.
    for id in [&a, &b, &c] {
        assert_eq!(
            grade(&d, id, "2026-11-04 09:00"),
            g("major", "6.1.2.2"),
            "{id}"
        );
    }
    assert_eq!(grade(&d, &a, "2026-11-04 08:59"), g("general", "-"));
    let hist = d.show(&a, "2026-11-05")["grade_history"].clone();
    assert_eq!(hist[1]["from"], "2026-11-04T09:00:00+08:00");
}

#[test]
fn clause_6_1_3_1_one_target_complained_of_three_times_is_important() {
    let d = Desk::new();
    // The same person (same phone digits, another spelling of the name) three times.
    let mut ids = Vec::new();
    for (name, phone, at) in [
        ("张三", "138 0000 0000", "2026-11-02 10:00"),
        ("张先生", "13800000000", "2026-11-03 10:00"),
        ("张三", "(138)0000-0000", "2026-11-04 10:00"),
    ] {
        ids.push(
            d.cmd(&[
                "log",
                "--project",
                "实力北岸",
                "--name",
                name,
                "--phone",
                phone,
                "--subject",
                "保安态度",
                "--target",
                "Gate Guard",
            ])
            .at(at)
            .ok()
            .trim()
            .to_string(),
        );
    }
    // Targets compare case-folded.
    d.cmd(&["amend", &ids[2], "--target", "gate guard"])
        .at("2026-11-04 10:00")
        .ok();
    assert_eq!(
        grade(&d, &ids[0], "2026-11-04 10:00"),
        g("important", "6.1.3.1")
    );
    assert_eq!(grade(&d, &ids[0], "2026-11-03 10:00"), g("general", "-"));
}

#[test]
fn same_target_counts_only_within_the_project_and_the_window() {
    let d = Desk::new();
    let a = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "甲",
            "--phone",
            "131",
            "--subject",
            "s",
            "--target",
            "泳池",
        ])
        .at("2025-10-01 10:00")
        .ok()
        .trim()
        .to_string();
    d.cmd(&[
        "log",
        "--project",
        "书香大地",
        "--name",
        "乙",
        "--phone",
        "132",
        "--subject",
        "s",
        "--target",
        "泳池",
    ])
    .at("2026-11-02 10:00")
    .ok();
    let c = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "丙",
            "--phone",
            "133",
            "--subject",
            "s",
            "--target",
            "泳池",
        ])
        .at("2026-11-02 11:00")
        .ok()
        .trim()
        .to_string();
    let e = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "丁",
            "--phone",
            "134",
            "--subject",
            "s",
            "--target",
            "泳池",
        ])
        .at("2026-11-03 11:00")
        .ok()
        .trim()
        .to_string();
    // a is more than 365 days before e, the 书香大地 one is another project: only 2 count.
    assert_eq!(grade(&d, &e, "2026-11-04"), g("general", "-"));
    assert_eq!(grade(&d, &c, "2026-11-04"), g("general", "-"));
    assert_eq!(grade(&d, &a, "2025-10-02"), g("general", "-"));
}

#[test]
fn clause_6_1_2_3_three_to_ten_people_is_major() {
    let d = Desk::new();
    let a = logged(&d, &["--headcount", "3"]);
    let b = logged(&d, &["--headcount", "9"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("major", "6.1.2.3"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("major", "6.1.2.3"));
}

#[test]
fn clause_6_1_2_4_fewer_than_three_with_litigation_or_media_is_major() {
    let d = Desk::new();
    let a = logged(&d, &["--flag", "media"]);
    let b = logged(&d, &["--headcount", "2", "--flag", "litigation"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("major", "6.1.2.4"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("major", "6.1.2.4"));
}

#[test]
fn clause_6_1_2_5_an_important_ticket_reopened_is_major() {
    let d = Desk::new();
    let a = logged(&d, &["--flag", "government", "--type", "property-service"]);
    let b = logged(&d, &["--type", "property-service"]);
    for id in [&a, &b] {
        d.cmd(&["close", id, "--reason", "confirmed"])
            .at("2026-11-03 10:00")
            .ok();
        d.cmd(&["reopen", id, "--reason", "客户再次投诉"])
            .at("2026-11-04 10:00")
            .ok();
    }
    assert_eq!(grade(&d, &a, "2026-11-04 09:00"), g("important", "6.1.3.2"));
    assert_eq!(grade(&d, &a, "2026-11-04 10:00"), g("major", "6.1.2.5"));
    // A general ticket reopened stays general.
    assert_eq!(grade(&d, &b, "2026-11-04 10:00"), g("general", "-"));
}

#[test]
fn clause_6_1_2_6_an_important_ticket_escalated_is_major() {
    let d = Desk::new();
    let id = logged(&d, &["--flag", "media-risk"]);
    d.cmd(&["escalate", &id, "--reason", "推诿扯皮"])
        .at("2026-11-02 15:00")
        .ok();
    assert_eq!(
        grade(&d, &id, "2026-11-02 14:59"),
        g("important", "6.1.3.3")
    );
    assert_eq!(grade(&d, &id, "2026-11-02 15:00"), g("major", "6.1.2.6"));
}

#[test]
fn clause_6_1_3_2_government_is_important() {
    let d = Desk::new();
    let id = logged(&d, &["--flag", "government"]);
    assert_eq!(grade(&d, &id, "2026-11-03"), g("important", "6.1.3.2"));
}

#[test]
fn clause_6_1_3_3_litigation_or_media_risk_is_important() {
    let d = Desk::new();
    let a = logged(&d, &["--flag", "litigation-risk"]);
    let b = logged(&d, &["--flag", "media-risk"]);
    assert_eq!(grade(&d, &a, "2026-11-03"), g("important", "6.1.3.3"));
    assert_eq!(grade(&d, &b, "2026-11-03"), g("important", "6.1.3.3"));
}

#[test]
fn clause_6_1_3_4_open_seven_days_after_receipt_is_important_and_stays_so() {
    let d = Desk::new();
    let open = logged(&d, &["--type", "property-service"]);
    let quick = logged(&d, &["--type", "property-service"]);
    d.cmd(&["close", &quick, "--reason", "confirmed"])
        .at("2026-11-05 10:00")
        .ok();
    assert_eq!(grade(&d, &open, "2026-11-09 09:59"), g("general", "-"));
    assert_eq!(
        grade(&d, &open, "2026-11-09 10:00"),
        g("important", "6.1.3.4")
    );
    d.cmd(&["close", &open, "--reason", "confirmed"])
        .at("2026-11-12 10:00")
        .ok();
    assert_eq!(grade(&d, &open, "2026-11-20"), g("important", "6.1.3.4"));
    assert_eq!(grade(&d, &quick, "2026-11-20"), g("general", "-"));
}

#[test]
fn clause_6_1_3_5_a_general_ticket_escalated_is_important_and_a_crisis_cannot_be() {
    let d = Desk::new();
    let id = logged(&d, &[]);
    d.cmd(&["escalate", &id, "--reason", "处理不当"])
        .at("2026-11-02 12:00")
        .ok();
    assert_eq!(
        grade(&d, &id, "2026-11-02 12:00"),
        g("important", "6.1.3.5")
    );
    // Twice: important → major.
    d.cmd(&["escalate", &id, "--reason", "仍未处理"])
        .at("2026-11-02 13:00")
        .ok();
    assert_eq!(grade(&d, &id, "2026-11-02 13:00"), g("major", "6.1.2.6"));
    let err = d
        .cmd(&["escalate", &id, "--reason", "再升级"])
        .at("2026-11-02 14:00")
        .refused(1);
    assert!(
        err.contains("no rule that raises a major complaint"),
        "{err}"
    );
}

#[test]
fn the_highest_grade_wins() {
    let d = Desk::new();
    // major by compensation, important by government, crisis by headcount.
    let id = logged(
        &d,
        &[
            "--compensation",
            "500",
            "--flag",
            "government",
            "--headcount",
            "12",
        ],
    );
    assert_eq!(grade(&d, &id, "2026-11-03"), g("crisis", "6.1.1.1"));
}

#[test]
fn clause_5_1_3_customer_service_has_the_final_say() {
    let d = Desk::new();
    let id = logged(&d, &["--headcount", "12"]);
    d.cmd(&[
        "classify",
        &id,
        "--grade",
        "重大",
        "--reason",
        "经核实实际为5户",
    ])
    .at("2026-11-02 11:00")
    .ok();
    let v = d.show(&id, "2026-11-03");
    assert_eq!(v["grade"], "major");
    assert_eq!(v["grade_rule"], "5.1.3");
    assert!(
        v["grade_basis"]
            .as_str()
            .unwrap()
            .contains("经核实实际为5户")
    );
    let err = d.cmd(&["classify", &id, "--grade", "major"]).refused(2);
    assert!(err.contains("--reason"), "{err}");
}

#[test]
fn corrected_facts_regrade_from_the_correction() {
    let d = Desk::new();
    let id = logged(&d, &[]);
    d.cmd(&["classify", &id, "--headcount", "5"])
        .at("2026-11-02 12:00")
        .ok();
    assert_eq!(grade(&d, &id, "2026-11-02 11:00"), g("general", "-"));
    assert_eq!(grade(&d, &id, "2026-11-02 12:00"), g("major", "6.1.2.3"));
    d.cmd(&[
        "amend",
        &id,
        "--headcount",
        "1",
        "--flag",
        "safety",
        "--flag",
        "government",
    ])
    .at("2026-11-02 13:00")
    .ok();
    assert_eq!(
        grade(&d, &id, "2026-11-02 13:00"),
        g("important", "6.1.3.2")
    );
}

/// Logs a complaint about `target` in 实力北岸 from `name`/`phone` at `at`; returns its ID.
fn about(d: &Desk, target: &str, name: &str, phone: &str, at: &str) -> String {
    d.log(&[
        "--name", name, "--phone", phone, "--target", target, "--at", at,
    ])
}

#[test]
fn a_group_once_formed_stays_formed_6_1_3_1() {
    let d = Desk::new();
    // One complainant, one target, three times; the first 364 days before the third
    // (2025-11-07 → 2026-11-06, a Friday, 20:00). The window is measured between the
    // receipts (SPEC §5), so the third is important at its receipt and stays so: time
    // passing breaks no group.
    about(&d, "5栋电梯", "张三", "13911112222", "2025-11-07 20:00");
    about(&d, "5栋电梯", "张三", "13911112222", "2026-05-01 20:00");
    let third = about(&d, "5栋电梯", "张三", "13911112222", "2026-11-06 20:00");
    for as_of in [
        "2026-11-06 20:00",
        "2026-11-06 22:00",
        "2026-11-07 22:00",
        "2026-11-12 09:00",
    ] {
        assert_eq!(
            grade(&d, &third, as_of),
            g("important", "6.1.3.1"),
            "as of {as_of}"
        );
    }
    // Its plan stays due on the important clock (8 working hours, §8.1): Fri 20:00–24:00 is
    // 4 hours, the weekend is skipped, Mon 00:00 + 4 hours = 11-09 04:00. (Were the group to
    // lapse on Saturday 20:00, the pending plan would be re-fixed to the general 4 hours.)
    let v = d.show(&third, "2026-11-08 12:00");
    assert_eq!(crate::common::due(&v, "plan"), "2026-11-09T04:00:00+08:00");
}

#[test]
fn complaints_exactly_the_window_apart_group_6_1_3_1() {
    let d = Desk::new();
    // 以上/以下 include the number: 2025-11-06 10:00 → 2026-11-06 10:00 is exactly 365 days.
    about(&d, "东门道闸", "李四", "13700000001", "2025-11-06 10:00");
    about(&d, "东门道闸", "李四", "13700000001", "2026-03-01 10:00");
    let third = about(&d, "东门道闸", "李四", "13700000001", "2026-11-06 10:00");
    assert_eq!(
        grade(&d, &third, "2026-11-06 10:00"),
        g("important", "6.1.3.1")
    );
    // A minute more and the first falls outside: two complaints, general.
    about(&d, "西门道闸", "李四", "13700000001", "2025-11-06 09:59");
    about(&d, "西门道闸", "李四", "13700000001", "2026-03-01 10:00");
    let late = about(&d, "西门道闸", "李四", "13700000001", "2026-11-06 10:00");
    assert_eq!(grade(&d, &late, "2026-11-06 10:00"), g("general", "-"));
}

#[test]
fn one_person_with_two_ways_of_writing_a_phone_is_one_complainant_6_1_2_2() {
    let d = Desk::new();
    // 张三 writes his number with and without +86: two complainants about 3栋水压, not three,
    // so the group is not major (§6.1.2.2) but three complaints make it important (§6.1.3.1).
    about(
        &d,
        "3栋水压",
        "张三",
        "+86 139 1111 2222",
        "2026-11-02 09:00",
    );
    about(&d, "3栋水压", "张三", "13911112222", "2026-11-02 10:00");
    let third = about(&d, "3栋水压", "王五", "13622223333", "2026-11-02 11:00");
    assert_eq!(
        grade(&d, &third, "2026-11-02 12:00"),
        g("important", "6.1.3.1")
    );
    // A third person (0086 written, another number) makes three complainants: major.
    about(
        &d,
        "3栋水压",
        "赵六",
        "0086 135 4444 5555",
        "2026-11-02 11:30",
    );
    assert_eq!(grade(&d, &third, "2026-11-02 12:00"), g("major", "6.1.2.2"));
}

#[test]
fn look_alike_targets_are_one_target_6_1_2_2() {
    let d = Desk::new();
    // 3栋 typed four ways (plain, full-width ３, with a zero-width space after, with a
    // zero-width joiner inside) by four complainants: one target, so three or more
    // different complainants make every one of them major (§6.1.2.2). The files keep what
    // was typed.
    let ids: Vec<String> = ["3栋", "３栋", "3栋\u{200B}", "3\u{200D}栋"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let phone = format!("1390000000{i}");
            about(
                &d,
                t,
                &format!("业主{i}"),
                &phone,
                &format!("2026-11-06 {:02}:00", 8 + i),
            )
        })
        .collect();
    for id in &ids {
        assert_eq!(
            grade(&d, id, "2026-11-06 12:00"),
            g("major", "6.1.2.2"),
            "{id}"
        );
    }
    assert!(d.ticket_text(&ids[1]).contains("３栋"));
    // Café composed (NFC) and decomposed (NFD) from three people: one target too.
    let cafe: Vec<String> = ["Caf\u{e9}", "Cafe\u{301}", "CAF\u{c9}"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            about(
                &d,
                t,
                &format!("客{i}"),
                &format!("1370000000{i}"),
                "2026-11-06 09:30",
            )
        })
        .collect();
    assert_eq!(
        grade(&d, &cafe[1], "2026-11-06 12:00"),
        g("major", "6.1.2.2")
    );
}
