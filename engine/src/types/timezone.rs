//! The session's `TimeZone` setting, as PostgreSQL 15 parses and applies it.
//!
//! A setting is one of:
//! - a number of hours, ISO sign (`+02`, `-5`, `5.5`): a fixed offset east
//!   of UTC, shown as PostgreSQL shows it (`<+02>-02`);
//! - an IANA zone name, case-insensitive (`Europe/Berlin`, `utc`), looked up
//!   in the tz database bundled by `jiff` (so results do not depend on the
//!   machine's /usr/share/zoneinfo);
//! - a POSIX TZ string (`UTC+3`, `<+0530>-5:30`, `CET-1CEST,M3.5.0,M10.5.0/3`),
//!   whose offset is hours *west* of UTC: `UTC+3` is three hours behind UTC.
//!
//! Instants beyond the tz database's range are mapped by whole 400-year
//! Gregorian cycles (whose calendars repeat exactly), as PostgreSQL's
//! `pg_localtime` does, so far-future instants follow the zone's current
//! rules and far-past ones its first (local mean time) offset.

use super::text::{TextError, TextErrorKind};
use jiff::Timestamp;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

/// Seconds in a 400-year Gregorian cycle.
const CYCLE_SECS: i64 = 146_097 * 86_400;
/// Unix seconds comfortably inside jiff's range (years about -7500..8300).
const SAFE_MIN: i64 = -300_000_000_000;
const SAFE_MAX: i64 = 200_000_000_000;
/// Seconds from the Unix epoch to 2000-01-01.
const PG_EPOCH_UNIX_SECS: i64 = 946_684_800;
/// PostgreSQL refuses POSIX offsets of a week or more.
const MAX_POSIX_OFFSET_SECS: i64 = 168 * 3600;

/// A parsed `TimeZone` setting.
#[derive(Debug, Clone)]
pub struct SessionTimeZone {
    name: String,
    zone: Zone,
}

#[derive(Debug, Clone)]
enum Zone {
    /// Seconds east of UTC (may exceed jiff's ±26 hours, as PostgreSQL allows).
    Fixed(i32),
    Tz(TimeZone),
}

impl Default for SessionTimeZone {
    fn default() -> Self {
        SessionTimeZone::utc()
    }
}

impl PartialEq for SessionTimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl SessionTimeZone {
    /// UTC, shown as `UTC`.
    pub fn utc() -> Self {
        SessionTimeZone {
            name: "UTC".into(),
            zone: Zone::Fixed(0),
        }
    }

    /// A fixed offset of `seconds_east` of UTC, named as PostgreSQL names a
    /// numeric setting (`<+05:30>-05:30`); `None` beyond ±167:59:59.
    pub fn fixed(seconds_east: i32) -> Option<Self> {
        if i64::from(seconds_east).abs() >= MAX_POSIX_OFFSET_SECS {
            return None;
        }
        // PostgreSQL's pg_tzset_offset: `<+hh>-hh` east of UTC (and for
        // UTC itself), `<-hh>+hh` west of it.
        let mut abs = format_hms_offset(seconds_east.abs());
        abs.remove(0);
        let name = if seconds_east >= 0 {
            format!("<+{abs}>-{abs}")
        } else {
            format!("<-{abs}>+{abs}")
        };
        Some(SessionTimeZone {
            name,
            zone: Zone::Fixed(seconds_east),
        })
    }

    /// Parses a `SET TimeZone` value. An unknown zone is 22023
    /// `invalid value for parameter "TimeZone": "..."`.
    pub fn parse(setting: &str) -> Result<Self, TextError> {
        let bad = || {
            TextError::new(
                TextErrorKind::InvalidParameterValue,
                format!("invalid value for parameter \"TimeZone\": \"{setting}\""),
            )
        };
        if let Some(hours) = parse_decimal_hours(setting) {
            let secs = (hours * 3600.0).trunc();
            return if secs.abs() < MAX_POSIX_OFFSET_SECS as f64 {
                Ok(SessionTimeZone::fixed(secs as i32).expect("range checked"))
            } else {
                Err(bad().with_detail("UTC timezone offset is out of range."))
            };
        }
        SessionTimeZone::named(setting).ok_or_else(bad)
    }

    /// An IANA zone name or a POSIX TZ string, as PostgreSQL's `pg_tzset`
    /// accepts it (also in timestamp input such as `... America/New_York`).
    pub fn named(name: &str) -> Option<Self> {
        if name.is_empty() || name.trim() != name {
            return None;
        }
        if name.eq_ignore_ascii_case("utc") {
            return Some(SessionTimeZone::utc());
        }
        if let Ok(tz) = TimeZone::get(name) {
            let name = tz.iana_name().unwrap_or(name).to_owned();
            return Some(SessionTimeZone {
                name,
                zone: Zone::Tz(tz),
            });
        }
        match parse_posix(name)? {
            Posix::Fixed(west) => Some(SessionTimeZone {
                name: name.to_owned(),
                zone: Zone::Fixed(-west as i32),
            }),
            Posix::WithDst => {
                let tz = TimeZone::posix(name).ok()?;
                Some(SessionTimeZone {
                    name: name.to_owned(),
                    zone: Zone::Tz(tz),
                })
            }
        }
    }

