//! Bound expressions: what the binder makes of SQL expressions, with every
//! column resolved to a position in the input row and every operand
//! coerced to its operator's type; and their evaluation with PostgreSQL's
//! NULL semantics.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::types::{DataType, SessionTimeZone, Value};

use super::error::{SqlError, SqlResult, code};
use super::functions::{self, Scalar};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl CmpOp {
    fn holds(self, ord: Ordering) -> bool {
        match self {
            CmpOp::Eq => ord == Ordering::Equal,
            CmpOp::NotEq => ord != Ordering::Equal,
            CmpOp::Lt => ord == Ordering::Less,
            CmpOp::LtEq => ord != Ordering::Greater,
            CmpOp::Gt => ord == Ordering::Greater,
            CmpOp::GtEq => ord != Ordering::Less,
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A bound expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    /// The value at this position of the input row.
    Column(usize),
    /// The value of parameter `$n+1`.
    Param(usize),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    IsNull(Box<Expr>),
    /// `IS TRUE` / `IS FALSE` (never NULL).
    IsBool(Box<Expr>, bool),
    /// `IS NOT DISTINCT FROM`: equality where NULL equals NULL.
    NotDistinct(Box<Expr>, Box<Expr>),
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        case_insensitive: bool,
    },
    /// `CASE WHEN c THEN v … ELSE e END`.
    Case {
        whens: Vec<(Expr, Expr)>,
        otherwise: Box<Expr>,
    },
    Cast(Box<Expr>, DataType),
    Call(Scalar, Vec<Expr>),
    /// A column of an enclosing query's row, `depth` subquery levels out
    /// (1: the query the subquery is in). The executor replaces it with the
    /// outer row's value before the subquery runs.
    Outer {
        depth: usize,
        index: usize,
    },
    /// A subquery in an expression, as planned.
    Subquery(Box<super::subquery::Subquery>),
    /// What the executor made of a subquery: bound to the running statement.
    Runtime(Runtime),
}

/// An expression evaluated by code the executor prepared (a subquery with
/// its cached result or hash table).
pub trait Evaluate: std::fmt::Debug + Send + Sync {
    fn eval(&self, row: &[Value], ctx: &EvalContext) -> SqlResult<Value>;

    /// The columns of the row that [`Self::eval`] reads; None when not
    /// known (then it may read any).
    fn columns_read(&self) -> Option<Vec<usize>> {
        None
    }

    /// Builds what [`Self::eval`] caches (a subquery's rows or id set)
    /// before a row needs it, so that several can be built at once; an
    /// error is left for `eval` to report.
    fn warm(&self) {}

    /// Whether [`Self::warm`] has something to build.
    fn is_cold(&self) -> bool {
        false
    }
}

/// A prepared [`Evaluate`]; equal only to itself.
#[derive(Debug, Clone)]
pub struct Runtime(pub Arc<dyn Evaluate>);

impl PartialEq for Runtime {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0), Arc::as_ptr(&other.0))
    }
}

/// What evaluation needs besides the row.
pub struct EvalContext<'a> {
    pub params: &'a [Value],
    pub time_zone: &'a SessionTimeZone,
    /// The statement's start, for now() and CURRENT_DATE.
    pub now: i64,
}

impl Expr {
    pub fn boxed(self) -> Box<Expr> {
        Box::new(self)
    }

    /// Evaluates the expression on `row`.
    pub fn eval(&self, row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
        // Bound expressions nest at most as deep as the parser allows; grow
        // the stack rather than overflow it on a small thread stack.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_inner(row, ctx))
    }

