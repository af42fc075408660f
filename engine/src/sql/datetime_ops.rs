//! The date/time arithmetic operators PostgreSQL has for crmdb's types, and
//! how an operator is chosen for given operand types (PostgreSQL's operator
//! resolution, reduced to this table): an exact match first, an unknown
//! literal taken as the other operand's type; otherwise the candidates the
//! operands convert to implicitly, those with the most exact matches; more
//! than one left is ambiguous (`date + '1 day'`, as in PostgreSQL).

use crate::types::DataType;

use super::expr::ArithOp;

/// An operand type as the binder knows it: known, or an untyped literal.
pub type OperandType = Option<DataType>;

/// (left, operator, right) → result.
type Operator = (DataType, ArithOp, DataType, DataType);

const OPERATORS: &[Operator] = {
    use ArithOp::*;
    use DataType::*;
    &[
        (Date, Add, Integer, Date),
        (Integer, Add, Date, Date),
        (Date, Sub, Integer, Date),
        (Date, Sub, Date, Integer),
        (Date, Add, Interval, Timestamp),
        (Interval, Add, Date, Timestamp),
        (Date, Sub, Interval, Timestamp),
        (Timestamp, Add, Interval, Timestamp),
        (Interval, Add, Timestamp, Timestamp),
        (Timestamp, Sub, Interval, Timestamp),
        (Timestamp, Sub, Timestamp, Interval),
        (TimestampTz, Add, Interval, TimestampTz),
        (Interval, Add, TimestampTz, TimestampTz),
        (TimestampTz, Sub, Interval, TimestampTz),
        (TimestampTz, Sub, TimestampTz, Interval),
        (Interval, Add, Interval, Interval),
        (Interval, Sub, Interval, Interval),
        (Interval, Mul, Double, Interval),
        (Double, Mul, Interval, Interval),
        (Interval, Div, Double, Interval),
    ]
};

fn is_datetime(t: OperandType) -> bool {
    matches!(
        t,
        Some(DataType::Date | DataType::Timestamp | DataType::TimestampTz | DataType::Interval)
    )
}

/// What resolution found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Coerce the operands to these types; the result has the third.
    Operator(DataType, DataType, DataType),
    /// Several candidates fit equally (42725).
    Ambiguous,
    /// No date/time operator applies: the operands are not date/time
    /// values, or no candidate takes them.
    NoneFound,
}

/// Chooses the date/time operator for `left op right`; `implicit(from, to)`
/// says whether a type converts implicitly.
pub fn resolve(
    left: OperandType,
    op: ArithOp,
    right: OperandType,
    implicit: impl Fn(DataType, DataType) -> bool,
) -> Resolution {
    if !is_datetime(left) && !is_datetime(right) {
        return Resolution::NoneFound;
    }
    let candidates = OPERATORS.iter().filter(|c| c.1 == op);
    // An unknown literal is first taken as the other operand's type.
    let (l, r) = (left.or(right), right.or(left));
    if let Some(c) = candidates
        .clone()
        .find(|c| Some(c.0) == l && Some(c.2) == r)
    {
        return Resolution::Operator(c.0, c.2, c.3);
    }
    let fits = |have: OperandType, want: DataType| match have {
        None => Some(0),
        Some(t) if t == want => Some(1),
        Some(t) if implicit(t, want) => Some(0),
        Some(_) => None,
    };
    let scored: Vec<(usize, &Operator)> = candidates
        .filter_map(|c| Some((fits(left, c.0)? + fits(right, c.2)?, c)))
        .collect();
    let Some(best) = scored.iter().map(|(s, _)| *s).max() else {
        return Resolution::NoneFound;
    };
    let mut winners = scored.iter().filter(|(s, _)| *s == best);
    match (winners.next(), winners.next()) {
        (Some((_, c)), None) => Resolution::Operator(c.0, c.2, c.3),
        _ => Resolution::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    fn implicit(from: DataType, to: DataType) -> bool {
        matches!(
            (from, to),
            (Date, Timestamp | TimestampTz)
                | (Timestamp, TimestampTz)
                | (Integer | BigInt | Numeric(_), Double)
        )
    }

    fn r(l: OperandType, op: ArithOp, rt: OperandType) -> Resolution {
        resolve(l, op, rt, implicit)
    }

    /// Choices checked against PostgreSQL 15 (`pg_typeof` of the result).
    #[test]
    fn resolution_follows_postgres() {
        use ArithOp::*;
        use Resolution::*;
        assert_eq!(
            r(Some(TimestampTz), Sub, None),
            Operator(TimestampTz, TimestampTz, Interval)
        );
        assert_eq!(
            r(Some(TimestampTz), Add, None),
            Operator(TimestampTz, Interval, TimestampTz)
        );
        assert_eq!(r(Some(Date), Add, None), Ambiguous);
        assert_eq!(
            r(Some(Date), Sub, Some(Date)),
            Operator(Date, Date, Integer)
        );
        assert_eq!(
            r(Some(Date), Sub, Some(Timestamp)),
            Operator(Timestamp, Timestamp, Interval)
        );
        assert_eq!(
            r(Some(Integer), Mul, Some(Interval)),
            Operator(Double, Interval, Interval)
        );
        assert_eq!(
            r(None, Add, Some(Interval)),
            Operator(Interval, Interval, Interval)
        );
        assert_eq!(r(Some(Interval), Add, Some(Integer)), NoneFound);
        assert_eq!(r(Some(Integer), Add, Some(Integer)), NoneFound);
    }
}
