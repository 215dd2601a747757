//! Moments, spans and the date forms every option accepts (SPEC §3).

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use serde::{Deserialize, Deserializer};
use std::fmt;

pub type Moment = DateTime<FixedOffset>;

/// Parses `+08:00` / `-05:30` / `Z` into an offset.
pub fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    let t = s.trim();
    if t == "Z" || t == "+00:00" || t == "UTC" {
        return Ok(FixedOffset::east_opt(0).expect("zero offset"));
    }
    let bad = || format!("'{s}' is not a UTC offset (write it like +08:00)");
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if h > 14 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

pub fn at_local(offset: FixedOffset, dt: NaiveDateTime) -> Moment {
    // A fixed offset has exactly one mapping for every local time.
    offset
        .from_local_datetime(&dt)
        .single()
        .expect("fixed offsets are unambiguous")
}

const FORMS: &str = "use 2026-11-02T10:00:00+08:00, '2026-11-02 10:00' or 2026-11-02";

/// A moment as typed on the command line or in a spreadsheet: RFC 3339, `YYYY-MM-DD HH:MM`
/// (desk time) or `YYYY-MM-DD` (00:00 desk time). The result is expressed in desk time.
pub fn parse_moment(s: &str, offset: FixedOffset) -> Result<Moment, String> {
    let m = parse_any_moment(s, offset)?;
    in_range(m.year(), s)?;
    Ok(m)
}

/// When an event written at `now` for the moment `at` records that it was written later (or
/// earlier) than it happened: when the two differ by more than `tolerance` (SPEC §2).
pub fn entered_at(at: Moment, now: Moment, tolerance: Duration) -> Option<Moment> {
    ((at - now).abs() > tolerance).then_some(now)
}

/// The years plaint keeps: a complaint desk's dates are this century's. Anything else is a
/// typing mistake (0202-11-02, 20266-11-02) that would otherwise file a ticket far away.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

fn in_range(year: i32, s: &str) -> Result<(), String> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "'{}' is in the year {year}; plaint keeps the years 2000–2099",
            s.trim()
        ))
    }
}

fn parse_any_moment(s: &str, offset: FixedOffset) -> Result<Moment, String> {
    let t = s.trim();
    if let Ok(m) = DateTime::parse_from_rfc3339(t) {
        return Ok(m.with_timezone(&offset));
    }
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(at_local(offset, dt));
        }
    }
    let d = parse_date(t)?;
    Ok(at_local(offset, d.and_time(NaiveTime::MIN)))
}

/// A due date: a bare date means the end of that day (SPEC §3).
pub fn parse_due(s: &str, offset: FixedOffset) -> Result<Moment, String> {
    let t = s.trim();
    if let Ok(d) = parse_date(t) {
        return Ok(end_of_day(d, offset));
    }
    parse_moment(t, offset)
}

pub fn end_of_day(d: NaiveDate, offset: FixedOffset) -> Moment {
    at_local(
        offset,
        d.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time")),
    )
}

pub fn start_of_day(d: NaiveDate, offset: FixedOffset) -> Moment {
    at_local(offset, d.and_time(NaiveTime::MIN))
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            in_range(d.year(), s)?;
            return Ok(d);
        }
    }
    if looks_like_date(t) {
        Err(format!("'{s}' is not a real date ({FORMS})"))
    } else {
        Err(format!("'{s}' is not a date or time ({FORMS})"))
    }
}

