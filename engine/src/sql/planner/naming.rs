//! Result column names as PostgreSQL gives them (its FigureColname).

use sqlparser::ast;

use crate::types::DataType;

use crate::sql::binder::ident_name;

/// The name PostgreSQL gives a result column for `e`.
pub fn column_name(e: &ast::Expr) -> String {
    figure_name(e)
        .map(|(name, _)| name)
        .unwrap_or_else(|| "?column?".into())
}

/// PostgreSQL's FigureColname: a name for `e` and how strongly it names
/// it — 2 for a column or function name, 1 for a type name or "case" —
/// or None. A cast is named by its operand when that has a strong name,
/// else by its type: `x::text` is "x", `1::text` and `'1'::date::text` are
/// "text".
pub(super) fn figure_name(e: &ast::Expr) -> Option<(String, u8)> {
    use ast::Expr as A;
    let strong = |s: &str| Some((s.to_owned(), 2));
    match e {
        A::Identifier(i) => Some((ident_name(i), 2)),
        A::CompoundIdentifier(parts) => parts.last().map(|p| (ident_name(p), 2)),
        A::Nested(inner) => figure_name(inner),
        A::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| (ident_name(i), 2)),
        A::Cast {
            expr, data_type, ..
        } => match figure_name(expr) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some((pg_type_name(data_type), 1)),
        },
        A::TypedString(ts) => Some((pg_type_name(&ts.data_type), 1)),
        A::Interval(_) => Some(("interval".into(), 1)),
        // TRUE and FALSE are 't'::bool and 'f'::bool to PostgreSQL.
        A::Value(v) if matches!(v.value, ast::Value::Boolean(_)) => Some(("bool".into(), 1)),
        A::Case { .. } => Some(("case".into(), 1)),
        A::Extract { .. } => strong("extract"),
        A::Substring {
            shorthand: true, ..
        } => strong("substr"),
        A::Substring { .. } => strong("substring"),
        A::Position { .. } => strong("position"),
        A::Trim { trim_where, .. } => strong(match trim_where {
            Some(ast::TrimWhereField::Leading) => "ltrim",
            Some(ast::TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        A::Ceil { .. } => strong("ceil"),
        A::Floor { .. } => strong("floor"),
        A::Exists { negated: false, .. } => strong("exists"),
        // A scalar subquery is named by its only column.
        A::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => strong(&ident_name(alias)),
                Some(ast::SelectItem::UnnamedExpr(e)) => figure_name(e),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// PostgreSQL's internal type name, as it names cast result columns.
pub(super) fn pg_type_name(ty: &ast::DataType) -> String {
    match ty {
        ast::DataType::SmallInt(_) | ast::DataType::Int2(_) => return "int2".into(),
        ast::DataType::Real | ast::DataType::Float4 => return "float4".into(),
        ast::DataType::Char(_) | ast::DataType::Character(_) => return "bpchar".into(),
        _ => {}
    }
    match crate::sql::binder::cast_type(ty) {
        Ok(DataType::Integer) => "int4",
        Ok(DataType::BigInt) => "int8",
        Ok(DataType::Boolean) => "bool",
        Ok(DataType::Double) => "float8",
        Ok(DataType::Numeric(_)) => "numeric",
        Ok(DataType::Text) => match ty {
            ast::DataType::Varchar(_) | ast::DataType::CharacterVarying(_) => "varchar",
            _ => "text",
        },
        Ok(DataType::Date) => "date",
        Ok(DataType::TimestampTz) => "timestamptz",
        Ok(DataType::Timestamp) => "timestamp",
        Ok(DataType::Interval) => "interval",
        Err(_) => "?column?",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(sql: &str) -> String {
        let e = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .unwrap();
        column_name(&e)
    }

    #[test]
    fn result_columns_are_named_like_postgres() {
        assert_eq!(name_of("substr(a, 1, 2)"), "substr");
        assert_eq!(name_of("substring(a, 1, 2)"), "substring");
        assert_eq!(name_of("substring(a FROM 1)"), "substring");
        assert_eq!(name_of("trim(a)"), "btrim");
        assert_eq!(name_of("trim(leading 'x' from a)"), "ltrim");
        assert_eq!(name_of("trim(trailing 'x' from a)"), "rtrim");
        assert_eq!(name_of("a::date"), "a");
        assert_eq!(name_of("(t.a)::date::text"), "a");
        assert_eq!(name_of("1::text"), "text");
        assert_eq!(name_of("'1'::date::text"), "text");
        assert_eq!(name_of("date '2024-01-01'"), "date");
        assert_eq!(name_of("CAST(CASE WHEN a THEN 1 END AS bigint)"), "int8");
        assert_eq!(name_of("CAST(lower(a) AS int)"), "lower");
        assert_eq!(name_of("true"), "bool");
        assert_eq!(name_of("-a"), "?column?");
        assert_eq!(name_of("1::smallint"), "int2");
        assert_eq!(name_of("(SELECT max(x) FROM t)"), "max");
        assert_eq!(name_of("(SELECT 1 AS a)"), "a");
        assert_eq!(name_of("EXISTS (SELECT 1)"), "exists");
        assert_eq!(name_of("NOT EXISTS (SELECT 1)"), "?column?");
    }
}
