//! Register-level tests of the GICv2 model.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

const GICD_CTLR: u64 = 0x000;
const GICD_TYPER: u64 = 0x004;
const GICD_IGROUPR: u64 = 0x080;
const GICD_ISENABLER: u64 = 0x100;
const GICD_ICENABLER: u64 = 0x180;
const GICD_ISPENDR: u64 = 0x200;
const GICD_ICPENDR: u64 = 0x280;
const GICD_ISACTIVER: u64 = 0x300;
const GICD_IPRIORITYR: u64 = 0x400;
const GICD_ITARGETSR: u64 = 0x800;
const GICD_ICFGR: u64 = 0xc00;
const GICD_SGIR: u64 = 0xf00;
const GICD_CPENDSGIR: u64 = 0xf10;
const GICD_SPENDSGIR: u64 = 0xf20;

const GICC_CTLR: u64 = 0x00;
const GICC_PMR: u64 = 0x04;
const GICC_BPR: u64 = 0x08;
const GICC_IAR: u64 = 0x0c;
const GICC_EOIR: u64 = 0x10;
const GICC_RPR: u64 = 0x14;
const GICC_HPPIR: u64 = 0x18;
const GICC_AIAR: u64 = 0x20;
const GICC_DIR: u64 = 0x1000;

/// A GIC with the distributor and every CPU interface enabled for both
/// groups and the priority mask fully open, as Linux leaves it.
fn gic(cpus: usize) -> GicV2 {
    let mut g = GicV2::new(cpus, 256);
    g.dist_write(0, GICD_CTLR, 4, 3);
    for cpu in 0..cpus {
        g.cpu_write(cpu, GICC_CTLR, 4, 3);
        g.cpu_write(cpu, GICC_PMR, 4, 0xff);
    }
    g
}

/// Enables `intid` (as `cpu`, which matters for SGIs/PPIs) at `priority`.
fn enable(g: &mut GicV2, cpu: usize, intid: u64, priority: u8) {
    g.dist_write(cpu, GICD_ISENABLER + intid / 32 * 4, 4, 1 << (intid % 32));
    g.dist_write(cpu, GICD_IPRIORITYR + intid, 1, u64::from(priority));
    if intid >= 32 {
        g.dist_write(cpu, GICD_ITARGETSR + intid, 1, 1 << cpu);
    }
}

fn iar(g: &mut GicV2, cpu: usize) -> u32 {
    g.cpu_read(cpu, GICC_IAR, 4) as u32
}

fn eoi(g: &mut GicV2, cpu: usize, value: u32) {
    g.cpu_write(cpu, GICC_EOIR, 4, u64::from(value));
}

#[test]
fn identification_registers() {
    let mut g = GicV2::new(4, 256);
    let rows: &[(u64, u8, u64)] = &[
        (GICD_TYPER, 4, 7 | (3 << 5)),
        (0x008, 4, 0x0200_143b),
        (0xfe8, 4, 0x2b),
        (0xff0, 4, 0x0d),
        (0xffc, 4, 0xb1),
        (0x00c, 4, 0),
        (0xe00, 4, 0),
        (0x1000, 4, 0),
        (u64::MAX, 4, 0),
        // SGI enables read as one.
        (GICD_ISENABLER, 4, 0xffff),
        // SGIs are edge-triggered.
        (GICD_ICFGR, 4, 0xaaaa_aaaa),
    ];
    for &(offset, size, want) in rows {
        assert_eq!(g.dist_read(0, offset, size), want, "GICD+{offset:#x}");
    }
    assert_eq!(g.cpu_read(0, 0xfc, 4), 0x0202_143b);
    assert_eq!(GicV2::new(1, 64).dist_read(0, GICD_TYPER, 4), 1);
    // Out-of-range construction is clamped, never refused.
    assert_eq!(GicV2::new(99, 9999).dist_read(0, GICD_TYPER, 4), 31 | (7 << 5));
}

#[test]
fn spi_raise_ack_eoi() {
    let mut g = gic(1);
    enable(&mut g, 0, 33, 0xa0);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(iar(&mut g, 0), SPURIOUS);
    g.set_spi(33, true);
    assert!(g.cpu_irq_pending(0));
    assert_eq!(g.cpu_read(0, GICC_HPPIR, 4), 33);
    assert_eq!(iar(&mut g, 0), 33);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0xa0);
    assert!(!g.cpu_irq_pending(0), "active and pending is not signalled");
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 1 << 1);
    g.set_spi(33, false);
    eoi(&mut g, 0, 33);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0xff);
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 0);
    assert_eq!(iar(&mut g, 0), SPURIOUS);
}

