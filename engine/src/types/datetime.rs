//! DATE and TIMESTAMPTZ text forms, as PostgreSQL 15 reads and writes them
//! with `DateStyle = 'ISO, MDY'`.
//!
//! Output: `2024-01-05`, `0044-03-15 BC`, `2024-01-05 13:45:00.5+01`,
//! `1850-01-01 00:53:28+00:53:28`, `infinity`, `-infinity`.
//!
//! Input follows PostgreSQL's `ParseDateTime` / `DecodeDateTime`: the text
//! is split into fields (numbers, `y-m-d` dates, `h:m:s` times, `+hh:mm`
//! offsets, words) which are then assigned to year, month, day, time and
//! zone. Supported: ISO dates (`2024-01-05`, `2024-1-5`, `12024-01-05`),
//! `1/5/2024` and `1-5-24` (month first), `20240105`, month names (`January
//! 5, 2024`, `05 Jan 2024`, `2024-Jan-05`), two-digit years (1970-2069),
//! `BC`/`AD`, times `h:m[:s[.frac]]` / `hhmmss` / after `T`, `am`/`pm`, zone
//! offsets (`Z`, `+01`, `+0100`, `+01:00`, `-05:30:15`), zone abbreviations
//! (`UTC`, `EST`, `CEST`, ... fixed ones of PostgreSQL's default set), zone
//! names (`Europe/Berlin`, `GMT+3` POSIX style), and the special words
//! `epoch`, `infinity`, `-infinity`, `now`, `today`, `tomorrow`,
//! `yesterday`, `allballs`. Not supported: day-of-year (`2024.005`), Julian
//! days (`J2451545`), labelled ISO fields (`y2024m01d05`), and zone
//! abbreviations whose offset changed over time (`MSK`).

use super::text::{TextError, TextErrorKind, is_pg_space};
use super::timezone::{SessionTimeZone, write_offset};
use std::fmt::Write;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 to 2000-01-01.
const PG_EPOCH_UNIX_DAYS: i64 = 10_957;
/// First valid DATE: 4714-11-24 BC (Julian day 0).
pub const DATE_MIN: i32 = -2_451_545;
/// One past the last valid DATE: 5874898-01-01.
pub const DATE_END: i32 = 2_145_031_949;
/// First valid TIMESTAMPTZ: 4714-11-24 00:00:00 BC UTC.
pub const TIMESTAMP_MIN: i64 = -211_813_488_000_000_000;
/// One past the last valid TIMESTAMPTZ: 294277-01-01 00:00:00 UTC.
pub const TIMESTAMP_END: i64 = 9_223_371_331_200_000_000;
/// DATE `-infinity` and `infinity`, as PostgreSQL stores them.
pub const DATE_NEG_INFINITY: i32 = i32::MIN;
pub const DATE_INFINITY: i32 = i32::MAX;
/// TIMESTAMPTZ `-infinity` and `infinity`.
pub const TIMESTAMP_NEG_INFINITY: i64 = i64::MIN;
pub const TIMESTAMP_INFINITY: i64 = i64::MAX;

const TYPE_DATE: &str = "date";
const TYPE_TIMESTAMPTZ: &str = "timestamp with time zone";
const TYPE_TIMESTAMP: &str = "timestamp without time zone";

// ---------------------------------------------------------------- calendar

/// Days since 1970-01-01 of a proleptic Gregorian date (year 0 = 1 BC).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month, day) of `days` since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// PostgreSQL's IS_VALID_JULIAN: within the Julian-day routines' range.
pub fn is_valid_julian(year: i64, month: i64) -> bool {
    (year > -4713 || (year == -4713 && month >= 11))
        && (year < 5_874_898 || (year == 5_874_898 && month < 6))
}

/// The current time in microseconds since 2000-01-01 UTC.
pub fn system_now() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_micros() as i64 - PG_EPOCH_UNIX_DAYS * USECS_PER_DAY
}

// ------------------------------------------------------------------ output

fn write_ymd(year: i64, month: u32, day: u32, out: &mut String) {
    let shown = if year > 0 { year } else { 1 - year };
    let _ = write!(out, "{shown:04}-{month:02}-{day:02}");
}

/// Appends PostgreSQL's ISO output of a DATE (days since 2000-01-01).
pub fn write_date(days: i32, out: &mut String) {
    match days {
        DATE_NEG_INFINITY => out.push_str("-infinity"),
        DATE_INFINITY => out.push_str("infinity"),
        _ => {
            let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_UNIX_DAYS);
            write_ymd(y, m, d, out);
            if y <= 0 {
                out.push_str(" BC");
            }
        }
    }
}

