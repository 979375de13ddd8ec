//! Register-level tests of the GICv3 model.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

const GICD_CTLR: u64 = 0x0000;
const GICD_TYPER: u64 = 0x0004;
const GICD_IIDR: u64 = 0x0008;
const GICD_IGROUPR: u64 = 0x0080;
const GICD_ISENABLER: u64 = 0x0100;
const GICD_ICENABLER: u64 = 0x0180;
const GICD_ISPENDR: u64 = 0x0200;
const GICD_ICPENDR: u64 = 0x0280;
const GICD_ISACTIVER: u64 = 0x0300;
const GICD_ICACTIVER: u64 = 0x0380;
const GICD_IPRIORITYR: u64 = 0x0400;
const GICD_ICFGR: u64 = 0x0c00;
const GICD_IGRPMODR: u64 = 0x0d00;
const GICD_IROUTER: u64 = 0x6000;
const GICD_PIDR2: u64 = 0xffe8;

const GICR_CTLR: u64 = 0x0000;
const GICR_IIDR: u64 = 0x0004;
const GICR_TYPER: u64 = 0x0008;
const GICR_WAKER: u64 = 0x0014;
const GICR_PIDR2: u64 = 0xffe8;
const GICR_IGROUPR0: u64 = SGI_FRAME + 0x0080;
const GICR_ISENABLER0: u64 = SGI_FRAME + 0x0100;
const GICR_ICENABLER0: u64 = SGI_FRAME + 0x0180;
const GICR_ISPENDR0: u64 = SGI_FRAME + 0x0200;
const GICR_ICPENDR0: u64 = SGI_FRAME + 0x0280;
const GICR_ISACTIVER0: u64 = SGI_FRAME + 0x0300;
const GICR_ICACTIVER0: u64 = SGI_FRAME + 0x0380;
const GICR_IPRIORITYR: u64 = SGI_FRAME + 0x0400;
const GICR_ICFGR0: u64 = SGI_FRAME + 0x0c00;
const GICR_ICFGR1: u64 = SGI_FRAME + 0x0c04;
const GICR_IGRPMODR0: u64 = SGI_FRAME + 0x0d00;

const IROUTER_ANY: u64 = 1 << 31;

/// The offset of CPU `cpu`'s copy of redistributor register `reg`.
fn rd(cpu: usize, reg: u64) -> u64 {
    cpu as u64 * REDIST_STRIDE + reg
}

/// A GIC set up as Linux leaves it: distributor enabled for both groups,
/// every redistributor awake, every CPU interface with both groups
/// enabled and the priority mask fully open. Interrupts are Group 1.
fn gic(cpus: usize) -> GicV3 {
    let mut g = GicV3::new(cpus, 32 + 256);
    g.dist_write(0, GICD_CTLR, 4, 0x13);
    for spi_word in 1..9 {
        g.dist_write(0, GICD_IGROUPR + spi_word * 4, 4, 0xffff_ffff);
    }
    for cpu in 0..cpus {
        g.redist_write(rd(cpu, GICR_WAKER), 4, 0);
        g.redist_write(rd(cpu, GICR_IGROUPR0), 4, 0xffff_ffff);
        assert!(g.write_sysreg(cpu, icc::PMR_EL1, 0xff));
        assert!(g.write_sysreg(cpu, icc::IGRPEN0_EL1, 1));
        assert!(g.write_sysreg(cpu, icc::IGRPEN1_EL1, 1));
    }
    g
}

/// Enables `intid` at `priority`: SGIs and PPIs in `cpu`'s
/// redistributor, SPIs in the distributor routed to `cpu`.
fn enable(g: &mut GicV3, cpu: usize, intid: u64, priority: u8) {
    if intid < 32 {
        g.redist_write(rd(cpu, GICR_ISENABLER0), 4, 1 << intid);
        g.redist_write(rd(cpu, GICR_IPRIORITYR + intid), 1, u64::from(priority));
    } else {
        g.dist_write(cpu, GICD_ISENABLER + intid / 32 * 4, 4, 1 << (intid % 32));
        g.dist_write(cpu, GICD_IPRIORITYR + intid, 1, u64::from(priority));
        g.dist_write(cpu, GICD_IROUTER + intid * 8, 8, u64::from(affinity(cpu)));
    }
}

fn sysreg(g: &mut GicV3, cpu: usize, reg: u16) -> u64 {
    g.read_sysreg(cpu, reg).expect("readable ICC register")
}

fn iar1(g: &mut GicV3, cpu: usize) -> u32 {
    sysreg(g, cpu, icc::IAR1_EL1) as u32
}

fn eoir1(g: &mut GicV3, cpu: usize, intid: u32) {
    assert!(g.write_sysreg(cpu, icc::EOIR1_EL1, u64::from(intid)));
}

fn rpr(g: &mut GicV3, cpu: usize) -> u64 {
    sysreg(g, cpu, icc::RPR_EL1)
}

