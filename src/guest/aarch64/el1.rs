//! EL1 state for system mode: the EL1 system registers Linux uses, PSTATE
//! beyond the flags, exception entry to EL1 and ERET.
//!
//! User mode never runs at EL1, so this state lives beside `CpuState`
//! rather than in it: generated code reaches only what it needs (the
//! current exception level for the software TLB, later). The register file
//! is keyed by the MRS/MSR encoding (op0:op1:CRn:CRm:op2, as
//! `sysregs::sysreg` builds it); reads and writes at EL0 of EL1 registers
//! are refused by [`El1State::read`]/[`El1State::write`] so the caller
//! raises the Undefined exception.

use super::cpu::{CpuState, SP};
use super::sysregs::sysreg;

/// Where an exception comes from, as the vector table distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Synchronous (aborts, SVC, HVC, undefined instructions, ...).
    Sync,
    /// IRQ.
    Irq,
    /// FIQ.
    Fiq,
    /// SError.
    SError,
}

/// PSTATE.D, A, I, F as they sit in SPSR and DAIF (bits 9:6).
pub const DAIF_MASK: u64 = 0xf << 6;
/// SPSR.PAN.
const PSR_PAN: u64 = 1 << 22;
/// SPSR.IL (illegal execution state).
const PSR_IL: u64 = 1 << 20;
/// SPSR.BTYPE.
const PSR_BTYPE: u64 = 3 << 10;
/// SCTLR_EL1.SPAN: when clear, exception entry sets PAN.
const SCTLR_SPAN: u64 = 1 << 23;

/// The EL1 registers and PSTATE fields of one vCPU.
#[derive(Debug, Clone, Default)]
pub struct El1State {
    /// Current exception level: 0 or 1.
    pub el: u8,
    /// PSTATE.SP: at EL1, 1 selects SP_EL1 (EL1h), 0 SP_EL0 (EL1t).
    pub spsel: bool,
    /// PSTATE.D, A, I, F in bits 9:6.
    pub daif: u64,
    /// PSTATE.PAN.
    pub pan: bool,
    /// FEAT_PAN is implemented: PSTATE.PAN exists (its MSR/MRS forms are
    /// undefined otherwise, and exception entry leaves it alone).
    pub has_pan: bool,
    /// PSTATE.IL: an illegal exception return happened; the next
    /// instruction raises an Illegal Execution State exception.
    pub illegal: bool,
    /// The stack pointer of the level not in use (SP_EL0 while on SP_EL1
    /// and the other way round); `CpuState::x[31]` holds the one in use.
    pub banked_sp: u64,
    /// Registers by encoding.
    regs: std::collections::BTreeMap<u16, u64>,
}

/// The EL1 registers kept as plain storage (their effects are applied by
/// whoever uses them: the MMU, the vector table, ...).
const STORED: &[(u16, &str)] = &[
    (sysreg(3, 0, 1, 0, 0), "SCTLR_EL1"),
    (sysreg(3, 0, 1, 0, 1), "ACTLR_EL1"),
    (sysreg(3, 0, 1, 0, 2), "CPACR_EL1"),
    (sysreg(3, 0, 2, 0, 0), "TTBR0_EL1"),
    (sysreg(3, 0, 2, 0, 1), "TTBR1_EL1"),
    (sysreg(3, 0, 2, 0, 2), "TCR_EL1"),
    (sysreg(3, 0, 4, 0, 0), "SPSR_EL1"),
    (sysreg(3, 0, 4, 0, 1), "ELR_EL1"),
    (sysreg(3, 0, 5, 1, 0), "AFSR0_EL1"),
    (sysreg(3, 0, 5, 1, 1), "AFSR1_EL1"),
    (sysreg(3, 0, 5, 2, 0), "ESR_EL1"),
    (sysreg(3, 0, 6, 0, 0), "FAR_EL1"),
    (sysreg(3, 0, 7, 4, 0), "PAR_EL1"),
    (sysreg(3, 0, 10, 2, 0), "MAIR_EL1"),
    (sysreg(3, 0, 10, 3, 0), "AMAIR_EL1"),
    (sysreg(3, 0, 12, 0, 0), "VBAR_EL1"),
    (sysreg(3, 0, 13, 0, 1), "CONTEXTIDR_EL1"),
    (sysreg(3, 0, 13, 0, 4), "TPIDR_EL1"),
    (sysreg(3, 0, 14, 1, 0), "CNTKCTL_EL1"),
    (sysreg(3, 2, 0, 0, 0), "CSSELR_EL1"),
    (sysreg(2, 0, 0, 2, 2), "MDSCR_EL1"),
    (sysreg(2, 0, 1, 3, 4), "OSDLR_EL1"),
];

