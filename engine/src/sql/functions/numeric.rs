//! NUMERIC arithmetic with PostgreSQL's result scales.

use std::cmp::Ordering;

use crate::sql::error::{SqlError, SqlResult, code};
use crate::types::{NUMERIC_MAX_PRECISION, Numeric};

fn overflow() -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

fn make(mantissa: Option<i128>, scale: u8) -> SqlResult<Numeric> {
    mantissa
        .and_then(|m| Numeric::new(m, scale))
        .ok_or_else(overflow)
}

/// Both operands at the larger of their scales.
fn aligned(a: &Numeric, b: &Numeric) -> SqlResult<(i128, i128, u8)> {
    let scale = a.scale().max(b.scale());
    let a = a.rescale(scale).ok_or_else(overflow)?;
    let b = b.rescale(scale).ok_or_else(overflow)?;
    Ok((a.mantissa(), b.mantissa(), scale))
}

pub fn add(a: &Numeric, b: &Numeric) -> SqlResult<Numeric> {
    let (x, y, scale) = aligned(a, b)?;
    make(x.checked_add(y), scale)
}

pub fn sub(a: &Numeric, b: &Numeric) -> SqlResult<Numeric> {
    let (x, y, scale) = aligned(a, b)?;
    make(x.checked_sub(y), scale)
}

pub fn mul(a: &Numeric, b: &Numeric) -> SqlResult<Numeric> {
    let scale = a.scale() + b.scale();
    if scale > NUMERIC_MAX_PRECISION {
        // Keep what fits, rounding the product as PostgreSQL would display it.
        let exact = mul(
            &a.rescale(a.scale().min(19)).ok_or_else(overflow)?,
            &b.rescale(b.scale().min(19)).ok_or_else(overflow)?,
        )?;
        return exact.rescale(NUMERIC_MAX_PRECISION).ok_or_else(overflow);
    }
    make(a.mantissa().checked_mul(b.mantissa()), scale)
}

/// The weight (base-10000 exponent) and value of the first non-zero
/// base-10000 digit of `n`, as PostgreSQL's numeric code sees it.
fn first_nbase_digit(n: &Numeric) -> (i32, i128) {
    let m = n.mantissa().unsigned_abs();
    if m == 0 {
        return (0, 0);
    }
    let s = u32::from(n.scale());
    let pow = 10u128.pow(s);
    let int_part = m / pow;
    if int_part > 0 {
        let mut weight = 0;
        let mut top = int_part;
        while top >= 10_000 {
            top /= 10_000;
            weight += 1;
        }
        return (weight, top as i128);
    }
    let frac_digits = s.div_ceil(4) * 4;
    let frac = (m % pow) * 10u128.pow(frac_digits - s);
    let mut k = 1;
    loop {
        let group = (frac / 10u128.pow(frac_digits - 4 * k)) % 10_000;
        if group != 0 {
            return (-(k as i32), group as i128);
        }
        k += 1;
    }
}

/// The scale PostgreSQL gives a quotient (numeric.c, select_div_scale):
/// at least 16 significant digits, and no less than either input's scale.
pub fn div_scale(a: &Numeric, b: &Numeric) -> u8 {
    let (w1, d1) = first_nbase_digit(a);
    let (w2, d2) = first_nbase_digit(b);
    let mut qweight = w1 - w2;
    if d1 <= d2 {
        qweight -= 1;
    }
    let rscale = (16 - qweight * 4)
        .max(i32::from(a.scale()))
        .max(i32::from(b.scale()))
        .max(0);
    rscale.min(i32::from(NUMERIC_MAX_PRECISION)) as u8
}

/// `a / b` rounded half away from zero to `scale` digits.
pub fn div_to_scale(a: &Numeric, b: &Numeric, scale: u8) -> SqlResult<Numeric> {
    if b.mantissa() == 0 {
        return Err(SqlError::division_by_zero());
    }
    // a/b = (ma / mb) * 10^(sb - sa); at `scale`: ma * 10^(scale + sb - sa) / mb.
    let exp = i32::from(scale) + i32::from(b.scale()) - i32::from(a.scale());
    let (num, den) = if exp >= 0 {
        let p = 10i128.checked_pow(exp as u32).ok_or_else(overflow)?;
        (
            a.mantissa().checked_mul(p).ok_or_else(overflow)?,
            b.mantissa(),
        )
    } else {
        let p = 10i128.checked_pow((-exp) as u32).ok_or_else(overflow)?;
        (
            a.mantissa(),
            b.mantissa().checked_mul(p).ok_or_else(overflow)?,
        )
    };
    let q = num / den;
    let r = num % den;
    let q = if r != 0 && r.unsigned_abs() * 2 >= den.unsigned_abs() {
        q + if (num < 0) == (den < 0) { 1 } else { -1 }
    } else {
        q
    };
    make(Some(q), scale)
}

pub fn div(a: &Numeric, b: &Numeric) -> SqlResult<Numeric> {
    if b.mantissa() == 0 {
        return Err(SqlError::division_by_zero());
    }
    div_to_scale(a, b, div_scale(a, b))
}

