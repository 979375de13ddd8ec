//! The pointer-authentication instructions (FEAT_PAuth) on top of the
//! arithmetic in [`super::pauth`]: which register, key and modifier each
//! form uses, and the keys and algorithm of the process.
//!
//! Linux gives every process its own random keys at exec, shares them among
//! its threads and keeps them across fork; `prctl(PR_PAC_RESET_KEYS)`
//! replaces some. They live here as process-wide atomics, so generated code
//! and helpers on any thread see the same keys without a lock.

use super::cpu::CpuState;
use super::decode::{PacKeyName, PacModifier, PacOp};
use super::pauth::{self, PacAlgorithm, PacKey, PacKeys, LINUX_USER};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The ten key halves: IA, IB, DA, DB, GA, each (lo, hi).
static KEYS: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
/// QARMA5 when set, the implementation-defined algorithm otherwise.
static QARMA5: AtomicBool = AtomicBool::new(false);
/// FEAT_PAuth is implemented (the CPU model has it). Without it the
/// hint-space forms (PACIASP, AUTIASP, XPACLRI, ...) are NOPs.
static IMPLEMENTED: AtomicBool = AtomicBool::new(true);

/// Says whether the CPU model implements FEAT_PAuth.
pub fn set_implemented(on: bool) {
    IMPLEMENTED.store(on, Ordering::Relaxed);
}

/// Whether the CPU model implements FEAT_PAuth.
#[inline(always)]
pub fn implemented() -> bool {
    IMPLEMENTED.load(Ordering::Relaxed)
}

/// Selects the algorithm every PAC instruction of the process uses.
pub fn set_algorithm(alg: PacAlgorithm) {
    QARMA5.store(alg == PacAlgorithm::Qarma5, Ordering::Relaxed);
}

/// The algorithm in use.
pub fn algorithm() -> PacAlgorithm {
    if QARMA5.load(Ordering::Relaxed) {
        PacAlgorithm::Qarma5
    } else {
        PacAlgorithm::ImpDef
    }
}

fn key_at(i: usize) -> PacKey {
    PacKey { lo: KEYS[2 * i].load(Ordering::Relaxed), hi: KEYS[2 * i + 1].load(Ordering::Relaxed) }
}

fn set_key_at(i: usize, key: PacKey) {
    KEYS[2 * i].store(key.lo, Ordering::Relaxed);
    KEYS[2 * i + 1].store(key.hi, Ordering::Relaxed);
}

/// The keys of the process.
pub fn keys() -> PacKeys {
    PacKeys { ia: key_at(0), ib: key_at(1), da: key_at(2), db: key_at(3), ga: key_at(4) }
}

/// Installs new keys for the process.
pub fn set_keys(keys: &PacKeys) {
    for (i, k) in [keys.ia, keys.ib, keys.da, keys.db, keys.ga].into_iter().enumerate() {
        set_key_at(i, k);
    }
}

/// Replaces the keys selected by `mask` (PR_PAC_APIAKEY = 1, APIBKEY = 2,
/// APDAKEY = 4, APDBKEY = 8, APGAKEY = 16; 0 means all) with values from
/// `random`.
pub fn reset_keys(mask: u64, mut random: impl FnMut() -> u64) {
    let mask = if mask == 0 { 0x1f } else { mask };
    for i in 0..5 {
        if mask & (1 << i) != 0 {
            set_key_at(i, PacKey { lo: random(), hi: random() });
        }
    }
}

fn key(name: PacKeyName) -> PacKey {
    keys().get(name)
}

fn modifier_value(cpu: &CpuState, modifier: PacModifier) -> u64 {
    match modifier {
        PacModifier::Reg(r) => cpu.xsp(r),
        PacModifier::Zero => 0,
    }
}

/// PAC*, AUT*, XPAC* on Rd.
pub fn exec(cpu: &mut CpuState, op: PacOp, rd: u8, modifier: PacModifier) {
    let ptr = cpu.xzr(rd);
    let m = modifier_value(cpu, modifier);
    let result = match op {
        PacOp::Sign(k) => pauth::add_pac(algorithm(), LINUX_USER, ptr, m, key(k), k.is_data()),
        PacOp::Auth(k) => pauth::auth(algorithm(), LINUX_USER, ptr, m, key(k), k.is_data(), k.is_b()),
        PacOp::Strip { data } => pauth::strip(LINUX_USER, ptr, data),
    };
    cpu.set_xzr(rd, result);
}

/// The target of BRAA/BLRAA/RETAA and their B and Z forms: Rn
/// authenticated with an instruction key (a failure leaves an address that
/// faults when fetched).
pub fn branch_target(cpu: &CpuState, rn: u8, key_b: bool, modifier: PacModifier) -> u64 {
    let name = if key_b { PacKeyName::IB } else { PacKeyName::IA };
    pauth::auth(algorithm(), LINUX_USER, cpu.xzr(rn), modifier_value(cpu, modifier), key(name), false, key_b)
}

/// The base address of LDRAA/LDRAB: Rn|SP authenticated with a data key and
/// a zero modifier.
pub fn load_base(cpu: &CpuState, rn: u8, key_b: bool) -> u64 {
    let name = if key_b { PacKeyName::DB } else { PacKeyName::DA };
    pauth::auth(algorithm(), LINUX_USER, cpu.xsp(rn), 0, key(name), true, key_b)
}

/// PACGA Xd, Xn, Xm|SP.
pub fn pacga(cpu: &CpuState, rn: u8, rm: u8) -> u64 {
    pauth::pacga(algorithm(), cpu.xzr(rn), cpu.xsp(rm), key_at(4))
}
