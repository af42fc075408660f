//! Date and time functions: conversions between DATE and TIMESTAMPTZ in the
//! session time zone, extract/date_part, date_trunc, make_date.

use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::EvalContext;
use crate::types::datetime::{
    DATE_END, DATE_INFINITY, DATE_MIN, DATE_NEG_INFINITY, TIMESTAMP_INFINITY,
    TIMESTAMP_NEG_INFINITY, civil_from_days, days_from_civil,
};
use crate::types::{Numeric, Value};

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 to 2000-01-01.
const PG_EPOCH_UNIX_DAYS: i64 = 10_957;

/// A field of extract / date_part / date_trunc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Microseconds,
    Milliseconds,
    Second,
    Minute,
    Hour,
    Day,
    Dow,
    IsoDow,
    Doy,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
    Epoch,
    IsoYear,
    /// The session time zone's offset east of UTC, in seconds.
    Timezone,
    TimezoneHour,
    TimezoneMinute,
}

impl DateField {
    pub fn parse(name: &str) -> Option<DateField> {
        use DateField as F;
        Some(match name.to_ascii_lowercase().as_str() {
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" => F::Microseconds,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => F::Milliseconds,
            "second" | "seconds" | "s" | "sec" | "secs" => F::Second,
            "minute" | "minutes" | "m" | "min" | "mins" => F::Minute,
            "hour" | "hours" | "h" | "hr" | "hrs" => F::Hour,
            "day" | "days" | "d" => F::Day,
            "dow" => F::Dow,
            "isodow" => F::IsoDow,
            "doy" => F::Doy,
            "week" | "weeks" | "w" => F::Week,
            "month" | "months" | "mon" | "mons" => F::Month,
            "quarter" | "qtr" => F::Quarter,
            "year" | "years" | "y" | "yr" | "yrs" => F::Year,
            "decade" | "decades" => F::Decade,
            "century" | "centuries" => F::Century,
            "millennium" | "millennia" => F::Millennium,
            "epoch" => F::Epoch,
            "isoyear" => F::IsoYear,
            "timezone" => F::Timezone,
            "timezone_h" | "timezone_hour" => F::TimezoneHour,
            "timezone_m" | "timezone_minute" => F::TimezoneMinute,
            _ => return None,
        })
    }
}

/// The date in range, or 22008.
pub fn checked_date(days: i64) -> SqlResult<Value> {
    if days < i64::from(DATE_MIN) || days >= i64::from(DATE_END) {
        return Err(SqlError::new(
            code::DATETIME_FIELD_OVERFLOW,
            "date out of range",
        ));
    }
    Ok(Value::Date(days as i32))
}

/// Local wall-clock microseconds (since 2000-01-01 local) of an instant.
pub(super) fn local_micros(t: i64, ctx: &EvalContext) -> i64 {
    t + i64::from(ctx.time_zone.offset_at(t)) * USECS_PER_SEC
}

/// The instant of local wall-clock microseconds.
pub(super) fn instant_of_local(local: i64, ctx: &EvalContext) -> i64 {
    // offset_for_local takes seconds since 2000-01-01 local, like `local`.
    let local_secs = local.div_euclid(USECS_PER_SEC);
    local - i64::from(ctx.time_zone.offset_for_local(local_secs)) * USECS_PER_SEC
}

/// The session-local date of an instant.
pub fn date_of(t: i64, ctx: &EvalContext) -> SqlResult<Value> {
    match t {
        TIMESTAMP_INFINITY | TIMESTAMP_NEG_INFINITY => date_of_wall_clock(t),
        t => date_of_wall_clock(local_micros(t, ctx)),
    }
}

/// The date of a TIMESTAMP (wall-clock microseconds).
pub fn date_of_wall_clock(t: i64) -> SqlResult<Value> {
    match t {
        TIMESTAMP_INFINITY => Ok(Value::Date(DATE_INFINITY)),
        TIMESTAMP_NEG_INFINITY => Ok(Value::Date(DATE_NEG_INFINITY)),
        t => checked_date(t.div_euclid(USECS_PER_DAY)),
    }
}

/// Local midnight of a date, as an instant.
pub fn date_to_timestamptz(d: i32, ctx: &EvalContext) -> SqlResult<Value> {
    Ok(Value::TimestampTz(match d {
        DATE_INFINITY => TIMESTAMP_INFINITY,
        DATE_NEG_INFINITY => TIMESTAMP_NEG_INFINITY,
        d => instant_of_local(i64::from(d) * USECS_PER_DAY, ctx),
    }))
}

