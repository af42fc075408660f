//! [`ColumnIndex`]: the indexes one column of one segment carries in its
//! index area, how they are built while the segment is written, and how
//! the area's entries are encoded and decoded.
//!
//! Integer-like columns (INTEGER, BIGINT, DATE, TIMESTAMPTZ, NUMERIC(p,s)
//! whose mantissas fit an i64) get a [`Bsi`]; the others (TEXT, BOOLEAN,
//! DOUBLE, unconstrained NUMERIC) get [`ValueBitmaps`] when they have at
//! most [`MAX_DISTINCT_VALUES`] distinct values. docs/file-formats.md
//! describes the bytes.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use super::{Bsi, MAX_DISTINCT_VALUES, ValueBitmaps};
use crate::row::{DecodeError, Reader, encode_value};
use crate::types::{DataType, Numeric, Value};

/// Index-area entry kinds.
pub mod entry_kind {
    /// [`super::ValueBitmaps`].
    pub const VALUE_BITMAPS: u16 = 1;
    /// [`super::Bsi`].
    pub const BSI: u16 = 2;
    /// No bytes: the column is indexed, but no structure fits it (too
    /// many distinct values for value bitmaps, not integer-like for a
    /// BSI); queries scan it.
    pub const NO_STRUCTURE_FITS: u16 = 3;
}

/// The indexes of one column of one segment (either may be absent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnIndex {
    /// Whether the segment was written with the column indexed (even if
    /// no structure fits it); an index created later is built by
    /// compaction for the segments written before it.
    pub declared: bool,
    pub values: Option<ValueBitmaps>,
    pub bsi: Option<Bsi>,
}

impl ColumnIndex {
    /// Whether the column has any index.
    pub fn is_empty(&self) -> bool {
        self.values.is_none() && self.bsi.is_none()
    }

    /// The (kind, bytes) entries of the index area.
    pub fn entries(&self) -> Vec<(u16, Vec<u8>)> {
        let mut out = Vec::new();
        if let Some(v) = &self.values {
            let mut bytes = Vec::new();
            v.encode(&mut bytes);
            out.push((entry_kind::VALUE_BITMAPS, bytes));
        }
        if let Some(b) = &self.bsi {
            let mut bytes = Vec::new();
            b.encode(&mut bytes);
            out.push((entry_kind::BSI, bytes));
        }
        if self.declared && out.is_empty() {
            out.push((entry_kind::NO_STRUCTURE_FITS, Vec::new()));
        }
        out
    }

