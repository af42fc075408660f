//! The binder: SQL expressions (sqlparser's AST) to bound [`Expr`]s, with
//! names resolved against a [`Scope`] and PostgreSQL's type rules applied:
//! untyped literals take the type their context needs, operands are
//! coerced to a common type, parameters get the type of what they meet.

use sqlparser::ast::{self, BinaryOperator as B, UnaryOperator as U};

use crate::types::{DataType, Numeric, SessionTimeZone, Value, parse_value_at};

use super::datetime_ops::{self, Resolution};
use super::error::{SqlError, SqlResult, code};
use super::expr::{ArithOp, CmpOp, Expr};
use super::functions::aggregate::{AggCall, AggFunc};
use super::functions::{DateField, Scalar};

/// The static type of a bound expression: a column type, or "unknown" for
/// a string literal or NULL whose type the context has yet to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Known(DataType),
    Unknown,
}

impl Ty {
    /// The type, with unknown resolved as text (PostgreSQL's fallback).
    pub fn resolved(self) -> DataType {
        match self {
            Ty::Known(t) => t,
            Ty::Unknown => DataType::Text,
        }
    }
}

/// A bound expression and its type.
#[derive(Debug, Clone)]
pub struct Bound {
    pub expr: Expr,
    pub ty: Ty,
}

/// A column visible to expressions: a table's, a join's or a subquery's.
#[derive(Debug, Clone)]
pub struct ScopeColumn {
    /// The table name or alias that qualifies it.
    pub qualifier: Option<String>,
    pub name: String,
    pub ty: DataType,
    /// Part of its table's primary key (a table's other columns depend on
    /// it functionally, so GROUP BY the key may select them).
    pub primary_key: bool,
    /// A column of JOIN … USING that the merged column stands for: only
    /// qualified names reach it, `*` leaves it out.
    pub merged_away: bool,
}

/// The columns of the row an expression is evaluated on, in order.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// The position of the column `name`, qualified by `qualifier` if given.
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> SqlResult<usize> {
        let mut found = None;
        for (i, c) in self.columns.iter().enumerate() {
            let qualifier_ok = match qualifier {
                None => !c.merged_away,
                Some(q) => c.qualifier.as_deref() == Some(q),
            };
            if qualifier_ok && c.name == name {
                if found.is_some() {
                    return Err(SqlError::new(
                        code::AMBIGUOUS_COLUMN,
                        format!("column reference \"{name}\" is ambiguous"),
                    ));
                }
                found = Some(i);
            }
        }
        found.ok_or_else(|| match qualifier {
            Some(q)
                if !self
                    .columns
                    .iter()
                    .any(|c| c.qualifier.as_deref() == Some(q)) =>
            {
                SqlError::new(
                    code::UNDEFINED_TABLE,
                    format!("missing FROM-clause entry for table \"{q}\""),
                )
            }
            Some(q) => SqlError::undefined_column(&format!("{q}.{name}")),
            None => SqlError::undefined_column(name),
        })
    }
}

/// The GROUP BY keys and aggregate calls of a grouped query. Expressions
/// bound against it read the aggregate's output row: keys, then aggregates.
#[derive(Debug, Default)]
pub struct Grouping {
    pub keys: Vec<Expr>,
    pub key_types: Vec<DataType>,
    pub aggs: Vec<AggCall>,
    pub agg_types: Vec<DataType>,
    /// Argument type of each aggregate (decides its accumulator).
    pub agg_arg_types: Vec<Option<DataType>>,
}

/// Name folding: unquoted identifiers are lower case in PostgreSQL.
pub fn ident_name(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// Binds expressions of one statement.
pub struct Binder<'a> {
    /// Types of `$1`, `$2`, …: declared by the client or inferred here.
    pub params: Vec<Option<DataType>>,
    pub time_zone: &'a SessionTimeZone,
    /// The transaction's start time, for now() and literals like 'now'.
    pub now: i64,
    /// The statement's start time, for statement_timestamp().
    pub statement_now: i64,
    /// pg_catalog and information_schema, for the system hooks.
    pub system: Option<std::sync::Arc<super::system::SystemCatalog>>,
    /// WITH queries visible to the statement, innermost last.
    pub ctes: Vec<(String, super::planner::QueryPlan)>,
    /// The scopes of the queries around the subquery being bound,
    /// innermost last: names not found in a scope resolve outwards.
    pub outer: Vec<OuterScope>,
    /// Where window functions may be (a SELECT list, its ORDER BY): the
    /// calls bound so far.
    pub windows: Option<super::window::WindowCollector>,
    /// Work tables of WITH RECURSIVE numbered so far.
    pub work_tables: usize,
    /// The session's user (current_user); None: the bootstrap superuser.
    pub current_user: Option<String>,
    /// Every user table the statement reads (FROM items, subqueries), in
    /// the order the planner met them: each needs SELECT privilege.
    pub tables_read: Vec<crate::catalog::TableId>,
}

/// The scope of a query around a subquery.
#[derive(Debug, Clone)]
pub struct OuterScope {
    pub scope: Scope,
    /// Bound where aggregates are (its rows are groups): crmdb does not
    /// let a subquery read it.
    pub grouped: bool,
}

