//! PostgreSQL's text forms of values: what `'...'::type` accepts and what
//! psql shows (and the text wire format carries).
//!
//! The behaviour follows PostgreSQL 15 with `DateStyle = 'ISO, MDY'` and
//! `extra_float_digits = 1` (the defaults): see each type's module for the
//! details and the cases where crmdb differs.

use super::datetime;
use super::float;
use super::interval;
use super::timezone::SessionTimeZone;
use super::{DataType, Numeric, Value};
use std::fmt;

/// The class of a text input error, mapped to PostgreSQL's SQLSTATE codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextErrorKind {
    /// 22P02 invalid_text_representation.
    InvalidTextRepresentation,
    /// 22007 invalid_datetime_format.
    InvalidDatetimeFormat,
    /// 22008 datetime_field_overflow.
    DatetimeFieldOverflow,
    /// 22015 interval_field_overflow.
    IntervalFieldOverflow,
    /// 22003 numeric_value_out_of_range.
    NumericValueOutOfRange,
    /// 22009 invalid_time_zone_displacement_value.
    InvalidTimeZoneDisplacement,
    /// 22023 invalid_parameter_value (an unknown time zone name).
    InvalidParameterValue,
    /// 0A000 feature_not_supported (a NUMERIC NaN or infinity).
    FeatureNotSupported,
}

impl TextErrorKind {
    /// The five-character SQLSTATE code.
    pub fn sqlstate(self) -> &'static str {
        match self {
            TextErrorKind::InvalidTextRepresentation => "22P02",
            TextErrorKind::InvalidDatetimeFormat => "22007",
            TextErrorKind::DatetimeFieldOverflow => "22008",
            TextErrorKind::IntervalFieldOverflow => "22015",
            TextErrorKind::NumericValueOutOfRange => "22003",
            TextErrorKind::InvalidTimeZoneDisplacement => "22009",
            TextErrorKind::InvalidParameterValue => "22023",
            TextErrorKind::FeatureNotSupported => "0A000",
        }
    }
}

/// A rejected text input: PostgreSQL's message, detail and hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    kind: TextErrorKind,
    message: String,
    detail: Option<String>,
    hint: Option<String>,
}

impl TextError {
    /// An error of `kind` with the primary `message`.
    pub fn new(kind: TextErrorKind, message: impl Into<String>) -> Self {
        TextError {
            kind,
            message: message.into(),
            detail: None,
            hint: None,
        }
    }

    /// The same error with a DETAIL line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The same error with a HINT line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `invalid input syntax for type <type_name>: "<text>"` (22P02).
    pub fn invalid_syntax(type_name: &str, text: &str) -> Self {
        TextError::new(
            TextErrorKind::InvalidTextRepresentation,
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    }

    pub fn kind(&self) -> TextErrorKind {
        self.kind
    }

    pub fn sqlstate(&self) -> &'static str {
        self.kind.sqlstate()
    }

