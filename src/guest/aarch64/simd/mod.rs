//! FP and AdvSIMD instructions: the data-processing group (op0 = x111) and the
//! AdvSIMD load/store structure forms. Both tiers run these through [`exec`].
//!
//! Layout: [`exec`] picks the encoding class from the fixed bits and hands the
//! word to the file for that class. Each class handler returns `None` for an
//! encoding it does not implement, before changing any state, and `exec`
//! turns that into `Exception::Undefined`.

use super::cpu::CpuState;
use super::interp::Exception;

mod fp_arith;
mod fp_convert;
mod fp_format;
mod host_fp;
mod lanes;
mod scalar_fp;

use lanes::{bit, bits};

/// Executes one FP/AdvSIMD instruction word on `cpu`.
/// Returns `Exception::Undefined` for encodings that are unallocated or not implemented.
pub fn exec(cpu: &mut CpuState, word: u32) -> Result<(), Exception> {
    dispatch(cpu, word).ok_or(Exception::Undefined(word))
}

fn dispatch(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 31) {
        // Only the scalar FP <-> general register conversions use bit 31 (sf).
        return if bits(word, 30, 24) == 0b0011110 { scalar_fp::exec(cpu, word) } else { None };
    }
    if bits(word, 29, 25) == 0b00110 {
        return None;
    }
    if bits(word, 27, 25) != 0b111 {
        return None;
    }
    let scalar = bit(word, 28);
    if scalar && !bit(word, 30) {
        return scalar_fp::exec(cpu, word);
    }
    None
}

#[cfg(test)]
mod tests;
