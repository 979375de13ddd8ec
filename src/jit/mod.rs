//! Execution tiers, the code cache and the execution loop.
//!
//! A new block is decoded, lowered to Kestrel IR and translated by the
//! baseline backend (`crate::backend::x86`, about a microsecond a block); its
//! code counts its runs and, after `jit_threshold` of them, asks this loop to
//! compile it with Cranelift together with the blocks around it that have run
//! (the optimising tier). Without the baseline (`--tiers interp,opt`) the
//! first tier is the reference interpreter. Translated blocks jump straight
//! to each other (patched direct jumps in baseline code, chain slots in
//! Cranelift code) and through indirect-branch tables, returning to this
//! loop only for system calls, exceptions, exit requests, hot blocks and
//! targets not translated yet.

pub mod background;
pub mod cache;
pub mod compiler;
pub mod emit;
pub mod helpers;
pub mod perfmap;
pub mod persist;
pub mod stats;
pub mod tiers;
pub mod translations;

use crate::guest::aarch64::cpu::CpuState;
use crate::guest::aarch64::interp::{self, Exception, Flow};
use cache::Block;
use compiler::Trampoline;
use emit::{jump_cache_index, status, JumpCacheEntry, JUMP_CACHE_ENTRIES};
use crate::backend::x86::{self, Baseline};
use translations::Translations;
pub use translations::CodeCache;
use crate::guest::aarch64::cpu::offsets;
use crate::ir::ExitStatus;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use cache::invalidate_range;
pub use tiers::{FirstTier, Tiers};

/// Why the engine handed control back to the front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The guest executed `SVC #imm`; `cpu.pc` already points after it.
    Syscall,
    /// Unallocated or unimplemented instruction at `cpu.pc` (SIGILL).
    Undefined { pc: u64, word: u32 },
    /// `BRK #imm` at `cpu.pc` (SIGTRAP).
    Breakpoint { pc: u64, imm: u16 },
    /// Misaligned atomic or exclusive access (SIGBUS) at `cpu.pc`.
    Alignment { pc: u64, addr: u64 },
    /// Branch Target exception (FEAT_BTI) at `cpu.pc` (SIGILL).
    BranchTarget { pc: u64 },
    /// `cpu.exit_request` was set (signals, invalidation).
    ExitRequest,
    /// System mode: the instruction `word` at `pc` (= `cpu.pc`) is a system
    /// instruction or an unprivileged load/store, which the front end
    /// executes itself (its meaning depends on the exception level and the
    /// system registers, which translated code does not see).
    System { pc: u64, word: u32 },
}

/// Engine settings chosen by the front end.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Run everything in the first tier (interpreter); never compile.
    pub interpret_only: bool,
    /// Executions of a block before it is compiled by Cranelift.
    pub jit_threshold: u32,
    /// Optimise compiled code (slower compilation, faster code).
    pub optimize: bool,
    /// Print the IR and host code of every compiled region to stderr.
    pub dump_code: bool,
    /// Translate new blocks with the baseline backend (else interpret them).
    pub baseline: bool,
    /// Compile hot regions with Cranelift.
    pub optimizing: bool,
    /// Write `/tmp/perf-PID.map` for `perf report`.
    pub perfmap: bool,
    /// Compile hot regions on the compiler thread while the guest runs on
    /// (else in the execution loop, before going on).
    pub background: bool,
    /// System mode: guest memory through the thread's software MMU
    /// (`crate::mem::set_system_memory`), instruction fetch with execute
    /// permission, system instructions handed to the front end
    /// ([`ExitReason::System`]); both backends look the software TLB up
    /// inline.
    pub system: bool,
}

impl Default for EngineConfig {
    /// The threshold is a cold-code trade-off, measured on Debian arm64
    /// programs with baseline code as the first tier: Cranelift pays off only
    /// for code that runs very often. From 1000 to 50000 executions,
    /// `python3 -c pass` went from 0.35 to 0.14 s, node worker_threads from
    /// 7.8 to 5.8 s and gcc -O2 -c of a small project from 6.0 to 2.0 s,
    /// while the C kernels of bench/run.sh kept their speed.
    fn default() -> Self {
        EngineConfig {
            interpret_only: false,
            jit_threshold: 50_000,
            optimize: true,
            dump_code: false,
            baseline: true,
            optimizing: true,
            perfmap: false,
            // Hot regions compile on the process's compiler thread while
            // the guest runs on in baseline code.
            background: true,
            system: false,
        }
    }
}

