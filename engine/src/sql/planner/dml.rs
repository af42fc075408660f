//! INSERT (with ON CONFLICT), UPDATE, DELETE, their RETURNING lists, and
//! COPY's target.

use std::sync::Arc;

use sqlparser::ast;

use crate::catalog::TableDef;
use crate::types::{DataType, Value};

use super::from::{scope_of, table_columns};
use super::naming::column_name;
use super::{BoundStatement, Planner, object_name};
use crate::sql::binder::{AggMode, Binder, Bound, Scope, Ty, ident_name};
use crate::sql::copy::{CopyOptions, CopyPlan};
use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::Expr;
use crate::sql::plan::Plan;
use crate::sql::result::Column;

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

/// The positions of the columns `names` of `def` (all columns when none
/// are named), for INSERT's and COPY's column lists.
pub(super) fn column_targets(def: &TableDef, names: &[String]) -> SqlResult<Vec<usize>> {
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

pub(super) fn is_default(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

impl Planner<'_, '_, '_> {
    pub(super) fn returning(
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
    pub(super) fn dml_target(
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

    pub(super) fn target_table(&self, name: &ast::ObjectName) -> SqlResult<Arc<TableDef>> {
        let name = object_name(name)?;
        self.catalog
            .table_by_name(&name)
            .cloned()
            .ok_or_else(|| SqlError::undefined_table(&name))
    }

    pub(super) fn insert(&mut self, insert: &ast::Insert) -> SqlResult<BoundStatement> {
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

    /// INSERT's VALUES rows, each value coerced to its target column's type.
    pub(super) fn insert_values(
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

    /// COPY's table and columns, or its query.
    pub(super) fn copy(
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
    pub(super) fn defaults(&mut self, def: &TableDef) -> SqlResult<Vec<Expr>> {
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

    pub(super) fn update(&mut self, update: &ast::Update) -> SqlResult<BoundStatement> {
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
    pub(super) fn assignments(
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

    pub(super) fn on_conflict(
        &mut self,
        def: &TableDef,
        oc: &ast::OnConflict,
    ) -> SqlResult<OnConflict> {
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

    pub(super) fn binder_ty(&mut self, e: &ast::Expr, scope: &Scope) -> Ty {
        let mut probe = Binder::new(&self.binder.params, self.binder.time_zone, self.binder.now);
        probe.expr(e, scope).map(|b| b.ty).unwrap_or(Ty::Unknown)
    }

    pub(super) fn delete(&mut self, delete: &ast::Delete) -> SqlResult<BoundStatement> {
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
}
