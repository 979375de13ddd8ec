//! Deterministic random numbers: SplitMix64, also used by the guest harness to
//! fill the memory block from a seed (see `guest/harness.c`).

/// One SplitMix64 step from `state`; returns the new state and the output.
pub fn splitmix64(state: u64) -> (u64, u64) {
    let s = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (s, z ^ (z >> 31))
}

/// The initial contents of the memory block for `seed`, exactly as the
/// harness computes them.
pub fn memory_from_seed(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut s = seed;
    while out.len() < len {
        let (next, word) = splitmix64(s);
        s = next;
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Small seeded generator for test generation.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one test, derived from the run's seed and the test's
    /// coordinates so that any test can be regenerated on its own.
    pub fn for_test(seed: u64, class: &str, index: u64) -> Rng {
        let mut h = seed ^ 0x6b65_7374_7265_6c00;
        for b in class.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        let (_, a) = splitmix64(h ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Rng(a)
    }

    /// A generator from a raw seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let (s, out) = splitmix64(self.0);
        self.0 = s;
        out
    }

    /// 32 random bits.
    pub fn u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// A random element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_matches_the_harness_sequence() {
        // First words of splitmix64 from seed 0 (reference values of the algorithm).
        let m = memory_from_seed(0, 16);
        assert_eq!(u64::from_le_bytes(m[0..8].try_into().unwrap()), 0xe220_a839_7b1d_cdaf);
        assert_eq!(u64::from_le_bytes(m[8..16].try_into().unwrap()), 0x6e78_9e6a_a1b9_65f4);
    }
}
