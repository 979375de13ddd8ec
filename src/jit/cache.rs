//! Decoded blocks, the code cache keyed by guest PC, and code invalidation.
//!
//! A block is a straight run of guest instructions ending at the first branch,
//! system call or exception-raising instruction, and never crossing a 4 KiB
//! page, so that invalidating a page finds every block built from it.
//!
//! Invalidation is global (every thread's engine must drop stale code), cheap
//! when nothing is translated from the range, and asynchronous: it records the
//! pages in a log with a new generation number and asks running CPUs to leave
//! translated code; at its next dispatch each engine drops the blocks of the
//! logged pages (all of its code only when it fell too far behind the log).
//! JIT compilers in the guest (V8, HotSpot, BEAM) rewrite code pages all the
//! time, and dropping everything on each of those cost Node.js hundreds of
//! complete re-translations.

use crate::guest::aarch64::decode::{decode, Insn};
use crate::mem;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Guest page size used for code tracking.
pub const PAGE_SIZE: u64 = 4096;
/// Longest block the first tier builds.
pub const MAX_BLOCK_INSNS: usize = 64;

/// One decoded guest block.
pub struct Block {
    /// Guest address of the first instruction.
    pub pc: u64,
    /// Instruction words with their decoding (shared with the threads
    /// interpreting it and with the optimising tier's jobs).
    pub insns: std::sync::Arc<[(u32, Insn)]>,
    /// How often the first tier ran this block.
    pub exec_count: u32,
    /// Entry of the compiled code, once the second tier has compiled it.
    pub code: Option<*const u8>,
    /// Compilation failed or was refused; stay in the first tier.
    pub uncompilable: bool,
    /// Its baseline translation, when the baseline backend runs it.
    pub baseline: Option<crate::backend::x86::Translation>,
    /// The baseline entry continues in the optimised code (`code`).
    pub bridged: bool,
    /// System mode: the physical page the block was fetched from. A lookup
    /// by virtual address must find the same page there (see
    /// `Engine::run_until_exit`).
    pub phys_page: Option<u64>,
    /// The cache's recheck count (`Translations::rechecks`) when that page
    /// was last found to be the one the block's address maps to: a block
    /// checked before the last recheck may not be built into an optimised
    /// region. Always 0 in user mode.
    pub checked_in: u64,
}

impl Block {
    /// Address just past the last instruction.
    pub fn end_pc(&self) -> u64 {
        self.pc + 4 * self.insns.len() as u64
    }

    /// The part of the block the optimising tier compiles (it can be sent to
    /// a compiler thread).
    pub fn region_part(&self) -> RegionBlock {
        RegionBlock { pc: self.pc, insns: self.insns.clone() }
    }
}

/// A guest block as the optimising tier sees it.
#[derive(Debug, Clone)]
pub struct RegionBlock {
    /// Guest address of the first instruction.
    pub pc: u64,
    /// Instruction words with their decoding.
    pub insns: std::sync::Arc<[(u32, Insn)]>,
}

impl RegionBlock {
    /// Address just past the last instruction.
    pub fn end_pc(&self) -> u64 {
        self.pc + 4 * self.insns.len() as u64
    }
}