    /// The setting as `SHOW TimeZone` prints it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset east of UTC, in seconds, in force at `micros` (since
    /// 2000-01-01 UTC).
    pub fn offset_at(&self, micros: i64) -> i32 {
        match &self.zone {
            Zone::Fixed(s) => *s,
            Zone::Tz(tz) => {
                let unix = micros.div_euclid(1_000_000) + PG_EPOCH_UNIX_SECS;
                tz.to_offset(to_jiff_timestamp(unix)).seconds()
            }
        }
    }

    /// The zone's abbreviation at `micros` (since 2000-01-01 UTC), as
    /// to_char's `TZ` shows it: `EST`, `CEST`, `UTC`, `+02` for a numeric
    /// setting.
    pub fn abbreviation_at(&self, micros: i64) -> String {
        match &self.zone {
            Zone::Fixed(s) => {
                // `<+02>-02` is called `+02`; `UTC+3` is called `UTC`.
                let name = self.name.as_str();
                if let Some(inner) = name.strip_prefix('<').and_then(|n| n.split('>').next()) {
                    inner.to_owned()
                } else {
                    let letters: String = name
                        .chars()
                        .take_while(|c| c.is_ascii_alphabetic())
                        .collect();
                    if letters.is_empty() {
                        format_hms_offset(*s)
                    } else {
                        letters
                    }
                }
            }
            Zone::Tz(tz) => {
                let unix = micros.div_euclid(1_000_000) + PG_EPOCH_UNIX_SECS;
                tz.to_offset_info(to_jiff_timestamp(unix))
                    .abbreviation()
                    .to_owned()
            }
        }
    }

    /// The offset east of UTC for the wall-clock time `local_secs` (seconds
    /// since 2000-01-01 00:00:00 local). In a gap (spring forward) it is the
    /// offset before the transition, in a fold (fall back) the offset after
    /// it: PostgreSQL's `DetermineTimeZoneOffset`.
    pub fn offset_for_local(&self, local_secs: i64) -> i32 {
        match &self.zone {
            Zone::Fixed(s) => *s,
            Zone::Tz(tz) => {
                let unix = local_secs + PG_EPOCH_UNIX_SECS;
                let civil = Offset::UTC.to_datetime(to_jiff_timestamp(unix));
                match tz.to_ambiguous_timestamp(civil).offset() {
                    AmbiguousOffset::Unambiguous { offset } => offset.seconds(),
                    AmbiguousOffset::Gap { before, .. } => before.seconds(),
                    AmbiguousOffset::Fold { after, .. } => after.seconds(),
                }
            }
        }
    }
}

/// A jiff timestamp for `unix` seconds, moved by whole 400-year cycles
/// into jiff's range (the offset rules repeat by cycle).
fn to_jiff_timestamp(mut unix: i64) -> Timestamp {
    if unix > SAFE_MAX {
        unix -= ((unix - SAFE_MAX) / CYCLE_SECS + 1) * CYCLE_SECS;
    } else if unix < SAFE_MIN {
        unix += ((SAFE_MIN - unix) / CYCLE_SECS + 1) * CYCLE_SECS;
    }
    Timestamp::from_second(unix).expect("within jiff's range")
}

/// `+hh[:mm[:ss]]` for `secs` east (or west) of UTC: PostgreSQL's form.
pub(crate) fn format_hms_offset(secs: i32) -> String {
    let mut s = String::new();
    write_offset(secs, &mut s);
    s
}

/// Appends `+hh[:mm[:ss]]` for an offset of `secs` east of UTC.
pub(crate) fn write_offset(secs: i32, out: &mut String) {
    use std::fmt::Write;
    let abs = secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    let _ = write!(out, "{}{h:02}", if secs < 0 { '-' } else { '+' });
    if m != 0 || s != 0 {
        let _ = write!(out, ":{m:02}");
    }
    if s != 0 {
        let _ = write!(out, ":{s:02}");
    }
}

/// The whole string as a decimal number (what PostgreSQL's `strtod` check
/// takes as hours): `[+-]digits[.digits][e[+-]digits]`.
fn parse_decimal_hours(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i == start || b[start..i].iter().filter(|c| **c == b'.').count() > 1 || &s[start..i] == "." {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if e == i {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse().ok()
}

enum Posix {
    /// Seconds west of UTC, POSIX's sign.
    Fixed(i64),
    /// Has a daylight-saving part: for jiff's POSIX parser.
    WithDst,
}

/// A POSIX TZ string `name offset [dst...]`, where the name is letters or
/// `<...>` (PostgreSQL accepts an empty one too, as in `5:30`).
fn parse_posix(s: &str) -> Option<Posix> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'<') {
        i = s.find('>')? + 1;
    } else {
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
    }
    let mut sign = 1;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        if b[i] == b'-' {
            sign = -1;
        }
        i += 1;
    }
    let mut parts = [0i64; 3];
    let mut n = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 3 {
            i += 1;
        }
        if i == start {
            return None;
        }
        parts[n] = s[start..i].parse().ok()?;
        n += 1;
        if n < 3 && i < b.len() && b[i] == b':' {
            i += 1;
        } else {
            break;
        }
    }
    if parts[1] > 59 || parts[2] > 59 {
        return None;
    }
    let secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
    if secs >= MAX_POSIX_OFFSET_SECS {
        return None;
    }
    if i == b.len() {
        Some(Posix::Fixed(sign * secs))
    } else {
        Some(Posix::WithDst)
    }
}
