//! The bitmap part of WHERE: planning which conjuncts of a single-table
//! filter the segments' indexes answer, and running them.
//!
//! [`push_down`] turns `Filter(Scan t, p)` into `Filter(IndexScan(t, q), r)`
//! where `q` is the AND of the conjuncts of `p` whose every leaf compares
//! an indexed column with a constant, and `r` the rest (evaluated only on
//! the rows `q` selects). At run time the constants are evaluated (they
//! may be parameters or `now()`), `q` becomes an [`index::Predicate`] and
//! a [`Selection`] finds its rows. `count(*)` and `count(*) … GROUP BY`
//! an indexed column over such a scan are answered from the bitmaps
//! without reading rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::{SqlError, SqlResult};
use super::executor::ExecContext;
use super::expr::{CmpOp, Expr};
use super::functions::aggregate::{AggCall, AggFunc};
use super::plan::Plan;
use crate::catalog::{Catalog, TableDef, TableId};
use crate::index::{CompareOp, Predicate};
use crate::row::encode_value;
use crate::selection::Selection;
use crate::types::{DataType, Value};
use crate::version::column_map;

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
            if matches!(e, Expr::And(..)) {
                Predicate::And(vec![a, b])
            } else {
                Predicate::Or(vec![a, b])
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
    let def = ctx.version.table_def(table)?;
    let predicate = match index {
        None => Predicate::And(Vec::new()),
        Some(index) => {
            let ev = ctx.eval();
            let mut eval = |e: &Expr| e.eval(&[], &ev);
            convert(index, &def.column_types(), &mut eval)?
                .ok_or_else(|| SqlError::internal("an index scan's predicate does not convert"))?
        }
    };
    ctx.interrupt.check()?;
    Ok(Selection::evaluate(
        def,
        ctx.version.table(table)?,
        &predicate,
    )?)
}

/// The rows of an index scan.
pub fn scan(
    table: TableId,
    index: &Expr,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Box<dyn Iterator<Item = SqlResult<Vec<Value>>> + Send>> {
    let selection = select(table, Some(index), ctx)?;
    let rows = selection.into_rows(ctx.version.clone(), table)?;
    let ctx = ctx.clone();
    Ok(Box::new(rows.enumerate().map(move |(i, (_, row))| {
        if i % 1024 == 0 {
            ctx.interrupt.check()?;
        }
        Ok(row.to_vec())
    })))
}

/// The rows of an aggregate answered from bitmaps: `count(*)`s, without
/// grouping or grouped by one column, over a table or index scan. None
/// when the aggregate is not of that shape.
pub fn aggregate(
    input: &Plan,
    keys: &[Expr],
    aggs: &[AggCall],
    ctx: &ExecContext,
) -> SqlResult<Option<Vec<Vec<Value>>>> {
    let (table, index) = match input {
        Plan::Scan { table } => (*table, None),
        Plan::IndexScan { table, index } => (*table, Some(index)),
        _ => return Ok(None),
    };
    let only_counts = aggs
        .iter()
        .all(|a| a.func == AggFunc::CountStar && !a.distinct);
    if !only_counts {
        return Ok(None);
    }
    let def = ctx.version.table_def(table)?;
    match keys {
        [] => {
            let n = select(table, index, ctx)?.count() as i64;
            Ok(Some(vec![vec![Value::BigInt(n); aggs.len()]]))
        }
        [Expr::Column(c)] if groupable(def, *c) => {
            let selection = select(table, index, ctx)?;
            let groups = count_groups(def, *c, &selection, ctx)?;
            Ok(Some(
                groups
                    .into_values()
                    .map(|(v, n)| {
                        let mut row = vec![v];
                        row.extend(std::iter::repeat_n(Value::BigInt(n as i64), aggs.len()));
                        row
                    })
                    .collect(),
            ))
        }
        _ => Ok(None),
    }
}

/// Columns whose equal values have equal encodings (so groups can be
/// keyed by encoding) and that carry value bitmaps when indexed.
fn groupable(def: &TableDef, c: usize) -> bool {
    matches!(
        def.columns.get(c).map(|col| col.ty),
        Some(DataType::Text | DataType::Boolean)
    ) && def.indexed_columns()[c]
}

/// Row counts per value of column `c` among the selected rows (NULL a
/// group of its own), keyed by the value's encoding.
fn count_groups(
    def: &TableDef,
    c: usize,
    selection: &Selection,
    ctx: &ExecContext,
) -> SqlResult<BTreeMap<Vec<u8>, (Value, u64)>> {
    let mut groups: BTreeMap<Vec<u8>, (Value, u64)> = BTreeMap::new();
    let mut add = |v: Value, n: u64| {
        if n == 0 {
            return;
        }
        let mut key = Vec::new();
        encode_value(&v, &mut key);
        groups.entry(key).or_insert((v, 0)).1 += n;
    };
    let data = ctx.version.table(def.id)?;
    let current = def.column_ids();
    for (seg, rows) in data.segments.iter().zip(&selection.segments) {
        ctx.interrupt.check()?;
        let segment = &seg.handle.segment;
        let map = column_map(&seg.handle.column_ids, &current);
        let Some(sc) = map[c] else {
            add(Value::Null, rows.len());
            continue;
        };
        match &segment.column_index(sc).values {
            Some(values) => {
                for (v, b) in values.groups() {
                    add(v.clone(), b.intersection_len(rows));
                }
                add(Value::Null, segment.nulls(sc).intersection_len(rows));
            }
            None => {
                for pos in rows {
                    add(segment.value(sc, pos), 1);
                }
            }
        }
    }
    for (_, row) in &selection.memtable {
        add(row.get(c).cloned().unwrap_or(Value::Null), 1);
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
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
