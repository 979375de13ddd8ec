//! GICv2 (Arm IHI 0048B) without the Security Extensions, as qemu's `virt`
//! board presents it under TCG: a distributor (GICD, 4 KiB) and one CPU
//! interface per CPU (GICC, 8 KiB with GICC_DIR at 0x1000).
//!
//! Every access is treated as Secure, as the architecture specifies for a
//! GIC without the Security Extensions: GICD_CTLR and GICC_CTLR have both
//! group-enable bits, Group 0 may be signalled as FIQ (GICC_CTLR.FIQEn),
//! and GICC_IAR hands out Group 1 interrupts only with GICC_CTLR.AckCtl.
//!
//! State follows section 3.2 of the spec. An interrupt is pending when its
//! pending latch is set (an edge, or a GICD_ISPENDR write) or, if it is
//! level-sensitive, while its input is high; so acknowledging a level
//! interrupt whose line is still high leaves it active and pending, and it
//! is signalled again once deactivated. SGIs are edge-triggered and keep
//! one pending bit per source CPU. Priority drop uses a stack of active
//! priorities per CPU interface, so nested preemption unwinds in order.

use std::sync::{Arc, Mutex};

use super::irq::Irq;
use super::{current_cpu, lock, CpuNotifier};
use crate::devices::MmioDevice;

/// GICv2 addresses at most 8 CPUs (8-bit target lists).
pub const MAX_CPUS: usize = 8;
/// Interrupt lines implemented at most: SGIs, PPIs and 988 SPIs (INTIDs
/// 1020-1023 are special).
pub const MAX_IRQS: usize = 1020;
/// Size of the distributor frame.
pub const DIST_SIZE: u64 = 0x1000;
/// Size of the CPU interface frame (GICC_DIR lives in the second page).
pub const CPU_IF_SIZE: u64 = 0x2000;

/// INTID read from GICC_IAR when nothing can be acknowledged.
pub const SPURIOUS: u32 = 1023;
/// INTID read from GICC_IAR when the best interrupt is Group 1 and
/// GICC_CTLR.AckCtl is clear.
pub const GROUP1_PENDING: u32 = 1022;

const SGIS: usize = 16;
const PRIVATE: usize = 32;

/// GIC-400 identification, which Linux and firmware recognise.
const GICD_IIDR: u32 = 0x0200_143b;
const GICC_IIDR: u32 = 0x0202_143b;
/// GICD_PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0..0xffc.
const DIST_ID: [u8; 12] = [0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1];

/// GICC_CTLR bits (Secure layout).
mod ctlr {
    pub const ENABLE_GRP0: u32 = 1 << 0;
    pub const ENABLE_GRP1: u32 = 1 << 1;
    pub const ACK_CTL: u32 = 1 << 2;
    pub const FIQ_EN: u32 = 1 << 3;
    pub const CBPR: u32 = 1 << 4;
    pub const EOI_MODE: u32 = 1 << 9;
    pub const MASK: u32 = 0x3ff;
}

/// SGIs and PPIs, banked per CPU.
struct Bank {
    private: [Irq; PRIVATE],
    /// Per SGI, the CPUs it is pending from (bit n = CPU n).
    sgi_sources: [u8; SGIS],
}

impl Bank {
    fn new() -> Self {
        let mut private = [Irq::default(); PRIVATE];
        for sgi in &mut private[..SGIS] {
            // SGI enables are RAO/WI and SGIs are always edge-triggered.
            sgi.enabled = true;
            sgi.edge = true;
        }
        Self { private, sgi_sources: [0; SGIS] }
    }
}

/// An acknowledged interrupt whose priority has not been dropped yet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Running {
    intid: u32,
    source: u32,
    group_priority: u8,
}

/// One CPU interface.
#[derive(Default)]
struct CpuInterface {
    ctlr: u32,
    pmr: u8,
    bpr: u8,
    abpr: u8,
    running: Vec<Running>,
    irq_out: bool,
    fiq_out: bool,
}

impl CpuInterface {
    fn new() -> Self {
        Self { abpr: 1, ..Self::default() }
    }

