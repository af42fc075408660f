//! Walks over the column references of bound expressions.

use crate::sql::expr::Expr;
use crate::sql::subquery::{self, SubqueryKind};

pub(crate) fn flatten_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::And(a, b) => {
            flatten_and(*a, out);
            flatten_and(*b, out);
        }
        other => out.push(other),
    }
}

/// Appends the columns of the current row that `e` reads, its subqueries'
/// outer references to it included (in no particular order, with repeats).
pub(crate) fn collect_columns(e: &Expr, out: &mut Vec<usize>) {
    e.visit(&mut |x| match x {
        Expr::Column(i) => out.push(*i),
        Expr::Subquery(s) => subquery::columns_read(s, out),
        _ => {}
    });
}

pub(crate) fn map_columns(e: &Expr, f: &dyn Fn(usize) -> usize) -> Expr {
    let m = |x: &Expr| map_columns(x, f).boxed();
    match e {
        Expr::Column(i) => Expr::Column(f(*i)),
        Expr::Literal(_) | Expr::Param(_) => e.clone(),
        Expr::Not(a) => Expr::Not(m(a)),
        Expr::Neg(a) => Expr::Neg(m(a)),
        Expr::IsNull(a) => Expr::IsNull(m(a)),
        Expr::IsBool(a, v) => Expr::IsBool(m(a), *v),
        Expr::Cast(a, t) => Expr::Cast(m(a), *t),
        Expr::And(a, b) => Expr::And(m(a), m(b)),
        Expr::Or(a, b) => Expr::Or(m(a), m(b)),
        Expr::Compare(op, a, b) => Expr::Compare(*op, m(a), m(b)),
        Expr::Arith(op, a, b) => Expr::Arith(*op, m(a), m(b)),
        Expr::Concat(a, b) => Expr::Concat(m(a), m(b)),
        Expr::NotDistinct(a, b) => Expr::NotDistinct(m(a), m(b)),
        Expr::InList { expr, list } => Expr::InList {
            expr: m(expr),
            list: list.iter().map(|x| map_columns(x, f)).collect(),
        },
        Expr::Like {
            expr,
            pattern,
            case_insensitive,
        } => Expr::Like {
            expr: m(expr),
            pattern: m(pattern),
            case_insensitive: *case_insensitive,
        },
        Expr::Case { whens, otherwise } => Expr::Case {
            whens: whens
                .iter()
                .map(|(c, v)| (map_columns(c, f), map_columns(v, f)))
                .collect(),
            otherwise: m(otherwise),
        },
        Expr::Call(s, args) => Expr::Call(*s, args.iter().map(|x| map_columns(x, f)).collect()),
        Expr::Outer { .. } | Expr::Runtime(_) => e.clone(),
        Expr::Subquery(s) => {
            let mut s = subquery::map_columns_read(s, f);
            if let SubqueryKind::In(x) = &mut s.kind {
                *x = map_columns(x, f);
            }
            Expr::Subquery(Box::new(s))
        }
    }
}
