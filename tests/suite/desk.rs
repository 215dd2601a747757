//! The desk (SPEC §1–§4): init, log, amend, show, list, check, completions.

use crate::common::{Desk, git, plaint};
use std::collections::BTreeSet;
use std::fs;

#[test]
fn init_creates_a_desk_and_never_overwrites_a_rulebook() {
    let d = Desk::new();
    let rules = fs::read_to_string(d.path().join("rules.yaml")).unwrap();
    assert_eq!(rules, include_str!("../../rules.yaml"));
    assert!(d.path().join("tickets").is_dir());
    fs::write(d.path().join("rules.yaml"), "# mine\n").unwrap();
    let err = d.cmd(&["init", d.path().to_str().unwrap()]).refused(1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        fs::read_to_string(d.path().join("rules.yaml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_uses_the_desk_option_and_env() {
    let d = Desk::nowhere();
    plaint()
        .env("PLAINT_DESK", d.path())
        .arg("init")
        .assert()
        .success();
    assert!(d.path().join("rules.yaml").exists());
}

#[test]
fn log_prints_only_the_new_id_and_ids_run_per_month_of_receipt() {
    let d = Desk::new();
    let out = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "张三",
            "--phone",
            "138",
            "--subject",
            "漏水",
        ])
        .at("2026-11-02 10:00")
        .ok();
    assert_eq!(out, "202611-0001\n");
    assert_eq!(d.log(&["--at", "2026-11-03 10:00"]), "202611-0002");
    // A back-dated complaint lands in its own month with that month's serial.
    assert_eq!(d.log(&["--at", "2026-10-31 23:59"]), "202610-0001");
    assert_eq!(d.log(&["--at", "2026-11-30 23:59:59"]), "202611-0003");
    assert!(d.path().join("tickets/2026/10/202610-0001.yaml").exists());
    assert!(d.path().join("tickets/2026/11/202611-0003.yaml").exists());
}

#[test]
fn the_serial_grows_past_9999() {
    let d = Desk::new();
    let dir = d.path().join("tickets/2026/11");
    fs::create_dir_all(&dir).unwrap();
    // A month that already has ticket 9999 (made by logging one and renaming it).
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let text = d.ticket_text(&id).replace("202611-0001", "202611-9999");
    fs::remove_file(d.ticket_path(&id)).unwrap();
    fs::write(dir.join("202611-9999.yaml"), text).unwrap();
    assert_eq!(d.log(&["--at", "2026-11-03 10:00"]), "202611-10000");
    d.cmd(&["show", "202611-10000"]).ok();
    d.cmd(&["check"]).ok();
}

#[test]
fn the_rulebook_prefix_goes_in_front_of_every_id() {
    let d = Desk::new();
    let rules = fs::read_to_string(d.path().join("rules.yaml"))
        .unwrap()
        .replace("prefix: \"\"", "prefix: \"DL-\"");
    fs::write(d.path().join("rules.yaml"), rules).unwrap();
    assert_eq!(d.log(&["--at", "2026-11-02 10:00"]), "DL-202611-0001");
    assert!(
        d.path()
            .join("tickets/2026/11/DL-202611-0001.yaml")
            .exists()
    );
    d.cmd(&["show", "DL-202611-0001"]).ok();
}

#[test]
fn chinese_text_is_stored_as_text_and_round_trips_byte_for_byte() {
    let d = Desk::new();
    let description = "楼上卫生间漏水,已两天。\n业主说:\"再不修就找媒体\"";
    let id = d.log(&[
        "--description",
        description,
        "--request",
        "尽快维修并赔偿损失",
        "--unit",
        "3栋2单元1201",
        "--at",
        "2026-11-02 10:00",
    ]);
    let text = d.ticket_text(&id);
    assert!(text.contains("卫生间漏水"), "{text}");
    assert!(text.contains("尽快维修并赔偿损失"));
    assert!(
        !text.contains("\\u"),
        "Chinese must not be escaped:\n{text}"
    );
    let v = d.show(&id, "2026-11-03");
    assert_eq!(v["description"], description);
    assert_eq!(v["unit"], "3栋2单元1201");
    assert_eq!(v["subject"], "卫生间漏水");
}

#[test]
fn the_ticket_file_reads_as_facts_then_events() {
    let d = Desk::new();
    let id = d.log(&[
        "--type",
        "物业服务",
        "--flag",
        "safety",
        "--compensation",
        "1200.50",
        "--at",
        "2026-11-02 10:00",
    ]);
    let text = d.ticket_text(&id);
    let expected_start = "id: 202611-0001\nproject: 实力北岸\nreceived_at: 2026-11-02T10:00:00+08:00\nreceived_by: customer-service\nchannel: phone\nlogged_by: 测试员\nname: 张三\nphone: '13800000000'\nsubject: 卫生间漏水\nheadcount: 1\nflags:\n- safety\ncompensation: '1200.5'\ntype: property-service\nevents:\n";
    assert_eq!(text, expected_start);
}

#[test]
fn every_command_only_appends_to_the_file() {
    let d = Desk::new();
    let id = d.log(&["--type", "maintenance", "--at", "2026-11-02 10:00"]);
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "amend",
            &id,
            "--phone",
            "13911112222",
            "--reason",
            "客户更正",
            "--at",
            "2026-11-02 10:05",
        ],
        vec!["forward", &id, "--at", "2026-11-02 10:30"],
        vec![
            "classify",
            &id,
            "--valid",
            "--target",
            "3栋防水",
            "--at",
            "2026-11-02 10:40",
        ],
        vec![
            "assign",
            &id,
            "--handler",
            "李工",
            "--at",
            "2026-11-02 10:45",
        ],
        vec![
            "respond",
            &id,
            "--note",
            "已致电业主",
            "--at",
            "2026-11-02 10:50",
        ],
        vec![
            "plan",
            &id,
            "--action",
            "进行修复",
            "--finish",
            "2026-11-10",
            "--at",
            "2026-11-02 13:00",
        ],
        vec![
            "delay",
            &id,
            "--reason",
            "材料未到",
            "--approved-by",
            "赵经理",
            "--at",
            "2026-11-05 09:00",
        ],
        vec![
            "close",
            &id,
            "--reason",
            "confirmed",
            "--property-confirmed",
            "--at",
            "2026-11-09 10:00",
        ],
        vec![
            "callback",
            &id,
            "--timeliness",
            "9",
            "--plan",
            "9",
            "--attitude",
            "10",
            "--at",
            "2026-11-09 15:00",
        ],
        vec![
            "reopen",
            &id,
            "--reason",
            "又漏了",
            "--at",
            "2026-11-12 09:00",
        ],
        vec![
            "violation",
            &id,
            "--rule",
            "mishandling",
            "--person",
            "李工",
            "--department",
            "物业公司",
            "--at",
            "2026-11-12 10:00",
        ],
    ];
    for s in steps {
        let before = d.ticket_text(&id);
        d.cmd(&s).ok();
        let after = d.ticket_text(&id);
        assert!(after.starts_with(&before), "{s:?} rewrote the file");
        assert!(after.len() > before.len(), "{s:?} appended nothing");
    }
    assert_eq!(
        d.json(&["show", &id])["events"].as_array().unwrap().len(),
        11
    );
    d.cmd(&["check"]).ok();
}