#[test]
fn identification_registers() {
    let mut g = GicV3::new(2, 32 + 256);
    let dist: &[(u64, u8, u64)] = &[
        // ITLinesNumber 7, CPUNumber 1, IDbits 9, A3V.
        (GICD_TYPER, 4, 7 | (1 << 5) | (9 << 19) | (1 << 24)),
        // ARE and DS read as one, both groups disabled, RWP clear.
        (GICD_CTLR, 4, 0x50),
        (GICD_IIDR, 4, 0x43b),
        (0x000c, 4, 0), // GICD_TYPER2
        (GICD_PIDR2, 4, 0x3b),
        (0xffe0, 4, 0x92),
        (0xffd0, 4, 0x44),
        (0xfff0, 4, 0x0d),
        (0xfffc, 4, 0xb1),
        (0xfffc, 8, 0),
        (u64::MAX, 4, 0),
    ];
    for &(offset, size, want) in dist {
        assert_eq!(g.dist_read(0, offset, size), want, "GICD+{offset:#x}");
    }
    let redist: &[(u64, u8, u64)] = &[
        (GICR_PIDR2, 4, 0x3b),
        (0xffe0, 4, 0x93),
        (GICR_IIDR, 4, 0x43b),
        (GICR_CTLR, 4, 0),
        // SGIs are edge-triggered, PPIs level by default.
        (GICR_ICFGR0, 4, 0xaaaa_aaaa),
        (GICR_ICFGR1, 4, 0),
    ];
    for &(offset, size, want) in redist {
        assert_eq!(g.redist_read(offset, size), want, "GICR+{offset:#x}");
    }
    assert_eq!(GicV3::new(1, 64).dist_read(0, GICD_TYPER, 4) & 0xff, 0);
    // Out-of-range construction is clamped, never refused.
    let mut big = GicV3::new(999, 9999);
    assert_eq!(big.num_cpus(), MAX_CPUS);
    assert_eq!(big.dist_read(0, GICD_TYPER, 4) & 0xff, 29 | (7 << 5));
}

#[test]
fn distributor_ctlr_keeps_only_the_group_enables() {
    let mut g = GicV3::new(1, 64);
    g.dist_write(0, GICD_CTLR, 4, 0);
    assert_eq!(g.dist_read(0, GICD_CTLR, 4), 0x50, "ARE is RAO/WI");
    g.dist_write(0, GICD_CTLR, 4, 0x8000_00ff);
    assert_eq!(g.dist_read(0, GICD_CTLR, 4), 0x53);
    g.dist_write(0, GICD_CTLR, 4, 0x12);
    assert_eq!(g.dist_read(0, GICD_CTLR, 4), 0x52);
}

#[test]
fn redistributor_typer_names_each_cpu_and_the_last() {
    let mut g = GicV3::new(10, 288);
    for cpu in 0..10 {
        let typer = g.redist_read(rd(cpu, GICR_TYPER), 8);
        let aff = ((cpu as u64 / 8) << 8) | (cpu as u64 % 8);
        assert_eq!(typer >> 32, aff, "cpu {cpu} affinity");
        assert_eq!((typer >> 8) & 0xffff, cpu as u64, "cpu {cpu} processor number");
        assert_eq!((typer >> 4) & 1, u64::from(cpu == 9), "cpu {cpu} Last");
        assert_eq!(typer & 0xf, 0, "no LPIs");
        // 32-bit halves say the same.
        let lo = g.redist_read(rd(cpu, GICR_TYPER), 4);
        let hi = g.redist_read(rd(cpu, GICR_TYPER + 4), 4);
        assert_eq!(lo | (hi << 32), typer);
        assert_eq!(g.redist_read(rd(cpu, GICR_PIDR2), 4), 0x3b);
    }
    // Past the last CPU everything reads as zero, as Linux's walk expects.
    assert_eq!(g.redist_read(rd(10, GICR_TYPER), 8), 0);
    assert_eq!(g.redist_read(rd(10, GICR_PIDR2), 4), 0);
    let mut one = GicV3::new(1, 288);
    assert_eq!(one.redist_read(GICR_TYPER, 8), 1 << 4);
}

#[test]
fn waker_children_asleep_follows_processor_sleep() {
    let mut g = GicV3::new(2, 288);
    assert_eq!(g.redist_read(GICR_WAKER, 4), 6, "asleep out of reset");
    g.redist_write(GICR_WAKER, 4, 0);
    assert_eq!(g.redist_read(GICR_WAKER, 4), 0);
    assert_eq!(g.redist_read(rd(1, GICR_WAKER), 4), 6, "per CPU");
    g.redist_write(GICR_WAKER, 4, 2);
    assert_eq!(g.redist_read(GICR_WAKER, 4), 6);
    g.redist_write(GICR_WAKER, 4, 4 | 1);
    assert_eq!(g.redist_read(GICR_WAKER, 4), 0, "only ProcessorSleep is writable");
}