/// PostgreSQL's ISO output of a DATE.
pub fn format_date(days: i32) -> String {
    let mut s = String::new();
    write_date(days, &mut s);
    s
}

/// Appends PostgreSQL's ISO output of a TIMESTAMPTZ (microseconds since
/// 2000-01-01 UTC) shown in `tz`.
pub fn write_timestamptz(micros: i64, tz: &SessionTimeZone, out: &mut String) {
    match micros {
        TIMESTAMP_NEG_INFINITY | TIMESTAMP_INFINITY => write_timestamp(micros, out),
        _ => {
            let offset = tz.offset_at(micros);
            let local = i128::from(micros) + i128::from(offset) * i128::from(USECS_PER_SEC);
            write_wall_clock(local, Some(offset), out);
        }
    }
}

/// Appends PostgreSQL's ISO output of a TIMESTAMP without time zone
/// (wall-clock microseconds since 2000-01-01).
pub fn write_timestamp(micros: i64, out: &mut String) {
    match micros {
        TIMESTAMP_NEG_INFINITY => out.push_str("-infinity"),
        TIMESTAMP_INFINITY => out.push_str("infinity"),
        _ => write_wall_clock(i128::from(micros), None, out),
    }
}

/// `yyyy-mm-dd hh:mm:ss[.ffffff][offset][ BC]`.
fn write_wall_clock(local: i128, offset: Option<i32>, out: &mut String) {
    let days = local.div_euclid(i128::from(USECS_PER_DAY)) as i64;
    let tod = local.rem_euclid(i128::from(USECS_PER_DAY)) as i64;
    let (y, m, d) = civil_from_days(days + PG_EPOCH_UNIX_DAYS);
    write_ymd(y, m, d, out);
    let secs = tod / USECS_PER_SEC;
    let frac = tod % USECS_PER_SEC;
    let _ = write!(
        out,
        " {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    if let Some(offset) = offset {
        write_offset(offset, out);
    }
    if y <= 0 {
        out.push_str(" BC");
    }
}

/// PostgreSQL's ISO output of a TIMESTAMPTZ shown in `tz`.
pub fn format_timestamptz(micros: i64, tz: &SessionTimeZone) -> String {
    let mut s = String::new();
    write_timestamptz(micros, tz, &mut s);
    s
}

// ------------------------------------------------------------------- input

/// Parses DATE input; zone parts are accepted and ignored, `now` and
/// `today` use `now` (microseconds since 2000-01-01 UTC) seen in `tz`.
pub fn parse_date(text: &str, tz: &SessionTimeZone, now: i64) -> Result<i32, TextError> {
    let err = |e: DtErr| e.into_error(text, TYPE_DATE);
    let out_of_range = || {
        TextError::new(
            TextErrorKind::DatetimeFieldOverflow,
            format!("date out of range: \"{text}\""),
        )
    };
    let tm = match decode(text, tz, now).map_err(err)? {
        Decoded::Epoch => return Ok(-(PG_EPOCH_UNIX_DAYS as i32)),
        Decoded::Late => return Ok(DATE_INFINITY),
        Decoded::Early => return Ok(DATE_NEG_INFINITY),
        Decoded::Now => {
            let local = now + i64::from(tz.offset_at(now)) * USECS_PER_SEC;
            let days = local.div_euclid(USECS_PER_DAY);
            return i32::try_from(days).map_err(|_| out_of_range());
        }
        Decoded::Fields(tm) => tm,
    };
    if !is_valid_julian(tm.year, tm.mon) {
        return Err(out_of_range());
    }
    let days = days_from_civil(tm.year, tm.mon as u32, tm.mday as u32) - PG_EPOCH_UNIX_DAYS;
    if days < i64::from(DATE_MIN) || days >= i64::from(DATE_END) {
        return Err(out_of_range());
    }
    Ok(days as i32)
}

/// Parses TIMESTAMPTZ input; a timestamp without zone is local time in `tz`.
pub fn parse_timestamptz(text: &str, tz: &SessionTimeZone, now: i64) -> Result<i64, TextError> {
    parse_timestamp_input(text, tz, now, true)
}

/// Parses TIMESTAMP (without time zone) input: the wall-clock time as
/// written, a zone in it ignored, as PostgreSQL does; `now` is the wall
/// clock in `tz`.
pub fn parse_timestamp(text: &str, tz: &SessionTimeZone, now: i64) -> Result<i64, TextError> {
    parse_timestamp_input(text, tz, now, false)
}

