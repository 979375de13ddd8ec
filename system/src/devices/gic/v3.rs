//! GICv3 (Arm IHI 0069) without an ITS or LPIs, as qemu's `virt` board
//! presents it under TCG on a machine without EL3: a distributor (GICD,
//! 64 KiB), one redistributor per CPU (an RD_base frame and an SGI_base
//! frame, 64 KiB each) and CPU interfaces reached through the ICC_*_EL1
//! system registers.
//!
//! There is one Security state: GICD_CTLR.DS reads 1, GICD_CTLR has the
//! two group enables EnableGrp0 and EnableGrp1, the group modifier
//! registers are RAZ/WI, Group 0 is signalled to the CPU as FIQ and
//! Group 1 as IRQ. Affinity routing is always on (GICD_CTLR.ARE is
//! RAO/WI), so the distributor's registers for INTIDs 0-31 are RAZ/WI and
//! SGIs and PPIs are configured in each CPU's redistributor.
//!
//! Interrupt state follows the same rules as the GICv2 model: an
//! interrupt is pending while its pending latch is set (an edge, an
//! ISPENDR write or an SGI) or, if it is level-sensitive, while its input
//! is high; acknowledging a level interrupt whose line is still high
//! leaves it active and pending. SGIs carry no source CPU under affinity
//! routing, so each CPU has one pending bit per SGI.
//!
//! Each CPU interface keeps its active priorities in the ICC_AP0R0_EL1 /
//! ICC_AP1R0_EL1 bitmaps, one bit per group priority. Preemption needs a
//! strictly higher group priority, so the set bits form the stack of
//! nested interrupts: the lowest set bit is the running priority and a
//! priority drop clears it.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use super::irq::Irq;
use super::{current_cpu, lock, CpuNotifier};
use crate::board::memmap::{GIC_REDIST, GIC_REDIST_STRIDE};
use crate::devices::MmioDevice;

/// Redistributors that fit the board's redistributor region.
pub const MAX_CPUS: usize = (GIC_REDIST.size / GIC_REDIST_STRIDE) as usize;
/// Interrupt lines implemented at most: SGIs, PPIs and 988 SPIs (INTIDs
/// 1020-1023 are special).
pub const MAX_IRQS: usize = 1020;
/// Size of the distributor frame.
pub const DIST_SIZE: u64 = 0x1_0000;
/// Bytes of redistributor space per CPU: RD_base, then SGI_base.
pub const REDIST_STRIDE: u64 = GIC_REDIST_STRIDE;
/// Offset of the SGI_base frame within a CPU's redistributor.
pub const SGI_FRAME: u64 = 0x1_0000;

/// INTID read from ICC_IAR*_EL1 / ICC_HPPIR*_EL1 when there is nothing.
pub const SPURIOUS: u32 = 1023;

const SGIS: usize = 16;
const PRIVATE: usize = 32;

/// Priority bits the CPU interface implements (ICC_CTLR_EL1.PRIbits + 1):
/// 32 priority levels, as on qemu's Cortex-A57.
const PRI_BITS: u32 = 5;
/// The implemented bits of a priority value.
const PRI_MASK: u8 = (0xff << (8 - PRI_BITS)) as u8;
/// Smallest ICC_BPR0_EL1 (7 - PRI_BITS): group priority in bits [7:3].
const MIN_BPR0: u8 = (7 - PRI_BITS) as u8;
/// Smallest ICC_BPR1_EL1: one more than BPR0's, as for Non-secure Group 1.
const MIN_BPR1: u8 = MIN_BPR0 + 1;

/// Arm as implementer, product 0, r0p0 (what qemu reports).
const IIDR: u32 = 0x0000_043b;
/// GICD/GICR_PIDR4..7, PIDR0..3, CIDR0..3 at 0xffd0..0xfffc. PIDR2
/// carries ArchRev 3 (GICv3); PIDR0 tells the distributor (0x92) from a
/// redistributor (0x93).
const DIST_ID: [u8; 12] = [0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];
const REDIST_ID: [u8; 12] = [0x44, 0, 0, 0, 0x93, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];

/// GICD_CTLR bits (single Security state layout).
mod gicd_ctlr {
    pub const ENABLE_GRP0: u32 = 1 << 0;
    pub const ENABLE_GRP1: u32 = 1 << 1;
    pub const ARE: u32 = 1 << 4;
    pub const DS: u32 = 1 << 6;
}

/// GICR_WAKER bits.
mod waker {
    pub const PROCESSOR_SLEEP: u32 = 1 << 1;
    pub const CHILDREN_ASLEEP: u32 = 1 << 2;
}

/// ICC_CTLR_EL1 bits.
mod icc_ctlr {
    pub const CBPR: u64 = 1 << 0;
    pub const EOI_MODE: u64 = 1 << 1;
    pub const PMHE: u64 = 1 << 6;
    /// The bits software may change.
    pub const WRITABLE: u64 = CBPR | EOI_MODE | PMHE;
    /// Read-only fields: PRIbits (bits 10:8) = PRI_BITS - 1, IDbits
    /// (13:11) = 0 for 16-bit INTIDs, A3V (bit 15) as Aff3 is decoded in
    /// SGI requests.
    pub const FIXED: u64 = ((super::PRI_BITS as u64 - 1) << 8) | (1 << 15);
}

