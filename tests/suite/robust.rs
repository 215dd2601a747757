//! Nothing lost, nothing corrupted, nothing surprising: malformed sheets, interrupted and
//! failing imports, files plaint cannot append to, file modes, encodings, outputs that
//! carry attacks, inputs that cost too much. Each test is one defect that was found.

use crate::common::{Desk, log_args};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn write(d: &Desk, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = d.path().join(name);
    fs::write(&p, bytes).unwrap();
    p
}

fn tickets(dir: &Path) -> usize {
    let Ok(rd) = fs::read_dir(dir) else { return 0 };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                tickets(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "yaml"))
            }
        })
        .sum()
}

const HEAD: &str = "ref,project,name,phone,subject,received_at\n";

fn rows(n: usize) -> String {
    let mut s = String::from(HEAD);
    for i in 0..n {
        s.push_str(&format!(
            "R{i},实力北岸,业主{i},1380000{:04},漏水,2026-10-{:02} 10:00\n",
            i % 10_000,
            1 + i % 28
        ));
    }
    s
}

// ------------------------------------------------------------- 1. malformed sheets

#[test]
fn an_unclosed_quote_is_refused_not_swallowed() {
    let d = Desk::new();
    let csv = write(
        &d,
        "q.csv",
        "project,name,phone,subject\n实力北岸,甲,1,\"楼道灯不亮\n实力北岸,乙,2,漏水\n实力北岸,丙,3,噪音\n实力北岸,丁,4,停车\n",
    );
    let err = d.cmd(&["import", csv.to_str().unwrap()]).refused(1);
    assert!(
        err.contains("line 2: a quote opens a cell and never closes"),
        "{err}"
    );
    assert_eq!(tickets(&d.path().join("tickets")), 0);
}

#[test]
fn ragged_rows_and_control_characters_are_row_errors() {
    let d = Desk::new();
    let csv = write(
        &d,
        "r.csv",
        "project,name,phone,subject\n实力北岸,甲,1\n实力北岸,乙,2,漏水,多余\n实力北岸,丙,3,噪\u{0}音\n实力北岸,丁,4,停车,\n",
    );
    let err = d.cmd(&["import", csv.to_str().unwrap()]).refused(1);
    assert!(
        err.contains("r.csv:2: has 3 cells but the header has 4"),
        "{err}"
    );
    assert!(
        err.contains("r.csv:3: has 5 cells but the header has 4"),
        "{err}"
    );
    assert!(
        err.contains("r.csv:4: subject: contains the control character U+0000"),
        "{err}"
    );
    // Row 5's extra cell is empty: nothing would be lost, so it is not a problem.
    assert!(!err.contains("r.csv:5"), "{err}");
    assert!(err.contains("3 problems"), "{err}");
    assert_eq!(tickets(&d.path().join("tickets")), 0);
}

// ------------------------------------------------------------- 2. imports land whole

