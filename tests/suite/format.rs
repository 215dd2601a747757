//! The ticket file format: what plaint's writer puts in a ticket file reads back the same
//! through the YAML library and through plaint's own fast reader (which reads the files
//! plaint writes without the library, and must never read them differently). Every event
//! kind once by hand, then two thousand generated tickets of awkward text.

use plaint::desk::store::{event_text, ticket_text};
use plaint::money::Money;
use plaint::ticket::{
    Action, Assign, Callback, Classify, Close, Delay, Event, Facts, Note, Plan, Reason, StepDone,
    Ticket, Violation, Void,
};
use plaint::time::{Moment, parse_moment, parse_offset};
use plaint::yaml;
use std::collections::BTreeSet;

fn moment(s: &str) -> Moment {
    parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
}

/// Each kind's name, by a match with no catch-all: a new kind of event fails to compile
/// here until it is added to `every_kind` below.
fn kind_name(a: &Action) -> &'static str {
    match a {
        Action::Amend(_) => "amend",
        Action::Classify(_) => "classify",
        Action::Assign(_) => "assign",
        Action::Plan(_) => "plan",
        Action::Callback(_) => "callback",
        Action::Forward(_) => "forward",
        Action::Respond(_) => "respond",
        Action::Close(_) => "close",
        Action::Reopen(_) => "reopen",
        Action::Escalate(_) => "escalate",
        Action::Delay(_) => "delay",
        Action::Violation(_) => "violation",
        Action::Step(_) => "step",
        Action::Void(_) => "void",
    }
}

const KINDS: usize = 14;

/// One action of every kind, with every field it has filled from `text` (and the numbers,
/// flags and times a person enters); `full` false leaves every optional field out.
fn every_kind(text: &dyn Fn(usize) -> String, full: bool) -> Vec<Action> {
    let some = |i: usize| full.then(|| text(i));
    vec![
        Action::Amend(Box::new(Facts {
            project: some(0),
            name: some(1),
            phone: some(2),
            unit: some(3),
            subject: some(4),
            description: some(5),
            request: some(6),
            channel: some(7),
            received_by: some(8),
            headcount: full.then_some(12),
            flags: full.then(|| vec![text(9), "safety".into()]),
            compensation: full.then_some(Money(123_456)),
            target: some(10),
            type_: some(11),
            ext_ref: some(12),
            reason: Some(text(13)),
        })),
        Action::Classify(Box::new(Classify {
            valid: full.then_some(false),
            invalid_reason: some(14),
            type_: some(15),
            category: some(16),
            target: some(17),
            headcount: full.then_some(3),
            flags: full.then(|| vec![text(18)]),
            compensation: full.then_some(Money(50)),
            grade: some(18),
            reason: some(19),
        })),
        Action::Assign(Box::new(Assign {
            department: some(20),
            handler: some(21),
            cooperating: if full {
                vec![text(22), text(23)]
            } else {
                Vec::new()
            },
        })),
        Action::Plan(Box::new(Plan {
            action: text(24),
            start: full.then(|| moment("2026-11-03 09:00")),
            finish: full.then(|| moment("2026-11-20 23:59:59")),
            cost: full.then_some(Money(1_250)),
            note: some(25),
        })),
        Action::Callback(Box::new(Callback {
            timeliness: 9,
            plan: 0,
            attitude: 10,
            acknowledged: full.then_some(true),
            visited: full.then_some(false),
            comment: some(26),
        })),
        Action::Forward(Note { note: some(27) }),
        Action::Respond(Note { note: some(28) }),
        Action::Close(Close {
            reason: text(29),
            property_confirmed: full,
            note: some(30),
        }),
        // Only an escalation names the department it moved the complaint to.
        Action::Reopen(Reason {
            reason: text(31),
            department: None,
        }),
        Action::Escalate(Reason {
            reason: text(33),
            department: some(34),
        }),
        Action::Delay(Delay {
            reason: text(35),
            approved_by: text(36),
            role: some(37),
        }),
        Action::Violation(Violation {
            rule: text(38),
            person: text(39),
            department: text(40),
        }),
        Action::Step(Box::new(StepDone {
            step: text(41),
            role: some(42),
            approved_by: some(43),
            note: some(44),
        })),
        Action::Void(Void {
            event: 3,
            reason: text(45),
        }),
    ]
}