#[test]
fn cpu_interface_registers() {
    let mut g = GicV3::new(1, 288);
    assert_eq!(sysreg(&mut g, 0, icc::SRE_EL1), 7);
    assert!(g.write_sysreg(0, icc::SRE_EL1, 0));
    assert_eq!(sysreg(&mut g, 0, icc::SRE_EL1), 7, "writes ignored");
    // PRIbits 4 (5 bits), IDbits 0, A3V; EOImode and CBPR writable.
    assert_eq!(sysreg(&mut g, 0, icc::CTLR_EL1), (4 << 8) | (1 << 15));
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 0xffff_ffff));
    assert_eq!(sysreg(&mut g, 0, icc::CTLR_EL1), (4 << 8) | (1 << 15) | 0x43);
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 0));
    // Five priority bits: the low three of PMR are RAZ/WI.
    assert!(g.write_sysreg(0, icc::PMR_EL1, 0xff));
    assert_eq!(sysreg(&mut g, 0, icc::PMR_EL1), 0xf8);
    assert!(g.write_sysreg(0, icc::PMR_EL1, 8));
    assert_eq!(sysreg(&mut g, 0, icc::PMR_EL1), 8, "Linux's group 0 probe");
    // Binary points saturate at their minimum.
    assert_eq!(sysreg(&mut g, 0, icc::BPR0_EL1), 2);
    assert_eq!(sysreg(&mut g, 0, icc::BPR1_EL1), 3);
    assert!(g.write_sysreg(0, icc::BPR1_EL1, 0));
    assert_eq!(sysreg(&mut g, 0, icc::BPR1_EL1), 3);
    assert!(g.write_sysreg(0, icc::BPR1_EL1, 5));
    assert_eq!(sysreg(&mut g, 0, icc::BPR1_EL1), 5);
    // With CBPR, BPR1 reads as BPR0 + 1 and ignores writes.
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 1));
    assert!(g.write_sysreg(0, icc::BPR0_EL1, 4));
    assert!(g.write_sysreg(0, icc::BPR1_EL1, 7));
    assert_eq!(sysreg(&mut g, 0, icc::BPR1_EL1), 5);
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 0));
    assert_eq!(sysreg(&mut g, 0, icc::BPR1_EL1), 5);
    // Group enables are one bit.
    assert!(g.write_sysreg(0, icc::IGRPEN1_EL1, 3));
    assert_eq!(sysreg(&mut g, 0, icc::IGRPEN1_EL1), 1);
    assert_eq!(sysreg(&mut g, 0, icc::IGRPEN0_EL1), 0);
    assert_eq!(rpr(&mut g, 0), 0xff, "idle priority");
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
    assert_eq!(sysreg(&mut g, 0, icc::HPPIR0_EL1), u64::from(SPURIOUS));
    // Write-only registers are undefined to read; read-only ones ignore
    // writes; other registers (VBAR_EL1, ISR_EL1 share CRn 12) are not
    // the GIC's.
    for reg in [icc::EOIR0_EL1, icc::EOIR1_EL1, icc::DIR_EL1, icc::SGI0R_EL1, icc::SGI1R_EL1, icc::ASGI1R_EL1] {
        assert_eq!(g.read_sysreg(0, reg), None, "{reg:#x}");
    }
    for reg in [icc::IAR0_EL1, icc::IAR1_EL1, icc::HPPIR0_EL1, icc::HPPIR1_EL1, icc::RPR_EL1] {
        assert!(g.write_sysreg(0, reg, 0x55), "{reg:#x}");
    }
    assert_eq!(sysreg(&mut g, 0, icc::PMR_EL1), 8);
    use kestrel::guest::aarch64::sysregs::sysreg as enc;
    for reg in [enc(3, 0, 12, 0, 0), enc(3, 0, 12, 1, 0), enc(3, 0, 4, 6, 1)] {
        assert_eq!(g.read_sysreg(0, reg), None, "{reg:#x}");
        assert!(!g.write_sysreg(0, reg, 0), "{reg:#x}");
    }
    // A CPU that does not exist has no registers.
    assert_eq!(g.read_sysreg(1, icc::PMR_EL1), None);
    assert!(!g.write_sysreg(1, icc::PMR_EL1, 0));
    // Active priority registers past the first are RAZ/WI.
    for reg in [icc::AP0R1_EL1, icc::AP0R3_EL1, icc::AP1R1_EL1, icc::AP1R3_EL1] {
        assert!(g.write_sysreg(0, reg, u64::MAX));
        assert_eq!(g.read_sysreg(0, reg), Some(0));
    }
}

#[test]
fn level_spi_routed_to_cpu1_asserts_only_cpu1() {
    let mut g = gic(2);
    enable(&mut g, 1, 40, 0x80);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 40 * 8, 8), 1);
    g.set_spi(40, true);
    assert!(g.cpu_irq_pending(1));
    assert!(!g.cpu_irq_pending(0));
    assert!(!g.cpu_fiq_pending(1));
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
    assert_eq!(sysreg(&mut g, 1, icc::HPPIR1_EL1), 40);
    assert_eq!(iar1(&mut g, 1), 40);
    assert!(!g.cpu_irq_pending(1), "active and pending is not signalled");
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 1 << 8);
    assert_eq!(g.dist_read(0, GICD_ISPENDR + 4, 4), 1 << 8, "line still high");
    g.set_spi(40, false);
    eoir1(&mut g, 1, 40);
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 0);
    assert!(!g.cpu_irq_pending(1));
    // Rerouted to CPU 0 by a 32-bit write of the low half.
    g.dist_write(0, GICD_IROUTER + 40 * 8, 4, 0);
    g.set_spi(40, true);
    assert!(g.cpu_irq_pending(0));
    assert!(!g.cpu_irq_pending(1));
    // An affinity naming no CPU routes nowhere.
    g.dist_write(0, GICD_IROUTER + 40 * 8 + 4, 4, 1);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 40 * 8, 8), 1 << 32);
    assert!(!g.cpu_irq_pending(0) && !g.cpu_irq_pending(1));
    g.dist_write(0, GICD_IROUTER + 40 * 8, 8, 7);
    assert!(!g.cpu_irq_pending(0) && !g.cpu_irq_pending(1));
}

#[test]
fn irouter_keeps_its_defined_bits_and_skips_private_ids() {
    let mut g = gic(1);
    g.dist_write(0, GICD_IROUTER + 33 * 8, 8, u64::MAX);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 33 * 8, 8), 0xff_80ff_ffff);
    g.dist_write(0, GICD_IROUTER + 33 * 8 + 2, 1, 0x12);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 33 * 8, 4), 0x8012_ffff);
    // IROUTER<n> for n < 32 is reserved; past the lines it is RAZ/WI.
    g.dist_write(0, GICD_IROUTER + 8, 8, 1);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 8, 8), 0);
    g.dist_write(0, GICD_IROUTER + 300 * 8, 8, 1);
    assert_eq!(g.dist_read(0, GICD_IROUTER + 300 * 8, 8), 0);
}

