//! Translated code: one code cache per translation regime, shared by the
//! vCPUs (a block of the kernel is translated once, whichever vCPU runs it
//! first), each vCPU keeping its own engines on the caches it runs.
//!
//! A translation is keyed by its translation regime ([`SpaceKey`]: SCTLR_EL1
//! and TCR_EL1, the table of the half the code lies in, and for user code
//! the ASID), its virtual address (the code of a block holds its pc: branch
//! targets, link addresses), and the physical page it was made from: a
//! block found by virtual address in its regime's cache must come from the
//! page the address maps to now, or it is dropped and made again
//! (`kestrel::jit::Engine::run_until_exit`). Writes to a physical page
//! that code was made from drop the code of every virtual page it was
//! fetched through (`code_pages`).
//!
//! The kernel's half (TTBR1, bit 55 set) is the same in every process, so
//! its caches survive context switches (a kernel that unmaps itself from
//! user space, KPTI, switches between two TTBR1 tables at every exception:
//! two caches). Each process's user half has its own (TTBR0's table and the
//! ASID): switching between a shell and the program it runs translates
//! neither again. With the MMU off, addresses are physical and one cache
//! serves every vCPU that runs with it off (the same SCTLR and TCR). Kernel
//! code is assumed to map the same under every ASID (global, or identical
//! per ASID as KPTI's tables are): a kernel whose upper half differed by
//! ASID and was invalidated by ASID alone would need the ASID in the kernel
//! key too. Linux invalidates kernel ranges with the all-ASID forms and
//! replaces TTBR1 tables with TLBI VMALLE1, which empty everything.
//!
//! The machine keeps a few caches of each half ([`SharedCodeCaches`]), the
//! least recently used one giving way (emptied in place if no vCPU runs it,
//! else left to the vCPUs that do); each vCPU keeps engines for the last
//! few regimes it ran ([`CodeCaches`]). TLB and instruction-cache
//! maintenance by address drop the page's blocks in every cache
//! (`kestrel::jit::invalidate_range`); by ASID, the caches of that ASID;
//! the invalidate-all forms, everything ([`Flush`]). The vCPU that
//! invalidates empties the machine's caches; the others, asked to for the
//! broadcast forms, drop their engines on what it emptied.

use std::sync::{Arc, Mutex};

use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::guest::aarch64::mmu::Regime;
use kestrel::jit::{CodeCache, Engine, EngineConfig, ExitReason};

use crate::config::Tiers;

/// What an invalidation does to translations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// The mappings of one ASID's user code may have changed (TLBI
    /// ASIDE1, the value of Xt[63:48]): its translations are checked
    /// against their physical pages again.
    Asid(u64),
    /// Any mapping may have changed (TLBI VMALLE1): every translation is
    /// checked against its physical page again.
    Mappings,
    /// Code may have changed (IC IALLU): every translation is dropped.
    All,
}

/// What translated code found by virtual address is valid for: the
/// translation regime of the half of the address space it lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceKey {
    /// SCTLR_EL1 (the MMU on or off, and what else translated code may
    /// depend on).
    sctlr: u64,
    /// TCR_EL1 (granule, sizes, top-byte-ignore, where the ASID is).
    tcr: u64,
    /// The translation table's base: TTBR1's for the kernel's half, TTBR0's
    /// for the user half, 0 with the MMU off.
    table: u64,
    /// The ASID of user code; 0 for the kernel's half and with the MMU off.
    asid: u64,
}

/// The two halves of the virtual address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    /// Bit 55 set: TTBR1.
    Kernel,
    /// Bit 55 clear: TTBR0.
    User,
}

/// Bits of a TTBR holding the table's base address.
const TABLE_BASE: u64 = 0x0000_ffff_ffff_fffe;
/// TCR_EL1.A1: the ASID is TTBR1's.
const TCR_A1: u64 = 1 << 22;
/// TCR_EL1.AS: 16-bit ASIDs (else 8).
const TCR_AS: u64 = 1 << 36;

