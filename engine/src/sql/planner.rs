//! The planner: a statement's syntax tree to a [`BoundStatement`] — for a
//! query, a [`Plan`] and its result columns.

use std::ops::ControlFlow;
use std::sync::Arc;

use sqlparser::ast::{self, Visit, Visitor};

use crate::catalog::{Catalog, TableDef};
use crate::types::{DataType, Value};

use super::binder::{
    AggMode, Binder, Bound, Grouping, OuterScope, Scope, ScopeColumn, Ty, ident_name,
};
use super::copy::{CopyOptions, CopyPlan};
use super::error::{SqlError, SqlResult, code};
use super::expr::{CmpOp, Expr};
use super::functions::Scalar;
use super::functions::aggregate::AggFunc;
use super::plan::{JoinKind, Plan, SetOp, SortKey};
use super::result::{Column, Description};
use super::settings::Settings;
use super::subquery::{self, SubqueryKind};
use super::window::{self, WindowCollector};

/// A planned query: its plan and result columns.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    pub plan: Plan,
    pub columns: Vec<Column>,
}

/// A bound INSERT, UPDATE or DELETE … RETURNING list.
#[derive(Debug, Clone)]
pub struct Returning {
    /// Over the table's row (the new row for INSERT and UPDATE).
    pub exprs: Vec<Expr>,
    pub columns: Vec<Column>,
}

/// Where inserted rows come from.
#[derive(Debug)]
pub enum InsertSource {
    /// VALUES rows; `None` is DEFAULT.
    Values(Vec<Vec<Option<Expr>>>),
    /// A query's rows, already cast to the target columns' types.
    Query(Plan),
}

/// INSERT … ON CONFLICT.
#[derive(Debug)]
pub struct OnConflict {
    /// The constraints whose conflicts are handled: None is the primary
    /// key, Some(i) the table's UNIQUE constraint i.
    pub constraints: Vec<Option<usize>>,
    pub action: ConflictAction,
}

/// What to do with a row that conflicts.
#[derive(Debug)]
pub enum ConflictAction {
    Nothing,
    /// SET and WHERE over the existing row followed by the proposed one
    /// (`excluded`).
    Update {
        assignments: Vec<(usize, Expr)>,
        filter: Option<Expr>,
    },
}

/// A statement ready to execute.
#[derive(Debug)]
pub enum BoundStatement {
    Query(QueryPlan),
    Insert {
        table: Arc<TableDef>,
        /// One row per inserted row, one value per target column.
        source: InsertSource,
        /// For each source column, the table column it fills.
        targets: Vec<usize>,
        /// For each table column, its DEFAULT (NULL when none).
        defaults: Vec<Expr>,
        returning: Option<Returning>,
        on_conflict: Option<OnConflict>,
    },
    Update {
        table: Arc<TableDef>,
        filter: Option<Expr>,
        /// (table column, new value over the old row).
        assignments: Vec<(usize, Expr)>,
        returning: Option<Returning>,
    },
    Delete {
        table: Arc<TableDef>,
        filter: Option<Expr>,
        returning: Option<Returning>,
    },
    CreateTable {
        def: TableDef,
        if_not_exists: bool,
    },
    DropTable {
        names: Vec<String>,
        if_exists: bool,
    },
    Truncate {
        names: Vec<String>,
    },
    CreateIndex(super::index_ddl::CreateIndex),
    DropIndex {
        names: Vec<String>,
        if_exists: bool,
    },
    Set {
        name: String,
        value: Option<String>,
    },
    Show {
        name: String,
    },
    Copy(Box<CopyPlan>),
}

impl BoundStatement {
    /// The result columns, for statements that return rows.
    pub fn columns(&self) -> Option<Vec<Column>> {
        match self {
            BoundStatement::Query(q) => Some(q.columns.clone()),
            BoundStatement::Insert { returning, .. }
            | BoundStatement::Update { returning, .. }
            | BoundStatement::Delete { returning, .. } => {
                returning.as_ref().map(|r| r.columns.clone())
            }
            BoundStatement::Show { name } => Some(vec![Column {
                name: name.clone(),
                ty: DataType::Text,
            }]),
            _ => None,
        }
    }
}

/// A table's CHECK constraints bound to its rows: (name, condition).
pub fn bind_checks(def: &TableDef, binder: &mut Binder) -> SqlResult<Vec<(String, Expr)>> {
    let columns = table_columns(def);
    let scope = scope_of(&columns, &def.name, &[]);
    def.checks
        .iter()
        .map(|c| {
            let e = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                .try_with_sql(&c.expr)
                .and_then(|mut p| p.parse_expr())
                .map_err(|e| {
                    SqlError::syntax(format!(
                        "CHECK constraint \"{}\" does not parse: {e}",
                        c.name
                    ))
                })?;
            let cond = binder.condition(
                &e,
                &scope,
                &mut AggMode::Forbidden("check constraints"),
                "CHECK",
            )?;
            Ok((c.name.clone(), cond))
        })
        .collect()
}

/// Describes a statement without running it.
pub fn describe(
    stmt: &ast::Statement,
    catalog: &Catalog,
    settings: &Settings,
    declared: &[Option<DataType>],
    user: Option<&str>,
) -> SqlResult<Description> {
    if super::roles::is_role_statement(stmt) {
        return Ok(Description {
            params: Vec::new(),
            columns: None,
        });
    }
    let mut binder = Binder::new(
        declared,
        settings.time_zone(),
        crate::types::datetime::system_now(),
    );
    binder.current_user = user.map(str::to_owned);
    let bound = plan_statement(stmt, catalog, &mut binder)?;
    Ok(Description {
        params: binder.param_types(),
        columns: bound.columns(),
    })
}

/// Plans any statement crmdb runs (transaction control is the session's).
pub fn plan_statement(
    stmt: &ast::Statement,
    catalog: &Catalog,
    binder: &mut Binder,
) -> SqlResult<BoundStatement> {
    use ast::Statement as S;
    binder.system = Some(Arc::new(super::system::SystemCatalog::new(
        catalog,
        binder.current_user.clone(),
    )));
    let mut planner = Planner { catalog, binder };
    match stmt {
        S::Query(q) => Ok(BoundStatement::Query(planner.query(q)?)),
        S::Insert(insert) => planner.insert(insert),
        S::Update(update) => planner.update(update),
        S::Delete(delete) => planner.delete(delete),
        S::CreateTable(create) => {
            if create.query.is_some() || create.like.is_some() || create.temporary {
                return Err(SqlError::unsupported(
                    "CREATE TABLE AS, LIKE and TEMPORARY tables",
                ));
            }
            let def = super::ddl::table_def(create, catalog).map_err(ddl_error)?;
            Ok(BoundStatement::CreateTable {
                def,
                if_not_exists: create.if_not_exists,
            })
        }
        S::Drop {
            object_type: ast::ObjectType::Table,
            if_exists,
            names,
            cascade: false,
            ..
        } => Ok(BoundStatement::DropTable {
            names: names.iter().map(object_name).collect::<SqlResult<_>>()?,
            if_exists: *if_exists,
        }),
        S::CreateIndex(c) => Ok(BoundStatement::CreateIndex(super::index_ddl::bind_create(
            c,
        )?)),
        S::Drop {
            object_type: ast::ObjectType::Index,
            if_exists,
            names,
            cascade: false,
            ..
        } => Ok(BoundStatement::DropIndex {
            names: names.iter().map(object_name).collect::<SqlResult<_>>()?,
            if_exists: *if_exists,
        }),
        S::Truncate(t) => Ok(BoundStatement::Truncate {
            names: t
                .table_names
                .iter()
                .map(|n| object_name(&n.name))
                .collect::<SqlResult<_>>()?,
        }),
        S::Set(set) => planner.set(set),
        S::Copy {
            source,
            to,
            target,
            options,
            legacy_options,
            values,
        } => {
            let options = CopyOptions::from_ast(options, legacy_options, *to)?;
            let stdio = if *to {
                matches!(target, ast::CopyTarget::Stdout)
            } else {
                matches!(target, ast::CopyTarget::Stdin)
            };
            if !stdio {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    "COPY to or from a file or program is not supported",
                )
                .with_hint("Use COPY … FROM STDIN or TO STDOUT, as psql's \\copy does."));
            }
            if !values.is_empty() {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    "COPY FROM STDIN must be the last statement of a query string",
                ));
            }
            let plan = planner.copy(source, *to, options)?;
            Ok(BoundStatement::Copy(Box::new(plan)))
        }
        S::ShowVariable { variable } => Ok(BoundStatement::Show {
            name: canonical_setting_name(
                &variable
                    .iter()
                    .map(ident_name)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace("time zone", "timezone"),
            ),
        }),
        other => Err(SqlError::unsupported(format!(
            "the statement {}",
            first_words(&other.to_string())
        ))),
    }
}

/// The positions of the columns `names` of `def` (all columns when none
/// are named), for INSERT's and COPY's column lists.
fn column_targets(def: &TableDef, names: &[String]) -> SqlResult<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..def.columns.len()).collect());
    }
    let mut targets = Vec::with_capacity(names.len());
    for name in names {
        let pos = def.column_index(name).ok_or_else(|| {
            SqlError::new(
                code::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    def.name
                ),
            )
        })?;
        if targets.contains(&pos) {
            return Err(SqlError::new(
                code::DUPLICATE_COLUMN,
                format!("column \"{name}\" specified more than once"),
            ));
        }
        targets.push(pos);
    }
    Ok(targets)
}

