//! How statements reach the system catalogs: FROM items naming system
//! tables, casts to `regclass`/`oid`/…, the `~` operators, system
//! functions, and subqueries over system tables.
//!
//! Subqueries are supported where they read system tables only (or no
//! table): their rows are known when the statement is planned, so a
//! subquery becomes an expression over the outer row. A scalar subquery is
//! `CASE WHEN <row 1 matches> THEN <row 1's value> … END`, EXISTS an OR of
//! the rows' conditions, `x IN (subquery)` an OR of `condition AND x = v`.

use std::sync::Arc;

use sqlparser::ast::{self, BinaryOperator as B};

use crate::types::{DataType, Value};

use super::super::binder::{AggMode, Binder, Bound, Scope, Ty, ident_name};
use super::super::error::{SqlError, SqlResult, code};
use super::super::expr::{CmpOp, EvalContext, Expr};
use super::super::functions::Scalar;
use super::super::functions::aggregate::AggFunc;
use super::super::functions::system::SysFn;
use super::super::plan::Plan;
use super::super::planner::{QueryPlan, column_name};
use super::super::result::Column;
use super::{SystemCatalog, system_table};

fn sys(b: &Binder) -> SqlResult<Arc<SystemCatalog>> {
    b.system
        .clone()
        .ok_or_else(|| SqlError::internal("system catalogs are not available here"))
}

/// The (schema, table) a FROM name means, if it names a system table.
fn system_name(name: &ast::ObjectName) -> Option<(Option<String>, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(ident_name))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [t] => Some((None, t.clone())),
        [s, t] if s == "pg_catalog" || s == "information_schema" => {
            Some((Some(s.clone()), t.clone()))
        }
        _ => None,
    }
}

/// The columns and rows of the system table `name`, if it is one.
fn lookup_table(b: &Binder, name: &ast::ObjectName) -> SqlResult<Option<super::tables::TableRows>> {
    let Some((schema, table)) = system_name(name) else {
        return Ok(None);
    };
    let found = system_table(&*sys(b)?, schema.as_deref(), &table);
    if found.is_none() && schema.is_some() {
        return Err(SqlError::undefined_table(&format!(
            "{}.{table}",
            schema.unwrap_or_default()
        )));
    }
    Ok(found)
}

fn scope_of(columns: &[Column], qualifier: &str, alias: Option<&ast::TableAlias>) -> Scope {
    let renames: Vec<String> = alias
        .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
        .unwrap_or_default();
    crate::sql::planner::scope_of(columns, qualifier, &renames)
}

/// A FROM item naming a system table (`pg_class`, `pg_catalog.pg_class`,
/// `information_schema.tables`): its rows as VALUES. `is_cte` says whether
/// a bare name is a WITH query (which then wins).
pub(crate) fn table_factor(
    b: &Binder,
    t: &ast::TableFactor,
    is_cte: &dyn Fn(&str) -> bool,
) -> SqlResult<Option<(Plan, Scope)>> {
    let ast::TableFactor::Table {
        name,
        alias,
        args: None,
        ..
    } = t
    else {
        return Ok(None);
    };
    if name.0.len() == 1 && system_name(name).is_some_and(|(_, n)| is_cte(&n)) {
        return Ok(None);
    }
    let Some((columns, rows)) = lookup_table(b, name)? else {
        return Ok(None);
    };
    let qualifier = alias
        .as_ref()
        .map(|a| ident_name(&a.name))
        .unwrap_or_else(|| system_name(name).map(|(_, n)| n).unwrap_or_default());
    let rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(Expr::Literal).collect())
        .collect();
    Ok(Some((
        Plan::Values { rows },
        scope_of(&columns, &qualifier, alias.as_ref()),
    )))
}

/// Whether a FROM item is a system table without rows.
fn empty_factor(b: &Binder, t: &ast::TableFactor) -> bool {
    match t {
        ast::TableFactor::Table {
            name, args: None, ..
        } => matches!(lookup_table(b, name), Ok(Some((_, rows))) if rows.is_empty()),
        _ => false,
    }
}

