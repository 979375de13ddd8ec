//! Constraints of the scalar floating-point classes.

use super::{set, Ctx};

/// FMOV, FABS, FNEG, FSQRT, FCVT, FRINT{N,P,M,Z,A,X,I}, FRINT32/64{Z,X}:
/// the allocated opcodes (not BFCVT, BF16 is not advertised).
pub fn one_source(c: &mut Ctx, w: u32) -> Option<u32> {
    Some(set(w, 15, 6, c.rng.pick(&[0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19])))
}

/// FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL.
pub fn two_source(c: &mut Ctx, w: u32) -> Option<u32> {
    Some(set(w, 12, 4, c.rng.below(9) as u32))
}

/// Conversions between FP and general registers: Rd may be a general
/// register, so never X27/X28.
pub fn int_convert(c: &mut Ctx, w: u32) -> Option<u32> {
    Some(c.protect(w, 0, true))
}

/// Fixed-point conversions: 32-bit integer forms need scale >= 32 (bit 15
/// set); Rd may be a general register.
pub fn fixed_convert(c: &mut Ctx, mut w: u32) -> Option<u32> {
    if w >> 31 == 0 {
        w = set(w, 15, 1, 1);
    }
    Some(c.protect(w, 0, true))
}
