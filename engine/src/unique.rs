//! UNIQUE constraints: for each, a persistent map from the constraint's
//! values (byte-comparable encoded) to the key of the row holding them.
//!
//! The maps live in each table's data in a version and are maintained by
//! `Version::apply`, so a duplicate is refused when a transaction writes it
//! and again, against everything committed meanwhile, when it commits. Rows
//! whose constrained values include a NULL are not indexed: NULLs never
//! conflict, as in PostgreSQL. The maps are rebuilt from the rows when a
//! database opens.

use crate::catalog::{ColumnId, TableDef, UniqueConstraint};
use crate::error::{ConstraintError, Error, Result};
use crate::memtable::Key;
use crate::row::encode_key;
use crate::types::{SessionTimeZone, Value, format_value};

/// One UNIQUE constraint's index.
#[derive(Debug, Clone, Default)]
pub struct UniqueIndex {
    entries: imbl::HashMap<Key, Key>,
}

impl UniqueIndex {
    /// The key of the row holding `values`, if any.
    pub fn get(&self, values: &[u8]) -> Option<&Key> {
        self.entries.get(values)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The encoded values of `row` under constraint `u`, or None when one is NULL.
pub fn key_of(def: &TableDef, u: &UniqueConstraint, row: &[Value]) -> Option<Key> {
    let mut values = Vec::with_capacity(u.columns.len());
    for id in &u.columns {
        let v = &row[def.column_position(*id)?];
        if v.is_null() {
            return None;
        }
        values.push(v);
    }
    let mut out = Vec::new();
    encode_key(&values, &mut out);
    Some(Key::from(out))
}

/// Refuses `row` (to be stored under `row_key`) if it duplicates another
/// row's values under any constraint.
pub fn check(def: &TableDef, indexes: &[UniqueIndex], row: &[Value], row_key: &[u8]) -> Result<()> {
    for (u, index) in def.uniques.iter().zip(indexes) {
        if let Some(k) = key_of(def, u, row)
            && index.get(&k).is_some_and(|holder| **holder != *row_key)
        {
            return Err(duplicate(def, u, row));
        }
    }
    Ok(())
}

/// Records `row`'s values under every constraint.
pub fn add(def: &TableDef, indexes: &mut [UniqueIndex], row: &[Value], row_key: &Key) {
    for (u, index) in def.uniques.iter().zip(indexes.iter_mut()) {
        if let Some(k) = key_of(def, u, row) {
            index.entries.insert(k, row_key.clone());
        }
    }
}

/// Forgets `row`'s values (the row is being deleted).
pub fn remove(def: &TableDef, indexes: &mut [UniqueIndex], row: &[Value], row_key: &[u8]) {
    for (u, index) in def.uniques.iter().zip(indexes.iter_mut()) {
        if let Some(k) = key_of(def, u, row)
            && index
                .entries
                .get(&k)
                .is_some_and(|holder| **holder == *row_key)
        {
            index.entries.remove(&k);
        }
    }
}

/// Indexes for every constraint of `def` over `rows`; a duplicate among
/// them is an error (as when ALTER TABLE adds a constraint the data breaks).
pub fn build(
    def: &TableDef,
    rows: impl Iterator<Item = (Key, crate::row::Row)>,
) -> Result<Vec<UniqueIndex>> {
    let mut indexes = vec![UniqueIndex::default(); def.uniques.len()];
    if indexes.is_empty() {
        return Ok(indexes);
    }
    for (key, row) in rows {
        check(def, &indexes, &row, &key)?;
        add(def, &mut indexes, &row, &key);
    }
    Ok(indexes)
}

/// PostgreSQL's duplicate-key error for constraint `u`.
pub fn duplicate(def: &TableDef, u: &UniqueConstraint, row: &[Value]) -> Error {
    duplicate_key(def, &u.name, &u.columns, row)
}

/// PostgreSQL's duplicate-key error for the constraint `constraint` over
/// `columns` (ids of `def`): the primary key's or a UNIQUE constraint's.
pub fn duplicate_key(
    def: &TableDef,
    constraint: &str,
    columns: &[ColumnId],
    row: &[Value],
) -> Error {
    let (names, values) = key_text(def, columns, row);
    Error::Constraint(ConstraintError::Unique {
        constraint: constraint.to_owned(),
        detail: format!("Key ({names})=({values}) already exists."),
    })
}

/// The column names and text values of `row` at `columns` (ids of `def`),
/// as PostgreSQL's constraint errors show a key in their DETAIL.
pub fn key_text(def: &TableDef, columns: &[ColumnId], row: &[Value]) -> (String, String) {
    let utc = SessionTimeZone::utc();
    let mut names = Vec::new();
    let mut values = Vec::new();
    for id in columns {
        if let Some(p) = def.column_position(*id) {
            names.push(def.columns[p].name.as_str());
            values.push(
                row.get(p)
                    .and_then(|v| format_value(v, &utc))
                    .unwrap_or_else(|| "null".into()),
            );
        }
    }
    (names.join(", "), values.join(", "))
}
