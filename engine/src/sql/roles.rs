//! CREATE ROLE / USER, ALTER ROLE / USER and DROP ROLE / USER, with
//! PostgreSQL 15's rules for who may do what and its error codes.
//!
//! Passwords are stored only as SCRAM-SHA-256 verifiers
//! ([`crate::scram`]); one given already in that form (psql's `\password`
//! sends one) is stored as it is.

use sqlparser::ast::{self, AlterRoleOperation, Password, RoleOption};

use crate::catalog::{BOOTSTRAP_ROLE_OID, Catalog, PUBLIC, RoleDef};
use crate::scram::stored_password;
use crate::txn::Transaction;

use super::access::{Actor, permission_denied};
use super::error::{SqlError, SqlResult, code};
use super::result::Output;

const OBJECT_IN_USE: &str = "55006";
const RESERVED_NAME: &str = "42939";
const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";

/// Runs `stmt` if it is a role statement; None if it is not one.
pub(crate) fn execute(
    stmt: &ast::Statement,
    txn: &mut Transaction,
    actor: &Actor,
) -> Option<SqlResult<Output>> {
    let result = match stmt {
        ast::Statement::CreateRole(create) => create_roles(create, txn, actor),
        ast::Statement::AlterRole { name, operation } => {
            alter_role(&name.value, operation, txn, actor)
        }
        ast::Statement::Drop {
            object_type: ast::ObjectType::Role | ast::ObjectType::User,
            if_exists,
            names,
            ..
        } => drop_roles(names, *if_exists, txn, actor),
        _ => return None,
    };
    Some(result)
}

/// Whether `stmt` manages roles or privileges (it has no result columns
/// and no parameters).
pub(crate) fn is_role_statement(stmt: &ast::Statement) -> bool {
    matches!(
        stmt,
        ast::Statement::CreateRole(_)
            | ast::Statement::AlterRole { .. }
            | ast::Statement::Grant(_)
            | ast::Statement::Revoke(_)
            | ast::Statement::Drop {
                object_type: ast::ObjectType::Role | ast::ObjectType::User,
                ..
            }
    )
}

fn command(tag: &str) -> SqlResult<Output> {
    Ok(Output::Command { tag: tag.into() })
}

fn undefined_role(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("role \"{name}\" does not exist"),
    )
}

fn role_name(name: &ast::ObjectName) -> SqlResult<String> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(|i| i.value.clone())
            .ok_or_else(|| SqlError::syntax(format!("invalid role name {name}"))),
        _ => Err(SqlError::syntax(format!("invalid role name {name}"))),
    }
}

/// Refuses names PostgreSQL reserves.
fn check_role_name(name: &str) -> SqlResult<()> {
    if name == PUBLIC || name == "none" {
        return Err(SqlError::new(
            RESERVED_NAME,
            format!("role name \"{name}\" is reserved"),
        ));
    }
    if name.starts_with("pg_") {
        return Err(
            SqlError::new(RESERVED_NAME, format!("role name \"{name}\" is reserved"))
                .with_detail("Role names starting with \"pg_\" are reserved."),
        );
    }
    if name.is_empty() || name.len() > crate::catalog::MAX_NAME_LEN {
        return Err(SqlError::new(
            code::PROGRAM_LIMIT_EXCEEDED,
            format!("role name \"{name}\" is too long or empty"),
        ));
    }
    Ok(())
}

/// The stored form of a PASSWORD option: None for NULL or '' (PostgreSQL
/// clears the password for an empty one).
fn password(p: &Password) -> SqlResult<Option<String>> {
    match p {
        Password::NullPassword => Ok(None),
        Password::Password(ast::Expr::Value(v)) => match &v.value {
            ast::Value::SingleQuotedString(s) if s.is_empty() => Ok(None),
            ast::Value::SingleQuotedString(s) => Ok(Some(stored_password(s))),
            ast::Value::Null => Ok(None),
            other => Err(SqlError::syntax(format!(
                "syntax error at or near \"{other}\""
            ))),
        },
        Password::Password(other) => Err(SqlError::syntax(format!(
            "syntax error at or near \"{other}\""
        ))),
    }
}

fn create_roles(
    create: &ast::CreateRole,
    txn: &mut Transaction,
    actor: &Actor,
) -> SqlResult<Output> {
    let unsupported = create.inherit == Some(false)
        || create.bypassrls == Some(true)
        || create.create_db == Some(true)
        || create.replication == Some(true)
        || create.connection_limit.is_some()
        || create.valid_until.is_some()
        || !create.in_role.is_empty()
        || !create.in_group.is_empty()
        || !create.role.is_empty()
        || !create.user.is_empty()
        || !create.admin.is_empty()
        || create.authorization_owner.is_some();
    if unsupported {
        return Err(SqlError::unsupported(
            "role options other than LOGIN, SUPERUSER, CREATEROLE and PASSWORD",
        ));
    }
    if !actor.superuser && !actor.create_role {
        return Err(permission_denied("permission denied to create role"));
    }
    let superuser = create.superuser.unwrap_or(false);
    if superuser && !actor.superuser {
        return Err(permission_denied("must be superuser to create superusers"));
    }
    let password = create
        .password
        .as_ref()
        .map(password)
        .transpose()?
        .flatten();
    for name in &create.names {
        let name = role_name(name)?;
        check_role_name(&name)?;
        if txn.catalog().role(&name).is_some() {
            if create.if_not_exists {
                continue;
            }
            return Err(SqlError::new(
                code::DUPLICATE_OBJECT,
                format!("role \"{name}\" already exists"),
            ));
        }
        txn.create_role(RoleDef {
            name,
            superuser,
            login: create.login.unwrap_or(false),
            password: password.clone(),
            create_role: create.create_role.unwrap_or(false),
            oid: 0,
        })?;
    }
    command("CREATE ROLE")
}

