//! Constraints of the Advanced SIMD classes.

use super::{field, set, Ctx};

/// DUP/INS/UMOV/SMOV: UMOV and SMOV write a general register, so Rd is never
/// X27/X28.
pub fn copy(c: &mut Ctx, w: u32) -> Option<u32> {
    Some(c.protect(w, 0, true))
}

/// Shift by immediate: immh = 0 is the modified-immediate space.
pub fn shift_imm(c: &mut Ctx, w: u32) -> Option<u32> {
    if field(w, 19, 4) == 0 {
        Some(set(w, 19, 4, 1 + c.rng.below(15) as u32))
    } else {
        Some(w)
    }
}
