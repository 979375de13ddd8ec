//! Every word in the FP/AdvSIMD data-processing space must either execute
//! or be rejected as undefined, never panic, whatever the register contents.

use super::super::super::cpu::CpuState;
use super::super::exec;
use super::super::Exception;

/// xorshift64*: a small deterministic generator for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Register values that reach edge cases: zeros, all ones, sign bits,
/// NaNs, infinities, subnormals, and random bits.
fn value(rng: &mut Rng) -> u64 {
    const SPECIAL: [u64; 10] = [
        0,
        u64::MAX,
        1 << 63,
        0x7ff0_0000_0000_0001,
        0x7f80_0001_7fc0_0000,
        0x0000_0001_0000_0001,
        0x7ff0_0000_0000_0000,
        0x8000_0000_8000_0000,
        0x7fff_ffff_7fff_ffff,
        0x0080_8080_8080_80ff,
    ];
    let r = rng.next();
    if r & 3 == 0 {
        rng.next()
    } else {
        SPECIAL[(r >> 2) as usize % SPECIAL.len()]
    }
}

#[test]
fn random_data_processing_words_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cpu = CpuState::default();
    let fpcrs = [0, 0x40_0000, 0x80_0000, 0xc0_0000, 0x100_0000, 0x200_0000, 0x3c0_0000];
    for i in 0..1_000_000u32 {
        // bits 28:25 = x111: the FP/AdvSIMD data-processing group; bit 31
        // is mostly clear, as nearly all allocated encodings need that.
        let mut word = (rng.next() as u32 & !0x0e00_0000) | 0x0e00_0000;
        if i % 8 != 0 {
            word &= !0x8000_0000;
        }
        if i % 64 == 0 {
            for r in 0..32 {
                cpu.v[r] = ((value(&mut rng) as u128) << 64) | value(&mut rng) as u128;
            }
            for r in 0..31 {
                cpu.x[r] = value(&mut rng);
            }
            cpu.fpcr = fpcrs[(rng.next() % fpcrs.len() as u64) as usize];
        }
        match exec(&mut cpu, word) {
            Ok(()) | Err(Exception::Undefined(_)) => {}
            Err(e) => panic!("{word:#010x}: {e:?}"),
        }
    }
}

#[test]
fn structure_load_store_words_never_panic() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut buf = vec![0u8; 1024];
    let mut cpu = CpuState::default();
    for _ in 0..100_000 {
        // bits 31 = 0, 29:25 = 00110: structure loads and stores.
        let word = (rng.next() as u32 & !0xbe00_0000) | 0x0c00_0000;
        // Keep every register that might be a base or offset inside the buffer.
        let base = buf.as_mut_ptr() as u64 + 256;
        for r in 0..32 {
            cpu.x[r] = base;
        }
        let (rm, rn) = ((word >> 16) & 31, (word >> 5) & 31);
        if rm != 31 && rm != rn {
            cpu.x[rm as usize] = rng.next() % 64;
        }
        let _ = exec(&mut cpu, word);
    }
}

/// The classes added with the optional features (crypto, dot product, RDM,
/// FP16, FRINT32/64, FJCVTZS), which the general test above reaches rarely;
/// especially the 1100 1110 crypto space, which has bit 31 set.
#[test]
fn feature_class_words_never_panic() {
    // (mask, value) of each class's fixed bits.
    const CLASSES: [(u32, u32); 12] = [
        (0xff00_0000, 0xce00_0000), // SHA512, SHA3, SM3, SM4
        (0xff3e_0c00, 0x4e28_0800), // AES
        (0xff20_8c00, 0x5e00_0000), // SHA three-register
        (0xff3e_0c00, 0x5e28_0800), // SHA two-register
        (0x9f20_8400, 0x0e00_8400), // three same extra
        (0xdf20_8400, 0x5e00_8400), // scalar three same extra
        (0x9f60_c400, 0x0e40_0400), // three same (FP16)
        (0xdf60_c400, 0x5e40_0400), // scalar three same (FP16)
        (0x9f7e_0c00, 0x0e78_0800), // two-register misc (FP16)
        (0xdf7e_0c00, 0x5e78_0800), // scalar two-register misc (FP16)
        (0x5f20_0000, 0x1e20_0000), // scalar FP, all ftypes
        (0x9f00_0400, 0x0f00_0000), // by element
    ];
    let mut rng = Rng(0x0bad_5eed_1234_4321);
    let mut cpu = CpuState::default();
    let fpcrs = [0, 0x8_0000, 0xc0_0000, 0x100_0000, 0x200_0000, 0x3c8_0000];
    for i in 0..400_000u32 {
        let (mask, fixed) = CLASSES[i as usize % CLASSES.len()];
        let word = (rng.next() as u32 & !mask) | fixed;
        if i % 64 == 0 {
            for r in 0..32 {
                cpu.v[r] = ((value(&mut rng) as u128) << 64) | value(&mut rng) as u128;
            }
            cpu.fpcr = fpcrs[(rng.next() % fpcrs.len() as u64) as usize];
        }
        match exec(&mut cpu, word) {
            Ok(()) | Err(Exception::Undefined(_)) => {}
            Err(e) => panic!("{word:#010x}: {e:?}"),
        }
    }
}
