//! Money in integer fen (1/100 yuan). Amounts are never floating point.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Money(pub i64);

impl Money {
    pub fn yuan(y: i64) -> Money {
        Money(y * 100)
    }

    /// Parses `1234`, `1234.5`, `1234.50`, `¥1,234.50`, `1234元`. Negative amounts are refused.
    pub fn parse(s: &str) -> Result<Money, String> {
        let t: String = s
            .trim()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元')
            .chars()
            .filter(|c| *c != ',')
            .collect();
        let bad = || format!("'{s}' is not an amount of money (write it like 1200 or 1200.50)");
        if t.starts_with('-') {
            return Err(format!("'{s}' is negative; an amount must be 0 or more"));
        }
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let w: i64 = whole.parse().map_err(|_| bad())?;
        let f: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        w.checked_mul(100)
            .and_then(|v| v.checked_add(f))
            .map(Money)
            .ok_or_else(bad)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An adjustment can take money back: the sign, then the amount.
        if self.0 < 0 {
            f.write_str("-")?;
        }
        let (y, c) = (self.0.unsigned_abs() / 100, self.0.unsigned_abs() % 100);
        if c == 0 {
            write!(f, "{y}")
        } else if c % 10 == 0 {
            write!(f, "{y}.{}", c / 10)
        } else {
            write!(f, "{y}.{c:02}")
        }
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// Whole yuan are written as YAML integers, anything else as a quoted decimal string.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_str(&self.to_string())
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount of money such as 1200 or \"1200.50\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Money::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Money::parse(&v.to_string()).map_err(E::custom)
            }
            // A bare 1200.5 in YAML arrives as a float; its shortest decimal form is exact
            // for any amount written with two decimals, and is then parsed as text.
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Money::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(Money::parse("1200").unwrap(), Money(120000));
        assert_eq!(Money::parse("1200.5").unwrap(), Money(120050));
        assert_eq!(Money::parse("¥1,200.05").unwrap(), Money(120005));
        assert_eq!(Money::parse("300元").unwrap(), Money(30000));
        assert_eq!(Money(120050).to_string(), "1200.5");
        assert_eq!(Money(120005).to_string(), "1200.05");
        assert_eq!(Money(0).to_string(), "0");
        assert!(Money::parse("-1").unwrap_err().contains("negative"));
        assert!(Money::parse("1.234").is_err());
        assert!(Money::parse("abc").is_err());
        assert!(Money::parse("").is_err());
        assert!(Money::parse("99999999999999999999").is_err());
    }
}

/// A percentage or score kept in tenths, so that one decimal is exact and sorts exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tenths(pub i64);

impl Tenths {
    /// `num / den × scale`, rounded half up to one decimal; `None` when `den` is 0.
    pub fn ratio(num: i64, den: i64, scale: i64) -> Option<Tenths> {
        (den > 0).then(|| Tenths((num * scale * 10 * 2 + den) / (den * 2)))
    }
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 10.0
    }
}

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, (self.0 % 10).abs())
    }
}
