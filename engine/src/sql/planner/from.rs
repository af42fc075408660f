//! FROM: tables, derived tables, CTE references and joins (equalities
//! split out for the hash join).

use sqlparser::ast;

use crate::catalog::TableDef;

use super::columns::{collect_columns, flatten_and, map_columns};
use super::{Planner, object_name};
use crate::sql::binder::{AggMode, Bound, Scope, ScopeColumn, Ty, ident_name};
use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::{CmpOp, Expr};
use crate::sql::functions::Scalar;
use crate::sql::plan::{JoinKind, Plan};
use crate::sql::result::Column;

/// SQLSTATE of a FROM clause naming one table or alias twice.
pub(super) const DUPLICATE_ALIAS: &str = "42712";

/// More column aliases than the table has columns: 42P10.
pub(super) fn check_renames(
    qualifier: &str,
    columns: &[Column],
    renames: &[String],
) -> SqlResult<()> {
    if renames.len() > columns.len() {
        return Err(SqlError::new(
            code::INVALID_COLUMN_REFERENCE,
            format!(
                "table \"{qualifier}\" has {} columns available but {} columns specified",
                columns.len(),
                renames.len()
            ),
        ));
    }
    Ok(())
}

/// Splits a join condition into equalities between a left and a right
/// expression (for a hash join) and the rest.
pub(super) fn split_equi(
    condition: Option<Expr>,
    left_width: usize,
) -> (Vec<(Expr, Expr)>, Option<Expr>) {
    let Some(condition) = condition else {
        return (Vec::new(), None);
    };
    let mut conjuncts = Vec::new();
    flatten_and(condition, &mut conjuncts);
    let mut equi = Vec::new();
    let mut rest: Option<Expr> = None;
    for c in conjuncts {
        if let Expr::Compare(CmpOp::Eq, a, b) = &c {
            let side = |e: &Expr| columns_side(e, left_width);
            match (side(a), side(b)) {
                (Some(Side::Left), Some(Side::Right)) => {
                    equi.push(((**a).clone(), shift(b, left_width)));
                    continue;
                }
                (Some(Side::Right), Some(Side::Left)) => {
                    equi.push(((**b).clone(), shift(a, left_width)));
                    continue;
                }
                _ => {}
            }
        }
        rest = Some(match rest {
            None => c,
            Some(r) => Expr::And(r.boxed(), c.boxed()),
        });
    }
    (equi, rest)
}

#[derive(PartialEq)]
pub(super) enum Side {
    Left,
    Right,
}

/// Which side of a join an expression reads, if only one.
pub(super) fn columns_side(e: &Expr, left_width: usize) -> Option<Side> {
    let mut cols = Vec::new();
    collect_columns(e, &mut cols);
    if cols.is_empty() {
        return None;
    }
    if cols.iter().all(|c| *c < left_width) {
        Some(Side::Left)
    } else if cols.iter().all(|c| *c >= left_width) {
        Some(Side::Right)
    } else {
        None
    }
}

/// `e` with every column index lowered by `by` (right side of a join).
pub(super) fn shift(e: &Expr, by: usize) -> Expr {
    map_columns(e, &|i| i - by)
}

/// A table's columns as result columns.
pub(super) fn table_columns(def: &TableDef) -> Vec<Column> {
    def.columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            ty: c.ty,
        })
        .collect()
}

pub(crate) fn scope_of(columns: &[Column], qualifier: &str, renames: &[String]) -> Scope {
    Scope {
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, c)| ScopeColumn {
                qualifier: (!qualifier.is_empty()).then(|| qualifier.to_owned()),
                name: renames.get(i).cloned().unwrap_or_else(|| c.name.clone()),
                ty: c.ty,
                primary_key: false,
                merged_away: false,
            })
            .collect(),
    }
}

