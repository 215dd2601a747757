//! Realistic generated desks for benchmarks: Chinese text, the six projects, 3–8 events per
//! ticket across their whole life, written with plaint's own ticket format.
#![allow(dead_code)]

use plaint::desk::store::ticket_text;
use plaint::money::Money;
use plaint::ticket::{self, Action, Event, Ticket};
use plaint::time::{Moment, parse_offset};
use std::fs;
use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift), so every desk of a size is the same.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

pub const PROJECTS: [&str; 6] = [
    "实力五星彩园",
    "实力北岸",
    "实力上筑",
    "实力郡城",
    "书香大地",
    "实力锦城",
];
pub const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙",
];
pub const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"];
pub const SUBJECTS: [(&str, &str); 8] = [
    ("卫生间漏水", "maintenance"),
    ("电梯故障", "property-service"),
    ("车位承诺未兑现", "sales-contract"),
    ("延期交楼", "delivery-delay"),
    ("园区绿化差", "amenities"),
    ("保安态度差", "service-attitude"),
    ("商铺租金上涨", "leasing"),
    ("房产证迟迟未办", "certificates"),
];

/// Bumped whenever the generator changes, so that stale desks are not reused.
const GENERATION: &str = "g3";

/// The desk of `n` tickets under target/bench-desks/, generated on first use.
pub fn desk(n: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-desks")
        .join(format!("{GENERATION}-{n}"));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        let t = std::time::Instant::now();
        generate(&root, n);
        std::fs::write(&done, "").unwrap();
        eprintln!("generated {n} tickets in {:.1}s", t.elapsed().as_secs_f64());
    }
    root
}

/// The desk of `n` tickets with a comment line added by hand to every file (as an admin's
/// editor might leave), under target/bench-desks/, made on first use.
pub fn hand_edited(n: usize) -> PathBuf {
    let src = desk(n);
    let root = src.with_file_name(format!("{GENERATION}-{n}-edited"));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::copy(src.join("rules.yaml"), root.join("rules.yaml")).unwrap();
        copy_commented(&src.join("tickets"), &root.join("tickets"));
        std::fs::write(&done, "").unwrap();
    }
    root
}

fn copy_commented(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_commented(&p, &to.join(e.file_name()));
        } else {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(to.join(e.file_name()), format!("# 已核对 王芳\n{text}")).unwrap();
        }
    }
}

/// Writes `n` tickets received over 2025-01 … 2026-12 into `root`.
pub fn generate(root: &Path, n: usize) {
    std::fs::create_dir_all(root.join("tickets")).unwrap();
    std::fs::write(root.join("rules.yaml"), plaint::rules::BUILTIN).unwrap();
    let offset = parse_offset("+08:00").unwrap();
    let start = plaint::time::parse_moment("2025-01-01 08:00", offset).unwrap();
    let span_minutes: i64 = 730 * 24 * 60;
    let mut rng = Rng::new(42);
    let mut serials: std::collections::HashMap<String, u32> = Default::default();
    for i in 0..n {
        let received = start + chrono::Duration::minutes((i as i64 * span_minutes) / n as i64);
        let ym = received.format("%Y%m").to_string();
        let serial = serials.entry(ym.clone()).or_insert(0);
        *serial += 1;
        let id = format!("{ym}-{:04}", serial);
        let t = ticket(&mut rng, id, received);
        let dir = root
            .join("tickets")
            .join(received.format("%Y/%m").to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}.yaml", t.id)), ticket_text(&t).unwrap()).unwrap();
    }
}

fn ev(at: Moment, by: &str, action: Action) -> Event {
    Event::new(at, by, action)
}

