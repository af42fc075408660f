//! Round trips through a real file: every type, NULLs, extremes, both TEXT
//! encodings, empty and tiny segments, key search, min/max, and random rows.

use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::error::Error;
use crate::row::{Row, encode_key};
use crate::types::{DataType, Numeric, NumericTypmod, Value};
use crate::vfs::DiskVfs;

pub fn vfs() -> (tempfile::TempDir, DiskVfs) {
    let dir = tempfile::tempdir().expect("temp dir");
    let vfs = DiskVfs::new(dir.path()).expect("vfs");
    (dir, vfs)
}

/// The key of row `i`: a BIGINT primary key.
pub fn key_of(i: usize) -> Vec<u8> {
    let mut k = Vec::new();
    encode_key(&[&Value::BigInt(i as i64)], &mut k);
    k
}

pub fn write(vfs: &DiskVfs, name: &str, types: &[DataType], rows: &[Vec<Value>]) -> SegmentInfo {
    let mut it = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key_of(i), Row::from(r.clone())));
    write_segment(vfs, name, types, &[], &mut it).expect("write")
}

/// Values compared so that NaN equals NaN and -0.0 differs from 0.0.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::Numeric(x), Value::Numeric(y)) => {
            x.mantissa() == y.mantissa() && x.scale() == y.scale()
        }
        _ => a == b,
    }
}

/// Checks every accessor of `seg` against `rows`.
fn check(seg: &Segment, types: &[DataType], rows: &[Vec<Value>]) {
    assert_eq!(seg.row_count() as usize, rows.len());
    assert_eq!(seg.column_types(), types);
    for (pos, row) in rows.iter().enumerate() {
        let pos = pos as u32;
        let got = seg.row(pos);
        assert_eq!(got.len(), row.len());
        for (col, want) in row.iter().enumerate() {
            assert!(
                same(&got[col], want),
                "row {pos} col {col}: {:?} != {want:?}",
                got[col]
            );
            assert!(same(&seg.value(col, pos), want));
            match want {
                Value::Text(t) => assert_eq!(seg.text(col, pos), Some(t.as_str())),
                _ => assert_eq!(seg.text(col, pos), None),
            }
        }
        assert_eq!(seg.key(pos), key_of(pos as usize));
        assert_eq!(seg.find_key(&key_of(pos as usize)), Some(pos));
    }
    for col in 0..types.len() {
        let mut seen = 0;
        seg.scan_column(col, |pos, v| {
            assert_eq!(pos, seen);
            assert!(
                same(&v, &rows[pos as usize][col]),
                "scan row {pos} col {col}"
            );
            seen += 1;
        });
        assert_eq!(seen as usize, rows.len());
        let nulls: Vec<u32> = (0..rows.len() as u32)
            .filter(|&p| rows[p as usize][col].is_null())
            .collect();
        assert_eq!(seg.nulls(col).iter().collect::<Vec<_>>(), nulls);
        let mut live = rows.iter().map(|r| &r[col]).filter(|v| !v.is_null());
        let expected = live.next().map(|first| {
            live.fold((first, first), |(lo, hi), v| {
                let lo = if encode::compare(v, lo).is_lt() {
                    v
                } else {
                    lo
                };
                let hi = if encode::compare(v, hi).is_gt() {
                    v
                } else {
                    hi
                };
                (lo, hi)
            })
        });
        check_keys(seg, col, &types[col], rows);
        match (seg.min_max(col), expected) {
            (None, None) => {}
            (Some((lo, hi)), Some((elo, ehi))) => {
                assert!(encode::compare(&lo, elo).is_eq(), "min of col {col}");
                assert!(encode::compare(&hi, ehi).is_eq(), "max of col {col}");
            }
            (got, want) => panic!("col {col}: min/max {got:?}, expected {want:?}"),
        }
    }
}

