//! The code cache: every translation of a process, shared by all its
//! threads (a block is translated once, whichever thread runs it first).
//!
//! One lock guards the cache. A thread takes it in its execution loop to
//! find or make the code for a guest pc, lets it go, and runs the code
//! without it; translated code never takes it. Decoding reads guest memory,
//! which can fault, so blocks are decoded before the lock is taken.
//!
//! Code is never freed while a thread may run it. Replacing code in place
//! (chaining, sending a block's entry to its optimised region or back to the
//! execution loop) writes aligned words that other threads' instruction
//! fetch sees whole. Dropping code (a full arena, an optimised generation
//! made stale by an invalidation) retires it with the current *epoch* and
//! starts a new one; each thread records the epoch it has seen whenever it
//! is in its execution loop holding no pointer into code (after forgetting
//! its indirect-branch tables), or "outside" while the front end runs, and
//! retired code is freed once every thread has seen a later epoch.

use super::background::{self, Done, Job};
use super::cache::{self, Block, PcMap};
use super::compiler::{CodeMap, Compiler, OptLevel, RetiredModule, Trampoline};
use super::{collect_region, perfmap, persist, persist_key, stats, EngineConfig, EngineStats};
use crate::backend::x86::{self, Baseline, RetiredCode, TranslateError};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// A thread's epoch while it is outside its execution loop: it holds no
/// pointer into translated code.
pub(super) const OUTSIDE: u64 = u64::MAX;

/// Where the cache's Cranelift compiler is.
pub(super) enum Optimizer {
    /// Here, ready.
    Idle(Compiler),
    /// On the compiler thread with a job of generation `generation`, from
    /// process `pid`.
    Busy { results: std::sync::mpsc::Receiver<Done>, pid: u32, generation: u64 },
    /// No optimising tier (disabled, unavailable, or lost).
    Off,
}

/// Code no thread can enter any more, kept until none can be inside it.
enum Retired {
    Baseline(RetiredCode),
    Optimised { _module: RetiredModule, maps: Vec<CodeMap> },
}

/// The translations of one process (user mode) or one address space of one
/// vCPU (system mode), shared by the engines that run them.
pub struct CodeCache {
    state: Mutex<Translations>,
    /// What an execution loop reads without the lock.
    pub(super) signals: Arc<Signals>,
}

/// The part of the cache's state an execution loop reads without taking the
/// lock, to run a block it already has in its own table (see
/// `Engine::run_until_exit`). Written only under the lock.
#[derive(Default)]
pub(super) struct Signals {
    /// The current epoch.
    pub epoch: AtomicU64,
    /// The compiler thread has finished a job: some execution loop must
    /// take the lock to install it (set by the compiler thread).
    pub compiler_done: Arc<AtomicBool>,
    /// Counters changed since they were last added to the process totals.
    pub unpublished: AtomicBool,
}

/// The epoch an engine has seen (see the module comment), which the engine
/// writes without the lock and the cache reads under it.
pub(super) type ReaderEpoch = Arc<AtomicU64>;

// SAFETY: the raw code pointers inside `Translations` point into executable
// memory owned by the cache itself (arena, modules), which it frees only as
// described in the module comment; every access goes through the mutex.
unsafe impl Send for CodeCache {}
// SAFETY: as above.
unsafe impl Sync for CodeCache {}

impl Drop for Translations {
    /// The cache is going away (system mode: an address space's code no
    /// vCPU runs any more): the compiler's current module is freed with it
    /// (a module is otherwise only freed once retired).
    fn drop(&mut self) {
        if let Optimizer::Idle(c) = std::mem::replace(&mut self.optimizer, Optimizer::Off) {
            // SAFETY: the last engine on this cache is gone, so no thread
            // runs its code or holds a pointer into it; the compiler thread
            // holds only a weak reference.
            unsafe { c.free_code() };
        }
    }
}

/// Attempts to take the cache's lock before sleeping on it (see
/// [`CodeCache::lock`]).
const SPINS_BEFORE_SLEEPING: u32 = 500;