/// IROUTER fields: Aff0-Aff2 in bits 23:0, Interrupt_Routing_Mode in bit
/// 31, Aff3 in bits 39:32; the rest is RES0.
const IROUTER_MASK: u64 = 0xff_80ff_ffff;
const IROUTER_IRM: u64 = 1 << 31;

/// The CPU interface's system register encodings, as
/// [`kestrel::guest::aarch64::sysregs::sysreg`] packs them.
pub mod icc {
    use kestrel::guest::aarch64::sysregs::sysreg;

    /// Priority mask.
    pub const PMR_EL1: u16 = sysreg(3, 0, 4, 6, 0);
    /// Group 0 acknowledge (read-only).
    pub const IAR0_EL1: u16 = sysreg(3, 0, 12, 8, 0);
    /// Group 0 end of interrupt (write-only).
    pub const EOIR0_EL1: u16 = sysreg(3, 0, 12, 8, 1);
    /// Group 0 highest pending (read-only).
    pub const HPPIR0_EL1: u16 = sysreg(3, 0, 12, 8, 2);
    /// Group 0 binary point.
    pub const BPR0_EL1: u16 = sysreg(3, 0, 12, 8, 3);
    /// Group 0 active priorities.
    pub const AP0R0_EL1: u16 = sysreg(3, 0, 12, 8, 4);
    /// Group 0 active priorities (RAZ/WI with 5 priority bits).
    pub const AP0R1_EL1: u16 = sysreg(3, 0, 12, 8, 5);
    /// Group 0 active priorities (RAZ/WI with 5 priority bits).
    pub const AP0R2_EL1: u16 = sysreg(3, 0, 12, 8, 6);
    /// Group 0 active priorities (RAZ/WI with 5 priority bits).
    pub const AP0R3_EL1: u16 = sysreg(3, 0, 12, 8, 7);
    /// Group 1 active priorities.
    pub const AP1R0_EL1: u16 = sysreg(3, 0, 12, 9, 0);
    /// Group 1 active priorities (RAZ/WI with 5 priority bits).
    pub const AP1R1_EL1: u16 = sysreg(3, 0, 12, 9, 1);
    /// Group 1 active priorities (RAZ/WI with 5 priority bits).
    pub const AP1R2_EL1: u16 = sysreg(3, 0, 12, 9, 2);
    /// Group 1 active priorities (RAZ/WI with 5 priority bits).
    pub const AP1R3_EL1: u16 = sysreg(3, 0, 12, 9, 3);
    /// Deactivate (write-only).
    pub const DIR_EL1: u16 = sysreg(3, 0, 12, 11, 1);
    /// Running priority (read-only).
    pub const RPR_EL1: u16 = sysreg(3, 0, 12, 11, 3);
    /// Generate Group 1 SGIs (write-only).
    pub const SGI1R_EL1: u16 = sysreg(3, 0, 12, 11, 5);
    /// Generate Group 1 SGIs for the other Security state (write-only).
    pub const ASGI1R_EL1: u16 = sysreg(3, 0, 12, 11, 6);
    /// Generate Group 0 SGIs (write-only).
    pub const SGI0R_EL1: u16 = sysreg(3, 0, 12, 11, 7);
    /// Group 1 acknowledge (read-only).
    pub const IAR1_EL1: u16 = sysreg(3, 0, 12, 12, 0);
    /// Group 1 end of interrupt (write-only).
    pub const EOIR1_EL1: u16 = sysreg(3, 0, 12, 12, 1);
    /// Group 1 highest pending (read-only).
    pub const HPPIR1_EL1: u16 = sysreg(3, 0, 12, 12, 2);
    /// Group 1 binary point.
    pub const BPR1_EL1: u16 = sysreg(3, 0, 12, 12, 3);
    /// Control.
    pub const CTLR_EL1: u16 = sysreg(3, 0, 12, 12, 4);
    /// System register enable (reads 0b111, writes ignored).
    pub const SRE_EL1: u16 = sysreg(3, 0, 12, 12, 5);
    /// Group 0 enable.
    pub const IGRPEN0_EL1: u16 = sysreg(3, 0, 12, 12, 6);
    /// Group 1 enable.
    pub const IGRPEN1_EL1: u16 = sysreg(3, 0, 12, 12, 7);
}

impl Irq {
    /// Index of the interrupt's group in per-group arrays.
    fn group(&self) -> usize {
        usize::from(self.group1)
    }
}

/// A CPU's redistributor: its SGIs and PPIs, and its power state.
struct Redistributor {
    private: [Irq; PRIVATE],
    processor_sleep: bool,
}

impl Redistributor {
    fn new() -> Self {
        let mut private = [Irq::default(); PRIVATE];
        for sgi in &mut private[..SGIS] {
            sgi.edge = true;
        }
        Self { private, processor_sleep: true }
    }
}

/// One CPU interface.
struct CpuInterface {
    /// The writable bits of ICC_CTLR_EL1.
    ctlr: u64,
    pmr: u8,
    bpr0: u8,
    bpr1: u8,
    /// ICC_IGRPEN0_EL1 and ICC_IGRPEN1_EL1.
    igrpen: [bool; 2],
    /// ICC_AP0R0_EL1 and ICC_AP1R0_EL1: bit n set while an interrupt of
    /// that group with group priority n << 3 is active and not dropped.
    apr: [u32; 2],
    irq_out: bool,
    fiq_out: bool,
}