/// SP_EL0.
pub const SP_EL0: u16 = sysreg(3, 0, 4, 1, 0);
/// CurrentEL.
pub const CURRENT_EL: u16 = sysreg(3, 0, 4, 2, 2);
/// SPSel.
pub const SPSEL: u16 = sysreg(3, 0, 4, 2, 0);
/// DAIF.
pub const DAIF: u16 = sysreg(3, 3, 4, 2, 1);
/// PAN.
pub const PAN: u16 = sysreg(3, 0, 4, 2, 3);
/// SCTLR_EL1.
pub const SCTLR_EL1: u16 = sysreg(3, 0, 1, 0, 0);
/// VBAR_EL1.
pub const VBAR_EL1: u16 = sysreg(3, 0, 12, 0, 0);
/// SPSR_EL1.
pub const SPSR_EL1: u16 = sysreg(3, 0, 4, 0, 0);
/// ELR_EL1.
pub const ELR_EL1: u16 = sysreg(3, 0, 4, 0, 1);
/// ESR_EL1.
pub const ESR_EL1: u16 = sysreg(3, 0, 5, 2, 0);
/// FAR_EL1.
pub const FAR_EL1: u16 = sysreg(3, 0, 6, 0, 0);
/// OSLAR_EL1 (write-only OS lock).
const OSLAR_EL1: u16 = sysreg(2, 0, 1, 0, 4);
/// OSLSR_EL1.
const OSLSR_EL1: u16 = sysreg(2, 0, 1, 1, 4);

impl El1State {
    /// The state at reset into EL1 (as a boot loader hands over to Linux:
    /// EL1h, interrupts masked, MMU off), with or without FEAT_PAN.
    pub fn at_reset(has_pan: bool) -> El1State {
        El1State { el: 1, spsel: true, daif: DAIF_MASK, has_pan, ..El1State::default() }
    }

    /// A stored register's value (0 until written).
    pub fn get(&self, reg: u16) -> u64 {
        self.regs.get(&reg).copied().unwrap_or(0)
    }

    fn set(&mut self, reg: u16, value: u64) {
        self.regs.insert(reg, value);
    }

    /// MRS of an EL1 register or PSTATE field; `None` if it is not one (the
    /// caller tries the EL0 registers) or not readable at this level.
    pub fn read(&self, cpu: &CpuState, reg: u16) -> Option<u64> {
        if reg == DAIF {
            return Some(self.daif);
        }
        if self.el == 0 {
            return None;
        }
        Some(match reg {
            CURRENT_EL => (self.el as u64) << 2,
            SPSEL => self.spsel as u64,
            PAN if self.has_pan => (self.pan as u64) << 22,
            SP_EL0 if self.spsel => self.banked_sp,
            SP_EL0 => cpu.x[SP],
            OSLSR_EL1 => 0b1000,
            r if STORED.iter().any(|&(s, _)| s == r) => self.get(r),
            _ => return None,
        })
    }

    /// MSR of an EL1 register or PSTATE field; false if it is not one or
    /// not writable at this level. DAIF is writable at EL0 only when
    /// SCTLR_EL1.UMA is set.
    pub fn write(&mut self, cpu: &mut CpuState, reg: u16, value: u64) -> bool {
        if reg == DAIF {
            if self.el == 0 && self.get(SCTLR_EL1) & (1 << 9) == 0 {
                return false;
            }
            self.daif = value & DAIF_MASK;
            return true;
        }
        if self.el == 0 {
            return false;
        }
        match reg {
            SPSEL => self.select_sp(cpu, value & 1 != 0),
            PAN if self.has_pan => self.pan = value & PSR_PAN != 0,
            SP_EL0 if self.spsel => self.banked_sp = value,
            // With SP_EL0 selected the register is the current SP and MSR
            // to it is constrained unpredictable: write it.
            SP_EL0 => cpu.x[SP] = value,
            OSLAR_EL1 => {}
            r if STORED.iter().any(|&(s, _)| s == r) => self.set(r, value),
            _ => return false,
        }
        true
    }