/// The cache of this process's threads (user mode).
static PROCESS: std::sync::OnceLock<Arc<CodeCache>> = std::sync::OnceLock::new();

impl CodeCache {
    /// The cache every thread of this process shares, made with `config`
    /// by the first thread to ask.
    pub fn for_process(config: &EngineConfig) -> Arc<CodeCache> {
        PROCESS.get_or_init(|| CodeCache::new(config)).clone()
    }

    /// Drops every translation (system mode: a cache given to another
    /// address space).
    pub fn flush(&self) {
        self.lock().flush();
    }

    /// System mode, after TLB maintenance that may have changed the
    /// mappings of this cache's code: see [`Translations::recheck_pages`].
    pub fn recheck_pages(&self) {
        self.lock().recheck_pages();
    }

    /// The process's cache's lock, if it has one (see `cache::lock_for_fork`).
    pub(super) fn lock_process() -> Option<MutexGuard<'static, Translations>> {
        PROCESS.get().map(|c| c.lock())
    }

    /// An empty cache translating as `config` says. If Cranelift cannot be
    /// set up on this host, it stays in the first tier.
    pub fn new(config: &EngineConfig) -> Arc<CodeCache> {
        let signals = Arc::new(Signals::default());
        Arc::new_cyclic(|me| CodeCache { state: Mutex::new(Translations::new(config.clone(), signals.clone(), me.clone())), signals })
    }

    /// Takes the cache's lock (a thread that panicked while holding it left
    /// nothing half-done that matters more than going on).
    ///
    /// The lock is held for a few microseconds at a time (a lookup, one
    /// block's translation), so a thread that finds it taken spins for
    /// about as long before it sleeps: sleeping and being woken (two
    /// futex calls and two context switches) cost more than the wait, and
    /// made a multi-threaded JVM start-up 1.3x slower than with a cache
    /// per thread.
    pub(super) fn lock(&self) -> MutexGuard<'_, Translations> {
        for _ in 0..SPINS_BEFORE_SLEEPING {
            match self.state.try_lock() {
                Ok(guard) => return guard,
                Err(std::sync::TryLockError::Poisoned(e)) => return e.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => std::hint::spin_loop(),
            }
        }
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything behind the cache's lock.
pub(super) struct Translations {
    pub config: EngineConfig,
    pub blocks: PcMap<Box<Block>>,
    pub optimizer: Optimizer,
    /// Enters Cranelift code of the current generation.
    pub trampoline: Option<Trampoline>,
    /// Hot region heads waiting for the compiler to come back.
    pending_hot: Vec<u64>,
    /// The invalidation generation (`cache::code_generation`) applied.
    pub generation: u64,
    /// Host-code maps of the compiled regions (for attributing host faults).
    code_maps: Vec<CodeMap>,
    /// The baseline backend, unless disabled or unavailable.
    pub baseline: Option<Baseline>,
    /// Statistics.
    pub stats: EngineStats,
    /// What was last added to the process totals.
    published: stats::Totals,
    /// The last block's IR, whose allocation the next one reuses.
    ir: crate::ir::Block,
    /// A persistent-cache record being installed (its buffers are reused).
    record: x86::CodeRecord,
    /// Guest page -> the blocks decoded from it (a block never crosses a page).
    page_blocks: PcMap<Vec<u64>>,
    /// Guest pages of code in optimised regions.
    opt_pages: std::collections::HashSet<u64>,
    /// The epoch (bumped whenever code is retired) and the other state
    /// execution loops read without the lock.
    signals: Arc<Signals>,
    /// Retired code with the epoch it was retired in.
    retired: Vec<(u64, Retired)>,
    /// Each engine's last seen epoch ([`OUTSIDE`] while outside its loop),
    /// by engine number.
    readers: Vec<(u64, ReaderEpoch)>,
    next_reader: u64,
    /// The cache this is the state of, for the compiler thread.
    owner: std::sync::Weak<CodeCache>,
    /// System mode: how many times [`Translations::recheck_pages`] ran
    /// (see `Block::checked_in`).
    pub rechecks: u64,
}

