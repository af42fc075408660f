//! Scalar functions, operators and casts, with PostgreSQL's semantics.

pub mod aggregate;
mod datetime;
mod interval;
pub mod numeric;
pub mod system;
mod text;
mod to_char;

use crate::types::{DataType, Numeric, Value, parse_value_at};

use super::error::{SqlError, SqlResult, code};
use super::expr::{ArithOp, EvalContext, Expr};

pub use datetime::DateField;

/// A scalar function the binder resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    Coalesce,
    NullIf,
    Greatest,
    Least,
    Lower,
    Upper,
    Length,
    Abs,
    /// round(x) / round(x, digits)
    Round,
    Trunc,
    Floor,
    Ceil,
    /// now(): the transaction's start.
    Now,
    /// clock_timestamp(): the time of the call.
    ClockTimestamp,
    CurrentDate,
    Concat,
    Replace,
    Left,
    Right,
    /// substring(text, from [, for])
    Substring,
    /// position(sub IN text) / strpos(text, sub)
    StrPos,
    Btrim,
    Ltrim,
    Rtrim,
    SplitPart,
    /// quote_literal(text) / quote_ident(text)
    QuoteLiteral,
    QuoteIdent,
    /// date_part('field', x): a double; the field is the first argument.
    DatePart,
    /// extract(field FROM x): a numeric.
    Extract,
    /// date_trunc('field', timestamptz)
    DateTrunc,
    MakeDate,
    /// to_char(timestamp | number, template)
    ToChar,
    /// pg_catalog functions (functions/system.rs).
    System(system::SysFn),
}

/// Calls `f`; arguments are evaluated lazily where SQL says so (COALESCE).
pub fn call(f: Scalar, args: &[Expr], row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
    use Scalar as S;
    if f == S::Coalesce {
        for a in args {
            let v = a.eval(row, ctx)?;
            if !v.is_null() {
                return Ok(v);
            }
        }
        return Ok(Value::Null);
    }
    let vals = args
        .iter()
        .map(|a| a.eval(row, ctx))
        .collect::<SqlResult<Vec<_>>>()?;
    match f {
        S::Coalesce => unreachable!("handled above"),
        S::NullIf => Ok(
            if !vals[0].is_null()
                && super::expr::compare(&vals[0], &vals[1]) == Some(std::cmp::Ordering::Equal)
            {
                Value::Null
            } else {
                vals[0].clone()
            },
        ),
        S::Greatest | S::Least => {
            let mut best: Option<Value> = None;
            for v in vals.into_iter().filter(|v| !v.is_null()) {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let ord = super::expr::sort_cmp(&v, &b);
                        let take = if f == S::Greatest {
                            ord.is_gt()
                        } else {
                            ord.is_lt()
                        };
                        if take { v } else { b }
                    }
                });
            }
            Ok(best.unwrap_or(Value::Null))
        }
        S::System(f) => system::call(f, &vals),
        S::Now => Ok(Value::TimestampTz(ctx.now)),
        S::ClockTimestamp => Ok(Value::TimestampTz(crate::types::datetime::system_now())),
        S::CurrentDate => datetime::date_of(ctx.now, ctx),
        S::Concat => text::concat(&vals, ctx),
        _ if vals.iter().any(Value::is_null) => Ok(Value::Null),
        S::Abs => match &vals[0] {
            Value::Integer(i) => i
                .checked_abs()
                .map(Value::Integer)
                .ok_or_else(|| SqlError::out_of_range("integer")),
            Value::BigInt(i) => i
                .checked_abs()
                .map(Value::BigInt)
                .ok_or_else(|| SqlError::out_of_range("bigint")),
            Value::Double(x) => Ok(Value::Double(x.abs())),
            Value::Numeric(n) => numeric::abs(n).map(Value::Numeric),
            other => Err(SqlError::internal(format!("abs of {}", other.type_name()))),
        },
        S::Round | S::Trunc | S::Floor | S::Ceil => rounding(f, &vals),
        S::Lower
        | S::Upper
        | S::Length
        | S::Replace
        | S::Left
        | S::Right
        | S::Substring
        | S::StrPos
        | S::Btrim
        | S::Ltrim
        | S::Rtrim
        | S::SplitPart
        | S::QuoteLiteral
        | S::QuoteIdent => text::call(f, &vals),
        S::DatePart => datetime::date_part(&vals[0], &vals[1], ctx),
        S::Extract => datetime::extract(&vals[0], &vals[1], ctx).map(Value::Numeric),
        S::DateTrunc => datetime::date_trunc(&vals[0], &vals[1], ctx),
        S::MakeDate => datetime::make_date(&vals),
        S::ToChar => datetime::to_char(&vals[0], &vals[1], ctx),
    }
}

