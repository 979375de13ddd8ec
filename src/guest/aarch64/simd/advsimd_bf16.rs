//! BFloat16 (FEAT_BF16, without FEAT_EBF16): BFDOT (vector and by
//! element), BFMMLA, BFMLALB/BFMLALT (vector and by element), BFCVTN and
//! BFCVTN2, and the scalar BFCVT.
//!
//! A BFloat16 value is the upper half of a single-precision one, so every
//! operand here is widened by a 16-bit shift. There are three sets of rules:
//!
//! - BFDOT and BFMMLA follow BFDotAdd with FPCR.EBF = 0: each product and
//!   each sum is rounded to single precision with round-to-odd, whatever
//!   FPCR says; subnormal inputs and results are zeros, every NaN gives the
//!   default NaN, and no FPSR flag is raised.
//! - BFMLALB/BFMLALT are single-precision FPMulAdd under FPCR, flags and all.
//! - BFCVT and BFCVTN round single precision to BFloat16 under FPCR
//!   (FPConvertBF): FZ flushes input and output, DN and the rounding mode
//!   apply, and the usual flags are raised.

use super::super::cpu::CpuState;
use super::advsimd_fp::with_ctx;
use super::fp_arith as arith;
use super::fp_format::{fpsr, round_pack, shift_round, unpack, unpack_raw, Fmt, FpCtx, Rounding, Value};
use super::lanes::{bit, bits, build, datasize, get, reg, set_scalar, set_vreg, vreg};

const S: Fmt = Fmt::S;

/// A single-precision operand as BFUnpack sees it: subnormals are zeros
/// and NaNs are not told apart.
enum Operand {
    Zero(bool),
    Inf(bool),
    NaN,
    Finite { neg: bool, mant: u128, exp: i32 },
}

fn operand(x: u64) -> Operand {
    let neg = S.is_negative(x);
    if x & S.exp_mask() == 0 {
        return Operand::Zero(neg);
    }
    match unpack_raw(S, x).1 {
        Value::Inf => Operand::Inf(neg),
        Value::Finite { mant, exp } => Operand::Finite { neg, mant: mant as u128, exp },
        Value::Zero => Operand::Zero(neg),
        Value::NaN => Operand::NaN,
    }
}

/// Exponent of the leading bit of `mant * 2^exp` (`mant` non-zero).
fn top_exponent(mant: u128, exp: i32) -> i32 {
    127 - mant.leading_zeros() as i32 + exp
}

/// BFRound: `±mant * 2^exp` (non-zero) to single precision with
/// round-to-odd; values below the normal range flush to a signed zero and
/// values beyond it give infinity. Round-to-odd never carries into the next
/// binade, so the exponent is the one before rounding.
fn round_odd(neg: bool, mant: u128, exp: i32) -> u64 {
    let top = top_exponent(mant, exp);
    if top < -126 {
        return S.zero(neg);
    }
    if top > 127 {
        return S.infinity(neg);
    }
    let lsb = top - S.fbits() as i32;
    let m = if lsb > exp { shift_round(mant, (lsb - exp) as u32, Rounding::Odd, neg).0 } else { mant << (exp - lsb) };
    S.zero(neg) | (((top + S.bias()) as u64) << S.fbits()) | (m as u64 & S.frac_mask())
}

/// BFMulH on widened operands: the product rounded by [`round_odd`].
fn mul(a: u64, b: u64) -> u64 {
    use Operand::*;
    let neg = S.is_negative(a) != S.is_negative(b);
    match (operand(a), operand(b)) {
        (NaN, _) | (_, NaN) | (Inf(_), Zero(_)) | (Zero(_), Inf(_)) => S.default_nan(),
        (Inf(_), _) | (_, Inf(_)) => S.infinity(neg),
        (Zero(_), _) | (_, Zero(_)) => S.zero(neg),
        (Finite { mant: ma, exp: ea, .. }, Finite { mant: mb, exp: eb, .. }) => round_odd(neg, ma * mb, ea + eb),
    }
}

