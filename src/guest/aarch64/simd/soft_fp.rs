//! Exact software arithmetic for half precision, where the host has no
//! matching unit: add, subtract, multiply, divide, square root and fused
//! multiply-add, each computed exactly (or with a sticky bit) in integers
//! and rounded once by [`round_pack`], so the result and the FPSR flags
//! follow the Arm rules (tininess before rounding, FZ16 on results).
//!
//! Operands are already flushed and are not NaNs; callers handle NaN
//! propagation. Only half precision is accepted: its widest exact
//! intermediate (an aligned fused sum) needs about 80 bits, which fits
//! the u128 arithmetic used here; wider formats would not.

use super::fp_format::{fpsr, round_pack, unpack_raw, Fmt, FpCtx, Rounding, Value};
use super::host_fp::BinOp;

/// An exact finite value: `(-1)^neg * mant * 2^exp`; `mant` may be zero.
#[derive(Clone, Copy)]
struct Exact {
    neg: bool,
    mant: u128,
    exp: i32,
}

/// Either an exact finite value (zero included) or an infinity.
enum Operand {
    Finite(Exact),
    Inf(bool),
}

fn operand(fmt: Fmt, x: u64) -> Operand {
    let (neg, v) = unpack_raw(fmt, x);
    match v {
        Value::Zero => Operand::Finite(Exact { neg, mant: 0, exp: 0 }),
        Value::Finite { mant, exp } => Operand::Finite(Exact { neg, mant: mant as u128, exp }),
        // NaNs never reach here; treat one as an infinity rather than panic.
        Value::Inf | Value::NaN => Operand::Inf(neg),
    }
}

fn invalid(ctx: &mut FpCtx, fmt: Fmt) -> u64 {
    ctx.raise(fpsr::IOC);
    fmt.default_nan()
}

/// Rounds an exact value into `fmt` under the FPCR mode and FZ16.
fn round(ctx: &mut FpCtx, fmt: Fmt, v: Exact) -> u64 {
    let mode = ctx.rounding();
    let flush = ctx.flush(fmt);
    round_pack(ctx, fmt, v.neg, v.mant, v.exp, mode, flush)
}

/// Exact sum. A zero sum of two non-zero-sum terms takes the sign IEEE 754
/// gives it: negative only if both terms are negative zeros, or, for an
/// exact cancellation, when rounding towards minus infinity.
fn exact_sum(ctx: &FpCtx, a: Exact, b: Exact) -> Exact {
    let exp = a.exp.min(b.exp);
    let (ma, mb) = (a.mant << (a.exp - exp) as u32, b.mant << (b.exp - exp) as u32);
    let (neg, mant) = if a.neg == b.neg {
        (a.neg, ma + mb)
    } else if ma >= mb {
        (a.neg, ma - mb)
    } else {
        (b.neg, mb - ma)
    };
    if mant == 0 {
        let both_negative_zeros = a.neg && b.neg;
        let neg = both_negative_zeros || (a.neg != b.neg && ctx.rounding() == Rounding::NegInf);
        return Exact { neg, mant: 0, exp: 0 };
    }
    Exact { neg, mant, exp }
}

fn exact_product(a: Exact, b: Exact) -> Exact {
    Exact { neg: a.neg != b.neg, mant: a.mant * b.mant, exp: a.exp + b.exp }
}

fn add(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    match (operand(fmt, a), operand(fmt, b)) {
        (Operand::Inf(x), Operand::Inf(y)) if x != y => invalid(ctx, fmt),
        (Operand::Inf(x), _) | (_, Operand::Inf(x)) => fmt.infinity(x),
        (Operand::Finite(x), Operand::Finite(y)) => {
            let sum = exact_sum(ctx, x, y);
            round(ctx, fmt, sum)
        }
    }
}

fn mul(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    match (operand(fmt, a), operand(fmt, b)) {
        (Operand::Inf(x), Operand::Inf(y)) => fmt.infinity(x != y),
        (Operand::Inf(i), Operand::Finite(f)) | (Operand::Finite(f), Operand::Inf(i)) => {
            if f.mant == 0 {
                invalid(ctx, fmt)
            } else {
                fmt.infinity(i != f.neg)
            }
        }
        (Operand::Finite(x), Operand::Finite(y)) => round(ctx, fmt, exact_product(x, y)),
    }
}

/// Extra quotient and root bits beyond the 11-bit significands, enough for
/// a correctly rounded result with a sticky bit below.
const EXTRA_BITS: u32 = 40;

fn div(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    match (operand(fmt, a), operand(fmt, b)) {
        (Operand::Inf(_), Operand::Inf(_)) => invalid(ctx, fmt),
        (Operand::Inf(x), Operand::Finite(y)) => fmt.infinity(x != y.neg),
        (Operand::Finite(x), Operand::Inf(y)) => fmt.zero(x.neg != y),
        (Operand::Finite(x), Operand::Finite(y)) => {
            let neg = x.neg != y.neg;
            if y.mant == 0 {
                if x.mant == 0 {
                    return invalid(ctx, fmt);
                }
                ctx.raise(fpsr::DZC);
                return fmt.infinity(neg);
            }
            if x.mant == 0 {
                return fmt.zero(neg);
            }
            let dividend = x.mant << EXTRA_BITS;
            let (q, r) = (dividend / y.mant, dividend % y.mant);
            // A non-zero remainder becomes a sticky bit below the quotient.
            let mant = (q << 1) | (r != 0) as u128;
            let exp = x.exp - y.exp - EXTRA_BITS as i32 - 1;
            round(ctx, fmt, Exact { neg, mant, exp })
        }
    }
}