/// A SELECT that reads an always-empty system table (pg_policy,
/// pg_trigger, pg_inherits, …) through an inner join returns no rows
/// whatever its expressions are: it is planned as empty, its output
/// columns typed text, without binding the expressions (which may use
/// arrays and functions crmdb does not have).
pub(crate) fn empty_select(b: &Binder, s: &ast::Select) -> Option<QueryPlan> {
    b.system.as_ref()?;
    let grouped = !matches!(&s.group_by, ast::GroupByExpr::Expressions(e, _) if e.is_empty())
        || s.having.is_some()
        || s.projection.iter().any(|i| match i {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                calls_aggregate(e)
            }
            _ => true,
        });
    if grouped {
        return None;
    }
    let empty = s.from.iter().any(|twj| {
        empty_factor(b, &twj.relation)
            || twj.joins.iter().any(|j| {
                matches!(
                    j.join_operator,
                    ast::JoinOperator::Join(_)
                        | ast::JoinOperator::Inner(_)
                        | ast::JoinOperator::CrossJoin(_)
                ) && empty_factor(b, &j.relation)
            })
    });
    if !empty {
        return None;
    }
    let columns = s
        .projection
        .iter()
        .map(|i| Column {
            name: match i {
                ast::SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                ast::SelectItem::UnnamedExpr(e) => column_name(e),
                _ => "?column?".into(),
            },
            ty: DataType::Text,
        })
        .collect();
    Some(QueryPlan {
        plan: Plan::Values { rows: Vec::new() },
        columns,
    })
}

