//! Running subqueries: [`prepare`] turns each planned subquery of an
//! expression into a [`Prepared`] one bound to the running statement,
//! which picks how to run it (see the module above) and caches what it can.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::types::Value;

use super::super::error::{SqlError, SqlResult, code};
use super::super::executor::{ExecContext, row_key, run};
use super::super::expr::{EvalContext, Evaluate, Expr, Runtime};
use super::super::idprobe::IdProbe;
use super::super::idset::IdSet;
use super::super::plan::Plan;
use super::super::semijoin::{
    Decorrelated, DecorrelatedAggregate, SemiJoinTable, decorrelate, decorrelate_aggregate,
};
use super::{Subquery, SubqueryKind, map_outer_refs, outer_refs, reads_outer};

/// How many distinct outer rows a correlated subquery remembers results for.
const MEMO_ROWS: usize = 4096;

/// `e` with its subqueries prepared to run in `ctx`.
pub(crate) fn prepare(e: &Expr, ctx: &Arc<ExecContext>) -> SqlResult<Expr> {
    e.transform(&mut |x| match x {
        Expr::Subquery(s) => Ok(Some(Expr::Runtime(Runtime(Arc::new(Prepared::new(
            s, ctx,
        )?))))),
        _ => Ok(None),
    })
}

/// A subquery ready to evaluate for outer rows.
struct Prepared {
    kind: Kind,
    plan: Plan,
    ctx: Arc<ExecContext>,
    strategy: Strategy,
    /// The outer row's columns it reads, when known.
    columns: Option<Vec<usize>>,
}

/// [`SubqueryKind`] with the IN operand prepared.
#[derive(Debug)]
enum Kind {
    Scalar,
    Exists,
    In(Expr),
}

enum Strategy {
    /// Reads no outer row: run once, on first use.
    Once(Mutex<Option<Arc<Outcome>>>),
    /// Correlated by equalities: a hash table (or id set) built once.
    Hashed(Box<Decorrelated>, Mutex<Option<Arc<BuildSide>>>),
    /// A scalar aggregate correlated by equalities: grouped once.
    Grouped(
        Box<DecorrelatedAggregate>,
        Mutex<Option<Arc<AggregateGroups>>>,
    ),
    /// Anything else: run per outer row (the columns it reads), memoized.
    PerRow(Vec<usize>, Mutex<HashMap<Vec<u8>, Arc<Outcome>>>),
}

/// The groups of a [`DecorrelatedAggregate`]: aggregate values by key,
/// and the values for no rows.
struct AggregateGroups {
    groups: HashMap<Vec<u8>, Vec<Value>>,
    empty: Vec<Value>,
}

/// What a run of the subquery gave.
enum Outcome {
    Value(Value),
    Set(SemiJoinTable),
    /// IN over one integer column of an index scan.
    Ids(IdSet),
}

/// The build side of a correlated EXISTS or IN.
enum BuildSide {
    Rows(SemiJoinTable),
    /// EXISTS correlated by one integer column of an index scan, with no
    /// other condition on the outer row.
    Ids(IdSet),
    /// The same EXISTS over a table whose segments hold the column in
    /// order: looked up per outer key, until so many were asked that the
    /// whole set (of `column`, built then, into `full`) is cheaper.
    Probe {
        probe: IdProbe,
        column: usize,
        asked: AtomicU64,
        full: Mutex<Option<Arc<IdSet>>>,
    },
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.strategy {
            Strategy::Once(_) => "once",
            Strategy::Hashed(..) => "hashed",
            Strategy::Grouped(..) => "grouped",
            Strategy::PerRow(..) => "per row",
        };
        write!(f, "Subquery({:?}, {how})", self.kind)
    }
}

