//! [`Predicate`]: the part of a WHERE clause that bitmaps can answer — a
//! tree of comparisons between a column and constants, combined with
//! AND/OR/NOT — and its meaning on one row, in PostgreSQL's three-valued
//! logic. The bitmap evaluation (evaluate.rs) must agree with
//! [`Predicate::eval_row`] on every row; the property tests check that.

use std::cmp::Ordering;
use std::fmt;

use crate::types::Value;

/// Most nodes one predicate may have: evaluation is recursive.
pub const MAX_PREDICATE_NODES: usize = 10_000;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// Whether `ordering` (column value against constant) satisfies it.
    pub fn holds(self, ordering: Ordering) -> bool {
        match self {
            CompareOp::Eq => ordering == Ordering::Equal,
            CompareOp::Ne => ordering != Ordering::Equal,
            CompareOp::Lt => ordering == Ordering::Less,
            CompareOp::Le => ordering != Ordering::Greater,
            CompareOp::Gt => ordering == Ordering::Greater,
            CompareOp::Ge => ordering != Ordering::Less,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A predicate over a table's rows. `column` is a position in the table's
/// current columns; constants have the column's type (or are NULL), which
/// whoever builds the predicate ensures.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `column op value`.
    Compare {
        column: usize,
        op: CompareOp,
        value: Value,
    },
    /// `column IN (values)`.
    In {
        column: usize,
        values: Vec<Value>,
    },
    /// `column IS NULL`, or `IS NOT NULL` when `negated`.
    IsNull {
        column: usize,
        negated: bool,
    },
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    Not(Box<Predicate>),
}

impl Predicate {
    /// Number of nodes of the tree.
    pub fn nodes(&self) -> usize {
        match self {
            Predicate::And(ps) | Predicate::Or(ps) => 1 + ps.iter().map(Self::nodes).sum::<usize>(),
            Predicate::Not(p) => 1 + p.nodes(),
            _ => 1,
        }
    }

    /// The columns it reads, ascending, without repeats.
    pub fn columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_columns(&self, out: &mut Vec<usize>) {
        match self {
            Predicate::Compare { column, .. }
            | Predicate::In { column, .. }
            | Predicate::IsNull { column, .. } => out.push(*column),
            Predicate::And(ps) | Predicate::Or(ps) => {
                ps.iter().for_each(|p| p.collect_columns(out))
            }
            Predicate::Not(p) => p.collect_columns(out),
        }
    }

    /// The predicate on a row: `Some(true)`, `Some(false)`, or `None` for
    /// SQL's unknown (NULL). Columns past the row's end read as NULL.
    pub fn eval_row(&self, row: &[Value]) -> Option<bool> {
        let at = |c: &usize| row.get(*c).unwrap_or(&Value::Null);
        match self {
            Predicate::Compare { column, op, value } => compare(at(column), *op, value),
            Predicate::In { column, values } => in_list(at(column), values),
            Predicate::IsNull { column, negated } => Some(at(column).is_null() != *negated),
            Predicate::And(ps) => {
                let mut out = Some(true);
                for p in ps {
                    match p.eval_row(row) {
                        Some(false) => return Some(false),
                        None => out = None,
                        Some(true) => {}
                    }
                }
                out
            }
            Predicate::Or(ps) => {
                let mut out = Some(false);
                for p in ps {
                    match p.eval_row(row) {
                        Some(true) => return Some(true),
                        None => out = None,
                        Some(false) => {}
                    }
                }
                out
            }
            Predicate::Not(p) => p.eval_row(row).map(|b| !b),
        }
    }

    /// Writes it with column names from `names` (for EXPLAIN).
    pub fn display<'a>(&'a self, names: &'a [String]) -> impl fmt::Display + 'a {
        Shown(self, names)
    }
}

/// `v op c` in three-valued logic.
pub fn compare(v: &Value, op: CompareOp, c: &Value) -> Option<bool> {
    if v.is_null() || c.is_null() {
        return None;
    }
    v.sql_cmp(c).map(|o| op.holds(o))
}

/// `v IN (list)` in three-valued logic.
pub fn in_list(v: &Value, list: &[Value]) -> Option<bool> {
    if v.is_null() {
        return None;
    }
    let mut unknown = false;
    for c in list {
        match compare(v, CompareOp::Eq, c) {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown { None } else { Some(false) }
}

struct Shown<'a>(&'a Predicate, &'a [String]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.1;
        let name = |c: &usize| names.get(*c).map(String::as_str).unwrap_or("?");
        let join = |f: &mut fmt::Formatter<'_>, ps: &[Predicate], sep: &str| {
            write!(f, "(")?;
            for (i, p) in ps.iter().enumerate() {
                if i > 0 {
                    write!(f, " {sep} ")?;
                }
                write!(f, "{}", Shown(p, names))?;
            }
            write!(f, ")")
        };
        match self.0 {
            Predicate::Compare { column, op, value } => {
                write!(f, "{} {} {}", name(column), op.symbol(), literal(value))
            }
            Predicate::In { column, values } => {
                let list: Vec<String> = values.iter().map(literal).collect();
                write!(f, "{} IN ({})", name(column), list.join(", "))
            }
            Predicate::IsNull { column, negated } => {
                let not = if *negated { " NOT" } else { "" };
                write!(f, "{} IS{not} NULL", name(column))
            }
            Predicate::And(ps) => join(f, ps, "AND"),
            Predicate::Or(ps) => join(f, ps, "OR"),
            Predicate::Not(p) => write!(f, "NOT {}", Shown(p, names)),
        }
    }
}

/// A constant as EXPLAIN shows it.
fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        other => {
            let text = crate::types::format_value(other, &crate::types::SessionTimeZone::utc())
                .unwrap_or_default();
            match other {
                Value::Integer(_) | Value::BigInt(_) | Value::Numeric(_) | Value::Double(_) => text,
                _ => format!("'{}'", text.replace('\'', "''")),
            }
        }
    }
}
