//! Aggregate functions: count, sum, avg, min, max, bool_and, bool_or,
//! string_agg, each with an optional DISTINCT, and PostgreSQL's result types.

use std::collections::HashSet;

use crate::row::encode_key;
use crate::sql::error::{SqlError, SqlResult};
use crate::sql::expr::{EvalContext, Expr, sort_cmp, text_of};
use crate::types::{DataType, Interval, Numeric, Value};

use super::interval::interval_out_of_range;
use super::numeric;

/// Which aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    BoolAnd,
    BoolOr,
    StringAgg,
}

impl AggFunc {
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Some(match name {
            "count" => AggFunc::Count,
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "bool_and" | "every" => AggFunc::BoolAnd,
            "bool_or" => AggFunc::BoolOr,
            "string_agg" => AggFunc::StringAgg,
            _ => return None,
        })
    }

    /// The result type for an argument of type `arg`, or None if the
    /// aggregate does not take that type.
    pub fn result_type(self, arg: Option<DataType>) -> Option<DataType> {
        use DataType as T;
        Some(match (self, arg) {
            (AggFunc::CountStar | AggFunc::Count, _) => T::BigInt,
            (AggFunc::Sum, Some(T::Integer)) => T::BigInt,
            (AggFunc::Sum, Some(T::BigInt | T::Numeric(_))) => T::Numeric(None),
            (AggFunc::Sum | AggFunc::Avg, Some(T::Double)) => T::Double,
            (AggFunc::Sum | AggFunc::Avg, Some(T::Interval)) => T::Interval,
            (AggFunc::Avg, Some(T::Integer | T::BigInt | T::Numeric(_))) => T::Numeric(None),
            // PostgreSQL has no min/max of boolean (bool_and/bool_or are).
            (AggFunc::Min | AggFunc::Max, Some(T::Boolean)) => return None,
            (AggFunc::Min | AggFunc::Max, Some(t)) => t,
            (AggFunc::BoolAnd | AggFunc::BoolOr, Some(T::Boolean)) => T::Boolean,
            (AggFunc::StringAgg, Some(T::Text)) => T::Text,
            _ => return None,
        })
    }
}

/// An aggregate call in a query.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    pub func: AggFunc,
    /// Arguments, bound to the aggregate's input rows.
    pub args: Vec<Expr>,
    pub distinct: bool,
}

/// The running state of one aggregate for one group.
#[derive(Clone)]
pub struct Accumulator {
    func: AggFunc,
    state: State,
    seen: Option<HashSet<Vec<u8>>>,
    /// The argument is INTEGER: its sum is a BIGINT (of BIGINT, a NUMERIC).
    int4: bool,
}

#[derive(Clone)]
enum State {
    Count(i64),
    /// Sum of integers, exact.
    SumInt {
        sum: i128,
        any: bool,
    },
    SumNumeric(Option<Numeric>),
    SumFloat(Option<f64>),
    AvgInt {
        sum: i128,
        count: i64,
    },
    AvgNumeric {
        sum: Option<Numeric>,
        count: i64,
    },
    AvgFloat {
        sum: f64,
        count: i64,
    },
    /// sum and avg of intervals.
    Interval {
        sum: Interval,
        count: i64,
    },
    Extreme(Option<Value>),
    Bool(Option<bool>),
    StringAgg(Option<String>),
    /// string_agg(DISTINCT …): PostgreSQL sorts a DISTINCT aggregate's
    /// input, so the values are joined in order. (value, delimiter) pairs.
    StringAggDistinct(Vec<(String, Option<String>)>),
}

impl Accumulator {
    pub fn new(call: &AggCall, arg_type: Option<DataType>) -> Accumulator {
        use DataType as T;
        let state = match (call.func, arg_type) {
            (AggFunc::CountStar | AggFunc::Count, _) => State::Count(0),
            (AggFunc::Sum | AggFunc::Avg, Some(T::Interval)) => State::Interval {
                sum: Interval::default(),
                count: 0,
            },
            (AggFunc::Sum, Some(T::Integer | T::BigInt)) => State::SumInt { sum: 0, any: false },
            (AggFunc::Sum, Some(T::Double)) => State::SumFloat(None),
            (AggFunc::Sum, _) => State::SumNumeric(None),
            (AggFunc::Avg, Some(T::Integer | T::BigInt)) => State::AvgInt { sum: 0, count: 0 },
            (AggFunc::Avg, Some(T::Double)) => State::AvgFloat { sum: 0.0, count: 0 },
            (AggFunc::Avg, _) => State::AvgNumeric {
                sum: None,
                count: 0,
            },
            (AggFunc::Min | AggFunc::Max, _) => State::Extreme(None),
            (AggFunc::BoolAnd | AggFunc::BoolOr, _) => State::Bool(None),
            (AggFunc::StringAgg, _) if call.distinct => State::StringAggDistinct(Vec::new()),
            (AggFunc::StringAgg, _) => State::StringAgg(None),
        };
        Accumulator {
            func: call.func,
            state,
            seen: call.distinct.then(HashSet::new),
            int4: arg_type == Some(T::Integer),
        }
    }