#[test]
fn amend_is_an_event_and_show_applies_it() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    d.cmd(&[
        "amend",
        &id,
        "--phone",
        "139 1111 2222",
        "--subject",
        "厨房漏水",
        "--reason",
        "登记有误",
    ])
    .at("2026-11-02 11:00")
    .ok();
    let text = d.ticket_text(&id);
    assert!(
        text.contains("phone: '13800000000'"),
        "the intake fact stays as logged"
    );
    assert!(text.contains("kind: amend"));
    let now = d.show(&id, "2026-11-03");
    assert_eq!(now["phone"], "139 1111 2222");
    assert_eq!(now["subject"], "厨房漏水");
    // Before the correction, the ticket read as logged.
    let then = d.show(&id, "2026-11-02 10:30");
    assert_eq!(then["phone"], "13800000000");
    let err = d.cmd(&["amend", &id]).refused(1);
    assert!(err.contains("nothing to amend"), "{err}");
    let err = d.cmd(&["amend", &id, "--channel", "fax"]).refused(1);
    assert!(err.contains("unknown channel 'fax'"), "{err}");
    let err = d
        .cmd(&["amend", &id, "--phone", "1"])
        .at("2026-11-01")
        .refused(1);
    assert!(err.contains("before"), "{err}");
}

#[test]
fn log_accepts_chinese_labels_for_codes() {
    let d = Desk::new();
    let id = d.log(&[
        "--received-by",
        "物业公司",
        "--type",
        "物业服务",
        "--channel",
        "微信",
        "--flag",
        "可能引发法律诉讼",
        "--at",
        "2026-11-02 10:00",
    ]);
    let v = d.show(&id, "2026-11-03");
    assert_eq!(v["received_by"], "property");
    assert_eq!(v["type"], "property-service");
    assert_eq!(v["channel"], "wechat");
    assert_eq!(v["flags"][0], "litigation-risk");
}

