//! Rows, their binary encoding in the log, and the byte-comparable key
//! encoding of primary keys.
//!
//! Both encodings are part of the on-disk format (docs/file-formats.md).

use std::sync::Arc;

use crate::types::{Interval, Numeric, Value};

/// A row: one value per column of its table, in column order. Shared, never
/// mutated after it is built.
pub type Row = Arc<[Value]>;

/// Tags of the binary value encoding.
mod tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    pub const INTEGER: u8 = 3;
    pub const BIGINT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const NUMERIC: u8 = 6;
    pub const TEXT: u8 = 7;
    pub const DATE: u8 = 8;
    pub const TIMESTAMPTZ: u8 = 9;
    pub const TIMESTAMP: u8 = 10;
    pub const INTERVAL: u8 = 11;
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed encoding at byte {offset}: {detail}")]
pub struct DecodeError {
    pub offset: usize,
    pub detail: String,
}

/// Appends the binary encoding of `value` to `out`: a tag byte, then a fixed
/// little-endian payload (text: u32 length, then UTF-8 bytes).
pub fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(tag::NULL),
        Value::Boolean(false) => out.push(tag::FALSE),
        Value::Boolean(true) => out.push(tag::TRUE),
        Value::Integer(v) => {
            out.push(tag::INTEGER);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::BigInt(v) => {
            out.push(tag::BIGINT);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::Double(v) => {
            out.push(tag::DOUBLE);
            out.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        Value::Numeric(n) => {
            out.push(tag::NUMERIC);
            out.push(n.scale());
            out.extend_from_slice(&n.mantissa().to_le_bytes());
        }
        Value::Text(s) => {
            out.push(tag::TEXT);
            let len = u32::try_from(s.len()).expect("text values are limited below 4 GiB");
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Date(v) => {
            out.push(tag::DATE);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::TimestampTz(v) => {
            out.push(tag::TIMESTAMPTZ);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::Timestamp(v) => {
            out.push(tag::TIMESTAMP);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Value::Interval(iv) => {
            out.push(tag::INTERVAL);
            out.extend_from_slice(&iv.to_le_bytes());
        }
    }
}

/// Appends a row: u16 column count, then each value.
pub fn encode_row(row: &[Value], out: &mut Vec<u8>) {
    let n = u16::try_from(row.len()).expect("tables have at most 1600 columns");
    out.extend_from_slice(&n.to_le_bytes());
    for v in row {
        encode_value(v, out);
    }
}

/// A cursor over encoded bytes that reports where decoding failed.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Whether every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    pub fn error(&self, detail: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.pos,
            detail: detail.into(),
        }
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| self.error(format!("needs {n} more bytes")))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A u32 length followed by that many bytes.
    pub fn len_prefixed(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.u32()? as usize;
        self.bytes(len)
    }

    pub fn value(&mut self) -> Result<Value, DecodeError> {
        let start = self.pos;
        Ok(match self.u8()? {
            tag::NULL => Value::Null,
            tag::FALSE => Value::Boolean(false),
            tag::TRUE => Value::Boolean(true),
            tag::INTEGER => Value::Integer(i32::from_le_bytes(self.array()?)),
            tag::BIGINT => Value::BigInt(self.i64()?),
            tag::DOUBLE => Value::Double(f64::from_bits(self.u64()?)),
            tag::NUMERIC => {
                let scale = self.u8()?;
                let mantissa = i128::from_le_bytes(self.array()?);
                Value::Numeric(
                    Numeric::new(mantissa, scale)
                        .ok_or_else(|| self.error("numeric out of range"))?,
                )
            }
            tag::TEXT => {
                let bytes = self.len_prefixed()?;
                Value::Text(
                    std::str::from_utf8(bytes)
                        .map_err(|_| self.error("text is not UTF-8"))?
                        .to_owned(),
                )
            }
            tag::DATE => Value::Date(i32::from_le_bytes(self.array()?)),
            tag::TIMESTAMPTZ => Value::TimestampTz(self.i64()?),
            tag::TIMESTAMP => Value::Timestamp(self.i64()?),
            tag::INTERVAL => Value::Interval(Interval::from_le_bytes(self.array()?)),
            other => {
                self.pos = start;
                return Err(self.error(format!("unknown value tag {other}")));
            }
        })
    }

    pub fn row(&mut self) -> Result<Row, DecodeError> {
        let n = self.u16()? as usize;
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            values.push(self.value()?);
        }
        Ok(values.into())
    }
}

/// The byte-comparable encoding of a key (a primary key's values).
///
/// Equal keys have equal bytes, and byte order is a total order that
/// agrees with SQL order for integers, booleans, dates, timestamps and text
/// (compared by bytes, as the C collation does). NUMERIC keys are encoded
/// normalised, so 1.5 and 1.50 are the same key; their byte order is
/// consistent but not numeric. Layout per value: 0x00 for NULL, otherwise
/// 0x01 and then
/// - integers, dates, timestamps: 8 bytes big-endian with the sign bit flipped;
/// - boolean: one byte 0 or 1;
/// - double: 8 bytes, IEEE total order (sign bit flipped, or all bits when negative);
/// - interval: its span (a month as 30 days) as 16 bytes big-endian with
///   the sign bit flipped;
/// - numeric: scale byte, then the normalised mantissa as 16 bytes big-endian
///   with the sign bit flipped;
/// - text: the bytes with 0x00 written as 0x00 0xFF, ended by 0x00 0x00.
pub fn encode_key(values: &[&Value], out: &mut Vec<u8>) {
    for v in values {
        encode_key_value(v, out);
    }
}

fn encode_key_value(v: &Value, out: &mut Vec<u8>) {
    const SIGN: u64 = 1 << 63;
    if v.is_null() {
        out.push(0);
        return;
    }
    out.push(1);
    match v {
        Value::Null => unreachable!("handled above"),
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Integer(i) => out.extend_from_slice(&((i64::from(*i) as u64) ^ SIGN).to_be_bytes()),
        Value::BigInt(i) | Value::TimestampTz(i) | Value::Timestamp(i) => {
            out.extend_from_slice(&((*i as u64) ^ SIGN).to_be_bytes())
        }
        Value::Date(d) => out.extend_from_slice(&((i64::from(*d) as u64) ^ SIGN).to_be_bytes()),
        Value::Double(f) => {
            let bits = f.to_bits();
            let ordered = if bits & SIGN != 0 { !bits } else { bits ^ SIGN };
            out.extend_from_slice(&ordered.to_be_bytes());
        }
        Value::Interval(iv) => {
            // Equal spans are equal intervals ('1 mon' = '30 days').
            out.extend_from_slice(&((iv.span() as u128) ^ (1 << 127)).to_be_bytes());
        }
        Value::Numeric(n) => {
            let n = n.normalized();
            out.push(n.scale());
            out.extend_from_slice(&((n.mantissa() as u128) ^ (1 << 127)).to_be_bytes());
        }
        Value::Text(s) => {
            for &b in s.as_bytes() {
                out.push(b);
                if b == 0 {
                    out.push(0xFF);
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        encode_key(&[&v], &mut out);
        out
    }

    #[test]
    fn rows_round_trip() {
        let row: Vec<Value> = vec![
            Value::Null,
            Value::Boolean(true),
            Value::Integer(-7),
            Value::BigInt(i64::MIN),
            Value::Double(-0.5),
            Value::Numeric(Numeric::new(-123456, 2).unwrap()),
            Value::Text("zoë\0x".into()),
            Value::Date(-1),
            Value::TimestampTz(1_234_567),
            Value::Timestamp(-7_654_321),
            Value::Interval(Interval::new(-14, 3, i64::MIN)),
        ];
        let mut buf = Vec::new();
        encode_row(&row, &mut buf);
        let mut r = Reader::new(&buf);
        assert_eq!(&*r.row().unwrap(), &row[..]);
        assert!(r.is_empty());
    }

    #[test]
    fn truncated_or_unknown_encodings_are_errors() {
        let mut buf = Vec::new();
        encode_row(&[Value::Text("hello".into())], &mut buf);
        for cut in 0..buf.len() {
            assert!(Reader::new(&buf[..cut]).row().is_err(), "cut at {cut}");
        }
        assert!(Reader::new(&[1, 0, 200]).row().is_err());
    }

    #[test]
    fn key_order_matches_sql_order() {
        let ints = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        for w in ints.windows(2) {
            assert!(key(Value::BigInt(w[0])) < key(Value::BigInt(w[1])));
        }
        let spans = [
            Interval::new(0, -31, 0),
            Interval::new(-1, 0, 0),
            Interval::new(0, 0, -1),
            Interval::new(0, 1, 0),
            Interval::new(1, 0, 1),
        ];
        for w in spans.windows(2) {
            assert!(key(Value::Interval(w[0])) < key(Value::Interval(w[1])));
        }
        assert_eq!(
            key(Value::Interval(Interval::new(1, 0, 0))),
            key(Value::Interval(Interval::new(0, 30, 0)))
        );
        let texts = ["", "\0", "a", "a\0", "ab", "b"];
        for w in texts.windows(2) {
            assert!(key(Value::Text(w[0].into())) < key(Value::Text(w[1].into())));
        }
        let floats = [
            f64::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-300,
            3.0,
            f64::INFINITY,
        ];
        for w in floats.windows(2) {
            assert!(key(Value::Double(w[0])) <= key(Value::Double(w[1])));
        }
        assert!(key(Value::Null) < key(Value::BigInt(i64::MIN)));
        assert_eq!(
            key(Value::Numeric(Numeric::new(15, 1).unwrap())),
            key(Value::Numeric(Numeric::new(150, 2).unwrap()))
        );
    }

    #[test]
    fn composite_keys_do_not_collide() {
        let mut a = Vec::new();
        encode_key(
            &[&Value::Text("a".into()), &Value::Text("bc".into())],
            &mut a,
        );
        let mut b = Vec::new();
        encode_key(
            &[&Value::Text("ab".into()), &Value::Text("c".into())],
            &mut b,
        );
        assert_ne!(a, b);
    }
}
