//! The catalog: tables, their columns, constraints and indexes.
//!
//! The catalog is versioned with the data: a transaction that creates, alters
//! or drops a table logs the new definitions in its commit record, and a
//! checkpoint stores the whole catalog in the manifest. Every column has a
//! stable id, so that segments written before an ALTER TABLE still map their
//! columns to the table's current ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::types::DataType;

/// Identifies a table for the life of the data directory (names can change).
pub type TableId = u32;
/// Identifies a column within its table for the life of the table.
pub type ColumnId = u32;

/// Most columns a table may have (PostgreSQL's limit).
pub const MAX_COLUMNS: usize = 1600;
/// Longest table, column, constraint or index name (PostgreSQL's NAMEDATALEN - 1).
pub const MAX_NAME_LEN: usize = 63;

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub id: ColumnId,
    pub name: String,
    pub ty: DataType,
    pub not_null: bool,
    /// The DEFAULT expression as SQL text, evaluated by the SQL layer.
    pub default: Option<String>,
}

/// What happens to referencing rows when a referenced row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForeignKeyAction {
    /// Refuse the delete (RESTRICT and NO ACTION behave alike here).
    Restrict,
    /// Delete the referencing rows too.
    Cascade,
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    pub name: String,
    pub columns: Vec<ColumnId>,
}

/// A CHECK constraint; the expression is SQL text evaluated by the SQL layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckConstraint {
    pub name: String,
    pub expr: String,
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<ColumnId>,
    pub ref_table: TableId,
    pub ref_columns: Vec<ColumnId>,
    pub on_delete: ForeignKeyAction,
}

/// How an index is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexMethod {
    /// Roaring value bitmaps and bit-sliced indexes kept in the segments.
    Bitmap,
    /// Declared `USING btree` (or without USING): recorded as such for the
    /// system catalogs, and kept as bitmap indexes like [`Self::Bitmap`],
    /// crmdb's one kind of secondary index.
    Btree,
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    pub name: String,
    pub columns: Vec<ColumnId>,
    pub method: IndexMethod,
    /// One of the canonical schema's segmentation indexes, made with the
    /// data directory: the system catalogs do not list it, so that psql
    /// shows what PostgreSQL shows for the same schema.
    #[serde(default)]
    pub builtin: bool,
}

/// A table's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    pub id: TableId,
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Primary key columns, in key order; empty when the table has none (its
    /// rows are then keyed by a hidden, never reused row id).
    pub primary_key: Vec<ColumnId>,
    /// Name of the primary key constraint (`<table>_pkey` by default).
    pub primary_key_name: Option<String>,
    pub uniques: Vec<UniqueConstraint>,
    pub checks: Vec<CheckConstraint>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<IndexDef>,
    /// The next column id to hand out (ids are never reused).
    pub next_column_id: ColumnId,
}

impl TableDef {
    /// Position of the column named `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Position of the column with id `id`.
    pub fn column_position(&self, id: ColumnId) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// Positions of the primary key columns.
    pub fn primary_key_positions(&self) -> Vec<usize> {
        self.primary_key
            .iter()
            .map(|id| {
                self.column_position(*id)
                    .expect("validated: primary key columns exist")
            })
            .collect()
    }

    /// The column types in order.
    pub fn column_types(&self) -> Vec<DataType> {
        self.columns.iter().map(|c| c.ty).collect()
    }

    /// For each column in order, whether an index covers it (its segments
    /// then carry value bitmaps or a bit-sliced index for it).
    pub fn indexed_columns(&self) -> Vec<bool> {
        self.columns
            .iter()
            .map(|c| self.indexes.iter().any(|i| i.columns.contains(&c.id)))
            .collect()
    }

    /// The column ids in order.
    pub fn column_ids(&self) -> Vec<ColumnId> {
        self.columns.iter().map(|c| c.id).collect()
    }