#[test]
fn log_refuses_bad_input_with_the_valid_choices_and_writes_nothing() {
    let d = Desk::new();
    let base = [
        "log",
        "--project",
        "实力北岸",
        "--name",
        "张三",
        "--phone",
        "138",
        "--subject",
        "漏水",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            with(&["--project", "不存在的项目"]),
            "unknown project '不存在的项目'; valid: 实力五星彩园, 实力北岸",
        ),
        (
            with(&["--received-by", "sales"]),
            "unknown department 'sales'; valid: customer-service (客户服务部)",
        ),
        (
            with(&["--type", "noise"]),
            "unknown type 'noise'; valid: sales-contract (营销签约)",
        ),
        (
            with(&["--flag", "urgent"]),
            "unknown flag 'urgent'; valid: safety",
        ),
        (
            with(&["--channel", "fax"]),
            "unknown channel 'fax'; valid: phone (电话)",
        ),
        (with(&["--headcount", "0"]), "--headcount: 0 people"),
        (
            with(&["--compensation", "-5"]),
            "--compensation: '-5' is negative",
        ),
        (
            with(&["--compensation", "abc"]),
            "--compensation: 'abc' is not an amount",
        ),
        (
            with(&["--phone", "138-abc"]),
            "--phone: '138-abc' is not a phone number",
        ),
        (
            with(&["--subject", "  "]),
            "--subject: the subject is empty",
        ),
        (
            with(&["--at", "2026-02-30"]),
            "--at: '2026-02-30' is not a real date",
        ),
        (
            with(&["--at", "yesterday"]),
            "--at: 'yesterday' is not a date",
        ),
    ];
    for (args, msg) in cases {
        let err = d.cmd(&args).refused(1);
        assert!(err.contains(msg), "{args:?}: expected '{msg}' in: {err}");
        assert!(err.starts_with("error: "), "{err}");
    }
    // Several problems are reported together.
    let err = d
        .cmd(&with(&["--headcount", "0", "--channel", "fax"]))
        .refused(1);
    assert!(
        err.contains("--headcount") && err.contains("--channel"),
        "{err}"
    );
    // Usage errors exit 2.
    d.cmd(&["log", "--no-such-option"]).refused(2);
    d.cmd(&["log", "--headcount", "many"]).refused(2);
    assert!(!d.path().join("tickets/2026").exists());
}

#[test]
fn show_reports_unknown_ids_and_bad_ids() {
    let d = Desk::new();
    let err = d.cmd(&["show", "202611-0042"]).refused(1);
    assert!(err.contains("no ticket 202611-0042"), "{err}");
    let err = d.cmd(&["show", "../../etc/passwd"]).refused(1);
    assert!(err.contains("not a ticket ID"), "{err}");
}

#[test]
fn show_has_the_spec_json_keys_and_a_yaml_and_table_form() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let v = d.show(&id, "2026-11-02 12:00");
    for k in [
        "id",
        "project",
        "status",
        "valid",
        "category",
        "type",
        "grade",
        "grade_rule",
        "department",
        "handler",
        "received_at",
        "deadlines",
        "events",
    ] {
        assert!(v.get(k).is_some(), "show JSON lacks {k}");
    }
    for step in ["forward", "respond", "plan", "close", "callback"] {
        assert!(v["deadlines"].get(step).is_some(), "deadlines lack {step}");
    }
    assert_eq!(v["received_at"], "2026-11-02T10:00:00+08:00");
    assert_eq!(v["status"], "open");
    assert_eq!(v["valid"], true);
    let y = d.cmd(&["show", &id, "--format", "yaml"]).ok();
    assert!(y.contains("id: 202611-0001"), "{y}");
    let t = d.cmd(&["show", &id]).ok();
    assert!(t.contains("卫生间漏水") && t.contains("信息传递"), "{t}");
}