/// A setting's name as PostgreSQL spells it (SHOW's column name).
fn canonical_setting_name(name: &str) -> String {
    match name {
        "timezone" => "TimeZone",
        "datestyle" => "DateStyle",
        "intervalstyle" => "IntervalStyle",
        other => other,
    }
    .to_owned()
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Maps the DDL translator's errors to SQLSTATEs.
fn ddl_error(e: crate::Error) -> SqlError {
    use crate::Error as E;
    match e {
        E::Invalid(m) if m.contains("already exists") => SqlError::new(code::DUPLICATE_TABLE, m),
        E::Invalid(m) if m.contains("specified more than once") => {
            SqlError::new(code::DUPLICATE_COLUMN, m)
        }
        E::Invalid(m) if m.contains("not supported") => {
            SqlError::new(code::FEATURE_NOT_SUPPORTED, m)
        }
        E::Invalid(m) if m.contains("syntax") => SqlError::syntax(m),
        E::Invalid(m) => SqlError::new(code::INVALID_TABLE_DEFINITION, m),
        E::NotFound(m) if m.contains("column") => SqlError::new(code::UNDEFINED_COLUMN, m),
        other => SqlError::from(other),
    }
}

pub(crate) fn object_name(name: &ast::ObjectName) -> SqlResult<String> {
    match name.0.as_slice() {
        [part] => part.as_ident().map(ident_name),
        [schema, part] if schema.as_ident().is_some_and(|s| ident_name(s) == "public") => {
            part.as_ident().map(ident_name)
        }
        _ => None,
    }
    .ok_or_else(|| SqlError::unsupported(format!("the name {name}")))
}

/// SQLSTATE of a malformed WITH RECURSIVE.
const INVALID_RECURSION: &str = "42P19";

/// Whether a query (or part of one) reads the relation `name`.
fn reads_relation<T: Visit>(node: &T, name: &str) -> bool {
    struct Finder<'n>(&'n str, bool);
    impl Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_relation(&mut self, r: &ast::ObjectName) -> ControlFlow<()> {
            if let [part] = r.0.as_slice()
                && part.as_ident().is_some_and(|i| ident_name(i) == self.0)
            {
                self.1 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Finder(name, false);
    let _ = node.visit(&mut f);
    f.1
}

/// SQLSTATE of a FROM clause naming one table or alias twice.
const DUPLICATE_ALIAS: &str = "42712";

/// More column aliases than the table has columns: 42P10.
fn check_renames(qualifier: &str, columns: &[Column], renames: &[String]) -> SqlResult<()> {
    if renames.len() > columns.len() {
        return Err(SqlError::new(
            code::INVALID_COLUMN_REFERENCE,
            format!(
                "table \"{qualifier}\" has {} columns available but {} columns specified",
                columns.len(),
                renames.len()
            ),
        ));
    }
    Ok(())
}

struct Planner<'a, 'b, 'c> {
    catalog: &'a Catalog,
    binder: &'b mut Binder<'c>,
}

/// Plans a subquery of an expression bound in `outer`, whose columns the
/// subquery may read (as outer references). `grouped`: `outer` is the
/// scope of a grouped query's input.
pub(crate) fn plan_subquery(
    binder: &mut Binder,
    q: &ast::Query,
    outer: &Scope,
    grouped: bool,
) -> SqlResult<QueryPlan> {
    let system = binder
        .system
        .clone()
        .ok_or_else(|| SqlError::unsupported("a subquery here"))?;
    binder.outer.push(OuterScope {
        scope: outer.clone(),
        grouped,
    });
    // The subquery's window calls are its own.
    let windows = binder.windows.take();
    let result = Planner {
        catalog: &system.catalog,
        binder: &mut *binder,
    }
    .query(q);
    binder.windows = windows;
    binder.outer.pop();
    result
}

/// Whether an expression list calls an aggregate function (outside any subquery).
fn has_aggregate<'e>(exprs: impl IntoIterator<Item = &'e ast::Expr>) -> bool {
    /// Whether found, and how many subqueries deep the visit is.
    struct Finder(bool, usize);
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.1 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.1 -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &ast::Expr) -> ControlFlow<()> {
            if let ast::Expr::Function(f) = e
                && self.1 == 0
                && f.over.is_none()
                && f.name.0.len() == 1
                && f.name.0[0]
                    .as_ident()
                    .is_some_and(|i| AggFunc::from_name(&ident_name(i)).is_some())
            {
                self.0 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Finder(false, 0);
    for e in exprs {
        let _ = e.visit(&mut f);
    }
    f.0
}

/// The name PostgreSQL gives a result column for `e`.
pub fn column_name(e: &ast::Expr) -> String {
    figure_name(e)
        .map(|(name, _)| name)
        .unwrap_or_else(|| "?column?".into())
}

/// PostgreSQL's FigureColname: a name for `e` and how strongly it names
/// it — 2 for a column or function name, 1 for a type name or "case" —
/// or None. A cast is named by its operand when that has a strong name,
/// else by its type: `x::text` is "x", `1::text` and `'1'::date::text` are
/// "text".
fn figure_name(e: &ast::Expr) -> Option<(String, u8)> {
    use ast::Expr as A;
    let strong = |s: &str| Some((s.to_owned(), 2));
    match e {
        A::Identifier(i) => Some((ident_name(i), 2)),
        A::CompoundIdentifier(parts) => parts.last().map(|p| (ident_name(p), 2)),
        A::Nested(inner) => figure_name(inner),
        A::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| (ident_name(i), 2)),
        A::Cast {
            expr, data_type, ..
        } => match figure_name(expr) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some((pg_type_name(data_type), 1)),
        },
        A::TypedString(ts) => Some((pg_type_name(&ts.data_type), 1)),
        A::Interval(_) => Some(("interval".into(), 1)),
        // TRUE and FALSE are 't'::bool and 'f'::bool to PostgreSQL.
        A::Value(v) if matches!(v.value, ast::Value::Boolean(_)) => Some(("bool".into(), 1)),
        A::Case { .. } => Some(("case".into(), 1)),
        A::Extract { .. } => strong("extract"),
        A::Substring {
            shorthand: true, ..
        } => strong("substr"),
        A::Substring { .. } => strong("substring"),
        A::Position { .. } => strong("position"),
        A::Trim { trim_where, .. } => strong(match trim_where {
            Some(ast::TrimWhereField::Leading) => "ltrim",
            Some(ast::TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        A::Ceil { .. } => strong("ceil"),
        A::Floor { .. } => strong("floor"),
        A::Exists { negated: false, .. } => strong("exists"),
        // A scalar subquery is named by its only column.
        A::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => strong(&ident_name(alias)),
                Some(ast::SelectItem::UnnamedExpr(e)) => figure_name(e),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// PostgreSQL's internal type name, as it names cast result columns.
fn pg_type_name(ty: &ast::DataType) -> String {
    match ty {
        ast::DataType::SmallInt(_) | ast::DataType::Int2(_) => return "int2".into(),
        ast::DataType::Real | ast::DataType::Float4 => return "float4".into(),
        ast::DataType::Char(_) | ast::DataType::Character(_) => return "bpchar".into(),
        _ => {}
    }
    match super::binder::cast_type(ty) {
        Ok(DataType::Integer) => "int4",
        Ok(DataType::BigInt) => "int8",
        Ok(DataType::Boolean) => "bool",
        Ok(DataType::Double) => "float8",
        Ok(DataType::Numeric(_)) => "numeric",
        Ok(DataType::Text) => match ty {
            ast::DataType::Varchar(_) | ast::DataType::CharacterVarying(_) => "varchar",
            _ => "text",
        },
        Ok(DataType::Date) => "date",
        Ok(DataType::TimestampTz) => "timestamptz",
        Ok(DataType::Timestamp) => "timestamp",
        Ok(DataType::Interval) => "interval",
        Err(_) => "?column?",
    }
    .into()
}

impl Planner<'_, '_, '_> {
    fn query(&mut self, q: &ast::Query) -> SqlResult<QueryPlan> {
        let saved = self.binder.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = ident_name(&cte.alias.name);
                let renames: Vec<String> = cte
                    .alias
                    .columns
                    .iter()
                    .map(|c| ident_name(&c.name))
                    .collect();
                let mut plan = if with.recursive && reads_relation(cte.query.as_ref(), &name) {
                    self.recursive_cte(&name, &cte.query, &renames)?
                } else {
                    self.query(&cte.query)?
                };
                check_renames(&name, &plan.columns, &renames)?;
                for (c, alias) in plan.columns.iter_mut().zip(&renames) {
                    c.name = alias.clone();
                }
                self.binder.ctes.push((ident_name(&cte.alias.name), plan));
            }
        }
        let result = self.query_body(q);
        self.binder.ctes.truncate(saved);
        result
    }

    /// A WITH RECURSIVE query `name`: `anchor UNION [ALL] recursive`, the
    /// recursive term reading `name` as the work table.
    fn recursive_cte(
        &mut self,
        name: &str,
        q: &ast::Query,
        renames: &[String],
    ) -> SqlResult<QueryPlan> {
        let ast::SetExpr::SetOperation {
            op: ast::SetOperator::Union,
            set_quantifier,
            left,
            right,
        } = q.body.as_ref()
        else {
            return Err(SqlError::new(
                INVALID_RECURSION,
                format!(
                    "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
                ),
            ));
        };
        if q.order_by.is_some() || q.limit_clause.is_some() || q.fetch.is_some() || q.with.is_some()
        {
            return Err(SqlError::unsupported(
                "ORDER BY, LIMIT and WITH around a recursive query's UNION",
            ));
        }
        let all = match set_quantifier {
            ast::SetQuantifier::All => true,
            ast::SetQuantifier::None | ast::SetQuantifier::Distinct => false,
            other => return Err(SqlError::unsupported(format!("UNION {other}"))),
        };
        if reads_relation(left.as_ref(), name) {
            return Err(SqlError::new(
                INVALID_RECURSION,
                format!(
                    "recursive reference to query \"{name}\" must not appear within its non-recursive term"
                ),
            ));
        }
        let anchor = self.set_expr(left)?;
        let mut columns = anchor.columns.clone();
        check_renames(name, &columns, renames)?;
        for (c, alias) in columns.iter_mut().zip(renames) {
            c.name = alias.clone();
        }
        let id = self.binder.work_tables;
        self.binder.work_tables += 1;
        self.binder.ctes.push((
            name.to_owned(),
            QueryPlan {
                plan: Plan::WorkTable { id },
                columns: columns.clone(),
            },
        ));
        let recursive = self.set_expr(right);
        self.binder.ctes.pop();
        let recursive = recursive?;
        if recursive.columns.len() != columns.len() {
            return Err(SqlError::syntax(
                "each UNION query must have the same number of columns",
            ));
        }
        let mut exprs = Vec::new();
        for (i, (r, a)) in recursive.columns.iter().zip(&columns).enumerate() {
            let b = Bound {
                expr: Expr::Column(i),
                ty: Ty::Known(r.ty),
            };
            exprs.push(self.binder.coerce(b, a.ty).map_err(|_| {
                SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                        i + 1,
                        a.ty.sql_name(),
                        r.ty.sql_name()
                    ),
                )
            })?);
        }
        Ok(QueryPlan {
            plan: Plan::RecursiveUnion {
                id,
                all,
                anchor: Box::new(anchor.plan),
                recursive: Box::new(Plan::Project {
                    input: Box::new(recursive.plan),
                    exprs,
                }),
            },
            columns,
        })
    }

    fn query_body(&mut self, q: &ast::Query) -> SqlResult<QueryPlan> {
        let order_by: &[ast::OrderByExpr] = match &q.order_by {
            None => &[],
            Some(ast::OrderBy {
                kind: ast::OrderByKind::Expressions(list),
                ..
            }) => list,
            Some(_) => return Err(SqlError::unsupported("ORDER BY ALL")),
        };
        if !q.locks.is_empty() {
            return Err(SqlError::unsupported("FOR UPDATE/SHARE"));
        }
        let (limit, offset) = self.limit_offset(q)?;
        let mut qp = match q.body.as_ref() {
            ast::SetExpr::Select(select) => self.select(select, order_by)?,
            body => {
                let mut qp = self.set_expr(body)?;
                if !order_by.is_empty() {
                    let scope = output_scope(&qp.columns);
                    let keys = order_by
                        .iter()
                        .map(|o| self.output_sort_key(o, &qp.columns, &scope))
                        .collect::<SqlResult<Vec<_>>>()?;
                    qp.plan = Plan::Sort {
                        input: Box::new(qp.plan),
                        keys,
                    };
                }
                qp
            }
        };
        if limit.is_some() || offset.is_some() {
            qp.plan = Plan::Limit {
                input: Box::new(qp.plan),
                limit,
                offset,
            };
        }
        Ok(qp)
    }

    fn limit_offset(&mut self, q: &ast::Query) -> SqlResult<(Option<Expr>, Option<Expr>)> {
        let (limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(SqlError::unsupported("LIMIT BY"));
                }
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(ast::LimitClause::OffsetCommaLimit { .. }) => {
                return Err(SqlError::syntax("LIMIT #,# syntax is not supported"));
            }
        };
        // FETCH FIRST n ROWS ONLY is LIMIT n (n defaults to 1).
        let one = ast::Expr::value(ast::Value::Number("1".into(), false));
        let limit = match &q.fetch {
            None => limit,
            Some(f) if f.with_ties || f.percent => {
                return Err(SqlError::unsupported("FETCH … PERCENT and WITH TIES"));
            }
            Some(_) if limit.is_some() => {
                return Err(SqlError::syntax("multiple LIMIT clauses not allowed"));
            }
            Some(f) => Some(f.quantity.as_ref().unwrap_or(&one)),
        };
        let empty = Scope::default();
        let mut bind = |e: Option<&ast::Expr>| -> SqlResult<Option<Expr>> {
            match e {
                None => Ok(None),
                Some(ast::Expr::Value(v)) if matches!(v.value, ast::Value::Null) => Ok(None),
                Some(e) => {
                    let b = self.binder.expr(e, &empty)?;
                    Ok(Some(self.binder.coerce(b, DataType::BigInt)?))
                }
            }
        };
        Ok((bind(limit)?, bind(offset)?))
    }

    fn set_expr(&mut self, body: &ast::SetExpr) -> SqlResult<QueryPlan> {
        match body {
            ast::SetExpr::Select(select) => self.select(select, &[]),
            ast::SetExpr::Query(q) => self.query(q),
            ast::SetExpr::Values(values) => self.values(values),
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let l = self.set_expr(left)?;
                let r = self.set_expr(right)?;
                let name = match op {
                    ast::SetOperator::Union => SetOp::Union,
                    ast::SetOperator::Intersect => SetOp::Intersect,
                    ast::SetOperator::Except | ast::SetOperator::Minus => SetOp::Except,
                };
                let all = match set_quantifier {
                    ast::SetQuantifier::All => true,
                    ast::SetQuantifier::None | ast::SetQuantifier::Distinct => false,
                    other => return Err(SqlError::unsupported(format!("{op} {other}"))),
                };
                if l.columns.len() != r.columns.len() {
                    return Err(SqlError::syntax(format!(
                        "each {op} query must have the same number of columns"
                    )));
                }
                // A leaf SELECT's untyped literal ('a', NULL) takes the
                // other side's type: SELECT 1 UNION SELECT NULL is integer.
                let (lu, ru) = (untyped_outputs(left), untyped_outputs(right));
                let ty_of = |c: &Column, untyped: &[bool], i: usize| {
                    if untyped.get(i).copied().unwrap_or(false) {
                        Ty::Unknown
                    } else {
                        Ty::Known(c.ty)
                    }
                };
                let mut types = Vec::new();
                for (i, (a, b)) in l.columns.iter().zip(&r.columns).enumerate() {
                    types.push(
                        self.binder
                            .common(&[ty_of(a, &lu, i), ty_of(b, &ru, i)], &op.to_string())?,
                    );
                }
                let left = coerce_columns(l.plan, &l.columns, &types);
                let right = coerce_columns(r.plan, &r.columns, &types);
                let columns = l
                    .columns
                    .iter()
                    .zip(&types)
                    .map(|(c, t)| Column {
                        name: c.name.clone(),
                        ty: *t,
                    })
                    .collect();
                Ok(QueryPlan {
                    plan: Plan::SetOperation {
                        op: name,
                        all,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    columns,
                })
            }
            other => Err(SqlError::unsupported(format!(
                "the query {}",
                first_words(&other.to_string())
            ))),
        }
    }

    /// INSERT's VALUES rows, each value coerced to its target column's type.
    fn insert_values(
        &mut self,
        values: &ast::Values,
        types: &[DataType],
    ) -> SqlResult<Vec<Vec<Option<Expr>>>> {
        let empty = Scope::default();
        let mut rows = Vec::new();
        for row in values.rows.iter().map(|r| &r.content) {
            if row.len() > types.len() {
                return Err(SqlError::syntax(
                    "INSERT has more expressions than target columns",
                ));
            }
            if row.len() < types.len() {
                return Err(SqlError::syntax(
                    "INSERT has more target columns than expressions",
                ));
            }
            let mut out = Vec::new();
            for (e, ty) in row.iter().zip(types) {
                out.push(if is_default(e) {
                    None
                } else {
                    let b = self.binder.expr(e, &empty)?;
                    Some(self.binder.assign(b, *ty)?)
                });
            }
            rows.push(out);
        }
        Ok(rows)
    }

    /// VALUES rows as a query.
    fn values(&mut self, values: &ast::Values) -> SqlResult<QueryPlan> {
        let empty = Scope::default();
        let width = values.rows.first().map(|r| r.content.len()).unwrap_or(0);
        let mut bound_rows = Vec::new();
        for row in values.rows.iter().map(|r| &r.content) {
            if row.len() != width {
                return Err(SqlError::syntax("VALUES lists must all be the same length"));
            }
            let mut bound = Vec::new();
            for e in row {
                if is_default(e) {
                    return Err(SqlError::syntax("DEFAULT is not allowed in this context"));
                }
                bound.push(self.binder.expr(e, &empty)?);
            }
            bound_rows.push(bound);
        }
        let types: Vec<DataType> = (0..width)
            .map(|i| {
                let tys: Vec<Ty> = bound_rows.iter().map(|r: &Vec<Bound>| r[i].ty).collect();
                self.binder.common(&tys, "VALUES")
            })
            .collect::<SqlResult<_>>()?;
        let mut rows = Vec::new();
        for r in bound_rows {
            let mut out = Vec::new();
            for (b, ty) in r.into_iter().zip(&types) {
                out.push(self.binder.coerce(b, *ty)?);
            }
            rows.push(out);
        }
        let columns = types
            .iter()
            .enumerate()
            .map(|(i, t)| Column {
                name: format!("column{}", i + 1),
                ty: *t,
            })
            .collect();
        Ok(QueryPlan {
            plan: Plan::Values { rows },
            columns,
        })
    }

    fn select(&mut self, s: &ast::Select, order_by: &[ast::OrderByExpr]) -> SqlResult<QueryPlan> {
        if s.into.is_some()
            || !s.lateral_views.is_empty()
            || s.qualify.is_some()
            || !s.named_window.is_empty()
        {
            return Err(SqlError::unsupported(
                "SELECT INTO, LATERAL VIEW, QUALIFY and WINDOW",
            ));
        }
        if let Some(qp) = super::system::bind::empty_select(self.binder, s) {
            return Ok(qp);
        }
        let (mut plan, scope) = self.from(&s.from)?;
        if let Some(w) = &s.selection {
            let predicate =
                self.binder
                    .condition(w, &scope, &mut AggMode::Forbidden("WHERE"), "WHERE")?;
            plan = super::index_plan::push_down(
                Plan::Filter {
                    input: Box::new(plan),
                    predicate,
                },
                self.catalog,
            );
        }
        let group_exprs: &[ast::Expr] = match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs,
            _ => {
                return Err(SqlError::unsupported(
                    "GROUP BY ALL, ROLLUP, CUBE and GROUPING SETS",
                ));
            }
        };
        // Expand the select list (wildcards) into expressions and names.
        let mut items: Vec<(ast::Expr, String)> = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => items.push((e.clone(), column_name(e))),
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    items.push((expr.clone(), ident_name(alias)))
                }
                ast::SelectItem::Wildcard(_) => {
                    if scope.columns.is_empty() {
                        return Err(SqlError::syntax(
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    items.extend(
                        scope
                            .columns
                            .iter()
                            .filter(|c| !c.merged_away)
                            .map(|c| (qualified(c), c.name.clone())),
                    );
                }
                ast::SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    let q = object_name(name)?;
                    let cols: Vec<_> = scope
                        .columns
                        .iter()
                        .filter(|c| c.qualifier.as_deref() == Some(&q))
                        .collect();
                    if cols.is_empty() {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{q}\""),
                        ));
                    }
                    items.extend(cols.into_iter().map(|c| (qualified(c), c.name.clone())));
                }
                other => return Err(SqlError::unsupported(format!("the select item {other}"))),
            }
        }
        let order_asts: Vec<&ast::Expr> = order_by.iter().map(|o| &o.expr).collect();
        let grouped = !group_exprs.is_empty()
            || has_aggregate(items.iter().map(|(e, _)| e))
            || has_aggregate(s.having.iter())
            || has_aggregate(order_asts.iter().copied());
        let mut grouping = Grouping::default();
        let mut exprs = Vec::new();
        let mut types = Vec::new();
        // Window calls may be in the select list and ORDER BY (not in
        // GROUP BY, WHERE or HAVING); an error leaves the binder to be dropped.
        let saved_windows = self.binder.windows.take();
        if grouped {
            for g in group_exprs {
                let g = self.resolve_output_reference(g, &items, &scope)?;
                let b = self
                    .binder
                    .bind(&g, &scope, &mut AggMode::Forbidden("GROUP BY"))?;
                let ty = b.ty.resolved();
                let expr = self.binder.coerce(b, ty)?;
                if !grouping.keys.contains(&expr) {
                    grouping.keys.push(expr);
                    grouping.key_types.push(ty);
                }
            }
            add_dependent_columns(&scope, &mut grouping);
        }
        self.binder.windows = Some(WindowCollector::default());
        if grouped {
            for (e, _) in &items {
                let b = self
                    .binder
                    .bind(e, &scope, &mut AggMode::Grouped(&mut grouping))?;
                let ty = b.ty.resolved();
                exprs.push(self.binder.coerce(b, ty)?);
                types.push(ty);
            }
        } else {
            for (e, _) in &items {
                let b = self.binder.expr(e, &scope)?;
                let ty = b.ty.resolved();
                exprs.push(self.binder.coerce(b, ty)?);
                types.push(ty);
            }
        }
        let windows = self.binder.windows.take();
        let having = match &s.having {
            Some(h) if grouped => Some(self.binder.condition(
                h,
                &scope,
                &mut AggMode::Grouped(&mut grouping),
                "HAVING",
            )?),
            Some(_) => unreachable!("HAVING makes the query grouped"),
            None => None,
        };
        self.binder.windows = windows;
        // ORDER BY: output columns by name or position, or expressions over
        // the input, computed as hidden extra columns.
        let mut keys = Vec::new();
        let mut hidden = Vec::new();
        let columns: Vec<Column> = items
            .iter()
            .zip(&types)
            .map(|((_, name), ty)| Column {
                name: name.clone(),
                ty: *ty,
            })
            .collect();
        let (distinct, distinct_on) = match &s.distinct {
            None | Some(ast::Distinct::All) => (false, None),
            Some(ast::Distinct::Distinct) => (true, None),
            Some(ast::Distinct::On(on)) => (false, Some(on)),
        };
        let mut sorted = SortColumns {
            columns: &columns,
            exprs: &exprs,
            hidden: &mut hidden,
            distinct,
        };
        let mut on_positions = Vec::new();
        for e in distinct_on.into_iter().flatten() {
            let g = grouped.then_some(&mut grouping);
            on_positions.push(self.sort_position(e, &scope, g, &mut sorted)?);
        }
        for o in order_by {
            let (descending, nulls_first) = sort_options(o);
            let g = grouped.then_some(&mut grouping);
            let pos = self.sort_position(&o.expr, &scope, g, &mut sorted)?;
            keys.push(SortKey {
                expr: Expr::Column(pos),
                descending,
                nulls_first,
            });
        }
        if distinct_on.is_some() {
            distinct_on_order(&on_positions, &mut keys)?;
        }
        let calls = std::mem::replace(&mut self.binder.windows, saved_windows)
            .map(|w| w.calls)
            .unwrap_or_default();
        let window_input = if grouped {
            grouping.keys.len() + grouping.aggs.len()
        } else {
            scope.columns.len()
        };
        if grouped {
            plan = Plan::Aggregate {
                input: Box::new(plan),
                keys: grouping.keys.clone(),
                aggs: grouping.aggs.clone(),
                arg_types: grouping.agg_arg_types.clone(),
            };
            if let Some(h) = having {
                plan = Plan::Filter {
                    input: Box::new(plan),
                    predicate: h,
                };
            }
        }
        let visible = exprs.len();
        let mut all = exprs;
        all.extend(hidden);
        if !calls.is_empty() {
            plan = Plan::Window {
                input: Box::new(plan),
                calls,
            };
            all = all
                .iter()
                .map(|e| window::renumber(e, window_input))
                .collect();
        }
        let width = all.len();
        plan = Plan::Project {
            input: Box::new(plan),
            exprs: all,
        };
        if distinct {
            plan = Plan::Distinct {
                input: Box::new(plan),
            };
        }
        if !keys.is_empty() {
            plan = Plan::Sort {
                input: Box::new(plan),
                keys,
            };
        }
        if distinct_on.is_some() {
            plan = Plan::DistinctOn {
                input: Box::new(plan),
                keys: on_positions.into_iter().map(Expr::Column).collect(),
            };
        }
        if width > visible {
            plan = Plan::Project {
                input: Box::new(plan),
                exprs: (0..visible).map(Expr::Column).collect(),
            };
        }
        Ok(QueryPlan { plan, columns })
    }

    /// The column an ORDER BY or DISTINCT ON expression sorts by: an output
    /// column (by position, name or equal expression), or a hidden one
    /// computed for it. `grouping` is the grouped query's.
    fn sort_position(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        grouping: Option<&mut Grouping>,
        sorted: &mut SortColumns,
    ) -> SqlResult<usize> {
        if let Some(p) = self.output_position(e, sorted.columns, scope)? {
            return Ok(p);
        }
        let b = match grouping {
            Some(g) => self.binder.bind(e, scope, &mut AggMode::Grouped(g))?,
            None => self.binder.expr(e, scope)?,
        };
        let ty = b.ty.resolved();
        let e = self.binder.coerce(b, ty)?;
        let visible = sorted.exprs.len();
        if let Some(p) = sorted
            .exprs
            .iter()
            .chain(sorted.hidden.iter())
            .position(|x| *x == e)
            && (p < visible || !sorted.distinct)
        {
            return Ok(p);
        }
        if sorted.distinct {
            return Err(SqlError::new(
                code::INVALID_COLUMN_REFERENCE,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
            ));
        }
        sorted.hidden.push(e);
        Ok(visible + sorted.hidden.len() - 1)
    }

    /// GROUP BY may name an output column by position or alias.
    fn resolve_output_reference(
        &self,
        g: &ast::Expr,
        items: &[(ast::Expr, String)],
        scope: &Scope,
    ) -> SqlResult<ast::Expr> {
        if let ast::Expr::Value(v) = g
            && let ast::Value::Number(n, _) = &v.value
        {
            let pos: usize = n.parse().unwrap_or(0);
            return items
                .get(pos.wrapping_sub(1))
                .map(|(e, _)| e.clone())
                .ok_or_else(|| {
                    SqlError::new(
                        code::INVALID_COLUMN_REFERENCE,
                        format!("GROUP BY position {n} is not in select list"),
                    )
                });
        }
        if let ast::Expr::Identifier(i) = g {
            let name = ident_name(i);
            if scope.resolve(None, &name).is_err()
                && let Some((e, _)) = items.iter().find(|(_, n)| *n == name)
            {
                return Ok(e.clone());
            }
        }
        Ok(g.clone())
    }

    /// ORDER BY n or ORDER BY output_name: the output column meant.
    fn output_position(
        &self,
        e: &ast::Expr,
        columns: &[Column],
        scope: &Scope,
    ) -> SqlResult<Option<usize>> {
        match e {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Number(n, _) => {
                    let pos: usize = n.parse().unwrap_or(0);
                    if pos == 0 || pos > columns.len() {
                        return Err(SqlError::new(
                            code::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {n} is not in select list"),
                        ));
                    }
                    Ok(Some(pos - 1))
                }
                _ => Ok(None),
            },
            ast::Expr::Identifier(i) => {
                let name = ident_name(i);
                let matches: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.name == name)
                    .map(|(i, _)| i)
                    .collect();
                match matches.as_slice() {
                    [one] => Ok(Some(*one)),
                    [] => Ok(None),
                    _ if scope.resolve(None, &name).is_ok() => Ok(None),
                    _ => Err(SqlError::new(
                        code::AMBIGUOUS_COLUMN,
                        format!("ORDER BY \"{name}\" is ambiguous"),
                    )),
                }
            }
            _ => Ok(None),
        }
    }

    /// An ORDER BY key of a set operation or VALUES: output columns only.
    fn output_sort_key(
        &mut self,
        o: &ast::OrderByExpr,
        columns: &[Column],
        scope: &Scope,
    ) -> SqlResult<SortKey> {
        let (descending, nulls_first) = sort_options(o);
        let expr = match self.output_position(&o.expr, columns, scope)? {
            Some(p) => Expr::Column(p),
            None => {
                let b = self.binder.expr(&o.expr, scope)?;
                let ty = b.ty.resolved();
                self.binder.coerce(b, ty)?
            }
        };
        Ok(SortKey {
            expr,
            descending,
            nulls_first,
        })
    }

    /// FROM: the plan producing the joined rows and their scope.
    fn from(&mut self, from: &[ast::TableWithJoins]) -> SqlResult<(Plan, Scope)> {
        let mut acc: Option<(Plan, Scope)> = None;
        for twj in from {
            let mut item = self.table_factor(&twj.relation)?;
            for join in &twj.joins {
                let right = self.table_factor(&join.relation)?;
                item = self.join(item, right, &join.join_operator)?;
            }
            acc = Some(match acc {
                None => item,
                Some(left) => self.join(
                    left,
                    item,
                    &ast::JoinOperator::CrossJoin(ast::JoinConstraint::None),
                )?,
            });
        }
        Ok(acc.unwrap_or((Plan::Single, Scope::default())))
    }

    fn table_factor(&mut self, t: &ast::TableFactor) -> SqlResult<(Plan, Scope)> {
        let ctes = &self.binder.ctes;
        let is_cte = |n: &str| ctes.iter().any(|(c, _)| c == n);
        if let Some(found) = super::system::bind::table_factor(self.binder, t, &is_cte)? {
            return Ok(found);
        }
        match t {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let table = object_name(name)?;
                let qualifier = alias
                    .as_ref()
                    .map(|a| ident_name(&a.name))
                    .unwrap_or_else(|| table.clone());
                let renames: Vec<String> = alias
                    .as_ref()
                    .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
                    .unwrap_or_default();
                if let Some((_, cte)) = self.binder.ctes.iter().rev().find(|(n, _)| *n == table) {
                    check_renames(&qualifier, &cte.columns, &renames)?;
                    let scope = scope_of(&cte.columns, &qualifier, &renames);
                    return Ok((cte.plan.clone(), scope));
                }
                let def = self
                    .catalog
                    .table_by_name(&table)
                    .ok_or_else(|| SqlError::undefined_table(&table))?;
                let columns = table_columns(def);
                check_renames(&qualifier, &columns, &renames)?;
                let mut scope = scope_of(&columns, &qualifier, &renames);
                for (sc, c) in scope.columns.iter_mut().zip(&def.columns) {
                    sc.primary_key = def.primary_key.contains(&c.id);
                }
                self.binder.tables_read.push(def.id);
                Ok((Plan::Scan { table: def.id }, scope))
            }
            ast::TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => {
                let qp = self.query(subquery)?;
                let (qualifier, renames) = match alias {
                    Some(a) => (
                        ident_name(&a.name),
                        a.columns.iter().map(|c| ident_name(&c.name)).collect(),
                    ),
                    None => (String::new(), Vec::new()),
                };
                check_renames(&qualifier, &qp.columns, &renames)?;
                Ok((qp.plan, scope_of(&qp.columns, &qualifier, &renames)))
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.from(std::slice::from_ref(table_with_joins)),
            other => Err(SqlError::unsupported(format!("the FROM item {other}"))),
        }
    }

    fn join(
        &mut self,
        left: (Plan, Scope),
        right: (Plan, Scope),
        op: &ast::JoinOperator,
    ) -> SqlResult<(Plan, Scope)> {
        use ast::JoinOperator as J;
        let (kind, constraint) = match op {
            J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
            J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
            J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
            J::FullOuter(c) => (JoinKind::Full, c),
            J::CrossJoin(c) => (JoinKind::Inner, c),
            other => return Err(SqlError::unsupported(format!("the join {other:?}"))),
        };
        let (lplan, lscope) = left;
        let (rplan, rscope) = right;
        for c in &rscope.columns {
            if let Some(q) = c.qualifier.as_deref().filter(|q| !q.is_empty())
                && lscope
                    .columns
                    .iter()
                    .any(|l| l.qualifier.as_deref() == Some(q))
            {
                return Err(SqlError::new(
                    DUPLICATE_ALIAS,
                    format!("table name \"{q}\" specified more than once"),
                ));
            }
        }
        let left_width = lscope.columns.len();
        let right_width = rscope.columns.len();
        let mut scope = lscope.clone();
        scope.columns.extend(rscope.columns.iter().cloned());
        let mut using = None;
        let condition = match constraint {
            ast::JoinConstraint::On(e) => Some(self.binder.condition(
                e,
                &scope,
                &mut AggMode::Forbidden("JOIN conditions"),
                "JOIN/ON",
            )?),
            ast::JoinConstraint::None => None,
            ast::JoinConstraint::Using(cols) => {
                let mut cond: Option<Expr> = None;
                let mut merged = Vec::new();
                for c in cols {
                    let name = object_name(c)?;
                    let l = lscope.resolve(None, &name)?;
                    let r = rscope.resolve(None, &name)?;
                    let lb = Bound {
                        expr: Expr::Column(l),
                        ty: Ty::Known(lscope.columns[l].ty),
                    };
                    let rb = Bound {
                        expr: Expr::Column(left_width + r),
                        ty: Ty::Known(rscope.columns[r].ty),
                    };
                    let ty = self.binder.common(&[lb.ty, rb.ty], "JOIN/USING")?;
                    let (le, re) = (self.binder.coerce(lb, ty)?, self.binder.coerce(rb, ty)?);
                    let eq = Expr::Compare(CmpOp::Eq, le.clone().boxed(), re.clone().boxed());
                    cond = Some(match cond {
                        None => eq,
                        Some(c) => Expr::And(c.boxed(), eq.boxed()),
                    });
                    // The merged column: the side that keeps all its rows.
                    let value = match kind {
                        JoinKind::Inner | JoinKind::Left => le,
                        JoinKind::Right => re,
                        JoinKind::Full => Expr::Call(Scalar::Coalesce, vec![le, re]),
                    };
                    scope.columns[l].merged_away = true;
                    scope.columns[left_width + r].merged_away = true;
                    merged.push((name, ty, value));
                }
                using = Some(merged);
                cond
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "the join condition {other:?}"
                )));
            }
        };
        let (equi, on) = split_equi(condition, left_width);
        let plan = Plan::Join {
            left: Box::new(lplan),
            right: Box::new(rplan),
            kind,
            equi,
            on,
            left_width,
            right_width,
        };
        let Some(merged) = using else {
            return Ok((plan, scope));
        };
        // JOIN … USING: the merged columns come first (PostgreSQL's order
        // for SELECT *), then both sides' columns.
        let mut exprs: Vec<Expr> = merged.iter().map(|(_, _, e)| e.clone()).collect();
        exprs.extend((0..left_width + right_width).map(Expr::Column));
        let mut columns: Vec<ScopeColumn> = merged
            .into_iter()
            .map(|(name, ty, _)| ScopeColumn {
                qualifier: None,
                name,
                ty,
                primary_key: false,
                merged_away: false,
            })
            .collect();
        columns.extend(scope.columns);
        Ok((
            Plan::Project {
                input: Box::new(plan),
                exprs,
            },
            Scope { columns },
        ))
    }

    fn returning(
        &mut self,
        items: &Option<Vec<ast::SelectItem>>,
        def: &TableDef,
    ) -> SqlResult<Option<Returning>> {
        let Some(items) = items else { return Ok(None) };
        let columns = table_columns(def);
        let scope = scope_of(&columns, &def.name, &[]);
        let mut exprs = Vec::new();
        let mut out = Vec::new();
        for item in items {
            match item {
                ast::SelectItem::Wildcard(_) => {
                    for (i, c) in columns.iter().enumerate() {
                        exprs.push(Expr::Column(i));
                        out.push(c.clone());
                    }
                }
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    let b = self.binder.expr(e, &scope)?;
                    let ty = b.ty.resolved();
                    exprs.push(self.binder.coerce(b, ty)?);
                    let name = match item {
                        ast::SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                        _ => column_name(e),
                    };
                    out.push(Column { name, ty });
                }
                other => return Err(SqlError::unsupported(format!("RETURNING {other}"))),
            }
        }
        Ok(Some(Returning {
            exprs,
            columns: out,
        }))
    }

    /// The table an UPDATE or DELETE changes, the scope its expressions see
    /// (qualified by the alias if there is one), and its bound WHERE.
    fn dml_target(
        &mut self,
        relation: &ast::TableFactor,
        selection: Option<&ast::Expr>,
        verb: &str,
    ) -> SqlResult<(Arc<TableDef>, Scope, Option<Expr>)> {
        let ast::TableFactor::Table { name, alias, .. } = relation else {
            return Err(SqlError::unsupported(format!("{verb} {relation}")));
        };
        let def = self.target_table(name)?;
        let qualifier = alias
            .as_ref()
            .map(|a| ident_name(&a.name))
            .unwrap_or_else(|| def.name.clone());
        let scope = scope_of(&table_columns(&def), &qualifier, &[]);
        let filter = selection
            .map(|w| {
                self.binder
                    .condition(w, &scope, &mut AggMode::Forbidden("WHERE"), "WHERE")
            })
            .transpose()?;
        Ok((def, scope, filter))
    }

    fn target_table(&self, name: &ast::ObjectName) -> SqlResult<Arc<TableDef>> {
        let name = object_name(name)?;
        self.catalog
            .table_by_name(&name)
            .cloned()
            .ok_or_else(|| SqlError::undefined_table(&name))
    }

    fn insert(&mut self, insert: &ast::Insert) -> SqlResult<BoundStatement> {
        let ast::TableObject::TableName(name) = &insert.table else {
            return Err(SqlError::unsupported("INSERT INTO a table function"));
        };
        let def = self.target_table(name)?;
        let on_conflict = match &insert.on {
            None => None,
            Some(ast::OnInsert::OnConflict(oc)) => Some(self.on_conflict(&def, oc)?),
            Some(other) => return Err(SqlError::unsupported(format!("{other}"))),
        };
        let names = insert
            .columns
            .iter()
            .map(object_name)
            .collect::<SqlResult<Vec<_>>>()?;
        let targets = column_targets(&def, &names)?;
        let (source, targets) = match &insert.source {
            // INSERT … DEFAULT VALUES
            None => (InsertSource::Values(vec![vec![]]), Vec::new()),
            Some(q) => match q.body.as_ref() {
                ast::SetExpr::Values(v)
                    if q.order_by.is_none() && q.limit_clause.is_none() && q.with.is_none() =>
                {
                    // Without a column list, VALUES may fill a prefix of the columns.
                    let width = v.rows.first().map(|r| r.content.len()).unwrap_or(0);
                    let targets: Vec<usize> = if insert.columns.is_empty() {
                        targets.into_iter().take(width).collect()
                    } else {
                        targets
                    };
                    let types: Vec<DataType> = targets.iter().map(|&i| def.columns[i].ty).collect();
                    (
                        InsertSource::Values(self.insert_values(v, &types)?),
                        targets,
                    )
                }
                _ => {
                    let qp = self.query(q)?;
                    if qp.columns.len() > targets.len() {
                        return Err(SqlError::syntax(
                            "INSERT has more expressions than target columns",
                        ));
                    }
                    if qp.columns.len() < targets.len() && !insert.columns.is_empty() {
                        return Err(SqlError::syntax(
                            "INSERT has more target columns than expressions",
                        ));
                    }
                    let targets: Vec<usize> = targets.into_iter().take(qp.columns.len()).collect();
                    let mut exprs = Vec::new();
                    for (i, (c, &t)) in qp.columns.iter().zip(&targets).enumerate() {
                        let b = Bound {
                            expr: Expr::Column(i),
                            ty: Ty::Known(c.ty),
                        };
                        let want = def.columns[t].ty;
                        exprs.push(self.binder.assign(b, want).map_err(|_| {
                            SqlError::new(
                                code::DATATYPE_MISMATCH,
                                format!(
                                    "column \"{}\" is of type {} but expression is of type {}",
                                    def.columns[t].name,
                                    want.sql_name(),
                                    c.ty.sql_name()
                                ),
                            )
                        })?);
                    }
                    (
                        InsertSource::Query(Plan::Project {
                            input: Box::new(qp.plan),
                            exprs,
                        }),
                        targets,
                    )
                }
            },
        };
        let defaults = self.defaults(&def)?;
        let returning = self.returning(&insert.returning, &def)?;
        Ok(BoundStatement::Insert {
            table: def,
            source,
            targets,
            defaults,
            returning,
            on_conflict,
        })
    }

    /// COPY's table and columns, or its query.
    fn copy(
        &mut self,
        source: &ast::CopySource,
        to: bool,
        options: CopyOptions,
    ) -> SqlResult<CopyPlan> {
        match source {
            ast::CopySource::Query(q) => {
                let qp = self.query(q)?;
                let columns: Vec<String> = qp.columns.iter().map(|c| c.name.clone()).collect();
                options.check_columns(&columns)?;
                Ok(CopyPlan::To {
                    columns,
                    plan: qp.plan,
                    options,
                })
            }
            ast::CopySource::Table {
                table_name,
                columns,
            } => {
                let def = self.target_table(table_name)?;
                let names: Vec<String> = columns.iter().map(ident_name).collect();
                let targets = column_targets(&def, &names)?;
                let columns: Vec<String> = targets
                    .iter()
                    .map(|&i| def.columns[i].name.clone())
                    .collect();
                options.check_columns(&columns)?;
                if to {
                    self.binder.tables_read.push(def.id);
                    let plan = Plan::Project {
                        input: Box::new(Plan::Scan { table: def.id }),
                        exprs: targets.iter().map(|&i| Expr::Column(i)).collect(),
                    };
                    return Ok(CopyPlan::To {
                        columns,
                        plan,
                        options,
                    });
                }
                let defaults = self.defaults(&def)?;
                Ok(CopyPlan::From {
                    table: def,
                    targets,
                    defaults,
                    options,
                })
            }
        }
    }

    /// Each column's DEFAULT as a bound expression (NULL when none).
    fn defaults(&mut self, def: &TableDef) -> SqlResult<Vec<Expr>> {
        let empty = Scope::default();
        def.columns
            .iter()
            .map(|c| match &c.default {
                None => Ok(Expr::Literal(Value::Null)),
                Some(text) => {
                    let e =
                        sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                            .try_with_sql(text)
                            .and_then(|mut p| p.parse_expr())
                            .map_err(|e| {
                                SqlError::internal(format!(
                                    "stored DEFAULT of {} does not parse: {e}",
                                    c.name
                                ))
                            })?;
                    let b = self.binder.expr(&e, &empty)?;
                    let expr = self.binder.coerce(b, c.ty)?;
                    Ok(match c.ty {
                        DataType::Numeric(m @ Some(_)) => {
                            Expr::Cast(expr.boxed(), DataType::Numeric(m))
                        }
                        _ => expr,
                    })
                }
            })
            .collect()
    }

    fn update(&mut self, update: &ast::Update) -> SqlResult<BoundStatement> {
        if update.from.is_some() || !update.table.joins.is_empty() {
            return Err(SqlError::unsupported("UPDATE … FROM"));
        }
        let (def, scope, filter) = self.dml_target(
            &update.table.relation,
            update.selection.as_ref(),
            "UPDATE of",
        )?;
        let assignments = self.assignments(&def, &update.assignments, &scope)?;
        let returning = self.returning(&update.returning, &def)?;
        Ok(BoundStatement::Update {
            table: def,
            filter,
            assignments,
            returning,
        })
    }

    /// SET assignments of UPDATE and ON CONFLICT DO UPDATE: (column, value
    /// bound in `scope`).
    fn assignments(
        &mut self,
        def: &TableDef,
        list: &[ast::Assignment],
        scope: &Scope,
    ) -> SqlResult<Vec<(usize, Expr)>> {
        let mut assignments = Vec::new();
        for a in list {
            let ast::AssignmentTarget::ColumnName(name) = &a.target else {
                return Err(SqlError::unsupported("multiple-column assignments"));
            };
            let cname = name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(ident_name)
                .unwrap_or_default();
            let pos = def.column_index(&cname).ok_or_else(|| {
                SqlError::new(
                    code::UNDEFINED_COLUMN,
                    format!(
                        "column \"{cname}\" of relation \"{}\" does not exist",
                        def.name
                    ),
                )
            })?;
            if assignments.iter().any(|(p, _)| *p == pos) {
                return Err(SqlError::syntax(format!(
                    "multiple assignments to same column \"{cname}\""
                )));
            }
            let value = if is_default(&a.value) {
                self.defaults(def)?.swap_remove(pos)
            } else {
                let b = self.binder.expr(&a.value, scope)?;
                self.binder.assign(b, def.columns[pos].ty).map_err(|e| {
                    if e.code != code::DATATYPE_MISMATCH {
                        return e; // SET id = 'x': the literal is no bigint (22P02)
                    }
                    SqlError::new(
                        code::DATATYPE_MISMATCH,
                        format!(
                            "column \"{cname}\" is of type {} but expression is of type {}",
                            def.columns[pos].ty.sql_name(),
                            Ty::resolved(self.binder_ty(&a.value, scope)).sql_name()
                        ),
                    )
                })?
            };
            assignments.push((pos, value));
        }
        Ok(assignments)
    }

    fn on_conflict(&mut self, def: &TableDef, oc: &ast::OnConflict) -> SqlResult<OnConflict> {
        let no_match = || {
            SqlError::new(
                code::INVALID_COLUMN_REFERENCE,
                "there is no unique or exclusion constraint matching the ON CONFLICT specification",
            )
        };
        let constraints: Vec<Option<usize>> = match &oc.conflict_target {
            None => {
                if matches!(oc.action, ast::OnConflictAction::DoUpdate(_)) {
                    return Err(SqlError::syntax(
                        "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    )
                    .with_hint("For example, ON CONFLICT (column_name)."));
                }
                let pk = (!def.primary_key.is_empty()).then_some(None);
                pk.into_iter()
                    .chain((0..def.uniques.len()).map(Some))
                    .collect()
            }
            Some(ast::ConflictTarget::Columns(cols)) => {
                let mut ids = Vec::new();
                for c in cols {
                    let name = ident_name(c);
                    let pos = def
                        .column_index(&name)
                        .ok_or_else(|| SqlError::undefined_column(&name))?;
                    ids.push(def.columns[pos].id);
                }
                let same = |a: &[u32]| {
                    let (mut x, mut y) = (a.to_vec(), ids.clone());
                    x.sort_unstable();
                    y.sort_unstable();
                    x == y
                };
                if !def.primary_key.is_empty() && same(&def.primary_key) {
                    vec![None]
                } else {
                    vec![Some(
                        def.uniques
                            .iter()
                            .position(|u| same(&u.columns))
                            .ok_or_else(no_match)?,
                    )]
                }
            }
            Some(ast::ConflictTarget::OnConstraint(name)) => {
                let name = object_name(name)?;
                if def.primary_key_name.as_deref() == Some(&name) {
                    vec![None]
                } else {
                    vec![Some(
                        def.uniques
                            .iter()
                            .position(|u| u.name == name)
                            .ok_or_else(|| {
                                SqlError::new(
                                    code::UNDEFINED_OBJECT,
                                    format!(
                                        "constraint \"{name}\" for table \"{}\" does not exist",
                                        def.name
                                    ),
                                )
                            })?,
                    )]
                }
            }
        };
        let action = match &oc.action {
            ast::OnConflictAction::DoNothing => ConflictAction::Nothing,
            ast::OnConflictAction::DoUpdate(u) => {
                let columns = table_columns(def);
                let mut scope = scope_of(&columns, &def.name, &[]);
                scope
                    .columns
                    .extend(scope_of(&columns, "excluded", &[]).columns);
                let assignments = self.assignments(def, &u.assignments, &scope)?;
                let filter = match &u.selection {
                    Some(w) => Some(self.binder.condition(
                        w,
                        &scope,
                        &mut AggMode::Forbidden("WHERE"),
                        "WHERE",
                    )?),
                    None => None,
                };
                ConflictAction::Update {
                    assignments,
                    filter,
                }
            }
        };
        Ok(OnConflict {
            constraints,
            action,
        })
    }

    fn binder_ty(&mut self, e: &ast::Expr, scope: &Scope) -> Ty {
        let mut probe = Binder::new(&self.binder.params, self.binder.time_zone, self.binder.now);
        probe.expr(e, scope).map(|b| b.ty).unwrap_or(Ty::Unknown)
    }

    fn delete(&mut self, delete: &ast::Delete) -> SqlResult<BoundStatement> {
        let from = match &delete.from {
            ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
        };
        if from.len() != 1 || !from[0].joins.is_empty() || delete.using.is_some() {
            return Err(SqlError::unsupported(
                "DELETE … USING and multi-table DELETE",
            ));
        }
        let (def, _, filter) =
            self.dml_target(&from[0].relation, delete.selection.as_ref(), "DELETE from")?;
        let returning = self.returning(&delete.returning, &def)?;
        Ok(BoundStatement::Delete {
            table: def,
            filter,
            returning,
        })
    }

    fn set(&mut self, set: &ast::Set) -> SqlResult<BoundStatement> {
        let value_text = |e: &ast::Expr| -> SqlResult<String> {
            Ok(match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::SingleQuotedString(s) => s.clone(),
                    ast::Value::Number(n, _) => n.clone(),
                    other => other.to_string(),
                },
                ast::Expr::Identifier(i) => i.value.clone(),
                ast::Expr::UnaryOp {
                    op: ast::UnaryOperator::Minus,
                    expr,
                } => format!("-{expr}"),
                other => other.to_string(),
            })
        };
        match set {
            ast::Set::SingleAssignment {
                variable, values, ..
            } => {
                let name = variable.to_string().to_lowercase();
                let value = match values.as_slice() {
                    [v] if v.to_string().eq_ignore_ascii_case("default") => None,
                    [v] => Some(value_text(v)?),
                    vs => Some(
                        vs.iter()
                            .map(value_text)
                            .collect::<SqlResult<Vec<_>>>()?
                            .join(", "),
                    ),
                };
                Ok(BoundStatement::Set { name, value })
            }
            ast::Set::SetTimeZone { value, .. } => Ok(BoundStatement::Set {
                name: "timezone".into(),
                value: Some(value_text(value)?),
            }),
            ast::Set::SetNames { charset_name, .. } => Ok(BoundStatement::Set {
                name: "client_encoding".into(),
                value: Some(charset_name.value.clone()),
            }),
            other => Err(SqlError::unsupported(format!("{other}"))),
        }
    }
}

