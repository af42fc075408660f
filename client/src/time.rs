//! Dates and timestamps in PostgreSQL's representation, with exact
//! proleptic-Gregorian civil-date conversion and PostgreSQL-style text output.
//!
//! * [`Date`] is a count of days since 2000-01-01.
//! * [`Timestamp`] is a count of microseconds since 2000-01-01 00:00:00 UTC.
//!
//! Both are PostgreSQL's internal epochs, the same representation the crmdb
//! engine uses, so values convert to the engine's types without arithmetic.
//!
//! The civil-date conversion is Howard Hinnant's `days_from_civil` /
//! `civil_from_days` algorithm (<https://howardhinnant.github.io/date_algorithms.html>),
//! exact for every day representable by an `i32` day count.

use std::fmt;

/// Days from 1970-01-01 (the algorithm's epoch) to 2000-01-01.
const UNIX_TO_PG_DAYS: i64 = 10_957;
/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds in one second.
pub const MICROS_PER_SECOND: i64 = 1_000_000;

/// A calendar date: days since 2000-01-01 (day 0 is 2000-01-01, day -1 is
/// 1999-12-31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// An instant: microseconds since 2000-01-01 00:00:00 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Days since 1970-01-01 of the proleptic-Gregorian date `y-m-d`
/// (astronomical year numbering: year 0 is 1 BC). `m` in 1..=12, `d` in 1..=31;
/// the day is not checked against the month length.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u64; // [0, 399]
    let mp = u64::from((m + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + u64::from(d) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe as i64 - 719_468
}

/// The proleptic-Gregorian date `(year, month, day)` of a day count since
/// 1970-01-01 (astronomical year numbering).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` (astronomical numbering) is a Gregorian leap year.
pub fn is_leap_year(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Number of days in month `m` (1..=12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date `y-m-d` (astronomical year numbering), or `None` if the
    /// month or day is out of range or the day count does not fit an `i32`.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(i64::from(y), m) {
            return None;
        }
        let days = days_from_civil(i64::from(y), m, d) - UNIX_TO_PG_DAYS;
        i32::try_from(days).ok().map(Date)
    }

    /// `(year, month, day)` of this date (astronomical year numbering).
    pub fn to_ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(i64::from(self.0) + UNIX_TO_PG_DAYS);
        // |days| <= 2^31 keeps |y| below 6 million.
        (y as i32, m, d)
    }

    /// Midnight UTC at the start of this date.
    pub fn to_timestamp(self) -> Timestamp {
        Timestamp(i64::from(self.0) * MICROS_PER_DAY)
    }
}

impl Timestamp {
    /// The instant `y-m-d h:mi:s.micros` UTC, or `None` if any field is out of
    /// range or the result overflows.
    pub fn from_ymd_hms_micro(
        y: i32,
        m: u32,
        d: u32,
        h: u32,
        mi: u32,
        s: u32,
        micros: u32,
    ) -> Option<Timestamp> {
        if h > 23 || mi > 59 || s > 59 || micros > 999_999 {
            return None;
        }
        let date = Date::from_ymd(y, m, d)?;
        let in_day = (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * MICROS_PER_SECOND
            + i64::from(micros);
        i64::from(date.0)
            .checked_mul(MICROS_PER_DAY)?
            .checked_add(in_day)
            .map(Timestamp)
    }

    /// The UTC date this instant falls on.
    pub fn date(self) -> Date {
        // |micros / MICROS_PER_DAY| < 2^27, fits.
        Date(self.0.div_euclid(MICROS_PER_DAY) as i32)
    }

    /// Microseconds since midnight UTC, in `0..MICROS_PER_DAY`.
    pub fn micros_of_day(self) -> i64 {
        self.0.rem_euclid(MICROS_PER_DAY)
    }
}

/// A small fixed-capacity byte buffer for formatting without allocation.
pub(crate) struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl StackBuf {
    pub(crate) fn new() -> Self {
        StackBuf {
            buf: [0; 48],
            len: 0,
        }
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(self.as_bytes()).expect("ASCII")
    }
    pub(crate) fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }
    pub(crate) fn push_str(&mut self, s: &str) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len();
    }
    /// Pushes `v` in decimal, zero-padded to at least `width` digits.
    pub(crate) fn push_u64(&mut self, mut v: u64, width: usize) {
        let mut digits = [0u8; 20];
        let mut n = 0;
        while v > 0 || n < width.max(1) {
            digits[n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
        }
        for i in (0..n).rev() {
            self.push(digits[i]);
        }
    }
    pub(crate) fn push_i64(&mut self, v: i64) {
        if v < 0 {
            self.push(b'-');
        }
        self.push_u64(v.unsigned_abs(), 1);
    }
}

