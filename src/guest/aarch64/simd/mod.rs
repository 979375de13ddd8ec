//! FP and AdvSIMD instructions: the data-processing group (op0 = x111) and the
//! AdvSIMD load/store structure forms. Both tiers run these through [`exec`].
//!
//! Layout: [`exec`] picks the encoding class from the fixed bits and hands the
//! word to the file for that class. Each class handler returns `None` for an
//! encoding it does not implement, before changing any state, and `exec`
//! turns that into `Exception::Undefined`.
//!
//! - `scalar_fp`: the scalar FP classes (moves, arithmetic, FMA, compares,
//!   conditional compare/select, immediates, FP <-> integer/fixed-point).
//! - `advsimd_int`, `advsimd_widen`, `advsimd_reduce`, `advsimd_fp`,
//!   `advsimd_shift`, `advsimd_imm`, `advsimd_permute`, `advsimd_indexed`:
//!   the AdvSIMD vector and scalar classes, one file per encoding class.
//! - `advsimd_fp16`: the half-precision three-same and two-register-misc
//!   classes (FEAT_FP16), mapped onto `advsimd_fp`.
//! - `advsimd_dot`: SDOT/UDOT and SQRDMLAH/SQRDMLSH (three same extra and
//!   by element).
//! - `advsimd_i8mm`: SMMLA/UMMLA/USMMLA and USDOT/SUDOT (FEAT_I8MM), decoded
//!   from `advsimd_dot`.
//! - `advsimd_complex`: FCADD and FCMLA (FEAT_FCMA), decoded from
//!   `advsimd_dot`.
//! - `advsimd_fhm`: FMLAL/FMLSL/FMLAL2/FMLSL2 (FEAT_FHM), decoded from
//!   `advsimd_fp` (three same) and `advsimd_indexed`.
//! - `advsimd_bf16`: BFDOT, BFMMLA, BFMLALB/T (decoded from `advsimd_dot`),
//!   BFCVTN/BFCVTN2 (from `advsimd_fp`) and BFCVT (from `scalar_fp`)
//!   (FEAT_BF16).
//! - `crypto_aes`, `crypto_sha` (SHA-1, SHA-256), `crypto_sha512_sha3`
//!   (which also decodes SM3 and SM4), `crypto_sm3`, `crypto_sm4`.
//! - `ldst_structure`: LD1-LD4/ST1-ST4, lane and replicate forms.
//! - `fp_format` (formats, NaN rules, exact rounding), `fp_arith` (Arm
//!   operator semantics), `fp_convert`, `fp_estimate`, `fp_bounded_int`
//!   (FRINT32/64, FJCVTZS), `host_fp` (host SSE arithmetic under the guest
//!   rounding mode), `soft_fp` (exact half-precision arithmetic),
//!   `int_elem`, `lanes`: helpers.
//!
//! Provided: the Armv8.0 FP and AdvSIMD instruction set with PMULL/PMULL2
//! 1Q; FEAT_FP16 (scalar and vector half-precision arithmetic); FEAT_AES,
//! FEAT_SHA1, FEAT_SHA256, FEAT_SHA512, FEAT_SHA3, FEAT_SM3, FEAT_SM4;
//! FEAT_DotProd; FEAT_RDM; FEAT_I8MM; FEAT_FRINTTS; FEAT_JSCVT; FEAT_FCMA
//! (FCADD, FCMLA); FEAT_FHM (FMLAL, FMLSL and their 2 forms); FEAT_BF16
//! (BFDOT, BFMMLA, BFMLALB/T, BFCVT, BFCVTN/BFCVTN2), with FPCR.EBF
//! treated as 0.
//! Not provided (these decode as undefined): FEAT_EBF16 and the other
//! later extensions (FP8, LUT, FAMINMAX, ...).

use super::cpu::CpuState;
use super::interp::Exception;

mod advsimd_bf16;
mod advsimd_complex;
mod advsimd_dot;
mod advsimd_fhm;
mod advsimd_fp;
mod advsimd_fp16;
mod advsimd_i8mm;
pub(crate) mod advsimd_imm;
mod advsimd_indexed;
mod advsimd_int;
mod advsimd_permute;
mod advsimd_reduce;
mod advsimd_shift;
mod advsimd_widen;
mod crypto_aes;
mod crypto_sha;
mod crypto_sha512_sha3;
mod crypto_sm3;
mod crypto_sm4;
mod fp_arith;
mod fp_bounded_int;
mod fp_convert;
mod fp_estimate;
mod fp_format;
mod host_fp;
mod int_elem;
mod lanes;
mod ldst_structure;
mod scalar_fp;
mod soft_fp;

