//! What the rulebook can express beyond the default procedure (issue: other companies'
//! procedures in the rulebook alone). Each feature through the real binary.

mod common;

use common::Desk;
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
    d.ok(&["import", csv.to_str().unwrap()]);
    let err = d.refused(
        &[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "甲",
            "--phone",
            "1",
            "--subject",
            "s",
            "--received-by",
            "保安部",
        ],
        1,
    );
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
    let out = d.cmd(&["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let problems = String::from_utf8_lossy(&out.stdout);
    assert!(problems.contains("'销售部' names both"), "{problems}");
}
