//! The executor: runs bound statements against a transaction. Queries
//! become streams of rows that own what they read (the transaction's
//! version at the statement's start), so a caller can send them as it
//! reads them.

use std::collections::HashMap;
use std::sync::Arc;

use sqlparser::ast;

use crate::catalog::{TableAcl, TableDef};
use crate::memtable::Key;
use crate::row::encode_key;
use crate::snapshot::TableCursor;
use crate::txn::Transaction;
use crate::types::{DataType, SessionTimeZone, Value};
use crate::version::Version;

use super::access::{self, Actor};
use super::binder::Binder;
use super::copy::decode::Decoder;
use super::copy::encode::Encoder;
use super::copy::load::{Loader, RowMaker};
use super::copy::{CopyOptions, CopyPlan};
use super::error::{SqlError, SqlResult, code};
use super::explain::Profile;
use super::expr::{EvalContext, Expr, sort_cmp};
use super::functions::aggregate::Accumulator;
use super::functions::cast;
use super::interrupt::Interrupt;
use super::plan::{JoinKind, Plan, SetOp, SortKey};
use super::planner::{self, BoundStatement, ConflictAction, InsertSource, OnConflict, Returning};
use super::result::{Column, Output};
use super::settings::Settings;
use super::subquery::exec::prepare;

/// What a running statement reads besides rows.
pub struct ExecContext {
    pub version: Arc<Version>,
    pub params: Vec<Value>,
    pub time_zone: SessionTimeZone,
    pub now: i64,
    pub interrupt: Interrupt,
    /// WITH RECURSIVE: the rows each work table holds now.
    pub work_tables: std::sync::Mutex<HashMap<usize, Arc<Vec<Vec<Value>>>>>,
    /// Whether bitmap indexes may answer predicates and aggregates
    /// (`enable_bitmapscan`); without, index scans read every row.
    pub use_indexes: bool,
    /// EXPLAIN ANALYZE: where operators count their rows and time.
    pub profile: Option<Arc<Profile>>,
    /// Scans (by plan node address) that a projection above found need
    /// only some columns, while the projection sets up its input: they
    /// decode just those (see narrow.rs).
    pub narrowed: std::sync::Mutex<HashMap<usize, Arc<Vec<bool>>>>,
}

/// How many times a WITH RECURSIVE query may run its recursive term.
const MAX_RECURSION: usize = 100_000;
/// How many rows a WITH RECURSIVE query may produce.
const MAX_RECURSIVE_ROWS: usize = 10_000_000;

/// How many rows an operator goes through between interrupt checks.
const CHECK_EVERY_ROWS: usize = 1024;

impl ExecContext {
    /// A context reading `txn`'s view, with no parameters bound yet.
    fn new(txn: &Transaction, settings: &Settings, now: i64, interrupt: Interrupt) -> Self {
        ExecContext {
            version: txn.view(),
            params: Vec::new(),
            time_zone: settings.time_zone().clone(),
            now,
            interrupt,
            work_tables: Default::default(),
            use_indexes: settings.enable_bitmapscan(),
            profile: None,
            narrowed: Default::default(),
        }
    }

    /// The same context over what `txn` holds now (after a change of the
    /// catalog within the statement).
    pub(super) fn refreshed(&self, txn: &Transaction) -> Self {
        ExecContext {
            version: txn.view(),
            params: self.params.clone(),
            time_zone: self.time_zone.clone(),
            now: self.now,
            interrupt: self.interrupt.clone(),
            work_tables: Default::default(),
            use_indexes: self.use_indexes,
            profile: None,
            narrowed: Default::default(),
        }
    }

    pub(crate) fn eval(&self) -> EvalContext<'_> {
        EvalContext {
            params: &self.params,
            time_zone: &self.time_zone,
            now: self.now,
        }
    }
}

pub(crate) type Rows = Box<dyn Iterator<Item = SqlResult<Vec<Value>>> + Send>;

/// When a statement's transaction and the statement itself started
/// (microseconds since 2000-01-01 UTC): now() and statement_timestamp().
#[derive(Debug, Clone, Copy)]
pub struct StartTimes {
    pub transaction: i64,
    pub statement: i64,
}

/// Runs one statement in `txn`.
pub fn execute(
    stmt: &ast::Statement,
    txn: &mut Transaction,
    settings: &mut Settings,
    params: &[Value],
    times: StartTimes,
    interrupt: Interrupt,
    user: Option<&str>,
) -> SqlResult<Output> {
    if matches!(stmt, ast::Statement::Explain { .. }) {
        return super::explain::execute(stmt, txn, settings, params, times, interrupt, user);
    }
    let actor = Actor::of(txn.catalog(), user);
    if let Some(output) = super::roles::execute(stmt, txn, &actor) {
        return output;
    }
    if let Some(output) = super::grants::execute(stmt, txn, &actor) {
        return output;
    }
    let (bound, ctx) = bind_statement(stmt, txn, settings, params, times, interrupt, user)?;
    run_bound(bound, txn, settings, Arc::new(ctx), user)
}

