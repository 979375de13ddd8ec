//! System registers an EL0 program can read (MRS) or write (MSR).
//!
//! Linux lets user space read the CPU ID registers (it traps and emulates the
//! access, returning sanitised values); the values below describe exactly the
//! features Kestrel implements, so they must agree with the AT_HWCAP bits the
//! loader advertises.

use super::cpu::CpuState;
use std::sync::atomic::{AtomicU64, Ordering};

/// Builds the 16-bit op0:op1:CRn:CRm:op2 key used by MRS/MSR.
pub const fn sysreg(op0: u16, op1: u16, crn: u16, crm: u16, op2: u16) -> u16 {
    (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2
}

/// The PSTATE field an MSR (immediate) with op1 = 3 and `op2` writes, as an
/// MSR hook sees it: op0 0, which no system register has.
pub const fn pstate_field(op2: u16) -> u16 {
    sysreg(0, 3, 4, 0, op2)
}

/// MSR DAIFSet, #imm (see [`pstate_field`]).
pub const DAIFSET: u16 = pstate_field(6);
/// MSR DAIFClr, #imm.
pub const DAIFCLR: u16 = pstate_field(7);

/// Condition flags.
pub const NZCV: u16 = sysreg(3, 3, 4, 2, 0);
/// Data-independent timing (reads as 0).
pub const DIT: u16 = sysreg(3, 3, 4, 2, 5);
/// FP control.
pub const FPCR: u16 = sysreg(3, 3, 4, 4, 0);
/// FP status.
pub const FPSR: u16 = sysreg(3, 3, 4, 4, 1);
/// Thread pointer.
pub const TPIDR_EL0: u16 = sysreg(3, 3, 13, 0, 2);
/// Read-only thread pointer.
pub const TPIDRRO_EL0: u16 = sysreg(3, 3, 13, 0, 3);
/// Cache type.
pub const CTR_EL0: u16 = sysreg(3, 3, 0, 0, 1);
/// DC ZVA block size.
pub const DCZID_EL0: u16 = sysreg(3, 3, 0, 0, 7);
/// Counter frequency.
pub const CNTFRQ_EL0: u16 = sysreg(3, 3, 14, 0, 0);
/// Physical counter.
pub const CNTPCT_EL0: u16 = sysreg(3, 3, 14, 0, 1);
/// Virtual counter.
pub const CNTVCT_EL0: u16 = sysreg(3, 3, 14, 0, 2);
/// Self-synchronised physical counter.
pub const CNTPCTSS_EL0: u16 = sysreg(3, 3, 14, 0, 5);
/// Self-synchronised virtual counter.
pub const CNTVCTSS_EL0: u16 = sysreg(3, 3, 14, 0, 6);
/// Main ID register.
pub const MIDR_EL1: u16 = sysreg(3, 0, 0, 0, 0);
/// Multiprocessor affinity.
pub const MPIDR_EL1: u16 = sysreg(3, 0, 0, 0, 5);
/// Revision ID.
pub const REVIDR_EL1: u16 = sysreg(3, 0, 0, 0, 6);
/// Processor feature register 0.
pub const ID_AA64PFR0_EL1: u16 = sysreg(3, 0, 0, 4, 0);
/// Instruction set attribute register 0.
pub const ID_AA64ISAR0_EL1: u16 = sysreg(3, 0, 0, 6, 0);

/// log2 of the DC ZVA block size in 4-byte words (64 bytes).
pub const DCZID_BLOCK_LOG2_WORDS: u64 = 4;
/// Size of the block DC ZVA zeroes.
pub const DC_ZVA_BYTES: u64 = 4 << DCZID_BLOCK_LOG2_WORDS;
/// The generic counter runs at 1 GHz: CNTVCT is CLOCK_MONOTONIC in nanoseconds.
pub const COUNTER_HZ: u64 = 1_000_000_000;

/// Instruction set attribute register 1 (ID_AA64ISAR1_EL1).
pub const ID_AA64ISAR1_EL1: u16 = sysreg(3, 0, 0, 6, 1);
/// Instruction set attribute register 2 (ID_AA64ISAR2_EL1).
pub const ID_AA64ISAR2_EL1: u16 = sysreg(3, 0, 0, 6, 2);
/// Processor feature register 1 (ID_AA64PFR1_EL1).
pub const ID_AA64PFR1_EL1: u16 = sysreg(3, 0, 0, 4, 1);
/// A random number (FEAT_RNG).
pub const RNDR: u16 = sysreg(3, 3, 2, 4, 0);
/// A random number from a freshly reseeded generator (FEAT_RNG).
pub const RNDRRS: u16 = sysreg(3, 3, 2, 4, 1);

/// The identity Kestrel presents when the front end selects none: a
/// Cortex-A72 MIDR.
pub const DEFAULT_MIDR: u64 = 0x410f_d083;

/// `AT_HWCAP` bits (Linux arm64 uapi) the ID registers are derived from.
pub mod hwcap {
    /// FP.
    pub const FP: u64 = 1 << 0;
    /// AdvSIMD.
    pub const ASIMD: u64 = 1 << 1;
    /// AES.
    pub const AES: u64 = 1 << 3;
    /// PMULL (64-bit polynomial multiply).
    pub const PMULL: u64 = 1 << 4;
    /// SHA1.
    pub const SHA1: u64 = 1 << 5;
    /// SHA256.
    pub const SHA2: u64 = 1 << 6;
    /// CRC32.
    pub const CRC32: u64 = 1 << 7;
    /// LSE atomics.
    pub const ATOMICS: u64 = 1 << 8;
    /// Half-precision scalar FP.
    pub const FPHP: u64 = 1 << 9;
    /// Half-precision AdvSIMD.
    pub const ASIMDHP: u64 = 1 << 10;
    /// SQRDMLAH/SQRDMLSH.
    pub const ASIMDRDM: u64 = 1 << 12;
    /// FJCVTZS.
    pub const JSCVT: u64 = 1 << 13;
    /// LDAPR.
    pub const LRCPC: u64 = 1 << 15;
    /// DC CVAP.
    pub const DCPOP: u64 = 1 << 16;
    /// SHA3.
    pub const SHA3: u64 = 1 << 17;
    /// Dot product.
    pub const ASIMDDP: u64 = 1 << 20;
    /// SHA512.
    pub const SHA512: u64 = 1 << 21;
    /// FCMLA/FCADD.
    pub const FCMA: u64 = 1 << 14;
    /// SM3.
    pub const SM3: u64 = 1 << 18;
    /// SM4.
    pub const SM4: u64 = 1 << 19;
    /// FMLAL/FMLSL.
    pub const ASIMDFHM: u64 = 1 << 23;
    /// CFINV, RMIF, SETF8/16.
    pub const FLAGM: u64 = 1 << 27;
    /// Address authentication.
    pub const PACA: u64 = 1 << 30;
    /// Generic authentication (PACGA).
    pub const PACG: u64 = 1 << 31;
    /// `AT_HWCAP2`: AXFLAG/XAFLAG.
    pub const HWCAP2_FLAGM2: u64 = 1 << 7;
    /// `AT_HWCAP2`: FRINT32/64.
    pub const HWCAP2_FRINT: u64 = 1 << 8;
    /// `AT_HWCAP2`: int8 matrix multiply.
    pub const HWCAP2_I8MM: u64 = 1 << 13;
    /// `AT_HWCAP2`: BFloat16.
    pub const HWCAP2_BF16: u64 = 1 << 14;
    /// `AT_HWCAP2`: RNDR/RNDRRS.
    pub const HWCAP2_RNG: u64 = 1 << 16;
    /// `AT_HWCAP2`: branch target identification.
    pub const HWCAP2_BTI: u64 = 1 << 17;
    /// `AT_HWCAP2`: ABS, CNT, CTZ, SMAX, ... (common short sequence compression).
    pub const HWCAP2_CSSC: u64 = 1 << 34;
}

/// The identification registers an EL0 MRS reads (Linux emulates these reads
/// with sanitised values); process-wide, set once by the front end from the
/// selected CPU model so that they always agree with AT_HWCAP.
static MIDR: AtomicU64 = AtomicU64::new(DEFAULT_MIDR);
static PFR0: AtomicU64 = AtomicU64::new(0x11);
static ISAR0: AtomicU64 = AtomicU64::new((2 << 20) | (1 << 16));
static ISAR1: AtomicU64 = AtomicU64::new(0);
static ISAR2: AtomicU64 = AtomicU64::new(0);
static PFR1: AtomicU64 = AtomicU64::new(0);

/// Sets the CPU identity: MIDR and the ID register fields for the features
/// in `hwcap`/`hwcap2` (the values the loader puts in AT_HWCAP/AT_HWCAP2).
/// Pointer authentication is reported as QARMA5 (APA/GPA) or as an
/// implementation-defined algorithm (API/GPI), whichever
/// `pac_insns::algorithm` says, so the front end selects that first.
pub fn set_cpu_identity(midr: u64, hwcap: u64, hwcap2: u64) {
    use self::hwcap as h;
    let has = |bit: u64| hwcap & bit != 0;
    let has2 = |bit: u64| hwcap2 & bit != 0;
    let field = |value: u64, shift: u32| value << shift;
    let mut isar0 = 0;
    isar0 |= field(if has(h::PMULL) { 2 } else if has(h::AES) { 1 } else { 0 }, 4);
    isar0 |= field(has(h::SHA1) as u64, 8);
    isar0 |= field(if has(h::SHA512) { 2 } else if has(h::SHA2) { 1 } else { 0 }, 12);
    isar0 |= field(has(h::CRC32) as u64, 16);
    isar0 |= field(if has(h::ATOMICS) { 2 } else { 0 }, 20);
    isar0 |= field(has(h::ASIMDRDM) as u64, 28);
    isar0 |= field(has(h::SHA3) as u64, 32);
    isar0 |= field(has(h::SM3) as u64, 36);
    isar0 |= field(has(h::SM4) as u64, 40);
    isar0 |= field(has(h::ASIMDDP) as u64, 44);
    isar0 |= field(has(h::ASIMDFHM) as u64, 48);
    isar0 |= field(if has2(h::HWCAP2_FLAGM2) { 2 } else { has(h::FLAGM) as u64 }, 52);
    isar0 |= field(has2(h::HWCAP2_RNG) as u64, 60);
    let mut isar1 = 0;
    isar1 |= field(has(h::DCPOP) as u64, 0);
    isar1 |= field(has(h::JSCVT) as u64, 12);
    isar1 |= field(has(h::FCMA) as u64, 16);
    isar1 |= field(has(h::LRCPC) as u64, 20);
    isar1 |= field(has2(h::HWCAP2_FRINT) as u64, 32);
    isar1 |= field(has2(h::HWCAP2_BF16) as u64, 44);
    isar1 |= field(has2(h::HWCAP2_I8MM) as u64, 52);
    // FEAT_PAuth (value 1: no PAuth2, no FPAC) under the algorithm's field.
    let qarma5 = super::pac_insns::algorithm() == super::pauth::PacAlgorithm::Qarma5;
    let (address_auth, generic_auth) = if qarma5 { (4, 24) } else { (8, 28) };
    isar1 |= field(has(h::PACA) as u64, address_auth);
    isar1 |= field(has(h::PACG) as u64, generic_auth);
    let isar2 = field(has2(h::HWCAP2_CSSC) as u64, 52);
    let pfr1 = field(has2(h::HWCAP2_BTI) as u64, 0);
    // EL0 and EL1 AArch64-only; FP/AdvSIMD fields: 0 = implemented, 1 = with
    // half precision, 0xf = absent.
    let fp = if !has(h::FP) { 0xf } else if has(h::FPHP) { 1 } else { 0 };
    let simd = if !has(h::ASIMD) { 0xf } else if has(h::ASIMDHP) { 1 } else { 0 };
    let pfr0 = 0x11 | field(fp, 16) | field(simd, 20);
    super::pac_insns::set_implemented(has(h::PACA));
    MIDR.store(midr, Ordering::Relaxed);
    PFR0.store(pfr0, Ordering::Relaxed);
    ISAR0.store(isar0, Ordering::Relaxed);
    ISAR1.store(isar1, Ordering::Relaxed);
    ISAR2.store(isar2, Ordering::Relaxed);
    PFR1.store(pfr1, Ordering::Relaxed);
}

/// RNDR/RNDRRS: 64 bits from the host's random number generator with NZCV
/// = 0000, or zero with Z set (0100) when none could be had, as the
/// architecture allows.
fn random_number(cpu: &mut CpuState) -> u64 {
    let mut value = 0u64;
    // SAFETY: getrandom writes at most 8 bytes into the local.
    let n = unsafe { libc::getrandom((&mut value as *mut u64).cast(), 8, libc::GRND_NONBLOCK) };
    if n == 8 {
        cpu.set_nzcv(0);
        value
    } else {
        cpu.set_nzcv(0b0100 << 28);
        0
    }
}

fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes only into the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// MXCSR's inexact flag (PE).
const MXCSR_PE: u32 = 1 << 5;
/// MXCSR's exception flags (IE DE ZE OE UE PE).
const MXCSR_FLAGS: u32 = 0x3f;
/// FPSR.IXC (inexact, cumulative).
const FPSR_IXC: u64 = 1 << 4;

/// Reads and clears the host's sticky inexact flag. Translated code computes
/// FP results that are normal numbers natively; their inexact exceptions
/// accumulate in MXCSR and are folded into FPSR.IXC here (all other flags
/// come only from the interpreter's exact FP paths).
pub fn take_host_inexact() -> bool {
    let mut mxcsr: u32 = 0;
    // SAFETY: stmxcsr/ldmxcsr on a local; only the sticky flag bits change,
    // the control bits (masks, rounding) are written back unchanged.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut mxcsr, options(nostack, preserves_flags));
        let cleared = mxcsr & !MXCSR_FLAGS;
        std::arch::asm!("ldmxcsr [{}]", in(reg) &cleared, options(nostack, preserves_flags, readonly));
    }
    mxcsr & MXCSR_PE != 0
}

