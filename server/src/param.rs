//! Bind parameter values: text or binary bytes of a declared wire type
//! ([`ParamType`]) to the engine [`Value`] they stand for.

use crmdb_engine::types::{SessionTimeZone, Value, parse_value};

use crate::binary;
use crate::oid::{self, ParamType};
use crate::worker::{Failure, error_info};

/// Decodes parameter `$index` (1-based) from its bytes.
pub fn decode(
    bytes: &[u8],
    binary_format: bool,
    param: &ParamType,
    index: usize,
    tz: &SessionTimeZone,
) -> Result<Value, Failure> {
    if binary_format {
        return decode_binary(bytes, param)
            .map_err(|e| error_info(e.code, format!("{} (parameter ${index})", e.message)));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| error_info("22021", "invalid byte sequence for encoding \"UTF8\""))?;
    let value = parse_value(text, &param.ty, tz).map_err(|e| {
        let mut info = error_info(e.sqlstate(), e.message());
        info.detail = e.detail().map(str::to_owned);
        info.hint = e.hint().map(str::to_owned);
        info
    })?;
    narrow_text(text, value, param)
}

/// The binary forms of the narrow wire types; the rest are the engine
/// type's own.
fn decode_binary(bytes: &[u8], param: &ParamType) -> Result<Value, binary::DecodeError> {
    let sized = |n: usize, name: &str| -> Result<&[u8], binary::DecodeError> {
        if bytes.len() == n {
            Ok(bytes)
        } else {
            Err(binary::DecodeError {
                code: "22P03",
                message: format!(
                    "incorrect binary data format: expected {n} bytes for type {name}, got {}",
                    bytes.len()
                ),
            })
        }
    };
    Ok(match param.oid {
        oid::INT2 => Value::Integer(
            i16::from_be_bytes(sized(2, "smallint")?.try_into().expect("2 bytes")).into(),
        ),
        oid::FLOAT4 => {
            Value::Double(f32::from_be_bytes(sized(4, "real")?.try_into().expect("4 bytes")).into())
        }
        oid::OID => {
            Value::BigInt(u32::from_be_bytes(sized(4, "oid")?.try_into().expect("4 bytes")).into())
        }
        _ => binary::decode(bytes, &param.ty)?,
    })
}

/// Range checks and rounding of the narrow wire types for a value parsed
/// as its wider engine type.
fn narrow_text(text: &str, value: Value, param: &ParamType) -> Result<Value, Failure> {
    let out_of_range = |name: &str| {
        error_info(
            "22003",
            format!("value \"{text}\" is out of range for type {name}"),
        )
    };
    Ok(match (param.oid, value) {
        (oid::INT2, Value::Integer(i)) => {
            i16::try_from(i).map_err(|_| out_of_range("smallint"))?;
            Value::Integer(i)
        }
        (oid::FLOAT4, Value::Double(f)) => {
            let narrow = f as f32;
            if narrow.is_infinite() && f.is_finite() {
                return Err(out_of_range("real"));
            }
            Value::Double(narrow.into())
        }
        // PostgreSQL's oidin takes -2147483648..4294967295, negative values
        // wrapping around.
        (oid::OID, Value::BigInt(i)) => match i {
            0..=0xFFFF_FFFF => Value::BigInt(i),
            -0x8000_0000..0 => Value::BigInt(i + (1 << 32)),
            _ => return Err(out_of_range("oid")),
        },
        (_, value) => value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crmdb_engine::types::DataType;

    fn param(wire: u32) -> ParamType {
        oid::declared_type(wire).unwrap().unwrap()
    }

    fn text(s: &str, wire: u32) -> Result<Value, Failure> {
        decode(
            s.as_bytes(),
            false,
            &param(wire),
            1,
            &SessionTimeZone::utc(),
        )
    }

    fn bin(b: &[u8], wire: u32) -> Result<Value, Failure> {
        decode(b, true, &param(wire), 1, &SessionTimeZone::utc())
    }

    #[test]
    fn narrow_types_decode_in_their_own_binary_width() {
        assert_eq!(
            bin(&(-7i16).to_be_bytes(), oid::INT2).unwrap(),
            Value::Integer(-7)
        );
        assert_eq!(
            bin(&1.5f32.to_be_bytes(), oid::FLOAT4).unwrap(),
            Value::Double(1.5)
        );
        assert_eq!(
            bin(&u32::MAX.to_be_bytes(), oid::OID).unwrap(),
            Value::BigInt(4_294_967_295)
        );
        assert_eq!(
            bin(&7i32.to_be_bytes(), oid::INT2).unwrap_err().code,
            "22P03"
        );
        assert_eq!(
            bin(&7i32.to_be_bytes(), oid::INT4).unwrap(),
            Value::Integer(7)
        );
    }

    #[test]
    fn narrow_types_check_their_range_in_text() {
        assert_eq!(text("32767", oid::INT2).unwrap(), Value::Integer(32767));
        assert_eq!(text("32768", oid::INT2).unwrap_err().code, "22003");
        assert_eq!(
            text("0.1", oid::FLOAT4).unwrap(),
            Value::Double(0.1f32.into())
        );
        assert_eq!(text("1e300", oid::FLOAT4).unwrap_err().code, "22003");
        assert_eq!(text("-1", oid::OID).unwrap(), Value::BigInt(4_294_967_295));
        assert_eq!(text("4294967296", oid::OID).unwrap_err().code, "22003");
        assert_eq!(
            param(oid::OID),
            ParamType {
                oid: oid::OID,
                ty: DataType::BigInt
            }
        );
    }
}