impl Prepared {
    fn new(s: &Subquery, ctx: &Arc<ExecContext>) -> SqlResult<Prepared> {
        let kind = match &s.kind {
            SubqueryKind::Scalar => Kind::Scalar,
            SubqueryKind::Exists => Kind::Exists,
            SubqueryKind::In(x) => Kind::In(prepare(x, ctx)?),
        };
        let strategy = if !reads_outer(&s.plan) {
            Strategy::Once(Mutex::new(None))
        } else if let (Kind::Exists | Kind::In(_), Some(d)) = (&kind, decorrelate(&s.plan)) {
            Strategy::Hashed(Box::new(d), Mutex::new(None))
        } else if let (Kind::Scalar, Some(d)) = (&kind, decorrelate_aggregate(&s.plan)) {
            Strategy::Grouped(Box::new(d), Mutex::new(None))
        } else {
            let mut refs = Vec::new();
            let mut further = false;
            outer_refs(&s.plan, 1, &mut |k, i| {
                if k == 0 { refs.push(i) } else { further = true }
            });
            // Rows further out were substituted before this plan ran.
            if further {
                return Err(SqlError::internal(
                    "subquery reads a row that was not substituted",
                ));
            }
            refs.sort_unstable();
            refs.dedup();
            Strategy::PerRow(refs, Mutex::new(HashMap::new()))
        };
        let mut columns = Some(Vec::new());
        outer_refs(&s.plan, 1, &mut |k, i| match (k, columns.as_mut()) {
            (0, Some(cs)) => cs.push(i),
            // Rows further out are substituted before it runs.
            _ => columns = None,
        });
        if let (Kind::In(x), Some(cs)) = (&kind, columns.as_mut()) {
            match x.columns_read() {
                Some(more) => cs.extend(more),
                None => columns = None,
            }
        }
        Ok(Prepared {
            kind,
            plan: s.plan.clone(),
            ctx: ctx.clone(),
            strategy,
            columns,
        })
    }

    /// Leaves EXPLAIN ANALYZE a note on how the subquery ran.
    fn note(&self, note: impl FnOnce() -> String) {
        if let Some(profile) = &self.ctx.profile {
            profile.note_subquery(&self.plan, note());
        }
    }

    /// Runs `plan` and reduces its rows as the kind says.
    fn outcome(&self, plan: &Plan) -> SqlResult<Outcome> {
        if let Kind::In(_) = self.kind
            && let Some(ids) = IdSet::of_projection(plan, &self.ctx)?
        {
            self.note(|| format!("Id Set: {} keys, built once", ids.len()));
            return Ok(Outcome::Ids(ids));
        }
        let mut rows = run(plan, &self.ctx)?;
        Ok(match self.kind {
            Kind::Scalar => {
                let first = rows.next().transpose()?;
                if rows.next().transpose()?.is_some() {
                    return Err(SqlError::new(
                        code::CARDINALITY_VIOLATION,
                        "more than one row returned by a subquery used as an expression",
                    ));
                }
                Outcome::Value(
                    first
                        .and_then(|r| r.into_iter().next())
                        .unwrap_or(Value::Null),
                )
            }
            Kind::Exists => Outcome::Value(Value::Boolean(rows.next().transpose()?.is_some())),
            Kind::In(_) => Outcome::Set(SemiJoinTable::build(
                rows,
                &[],
                Some(&Expr::Column(0)),
                false,
                &self.ctx.eval(),
            )?),
        })
    }

    /// The build side of a decorrelated EXISTS or IN: the id set of one
    /// integer key when nothing else ties it to the outer row, else the
    /// rows hashed by their keys.
    fn build_side(&self, d: &Decorrelated, ctx: &EvalContext) -> SqlResult<BuildSide> {
        if let (Kind::Exists, None, [Expr::Column(k)]) =
            (&self.kind, &d.residual, d.inner_keys.as_slice())
        {
            if let Some(probe) = IdProbe::of_column(&d.build, *k, &self.ctx)? {
                self.note(|| {
                    format!(
                        "Key Lookups: per outer row, in segments in key order (up to {} before building the id set)",
                        probe.budget()
                    )
                });
                return Ok(BuildSide::Probe {
                    probe,
                    column: *k,
                    asked: AtomicU64::new(0),
                    full: Mutex::new(None),
                });
            }
            if let Some(ids) = IdSet::of_column(&d.build, *k, &self.ctx)? {
                self.note(|| format!("Id Set: {} keys, built once", ids.len()));
                return Ok(BuildSide::Ids(ids));
            }
        }
        let value = matches!(self.kind, Kind::In(_)).then_some(&d.value);
        let rows = run(&d.build, &self.ctx)?;
        let keep_rows = d.residual.is_some();
        SemiJoinTable::build(rows, &d.inner_keys, value, keep_rows, ctx).map(BuildSide::Rows)
    }