    /// Checks the definition's own invariants: names unique and in bounds,
    /// every referenced column present, key columns NOT NULL.
    pub fn validate(&self) -> Result<()> {
        check_name("table", &self.name)?;
        if self.columns.len() > MAX_COLUMNS {
            return Err(Error::Limit(format!(
                "tables can have at most {MAX_COLUMNS} columns"
            )));
        }
        for (i, c) in self.columns.iter().enumerate() {
            check_name("column", &c.name)?;
            if self.columns[..i].iter().any(|o| o.name == c.name) {
                return Err(Error::Invalid(format!(
                    "column \"{}\" specified more than once",
                    c.name
                )));
            }
            if c.id >= self.next_column_id {
                return Err(Error::Invalid(format!("column id {} not allocated", c.id)));
            }
        }
        let known = |ids: &[ColumnId]| ids.iter().all(|id| self.column_position(*id).is_some());
        let all_known = known(&self.primary_key)
            && self.uniques.iter().all(|u| known(&u.columns))
            && self.foreign_keys.iter().all(|f| known(&f.columns))
            && self.indexes.iter().all(|i| known(&i.columns));
        if !all_known {
            return Err(Error::Invalid(format!(
                "a constraint of table \"{}\" names a column it does not have",
                self.name
            )));
        }
        for id in &self.primary_key {
            let c = &self.columns[self.column_position(*id).expect("checked above")];
            if !c.not_null {
                return Err(Error::Invalid(format!(
                    "primary key column \"{}\" must be NOT NULL",
                    c.name
                )));
            }
        }
        Ok(())
    }
}

fn check_name(kind: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::Invalid(format!("zero-length {kind} name")));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::Limit(format!(
            "{kind} name \"{name}\" is longer than {MAX_NAME_LEN} bytes"
        )));
    }
    Ok(())
}

/// A role: a user that can log in, or a group of privileges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    pub name: String,
    pub superuser: bool,
    pub login: bool,
    /// The password as a SCRAM-SHA-256 verifier in PostgreSQL's text form
    /// (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), never
    /// the password itself; None: the role cannot log in with a password.
    pub password: Option<String>,
    /// May create, alter and drop non-superuser roles (CREATEROLE).
    #[serde(default)]
    pub create_role: bool,
    /// The role's OID, handed out when the role is created (0 in a role
    /// definition not yet applied, or stored before roles had OIDs).
    #[serde(default)]
    pub oid: u32,
}

/// OID of the first superuser, PostgreSQL's bootstrap superuser's.
pub const BOOTSTRAP_ROLE_OID: u32 = 10;
/// OIDs of other roles start here.
pub const FIRST_ROLE_OID: u32 = 16301;
/// The grantee name under which privileges granted TO PUBLIC are kept (it
/// cannot name a role: PostgreSQL reserves it).
pub const PUBLIC: &str = "public";

/// A set of table privileges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Privileges(u8);

impl Privileges {
    pub const NONE: Privileges = Privileges(0);
    pub const SELECT: Privileges = Privileges(1);
    pub const INSERT: Privileges = Privileges(2);
    pub const UPDATE: Privileges = Privileges(4);
    pub const DELETE: Privileges = Privileges(8);
    pub const TRUNCATE: Privileges = Privileges(16);
    pub const REFERENCES: Privileges = Privileges(32);
    pub const TRIGGER: Privileges = Privileges(64);
    /// Every privilege a table has (GRANT ALL).
    pub const ALL: Privileges = Privileges(127);

    /// Each privilege with its name and its letter in PostgreSQL's ACL
    /// text, in the order PostgreSQL prints them (`arwdDxt`).
    pub const EACH: [(Privileges, &'static str, char); 7] = [
        (Privileges::INSERT, "INSERT", 'a'),
        (Privileges::SELECT, "SELECT", 'r'),
        (Privileges::UPDATE, "UPDATE", 'w'),
        (Privileges::DELETE, "DELETE", 'd'),
        (Privileges::TRUNCATE, "TRUNCATE", 'D'),
        (Privileges::REFERENCES, "REFERENCES", 'x'),
        (Privileges::TRIGGER, "TRIGGER", 't'),
    ];

    pub fn contains(self, other: Privileges) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn union(self, other: Privileges) -> Privileges {
        Privileges(self.0 | other.0)
    }

    pub fn without(self, other: Privileges) -> Privileges {
        Privileges(self.0 & !other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// PostgreSQL's letters for the set (`arwd` for INSERT, SELECT,
    /// UPDATE, DELETE).
    pub fn letters(self) -> String {
        Self::EACH
            .iter()
            .filter(|(p, _, _)| self.contains(*p))
            .map(|(_, _, c)| *c)
            .collect()
    }
}

/// Who owns a table and what other roles may do with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableAcl {
    /// The owning role; it has every privilege on the table.
    pub owner: String,
    /// Privileges granted to other roles (and to [`PUBLIC`]), never empty.
    pub grants: BTreeMap<String, Privileges>,
}

/// All tables and roles of a database. Cheap to clone: definitions are shared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    tables: BTreeMap<TableId, Arc<TableDef>>,
    next_table_id: TableId,
    #[serde(default)]
    roles: BTreeMap<String, RoleDef>,
    /// Owners and grants of tables; a table without an entry is owned by
    /// the bootstrap superuser and granted to nobody else.
    #[serde(default)]
    acls: BTreeMap<TableId, TableAcl>,
}

impl Catalog {
    /// The table named `name`.
    pub fn table_by_name(&self, name: &str) -> Option<&Arc<TableDef>> {
        self.tables.values().find(|t| t.name == name)
    }