/// Whether `e` calls an aggregate outside its subqueries.
fn calls_aggregate(e: &ast::Expr) -> bool {
    use std::ops::ControlFlow;
    struct Finder {
        depth: usize,
        found: bool,
    }
    impl ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, x: &ast::Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let ast::Expr::Function(f) = x
                && let Some(n) = f.name.0.last().and_then(|p| p.as_ident())
                && AggFunc::from_name(&ident_name(n)).is_some()
            {
                self.found = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Finder {
        depth: 0,
        found: false,
    };
    let _ = ast::Visit::visit(e, &mut f);
    f.found
}

// ---------------------------------------------------------------------
// Subqueries

/// One row a subquery may produce: when `cond` holds (over the outer
/// row), with these values (over the outer row).
struct Candidate {
    cond: Expr,
    values: Vec<Expr>,
}

struct Unrolled {
    rows: Vec<Candidate>,
    types: Vec<Ty>,
}

/// `e` with inner columns `0..inner.len()` replaced by their values and the
/// outer columns after them renumbered from 0.
fn substitute(e: &Expr, inner: &[Value]) -> Expr {
    let s = |x: &Expr| substitute(x, inner).boxed();
    let n = inner.len();
    match e {
        Expr::Column(i) if *i < n => Expr::Literal(inner[*i].clone()),
        Expr::Column(i) => Expr::Column(i - n),
        Expr::Literal(_) | Expr::Param(_) => e.clone(),
        Expr::Not(a) => Expr::Not(s(a)),
        Expr::Neg(a) => Expr::Neg(s(a)),
        Expr::IsNull(a) => Expr::IsNull(s(a)),
        Expr::IsBool(a, v) => Expr::IsBool(s(a), *v),
        Expr::Cast(a, t) => Expr::Cast(s(a), *t),
        Expr::And(a, b) => Expr::And(s(a), s(b)),
        Expr::Or(a, b) => Expr::Or(s(a), s(b)),
        Expr::Compare(op, a, b) => Expr::Compare(*op, s(a), s(b)),
        Expr::Arith(op, a, b) => Expr::Arith(*op, s(a), s(b)),
        Expr::Concat(a, b) => Expr::Concat(s(a), s(b)),
        Expr::NotDistinct(a, b) => Expr::NotDistinct(s(a), s(b)),
        Expr::InList { expr, list } => Expr::InList {
            expr: s(expr),
            list: list.iter().map(|x| substitute(x, inner)).collect(),
        },
        Expr::Like {
            expr,
            pattern,
            case_insensitive,
        } => Expr::Like {
            expr: s(expr),
            pattern: s(pattern),
            case_insensitive: *case_insensitive,
        },
        Expr::Case { whens, otherwise } => Expr::Case {
            whens: whens
                .iter()
                .map(|(c, v)| (substitute(c, inner), substitute(v, inner)))
                .collect(),
            otherwise: s(otherwise),
        },
        Expr::Call(f, args) => Expr::Call(*f, args.iter().map(|x| substitute(x, inner)).collect()),
        // Subqueries over user tables are not unrolled.
        Expr::Outer { .. } | Expr::Subquery(_) | Expr::Runtime(_) => e.clone(),
    }
}

/// `e` evaluated now if it reads neither the row nor parameters.
fn fold(b: &Binder, e: Expr) -> Expr {
    let ctx = EvalContext {
        params: &[],
        time_zone: b.time_zone,
        now: b.now,
    };
    match e.eval(&[], &ctx) {
        Ok(v) => Expr::Literal(v),
        Err(_) => e,
    }
}

fn and(a: Expr, b: Expr) -> Expr {
    match (&a, &b) {
        (Expr::Literal(Value::Boolean(true)), _) => b,
        (_, Expr::Literal(Value::Boolean(true))) => a,
        _ => Expr::And(a.boxed(), b.boxed()),
    }
}

fn or(a: Expr, b: Expr) -> Expr {
    match (&a, &b) {
        (Expr::Literal(Value::Boolean(false)), _) => b,
        (_, Expr::Literal(Value::Boolean(false))) => a,
        _ => Expr::Or(a.boxed(), b.boxed()),
    }
}

fn not_supported() -> SqlError {
    SqlError::unsupported("subqueries in expressions except over system catalogs")
}

/// The system tables of a subquery's FROM (inner joins and commas only):
/// their columns, every combination of their rows, the join conditions.
#[allow(clippy::type_complexity)]
fn from_rows(
    b: &Binder,
    from: &[ast::TableWithJoins],
) -> SqlResult<(Scope, Vec<Vec<Value>>, Vec<ast::Expr>)> {
    let mut scope = Scope::default();
    let mut rows: Vec<Vec<Value>> = vec![Vec::new()];
    let mut conds = Vec::new();
    let mut add = |t: &ast::TableFactor| -> SqlResult<()> {
        let ast::TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = t
        else {
            return Err(not_supported());
        };
        let (cols, trows) = lookup_table(b, name)?.ok_or_else(not_supported)?;
        let qualifier = alias
            .as_ref()
            .map(|a| ident_name(&a.name))
            .unwrap_or_else(|| system_name(name).map(|(_, n)| n).unwrap_or_default());
        scope
            .columns
            .extend(scope_of(&cols, &qualifier, alias.as_ref()).columns);
        let mut next = Vec::new();
        for r in &rows {
            for t in &trows {
                let mut x = r.clone();
                x.extend(t.iter().cloned());
                next.push(x);
            }
        }
        rows = next;
        Ok(())
    };
    for twj in from {
        add(&twj.relation)?;
        for j in &twj.joins {
            use ast::JoinOperator as J;
            match &j.join_operator {
                J::Join(c) | J::Inner(c) | J::CrossJoin(c) => {
                    add(&j.relation)?;
                    match c {
                        ast::JoinConstraint::On(e) => conds.push(e.clone()),
                        ast::JoinConstraint::None => {}
                        _ => return Err(not_supported()),
                    }
                }
                _ => return Err(not_supported()),
            }
        }
    }
    Ok((scope, rows, conds))
}

fn unroll_query(b: &mut Binder, q: &ast::Query, outer: &Scope) -> SqlResult<Unrolled> {
    if q.with.is_some() {
        return Err(not_supported());
    }
    unroll_set(b, &q.body, outer)
}

fn unroll_set(b: &mut Binder, body: &ast::SetExpr, outer: &Scope) -> SqlResult<Unrolled> {
    match body {
        ast::SetExpr::Query(q) => unroll_query(b, q, outer),
        ast::SetExpr::Select(s) => unroll_select(b, s, outer),
        ast::SetExpr::Values(v) => {
            let mut rows = Vec::new();
            let mut types: Vec<Ty> = Vec::new();
            for row in &v.rows {
                let mut values = Vec::new();
                for (i, e) in row.content.iter().enumerate() {
                    let x = b.expr(e, outer)?;
                    if types.len() <= i {
                        types.push(x.ty);
                    } else if types[i] == Ty::Unknown {
                        types[i] = x.ty;
                    }
                    values.push(x);
                }
                rows.push(values);
            }
            finish(
                b,
                rows.into_iter()
                    .map(|v| (Expr::Literal(Value::Boolean(true)), v)),
                types,
            )
        }
        ast::SetExpr::SetOperation {
            op: ast::SetOperator::Union,
            left,
            right,
            ..
        } => {
            let l = unroll_set(b, left, outer)?;
            let r = unroll_set(b, right, outer)?;
            if l.types.len() != r.types.len() {
                return Err(SqlError::syntax(
                    "each UNION query must have the same number of columns",
                ));
            }
            let mut types = Vec::new();
            for (x, y) in l.types.iter().zip(&r.types) {
                types.push(match (x, y) {
                    (Ty::Unknown, t) | (t, Ty::Unknown) => *t,
                    (Ty::Known(x), Ty::Known(y)) => {
                        Ty::Known(b.common(&[Ty::Known(*x), Ty::Known(*y)], "UNION")?)
                    }
                });
            }
            let mut rows = Vec::new();
            for (side, from) in [(l.rows, &l.types), (r.rows, &r.types)] {
                for c in side {
                    let mut values = Vec::new();
                    for ((v, from), to) in c.values.into_iter().zip(from).zip(&types) {
                        values.push(b.coerce(Bound { expr: v, ty: *from }, to.resolved())?);
                    }
                    rows.push(Candidate {
                        cond: c.cond,
                        values,
                    });
                }
            }
            Ok(Unrolled { rows, types })
        }
        _ => Err(not_supported()),
    }
}

fn finish(
    b: &mut Binder,
    rows: impl Iterator<Item = (Expr, Vec<Bound>)>,
    types: Vec<Ty>,
) -> SqlResult<Unrolled> {
    let mut out = Vec::new();
    for (cond, values) in rows {
        let mut vs = Vec::new();
        for (v, t) in values.into_iter().zip(&types) {
            vs.push(match t {
                Ty::Unknown => v.expr,
                Ty::Known(t) => b.coerce(v, *t)?,
            });
        }
        out.push(Candidate { cond, values: vs });
    }
    Ok(Unrolled { rows: out, types })
}

fn unroll_select(b: &mut Binder, s: &ast::Select, outer: &Scope) -> SqlResult<Unrolled> {
    if !matches!(&s.group_by, ast::GroupByExpr::Expressions(e, _) if e.is_empty())
        || s.having.is_some()
        || s.distinct.is_some()
    {
        return Err(not_supported());
    }
    // A set-returning pg_partition_ancestors(): crmdb has no partitions.
    if let [ast::SelectItem::UnnamedExpr(ast::Expr::Function(f))] = s.projection.as_slice()
        && f.name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(ident_name)
            .as_deref()
            == Some("pg_partition_ancestors")
    {
        return Ok(Unrolled {
            rows: Vec::new(),
            types: vec![Ty::Known(DataType::Integer)],
        });
    }
    let (inner, rows, mut conds) = from_rows(b, &s.from)?;
    let width = inner.columns.len();
    let mut scope = inner;
    scope.columns.extend(outer.columns.iter().cloned());
    if let Some(w) = &s.selection {
        conds.push(w.clone());
    }
    let mut cond = Expr::Literal(Value::Boolean(true));
    for c in &conds {
        let c = b.condition(c, &scope, &mut AggMode::Forbidden("WHERE"), "WHERE")?;
        cond = and(cond, c);
    }
    let mut values = Vec::new();
    for item in &s.projection {
        match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                values.push(b.expr(e, &scope)?)
            }
            _ => return Err(not_supported()),
        }
    }
    let types: Vec<Ty> = values.iter().map(|v| v.ty).collect();
    let mut out = Vec::new();
    for r in &rows {
        debug_assert_eq!(r.len(), width);
        let c = fold(b, substitute(&cond, r));
        if matches!(
            c,
            Expr::Literal(Value::Boolean(false)) | Expr::Literal(Value::Null)
        ) {
            continue;
        }
        let vs = values
            .iter()
            .map(|v| Bound {
                expr: fold(b, substitute(&v.expr, r)),
                ty: v.ty,
            })
            .collect();
        out.push((c, vs));
    }
    finish(b, out.into_iter(), types)
}

