//! A fast 64-bit hash for cache keys and checksums: the content of mapped
//! files (megabytes, once per file per process), guest instruction words
//! and cache records. It detects accidental change (truncation, bit flips,
//! edited files); it is not meant to resist a forger, who could as well
//! write the cache directory.

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// Finishes a lane: an invertible multiply-xorshift mix.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 31;
    x = x.wrapping_mul(K2);
    x ^= x >> 29;
    x = x.wrapping_mul(K1);
    x ^ (x >> 32)
}

/// Hash of `bytes` with `seed` (different seeds give unrelated hashes).
/// Four independent lanes take 32 bytes a round, so the loop runs at
/// several bytes a cycle.
pub fn hash64(bytes: &[u8], seed: u64) -> u64 {
    let mut lanes = [seed ^ K1, seed.wrapping_add(K2), seed.rotate_left(17) ^ K2, seed.wrapping_sub(K1)];
    let mut chunks = bytes.chunks_exact(32);
    for c in &mut chunks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(c[8 * i..8 * i + 8].try_into().unwrap_or_default());
            *lane = (*lane ^ w).wrapping_mul(K1).rotate_left(29);
        }
    }
    let mut h = (bytes.len() as u64).wrapping_mul(K2);
    for lane in lanes {
        h = mix(h ^ mix(lane));
    }
    for c in chunks.remainder().chunks(8) {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        h = mix(h ^ u64::from_le_bytes(w)).wrapping_add(K1);
    }
    mix(h)
}

#[cfg(test)]
mod tests {
    use super::hash64;

    #[test]
    fn every_byte_and_the_length_matter() {
        let base: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        let h = hash64(&base, 0);
        for i in 0..base.len() {
            for bit in [0, 3, 7] {
                let mut b = base.clone();
                b[i] ^= 1 << bit;
                assert_ne!(hash64(&b, 0), h, "byte {i} bit {bit}");
            }
        }
        assert_ne!(hash64(&base[..199], 0), h);
        let mut longer = base.clone();
        longer.push(0);
        assert_ne!(hash64(&longer, 0), h);
        assert_ne!(hash64(&base, 1), h);
        assert_eq!(hash64(&base, 0), h);
    }
}

#[cfg(test)]
mod speed {
    /// Throughput, for tuning: `cargo test --release -p kestrel --lib hash_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn hash_speed() {
        let data: Vec<u8> = (0..64u32 << 20).map(|i| (i * 2654435761u32 >> 13) as u8).collect();
        let t = std::time::Instant::now();
        let h = super::hash64(&data, 0);
        let big = t.elapsed();
        let t = std::time::Instant::now();
        let mut x = 0;
        for chunk in data.chunks(350).take(100_000) {
            x ^= super::hash64(chunk, 1);
        }
        let small = t.elapsed();
        println!("64 MiB: {:.2} GB/s ({h:x}); 100k x 350 B: {:.0} ns each ({x:x})", 64.0 * 1.048576e6 / big.as_nanos() as f64, small.as_nanos() as f64 / 1e5);
    }
}
