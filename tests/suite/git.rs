//! One desk across sites and clones through real git: site codes, a commit per step,
//! merges of appends in both directions, and the audit of the history.

use crate::common::{Run, git, log_args, plaint};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A shared repository (`origin.git`) and clones of it, each a desk.
struct Sites {
    dir: tempfile::TempDir,
}

impl Sites {
    /// origin.git with a desk made by `plaint init` in a first clone, pushed.
    fn new() -> Sites {
        let dir = tempfile::tempdir().unwrap();
        let s = Sites { dir };
        git(
            s.root(),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                "origin.git",
            ],
        );
        git(s.root(), &["clone", "--quiet", "origin.git", "first"]);
        s.plaint("first", &["init", "."]);
        git(
            &s.path("first"),
            &["push", "--quiet", "origin", "HEAD:main"],
        );
        s
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, clone: &str) -> PathBuf {
        self.root().join(clone)
    }

    /// A new clone set up with `plaint init --clone --site SITE`.
    fn clone(&self, name: &str, site: &str) -> PathBuf {
        git(self.root(), &["clone", "--quiet", "origin.git", name]);
        self.plaint(name, &["init", "--clone", "--site", site]);
        self.path(name)
    }

    /// `plaint ARGS` run in the clone, which finds its desk from there.
    fn cmd(&self, clone: &str, args: &[&str]) -> Run {
        let mut c = plaint();
        c.current_dir(self.path(clone))
            .env("GIT_CONFIG_NOSYSTEM", "1");
        Run::new(c, &self.path(clone), args)
    }

    fn plaint(&self, clone: &str, args: &[&str]) -> String {
        let out = self.cmd(clone, args).output();
        assert!(
            out.status.success(),
            "plaint {args:?} in {clone}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn log(&self, clone: &str, name: &str, at: &str) -> String {
        self.plaint(
            clone,
            &[
                "log",
                "--project",
                "实力北岸",
                "--name",
                name,
                "--phone",
                "139",
                "--subject",
                "漏水",
                "--at",
                at,
                "--by",
                name,
            ],
        )
    }

    fn sync(&self, clone: &str) {
        git(
            &self.path(clone),
            &[
                "pull",
                "--quiet",
                "--no-rebase",
                "--no-edit",
                "origin",
                "main",
            ],
        );
        git(
            &self.path(clone),
            &["push", "--quiet", "origin", "HEAD:main"],
        );
    }

    fn ids(&self, clone: &str) -> Vec<String> {
        let v: Value = serde_json::from_str(&self.plaint(
            clone,
            &["list", "--format", "json", "--as-of", "2026-12-31"],
        ))
        .unwrap();
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }
}

#[test]
fn two_sites_log_step_import_and_merge_both_ways_without_losing_anything() {
    let s = Sites::new();
    let km = s.clone("km", "KM");
    let dl = s.clone("dl", "DL");
    // A complaint both sites will work on, logged at KM and shared.
    let shared = s.log("km", "甲", "2026-11-02 09:00");
    assert_eq!(shared, "KM-202611-0001");
    s.sync("km");
    s.sync("dl");
    // Each site logs its own in the same month: no collision.
    assert_eq!(s.log("km", "乙", "2026-11-02 10:00"), "KM-202611-0002");
    assert_eq!(s.log("dl", "丙", "2026-11-02 10:00"), "DL-202611-0001");
    // Both step the shared ticket.
    s.plaint(
        "km",
        &[
            "forward",
            &shared,
            "--at",
            "2026-11-02 09:30",
            "--by",
            "王芳",
        ],
    );
    s.plaint(
        "dl",
        &[
            "respond",
            &shared,
            "--at",
            "2026-11-02 09:40",
            "--by",
            "周工",
            "--note",
            "已电话联系业主",
        ],
    );
    // And DL imports a sheet.
    let csv = s.root().join("sheet.csv");
    fs::write(&csv, "ref,project,name,phone,subject,received_at\nX1,实力北岸,丁,1,噪音,2026-11-03 10:00\nX2,实力北岸,戊,2,停车,2026-11-03 11:00\n").unwrap();
    s.plaint("dl", &["import", csv.to_str().unwrap(), "--by", "李娜"]);

    // Merge one way, then the other.
    s.sync("km");
    s.sync("dl");
    s.sync("km");
    for clone in ["km", "dl"] {
        assert_eq!(
            s.ids(clone),
            vec![
                "DL-202611-0001",
                "DL-202611-0002",
                "DL-202611-0003",
                "KM-202611-0001",
                "KM-202611-0002"
            ],
            "{clone}"
        );
        let v: Value = serde_json::from_str(&s.plaint(
            clone,
            &["show", &shared, "--format", "json", "--as-of", "2026-11-30"],
        ))
        .unwrap();
        let kinds: Vec<&str> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            vec!["forward", "respond"],
            "{clone}: both steps kept, in time order"
        );
        s.plaint(clone, &["check"]);
        let audit = s.cmd(clone, &["audit"]).output();
        assert!(
            audit.status.success(),
            "{}",
            String::from_utf8_lossy(&audit.stdout)
        );
    }
    // Nothing left unmerged, nothing uncommitted.
    assert_eq!(git(&km, &["status", "--porcelain"]), "");
    assert_eq!(git(&dl, &["status", "--porcelain"]), "");
}

