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

use crate::guest::aarch64::cpu::CpuState;
use crate::guest::aarch64::interp::{self, Exception, Flow};
use cache::Block;
use background::{Done, Job};
use compiler::{Compiler, OptLevel, Trampoline};
use emit::{jump_cache_index, status, JumpCacheEntry, JUMP_CACHE_ENTRIES};
use crate::backend::x86::{self, Baseline, TranslateError};
use crate::guest::aarch64::cpu::offsets;
use crate::ir::ExitStatus;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

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
            // Off until a rare crash seen only with the compiler thread (an
            // arm64 apt-get under binfmt_misc, about one run in ten) is
            // understood; KESTREL_COMPILE_THREAD=1 turns it on.
            background: false,
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
    /// Guest instructions in those regions.
    pub insns_compiled: u64,
    /// Time spent in Cranelift.
    pub compile_time: Duration,
    /// Code cache flushes (invalidation or a full arena).
    pub flushes: u64,
}

/// Where the engine's Cranelift compiler is.
enum Optimizer {
    /// Here, ready.
    Idle(Compiler),
    /// On the compiler thread with a job of generation `generation`, from
    /// process `pid`.
    Busy { results: std::sync::mpsc::Receiver<Done>, pid: u32, generation: u64 },
    /// No optimising tier (disabled, unavailable, or lost).
    Off,
}

/// Runs guest code for one thread until something needs the front end.
pub struct Engine {
    config: EngineConfig,
    blocks: cache::PcMap<Box<Block>>,
    optimizer: Optimizer,
    /// Enters Cranelift code of the current generation.
    trampoline: Option<Trampoline>,
    /// Hot region heads waiting for the compiler to come back.
    pending_hot: Vec<u64>,
    jump_cache: Box<[JumpCacheEntry]>,
    generation: u64,
    registered_cpu: usize,
    /// Host-code maps of the compiled regions (for attributing host faults).
    code_maps: Vec<compiler::CodeMap>,
    /// The baseline backend, unless disabled or unavailable.
    baseline: Option<Baseline>,
    /// Statistics.
    pub stats: EngineStats,
    /// What was last added to the process totals.
    published: stats::Totals,
    /// The last block's IR, whose allocation the next one reuses.
    ir: crate::ir::Block,
    /// A persistent-cache record being installed (its buffers are reused).
    record: x86::CodeRecord,
    /// Guest page -> the blocks decoded from it (a block never crosses a page).
    page_blocks: cache::PcMap<Vec<u64>>,
    /// Guest pages of code in optimised regions.
    opt_pages: std::collections::HashSet<u64>,
}

impl Engine {
    /// Creates an engine. If Cranelift cannot be set up on this host, the
    /// engine runs in the first tier only.
    pub fn new(config: EngineConfig) -> Self {
        let opt = if config.optimize { OptLevel::Speed } else { OptLevel::None };
        // Start with clear host FP flags: they feed the guest's FPSR.IXC.
        crate::guest::aarch64::sysregs::take_host_inexact();
        let mut compiler = if config.interpret_only || !config.optimizing { None } else { Compiler::new(opt).ok() };
        if let Some(c) = compiler.as_mut() {
            c.dump = config.dump_code;
            c.soft_mmu = config.system;
        }
        let trampoline = compiler.as_ref().map(|c| c.trampoline());
        let optimizer = compiler.map_or(Optimizer::Off, Optimizer::Idle);
        let empty = JumpCacheEntry { pc: u64::MAX, code: 0 };
        let mut baseline = if config.baseline && !config.interpret_only { new_baseline() } else { None };
        if config.system {
            if let Some(b) = baseline.as_mut() {
                b.use_soft_mmu();
            }
        }
        if config.perfmap {
            perfmap::enable();
        }
        Engine {
            baseline,
            config,
            blocks: cache::PcMap::default(),
            optimizer,
            trampoline,
            pending_hot: Vec::new(),
            jump_cache: vec![empty; JUMP_CACHE_ENTRIES].into_boxed_slice(),
            generation: cache::code_generation(),
            registered_cpu: 0,
            code_maps: Vec::new(),
            stats: EngineStats::default(),
            published: stats::Totals::default(),
            ir: crate::ir::Block::default(),
            record: x86::CodeRecord::default(),
            page_blocks: cache::PcMap::default(),
            opt_pages: std::collections::HashSet::new(),
        }
    }