/// Value an MRS of `reg` reads, or `None` if EL0 may not read it (SIGILL).
pub fn read(cpu: &mut CpuState, reg: u16) -> Option<u64> {
    Some(match reg {
        NZCV => cpu.nzcv(),
        FPCR => cpu.fpcr,
        FPSR => {
            if take_host_inexact() {
                cpu.fpsr |= FPSR_IXC;
            }
            cpu.fpsr
        }
        TPIDR_EL0 => cpu.tpidr_el0,
        TPIDRRO_EL0 => cpu.tpidrro_el0,
        DIT => 0,
        CTR_EL0 => 0x8444_c004,
        DCZID_EL0 => DCZID_BLOCK_LOG2_WORDS,
        CNTFRQ_EL0 => COUNTER_HZ,
        CNTVCT_EL0 | CNTPCT_EL0 | CNTVCTSS_EL0 | CNTPCTSS_EL0 => monotonic_ns(),
        MIDR_EL1 => MIDR.load(Ordering::Relaxed),
        MPIDR_EL1 => 0x8000_0000,
        REVIDR_EL1 => 0,
        ID_AA64PFR0_EL1 => PFR0.load(Ordering::Relaxed),
        ID_AA64ISAR0_EL1 => ISAR0.load(Ordering::Relaxed),
        ID_AA64ISAR1_EL1 => ISAR1.load(Ordering::Relaxed),
        ID_AA64ISAR2_EL1 => ISAR2.load(Ordering::Relaxed),
        ID_AA64PFR1_EL1 => PFR1.load(Ordering::Relaxed),
        RNDR | RNDRRS => random_number(cpu),
        // The rest of the ID register space (op0=3, op1=0, CRn=0, CRm=0..7)
        // reads as zero: no further features.
        r if r & 0xffc0 == sysreg(3, 0, 0, 0, 0) => 0,
        _ => return None,
    })
}