use lanes::{bit, bits};

/// Executes one FP/AdvSIMD instruction word on `cpu`.
/// Returns `Exception::Undefined` for encodings that are unallocated or not implemented.
pub fn exec(cpu: &mut CpuState, word: u32) -> Result<(), Exception> {
    dispatch(cpu, word).ok_or(Exception::Undefined(word))
}

fn dispatch(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 31) {
        // Bit 31 is sf of the scalar FP <-> general register conversions,
        // or part of the 1100 1110 crypto space (SHA512, SHA3, SM3, SM4).
        return match bits(word, 30, 24) {
            0b0011110 => scalar_fp::exec(cpu, word),
            0b1001110 => crypto_sha512_sha3::exec(cpu, word),
            _ => None,
        };
    }
    if bits(word, 29, 25) == 0b00110 {
        return ldst_structure::exec(cpu, word);
    }
    if bits(word, 27, 25) != 0b111 {
        return None;
    }
    let scalar = bit(word, 28);
    if scalar && !bit(word, 30) {
        return scalar_fp::exec(cpu, word);
    }
    if bit(word, 24) {
        shift_imm_or_indexed(cpu, word, scalar)
    } else {
        register_classes(cpu, word, scalar)
    }
}

/// Bits 28:24 = x1111: shift by immediate, modified immediate (vector only)
/// or by-element operations.
fn shift_imm_or_indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if !bit(word, 10) {
        return advsimd_dot::indexed(cpu, word, scalar).or_else(|| advsimd_indexed::indexed(cpu, word, scalar));
    }
    if bit(word, 23) {
        return None;
    }
    if bits(word, 22, 19) == 0 {
        return if scalar { None } else { advsimd_imm::modified_immediate(cpu, word) };
    }
    advsimd_shift::shift_immediate(cpu, word, scalar)
}

/// Bits 28:24 = x1110: the register-operand AdvSIMD classes.
fn register_classes(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if bit(word, 21) {
        if bit(word, 10) {
            // Three same: integer opcodes below 11000, FP from 11000.
            return if bits(word, 15, 11) >= 0b11000 {
                advsimd_fp::three_same(cpu, word, scalar)
            } else {
                advsimd_int::three_same(cpu, word, scalar)
            };
        }
        if !bit(word, 11) {
            return advsimd_widen::three_different(cpu, word, scalar);
        }
        return match bits(word, 20, 17) {
            0b0000 => {
                let opcode = bits(word, 16, 12);
                let fp = matches!(opcode, 0b01100..=0b01111 | 0b10110 | 0b10111 | 0b11000..=0b11111);
                if fp {
                    advsimd_fp::two_reg_misc(cpu, word, scalar)
                } else {
                    advsimd_int::two_reg_misc(cpu, word, scalar)
                }
            }
            0b1000 => {
                if scalar {
                    advsimd_reduce::scalar_pairwise(cpu, word)
                } else {
                    advsimd_reduce::across_lanes(cpu, word)
                }
            }
            // AES (vector space) and the two-register SHA group (scalar space).
            0b0100 => {
                if scalar {
                    crypto_sha::two_reg(cpu, word)
                } else {
                    crypto_aes::exec(cpu, word)
                }
            }
            0b1100 => advsimd_fp16::two_reg_misc(cpu, word, scalar),
            _ => None,
        };
    }
    if bit(word, 10) {
        // Three same extra; three same (FP16) with bits 22:21 = 10; copy.
        if bit(word, 15) {
            return advsimd_dot::three_same_extra(cpu, word, scalar);
        }
        if bit(word, 22) {
            return advsimd_fp16::three_same(cpu, word, scalar);
        }
        if bits(word, 23, 21) != 0 {
            return None;
        }
        return if scalar { advsimd_permute::scalar_copy(cpu, word) } else { advsimd_permute::copy(cpu, word) };
    }
    if scalar {
        // The three-register SHA group is the only other scalar form here.
        return crypto_sha::three_reg(cpu, word);
    }
    if bit(word, 15) {
        return None;
    }
    if bit(word, 29) {
        return advsimd_permute::extract(cpu, word);
    }
    if bit(word, 11) {
        advsimd_permute::permute(cpu, word)
    } else {
        advsimd_permute::table_lookup(cpu, word)
    }
}

#[cfg(test)]
mod tests;