fn parse_timestamp_input(
    text: &str,
    tz: &SessionTimeZone,
    now: i64,
    with_zone: bool,
) -> Result<i64, TextError> {
    let type_name = if with_zone {
        TYPE_TIMESTAMPTZ
    } else {
        TYPE_TIMESTAMP
    };
    let err = |e: DtErr| e.into_error(text, type_name);
    let out_of_range = || {
        TextError::new(
            TextErrorKind::DatetimeFieldOverflow,
            format!("timestamp out of range: \"{text}\""),
        )
    };
    let tm = match decode(text, tz, now).map_err(err)? {
        Decoded::Epoch => return Ok(-PG_EPOCH_UNIX_DAYS * USECS_PER_DAY),
        Decoded::Late => return Ok(TIMESTAMP_INFINITY),
        Decoded::Early => return Ok(TIMESTAMP_NEG_INFINITY),
        Decoded::Now if with_zone => return Ok(now),
        Decoded::Now => return Ok(now + i64::from(tz.offset_at(now)) * USECS_PER_SEC),
        Decoded::Fields(tm) => tm,
    };
    if !is_valid_julian(tm.year, tm.mon) {
        return Err(out_of_range());
    }
    let days = days_from_civil(tm.year, tm.mon as u32, tm.mday as u32) - PG_EPOCH_UNIX_DAYS;
    let time = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * USECS_PER_SEC + tm.fsec;
    let local = i128::from(days) * i128::from(USECS_PER_DAY) + i128::from(time);
    let offset = match (&tm.offset, &tm.zone, with_zone) {
        (_, _, false) => 0,
        (Some(secs), _, true) => *secs,
        (None, Some(zone), true) => zone.offset_for_local(local.div_euclid(1_000_000) as i64),
        (None, None, true) => tz.offset_for_local(local.div_euclid(1_000_000) as i64),
    };
    let utc = local - i128::from(offset) * i128::from(USECS_PER_SEC);
    if utc < i128::from(TIMESTAMP_MIN) || utc >= i128::from(TIMESTAMP_END) {
        return Err(out_of_range());
    }
    Ok(utc as i64)
}

/// PostgreSQL's DTERR_* codes.
#[derive(Debug)]
pub(super) enum DtErr {
    BadFormat,
    FieldOverflow,
    /// A month or day out of range: maybe the wrong DateStyle.
    MdFieldOverflow,
    TzDispOverflow,
    UnknownZone(String),
}

impl DtErr {
    fn into_error(self, text: &str, type_name: &str) -> TextError {
        match self {
            DtErr::BadFormat => TextError::new(
                TextErrorKind::InvalidDatetimeFormat,
                format!("invalid input syntax for type {type_name}: \"{text}\""),
            ),
            DtErr::FieldOverflow => TextError::new(
                TextErrorKind::DatetimeFieldOverflow,
                format!("date/time field value out of range: \"{text}\""),
            ),
            DtErr::MdFieldOverflow => TextError::new(
                TextErrorKind::DatetimeFieldOverflow,
                format!("date/time field value out of range: \"{text}\""),
            )
            .with_hint("Perhaps you need a different \"datestyle\" setting."),
            DtErr::TzDispOverflow => TextError::new(
                TextErrorKind::InvalidTimeZoneDisplacement,
                format!("time zone displacement out of range: \"{text}\""),
            ),
            DtErr::UnknownZone(name) => TextError::new(
                TextErrorKind::InvalidParameterValue,
                format!("time zone \"{name}\" not recognized"),
            ),
        }
    }
}

/// PostgreSQL's field types from `ParseDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldType {
    Number,
    Date,
    Time,
    Tz,
    Str,
    Special,
}