impl CpuInterface {
    fn new() -> Self {
        Self {
            ctlr: 0,
            pmr: 0,
            bpr0: MIN_BPR0,
            bpr1: MIN_BPR1,
            igrpen: [false; 2],
            apr: [0; 2],
            irq_out: false,
            fiq_out: false,
        }
    }

    /// The running priority: that of the highest active priority group,
    /// or the idle priority 0xff.
    fn running_priority(&self) -> u8 {
        let active = self.apr[0] | self.apr[1];
        if active == 0 {
            0xff
        } else {
            (active.trailing_zeros() << (8 - PRI_BITS)) as u8
        }
    }

    /// The group (0 or 1) of the highest active priority, if any.
    fn highest_active_group(&self) -> Option<usize> {
        let [g0, g1] = self.apr;
        match (g0, g1) {
            (0, 0) => None,
            (_, 0) => Some(0),
            (0, _) => Some(1),
            _ if g0.trailing_zeros() <= g1.trailing_zeros() => Some(0),
            _ => Some(1),
        }
    }

    /// The group-priority part of `priority` (the bits that preempt):
    /// ICC_BPR0_EL1 n keeps bits [7:n+1]; Group 1 uses ICC_BPR1_EL1, whose
    /// n keeps bits [7:n], unless ICC_CTLR_EL1.CBPR hands it BPR0's.
    fn group_priority(&self, priority: u8, group1: bool) -> u8 {
        let shift = if group1 && self.ctlr & icc_ctlr::CBPR == 0 {
            u32::from(self.bpr1)
        } else {
            u32::from(self.bpr0) + 1
        };
        priority & PRI_MASK & (0xffu32 << shift) as u8
    }

    /// Whether an interrupt of `priority` in group `group1` gets past the
    /// priority mask and preempts the running priority.
    fn can_take(&self, priority: u8, group1: bool) -> bool {
        priority < self.pmr && self.group_priority(priority, group1) < self.running_priority()
    }

    /// ICC_BPR1_EL1 as read: with CBPR set it reflects BPR0.
    fn bpr1_value(&self) -> u8 {
        if self.ctlr & icc_ctlr::CBPR != 0 {
            (self.bpr0 + 1).min(7)
        } else {
            self.bpr1
        }
    }
}

/// The highest-priority pending interrupt of one CPU.
#[derive(Clone, Copy)]
struct Candidate {
    intid: u32,
    priority: u8,
    group1: bool,
}

/// Which SGIs an ICC_SGI*R_EL1 write may make pending at a target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SgiGroup {
    Group0,
    Group1,
}

/// A GICv3 distributor, its redistributors and the CPU interfaces.
pub struct GicV3 {
    num_cpus: usize,
    num_irqs: usize,
    /// GICD_CTLR.EnableGrp0 and EnableGrp1.
    dist_enable: [bool; 2],
    redists: Vec<Redistributor>,
    spis: Vec<Irq>,
    /// GICD_IROUTER of each SPI.
    irouter: Vec<u64>,
    cpus: Vec<CpuInterface>,
    notifier: Option<CpuNotifier>,
}

/// The affinity of CPU `index` as Aff3.Aff2.Aff1.Aff0 in one word: the
/// board numbers CPUs in clusters of 8 (Aff0 0-7, Aff1 the cluster).
pub fn affinity(index: usize) -> u32 {
    (((index / 8) as u32) << 8) | (index % 8) as u32
}

impl GicV3 {
    /// A GIC for `num_cpus` CPUs (1..=[`MAX_CPUS`]) with `num_irqs`
    /// interrupt lines, rounded up to a multiple of 32 within 32..=1020.
    pub fn new(num_cpus: usize, num_irqs: usize) -> Self {
        let num_cpus = num_cpus.clamp(1, MAX_CPUS);
        let num_irqs = num_irqs.clamp(PRIVATE, MAX_IRQS).next_multiple_of(32).min(MAX_IRQS);
        let spis = num_irqs - PRIVATE;
        Self {
            num_cpus,
            num_irqs,
            dist_enable: [false; 2],
            redists: (0..num_cpus).map(|_| Redistributor::new()).collect(),
            spis: vec![Irq::default(); spis],
            irouter: vec![0; spis],
            cpus: (0..num_cpus).map(|_| CpuInterface::new()).collect(),
            notifier: None,
        }
    }

    /// Installs the callback told about every change of a CPU's outputs.
    pub fn set_notifier(&mut self, notifier: CpuNotifier) {
        self.notifier = Some(notifier);
    }

    /// Number of CPU interfaces (and redistributors).
    pub fn num_cpus(&self) -> usize {
        self.num_cpus
    }

    /// Whether CPU `cpu`'s IRQ input is asserted (a Group 1 interrupt).
    pub fn cpu_irq_pending(&self, cpu: usize) -> bool {
        self.cpus.get(cpu).is_some_and(|c| c.irq_out)
    }

    /// Whether CPU `cpu`'s FIQ input is asserted (a Group 0 interrupt).
    pub fn cpu_fiq_pending(&self, cpu: usize) -> bool {
        self.cpus.get(cpu).is_some_and(|c| c.fiq_out)
    }

