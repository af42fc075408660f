//! Rendering rows as PostgreSQL `COPY ... (FORMAT csv)` input and as SQL
//! `INSERT ... VALUES` tuples.

use std::fmt;
use std::io::{self, Write};

use crate::time::{Date, StackBuf, Timestamp, fmt_date, fmt_timestamp_utc};

/// A `NUMERIC(12,2)` value as a count of hundredths (`12345` is `123.45`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl Cents {
    fn fmt_into(self, buf: &mut StackBuf) {
        if self.0 < 0 {
            buf.push(b'-');
        }
        let abs = self.0.unsigned_abs();
        buf.push_u64(abs / 100, 1);
        buf.push(b'.');
        buf.push_u64(abs % 100, 2);
    }
}

/// `123.45`, `0.05`, `-0.50`: always two fraction digits, as PostgreSQL prints
/// a `NUMERIC(12,2)`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = StackBuf::new();
        self.fmt_into(&mut buf);
        f.write_str(buf.as_str())
    }
}

/// One column value of a generated row, typed as in the CRM schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// `BIGINT` or `INTEGER`.
    Int(i64),
    Text(&'a str),
    /// `NUMERIC(12,2)`.
    Numeric(Cents),
    Date(Date),
    /// `TIMESTAMPTZ`.
    Timestamp(Timestamp),
}

impl<'a> Value<'a> {
    /// `Text(s)` for `Some(s)`, `Null` for `None`.
    pub fn opt_text(s: Option<&'a str>) -> Value<'a> {
        s.map_or(Value::Null, Value::Text)
    }
}

/// A row of one of the CRM tables.
pub trait CsvRow {
    /// The table the row belongs to.
    const TABLE: &'static str;
    /// Column names in schema order (the order of [`CsvRow::values`]).
    const COLUMNS: &'static [&'static str];

    /// The row's values in [`CsvRow::COLUMNS`] order.
    fn values(&self) -> impl Iterator<Item = Value<'_>>;

    /// Writes the row as one line of PostgreSQL CSV (see [`write_csv`]),
    /// terminated by `\n`. Writes field by field: give it a buffered writer.
    fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        for (i, v) in self.values().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write_csv_value(v, out)?;
        }
        out.write_all(b"\n")
    }

    /// The row as a SQL `VALUES` tuple, e.g. `(1, 'O''Brien', NULL)`.
    fn sql_tuple(&self) -> String {
        let mut s = String::new();
        push_sql_tuple(self.values(), &mut s);
        s
    }
}

/// Rows by reference, so `write_csv(rows.iter(), ..)` works.
impl<R: CsvRow> CsvRow for &R {
    const TABLE: &'static str = R::TABLE;
    const COLUMNS: &'static [&'static str] = R::COLUMNS;

    fn values(&self) -> impl Iterator<Item = Value<'_>> {
        (**self).values()
    }
}

/// Whether PostgreSQL's CSV reader needs `s` quoted to read it back unchanged.
///
/// Quoted: the empty string (unquoted it would be NULL), anything containing a
/// comma, double quote, CR or LF, anything with leading or trailing
/// whitespace, and `\.` (the end-of-data marker).
pub fn csv_needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (None, _) | (_, None) => true,
        (Some(&first), Some(&last)) => {
            first == b' '
                || first == b'\t'
                || last == b' '
                || last == b'\t'
                || s == "\\."
                || b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
        }
    }
}

/// Writes one field in PostgreSQL CSV form: NULL as nothing, text quoted when
/// [`csv_needs_quotes`] says so (with `"` doubled), booleans as `t`/`f`,
/// numerics as `123.45`, dates and timestamps as PostgreSQL prints them.
pub fn write_csv_value(v: Value<'_>, out: &mut impl Write) -> io::Result<()> {
    let mut buf = StackBuf::new();
    match v {
        Value::Null => return Ok(()),
        Value::Bool(b) => return out.write_all(if b { b"t" } else { b"f" }),
        Value::Text(s) => return write_csv_text(s, out),
        Value::Int(i) => buf.push_i64(i),
        Value::Numeric(c) => c.fmt_into(&mut buf),
        Value::Date(d) => fmt_date(d, &mut buf),
        Value::Timestamp(t) => fmt_timestamp_utc(t, &mut buf),
    }
    out.write_all(buf.as_bytes())
}

fn write_csv_text(s: &str, out: &mut impl Write) -> io::Result<()> {
    if !csv_needs_quotes(s) {
        return out.write_all(s.as_bytes());
    }
    out.write_all(b"\"")?;
    let mut rest = s;
    while let Some(i) = rest.find('"') {
        out.write_all(&rest.as_bytes()[..=i])?;
        out.write_all(b"\"")?;
        rest = &rest[i + 1..];
    }
    out.write_all(rest.as_bytes())?;
    out.write_all(b"\"")
}

/// Writes `rows` as input for `COPY table (columns) FROM STDIN WITH (FORMAT
/// csv, HEADER)` (or without `HEADER` when `header` is false), one `\n`
/// terminated line per row, and returns the number of rows written.
///
/// NULL is an empty unquoted field and the empty string is `""`; text with a
/// comma, quote, CR/LF or leading/trailing whitespace is quoted with `"`
/// doubled; timestamps are `2025-03-04 05:06:07.123456+00` (fraction omitted
/// when zero, trailing zeros dropped, as PostgreSQL prints in UTC), dates
/// `YYYY-MM-DD`, booleans `t`/`f`, numerics `123.45`.
///
/// Output is buffered internally in 64 KiB chunks, so `out` need not be.
pub fn write_csv<R: CsvRow>(
    rows: impl Iterator<Item = R>,
    out: &mut impl Write,
    header: bool,
) -> io::Result<u64> {
    const CHUNK: usize = 1 << 16;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    if header {
        buf.extend_from_slice(R::COLUMNS.join(",").as_bytes());
        buf.push(b'\n');
    }
    let mut n = 0u64;
    for row in rows {
        row.write_csv(&mut buf)?;
        n += 1;
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(n)
}

/// `'text'` with single quotes doubled (`'O''Brien'`), for a session with
/// `standard_conforming_strings = on` (PostgreSQL's default), where
/// backslashes are ordinary characters.
pub fn sql_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_sql_quoted(s, &mut out);
    out
}