/// Splits `text` into lower-cased fields as PostgreSQL's `ParseDateTime`.
pub(super) fn tokenize(text: &str) -> Result<Vec<(FieldType, String)>, DtErr> {
    let b = text.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, f: &dyn Fn(u8) -> bool, buf: &mut String| {
        while *i < b.len() && f(b[*i]) {
            buf.push(b[*i].to_ascii_lowercase() as char);
            *i += 1;
        }
    };
    while i < b.len() {
        let c = b[i];
        let mut buf = String::new();
        if is_pg_space(c as char) {
            i += 1;
            continue;
        }
        let ty = if c.is_ascii_digit() {
            take(&mut i, &|c| c.is_ascii_digit(), &mut buf);
            if i < b.len() && b[i] == b':' {
                take(
                    &mut i,
                    &|c| c.is_ascii_digit() || c == b':' || c == b'.',
                    &mut buf,
                );
                FieldType::Time
            } else if i < b.len() && matches!(b[i], b'-' | b'/' | b'.') {
                let delim = b[i];
                buf.push(delim as char);
                i += 1;
                if i < b.len() && b[i].is_ascii_digit() {
                    let mut ty = if delim == b'.' {
                        FieldType::Number
                    } else {
                        FieldType::Date
                    };
                    take(&mut i, &|c| c.is_ascii_digit(), &mut buf);
                    if i < b.len() && b[i] == delim {
                        ty = FieldType::Date;
                        take(&mut i, &|c| c.is_ascii_digit() || c == delim, &mut buf);
                    }
                    ty
                } else {
                    take(
                        &mut i,
                        &|c| c.is_ascii_alphanumeric() || c == delim,
                        &mut buf,
                    );
                    FieldType::Date
                }
            } else {
                FieldType::Number
            }
        } else if c == b'.' {
            buf.push('.');
            i += 1;
            take(&mut i, &|c| c.is_ascii_digit(), &mut buf);
            FieldType::Number
        } else if c.is_ascii_alphabetic() {
            take(&mut i, &|c| c.is_ascii_alphabetic(), &mut buf);
            let next = b.get(i).copied();
            let is_date = match next {
                Some(b'-' | b'/' | b'.') => true,
                Some(c) if c == b'+' || c.is_ascii_digit() => keyword(&buf).is_none(),
                _ => false,
            };
            if is_date {
                take(
                    &mut i,
                    &|c| {
                        c.is_ascii_alphanumeric()
                            || matches!(c, b'+' | b'-' | b'/' | b'_' | b'.' | b':')
                    },
                    &mut buf,
                );
                FieldType::Date
            } else {
                FieldType::Str
            }
        } else if c == b'+' || c == b'-' {
            buf.push(c as char);
            i += 1;
            while i < b.len() && is_pg_space(b[i] as char) {
                i += 1;
            }
            if i < b.len() && b[i].is_ascii_digit() {
                take(
                    &mut i,
                    &|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'-'),
                    &mut buf,
                );
                FieldType::Tz
            } else if i < b.len() && b[i].is_ascii_alphabetic() {
                take(&mut i, &|c| c.is_ascii_alphabetic(), &mut buf);
                FieldType::Special
            } else {
                return Err(DtErr::BadFormat);
            }
        } else if c.is_ascii_punctuation() {
            i += 1;
            continue;
        } else {
            return Err(DtErr::BadFormat);
        };
        fields.push((ty, buf));
    }
    Ok(fields)
}

/// Words of PostgreSQL's built-in date/time token table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Month(i64),
    Ignore,
    Am,
    Pm,
    Ad,
    Bc,
    Epoch,
    Late,
    Early,
    Now,
    Today,
    Tomorrow,
    Yesterday,
    IsoTime,
    AllBalls,
    /// Known to PostgreSQL (units of labelled ISO dates, Julian days), not
    /// supported here.
    Unsupported,
}

fn keyword(s: &str) -> Option<Kw> {
    Some(match s {
        "jan" | "january" => Kw::Month(1),
        "feb" | "february" => Kw::Month(2),
        "mar" | "march" => Kw::Month(3),
        "apr" | "april" => Kw::Month(4),
        "may" => Kw::Month(5),
        "jun" | "june" => Kw::Month(6),
        "jul" | "july" => Kw::Month(7),
        "aug" | "august" => Kw::Month(8),
        "sep" | "sept" | "september" => Kw::Month(9),
        "oct" | "october" => Kw::Month(10),
        "nov" | "november" => Kw::Month(11),
        "dec" | "december" => Kw::Month(12),
        "sun" | "sunday" | "mon" | "monday" | "tue" | "tues" | "tuesday" | "wed" | "wednesday"
        | "thu" | "thur" | "thurs" | "thursday" | "fri" | "friday" | "sat" | "saturday" | "on"
        | "at" => Kw::Ignore,
        "am" => Kw::Am,
        "pm" => Kw::Pm,
        "ad" => Kw::Ad,
        "bc" => Kw::Bc,
        "epoch" => Kw::Epoch,
        "infinity" => Kw::Late,
        "-infinity" => Kw::Early,
        "now" => Kw::Now,
        "today" => Kw::Today,
        "tomorrow" => Kw::Tomorrow,
        "yesterday" => Kw::Yesterday,
        "t" => Kw::IsoTime,
        "allballs" => Kw::AllBalls,
        "d" | "h" | "j" | "jd" | "julian" | "m" | "mm" | "s" | "y" => Kw::Unsupported,
        _ => return None,
    })
}