/// System mode: instructions that end a block before them, for the front
/// end to execute (see `ExitReason::System`): those whose meaning depends
/// on the exception level or on system state translated code does not see.
/// LDTR/STTR stay in translated code (their accesses use EL0's TLB table,
/// `ir::Op::Unprivileged`), and so do hints other than WFI/WFE, barriers,
/// the flag-manipulation forms, IC IVAU, DC ZVA and the DC cleans, and the
/// EL0 registers the core defines the same way at every level.
pub fn exits_in_system_mode(word: u32) -> bool {
    use crate::guest::aarch64::decode::is_system_space;
    use crate::guest::aarch64::sysregs::{sysreg, CTR_EL0, DCZID_EL0, FPCR, FPSR, NZCV, TPIDR_EL0};
    if !is_system_space(word) || word & 0xffc0_0000 != 0xd500_0000 {
        // Not a system instruction at all, or exception generation / ERET.
        return is_system_space(word);
    }
    let field = |lo: u32, width: u32| (word >> lo) & ((1 << width) - 1);
    let (l, op0, op1, crn, crm, op2) = (field(21, 1), field(19, 2), field(16, 3), field(12, 4), field(8, 4), field(5, 3));
    match (l, op0) {
        (0, 0) => match crn {
            // WFE and WFI idle the vCPU; other hints are the core's.
            2 => crm == 0 && (op2 == 2 || op2 == 3),
            // DMB, DSB, ISB, CLREX, SB.
            3 => false,
            // CFINV, XAFLAG, AXFLAG; DAIFSet and DAIFClr through the front
            // end's MSR hook; other PSTATE fields need the vCPU.
            4 => !(op1 == 0 && crm == 0 && op2 <= 2 || op1 == 3 && (op2 == 6 || op2 == 7)),
            _ => true,
        },
        // DC ZVA and the DC cleans by address act on memory only; IC IVAU
        // drops the line's translations the same way at either level.
        (0, 1) => !(op1 == 3 && crn == 7 && (matches!(crm, 4 | 10 | 11 | 12 | 13 | 14) || crm == 5 && op2 == 1)),
        (_, 3) => {
            let reg = field(5, 16) as u16;
            // Reads of the EL1 state a kernel reads all the time (its task
            // pointer in SP_EL0, its per-CPU offset in TPIDR_EL1, the
            // interrupt masks, the level) go through the front end's MRS
            // hook (`interp::set_mrs_hook`) without leaving.
            const HOT_EL1_READS: [u16; 4] = [sysreg(3, 0, 4, 1, 0), sysreg(3, 0, 13, 0, 4), sysreg(3, 3, 4, 2, 1), sysreg(3, 0, 4, 2, 2)];
            // The cache-type and DC ZVA registers read the same at every
            // level (neither SCTLR_EL1.UCT nor DZE traps is modelled).
            let el0_register = matches!(reg, NZCV | FPCR | FPSR | TPIDR_EL0 | CTR_EL0 | DCZID_EL0) && (l == 1 || !matches!(reg, CTR_EL0 | DCZID_EL0))
                || reg == sysreg(3, 3, 13, 0, 3) && l == 1;
            // Writes of DAIF (interrupt masking, all over a kernel), SP_EL0
            // (the current task) and TPIDRRO_EL0 (context switches) go
            // through the front end's MSR hook (`interp::set_msr_hook`).
            let hot_el1_write = l == 0 && [sysreg(3, 3, 4, 2, 1), sysreg(3, 0, 4, 1, 0), sysreg(3, 3, 13, 0, 3)].contains(&reg);
            !(el0_register || l == 1 && HOT_EL1_READS.contains(&reg) || hot_el1_write)
        }
        _ => true,
    }
}

/// Decodes the block starting at `pc`; in `system` mode it stops before an
/// instruction [`exits_in_system_mode`] names (the caller checked the first).
pub fn build_block(pc: u64, system: bool) -> Block {
    let mut insns = Vec::new();
    let mut at = pc;
    note_code_page(pc);
    let phys_page = if system { mem::translating(pc) } else { None };
    loop {
        // SAFETY: instruction fetch; an unmapped PC faults the host thread,
        // which is how a guest jump to an unmapped address ends (SIGSEGV).
        // Blocks end at page boundaries, so in system mode only the first
        // fetch of a block can fault.
        let word = unsafe { mem::fetch_insn(at) };
        if system && !insns.is_empty() && exits_in_system_mode(word) {
            break;
        }
        let insn = decode(word);
        insns.push((word, insn));
        at += 4;
        if insn.ends_block() || insns.len() >= MAX_BLOCK_INSNS || at % PAGE_SIZE == 0 {
            break;
        }
    }
    Block { pc, insns: insns.into(), exec_count: 0, code: None, uncompilable: false, baseline: None, bridged: false, phys_page, checked_in: 0 }
}