    /// Switches PSTATE.SP, banking the stack pointer in use.
    fn select_sp(&mut self, cpu: &mut CpuState, sp_elx: bool) {
        if self.spsel != sp_elx {
            std::mem::swap(&mut cpu.x[SP], &mut self.banked_sp);
            self.spsel = sp_elx;
        }
    }

    /// PSTATE as SPSR_EL1 records it: NZCV, PAN, BTYPE, DAIF, M[3:0].
    pub fn pstate(&self, cpu: &CpuState) -> u64 {
        let mode = ((self.el as u64) << 2) | (self.el != 0 && self.spsel) as u64;
        cpu.nzcv() | (self.pan as u64) << 22 | (cpu.btype & 3) << 10 | self.daif | mode
    }

    /// Takes an exception of `kind` to EL1: saves PSTATE in SPSR_EL1 and
    /// `return_to` in ELR_EL1, with a synchronous exception's syndrome in
    /// ESR_EL1 and fault address in FAR_EL1, masks D, A, I and F, selects
    /// SP_EL1, sets PAN unless SCTLR_EL1.SPAN, and continues at the vector.
    pub fn take_exception(&mut self, cpu: &mut CpuState, kind: ExceptionKind, return_to: u64, esr: Option<u64>, far: Option<u64>) {
        let from_el0 = self.el == 0;
        let vector_group = match (from_el0, self.spsel) {
            (true, _) => 0x400,
            (false, false) => 0x000,
            (false, true) => 0x200,
        };
        let offset = match kind {
            ExceptionKind::Sync => 0x000,
            ExceptionKind::Irq => 0x080,
            ExceptionKind::Fiq => 0x100,
            ExceptionKind::SError => 0x180,
        };
        let spsr = self.pstate(cpu);
        self.set(SPSR_EL1, spsr);
        self.set(ELR_EL1, return_to);
        if let Some(esr) = esr {
            self.set(ESR_EL1, esr);
        }
        if let Some(far) = far {
            self.set(FAR_EL1, far);
        }
        // To EL1 on SP_EL1: from EL0 the EL0 stack pointer is banked.
        if from_el0 {
            self.el = 1;
            self.spsel = false;
        }
        self.select_sp(cpu, true);
        self.daif = DAIF_MASK;
        if self.has_pan && self.get(SCTLR_EL1) & SCTLR_SPAN == 0 {
            self.pan = true;
        }
        cpu.btype = 0;
        cpu.pc = (self.get(VBAR_EL1) & !0x7ff) + vector_group + offset;
    }

    /// ERET: restores PSTATE from SPSR_EL1 and continues at ELR_EL1. A
    /// return to an exception level above EL1, or to AArch32, is an illegal
    /// return: the state is kept and PSTATE.IL set, as the architecture
    /// says (the next instruction then raises an Illegal State exception).
    pub fn eret(&mut self, cpu: &mut CpuState) {
        let spsr = self.get(SPSR_EL1);
        let target_el = ((spsr >> 2) & 3) as u8;
        cpu.pc = self.get(ELR_EL1);
        if spsr & 0x10 != 0 || target_el > 1 {
            self.illegal = true;
            return;
        }
        cpu.set_nzcv(spsr & 0xf000_0000);
        cpu.btype = (spsr & PSR_BTYPE) >> 10;
        self.daif = spsr & DAIF_MASK;
        self.pan = self.has_pan && spsr & PSR_PAN != 0;
        let sp_elx = target_el == 1 && spsr & 1 != 0;
        if target_el == 0 {
            // To EL0 the current SP becomes SP_EL0.
            self.select_sp(cpu, false);
            self.el = 0;
            self.spsel = false;
        } else {
            self.select_sp(cpu, sp_elx);
        }
        self.illegal = spsr & PSR_IL != 0;
    }
}

#[cfg(test)]
mod tests;
