//! PostgreSQL's binary wire format for every crmdb type: encoding result
//! values and decoding Bind parameters.
//!
//! Dates and timestamps already count from PostgreSQL's epoch (2000-01-01)
//! in the same units, so they go over the wire unchanged. An INTERVAL is 16
//! bytes: microseconds (i64), days (i32), months (i32). NUMERIC uses
//! PostgreSQL's base-10000 form: `ndigits`, `weight`, `sign`, `dscale`
//! (each 16 bits) and then `ndigits` base-10000 digits, most significant
//! first; the value is `sum(digit[i] * 10000^(weight - i))`.

use bytes::{BufMut, BytesMut};
use crmdb_engine::types::{DataType, Interval, Numeric, Value};

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

/// Why a binary parameter was refused: the SQLSTATE and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub code: &'static str,
    pub message: String,
}

fn bad_format(message: impl Into<String>) -> DecodeError {
    DecodeError {
        code: "22P03",
        message: message.into(),
    }
}

/// Appends the binary form of a non-NULL `value` to `out`.
pub fn encode(value: &Value, out: &mut BytesMut) {
    match value {
        Value::Null => {}
        Value::Boolean(b) => out.put_u8(u8::from(*b)),
        Value::Integer(i) => out.put_i32(*i),
        Value::BigInt(i) => out.put_i64(*i),
        Value::Double(f) => out.put_f64(*f),
        Value::Numeric(n) => encode_numeric(n, out),
        Value::Text(s) => out.put_slice(s.as_bytes()),
        Value::Date(d) => out.put_i32(*d),
        Value::TimestampTz(t) | Value::Timestamp(t) => out.put_i64(*t),
        Value::Interval(iv) => {
            out.put_i64(iv.micros);
            out.put_i32(iv.days);
            out.put_i32(iv.months);
        }
    }
}

/// Decodes a non-NULL binary parameter of type `ty`.
pub fn decode(bytes: &[u8], ty: &DataType) -> Result<Value, DecodeError> {
    let fixed = |n: usize| -> Result<&[u8], DecodeError> {
        if bytes.len() == n {
            Ok(bytes)
        } else {
            Err(bad_format(format!(
                "incorrect binary data format: expected {n} bytes for type {ty}, got {}",
                bytes.len()
            )))
        }
    };
    Ok(match ty {
        DataType::Boolean => Value::Boolean(fixed(1)?[0] != 0),
        DataType::Integer => Value::Integer(i32::from_be_bytes(fixed(4)?.try_into().unwrap())),
        DataType::BigInt => Value::BigInt(i64::from_be_bytes(fixed(8)?.try_into().unwrap())),
        DataType::Double => Value::Double(f64::from_be_bytes(fixed(8)?.try_into().unwrap())),
        DataType::Date => Value::Date(i32::from_be_bytes(fixed(4)?.try_into().unwrap())),
        DataType::TimestampTz => {
            Value::TimestampTz(i64::from_be_bytes(fixed(8)?.try_into().unwrap()))
        }
        DataType::Timestamp => Value::Timestamp(i64::from_be_bytes(fixed(8)?.try_into().unwrap())),
        DataType::Interval => {
            let b = fixed(16)?;
            Value::Interval(Interval::new(
                i32::from_be_bytes(b[12..].try_into().unwrap()),
                i32::from_be_bytes(b[8..12].try_into().unwrap()),
                i64::from_be_bytes(b[..8].try_into().unwrap()),
            ))
        }
        DataType::Text => Value::Text(
            std::str::from_utf8(bytes)
                .map_err(|_| DecodeError {
                    code: "22021",
                    message: "invalid byte sequence for encoding \"UTF8\"".into(),
                })?
                .to_owned(),
        ),
        DataType::Numeric(_) => Value::Numeric(decode_numeric(bytes)?),
    })
}

