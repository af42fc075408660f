//! Query plans: trees of relational operators over rows.

use crate::catalog::TableId;
use crate::types::DataType;

use super::expr::Expr;
use super::functions::aggregate::AggCall;

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
    Distinct {
        input: Box<Plan>,
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
}
