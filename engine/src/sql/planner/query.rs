//! Queries: WITH (and WITH RECURSIVE), set operations, VALUES, ORDER BY
//! and LIMIT/OFFSET around a query body.

use std::ops::ControlFlow;

use sqlparser::ast::{self, Visit, Visitor};

use crate::types::DataType;

use super::dml::is_default;
use super::from::check_renames;
use super::select::output_scope;
use super::{Planner, QueryPlan, first_words};
use crate::sql::binder::{Bound, Scope, Ty, ident_name};
use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, SetOp};
use crate::sql::result::Column;

/// SQLSTATE of a malformed WITH RECURSIVE.
pub(super) const INVALID_RECURSION: &str = "42P19";

/// Whether a query (or part of one) reads the relation `name`.
pub(super) fn reads_relation<T: Visit>(node: &T, name: &str) -> bool {
    struct Finder<'n>(&'n str, bool);
    impl Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_relation(&mut self, r: &ast::ObjectName) -> ControlFlow<()> {
            if let [part] = r.0.as_slice()
                && part.as_ident().is_some_and(|i| ident_name(i) == self.0)
            {
                self.1 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Finder(name, false);
    let _ = node.visit(&mut f);
    f.1
}

/// For each output column of a set operation's operand, whether it is an
/// untyped literal (a string or NULL) of a plain SELECT; empty when unknown.
pub(super) fn untyped_outputs(body: &ast::SetExpr) -> Vec<bool> {
    fn untyped(e: &ast::Expr) -> bool {
        match e {
            ast::Expr::Nested(inner) => untyped(inner),
            ast::Expr::Value(v) => matches!(
                v.value,
                ast::Value::Null
                    | ast::Value::SingleQuotedString(_)
                    | ast::Value::EscapedStringLiteral(_)
                    | ast::Value::DollarQuotedString(_)
            ),
            _ => false,
        }
    }
    let ast::SetExpr::Select(s) = body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &s.projection {
        match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                out.push(untyped(e))
            }
            _ => return Vec::new(),
        }
    }
    out
}

/// A plan whose output columns are cast to `types` where they differ.
pub(super) fn coerce_columns(plan: Plan, columns: &[Column], types: &[DataType]) -> Plan {
    if columns.iter().zip(types).all(|(c, t)| c.ty == *t) {
        return plan;
    }
    let exprs = columns
        .iter()
        .zip(types)
        .enumerate()
        .map(|(i, (c, t))| {
            if c.ty == *t {
                Expr::Column(i)
            } else {
                Expr::Cast(Expr::Column(i).boxed(), *t)
            }
        })
        .collect();
    Plan::Project {
        input: Box::new(plan),
        exprs,
    }
}