/// NUMERIC in base-10000 digits.
pub fn encode_numeric(n: &Numeric, out: &mut BytesMut) {
    let scale = usize::from(n.scale());
    let negative = n.mantissa() < 0;
    let mut digits = n.mantissa().unsigned_abs().to_string();
    if digits.len() <= scale {
        digits.insert_str(0, &"0".repeat(scale + 1 - digits.len()));
    }
    let (int_part, frac_part) = digits.split_at(digits.len() - scale);
    // Align both parts to whole base-10000 digits.
    let int_pad = (4 - int_part.len() % 4) % 4;
    let frac_pad = (4 - frac_part.len() % 4) % 4;
    let aligned = format!(
        "{}{int_part}{frac_part}{}",
        "0".repeat(int_pad),
        "0".repeat(frac_pad)
    );
    let mut groups: Vec<i16> = aligned
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap().parse().unwrap())
        .collect();
    let mut weight = ((int_part.len() + int_pad) / 4) as i32 - 1;
    let leading = groups.iter().take_while(|&&g| g == 0).count();
    groups.drain(..leading);
    weight -= leading as i32;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.put_i16(groups.len() as i16);
    out.put_i16(weight as i16);
    out.put_u16(if negative && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    });
    out.put_u16(scale as u16);
    for g in groups {
        out.put_i16(g);
    }
}

