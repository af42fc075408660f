//! PostgreSQL type OIDs and their mapping to crmdb's types: the one place
//! that knows which wire type each [`DataType`] is.

use crmdb_engine::types::{DataType, NumericTypmod};

pub const BOOL: u32 = 16;
pub const INT8: u32 = 20;
pub const INT2: u32 = 21;
pub const INT4: u32 = 23;
pub const TEXT: u32 = 25;
pub const OID: u32 = 26;
pub const FLOAT4: u32 = 700;
pub const FLOAT8: u32 = 701;
pub const UNKNOWN: u32 = 705;
pub const BPCHAR: u32 = 1042;
pub const VARCHAR: u32 = 1043;
pub const DATE: u32 = 1082;
pub const TIMESTAMP: u32 = 1114;
pub const TIMESTAMPTZ: u32 = 1184;
pub const INTERVAL: u32 = 1186;
pub const NUMERIC: u32 = 1700;

/// The OID a column or parameter of type `ty` is described with.
pub fn oid_of(ty: &DataType) -> u32 {
    match ty {
        DataType::Boolean => BOOL,
        DataType::Integer => INT4,
        DataType::BigInt => INT8,
        DataType::Double => FLOAT8,
        DataType::Numeric(_) => NUMERIC,
        DataType::Text => TEXT,
        DataType::Date => DATE,
        DataType::TimestampTz => TIMESTAMPTZ,
        DataType::Timestamp => TIMESTAMP,
        DataType::Interval => INTERVAL,
    }
}

/// pg_type.typlen: the fixed size of the binary form, or -1.
pub fn type_size(ty: &DataType) -> i16 {
    match ty {
        DataType::Boolean => 1,
        DataType::Integer | DataType::Date => 4,
        DataType::BigInt | DataType::Double | DataType::TimestampTz | DataType::Timestamp => 8,
        DataType::Interval => 16,
        DataType::Numeric(_) | DataType::Text => -1,
    }
}

/// The type modifier (atttypmod) of `ty`: NUMERIC(p,s) is
/// `((p << 16) | s) + 4` as in PostgreSQL, everything else -1.
pub fn type_modifier(ty: &DataType) -> i32 {
    match ty {
        DataType::Numeric(Some(NumericTypmod { precision, scale })) => {
            ((i32::from(*precision) << 16) | i32::from(*scale)) + 4
        }
        _ => -1,
    }
}

/// A parameter's type on the wire: the OID it is described with and the
/// engine type its value takes. crmdb has no SMALLINT, REAL or OID type of
/// its own, but drivers declare parameters of them (psycopg sends small
/// Python ints as int2): such a parameter is decoded in its own wire form
/// and then computed with as INTEGER, DOUBLE PRECISION or BIGINT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamType {
    pub oid: u32,
    pub ty: DataType,
}

impl ParamType {
    /// A parameter whose type the server inferred.
    pub fn inferred(ty: DataType) -> Self {
        ParamType {
            oid: oid_of(&ty),
            ty,
        }
    }
}

/// What a parameter type OID from Parse declares: `Ok(None)` when the
/// server is to infer it (0 and `unknown`), `Err` for a type crmdb lacks.
pub fn declared_type(oid: u32) -> Result<Option<ParamType>, u32> {
    let ty = match oid {
        0 | UNKNOWN => return Ok(None),
        BOOL => DataType::Boolean,
        INT8 | OID => DataType::BigInt,
        INT4 | INT2 => DataType::Integer,
        TEXT | VARCHAR | BPCHAR => DataType::Text,
        FLOAT8 | FLOAT4 => DataType::Double,
        NUMERIC => DataType::Numeric(None),
        DATE => DataType::Date,
        TIMESTAMPTZ => DataType::TimestampTz,
        TIMESTAMP => DataType::Timestamp,
        INTERVAL => DataType::Interval,
        other => return Err(other),
    };
    Ok(Some(ParamType { oid, ty }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_oid() {
        for ty in [
            DataType::Boolean,
            DataType::Integer,
            DataType::BigInt,
            DataType::Double,
            DataType::Numeric(None),
            DataType::Text,
            DataType::Date,
            DataType::TimestampTz,
            DataType::Timestamp,
            DataType::Interval,
        ] {
            assert_eq!(
                declared_type(oid_of(&ty)),
                Ok(Some(ParamType::inferred(ty)))
            );
        }
        assert_eq!(declared_type(0), Ok(None));
        for (narrow, ty) in [
            (INT2, DataType::Integer),
            (FLOAT4, DataType::Double),
            (OID, DataType::BigInt),
        ] {
            assert_eq!(
                declared_type(narrow),
                Ok(Some(ParamType { oid: narrow, ty }))
            );
        }
        assert_eq!(declared_type(17), Err(17));
    }

    #[test]
    fn numeric_typmod_is_postgres_encoding() {
        let ty = DataType::Numeric(Some(NumericTypmod {
            precision: 12,
            scale: 2,
        }));
        assert_eq!(type_modifier(&ty), (12 << 16 | 2) + 4);
        assert_eq!(type_modifier(&DataType::Numeric(None)), -1);
    }
}
