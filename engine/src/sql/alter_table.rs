//! ALTER TABLE: adding, dropping and renaming columns (a CRM's custom
//! fields), renaming the table, and a column's DEFAULT and NOT NULL.
//!
//! Every column has a stable id, and segments name the ids they hold, so
//! none of these rewrites stored data: a segment written before a column
//! was added reads it as NULL, and a dropped column's values stay in old
//! segments, unreachable, until compaction rewrites them. The one change
//! that touches rows is a new column with a DEFAULT: as in PostgreSQL the
//! existing rows take the default, which the executor writes to each of
//! them in the same transaction (see [`Altered::fill`]).

use std::ops::ControlFlow;
use std::sync::Arc;

use sqlparser::ast::{self, VisitMut, VisitorMut};

use super::binder::ident_name;
use super::error::{SqlError, SqlResult, code};
use super::executor::{ExecContext, checks_of, matching_rows};
use super::planner::AlterPlan;
use super::subquery::exec::prepare;
use crate::catalog::{Catalog, ColumnDef, TableDef};
use crate::txn::Transaction;
use crate::types::Value;

/// One action of an ALTER TABLE, in statement order.
#[derive(Debug)]
enum Action<'a> {
    AddColumn {
        column: &'a ast::ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    RenameTable {
        to: String,
    },
    SetDefault {
        column: String,
        default: Option<&'a ast::Expr>,
    },
    SetNotNull {
        column: String,
        not_null: bool,
    },
}

/// What an ALTER TABLE changes, worked out against the catalog.
#[derive(Debug)]
pub struct Altered {
    /// The table's definition after every action.
    pub def: TableDef,
    /// Other tables whose foreign keys DROP COLUMN … CASCADE removed.
    pub others: Vec<TableDef>,
    /// Added columns with a DEFAULT (positions in `def`): existing rows
    /// take the default.
    pub fill: Vec<usize>,
    /// Columns that became NOT NULL (positions in `def`): existing rows
    /// must not hold NULL there.
    pub not_null: Vec<usize>,
    /// CHECK constraints were added: existing rows must pass them.
    pub new_checks: bool,
}

/// Works out `ALTER TABLE` against `catalog`. None when the table does not
/// exist and IF EXISTS was given.
pub fn alter(a: &ast::AlterTable, catalog: &Catalog) -> SqlResult<Option<Altered>> {
    if a.only || a.location.is_some() || a.on_cluster.is_some() || a.table_type.is_some() {
        return Err(SqlError::unsupported(format!("the statement {a}")));
    }
    let table = super::planner::object_name(&a.name)?;
    let Some(old) = catalog.table_by_name(&table) else {
        if a.if_exists {
            return Ok(None);
        }
        return Err(SqlError::undefined_table(&table));
    };
    let actions = a
        .operations
        .iter()
        .map(action)
        .collect::<SqlResult<Vec<_>>>()?;
    if actions.len() > 1
        && actions
            .iter()
            .any(|a| matches!(a, Action::RenameColumn { .. } | Action::RenameTable { .. }))
    {
        // PostgreSQL's grammar allows RENAME only on its own.
        return Err(SqlError::syntax(
            "RENAME cannot be combined with other ALTER TABLE actions",
        ));
    }
    let mut altered = Altered {
        def: (**old).clone(),
        others: Vec::new(),
        fill: Vec::new(),
        not_null: Vec::new(),
        new_checks: false,
    };
    for action in actions {
        apply(&mut altered, action, catalog)?;
    }
    altered.def.validate().map_err(SqlError::from)?;
    Ok(Some(altered))
}