#[test]
fn level_spi_stays_pending_while_high() {
    let mut g = gic(1);
    enable(&mut g, 0, 40, 0x80);
    g.set_spi(40, true);
    assert_eq!(iar(&mut g, 0), 40);
    eoi(&mut g, 0, 40);
    assert!(g.cpu_irq_pending(0), "line still high");
    // Clearing pending only drops the latch.
    g.dist_write(0, GICD_ICPENDR + 4, 4, 1 << 8);
    assert_eq!(g.dist_read(0, GICD_ISPENDR + 4, 4), 1 << 8);
    assert_eq!(iar(&mut g, 0), 40);
    g.set_spi(40, false);
    eoi(&mut g, 0, 40);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(g.dist_read(0, GICD_ISPENDR + 4, 4), 0);
}

#[test]
fn edge_spi_latches_once_per_rising_edge() {
    let mut g = gic(1);
    enable(&mut g, 0, 34, 0x80);
    g.dist_write(0, GICD_ICFGR + 8, 4, 2 << 4); // INTID 34: edge
    g.set_spi(34, true);
    assert_eq!(iar(&mut g, 0), 34);
    eoi(&mut g, 0, 34);
    assert!(!g.cpu_irq_pending(0), "a held line is one edge");
    g.set_spi(34, false);
    g.set_spi(34, true);
    assert!(g.cpu_irq_pending(0));
    // A disabled interrupt keeps its pending state but is not signalled.
    g.dist_write(0, GICD_ICENABLER + 4, 4, 1 << 2);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(g.dist_read(0, GICD_ISPENDR + 4, 4), 1 << 2);
    g.dist_write(0, GICD_ISENABLER + 4, 4, 1 << 2);
    assert_eq!(iar(&mut g, 0), 34);
}

#[test]
fn priority_mask_and_preemption() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    enable(&mut g, 0, 33, 0x40);
    enable(&mut g, 0, 34, 0x80);
    g.cpu_write(0, GICC_PMR, 4, 0x80);
    g.set_spi(32, true);
    assert!(!g.cpu_irq_pending(0), "0x80 is not above PMR 0x80");
    assert_eq!(iar(&mut g, 0), SPURIOUS);
    g.cpu_write(0, GICC_PMR, 4, 0xf0);
    assert_eq!(iar(&mut g, 0), 32);
    // Same priority does not preempt; higher does.
    g.set_spi(34, true);
    assert!(!g.cpu_irq_pending(0));
    g.set_spi(33, true);
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar(&mut g, 0), 33);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0x40);
    g.set_spi(33, false);
    eoi(&mut g, 0, 33);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0x80);
    g.set_spi(32, false);
    eoi(&mut g, 0, 32);
    assert_eq!(iar(&mut g, 0), 34);
}

#[test]
fn binary_point_limits_preemption() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    enable(&mut g, 0, 33, 0x70);
    g.set_spi(32, true);
    assert_eq!(iar(&mut g, 0), 32);
    g.set_spi(33, true);
    assert!(g.cpu_irq_pending(0), "BPR 0: 0x70 preempts 0x80");
    // With BPR 7 every priority bit is subpriority: the group priority
    // of anything acknowledged is 0, so nothing can preempt it.
    g.cpu_write(0, GICC_BPR, 4, 7);
    eoi(&mut g, 0, 32);
    assert_eq!(iar(&mut g, 0), 33);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0, "group priority with BPR 7");
}

#[test]
fn ties_go_to_the_lowest_intid() {
    let mut g = gic(1);
    for id in [50, 45, 60] {
        enable(&mut g, 0, id, 0x90);
        g.set_spi(id as u32, true);
    }
    assert_eq!(iar(&mut g, 0), 45);
}