/// What ORDER BY and DISTINCT ON expressions resolve against.
struct SortColumns<'a> {
    columns: &'a [Column],
    /// The select list, bound.
    exprs: &'a [Expr],
    /// Expressions computed only to sort by.
    hidden: &'a mut Vec<Expr>,
    /// SELECT DISTINCT: no hidden columns.
    distinct: bool,
}

/// DISTINCT ON keeps the first row of each group of equal `on` columns in
/// ORDER BY order, so ORDER BY must start with them (in any order); those
/// ORDER BY omits are sorted by after it (PostgreSQL's rule).
fn distinct_on_order(on: &[usize], keys: &mut Vec<SortKey>) -> SqlResult<()> {
    let mut remaining: Vec<usize> = on.to_vec();
    for k in keys.iter() {
        if remaining.is_empty() {
            break;
        }
        match k.expr {
            Expr::Column(p) if on.contains(&p) => remaining.retain(|r| *r != p),
            _ => {
                return Err(SqlError::new(
                    code::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                ));
            }
        }
    }
    remaining.dedup();
    keys.splice(
        keys.len()..,
        remaining.into_iter().map(|p| SortKey {
            expr: Expr::Column(p),
            descending: false,
            nulls_first: false,
        }),
    );
    Ok(())
}

/// For each output column of a set operation's operand, whether it is an
/// untyped literal (a string or NULL) of a plain SELECT; empty when unknown.
fn untyped_outputs(body: &ast::SetExpr) -> Vec<bool> {
    fn untyped(e: &ast::Expr) -> bool {
        match e {
            ast::Expr::Nested(inner) => untyped(inner),
            ast::Expr::Value(v) => matches!(
                v.value,
                ast::Value::Null
                    | ast::Value::SingleQuotedString(_)
                    | ast::Value::EscapedStringLiteral(_)
                    | ast::Value::DollarQuotedString(_)
            ),
            _ => false,
        }
    }
    let ast::SetExpr::Select(s) = body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &s.projection {
        match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                out.push(untyped(e))
            }
            _ => return Vec::new(),
        }
    }
    out
}

