//! The derived ticket cache (.plaint/cache/): never the record. Outputs are the same with
//! it, without it and after it is deleted or corrupted; a hand edit behind its back is seen.

#[path = "../../benches/support/mod.rs"]
mod support;

use crate::common::Desk;
use std::fs;
use std::path::Path;

/// What the reading commands print for a desk, every format that carries figures.
fn outputs(d: &Desk, as_of: &str, month: &str) -> Vec<String> {
    let run = |args: &[&str]| -> String {
        let mut a = args.to_vec();
        a.extend(["--as-of", as_of]);
        d.cmd(&a).ok()
    };
    vec![
        run(&[
            "report", "--month", month, "--by", "project", "--format", "json",
        ]),
        run(&["report", "--month", month, "--by", "department"]),
        run(&["penalties", "--month", month, "--format", "json"]),
        run(&["list", "--format", "json"]),
        run(&["list", "--overdue"]),
    ]
}

/// Every file of the cache: the shards, the target index and the kept verdicts.
fn shards(desk: &Path) -> Vec<std::path::PathBuf> {
    let dir = desk.join(".plaint/cache");
    let mut v: Vec<_> = fs::read_dir(&dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "msgpack"));
    v.sort();
    v
}

/// Without a cache, with it built (kept verdicts included), with it deleted, and with every
/// cache file corrupted: the same bytes.
fn same_with_and_without(d: &Desk, as_of: &str, month: &str) {
    let desk = d.path();
    // Old enough files: the warm runs use every verdict `list` kept.
    age(desk);
    let _ = fs::remove_dir_all(desk.join(".plaint/cache"));
    let cold = outputs(d, as_of, month);
    assert!(!shards(desk).is_empty(), "the first read builds the cache");
    assert!(verdict_bytes(desk) > 0, "the first list keeps its verdicts");
    let warm = outputs(d, as_of, month);
    assert_eq!(cold, warm, "warm cache");
    for s in shards(desk) {
        fs::write(&s, b"\x93not a cache").unwrap();
    }
    assert_eq!(cold, outputs(d, as_of, month), "corrupt cache");
    for s in shards(desk) {
        assert!(
            fs::read(&s).unwrap().starts_with(b"plaint cache\n"),
            "rewritten: {}",
            s.display()
        );
    }
    fs::remove_dir_all(desk.join(".plaint/cache")).unwrap();
    assert_eq!(cold, outputs(d, as_of, month), "deleted cache");
}

#[test]
fn the_example_desk_reads_the_same_with_and_without_the_cache() {
    let d = Desk::example();
    same_with_and_without(&d, "2026-11-20", "2026-11");
}

#[test]
fn a_generated_desk_reads_the_same_with_and_without_the_cache() {
    let d = Desk::nowhere();
    support::generate(d.path(), 600);
    same_with_and_without(&d, "2026-12-31", "2026-06");
}

#[test]
fn a_hand_edit_behind_the_caches_back_is_seen() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    let path = d.ticket_path(&id);
    let list = |d: &Desk| d.json(&["list", "--as-of", "2026-11-03"]);
    // Old enough for the cache to trust it without reading it again.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(list(&d)[0]["subject"], "卫生间漏水");
    assert!(!shards(d.path()).is_empty());
    // Same size, same inode, and the modification time put back as it was: only the
    // change time tells.
    let before = fs::metadata(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replace("卫生间漏水", "厨房间漏水");
    assert_eq!(edited.len(), text.len());
    fs::write(&path, &edited).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let after = fs::metadata(&path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), before.modified().unwrap())
    );
    assert_eq!(list(&d)[0]["subject"], "厨房间漏水");
    // Edited again in the same second it was cached: not trusted until it is older.
    fs::write(&path, &text).unwrap();
    assert_eq!(list(&d)[0]["subject"], "卫生间漏水");
    fs::write(&path, &edited).unwrap();
    assert_eq!(list(&d)[0]["subject"], "厨房间漏水");
    // A file gone since the cache was written is gone from the output too.
    fs::remove_file(&path).unwrap();
    assert_eq!(list(&d), serde_json::json!([]));
}

#[test]
fn the_cache_is_ignored_by_git_and_a_broken_file_is_never_cached() {
    let d = Desk::new();
    let id = d.log(&["--at", "2026-11-02 10:00"]);
    d.json(&["list", "--as-of", "2026-11-03"]);
    assert_eq!(
        fs::read_to_string(d.path().join(".plaint/.gitignore")).unwrap(),
        "*\n"
    );
    // A file broken by hand: every reading command names it, every time.
    let path = d.ticket_path(&id);
    fs::write(&path, "id: [\n").unwrap();
    for _ in 0..2 {
        let err = d.cmd(&["list", "--as-of", "2026-11-03"]).refused(1);
        assert!(err.contains("cannot be read"), "{err}");
    }
}