/// A subquery in an expression: `(SELECT …)`, `EXISTS (…)`, `x IN (…)`.
pub(crate) fn subquery(
    b: &mut Binder,
    e: &ast::Expr,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Bound> {
    if b.system.is_none() {
        return Err(not_supported());
    }
    match e {
        ast::Expr::Subquery(q) => {
            let u = unroll_query(b, q, scope)?;
            if u.types.len() != 1 {
                return Err(SqlError::syntax("subquery must return only one column"));
            }
            let ty = u.types[0];
            let mut whens = Vec::new();
            for c in u.rows {
                let v = c.values.into_iter().next().expect("one column");
                if matches!(c.cond, Expr::Literal(Value::Boolean(true))) && whens.is_empty() {
                    return Ok(Bound { expr: v, ty });
                }
                whens.push((c.cond, v));
            }
            let expr = if whens.is_empty() {
                Expr::Literal(Value::Null)
            } else {
                Expr::Case {
                    whens,
                    otherwise: Expr::Literal(Value::Null).boxed(),
                }
            };
            Ok(Bound { expr, ty })
        }
        ast::Expr::Exists { subquery, negated } => {
            let u = unroll_query(b, subquery, scope)?;
            let any = u
                .rows
                .into_iter()
                .fold(Expr::Literal(Value::Boolean(false)), |acc, c| {
                    or(acc, c.cond)
                });
            Ok(Bound {
                expr: if *negated {
                    Expr::Not(any.boxed())
                } else {
                    any
                },
                ty: Ty::Known(DataType::Boolean),
            })
        }
        ast::Expr::InSubquery {
            expr,
            subquery,
            negated,
        } => {
            let x = b.bind(expr, scope, mode)?;
            let u = unroll_query(b, subquery, scope)?;
            if u.types.len() != 1 {
                return Err(SqlError::syntax("subquery has too many columns"));
            }
            let ty = b.common(&[x.ty, u.types[0]], "IN")?;
            let x = b.coerce(x, ty)?;
            let mut any = Expr::Literal(Value::Boolean(false));
            for c in u.rows {
                let v = c.values.into_iter().next().expect("one column");
                let v = b.coerce(
                    Bound {
                        expr: v,
                        ty: u.types[0],
                    },
                    ty,
                )?;
                let eq = Expr::Compare(CmpOp::Eq, x.clone().boxed(), v.boxed());
                any = or(any, and(c.cond, eq));
            }
            Ok(Bound {
                expr: if *negated {
                    Expr::Not(any.boxed())
                } else {
                    any
                },
                ty: Ty::Known(DataType::Boolean),
            })
        }
        _ => Err(not_supported()),
    }
}

/// `ARRAY(subquery)`: the array in its text form (`{a,b}`), typed text.
pub(crate) fn array_subquery(
    b: &mut Binder,
    name: &str,
    q: &ast::Query,
    scope: &Scope,
) -> SqlResult<Bound> {
    if name != "array" || b.system.is_none() {
        return Err(not_supported());
    }
    let u = unroll_query(b, q, scope)?;
    let mut args = Vec::new();
    for c in u.rows {
        let v = c.values.into_iter().next().ok_or_else(not_supported)?;
        let v = Expr::Cast(v.boxed(), DataType::Text);
        args.push(Expr::Case {
            whens: vec![(c.cond, v)],
            otherwise: Expr::Literal(Value::Null).boxed(),
        });
    }
    Ok(Bound {
        expr: Expr::Call(Scalar::System(SysFn::ArrayText), args),
        ty: Ty::Known(DataType::Text),
    })
}

// ---------------------------------------------------------------------
// Types, operators, functions

/// A type of the system catalogs that crmdb maps onto its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SysType {
    /// oid, xid, cid: integer.
    Oid,
    /// regproc: a function's name, as text (the catalogs' typinput and
    /// friends hold names).
    RegProc,
    RegClass,
    RegType,
    RegNamespace,
    RegRole,
    /// A crmdb type under another name (name, "char", pg_catalog.text…).
    Plain(DataType),
}

