//! Constraints of the integer data-processing classes: destination registers
//! never X27/X28 and never SP; reserved and unallocated field values are
//! replaced by valid ones so that few words are wasted.

use super::{field, set, Ctx};

/// Rd may be XZR (31) but not X27/X28.
pub fn dest_xzr(c: &mut Ctx, w: u32) -> Option<u32> {
    Some(c.protect(w, 0, true))
}

/// ADD/SUB (immediate): Rd = 31 is SP unless flags are set.
pub fn add_sub_imm(c: &mut Ctx, w: u32) -> Option<u32> {
    let s = field(w, 29, 1) == 1;
    Some(c.protect(w, 0, s))
}

/// Whether N:immr:imms encodes a bitmask immediate (DecodeBitMasks): the
/// element size comes from the highest set bit of N:NOT(imms), and imms must
/// not select all of the element's bits.
fn valid_bitmask(n: u32, imms: u32) -> bool {
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return false;
    }
    let len = 31 - combined.leading_zeros();
    let levels = (1 << len) - 1;
    len >= 1 && imms & levels != levels
}

/// AND/ORR/EOR/ANDS (immediate): Rd = 31 is SP except for ANDS; N = 1 needs
/// a 64-bit operation; reserved bitmask encodings are redrawn.
pub fn logical_imm(c: &mut Ctx, mut w: u32) -> Option<u32> {
    if field(w, 31, 1) == 0 {
        w = set(w, 22, 1, 0);
    }
    while !valid_bitmask(field(w, 22, 1), field(w, 10, 6)) {
        w = set(w, 10, 6, c.rng.below(64) as u32);
    }
    let ands = field(w, 29, 2) == 3;
    Some(c.protect(w, 0, ands))
}

/// MOVN/MOVZ/MOVK: opc = 01 is unallocated; 32-bit forms shift by 0 or 16.
pub fn move_wide(c: &mut Ctx, mut w: u32) -> Option<u32> {
    if field(w, 29, 2) == 1 {
        w = set(w, 29, 2, c.rng.pick(&[0, 2, 3]));
    }
    if field(w, 31, 1) == 0 {
        w = set(w, 22, 1, 0);
    }
    Some(c.protect(w, 0, true))
}

/// SBFM/BFM/UBFM: N must equal sf; 32-bit forms have 5-bit immr/imms.
pub fn bitfield(c: &mut Ctx, mut w: u32) -> Option<u32> {
    if field(w, 29, 2) == 3 {
        w = set(w, 29, 2, c.rng.below(3) as u32);
    }
    let sf = field(w, 31, 1);
    w = set(w, 22, 1, sf);
    if sf == 0 {
        w = set(w, 21, 1, 0);
        w = set(w, 15, 1, 0);
    }
    Some(c.protect(w, 0, true))
}

/// EXTR: N must equal sf; the 32-bit form shifts by less than 32.
pub fn extract(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let sf = field(w, 31, 1);
    w = set(w, 22, 1, sf);
    if sf == 0 {
        w = set(w, 15, 1, 0);
    }
    Some(c.protect(w, 0, true))
}

/// Logical and ADD/SUB (shifted register): shift type 11 is reserved for
/// ADD/SUB, 32-bit forms shift by less than 32.
pub fn shifted(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let add_sub = field(w, 24, 1) == 1;
    if add_sub && field(w, 22, 2) == 3 {
        w = set(w, 22, 2, c.rng.below(3) as u32);
    }
    if field(w, 31, 1) == 0 {
        w = set(w, 15, 1, 0);
    }
    Some(c.protect(w, 0, true))
}

/// ADD/SUB (extended register): shift amount at most 4; Rd = 31 is SP unless
/// flags are set.
pub fn add_sub_extended(c: &mut Ctx, mut w: u32) -> Option<u32> {
    if field(w, 10, 3) > 4 {
        w = set(w, 10, 3, c.rng.below(5) as u32);
    }
    let s = field(w, 29, 1) == 1;
    Some(c.protect(w, 0, s))
}

/// RBIT, REV16, REV32/REV, REV (64), CLZ, CLS.
pub fn dp_1src(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let valid: &[u32] = if field(w, 31, 1) == 1 { &[0, 1, 2, 3, 4, 5] } else { &[0, 1, 2, 4, 5] };
    w = set(w, 10, 6, c.rng.pick(valid));
    Some(c.protect(w, 0, true))
}

/// UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32{B,H,W,X}, CRC32C{B,H,W,X}.
pub fn dp_2src(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let op = c.rng.pick(&[2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23]);
    w = set(w, 10, 6, op);
    if op >= 16 {
        // CRC32X/CRC32CX are the 64-bit forms, the others 32-bit.
        w = set(w, 31, 1, (op & 3 == 3) as u32);
    }
    Some(c.protect(w, 0, true))
}

/// MADD/MSUB, SMADDL/SMSUBL, SMULH, UMADDL/UMSUBL, UMULH.
pub fn dp_3src(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let (op31, o0) = c.rng.pick(&[(0, 2), (0, 2), (1, 2), (2, 0), (5, 2), (6, 0)]);
    w = set(w, 21, 3, op31);
    if o0 == 0 {
        w = set(w, 15, 1, 0);
        w = set(w, 10, 5, 31);
    }
    if op31 != 0 {
        w = set(w, 31, 1, 1);
    }
    Some(c.protect(w, 0, true))
}

/// ADR/ADRP (any offset: the result is just an address) and LDR (literal)
/// reading from the test's own code slot (its instructions, the exit code,
/// the literals), which is at the same address under every emulator.
pub fn pc_relative(c: &mut Ctx, w: u32) -> Option<u32> {
    if field(w, 27, 1) == 0 {
        return Some(c.protect(w, 0, true));
    }
    let (opc, v) = (field(w, 30, 2), field(w, 26, 1));
    let words: i64 = match (v, opc) {
        (0, 1) | (1, 1) => 2,
        (1, 2) => 4,
        (1, 3) => return None,
        _ => 1,
    };
    // Slot word 0 loads X30, the test's instructions start at word 1.
    let here = 1 + c.pos as i64;
    let target = c.rng.range(0, 32 - words);
    let w = set(w, 5, 19, (target - here) as u32);
    Some(if v == 0 && opc != 3 { c.protect(w, 0, true) } else { w })
}

#[cfg(test)]
mod tests {
    use super::valid_bitmask;

    #[test]
    fn bitmask_immediates() {
        assert!(valid_bitmask(0, 0b111100)); // 2-bit elements, one bit set
        assert!(valid_bitmask(1, 0b000000)); // 64-bit element, one bit set
        assert!(!valid_bitmask(1, 0b111111)); // all 64 bits: reserved
        assert!(!valid_bitmask(0, 0b111111)); // no element size
        assert!(!valid_bitmask(0, 0b011111)); // all 32 bits: reserved
        assert!(valid_bitmask(0, 0b011110));
    }
}