/// The exact sum of two non-zero finite values, or `None` when it is zero.
/// A term more than 60 binades below the other only matters through its
/// sign (it is far below the rounding position), so it is replaced by a
/// small stand-in that keeps the aligned sum within 128 bits.
fn exact_sum(a: (bool, u128, i32), b: (bool, u128, i32)) -> Option<(bool, u128, i32)> {
    let (big, small) = if top_exponent(a.1, a.2) >= top_exponent(b.1, b.2) { (a, b) } else { (b, a) };
    let top = top_exponent(big.1, big.2);
    let small = if top - top_exponent(small.1, small.2) > 60 { (small.0, 1, top - 62) } else { small };
    let exp = big.2.min(small.2);
    let (mb, ms) = (big.1 << (big.2 - exp), small.1 << (small.2 - exp));
    let (neg, mant) = if big.0 == small.0 {
        (big.0, mb + ms)
    } else if mb >= ms {
        (big.0, mb - ms)
    } else {
        (small.0, ms - mb)
    };
    (mant != 0).then_some((neg, mant, exp))
}

/// FPAdd_BF16: the sum rounded by [`round_odd`]; an exact zero sum of
/// non-zero terms, or of zeros of opposite sign, is +0.
fn add(a: u64, b: u64) -> u64 {
    use Operand::*;
    match (operand(a), operand(b)) {
        (NaN, _) | (_, NaN) => S.default_nan(),
        (Inf(x), Inf(y)) if x != y => S.default_nan(),
        (Inf(x), _) | (_, Inf(x)) => S.infinity(x),
        (Zero(x), Zero(y)) => S.zero(x && y),
        (Zero(_), Finite { .. }) => b,
        (Finite { .. }, Zero(_)) => a,
        (Finite { neg: na, mant: ma, exp: ea }, Finite { neg: nb, mant: mb, exp: eb }) => {
            match exact_sum((na, ma, ea), (nb, mb, eb)) {
                Some((neg, mant, exp)) => round_odd(neg, mant, exp),
                None => S.zero(false),
            }
        }
    }
}

/// BFDotAdd: `acc + (n.lo * m.lo + n.hi * m.hi)` for one 32-bit lane
/// holding two BFloat16 values in each of `n` and `m`.
fn dot_add(acc: u64, n: u64, m: u64) -> u64 {
    let widen = |x: u64, i: u32| ((x >> (16 * i)) & 0xffff) << 16;
    let products = add(mul(widen(n, 0), widen(m, 0)), mul(widen(n, 1), widen(m, 1)));
    add(acc, products)
}

/// BFDOT: every 32-bit lane of Rd accumulates the pairs of lane `i` of Rn
/// and `m_lane(i)`.
fn dot(cpu: &mut CpuState, word: u32, m_lane: impl Fn(usize) -> u64) {
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let lanes = (datasize(q) / 32) as usize;
    let result = build(32, lanes, |i| dot_add(get(d, 32, i), get(n, 32, i), m_lane(i)));
    set_vreg(cpu, rd, result, q);
}

/// BFMMLA: the 2x4 matrix in Rn times the transpose of the 2x4 matrix in
/// Rm, added to the 2x2 matrix in Rd; each element takes two BFDotAdd steps.
fn matrix_multiply(cpu: &mut CpuState, word: u32) {
    let (rd, rn, rm) = (reg(word, 0), reg(word, 5), reg(word, 16));
    let (n, m, d) = (vreg(cpu, rn), vreg(cpu, rm), vreg(cpu, rd));
    let result = build(32, 4, |e| {
        let (i, j) = (e / 2, e % 2);
        (0..2).fold(get(d, 32, e), |sum, k| dot_add(sum, get(n, 32, 2 * i + k), get(m, 32, 2 * j + k)))
    });
    set_vreg(cpu, rd, result, true);
}