/// The system type a cast names, if it is one.
pub(crate) fn sys_type(ty: &ast::DataType) -> Option<SysType> {
    let (name, mods) = match ty {
        ast::DataType::Regclass => return Some(SysType::RegClass),
        ast::DataType::Custom(name, mods) => (name, mods),
        _ => return None,
    };
    if !mods.is_empty() {
        return None;
    }
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_lowercase()))
        .collect::<Option<_>>()?;
    let last = match parts.as_slice() {
        [t] => t.as_str(),
        [s, t] if s == "pg_catalog" => t.as_str(),
        _ => return None,
    };
    Some(match last {
        "oid" | "xid" | "cid" => SysType::Oid,
        "regproc" | "regprocedure" => SysType::RegProc,
        "regclass" => SysType::RegClass,
        "regtype" => SysType::RegType,
        "regnamespace" => SysType::RegNamespace,
        "regrole" => SysType::RegRole,
        "name" | "char" | "text" | "varchar" | "bpchar" => SysType::Plain(DataType::Text),
        "int2" | "int4" | "integer" | "smallint" => SysType::Plain(DataType::Integer),
        "int8" | "bigint" => SysType::Plain(DataType::BigInt),
        "bool" | "boolean" => SysType::Plain(DataType::Boolean),
        "float8" | "float4" => SysType::Plain(DataType::Double),
        "numeric" => SysType::Plain(DataType::Numeric(None)),
        "date" => SysType::Plain(DataType::Date),
        "timestamptz" => SysType::Plain(DataType::TimestampTz),
        "timestamp" => SysType::Plain(DataType::Timestamp),
        "interval" => SysType::Plain(DataType::Interval),
        _ => return None,
    })
}

/// `CASE x WHEN k THEN v … ELSE otherwise END` over a lookup table.
fn lookup(x: Expr, table: Vec<(i64, String)>, otherwise: Expr) -> Expr {
    if table.is_empty() {
        return otherwise;
    }
    case_lookup(
        Expr::Cast(x.boxed(), DataType::BigInt),
        table
            .into_iter()
            .map(|(k, v)| (Value::BigInt(k), Value::Text(v))),
        otherwise,
    )
}

/// `CASE WHEN key = k THEN v … ELSE otherwise END` for constant pairs
/// `(k, v)`: how the catalog functions look an expression up in a table
/// known when the statement is bound.
pub(super) fn case_lookup(
    key: Expr,
    pairs: impl IntoIterator<Item = (Value, Value)>,
    otherwise: Expr,
) -> Expr {
    Expr::Case {
        whens: pairs
            .into_iter()
            .map(|(k, v)| {
                (
                    Expr::Compare(CmpOp::Eq, key.clone().boxed(), Expr::Literal(k).boxed()),
                    Expr::Literal(v),
                )
            })
            .collect(),
        otherwise: otherwise.boxed(),
    }
}