/// Pages some engine has translated code from.
static CODE_PAGES: Mutex<Option<HashSet<u64>>> = Mutex::new(None);
/// Bumped whenever translated code may have become stale.
static CODE_GENERATION: AtomicU64 = AtomicU64::new(0);
/// Exit-request flags of every running CPU, so invalidation can stop them:
/// (address, engines that registered it). A system-mode vCPU runs several
/// engines (one per address space), and dropping one must not forget the
/// flag the others still rely on.
static LIVE_EXIT_FLAGS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
/// Recent invalidations: (generation they created, first page, last page),
/// oldest first, so that an engine drops only the blocks of those pages.
static INVALIDATIONS: Mutex<std::collections::VecDeque<(u64, u64, u64)>> = Mutex::new(std::collections::VecDeque::new());
/// Invalidations remembered; an engine further behind flushes everything.
const INVALIDATION_LOG_LEN: usize = 1024;

/// What changed since generation `seen`: the current generation and the
/// page ranges invalidated after `seen`, or `None` when the log no longer
/// reaches back that far (the caller must drop everything).
pub fn changes_since(seen: u64) -> (u64, Option<Vec<(u64, u64)>>) {
    let log = INVALIDATIONS.lock().unwrap_or_else(|e| e.into_inner());
    let now = CODE_GENERATION.load(Ordering::Acquire);
    if now == seen {
        return (now, Some(Vec::new()));
    }
    match log.front() {
        Some(&(oldest, _, _)) if oldest <= seen + 1 => {
            (now, Some(log.iter().filter(|&&(g, _, _)| g > seen).map(|&(_, a, b)| (a, b)).collect()))
        }
        _ => (now, None),
    }
}

thread_local! {
    /// The page this thread noted last and the code generation then: blocks
    /// come page after page, so most notes need not take the lock. A newer
    /// generation may have dropped the page from the set, so it is noted again.
    static LAST_NOTED: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((u64::MAX, 0)) };
}

fn note_code_page(pc: u64) {
    let page = pc / PAGE_SIZE;
    let generation = code_generation();
    if LAST_NOTED.with(|l| l.get()) == (page, generation) {
        return;
    }
    let mut pages = CODE_PAGES.lock().unwrap_or_else(|e| e.into_inner());
    pages.get_or_insert_with(HashSet::new).insert(page);
    LAST_NOTED.with(|l| l.set((page, generation)));
}

/// The current code generation; an engine whose cache is older must flush.
pub fn code_generation() -> u64 {
    CODE_GENERATION.load(Ordering::Acquire)
}

/// Registers a CPU's exit-request flag so invalidations reach it.
pub fn register_exit_flag(flag: &AtomicU32) {
    let mut live = LIVE_EXIT_FLAGS.lock().unwrap_or_else(|e| e.into_inner());
    let addr = flag as *const AtomicU32 as usize;
    match live.iter_mut().find(|(a, _)| *a == addr) {
        Some((_, engines)) => *engines += 1,
        None => live.push((addr, 1)),
    }
}

/// Removes a flag registered with [`register_exit_flag`].
pub fn unregister_exit_flag(flag: &AtomicU32) {
    let mut live = LIVE_EXIT_FLAGS.lock().unwrap_or_else(|e| e.into_inner());
    let addr = flag as *const AtomicU32 as usize;
    if let Some(i) = live.iter().position(|(a, _)| *a == addr) {
        live[i].1 -= 1;
        if live[i].1 == 0 {
            live.swap_remove(i);
        }
    }
}

/// Finds the other views of the memory at a guest address: for a page of a
/// shared file or memfd mapped twice (a JIT writing code through an RW view
/// and running it through an RX one), the ranges of the other mappings.
/// The front end that knows the address space installs it.
pub type AliasResolver = fn(u64) -> Vec<(u64, u64)>;