/// Counters for `-d stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct EngineStats {
    /// Blocks decoded.
    pub blocks_built: u64,
    /// Guest instructions decoded.
    pub insns_built: u64,
    /// Time spent decoding, lowering and translating with the baseline backend.
    pub baseline_time: Duration,
    /// Regions compiled by Cranelift.
    pub blocks_compiled: u64,
    /// Of those, the regions compiled on the compiler thread.
    pub compiled_in_background: u64,
    /// Guest instructions in those regions.
    pub insns_compiled: u64,
    /// Time spent in Cranelift.
    pub compile_time: Duration,
    /// Code cache flushes (invalidation or a full arena).
    pub flushes: u64,
}

/// One thread's indirect-branch tables (guest pc -> code), which translated
/// code finds through `CpuState::baseline_targets` and `region_targets`:
/// per thread, so that entries are only ever written by the thread that
/// reads them.
struct JumpTables {
    /// For baseline code: baseline entries.
    baseline: Box<[JumpCacheEntry]>,
    /// For optimised code: regions, or baseline entries (which optimised
    /// code may continue in directly).
    region: Box<[JumpCacheEntry]>,
}

impl JumpTables {
    fn new() -> JumpTables {
        let empty = || vec![x86::EMPTY; JUMP_CACHE_ENTRIES].into_boxed_slice();
        JumpTables { baseline: empty(), region: empty() }
    }

    fn clear(&mut self) {
        self.baseline.fill(x86::EMPTY);
        self.region.fill(x86::EMPTY);
    }

    /// Forgets the entries for code on the guest pages `[first, last]` of
    /// `ranges`.
    fn forget_pages(&mut self, ranges: &[(u64, u64)]) {
        let stale = |e: &JumpCacheEntry| e.pc != x86::EMPTY.pc && ranges.iter().any(|&(first, last)| (first..=last).contains(&(e.pc / cache::PAGE_SIZE)));
        for e in self.baseline.iter_mut().chain(self.region.iter_mut()) {
            if stale(e) {
                *e = x86::EMPTY;
            }
        }
    }
}

/// What the execution loop runs next.
enum Next {
    /// Optimised code (with the trampoline when there is no baseline).
    Region(*const u8, Option<Trampoline>),
    /// Baseline code.
    Baseline(*const u8),
    /// The reference interpreter, on these instructions.
    Interpret(std::sync::Arc<[(u32, crate::guest::aarch64::decode::Insn)]>),
}

/// Runs guest code for one thread until something needs the front end.
/// Its translations live in a [`CodeCache`], which the engines of a
/// process's threads share.
pub struct Engine {
    config: EngineConfig,
    code: std::sync::Arc<CodeCache>,
    thread: ThreadView,
    registered_cpu: usize,
}

/// What one engine keeps of the shared cache for its own thread.
struct ThreadView {
    /// This engine's number among the cache's readers.
    reader: u64,
    /// The epoch this engine has seen, as the cache reads it.
    seen: translations::ReaderEpoch,
    tables: JumpTables,
    /// The cache's epoch the tables were last cleared in.
    tables_epoch: u64,
    /// The invalidation generation the tables were last cleaned for.
    tables_generation: u64,
    /// Dispatches since the counts were last added to the process totals,
    /// and how many of them went without the lock.
    dispatches: u64,
    lockless_dispatches: u64,
}

impl Engine {
    /// Creates an engine with a code cache of its own.
    pub fn new(config: EngineConfig) -> Self {
        let code = CodeCache::new(&config);
        Engine::sharing(config, code)
    }

    /// Creates an engine running the translations of `code` (made with the
    /// same settings), shared with other threads' engines.
    pub fn sharing(config: EngineConfig, code: std::sync::Arc<CodeCache>) -> Self {
        // Start with clear host FP flags: they feed the guest's FPSR.IXC.
        // (A system-mode vCPU makes engines while its guest runs, whose
        // flags must stay: its thread clears them when it starts.)
        if !config.system {
            crate::guest::aarch64::sysregs::take_host_inexact();
        }
        if config.perfmap {
            perfmap::enable();
        }
        let ((reader, seen), tables_epoch, tables_generation) = {
            let mut t = code.lock();
            (t.add_reader(), t.epoch(), t.generation)
        };
        let thread = ThreadView { reader, seen, tables: JumpTables::new(), tables_epoch, tables_generation, dispatches: 0, lockless_dispatches: 0 };
        Engine { config, code, thread, registered_cpu: 0 }
    }

