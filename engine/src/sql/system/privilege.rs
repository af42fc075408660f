//! `has_table_privilege` and its column variants, checked against the
//! GRANTs in the catalog as the statement sees it.
//!
//! The role and the privilege list must be constants (as every client
//! passes them); the table may be a name constant or any OID expression,
//! which becomes a lookup over the catalog's tables. Column privileges are
//! not kept apart from table privileges, so `has_column_privilege` and
//! `has_any_column_privilege` answer for the column's table.

use crate::catalog::Privileges;
use crate::types::{DataType, Value};

use super::super::binder::{Binder, Bound, Ty};
use super::super::error::{SqlError, SqlResult, code};
use super::super::expr::Expr;
use super::bind::case_lookup;
use super::tables::SYSTEM_TABLES;
use super::{SystemCatalog, table_oid};

/// Binds `name(args)`: `has_table_privilege([role,] table, privileges)`,
/// `has_any_column_privilege([role,] table, privileges)` or
/// `has_column_privilege([role,] table, column, privileges)`.
pub(crate) fn has_privilege(
    b: &mut Binder,
    sys: &SystemCatalog,
    name: &str,
    args: Vec<Bound>,
) -> SqlResult<Bound> {
    let with_column = name == "has_column_privilege";
    let explicit_role = args.len() == if with_column { 4 } else { 3 };
    let mut args = args.into_iter();
    let role = if explicit_role {
        let r = args.next().expect("arity checked");
        Some(constant_text(&r).ok_or_else(|| not_constant("role"))?)
    } else {
        None
    };
    let table = args.next().expect("arity checked");
    if with_column {
        args.next();
    }
    let privileges = args.next().expect("arity checked");
    let wanted =
        parse_privileges(&constant_text(&privileges).ok_or_else(|| not_constant("privilege"))?)?;
    let role = role.unwrap_or_else(|| sys.current_user());
    let superuser = sys.user.is_none()
        || sys
            .catalog
            .role(&role)
            .map(|r| r.superuser)
            .unwrap_or(false);
    if !superuser && sys.catalog.role(&role).is_none() {
        return Err(SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("role \"{role}\" does not exist"),
        ));
    }
    // Any of the listed privileges will do, as in PostgreSQL; grant
    // options are not recorded, so only owners (and superusers) hold them.
    let holds = |held: Privileges, owner: bool| {
        wanted
            .iter()
            .any(|(p, grant_option)| held.contains(*p) && (owner || !grant_option))
    };
    let mut by_oid: Vec<(i64, bool)> = sys
        .catalog
        .tables()
        .map(|t| {
            let owner = superuser || sys.catalog.table_owner(t.id) == Some(role.as_str());
            let held = Privileges::EACH
                .iter()
                .map(|(p, _, _)| *p)
                .filter(|p| owner || sys.catalog.has_privileges(&role, t.id, *p))
                .fold(Privileges::NONE, Privileges::union);
            (i64::from(table_oid(t)), holds(held, owner))
        })
        .collect();
    // Everyone may read the system catalogs.
    by_oid.extend(SYSTEM_TABLES.iter().map(|(_, oid, _)| {
        let held = if superuser {
            Privileges::ALL
        } else {
            Privileges::SELECT
        };
        (i64::from(*oid), holds(held, superuser))
    }));
    let boolean = |e: Expr| Bound {
        expr: e,
        ty: Ty::Known(DataType::Boolean),
    };
    if let Some(name) = constant_text(&table) {
        let oid = sys.regclass_oid(&name).ok_or_else(|| {
            SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )
        })?;
        let held = by_oid.iter().find(|(o, _)| *o == i64::from(oid));
        return Ok(boolean(Expr::Literal(
            held.map_or(Value::Null, |(_, h)| Value::Boolean(*h)),
        )));
    }
    // An OID expression: NULL for an OID that is no table, as PostgreSQL.
    let key = Expr::Cast(b.coerce(table, DataType::BigInt)?.boxed(), DataType::BigInt);
    Ok(boolean(case_lookup(
        key,
        by_oid
            .into_iter()
            .map(|(oid, held)| (Value::BigInt(oid), Value::Boolean(held))),
        Expr::Literal(Value::Null),
    )))
}

/// A constant text argument (a string literal).
fn constant_text(x: &Bound) -> Option<String> {
    match (&x.expr, x.ty) {
        (Expr::Literal(Value::Text(s)), Ty::Unknown | Ty::Known(DataType::Text)) => Some(s.clone()),
        _ => None,
    }
}

fn not_constant(what: &str) -> SqlError {
    SqlError::unsupported(format!(
        "has_table_privilege with a {what} that is not a string constant"
    ))
}

/// `'SELECT, insert WITH GRANT OPTION'`: the privileges named, each with
/// whether its grant option is asked for.
fn parse_privileges(list: &str) -> SqlResult<Vec<(Privileges, bool)>> {
    list.split(',')
        .map(|item| {
            let word = item.trim();
            let upper = word.to_ascii_uppercase();
            let (name, grant_option) = match upper.strip_suffix("WITH GRANT OPTION") {
                Some(n) => (n.trim_end().to_owned(), true),
                None => (upper.clone(), false),
            };
            let found = Privileges::EACH
                .iter()
                .find(|(_, n, _)| *n == name)
                .map(|(p, _, _)| *p);
            match found {
                Some(p) => Ok((p, grant_option)),
                None => Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("unrecognized privilege type: \"{word}\""),
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_lists_parse_like_postgres() {
        assert_eq!(
            parse_privileges("select, INSERT").unwrap(),
            vec![(Privileges::SELECT, false), (Privileges::INSERT, false)]
        );
        assert_eq!(
            parse_privileges("delete with grant option").unwrap(),
            vec![(Privileges::DELETE, true)]
        );
        assert_eq!(parse_privileges("fly").unwrap_err().code, "22023");
    }
}
