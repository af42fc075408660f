//! Narrow scans: the rows of a (filtered) table or index scan with only the
//! columns an aggregate over them reads decoded, the others NULL.
//!
//! A segment row decodes column by column, TEXT into fresh strings; a
//! `count(*)` over `WHERE <indexed part> AND c.id IN (…) AND NOT EXISTS
//! (…)` needs `id` alone. Under [`Plan::Aggregate`] nothing else sees the
//! rows, so the unread columns are never decoded; under a projection (with
//! LIMITs and sorts between) only the projection, the sort keys and the
//! filter see them.

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

/// The note EXPLAIN ANALYZE shows on a node read narrowly.
const NARROW_READ_NOTE: &str = "Narrow Read: only the columns used decoded";

/// A `[Filter] (Scan | IndexScan)`, the shape a narrow read takes.
struct ScanShape<'p> {
    scan: &'p Plan,
    predicate: Option<&'p Expr>,
    table: crate::catalog::TableId,
    index: Option<&'p Expr>,
}

impl<'p> ScanShape<'p> {
    fn of(input: &'p Plan) -> Option<Self> {
        let (scan, predicate) = match input {
            Plan::Filter { input, predicate } => (input.as_ref(), Some(predicate)),
            other => (other, None),
        };
        let (table, index) = match scan {
            Plan::Scan { table } => (*table, None),
            Plan::IndexScan { table, index } => (*table, Some(index)),
            _ => return None,
        };
        Some(ScanShape {
            scan,
            predicate,
            table,
            index,
        })
    }
}

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
    let reads = keys.iter().chain(aggs.iter().flat_map(|a| &a.args));
    match needed_columns(input, reads, ctx)? {
        Some(needed) => read(input, &needed, ctx),
        None => Ok(None),
    }
}

/// Under a projection of `exprs` over `input` — any LIMITs and sorts over
/// a `[Filter] (Scan | IndexScan)` — that scan and the columns the
/// projection, the sort keys and the filter read: nothing between them
/// looks at the others, so the scan may leave them undecoded (NULL).
pub fn projection_scan<'p>(
    input: &'p Plan,
    exprs: &[Expr],
    ctx: &Arc<ExecContext>,
) -> SqlResult<Option<(&'p Plan, Vec<bool>)>> {
    let mut reads: Vec<&Expr> = exprs.iter().collect();
    let mut node = input;
    loop {
        match node {
            Plan::Limit { input, .. } => node = input,
            Plan::Sort { input, keys } => {
                reads.extend(keys.iter().map(|k| &k.expr));
                node = input;
            }
            _ => break,
        }
    }
    Ok(needed_columns(node, reads.into_iter(), ctx)?.map(|needed| (node, needed)))
}

/// The columns of `input`'s table that `reads` and `input`'s filter read;
/// None when `input` is not `[Filter] (Scan | IndexScan)`, an expression
/// does not say what it reads, or every column is read anyway.
fn needed_columns<'e>(
    input: &'e Plan,
    reads: impl Iterator<Item = &'e Expr>,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Option<Vec<bool>>> {
    let Some(shape) = ScanShape::of(input) else {
        return Ok(None);
    };
    let def = ctx.version.table_def(shape.table)?;
    let mut needed = vec![false; def.columns.len()];
    for e in reads.chain(shape.predicate) {
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
    Ok(Some(needed))
}

/// The rows of `input`, `[Filter] (Scan | IndexScan)`, with only the
/// `needed` columns decoded (the others NULL); None for another shape, and
/// over an index scan when bitmap scans are off (the narrow read selects
/// with the bitmaps).
pub fn read(input: &Plan, needed: &[bool], ctx: &Arc<ExecContext>) -> SqlResult<Option<Rows>> {
    let Some(ScanShape {
        scan,
        predicate,
        table,
        index,
    }) = ScanShape::of(input)
    else {
        return Ok(None);
    };
    if index.is_some() && !ctx.use_indexes {
        return Ok(None);
    }
    let def = ctx.version.table_def(table)?;
    if needed.len() != def.columns.len() {
        return Ok(None);
    }
    let needed = needed.to_vec();
    // Rows end at the last column read: the columns after it would only
    // be NULLs written and dropped (a customer row is 18 values wide).
    let width = needed.iter().rposition(|n| *n).map_or(0, |last| last + 1);
    let selection = index_plan::select(table, index, ctx)?;
    if let Some(profile) = &ctx.profile {
        profile.note(input, NARROW_READ_NOTE.into());
        if index.is_some() {
            profile.note(scan, index_plan::describe_selection(&selection));
        }
    }
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
                needed[..width]
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
    let mut unfiltered: Rows = Box::new(segment_rows.chain(memtable_rows).map(Ok));
    // EXPLAIN ANALYZE: the scan under a filter counts what it read, so
    // that the filter shows the rows it removed.
    if predicate.is_some()
        && let Some((profile, key)) = ctx.profile.as_ref().and_then(|p| Some((p, p.key(scan)?)))
    {
        unfiltered = profile.measure(key, unfiltered, std::time::Duration::ZERO);
    }
    let (ctx, predicate) = (ctx.clone(), predicate.cloned());
    let rows = unfiltered.enumerate().filter_map(move |(i, row)| {
        // Subqueries are built once a row needs them, together.
        if i == 0
            && let Some(p) = &predicate
        {
            p.warm_subqueries();
        }
        if i % CHECK_EVERY_ROWS == 0
            && let Err(e) = ctx.interrupt.check()
        {
            return Some(Err(e));
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
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
