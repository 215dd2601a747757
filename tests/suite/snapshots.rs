//! Tables as a person sees them, at fixed widths (`$COLUMNS`), kept as snapshots
//! (tests/suite/snapshots/): a change to what the example desk's list, report, penalties or a
//! ticket look like shows up as a diff to review.

use crate::common::Desk;

fn at_width(d: &Desk, width: &str, args: &[&str]) -> String {
    let out = d.cmd(args).env("COLUMNS", width).ok();
    // The footer names the rulebook by its path: the temporary desk's differs every run.
    out.replace(d.path().to_str().unwrap(), "DESK")
}

#[test]
fn tables_at_60_100_and_160_columns() {
    let d = Desk::example();
    let commands: [(&str, &[&str]); 4] = [
        ("list", &["list", "--as-of", "2026-11-20"]),
        (
            "report",
            &[
                "report",
                "--month",
                "2026-11",
                "--by",
                "department",
                "--as-of",
                "2026-11-20",
            ],
        ),
        (
            "penalties",
            &["penalties", "--month", "2026-11", "--as-of", "2026-11-20"],
        ),
        ("show", &["show", "202611-0003", "--as-of", "2026-11-20"]),
    ];
    for width in ["60", "100", "160"] {
        for (name, args) in commands {
            insta::assert_snapshot!(format!("{name}_{width}"), at_width(&d, width, args));
        }
    }
}