    fn eval_inner(&self, row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
        Ok(match self {
            Expr::Literal(v) => v.clone(),
            Expr::Column(i) => row
                .get(*i)
                .cloned()
                .ok_or_else(|| SqlError::internal(format!("column {i} out of range")))?,
            Expr::Param(i) => ctx.params.get(*i).cloned().ok_or_else(|| {
                SqlError::new(
                    code::UNDEFINED_PARAMETER,
                    format!("there is no parameter ${}", i + 1),
                )
            })?,
            Expr::Not(e) => match e.eval(row, ctx)? {
                Value::Boolean(b) => Value::Boolean(!b),
                _ => Value::Null,
            },
            Expr::Neg(e) => functions::negate(e.eval(row, ctx)?)?,
            Expr::And(a, b) => match a.eval(row, ctx)? {
                Value::Boolean(false) => Value::Boolean(false),
                left => match (left, b.eval(row, ctx)?) {
                    (_, Value::Boolean(false)) => Value::Boolean(false),
                    (Value::Boolean(true), Value::Boolean(true)) => Value::Boolean(true),
                    _ => Value::Null,
                },
            },
            Expr::Or(a, b) => match a.eval(row, ctx)? {
                Value::Boolean(true) => Value::Boolean(true),
                left => match (left, b.eval(row, ctx)?) {
                    (_, Value::Boolean(true)) => Value::Boolean(true),
                    (Value::Boolean(false), Value::Boolean(false)) => Value::Boolean(false),
                    _ => Value::Null,
                },
            },
            Expr::Compare(op, a, b) => {
                let (a, b) = (a.eval(row, ctx)?, b.eval(row, ctx)?);
                match compare(&a, &b) {
                    Some(ord) => Value::Boolean(op.holds(ord)),
                    None => Value::Null,
                }
            }
            Expr::Arith(op, a, b) => {
                functions::arith(*op, a.eval(row, ctx)?, b.eval(row, ctx)?, ctx)?
            }
            Expr::Concat(a, b) => {
                let (a, b) = (a.eval(row, ctx)?, b.eval(row, ctx)?);
                match (text_of(&a, ctx), text_of(&b, ctx)) {
                    (Some(x), Some(y)) => Value::Text(x + &y),
                    _ => Value::Null,
                }
            }
            Expr::IsNull(e) => Value::Boolean(e.eval(row, ctx)?.is_null()),
            Expr::IsBool(e, want) => Value::Boolean(e.eval(row, ctx)? == Value::Boolean(*want)),
            Expr::NotDistinct(a, b) => {
                let (a, b) = (a.eval(row, ctx)?, b.eval(row, ctx)?);
                Value::Boolean(match (a.is_null(), b.is_null()) {
                    (true, true) => true,
                    (false, false) => compare(&a, &b) == Some(Ordering::Equal),
                    _ => false,
                })
            }
            Expr::InList { expr, list } => {
                let v = expr.eval(row, ctx)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut saw_null = false;
                for item in list {
                    let x = item.eval(row, ctx)?;
                    match compare(&v, &x) {
                        Some(Ordering::Equal) => return Ok(Value::Boolean(true)),
                        Some(_) => {}
                        None => saw_null = true,
                    }
                }
                if saw_null {
                    Value::Null
                } else {
                    Value::Boolean(false)
                }
            }
            Expr::Like {
                expr,
                pattern,
                case_insensitive,
            } => match (expr.eval(row, ctx)?, pattern.eval(row, ctx)?) {
                (Value::Text(s), Value::Text(p)) => {
                    Value::Boolean(functions::like(&s, &p, *case_insensitive)?)
                }
                _ => Value::Null,
            },
            Expr::Case { whens, otherwise } => {
                for (cond, value) in whens {
                    if cond.eval(row, ctx)? == Value::Boolean(true) {
                        return value.eval(row, ctx);
                    }
                }
                otherwise.eval(row, ctx)?
            }
            Expr::Cast(e, ty) => functions::cast(e.eval(row, ctx)?, ty, ctx)?,
            Expr::Call(f, args) => functions::call(*f, args, row, ctx)?,
            Expr::Runtime(r) => r.0.eval(row, ctx)?,
            Expr::Outer { .. } | Expr::Subquery(_) => {
                return Err(SqlError::internal(
                    "subquery evaluated before it was prepared",
                ));
            }
        })
    }