#[test]
fn an_import_killed_at_any_moment_lands_whole_or_not_at_all() {
    let n = 10_000;
    let src = Desk::nowhere();
    let csv = write(&src, "big.csv", rows(n));
    for delay in [30, 250, 500, 800, 1200] {
        let d = Desk::new();
        let exe = assert_cmd::cargo::cargo_bin("plaint");
        let mut child = plaint_at(&exe, d.path())
            .args(["import", csv.to_str().unwrap(), "--by", "导入员"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        // The next command completes a committed import or leaves none of it.
        d.cmd(&["calendar"]).ok();
        let after_kill = tickets(&d.path().join("tickets"));
        assert!(
            after_kill == 0 || after_kill == n,
            "killed after {delay} ms: {after_kill} of {n} tickets landed"
        );
        // Importing again adds what is missing, and nothing twice.
        d.cmd(&["import", csv.to_str().unwrap(), "--by", "导入员"])
            .ok();
        assert_eq!(tickets(&d.path().join("tickets")), n, "after {delay} ms");
        assert!(!d.path().join(".plaint/import").exists());
        assert!(!d.path().join(".plaint/import.journal").exists());
    }
}

#[test]
fn a_committed_import_is_completed_and_an_uncommitted_one_rolled_back() {
    let d = Desk::new();
    let staged = d.path().join(".plaint/import/tickets/2026/10");
    fs::create_dir_all(&staged).unwrap();
    let ticket = "id: 202610-0001\nproject: 实力北岸\nreceived_at: 2026-10-02T10:00:00+08:00\nreceived_by: customer-service\nchannel: phone\nname: 甲\nphone: '1'\nsubject: 漏水\nheadcount: 1\nevents:\n";
    fs::write(staged.join("202610-0001.yaml"), ticket).unwrap();
    // Staged but never committed (no journal): a writer rolls it back.
    d.log(&["--at", "2026-11-02 10:00"]);
    assert!(!d.path().join(".plaint/import").exists());
    assert_eq!(tickets(&d.path().join("tickets")), 1);
    // Staged and committed: the next command, even a reader, moves it into place.
    fs::create_dir_all(&staged).unwrap();
    fs::write(staged.join("202610-0001.yaml"), ticket).unwrap();
    fs::write(
        d.path().join(".plaint/import.journal"),
        "tickets/2026/10/202610-0001.yaml\n",
    )
    .unwrap();
    let out = d
        .cmd(&["list", "--format", "json", "--as-of", "2026-11-30"])
        .output();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("completed an interrupted import of 1 complaint")
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!d.path().join(".plaint/import.journal").exists());
    d.cmd(&["check"]).ok();
}

#[test]
fn an_import_on_a_full_disk_writes_nothing() {
    // A 192 KB file system, in a mount namespace of its own: 600 rows do not fit.
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: this machine cannot mount a small file system in a namespace");
        return;
    }
    let src = Desk::nowhere();
    let csv = write(&src, "six-hundred.csv", rows(600));
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let script = format!(
        "set -u; M=$(mktemp -d); mount -t tmpfs -o size=192k tmpfs $M; \
         {exe} init $M/desk 2>/dev/null; \
         {exe} --desk $M/desk log --project 实力北岸 --name 甲 --phone 1 --subject 漏水 --by x >/dev/null; \
         {exe} --desk $M/desk import {csv} --by x 2>$M/err; echo import=$?; \
         echo tickets=$(find $M/desk/tickets -name '*.yaml' | wc -l); \
         echo staging=$(ls -A $M/desk/.plaint | tr '\\n' ' '); \
         {exe} --desk $M/desk check >/dev/null 2>&1; echo check=$?; \
         head -c 600 $M/err",
        exe = exe.display(),
        csv = csv.display()
    );
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .env("PLAINT_USER", "x")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("import=1"), "{text}");
    assert!(
        text.contains("tickets=1\n"),
        "only the one logged before: {text}"
    );
    assert!(!text.contains("import "), "no staging area is left: {text}");
    assert!(text.contains("check=0"), "{text}");
    assert!(text.contains("nothing was imported"), "{text}");
}

#[test]
fn a_sheet_without_refs_can_be_imported_twice() {
    let d = Desk::new();
    let csv = write(
        &d,
        "noref.csv",
        "project,name,phone,subject,received_at\n实力北岸,甲,1,漏水,2026-10-02 10:00\n实力北岸,乙,2,噪音,2026-10-03 10:00\n实力北岸,乙,2,噪音,2026-10-03 10:00\n",
    );
    d.cmd(&["import", csv.to_str().unwrap()]).ok();
    assert_eq!(
        tickets(&d.path().join("tickets")),
        3,
        "two identical rows are two complaints"
    );
    let out = d.cmd(&["import", csv.to_str().unwrap()]).output();
    assert!(String::from_utf8_lossy(&out.stderr).contains("imported 0, skipped 3"));
    assert_eq!(tickets(&d.path().join("tickets")), 3);
    // A grown sheet adds only its new row.
    let mut grown = fs::read_to_string(&csv).unwrap();
    grown.push_str("实力北岸,丙,3,停车,2026-10-04 10:00\n");
    fs::write(&csv, grown).unwrap();
    d.cmd(&["import", csv.to_str().unwrap()]).ok();
    assert_eq!(tickets(&d.path().join("tickets")), 4);
}