fn existing_role(catalog: &Catalog, name: &str) -> SqlResult<RoleDef> {
    catalog
        .role(name)
        .cloned()
        .ok_or_else(|| undefined_role(name))
}

fn alter_role(
    name: &str,
    operation: &AlterRoleOperation,
    txn: &mut Transaction,
    actor: &Actor,
) -> SqlResult<Output> {
    let mut role = existing_role(txn.catalog(), name)?;
    match operation {
        AlterRoleOperation::RenameRole { role_name } => {
            let to = role_name.value.clone();
            if role.name == actor.name {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    "session user cannot be renamed",
                ));
            }
            if !(actor.superuser || actor.create_role && !role.superuser) {
                return Err(permission_denied("permission denied to rename role"));
            }
            check_role_name(&to)?;
            if txn.catalog().role(&to).is_some() {
                return Err(SqlError::new(
                    code::DUPLICATE_OBJECT,
                    format!("role \"{to}\" already exists"),
                ));
            }
            txn.rename_role(name, &to)?;
            command("ALTER ROLE")
        }
        AlterRoleOperation::WithOptions { options } => {
            let changes_superuser = options
                .iter()
                .any(|o| matches!(o, RoleOption::SuperUser(_)));
            if (role.superuser || changes_superuser) && !actor.superuser {
                return Err(permission_denied(
                    "must be superuser to alter superuser roles or change superuser attribute",
                ));
            }
            let own_password_only = role.name == actor.name
                && options.iter().all(|o| matches!(o, RoleOption::Password(_)));
            if !actor.superuser && !actor.create_role && !own_password_only {
                return Err(permission_denied("permission denied"));
            }
            for option in options {
                match option {
                    RoleOption::Login(v) => role.login = *v,
                    RoleOption::SuperUser(v) => {
                        if !v && role.oid == BOOTSTRAP_ROLE_OID {
                            return Err(permission_denied(
                                "permission denied: bootstrap user must be superuser",
                            ));
                        }
                        role.superuser = *v;
                    }
                    RoleOption::CreateRole(v) => role.create_role = *v,
                    RoleOption::Password(p) => role.password = password(p)?,
                    RoleOption::Inherit(true)
                    | RoleOption::BypassRLS(false)
                    | RoleOption::CreateDB(false)
                    | RoleOption::Replication(false) => {}
                    other => {
                        return Err(SqlError::unsupported(format!("the role option {other}")));
                    }
                }
            }
            txn.alter_role(role)?;
            command("ALTER ROLE")
        }
        other => Err(SqlError::unsupported(format!("ALTER ROLE … {other}"))),
    }
}

fn drop_roles(
    names: &[ast::ObjectName],
    if_exists: bool,
    txn: &mut Transaction,
    actor: &Actor,
) -> SqlResult<Output> {
    if !actor.superuser && !actor.create_role {
        return Err(permission_denied("permission denied to drop role"));
    }
    for name in names {
        let name = role_name(name)?;
        let Some(role) = txn.catalog().role(&name).cloned() else {
            if if_exists {
                continue;
            }
            return Err(undefined_role(&name));
        };
        if role.name == actor.name {
            return Err(SqlError::new(
                OBJECT_IN_USE,
                "current user cannot be dropped",
            ));
        }
        if role.superuser && !actor.superuser {
            return Err(permission_denied("must be superuser to drop superusers"));
        }
        if role.oid == BOOTSTRAP_ROLE_OID {
            return Err(SqlError::new(
                DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop role {name} because it is required by the database system"),
            ));
        }
        let catalog = txn.catalog();
        let dependents: Vec<String> = catalog
            .tables_depending_on(&name)
            .iter()
            .map(|t| {
                if catalog.table_owner(t.id) == Some(name.as_str()) {
                    format!("owner of table {}", t.name)
                } else {
                    format!("privileges for table {}", t.name)
                }
            })
            .collect();
        if !dependents.is_empty() {
            return Err(SqlError::new(
                DEPENDENT_OBJECTS_STILL_EXIST,
                format!("role \"{name}\" cannot be dropped because some objects depend on it"),
            )
            .with_detail(dependents.join("\n")));
        }
        txn.drop_role(&name)?;
    }
    command("DROP ROLE")
}
