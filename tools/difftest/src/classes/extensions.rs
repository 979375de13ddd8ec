//! Constraints of the extension classes (FCMA, FHM, I8MM, FlagM, PAuth). Their forms are narrow enough that most random words are
//! allocated; these functions reject the reserved combinations that remain
//! (so that fewer rounds go to words qemu refuses) and keep X27/X28 intact.

use super::{field, set, Ctx};

/// FCMLA/FCADD: half, single or (vector, Q = 1 only) double precision;
/// opcode 1111 of the vector form is not FCADD; the by-element form has
/// half (index H:L) and single (index H, Q = 1, L = 0) only.
pub fn fcma(_: &mut Ctx, w: u32) -> Option<u32> {
    let (q, size) = (field(w, 30, 1), field(w, 22, 2));
    if field(w, 24, 1) == 0 {
        let reserved = size == 0 || (size == 3 && q == 0) || field(w, 11, 3) == 0b101 || field(w, 11, 3) == 0b111;
        return (!reserved).then_some(w);
    }
    match size {
        1 if !(q == 0 && field(w, 11, 1) == 1) => Some(w),
        2 if q == 1 => Some(set(w, 21, 1, 0)),
        _ => None,
    }
}

/// FMLAL/FMLSL: the vector form's opcode is 11101 for U = 0 and 11001 for
/// U = 1; the by-element form's opcode bit 3 equals U.
pub fn fhm(_: &mut Ctx, w: u32) -> Option<u32> {
    let u = field(w, 29, 1);
    let ok = if field(w, 24, 1) == 0 { field(w, 13, 1) != u } else { field(w, 15, 1) == u };
    ok.then_some(w)
}

/// SMMLA/UMMLA/USMMLA: opcode 0101 exists for U = 0 only (USMMLA).
pub fn i8mm(_: &mut Ctx, w: u32) -> Option<u32> {
    let matrix = w & 0xdfe0_f400 == 0x4e80_a400;
    (!(matrix && field(w, 29, 1) == 1 && field(w, 11, 1) == 1)).then_some(w)
}

/// CFINV, XAFLAG, AXFLAG (op2 011 is another instruction); RMIF, SETF8,
/// SETF16 read any register.
pub fn flagm(_: &mut Ctx, w: u32) -> Option<u32> {
    (w & 0xffff_ff9f != 0xd500_401f || field(w, 5, 2) != 0b11).then_some(w)
}

/// XPACI/XPACD: the destination is not X27, X28 or XZR.
pub fn pauth_single(ctx: &mut Ctx, w: u32) -> Option<u32> {
    Some(ctx.protect(w, 0, false))
}

/// A key-independent pointer-authentication step: a PAC instruction and the
/// AUT or XPAC that undoes it (the result is the pointer again, or for a
/// pointer whose extension bits were not all equal, the architected error
/// code, which is the same for every key), or a single XPAC. The modifier
/// register is never the destination, so both instructions see the same
/// modifier.
pub fn pauth_pair(ctx: &mut Ctx) -> Vec<u32> {
    let d = ctx.free_reg(false);
    same_range_bits(ctx, d);
    match ctx.rng.below(5) {
        // PACIA/PACIB/PACDA/PACDB Xd, Xn|SP, then the matching AUT or XPAC.
        0 | 1 => {
            let key = ctx.rng.below(4) as u32;
            let modifier = loop {
                let m = ctx.rng.below(32) as u32;
                if m != d {
                    break m;
                }
            };
            let pac = 0xdac1_0000 | key << 10 | modifier << 5 | d;
            vec![pac, undo(ctx, pac, key, d)]
        }
        // The zero-modifier forms PACIZA..PACDZB.
        2 => {
            let key = ctx.rng.below(4) as u32;
            let pac = 0xdac1_23e0 | key << 10 | d;
            vec![pac, undo(ctx, pac, key, d)]
        }
        // PACIASP/AUTIASP, PACIBSP/AUTIBSP, PACIAZ/AUTIAZ, PACIBZ/AUTIBZ
        // (X30), PACIA1716/AUTIA1716, PACIB1716/AUTIB1716 (X17 with X16).
        3 => {
            let (pac, aut) = ctx.rng.pick(&[(25u32, 29u32), (27, 31), (24, 28), (26, 30), (8, 12), (10, 14)]);
            same_range_bits(ctx, if pac >= 24 { 30 } else { 17 });
            let hint = |imm: u32| 0xd503_201f | imm << 5;
            if ctx.rng.chance(1, 4) {
                // XPACLRI strips X30 instead.
                if pac >= 24 {
                    return vec![hint(pac), hint(7)];
                }
            }
            vec![hint(pac), hint(aut)]
        }
        // XPACI/XPACD of whatever the register holds.
        _ => vec![0xdac1_43e0 | (ctx.rng.below(2) as u32) << 10 | d],
    }
}

/// Makes bit 63 of Xr's initial value equal bit 55. Linux (and qemu) set
/// TBI0 but not TBI1, and for a pointer whose bits 55 and 63 differ the
/// architecture's AddPAC picks the range by bit 55 while qemu 7.2 picks it
/// by the TBI of that range, so the two disagree there (and user pointers
/// never look like that). Every step of a pair keeps the property.
fn same_range_bits(ctx: &mut Ctx, r: u32) {
    let x = ctx.regs.x[r as usize];
    if (x >> 55) & 1 != x >> 63 {
        ctx.regs.x[r as usize] = x ^ (1 << 63);
    }
}

/// The instruction that undoes `pac` (key `key` of IA, IB, DA, DB) on Xd:
/// the matching AUT (same modifier field), or XPACI/XPACD.
fn undo(ctx: &mut Ctx, pac: u32, key: u32, d: u32) -> u32 {
    if ctx.rng.chance(1, 4) {
        0xdac1_43e0 | (key >> 1) << 10 | d
    } else {
        pac | 0b100 << 10
    }
}