impl SpaceKey {
    /// The half `pc` lies in and its regime's key.
    fn of(regime: &Regime, pc: u64) -> (Half, SpaceKey) {
        let (sctlr, tcr) = (regime.sctlr, regime.tcr);
        let half = if (pc >> 55) & 1 == 1 { Half::Kernel } else { Half::User };
        if sctlr & 1 == 0 {
            return (half, SpaceKey { sctlr, tcr, table: 0, asid: 0 });
        }
        let key = match half {
            Half::Kernel => SpaceKey { sctlr, tcr, table: regime.ttbr1 & TABLE_BASE, asid: 0 },
            Half::User => {
                let asid_from = if tcr & TCR_A1 != 0 { regime.ttbr1 } else { regime.ttbr0 };
                SpaceKey { sctlr, tcr, table: regime.ttbr0 & TABLE_BASE, asid: asid_from >> 48 }
            }
        };
        (half, key)
    }

    /// Whether a flush concerns this regime's code (of the half it is in).
    fn flushed_by(&self, half: Half, what: Flush) -> bool {
        match what {
            Flush::All => true,
            // With the MMU off nothing is mapped.
            Flush::Mappings => self.sctlr & 1 != 0,
            Flush::Asid(asid) => {
                let mask = if self.tcr & TCR_AS != 0 { 0xffff } else { 0xff };
                half == Half::User && self.sctlr & 1 != 0 && (self.asid ^ asid) & mask == 0
            }
        }
    }
}

/// Kernel regimes whose code the machine keeps (KPTI's two tables, the
/// MMU off, one to spare).
const KERNEL_SPACES: usize = 4;
/// User regimes whose code the machine keeps, beyond two per vCPU.
const USER_SPACES: usize = 4;
/// Engines a vCPU keeps, per half.
const LOCAL_KERNEL_ENGINES: usize = 2;
const LOCAL_USER_ENGINES: usize = 4;

/// One regime's cache, in the machine's list.
struct Pooled {
    key: SpaceKey,
    cache: Arc<CodeCache>,
    last_used: u64,
}

/// The code caches of the machine, by regime.
pub struct SharedCodeCaches {
    config: EngineConfig,
    halves: Mutex<Pools>,
}

struct Pools {
    kernel: Vec<Pooled>,
    user: Vec<Pooled>,
    user_capacity: usize,
    uses: u64,
}

fn system_config(tiers: Tiers) -> EngineConfig {
    // Hot regions compile on the compiler thread while the vCPU goes on in
    // baseline code: compiling them in the vCPU's own loop cost a CPU-bound
    // guest 9% (its processes are short, and each one's hot code is
    // compiled anew), in the background it gains 8%.
    let config = EngineConfig { system: true, background: true, ..EngineConfig::default() };
    match tiers {
        Tiers::Baseline => EngineConfig { optimizing: false, ..config },
        // With a threshold of one, Cranelift compiles every block before
        // its first run and the baseline backend translates nothing.
        Tiers::Optimizing => EngineConfig { jit_threshold: 1, ..config },
        Tiers::Both | Tiers::Interpreter => config,
    }
}

impl SharedCodeCaches {
    /// Empty caches for translated code of `tiers` run by `vcpus` vCPUs;
    /// none for the interpreter.
    pub fn for_tiers(tiers: Tiers, vcpus: usize) -> Option<Arc<SharedCodeCaches>> {
        if tiers == Tiers::Interpreter {
            return None;
        }
        let pools = Pools { kernel: Vec::new(), user: Vec::new(), user_capacity: USER_SPACES + 2 * vcpus, uses: 0 };
        Some(Arc::new(SharedCodeCaches { config: system_config(tiers), halves: Mutex::new(pools) }))
    }