fn looks_like_date(t: &str) -> bool {
    let parts: Vec<&str> = t.split(['-', '/']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `YYYY-MM` → (year, month).
pub fn parse_month(s: &str) -> Result<(i32, u32), String> {
    let bad = || format!("'{s}' is not a month (write it like 2026-11)");
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    in_range(y, s)?;
    Ok((y, m))
}

/// RFC 3339 with the desk's offset, seconds precision: what files and JSON carry.
pub fn rfc3339(m: &Moment) -> String {
    m.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A moment for people: `2026-11-02 10:00` in desk time.
pub fn human(m: &Moment) -> String {
    m.format("%Y-%m-%d %H:%M").to_string()
}

/// A length of time as the rulebook writes it: `30m`, `2h`, `15d`, `1d12h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub minutes: i64,
}

impl Span {
    pub fn parse(s: &str) -> Result<Span, String> {
        let t = s.trim();
        let bad = || format!("'{s}' is not a duration (write it like 30m, 2h, 15d or 1d12h)");
        if t.is_empty() {
            return Err(bad());
        }
        let mut minutes: i64 = 0;
        let mut num = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let n: i64 = num.parse().map_err(|_| bad())?;
            num.clear();
            let unit = match c {
                'm' => 1,
                'h' => 60,
                'd' => 24 * 60,
                _ => return Err(bad()),
            };
            minutes = n
                .checked_mul(unit)
                .and_then(|v| minutes.checked_add(v))
                .ok_or_else(bad)?;
        }
        if !num.is_empty() {
            return Err(bad());
        }
        if minutes > Span::MAX_DAYS * 1440 {
            return Err(format!(
                "'{}' is longer than {} days; no limit of the procedure is that long",
                t,
                Span::MAX_DAYS
            ));
        }
        Ok(Span { minutes })
    }

    /// The longest duration a rulebook may write: ten years. Anything longer is a typing
    /// mistake, and would carry deadlines past the end of the calendar.
    pub const MAX_DAYS: i64 = 3660;

    pub fn duration(&self) -> Duration {
        Duration::minutes(self.minutes)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, h, m) = (
            self.minutes / 1440,
            self.minutes % 1440 / 60,
            self.minutes % 60,
        );
        let mut out = String::new();
        if d > 0 {
            out += &format!("{d}d");
        }
        if h > 0 {
            out += &format!("{h}h");
        }
        if m > 0 || out.is_empty() {
            out += &format!("{m}m");
        }
        f.write_str(&out)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Span::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How long after `deadline` something happened, for people: `1h30m`, `2d3h`.
pub fn describe_delay(d: Duration) -> String {
    let mins = d.num_minutes().max(0);
    if mins == 0 && d.num_seconds() > 0 {
        return format!("{}秒", d.num_seconds());
    }
    let (days, hours, minutes) = (mins / 1440, mins % 1440 / 60, mins % 60);
    let mut out = String::new();
    if days > 0 {
        out.push_str(&format!("{days}天"));
    }
    if hours > 0 {
        out.push_str(&format!("{hours}小时"));
    }
    if minutes > 0 || out.is_empty() {
        out.push_str(&format!("{minutes}分钟"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cst() -> FixedOffset {
        parse_offset("+08:00").unwrap()
    }

    #[test]
    fn three_forms_of_a_moment() {
        let a = parse_moment("2026-11-02T10:00:00+08:00", cst()).unwrap();
        let b = parse_moment("2026-11-02 10:00", cst()).unwrap();
        let c = parse_moment("2026-11-02T02:00:00Z", cst()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(rfc3339(&c), "2026-11-02T10:00:00+08:00");
        let d = parse_moment("2026-11-02", cst()).unwrap();
        assert_eq!(rfc3339(&d), "2026-11-02T00:00:00+08:00");
    }

    #[test]
    fn impossible_dates_are_named() {
        let e = parse_moment("2026-02-30", cst()).unwrap_err();
        assert!(e.contains("not a real date"), "{e}");
        assert!(
            parse_moment("tomorrow", cst())
                .unwrap_err()
                .contains("not a date")
        );
        assert!(parse_moment("2026-11-02 25:00", cst()).is_err());
    }

    #[test]
    fn a_due_date_means_the_end_of_the_day() {
        let d = parse_due("2026-11-20", cst()).unwrap();
        assert_eq!(rfc3339(&d), "2026-11-20T23:59:59+08:00");
        let t = parse_due("2026-11-20 12:00", cst()).unwrap();
        assert_eq!(human(&t), "2026-11-20 12:00");
    }

    #[test]
    fn spans() {
        assert_eq!(Span::parse("30m").unwrap().minutes, 30);
        assert_eq!(Span::parse("2h").unwrap().minutes, 120);
        assert_eq!(Span::parse("15d").unwrap().minutes, 15 * 1440);
        assert_eq!(Span::parse("1d12h").unwrap().minutes, 36 * 60);
        assert!(Span::parse("2").is_err());
        assert!(Span::parse("h").is_err());
        assert!(Span::parse("2w").is_err());
        assert_eq!(Span::parse("1d12h").unwrap().to_string(), "1d12h");
        assert_eq!(describe_delay(Duration::minutes(90)), "1小时30分钟");
        assert_eq!(
            describe_delay(Duration::minutes(38 * 1440 + 9 * 60 + 30)),
            "38天9小时30分钟"
        );
        assert_eq!(describe_delay(Duration::days(3)), "3天");
        assert_eq!(describe_delay(Duration::seconds(40)), "40秒");
    }

    #[test]
    fn months_and_offsets() {
        assert_eq!(parse_month("2026-11").unwrap(), (2026, 11));
        assert!(parse_month("2026-13").is_err());
        assert_eq!(
            parse_month("1999-01").unwrap_err(),
            "'1999-01' is in the year 1999; plaint keeps the years 2000–2099"
        );
        assert!(parse_offset("+8").is_err());
        assert_eq!(
            parse_offset("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
    }
}

/// A span of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn month(y: i32, m: u32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(y, m, 1)?;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)?
        };
        Some(Period {
            from,
            to: next.pred_opt()?,
        })
    }

    pub fn year(y: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(y, 1, 1)?,
            to: NaiveDate::from_ymd_opt(y, 12, 31)?,
        })
    }

    /// The first moment of the period.
    pub fn start(&self, offset: FixedOffset) -> Moment {
        start_of_day(self.from, offset)
    }

    /// The first moment after the period.
    pub fn end(&self, offset: FixedOffset) -> Moment {
        start_of_day(self.to.succ_opt().unwrap_or(self.to), offset)
    }

    pub fn contains(&self, m: &Moment) -> bool {
        let d = m.date_naive();
        d >= self.from && d <= self.to
    }

    /// `2026-11`, `2026`, or `2026-11-01..2026-11-15`, for titles.
    pub fn label(&self) -> String {
        if self.from.day() == 1 && Period::month(self.from.year(), self.from.month()) == Some(*self)
        {
            self.from.format("%Y-%m").to_string()
        } else if Period::year(self.from.year()) == Some(*self) {
            self.from.format("%Y").to_string()
        } else {
            format!("{}..{}", self.from, self.to)
        }
    }

    /// The months the period touches, as (year, month).
    pub fn months(&self) -> Vec<(i32, u32)> {
        let mut out = Vec::new();
        let (mut y, mut m) = (self.from.year(), self.from.month());
        while (y, m) <= (self.to.year(), self.to.month()) {
            out.push((y, m));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        out
    }
}
