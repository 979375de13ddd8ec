//! The translated-code caches of one vCPU.
//!
//! Translations are keyed by virtual address, so they are valid only for
//! the address space they were made in. The kernel's half (TTBR1, bit 55
//! set) is the same in every process; the user half (TTBR0) changes with
//! each process. So each vCPU keeps two engines: kernel code survives
//! context switches, and user code is dropped when user code runs under a
//! different TTBR0 (value and ASID) than the one it was translated under.
//! TLB maintenance and instruction-cache maintenance by address drop the
//! pages they name in every engine (`kestrel::jit::invalidate_range`);
//! the invalidate-all forms drop whole engines ([`Flush`]).

use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{Engine, EngineConfig, ExitReason};

/// Which translations an invalidation drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// User code (TLBI ASIDE1, a new address space).
    User,
    /// Everything (TLBI VMALLE1, IC IALLU, a changed translation regime).
    All,
}

/// The two engines of a vCPU.
pub struct CodeCaches {
    kernel: Engine,
    user: Engine,
    /// The TTBR0_EL1 the user engine's code was translated under.
    user_ttbr0: Option<u64>,
}

fn system_engine() -> Engine {
    Engine::new(EngineConfig { system: true, optimizing: false, ..EngineConfig::default() })
}

impl CodeCaches {
    /// Empty caches.
    pub fn new() -> CodeCaches {
        CodeCaches { kernel: system_engine(), user: system_engine(), user_ttbr0: None }
    }

    /// Drops translations.
    pub fn flush(&mut self, what: Flush) {
        self.user.flush_translations();
        self.user_ttbr0 = None;
        if what == Flush::All {
            self.kernel.flush_translations();
        }
    }

    /// Runs translated code from `cpu.pc` under TTBR0_EL1 `ttbr0` until it
    /// hands control back. A fault abandons this call (see `kestrel::guard`).
    pub fn run(&mut self, cpu: &mut CpuState, ttbr0: u64) -> ExitReason {
        if (cpu.pc >> 55) & 1 == 1 {
            return self.kernel.run(cpu);
        }
        if self.user_ttbr0 != Some(ttbr0) {
            if self.user_ttbr0.is_some() {
                self.user.flush_translations();
            }
            self.user_ttbr0 = Some(ttbr0);
        }
        self.user.run(cpu)
    }
}

impl Default for CodeCaches {
    fn default() -> Self {
        Self::new()
    }
}
