//! `plaint due`: reminders before deadlines and notices to a grade's level (§7.3, §8.1),
//! sent once each, in working hours, through a real SMTP server on this machine (Debian's
//! python3-aiosmtpd, which `.ci/run` installs), and read back with a mail parser.

use crate::common::Desk;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An SMTP server on 127.0.0.1 that keeps every message it is given, as received, in a
/// directory (one file each, the envelope's recipients in a first line). Stopped when
/// dropped.
struct Smtp {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

const SERVER: &str = r#"
import os, sys
from aiosmtpd.controller import Controller

out, port = sys.argv[1], int(sys.argv[2])

class Keep:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Keep.n += 1
        path = os.path.join(out, "%03d.eml" % Keep.n)
        with open(path + ".part", "wb") as f:
            f.write(("X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n").encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)
        return "250 kept"

c = Controller(Keep(), hostname="127.0.0.1", port=port)
c.start()
open(os.path.join(out, "ready"), "w").close()
try:
    sys.stdin.read()
finally:
    c.stop()
"#;

/// A Python that has aiosmtpd: Debian's, where the package puts it, else the one on PATH.
fn python() -> String {
    for p in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return p.to_string();
        }
    }
    panic!("no python3 with aiosmtpd: apt-get install python3-aiosmtpd (.ci/run does)");
}

