//! Arm Generic Interrupt Controllers.
//!
//! Several GIC registers are banked: the same address means a different
//! register depending on which CPU accesses it (the SGI/PPI enables and
//! priorities, the whole CPU interface). [`MmioDevice`](super::MmioDevice)
//! carries no CPU number, so each vCPU thread records its index once with
//! [`set_current_cpu`] and the GIC's MMIO frames read it back.

use std::cell::Cell;

mod irq;
pub mod v2;
pub mod v3;

thread_local! {
    static CURRENT_CPU: Cell<usize> = const { Cell::new(0) };
}

/// Records that the calling thread runs vCPU `index`; banked GIC registers
/// accessed from this thread are that CPU's.
pub fn set_current_cpu(index: usize) {
    CURRENT_CPU.with(|c| c.set(index));
}

/// The vCPU the calling thread runs (0 on threads that never said).
pub fn current_cpu() -> usize {
    CURRENT_CPU.with(Cell::get)
}

/// Called with a CPU index whenever that CPU's interrupt outputs may have
/// changed, so the board can wake the vCPU thread from WFI. It runs with
/// the GIC locked: it must only signal (unpark, set a flag), never call
/// back into the GIC.
pub type CpuNotifier = Box<dyn Fn(usize) + Send + Sync>;

/// Locks a shared GIC, surviving a panic on another thread: the guest must
/// not be able to bring the emulator down through the interrupt controller.
fn lock<T: ?Sized>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the CPUs and devices need of an interrupt controller, whatever
/// its version: input lines, the outputs to each CPU, and (GICv3) the CPU
/// interface's system registers.
pub trait InterruptController: Send {
    /// Installs the callback told about every change of a CPU's outputs.
    fn set_notifier(&mut self, notifier: CpuNotifier);
    /// Whether CPU `cpu`'s IRQ input is asserted.
    fn cpu_irq_pending(&self, cpu: usize) -> bool;
    /// Whether CPU `cpu`'s FIQ input is asserted.
    fn cpu_fiq_pending(&self, cpu: usize) -> bool;
    /// Drives the input of SPI `intid` (32 and up).
    fn set_spi(&mut self, intid: u32, level: bool);
    /// Drives CPU `cpu`'s input of PPI `intid` (16..=31).
    fn set_ppi(&mut self, cpu: usize, intid: u32, level: bool);
    /// MRS of a CPU interface system register (ICC_*_EL1) by CPU `cpu`;
    /// `None` if the controller has no such register (GICv2 has none).
    fn read_sysreg(&mut self, _cpu: usize, _reg: u16) -> Option<u64> {
        None
    }
    /// MSR of a CPU interface system register; false if there is none.
    fn write_sysreg(&mut self, _cpu: usize, _reg: u16, _value: u64) -> bool {
        false
    }
}

/// An interrupt controller shared by the vCPUs and the devices.
pub type SharedGic = std::sync::Arc<std::sync::Mutex<dyn InterruptController>>;

/// Locks a shared interrupt controller (see [`lock`]).
pub fn lock_shared(gic: &SharedGic) -> std::sync::MutexGuard<'_, dyn InterruptController + 'static> {
    gic.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A device's wire to one SPI of either GIC version.
pub struct SpiLine {
    /// The controller.
    pub gic: SharedGic,
    /// The SPI's INTID (32 and up).
    pub intid: u32,
}

impl crate::devices::IrqLine for SpiLine {
    fn set_level(&self, level: bool) {
        lock_shared(&self.gic).set_spi(self.intid, level);
    }
}