#[test]
fn a_ref_is_one_ticket() {
    let d = Desk::new();
    let first = d.log(&["--ref", "KF-1", "--at", "2026-11-02 10:00"]);
    let err = d
        .cmd(&log_args(&[
            "--name", "乙", "--phone", "2", "--ref", "KF-1",
        ]))
        .refused(1);
    assert!(
        err.contains(&format!("'KF-1' is already the reference of {first}")),
        "{err}"
    );
    let second = d.log(&["--ref", "KF-2", "--at", "2026-11-02 11:00"]);
    let err = d.cmd(&["amend", &second, "--ref", "KF-1"]).refused(1);
    assert!(err.contains("already the reference"), "{err}");
    d.cmd(&["check"]).ok();
}

// ------------------------------------------------------------- 3. appends read back

#[test]
fn a_file_plaint_cannot_append_to_is_refused_and_named_by_check() {
    let d = Desk::new();
    let head = "id: 202611-0001\nproject: 实力北岸\nreceived_at: 2026-11-02T10:00:00+08:00\nreceived_by: customer-service\nchannel: phone\nname: 甲\nphone: '1'\nsubject: 漏水\nheadcount: 1\n";
    let path = d.path().join("tickets/2026/11/202611-0001.yaml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    for (text, says) in [
        (format!("{head}events: []\n"), "written on the `events:` line itself"),
        (head.to_string(), "has no `events:` line"),
        (format!("{head}events:\n- at: 2026-11-02T10:30:00+08:00\n  by: x\n  kind: forward\nunit: 3-502\n"), "`unit: 3-502` comes after `events:`"),
        ("{\"id\": \"202611-0001\", \"project\": \"实力北岸\", \"received_at\": \"2026-11-02T10:00:00+08:00\", \"received_by\": \"customer-service\", \"channel\": \"phone\", \"name\": \"甲\", \"phone\": \"1\", \"subject\": \"s\", \"headcount\": 1, \"events\": []}\n".to_string(), "JSON or flow style"),
    ] {
        fs::write(&path, &text).unwrap();
        // It reads: lists and reports work.
        d.cmd(&["list", "--as-of", "2026-11-30"]).ok();
        let (code, problems, _) = d.check(&[]);
        assert_eq!(code, Some(1));
        assert!(problems.contains("plaint cannot add events to this file") && problems.contains(says), "{problems}");
        let err = d.cmd(&["respond", "202611-0001"]).at("2026-11-02 11:00").refused(1);
        assert!(err.contains("cannot add to this file safely") && err.contains(says), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
    }
}

// ------------------------------------------------------------- 4. modes and groups

#[test]
fn files_honour_the_umask_and_keep_mode_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let d = Desk::new();
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let run = |umask: &str, args: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask}; exec {} --desk {} {args}",
                exe.display(),
                d.path().display()
            ))
            .env("PLAINT_USER", "x")
            .env_remove("PLAINT_NOW")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let id = run(
        "022",
        "log --project 实力北岸 --name 甲 --phone 1 --subject s",
    );
    let path = d.ticket_path(&id);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let id2 = run(
        "002",
        "log --project 实力北岸 --name 乙 --phone 2 --subject s",
    );
    assert_eq!(
        fs::metadata(d.ticket_path(&id2))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o664
    );
    // A shared desk: group-writable, another group. A write keeps both, whatever the umask.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o660)).unwrap();
    std::os::unix::fs::chown(&path, None, Some(4242)).unwrap();
    run("077", &format!("forward {id}"));
    let m = fs::metadata(&path).unwrap();
    assert_eq!((m.permissions().mode() & 0o777, m.gid()), (0o660, 4242));
    assert!(fs::read_to_string(&path).unwrap().contains("kind: forward"));
}

// ------------------------------------------------------------- 5. encodings

