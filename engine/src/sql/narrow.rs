//! Narrow scans: the rows of a (filtered) table or index scan with only the
//! columns an aggregate over them reads decoded, the others NULL.
//!
//! A segment row decodes column by column, TEXT into fresh strings; a
//! `count(*)` over `WHERE <indexed part> AND c.id IN (…) AND NOT EXISTS
//! (…)` needs `id` alone. Under [`Plan::Aggregate`] nothing else sees the
//! rows, so the unread columns are never decoded.

use std::sync::Arc;

use super::error::SqlResult;
use super::executor::{ExecContext, Rows};
use super::expr::Expr;
use super::functions::aggregate::AggCall;
use super::index_plan;
use super::plan::Plan;
use crate::types::Value;
use crate::version::column_map;

/// How many rows go by between interrupt checks.
const CHECK_EVERY_ROWS: usize = 1024;

/// The rows of `input` — `[Filter] (Scan | IndexScan)` with a prepared
/// predicate — for an aggregate with `keys` and `aggs`, decoding only the
/// columns these and the filter read; None when the input has another
/// shape or some expression does not say what it reads.
pub fn aggregate_input(
    input: &Plan,
    keys: &[Expr],
    aggs: &[AggCall],
    ctx: &Arc<ExecContext>,
) -> SqlResult<Option<Rows>> {
    let (scan, predicate) = match input {
        Plan::Filter { input, predicate } => (input.as_ref(), Some(predicate)),
        other => (other, None),
    };
    let (table, index) = match scan {
        Plan::Scan { table } => (*table, None),
        Plan::IndexScan { table, index } => (*table, Some(index)),
        _ => return Ok(None),
    };
    let def = ctx.version.table_def(table)?;
    let mut needed = vec![false; def.columns.len()];
    let exprs = keys
        .iter()
        .chain(aggs.iter().flat_map(|a| &a.args))
        .chain(predicate);
    for e in exprs {
        let Some(columns) = e.columns_read() else {
            return Ok(None);
        };
        for c in columns {
            match needed.get_mut(c) {
                Some(n) => *n = true,
                None => return Ok(None),
            }
        }
    }
    // Narrowing pays only when it leaves columns out.
    if needed.iter().all(|n| *n) {
        return Ok(None);
    }

    let selection = index_plan::select(table, index, ctx)?;
    let data = ctx.version.table(table)?;
    let current = def.column_ids();
    // Per segment: its handle, where its columns are, the selected rows.
    let segments: Vec<_> = data
        .segments
        .iter()
        .zip(selection.segments)
        .map(|(seg, positions)| {
            let map = column_map(&seg.handle.column_ids, &current);
            (seg.handle.clone(), map, positions)
        })
        .collect();
    let segment_rows = segments
        .into_iter()
        .flat_map(move |(handle, map, positions)| {
            let needed = needed.clone();
            positions.into_iter().map(move |pos| {
                needed
                    .iter()
                    .zip(&map)
                    .map(|(n, sc)| match (n, sc) {
                        (true, Some(sc)) => handle.segment.value(*sc, pos),
                        _ => Value::Null,
                    })
                    .collect::<Vec<_>>()
            })
        });
    let memtable_rows = selection.memtable.into_iter().map(|(_, row)| row.to_vec());
    let (ctx, predicate) = (ctx.clone(), predicate.cloned());
    let rows = segment_rows
        .chain(memtable_rows)
        .enumerate()
        .filter_map(move |(i, row)| {
            if i % CHECK_EVERY_ROWS == 0
                && let Err(e) = ctx.interrupt.check()
            {
                return Some(Err(e));
            }
            match &predicate {
                None => Some(Ok(row)),
                Some(p) => match p.eval(&row, &ctx.eval()) {
                    Ok(Value::Boolean(true)) => Some(Ok(row)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                },
            }
        });
    Ok(Some(Box::new(rows)))
}