/// `Segment::keys` of every non-NULL row, and of every third, against the
/// key of the value each row holds.
fn check_keys(seg: &Segment, col: usize, ty: &DataType, rows: &[Vec<Value>]) {
    let present: Vec<u32> = (0..rows.len() as u32)
        .filter(|&p| !rows[p as usize][col].is_null())
        .collect();
    for step in [1, 3] {
        let picked: Vec<u32> = present.iter().copied().step_by(step).collect();
        let want: Option<Vec<i64>> = std::iter::once(Some(-1))
            .chain(
                picked
                    .iter()
                    .map(|&p| crate::index::bsi_key(ty, &rows[p as usize][col])),
            )
            .collect();
        let mut got = vec![-1];
        let complete = seg.keys(col, &picked.iter().copied().collect(), &mut got);
        match want {
            Some(want) => {
                assert!(complete, "col {col}: keys of a {ty} column");
                assert_eq!(got, want, "col {col}: keys appended in position order");
            }
            None => assert!(!complete, "col {col}: a value without a key"),
        }
    }
}

#[test]
fn keys_of_many_rows_are_gathered_in_position_order() {
    // Enough rows for the gather to be split across threads.
    let rows: Vec<Vec<Value>> = (0..200_000i64)
        .map(|i| {
            let n = |v: Value| if i % 7 == 3 { Value::Null } else { v };
            vec![
                n(Value::Integer((i * 7_919 % 100_003) as i32 - 50_000)),
                n(Value::BigInt(i * 1_000_003 - 17)),
                n(num(i128::from(i % 50_000) * 3 - 20_000, 2)),
            ]
        })
        .collect();
    let types = [
        DataType::Integer,
        DataType::BigInt,
        DataType::Numeric(Some(NumericTypmod {
            precision: 12,
            scale: 2,
        })),
    ];
    let (_dir, vfs) = vfs();
    write(&vfs, "seg", &types, &rows);
    let seg = Segment::open(&vfs, "seg").expect("open");
    for (col, ty) in types.iter().enumerate() {
        check_keys(&seg, col, ty, &rows);
    }
}

#[test]
fn runs_of_integer_columns_in_order() {
    // 0: INTEGER in order (runs of 1..=5 rows), 1: BIGINT out of order
    // once, 2: BIGINT in order with a NULL, 3: TEXT in order.
    let mut rows = Vec::new();
    for i in 0..3_000i64 {
        for _ in 0..=(i % 5) {
            let r = rows.len() as i64;
            rows.push(vec![
                Value::Integer(i as i32 * 3 - 4_000),
                Value::BigInt(if r == 2_000 { -1 } else { r }),
                if r == 77 {
                    Value::Null
                } else {
                    Value::BigInt(r)
                },
                text(&format!("{r:08}")),
            ]);
        }
    }
    let types = [
        DataType::Integer,
        DataType::BigInt,
        DataType::BigInt,
        DataType::Text,
    ];
    let (_dir, vfs) = vfs();
    write(&vfs, "seg", &types, &rows);
    let seg = Segment::open(&vfs, "seg").expect("open");
    for x in [-4_001, -4_000, -3_999, -3_997, 0, 2, 4_994, 4_995, 5_000] {
        let expected: Vec<u32> = (0..rows.len() as u32)
            .filter(|&p| rows[p as usize][0] == Value::Integer(x as i32))
            .collect();
        let run = seg.run_of(0, x).expect("in order");
        assert_eq!(run.clone().collect::<Vec<_>>(), expected, "{x}");
        assert!(expected.is_empty() || expected.len() as i64 == (x + 4_000) / 3 % 5 + 1);
    }
    for col in 1..4 {
        assert_eq!(seg.run_of(col, 5), None, "column {col}");
    }
}

fn round_trip(types: &[DataType], rows: &[Vec<Value>]) -> Segment {
    let (_dir, vfs) = vfs();
    let info = write(&vfs, "seg", types, rows);
    assert_eq!(info.rows as usize, rows.len());
    assert_eq!(
        info.bytes,
        std::fs::metadata(vfs.root().join("seg")).unwrap().len()
    );
    let seg = Segment::open(&vfs, "seg").expect("open");
    assert_eq!(seg.name(), "seg");
    check(&seg, types, rows);
    seg
}

