//! The business calendar and the two clocks of SPEC §3. Pure functions of dates.

use super::model::Clock;
use crate::time::{Moment, Span, start_of_day};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub weekend: Vec<Weekday>,
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (调休): weekend dates that are worked.
    pub workdays: BTreeSet<NaiveDate>,
    /// What each holiday or make-up day is for (国庆节 ...), where the rulebook says.
    pub names: BTreeMap<NaiveDate, String>,
    /// The years whose holidays are entered; `None` when the rulebook lists no holiday at
    /// all (a calendar of weekends only has nothing to miss).
    pub years: Option<BTreeSet<i32>>,
    /// Business hours of a working day, as (start, end) times in order; empty: the whole
    /// day counts (the default procedure's "节假日顺延" clock).
    pub hours: Vec<(NaiveTime, NaiveTime)>,
}

/// The clock gives up past this many days of non-working time in a row (a calendar with no
/// working days would otherwise never finish a deadline).
const MAX_DAYS: i64 = 3660;

impl Calendar {
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !self.weekend.contains(&d.weekday()) && !self.holidays.contains(&d)
    }

    /// The years from `start` to `end` (a working-clock run) that the calendar does not
    /// cover: their holidays would silently count as working days.
    pub fn gaps(&self, start: Moment, end: Moment) -> Vec<i32> {
        let Some(years) = &self.years else {
            return Vec::new();
        };
        (start.year()..=end.year().max(start.year()))
            .filter(|y| !years.contains(y))
            .collect()
    }

    /// The years a desk working at `now` needs and the calendar lacks: this year always, and
    /// next year from 1 November, by when the State Council has usually published it.
    pub fn years_missing(&self, now: Moment) -> Vec<i32> {
        let mut years = vec![now.year()];
        if now.month() >= 11 {
            years.push(now.year() + 1);
        }
        years.retain(|y| !self.covers(*y));
        years
    }

    /// Whether `year`'s holidays are entered (always, for a calendar of weekends only).
    pub fn covers(&self, year: i32) -> bool {
        self.years.as_ref().is_none_or(|y| y.contains(&year))
    }

    /// The moment `span` after `start` on `clock`.
    pub fn add(&self, start: Moment, span: Span, clock: Clock) -> Moment {
        match clock {
            Clock::Calendar => start + span.duration(),
            Clock::Working => self.add_working(start, span.duration()),
        }
    }

    /// The stretches of `day` the working clock counts: none on a day off, the business
    /// hours on a working day, or all of it when the calendar names no hours.
    fn worked(&self, day: NaiveDate, offset: chrono::FixedOffset) -> Vec<(Moment, Moment)> {
        if !self.is_working_day(day) {
            return Vec::new();
        }
        let next = day.succ_opt().unwrap_or(day);
        if self.hours.is_empty() {
            return vec![(start_of_day(day, offset), start_of_day(next, offset))];
        }
        let at = |t: NaiveTime| crate::time::at_local(offset, day.and_time(t));
        self.hours.iter().map(|(a, b)| (at(*a), at(*b))).collect()
    }

    /// Working clock: only time on working days counts (within business hours, where the
    /// calendar names them). So with whole days, 1h from Friday 23:30 is due Monday 00:30;
    /// with 09:00–18:00, 2h from Friday 17:00 is due Monday 10:00.
    fn add_working(&self, start: Moment, span: Duration) -> Moment {
        let offset = *start.offset();
        let mut left = span;
        let mut day = start.date_naive();
        for _ in 0..MAX_DAYS {
            for (a, b) in self.worked(day, offset) {
                let from = a.max(start);
                if from >= b {
                    continue;
                }
                let room = b - from;
                if left <= room {
                    return from + left;
                }
                left -= room;
            }
            day = day.succ_opt().unwrap_or(day);
        }
        // No working time for ten years (a calendar without working days): give up there.
        start_of_day(day, offset) + left
    }

    /// The end of the `n`th working day after the day of `start` (that day not counted):
    /// the close of business where the calendar names hours, else 23:59:59.
    pub fn end_of_working_days(&self, start: Moment, n: u32) -> Moment {
        let offset = *start.offset();
        let mut day = start.date_naive();
        let mut left = n;
        for _ in 0..MAX_DAYS {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
                if left == 0 {
                    break;
                }
            }
        }
        match self.hours.last() {
            Some((_, close)) => crate::time::at_local(offset, day.and_time(*close)),
            None => crate::time::end_of_day(day, offset),
        }
    }

    /// Working time between two moments (for "how late" on the working clock).
    pub fn working_between(&self, from: Moment, to: Moment) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let offset = *from.offset();
        let mut total = Duration::zero();
        let mut day = from.date_naive();
        while day <= to.date_naive() {
            for (a, b) in self.worked(day, offset) {
                let (x, y) = (a.max(from), b.min(to));
                if y > x {
                    total += y - x;
                }
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_moment, parse_offset, rfc3339};

    fn cal() -> Calendar {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Calendar {
            weekend: vec![Weekday::Sat, Weekday::Sun],
            // 2026 National Day: Thu 10-01 .. Wed 10-07, make-up Saturday 10-10.
            holidays: (1..=7).map(|i| d(&format!("2026-10-0{i}"))).collect(),
            workdays: [d("2026-10-10"), d("2026-09-20")].into_iter().collect(),
            ..Default::default()
        }
    }

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    fn work(start: &str, span: &str) -> String {
        rfc3339(&cal().add(at(start), Span::parse(span).unwrap(), Clock::Working))
    }

    #[test]
    fn spec_examples() {
        // SPEC §3: Fri 23:30 + 1h → Mon 00:30; Sat 10:00 + 1h → Mon 01:00; Mon + 5d → next Mon.
        assert_eq!(work("2026-11-06 23:30", "1h"), "2026-11-09T00:30:00+08:00");
        assert_eq!(work("2026-11-07 10:00", "1h"), "2026-11-09T01:00:00+08:00");
        assert_eq!(work("2026-11-02 10:00", "5d"), "2026-11-09T10:00:00+08:00");
    }

    #[test]
    fn friday_night_lands_on_midnight_exactly() {
        // One hour from Fri 23:00 uses Friday's last hour: due at the stroke of midnight.
        assert_eq!(work("2026-11-06 23:00", "1h"), "2026-11-07T00:00:00+08:00");
        assert_eq!(work("2026-11-06 23:00", "61m"), "2026-11-09T00:01:00+08:00");
    }

    #[test]
    fn a_holiday_spanning_a_weekend_is_skipped_whole() {
        // Wed 09-30 22:00 + 4h: 2h on Wednesday, then 10-01..10-07 (holiday, incl. the
        // weekend 10-03/04) are skipped; Thu 10-08 gives the rest.
        assert_eq!(work("2026-09-30 22:00", "4h"), "2026-10-08T02:00:00+08:00");
    }

    #[test]
    fn a_make_up_saturday_is_worked() {
        // Fri 10-09 23:00 + 2h: Saturday 10-10 is a make-up working day.
        assert_eq!(work("2026-10-09 23:00", "2h"), "2026-10-10T01:00:00+08:00");
        // A make-up Sunday too.
        assert_eq!(work("2026-09-19 12:00", "1h"), "2026-09-20T01:00:00+08:00");
    }

    #[test]
    fn month_and_year_boundaries() {
        assert_eq!(work("2026-12-31 23:30", "1h"), "2027-01-01T00:30:00+08:00");
        assert_eq!(
            rfc3339(&cal().add(
                at("2026-11-30 20:00"),
                Span::parse("5h").unwrap(),
                Clock::Calendar
            )),
            "2026-12-01T01:00:00+08:00"
        );
    }

    #[test]
    fn calendar_clock_ignores_holidays() {
        assert_eq!(
            rfc3339(&cal().add(
                at("2026-10-01 10:00"),
                Span::parse("4h").unwrap(),
                Clock::Calendar
            )),
            "2026-10-01T14:00:00+08:00"
        );
    }

    #[test]
    fn working_time_between() {
        let c = cal();
        assert_eq!(
            c.working_between(at("2026-11-06 23:00"), at("2026-11-09 01:00")),
            Duration::hours(2)
        );
        assert_eq!(
            c.working_between(at("2026-11-09 01:00"), at("2026-11-06 23:00")),
            Duration::zero()
        );
    }

    fn office() -> Calendar {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        Calendar {
            hours: vec![(t("09:00"), t("12:00")), (t("13:30"), t("18:00"))],
            ..cal()
        }
    }

    #[test]
    fn business_hours_count_only_themselves() {
        let c = office();
        let add = |s: &str, span: &str| {
            rfc3339(&c.add(at(s), Span::parse(span).unwrap(), Clock::Working))
        };
        // Friday 17:00 + 2h: one hour on Friday, the second on Monday from 09:00.
        assert_eq!(add("2026-11-06 17:00", "2h"), "2026-11-09T10:00:00+08:00");
        // Across lunch: 11:00 + 2h → 12:00, then 13:30 + 1h.
        assert_eq!(add("2026-11-09 11:00", "2h"), "2026-11-09T14:30:00+08:00");
        // Received at night: the clock starts at opening time.
        assert_eq!(add("2026-11-09 20:00", "30m"), "2026-11-10T09:30:00+08:00");
        // Ending exactly at closing time stays on that day.
        assert_eq!(add("2026-11-09 16:00", "2h"), "2026-11-09T18:00:00+08:00");
        // Over National Day: 09-30 17:00 + 2h → 1h on 09-30, then Thu 10-08 09:00 + 1h.
        assert_eq!(add("2026-09-30 17:00", "2h"), "2026-10-08T10:00:00+08:00");
        assert_eq!(
            rfc3339(&c.end_of_working_days(at("2026-11-06 17:00"), 2)),
            "2026-11-10T18:00:00+08:00"
        );
        assert_eq!(
            c.working_between(at("2026-11-06 17:00"), at("2026-11-09 10:00")),
            Duration::hours(2)
        );
    }

    #[test]
    fn the_end_of_the_nth_working_day() {
        let c = cal();
        let end = |s: &str, n| rfc3339(&c.end_of_working_days(at(s), n));
        // Friday 17:00, 2 working days: Monday, Tuesday → the end of Tuesday.
        assert_eq!(end("2026-11-06 17:00", 2), "2026-11-10T23:59:59+08:00");
        // From a Saturday: Monday is the first.
        assert_eq!(end("2026-11-07 10:00", 1), "2026-11-09T23:59:59+08:00");
        // Across National Day: 10-08 (Thu) and 10-09 (Fri); the make-up Saturday 10-10 third.
        assert_eq!(end("2026-09-30 09:00", 2), "2026-10-09T23:59:59+08:00");
        assert_eq!(end("2026-09-30 09:00", 3), "2026-10-10T23:59:59+08:00");
    }

    #[test]
    fn gaps_name_the_years_not_covered() {
        let mut c = cal();
        assert!(
            c.gaps(at("2026-12-31 23:00"), at("2027-01-01 03:00"))
                .is_empty()
        );
        c.years = Some([2026].into_iter().collect());
        assert_eq!(
            c.gaps(at("2026-12-31 23:00"), at("2028-01-01 03:00")),
            vec![2027, 2028]
        );
        assert!(
            c.gaps(at("2026-01-01 00:00"), at("2026-12-31 23:00"))
                .is_empty()
        );
        assert!(c.covers(2026) && !c.covers(2027));
    }

    #[test]
    fn a_calendar_without_working_days_still_ends() {
        let c = Calendar {
            weekend: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            ..Default::default()
        };
        let due = c.add(
            at("2026-11-02 10:00"),
            Span::parse("1h").unwrap(),
            Clock::Working,
        );
        assert!(due > at("2030-01-01"));
    }
}
