//! Shared helpers: a temporary desk driven through the real binary, one command at a time
//! through one builder, `Run`:
//!
//! ```text
//! d.cmd(&["respond", &id]).at("2026-11-02 10:00").ok()      // stdout
//! d.cmd(&["close", &id]).now("2026-11-03 09:00").refused(1) // stderr; nothing written
//! d.cmd(&["show", &id]).json()                              // --format json, parsed
//! d.cmd(&["check"]).env("COLUMNS", "60").output()           // whatever happened
//! ```

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
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

/// One plaint command, built up and then run once: `ok`, `refused`, `json`, `ok_output` or
/// `output`.
#[must_use = "a command does nothing until it is run"]
pub struct Run {
    cmd: Command,
    /// The arguments, to name the command in a failure.
    args: Vec<String>,
    /// The desk whose files a refused command must leave as they were.
    root: PathBuf,
    /// Whether `now` set the clock, so that a later `at` leaves it alone.
    clock_set: bool,
}

impl Run {
    /// `plaint ARGS` run as `cmd` (already pointed at the desk), for the desk at `root`. A
    /// step given `--at T` is entered as it happens: the clock reads T (`$PLAINT_NOW`), so
    /// nothing is back-dated unless a test means it to be.
    pub fn new<S: AsRef<str>>(mut cmd: Command, root: &Path, args: &[S]) -> Run {
        let args: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
        cmd.args(&args);
        if let Some(i) = args.iter().position(|a| a == "--at")
            && let Some(at) = args.get(i + 1)
        {
            cmd.env("PLAINT_NOW", at);
        }
        Run {
            cmd,
            args,
            root: root.to_path_buf(),
            clock_set: false,
        }
    }

    /// `--at T`: the step happened at T, and the clock reads T unless `now` says otherwise.
    pub fn at(mut self, at: &str) -> Run {
        self.args.extend(["--at".to_string(), at.to_string()]);
        self.cmd.args(["--at", at]);
        if !self.clock_set {
            self.cmd.env("PLAINT_NOW", at);
        }
        self
    }

    /// The clock reads `now` (`$PLAINT_NOW`), whatever `--at` says.
    pub fn now(mut self, now: &str) -> Run {
        self.cmd.env("PLAINT_NOW", now);
        self.clock_set = true;
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Run {
        self.cmd.env_remove(key);
        self
    }

    /// Ends the command if it runs longer than `limit`.
    pub fn timeout(mut self, limit: std::time::Duration) -> Run {
        self.cmd.timeout(limit);
        self
    }

    /// Runs the command, whatever comes of it.
    pub fn output(mut self) -> Output {
        self.cmd.output().expect("plaint runs")
    }

    /// Runs a command that must succeed; returns all it printed.
    pub fn ok_output(self) -> Output {
        let args = self.args.clone();
        let out = self.output();
        assert!(
            out.status.success(),
            "plaint {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(self) -> String {
        String::from_utf8(self.ok_output().stdout).expect("utf-8 output")
    }

    /// `--format json`: runs a command that must succeed and reads what it printed.
    pub fn json(mut self) -> Value {
        self.args
            .extend(["--format".to_string(), "json".to_string()]);
        self.cmd.args(["--format", "json"]);
        serde_json::from_str(&self.ok()).expect("valid JSON")
    }

    /// Runs a command that must fail with `code`, print nothing on stdout and leave every
    /// file of the desk as it was; returns its stderr.
    pub fn refused(self, code: i32) -> String {
        let args = self.args.clone();
        let root = self.root.clone();
        let before = snapshot(&root);
        let out = self.output();
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
            snapshot(&root),
            "plaint {args:?} was refused but changed files"
        );
        assert!(!err.contains("panicked"), "{err}");
        err
    }
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

    /// `plaint --desk DIR ARGS`, to run with `ok`, `refused`, `json` or `output`.
    pub fn cmd<S: AsRef<str>>(&self, args: &[S]) -> Run {
        let mut c = plaint();
        c.arg("--desk").arg(self.path());
        Run::new(c, self.path(), args)
    }

    /// `plaint check`: its exit code, and what it printed on stdout and stderr.
    pub fn check(&self, extra: &[&str]) -> (Option<i32>, String, String) {
        let mut a = vec!["check"];
        a.extend_from_slice(extra);
        let out = self.cmd(&a).output();
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
        self.cmd(&args).ok().trim().to_string()
    }

    /// `ARGS --format json`, read.
    pub fn json(&self, args: &[&str]) -> Value {
        self.cmd(args).json()
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
        snapshot(self.path())
    }
}

/// Every file under `root` but the lock, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, &mut out);
    out.retain(|p, _| !p.ends_with(".plaint.lock"));
    out
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

/// Runs a command that is not about a desk (`plaint --help`, a shell script) and must
/// succeed (`what` names it in the failure); returns its output.
pub fn run_ok(mut cmd: Command, what: impl std::fmt::Debug) -> Output {
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

/// `git -C dir ARGS`, which must succeed (as 测试员, without the system's git config); its
/// stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "测试员")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "测试员")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