    fn pools(&self) -> std::sync::MutexGuard<'_, Pools> {
        self.halves.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cache of regime `key` in `half`, made (or recycled) if the
    /// machine keeps none.
    fn cache(&self, half: Half, key: SpaceKey) -> Arc<CodeCache> {
        let mut pools = self.pools();
        pools.uses += 1;
        let (uses, capacity) = (pools.uses, if half == Half::Kernel { KERNEL_SPACES } else { pools.user_capacity });
        let list = if half == Half::Kernel { &mut pools.kernel } else { &mut pools.user };
        if let Some(p) = list.iter_mut().find(|p| p.key == key) {
            p.last_used = uses;
            return p.cache.clone();
        }
        if list.len() < capacity {
            let cache = CodeCache::new(&self.config);
            list.push(Pooled { key, cache: cache.clone(), last_used: uses });
            return cache;
        }
        // The least recently asked for, preferring one no vCPU runs (a
        // long-running process's vCPUs keep their engines and do not ask).
        // Engines come only from this list, under its lock: a cache only
        // the list holds is run by no one, and its memory is reused.
        let idle = |p: &Pooled| Arc::strong_count(&p.cache) == 1;
        let lru = list.iter_mut().min_by_key(|p| (!idle(p), p.last_used)).expect("a full list");
        let reuse = idle(lru);
        if !reuse {
            lru.cache = CodeCache::new(&self.config);
        }
        lru.key = key;
        lru.last_used = uses;
        let cache = lru.cache.clone();
        drop(pools);
        if reuse {
            // Outside the list's lock (it may wait for the compiler
            // thread). A vCPU that finds the cache meanwhile and
            // translates into it only loses that work.
            cache.flush();
        }
        cache
    }

    /// Applies `what` to the machine's caches. Dropped code is emptied in
    /// place where no vCPU runs it, else forgotten (the vCPUs that run it
    /// drop their engines when their own invalidation, or the request of a
    /// broadcast one, reaches them); remapped code is checked again.
    fn flush(&self, what: Flush) {
        let mut to_empty = Vec::new();
        {
            let mut pools = self.pools();
            let Pools { kernel, user, .. } = &mut *pools;
            for (half, list) in [(Half::Kernel, kernel), (Half::User, user)] {
                list.retain(|p| {
                    if !p.key.flushed_by(half, what) {
                        return true;
                    }
                    if what != Flush::All || Arc::strong_count(&p.cache) == 1 {
                        to_empty.push(p.cache.clone());
                        return true;
                    }
                    false
                });
            }
        }
        // Outside the list's lock: each may wait for the compiler thread.
        for cache in to_empty {
            if what == Flush::All {
                cache.flush();
            } else {
                cache.recheck_pages();
            }
        }
    }

    /// Whether `cache` is one of the machine's.
    fn keeps(&self, cache: &Arc<CodeCache>) -> bool {
        let pools = self.pools();
        pools.kernel.iter().chain(pools.user.iter()).any(|p| Arc::ptr_eq(&p.cache, cache))
    }
}

/// A vCPU's engine on one regime's cache.
struct Local {
    key: SpaceKey,
    cache: Arc<CodeCache>,
    engine: Engine,
    last_used: u64,
}

/// The engines of one half of a vCPU's address space.
struct Locals {
    half: Half,
    all: Vec<Local>,
    capacity: usize,
    /// The engine running now (index into `all`).
    current: Option<usize>,
    switches: u64,
}

impl Locals {
    fn new(half: Half, capacity: usize) -> Locals {
        Locals { half, all: Vec::new(), capacity, current: None, switches: 0 }
    }

    /// The engine on regime `key`'s cache, made current.
    fn engine(&mut self, key: SpaceKey, shared: &SharedCodeCaches) -> &mut Engine {
        let current = self.current.filter(|&i| self.all[i].key == key);
        let index = match current {
            Some(i) => i,
            None => {
                self.switches += 1;
                match self.all.iter().position(|l| l.key == key) {
                    Some(i) => i,
                    None => {
                        let cache = shared.cache(self.half, key);
                        let engine = Engine::sharing(shared.config.clone(), cache.clone());
                        let local = Local { key, cache, engine, last_used: 0 };
                        if self.all.len() < self.capacity {
                            self.all.push(local);
                            self.all.len() - 1
                        } else {
                            let (i, lru) = self.all.iter_mut().enumerate().min_by_key(|(_, l)| l.last_used).expect("engines");
                            *lru = local;
                            i
                        }
                    }
                }
            }
        };
        self.current = Some(index);
        let local = &mut self.all[index];
        local.last_used = self.switches;
        &mut local.engine
    }

    /// Applies `what` to the caches of this vCPU's engines: drops the
    /// engines on dropped code; checks remapped code again, unless the
    /// machine keeps the cache (the vCPU that invalidated has done it).
    fn flush(&mut self, what: Flush, shared: &SharedCodeCaches) {
        let half = self.half;
        if what != Flush::All {
            for l in self.all.iter().filter(|l| l.key.flushed_by(half, what)) {
                if !shared.keeps(&l.cache) {
                    l.cache.recheck_pages();
                }
            }
            return;
        }
        let before = self.all.len();
        self.all.retain(|l| !l.key.flushed_by(half, what));
        if self.all.len() != before {
            self.current = None;
        }
    }
}