    /// Drives the input of SPI `intid` (32 and up); others are ignored.
    pub fn set_spi(&mut self, intid: u32, level: bool) {
        let intid = intid as usize;
        if (PRIVATE..self.num_irqs).contains(&intid) {
            self.spis[intid - PRIVATE].set_input(level);
            self.update();
        }
    }

    /// Drives CPU `cpu`'s input of PPI `intid` (16..=31); others are
    /// ignored.
    pub fn set_ppi(&mut self, cpu: usize, intid: u32, level: bool) {
        let intid = intid as usize;
        if cpu < self.num_cpus && (SGIS..PRIVATE).contains(&intid) {
            self.redists[cpu].private[intid].set_input(level);
            self.update();
        }
    }

    /// The CPU index an affinity names, if it is one of ours.
    fn cpu_of_affinity(&self, aff3: u64, aff2: u64, aff1: u64, aff0: u64) -> Option<usize> {
        let index = (aff1 * 8 + aff0) as usize;
        (aff3 == 0 && aff2 == 0 && aff0 < 8 && index < self.num_cpus).then_some(index)
    }

    fn irq(&self, cpu: usize, intid: usize) -> &Irq {
        if intid < PRIVATE {
            &self.redists[cpu].private[intid]
        } else {
            &self.spis[intid - PRIVATE]
        }
    }

    fn irq_mut(&mut self, cpu: usize, intid: usize) -> &mut Irq {
        if intid < PRIVATE {
            &mut self.redists[cpu].private[intid]
        } else {
            &mut self.spis[intid - PRIVATE]
        }
    }

    /// Whether `irq`'s group is enabled in the distributor and in `cpu`'s
    /// interface.
    fn group_enabled(&self, cpu: usize, irq: &Irq) -> bool {
        self.dist_enable[irq.group()] && self.cpus[cpu].igrpen[irq.group()]
    }

    /// The CPU a 1-of-N SPI goes to: among the participating CPUs (awake,
    /// with the interrupt's group enabled) the lowest-numbered one that
    /// can take it now, else the lowest-numbered one.
    fn one_of_n_target(&self, irq: &Irq) -> Option<usize> {
        let mut participants = (0..self.num_cpus)
            .filter(|&c| !self.redists[c].processor_sleep && self.cpus[c].igrpen[irq.group()]);
        let first = participants.next()?;
        if self.cpus[first].can_take(irq.priority, irq.group1) {
            return Some(first);
        }
        participants.find(|&c| self.cpus[c].can_take(irq.priority, irq.group1)).or(Some(first))
    }

    /// Whether SPI `intid` is routed to `cpu` by its GICD_IROUTER.
    fn routed_to(&self, cpu: usize, intid: usize) -> bool {
        let router = self.irouter[intid - PRIVATE];
        if router & IROUTER_IRM != 0 {
            return self.one_of_n_target(&self.spis[intid - PRIVATE]) == Some(cpu);
        }
        let aff = |shift: u32| (router >> shift) & 0xff;
        self.cpu_of_affinity(aff(32), aff(16), aff(8), aff(0)) == Some(cpu)
    }