#[test]
fn each_step_is_one_commit_of_its_own_files_by_its_author() {
    let s = Sites::new();
    let km = s.clone("km", "KM");
    let id = s.log("km", "甲", "2026-11-02 09:00");
    // Someone's unrelated work in progress, staged and not.
    fs::write(km.join("notes.txt"), "draft\n").unwrap();
    git(&km, &["add", "notes.txt"]);
    fs::write(km.join("todo.txt"), "later\n").unwrap();
    s.plaint(
        "km",
        &[
            "respond",
            &id,
            "--at",
            "2026-11-02 09:40",
            "--by",
            "周工",
            "--note",
            "已电话联系业主",
        ],
    );
    let last = git(&km, &["log", "-1", "--format=%an|%s", "--name-only"]);
    assert_eq!(
        last.trim(),
        format!("周工|{id} respond: 已电话联系业主\n\ntickets/2026/11/{id}.yaml")
    );
    let status = git(&km, &["status", "--porcelain"]);
    assert!(
        status.contains("A  notes.txt") && status.contains("?? todo.txt"),
        "{status}"
    );
    // log and import commit too.
    let log = git(&km, &["log", "--format=%an|%s"]);
    assert!(log.contains(&format!("甲|{id} log: 漏水")), "{log}");
    // --no-commit writes without committing.
    let before = git(&km, &["rev-parse", "HEAD"]);
    s.plaint(
        "km",
        &["--no-commit", "forward", &id, "--at", "2026-11-02 09:50"],
    );
    assert_eq!(git(&km, &["rev-parse", "HEAD"]), before);
    // Reports name the commit, and say when the desk has uncommitted changes.
    let v: Value = serde_json::from_str(&s.plaint(
        "km",
        &[
            "report",
            "--format",
            "json",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-30",
        ],
    ))
    .unwrap();
    assert_eq!(v["rules"]["commit"].as_str().unwrap(), &before.trim()[..12]);
    assert_eq!(v["rules"]["uncommitted_changes"], true);
    let table = s.plaint(
        "km",
        &["penalties", "--month", "2026-11", "--as-of", "2026-11-30"],
    );
    assert!(
        table.contains(&format!(
            "台账提交 {}(另有未提交的改动)",
            &before.trim()[..12]
        )),
        "{table}"
    );
}