impl Planner<'_, '_, '_> {
    /// FROM: the plan producing the joined rows and their scope.
    pub(super) fn from(&mut self, from: &[ast::TableWithJoins]) -> SqlResult<(Plan, Scope)> {
        let mut acc: Option<(Plan, Scope)> = None;
        for twj in from {
            let mut item = self.table_factor(&twj.relation)?;
            for join in &twj.joins {
                let right = self.table_factor(&join.relation)?;
                item = self.join(item, right, &join.join_operator)?;
            }
            acc = Some(match acc {
                None => item,
                Some(left) => self.join(
                    left,
                    item,
                    &ast::JoinOperator::CrossJoin(ast::JoinConstraint::None),
                )?,
            });
        }
        Ok(acc.unwrap_or((Plan::Single, Scope::default())))
    }

    pub(super) fn table_factor(&mut self, t: &ast::TableFactor) -> SqlResult<(Plan, Scope)> {
        let ctes = &self.binder.ctes;
        let is_cte = |n: &str| ctes.iter().any(|(c, _)| c == n);
        if let Some(found) = crate::sql::system::bind::table_factor(self.binder, t, &is_cte)? {
            return Ok(found);
        }
        if let Some(found) = crate::sql::series::table_factor(self.binder, t)? {
            return Ok(found);
        }
        match t {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let table = object_name(name)?;
                let qualifier = alias
                    .as_ref()
                    .map(|a| ident_name(&a.name))
                    .unwrap_or_else(|| table.clone());
                let renames: Vec<String> = alias
                    .as_ref()
                    .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
                    .unwrap_or_default();
                if let Some((_, cte)) = self.binder.ctes.iter().rev().find(|(n, _)| *n == table) {
                    check_renames(&qualifier, &cte.columns, &renames)?;
                    let scope = scope_of(&cte.columns, &qualifier, &renames);
                    return Ok((cte.plan.clone(), scope));
                }
                let def = self
                    .catalog
                    .table_by_name(&table)
                    .ok_or_else(|| SqlError::undefined_table(&table))?;
                let columns = table_columns(def);
                check_renames(&qualifier, &columns, &renames)?;
                let mut scope = scope_of(&columns, &qualifier, &renames);
                for (sc, c) in scope.columns.iter_mut().zip(&def.columns) {
                    sc.primary_key = def.primary_key.contains(&c.id);
                }
                self.binder.tables_read.push(def.id);
                Ok((Plan::Scan { table: def.id }, scope))
            }
            ast::TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => {
                let qp = self.query(subquery)?;
                let (qualifier, renames) = match alias {
                    Some(a) => (
                        ident_name(&a.name),
                        a.columns.iter().map(|c| ident_name(&c.name)).collect(),
                    ),
                    None => (String::new(), Vec::new()),
                };
                check_renames(&qualifier, &qp.columns, &renames)?;
                Ok((qp.plan, scope_of(&qp.columns, &qualifier, &renames)))
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.from(std::slice::from_ref(table_with_joins)),
            other => Err(SqlError::unsupported(format!("the FROM item {other}"))),
        }
    }

    pub(super) fn join(
        &mut self,
        left: (Plan, Scope),
        right: (Plan, Scope),
        op: &ast::JoinOperator,
    ) -> SqlResult<(Plan, Scope)> {
        use ast::JoinOperator as J;
        let (kind, constraint) = match op {
            J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
            J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
            J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
            J::FullOuter(c) => (JoinKind::Full, c),
            J::CrossJoin(c) => (JoinKind::Inner, c),
            other => return Err(SqlError::unsupported(format!("the join {other:?}"))),
        };
        let (lplan, lscope) = left;
        let (rplan, rscope) = right;
        for c in &rscope.columns {
            if let Some(q) = c.qualifier.as_deref().filter(|q| !q.is_empty())
                && lscope
                    .columns
                    .iter()
                    .any(|l| l.qualifier.as_deref() == Some(q))
            {
                return Err(SqlError::new(
                    DUPLICATE_ALIAS,
                    format!("table name \"{q}\" specified more than once"),
                ));
            }
        }
        let left_width = lscope.columns.len();
        let right_width = rscope.columns.len();
        let mut scope = lscope.clone();
        scope.columns.extend(rscope.columns.iter().cloned());
        let mut using = None;
        let condition = match constraint {
            ast::JoinConstraint::On(e) => Some(self.binder.condition(
                e,
                &scope,
                &mut AggMode::Forbidden("JOIN conditions"),
                "JOIN/ON",
            )?),
            ast::JoinConstraint::None => None,
            ast::JoinConstraint::Using(cols) => {
                let mut cond: Option<Expr> = None;
                let mut merged = Vec::new();
                for c in cols {
                    let name = object_name(c)?;
                    let l = lscope.resolve(None, &name)?;
                    let r = rscope.resolve(None, &name)?;
                    let lb = Bound {
                        expr: Expr::Column(l),
                        ty: Ty::Known(lscope.columns[l].ty),
                    };
                    let rb = Bound {
                        expr: Expr::Column(left_width + r),
                        ty: Ty::Known(rscope.columns[r].ty),
                    };
                    let ty = self.binder.common(&[lb.ty, rb.ty], "JOIN/USING")?;
                    let (le, re) = (self.binder.coerce(lb, ty)?, self.binder.coerce(rb, ty)?);
                    let eq = Expr::Compare(CmpOp::Eq, le.clone().boxed(), re.clone().boxed());
                    cond = Some(match cond {
                        None => eq,
                        Some(c) => Expr::And(c.boxed(), eq.boxed()),
                    });
                    // The merged column: the side that keeps all its rows.
                    let value = match kind {
                        JoinKind::Inner | JoinKind::Left => le,
                        JoinKind::Right => re,
                        JoinKind::Full => Expr::Call(Scalar::Coalesce, vec![le, re]),
                    };
                    scope.columns[l].merged_away = true;
                    scope.columns[left_width + r].merged_away = true;
                    merged.push((name, ty, value));
                }
                using = Some(merged);
                cond
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "the join condition {other:?}"
                )));
            }
        };
        let (equi, on) = split_equi(condition, left_width);
        let plan = Plan::Join {
            left: Box::new(lplan),
            right: Box::new(rplan),
            kind,
            equi,
            on,
            left_width,
            right_width,
        };
        let Some(merged) = using else {
            return Ok((plan, scope));
        };
        // JOIN … USING: the merged columns come first (PostgreSQL's order
        // for SELECT *), then both sides' columns.
        let mut exprs: Vec<Expr> = merged.iter().map(|(_, _, e)| e.clone()).collect();
        exprs.extend((0..left_width + right_width).map(Expr::Column));
        let mut columns: Vec<ScopeColumn> = merged
            .into_iter()
            .map(|(name, ty, _)| ScopeColumn {
                qualifier: None,
                name,
                ty,
                primary_key: false,
                merged_away: false,
            })
            .collect();
        columns.extend(scope.columns);
        Ok((
            Plan::Project {
                input: Box::new(plan),
                exprs,
            },
            Scope { columns },
        ))
    }
}