    /// The table with id `id`.
    pub fn table(&self, id: TableId) -> Option<&Arc<TableDef>> {
        self.tables.get(&id)
    }

    /// Every table, in id order.
    pub fn tables(&self) -> impl Iterator<Item = &Arc<TableDef>> {
        self.tables.values()
    }

    /// An id for a new table (not yet used by any table).
    pub fn allocate_table_id(&self) -> TableId {
        self.next_table_id
    }

    /// Adds a new table. Its id must be the one [`Self::allocate_table_id`]
    /// gives, and its name free.
    pub fn create_table(&mut self, def: TableDef) -> Result<()> {
        def.validate()?;
        if self.table_by_name(&def.name).is_some() {
            return Err(Error::Invalid(format!(
                "relation \"{}\" already exists",
                def.name
            )));
        }
        if self.tables.contains_key(&def.id) || def.id < self.next_table_id {
            return Err(Error::Invalid(format!("table id {} is taken", def.id)));
        }
        self.next_table_id = def.id + 1;
        self.tables.insert(def.id, Arc::new(def));
        Ok(())
    }

    /// Replaces the definition of an existing table (ALTER TABLE).
    pub fn replace_table(&mut self, def: TableDef) -> Result<()> {
        def.validate()?;
        if !self.tables.contains_key(&def.id) {
            return Err(Error::NotFound(format!(
                "table id {} does not exist",
                def.id
            )));
        }
        if let Some(other) = self.table_by_name(&def.name)
            && other.id != def.id
        {
            return Err(Error::Invalid(format!(
                "relation \"{}\" already exists",
                def.name
            )));
        }
        self.tables.insert(def.id, Arc::new(def));
        Ok(())
    }

    /// The role named `name`.
    pub fn role(&self, name: &str) -> Option<&RoleDef> {
        self.roles.get(name)
    }

    /// Every role, by name.
    pub fn roles(&self) -> impl Iterator<Item = &RoleDef> {
        self.roles.values()
    }

    /// Adds a role, or replaces one (`replace`: ALTER ROLE). A new role
    /// gets the next OID (the first superuser PostgreSQL's bootstrap
    /// superuser's); a replaced one keeps its own.
    pub fn put_role(&mut self, mut role: RoleDef, replace: bool) -> Result<()> {
        check_name("role", &role.name)?;
        if role.name == PUBLIC {
            return Err(Error::Invalid(format!(
                "role name \"{PUBLIC}\" is reserved"
            )));
        }
        match (self.roles.get(&role.name), replace) {
            (Some(_), false) => Err(Error::Invalid(format!(
                "role \"{}\" already exists",
                role.name
            ))),
            (None, true) => Err(Error::NotFound(format!(
                "role \"{}\" does not exist",
                role.name
            ))),
            (old, _) => {
                role.oid = match old {
                    Some(old) => old.oid,
                    None => self.next_role_oid(role.superuser),
                };
                self.roles.insert(role.name.clone(), role);
                Ok(())
            }
        }
    }

    fn next_role_oid(&self, superuser: bool) -> u32 {
        if superuser && !self.roles.values().any(|r| r.oid == BOOTSTRAP_ROLE_OID) {
            return BOOTSTRAP_ROLE_OID;
        }
        self.roles
            .values()
            .map(|r| r.oid + 1)
            .max()
            .unwrap_or(0)
            .max(FIRST_ROLE_OID)
    }

