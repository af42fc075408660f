//! Arithmetic with intervals and between timestamps, as PostgreSQL 15's
//! timestamp.c does it: months and days move the calendar (in the session
//! time zone for TIMESTAMPTZ, so `+ '1 day'` keeps the wall-clock time
//! across a daylight-saving change), microseconds move the instant.

use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::{ArithOp, EvalContext};
use crate::types::datetime::{
    DATE_INFINITY, DATE_NEG_INFINITY, TIMESTAMP_END, TIMESTAMP_INFINITY, TIMESTAMP_MIN,
    TIMESTAMP_NEG_INFINITY, civil_from_days, days_from_civil, days_in_month, is_valid_julian,
};
use crate::types::{Interval, Numeric, Value};

use super::datetime::{DateField, instant_of_local, local_micros};

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 to 2000-01-01.
const PG_EPOCH_UNIX_DAYS: i64 = 10_957;

fn timestamp_out_of_range() -> SqlError {
    SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

pub fn interval_out_of_range() -> SqlError {
    SqlError::new(code::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

fn is_finite(t: i64) -> bool {
    t != TIMESTAMP_INFINITY && t != TIMESTAMP_NEG_INFINITY
}

/// The wall clock a timestamp is read in: the session's zone for
/// TIMESTAMPTZ, none for TIMESTAMP.
#[derive(Clone, Copy)]
pub enum Clock<'a> {
    Zoned(&'a EvalContext<'a>),
    Wall,
}

impl Clock<'_> {
    fn local(self, t: i64) -> i64 {
        match self {
            Clock::Zoned(ctx) => local_micros(t, ctx),
            Clock::Wall => t,
        }
    }

    fn instant(self, local: i64) -> i64 {
        match self {
            Clock::Zoned(ctx) => instant_of_local(local, ctx),
            Clock::Wall => local,
        }
    }
}

/// Moves local microseconds since 2000-01-01 by whole months (clamping the
/// day to the month's length) or days.
fn shift_local(local: i64, months: i64, days: i64) -> SqlResult<i64> {
    let day = local.div_euclid(USECS_PER_DAY);
    let tod = local.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(day + PG_EPOCH_UNIX_DAYS);
    let (y, m, d) = if months != 0 {
        let total = y * 12 + i64::from(m) - 1 + months;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        (ny, nm, i64::from(d).min(days_in_month(ny, nm)))
    } else {
        (y, i64::from(m), i64::from(d))
    };
    if !is_valid_julian(y, m) {
        return Err(timestamp_out_of_range());
    }
    let new_day = days_from_civil(y, m as u32, d as u32) - PG_EPOCH_UNIX_DAYS + days;
    new_day
        .checked_mul(USECS_PER_DAY)
        .and_then(|x| x.checked_add(tod))
        .ok_or_else(timestamp_out_of_range)
}

/// PostgreSQL's timestamp(tz)_pl_interval.
pub fn add_interval(t: i64, iv: &Interval, clock: Clock) -> SqlResult<i64> {
    if !is_finite(t) {
        return Ok(t);
    }
    let mut t = t;
    if iv.months != 0 {
        t = clock.instant(shift_local(clock.local(t), i64::from(iv.months), 0)?);
    }
    if iv.days != 0 {
        t = clock.instant(shift_local(clock.local(t), 0, i64::from(iv.days))?);
    }
    let t = t
        .checked_add(iv.micros)
        .filter(|t| (TIMESTAMP_MIN..TIMESTAMP_END).contains(t))
        .ok_or_else(timestamp_out_of_range)?;
    Ok(t)
}

/// PostgreSQL's timestamp_mi: the difference as microseconds, whole days
/// of 24 hours moved into the days field (interval_justify_hours).
pub fn timestamp_diff(a: i64, b: i64) -> SqlResult<Interval> {
    if !is_finite(a) || !is_finite(b) {
        return Err(SqlError::new(
            code::DATETIME_FIELD_OVERFLOW,
            "cannot subtract infinite timestamps",
        ));
    }
    let diff = a.checked_sub(b).ok_or_else(interval_out_of_range)?;
    let mut days = diff / USECS_PER_DAY;
    let mut time = diff % USECS_PER_DAY;
    if days > 0 && time < 0 {
        time += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && time > 0 {
        time -= USECS_PER_DAY;
        days += 1;
    }
    let days = i32::try_from(days).map_err(|_| interval_out_of_range())?;
    Ok(Interval::new(0, days, time))
}

/// A DATE as a TIMESTAMP (local midnight).
pub fn date_to_timestamp(d: i32) -> SqlResult<i64> {
    Ok(match d {
        DATE_INFINITY => TIMESTAMP_INFINITY,
        DATE_NEG_INFINITY => TIMESTAMP_NEG_INFINITY,
        d => {
            let t = i64::from(d) * USECS_PER_DAY;
            if !(TIMESTAMP_MIN..TIMESTAMP_END).contains(&t) {
                return Err(SqlError::new(
                    code::DATETIME_FIELD_OVERFLOW,
                    "date out of range for timestamp",
                ));
            }
            t
        }
    })
}

/// A TIMESTAMP read in the session's zone; a TIMESTAMPTZ's wall clock.
pub fn timestamp_to_timestamptz(t: i64, ctx: &EvalContext) -> i64 {
    if is_finite(t) {
        instant_of_local(t, ctx)
    } else {
        t
    }
}

pub fn timestamptz_to_timestamp(t: i64, ctx: &EvalContext) -> i64 {
    if is_finite(t) {
        local_micros(t, ctx)
    } else {
        t
    }
}

/// The operators with an interval or a timestamp difference, on operands
/// the binder coerced to an operator's exact types; None for other types.
pub fn arith(op: ArithOp, a: &Value, b: &Value, ctx: &EvalContext) -> Option<SqlResult<Value>> {
    use ArithOp as O;
    use Value as V;
    let neg = |iv: &Interval| iv.checked_neg().ok_or_else(interval_out_of_range);
    let shifted = |t: i64, iv: &Interval, clock: Clock| -> SqlResult<i64> {
        match op {
            O::Sub => add_interval(t, &neg(iv)?, clock),
            _ => add_interval(t, iv, clock),
        }
    };
    let applies = matches!(
        (a, b),
        (V::Interval(_), _)
            | (_, V::Interval(_))
            | (V::TimestampTz(_), V::TimestampTz(_))
            | (V::Timestamp(_), V::Timestamp(_))
    );
    if !applies {
        return None;
    }
    let zoned = Clock::Zoned(ctx);
    Some((|| {
        Ok(match (a, b, op) {
            (V::TimestampTz(t), V::Interval(iv), O::Add | O::Sub)
            | (V::Interval(iv), V::TimestampTz(t), O::Add) => {
                V::TimestampTz(shifted(*t, iv, zoned)?)
            }
            (V::Timestamp(t), V::Interval(iv), O::Add | O::Sub)
            | (V::Interval(iv), V::Timestamp(t), O::Add) => {
                V::Timestamp(shifted(*t, iv, Clock::Wall)?)
            }
            (V::Date(d), V::Interval(iv), O::Add | O::Sub)
            | (V::Interval(iv), V::Date(d), O::Add) => {
                V::Timestamp(shifted(date_to_timestamp(*d)?, iv, Clock::Wall)?)
            }
            (V::TimestampTz(x), V::TimestampTz(y), O::Sub)
            | (V::Timestamp(x), V::Timestamp(y), O::Sub) => V::Interval(timestamp_diff(*x, *y)?),
            (V::Interval(x), V::Interval(y), O::Add) => {
                V::Interval(x.checked_add(y).ok_or_else(interval_out_of_range)?)
            }
            (V::Interval(x), V::Interval(y), O::Sub) => {
                V::Interval(x.checked_sub(y).ok_or_else(interval_out_of_range)?)
            }
            (V::Interval(iv), V::Double(f), O::Mul) | (V::Double(f), V::Interval(iv), O::Mul) => {
                V::Interval(iv.mul_f64(*f).ok_or_else(interval_out_of_range)?)
            }
            (V::Interval(iv), V::Double(f), O::Div) => {
                if *f == 0.0 {
                    return Err(SqlError::division_by_zero());
                }
                V::Interval(iv.div_f64(*f).ok_or_else(interval_out_of_range)?)
            }
            _ => return Err(SqlError::internal("not an interval operator")),
        })
    })())
}

/// extract(field FROM interval), PostgreSQL's interval_part_common.
pub fn extract(field: DateField, name: &str, iv: &Interval) -> SqlResult<Numeric> {
    let f = iv.fields();
    let int = |x: i64| Numeric::new(i128::from(x), 0).expect("small");
    let scaled = |x: i64, scale: u8| Numeric::new(i128::from(x), scale).expect("small");
    let secs_usec = f.seconds * USECS_PER_SEC + f.micros;
    use DateField as F;
    Ok(match field {
        F::Microseconds => int(secs_usec),
        F::Milliseconds => scaled(secs_usec, 3),
        F::Second => scaled(secs_usec, 6),
        F::Minute => int(f.minutes),
        F::Hour => int(f.hours),
        F::Day => int(i64::from(f.days)),
        F::Month => int(i64::from(f.months)),
        F::Quarter => int(i64::from(f.months / 3 + 1)),
        F::Year => int(i64::from(f.years)),
        F::Decade => int(i64::from(f.years / 10)),
        F::Century => int(i64::from(f.years / 100)),
        F::Millennium => int(i64::from(f.years / 1000)),
        F::Epoch => {
            // A year as 365.25 days, a month as 30.
            let secs = 31_557_600 * i128::from(iv.months / 12)
                + 2_592_000 * i128::from(iv.months % 12)
                + 86_400 * i128::from(iv.days);
            let total = secs * 1_000_000 + i128::from(iv.micros);
            Numeric::new(total, 6).ok_or_else(interval_out_of_range)?
        }
        _ => {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("unit \"{name}\" not supported for type interval"),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::interval::{format_interval, parse_interval};
    use crate::types::{DataType, SessionTimeZone, format_value, parse_value_at};

    /// `ts op interval` in `zone`, as text. Results checked against
    /// PostgreSQL 15.
    fn shift(zone: &str, ts: &str, op: ArithOp, iv: &str) -> String {
        let tz = SessionTimeZone::named(zone).unwrap();
        let ctx = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        let t = parse_value_at(ts, &DataType::TimestampTz, &tz, 0).unwrap();
        let iv = Value::Interval(parse_interval(iv).unwrap());
        let v = arith(op, &t, &iv, &ctx).unwrap().unwrap();
        format_value(&v, &tz).unwrap()
    }

    #[test]
    fn days_keep_the_wall_clock_across_daylight_saving() {
        let ny = "America/New_York";
        assert_eq!(
            shift(ny, "2024-03-09 12:00", ArithOp::Add, "1 day"),
            "2024-03-10 12:00:00-04"
        );
        assert_eq!(
            shift(ny, "2024-03-09 12:00", ArithOp::Add, "24 hours"),
            "2024-03-10 13:00:00-04"
        );
        assert_eq!(
            shift(ny, "2024-01-31 12:00", ArithOp::Add, "1 mon"),
            "2024-02-29 12:00:00-05"
        );
        assert_eq!(
            shift("UTC", "2024-03-31 00:00", ArithOp::Sub, "1 mon 1 day"),
            "2024-02-28 00:00:00+00"
        );
    }

    #[test]
    fn timestamp_differences_justify_hours_into_days() {
        let d = |a: i64, b: i64| format_interval(&timestamp_diff(a, b).unwrap());
        let h = 3_600_000_000;
        assert_eq!(d(59 * 24 * h + 12 * h, 0), "59 days 12:00:00");
        assert_eq!(d(0, 25 * h), "-1 days -01:00:00");
        assert!(timestamp_diff(TIMESTAMP_INFINITY, 0).is_err());
    }

    #[test]
    fn extract_from_intervals() {
        let x = |unit: &str, iv: &str| {
            extract(
                DateField::parse(unit).unwrap(),
                unit,
                &parse_interval(iv).unwrap(),
            )
            .map(|n| n.to_text())
        };
        assert_eq!(
            x("epoch", "1 year 1 mon 1 day 1.5 sec").unwrap(),
            "34236001.500000"
        );
        assert_eq!(x("hour", "-25 hours 3 min").unwrap(), "-24");
        assert_eq!(x("millisecond", "1.5 sec").unwrap(), "1500.000");
        assert_eq!(x("second", "61.5 sec").unwrap(), "1.500000");
        assert_eq!(x("quarter", "5 mon").unwrap(), "2");
        assert_eq!(x("century", "250 years").unwrap(), "2");
        assert_eq!(
            x("dow", "1 day").unwrap_err().code,
            code::FEATURE_NOT_SUPPORTED
        );
    }
}
