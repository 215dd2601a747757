//! Merging two clones' versions of one ticket file (git's merge driver for tickets).
//!
//! A ticket file only grows: every step appends one event. The merge is the union of both
//! sides' events: ours as they stand (their text unchanged), then each event of theirs that
//! ours does not already hold, appended in their order, so `git diff` still shows only added
//! lines. An event is the same event on both sides when its kind, time, author and fields
//! are (`identity`): a step cherry-picked from the other site, or recorded on both, is
//! kept once. A `void` of theirs is renumbered to name the event it withdraws in the merged
//! file. A side that changed or removed a line of the common version, added anything but
//! whole events, or two complaints added under one name are not merged here: the caller
//! leaves them to git as a conflict for a person to look at.

use super::{Action, Event, Ticket};
use std::collections::HashMap;

/// What makes an event the event it is, as a string two events share exactly when they are
/// the same event: the kind, the moment (as an instant), who did it and every field of the
/// kind. A `void` names the event it withdraws through `target` (1-based, into the numbering
/// both events are compared in).
///
/// `entered_at`, `source` and `entered_by` are left out: they record when, from where and
/// by whom an event was written down, not what happened. The same step written down at two
/// sites (or the same sheet imported in two clones) is one step, and counting it twice
/// would fine the same person twice.
pub fn identity(e: &Event, target: impl Fn(usize) -> usize) -> String {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        for k in ["entered_at", "source", "entered_by"] {
            m.remove(k);
        }
        m.insert(
            "at".into(),
            e.at.with_timezone(&chrono::Utc).to_rfc3339().into(),
        );
        if let Action::Void(void) = &e.action {
            m.insert("event".into(), target(void.event).into());
        }
    }
    v.to_string()
}

/// For each event that repeats an earlier one of the same file: (its index, the earlier
/// one's index), 0-based, in file order.
pub fn repeats(events: &[Event]) -> Vec<(usize, usize)> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let key = identity(e, |n| n);
        match first.get(&key) {
            Some(j) => out.push((i, *j)),
            None => {
                first.insert(key, i);
            }
        }
    }
    out
}

/// The merged text: ours, then theirs' events ours does not hold. `Err` says, one line per
/// problem, why the two versions cannot be merged by appending.
pub fn union(base: &str, ours: &str, theirs: &str) -> Result<String, Vec<String>> {
    if ours == theirs {
        return Ok(ours.to_string());
    }
    // Two files added under one name are two complaints: never fuse them.
    if base.trim().is_empty() {
        return Err(vec![
            "both sides added a complaint under this name; they are two complaints, not one (give one of them another ID)".into(),
        ]);
    }
    let mut problems = Vec::new();
    let mut added = |side: &str, text: &'_ str| -> Option<String> {
        let Some(rest) = text.strip_prefix(base) else {
            problems.push(format!(
                "{side} version was changed, not only appended to: a line of the common version was changed or removed"
            ));
            return None;
        };
        if !rest.is_empty() && (!rest.starts_with("- ") || !base.ends_with('\n')) {
            problems.push(format!(
                "{side} version was changed, not only appended to: what it added is not whole events after the last one"
            ));
            return None;
        }
        Some(rest.to_string())
    };
    let mine = added("our", ours);
    let yours = added("their", theirs);
    let (Some(mine), Some(yours)) = (mine, yours) else {
        return Err(problems);
    };
    if !base.lines().any(|l| l.starts_with("events:")) {
        return Err(vec![
            "the common version has no `events:` line at the left margin, so events cannot be told apart".into(),
        ]);
    }
    let read = |side: &str, text: &str| -> Result<Ticket, String> {
        crate::yaml::from_str_fast::<Ticket>(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(
            |e| match e.line {
                Some(l) => format!(
                    "{side} version does not read as a ticket: line {l}: {}",
                    e.message
                ),
                None => format!("{side} version does not read as a ticket: {}", e.message),
            },
        )
    };
    let (o, t) = match (read("our", ours), read("their", theirs)) {
        (Ok(o), Ok(t)) => (o, t),
        (a, b) => return Err(a.err().into_iter().chain(b.err()).collect()),
    };
    let (new_o, new_t) = (blocks(&mine), blocks(&yours));
    let shared = t.events.len().checked_sub(new_t.len());
    if shared.is_none() || shared != o.events.len().checked_sub(new_o.len()) {
        return Err(vec![
            "the events added on each side could not be told apart line by line; merge it by hand"
                .into(),
        ]);
    }
    let shared = shared.unwrap_or(0);
    // Our events by identity, in our numbering (which is the merged one).
    let mut ours_by: HashMap<String, usize> = HashMap::new();
    for (i, e) in o.events.iter().enumerate() {
        ours_by.entry(identity(e, |n| n)).or_insert(i);
    }
    // Where each of their events is in the merged file (0-based).
    let mut at: Vec<usize> = (0..shared).collect();
    let mut text = ours.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut count = o.events.len();
    let mut expected: Vec<String> = o.events.iter().map(|e| identity(e, |n| n)).collect();
    for (k, block) in new_t.iter().enumerate() {
        let i = shared + k;
        let e = &t.events[i];
        if let Action::Void(v) = &e.action
            && !(1..=i).contains(&v.event)
        {
            return Err(vec![format!(
                "their event {} withdraws event {}, which is not an earlier event of their version",
                i + 1,
                v.event
            )]);
        }
        let key = identity(e, |n| at[n - 1] + 1);
        if let Some(j) = ours_by.get(&key) {
            at.push(*j);
            continue;
        }
        at.push(count);
        count += 1;
        expected.push(key);
        match &e.action {
            Action::Void(v) => text.push_str(&renumber(block, v.event, at[v.event - 1] + 1)),
            _ => text.push_str(block),
        }
    }
    // What was written must read back as exactly the union.
    let back = read("the merged", &text).map_err(|e| vec![e])?;
    let got: Vec<String> = back.events.iter().map(|e| identity(e, |n| n)).collect();
    if got != expected {
        return Err(vec![
            "the merged text does not read back as both sides' events; merge it by hand".into(),
        ]);
    }
    Ok(text)
}