#[test]
fn one_of_n_goes_to_a_participating_cpu() {
    let mut g = gic(3);
    enable(&mut g, 0, 50, 0x80);
    g.dist_write(0, GICD_IROUTER + 50 * 8, 8, IROUTER_ANY);
    // CPU 0 is busy at a higher priority: the SPI goes to CPU 1.
    enable(&mut g, 0, 51, 0x10);
    g.set_spi(51, true);
    assert_eq!(iar1(&mut g, 0), 51);
    g.set_spi(50, true);
    assert!(!g.cpu_irq_pending(0));
    assert!(g.cpu_irq_pending(1));
    assert!(!g.cpu_irq_pending(2), "delivered to one CPU only");
    // CPU 1 stops participating (Group 1 disabled): CPU 2 gets it.
    assert!(g.write_sysreg(1, icc::IGRPEN1_EL1, 0));
    assert!(!g.cpu_irq_pending(1));
    assert!(g.cpu_irq_pending(2));
    // So does a sleeping redistributor.
    assert!(g.write_sysreg(1, icc::IGRPEN1_EL1, 1));
    g.redist_write(rd(1, GICR_WAKER), 4, 2);
    assert!(g.cpu_irq_pending(2));
    assert_eq!(iar1(&mut g, 1), SPURIOUS);
    assert_eq!(iar1(&mut g, 2), 50);
    assert!(!g.cpu_irq_pending(0) && !g.cpu_irq_pending(1) && !g.cpu_irq_pending(2));
}

#[test]
fn priority_mask_and_preemption() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    enable(&mut g, 0, 33, 0x40);
    enable(&mut g, 0, 34, 0x80);
    assert!(g.write_sysreg(0, icc::PMR_EL1, 0x80));
    g.set_spi(32, true);
    assert!(!g.cpu_irq_pending(0), "0x80 is not above PMR 0x80");
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
    assert_eq!(sysreg(&mut g, 0, icc::HPPIR1_EL1), 32, "HPPIR ignores the mask");
    assert!(g.write_sysreg(0, icc::PMR_EL1, 0xf0));
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar1(&mut g, 0), 32);
    assert_eq!(rpr(&mut g, 0), 0x80);
    assert_eq!(sysreg(&mut g, 0, icc::AP1R0_EL1), 1 << 16);
    // Same priority does not preempt; higher does.
    g.set_spi(34, true);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
    g.set_spi(33, true);
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar1(&mut g, 0), 33);
    assert_eq!(rpr(&mut g, 0), 0x40);
    assert_eq!(sysreg(&mut g, 0, icc::AP1R0_EL1), (1 << 16) | (1 << 8));
    g.set_spi(33, false);
    eoir1(&mut g, 0, 33);
    assert_eq!(rpr(&mut g, 0), 0x80);
    g.set_spi(32, false);
    eoir1(&mut g, 0, 32);
    assert_eq!(rpr(&mut g, 0), 0xff);
    assert_eq!(iar1(&mut g, 0), 34);
}

#[test]
fn binary_point_limits_preemption() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    enable(&mut g, 0, 33, 0x70);
    g.set_spi(32, true);
    assert_eq!(iar1(&mut g, 0), 32);
    g.set_spi(33, true);
    assert!(g.cpu_irq_pending(0), "BPR1 3: 0x70 preempts 0x80");
    // BPR1 5 keeps group priority bits [7:5]: 0x70 and 0x80 are apart
    // but 0x70 falls in group 0x60, still above 0x80.
    assert!(g.write_sysreg(0, icc::BPR1_EL1, 5));
    assert!(g.cpu_irq_pending(0));
    // BPR1 7 keeps bit 7 only: 0x70 (group 0) still preempts 0x80.
    // Make the running one 0x70 instead and 0x80 never preempts.
    assert!(g.write_sysreg(0, icc::BPR1_EL1, 7));
    g.dist_write(0, GICD_IPRIORITYR + 33, 1, 0x90);
    assert!(!g.cpu_irq_pending(0), "0x90 below the running 0x80");
    g.dist_write(0, GICD_IPRIORITYR + 33, 1, 0x60);
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar1(&mut g, 0), 33);
    assert_eq!(rpr(&mut g, 0), 0, "group priority of 0x60 with BPR1 7");
}

#[test]
fn level_ppi_still_high_is_pending_again_after_deactivation() {
    let mut g = gic(2);
    enable(&mut g, 1, 27, 0x80);
    g.set_ppi(0, 27, true);
    assert!(!g.cpu_irq_pending(0), "disabled on CPU 0");
    g.set_ppi(1, 27, true);
    assert!(g.cpu_irq_pending(1));
    assert_eq!(g.redist_read(rd(1, GICR_ISPENDR0), 4), 1 << 27);
    assert_eq!(g.redist_read(rd(0, GICR_ISPENDR0), 4), 1 << 27, "pending, just disabled");
    assert_eq!(iar1(&mut g, 1), 27);
    assert_eq!(rpr(&mut g, 1), 0x80);
    assert_eq!(g.redist_read(rd(1, GICR_ISACTIVER0), 4), 1 << 27);
    assert!(!g.cpu_irq_pending(1));
    eoir1(&mut g, 1, 27);
    assert_eq!(g.redist_read(rd(1, GICR_ISACTIVER0), 4), 0);
    assert!(g.cpu_irq_pending(1), "line still high");
    assert_eq!(iar1(&mut g, 1), 27);
    g.set_ppi(1, 27, false);
    eoir1(&mut g, 1, 27);
    assert!(!g.cpu_irq_pending(1));
    assert_eq!(iar1(&mut g, 1), SPURIOUS);
    // Priorities are banked too.
    assert_eq!(g.redist_read(rd(1, GICR_IPRIORITYR + 24), 4), 0x80 << 24);
    assert_eq!(g.redist_read(rd(0, GICR_IPRIORITYR + 24), 4), 0);
}