    fn answer(&self, outcome: &Outcome, row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
        Ok(match (outcome, &self.kind) {
            (Outcome::Value(v), _) => v.clone(),
            (Outcome::Set(t), Kind::In(x)) => t.contains(&[], &x.eval(row, ctx)?),
            (Outcome::Ids(ids), Kind::In(x)) => ids.contains(&x.eval(row, ctx)?)?,
            (Outcome::Set(_) | Outcome::Ids(_), _) => {
                return Err(SqlError::internal("subquery outcome mismatch"));
            }
        })
    }
}

/// Whether `slot` holds no cached value yet (a poisoned one counts as
/// full: nothing would be built into it).
fn is_empty<T>(slot: &Mutex<Option<Arc<T>>>) -> bool {
    slot.lock().map(|s| s.is_none()).unwrap_or(false)
}

/// The cached value in `slot`, computed by `make` on first use (an error
/// is returned, not cached).
fn cached<T>(
    slot: &Mutex<Option<Arc<T>>>,
    make: impl FnOnce() -> SqlResult<T>,
) -> SqlResult<Arc<T>> {
    let mut guard = slot
        .lock()
        .map_err(|_| SqlError::internal("subquery cache poisoned"))?;
    if let Some(v) = guard.as_ref() {
        return Ok(v.clone());
    }
    let v = Arc::new(make()?);
    *guard = Some(v.clone());
    Ok(v)
}

impl Evaluate for Prepared {
    fn columns_read(&self) -> Option<Vec<usize>> {
        self.columns.clone()
    }

    fn is_cold(&self) -> bool {
        match &self.strategy {
            Strategy::Once(slot) => is_empty(slot),
            Strategy::Hashed(_, slot) => is_empty(slot),
            Strategy::Grouped(..) | Strategy::PerRow(..) => false,
        }
    }

    fn warm(&self) {
        // An error is not cached: eval meets it again if it runs.
        match &self.strategy {
            Strategy::Once(slot) => {
                let _ = cached(slot, || self.outcome(&self.plan));
            }
            Strategy::Hashed(d, slot) => {
                let _ = cached(slot, || self.build_side(d, &self.ctx.eval()));
            }
            Strategy::Grouped(..) | Strategy::PerRow(..) => {}
        }
    }