fn text_of_int(x: Expr) -> Expr {
    Expr::Cast(x.boxed(), DataType::Text)
}

fn known_text(expr: Expr) -> Bound {
    Bound {
        expr,
        ty: Ty::Known(DataType::Text),
    }
}

fn oid_operand(b: &mut Binder, x: Bound) -> SqlResult<Expr> {
    match x.ty {
        Ty::Known(DataType::BigInt) => Ok(x.expr),
        _ => b.coerce(x, DataType::Integer),
    }
}

/// `array[i]` over an array in text form (`(current_schemas(false))[1]`).
pub(crate) fn subscript(
    b: &mut Binder,
    root: &ast::Expr,
    access: &[ast::AccessExpr],
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Bound> {
    let [ast::AccessExpr::Subscript(ast::Subscript::Index { index })] = access else {
        return Err(SqlError::unsupported(format!(
            "the expression {root}{}",
            access.iter().map(|a| a.to_string()).collect::<String>()
        )));
    };
    let a = b.bind(root, scope, mode)?;
    let a = b.coerce(a, DataType::Text)?;
    let i = b.bind(index, scope, mode)?;
    let i = b.coerce(i, DataType::Integer)?;
    Ok(known_text(Expr::Call(
        Scalar::System(SysFn::ArrayElement),
        vec![a, i],
    )))
}

/// `x::t` for a system type `t`. Names become OIDs (`'customers'::regclass`
/// is an integer); OIDs become names (`oid::regclass` is text).
pub(crate) fn cast(b: &mut Binder, x: Bound, t: SysType) -> SqlResult<Bound> {
    let sys = sys(b)?;
    let literal = match (&x.expr, x.ty) {
        (Expr::Literal(Value::Text(s)), Ty::Unknown) => Some(s.clone()),
        _ => None,
    };
    let int = |i: i32| Bound {
        expr: Expr::Literal(Value::Integer(i)),
        ty: Ty::Known(DataType::Integer),
    };
    let undefined = |what: &str, s: &str| {
        SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("{what} \"{s}\" does not exist"),
        )
    };
    match t {
        SysType::Plain(ty) => b.cast(x, ty),
        SysType::Oid => b.cast(x, DataType::Integer),
        SysType::RegProc => match literal {
            Some(s) => Ok(known_text(Expr::Literal(Value::Text(
                s.strip_prefix("pg_catalog.").unwrap_or(&s).to_owned(),
            )))),
            None => Ok(known_text(b.coerce(x, DataType::Text)?)),
        },
        SysType::RegClass => match literal {
            Some(s) => sys
                .regclass_oid(&s)
                .map(int)
                .ok_or_else(|| SqlError::undefined_table(&s)),
            None => {
                let x = oid_operand(b, x)?;
                let mut table: Vec<(i64, String)> = sys
                    .relations()
                    .into_iter()
                    .map(|r| (i64::from(r.oid), super::quote_ident(&r.name)))
                    .collect();
                table.extend(
                    super::tables::SYSTEM_TABLES
                        .iter()
                        .map(|(n, o, _)| (i64::from(*o), (*n).to_owned())),
                );
                Ok(known_text(lookup(x.clone(), table, text_of_int(x))))
            }
        },
        SysType::RegType => match literal {
            Some(s) => match s.parse::<i32>() {
                Ok(n) => Ok(int(n)),
                Err(_) => super::regtype_oid(&s)
                    .map(int)
                    .ok_or_else(|| undefined("type", &s)),
            },
            None => {
                let x = oid_operand(b, x)?;
                Ok(known_text(Expr::Call(
                    Scalar::System(SysFn::FormatType),
                    vec![x, Expr::Literal(Value::Null)],
                )))
            }
        },
        SysType::RegNamespace => match literal {
            Some(s) => match s.as_str() {
                "pg_catalog" => Ok(int(super::PG_CATALOG_OID)),
                "public" => Ok(int(super::PUBLIC_OID)),
                "information_schema" => Ok(int(super::INFORMATION_SCHEMA_OID)),
                _ => s
                    .parse::<i32>()
                    .map(int)
                    .map_err(|_| undefined("schema", &s)),
            },
            None => {
                let x = oid_operand(b, x)?;
                let table = vec![
                    (i64::from(super::PG_CATALOG_OID), "pg_catalog".into()),
                    (i64::from(super::PUBLIC_OID), "public".into()),
                    (
                        i64::from(super::INFORMATION_SCHEMA_OID),
                        "information_schema".into(),
                    ),
                ];
                Ok(known_text(lookup(x.clone(), table, text_of_int(x))))
            }
        },
        SysType::RegRole => match literal {
            Some(s) => sys
                .roles()
                .into_iter()
                .find(|(_, r)| r.name == s)
                .map(|(o, _)| int(o))
                .ok_or_else(|| undefined("role", &s)),
            None => {
                let x = oid_operand(b, x)?;
                Ok(known_text(lookup(
                    x.clone(),
                    role_table(&sys),
                    text_of_int(x),
                )))
            }
        },
    }
}