/// Performs an MSR of `value` to `reg`; `false` if EL0 may not write it (SIGILL).
pub fn write(cpu: &mut CpuState, reg: u16, value: u64) -> bool {
    match reg {
        NZCV => cpu.set_nzcv(value & 0xf000_0000),
        // FPCR: AHP, DN, FZ, RMode, FZ16 and the trap-enable bits are RES0 here
        // (no trapping FP exceptions), as Linux hardware without trap support.
        FPCR => cpu.fpcr = value & 0x07ff_0000,
        FPSR => {
            take_host_inexact();
            cpu.fpsr = value & 0xf800_009f;
        }
        TPIDR_EL0 => cpu.tpidr_el0 = value,
        DIT => {}
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::hwcap as h;
    use super::*;

    fn read_id(reg: u16) -> u64 {
        read(&mut CpuState::default(), reg).expect("ID register readable at EL0")
    }

    fn field(value: u64, shift: u32) -> u64 {
        (value >> shift) & 0xf
    }

    /// The ID register fields of the Armv8.3+ extensions follow the hwcaps
    /// (one test, as the registers are process-wide).
    #[test]
    fn extension_fields_follow_the_hwcaps() {
        let all = h::FP | h::ASIMD | h::FCMA | h::SM3 | h::SM4 | h::ASIMDFHM | h::FLAGM | h::PACA | h::PACG;
        let all2 = h::HWCAP2_FLAGM2 | h::HWCAP2_I8MM | h::HWCAP2_BF16 | h::HWCAP2_RNG | h::HWCAP2_BTI | h::HWCAP2_CSSC;
        set_cpu_identity(DEFAULT_MIDR, all, all2);
        let (isar0, isar1) = (read_id(ID_AA64ISAR0_EL1), read_id(ID_AA64ISAR1_EL1));
        assert_eq!([field(isar0, 36), field(isar0, 40), field(isar0, 48), field(isar0, 52), field(isar0, 60)], [1, 1, 1, 2, 1]);
        assert_eq!([field(isar1, 16), field(isar1, 44), field(isar1, 52)], [1, 1, 1]);
        // The implementation-defined algorithm (the default): API and GPI.
        assert_eq!([field(isar1, 4), field(isar1, 8), field(isar1, 24), field(isar1, 28)], [0, 1, 0, 1]);
        assert_eq!(field(read_id(ID_AA64ISAR2_EL1), 52), 1);
        assert_eq!(field(read_id(ID_AA64PFR1_EL1), 0), 1);

        set_cpu_identity(DEFAULT_MIDR, h::FP | h::ASIMD, 0);
        assert_eq!(read_id(ID_AA64ISAR0_EL1) >> 36, 0);
        assert_eq!(read_id(ID_AA64ISAR1_EL1), 0);
        assert_eq!(read_id(ID_AA64ISAR2_EL1), 0);
        assert_eq!(read_id(ID_AA64PFR1_EL1), 0);
    }

    #[test]
    fn rndr_sets_flags_and_varies() {
        let mut cpu = CpuState::default();
        cpu.set_nzcv(0xf000_0000);
        let a = read(&mut cpu, RNDR).expect("RNDR");
        assert_eq!(cpu.nzcv(), 0);
        let b = read(&mut cpu, RNDRRS).expect("RNDRRS");
        assert_ne!(a, b);
    }
}