    /// The expression rebuilt with `f` applied top-down: where `f` gives a
    /// replacement it is used as is, elsewhere the children are rebuilt.
    /// The plan of a subquery is not entered (its left operand of IN is).
    pub fn transform(
        &self,
        f: &mut dyn FnMut(&Expr) -> SqlResult<Option<Expr>>,
    ) -> SqlResult<Expr> {
        if let Some(e) = f(self)? {
            return Ok(e);
        }
        Ok(match self {
            Expr::Literal(_)
            | Expr::Column(_)
            | Expr::Param(_)
            | Expr::Outer { .. }
            | Expr::Runtime(_) => self.clone(),
            Expr::Not(a) => Expr::Not(a.transform(f)?.boxed()),
            Expr::Neg(a) => Expr::Neg(a.transform(f)?.boxed()),
            Expr::IsNull(a) => Expr::IsNull(a.transform(f)?.boxed()),
            Expr::IsBool(a, v) => Expr::IsBool(a.transform(f)?.boxed(), *v),
            Expr::Cast(a, ty) => Expr::Cast(a.transform(f)?.boxed(), *ty),
            Expr::And(a, b) => Expr::And(a.transform(f)?.boxed(), b.transform(f)?.boxed()),
            Expr::Or(a, b) => Expr::Or(a.transform(f)?.boxed(), b.transform(f)?.boxed()),
            Expr::Compare(op, a, b) => {
                Expr::Compare(*op, a.transform(f)?.boxed(), b.transform(f)?.boxed())
            }
            Expr::Arith(op, a, b) => {
                Expr::Arith(*op, a.transform(f)?.boxed(), b.transform(f)?.boxed())
            }
            Expr::Concat(a, b) => Expr::Concat(a.transform(f)?.boxed(), b.transform(f)?.boxed()),
            Expr::NotDistinct(a, b) => {
                Expr::NotDistinct(a.transform(f)?.boxed(), b.transform(f)?.boxed())
            }
            Expr::InList { expr, list } => Expr::InList {
                expr: expr.transform(f)?.boxed(),
                list: list
                    .iter()
                    .map(|x| x.transform(f))
                    .collect::<SqlResult<_>>()?,
            },
            Expr::Like {
                expr,
                pattern,
                case_insensitive,
            } => Expr::Like {
                expr: expr.transform(f)?.boxed(),
                pattern: pattern.transform(f)?.boxed(),
                case_insensitive: *case_insensitive,
            },
            Expr::Case { whens, otherwise } => Expr::Case {
                whens: whens
                    .iter()
                    .map(|(c, v)| Ok((c.transform(f)?, v.transform(f)?)))
                    .collect::<SqlResult<_>>()?,
                otherwise: otherwise.transform(f)?.boxed(),
            },
            Expr::Call(s, args) => Expr::Call(
                *s,
                args.iter()
                    .map(|x| x.transform(f))
                    .collect::<SqlResult<_>>()?,
            ),
            Expr::Subquery(s) => {
                let mut s = s.clone();
                if let super::subquery::SubqueryKind::In(x) = &mut s.kind {
                    *x = x.transform(f)?;
                }
                Expr::Subquery(s)
            }
        })
    }