/// Plans `stmt`, checks the privileges it needs, and makes the context it
/// runs in, with `params` converted to the types the statement takes.
pub(crate) fn bind_statement(
    stmt: &ast::Statement,
    txn: &Transaction,
    settings: &Settings,
    params: &[Value],
    times: StartTimes,
    interrupt: Interrupt,
    user: Option<&str>,
) -> SqlResult<(BoundStatement, ExecContext)> {
    let actor = Actor::of(txn.catalog(), user);
    let now = times.transaction;
    let declared: Vec<Option<DataType>> = params.iter().map(value_type).collect();
    let mut binder = Binder::new(&declared, settings.time_zone(), now);
    binder.statement_now = times.statement;
    binder.current_user = user.map(str::to_owned);
    let bound = planner::plan_statement(stmt, txn.catalog(), &mut binder)?;
    access::check_statement(&bound, &binder.tables_read, txn.catalog(), &actor)?;
    let param_types = binder.param_types();
    if params.len() < param_types.len() {
        return Err(SqlError::new(
            code::UNDEFINED_PARAMETER,
            format!(
                "statement needs {} parameters, {} given",
                param_types.len(),
                params.len()
            ),
        ));
    }
    let mut ctx = ExecContext::new(txn, settings, now, interrupt);
    // Parameters arrive as the types they were described with; convert
    // any that differ (an int4 where an int8 was inferred).
    let mut converted = Vec::with_capacity(params.len());
    for (i, p) in params.iter().enumerate() {
        converted.push(match param_types.get(i) {
            Some(t) if value_type(p).is_some_and(|vt| vt != *t) => cast(p.clone(), t, &ctx.eval())?,
            _ => p.clone(),
        });
    }
    ctx.params = converted;
    Ok((bound, ctx))
}

/// Runs a bound statement in `txn`.
pub(crate) fn run_bound(
    bound: BoundStatement,
    txn: &mut Transaction,
    settings: &mut Settings,
    ctx: Arc<ExecContext>,
    user: Option<&str>,
) -> SqlResult<Output> {
    let actor = Actor::of(txn.catalog(), user);
    match bound {
        BoundStatement::Query(q) => Ok(Output::Rows {
            columns: q.columns.into(),
            rows: run(&q.plan, &ctx)?,
            command: "SELECT",
        }),
        BoundStatement::Insert {
            table,
            source,
            targets,
            defaults,
            returning,
            on_conflict,
        } => {
            let checks = checks_of(&table, &ctx)?;
            let target = InsertTarget {
                table: &table,
                checks: &checks,
                targets: &targets,
                defaults: &defaults,
            };
            insert(txn, &ctx, &target, source, on_conflict.as_ref(), returning)
        }
        BoundStatement::Update {
            table,
            filter,
            assignments,
            returning,
        } => {
            let checks = checks_of(&table, &ctx)?;
            let filter = filter.map(|f| prepare(&f, &ctx)).transpose()?;
            let assignments = assignments
                .iter()
                .map(|(pos, e)| Ok((*pos, prepare(e, &ctx)?)))
                .collect::<SqlResult<Vec<_>>>()?;
            let matched = matching_rows(&ctx, &table, filter.as_ref())?;
            let ev = ctx.eval();
            let mut out = Vec::new();
            for (key, row) in &matched {
                let mut new_row = row.clone();
                for (pos, e) in &assignments {
                    new_row[*pos] = e.eval(row, &ev)?;
                }
                check_row(&table, &checks, &new_row, &ev)?;
                txn.update_key(table.id, key.clone(), new_row.clone())?;
                if let Some(r) = &returning {
                    out.push(project(&r.exprs, &new_row, &ev)?);
                }
            }
            Ok(dml_output("UPDATE", matched.len(), returning, out))
        }
        BoundStatement::Delete {
            table,
            filter,
            returning,
        } => {
            let filter = filter.map(|f| prepare(&f, &ctx)).transpose()?;
            let matched = matching_rows(&ctx, &table, filter.as_ref())?;
            let ev = ctx.eval();
            let mut out = Vec::new();
            for (key, row) in &matched {
                txn.delete_key(table.id, key.clone())?;
                if let Some(r) = &returning {
                    out.push(project(&r.exprs, row, &ev)?);
                }
            }
            Ok(dml_output("DELETE", matched.len(), returning, out))
        }
        BoundStatement::CreateTable { def, if_not_exists } => {
            // A CHECK that does not bind is refused now, not at the first insert.
            checks_of(&def, &ctx)?;
            if txn.catalog().table_by_name(&def.name).is_some() {
                if if_not_exists {
                    return Ok(Output::Command {
                        tag: "CREATE TABLE".into(),
                    });
                }
                return Err(SqlError::new(
                    code::DUPLICATE_TABLE,
                    format!("relation \"{}\" already exists", def.name),
                ));
            }
            let id = def.id;
            txn.create_table(def)?;
            // The creator owns the table (a trusted caller leaves it to
            // the bootstrap superuser).
            if user.is_some() && txn.catalog().role(&actor.name).is_some() {
                txn.set_acl(
                    id,
                    TableAcl {
                        owner: actor.name.clone(),
                        grants: Default::default(),
                    },
                )?;
            }
            Ok(Output::Command {
                tag: "CREATE TABLE".into(),
            })
        }
        BoundStatement::DropTable { names, if_exists } => {
            for name in &names {
                if txn.catalog().table_by_name(name).is_none() {
                    if if_exists {
                        continue;
                    }
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!("table \"{name}\" does not exist"),
                    ));
                }
                let referenced_by = txn.catalog().tables().find(|t| {
                    t.name != *name
                        && t.foreign_keys.iter().any(|fk| {
                            Some(fk.ref_table) == txn.catalog().table_by_name(name).map(|d| d.id)
                        })
                });
                if let Some(other) = referenced_by {
                    return Err(SqlError::new(
                        "2BP01",
                        format!("cannot drop table {name} because other objects depend on it"),
                    )
                    .with_detail(format!(
                        "constraint on table {} depends on table {name}",
                        other.name
                    ))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                txn.drop_table(name)?;
            }
            Ok(Output::Command {
                tag: "DROP TABLE".into(),
            })
        }
        BoundStatement::AlterTable(plan) => {
            if let Some(plan) = plan {
                super::alter_table::execute(*plan, txn, &ctx)?;
            }
            Ok(Output::Command {
                tag: "ALTER TABLE".into(),
            })
        }
        BoundStatement::CreateIndex(c) => {
            super::index_ddl::create(&c, txn)?;
            Ok(Output::Command {
                tag: "CREATE INDEX".into(),
            })
        }
        BoundStatement::DropIndex { names, if_exists } => {
            super::index_ddl::drop(&names, if_exists, txn)?;
            Ok(Output::Command {
                tag: "DROP INDEX".into(),
            })
        }
        BoundStatement::Truncate { names } => {
            for name in &names {
                if txn.catalog().table_by_name(name).is_none() {
                    return Err(SqlError::undefined_table(name));
                }
                txn.truncate(name)?;
            }
            Ok(Output::Command {
                tag: "TRUNCATE TABLE".into(),
            })
        }
        BoundStatement::Reset { name } => {
            settings.reset(&name)?;
            Ok(Output::Command {
                tag: "RESET".into(),
            })
        }
        BoundStatement::Set { name, value } => {
            settings.set(&name, value.as_deref())?;
            Ok(Output::Command { tag: "SET".into() })
        }
        BoundStatement::Copy(copy) => match *copy {
            CopyPlan::To {
                columns,
                plan,
                options,
            } => copy_out(&columns, &plan, options, &ctx),
            CopyPlan::From { .. } => Err(SqlError::internal(
                "COPY FROM STDIN runs through Session::execute",
            )),
        },
        BoundStatement::Show { name } => {
            let value = settings.get(&name)?;
            Ok(Output::Rows {
                columns: vec![Column {
                    name,
                    ty: DataType::Text,
                }]
                .into(),
                rows: Box::new(std::iter::once(Ok(vec![Value::Text(value)]))),
                command: "SHOW",
            })
        }
    }
}