#[test]
fn sgi_carries_its_source() {
    let mut g = gic(2);
    g.dist_write(1, GICD_IPRIORITYR + 3, 1, 0x10);
    // CPU 0 sends SGI 3 to the CPU list {1}.
    g.dist_write(0, GICD_SGIR, 4, (0b10 << 16) | 3);
    assert!(g.cpu_irq_pending(1));
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(g.dist_read(1, GICD_SPENDSGIR, 4), 1 << 24, "SGI 3 from CPU 0");
    assert_eq!(iar(&mut g, 1), 3);
    eoi(&mut g, 1, 3);
    // CPU 1 sends SGI 5 to everyone else: CPU 0 sees source 1.
    g.dist_write(1, GICD_SGIR, 4, (1 << 24) | 5);
    assert_eq!(iar(&mut g, 0), (1 << 10) | 5);
    assert_eq!(iar(&mut g, 1), SPURIOUS);
    // A wrong source in EOIR does not end it.
    eoi(&mut g, 0, 5);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0);
    eoi(&mut g, 0, (1 << 10) | 5);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0xff);
    // To self only.
    g.dist_write(1, GICD_SGIR, 4, (2 << 24) | 7);
    assert_eq!(iar(&mut g, 1), (1 << 10) | 7);
}

#[test]
fn sgi_from_two_sources_is_acknowledged_twice() {
    let mut g = gic(3);
    g.dist_write(0, GICD_SGIR, 4, (0b100 << 16) | 1);
    g.dist_write(1, GICD_SGIR, 4, (0b100 << 16) | 1);
    assert_eq!(iar(&mut g, 2), 1);
    assert_eq!(iar(&mut g, 2), SPURIOUS, "active until deactivated");
    eoi(&mut g, 2, 1);
    assert_eq!(iar(&mut g, 2), (1 << 10) | 1);
    eoi(&mut g, 2, (1 << 10) | 1);
    // SPENDSGIR/CPENDSGIR set and clear sources directly.
    g.dist_write(2, GICD_SPENDSGIR + 1, 1, 0b11);
    g.dist_write(2, GICD_CPENDSGIR + 1, 1, 0b01);
    assert_eq!(iar(&mut g, 2), (1 << 10) | 1);
}

#[test]
fn targets_are_banked_and_route_spis() {
    let mut g = gic(2);
    let rows: &[(usize, u64, u64)] = &[(0, GICD_ITARGETSR, 0x01), (1, GICD_ITARGETSR + 27, 0x02)];
    for &(cpu, offset, want) in rows {
        g.dist_write(cpu, offset, 1, 0xff);
        assert_eq!(g.dist_read(cpu, offset, 1), want, "cpu {cpu} GICD+{offset:#x}");
    }
    enable(&mut g, 0, 36, 0x80);
    g.dist_write(0, GICD_ITARGETSR + 36, 1, 0xfe);
    assert_eq!(g.dist_read(0, GICD_ITARGETSR + 36, 1), 0x02, "only 2 CPUs");
    g.set_spi(36, true);
    assert!(!g.cpu_irq_pending(0));
    assert!(g.cpu_irq_pending(1));
    assert_eq!(iar(&mut g, 0), SPURIOUS);
    assert_eq!(iar(&mut g, 1), 36);
}

#[test]
fn ppis_are_per_cpu() {
    let mut g = gic(2);
    enable(&mut g, 1, 27, 0xa0);
    g.set_ppi(0, 27, true);
    assert!(!g.cpu_irq_pending(0), "disabled on CPU 0");
    g.set_ppi(1, 27, true);
    assert!(g.cpu_irq_pending(1));
    assert_eq!(iar(&mut g, 1), 27);
    assert_eq!(g.dist_read(1, GICD_IPRIORITYR + 24, 4), 0xa0 << 24);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 24, 4), 0);
    // Out-of-range inputs are ignored.
    g.set_ppi(5, 27, true);
    g.set_ppi(0, 40, true);
    g.set_spi(20, true);
    g.set_spi(4000, true);
}

#[test]
fn priority_bytes_and_words() {
    let mut g = gic(1);
    g.dist_write(0, GICD_IPRIORITYR + 32, 4, 0x1122_3344);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 33, 1), 0x33);
    g.dist_write(0, GICD_IPRIORITYR + 34, 1, 0xff);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 32, 4), 0x11ff_3344);
    assert_eq!(g.dist_read(0, GICD_IPRIORITYR + 32, 2), 0x3344);
}

