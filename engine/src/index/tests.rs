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

    /// Comparisons among some rows give the scan's answer.
    #[test]
    fn bsi_comparisons_within_rows_match_a_scan(
        values in prop::collection::vec(value_strategy(), 0..300),
        x in prop_oneof![-60i64..60, any::<i64>()],
        mask in prop::collection::vec(any::<bool>(), 300),
    ) {
        let bsi = bsi_of(&values);
        let within: RoaringBitmap = mask.iter().enumerate()
            .filter(|(i, m)| **m && values.get(*i).is_some_and(|v| v.is_some()))
            .map(|(i, _)| i as u32).collect();
        let cmp = |want, or_equal| bsi.compare_within(want, or_equal, x, &within);
        let scan = |f: &dyn Fn(i64) -> bool| scan(&values, f) & &within;
        prop_assert_eq!(cmp(Ordering::Equal, false), scan(&|v| v == x));
        prop_assert_eq!(cmp(Ordering::Less, false), scan(&|v| v < x));
        prop_assert_eq!(cmp(Ordering::Less, true), scan(&|v| v <= x));
        prop_assert_eq!(cmp(Ordering::Greater, false), scan(&|v| v > x));
        prop_assert_eq!(cmp(Ordering::Greater, true), scan(&|v| v >= x));
    }

    /// Ranges walked with both bounds at once give the scan's answer,
    /// outliers (a few huge values among small ones) included.
    #[test]
    fn bsi_ranges_match_a_scan(
        small in prop::collection::vec(
            prop_oneof![1 => Just(None), 6 => (-50i64..50).prop_map(Some)],
            0..5_000,
        ),
        huge in prop::collection::vec((0usize..5_000, prop_oneof![1_000i64..1_010, any::<i64>()]), 0..5),
        lo in prop::option::of(prop_oneof![-60i64..60, 995i64..1_015, any::<i64>()]),
        hi in prop::option::of(prop_oneof![-60i64..60, 995i64..1_015, any::<i64>()]),
        mask in prop::collection::vec(any::<bool>(), 5_000),
    ) {
        let mut values = small;
        for (at, v) in huge {
            if let Some(slot) = values.get_mut(at) {
                *slot = Some(v);
            }
        }
        let bsi = bsi_of(&values);
        let within: RoaringBitmap = mask.iter().enumerate()
            .filter(|(i, m)| **m && values.get(*i).is_some_and(|v| v.is_some()))
            .map(|(i, _)| i as u32).collect();
        let inside = |v: i64| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
        prop_assert_eq!(bsi.range_within(lo, hi, &within), scan(&values, inside) & &within);
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

    /// The first k rows by value: exactly the rows whose value is at least
    /// as good as the k-th best one.
    #[test]
    fn bsi_first_rows_match_a_sort(
        values in prop::collection::vec(value_strategy(), 0..300),
        mask in prop::collection::vec(any::<bool>(), 300),
        k in 0u64..40,
    ) {
        let bsi = bsi_of(&values);
        let rows: RoaringBitmap = mask.iter().enumerate()
            .filter(|(i, m)| **m && values.get(*i).is_some_and(|v| v.is_some()))
            .map(|(i, _)| i as u32)
            .collect();
        for which in [Ordering::Less, Ordering::Greater] {
            let mut sorted: Vec<i64> = rows.iter().filter_map(|r| values[r as usize]).collect();
            sorted.sort_unstable();
            if which == Ordering::Greater {
                sorted.reverse();
            }
            let expected = match k {
                0 => RoaringBitmap::new(),
                k if k >= rows.len() => rows.clone(),
                k => {
                    let boundary = sorted[k as usize - 1];
                    let good = |v: i64| v.cmp(&boundary) != which.reverse();
                    scan(&values, good) & &rows
                }
            };
            prop_assert_eq!(bsi.first(&rows, k, which), expected, "{:?}", which);
        }
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

#[test]
fn bsi_ranges_reach_into_the_outliers() {
    // 5,000 small values and two huge ones: the huge rows are outliers.
    let mut values: Vec<Option<i64>> = (0..5_000).map(|i| Some(i % 100)).collect();
    values[17] = Some(1_000_000);
    values[4_000] = Some(1_000_500);
    let bsi = bsi_of(&values);
    let all = scan(&values, |_| true);
    for (lo, hi) in [
        (Some(10), Some(1_000_000)),
        (Some(10), Some(1_000_499)),
        (Some(99), Some(1_000_500)),
        (Some(1_000_000), Some(1_000_000)),
        (Some(5), Some(50)),
        (Some(100), Some(999_999)),
        (None, Some(1_000_000)),
        (Some(1), None),
    ] {
        let inside = |v: i64| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
        assert_eq!(
            bsi.range_within(lo, hi, &all),
            scan(&values, inside),
            "{lo:?}..={hi:?}"
        );
    }
}