/// The fixed-offset zone abbreviations of PostgreSQL's `Default` set that
/// crmdb knows, in seconds east of UTC (checked against
/// `pg_timezone_abbrevs` of PostgreSQL 15).
fn zone_abbrev(s: &str) -> Option<i32> {
    Some(match s {
        "utc" | "ut" | "gmt" | "z" | "zulu" | "wet" => 0,
        "bst" | "cet" | "met" => 3600,
        "cest" | "mest" | "eet" | "ist" => 7200,
        "eest" => 10800,
        "sgt" | "hkt" => 28800,
        "jst" | "kst" => 32400,
        "aest" => 36000,
        "aedt" => 39600,
        "nzst" => 43200,
        "nzdt" => 46800,
        "ndt" => -9000,
        "adt" => -10800,
        "nst" => -12600,
        "ast" | "edt" => -14400,
        "est" | "cdt" => -18000,
        "cst" | "mdt" => -21600,
        "mst" | "pdt" => -25200,
        "pst" | "akdt" => -28800,
        "akst" => -32400,
        "hst" => -36000,
        _ => return None,
    })
}

const YEAR: u32 = 1 << 0;
const MONTH: u32 = 1 << 1;
const DAY: u32 = 1 << 2;
const HOUR: u32 = 1 << 3;
const MINUTE: u32 = 1 << 4;
const SECOND: u32 = 1 << 5;
const TZ: u32 = 1 << 6;
const AMPM: u32 = 1 << 7;
const ERA: u32 = 1 << 8;
const DATE_M: u32 = YEAR | MONTH | DAY;
const TIME_M: u32 = HOUR | MINUTE | SECOND;

/// Decoded fields: astronomical year (after BC and two-digit adjustment).
#[derive(Debug, Default)]
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    /// Microseconds.
    fsec: i64,
    /// An explicit offset, seconds east of UTC.
    offset: Option<i32>,
    /// A zone named in the input.
    zone: Option<SessionTimeZone>,
}

enum Decoded {
    Fields(Tm),
    Epoch,
    Late,
    Early,
    Now,
}

fn parse_num(s: &str) -> Result<i64, DtErr> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtErr::BadFormat);
    }
    let v: i64 = s.parse().map_err(|_| DtErr::FieldOverflow)?;
    if v > i64::from(i32::MAX) {
        return Err(DtErr::FieldOverflow);
    }
    Ok(v)
}

/// `.digits` as PostgreSQL's ParseFractionalSecond: `rint(strtod * 1e6)`.
fn parse_fraction(s: &str) -> Result<i64, DtErr> {
    debug_assert!(s.starts_with('.'));
    if !s[1..].bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtErr::BadFormat);
    }
    if s.len() == 1 {
        return Ok(0);
    }
    let frac: f64 = format!("0{s}").parse().map_err(|_| DtErr::BadFormat)?;
    Ok((frac * 1_000_000.0).round_ties_even() as i64)
}

struct Decoder<'a> {
    tm: Tm,
    fmask: u32,
    is2digits: bool,
    bc: bool,
    /// Some(true) = PM, Some(false) = AM.
    pm: Option<bool>,
    have_text_month: bool,
    special: Option<Kw>,
    session: &'a SessionTimeZone,
    now: i64,
}

