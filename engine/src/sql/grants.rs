//! GRANT and REVOKE of table privileges: SELECT, INSERT, UPDATE, DELETE,
//! TRUNCATE, REFERENCES, TRIGGER or ALL, on named tables or on ALL TABLES
//! IN SCHEMA public, to or from roles or PUBLIC.

use sqlparser::ast::{
    self, Action, GrantObjects, Grantee, GranteeName, GranteesType, Privileges as AstPrivileges,
};

use crate::catalog::{PUBLIC, Privileges, TableAcl, TableId};
use crate::txn::Transaction;

use super::access::{Actor, permission_denied_for_table};
use super::error::{SqlError, SqlResult, code};
use super::result::Output;

const INVALID_GRANT_OPERATION: &str = "0LP01";
const INVALID_SCHEMA_NAME: &str = "3F000";

/// Runs `stmt` if it is GRANT or REVOKE; None if it is not.
pub(crate) fn execute(
    stmt: &ast::Statement,
    txn: &mut Transaction,
    actor: &Actor,
) -> Option<SqlResult<Output>> {
    let (privileges, objects, grantees, grant, refused) = match stmt {
        ast::Statement::Grant(g) => (
            &g.privileges,
            g.objects.as_ref(),
            &g.grantees,
            true,
            g.with_grant_option || g.as_grantor.is_some() || g.granted_by.is_some(),
        ),
        ast::Statement::Revoke(r) => (
            &r.privileges,
            r.objects.as_ref(),
            &r.grantees,
            false,
            r.grant_option_for || r.granted_by.is_some(),
        ),
        _ => return None,
    };
    if refused {
        return Some(Err(SqlError::unsupported(
            "WITH GRANT OPTION, GRANT OPTION FOR and GRANTED BY",
        )));
    }
    let tag = change(privileges, objects, grantees, grant, txn, actor);
    Some(tag.map(|tag| Output::Command { tag: tag.into() }))
}

fn privileges(p: &AstPrivileges) -> SqlResult<Privileges> {
    let actions = match p {
        AstPrivileges::All { .. } => return Ok(Privileges::ALL),
        AstPrivileges::Actions(actions) => actions,
    };
    let mut out = Privileges::NONE;
    for action in actions {
        let (p, columns) = match action {
            Action::Select { columns } => (Privileges::SELECT, columns.is_some()),
            Action::Insert { columns } => (Privileges::INSERT, columns.is_some()),
            Action::Update { columns } => (Privileges::UPDATE, columns.is_some()),
            Action::References { columns } => (Privileges::REFERENCES, columns.is_some()),
            Action::Delete => (Privileges::DELETE, false),
            Action::Truncate => (Privileges::TRUNCATE, false),
            Action::Trigger => (Privileges::TRIGGER, false),
            other => {
                return Err(SqlError::new(
                    INVALID_GRANT_OPERATION,
                    format!("invalid privilege type {other} for table"),
                ));
            }
        };
        if columns {
            return Err(SqlError::unsupported("column privileges"));
        }
        out = out.union(p);
    }
    Ok(out)
}

fn tables(objects: Option<&GrantObjects>, txn: &Transaction) -> SqlResult<Vec<TableId>> {
    let catalog = txn.catalog();
    match objects {
        Some(GrantObjects::Tables(names)) => names
            .iter()
            .map(|n| {
                let name = super::planner::object_name(n)?;
                catalog
                    .table_by_name(&name)
                    .map(|t| t.id)
                    .ok_or_else(|| SqlError::undefined_table(&name))
            })
            .collect(),
        Some(GrantObjects::AllTablesInSchema { schemas }) => {
            for s in schemas {
                let name = super::planner::object_name(s)?;
                if name != "public" {
                    return Err(SqlError::new(
                        INVALID_SCHEMA_NAME,
                        format!("schema \"{name}\" does not exist"),
                    ));
                }
            }
            Ok(catalog.tables().map(|t| t.id).collect())
        }
        Some(other) => Err(SqlError::unsupported(format!(
            "GRANT and REVOKE ON {other}"
        ))),
        None => Err(SqlError::unsupported("granting roles")),
    }
}

fn grantee(g: &Grantee, txn: &Transaction) -> SqlResult<String> {
    let name = match (&g.grantee_type, &g.name) {
        (GranteesType::Public, _) => return Ok(PUBLIC.to_owned()),
        (
            GranteesType::Role | GranteesType::User | GranteesType::None,
            Some(GranteeName::ObjectName(n)),
        ) => super::planner::object_name(n)?,
        _ => return Err(SqlError::unsupported(format!("the grantee {g}"))),
    };
    if name == PUBLIC {
        return Ok(name);
    }
    if txn.catalog().role(&name).is_none() {
        return Err(SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("role \"{name}\" does not exist"),
        ));
    }
    Ok(name)
}

/// Grants (`grant`) or revokes privileges; the command tag.
fn change(
    p: &AstPrivileges,
    objects: Option<&GrantObjects>,
    grantees: &[Grantee],
    grant: bool,
    txn: &mut Transaction,
    actor: &Actor,
) -> SqlResult<&'static str> {
    let wanted = privileges(p)?;
    let tables = tables(objects, txn)?;
    let grantees = grantees
        .iter()
        .map(|g| grantee(g, txn))
        .collect::<SqlResult<Vec<_>>>()?;
    for table in tables {
        let catalog = txn.catalog();
        let def = catalog.table(table).expect("listed from this catalog");
        if !actor.owns(catalog, table) {
            return Err(permission_denied_for_table(&def.name));
        }
        let before = match catalog.acl(table) {
            Some(acl) => acl.clone(),
            None => TableAcl {
                owner: catalog.table_owner(table).unwrap_or(&actor.name).to_owned(),
                grants: Default::default(),
            },
        };
        let mut acl = before.clone();
        for name in &grantees {
            let held = acl.grants.get(name).copied().unwrap_or_default();
            let now = if grant {
                held.union(wanted)
            } else {
                held.without(wanted)
            };
            if now.is_empty() {
                acl.grants.remove(name);
            } else {
                acl.grants.insert(name.clone(), now);
            }
        }
        if acl != before || txn.catalog().acl(table).is_none() {
            txn.set_acl(table, acl)?;
        }
    }
    Ok(if grant { "GRANT" } else { "REVOKE" })
}