#[test]
fn split_eoi_and_deactivate() {
    let mut g = gic(1);
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 2));
    enable(&mut g, 0, 27, 0x80);
    g.set_ppi(0, 27, true);
    assert_eq!(iar1(&mut g, 0), 27);
    eoir1(&mut g, 0, 27);
    assert_eq!(rpr(&mut g, 0), 0xff, "priority dropped");
    assert_eq!(g.redist_read(GICR_ISACTIVER0, 4), 1 << 27, "still active");
    assert!(!g.cpu_irq_pending(0));
    assert!(g.write_sysreg(0, icc::DIR_EL1, 27));
    assert_eq!(g.redist_read(GICR_ISACTIVER0, 4), 0);
    assert!(g.cpu_irq_pending(0));
    // Without EOImode, DIR does nothing.
    assert!(g.write_sysreg(0, icc::CTLR_EL1, 0));
    assert_eq!(iar1(&mut g, 0), 27);
    assert!(g.write_sysreg(0, icc::DIR_EL1, 27));
    assert_eq!(g.redist_read(GICR_ISACTIVER0, 4), 1 << 27);
}

#[test]
fn eoi_of_the_wrong_group_or_a_special_intid_is_ignored() {
    let mut g = gic(1);
    enable(&mut g, 0, 40, 0x80);
    g.set_spi(40, true);
    assert_eq!(iar1(&mut g, 0), 40);
    assert!(g.write_sysreg(0, icc::EOIR0_EL1, 40));
    assert_eq!(rpr(&mut g, 0), 0x80, "Group 0 EOI with a Group 1 active");
    eoir1(&mut g, 0, 1023);
    assert_eq!(rpr(&mut g, 0), 0x80);
    eoir1(&mut g, 0, 40);
    assert_eq!(rpr(&mut g, 0), 0xff);
    // Nothing active: an EOI is ignored.
    eoir1(&mut g, 0, 40);
    assert_eq!(rpr(&mut g, 0), 0xff);
}

#[test]
fn active_priority_registers_can_be_restored() {
    let mut g = gic(1);
    enable(&mut g, 0, 40, 0x80);
    assert!(g.write_sysreg(0, icc::AP1R0_EL1, 1 << 8));
    assert_eq!(rpr(&mut g, 0), 0x40);
    g.set_spi(40, true);
    assert!(!g.cpu_irq_pending(0), "0x80 does not preempt 0x40");
    assert!(g.write_sysreg(0, icc::AP1R0_EL1, 0));
    assert!(g.cpu_irq_pending(0));
}

#[test]
fn sgi1r_target_list_and_irm() {
    let mut g = gic(10);
    for cpu in 0..10 {
        enable(&mut g, cpu, 3, 0x20);
    }
    // CPU 0 sends SGI 3 to Aff1 = 1 (CPUs 8, 9), target list {1}: CPU 9.
    let sgi = |intid: u64, aff1: u64, list: u64| (intid << 24) | (aff1 << 16) | list;
    assert!(g.write_sysreg(0, icc::SGI1R_EL1, sgi(3, 1, 0b10)));
    let pending: Vec<usize> = (0..10).filter(|&c| g.cpu_irq_pending(c)).collect();
    assert_eq!(pending, [9]);
    assert_eq!(g.redist_read(rd(9, GICR_ISPENDR0), 4), 1 << 3);
    assert_eq!(iar1(&mut g, 9), 3, "no source CPU in the INTID");
    eoir1(&mut g, 9, 3);
    // Target list {0, 2, 5} in cluster 0.
    assert!(g.write_sysreg(4, icc::SGI1R_EL1, sgi(3, 0, 0b100101)));
    let pending: Vec<usize> = (0..10).filter(|&c| g.cpu_irq_pending(c)).collect();
    assert_eq!(pending, [0, 2, 5]);
    for cpu in [0, 2, 5] {
        assert_eq!(iar1(&mut g, cpu), 3);
        eoir1(&mut g, cpu, 3);
    }
    // Targets that do not exist (Aff0 8+, Aff2, cluster 2) are dropped.
    assert!(g.write_sysreg(0, icc::SGI1R_EL1, sgi(3, 0, 0xff00)));
    assert!(g.write_sysreg(0, icc::SGI1R_EL1, sgi(3, 0, 1) | (1 << 32)));
    assert!(g.write_sysreg(0, icc::SGI1R_EL1, sgi(3, 2, 1)));
    assert!((0..10).all(|c| !g.cpu_irq_pending(c)));
    // IRM: everyone but the sender, whatever the target list.
    assert!(g.write_sysreg(8, icc::SGI1R_EL1, (1 << 40) | sgi(3, 0, 0)));
    let pending: Vec<usize> = (0..10).filter(|&c| g.cpu_irq_pending(c)).collect();
    assert_eq!(pending, [0, 1, 2, 3, 4, 5, 6, 7, 9]);
    // SGI pending state can be cleared and set through the redistributor.
    g.redist_write(rd(0, GICR_ICPENDR0), 4, 1 << 3);
    assert!(!g.cpu_irq_pending(0));
    g.redist_write(rd(8, GICR_ISPENDR0), 4, 1 << 3);
    assert!(g.cpu_irq_pending(8));
}

