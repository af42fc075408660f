//! Aggregates answered from bitmaps: `count(*)`, `count(col)`, `sum`,
//! `avg`, `min` and `max` of indexed columns, without grouping or grouped
//! by one indexed TEXT or BOOLEAN column, over a table or an index scan.
//!
//! Per segment the selected rows are a bitmap (deleted rows removed);
//! groups are its intersections with the key column's value bitmaps (and
//! null bitmap). Counts are popcounts, SUM/AVG come from the column's
//! bit-sliced index (Σ 2^i · |slice_i ∩ rows|), MIN/MAX from walking its
//! slices (or, for TEXT, from the first and last value bitmap that meets
//! the rows). No row is read from a segment unless it lacks the index
//! (written before the index existed): then that segment's column values
//! are read for the selected rows. Memtable rows are fed to the same
//! accumulators, so results — types, scales, NULL on empty input — are
//! exactly the plain aggregate's.

use std::collections::BTreeMap;

use roaring::RoaringBitmap;

use super::error::{SqlError, SqlResult};
use super::executor::ExecContext;
use super::expr::Expr;
use super::functions::aggregate::{Accumulator, AggCall, AggFunc};
use super::index_plan::select;
use super::plan::Plan;
use crate::catalog::TableDef;
use crate::index::bsi_scale;
use crate::row::encode_value;
use crate::segment::Segment;
use crate::types::{DataType, Numeric, Value};
use crate::version::column_map;

/// Whether bitmaps answer `aggs` grouped by `keys` over rows of `def`.
pub fn answerable(def: &TableDef, keys: &[Expr], aggs: &[AggCall]) -> bool {
    let keys_ok = match keys {
        [] => true,
        [Expr::Column(c)] => groupable(def, *c),
        _ => false,
    };
    keys_ok && aggs.iter().all(|a| aggregate_answerable(def, a))
}

fn aggregate_answerable(def: &TableDef, a: &AggCall) -> bool {
    if a.distinct {
        return false;
    }
    let column = |c: &usize| def.columns.get(*c).map(|col| col.ty);
    let indexed = |c: &usize| def.indexed_columns().get(*c).copied().unwrap_or(false);
    match (a.func, a.args.as_slice()) {
        (AggFunc::CountStar, _) => true,
        // Every column of every segment has a null bitmap.
        (AggFunc::Count, [Expr::Column(c)]) => column(c).is_some(),
        (AggFunc::Sum | AggFunc::Avg, [Expr::Column(c)]) => {
            indexed(c)
                && matches!(
                    column(c),
                    Some(DataType::Integer | DataType::BigInt | DataType::Numeric(Some(_)))
                )
        }
        (AggFunc::Min | AggFunc::Max, [Expr::Column(c)]) => {
            indexed(c) && column(c).is_some_and(|t| bsi_scale(&t).is_some() || t == DataType::Text)
        }
        _ => false,
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

/// The rows of `plan` (an [`Plan::Aggregate`]) from bitmaps; None when
/// it is not of a shape bitmaps answer.
pub fn run(plan: &Plan, ctx: &ExecContext) -> SqlResult<Option<Vec<Vec<Value>>>> {
    let Plan::Aggregate {
        input,
        keys,
        aggs,
        arg_types,
    } = plan
    else {
        return Ok(None);
    };
    let (table, index) = match &**input {
        Plan::Scan { table } => (*table, None),
        Plan::IndexScan { table, index } => (*table, Some(index)),
        _ => return Ok(None),
    };
    let def = ctx.version.table_def(table)?;
    if !answerable(def, keys, aggs) {
        return Ok(None);
    }
    let key = match keys.as_slice() {
        [Expr::Column(c)] => Some(*c),
        _ => None,
    };
    let selection = select(table, index, ctx)?;
    let data = ctx.version.table(table)?;
    let current = def.column_ids();
    let new_accs = || Accumulator::for_calls(aggs, arg_types);
    let mut groups: BTreeMap<Vec<u8>, (Value, Vec<Accumulator>)> = BTreeMap::new();
    if key.is_none() {
        groups.insert(Vec::new(), (Value::Null, new_accs()));
    }
    let mut read_values = 0;
    for (seg, rows) in data.segments.iter().zip(&selection.segments) {
        ctx.interrupt.check()?;
        let segment = &seg.handle.segment;
        let map = column_map(&seg.handle.column_ids, &current);
        let parts = match key {
            None => vec![(Value::Null, rows.clone())],
            Some(c) => {
                let (parts, indexed) = partition(segment, map[c], rows);
                read_values += usize::from(!indexed);
                parts
            }
        };
        for (v, part) in parts {
            if part.is_empty() {
                continue;
            }
            let accs = group_of(&mut groups, key.is_some(), &v, new_accs);
            for (acc, call) in accs.iter_mut().zip(aggs) {
                let column = match call.args.first() {
                    Some(Expr::Column(c)) => map.get(*c).copied().flatten(),
                    _ => None,
                };
                if !add_segment(acc, call, segment, column, &part)? {
                    read_values += 1;
                }
            }
        }
    }
    let ev = ctx.eval();
    for (_, row) in &selection.memtable {
        let v = key.and_then(|c| row.get(c).cloned()).unwrap_or(Value::Null);
        let accs = group_of(&mut groups, key.is_some(), &v, new_accs);
        for (acc, call) in accs.iter_mut().zip(aggs) {
            let args = call
                .args
                .iter()
                .map(|e| e.eval(row, &ev))
                .collect::<SqlResult<Vec<_>>>()?;
            acc.add(&args, &ev)?;
        }
    }
    if let Some(profile) = &ctx.profile {
        profile.note(
            plan,
            format!(
                "Segments: {}, Column Reads Without Index: {read_values}",
                data.segments.len()
            ),
        );
        profile.note(
            plan,
            format!("Memtable Rows Read: {}", selection.memtable.len()),
        );
    }
    let mut out = Vec::with_capacity(groups.len());
    for (_, (v, accs)) in groups {
        let mut row = Vec::with_capacity(aggs.len() + 1);
        if key.is_some() {
            row.push(v);
        }
        for acc in accs {
            row.push(acc.finish()?);
        }
        out.push(row);
    }
    Ok(Some(out))
}

/// The accumulators of the group of `v`, made by `new` if it is the first.
fn group_of<'g>(
    groups: &'g mut BTreeMap<Vec<u8>, (Value, Vec<Accumulator>)>,
    grouped: bool,
    v: &Value,
    new: impl FnOnce() -> Vec<Accumulator>,
) -> &'g mut Vec<Accumulator> {
    &mut groups
        .entry(k_of(grouped, v))
        .or_insert_with(|| (v.clone(), new()))
        .1
}