fn event(action: Action, by: String, full: bool) -> Event {
    let at = moment("2026-11-02 10:00");
    Event {
        at,
        by: by.clone(),
        action,
        entered_at: full.then(|| moment("2026-11-04 16:30")),
        source: full.then(|| format!("{by}.xlsx:7")),
        entered_by: full.then(|| format!("{by} 管理员")),
    }
}

/// A ticket with every intake field filled from `text` (or only the required ones), and the
/// given events.
fn ticket(n: usize, text: &dyn Fn(usize) -> String, full: bool, events: Vec<Event>) -> Ticket {
    let some = |i: usize| full.then(|| text(i));
    Ticket {
        id: format!("202611-{:04}", n % 10_000 + 1),
        ext_ref: some(50),
        project: text(51),
        received_at: moment("2026-11-02 09:30"),
        entered_at: full.then(|| moment("2026-11-02 11:00")),
        received_by: text(52),
        channel: text(53),
        logged_by: some(54),
        name: text(55),
        phone: text(56),
        unit: some(57),
        subject: text(58),
        description: some(59),
        request: some(60),
        headcount: 2,
        flags: if full {
            vec![text(61), "media".into()]
        } else {
            Vec::new()
        },
        compensation: full.then_some(Money(99)),
        target: some(62),
        type_: some(63),
        source: some(64),
        fingerprint: some(65),
        unrecorded: if full {
            vec!["forward".into(), text(66)]
        } else {
            Vec::new()
        },
        events,
    }
}

/// `text` written by plaint's writer reads back as `want` through the library, and through
/// the fast reader whenever it takes the file; returns whether it did.
fn reads_back(text: &str, want: &Ticket) -> bool {
    let want = format!("{want:?}");
    let full: Ticket = yaml::from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    assert_eq!(format!("{full:?}"), want, "the library reads back:\n{text}");
    let fast = yaml::fast::from_str::<Ticket>(text);
    if let Some(fast) = &fast {
        assert_eq!(format!("{fast:?}"), want, "the fast reader reads:\n{text}");
    }
    fast.is_some()
}

#[test]
fn every_event_kind_round_trips_through_the_writer_and_both_readers() {
    let plain = |i: usize| format!("王芳{i}");
    for full in [true, false] {
        let actions = every_kind(&plain, full);
        let kinds: BTreeSet<&str> = actions.iter().map(kind_name).collect();
        assert_eq!(kinds.len(), KINDS, "{kinds:?}");
        for a in &actions {
            assert_eq!(a.kind(), kind_name(a));
        }
        let events: Vec<Event> = actions
            .into_iter()
            .map(|a| event(a, "王芳".into(), full))
            .collect();
        let t = ticket(1, &plain, full, events);
        let text = ticket_text(&t).unwrap();
        for kind in &kinds {
            assert!(
                text.contains(&format!("  kind: {kind}\n")),
                "{kind}:\n{text}"
            );
        }
        // Plain text takes the fast road, every kind of event.
        assert!(reads_back(&text, &t), "the fast reader declines:\n{text}");
        let via: Ticket = yaml::from_str_fast(&text).unwrap();
        assert_eq!(
            format!("{via:?}"),
            format!("{t:?}"),
            "from_str_fast:\n{text}"
        );
        // Each event as it is appended to the file, alone.
        for e in &t.events {
            let one = event_text(e).unwrap();
            let full: Vec<Event> = yaml::from_str(&one).unwrap();
            assert_eq!(format!("{full:?}"), format!("{:?}", [e]), "{one}");
            let fast: Vec<Event> = yaml::fast::from_str(&one).expect(&one);
            assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{one}");
        }
        // Writing what was read gives the same file.
        let again: Ticket = yaml::from_str(&text).unwrap();
        assert_eq!(ticket_text(&again).unwrap(), text);
    }
}

/// A small deterministic generator (xorshift64*), so every run checks the same tickets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// What most complaints are written in.
#[rustfmt::skip]
const PLAIN: &[&str] = &[
    "卫生间漏水", "业主", "实力北岸", "，", "。", "“", "”", "a", "Z", "x y", " ", "\n", "12",
];

