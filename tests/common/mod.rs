//! Shared helpers: a temporary desk driven through the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub struct Desk {
    pub dir: TempDir,
}

pub fn plaint() -> Command {
    let mut c = Command::cargo_bin("plaint").expect("the plaint binary is built");
    c.env_remove("PLAINT_DESK")
        .env_remove("PLAINT_NOW")
        .env_remove("PLAINT_SITE")
        .env_remove("NO_COLOR")
        .env("PLAINT_USER", "测试员");
    c
}

impl Desk {
    /// A desk made by `plaint init`.
    pub fn new() -> Desk {
        let d = Desk::empty();
        plaint().arg("init").arg(d.path()).assert().success();
        d
    }

    /// A desk with an empty tickets/ and no rules.yaml: the built-in rulebook applies.
    pub fn empty() -> Desk {
        let d = Desk::nowhere();
        std::fs::create_dir(d.path().join("tickets")).expect("tickets/");
        d
    }

    /// A directory with nothing in it: no desk at all.
    pub fn nowhere() -> Desk {
        Desk {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// A copy of the bundled example desk (examples/desk), to read and change freely.
    pub fn example() -> Desk {
        let d = Desk::nowhere();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/desk"),
            d.path(),
        );
        d
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `plaint --desk DIR ARGS`. A step given `--at T` is entered as it happens: the clock
    /// reads T (`$PLAINT_NOW`), so nothing is back-dated unless a test means it to be.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = plaint();
        c.arg("--desk").arg(self.path()).args(args);
        if let Some(i) = args.iter().position(|a| *a == "--at")
            && let Some(at) = args.get(i + 1)
        {
            c.env("PLAINT_NOW", at);
        }
        c
    }

    /// The same command with the clock reading `now` (`$PLAINT_NOW`), whatever `--at` says.
    pub fn cmd_now(&self, now: &str, args: &[&str]) -> Command {
        let mut c = self.cmd(args);
        c.env("PLAINT_NOW", now);
        c
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        Desk::succeed(self.cmd(args), args)
    }

    /// `ok` with the clock reading `now`.
    pub fn ok_now(&self, now: &str, args: &[&str]) -> String {
        Desk::succeed(self.cmd_now(now, args), args)
    }

    fn succeed(cmd: Command, args: &[&str]) -> String {
        let out = run_ok(cmd, args);
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs a command that must fail with `code` and leave every file as it was; returns
    /// its stderr.
    pub fn refused(&self, args: &[&str], code: i32) -> String {
        self.refuse(self.cmd(args), args, code)
    }

    /// `refused` with the clock reading `now`.
    pub fn refused_now(&self, now: &str, args: &[&str], code: i32) -> String {
        self.refuse(self.cmd_now(now, args), args, code)
    }

    fn refuse(&self, mut cmd: Command, args: &[&str], code: i32) -> String {
        let before = self.snapshot();
        let out = cmd.output().expect("plaint runs");
        let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert_eq!(
            out.status.code(),
            Some(code),
            "plaint {args:?} should exit {code}; stderr: {err}"
        );
        assert!(
            out.stdout.is_empty(),
            "a refused command prints nothing on stdout"
        );
        assert_eq!(
            before,
            self.snapshot(),
            "plaint {args:?} was refused but changed files"
        );
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    /// `plaint check`: its exit code, and what it printed on stdout and stderr.
    pub fn check(&self, extra: &[&str]) -> (Option<i32>, String, String) {
        let mut a = vec!["check"];
        a.extend_from_slice(extra);
        let out = self.cmd(&a).output().expect("plaint runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `plaint log` with the required options `extra` does not give filled in (张三,
    /// 卫生间漏水); returns the new ID.
    pub fn log(&self, extra: &[&str]) -> String {
        let args = log_with(
            [
                ("--project", "实力北岸"),
                ("--name", "张三"),
                ("--phone", "13800000000"),
                ("--subject", "卫生间漏水"),
            ],
            extra,
        );
        self.ok(&args).trim().to_string()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&a)).expect("valid JSON")
    }

    /// `show ID --as-of T` as JSON.
    pub fn show(&self, id: &str, as_of: &str) -> Value {
        self.json(&["show", id, "--as-of", as_of])
    }

    pub fn ticket_path(&self, id: &str) -> PathBuf {
        let (ym, _) = id.rsplit_once('-').unwrap();
        let ym = &ym[ym.len() - 6..];
        self.path()
            .join("tickets")
            .join(&ym[..4])
            .join(&ym[4..])
            .join(format!("{id}.yaml"))
    }

    pub fn ticket_text(&self, id: &str) -> String {
        std::fs::read_to_string(self.ticket_path(id)).expect("ticket file")
    }

    /// Every file of the desk but the lock, with its bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        walk(self.path(), &mut out);
        out.retain(|p, _| !p.ends_with(".plaint.lock"));
        out
    }
}

fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
        }
    }
}

/// A deadline's field from `show --format json`.
pub fn due(v: &Value, step: &str) -> String {
    v["deadlines"][step]["due"]
        .as_str()
        .unwrap_or("null")
        .to_string()
}

pub fn state(v: &Value, step: &str) -> String {
    v["deadlines"][step]["state"]
        .as_str()
        .unwrap_or("null")
        .to_string()
}

/// `log` with the required options `extra` does not give filled in (complainant 甲), then
/// `extra`.
pub fn log_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    log_with(
        [
            ("--project", "实力北岸"),
            ("--name", "甲"),
            ("--phone", "1"),
            ("--subject", "s"),
        ],
        extra,
    )
}

fn log_with<'a>(defaults: [(&'a str, &'a str); 4], extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["log"];
    for (option, value) in defaults {
        if !extra.contains(&option) {
            a.extend([option, value]);
        }
    }
    a.extend_from_slice(extra);
    a
}

/// Runs a command that must succeed (`what` names it in the failure); returns its output.
pub fn run_ok(mut cmd: Command, what: impl std::fmt::Debug) -> std::process::Output {
    let out = cmd.output().expect("plaint runs");
    assert!(
        out.status.success(),
        "plaint {what:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Copies a directory tree (files and directories only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}