#[test]
fn big5_needs_its_encoding_named_and_then_reads_right() {
    let d = Desk::new();
    let text = "項目名稱,投訴人姓名,聯繫方式,投訴主題\r\n實力北岸,陳大文,13800000000,樓道燈不亮\r\n實力北岸,黃小明,13800000001,電梯故障\r\n";
    let csv = write(&d, "big5.csv", encoding_rs::BIG5.encode(text).0);
    let err = d.cmd(&["import", csv.to_str().unwrap()]).refused(1);
    assert!(
        err.contains("looks like Big5") && err.contains("--encoding big5"),
        "{err}"
    );
    // The rulebook's headers are simplified Chinese; the sheet's are traditional.
    let err = d
        .cmd(&["import", csv.to_str().unwrap(), "--encoding", "big5"])
        .refused(1);
    assert!(
        err.contains("unknown columns '項目名稱', '投訴人姓名'")
            && err.contains("project: 项目名称"),
        "{err}"
    );
    // A Hong Kong project, in the rulebook in traditional characters.
    let rules = d.path().join("rules.yaml");
    let book = fs::read_to_string(&rules)
        .unwrap()
        .replace("  - 实力北岸\n", "  - 实力北岸\n  - 實力灣仔\n");
    fs::write(&rules, book).unwrap();
    let english = "project,name,phone,subject\r\n實力灣仔,陳大文,13800000000,樓道燈不亮\r\n";
    let csv = write(&d, "big5-en.csv", encoding_rs::BIG5.encode(english).0);
    d.cmd(&["import", csv.to_str().unwrap(), "--encoding", "big5"])
        .ok();
    let v = d.json(&["list", "--as-of", "2099-01-01"]);
    assert_eq!(v[0]["subject"], "樓道燈不亮");
    assert_eq!(v[0]["project"], "實力灣仔");
    let err = d
        .cmd(&["import", csv.to_str().unwrap(), "--encoding", "klingon"])
        .refused(1);
    assert!(err.contains("'klingon' is not an encoding"), "{err}");
}

#[test]
fn a_sheet_mixing_utf8_and_gbk_is_refused() {
    let d = Desk::new();
    let mut bytes = "project,name,phone,subject\n实力北岸,张三丰,1,漏水漏水\n"
        .as_bytes()
        .to_vec();
    bytes.extend(
        encoding_rs::GBK
            .encode("实力北岸,李四光,2,噪音噪音\n")
            .0
            .iter(),
    );
    let csv = write(&d, "mixed.csv", bytes);
    let err = d.cmd(&["import", csv.to_str().unwrap()]).refused(1);
    assert!(
        err.contains("mixes encodings: line 2 is UTF-8 and line 3 is not"),
        "{err}"
    );
}

// ------------------------------------------------------------- 6. outputs

#[test]
fn csv_output_cannot_carry_a_formula() {
    let d = Desk::new();
    d.log(&[
        "--at",
        "2026-11-02 10:00",
        "--subject",
        "=HYPERLINK(\"http://x\",\"点我\")",
    ]);
    let out = d
        .cmd(&["list", "--format", "csv", "--as-of", "2026-11-03"])
        .ok();
    assert!(out.contains("\"'=HYPERLINK("), "{out}");
    assert!(!out.contains(",=HYPERLINK"), "{out}");
}

#[test]
fn control_characters_are_refused_on_input_and_escaped_on_output() {
    let d = Desk::new();
    let err = d.cmd(&log_args(&["--subject", "灯\u{1b}[2J"])).refused(1);
    assert!(err.contains("control character U+001B"), "{err}");
    // A file edited by hand can still carry one (YAML's "\e" escape): it is shown escaped.
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let path = d.ticket_path(&id);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("subject: 卫生间漏水", "subject: \"漏水\\e[2J\\rX\"");
    fs::write(&path, text).unwrap();
    let table = d.cmd(&["show", &id, "--as-of", "2026-11-03"]).ok();
    assert!(
        !table.contains('\u{1b}') && !table.contains('\r'),
        "raw control characters"
    );
    assert!(table.contains("漏水\\u{1b}[2J\\u{d}X"), "{table}");
    assert!(
        d.check(&[])
            .1
            .contains("`subject` contains the control character U+001B")
    );
}

