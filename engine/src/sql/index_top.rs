//! `ORDER BY col [DESC] … LIMIT n` straight over an index scan, where
//! `col` has a bit-sliced index: before any row is decoded, each segment's
//! selection is cut to the rows that can be among its first n in that
//! order — the column's index walked from the top slice (`Bsi::first`),
//! with the NULLs where the order puts them. A listing of the 50 most
//! valuable customers of a segment then decodes about 50 rows instead of
//! the 8,270 the bitmaps select. The sort above still orders what is left
//! and breaks the ties; memtable rows are all kept.

use std::cmp::Ordering;
use std::sync::Arc;

use super::error::SqlResult;
use super::executor::{ExecContext, Rows, project};
use super::expr::Expr;
use super::index_plan;
use super::plan::{Plan, SortKey};
use crate::version::column_map;

/// The rows of `scan` (an index scan, or a projection of one) that can be
/// among the first `wanted` in the order of `keys`, for a sort that keeps
/// only those; None when `scan` has another shape, indexes are off, or the
/// first key is not one of the table's columns.
pub fn rows(
    scan: &Plan,
    keys: &[SortKey],
    wanted: usize,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Option<Rows>> {
    let (index_scan, projection) = match scan {
        Plan::Project { input, exprs } => (input.as_ref(), Some(exprs)),
        other => (other, None),
    };
    let (Plan::IndexScan { table, index }, Some(first)) = (index_scan, keys.first()) else {
        return Ok(None);
    };
    let column = match (&first.expr, projection) {
        (Expr::Column(c), None) => *c,
        (Expr::Column(c), Some(exprs)) => match exprs.get(*c) {
            Some(Expr::Column(t)) => *t,
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    if !ctx.use_indexes {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let mut selection = index_plan::select(*table, Some(index), ctx)?;
    let def = ctx.version.table_def(*table)?;
    let data = ctx.version.table(*table)?;
    let current = def.column_ids();
    let which = if first.descending {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let k = wanted as u64;
    let mut cut = 0;
    for (seg, rows) in data.segments.iter().zip(selection.segments.iter_mut()) {
        let segment = &seg.handle.segment;
        // A segment without the column (all NULL) or its index keeps its
        // rows.
        let Some(sc) = column_map(&seg.handle.column_ids, &current)[column] else {
            continue;
        };
        let Some(bsi) = &segment.column_index(sc).bsi else {
            continue;
        };
        let valued = &*rows & bsi.exists();
        let nulls = &*rows - &valued;
        let kept = if first.nulls_first {
            let rest = k.saturating_sub(nulls.len());
            bsi.first(&valued, rest, which) | nulls
        } else {
            let mut kept = bsi.first(&valued, k, which);
            if valued.len() < k {
                kept |= nulls;
            }
            kept
        };
        debug_assert!(kept.is_subset(rows));
        cut += rows.len() - kept.len();
        *rows = kept;
    }
    if let Some(profile) = &ctx.profile {
        profile.note(index_scan, index_plan::describe_selection(&selection));
        profile.note(
            index_scan,
            format!(
                "Top-N Cut: {cut} rows past the first {wanted} by {} (bit-sliced index)",
                def.columns[column].name
            ),
        );
    }
    let mut rows = index_plan::rows(selection, *table, ctx)?;
    if let Some((profile, key)) = ctx
        .profile
        .as_ref()
        .and_then(|p| Some((p, p.key(index_scan)?)))
    {
        rows = profile.measure(key, rows, started.elapsed());
    }
    let Some(exprs) = projection else {
        return Ok(Some(rows));
    };
    let (exprs, ctx) = (exprs.clone(), ctx.clone());
    Ok(Some(Box::new(rows.map(move |row| {
        row.and_then(|row| project(&exprs, &row, &ctx.eval()))
    }))))
}
