//! [`Numeric`]: an exact decimal stored as a scaled 128-bit integer.

use std::cmp::Ordering;

/// The most decimal digits a NUMERIC holds: what fits an i128 everywhere.
pub const NUMERIC_MAX_PRECISION: u8 = 38;

/// An exact decimal number `mantissa × 10^-scale`.
///
/// Two values with different scales can be equal (1.5 and 1.50): equality
/// and ordering compare the numbers, not the representations.
#[derive(Debug, Clone, Copy)]
pub struct Numeric {
    mantissa: i128,
    scale: u8,
}

impl Numeric {
    /// `mantissa × 10^-scale`, or `None` if the scale or the number of digits
    /// is beyond [`NUMERIC_MAX_PRECISION`].
    pub fn new(mantissa: i128, scale: u8) -> Option<Self> {
        let n = Numeric { mantissa, scale };
        (scale <= NUMERIC_MAX_PRECISION && n.precision() <= NUMERIC_MAX_PRECISION).then_some(n)
    }

    /// The scaled integer.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// Digits after the decimal point.
    pub fn scale(&self) -> u8 {
        self.scale
    }

    /// Number of decimal digits of the mantissa (at least 1).
    pub fn precision(&self) -> u8 {
        let mut m = self.mantissa.unsigned_abs();
        let mut digits = 1;
        while m >= 10 {
            m /= 10;
            digits += 1;
        }
        digits
    }

    /// The same number with trailing fractional zeros removed, so that equal
    /// numbers have equal representations.
    pub fn normalized(&self) -> Numeric {
        let mut n = *self;
        while n.scale > 0 && n.mantissa % 10 == 0 {
            n.mantissa /= 10;
            n.scale -= 1;
        }
        n
    }

    /// The number at `scale` digits, rounding half away from zero as
    /// PostgreSQL does; `None` if it does not fit.
    pub fn rescale(&self, scale: u8) -> Option<Numeric> {
        if scale > NUMERIC_MAX_PRECISION {
            return None;
        }
        let mantissa = match scale.cmp(&self.scale) {
            Ordering::Equal => self.mantissa,
            Ordering::Greater => self
                .mantissa
                .checked_mul(10i128.checked_pow(u32::from(scale - self.scale))?)?,
            Ordering::Less => {
                let div = 10i128.pow(u32::from(self.scale - scale));
                let q = self.mantissa / div;
                let r = self.mantissa % div;
                if r.unsigned_abs() * 2 >= div.unsigned_abs() {
                    q + self.mantissa.signum()
                } else {
                    q
                }
            }
        };
        Numeric::new(mantissa, scale)
    }
}

