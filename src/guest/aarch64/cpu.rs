//! The architectural state of one AArch64 EL0 thread.
//!
//! The layout is `repr(C)` because generated code addresses fields by offset
//! (see [`CpuState::offset_of_x`] and friends).
//!
//! Flags are kept the way translated code finds cheapest to produce, not in the
//! NZCV register format:
//! - `nf`: N is the sign bit (bit 63) of this value,
//! - `zf`: Z is set when this value is zero,
//! - `cf`: C is this value (0 or 1),
//! - `vf`: V is the sign bit (bit 63) of this value.
//!
//! A flag-setting 32-bit operation stores its result sign-extended to 64 bits.
//! [`CpuState::nzcv`] and [`CpuState::set_nzcv`] convert to and from the
//! architectural format for MRS/MSR, FCMP and signal frames.

use std::sync::atomic::AtomicU32;

/// Register number 31 in the SP role (in the XZR role it reads as zero).
pub const SP: usize = 31;

/// One guest thread's registers and the bits of per-thread emulator state that
/// translated code needs to reach quickly.
#[repr(C, align(16))]
pub struct CpuState {
    /// X0..X30, and SP in slot 31.
    pub x: [u64; 32],
    /// Address of the next instruction to execute.
    pub pc: u64,
    /// N flag carrier (sign bit).
    pub nf: u64,
    /// Z flag carrier (zero means Z set).
    pub zf: u64,
    /// C flag (0 or 1).
    pub cf: u64,
    /// V flag carrier (sign bit).
    pub vf: u64,
    /// The 32 128-bit SIMD&FP registers; lane 0 is the low-order bytes.
    pub v: [u128; 32],
    /// Floating-point control register.
    pub fpcr: u64,
    /// Floating-point status register (cumulative exception flags, QC).
    pub fpsr: u64,
    /// Software thread ID register (TLS pointer).
    pub tpidr_el0: u64,
    /// Read-only thread ID register (always 0 for Linux user space).
    pub tpidrro_el0: u64,
    /// Exclusive monitor: address of the last LDXR/LDAXR, or `u64::MAX` when clear.
    pub excl_addr: u64,
    /// Exclusive monitor: the value the last exclusive load read (low half for pairs).
    pub excl_value: u64,
    /// Exclusive monitor: high half of the value for LDXP.
    pub excl_value_hi: u64,
    /// Exclusive monitor: access size in bytes (for pairs, the size of both halves).
    pub excl_size: u64,
    /// Non-zero asks translated code to return to the execution loop at the next
    /// block boundary (signals, code invalidation, exit requests).
    pub exit_request: AtomicU32,
    /// Padding so the struct layout does not depend on the atomic's size.
    pub _pad: u32,
    /// Set by translated code when it leaves through a chainable exit: the
    /// address of the slot that may be pointed at the target block's code.
    pub chain_slot: u64,
    /// Count of guest instructions retired by translated code (statistics).
    pub icount: u64,
    /// Written by compiled loops on every backward edge (see `jit::emit`);
    /// holds no meaning.
    pub loop_scratch: u64,
    /// The target of an authenticated branch (BRAA, RETAA, ...), which the
    /// reference semantics computes for generated code to jump to.
    pub branch_target: u64,
    /// PSTATE.BTYPE (FEAT_BTI): the kind of the indirect branch that led to
    /// the next instruction (0 after any other instruction).
    pub btype: u64,
    /// System mode: the address of the software TLB table of the current
    /// translation context (`crate::mem::soft_tlb`); 0 in user mode.
    pub soft_tlb: u64,
    /// System mode: the table of EL0's context, which LDTR/STTR use at EL1
    /// (`crate::ir::Op::Unprivileged`).
    pub soft_tlb_el0: u64,
    /// The running thread's indirect-branch table for baseline code
    /// (`jit::JumpTables`): per thread, because code is shared by threads.
    pub baseline_targets: u64,
    /// The same for optimised code.
    pub region_targets: u64,
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            x: [0; 32],
            pc: 0,
            nf: 0,
            zf: 1,
            cf: 0,
            vf: 0,
            v: [0; 32],
            fpcr: 0,
            fpsr: 0,
            tpidr_el0: 0,
            tpidrro_el0: 0,
            excl_addr: u64::MAX,
            excl_value: 0,
            excl_value_hi: 0,
            excl_size: 0,
            exit_request: AtomicU32::new(0),
            _pad: 0,
            chain_slot: 0,
            icount: 0,
            loop_scratch: 0,
            branch_target: 0,
            btype: 0,
            soft_tlb: 0,
            soft_tlb_el0: 0,
            baseline_targets: 0,
            region_targets: 0,
        }
    }
}

impl Clone for CpuState {
    fn clone(&self) -> Self {
        CpuState {
            x: self.x,
            pc: self.pc,
            nf: self.nf,
            zf: self.zf,
            cf: self.cf,
            vf: self.vf,
            v: self.v,
            fpcr: self.fpcr,
            fpsr: self.fpsr,
            tpidr_el0: self.tpidr_el0,
            tpidrro_el0: self.tpidrro_el0,
            excl_addr: u64::MAX,
            excl_value: 0,
            excl_value_hi: 0,
            excl_size: 0,
            exit_request: AtomicU32::new(0),
            _pad: 0,
            chain_slot: 0,
            icount: 0,
            loop_scratch: 0,
            branch_target: 0,
            btype: 0,
            soft_tlb: 0,
            soft_tlb_el0: 0,
            baseline_targets: 0,
            region_targets: 0,
        }
    }
}