/// `show` finds a ticket's same-target peers through the cache's target index: a peer
/// edited in place is checked by its stamp, and a month whose directory changed (a file
/// added or removed, by hand, by git or by plaint) is read again. §6.1.3.1 (three
/// complaints about one target: important), §6.1.2.2 (three different complainants: major).
#[test]
fn show_sees_same_target_peers_changed_behind_the_index() {
    let d = Desk::new();
    let log = |at: &str, phone: &str| d.log(&["--at", at, "--target", "3栋电梯", "--phone", phone]);
    let a = log("2026-11-02 10:00", "13800000001");
    log("2026-11-03 10:00", "13800000002");
    let c = log("2026-11-04 10:00", "13800000002");
    let grade = |d: &Desk| d.show(&a, "2026-11-05")["grade"].clone();
    let uncached = |d: &Desk| {
        let _ = fs::remove_dir_all(d.path().join(".plaint/cache"));
        grade(d)
    };
    // A desk-wide read writes the index; it is trusted once its directories are settled.
    d.cmd(&["report", "--month", "2026-11", "--as-of", "2026-11-05"])
        .ok();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    d.cmd(&["report", "--month", "2026-11", "--as-of", "2026-11-05"])
        .ok();
    assert!(d.path().join(".plaint/cache/targets.msgpack").is_file());
    assert_eq!(grade(&d), "important", "three complaints, two complainants");

    // C's complainant changed in place (same size): now three different complainants.
    let path = d.ticket_path(&c);
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replace("13800000002", "13800000003");
    assert_eq!(edited.len(), text.len());
    fs::write(&path, &edited).unwrap();
    assert_eq!(grade(&d), "major");
    assert_eq!(uncached(&d), "major");

    // C removed by hand: two complaints about the target are no longer three.
    d.cmd(&["report", "--month", "2026-11", "--as-of", "2026-11-05"])
        .ok();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    d.cmd(&["report", "--month", "2026-11", "--as-of", "2026-11-05"])
        .ok();
    fs::remove_file(&path).unwrap();
    assert_eq!(grade(&d), "general");
    assert_eq!(uncached(&d), "general");
}

/// Puts every ticket file's modification time an hour back: old enough for the cache to
/// trust its stamp at once (a file modified within two seconds of a read is read again).
fn age(desk: &Path) {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in walk(&desk.join("tickets")) {
        fs::File::options()
            .write(true)
            .open(&e)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn verdict_bytes(desk: &Path) -> u64 {
    shards(desk)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".verdicts.msgpack"))
        .map(|p| fs::metadata(p).unwrap().len())
        .sum()
}

/// `list` keeps the verdicts time can no longer change and uses them on later runs, at any
/// `--as-of` where they still hold. Run after run, at moments before and after one another,
/// its output is that of a desk judged afresh.
#[test]
fn kept_verdicts_list_what_a_fresh_judgement_lists_at_every_moment() {
    let warm = Desk::nowhere();
    support::generate(warm.path(), 400);
    age(warm.path());
    let cold = Desk::nowhere();
    crate::common::copy_dir(warm.path(), cold.path());
    for as_of in [
        "2026-12-31",
        "2025-06-15",
        "2026-03-01 12:00",
        "2026-12-31",
        "2025-06-15 08:00",
        "2026-06-30 23:59",
        "2025-02-01",
    ] {
        let list = |d: &Desk| d.cmd(&["list", "--format", "json", "--as-of", as_of]).ok();
        let _ = fs::remove_dir_all(cold.path().join(".plaint/cache"));
        assert_eq!(list(&warm), list(&cold), "--as-of {as_of}");
    }
    assert!(
        verdict_bytes(warm.path()) > 20_000,
        "verdicts kept: {} bytes",
        verdict_bytes(warm.path())
    );
}

/// A complaint closed and called back keeps its verdict, until a later complaint about the
/// same target changes what its group counts: §6.1.3.1, a third complaint about one target
/// makes each of them important.
#[test]
fn a_kept_verdict_gives_way_to_a_new_complaint_about_the_same_target() {
    let d = Desk::new();
    let log = |at: &str| d.log(&["--at", at, "--target", "3栋电梯"]);
    let a = log("2026-11-02 10:00");
    // Handled within the hour and called back the same day: every step in time (§8.1,
    // §7.4), closed before a week was out (§6.1.3.4).
    for (step, at) in [
        (vec!["forward"], "10:10"),
        (vec!["respond"], "10:20"),
        (vec!["assign", "--department", "property"], "10:30"),
        (vec!["plan", "--action", "repair"], "11:00"),
        (vec!["close", "--reason", "confirmed"], "15:00"),
        (
            vec![
                "callback",
                "--timeliness",
                "9",
                "--plan",
                "9",
                "--attitude",
                "9",
            ],
            "16:00",
        ),
    ] {
        let at = format!("2026-11-02 {at}");
        let mut args = vec![step[0], a.as_str()];
        args.extend(&step[1..]);
        args.extend(["--at", at.as_str()]);
        d.cmd(&args).ok();
    }
    log("2026-11-03 10:00");
    age(d.path());
    let grade_of_a = |d: &Desk| {
        let list = d.json(&["list", "--as-of", "2026-11-20"]);
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == a.as_str())
            .unwrap()["grade"]
            .clone()
    };
    assert_eq!(grade_of_a(&d), "general");
    assert!(verdict_bytes(d.path()) > 0);
    log("2026-11-04 10:00");
    assert_eq!(grade_of_a(&d), "important");
    let _ = fs::remove_dir_all(d.path().join(".plaint/cache"));
    assert_eq!(grade_of_a(&d), "important");
}