#[test]
fn sgis_need_their_enable_and_matching_group() {
    let mut g = gic(2);
    // SGI enables are ordinary bits under GICv3.
    assert_eq!(g.redist_read(GICR_ISENABLER0, 4), 0);
    assert!(g.write_sysreg(1, icc::SGI1R_EL1, (5 << 24) | 1));
    assert!(!g.cpu_irq_pending(0), "disabled");
    g.redist_write(GICR_ISENABLER0, 4, 1 << 5);
    assert!(g.cpu_irq_pending(0), "pending while disabled");
    assert_eq!(iar1(&mut g, 0), 5);
    eoir1(&mut g, 0, 5);
    g.redist_write(GICR_ICENABLER0, 4, 1 << 5);
    assert_eq!(g.redist_read(GICR_ISENABLER0, 4), 0);
    // SGI 6 in Group 0: SGI1R leaves it alone, SGI0R and ASGI1R raise it.
    enable(&mut g, 0, 6, 0x80);
    g.redist_write(GICR_IGROUPR0, 4, !(1u64 << 6) & 0xffff_ffff);
    assert!(g.write_sysreg(1, icc::SGI1R_EL1, (6 << 24) | 1));
    assert!(!g.cpu_fiq_pending(0) && !g.cpu_irq_pending(0));
    assert!(g.write_sysreg(1, icc::SGI0R_EL1, (6 << 24) | 1));
    assert!(g.cpu_fiq_pending(0));
    assert_eq!(sysreg(&mut g, 0, icc::IAR0_EL1), 6);
    assert!(g.write_sysreg(0, icc::EOIR0_EL1, 6));
    assert!(g.write_sysreg(1, icc::ASGI1R_EL1, (6 << 24) | 1));
    assert!(g.cpu_fiq_pending(0));
    // SGIs stay edge-triggered.
    g.redist_write(GICR_ICFGR0, 4, 0);
    assert_eq!(g.redist_read(GICR_ICFGR0, 4), 0xaaaa_aaaa);
}

#[test]
fn group0_is_signalled_as_fiq() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    enable(&mut g, 0, 33, 0x90);
    g.dist_write(0, GICD_IGROUPR + 4, 4, !1u64 & 0xffff_ffff); // 32 in Group 0
    g.set_spi(32, true);
    g.set_spi(33, true);
    assert!(g.cpu_fiq_pending(0));
    assert!(!g.cpu_irq_pending(0), "only the highest is signalled");
    // IAR1 cannot take a Group 0 interrupt.
    assert_eq!(sysreg(&mut g, 0, icc::HPPIR1_EL1), u64::from(SPURIOUS));
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
    assert_eq!(sysreg(&mut g, 0, icc::HPPIR0_EL1), 32);
    assert_eq!(sysreg(&mut g, 0, icc::IAR0_EL1), 32);
    assert_eq!(sysreg(&mut g, 0, icc::AP0R0_EL1), 1 << 16);
    assert!(!g.cpu_fiq_pending(0));
    assert!(!g.cpu_irq_pending(0), "0x90 does not preempt 0x80");
    g.set_spi(32, false);
    assert!(g.write_sysreg(0, icc::EOIR0_EL1, 32));
    assert!(g.cpu_irq_pending(0));
    // Group 0 disabled in the CPU interface or the distributor: silent.
    g.dist_write(0, GICD_ISPENDR + 4, 4, 1);
    assert!(g.cpu_fiq_pending(0));
    assert!(g.write_sysreg(0, icc::IGRPEN0_EL1, 0));
    assert!(!g.cpu_fiq_pending(0));
    assert!(g.cpu_irq_pending(0), "33 is the best enabled one now");
    assert!(g.write_sysreg(0, icc::IGRPEN0_EL1, 1));
    g.dist_write(0, GICD_CTLR, 4, 0x12);
    assert!(!g.cpu_fiq_pending(0));
    assert!(g.cpu_irq_pending(0));
    g.dist_write(0, GICD_CTLR, 4, 0x10);
    assert!(!g.cpu_irq_pending(0));
    // Group modifiers are RAZ/WI with DS = 1.
    g.dist_write(0, GICD_IGRPMODR + 4, 4, 0xffff_ffff);
    assert_eq!(g.dist_read(0, GICD_IGRPMODR + 4, 4), 0);
    g.redist_write(GICR_IGRPMODR0, 4, 0xffff_ffff);
    assert_eq!(g.redist_read(GICR_IGRPMODR0, 4), 0);
}

