//! Benchmark of one step in a desk a git repository keeps, next to its floor: the same step
//! without a commit (`--no-commit`) plus git's own plumbing committing that one file
//! (`hash-object -w`, `update-index --cacheinfo`, `write-tree`, `commit-tree`,
//! `update-ref`), timed alternately in the same run.
//!
//!     cargo bench --bench git                  # 100k tickets
//!     PLAINT_BENCH_SIZES=10000 cargo bench --bench git
//!
//! The generated desk (benches/support/mod.rs) is copied once into a repository under
//! target/bench-desks/ and committed whole; each step appends one event to one ticket.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn must(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "b@example.invalid")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "b@example.invalid");
    c
}

/// The generated desk of `n` tickets in a git repository, committed whole (made once).
fn repository(n: usize) -> PathBuf {
    let src = support::desk(n);
    let root = src.with_file_name(format!(
        "{}-git",
        src.file_name().unwrap().to_string_lossy()
    ));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        must(Command::new("cp").arg("-r").arg(&src).arg(&root));
        let _ = std::fs::remove_file(root.join(".complete"));
        std::fs::write(
            root.join(".gitignore"),
            ".complete\n.plaint/\n.plaint.lock\n",
        )
        .unwrap();
        must(git(&root).args(["init", "--quiet", "--initial-branch=main"]));
        let t = Instant::now();
        must(git(&root).args(["add", "-A"]));
        must(git(&root).args(["commit", "--quiet", "-m", "desk"]));
        eprintln!("committed {n} tickets in {:.1}s", t.elapsed().as_secs_f64());
        std::fs::write(&done, "").unwrap();
    }
    root
}

fn main() {
    let exe = Path::new(env!("CARGO_BIN_EXE_plaint"));
    let sizes: Vec<usize> = std::env::var("PLAINT_BENCH_SIZES")
        .unwrap_or_else(|_| "100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for n in sizes {
        let root = repository(n);
        let id = support::with_target(&root).expect("a ticket");
        let rel = format!(
            "tickets/{}/{}/{id}.yaml",
            &id[id.len() - 11..id.len() - 7],
            &id[id.len() - 7..id.len() - 5]
        );
        assert!(root.join(&rel).exists(), "{rel}");
        let step = |commit: bool| {
            let mut c = Command::new(exe);
            if !commit {
                c.env("PLAINT_NO_COMMIT", "1");
            }
            c.arg("--desk").arg(&root).args([
                "violation",
                &id,
                "--rule",
                "mishandling",
                "--person",
                "基准",
                "--department",
                "property",
                "--by",
                "bench",
            ]);
            let t = Instant::now();
            must(&mut c);
            t.elapsed()
        };
        // git's floor for committing one changed file.
        let plumbing = || {
            let path = root.join(&rel);
            let mut text = std::fs::read_to_string(&path).unwrap();
            text.push_str("# bench\n");
            std::fs::write(&path, text).unwrap();
            let t = Instant::now();
            let blob = must(git(&root).args(["hash-object", "-w", &rel]));
            must(git(&root).args([
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("100644,{blob},{rel}"),
            ]));
            let tree = must(git(&root).args(["write-tree"]));
            let head = must(git(&root).args(["rev-parse", "HEAD"]));
            let commit = must(git(&root).args(["commit-tree", &tree, "-p", &head, "-m", "bench"]));
            must(git(&root).args(["update-ref", "HEAD", &commit, &head]));
            t.elapsed()
        };
        let start = must(git(&root).args(["rev-parse", "HEAD"]));
        // Warm the cache and the index once.
        step(false);
        step(true);
        let (mut with, mut without, mut floor) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..15 {
            with.push(step(true));
            without.push(step(false));
            floor.push(plumbing());
        }
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let (w, wo, f) = (median(with), median(without), median(floor));
        println!(
            "\n{n} tickets in git: step committed {:.1} ms; without a commit {:.1} ms; git plumbing committing one file {:.1} ms; committed step ×(without + plumbing) {:.2}",
            ms(w),
            ms(wo),
            ms(f),
            ms(w) / (ms(wo) + ms(f))
        );
        // Leave the repository as it was committed, for the next run.
        must(git(&root).args(["reset", "--quiet", "--hard", &start]));
    }
}
