//! What a newcomer meets in a terminal: README's tour runs as written, every command's help
//! has examples, the manual page, tables that never break an ID, a time or a figure, and
//! one language per output.

use crate::common::{Desk, plaint, run_ok};
use std::path::Path;
use std::process::Command;

/// README's tour, copied out of README.md and run by a shell with `plaint` on the PATH, in
/// the repository (it imports the sample sheet) on a fresh desk.
#[test]
fn the_readme_tour_runs_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let tour = &readme[readme.find("## A quick tour").unwrap()..];
    let start = tour.find("```sh\n").unwrap() + "```sh\n".len();
    let script = &tour[start..start + tour[start..].find("```").unwrap()];
    let d = Desk::nowhere();
    let home = d.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_plaint")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut sh = Command::new("bash");
    sh.arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", &home)
        .env("PATH", path)
        .env("PLAINT_NO_COMMIT", "1")
        .env_remove("PLAINT_DESK")
        .env_remove("PLAINT_NOW");
    let out = run_ok(sh.into(), "README tour");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The report: one complaint, closed on time, called back (9+8+9)/3 = 8.7.
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("实力北岸") && l.contains(" 100.0 ") && l.contains(" 8.7 ")),
        "{stdout}"
    );
    // The fine the tour points out: the plan was due four hours after the assignment at
    // 09:30 (2026-11-02 13:00, §9.1) and came at 14:00, an hour late; 周工 handled it.
    assert!(
        stdout.contains("未按要求给出处理方案 §9.1")
            && stdout.contains("周工")
            && stdout.contains("超出 11-02 13:00 时限 1小时"),
        "{stdout}"
    );
}

#[test]
fn every_command_has_examples_and_every_option_a_line_of_help() {
    let help = String::from_utf8(plaint().arg("--help").output().unwrap().stdout).unwrap();
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // (A description that wraps continues further in.)
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 25, "{commands:?}");
    for c in &commands {
        let out = run_ok(
            {
                let mut p = plaint();
                p.args([c.as_str(), "--help"]);
                p
            },
            c,
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Examples:\n  plaint "),
            "{c} has no examples:\n{text}"
        );
        // Every option says something: on its own line after the name, or (long help) on
        // the lines below it.
        let options = &text[text.find("Options:").unwrap()..text.find("Examples:").unwrap()];
        let lines: Vec<&str> = options.lines().skip(1).collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            if !(t.starts_with("--") || t.starts_with("-h")) {
                continue;
            }
            let inline = t.split("  ").filter(|p| !p.trim().is_empty()).count() >= 2;
            let next = lines.get(i + 1).copied().unwrap_or("");
            let below = next.starts_with("          ") && !next.trim().starts_with('[');
            assert!(inline || below, "{c}: option without help: {l}\n{text}");
        }
    }
}

#[test]
fn the_manual_page_covers_every_command() {
    let out = run_ok(
        {
            let mut p = plaint();
            p.arg("man");
            p
        },
        "man",
    );
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(
        roff.starts_with(".ie") && roff.contains(".TH plaint 1"),
        "{roff}"
    );
    for c in [
        "PLAINT LOG",
        "PLAINT REPORT",
        "PLAINT PENALTIES",
        "PLAINT VOID",
    ] {
        assert!(roff.contains(&format!(".SH \"{c}\"")), "{c}");
    }
    assert!(roff.contains("plaint report \\-\\-month 2026\\-11 \\-\\-by project"));
}

#[test]
fn status_takes_the_chinese_labels_too() {
    let d = Desk::example();
    let by = |status: &str| d.json(&["list", "--status", status, "--as-of", "2026-11-20"]);
    assert_eq!(by("已关闭"), by("closed"));
    assert_eq!(by("关闭"), by("closed"));
    assert_eq!(by("处理中"), by("open"));
    assert!(!by("open").as_array().unwrap().is_empty());
    let err = d.cmd(&["list", "--status", "完成"]).refused(2);
    assert!(err.contains("open, closed"), "{err}");
}