    /// Adds the entry `kind` of `bytes`; unknown kinds are skipped (later
    /// versions may add some), a kind seen twice is an error.
    pub fn add_entry(&mut self, kind: u16, bytes: &[u8]) -> Result<(), DecodeError> {
        if matches!(
            kind,
            entry_kind::VALUE_BITMAPS | entry_kind::BSI | entry_kind::NO_STRUCTURE_FITS
        ) {
            self.declared = true;
        }
        match kind {
            entry_kind::VALUE_BITMAPS if self.values.is_none() => {
                self.values = Some(ValueBitmaps::decode(bytes)?);
            }
            entry_kind::BSI if self.bsi.is_none() => self.bsi = Some(Bsi::decode(bytes)?),
            entry_kind::NO_STRUCTURE_FITS if bytes.is_empty() => {}
            entry_kind::VALUE_BITMAPS | entry_kind::BSI | entry_kind::NO_STRUCTURE_FITS => {
                return Err(Reader::new(bytes).error(format!(
                    "index kind {kind} appears twice or with bytes it cannot have"
                )));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks the indexes against the column they index: every row that is
    /// not NULL (and only those) is in exactly the value bitmaps' union and
    /// the BSI's existence bitmap; values fit the column's type.
    pub fn check(&self, ty: &DataType, rows: u32, nulls: &RoaringBitmap) -> Result<(), String> {
        let mut present = RoaringBitmap::new();
        present.insert_range(0..rows);
        present -= nulls;
        if let Some(v) = &self.values {
            let mut union = RoaringBitmap::new();
            for (value, b) in v.groups() {
                if !value.fits(ty) && !matches!(ty, DataType::Numeric(_)) {
                    return Err(format!("value bitmap of a {value:?} in a {ty} column"));
                }
                if !union.is_disjoint(b) {
                    return Err("value bitmaps overlap".into());
                }
                union |= b;
            }
            if union != present {
                return Err("value bitmaps do not cover exactly the non-NULL rows".into());
            }
        }
        if let Some(b) = &self.bsi {
            if bsi_scale(ty).is_none() {
                return Err(format!("a bit-sliced index on a {ty} column"));
            }
            if *b.exists() != present {
                return Err("bit-sliced index does not cover exactly the non-NULL rows".into());
            }
        }
        Ok(())
    }
}

/// For types a BSI can index: `Some(scale)` of the i64 it stores (0 for
/// integer-like types, s for NUMERIC(p,s)).
pub fn bsi_scale(ty: &DataType) -> Option<u8> {
    match ty {
        DataType::Integer | DataType::BigInt | DataType::Date | DataType::TimestampTz => Some(0),
        DataType::Numeric(Some(t)) => Some(t.scale),
        _ => None,
    }
}

/// The i64 a BSI of a `ty` column stores for `v`, if `v` has exactly
/// such a representation (a NUMERIC constant with more digits than the
/// column's scale, or one too large, has none).
pub fn bsi_key(ty: &DataType, v: &Value) -> Option<i64> {
    match (ty, v) {
        (DataType::Integer, Value::Integer(x)) | (DataType::Date, Value::Date(x)) => {
            Some(i64::from(*x))
        }
        (DataType::BigInt, Value::BigInt(x)) | (DataType::TimestampTz, Value::TimestampTz(x)) => {
            Some(*x)
        }
        (DataType::Numeric(Some(t)), Value::Numeric(n)) => numeric_key(n, t.scale),
        _ => None,
    }
}

fn numeric_key(n: &Numeric, scale: u8) -> Option<i64> {
    let at = n.rescale(scale)?;
    // Rescaling rounds: only an exact representation is the same number.
    if at.cmp(n) != std::cmp::Ordering::Equal {
        return None;
    }
    i64::try_from(at.mantissa()).ok()
}

/// Collects one column's values while a segment is written and builds its
/// [`ColumnIndex`] at the end.
pub struct IndexBuilder {
    ty: DataType,
    /// BSI input, while every value so far has a key.
    keys: Option<Vec<(u32, i64)>>,
    /// Value bitmaps by the value's encoding, while few enough.
    groups: Option<HashMap<Vec<u8>, (Value, RoaringBitmap)>>,
}

impl IndexBuilder {
    pub fn new(ty: DataType) -> Self {
        let bsi = bsi_scale(&ty).is_some();
        IndexBuilder {
            ty,
            keys: bsi.then(Vec::new),
            groups: (!bsi).then(HashMap::new),
        }
    }

    /// Adds the value of row `pos` (NULLs are the null bitmap's business).
    pub fn push(&mut self, pos: u32, v: &Value) {
        if v.is_null() {
            return;
        }
        if let Some(keys) = &mut self.keys {
            match bsi_key(&self.ty, v) {
                Some(k) => keys.push((pos, k)),
                None => self.keys = None,
            }
        }
        if let Some(groups) = &mut self.groups {
            let mut enc = Vec::new();
            encode_value(v, &mut enc);
            if let Some((_, b)) = groups.get_mut(&enc) {
                b.insert(pos);
            } else if groups.len() < MAX_DISTINCT_VALUES {
                groups.insert(enc, (v.clone(), RoaringBitmap::from_iter([pos])));
            } else {
                // Equal values may have several encodings (1.5 and 1.50),
                // so this is a conservative cut; a scan does the rest.
                self.groups = None;
            }
        }
    }

    pub fn finish(self) -> ColumnIndex {
        ColumnIndex {
            declared: true,
            bsi: self.keys.map(|k| Bsi::build(k.iter().copied())),
            values: self
                .groups
                .and_then(|g| ValueBitmaps::from_groups(g.into_values())),
        }
    }
}