#[test]
fn list_filters_and_formats() {
    let d = Desk::new();
    let a = d.log(&["--type", "maintenance", "--at", "2026-10-05 10:00"]);
    let b = d
        .cmd(&[
            "log",
            "--project",
            "书香大地",
            "--name",
            "李四",
            "--phone",
            "139",
            "--subject",
            "售楼承诺",
            "--type",
            "sales-contract",
        ])
        .at("2026-11-02 10:00")
        .ok()
        .trim()
        .to_string();
    let c = d.log(&["--type", "property-service", "--at", "2026-11-03 10:00"]);
    d.cmd(&["close", &c, "--reason", "confirmed"])
        .at("2026-11-03 12:00")
        .ok();

    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["list", "--as-of", "2026-11-10"];
        a.extend_from_slice(args);
        d.json(&a)
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]), vec![a.clone(), b.clone(), c.clone()]);
    assert_eq!(ids(&["--project", "书香大地"]), vec![b.clone()]);
    assert_eq!(ids(&["--month", "2026-10"]), vec![a.clone()]);
    assert_eq!(ids(&["--status", "closed"]), vec![c.clone()]);
    assert_eq!(ids(&["--status", "open"]), vec![a.clone(), b.clone()]);
    assert_eq!(ids(&["--category", "工程类"]), vec![a.clone()]);
    assert_eq!(ids(&["--department", "marketing"]), vec![b.clone()]);
    assert_eq!(
        ids(&["--department", "物业公司"]),
        vec![a.clone(), c.clone()]
    );
    // --as-of before a ticket was received leaves it out.
    assert_eq!(
        d.json(&["list", "--as-of", "2026-10-31"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let v = d.json(&["list", "--as-of", "2026-11-10"]);
    for k in [
        "id",
        "project",
        "status",
        "grade",
        "category",
        "department",
        "received_at",
    ] {
        assert!(v[0].get(k).is_some(), "list JSON lacks {k}");
    }
    let csv = d
        .cmd(&["list", "--as-of", "2026-11-10", "--format", "csv"])
        .ok();
    assert!(csv.starts_with("id,project,status,"), "{csv}");
    assert_eq!(csv.lines().count(), 4);
    let bom = d.cmd(&["list", "--format", "csv", "--bom"]).ok();
    assert!(bom.starts_with('\u{feff}'));
    let table = d.cmd(&["list", "--as-of", "2026-11-10"]).ok();
    assert!(
        table.contains("书香大地") && table.contains("营销部"),
        "{table}"
    );

    let err = d.cmd(&["list", "--project", "nowhere"]).refused(1);
    assert!(err.contains("unknown project"), "{err}");
    let err = d.cmd(&["list", "--month", "2026-13"]).refused(1);
    assert!(err.contains("not a month"), "{err}");
    let err = d.cmd(&["list", "--as-of", "2026-02-30"]).refused(1);
    assert!(err.contains("not a real date"), "{err}");
}

#[test]
fn commands_work_on_a_desk_without_tickets() {
    let d = Desk::empty();
    assert_eq!(d.json(&["list"]), serde_json::json!([]));
    d.cmd(&["check"]).ok();
    let out = d.cmd(&["list"]).output();
    assert!(out.status.success());
}

#[test]
fn check_passes_a_clean_desk_and_names_path_and_line_of_a_truncated_file() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00", "--description", "多行\n描述"]);
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    d.cmd(&["check"]).ok();
    let path = d.ticket_path(&id);
    let text = fs::read_to_string(&path).unwrap();
    // Cut in the middle of the file, inside a quoted value.
    let cut = text.find("phone: '").unwrap() + "phone: '138".len();
    fs::write(&path, &text[..cut]).unwrap();
    let (code, stdout, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    let expected = format!("{}:", path.display());
    assert!(stdout.starts_with(&expected), "{stdout}");
    let line: usize = stdout[expected.len()..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((8..=10).contains(&line), "line {line}: {stdout}");
    // Reading commands refuse to go on with a broken ticket, and say which.
    let err = d.cmd(&["list"]).refused(1);
    assert!(err.contains(&path.display().to_string()), "{err}");
}

#[test]
fn check_reports_unknown_codes_and_mismatched_ids_with_lines() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00", "--type", "maintenance"]);
    let path = d.ticket_path(&id);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("type: maintenance", "type: plumbing");
    fs::write(&path, &text).unwrap();
    let stdout = d.check(&[]).1;
    let line = text.lines().position(|l| l.contains("plumbing")).unwrap() + 1;
    assert!(
        stdout.contains(&format!(
            "{}:{line}: type: unknown type 'plumbing'",
            path.display()
        )),
        "{stdout}"
    );
    fs::rename(&path, path.with_file_name("202611-0002.yaml")).unwrap();
    assert!(d.check(&[]).1.contains("does not match the file name"));
}

#[test]
fn a_broken_rulebook_is_reported_with_its_line() {
    let d = Desk::new();
    let path = d.path().join("rules.yaml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("major: 2h, crisis: 4h }", "major: 2 hours, crisis: 4h }");
    fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.contains("2 hours")).unwrap() + 1;
    let (code, stdout, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains(&format!("rules.yaml:{line}: ")), "{stdout}");
    assert!(stdout.contains("not a duration"), "{stdout}");
    // Every command refuses to run on it.
    let err = d
        .cmd(&[
            "log",
            "--project",
            "实力北岸",
            "--name",
            "a",
            "--phone",
            "1",
            "--subject",
            "s",
        ])
        .refused(1);
    assert!(err.contains(&format!("rules.yaml:{line}:")), "{err}");
    // --rules points elsewhere.
    let other = d.path().join("other.yaml");
    fs::write(&other, include_str!("../../rules.yaml")).unwrap();
    d.cmd(&["--rules", other.to_str().unwrap(), "check"]).ok();
    let err = d
        .cmd(&["--rules", "/no/such/rules.yaml", "check"])
        .refused(1);
    assert!(
        err.contains("cannot read the rulebook /no/such/rules.yaml"),
        "{err}"
    );
}