fn decode(text: &str, session: &SessionTimeZone, now: i64) -> Result<Decoded, DtErr> {
    let fields = tokenize(text)?;
    if fields.is_empty() {
        return Err(DtErr::BadFormat);
    }
    let mut d = Decoder {
        tm: Tm::default(),
        fmask: 0,
        is2digits: false,
        bc: false,
        pm: None,
        have_text_month: false,
        special: None,
        session,
        now,
    };
    let mut after_t = false;
    for (i, (ty, f)) in fields.iter().enumerate() {
        let tmask = match ty {
            FieldType::Date => {
                if after_t {
                    return Err(DtErr::BadFormat);
                }
                let mmdd = MONTH | DAY;
                if d.fmask & mmdd == mmdd {
                    if f.as_bytes()[0].is_ascii_digit() {
                        return Err(DtErr::BadFormat);
                    }
                    let zone =
                        SessionTimeZone::named(f).ok_or_else(|| DtErr::UnknownZone(f.clone()))?;
                    d.tm.zone = Some(zone);
                    TZ
                } else {
                    d.decode_date(f)?
                }
            }
            FieldType::Time => {
                after_t = false;
                let tmask = d.decode_time(f)?;
                let t = &d.tm;
                let total = ((t.hour * 60 + t.min) * 60 + t.sec) * USECS_PER_SEC + t.fsec;
                if t.hour < 0 || t.min > 59 || t.sec > 60 || total > USECS_PER_DAY {
                    return Err(DtErr::FieldOverflow);
                }
                tmask
            }
            FieldType::Tz => {
                d.tm.offset = Some(decode_offset(f)?);
                TZ
            }
            FieldType::Number => {
                if after_t {
                    after_t = false;
                    let tmask = d.decode_number_field(f, d.fmask | DATE_M)?;
                    if tmask != TIME_M {
                        return Err(DtErr::BadFormat);
                    }
                    tmask
                } else {
                    d.decode_number_in_datetime(f)?
                }
            }
            FieldType::Str | FieldType::Special => {
                if let Some(secs) = zone_abbrev(f) {
                    d.tm.offset = Some(secs);
                    TZ
                } else {
                    match keyword(f) {
                        Some(Kw::Ignore) => continue,
                        Some(Kw::Month(m)) => {
                            let mut tmask = MONTH;
                            if d.fmask & MONTH != 0
                                && !d.have_text_month
                                && d.fmask & DAY == 0
                                && (1..=31).contains(&d.tm.mon)
                            {
                                // "05 Jan": the number taken as a month was the day.
                                d.tm.mday = d.tm.mon;
                                tmask = DAY;
                            }
                            d.have_text_month = true;
                            d.tm.mon = m;
                            tmask
                        }
                        Some(Kw::Am) | Some(Kw::Pm) => {
                            d.pm = Some(keyword(f) == Some(Kw::Pm));
                            AMPM
                        }
                        Some(Kw::Ad) | Some(Kw::Bc) => {
                            d.bc = keyword(f) == Some(Kw::Bc);
                            ERA
                        }
                        Some(kw @ (Kw::Epoch | Kw::Late | Kw::Early | Kw::Now)) => {
                            d.special = Some(kw);
                            DATE_M | TIME_M | TZ
                        }
                        Some(kw @ (Kw::Today | Kw::Tomorrow | Kw::Yesterday)) => {
                            let local =
                                d.now + i64::from(d.session.offset_at(d.now)) * USECS_PER_SEC;
                            let shift = match kw {
                                Kw::Tomorrow => 1,
                                Kw::Yesterday => -1,
                                _ => 0,
                            };
                            let (y, m, dd) = civil_from_days(
                                local.div_euclid(USECS_PER_DAY) + PG_EPOCH_UNIX_DAYS + shift,
                            );
                            d.tm.year = y;
                            d.tm.mon = i64::from(m);
                            d.tm.mday = i64::from(dd);
                            // The year is already astronomical.
                            d.is2digits = false;
                            DATE_M
                        }
                        Some(Kw::AllBalls) => {
                            // Midnight UTC.
                            d.tm.hour = 0;
                            d.tm.min = 0;
                            d.tm.sec = 0;
                            d.tm.fsec = 0;
                            d.tm.offset = Some(0);
                            TIME_M | TZ
                        }
                        Some(Kw::IsoTime) => {
                            // "T": the next field must be a time, after a full date.
                            let next_ok = matches!(
                                fields.get(i + 1),
                                Some((FieldType::Number | FieldType::Time, _))
                            );
                            if d.fmask & DATE_M != DATE_M || !next_ok {
                                return Err(DtErr::BadFormat);
                            }
                            after_t = true;
                            continue;
                        }
                        Some(Kw::Unsupported) => return Err(DtErr::BadFormat),
                        None => {
                            if *ty == FieldType::Special {
                                return Err(DtErr::BadFormat);
                            }
                            let zone = SessionTimeZone::named(f).ok_or(DtErr::BadFormat)?;
                            d.tm.zone = Some(zone);
                            TZ
                        }
                    }
                }
            }
        };
        if tmask & d.fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        d.fmask |= tmask;
    }
    if let Some(kw) = d.special {
        return Ok(match kw {
            Kw::Epoch => Decoded::Epoch,
            Kw::Late => Decoded::Late,
            Kw::Early => Decoded::Early,
            _ => Decoded::Now,
        });
    }
    d.validate_date()?;
    if let Some(pm) = d.pm {
        if d.tm.hour > 12 {
            return Err(DtErr::FieldOverflow);
        }
        if !pm && d.tm.hour == 12 {
            d.tm.hour = 0;
        } else if pm && d.tm.hour != 12 {
            d.tm.hour += 12;
        }
    }
    if d.fmask & DATE_M != DATE_M {
        return Err(DtErr::BadFormat);
    }
    Ok(Decoded::Fields(d.tm))
}