#[test]
fn markdown_and_html_reports_escape_what_they_print() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00", "--type", "物业服务"]);
    d.cmd(&["assign", &id, "--handler", "王|<b>工</b>"])
        .at("2026-11-02 10:10")
        .ok();
    let md = d
        .cmd(&[
            "report",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-20",
            "--format",
            "md",
        ])
        .ok();
    assert!(md.contains("王\\|&lt;b&gt;工&lt;/b&gt;"), "{md}");
    let html = d
        .cmd(&[
            "report",
            "--month",
            "2026-11",
            "--as-of",
            "2026-11-20",
            "--format",
            "html",
        ])
        .ok();
    assert!(
        html.contains("王|&lt;b&gt;工&lt;/b&gt;") && !html.contains("<b>工"),
        "escaped in HTML"
    );
}

// ------------------------------------------------------------- 7. bounded cost

#[test]
fn deep_nesting_and_huge_files_are_refused_before_parsing() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let path = d.ticket_path(&id);
    let deep = format!(
        "{}events: {}{}\n",
        fs::read_to_string(&path).unwrap().replace("events:\n", ""),
        "[".repeat(80_000),
        "]".repeat(80_000)
    );
    fs::write(&path, deep).unwrap();
    let problems = d.check(&[]).1;
    assert!(
        problems.contains("nested more than 32 levels deep"),
        "{problems}"
    );
    assert!(problems.len() < 2000, "the message quotes no 160 KB line");
    fs::write(&path, format!("id: x\nsubject: {}\n", "长".repeat(600_000))).unwrap();
    let problems = d.check(&[]).1;
    assert!(
        problems.contains("a ticket file holds at most 1024 KB"),
        "{problems}"
    );
}

/// A zip written by hand, so that a test can make it claim what it likes: each entry is
/// `(name, data, compressed, declared uncompressed size)`, deflated data given raw.
fn zip_by_hand(path: &Path, entries: &[(&str, Vec<u8>, bool, u32)]) {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, deflated, declared) in entries {
        let offset = out.len() as u32;
        let crc = if *deflated { 0 } else { crc32fast::hash(data) };
        let method: u16 = if *deflated { 8 } else { 0 };
        let mut fields = Vec::new();
        fields.extend(20u16.to_le_bytes()); // version needed
        fields.extend(0u16.to_le_bytes()); // flags
        fields.extend(method.to_le_bytes());
        fields.extend([0u8; 4]); // time, date
        fields.extend(crc.to_le_bytes());
        fields.extend((data.len() as u32).to_le_bytes());
        fields.extend(declared.to_le_bytes());
        fields.extend((name.len() as u16).to_le_bytes());
        fields.extend(0u16.to_le_bytes()); // extra
        out.extend(b"PK\x03\x04");
        out.extend(&fields);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(b"PK\x01\x02");
        central.extend(20u16.to_le_bytes()); // made by
        central.extend(&fields);
        central.extend([0u8; 10]); // comment, disk, attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06\0\0\0\0");
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    fs::write(path, out).unwrap();
}

/// A raw deflate stream written bit by bit with the fixed Huffman codes (RFC 1951): `head`,
/// then `unit` (1 to 4 bytes) repeated for about `repeat_to` bytes as 258-byte copies, then
/// `tail`. Gigabytes of repetition cost 13 bits per 258 bytes and no compressor.
fn deflate_bomb(head: &[u8], unit: &[u8], repeat_to: u64, tail: &[u8]) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, v: u32, bits: u32) {
            self.acc |= u64::from(v) << self.n;
            self.n += bits;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code goes most significant bit first.
        fn code(&mut self, code: u32, bits: u32) {
            self.put(code.reverse_bits() >> (32 - bits), bits);
        }
        fn literal(&mut self, b: u8) {
            match b {
                0..=143 => self.code(0x30 + u32::from(b), 8),
                _ => self.code(0x190 + u32::from(b) - 144, 9),
            }
        }
    }
    assert!((1..=4).contains(&unit.len()));
    let mut w = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // the last block
    w.put(1, 2); // fixed codes
    head.iter().chain(unit).for_each(|b| w.literal(*b));
    for _ in 0..repeat_to / 258 {
        w.code(0xC5, 8); // length 258
        w.code(unit.len() as u32 - 1, 5); // distance 1..=4
    }
    tail.iter().for_each(|b| w.literal(*b));
    w.code(0, 7); // end of block
    w.put(0, 7);
    w.out
}