/// A group's key: the encoding of its value (empty without grouping).
fn k_of(grouped: bool, v: &Value) -> Vec<u8> {
    let mut k = Vec::new();
    if grouped {
        encode_value(v, &mut k);
    }
    k
}

/// The selected `rows` of a segment split by the value of segment column
/// `column` (None: the segment predates it, every value is NULL), and
/// whether its value bitmaps did it (else its values were read).
fn partition(
    segment: &Segment,
    column: Option<usize>,
    rows: &RoaringBitmap,
) -> (Vec<(Value, RoaringBitmap)>, bool) {
    let Some(sc) = column else {
        return (vec![(Value::Null, rows.clone())], true);
    };
    match &segment.column_index(sc).values {
        Some(values) => {
            let mut out: Vec<(Value, RoaringBitmap)> = values
                .groups()
                .map(|(v, b)| (v.clone(), b & rows))
                .collect();
            out.push((Value::Null, segment.nulls(sc) & rows));
            (out, true)
        }
        None => {
            let mut by_value: BTreeMap<Vec<u8>, (Value, RoaringBitmap)> = BTreeMap::new();
            for pos in rows {
                let v = segment.value(sc, pos);
                let mut k = Vec::new();
                encode_value(&v, &mut k);
                by_value
                    .entry(k)
                    .or_insert_with(|| (v, RoaringBitmap::new()))
                    .1
                    .insert(pos);
            }
            (by_value.into_values().collect(), false)
        }
    }
}

/// Adds aggregate `call` over `rows` of `segment` (its argument being
/// segment column `column`) to `acc`; false when the segment lacked the
/// index and the values were read.
fn add_segment(
    acc: &mut Accumulator,
    call: &AggCall,
    segment: &Segment,
    column: Option<usize>,
    rows: &RoaringBitmap,
) -> SqlResult<bool> {
    if call.func == AggFunc::CountStar {
        acc.add_count(rows.len());
        return Ok(true);
    }
    // A column the segment predates: NULL in every row.
    let Some(sc) = column else {
        return Ok(true);
    };
    let index = segment.column_index(sc);
    let ty = segment.column_types()[sc];
    match call.func {
        AggFunc::Count => {
            acc.add_count(rows.len() - segment.nulls(sc).intersection_len(rows));
            return Ok(true);
        }
        AggFunc::Sum | AggFunc::Avg => {
            if let (Some(bsi), Some(scale)) = (&index.bsi, bsi_scale(&ty)) {
                acc.add_sum(bsi.sum(rows), scale, bsi.count(rows))?;
                return Ok(true);
            }
        }
        AggFunc::Min | AggFunc::Max => {
            let which = if call.func == AggFunc::Min {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            };
            if let Some(bsi) = &index.bsi {
                if let Some(k) = bsi.extreme(rows, which) {
                    acc.add(&[bsi_value(&ty, k)?], &no_context())?;
                }
                return Ok(true);
            }
            if let Some(values) = &index.values
                && ty == DataType::Text
            {
                let mut groups: Vec<_> = values.groups().collect();
                if which == std::cmp::Ordering::Greater {
                    groups.reverse();
                }
                if let Some((v, _)) = groups.into_iter().find(|(_, b)| !b.is_disjoint(rows)) {
                    acc.add(std::slice::from_ref(v), &no_context())?;
                }
                return Ok(true);
            }
        }
        _ => {}
    }
    let ev = no_context();
    for pos in rows {
        acc.add(&[segment.value(sc, pos)], &ev)?;
    }
    Ok(false)
}

/// Aggregating column values needs no parameters, time zone or clock.
fn no_context() -> super::expr::EvalContext<'static> {
    static UTC: std::sync::OnceLock<crate::types::SessionTimeZone> = std::sync::OnceLock::new();
    super::expr::EvalContext {
        params: &[],
        time_zone: UTC.get_or_init(crate::types::SessionTimeZone::utc),
        now: 0,
    }
}

/// The value of a column of type `ty` whose bit-sliced index key is `k`.
fn bsi_value(ty: &DataType, k: i64) -> SqlResult<Value> {
    let out_of_range = || SqlError::internal(format!("index key {k} does not fit a {ty}"));
    Ok(match ty {
        DataType::Integer => Value::Integer(i32::try_from(k).map_err(|_| out_of_range())?),
        DataType::Date => Value::Date(i32::try_from(k).map_err(|_| out_of_range())?),
        DataType::BigInt => Value::BigInt(k),
        DataType::TimestampTz => Value::TimestampTz(k),
        DataType::Numeric(Some(t)) => {
            Value::Numeric(Numeric::new(i128::from(k), t.scale).ok_or_else(out_of_range)?)
        }
        _ => return Err(out_of_range()),
    })
}