/// Where aggregates may appear.
pub enum AggMode<'g> {
    /// Not here (WHERE, GROUP BY, JOIN … ON, aggregate arguments).
    Forbidden(&'static str),
    /// Here, in a grouped query.
    Grouped(&'g mut Grouping),
}

impl<'a> Binder<'a> {
    pub fn new(declared: &[Option<DataType>], time_zone: &'a SessionTimeZone, now: i64) -> Self {
        Binder {
            params: declared.to_vec(),
            time_zone,
            now,
            statement_now: now,
            system: None,
            ctes: Vec::new(),
            outer: Vec::new(),
            windows: None,
            work_tables: 0,
            current_user: None,
            tables_read: Vec::new(),
        }
    }

    /// Binds `e` in `scope` where no aggregate may appear.
    pub fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> SqlResult<Bound> {
        self.bind(e, scope, &mut AggMode::Forbidden("WHERE"))
    }

    /// Binds a condition (WHERE, ON, HAVING): it must be boolean.
    pub fn condition(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        mode: &mut AggMode,
        clause: &str,
    ) -> SqlResult<Expr> {
        let b = self.bind(e, scope, mode)?;
        self.coerce(b, DataType::Boolean).map_err(|e| {
            if e.code == code::DATATYPE_MISMATCH {
                SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!("argument of {clause} must be type boolean"),
                )
            } else {
                e // WHERE 'abc': the literal is not a boolean (22P02)
            }
        })
    }

    /// Binds `e`; see [`AggMode`].
    pub fn bind(&mut self, e: &ast::Expr, scope: &Scope, mode: &mut AggMode) -> SqlResult<Bound> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.bind_inner(e, scope, mode))
    }

    fn bind_inner(&mut self, e: &ast::Expr, scope: &Scope, mode: &mut AggMode) -> SqlResult<Bound> {
        if let AggMode::Grouped(grouping) = mode {
            // An expression equal to a GROUP BY key reads the key.
            if !matches!(e, ast::Expr::Value(_)) {
                let mut probe = Binder {
                    params: self.params.clone(),
                    time_zone: self.time_zone,
                    now: self.now,
                    statement_now: self.statement_now,
                    system: self.system.clone(),
                    ctes: self.ctes.clone(),
                    outer: self.outer.clone(),
                    windows: None,
                    work_tables: self.work_tables,
                    current_user: self.current_user.clone(),
                    tables_read: Vec::new(),
                };
                if let Ok(b) = probe.bind(e, scope, &mut AggMode::Forbidden("GROUP BY"))
                    && let Some(i) = grouping.keys.iter().position(|k| *k == b.expr)
                {
                    self.params = probe.params;
                    return Ok(Bound {
                        expr: Expr::Column(i),
                        ty: Ty::Known(grouping.key_types[i]),
                    });
                }
            }
        }
        use ast::Expr as A;
        match e {
            A::Identifier(ident) => self.column(None, &ident_name(ident), scope, mode),
            A::CompoundIdentifier(parts) => match parts.as_slice() {
                [t, c] => self.column(Some(&ident_name(t)), &ident_name(c), scope, mode),
                _ => Err(SqlError::unsupported(format!("the name {e}"))),
            },
            A::Value(v) => self.literal(&v.value),
            A::Nested(inner) => self.bind(inner, scope, mode),
            A::UnaryOp { op, expr } => {
                let b = self.bind(expr, scope, mode)?;
                match op {
                    U::Not => Ok(Bound {
                        expr: Expr::Not(self.coerce(b, DataType::Boolean)?.boxed()),
                        ty: bool_ty(),
                    }),
                    U::Minus => {
                        // Fold negative literals so that -2147483648 is an
                        // integer; like PostgreSQL, through parentheses and
                        // repeated minus signs: -(-2147483648) is a bigint.
                        if let Some(n) = negated_literal(expr) {
                            return self.number(&n);
                        }
                        let b = match b.ty {
                            Ty::Known(DataType::Interval) => b,
                            _ => self.numeric_operand(b, "-")?,
                        };
                        Ok(Bound {
                            expr: Expr::Neg(b.expr.boxed()),
                            ty: b.ty,
                        })
                    }
                    U::Plus => self.numeric_operand(b, "+"),
                    other => Err(SqlError::unsupported(format!("operator {other}"))),
                }
            }
            A::BinaryOp { left, op, right } => self.binary(left, op, right, scope, mode),
            A::IsNull(x) => Ok(Bound {
                expr: Expr::IsNull(self.bind_untyped(x, scope, mode)?.boxed()),
                ty: bool_ty(),
            }),
            A::IsNotNull(x) => Ok(Bound {
                expr: Expr::Not(Expr::IsNull(self.bind_untyped(x, scope, mode)?.boxed()).boxed()),
                ty: bool_ty(),
            }),
            A::IsTrue(x) | A::IsFalse(x) | A::IsNotTrue(x) | A::IsNotFalse(x) => {
                let b = self.bind(x, scope, mode)?;
                let inner = self.coerce(b, DataType::Boolean)?;
                let want = matches!(e, A::IsTrue(_) | A::IsNotTrue(_));
                let test = Expr::IsBool(inner.boxed(), want);
                let expr = if matches!(e, A::IsNotTrue(_) | A::IsNotFalse(_)) {
                    Expr::Not(test.boxed())
                } else {
                    test
                };
                Ok(Bound {
                    expr,
                    ty: bool_ty(),
                })
            }
            A::IsDistinctFrom(a, b) | A::IsNotDistinctFrom(a, b) => {
                let (x, y) = self.bind_pair(a, b, scope, mode, "=")?;
                let same = Expr::NotDistinct(x.boxed(), y.boxed());
                let expr = if matches!(e, A::IsDistinctFrom(..)) {
                    Expr::Not(same.boxed())
                } else {
                    same
                };
                Ok(Bound {
                    expr,
                    ty: bool_ty(),
                })
            }
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.bind(expr, scope, mode)?;
                let lo = self.bind(low, scope, mode)?;
                let hi = self.bind(high, scope, mode)?;
                let ty = self.common(&[x.ty, lo.ty, hi.ty], "BETWEEN")?;
                let (x, lo, hi) = (
                    self.coerce(x, ty)?,
                    self.coerce(lo, ty)?,
                    self.coerce(hi, ty)?,
                );
                let expr = if *negated {
                    Expr::Or(
                        Expr::Compare(CmpOp::Lt, x.clone().boxed(), lo.boxed()).boxed(),
                        Expr::Compare(CmpOp::Gt, x.boxed(), hi.boxed()).boxed(),
                    )
                } else {
                    Expr::And(
                        Expr::Compare(CmpOp::GtEq, x.clone().boxed(), lo.boxed()).boxed(),
                        Expr::Compare(CmpOp::LtEq, x.boxed(), hi.boxed()).boxed(),
                    )
                };
                Ok(Bound {
                    expr,
                    ty: bool_ty(),
                })
            }
            A::InList {
                expr,
                list,
                negated,
            } => {
                let x = self.bind(expr, scope, mode)?;
                let items = list
                    .iter()
                    .map(|i| self.bind(i, scope, mode))
                    .collect::<SqlResult<Vec<_>>>()?;
                let mut tys = vec![x.ty];
                tys.extend(items.iter().map(|i| i.ty));
                let ty = self.common(&tys, "IN")?;
                let x = self.coerce(x, ty)?;
                let list = items
                    .into_iter()
                    .map(|i| self.coerce(i, ty))
                    .collect::<SqlResult<Vec<_>>>()?;
                let test = Expr::InList {
                    expr: x.boxed(),
                    list,
                };
                Ok(predicate(test, *negated))
            }
            A::Like {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            }
            | A::ILike {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            } => {
                let x = self.bind(expr, scope, mode)?;
                let p = self.bind(pattern, scope, mode)?;
                let (xt, pt) = (x.ty, p.ty);
                let x = like_operand(self, x, pt, true)?;
                let p = like_operand(self, p, xt, false)?;
                let test = Expr::Like {
                    expr: x.boxed(),
                    pattern: p.boxed(),
                    case_insensitive: matches!(e, A::ILike { .. }),
                };
                Ok(predicate(test, *negated))
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
                mode,
            ),
            A::Cast {
                expr, data_type, ..
            } => {
                if let Some(t) = super::system::bind::sys_type(data_type) {
                    let b = self.bind(expr, scope, mode)?;
                    return super::system::bind::cast(self, b, t);
                }
                let ty = cast_type(data_type)?;
                let b = self.bind(expr, scope, mode)?;
                self.cast(b, ty)
            }
            A::TypedString(ts) => {
                let ty = cast_type(&ts.data_type)?;
                let b = self.literal(&ts.value.value)?;
                self.cast(b, ty)
            }
            A::Function(f) => self.function(f, scope, mode),
            A::Extract { field, expr, .. } => {
                let field = field.to_string().to_lowercase();
                let source = self.bind(expr, scope, mode)?;
                let field = Bound {
                    expr: Expr::Literal(Value::Text(field)),
                    ty: Ty::Known(DataType::Text),
                };
                self.call_named("extract", vec![field, source])
            }
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.bind(expr, scope, mode)?];
                args.push(match substring_from {
                    Some(f) => self.bind(f, scope, mode)?,
                    None => Bound {
                        expr: Expr::Literal(Value::Integer(1)),
                        ty: Ty::Known(DataType::Integer),
                    },
                });
                if let Some(n) = substring_for {
                    args.push(self.bind(n, scope, mode)?);
                }
                self.call_named("substring", args)
            }
            A::Position { expr, r#in } => {
                let args = vec![self.bind(r#in, scope, mode)?, self.bind(expr, scope, mode)?];
                self.call_named("strpos", args)
            }
            A::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters: None,
            } => {
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut args = vec![self.bind(expr, scope, mode)?];
                if let Some(w) = trim_what {
                    args.push(self.bind(w, scope, mode)?);
                }
                self.call_named(name, args)
            }
            A::Ceil {
                expr,
                field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime),
            }
            | A::Floor {
                expr,
                field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime),
            } => {
                let name = if matches!(e, A::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let arg = self.bind(expr, scope, mode)?;
                self.call_named(name, vec![arg])
            }
            A::Subquery(_)
            | A::Exists { .. }
            | A::InSubquery { .. }
            | A::AnyOp { .. }
            | A::AllOp { .. } => super::subquery::bind(self, e, scope, mode),
            A::Collate { expr, .. } => self.bind(expr, scope, mode),
            A::Interval(iv) => self.interval_literal(iv, scope, mode),
            A::CompoundFieldAccess { root, access_chain } => {
                super::system::bind::subscript(self, root, access_chain, scope, mode)
            }
            other => Err(SqlError::unsupported(format!("the expression {other}"))),
        }
    }

    /// `INTERVAL '…'`. Field qualifiers (`INTERVAL '1' DAY`) are refused.
    fn interval_literal(
        &mut self,
        iv: &ast::Interval,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        if iv.leading_field.is_some()
            || iv.last_field.is_some()
            || iv.leading_precision.is_some()
            || iv.fractional_seconds_precision.is_some()
        {
            return Err(SqlError::unsupported("interval field qualifiers"));
        }
        let b = self.bind(&iv.value, scope, mode)?;
        self.cast(b, DataType::Interval)
    }

    fn column(
        &mut self,
        qualifier: Option<&str>,
        name: &str,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        let i = match scope.resolve(qualifier, name) {
            Ok(i) => i,
            Err(e) if e.code != code::AMBIGUOUS_COLUMN && !self.outer.is_empty() => {
                return self.outer_column(qualifier, name, e);
            }
            Err(e) => return Err(e),
        };
        if let AggMode::Grouped(_) = mode {
            let shown = qualifier
                .map(|q| format!("{q}.{name}"))
                .unwrap_or_else(|| name.to_owned());
            return Err(SqlError::new(
                code::GROUPING_ERROR,
                format!(
                    "column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function"
                ),
            ));
        }
        Ok(Bound {
            expr: Expr::Column(i),
            ty: Ty::Known(scope.columns[i].ty),
        })
    }

    /// A name the current scope lacks, looked up in the enclosing queries'
    /// scopes from the innermost out; `missing` is the error if none has it.
    fn outer_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
        missing: SqlError,
    ) -> SqlResult<Bound> {
        for (d, outer) in self.outer.iter().rev().enumerate() {
            match outer.scope.resolve(qualifier, name) {
                Ok(_) if outer.grouped => {
                    return Err(SqlError::unsupported(
                        "a subquery reading a column of a grouped query",
                    ));
                }
                Ok(i) => {
                    return Ok(Bound {
                        expr: Expr::Outer {
                            depth: d + 1,
                            index: i,
                        },
                        ty: Ty::Known(outer.scope.columns[i].ty),
                    });
                }
                Err(e) if e.code == code::AMBIGUOUS_COLUMN => return Err(e),
                Err(_) => {}
            }
        }
        Err(missing)
    }

    /// Binds an operand whose type does not matter (IS NULL).
    fn bind_untyped(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Expr> {
        let b = self.bind(e, scope, mode)?;
        match b.ty {
            Ty::Unknown => self.coerce(b, DataType::Text),
            Ty::Known(_) => Ok(b.expr),
        }
    }

    fn literal(&mut self, v: &ast::Value) -> SqlResult<Bound> {
        use ast::Value as V;
        Ok(match v {
            V::Number(n, _) => return self.number(n),
            V::SingleQuotedString(s)
            | V::EscapedStringLiteral(s)
            | V::DollarQuotedString(ast::DollarQuotedString { value: s, .. }) => Bound {
                expr: Expr::Literal(Value::Text(s.clone())),
                ty: Ty::Unknown,
            },
            V::Boolean(b) => Bound {
                expr: Expr::Literal(Value::Boolean(*b)),
                ty: bool_ty(),
            },
            V::Null => Bound {
                expr: Expr::Literal(Value::Null),
                ty: Ty::Unknown,
            },
            V::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .filter(|n| (1..=65_535).contains(n))
                    .ok_or_else(|| SqlError::syntax(format!("invalid parameter {p}")))?;
                if self.params.len() < n {
                    self.params.resize(n, None);
                }
                let ty = self.params[n - 1].map(Ty::Known).unwrap_or(Ty::Unknown);
                Bound {
                    expr: Expr::Param(n - 1),
                    ty,
                }
            }
            other => return Err(SqlError::unsupported(format!("the literal {other}"))),
        })
    }

    /// A numeric literal: integer if it fits, else bigint, else numeric.
    fn number(&mut self, n: &str) -> SqlResult<Bound> {
        if !n.contains(['.', 'e', 'E']) {
            if let Ok(i) = n.parse::<i32>() {
                return Ok(Bound {
                    expr: Expr::Literal(Value::Integer(i)),
                    ty: Ty::Known(DataType::Integer),
                });
            }
            if let Ok(i) = n.parse::<i64>() {
                return Ok(Bound {
                    expr: Expr::Literal(Value::BigInt(i)),
                    ty: Ty::Known(DataType::BigInt),
                });
            }
        }
        let v = Numeric::parse_text(n, None).map_err(SqlError::from)?;
        Ok(Bound {
            expr: Expr::Literal(Value::Numeric(v)),
            ty: Ty::Known(DataType::Numeric(None)),
        })
    }

    fn bind_pair(
        &mut self,
        a: &ast::Expr,
        b: &ast::Expr,
        scope: &Scope,
        mode: &mut AggMode,
        op: &str,
    ) -> SqlResult<(Expr, Expr)> {
        let x = self.bind(a, scope, mode)?;
        let y = self.bind(b, scope, mode)?;
        // Two known types with no common type: PostgreSQL finds no such
        // operator (42883), e.g. `interval > integer`.
        let ty = self.common(&[x.ty, y.ty], op).map_err(|e| {
            if e.code == code::DATATYPE_MISMATCH {
                operator_error(x.ty, op, y.ty)
            } else {
                e
            }
        })?;
        Ok((self.coerce(x, ty)?, self.coerce(y, ty)?))
    }

    fn binary(
        &mut self,
        left: &ast::Expr,
        op: &B,
        right: &ast::Expr,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        let cmp = match op {
            B::Eq => Some(CmpOp::Eq),
            B::NotEq => Some(CmpOp::NotEq),
            B::Lt => Some(CmpOp::Lt),
            B::LtEq => Some(CmpOp::LtEq),
            B::Gt => Some(CmpOp::Gt),
            B::GtEq => Some(CmpOp::GtEq),
            _ => None,
        };
        if let Some(cmp) = cmp {
            let (x, y) = self.bind_pair(left, right, scope, mode, &op.to_string())?;
            return Ok(Bound {
                expr: Expr::Compare(cmp, x.boxed(), y.boxed()),
                ty: bool_ty(),
            });
        }
        match op {
            B::And | B::Or => {
                let x = self.bind(left, scope, mode)?;
                let x = self.coerce(x, DataType::Boolean)?;
                let y = self.bind(right, scope, mode)?;
                let y = self.coerce(y, DataType::Boolean)?;
                let expr = if *op == B::And {
                    Expr::And(x.boxed(), y.boxed())
                } else {
                    Expr::Or(x.boxed(), y.boxed())
                };
                Ok(Bound {
                    expr,
                    ty: bool_ty(),
                })
            }
            B::StringConcat => {
                let x = self.bind(left, scope, mode)?;
                let y = self.bind(right, scope, mode)?;
                let is_text = |t: Ty| matches!(t, Ty::Unknown | Ty::Known(DataType::Text));
                if !is_text(x.ty) && !is_text(y.ty) {
                    return Err(operator_error(x.ty, "||", y.ty));
                }
                let x = self.text_operand(x)?;
                let y = self.text_operand(y)?;
                Ok(Bound {
                    expr: Expr::Concat(x.boxed(), y.boxed()),
                    ty: Ty::Known(DataType::Text),
                })
            }
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => {
                let arith = match op {
                    B::Plus => ArithOp::Add,
                    B::Minus => ArithOp::Sub,
                    B::Multiply => ArithOp::Mul,
                    B::Divide => ArithOp::Div,
                    _ => ArithOp::Mod,
                };
                let x = self.bind(left, scope, mode)?;
                let y = self.bind(right, scope, mode)?;
                self.arith(arith, x, y, &op.to_string())
            }
            B::PGLikeMatch | B::PGILikeMatch | B::PGNotLikeMatch | B::PGNotILikeMatch => {
                let x = self.bind(left, scope, mode)?;
                let p = self.bind(right, scope, mode)?;
                let (xt, pt) = (x.ty, p.ty);
                let x = like_operand(self, x, pt, true)?;
                let p = like_operand(self, p, xt, false)?;
                let ci = matches!(op, B::PGILikeMatch | B::PGNotILikeMatch);
                let test = Expr::Like {
                    expr: x.boxed(),
                    pattern: p.boxed(),
                    case_insensitive: ci,
                };
                let neg = matches!(op, B::PGNotLikeMatch | B::PGNotILikeMatch);
                Ok(Bound {
                    expr: if neg { Expr::Not(test.boxed()) } else { test },
                    ty: bool_ty(),
                })
            }
            other => match super::system::bind::binary(self, left, other, right, scope, mode)? {
                Some(b) => Ok(b),
                None => Err(SqlError::unsupported(format!("operator {other}"))),
            },
        }
    }

    fn arith(&mut self, op: ArithOp, x: Bound, y: Bound, name: &str) -> SqlResult<Bound> {
        use DataType as T;
        // Date/time arithmetic first: date ± integer, ± interval, differences.
        let known = |t: Ty| match t {
            Ty::Known(t) => Some(t),
            Ty::Unknown => None,
        };
        match datetime_ops::resolve(known(x.ty), op, known(y.ty), implicit) {
            Resolution::Operator(lt, rt, result) => {
                let (a, b) = (self.coerce(x, lt)?, self.coerce(y, rt)?);
                return Ok(Bound {
                    expr: Expr::Arith(op, a.boxed(), b.boxed()),
                    ty: Ty::Known(result),
                });
            }
            Resolution::Ambiguous => return Err(ambiguous_operator(x.ty, name, y.ty)),
            Resolution::NoneFound => {}
        }
        if x.ty == Ty::Unknown && y.ty == Ty::Unknown {
            return Err(ambiguous_operator(x.ty, name, y.ty));
        }
        let ty = match self.common(&[x.ty, y.ty], name) {
            Ok(t) if is_numeric(t) => t,
            _ => return Err(operator_error(x.ty, name, y.ty)),
        };
        if op == ArithOp::Mod && ty == T::Double {
            return Err(operator_error(x.ty, name, y.ty));
        }
        let ty = match ty {
            T::Numeric(_) => T::Numeric(None),
            t => t,
        };
        let (a, b) = (self.coerce(x, ty)?, self.coerce(y, ty)?);
        Ok(Bound {
            expr: Expr::Arith(op, a.boxed(), b.boxed()),
            ty: Ty::Known(ty),
        })
    }

    fn numeric_operand(&mut self, b: Bound, op: &str) -> SqlResult<Bound> {
        match b.ty {
            Ty::Known(t) if is_numeric(t) => Ok(b),
            Ty::Unknown => {
                let expr = self.coerce(b, DataType::Numeric(None))?;
                Ok(Bound {
                    expr,
                    ty: Ty::Known(DataType::Numeric(None)),
                })
            }
            Ty::Known(t) => Err(SqlError::new(
                code::UNDEFINED_FUNCTION,
                format!("operator does not exist: {op} {}", t.sql_name()),
            )),
        }
    }

    /// An operand of `||`: text as it is, anything else as its text form.
    pub(crate) fn text_operand(&mut self, b: Bound) -> SqlResult<Expr> {
        match b.ty {
            Ty::Known(DataType::Text) => Ok(b.expr),
            Ty::Unknown => self.coerce(b, DataType::Text),
            Ty::Known(_) => Ok(Expr::Cast(b.expr.boxed(), DataType::Text)),
        }
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        otherwise: Option<&ast::Expr>,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        let operand = operand.map(|o| self.bind(o, scope, mode)).transpose()?;
        let mut whens = Vec::new();
        let mut results = Vec::new();
        for w in conditions {
            let cond = match &operand {
                Some(op) => {
                    let v = self.bind(&w.condition, scope, mode)?;
                    let ty = self.common(&[op.ty, v.ty], "CASE")?;
                    let a = self.coerce(op.clone(), ty)?;
                    let b = self.coerce(v, ty)?;
                    Expr::Compare(CmpOp::Eq, a.boxed(), b.boxed())
                }
                None => self.condition(&w.condition, scope, mode, "CASE/WHEN")?,
            };
            whens.push(cond);
            results.push(self.bind(&w.result, scope, mode)?);
        }
        let otherwise = match otherwise {
            Some(e) => self.bind(e, scope, mode)?,
            None => Bound {
                expr: Expr::Literal(Value::Null),
                ty: Ty::Unknown,
            },
        };
        let mut tys: Vec<Ty> = results.iter().map(|r| r.ty).collect();
        tys.push(otherwise.ty);
        let ty = self.common(&tys, "CASE")?;
        let mut pairs = Vec::new();
        for (cond, r) in whens.into_iter().zip(results) {
            pairs.push((cond, self.coerce(r, ty)?));
        }
        let otherwise = self.coerce(otherwise, ty)?;
        Ok(Bound {
            expr: Expr::Case {
                whens: pairs,
                otherwise: otherwise.boxed(),
            },
            ty: Ty::Known(ty),
        })
    }

    /// An explicit cast.
    pub fn cast(&mut self, b: Bound, ty: DataType) -> SqlResult<Bound> {
        let expr = match (&b.expr, b.ty) {
            (Expr::Literal(Value::Text(s)), Ty::Unknown) => {
                Expr::Literal(parse_value_at(s, &ty, self.time_zone, self.now)?)
            }
            (Expr::Param(i), Ty::Unknown) => {
                self.params[*i] = Some(ty);
                Expr::Param(*i)
            }
            (_, Ty::Known(t)) if t == ty => b.expr,
            _ => Expr::Cast(b.expr.boxed(), ty),
        };
        Ok(Bound {
            expr,
            ty: Ty::Known(ty),
        })
    }

    /// The common type of several operands (PostgreSQL's UNION/CASE rules,
    /// simplified to crmdb's types); unknowns alone resolve to text.
    pub fn common(&self, tys: &[Ty], context: &str) -> SqlResult<DataType> {
        let mut acc: Option<DataType> = None;
        for ty in tys {
            let Ty::Known(t) = *ty else { continue };
            acc = Some(match acc {
                None => t,
                Some(a) => unify(a, t).ok_or_else(|| {
                    SqlError::new(
                        code::DATATYPE_MISMATCH,
                        format!(
                            "{context} types {} and {} cannot be matched",
                            a.sql_name(),
                            t.sql_name()
                        ),
                    )
                })?,
            });
        }
        Ok(acc.unwrap_or(DataType::Text))
    }

    /// `b` as a value for a column of type `ty` (INSERT, UPDATE … SET):
    /// besides the implicit conversions, PostgreSQL's assignment casts —
    /// between all numeric types (with range checks: 2147483648 into an
    /// INTEGER is 22003, not 42804), from anything to text, and from
    /// TIMESTAMPTZ to DATE and TIMESTAMP, from TIMESTAMP to DATE.
    pub fn assign(&mut self, b: Bound, ty: DataType) -> SqlResult<Expr> {
        let from = b.ty;
        let expr = b.expr.clone();
        self.coerce(b, ty).or_else(|e| match from {
            Ty::Known(t)
                if e.code == code::DATATYPE_MISMATCH
                    && ((is_numeric(t) && is_numeric(ty))
                        || ty == DataType::Text
                        || matches!(
                            (t, ty),
                            (
                                DataType::TimestampTz | DataType::Timestamp,
                                DataType::Date | DataType::Timestamp
                            )
                        )) =>
            {
                Ok(Expr::Cast(expr.boxed(), ty))
            }
            _ => Err(e),
        })
    }

    /// `b` as a value of type `ty`: an unknown literal is parsed, a
    /// parameter takes the type, a known type converts implicitly where
    /// PostgreSQL would.
    pub fn coerce(&mut self, b: Bound, ty: DataType) -> SqlResult<Expr> {
        match b.ty {
            Ty::Unknown => Ok(self.cast(b, ty)?.expr),
            Ty::Known(t) if t == ty => Ok(b.expr),
            Ty::Known(DataType::Numeric(_)) if ty == DataType::Numeric(None) => Ok(b.expr),
            // Into NUMERIC(p,s): round to the scale, check the precision.
            Ty::Known(DataType::Numeric(_)) if matches!(ty, DataType::Numeric(_)) => {
                Ok(Expr::Cast(b.expr.boxed(), ty))
            }
            Ty::Known(t) if implicit(t, ty) => Ok(Expr::Cast(b.expr.boxed(), ty)),
            Ty::Known(t) => Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "expression is of type {} but {} is expected",
                    t.sql_name(),
                    ty.sql_name()
                ),
            )),
        }
    }

    fn function(
        &mut self,
        f: &ast::Function,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        let name = match f.name.0.as_slice() {
            [part] => part.as_ident().map(ident_name),
            [schema, part]
                if schema
                    .as_ident()
                    .is_some_and(|s| ident_name(s) == "pg_catalog") =>
            {
                part.as_ident().map(ident_name)
            }
            _ => None,
        }
        .ok_or_else(|| SqlError::unsupported(format!("the function name {}", f.name)))?;
        let (args, distinct, star) = match &f.args {
            ast::FunctionArguments::None => (Vec::new(), false, false),
            ast::FunctionArguments::List(list) => {
                let distinct = matches!(
                    list.duplicate_treatment,
                    Some(ast::DuplicateTreatment::Distinct)
                );
                let mut args = Vec::new();
                let mut star = false;
                for a in &list.args {
                    match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => args.push(e),
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard) => star = true,
                        other => {
                            return Err(SqlError::unsupported(format!("the argument {other}")));
                        }
                    }
                }
                if !list.clauses.is_empty() {
                    return Err(SqlError::unsupported(format!(
                        "{name} with ORDER BY or other clauses"
                    )));
                }
                (args, distinct, star)
            }
            ast::FunctionArguments::Subquery(q) => {
                return super::system::bind::array_subquery(self, &name, q, scope);
            }
        };
        if let Some(over) = &f.over {
            return super::window::bind(
                self,
                &name,
                over,
                &args,
                star,
                distinct,
                f.filter.is_some(),
                scope,
                mode,
            );
        }
        if let Some(agg) = AggFunc::from_name(&name) {
            return self.aggregate(
                agg,
                &name,
                &args,
                distinct,
                star,
                f.filter.is_some(),
                scope,
                mode,
            );
        }
        if distinct || star {
            return Err(SqlError::new(
                code::WRONG_OBJECT_TYPE,
                format!("{name} is not an aggregate function"),
            ));
        }
        let bound = args
            .iter()
            .map(|a| self.bind(a, scope, mode))
            .collect::<SqlResult<Vec<_>>>()?;
        self.call_named(&name, bound)
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        func: AggFunc,
        name: &str,
        args: &[&ast::Expr],
        distinct: bool,
        star: bool,
        filter: bool,
        scope: &Scope,
        mode: &mut AggMode,
    ) -> SqlResult<Bound> {
        let grouping = match mode {
            AggMode::Grouped(g) => g,
            AggMode::Forbidden(clause) => {
                return Err(SqlError::new(
                    code::GROUPING_ERROR,
                    format!("aggregate functions are not allowed in {clause}"),
                ));
            }
        };
        if filter {
            return Err(SqlError::unsupported("FILTER on aggregates"));
        }
        let (func, bound_args, arg_ty) = if star {
            if func != AggFunc::Count || !args.is_empty() {
                return Err(SqlError::syntax(format!(
                    "{name}(*) is only valid for count"
                )));
            }
            (AggFunc::CountStar, Vec::new(), None)
        } else {
            let expected = if func == AggFunc::StringAgg { 2 } else { 1 };
            if args.len() != expected {
                return Err(no_function(name, &[]));
            }
            let mut inner = AggMode::Forbidden("aggregate function calls");
            let mut bound = Vec::new();
            for a in args {
                bound.push(self.bind(a, scope, &mut inner).map_err(|e| {
                    if e.code == code::GROUPING_ERROR {
                        SqlError::new(
                            code::GROUPING_ERROR,
                            "aggregate function calls cannot be nested",
                        )
                    } else {
                        e
                    }
                })?);
            }
            let arg_ty = match (func, bound[0].ty) {
                (AggFunc::Sum | AggFunc::Avg, Ty::Unknown) => {
                    return Err(SqlError::new(
                        AMBIGUOUS_FUNCTION,
                        format!("function {name}(unknown) is not unique"),
                    ));
                }
                (_, t) => t.resolved(),
            };
            let mut exprs = Vec::new();
            for (i, b) in bound.into_iter().enumerate() {
                exprs.push(if i == 0 {
                    self.coerce(b, arg_ty)?
                } else {
                    self.coerce(b, DataType::Text)?
                });
            }
            (func, exprs, Some(arg_ty))
        };
        let result = func.result_type(arg_ty).ok_or_else(|| {
            no_function(
                name,
                &arg_ty.map(|t| vec![Ty::Known(t)]).unwrap_or_default(),
            )
        })?;
        let call = AggCall {
            func,
            args: bound_args,
            distinct,
        };
        let index = match grouping.aggs.iter().position(|c| *c == call) {
            Some(i) => i,
            None => {
                grouping.aggs.push(call);
                grouping.agg_types.push(result);
                grouping.agg_arg_types.push(arg_ty);
                grouping.aggs.len() - 1
            }
        };
        Ok(Bound {
            expr: Expr::Column(grouping.keys.len() + index),
            ty: Ty::Known(result),
        })
    }

    /// Resolves a scalar function by name and argument types.
    fn call_named(&mut self, name: &str, args: Vec<Bound>) -> SqlResult<Bound> {
        use DataType as T;
        let tys: Vec<Ty> = args.iter().map(|a| a.ty).collect();
        let n = args.len();
        let text = Ty::Known(T::Text);
        // An argument of a type that does not convert is no matching
        // function (42883), as PostgreSQL resolves functions by type.
        let fixed =
            |this: &mut Self, args: Vec<Bound>, want: &[DataType]| -> SqlResult<Vec<Expr>> {
                args.into_iter()
                    .zip(want)
                    .map(|(a, t)| {
                        this.coerce(a, *t).map_err(|e| {
                            if e.code == code::DATATYPE_MISMATCH {
                                no_function(name, &tys)
                            } else {
                                e
                            }
                        })
                    })
                    .collect()
            };
        let (scalar, exprs, ty) = match (name, n) {
            ("coalesce" | "greatest" | "least", 1..) => {
                let ty = self.common(&tys, &name.to_uppercase())?;
                let exprs = args
                    .into_iter()
                    .map(|a| self.coerce(a, ty))
                    .collect::<SqlResult<_>>()?;
                let f = match name {
                    "coalesce" => Scalar::Coalesce,
                    "greatest" => Scalar::Greatest,
                    _ => Scalar::Least,
                };
                (f, exprs, Ty::Known(ty))
            }
            ("nullif", 2) => {
                let ty = self.common(&tys, "NULLIF")?;
                let exprs = args
                    .into_iter()
                    .map(|a| self.coerce(a, ty))
                    .collect::<SqlResult<_>>()?;
                (Scalar::NullIf, exprs, Ty::Known(ty))
            }
            ("lower" | "upper", 1) => {
                let f = if name == "lower" {
                    Scalar::Lower
                } else {
                    Scalar::Upper
                };
                (f, fixed(self, args, &[T::Text])?, text)
            }
            ("quote_literal" | "quote_nullable", 1) => {
                // Any value quotes its text form; quote_nullable of NULL is
                // the word NULL.
                let arg = self.text_operand(args.into_iter().next().expect("one"))?;
                if name == "quote_nullable" {
                    let quoted = Expr::Call(Scalar::QuoteLiteral, vec![arg]);
                    let null = Expr::Literal(Value::Text("NULL".into()));
                    (Scalar::Coalesce, vec![quoted, null], text)
                } else {
                    (Scalar::QuoteLiteral, vec![arg], text)
                }
            }
            ("quote_ident", 1) => (Scalar::QuoteIdent, fixed(self, args, &[T::Text])?, text),
            ("length" | "char_length" | "character_length", 1) => (
                Scalar::Length,
                fixed(self, args, &[T::Text])?,
                Ty::Known(T::Integer),
            ),
            ("replace", 3) => (
                Scalar::Replace,
                fixed(self, args, &[T::Text, T::Text, T::Text])?,
                text,
            ),
            ("left" | "right", 2) => {
                let f = if name == "left" {
                    Scalar::Left
                } else {
                    Scalar::Right
                };
                (f, fixed(self, args, &[T::Text, T::Integer])?, text)
            }
            ("substring" | "substr", 2 | 3) => (
                Scalar::Substring,
                fixed(self, args, &[T::Text, T::Integer, T::Integer])?,
                text,
            ),
            ("strpos", 2) => (
                Scalar::StrPos,
                fixed(self, args, &[T::Text, T::Text])?,
                Ty::Known(T::Integer),
            ),
            ("btrim" | "ltrim" | "rtrim", 1 | 2) => {
                let f = match name {
                    "btrim" => Scalar::Btrim,
                    "ltrim" => Scalar::Ltrim,
                    _ => Scalar::Rtrim,
                };
                (f, fixed(self, args, &[T::Text, T::Text])?, text)
            }
            ("split_part", 3) => (
                Scalar::SplitPart,
                fixed(self, args, &[T::Text, T::Text, T::Integer])?,
                text,
            ),
            ("concat", 1..) => {
                let exprs = args
                    .into_iter()
                    .map(|a| self.text_operand(a))
                    .collect::<SqlResult<_>>()?;
                (Scalar::Concat, exprs, text)
            }
            ("abs", 1) => {
                let b = self.numeric_operand(args.into_iter().next().expect("one"), "@")?;
                let ty = b.ty;
                (Scalar::Abs, vec![b.expr], ty)
            }
            ("round" | "trunc", 1 | 2) | ("floor" | "ceil" | "ceiling", 1) => {
                let mut it = args.into_iter();
                let x = it.next().expect("one");
                let ty = match x.ty {
                    Ty::Known(T::Double) if n == 1 => T::Double,
                    _ => T::Numeric(None),
                };
                let mut exprs = vec![self.coerce(x, ty)?];
                if let Some(d) = it.next() {
                    exprs.push(self.coerce(d, T::Integer)?);
                }
                let f = match name {
                    "round" => Scalar::Round,
                    "trunc" => Scalar::Trunc,
                    "floor" => Scalar::Floor,
                    _ => Scalar::Ceil,
                };
                (f, exprs, Ty::Known(ty))
            }
            ("now" | "current_timestamp" | "transaction_timestamp", 0) => {
                (Scalar::Now, Vec::new(), Ty::Known(T::TimestampTz))
            }
            ("statement_timestamp", 0) => {
                return Ok(Bound {
                    expr: Expr::Literal(Value::TimestampTz(self.statement_now)),
                    ty: Ty::Known(T::TimestampTz),
                });
            }
            ("clock_timestamp", 0) => (
                Scalar::ClockTimestamp,
                Vec::new(),
                Ty::Known(T::TimestampTz),
            ),
            ("localtimestamp", 0) => {
                return Ok(Bound {
                    expr: Expr::Cast(Expr::Call(Scalar::Now, Vec::new()).boxed(), T::Timestamp),
                    ty: Ty::Known(T::Timestamp),
                });
            }
            ("current_date", 0) => (Scalar::CurrentDate, Vec::new(), Ty::Known(T::Date)),
            ("extract" | "date_part", 2) => {
                let mut it = args.into_iter();
                let field = it.next().expect("two");
                let field = self.coerce(field, T::Text)?;
                if let Expr::Literal(Value::Text(f)) = &field
                    && DateField::parse(f).is_none()
                {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("unit \"{f}\" not recognized"),
                    ));
                }
                let x = it.next().expect("two");
                let source = match x.ty {
                    Ty::Known(t @ (T::Date | T::Timestamp | T::Interval)) => t,
                    _ => T::TimestampTz,
                };
                let x = self.coerce(x, source)?;
                if name == "extract" {
                    (Scalar::Extract, vec![field, x], Ty::Known(T::Numeric(None)))
                } else {
                    (Scalar::DatePart, vec![field, x], Ty::Known(T::Double))
                }
            }
            ("date_trunc", 2) => {
                let source = match args[1].ty {
                    Ty::Known(T::Timestamp) => T::Timestamp,
                    _ => T::TimestampTz,
                };
                (
                    Scalar::DateTrunc,
                    fixed(self, args, &[T::Text, source])?,
                    Ty::Known(source),
                )
            }
            ("to_char", 2) => {
                let source = match tys[0] {
                    Ty::Known(
                        t @ (T::Timestamp | T::TimestampTz | T::Integer | T::BigInt | T::Double),
                    ) => t,
                    Ty::Known(T::Date) => T::TimestampTz,
                    Ty::Known(T::Numeric(_)) => T::Numeric(None),
                    Ty::Known(T::Interval) => {
                        return Err(SqlError::unsupported("to_char of an interval"));
                    }
                    Ty::Unknown => {
                        let shown: Vec<String> = tys.iter().map(|t| type_name(*t)).collect();
                        return Err(SqlError::new(
                            AMBIGUOUS_FUNCTION,
                            format!("function to_char({}) is not unique", shown.join(", ")),
                        )
                        .with_hint("Could not choose a best candidate function. You might need to add explicit type casts."));
                    }
                    _ => return Err(no_function(name, &tys)),
                };
                (Scalar::ToChar, fixed(self, args, &[source, T::Text])?, text)
            }
            ("make_date", 3) => (
                Scalar::MakeDate,
                fixed(self, args, &[T::Integer, T::Integer, T::Integer])?,
                Ty::Known(T::Date),
            ),
            _ => {
                return super::system::bind::call(self, name, args)?
                    .ok_or_else(|| no_function(name, &tys));
            }
        };
        Ok(Bound {
            expr: Expr::Call(scalar, exprs),
            ty,
        })
    }

    /// Every parameter's type, unknowns resolved as text.
    pub fn param_types(&self) -> Vec<DataType> {
        self.params
            .iter()
            .map(|p| p.unwrap_or(DataType::Text))
            .collect()
    }
}