    /// Drops every translation (system mode: the address space changed).
    pub fn flush_translations(&mut self) {
        self.flush();
    }

    fn flush(&mut self) {
        self.blocks.clear();
        self.page_blocks.clear();
        self.opt_pages.clear();
        if let Some(b) = self.baseline.as_mut() {
            // SAFETY: called from the dispatch loop, when no translated code
            // of this engine runs; every pointer into the arena (blocks, chain
            // sites, the indirect-branch table) is dropped with it.
            unsafe { b.reset() };
        }
        self.code_maps.clear();
        for e in self.jump_cache.iter_mut() {
            *e = JumpCacheEntry { pc: u64::MAX, code: 0 };
        }
        // A region out on the compiler thread belongs to the old generation:
        // wait for the compiler and drop the result.
        self.collect_optimized(true);
        self.pending_hot.clear();
        self.new_optimised_generation();
    }

    /// Frees the optimised code (the compiler starts a new module) and
    /// counts a flush.
    fn new_optimised_generation(&mut self) {
        self.trampoline = None;
        if let Optimizer::Idle(c) = &mut self.optimizer {
            match c.flush() {
                Ok(()) => self.trampoline = Some(c.trampoline()),
                Err(_) => self.optimizer = Optimizer::Off,
            }
        }
        self.stats.flushes += 1;
    }

    /// Runs from `cpu.pc` until a system call, exception or exit request.
    pub fn run(&mut self, cpu: &mut CpuState) -> ExitReason {
        let exit = self.run_until_exit(cpu);
        self.publish_stats();
        exit
    }

    /// This engine's counters as process totals.
    pub fn totals(&self) -> stats::Totals {
        let b = self.baseline_stats().unwrap_or_default();
        stats::Totals {
            blocks: self.stats.blocks_built,
            insns: self.stats.insns_built,
            baseline_blocks: b.blocks,
            baseline_insns: b.guest_insns,
            baseline_bytes: b.code_bytes,
            baseline_ns: self.stats.baseline_time.as_nanos() as u64,
            opt_regions: self.stats.blocks_compiled,
            opt_insns: self.stats.insns_compiled,
            opt_ns: self.stats.compile_time.as_nanos() as u64,
            flushes: self.stats.flushes,
        }
    }

    /// Adds this engine's new counts to the process totals (only when there
    /// are new ones: this runs at every return to the front end).
    fn publish_stats(&mut self) {
        let p = &self.published;
        if p.blocks == self.stats.blocks_built && p.opt_regions == self.stats.blocks_compiled && p.flushes == self.stats.flushes {
            return;
        }
        let now = self.totals();
        now.publish_since(&self.published);
        self.published = now;
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
        loop {
            if cpu.exit_request.load(Ordering::Relaxed) != 0 {
                cpu.exit_request.store(0, Ordering::Relaxed);
                self.check_generation();
                return ExitReason::ExitRequest;
            }
            self.check_generation();
            // Only when a job is out, or hot regions wait for the compiler.
            if matches!(self.optimizer, Optimizer::Busy { .. }) || !self.pending_hot.is_empty() {
                self.collect_optimized(false);
            }
            let pc = cpu.pc;
            if !self.blocks.contains_key(&pc) {
                if self.config.system {
                    // SAFETY: instruction fetch; a fault abandons to the
                    // front end with `cpu.pc` at this instruction.
                    let word = unsafe { crate::mem::fetch_insn(pc) };
                    if cache::exits_in_system_mode(word) {
                        return ExitReason::System { pc, word };
                    }
                }
                self.build(pc);
            }
            let optimizing = self.optimizing();
            let block = self.blocks.get_mut(&pc).expect("block just built");
            if block.code.is_none() && block.baseline.is_none() && !block.uncompilable && optimizing {
                block.exec_count += 1;
                if block.exec_count == self.config.jit_threshold {
                    self.compile_region(pc);
                }
            }
            let block = self.blocks.get(&pc).expect("block just looked up");
            if let Some(code) = block.code {
                self.jump_cache[jump_cache_index(pc)] = JumpCacheEntry { pc, code: code as u64 };
                if let Some(exit) = self.run_compiled(cpu, code) {
                    return exit;
                }
            } else if let Some(t) = block.baseline {
                // Optimised code's indirect exits may continue in baseline
                // code directly (see `run_compiled`).
                self.jump_cache[jump_cache_index(pc)] = JumpCacheEntry { pc, code: t.entry as u64 };
                if let Some(exit) = self.run_baseline(cpu, pc, t) {
                    return exit;
                }
            } else if let Some(exit) = run_interpreted(cpu, block) {
                return exit;
            }
        }
    }