impl Translations {
    fn new(config: EngineConfig, signals: Arc<Signals>, owner: std::sync::Weak<CodeCache>) -> Translations {
        let opt = if config.optimize { OptLevel::Speed } else { OptLevel::None };
        let mut compiler = if config.interpret_only || !config.optimizing { None } else { Compiler::new(opt).ok() };
        if let Some(c) = compiler.as_mut() {
            c.dump = config.dump_code;
            c.soft_mmu = config.system;
        }
        let trampoline = compiler.as_ref().map(|c| c.trampoline());
        let mut baseline = if config.baseline && !config.interpret_only { super::new_baseline() } else { None };
        if let (true, Some(b)) = (config.system, baseline.as_mut()) {
            b.use_soft_mmu();
        }
        Translations {
            config,
            blocks: PcMap::default(),
            optimizer: compiler.map_or(Optimizer::Off, Optimizer::Idle),
            trampoline,
            pending_hot: Vec::new(),
            generation: cache::code_generation(),
            code_maps: Vec::new(),
            baseline,
            stats: EngineStats::default(),
            published: stats::Totals::default(),
            ir: crate::ir::Block::default(),
            record: x86::CodeRecord::default(),
            page_blocks: PcMap::default(),
            opt_pages: std::collections::HashSet::new(),
            signals,
            retired: Vec::new(),
            readers: Vec::new(),
            next_reader: 0,
            owner,
            rechecks: 0,
        }
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.signals.epoch.load(Ordering::Relaxed)
    }

