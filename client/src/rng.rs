//! The generator's pseudo-random numbers.
//!
//! A self-contained SplitMix64 rather than `rand`'s `SmallRng`: the data set
//! is part of the test suite (differential tests, benchmarks, bug reports
//! naming a seed), so the stream for a seed must never change, on any
//! platform or dependency version. `SmallRng` is documented as neither
//! portable nor stable across `rand` releases. Everything below uses integer
//! arithmetic only, so no libm rounding difference can change a value either.

/// SplitMix64 (Steele, Lea, Flood 2014): one add and one bijective mix per
/// output; passes BigCrush; seeding is free.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 / Stafford "Mix13" finaliser: a bijection on `u64`.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The independent stream number `id` of kind `salt` for `seed`.
    ///
    /// The starting state is a hash, not `base + id`, because SplitMix64
    /// streams started `GOLDEN` apart would be the same stream shifted by one.
    pub(crate) fn stream(seed: u64, salt: u64, id: u64) -> Rng {
        Rng(mix64(mix64(seed ^ mix64(salt)).wrapping_add(id)))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; bias below 2^-40 for the
    /// ranges used here). `n == 0` yields 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        let span = hi.wrapping_sub(lo) as u64;
        lo.wrapping_add(self.below(span.wrapping_add(1)) as i64)
    }

    /// True with probability `num / den`.
    pub(crate) fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// A uniformly chosen element.
    pub(crate) fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Binomial(n, 1/4): 32 Bernoulli(1/4) trials per 64 random bits (a trial
    /// succeeds when both bits of its pair are set). Mean n/4, variance 3n/16.
    pub(crate) fn binomial_quarter(&mut self, n: u64) -> u64 {
        const EVEN_BITS: u64 = 0x5555_5555_5555_5555;
        let mut left = n;
        let mut count = 0;
        while left > 0 {
            let x = self.next_u64();
            let both = x & (x >> 1) & EVEN_BITS;
            let take = left.min(32);
            let mask = if take == 32 {
                EVEN_BITS
            } else {
                EVEN_BITS & ((1u64 << (2 * take)) - 1)
            };
            count += u64::from((both & mask).count_ones());
            left -= take;
        }
        count
    }
}

/// A weighted choice among `'static` items; the total is computed at compile
/// time.
pub(crate) struct Weighted<T: 'static> {
    items: &'static [(T, u32)],
    total: u64,
}

impl<T: Copy + 'static> Weighted<T> {
    pub(crate) const fn new(items: &'static [(T, u32)]) -> Self {
        let mut total = 0u64;
        let mut i = 0;
        while i < items.len() {
            total += items[i].1 as u64;
            i += 1;
        }
        assert!(total > 0);
        Weighted { items, total }
    }

    pub(crate) fn pick(&self, rng: &mut Rng) -> T {
        let mut r = rng.below(self.total);
        for &(item, w) in self.items {
            if r < u64::from(w) {
                return item;
            }
            r -= u64::from(w);
        }
        unreachable!("r < total")
    }

    #[cfg(test)]
    pub(crate) fn items(&self) -> impl Iterator<Item = T> + '_ {
        self.items.iter().map(|&(t, _)| t)
    }

    /// The weighted mean of `f` over the items.
    pub(crate) fn mean(&self, f: impl Fn(T) -> f64) -> f64 {
        let sum: f64 = self.items.iter().map(|&(t, w)| f(t) * f64::from(w)).sum();
        sum / self.total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_pinned() {
        // The generator's output for a seed must never change: pin the RNG.
        let mut r = Rng(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::stream(1, 2, 3);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let v = r.range_i64(-3, 3);
            assert!((-3..=3).contains(&v));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range_i64(5, 5), 5);
        let full = r.range_i64(i64::MIN, i64::MAX);
        let _ = full;
    }

    #[test]
    fn binomial_quarter_has_the_right_mean() {
        let mut r = Rng::stream(7, 7, 7);
        assert_eq!(r.binomial_quarter(0), 0);
        let n = 40;
        let trials = 20_000;
        let total: u64 = (0..trials).map(|_| r.binomial_quarter(n)).sum();
        let mean = total as f64 / trials as f64;
        assert!((mean - 10.0).abs() < 0.2, "mean {mean}");
        for n in [1, 31, 32, 33, 100] {
            assert!(r.binomial_quarter(n) <= n);
        }
    }
}