/// Text input and output, as PostgreSQL's `numeric_in` / `numeric_out`.
impl Numeric {
    /// Appends the number with exactly [`scale`](Self::scale) fractional
    /// digits, as PostgreSQL prints NUMERIC (`12.50`, `-0.001`, `0`).
    pub fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        let abs = self.mantissa.unsigned_abs();
        if self.mantissa < 0 {
            out.push('-');
        }
        if self.scale == 0 {
            let _ = write!(out, "{abs}");
            return;
        }
        let digits = format!("{abs:0>width$}", width = usize::from(self.scale) + 1);
        let (int, frac) = digits.split_at(digits.len() - usize::from(self.scale));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }

    /// PostgreSQL's text output of the number.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    /// Parses PostgreSQL NUMERIC text input (`42`, `-0.50`, `.5`, `1e3`,
    /// surrounded by any whitespace). The value keeps the scale written
    /// (`1.50` has scale 2, `1e3` scale 0, `1.5e-3` scale 4); with a
    /// `typmod` it is rounded half away from zero to the typmod's scale and
    /// must fit its precision.
    ///
    /// Errors: 22P02 for bad syntax; 22003 `numeric field overflow` (with
    /// PostgreSQL's detail) when the value does not fit the typmod, and
    /// `value overflows numeric format` when it needs more than
    /// [`NUMERIC_MAX_PRECISION`] digits (PostgreSQL allows 1000); 0A000 for
    /// `NaN` and `Infinity`, which PostgreSQL accepts but crmdb cannot store.
    pub fn parse_text(
        text: &str,
        typmod: Option<super::NumericTypmod>,
    ) -> Result<Numeric, super::text::TextError> {
        use super::text::{TextError, TextErrorKind, trim_pg_space};
        let invalid = || TextError::invalid_syntax("numeric", text);
        let too_big = || {
            TextError::new(
                TextErrorKind::NumericValueOutOfRange,
                "value overflows numeric format",
            )
            .with_detail(format!(
                "crmdb's NUMERIC holds at most {NUMERIC_MAX_PRECISION} digits, \
                     at most {NUMERIC_MAX_PRECISION} of them after the decimal point."
            ))
        };
        let s = trim_pg_space(text);
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let lower = body.to_ascii_lowercase();
        if lower == "nan" && body.len() == s.len() {
            return Err(TextError::new(
                TextErrorKind::FeatureNotSupported,
                "NUMERIC NaN is not supported",
            )
            .with_detail(format!("crmdb's NUMERIC cannot store \"{text}\".")));
        }
        if lower == "inf" || lower == "infinity" {
            return Err(match typmod {
                Some(t) => TextError::new(
                    TextErrorKind::NumericValueOutOfRange,
                    "numeric field overflow",
                )
                .with_detail(format!(
                    "A field with precision {}, scale {} cannot hold an infinite value.",
                    t.precision, t.scale
                )),
                None => TextError::new(
                    TextErrorKind::FeatureNotSupported,
                    "NUMERIC infinity is not supported",
                )
                .with_detail(format!("crmdb's NUMERIC cannot store \"{text}\".")),
            });
        }
        // digits (leading zeros dropped) × 10^exp10
        let b = body.as_bytes();
        let mut digits: Vec<u8> = Vec::new();
        let mut frac_len: i64 = 0;
        let mut any_digit = false;
        let mut i = 0;
        let push = |d: u8, digits: &mut Vec<u8>| {
            if !(digits.is_empty() && d == 0) {
                digits.push(d);
            }
        };
        while i < b.len() && b[i].is_ascii_digit() {
            push(b[i] - b'0', &mut digits);
            any_digit = true;
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                push(b[i] - b'0', &mut digits);
                any_digit = true;
                frac_len += 1;
                i += 1;
            }
        }
        if !any_digit {
            return Err(invalid());
        }
        let mut exponent: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                exponent = (exponent * 10 + i64::from(b[i] - b'0')).min(1_000_000);
                i += 1;
            }
            if i == start {
                return Err(invalid());
            }
            if eneg {
                exponent = -exponent;
            }
        }
        if i != b.len() {
            return Err(invalid());
        }
        if exponent >= 1_000_000 {
            return Err(too_big());
        }
        let exp10 = exponent - frac_len;
        let written_scale = (-exp10).max(0);
        let scale = match typmod {
            Some(t) => i64::from(t.scale),
            None => written_scale,
        };
        // The mantissa at `scale`: digits × 10^(exp10 + scale), rounded half
        // away from zero when that drops digits.
        let shift = exp10 + scale;
        let mut m: Vec<u8> = digits;
        if shift >= 0 {
            if !m.is_empty() {
                if m.len() as i64 + shift > 1100 {
                    return Err(match typmod {
                        Some(t) => field_overflow(t),
                        None => too_big(),
                    });
                }
                m.extend(std::iter::repeat_n(0u8, shift as usize));
            }
        } else {
            let drop = (-shift) as usize;
            if drop > m.len() {
                m.clear();
            } else {
                let round_up = m[m.len() - drop] >= 5;
                m.truncate(m.len() - drop);
                if round_up {
                    let mut k = m.len();
                    loop {
                        if k == 0 {
                            m.insert(0, 1);
                            break;
                        }
                        k -= 1;
                        if m[k] == 9 {
                            m[k] = 0;
                        } else {
                            m[k] += 1;
                            break;
                        }
                    }
                }
            }
        }
        let first_nonzero = m.iter().position(|d| *d != 0).unwrap_or(m.len());
        let m = &m[first_nonzero..];
        if let Some(t) = typmod {
            let int_digits = m.len() as i64 - scale;
            if int_digits > i64::from(t.precision) - i64::from(t.scale) {
                return Err(field_overflow(t));
            }
        }
        if scale > i64::from(NUMERIC_MAX_PRECISION) || m.len() > usize::from(NUMERIC_MAX_PRECISION)
        {
            return Err(too_big());
        }
        let mut mantissa: i128 = 0;
        for d in m {
            mantissa = mantissa * 10 + i128::from(*d);
        }
        if neg {
            mantissa = -mantissa;
        }
        Numeric::new(mantissa, scale as u8).ok_or_else(too_big)
    }
}