static ALIAS_RESOLVER: std::sync::OnceLock<AliasResolver> = std::sync::OnceLock::new();

/// Installs the alias resolver (once per process; later calls are ignored).
pub fn set_alias_resolver(resolver: AliasResolver) {
    let _ = ALIAS_RESOLVER.set(resolver);
}

/// `IC IVAU`: invalidates the instruction-cache line holding `addr`. The
/// architecture invalidates by physical address, so the same line seen
/// through another virtual mapping goes too: when the line itself holds no
/// translated code, the other views the resolver names are invalidated.
pub fn invalidate_icache_line(addr: u64) {
    const LINE: u64 = 64;
    if invalidate_range(addr & !(LINE - 1), LINE) {
        return;
    }
    if let Some(resolve) = ALIAS_RESOLVER.get() {
        for (start, end) in resolve(addr) {
            invalidate_range(start, end - start);
        }
    }
}

/// Every lock of the code cache, held across a host `fork` of a
/// multi-threaded guest: the child starts with only the forking thread, so a
/// lock another thread held at that moment would stay locked in the child
/// forever. Taking them all first (as qemu-user does around fork) means the
/// child inherits them held by its one thread, which drops the guard.
pub struct ForkGuard {
    code: Option<MutexGuard<'static, super::translations::Translations>>,
    _pages: MutexGuard<'static, Option<HashSet<u64>>>,
    _log: MutexGuard<'static, std::collections::VecDeque<(u64, u64, u64)>>,
    _exit_flags: MutexGuard<'static, Vec<(usize, usize)>>,
    _compile_service: super::background::ServiceGuard,
}

/// Takes every code-cache lock until the guard is dropped (in the parent
/// and in the child after `fork`). Always in this order, which no other path
/// nests the other way round.
pub fn lock_for_fork() -> ForkGuard {
    ForkGuard {
        code: super::translations::CodeCache::lock_process(),
        _pages: CODE_PAGES.lock().unwrap_or_else(|e| e.into_inner()),
        _log: INVALIDATIONS.lock().unwrap_or_else(|e| e.into_inner()),
        _exit_flags: LIVE_EXIT_FLAGS.lock().unwrap_or_else(|e| e.into_inner()),
        _compile_service: super::background::lock_service(),
    }
}

impl ForkGuard {
    /// Lets the locks go; `in_child` after `fork` in the child, where the
    /// other threads are gone (none of them is running shared code).
    pub fn release(mut self, in_child: bool) {
        if let (true, Some(code)) = (in_child, self.code.as_mut()) {
            code.forget_other_threads();
        }
    }
}

/// Discards translations of guest code in `[start, start + len)`; true if
/// there were any.
pub fn invalidate_range(start: u64, len: u64) -> bool {
    if len == 0 {
        return false;
    }
    let first = start / PAGE_SIZE;
    let last = start.saturating_add(len - 1) / PAGE_SIZE;
    let hit = {
        let mut guard = CODE_PAGES.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pages) = guard.as_mut() else { return false };
        let before = pages.len();
        if last - first < pages.len() as u64 {
            for p in first..=last {
                pages.remove(&p);
            }
        } else {
            pages.retain(|&p| p < first || p > last);
        }
        pages.len() != before
    };
    if !hit {
        return false;
    }
    {
        // The generation and its log entry change together, under the log's
        // lock, so that an engine reading both sees a consistent pair.
        let mut log = INVALIDATIONS.lock().unwrap_or_else(|e| e.into_inner());
        let generation = CODE_GENERATION.fetch_add(1, Ordering::AcqRel) + 1;
        if log.len() == INVALIDATION_LOG_LEN {
            log.pop_front();
        }
        log.push_back((generation, first, last));
    }
    request_exit_everywhere();
    true
}

