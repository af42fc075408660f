//! Window functions: row_number, rank, dense_rank, lag, lead and the
//! aggregates over `OVER (PARTITION BY … ORDER BY …)`.
//!
//! The planner binds each call in a SELECT list or ORDER BY to a column a
//! [`Plan::Window`](super::plan::Plan::Window) node appends to its input
//! rows (after GROUP BY and HAVING, before DISTINCT and ORDER BY). The
//! frame is PostgreSQL's default — with ORDER BY, from the partition's
//! start to the current row and its peers (rows equal in the ORDER BY);
//! without, the whole partition — or an explicit `ROWS … CURRENT ROW` or
//! `… UNBOUNDED FOLLOWING`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use sqlparser::ast;

use crate::types::{DataType, Value};

use super::binder::{AggMode, Binder, Bound, Scope, Ty};
use super::error::{SqlError, SqlResult, code};
use super::executor::{ExecContext, compare_sort_values, row_key};
use super::expr::{EvalContext, Expr};
use super::functions::aggregate::{Accumulator, AggCall, AggFunc};
use super::plan::SortKey;

/// SQLSTATE of a window function where none may be.
pub const WINDOWING_ERROR: &str = "42P20";

/// Window results are bound as columns from here, renumbered by
/// [`renumber`] once the width of the window's input is known.
pub const RESULT_BASE: usize = 1 << 40;

/// One window function call.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCall {
    pub func: WindowFunc,
    /// Arguments over the input row (lag/lead: value, offset, default).
    pub args: Vec<Expr>,
    pub partition: Vec<Expr>,
    pub order: Vec<SortKey>,
    pub frame: Frame,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WindowFunc {
    RowNumber,
    Rank,
    DenseRank,
    Lag,
    Lead,
    /// An aggregate over the frame; its arguments are the call's.
    Aggregate(AggFunc, Option<DataType>),
}

/// Which rows of the partition an aggregate sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// RANGE UNBOUNDED PRECEDING to CURRENT ROW: up to the last peer.
    ToPeers,
    /// ROWS UNBOUNDED PRECEDING to CURRENT ROW.
    ToRow,
    /// UNBOUNDED PRECEDING to UNBOUNDED FOLLOWING.
    Whole,
}

/// The window calls of the query being bound.
#[derive(Debug, Default, Clone)]
pub struct WindowCollector {
    pub calls: Vec<WindowCall>,
    /// Binding a window call's arguments (no window call may nest there).
    pub inside: bool,
}

/// Binds `name(args) OVER (…)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn bind(
    b: &mut Binder,
    name: &str,
    over: &ast::WindowType,
    args: &[&ast::Expr],
    star: bool,
    distinct: bool,
    filter: bool,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Bound> {
    if matches!(mode, AggMode::Forbidden("aggregate function calls")) {
        return Err(SqlError::new(
            code::GROUPING_ERROR,
            "aggregate function calls cannot contain window function calls",
        ));
    }
    let clause = match (&b.windows, &*mode) {
        (Some(w), _) if w.inside => Some("window function calls cannot be nested".to_owned()),
        (Some(_), _) => None,
        (None, AggMode::Forbidden(clause)) => {
            Some(format!("window functions are not allowed in {clause}"))
        }
        (None, AggMode::Grouped(_)) => Some("window functions are not allowed here".to_owned()),
    };
    if let Some(message) = clause {
        return Err(SqlError::new(WINDOWING_ERROR, message));
    }
    let ast::WindowType::WindowSpec(spec) = over else {
        return Err(SqlError::unsupported("named windows"));
    };
    if spec.window_name.is_some() {
        return Err(SqlError::unsupported("named windows"));
    }
    if distinct {
        return Err(SqlError::unsupported(
            "DISTINCT in window functions is not implemented;",
        ));
    }
    if filter {
        return Err(SqlError::unsupported("FILTER on window functions"));
    }
    set_inside(b, true);
    let call = bind_call(b, name, spec, args, star, scope, mode);
    set_inside(b, false);
    let (call, ty) = call?;
    let w = b
        .windows
        .as_mut()
        .ok_or_else(|| SqlError::internal("window calls vanished"))?;
    let index = match w.calls.iter().position(|c| *c == call) {
        Some(i) => i,
        None => {
            w.calls.push(call);
            w.calls.len() - 1
        }
    };
    Ok(Bound {
        expr: Expr::Column(RESULT_BASE + index),
        ty: Ty::Known(ty),
    })
}

