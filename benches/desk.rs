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
        "figures are medians in ms; ×cat is against `cat` of the same files timed alternately; \
         cold = no plaint cache (.plaint/cache removed before each run), warm = cache built; \
         edited = every file with a hand-added comment line; MB = peak resident memory"
    );
    for n in sizes {
        let desk = support::desk(n);
        let edited = support::hand_edited(n);
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
        println!("\n{n} tickets: log {:.1} ms", log.as_secs_f64() * 1e3);
        // show: a ticket with a target, whose same-target peers come from the target index.
        if let Some(id) = support::with_target(&desk) {
            let show = |root: &Path| {
                let root = root.to_path_buf();
                let id = id.clone();
                move || {
                    run(Command::new(exe).arg("--desk").arg(&root).args([
                        "show",
                        &id,
                        "--as-of",
                        "2026-12-31",
                    ]))
                }
            };
            // A desk-wide read writes the index; it is trusted once the directories are
            // two seconds old.
            std::thread::sleep(Duration::from_millis(2100));
            run(Command::new(exe)
                .arg("--desk")
                .arg(&desk)
                .args(["report", "--month", "2026-11"]));
            let t = time(15, show(&desk));
            println!("show {id} (with a target): {:.1} ms", t.as_secs_f64() * 1e3);
        }
        println!(
            "{:<34} {:>9} {:>7} {:>9} {:>7} {:>9} {:>7} {:>7}",
            "command", "cold", "×cat", "warm", "×cat", "edited", "×cat", "MB"
        );
        let runs = if n >= 100_000 { 3 } else { 5 };
        let cat_of = |root: &Path| {
            let script = format!(
                "find '{}' -name '*.yaml' | xargs cat > /dev/null",
                root.join("tickets").display()
            );
            move || run(Command::new("sh").arg("-c").arg(&script))
        };
        let commands: [&[&str]; 4] = [
            &["report", "--month", "2026-11", "--as-of", "2026-12-31"],
            &["report", "--year", "2026", "--as-of", "2026-12-31"],
            &["penalties", "--month", "2026-11", "--as-of", "2026-12-31"],
            &["list", "--format", "json", "--as-of", "2026-12-31"],
        ];
        for args in commands {
            let plaint = |root: &Path| {
                let root = root.to_path_buf();
                move || {
                    run(Command::new(exe)
                        .env("PLAINT_NO_COMMIT", "1")
                        .arg("--desk")
                        .arg(&root)
                        .args(args))
                }
            };
            let uncached = |root: &Path| {
                let root = root.to_path_buf();
                let go = plaint(&root);
                move || {
                    let _ = std::fs::remove_dir_all(root.join(".plaint/cache"));
                    go()
                }
            };
            let (cold, cold_cat) = alternate(runs, uncached(&desk), cat_of(&desk));
            plaint(&desk)();
            let (warm, warm_cat) = alternate(runs, plaint(&desk), cat_of(&desk));
            plaint(&edited)();
            let (hand, hand_cat) = alternate(runs, plaint(&edited), cat_of(&edited));
            let mb = peak_mb(exe, &desk, args);
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "{:<34} {:>9.1} {:>7.2} {:>9.1} {:>7.2} {:>9.1} {:>7.2} {:>7}",
                args[..2].join(" "),
                ms(cold),
                ms(cold) / ms(cold_cat),
                ms(warm),
                ms(warm) / ms(warm_cat),
                ms(hand),
                ms(hand) / ms(hand_cat),
                mb.map_or("—".to_string(), |m| format!("{m:.0}")),
            );
        }
    }
}

/// Medians of `a` and `b`, run alternately so that both see the same machine.
fn alternate(runs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        a();
        ta.push(t.elapsed());
        let t = Instant::now();
        b();
        tb.push(t.elapsed());
    }
    (median(ta), median(tb))
}

/// Peak resident memory of one run, in MB, as GNU time reports it (when it is installed).
fn peak_mb(exe: &Path, desk: &Path, args: &[&str]) -> Option<f64> {
    let out = std::env::temp_dir().join(format!("plaint-bench-rss-{}", std::process::id()));
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&out)
        .arg(exe)
        .env("PLAINT_NO_COMMIT", "1")
        .arg("--desk")
        .arg(desk)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let kb: f64 = std::fs::read_to_string(&out).ok()?.trim().parse().ok()?;
    let _ = std::fs::remove_file(&out);
    status.success().then_some(kb / 1024.0)
}
