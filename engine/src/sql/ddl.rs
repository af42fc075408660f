//! CREATE TABLE: from sqlparser's syntax tree to a [`TableDef`].

use sqlparser::ast::{
    self, ColumnOption, ExactNumberInfo, ReferentialAction, Statement, TableConstraint,
    TimezoneInfo,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::binder::ident_name;
use crate::catalog::{
    Catalog, CheckConstraint, ColumnDef, ColumnId, ForeignKey, ForeignKeyAction, IndexDef,
    IndexMethod, TableDef, UniqueConstraint,
};
use crate::error::{Error, Result};
use crate::types::{DataType, NUMERIC_MAX_PRECISION, NumericTypmod};

/// The canonical CRM schema every new data directory starts with.
pub const CANONICAL_SCHEMA: &str = include_str!("../../schema/crm-schema.sql");

/// The canonical schema's segmentation columns, which carry built-in
/// bitmap indexes (see `IndexDef::builtin`).
pub const SEGMENTATION_INDEXES: &[(&str, &[&str])] = &[
    (
        "customers",
        &[
            "country",
            "lifecycle_stage",
            "lead_source",
            "preferred_channel",
            "email_opt_in",
            "sms_opt_in",
            "lifetime_value",
            "birth_date",
            "created_at",
        ],
    ),
    (
        "interactions",
        &[
            "customer_id",
            "channel",
            "direction",
            "kind",
            "outcome",
            "occurred_at",
        ],
    ),
    (
        "transactions",
        &[
            "customer_id",
            "category",
            "status",
            "currency",
            "amount",
            "occurred_at",
        ],
    ),
];

/// Adds the built-in segmentation indexes [`SEGMENTATION_INDEXES`] names
/// for `def`'s table, one per column, named `<table>_<column>_bitmap`.
pub fn add_segmentation_indexes(def: &mut TableDef) {
    let columns = SEGMENTATION_INDEXES
        .iter()
        .filter(|(table, _)| *table == def.name)
        .flat_map(|(_, columns)| columns.iter());
    for column in columns {
        let Some(c) = def.columns.iter().find(|c| c.name == *column) else {
            continue;
        };
        def.indexes.push(IndexDef {
            name: format!("{}_{column}_bitmap", def.name),
            columns: vec![c.id],
            method: IndexMethod::Bitmap,
            builtin: true,
        });
    }
}

/// Parses a script of CREATE TABLE statements into table definitions,
/// resolving foreign keys against `catalog` and the script's own earlier
/// tables. Ids are allocated from `catalog` in order.
pub fn parse_create_tables(sql: &str, catalog: &Catalog) -> Result<Vec<TableDef>> {
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql)
        .map_err(|e| Error::Invalid(format!("syntax error: {e}")))?;
    let mut scratch = catalog.clone();
    let mut defs = Vec::new();
    for statement in statements {
        let Statement::CreateTable(create) = statement else {
            return Err(Error::Invalid(format!(
                "expected CREATE TABLE, found: {statement}"
            )));
        };
        let def = table_def(&create, &scratch)?;
        scratch.create_table(def.clone())?;
        defs.push(def);
    }
    Ok(defs)
}

/// Translates one CREATE TABLE into a definition with the next free id.
pub fn table_def(create: &ast::CreateTable, catalog: &Catalog) -> Result<TableDef> {
    let name = object_name(&create.name)?;
    let mut def = TableDef {
        id: catalog.allocate_table_id(),
        name: name.clone(),
        columns: Vec::new(),
        primary_key: Vec::new(),
        primary_key_name: None,
        uniques: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
        indexes: Vec::new(),
        next_column_id: 0,
    };
    for column in &create.columns {
        let id = def.next_column_id;
        def.next_column_id += 1;
        def.columns.push(ColumnDef {
            id,
            name: ident_name(&column.name),
            ty: data_type(&column.data_type)?,
            not_null: false,
            default: None,
        });
        for option in &column.options {
            column_option(&mut def, id, &option.option, catalog)?;
        }
    }
    for constraint in &create.constraints {
        table_constraint(&mut def, constraint, catalog)?;
    }
    for id in def.primary_key.clone() {
        let pos = def.column_position(id).expect("primary key columns exist");
        def.columns[pos].not_null = true;
    }
    if !def.primary_key.is_empty() && def.primary_key_name.is_none() {
        def.primary_key_name = Some(format!("{name}_pkey"));
    }
    def.validate()?;
    Ok(def)
}

fn object_name(name: &ast::ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(ident_name)
            .ok_or_else(|| Error::Invalid(format!("unsupported name {name}"))),
        _ => Err(Error::Invalid(format!(
            "qualified names are not supported: {name}"
        ))),
    }
}