/// The engines of a vCPU.
pub struct CodeCaches {
    shared: Arc<SharedCodeCaches>,
    kernel: Locals,
    users: Locals,
}

impl CodeCaches {
    /// A vCPU's engines on the machine's caches.
    pub fn new(shared: Arc<SharedCodeCaches>) -> CodeCaches {
        CodeCaches { shared, kernel: Locals::new(Half::Kernel, LOCAL_KERNEL_ENGINES), users: Locals::new(Half::User, LOCAL_USER_ENGINES) }
    }

    /// Drops translations: this vCPU's invalidation (`own`), which also
    /// empties the machine's caches, or another vCPU's broadcast one, which
    /// already has.
    pub fn flush(&mut self, what: Flush, own: bool) {
        // Dropped code: this vCPU's engines first, so that the machine can
        // empty the caches no other vCPU runs in place. Remapped code: the
        // machine's caches first, then those only this vCPU's engines hold.
        if own && what != Flush::All {
            self.shared.flush(what);
        }
        self.users.flush(what, &self.shared);
        self.kernel.flush(what, &self.shared);
        if own && what == Flush::All {
            self.shared.flush(what);
        }
    }

    /// Runs translated code from `cpu.pc` in translation regime `regime`
    /// until it hands control back. A fault abandons this call (see
    /// `kestrel::guard`).
    pub fn run(&mut self, cpu: &mut CpuState, regime: &Regime) -> ExitReason {
        let (half, key) = SpaceKey::of(regime, cpu.pc);
        let locals = if half == Half::Kernel { &mut self.kernel } else { &mut self.users };
        locals.engine(key, &self.shared).run(cpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regime(sctlr: u64, tcr: u64, ttbr0: u64, ttbr1: u64) -> Regime {
        Regime { sctlr, tcr, ttbr0, ttbr1 }
    }

    #[test]
    fn user_code_is_keyed_by_table_and_asid_kernel_code_by_its_table() {
        let r = regime(1, TCR_AS, 0x0005_0000_4000_1000, 0x0000_0000_4100_0000);
        let (half, key) = SpaceKey::of(&r, 0x40_0000);
        assert_eq!(half, Half::User);
        assert_eq!((key.table, key.asid), (0x4000_1000, 5));
        let (half, key) = SpaceKey::of(&r, 0xffff_8000_0800_0000);
        assert_eq!(half, Half::Kernel);
        assert_eq!((key.table, key.asid), (0x4100_0000, 0));
        // TCR.A1: the ASID is TTBR1's.
        let r = regime(1, TCR_A1, 0x4000_1000, 0x0007_0000_4100_0000);
        assert_eq!(SpaceKey::of(&r, 0x40_0000).1.asid, 7);
    }

    #[test]
    fn with_the_mmu_off_the_tables_do_not_matter() {
        let a = SpaceKey::of(&regime(0, 0, 0x1000, 0x2000), 0x4020_0000);
        let b = SpaceKey::of(&regime(0, 0, 0x3000, 0x4000), 0x4020_0000);
        assert_eq!(a, b);
        // Turning the MMU on is another regime.
        assert_ne!(a.1, SpaceKey::of(&regime(1, 0, 0x1000, 0x2000), 0x4020_0000).1);
    }

    fn user_key(asid: u64) -> SpaceKey {
        SpaceKey::of(&regime(1, TCR_AS, asid << 48 | 0x1000, 0x2000), 0x1000).1
    }

    #[test]
    fn vcpus_in_one_regime_share_its_cache() {
        let shared = SharedCodeCaches::for_tiers(Tiers::Baseline, 2).expect("translated tiers");
        let kernel = SpaceKey::of(&regime(1, TCR_AS, 0, 0x2000), 1 << 55).1;
        let a = shared.cache(Half::Kernel, kernel);
        assert!(Arc::ptr_eq(&a, &shared.cache(Half::Kernel, kernel)));
        assert!(!Arc::ptr_eq(&a, &shared.cache(Half::User, user_key(3))));
        assert!(!Arc::ptr_eq(&shared.cache(Half::User, user_key(3)), &shared.cache(Half::User, user_key(4))));
        // Engines of two vCPUs on the same regime run one cache.
        let mut vcpu0 = CodeCaches::new(shared.clone());
        let mut vcpu1 = CodeCaches::new(shared.clone());
        vcpu0.kernel.engine(kernel, &shared);
        vcpu1.kernel.engine(kernel, &shared);
        assert_eq!(Arc::strong_count(&a), 6, "the machine's list, `a`, and two vCPUs' engines and their records");
    }

    #[test]
    fn dropping_code_empties_idle_caches_and_forgets_those_in_use() {
        let shared = SharedCodeCaches::for_tiers(Tiers::Baseline, 1).expect("translated tiers");
        let in_use = shared.cache(Half::User, user_key(5));
        let idle = Arc::as_ptr(&shared.cache(Half::User, user_key(6)));
        shared.flush(Flush::All);
        assert_eq!(Arc::as_ptr(&shared.cache(Half::User, user_key(6))), idle);
        assert!(!Arc::ptr_eq(&in_use, &shared.cache(Half::User, user_key(5))));
    }

    #[test]
    fn remapping_keeps_every_cache() {
        let shared = SharedCodeCaches::for_tiers(Tiers::Baseline, 1).expect("translated tiers");
        let in_use = shared.cache(Half::User, user_key(5));
        let kernel_key = SpaceKey::of(&regime(1, TCR_AS, 0, 0x2000), 1 << 55).1;
        let kernel = shared.cache(Half::Kernel, kernel_key);
        shared.flush(Flush::Asid(5));
        shared.flush(Flush::Mappings);
        assert!(Arc::ptr_eq(&in_use, &shared.cache(Half::User, user_key(5))));
        assert!(Arc::ptr_eq(&kernel, &shared.cache(Half::Kernel, kernel_key)));
    }

    #[test]
    fn the_least_recently_used_regime_gives_way() {
        let shared = SharedCodeCaches::for_tiers(Tiers::Baseline, 1).expect("translated tiers");
        let capacity = USER_SPACES + 2;
        let held: Vec<_> = (0..capacity as u64).map(|asid| shared.cache(Half::User, user_key(asid))).collect();
        for asid in 1..capacity as u64 {
            shared.cache(Half::User, user_key(asid));
        }
        // ASID 0's cache is the oldest: a new regime takes its place in the
        // list, and whoever runs it keeps it.
        let newer = shared.cache(Half::User, user_key(100));
        assert!(!Arc::ptr_eq(&newer, &held[0]));
        assert!(!Arc::ptr_eq(&held[0], &shared.cache(Half::User, user_key(0))));
        assert_eq!(shared.pools().user.len(), capacity);
    }

    #[test]
    fn an_asid_flush_names_user_code_of_that_asid_only() {
        let user = |asid: u64, tcr: u64| SpaceKey::of(&regime(1, tcr, asid << 48 | 0x1000, 0x2000), 0x1000).1;
        assert!(user(5, TCR_AS).flushed_by(Half::User, Flush::Asid(5)));
        assert!(!user(6, TCR_AS).flushed_by(Half::User, Flush::Asid(5)));
        // 8-bit ASIDs: the upper byte is ignored.
        assert!(user(0x105, 0).flushed_by(Half::User, Flush::Asid(5)));
        assert!(!user(0x105, TCR_AS).flushed_by(Half::User, Flush::Asid(5)));
        let kernel = SpaceKey::of(&regime(1, TCR_AS, 0, 0x2000), 1 << 55).1;
        assert!(!kernel.flushed_by(Half::Kernel, Flush::Asid(0)));
        assert!(kernel.flushed_by(Half::Kernel, Flush::Mappings));
        assert!(kernel.flushed_by(Half::Kernel, Flush::All));
        // With the MMU off no TLB maintenance changes what code means.
        let physical = SpaceKey::of(&regime(0, 0, 0, 0), 0x4020_0000).1;
        assert!(!physical.flushed_by(Half::User, Flush::Mappings));
        assert!(physical.flushed_by(Half::User, Flush::All));
    }
}