fn field_of(v: &Value) -> SqlResult<(DateField, String)> {
    let Value::Text(name) = v else {
        return Err(SqlError::internal("date field must be text"));
    };
    DateField::parse(name)
        .map(|f| (f, name.clone()))
        .ok_or_else(|| {
            SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!("unit \"{name}\" not recognized"),
            )
        })
}

/// Civil fields of local days since 2000-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    civil_from_days(days + PG_EPOCH_UNIX_DAYS)
}

fn to_days(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) - PG_EPOCH_UNIX_DAYS
}

/// ISO week number and ISO year of a day.
pub(super) fn iso_week(days: i64) -> (i64, i64) {
    let (y, _, _) = civil(days);
    let isodow = |d: i64| (d + 5).rem_euclid(7) + 1; // 2000-01-01 was a Saturday (6)
    let week1_start = |year: i64| {
        let jan4 = to_days(year, 1, 4);
        jan4 - (isodow(jan4) - 1)
    };
    let mut year = y + 1;
    while days < week1_start(year) {
        year -= 1;
    }
    ((days - week1_start(year)) / 7 + 1, year)
}

/// extract(field FROM v) as a NUMERIC with PostgreSQL's scale.
pub fn extract(field_value: &Value, v: &Value, ctx: &EvalContext) -> SqlResult<Numeric> {
    let (field, name) = field_of(field_value)?;
    let (local, is_date) = match v {
        Value::Date(d) => (i64::from(*d) * USECS_PER_DAY, true),
        Value::TimestampTz(t) => (local_micros(*t, ctx), false),
        Value::Timestamp(t) => (*t, false),
        Value::Interval(iv) => return super::interval::extract(field, &name, iv),
        other => {
            return Err(SqlError::internal(format!(
                "extract from {}",
                other.type_name()
            )));
        }
    };
    if matches!(
        v,
        Value::Date(DATE_INFINITY | DATE_NEG_INFINITY)
            | Value::TimestampTz(TIMESTAMP_INFINITY | TIMESTAMP_NEG_INFINITY)
            | Value::Timestamp(TIMESTAMP_INFINITY | TIMESTAMP_NEG_INFINITY)
    ) {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            "extract from infinity is not supported",
        ));
    }
    let days = local.div_euclid(USECS_PER_DAY);
    let usec_of_day = local.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil(days);
    use DateField as F;
    if matches!(v, Value::Timestamp(_))
        && matches!(field, F::Timezone | F::TimezoneHour | F::TimezoneMinute)
    {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("unit \"{name}\" not supported for type timestamp without time zone"),
        ));
    }
    if is_date
        && matches!(
            field,
            F::Hour
                | F::Minute
                | F::Second
                | F::Milliseconds
                | F::Microseconds
                | F::Timezone
                | F::TimezoneHour
                | F::TimezoneMinute
        )
    {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("unit \"{name}\" not supported for type date"),
        ));
    }
    let offset = match v {
        Value::TimestampTz(t) => i64::from(ctx.time_zone.offset_at(*t)),
        _ => 0,
    };
    let int = |x: i64| Numeric::new(i128::from(x), 0).expect("small");
    let scaled = |x: i64, scale: u8| Numeric::new(i128::from(x), scale).expect("small");
    Ok(match field {
        F::Microseconds => int(usec_of_day % (60 * USECS_PER_SEC)),
        F::Milliseconds => scaled(usec_of_day % (60 * USECS_PER_SEC), 3),
        F::Second => scaled(usec_of_day % (60 * USECS_PER_SEC), 6),
        F::Minute => int(usec_of_day / (60 * USECS_PER_SEC) % 60),
        F::Hour => int(usec_of_day / (3600 * USECS_PER_SEC)),
        F::Day => int(i64::from(d)),
        F::Dow => int((days + 6).rem_euclid(7)),
        F::IsoDow => int((days + 5).rem_euclid(7) + 1),
        F::Doy => int(days - to_days(y, 1, 1) + 1),
        F::Week => int(iso_week(days).0),
        F::Month => int(i64::from(m)),
        F::Quarter => int((i64::from(m) - 1) / 3 + 1),
        F::Year => int(if y <= 0 { y - 1 } else { y }),
        F::Decade => int(y.div_euclid(10)),
        F::Century => int(if y > 0 {
            (y + 99) / 100
        } else {
            -((99 - (y - 1)) / 100)
        }),
        F::Millennium => int(if y > 0 {
            (y + 999) / 1000
        } else {
            -((999 - (y - 1)) / 1000)
        }),
        F::IsoYear => {
            let y = iso_week(days).1;
            int(if y <= 0 { y - 1 } else { y })
        }
        F::Timezone => int(offset),
        F::TimezoneHour => int(offset / 3600),
        F::TimezoneMinute => int(offset / 60 % 60),
        F::Epoch => {
            let unix = match v {
                Value::TimestampTz(t) => *t + PG_EPOCH_UNIX_DAYS * USECS_PER_DAY,
                _ => local + PG_EPOCH_UNIX_DAYS * USECS_PER_DAY,
            };
            if is_date {
                int(unix / USECS_PER_SEC)
            } else {
                scaled(unix, 6)
            }
        }
    })
}

