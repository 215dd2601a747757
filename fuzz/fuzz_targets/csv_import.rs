//! A CSV sheet, any bytes: decoding, reading rows and checking every row as `import` does
//! never panics and stays bounded; each row is imported whole or reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaint::import::{self, Defaults, Known, sheet};
use plaint::rules::Rules;
use std::sync::OnceLock;

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(Rules::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Ok(sh) = sheet::csv_rows(data, None) else {
        return;
    };
    let rules = rules();
    let Ok(cols) = import::columns(rules, &sh.headers, true) else {
        return;
    };
    let now = plaint::time::parse_moment("2026-11-20 12:00", rules.offset).expect("a moment");
    let defaults = Defaults {
        by: "fuzz",
        received: now,
        now,
        tolerance: chrono::Duration::minutes(10),
        source: "fuzz.csv",
    };
    let plan = import::plan(rules, "fuzz.csv", &sh, &cols, &Known::default(), &defaults, || {});
    for p in &plan.tickets {
        let text = plaint::desk::store::ticket_text(&p.ticket).expect("a planned ticket writes");
        let back: plaint::ticket::Ticket =
            plaint::yaml::from_str(&text).expect("what import writes reads back");
        assert_eq!(back.events.len(), p.ticket.events.len());
    }
});
