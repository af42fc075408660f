//! Transactions: a private version that sees its own writes, and the ops
//! that will be logged and applied to the latest version at commit.

use std::sync::Arc;

use crate::catalog::{Catalog, TableDef, TableId};
use crate::db::Inner;
use crate::error::{ConstraintError, Error, Result};
use crate::memtable::Key;
use crate::record::Op;
use crate::row::Row;
use crate::snapshot::{TableView, primary_key_of_row, primary_key_of_values, rowid_key};
use crate::types::Value;
use crate::version::Version;

/// The sequence number a transaction's own, uncommitted writes carry in its
/// private version.
pub(crate) const UNCOMMITTED_SEQ: u64 = u64::MAX;

/// A transaction. Reads see the snapshot it began with plus its own writes;
/// nothing is visible to others until [`Transaction::commit`] returns.
/// Dropping it without committing rolls it back.
pub struct Transaction {
    db: Arc<Inner>,
    base: Arc<Version>,
    view: Arc<Version>,
    ops: Vec<Op>,
}

/// A point to roll a transaction back to (statement-level atomicity).
#[derive(Clone)]
pub struct Savepoint {
    view: Arc<Version>,
    ops: usize,
}

impl Transaction {
    pub(crate) fn new(db: Arc<Inner>, base: Arc<Version>) -> Self {
        let view = base.clone();
        Transaction {
            db,
            base,
            view,
            ops: Vec::new(),
        }
    }

    /// Sequence number of the snapshot the transaction reads.
    pub fn snapshot_seq(&self) -> u64 {
        self.base.seq
    }

    /// The catalog as this transaction sees it.
    pub fn catalog(&self) -> &Catalog {
        &self.view.catalog
    }

