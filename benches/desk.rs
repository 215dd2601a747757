//! Benchmark of `log`, `list`, `report` and `penalties` on generated desks of 1k, 10k and
//! 100k tickets, next to `find tickets -name '*.yaml' | xargs cat` of the same files.
//!
//!     cargo bench --bench desk                 # all sizes
//!     PLAINT_BENCH_SIZES=1000,10000 cargo bench --bench desk
//!
//! Desks are generated once into target/bench-desks/ (see benches/support/mod.rs) and
//! reused. Each figure is the median of several runs of the real binary, next to the time
//! `cat` takes to read the same files (warm cache).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn run(cmd: &mut Command) {
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let exe = Path::new(env!("CARGO_BIN_EXE_plaint"));
    let sizes: Vec<usize> = std::env::var("PLAINT_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "{:>8}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
        "tickets",
        "log ms",
        "list ms",
        "month ms",
        "year ms",
        "fines ms",
        "cat ms",
        "month/cat",
        "fines/cat"
    );
    for n in sizes {
        let desk = support::desk(n);
        // log: one new complaint into a month that already holds its share of the desk.
        let mut added = Vec::new();
        let log = time(15, || {
            let out = Command::new(exe)
                .env("PLAINT_NO_COMMIT", "1")
                .arg("--desk")
                .arg(&desk)
                .args([
                    "log",
                    "--project",
                    "实力北岸",
                    "--name",
                    "基准",
                    "--phone",
                    "13800000000",
                    "--subject",
                    "基准测试",
                    "--at",
                    "2026-06-15 10:00",
                    "--by",
                    "bench",
                ])
                .output()
                .expect("runs");
            assert!(out.status.success());
            added.push(String::from_utf8(out.stdout).unwrap().trim().to_string());
        });
        for id in added {
            let _ = std::fs::remove_file(desk.join("tickets/2026/06").join(format!("{id}.yaml")));
        }
        let runs = if n >= 100_000 { 3 } else { 5 };
        let list = time(runs, || {
            run(Command::new(exe)
                .env("PLAINT_NO_COMMIT", "1")
                .arg("--desk")
                .arg(&desk)
                .args(["list", "--format", "json", "--as-of", "2026-12-31"]))
        });
        let plaint = |args: &[&str]| {
            time(runs, || {
                run(Command::new(exe)
                    .env("PLAINT_NO_COMMIT", "1")
                    .arg("--desk")
                    .arg(&desk)
                    .args(args))
            })
        };
        let month = plaint(&["report", "--month", "2026-11", "--as-of", "2026-12-31"]);
        let year = plaint(&["report", "--year", "2026", "--as-of", "2026-12-31"]);
        let fines = plaint(&["penalties", "--month", "2026-11", "--as-of", "2026-12-31"]);
        let cat = time(runs, || {
            run(Command::new("sh").arg("-c").arg(format!(
                "find '{}' -name '*.yaml' | xargs cat > /dev/null",
                desk.join("tickets").display()
            )))
        });
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{n:>8}  {:>9.1}  {:>9.1}  {:>9.1}  {:>9.1}  {:>9.1}  {:>9.1}  {:>7.2}  {:>7.2}",
            ms(log),
            ms(list),
            ms(month),
            ms(year),
            ms(fines),
            ms(cat),
            ms(month) / ms(cat),
            ms(fines) / ms(cat),
        );
    }
}