/// The parts of a one-sheet workbook besides the sheet and its strings.
fn workbook_parts(sheet_name: &str) -> Vec<(&'static str, Vec<u8>, bool, u32)> {
    let stored = |name: &'static str, text: String| {
        let len = text.len() as u32;
        (name, text.into_bytes(), false, len)
    };
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    vec![
        stored(
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        stored(
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns:r="{rel}"><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            ),
        ),
    ]
}

/// `plaint --desk D ARGS` as a child of the test alone: its exit code, stderr, peak
/// resident memory in MB (from `wait4`, for this child only) and how long it ran.
// The child is reaped by `wait4`, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn measured(d: &Desk, args: &[&str]) -> (i32, String, u64, Duration) {
    let err_path = d.path().join(".measured-stderr");
    let started = std::time::Instant::now();
    let child = Command::new(assert_cmd::cargo::cargo_bin("plaint"))
        .arg("--desk")
        .arg(d.path())
        .args(args)
        .env_remove("PLAINT_DESK")
        .env("PLAINT_USER", "测试员")
        .stdout(std::process::Stdio::null())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let took = started.elapsed();
    let err = fs::read_to_string(&err_path).unwrap();
    fs::remove_file(&err_path).unwrap();
    assert!(libc::WIFEXITED(status), "plaint {args:?} was killed: {err}");
    (
        libc::WEXITSTATUS(status),
        err,
        usage.ru_maxrss as u64 / 1024,
        took,
    )
}

