//! Conversions done exactly in integer arithmetic: between FP formats,
//! between FP and (fixed-point) integers, and rounding to integral (FRINT*).

use super::fp_format::{
    alt_half_saturate, fpsr, round_pack, round_pack_alt_half, shift_round, unpack, unpack_alt_half, Fmt, FpCtx,
    Rounding, Value,
};

/// FCVT between formats. NaN payloads keep their top bits. With FPCR.AHP a
/// half-precision source or destination uses the alternative format.
pub fn convert(ctx: &mut FpCtx, from: Fmt, to: Fmt, x: u64) -> u64 {
    let alt_half = ctx.alt_half();
    // Half-precision operands are not flushed by FZ, nor by FZ16 in FCVT.
    let (neg, value) = if from == Fmt::H {
        if alt_half {
            unpack_alt_half(x)
        } else {
            super::fp_format::unpack_raw(from, x)
        }
    } else {
        unpack(ctx, from, x)
    };
    let alt_to = alt_half && to == Fmt::H;
    match value {
        Value::NaN if alt_to => {
            // The alternative format has no NaN: a zero of the same sign,
            // invalid whether the NaN was quiet or signalling (and whatever DN).
            ctx.raise(fpsr::IOC);
            to.zero(neg)
        }
        Value::NaN => {
            if from.is_snan(x) {
                ctx.raise(fpsr::IOC);
            }
            if ctx.default_nan_mode() {
                return to.default_nan();
            }
            // The payload below the quiet bit, aligned to the top of the
            // destination fraction (truncated or zero-extended).
            let payload = x & (from.quiet_bit() - 1);
            let aligned = if to.fbits() >= from.fbits() {
                payload << (to.fbits() - from.fbits())
            } else {
                payload >> (from.fbits() - to.fbits())
            };
            to.zero(neg) | to.exp_mask() | to.quiet_bit() | aligned
        }
        Value::Inf if alt_to => alt_half_saturate(ctx, neg),
        Value::Inf => to.infinity(neg),
        Value::Zero => to.zero(neg),
        Value::Finite { mant, exp } if alt_to => {
            let mode = ctx.rounding();
            round_pack_alt_half(ctx, neg, mant as u128, exp, mode)
        }
        Value::Finite { mant, exp } => {
            let flush = to != Fmt::H && ctx.flush(to);
            let mode = ctx.rounding();
            round_pack(ctx, to, neg, mant as u128, exp, mode, flush)
        }
    }
}

/// Rounds `|value| * 2^fbits` to an integer magnitude with `mode`.
/// Returns the magnitude (saturated to u128) and whether it was inexact.
fn round_magnitude(mant: u64, exp: i32, mode: Rounding, neg: bool) -> (u128, bool) {
    if exp >= 0 {
        if exp >= 64 {
            (u128::MAX, false)
        } else {
            ((mant as u128) << exp, false)
        }
    } else {
        shift_round(mant as u128, (-exp) as u32, mode, neg)
    }
}

/// FCVT[NPMZA][SU] and the fixed-point FCVTZ[SU]: converts to a `width`-bit
/// integer with `fbits` fraction bits, saturating; NaN gives 0. IOC on
/// saturation or NaN, otherwise IXC when inexact.
pub fn to_int(ctx: &mut FpCtx, fmt: Fmt, x: u64, fbits: u32, mode: Rounding, unsigned: bool, width: u32) -> u64 {
    let (neg, value) = unpack(ctx, fmt, x);
    let (mag, inexact) = match value {
        Value::NaN => {
            ctx.raise(fpsr::IOC);
            return 0;
        }
        Value::Zero => (0, false),
        Value::Inf => (u128::MAX, false),
        Value::Finite { mant, exp } => round_magnitude(mant, exp + fbits as i32, mode, neg),
    };
    let (max_pos, max_neg): (u128, u128) = if unsigned {
        ((1u128 << width) - 1, 0)
    } else {
        ((1u128 << (width - 1)) - 1, 1u128 << (width - 1))
    };
    let limit = if neg { max_neg } else { max_pos };
    let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
    if mag > limit {
        ctx.raise(fpsr::IOC);
        let sat = if neg { (max_neg as u64).wrapping_neg() } else { max_pos as u64 };
        return sat & mask;
    }
    if inexact {
        ctx.raise(fpsr::IXC);
    }
    let v = if neg { (mag as u64).wrapping_neg() } else { mag as u64 };
    v & mask
}