/// Pushes `YYYY-MM-DD` without the era suffix; returns whether the year is BC.
fn push_ymd(buf: &mut StackBuf, days_since_2000: i64) -> bool {
    let (y, m, d) = civil_from_days(days_since_2000 + UNIX_TO_PG_DAYS);
    // PostgreSQL prints year 0 as 0001 BC, year -1 as 0002 BC, ...
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    buf.push_u64(year as u64, 4);
    buf.push(b'-');
    buf.push_u64(u64::from(m), 2);
    buf.push(b'-');
    buf.push_u64(u64::from(d), 2);
    bc
}

pub(crate) fn fmt_date(date: Date, buf: &mut StackBuf) {
    if push_ymd(buf, i64::from(date.0)) {
        buf.push_str(" BC");
    }
}

pub(crate) fn fmt_timestamp_utc(ts: Timestamp, buf: &mut StackBuf) {
    let days = ts.0.div_euclid(MICROS_PER_DAY);
    let in_day = ts.0.rem_euclid(MICROS_PER_DAY);
    let bc = push_ymd(buf, days);
    let secs = in_day / MICROS_PER_SECOND;
    let frac = in_day % MICROS_PER_SECOND;
    buf.push(b' ');
    buf.push_u64((secs / 3600) as u64, 2);
    buf.push(b':');
    buf.push_u64((secs / 60 % 60) as u64, 2);
    buf.push(b':');
    buf.push_u64((secs % 60) as u64, 2);
    if frac != 0 {
        // Six digits with trailing zeros dropped, as PostgreSQL prints.
        let mut frac = frac as u64;
        let mut width = 6;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        buf.push(b'.');
        buf.push_u64(frac, width);
    }
    buf.push_str("+00");
    if bc {
        buf.push_str(" BC");
    }
}