/// PostgreSQL's `numeric field overflow` for a value too large for `t`.
fn field_overflow(t: super::NumericTypmod) -> super::text::TextError {
    use super::text::{TextError, TextErrorKind};
    let max_digits = i32::from(t.precision) - i32::from(t.scale);
    let bound = if max_digits > 0 {
        format!("10^{max_digits}")
    } else {
        "1".to_owned()
    };
    TextError::new(
        TextErrorKind::NumericValueOutOfRange,
        "numeric field overflow",
    )
    .with_detail(format!(
        "A field with precision {}, scale {} must round to an absolute value less than {bound}.",
        t.precision, t.scale
    ))
}

impl std::fmt::Display for Numeric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl PartialEq for Numeric {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Numeric {}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Numeric {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.normalized(), other.normalized());
        if a.scale == b.scale {
            return a.mantissa.cmp(&b.mantissa);
        }
        let scale = a.scale.max(b.scale);
        match (a.rescale(scale), b.rescale(scale)) {
            (Some(x), Some(y)) => x.mantissa.cmp(&y.mantissa),
            // One side overflows when scaled up: compare integer parts first,
            // then the fractions, which both fit at the larger scale.
            _ => {
                let pa = 10i128.pow(u32::from(a.scale));
                let pb = 10i128.pow(u32::from(b.scale));
                let (ia, ib) = (a.mantissa / pa, b.mantissa / pb);
                ia.cmp(&ib).then_with(|| {
                    let fa = Numeric {
                        mantissa: a.mantissa % pa,
                        scale: a.scale,
                    };
                    let fb = Numeric {
                        mantissa: b.mantissa % pb,
                        scale: b.scale,
                    };
                    match (fa.rescale(scale), fb.rescale(scale)) {
                        (Some(x), Some(y)) => x.mantissa.cmp(&y.mantissa),
                        _ => Ordering::Equal,
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_rounds_half_away_from_zero() {
        let n = Numeric::new(12345, 3).unwrap(); // 12.345
        assert_eq!(n.rescale(2).unwrap().mantissa(), 1235);
        let n = Numeric::new(-12345, 3).unwrap();
        assert_eq!(n.rescale(2).unwrap().mantissa(), -1235);
        let n = Numeric::new(12344, 3).unwrap();
        assert_eq!(n.rescale(2).unwrap().mantissa(), 1234);
        assert_eq!(
            Numeric::new(5, 0).unwrap().rescale(2).unwrap().mantissa(),
            500
        );
    }

    #[test]
    fn equal_numbers_with_different_scales_compare_equal() {
        let a = Numeric::new(15, 1).unwrap();
        let b = Numeric::new(150, 2).unwrap();
        assert_eq!(a, b);
        assert!(Numeric::new(-1, 0).unwrap() < Numeric::new(1, 38).unwrap());
        assert!(Numeric::new(i128::MAX / 10, 0).is_some());
        assert!(Numeric::new(10i128.pow(38), 0).is_none());
    }

    #[test]
    fn precision_counts_digits() {
        assert_eq!(Numeric::new(0, 0).unwrap().precision(), 1);
        assert_eq!(Numeric::new(-99999, 2).unwrap().precision(), 5);
    }
}