/// COPY … TO STDOUT: the rows of `plan` as lines of the COPY's format,
/// produced as the caller reads them.
fn copy_out(
    columns: &[String],
    plan: &Plan,
    options: CopyOptions,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Output> {
    let mut encoder = Encoder::new(options.clone(), columns);
    let header = options.header.then(|| {
        let mut line = Vec::new();
        encoder.header(columns, &mut line);
        line
    });
    let tz = ctx.time_zone.clone();
    let rows = run(plan, ctx)?;
    Ok(Output::CopyOut {
        format: options.format,
        columns: columns.len(),
        header,
        lines: Box::new(rows.map(move |row| {
            row.map(|values| {
                let mut line = Vec::with_capacity(16 * values.len());
                encoder.row(&values, &tz, &mut line);
                line
            })
        })),
    })
}

/// Starts COPY … FROM STDIN in `txn`: binds it and returns what loads
/// its input (see [`crate::sql::Session::copy_data`]).
pub fn start_copy_in(
    stmt: &ast::Statement,
    txn: &Transaction,
    settings: &Settings,
    txn_start: i64,
    interrupt: Interrupt,
    user: Option<&str>,
) -> SqlResult<Loader> {
    let now = txn_start;
    let mut binder = Binder::new(&[], settings.time_zone(), now);
    binder.current_user = user.map(str::to_owned);
    let bound = planner::plan_statement(stmt, txn.catalog(), &mut binder)?;
    let actor = Actor::of(txn.catalog(), user);
    access::check_statement(&bound, &binder.tables_read, txn.catalog(), &actor)?;
    let BoundStatement::Copy(copy) = bound else {
        return Err(SqlError::internal("not a COPY"));
    };
    let CopyPlan::From {
        table,
        targets,
        defaults,
        options,
    } = *copy
    else {
        return Err(SqlError::internal("not a COPY FROM"));
    };
    let ctx = ExecContext::new(txn, settings, now, interrupt);
    let checks = checks_of(&table, &ctx)?;
    let names = targets
        .iter()
        .map(|&i| table.columns[i].name.clone())
        .collect();
    let format = options.format;
    let decoder = Decoder::new(options, &table.name, names);
    let rows = RowMaker {
        table,
        targets,
        defaults,
        checks,
        time_zone: ctx.time_zone.clone(),
        now,
        interrupt: ctx.interrupt.clone(),
    };
    Ok(Loader::new(decoder, rows, format))
}

fn value_type(v: &Value) -> Option<DataType> {
    Some(match v {
        Value::Null => return None,
        Value::Boolean(_) => DataType::Boolean,
        Value::Integer(_) => DataType::Integer,
        Value::BigInt(_) => DataType::BigInt,
        Value::Double(_) => DataType::Double,
        Value::Numeric(_) => DataType::Numeric(None),
        Value::Text(_) => DataType::Text,
        Value::Date(_) => DataType::Date,
        Value::TimestampTz(_) => DataType::TimestampTz,
        Value::Timestamp(_) => DataType::Timestamp,
        Value::Interval(_) => DataType::Interval,
    })
}

pub(crate) fn project(exprs: &[Expr], row: &[Value], ctx: &EvalContext) -> SqlResult<Vec<Value>> {
    exprs.iter().map(|e| e.eval(row, ctx)).collect()
}

fn dml_output(
    command: &'static str,
    count: usize,
    returning: Option<Returning>,
    rows: Vec<Vec<Value>>,
) -> Output {
    match returning {
        Some(r) => Output::Rows {
            columns: r.columns.into(),
            rows: Box::new(rows.into_iter().map(Ok)),
            command,
        },
        None => Output::Command {
            tag: super::result::command_tag(command, count as u64),
        },
    }
}

/// The rows of `table` (with keys) that `filter` accepts, read before any
/// is changed.
pub(super) fn matching_rows(
    ctx: &ExecContext,
    table: &TableDef,
    filter: Option<&Expr>,
) -> SqlResult<Vec<(Key, Vec<Value>)>> {
    let ev = ctx.eval();
    let start = std::time::Instant::now();
    let mut read = 0;
    let mut out = Vec::new();
    for (i, (key, row)) in TableCursor::new(ctx.version.clone(), table.id)?.enumerate() {
        if i % CHECK_EVERY_ROWS == 0 {
            ctx.interrupt.check()?;
        }
        read += 1;
        let row = row.to_vec();
        let keep = match filter {
            None => true,
            Some(f) => f.eval(&row, &ev)? == Value::Boolean(true),
        };
        if keep {
            out.push((key, row));
        }
    }
    if let Some(p) = &ctx.profile {
        p.dml_scan(read, out.len() as u64, start.elapsed());
    }
    Ok(out)
}

/// The CHECK constraints of `table`, bound to its rows.
pub(super) fn checks_of(table: &TableDef, ctx: &ExecContext) -> SqlResult<Vec<(String, Expr)>> {
    if table.checks.is_empty() {
        return Ok(Vec::new());
    }
    let mut binder = Binder::new(&[], &ctx.time_zone, ctx.now);
    planner::bind_checks(table, &mut binder)
}

/// Refuses a row for which a CHECK constraint is false (NULL passes).
fn check_row(
    table: &TableDef,
    checks: &[(String, Expr)],
    row: &[Value],
    ev: &EvalContext,
) -> SqlResult<()> {
    for (name, cond) in checks {
        if cond.eval(row, ev)? == Value::Boolean(false) {
            let shown: Vec<String> = row
                .iter()
                .map(|v| {
                    crate::types::format_value(v, ev.time_zone).unwrap_or_else(|| "null".into())
                })
                .collect();
            return Err(SqlError::new(
                code::CHECK_VIOLATION,
                format!(
                    "new row for relation \"{}\" violates check constraint \"{name}\"",
                    table.name
                ),
            )
            .with_detail(format!("Failing row contains ({}).", shown.join(", "))));
        }
    }
    Ok(())
}

/// Where INSERT (or COPY) puts rows and what it checks.
pub(super) struct InsertTarget<'a> {
    pub table: &'a TableDef,
    pub checks: &'a [(String, Expr)],
    /// For each source column, the table column it fills.
    pub targets: &'a [usize],
    /// Each table column's DEFAULT.
    pub defaults: &'a [Expr],
}