    /// Runs from `cpu.pc` until a system call, exception or exit request.
    pub fn run(&mut self, cpu: &mut CpuState) -> ExitReason {
        let exit = self.run_until_exit(cpu);
        // Holding no pointer into code any more.
        self.thread.seen.store(translations::OUTSIDE, Ordering::SeqCst);
        self.thread.publish_dispatches();
        if self.code.signals.unpublished.load(Ordering::Relaxed) {
            self.code.lock().publish_stats();
        }
        exit
    }

    /// The counters of this engine's code cache.
    pub fn stats(&self) -> EngineStats {
        self.code.lock().stats
    }

    /// The cache's counters as process totals.
    pub fn totals(&self) -> stats::Totals {
        self.code.lock().totals()
    }

    fn run_until_exit(&mut self, cpu: &mut CpuState) -> ExitReason {
        let addr = cpu as *const CpuState as usize;
        if self.registered_cpu != addr {
            if self.registered_cpu != 0 {
                // SAFETY: the previous CPU was registered by this engine and is
                // only used for its address here.
                cache::unregister_exit_flag(unsafe { &(*(self.registered_cpu as *const CpuState)).exit_request });
            }
            cache::register_exit_flag(&cpu.exit_request);
            self.registered_cpu = addr;
        }
        cpu.baseline_targets = self.thread.tables.baseline.as_ptr() as u64;
        cpu.region_targets = self.thread.tables.region.as_ptr() as u64;
        loop {
            if cpu.exit_request.load(Ordering::Relaxed) != 0 {
                cpu.exit_request.store(0, Ordering::Relaxed);
                let mut t = self.code.lock();
                self.thread.enter_loop(&mut t);
                return ExitReason::ExitRequest;
            }
            let pc = cpu.pc;
            self.thread.dispatches += 1;
            if let Some(code) = self.thread.lockless_code(&self.code.signals, pc) {
                self.thread.lockless_dispatches += 1;
                if let Some(exit) = self.run_baseline(cpu, code, self.thread.tables_epoch) {
                    return exit;
                }
                continue;
            }
            // System mode: translations are found by virtual address in
            // the cache of one translation regime, and each must come from
            // the physical page the pc maps to now; one made from another
            // page (a mapping changed without the TLB maintenance that
            // would have dropped it) is dropped and made again. Looked up
            // before the lock: an unmapped pc faults here.
            let phys_page = if self.config.system { crate::mem::code_page(pc) } else { None };
            let (next, entered) = {
                let mut t = self.code.lock();
                self.thread.enter_loop(&mut t);
                if !t.page_checks_out(pc, phys_page) {
                    (None, None)
                } else {
                    (self.thread.next_code(&mut t, pc), Some(t.epoch()))
                }
            };
            let Some(entered) = entered else {
                cache::drop_stale_page(pc);
                continue;
            };
            let exit = if let Some(next) = next {
                self.run_next(cpu, pc, next, entered)
            } else {
                if self.config.system {
                    // SAFETY: instruction fetch; a fault abandons to the
                    // front end with `cpu.pc` at this instruction.
                    let word = unsafe { crate::mem::fetch_insn(pc) };
                    if cache::exits_in_system_mode(word) {
                        return ExitReason::System { pc, word };
                    }
                }
                // Decoding reads guest memory, which may fault: never
                // under the lock. The generation is read before the bytes,
                // so a rewrite while decoding is seen by `add`.
                let decoded_in = cache::code_generation();
                let block = Box::new(cache::build_block(pc, self.config.system));
                // A host fault while translating is Kestrel's bug: reported,
                // never taken for the guest's (which would leave the lock
                // held). The new block runs at once, found in the same hold
                // of the lock.
                let (code, thread) = (&self.code, &mut self.thread);
                let phys_page = block.phys_page;
                let added = crate::guard::unguarded(|| -> Result<_, Box<Block>> {
                    let mut t = code.lock();
                    t.add(block, decoded_in)?;
                    thread.enter_loop(&mut t);
                    // Another thread may have added the block first, from
                    // the page the address mapped to in its view.
                    if !t.page_checks_out(pc, phys_page) {
                        return Ok(None);
                    }
                    Ok(Some((thread.next_code(&mut t, pc), t.epoch())))
                });
                match added {
                    Err(stale) => run_interpreted(cpu, pc, &stale.insns),
                    Ok(Some((Some(next), entered))) => self.run_next(cpu, pc, next, entered),
                    Ok(Some((None, _))) => None,
                    Ok(None) => {
                        cache::drop_stale_page(pc);
                        None
                    }
                }
            };
            if let Some(exit) = exit {
                return exit;
            }
        }
    }