/// Imports `file` with --dry-run and checks it is refused with `message`, quickly, within
/// 256 MB, with nothing written.
fn refused_within_bounds(file: &Path, message: &str) -> String {
    let d = Desk::new();
    let before = d.snapshot();
    let (code, err, mb, took) = measured(&d, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(message), "{err}");
    assert!(
        err.contains(file.file_name().unwrap().to_str().unwrap()),
        "names the file: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(mb < 256, "{mb} MB resident for {err}");
    assert!(took < Duration::from_secs(10), "{took:?} for {err}");
    assert_eq!(before, d.snapshot(), "nothing written");
    err
}

#[test]
fn an_xlsx_claiming_a_million_rows_is_refused_by_the_cells_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    // One cell at A1 and one at XFD1048576: read as a dense range this was 550 GB.
    let far = dir.path().join("far.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("投诉台账").unwrap();
    ws.write_string(0, 0, "project").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&far).unwrap();
    refused_within_bounds(
        &far,
        "sheet 投诉台账 holds a cell at XFD1048576, beyond the 200000 rows × 256 columns plaint reads",
    );

    // A sheet whose <dimension> claims every cell but which holds two rows is read by the
    // cells it holds.
    let claims = dir.path().join("claims.xlsx");
    let mut parts = workbook_parts("台账");
    let sheet = r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>project</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>phone</t></is></c><c r="D1" t="inlineStr"><is><t>subject</t></is></c><c r="E1" t="inlineStr"><is><t>received_at</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>张三</t></is></c><c r="C2"><v>13800000000</v></c><c r="D2" t="inlineStr"><is><r><t>漏</t></r><r><t>水</t></r></is></c><c r="E2" s="1"><v>46328.375</v></c></row></sheetData></worksheet>"#;
    parts.push((
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes().to_vec(),
        false,
        sheet.len() as u32,
    ));
    let strings = "<sst><si><t>实力北岸</t></si></sst>";
    parts.push((
        "xl/sharedStrings.xml",
        strings.as_bytes().to_vec(),
        false,
        strings.len() as u32,
    ));
    let styles = r#"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d h:mm"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#;
    parts.push((
        "xl/styles.xml",
        styles.as_bytes().to_vec(),
        false,
        styles.len() as u32,
    ));
    zip_by_hand(&claims, &parts);
    let d = Desk::new();
    let (code, err, mb, _) = measured(&d, &["import", claims.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(mb < 256, "{mb} MB");
    let list = d.json(&["list"]);
    let t = &list.as_array().unwrap()[0];
    assert_eq!(
        (t["project"].as_str(), t["subject"].as_str()),
        (Some("实力北岸"), Some("漏水")),
        "{t}"
    );
    assert!(
        t["received_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-02T09:00"),
        "a date cell reads as its date: {t}"
    );
}

#[test]
fn an_xlsx_inflating_to_gigabytes_is_refused_at_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 2 GB of sheet XML in 12 MB: <x/> repeated.
    let head = br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>project</t></is></c></row>"#;
    let bomb = deflate_bomb(head, b"<x/>", 2 << 30, b"</sheetData></worksheet>");
    assert!(bomb.len() < 16 << 20);
    for (file, declared, message) in [
        // The zip says how large the sheet is: refused before inflating a byte.
        (
            "honest.xlsx",
            (2u32 << 30) + 120,
            "sheet 投诉台账 says it inflates to 2048 MB; plaint reads up to 512 MB of it",
        ),
        // The zip says 64 KB: inflating stops where the entry passes what it declared.
        (
            "lying.xlsx",
            64 << 10,
            "sheet 投诉台账 inflates to more than the 64 KB its zip entry declares",
        ),
    ] {
        let path = dir.path().join(file);
        let mut parts = workbook_parts("投诉台账");
        parts.push(("xl/worksheets/sheet1.xml", bomb.clone(), true, declared));
        zip_by_hand(&path, &parts);
        refused_within_bounds(&path, message);
    }
}

#[test]
fn an_xlsx_cell_of_a_hundred_megabytes_is_refused_without_being_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // One shared string of 100 MB of one character, in 50 KB.
    let strings = deflate_bomb(b"<sst><si><t>", b"a", 100 << 20, b"</t></si></sst>");
    let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>subject</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let path = dir.path().join("huge-cell.xlsx");
    let mut parts = workbook_parts("投诉台账");
    parts.push((
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes().to_vec(),
        false,
        sheet.len() as u32,
    ));
    parts.push(("xl/sharedStrings.xml", strings, true, (100 << 20) + 32));
    zip_by_hand(&path, &parts);
    refused_within_bounds(
        &path,
        "the shared strings table holds more than 1024 KB of text or markup in one piece; a cell holds at most 32 KB",
    );
}