/// The table row for `values` (one per target; None is DEFAULT), the
/// other columns' DEFAULTs filled in, its CHECK constraints passed.
pub(super) fn complete_row(
    t: &InsertTarget,
    values: Vec<Option<Value>>,
    ev: &EvalContext,
) -> SqlResult<Vec<Value>> {
    let mut row: Vec<Option<Value>> = vec![None; t.table.columns.len()];
    for (v, &c) in values.into_iter().zip(t.targets) {
        row[c] = v;
    }
    let row: Vec<Value> = row
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(v) => Ok(v),
            None => t.defaults[i].eval(&[], ev),
        })
        .collect::<SqlResult<_>>()?;
    check_row(t.table, t.checks, &row, ev)?;
    Ok(row)
}

fn insert(
    txn: &mut Transaction,
    ctx: &Arc<ExecContext>,
    t: &InsertTarget,
    source: InsertSource,
    on_conflict: Option<&OnConflict>,
    returning: Option<Returning>,
) -> SqlResult<Output> {
    let ev = ctx.eval();
    let rows: Vec<Vec<Option<Value>>> = match source {
        InsertSource::Values(rows) => rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|e| {
                        e.as_ref()
                            .map(|e| prepare(e, ctx)?.eval(&[], &ev))
                            .transpose()
                    })
                    .collect()
            })
            .collect::<SqlResult<_>>()?,
        InsertSource::Query(plan) => run(&plan, ctx)?
            .map(|r| r.map(|vals| vals.into_iter().map(Some).collect()))
            .collect::<SqlResult<_>>()?,
    };
    let mut out = Vec::new();
    let mut count = 0;
    // Rows this statement inserted or updated: ON CONFLICT DO UPDATE may
    // not touch one twice.
    let mut touched = std::collections::HashSet::new();
    for values in rows {
        let row = complete_row(t, values, &ev)?;
        let conflict = match on_conflict {
            None => None,
            Some(oc) => {
                let mut found = None;
                for c in &oc.constraints {
                    if let Some(hit) = txn.conflicting_row(t.table.id, *c, &row)? {
                        found = Some(hit);
                        break;
                    }
                }
                found.map(|hit| (oc, hit))
            }
        };
        let written = match conflict {
            None => {
                txn.insert(&t.table.name, row.clone())?;
                let key = txn.conflicting_row(t.table.id, None, &row)?.map(|(k, _)| k);
                touched.extend(key);
                Some(row)
            }
            Some((oc, (key, existing))) => match &oc.action {
                ConflictAction::Nothing => None,
                ConflictAction::Update {
                    assignments,
                    filter,
                } => {
                    if !touched.insert(key.clone()) {
                        return Err(SqlError::new(
                            code::CARDINALITY_VIOLATION,
                            "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        )
                        .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
                    }
                    let mut both = existing.to_vec();
                    both.extend(row.iter().cloned());
                    let keep = match filter {
                        None => true,
                        Some(f) => f.eval(&both, &ev)? == Value::Boolean(true),
                    };
                    if keep {
                        let mut new_row = existing.to_vec();
                        for (pos, e) in assignments {
                            new_row[*pos] = e.eval(&both, &ev)?;
                        }
                        check_row(t.table, t.checks, &new_row, &ev)?;
                        txn.update_key(t.table.id, key, new_row.clone())?;
                        Some(new_row)
                    } else {
                        None
                    }
                }
            },
        };
        if let Some(row) = written {
            count += 1;
            if let Some(r) = &returning {
                out.push(project(&r.exprs, &row, &ev)?);
            }
        }
    }
    Ok(dml_output("INSERT", count, returning, out))
}

/// Runs a plan: prepares its subqueries for `ctx`, then runs it.
pub fn run(plan: &Plan, ctx: &Arc<ExecContext>) -> SqlResult<Rows> {
    let prepared = plan.map_exprs(&mut |e| prepare(e, ctx))?;
    let Some(profile) = &ctx.profile else {
        return run_prepared(&prepared, ctx);
    };
    // The prepared copy's operators count for the plan EXPLAIN shows.
    profile.alias(plan, &prepared);
    let rows = run_prepared(&prepared, ctx);
    profile.unalias(&prepared);
    rows
}

fn run_prepared(plan: &Plan, ctx: &Arc<ExecContext>) -> SqlResult<Rows> {
    run_measured(plan, ctx, || run_operator(plan, ctx))
}

/// `run()`, the rows of `plan`, measured for EXPLAIN ANALYZE as `plan`'s.
fn run_measured(
    plan: &Plan,
    ctx: &Arc<ExecContext>,
    run: impl FnOnce() -> SqlResult<Rows>,
) -> SqlResult<Rows> {
    match ctx.profile.as_ref().and_then(|p| Some((p, p.key(plan)?))) {
        Some((profile, key)) => {
            let start = std::time::Instant::now();
            let rows = run()?;
            Ok(profile.measure(key, rows, start.elapsed()))
        }
        None => run(),
    }
}

/// The rows of `plan` read narrowly, when a projection above registered
/// it (see narrow.rs for when a narrow read is refused).
fn narrowed_scan(plan: &Plan, ctx: &Arc<ExecContext>) -> SqlResult<Option<Rows>> {
    if !matches!(
        plan,
        Plan::Filter { .. } | Plan::Scan { .. } | Plan::IndexScan { .. }
    ) {
        return Ok(None);
    }
    let needed = ctx
        .narrowed
        .lock()
        .map_err(|_| SqlError::internal("narrowed scans poisoned"))?
        .get(&(plan as *const Plan as usize))
        .cloned();
    match needed {
        Some(needed) => super::narrow::read(plan, &needed, ctx),
        None => Ok(None),
    }
}

fn run_operator(plan: &Plan, ctx: &Arc<ExecContext>) -> SqlResult<Rows> {
    if let Some(rows) = narrowed_scan(plan, ctx)? {
        return Ok(rows);
    }
    Ok(match plan {
        Plan::Single => Box::new(std::iter::once(Ok(Vec::new()))),
        Plan::Scan { table } => {
            let cursor = TableCursor::new(ctx.version.clone(), *table)?;
            let ctx = ctx.clone();
            Box::new(cursor.enumerate().map(move |(i, (_, row))| {
                if i % CHECK_EVERY_ROWS == 0 {
                    ctx.interrupt.check()?;
                }
                Ok(row.to_vec())
            }))
        }
        Plan::IndexScan { table, index } if !ctx.use_indexes => run_operator(
            &Plan::Filter {
                input: Box::new(Plan::Scan { table: *table }),
                predicate: index.clone(),
            },
            ctx,
        )?,
        Plan::IndexScan { table, index } => {
            let selection = super::index_plan::select(*table, Some(index), ctx)?;
            if let Some(p) = &ctx.profile {
                p.note(plan, super::index_plan::describe_selection(&selection));
            }
            super::index_plan::rows(selection, *table, ctx)?
        }
        Plan::Values { rows } => {
            let ev = ctx.eval();
            let rows = rows
                .iter()
                .map(|r| project(r, &[], &ev))
                .collect::<SqlResult<Vec<_>>>()?;
            Box::new(rows.into_iter().map(Ok))
        }
        Plan::Filter { input, predicate } => {
            let input = run_prepared(input, ctx)?;
            let (predicate, ctx) = (predicate.clone(), ctx.clone());
            let mut first = true;
            Box::new(input.filter_map(move |row| {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => return Some(Err(e)),
                };
                // Subqueries are built once a row needs them, together.
                if std::mem::take(&mut first) {
                    predicate.warm_subqueries();
                }
                match predicate.eval(&row, &ctx.eval()) {
                    Ok(Value::Boolean(true)) => Some(Ok(row)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                }
            }))
        }
        Plan::Project { input, exprs } => {
            // The scan under the projection's limits and sorts starts while
            // the input is being set up (they are eager), so its entry is
            // only there for that: a plan built for one execution of a
            // correlated subquery and dropped never leaves an address
            // behind that another node could come to occupy.
            let narrowed = super::narrow::projection_scan(input, exprs, ctx)?;
            let lock = || {
                ctx.narrowed
                    .lock()
                    .map_err(|_| SqlError::internal("narrowed scans poisoned"))
            };
            if let Some((scan, needed)) = &narrowed {
                lock()?.insert(*scan as *const Plan as usize, Arc::new(needed.clone()));
            }
            let input = run_prepared(input, ctx);
            if let Some((scan, _)) = &narrowed {
                lock()?.remove(&(*scan as *const Plan as usize));
            }
            let input = input?;
            let (exprs, ctx) = (exprs.clone(), ctx.clone());
            Box::new(input.map(move |row| row.and_then(|row| project(&exprs, &row, &ctx.eval()))))
        }
        Plan::Join {
            left,
            right,
            kind,
            equi,
            on,
            left_width,
            right_width,
        } => {
            let left = run_prepared(left, ctx)?;
            let right = run_prepared(right, ctx)?.collect::<SqlResult<Vec<_>>>()?;
            join(
                left,
                right,
                *kind,
                equi,
                on.as_ref(),
                *left_width,
                *right_width,
                ctx,
            )?
        }
        Plan::Aggregate {
            input,
            keys,
            aggs,
            arg_types,
        } => {
            if ctx.use_indexes
                && let Some(rows) = super::index_aggregate::run(plan, ctx)?
            {
                return Ok(Box::new(rows.into_iter().map(Ok)));
            }
            let input = match super::narrow::aggregate_input(input, keys, aggs, ctx)? {
                // EXPLAIN ANALYZE counts the narrow read as the input's.
                Some(rows) => match ctx.profile.as_ref().and_then(|p| Some((p, p.key(input)?))) {
                    Some((profile, key)) => profile.measure(key, rows, std::time::Duration::ZERO),
                    None => rows,
                },
                None => run_prepared(input, ctx)?,
            };
            aggregate(input, keys, aggs, arg_types, ctx)?
        }
        Plan::Sort { input, keys } => {
            let rows = run_prepared(input, ctx)?.collect::<SqlResult<Vec<_>>>()?;
            Box::new(sort(rows, keys, None, ctx)?.into_iter().map(Ok))
        }
        Plan::Window { input, calls } => {
            let rows = run_prepared(input, ctx)?.collect::<SqlResult<Vec<_>>>()?;
            let rows = super::window::evaluate(rows, calls, ctx)?;
            Box::new(rows.into_iter().map(Ok))
        }
        Plan::Distinct { input } => {
            let mut seen = std::collections::HashSet::new();
            let input = run_prepared(input, ctx)?;
            Box::new(input.filter(move |row| match row {
                Ok(r) => seen.insert(row_key(r)),
                Err(_) => true,
            }))
        }
        Plan::DistinctOn { input, keys } => {
            let mut seen = std::collections::HashSet::new();
            let input = run_prepared(input, ctx)?;
            let (keys, ctx) = (keys.clone(), ctx.clone());
            Box::new(input.filter_map(move |row| match row {
                Ok(r) => match project(&keys, &r, &ctx.eval()) {
                    Ok(k) => seen.insert(row_key(&k)).then_some(Ok(r)),
                    Err(e) => Some(Err(e)),
                },
                Err(e) => Some(Err(e)),
            }))
        }
        Plan::Limit {
            input,
            limit,
            offset,
        } => {
            let ev = ctx.eval();
            let count =
                |e: &Option<Expr>, what: &str, code: &'static str| -> SqlResult<Option<u64>> {
                    match e.as_ref().map(|e| e.eval(&[], &ev)).transpose()? {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::BigInt(n)) if n >= 0 => Ok(Some(n as u64)),
                        Some(_) => Err(SqlError::new(code, format!("{what} must not be negative"))),
                    }
                };
            let limit = count(limit, "LIMIT", code::INVALID_ROW_COUNT_IN_LIMIT)?;
            let offset = count(offset, "OFFSET", code::INVALID_ROW_COUNT_IN_OFFSET)?.unwrap_or(0);
            let input = match (&**input, limit) {
                // Only the first offset + limit rows of a sort are wanted.
                (Plan::Sort { input: rows, keys }, Some(n)) => {
                    let wanted = offset.saturating_add(n).min(usize::MAX as u64) as usize;
                    run_measured(input, ctx, || {
                        if let Some(profile) = &ctx.profile {
                            profile.note(input, format!("Sort Method: top-{wanted}"));
                        }
                        // An indexed first key cuts the scan's rows first.
                        let scan = rows;
                        let rows = run_measured(scan, ctx, || {
                            match super::index_top::rows(scan, keys, wanted, ctx)? {
                                Some(rows) => Ok(rows),
                                None => run_operator(scan, ctx),
                            }
                        })?
                        .collect::<SqlResult<Vec<_>>>()?;
                        Ok(Box::new(
                            sort(rows, keys, Some(wanted), ctx)?.into_iter().map(Ok),
                        ))
                    })?
                }
                _ => run_prepared(input, ctx)?,
            };
            let input = input.skip(offset as usize);
            match limit {
                Some(n) => Box::new(input.take(n as usize)),
                None => Box::new(input),
            }
        }
        Plan::WorkTable { id } => {
            let rows = ctx
                .work_tables
                .lock()
                .map_err(|_| SqlError::internal("work tables poisoned"))?
                .get(id)
                .cloned()
                .ok_or_else(|| SqlError::internal("work table read before it was filled"))?;
            Box::new((0..rows.len()).map(move |i| Ok(rows[i].clone())))
        }
        Plan::RecursiveUnion {
            id,
            all,
            anchor,
            recursive,
        } => Box::new(
            recursive_union(*id, *all, anchor, recursive, ctx)?
                .into_iter()
                .map(Ok),
        ),
        Plan::SetOperation {
            op,
            all,
            left,
            right,
        } => {
            let l = run_prepared(left, ctx)?;
            let r = run_prepared(right, ctx)?;
            set_operation(*op, *all, l, r)?
        }
    })
}