#[test]
fn four_writers_at_once_mint_one_hundred_distinct_ids() {
    let d = Desk::new();
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let exe = exe.clone();
            let desk = d.path().to_path_buf();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        let out = std::process::Command::new(&exe)
                            .arg("--desk")
                            .arg(&desk)
                            .args([
                                "log",
                                "--project",
                                "实力北岸",
                                "--name",
                                &format!("业主{w}-{i}"),
                                "--phone",
                                "138",
                                "--subject",
                                "并发登记",
                                "--at",
                                "2026-11-02 10:00",
                                "--by",
                                "并发",
                            ])
                            .output()
                            .unwrap();
                        assert!(
                            out.status.success(),
                            "{}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        String::from_utf8(out.stdout).unwrap().trim().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: BTreeSet<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(ids.len(), 100);
    assert!(ids.contains("202611-0001") && ids.contains("202611-0100"));
    d.cmd(&["check"]).ok();
    assert_eq!(d.json(&["list"]).as_array().unwrap().len(), 100);
}

#[test]
fn a_writer_killed_while_waiting_for_the_lock_leaves_nothing_behind() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let before = d.snapshot();
    // Hold the desk lock as another writer would, start a write, kill it.
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(d.path().join(".plaint.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("plaint"))
        .arg("--desk")
        .arg(d.path())
        .args(["forward", &id, "--by", "x"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the writer waits for the lock"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    lock.unlock().unwrap();
    assert_eq!(before, d.snapshot());
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
}

#[test]
fn leftovers_of_an_interrupted_write_are_ignored() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let text = d.ticket_text(&id);
    // What a crash between writing the temporary file and renaming it leaves behind.
    let month = d.path().join("tickets/2026/11");
    fs::write(month.join(".plaint-Ab12.tmp"), &text[..text.len() / 2]).unwrap();
    d.cmd(&["check"]).ok();
    assert_eq!(d.json(&["list"]).as_array().unwrap().len(), 1);
    assert_eq!(d.log(&["--at", "2026-11-03 10:00"]), "202611-0002");
    assert_eq!(d.ticket_text(&id), text);
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = plaint().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(
            s.contains("plaint") && s.contains("escalate"),
            "{shell}: {s}"
        );
    }
    plaint().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn help_and_version() {
    plaint().arg("--help").assert().success();
    plaint().arg("--version").assert().success();
    plaint().assert().code(2);
}

// ---------------------------------------------------------------- the desk in git

/// A desk in a fresh git repository, made and committed by `plaint init`, with one
/// complaint logged; the desk and the complaint's ID.
fn git_desk() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        crate::common::git(dir.path(), args);
    };
    git(&["init", "--quiet", "--initial-branch=main"]);
    git(&["config", "user.name", "测试员"]);
    git(&["config", "user.email", "t@example.invalid"]);
    let run = |args: &[&str]| {
        let out = plaint()
            .arg("--desk")
            .arg(dir.path())
            .args(args)
            .env("PLAINT_NOW", "2026-11-02 10:00")
            .env("PLAINT_USER", "测试员")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    run(&["init"]).clear();
    let id = run(&crate::common::log_args(&[
        "--at",
        "2026-11-02 10:00",
        "--by",
        "王芳",
    ]));
    (dir, id)
}

/// For each commit after the first two (init, log): its author and the `by:` of every event
/// line it added.
fn commits_and_their_events(dir: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let log = git(dir, &["log", "--reverse", "--format=%H %an"]);
    log.lines()
        .skip(2)
        .map(|l| {
            let (sha, author) = l.split_once(' ').unwrap();
            let diff = git(dir, &["show", "--format=", "-U0", sha]);
            let by: Vec<String> = diff
                .lines()
                .filter_map(|x| x.strip_prefix("+  by: "))
                .map(|x| x.trim_matches('\'').to_string())
                .collect();
            (author.to_string(), by)
        })
        .collect()
}

#[test]
fn concurrent_writers_in_git_commit_only_their_own_events_under_their_own_names() {
    let (dir, id) = git_desk();
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let writer = |who: &'static str, args: Vec<&'static str>| {
        let exe = exe.clone();
        let desk = dir.path().to_path_buf();
        let id = id.clone();
        std::thread::spawn(move || {
            for _ in 0..12 {
                let out = std::process::Command::new(&exe)
                    .arg("--desk")
                    .arg(&desk)
                    .arg(args[0])
                    .arg(&id)
                    .args(&args[1..])
                    .args(["--by", who])
                    .env("PLAINT_NOW", "2026-11-03 10:00")
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(out.status.success(), "{err}");
                assert!(!err.contains("not committed"), "{who}: {err}");
            }
        })
    };
    let a = writer(
        "alice",
        vec![
            "violation",
            "--rule",
            "mishandling",
            "--person",
            "王五",
            "--department",
            "property",
        ],
    );
    let b = writer(
        "bob",
        vec!["delay", "--reason", "等配件", "--approved-by", "经理"],
    );
    a.join().unwrap();
    b.join().unwrap();
    let commits = commits_and_their_events(dir.path());
    assert_eq!(commits.len(), 24, "one commit per step: {commits:?}");
    for (author, by) in &commits {
        assert_eq!(
            by,
            &vec![author.clone()],
            "a commit by {author} holds {by:?}"
        );
    }
    // Nothing is left staged, modified or untracked.
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
}

#[test]
fn writers_killed_in_a_git_desk_leave_nothing_uncommitted_for_long() {
    let (dir, id) = git_desk();
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let mut next = 7u64;
    for round in 0..30 {
        next = next
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut child = std::process::Command::new(&exe)
            .arg("--desk")
            .arg(dir.path())
            .args([
                "violation",
                &id,
                "--rule",
                "mishandling",
                "--person",
                "王五",
                "--department",
                "property",
                "--by",
                "alice",
            ])
            .env("PLAINT_NOW", "2026-11-03 10:00")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros((next >> 33) % 40_000));
        let _ = child.kill();
        let _ = child.wait();
        // The next writer commits what the killed one left, under its author, then its own.
        let out = std::process::Command::new(&exe)
            .arg("--desk")
            .arg(dir.path())
            .args([
                "delay",
                &id,
                "--reason",
                "等配件",
                "--approved-by",
                "经理",
                "--by",
                "bob",
            ])
            .env("PLAINT_NOW", "2026-11-03 10:00")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "round {round}: {err}");
        assert!(!err.contains("not committed"), "round {round}: {err}");
        assert_eq!(
            git(dir.path(), &["status", "--porcelain"]),
            "",
            "round {round}: {err}"
        );
    }
    for (author, by) in commits_and_their_events(dir.path()) {
        assert!(
            by.iter().all(|b| *b == author),
            "a commit by {author} holds {by:?}"
        );
    }
    // Every event in the file is in the last commit.
    let committed = git(
        dir.path(),
        &["show", &format!("HEAD:tickets/2026/11/{id}.yaml")],
    );
    let on_disk =
        fs::read_to_string(dir.path().join(format!("tickets/2026/11/{id}.yaml"))).unwrap();
    assert_eq!(committed, on_disk);
}

