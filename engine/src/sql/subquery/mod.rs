//! Subqueries in expressions: `(SELECT …)`, `EXISTS (…)`, `x IN (…)`,
//! `x = ANY (…)`, `x <> ALL (…)`, over any tables.
//!
//! A subquery is planned like any query, in a binder that also sees the
//! enclosing queries' columns: a name the subquery's own FROM does not
//! have resolves outwards, to an [`Expr::Outer`] reference (`depth`
//! levels out). The executor ([`exec`]) runs a subquery that reads no
//! outer row once; one correlated by equalities with the outer row as a
//! hash semi-join ([`super::semijoin`]); any other once per distinct outer
//! row, with the outer values substituted into its plan.

pub(crate) mod exec;

use sqlparser::ast::{self, BinaryOperator as B};

use crate::types::DataType;

use super::binder::{AggMode, Binder, Bound, Scope, Ty};
use super::error::{SqlError, SqlResult, code};
use super::expr::Expr;
use super::functions::Scalar;
use super::functions::system::SysFn;
use super::plan::Plan;
use super::planner::plan_subquery;

/// A planned subquery in an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub kind: SubqueryKind,
    /// Its rows; outer references are [`Expr::Outer`].
    pub plan: Plan,
}

/// What a subquery makes of its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum SubqueryKind {
    /// The only row's only column; NULL without rows; 21000 with more.
    Scalar,
    /// Whether there is a row.
    Exists,
    /// Whether the operand (over the outer row) equals a row's only
    /// column, with SQL's NULL rules (NOT IN is NOT of this).
    In(Expr),
}

