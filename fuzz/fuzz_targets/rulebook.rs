//! A rulebook, any bytes: validation never panics and stays bounded, and a rulebook that
//! passes judges a complaint (deadlines, fines, calendar) without a panic or an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaint::rules::Rules;
use plaint::rules::assess::Assessment;
use plaint::rules::grading::Peers;
use plaint::ticket::Ticket;

const TICKET: &str = "id: 202611-0001\nproject: 实力北岸\nreceived_at: 2026-11-06T23:30:00+08:00\n\
received_by: customer-service\nchannel: phone\nlogged_by: 王芳\nname: 张三\nphone: '138'\n\
subject: 漏水\nheadcount: 3\nflags:\n- safety\ncompensation: '500'\ntarget: 3栋\ntype: maintenance\n\
events:\n- at: 2026-11-07T08:00:00+08:00\n  by: 王芳\n  kind: forward\n\
- at: 2026-11-09T08:30:00+08:00\n  by: 王芳\n  kind: close\n  reason: confirmed\n\
- at: 2026-11-10T08:30:00+08:00\n  by: 王芳\n  kind: reopen\n  reason: again\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = Rules::parse(text) else {
        return;
    };
    let t: Ticket = plaint::yaml::from_str(TICKET).expect("the fixed ticket reads");
    let as_of = t.received_at + chrono::Duration::days(400);
    let peers = Peers::index(&rules, std::slice::from_ref(&t), as_of);
    let judged = Assessment::of(&rules, &t, &peers, as_of);
    let period = plaint::report::period::Period {
        from: t.received_at.date_naive(),
        to: as_of.date_naive(),
    };
    let _ = plaint::rules::penalties::penalties(&rules, std::slice::from_ref(&judged), period, as_of, &[]);
});
