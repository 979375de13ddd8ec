//! The instructions only an operating system uses: MSR/MRS of EL1 and
//! timer registers, MSR to PSTATE fields, exception generation and return,
//! WFI/WFE, TLB maintenance, address translation (AT) and the cache
//! maintenance operations that have no effect here.
//!
//! Everything else in the system-instruction space (hints, barriers, the
//! EL0 registers, DC ZVA, PAC hints) is left to the core's one definition
//! of each instruction: [`exec`] returns `None` for it.


use kestrel::guest::aarch64::el1::{ExceptionKind, SCTLR_EL1};
use kestrel::guest::aarch64::interp::Exception;
use kestrel::guest::aarch64::mmu::Access;
use kestrel::guest::aarch64::sysregs::{self, sysreg};

use super::engines::Flush;
use super::{idregs, psci, softmmu, Step, Vcpu, IL};
use crate::devices::timer::TimerReg;

pub use kestrel::guest::aarch64::decode::is_system_space as is_system;
use kestrel::guest::aarch64::decode::ERET;

fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Executes a system-level instruction at `pc`, or returns `None` when
/// the core defines it.
pub fn exec(v: &mut Vcpu, word: u32, pc: u64) -> Option<Step> {
    if word == ERET {
        return Some(eret(v, word, pc));
    }
    if word & 0xff00_0000 == 0xd400_0000 {
        return exception_generating(v, word, pc);
    }
    let l = bits(word, 21, 21) == 1;
    let op0 = bits(word, 20, 19);
    let op1 = bits(word, 18, 16);
    let crn = bits(word, 15, 12);
    let crm = bits(word, 11, 8);
    let op2 = bits(word, 7, 5);
    let rt = bits(word, 4, 0) as u8;
    match (l, op0) {
        (false, 0) if crn == 4 && rt == 31 => pstate_field(v, word, pc, op1, crm, op2),
        (false, 0) if crn == 2 && rt == 31 => match (crm, op2) {
            // WFI.
            (0, 3) => {
                v.cpu.pc = pc + 4;
                Some(Step::WaitForInterrupt)
            }
            // WFE: events are not modelled; a yield lets the vCPU that
            // will send one run (spin-wait loops re-check their condition).
            (0, 2) => {
                v.cpu.pc = pc + 4;
                std::thread::yield_now();
                Some(Step::EndSlice)
            }
            // The pointer-authentication hints (PACIASP, AUTIASP, XPACLRI,
            // PACIA1716, ...): NOPs, as on a CPU without FEAT_PAuth, which
            // no system-mode model advertises.
            (1, 0 | 2 | 4 | 6) | (3, _) | (0, 7) => {
                v.cpu.pc = pc + 4;
                Some(Step::Next)
            }
            _ => None,
        },
        (false, 1) => sys(v, word, pc, op1, crn, crm, op2, rt),
        (_, 2) | (_, 3) => {
            let reg = bits(word, 20, 5) as u16;
            Some(if l { mrs(v, word, pc, reg, rt) } else { msr(v, word, pc, reg, rt) })
        }
        _ => None,
    }
}

fn undefined(v: &mut Vcpu, word: u32, pc: u64) -> Step {
    v.synchronous(Exception::Undefined(word), pc);
    Step::EndSlice
}

/// An EL0 access that SCTLR_EL1 or CNTKCTL_EL1 traps to EL1 (EC 0x18,
/// "trapped MSR, MRS or System instruction"), with the instruction's
/// fields in the syndrome.
fn trapped(v: &mut Vcpu, word: u32, pc: u64) -> Step {
    let f = |hi, lo| bits(word, hi, lo) as u64;
    let iss = f(20, 19) << 20 | f(7, 5) << 17 | f(18, 16) << 14 | f(15, 12) << 10 | f(4, 0) << 5 | f(11, 8) << 1 | f(21, 21);
    v.exception(ExceptionKind::Sync, pc, Some((0x18 << 26) | IL | iss), None);
    Step::EndSlice
}

/// SCTLR_EL1.UMA: EL0 may use DAIF.
fn el0_may_mask(v: &Vcpu) -> bool {
    v.el1.get(SCTLR_EL1) & (1 << 9) != 0
}

fn eret(v: &mut Vcpu, word: u32, pc: u64) -> Step {
    if v.el1.el == 0 {
        return undefined(v, word, pc);
    }
    v.el1.eret(&mut v.cpu);
    v.sync_mmu();
    Step::EndSlice
}