/// At 60, 100 and 160 columns (`$COLUMNS`, as a pager sets it), IDs, times and figures stay
/// whole on one line; text gives way.
#[test]
fn narrow_tables_never_break_an_id_a_time_or_a_figure() {
    let d = Desk::example();
    for width in ["60", "100", "160"] {
        let run = |args: &[&str]| d.cmd(args).env("COLUMNS", width).ok();
        let list = run(&["list", "--as-of", "2026-11-20"]);
        for id in ["202608-0001", "202611-0007"] {
            assert!(list.contains(id), "{width}: {id} broken:\n{list}");
        }
        assert!(list.contains("2026-08-03 09:20"), "{width}:\n{list}");
        // One line per ticket: a long subject is cut with … rather than wrapped.
        let rows = list.lines().filter(|l| l.contains(" 2026")).count();
        assert_eq!(rows, 17, "{width}:\n{list}");
        let report = run(&[
            "report",
            "--month",
            "2026-11",
            "--by",
            "project",
            "--as-of",
            "2026-11-20",
        ]);
        assert!(
            report.contains(" 100.0 ") && report.contains(" 28.6 "),
            "{width}:\n{report}"
        );
        if width == "100" {
            assert!(list.lines().all(|l| l.chars().count() <= 100), "{list}");
            assert!(list.contains('…'), "{list}");
        }
    }
}

#[test]
fn the_report_names_its_first_column_after_by() {
    let d = Desk::example();
    for (by, head) in [
        ("project", "项目"),
        ("department", "责任部门"),
        ("category", "类别"),
        ("grade", "等级"),
        ("month", "月份"),
        ("等级", "等级"),
    ] {
        let t = d
            .cmd(&[
                "report",
                "--month",
                "2026-11",
                "--by",
                by,
                "--as-of",
                "2026-11-20",
            ])
            .ok();
        let header = t.lines().nth(2).unwrap();
        assert!(
            header
                .trim_start_matches('│')
                .trim_start()
                .starts_with(head),
            "{by}: {header}"
        );
    }
}

#[test]
fn durations_read_in_chinese_where_the_output_is_chinese() {
    let d = Desk::example();
    let t = d
        .cmd(&["penalties", "--month", "2026-11", "--as-of", "2026-11-20"])
        .ok();
    assert!(t.contains("时限 9天13小时"), "{t}");
    assert!(!t.contains("13h"), "{t}");
}

/// `scripts/look.sh` in a real terminal (tmux) at 60, 100 and 160 columns: every table fits
/// the screen, and every ID and time of the list is whole on one line.
#[test]
fn in_a_real_terminal_tables_fit_and_ids_stay_whole() {
    let out = tempfile::tempdir().unwrap();
    let mut sh = Command::new("bash");
    sh.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/look.sh"))
        .arg(out.path())
        .env("PLAINT", env!("CARGO_BIN_EXE_plaint"));
    run_ok(
        sh.into(),
        "scripts/look.sh (tmux is needed: apt-get install tmux)",
    );
    for width in [60, 100, 160] {
        for name in ["list", "report", "penalties", "show"] {
            let screen =
                std::fs::read_to_string(out.path().join(format!("{name}-{width}.txt"))).unwrap();
            assert!(screen.lines().count() > 3, "{name} at {width}:\n{screen}");
            // A table row that overflowed would continue on the next screen line.
            for l in screen.lines() {
                assert!(
                    plaint::output::display_width(l) <= width,
                    "{name} at {width}: {l}"
                );
                if l.starts_with(['│', '┌', '╞', '└']) {
                    assert!(l.ends_with(['│', '┐', '╡', '┘']), "{name} at {width}: {l}");
                }
            }
        }
        let list = std::fs::read_to_string(out.path().join(format!("list-{width}.txt"))).unwrap();
        for id in ["202608-0001", "202609-0001", "202611-0007"] {
            assert!(list.contains(id), "{id} at {width}:\n{list}");
        }
        assert!(list.contains("2026-08-03 09:20"), "at {width}:\n{list}");
    }
}

/// Colour only when asked or on a terminal: overdue red, met green, due today yellow; never
/// with `--color never`, never in a pipe by default, never in JSON.
#[test]
fn colour_marks_what_is_late_and_only_where_it_belongs() {
    let d = Desk::example();
    let esc = |s: &str| s.contains('\u{1b}');
    let list = |extra: &[&str]| {
        let mut a = vec!["list", "--as-of", "2026-11-20"];
        a.extend_from_slice(extra);
        d.cmd(&a).ok()
    };
    assert!(!esc(&list(&[])), "a pipe gets no colour by default");
    assert!(!esc(&list(&["--color", "never"])));
    let coloured = list(&["--color", "always"]);
    // The status cell of an overdue ticket is red (ANSI colour 9); nothing else is coloured.
    let red: Vec<&str> = coloured.lines().filter(|l| esc(l)).collect();
    assert!(!red.is_empty());
    assert!(
        red.iter()
            .all(|l| l.contains("\u{1b}[38;5;9m") && l.contains("逾期")),
        "{coloured}"
    );
    assert!(!esc(&d
        .cmd(&["list", "--format", "json", "--color", "always"])
        .ok()));
    // show: met green (10), overdue red (9); 202611-0003's forward was met, its response is
    // overdue on 20 November.
    let show = d
        .cmd(&[
            "show",
            "202611-0003",
            "--as-of",
            "2026-11-20",
            "--color",
            "always",
        ])
        .ok();
    let line = |what: &str| show.lines().find(|l| l.contains(what)).unwrap().to_string();
    assert!(
        line("信息传递 ┆ 2026-11-10 12:00").contains("\u{1b}[38;5;10m"),
        "{show}"
    );
    assert!(
        line("投诉响应 ┆ 2026-11-10 11:00").contains("\u{1b}[38;5;9m"),
        "{show}"
    );
    // On the day the response is due, before it is due: yellow (11).
    let today = d
        .cmd(&[
            "show",
            "202611-0003",
            "--as-of",
            "2026-11-10 10:30",
            "--color",
            "always",
        ])
        .ok();
    let l = today.lines().find(|l| l.contains("投诉响应")).unwrap();
    assert!(l.contains("\u{1b}[38;5;11m"), "{today}");
}

