//! DOUBLE PRECISION text forms.
//!
//! Output is PostgreSQL 12+'s default (`extra_float_digits = 1`): the
//! shortest decimal that reads back as the same double, in positional
//! notation when the decimal exponent is in -4..15 and as `d.ddde+XX`
//! otherwise. Input is what `strtod` accepts in decimal, plus PostgreSQL's
//! spellings of the special values. glibc's hexadecimal floats (`0x1p3`)
//! are not accepted.

use super::text::{TextError, TextErrorKind, is_pg_space};
use std::fmt::Write;

/// Appends PostgreSQL's text output of `v` to `out`.
pub fn write_f64(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    // Rust's `{:e}` prints the shortest round-trip digits: "d.ddde-7".
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if neg {
        out.push('-');
    }
    if !(-4..15).contains(&exp) {
        out.push_str(mantissa);
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
}

/// PostgreSQL's text output of `v`.
pub fn format_f64(v: f64) -> String {
    let mut s = String::new();
    write_f64(v, &mut s);
    s
}

/// DOUBLE PRECISION input: `[ws][+-](digits[.digits]|.digits)[e[+-]digits][ws]`,
/// or NaN / Infinity / inf with an optional sign, case-insensitive.
pub fn parse_f64(text: &str) -> Result<f64, TextError> {
    let invalid = || TextError::invalid_syntax("double precision", text);
    let s = text.trim_matches(is_pg_space);
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "nan" => return Ok(f64::NAN),
        "inf" | "infinity" => {
            return Ok(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        _ => {}
    }
    let b = body.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    let mut nonzero = false;
    while i < b.len() && b[i].is_ascii_digit() {
        nonzero |= b[i] != b'0';
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            nonzero |= b[i] != b'0';
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return Err(invalid());
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(invalid());
        }
    }
    if i != b.len() {
        return Err(invalid());
    }
    // The grammar checked above is a subset of what Rust's parser accepts,
    // and Rust rounds correctly, as glibc's strtod does.
    let v: f64 = body.parse().map_err(|_| invalid())?;
    if v.is_infinite() || (v == 0.0 && nonzero) {
        return Err(TextError::new(
            TextErrorKind::NumericValueOutOfRange,
            format!("\"{text}\" is out of range for type double precision"),
        ));
    }
    Ok(if neg { -v } else { v })
}