fn push_sql_quoted(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// Appends one value as a SQL literal: `NULL`, `TRUE`/`FALSE`, integers and
/// numerics bare (`42`, `-0.50`), text quoted, dates and timestamps as quoted
/// strings (`'2024-02-29'`, `'2025-03-04 05:06:07.5+00'`) that an `INSERT`
/// coerces to the column type.
pub fn push_sql_literal(v: Value<'_>, out: &mut String) {
    let mut buf = StackBuf::new();
    match v {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push_str(if b { "TRUE" } else { "FALSE" }),
        Value::Text(s) => push_sql_quoted(s, out),
        Value::Int(i) => {
            buf.push_i64(i);
            out.push_str(buf.as_str());
        }
        Value::Numeric(c) => {
            c.fmt_into(&mut buf);
            out.push_str(buf.as_str());
        }
        Value::Date(d) => {
            fmt_date(d, &mut buf);
            out.push('\'');
            out.push_str(buf.as_str());
            out.push('\'');
        }
        Value::Timestamp(t) => {
            fmt_timestamp_utc(t, &mut buf);
            out.push('\'');
            out.push_str(buf.as_str());
            out.push('\'');
        }
    }
}

fn push_sql_tuple<'a>(values: impl Iterator<Item = Value<'a>>, out: &mut String) {
    out.push('(');
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_sql_literal(v, out);
    }
    out.push(')');
}

/// A value list as a SQL `VALUES` tuple: `(1, 'O''Brien', NULL, TRUE)`.
pub fn sql_values_tuple(values: &[Value<'_>]) -> String {
    let mut s = String::new();
    push_sql_tuple(values.iter().copied(), &mut s);
    s
}

/// `INSERT INTO table (col, ...) VALUES (...), (...);` for `rows`, or `None`
/// when there are no rows (an empty `VALUES` list is not SQL).
pub fn insert_statement<'r, R: CsvRow + 'r>(
    rows: impl IntoIterator<Item = &'r R>,
) -> Option<String> {
    let mut s = format!(
        "INSERT INTO {} ({}) VALUES ",
        R::TABLE,
        R::COLUMNS.join(", ")
    );
    let mut any = false;
    for row in rows {
        if any {
            s.push_str(", ");
        }
        any = true;
        push_sql_tuple(row.values(), &mut s);
    }
    s.push(';');
    any.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(v: Value<'_>) -> String {
        let mut out = Vec::new();
        write_csv_value(v, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_fields() {
        assert_eq!(csv(Value::Null), "");
        assert_eq!(csv(Value::Text("")), "\"\"");
        assert_eq!(csv(Value::Text("plain")), "plain");
        assert_eq!(csv(Value::Text("Zoë 李")), "Zoë 李");
        assert_eq!(csv(Value::Text("O'Brien")), "O'Brien");
        assert_eq!(
            csv(Value::Text("Smith, Jones & Co")),
            "\"Smith, Jones & Co\""
        );
        assert_eq!(csv(Value::Text("\"Best\" GmbH")), "\"\"\"Best\"\" GmbH\"");
        assert_eq!(csv(Value::Text("a\nb")), "\"a\nb\"");
        assert_eq!(csv(Value::Text("a\r\nb")), "\"a\r\nb\"");
        assert_eq!(csv(Value::Text(" x")), "\" x\"");
        assert_eq!(csv(Value::Text("x ")), "\"x \"");
        assert_eq!(csv(Value::Text("\\.")), "\"\\.\"");
        assert_eq!(csv(Value::Text("back\\slash")), "back\\slash");
        assert_eq!(csv(Value::Bool(true)), "t");
        assert_eq!(csv(Value::Bool(false)), "f");
        assert_eq!(csv(Value::Int(-42)), "-42");
        assert_eq!(csv(Value::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(csv(Value::Numeric(Cents(12345))), "123.45");
        assert_eq!(csv(Value::Numeric(Cents(5))), "0.05");
        assert_eq!(csv(Value::Numeric(Cents(-50))), "-0.50");
        assert_eq!(csv(Value::Numeric(Cents(0))), "0.00");
        assert_eq!(csv(Value::Numeric(Cents(999_999_999_999))), "9999999999.99");
        assert_eq!(csv(Value::Date(Date(-1))), "1999-12-31");
        assert_eq!(
            csv(Value::Timestamp(Timestamp(500_000))),
            "2000-01-01 00:00:00.5+00"
        );
    }

    #[test]
    fn sql_literals() {
        assert_eq!(sql_quote("O'Brien"), "'O''Brien'");
        assert_eq!(sql_quote("''"), "''''''");
        assert_eq!(sql_quote("back\\slash"), "'back\\slash'");
        let t = sql_values_tuple(&[
            Value::Int(1),
            Value::Text("O'Brien"),
            Value::Null,
            Value::Bool(true),
            Value::Numeric(Cents(-50)),
            Value::Date(Date(8825)),
            Value::Timestamp(Timestamp(0)),
            Value::Text(""),
        ]);
        assert_eq!(
            t,
            "(1, 'O''Brien', NULL, TRUE, -0.50, '2024-02-29', '2000-01-01 00:00:00+00', '')"
        );
        assert_eq!(sql_values_tuple(&[]), "()");
    }
}
