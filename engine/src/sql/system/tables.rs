//! The rows of each system table.

use crate::types::{DataType, Value};

use super::super::result::Column;
use super::{
    DATABASE_NAME, DATABASE_OID, DATABASE_OWNER_ROLE_OID, INFORMATION_SCHEMA_OID, PG_CATALOG_OID,
    PUBLIC_OID, SystemCatalog, format_type, table_oid, text, type_oid,
};

/// Every virtual table: name, pg_class OID, schema.
pub(crate) const SYSTEM_TABLES: &[(&str, i32, &str)] = &[
    ("pg_namespace", 2615, "pg_catalog"),
    ("pg_class", 1259, "pg_catalog"),
    ("pg_attribute", 1249, "pg_catalog"),
    ("pg_attrdef", 2604, "pg_catalog"),
    ("pg_type", 1247, "pg_catalog"),
    ("pg_index", 2610, "pg_catalog"),
    ("pg_constraint", 2606, "pg_catalog"),
    ("pg_database", 1262, "pg_catalog"),
    ("pg_roles", 12001, "pg_catalog"),
    ("pg_authid", 1260, "pg_catalog"),
    ("pg_user", 12002, "pg_catalog"),
    ("pg_am", 2601, "pg_catalog"),
    ("pg_tablespace", 1213, "pg_catalog"),
    ("pg_description", 2609, "pg_catalog"),
    ("pg_auth_members", 1261, "pg_catalog"),
    ("pg_collation", 3456, "pg_catalog"),
    ("pg_range", 3541, "pg_catalog"),
    ("pg_enum", 3501, "pg_catalog"),
    ("pg_inherits", 2611, "pg_catalog"),
    ("pg_trigger", 2620, "pg_catalog"),
    ("pg_policy", 3256, "pg_catalog"),
    ("pg_statistic_ext", 3381, "pg_catalog"),
    ("pg_publication", 6104, "pg_catalog"),
    ("pg_publication_namespace", 6237, "pg_catalog"),
    ("pg_publication_rel", 6106, "pg_catalog"),
    ("pg_rewrite", 2618, "pg_catalog"),
    ("pg_depend", 2608, "pg_catalog"),
    ("pg_extension", 3079, "pg_catalog"),
    ("pg_foreign_table", 3118, "pg_catalog"),
    ("tables", 13001, "information_schema"),
    ("columns", 13002, "information_schema"),
    ("schemata", 13003, "information_schema"),
];

const I: DataType = DataType::Integer;
const T: DataType = DataType::Text;
const B: DataType = DataType::Boolean;
const D: DataType = DataType::Double;

fn columns(spec: &[(&str, DataType)]) -> Vec<Column> {
    spec.iter()
        .map(|(n, t)| Column {
            name: (*n).to_owned(),
            ty: *t,
        })
        .collect()
}

fn int(i: i32) -> Value {
    Value::Integer(i)
}

fn bool(b: bool) -> Value {
    Value::Boolean(b)
}

fn char(c: char) -> Value {
    Value::Text(c.to_string())
}