/// NUMERIC from base-10000 digits. Digits beyond `dscale` are truncated,
/// as PostgreSQL's numeric_recv does.
pub fn decode_numeric(bytes: &[u8]) -> Result<Numeric, DecodeError> {
    if bytes.len() < 8 {
        return Err(bad_format("insufficient data left in message"));
    }
    let word = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
    let ndigits = word(0) as i16;
    let weight = i32::from(word(2) as i16);
    let sign = word(4);
    let dscale = word(6);
    if ndigits < 0 || bytes.len() != 8 + 2 * ndigits as usize {
        return Err(bad_format("invalid length in external \"numeric\" value"));
    }
    match sign {
        NUMERIC_POS | NUMERIC_NEG => {}
        NUMERIC_NAN | NUMERIC_PINF | NUMERIC_NINF => {
            return Err(DecodeError {
                code: "0A000",
                message: "NaN and infinite NUMERIC values are not supported".into(),
            });
        }
        _ => return Err(bad_format("invalid sign in external \"numeric\" value")),
    }
    let out_of_range = || DecodeError {
        code: "22003",
        message: "numeric field overflow".into(),
    };
    if dscale > u16::from(crmdb_engine::types::NUMERIC_MAX_PRECISION) {
        return Err(out_of_range());
    }
    let scale = i32::from(dscale);
    let mut mantissa: i128 = 0;
    for i in 0..ndigits as usize {
        let d = word(8 + 2 * i);
        if d >= 10000 {
            return Err(bad_format("invalid digit in external \"numeric\" value"));
        }
        // The digit's place value in units of 10^-scale.
        let exp = 4 * (weight - i as i32) + scale;
        let contribution = if exp >= 0 {
            let factor = 10i128.checked_pow(exp as u32).ok_or_else(out_of_range)?;
            i128::from(d).checked_mul(factor).ok_or_else(out_of_range)?
        } else if exp > -4 {
            i128::from(d) / 10i128.pow((-exp) as u32)
        } else {
            0
        };
        mantissa = mantissa
            .checked_add(contribution)
            .ok_or_else(out_of_range)?;
    }
    if sign == NUMERIC_NEG {
        mantissa = -mantissa;
    }
    Numeric::new(mantissa, dscale as u8).ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(mantissa: i128, scale: u8) -> Numeric {
        Numeric::new(mantissa, scale).unwrap()
    }

    fn words(n: &Numeric) -> Vec<i16> {
        let mut b = BytesMut::new();
        encode_numeric(n, &mut b);
        b.chunks(2)
            .map(|c| i16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    #[test]
    fn numeric_encodes_like_postgres() {
        // Checked against PostgreSQL's numeric_send.
        // 0 / 0.00: no digits, the scale kept.
        assert_eq!(words(&num(0, 0)), vec![0, 0, 0, 0]);
        assert_eq!(words(&num(0, 2)), vec![0, 0, 0, 2]);
        // 1
        assert_eq!(words(&num(1, 0)), vec![1, 0, 0, 0, 1]);
        // 12345.678 = 1|2345|6780, weight 1, dscale 3
        assert_eq!(words(&num(12_345_678, 3)), vec![3, 1, 0, 3, 1, 2345, 6780]);
        // -0.01 = 0100 at weight -1
        assert_eq!(words(&num(-1, 2)), vec![1, -1, 0x4000, 2, 100]);
        // 10000 = 1 at weight 1 (trailing zero digit dropped)
        assert_eq!(words(&num(10_000, 0)), vec![1, 1, 0, 0, 1]);
        // 0.00001234 = 0000|1234 after the point: weight -2
        assert_eq!(words(&num(1234, 8)), vec![1, -2, 0, 8, 1234]);
        // 1234.50 with scale 2 → 1234|5000, dscale 2
        assert_eq!(words(&num(123_450, 2)), vec![2, 0, 0, 2, 1234, 5000]);
    }

    #[test]
    fn numeric_round_trips() {
        let cases: &[(i128, u8)] = &[
            (0, 0),
            (0, 5),
            (1, 0),
            (-1, 0),
            (123_456_789, 4),
            (-987_654_321_012, 2),
            (1, 38),
            (-1, 38),
            (99_999_999_999_999_999_999_999_999_999_999_999_999, 0),
            (-99_999_999_999_999_999_999_999_999_999_999_999_999, 10),
            (100_000_000, 0),
            (5, 1),
        ];
        for &(m, s) in cases {
            let n = num(m, s);
            let mut b = BytesMut::new();
            encode_numeric(&n, &mut b);
            assert_eq!(decode_numeric(&b).unwrap(), n, "{m}e-{s}");
        }
    }

    #[test]
    fn numeric_decode_truncates_hidden_digits_and_rejects_junk() {
        // 1.2345 sent with dscale 2 → 1.23
        let mut b = BytesMut::new();
        for w in [2i16, 0, 0, 2, 1, 2345] {
            b.put_i16(w);
        }
        assert_eq!(decode_numeric(&b).unwrap(), num(123, 2));
        // NaN
        let nan = [0u8, 0, 0, 0, 0xC0, 0, 0, 0];
        assert_eq!(decode_numeric(&nan).unwrap_err().code, "0A000");
        // digit out of range
        let mut b = BytesMut::new();
        for w in [1i16, 0, 0, 0, 10000] {
            b.put_i16(w);
        }
        assert_eq!(decode_numeric(&b).unwrap_err().code, "22P03");
        // length mismatch and truncated header
        assert!(decode_numeric(&[0, 2, 0, 0, 0, 0, 0, 0, 0, 1]).is_err());
        assert!(decode_numeric(&[0, 0]).is_err());
        // too large for 38 digits
        let mut b = BytesMut::new();
        for w in [1i16, 12, 0, 0, 1] {
            b.put_i16(w);
        }
        assert_eq!(decode_numeric(&b).unwrap_err().code, "22003");
    }

    #[test]
    fn scalars_round_trip() {
        let cases = [
            (Value::Boolean(true), DataType::Boolean),
            (Value::Boolean(false), DataType::Boolean),
            (Value::Integer(-42), DataType::Integer),
            (Value::BigInt(i64::MIN), DataType::BigInt),
            (Value::Double(-1.5e300), DataType::Double),
            (Value::Text("héllo".into()), DataType::Text),
            (Value::Date(-1), DataType::Date),
            (Value::Date(i32::MAX), DataType::Date),
            (Value::TimestampTz(86_400_000_000), DataType::TimestampTz),
            (Value::Timestamp(-1), DataType::Timestamp),
            (
                Value::Interval(Interval::new(-14, 3, 7_200_000_001)),
                DataType::Interval,
            ),
        ];
        for (v, ty) in cases {
            let mut b = BytesMut::new();
            encode(&v, &mut b);
            assert_eq!(decode(&b, &ty).unwrap(), v);
        }
        // int4 is 4 bytes big-endian
        let mut b = BytesMut::new();
        encode(&Value::Integer(1), &mut b);
        assert_eq!(&b[..], &[0, 0, 0, 1]);
        assert_eq!(
            decode(&[0, 1], &DataType::Integer).unwrap_err().code,
            "22P03"
        );
        assert_eq!(decode(&[0xff], &DataType::Text).unwrap_err().code, "22021");
        // interval: microseconds, days, months, as PostgreSQL's interval_send
        let mut b = BytesMut::new();
        encode(&Value::Interval(Interval::new(2, 3, 4)), &mut b);
        assert_eq!(&b[..], &[0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2]);
    }
}