/// `a % b` with the sign of `a` (PostgreSQL's numeric mod).
pub fn rem(a: &Numeric, b: &Numeric) -> SqlResult<Numeric> {
    if b.mantissa() == 0 {
        return Err(SqlError::division_by_zero());
    }
    let (x, y, scale) = aligned(a, b)?;
    make(Some(x % y), scale)
}

pub fn neg(a: &Numeric) -> SqlResult<Numeric> {
    make(a.mantissa().checked_neg(), a.scale())
}

pub fn abs(a: &Numeric) -> SqlResult<Numeric> {
    make(a.mantissa().checked_abs(), a.scale())
}

/// Rounds to `scale` digits (negative: to tens, hundreds, …).
pub fn round(a: &Numeric, scale: i32) -> SqlResult<Numeric> {
    if scale >= 0 {
        let s = scale.min(i32::from(NUMERIC_MAX_PRECISION)) as u8;
        return a.rescale(s).ok_or_else(overflow);
    }
    let p = 10i128.checked_pow((-scale) as u32).ok_or_else(overflow)?;
    let whole = a.rescale(0).ok_or_else(overflow)?;
    let factor = Numeric::new(p, 0).ok_or_else(overflow)?;
    let q = div_to_scale(&whole, &factor, 0)?;
    make(q.mantissa().checked_mul(p), 0)
}

/// Truncates to `scale` digits.
pub fn trunc(a: &Numeric, scale: i32) -> SqlResult<Numeric> {
    if scale < 0 {
        // To tens, hundreds…: trunc(1299, -2) = 1200.
        let whole = trunc(a, 0)?.mantissa();
        let Some(p) = 10i128.checked_pow(scale.unsigned_abs()) else {
            return make(Some(0), 0);
        };
        return make(Some(whole / p * p), 0);
    }
    let s = scale.clamp(0, i32::from(NUMERIC_MAX_PRECISION)) as u8;
    if s >= a.scale() {
        return a.rescale(s).ok_or_else(overflow);
    }
    let p = 10i128.pow(u32::from(a.scale() - s));
    make(Some(a.mantissa() / p), s)
}

/// The NUMERIC nearest to `f` (PostgreSQL converts through 15 significant digits).
pub fn from_f64(f: f64) -> SqlResult<Numeric> {
    if !f.is_finite() {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            "cannot convert NaN or infinity to numeric",
        ));
    }
    // As "%.15g" does: 15 significant digits, trailing zeros dropped, so
    // that 0.1::float8::numeric is 0.1, not 0.100000000000000.
    let text = format!("{:.*e}", 14, f);
    let (mantissa, exponent) = text.split_once('e').expect("exponent form");
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    Numeric::parse_text(&format!("{mantissa}e{exponent}"), None).map_err(SqlError::from)
}

pub fn to_f64(a: &Numeric) -> f64 {
    a.to_text().parse().unwrap_or(f64::NAN)
}

pub fn cmp(a: &Numeric, b: &Numeric) -> Ordering {
    a.cmp(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Numeric {
        Numeric::parse_text(s, None).unwrap()
    }

    #[test]
    fn division_scale_matches_postgres() {
        // Results checked against PostgreSQL 15.
        assert_eq!(
            div(&n("1"), &n("3")).unwrap().to_text(),
            "0.33333333333333333333"
        );
        assert_eq!(
            div(&n("10"), &n("4")).unwrap().to_text(),
            "2.5000000000000000"
        );
        assert_eq!(
            div(&n("123456789.12"), &n("7")).unwrap().to_text(),
            "17636684.160000000000"
        );
        assert_eq!(
            div(&n("2"), &n("3")).unwrap().to_text(),
            "0.66666666666666666667"
        );
        assert_eq!(
            div(&n("100.50"), &n("2")).unwrap().to_text(),
            "50.2500000000000000"
        );
        assert!(div(&n("1"), &n("0")).is_err());
    }

    #[test]
    fn add_mul_round() {
        assert_eq!(add(&n("1.5"), &n("2.25")).unwrap().to_text(), "3.75");
        assert_eq!(mul(&n("1.5"), &n("2.25")).unwrap().to_text(), "3.375");
        assert_eq!(round(&n("2.5"), 0).unwrap().to_text(), "3");
        assert_eq!(round(&n("-2.5"), 0).unwrap().to_text(), "-3");
        assert_eq!(round(&n("1234.5"), -2).unwrap().to_text(), "1200");
        assert_eq!(trunc(&n("-2.77"), 1).unwrap().to_text(), "-2.7");
        assert_eq!(rem(&n("-7.5"), &n("2")).unwrap().to_text(), "-1.5");
        assert_eq!(trunc(&n("1299"), -2).unwrap().to_text(), "1200");
        assert_eq!(trunc(&n("-1299.9"), -2).unwrap().to_text(), "-1200");
        assert_eq!(trunc(&n("99"), -5).unwrap().to_text(), "0");
    }

    #[test]
    fn float_to_numeric_keeps_15_significant_digits() {
        // Results checked against PostgreSQL 15.
        let f = |x: f64| from_f64(x).unwrap().to_text();
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(1.23456789), "1.23456789");
        assert_eq!(f(42.0), "42");
        assert_eq!(f(1e20), "100000000000000000000");
        assert_eq!(f(123456789012345678.0), "123456789012346000");
        assert_eq!(f(-0.000123), "-0.000123");
    }
}