    /// The highest-priority interrupt that is pending, enabled, inactive
    /// and aimed at `cpu`, with its group enabled in both the distributor
    /// and the CPU interface. Ties go to the lowest INTID.
    fn best_pending(&self, cpu: usize) -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        for intid in 0..self.num_irqs {
            let irq = self.irq(cpu, intid);
            if !irq.enabled || irq.active || !irq.pending() || !self.group_enabled(cpu, irq) {
                continue;
            }
            if best.is_some_and(|b| b.priority <= irq.priority) {
                continue;
            }
            if intid >= PRIVATE && !self.routed_to(cpu, intid) {
                continue;
            }
            best = Some(Candidate { intid: intid as u32, priority: irq.priority, group1: irq.group1 });
        }
        best
    }

    /// Recomputes every CPU's outputs and tells the notifier about changes.
    fn update(&mut self) {
        for cpu in 0..self.num_cpus {
            let (mut irq, mut fiq) = (false, false);
            if let Some(c) = self.best_pending(cpu) {
                if self.cpus[cpu].can_take(c.priority, c.group1) {
                    if c.group1 {
                        irq = true;
                    } else {
                        fiq = true;
                    }
                }
            }
            let cif = &mut self.cpus[cpu];
            if (cif.irq_out, cif.fiq_out) != (irq, fiq) {
                cif.irq_out = irq;
                cif.fiq_out = fiq;
                if let Some(notify) = &self.notifier {
                    notify(cpu);
                }
            }
        }
    }

    // ---- CPU interface ----------------------------------------------

    /// ICC_IAR0_EL1 / ICC_IAR1_EL1: acknowledges the highest-priority
    /// pending interrupt if it is of the register's group and can preempt,
    /// making it active and raising the running priority.
    fn acknowledge(&mut self, cpu: usize, group1: bool) -> u32 {
        let Some(c) = self.best_pending(cpu) else {
            return SPURIOUS;
        };
        if c.group1 != group1 || !self.cpus[cpu].can_take(c.priority, c.group1) {
            return SPURIOUS;
        }
        let irq = self.irq_mut(cpu, c.intid as usize);
        irq.latched = false;
        irq.active = true;
        let cif = &mut self.cpus[cpu];
        let level = cif.group_priority(c.priority, c.group1) >> (8 - PRI_BITS);
        cif.apr[usize::from(group1)] |= 1 << level;
        self.update();
        c.intid
    }

    /// ICC_HPPIR0_EL1 / ICC_HPPIR1_EL1: the highest-priority pending
    /// interrupt if it is of the register's group, regardless of the
    /// priority mask and running priority.
    fn highest_pending(&self, cpu: usize, group1: bool) -> u32 {
        match self.best_pending(cpu) {
            Some(c) if c.group1 == group1 => c.intid,
            _ => SPURIOUS,
        }
    }

    /// ICC_EOIR0_EL1 / ICC_EOIR1_EL1: drops the highest active priority if
    /// it belongs to the register's group, and deactivates `value`'s INTID
    /// unless ICC_CTLR_EL1.EOImode leaves that to ICC_DIR_EL1. Special and
    /// unimplemented INTIDs are ignored.
    fn end_of_interrupt(&mut self, cpu: usize, group1: bool, value: u64) {
        let intid = (value & 0xff_ffff) as usize;
        let group = usize::from(group1);
        let cif = &mut self.cpus[cpu];
        if intid >= self.num_irqs || cif.highest_active_group() != Some(group) {
            return;
        }
        cif.apr[group] &= cif.apr[group] - 1;
        if cif.ctlr & icc_ctlr::EOI_MODE == 0 {
            self.irq_mut(cpu, intid).active = false;
        }
    }

    /// ICC_DIR_EL1: deactivation, only meaningful with EOImode set.
    fn deactivate(&mut self, cpu: usize, value: u64) {
        let intid = (value & 0xff_ffff) as usize;
        if self.cpus[cpu].ctlr & icc_ctlr::EOI_MODE != 0 && intid < self.num_irqs {
            self.irq_mut(cpu, intid).active = false;
        }
    }

    /// ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1: makes SGI INTID
    /// (bits 27:24) pending on every target whose copy of that SGI is in
    /// `group`. Targets are all CPUs but the sender when IRM (bit 40) is
    /// set, else those of TargetList (bits 15:0, Aff0 = RS * 16 + bit)
    /// in cluster Aff3.Aff2.Aff1 (bits 55:48, 39:32, 23:16).
    fn send_sgi(&mut self, sender: usize, value: u64, group: SgiGroup) {
        let sgi = ((value >> 24) & 0xf) as usize;
        let field = |shift: u32| (value >> shift) & 0xff;
        let targets: Vec<usize> = if value & (1 << 40) != 0 {
            (0..self.num_cpus).filter(|&c| c != sender).collect()
        } else {
            let range_selector = (value >> 44) & 0xf;
            (0..16)
                .filter(|bit| value & (1 << bit) != 0)
                .filter_map(|bit| {
                    self.cpu_of_affinity(field(48), field(32), field(16), range_selector * 16 + bit)
                })
                .collect()
        };
        for target in targets {
            let irq = &mut self.redists[target].private[sgi];
            if irq.group1 == (group == SgiGroup::Group1) {
                irq.latched = true;
            }
        }
    }

    /// MRS of an ICC_*_EL1 register by CPU `cpu`; `None` for registers
    /// that are write-only or not the CPU interface's.
    pub fn read_sysreg(&mut self, cpu: usize, reg: u16) -> Option<u64> {
        let cif = self.cpus.get(cpu)?;
        let value = match reg {
            icc::PMR_EL1 => u64::from(cif.pmr),
            icc::IAR0_EL1 => u64::from(self.acknowledge(cpu, false)),
            icc::IAR1_EL1 => u64::from(self.acknowledge(cpu, true)),
            icc::HPPIR0_EL1 => u64::from(self.highest_pending(cpu, false)),
            icc::HPPIR1_EL1 => u64::from(self.highest_pending(cpu, true)),
            icc::BPR0_EL1 => u64::from(cif.bpr0),
            icc::BPR1_EL1 => u64::from(cif.bpr1_value()),
            icc::AP0R0_EL1 => u64::from(cif.apr[0]),
            icc::AP1R0_EL1 => u64::from(cif.apr[1]),
            icc::AP0R1_EL1
            | icc::AP0R2_EL1
            | icc::AP0R3_EL1
            | icc::AP1R1_EL1
            | icc::AP1R2_EL1
            | icc::AP1R3_EL1 => 0,
            icc::RPR_EL1 => u64::from(cif.running_priority()),
            icc::CTLR_EL1 => cif.ctlr | icc_ctlr::FIXED,
            icc::SRE_EL1 => 0b111,
            icc::IGRPEN0_EL1 => u64::from(cif.igrpen[0]),
            icc::IGRPEN1_EL1 => u64::from(cif.igrpen[1]),
            _ => return None,
        };
        Some(value)
    }

    /// MSR of an ICC_*_EL1 register by CPU `cpu`; false for registers
    /// that are not the CPU interface's. Writes to read-only registers
    /// are ignored.
    pub fn write_sysreg(&mut self, cpu: usize, reg: u16, value: u64) -> bool {
        let Some(cif) = self.cpus.get_mut(cpu) else {
            return false;
        };
        match reg {
            icc::PMR_EL1 => cif.pmr = value as u8 & PRI_MASK,
            icc::BPR0_EL1 => cif.bpr0 = ((value & 7) as u8).max(MIN_BPR0),
            icc::BPR1_EL1 => {
                if cif.ctlr & icc_ctlr::CBPR == 0 {
                    cif.bpr1 = ((value & 7) as u8).max(MIN_BPR1);
                }
            }
            icc::AP0R0_EL1 => cif.apr[0] = value as u32,
            icc::AP1R0_EL1 => cif.apr[1] = value as u32,
            icc::CTLR_EL1 => cif.ctlr = value & icc_ctlr::WRITABLE,
            icc::IGRPEN0_EL1 => cif.igrpen[0] = value & 1 != 0,
            icc::IGRPEN1_EL1 => cif.igrpen[1] = value & 1 != 0,
            icc::EOIR0_EL1 => self.end_of_interrupt(cpu, false, value),
            icc::EOIR1_EL1 => self.end_of_interrupt(cpu, true, value),
            icc::DIR_EL1 => self.deactivate(cpu, value),
            icc::SGI0R_EL1 => self.send_sgi(cpu, value, SgiGroup::Group0),
            icc::SGI1R_EL1 => self.send_sgi(cpu, value, SgiGroup::Group1),
            // Group 1 of the other Security state: Secure Group 1, which a
            // GIC with DS = 1 delivers to SGIs configured as Group 0.
            icc::ASGI1R_EL1 => self.send_sgi(cpu, value, SgiGroup::Group0),
            icc::AP0R1_EL1
            | icc::AP0R2_EL1
            | icc::AP0R3_EL1
            | icc::AP1R1_EL1
            | icc::AP1R2_EL1
            | icc::AP1R3_EL1
            | icc::SRE_EL1
            | icc::IAR0_EL1
            | icc::IAR1_EL1
            | icc::HPPIR0_EL1
            | icc::HPPIR1_EL1
            | icc::RPR_EL1 => return true,
            _ => return false,
        }
        self.update();
        true
    }

    // ---- Distributor ------------------------------------------------

    /// GICD_CTLR as read.
    fn dist_ctlr(&self) -> u32 {
        let mut ctlr = gicd_ctlr::ARE | gicd_ctlr::DS;
        if self.dist_enable[0] {
            ctlr |= gicd_ctlr::ENABLE_GRP0;
        }
        if self.dist_enable[1] {
            ctlr |= gicd_ctlr::ENABLE_GRP1;
        }
        ctlr
    }

    /// GICD_TYPER. ITLinesNumber advertises one block of 32 INTIDs less
    /// than the lines implemented ((lines - 32) / 32 - 1), as qemu 7.2
    /// does: 7 for the board's 288. CPUNumber counts up to 8 CPUs; IDbits
    /// is 9 (INTIDs below 1024, no LPIs); A3V is set; No1N is clear as
    /// 1-of-N SPI routing is supported; no MBIS, LPIs, ESPIs or RSS.
    fn dist_typer(&self) -> u32 {
        let it_lines = (self.num_irqs / 32).saturating_sub(2) as u32;
        let cpu_number = (self.num_cpus.min(8) - 1) as u32;
        it_lines | (cpu_number << 5) | (9 << 19) | (1 << 24)
    }

    /// Reads the distributor as CPU `cpu`. With affinity routing there is
    /// nothing banked in it, so the CPU does not change what is read. Any
    /// size works: the access is assembled byte by byte, which serves the
    /// byte-accessible priorities, the word bitmaps and the 64-bit
    /// IROUTERs with one decoder.
    pub fn dist_read(&mut self, cpu: usize, offset: u64, size: u8) -> u64 {
        let _ = cpu;
        if !matches!(size, 1 | 2 | 4 | 8) || offset.saturating_add(u64::from(size)) > DIST_SIZE {
            return 0;
        }
        (0..u64::from(size))
            .map(|i| u64::from(self.dist_read_byte(offset + i)) << (8 * i))
            .sum()
    }

    /// Writes the distributor as CPU `cpu` (see [`Self::dist_read`]).
    pub fn dist_write(&mut self, cpu: usize, offset: u64, size: u8, value: u64) {
        let _ = cpu;
        if !matches!(size, 1 | 2 | 4 | 8) || offset.saturating_add(u64::from(size)) > DIST_SIZE {
            return;
        }
        for i in 0..u64::from(size) {
            self.dist_write_byte(offset + i, (value >> (8 * i)) as u8);
        }
        self.update();
    }

    /// The SPI whose GICD_IROUTER holds byte `offset`, and the byte's
    /// position in it.
    fn irouter_byte(&self, offset: u64) -> Option<(usize, u32)> {
        let intid = ((offset - 0x6000) / 8) as usize;
        ((PRIVATE..self.num_irqs).contains(&intid)).then_some((intid - PRIVATE, (offset % 8) as u32 * 8))
    }

    fn dist_read_byte(&self, offset: u64) -> u8 {
        let spis = PRIVATE..self.num_irqs;
        match offset {
            0x0000..=0x0003 => (self.dist_ctlr() >> (8 * offset)) as u8,
            0x0004..=0x0007 => (self.dist_typer() >> (8 * (offset - 4))) as u8,
            0x0008..=0x000b => (IIDR >> (8 * (offset - 8))) as u8,
            0x0080..=0x0cff => self.irq_reg_read_byte(0, spis, offset),
            0x6000..=0x7fdf => self
                .irouter_byte(offset)
                .map_or(0, |(spi, shift)| (self.irouter[spi] >> shift) as u8),
            0xffd0..=0xffff if offset & 3 == 0 => DIST_ID[((offset - 0xffd0) / 4) as usize],
            _ => 0,
        }
    }

    fn dist_write_byte(&mut self, offset: u64, value: u8) {
        match offset {
            0x0000 => {
                self.dist_enable[0] = u32::from(value) & gicd_ctlr::ENABLE_GRP0 != 0;
                self.dist_enable[1] = u32::from(value) & gicd_ctlr::ENABLE_GRP1 != 0;
            }
            0x0080..=0x0cff => self.irq_reg_write_byte(0, PRIVATE..self.num_irqs, offset, value),
            0x6000..=0x7fdf => {
                if let Some((spi, shift)) = self.irouter_byte(offset) {
                    let router = &mut self.irouter[spi];
                    *router = (*router & !(0xff << shift)) | (u64::from(value) << shift);
                    *router &= IROUTER_MASK;
                }
            }
            _ => {}
        }
    }

    // ---- Registers shared by the distributor and the SGI frame -------

    /// One byte of the IGROUPR..ICFGR block (0x080..0xcff), which the
    /// distributor (for SPIs) and each SGI_base frame (for its CPU's SGIs
    /// and PPIs) lay out alike; interrupts outside `ids` are RAZ.
    fn irq_reg_read_byte(&self, cpu: usize, ids: Range<usize>, offset: u64) -> u8 {
        let bitmap = |test: fn(&Irq) -> bool| {
            let first = ((offset & 0x7f) * 8) as usize;
            (0..8)
                .filter(|&i| ids.contains(&(first + i)) && test(self.irq(cpu, first + i)))
                .fold(0u8, |acc, i| acc | 1 << i)
        };
        match offset {
            0x080..=0x0ff => bitmap(|irq| irq.group1),
            0x100..=0x1ff => bitmap(|irq| irq.enabled),
            0x200..=0x2ff => bitmap(Irq::pending),
            0x300..=0x3ff => bitmap(|irq| irq.active),
            0x400..=0x7fb => {
                let id = (offset - 0x400) as usize;
                if ids.contains(&id) {
                    self.irq(cpu, id).priority
                } else {
                    0
                }
            }
            0xc00..=0xcff => {
                let first = ((offset - 0xc00) * 4) as usize;
                (0..4)
                    .filter(|&i| ids.contains(&(first + i)) && self.irq(cpu, first + i).edge)
                    .fold(0u8, |acc, i| acc | 2 << (2 * i))
            }
            _ => 0,
        }
    }

    /// Writes one byte of the IGROUPR..ICFGR block (see
    /// [`Self::irq_reg_read_byte`]). SGIs stay edge-triggered.
    fn irq_reg_write_byte(&mut self, cpu: usize, ids: Range<usize>, offset: u64, value: u8) {
        // Applies `f` to each interrupt in `ids` whose bit is given.
        let bitmap = |gic: &mut Self, f: fn(&mut Irq, bool)| {
            let first = ((offset & 0x7f) * 8) as usize;
            for i in (0..8).filter(|&i| ids.contains(&(first + i))) {
                f(gic.irq_mut(cpu, first + i), value & (1 << i) != 0);
            }
        };
        match offset {
            0x080..=0x0ff => bitmap(self, |irq, bit| irq.group1 = bit),
            0x100..=0x17f => bitmap(self, |irq, bit| irq.enabled |= bit),
            0x180..=0x1ff => bitmap(self, |irq, bit| irq.enabled &= !bit),
            // Clearing pending drops only the latch: a level-sensitive
            // interrupt whose line is high stays pending.
            0x200..=0x27f => bitmap(self, |irq, bit| irq.latched |= bit),
            0x280..=0x2ff => bitmap(self, |irq, bit| irq.latched &= !bit),
            0x300..=0x37f => bitmap(self, |irq, bit| irq.active |= bit),
            0x380..=0x3ff => bitmap(self, |irq, bit| irq.active &= !bit),
            0x400..=0x7fb => {
                let id = (offset - 0x400) as usize;
                if ids.contains(&id) {
                    self.irq_mut(cpu, id).priority = value;
                }
            }
            0xc00..=0xcff => {
                let first = ((offset - 0xc00) * 4) as usize;
                for i in 0..4 {
                    let id = first + i;
                    if id >= SGIS && ids.contains(&id) {
                        self.irq_mut(cpu, id).edge = value & (2 << (2 * i)) != 0;
                    }
                }
            }
            _ => {}
        }
    }

    // ---- Redistributors ---------------------------------------------

    /// GICR_TYPER of CPU `cpu`: Affinity_Value (63:32), Processor_Number
    /// (23:8), Last (bit 4) on the last CPU; no LPIs, 16 PPIs.
    fn redist_typer(&self, cpu: usize) -> u64 {
        let last = u64::from(cpu + 1 == self.num_cpus) << 4;
        (u64::from(affinity(cpu)) << 32) | ((cpu as u64 & 0xffff) << 8) | last
    }

    /// Reads the redistributor region: CPU n's RD_base frame is at
    /// n * 0x20000 and its SGI_base frame 0x10000 above; space past the
    /// last CPU reads as zero. Sizes and layout as for the distributor.
    pub fn redist_read(&mut self, offset: u64, size: u8) -> u64 {
        let Some((cpu, frame_offset)) = self.redist_target(offset, size) else {
            return 0;
        };
        (0..u64::from(size))
            .map(|i| u64::from(self.redist_read_byte(cpu, frame_offset + i)) << (8 * i))
            .sum()
    }

    /// Writes the redistributor region (see [`Self::redist_read`]).
    pub fn redist_write(&mut self, offset: u64, size: u8, value: u64) {
        let Some((cpu, frame_offset)) = self.redist_target(offset, size) else {
            return;
        };
        for i in 0..u64::from(size) {
            self.redist_write_byte(cpu, frame_offset + i, (value >> (8 * i)) as u8);
        }
        self.update();
    }

    /// The CPU whose redistributor an access falls in and the offset in
    /// it; `None` past the last CPU, for bad sizes, and for accesses that
    /// straddle two CPUs' frames.
    fn redist_target(&self, offset: u64, size: u8) -> Option<(usize, u64)> {
        if !matches!(size, 1 | 2 | 4 | 8) {
            return None;
        }
        let cpu = usize::try_from(offset / REDIST_STRIDE).ok()?;
        let frame_offset = offset % REDIST_STRIDE;
        (cpu < self.num_cpus && frame_offset + u64::from(size) <= REDIST_STRIDE)
            .then_some((cpu, frame_offset))
    }

    fn redist_read_byte(&self, cpu: usize, offset: u64) -> u8 {
        let word = |value: u64, base: u64| (value >> (8 * (offset - base))) as u8;
        match offset {
            // GICR_CTLR: no LPIs, RWP and UWP never set.
            0x0000..=0x0003 => 0,
            0x0004..=0x0007 => word(u64::from(IIDR), 0x4),
            0x0008..=0x000f => word(self.redist_typer(cpu), 0x8),
            0x0014..=0x0017 => {
                let sleep = if self.redists[cpu].processor_sleep {
                    waker::PROCESSOR_SLEEP | waker::CHILDREN_ASLEEP
                } else {
                    0
                };
                word(u64::from(sleep), 0x14)
            }
            0xffd0..=0xffff if offset & 3 == 0 => REDIST_ID[((offset - 0xffd0) / 4) as usize],
            o if (SGI_FRAME + 0x080..=SGI_FRAME + 0xcff).contains(&o) => {
                self.irq_reg_read_byte(cpu, 0..PRIVATE, o - SGI_FRAME)
            }
            _ => 0,
        }
    }

    fn redist_write_byte(&mut self, cpu: usize, offset: u64, value: u8) {
        match offset {
            // GICR_WAKER: only ProcessorSleep is writable; the interface
            // quiesces (or wakes) at once, so ChildrenAsleep follows it.
            0x0014 => {
                self.redists[cpu].processor_sleep = u32::from(value) & waker::PROCESSOR_SLEEP != 0;
            }
            o if (SGI_FRAME + 0x080..=SGI_FRAME + 0xcff).contains(&o) => {
                self.irq_reg_write_byte(cpu, 0..PRIVATE, o - SGI_FRAME, value)
            }
            _ => {}
        }
    }
}

