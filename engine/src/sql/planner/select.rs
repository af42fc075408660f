//! One SELECT: its projection, grouping and aggregates, windows, HAVING,
//! DISTINCT [ON] and ORDER BY.

use std::ops::ControlFlow;

use sqlparser::ast::{self, Visit, Visitor};

use super::from::scope_of;
use super::naming::column_name;
use super::{Planner, QueryPlan, object_name};
use crate::sql::binder::{AggMode, Grouping, Scope, ScopeColumn, ident_name};
use crate::sql::error::{SqlError, SqlResult, code};
use crate::sql::expr::Expr;
use crate::sql::functions::aggregate::AggFunc;
use crate::sql::plan::{Plan, SortKey};
use crate::sql::result::Column;
use crate::sql::window::{self, WindowCollector};

/// Whether an expression list calls an aggregate function (outside any subquery).
pub(super) fn has_aggregate<'e>(exprs: impl IntoIterator<Item = &'e ast::Expr>) -> bool {
    /// Whether found, and how many subqueries deep the visit is.
    struct Finder(bool, usize);
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.1 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.1 -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &ast::Expr) -> ControlFlow<()> {
            if let ast::Expr::Function(f) = e
                && self.1 == 0
                && f.over.is_none()
                && f.name.0.len() == 1
                && f.name.0[0]
                    .as_ident()
                    .is_some_and(|i| AggFunc::from_name(&ident_name(i)).is_some())
            {
                self.0 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Finder(false, 0);
    for e in exprs {
        let _ = e.visit(&mut f);
    }
    f.0
}

/// What ORDER BY and DISTINCT ON expressions resolve against.
pub(super) struct SortColumns<'a> {
    columns: &'a [Column],
    /// The select list, bound.
    exprs: &'a [Expr],
    /// Expressions computed only to sort by.
    hidden: &'a mut Vec<Expr>,
    /// SELECT DISTINCT: no hidden columns.
    distinct: bool,
}

/// DISTINCT ON keeps the first row of each group of equal `on` columns in
/// ORDER BY order, so ORDER BY must start with them (in any order); those
/// ORDER BY omits are sorted by after it (PostgreSQL's rule).
pub(super) fn distinct_on_order(on: &[usize], keys: &mut Vec<SortKey>) -> SqlResult<()> {
    let mut remaining: Vec<usize> = on.to_vec();
    for k in keys.iter() {
        if remaining.is_empty() {
            break;
        }
        match k.expr {
            Expr::Column(p) if on.contains(&p) => remaining.retain(|r| *r != p),
            _ => {
                return Err(SqlError::new(
                    code::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                ));
            }
        }
    }
    remaining.dedup();
    keys.splice(
        keys.len()..,
        remaining.into_iter().map(|p| SortKey {
            expr: Expr::Column(p),
            descending: false,
            nulls_first: false,
        }),
    );
    Ok(())
}

pub(super) fn sort_options(o: &ast::OrderByExpr) -> (bool, bool) {
    let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
    // PostgreSQL: NULLs sort as larger than everything by default.
    let nulls_first = o.options.nulls_first.unwrap_or(descending);
    (descending, nulls_first)
}

pub(super) fn qualified(c: &ScopeColumn) -> ast::Expr {
    let col = ast::Ident::with_quote('"', c.name.clone());
    match &c.qualifier {
        Some(q) if !q.is_empty() => {
            ast::Expr::CompoundIdentifier(vec![ast::Ident::with_quote('"', q.clone()), col])
        }
        _ => ast::Expr::Identifier(col),
    }
}

pub(super) fn output_scope(columns: &[Column]) -> Scope {
    scope_of(columns, "", &[])
}

/// GROUP BY a table's whole primary key lets the query use the table's
/// other columns, which the key determines (PostgreSQL's functional
/// dependency rule): they join the grouping keys, which groups no
/// differently. Called before any aggregate is bound.
pub(super) fn add_dependent_columns(scope: &Scope, grouping: &mut Grouping) {
    assert!(grouping.aggs.is_empty(), "aggregates index past the keys");
    let mut qualifiers: Vec<&str> = scope
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .filter_map(|c| c.qualifier.as_deref())
        .collect();
    qualifiers.dedup();
    for q in qualifiers {
        let in_table = |c: &ScopeColumn| c.qualifier.as_deref() == Some(q);
        let key_covered = scope
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| in_table(c) && c.primary_key)
            .all(|(i, _)| grouping.keys.contains(&Expr::Column(i)));
        if !key_covered {
            continue;
        }
        for (i, c) in scope
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| in_table(c))
        {
            if !grouping.keys.contains(&Expr::Column(i)) {
                grouping.keys.push(Expr::Column(i));
                grouping.key_types.push(c.ty);
            }
        }
    }
}

