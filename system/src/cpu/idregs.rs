//! The identification registers a guest kernel reads, per `-cpu` model.
//!
//! The instruction-set fields (ID_AA64ISAR*) follow the model's features
//! through the core's `sysregs::set_cpu_identity`, as in user mode. The
//! fields only an operating system sees are set here: the memory model
//! (ID_AA64MMFR*), the exception levels and GIC interface (ID_AA64PFR0),
//! debug (ID_AA64DFR0, without a PMU), caches (CLIDR/CCSIDR).

use kestrel::guest::aarch64::sysregs::{self, hwcap as h, sysreg};

use crate::config::{CpuModel, GicVersion};

/// Features of the Armv8.0 cores (Cortex-A53/A57/A72) with the crypto
/// extension, as AT_HWCAP bits.
const ARMV8_0: u64 = h::FP | h::ASIMD | h::AES | h::PMULL | h::SHA1 | h::SHA2 | h::CRC32;

/// What `-cpu max` adds: the user-visible instruction sets Kestrel
/// implements that need nothing from the operating system. Pointer
/// authentication (its keys are EL1 registers), BTI and MTE are left out.
const MAX_EXTRA: u64 = h::ATOMICS
    | h::FPHP
    | h::ASIMDHP
    | h::ASIMDRDM
    | h::JSCVT
    | h::FCMA
    | h::LRCPC
    | h::DCPOP
    | h::SHA3
    | h::SM3
    | h::SM4
    | h::ASIMDDP
    | h::SHA512
    | h::ASIMDFHM
    | h::FLAGM;
const MAX_EXTRA2: u64 = h::HWCAP2_FLAGM2 | h::HWCAP2_FRINT | h::HWCAP2_I8MM | h::HWCAP2_BF16 | h::HWCAP2_RNG;

/// MIDR_EL1 of each model.
pub fn midr(model: CpuModel) -> u64 {
    match model {
        CpuModel::CortexA53 => 0x410f_d034,
        CpuModel::CortexA57 | CpuModel::Max => 0x411f_d070,
        CpuModel::CortexA72 => 0x410f_d083,
    }
}

/// Sets the process-wide identity the core's MRS emulation reports.
pub fn install(model: CpuModel) {
    let (hwcap, hwcap2) = match model {
        CpuModel::Max => (ARMV8_0 | MAX_EXTRA, MAX_EXTRA2),
        _ => (ARMV8_0, 0),
    };
    sysregs::set_cpu_identity(midr(model), hwcap, hwcap2);
}

const ID_AA64PFR0_EL1: u16 = sysreg(3, 0, 0, 4, 0);
const ID_AA64DFR0_EL1: u16 = sysreg(3, 0, 0, 5, 0);
const ID_AA64MMFR0_EL1: u16 = sysreg(3, 0, 0, 7, 0);
const ID_AA64MMFR1_EL1: u16 = sysreg(3, 0, 0, 7, 1);
const MIDR_EL1: u16 = sysreg(3, 0, 0, 0, 0);
const MPIDR_EL1: u16 = sysreg(3, 0, 0, 0, 5);
const CLIDR_EL1: u16 = sysreg(3, 1, 0, 0, 1);
const CCSIDR_EL1: u16 = sysreg(3, 1, 0, 0, 0);
const AIDR_EL1: u16 = sysreg(3, 1, 0, 0, 7);

/// MPIDR_EL1 of vCPU `index`: Aff0 within clusters of 8, as qemu's `virt`
/// numbers CPUs (the device tree's cpu `reg` values say the same).
pub fn mpidr(index: usize) -> u64 {
    (1 << 31) | (((index / 8) as u64) << 8) | (index % 8) as u64
}

/// The vCPU index an MPIDR value names (affinity fields only), if any.
pub fn index_of_mpidr(mpidr: u64, num_cpus: usize) -> Option<usize> {
    let (aff0, aff1) = ((mpidr & 0xff) as usize, ((mpidr >> 8) & 0xff) as usize);
    let upper = mpidr & 0xff_0000_ff_0000;
    let index = aff1 * 8 + aff0;
    (upper == 0 && aff0 < 8 && index < num_cpus).then_some(index)
}

/// The value of an identification register that depends on the board or
/// the vCPU, or `None` to ask the core's EL0-visible set.
pub fn read(model: CpuModel, gic: GicVersion, index: usize, reg: u16) -> Option<u64> {
    Some(match reg {
        MIDR_EL1 => midr(model),
        MPIDR_EL1 => mpidr(index),
        // EL0 and EL1 in AArch64 only, no EL2/EL3; FP and AdvSIMD (with
        // half precision on `max`); the GIC system-register interface with
        // GICv3; CSV2 and CSV3, so the kernel needs neither branch
        // predictor hardening nor a separate page table for user space.
        ID_AA64PFR0_EL1 => {
            let half = (model == CpuModel::Max) as u64;
            let gic_sysregs = (gic == GicVersion::V3) as u64;
            0x11 | half << 16 | half << 20 | gic_sysregs << 24 | 1 << 56 | 1 << 60
        }
        // Debug architecture v8, 2 breakpoints and 2 watchpoints, no PMU.
        ID_AA64DFR0_EL1 => 0x6 | 1 << 12 | 1 << 20,
        // 44-bit physical addresses, 16-bit ASIDs, 4 KiB and 64 KiB
        // granules (16 KiB not implemented: TGran16 = 0).
        ID_AA64MMFR0_EL1 => 0x0000_1124,
        // PAN on `max`.
        ID_AA64MMFR1_EL1 => ((model == CpuModel::Max) as u64) << 20,
        // The Cortex-A57's cache hierarchy: separate L1 instruction and
        // data caches, a unified L2 (LoUIS 1, LoC 2, LoUU 1); CCSIDR
        // describes the L1 data cache whatever CSSELR selects.
        CLIDR_EL1 => 0x0a20_0023,
        CCSIDR_EL1 => 0x701f_e00a,
        AIDR_EL1 => 0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpidr_round_trips() {
        for i in 0..8 {
            assert_eq!(index_of_mpidr(mpidr(i), 8), Some(i));
        }
        assert_eq!(index_of_mpidr(mpidr(3), 2), None);
        assert_eq!(index_of_mpidr(0x100_0000_0000, 4), None);
    }

    #[test]
    fn gicv3_sets_the_gic_field_and_csv3_is_always_set() {
        let v2 = read(CpuModel::CortexA57, GicVersion::V2, 0, ID_AA64PFR0_EL1).unwrap();
        let v3 = read(CpuModel::CortexA57, GicVersion::V3, 0, ID_AA64PFR0_EL1).unwrap();
        assert_eq!((v2 >> 24) & 0xf, 0);
        assert_eq!((v3 >> 24) & 0xf, 1);
        assert_eq!(v2 >> 60, 1);
        assert_eq!(v2 & 0xff, 0x11);
    }
}
