//! A ticket file, any bytes: reading it never panics and stays bounded; whatever the fast
//! reader accepts, the YAML library reads the same way (the differential check); and a
//! ticket that reads is judged, shown and fined without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaint::rules::Rules;
use plaint::rules::assess::Assessment;
use plaint::rules::grading::Peers;
use plaint::ticket::Ticket;
use std::sync::OnceLock;

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(Rules::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fast = plaint::yaml::fast::from_str::<Ticket>(text);
    let full = plaint::yaml::from_str::<Ticket>(text);
    if let Some(f) = &fast {
        let full = full
            .as_ref()
            .unwrap_or_else(|e| panic!("the fast reader accepted what the library refuses: {e}"));
        assert_eq!(format!("{f:?}"), format!("{full:?}"), "the two readers disagree");
    }
    let Ok(t) = plaint::yaml::from_str_fast::<Ticket>(text) else {
        return;
    };
    let rules = rules();
    let as_of = t.received_at + chrono::Duration::days(40);
    let peers = Peers::index(rules, std::slice::from_ref(&t), as_of);
    let judged = Assessment::of(rules, &t, &peers, as_of);
    let period = plaint::report::period::Period {
        from: t.received_at.date_naive(),
        to: as_of.date_naive(),
    };
    let _ = plaint::rules::penalties::penalties(rules, std::slice::from_ref(&judged), period, as_of, &[]);
    let _ = plaint::desk::store::ticket_text(&t);
});