/// System mode: the translation of `pc` was made from another physical
/// page than the one `pc` maps to now. Discards the translations of its
/// page in every code cache and makes every thread's tables forget it.
pub fn drop_stale_page(pc: u64) {
    super::stats::note_stale_translation();
    let page = pc / PAGE_SIZE;
    CODE_PAGES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashSet::new).insert(page);
    invalidate_range(page * PAGE_SIZE, PAGE_SIZE);
}

/// Asks every running CPU to leave translated code at its next block
/// boundary.
pub fn request_exit_everywhere() {
    let live = LIVE_EXIT_FLAGS.lock().unwrap_or_else(|e| e.into_inner());
    for &(addr, _) in live.iter() {
        // SAFETY: flags are registered by engines for CPUs that outlive their
        // registration (unregistered when the engine is dropped).
        let flag = unsafe { &*(addr as *const AtomicU32) };
        flag.store(1, Ordering::Release);
    }
}

/// A hasher for maps keyed by guest addresses and page numbers: one
/// multiply. The execution loop looks up a block on every dispatch, where
/// the standard library's SipHash (built to resist chosen keys, which
/// guest addresses are not a threat of) was a visible cost.
#[derive(Default, Clone, Copy)]
pub struct PcHasher(u64);

impl std::hash::Hasher for PcHasher {
    fn finish(&self) -> u64 {
        // The high bits of the product mix every key bit; hashbrown uses
        // the top 7 bits as a tag and the low bits as the bucket.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by guest address or page number.
pub type PcMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<PcHasher>>;

#[cfg(test)]
mod system_exit_tests {
    use super::exits_in_system_mode;

    #[test]
    fn only_instructions_that_need_el1_state_leave_translated_code() {
        let stay = [
            (0xd503_201f, "nop"),
            (0xd503_233f, "paciasp"),
            (0xd503_245f, "bti c"),
            (0xd503_3bbf, "dmb ish"),
            (0xd503_3fdf, "isb"),
            (0xd500_401f, "cfinv"),
            (0xd50b_7420, "dc zva, x0"),
            (0xd50b_7b20, "dc cvau, x0"),
            (0xd50b_7520, "ic ivau, x0"),
            (0xd53b_d040, "mrs x0, tpidr_el0"),
            (0xd538_4100, "mrs x0, sp_el0"),
            (0xd538_d080, "mrs x0, tpidr_el1"),
            (0xd53b_4220, "mrs x0, daif"),
            (0xd51b_4220, "msr daif, x0"),
            (0xd503_42df, "msr daifset, #2"),
            (0xd503_4fff, "msr daifclr, #15"),
            (0xd518_4100, "msr sp_el0, x0"),
            (0xd51b_d060, "msr tpidrro_el0, x0"),
            (0xd51b_4200, "msr nzcv, x0"),
            (0xd53b_0020, "mrs x0, ctr_el0"),
            (0xd53b_00e0, "mrs x0, dczid_el0"),
            (0xf840_0800, "ldtr x0, [x0]"),
            (0x3800_0800, "sttrb w0, [x0]"),
            (0x8b02_0020, "add x0, x1, x2"),
        ];
        let leave = [
            (0xd503_207f, "wfi"),
            (0xd503_205f, "wfe"),
            (0xd500_409f, "msr spsel, #0"),
            (0xd500_419f, "msr pan, #1"),
            (0xd538_1000, "mrs x0, sctlr_el1"),
            (0xd508_751f, "ic iallu"),
            (0xd508_871f, "tlbi vmalle1"),
            (0xd53b_e040, "mrs x0, cntvct_el0"),
            (0xd400_0001, "svc #0"),
            (0xd400_0002, "hvc #0"),
            (0xd69f_03e0, "eret"),
            (0xd51b_0020, "msr ctr_el0, x0"),
        ];
        for (word, name) in stay {
            assert!(!exits_in_system_mode(word), "{name} must stay in translated code");
        }
        for (word, name) in leave {
            assert!(exits_in_system_mode(word), "{name} must leave translated code");
        }
    }
}