    /// Runs what the execution loop found for `pc`, taken in epoch
    /// `entered`; `Some` if the front end must act.
    fn run_next(&mut self, cpu: &mut CpuState, pc: u64, next: Next, entered: u64) -> Option<ExitReason> {
        match next {
            Next::Region(code, trampoline) => self.run_compiled(cpu, code, trampoline, entered),
            Next::Baseline(code) => self.run_baseline(cpu, code, entered),
            Next::Interpret(insns) => run_interpreted(cpu, pc, &insns),
        }
    }

    /// Runs baseline code; `Some` if the front end must act.
    fn run_baseline(&mut self, cpu: &mut CpuState, code: *const u8, entered: u64) -> Option<ExitReason> {
        cpu.chain_slot = 0;
        // SAFETY: `code` was current when taken in epoch `entered`, and this
        // thread's reader epoch keeps it alive until the loop's next turn;
        // `cpu` is exclusively ours while the code runs.
        let status = unsafe { x86::run_code(cpu as *mut CpuState as *mut u8, code) };
        self.after_translated_code(cpu, status, entered)
    }

    /// Chains the exit translated code just left through (`cpu.chain_slot`,
    /// if any) to the block at `cpu.pc`, if there is one. In system mode
    /// only to a block made from the physical page `cpu.pc` maps to now,
    /// looked up before the lock (it may fault: the next fetch's fault).
    fn chain_exit(&self, cpu: &CpuState, entered: u64) {
        if cpu.chain_slot == 0 {
            return;
        }
        let phys_page = if self.config.system { crate::mem::code_page(cpu.pc) } else { None };
        self.code.lock().chain(cpu.chain_slot, cpu.pc, entered, phys_page);
    }

    /// What the execution loop does when translated code (baseline or
    /// optimised, which continue in each other directly) returns `status`.
    fn after_translated_code(&mut self, cpu: &mut CpuState, status: ExitStatus, entered: u64) -> Option<ExitReason> {
        match status {
            ExitStatus::Continue => {
                self.chain_exit(cpu, entered);
                None
            }
            ExitStatus::Syscall => Some(ExitReason::Syscall),
            ExitStatus::Hot => {
                let pc = cpu.pc;
                let mut t = self.code.lock();
                let optimizing = t.optimizing();
                if t.blocks.get(&pc).is_some_and(|b| b.code.is_none() && !b.uncompilable && optimizing) {
                    t.compile_region(pc);
                }
                None
            }
            ExitStatus::Raise => step_reference(cpu),
        }
    }

    /// Executes exactly the one guest instruction at `cpu.pc`, in the
    /// interpreter: what a debugger's single step and breakpoints need (every
    /// instruction boundary is a place to stop). `None` if the front end has
    /// nothing to do.
    pub fn step_one(&mut self, cpu: &mut CpuState) -> Option<ExitReason> {
        {
            let mut t = self.code.lock();
            self.thread.enter_loop(&mut t);
            t.set_reader(&self.thread.seen, translations::OUTSIDE);
        }
        step_reference(cpu)
    }

    /// The guest instruction whose compiled code contains `host_pc`, if it is
    /// in translated code. After a host fault in guest code the front end
    /// uses it to find the faulting guest instruction; for faults outside
    /// translated code (interpreter, helpers), `cpu.pc` is already exact.
    pub fn guest_pc_at(&self, host_pc: u64) -> Option<u64> {
        self.code.lock().guest_pc_at(host_pc)
    }