    /// Starts a new epoch. Sequentially consistent, as are the engines'
    /// records of the epoch they have seen and their reading of it outside
    /// the lock: an engine that records epoch `e` and then still reads `e`
    /// as current is seen by every later [`Translations::free_retired`]
    /// (which then keeps what was retired in `e`).
    fn next_epoch(&mut self) {
        self.signals.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Registers a new engine (outside its loop); returns its number and
    /// its record of the epoch it has seen.
    pub fn add_reader(&mut self) -> (u64, ReaderEpoch) {
        let id = self.next_reader;
        self.next_reader += 1;
        let seen = Arc::new(AtomicU64::new(OUTSIDE));
        self.readers.push((id, seen.clone()));
        (id, seen)
    }

    /// Forgets an engine that went away.
    pub fn remove_reader(&mut self, id: u64) {
        self.readers.retain(|(r, _)| *r != id);
        self.free_retired();
    }

    /// Records that `seen` (an engine's record) has seen `epoch` (or
    /// [`OUTSIDE`]).
    pub fn set_reader(&mut self, seen: &AtomicU64, epoch: u64) {
        seen.store(epoch, Ordering::SeqCst);
        if epoch != OUTSIDE && !self.retired.is_empty() {
            self.free_retired();
        }
    }

    /// After `fork`, in the child: the other threads are gone, and they
    /// cannot be running anything.
    pub fn forget_other_threads(&mut self) {
        for (_, seen) in self.readers.iter() {
            seen.store(OUTSIDE, Ordering::SeqCst);
        }
        self.free_retired();
    }

    /// Frees the retired code no engine can be inside any more.
    fn free_retired(&mut self) {
        let oldest_seen = self.readers.iter().map(|(_, e)| e.load(Ordering::SeqCst)).min().unwrap_or(OUTSIDE);
        self.retired.retain(|&(epoch, _)| epoch >= oldest_seen);
    }

    /// Keeps `code` until no engine can be inside it and starts a new epoch;
    /// asks every running CPU back to its loop, where it lets go of it.
    fn retire(&mut self, code: Retired) {
        self.retired.push((self.epoch(), code));
        self.next_epoch();
        cache::request_exit_everywhere();
    }

    /// True when hot regions go to Cranelift.
    pub fn optimizing(&self) -> bool {
        self.config.optimizing && !self.config.interpret_only && !matches!(self.optimizer, Optimizer::Off)
    }

    /// Drops every translation (invalidation beyond the log, a full arena,
    /// system mode's address space change).
    pub fn flush(&mut self) {
        self.blocks.clear();
        self.page_blocks.clear();
        self.opt_pages.clear();
        if self.readers.len() <= 1 {
            if let Some(b) = self.baseline.as_mut() {
                // One engine (system mode's, or a process's only thread),
                // which is in its loop or in its front end: no code runs,
                // and the arena can be reused in place.
                // SAFETY: every pointer into the arena (blocks, chain sites,
                // the engine's tables, which the epoch change below makes it
                // forget before it runs code again) is dropped.
                unsafe { b.reset() };
            }
        } else if let Some(old) = self.baseline.as_mut().and_then(|b| b.renew()) {
            self.retire(Retired::Baseline(old));
        }
        // (Without a fresh arena the full one stays: new blocks are
        // interpreted until the other threads' code can be dropped.)
        // A region out on the compiler thread belongs to the old generation:
        // wait for the compiler and drop the result.
        self.collect_optimized(true);
        self.pending_hot.clear();
        self.new_optimised_generation();
    }

    /// System mode, after TLB maintenance that may have changed any mapping:
    /// keeps the translations, but sends every way into them that skips the
    /// execution loop's physical-page check (see `Engine::run_until_exit`)
    /// through it again. Baseline chains are undone; optimised regions
    /// (whose blocks may lie in several pages) are dropped; a new epoch
    /// makes every thread forget its indirect-branch tables. Blocks whose
    /// address maps elsewhere now are made again when next looked up;
    /// kernel code, which TLBI VMALLE1 leaves mapped as it was, is not.
    pub fn recheck_pages(&mut self) {
        self.rechecks += 1;
        if let Some(b) = self.baseline.as_mut() {
            // SAFETY: the recorded sites are code of the current arena (a
            // reset or a renewal forgets them).
            unsafe { b.unchain_all() };
        }
        let optimised = !self.code_maps.is_empty() || !matches!(self.optimizer, Optimizer::Idle(_) | Optimizer::Off);
        if optimised {
            self.flush_optimised();
        } else {
            // No region installed or being compiled: a new epoch is all it
            // takes (regions compiled from now on take only blocks checked
            // again).
            self.pending_hot.clear();
            self.next_epoch();
        }
    }

    /// Whether the block at `pc`, if there is one, comes from `phys_page`,
    /// the page its address maps to now: if so it is noted as checked (see
    /// `Block::checked_in`). Always true in user mode (`None`), without a
    /// lookup.
    pub fn page_checks_out(&mut self, pc: u64, phys_page: Option<u64>) -> bool {
        if phys_page.is_none() {
            return true;
        }
        let rechecks = self.rechecks;
        match self.blocks.get_mut(&pc) {
            Some(b) if b.phys_page != phys_page => false,
            Some(b) => {
                b.checked_in = rechecks;
                true
            }
            None => true,
        }
    }

    /// Retires the optimised code (the compiler starts a new module) and
    /// counts a flush.
    fn new_optimised_generation(&mut self) {
        self.trampoline = None;
        let maps = std::mem::take(&mut self.code_maps);
        if let Optimizer::Idle(c) = &mut self.optimizer {
            match c.flush() {
                Ok(old) => {
                    self.trampoline = Some(c.trampoline());
                    self.retire(Retired::Optimised { _module: old, maps });
                }
                Err(_) => {
                    // Its code stays installed and reads the chain slots
                    // the compiler owns: leak it rather than drop it.
                    if let Optimizer::Idle(c) = std::mem::replace(&mut self.optimizer, Optimizer::Off) {
                        std::mem::forget(c);
                    }
                }
            }
        }
        // The tables of every engine hold old code: a new epoch makes each
        // forget its own.
        self.next_epoch();
        self.stats.flushes += 1;
        self.signals.unpublished.store(true, Ordering::Relaxed);
        self.free_retired();
    }

    /// Applies the invalidations logged since this cache last looked.
    pub fn check_generation(&mut self) {
        if cache::code_generation() == self.generation {
            return;
        }
        match cache::changes_since(self.generation) {
            (now, Some(ranges)) => {
                self.generation = now;
                self.invalidate_pages(&ranges);
            }
            (now, None) => {
                self.generation = now;
                self.flush();
            }
        }
    }

    /// Adds `block`, decoded when the invalidation generation was
    /// `decoded_in`, and with the baseline on translates it; unless another
    /// thread added it meanwhile, or its page was invalidated since it was
    /// read: it may hold the old bytes, and comes back (the caller runs it
    /// once in the interpreter, as a fetch racing with the rewrite may, so
    /// that a page rewritten all the time cannot stop the thread).
    pub fn add(&mut self, mut block: Box<Block>, decoded_in: u64) -> Result<(), Box<Block>> {
        let pc = block.pc;
        if self.blocks.contains_key(&pc) {
            return Ok(());
        }
        self.check_generation();
        if decoded_in != self.generation {
            let page = pc / cache::PAGE_SIZE;
            match cache::changes_since(decoded_in) {
                (_, Some(ranges)) if !ranges.iter().any(|&(first, last)| (first..=last).contains(&page)) => {}
                _ => return Err(block),
            }
        }
        let started = Instant::now();
        self.signals.unpublished.store(true, Ordering::Relaxed);
        self.stats.blocks_built += 1;
        self.stats.insns_built += block.insns.len() as u64;
        // With a threshold of one the optimising tier compiles every block
        // before its first run, so the baseline would be wasted work.
        let opt_first = self.optimizing() && self.config.jit_threshold <= 1;
        if !opt_first && self.baseline.is_some() {
            let hot_after = self.optimizing().then_some(self.config.jit_threshold);
            let image = persist::image_at(pc);
            let stored = image.as_ref().map(|im| (im, persist_key(&block, hot_after)));
            let installed = stored.and_then(|(im, (words, flags))| {
                if !im.cached(pc, words, flags, &mut self.record) {
                    return None;
                }
                let baseline = self.baseline.as_mut()?;
                baseline.install(&self.record, pc, im.base, hot_after)?.ok()
            });
            if image.is_some() {
                let counter = if installed.is_some() { &persist::HITS } else { &persist::MISSES };
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            block.baseline = match installed {
                Some(t) => Some(t),
                None => self.translate_baseline(pc, &block, hot_after, image.as_ref()),
            };
            if let (Some(t), true) = (block.baseline, self.config.perfmap) {
                perfmap::record(t.entry as u64, t.len as u64, pc, "baseline");
            }
        }
        block.checked_in = self.rechecks;
        self.blocks.insert(pc, block);
        self.page_blocks.entry(pc / cache::PAGE_SIZE).or_default().push(pc);
        self.stats.baseline_time += started.elapsed();
        Ok(())
    }

    /// Lowers and translates `block` with the baseline backend; inside a
    /// registered image, also keeps the translation for the persistent
    /// cache.
    fn translate_baseline(&mut self, pc: u64, block: &Block, hot_after: Option<u32>, image: Option<&persist::ImageAt>) -> Option<x86::Translation> {
        let ir = crate::guest::aarch64::lower::lower_block_into(std::mem::take(&mut self.ir), pc, &block.insns);
        let range = image.map(|im| im.range());
        let baseline = self.baseline.as_mut()?;
        let mut result = baseline.translate(&ir, hot_after, range);
        if matches!(result, Err(TranslateError::ArenaFull)) {
            self.flush();
            // The flush emptied the block map and gave a fresh arena.
            let baseline = self.baseline.as_mut()?;
            result = baseline.translate(&ir, hot_after, range);
        }
        if let (Ok(_), Some(im), Some(baseline)) = (&result, image, self.baseline.as_ref()) {
            let (words, flags) = persist_key(block, hot_after);
            im.add(pc, words, flags, &baseline.record(im.base));
        }
        self.ir = ir;
        result.ok()
    }

    /// Compiles the region headed by the block at `pc` with Cranelift: on
    /// the compiler thread (the guest goes on meanwhile), or at once when
    /// the block has nothing else to run in or background compiling is off.
    pub fn compile_region(&mut self, pc: u64) {
        let compiler = match std::mem::replace(&mut self.optimizer, Optimizer::Off) {
            Optimizer::Idle(c) => c,
            busy => {
                self.optimizer = busy;
                if !self.pending_hot.contains(&pc) {
                    self.pending_hot.push(pc);
                }
                return;
            }
        };
        let threshold = self.config.jit_threshold;
        let region: Vec<cache::RegionBlock> = collect_region(&self.blocks, pc, threshold, self.rechecks)
            .iter()
            .filter_map(|p| self.blocks.get(p).map(|b| b.region_part()))
            .collect();
        let (reply, results) = std::sync::mpsc::channel();
        let (done, owner) = (self.signals.compiler_done.clone(), self.owner.clone());
        // Run by the compiler thread once the result is sent: it installs
        // the result and starts the next hot region itself, so that a guest
        // that stays in translated code (and seldom passes through its
        // execution loop) gets its regions as soon as they are ready (GNU
        // sort's hot compare loop waited 650 ms in a 0.8 s run).
        //
        // It must never wait for the lock: its holder may be waiting for
        // this thread's next result (a flush collects the job that is out).
        // When the lock stays taken, the execution loops are asked back to
        // collect the result themselves.
        let finished = Box::new(move || {
            done.store(true, Ordering::Release);
            let Some(cache) = owner.upgrade() else { return };
            for _ in 0..SPINS_BEFORE_SLEEPING {
                match cache.state.try_lock() {
                    Ok(mut t) => return t.collect_optimized(false),
                    Err(std::sync::TryLockError::Poisoned(e)) => return e.into_inner().collect_optimized(false),
                    Err(std::sync::TryLockError::WouldBlock) => std::hint::spin_loop(),
                }
            }
            cache::request_exit_everywhere();
        });
        let job = Job { compiler, region, reply, finished };
        let in_background = self.config.background && self.blocks.get(&pc).is_some_and(|b| b.baseline.is_some() || threshold > 1);
        let job = if in_background {
            match background::submit(job) {
                Ok(()) => {
                    self.optimizer = Optimizer::Busy { results, pid: std::process::id(), generation: self.generation };
                    return;
                }
                Err(job) => job,
            }
        } else {
            job
        };
        // Under the lock: compiling on this thread with the lock let go, so
        // that the other threads go on, crashed Node.js (a wild jump in
        // translated code) whenever another thread installed the result;
        // the cause is not found yet.
        let done = crate::guard::unguarded(|| background::run(job));
        self.install(done, self.generation, false);
    }

    /// True when the compiler thread has sent a result not collected yet.
    pub fn compiler_result_waits(&self) -> bool {
        self.signals.compiler_done.load(Ordering::Acquire)
    }

    /// True when a compile job is out or hot regions wait for the compiler.
    pub fn compiler_has_work(&self) -> bool {
        matches!(self.optimizer, Optimizer::Busy { .. }) || !self.pending_hot.is_empty()
    }

    /// Takes back the compiler and installs its result if a job is done (or,
    /// with `wait`, once it is); then starts the next waiting hot region.
    pub fn collect_optimized(&mut self, wait: bool) {
        // Cleared before looking (a result sent after this sets it again),
        // whatever the state: a result another thread collected between its
        // sending and the flag's setting leaves the flag set, which would
        // keep every execution loop on the locked path.
        self.signals.compiler_done.store(false, Ordering::Relaxed);
        if let Optimizer::Busy { results, pid, generation } = &self.optimizer {
            let (pid, generation) = (*pid, *generation);
            if pid != std::process::id() {
                // Forked while the job was out: the thread that had it does
                // not exist here. Stay with the baseline tier.
                if let Optimizer::Busy { results, .. } = std::mem::replace(&mut self.optimizer, Optimizer::Off) {
                    std::mem::forget(results);
                }
                self.pending_hot.clear();
                return;
            }
            let done = if wait { results.recv().ok() } else { results.try_recv().ok() };
            match done {
                Some(done) => self.install(done, generation, true),
                None if wait => self.optimizer = Optimizer::Off,
                None => return,
            }
        }
        if wait {
            return;
        }
        while let Some(pc) = self.pending_hot.pop() {
            if !matches!(self.optimizer, Optimizer::Idle(_)) {
                self.pending_hot.push(pc);
                return;
            }
            if self.blocks.get(&pc).is_some_and(|b| b.code.is_none() && !b.uncompilable) {
                self.compile_region(pc);
            }
        }
    }

    /// Installs a finished compilation of generation `generation` (made on
    /// the compiler thread if `background`).
    fn install(&mut self, done: Done, generation: u64, background: bool) {
        let Done { compiler, head, result, insns, elapsed, pages } = done;
        self.optimizer = compiler.map_or(Optimizer::Off, Optimizer::Idle);
        self.stats.compile_time += elapsed;
        self.signals.unpublished.store(true, Ordering::Relaxed);
        // Code of an older generation (the cache flushed since the job
        // left) must not run.
        if generation != self.generation {
            return;
        }
        // Invalidations logged but not applied yet (the compiler thread
        // installs without applying them): a region made from a rewritten
        // page must not be entered.
        if cache::code_generation() != self.generation {
            match cache::changes_since(self.generation) {
                (_, Some(ranges)) if !pages.iter().any(|p| ranges.iter().any(|&(first, last)| (first..=last).contains(p))) => {}
                _ => return,
            }
        }
        let Some(block) = self.blocks.get_mut(&head) else { return };
        match result {
            Ok((code, map)) if block.code.is_none() => {
                if self.config.perfmap {
                    perfmap::record(map.start, map.len, head, "opt");
                }
                block.code = Some(code as *const u8);
                self.opt_pages.extend(pages);
                self.code_maps.push(map);
                self.stats.blocks_compiled += 1;
                self.stats.compiled_in_background += u64::from(background);
                self.stats.insns_compiled += insns as u64;
                if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                    // Entries into the baseline code (chains, the threads'
                    // indirect tables) now continue in the region. SAFETY:
                    // the translation is current; the region's code lives
                    // until `flush_optimised` un-retires the entry (and
                    // retires the region) or a flush.
                    block.bridged = unsafe { b.retire_to(&t, code as *const u8) };
                }
            }
            Ok(_) => {}
            Err(_) => block.uncompilable = true,
        }
    }

    /// Points the exit that just left through `slot` at the code for `pc`.
    /// A baseline exit (a rel32 field in the arena) goes to the target's
    /// baseline entry (which leads into its region when it has one); an
    /// optimised exit (a code pointer slot) goes to the target's region, or
    /// to its baseline code when the tiers run mixed. `entered` is the
    /// epoch in which the code that left was entered: the slot belongs to
    /// live code only if nothing was retired since. In system mode the
    /// target must come from `phys_page`, the page `pc` maps to now.
    pub fn chain(&mut self, slot: u64, pc: u64, entered: u64, phys_page: Option<u64>) {
        if entered != self.epoch() || self.generation != cache::code_generation() {
            return;
        }
        if !self.page_checks_out(pc, phys_page) {
            return;
        }
        let Some(target) = self.blocks.get(&pc) else { return };
        match self.baseline.as_mut() {
            Some(b) if b.contains(slot) => {
                if let Some(t) = target.baseline {
                    // SAFETY: the site was just left by current code and the
                    // target is a current translation.
                    unsafe { b.patch_chain(slot, t.entry) };
                }
            }
            baseline => {
                let code = target.code.or_else(|| baseline.and(target.baseline).map(|t| t.entry));
                if let Some(code) = code {
                    // SAFETY: optimised chain slots live as long as their
                    // generation, current (checked above); an aligned
                    // 8-byte store is seen whole by other threads.
                    unsafe { (*(slot as *const std::sync::atomic::AtomicU64)).store(code as u64, std::sync::atomic::Ordering::Release) };
                }
            }
        }
    }

    /// The guest instruction whose translated code contains `host_pc`, in
    /// current or retired code.
    pub fn guest_pc_at(&self, host_pc: u64) -> Option<u64> {
        let current = self.baseline.as_ref().and_then(|b| b.guest_pc_at(host_pc));
        let optimised = || self.code_maps.iter().find_map(|m| m.guest_pc(host_pc));
        let retired = || {
            self.retired.iter().find_map(|(_, r)| match r {
                Retired::Baseline(code) => code.guest_pc_at(host_pc),
                Retired::Optimised { maps, .. } => maps.iter().find_map(|m| m.guest_pc(host_pc)),
            })
        };
        current.or_else(optimised).or_else(retired)
    }

    /// Drops the blocks decoded from the pages `[first, last]` of `ranges`,
    /// and every optimised region that includes code from them.
    fn invalidate_pages(&mut self, ranges: &[(u64, u64)]) {
        let mut hit_optimised = false;
        for &(first, last) in ranges {
            let pages: Vec<u64> = if last - first < self.page_blocks.len() as u64 {
                (first..=last).filter(|p| self.page_blocks.contains_key(p)).collect()
            } else {
                self.page_blocks.keys().copied().filter(|p| (first..=last).contains(p)).collect()
            };
            hit_optimised |= self.opt_pages.iter().any(|p| (first..=last).contains(p));
            for page in pages {
                for pc in self.page_blocks.remove(&page).unwrap_or_default() {
                    let Some(block) = self.blocks.remove(&pc) else { continue };
                    if block.code.is_some() {
                        hit_optimised = true;
                    }
                    if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                        // Chains and the threads' tables that lead to it now
                        // leave to the execution loop, which finds the new
                        // code. SAFETY: a current translation.
                        unsafe { b.retire(&t) };
                    }
                }
            }
        }
        if hit_optimised {
            self.flush_optimised();
        }
    }