#[test]
fn a_rewrite_of_history_is_caught_by_audit() {
    let s = Sites::new();
    let km = s.clone("km", "KM");
    let id = s.log("km", "甲", "2026-11-02 09:00");
    s.plaint(
        "km",
        &["respond", &id, "--at", "2026-11-02 10:30", "--by", "周工"],
    );
    let clean = git(&km, &["rev-parse", "HEAD"]).trim().to_string();
    let ok = s.cmd("km", &["audit"]).output();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // Someone moves the late response earlier by hand and commits it.
    let path = km.join(format!("tickets/2026/11/{id}.yaml"));
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("2026-11-02T10:30:00+08:00", "2026-11-02T09:30:00+08:00"),
    )
    .unwrap();
    git(
        &km,
        &[
            "commit",
            "--quiet",
            "--author=改写者 <g@example.invalid>",
            "-am",
            "fix",
        ],
    );
    // Someone appends an event by hand for another person.
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("- at: 2026-11-02T11:00:00+08:00\n  by: 王芳\n  kind: forward\n");
    fs::write(&path, text).unwrap();
    git(
        &km,
        &[
            "commit",
            "--quiet",
            "--author=代录者 <d@example.invalid>",
            "-am",
            "add",
        ],
    );
    // And a back-dated step, entered properly.
    s.plaint(
        "km",
        &[
            "--desk",
            ".",
            "plan",
            &id,
            "--action",
            "repair",
            "--at",
            "2026-11-02 12:00",
            "--by",
            "周工",
        ],
    );
    let out = s.cmd("km", &["audit", "--format", "json"]).output();
    assert_eq!(out.status.code(), Some(1), "a rewrite exits 1");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rewrites = v["rewrites"].as_array().unwrap();
    assert_eq!(rewrites.len(), 1, "{v}");
    assert_eq!(rewrites[0]["author"], "改写者");
    assert_eq!(rewrites[0]["what"], "changed");
    assert_eq!(rewrites[0]["file"], format!("tickets/2026/11/{id}.yaml"));
    let lines = rewrites[0]["lines"].to_string();
    assert!(
        lines.contains("- - at: 2026-11-02T10:30:00+08:00")
            && lines.contains("+ - at: 2026-11-02T09:30:00+08:00"),
        "{lines}"
    );
    let mismatch = &v["author_mismatches"][0];
    assert_eq!(
        (mismatch["author"].as_str(), mismatch["by"].as_str()),
        (Some("代录者"), Some("王芳"))
    );
    // --since the clean commit sees the same rewrite; a table says it in Chinese.
    let out = s.cmd("km", &["audit", "--since", &clean]).output();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("改写(1 处") && table.contains("改写者"),
        "{table}"
    );
    // Deleting a ticket is a rewrite too.
    git(
        &km,
        &["rm", "--quiet", &format!("tickets/2026/11/{id}.yaml")],
    );
    git(
        &km,
        &[
            "commit",
            "--quiet",
            "--author=删除者 <r@example.invalid>",
            "-m",
            "rm",
        ],
    );
    let v: Value =
        serde_json::from_slice(&s.cmd("km", &["audit", "--format", "json"]).output().stdout)
            .unwrap();
    assert!(
        v["rewrites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["what"] == "deleted" && r["author"] == "删除者")
    );
    let err = s.cmd("km", &["audit", "--since", "no-such-rev"]).output();
    assert_eq!(err.status.code(), Some(1));
}

#[test]
fn back_dated_entries_are_listed() {
    let s = Sites::new();
    s.clone("km", "KM");
    let out = s
        .cmd(
            "km",
            &log_args(&["--at", "2026-11-02 09:00", "--by", "王芳"]),
        )
        .now("2026-11-05 10:00")
        .output();
    assert!(out.status.success());
    let v: Value =
        serde_json::from_slice(&s.cmd("km", &["audit", "--format", "json"]).output().stdout)
            .unwrap();
    let b = &v["backdated"][0];
    assert_eq!(b["kind"], "log");
    assert_eq!(b["at"], "2026-11-02T09:00:00+08:00");
    assert_eq!(b["entered_at"], "2026-11-05T10:00:00+08:00");
}

#[test]
fn check_names_a_clone_without_the_merge_driver_and_fused_or_doubled_tickets() {
    let s = Sites::new();
    // A plain `git clone`, not set up.
    git(s.root(), &["clone", "--quiet", "origin.git", "bare"]);
    let out = s.cmd("bare", &["check"]).output();
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `plaint init --clone` here"));
    s.plaint("bare", &["init", "--clone"]);
    let out = s.cmd("bare", &["check"]).output();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("init --clone"));
    // Two clones without site codes both mint 202611-0001: git stops on the add/add,
    // and a careless resolution that keeps both sides is named by check.
    let a = s.log("first", "甲", "2026-11-02 09:00");
    let path = s.path("first").join(format!("tickets/2026/11/{a}.yaml"));
    let mine = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{mine}{}", mine.replace("甲", "乙"))).unwrap();
    let out = s.cmd("first", &["check"]).output();
    let problems = String::from_utf8_lossy(&out.stdout);
    assert!(
        problems.contains("two complaints are fused into this file"),
        "{problems}"
    );
    // The same ID in two files.
    fs::write(&path, &mine).unwrap();
    let copy = s.path("first").join("tickets/2026/11/copy.yaml");
    fs::write(&copy, &mine).unwrap();
    let problems =
        String::from_utf8_lossy(&s.cmd("first", &["check"]).output().stdout).into_owned();
    assert!(
        problems.contains(&format!("the ID {a} is also the ID of")),
        "{problems}"
    );
}

