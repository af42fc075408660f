//! CREATE INDEX and DROP INDEX.
//!
//! An index is a catalog entry; the segments written afterwards carry its
//! value bitmaps or bit-sliced index, and the segments written before are
//! rewritten by compaction (which the background thread starts for any
//! table whose segments lack one of its indexes). Until then queries scan
//! the column in those segments, so results never depend on it.

use sqlparser::ast;

use super::binder::ident_name;
use super::error::{SqlError, SqlResult, code};
use super::planner::object_name;
use crate::catalog::{Catalog, IndexDef, IndexMethod, TableDef};
use crate::txn::Transaction;

/// A bound CREATE INDEX.
#[derive(Debug)]
pub struct CreateIndex {
    pub table: String,
    /// None: named like PostgreSQL does, `<table>_<columns>_idx`.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub method: IndexMethod,
    pub if_not_exists: bool,
}

/// Binds `CREATE INDEX [name] ON table [USING bitmap|btree] (column, ...)`.
pub fn bind_create(c: &ast::CreateIndex) -> SqlResult<CreateIndex> {
    if c.unique {
        return Err(SqlError::unsupported(
            "CREATE UNIQUE INDEX (use a UNIQUE constraint)",
        ));
    }
    if c.predicate.is_some() || !c.include.is_empty() || !c.with.is_empty() {
        return Err(SqlError::unsupported(
            "partial indexes, INCLUDE and WITH on indexes",
        ));
    }
    let method = match &c.using {
        None | Some(ast::IndexType::BTree) => IndexMethod::Btree,
        Some(ast::IndexType::Custom(m)) if ident_name(m) == "bitmap" => IndexMethod::Bitmap,
        Some(ast::IndexType::Custom(m)) if ident_name(m) == "btree" => IndexMethod::Btree,
        Some(other) => {
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!(
                    "access method \"{}\" does not exist",
                    other.to_string().to_lowercase()
                ),
            ));
        }
    };
    let columns = c
        .columns
        .iter()
        .map(|col| match &col.column.expr {
            ast::Expr::Identifier(i) if col.operator_class.is_none() => Ok(ident_name(i)),
            other => Err(SqlError::unsupported(format!(
                "an index on the expression {other}"
            ))),
        })
        .collect::<SqlResult<Vec<_>>>()?;
    Ok(CreateIndex {
        table: object_name(&c.table_name)?,
        name: c.name.as_ref().map(object_name).transpose()?,
        columns,
        method,
        if_not_exists: c.if_not_exists,
    })
}

/// Whether any relation (table or index, including those behind PRIMARY
/// KEY and UNIQUE constraints) is named `name`: they share one namespace.
pub(crate) fn relation_exists(catalog: &Catalog, name: &str) -> bool {
    catalog.tables().any(|t| {
        t.name == name
            || t.primary_key_name.as_deref() == Some(name)
            || (!t.primary_key.is_empty()
                && t.primary_key_name.is_none()
                && format!("{}_pkey", t.name) == name)
            || t.uniques.iter().any(|u| u.name == name)
            || t.indexes.iter().any(|i| i.name == name)
    })
}

/// Runs a bound CREATE INDEX in `txn` (nothing when the name is taken and
/// IF NOT EXISTS says so).
pub fn create(c: &CreateIndex, txn: &mut Transaction) -> SqlResult<()> {
    let def = txn
        .catalog()
        .table_by_name(&c.table)
        .ok_or_else(|| SqlError::undefined_table(&c.table))?;
    let mut ids = Vec::with_capacity(c.columns.len());
    for name in &c.columns {
        let column = def
            .columns
            .iter()
            .find(|col| col.name == *name)
            .ok_or_else(|| {
                SqlError::new(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{name}\" does not exist"),
                )
            })?;
        ids.push(column.id);
    }
    let name = match &c.name {
        Some(n) => n.clone(),
        None => default_name(txn.catalog(), def, &c.columns),
    };
    if relation_exists(txn.catalog(), &name) {
        if c.if_not_exists {
            return Ok(());
        }
        return Err(SqlError::new(
            code::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        ));
    }
    let mut def = (**def).clone();
    def.indexes.push(IndexDef {
        name,
        columns: ids,
        method: c.method,
        builtin: false,
    });
    txn.replace_table(def)?;
    Ok(())
}

/// PostgreSQL's name for an unnamed index: `<table>_<col>_<col>_idx`, with
/// a number appended while it is taken.
fn default_name(catalog: &Catalog, def: &TableDef, columns: &[String]) -> String {
    let base = format!("{}_{}_idx", def.name, columns.join("_"));
    let mut name = base.clone();
    let mut n = 0;
    while relation_exists(catalog, &name) {
        n += 1;
        name = format!("{base}{n}");
    }
    name
}

/// Runs DROP INDEX for `names` in `txn`.
pub fn drop(names: &[String], if_exists: bool, txn: &mut Transaction) -> SqlResult<()> {
    for name in names {
        let owner = txn
            .catalog()
            .tables()
            .find(|t| t.indexes.iter().any(|i| i.name == *name && !i.builtin))
            .cloned();
        let Some(table) = owner else {
            let constraint = txn.catalog().tables().find(|t| {
                t.uniques.iter().any(|u| u.name == *name)
                    || (!t.primary_key.is_empty()
                        && t.primary_key_name
                            .clone()
                            .unwrap_or_else(|| format!("{}_pkey", t.name))
                            == *name)
            });
            if let Some(t) = constraint {
                return Err(SqlError::new(
                    "2BP01",
                    format!(
                        "cannot drop index {name} because constraint {name} on table {} requires it",
                        t.name
                    ),
                )
                .with_hint(format!(
                    "You can drop constraint {name} on table {} instead.",
                    t.name
                )));
            }
            if if_exists {
                continue;
            }
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("index \"{name}\" does not exist"),
            ));
        };
        let mut def = (*table).clone();
        def.indexes.retain(|i| i.name != *name);
        txn.replace_table(def)?;
    }
    Ok(())
}
