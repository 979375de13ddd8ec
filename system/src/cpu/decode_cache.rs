//! Decoded instructions, cached by their encoding.
//!
//! Decoding is a pure function of the 32-bit word, so a cache keyed by the
//! word itself needs no invalidation when guest code changes: a rewritten
//! instruction is a different key. Direct-mapped; a miss decodes again.

use kestrel::guest::aarch64::decode::{decode, Insn};

const ENTRIES: usize = 1 << 14;

/// A direct-mapped cache of decoded instructions.
pub struct DecodeCache {
    entries: Box<[(u32, Insn)]>,
}

impl DecodeCache {
    /// An empty cache: every entry starts as word 0 with its decoding, so
    /// every entry always holds a correct pair.
    pub fn new() -> DecodeCache {
        DecodeCache { entries: vec![(0, decode(0)); ENTRIES].into_boxed_slice() }
    }

    /// The decoding of `word`.
    #[inline(always)]
    pub fn get(&mut self, word: u32) -> Insn {
        // Fibonacci hashing spreads the opcode bits over the index.
        let slot = (word.wrapping_mul(0x9e37_79b1) >> (32 - ENTRIES.trailing_zeros())) as usize;
        let entry = &mut self.entries[slot];
        if entry.0 != word {
            *entry = (word, decode(word));
        }
        entry.1
    }
}

impl Default for DecodeCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_and_misses_give_the_decoder_answer() {
        let mut cache = DecodeCache::new();
        let words = [0u32, 0x8b02_0020, 0xd503_201f, 0xf940_0000, 0x8b02_0020, 0, 0x1400_0001];
        for _ in 0..2 {
            for &w in &words {
                assert_eq!(cache.get(w), decode(w), "{w:#x}");
            }
        }
    }
}