#[test]
fn a_change_on_one_side_is_a_conflict_not_a_silent_merge() {
    let s = Sites::new();
    let km = s.clone("km", "KM");
    let dl = s.clone("dl", "DL");
    let id = s.log("km", "甲", "2026-11-02 09:00");
    s.sync("km");
    s.sync("dl");
    // KM appends; DL rewrites the subject by hand.
    s.plaint("km", &["forward", &id, "--at", "2026-11-02 09:30"]);
    s.sync("km");
    let path = dl.join(format!("tickets/2026/11/{id}.yaml"));
    fs::write(
        &path,
        fs::read_to_string(&path)
            .unwrap()
            .replace("subject: 漏水", "subject: 改过"),
    )
    .unwrap();
    git(&dl, &["commit", "--quiet", "-am", "edit"]);
    let out = Command::new("git")
        .arg("-C")
        .arg(&dl)
        .args(["pull", "--no-rebase", "--no-edit", "origin", "main"])
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the merge stops for a person to look at"
    );
    let status = git(&dl, &["status", "--porcelain"]);
    assert!(
        status.contains(&format!("UU tickets/2026/11/{id}.yaml")),
        "{status}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("changed, not only appended to"));
    let _ = km;
}

#[test]
fn a_desk_in_a_directory_the_repository_ignores_is_not_committed() {
    let s = Sites::new();
    let first = s.path("first");
    let ignore = fs::read_to_string(first.join(".gitignore")).unwrap();
    fs::write(first.join(".gitignore"), format!("{ignore}scratch/\n")).unwrap();
    git(&first, &["add", ".gitignore"]);
    git(&first, &["commit", "--quiet", "-m", "ignore scratch"]);
    let before = git(&first, &["rev-parse", "HEAD"]);
    let mut init = plaint();
    init.args(["init", "scratch/desk"]).current_dir(&first);
    let out = crate::common::run_ok(init, "init scratch/desk");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    s.plaint(
        "first",
        &[
            "--desk",
            "scratch/desk",
            "log",
            "--project",
            "实力北岸",
            "--name",
            "甲",
            "--phone",
            "1",
            "--subject",
            "s",
        ],
    );
    assert_eq!(
        git(&first, &["rev-parse", "HEAD"]),
        before,
        "nothing committed"
    );
    assert_eq!(git(&first, &["status", "--porcelain"]), "", "nothing added");
}

#[test]
fn an_imported_step_is_the_rows_person_and_the_commit_the_importers() {
    let s = Sites::new();
    s.clone("km", "KM");
    let sheet = s.root().join("one.csv");
    std::fs::write(
        &sheet,
        "project,name,phone,subject,received_at,logged_by,handler,responded_at\n\
         实力北岸,甲,1,s,2026-11-02 09:00,李敏,黄经理,2026-11-02 09:30\n",
    )
    .unwrap();
    let out = s
        .cmd("km", &["import", sheet.to_str().unwrap(), "--by", "王芳"])
        .now("2026-11-20 10:00")
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        git(&s.path("km"), &["log", "-1", "--format=%an"]).trim(),
        "王芳"
    );
    let v: Value =
        serde_json::from_slice(&s.cmd("km", &["audit", "--format", "json"]).output().stdout)
            .unwrap();
    let seen: Vec<(String, String, String)> = v["backdated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap().into(),
                b["by"].as_str().unwrap().into(),
                b["author"].as_str().unwrap().into(),
            )
        })
        .collect();
    let row = |k: &str, b: &str| (k.to_string(), b.to_string(), "王芳".to_string());
    assert_eq!(
        seen,
        vec![
            row("log", "李敏"),
            row("assign", "未登记"),
            row("respond", "黄经理")
        ]
    );
    assert_eq!(v["author_mismatches"], serde_json::json!([]));
}

// ---------------------------------------------------------------- merging one event twice