/// Binds a subquery expression in `scope`.
pub(crate) fn bind(
    b: &mut Binder,
    e: &ast::Expr,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Bound> {
    // Subqueries over the system catalogs alone unroll into plain
    // expressions (see system::bind); the others are planned here.
    if b.system.is_some() && !matches!(e, ast::Expr::AnyOp { .. } | ast::Expr::AllOp { .. }) {
        match super::system::bind::subquery(b, e, scope, mode) {
            Err(err) if err.code == code::FEATURE_NOT_SUPPORTED => {}
            other => return other,
        }
    }
    let grouped = matches!(mode, AggMode::Grouped(_));
    let boolean = Ty::Known(DataType::Boolean);
    match e {
        ast::Expr::Subquery(q) => {
            let qp = plan_subquery(b, q, scope, grouped)?;
            if qp.columns.len() != 1 {
                return Err(SqlError::syntax("subquery must return only one column"));
            }
            Ok(Bound {
                expr: Expr::Subquery(Box::new(Subquery {
                    kind: SubqueryKind::Scalar,
                    plan: qp.plan,
                })),
                ty: Ty::Known(qp.columns[0].ty),
            })
        }
        ast::Expr::Exists { subquery, negated } => {
            let qp = plan_subquery(b, subquery, scope, grouped)?;
            let exists = Expr::Subquery(Box::new(Subquery {
                kind: SubqueryKind::Exists,
                plan: qp.plan,
            }));
            Ok(Bound {
                expr: negate(exists, *negated),
                ty: boolean,
            })
        }
        ast::Expr::InSubquery {
            expr,
            subquery,
            negated,
        } => in_subquery(b, expr, subquery, *negated, scope, mode, grouped),
        ast::Expr::AnyOp {
            left,
            compare_op: B::Eq,
            right,
            ..
        } => match right.as_ref() {
            ast::Expr::Subquery(q) => in_subquery(b, left, q, false, scope, mode, grouped),
            array => over_array(b, left, array, false, scope, mode),
        },
        ast::Expr::AllOp {
            left,
            compare_op: B::NotEq,
            right,
        } => match right.as_ref() {
            ast::Expr::Subquery(q) => in_subquery(b, left, q, true, scope, mode, grouped),
            array => over_array(b, left, array, true, scope, mode),
        },
        ast::Expr::AnyOp { compare_op, .. } => Err(SqlError::unsupported(format!(
            "{compare_op} ANY (…) (only = ANY is)"
        ))),
        ast::Expr::AllOp { compare_op, .. } => Err(SqlError::unsupported(format!(
            "{compare_op} ALL (…) (only <> ALL is)"
        ))),
        other => Err(SqlError::unsupported(format!("the subquery {other}"))),
    }
}

/// `x = ANY (array)` (or, negated, `x <> ALL (array)`) over an array in
/// its text form, as crmdb's arrays are (`current_schemas(true)`,
/// `'{a,b}'`): the operand's text is looked up among the elements.
fn over_array(
    b: &mut Binder,
    operand: &ast::Expr,
    array: &ast::Expr,
    negated: bool,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Bound> {
    let x = b.bind(operand, scope, mode)?;
    let x = b.text_operand(x)?;
    let a = b.bind(array, scope, mode)?;
    let a = b.text_operand(a)?;
    let test = Expr::Call(Scalar::System(SysFn::ArrayContains), vec![x, a]);
    Ok(Bound {
        expr: negate(test, negated),
        ty: Ty::Known(DataType::Boolean),
    })
}

fn negate(e: Expr, negated: bool) -> Expr {
    if negated { Expr::Not(e.boxed()) } else { e }
}

fn in_subquery(
    b: &mut Binder,
    operand: &ast::Expr,
    q: &ast::Query,
    negated: bool,
    scope: &Scope,
    mode: &mut AggMode,
    grouped: bool,
) -> SqlResult<Bound> {
    let x = b.bind(operand, scope, mode)?;
    let qp = plan_subquery(b, q, scope, grouped)?;
    if qp.columns.len() != 1 {
        return Err(SqlError::syntax("subquery has too many columns"));
    }
    let column = qp.columns[0].ty;
    let ty = b.common(&[x.ty, Ty::Known(column)], "IN").map_err(|_| {
        let left = match x.ty {
            Ty::Known(t) => t.sql_name(),
            Ty::Unknown => "unknown".into(),
        };
        SqlError::new(
            code::UNDEFINED_FUNCTION,
            format!("operator does not exist: {left} = {}", column.sql_name()),
        )
    })?;
    let x = b.coerce(x, ty)?;
    let plan = if column == ty {
        qp.plan
    } else {
        Plan::Project {
            input: Box::new(qp.plan),
            exprs: vec![Expr::Cast(Expr::Column(0).boxed(), ty)],
        }
    };
    let test = Expr::Subquery(Box::new(Subquery {
        kind: SubqueryKind::In(x),
        plan,
    }));
    Ok(Bound {
        expr: negate(test, negated),
        ty: Ty::Known(DataType::Boolean),
    })
}

/// Calls `f(k, index)` for every outer reference in `plan` (whose own
/// expressions are `level` subqueries deep) that leaves it: `k` = 0 reads
/// the row just outside, 1 the one around that, ….
pub fn outer_refs(plan: &Plan, level: usize, f: &mut dyn FnMut(usize, usize)) {
    plan.for_each_expr(&mut |e| expr_outer_refs(e, level, f));
}

fn expr_outer_refs(e: &Expr, level: usize, f: &mut dyn FnMut(usize, usize)) {
    e.visit(&mut |x| match x {
        Expr::Outer { depth, index } if *depth >= level => f(depth - level, *index),
        Expr::Subquery(s) => outer_refs(&s.plan, level + 1, f),
        _ => {}
    });
}

/// Whether `plan` (a subquery's, `level` 1) reads any enclosing row.
pub fn reads_outer(plan: &Plan) -> bool {
    let mut any = false;
    outer_refs(plan, 1, &mut |_, _| any = true);
    any
}

/// Whether an expression over a row reads an enclosing query's row.
pub fn expr_reads_outer(e: &Expr) -> bool {
    let mut any = false;
    expr_outer_refs(e, 1, &mut |_, _| any = true);
    any
}

/// A replacement for an outer reference: `(k, depth, index)` as in
/// [`outer_refs`] plus the reference's own depth; None keeps it.
type OuterMap<'a> = dyn FnMut(usize, usize, usize) -> Option<Expr> + 'a;

/// Replaces outer references that leave `plan` (`level` deep).
pub fn map_outer_refs(plan: &Plan, level: usize, f: &mut OuterMap) -> SqlResult<Plan> {
    plan.map_exprs(&mut |e| map_expr_outer_refs(e, level, f))
}

fn map_expr_outer_refs(e: &Expr, level: usize, f: &mut OuterMap) -> SqlResult<Expr> {
    e.transform(&mut |x| {
        Ok(match x {
            Expr::Outer { depth, index } if *depth >= level => f(depth - level, *depth, *index),
            Expr::Subquery(s) => {
                let mut s = s.clone();
                if let SubqueryKind::In(operand) = &mut s.kind {
                    *operand = map_expr_outer_refs(operand, level, f)?;
                }
                s.plan = map_outer_refs(&s.plan, level + 1, f)?;
                Some(Expr::Subquery(s))
            }
            _ => None,
        })
    })
}

/// The columns of the current row a subquery expression reads (through
/// outer references of depth 1 in its plan).
pub fn columns_read(s: &Subquery, out: &mut Vec<usize>) {
    outer_refs(&s.plan, 1, &mut |k, i| {
        if k == 0 {
            out.push(i)
        }
    });
}

/// The subquery with the current row's columns it reads renumbered by `f`.
pub fn map_columns_read(s: &Subquery, f: &dyn Fn(usize) -> usize) -> Subquery {
    let plan = map_outer_refs(&s.plan, 1, &mut |k, depth, i| {
        (k == 0).then(|| Expr::Outer { depth, index: f(i) })
    });
    Subquery {
        kind: s.kind.clone(),
        // Renumbering cannot fail: the closure never errs.
        plan: plan.unwrap_or_else(|_| s.plan.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SELECT … FROM scan WHERE c0 = <outer `depth`, `index`>
    fn filtered(depth: usize, index: usize) -> Plan {
        Plan::Filter {
            input: Box::new(Plan::Scan { table: 1 }),
            predicate: Expr::Compare(
                super::super::expr::CmpOp::Eq,
                Expr::Column(0).boxed(),
                Expr::Outer { depth, index }.boxed(),
            ),
        }
    }

    #[test]
    fn outer_references_are_counted_from_each_level() {
        // A subquery (level 1) holding a nested one (level 2) that reads
        // the row two levels out: from level 1 it leaves by one more level.
        let nested = Expr::Subquery(Box::new(Subquery {
            kind: SubqueryKind::Exists,
            plan: filtered(2, 7),
        }));
        let plan = Plan::Filter {
            input: Box::new(filtered(1, 3)),
            predicate: nested,
        };
        let mut seen = Vec::new();
        outer_refs(&plan, 1, &mut |k, i| seen.push((k, i)));
        seen.sort_unstable();
        assert_eq!(seen, vec![(0, 3), (0, 7)]);
        assert!(reads_outer(&plan));
        assert!(!reads_outer(&Plan::Scan { table: 1 }));
    }

    #[test]
    fn renumbering_reaches_nested_subqueries_at_their_depth() {
        let nested = Expr::Subquery(Box::new(Subquery {
            kind: SubqueryKind::Exists,
            plan: filtered(2, 7),
        }));
        let s = Subquery {
            kind: SubqueryKind::Scalar,
            plan: Plan::Filter {
                input: Box::new(filtered(1, 3)),
                predicate: nested,
            },
        };
        let moved = map_columns_read(&s, &|i| i + 100);
        let mut cols = Vec::new();
        columns_read(&moved, &mut cols);
        cols.sort_unstable();
        assert_eq!(cols, vec![103, 107]);
        // Depths are kept: the nested reference is still two levels out.
        let mut depths = Vec::new();
        moved.plan.for_each_expr(&mut |e| {
            e.visit(&mut |x| {
                if let Expr::Subquery(inner) = x {
                    inner.plan.for_each_expr(&mut |y| {
                        y.visit(&mut |z| {
                            if let Expr::Outer { depth, .. } = z {
                                depths.push(*depth)
                            }
                        })
                    });
                }
            })
        });
        assert_eq!(depths, vec![2]);
    }
}
