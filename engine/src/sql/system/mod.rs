//! PostgreSQL's system catalogs (`pg_catalog`) and `information_schema`,
//! as virtual tables built from crmdb's [`Catalog`] when a statement reads
//! them, so that psql's meta-commands and drivers' introspection work.
//!
//! OIDs are stable and derived from the catalog: a table's is
//! `16384 + 100 * id`, its indexes and constraints follow it
//! (`+1 …`), namespaces are PostgreSQL's (`pg_catalog` 11, `public` 2200),
//! types use PostgreSQL's OIDs. OIDs are `integer` values here.

pub(crate) mod bind;
mod privilege;
mod tables;

use std::sync::Arc;

use crate::catalog::{Catalog, ForeignKeyAction, PUBLIC, Privileges, TableDef};
use crate::types::{DataType, Value};

pub(crate) use tables::system_table;

pub const PG_CATALOG_OID: i32 = 11;
pub const PUBLIC_OID: i32 = 2200;
pub const INFORMATION_SCHEMA_OID: i32 = 13000;
pub const DATABASE_OID: i32 = 16383;
pub const DATABASE_NAME: &str = "crmdb";
/// PostgreSQL's OID of `pg_database_owner`, the owner of schema public.
pub const DATABASE_OWNER_ROLE_OID: i32 = 6171;

/// The name current_user gives when no role exists at all.
pub const DEFAULT_USER: &str = "crmdb";

/// A snapshot of the catalog that system tables and functions read.
#[derive(Debug)]
pub struct SystemCatalog {
    pub catalog: Catalog,
    /// The session's user; None: the bootstrap superuser.
    pub user: Option<String>,
}

/// A role name inside an aclitem: quoted when it has characters that
/// would be read as part of the item.
fn quote_acl_name(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// One relation (table or index) as pg_class shows it.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub oid: i32,
    pub name: String,
    pub kind: char,
    pub table: Arc<TableDef>,
}

/// An index: a primary key, a UNIQUE constraint or a secondary index.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub oid: i32,
    pub name: String,
    pub table: Arc<TableDef>,
    /// Attribute numbers (1-based) of its columns.
    pub attnums: Vec<i32>,
    pub primary: bool,
    pub unique: bool,
    pub method: &'static str,
    /// The constraint it backs ('p' or 'u'), if any.
    pub constraint_oid: Option<i32>,
}

/// A constraint as pg_constraint shows it.
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    pub oid: i32,
    pub name: String,
    pub kind: char,
    pub table: Arc<TableDef>,
    pub index_oid: i32,
    pub ref_table_oid: i32,
    pub attnums: Vec<i32>,
    pub ref_attnums: Vec<i32>,
    pub def: String,
    pub on_delete: char,
}

pub fn table_oid(t: &TableDef) -> i32 {
    16384 + 100 * t.id as i32
}

fn attnums(t: &TableDef, ids: &[u32]) -> Vec<i32> {
    ids.iter()
        .filter_map(|id| t.column_position(*id))
        .map(|p| p as i32 + 1)
        .collect()
}