/// SVC, HVC (PSCI), SMC, BRK, HLT.
fn exception_generating(v: &mut Vcpu, word: u32, pc: u64) -> Option<Step> {
    let opc = bits(word, 23, 21);
    let ll = bits(word, 1, 0);
    let imm16 = bits(word, 20, 5) as u64;
    Some(match (opc, ll) {
        (0b000, 0b01) => {
            v.exception(ExceptionKind::Sync, pc + 4, Some((0x15 << 26) | IL | imm16), None);
            Step::EndSlice
        }
        (0b000, 0b10) if v.el1.el == 1 => {
            v.cpu.pc = pc + 4;
            psci::call(v)
        }
        // BRK: the core raises it.
        (0b001, 0b00) => return None,
        // SMC without EL3, HVC from EL0, HLT, DCPS: undefined.
        _ => undefined(v, word, pc),
    })
}

/// MSR (immediate) to DAIFSet/DAIFClr, SPSel, PAN, UAO.
fn pstate_field(v: &mut Vcpu, word: u32, pc: u64, op1: u32, crm: u32, op2: u32) -> Option<Step> {
    let imm = crm as u64;
    match (op1, op2) {
        (3, 6) | (3, 7) => {
            if v.el1.el == 0 && !el0_may_mask(v) {
                return Some(trapped(v, word, pc));
            }
            if op2 == 6 {
                v.el1.daif |= imm << 6;
            } else {
                v.el1.daif &= !(imm << 6);
            }
        }
        (0, 5) | (0, 4) | (0, 3) if v.el1.el == 0 => return Some(undefined(v, word, pc)),
        (0, 5) => {
            v.el1.write(&mut v.cpu, kestrel::guest::aarch64::el1::SPSEL, imm & 1);
        }
        (0, 4) if !v.el1.has_pan => return Some(undefined(v, word, pc)),
        (0, 4) => {
            v.el1.pan = imm & 1 != 0;
            v.sync_mmu();
        }
        // UAO: not advertised; accept as a no-op as the space is allocated.
        (0, 3) => {}
        _ => return None,
    }
    v.cpu.pc = pc + 4;
    Some(Step::EndSlice)
}

/// SYS: TLBI, AT, DC and IC by set/way or to the point of coherency.
#[allow(clippy::too_many_arguments)]
fn sys(v: &mut Vcpu, word: u32, pc: u64, op1: u32, crn: u32, crm: u32, op2: u32, rt: u8) -> Option<Step> {
    let el0 = v.el1.el == 0;
    match (op1, crn, crm, op2) {
        // DC ZVA, DC CVAU/CVAC/CIVAC/CVAP at any level: the core.
        (3, 7, c, _) if c != 5 => return None,
        // IC IVAU at EL0 (SCTLR_EL1.UCI is set by Linux).
        (3, 7, 5, 1) if el0 => {
            let va = v.cpu.xzr(rt);
            kestrel::jit::invalidate_range(va & !0xfff, 4096);
        }
        _ if el0 => return Some(undefined(v, word, pc)),
        // TLBI (EL1 forms, op1 = 0). By address, the page's entries go
        // (the whole TLB if the page lies in a block the TLB holds pieces
        // of); by ASID and everything, the whole TLB: correct for any ASID
        // they name. The inner-shareable and outer-shareable forms (CRm 3
        // and 1) reach every vCPU. Translated code follows: by address,
        // the page's blocks are dropped everywhere; by ASID, that ASID's
        // code, and for everything all code, is checked against the
        // physical pages it came from again (`engines::Flush`).
        (0, 8, _, _) => {
            // By-address forms (VAE1, VAAE1, VALE1, VAALE1; local, IS,
            // OS). The range forms (CRm 2, 5, 6) drop everything.
            let page = (matches!(op2, 1 | 3 | 5 | 7) && matches!(crm, 1 | 3 | 7)).then(|| tlbi_page(v.cpu.xzr(rt)));
            match page {
                Some(page) => v.mmu.flush_page(page),
                None => v.mmu.flush(),
            }
            let broadcast = matches!(crm, 1 | 2 | 3 | 5);
            if broadcast {
                v.broadcast_tlb_invalidation(page);
            }
            match (op2, page) {
                (_, Some(page)) => {
                    kestrel::jit::invalidate_range(page, 4096);
                }
                (2, None) => v.flush_code(Flush::Asid(v.cpu.xzr(rt) >> 48), broadcast),
                _ => v.flush_code(Flush::Mappings, broadcast),
            }
        }
        // IC IVAU: the line's page, in every vCPU's translations.
        (3, 7, 5, 1) => {
            let va = v.cpu.xzr(rt);
            kestrel::jit::invalidate_range(va & !0xfff, 4096);
        }
        // AT S1E1R, S1E1W, S1E0R, S1E0W; S1E1RP/S1E1WP (PAN-aware).
        (0, 7, 8, 0..=3) | (0, 7, 9, 0..=1) => {
            let va = v.cpu.xzr(rt);
            let write = op2 & 1 == 1;
            let as_el0 = crm == 8 && op2 >= 2;
            let access = if write { Access::Write } else { Access::Read };
            let with_pan = crm == 9 && v.el1.pan;
            let saved = v.mmu.context();
            let mut ctx = saved;
            ctx.pan = with_pan;
            v.mmu.set_context(ctx);
            let result = v.mmu.probe(va, access, as_el0);
            v.mmu.set_context(saved);
            let mair = v.el1.get(sysreg(3, 0, 10, 2, 0));
            let par = softmmu::par_el1(&result, mair);
            v.el1.write(&mut v.cpu, sysreg(3, 0, 7, 4, 0), par);
        }
        // IC IALLUIS, IC IALLU: every translation (of every vCPU for IS).
        (0, 7, 1, 0) => v.flush_code(Flush::All, true),
        (0, 7, 5, 0) => v.flush_code(Flush::All, false),
        // DC IVAC, ISW, CSW, CISW: no data cache is modelled.
        (0, 7, 6, 1) | (0, 7, 6, 2) | (0, 7, 10, 2) | (0, 7, 14, 2) => {}
        _ => return Some(undefined(v, word, pc)),
    }
    v.cpu.pc = pc + 4;
    Some(Step::Next)
}