#[test]
fn a_stale_index_lock_and_a_file_left_uncommitted_are_recovered_under_the_desk_lock() {
    let (dir, id) = git_desk();
    let ticket = dir.path().join(format!("tickets/2026/11/{id}.yaml"));
    // What a writer killed between its write and its commit leaves: its event in the file,
    // the file named in .plaint/uncommitted, and git's index.lock from its last step.
    let mut text = fs::read_to_string(&ticket).unwrap();
    text.push_str("- at: 2026-11-02T10:30:00+08:00\n  by: alice\n  kind: forward\n");
    fs::write(&ticket, text).unwrap();
    let list = dir.path().join(".plaint/uncommitted");
    fs::write(&list, format!("alice\ttickets/2026/11/{id}.yaml\n")).unwrap();
    let lock = dir.path().join(".git/index.lock");
    fs::write(&lock, "").unwrap();
    for (file, ago) in [(&list, "20 seconds ago"), (&lock, "10 seconds ago")] {
        let ok = std::process::Command::new("touch")
            .args(["-d", ago])
            .arg(file)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let out = plaint()
        .arg("--desk")
        .arg(dir.path())
        .args(["respond", &id, "--by", "bob", "--at", "2026-11-02 10:40"])
        .env("PLAINT_NOW", "2026-11-02 10:40")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("index.lock left by a stopped plaint"), "{err}");
    assert!(
        err.contains("committed 1 file a stopped writer left uncommitted"),
        "{err}"
    );
    assert!(!lock.exists() && !list.exists());
    let log = git(dir.path(), &["log", "-2", "--format=%an|%s"]);
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].starts_with("bob|"), "{log}");
    assert!(lines[1].starts_with("alice|recovered: "), "{log}");
    assert_eq!(
        commits_and_their_events(dir.path()),
        vec![
            ("alice".to_string(), vec!["alice".to_string()]),
            ("bob".to_string(), vec!["bob".to_string()]),
        ]
    );
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_fifo_in_place_of_a_file_plaint_reads_is_refused_not_waited_on() {
    // Each in place of a file plaint opens: a command must say so and end, not wait for a
    // writer that never comes.
    for (file, args) in [
        ("rules.yaml", vec!["list"]),
        (".plaint.lock", vec!["forward", "202611-0001", "--by", "x"]),
        ("tickets/2026/11/202611-0002.yaml", vec!["list"]),
        ("ratings.yaml", vec!["penalties", "--month", "2026-11"]),
    ] {
        let d = Desk::new();
        d.log(&["--at", "2026-11-02 10:00"]);
        let path = d.path().join(file);
        let _ = fs::remove_file(&path);
        let ok = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(ok.success());
        // A command that waited would be killed at the timeout, with no exit code.
        let out = d
            .cmd(&args)
            .now("2026-11-02 10:30")
            .timeout(std::time::Duration::from_secs(10))
            .output();
        let (status, err) = (out.status, String::from_utf8_lossy(&out.stderr));
        assert_eq!(status.code(), Some(1), "{file}: {err}");
        assert!(err.contains("not a regular file"), "{file}: {err}");
    }
    // The cache's files are only the cache: a FIFO there is set aside and written afresh.
    let d = Desk::new();
    d.log(&["--at", "2026-11-02 10:00"]);
    d.cmd(&["list", "--as-of", "2026-11-03"]).ok();
    let cache = d.path().join(".plaint/cache");
    for e in fs::read_dir(&cache).unwrap().flatten() {
        fs::remove_file(e.path()).unwrap();
        assert!(
            std::process::Command::new("mkfifo")
                .arg(e.path())
                .status()
                .unwrap()
                .success()
        );
    }
    let out = d
        .cmd(&["list", "--as-of", "2026-11-03", "--format", "json"])
        .timeout(std::time::Duration::from_secs(10))
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bidi_controls_reach_no_table_raw() {
    let d = Desk::new();
    let id = d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--subject",
        "漏水\u{202E}txt.exe",
    ]);
    let out = d
        .cmd(&["list", "--as-of", "2026-11-03"])
        .env("COLUMNS", "200")
        .output();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains('\u{202E}'), "{table}");
    assert!(table.contains("漏水\\u{202e"), "{table}");
    let shown = d.cmd(&["show", &id, "--as-of", "2026-11-03"]).ok();
    assert!(
        !shown.contains('\u{202E}') && shown.contains("漏水\\u{202e}txt.exe"),
        "{shown}"
    );
    // The file keeps what was typed.
    assert!(d.ticket_text(&id).contains('\u{202E}') || d.ticket_text(&id).contains("\\u202E"));
}

