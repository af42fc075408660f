//! The bitmap part of WHERE: planning which conjuncts of a single-table
//! filter the segments' indexes answer, and running them.
//!
//! [`push_down`] turns `Filter(Scan t, p)` into `Filter(IndexScan(t, q), r)`
//! where `q` is the AND of the conjuncts of `p` whose every leaf compares
//! an indexed column with a constant, and `r` the rest (evaluated only on
//! the rows `q` selects). At run time the constants are evaluated (they
//! may be parameters or `now()`), `q` becomes an [`index::Predicate`] and
//! a [`Selection`] finds its rows (aggregates over such a scan are
//! sql/index_aggregate.rs's).

use std::sync::Arc;

use super::error::{SqlError, SqlResult};
use super::executor::ExecContext;
use super::expr::{CmpOp, Expr};
use super::plan::Plan;
use crate::catalog::{Catalog, TableId};
use crate::index::{CompareOp, Predicate};
use crate::selection::Selection;
use crate::types::{DataType, Value};

/// Rewrites a filter directly over a table scan to use the table's
/// indexes for the conjuncts they answer.
pub fn push_down(plan: Plan, catalog: &Catalog) -> Plan {
    let Plan::Filter { input, predicate } = plan else {
        return plan;
    };
    let Plan::Scan { table } = *input else {
        return Plan::Filter { input, predicate };
    };
    let Some(def) = catalog.table(table) else {
        return Plan::Filter {
            input: Box::new(Plan::Scan { table }),
            predicate,
        };
    };
    let indexed = def.indexed_columns();
    let types = def.column_types();
    let mut conjuncts = Vec::new();
    split_and(predicate, &mut conjuncts);
    let (index, rest): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(|c| {
        convert(c, &types, &mut |_| Ok(Value::Null)).is_ok_and(|p| {
            p.is_some_and(|p| !p.columns().is_empty() && p.columns().iter().all(|c| indexed[*c]))
        })
    });
    let input = match join_and(index) {
        Some(index) => Plan::IndexScan { table, index },
        None => Plan::Scan { table },
    };
    match join_and(rest) {
        Some(predicate) => Plan::Filter {
            input: Box::new(input),
            predicate,
        },
        None => input,
    }
}

fn split_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::And(a, b) => {
            split_and(*a, out);
            split_and(*b, out);
        }
        other => out.push(other),
    }
}

fn join_and(es: Vec<Expr>) -> Option<Expr> {
    es.into_iter()
        .reduce(|a, b| Expr::And(a.boxed(), b.boxed()))
}

/// Whether `e` reads no column of the row (a constant for the statement:
/// every function crmdb has is immutable or stable).
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Literal(_) | Expr::Param(_) => true,
        Expr::Column(_) => false,
        Expr::Not(a) | Expr::Neg(a) | Expr::IsNull(a) | Expr::IsBool(a, _) | Expr::Cast(a, _) => {
            is_constant(a)
        }
        Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::Concat(a, b)
        | Expr::NotDistinct(a, b) => is_constant(a) && is_constant(b),
        Expr::InList { expr, list } => is_constant(expr) && list.iter().all(is_constant),
        Expr::Like { expr, pattern, .. } => is_constant(expr) && is_constant(pattern),
        Expr::Case { whens, otherwise } => {
            whens.iter().all(|(c, v)| is_constant(c) && is_constant(v)) && is_constant(otherwise)
        }
        Expr::Call(_, args) => args.iter().all(is_constant),
        // Subqueries and outer rows are left to the filter.
        Expr::Outer { .. } | Expr::Subquery(_) | Expr::Runtime(_) => false,
    }
}

fn compare_op(op: CmpOp, flipped: bool) -> CompareOp {
    match (op, flipped) {
        (CmpOp::Eq, _) => CompareOp::Eq,
        (CmpOp::NotEq, _) => CompareOp::Ne,
        (CmpOp::Lt, false) | (CmpOp::Gt, true) => CompareOp::Lt,
        (CmpOp::LtEq, false) | (CmpOp::GtEq, true) => CompareOp::Le,
        (CmpOp::Gt, false) | (CmpOp::Lt, true) => CompareOp::Gt,
        (CmpOp::GtEq, false) | (CmpOp::LtEq, true) => CompareOp::Ge,
    }
}