    /// True when hot regions go to Cranelift.
    fn optimizing(&self) -> bool {
        self.config.optimizing && !self.config.interpret_only && !matches!(self.optimizer, Optimizer::Off)
    }

    /// Decodes the block at `pc` and, with the baseline on, translates it.
    fn build(&mut self, pc: u64) {
        let started = Instant::now();
        let mut block = Box::new(cache::build_block(pc, self.config.system));
        self.stats.blocks_built += 1;
        self.stats.insns_built += block.insns.len() as u64;
        // With a threshold of one the optimising tier compiles every block
        // before its first run, so the baseline would be wasted work.
        let opt_first = self.optimizing() && self.config.jit_threshold <= 1;
        if !opt_first {
            let hot_after = self.optimizing().then_some(self.config.jit_threshold);
            if self.baseline.is_some() {
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
        }
        self.blocks.insert(pc, block);
        self.page_blocks.entry(pc / cache::PAGE_SIZE).or_default().push(pc);
        self.stats.baseline_time += started.elapsed();
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
            // The flush emptied the block map and the arena.
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
    fn compile_region(&mut self, pc: u64) {
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
        let region: Vec<cache::RegionBlock> = collect_region(&self.blocks, pc, threshold)
            .iter()
            .filter_map(|p| self.blocks.get(p).map(|b| b.region_part()))
            .collect();
        let (reply, results) = std::sync::mpsc::channel();
        let job = Job { compiler, region, jump_cache: self.jump_cache.as_ptr() as usize, reply };
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
        let done = background::run(job);
        self.install(done, self.generation);
    }

    /// Takes back the compiler and installs its result if a job is done (or,
    /// with `wait`, once it is); then starts the next waiting hot region.
    fn collect_optimized(&mut self, wait: bool) {
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
                Some(done) => self.install(done, generation),
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

    /// Installs a finished compilation of generation `generation`.
    fn install(&mut self, done: Done, generation: u64) {
        let Done { compiler, head, result, insns, elapsed, pages } = done;
        self.optimizer = compiler.map_or(Optimizer::Off, Optimizer::Idle);
        self.stats.compile_time += elapsed;
        // Code of an older generation (this engine flushed since the job
        // left) must not run. An invalidation not yet seen by this engine is
        // handled like any other: the next dispatch flushes everything.
        if generation != self.generation {
            return;
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
                self.stats.insns_compiled += insns as u64;
                if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                    // Entries into the baseline code (chains, its indirect
                    // table) now continue in the region. SAFETY: the
                    // translation is current and not running (this is the
                    // dispatch loop); the region's code lives until
                    // `flush_optimised` un-retires the entry or a flush.
                    unsafe { b.retire_to(&t, code as *const u8) };
                }
            }
            Ok(_) => {}
            Err(_) => block.uncompilable = true,
        }
    }

    /// Runs baseline code entered at the block at `pc`; `Some` if the front
    /// end must act.
    fn run_baseline(&mut self, cpu: &mut CpuState, pc: u64, t: x86::Translation) -> Option<ExitReason> {
        let baseline = self.baseline.as_mut()?;
        baseline.remember_target(pc, t.entry);
        cpu.chain_slot = 0;
        // SAFETY: `t` belongs to the current arena generation (flushes drop
        // every block) and `cpu` is exclusively ours while the code runs.
        let status = unsafe { baseline.run(cpu as *mut CpuState as *mut u8, t.entry) };
        self.after_translated_code(cpu, status)
    }

    /// What the execution loop does when translated code (baseline or
    /// optimised, which continue in each other directly) returns `status`.
    fn after_translated_code(&mut self, cpu: &mut CpuState, status: ExitStatus) -> Option<ExitReason> {
        match status {
            ExitStatus::Continue => {
                if cpu.chain_slot != 0 && self.generation == cache::code_generation() {
                    self.chain(cpu.chain_slot, cpu.pc);
                }
                None
            }
            ExitStatus::Syscall => Some(ExitReason::Syscall),
            ExitStatus::Hot => {
                let pc = cpu.pc;
                if let Some(block) = self.blocks.get(&pc) {
                    if block.code.is_none() && !block.uncompilable && self.optimizing() {
                        self.compile_region(pc);
                    }
                }
                None
            }
            ExitStatus::Raise => match interp::step(cpu) {
                Err(e) => Some(exception_exit(cpu, e)),
                Ok(Flow::Syscall) => Some(ExitReason::Syscall),
                Ok(_) => None,
            },
        }
    }

    /// Points the exit that just left through `slot` at the code for `pc`.
    /// A baseline exit (a rel32 field in the arena) goes to the target's
    /// baseline entry (which leads into its region when it has one); an
    /// optimised exit (a code pointer slot) goes to the target's region, or
    /// to its baseline code when the tiers run mixed.
    fn chain(&mut self, slot: u64, pc: u64) {
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
                    // SAFETY: optimised chain slots live in the compiler for
                    // as long as the generation that contains their block,
                    // checked by the caller.
                    unsafe { *(slot as *mut u64) = code as u64 };
                }
            }
        }
    }

    /// Executes exactly the one guest instruction at `cpu.pc`, in the
    /// interpreter: what a debugger's single step and breakpoints need (every
    /// instruction boundary is a place to stop). `None` if the front end has
    /// nothing to do.
    pub fn step_one(&mut self, cpu: &mut CpuState) -> Option<ExitReason> {
        self.check_generation();
        match interp::step(cpu) {
            Err(e) => Some(exception_exit(cpu, e)),
            Ok(Flow::Syscall) => Some(ExitReason::Syscall),
            Ok(_) => None,
        }
    }

    /// The guest instruction whose compiled code contains `host_pc`, if it is
    /// in this engine's translated code. After a host fault in guest code the
    /// front end uses it to find the faulting guest instruction; for faults
    /// outside translated code (interpreter, helpers), `cpu.pc` is already exact.
    pub fn guest_pc_at(&self, host_pc: u64) -> Option<u64> {
        self.baseline
            .as_ref()
            .and_then(|b| b.guest_pc_at(host_pc))
            .or_else(|| self.code_maps.iter().find_map(|m| m.guest_pc(host_pc)))
    }

    /// Statistics of the baseline backend, if it runs.
    pub fn baseline_stats(&self) -> Option<x86::BaselineStats> {
        self.baseline.as_ref().map(|b| b.stats)
    }

    fn check_generation(&mut self) {
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
                    self.jump_cache[jump_cache_index(pc)] = JumpCacheEntry { pc: u64::MAX, code: 0 };
                    if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                        // Blocks chained to it now leave to this loop, which
                        // translates the new code.
                        // SAFETY: current translation, not running (dispatch loop).
                        unsafe { b.retire(&t) };
                        b.forget_target(pc);
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
        self.code_maps.clear();
        for e in self.jump_cache.iter_mut() {
            *e = JumpCacheEntry { pc: u64::MAX, code: 0 };
        }
        let threshold = self.config.jit_threshold;
        for block in self.blocks.values_mut() {
            block.exec_count = 0;
            block.uncompilable = false;
            if block.code.take().is_some() {
                if let (Some(t), Some(b)) = (block.baseline, self.baseline.as_mut()) {
                    // SAFETY: current translation, not running (dispatch loop).
                    unsafe { b.unretire(&t, threshold) };
                    b.remember_target(block.pc, t.entry);
                }
            }
        }
        self.new_optimised_generation();
    }

    /// Runs compiled code; `Some` if the front end must act.
    fn run_compiled(&mut self, cpu: &mut CpuState, code: *const u8) -> Option<ExitReason> {
        cpu.chain_slot = 0;
        if let Some(b) = self.baseline.as_ref() {
            // Entered like baseline code (RBP and RDI hold the CPU state,
            // callee-saved registers saved around it), so that optimised
            // code and baseline code can continue in each other.
            // SAFETY: `code` belongs to the current generation, `cpu` is
            // exclusively ours, and region code takes the state in RDI.
            let status = unsafe { b.run(cpu as *mut CpuState as *mut u8, code) };
            return self.after_translated_code(cpu, status);
        }
        let enter = self.trampoline?;
        // SAFETY: `code` belongs to the current generation (flushes clear every
        // block's code pointer), the trampoline too, and `cpu` is exclusively ours.
        let st = unsafe { enter(cpu, code) };
        match st {
            status::CONTINUE => {
                if cpu.chain_slot != 0 {
                    let slot = cpu.chain_slot as *mut u64;
                    if let Some(target) = self.blocks.get(&cpu.pc).and_then(|b| b.code) {
                        // A generation change since the slot's block ran would
                        // have made its slot stale; only patch current ones.
                        if self.generation == cache::code_generation() {
                            // SAFETY: chain slots live in the compiler for as long
                            // as the generation that contains their block.
                            unsafe { *slot = target as u64 };
                        }
                    }
                }
                None
            }
            status::SYSCALL => Some(ExitReason::Syscall),
            _ => match interp::step(cpu) {
                Err(e) => Some(exception_exit(cpu, e)),
                Ok(Flow::Syscall) => Some(ExitReason::Syscall),
                Ok(_) => None,
            },
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.registered_cpu != 0 {
            // SAFETY: only the address of the flag is used to unregister it.
            cache::unregister_exit_flag(unsafe { &(*(self.registered_cpu as *const CpuState)).exit_request });
        }
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
fn persist_key(block: &Block, hot_after: Option<u32>) -> (u64, u32) {
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
    b.exec_count > 0 || b.baseline.is_some_and(|t| !t.counter.is_null() && unsafe { std::ptr::read_volatile(t.counter) } != threshold)
}

/// Chooses the blocks compiled together with the hot block at `head`: those
/// reachable from it through direct branches that have already run (so the
/// region follows the paths the program takes, loops included).
fn collect_region(blocks: &cache::PcMap<Box<Block>>, head: u64, threshold: u32) -> Vec<u64> {
    let mut region = vec![head];
    let mut i = 0;
    while i < region.len() && region.len() < emit::MAX_REGION_BLOCKS {
        let Some(b) = blocks.get(&region[i]) else { break };
        for s in successors(b) {
            if region.len() < emit::MAX_REGION_BLOCKS && !region.contains(&s) && blocks.get(&s).is_some_and(|t| has_run(t, threshold)) {
                region.push(s);
            }
        }
        i += 1;
    }
    region
}

/// Interprets one block; `Some` if the front end must act.
fn run_interpreted(cpu: &mut CpuState, block: &Block) -> Option<ExitReason> {
    let mut pc = block.pc;
    // Only an indirect branch sets BTYPE, and it ends a block: the first
    // instruction is the only one to check.
    if let (true, Some(&(word, _))) = (cpu.btype != 0, block.insns.first()) {
        cpu.pc = pc;
        if let Err(e) = crate::guest::aarch64::bti::check(cpu, word, pc) {
            return Some(exception_exit(cpu, e));
        }
    }
    for (_, insn) in block.insns.iter() {
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
fn new_baseline() -> Option<Baseline> {
    let helpers = x86::emit::Helpers {
        interp_one: helpers::interp_one as *const () as usize,
        landing_pad: helpers::landing_pad as *const () as usize,
        soft_load: helpers::soft_load as *const () as usize,
        soft_store: helpers::soft_store as *const () as usize,
        soft_load_vec: helpers::soft_load_vec as *const () as usize,
        soft_store_vec: helpers::soft_store_vec as *const () as usize,
    };
    Baseline::new(aarch64_state_layout(), helpers, x86::arena::ARENA_BYTES)
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
    }
}