    /// Statistics of the baseline backend, if it runs.
    pub fn baseline_stats(&self) -> Option<x86::BaselineStats> {
        self.code.lock().baseline.as_ref().map(|b| b.stats)
    }

    /// Runs optimised code; `Some` if the front end must act.
    fn run_compiled(&mut self, cpu: &mut CpuState, code: *const u8, trampoline: Option<Trampoline>, entered: u64) -> Option<ExitReason> {
        cpu.chain_slot = 0;
        let Some(enter) = trampoline else {
            // Entered like baseline code (RBP and RDI hold the CPU state,
            // callee-saved registers saved around it), so that optimised
            // code and baseline code can continue in each other.
            // SAFETY: as in `run_baseline`; region code takes the state in RDI.
            let status = unsafe { x86::run_code(cpu as *mut CpuState as *mut u8, code) };
            return self.after_translated_code(cpu, status, entered);
        };
        // SAFETY: `code` and the trampoline were current in epoch `entered`
        // (kept alive as in `run_baseline`), and `cpu` is exclusively ours.
        let st = unsafe { enter(cpu, code) };
        match st {
            status::CONTINUE => {
                self.chain_exit(cpu, entered);
                None
            }
            status::SYSCALL => Some(ExitReason::Syscall),
            _ => step_reference(cpu),
        }
    }
}

impl ThreadView {
    /// Under the cache's lock at the top of the execution loop: applies
    /// invalidations, forgets this thread's tables if code was retired, and
    /// records that this thread holds no older pointer into code.
    fn enter_loop(&mut self, t: &mut Translations) {
        // First what may retire code (and move the epoch), then the tables.
        t.check_generation();
        if t.compiler_has_work() || t.compiler_result_waits() {
            t.collect_optimized(false);
        }
        let epoch = t.epoch();
        if self.tables_epoch != epoch {
            self.tables.clear();
            self.tables_epoch = epoch;
        }
        t.set_reader(&self.seen, epoch);
        if self.tables_generation != t.generation {
            // Entries for invalidated blocks lead to the execution loop;
            // the lockless path must not find them.
            match cache::changes_since(self.tables_generation) {
                (_, Some(ranges)) => self.tables.forget_pages(&ranges),
                (_, None) => self.tables.clear(),
            }
            self.tables_generation = t.generation;
        }
    }

    /// Adds this thread's dispatch counts to the process totals.
    fn publish_dispatches(&mut self) {
        if self.dispatches != 0 {
            stats::add_dispatches(self.dispatches, self.lockless_dispatches);
            self.dispatches = 0;
            self.lockless_dispatches = 0;
        }
    }

    /// The baseline code for the block at `pc` when this thread can run it
    /// without the cache's lock: it is in this thread's own table, which
    /// the cache has not made stale since (no code retired, no
    /// invalidation), and no compiler result waits to be installed. Most
    /// returns to the execution loop (after a system call, a miss in the
    /// tables translated code reads) find their block this way, so threads
    /// meet on the lock only to translate.
    fn lockless_code(&mut self, signals: &translations::Signals, pc: u64) -> Option<*const u8> {
        let entry = self.tables.baseline[jump_cache_index(pc)];
        if entry.pc != pc || cache::code_generation() != self.tables_generation || signals.compiler_done.load(Ordering::Acquire) {
            return None;
        }
        // Record the epoch, then check it is still current: code retired
        // after that check is kept for this thread (see `next_epoch`).
        if self.seen.load(Ordering::Relaxed) != self.tables_epoch {
            self.seen.store(self.tables_epoch, Ordering::SeqCst);
        }
        if signals.epoch.load(Ordering::SeqCst) != self.tables_epoch {
            return None;
        }
        Some(entry.code as *const u8)
    }

