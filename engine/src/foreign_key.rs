//! FOREIGN KEY constraints, checked as `Version::apply` changes rows.
//!
//! - A row written into a referencing (child) table must find its parent:
//!   checked as each insert is applied, as PostgreSQL checks a
//!   non-deferred constraint row by row.
//! - A parent row that goes away, or whose referenced values change, is
//!   checked at the end of a batch of ops (a statement in a transaction, or
//!   a whole transaction at commit), so that an UPDATE — a delete and an
//!   insert of the same key — does not count as a delete. Referencing rows
//!   are refused (RESTRICT / NO ACTION) or deleted in turn (CASCADE).
//!
//! Referencing rows are found by scanning the child table; an index on the
//! referencing columns will make this cheaper.

use crate::catalog::{ForeignKey, ForeignKeyAction, TableDef, TableId};
use crate::error::{ConstraintError, Error, Result};
use crate::memtable::Key;
use crate::row::{Row, encode_key};
use crate::types::Value;
use crate::unique::key_text;
use crate::version::{Location, Version};

/// A parent row deleted in the current batch, to check at its end.
pub struct Removed {
    pub table: TableId,
    pub key: Key,
    pub row: Row,
}

/// The encoded values of `row` at `columns` (ids of `def`), or None if any is NULL.
fn values_key(def: &TableDef, columns: &[u32], row: &[Value]) -> Option<Vec<u8>> {
    let mut vals = Vec::with_capacity(columns.len());
    for id in columns {
        let v = row.get(def.column_position(*id)?)?;
        if v.is_null() {
            return None;
        }
        vals.push(v);
    }
    let mut out = Vec::new();
    encode_key(&vals, &mut out);
    Some(out)
}

/// Whether some live row of `parent` has `key` at `fk.ref_columns`.
fn parent_exists(
    version: &Version,
    parent: &TableDef,
    fk: &ForeignKey,
    key: &[u8],
) -> Result<bool> {
    let data = version.table(parent.id)?;
    if fk.ref_columns == parent.primary_key {
        return Ok(data.locate(key).is_some());
    }
    if let Some(i) = parent
        .uniques
        .iter()
        .position(|u| u.columns == fk.ref_columns)
    {
        return Ok(data
            .uniques
            .get(i)
            .is_some_and(|idx| idx.get(key).is_some()));
    }
    Ok(data
        .rows(parent)
        .any(|(_, row)| values_key(parent, &fk.ref_columns, &row).as_deref() == Some(key)))
}

/// Refuses `row`, being written into `child`, if a parent it references is missing.
pub fn check_parents(version: &Version, child: &TableDef, row: &[Value]) -> Result<()> {
    for fk in &child.foreign_keys {
        let Some(key) = values_key(child, &fk.columns, row) else {
            continue;
        };
        let parent = version.catalog.table(fk.ref_table).ok_or_else(|| {
            Error::NotFound(format!(
                "table id {} referenced by {} does not exist",
                fk.ref_table, fk.name
            ))
        })?;
        if !parent_exists(version, parent, fk, &key)? {
            let (names, vals) = key_text(child, &fk.columns, row);
            return Err(Error::Constraint(ConstraintError::ForeignKey {
                constraint: fk.name.clone(),
                message: format!(
                    "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                    child.name, fk.name
                ),
                detail: format!(
                    "Key ({names})=({vals}) is not present in table \"{}\".",
                    parent.name
                ),
            }));
        }
    }
    Ok(())
}

/// Whether any table references `table`.
pub fn is_referenced(version: &Version, table: TableId) -> bool {
    version
        .catalog
        .tables()
        .any(|t| t.foreign_keys.iter().any(|fk| fk.ref_table == table))
}

/// What ending a batch requires for one removed parent row: nothing, or
/// the keys of referencing rows to delete (CASCADE).
pub fn check_removed(version: &Version, removed: &Removed) -> Result<Vec<(TableId, Key)>> {
    let parent = version
        .catalog
        .table(removed.table)
        .ok_or_else(|| Error::NotFound(format!("table id {} does not exist", removed.table)))?;
    let data = version.table(removed.table)?;
    // The row as it is now, if the key came back (an UPDATE).
    let now = data
        .locate(&removed.key)
        .map(|loc: Location| data.row_at(&loc, parent));
    let mut cascade = Vec::new();
    for child in version.catalog.tables() {
        for fk in child
            .foreign_keys
            .iter()
            .filter(|fk| fk.ref_table == removed.table)
        {
            let Some(old) = values_key(parent, &fk.ref_columns, &removed.row) else {
                continue;
            };
            if now
                .as_ref()
                .and_then(|r| values_key(parent, &fk.ref_columns, r))
                .as_deref()
                == Some(&old[..])
            {
                continue;
            }
            let child_data = version.table(child.id)?;
            let referencing: Vec<Key> = child_data
                .rows(child)
                .filter(|(_, row)| values_key(child, &fk.columns, row).as_deref() == Some(&old[..]))
                .map(|(k, _)| k)
                .collect();
            if referencing.is_empty() {
                continue;
            }
            match fk.on_delete {
                ForeignKeyAction::Restrict => {
                    let (names, vals) = key_text(parent, &fk.ref_columns, &removed.row);
                    return Err(Error::Constraint(ConstraintError::ForeignKey {
                        constraint: fk.name.clone(),
                        message: format!(
                            "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                            parent.name, fk.name, child.name
                        ),
                        detail: format!(
                            "Key ({names})=({vals}) is still referenced from table \"{}\".",
                            child.name
                        ),
                    }));
                }
                ForeignKeyAction::Cascade => {
                    cascade.extend(referencing.into_iter().map(|k| (child.id, k)))
                }
            }
        }
    }
    Ok(cascade)
}
