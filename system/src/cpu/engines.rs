//! The translated-code caches of one vCPU.
//!
//! Translations are keyed by virtual address, so they are valid only for
//! the address space they were made in. The kernel's half (TTBR1, bit 55
//! set) is the same in every process; the user half (TTBR0) changes with
//! each process. So each vCPU keeps one engine for kernel code, which
//! survives context switches, and a few for user code, each holding the
//! code of one address space (TTBR0's table and the ASID): switching between
//! a shell and the program it runs does not translate either again. When
//! user code runs in an address space none of them holds, the least
//! recently used one is emptied and takes it. TLB maintenance and instruction-cache maintenance
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

/// One user address space's code.
struct UserSpace {
    engine: Engine,
    /// The address space (TTBR0_EL1 table base, ASID) the code was
    /// translated in, if any.
    space: Option<(u64, u64)>,
    /// When it last ran (a counter of switches).
    last_used: u64,
}

/// The engines of a vCPU.
pub struct CodeCaches {
    kernel: Engine,
    users: Vec<UserSpace>,
    /// The user space running now (index into `users`).
    current: usize,
    switches: u64,
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
        let users = (0..USER_SPACES).map(|_| UserSpace { engine: system_engine(tiers), space: None, last_used: 0 }).collect();
        Some(CodeCaches { kernel: system_engine(tiers), users, current: 0, switches: 0 })
    }

    /// Drops translations.
    pub fn flush(&mut self, what: Flush) {
        for u in &mut self.users {
            if u.space.take().is_some() {
                u.engine.flush_translations();
            }
        }
        if what == Flush::All {
            self.kernel.flush_translations();
        }
    }

    /// The engine of user address space `space`, made current.
    fn user_space(&mut self, space: (u64, u64)) -> &mut Engine {
        if self.users[self.current].space != Some(space) {
            self.switches += 1;
            let index = match self.users.iter().position(|u| u.space == Some(space)) {
                Some(i) => i,
                None => {
                    let (i, lru) = self.users.iter_mut().enumerate().min_by_key(|(_, u)| u.last_used).expect("user spaces");
                    if lru.space.is_some() {
                        lru.engine.flush_translations();
                    }
                    lru.space = Some(space);
                    i
                }
            };
            self.current = index;
        }
        let u = &mut self.users[self.current];
        u.last_used = self.switches;
        &mut u.engine
    }

    /// Runs translated code from `cpu.pc` in user address space `space`
    /// (TTBR0_EL1's table base and the ASID) until it hands control back.
    /// A fault abandons this call (see `kestrel::guard`).
    pub fn run(&mut self, cpu: &mut CpuState, space: (u64, u64)) -> ExitReason {
        if (cpu.pc >> 55) & 1 == 1 {
            return self.kernel.run(cpu);
        }
        self.user_space(space).run(cpu)
    }
}