/// Binds one sqlparser operation, refusing what crmdb does not do.
fn action(op: &ast::AlterTableOperation) -> SqlResult<Action<'_>> {
    use ast::AlterTableOperation as Op;
    Ok(match op {
        Op::AddColumn {
            if_not_exists,
            column_def,
            column_position: None,
            ..
        } => Action::AddColumn {
            column: column_def,
            if_not_exists: *if_not_exists,
        },
        Op::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } if column_names.len() == 1 => Action::DropColumn {
            name: ident_name(&column_names[0]),
            if_exists: *if_exists,
            cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
        },
        Op::RenameColumn {
            old_column_name,
            new_column_name,
        } => Action::RenameColumn {
            from: ident_name(old_column_name),
            to: ident_name(new_column_name),
        },
        Op::RenameTable {
            table_name: ast::RenameTableNameKind::To(name),
        } => Action::RenameTable {
            to: super::planner::object_name(name)?,
        },
        Op::AlterColumn { column_name, op } => {
            let column = ident_name(column_name);
            match op {
                ast::AlterColumnOperation::SetDefault { value } => Action::SetDefault {
                    column,
                    default: Some(value),
                },
                ast::AlterColumnOperation::DropDefault => Action::SetDefault {
                    column,
                    default: None,
                },
                ast::AlterColumnOperation::SetNotNull => Action::SetNotNull {
                    column,
                    not_null: true,
                },
                ast::AlterColumnOperation::DropNotNull => Action::SetNotNull {
                    column,
                    not_null: false,
                },
                other => {
                    return Err(SqlError::unsupported(format!(
                        "ALTER TABLE … ALTER COLUMN … {other}"
                    )));
                }
            }
        }
        other => {
            return Err(SqlError::unsupported(format!("ALTER TABLE … {other}")));
        }
    })
}

