//! The half-precision AdvSIMD classes of FEAT_FP16 that have their own
//! encodings: "three same (FP16)" and "two-register miscellaneous (FP16)",
//! vector and scalar. Their opcode, U and a fields mean what they mean in
//! the single/double classes, so decoding maps them onto `advsimd_fp` with
//! [`Fmt::H`] lanes. (The FP16 by-element, across-lanes and scalar pairwise
//! forms share their classes' encodings and are decoded there.)

use super::super::cpu::CpuState;
use super::advsimd_fp;
use super::fp_format::Fmt;
use super::lanes::{bit, bits};

/// Three same (FP16): x Q U 01110 a 10 Rm 00 opcode(3) 1 Rn Rd. The
/// three-bit opcode is the low part of the single/double opcode 11xxx.
pub fn three_same(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if bits(word, 22, 21) != 0b10 || bits(word, 15, 14) != 0 || !bit(word, 10) {
        return None;
    }
    advsimd_fp::three_same_in(cpu, word, scalar, 0b11000 | bits(word, 13, 11), Fmt::H)
}

/// Two-register miscellaneous (FP16): x Q U 01110 a 111100 opcode(5) 10 Rn Rd.
pub fn two_reg_misc(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if bits(word, 22, 17) != 0b111100 || bits(word, 11, 10) != 0b10 {
        return None;
    }
    advsimd_fp::two_reg_misc_in(cpu, word, scalar, Fmt::H)
}