/// `YYYY-MM-DD` as PostgreSQL prints a `date` (DateStyle ISO); years before
/// 1 AD get a ` BC` suffix (`0001-01-01 BC` is astronomical year 0).
pub fn format_date(date: Date) -> String {
    let mut buf = StackBuf::new();
    fmt_date(date, &mut buf);
    buf.as_str().to_owned()
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]+00` as PostgreSQL prints a `timestamptz` in a
/// session with `TimeZone = 'UTC'` (DateStyle ISO): the fraction is omitted
/// when zero and has its trailing zeros dropped otherwise.
pub fn format_timestamp_utc(ts: Timestamp) -> String {
    let mut buf = StackBuf::new();
    fmt_timestamp_utc(ts, &mut buf);
    buf.as_str().to_owned()
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = StackBuf::new();
        fmt_date(*self, &mut buf);
        f.write_str(buf.as_str())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = StackBuf::new();
        fmt_timestamp_utc(*self, &mut buf);
        f.write_str(buf.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_date(Date(0)), "2000-01-01");
        assert_eq!(format_date(Date(-1)), "1999-12-31");
        assert_eq!(format_date(Date(59)), "2000-02-29");
        assert_eq!(format_date(Date(-10_957)), "1970-01-01");
        assert_eq!(Date::from_ymd(2024, 2, 29), Some(Date(8825)));
        assert_eq!(format_date(Date(8825)), "2024-02-29");
        assert_eq!(Date::from_ymd(2026, 1, 1), Some(Date(9497)));
        assert_eq!(Date::from_ymd(1900, 3, 1).unwrap().to_ymd(), (1900, 3, 1));
        assert_eq!(format_date(Date::from_ymd(1, 1, 1).unwrap()), "0001-01-01");
        assert_eq!(
            format_date(Date::from_ymd(0, 12, 31).unwrap()),
            "0001-12-31 BC"
        );
        assert_eq!(
            format_date(Date::from_ymd(-44, 3, 15).unwrap()),
            "0045-03-15 BC"
        );
        assert_eq!(
            format_date(Date::from_ymd(12345, 6, 7).unwrap()),
            "12345-06-07"
        );
    }

    #[test]
    fn invalid_dates_are_rejected() {
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert!(Date::from_ymd(2000, 2, 29).is_some());
        assert_eq!(Date::from_ymd(2024, 13, 1), None);
        assert_eq!(Date::from_ymd(2024, 4, 31), None);
        assert_eq!(Date::from_ymd(2024, 1, 0), None);
        assert_eq!(Date::from_ymd(i32::MAX, 1, 1), None);
    }

    #[test]
    fn civil_round_trip_over_a_wide_range() {
        // Every day from about 800 BC to 2800 AD, checked against a naive
        // day-by-day calendar walk.
        let start = Date::from_ymd(-800, 1, 1).unwrap().0;
        let (mut y, mut m, mut d) = (-800i64, 1u32, 1u32);
        for days in start..start + 1_315_000 {
            let date = Date(days);
            assert_eq!(date.to_ymd(), (y as i32, m, d), "day {days}");
            assert_eq!(Date::from_ymd(y as i32, m, d), Some(date));
            d += 1;
            if d > days_in_month(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        for days in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX] {
            let (y, m, d) = Date(days).to_ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
    }

    #[test]
    fn known_timestamps() {
        assert_eq!(format_timestamp_utc(Timestamp(0)), "2000-01-01 00:00:00+00");
        assert_eq!(
            format_timestamp_utc(Timestamp(500_000)),
            "2000-01-01 00:00:00.5+00"
        );
        assert_eq!(
            format_timestamp_utc(Timestamp(1)),
            "2000-01-01 00:00:00.000001+00"
        );
        assert_eq!(
            format_timestamp_utc(Timestamp(-1)),
            "1999-12-31 23:59:59.999999+00"
        );
        assert_eq!(
            format_timestamp_utc(Timestamp(-MICROS_PER_DAY)),
            "1999-12-31 00:00:00+00"
        );
        let ts = Timestamp::from_ymd_hms_micro(2025, 3, 4, 5, 6, 7, 123_456).unwrap();
        assert_eq!(format_timestamp_utc(ts), "2025-03-04 05:06:07.123456+00");
        assert_eq!(ts.to_string(), "2025-03-04 05:06:07.123456+00");
        let ts = Timestamp::from_ymd_hms_micro(2024, 2, 29, 23, 59, 59, 120_000).unwrap();
        assert_eq!(format_timestamp_utc(ts), "2024-02-29 23:59:59.12+00");
        assert_eq!(ts.date(), Date::from_ymd(2024, 2, 29).unwrap());
        let now = Timestamp::from_ymd_hms_micro(2026, 1, 1, 0, 0, 0, 0).unwrap();
        assert_eq!(now, Timestamp(9497 * MICROS_PER_DAY));
        assert_eq!(
            format_timestamp_utc(Date::from_ymd(0, 1, 1).unwrap().to_timestamp()),
            "0001-01-01 00:00:00+00 BC"
        );
        // The extremes of the representation format without panicking.
        assert!(!format_timestamp_utc(Timestamp(i64::MIN)).is_empty());
        assert!(!format_timestamp_utc(Timestamp(i64::MAX)).is_empty());
        assert_eq!(Timestamp::from_ymd_hms_micro(2024, 1, 1, 24, 0, 0, 0), None);
    }
}