    /// Running priority; 0x100 when idle so every priority is above it.
    fn running_priority(&self) -> u16 {
        self.running.last().map_or(0x100, |r| u16::from(r.group_priority))
    }

    /// The group-priority part of `priority` (the bits that preempt),
    /// per GICC_BPR for Group 0 and GICC_ABPR for Group 1.
    fn group_priority(&self, priority: u8, group1: bool) -> u8 {
        let shift = if group1 && self.ctlr & ctlr::CBPR == 0 {
            u32::from(self.abpr)
        } else {
            u32::from(self.bpr) + 1
        };
        priority & (0xffu32 << shift) as u8
    }
}

/// Which groups an acknowledge-style read may return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Groups {
    Any,
    Group1Only,
}

/// The highest-priority pending interrupt of one CPU.
#[derive(Clone, Copy)]
struct Candidate {
    intid: u32,
    source: u32,
    priority: u8,
    group1: bool,
}

impl Candidate {
    /// The value GICC_IAR/HPPIR report: INTID, and the source for SGIs.
    fn iar_value(&self) -> u32 {
        self.intid | (self.source << 10)
    }
}

/// A GICv2 distributor and its CPU interfaces.
pub struct GicV2 {
    num_cpus: usize,
    num_irqs: usize,
    dist_ctlr: u32,
    banks: Vec<Bank>,
    spis: Vec<Irq>,
    spi_targets: Vec<u8>,
    cpus: Vec<CpuInterface>,
    notifier: Option<CpuNotifier>,
}

impl GicV2 {
    /// A GIC for `num_cpus` CPUs (1..=8) with `num_irqs` interrupt lines,
    /// rounded up to a multiple of 32 within 32..=256.
    pub fn new(num_cpus: usize, num_irqs: usize) -> Self {
        let num_cpus = num_cpus.clamp(1, MAX_CPUS);
        let num_irqs = num_irqs.clamp(PRIVATE, MAX_IRQS).next_multiple_of(32).min(1024);
        let spis = num_irqs - PRIVATE;
        Self {
            num_cpus,
            num_irqs,
            dist_ctlr: 0,
            banks: (0..num_cpus).map(|_| Bank::new()).collect(),
            spis: vec![Irq::default(); spis],
            spi_targets: vec![0; spis],
            cpus: (0..num_cpus).map(|_| CpuInterface::new()).collect(),
            notifier: None,
        }
    }

    /// Installs the callback told about every change of a CPU's outputs.
    pub fn set_notifier(&mut self, notifier: CpuNotifier) {
        self.notifier = Some(notifier);
    }

    /// Number of CPU interfaces.
    pub fn num_cpus(&self) -> usize {
        self.num_cpus
    }

    /// Whether CPU `cpu`'s nIRQ input is asserted.
    pub fn cpu_irq_pending(&self, cpu: usize) -> bool {
        self.cpus.get(cpu).is_some_and(|c| c.irq_out)
    }

