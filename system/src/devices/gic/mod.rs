//! Arm Generic Interrupt Controllers.
//!
//! Several GIC registers are banked: the same address means a different
//! register depending on which CPU accesses it (the SGI/PPI enables and
//! priorities, the whole CPU interface). [`MmioDevice`](super::MmioDevice)
//! carries no CPU number, so each vCPU thread records its index once with
//! [`set_current_cpu`] and the GIC's MMIO frames read it back.

use std::cell::Cell;

pub mod v2;

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