fn num(m: i128, s: u8) -> Value {
    Value::Numeric(Numeric::new(m, s).unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

const ALL_TYPES: [DataType; 9] = [
    DataType::Boolean,
    DataType::Integer,
    DataType::BigInt,
    DataType::Double,
    DataType::Numeric(None),
    DataType::Numeric(Some(NumericTypmod {
        precision: 38,
        scale: 2,
    })),
    DataType::Text,
    DataType::Date,
    DataType::TimestampTz,
];

#[test]
fn every_type_round_trips_with_nulls_and_extremes() {
    let max38 = 10i128.pow(38) - 1;
    let rows = vec![
        vec![
            Value::Boolean(true),
            Value::Integer(i32::MIN),
            Value::BigInt(i64::MIN),
            Value::Double(f64::NAN),
            num(max38, 0),
            num(-max38, 2),
            text(""),
            Value::Date(i32::MIN),
            Value::TimestampTz(i64::MIN),
        ],
        vec![Value::Null; 9],
        vec![
            Value::Boolean(false),
            Value::Integer(i32::MAX),
            Value::BigInt(i64::MAX),
            Value::Double(-0.0),
            num(-5, 38),
            num(max38, 2),
            text("a\0b zoë 日本 🦀"),
            Value::Date(i32::MAX),
            Value::TimestampTz(i64::MAX),
        ],
        vec![
            Value::Null,
            Value::Integer(0),
            Value::BigInt(0),
            Value::Double(f64::INFINITY),
            num(15, 1),
            num(0, 2),
            text("\0"),
            Value::Date(0),
            Value::TimestampTz(0),
        ],
        vec![
            Value::Boolean(true),
            Value::Null,
            Value::Null,
            Value::Double(f64::NEG_INFINITY),
            Value::Null,
            num(-1, 2),
            Value::Null,
            Value::Null,
            Value::Null,
        ],
    ];
    let seg = round_trip(&ALL_TYPES, &rows);
    // NaN sorts above infinity, as in PostgreSQL.
    let (lo, hi) = seg.min_max(3).unwrap();
    assert_eq!(lo, Value::Double(f64::NEG_INFINITY));
    assert!(matches!(hi, Value::Double(x) if x.is_nan()));
    assert_eq!(seg.min_max(6), Some((text(""), text("a\0b zoë 日本 🦀"))));
}

#[test]
fn numeric_columns_use_narrow_wide_and_per_value_layouts() {
    let narrow = [num(1, 3), num(-2, 3), Value::Null, num(i64::MAX as i128, 3)];
    let wide = [
        num(1, 0),
        num(i64::MIN as i128 - 1, 0),
        Value::Null,
        num(7, 0),
    ];
    let mixed = [num(15, 1), num(150, 2), Value::Null, num(-1, 38)];
    let rows: Vec<Vec<Value>> = (0..4)
        .map(|i| vec![narrow[i].clone(), wide[i].clone(), mixed[i].clone()])
        .collect();
    let seg = round_trip(&[DataType::Numeric(None); 3], &rows);
    assert_eq!(seg.layout_name(0), "numeric i64 common scale");
    assert_eq!(seg.layout_name(1), "numeric i128 common scale");
    assert_eq!(seg.layout_name(2), "numeric i64 per-value scale");
}

#[test]
fn text_uses_a_dictionary_when_values_repeat() {
    let words = ["b", "", "a\0", "ß", "a"];
    let rows: Vec<Vec<Value>> = (0..50)
        .map(|i| match i % 7 {
            3 => vec![Value::Null, text(&format!("u{i}"))],
            _ => vec![text(words[i % words.len()]), text(&format!("unique {i} ✓"))],
        })
        .collect();
    let seg = round_trip(&[DataType::Text, DataType::Text], &rows);
    assert_eq!(seg.layout_name(0), "text dictionary u8");
    assert_eq!(seg.layout_name(1), "text plain");
    assert_eq!(seg.min_max(0), Some((text(""), text("ß"))));

    // More than 256 distinct values need u16 codes.
    let rows: Vec<Vec<Value>> = (0..1000)
        .map(|i| vec![text(&format!("v{}", i % 300))])
        .collect();
    let seg = round_trip(&[DataType::Text], &rows);
    assert_eq!(seg.layout_name(0), "text dictionary u16");
}

#[test]
fn zero_and_one_row_segments() {
    let seg = round_trip(&ALL_TYPES, &[]);
    assert_eq!(seg.find_key(&key_of(0)), None);
    assert_eq!(seg.find_key(&[]), None);
    for col in 0..ALL_TYPES.len() {
        assert_eq!(seg.min_max(col), None);
        assert!(seg.nulls(col).is_empty());
    }
    round_trip(&ALL_TYPES, &[vec![Value::Null; 9]]);
    round_trip(&[DataType::Text], &[vec![text("only")]]);
    round_trip(&[], &[vec![], vec![]]);
}

#[test]
fn find_key_hits_and_misses() {
    let (_dir, vfs) = vfs();
    // Keys 0, 10, 20, ... so that the odd ones in between miss.
    let keys: Vec<Vec<u8>> = (0..1000).map(|i| key_of(i * 10)).collect();
    let mut it = keys
        .iter()
        .map(|k| (k.clone(), Row::from(vec![Value::Integer(1)])));
    write_segment(&vfs, "s", &[DataType::Integer], &[], &mut it).unwrap();
    let seg = Segment::open(&vfs, "s").unwrap();
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(seg.find_key(k), Some(i as u32));
        assert_eq!(seg.find_key(&key_of(i * 10 + 5)), None);
    }
    assert_eq!(seg.find_key(&[]), None);
    assert_eq!(seg.find_key(&[0xFF; 20]), None);
}

#[test]
fn writer_rejects_bad_input() {
    let (_dir, vfs) = vfs();
    let row = |v: Value| Row::from(vec![v]);
    let mut unsorted = vec![
        (key_of(2), row(Value::Integer(1))),
        (key_of(1), row(Value::Integer(2))),
    ]
    .into_iter();
    let err = write_segment(&vfs, "a", &[DataType::Integer], &[], &mut unsorted).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    let mut dup = vec![
        (key_of(1), row(Value::Integer(1))),
        (key_of(1), row(Value::Integer(2))),
    ]
    .into_iter();
    assert!(matches!(
        write_segment(&vfs, "a", &[DataType::Integer], &[], &mut dup),
        Err(Error::Invalid(_))
    ));
    let mut wrong_type = vec![(key_of(1), row(Value::BigInt(1)))].into_iter();
    assert!(matches!(
        write_segment(&vfs, "a", &[DataType::Integer], &[], &mut wrong_type),
        Err(Error::Invalid(_))
    ));
    let mut wrong_width = vec![(key_of(1), Row::from(vec![]))].into_iter();
    assert!(matches!(
        write_segment(&vfs, "a", &[DataType::Integer], &[], &mut wrong_width),
        Err(Error::Invalid(_))
    ));
    let typmod = DataType::Numeric(Some(NumericTypmod {
        precision: 5,
        scale: 2,
    }));
    let mut wrong_scale = vec![(key_of(1), row(num(1, 3)))].into_iter();
    assert!(matches!(
        write_segment(&vfs, "a", &[typmod], &[], &mut wrong_scale),
        Err(Error::Invalid(_))
    ));
    let too_many = vec![DataType::Boolean; MAX_COLUMNS + 1];
    assert!(matches!(
        write_segment(&vfs, "a", &too_many, &[], &mut std::iter::empty()),
        Err(Error::Limit(_))
    ));
}

#[test]
fn segments_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Segment>();
    assert_send_sync::<Arc<Segment>>();
}

