//! Report periods (SPEC §10): a month, a year, a range of dates, or last month.

use crate::time::{Moment, parse_date, parse_month};
use chrono::Datelike;

pub use crate::time::Period;

/// The options that choose a period; at most one way may be given.
#[derive(Debug, Default, Clone)]
pub struct Choice {
    pub month: Option<String>,
    pub year: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub last_month: bool,
}

impl Choice {
    /// How many ways of naming a period were given (only one may be).
    pub fn ways(&self) -> usize {
        [
            self.month.is_some(),
            self.year.is_some(),
            self.from.is_some() || self.to.is_some(),
            self.last_month,
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

/// The period the options name; default the month of `as_of`.
pub fn choose(c: &Choice, as_of: Moment) -> Result<Period, String> {
    if c.ways() > 1 {
        return Err("give one of --month, --year, --from/--to or --last-month".into());
    }
    if let Some(m) = &c.month {
        let (y, m) = parse_month(m).map_err(|e| format!("--month: {e}"))?;
        return Period::month(y, m).ok_or_else(|| "--month: out of range".into());
    }
    if let Some(y) = &c.year {
        let y: i32 = y
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2099).contains(y))
            .ok_or_else(|| format!("--year: '{y}' is not a year (write it like 2026)"))?;
        return Period::year(y).ok_or_else(|| "--year: out of range".into());
    }
    if c.from.is_some() || c.to.is_some() {
        let (Some(f), Some(t)) = (&c.from, &c.to) else {
            return Err("--from and --to go together".into());
        };
        let from = parse_date(f).map_err(|e| format!("--from: {e}"))?;
        let to = parse_date(t).map_err(|e| format!("--to: {e}"))?;
        if to < from {
            return Err(format!("--to {to} is before --from {from}"));
        }
        return Ok(Period { from, to });
    }
    let d = as_of.date_naive();
    let (y, m) = if c.last_month {
        if d.month() == 1 {
            (d.year() - 1, 12)
        } else {
            (d.year(), d.month() - 1)
        }
    } else {
        (d.year(), d.month())
    };
    Period::month(y, m).ok_or_else(|| "the month is out of range".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_moment, parse_offset};

    fn at(s: &str) -> Moment {
        parse_moment(s, parse_offset("+08:00").unwrap()).unwrap()
    }

    #[test]
    fn periods() {
        let c = Choice {
            month: Some("2026-02".into()),
            ..Default::default()
        };
        let p = choose(&c, at("2026-11-20")).unwrap();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        assert_eq!(p.label(), "2026-02");
        let last = choose(
            &Choice {
                last_month: true,
                ..Default::default()
            },
            at("2027-01-03"),
        )
        .unwrap();
        assert_eq!(last.label(), "2026-12");
        let def = choose(&Choice::default(), at("2026-11-20")).unwrap();
        assert_eq!(def.label(), "2026-11");
        let y = choose(
            &Choice {
                year: Some("2026".into()),
                ..Default::default()
            },
            at("2026-11-20"),
        )
        .unwrap();
        assert_eq!(y.label(), "2026");
        assert_eq!(y.months().len(), 12);
        let r = choose(
            &Choice {
                from: Some("2026-11-01".into()),
                to: Some("2026-11-15".into()),
                ..Default::default()
            },
            at("2026-11-20"),
        )
        .unwrap();
        assert_eq!(r.label(), "2026-11-01..2026-11-15");
        assert!(r.contains(&at("2026-11-15 23:59")));
        assert!(!r.contains(&at("2026-11-16 00:00")));
        assert!(
            choose(
                &Choice {
                    from: Some("2026-11-05".into()),
                    to: Some("2026-11-01".into()),
                    ..Default::default()
                },
                at("2026-11-20")
            )
            .is_err()
        );
        assert!(
            choose(
                &Choice {
                    from: Some("2026-11-05".into()),
                    ..Default::default()
                },
                at("2026-11-20")
            )
            .is_err()
        );
        assert!(
            choose(
                &Choice {
                    month: Some("2026-11".into()),
                    last_month: true,
                    ..Default::default()
                },
                at("2026-11-20")
            )
            .is_err()
        );
        assert!(
            choose(
                &Choice {
                    year: Some("26".into()),
                    ..Default::default()
                },
                at("2026-11-20")
            )
            .is_err()
        );
    }
}