/// Scripts: a lifecycle command prints the ticket's ID on stdout and its sentence on stderr,
/// which `-q` drops; command options may come before the command.
#[test]
fn scripts_get_the_id_and_quiet_drops_the_sentence() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let out = d.cmd(&["forward", &id]).at("2026-11-02 10:10").ok_output();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{id}\n"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("forwarded {id}\n")
    );
    let out = d
        .cmd(&["-q", "respond", &id])
        .at("2026-11-02 10:20")
        .ok_output();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{id}\n"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    // --by, --at, --as-of and --format before the command mean what they mean after it.
    d.cmd(&[
        "--by",
        "周工",
        "--at",
        "2026-11-02 10:30",
        "assign",
        &id,
        "--department",
        "property",
    ])
    .ok_output();
    let before = d
        .cmd(&["--as-of", "2026-11-03", "--format", "json", "show", &id])
        .ok();
    let after = d
        .cmd(&["show", &id, "--as-of", "2026-11-03", "--format", "json"])
        .ok();
    assert_eq!(before, after);
    let events: serde_json::Value = serde_json::from_str(&after).unwrap();
    let assign = &events["events"][2];
    assert_eq!(
        (&assign["kind"], &assign["by"]),
        (&"assign".into(), &"周工".into())
    );
    // An option the command does not take is still refused, by name.
    let err = d
        .cmd(&["--at", "2026-11-03", "report", "--month", "2026-11"])
        .refused(2);
    assert!(err.contains("'--at'"), "{err}");
}

/// Completion scripts offer the desk's projects, the rulebook's codes with their Chinese
/// labels, and the desk's ticket IDs.
#[test]
fn completions_offer_codes_labels_projects_and_ids() {
    let d = Desk::example();
    for shell in ["bash", "zsh", "fish"] {
        let script = d.cmd(&["completions", shell]).ok();
        for want in [
            "实力北岸",
            "customer-service",
            "客户服务部",
            "202611-0003",
            "维保修",
        ] {
            assert!(script.contains(want), "{shell}: {want}");
        }
    }
}

/// `--help` names the rulebook's values, codes with their labels; a usage error's usage line
/// shows what is required, not what the environment supplied.
#[test]
fn help_names_the_values_and_usage_shows_what_is_required() {
    let help = |args: &[&str]| {
        let out = run_ok(
            {
                let mut p = plaint();
                p.args(args);
                p
            },
            args,
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let log = help(&["log", "--help"]);
    for want in [
        "实力北岸",
        "customer-service 客户服务部",
        "maintenance 维保修",
        "phone 电话",
    ] {
        assert!(log.contains(want), "{want}:\n{log}");
    }
    assert!(help(&["list", "--help"]).contains("major 重大"));
    // The desk's own rulebook, when it has other projects.
    let d = Desk::new();
    let rules = d.path().join("rules.yaml");
    let book = std::fs::read_to_string(&rules)
        .unwrap()
        .replace("  - 实力北岸\n", "  - 实力北岸\n  - 大理古城文旅综合体\n");
    std::fs::write(&rules, book).unwrap();
    let own = help(&["--desk", d.path().to_str().unwrap(), "log", "--help"]);
    assert!(own.contains("大理古城文旅综合体"), "{own}");

    let mut p = plaint();
    p.env("PLAINT_DESK", d.path())
        .env("PLAINT_USER", "王芳")
        .args(["log", "--project", "实力北岸"]);
    let out = p.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let usage = err.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(usage.contains("--name <NAME>"), "{err}");
    assert!(
        !usage.contains("--by") && !usage.contains("--desk"),
        "{err}"
    );
}