impl Decoder<'_> {
    /// PostgreSQL's DecodeDate: a field like `2024-01-05` or `jan-05-2024`.
    fn decode_date(&mut self, s: &str) -> Result<u32, DtErr> {
        let mut parts: Vec<&str> = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && !b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i == b.len() {
                return Err(DtErr::BadFormat);
            }
            let start = i;
            if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            } else {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
            }
            parts.push(&s[start..i]);
            if i < b.len() {
                if b[i].is_ascii_alphanumeric() {
                    // "5x": letters right after digits.
                    return Err(DtErr::BadFormat);
                }
                i += 1;
            }
        }
        let mut fmask = self.fmask;
        let mut tmask = 0;
        let mut have_text_month = false;
        let mut numeric = Vec::new();
        for p in parts {
            if p.as_bytes()[0].is_ascii_alphabetic() {
                match keyword(p) {
                    Some(Kw::Ignore) => continue,
                    Some(Kw::Month(m)) => {
                        self.tm.mon = m;
                        have_text_month = true;
                        if fmask & MONTH != 0 {
                            return Err(DtErr::BadFormat);
                        }
                        fmask |= MONTH;
                        tmask |= MONTH;
                    }
                    _ => return Err(DtErr::BadFormat),
                }
            } else {
                numeric.push(p);
            }
        }
        for p in numeric {
            let dmask = self.decode_number(p, have_text_month, fmask)?;
            if fmask & dmask != 0 {
                return Err(DtErr::BadFormat);
            }
            fmask |= dmask;
            tmask |= dmask;
        }
        // As in PostgreSQL, this also rejects a date after a time (`13:45
        // 2024-01-05`): the check sees every field decoded so far.
        if fmask & !TZ != DATE_M {
            return Err(DtErr::BadFormat);
        }
        Ok(tmask)
    }

    /// PostgreSQL's DecodeNumber: one numeric field, placed by what is known.
    fn decode_number(&mut self, s: &str, have_text_month: bool, fmask: u32) -> Result<u32, DtErr> {
        if let Some(dot) = s.find('.') {
            if dot > 2 {
                return self.decode_number_field(s, fmask);
            }
            return Err(DtErr::BadFormat);
        }
        let val = parse_num(s)?;
        let flen = s.len();
        if flen == 3 && fmask & DATE_M == YEAR && (1..=366).contains(&val) {
            // Day of year: not supported.
            return Err(DtErr::BadFormat);
        }
        let tmask = match fmask & DATE_M {
            0 => {
                if flen >= 3 {
                    self.tm.year = val;
                    YEAR
                } else {
                    self.tm.mon = val;
                    MONTH
                }
            }
            YEAR => {
                self.tm.mon = val;
                MONTH
            }
            MONTH => {
                if have_text_month && flen >= 3 {
                    self.tm.year = val;
                    YEAR
                } else {
                    self.tm.mday = val;
                    DAY
                }
            }
            m if m == YEAR | MONTH => {
                if have_text_month && flen >= 3 && self.is2digits {
                    // "05-jan-2024": the first number was the day.
                    self.tm.mday = self.tm.year;
                    self.tm.year = val;
                    self.is2digits = false;
                    return Ok(DAY);
                }
                self.tm.mday = val;
                DAY
            }
            DAY => {
                self.tm.mon = val;
                MONTH
            }
            m if m == MONTH | DAY => {
                self.tm.year = val;
                YEAR
            }
            DATE_M => return self.decode_number_field(s, fmask),
            _ => return Err(DtErr::BadFormat),
        };
        if tmask == YEAR {
            self.is2digits = flen <= 2;
        }
        Ok(tmask)
    }

    /// PostgreSQL's DecodeNumberField: run-together `yyyymmdd`, `hhmmss`,
    /// `hhmm`, optionally with a fraction of a second.
    fn decode_number_field(&mut self, s: &str, fmask: u32) -> Result<u32, DtErr> {
        let mut s = s;
        let mut has_frac = false;
        if let Some(dot) = s.find('.') {
            self.tm.fsec = parse_fraction(&s[dot..])?;
            s = &s[..dot];
            has_frac = true;
        }
        let len = s.len();
        if !has_frac && fmask & DATE_M != DATE_M && len >= 6 {
            self.tm.mday = parse_num(&s[len - 2..])?;
            self.tm.mon = parse_num(&s[len - 4..len - 2])?;
            self.tm.year = parse_num(&s[..len - 4])?;
            self.is2digits = len - 4 == 2;
            return Ok(DATE_M);
        }
        if fmask & TIME_M != TIME_M {
            if len == 6 {
                self.tm.hour = parse_num(&s[..2])?;
                self.tm.min = parse_num(&s[2..4])?;
                self.tm.sec = parse_num(&s[4..])?;
                return Ok(TIME_M);
            } else if len == 4 {
                self.tm.hour = parse_num(&s[..2])?;
                self.tm.min = parse_num(&s[2..])?;
                self.tm.sec = 0;
                return Ok(TIME_M);
            }
        }
        Err(DtErr::BadFormat)
    }

    /// A numeric field at the top level of DecodeDateTime.
    fn decode_number_in_datetime(&mut self, s: &str) -> Result<u32, DtErr> {
        let flen = s.len();
        match s.find('.') {
            Some(_) if self.fmask & DATE_M == 0 => self.decode_date(s),
            Some(dot) if dot > 2 => self.decode_number_field(s, self.fmask),
            None if flen >= 6 && (self.fmask & DATE_M == 0 || self.fmask & TIME_M == 0) => {
                self.decode_number_field(s, self.fmask)
            }
            _ => {
                let have_text_month = self.have_text_month;
                self.decode_number(s, have_text_month, self.fmask)
            }
        }
    }

    /// PostgreSQL's DecodeTime: `h:m`, `h:m:s[.frac]`, `m:s.frac`.
    fn decode_time(&mut self, s: &str) -> Result<u32, DtErr> {
        let (main, frac) = match s.find('.') {
            Some(dot) => (&s[..dot], Some(parse_fraction(&s[dot..])?)),
            None => (s, None),
        };
        let parts: Vec<&str> = main.split(':').collect();
        let tm = &mut self.tm;
        match (parts.as_slice(), frac) {
            ([h, m], None) => {
                tm.hour = parse_num(h)?;
                tm.min = parse_num(m)?;
                tm.sec = 0;
                tm.fsec = 0;
            }
            ([m, sec], Some(f)) => {
                tm.hour = 0;
                tm.min = parse_num(m)?;
                tm.sec = parse_num(sec)?;
                tm.fsec = f;
            }
            ([h, m, sec], f) => {
                tm.hour = parse_num(h)?;
                tm.min = parse_num(m)?;
                tm.sec = parse_num(sec)?;
                tm.fsec = f.unwrap_or(0);
            }
            _ => return Err(DtErr::BadFormat),
        }
        if tm.min > 59 || tm.sec > 60 || tm.fsec > USECS_PER_SEC {
            return Err(DtErr::FieldOverflow);
        }
        Ok(TIME_M)
    }

    /// PostgreSQL's ValidateDate.
    fn validate_date(&mut self) -> Result<(), DtErr> {
        let tm = &mut self.tm;
        if self.fmask & YEAR != 0 {
            if self.bc {
                if tm.year <= 0 {
                    return Err(DtErr::FieldOverflow);
                }
                tm.year = -(tm.year - 1);
            } else if self.is2digits {
                if tm.year < 70 {
                    tm.year += 2000;
                } else if tm.year < 100 {
                    tm.year += 1900;
                }
            } else if tm.year <= 0 {
                return Err(DtErr::FieldOverflow);
            }
        }
        if self.fmask & MONTH != 0 && !(1..=12).contains(&tm.mon) {
            return Err(DtErr::MdFieldOverflow);
        }
        if self.fmask & DAY != 0 && !(1..=31).contains(&tm.mday) {
            return Err(DtErr::MdFieldOverflow);
        }
        if self.fmask & DATE_M == DATE_M && tm.mday > days_in_month(tm.year, tm.mon) {
            return Err(DtErr::FieldOverflow);
        }
        Ok(())
    }
}