fn is_default(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

fn sort_options(o: &ast::OrderByExpr) -> (bool, bool) {
    let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
    // PostgreSQL: NULLs sort as larger than everything by default.
    let nulls_first = o.options.nulls_first.unwrap_or(descending);
    (descending, nulls_first)
}

fn qualified(c: &ScopeColumn) -> ast::Expr {
    let col = ast::Ident::with_quote('"', c.name.clone());
    match &c.qualifier {
        Some(q) if !q.is_empty() => {
            ast::Expr::CompoundIdentifier(vec![ast::Ident::with_quote('"', q.clone()), col])
        }
        _ => ast::Expr::Identifier(col),
    }
}

/// A table's columns as result columns.
fn table_columns(def: &TableDef) -> Vec<Column> {
    def.columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            ty: c.ty,
        })
        .collect()
}

pub(crate) fn scope_of(columns: &[Column], qualifier: &str, renames: &[String]) -> Scope {
    Scope {
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, c)| ScopeColumn {
                qualifier: (!qualifier.is_empty()).then(|| qualifier.to_owned()),
                name: renames.get(i).cloned().unwrap_or_else(|| c.name.clone()),
                ty: c.ty,
                primary_key: false,
                merged_away: false,
            })
            .collect(),
    }
}

fn output_scope(columns: &[Column]) -> Scope {
    scope_of(columns, "", &[])
}

