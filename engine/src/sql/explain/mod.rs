//! EXPLAIN and EXPLAIN ANALYZE: a statement's plan as a result set of one
//! text column, `QUERY PLAN`, one line per operator and detail, as
//! PostgreSQL prints it — with the bitmap index behind each indexed
//! predicate, the residual filter, and for aggregates answered from
//! bitmaps that no row is read. ANALYZE runs the statement (INSERT,
//! UPDATE and DELETE included, as PostgreSQL does) and adds what each
//! operator did.

mod profile;
mod render;
mod show;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlparser::ast;

use crate::txn::Transaction;
use crate::types::{DataType, Value};

use super::error::{SqlError, SqlResult, code};
use super::executor::{self, StartTimes};
use super::interrupt::Interrupt;
use super::planner::{BoundStatement, ConflictAction, InsertSource};
use super::result::{Column, Description, Output};
use super::settings::Settings;

pub use profile::Profile;
use render::{Node, Render};

/// The one result column.
pub const COLUMN: &str = "QUERY PLAN";

/// EXPLAIN's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Options {
    analyze: bool,
    verbose: bool,
    timing: bool,
    summary: bool,
}

/// The explained statement and the options, from `EXPLAIN [ANALYZE]
/// [VERBOSE] stmt` or `EXPLAIN (option [value], …) stmt`.
fn options(stmt: &ast::Statement) -> SqlResult<(&ast::Statement, Options)> {
    let ast::Statement::Explain {
        describe_alias,
        analyze,
        verbose,
        query_plan,
        estimate,
        statement,
        format,
        options,
    } = stmt
    else {
        return Err(SqlError::internal("not an EXPLAIN"));
    };
    if *describe_alias != ast::DescribeAlias::Explain || *query_plan || *estimate {
        return Err(SqlError::syntax("syntax error at or near \"EXPLAIN\""));
    }
    let mut out = Options {
        analyze: *analyze,
        verbose: *verbose,
        timing: true,
        summary: false,
    };
    let mut timing = None;
    let mut summary = None;
    if format.is_some() {
        return Err(SqlError::unsupported("EXPLAIN formats other than TEXT"));
    }
    for o in options.iter().flatten() {
        let name = o.name.value.to_ascii_lowercase();
        let value = || match &o.arg {
            None => Ok(true),
            Some(arg) => boolean(&name, arg),
        };
        match name.as_str() {
            "analyze" => out.analyze = value()?,
            "verbose" => out.verbose = value()?,
            "timing" => timing = Some(value()?),
            "summary" => summary = Some(value()?),
            // Accepted as PostgreSQL does; crmdb has no costs or buffers
            // to show.
            "costs" | "buffers" | "settings" | "wal" => {
                value()?;
            }
            "format" => {
                let text = matches!(&o.arg, Some(ast::Expr::Identifier(i)) if i.value.eq_ignore_ascii_case("text"));
                if !text {
                    return Err(SqlError::unsupported("EXPLAIN formats other than TEXT"));
                }
            }
            other => {
                return Err(SqlError::new(
                    code::SYNTAX_ERROR,
                    format!("unrecognized EXPLAIN option \"{other}\""),
                ));
            }
        }
    }
    if timing == Some(true) && !out.analyze {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            "EXPLAIN option TIMING requires ANALYZE",
        ));
    }
    out.timing = timing.unwrap_or(true);
    out.summary = summary.unwrap_or(out.analyze);
    match &**statement {
        ast::Statement::Query(_)
        | ast::Statement::Insert(_)
        | ast::Statement::Update(_)
        | ast::Statement::Delete(_) => Ok((statement, out)),
        other => {
            let first = other.to_string();
            let word = first.split_whitespace().next().unwrap_or("");
            Err(SqlError::syntax(format!(
                "syntax error at or near \"{word}\""
            )))
        }
    }
}

fn boolean(name: &str, arg: &ast::Expr) -> SqlResult<bool> {
    let text = match arg {
        ast::Expr::Identifier(i) => i.value.to_ascii_lowercase(),
        ast::Expr::Value(v) => v.to_string().trim_matches('\'').to_ascii_lowercase(),
        other => other.to_string().to_ascii_lowercase(),
    };
    match text.as_str() {
        "true" | "on" | "1" | "yes" => Ok(true),
        "false" | "off" | "0" | "no" => Ok(false),
        _ => Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("{name} requires a Boolean value"),
        )),
    }
}

fn columns() -> Vec<Column> {
    vec![Column {
        name: COLUMN.into(),
        ty: DataType::Text,
    }]
}

/// Describe of an EXPLAIN: the explained statement's parameters, one text
/// column.
pub fn describe(
    stmt: &ast::Statement,
    describe_inner: impl FnOnce(&ast::Statement) -> SqlResult<Description>,
) -> SqlResult<Description> {
    let (inner, _) = options(stmt)?;
    let d = describe_inner(inner)?;
    Ok(Description {
        params: d.params,
        columns: Some(columns()),
    })
}