/// PostgreSQL's DecodeTimezone: `+hh`, `+hhmm`, `+hh:mm[:ss]`; returns
/// seconds east of UTC, at most 15:59:59 either way.
fn decode_offset(s: &str) -> Result<i32, DtErr> {
    let b = s.as_bytes();
    let negative = b[0] == b'-';
    let mut i = 1;
    // strtoint: leading digits, 0 if none.
    let number = |i: &mut usize| -> Result<i64, DtErr> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return Ok(0);
        }
        match s[start..*i].parse::<i64>() {
            Ok(v) if v <= i64::from(i32::MAX) => Ok(v),
            _ => Err(DtErr::TzDispOverflow),
        }
    };
    let mut hr = number(&mut i)?;
    let (mut min, mut sec) = (0, 0);
    if i < b.len() && b[i] == b':' {
        i += 1;
        min = number(&mut i)?;
        if i < b.len() && b[i] == b':' {
            i += 1;
            sec = number(&mut i)?;
        }
    } else if i == b.len() && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    }
    if !(0..=15).contains(&hr) || !(0..60).contains(&min) || !(0..60).contains(&sec) {
        return Err(DtErr::TzDispOverflow);
    }
    if i != b.len() {
        return Err(DtErr::BadFormat);
    }
    let secs = (hr * 3600 + min * 60 + sec) as i32;
    Ok(if negative { -secs } else { secs })
}