#[test]
fn check_refuses_an_event_after_the_desks_clock() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let path = d.ticket_path(&id);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("- at: 9999-12-31T00:00:00+08:00\n  by: x\n  kind: close\n  reason: confirmed\n");
    fs::write(&path, text).unwrap();
    let out = d.cmd(&["check"]).now("2026-11-02 12:00").output();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains(":12: the close event is dated 9999-12-31 00:00, after the desk's clock (2026-11-02 12:00) by more than the rulebook's tolerance (10m)"), "{said}");
}

#[test]
fn check_clips_a_long_problem_line_as_every_command_does() {
    let d = Desk::new();
    d.log(&["--at", "2026-11-02 10:00"]);
    // A broken file whose error quotes a huge line.
    let p = d.path().join("tickets/2026/11/202611-0002.yaml");
    fs::write(
        &p,
        format!("id: 202611-0002\nsubject: [{}\n", "长".repeat(300_000)),
    )
    .unwrap();
    let out = d.cmd(&["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    for line in said.lines() {
        assert!(
            line.chars().count() < 600,
            "an unclipped line of {} characters",
            line.chars().count()
        );
    }
    assert!(said.contains("202611-0002.yaml"), "{said}");
}

#[test]
fn check_and_audit_name_a_file_left_uncommitted() {
    let (dir, id) = git_desk();
    let rel = format!("tickets/2026/11/{id}.yaml");
    fs::write(
        dir.path().join(".plaint/uncommitted"),
        format!("alice\t{rel}\n"),
    )
    .unwrap();
    let out = plaint()
        .arg("--desk")
        .arg(dir.path())
        .arg("check")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("{rel}: written by alice but not committed")),
        "{said}"
    );
    let out = plaint()
        .arg("--desk")
        .arg(dir.path())
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["uncommitted"],
        serde_json::json!([{ "file": rel, "by": "alice" }])
    );
}