/// Runs EXPLAIN `stmt` in `txn`.
pub fn execute(
    stmt: &ast::Statement,
    txn: &mut Transaction,
    settings: &mut Settings,
    params: &[Value],
    times: StartTimes,
    interrupt: Interrupt,
    user: Option<&str>,
) -> SqlResult<Output> {
    let (inner, opts) = options(stmt)?;
    let planning = Instant::now();
    let (shown, ctx) =
        executor::bind_statement(inner, txn, settings, params, times, interrupt.clone(), user)?;
    let planning = planning.elapsed();
    let catalog = txn.catalog().clone();
    let tz = settings.time_zone().clone();
    let mut render = Render::new(&catalog, &tz);
    render.use_indexes = ctx.use_indexes;
    render.verbose = opts.verbose;
    render.timing = opts.timing;
    let mut lines = Vec::new();
    if !opts.analyze {
        statement_node(&mut render, &shown, None).lines(&mut lines);
        return Ok(output(lines));
    }
    let profile = Profile::new(plan_of(&shown));
    let mut ctx = ctx;
    ctx.profile = Some(profile.clone());
    let ctx = Arc::new(ctx);
    let start = Instant::now();
    let produced = match &shown {
        BoundStatement::Query(q) => drain(executor::run(&q.plan, &ctx)?)?,
        _ => {
            // The statement runs from its own binding (running consumes
            // it); its operators count for the shown plan's.
            let (bound, _) =
                executor::bind_statement(inner, txn, settings, params, times, interrupt, user)?;
            match executor::run_bound(bound, txn, settings, ctx.clone(), user)? {
                Output::Rows { rows, .. } => drain(rows)?,
                _ => 0,
            }
        }
    };
    let total = start.elapsed();
    render.profile = Some(&profile);
    let top = Top {
        produced,
        total,
        profile: &profile,
    };
    statement_node(&mut render, &shown, Some(top)).lines(&mut lines);
    if opts.summary {
        lines.push(format!("Planning Time: {:.3} ms", ms(planning)));
        lines.push(format!("Execution Time: {:.3} ms", ms(total)));
    }
    Ok(output(lines))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn drain(rows: impl Iterator<Item = SqlResult<Vec<Value>>>) -> SqlResult<u64> {
    let mut n = 0;
    for r in rows {
        r?;
        n += 1;
    }
    Ok(n)
}

fn output(lines: Vec<String>) -> Output {
    Output::Rows {
        columns: columns().into(),
        rows: Box::new(lines.into_iter().map(|l| Ok(vec![Value::Text(l)]))),
        command: "EXPLAIN",
    }
}

/// The query plan a statement runs, if it has one.
fn plan_of(b: &BoundStatement) -> Option<&super::plan::Plan> {
    match b {
        BoundStatement::Query(q) => Some(&q.plan),
        BoundStatement::Insert {
            source: InsertSource::Query(plan),
            ..
        } => Some(plan),
        _ => None,
    }
}

/// What ANALYZE measured of the statement as a whole.
struct Top<'a> {
    produced: u64,
    total: Duration,
    profile: &'a Profile,
}

/// The tree of a whole statement: a query's plan, or the INSERT, UPDATE
/// or DELETE over where its rows come from.
fn statement_node(render: &mut Render, b: &BoundStatement, top: Option<Top>) -> Node {
    let whole = |render: &Render, top: &Option<Top>| {
        top.as_ref().map(|t| {
            render.actual(&profile::NodeStats {
                loops: 1,
                rows: t.produced,
                first: t.total,
                total: t.total,
            })
        })
    };
    match b {
        BoundStatement::Query(q) => render.plan(&q.plan, &[], false).0,
        BoundStatement::Insert {
            table,
            source,
            on_conflict,
            ..
        } => {
            let mut node = Node::new(format!("Insert on {}", table.name));
            node.stats = whole(render, &top);
            if let Some(oc) = on_conflict {
                let what = match oc.action {
                    ConflictAction::Nothing => "NOTHING",
                    ConflictAction::Update { .. } => "UPDATE",
                };
                node.details.push(format!("Conflict Resolution: {what}"));
            }
            let child = match source {
                InsertSource::Values(rows) if rows.len() == 1 => Node::new("Result"),
                InsertSource::Values(_) => Node::new("Values Scan on \"*VALUES*\""),
                InsertSource::Query(plan) => render.plan(plan, &[], false).0,
            };
            node.children.push(child);
            node
        }
        BoundStatement::Update { table, filter, .. }
        | BoundStatement::Delete { table, filter, .. } => {
            let verb = if matches!(b, BoundStatement::Update { .. }) {
                "Update"
            } else {
                "Delete"
            };
            let mut node = Node::new(format!("{verb} on {}", table.name));
            node.stats = whole(render, &top);
            let mut scan = Node::new(format!("Seq Scan on {}", table.name));
            let names = render.table_columns(table.id, false);
            if let Some(f) = filter {
                let shown = render.show(&mut scan, &names, &[], |s| s.expr(f));
                scan.filter = Some(shown);
            }
            if let Some(t) = &top
                && let Some((read, kept, time)) = t.profile.dml()
            {
                scan.stats = Some(render.actual(&profile::NodeStats {
                    loops: 1,
                    rows: kept,
                    first: time,
                    total: time,
                }));
                if filter.is_some() {
                    scan.removed = Some(read.saturating_sub(kept));
                }
            }
            node.children.push(scan);
            node
        }
        _ => Node::new("Result"),
    }
}