    /// One accumulator per call, for arguments of `arg_types`.
    pub fn for_calls(calls: &[AggCall], arg_types: &[Option<DataType>]) -> Vec<Accumulator> {
        calls
            .iter()
            .zip(arg_types)
            .map(|(a, t)| Accumulator::new(a, *t))
            .collect()
    }

    /// Adds one input row's argument values.
    pub fn add(&mut self, args: &[Value], ctx: &EvalContext) -> SqlResult<()> {
        if self.func == AggFunc::CountStar {
            if let State::Count(n) = &mut self.state {
                *n += 1;
            }
            return Ok(());
        }
        let v = &args[0];
        if v.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            let mut key = Vec::new();
            let refs: Vec<&Value> = args.iter().take(1).collect();
            encode_key(&refs, &mut key);
            if !seen.insert(key) {
                return Ok(());
            }
        }
        match &mut self.state {
            State::Count(n) => *n += 1,
            State::SumInt { sum, any } => {
                *sum += int_of(v)?;
                *any = true;
            }
            State::SumNumeric(s) => *s = Some(add_numeric(s.take(), v)?),
            State::SumFloat(s) => *s = Some(s.unwrap_or(0.0) + float_of(v)?),
            State::AvgInt { sum, count } => {
                *sum += int_of(v)?;
                *count += 1;
            }
            State::AvgNumeric { sum, count } => {
                *sum = Some(add_numeric(sum.take(), v)?);
                *count += 1;
            }
            State::AvgFloat { sum, count } => {
                *sum += float_of(v)?;
                *count += 1;
            }
            State::Interval { sum, count } => {
                let Value::Interval(iv) = v else {
                    return Err(SqlError::internal("interval aggregate of a non-interval"));
                };
                *sum = sum.checked_add(iv).ok_or_else(interval_out_of_range)?;
                *count += 1;
            }
            State::Extreme(best) => {
                let replace = match best {
                    None => true,
                    Some(b) => {
                        let ord = sort_cmp(v, b);
                        if self.func == AggFunc::Min {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        }
                    }
                };
                if replace {
                    *best = Some(v.clone());
                }
            }
            State::Bool(acc) => {
                let b = matches!(v, Value::Boolean(true));
                *acc = Some(match (*acc, self.func) {
                    (None, _) => b,
                    (Some(a), AggFunc::BoolAnd) => a && b,
                    (Some(a), _) => a || b,
                });
            }
            State::StringAggDistinct(values) => values.push((
                text_of(v, ctx).unwrap_or_default(),
                args.get(1).and_then(|d| text_of(d, ctx)),
            )),
            State::StringAgg(acc) => {
                let s = text_of(v, ctx).unwrap_or_default();
                match acc {
                    None => *acc = Some(s),
                    Some(out) => {
                        if let Some(sep) = args.get(1).and_then(|d| text_of(d, ctx)) {
                            out.push_str(&sep);
                        }
                        out.push_str(&s);
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds `n` rows (count(*)) or non-NULL values (count(x)) counted
    /// elsewhere, as from an index.
    pub fn add_count(&mut self, n: u64) {
        if let State::Count(c) = &mut self.state {
            *c += n as i64;
        }
    }

    /// Adds `count` non-NULL values whose sum is `sum` × 10^-`scale`,
    /// summed elsewhere (a bit-sliced index): for sum and avg of integers
    /// and NUMERIC.
    pub fn add_sum(&mut self, sum: i128, scale: u8, count: u64) -> SqlResult<()> {
        if count == 0 {
            return Ok(());
        }
        let numeric = || Numeric::new(sum, scale).ok_or_else(|| SqlError::out_of_range("numeric"));
        match &mut self.state {
            State::SumInt { sum: s, any } if scale == 0 => {
                *s += sum;
                *any = true;
            }
            State::AvgInt { sum: s, count: c } if scale == 0 => {
                *s += sum;
                *c += count as i64;
            }
            State::SumNumeric(s) => *s = Some(add_numeric(s.take(), &Value::Numeric(numeric()?))?),
            State::AvgNumeric { sum: s, count: c } => {
                *s = Some(add_numeric(s.take(), &Value::Numeric(numeric()?))?);
                *c += count as i64;
            }
            _ => {
                return Err(SqlError::internal(
                    "a partial sum for an aggregate that is not one",
                ));
            }
        }
        Ok(())
    }

    /// The aggregate's value for the group.
    pub fn finish(self) -> SqlResult<Value> {
        Ok(match self.state {
            State::Count(n) => Value::BigInt(n),
            State::SumInt { any: false, .. } => Value::Null,
            State::SumInt { sum, .. } if self.int4 => {
                Value::BigInt(i64::try_from(sum).map_err(|_| SqlError::out_of_range("bigint"))?)
            }
            State::SumInt { sum, .. } => Value::Numeric(
                Numeric::new(sum, 0).ok_or_else(|| SqlError::out_of_range("numeric"))?,
            ),
            State::SumNumeric(s) => s.map(Value::Numeric).unwrap_or(Value::Null),
            State::SumFloat(s) => s.map(Value::Double).unwrap_or(Value::Null),
            State::AvgInt { count: 0, .. }
            | State::AvgNumeric { count: 0, .. }
            | State::AvgFloat { count: 0, .. } => Value::Null,
            State::AvgInt { sum, count } => {
                let s = Numeric::new(sum, 0).ok_or_else(|| SqlError::out_of_range("numeric"))?;
                Value::Numeric(numeric::div(
                    &s,
                    &Numeric::new(i128::from(count), 0).expect("fits"),
                )?)
            }
            State::AvgNumeric { sum, count } => {
                let s = sum.expect("count > 0");
                Value::Numeric(numeric::div(
                    &s,
                    &Numeric::new(i128::from(count), 0).expect("fits"),
                )?)
            }
            State::AvgFloat { sum, count } => Value::Double(sum / count as f64),
            State::Interval { count: 0, .. } => Value::Null,
            State::Interval { sum, .. } if self.func == AggFunc::Sum => Value::Interval(sum),
            State::Interval { sum, count } => Value::Interval(
                sum.div_f64(count as f64)
                    .ok_or_else(interval_out_of_range)?,
            ),
            State::Extreme(v) => v.unwrap_or(Value::Null),
            State::Bool(b) => b.map(Value::Boolean).unwrap_or(Value::Null),
            State::StringAgg(s) => s.map(Value::Text).unwrap_or(Value::Null),
            State::StringAggDistinct(mut values) => {
                values.sort();
                let mut out: Option<String> = None;
                for (s, sep) in values {
                    match &mut out {
                        None => out = Some(s),
                        Some(o) => {
                            o.push_str(sep.as_deref().unwrap_or(""));
                            o.push_str(&s);
                        }
                    }
                }
                out.map(Value::Text).unwrap_or(Value::Null)
            }
        })
    }
}

fn int_of(v: &Value) -> SqlResult<i128> {
    match v {
        Value::Integer(i) => Ok(i128::from(*i)),
        Value::BigInt(i) => Ok(i128::from(*i)),
        other => Err(SqlError::internal(format!(
            "integer aggregate of {}",
            other.type_name()
        ))),
    }
}

fn float_of(v: &Value) -> SqlResult<f64> {
    match v {
        Value::Double(x) => Ok(*x),
        other => Err(SqlError::internal(format!(
            "float aggregate of {}",
            other.type_name()
        ))),
    }
}

fn add_numeric(acc: Option<Numeric>, v: &Value) -> SqlResult<Numeric> {
    let Value::Numeric(n) = v else {
        return Err(SqlError::internal(format!(
            "numeric aggregate of {}",
            v.type_name()
        )));
    };
    match acc {
        None => Ok(*n),
        Some(a) => numeric::add(&a, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SessionTimeZone;

    #[test]
    fn string_agg_distinct_joins_sorted_values() {
        let call = AggCall {
            func: AggFunc::StringAgg,
            args: Vec::new(),
            distinct: true,
        };
        let tz = SessionTimeZone::utc();
        let ctx = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        let mut acc = Accumulator::new(&call, Some(DataType::Text));
        for s in ["lead", "customer", "churned", "lead"] {
            acc.add(&[Value::Text(s.into()), Value::Text(",".into())], &ctx)
                .unwrap();
        }
        assert_eq!(
            acc.finish().unwrap(),
            Value::Text("churned,customer,lead".into())
        );
        assert_eq!(AggFunc::Min.result_type(Some(DataType::Boolean)), None);
    }
}