/// GROUP BY a table's whole primary key lets the query use the table's
/// other columns, which the key determines (PostgreSQL's functional
/// dependency rule): they join the grouping keys, which groups no
/// differently. Called before any aggregate is bound.
fn add_dependent_columns(scope: &Scope, grouping: &mut Grouping) {
    assert!(grouping.aggs.is_empty(), "aggregates index past the keys");
    let mut qualifiers: Vec<&str> = scope
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .filter_map(|c| c.qualifier.as_deref())
        .collect();
    qualifiers.dedup();
    for q in qualifiers {
        let in_table = |c: &ScopeColumn| c.qualifier.as_deref() == Some(q);
        let key_covered = scope
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| in_table(c) && c.primary_key)
            .all(|(i, _)| grouping.keys.contains(&Expr::Column(i)));
        if !key_covered {
            continue;
        }
        for (i, c) in scope
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| in_table(c))
        {
            if !grouping.keys.contains(&Expr::Column(i)) {
                grouping.keys.push(Expr::Column(i));
                grouping.key_types.push(c.ty);
            }
        }
    }
}

/// A plan whose output columns are cast to `types` where they differ.
fn coerce_columns(plan: Plan, columns: &[Column], types: &[DataType]) -> Plan {
    if columns.iter().zip(types).all(|(c, t)| c.ty == *t) {
        return plan;
    }
    let exprs = columns
        .iter()
        .zip(types)
        .enumerate()
        .map(|(i, (c, t))| {
            if c.ty == *t {
                Expr::Column(i)
            } else {
                Expr::Cast(Expr::Column(i).boxed(), *t)
            }
        })
        .collect();
    Plan::Project {
        input: Box::new(plan),
        exprs,
    }
}

