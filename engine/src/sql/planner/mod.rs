//! The planner: a statement's syntax tree to a [`BoundStatement`] — for a
//! query, a [`Plan`] and its result columns.
//!
//! One module per part of a statement: [`query`] (WITH, set operations,
//! ORDER BY/LIMIT), [`select`], [`from`] (tables and joins), [`dml`]
//! (INSERT/UPDATE/DELETE/COPY), [`naming`] (result column names) and
//! [`columns`] (walks over bound expressions' column references).

mod columns;
mod dml;
mod from;
mod naming;
mod query;
mod select;

pub(crate) use columns::{flatten_and, map_columns};
pub use dml::{ConflictAction, InsertSource, OnConflict, Returning};
pub(crate) use from::scope_of;
pub use naming::column_name;

use std::sync::Arc;

use sqlparser::ast;

use crate::catalog::{Catalog, TableDef};
use crate::types::DataType;

use super::binder::{AggMode, Binder, OuterScope, Scope, ident_name};
use super::copy::{CopyOptions, CopyPlan};
use super::error::{SqlError, SqlResult, code};
use super::expr::Expr;
use super::plan::Plan;
use super::result::{Column, Description};
use super::settings::Settings;
use from::table_columns;

/// A planned query: its plan and result columns.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    pub plan: Plan,
    pub columns: Vec<Column>,
}

/// A bound ALTER TABLE.
#[derive(Debug)]
pub struct AlterPlan {
    pub altered: super::alter_table::Altered,
    /// For each added column with a DEFAULT: its position and the default,
    /// which every existing row takes.
    pub fill: Vec<(usize, Expr)>,
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
    /// None: IF EXISTS and the table does not exist.
    AlterTable(Option<Box<AlterPlan>>),
    CreateIndex(super::index_ddl::CreateIndex),
    DropIndex {
        names: Vec<String>,
        if_exists: bool,
    },
    Set {
        name: String,
        value: Option<String>,
    },
    /// RESET name, or every setting (`all`).
    Reset {
        name: String,
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
            let e = crate::sql::parser::parse_stored_expr(&c.expr).map_err(|e| {
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
        S::AlterTable(a) => {
            let Some(altered) = super::alter_table::alter(a, catalog)? else {
                return Ok(BoundStatement::AlterTable(None));
            };
            // Every default binds (a new or changed one is checked now, as
            // PostgreSQL does); the added columns' fill existing rows.
            let defaults = planner.defaults(&altered.def)?;
            let fill = altered
                .fill
                .iter()
                .map(|&p| (p, defaults[p].clone()))
                .collect();
            Ok(BoundStatement::AlterTable(Some(Box::new(AlterPlan {
                altered,
                fill,
            }))))
        }
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
        S::Reset(r) => match &r.reset {
            ast::Reset::ConfigurationParameter(name) => Ok(BoundStatement::Reset {
                name: name.to_string().to_lowercase(),
            }),
            ast::Reset::ALL => Ok(BoundStatement::Reset { name: "all".into() }),
            ast::Reset::SessionAuthorization => {
                Err(SqlError::unsupported("RESET SESSION AUTHORIZATION"))
            }
        },
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
pub(crate) fn ddl_error(e: crate::Error) -> SqlError {
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
        E::NotFound(m) if m.starts_with("type ") => SqlError::new(code::UNDEFINED_OBJECT, m),
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

impl Planner<'_, '_, '_> {
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