fn role_table(sys: &SystemCatalog) -> Vec<(i64, String)> {
    let mut t: Vec<(i64, String)> = sys
        .roles()
        .into_iter()
        .map(|(o, r)| (i64::from(o), r.name.clone()))
        .collect();
    t.push((
        i64::from(super::DATABASE_OWNER_ROLE_OID),
        "pg_database_owner".into(),
    ));
    t
}

/// Operators the binder does not know: `~`, `~*`, `!~`, `!~*` and
/// `OPERATOR(pg_catalog.op)`.
pub(crate) fn binary(
    b: &mut Binder,
    left: &ast::Expr,
    op: &B,
    right: &ast::Expr,
    scope: &Scope,
    mode: &mut AggMode,
) -> SqlResult<Option<Bound>> {
    let (ci, negated) = match op {
        B::PGRegexMatch => (false, false),
        B::PGRegexIMatch => (true, false),
        B::PGRegexNotMatch => (false, true),
        B::PGRegexNotIMatch => (true, true),
        B::PGCustomBinaryOperator(parts) => {
            let std = match parts.as_slice() {
                [s, o] if s.eq_ignore_ascii_case("pg_catalog") => o.as_str(),
                [o] => o.as_str(),
                _ => return Ok(None),
            };
            let op = match std {
                "~" => B::PGRegexMatch,
                "~*" => B::PGRegexIMatch,
                "!~" => B::PGRegexNotMatch,
                "!~*" => B::PGRegexNotIMatch,
                "=" => B::Eq,
                "<>" | "!=" => B::NotEq,
                "<" => B::Lt,
                "<=" => B::LtEq,
                ">" => B::Gt,
                ">=" => B::GtEq,
                "~~" => B::PGLikeMatch,
                "!~~" => B::PGNotLikeMatch,
                "~~*" => B::PGILikeMatch,
                "!~~*" => B::PGNotILikeMatch,
                "||" => B::StringConcat,
                _ => return Ok(None),
            };
            let e = ast::Expr::BinaryOp {
                left: Box::new(left.clone()),
                op,
                right: Box::new(right.clone()),
            };
            return b.bind(&e, scope, mode).map(Some);
        }
        _ => return Ok(None),
    };
    let x = b.bind(left, scope, mode)?;
    let x = b.coerce(x, DataType::Text)?;
    let p = b.bind(right, scope, mode)?;
    let p = b.coerce(p, DataType::Text)?;
    let test = Expr::Call(Scalar::System(SysFn::RegexMatch(ci)), vec![x, p]);
    Ok(Some(Bound {
        expr: if negated {
            Expr::Not(test.boxed())
        } else {
            test
        },
        ty: Ty::Known(DataType::Boolean),
    }))
}