/// The virtual page a TLBI by address names: Xt[43:0] is VA[55:12], and
/// bit 55 says which half (the upper half's VAs have bits 63:56 set).
fn tlbi_page(xt: u64) -> u64 {
    let va = (xt & ((1 << 44) - 1)) << 12;
    if va & (1 << 55) != 0 {
        va | 0xff00_0000_0000_0000
    } else {
        va
    }
}

/// Registers EL1 may read and write that have no effect here (debug
/// breakpoints and watchpoints, the debug comms channel), kept as storage.
fn is_stored_debug_register(reg: u16) -> bool {
    let (op0, op1, crn, op2) = (reg >> 14, (reg >> 11) & 7, (reg >> 7) & 0xf, reg & 7);
    let crm = (reg >> 3) & 0xf;
    // DBGBVRn/DBGBCRn/DBGWVRn/DBGWCRn_EL1, MDCCINT_EL1, OSECCR_EL1,
    // DBGCLAIMSET/CLR_EL1.
    (op0 == 2 && op1 == 0 && crn == 0 && (4..=7).contains(&op2))
        || reg == sysreg(2, 0, 0, 2, 0)
        || reg == sysreg(2, 0, 0, 6, 2)
        || (op0 == 2 && op1 == 0 && crn == 7 && (crm == 8 || crm == 9) && op2 == 6)
}

/// EL0 access to a timer register, as CNTKCTL_EL1 allows it.
fn el0_timer_allowed(v: &Vcpu, reg: TimerReg) -> bool {
    let kctl = v.timer.read(TimerReg::CntkctlEl1);
    match reg {
        TimerReg::CntfrqEl0 => kctl & 3 != 0,
        TimerReg::CntpctEl0 => kctl & 1 != 0,
        TimerReg::CntvctEl0 => kctl & 2 != 0,
        TimerReg::CntvCtlEl0 | TimerReg::CntvCvalEl0 | TimerReg::CntvTvalEl0 => kctl & (1 << 8) != 0,
        TimerReg::CntpCtlEl0 | TimerReg::CntpCvalEl0 | TimerReg::CntpTvalEl0 => kctl & (1 << 9) != 0,
        TimerReg::CntkctlEl1 => false,
    }
}

/// The GICv3 CPU interface registers (ICC_*_EL1): op0 3, op1 0, CRn 12,
/// and ICC_PMR_EL1 in CRn 4.
fn is_gic_cpu_interface(reg: u16) -> bool {
    reg & 0xff80 == sysreg(3, 0, 12, 0, 0) || reg == sysreg(3, 0, 4, 6, 0)
}