    /// Whether CPU `cpu`'s nFIQ input is asserted (Group 0 with FIQEn).
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
            self.banks[cpu].private[intid].set_input(level);
            self.update();
        }
    }

    fn irq(&self, cpu: usize, intid: usize) -> &Irq {
        if intid < PRIVATE {
            &self.banks[cpu].private[intid]
        } else {
            &self.spis[intid - PRIVATE]
        }
    }

    fn irq_mut(&mut self, cpu: usize, intid: usize) -> &mut Irq {
        if intid < PRIVATE {
            &mut self.banks[cpu].private[intid]
        } else {
            &mut self.spis[intid - PRIVATE]
        }
    }

    fn is_pending(&self, cpu: usize, intid: usize) -> bool {
        if intid < SGIS {
            self.banks[cpu].sgi_sources[intid] != 0
        } else {
            self.irq(cpu, intid).pending()
        }
    }

    fn targets(&self, cpu: usize, intid: usize) -> bool {
        if intid < PRIVATE || self.num_cpus == 1 {
            return true;
        }
        self.spi_targets[intid - PRIVATE] & (1 << cpu) != 0
    }

    /// The highest-priority interrupt that is pending, enabled, inactive
    /// and aimed at `cpu`, with its group enabled in both the distributor
    /// and the CPU interface. Ties go to the lowest INTID.
    fn best_pending(&self, cpu: usize, groups: Groups) -> Option<Candidate> {
        let cpu_ctlr = self.cpus[cpu].ctlr;
        let mut best: Option<Candidate> = None;
        for intid in 0..self.num_irqs {
            let irq = self.irq(cpu, intid);
            if !irq.enabled || irq.active || !self.is_pending(cpu, intid) {
                continue;
            }
            let group_bit = if irq.group1 { ctlr::ENABLE_GRP1 } else { ctlr::ENABLE_GRP0 };
            if self.dist_ctlr & group_bit == 0 || cpu_ctlr & group_bit == 0 {
                continue;
            }
            if groups == Groups::Group1Only && !irq.group1 {
                continue;
            }
            if !self.targets(cpu, intid) {
                continue;
            }
            if best.is_some_and(|b| b.priority <= irq.priority) {
                continue;
            }
            let source = if intid < SGIS {
                self.banks[cpu].sgi_sources[intid].trailing_zeros()
            } else {
                0
            };
            best = Some(Candidate {
                intid: intid as u32,
                source,
                priority: irq.priority,
                group1: irq.group1,
            });
        }
        best
    }

    /// Whether `c` may interrupt `cpu` now: above the priority mask and
    /// preempting the running priority.
    fn can_signal(&self, cpu: usize, c: &Candidate) -> bool {
        let cif = &self.cpus[cpu];
        c.priority < cif.pmr
            && u16::from(cif.group_priority(c.priority, c.group1)) < cif.running_priority()
    }

    /// Recomputes every CPU's outputs and tells the notifier about changes.
    fn update(&mut self) {
        for cpu in 0..self.num_cpus {
            let (mut irq, mut fiq) = (false, false);
            if let Some(c) = self.best_pending(cpu, Groups::Any) {
                if self.can_signal(cpu, &c) {
                    if !c.group1 && self.cpus[cpu].ctlr & ctlr::FIQ_EN != 0 {
                        fiq = true;
                    } else {
                        irq = true;
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

    /// GICC_IAR (`groups == Any`) or GICC_AIAR: acknowledges the best
    /// interrupt, making it active and raising the running priority.
    fn acknowledge(&mut self, cpu: usize, groups: Groups) -> u32 {
        let Some(c) = self.best_pending(cpu, groups) else {
            return SPURIOUS;
        };
        if !self.can_signal(cpu, &c) {
            return SPURIOUS;
        }
        if groups == Groups::Any && c.group1 && self.cpus[cpu].ctlr & ctlr::ACK_CTL == 0 {
            return GROUP1_PENDING;
        }
        let intid = c.intid as usize;
        if intid < SGIS {
            self.banks[cpu].sgi_sources[intid] &= !(1 << c.source);
        }
        let irq = self.irq_mut(cpu, intid);
        irq.latched = false;
        irq.active = true;
        let cif = &mut self.cpus[cpu];
        let group_priority = cif.group_priority(c.priority, c.group1);
        cif.running.push(Running { intid: c.intid, source: c.source, group_priority });
        self.update();
        c.iar_value()
    }

    /// GICC_EOIR / GICC_AEOIR: priority drop, plus deactivation unless
    /// GICC_CTLR.EOImode splits it out to GICC_DIR. A value that matches
    /// no acknowledged interrupt is ignored.
    fn end_of_interrupt(&mut self, cpu: usize, value: u32) {
        let intid = value & 0x3ff;
        let source = if (intid as usize) < SGIS { (value >> 10) & 7 } else { 0 };
        let running = &mut self.cpus[cpu].running;
        let Some(at) = running.iter().rposition(|r| r.intid == intid && r.source == source)
        else {
            return;
        };
        running.remove(at);
        if self.cpus[cpu].ctlr & ctlr::EOI_MODE == 0 {
            self.irq_mut(cpu, intid as usize).active = false;
        }
        self.update();
    }

    /// GICC_DIR: deactivation, only meaningful with GICC_CTLR.EOImode.
    fn deactivate(&mut self, cpu: usize, value: u32) {
        let intid = (value & 0x3ff) as usize;
        if self.cpus[cpu].ctlr & ctlr::EOI_MODE != 0 && intid < self.num_irqs {
            self.irq_mut(cpu, intid).active = false;
            self.update();
        }
    }

    /// GICC_HPPIR / GICC_AHPPIR: the best pending interrupt, regardless of
    /// the priority mask and running priority.
    fn highest_pending(&self, cpu: usize, groups: Groups) -> u32 {
        match self.best_pending(cpu, groups) {
            None => SPURIOUS,
            Some(c)
                if groups == Groups::Any
                    && c.group1
                    && self.cpus[cpu].ctlr & ctlr::ACK_CTL == 0 =>
            {
                GROUP1_PENDING
            }
            Some(c) => c.iar_value(),
        }
    }

    /// Reads a CPU interface register of CPU `cpu`. Registers are 32-bit;
    /// other sizes and unknown offsets read as zero.
    pub fn cpu_read(&mut self, cpu: usize, offset: u64, size: u8) -> u64 {
        if cpu >= self.num_cpus || size != 4 || offset & 3 != 0 {
            return 0;
        }
        let value = match offset {
            0x00 => self.cpus[cpu].ctlr,
            0x04 => u32::from(self.cpus[cpu].pmr),
            0x08 => u32::from(self.cpus[cpu].bpr),
            0x0c => self.acknowledge(cpu, Groups::Any),
            0x14 => self.cpus[cpu].running_priority().min(0xff) as u32,
            0x18 => self.highest_pending(cpu, Groups::Any),
            0x1c => u32::from(self.cpus[cpu].abpr),
            0x20 => self.acknowledge(cpu, Groups::Group1Only),
            0x28 => self.highest_pending(cpu, Groups::Group1Only),
            0xfc => GICC_IIDR,
            _ => 0,
        };
        u64::from(value)
    }

    /// Writes a CPU interface register of CPU `cpu`.
    pub fn cpu_write(&mut self, cpu: usize, offset: u64, size: u8, value: u64) {
        if cpu >= self.num_cpus || size != 4 || offset & 3 != 0 {
            return;
        }
        let value = value as u32;
        let cif = &mut self.cpus[cpu];
        match offset {
            0x00 => cif.ctlr = value & ctlr::MASK,
            0x04 => cif.pmr = value as u8,
            0x08 => cif.bpr = (value & 7) as u8,
            0x10 | 0x24 => return self.end_of_interrupt(cpu, value),
            0x1c => cif.abpr = (value & 7).max(1) as u8,
            0x1000 => return self.deactivate(cpu, value),
            _ => return,
        }
        self.update();
    }

    // ---- Distributor ------------------------------------------------

    /// Reads distributor registers as seen by CPU `cpu`. Any size works:
    /// the access is assembled byte by byte, which is how the spec's
    /// byte-accessible registers (priorities, targets, SGI pending) and
    /// the word-accessible bitmaps both fall out of one decoder.
    pub fn dist_read(&mut self, cpu: usize, offset: u64, size: u8) -> u64 {
        if cpu >= self.num_cpus || offset >= DIST_SIZE || !matches!(size, 1 | 2 | 4 | 8) {
            return 0;
        }
        (0..u64::from(size))
            .map(|i| u64::from(self.dist_read_byte(cpu, offset + i)) << (8 * i))
            .sum()
    }

    /// Writes distributor registers as CPU `cpu`. GICD_SGIR takes only a
    /// whole 32-bit write.
    pub fn dist_write(&mut self, cpu: usize, offset: u64, size: u8, value: u64) {
        if cpu >= self.num_cpus || offset >= DIST_SIZE || !matches!(size, 1 | 2 | 4 | 8) {
            return;
        }
        if (0xf00..0xf04).contains(&offset) {
            if offset == 0xf00 && size == 4 {
                self.send_sgi(cpu, value as u32);
                self.update();
            }
            return;
        }
        for i in 0..u64::from(size) {
            self.dist_write_byte(cpu, offset + i, (value >> (8 * i)) as u8);
        }
        self.update();
    }

    /// The 8 interrupts one byte of a 1-bit-per-interrupt bitmap covers.
    fn bitmap_ids(&self, offset: u64, base: u64) -> Option<usize> {
        let first = ((offset - base) * 8) as usize;
        (first < self.num_irqs).then_some(first)
    }

    fn dist_read_byte(&self, cpu: usize, offset: u64) -> u8 {
        let bits = |test: &dyn Fn(usize) -> bool, first: usize| {
            (0..8).filter(|&i| test(first + i)).fold(0u8, |acc, i| acc | 1 << i)
        };
        match offset {
            0x000..=0x003 => (self.dist_ctlr >> (8 * offset)) as u8,
            0x004..=0x007 => {
                let typer = (self.num_irqs / 32 - 1) as u32 | ((self.num_cpus as u32 - 1) << 5);
                (typer >> (8 * (offset - 4))) as u8
            }
            0x008..=0x00b => (GICD_IIDR >> (8 * (offset - 8))) as u8,
            0x080..=0x0ff => self
                .bitmap_ids(offset, 0x080)
                .map_or(0, |f| bits(&|id| self.irq(cpu, id).group1, f)),
            0x100..=0x1ff => self
                .bitmap_ids(offset & !0x80, 0x100)
                .map_or(0, |f| bits(&|id| self.irq(cpu, id).enabled, f)),
            0x200..=0x2ff => self
                .bitmap_ids(offset & !0x80, 0x200)
                .map_or(0, |f| bits(&|id| self.is_pending(cpu, id), f)),
            0x300..=0x3ff => self
                .bitmap_ids(offset & !0x80, 0x300)
                .map_or(0, |f| bits(&|id| self.irq(cpu, id).active, f)),
            0x400..=0x7fb => {
                let id = (offset - 0x400) as usize;
                if id < self.num_irqs {
                    self.irq(cpu, id).priority
                } else {
                    0
                }
            }
            0x800..=0xbfb => {
                let id = (offset - 0x800) as usize;
                if self.num_cpus == 1 || id >= self.num_irqs {
                    0
                } else if id < PRIVATE {
                    1 << cpu
                } else {
                    self.spi_targets[id - PRIVATE]
                }
            }
            0xc00..=0xcff => {
                let first = ((offset - 0xc00) * 4) as usize;
                (0..4)
                    .filter(|&i| first + i < self.num_irqs && self.irq(cpu, first + i).edge)
                    .fold(0u8, |acc, i| acc | 2 << (2 * i))
            }
            0xf10..=0xf2f => self.banks[cpu].sgi_sources[((offset - 0xf10) % 16) as usize],
            0xfd0..=0xfff if offset & 3 == 0 => DIST_ID[((offset - 0xfd0) / 4) as usize],
            _ => 0,
        }
    }

    fn dist_write_byte(&mut self, cpu: usize, offset: u64, value: u8) {
        // Applies `f` to each interrupt whose bit is set in `value`.
        // SGI enables are RAO/WI and SGI pending state goes through
        // GICD_SGIR and GICD_[CS]PENDSGIR, so those ops skip SGIs.
        let each_bit = |gic: &mut Self, base: u64, skip_sgis: bool, f: &dyn Fn(&mut Irq)| {
            let Some(first) = gic.bitmap_ids(offset, base) else {
                return;
            };
            for id in (0..8).filter(|i| value & (1 << i) != 0).map(|i| first + i) {
                if !(skip_sgis && id < SGIS) {
                    f(gic.irq_mut(cpu, id));
                }
            }
        };
        match offset {
            0x000 => self.dist_ctlr = u32::from(value) & 3,
            0x080..=0x0ff => {
                if let Some(first) = self.bitmap_ids(offset, 0x080) {
                    for i in 0..8 {
                        self.irq_mut(cpu, first + i).group1 = value & (1 << i) != 0;
                    }
                }
            }
            0x100..=0x17f => each_bit(self, 0x100, true, &|irq| irq.enabled = true),
            0x180..=0x1ff => each_bit(self, 0x180, true, &|irq| irq.enabled = false),
            // Clearing pending drops only the latch: a level-sensitive
            // interrupt whose line is high stays pending.
            0x200..=0x27f => each_bit(self, 0x200, true, &|irq| irq.latched = true),
            0x280..=0x2ff => each_bit(self, 0x280, true, &|irq| irq.latched = false),
            0x300..=0x37f => each_bit(self, 0x300, false, &|irq| irq.active = true),
            0x380..=0x3ff => each_bit(self, 0x380, false, &|irq| irq.active = false),
            0x400..=0x7fb => {
                let id = (offset - 0x400) as usize;
                if id < self.num_irqs {
                    self.irq_mut(cpu, id).priority = value;
                }
            }
            0x800..=0xbfb => {
                // SGI/PPI targets are read-only; so is everything on a
                // uniprocessor GIC.
                let id = (offset - 0x800) as usize;
                if self.num_cpus > 1 && (PRIVATE..self.num_irqs).contains(&id) {
                    self.spi_targets[id - PRIVATE] = value & ((1u16 << self.num_cpus) - 1) as u8;
                }
            }
            0xc00..=0xcff => {
                let first = ((offset - 0xc00) * 4) as usize;
                for i in 0..4 {
                    let id = first + i;
                    // SGIs stay edge-triggered.
                    if (SGIS..self.num_irqs).contains(&id) {
                        self.irq_mut(cpu, id).edge = value & (2 << (2 * i)) != 0;
                    }
                }
            }
            0xf10..=0xf1f => self.banks[cpu].sgi_sources[(offset - 0xf10) as usize] &= !value,
            0xf20..=0xf2f => {
                let mask = ((1u16 << self.num_cpus) - 1) as u8;
                self.banks[cpu].sgi_sources[(offset - 0xf20) as usize] |= value & mask;
            }
            _ => {}
        }
    }

    /// GICD_SGIR: TargetListFilter 0 = the CPUTargetList, 1 = all but the
    /// sender, 2 = the sender only, 3 = reserved (ignored).
    fn send_sgi(&mut self, cpu: usize, value: u32) {
        let sgi = (value & 0xf) as usize;
        let all = ((1u16 << self.num_cpus) - 1) as u8;
        let targets = match (value >> 24) & 3 {
            0 => (value >> 16) as u8 & all,
            1 => all & !(1 << cpu),
            2 => 1 << cpu,
            _ => 0,
        };
        for target in (0..self.num_cpus).filter(|t| targets & (1 << t) != 0) {
            self.banks[target].sgi_sources[sgi] |= 1 << cpu;
        }
    }
}


/// The distributor frame on the bus; banked registers are those of the
/// CPU whose thread accesses it (see [`super::set_current_cpu`]).
pub struct GicV2Distributor(pub Arc<Mutex<GicV2>>);

impl MmioDevice for GicV2Distributor {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        lock(&self.0).dist_read(current_cpu(), offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        lock(&self.0).dist_write(current_cpu(), offset, size, value)
    }
}

/// The CPU interface frame on the bus, for the accessing CPU.
pub struct GicV2CpuInterface(pub Arc<Mutex<GicV2>>);

impl MmioDevice for GicV2CpuInterface {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        lock(&self.0).cpu_read(current_cpu(), offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        lock(&self.0).cpu_write(current_cpu(), offset, size, value)
    }
}

impl super::InterruptController for GicV2 {
    fn set_notifier(&mut self, notifier: CpuNotifier) {
        GicV2::set_notifier(self, notifier)
    }
    fn cpu_irq_pending(&self, cpu: usize) -> bool {
        GicV2::cpu_irq_pending(self, cpu)
    }
    fn cpu_fiq_pending(&self, cpu: usize) -> bool {
        GicV2::cpu_fiq_pending(self, cpu)
    }
    fn set_spi(&mut self, intid: u32, level: bool) {
        GicV2::set_spi(self, intid, level)
    }
    fn set_ppi(&mut self, cpu: usize, intid: u32, level: bool) {
        GicV2::set_ppi(self, cpu, intid, level)
    }
}

#[cfg(test)]
#[path = "v2_tests.rs"]
mod tests;