#[test]
fn a_rulebook_duration_beyond_ten_years_is_refused_not_a_panic() {
    let d = Desk::new();
    let rules = d.path().join("rules.yaml");
    let text = fs::read_to_string(&rules).unwrap().replace(
        "general: 4h, important: 8h",
        "general: 106751991d, important: 8h",
    );
    fs::write(&rules, text).unwrap();
    let (code, problems, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(problems.contains("is longer than 3660 days"));
    for args in [vec!["report"], vec!["list"], vec!["penalties"]] {
        let out = d.cmd(&args).output();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn errors_quote_values_at_a_readable_length() {
    let d = Desk::new();
    let huge = "项".repeat(20_000);
    let err = d.cmd(&log_args(&["--project", &huge])).refused(1);
    assert!(
        err.lines().all(|l| l.chars().count() < 500),
        "{} characters",
        err.len()
    );
    assert!(err.contains("more characters"), "{}", &err[..300]);
}

#[test]
fn a_symlinked_ticket_is_refused_without_showing_its_target() {
    let d = Desk::new();
    let secret = write(&d, "secret.txt", "root:x:0:0:TOP-SECRET\n");
    let month = d.path().join("tickets/2026/11");
    fs::create_dir_all(&month).unwrap();
    std::os::unix::fs::symlink(&secret, month.join("202611-0001.yaml")).unwrap();
    let (_, out, err) = d.check(&[]);
    let all = format!("{out}{err}");
    assert!(all.contains("is a symbolic link"), "{all}");
    assert!(!all.contains("TOP-SECRET"), "{all}");
    let err = d.cmd(&["show", "202611-0001"]).refused(1);
    assert!(!err.contains("TOP-SECRET"), "{err}");
}

// ------------------------------------------------------------- 9. smaller

#[test]
fn stale_staged_writes_are_cleaned_by_the_next_writer() {
    let d = Desk::new();
    d.log(&["--at", "2026-11-02 10:00"]);
    let tmp = d.path().join(".plaint/tmp");
    fs::write(tmp.join("w-killed.tmp"), "half a ticket").unwrap();
    d.log(&["--at", "2026-11-02 11:00"]);
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0);
    // Older leftovers beside the tickets are named by check.
    fs::write(d.path().join("tickets/2026/11/.plaint-x.tmp"), "half").unwrap();
    let (code, _, err) = d.check(&[]);
    assert_eq!(code, Some(0));
    assert!(err.contains(".plaint-x.tmp: a temporary file left by an interrupted write"));
}

#[test]
fn a_bom_is_read_past_and_yaml_tags_are_named() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let path = d.ticket_path(&id);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("\u{feff}{text}")).unwrap();
    assert_eq!(d.show(&id, "2026-11-03")["project"], "实力北岸");
    d.cmd(&["forward", &id]).at("2026-11-02 10:30").ok();
    assert!(d.check(&[]).1.contains("byte-order mark"));
    fs::write(&path, text.replace("name: 张三", "name: !!binary 5byg5LiJ")).unwrap();
    let (code, problems, _) = d.check(&[]);
    assert_eq!(code, Some(1));
    assert!(problems.contains("a YAML tag, anchor or alias"));
}

#[test]
fn concurrent_writers_on_one_ticket_lose_nothing() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let (exe, desk, id) = (exe.clone(), d.path().to_path_buf(), id.clone());
            std::thread::spawn(move || {
                (0..10)
                    .filter(|i| {
                        plaint_at(&exe, &desk)
                            .args([
                                "delay",
                                &id,
                                "--reason",
                                &format!("w{w}-{i}"),
                                "--approved-by",
                                "经理",
                                "--at",
                                "2026-11-02 12:00",
                            ])
                            .env("PLAINT_NOW", "2026-11-02 12:00")
                            .status()
                            .unwrap()
                            .success()
                    })
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 40);
    let v = d.show(&id, "2026-11-03");
    assert_eq!(v["events"].as_array().unwrap().len(), 40);
    d.cmd(&["check"]).ok();
}

fn plaint_at(exe: &Path, desk: &Path) -> Command {
    let mut c = Command::new(exe);
    c.arg("--desk")
        .arg(desk)
        .env("PLAINT_USER", "x")
        .stderr(std::process::Stdio::null());
    c
}

#[test]
fn writers_killed_at_random_moments_leave_every_file_whole() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let exe = assert_cmd::cargo::cargo_bin("plaint");
    let mut acknowledged = 0;
    for round in 0..40u64 {
        let mut child = plaint_at(&exe, d.path())
            .args([
                "delay",
                &id,
                "--reason",
                &format!("r{round}"),
                "--approved-by",
                "经理",
                "--at",
                "2026-11-02 12:00",
            ])
            .env("PLAINT_NOW", "2026-11-02 12:00")
            .spawn()
            .unwrap();
        // Kill some at once, some a little later, let some finish.
        std::thread::sleep(Duration::from_micros((round * 7919) % 9000));
        if round % 3 != 0 {
            let _ = child.kill();
        }
        if child.wait().unwrap().success() {
            acknowledged += 1;
        }
    }
    // Every acknowledged write is there; the file reads; check is clean.
    let events = d.show(&id, "2026-11-03")["events"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        events >= acknowledged,
        "{events} events, {acknowledged} acknowledged"
    );
    d.cmd(&["check"]).ok();
    assert_eq!(
        fs::read_dir(d.path().join(".plaint/tmp"))
            .map(|r| r.count())
            .unwrap_or(0),
        0,
        "the next writer clears what the killed ones staged"
    );
}
