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
