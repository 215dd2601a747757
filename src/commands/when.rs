//! When and who: the present moment (`$PLAINT_NOW` stands in for the clock), the moment a
//! step happened and was written, `--as-of` and `--known-at`, and who is doing it.

use super::Desk;
use crate::cli::{ReadOpts, WriteOpts};
use crate::time::{Moment, human, parse_moment};
use anyhow::{Result, anyhow};
use chrono::Timelike;

/// The present moment in desk time, to the second. `$PLAINT_NOW` (any form `--at` takes)
/// stands in for the system clock, so that a demo desk or a test comes out the same on any
/// day.
pub fn now(desk: &Desk) -> Result<Moment> {
    if let Ok(s) = std::env::var("PLAINT_NOW")
        && !s.trim().is_empty()
    {
        return parse_moment(&s, desk.rules.offset).map_err(|e| anyhow!("$PLAINT_NOW: {e}"));
    }
    Ok(chrono::Utc::now()
        .with_timezone(&desk.rules.offset)
        .with_nanosecond(0)
        .expect("zero nanoseconds is valid"))
}

/// When a written event happened, and when it was written if that differs by more than
/// the rulebook's tolerance (SPEC §2): back-dating stays visible.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub at: Moment,
    pub entered_at: Option<Moment>,
}

impl Stamp {
    /// An event stamped with this moment.
    pub fn event(&self, by: &str, action: crate::ticket::Action) -> crate::ticket::Event {
        let mut e = crate::ticket::Event::new(self.at, by, action);
        e.entered_at = self.entered_at;
        e
    }
}

/// `--at` of a writing command, or now. A moment further in the future than the rulebook's
/// tolerance is refused: nobody can record what has not happened yet.
pub fn event_time(desk: &Desk, w: &WriteOpts) -> Result<Stamp> {
    let Some(s) = &w.at else {
        return Ok(Stamp {
            at: now(desk)?,
            entered_at: None,
        });
    };
    let at = parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--at: {e}"))?;
    stamp(desk, at, now(desk)?).map_err(|e| anyhow!("--at: {e}"))
}

/// Stamps a moment given for an event, written at `now`.
pub fn stamp(desk: &Desk, at: Moment, now: Moment) -> Result<Stamp> {
    let tolerance = desk.rules.book.desk.clock_tolerance;
    if at - now > tolerance.duration() {
        return Err(anyhow!(
            "{} is in the future (it is now {}; the rulebook allows {tolerance} of clock difference). Record a step once it has happened",
            human(&at),
            human(&now)
        ));
    }
    let entered_at = crate::time::entered_at(at, now, tolerance.duration());
    Ok(Stamp { at, entered_at })
}

/// `--as-of` of a reading command, or now.
pub fn as_of(desk: &Desk, r: &ReadOpts) -> Result<Moment> {
    match &r.as_of {
        Some(s) => parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--as-of: {e}")),
        None => now(desk),
    }
}

/// `--known-at` of a reading command: `None` (everything written so far) when not given.
pub fn known_at(desk: &Desk, r: &ReadOpts) -> Result<Option<Moment>> {
    r.known_at
        .as_deref()
        .map(|s| parse_moment(s, desk.rules.offset).map_err(|e| anyhow!("--known-at: {e}")))
        .transpose()
}

/// `--by`, else `$PLAINT_USER`, else the OS user: `$USER`, or, where no
/// such variable is set (systemd units, containers), the account the process runs as.
pub fn actor(w: &WriteOpts) -> Result<String> {
    let name =
        w.by.clone()
            .or_else(|| {
                std::env::var("PLAINT_USER")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
            })
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
            .or_else(|| {
                std::env::var("USERNAME")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
            })
            .or_else(os_user)
            .unwrap_or_default();
    let name = name.trim().to_string();
    if name.chars().any(char::is_control) {
        return Err(anyhow!(
            "the name '{}' contains a control character; give --by NAME",
            crate::output::visible(&name)
        ));
    }
    if name.is_empty() {
        return Err(anyhow!(
            "who is doing this? give --by NAME or set PLAINT_USER"
        ));
    }
    Ok(name)
}

/// The name of the account the process runs as, from the system's user database; `uid N`
/// when the database has no entry for it (a container started with a bare uid).
#[cfg(unix)]
fn os_user() -> Option<String> {
    // SAFETY: getuid cannot fail; getpwuid_r writes only into the buffers given, and the
    // name is read from them before they go out of scope.
    unsafe {
        let uid = libc::getuid();
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found);
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return Some(format!("uid {uid}"));
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_string_lossy()
            .into_owned();
        (!name.is_empty()).then_some(name)
    }
}

#[cfg(not(unix))]
fn os_user() -> Option<String> {
    None
}