impl Planner<'_, '_, '_> {
    pub(super) fn select(
        &mut self,
        s: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> SqlResult<QueryPlan> {
        if s.into.is_some()
            || !s.lateral_views.is_empty()
            || s.qualify.is_some()
            || !s.named_window.is_empty()
        {
            return Err(SqlError::unsupported(
                "SELECT INTO, LATERAL VIEW, QUALIFY and WINDOW",
            ));
        }
        if let Some(qp) = crate::sql::system::bind::empty_select(self.binder, s) {
            return Ok(qp);
        }
        let (mut plan, scope) = self.from(&s.from)?;
        if let Some(w) = &s.selection {
            let predicate =
                self.binder
                    .condition(w, &scope, &mut AggMode::Forbidden("WHERE"), "WHERE")?;
            plan = crate::sql::index_plan::push_down(
                Plan::Filter {
                    input: Box::new(plan),
                    predicate,
                },
                self.catalog,
            );
        }
        let group_exprs: &[ast::Expr] = match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs,
            _ => {
                return Err(SqlError::unsupported(
                    "GROUP BY ALL, ROLLUP, CUBE and GROUPING SETS",
                ));
            }
        };
        // Expand the select list (wildcards) into expressions and names.
        let mut items: Vec<(ast::Expr, String)> = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => items.push((e.clone(), column_name(e))),
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    items.push((expr.clone(), ident_name(alias)))
                }
                ast::SelectItem::Wildcard(_) => {
                    if scope.columns.is_empty() {
                        return Err(SqlError::syntax(
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    items.extend(
                        scope
                            .columns
                            .iter()
                            .filter(|c| !c.merged_away)
                            .map(|c| (qualified(c), c.name.clone())),
                    );
                }
                ast::SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    let q = object_name(name)?;
                    let cols: Vec<_> = scope
                        .columns
                        .iter()
                        .filter(|c| c.qualifier.as_deref() == Some(&q))
                        .collect();
                    if cols.is_empty() {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{q}\""),
                        ));
                    }
                    items.extend(cols.into_iter().map(|c| (qualified(c), c.name.clone())));
                }
                other => return Err(SqlError::unsupported(format!("the select item {other}"))),
            }
        }
        let order_asts: Vec<&ast::Expr> = order_by.iter().map(|o| &o.expr).collect();
        let grouped = !group_exprs.is_empty()
            || has_aggregate(items.iter().map(|(e, _)| e))
            || has_aggregate(s.having.iter())
            || has_aggregate(order_asts.iter().copied());
        let mut grouping = Grouping::default();
        let mut exprs = Vec::new();
        let mut types = Vec::new();
        // Window calls may be in the select list and ORDER BY (not in
        // GROUP BY, WHERE or HAVING); an error leaves the binder to be dropped.
        let saved_windows = self.binder.windows.take();
        if grouped {
            for g in group_exprs {
                let g = self.resolve_output_reference(g, &items, &scope)?;
                let b = self
                    .binder
                    .bind(&g, &scope, &mut AggMode::Forbidden("GROUP BY"))?;
                let ty = b.ty.resolved();
                let expr = self.binder.coerce(b, ty)?;
                if !grouping.keys.contains(&expr) {
                    grouping.keys.push(expr);
                    grouping.key_types.push(ty);
                }
            }
            add_dependent_columns(&scope, &mut grouping);
        }
        self.binder.windows = Some(WindowCollector::default());
        if grouped {
            for (e, _) in &items {
                let b = self
                    .binder
                    .bind(e, &scope, &mut AggMode::Grouped(&mut grouping))?;
                let ty = b.ty.resolved();
                exprs.push(self.binder.coerce(b, ty)?);
                types.push(ty);
            }
        } else {
            for (e, _) in &items {
                let b = self.binder.expr(e, &scope)?;
                let ty = b.ty.resolved();
                exprs.push(self.binder.coerce(b, ty)?);
                types.push(ty);
            }
        }
        let windows = self.binder.windows.take();
        let having = match &s.having {
            Some(h) if grouped => Some(self.binder.condition(
                h,
                &scope,
                &mut AggMode::Grouped(&mut grouping),
                "HAVING",
            )?),
            Some(_) => unreachable!("HAVING makes the query grouped"),
            None => None,
        };
        self.binder.windows = windows;
        // ORDER BY: output columns by name or position, or expressions over
        // the input, computed as hidden extra columns.
        let mut keys = Vec::new();
        let mut hidden = Vec::new();
        let columns: Vec<Column> = items
            .iter()
            .zip(&types)
            .map(|((_, name), ty)| Column {
                name: name.clone(),
                ty: *ty,
            })
            .collect();
        let (distinct, distinct_on) = match &s.distinct {
            None | Some(ast::Distinct::All) => (false, None),
            Some(ast::Distinct::Distinct) => (true, None),
            Some(ast::Distinct::On(on)) => (false, Some(on)),
        };
        let mut sorted = SortColumns {
            columns: &columns,
            exprs: &exprs,
            hidden: &mut hidden,
            distinct,
        };
        let mut on_positions = Vec::new();
        for e in distinct_on.into_iter().flatten() {
            let g = grouped.then_some(&mut grouping);
            on_positions.push(self.sort_position(e, &scope, g, &mut sorted)?);
        }
        for o in order_by {
            let (descending, nulls_first) = sort_options(o);
            let g = grouped.then_some(&mut grouping);
            let pos = self.sort_position(&o.expr, &scope, g, &mut sorted)?;
            keys.push(SortKey {
                expr: Expr::Column(pos),
                descending,
                nulls_first,
            });
        }
        if distinct_on.is_some() {
            distinct_on_order(&on_positions, &mut keys)?;
        }
        let calls = std::mem::replace(&mut self.binder.windows, saved_windows)
            .map(|w| w.calls)
            .unwrap_or_default();
        let window_input = if grouped {
            grouping.keys.len() + grouping.aggs.len()
        } else {
            scope.columns.len()
        };
        if grouped {
            plan = Plan::Aggregate {
                input: Box::new(plan),
                keys: grouping.keys.clone(),
                aggs: grouping.aggs.clone(),
                arg_types: grouping.agg_arg_types.clone(),
            };
            if let Some(h) = having {
                plan = Plan::Filter {
                    input: Box::new(plan),
                    predicate: h,
                };
            }
        }
        let visible = exprs.len();
        let mut all = exprs;
        all.extend(hidden);
        if !calls.is_empty() {
            plan = Plan::Window {
                input: Box::new(plan),
                calls,
            };
            all = all
                .iter()
                .map(|e| window::renumber(e, window_input))
                .collect();
        }
        let width = all.len();
        plan = Plan::Project {
            input: Box::new(plan),
            exprs: all,
        };
        if distinct {
            plan = Plan::Distinct {
                input: Box::new(plan),
            };
        }
        if !keys.is_empty() {
            plan = Plan::Sort {
                input: Box::new(plan),
                keys,
            };
        }
        if distinct_on.is_some() {
            plan = Plan::DistinctOn {
                input: Box::new(plan),
                keys: on_positions.into_iter().map(Expr::Column).collect(),
            };
        }
        if width > visible {
            plan = Plan::Project {
                input: Box::new(plan),
                exprs: (0..visible).map(Expr::Column).collect(),
            };
        }
        Ok(QueryPlan { plan, columns })
    }

    /// The column an ORDER BY or DISTINCT ON expression sorts by: an output
    /// column (by position, name or equal expression), or a hidden one
    /// computed for it. `grouping` is the grouped query's.
    pub(super) fn sort_position(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        grouping: Option<&mut Grouping>,
        sorted: &mut SortColumns,
    ) -> SqlResult<usize> {
        if let Some(p) = self.output_position(e, sorted.columns, scope)? {
            return Ok(p);
        }
        let b = match grouping {
            Some(g) => self.binder.bind(e, scope, &mut AggMode::Grouped(g))?,
            None => self.binder.expr(e, scope)?,
        };
        let ty = b.ty.resolved();
        let e = self.binder.coerce(b, ty)?;
        let visible = sorted.exprs.len();
        if let Some(p) = sorted
            .exprs
            .iter()
            .chain(sorted.hidden.iter())
            .position(|x| *x == e)
            && (p < visible || !sorted.distinct)
        {
            return Ok(p);
        }
        if sorted.distinct {
            return Err(SqlError::new(
                code::INVALID_COLUMN_REFERENCE,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
            ));
        }
        sorted.hidden.push(e);
        Ok(visible + sorted.hidden.len() - 1)
    }

    /// GROUP BY may name an output column by position or alias.
    pub(super) fn resolve_output_reference(
        &self,
        g: &ast::Expr,
        items: &[(ast::Expr, String)],
        scope: &Scope,
    ) -> SqlResult<ast::Expr> {
        if let ast::Expr::Value(v) = g
            && let ast::Value::Number(n, _) = &v.value
        {
            let pos: usize = n.parse().unwrap_or(0);
            return items
                .get(pos.wrapping_sub(1))
                .map(|(e, _)| e.clone())
                .ok_or_else(|| {
                    SqlError::new(
                        code::INVALID_COLUMN_REFERENCE,
                        format!("GROUP BY position {n} is not in select list"),
                    )
                });
        }
        if let ast::Expr::Identifier(i) = g {
            let name = ident_name(i);
            if scope.resolve(None, &name).is_err()
                && let Some((e, _)) = items.iter().find(|(_, n)| *n == name)
            {
                return Ok(e.clone());
            }
        }
        Ok(g.clone())
    }

    /// ORDER BY n or ORDER BY output_name: the output column meant.
    pub(super) fn output_position(
        &self,
        e: &ast::Expr,
        columns: &[Column],
        scope: &Scope,
    ) -> SqlResult<Option<usize>> {
        match e {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Number(n, _) => {
                    let pos: usize = n.parse().unwrap_or(0);
                    if pos == 0 || pos > columns.len() {
                        return Err(SqlError::new(
                            code::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {n} is not in select list"),
                        ));
                    }
                    Ok(Some(pos - 1))
                }
                _ => Ok(None),
            },
            ast::Expr::Identifier(i) => {
                let name = ident_name(i);
                let matches: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.name == name)
                    .map(|(i, _)| i)
                    .collect();
                match matches.as_slice() {
                    [one] => Ok(Some(*one)),
                    [] => Ok(None),
                    _ if scope.resolve(None, &name).is_ok() => Ok(None),
                    _ => Err(SqlError::new(
                        code::AMBIGUOUS_COLUMN,
                        format!("ORDER BY \"{name}\" is ambiguous"),
                    )),
                }
            }
            _ => Ok(None),
        }
    }

    /// An ORDER BY key of a set operation or VALUES: output columns only.
    pub(super) fn output_sort_key(
        &mut self,
        o: &ast::OrderByExpr,
        columns: &[Column],
        scope: &Scope,
    ) -> SqlResult<SortKey> {
        let (descending, nulls_first) = sort_options(o);
        let expr = match self.output_position(&o.expr, columns, scope)? {
            Some(p) => Expr::Column(p),
            None => {
                let b = self.binder.expr(&o.expr, scope)?;
                let ty = b.ty.resolved();
                self.binder.coerce(b, ty)?
            }
        };
        Ok(SortKey {
            expr,
            descending,
            nulls_first,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::error::code;

    fn key(p: usize) -> SortKey {
        SortKey {
            expr: Expr::Column(p),
            descending: true,
            nulls_first: true,
        }
    }

    #[test]
    fn distinct_on_must_lead_the_order_by() {
        // DISTINCT ON (b, a) ORDER BY a, b, c: fine as it is.
        let mut keys = vec![key(0), key(1), key(2)];
        distinct_on_order(&[1, 0], &mut keys).unwrap();
        assert_eq!(keys.len(), 3);
        // DISTINCT ON (a, b) ORDER BY a: b is sorted by after it.
        let mut keys = vec![key(0)];
        distinct_on_order(&[0, 1], &mut keys).unwrap();
        assert_eq!(
            keys.iter().map(|k| k.expr.clone()).collect::<Vec<_>>(),
            vec![Expr::Column(0), Expr::Column(1)]
        );
        // DISTINCT ON (a) ORDER BY c, a: refused.
        let mut keys = vec![key(2), key(0)];
        let e = distinct_on_order(&[0], &mut keys).unwrap_err();
        assert_eq!(e.code, code::INVALID_COLUMN_REFERENCE);
    }
}
