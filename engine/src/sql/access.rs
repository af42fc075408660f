//! Who runs a statement, and whether they may: the privilege checks made
//! after a statement is planned and before it runs, as PostgreSQL makes
//! them at executor start.
//!
//! Superusers may do anything. A table's owner holds every privilege on
//! it; other roles hold what was granted to them or to PUBLIC. Reading a
//! table needs SELECT, and so do UPDATE and DELETE that read the target's
//! rows in WHERE, RETURNING or (UPDATE) a SET expression, and INSERT …
//! RETURNING.

use crate::catalog::{Catalog, Privileges, TableId};

use super::copy::CopyPlan;
use super::error::{SqlError, SqlResult, code};
use super::expr::Expr;
use super::planner::{BoundStatement, ConflictAction};

/// The role a statement runs as.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The role's name (what current_user says).
    pub name: String,
    pub superuser: bool,
    pub create_role: bool,
}

impl Actor {
    /// The session user `user` as `catalog` has it now; None is a trusted
    /// caller embedding the engine, acting as the bootstrap superuser. A
    /// role dropped while its session goes on keeps its name and nothing
    /// else.
    pub fn of(catalog: &Catalog, user: Option<&str>) -> Actor {
        match user {
            Some(name) => match catalog.role(name) {
                Some(role) => Actor {
                    name: role.name.clone(),
                    superuser: role.superuser,
                    create_role: role.create_role,
                },
                None => Actor {
                    name: name.to_owned(),
                    superuser: false,
                    create_role: false,
                },
            },
            None => Actor {
                name: catalog
                    .bootstrap_role()
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| super::system::DEFAULT_USER.to_owned()),
                superuser: true,
                create_role: true,
            },
        }
    }

    /// Whether the actor owns table `table` (or may act as its owner).
    pub fn owns(&self, catalog: &Catalog, table: TableId) -> bool {
        self.superuser || catalog.table_owner(table) == Some(self.name.as_str())
    }

    fn may(&self, catalog: &Catalog, table: TableId, wanted: Privileges) -> bool {
        self.superuser || catalog.has_privileges(&self.name, table, wanted)
    }

    /// Fails with PostgreSQL's error unless the actor holds `wanted` on
    /// table `table`.
    pub fn require(&self, catalog: &Catalog, table: TableId, wanted: Privileges) -> SqlResult<()> {
        if self.may(catalog, table, wanted) {
            return Ok(());
        }
        let name = catalog.table(table).map(|t| t.name.as_str()).unwrap_or("?");
        Err(permission_denied_for_table(name))
    }
}

pub fn permission_denied_for_table(name: &str) -> SqlError {
    SqlError::new(
        code::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for table {name}"),
    )
}

pub fn permission_denied(message: impl Into<String>) -> SqlError {
    SqlError::new(code::INSUFFICIENT_PRIVILEGE, message)
}

/// `p`, and SELECT too if the statement reads its target's rows (UPDATE
/// and DELETE with WHERE or RETURNING).
fn reading_target<F, R>(p: Privileges, filter: &Option<F>, returning: &Option<R>) -> Privileges {
    if filter.is_some() || returning.is_some() {
        p.union(Privileges::SELECT)
    } else {
        p
    }
}

/// Whether `e` reads a column of the row it is evaluated over (`SET a = b`
/// does, `SET a = 1` does not).
fn reads_row(e: &Expr) -> bool {
    let mut reads = false;
    e.visit(&mut |x| {
        if matches!(x, Expr::Column(_) | Expr::Outer { .. }) {
            reads = true;
        }
    });
    reads
}

/// Checks that `actor` may run `bound`, which reads the tables `reads`
/// (every table its FROM clauses and subqueries name).
pub(crate) fn check_statement(
    bound: &BoundStatement,
    reads: &[TableId],
    catalog: &Catalog,
    actor: &Actor,
) -> SqlResult<()> {
    if actor.superuser {
        return Ok(());
    }
    let mut wanted: Vec<(TableId, Privileges)> = Vec::new();
    match bound {
        BoundStatement::Insert {
            table,
            returning,
            on_conflict,
            ..
        } => {
            let mut p = Privileges::INSERT;
            if returning.is_some() {
                p = p.union(Privileges::SELECT);
            }
            if on_conflict
                .as_ref()
                .is_some_and(|oc| matches!(oc.action, ConflictAction::Update { .. }))
            {
                p = p.union(Privileges::UPDATE);
            }
            wanted.push((table.id, p));
        }
        BoundStatement::Update {
            table,
            filter,
            assignments,
            returning,
        } => {
            let mut p = reading_target(Privileges::UPDATE, filter, returning);
            if assignments.iter().any(|(_, e)| reads_row(e)) {
                p = p.union(Privileges::SELECT);
            }
            wanted.push((table.id, p))
        }
        BoundStatement::Delete {
            table,
            filter,
            returning,
        } => wanted.push((
            table.id,
            reading_target(Privileges::DELETE, filter, returning),
        )),
        BoundStatement::CreateTable { .. } => {
            // PostgreSQL 15: only the database owner may create in public.
            return Err(permission_denied("permission denied for schema public"));
        }
        BoundStatement::DropTable { names, .. } => {
            for name in names {
                if let Some(t) = catalog.table_by_name(name)
                    && !actor.owns(catalog, t.id)
                {
                    return Err(permission_denied(format!("must be owner of table {name}")));
                }
            }
        }
        BoundStatement::AlterTable(Some(plan)) => {
            let def = &plan.altered.def;
            if !actor.owns(catalog, def.id) {
                let name = catalog.table(def.id).map_or(&def.name, |t| &t.name);
                return Err(permission_denied(format!("must be owner of table {name}")));
            }
        }
        BoundStatement::AlterTable(None) => {}
        // Indexes are their table owner's to create and drop.
        BoundStatement::CreateIndex(c) => {
            if let Some(t) = catalog.table_by_name(&c.table)
                && !actor.owns(catalog, t.id)
            {
                return Err(permission_denied(format!(
                    "must be owner of table {}",
                    t.name
                )));
            }
        }
        BoundStatement::DropIndex { names, .. } => {
            for name in names {
                let table = catalog
                    .tables()
                    .find(|t| t.indexes.iter().any(|i| i.name == *name));
                if let Some(t) = table
                    && !actor.owns(catalog, t.id)
                {
                    return Err(permission_denied(format!("must be owner of index {name}")));
                }
            }
        }
        BoundStatement::Truncate { names } => {
            for name in names {
                if let Some(t) = catalog.table_by_name(name) {
                    wanted.push((t.id, Privileges::TRUNCATE));
                }
            }
        }
        BoundStatement::Copy(copy) => {
            if let CopyPlan::From { table, .. } = copy.as_ref() {
                wanted.push((table.id, Privileges::INSERT));
            }
        }
        BoundStatement::Query(_)
        | BoundStatement::Set { .. }
        | BoundStatement::Reset { .. }
        | BoundStatement::Show { .. } => {}
    }
    wanted.extend(reads.iter().map(|t| (*t, Privileges::SELECT)));
    for (table, p) in wanted {
        actor.require(catalog, table, p)?;
    }
    Ok(())
}