    fn eval(&self, row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
        match &self.strategy {
            Strategy::Once(slot) => {
                let outcome = cached(slot, || self.outcome(&self.plan))?;
                self.answer(&outcome, row, ctx)
            }
            Strategy::Hashed(d, slot) => {
                let build = cached(slot, || self.build_side(d, ctx))?;
                let table = match build.as_ref() {
                    BuildSide::Rows(table) => table,
                    BuildSide::Ids(ids) => {
                        return Ok(Value::Boolean(ids.exists(&single_key(d, row, ctx)?)?));
                    }
                    BuildSide::Probe {
                        probe,
                        column,
                        asked,
                        full,
                    } => {
                        let key = single_key(d, row, ctx)?;
                        if asked.fetch_add(1, Ordering::Relaxed) < probe.budget() {
                            return Ok(Value::Boolean(probe.exists(&key)?));
                        }
                        let ids = cached(full, || {
                            let ids = IdSet::of_column(&d.build, *column, &self.ctx)?.ok_or_else(
                                || SqlError::internal("a probed table without an id set"),
                            )?;
                            self.note(|| {
                                format!(
                                    "Id Set: {} keys, built after {} lookups",
                                    ids.len(),
                                    probe.budget()
                                )
                            });
                            Ok(ids)
                        })?;
                        return Ok(Value::Boolean(ids.exists(&key)?));
                    }
                };
                let key = eval_all(&d.outer_keys, row, ctx)?;
                let x = match &self.kind {
                    Kind::In(x) => Some(x.eval(row, ctx)?),
                    _ => None,
                };
                let Some(residual) = &d.residual else {
                    return Ok(match x {
                        Some(x) => table.contains(&key, &x),
                        None => Value::Boolean(table.exists(&key)),
                    });
                };
                let residual = with_outer_row(residual, row)?;
                table.probe_rows(&key, &residual, x.as_ref().map(|x| (&d.value, x)), ctx)
            }
            Strategy::Grouped(d, slot) => {
                let groups = cached(slot, || {
                    let mut groups = HashMap::new();
                    for r in run(&d.build, &self.ctx)? {
                        let mut r = r?;
                        let aggs = r.split_off(d.key_count);
                        if !r.iter().any(Value::is_null) {
                            groups.insert(row_key(&r), aggs);
                        }
                    }
                    let empty = run(&d.empty, &self.ctx)?
                        .next()
                        .transpose()?
                        .ok_or_else(|| SqlError::internal("an aggregate gave no row"))?;
                    Ok(AggregateGroups { groups, empty })
                })?;
                let key = eval_all(&d.outer_keys, row, ctx)?;
                let aggs = match key.iter().any(Value::is_null) {
                    true => &groups.empty,
                    false => groups.groups.get(&row_key(&key)).unwrap_or(&groups.empty),
                };
                d.value.eval(aggs, ctx)
            }
            Strategy::PerRow(refs, memo) => {
                let values = refs
                    .iter()
                    .map(|&i| {
                        row.get(i)
                            .cloned()
                            .ok_or_else(|| SqlError::internal("outer column out of range"))
                    })
                    .collect::<SqlResult<Vec<_>>>()?;
                let key = row_key(&values);
                let known = memo
                    .lock()
                    .map_err(|_| SqlError::internal("subquery cache poisoned"))?
                    .get(&key)
                    .cloned();
                let outcome = match known {
                    Some(o) => o,
                    None => {
                        let plan = map_outer_refs(&self.plan, 1, &mut |k, _, i| {
                            (k == 0)
                                .then(|| Expr::Literal(row.get(i).cloned().unwrap_or(Value::Null)))
                        })?;
                        let o = Arc::new(self.outcome(&plan)?);
                        let mut memo = memo
                            .lock()
                            .map_err(|_| SqlError::internal("subquery cache poisoned"))?;
                        if memo.len() < MEMO_ROWS {
                            memo.insert(key, o.clone());
                        }
                        o
                    }
                };
                self.answer(&outcome, row, ctx)
            }
        }
    }
}

/// The one outer key of an EXISTS answered from an id set or a probe.
fn single_key(d: &Decorrelated, row: &[Value], ctx: &EvalContext) -> SqlResult<Value> {
    match d.outer_keys.as_slice() {
        [key] => key.eval(row, ctx),
        _ => Err(SqlError::internal("an id set with several keys")),
    }
}

fn eval_all(es: &[Expr], row: &[Value], ctx: &EvalContext) -> SqlResult<Vec<Value>> {
    es.iter().map(|e| e.eval(row, ctx)).collect()
}

/// `e` (over a subquery's row) with the outer row's values in place of
/// its references to it.
fn with_outer_row(e: &Expr, row: &[Value]) -> SqlResult<Expr> {
    e.transform(&mut |x| {
        Ok(match x {
            Expr::Outer { depth: 1, index } => {
                Some(Expr::Literal(row.get(*index).cloned().ok_or_else(
                    || SqlError::internal("outer column out of range"),
                )?))
            }
            _ => None,
        })
    })
}
