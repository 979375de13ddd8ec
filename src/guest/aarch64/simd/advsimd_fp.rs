//! AdvSIMD floating-point lanes: the FP opcodes of "three same" and
//! "two-register miscellaneous", vector and scalar. The half-precision
//! classes (`advsimd_fp16`) decode their own fields and reuse these with
//! [`Fmt::H`].

use super::super::cpu::CpuState;
use super::advsimd_int::Fields;
use super::fp_arith::{self as arith, CmpOp};
use super::fp_bounded_int;
use super::fp_convert;
use super::fp_estimate;
use super::fp_format::{Fmt, FpCtx, Rounding};
use super::host_fp::{self, BinOp};
use super::lanes::{bit, bits, build, get, set_scalar, set_vreg, vreg};

/// The FP three-same operators.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FpOp {
    MaxNum,
    MinNum,
    Mla,
    Mls,
    Add,
    Sub,
    Abd,
    Mulx,
    Mul,
    CmEq,
    CmGe,
    CmGt,
    AcGe,
    AcGt,
    Max,
    Min,
    RecipStep,
    RsqrtStep,
    Div,
}

/// Decodes opcode (15:11), U and a (bit 23). The bool is true for the
/// pairwise forms (FADDP, FMAXP, ...).
pub fn decode_three_same(opcode: u32, u: bool, a: bool) -> Option<(FpOp, bool)> {
    use FpOp::*;
    Some(match (opcode, u, a) {
        (0b11000, p, false) => (MaxNum, p),
        (0b11000, p, true) => (MinNum, p),
        (0b11001, false, false) => (Mla, false),
        (0b11001, false, true) => (Mls, false),
        (0b11010, false, false) => (Add, false),
        (0b11010, false, true) => (Sub, false),
        (0b11010, true, false) => (Add, true),
        (0b11010, true, true) => (Abd, false),
        (0b11011, false, false) => (Mulx, false),
        (0b11011, true, false) => (Mul, false),
        (0b11100, false, false) => (CmEq, false),
        (0b11100, true, false) => (CmGe, false),
        (0b11100, true, true) => (CmGt, false),
        (0b11101, true, false) => (AcGe, false),
        (0b11101, true, true) => (AcGt, false),
        (0b11110, p, false) => (Max, p),
        (0b11110, p, true) => (Min, p),
        (0b11111, false, false) => (RecipStep, false),
        (0b11111, false, true) => (RsqrtStep, false),
        (0b11111, true, false) => (Div, false),
        _ => return None,
    })
}

/// FRECPS (2 - a*b) and FRSQRTS ((3 - a*b) / 2), each with one rounding
/// of the fused step; infinity times zero gives exactly 2 or 1.5.
fn step(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64, sqrt: bool) -> u64 {
    let a = fmt.neg(ctx.flush_input(fmt, a));
    let b = ctx.flush_input(fmt, b);
    if let Some(nan) = ctx.process_nans(fmt, a, b) {
        return nan;
    }
    let (inf_a, inf_b) = (fmt.abs(a) == fmt.exp_mask(), fmt.abs(b) == fmt.exp_mask());
    let (zero_a, zero_b) = (fmt.abs(a) == 0, fmt.abs(b) == 0);
    let one = (fmt.bias() as u64) << fmt.fbits();
    let two = one + (1 << fmt.fbits());
    let three = two | (1 << (fmt.fbits() - 1));
    let one_half = one | (1 << (fmt.fbits() - 1));
    if (inf_a && zero_b) || (zero_a && inf_b) {
        return if sqrt { one_half } else { two };
    }
    if inf_a || inf_b {
        return fmt.infinity(fmt.is_negative(a) != fmt.is_negative(b));
    }
    if sqrt {
        // (3 + a*b) / 2 rounded once: halve the larger operand when that is
        // exact (exponent field >= 2) and add to 1.5; otherwise the product
        // is tiny, 3 + a*b stays normal and halving it afterwards is exact.
        let field = |x: u64| (x & fmt.exp_mask()) >> fmt.fbits();
        let (big, small) = if field(a) >= field(b) { (a, b) } else { (b, a) };
        if field(big) >= 2 {
            let halved = big - (1 << fmt.fbits());
            host_fp::fused(ctx, fmt, one_half, halved, small)
        } else {
            let r = host_fp::fused(ctx, fmt, three, a, b);
            host_fp::binary(ctx, fmt, BinOp::Div, r, two)
        }
    } else {
        host_fp::fused(ctx, fmt, two, a, b)
    }
}

