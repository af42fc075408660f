//! `generate_series(start, stop [, step])` as a FROM item, over integers
//! known when the statement is planned (constants, and functions of
//! constants such as `array_upper(current_schemas(false), 1)`, which
//! pgjdbc's type lookup uses): its rows become VALUES. A series over
//! columns or parameters is refused (0A000), as is one of more than
//! [`MAX_ROWS`] rows.

use sqlparser::ast;

use crate::types::{DataType, Value};

use super::binder::{AggMode, Binder, Scope, Ty, ident_name};
use super::error::{SqlError, SqlResult};
use super::expr::{EvalContext, Expr};
use super::plan::Plan;
use super::planner::scope_of;
use super::result::Column;

/// The most rows a planned series may have.
pub const MAX_ROWS: i64 = 1_000_000;

/// The plan and scope of a `generate_series(…)` FROM item; None for any
/// other FROM item.
pub(crate) fn table_factor(
    b: &mut Binder,
    t: &ast::TableFactor,
) -> SqlResult<Option<(Plan, Scope)>> {
    let ast::TableFactor::Table {
        name,
        alias,
        args: Some(args),
        ..
    } = t
    else {
        return Ok(None);
    };
    let names: Vec<String> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident().map(ident_name))
        .collect();
    let is_series = match names.as_slice() {
        [n] => n == "generate_series",
        [s, n] => s == "pg_catalog" && n == "generate_series",
        _ => false,
    };
    if !is_series {
        return Ok(None);
    }
    let mut bounds = Vec::new();
    let mut ty = DataType::Integer;
    for arg in &args.args {
        let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) = arg else {
            return Err(SqlError::unsupported(format!(
                "generate_series argument {arg}"
            )));
        };
        let bound = b.bind(e, &Scope::default(), &mut AggMode::Forbidden("FROM"))?;
        if matches!(bound.ty, Ty::Known(DataType::BigInt)) {
            ty = DataType::BigInt;
        }
        let expr = b.coerce(bound, DataType::BigInt)?;
        let ctx = EvalContext {
            params: &[],
            time_zone: b.time_zone,
            now: b.now,
        };
        match expr.eval(&[], &ctx) {
            Ok(Value::BigInt(n)) => bounds.push(Some(n)),
            Ok(Value::Null) => bounds.push(None),
            _ => {
                return Err(SqlError::unsupported(
                    "generate_series over values not known when the statement is planned",
                ));
            }
        }
    }
    let (start, stop, step) = match bounds.as_slice() {
        [a, b] => (*a, *b, Some(1)),
        [a, b, s] => (*a, *b, *s),
        _ => {
            return Err(SqlError::unsupported(
                "generate_series of other than integers",
            ));
        }
    };
    let rows = series(start, stop, step)?;
    let value = |n: i64| match ty {
        DataType::Integer => Value::Integer(n as i32),
        _ => Value::BigInt(n),
    };
    let qualifier = alias
        .as_ref()
        .map(|a| ident_name(&a.name))
        .unwrap_or_else(|| "generate_series".into());
    let renames: Vec<String> = alias
        .as_ref()
        .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
        .unwrap_or_default();
    // As in PostgreSQL, an alias without a column list names the column.
    let columns = [Column {
        name: alias
            .as_ref()
            .map(|a| ident_name(&a.name))
            .unwrap_or_else(|| "generate_series".into()),
        ty,
    }];
    let plan = Plan::Values {
        rows: rows
            .into_iter()
            .map(|n| vec![Expr::Literal(value(n))])
            .collect(),
    };
    Ok(Some((plan, scope_of(&columns, &qualifier, &renames))))
}

/// The values from `start` to `stop` by `step`; none if an argument is
/// NULL, 22023 for a zero step, as PostgreSQL.
fn series(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> SqlResult<Vec<i64>> {
    let (Some(start), Some(stop), Some(step)) = (start, stop, step) else {
        return Ok(Vec::new());
    };
    if step == 0 {
        return Err(SqlError::new(
            super::error::code::INVALID_PARAMETER_VALUE,
            "step size cannot equal zero",
        ));
    }
    let count = if (step > 0 && stop < start) || (step < 0 && stop > start) {
        0
    } else {
        (i128::from(stop) - i128::from(start)) / i128::from(step) + 1
    };
    if count > i128::from(MAX_ROWS) {
        return Err(SqlError::unsupported(format!(
            "generate_series of more than {MAX_ROWS} rows"
        )));
    }
    Ok((0..count as i64).map(|k| start + k * step).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_count_like_postgres() {
        assert_eq!(series(Some(1), Some(3), Some(1)).unwrap(), [1, 2, 3]);
        assert_eq!(series(Some(5), Some(1), Some(-2)).unwrap(), [5, 3, 1]);
        assert!(series(Some(3), Some(1), Some(1)).unwrap().is_empty());
        assert!(series(None, Some(1), Some(1)).unwrap().is_empty());
        assert_eq!(series(Some(1), Some(2), Some(0)).unwrap_err().code, "22023");
        assert_eq!(
            series(Some(0), Some(i64::MAX), Some(1)).unwrap_err().code,
            "0A000"
        );
    }
}
