//! Column types and values.
//!
//! Every value the engine stores is one of [`Value`]'s variants, and every
//! column has one [`DataType`]. NUMERIC is exact: a scaled 128-bit integer
//! ([`Numeric`]), never a float. DATE and TIMESTAMPTZ count from
//! PostgreSQL's epoch, 2000-01-01, so that their binary wire forms need no
//! conversion.

pub mod datetime;
pub mod float;
pub mod interval;
mod numeric;
pub mod text;
#[cfg(test)]
mod text_tests;
pub mod timezone;

pub use interval::Interval;
pub use numeric::{NUMERIC_MAX_PRECISION, Numeric};
pub use text::{TextError, TextErrorKind, format_value, parse_value, parse_value_at, write_value};
pub use timezone::SessionTimeZone;

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// Days from 1970-01-01 to 2000-01-01 (PostgreSQL's date epoch).
pub const UNIX_TO_PG_EPOCH_DAYS: i32 = 10_957;
/// Microseconds from the Unix epoch to PostgreSQL's epoch.
pub const UNIX_TO_PG_EPOCH_MICROS: i64 = UNIX_TO_PG_EPOCH_DAYS as i64 * 86_400 * 1_000_000;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    Boolean,
    /// 32-bit signed integer (INTEGER, INT4).
    Integer,
    /// 64-bit signed integer (BIGINT, INT8).
    BigInt,
    /// IEEE 754 binary64 (DOUBLE PRECISION, FLOAT8).
    Double,
    /// NUMERIC(precision, scale); `None` is unconstrained NUMERIC, whose
    /// values keep their own scale.
    Numeric(Option<NumericTypmod>),
    Text,
    Date,
    TimestampTz,
    /// TIMESTAMP without time zone: a wall-clock time.
    Timestamp,
    Interval,
}

/// The precision and scale of a constrained NUMERIC column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumericTypmod {
    pub precision: u8,
    pub scale: u8,
}

impl DataType {
    /// The type's name as PostgreSQL's `format_type` prints it.
    pub fn sql_name(&self) -> String {
        match self {
            DataType::Boolean => "boolean".into(),
            DataType::Integer => "integer".into(),
            DataType::BigInt => "bigint".into(),
            DataType::Double => "double precision".into(),
            DataType::Numeric(None) => "numeric".into(),
            DataType::Numeric(Some(t)) => format!("numeric({},{})", t.precision, t.scale),
            DataType::Text => "text".into(),
            DataType::Date => "date".into(),
            DataType::TimestampTz => "timestamp with time zone".into(),
            DataType::Timestamp => "timestamp without time zone".into(),
            DataType::Interval => "interval".into(),
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql_name())
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Integer(i32),
    BigInt(i64),
    Double(f64),
    Numeric(Numeric),
    Text(String),
    /// Days since 2000-01-01.
    Date(i32),
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    TimestampTz(i64),
    /// Wall-clock microseconds since 2000-01-01 00:00:00.
    Timestamp(i64),
    Interval(Interval),
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of the value's type, for messages; NULL has none.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "unknown",
            Value::Boolean(_) => "boolean",
            Value::Integer(_) => "integer",
            Value::BigInt(_) => "bigint",
            Value::Double(_) => "double precision",
            Value::Numeric(_) => "numeric",
            Value::Text(_) => "text",
            Value::Date(_) => "date",
            Value::TimestampTz(_) => "timestamp with time zone",
            Value::Timestamp(_) => "timestamp without time zone",
            Value::Interval(_) => "interval",
        }
    }

    /// SQL order of two non-NULL values of comparable types (INTEGER and
    /// BIGINT compare with each other); None when either is NULL or the
    /// types differ. DOUBLE orders as PostgreSQL does (NaN above everything,
    /// -0 equal to 0); TEXT by bytes (the C collation).
    pub fn sql_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value as V;
        Some(match (self, other) {
            (V::Boolean(x), V::Boolean(y)) => x.cmp(y),
            (V::Integer(x), V::Integer(y)) | (V::Date(x), V::Date(y)) => x.cmp(y),
            (V::BigInt(x), V::BigInt(y))
            | (V::TimestampTz(x), V::TimestampTz(y))
            | (V::Timestamp(x), V::Timestamp(y)) => x.cmp(y),
            (V::Interval(x), V::Interval(y)) => x.sql_cmp(y),
            (V::Integer(x), V::BigInt(y)) => i64::from(*x).cmp(y),
            (V::BigInt(x), V::Integer(y)) => x.cmp(&i64::from(*y)),
            (V::Double(x), V::Double(y)) => match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
            },
            (V::Numeric(x), V::Numeric(y)) => x.cmp(y),
            (V::Text(x), V::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            _ => return None,
        })
    }

    /// Whether the value can be stored in a column of type `ty` as it is:
    /// NULL fits every type; a NUMERIC must already carry the column's scale
    /// and fit its precision.
    pub fn fits(&self, ty: &DataType) -> bool {
        match (self, ty) {
            (Value::Null, _) => true,
            (Value::Boolean(_), DataType::Boolean)
            | (Value::Integer(_), DataType::Integer)
            | (Value::BigInt(_), DataType::BigInt)
            | (Value::Double(_), DataType::Double)
            | (Value::Text(_), DataType::Text)
            | (Value::Date(_), DataType::Date)
            | (Value::TimestampTz(_), DataType::TimestampTz)
            | (Value::Timestamp(_), DataType::Timestamp)
            | (Value::Interval(_), DataType::Interval) => true,
            (Value::Numeric(_), DataType::Numeric(None)) => true,
            (Value::Numeric(n), DataType::Numeric(Some(t))) => {
                n.scale() == t.scale && n.precision() <= t.precision
            }
            _ => false,
        }
    }
}