#[test]
fn edge_spi_and_pending_active_bitmaps() {
    let mut g = gic(1);
    enable(&mut g, 0, 34, 0x80);
    g.dist_write(0, GICD_ICFGR + 8, 4, 2 << 4); // INTID 34: edge
    assert_eq!(g.dist_read(0, GICD_ICFGR + 8, 4), 2 << 4);
    g.set_spi(34, true);
    assert_eq!(iar1(&mut g, 0), 34);
    eoir1(&mut g, 0, 34);
    assert!(!g.cpu_irq_pending(0), "a held line is one edge");
    g.set_spi(34, false);
    g.set_spi(34, true);
    assert!(g.cpu_irq_pending(0));
    // A disabled interrupt keeps its pending state but is not signalled.
    g.dist_write(0, GICD_ICENABLER + 4, 4, 1 << 2);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(g.dist_read(0, GICD_ISPENDR + 4, 4), 1 << 2);
    g.dist_write(0, GICD_ICPENDR + 4, 4, 1 << 2);
    assert_eq!(g.dist_read(0, GICD_ICPENDR + 4, 4), 0);
    g.dist_write(0, GICD_ISENABLER + 4, 4, 1 << 2);
    assert!(!g.cpu_irq_pending(0));
    // Software-set pending and active.
    g.dist_write(0, GICD_ISPENDR + 4, 4, 1 << 2);
    assert!(g.cpu_irq_pending(0));
    g.dist_write(0, GICD_ISACTIVER + 4, 4, 1 << 2);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(g.dist_read(0, GICD_ICACTIVER + 4, 4), 1 << 2);
    g.dist_write(0, GICD_ICACTIVER + 4, 4, 1 << 2);
    assert_eq!(iar1(&mut g, 0), 34);
    // The same on the redistributor for a PPI.
    enable(&mut g, 0, 20, 0x80);
    g.redist_write(GICR_ICFGR1, 4, 2 << 8); // INTID 20: edge
    assert_eq!(g.redist_read(GICR_ICFGR1, 4), 2 << 8);
    g.set_ppi(0, 20, true);
    g.redist_write(GICR_ISACTIVER0, 4, 1 << 20);
    assert_eq!(g.redist_read(GICR_ICACTIVER0, 4), 1 << 20);
    g.redist_write(GICR_ICACTIVER0, 4, 1 << 20);
    assert_eq!(g.redist_read(GICR_ISPENDR0, 4), 1 << 20);
}

#[test]
fn distributor_leaves_private_interrupts_to_the_redistributors() {
    let mut g = gic(1);
    for reg in [GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER, GICD_IPRIORITYR, GICD_ICFGR] {
        g.dist_write(0, reg, 4, 0xffff_ffff);
        assert_eq!(g.dist_read(0, reg, 4), 0, "GICD+{reg:#x}");
    }
    assert_eq!(g.redist_read(GICR_ISENABLER0, 4), 0);
    assert_eq!(g.redist_read(GICR_ISPENDR0, 4), 0);
    assert_eq!(g.redist_read(GICR_IGROUPR0, 4), 0xffff_ffff);
    // Bits past the implemented lines are RAZ/WI.
    g.dist_write(0, GICD_ISENABLER + 36, 4, 0xffff_ffff);
    assert_eq!(g.dist_read(0, GICD_ISENABLER + 36, 4), 0);
    assert_eq!(g.dist_read(0, GICD_ISENABLER + 32, 4), 0);
    g.dist_write(0, GICD_ISENABLER + 32, 4, 0xffff_ffff);
    assert_eq!(g.dist_read(0, GICD_ISENABLER + 32, 4), 0xffff_ffff, "INTIDs 256..287");
}

#[test]
fn priority_bytes_and_words() {
    let mut g = gic(1);
    g.dist_write(0, GICD_IPRIORITYR + 32, 4, 0x1122_3344);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 33, 1), 0x33);
    g.dist_write(0, GICD_IPRIORITYR + 34, 1, 0xff);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 32, 4), 0x11ff_3344);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 32, 2), 0x3344);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 32, 8), 0x11ff_3344);
    g.redist_write(GICR_IPRIORITYR + 5, 1, 0xa0);
    assert_eq!(g.redist_read(GICR_IPRIORITYR + 4, 4), 0xa000);
}

#[test]
fn ties_go_to_the_lowest_intid() {
    let mut g = gic(1);
    for id in [50, 45, 60, 30] {
        enable(&mut g, 0, id, 0x90);
    }
    for id in [50, 45, 60] {
        g.set_spi(id as u32, true);
    }
    assert_eq!(iar1(&mut g, 0), 45);
    g.set_ppi(0, 30, true);
    assert_eq!(sysreg(&mut g, 0, icc::HPPIR1_EL1), 30);
}

#[test]
fn notifier_hears_output_changes() {
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mut g = gic(2);
    g.set_notifier(Box::new(move |cpu| {
        seen.fetch_add(1 + cpu * 10, Ordering::SeqCst);
    }));
    enable(&mut g, 1, 32, 0x80);
    g.set_spi(32, true);
    assert_eq!(calls.load(Ordering::SeqCst), 11, "CPU 1 rose");
    g.set_spi(32, true);
    assert_eq!(calls.load(Ordering::SeqCst), 11, "no change, no call");
    assert_eq!(iar1(&mut g, 1), 32);
    assert_eq!(calls.load(Ordering::SeqCst), 22, "CPU 1 fell");
    eoir1(&mut g, 1, 32);
    assert_eq!(calls.load(Ordering::SeqCst), 33, "line still high: rose again");
    // An SGI to CPU 0 and a PMR change are heard too.
    enable(&mut g, 0, 1, 0x80);
    assert!(g.write_sysreg(1, icc::SGI1R_EL1, (1 << 24) | 1));
    assert_eq!(calls.load(Ordering::SeqCst), 34, "CPU 0 rose");
    assert!(g.write_sysreg(0, icc::PMR_EL1, 0));
    assert_eq!(calls.load(Ordering::SeqCst), 35, "CPU 0 masked");
}