/// Maps a SQL type to a column type.
pub fn data_type(ty: &ast::DataType) -> Result<DataType> {
    use ast::DataType as T;
    Ok(match ty {
        T::Boolean | T::Bool => DataType::Boolean,
        T::Int(None) | T::Int4(None) | T::Integer(None) => DataType::Integer,
        T::BigInt(None) | T::Int8(None) => DataType::BigInt,
        T::DoublePrecision | T::Float8 | T::Double(ExactNumberInfo::None) => DataType::Double,
        T::Text => DataType::Text,
        T::Date => DataType::Date,
        T::Timestamp(None, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => DataType::TimestampTz,
        T::Timestamp(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
            DataType::Timestamp
        }
        T::Interval {
            fields: None,
            precision: None,
        } => DataType::Interval,
        T::Numeric(info) | T::Decimal(info) => DataType::Numeric(numeric_typmod(info)?),
        T::Custom(name, modifiers) if modifiers.is_empty() && !is_builtin_type(name) => {
            return Err(Error::NotFound(format!(
                "type \"{}\" does not exist",
                name.to_string().to_lowercase()
            )));
        }
        other => {
            return Err(Error::Invalid(format!("type {other} is not supported")));
        }
    })
}

/// Whether a type name sqlparser leaves as custom is one of PostgreSQL's
/// own (which crmdb refuses as unsupported rather than unknown).
fn is_builtin_type(name: &ast::ObjectName) -> bool {
    const BUILTIN: &[&str] = &[
        "serial",
        "bigserial",
        "smallserial",
        "money",
        "bytea",
        "json",
        "jsonb",
        "uuid",
        "inet",
        "cidr",
        "macaddr",
        "xml",
        "tsvector",
        "point",
        "oid",
        "name",
    ];
    BUILTIN.contains(&name.to_string().to_lowercase().as_str())
}

fn numeric_typmod(info: &ExactNumberInfo) -> Result<Option<NumericTypmod>> {
    let (precision, scale) = match *info {
        ExactNumberInfo::None => return Ok(None),
        ExactNumberInfo::Precision(p) => (p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (p, s),
    };
    if precision == 0 || precision > u64::from(NUMERIC_MAX_PRECISION) {
        return Err(Error::Invalid(format!(
            "NUMERIC precision {precision} must be between 1 and {NUMERIC_MAX_PRECISION}"
        )));
    }
    if scale < 0 || scale as u64 > precision {
        return Err(Error::Invalid(format!(
            "NUMERIC scale {scale} must be between 0 and precision {precision}"
        )));
    }
    Ok(Some(NumericTypmod {
        precision: precision as u8,
        scale: scale as u8,
    }))
}

pub(crate) fn column_option(
    def: &mut TableDef,
    id: ColumnId,
    option: &ColumnOption,
    catalog: &Catalog,
) -> Result<()> {
    let pos = def.column_position(id).expect("column just added");
    let column_name = def.columns[pos].name.clone();
    match option {
        ColumnOption::Null => def.columns[pos].not_null = false,
        ColumnOption::NotNull => def.columns[pos].not_null = true,
        ColumnOption::Default(expr) => def.columns[pos].default = Some(expr.to_string()),
        ColumnOption::PrimaryKey(pk) => {
            set_primary_key(def, vec![id], pk.name.as_ref().map(ident_name))?
        }
        ColumnOption::Unique(u) => def.uniques.push(UniqueConstraint {
            name: u
                .name
                .as_ref()
                .map(ident_name)
                .unwrap_or_else(|| format!("{}_{}_key", def.name, column_name)),
            columns: vec![id],
        }),
        ColumnOption::ForeignKey(fk) => {
            let fk = foreign_key(def, vec![id], fk, catalog)?;
            def.foreign_keys.push(fk);
        }
        ColumnOption::Check(check) => def.checks.push(CheckConstraint {
            name: check
                .name
                .as_ref()
                .map(ident_name)
                .unwrap_or_else(|| format!("{}_{}_check", def.name, column_name)),
            expr: check.expr.to_string(),
        }),
        other => {
            return Err(Error::Invalid(format!(
                "column option {other} is not supported"
            )));
        }
    }
    Ok(())
}

fn set_primary_key(def: &mut TableDef, columns: Vec<ColumnId>, name: Option<String>) -> Result<()> {
    if !def.primary_key.is_empty() {
        return Err(Error::Invalid(format!(
            "multiple primary keys for table \"{}\" are not allowed",
            def.name
        )));
    }
    def.primary_key = columns;
    def.primary_key_name = name;
    Ok(())
}

fn column_ids(def: &TableDef, names: impl Iterator<Item = String>) -> Result<Vec<ColumnId>> {
    names
        .map(|name| {
            def.column_index(&name)
                .map(|pos| def.columns[pos].id)
                .ok_or_else(|| {
                    Error::NotFound(format!("column \"{name}\" named in key does not exist"))
                })
        })
        .collect()
}

fn index_column_names(columns: &[ast::IndexColumn]) -> Result<Vec<String>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            ast::Expr::Identifier(ident) => Ok(ident_name(ident)),
            other => Err(Error::Invalid(format!(
                "only plain columns can be keys, not {other}"
            ))),
        })
        .collect()
}

