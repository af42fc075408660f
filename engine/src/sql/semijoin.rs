//! Hash semi-joins for subqueries correlated by equality:
//! `EXISTS (SELECT … FROM t WHERE t.k = outer.k AND rest)` and
//! `x IN (SELECT v FROM t WHERE t.k = outer.k AND rest)` run the
//! uncorrelated part (`t WHERE rest`) once, hash its rows by `t.k`, and
//! answer each outer row with a lookup of `outer.k` — instead of running
//! the subquery per outer row. Uncorrelated `IN` uses the same table with
//! no key.
//!
//! [`decorrelate`] finds the split; [`SemiJoinTable`] is the build and
//! probe side. A bitmap index on `t.k` could build the same table (or
//! answer [`SemiJoinTable::exists`]) without scanning.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use crate::types::Value;

use super::error::SqlResult;
use super::expr::{CmpOp, EvalContext, Expr};
use super::plan::Plan;
use super::subquery::{expr_reads_outer, reads_outer};

/// A correlated subquery split into its uncorrelated rows and the keys
/// that tie them to the outer row.
#[derive(Debug, Clone, PartialEq)]
pub struct Decorrelated {
    /// The subquery's rows without the correlating equalities.
    pub build: Plan,
    /// Keys over `build`'s rows …
    pub inner_keys: Vec<Expr>,
    /// … equal to these, over the outer row.
    pub outer_keys: Vec<Expr>,
    /// The subquery's value over `build`'s rows (for IN).
    pub value: Expr,
    /// Conditions over a `build` row that also read the outer row (as
    /// [`Expr::Outer`] references), checked per candidate row.
    pub residual: Option<Expr>,
}

/// A correlated scalar aggregate, `(SELECT agg(…) FROM … WHERE inner =
/// outer AND rest)`, split into one grouped aggregate over the
/// uncorrelated rows.
#[derive(Debug, Clone, PartialEq)]
pub struct DecorrelatedAggregate {
    /// Rows: the inner keys, then the aggregates.
    pub build: Plan,
    /// The aggregates over no rows (for outer rows without a group).
    pub empty: Plan,
    pub outer_keys: Vec<Expr>,
    pub key_count: usize,
    /// The subquery's value over the aggregates.
    pub value: Expr,
}

/// The correlating equalities of a WHERE: (inner keys, outer keys, the
/// uncorrelated rest, the conditions that read the outer row otherwise).
type Split = (Vec<Expr>, Vec<Expr>, Option<Expr>, Option<Expr>);

fn split_correlation(predicate: &Expr) -> Option<Split> {
    let mut conjuncts = Vec::new();
    super::planner::flatten_and(predicate.clone(), &mut conjuncts);
    let (mut inner_keys, mut outer_keys) = (Vec::new(), Vec::new());
    let (mut rest, mut residual) = (Vec::new(), Vec::new());
    for c in conjuncts {
        if let Expr::Compare(CmpOp::Eq, a, b) = &c {
            if let Some(outer) = outer_side(b).filter(|_| inner_side(a)) {
                inner_keys.push((**a).clone());
                outer_keys.push(outer);
                continue;
            }
            if let Some(outer) = outer_side(a).filter(|_| inner_side(b)) {
                inner_keys.push((**b).clone());
                outer_keys.push(outer);
                continue;
            }
        }
        if !expr_reads_outer(&c) {
            rest.push(c);
        } else if reads_only_next_row(&c) {
            residual.push(c);
        } else {
            return None;
        }
    }
    if inner_keys.is_empty() {
        return None;
    }
    let and = |v: Vec<Expr>| v.into_iter().reduce(|a, b| Expr::And(a.boxed(), b.boxed()));
    Some((inner_keys, outer_keys, and(rest), and(residual)))
}

/// Whether the outer references of `e` all read the row just outside
/// (none from a nested subquery).
fn reads_only_next_row(e: &Expr) -> bool {
    let mut ok = true;
    e.visit(&mut |x| match x {
        Expr::Outer { depth, .. } if *depth != 1 => ok = false,
        Expr::Subquery(_) | Expr::Runtime(_) => ok = false,
        _ => {}
    });
    ok
}

