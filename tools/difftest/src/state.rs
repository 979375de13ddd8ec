//! Random initial register states, biased towards values where
//! implementations tend to differ: zero, one, all ones, sign boundaries,
//! and for floating point signed zeros, infinities, NaNs with payloads,
//! subnormals and the largest and smallest normals.

use crate::protocol::Regs;
use crate::rng::Rng;

/// Interesting IEEE half, single and double bit patterns.
const F16: &[u64] =
    &[0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfd55, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0x3800, 0x3555];
const F32: &[u64] = &[
    0x0000_0000,
    0x8000_0000,
    0x7f80_0000,
    0xff80_0000,
    0x7fc0_0000,
    0xffc0_0000,
    0x7f80_0001,
    0xffa0_0005,
    0x7fd2_3456,
    0x0000_0001,
    0x807f_ffff,
    0x0080_0000,
    0x8080_0000,
    0x3f80_0000,
    0xbf80_0000,
    0x7f7f_ffff,
    0x3f00_0000,
    0x3fc0_0000,
    0x4f00_0000,
    0xcf00_0000,
    0x5f00_0000,
    0xdf00_0000,
    0x4f80_0000,
    0x4effffff,
    0x3effffff,
    0x40490fdb,
    0x3eaaaaab,
];
const F64: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff0_0000_0000_0001,
    0xfff4_0000_0000_1234,
    0x7ffc_dead_beef_0001,
    0x0000_0000_0000_0001,
    0x800f_ffff_ffff_ffff,
    0x0010_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x7fef_ffff_ffff_ffff,
    0x3fe0_0000_0000_0000,
    0x3ff8_0000_0000_0000,
    0x41e0_0000_0000_0000,
    0xc1e0_0000_0000_0000,
    0x43e0_0000_0000_0000,
    0xc3e0_0000_0000_0000,
    0x43f0_0000_0000_0000,
    0x41df_ffff_ffc0_0000,
    0x3810_0000_0000_0000,
    0x3690_0000_0000_0000,
    0x47ef_ffff_e000_0000,
    0x4009_21fb_5444_2d18,
];

/// A random value that fits `bits` (8, 16, 32 or 64), often a special one.
pub fn int_value(rng: &mut Rng, bits: u32) -> u64 {
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let sign = 1u64 << (bits - 1);
    let v = match rng.below(12) {
        0 => 0,
        1 => 1,
        2 => mask,
        3 => sign,
        4 => sign - 1,
        5 => sign + 1,
        6 => rng.below(64),
        7 => mask - rng.below(64),
        8 => 1u64 << rng.below(bits as u64),
        9 => rng.next_u64() & 0xffff_ffff,
        10 => (rng.next_u64() as i32) as i64 as u64,
        _ => rng.next_u64(),
    };
    v & mask
}

/// A random floating-point bit pattern of `bits` (16, 32 or 64).
pub fn fp_value(rng: &mut Rng, bits: u32) -> u64 {
    let (table, exp_bits, frac_bits) = match bits {
        16 => (F16, 5, 10),
        32 => (F32, 8, 23),
        _ => (F64, 11, 52),
    };
    let bias = (1u64 << (exp_bits - 1)) - 1;
    let sign = rng.below(2) << (bits - 1);
    let frac = rng.next_u64() & ((1u64 << frac_bits) - 1);
    match rng.below(8) {
        0..=2 => rng.pick(table),
        // Near 1.0, where arithmetic rounds.
        3 => sign | (bias - 2 + rng.below(5)) << frac_bits | frac,
        // Subnormal or smallest normals: flush-to-zero and underflow.
        4 => sign | rng.below(3) << frac_bits | frac,
        // Near the top of the range: overflow, and integer conversion limits.
        5 => sign | ((1u64 << exp_bits) - 2 - rng.below(3)) << frac_bits | frac,
        6 => sign | (bias + rng.below(70).min(bias - 1)) << frac_bits | frac,
        _ => rng.next_u64() & if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 },
    }
}

/// A random 128-bit vector register: lanes of one random size, each lane an
/// integer or floating-point value.
pub fn vector_value(rng: &mut Rng) -> u128 {
    let lane_bits = rng.pick(&[8u32, 16, 32, 32, 64, 64, 128]);
    if lane_bits == 128 {
        return (rng.next_u64() as u128) << 64 | rng.next_u64() as u128;
    }
    let fp = lane_bits >= 16 && rng.chance(1, 2);
    let mut v = 0u128;
    for lane in 0..128 / lane_bits {
        let x = if fp { fp_value(rng, lane_bits) } else { int_value(rng, lane_bits) };
        v |= (x as u128) << (lane * lane_bits);
    }
    v
}

/// A random FPCR: rounding mode, flush-to-zero, default NaN, alternative half
/// precision. Half the tests use the default (all zero).
pub fn fpcr_value(rng: &mut Rng) -> u64 {
    if rng.chance(1, 2) {
        return 0;
    }
    let mut f = rng.below(4) << 22;
    if rng.chance(1, 3) {
        f |= 1 << 24; // FZ
    }
    if rng.chance(1, 3) {
        f |= 1 << 25; // DN
    }
    if rng.chance(1, 6) {
        f |= 1 << 26; // AHP
    }
    f
}

/// A random FPSR: usually clear, sometimes with cumulative flags set.
pub fn fpsr_value(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => rng.next_u64() & 0x0800_009f,
        _ => 0,
    }
}

/// A complete random state; the memory-related registers (X27, X28, SP) are
/// left for the generator to set.
pub fn random_regs(rng: &mut Rng) -> Regs {
    let mut r = Regs::default();
    for x in r.x.iter_mut() {
        *x = match rng.below(4) {
            0 => int_value(rng, 32),
            1 if rng.chance(1, 2) => fp_value(rng, 64),
            1 => fp_value(rng, 32),
            _ => int_value(rng, 64),
        };
    }
    for v in r.v.iter_mut() {
        *v = vector_value(rng);
    }
    r.nzcv = rng.below(16) << 28;
    r.fpcr = fpcr_value(rng);
    r.fpsr = fpsr_value(rng);
    r
}