pub fn ticket(rng: &mut Rng, id: String, received: Moment) -> Ticket {
    let (subject, ty) = *rng.pick(&SUBJECTS);
    let name = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
    let handler = format!("{}工", rng.pick(&SURNAMES));
    let h = |hours: i64| received + chrono::Duration::minutes(hours * 60 + (rng_minutes(hours)));
    let mut events = vec![
        ev(h(1), "王芳", Action::Forward(ticket::Note::default())),
        ev(
            h(1),
            "王芳",
            Action::Assign(Box::new(ticket::Assign {
                department: None,
                handler: Some(handler.clone()),
                cooperating: vec![],
            })),
        ),
        ev(
            h(2),
            &handler,
            Action::Respond(ticket::Note {
                note: Some("已电话联系业主".into()),
            }),
        ),
    ];
    // Old complaints are nearly all closed and called back; the last month's are at every
    // stage of their life.
    let age_days = (plaint::time::parse_moment("2026-12-31", *received.offset()).unwrap()
        - received)
        .num_days();
    let stage = if age_days > 30 {
        match rng.below(100) {
            0..=1 => rng.below(5),
            2..=4 => 5,
            _ => 9,
        }
    } else {
        rng.below(10)
    };
    // Now and then a corrected phone number, and a written request for more time.
    if rng.below(5) == 0 {
        events.push(ev(
            h(3),
            "王芳",
            Action::Amend(Box::new(ticket::Facts {
                phone: Some(format!("13{:09}", rng.below(1_000_000_000))),
                reason: Some("客户更正联系方式".into()),
                ..Default::default()
            })),
        ));
    }
    if rng.below(10) == 0 {
        events.push(ev(
            h(5),
            &handler,
            Action::Delay(ticket::Delay {
                reason: "需等待材料到货".into(),
                approved_by: "刘部长".into(),
                role: Some("部门负责人".into()),
            }),
        ));
    }
    if stage >= 3 {
        events.push(ev(
            h(6),
            &handler,
            Action::Plan(Box::new(ticket::Plan {
                action: "repair".into(),
                start: None,
                finish: Some(received + chrono::Duration::days(10)),
                cost: Some(Money::yuan(rng.below(5000) as i64)),
                note: None,
            })),
        ));
    }
    if stage >= 5 {
        let days = 1 + rng.below(20) as i64;
        events.push(ev(
            received + chrono::Duration::days(days),
            "王芳",
            Action::Close(ticket::Close {
                reason: "confirmed".into(),
                property_confirmed: true,
                note: Some("业主书面确认".into()),
            }),
        ));
        if stage >= 6 {
            events.push(ev(
                received + chrono::Duration::days(days) + chrono::Duration::hours(3),
                "王芳",
                Action::Callback(Box::new(ticket::Callback {
                    timeliness: 5 + rng.below(6) as u8,
                    plan: 5 + rng.below(6) as u8,
                    attitude: 6 + rng.below(5) as u8,
                    acknowledged: Some(true),
                    visited: Some(rng.below(2) == 0),
                    comment: Some("总体满意".into()),
                })),
            ));
        }
    }
    Ticket {
        id,
        ext_ref: None,
        project: rng.pick(&PROJECTS).to_string(),
        received_at: received,
        received_by: "customer-service".into(),
        channel: "phone".into(),
        logged_by: Some("王芳".into()),
        entered_at: None,
        source: None,
        fingerprint: None,
        unrecorded: Vec::new(),
        name,
        phone: format!("13{:09}", rng.below(1_000_000_000)),
        unit: Some(format!(
            "{}栋{}单元{}",
            1 + rng.below(20),
            1 + rng.below(4),
            101 + rng.below(3000)
        )),
        subject: subject.into(),
        description: Some(format!(
            "{subject},业主反映多次未果,情绪激动,要求尽快处理。"
        )),
        request: Some("尽快处理并给出书面答复".into()),
        headcount: if rng.below(20) == 0 { 3 } else { 1 },
        flags: if rng.below(15) == 0 {
            vec!["safety".into()]
        } else {
            vec![]
        },
        compensation: None,
        target: (rng.below(4) == 0).then(|| format!("{}栋电梯", 1 + rng.below(20))),
        type_: Some(ty.into()),
        events,
    }
}

fn rng_minutes(hours: i64) -> i64 {
    (hours * 7) % 50
}

/// A ticket of the desk's November 2026 with a target (its same-target group is large).
#[allow(dead_code)]
pub fn with_target(desk: &Path) -> Option<String> {
    let dir = desk.join("tickets/2026/11");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    names.into_iter().find_map(|p| {
        let text = fs::read_to_string(&p).ok()?;
        text.lines()
            .any(|l| l.starts_with("target:"))
            .then(|| p.file_stem()?.to_str().map(str::to_string))
            .flatten()
    })
}