/// The ticket's events as `show` lists them: (kind, at).
fn events(s: &Sites, clone: &str, id: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&s.plaint(
        clone,
        &["show", id, "--format", "json", "--as-of", "2026-11-30"],
    ))
    .unwrap();
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["at"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `git pull` in `clone`, expected to stop on a conflict: git's stderr.
fn pull_stops(s: &Sites, clone: &str, file: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(s.path(clone))
        .args(["pull", "--no-rebase", "--no-edit", "origin", "main"])
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "the merge must stop: {err}");
    let status = git(&s.path(clone), &["status", "--porcelain"]);
    assert!(status.contains(&format!("UU {file}")), "{status}\n{err}");
    err
}

/// Two set-up clones, KM and DL, sharing one complaint logged at KM: (its ID, its file).
fn shared_ticket(s: &Sites) -> (String, String) {
    s.clone("km", "KM");
    s.clone("dl", "DL");
    let id = s.log("km", "甲", "2026-11-02 09:00");
    s.sync("km");
    s.sync("dl");
    let file = format!("tickets/2026/11/{id}.yaml");
    (id, file)
}

fn violation<'a>(id: &'a str, at: &'a str) -> Vec<&'a str> {
    vec![
        "violation",
        id,
        "--rule",
        "mishandling",
        "--person",
        "王五",
        "--department",
        "property",
        "--at",
        at,
        "--by",
        "王芳",
    ]
}

fn delay<'a>(id: &'a str, at: &'a str) -> Vec<&'a str> {
    vec![
        "delay",
        id,
        "--reason",
        "等配件",
        "--approved-by",
        "赵总",
        "--at",
        at,
        "--by",
        "周工",
    ]
}

#[test]
fn a_cherry_picked_event_merged_back_is_kept_once_and_fined_once() {
    let s = Sites::new();
    let (id, _) = shared_ticket(&s);
    let dl = s.path("dl");
    // KM records a violation; DL takes that very commit, then adds its own delay.
    s.plaint("km", &violation(&id, "2026-11-02 10:00"));
    s.sync("km");
    git(&dl, &["fetch", "--quiet", "origin"]);
    git(&dl, &["cherry-pick", "origin/main"]);
    s.plaint("dl", &delay(&id, "2026-11-02 11:00"));
    s.sync("dl");
    s.sync("km");
    for clone in ["km", "dl"] {
        let kinds: Vec<String> = events(&s, clone, &id).into_iter().map(|e| e.0).collect();
        assert_eq!(
            kinds,
            vec!["violation", "delay"],
            "{clone}: the violation once"
        );
        let v: Value = serde_json::from_str(&s.plaint(
            clone,
            &[
                "penalties",
                "--format",
                "json",
                "--month",
                "2026-11",
                "--as-of",
                "2026-11-30",
            ],
        ))
        .unwrap();
        let fines: Vec<(String, i64)> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["person"] == "王五")
            .map(|i| {
                (
                    i["rule"].as_str().unwrap().to_string(),
                    i["amount"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            fines,
            vec![("mishandling".to_string(), 500)],
            "{clone}: {v}"
        );
        s.plaint(clone, &["check"]);
        let audit = s.cmd(clone, &["audit"]).output();
        assert!(
            audit.status.success(),
            "{}",
            String::from_utf8_lossy(&audit.stdout)
        );
    }
}

#[test]
fn the_same_two_events_appended_in_opposite_orders_merge_into_one_each() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    s.plaint("km", &violation(&id, "2026-11-02 10:00"));
    s.plaint("km", &delay(&id, "2026-11-02 11:00"));
    s.sync("km");
    s.plaint("dl", &delay(&id, "2026-11-02 11:00"));
    s.plaint("dl", &violation(&id, "2026-11-02 10:00"));
    let before = fs::read_to_string(s.path("dl").join(&file)).unwrap();
    s.sync("dl");
    // DL's file is as DL wrote it: nothing of KM's was new.
    assert_eq!(
        fs::read_to_string(s.path("dl").join(&file)).unwrap(),
        before
    );
    s.sync("km");
    for clone in ["km", "dl"] {
        let kinds: Vec<String> = events(&s, clone, &id).into_iter().map(|e| e.0).collect();
        assert_eq!(kinds, vec!["violation", "delay"], "{clone}");
        s.plaint(clone, &["check"]);
    }
}

#[test]
fn two_sites_each_closing_a_ticket_is_a_conflict() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    let close = |clone: &str, at: &str, by: &str| {
        s.plaint(
            clone,
            &[
                "close",
                &id,
                "--reason",
                "confirmed",
                "--at",
                at,
                "--by",
                by,
            ],
        )
    };
    close("km", "2026-11-02 10:00", "王芳");
    s.sync("km");
    close("dl", "2026-11-02 10:05", "周工");
    let err = pull_stops(&s, "dl", &file);
    assert!(
        err.contains(&format!(
            "plaint: {file}: the merged history cannot be: the close at"
        )) && err.contains("would close a closed ticket"),
        "{err}"
    );
}