fn column_list(t: &TableDef, ids: &[u32]) -> String {
    ids.iter()
        .filter_map(|id| t.column_position(*id))
        .map(|p| quote_ident(&t.columns[p].name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An identifier as PostgreSQL prints it: quoted unless plain lower case.
pub fn quote_ident(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

impl SystemCatalog {
    pub fn new(catalog: &Catalog, user: Option<String>) -> Self {
        SystemCatalog {
            catalog: catalog.clone(),
            user,
        }
    }

    /// Roles with their OIDs, in OID order. Roles stored before roles had
    /// OIDs get them here: the first superuser 10 (the bootstrap
    /// superuser's OID in PostgreSQL), the others from 16300 down.
    pub(crate) fn roles(&self) -> Vec<(i32, &crate::catalog::RoleDef)> {
        let bootstrap = self.catalog.bootstrap_role().map(|r| r.name.as_str());
        let mut legacy = 16300;
        let mut out: Vec<(i32, &crate::catalog::RoleDef)> = self
            .catalog
            .roles()
            .map(|r| {
                let oid = match r.oid {
                    0 if Some(r.name.as_str()) == bootstrap => 10,
                    0 => {
                        legacy -= 1;
                        legacy
                    }
                    oid => oid as i32,
                };
                (oid, r)
            })
            .collect();
        out.sort_by_key(|(oid, _)| *oid);
        out
    }

    fn role_oid(&self, name: &str) -> Option<i32> {
        self.roles()
            .into_iter()
            .find(|(_, r)| r.name == name)
            .map(|(oid, _)| oid)
    }

    /// The role the session runs as.
    pub fn current_user(&self) -> String {
        self.user
            .clone()
            .or_else(|| self.catalog.bootstrap_role().map(|r| r.name.clone()))
            .unwrap_or_else(|| DEFAULT_USER.into())
    }

    /// The bootstrap superuser's OID: it owns the schemas and the database.
    pub(crate) fn owner_oid(&self) -> i32 {
        self.catalog
            .bootstrap_role()
            .and_then(|r| self.role_oid(&r.name))
            .unwrap_or(10)
    }

    /// The OID of the role owning table `t`.
    pub(crate) fn table_owner_oid(&self, t: &TableDef) -> i32 {
        self.catalog
            .table_owner(t.id)
            .and_then(|name| self.role_oid(name))
            .unwrap_or(10)
    }

    /// pg_class.relacl of table `t`: NULL until something was granted on
    /// it, then PostgreSQL's aclitem[] text (`{owner=arwdDxt/owner,…}`).
    pub(crate) fn relacl(&self, t: &TableDef) -> Value {
        let Some(acl) = self.catalog.acl(t.id).filter(|a| !a.grants.is_empty()) else {
            return Value::Null;
        };
        let owner = quote_acl_name(&acl.owner);
        let mut items = vec![format!("{owner}={}/{owner}", Privileges::ALL.letters())];
        for (grantee, p) in &acl.grants {
            let who = if grantee == PUBLIC {
                String::new()
            } else {
                quote_acl_name(grantee)
            };
            items.push(format!("{who}={}/{owner}", p.letters()));
        }
        Value::Text(format!("{{{}}}", items.join(",")))
    }

    pub(crate) fn indexes(&self) -> Vec<Index> {
        let mut out = Vec::new();
        for t in self.catalog.tables() {
            let base = table_oid(t);
            let mut k = 1;
            if !t.primary_key.is_empty() {
                out.push(Index {
                    oid: base + k,
                    name: t
                        .primary_key_name
                        .clone()
                        .unwrap_or_else(|| format!("{}_pkey", t.name)),
                    table: t.clone(),
                    attnums: attnums(t, &t.primary_key),
                    primary: true,
                    unique: true,
                    method: "btree",
                    constraint_oid: Some(base + 50 + k),
                });
                k += 1;
            }
            for u in &t.uniques {
                out.push(Index {
                    oid: base + k,
                    name: u.name.clone(),
                    table: t.clone(),
                    attnums: attnums(t, &u.columns),
                    primary: false,
                    unique: true,
                    method: "btree",
                    constraint_oid: Some(base + 50 + k),
                });
                k += 1;
            }
            for i in t.indexes.iter().filter(|i| !i.builtin) {
                out.push(Index {
                    oid: base + k,
                    name: i.name.clone(),
                    table: t.clone(),
                    attnums: attnums(t, &i.columns),
                    primary: false,
                    unique: false,
                    method: match i.method {
                        crate::catalog::IndexMethod::Bitmap => "bitmap",
                        crate::catalog::IndexMethod::Btree => "btree",
                    },
                    constraint_oid: None,
                });
                k += 1;
            }
        }
        out
    }

    pub(crate) fn constraints(&self) -> Vec<Constraint> {
        let mut out = Vec::new();
        for i in self.indexes() {
            if let Some(oid) = i.constraint_oid {
                let t = &i.table;
                let ids: Vec<u32> = if i.primary {
                    t.primary_key.clone()
                } else {
                    t.uniques
                        .iter()
                        .find(|u| u.name == i.name)
                        .map(|u| u.columns.clone())
                        .unwrap_or_default()
                };
                let kw = if i.primary { "PRIMARY KEY" } else { "UNIQUE" };
                out.push(Constraint {
                    oid,
                    name: i.name.clone(),
                    kind: if i.primary { 'p' } else { 'u' },
                    table: t.clone(),
                    index_oid: i.oid,
                    ref_table_oid: 0,
                    attnums: i.attnums.clone(),
                    ref_attnums: Vec::new(),
                    def: format!("{kw} ({})", column_list(t, &ids)),
                    on_delete: ' ',
                });
            }
        }
        for t in self.catalog.tables() {
            let base = table_oid(t) + 80;
            for (k, fk) in t.foreign_keys.iter().enumerate() {
                let Some(rt) = self.catalog.table(fk.ref_table) else {
                    continue;
                };
                let (action, code) = match fk.on_delete {
                    // crmdb's RESTRICT is PostgreSQL's default NO ACTION.
                    ForeignKeyAction::Restrict => ("", 'a'),
                    ForeignKeyAction::Cascade => (" ON DELETE CASCADE", 'c'),
                };
                // The unique index on the referenced columns.
                let ref_index = self
                    .indexes()
                    .into_iter()
                    .find(|i| i.table.id == rt.id && i.attnums == attnums(rt, &fk.ref_columns))
                    .map(|i| i.oid)
                    .unwrap_or(0);
                out.push(Constraint {
                    oid: base + k as i32,
                    name: fk.name.clone(),
                    kind: 'f',
                    table: t.clone(),
                    index_oid: ref_index,
                    ref_table_oid: table_oid(rt),
                    attnums: attnums(t, &fk.columns),
                    ref_attnums: attnums(rt, &fk.ref_columns),
                    def: format!(
                        "FOREIGN KEY ({}) REFERENCES {}({}){action}",
                        column_list(t, &fk.columns),
                        quote_ident(&rt.name),
                        column_list(rt, &fk.ref_columns)
                    ),
                    on_delete: code,
                });
            }
            let base = table_oid(t) + 90;
            for (k, c) in t.checks.iter().enumerate() {
                out.push(Constraint {
                    oid: base + k as i32,
                    name: c.name.clone(),
                    kind: 'c',
                    table: t.clone(),
                    index_oid: 0,
                    ref_table_oid: 0,
                    attnums: Vec::new(),
                    ref_attnums: Vec::new(),
                    def: format!("CHECK ({})", c.expr),
                    on_delete: ' ',
                });
            }
        }
        out
    }

    /// Tables and indexes.
    pub(crate) fn relations(&self) -> Vec<Relation> {
        let mut out = Vec::new();
        for t in self.catalog.tables() {
            out.push(Relation {
                oid: table_oid(t),
                name: t.name.clone(),
                kind: 'r',
                table: t.clone(),
            });
        }
        for i in self.indexes() {
            out.push(Relation {
                oid: i.oid,
                name: i.name.clone(),
                kind: 'i',
                table: i.table.clone(),
            });
        }
        out
    }

    /// `'name'::regclass`: the OID of a relation by (optionally
    /// schema-qualified) name.
    pub fn regclass_oid(&self, name: &str) -> Option<i32> {
        if let Ok(n) = name.parse::<i32>() {
            return Some(n);
        }
        let bare = name
            .strip_prefix("public.")
            .or_else(|| name.strip_prefix("pg_catalog."))
            .unwrap_or(name)
            .trim_matches('"');
        self.relations()
            .into_iter()
            .find(|r| r.name == bare)
            .map(|r| r.oid)
            .or_else(|| {
                tables::SYSTEM_TABLES
                    .iter()
                    .find(|(n, _, _)| *n == bare)
                    .map(|(_, o, _)| *o)
            })
    }

    pub(crate) fn index_def(&self, oid: i64) -> Option<String> {
        self.indexes()
            .into_iter()
            .find(|i| i.oid as i64 == oid)
            .map(|i| {
                let cols: Vec<String> = i
                    .attnums
                    .iter()
                    .map(|n| quote_ident(&i.table.columns[*n as usize - 1].name))
                    .collect();
                format!(
                    "CREATE {}INDEX {} ON public.{} USING {} ({})",
                    if i.unique { "UNIQUE " } else { "" },
                    quote_ident(&i.name),
                    quote_ident(&i.table.name),
                    i.method,
                    cols.join(", ")
                )
            })
    }
}

/// A crmdb type's PostgreSQL OID and typmod.
pub fn type_oid(ty: DataType) -> (i32, i32) {
    match ty {
        DataType::Boolean => (16, -1),
        DataType::Integer => (23, -1),
        DataType::BigInt => (20, -1),
        DataType::Double => (701, -1),
        DataType::Numeric(None) => (1700, -1),
        DataType::Numeric(Some(m)) => (
            1700,
            ((i32::from(m.precision) << 16) | i32::from(m.scale)) + 4,
        ),
        DataType::Text => (25, -1),
        DataType::Date => (1082, -1),
        DataType::TimestampTz => (1184, -1),
        DataType::Timestamp => (1114, -1),
        DataType::Interval => (1186, -1),
    }
}

/// PostgreSQL's `format_type(oid, typmod)`.
pub fn format_type(oid: i64, typmod: Option<i64>) -> String {
    let typmod = typmod.unwrap_or(-1);
    match oid {
        16 => "boolean".into(),
        17 => "bytea".into(),
        18 => "\"char\"".into(),
        19 => "name".into(),
        20 => "bigint".into(),
        21 => "smallint".into(),
        23 => "integer".into(),
        25 => "text".into(),
        26 => "oid".into(),
        114 => "json".into(),
        700 => "real".into(),
        701 => "double precision".into(),
        1043 if typmod >= 4 => format!("character varying({})", typmod - 4),
        1043 => "character varying".into(),
        1082 => "date".into(),
        1083 => "time without time zone".into(),
        1114 => "timestamp without time zone".into(),
        1184 => "timestamp with time zone".into(),
        1186 => "interval".into(),
        1700 if typmod >= 4 => {
            let m = typmod - 4;
            format!("numeric({},{})", (m >> 16) & 0xffff, m & 0xffff)
        }
        1700 => "numeric".into(),
        2205 => "regclass".into(),
        2950 => "uuid".into(),
        3802 => "jsonb".into(),
        _ => "???".into(),
    }
}

/// The OID of the type a name means, as `'x'::regtype` reads it: a
/// pg_type name or an SQL spelling (`integer`, `double precision`,
/// `timestamp with time zone`, `varchar`, …), in any case, optionally
/// `pg_catalog.`-qualified, a type modifier (`numeric(12,2)`) ignored.
pub fn regtype_oid(name: &str) -> Option<i32> {
    let lower = name.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    let bare = match bare.find('(') {
        Some(at) => bare[..at].trim_end(),
        None => bare,
    };
    type_names()
        .into_iter()
        .find(|(n, _)| n == bare)
        .map(|(_, oid)| oid)
}

/// Every name a type is known by, with its OID.
pub(crate) fn type_names() -> Vec<(String, i32)> {
    const ALIASES: &[(&str, i32)] = &[
        ("int", 23),
        ("decimal", 1700),
        ("float", 701),
        ("double precision", 701),
        ("character varying", 1043),
        ("character", 1042),
        ("char", 1042),
        ("bpchar", 1042),
        ("timestamp", 1114),
    ];
    let mut names: Vec<(String, i32)> = tables::TYPES
        .iter()
        .flat_map(|(oid, name, ..)| {
            [
                ((*name).to_owned(), *oid),
                (format_type(i64::from(*oid), None), *oid),
            ]
        })
        .collect();
    names.extend(ALIASES.iter().map(|(n, o)| ((*n).to_owned(), *o)));
    names.sort();
    names.dedup();
    names
}

pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}