/// `e` as a predicate over the table's columns (`types`), constants
/// evaluated by `eval`; None when some part is not a comparison of a
/// column with constants.
fn convert(
    e: &Expr,
    types: &[DataType],
    eval: &mut dyn FnMut(&Expr) -> SqlResult<Value>,
) -> SqlResult<Option<Predicate>> {
    let column = |e: &Expr| match e {
        Expr::Column(c) if *c < types.len() => Some(*c),
        _ => None,
    };
    Ok(Some(match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let (Some(a), Some(b)) = (convert(a, types, eval)?, convert(b, types, eval)?) else {
                return Ok(None);
            };
            // Flattened (both are associative, NULLs included), so that an
            // AND orders all its conjuncts by cost and pairs a column's
            // bounds into one range.
            let mut children = Vec::new();
            for child in [a, b] {
                match (child, e) {
                    (Predicate::And(cs), Expr::And(..)) | (Predicate::Or(cs), Expr::Or(..)) => {
                        children.extend(cs)
                    }
                    (child, _) => children.push(child),
                }
            }
            if matches!(e, Expr::And(..)) {
                Predicate::And(children)
            } else {
                Predicate::Or(children)
            }
        }
        Expr::Not(a) => match convert(a, types, eval)? {
            Some(p) => Predicate::Not(Box::new(p)),
            None => return Ok(None),
        },
        // A bare BOOLEAN column: true where it is true, NULL where NULL.
        Expr::Column(c) if column(e).is_some() && types[*c] == DataType::Boolean => {
            Predicate::Compare {
                column: *c,
                op: CompareOp::Eq,
                value: Value::Boolean(true),
            }
        }
        Expr::IsBool(a, want) if column(a).is_some_and(|c| types[c] == DataType::Boolean) => {
            let c = column(a).expect("checked");
            Predicate::And(vec![
                Predicate::IsNull {
                    column: c,
                    negated: true,
                },
                Predicate::Compare {
                    column: c,
                    op: CompareOp::Eq,
                    value: Value::Boolean(*want),
                },
            ])
        }
        Expr::IsNull(a) if column(a).is_some() => Predicate::IsNull {
            column: column(a).expect("checked"),
            negated: false,
        },
        Expr::Compare(op, a, b) => match (column(a), column(b)) {
            (Some(c), None) if is_constant(b) => Predicate::Compare {
                column: c,
                op: compare_op(*op, false),
                value: eval(b)?,
            },
            (None, Some(c)) if is_constant(a) => Predicate::Compare {
                column: c,
                op: compare_op(*op, true),
                value: eval(a)?,
            },
            _ => return Ok(None),
        },
        Expr::InList { expr, list } if column(expr).is_some() && list.iter().all(is_constant) => {
            Predicate::In {
                column: column(expr).expect("checked"),
                values: list.iter().map(&mut *eval).collect::<SqlResult<_>>()?,
            }
        }
        _ => return Ok(None),
    }))
}

/// The rows of `table` where `index` (an [`Plan::IndexScan`]'s predicate)
/// is true; None for the whole table.
pub fn select(table: TableId, index: Option<&Expr>, ctx: &ExecContext) -> SqlResult<Selection> {
    let predicate = predicate(table, index, ctx)?;
    ctx.interrupt.check()?;
    Ok(Selection::evaluate(
        ctx.version.table_def(table)?,
        ctx.version.table(table)?,
        &predicate,
    )?)
}

/// An index scan's predicate over `table`'s columns, its constants
/// evaluated; the empty AND (every row) for a whole-table scan.
pub fn predicate(table: TableId, index: Option<&Expr>, ctx: &ExecContext) -> SqlResult<Predicate> {
    let Some(index) = index else {
        return Ok(Predicate::And(Vec::new()));
    };
    let def = ctx.version.table_def(table)?;
    let ev = ctx.eval();
    let mut eval = |e: &Expr| e.eval(&[], &ev);
    convert(index, &def.column_types(), &mut eval)?
        .ok_or_else(|| SqlError::internal("an index scan's predicate does not convert"))
}

/// The rows of an index scan's selection, as the scan produces them.
pub fn rows(
    selection: Selection,
    table: TableId,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Box<dyn Iterator<Item = SqlResult<Vec<Value>>> + Send>> {
    let rows = selection.into_rows(ctx.version.clone(), table)?;
    let ctx = ctx.clone();
    Ok(Box::new(rows.enumerate().map(move |(i, (_, row))| {
        if i % 1024 == 0 {
            ctx.interrupt.check()?;
        }
        Ok(row.to_vec())
    })))
}

/// What EXPLAIN ANALYZE tells of how a selection was made.
pub fn describe_selection(s: &Selection) -> String {
    format!(
        "Segments: {}, Index Leaves: {} by index, {} by column scan; Memtable Rows Matched: {}",
        s.segments.len(),
        s.leaves.indexed,
        s.leaves.scanned,
        s.memtable.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::TableDef;
    use crate::sql::ddl::{CANONICAL_SCHEMA, add_segmentation_indexes, parse_create_tables};

    fn customers() -> (Catalog, Arc<TableDef>) {
        let mut catalog = Catalog::default();
        for mut def in parse_create_tables(CANONICAL_SCHEMA, &catalog).unwrap() {
            add_segmentation_indexes(&mut def);
            catalog.create_table(def).unwrap();
        }
        let def = catalog.table_by_name("customers").unwrap().clone();
        (catalog, def)
    }

    fn col(def: &TableDef, name: &str) -> Expr {
        Expr::Column(def.column_index(name).unwrap())
    }

    #[test]
    fn indexed_conjuncts_go_to_the_index_scan_and_the_rest_stays_a_filter() {
        let (catalog, def) = customers();
        let country = Expr::Compare(
            CmpOp::Eq,
            col(&def, "country").boxed(),
            Expr::Literal(Value::Text("DE".into())).boxed(),
        );
        let opted = Expr::Not(col(&def, "email_opt_in").boxed());
        let city = Expr::IsNull(col(&def, "city").boxed());
        let predicate = Expr::And(
            Expr::And(country.clone().boxed(), city.clone().boxed()).boxed(),
            opted.clone().boxed(),
        );
        let plan = push_down(
            Plan::Filter {
                input: Box::new(Plan::Scan { table: def.id }),
                predicate,
            },
            &catalog,
        );
        assert_eq!(
            plan,
            Plan::Filter {
                input: Box::new(Plan::IndexScan {
                    table: def.id,
                    index: Expr::And(country.boxed(), opted.boxed()),
                }),
                predicate: city,
            }
        );
    }

    #[test]
    fn a_filter_without_indexed_conjuncts_stays_a_scan() {
        let (catalog, def) = customers();
        let city = Expr::IsNull(col(&def, "city").boxed());
        let filter = Plan::Filter {
            input: Box::new(Plan::Scan { table: def.id }),
            predicate: city,
        };
        assert_eq!(push_down(filter.clone(), &catalog), filter);
    }
}