fn table_constraint(
    def: &mut TableDef,
    constraint: &TableConstraint,
    catalog: &Catalog,
) -> Result<()> {
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let ids = column_ids(def, index_column_names(&pk.columns)?.into_iter())?;
            set_primary_key(def, ids, pk.name.as_ref().map(ident_name))
        }
        TableConstraint::Unique(u) => {
            let names = index_column_names(&u.columns)?;
            let ids = column_ids(def, names.iter().cloned())?;
            let name = u
                .name
                .as_ref()
                .map(ident_name)
                .unwrap_or_else(|| format!("{}_{}_key", def.name, names.join("_")));
            def.uniques.push(UniqueConstraint { name, columns: ids });
            Ok(())
        }
        TableConstraint::ForeignKey(fk) => {
            let ids = column_ids(def, fk.columns.iter().map(ident_name))?;
            let fk = foreign_key(def, ids, fk, catalog)?;
            def.foreign_keys.push(fk);
            Ok(())
        }
        TableConstraint::Check(check) => {
            let name = check
                .name
                .as_ref()
                .map(ident_name)
                .unwrap_or_else(|| format!("{}_check", def.name));
            def.checks.push(CheckConstraint {
                name,
                expr: check.expr.to_string(),
            });
            Ok(())
        }
        other => Err(Error::Invalid(format!(
            "table constraint {other} is not supported"
        ))),
    }
}

fn foreign_key(
    def: &TableDef,
    columns: Vec<ColumnId>,
    fk: &ast::ForeignKeyConstraint,
    catalog: &Catalog,
) -> Result<ForeignKey> {
    let ref_name = object_name(&fk.foreign_table)?;
    let target = if ref_name == def.name {
        def
    } else {
        catalog
            .table_by_name(&ref_name)
            .map(|t| t.as_ref())
            .ok_or_else(|| Error::NotFound(format!("relation \"{ref_name}\" does not exist")))?
    };
    let ref_columns = if fk.referred_columns.is_empty() {
        target.primary_key.clone()
    } else {
        column_ids(target, fk.referred_columns.iter().map(ident_name))?
    };
    if ref_columns.len() != columns.len() {
        return Err(Error::Invalid(
            "number of referencing and referenced columns for foreign key disagree".into(),
        ));
    }
    let on_delete = match fk.on_delete {
        None | Some(ReferentialAction::NoAction | ReferentialAction::Restrict) => {
            ForeignKeyAction::Restrict
        }
        Some(ReferentialAction::Cascade) => ForeignKeyAction::Cascade,
        Some(other) => {
            return Err(Error::Invalid(format!(
                "ON DELETE {other} is not supported"
            )));
        }
    };
    let first = def
        .columns
        .iter()
        .find(|c| c.id == columns[0])
        .map(|c| c.name.as_str())
        .unwrap_or("");
    Ok(ForeignKey {
        name: fk
            .name
            .as_ref()
            .map(ident_name)
            .unwrap_or_else(|| format!("{}_{}_fkey", def.name, first)),
        columns,
        ref_table: target.id,
        ref_columns,
        on_delete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_schema_parses_into_three_tables() {
        let mut defs = parse_create_tables(CANONICAL_SCHEMA, &Catalog::default()).unwrap();
        for def in &mut defs {
            add_segmentation_indexes(def);
        }
        let indexed: usize = defs.iter().map(|d| d.indexes.len()).sum();
        let listed: usize = SEGMENTATION_INDEXES.iter().map(|(_, c)| c.len()).sum();
        assert_eq!(indexed, listed, "every segmentation column exists");
        let names: Vec<_> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["customers", "interactions", "transactions"]);
        let customers = &defs[0];
        assert_eq!(customers.columns.len(), 18);
        assert_eq!(customers.primary_key, vec![0]);
        assert_eq!(customers.uniques[0].name, "customers_email_key");
        let ltv = &customers.columns[customers.column_index("lifetime_value").unwrap()];
        assert_eq!(
            ltv.ty,
            DataType::Numeric(Some(NumericTypmod {
                precision: 12,
                scale: 2
            }))
        );
        assert!(ltv.not_null);
        assert_eq!(ltv.default.as_deref(), Some("0"));
        let interactions = &defs[1];
        assert_eq!(interactions.foreign_keys[0].ref_table, customers.id);
        assert_eq!(
            interactions.foreign_keys[0].name,
            "interactions_customer_id_fkey"
        );
        assert_eq!(
            interactions.columns[interactions.column_index("occurred_at").unwrap()].ty,
            DataType::TimestampTz
        );
    }

    #[test]
    fn unsupported_and_invalid_definitions_are_errors() {
        let c = Catalog::default();
        assert!(parse_create_tables("CREATE TABLE t (a INT, a INT)", &c).is_err());
        assert!(parse_create_tables("CREATE TABLE t (a NUMERIC(50,2))", &c).is_err());
        assert!(parse_create_tables("CREATE TABLE t (a INT REFERENCES nope (id))", &c).is_err());
        assert!(
            parse_create_tables("CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)", &c)
                .is_err()
        );
        assert!(parse_create_tables("SELECT 1", &c).is_err());
    }
}
