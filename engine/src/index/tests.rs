//! Property tests: every indexed answer equals a plain scan's.

use std::cmp::Ordering;

use proptest::prelude::*;
use roaring::RoaringBitmap;

use super::{Bsi, ValueBitmaps};
use crate::types::Value;

fn scan(values: &[Option<i64>], f: impl Fn(i64) -> bool) -> RoaringBitmap {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| f(*x)).map(|_| i as u32))
        .collect()
}

fn bsi_of(values: &[Option<i64>]) -> Bsi {
    let pairs: Vec<(u32, i64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|x| (i as u32, x)))
        .collect();
    Bsi::build(pairs.into_iter())
}

fn value_strategy() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        1 => Just(None),
        4 => (-50i64..50).prop_map(Some),
        1 => any::<i64>().prop_map(Some),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0)].prop_map(Some),
    ]
}

proptest! {
    #[test]
    fn bsi_comparisons_match_a_scan(values in prop::collection::vec(value_strategy(), 0..300), x in prop_oneof![-60i64..60, any::<i64>()]) {
        let bsi = bsi_of(&values);
        prop_assert_eq!(bsi.compare(Ordering::Equal, false, x), scan(&values, |v| v == x));
        prop_assert_eq!(bsi.compare(Ordering::Less, false, x), scan(&values, |v| v < x));
        prop_assert_eq!(bsi.compare(Ordering::Less, true, x), scan(&values, |v| v <= x));
        prop_assert_eq!(bsi.compare(Ordering::Greater, false, x), scan(&values, |v| v > x));
        prop_assert_eq!(bsi.compare(Ordering::Greater, true, x), scan(&values, |v| v >= x));
        let mut bytes = Vec::new();
        bsi.encode(&mut bytes);
        prop_assert_eq!(Bsi::decode(&bytes).unwrap(), bsi);
    }

    /// The largest value only chooses which side a walk collects: any
    /// hint, right or wrong, gives the scan's answer.
    #[test]
    fn bsi_comparisons_with_a_max_hint_match_a_scan(
        values in prop::collection::vec(value_strategy(), 0..300),
        x in prop_oneof![-60i64..60, any::<i64>()],
        wrong in any::<i64>(),
        mask in prop::collection::vec(any::<bool>(), 300),
    ) {
        let bsi = bsi_of(&values);
        let within: RoaringBitmap = mask.iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i as u32).collect();
        let max = values.iter().flatten().copied().max();
        for hint in [max, Some(wrong), None] {
            let cmp = |want, or_equal| bsi.compare_within_up_to(want, or_equal, x, &within, hint);
            let scan = |f: &dyn Fn(i64) -> bool| scan(&values, f) & &within;
            prop_assert_eq!(cmp(Ordering::Equal, false), scan(&|v| v == x));
            prop_assert_eq!(cmp(Ordering::Less, false), scan(&|v| v < x));
            prop_assert_eq!(cmp(Ordering::Less, true), scan(&|v| v <= x));
            prop_assert_eq!(cmp(Ordering::Greater, false), scan(&|v| v > x));
            prop_assert_eq!(cmp(Ordering::Greater, true), scan(&|v| v >= x));
        }
    }

    #[test]
    fn bsi_aggregates_match_a_scan(values in prop::collection::vec(value_strategy(), 0..300), mask in prop::collection::vec(any::<bool>(), 300)) {
        let bsi = bsi_of(&values);
        let rows: RoaringBitmap = mask.iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i as u32).collect();
        let chosen: Vec<i64> = values.iter().enumerate().filter(|(i, _)| mask[*i]).filter_map(|(_, v)| *v).collect();
        prop_assert_eq!(bsi.sum(&rows), chosen.iter().map(|v| i128::from(*v)).sum::<i128>());
        prop_assert_eq!(bsi.count(&rows), chosen.len() as u64);
        prop_assert_eq!(bsi.extreme(&rows, Ordering::Less), chosen.iter().copied().min());
        prop_assert_eq!(bsi.extreme(&rows, Ordering::Greater), chosen.iter().copied().max());
    }

    #[test]
    fn value_bitmaps_match_a_scan(
        values in prop::collection::vec(prop::option::of(prop::sample::select(vec!["DE", "AT", "FR", "", "Zoë", "de"])), 0..200),
        probe in prop::sample::select(vec!["DE", "AT", "B", "", "Zoë", "zz"]),
        hi in prop::sample::select(vec!["DE", "FR", "Z", "zz"]),
    ) {
        let pairs = values.iter().enumerate().map(|(i, v)| (i as u32, v.map(|s| Value::Text(s.into())).unwrap_or(Value::Null)));
        let index = ValueBitmaps::build(pairs).expect("few distinct values");
        let expect = |f: &dyn Fn(&str) -> bool| -> RoaringBitmap {
            values.iter().enumerate().filter(|(_, v)| v.is_some_and(f)).map(|(i, _)| i as u32).collect()
        };
        let p = Value::Text(probe.into());
        let h = Value::Text(hi.into());
        prop_assert_eq!(index.eq(&p), expect(&|v| v == probe));
        prop_assert_eq!(index.range(Some((&p, true)), Some((&h, false))), expect(&|v| v.as_bytes() >= probe.as_bytes() && v.as_bytes() < hi.as_bytes()));
        prop_assert_eq!(index.range(Some((&p, false)), None), expect(&|v| v.as_bytes() > probe.as_bytes()));
        prop_assert_eq!(index.range(None, Some((&h, true))), expect(&|v| v.as_bytes() <= hi.as_bytes()));
        let mut bytes = Vec::new();
        index.encode(&mut bytes);
        prop_assert_eq!(ValueBitmaps::decode(&bytes).unwrap(), index);
    }
}

#[test]
fn too_many_distinct_values_build_no_value_bitmaps() {
    let many = (0..5000u32).map(|i| (i, Value::BigInt(i64::from(i))));
    assert!(ValueBitmaps::build(many).is_none());
}

#[test]
fn corrupt_index_bytes_are_errors_not_panics() {
    let index = bsi_of(&[Some(3), None, Some(-7), Some(100)]);
    let mut bytes = Vec::new();
    index.encode(&mut bytes);
    for cut in 0..bytes.len() {
        assert!(Bsi::decode(&bytes[..cut]).is_err());
    }
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x55;
        let _ = Bsi::decode(&bad);
    }
}