/// The distributor frame on the bus. Nothing in it is banked under
/// affinity routing; the accessing CPU is still passed along (see
/// [`super::set_current_cpu`]).
pub struct GicV3Distributor(pub Arc<Mutex<GicV3>>);

impl MmioDevice for GicV3Distributor {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        lock(&self.0).dist_read(current_cpu(), offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        lock(&self.0).dist_write(current_cpu(), offset, size, value)
    }
}

/// The whole redistributor region on the bus, every CPU's frames in
/// turn.
pub struct GicV3Redistributors(pub Arc<Mutex<GicV3>>);

impl MmioDevice for GicV3Redistributors {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        lock(&self.0).redist_read(offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        lock(&self.0).redist_write(offset, size, value)
    }
}

impl super::InterruptController for GicV3 {
    fn set_notifier(&mut self, notifier: CpuNotifier) {
        GicV3::set_notifier(self, notifier)
    }
    fn cpu_irq_pending(&self, cpu: usize) -> bool {
        GicV3::cpu_irq_pending(self, cpu)
    }
    fn cpu_fiq_pending(&self, cpu: usize) -> bool {
        GicV3::cpu_fiq_pending(self, cpu)
    }
    fn set_spi(&mut self, intid: u32, level: bool) {
        GicV3::set_spi(self, intid, level)
    }
    fn set_ppi(&mut self, cpu: usize, intid: u32, level: bool) {
        GicV3::set_ppi(self, cpu, intid, level)
    }
    fn read_sysreg(&mut self, cpu: usize, reg: u16) -> Option<u64> {
        GicV3::read_sysreg(self, cpu, reg)
    }
    fn write_sysreg(&mut self, cpu: usize, reg: u16, value: u64) -> bool {
        GicV3::write_sysreg(self, cpu, reg, value)
    }
}

#[cfg(test)]
#[path = "v3_tests.rs"]
mod tests;