fn set_inside(b: &mut Binder, inside: bool) {
    if let Some(w) = b.windows.as_mut() {
        w.inside = inside;
    }
}

fn bind_call(
    b: &mut Binder,
    name: &str,
    spec: &ast::WindowSpec,
    args: &[&ast::Expr],
    star: bool,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<(WindowCall, DataType)> {
    let mut partition = Vec::new();
    for p in &spec.partition_by {
        let x = b.bind(p, scope, mode)?;
        let ty = x.ty.resolved();
        partition.push(b.coerce(x, ty)?);
    }
    let mut order = Vec::new();
    for o in &spec.order_by {
        let x = b.bind(&o.expr, scope, mode)?;
        let ty = x.ty.resolved();
        let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
        order.push(SortKey {
            expr: b.coerce(x, ty)?,
            descending,
            nulls_first: o.options.nulls_first.unwrap_or(descending),
        });
    }
    let frame = frame(spec.window_frame.as_ref())?;
    let no_args = |func: WindowFunc| -> SqlResult<(WindowFunc, Vec<Expr>, DataType)> {
        if !args.is_empty() || star {
            return Err(no_function(name));
        }
        Ok((func, Vec::new(), DataType::BigInt))
    };
    let (func, exprs, ty) = match name {
        "row_number" => no_args(WindowFunc::RowNumber)?,
        "rank" => no_args(WindowFunc::Rank)?,
        "dense_rank" => no_args(WindowFunc::DenseRank)?,
        "lag" | "lead" => {
            if args.is_empty() || args.len() > 3 || star {
                return Err(no_function(name));
            }
            let value = b.bind(args[0], scope, mode)?;
            let mut exprs = Vec::new();
            let default = args.get(2).map(|d| b.bind(d, scope, mode)).transpose()?;
            let mut tys = vec![value.ty];
            tys.extend(default.iter().map(|d| d.ty));
            let ty = b.common(&tys, name)?;
            exprs.push(b.coerce(value, ty)?);
            exprs.push(match args.get(1) {
                Some(o) => {
                    let o = b.bind(o, scope, mode)?;
                    b.coerce(o, DataType::Integer)?
                }
                None => Expr::Literal(Value::Integer(1)),
            });
            exprs.push(match default {
                Some(d) => b.coerce(d, ty)?,
                None => Expr::Literal(Value::Null),
            });
            let func = if name == "lag" {
                WindowFunc::Lag
            } else {
                WindowFunc::Lead
            };
            (func, exprs, ty)
        }
        _ => match AggFunc::from_name(name) {
            Some(agg) => aggregate(b, agg, name, args, star, scope, mode)?,
            None if matches!(
                name,
                "ntile" | "percent_rank" | "cume_dist" | "first_value" | "last_value" | "nth_value"
            ) =>
            {
                return Err(SqlError::unsupported(format!("the window function {name}")));
            }
            None => {
                return Err(SqlError::new(
                    code::WRONG_OBJECT_TYPE,
                    format!(
                        "OVER specified, but {name} is not a window function nor an aggregate function"
                    ),
                ));
            }
        },
    };
    Ok((
        WindowCall {
            func,
            args: exprs,
            partition,
            order,
            frame,
        },
        ty,
    ))
}

fn aggregate(
    b: &mut Binder,
    agg: AggFunc,
    name: &str,
    args: &[&ast::Expr],
    star: bool,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<(WindowFunc, Vec<Expr>, DataType)> {
    if star {
        if agg != AggFunc::Count || !args.is_empty() {
            return Err(SqlError::syntax(format!(
                "{name}(*) is only valid for count"
            )));
        }
        return Ok((
            WindowFunc::Aggregate(AggFunc::CountStar, None),
            Vec::new(),
            DataType::BigInt,
        ));
    }
    let expected = if agg == AggFunc::StringAgg { 2 } else { 1 };
    if args.len() != expected {
        return Err(no_function(name));
    }
    let mut exprs = Vec::new();
    let mut arg_ty = None;
    for (i, a) in args.iter().enumerate() {
        let x = b.bind(a, scope, mode)?;
        let ty = if i == 0 {
            if x.ty == Ty::Unknown && matches!(agg, AggFunc::Sum | AggFunc::Avg) {
                return Err(SqlError::new(
                    "42725",
                    format!("function {name}(unknown) is not unique"),
                ));
            }
            let t = x.ty.resolved();
            arg_ty = Some(t);
            t
        } else {
            DataType::Text
        };
        exprs.push(b.coerce(x, ty)?);
    }
    let ty = agg.result_type(arg_ty).ok_or_else(|| {
        SqlError::new(
            code::UNDEFINED_FUNCTION,
            format!(
                "function {name}({}) does not exist",
                arg_ty.map(|t| t.sql_name()).unwrap_or_default()
            ),
        )
    })?;
    Ok((WindowFunc::Aggregate(agg, arg_ty), exprs, ty))
}

fn no_function(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_FUNCTION,
        format!("function {name} with these arguments does not exist"),
    )
}

/// The frame of an OVER clause: the default, or one of the supported
/// explicit ones.
fn frame(f: Option<&ast::WindowFrame>) -> SqlResult<Frame> {
    use ast::WindowFrameBound as W;
    let Some(f) = f else {
        return Ok(Frame::ToPeers);
    };
    let end = f.end_bound.as_ref().unwrap_or(&W::CurrentRow);
    match (&f.units, &f.start_bound, end) {
        (ast::WindowFrameUnits::Range, W::Preceding(None), W::CurrentRow) => Ok(Frame::ToPeers),
        (ast::WindowFrameUnits::Rows, W::Preceding(None), W::CurrentRow) => Ok(Frame::ToRow),
        (_, W::Preceding(None), W::Following(None)) => Ok(Frame::Whole),
        _ => Err(SqlError::unsupported(format!(
            "the window frame {} {} (only UNBOUNDED PRECEDING to CURRENT ROW or UNBOUNDED FOLLOWING is)",
            f.units, f.start_bound
        ))),
    }
}

/// `e` with window result columns renumbered to follow `base` input columns.
pub fn renumber(e: &Expr, base: usize) -> Expr {
    super::planner::map_columns(e, &|i| {
        if i >= RESULT_BASE {
            base + (i - RESULT_BASE)
        } else {
            i
        }
    })
}

/// Appends each call's result to every row.
pub(crate) fn evaluate(
    mut rows: Vec<Vec<Value>>,
    calls: &[WindowCall],
    ctx: &Arc<ExecContext>,
) -> SqlResult<Vec<Vec<Value>>> {
    let ev = ctx.eval();
    for call in calls {
        ctx.interrupt.check()?;
        let results = compute(&rows, call, &ev)?;
        for (row, v) in rows.iter_mut().zip(results) {
            row.push(v);
        }
    }
    Ok(rows)
}

/// One call's result for each row.
fn compute(rows: &[Vec<Value>], call: &WindowCall, ev: &EvalContext) -> SqlResult<Vec<Value>> {
    let mut partitions: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut order_values = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let key = call
            .partition
            .iter()
            .map(|e| e.eval(row, ev))
            .collect::<SqlResult<Vec<_>>>()?;
        let p = *index.entry(row_key(&key)).or_insert_with(|| {
            partitions.push(Vec::new());
            partitions.len() - 1
        });
        partitions[p].push(i);
        order_values.push(
            call.order
                .iter()
                .map(|k| k.expr.eval(row, ev))
                .collect::<SqlResult<Vec<_>>>()?,
        );
    }
    let mut out = vec![Value::Null; rows.len()];
    for mut part in partitions {
        let cmp = |a: &usize, b: &usize| {
            compare_sort_values(&order_values[*a], &order_values[*b], &call.order)
        };
        part.sort_by(cmp);
        // Peer groups: [start, end) ranges of rows equal in the ORDER BY.
        let mut groups = Vec::new();
        let mut start = 0;
        for p in 1..=part.len() {
            if p == part.len() || cmp(&part[p - 1], &part[p]) != Ordering::Equal {
                groups.push((start, p));
                start = p;
            }
        }
        match &call.func {
            WindowFunc::RowNumber => {
                for (p, &i) in part.iter().enumerate() {
                    out[i] = Value::BigInt(p as i64 + 1);
                }
            }
            WindowFunc::Rank | WindowFunc::DenseRank => {
                for (g, &(s, e)) in groups.iter().enumerate() {
                    let rank = if call.func == WindowFunc::Rank {
                        s + 1
                    } else {
                        g + 1
                    };
                    for &i in &part[s..e] {
                        out[i] = Value::BigInt(rank as i64);
                    }
                }
            }
            WindowFunc::Lag | WindowFunc::Lead => {
                for (p, &i) in part.iter().enumerate() {
                    let offset = match call.args[1].eval(&rows[i], ev)? {
                        Value::Integer(n) => i64::from(n),
                        _ => continue, // a NULL offset gives NULL
                    };
                    let offset = if call.func == WindowFunc::Lag {
                        -offset
                    } else {
                        offset
                    };
                    let target = p as i64 + offset;
                    out[i] = if (0..part.len() as i64).contains(&target) {
                        call.args[0].eval(&rows[part[target as usize]], ev)?
                    } else {
                        call.args[2].eval(&rows[i], ev)?
                    };
                }
            }
            WindowFunc::Aggregate(func, arg_type) => {
                let agg = AggCall {
                    func: *func,
                    args: call.args.clone(),
                    distinct: false,
                };
                let mut acc = Accumulator::new(&agg, *arg_type);
                let add = |acc: &mut Accumulator, i: usize| -> SqlResult<()> {
                    let args = agg
                        .args
                        .iter()
                        .map(|a| a.eval(&rows[i], ev))
                        .collect::<SqlResult<Vec<_>>>()?;
                    acc.add(&args, ev)
                };
                match call.frame {
                    Frame::Whole => {
                        for &i in &part {
                            add(&mut acc, i)?;
                        }
                        let v = acc.finish()?;
                        for &i in &part {
                            out[i] = v.clone();
                        }
                    }
                    Frame::ToRow => {
                        for &i in &part {
                            add(&mut acc, i)?;
                            out[i] = acc.clone().finish()?;
                        }
                    }
                    Frame::ToPeers => {
                        for &(s, e) in &groups {
                            for &i in &part[s..e] {
                                add(&mut acc, i)?;
                            }
                            let v = acc.clone().finish()?;
                            for &i in &part[s..e] {
                                out[i] = v.clone();
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SessionTimeZone;

    fn call(func: WindowFunc, args: Vec<Expr>, frame: Frame) -> WindowCall {
        WindowCall {
            func,
            args,
            partition: vec![Expr::Column(0)],
            order: vec![SortKey {
                expr: Expr::Column(1),
                descending: false,
                nulls_first: false,
            }],
            frame,
        }
    }

    fn results(c: &WindowCall) -> Vec<Value> {
        let tz = SessionTimeZone::utc();
        let ev = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        // (partition, order value), deliberately out of order, with a tie.
        let rows: Vec<Vec<Value>> = [(1, 20), (2, 5), (1, 10), (1, 20), (1, 30)]
            .iter()
            .map(|(p, v)| vec![Value::Integer(*p), Value::Integer(*v)])
            .collect();
        compute(&rows, c, &ev).unwrap()
    }

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|n| Value::BigInt(*n)).collect()
    }

    #[test]
    fn ranks_count_peers_like_postgres() {
        let rank = call(WindowFunc::Rank, vec![], Frame::ToPeers);
        assert_eq!(results(&rank), ints(&[2, 1, 1, 2, 4]));
        let dense = call(WindowFunc::DenseRank, vec![], Frame::ToPeers);
        assert_eq!(results(&dense), ints(&[2, 1, 1, 2, 3]));
    }

    #[test]
    fn the_default_frame_ends_at_the_last_peer() {
        let sum = |frame| {
            call(
                WindowFunc::Aggregate(AggFunc::Sum, Some(DataType::Integer)),
                vec![Expr::Column(1)],
                frame,
            )
        };
        // Partition 1 sorted: 10, 20, 20, 30.
        assert_eq!(results(&sum(Frame::ToPeers)), ints(&[50, 5, 10, 50, 80]));
        assert_eq!(results(&sum(Frame::Whole)), ints(&[80, 5, 80, 80, 80]));
    }

    #[test]
    fn lag_reads_the_previous_row_or_the_default() {
        let lag = call(
            WindowFunc::Lag,
            vec![
                Expr::Column(1),
                Expr::Literal(Value::Integer(1)),
                Expr::Literal(Value::Integer(-1)),
            ],
            Frame::ToPeers,
        );
        let got = results(&lag);
        assert_eq!(got[2], Value::Integer(-1)); // first of partition 1
        assert_eq!(got[1], Value::Integer(-1)); // alone in partition 2
        assert_eq!(got[4], Value::Integer(20));
    }
}