impl std::fmt::Debug for CpuState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "pc={:#018x} nzcv={:#x}", self.pc, self.nzcv() >> 28)?;
        for (i, r) in self.x.iter().enumerate() {
            let name = if i == SP { "sp".to_string() } else { format!("x{i}") };
            write!(f, "{name:>3}={r:#018x}{}", if i % 4 == 3 { "\n" } else { " " })?;
        }
        Ok(())
    }
}

impl CpuState {
    /// Reads register `r` with 31 meaning XZR.
    #[inline(always)]
    pub fn xzr(&self, r: u8) -> u64 {
        if r == 31 {
            0
        } else {
            self.x[r as usize]
        }
    }

    /// Writes register `r` with 31 meaning XZR (the write is discarded).
    #[inline(always)]
    pub fn set_xzr(&mut self, r: u8, value: u64) {
        if r != 31 {
            self.x[r as usize] = value;
        }
    }

    /// Reads register `r` with 31 meaning SP.
    #[inline(always)]
    pub fn xsp(&self, r: u8) -> u64 {
        self.x[r as usize]
    }

    /// Writes register `r` with 31 meaning SP.
    #[inline(always)]
    pub fn set_xsp(&mut self, r: u8, value: u64) {
        self.x[r as usize] = value;
    }

    /// The flags in the architectural NZCV format (bits 31..28).
    pub fn nzcv(&self) -> u64 {
        let n = (self.nf >> 63) & 1;
        let z = (self.zf == 0) as u64;
        let c = (self.cf != 0) as u64;
        let v = (self.vf >> 63) & 1;
        (n << 31) | (z << 30) | (c << 29) | (v << 28)
    }

    /// Sets the flags from the architectural NZCV format (bits 31..28).
    pub fn set_nzcv(&mut self, nzcv: u64) {
        self.nf = if nzcv & (1 << 31) != 0 { 1 << 63 } else { 0 };
        self.zf = if nzcv & (1 << 30) != 0 { 0 } else { 1 };
        self.cf = (nzcv >> 29) & 1;
        self.vf = if nzcv & (1 << 28) != 0 { 1 << 63 } else { 0 };
    }

    /// Evaluates an A64 condition code (0..15) against the current flags.
    #[inline(always)]
    pub fn condition_holds(&self, cond: u8) -> bool {
        let n = (self.nf as i64) < 0;
        let z = self.zf == 0;
        let c = self.cf != 0;
        let v = (self.vf as i64) < 0;
        let base = match cond >> 1 {
            0 => z,
            1 => c,
            2 => n,
            3 => v,
            4 => c && !z,
            5 => n == v,
            6 => n == v && !z,
            _ => true,
        };
        if cond & 1 == 1 && cond != 15 {
            !base
        } else {
            base
        }
    }

    /// Low 64 bits of vector register `r` (the D view).
    pub fn d(&self, r: u8) -> u64 {
        self.v[r as usize] as u64
    }

    /// Writes the D view of vector register `r`, zeroing the upper 64 bits as
    /// scalar writes do.
    pub fn set_d(&mut self, r: u8, value: u64) {
        self.v[r as usize] = value as u128;
    }

    /// Byte offset of X register `r` within the struct, for generated code.
    pub const fn offset_of_x(r: usize) -> i32 {
        (std::mem::offset_of!(CpuState, x) + 8 * r) as i32
    }

    /// Byte offset of V register `r` within the struct, for generated code.
    pub const fn offset_of_v(r: usize) -> i32 {
        (std::mem::offset_of!(CpuState, v) + 16 * r) as i32
    }
}

/// Byte offsets of the scalar fields generated code touches.
pub mod offsets {
    use super::CpuState;
    use std::mem::offset_of;
    /// `CpuState::pc`.
    pub const PC: i32 = offset_of!(CpuState, pc) as i32;
    /// `CpuState::nf`.
    pub const NF: i32 = offset_of!(CpuState, nf) as i32;
    /// `CpuState::zf`.
    pub const ZF: i32 = offset_of!(CpuState, zf) as i32;
    /// `CpuState::cf`.
    pub const CF: i32 = offset_of!(CpuState, cf) as i32;
    /// `CpuState::vf`.
    pub const VF: i32 = offset_of!(CpuState, vf) as i32;
    /// `CpuState::exit_request`.
    pub const EXIT_REQUEST: i32 = offset_of!(CpuState, exit_request) as i32;
    /// `CpuState::chain_slot`.
    pub const CHAIN_SLOT: i32 = offset_of!(CpuState, chain_slot) as i32;
    /// `CpuState::icount`.
    pub const ICOUNT: i32 = offset_of!(CpuState, icount) as i32;
    /// `CpuState::fpcr`.
    pub const FPCR: i32 = offset_of!(CpuState, fpcr) as i32;
    /// `CpuState::loop_scratch`.
    pub const LOOP_SCRATCH: i32 = offset_of!(CpuState, loop_scratch) as i32;
    /// `CpuState::tpidr_el0`.
    pub const TPIDR_EL0: i32 = offset_of!(CpuState, tpidr_el0) as i32;
    /// `CpuState::branch_target`.
    pub const BRANCH_TARGET: i32 = offset_of!(CpuState, branch_target) as i32;
    /// `CpuState::btype`.
    pub const BTYPE: i32 = offset_of!(CpuState, btype) as i32;
    /// `CpuState::soft_tlb`.
    pub const SOFT_TLB: i32 = offset_of!(CpuState, soft_tlb) as i32;
    /// `CpuState::soft_tlb_el0`.
    pub const SOFT_TLB_EL0: i32 = offset_of!(CpuState, soft_tlb_el0) as i32;
    /// `CpuState::baseline_targets`.
    pub const BASELINE_TARGETS: i32 = offset_of!(CpuState, baseline_targets) as i32;
    /// `CpuState::region_targets`.
    pub const REGION_TARGETS: i32 = offset_of!(CpuState, region_targets) as i32;
}