impl Planner<'_, '_, '_> {
    pub(super) fn query(&mut self, q: &ast::Query) -> SqlResult<QueryPlan> {
        let saved = self.binder.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = ident_name(&cte.alias.name);
                let renames: Vec<String> = cte
                    .alias
                    .columns
                    .iter()
                    .map(|c| ident_name(&c.name))
                    .collect();
                let mut plan = if with.recursive && reads_relation(cte.query.as_ref(), &name) {
                    self.recursive_cte(&name, &cte.query, &renames)?
                } else {
                    self.query(&cte.query)?
                };
                check_renames(&name, &plan.columns, &renames)?;
                for (c, alias) in plan.columns.iter_mut().zip(&renames) {
                    c.name = alias.clone();
                }
                self.binder.ctes.push((ident_name(&cte.alias.name), plan));
            }
        }
        let result = self.query_body(q);
        self.binder.ctes.truncate(saved);
        result
    }

    /// A WITH RECURSIVE query `name`: `anchor UNION [ALL] recursive`, the
    /// recursive term reading `name` as the work table.
    pub(super) fn recursive_cte(
        &mut self,
        name: &str,
        q: &ast::Query,
        renames: &[String],
    ) -> SqlResult<QueryPlan> {
        let ast::SetExpr::SetOperation {
            op: ast::SetOperator::Union,
            set_quantifier,
            left,
            right,
        } = q.body.as_ref()
        else {
            return Err(SqlError::new(
                INVALID_RECURSION,
                format!(
                    "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
                ),
            ));
        };
        if q.order_by.is_some() || q.limit_clause.is_some() || q.fetch.is_some() || q.with.is_some()
        {
            return Err(SqlError::unsupported(
                "ORDER BY, LIMIT and WITH around a recursive query's UNION",
            ));
        }
        let all = match set_quantifier {
            ast::SetQuantifier::All => true,
            ast::SetQuantifier::None | ast::SetQuantifier::Distinct => false,
            other => return Err(SqlError::unsupported(format!("UNION {other}"))),
        };
        if reads_relation(left.as_ref(), name) {
            return Err(SqlError::new(
                INVALID_RECURSION,
                format!(
                    "recursive reference to query \"{name}\" must not appear within its non-recursive term"
                ),
            ));
        }
        let anchor = self.set_expr(left)?;
        let mut columns = anchor.columns.clone();
        check_renames(name, &columns, renames)?;
        for (c, alias) in columns.iter_mut().zip(renames) {
            c.name = alias.clone();
        }
        let id = self.binder.work_tables;
        self.binder.work_tables += 1;
        self.binder.ctes.push((
            name.to_owned(),
            QueryPlan {
                plan: Plan::WorkTable { id },
                columns: columns.clone(),
            },
        ));
        let recursive = self.set_expr(right);
        self.binder.ctes.pop();
        let recursive = recursive?;
        if recursive.columns.len() != columns.len() {
            return Err(SqlError::syntax(
                "each UNION query must have the same number of columns",
            ));
        }
        let mut exprs = Vec::new();
        for (i, (r, a)) in recursive.columns.iter().zip(&columns).enumerate() {
            let b = Bound {
                expr: Expr::Column(i),
                ty: Ty::Known(r.ty),
            };
            exprs.push(self.binder.coerce(b, a.ty).map_err(|_| {
                SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                        i + 1,
                        a.ty.sql_name(),
                        r.ty.sql_name()
                    ),
                )
            })?);
        }
        Ok(QueryPlan {
            plan: Plan::RecursiveUnion {
                id,
                all,
                anchor: Box::new(anchor.plan),
                recursive: Box::new(Plan::Project {
                    input: Box::new(recursive.plan),
                    exprs,
                }),
            },
            columns,
        })
    }

    pub(super) fn query_body(&mut self, q: &ast::Query) -> SqlResult<QueryPlan> {
        let order_by: &[ast::OrderByExpr] = match &q.order_by {
            None => &[],
            Some(ast::OrderBy {
                kind: ast::OrderByKind::Expressions(list),
                ..
            }) => list,
            Some(_) => return Err(SqlError::unsupported("ORDER BY ALL")),
        };
        if !q.locks.is_empty() {
            return Err(SqlError::unsupported("FOR UPDATE/SHARE"));
        }
        let (limit, offset) = self.limit_offset(q)?;
        let mut qp = match q.body.as_ref() {
            ast::SetExpr::Select(select) => self.select(select, order_by)?,
            body => {
                let mut qp = self.set_expr(body)?;
                if !order_by.is_empty() {
                    let scope = output_scope(&qp.columns);
                    let keys = order_by
                        .iter()
                        .map(|o| self.output_sort_key(o, &qp.columns, &scope))
                        .collect::<SqlResult<Vec<_>>>()?;
                    qp.plan = Plan::Sort {
                        input: Box::new(qp.plan),
                        keys,
                    };
                }
                qp
            }
        };
        if limit.is_some() || offset.is_some() {
            qp.plan = Plan::Limit {
                input: Box::new(qp.plan),
                limit,
                offset,
            };
        }
        Ok(qp)
    }

    pub(super) fn limit_offset(
        &mut self,
        q: &ast::Query,
    ) -> SqlResult<(Option<Expr>, Option<Expr>)> {
        let (limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(SqlError::unsupported("LIMIT BY"));
                }
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(ast::LimitClause::OffsetCommaLimit { .. }) => {
                return Err(SqlError::syntax("LIMIT #,# syntax is not supported"));
            }
        };
        // FETCH FIRST n ROWS ONLY is LIMIT n (n defaults to 1).
        let one = ast::Expr::value(ast::Value::Number("1".into(), false));
        let limit = match &q.fetch {
            None => limit,
            Some(f) if f.with_ties || f.percent => {
                return Err(SqlError::unsupported("FETCH … PERCENT and WITH TIES"));
            }
            Some(_) if limit.is_some() => {
                return Err(SqlError::syntax("multiple LIMIT clauses not allowed"));
            }
            Some(f) => Some(f.quantity.as_ref().unwrap_or(&one)),
        };
        let empty = Scope::default();
        let mut bind = |e: Option<&ast::Expr>| -> SqlResult<Option<Expr>> {
            match e {
                None => Ok(None),
                Some(ast::Expr::Value(v)) if matches!(v.value, ast::Value::Null) => Ok(None),
                Some(e) => {
                    let b = self.binder.expr(e, &empty)?;
                    Ok(Some(self.binder.coerce(b, DataType::BigInt)?))
                }
            }
        };
        Ok((bind(limit)?, bind(offset)?))
    }

    pub(super) fn set_expr(&mut self, body: &ast::SetExpr) -> SqlResult<QueryPlan> {
        match body {
            ast::SetExpr::Select(select) => self.select(select, &[]),
            ast::SetExpr::Query(q) => self.query(q),
            ast::SetExpr::Values(values) => self.values(values),
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let l = self.set_expr(left)?;
                let r = self.set_expr(right)?;
                let name = match op {
                    ast::SetOperator::Union => SetOp::Union,
                    ast::SetOperator::Intersect => SetOp::Intersect,
                    ast::SetOperator::Except | ast::SetOperator::Minus => SetOp::Except,
                };
                let all = match set_quantifier {
                    ast::SetQuantifier::All => true,
                    ast::SetQuantifier::None | ast::SetQuantifier::Distinct => false,
                    other => return Err(SqlError::unsupported(format!("{op} {other}"))),
                };
                if l.columns.len() != r.columns.len() {
                    return Err(SqlError::syntax(format!(
                        "each {op} query must have the same number of columns"
                    )));
                }
                // A leaf SELECT's untyped literal ('a', NULL) takes the
                // other side's type: SELECT 1 UNION SELECT NULL is integer.
                let (lu, ru) = (untyped_outputs(left), untyped_outputs(right));
                let ty_of = |c: &Column, untyped: &[bool], i: usize| {
                    if untyped.get(i).copied().unwrap_or(false) {
                        Ty::Unknown
                    } else {
                        Ty::Known(c.ty)
                    }
                };
                let mut types = Vec::new();
                for (i, (a, b)) in l.columns.iter().zip(&r.columns).enumerate() {
                    types.push(
                        self.binder
                            .common(&[ty_of(a, &lu, i), ty_of(b, &ru, i)], &op.to_string())?,
                    );
                }
                let left = coerce_columns(l.plan, &l.columns, &types);
                let right = coerce_columns(r.plan, &r.columns, &types);
                let columns = l
                    .columns
                    .iter()
                    .zip(&types)
                    .map(|(c, t)| Column {
                        name: c.name.clone(),
                        ty: *t,
                    })
                    .collect();
                Ok(QueryPlan {
                    plan: Plan::SetOperation {
                        op: name,
                        all,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    columns,
                })
            }
            other => Err(SqlError::unsupported(format!(
                "the query {}",
                first_words(&other.to_string())
            ))),
        }
    }

    /// VALUES rows as a query.
    pub(super) fn values(&mut self, values: &ast::Values) -> SqlResult<QueryPlan> {
        let empty = Scope::default();
        let width = values.rows.first().map(|r| r.content.len()).unwrap_or(0);
        let mut bound_rows = Vec::new();
        for row in values.rows.iter().map(|r| &r.content) {
            if row.len() != width {
                return Err(SqlError::syntax("VALUES lists must all be the same length"));
            }
            let mut bound = Vec::new();
            for e in row {
                if is_default(e) {
                    return Err(SqlError::syntax("DEFAULT is not allowed in this context"));
                }
                bound.push(self.binder.expr(e, &empty)?);
            }
            bound_rows.push(bound);
        }
        let types: Vec<DataType> = (0..width)
            .map(|i| {
                let tys: Vec<Ty> = bound_rows.iter().map(|r: &Vec<Bound>| r[i].ty).collect();
                self.binder.common(&tys, "VALUES")
            })
            .collect::<SqlResult<_>>()?;
        let mut rows = Vec::new();
        for r in bound_rows {
            let mut out = Vec::new();
            for (b, ty) in r.into_iter().zip(&types) {
                out.push(self.binder.coerce(b, *ty)?);
            }
            rows.push(out);
        }
        let columns = types
            .iter()
            .enumerate()
            .map(|(i, t)| Column {
                name: format!("column{}", i + 1),
                ty: *t,
            })
            .collect();
        Ok(QueryPlan {
            plan: Plan::Values { rows },
            columns,
        })
    }
}