fn apply(altered: &mut Altered, action: Action, catalog: &Catalog) -> SqlResult<()> {
    let def = &mut altered.def;
    match action {
        Action::AddColumn {
            column,
            if_not_exists,
        } => {
            let name = ident_name(&column.name);
            if def.column_index(&name).is_some() {
                // IF NOT EXISTS: skipped (without PostgreSQL's NOTICE).
                if if_not_exists {
                    return Ok(());
                }
                return Err(duplicate_column(&name, &def.name));
            }
            let id = def.next_column_id;
            def.next_column_id += 1;
            def.columns.push(ColumnDef {
                id,
                name,
                ty: super::ddl::data_type(&column.data_type).map_err(super::planner::ddl_error)?,
                not_null: false,
                default: None,
            });
            let checks_before = def.checks.len();
            for option in &column.options {
                if matches!(option.option, ast::ColumnOption::PrimaryKey(_)) {
                    return Err(SqlError::unsupported(
                        "adding a PRIMARY KEY column to an existing table",
                    ));
                }
                super::ddl::column_option(def, id, &option.option, catalog)
                    .map_err(super::planner::ddl_error)?;
            }
            let pos = def.columns.len() - 1;
            if def.columns[pos].default.is_some() {
                altered.fill.push(pos);
            }
            if def.columns[pos].not_null {
                altered.not_null.push(pos);
            }
            altered.new_checks |= def.checks.len() > checks_before;
        }
        Action::DropColumn {
            name,
            if_exists,
            cascade,
        } => {
            let Some(pos) = def.column_index(&name) else {
                // IF EXISTS: skipped (without PostgreSQL's NOTICE).
                if if_exists {
                    return Ok(());
                }
                return Err(undefined_column(&name, &def.name));
            };
            let id = def.columns[pos].id;
            // Foreign keys of other tables that reference the column.
            for other in catalog.tables().filter(|t| t.id != def.id) {
                let referencing: Vec<String> = other
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.ref_table == def.id && fk.ref_columns.contains(&id))
                    .map(|fk| fk.name.clone())
                    .collect();
                if referencing.is_empty() {
                    continue;
                }
                if !cascade {
                    return Err(SqlError::new(
                        code::DEPENDENT_OBJECTS_STILL_EXIST,
                        format!(
                            "cannot drop column {name} of table {} because other objects depend on it",
                            def.name
                        ),
                    )
                    .with_detail(format!(
                        "constraint {} on table {} depends on column {name} of table {}",
                        referencing[0], other.name, def.name
                    ))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                let mut changed = (**other).clone();
                changed
                    .foreign_keys
                    .retain(|fk| !referencing.contains(&fk.name));
                altered.others.retain(|t| t.id != changed.id);
                altered.others.push(changed);
            }
            // Rows are keyed by it (checked after the dependencies, as
            // PostgreSQL reports those first).
            if def.primary_key.contains(&id) {
                return Err(SqlError::unsupported(
                    "dropping a column of the primary key",
                ));
            }
            // What PostgreSQL drops with the column: its indexes and the
            // constraints that name it.
            def.columns.remove(pos);
            def.uniques.retain(|u| !u.columns.contains(&id));
            def.foreign_keys.retain(|fk| !fk.columns.contains(&id));
            def.indexes.retain(|i| !i.columns.contains(&id));
            def.checks.retain(|c| !names_column(&c.expr, &name));
            altered.fill.retain(|p| *p != pos);
            altered.not_null.retain(|p| *p != pos);
            for p in altered.fill.iter_mut().chain(altered.not_null.iter_mut()) {
                if *p > pos {
                    *p -= 1;
                }
            }
        }
        Action::RenameColumn { from, to } => {
            let pos = def
                .column_index(&from)
                .ok_or_else(|| undefined_column(&from, &def.name))?;
            if def.column_index(&to).is_some() {
                return Err(duplicate_column(&to, &def.name));
            }
            def.columns[pos].name = to.clone();
            for check in &mut def.checks {
                check.expr = rename_in_expr(&check.expr, &from, &to)?;
            }
        }
        Action::RenameTable { to } => {
            if super::index_ddl::relation_exists(catalog, &to) {
                return Err(SqlError::new(
                    code::DUPLICATE_TABLE,
                    format!("relation \"{to}\" already exists"),
                ));
            }
            def.name = to;
        }
        Action::SetDefault { column, default } => {
            let pos = def
                .column_index(&column)
                .ok_or_else(|| undefined_column(&column, &def.name))?;
            def.columns[pos].default = default.map(|e| e.to_string());
        }
        Action::SetNotNull { column, not_null } => {
            let pos = def
                .column_index(&column)
                .ok_or_else(|| undefined_column(&column, &def.name))?;
            if !not_null && def.primary_key.contains(&def.columns[pos].id) {
                return Err(SqlError::new(
                    code::INVALID_TABLE_DEFINITION,
                    format!("column \"{column}\" is in a primary key"),
                ));
            }
            if not_null && !def.columns[pos].not_null {
                altered.not_null.push(pos);
            }
            def.columns[pos].not_null = not_null;
        }
    }
    Ok(())
}

/// Runs a bound ALTER TABLE in `txn`: the new definitions, then the
/// existing rows given their new columns' defaults and checked against
/// new NOT NULL and CHECK constraints.
pub(super) fn execute(
    plan: AlterPlan,
    txn: &mut Transaction,
    ctx: &Arc<ExecContext>,
) -> SqlResult<()> {
    let AlterPlan { altered, fill } = plan;
    let def = altered.def;
    txn.replace_table(def.clone())?;
    for other in altered.others {
        txn.replace_table(other)?;
    }
    if fill.is_empty() && altered.not_null.is_empty() && !altered.new_checks {
        return Ok(());
    }
    let ctx = Arc::new(ctx.refreshed(txn));
    let checks = if altered.new_checks {
        checks_of(&def, &ctx)?
    } else {
        Vec::new()
    };
    let fill = fill
        .iter()
        .map(|(p, e)| Ok((*p, prepare(e, &ctx)?)))
        .collect::<SqlResult<Vec<_>>>()?;
    let ev = ctx.eval();
    for (key, row) in matching_rows(&ctx, &def, None)? {
        let mut new_row = row.clone();
        for (p, e) in &fill {
            new_row[*p] = e.eval(&row, &ev)?;
        }
        if let Some(&p) = altered.not_null.iter().find(|&&p| new_row[p].is_null()) {
            return Err(SqlError::new(
                code::NOT_NULL_VIOLATION,
                format!(
                    "column \"{}\" of relation \"{}\" contains null values",
                    def.columns[p].name, def.name
                ),
            ));
        }
        for (name, cond) in &checks {
            if cond.eval(&new_row, &ev)? == Value::Boolean(false) {
                return Err(SqlError::new(
                    code::CHECK_VIOLATION,
                    format!(
                        "check constraint \"{name}\" of relation \"{}\" is violated by some row",
                        def.name
                    ),
                ));
            }
        }
        if !fill.is_empty() {
            txn.update_key(def.id, key, new_row)?;
        }
    }
    Ok(())
}

fn duplicate_column(name: &str, table: &str) -> SqlError {
    SqlError::new(
        code::DUPLICATE_COLUMN,
        format!("column \"{name}\" of relation \"{table}\" already exists"),
    )
}

fn undefined_column(name: &str, table: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_COLUMN,
        format!("column \"{name}\" of relation \"{table}\" does not exist"),
    )
}