    /// Drops every optimised region; their blocks run baseline code again.
    fn flush_optimised(&mut self) {
        // A region out on the compiler thread may include dropped code: wait
        // for the compiler (the result is discarded: its generation is old).
        self.collect_optimized(true);
        self.pending_hot.clear();
        self.opt_pages.clear();
        let threshold = self.config.jit_threshold;
        for block in self.blocks.values_mut() {
            block.exec_count = 0;
            block.uncompilable = false;
            block.bridged = false;
            if block.code.take().is_some() {
                if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                    // SAFETY: a current translation.
                    unsafe { b.unretire(&t, threshold) };
                }
            }
        }
        self.new_optimised_generation();
    }

    /// This cache's counters as process totals.
    pub fn totals(&self) -> stats::Totals {
        let b = self.baseline.as_ref().map(|b| b.stats).unwrap_or_default();
        stats::Totals {
            blocks: self.stats.blocks_built,
            insns: self.stats.insns_built,
            baseline_blocks: b.blocks,
            baseline_insns: b.guest_insns,
            baseline_bytes: b.code_bytes,
            baseline_ns: self.stats.baseline_time.as_nanos() as u64,
            opt_regions: self.stats.blocks_compiled,
            opt_background: self.stats.compiled_in_background,
            opt_insns: self.stats.insns_compiled,
            opt_ns: self.stats.compile_time.as_nanos() as u64,
            flushes: self.stats.flushes,
            // Counted by each engine for its own thread.
            ..stats::Totals::default()
        }
    }

    /// Adds the new counts to the process totals (only when there are new
    /// ones: this runs at every return to the front end).
    pub fn publish_stats(&mut self) {
        self.signals.unpublished.store(false, Ordering::Relaxed);
        let p = &self.published;
        if p.blocks == self.stats.blocks_built && p.opt_regions == self.stats.blocks_compiled && p.flushes == self.stats.flushes {
            return;
        }
        let now = self.totals();
        now.publish_since(&self.published);
        self.published = now;
    }
}