/// Splits a join condition into equalities between a left and a right
/// expression (for a hash join) and the rest.
fn split_equi(condition: Option<Expr>, left_width: usize) -> (Vec<(Expr, Expr)>, Option<Expr>) {
    let Some(condition) = condition else {
        return (Vec::new(), None);
    };
    let mut conjuncts = Vec::new();
    flatten_and(condition, &mut conjuncts);
    let mut equi = Vec::new();
    let mut rest: Option<Expr> = None;
    for c in conjuncts {
        if let Expr::Compare(CmpOp::Eq, a, b) = &c {
            let side = |e: &Expr| columns_side(e, left_width);
            match (side(a), side(b)) {
                (Some(Side::Left), Some(Side::Right)) => {
                    equi.push(((**a).clone(), shift(b, left_width)));
                    continue;
                }
                (Some(Side::Right), Some(Side::Left)) => {
                    equi.push(((**b).clone(), shift(a, left_width)));
                    continue;
                }
                _ => {}
            }
        }
        rest = Some(match rest {
            None => c,
            Some(r) => Expr::And(r.boxed(), c.boxed()),
        });
    }
    (equi, rest)
}

pub(crate) fn flatten_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::And(a, b) => {
            flatten_and(*a, out);
            flatten_and(*b, out);
        }
        other => out.push(other),
    }
}

