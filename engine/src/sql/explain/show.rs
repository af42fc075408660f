//! Expressions as EXPLAIN prints them: SQL-like text with column names,
//! comparisons parenthesised as PostgreSQL prints them, `IN` lists as
//! `= ANY ('{…}')`, and subqueries as `(SubPlan n)`.

use crate::sql::expr::{ArithOp, CmpOp, Expr};
use crate::sql::functions::Scalar;
use crate::sql::functions::aggregate::{AggCall, AggFunc};
use crate::sql::plan::SortKey;
use crate::sql::subquery::{Subquery, SubqueryKind};
use crate::types::{DataType, SessionTimeZone, Value, format_value};

/// Names for an expression's columns and a place for the subqueries it
/// holds (shown as children of the node).
pub struct Shower<'a> {
    /// The input row's column names.
    pub names: &'a [String],
    /// The enclosing queries' rows, innermost last.
    pub outer: &'a [Vec<String>],
    pub time_zone: &'a SessionTimeZone,
    /// Subqueries met so far, numbered from `first_subplan`.
    pub subplans: Vec<Subquery>,
    pub first_subplan: usize,
}

impl Shower<'_> {
    pub fn expr(&mut self, e: &Expr) -> String {
        match e {
            Expr::Literal(v) => literal(v, self.time_zone),
            Expr::Column(i) => self
                .names
                .get(*i)
                .cloned()
                .unwrap_or_else(|| format!("${i}")),
            Expr::Param(i) => format!("${}", i + 1),
            Expr::Outer { depth, index } => self
                .outer
                .len()
                .checked_sub(*depth)
                .and_then(|d| self.outer[d].get(*index))
                .cloned()
                .unwrap_or_else(|| "(outer)".into()),
            Expr::Not(a) => format!("(NOT {})", self.expr(a)),
            Expr::Neg(a) => format!("(- {})", self.expr(a)),
            Expr::And(..) => self.chain(e, "AND"),
            Expr::Or(..) => self.chain(e, "OR"),
            Expr::Compare(op, a, b) => {
                format!("({} {} {})", self.expr(a), cmp_symbol(*op), self.expr(b))
            }
            Expr::Arith(op, a, b) => {
                let sym = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                    ArithOp::Mod => "%",
                };
                format!("({} {sym} {})", self.expr(a), self.expr(b))
            }
            Expr::Concat(a, b) => format!("({} || {})", self.expr(a), self.expr(b)),
            Expr::IsNull(a) => format!("({} IS NULL)", self.expr(a)),
            Expr::IsBool(a, want) => {
                format!(
                    "({} IS {})",
                    self.expr(a),
                    if *want { "TRUE" } else { "FALSE" }
                )
            }
            Expr::NotDistinct(a, b) => {
                format!("({} IS NOT DISTINCT FROM {})", self.expr(a), self.expr(b))
            }
            Expr::InList { expr, list } => {
                let lhs = self.expr(expr);
                match array_literal(list, self.time_zone) {
                    Some(array) => format!("({lhs} = ANY ({array}))"),
                    None => {
                        let items: Vec<String> = list.iter().map(|x| self.expr(x)).collect();
                        format!("({lhs} = ANY (ARRAY[{}]))", items.join(", "))
                    }
                }
            }
            Expr::Like {
                expr,
                pattern,
                case_insensitive,
            } => {
                let op = if *case_insensitive { "~~*" } else { "~~" };
                format!("({} {op} {})", self.expr(expr), self.expr(pattern))
            }
            Expr::Case { whens, otherwise } => {
                let mut out = String::from("CASE");
                for (c, v) in whens {
                    out.push_str(&format!(" WHEN {} THEN {}", self.expr(c), self.expr(v)));
                }
                out.push_str(&format!(" ELSE {} END", self.expr(otherwise)));
                out
            }
            // A number cast to a number type shows as the number
            // (PostgreSQL folds such casts before it prints them).
            Expr::Cast(a, ty)
                if matches!(
                    &**a,
                    Expr::Literal(Value::Integer(_) | Value::BigInt(_) | Value::Numeric(_))
                ) && matches!(
                    ty,
                    DataType::Integer | DataType::BigInt | DataType::Numeric(_) | DataType::Double
                ) =>
            {
                self.expr(a)
            }
            Expr::Cast(a, ty) => format!("({})::{ty}", self.expr(a)),
            Expr::Call(f, args) => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                format!("{}({})", scalar_name(*f), args.join(", "))
            }
            Expr::Subquery(s) => {
                let n = self.first_subplan + self.subplans.len();
                let shown = match &s.kind {
                    SubqueryKind::Scalar => format!("(SubPlan {n})"),
                    SubqueryKind::Exists => format!("(SubPlan {n})"),
                    SubqueryKind::In(x) => format!("(ANY ({} = (SubPlan {n}).col1))", self.expr(x)),
                };
                self.subplans.push((**s).clone());
                shown
            }
            Expr::Runtime(_) => "(SubPlan)".into(),
        }
    }

    /// `a AND b AND c`, parenthesised once.
    fn chain(&mut self, e: &Expr, word: &str) -> String {
        let mut parts = Vec::new();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match (x, word) {
                (Expr::And(a, b), "AND") | (Expr::Or(a, b), "OR") => {
                    stack.push(b);
                    stack.push(a);
                }
                _ => parts.push(self.expr(x)),
            }
        }
        format!("({})", parts.join(&format!(" {word} ")))
    }

    /// Several expressions, comma separated.
    pub fn list(&mut self, es: &[Expr]) -> String {
        es.iter()
            .map(|e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn aggregate(&mut self, a: &AggCall) -> String {
        if a.func == AggFunc::CountStar {
            return "count(*)".into();
        }
        let name = match a.func {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::BoolAnd => "bool_and",
            AggFunc::BoolOr => "bool_or",
            AggFunc::StringAgg => "string_agg",
        };
        let distinct = if a.distinct { "DISTINCT " } else { "" };
        format!("{name}({distinct}{})", self.list(&a.args))
    }

    pub fn sort_keys(&mut self, keys: &[SortKey]) -> String {
        keys.iter()
            .map(|k| {
                let mut s = self.expr(&k.expr);
                if k.descending {
                    s.push_str(" DESC");
                }
                // PostgreSQL's defaults: NULLS LAST ascending, FIRST descending.
                if k.nulls_first != k.descending {
                    s.push_str(if k.nulls_first {
                        " NULLS FIRST"
                    } else {
                        " NULLS LAST"
                    });
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::NotEq => "<>",
        CmpOp::Lt => "<",
        CmpOp::LtEq => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtEq => ">=",
    }
}

/// A function's SQL name: its variant's name in snake case.
fn scalar_name(f: Scalar) -> String {
    let debug = match f {
        Scalar::System(s) => format!("{s:?}"),
        Scalar::StrPos => "strpos".into(),
        Scalar::NullIf => "nullif".into(),
        Scalar::ToChar => "to_char".into(),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    for (i, ch) in debug.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A constant: numbers and booleans bare, text quoted, other types
/// quoted with a cast, as PostgreSQL prints them.
pub fn literal(v: &Value, tz: &SessionTimeZone) -> String {
    let text = format_value(v, tz).unwrap_or_else(|| "NULL".into());
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(_) | Value::BigInt(_) | Value::Numeric(_) | Value::Double(_) => text,
        Value::Boolean(b) => b.to_string(),
        Value::Text(_) => quote(&text),
        other => format!("{}::{}", quote(&text), other.type_name()),
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A list of constants as an array literal (`'{DE,AT}'`); None when some
/// item is not a constant.
fn array_literal(list: &[Expr], tz: &SessionTimeZone) -> Option<String> {
    let mut items = Vec::new();
    for e in list {
        let Expr::Literal(v) = e else {
            return None;
        };
        items.push(match format_value(v, tz) {
            None => "NULL".to_owned(),
            Some(s)
                if s.is_empty()
                    || s.eq_ignore_ascii_case("null")
                    || s.contains(|c: char| {
                        matches!(c, ',' | '{' | '}' | '"' | '\\') || c.is_whitespace()
                    }) =>
            {
                format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
            }
            Some(s) => s,
        });
    }
    Some(quote(&format!("{{{}}}", items.join(","))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &Expr) -> String {
        let names = ["country".to_owned(), "city".to_owned()];
        let tz = SessionTimeZone::utc();
        let mut s = Shower {
            names: &names,
            outer: &[],
            time_zone: &tz,
            subplans: Vec::new(),
            first_subplan: 1,
        };
        s.expr(e)
    }

    fn text(s: &str) -> Expr {
        Expr::Literal(Value::Text(s.into()))
    }

    #[test]
    fn lists_of_constants_show_as_array_literals_quoted_as_postgresql_does() {
        let e = Expr::InList {
            expr: Expr::Column(0).boxed(),
            list: vec![
                text("DE"),
                text("a b"),
                text("x\"y"),
                text(""),
                text("it's"),
            ],
        };
        assert_eq!(
            show(&e),
            r#"(country = ANY ('{DE,"a b","x\"y","",it''s}'))"#
        );
        let e = Expr::InList {
            expr: Expr::Column(1).boxed(),
            list: vec![text("x"), Expr::Column(0)],
        };
        assert_eq!(show(&e), "(city = ANY (ARRAY['x', country]))");
    }

    #[test]
    fn chains_flatten_and_constants_keep_their_types() {
        let eq = |c, v| Expr::Compare(CmpOp::Eq, Expr::Column(c).boxed(), v);
        let e = Expr::And(
            Expr::And(
                eq(0, text("DE").boxed()).boxed(),
                eq(1, Expr::Literal(Value::Date(0)).boxed()).boxed(),
            )
            .boxed(),
            Expr::Not(Expr::IsNull(Expr::Column(1).boxed()).boxed()).boxed(),
        );
        assert_eq!(
            show(&e),
            "((country = 'DE') AND (city = '2000-01-01'::date) AND (NOT (city IS NULL)))"
        );
        let cast = Expr::Cast(Expr::Literal(Value::Integer(3)).boxed(), DataType::BigInt);
        assert_eq!(show(&cast), "3");
        assert_eq!(scalar_name(Scalar::SplitPart), "split_part");
        assert_eq!(scalar_name(Scalar::StrPos), "strpos");
    }
}
