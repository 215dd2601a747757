//! Merging two clones' versions of one ticket file (git's merge driver for tickets).
//!
//! A ticket file only grows: every step appends one event. When both sides only appended
//! to the common version, the merge keeps both sides' events (ours, then theirs; reading
//! orders them by time) and is clean. Anything else (a changed or removed line, two
//! different complaints added under one name) is not merged here: it is left to git as a
//! conflict for a person to look at.

/// The merged text, or `None` when the sides did more than append.
pub fn appends(base: &str, ours: &str, theirs: &str) -> Option<String> {
    // Two files added under one name are two complaints: never fuse them.
    if base.trim().is_empty() || !base.ends_with('\n') {
        return None;
    }
    let mine = ours.strip_prefix(base)?;
    let yours = theirs.strip_prefix(base)?;
    if yours.is_empty() || mine == yours {
        return Some(ours.to_string());
    }
    if mine.is_empty() {
        return Some(theirs.to_string());
    }
    // What each side added must be whole events, after an `events:` list.
    let whole = |s: &str| s.starts_with("- ") && s.ends_with('\n');
    if !whole(mine) || !whole(yours) || !base.lines().any(|l| l.starts_with("events:")) {
        return None;
    }
    let before = events(base);
    let shift = events(mine);
    Some(format!("{ours}{}", renumber(yours, before, shift)))
}

/// How many events (`- ` items at the left margin) a stretch of ticket text holds.
fn events(text: &str) -> usize {
    let from = text
        .lines()
        .position(|l| l.starts_with("events:"))
        .map_or(0, |i| i + 1);
    text.lines()
        .skip(from)
        .filter(|l| l.starts_with("- "))
        .count()
}

/// Their `void` events that name one of their own new events (numbered after `before`)
/// now name it `shift` places later, as our new events come first.
fn renumber(theirs: &str, before: usize, shift: usize) -> String {
    let mut out = String::with_capacity(theirs.len());
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, out: &mut String| {
        let void = block.iter().any(|l| l.trim_end() == "  kind: void");
        for l in block.drain(..) {
            let n = l
                .strip_prefix("  event: ")
                .and_then(|n| n.trim().parse::<usize>().ok());
            match n {
                Some(n) if void && n > before => out.push_str(&format!("  event: {}\n", n + shift)),
                _ => {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    };
    for line in theirs.lines() {
        if line.starts_with("- ") {
            flush(&mut block, &mut out);
        }
        block.push(line);
    }
    flush(&mut block, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "id: 202611-0001\nsubject: 漏水\nevents:\n- at: 2026-11-02T10:30:00+08:00\n  by: a\n  kind: forward\n";
    const OURS: &str = "- at: 2026-11-02T11:00:00+08:00\n  by: b\n  kind: respond\n";
    const THEIRS: &str =
        "- at: 2026-11-02T10:50:00+08:00\n  by: c\n  kind: assign\n  handler: 周工\n";

    #[test]
    fn appends_on_both_sides_merge() {
        let m = appends(BASE, &format!("{BASE}{OURS}"), &format!("{BASE}{THEIRS}")).unwrap();
        assert_eq!(m, format!("{BASE}{OURS}{THEIRS}"));
        // One side only, or the same event on both: no doubling.
        assert_eq!(
            appends(BASE, BASE, &format!("{BASE}{THEIRS}")).unwrap(),
            format!("{BASE}{THEIRS}")
        );
        assert_eq!(
            appends(BASE, &format!("{BASE}{OURS}"), &format!("{BASE}{OURS}")).unwrap(),
            format!("{BASE}{OURS}")
        );
    }

    #[test]
    fn their_void_follows_their_event() {
        // Theirs: event 2 (assign), then event 3 voids 2. After ours' event 2 comes first,
        // their assign is event 3 and the void must name 3.
        let void =
            "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: void\n  event: 2\n  reason: 录错\n";
        let m = appends(
            BASE,
            &format!("{BASE}{OURS}"),
            &format!("{BASE}{THEIRS}{void}"),
        )
        .unwrap();
        assert!(
            m.ends_with("  kind: void\n  event: 3\n  reason: 录错\n"),
            "{m}"
        );
        // A void of an event both sides already had keeps its number.
        let old =
            "- at: 2026-11-02T12:00:00+08:00\n  by: c\n  kind: void\n  event: 1\n  reason: x\n";
        let m = appends(BASE, &format!("{BASE}{OURS}"), &format!("{BASE}{old}")).unwrap();
        assert!(m.ends_with("  event: 1\n  reason: x\n"), "{m}");
    }

    #[test]
    fn anything_but_appends_is_a_conflict() {
        let changed = BASE.replace("漏水", "渗水");
        assert!(
            appends(
                BASE,
                &format!("{changed}{OURS}"),
                &format!("{BASE}{THEIRS}")
            )
            .is_none()
        );
        assert!(appends(BASE, "id: 202611-0001\n", &format!("{BASE}{THEIRS}")).is_none());
        // Two new files under one name.
        assert!(appends("", BASE, &BASE.replace("漏水", "噪音")).is_none());
        // Half an event.
        assert!(
            appends(
                BASE,
                &format!("{BASE}  note: x\n"),
                &format!("{BASE}{THEIRS}")
            )
            .is_none()
        );
    }
}