#[derive(PartialEq)]
enum Side {
    Left,
    Right,
}

/// Which side of a join an expression reads, if only one.
fn columns_side(e: &Expr, left_width: usize) -> Option<Side> {
    let mut cols = Vec::new();
    collect_columns(e, &mut cols);
    if cols.is_empty() {
        return None;
    }
    if cols.iter().all(|c| *c < left_width) {
        Some(Side::Left)
    } else if cols.iter().all(|c| *c >= left_width) {
        Some(Side::Right)
    } else {
        None
    }
}

pub(crate) fn collect_columns(e: &Expr, out: &mut Vec<usize>) {
    match e {
        Expr::Column(i) => out.push(*i),
        Expr::Literal(_) | Expr::Param(_) => {}
        Expr::Not(a) | Expr::Neg(a) | Expr::IsNull(a) | Expr::IsBool(a, _) | Expr::Cast(a, _) => {
            collect_columns(a, out)
        }
        Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::Concat(a, b)
        | Expr::NotDistinct(a, b) => {
            collect_columns(a, out);
            collect_columns(b, out);
        }
        Expr::InList { expr, list } => {
            collect_columns(expr, out);
            list.iter().for_each(|x| collect_columns(x, out));
        }
        Expr::Like { expr, pattern, .. } => {
            collect_columns(expr, out);
            collect_columns(pattern, out);
        }
        Expr::Case { whens, otherwise } => {
            for (c, v) in whens {
                collect_columns(c, out);
                collect_columns(v, out);
            }
            collect_columns(otherwise, out);
        }
        Expr::Call(_, args) => args.iter().for_each(|x| collect_columns(x, out)),
        Expr::Outer { .. } | Expr::Runtime(_) => {}
        Expr::Subquery(s) => {
            if let SubqueryKind::In(x) = &s.kind {
                collect_columns(x, out);
            }
            subquery::columns_read(s, out);
        }
    }
}