fn int2vector(v: &[i32]) -> Value {
    text(
        v.iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn int_array(v: &[i32]) -> Value {
    text(format!(
        "{{{}}}",
        v.iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",")
    ))
}

/// (type OID, name, length, category, array type OID)
pub(crate) const TYPES: &[(i32, &str, i32, char, i32)] = &[
    (16, "bool", 1, 'B', 1000),
    (17, "bytea", -1, 'U', 1001),
    (18, "char", 1, 'Z', 1002),
    (19, "name", 64, 'S', 1003),
    (20, "int8", 8, 'N', 1016),
    (21, "int2", 2, 'N', 1005),
    (23, "int4", 4, 'N', 1007),
    (25, "text", -1, 'S', 1009),
    (26, "oid", 4, 'N', 1028),
    (114, "json", -1, 'U', 199),
    (700, "float4", 4, 'N', 1021),
    (701, "float8", 8, 'N', 1022),
    (1043, "varchar", -1, 'S', 1015),
    (1082, "date", 4, 'D', 1182),
    (1114, "timestamp", 8, 'D', 1115),
    (1184, "timestamptz", 8, 'D', 1185),
    (1186, "interval", 16, 'T', 1187),
    (1700, "numeric", -1, 'N', 1231),
    (2205, "regclass", 4, 'N', 2210),
    (2950, "uuid", 16, 'U', 2951),
    (3802, "jsonb", -1, 'U', 3807),
];

/// A system table's columns and rows.
pub(crate) type TableRows = (Vec<Column>, Vec<Vec<Value>>);

/// The columns and rows of the system table `name` in `schema` (None: the
/// name was not qualified, which finds pg_catalog's tables only).
pub(crate) fn system_table(
    sys: &SystemCatalog,
    schema: Option<&str>,
    name: &str,
) -> Option<TableRows> {
    let (_, _, home) = SYSTEM_TABLES.iter().find(|(n, _, _)| *n == name)?;
    match schema {
        None if *home != "pg_catalog" => return None,
        Some(s) if s != *home => return None,
        _ => {}
    }
    let owner = sys.owner_oid();
    let user = sys.current_user();
    Some(match name {
        "pg_namespace" => (
            columns(&[("oid", I), ("nspname", T), ("nspowner", I), ("nspacl", T)]),
            vec![
                vec![
                    int(PG_CATALOG_OID),
                    text("pg_catalog"),
                    int(owner),
                    Value::Null,
                ],
                vec![
                    int(PUBLIC_OID),
                    text("public"),
                    int(DATABASE_OWNER_ROLE_OID),
                    Value::Null,
                ],
                vec![
                    int(INFORMATION_SCHEMA_OID),
                    text("information_schema"),
                    int(owner),
                    Value::Null,
                ],
            ],
        ),
        "pg_class" => {
            let cols = columns(&[
                ("oid", I),
                ("relname", T),
                ("relnamespace", I),
                ("reltype", I),
                ("reloftype", I),
                ("relowner", I),
                ("relam", I),
                ("relfilenode", I),
                ("reltablespace", I),
                ("relpages", I),
                ("reltuples", D),
                ("relallvisible", I),
                ("reltoastrelid", I),
                ("relhasindex", B),
                ("relisshared", B),
                ("relpersistence", T),
                ("relkind", T),
                ("relnatts", I),
                ("relchecks", I),
                ("relhasrules", B),
                ("relhastriggers", B),
                ("relhassubclass", B),
                ("relrowsecurity", B),
                ("relforcerowsecurity", B),
                ("relispopulated", B),
                ("relreplident", T),
                ("relispartition", B),
                ("relrewrite", I),
                ("relacl", T),
                ("reloptions", T),
                ("relpartbound", T),
            ]);
            let indexes = sys.indexes();
            let has_fk_trigger = |id| {
                sys.catalog.tables().any(|t| {
                    !t.foreign_keys.is_empty()
                        && (t.id == id || t.foreign_keys.iter().any(|f| f.ref_table == id))
                })
            };
            let mut rows = Vec::new();
            for r in sys.relations() {
                let is_table = r.kind == 'r';
                let has_index = is_table && indexes.iter().any(|i| i.table.id == r.table.id);
                rows.push(vec![
                    int(r.oid),
                    text(r.name.clone()),
                    int(PUBLIC_OID),
                    int(0),
                    int(0),
                    int(sys.table_owner_oid(&r.table)),
                    int(if is_table { 2 } else { 403 }),
                    int(r.oid),
                    int(0),
                    int(0),
                    Value::Double(-1.0),
                    int(0),
                    int(0),
                    bool(has_index),
                    bool(false),
                    char('p'),
                    char(r.kind),
                    int(if is_table {
                        r.table.columns.len() as i32
                    } else {
                        indexes
                            .iter()
                            .find(|i| i.oid == r.oid)
                            .map(|i| i.attnums.len() as i32)
                            .unwrap_or(0)
                    }),
                    int(if is_table {
                        r.table.checks.len() as i32
                    } else {
                        0
                    }),
                    bool(false),
                    // PostgreSQL enforces foreign keys with triggers on both tables.
                    bool(is_table && has_fk_trigger(r.table.id)),
                    bool(false),
                    bool(false),
                    bool(false),
                    bool(true),
                    char(if is_table { 'd' } else { 'n' }),
                    bool(false),
                    int(0),
                    if is_table {
                        sys.relacl(&r.table)
                    } else {
                        Value::Null
                    },
                    Value::Null,
                    Value::Null,
                ]);
            }
            for (n, oid, schema) in SYSTEM_TABLES {
                let mut row = rows.first().cloned().unwrap_or_default();
                if row.is_empty() {
                    break;
                }
                let ns = if *schema == "pg_catalog" {
                    PG_CATALOG_OID
                } else {
                    INFORMATION_SCHEMA_OID
                };
                row[0] = int(*oid);
                row[1] = text(*n);
                row[2] = int(ns);
                row[5] = int(owner);
                row[6] = int(0);
                row[7] = int(0);
                row[13] = bool(false);
                row[16] = char('v');
                row[17] = int(0);
                row[18] = int(0);
                row[25] = char('n');
                row[28] = Value::Null;
                rows.push(row);
            }
            (cols, rows)
        }
        "pg_attribute" => {
            let cols = columns(&[
                ("attrelid", I),
                ("attname", T),
                ("atttypid", I),
                ("attstattarget", I),
                ("attlen", I),
                ("attnum", I),
                ("attndims", I),
                ("atttypmod", I),
                ("attbyval", B),
                ("attalign", T),
                ("attstorage", T),
                ("attnotnull", B),
                ("atthasdef", B),
                ("atthasmissing", B),
                ("attidentity", T),
                ("attgenerated", T),
                ("attisdropped", B),
                ("attislocal", B),
                ("attinhcount", I),
                ("attcollation", I),
                ("attacl", T),
                ("attoptions", T),
            ]);
            let mut rows = Vec::new();
            let mut push = |relid: i32, n: i32, name: &str, ty: DataType, notnull, hasdef| {
                let (oid, typmod) = type_oid(ty);
                let len = TYPES.iter().find(|t| t.0 == oid).map(|t| t.2).unwrap_or(-1);
                rows.push(vec![
                    int(relid),
                    text(name),
                    int(oid),
                    int(-1),
                    int(len),
                    int(n),
                    int(0),
                    int(typmod),
                    bool(len > 0),
                    char('i'),
                    char(if len > 0 { 'p' } else { 'x' }),
                    bool(notnull),
                    bool(hasdef),
                    bool(false),
                    text(""),
                    text(""),
                    bool(false),
                    bool(true),
                    int(0),
                    int(if ty == DataType::Text { 100 } else { 0 }),
                    Value::Null,
                    Value::Null,
                ]);
            };
            for t in sys.catalog.tables() {
                for (i, c) in t.columns.iter().enumerate() {
                    push(
                        table_oid(t),
                        i as i32 + 1,
                        &c.name,
                        c.ty,
                        c.not_null,
                        c.default.is_some(),
                    );
                }
            }
            for i in sys.indexes() {
                for (k, n) in i.attnums.iter().enumerate() {
                    let c = &i.table.columns[*n as usize - 1];
                    push(i.oid, k as i32 + 1, &c.name, c.ty, false, false);
                }
            }
            (cols, rows)
        }
        "pg_attrdef" => {
            let cols = columns(&[("oid", I), ("adrelid", I), ("adnum", I), ("adbin", T)]);
            let mut rows = Vec::new();
            for t in sys.catalog.tables() {
                for (i, c) in t.columns.iter().enumerate() {
                    if let Some(d) = &c.default {
                        rows.push(vec![
                            int(table_oid(t) + 20 + i as i32),
                            int(table_oid(t)),
                            int(i as i32 + 1),
                            text(d.clone()),
                        ]);
                    }
                }
            }
            (cols, rows)
        }
        "pg_type" => {
            let cols = columns(&[
                ("oid", I),
                ("typname", T),
                ("typnamespace", I),
                ("typowner", I),
                ("typlen", I),
                ("typbyval", B),
                ("typtype", T),
                ("typcategory", T),
                ("typispreferred", B),
                ("typisdefined", B),
                ("typdelim", T),
                ("typrelid", I),
                ("typsubscript", T),
                ("typelem", I),
                ("typarray", I),
                ("typinput", T),
                ("typoutput", T),
                ("typreceive", T),
                ("typsend", T),
                ("typnotnull", B),
                ("typbasetype", I),
                ("typtypmod", I),
                ("typndims", I),
                ("typcollation", I),
                ("typdefault", T),
            ]);
            let mut rows = Vec::new();
            for (oid, name, len, cat, array) in TYPES {
                let collation = if *cat == 'S' { 100 } else { 0 };
                let base = vec![
                    int(*oid),
                    text(*name),
                    int(PG_CATALOG_OID),
                    int(owner),
                    int(*len),
                    bool(*len > 0 && *len <= 8),
                    char('b'),
                    char(*cat),
                    bool(matches!(*name, "bool" | "text" | "float8" | "timestamptz")),
                    bool(true),
                    char(','),
                    int(0),
                    text("-"),
                    int(0),
                    int(*array),
                    text(format!("{name}in")),
                    text(format!("{name}out")),
                    text(format!("{name}recv")),
                    text(format!("{name}send")),
                    bool(false),
                    int(0),
                    int(-1),
                    int(0),
                    int(collation),
                    Value::Null,
                ];
                let mut arr = base.clone();
                arr[0] = int(*array);
                arr[1] = text(format!("_{name}"));
                arr[4] = int(-1);
                arr[5] = bool(false);
                arr[7] = char('A');
                arr[8] = bool(false);
                arr[12] = text("array_subscript_handler");
                arr[13] = int(*oid);
                arr[14] = int(0);
                for (k, f) in ["array_in", "array_out", "array_recv", "array_send"]
                    .iter()
                    .enumerate()
                {
                    arr[15 + k] = text(*f);
                }
                rows.push(base);
                rows.push(arr);
            }
            (cols, rows)
        }
        "pg_index" => {
            let cols = columns(&[
                ("indexrelid", I),
                ("indrelid", I),
                ("indnatts", I),
                ("indnkeyatts", I),
                ("indisunique", B),
                ("indnullsnotdistinct", B),
                ("indisprimary", B),
                ("indisexclusion", B),
                ("indimmediate", B),
                ("indisclustered", B),
                ("indisvalid", B),
                ("indcheckxmin", B),
                ("indisready", B),
                ("indislive", B),
                ("indisreplident", B),
                ("indkey", T),
                ("indexprs", T),
                ("indpred", T),
            ]);
            let rows = sys
                .indexes()
                .into_iter()
                .map(|i| {
                    let n = i.attnums.len() as i32;
                    vec![
                        int(i.oid),
                        int(table_oid(&i.table)),
                        int(n),
                        int(n),
                        bool(i.unique),
                        bool(false),
                        bool(i.primary),
                        bool(false),
                        bool(true),
                        bool(false),
                        bool(true),
                        bool(false),
                        bool(true),
                        bool(true),
                        bool(false),
                        int2vector(&i.attnums),
                        Value::Null,
                        Value::Null,
                    ]
                })
                .collect();
            (cols, rows)
        }
        "pg_constraint" => {
            let cols = columns(&[
                ("oid", I),
                ("conname", T),
                ("connamespace", I),
                ("contype", T),
                ("condeferrable", B),
                ("condeferred", B),
                ("convalidated", B),
                ("conrelid", I),
                ("contypid", I),
                ("conindid", I),
                ("conparentid", I),
                ("confrelid", I),
                ("confupdtype", T),
                ("confdeltype", T),
                ("confmatchtype", T),
                ("conislocal", B),
                ("coninhcount", I),
                ("connoinherit", B),
                ("conkey", T),
                ("confkey", T),
            ]);
            let rows = sys
                .constraints()
                .into_iter()
                .map(|c| {
                    let fk = c.kind == 'f';
                    vec![
                        int(c.oid),
                        text(c.name),
                        int(PUBLIC_OID),
                        char(c.kind),
                        bool(false),
                        bool(false),
                        bool(true),
                        int(table_oid(&c.table)),
                        int(0),
                        int(c.index_oid),
                        int(0),
                        int(c.ref_table_oid),
                        char(if fk { 'a' } else { ' ' }),
                        char(if fk { c.on_delete } else { ' ' }),
                        char(if fk { 's' } else { ' ' }),
                        bool(true),
                        int(0),
                        bool(c.kind != 'c'),
                        if c.attnums.is_empty() {
                            Value::Null
                        } else {
                            int_array(&c.attnums)
                        },
                        if fk {
                            int_array(&c.ref_attnums)
                        } else {
                            Value::Null
                        },
                    ]
                })
                .collect();
            (cols, rows)
        }
        "pg_database" => (
            columns(&[
                ("oid", I),
                ("datname", T),
                ("datdba", I),
                ("encoding", I),
                ("datlocprovider", T),
                ("datistemplate", B),
                ("datallowconn", B),
                ("datconnlimit", I),
                ("datfrozenxid", I),
                ("datminmxid", I),
                ("dattablespace", I),
                ("datcollate", T),
                ("datctype", T),
                ("daticulocale", T),
                ("datcollversion", T),
                ("datacl", T),
            ]),
            vec![vec![
                int(DATABASE_OID),
                text(DATABASE_NAME),
                int(owner),
                int(6),
                char('c'),
                bool(false),
                bool(true),
                int(-1),
                int(0),
                int(1),
                int(1663),
                text("C"),
                text("C"),
                Value::Null,
                Value::Null,
                Value::Null,
            ]],
        ),
        "pg_roles" | "pg_authid" => {
            let authid = name == "pg_authid";
            let mut spec = vec![
                ("oid", I),
                ("rolname", T),
                ("rolsuper", B),
                ("rolinherit", B),
                ("rolcreaterole", B),
                ("rolcreatedb", B),
                ("rolcanlogin", B),
                ("rolreplication", B),
                ("rolbypassrls", B),
                ("rolconnlimit", I),
                ("rolpassword", T),
                ("rolvaliduntil", DataType::TimestampTz),
            ];
            if !authid {
                spec.push(("rolconfig", T));
            }
            let rows = sys
                .roles()
                .into_iter()
                .map(|(oid, r)| {
                    let s = r.superuser;
                    let mut row = vec![
                        int(oid),
                        text(r.name.clone()),
                        bool(s),
                        bool(true),
                        bool(s || r.create_role),
                        bool(s),
                        bool(r.login),
                        bool(s),
                        bool(s),
                        int(-1),
                        match (&r.password, authid) {
                            (Some(p), true) => text(p.clone()),
                            (Some(_), false) => text("********"),
                            (None, _) => Value::Null,
                        },
                        Value::Null,
                    ];
                    if !authid {
                        row.push(Value::Null);
                    }
                    row
                })
                .collect();
            (columns(&spec), rows)
        }
        "pg_user" => {
            let cols = columns(&[
                ("usename", T),
                ("usesysid", I),
                ("usecreatedb", B),
                ("usesuper", B),
                ("userepl", B),
                ("usebypassrls", B),
                ("passwd", T),
                ("valuntil", DataType::TimestampTz),
                ("useconfig", T),
            ]);
            let rows = sys
                .roles()
                .into_iter()
                .filter(|(_, r)| r.login)
                .map(|(oid, r)| {
                    let s = r.superuser;
                    vec![
                        text(r.name.clone()),
                        int(oid),
                        bool(s),
                        bool(s),
                        bool(s),
                        bool(s),
                        text("********"),
                        Value::Null,
                        Value::Null,
                    ]
                })
                .collect();
            (cols, rows)
        }
        "pg_am" => (
            columns(&[("oid", I), ("amname", T), ("amhandler", T), ("amtype", T)]),
            vec![
                vec![
                    int(2),
                    text("heap"),
                    text("heap_tableam_handler"),
                    char('t'),
                ],
                vec![int(403), text("btree"), text("bthandler"), char('i')],
                vec![int(16300), text("bitmap"), text("bitmaphandler"), char('i')],
            ],
        ),
        "pg_tablespace" => (
            columns(&[
                ("oid", I),
                ("spcname", T),
                ("spcowner", I),
                ("spcacl", T),
                ("spcoptions", T),
            ]),
            vec![
                vec![
                    int(1663),
                    text("pg_default"),
                    int(owner),
                    Value::Null,
                    Value::Null,
                ],
                vec![
                    int(1664),
                    text("pg_global"),
                    int(owner),
                    Value::Null,
                    Value::Null,
                ],
            ],
        ),
        "pg_description" => (
            columns(&[
                ("objoid", I),
                ("classoid", I),
                ("objsubid", I),
                ("description", T),
            ]),
            Vec::new(),
        ),
        "pg_auth_members" => (
            columns(&[
                ("roleid", I),
                ("member", I),
                ("grantor", I),
                ("admin_option", B),
            ]),
            Vec::new(),
        ),
        "pg_collation" => (
            columns(&[
                ("oid", I),
                ("collname", T),
                ("collnamespace", I),
                ("collowner", I),
                ("collprovider", T),
                ("collisdeterministic", B),
                ("collencoding", I),
                ("collcollate", T),
                ("collctype", T),
            ]),
            Vec::new(),
        ),
        "pg_range" => (
            columns(&[("rngtypid", I), ("rngsubtype", I), ("rngmultitypid", I)]),
            Vec::new(),
        ),
        "pg_enum" => (
            columns(&[
                ("oid", I),
                ("enumtypid", I),
                ("enumsortorder", D),
                ("enumlabel", T),
            ]),
            Vec::new(),
        ),
        "pg_inherits" => (
            columns(&[
                ("inhrelid", I),
                ("inhparent", I),
                ("inhseqno", I),
                ("inhdetachpending", B),
            ]),
            Vec::new(),
        ),
        "pg_trigger" => (
            columns(&[
                ("oid", I),
                ("tgrelid", I),
                ("tgparentid", I),
                ("tgname", T),
                ("tgenabled", T),
                ("tgisinternal", B),
            ]),
            Vec::new(),
        ),
        "pg_policy" => (
            columns(&[
                ("oid", I),
                ("polname", T),
                ("polrelid", I),
                ("polcmd", T),
                ("polpermissive", B),
                ("polroles", T),
                ("polqual", T),
                ("polwithcheck", T),
            ]),
            Vec::new(),
        ),
        "pg_statistic_ext" => (
            columns(&[
                ("oid", I),
                ("stxrelid", I),
                ("stxname", T),
                ("stxnamespace", I),
                ("stxowner", I),
                ("stxstattarget", I),
                ("stxkeys", T),
                ("stxkind", T),
            ]),
            Vec::new(),
        ),
        "pg_publication" => (
            columns(&[
                ("oid", I),
                ("pubname", T),
                ("pubowner", I),
                ("puballtables", B),
            ]),
            Vec::new(),
        ),
        "pg_publication_namespace" => (
            columns(&[("oid", I), ("pnpubid", I), ("pnnspid", I)]),
            Vec::new(),
        ),
        "pg_publication_rel" => (
            columns(&[
                ("oid", I),
                ("prpubid", I),
                ("prrelid", I),
                ("prqual", T),
                ("prattrs", T),
            ]),
            Vec::new(),
        ),
        "pg_rewrite" => (
            columns(&[("oid", I), ("rulename", T), ("ev_class", I), ("ev_type", T)]),
            Vec::new(),
        ),
        "pg_depend" => (
            columns(&[
                ("classid", I),
                ("objid", I),
                ("objsubid", I),
                ("refclassid", I),
                ("refobjid", I),
                ("refobjsubid", I),
                ("deptype", T),
            ]),
            Vec::new(),
        ),
        "pg_extension" => (
            columns(&[
                ("oid", I),
                ("extname", T),
                ("extowner", I),
                ("extnamespace", I),
                ("extversion", T),
            ]),
            Vec::new(),
        ),
        "pg_foreign_table" => (
            columns(&[("ftrelid", I), ("ftserver", I), ("ftoptions", T)]),
            Vec::new(),
        ),
        "tables" => (
            columns(&[
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("table_type", T),
                ("self_referencing_column_name", T),
                ("reference_generation", T),
                ("user_defined_type_catalog", T),
                ("user_defined_type_schema", T),
                ("user_defined_type_name", T),
                ("is_insertable_into", T),
                ("is_typed", T),
                ("commit_action", T),
            ]),
            sys.catalog
                .tables()
                .map(|t| {
                    vec![
                        text(DATABASE_NAME),
                        text("public"),
                        text(t.name.clone()),
                        text("BASE TABLE"),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        text("YES"),
                        text("NO"),
                        Value::Null,
                    ]
                })
                .collect(),
        ),
        "columns" => {
            let cols = columns(&[
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("column_name", T),
                ("ordinal_position", I),
                ("column_default", T),
                ("is_nullable", T),
                ("data_type", T),
                ("character_maximum_length", I),
                ("numeric_precision", I),
                ("numeric_precision_radix", I),
                ("numeric_scale", I),
                ("datetime_precision", I),
                ("udt_catalog", T),
                ("udt_schema", T),
                ("udt_name", T),
                ("is_identity", T),
                ("is_generated", T),
                ("is_updatable", T),
            ]);
            let mut rows = Vec::new();
            for t in sys.catalog.tables() {
                for (i, c) in t.columns.iter().enumerate() {
                    let (oid, _) = type_oid(c.ty);
                    let udt = TYPES.iter().find(|x| x.0 == oid).map(|x| x.1).unwrap_or("");
                    let (precision, radix, scale) = match c.ty {
                        DataType::Integer => (int(32), int(2), int(0)),
                        DataType::BigInt => (int(64), int(2), int(0)),
                        DataType::Double => (int(53), int(2), Value::Null),
                        DataType::Numeric(Some(m)) => (
                            int(i32::from(m.precision)),
                            int(10),
                            int(i32::from(m.scale)),
                        ),
                        DataType::Numeric(None) => (Value::Null, int(10), Value::Null),
                        _ => (Value::Null, Value::Null, Value::Null),
                    };
                    let datetime = match c.ty {
                        DataType::Date => int(0),
                        DataType::TimestampTz | DataType::Timestamp | DataType::Interval => int(6),
                        _ => Value::Null,
                    };
                    let data_type = match c.ty {
                        DataType::Numeric(_) => "numeric".to_owned(),
                        _ => format_type(i64::from(oid), None),
                    };
                    rows.push(vec![
                        text(DATABASE_NAME),
                        text("public"),
                        text(t.name.clone()),
                        text(c.name.clone()),
                        int(i as i32 + 1),
                        c.default.clone().map(text).unwrap_or(Value::Null),
                        text(if c.not_null { "NO" } else { "YES" }),
                        text(data_type),
                        Value::Null,
                        precision,
                        radix,
                        scale,
                        datetime,
                        text(DATABASE_NAME),
                        text("pg_catalog"),
                        text(udt),
                        text("NO"),
                        text("NEVER"),
                        text("YES"),
                    ]);
                }
            }
            (cols, rows)
        }
        "schemata" => (
            columns(&[("catalog_name", T), ("schema_name", T), ("schema_owner", T)]),
            vec![
                vec![
                    text(DATABASE_NAME),
                    text("information_schema"),
                    text(user.clone()),
                ],
                vec![text(DATABASE_NAME), text("pg_catalog"), text(user.clone())],
                vec![
                    text(DATABASE_NAME),
                    text("public"),
                    text("pg_database_owner"),
                ],
            ],
        ),
        _ => return None,
    })
}
