//! AdvSIMD modified immediate: MOVI, MVNI, ORR, BIC (vector, immediate) and
//! FMOV (vector, immediate), including its half-precision form.

use super::super::cpu::CpuState;
use super::fp_format::{expand_imm8, Fmt};
use super::lanes::{bit, bits, reg, set_vreg, vreg};

/// AdvSIMDExpandImm: the 64-bit pattern for `op`, `cmode` and `imm8`.
/// The caller rejects the unallocated op 1, cmode 1111, Q 0 form.
fn expand(op: bool, cmode: u32, imm8: u64) -> u64 {
    let rep2 = |x: u64| x | (x << 32);
    let rep4 = |x: u64| x * 0x0001_0001_0001_0001;
    match cmode >> 1 {
        0 => rep2(imm8),
        1 => rep2(imm8 << 8),
        2 => rep2(imm8 << 16),
        3 => rep2(imm8 << 24),
        4 => rep4(imm8),
        5 => rep4(imm8 << 8),
        6 => {
            if cmode & 1 == 0 {
                rep2((imm8 << 8) | 0xff)
            } else {
                rep2((imm8 << 16) | 0xffff)
            }
        }
        _ => match (cmode & 1, op) {
            (0, false) => imm8 * 0x0101_0101_0101_0101,
            (0, true) => {
                // Each immediate bit becomes a byte of ones or zeros.
                (0..8).fold(0, |acc, i| if (imm8 >> i) & 1 != 0 { acc | (0xff << (8 * i)) } else { acc })
            }
            (_, false) => {
                // Single-precision a:NOT(b):bbbbb:cdefgh:0{19}, twice.
                let a = (imm8 >> 7) & 1;
                let b = (imm8 >> 6) & 1;
                let exp = ((b ^ 1) << 7) | (if b == 1 { 0x3e } else { 0 } << 1) | ((imm8 >> 4) & 3);
                let v = (a << 31) | (exp << 23) | ((imm8 & 0xf) << 19);
                rep2(v)
            }
            _ => {
                // Double precision a:NOT(b):bbbbbbbb:cdefgh:0{48}.
                let a = (imm8 >> 7) & 1;
                let b = (imm8 >> 6) & 1;
                let exp = ((b ^ 1) << 10) | (if b == 1 { 0xff } else { 0 } << 2) | ((imm8 >> 4) & 3);
                (a << 63) | (exp << 52) | ((imm8 & 0xf) << 48)
            }
        },
    }
}

/// What a modified-immediate instruction does to its register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImmEffect {
    /// Vd = the value (MOVI, MVNI, FMOV).
    Set(u128),
    /// Vd |= the value (ORR).
    Or(u128),
    /// Vd &= !the value (BIC).
    AndNot(u128),
}

/// The effect of the modified-immediate instruction `word` and its Q bit
/// (without Q, the upper 64 bits of Vd become zero); `None` for
/// unallocated encodings. The interpreter applies it, the IR lowering
/// emits it.
pub fn modified_immediate_effect(word: u32) -> Option<(ImmEffect, bool)> {
    let q = bit(word, 30);
    let op = bit(word, 29);
    let cmode = bits(word, 15, 12);
    let o2 = bit(word, 11);
    let imm8 = ((bits(word, 18, 16) << 5) | bits(word, 9, 5)) as u64;
    if o2 {
        // FMOV (vector, immediate), half precision (FEAT_FP16): op 0, cmode 1111.
        if op || cmode != 0b1111 {
            return None;
        }
        let half = expand_imm8(Fmt::H, imm8 as u32) as u128;
        return Some((ImmEffect::Set(half * 0x0001_0001_0001_0001_0001_0001_0001_0001), q));
    }
    if cmode == 0b1111 && op && !q {
        return None;
    }
    let imm = expand(op, cmode, imm8);
    let imm128 = (imm as u128) | ((imm as u128) << 64);
    // cmode 0xx1 and 10x1 are the ORR/BIC forms; 11xx and the rest move.
    let is_logical = cmode < 0b1100 && cmode & 1 == 1;
    let effect = match (is_logical, op) {
        (true, false) => ImmEffect::Or(imm128),
        (true, true) => ImmEffect::AndNot(imm128),
        // MVNI for the shifted forms; the op = 1 forms of cmode 1110/1111 are MOVI.
        (false, true) if cmode < 0b1110 => ImmEffect::Set(!imm128),
        _ => ImmEffect::Set(imm128),
    };
    Some((effect, q))
}

pub fn modified_immediate(cpu: &mut CpuState, word: u32) -> Option<()> {
    let (effect, q) = modified_immediate_effect(word)?;
    let rd = reg(word, 0);
    let old = vreg(cpu, rd);
    let result = match effect {
        ImmEffect::Set(v) => v,
        ImmEffect::Or(v) => old | v,
        ImmEffect::AndNot(v) => old & !v,
    };
    set_vreg(cpu, rd, result, q);
    Some(())
}