/// `e` with every column index lowered by `by` (right side of a join).
fn shift(e: &Expr, by: usize) -> Expr {
    map_columns(e, &|i| i - by)
}

pub(crate) fn map_columns(e: &Expr, f: &dyn Fn(usize) -> usize) -> Expr {
    let m = |x: &Expr| map_columns(x, f).boxed();
    match e {
        Expr::Column(i) => Expr::Column(f(*i)),
        Expr::Literal(_) | Expr::Param(_) => e.clone(),
        Expr::Not(a) => Expr::Not(m(a)),
        Expr::Neg(a) => Expr::Neg(m(a)),
        Expr::IsNull(a) => Expr::IsNull(m(a)),
        Expr::IsBool(a, v) => Expr::IsBool(m(a), *v),
        Expr::Cast(a, t) => Expr::Cast(m(a), *t),
        Expr::And(a, b) => Expr::And(m(a), m(b)),
        Expr::Or(a, b) => Expr::Or(m(a), m(b)),
        Expr::Compare(op, a, b) => Expr::Compare(*op, m(a), m(b)),
        Expr::Arith(op, a, b) => Expr::Arith(*op, m(a), m(b)),
        Expr::Concat(a, b) => Expr::Concat(m(a), m(b)),
        Expr::NotDistinct(a, b) => Expr::NotDistinct(m(a), m(b)),
        Expr::InList { expr, list } => Expr::InList {
            expr: m(expr),
            list: list.iter().map(|x| map_columns(x, f)).collect(),
        },
        Expr::Like {
            expr,
            pattern,
            case_insensitive,
        } => Expr::Like {
            expr: m(expr),
            pattern: m(pattern),
            case_insensitive: *case_insensitive,
        },
        Expr::Case { whens, otherwise } => Expr::Case {
            whens: whens
                .iter()
                .map(|(c, v)| (map_columns(c, f), map_columns(v, f)))
                .collect(),
            otherwise: m(otherwise),
        },
        Expr::Call(s, args) => Expr::Call(*s, args.iter().map(|x| map_columns(x, f)).collect()),
        Expr::Outer { .. } | Expr::Runtime(_) => e.clone(),
        Expr::Subquery(s) => {
            let mut s = subquery::map_columns_read(s, f);
            if let SubqueryKind::In(x) = &mut s.kind {
                *x = map_columns(x, f);
            }
            Expr::Subquery(Box::new(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(sql: &str) -> String {
        let e = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .unwrap();
        column_name(&e)
    }

    fn key(p: usize) -> SortKey {
        SortKey {
            expr: Expr::Column(p),
            descending: true,
            nulls_first: true,
        }
    }

    #[test]
    fn distinct_on_must_lead_the_order_by() {
        // DISTINCT ON (b, a) ORDER BY a, b, c: fine as it is.
        let mut keys = vec![key(0), key(1), key(2)];
        distinct_on_order(&[1, 0], &mut keys).unwrap();
        assert_eq!(keys.len(), 3);
        // DISTINCT ON (a, b) ORDER BY a: b is sorted by after it.
        let mut keys = vec![key(0)];
        distinct_on_order(&[0, 1], &mut keys).unwrap();
        assert_eq!(
            keys.iter().map(|k| k.expr.clone()).collect::<Vec<_>>(),
            vec![Expr::Column(0), Expr::Column(1)]
        );
        // DISTINCT ON (a) ORDER BY c, a: refused.
        let mut keys = vec![key(2), key(0)];
        let e = distinct_on_order(&[0], &mut keys).unwrap_err();
        assert_eq!(e.code, code::INVALID_COLUMN_REFERENCE);
    }

    #[test]
    fn result_columns_are_named_like_postgres() {
        assert_eq!(name_of("substr(a, 1, 2)"), "substr");
        assert_eq!(name_of("substring(a, 1, 2)"), "substring");
        assert_eq!(name_of("substring(a FROM 1)"), "substring");
        assert_eq!(name_of("trim(a)"), "btrim");
        assert_eq!(name_of("trim(leading 'x' from a)"), "ltrim");
        assert_eq!(name_of("trim(trailing 'x' from a)"), "rtrim");
        assert_eq!(name_of("a::date"), "a");
        assert_eq!(name_of("(t.a)::date::text"), "a");
        assert_eq!(name_of("1::text"), "text");
        assert_eq!(name_of("'1'::date::text"), "text");
        assert_eq!(name_of("date '2024-01-01'"), "date");
        assert_eq!(name_of("CAST(CASE WHEN a THEN 1 END AS bigint)"), "int8");
        assert_eq!(name_of("CAST(lower(a) AS int)"), "lower");
        assert_eq!(name_of("true"), "bool");
        assert_eq!(name_of("-a"), "?column?");
        assert_eq!(name_of("1::smallint"), "int2");
        assert_eq!(name_of("(SELECT max(x) FROM t)"), "max");
        assert_eq!(name_of("(SELECT 1 AS a)"), "a");
        assert_eq!(name_of("EXISTS (SELECT 1)"), "exists");
        assert_eq!(name_of("NOT EXISTS (SELECT 1)"), "?column?");
    }
}
