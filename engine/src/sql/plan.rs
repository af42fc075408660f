//! Query plans: trees of relational operators over rows.

use crate::catalog::TableId;
use crate::types::DataType;

use super::error::SqlResult;
use super::expr::Expr;
use super::functions::aggregate::AggCall;
use super::window::WindowCall;

/// How a join keeps unmatched rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

/// UNION, INTERSECT or EXCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

/// One ORDER BY key over the input row.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: bool,
}

/// A relational operator. Each produces rows; `width` of its output is
/// known to the planner that built it.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// One row of no columns: the FROM of a SELECT without FROM.
    Single,
    /// Every row of a table, all columns in table order.
    Scan {
        table: TableId,
    },
    /// The rows of a table where `index` is true, found with the table's
    /// bitmap indexes (sql/index_plan.rs); all columns in table order.
    IndexScan {
        table: TableId,
        index: Expr,
    },
    /// Literal rows (VALUES).
    Values {
        rows: Vec<Vec<Expr>>,
    },
    Filter {
        input: Box<Plan>,
        predicate: Expr,
    },
    Project {
        input: Box<Plan>,
        exprs: Vec<Expr>,
    },
    /// A join; rows are the left row's columns followed by the right's.
    /// `equi` pairs (left key, right key) make it a hash join; `on` is the
    /// rest of the condition, over the combined row.
    Join {
        left: Box<Plan>,
        right: Box<Plan>,
        kind: JoinKind,
        equi: Vec<(Expr, Expr)>,
        on: Option<Expr>,
        left_width: usize,
        right_width: usize,
    },
    /// Groups by `keys` and computes `aggs`: rows are keys then aggregates.
    Aggregate {
        input: Box<Plan>,
        keys: Vec<Expr>,
        aggs: Vec<AggCall>,
        arg_types: Vec<Option<DataType>>,
    },
    Sort {
        input: Box<Plan>,
        keys: Vec<SortKey>,
    },
    /// Window functions: rows are the input's followed by one column per call.
    Window {
        input: Box<Plan>,
        calls: Vec<WindowCall>,
    },
    Distinct {
        input: Box<Plan>,
    },
    /// The first row of each group of rows equal in `keys` (DISTINCT ON).
    DistinctOn {
        input: Box<Plan>,
        keys: Vec<Expr>,
    },
    /// LIMIT and OFFSET, constant expressions evaluated when the plan runs.
    Limit {
        input: Box<Plan>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
    SetOperation {
        op: SetOp,
        all: bool,
        left: Box<Plan>,
        right: Box<Plan>,
    },
    /// WITH RECURSIVE: the anchor's rows, then the recursive term's run on
    /// the rows the previous run added (the work table `id`) until it adds
    /// none. Without `all`, rows already produced are not added again.
    RecursiveUnion {
        id: usize,
        all: bool,
        anchor: Box<Plan>,
        recursive: Box<Plan>,
    },
    /// The rows the recursive term reads: those the last run added.
    WorkTable {
        id: usize,
    },
}

impl Plan {
    /// Calls `f` on every expression of this plan's nodes (not entering
    /// the plans of subqueries inside them).
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        let _ = self.map_exprs(&mut |e| {
            f(e);
            Ok(e.clone())
        });
    }

    /// The plan with every expression of its nodes replaced by `f`'s.
    pub fn map_exprs(&self, f: &mut dyn FnMut(&Expr) -> SqlResult<Expr>) -> SqlResult<Plan> {
        let all = |es: &[Expr], f: &mut dyn FnMut(&Expr) -> SqlResult<Expr>| {
            es.iter().map(&mut *f).collect::<SqlResult<Vec<_>>>()
        };
        Ok(match self {
            Plan::Single | Plan::Scan { .. } | Plan::WorkTable { .. } => self.clone(),
            Plan::IndexScan { table, index } => Plan::IndexScan {
                table: *table,
                index: f(index)?,
            },
            Plan::RecursiveUnion {
                id,
                all: is_all,
                anchor,
                recursive,
            } => Plan::RecursiveUnion {
                id: *id,
                all: *is_all,
                anchor: Box::new(anchor.map_exprs(f)?),
                recursive: Box::new(recursive.map_exprs(f)?),
            },
            Plan::Values { rows } => Plan::Values {
                rows: rows.iter().map(|r| all(r, f)).collect::<SqlResult<_>>()?,
            },
            Plan::Filter { input, predicate } => Plan::Filter {
                input: Box::new(input.map_exprs(f)?),
                predicate: f(predicate)?,
            },
            Plan::Project { input, exprs } => Plan::Project {
                input: Box::new(input.map_exprs(f)?),
                exprs: all(exprs, f)?,
            },
            Plan::Join {
                left,
                right,
                kind,
                equi,
                on,
                left_width,
                right_width,
            } => Plan::Join {
                left: Box::new(left.map_exprs(f)?),
                right: Box::new(right.map_exprs(f)?),
                kind: *kind,
                equi: equi
                    .iter()
                    .map(|(a, b)| Ok((f(a)?, f(b)?)))
                    .collect::<SqlResult<_>>()?,
                on: on.as_ref().map(&mut *f).transpose()?,
                left_width: *left_width,
                right_width: *right_width,
            },
            Plan::Aggregate {
                input,
                keys,
                aggs,
                arg_types,
            } => Plan::Aggregate {
                input: Box::new(input.map_exprs(f)?),
                keys: all(keys, f)?,
                aggs: aggs
                    .iter()
                    .map(|a| {
                        Ok(AggCall {
                            args: all(&a.args, f)?,
                            ..a.clone()
                        })
                    })
                    .collect::<SqlResult<_>>()?,
                arg_types: arg_types.clone(),
            },
            Plan::Sort { input, keys } => Plan::Sort {
                input: Box::new(input.map_exprs(f)?),
                keys: map_keys(keys, f)?,
            },
            Plan::Window { input, calls } => Plan::Window {
                input: Box::new(input.map_exprs(f)?),
                calls: calls
                    .iter()
                    .map(|c| {
                        Ok(WindowCall {
                            args: all(&c.args, f)?,
                            partition: all(&c.partition, f)?,
                            order: map_keys(&c.order, f)?,
                            ..c.clone()
                        })
                    })
                    .collect::<SqlResult<_>>()?,
            },
            Plan::Distinct { input } => Plan::Distinct {
                input: Box::new(input.map_exprs(f)?),
            },
            Plan::DistinctOn { input, keys } => Plan::DistinctOn {
                input: Box::new(input.map_exprs(f)?),
                keys: all(keys, f)?,
            },
            Plan::Limit {
                input,
                limit,
                offset,
            } => Plan::Limit {
                input: Box::new(input.map_exprs(f)?),
                limit: limit.as_ref().map(&mut *f).transpose()?,
                offset: offset.as_ref().map(&mut *f).transpose()?,
            },
            Plan::SetOperation {
                op,
                all: is_all,
                left,
                right,
            } => Plan::SetOperation {
                op: *op,
                all: *is_all,
                left: Box::new(left.map_exprs(f)?),
                right: Box::new(right.map_exprs(f)?),
            },
        })
    }
}

fn map_keys(
    keys: &[SortKey],
    f: &mut dyn FnMut(&Expr) -> SqlResult<Expr>,
) -> SqlResult<Vec<SortKey>> {
    keys.iter()
        .map(|k| {
            Ok(SortKey {
                expr: f(&k.expr)?,
                ..k.clone()
            })
        })
        .collect()
}
