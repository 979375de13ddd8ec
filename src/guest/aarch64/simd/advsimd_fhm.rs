//! Widening half-precision multiply-add into single precision (FEAT_FHM):
//! FMLAL, FMLSL, FMLAL2, FMLSL2, vector ("three same", sz = 0) and by
//! element (size = 10). The 2 forms read the upper half of the narrow
//! sources.
//!
//! Arm's FPMulAddH unpacks the half-precision factors with FZ16 (and no
//! IDC), the single-precision addend with FZ, and rounds `addend + a * b`
//! once as single precision. Every half-precision value is exactly a
//! single, and so is the product of two of them (22 significant bits,
//! exponents within range), so widening the factors exactly and running
//! the single-precision fused multiply-add gives the same result and
//! flags. NaN factors widen with their payload and stay signalling, which
//! makes the NaN chosen and its quieting match FPProcessNaNs3H.

use super::super::cpu::CpuState;
use super::advsimd_fp::with_ctx;
use super::fp_arith as arith;
use super::fp_format::{Fmt, FpCtx};
use super::lanes::{bit, bits, build, datasize, get, reg, set_vreg, vreg};

/// The exact single-precision bit pattern of a half-precision value after
/// FZ16 flushing; NaNs keep their payload and signalling state.
fn widen_half(ctx: &mut FpCtx, h: u64) -> u64 {
    let h = ctx.flush_input(Fmt::H, h);
    let sign = (h & 0x8000) << 16;
    let (exp, frac) = ((h >> 10) & 0x1f, h & 0x3ff);
    let magnitude = match exp {
        0x1f => 0x7f80_0000 | (frac << 13),
        0 if frac == 0 => 0,
        0 => {
            // frac * 2^-24 with the leading bit at position `top`: single
            // exponent field top - 24 + 127, the bits below it as fraction.
            let top = 63 - frac.leading_zeros() as u64;
            ((top + 103) << 23) | ((frac << (23 - top)) & 0x7f_ffff)
        }
        _ => ((exp + 112) << 23) | (frac << 13),
    };
    sign | magnitude
}

/// One lane: `acc + a * b` with half-precision `a` and `b` (already
/// negated for the subtracting forms).
fn lane(ctx: &mut FpCtx, acc: u64, a: u64, b: u64) -> u64 {
    let (a, b) = (widen_half(ctx, a), widen_half(ctx, b));
    arith::mul_add(ctx, Fmt::S, acc, a, b)
}

/// Runs the operation on every single-precision lane of Rd: the factors
/// are half-precision lane `i` of `n` (the chosen half of Rn) and `m_lane(i)`.
fn run(cpu: &mut CpuState, word: u32, upper: bool, subtract: bool, m_lane: impl Fn(usize) -> u64) {
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let lanes = (datasize(q) / 32) as usize;
    // Vpart: the low or high half of the datasize bits of Rn.
    let n = if upper { vreg(cpu, rn) >> (lanes * 16) } else { vreg(cpu, rn) };
    let d = vreg(cpu, rd);
    let result = with_ctx(cpu, |ctx| {
        build(32, lanes, |i| {
            let a = get(n, 16, i);
            let a = if subtract { Fmt::H.neg(a) } else { a };
            lane(ctx, get(d, 32, i), a, m_lane(i))
        })
    });
    set_vreg(cpu, rd, result, q);
}

/// Three same, vector, sz (bit 22) = 0: FMLAL/FMLSL (U = 0, opcode 11101)
/// and FMLAL2/FMLSL2 (U = 1, opcode 11001); bit 23 selects subtraction.
pub fn three_same(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || bit(word, 22) || !bit(word, 21) || !bit(word, 10) {
        return None;
    }
    let upper = match (bit(word, 29), bits(word, 15, 11)) {
        (false, 0b11101) => false,
        (true, 0b11001) => true,
        _ => return None,
    };
    let (q, subtract) = (bit(word, 30), bit(word, 23));
    let lanes = (datasize(q) / 32) as usize;
    let rm = vreg(cpu, reg(word, 16));
    let m = if upper { rm >> (lanes * 16) } else { rm };
    run(cpu, word, upper, subtract, |i| get(m, 16, i));
    Some(())
}

/// By element, size = 10: FMLAL (U = 0, opcode 0000), FMLSL (0, 0100),
/// FMLAL2 (1, 1000), FMLSL2 (1, 1100). The element is H:L:M of V0-V15.
pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || bits(word, 23, 22) != 0b10 {
        return None;
    }
    let (upper, subtract) = match (bit(word, 29), bits(word, 15, 12)) {
        (false, 0b0000) => (false, false),
        (false, 0b0100) => (false, true),
        (true, 0b1000) => (true, false),
        (true, 0b1100) => (true, true),
        _ => return None,
    };
    let index = ((bits(word, 11, 11) << 2) | bits(word, 21, 20)) as usize;
    let m = get(vreg(cpu, bits(word, 19, 16) as u8), 16, index);
    run(cpu, word, upper, subtract, |_| m);
    Some(())
}