#[test]
fn audit_names_a_commit_that_changed_a_settlement() {
    let (dir, _) = git_desk();
    let run = |now: &str, args: &[&str]| {
        let out = plaint()
            .arg("--desk")
            .arg(dir.path())
            .args(args)
            .env("PLAINT_NOW", now)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(
        run(
            "2026-12-01 09:00",
            &["settle", "--month", "2026-11", "--by", "王芳"]
        )
        .0,
        Some(0)
    );
    // The settlement is its own commit, authored by who settled.
    assert!(git(dir.path(), &["log", "-1", "--format=%an %s"]).starts_with("王芳 settle 2026-11"));
    assert_eq!(run("2026-12-01 10:00", &["audit"]).0, Some(0));
    let file = dir.path().join("settlements/2026-11.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replacen("settled_by: 王芳", "settled_by: 李四", 1),
    )
    .unwrap();
    git(dir.path(), &["commit", "-qam", "tidy"]);
    let (code, said) = run("2026-12-01 10:00", &["audit", "--format", "json"]);
    assert_eq!(code, Some(1), "{said}");
    let v: serde_json::Value = serde_json::from_str(&said).unwrap();
    assert_eq!(v["rewrites"][0]["file"], "settlements/2026-11.yaml");
    assert_eq!(v["rewrites"][0]["what"], "changed");
}

#[test]
fn an_event_past_the_ticket_size_limit_is_refused_as_a_size() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    // Close to the 1 MiB limit, the next event is refused for its size alone.
    let path = d.ticket_path(&id);
    let mut text = fs::read_to_string(&path).unwrap();
    let note = "长".repeat(20_000);
    while text.len() < 1_000_000 {
        text.push_str(&format!(
            "- at: 2026-11-02T10:30:00+08:00\n  by: x\n  kind: delay\n  reason: {note}\n  approved_by: 经理\n"
        ));
    }
    fs::write(&path, &text).unwrap();
    let err = d
        .cmd(&[
            "delay",
            &id,
            "--reason",
            &"等".repeat(20_000),
            "--approved-by",
            "经理",
        ])
        .at("2026-11-02 11:00")
        .refused(1);
    assert!(
        err.contains("over the size limit of 1024 KB a ticket file may have"),
        "{err}"
    );
    assert!(!err.contains("plaint's layout"), "{err}");
}