/// System functions by name, after crmdb's own.
pub(crate) fn call(b: &mut Binder, name: &str, args: Vec<Bound>) -> SqlResult<Option<Bound>> {
    let Some(sys) = b.system.clone() else {
        return Ok(None);
    };
    let text = |s: String| Bound {
        expr: Expr::Literal(Value::Text(s)),
        ty: Ty::Known(DataType::Text),
    };
    let boolean = |v: bool| Bound {
        expr: Expr::Literal(Value::Boolean(v)),
        ty: Ty::Known(DataType::Boolean),
    };
    let null_text = || Bound {
        expr: Expr::Literal(Value::Null),
        ty: Ty::Known(DataType::Text),
    };
    let n = args.len();
    let mut args = args.into_iter();
    let mut oid_arg = |b: &mut Binder| -> SqlResult<Expr> {
        let x = args.next().expect("arity checked");
        oid_operand(b, x)
    };
    Ok(Some(match (name, n) {
        ("pg_table_is_visible" | "pg_type_is_visible" | "pg_function_is_visible", 1) => {
            boolean(true)
        }
        ("has_table_privilege" | "has_any_column_privilege", 2 | 3)
        | ("has_column_privilege", 3 | 4) => {
            return super::privilege::has_privilege(b, &sys, name, args.collect()).map(Some);
        }
        // Everyone may use the schemas and connect to the database.
        ("has_schema_privilege" | "has_database_privilege", 2 | 3) => boolean(true),
        ("pg_is_in_recovery", 0) | ("pg_relation_is_publishable", 1) => boolean(false),
        ("format_type", 2) => {
            let x = oid_arg(b)?;
            let m = args.next().expect("arity checked");
            let m = b.coerce(m, DataType::Integer)?;
            known_text(Expr::Call(Scalar::System(SysFn::FormatType), vec![x, m]))
        }
        ("pg_get_indexdef", 1 | 3) => {
            let x = oid_arg(b)?;
            let table = sys
                .indexes()
                .into_iter()
                .filter_map(|i| {
                    sys.index_def(i64::from(i.oid))
                        .map(|d| (i64::from(i.oid), d))
                })
                .collect();
            known_text(lookup(x, table, Expr::Literal(Value::Null)))
        }
        ("pg_get_constraintdef", 1 | 2) => {
            let x = oid_arg(b)?;
            let table = sys
                .constraints()
                .into_iter()
                .map(|c| (i64::from(c.oid), c.def))
                .collect();
            known_text(lookup(x, table, Expr::Literal(Value::Null)))
        }
        ("pg_get_userbyid", 1) => {
            let x = oid_arg(b)?;
            let unknown = Expr::Concat(
                Expr::Concat(
                    Expr::Literal(Value::Text("unknown (OID=".into())).boxed(),
                    text_of_int(x.clone()).boxed(),
                )
                .boxed(),
                Expr::Literal(Value::Text(")".into())).boxed(),
            );
            known_text(lookup(x, role_table(&sys), unknown))
        }
        ("pg_get_expr", 2 | 3) => {
            // adbin holds the expression's SQL text already.
            let x = args.next().expect("arity checked");
            known_text(b.coerce(x, DataType::Text)?)
        }
        ("obj_description" | "shobj_description" | "col_description", 1 | 2) => null_text(),
        ("pg_encoding_to_char", 1) => {
            let x = args.next().expect("arity checked");
            let x = b.coerce(x, DataType::Integer)?;
            known_text(Expr::Call(Scalar::System(SysFn::EncodingToChar), vec![x]))
        }
        ("array_to_string", 2) => {
            let x = args.next().expect("arity checked");
            let x = b.coerce(x, DataType::Text)?;
            let sep = args.next().expect("arity checked");
            let sep = b.coerce(sep, DataType::Text)?;
            known_text(Expr::Call(
                Scalar::System(SysFn::ArrayToString),
                vec![x, sep],
            ))
        }
        ("array_upper" | "array_length", 2) => {
            let x = args.next().expect("arity checked");
            let x = b.coerce(x, DataType::Text)?;
            let d = args.next().expect("arity checked");
            let d = b.coerce(d, DataType::Integer)?;
            Bound {
                expr: Expr::Call(Scalar::System(SysFn::ArrayUpper), vec![x, d]),
                ty: Ty::Known(DataType::Integer),
            }
        }
        ("pg_size_pretty", 1) => {
            let x = args.next().expect("arity checked");
            let x = b.coerce(x, DataType::BigInt)?;
            known_text(Expr::Call(Scalar::System(SysFn::SizePretty), vec![x]))
        }
        (
            "pg_relation_size" | "pg_total_relation_size" | "pg_table_size" | "pg_indexes_size",
            1,
        ) => Bound {
            expr: Expr::Literal(Value::BigInt(0)),
            ty: Ty::Known(DataType::BigInt),
        },
        // The OID of a type name, NULL for none.
        ("to_regtype", 1) => {
            let x = args.next().expect("arity checked");
            if let (Expr::Literal(Value::Text(s)), _) = (&x.expr, x.ty) {
                return Ok(Some(Bound {
                    expr: Expr::Literal(super::regtype_oid(s).map_or(Value::Null, Value::Integer)),
                    ty: Ty::Known(DataType::Integer),
                }));
            }
            let x = b.coerce(x, DataType::Text)?;
            let key = Expr::Call(Scalar::Lower, vec![x]);
            Bound {
                expr: case_lookup(
                    key,
                    super::type_names()
                        .into_iter()
                        .map(|(name, oid)| (Value::Text(name), Value::Integer(oid))),
                    Expr::Literal(Value::Null),
                ),
                ty: Ty::Known(DataType::Integer),
            }
        }
        ("current_schema", 0) => text("public".into()),
        ("current_schemas", 1) => {
            let x = args.next().expect("arity checked");
            let x = b.coerce(x, DataType::Boolean)?;
            known_text(Expr::Case {
                whens: vec![(x, Expr::Literal(Value::Text("{pg_catalog,public}".into())))],
                otherwise: Expr::Literal(Value::Text("{public}".into())).boxed(),
            })
        }
        ("current_user" | "session_user" | "user" | "current_role", 0) => text(sys.current_user()),
        ("current_database" | "current_catalog", 0) => text(super::DATABASE_NAME.into()),
        ("version", 0) => text(format!(
            "PostgreSQL 15.0 (crmdb {}) on {}-{}, 64-bit",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH,
            std::env::consts::OS
        )),
        _ => return Ok(None),
    }))
}
