//! The architected reciprocal and reciprocal square root estimates (FRECPE,
//! FRSQRTE, URECPE, URSQRTE). Their results are defined bit-for-bit by
//! Arm's lookup computation, so they are reproduced exactly here.

use super::fp_format::{fpsr, Fmt, FpCtx, Rounding};

/// 8-bit-precision reciprocal of a 9-bit fixed-point input in [0.5, 1):
/// `a` in 256..512 maps to a result in 256..512 representing [1, 2).
fn recip_estimate(a: u64) -> u64 {
    let a = a * 2 + 1;
    let b = (1u64 << 19) / a;
    b.div_ceil(2)
}

/// 8-bit-precision reciprocal square root of a fixed-point input in
/// [0.25, 1): `a` in 128..512, result in 256..512 representing [1, 2).
fn recip_sqrt_estimate(a: u64) -> u64 {
    // Both ranges rescaled to units of 1/1024.
    let a = if a < 256 { a * 2 + 1 } else { (((a >> 1) << 1) + 1) * 2 };
    // Largest b with a * b^2 < 2^28, searched upwards from 512.
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < (1 << 28) {
        b += 1;
    }
    b.div_ceil(2)
}

/// Exponent field and the fraction as 52 bits (MSB-aligned) of a value.
fn fields(fmt: Fmt, x: u64) -> (i64, u64) {
    let exp = ((x & fmt.exp_mask()) >> fmt.fbits()) as i64;
    let frac = (x & fmt.frac_mask()) << (52 - fmt.fbits());
    (exp, frac)
}

/// Builds sign : exponent : fraction (52-bit MSB-aligned) in `fmt`.
fn assemble(fmt: Fmt, negative: bool, exp: i64, frac52: u64) -> u64 {
    fmt.zero(negative) | ((exp as u64) << fmt.fbits()) | (frac52 >> (52 - fmt.fbits()))
}

/// FRECPE for any format.
pub fn recip(ctx: &mut FpCtx, fmt: Fmt, x: u64) -> u64 {
    let x = ctx.flush_input(fmt, x);
    let neg = fmt.is_negative(x);
    let mag = fmt.abs(x);
    if fmt.is_nan(x) {
        return ctx.process_nan(fmt, x);
    }
    if mag == fmt.exp_mask() {
        return fmt.zero(neg);
    }
    if mag == 0 {
        ctx.raise(fpsr::DZC);
        return fmt.infinity(neg);
    }
    let (mut exp, mut frac) = fields(fmt, x);
    // Below 2^-(bias+1) the reciprocal overflows.
    let tiny_limit = 1u64 << (fmt.fbits() - 2);
    if exp == 0 && (x & fmt.frac_mask()) < tiny_limit {
        ctx.raise(fpsr::OFC | fpsr::IXC);
        let to_inf = match ctx.rounding() {
            Rounding::TiesEven | Rounding::TiesAway => true,
            Rounding::PosInf => !neg,
            Rounding::NegInf => neg,
            Rounding::Zero | Rounding::Odd => false,
        };
        return if to_inf { fmt.infinity(neg) } else { fmt.max_normal(neg) };
    }
    // Results below the normal range flush to zero under FZ.
    if ctx.flush(fmt) && exp >= 2 * fmt.bias() as i64 - 1 {
        ctx.raise(fpsr::UFC);
        return fmt.zero(neg);
    }
    if exp == 0 {
        if frac >> 51 == 0 {
            exp = -1;
            frac = (frac << 2) & ((1 << 52) - 1);
        } else {
            frac = (frac << 1) & ((1 << 52) - 1);
        }
    }
    let scaled = (1 << 8) | (frac >> 44);
    let mut result_exp = 2 * fmt.bias() as i64 - 1 - exp;
    let estimate = recip_estimate(scaled);
    let mut frac = (estimate & 0xff) << 44;
    if result_exp == 0 {
        frac = (1 << 51) | (frac >> 1);
    } else if result_exp == -1 {
        frac = (1 << 50) | (frac >> 2);
        result_exp = 0;
    }
    assemble(fmt, neg, result_exp, frac)
}

/// FRSQRTE for any format.
pub fn recip_sqrt(ctx: &mut FpCtx, fmt: Fmt, x: u64) -> u64 {
    let x = ctx.flush_input(fmt, x);
    let neg = fmt.is_negative(x);
    let mag = fmt.abs(x);
    if fmt.is_nan(x) {
        return ctx.process_nan(fmt, x);
    }
    if mag == 0 {
        ctx.raise(fpsr::DZC);
        return fmt.infinity(neg);
    }
    if neg {
        ctx.raise(fpsr::IOC);
        return fmt.default_nan();
    }
    if mag == fmt.exp_mask() {
        return 0;
    }
    let (mut exp, mut frac) = fields(fmt, x);
    if exp == 0 {
        while frac >> 51 == 0 {
            frac = (frac << 1) & ((1 << 52) - 1);
            exp -= 1;
        }
        frac = (frac << 1) & ((1 << 52) - 1);
    }
    let scaled = if exp & 1 == 0 { (1 << 8) | (frac >> 44) } else { (1 << 7) | (frac >> 45) };
    let result_exp = (3 * fmt.bias() as i64 - 1 - exp).div_euclid(2);
    let estimate = recip_sqrt_estimate(scaled);
    assemble(fmt, false, result_exp, (estimate & 0xff) << 44)
}

/// URECPE on one 32-bit lane.
pub fn unsigned_recip(x: u64) -> u64 {
    if x & 0x8000_0000 == 0 {
        return 0xffff_ffff;
    }
    (recip_estimate((x >> 23) & 0x1ff) & 0x1ff) << 23
}

/// URSQRTE on one 32-bit lane.
pub fn unsigned_recip_sqrt(x: u64) -> u64 {
    if x & 0xc000_0000 == 0 {
        return 0xffff_ffff;
    }
    (recip_sqrt_estimate((x >> 23) & 0x1ff) & 0x1ff) << 23
}