fn timer_reg(reg: u16) -> Option<TimerReg> {
    let f = |shift: u16, width: u16| ((reg >> shift) & ((1 << width) - 1)) as u8;
    TimerReg::from_encoding(f(14, 2), f(11, 3), f(7, 4), f(3, 4), f(0, 3))
}

const ISR_EL1: u16 = sysreg(3, 0, 12, 1, 0);
const DAIF: u16 = sysreg(3, 3, 4, 2, 1);
const TPIDRRO_EL0: u16 = sysreg(3, 3, 13, 0, 3);

fn mrs(v: &mut Vcpu, word: u32, pc: u64, reg: u16, rt: u8) -> Step {
    let el0 = v.el1.el == 0;
    if el0 && reg == DAIF && !el0_may_mask(v) {
        return trapped(v, word, pc);
    }
    let value = if let Some(t) = timer_reg(reg) {
        if el0 && !el0_timer_allowed(v, t) {
            return trapped(v, word, pc);
        }
        Some(v.timer.read(t))
    } else if reg == ISR_EL1 && !el0 {
        let g = v.machine.gic();
        Some(((g.cpu_irq_pending(v.index) as u64) << 7) | ((g.cpu_fiq_pending(v.index) as u64) << 6))
    } else if let Some(value) = (!el0 && is_gic_cpu_interface(reg)).then(|| v.machine.gic().read_sysreg(v.index, reg)).flatten() {
        Some(value)
    } else if let Some(value) = (!el0).then(|| idregs::read(v.machine.config.cpu, v.machine.config.gic_version, v.index, reg)).flatten() {
        Some(value)
    } else if let Some(value) = v.el1.read(&v.cpu, reg) {
        Some(value)
    } else if !el0 && is_stored_debug_register(reg) {
        Some(v.debug_regs.get(&reg).copied().unwrap_or(0))
    } else {
        sysregs::read(&mut v.cpu, reg)
    };
    match value {
        Some(value) => {
            v.cpu.set_xzr(rt, value);
            v.cpu.pc = pc + 4;
            Step::Next
        }
        None => {
            if !el0 {
                log_unknown_register(reg, "MRS");
            }
            undefined(v, word, pc)
        }
    }
}

fn msr(v: &mut Vcpu, word: u32, pc: u64, reg: u16, rt: u8) -> Step {
    let el0 = v.el1.el == 0;
    let value = v.cpu.xzr(rt);
    let mut step = Step::Next;
    if el0 && reg == DAIF && !el0_may_mask(v) {
        return trapped(v, word, pc);
    }
    if let Some(t) = timer_reg(reg) {
        if el0 && !el0_timer_allowed(v, t) {
            return trapped(v, word, pc);
        }
        v.timer.write(t, value);
        v.update_timer_lines();
        step = Step::EndSlice;
    } else if !el0 && is_gic_cpu_interface(reg) && v.machine.gic().write_sysreg(v.index, reg, value) {
        // An SGI, an acknowledge or a mask change: look at interrupts now.
        step = Step::EndSlice;
    } else if reg == TPIDRRO_EL0 && !el0 {
        v.cpu.tpidrro_el0 = value;
    } else if el1_write(v, reg, value) {
        // PSTATE, the MMU's registers or the interrupt masks may have
        // changed. (The code caches follow a new translation regime
        // themselves: see `engines::SpaceKey`.)
        v.sync_mmu();
        step = Step::EndSlice;
    } else if !el0 && is_stored_debug_register(reg) {
        v.debug_regs.insert(reg, value);
    } else if !sysregs::write(&mut v.cpu, reg, value) {
        if !el0 {
            log_unknown_register(reg, "MSR");
        }
        return undefined(v, word, pc);
    }
    v.cpu.pc = pc + 4;
    step
}

/// MSR to an EL1 register or PSTATE field; false if it is not one or not
/// writable here.
fn el1_write(v: &mut Vcpu, reg: u16, value: u64) -> bool {
    v.el1.write(&mut v.cpu, reg, value)
}

/// Says once per register that a guest used one Kestrel does not model.
fn log_unknown_register(reg: u16, what: &str) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashSet<(u16, bool)>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if seen.get_or_insert_with(HashSet::new).insert((reg, what == "MRS")) {
        let f = |shift: u16, width: u16| (reg >> shift) & ((1 << width) - 1);
        eprintln!(
            "kestrel-system-aarch64: unimplemented system register {what} S{}_{}_C{}_C{}_{} (undefined instruction)",
            f(14, 2),
            f(11, 3),
            f(7, 4),
            f(3, 4),
            f(0, 3)
        );
    }
}