#[test]
fn split_eoi_and_deactivate() {
    let mut g = gic(1);
    g.cpu_write(0, GICC_CTLR, 4, 3 | (1 << 9));
    enable(&mut g, 0, 35, 0x80);
    g.dist_write(0, GICD_ICFGR + 8, 4, 2 << 6); // edge
    g.set_spi(35, true);
    assert_eq!(iar(&mut g, 0), 35);
    eoi(&mut g, 0, 35);
    assert_eq!(g.cpu_read(0, GICC_RPR, 4), 0xff, "priority dropped");
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 1 << 3, "still active");
    g.set_spi(35, false);
    g.set_spi(35, true);
    assert!(!g.cpu_irq_pending(0));
    g.cpu_write(0, GICC_DIR, 4, 35);
    assert_eq!(g.dist_read(0, GICD_ISACTIVER + 4, 4), 0);
    assert!(g.cpu_irq_pending(0));
}

#[test]
fn group1_needs_ackctl_on_iar() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    g.dist_write(0, GICD_IGROUPR + 4, 4, 1);
    g.set_spi(32, true);
    assert!(g.cpu_irq_pending(0));
    assert_eq!(iar(&mut g, 0), GROUP1_PENDING);
    assert_eq!(g.cpu_read(0, GICC_AIAR, 4), 32);
    g.cpu_write(0, 0x24, 4, 32); // GICC_AEOIR
    g.set_spi(32, false);
    g.set_spi(32, true);
    g.cpu_write(0, GICC_CTLR, 4, 3 | 4);
    assert_eq!(iar(&mut g, 0), 32);
    // With Group 1 disabled in the CPU interface nothing is signalled.
    g.cpu_write(0, GICC_CTLR, 4, 1);
    eoi(&mut g, 0, 32);
    assert!(!g.cpu_irq_pending(0));
}

#[test]
fn fiq_for_group0_with_fiqen() {
    let mut g = gic(1);
    g.cpu_write(0, GICC_CTLR, 4, 3 | 8);
    enable(&mut g, 0, 32, 0x80);
    g.set_spi(32, true);
    assert!(g.cpu_fiq_pending(0));
    assert!(!g.cpu_irq_pending(0));
}

#[test]
fn disabled_distributor_signals_nothing() {
    let mut g = gic(1);
    enable(&mut g, 0, 32, 0x80);
    g.dist_write(0, GICD_CTLR, 4, 0);
    g.set_spi(32, true);
    assert!(!g.cpu_irq_pending(0));
    assert_eq!(iar(&mut g, 0), SPURIOUS);
    g.dist_write(0, GICD_CTLR, 4, 1);
    assert!(g.cpu_irq_pending(0));
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
    assert_eq!(iar(&mut g, 1), 32);
    assert_eq!(calls.load(Ordering::SeqCst), 22, "CPU 1 fell");
}

#[test]
fn bus_frames_use_the_current_cpu() {
    let g = Arc::new(Mutex::new(gic(2)));
    let mut dist = GicV2Distributor(g.clone());
    let mut cpu_if = GicV2CpuInterface(g.clone());
    let shared: super::super::SharedGic = g.clone();
    let line = super::super::SpiLine { gic: shared, intid: 33 };
    std::thread::spawn(move || {
        super::super::set_current_cpu(1);
        dist.write(GICD_ISENABLER + 4, 4, 1 << 1);
        dist.write(GICD_ITARGETSR + 33, 1, 2);
        crate::devices::IrqLine::set_level(&line, true);
        assert_eq!(cpu_if.read(GICC_IAR, 4), 33);
        assert_eq!(dist.read(GICD_ITARGETSR, 1), 2);
    })
    .join()
    .unwrap();
    assert_eq!(lock(&g).dist_read(0, GICD_ISACTIVER + 4, 4), 1 << 1);
}

#[test]
fn no_access_panics() {
    let mut g = gic(8);
    let values = [0, 0xffff_ffff, u64::MAX, 0x0300_000f];
    for offset in (0..0x1010).step_by(3).chain([0x1000, 0x2000, u64::MAX - 3, u64::MAX]) {
        for size in [0u8, 1, 2, 4, 8, 16] {
            for &v in &values {
                for cpu in [7, 8] {
                    g.dist_write(cpu, offset, size, v);
                    g.dist_read(cpu, offset, size);
                    g.cpu_write(cpu, offset, size, v);
                    g.cpu_read(cpu, offset, size);
                }
            }
        }
    }
}