fn rounding(f: Scalar, vals: &[Value]) -> SqlResult<Value> {
    let digits = match vals.get(1) {
        Some(Value::Integer(d)) => *d,
        _ => 0,
    };
    match &vals[0] {
        Value::Numeric(n) => Ok(Value::Numeric(match f {
            Scalar::Round => numeric::round(n, digits)?,
            Scalar::Trunc => numeric::trunc(n, digits)?,
            Scalar::Floor | Scalar::Ceil => {
                let t = numeric::trunc(n, 0)?;
                let frac_nonzero = numeric::cmp(&t, n) != std::cmp::Ordering::Equal;
                let step = match (f, n.mantissa() < 0) {
                    (Scalar::Floor, true) if frac_nonzero => -1,
                    (Scalar::Ceil, false) if frac_nonzero => 1,
                    _ => 0,
                };
                numeric::add(&t, &Numeric::new(step, 0).expect("small"))?
            }
            _ => unreachable!("rounding functions only"),
        })),
        Value::Double(x) => Ok(Value::Double(match f {
            // PostgreSQL's round(float8) rounds half to even (rint).
            Scalar::Round => x.round_ties_even(),
            Scalar::Trunc => x.trunc(),
            Scalar::Floor => x.floor(),
            _ => x.ceil(),
        })),
        other => Err(SqlError::internal(format!(
            "rounding of {}",
            other.type_name()
        ))),
    }
}

/// `-v`.
pub fn negate(v: Value) -> SqlResult<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Integer(i) => Value::Integer(
            i.checked_neg()
                .ok_or_else(|| SqlError::out_of_range("integer"))?,
        ),
        Value::BigInt(i) => Value::BigInt(
            i.checked_neg()
                .ok_or_else(|| SqlError::out_of_range("bigint"))?,
        ),
        Value::Double(x) => Value::Double(-x),
        Value::Numeric(n) => Value::Numeric(numeric::neg(&n)?),
        Value::Interval(iv) => Value::Interval(
            iv.checked_neg()
                .ok_or_else(interval::interval_out_of_range)?,
        ),
        other => {
            return Err(SqlError::internal(format!(
                "negation of {}",
                other.type_name()
            )));
        }
    })
}

/// PostgreSQL's check_float8_val: an infinite result of finite operands is
/// an overflow; a zero product or quotient of non-zero operands an underflow.
fn float_result(op: ArithOp, x: f64, a: f64, b: f64) -> SqlResult<Value> {
    if x.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow",
        ));
    }
    let zero_is_valid = match op {
        ArithOp::Mul => a == 0.0 || b == 0.0,
        ArithOp::Div => a == 0.0,
        _ => true,
    };
    if x == 0.0 && !zero_is_valid {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: underflow",
        ));
    }
    Ok(Value::Double(x))
}