/// A scan of a 10M-row BIGINT column: run with `--ignored --nocapture`.
#[test]
#[ignore]
fn bigint_scan_speed() {
    let (_dir, vfs) = vfs();
    let n = 10_000_000usize;
    let mut it = (0..n).map(|i| (key_of(i), Row::from(vec![Value::BigInt(i as i64)])));
    write_segment(&vfs, "big", &[DataType::BigInt], &[], &mut it).unwrap();
    let seg = Segment::open(&vfs, "big").unwrap();
    let start = std::time::Instant::now();
    let mut sum = 0i64;
    seg.scan_column(0, |_, v| {
        if let Value::BigInt(x) = v {
            sum = sum.wrapping_add(x);
        }
    });
    let took = start.elapsed();
    assert_eq!(sum, (n as i64 - 1) * n as i64 / 2);
    eprintln!("scanned {n} BIGINTs in {took:?}");
}

fn value_strategy(ty: DataType) -> BoxedStrategy<Value> {
    let non_null: BoxedStrategy<Value> = match ty {
        DataType::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        DataType::Integer => any::<i32>().prop_map(Value::Integer).boxed(),
        DataType::BigInt => any::<i64>().prop_map(Value::BigInt).boxed(),
        DataType::Double => any::<f64>().prop_map(Value::Double).boxed(),
        DataType::Numeric(Some(t)) => {
            let bound = 10i128.pow(u32::from(t.precision)) - 1;
            (-bound..=bound).prop_map(move |m| num(m, t.scale)).boxed()
        }
        DataType::Numeric(None) => (any::<i64>(), 0u8..=18)
            .prop_map(|(m, s)| num(i128::from(m), s))
            .boxed(),
        // A small alphabet so that the dictionary path is taken too.
        DataType::Text => prop_oneof![
            "[ab\0é]{0,3}".prop_map(Value::Text),
            any::<String>().prop_map(Value::Text)
        ]
        .boxed(),
        DataType::Date => any::<i32>().prop_map(Value::Date).boxed(),
        DataType::TimestampTz => any::<i64>().prop_map(Value::TimestampTz).boxed(),
        DataType::Timestamp => any::<i64>().prop_map(Value::Timestamp).boxed(),
        DataType::Interval => (any::<i32>(), any::<i32>(), any::<i64>())
            .prop_map(|(m, d, us)| Value::Interval(crate::types::Interval::new(m, d, us)))
            .boxed(),
    };
    prop_oneof![1 => Just(Value::Null), 4 => non_null].boxed()
}