/// One lane of an FP three-same operation (also FMLA/FMLS/FMUL/FMULX by
/// element). `d` is the old destination lane for FMLA/FMLS.
pub fn three_same_lane(ctx: &mut FpCtx, fmt: Fmt, op: FpOp, n: u64, m: u64, d: u64) -> u64 {
    use FpOp::*;
    match op {
        MaxNum => arith::max_min_num(ctx, fmt, n, m, true),
        MinNum => arith::max_min_num(ctx, fmt, n, m, false),
        Mla => arith::mul_add(ctx, fmt, d, n, m),
        Mls => arith::mul_add(ctx, fmt, d, fmt.neg(n), m),
        Add => arith::add(ctx, fmt, n, m),
        Sub => arith::sub(ctx, fmt, n, m),
        Abd => arith::abd(ctx, fmt, n, m),
        Mulx => arith::mulx(ctx, fmt, n, m),
        Mul => arith::mul(ctx, fmt, n, m),
        CmEq => arith::compare_mask(ctx, fmt, CmpOp::Eq, n, m, false),
        CmGe => arith::compare_mask(ctx, fmt, CmpOp::Ge, n, m, false),
        CmGt => arith::compare_mask(ctx, fmt, CmpOp::Gt, n, m, false),
        AcGe => arith::compare_mask(ctx, fmt, CmpOp::Ge, n, m, true),
        AcGt => arith::compare_mask(ctx, fmt, CmpOp::Gt, n, m, true),
        Max => arith::max_min(ctx, fmt, n, m, true),
        Min => arith::max_min(ctx, fmt, n, m, false),
        RecipStep => step(ctx, fmt, n, m, false),
        RsqrtStep => step(ctx, fmt, n, m, true),
        Div => arith::div(ctx, fmt, n, m),
    }
}

/// Format selected by the sz bit (22).
pub fn sz_format(word: u32) -> Fmt {
    if bit(word, 22) {
        Fmt::D
    } else {
        Fmt::S
    }
}

/// Runs `f` with a context for the current FPCR and accumulates its flags.
pub fn with_ctx<T>(cpu: &mut CpuState, f: impl FnOnce(&mut FpCtx) -> T) -> T {
    let mut ctx = FpCtx::new(cpu.fpcr);
    let out = f(&mut ctx);
    cpu.fpsr |= ctx.flags;
    out
}

/// AdvSIMD (scalar) three same with an FP opcode (15:11 >= 11000).
pub fn three_same(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    // FMLAL, FMLSL (U = 0, 11101) and FMLAL2, FMLSL2 (U = 1, 11001) with
    // sz = 0 (FEAT_FHM).
    if !bit(word, 22) && matches!((bit(word, 29), bits(word, 15, 11)), (false, 0b11101) | (true, 0b11001)) {
        return super::advsimd_fhm::three_same(cpu, word, scalar);
    }
    three_same_in(cpu, word, scalar, bits(word, 15, 11), sz_format(word))
}

/// An FP three-same operation given its five-bit opcode and format.
pub fn three_same_in(cpu: &mut CpuState, word: u32, scalar: bool, opcode: u32, fmt: Fmt) -> Option<()> {
    let f = Fields::of(word);
    let (op, pairwise) = decode_three_same(opcode, f.u, bit(word, 23))?;
    let esize = fmt.width();
    if scalar {
        let scalar_ok = matches!(op, FpOp::Mulx | FpOp::CmEq | FpOp::CmGe | FpOp::CmGt | FpOp::AcGe | FpOp::AcGt)
            || matches!(op, FpOp::Abd | FpOp::RecipStep | FpOp::RsqrtStep);
        if !scalar_ok {
            return None;
        }
    } else if fmt == Fmt::D && !f.q {
        return None;
    }
    let (n, m, d) = (vreg(cpu, f.rn), vreg(cpu, f.rm), vreg(cpu, f.rd));
    let lanes = if scalar { 1 } else { f.lanes_of(esize) };
    let result = with_ctx(cpu, |ctx| {
        build(esize, lanes, |i| {
            let (x, y) = if pairwise {
                let half = lanes / 2;
                let (src, j) = if i < half { (n, 2 * i) } else { (m, 2 * (i - half)) };
                (get(src, esize, j), get(src, esize, j + 1))
            } else {
                (get(n, esize, i), get(m, esize, i))
            };
            three_same_lane(ctx, fmt, op, x, y, get(d, esize, i))
        })
    });
    if scalar {
        set_scalar(cpu, f.rd, result as u64, esize);
    } else {
        set_vreg(cpu, f.rd, result, f.q);
    }
    Some(())
}

/// An FP two-register-misc lane operator.
#[derive(Clone, Copy)]
enum Misc {
    Cmp(CmpOp),
    /// FRINT32Z/X, FRINT64Z/X: bits of the integer range and whether the
    /// FPCR mode is used (X) rather than towards zero.
    RoundIntN(u32, bool),
    Abs,
    Neg,
    Sqrt,
    RoundInt(Option<Rounding>, bool),
    ToInt(Option<Rounding>, bool),
    FromInt(bool),
    RecipExponent,
    RecipEstimate,
    RsqrtEstimate,
    UnsignedRecipEstimate,
    UnsignedRsqrtEstimate,
}