    /// The primary message, as PostgreSQL words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TextError {}

/// PostgreSQL's text output of `value`, with TIMESTAMPTZ shown in `tz`.
/// NULL has no text form: `None`.
pub fn format_value(value: &Value, tz: &SessionTimeZone) -> Option<String> {
    let mut out = String::new();
    write_value(value, tz, &mut out).then_some(out)
}

/// Appends PostgreSQL's text output of `value` to `out`; returns false (and
/// appends nothing) for NULL.
pub fn write_value(value: &Value, tz: &SessionTimeZone, out: &mut String) -> bool {
    match value {
        Value::Null => return false,
        Value::Boolean(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Integer(i) => {
            use fmt::Write;
            let _ = write!(out, "{i}");
        }
        Value::BigInt(i) => {
            use fmt::Write;
            let _ = write!(out, "{i}");
        }
        Value::Double(d) => float::write_f64(*d, out),
        Value::Numeric(n) => n.write_text(out),
        Value::Text(s) => out.push_str(s),
        Value::Date(d) => datetime::write_date(*d, out),
        Value::TimestampTz(t) => datetime::write_timestamptz(*t, tz, out),
        Value::Timestamp(t) => datetime::write_timestamp(*t, out),
        Value::Interval(iv) => interval::write_interval(iv, out),
    }
    true
}

/// Parses PostgreSQL text input for a column of type `ty`, interpreting
/// zone-less timestamps (and `now`, `today`, ...) in `tz`; `now` is the
/// system clock: see [`parse_value_at`] to pass the transaction's time.
pub fn parse_value(text: &str, ty: &DataType, tz: &SessionTimeZone) -> Result<Value, TextError> {
    parse_value_at(text, ty, tz, datetime::system_now())
}

/// [`parse_value`] with `now` (microseconds since 2000-01-01 UTC) as the
/// current time for the special inputs `now`, `today`, `tomorrow` and
/// `yesterday`; PostgreSQL uses the transaction's start time.
pub fn parse_value_at(
    text: &str,
    ty: &DataType,
    tz: &SessionTimeZone,
    now: i64,
) -> Result<Value, TextError> {
    Ok(match ty {
        DataType::Boolean => Value::Boolean(parse_bool(text)?),
        DataType::Integer => Value::Integer(parse_i32(text)?),
        DataType::BigInt => Value::BigInt(parse_i64(text)?),
        DataType::Double => Value::Double(float::parse_f64(text)?),
        DataType::Numeric(typmod) => Value::Numeric(Numeric::parse_text(text, *typmod)?),
        DataType::Text => Value::Text(text.to_owned()),
        DataType::Date => Value::Date(datetime::parse_date(text, tz, now)?),
        DataType::TimestampTz => Value::TimestampTz(datetime::parse_timestamptz(text, tz, now)?),
        DataType::Timestamp => Value::Timestamp(datetime::parse_timestamp(text, tz, now)?),
        DataType::Interval => Value::Interval(interval::parse_interval(text)?),
    })
}

/// PostgreSQL's whitespace (`isspace` in the C locale).
pub(crate) fn is_pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

pub(crate) fn trim_pg_space(s: &str) -> &str {
    s.trim_matches(is_pg_space)
}

/// BOOLEAN input: any prefix of true/false/yes/no, on/off (at least two
/// letters), 1/0; case-insensitive, surrounded by any whitespace.
pub fn parse_bool(text: &str) -> Result<bool, TextError> {
    let s = trim_pg_space(text).to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| s.len() >= min && word.starts_with(s.as_str());
    let value = if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1" {
        Some(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0" {
        Some(false)
    } else {
        None
    };
    value.ok_or_else(|| TextError::invalid_syntax("boolean", text))
}

/// Parses `[ws][+-]digits[ws]` into an i64 within [min, max], with
/// PostgreSQL 15's messages for `type_name`.
fn parse_int(text: &str, type_name: &str, min: i64, max: i64) -> Result<i64, TextError> {
    let out_of_range = || {
        TextError::new(
            TextErrorKind::NumericValueOutOfRange,
            format!("value \"{text}\" is out of range for type {type_name}"),
        )
    };
    let bytes = text.trim_start_matches(is_pg_space).as_bytes();
    let (neg, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let n_digits = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n_digits == 0 {
        return Err(TextError::invalid_syntax(type_name, text));
    }
    // Like PostgreSQL, overflow is reported as soon as the digits overflow,
    // before looking at what follows them.
    let mut acc: i128 = 0;
    for &b in &digits[..n_digits] {
        acc = acc * 10 + i128::from(b - b'0');
        if acc > i128::from(max) + 1 {
            return Err(out_of_range());
        }
    }
    let acc = if neg { -acc } else { acc };
    if !digits[n_digits..].iter().all(|&b| is_pg_space(b as char)) {
        return Err(TextError::invalid_syntax(type_name, text));
    }
    if acc < i128::from(min) || acc > i128::from(max) {
        return Err(out_of_range());
    }
    Ok(acc as i64)
}

/// INTEGER input.
pub fn parse_i32(text: &str) -> Result<i32, TextError> {
    parse_int(text, "integer", i32::MIN.into(), i32::MAX.into()).map(|v| v as i32)
}

/// BIGINT input.
pub fn parse_i64(text: &str) -> Result<i64, TextError> {
    parse_int(text, "bigint", i64::MIN, i64::MAX)
}
