//! Ticket IDs: `<prefix><YYYYMM>-<NNNN>`, serial per month of receipt (SPEC §2).

use crate::time::Moment;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq, Eq)]
pub struct TicketId {
    pub prefix: String,
    pub year: i32,
    pub month: u32,
    pub serial: u64,
}

impl TicketId {
    pub fn parse(id: &str) -> Result<TicketId> {
        let bad = || {
            anyhow::anyhow!(
                "'{id}' is not a ticket ID (IDs look like 202611-0001, with the desk's prefix if it has one)"
            )
        };
        let (head, serial) = id.rsplit_once('-').ok_or_else(bad)?;
        if serial.len() < 4
            || !serial.bytes().all(|b| b.is_ascii_digit())
            || head.len() < 6
            || !head.is_char_boundary(head.len() - 6)
        {
            return Err(bad());
        }
        let (prefix, ym) = head.split_at(head.len() - 6);
        if !ym.bytes().all(|b| b.is_ascii_digit()) || prefix.contains(['/', '\\']) {
            return Err(bad());
        }
        let year: i32 = ym[..4].parse().map_err(|_| bad())?;
        let month: u32 = ym[4..].parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !crate::time::YEARS.contains(&year) {
            return Err(bad());
        }
        let n: u64 = serial.parse().map_err(|_| bad())?;
        // One spelling per ID: 202611-00002 is not another name for 202611-0002.
        let canonical = format!("{n:04}");
        if canonical != serial {
            bail!("'{id}' is not a ticket ID: did you mean {head}-{canonical}?");
        }
        Ok(TicketId {
            prefix: prefix.to_string(),
            year,
            month,
            serial: n,
        })
    }

    pub fn relative_path(&self) -> PathBuf {
        PathBuf::from(format!("{:04}", self.year))
            .join(format!("{:02}", self.month))
            .join(format!(
                "{}{:04}{:02}-{:04}.yaml",
                self.prefix, self.year, self.month, self.serial
            ))
    }
}

pub fn month_dir(received: &Moment) -> PathBuf {
    PathBuf::from(received.format("%Y").to_string()).join(received.format("%m").to_string())
}

pub fn format_id(prefix: &str, received: &Moment, serial: u64) -> String {
    format!("{prefix}{}-{serial:04}", received.format("%Y%m"))
}

/// The series a ticket's serial belongs to: `<prefix><YYYYMM>`.
pub fn series(prefix: &str, received: &Moment) -> String {
    format!("{prefix}{}", received.format("%Y%m"))
}

/// The next serial for this prefix in a month directory: one past the highest in use.
/// `last` is the last serial this desk remembers minting; when the file after it does not
/// exist yet, that is the answer without reading the directory. Otherwise (no memory, or
/// tickets arrived some other way, such as a git pull) the month's directory is read.
pub fn next_serial(
    month_dir: &Path,
    prefix: &str,
    received: &Moment,
    last: Option<u64>,
) -> Result<u64> {
    let stem = format!("{}-", series(prefix, received));
    if let Some(n) = last
        && n < u64::MAX
        && month_dir.join(format!("{stem}{:04}.yaml", n)).exists()
        && !month_dir.join(format!("{stem}{:04}.yaml", n + 1)).exists()
    {
        return Ok(n + 1);
    }
    let mut max = 0;
    if month_dir.exists() {
        for entry in fs::read_dir(month_dir)
            .with_context(|| format!("cannot list {}", month_dir.display()))?
        {
            let name = entry?.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(rest) = name.strip_prefix(&stem) else {
                continue;
            };
            let Some(n) = rest.strip_suffix(".yaml") else {
                continue;
            };
            if let Ok(n) = n.parse::<u64>() {
                max = max.max(n);
            }
        }
    }
    if max == u64::MAX {
        bail!("{} has run out of serial numbers", month_dir.display());
    }
    Ok(max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_and_without_prefix() {
        let t = TicketId::parse("202611-0001").unwrap();
        assert_eq!(
            (t.prefix.as_str(), t.year, t.month, t.serial),
            ("", 2026, 11, 1)
        );
        let t = TicketId::parse("DL-202611-12345").unwrap();
        assert_eq!((t.prefix.as_str(), t.serial), ("DL-", 12345));
        assert_eq!(
            t.relative_path(),
            PathBuf::from("2026/11/DL-202611-12345.yaml")
        );
        for bad in [
            "",
            "2026110001",
            "202613-0001",
            "202611-01",
            "../202611-0001",
            "x/202611-0001",
        ] {
            assert!(TicketId::parse(bad).is_err(), "{bad}");
        }
    }
}