/// date_part('field', v): the same as extract, as a double.
pub fn date_part(field: &Value, v: &Value, ctx: &EvalContext) -> SqlResult<Value> {
    let n = extract(field, v, ctx)?;
    Ok(Value::Double(super::numeric::to_f64(&n)))
}

/// date_trunc('field', t): a TIMESTAMPTZ in the session time zone, a
/// TIMESTAMP as it is.
pub fn date_trunc(field_value: &Value, v: &Value, ctx: &EvalContext) -> SqlResult<Value> {
    let (field, name) = field_of(field_value)?;
    let (t, zoned) = match v {
        Value::TimestampTz(t) => (t, true),
        Value::Timestamp(t) => (t, false),
        _ => return Err(SqlError::internal("date_trunc of a non-timestamp")),
    };
    if *t == TIMESTAMP_INFINITY || *t == TIMESTAMP_NEG_INFINITY {
        return Ok(v.clone());
    }
    let local = if zoned { local_micros(*t, ctx) } else { *t };
    let days = local.div_euclid(USECS_PER_DAY);
    let (y, m, _) = civil(days);
    use DateField as F;
    let day_start = |d: i64| d * USECS_PER_DAY;
    let truncated = match field {
        F::Microseconds => local,
        F::Milliseconds => local - local.rem_euclid(1000),
        F::Second => local - local.rem_euclid(USECS_PER_SEC),
        F::Minute => local - local.rem_euclid(60 * USECS_PER_SEC),
        F::Hour => local - local.rem_euclid(3600 * USECS_PER_SEC),
        F::Day => day_start(days),
        F::Week => day_start(days - (days + 5).rem_euclid(7)),
        F::Month => day_start(to_days(y, m, 1)),
        F::Quarter => day_start(to_days(y, (m - 1) / 3 * 3 + 1, 1)),
        F::Year => day_start(to_days(y, 1, 1)),
        F::Decade => day_start(to_days(y.div_euclid(10) * 10, 1, 1)),
        F::Century => day_start(to_days(
            if y > 0 { (y - 1) / 100 * 100 + 1 } else { y },
            1,
            1,
        )),
        F::Millennium => day_start(to_days(
            if y > 0 { (y - 1) / 1000 * 1000 + 1 } else { y },
            1,
            1,
        )),
        _ => {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("unit \"{name}\" not supported for type {}", v.type_name()),
            ));
        }
    };
    if !zoned {
        return Ok(Value::Timestamp(truncated));
    }
    // Up to the hour, truncation keeps the original offset (in a fold,
    // 01:30-04 gives 01:00-04); from the day on, the offset is that of the
    // truncated local time, as PostgreSQL's timestamptz_trunc does.
    Ok(Value::TimestampTz(match field {
        F::Microseconds | F::Milliseconds | F::Second | F::Minute | F::Hour => {
            *t - (local - truncated)
        }
        _ => instant_of_local(truncated, ctx),
    }))
}