/// Runs WITH RECURSIVE: the anchor, then the recursive term over the rows
/// the last run added, until a run adds none.
fn recursive_union(
    id: usize,
    all: bool,
    anchor: &Plan,
    recursive: &Plan,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Vec<Vec<Value>>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut work = Vec::new();
    let mut add = |rows: Rows, out: &mut Vec<Vec<Value>>, work: &mut Vec<Vec<Value>>| {
        for r in rows {
            let r = r?;
            if all || seen.insert(row_key(&r)) {
                out.push(r.clone());
                work.push(r);
            }
        }
        if out.len() > MAX_RECURSIVE_ROWS {
            return Err(SqlError::new(
                code::PROGRAM_LIMIT_EXCEEDED,
                format!("WITH RECURSIVE query produced more than {MAX_RECURSIVE_ROWS} rows"),
            ));
        }
        Ok(())
    };
    add(run_prepared(anchor, ctx)?, &mut out, &mut work)?;
    let mut iterations = 0;
    while !work.is_empty() {
        iterations += 1;
        if iterations > MAX_RECURSION {
            return Err(SqlError::new(
                code::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "WITH RECURSIVE query did not finish after {MAX_RECURSION} iterations of its recursive term"
                ),
            ));
        }
        ctx.interrupt.check()?;
        ctx.work_tables
            .lock()
            .map_err(|_| SqlError::internal("work tables poisoned"))?
            .insert(id, Arc::new(std::mem::take(&mut work)));
        add(run_prepared(recursive, ctx)?, &mut out, &mut work)?;
    }
    Ok(out)
}