/// `plan` filtered by `predicate`, if any.
fn filtered(plan: &Plan, predicate: Option<Expr>) -> Plan {
    match predicate {
        None => plan.clone(),
        Some(predicate) => Plan::Filter {
            input: Box::new(plan.clone()),
            predicate,
        },
    }
}

/// Splits a scalar subquery of the form `SELECT f(aggregates) FROM … WHERE
/// inner = outer AND rest` (no GROUP BY, no other correlation).
pub fn decorrelate_aggregate(plan: &Plan) -> Option<DecorrelatedAggregate> {
    let (value, p) = projected_value(plan)?;
    let Plan::Aggregate {
        input,
        keys,
        aggs,
        arg_types,
    } = p
    else {
        return None;
    };
    let Plan::Filter { input, predicate } = input.as_ref() else {
        return None;
    };
    if !keys.is_empty() || expr_reads_outer(&value) {
        return None;
    }
    let (inner_keys, outer_keys, rest, None) = split_correlation(predicate)? else {
        return None;
    };
    let build_input = filtered(input, rest);
    if reads_outer(&build_input) || aggs.iter().any(|a| a.args.iter().any(expr_reads_outer)) {
        return None;
    }
    let key_count = inner_keys.len();
    Some(DecorrelatedAggregate {
        build: Plan::Aggregate {
            input: Box::new(build_input),
            keys: inner_keys,
            aggs: aggs.clone(),
            arg_types: arg_types.clone(),
        },
        empty: Plan::Aggregate {
            input: Box::new(Plan::Values { rows: Vec::new() }),
            keys: Vec::new(),
            aggs: aggs.clone(),
            arg_types: arg_types.clone(),
        },
        outer_keys,
        key_count,
        value,
    })
}

/// The first column of a plan's top projections, composed into one
/// expression over the input of the projections, and that input.
fn projected_value(plan: &Plan) -> Option<(Expr, &Plan)> {
    let Plan::Project { input, exprs } = plan else {
        return None;
    };
    let mut value = exprs.first()?.clone();
    let mut p = input.as_ref();
    // A cast of IN's column adds a projection over the query's own.
    while let Plan::Project { input, exprs } = p {
        value = value
            .transform(&mut |e| {
                Ok(match e {
                    Expr::Column(i) => Some(exprs.get(*i).cloned().ok_or_else(|| {
                        super::error::SqlError::internal("projection out of range")
                    })?),
                    _ => None,
                })
            })
            .ok()?;
        p = input;
    }
    Some((value, p))
}

/// Splits a subquery's plan of the form `[DISTINCT] SELECT value FROM …
/// WHERE inner = outer AND … AND rest` where `rest`, the FROM and the
/// value read no outer row, and each `outer` reads only the row just
/// outside. None when the plan has another form.
pub fn decorrelate(plan: &Plan) -> Option<Decorrelated> {
    let mut p = plan;
    if let Plan::Distinct { input } = p {
        p = input;
    }
    let (value, p) = projected_value(p)?;
    let Plan::Filter { input, predicate } = p else {
        return None;
    };
    let (inner_keys, outer_keys, rest, residual) = split_correlation(predicate)?;
    let build = filtered(input, rest);
    if reads_outer(&build) || expr_reads_outer(&value) {
        return None;
    }
    Some(Decorrelated {
        build,
        inner_keys,
        outer_keys,
        value,
        residual,
    })
}

/// An expression over the subquery's own row that reads no outer row.
fn inner_side(e: &Expr) -> bool {
    !expr_reads_outer(e)
}