    /// The table named `name`, with this transaction's writes.
    pub fn table(&self, name: &str) -> Result<TableView<'_>> {
        TableView::of(&self.view, name)
    }

    /// The version this transaction reads: its snapshot plus its writes.
    /// Holding it keeps that state readable while the transaction goes on.
    pub(crate) fn view(&self) -> Arc<Version> {
        self.view.clone()
    }

    /// Whether the transaction has written anything.
    pub fn is_read_only(&self) -> bool {
        self.ops.is_empty()
    }

    fn def(&self, name: &str) -> Result<Arc<TableDef>> {
        self.view
            .catalog
            .table_by_name(name)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("relation \"{name}\" does not exist")))
    }

    /// Applies `ops` to the private version, all or none.
    fn push(&mut self, ops: Vec<Op>) -> Result<()> {
        let mut view = (*self.view).clone();
        view.apply_batch(&ops, UNCOMMITTED_SEQ)?;
        self.view = Arc::new(view);
        self.ops.extend(ops);
        Ok(())
    }

    /// Inserts a row into table `table`; `values` has one value per column,
    /// each of the column's exact type.
    pub fn insert(&mut self, table: &str, values: Vec<Value>) -> Result<()> {
        let def = self.def(table)?;
        let row = checked_row(&def, values)?;
        let key = self.key_for_new_row(&def, &row);
        self.push(vec![Op::Insert {
            table: def.id,
            key,
            row,
        }])
    }

    /// Inserts `rows` into table `table` as one step: all of them or, on
    /// error, none. Cheaper than one [`Self::insert`] per row for bulk
    /// loads (one new private version per batch); the error does not say
    /// which row failed.
    pub fn insert_rows(&mut self, table: &str, rows: &[Row]) -> Result<()> {
        let def = self.def(table)?;
        let mut ops = Vec::with_capacity(rows.len());
        for row in rows {
            check_values(&def, row)?;
            let key = self.key_for_new_row(&def, row);
            ops.push(Op::Insert {
                table: def.id,
                key,
                row: row.clone(),
            });
        }
        self.push(ops)
    }

    /// Deletes the row whose primary key is `key`; false if there is none.
    pub fn delete(&mut self, table: &str, key: &[Value]) -> Result<bool> {
        let def = self.def(table)?;
        let key = primary_key_of_values(&def, key)?;
        self.delete_key(def.id, key)
    }

    /// Deletes the row with encoded key `key` (as [`TableView::scan`] gives
    /// it); false if there is none.
    pub fn delete_key(&mut self, table: TableId, key: Key) -> Result<bool> {
        if self.view.table(table)?.locate(&key).is_none() {
            return Ok(false);
        }
        self.push(vec![Op::Delete { table, key }])?;
        Ok(true)
    }

    /// Replaces the row whose primary key is `key` by `values` (which may
    /// change the key); false if there is no such row.
    pub fn update(&mut self, table: &str, key: &[Value], values: Vec<Value>) -> Result<bool> {
        let def = self.def(table)?;
        let key = primary_key_of_values(&def, key)?;
        self.update_key(def.id, key, values)
    }

    /// Replaces the row with encoded key `key`; false if there is none.
    pub fn update_key(&mut self, table: TableId, key: Key, values: Vec<Value>) -> Result<bool> {
        let def = self
            .view
            .catalog
            .table(table)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("table id {table} does not exist")))?;
        let row = checked_row(&def, values)?;
        if self.view.table(table)?.locate(&key).is_none() {
            return Ok(false);
        }
        let new_key = if def.primary_key.is_empty() {
            key.clone()
        } else {
            primary_key_of_row(&def, &row)
        };
        self.push(vec![
            Op::Delete { table, key },
            Op::Insert {
                table,
                key: new_key,
                row,
            },
        ])?;
        Ok(true)
    }

    /// Creates a table. Its id must come from [`Catalog::allocate_table_id`]
    /// of this transaction's catalog.
    pub fn create_table(&mut self, def: TableDef) -> Result<()> {
        self.push(vec![Op::CreateTable(def)])
    }

    /// Replaces a table's definition (ALTER TABLE); rows keep the values of
    /// columns whose ids remain, and get NULL in new columns.
    pub fn replace_table(&mut self, def: TableDef) -> Result<()> {
        self.push(vec![Op::ReplaceTable(def)])
    }

    /// Drops the table named `name` with all its rows.
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        let def = self.def(name)?;
        self.push(vec![Op::DropTable(def.id)])
    }

    /// Removes every row of the table named `name`.
    pub fn truncate(&mut self, name: &str) -> Result<()> {
        let def = self.def(name)?;
        self.push(vec![Op::Truncate(def.id)])
    }

    /// The row that `row` would collide with under the primary key
    /// (`constraint` None) or UNIQUE constraint number `constraint`, with
    /// its key — what INSERT … ON CONFLICT needs.
    pub fn conflicting_row(
        &self,
        table: TableId,
        constraint: Option<usize>,
        row: &[Value],
    ) -> Result<Option<(Key, Row)>> {
        let def = self
            .view
            .catalog
            .table(table)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("table id {table} does not exist")))?;
        let data = self.view.table(table)?;
        let key = match constraint {
            None if def.primary_key.is_empty() => return Ok(None),
            None => primary_key_of_row(&def, row),
            Some(i) => {
                let Some(u) = def.uniques.get(i) else {
                    return Err(Error::NotFound(format!(
                        "unique constraint {i} of {}",
                        def.name
                    )));
                };
                let Some(values) = crate::unique::key_of(&def, u, row) else {
                    return Ok(None);
                };
                match data.uniques.get(i).and_then(|idx| idx.get(&values)) {
                    Some(k) => k.clone(),
                    None => return Ok(None),
                }
            }
        };
        Ok(data
            .locate(&key)
            .map(|loc| (key.clone(), data.row_at(&loc, &def))))
    }

    /// Creates a role.
    pub fn create_role(&mut self, role: crate::catalog::RoleDef) -> Result<()> {
        self.push(vec![Op::CreateRole(role)])
    }

    /// Replaces an existing role's definition (ALTER ROLE).
    pub fn alter_role(&mut self, role: crate::catalog::RoleDef) -> Result<()> {
        self.push(vec![Op::AlterRole(role)])
    }

    /// Drops a role.
    pub fn drop_role(&mut self, name: &str) -> Result<()> {
        self.push(vec![Op::DropRole(name.to_owned())])
    }

    /// Renames a role, with what it owns and holds.
    pub fn rename_role(&mut self, from: &str, to: &str) -> Result<()> {
        self.push(vec![Op::RenameRole {
            from: from.to_owned(),
            to: to.to_owned(),
        }])
    }

    /// Sets the owner and grants of table `table`.
    pub fn set_acl(&mut self, table: TableId, acl: crate::catalog::TableAcl) -> Result<()> {
        self.push(vec![Op::SetAcl { table, acl }])
    }

    /// Marks the current state, to roll back to with [`Self::rollback_to`].
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            view: self.view.clone(),
            ops: self.ops.len(),
        }
    }

    /// Undoes everything done since `savepoint` was taken.
    pub fn rollback_to(&mut self, savepoint: Savepoint) {
        assert!(
            savepoint.ops <= self.ops.len(),
            "savepoint from a later state"
        );
        self.view = savepoint.view;
        self.ops.truncate(savepoint.ops);
    }

    /// Commits: the changes are logged, made durable and then visible to new
    /// snapshots. Returns the commit's sequence number (the snapshot's own
    /// for a read-only transaction). On error nothing of it is visible.
    pub fn commit(self) -> Result<u64> {
        if self.ops.is_empty() {
            return Ok(self.base.seq);
        }
        self.db.commit(&self.base, self.ops)
    }

    /// Discards the transaction.
    pub fn rollback(self) {}

    fn key_for_new_row(&self, def: &TableDef, row: &[Value]) -> Key {
        if def.primary_key.is_empty() {
            rowid_key(self.db.allocate_rowid())
        } else {
            primary_key_of_row(def, row)
        }
    }
}

/// `values` as a row of `def`, if every value fits its column.
fn checked_row(def: &TableDef, values: Vec<Value>) -> Result<Row> {
    check_values(def, &values)?;
    Ok(values.into())
}

/// Whether `values` fit the columns of `def`: as many, NOT NULL kept,
/// each of its column's type.
fn check_values(def: &TableDef, values: &[Value]) -> Result<()> {
    if values.len() != def.columns.len() {
        return Err(Error::Invalid(format!(
            "table \"{}\" has {} columns, {} values given",
            def.name,
            def.columns.len(),
            values.len()
        )));
    }
    for (value, column) in values.iter().zip(&def.columns) {
        if value.is_null() && column.not_null {
            return Err(Error::Constraint(ConstraintError::NotNull {
                table: def.name.clone(),
                column: column.name.clone(),
            }));
        }
        if !value.fits(&column.ty) {
            return Err(Error::Constraint(ConstraintError::Type {
                column: column.name.clone(),
                expected: column.ty.sql_name(),
                found: value.type_name().into(),
            }));
        }
    }
    Ok(())
}