impl Smtp {
    fn start() -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = dir.path().join("server.py");
        std::fs::write(&script, SERVER).unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let child = Command::new(python())
            .arg(&script)
            .arg(&inbox)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the SMTP server starts");
        let s = Smtp { child, dir, port };
        let start = Instant::now();
        while !s.inbox().join("ready").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the SMTP server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn inbox(&self) -> PathBuf {
        self.dir.path().join("inbox")
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order, as raw bytes.
    fn received(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.inbox())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message as a mail reader sees it.
struct Mail {
    envelope_to: String,
    to: String,
    subject: String,
    text: String,
    html: String,
}

fn read_mail(raw: &[u8]) -> Mail {
    use mailparse::MailHeaderMap;
    let m = mailparse::parse_mail(raw).expect("a well-formed message");
    let h = &m.headers;
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    assert_eq!(m.subparts.len(), 2);
    assert!(raw.is_ascii(), "a message is 7-bit: every header encoded");
    let to = match &mailparse::addrparse_header(h.get_all_headers("To")[0]).unwrap()[0] {
        mailparse::MailAddr::Single(s) => {
            format!(
                "{} <{}>",
                s.display_name.clone().unwrap_or_default(),
                s.addr
            )
        }
        // A name alone is an empty group (`=?UTF-8?B?...?=:;`); mailparse leaves the
        // encoded words of a group's name as they are, so they are decoded here as the
        // phrase they are (RFC 2047 §5).
        mailparse::MailAddr::Group(g) => {
            let line = format!("X: {}", g.group_name);
            let (name, _) = mailparse::parse_header(line.as_bytes()).unwrap();
            format!("{}:;", name.get_value())
        }
    };
    Mail {
        envelope_to: h.get_first_value("X-Envelope-To").unwrap_or_default(),
        to,
        subject: h.get_first_value("Subject").unwrap(),
        text: m.subparts[0].get_body().unwrap(),
        html: m.subparts[1].get_body().unwrap(),
    }
}

/// An mbox as `--format mail` writes it: each message after its `From ` line.
fn read_mbox(out: &str) -> Vec<Mail> {
    assert!(out.starts_with("From "), "{out}");
    out.split("\n\nFrom ")
        .map(|m| {
            let body = m.split_once('\n').unwrap().1;
            read_mail(body.as_bytes())
        })
        .collect()
}

/// The desk's rulebook with `people` (YAML list items) and, where given, other lines
/// replaced.
fn with_people(d: &Desk, people: &str, replace: &[(&str, &str)]) {
    let path = d.path().join("rules.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("people: []\n"));
    text = text.replace("people: []\n", &format!("people:\n{people}"));
    for (a, b) in replace {
        assert!(text.contains(a), "{a}");
        text = text.replace(a, b);
    }
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = d.check(&[]);
    assert_eq!(code, Some(0), "{out}{err}");
}

/// `plaint due ARGS` with the clock at `now`: (exit code, stdout, stderr).
fn due(d: &Desk, now: &str, args: &[&str]) -> (i32, String, String) {
    let mut a = vec!["due"];
    a.extend_from_slice(args);
    let out = d.cmd(&a).now(now).output();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn sent_lines(d: &Desk) -> Vec<serde_json::Value> {
    let p = d.path().join(".plaint/notices/sent.jsonl");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const PEOPLE: &str = "  - { name: 周工, department: property, email: zhou@example.com }\n  \
    - { name: 王芳, department: customer-service, head: true, email: wangfang@example.com }\n  \
    - { name: 李总, roles: [人力运营副总], email: li@example.com }\n";

/// A complaint logged by 王芳 at `at`, assigned to `handler` five minutes later, forwarded
/// and answered ten minutes after it came in (§7.3, §4.1.1): only the plan (§8.1) and the
/// close remain.
fn answered(d: &Desk, at: &str, handler: &str, minute: impl Fn(i64) -> String) -> String {
    let id = d.log(&["--at", at, "--by", "王芳", "--type", "property-service"]);
    d.cmd(&["assign", &id, "--handler", handler])
        .at(&minute(5))
        .ok();
    d.cmd(&["forward", &id, "--at", &minute(10), "--by", "王芳"])
        .ok();
    d.cmd(&["respond", &id, "--at", &minute(10), "--by", handler])
        .ok();
    id
}

/// §8.1: a general complaint's plan is due 4 working hours after receipt: Monday 09:00 →
/// 13:00. At 11:30 it is 90 minutes away: 周工 is reminded once, by mail, and a second run
/// a quarter of an hour later sends nothing. 钱工, whom the rulebook does not list, is named
/// on stderr instead, and still gets his message in `--format mail`.
#[test]
fn a_deadline_90_minutes_away_is_reminded_once() {
    let d = Desk::new();
    with_people(&d, PEOPLE, &[]);
    let at = |m: i64| format!("2026-11-02 09:{m:02}");
    let id = answered(&d, "2026-11-02 09:00", "周工", at);
    let other = answered(&d, "2026-11-02 09:00", "钱工", at);
    let smtp = Smtp::start();

    // The view first: both plans, by person, nothing recorded.
    let (code, table, _) = due(&d, "2026-11-02 11:30", &["--within", "2h"]);
    assert_eq!(code, 0);
    assert!(table.contains("周工") && table.contains("钱工"), "{table}");
    assert!(table.contains("2026-11-02 13:00"), "{table}");
    assert!(table.contains("尚余 1小时30分钟"), "{table}");
    let (_, json, _) = due(&d, "2026-11-02 11:30", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let zhou = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "周工")
        .unwrap();
    assert_eq!(zhou["email"], "zhou@example.com");
    assert_eq!(zhou["items"][0]["ticket"], id.as_str());
    assert_eq!(zhou["items"][0]["step"], "plan");
    assert_eq!(zhou["items"][0]["minutes"], 90);
    assert_eq!(zhou["items"][0]["clock"], "working");
    assert_eq!(zhou["items"][0]["answers"], "handler");
    assert_eq!(zhou["items"][0]["clause"], "8.1");
    assert!(sent_lines(&d).is_empty());

    let (code, out, err) = due(&d, "2026-11-02 11:30", &["--smtp", &smtp.address()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("not sent to 钱工") && err.contains("即将到期 1 项"),
        "{err}"
    );
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    let m = read_mail(&got[0]);
    assert_eq!(m.envelope_to, "zhou@example.com");
    assert_eq!(m.to, "周工 <zhou@example.com>");
    assert_eq!(m.subject, "投诉提醒(周工):即将到期 1 项");
    assert!(m.text.contains(&id), "{}", m.text);
    assert!(
        m.text
            .contains("处理方案 时限 2026-11-02 13:00,尚余 1小时30分钟(工作日)"),
        "{}",
        m.text
    );
    assert!(m.text.contains("§8.1"), "{}", m.text);
    assert!(
        m.html.contains("<table>") && m.html.contains(&id),
        "{}",
        m.html
    );
    let sent = sent_lines(&d);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["ticket"], id.as_str());
    assert_eq!(sent[0]["step"], "plan");
    assert_eq!(sent[0]["due"], "2026-11-02T13:00:00+08:00");
    assert_eq!(sent[0]["threshold"], "within 2h");
    assert_eq!(sent[0]["via"], "smtp");
    assert_eq!(sent[0]["to"], "zhou@example.com");

    // A quarter of an hour later: nothing new to say to 周工.
    let (code, out, _) = due(&d, "2026-11-02 11:45", &["--smtp", &smtp.address()]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(smtp.received().len(), 1, "a reminder is sent once");

    // 钱工 has no address: his message is written all the same, to his name alone.
    let (code, out, _) = due(&d, "2026-11-02 11:45", &["--format", "mail", "--dry-run"]);
    assert_eq!(code, 0);
    let mails = read_mbox(&out);
    assert_eq!(mails.len(), 1, "{out}");
    assert_eq!(mails[0].to, "钱工:;");
    assert_eq!(mails[0].subject, "投诉提醒(钱工):即将到期 1 项");
    assert!(mails[0].text.contains(&other));
    assert_eq!(sent_lines(&d).len(), 1, "a dry run records nothing");
}

/// Business hours 09:00–18:00 (the working clock counts only them) and mail from 08:30 to
/// 17:30. A plan due Monday 10:30 (received Friday 15:30: 2½ hours on Friday, 1½ on
/// Monday) comes within 2 working hours at Friday 17:30, when mail has stopped; nothing
/// goes out over the weekend, and it is sent at Monday 08:30, once.
#[test]
fn a_reminder_due_friday_1730_is_sent_monday_morning() {
    let d = Desk::new();
    with_people(
        &d,
        PEOPLE,
        &[
            (
                "  weekend: [saturday, sunday]\n",
                "  weekend: [saturday, sunday]\n  hours: [\"09:00-18:00\"]\n",
            ),
            (
                "  send_hours: [\"08:30-18:00\"]",
                "  send_hours: [\"08:30-17:30\"]",
            ),
        ],
    );
    let at = |m: i64| format!("2026-11-06 15:{:02}", 30 + m);
    let id = answered(&d, "2026-11-06 15:30", "周工", at);
    assert_eq!(
        crate::common::due(&d.show(&id, "2026-11-06 15:45"), "plan"),
        "2026-11-09T10:30:00+08:00"
    );
    let smtp = Smtp::start();
    let send = |now: &str| due(&d, now, &["--within", "2h", "--smtp", &smtp.address()]);

    // 17:15: 2¼ working hours away, not yet within the window.
    assert_eq!(due(&d, "2026-11-06 17:15", &["--within", "2h"]).1, "");
    // 17:30: within it, but mail has stopped for the day.
    let (_, table, _) = due(&d, "2026-11-06 17:30", &["--within", "2h"]);
    assert!(
        table.contains(&id) && table.contains("尚余 2小时"),
        "{table}"
    );
    for now in [
        "2026-11-06 17:30",
        "2026-11-06 20:00",
        "2026-11-07 10:00",
        "2026-11-08 15:00",
        "2026-11-09 08:15",
    ] {
        let (code, out, err) = send(now);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""), "at {now}");
        assert!(smtp.received().is_empty(), "sent at {now}");
    }
    // `--any-time` would send on Saturday (a dry run records nothing).
    let (_, out, _) = due(
        &d,
        "2026-11-07 10:00",
        &["--format", "mail", "--any-time", "--dry-run"],
    );
    assert_eq!(read_mbox(&out).len(), 1);

    let (code, _, err) = send("2026-11-09 08:30");
    assert_eq!(code, 0, "{err}");
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    let m = read_mail(&got[0]);
    assert_eq!(m.envelope_to, "zhou@example.com");
    assert_eq!(m.subject, "投诉提醒(周工):即将到期 1 项");
    assert!(
        m.text
            .contains("处理方案 时限 2026-11-09 10:30,尚余 1小时30分钟(工作日)"),
        "{}",
        m.text
    );
    assert_eq!(send("2026-11-09 09:00").0, 0);
    assert_eq!(smtp.received().len(), 1, "sent once");
}

/// §6.1.2.3, §8.1: four complainants make the complaint major, which is reported to the
/// VP for HR and operations; the rulebook names 李总. One notice goes to him, none to
/// anyone else, and none again.
#[test]
fn a_complaint_turned_major_sends_one_notice_to_the_vp() {
    let d = Desk::new();
    with_people(&d, PEOPLE, &[]);
    let at = |m: i64| format!("2026-11-02 09:{m:02}");
    let id = answered(&d, "2026-11-02 09:00", "周工", at);
    d.cmd(&[
        "plan",
        &id,
        "--action",
        "repair",
        "--at",
        "2026-11-02 09:30",
        "--by",
        "周工",
    ])
    .ok();
    let smtp = Smtp::start();
    let send = |now: &str| due(&d, now, &["--smtp", &smtp.address()]);
    assert_eq!(send("2026-11-02 09:45"), (0, String::new(), String::new()));
    assert!(smtp.received().is_empty(), "nothing is due yet");

    d.cmd(&["classify", &id, "--headcount", "4"])
        .at("2026-11-02 10:00")
        .ok();
    assert_eq!(d.show(&id, "2026-11-02 10:05")["grade"], "major");
    let (code, _, err) = send("2026-11-02 10:05");
    assert_eq!(code, 0, "{err}");
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    let m = read_mail(&got[0]);
    assert_eq!(m.envelope_to, "li@example.com");
    assert_eq!(m.to, "李总 <li@example.com>");
    assert_eq!(
        m.subject,
        format!("重大投诉上报:{id} 实力北岸「卫生间漏水」")
    );
    assert!(m.text.contains("按 §8.1 须上报人力运营副总"), "{}", m.text);
    assert!(
        m.text.contains("§6.1.2.3 三人以上十人以下的集体投诉"),
        "{}",
        m.text
    );
    let sent = sent_lines(&d);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["threshold"], "grade major");
    assert_eq!(sent[0]["recipient"], "李总");

    assert_eq!(send("2026-11-02 10:20").0, 0);
    assert_eq!(smtp.received().len(), 1, "announced once");
}

/// Nothing due: no output at all, exit 0, in every format (`plaint due | ifne ...`,
/// `cronic`), on an empty desk and on one whose deadlines are far off.
#[test]
fn nothing_due_prints_nothing() {
    let d = Desk::new();
    for args in [
        &[][..],
        &["--format", "json"],
        &["--format", "mail"],
        &["--format", "mail", "--any-time"],
    ] {
        assert_eq!(
            due(&d, "2026-11-02 10:00", args),
            (0, String::new(), String::new()),
            "{args:?}"
        );
    }
    let at = |m: i64| format!("2026-11-02 09:{m:02}");
    let id = answered(&d, "2026-11-02 09:00", "周工", at);
    d.cmd(&["plan", &id, "--action", "repair"])
        .at("2026-11-02 09:30")
        .ok();
    // Close is due 11-05 09:00 (property: 3 days): nothing within 2 hours.
    for args in [&["--within", "2h"][..], &["--format", "mail"]] {
        assert_eq!(
            due(&d, "2026-11-02 10:00", args),
            (0, String::new(), String::new()),
            "{args:?}"
        );
    }
    assert!(!Path::new(&d.path().join(".plaint/notices/sent.jsonl")).exists());
}

/// `check` names whom a notice would need and the rulebook cannot reach: a level nobody
/// holds, and a handler of an open complaint without an address; it still passes.
#[test]
fn check_names_whom_notices_cannot_reach() {
    let d = Desk::new();
    let at = |m: i64| format!("2026-11-02 09:{m:02}");
    answered(&d, "2026-11-02 09:00", "钱工", at);
    let (code, _, err) = d.check(&["--as-of", "2026-11-02 10:00"]);
    assert_eq!(code, Some(0));
    assert!(
        !err.contains("people"),
        "a desk that lists nobody mails nobody: {err}"
    );
    with_people(
        &d,
        "  - { name: 周工, department: property, email: zhou@example.com }\n",
        &[],
    );
    let (code, _, err) = d.check(&["--as-of", "2026-11-02 10:00"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("nobody holds 人力运营副总"), "{err}");
    assert!(err.contains("nobody holds 总经理"), "{err}");
    assert!(
        err.contains(
            "钱工 is not listed under people, yet is reminded of 1 open complaint (202611-0001)"
        ),
        "{err}"
    );
}

/// `--known-at` shows what was due as the desk knew it then: a plan recorded at 11:40,
/// back-dated to 11:20, was not known at 11:30, when the 13:00 plan was 90 minutes away.
/// It only shows: asked to send, it is a usage error.
#[test]
fn what_was_due_is_reproduced_with_known_at() {
    let d = Desk::new();
    let id = answered(&d, "2026-11-02 09:00", "周工", |m| {
        format!("2026-11-02 09:{m:02}")
    });
    d.cmd(&[
        "plan",
        &id,
        "--action",
        "repair",
        "--at",
        "2026-11-02 11:20",
        "--by",
        "周工",
    ])
    .now("2026-11-02 11:40")
    .ok();
    let steps = |out: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(out).unwrap_or(serde_json::json!({}));
        v.to_string()
            .matches("\"step\":\"plan\"")
            .map(str::to_string)
            .collect()
    };
    let (code, now, _) = due(
        &d,
        "2026-11-02 11:45",
        &[
            "--as-of",
            "2026-11-02 11:30",
            "--format",
            "json",
            "--within",
            "2h",
        ],
    );
    assert_eq!(code, 0);
    assert!(steps(&now).is_empty(), "{now}");
    let (code, then, err) = due(
        &d,
        "2026-11-02 11:45",
        &[
            "--as-of",
            "2026-11-02 11:30",
            "--known-at",
            "2026-11-02 11:30",
            "--format",
            "json",
            "--within",
            "2h",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(steps(&then).len(), 1, "{then}");
    let (code, _, err) = due(
        &d,
        "2026-11-02 11:45",
        &["--known-at", "2026-11-02 11:30", "--format", "mail"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--known-at shows what was due"), "{err}");
}