/// An expression that reads only the row just outside (at least one
/// column of it), as an expression over that row.
fn outer_side(e: &Expr) -> Option<Expr> {
    let mut ok = true;
    let mut any = false;
    e.visit(&mut |x| match x {
        Expr::Outer { depth: 1, .. } => any = true,
        Expr::Column(_) | Expr::Outer { .. } | Expr::Subquery(_) | Expr::Runtime(_) => ok = false,
        _ => {}
    });
    if !(ok && any) {
        return None;
    }
    e.transform(&mut |x| {
        Ok(match x {
            Expr::Outer { index, .. } => Some(Expr::Column(*index)),
            _ => None,
        })
    })
    .ok()
}

/// The build side of a semi-join: the subquery's rows grouped by key,
/// with the values IN compares against.
#[derive(Debug, Default)]
pub struct SemiJoinTable {
    groups: HashMap<Vec<u8>, Group>,
}

#[derive(Debug, Default)]
struct Group {
    values: HashSet<Vec<u8>>,
    has_null: bool,
    /// The rows themselves, when a residual condition is checked per row.
    rows: Vec<Vec<Value>>,
}

impl SemiJoinTable {
    /// Hashes `rows` by `keys` (rows with a NULL key match nothing),
    /// keeping `value`'s results per key.
    pub fn build(
        rows: impl Iterator<Item = SqlResult<Vec<Value>>>,
        keys: &[Expr],
        value: Option<&Expr>,
        keep_rows: bool,
        ctx: &EvalContext,
    ) -> SqlResult<Self> {
        let mut table = SemiJoinTable::default();
        for row in rows {
            let row = row?;
            let key = keys
                .iter()
                .map(|k| k.eval(&row, ctx))
                .collect::<SqlResult<Vec<_>>>()?;
            if key.iter().any(Value::is_null) {
                continue;
            }
            let group = table.groups.entry(hash_key(&key)).or_default();
            if keep_rows {
                group.rows.push(row);
                continue;
            }
            if let Some(v) = value {
                match v.eval(&row, ctx)? {
                    Value::Null => group.has_null = true,
                    x => {
                        group.values.insert(hash_key(&[x]));
                    }
                }
            }
        }
        Ok(table)
    }

    /// EXISTS: whether any row has this key.
    pub fn exists(&self, key: &[Value]) -> bool {
        self.group(key).is_some()
    }

    /// `x IN (…)` among the rows with this key: TRUE if one equals `x`,
    /// else NULL if `x` or one of them is NULL, else FALSE (also for no
    /// rows).
    pub fn contains(&self, key: &[Value], x: &Value) -> Value {
        let Some(g) = self.group(key) else {
            return Value::Boolean(false);
        };
        if x.is_null() {
            return Value::Null;
        }
        if g.values.contains(&hash_key(std::slice::from_ref(x))) {
            Value::Boolean(true)
        } else if g.has_null {
            Value::Null
        } else {
            Value::Boolean(false)
        }
    }

    /// Like [`exists`](Self::exists) and [`contains`](Self::contains)
    /// among the rows (kept at build) for which `residual` — with the outer
    /// row's values already in it — is TRUE. `value` gives IN's value.
    pub fn probe_rows(
        &self,
        key: &[Value],
        residual: &Expr,
        value: Option<(&Expr, &Value)>,
        ctx: &EvalContext,
    ) -> SqlResult<Value> {
        let Some(g) = self.group(key) else {
            return Ok(Value::Boolean(false));
        };
        let mut result = Value::Boolean(false);
        for row in &g.rows {
            if residual.eval(row, ctx)? != Value::Boolean(true) {
                continue;
            }
            let Some((v, x)) = value else {
                return Ok(Value::Boolean(true));
            };
            let y = v.eval(row, ctx)?;
            match super::expr::compare(x, &y) {
                Some(Ordering::Equal) => return Ok(Value::Boolean(true)),
                Some(_) => {}
                None => result = Value::Null,
            }
        }
        Ok(result)
    }

    fn group(&self, key: &[Value]) -> Option<&Group> {
        if key.iter().any(Value::is_null) {
            return None;
        }
        self.groups.get(&hash_key(key))
    }
}