/// to_char(v, template) of a timestamp or a number; NULL for an infinite
/// timestamp, as PostgreSQL.
pub fn to_char(v: &Value, template: &Value, ctx: &EvalContext) -> SqlResult<Value> {
    use super::to_char::{Moment, NumberInput, format_datetime, format_number};
    let Value::Text(fmt) = template else {
        return Err(SqlError::internal("to_char template must be text"));
    };
    let moment = |local: i64, zone| Value::Text(format_datetime(&Moment { local, zone }, fmt));
    Ok(match v {
        Value::TimestampTz(TIMESTAMP_INFINITY | TIMESTAMP_NEG_INFINITY)
        | Value::Timestamp(TIMESTAMP_INFINITY | TIMESTAMP_NEG_INFINITY) => Value::Null,
        Value::TimestampTz(t) => moment(local_micros(*t, ctx), Some((ctx.time_zone, *t))),
        Value::Timestamp(t) => moment(*t, None),
        Value::Integer(i) => Value::Text(format_number(
            NumberInput::Exact(Numeric::new(i128::from(*i), 0).expect("fits")),
            fmt,
        )?),
        Value::BigInt(i) => Value::Text(format_number(
            NumberInput::Exact(Numeric::new(i128::from(*i), 0).expect("fits")),
            fmt,
        )?),
        Value::Numeric(n) => Value::Text(format_number(NumberInput::Exact(*n), fmt)?),
        Value::Double(x) => Value::Text(format_number(NumberInput::Float(*x), fmt)?),
        other => {
            return Err(SqlError::internal(format!(
                "to_char of {}",
                other.type_name()
            )));
        }
    })
}

/// make_date(year, month, day).
pub fn make_date(vals: &[Value]) -> SqlResult<Value> {
    let get = |i: usize| match vals[i] {
        Value::Integer(x) => Ok(i64::from(x)),
        _ => Err(SqlError::internal("make_date takes integers")),
    };
    let (y, m, d) = (get(0)?, get(1)?, get(2)?);
    let bad = || {
        SqlError::new(
            code::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {y}-{m:02}-{d:02}"),
        )
    };
    if y == 0 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let year = if y < 0 { y + 1 } else { y };
    let days = to_days(year, m as u32, d as u32);
    if civil(days) != (year, m as u32, d as u32) {
        return Err(bad());
    }
    checked_date(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DataType, SessionTimeZone, format_value, parse_value_at};

    /// date_trunc(unit, ts) in `zone`, as text. Results checked against
    /// PostgreSQL 15.
    fn trunc(zone: &str, unit: &str, ts: &str) -> String {
        let tz = SessionTimeZone::named(zone).unwrap();
        let ctx = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        let t = parse_value_at(ts, &DataType::TimestampTz, &tz, 0).unwrap();
        let v = date_trunc(&Value::Text(unit.into()), &t, &ctx).unwrap();
        format_value(&v, &tz).unwrap()
    }

    #[test]
    fn date_trunc_finds_the_offset_of_local_midnight() {
        let ny = "America/New_York";
        // The day starts before the spring-forward transition.
        assert_eq!(
            trunc(ny, "day", "2024-03-10 12:00:00+00"),
            "2024-03-10 00:00:00-05"
        );
        assert_eq!(
            trunc(ny, "day", "2025-03-13 07:14:02+00"),
            "2025-03-13 00:00:00-04"
        );
        // Local midnight in a gap (Lord Howe moves 02:00 to 02:30).
        assert_eq!(
            trunc("Australia/Lord_Howe", "day", "2024-10-05 15:30:00+00"),
            "2024-10-06 00:00:00+10:30"
        );
        // An hour in the fold keeps its own offset.
        assert_eq!(
            trunc(ny, "hour", "2024-11-03 05:30:00+00"),
            "2024-11-03 01:00:00-04"
        );
        assert_eq!(
            trunc(ny, "hour", "2024-11-03 06:30:00+00"),
            "2024-11-03 01:00:00-05"
        );
    }

    #[test]
    fn extract_time_zone_and_iso_year() {
        let tz = SessionTimeZone::named("America/New_York").unwrap();
        let ctx = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        let t = parse_value_at("2024-07-01 00:00:00+00", &DataType::TimestampTz, &tz, 0).unwrap();
        let x = |unit: &str, v: &Value| {
            extract(&Value::Text(unit.into()), v, &ctx)
                .unwrap()
                .to_text()
        };
        assert_eq!(x("timezone", &t), "-14400");
        assert_eq!(x("timezone_hour", &t), "-4");
        assert_eq!(x("timezone_minute", &t), "0");
        let d = parse_value_at("2021-01-01", &DataType::Date, &tz, 0).unwrap();
        assert_eq!(x("isoyear", &d), "2020");
        assert!(extract(&Value::Text("timezone".into()), &d, &ctx).is_err());
    }
}