/// The text of `-e` when `e` is a numeric literal, possibly negated and
/// parenthesized (PostgreSQL's grammar folds these before typing them).
fn negated_literal(e: &ast::Expr) -> Option<String> {
    let text = literal_text(e)?;
    Some(match text.strip_prefix('-') {
        Some(positive) => positive.to_owned(),
        None => format!("-{text}"),
    })
}

fn literal_text(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Nested(inner) => literal_text(inner),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => Some(n.clone()),
            _ => None,
        },
        ast::Expr::UnaryOp { op: U::Minus, expr } => negated_literal(expr),
        _ => None,
    }
}

/// SQLSTATE of a function or operator call that matches several candidates.
const AMBIGUOUS_FUNCTION: &str = "42725";

/// A LIKE operand as text; other types have no LIKE operator (42883).
fn like_operand(this: &mut Binder, b: Bound, other: Ty, left: bool) -> SqlResult<Expr> {
    let ty = b.ty;
    this.coerce(b, DataType::Text).map_err(|e| {
        if e.code == code::DATATYPE_MISMATCH {
            if left {
                operator_error(ty, "~~", other)
            } else {
                operator_error(other, "~~", ty)
            }
        } else {
            e
        }
    })
}

/// A boolean test, negated for the NOT form (NOT IN, NOT LIKE, …).
fn predicate(test: Expr, negated: bool) -> Bound {
    Bound {
        expr: if negated {
            Expr::Not(test.boxed())
        } else {
            test
        },
        ty: bool_ty(),
    }
}