/// Largest r with r * r <= v.
fn isqrt(v: u128) -> u128 {
    let mut root = 0u128;
    let mut bit = 1u128 << 126;
    let mut rem = v;
    while bit > rem {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= root + bit {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    root
}

fn sqrt(ctx: &mut FpCtx, fmt: Fmt, a: u64) -> u64 {
    match operand(fmt, a) {
        Operand::Inf(false) => fmt.infinity(false),
        Operand::Inf(true) => invalid(ctx, fmt),
        Operand::Finite(x) if x.mant == 0 => fmt.zero(x.neg),
        Operand::Finite(x) if x.neg => invalid(ctx, fmt),
        Operand::Finite(x) => {
            // Make the exponent even, then widen so the root keeps
            // EXTRA_BITS bits of fraction.
            let (mant, exp) = if x.exp % 2 != 0 { (x.mant << 1, x.exp - 1) } else { (x.mant, x.exp) };
            let wide = mant << (2 * EXTRA_BITS);
            let root = isqrt(wide);
            let sticky = root * root != wide;
            let mant = (root << 1) | sticky as u128;
            let exp = exp / 2 - EXTRA_BITS as i32 - 1;
            round(ctx, fmt, Exact { neg: false, mant, exp })
        }
    }
}

/// `addend + a * b` rounded once.
fn fused(ctx: &mut FpCtx, fmt: Fmt, addend: u64, a: u64, b: u64) -> u64 {
    let product = match (operand(fmt, a), operand(fmt, b)) {
        (Operand::Inf(x), Operand::Inf(y)) => Operand::Inf(x != y),
        (Operand::Inf(i), Operand::Finite(f)) | (Operand::Finite(f), Operand::Inf(i)) => {
            if f.mant == 0 {
                return invalid(ctx, fmt);
            }
            Operand::Inf(i != f.neg)
        }
        (Operand::Finite(x), Operand::Finite(y)) => Operand::Finite(exact_product(x, y)),
    };
    match (operand(fmt, addend), product) {
        (Operand::Inf(x), Operand::Inf(y)) if x != y => invalid(ctx, fmt),
        (Operand::Inf(x), _) | (_, Operand::Inf(x)) => fmt.infinity(x),
        (Operand::Finite(c), Operand::Finite(p)) => {
            let sum = exact_sum(ctx, c, p);
            round(ctx, fmt, sum)
        }
    }
}

/// `a op b` for non-NaN, already flushed half-precision operands.
pub fn binary(ctx: &mut FpCtx, fmt: Fmt, op: BinOp, a: u64, b: u64) -> u64 {
    match op {
        BinOp::Add => add(ctx, fmt, a, b),
        BinOp::Sub => add(ctx, fmt, a, fmt.neg(b)),
        BinOp::Mul => mul(ctx, fmt, a, b),
        BinOp::Div => div(ctx, fmt, a, b),
    }
}

/// Square root of a non-NaN, already flushed half-precision operand.
pub fn square_root(ctx: &mut FpCtx, fmt: Fmt, a: u64) -> u64 {
    sqrt(ctx, fmt, a)
}

/// `addend + a * b` with a single rounding, for non-NaN operands.
pub fn mul_add(ctx: &mut FpCtx, fmt: Fmt, addend: u64, a: u64, b: u64) -> u64 {
    fused(ctx, fmt, addend, a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: f32) -> u64 {
        // Exact for the small values used here.
        let mut ctx = FpCtx::new(0);
        super::super::fp_convert::convert(&mut ctx, Fmt::S, Fmt::H, x.to_bits() as u64)
    }

    #[test]
    fn basic_operations() {
        let mut ctx = FpCtx::new(0);
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Add, h(1.0), h(2.0)), h(3.0));
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Sub, h(1.0), h(1.0)), 0);
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Mul, h(1.5), h(-2.0)), h(-3.0));
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Div, h(3.0), h(4.0)), h(0.75));
        assert_eq!(square_root(&mut ctx, Fmt::H, h(9.0)), h(3.0));
        assert_eq!(mul_add(&mut ctx, Fmt::H, h(1.0), h(2.0), h(3.0)), h(7.0));
        assert_eq!(ctx.flags, 0);
        // 1/3 is inexact; 0x3555 is its nearest half.
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Div, h(1.0), h(3.0)), 0x3555);
        assert_eq!(ctx.flags, fpsr::IXC);
        assert_eq!(isqrt(u128::MAX), u64::MAX as u128);
    }

    #[test]
    fn zero_signs() {
        let mut ctx = FpCtx::new(2 << 22); // round towards minus infinity
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Sub, h(1.0), h(1.0)), 0x8000);
        let mut ctx = FpCtx::new(0);
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Add, 0x8000, 0x8000), 0x8000);
        assert_eq!(binary(&mut ctx, Fmt::H, BinOp::Add, 0x8000, 0), 0);
        assert_eq!(square_root(&mut ctx, Fmt::H, 0x8000), 0x8000);
    }
}