fn decode_misc(opcode: u32, u: bool, a: bool) -> Option<Misc> {
    use Misc::*;
    let rm = |r: Rounding| Some(r);
    Some(match (opcode, u, a) {
        (0b01100, false, true) => Cmp(CmpOp::Gt),
        (0b01100, true, true) => Cmp(CmpOp::Ge),
        (0b01101, false, true) => Cmp(CmpOp::Eq),
        (0b01101, true, true) => Cmp(CmpOp::Le),
        (0b01110, false, true) => Cmp(CmpOp::Lt),
        (0b01111, false, true) => Abs,
        (0b01111, true, true) => Neg,
        (0b11111, true, true) => Sqrt,
        (0b11111, false, true) => RecipExponent,
        (0b11000, false, false) => RoundInt(rm(Rounding::TiesEven), false),
        (0b11000, false, true) => RoundInt(rm(Rounding::PosInf), false),
        (0b11000, true, false) => RoundInt(rm(Rounding::TiesAway), false),
        (0b11001, false, false) => RoundInt(rm(Rounding::NegInf), false),
        (0b11001, false, true) => RoundInt(rm(Rounding::Zero), false),
        (0b11001, true, false) => RoundInt(None, true),
        (0b11001, true, true) => RoundInt(None, false),
        (0b11010, s, false) => ToInt(rm(Rounding::TiesEven), s),
        (0b11010, s, true) => ToInt(rm(Rounding::PosInf), s),
        (0b11011, s, false) => ToInt(rm(Rounding::NegInf), s),
        (0b11011, s, true) => ToInt(rm(Rounding::Zero), s),
        (0b11100, s, false) => ToInt(rm(Rounding::TiesAway), s),
        (0b11101, s, false) => FromInt(s),
        (0b11101, false, true) => RecipEstimate,
        (0b11101, true, true) => RsqrtEstimate,
        (0b11100, false, true) => UnsignedRecipEstimate,
        (0b11100, true, true) => UnsignedRsqrtEstimate,
        (0b11110, x, false) => RoundIntN(32, x),
        (0b11111, x, false) => RoundIntN(64, x),
        _ => return None,
    })
}

fn misc_lane(ctx: &mut FpCtx, fmt: Fmt, op: Misc, x: u64) -> u64 {
    let w = fmt.width();
    match op {
        Misc::Cmp(c) => arith::compare_mask(ctx, fmt, c, x, 0, false),
        Misc::Abs => fmt.abs(x),
        Misc::Neg => fmt.neg(x),
        Misc::Sqrt => arith::sqrt(ctx, fmt, x),
        Misc::RoundInt(mode, exact) => {
            let mode = mode.unwrap_or_else(|| ctx.rounding());
            fp_convert::round_to_integral(ctx, fmt, x, mode, exact)
        }
        Misc::ToInt(mode, unsigned) => {
            let mode = mode.unwrap_or_else(|| ctx.rounding());
            fp_convert::to_int(ctx, fmt, x, 0, mode, unsigned, w)
        }
        Misc::FromInt(unsigned) => {
            let mode = ctx.rounding();
            fp_convert::from_int(ctx, fmt, x, 0, mode, unsigned, w)
        }
        Misc::RecipExponent => recip_exponent(ctx, fmt, x),
        Misc::RecipEstimate => fp_estimate::recip(ctx, fmt, x),
        Misc::RsqrtEstimate => fp_estimate::recip_sqrt(ctx, fmt, x),
        Misc::UnsignedRecipEstimate => fp_estimate::unsigned_recip(x),
        Misc::UnsignedRsqrtEstimate => fp_estimate::unsigned_recip_sqrt(x),
        Misc::RoundIntN(int_bits, use_fpcr) => {
            let mode = if use_fpcr { ctx.rounding() } else { Rounding::Zero };
            fp_bounded_int::round_to_int_n(ctx, fmt, x, mode, int_bits)
        }
    }
}

/// FRECPX: the exponent inverted, fraction cleared (zero and subnormals
/// give the largest exponent).
fn recip_exponent(ctx: &mut FpCtx, fmt: Fmt, x: u64) -> u64 {
    let x = ctx.flush_input(fmt, x);
    if fmt.is_nan(x) {
        return ctx.process_nan(fmt, x);
    }
    let sign = x & fmt.sign_bit();
    let exp = x & fmt.exp_mask();
    let max_exp = fmt.exp_mask() - (1 << fmt.fbits());
    if exp == 0 {
        sign | max_exp
    } else {
        sign | (!exp & fmt.exp_mask())
    }
}