    /// The columns of the row the expression reads (prepared subqueries
    /// included); None when some part does not say.
    pub fn columns_read(&self) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut known = true;
        self.visit(&mut |e| match e {
            Expr::Column(c) => out.push(*c),
            Expr::Runtime(r) => match r.0.columns_read() {
                Some(cs) => out.extend(cs),
                None => known = false,
            },
            // Unprepared: the planner's form, not evaluated as such.
            Expr::Subquery(_) => known = false,
            _ => {}
        });
        known.then_some(out)
    }

    /// Warms the prepared subqueries of the expression
    /// ([`Evaluate::warm`]), on as many threads as there are cores when
    /// there are several: a behavioral segment's id sets are independent.
    pub fn warm_subqueries(&self) {
        let mut found: Vec<Arc<dyn Evaluate>> = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Runtime(r) = e
                && r.0.is_cold()
            {
                found.push(r.0.clone());
            }
        });
        // One cold subquery is built by eval as well; none, nothing to do
        // (a plan rerun per outer row finds its subqueries warm).
        if found.len() < 2 {
            return;
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(found.len());
        std::thread::scope(|scope| {
            for t in 1..threads {
                let found = &found;
                scope.spawn(move || found.iter().skip(t).step_by(threads).for_each(|r| r.warm()));
            }
            found.iter().step_by(threads).for_each(|r| r.warm());
        });
    }

    /// Calls `f` on the expression and every sub-expression, top-down and
    /// in the order [`Self::transform`] takes them, without rebuilding
    /// anything (a subquery's plan is neither entered nor copied; its IN
    /// operand is visited).
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Literal(_)
            | Expr::Column(_)
            | Expr::Param(_)
            | Expr::Outer { .. }
            | Expr::Runtime(_) => {}
            Expr::Not(a)
            | Expr::Neg(a)
            | Expr::IsNull(a)
            | Expr::IsBool(a, _)
            | Expr::Cast(a, _) => a.visit(f),
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::Concat(a, b)
            | Expr::NotDistinct(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::InList { expr, list } => {
                expr.visit(f);
                list.iter().for_each(|x| x.visit(f));
            }
            Expr::Like { expr, pattern, .. } => {
                expr.visit(f);
                pattern.visit(f);
            }
            Expr::Case { whens, otherwise } => {
                for (c, v) in whens {
                    c.visit(f);
                    v.visit(f);
                }
                otherwise.visit(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|x| x.visit(f)),
            Expr::Subquery(s) => {
                if let super::subquery::SubqueryKind::In(x) = &s.kind {
                    x.visit(f);
                }
            }
        }
    }
}

/// The text form of a value, as `||` and casts to text use it.
pub fn text_of(v: &Value, ctx: &EvalContext) -> Option<String> {
    match v {
        Value::Text(s) => Some(s.clone()),
        other => crate::types::format_value(other, ctx.time_zone),
    }
}

/// SQL comparison of two non-NULL values of comparable types; None when
/// either is NULL. Floats order NaN above everything, as PostgreSQL does;
/// text compares by bytes (the C collation).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    a.sql_cmp(b)
}

/// Sort order of values including NULL (NULL sorts as the largest value).
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => compare(a, b).unwrap_or(Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `visit` meets the nodes `transform` meets, in the same order.
    #[test]
    fn visit_walks_what_transform_walks() {
        let c = |i| Expr::Column(i).boxed();
        let lit = |v: i32| Expr::Literal(Value::Integer(v));
        let e = Expr::And(
            Expr::Case {
                whens: vec![(
                    Expr::IsNull(c(0)),
                    Expr::Call(Scalar::Coalesce, vec![Expr::Column(1), lit(2)]),
                )],
                otherwise: Expr::Neg(c(3)).boxed(),
            }
            .boxed(),
            Expr::Or(
                Expr::InList {
                    expr: c(4),
                    list: vec![lit(5), Expr::Param(0)],
                }
                .boxed(),
                Expr::Like {
                    expr: c(6),
                    pattern: Expr::Literal(Value::Text("a%".into())).boxed(),
                    case_insensitive: false,
                }
                .boxed(),
            )
            .boxed(),
        );
        let mut visited = Vec::new();
        e.visit(&mut |x| visited.push(format!("{x:?}")));
        let mut transformed = Vec::new();
        e.transform(&mut |x| {
            transformed.push(format!("{x:?}"));
            Ok(None)
        })
        .unwrap();
        assert_eq!(visited.len(), 17);
        assert_eq!(visited, transformed);
    }
}
