//! Calendar dates (`YYYY-MM-DD`), the only kind of time `vetted` uses.
//!
//! Reports never read the clock: "today" is the `--as-of` date the caller
//! passes in, so the same inputs give the same bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

/// Why a string is not a date.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{}` is not a date in the form YYYY-MM-DD", crate::diag::quote(.0))]
pub struct DateError(pub String);

impl Date {
    /// A date from its parts, if it exists.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Date)
    }

    /// Days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The date `days` days later.
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0.saturating_add(time::Duration::days(days)))
    }

    /// The same day `years` years later; 29 February becomes 28 February
    /// in a year without it.
    pub fn plus_years(self, years: i32) -> Date {
        let year = self.0.year().saturating_add(years);
        self.0
            .replace_year(year)
            .or_else(|_| self.0.replace_day(28).and_then(|d| d.replace_year(year)))
            .map_or(self, Date)
    }

    /// Today's date from the system clock, in UTC. Only the CLI calls this,
    /// to default `--as-of`; the library is always handed a date.
    pub fn today_utc() -> Date {
        Date(time::OffsetDateTime::now_utc().date())
    }
}

/// The current UTC time as RFC 3339 to the second (`2026-11-28T01:02:03Z`).
/// Only the CLI calls this, to stamp what `vetted collect` observed.
pub fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError(s.to_string());
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &s[r];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::from_ymd(y as i32, m as u8, d as u8).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month() as u8,
            self.0.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_later_is_the_same_calendar_day() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(d("2027-06-30").plus_years(1), d("2028-06-30"));
        assert_eq!(d("2028-02-29").plus_years(1), d("2029-02-28"));
        assert_eq!(d("2025-03-01").plus_years(1), d("2026-03-01"));
    }

    #[test]
    fn parses_and_prints() {
        let d: Date = "2026-02-28".parse().unwrap();
        assert_eq!(d.to_string(), "2026-02-28");
        assert_eq!(d.plus_days(1).to_string(), "2026-03-01");
        assert_eq!(d.days_until("2027-02-28".parse().unwrap()), 365);
    }

    #[test]
    fn rejects_malformed_and_impossible_dates() {
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-01-01",
            "2026/01/01",
            "2026-1-01",
            "",
            "+026-01-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }
}