/// Binary arithmetic on operands the binder coerced to matching types.
pub fn arith(op: ArithOp, a: Value, b: Value, ctx: &EvalContext) -> SqlResult<Value> {
    use ArithOp as O;
    use Value as V;
    if a.is_null() || b.is_null() {
        return Ok(V::Null);
    }
    if let Some(result) = interval::arith(op, &a, &b, ctx) {
        return result;
    }
    macro_rules! int_op {
        ($x:expr, $y:expr, $variant:ident, $name:literal) => {{
            let (x, y) = ($x, $y);
            let r = match op {
                O::Add => x.checked_add(y),
                O::Sub => x.checked_sub(y),
                O::Mul => x.checked_mul(y),
                O::Div => {
                    if y == 0 {
                        return Err(SqlError::division_by_zero());
                    }
                    x.checked_div(y)
                }
                O::Mod => {
                    if y == 0 {
                        return Err(SqlError::division_by_zero());
                    }
                    Some(x.checked_rem(y).unwrap_or(0))
                }
            };
            V::$variant(r.ok_or_else(|| SqlError::out_of_range($name))?)
        }};
    }
    Ok(match (a, b) {
        (V::Integer(x), V::Integer(y)) => int_op!(x, y, Integer, "integer"),
        (V::BigInt(x), V::BigInt(y)) => int_op!(x, y, BigInt, "bigint"),
        (V::Double(x), V::Double(y)) => {
            let r = match op {
                O::Add => x + y,
                O::Sub => x - y,
                O::Mul => x * y,
                O::Div => {
                    if y == 0.0 {
                        return Err(SqlError::division_by_zero());
                    }
                    x / y
                }
                O::Mod => {
                    return Err(SqlError::new(
                        code::UNDEFINED_FUNCTION,
                        "operator does not exist: double precision % double precision",
                    ));
                }
            };
            return float_result(op, r, x, y);
        }
        (V::Numeric(x), V::Numeric(y)) => V::Numeric(match op {
            O::Add => numeric::add(&x, &y)?,
            O::Sub => numeric::sub(&x, &y)?,
            O::Mul => numeric::mul(&x, &y)?,
            O::Div => numeric::div(&x, &y)?,
            O::Mod => numeric::rem(&x, &y)?,
        }),
        (V::Date(d), V::Integer(n)) => match op {
            O::Add => datetime::checked_date(i64::from(d) + i64::from(n))?,
            O::Sub => datetime::checked_date(i64::from(d) - i64::from(n))?,
            _ => return Err(SqlError::internal("date arithmetic")),
        },
        (V::Integer(n), V::Date(d)) if op == O::Add => {
            datetime::checked_date(i64::from(d) + i64::from(n))?
        }
        (V::Date(x), V::Date(y)) if op == O::Sub => V::Integer(
            i32::try_from(i64::from(x) - i64::from(y))
                .map_err(|_| SqlError::out_of_range("integer"))?,
        ),
        (a, b) => {
            return Err(SqlError::internal(format!(
                "arithmetic on {} and {}",
                a.type_name(),
                b.type_name()
            )));
        }
    })
}