/// A hashable identity of a row: equal rows (NULLs equal) have equal keys.
pub(crate) fn row_key(row: &[Value]) -> Vec<u8> {
    let normalized: Vec<Value> = row
        .iter()
        .map(|v| match v {
            Value::Double(x) if *x == 0.0 => Value::Double(0.0),
            Value::Double(x) if x.is_nan() => Value::Double(f64::NAN),
            other => other.clone(),
        })
        .collect();
    let refs: Vec<&Value> = normalized.iter().collect();
    let mut out = Vec::new();
    encode_key(&refs, &mut out);
    out
}

#[allow(clippy::too_many_arguments)]
fn join(
    left: Rows,
    right: Vec<Vec<Value>>,
    kind: JoinKind,
    equi: &[(Expr, Expr)],
    on: Option<&Expr>,
    left_width: usize,
    right_width: usize,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Rows> {
    let ev = ctx.eval();
    // Hash the right side on its equi-join keys; NULL keys never match.
    let mut table: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    let mut right_keys_null = vec![false; right.len()];
    if !equi.is_empty() {
        for (i, r) in right.iter().enumerate() {
            let vals = equi
                .iter()
                .map(|(_, rk)| rk.eval(r, &ev))
                .collect::<SqlResult<Vec<_>>>()?;
            if vals.iter().any(Value::is_null) {
                right_keys_null[i] = true;
                continue;
            }
            table.entry(row_key(&vals)).or_default().push(i);
        }
    }
    let mut matched_right = vec![false; right.len()];
    let mut out = Vec::new();
    let all_right: Vec<usize> = (0..right.len()).collect();
    for l in left {
        let l = l?;
        if !equi.is_empty() || right.len() > CHECK_EVERY_ROWS {
            ctx.interrupt.check()?;
        }
        let candidates: &[usize] = if equi.is_empty() {
            &all_right
        } else {
            let vals = equi
                .iter()
                .map(|(lk, _)| lk.eval(&l, &ev))
                .collect::<SqlResult<Vec<_>>>()?;
            if vals.iter().any(Value::is_null) {
                &[]
            } else {
                table.get(&row_key(&vals)).map(Vec::as_slice).unwrap_or(&[])
            }
        };
        let mut any = false;
        for &i in candidates {
            let mut row = l.clone();
            row.extend(right[i].iter().cloned());
            let keep = match on {
                None => true,
                Some(c) => c.eval(&row, &ev)? == Value::Boolean(true),
            };
            if keep {
                any = true;
                matched_right[i] = true;
                out.push(row);
            }
        }
        if !any && matches!(kind, JoinKind::Left | JoinKind::Full) {
            let mut row = l;
            row.extend(std::iter::repeat_n(Value::Null, right_width));
            out.push(row);
        }
    }
    if matches!(kind, JoinKind::Right | JoinKind::Full) {
        for (i, r) in right.into_iter().enumerate() {
            if !matched_right[i] {
                let mut row = vec![Value::Null; left_width];
                row.extend(r);
                out.push(row);
            }
        }
    }
    let _ = right_keys_null;
    Ok(Box::new(out.into_iter().map(Ok)))
}

fn aggregate(
    input: Rows,
    keys: &[Expr],
    aggs: &[super::functions::aggregate::AggCall],
    arg_types: &[Option<DataType>],
    ctx: &Arc<ExecContext>,
) -> SqlResult<Rows> {
    let ev = ctx.eval();
    let new_accs = || Accumulator::for_calls(aggs, arg_types);
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut groups: Vec<(Vec<Value>, Vec<Accumulator>)> = Vec::new();
    if keys.is_empty() {
        groups.push((Vec::new(), new_accs()));
    }
    for row in input {
        let row = row?;
        let key_vals = project(keys, &row, &ev)?;
        let g = if keys.is_empty() {
            0
        } else {
            let k = row_key(&key_vals);
            match index.get(&k) {
                Some(&g) => g,
                None => {
                    groups.push((key_vals, new_accs()));
                    index.insert(k, groups.len() - 1);
                    groups.len() - 1
                }
            }
        };
        for (acc, call) in groups[g].1.iter_mut().zip(aggs) {
            let args = project(&call.args, &row, &ev)?;
            acc.add(&args, &ev)?;
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (mut keys, accs) in groups {
        for acc in accs {
            keys.push(acc.finish()?);
        }
        out.push(keys);
    }
    Ok(Box::new(out.into_iter().map(Ok)))
}

/// `rows` in the order of `keys`, ties in input order; with `first`,
/// only the first that many (a selection, then a sort of those: a
/// listing's LIMIT 50 over thousands of rows compares each row a few
/// times instead of log n times).
fn sort(
    rows: Vec<Vec<Value>>,
    keys: &[SortKey],
    first: Option<usize>,
    ctx: &Arc<ExecContext>,
) -> SqlResult<Vec<Vec<Value>>> {
    let ev = ctx.eval();
    let key_exprs: Vec<Expr> = keys.iter().map(|k| k.expr.clone()).collect();
    let mut decorated = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| Ok((project(&key_exprs, &r, &ev)?, i, r)))
        .collect::<SqlResult<Vec<_>>>()?;
    // The input position breaks ties, so that the selection keeps exactly
    // the rows a stable sort would put first.
    let order = |a: &(Vec<Value>, usize, Vec<Value>), b: &(Vec<Value>, usize, Vec<Value>)| {
        compare_sort_values(&a.0, &b.0, keys).then(a.1.cmp(&b.1))
    };
    if let Some(n) = first
        && n < decorated.len()
    {
        if n == 0 {
            return Ok(Vec::new());
        }
        decorated.select_nth_unstable_by(n - 1, order);
        decorated.truncate(n);
    }
    decorated.sort_unstable_by(order);
    Ok(decorated.into_iter().map(|(_, _, r)| r).collect())
}

/// The order of two rows' sort key values under `keys`.
pub(crate) fn compare_sort_values(
    a: &[Value],
    b: &[Value],
    keys: &[SortKey],
) -> std::cmp::Ordering {
    for (k, (x, y)) in keys.iter().zip(a.iter().zip(b)) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Less
                }
            }
            _ => {
                let o = sort_cmp(x, y);
                if k.descending { o.reverse() } else { o }
            }
        };
        if ord.is_ne() {
            return ord;
        }
    }
    std::cmp::Ordering::Equal
}

