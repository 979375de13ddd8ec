//! Field extraction from instruction words and lane access on 128-bit vector
//! register values. Lane 0 is the least significant `esize` bits.

use super::super::cpu::CpuState;

/// Bits `hi..=lo` of `word`, right-aligned.
#[inline(always)]
pub fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    ((word >> lo) as u64 & ((1u64 << (hi - lo + 1)) - 1)) as u32
}

/// Bit `n` of `word`.
#[inline(always)]
pub fn bit(word: u32, n: u32) -> bool {
    (word >> n) & 1 != 0
}

/// Register number in bits `lo+4..=lo`.
#[inline(always)]
pub fn reg(word: u32, lo: u32) -> u8 {
    bits(word, lo + 4, lo) as u8
}

/// Mask of the low `width` bits, `width` in 0..=64.
#[inline(always)]
pub fn mask64(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// Element `idx` of width `esize` (8..=64) bits.
#[inline(always)]
pub fn get(v: u128, esize: u32, idx: usize) -> u64 {
    ((v >> (idx as u32 * esize)) as u64) & mask64(esize)
}

/// `v` with element `idx` of width `esize` replaced by the low bits of `value`.
#[inline(always)]
pub fn set(v: u128, esize: u32, idx: usize, value: u64) -> u128 {
    let shift = idx as u32 * esize;
    let m = (mask64(esize) as u128) << shift;
    (v & !m) | (((value & mask64(esize)) as u128) << shift)
}

/// Sign-extends the low `width` bits of `value`.
#[inline(always)]
pub fn sext(value: u64, width: u32) -> i64 {
    let s = 64 - width;
    ((value << s) as i64) >> s
}

/// Width in bits of the vector a Q bit selects.
#[inline(always)]
pub fn datasize(q: bool) -> u32 {
    if q {
        128
    } else {
        64
    }
}

/// Reads the whole vector register `r`.
#[inline(always)]
pub fn vreg(cpu: &CpuState, r: u8) -> u128 {
    cpu.v[r as usize]
}

/// Writes a vector result; a 64-bit operation (`q` false) clears bits 127..64.
#[inline(always)]
pub fn set_vreg(cpu: &mut CpuState, r: u8, value: u128, q: bool) {
    cpu.v[r as usize] = if q { value } else { value as u64 as u128 };
}

/// Writes a scalar result of `esize` bits, clearing the rest of the register.
#[inline(always)]
pub fn set_scalar(cpu: &mut CpuState, r: u8, value: u64, esize: u32) {
    cpu.v[r as usize] = (value & mask64(esize)) as u128;
}

/// Builds a vector from per-lane values: lane `i` is `f(i)` truncated to `esize`.
#[inline(always)]
pub fn build(esize: u32, lanes: usize, mut f: impl FnMut(usize) -> u64) -> u128 {
    let mut out = 0u128;
    for i in 0..lanes {
        out = set(out, esize, i, f(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_round_trip() {
        let v = 0x0f0e0d0c_0b0a0908_07060504_03020100u128;
        assert_eq!(get(v, 8, 3), 3);
        assert_eq!(get(v, 16, 7), 0x0f0e);
        assert_eq!(get(v, 64, 1), 0x0f0e0d0c_0b0a0908);
        assert_eq!(set(v, 32, 1, 0xdeadbeef_u64 | (1 << 40)), 0x0f0e0d0c_0b0a0908_deadbeef_03020100);
        assert_eq!(sext(0x80, 8), -128);
        assert_eq!(bits(0xabcd_1234, 31, 16), 0xabcd);
    }
}