fn bool_ty() -> Ty {
    Ty::Known(DataType::Boolean)
}

fn is_numeric(t: DataType) -> bool {
    matches!(
        t,
        DataType::Integer | DataType::BigInt | DataType::Numeric(_) | DataType::Double
    )
}

/// The rank of a numeric type in PostgreSQL's implicit promotion.
fn numeric_rank(t: DataType) -> Option<u8> {
    Some(match t {
        DataType::Integer => 1,
        DataType::BigInt => 2,
        DataType::Numeric(_) => 3,
        DataType::Double => 4,
        _ => return None,
    })
}

/// Whether `from` converts to `to` implicitly.
fn implicit(from: DataType, to: DataType) -> bool {
    use DataType as T;
    match (numeric_rank(from), numeric_rank(to)) {
        (Some(a), Some(b)) => a < b,
        _ => matches!(
            (from, to),
            (T::Date, T::TimestampTz | T::Timestamp) | (T::Timestamp, T::TimestampTz)
        ),
    }
}

/// The type two known types meet at.
fn unify(a: DataType, b: DataType) -> Option<DataType> {
    if a == b {
        return Some(a);
    }
    match (numeric_rank(a), numeric_rank(b)) {
        (Some(3), Some(3)) => Some(DataType::Numeric(None)),
        // A NUMERIC(p,s) meeting another type gives plain NUMERIC: the
        // typmod survives only where all inputs share it.
        (Some(x), Some(y)) => Some(match if x >= y { a } else { b } {
            DataType::Numeric(_) => DataType::Numeric(None),
            t => t,
        }),
        _ if implicit(a, b) => Some(b),
        _ if implicit(b, a) => Some(a),
        _ => None,
    }
}