fn set_operation(op: SetOp, all: bool, left: Rows, right: Rows) -> SqlResult<Rows> {
    if op == SetOp::Union && all {
        return Ok(Box::new(left.chain(right)));
    }
    let left = left.collect::<SqlResult<Vec<_>>>()?;
    let right = right.collect::<SqlResult<Vec<_>>>()?;
    let mut out = Vec::new();
    match op {
        SetOp::Union => {
            let mut seen = std::collections::HashSet::new();
            for r in left.into_iter().chain(right) {
                if seen.insert(row_key(&r)) {
                    out.push(r);
                }
            }
        }
        SetOp::Intersect | SetOp::Except => {
            let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
            for r in &right {
                *counts.entry(row_key(r)).or_default() += 1;
            }
            let mut emitted = std::collections::HashSet::new();
            for r in left {
                let k = row_key(&r);
                let in_right = counts.get(&k).copied().unwrap_or(0);
                let keep = match (op, all) {
                    (SetOp::Intersect, true) => {
                        if in_right > 0 {
                            counts.insert(k.clone(), in_right - 1);
                            true
                        } else {
                            false
                        }
                    }
                    (SetOp::Intersect, false) => in_right > 0 && emitted.insert(k.clone()),
                    (SetOp::Except, true) => {
                        if in_right > 0 {
                            counts.insert(k.clone(), in_right - 1);
                            false
                        } else {
                            true
                        }
                    }
                    _ => in_right == 0 && emitted.insert(k.clone()),
                };
                if keep {
                    out.push(r);
                }
            }
        }
    }
    Ok(Box::new(out.into_iter().map(Ok)))
}