/// BFMLALB (Q = 0, even BFloat16 lanes of Rn) or BFMLALT (Q = 1, odd
/// lanes): a fused single-precision multiply-add into each 32-bit lane of
/// the whole 128-bit Rd, with `m_lane(i)` the BFloat16 factor for lane `i`.
fn multiply_add_long(cpu: &mut CpuState, word: u32, m_lane: impl Fn(usize) -> u64) {
    let (top, rd, rn) = (bit(word, 30) as usize, reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let result = with_ctx(cpu, |ctx| {
        build(32, 4, |i| {
            let a = get(n, 16, 2 * i + top) << 16;
            arith::mul_add(ctx, S, get(d, 32, i), a, m_lane(i) << 16)
        })
    });
    set_vreg(cpu, rd, result, true);
}

/// Three same extra with U = 1: BFDOT (size 01, opcode 1111), BFMLALB/T
/// (size 11, opcode 1111) and BFMMLA (size 01, opcode 1101, Q = 1).
pub fn three_same_extra(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || !bit(word, 29) {
        return None;
    }
    let m = vreg(cpu, reg(word, 16));
    match (bits(word, 23, 22), bits(word, 14, 11)) {
        (0b01, 0b1111) => dot(cpu, word, |i| get(m, 32, i)),
        (0b11, 0b1111) => {
            let top = bit(word, 30) as usize;
            multiply_add_long(cpu, word, |i| get(m, 16, 2 * i + top));
        }
        (0b01, 0b1101) if bit(word, 30) => matrix_multiply(cpu, word),
        _ => return None,
    }
    Some(())
}

/// By element, U = 0, opcode 1111: BFDOT (size 01; pair H:L of any of
/// V0-V31) and BFMLALB/T (size 11; element H:L:M of V0-V15).
pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || bit(word, 29) || bits(word, 15, 12) != 0b1111 {
        return None;
    }
    let (h, l) = (bits(word, 11, 11), bits(word, 21, 21));
    match bits(word, 23, 22) {
        0b01 => {
            let m = get(vreg(cpu, reg(word, 16)), 32, ((h << 1) | l) as usize);
            dot(cpu, word, |_| m);
        }
        0b11 => {
            let index = ((h << 2) | (l << 1) | bits(word, 20, 20)) as usize;
            let m = get(vreg(cpu, bits(word, 19, 16) as u8), 16, index);
            multiply_add_long(cpu, word, |_| m);
        }
        _ => return None,
    }
    Some(())
}

/// FPConvertBF: single precision to BFloat16 under FPCR. The rounding to
/// eight significant bits is done here, after which the value is exact in
/// single precision, so `round_pack` only adds the overflow handling.
fn convert(ctx: &mut FpCtx, x: u64) -> u64 {
    let (neg, value) = unpack(ctx, S, x);
    let (mant, exp) = match value {
        Value::NaN => return ctx.process_nan(S, x) >> 16,
        Value::Inf => return S.infinity(neg) >> 16,
        Value::Zero => return S.zero(neg) >> 16,
        Value::Finite { mant, exp } => (mant as u128, exp),
    };
    let mode = ctx.rounding();
    let top = top_exponent(mant, exp);
    let tiny = top < 1 - S.bias();
    if tiny && ctx.flush(S) {
        ctx.raise(fpsr::UFC);
        return S.zero(neg) >> 16;
    }
    // BFloat16 keeps 7 fraction bits; subnormals share single's exponent.
    let lsb = top.max(1 - S.bias()) - 7;
    let (m, inexact) =
        if lsb > exp { shift_round(mant, (lsb - exp) as u32, mode, neg) } else { (mant << (exp - lsb), false) };
    if inexact {
        ctx.raise(fpsr::IXC);
        if tiny {
            ctx.raise(fpsr::UFC);
        }
    }
    round_pack(ctx, S, neg, m, lsb, mode, false) >> 16
}

/// BFCVTN (Q = 0, to the lower half of Rd, clearing the upper) and BFCVTN2
/// (Q = 1, to the upper half, keeping the lower): two-register misc with
/// U = 0, size 10, opcode 10110. Vector only.
pub fn convert_narrow(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || bit(word, 29) || bits(word, 23, 22) != 0b10 || bits(word, 16, 12) != 0b10110 {
        return None;
    }
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let n = vreg(cpu, rn);
    let narrow = with_ctx(cpu, |ctx| build(16, 4, |i| convert(ctx, get(n, 32, i))));
    if q {
        let low = vreg(cpu, rd) as u64 as u128;
        set_vreg(cpu, rd, low | (narrow << 64), true);
    } else {
        set_vreg(cpu, rd, narrow, false);
    }
    Some(())
}

/// BFCVT Hd, Sn: FP data-processing (1 source) with ftype 01, opcode 000110.
pub fn convert_scalar(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 23, 22) != 0b01 || bits(word, 20, 15) != 0b000110 || bit(word, 31) || bit(word, 29) {
        return None;
    }
    let x = get(vreg(cpu, reg(word, 5)), 32, 0);
    let r = with_ctx(cpu, |ctx| convert(ctx, x));
    set_scalar(cpu, reg(word, 0), r, 16);
    Some(())
}