    /// The code to run for the block at `pc` (counting its interpreted runs
    /// towards the optimising tier), noted in this thread's tables.
    fn next_code(&mut self, t: &mut Translations, pc: u64) -> Option<Next> {
        let optimizing = t.optimizing();
        let threshold = t.config.jit_threshold;
        let block = t.blocks.get_mut(&pc)?;
        if block.code.is_none() && block.baseline.is_none() && !block.uncompilable && optimizing {
            block.exec_count += 1;
            if block.exec_count == threshold {
                t.compile_region(pc);
            }
        }
        let block = t.blocks.get(&pc)?;
        let slot = jump_cache_index(pc);
        if let Some(code) = block.code {
            self.tables.region[slot] = JumpCacheEntry { pc, code: code as u64 };
            if let (Some(b), true) = (block.baseline, block.bridged) {
                // The baseline entry continues in the region: baseline code
                // and the lockless path get there through it.
                self.tables.baseline[slot] = JumpCacheEntry { pc, code: b.entry as u64 };
            }
            let trampoline = if t.baseline.is_some() { None } else { Some(t.trampoline?) };
            Some(Next::Region(code, trampoline))
        } else if let Some(b) = block.baseline {
            // Optimised code's indirect exits may continue in baseline
            // code directly (see `run_compiled`).
            self.tables.region[slot] = JumpCacheEntry { pc, code: b.entry as u64 };
            self.tables.baseline[slot] = JumpCacheEntry { pc, code: b.entry as u64 };
            Some(Next::Baseline(b.entry))
        } else {
            Some(Next::Interpret(block.insns.clone()))
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.registered_cpu != 0 {
            // SAFETY: only the address of the flag is used to unregister it.
            cache::unregister_exit_flag(unsafe { &(*(self.registered_cpu as *const CpuState)).exit_request });
        }
        self.thread.publish_dispatches();
        self.code.lock().remove_reader(self.thread.reader);
    }
}

/// Runs the instruction at `cpu.pc` in the reference semantics (what
/// translated code leaves to it, and a debugger's single step); `Some` if
/// the front end must act.
fn step_reference(cpu: &mut CpuState) -> Option<ExitReason> {
    match interp::step(cpu) {
        Err(e) => Some(exception_exit(cpu, e)),
        Ok(Flow::Syscall) => Some(ExitReason::Syscall),
        Ok(_) => None,
    }
}

fn exception_exit(cpu: &CpuState, e: Exception) -> ExitReason {
    let pc = cpu.pc;
    match e {
        Exception::Undefined(word) => {
            // SAFETY: the instruction was fetched from here a moment ago.
            let fetched = unsafe { crate::mem::read::<u32>(pc) };
            ExitReason::Undefined { pc, word: if word == 0 { fetched } else { word } }
        }
        Exception::Breakpoint(imm) => ExitReason::Breakpoint { pc, imm },
        Exception::Alignment(addr) => ExitReason::Alignment { pc, addr },
        Exception::BranchTarget => ExitReason::BranchTarget { pc },
    }
}

/// What a stored translation must match besides its pc: the hash of the
/// block's instruction words, and flags for how it was translated (counting
/// for the optimising tier; the branch-target check it starts with).
pub(crate) fn persist_key(block: &Block, hot_after: Option<u32>) -> (u64, u32) {
    use crate::guest::aarch64::bti;
    let words = persist::words_hash(block.insns.iter().map(|&(w, _)| w));
    let mut flags = hot_after.is_some() as u32;
    if let (true, Some(&(first, _))) = (bti::active(), block.insns.first()) {
        flags |= 2 | (bti::accepted_btypes(first, bti::is_guarded(block.pc)) as u32) << 8;
    }
    (words, flags)
}

/// Static successors of a block that can be reached without leaving it
/// through an indirect branch, a call, a system call or an exception.
fn successors(block: &Block) -> Vec<u64> {
    use crate::guest::aarch64::decode::Insn;
    let Some((_, last)) = block.insns.last() else { return Vec::new() };
    let pc = block.end_pc() - 4;
    match *last {
        Insn::Branch { offset, link: false } => vec![pc.wrapping_add(offset as u64)],
        Insn::BranchCond { offset, .. } | Insn::CompareBranch { offset, .. } | Insn::TestBranch { offset, .. } => {
            vec![pc.wrapping_add(offset as u64), pc + 4]
        }
        ref i if !i.ends_block() => vec![block.end_pc()],
        _ => Vec::new(),
    }
}

/// True if the block has run: the interpreter counts its runs up, baseline
/// code counts down from the threshold.
fn has_run(b: &Block, threshold: u32) -> bool {
    // SAFETY: the counter lies in the current arena generation (blocks are
    // dropped with it); a racy read only makes the region a little different.
    b.exec_count > 0 || b.baseline.is_some_and(|t| !t.counter.is_null() && unsafe { std::ptr::read_volatile(t.counter) } != x86::counter_start(threshold))
}

/// Chooses the blocks compiled together with the hot block at `head`: those
/// reachable from it through direct branches that have already run (so the
/// region follows the paths the program takes, loops included).
pub(crate) fn collect_region(blocks: &cache::PcMap<Box<Block>>, head: u64, threshold: u32, rechecks: u64) -> Vec<u64> {
    let mut region = vec![head];
    let mut i = 0;
    // Jumps inside a region are not checked: in system mode only blocks
    // whose physical page was checked since the last recheck join it.
    let joins = |t: &Block| has_run(t, threshold) && t.checked_in == rechecks;
    while i < region.len() && region.len() < emit::MAX_REGION_BLOCKS {
        let Some(b) = blocks.get(&region[i]) else { break };
        for s in successors(b) {
            if region.len() < emit::MAX_REGION_BLOCKS && !region.contains(&s) && blocks.get(&s).is_some_and(|t| joins(t)) {
                region.push(s);
            }
        }
        i += 1;
    }
    region
}

/// Interprets one block; `Some` if the front end must act.
fn run_interpreted(cpu: &mut CpuState, start: u64, insns: &[(u32, crate::guest::aarch64::decode::Insn)]) -> Option<ExitReason> {
    let mut pc = start;
    // Only an indirect branch sets BTYPE, and it ends a block: the first
    // instruction is the only one to check.
    if let (true, Some(&(word, _))) = (cpu.btype != 0, insns.first()) {
        cpu.pc = pc;
        if let Err(e) = crate::guest::aarch64::bti::check(cpu, word, pc) {
            return Some(exception_exit(cpu, e));
        }
    }
    for (_, insn) in insns.iter() {
        // Exact at every instruction, so a fault in it is attributed to it.
        cpu.pc = pc;
        match interp::exec(cpu, insn, pc) {
            Ok(Flow::Next) => pc += 4,
            Ok(Flow::Branch(target)) => {
                cpu.pc = target;
                return None;
            }
            Ok(Flow::Syscall) => {
                cpu.pc = pc + 4;
                return Some(ExitReason::Syscall);
            }
            Err(e) => {
                cpu.pc = pc;
                return Some(exception_exit(cpu, e));
            }
        }
    }
    cpu.pc = pc;
    None
}

/// The baseline backend for AArch64 guests in user mode.
pub(crate) fn new_baseline() -> Option<Baseline> {
    let helpers = x86::emit::Helpers {
        interp_one: helpers::interp_one as *const () as usize,
        landing_pad: helpers::landing_pad as *const () as usize,
        soft_load: helpers::soft_load as *const () as usize,
        soft_store: helpers::soft_store as *const () as usize,
        soft_load_vec: helpers::soft_load_vec as *const () as usize,
        soft_store_vec: helpers::soft_store_vec as *const () as usize,
    };
    Baseline::new(aarch64_state_layout(), helpers, arena_bytes())
}

/// Bytes of each baseline arena: [`x86::arena::ARENA_BYTES`], or the data
/// area plus `KESTREL_CODE_ARENA_KB` KiB of code, a testing knob that makes
/// the arena fill (and be retired while threads run in it) often.
fn arena_bytes() -> usize {
    let code_kb = std::env::var("KESTREL_CODE_ARENA_KB").ok().and_then(|v| v.parse::<usize>().ok());
    match code_kb {
        Some(kb) if kb >= 64 => x86::arena::DATA_BYTES + (kb << 10),
        _ => x86::arena::ARENA_BYTES,
    }
}

/// Where baseline code finds the AArch64 CPU state fields it touches itself.
pub fn aarch64_state_layout() -> x86::emit::StateLayout {
    x86::emit::StateLayout {
        pc: offsets::PC,
        exit_request: offsets::EXIT_REQUEST,
        chain_slot: offsets::CHAIN_SLOT,
        nf: offsets::NF,
        zf: offsets::ZF,
        cf: offsets::CF,
        vf: offsets::VF,
        soft_tlb: offsets::SOFT_TLB,
        soft_tlb_el0: offsets::SOFT_TLB_EL0,
        jump_targets: offsets::BASELINE_TARGETS,
    }
}