#[test]
fn timer_program_sequence() {
    // What timer_gicv3.c does on one CPU, from reset.
    let mut g = GicV3::new(1, 32 + 256);
    assert_eq!(g.dist_read(0, GICD_TYPER, 4) & 0x1f, 7);
    assert_eq!((g.dist_read(0, GICD_PIDR2, 4) >> 4) & 0xf, 3);
    assert_eq!((g.redist_read(GICR_PIDR2, 4) >> 4) & 0xf, 3);
    assert_eq!(g.redist_read(GICR_TYPER, 8), 1 << 4);
    for ctlr in [0, 0x10, 0x12] {
        g.dist_write(0, GICD_CTLR, 4, ctlr);
        assert_eq!(g.dist_read(0, GICD_CTLR, 4) >> 31, 0, "RWP");
    }
    let waker = g.redist_read(GICR_WAKER, 4);
    g.redist_write(GICR_WAKER, 4, waker & !2);
    assert_eq!(g.redist_read(GICR_WAKER, 4) & 6, 0);
    g.redist_write(GICR_IGROUPR0, 4, 0xffff_ffff);
    for id in (0..32).step_by(4) {
        g.redist_write(GICR_IPRIORITYR + id, 4, 0x8080_8080);
    }
    g.redist_write(GICR_ISENABLER0, 4, (1 << 5) | (1 << 27) | (1 << 30));
    assert_eq!(g.redist_read(GICR_ISENABLER0, 4), (1 << 5) | (1 << 27) | (1 << 30));
    assert!(g.write_sysreg(0, icc::SRE_EL1, 7));
    assert!(g.write_sysreg(0, icc::PMR_EL1, 0xf0));
    assert!(g.write_sysreg(0, icc::IGRPEN1_EL1, 1));
    assert_eq!(sysreg(&mut g, 0, icc::PMR_EL1), 0xf0);
    for ppi in [27, 27, 30] {
        g.set_ppi(0, ppi, true);
        assert!(g.cpu_irq_pending(0));
        assert_eq!(g.redist_read(GICR_ISPENDR0, 4), 1 << ppi);
        assert_eq!(sysreg(&mut g, 0, icc::HPPIR1_EL1), u64::from(ppi));
        assert_eq!(iar1(&mut g, 0), ppi);
        assert_eq!(rpr(&mut g, 0), 0x80);
        g.set_ppi(0, ppi, false);
        eoir1(&mut g, 0, ppi);
        assert!(!g.cpu_irq_pending(0));
    }
    assert!(g.write_sysreg(0, icc::SGI1R_EL1, (5 << 24) | 1));
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar1(&mut g, 0), 5);
    assert_eq!(rpr(&mut g, 0), 0x80);
    eoir1(&mut g, 0, 5);
    assert_eq!(iar1(&mut g, 0), SPURIOUS);
}

#[test]
fn bus_frames() {
    let g = Arc::new(Mutex::new(gic(2)));
    let mut dist = GicV3Distributor(g.clone());
    let mut redist = GicV3Redistributors(g.clone());
    let shared: super::super::SharedGic = g.clone();
    std::thread::spawn(move || {
        super::super::set_current_cpu(1);
        dist.write(GICD_ISENABLER + 4, 4, 1 << 1);
        dist.write(GICD_IROUTER + 33 * 8, 8, 1);
        assert_eq!(dist.read(GICD_IROUTER + 33 * 8, 8), 1);
        redist.write(rd(1, GICR_ISENABLER0), 4, 1 << 27);
        assert_eq!(redist.read(rd(1, GICR_ISENABLER0), 4), 1 << 27);
        assert_eq!(redist.read(rd(1, GICR_TYPER), 8) >> 4 & 1, 1);
        let mut gic = super::super::lock_shared(&shared);
        gic.set_spi(33, true);
        assert!(gic.cpu_irq_pending(1));
        assert_eq!(gic.read_sysreg(1, icc::IAR1_EL1), Some(33));
        gic.set_ppi(1, 27, true);
        assert!(gic.write_sysreg(1, icc::PMR_EL1, 0xf0));
        assert!(!gic.cpu_fiq_pending(1));
    })
    .join()
    .unwrap();
    assert_eq!(lock(&g).dist_read(0, GICD_ISACTIVER + 4, 4), 1 << 1);
}

#[test]
fn no_access_panics() {
    let mut g = gic(8);
    let values = [0, 0xffff_ffff, u64::MAX, 0x0300_000f];
    let offsets = (0..0x1010)
        .step_by(3)
        .chain((0x6000..0x8000).step_by(5))
        .chain(0xffc0..0x10010)
        .chain([0x2_0000, 0x3_0000, 0x10_0000, 0xf6_0000, u64::MAX - 3, u64::MAX]);
    for offset in offsets {
        for size in [0u8, 1, 2, 4, 8, 16] {
            for &v in &values {
                g.dist_write(0, offset, size, v);
                g.dist_read(9, offset, size);
                g.redist_write(offset, size, v);
                g.redist_read(offset, size);
                g.redist_write(offset + SGI_FRAME, size, v);
                g.redist_read(offset + SGI_FRAME, size);
            }
        }
    }
    use kestrel::guest::aarch64::sysregs::sysreg as enc;
    for crm in 0..16 {
        for op2 in 0..8 {
            for &v in &values {
                for cpu in [7, 8] {
                    g.write_sysreg(cpu, enc(3, 0, 12, crm, op2), v);
                    g.read_sysreg(cpu, enc(3, 0, 12, crm, op2));
                }
            }
        }
    }
    g.set_ppi(9, 27, true);
    g.set_ppi(0, 5, true);
    g.set_ppi(0, 40, true);
    g.set_spi(20, true);
    g.set_spi(4000, true);
}
