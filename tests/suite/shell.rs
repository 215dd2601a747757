//! The shell contract (SPEC §8): usage errors exit 2, errors exit 1, a refused command
//! writes nothing, a directory that is no desk is refused, IDs have one spelling.

use crate::common::{Desk, plaint};

const LOG: [&str; 9] = [
    "log",
    "--project",
    "实力北岸",
    "--name",
    "张三",
    "--phone",
    "13800000000",
    "--subject",
    "漏水",
];

fn without(option: &str) -> Vec<&'static str> {
    let mut a: Vec<&str> = LOG.to_vec();
    let i = a.iter().position(|x| *x == option).unwrap();
    a.drain(i..i + 2);
    a
}

#[test]
fn usage_errors_exit_2_and_name_what_is_missing() {
    let d = Desk::new();
    for option in ["--project", "--name", "--phone", "--subject"] {
        let err = d.cmd(&without(option)).refused(2);
        assert!(err.contains(option), "{option}: {err}");
    }
    let err = d
        .cmd(&["report", "--month", "2026-11", "--year", "2026"])
        .refused(2);
    assert!(err.contains("only one of --month, --year"), "{err}");
    let err = d
        .cmd(&["penalties", "--last-month", "--month", "2026-11"])
        .refused(2);
    assert!(err.contains("only one"), "{err}");
    let err = d.cmd(&["report", "--from", "2026-11-05"]).refused(2);
    assert!(err.contains("--to"), "{err}");
    let err = d.cmd(&["report", "--to", "2026-11-05"]).refused(2);
    assert!(err.contains("--from"), "{err}");
    // Bad values are errors of input, not of usage: exit 1.
    d.cmd(&["report", "--month", "2026-13"]).refused(1);
}

#[test]
fn a_directory_that_is_no_desk_is_refused() {
    let nowhere = Desk::nowhere();
    for args in [
        vec!["report"],
        vec!["penalties"],
        vec!["list"],
        vec!["check"],
        vec!["show", "202611-0001"],
        LOG.to_vec(),
    ] {
        let err = nowhere.cmd(&args).refused(1);
        assert!(
            err.contains("is not a plaint desk") && err.contains("plaint init"),
            "{args:?}: {err}"
        );
    }
    assert!(nowhere.snapshot().is_empty(), "nothing was created");
    let out = plaint()
        .args(["--desk", "/nonexistent/desk", "report"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no empty report for cron to mail");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    // A desk with tickets/ but no rules.yaml uses the built-in rulebook.
    let bare = Desk::empty();
    bare.cmd(&["report", "--as-of", "2026-11-20"]).ok();
}

#[test]
fn the_os_user_is_known_without_user_variables() {
    let d = Desk::new();
    let out = d
        .cmd(&LOG)
        .env_remove("PLAINT_USER")
        .env_remove("USER")
        .env_remove("USERNAME")
        .ok();
    let id = out.trim().to_string();
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8(me.stdout).unwrap().trim().to_string();
    assert!(
        d.ticket_text(&id).contains(&format!("logged_by: {me}\n")),
        "{}",
        d.ticket_text(&id)
    );
}

#[test]
fn an_id_has_one_spelling() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    assert_eq!(id, "202611-0001");
    let err = d.cmd(&["show", "202611-00001"]).refused(1);
    assert!(err.contains("did you mean 202611-0001"), "{err}");
    let err = d.cmd(&["forward", "202611-00001"]).refused(1);
    assert!(err.contains("did you mean 202611-0001"), "{err}");
}

#[test]
fn years_outside_2000_to_2099_are_refused() {
    let d = Desk::new();
    for at in [
        "0202-11-02",
        "9999-11-02 10:00",
        "2100-01-01",
        "1999-12-31T23:00:00+08:00",
    ] {
        let mut a = LOG.to_vec();
        a.extend(["--at", at]);
        let err = d.cmd(&a).refused(1);
        assert!(
            err.contains("plaint keeps the years 2000–2099"),
            "{at}: {err}"
        );
    }
    d.cmd(&["report", "--year", "1999"]).refused(1);
    d.cmd(&["list", "--month", "2100-01"]).refused(1);
}

#[test]
fn text_that_starts_with_a_dash_is_text() {
    let d = Desk::new();
    let id = d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--description",
        "-2+3",
        "--request",
        "--尽快",
    ]);
    let v = d.show(&id, "2026-11-03");
    assert_eq!(v["description"], "-2+3");
    assert_eq!(v["request"], "--尽快");
    d.cmd(&["respond", &id, "--note", "-已回复"])
        .at("2026-11-02 10:30")
        .ok();
}