/// Pieces of what people type into a complaint, chosen for what YAML makes of them: text
/// that reads as a number, a date, a boolean or null, quotes, colons, comments, indicators,
/// blank and indented lines, tabs, Chinese punctuation, characters YAML escapes.
#[rustfmt::skip]
const AWKWARD: &[&str] = &[
    "：", "【", "】", "（", "）", "  ", "\t", "\n\n", "\n  ", "'", "\"", "''", "\\", ":", ": ", "#",
    " #", "# ", "-", "- ", "--- ", "...", "?", "? ", "@", "`", "%", "!", "&a", "*a", "|", ">",
    "[", "]", "{", "}", ",", "=", "<<", "~", "null", "Null", "true", "false", "yes", "No", "on",
    "OFF", "y", "n", "0", "06", "-007", "12.5", ".5", "1e3", "+1", "-1", "0x1F", "0o17",
    "1_000", ".inf", "-.inf", ".NaN", "2026-11-02", "2026-11-02 10:00",
    "2026-11-02T10:00:00+08:00", "10:00", "1:30:00", "13800000000", "😀", "é", "\u{a0}",
    "\u{3000}", "\u{2028}", "\u{feff}", "\u{ffff}", "\u{fffe}",
];

/// The pieces one ticket's text is made of: the plain ones and a few awkward ones, so that
/// each awkward piece meets the others, and some tickets are plain enough for the fast
/// reader to take.
fn palette(rng: &mut Rng) -> Vec<&'static str> {
    let mut p = PLAIN.to_vec();
    for _ in 0..rng.below(5) {
        p.push(rng.pick(AWKWARD));
    }
    p
}

/// A random piece of text plaint accepts (printable, with newlines and tabs).
fn text(rng: &mut Rng, palette: &[&str]) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(6) {
        s.push_str(rng.pick(palette));
    }
    if rng.below(8) == 0 {
        // Whole values that YAML would read as something other than text.
        s = rng.pick(palette).to_string();
    }
    assert!(plaint::ticket::unprintable(&s).is_none(), "{s:?}");
    s
}

fn money(rng: &mut Rng) -> Money {
    Money([0, 1, 5, 50, 100, 1_250, 123_456, 99_999_999][rng.below(8)])
}

fn random_ticket(n: usize, rng: &mut Rng) -> Ticket {
    let palette = palette(rng);
    let texts: Vec<String> = (0..70).map(|_| text(rng, &palette)).collect();
    let t = |i: usize| texts[i].clone();
    let full = rng.below(3) != 0;
    let mut actions = every_kind(&t, full);
    for a in &mut actions {
        match a {
            Action::Amend(f) => f.compensation = f.compensation.map(|_| money(rng)),
            Action::Classify(c) => {
                c.valid = c.valid.map(|_| rng.below(2) == 0);
                // Flags cleared: `flags: []`.
                if rng.below(4) == 0 {
                    c.flags = c.flags.as_ref().map(|_| Vec::new());
                }
            }
            Action::Plan(p) => p.cost = p.cost.map(|_| money(rng)),
            Action::Callback(c) => {
                c.timeliness = rng.below(11) as u8;
                c.acknowledged = c.acknowledged.map(|_| rng.below(2) == 0);
            }
            Action::Void(v) => v.event = 1 + rng.below(20),
            _ => {}
        }
    }
    // Some of every kind, in any order, some kinds more than once.
    let mut events = Vec::new();
    for _ in 0..rng.below(KINDS) {
        let a = actions[rng.below(actions.len())].clone();
        let by = text(rng, &palette);
        events.push(event(a, by, rng.below(2) == 0));
    }
    let mut t = ticket(n, &t, full, events);
    t.headcount = rng.below(1000) as u32;
    t.compensation = t.compensation.map(|_| money(rng));
    t
}

/// Two thousand generated tickets: the library reads back each exactly as it was
/// written, and the fast reader, wherever it takes a file, reads what the library reads.
#[test]
fn generated_tickets_read_the_same_through_both_readers() {
    const CASES: usize = 2000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut fast = 0;
    let mut kinds = BTreeSet::new();
    for n in 0..CASES {
        let t = random_ticket(n, &mut rng);
        kinds.extend(t.events.iter().map(|e| kind_name(&e.action)));
        let text = ticket_text(&t).unwrap();
        if reads_back(&text, &t) {
            fast += 1;
        }
    }
    assert_eq!(kinds.len(), KINDS);
    eprintln!("the fast reader took {fast} of {CASES} generated tickets");
    // Awkward text (an escaped character, `flags: []`) sends many files to the library;
    // a third or more must still take the fast road for the comparison to mean much.
    assert!(fast * 3 >= CASES, "the fast reader took {fast} of {CASES}");
}