fn table_strategy() -> impl Strategy<Value = (Vec<DataType>, Vec<Vec<Value>>)> {
    let typmod = DataType::Numeric(Some(NumericTypmod {
        precision: 20,
        scale: 4,
    }));
    let ty = prop::sample::select(vec![
        DataType::Boolean,
        DataType::Integer,
        DataType::BigInt,
        DataType::Double,
        DataType::Numeric(None),
        typmod,
        DataType::Text,
        DataType::Date,
        DataType::TimestampTz,
        DataType::Timestamp,
        DataType::Interval,
    ]);
    prop::collection::vec(ty, 0..5).prop_flat_map(|types| {
        let row: Vec<BoxedStrategy<Value>> = types.iter().map(|&t| value_strategy(t)).collect();
        (Just(types), prop::collection::vec(row, 0..60))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_rows_round_trip((types, rows) in table_strategy()) {
        round_trip(&types, &rows);
    }
}

#[test]
fn indexed_columns_carry_value_bitmaps_or_a_bsi() {
    let (_dir, vfs) = vfs();
    let types = [
        DataType::Text,
        DataType::BigInt,
        DataType::Numeric(Some(NumericTypmod {
            precision: 6,
            scale: 2,
        })),
        DataType::Double,
        DataType::Text,
    ];
    let rows: Vec<Vec<Value>> = (0..300)
        .map(|i| {
            vec![
                if i % 7 == 0 {
                    Value::Null
                } else {
                    text(["de", "at", "fr"][i % 3])
                },
                Value::BigInt(i as i64 * 1000 - 5),
                Value::Numeric(Numeric::new(i as i128 * 3, 2).unwrap()),
                Value::Double(i as f64),
                text(&format!("unindexed {i}")),
            ]
        })
        .collect();
    let mut it = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key_of(i), Row::from(r.clone())));
    write_segment(&vfs, "s", &types, &[true, true, true, true, false], &mut it).unwrap();
    let seg = Segment::open(&vfs, "s").unwrap();
    let country = seg.column_index(0).values.as_ref().expect("value bitmaps");
    assert_eq!(country.distinct(), 3);
    assert_eq!(
        country.eq(&text("de")).len(),
        (0..300).filter(|i| i % 7 != 0 && i % 3 == 0).count() as u64
    );
    assert!(seg.column_index(0).bsi.is_none());
    let ids = seg.column_index(1).bsi.as_ref().expect("bsi");
    assert_eq!(
        ids.sum(ids.exists()),
        (0..300).map(|i| i * 1000 - 5).sum::<i128>()
    );
    assert!(seg.column_index(2).bsi.is_some());
    assert_eq!(
        seg.column_index(3).values.as_ref().map(|v| v.distinct()),
        Some(300)
    );
    assert!(seg.column_index(4).is_empty());
    // Every row still reads back as written.
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(&seg.row(i as u32)[..], &r[..]);
    }
}