fn type_name(t: Ty) -> String {
    match t {
        Ty::Known(t) => t.sql_name(),
        Ty::Unknown => "unknown".into(),
    }
}

fn operator_error(a: Ty, op: &str, b: Ty) -> SqlError {
    SqlError::new(
        code::UNDEFINED_FUNCTION,
        format!("operator does not exist: {} {op} {}", type_name(a), type_name(b)),
    )
    .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

fn ambiguous_operator(a: Ty, op: &str, b: Ty) -> SqlError {
    SqlError::new(
        AMBIGUOUS_FUNCTION,
        format!(
            "operator is not unique: {} {op} {}",
            type_name(a),
            type_name(b)
        ),
    )
    .with_hint(
        "Could not choose a best candidate operator. You might need to add explicit type casts.",
    )
}

fn no_function(name: &str, tys: &[Ty]) -> SqlError {
    let args: Vec<String> = tys.iter().map(|t| type_name(*t)).collect();
    SqlError::new(code::UNDEFINED_FUNCTION, format!("function {name}({}) does not exist", args.join(", ")))
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

/// The type named in a cast.
pub fn cast_type(ty: &ast::DataType) -> SqlResult<DataType> {
    use ast::DataType as A;
    Ok(match ty {
        A::Varchar(_) | A::CharacterVarying(_) | A::Char(_) | A::Character(_) | A::String(_) => {
            DataType::Text
        }
        A::SmallInt(_) | A::Int2(_) => DataType::Integer,
        A::Real | A::Float4 | A::Float(_) => DataType::Double,
        A::Custom(name, _) if name.to_string().eq_ignore_ascii_case("timestamptz") => {
            DataType::TimestampTz
        }
        other => super::ddl::data_type(other).map_err(|_| {
            SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("type \"{other}\" is not supported"),
            )
        })?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(sql: &str) -> ast::Expr {
        sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .unwrap()
    }

    #[test]
    fn minus_signs_on_literals_fold_like_postgres() {
        let folded = |sql: &str| match expr(sql) {
            ast::Expr::UnaryOp { expr, .. } => negated_literal(&expr),
            _ => None,
        };
        assert_eq!(folded("-2147483648").as_deref(), Some("-2147483648"));
        assert_eq!(folded("-(-2147483648)").as_deref(), Some("2147483648"));
        assert_eq!(folded("-(-(-1.5))").as_deref(), Some("-1.5"));
        assert_eq!(folded("-(1 + 2)"), None);
    }

    #[test]
    fn assignment_casts_numbers_and_to_text() {
        let tz = SessionTimeZone::utc();
        let mut b = Binder::new(&[], &tz, 0);
        let col = |t: DataType| Bound {
            expr: Expr::Column(0),
            ty: Ty::Known(t),
        };
        assert!(b.coerce(col(DataType::BigInt), DataType::Integer).is_err());
        assert_eq!(
            b.assign(col(DataType::BigInt), DataType::Integer).unwrap(),
            Expr::Cast(Expr::Column(0).boxed(), DataType::Integer)
        );
        assert!(b.assign(col(DataType::Boolean), DataType::Text).is_ok());
        assert!(b.assign(col(DataType::TimestampTz), DataType::Date).is_ok());
        let e = b
            .assign(col(DataType::Boolean), DataType::Integer)
            .unwrap_err();
        assert_eq!(e.code, code::DATATYPE_MISMATCH);
    }

    #[test]
    fn numeric_typmods_survive_only_between_equals() {
        let n122 = DataType::Numeric(Some(crate::types::NumericTypmod {
            precision: 12,
            scale: 2,
        }));
        assert_eq!(unify(n122, n122), Some(n122));
        assert_eq!(
            unify(n122, DataType::Integer),
            Some(DataType::Numeric(None))
        );
        assert_eq!(unify(DataType::BigInt, n122), Some(DataType::Numeric(None)));
        assert_eq!(unify(n122, DataType::Double), Some(DataType::Double));
    }
}