fn parse_stored(expr: &str) -> SqlResult<ast::Expr> {
    crate::sql::parser::parse_stored_expr(expr)
        .map_err(|e| SqlError::internal(format!("stored expression {expr} does not parse: {e}")))
}

/// Calls `f` on every column reference of an expression: a bare name or
/// the last part of a qualified one.
fn for_each_column(e: &mut ast::Expr, f: &mut dyn FnMut(&mut ast::Ident)) {
    struct Columns<'f>(&'f mut dyn FnMut(&mut ast::Ident));
    impl VisitorMut for Columns<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &mut ast::Expr) -> ControlFlow<()> {
            match e {
                ast::Expr::Identifier(i) => (self.0)(i),
                ast::Expr::CompoundIdentifier(parts) => {
                    if let Some(last) = parts.last_mut() {
                        (self.0)(last);
                    }
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let _ = e.visit(&mut Columns(f));
}

/// Whether a stored CHECK expression reads the column `name` (one that
/// does not parse is kept, so counted as reading nothing).
fn names_column(expr: &str, name: &str) -> bool {
    let Ok(mut e) = parse_stored(expr) else {
        return false;
    };
    let mut found = false;
    for_each_column(&mut e, &mut |i| found |= ident_name(i) == name);
    found
}

/// A stored CHECK expression with the column `from` renamed `to`.
fn rename_in_expr(expr: &str, from: &str, to: &str) -> SqlResult<String> {
    let mut e = parse_stored(expr)?;
    let mut renamed = false;
    for_each_column(&mut e, &mut |i| {
        if ident_name(i) == from {
            *i = quoted_if_needed(to);
            renamed = true;
        }
    });
    Ok(if renamed {
        e.to_string()
    } else {
        expr.to_owned()
    })
}

/// An identifier that reads back as `name`: bare when it is lower case,
/// quoted otherwise.
fn quoted_if_needed(name: &str) -> ast::Ident {
    let plain = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_lowercase() || (i > 0 && c.is_ascii_digit()));
    if plain {
        ast::Ident::new(name)
    } else {
        ast::Ident::with_quote('"', name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_expressions_follow_a_renamed_column() {
        assert_eq!(
            rename_in_expr("amount >= 0 AND t.amount < 10", "amount", "total").unwrap(),
            "total >= 0 AND t.total < 10"
        );
        assert_eq!(
            rename_in_expr("amount >= 0", "amount", "Total").unwrap(),
            "\"Total\" >= 0"
        );
        assert_eq!(rename_in_expr("x > 0", "amount", "y").unwrap(), "x > 0");
        assert!(names_column("lower(email) <> ''", "email"));
        assert!(!names_column("lower(email) <> ''", "mail"));
    }
}