/// `v::ty` (and implicit conversions the binder inserts).
pub fn cast(v: Value, ty: &DataType, ctx: &EvalContext) -> SqlResult<Value> {
    use DataType as T;
    use Value as V;
    let int_range = |name: &str| SqlError::out_of_range(name);
    Ok(match (v, ty) {
        (V::Null, _) => V::Null,
        (V::Text(s), T::Text) => V::Text(s),
        (V::Text(s), ty) => parse_value_at(&s, ty, ctx.time_zone, ctx.now)?,
        // The bool-to-text cast spells the words out (its output function,
        // which concat() and format_value use, gives t/f).
        (V::Boolean(b), T::Text) => V::Text(if b { "true" } else { "false" }.into()),
        (v, T::Text) => V::Text(super::expr::text_of(&v, ctx).unwrap_or_default()),
        (V::Boolean(b), T::Boolean) => V::Boolean(b),
        (V::Boolean(b), T::Integer) => V::Integer(i32::from(b)),
        (V::Integer(i), T::Boolean) => V::Boolean(i != 0),
        (V::Integer(i), T::Integer) => V::Integer(i),
        (V::Integer(i), T::BigInt) => V::BigInt(i64::from(i)),
        (V::BigInt(i), T::BigInt) => V::BigInt(i),
        (V::BigInt(i), T::Integer) => {
            V::Integer(i32::try_from(i).map_err(|_| int_range("integer"))?)
        }
        (V::Integer(i), T::Double) => V::Double(f64::from(i)),
        (V::BigInt(i), T::Double) => V::Double(i as f64),
        (V::Integer(i), T::Numeric(m)) => {
            fit_numeric(Numeric::new(i128::from(i), 0).expect("fits"), m)?
        }
        (V::BigInt(i), T::Numeric(m)) => {
            fit_numeric(Numeric::new(i128::from(i), 0).expect("fits"), m)?
        }
        (V::Numeric(n), T::Numeric(m)) => fit_numeric(n, m)?,
        (V::Numeric(n), T::Integer | T::BigInt) => {
            let r = n.rescale(0).ok_or_else(|| int_range("bigint"))?.mantissa();
            if *ty == T::Integer {
                V::Integer(i32::try_from(r).map_err(|_| int_range("integer"))?)
            } else {
                V::BigInt(i64::try_from(r).map_err(|_| int_range("bigint"))?)
            }
        }
        (V::Numeric(n), T::Double) => V::Double(numeric::to_f64(&n)),
        (V::Double(x), T::Double) => V::Double(x),
        (V::Double(x), T::Integer) => {
            let r = x.round_ties_even();
            if r.is_nan() || r < f64::from(i32::MIN) || r > f64::from(i32::MAX) {
                return Err(int_range("integer"));
            }
            V::Integer(r as i32)
        }
        (V::Double(x), T::BigInt) => {
            let r = x.round_ties_even();
            if r.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
                return Err(int_range("bigint"));
            }
            V::BigInt(r as i64)
        }
        (V::Double(x), T::Numeric(m)) => fit_numeric(numeric::from_f64(x)?, m)?,
        (V::Date(d), T::Date) => V::Date(d),
        (V::Date(d), T::TimestampTz) => datetime::date_to_timestamptz(d, ctx)?,
        (V::TimestampTz(t), T::TimestampTz) => V::TimestampTz(t),
        (V::TimestampTz(t), T::Date) => datetime::date_of(t, ctx)?,
        (V::Date(d), T::Timestamp) => V::Timestamp(interval::date_to_timestamp(d)?),
        (V::Timestamp(t), T::Timestamp) => V::Timestamp(t),
        (V::Timestamp(t), T::TimestampTz) => {
            V::TimestampTz(interval::timestamp_to_timestamptz(t, ctx))
        }
        (V::TimestampTz(t), T::Timestamp) => {
            V::Timestamp(interval::timestamptz_to_timestamp(t, ctx))
        }
        (V::Timestamp(t), T::Date) => datetime::date_of_wall_clock(t)?,
        (V::Interval(iv), T::Interval) => V::Interval(iv),
        (v, ty) => {
            return Err(SqlError::new(
                code::CANNOT_COERCE,
                format!("cannot cast type {} to {}", v.type_name(), ty.sql_name()),
            ));
        }
    })
}

/// A NUMERIC value fitted to a column's precision and scale.
pub fn fit_numeric(n: Numeric, typmod: &Option<crate::types::NumericTypmod>) -> SqlResult<Value> {
    let Some(t) = typmod else {
        return Ok(Value::Numeric(n));
    };
    let overflow = || {
        SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow").with_detail(
            format!(
                "A field with precision {}, scale {} must round to an absolute value less than {}.",
                t.precision,
                t.scale,
                if t.precision == t.scale {
                    "1".to_owned()
                } else {
                    format!("10^{}", t.precision - t.scale)
                }
            ),
        )
    };
    let r = n.rescale(t.scale).ok_or_else(overflow)?;
    if r.precision() > t.precision && r.mantissa() != 0 {
        return Err(overflow());
    }
    Ok(Value::Numeric(r))
}

/// `s LIKE p` / `s ILIKE p`, with `\` escaping.
pub fn like(s: &str, p: &str, case_insensitive: bool) -> SqlResult<bool> {
    text::like(s, p, case_insensitive)
}
