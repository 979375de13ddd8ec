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

/// Three same (extra): SQRDMLAH/SQRDMLSH (RDM) and SDOT/UDOT; the other
/// opcodes of the group (FCMA, BF16, I8MM) are not advertised by Kestrel.
/// The scalar group has only SQRDMLAH/SQRDMLSH.
pub fn three_same_extra(c: &mut Ctx, w: u32) -> Option<u32> {
    let scalar = field(w, 28, 1) == 1;
    let (u, opcode) = if scalar || c.rng.chance(1, 2) { (1, c.rng.below(2) as u32) } else { (c.rng.below(2) as u32, 0b0010) };
    Some(set(set(w, 29, 1, u), 11, 4, opcode))
}

/// SHA1/SHA256: the allocated opcodes of the three- and two-register forms.
pub fn sha(c: &mut Ctx, w: u32) -> Option<u32> {
    if field(w, 21, 1) == 0 {
        Some(set(w, 12, 3, c.rng.below(7) as u32))
    } else {
        Some(set(w, 12, 5, c.rng.below(3) as u32))
    }
}

/// SHA512 and SHA3: O = 1 in the three-register group is SM3/SM4.
pub fn sha512_sha3(_: &mut Ctx, w: u32) -> Option<u32> {
    Some(if w & 0xffe0_0000 == 0xce60_0000 { set(w, 14, 1, 0) } else { w })
}