/// AdvSIMD (scalar) two-register miscellaneous with an FP opcode.
pub fn two_reg_misc(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let opcode = bits(word, 16, 12);
    if matches!(opcode, 0b10110 | 0b10111) && !bit(word, 23) {
        return convert_width(cpu, word, scalar);
    }
    // BFCVTN, BFCVTN2 (FEAT_BF16): U = 0, size = 10.
    if opcode == 0b10110 && bits(word, 23, 22) == 0b10 && !bit(word, 29) {
        return super::advsimd_bf16::convert_narrow(cpu, word, scalar);
    }
    two_reg_misc_in(cpu, word, scalar, sz_format(word))
}

/// An FP two-register-misc operation (opcode 16:12, U, a = bit 23) on
/// `fmt` lanes. Half precision has no unsigned estimates and no FRINT32/64.
pub fn two_reg_misc_in(cpu: &mut CpuState, word: u32, scalar: bool, fmt: Fmt) -> Option<()> {
    let f = Fields::of(word);
    let op = decode_misc(bits(word, 16, 12), f.u, bit(word, 23))?;
    if scalar {
        if matches!(op, Misc::Abs | Misc::Neg | Misc::Sqrt | Misc::RoundInt(..) | Misc::RoundIntN(..)) {
            return None;
        }
    } else if matches!(op, Misc::RecipExponent) || (fmt == Fmt::D && !f.q) {
        return None;
    }
    let unsigned_estimate = matches!(op, Misc::UnsignedRecipEstimate | Misc::UnsignedRsqrtEstimate);
    if unsigned_estimate && (scalar || fmt != Fmt::S) {
        return None;
    }
    if matches!(op, Misc::RoundIntN(..)) && fmt == Fmt::H {
        return None;
    }
    let esize = fmt.width();
    let n = vreg(cpu, f.rn);
    let lanes = if scalar { 1 } else { f.lanes_of(esize) };
    let result = with_ctx(cpu, |ctx| build(esize, lanes, |i| misc_lane(ctx, fmt, op, get(n, esize, i))));
    if scalar {
        set_scalar(cpu, f.rd, result as u64, esize);
    } else {
        set_vreg(cpu, f.rd, result, f.q);
    }
    Some(())
}

/// FCVTN/FCVTN2, FCVTXN/FCVTXN2 (narrowing) and FCVTL/FCVTL2 (widening).
fn convert_width(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let f = Fields::of(word);
    let widen = bits(word, 16, 12) == 0b10111;
    let to_odd = f.u;
    if (widen && (f.u || scalar)) || (scalar && !to_odd) {
        return None;
    }
    let (wide, narrow) = if bit(word, 22) { (Fmt::D, Fmt::S) } else { (Fmt::S, Fmt::H) };
    if to_odd && wide != Fmt::D {
        return None;
    }
    let n = vreg(cpu, f.rn);
    let (ww, nw) = (wide.width(), narrow.width());
    if widen {
        let src = if f.q { n >> 64 } else { n };
        let r = with_ctx(cpu, |ctx| {
            build(ww, (128 / ww) as usize, |i| fp_convert::convert(ctx, narrow, wide, get(src, nw, i)))
        });
        set_vreg(cpu, f.rd, r, true);
        return Some(());
    }
    let lanes = if scalar { 1 } else { (64 / nw) as usize };
    let r = with_ctx(cpu, |ctx| {
        build(nw, lanes, |i| {
            let x = get(n, ww, i);
            if to_odd {
                // Round to odd for exact double rounding later; FPCR mode ignored.
                let saved = ctx.fpcr;
                ctx.fpcr &= !(3 << super::fp_format::fpcr::RMODE_SHIFT);
                let r = convert_to_odd(ctx, x);
                ctx.fpcr = saved;
                r
            } else {
                fp_convert::convert(ctx, wide, narrow, x)
            }
        })
    }) as u64;
    if scalar {
        set_scalar(cpu, f.rd, r, nw);
    } else if f.q {
        let low = vreg(cpu, f.rd) as u64 as u128;
        set_vreg(cpu, f.rd, low | ((r as u128) << 64), true);
    } else {
        set_vreg(cpu, f.rd, r as u128, false);
    }
    Some(())
}

/// Double to single with round-to-odd (FCVTXN).
fn convert_to_odd(ctx: &mut FpCtx, x: u64) -> u64 {
    use super::fp_format::{round_pack, unpack, Value};
    let (neg, v) = unpack(ctx, Fmt::D, x);
    match v {
        Value::Finite { mant, exp } => {
            let flush = ctx.flush(Fmt::S);
            round_pack(ctx, Fmt::S, neg, mant as u128, exp, Rounding::Odd, flush)
        }
        _ => fp_convert::convert(ctx, Fmt::D, Fmt::S, x),
    }
}
