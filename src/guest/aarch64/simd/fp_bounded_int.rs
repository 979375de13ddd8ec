//! Conversions bounded by a two's-complement integer range:
//! FRINT32Z/X, FRINT64Z/X (FEAT_FRINTTS) and FJCVTZS (FEAT_JSCVT).

use super::fp_format::{fpsr, round_pack, shift_round, unpack, Fmt, FpCtx, Rounding, Value};

/// The value FRINT32/64 give for NaN, infinity and out-of-range inputs:
/// the most negative `int_bits`-bit integer, -2^(int_bits-1).
fn most_negative(fmt: Fmt, int_bits: u32) -> u64 {
    let field = (fmt.bias() + int_bits as i32 - 1) as u64;
    fmt.sign_bit() | (field << fmt.fbits())
}

/// FRINT32*/FRINT64*: rounds to an integral value with `mode` and checks
/// that it fits an `int_bits`-bit signed integer. Unlike FRINTZ/FRINTX,
/// IXC is raised whenever the value changes, and NaNs, infinities and
/// out-of-range values give -2^(int_bits-1) with IOC.
pub fn round_to_int_n(ctx: &mut FpCtx, fmt: Fmt, x: u64, mode: Rounding, int_bits: u32) -> u64 {
    let (neg, value) = unpack(ctx, fmt, x);
    let (mant, exp) = match value {
        Value::Zero => return fmt.zero(neg),
        Value::NaN | Value::Inf => {
            ctx.raise(fpsr::IOC);
            return most_negative(fmt, int_bits);
        }
        Value::Finite { mant, exp } => (mant, exp),
    };
    let (magnitude, inexact) = if exp >= 0 {
        // Integral already; anything shifted past 2^64 is out of range anyway.
        if exp >= 64 {
            (u128::MAX, false)
        } else {
            ((mant as u128) << exp, false)
        }
    } else {
        shift_round(mant as u128, (-exp) as u32, mode, neg)
    };
    let limit = if neg { 1u128 << (int_bits - 1) } else { (1u128 << (int_bits - 1)) - 1 };
    if magnitude > limit {
        ctx.raise(fpsr::IOC);
        return most_negative(fmt, int_bits);
    }
    if inexact {
        ctx.raise(fpsr::IXC);
    }
    // Integers below 2^64 round exactly into S or D only if they fit the
    // precision; a rounded value does (it came from a value of that format).
    round_pack(ctx, fmt, neg, magnitude, 0, Rounding::Zero, false)
}

/// FJCVTZS: double to 32-bit integer rounding towards zero, modulo 2^32
/// (JavaScript ToInt32). Returns the result and the Z flag, which is set
/// only when the conversion was exact and in range (and the input was not
/// -0.0 or a flushed subnormal).
pub fn js_convert(ctx: &mut FpCtx, x: u64) -> (u32, bool) {
    let fmt = Fmt::D;
    let (neg, value) = unpack(ctx, fmt, x);
    let (mant, exp) = match value {
        Value::NaN | Value::Inf => {
            ctx.raise(fpsr::IOC);
            return (0, false);
        }
        // -0.0 and flushed subnormals are zero but not "exactly" 0.
        Value::Zero => return (0, !neg && fmt.abs(x) == 0),
        Value::Finite { mant, exp } => (mant, exp),
    };
    // Truncated magnitude (exactly when below 2^64) and whether it fits
    // the signed 32-bit range.
    let (truncated, inexact, in_range) = if exp >= 0 {
        // mant has 53 bits: any left shift of 11 or more exceeds 2^63.
        let in_range = exp < 11 && {
            let m = (mant as u128) << exp;
            if neg {
                m <= 1 << 31
            } else {
                m < 1 << 31
            }
        };
        // Bits at or above 2^32 vanish modulo 2^32.
        let low = if exp >= 32 { 0 } else { ((mant as u128) << exp) as u32 };
        (low, false, in_range)
    } else {
        let shift = (-exp) as u32;
        let (t, inexact) = if shift >= 64 { (0u64, true) } else { (mant >> shift, mant & ((1u64 << shift) - 1) != 0) };
        let in_range = if neg { t <= 1 << 31 } else { t < 1 << 31 };
        (t as u32, inexact, in_range)
    };
    let result = if neg { truncated.wrapping_neg() } else { truncated };
    if !in_range {
        ctx.raise(fpsr::IOC);
        return (result, false);
    }
    if inexact {
        ctx.raise(fpsr::IXC);
        return (result, false);
    }
    (result, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frint32_bounds() {
        let mut ctx = FpCtx::new(0);
        let r = round_to_int_n(&mut ctx, Fmt::S, 2147483648.0f32.to_bits() as u64, Rounding::Zero, 32);
        assert_eq!(f32::from_bits(r as u32), -2147483648.0);
        assert_eq!(ctx.flags, fpsr::IOC);
        let mut ctx = FpCtx::new(0);
        let r = round_to_int_n(&mut ctx, Fmt::D, (-2.5f64).to_bits(), Rounding::Zero, 32);
        assert_eq!(f64::from_bits(r), -2.0);
        assert_eq!(ctx.flags, fpsr::IXC);
        let mut ctx = FpCtx::new(0);
        let r = round_to_int_n(&mut ctx, Fmt::D, (-0.25f64).to_bits(), Rounding::Zero, 64);
        assert_eq!(r, 1 << 63);
    }

    #[test]
    fn javascript_to_int32() {
        let mut ctx = FpCtx::new(0);
        assert_eq!(js_convert(&mut ctx, 4294967297.0f64.to_bits()), (1, false));
        assert_eq!(ctx.flags, fpsr::IOC);
        let mut ctx = FpCtx::new(0);
        assert_eq!(js_convert(&mut ctx, (-1.0f64).to_bits()), (u32::MAX, true));
        assert_eq!(js_convert(&mut ctx, (-2147483648.0f64).to_bits()), (0x8000_0000, true));
        assert_eq!(ctx.flags, 0);
        assert_eq!(js_convert(&mut ctx, 1.5f64.to_bits()), (1, false));
        assert_eq!(ctx.flags, fpsr::IXC);
    }
}
