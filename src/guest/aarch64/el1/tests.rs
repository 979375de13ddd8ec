//! Exception entry and return against the architecture's rules, and the
//! register file's access checks.

use super::*;

const TCR_EL1: u16 = sysreg(3, 0, 2, 0, 2);

#[test]
fn registers_are_el1_only() {
    let mut cpu = CpuState::default();
    let mut s = El1State::at_reset(true);
    assert!(s.write(&mut cpu, TCR_EL1, 0x1234));
    assert_eq!(s.read(&cpu, TCR_EL1), Some(0x1234));
    assert_eq!(s.read(&cpu, CURRENT_EL), Some(1 << 2));
    assert_eq!(s.read(&cpu, sysreg(3, 0, 9, 9, 7)), None, "not an EL1 register");
    s.el = 0;
    assert_eq!(s.read(&cpu, TCR_EL1), None);
    assert!(!s.write(&mut cpu, TCR_EL1, 0));
    // DAIF: readable at EL0; writable there only with SCTLR_EL1.UMA.
    assert_eq!(s.read(&cpu, DAIF), Some(DAIF_MASK));
    assert!(!s.write(&mut cpu, DAIF, 0));
    s.el = 1;
    assert!(s.write(&mut cpu, SCTLR_EL1, 1 << 9));
    s.el = 0;
    assert!(s.write(&mut cpu, DAIF, 1 << 7 | 0xf000_0000));
    assert_eq!(s.daif, 1 << 7);
}

#[test]
fn stack_pointers_are_banked() {
    let mut cpu = CpuState::default();
    let mut s = El1State::at_reset(true);
    cpu.x[SP] = 0x1000; // SP_EL1, in use
    assert!(s.write(&mut cpu, SP_EL0, 0x2000));
    assert_eq!(cpu.x[SP], 0x1000);
    assert!(s.write(&mut cpu, SPSEL, 0)); // EL1t: SP_EL0 in use
    assert_eq!(cpu.x[SP], 0x2000);
    assert_eq!(s.read(&cpu, SP_EL0), Some(0x2000));
    assert!(s.write(&mut cpu, SPSEL, 1));
    assert_eq!(cpu.x[SP], 0x1000);
}

#[test]
fn exception_from_el0_and_return() {
    let mut cpu = CpuState::default();
    let mut s = El1State::at_reset(true);
    assert!(s.write(&mut cpu, VBAR_EL1, 0xffff_0000_0010_0800));
    cpu.x[SP] = 0xaaaa; // SP_EL1
    // ERET to EL0t with Z and C set, IRQs unmasked.
    assert!(s.write(&mut cpu, SPSR_EL1, 0x6000_0000));
    assert!(s.write(&mut cpu, ELR_EL1, 0x40_0000));
    assert!(s.write(&mut cpu, SP_EL0, 0xbbbb));
    s.eret(&mut cpu);
    assert_eq!((s.el, cpu.pc, cpu.x[SP], s.daif, cpu.nzcv()), (0, 0x40_0000, 0xbbbb, 0, 0x6000_0000));
    assert!(!s.illegal);
    // A data abort from EL0 at 0x40_0004.
    cpu.btype = 2;
    s.take_exception(&mut cpu, ExceptionKind::Sync, 0x40_0004, Some(0x9200_0047), Some(0xdead));
    assert_eq!(cpu.pc, 0xffff_0000_0010_0800 + 0x400);
    assert_eq!((s.el, s.spsel, cpu.x[SP], s.banked_sp), (1, true, 0xaaaa, 0xbbbb));
    assert_eq!(s.get(SPSR_EL1), 0x6000_0000 | 2 << 10, "EL0t, flags, BTYPE");
    assert_eq!((s.get(ELR_EL1), s.get(ESR_EL1), s.get(FAR_EL1)), (0x40_0004, 0x9200_0047, 0xdead));
    assert_eq!((s.daif, s.pan, cpu.btype), (DAIF_MASK, true, 0), "masked, PAN set (SPAN clear), BTYPE cleared");
    // With SCTLR_EL1.SPAN set PAN is left alone.
    assert!(s.write(&mut cpu, SCTLR_EL1, SCTLR_SPAN));
    s.pan = false;
    s.take_exception(&mut cpu, ExceptionKind::Irq, 0x1234, None, None);
    assert!(!s.pan);
    assert_eq!(cpu.pc, 0xffff_0000_0010_0800 + 0x280, "IRQ from EL1h");
    assert_eq!(s.get(SPSR_EL1) & 0xf, 0b0101);
    assert_eq!(s.get(ESR_EL1), 0x9200_0047, "an IRQ leaves ESR alone");
}

#[test]
fn vectors_for_el1t_and_illegal_returns() {
    let mut cpu = CpuState::default();
    let mut s = El1State::at_reset(true);
    assert!(s.write(&mut cpu, SPSEL, 0));
    s.take_exception(&mut cpu, ExceptionKind::Fiq, 0, None, None);
    assert_eq!(cpu.pc, 0x100, "FIQ from EL1t");
    assert_eq!(s.get(SPSR_EL1) & 0xf, 0b0100);
    s.take_exception(&mut cpu, ExceptionKind::SError, 0, None, None);
    assert_eq!(cpu.pc, 0x380, "SError from EL1h");
    // A return to EL2 is illegal: PSTATE is kept, IL set.
    assert!(s.write(&mut cpu, SPSR_EL1, 0b1001));
    assert!(s.write(&mut cpu, ELR_EL1, 0x5000));
    s.eret(&mut cpu);
    assert!(s.illegal);
    assert_eq!((s.el, cpu.pc), (1, 0x5000));
}