    /// The bootstrap superuser: the role with OID 10 (or, in a catalog
    /// stored before roles had OIDs, the first superuser by name).
    pub fn bootstrap_role(&self) -> Option<&RoleDef> {
        self.roles
            .values()
            .find(|r| r.oid == BOOTSTRAP_ROLE_OID)
            .or_else(|| self.roles.values().find(|r| r.superuser && r.oid == 0))
    }

    /// Removes a role. It may own no table and hold no privilege.
    pub fn drop_role(&mut self, name: &str) -> Result<RoleDef> {
        if let Some(table) = self.tables_depending_on(name).first() {
            return Err(Error::Invalid(format!(
                "role \"{name}\" cannot be dropped because table \"{}\" depends on it",
                table.name
            )));
        }
        self.roles
            .remove(name)
            .ok_or_else(|| Error::NotFound(format!("role \"{name}\" does not exist")))
    }

    /// Renames a role, with its ownerships and privileges.
    pub fn rename_role(&mut self, from: &str, to: &str) -> Result<()> {
        check_name("role", to)?;
        if self.roles.contains_key(to) || to == PUBLIC {
            return Err(Error::Invalid(format!("role \"{to}\" already exists")));
        }
        let mut role = self
            .roles
            .remove(from)
            .ok_or_else(|| Error::NotFound(format!("role \"{from}\" does not exist")))?;
        role.name = to.to_owned();
        self.roles.insert(to.to_owned(), role);
        for acl in self.acls.values_mut() {
            if acl.owner == from {
                acl.owner = to.to_owned();
            }
            if let Some(p) = acl.grants.remove(from) {
                acl.grants.insert(to.to_owned(), p);
            }
        }
        Ok(())
    }

    /// Tables that role `name` owns or holds privileges on.
    pub fn tables_depending_on(&self, name: &str) -> Vec<&Arc<TableDef>> {
        self.tables
            .values()
            .filter(|t| {
                self.acls
                    .get(&t.id)
                    .is_some_and(|a| a.owner == name || a.grants.contains_key(name))
                    || (!self.acls.contains_key(&t.id)
                        && self.bootstrap_role().is_some_and(|r| r.name == name))
            })
            .collect()
    }

    /// The owner and grants of table `table`.
    pub fn acl(&self, table: TableId) -> Option<&TableAcl> {
        self.acls.get(&table)
    }

    /// The name of the role owning table `table`.
    pub fn table_owner(&self, table: TableId) -> Option<&str> {
        match self.acls.get(&table) {
            Some(acl) => Some(&acl.owner),
            None => self.bootstrap_role().map(|r| r.name.as_str()),
        }
    }

    /// Sets the owner and grants of an existing table; every role named
    /// must exist.
    pub fn set_acl(&mut self, table: TableId, mut acl: TableAcl) -> Result<()> {
        if !self.tables.contains_key(&table) {
            return Err(Error::NotFound(format!("table id {table} does not exist")));
        }
        acl.grants.retain(|_, p| !p.is_empty());
        let names = std::iter::once(&acl.owner).chain(acl.grants.keys());
        for name in names {
            if name != PUBLIC && !self.roles.contains_key(name) {
                return Err(Error::NotFound(format!("role \"{name}\" does not exist")));
            }
        }
        self.acls.insert(table, acl);
        Ok(())
    }

    /// Whether role `user` holds all of `wanted` on table `table`: as a
    /// superuser, as its owner, or by grants to it or to PUBLIC.
    pub fn has_privileges(&self, user: &str, table: TableId, wanted: Privileges) -> bool {
        let Some(role) = self.roles.get(user) else {
            return false;
        };
        if role.superuser || self.table_owner(table) == Some(user) {
            return true;
        }
        let Some(acl) = self.acls.get(&table) else {
            return false;
        };
        let held = [user, PUBLIC]
            .iter()
            .filter_map(|n| acl.grants.get(*n))
            .fold(Privileges::NONE, |a, p| a.union(*p));
        held.contains(wanted)
    }

    /// Removes a table.
    pub fn drop_table(&mut self, id: TableId) -> Result<Arc<TableDef>> {
        self.acls.remove(&id);
        self.tables
            .remove(&id)
            .ok_or_else(|| Error::NotFound(format!("table id {id} does not exist")))
    }
}