fn hash_key(values: &[Value]) -> Vec<u8> {
    super::executor::row_key(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SessionTimeZone;

    fn outer(i: usize) -> Box<Expr> {
        Expr::Outer { depth: 1, index: i }.boxed()
    }

    fn col(i: usize) -> Box<Expr> {
        Expr::Column(i).boxed()
    }

    #[test]
    fn equalities_with_the_outer_row_become_keys() {
        // SELECT c0 FROM scan WHERE c1 = outer.2 AND c0 > 5
        let rest = Expr::Compare(CmpOp::Gt, col(0), Expr::Literal(Value::Integer(5)).boxed());
        let plan = Plan::Project {
            input: Box::new(Plan::Filter {
                input: Box::new(Plan::Scan { table: 7 }),
                predicate: Expr::And(
                    Expr::Compare(CmpOp::Eq, col(1), outer(2)).boxed(),
                    rest.clone().boxed(),
                ),
            }),
            exprs: vec![Expr::Column(0)],
        };
        let d = decorrelate(&plan).expect("decorrelates");
        assert_eq!(d.residual, None);
        assert_eq!(d.inner_keys, vec![Expr::Column(1)]);
        assert_eq!(d.outer_keys, vec![Expr::Column(2)]);
        assert_eq!(d.value, Expr::Column(0));
        assert_eq!(
            d.build,
            Plan::Filter {
                input: Box::new(Plan::Scan { table: 7 }),
                predicate: rest,
            }
        );
    }

    #[test]
    fn other_correlations_do_not_decorrelate() {
        // WHERE c1 < outer.2: no equality to hash on.
        let plan = Plan::Project {
            input: Box::new(Plan::Filter {
                input: Box::new(Plan::Scan { table: 7 }),
                predicate: Expr::Compare(CmpOp::Lt, col(1), outer(2)),
            }),
            exprs: vec![Expr::Column(0)],
        };
        assert!(decorrelate(&plan).is_none());
        // An outer reference left in the value.
        let plan = Plan::Project {
            input: Box::new(Plan::Filter {
                input: Box::new(Plan::Scan { table: 7 }),
                predicate: Expr::Compare(CmpOp::Eq, col(1), outer(2)),
            }),
            exprs: vec![Expr::Arith(
                super::super::expr::ArithOp::Add,
                col(0),
                outer(0),
            )],
        };
        assert!(decorrelate(&plan).is_none());
    }

    #[test]
    fn in_follows_sql_null_rules() {
        let tz = SessionTimeZone::utc();
        let ctx = EvalContext {
            params: &[],
            time_zone: &tz,
            now: 0,
        };
        let rows = vec![
            Ok(vec![Value::BigInt(1), Value::Integer(10)]),
            Ok(vec![Value::BigInt(1), Value::Null]),
            Ok(vec![Value::BigInt(2), Value::Integer(20)]),
            Ok(vec![Value::Null, Value::Integer(30)]),
        ];
        let t = SemiJoinTable::build(
            rows.into_iter(),
            &[Expr::Column(0)],
            Some(&Expr::Column(1)),
            false,
            &ctx,
        )
        .unwrap();
        let k = |n: i64| [Value::BigInt(n)];
        assert!(t.exists(&k(1)) && t.exists(&k(2)) && !t.exists(&k(3)));
        assert!(!t.exists(&[Value::Null]));
        assert_eq!(t.contains(&k(1), &Value::Integer(10)), Value::Boolean(true));
        assert_eq!(t.contains(&k(1), &Value::Integer(11)), Value::Null);
        assert_eq!(
            t.contains(&k(2), &Value::Integer(11)),
            Value::Boolean(false)
        );
        assert_eq!(t.contains(&k(2), &Value::Null), Value::Null);
        assert_eq!(t.contains(&k(3), &Value::Null), Value::Boolean(false));
        assert_eq!(
            t.contains(&k(3), &Value::Integer(30)),
            Value::Boolean(false)
        );
    }
}