/// SCVTF/UCVTF: a `width`-bit integer with `fbits` fraction bits to `fmt`,
/// rounded with `mode`. Unlike FCVT, a tiny half-precision result (possible
/// with fraction bits) is flushed under FZ16.
pub fn from_int(ctx: &mut FpCtx, fmt: Fmt, x: u64, fbits: u32, mode: Rounding, unsigned: bool, width: u32) -> u64 {
    let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
    let x = x & mask;
    let (neg, mag) = if !unsigned && (x >> (width - 1)) & 1 != 0 {
        (true, (x | !mask).wrapping_neg())
    } else {
        (false, x)
    };
    let flush = ctx.flush(fmt);
    round_pack(ctx, fmt, neg, mag as u128, -(fbits as i32), mode, flush)
}

/// FRINT*: rounds to an integral value in the same format. `exact` (FRINTX)
/// raises IXC when the value changes.
pub fn round_to_integral(ctx: &mut FpCtx, fmt: Fmt, x: u64, mode: Rounding, exact: bool) -> u64 {
    let flushed = ctx.flush_input(fmt, x);
    let (neg, value) = super::fp_format::unpack_raw(fmt, flushed);
    match value {
        Value::NaN => ctx.process_nan(fmt, x),
        Value::Inf | Value::Zero => flushed,
        Value::Finite { exp, .. } if exp >= 0 => flushed,
        Value::Finite { mant, exp } => {
            let (mag, inexact) = shift_round(mant as u128, (-exp) as u32, mode, neg);
            if inexact && exact {
                ctx.raise(fpsr::IXC);
            }
            // An integer that fits the format's precision: packing is exact.
            round_pack(ctx, fmt, neg, mag, 0, Rounding::Zero, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_to_int_saturates() {
        let mut ctx = FpCtx::new(0);
        let r = to_int(&mut ctx, Fmt::D, (-1.5f64).to_bits(), 0, Rounding::TiesEven, false, 32);
        assert_eq!(r, 0xffff_fffe);
        assert_eq!(ctx.flags, fpsr::IXC);
        let mut ctx = FpCtx::new(0);
        assert_eq!(to_int(&mut ctx, Fmt::D, 1e20f64.to_bits(), 0, Rounding::Zero, false, 64), i64::MAX as u64);
        assert_eq!(ctx.flags, fpsr::IOC);
        let mut ctx = FpCtx::new(0);
        assert_eq!(to_int(&mut ctx, Fmt::S, (-0.25f32).to_bits() as u64, 0, Rounding::Zero, true, 32), 0);
        assert_eq!(ctx.flags, fpsr::IXC);
        let mut ctx = FpCtx::new(0);
        assert_eq!(to_int(&mut ctx, Fmt::S, (-1.0f32).to_bits() as u64, 0, Rounding::Zero, true, 32), 0);
        assert_eq!(ctx.flags, fpsr::IOC);
    }

    #[test]
    fn int_to_float_rounds() {
        let mut ctx = FpCtx::new(0);
        let r = from_int(&mut ctx, Fmt::S, 0x0100_0001, 0, Rounding::PosInf, false, 32);
        assert_eq!(f32::from_bits(r as u32), 16777218.0);
        let r = from_int(&mut ctx, Fmt::D, u64::MAX, 0, Rounding::TiesEven, false, 64);
        assert_eq!(f64::from_bits(r), -1.0);
        let r = from_int(&mut ctx, Fmt::D, 3, 1, Rounding::TiesEven, true, 64);
        assert_eq!(f64::from_bits(r), 1.5);
    }

    #[test]
    fn rounding_to_integral() {
        let mut ctx = FpCtx::new(0);
        let r = round_to_integral(&mut ctx, Fmt::D, (-2.5f64).to_bits(), Rounding::TiesEven, true);
        assert_eq!(f64::from_bits(r), -2.0);
        assert_eq!(ctx.flags, fpsr::IXC);
        let r = round_to_integral(&mut ctx, Fmt::S, (-0.25f32).to_bits() as u64, Rounding::TiesAway, false);
        assert_eq!(r, 0x8000_0000);
        let r = round_to_integral(&mut ctx, Fmt::S, 0.5f32.to_bits() as u64, Rounding::TiesAway, false);
        assert_eq!(f32::from_bits(r as u32), 1.0);
    }
}