/// Appended text cut into its events (each from a `- ` line at the left margin).
fn blocks(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        match out.last_mut() {
            Some(b) if !line.starts_with("- ") => b.push_str(line),
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// A void's text with its `event: from` line naming `to` instead.
fn renumber(block: &str, from: usize, to: usize) -> String {
    block
        .split_inclusive('\n')
        .map(|l| {
            let n = l
                .strip_prefix("  event: ")
                .and_then(|n| n.trim().parse::<usize>().ok());
            if n == Some(from) {
                format!("  event: {to}\n")
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "id: 202611-0001\nproject: p\nreceived_at: 2026-11-02T10:00:00+08:00\n\
                        received_by: customer-service\nchannel: phone\nname: n\nphone: '1'\n\
                        subject: 漏水\nheadcount: 1\nevents:\n\
                        - at: 2026-11-02T10:30:00+08:00\n  by: a\n  kind: forward\n";
    const OURS: &str = "- at: 2026-11-02T11:00:00+08:00\n  by: b\n  kind: respond\n";
    const THEIRS: &str =
        "- at: 2026-11-02T10:50:00+08:00\n  by: c\n  kind: assign\n  handler: 周工\n";
    const VIOLATION: &str = "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: violation\n  rule: mishandling\n  person: 王五\n  department: property\n";
    const DELAY: &str = "- at: 2026-11-02T13:00:00+08:00\n  by: b\n  kind: delay\n  reason: 等配件\n  approved_by: 赵总\n";

    fn merge(ours: &[&str], theirs: &[&str]) -> Result<String, Vec<String>> {
        union(
            BASE,
            &format!("{BASE}{}", ours.concat()),
            &format!("{BASE}{}", theirs.concat()),
        )
    }

    #[test]
    fn appends_on_both_sides_merge() {
        assert_eq!(
            merge(&[OURS], &[THEIRS]).unwrap(),
            format!("{BASE}{OURS}{THEIRS}")
        );
        // One side only, or the same event on both: no doubling.
        assert_eq!(merge(&[], &[THEIRS]).unwrap(), format!("{BASE}{THEIRS}"));
        assert_eq!(merge(&[OURS], &[]).unwrap(), format!("{BASE}{OURS}"));
        assert_eq!(merge(&[OURS], &[OURS]).unwrap(), format!("{BASE}{OURS}"));
    }

    #[test]
    fn the_same_event_on_both_sides_is_one_event() {
        // A cherry-picked violation, then our own delay: theirs adds nothing new.
        assert_eq!(
            merge(&[VIOLATION, DELAY], &[VIOLATION]).unwrap(),
            format!("{BASE}{VIOLATION}{DELAY}")
        );
        // The same two events in the other order.
        assert_eq!(
            merge(&[VIOLATION, DELAY], &[DELAY, VIOLATION]).unwrap(),
            format!("{BASE}{VIOLATION}{DELAY}")
        );
        // Written down at another time, or imported elsewhere: still the same event.
        let entered = VIOLATION.replace(
            "  by: c\n",
            "  by: c\n  entered_at: 2026-11-03T09:00:00+08:00\n  entered_by: 李娜\n",
        );
        assert_eq!(
            merge(&[VIOLATION], &[&entered, THEIRS]).unwrap(),
            format!("{BASE}{VIOLATION}{THEIRS}")
        );
        // Another field, another time or another author: another event.
        let other = VIOLATION.replace("王五", "赵六");
        assert_eq!(
            merge(&[VIOLATION], &[&other]).unwrap(),
            format!("{BASE}{VIOLATION}{other}")
        );
        assert_eq!(
            repeats(
                &crate::yaml::from_str::<Ticket>(&format!("{BASE}{VIOLATION}{DELAY}{VIOLATION}"))
                    .unwrap()
                    .events
            ),
            vec![(3, 1)]
        );
    }

    #[test]
    fn their_void_follows_their_event() {
        // Theirs: event 2 (assign), then event 3 voids 2. After ours' event 2 comes first,
        // their assign is event 3 and the void must name 3.
        let void =
            "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: void\n  event: 2\n  reason: 录错\n";
        let m = merge(&[OURS], &[THEIRS, void]).unwrap();
        assert_eq!(
            m,
            format!(
                "{BASE}{OURS}{THEIRS}{}",
                void.replace("event: 2", "event: 3")
            )
        );
        // A void of an event both sides already had keeps its number.
        let old =
            "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: void\n  event: 1\n  reason: x\n";
        assert_eq!(
            merge(&[OURS], &[old]).unwrap(),
            format!("{BASE}{OURS}{old}")
        );
        // Their void of an event we hold too names our copy.
        let of_violation =
            "- at: 2026-11-02T14:00:00+08:00\n  by: c\n  kind: void\n  event: 2\n  reason: 录错\n";
        assert_eq!(
            merge(&[DELAY, VIOLATION], &[VIOLATION, of_violation]).unwrap(),
            format!(
                "{BASE}{DELAY}{VIOLATION}{}",
                of_violation.replace("event: 2", "event: 3")
            )
        );
    }

    #[test]
    fn a_void_on_both_sides_of_the_same_event_is_one_void() {
        // Ours numbers the violation 3 (our respond came first), theirs 2: the same void.
        let void = |n: usize| {
            format!(
                "- at: 2026-11-02T14:00:00+08:00\n  by: c\n  kind: void\n  event: {n}\n  reason: 录错\n"
            )
        };
        assert_eq!(
            merge(&[OURS, VIOLATION, &void(3)], &[VIOLATION, &void(2)]).unwrap(),
            format!("{BASE}{OURS}{VIOLATION}{}", void(3))
        );
        // A void that names another event is another void.
        assert_eq!(
            merge(&[OURS, VIOLATION, &void(3)], &[VIOLATION, &void(1)]).unwrap(),
            format!("{BASE}{OURS}{VIOLATION}{}{}", void(3), void(1))
        );
    }

    #[test]
    fn anything_but_appends_is_a_conflict() {
        let changed = BASE.replace("漏水", "渗水");
        let e = union(
            BASE,
            &format!("{changed}{OURS}"),
            &format!("{BASE}{THEIRS}"),
        )
        .unwrap_err();
        assert!(
            e[0].contains("our version was changed, not only appended to"),
            "{e:?}"
        );
        let e = union(BASE, &format!("{BASE}{OURS}"), "id: 202611-0001\n").unwrap_err();
        assert!(e[0].contains("their version was changed"), "{e:?}");
        // Two new files under one name.
        assert!(union("", BASE, &BASE.replace("漏水", "噪音")).is_err());
        // Half an event: a field added to the last event of the common version.
        let e = union(
            BASE,
            &format!("{BASE}  note: x\n"),
            &format!("{BASE}{THEIRS}"),
        )
        .unwrap_err();
        assert!(e[0].contains("not whole events"), "{e:?}");
        // A void that names a later event.
        let bad =
            "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: void\n  event: 5\n  reason: x\n";
        assert!(merge(&[OURS], &[bad]).is_err());
    }
}
