//! The translated-code caches of one vCPU.
//!
//! Translations are keyed by virtual address, so they are valid only for
//! the address space they were made in. The kernel's half (TTBR1, bit 55
//! set) is the same in every process; the user half (TTBR0) changes with
//! each process. So each vCPU keeps engines for kernel code, one per TTBR1
//! table (a kernel that unmaps itself from user space, KPTI, switches
//! between two at every exception), which survive context switches, and a
//! few for user code, each holding the code of one address space (TTBR0's
//! table and the ASID): switching between a shell and the program it runs
//! does not translate either again. When code runs in an address space
//! none of them holds, the least recently used one of its half is emptied
//! and takes it. Kernel code is assumed to map the same under every ASID
//! (global, or identical per ASID as KPTI's tables are): a kernel whose
//! upper half differed by ASID and was invalidated by ASID alone would need
//! the ASID in the kernel key too. Linux invalidates kernel ranges with the
//! all-ASID forms and replaces TTBR1 tables with TLBI VMALLE1, which empty
//! everything. TLB maintenance and instruction-cache maintenance
//! by address drop the page's blocks in every engine
//! (`kestrel::jit::invalidate_range`); by ASID (whose reuse the
//! architecture requires to be preceded by TLB maintenance), all user
//! engines; the invalidate-all forms, everything ([`Flush`]).

use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{Engine, EngineConfig, ExitReason};

use crate::config::Tiers;

/// Which translations an invalidation drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// User code (TLBI ASIDE1).
    User,
    /// Everything (TLBI VMALLE1, IC IALLU, a changed translation regime).
    All,
}

/// User address spaces whose code a vCPU keeps.
const USER_SPACES: usize = 4;
/// Kernel address spaces (TTBR1 tables) whose code a vCPU keeps.
const KERNEL_SPACES: usize = 2;

/// One address space's code.
struct Space {
    engine: Engine,
    /// The address space the code was translated in, if any: for user
    /// code TTBR0_EL1's table base and the ASID, for kernel code TTBR1_EL1's
    /// table base.
    space: Option<(u64, u64)>,
    /// When it last ran (a counter of switches).
    last_used: u64,
}

/// Address spaces of one half, the least recently used giving way.
struct Spaces {
    all: Vec<Space>,
    /// The space running now (index into `all`).
    current: usize,
    switches: u64,
}

impl Spaces {
    fn new(count: usize, tiers: Tiers) -> Spaces {
        let all = (0..count).map(|_| Space { engine: system_engine(tiers), space: None, last_used: 0 }).collect();
        Spaces { all, current: 0, switches: 0 }
    }

    /// Drops every translation.
    fn flush(&mut self) {
        for s in &mut self.all {
            if s.space.take().is_some() {
                s.engine.flush_translations();
            }
        }
    }

    /// The engine of address space `space`, made current.
    fn engine(&mut self, space: (u64, u64)) -> &mut Engine {
        if self.all[self.current].space != Some(space) {
            self.switches += 1;
            let index = match self.all.iter().position(|s| s.space == Some(space)) {
                Some(i) => i,
                None => {
                    let (i, lru) = self.all.iter_mut().enumerate().min_by_key(|(_, s)| s.last_used).expect("address spaces");
                    if lru.space.is_some() {
                        lru.engine.flush_translations();
                    }
                    lru.space = Some(space);
                    i
                }
            };
            self.current = index;
        }
        let s = &mut self.all[self.current];
        s.last_used = self.switches;
        &mut s.engine
    }
}

/// The engines of a vCPU.
pub struct CodeCaches {
    kernel: Spaces,
    users: Spaces,
}

fn system_engine(tiers: Tiers) -> Engine {
    // Hot regions compile on the compiler thread while the vCPU goes on in
    // baseline code: compiling them in the vCPU's own loop cost a CPU-bound
    // guest 9% (its processes are short, and each one's hot code is
    // compiled anew), in the background it gains 8%.
    let config = EngineConfig { system: true, background: true, ..EngineConfig::default() };
    Engine::new(match tiers {
        Tiers::Baseline => EngineConfig { optimizing: false, ..config },
        // With a threshold of one, Cranelift compiles every block before
        // its first run and the baseline backend translates nothing.
        Tiers::Optimizing => EngineConfig { jit_threshold: 1, ..config },
        Tiers::Both | Tiers::Interpreter => config,
    })
}

impl CodeCaches {
    /// Empty caches for translated code of `tiers`; none for the
    /// interpreter.
    pub fn for_tiers(tiers: Tiers) -> Option<CodeCaches> {
        if tiers == Tiers::Interpreter {
            return None;
        }
        Some(CodeCaches { kernel: Spaces::new(KERNEL_SPACES, tiers), users: Spaces::new(USER_SPACES, tiers) })
    }

    /// Drops translations.
    pub fn flush(&mut self, what: Flush) {
        self.users.flush();
        if what == Flush::All {
            self.kernel.flush();
        }
    }

    /// Runs translated code from `cpu.pc` until it hands control back:
    /// kernel code in the address space of TTBR1_EL1's table `kernel_space`,
    /// user code in `user_space` (TTBR0_EL1's table base and the ASID). A
    /// fault abandons this call (see `kestrel::guard`).
    pub fn run(&mut self, cpu: &mut CpuState, kernel_space: u64, user_space: (u64, u64)) -> ExitReason {
        if (cpu.pc >> 55) & 1 == 1 {
            return self.kernel.engine((kernel_space, 0)).run(cpu);
        }
        self.users.engine(user_space).run(cpu)
    }
}