#[test]
fn two_first_responses_are_a_conflict() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    s.plaint(
        "km",
        &["respond", &id, "--at", "2026-11-02 09:40", "--by", "王芳"],
    );
    s.sync("km");
    s.plaint(
        "dl",
        &["respond", &id, "--at", "2026-11-02 09:45", "--by", "周工"],
    );
    let err = pull_stops(&s, "dl", &file);
    assert!(
        err.contains(&format!(
            "plaint: {file}: the merged history cannot be: the respond at"
        )) && err.contains("is a second respond in one round"),
        "{err}"
    );
}

#[test]
fn a_side_that_check_rejects_is_a_conflict() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    let km = s.path("km");
    // KM appends by hand an event naming a department the rulebook does not know.
    let path = km.join(&file);
    let mut text = fs::read_to_string(&path).unwrap();
    let line = text.lines().count() + 1;
    text.push_str(
        "- at: 2026-11-02T09:30:00+08:00\n  by: 王芳\n  kind: assign\n  department: nowhere\n",
    );
    fs::write(&path, text).unwrap();
    git(&km, &["commit", "--quiet", "-am", "assign"]);
    s.sync("km");
    s.plaint("dl", &["forward", &id, "--at", "2026-11-02 09:40"]);
    let err = pull_stops(&s, "dl", &file);
    assert!(
        err.contains(&format!(
            "plaint: {file}: their version, line {line}: assign: unknown department 'nowhere'"
        )),
        "{err}"
    );
}

#[test]
fn check_names_an_event_written_twice() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    s.plaint("km", &violation(&id, "2026-11-02 10:00"));
    s.plaint("km", &delay(&id, "2026-11-02 11:00"));
    let path = s.path("km").join(&file);
    let text = fs::read_to_string(&path).unwrap();
    let first = text.find("- at: 2026-11-02T10:00").unwrap();
    let second = text.find("- at: 2026-11-02T11:00").unwrap();
    fs::write(&path, format!("{text}{}", &text[first..second])).unwrap();
    let line = text.lines().count() + 1;
    let out = s.cmd("km", &["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{file}:{line}: event 3 repeats event 1 (same kind, time, author and fields)"
        )),
        "{stdout}"
    );
}

#[test]
fn audit_names_a_merge_that_kept_one_event_twice() {
    let s = Sites::new();
    let (id, file) = shared_ticket(&s);
    let dl = s.path("dl");
    s.plaint("km", &violation(&id, "2026-11-02 10:00"));
    s.sync("km");
    git(&dl, &["fetch", "--quiet", "origin"]);
    git(&dl, &["cherry-pick", "origin/main"]);
    s.plaint("dl", &delay(&id, "2026-11-02 11:00"));
    // A merge made without the driver, keeping both sides' lines as a text merge would.
    let theirs = git(&dl, &["show", &format!("origin/main:{file}")]);
    let start = theirs.find("- at: 2026-11-02T10:00").unwrap();
    git(
        &dl,
        &[
            "merge",
            "--quiet",
            "--no-commit",
            "-s",
            "ours",
            "origin/main",
        ],
    );
    let path = dl.join(&file);
    let ours = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{ours}{}", &theirs[start..])).unwrap();
    git(&dl, &["add", &file]);
    git(&dl, &["commit", "--quiet", "--no-edit"]);
    let merge = git(&dl, &["rev-parse", "--short=12", "HEAD"]);
    let out = s.cmd("dl", &["audit", "--format", "json"]).output();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["duplicates"],
        serde_json::json!([{
            "commit": merge.trim(), "author": "测试员",
            "date": v["duplicates"][0]["date"], "file": file, "events": [1, 3],
        }]),
        "{v}"
    );
    let table = String::from_utf8_lossy(&s.cmd("dl", &["audit"]).output().stdout).into_owned();
    assert!(
        table.contains("重复事件(1 处") && table.contains("第 1 条、第 3 条"),
        "{table}"
    );
}
