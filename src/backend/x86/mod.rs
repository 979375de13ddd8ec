//! The baseline backend: Kestrel IR straight to x86-64 machine code.
//!
//! Built for translation speed (about a microsecond a block): one pass over
//! the IR, a register per temporary from a fixed pool, no optimisation.
//! Guest state stays in memory behind RBP. Blocks chain to each other through
//! patchable direct jumps; indirect branches look their target up in a small
//! direct-mapped table before returning to the execution loop. Code lives in
//! its own executable [`arena::Arena`], so a translation makes no system call.

pub mod arena;
pub mod emit;
pub mod encode;
mod regs;

use crate::ir;
use arena::Arena;
use emit::{EmitError, Emitter, HelperId, Helpers, MemoryStrategy, Relocations, Scratch, StateLayout};
use encode::Asm;

/// Entries of the indirect-branch table.
/// (Sized for the code a JIT-compiling runtime runs: with 4096 entries,
/// Node.js worker threads left translated code for the execution loop 3.8
/// million times, with 16384 1.1 million; 32768 saved a little more but
/// cost each thread another 512 KiB and was no faster.)
pub const JUMP_CACHE_ENTRIES: usize = 16384;

/// One entry of the indirect-branch table: guest pc -> host code.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct JumpCacheEntry {
    /// Guest pc (`u64::MAX` when empty).
    pub pc: u64,
    /// Entry of the baseline code for it.
    pub code: u64,
}

/// An entry that matches no guest pc.
pub const EMPTY: JumpCacheEntry = JumpCacheEntry { pc: u64::MAX, code: 0 };

/// A hot counter's first value for a threshold of `n` runs: the emitted
/// test takes a counter at or below zero (as a signed number) as spent, so
/// that one decremented past zero by two threads at once stays spent.
pub fn counter_start(n: u32) -> u32 {
    n.min(i32::MAX as u32)
}

/// The index of `pc` in the table (must match the emitted lookups of both
/// backends). Higher address bits are folded in: a JIT's code (V8, the
/// JVM) often lays out functions at the same offsets in different code
/// pages, which the low bits alone sent to the same entry.
pub fn jump_cache_index(pc: u64) -> usize {
    (((pc >> 2) ^ (pc >> JUMP_CACHE_FOLD)) as usize) & (JUMP_CACHE_ENTRIES - 1)
}

/// The shift of the higher bits folded into the index.
pub const JUMP_CACHE_FOLD: u8 = 16;

/// A translated block.
#[derive(Debug, Clone, Copy)]
pub struct Translation {
    /// Where to enter it.
    pub entry: *const u8,
    /// Its hot counter (counts down to zero; null when not counting).
    pub counter: *mut u32,
    /// Its stub that leaves to the execution loop with `pc` at the block.
    pub leave: *const u8,
    /// Host code bytes.
    pub len: usize,
}

/// A translation in a form another process can install: its bytes with
/// every guest address of the image made relative to the image (see
/// `Relocations`), the places that hold process-specific addresses, and
/// its fault map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeRecord {
    /// Host code; the image relocations hold image-relative values.
    pub code: Vec<u8>,
    /// Offset of the entry point.
    pub entry: u32,
    /// Offset of the leave stub.
    pub leave: u32,
    /// Guest instructions the block holds.
    pub guest_insns: u32,
    /// Offsets of image-relative 64-bit immediates.
    pub image: Vec<u32>,
    /// Offsets and identities of helper addresses.
    pub helpers: Vec<(u32, u32)>,
    /// Offset of the hot counter's rel32 field, if the block counts.
    pub counter: Option<u32>,
    /// (host offset, guest instruction index) of the memory accesses.
    pub faults: Vec<(u32, u32)>,
}

impl CodeRecord {
    /// Every offset lies inside the code (a record read from a file is
    /// checked before any byte of it is trusted with a write).
    pub fn is_well_formed(&self) -> bool {
        let len = self.code.len() as u64;
        let fits = |off: u32, size: u64| off as u64 + size <= len;
        fits(self.entry, 1)
            && fits(self.leave, 1)
            && self.image.iter().all(|&o| fits(o, 8))
            && self.helpers.iter().all(|&(o, _)| fits(o, 8))
            && self.counter.is_none_or(|o| fits(o, 4))
            && self.faults.iter().all(|&(o, _)| fits(o, 1))
    }
}

/// Where a block's code lies and which guest instruction touches memory
/// where. Code is placed at increasing addresses, so these are sorted by
/// `start` as they are appended.
struct FaultRange {
    start: u64,
    end: u64,
    guest_pc: u64,
    /// Its entries in `Baseline::accesses`: (host offset from `start`, guest
    /// instruction index).
    first: u32,
    count: u32,
}


/// Saves the callee-saved registers, points RBP (and RDI) at the guest state
/// and calls the code; translated code returns its status in EAX with
/// `ret`. Translated code is entered with the stack as any function is
/// (RSP 8 bytes off 16-alignment, the return address on top), because
/// baseline and optimised code continue in each other by jumps and tail
/// calls: the baseline backend aligns the stack around its helper calls.
#[unsafe(naked)]
unsafe extern "C" fn enter_code(_state: *mut u8, _code: *const u8) -> u32 {
    std::arch::naked_asm!(
        "push rbx", "push rbp", "push r12", "push r13", "push r14", "push r15",
        "sub rsp, 8",
        "mov rbp, rdi",
        "call rsi",
        "add rsp, 8",
        "pop r15", "pop r14", "pop r13", "pop r12", "pop rbp", "pop rbx",
        "ret",
    )
}

/// Runs translated code until it returns a status.
///
/// # Safety
/// `code` must be the entry of a live translation (of a baseline arena or
/// of the optimising tier's current module), and `state` the CPU state the
/// code was emitted for, not used by anything else while the code runs.
pub unsafe fn run_code(state: *mut u8, code: *const u8) -> ir::ExitStatus {
    // SAFETY: forwarded from the caller.
    match unsafe { enter_code(state, code) } {
        1 => ir::ExitStatus::Syscall,
        2 => ir::ExitStatus::Raise,
        3 => ir::ExitStatus::Hot,
        _ => ir::ExitStatus::Continue,
    }
}

/// Writes the first bytes of a translation's entry (`bytes`, at most 8) in
/// one atomic 8-byte store, keeping the rest of those 8 bytes.
///
/// # Safety
/// `entry` must be the 16-byte aligned entry of a live translation whose
/// first instruction is the 7-byte exit-request test `emit` puts there (or
/// a jump written here over it). Other threads may be executing it: an
/// aligned 8-byte store is seen whole by their instruction fetch, so each
/// runs either the old first instruction or the new one.
unsafe fn write_entry(entry: *const u8, bytes: &[u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    // SAFETY: aligned (checked by the caller's contract) and inside the
    // translation (the entry instruction alone is 7 bytes, the code after
    // it more).
    let word = unsafe { &*(entry as *const AtomicU64) };
    let mut now = word.load(Ordering::Relaxed).to_le_bytes();
    now[..bytes.len()].copy_from_slice(bytes);
    word.store(u64::from_le_bytes(now), Ordering::Release);
}

/// Makes a translation's entry jump to `target` (see [`write_entry`]).
///
/// # Safety
/// As for [`write_entry`]; `target` must be code in reach of a rel32.
unsafe fn jump_from_entry(entry: *const u8, target: *const u8) {
    let rel = (target as i64 - (entry as i64 + 5)) as i32;
    let mut jmp = [0xe9u8, 0, 0, 0, 0];
    jmp[1..].copy_from_slice(&rel.to_le_bytes());
    // SAFETY: forwarded from the caller.
    unsafe { write_entry(entry, &jmp) };
}

/// The guest instruction of a host address in code described by `faults`
/// and `accesses` (see [`Baseline::guest_pc_at`]).
fn guest_pc_in(faults: &[FaultRange], accesses: &[(u32, u32)], host_pc: u64) -> Option<u64> {
    let i = faults.partition_point(|r| r.start <= host_pc);
    let range = faults.get(i.checked_sub(1)?)?;
    if host_pc >= range.end {
        return None;
    }
    let off = (host_pc - range.start) as u32;
    let accesses = &accesses[range.first as usize..(range.first + range.count) as usize];
    let j = accesses.partition_point(|&(o, _)| o <= off);
    let &(_, index) = accesses.get(j.checked_sub(1)?)?;
    Some(range.guest_pc + 4 * index as u64)
}

/// Counters for `-d stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct BaselineStats {
    /// Blocks translated.
    pub blocks: u64,
    /// Guest instructions translated.
    pub guest_insns: u64,
    /// Host code bytes emitted.
    pub code_bytes: u64,
    /// Blocks refused (run by the interpreter instead).
    pub refused: u64,
    /// Arena resets.
    pub resets: u64,
    /// Translations installed from the persistent cache (counted in
    /// `guest_insns` and `code_bytes` too, not in `blocks`).
    pub installed: u64,
}

/// Translations that no thread can enter any more but one may still be
/// running (see [`Baseline::renew`]): freed when the last thread that could
/// be inside has come back to its execution loop.
pub struct RetiredCode {
    _arena: Arena,
    faults: Vec<FaultRange>,
    accesses: Vec<(u32, u32)>,
}

impl RetiredCode {
    /// As [`Baseline::guest_pc_at`], for a fault in this old code.
    pub fn guest_pc_at(&self, host_pc: u64) -> Option<u64> {
        guest_pc_in(&self.faults, &self.accesses, host_pc)
    }
}

/// The baseline backend of one code cache (shared by the threads of a
/// process in user mode).
pub struct Baseline {
    arena: Arena,
    arena_bytes: usize,
    asm: Asm,
    scratch: Scratch,
    layout: StateLayout,
    helpers: Helpers,
    faults: Vec<FaultRange>,
    accesses: Vec<(u32, u32)>,
    /// Entry and leave offsets and guest instructions of the last translation.
    last_entry: (u32, u32, u32),
    /// How emitted code reaches guest memory.
    memory: MemoryStrategy,
    /// The block being translated after state forwarding (its buffers are
    /// reused from block to block).
    forwarded: ir::Block,
    forwarding: ir::forward::StateForwarding,
    /// Statistics.
    pub stats: BaselineStats,
    /// System mode: the chain sites patched since the arena was last reset
    /// and the rel32 each had before (to its own exit stub), for
    /// [`Baseline::unchain_all`].
    chained: Vec<(u64, i32)>,
}

/// How many guest state fields forwarding keeps in host registers at once
/// (see `ir::forward`), tried in turn until the block fits the register
/// pool. Measured on sha256sum (baseline only, 40 MB): 0.86 s without
/// forwarding, 0.82 s with 4, 0.77 s with 6, 0.60 s with 8, 0.52 s with
/// 10; with more, most hot blocks ran out of registers.
const FORWARDED_FIELDS: [usize; 3] = [10, 4, 0];

/// Why a block was not translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranslateError {
    /// The block's code cannot be emitted (see [`EmitError`]).
    Emit(EmitError),
    /// The arena is full: reset it and retry.
    ArenaFull,
}

impl Baseline {
    /// A backend with an empty arena of `arena_bytes`; `None` if the host
    /// refuses executable memory.
    pub fn new(layout: StateLayout, helpers: Helpers, arena_bytes: usize) -> Option<Baseline> {
        Some(Baseline {
            arena: Arena::new(arena_bytes)?,
            arena_bytes,
            asm: Asm { buf: Vec::with_capacity(1 << 16) },
            scratch: Scratch::default(),
            layout,
            helpers,
            faults: Vec::new(),
            accesses: Vec::new(),
            last_entry: (0, 0, 0),
            memory: MemoryStrategy::Identity,
            forwarded: ir::Block::default(),
            forwarding: ir::forward::StateForwarding::default(),
            stats: BaselineStats::default(),
            chained: Vec::new(),
        })
    }

    /// Routes guest memory accesses of code translated from now on through
    /// the software MMU (system mode) instead of plain host accesses.
    pub fn use_soft_mmu(&mut self) {
        self.memory = MemoryStrategy::SoftMmu;
    }

    /// Translates one IR block. With `hot_after`, the block counts its runs
    /// and leaves with [`ir::ExitStatus::Hot`] after that many. With
    /// `image` (the guest address range of the mapped file holding the
    /// block), [`Baseline::record`] can then describe the translation for
    /// another process.
    pub fn translate(&mut self, block: &ir::Block, hot_after: Option<u32>, image: Option<(u64, u64)>) -> Result<Translation, TranslateError> {
        self.asm.buf.clear();
        let counter = match hot_after {
            Some(n) => {
                let c = self.arena.alloc_u32().ok_or(TranslateError::ArenaFull)?;
                // SAFETY: a fresh counter of our data area.
                unsafe { c.write(counter_start(n)) };
                c
            }
            None => std::ptr::null_mut(),
        };
        // Code is placed at `next_address`, so the counter's position
        // relative to it is known before emission.
        let code_at = self.arena.next_address();
        let relative = hot_after.map(|_| counter as i64 - code_at as i64);
        let l = self.layout;
        let flags = [ir::Field(l.nf), ir::Field(l.zf), ir::Field(l.cf), ir::Field(l.vf)];
        let mut emitted = Err(EmitError::OutOfRegisters);
        for limit in FORWARDED_FIELDS {
            // Forwarding may keep too many values live for the register
            // pool: then again with fewer (and with none, the block as
            // lowered).
            let f = &mut self.forwarded;
            f.ops.clear();
            f.ops.extend_from_slice(&block.ops);
            (f.pc, f.exit, f.temps, f.guest_insns) = (block.pc, block.exit, block.temps, block.guest_insns);
            self.forwarding.run(f, &flags, limit);
            self.asm.buf.clear();
            emitted = Emitter::emit(&mut self.asm, &mut self.scratch, f, l, self.helpers, relative, self.memory, image);
            if !matches!(emitted, Err(EmitError::OutOfRegisters)) {
                break;
            }
        }
        let emitted = emitted.map_err(|e| {
            self.stats.refused += 1;
            TranslateError::Emit(e)
        })?;
        self.last_entry = (emitted.entry as u32, emitted.leave as u32, block.guest_insns);
        self.stats.blocks += 1;
        self.stats.guest_insns += block.guest_insns as u64;
        self.place(block.pc, counter, emitted.entry, emitted.leave)
    }

    /// Copies the code in `self.asm` into the arena with the fault map in
    /// `self.scratch`.
    fn place(&mut self, guest_pc: u64, counter: *mut u32, entry: usize, leave: usize) -> Result<Translation, TranslateError> {
        let start = self.arena.push(&self.asm.buf).ok_or(TranslateError::ArenaFull)?;
        let base = start as u64;
        self.stats.code_bytes += self.asm.buf.len() as u64;
        let map = &self.scratch.fault_map;
        if !map.is_empty() {
            self.faults.push(FaultRange {
                start: base,
                end: base + self.asm.buf.len() as u64,
                guest_pc,
                first: self.accesses.len() as u32,
                count: map.len() as u32,
            });
            self.accesses.extend_from_slice(map);
        }
        // SAFETY: the offsets lie inside the bytes just copied to `start`.
        unsafe { Ok(Translation { entry: start.add(entry), counter, leave: start.add(leave), len: self.asm.buf.len() }) }
    }

    /// The last translation (made with an image range) as a record whose
    /// image addresses are relative to `image_base`.
    pub fn record(&self, image_base: u64) -> CodeRecord {
        let r: &Relocations = &self.scratch.relocations;
        let mut code = self.asm.buf.clone();
        for &off in &r.image {
            let at = off as usize..off as usize + 8;
            let v = u64::from_le_bytes(code[at.clone()].try_into().unwrap_or_default());
            code[at].copy_from_slice(&v.wrapping_sub(image_base).to_le_bytes());
        }
        let (entry, leave, guest_insns) = self.last_entry;
        CodeRecord {
            code,
            entry,
            leave,
            guest_insns,
            image: r.image.clone(),
            helpers: r.helpers.iter().map(|&(o, id)| (o, id as u32)).collect(),
            counter: r.counter,
            faults: self.scratch.fault_map.clone(),
        }
    }

    /// Installs a translation recorded by another process for guest `pc`,
    /// whose image now starts at `image_base`. It counts towards the
    /// optimising tier with `hot_after` exactly when it was recorded
    /// counting (else `None`: the caller translates afresh).
    pub fn install(&mut self, rec: &CodeRecord, pc: u64, image_base: u64, hot_after: Option<u32>) -> Option<Result<Translation, TranslateError>> {
        if rec.counter.is_some() != hot_after.is_some() || !rec.is_well_formed() {
            return None;
        }
        self.asm.buf.clear();
        self.asm.buf.extend_from_slice(&rec.code);
        let put = |buf: &mut Vec<u8>, off: u32, v: u64| buf[off as usize..off as usize + 8].copy_from_slice(&v.to_le_bytes());
        for &off in &rec.image {
            let at = off as usize..off as usize + 8;
            let v = u64::from_le_bytes(self.asm.buf[at].try_into().unwrap_or_default());
            put(&mut self.asm.buf, off, v.wrapping_add(image_base));
        }
        for &(off, id) in &rec.helpers {
            put(&mut self.asm.buf, off, HelperId::from_u32(id)?.address(&self.helpers));
        }
        let counter = match (rec.counter, hot_after) {
            (Some(field), Some(n)) => {
                let Some(c) = self.arena.alloc_u32() else { return Some(Err(TranslateError::ArenaFull)) };
                // SAFETY: a fresh counter of our data area.
                unsafe { c.write(counter_start(n)) };
                // The field ends the `lea` that addresses the counter.
                let end_of_insn = self.arena.next_address() as i64 + field as i64 + 4;
                let rel = (c as i64 - end_of_insn) as i32;
                self.asm.buf[field as usize..field as usize + 4].copy_from_slice(&rel.to_le_bytes());
                c
            }
            _ => std::ptr::null_mut(),
        };
        self.scratch.fault_map.clear();
        self.scratch.fault_map.extend_from_slice(&rec.faults);
        self.stats.installed += 1;
        self.stats.guest_insns += rec.guest_insns as u64;
        Some(self.place(pc, counter, rec.entry as usize, rec.leave as usize))
    }

    /// Points the chain site whose rel32 field is at `field` at `target`.
    ///
    /// # Safety
    /// `field` must come from `chain_slot` after a block of the current
    /// generation left through it, and `target` be an entry of this arena.
    pub unsafe fn patch_chain(&mut self, field: u64, target: *const u8) {
        if !self.arena.contains(field) || !self.arena.contains(target as u64) {
            return;
        }
        let rel = (target as i64 - (field as i64 + 4)) as i32;
        let site = field as *const std::sync::atomic::AtomicI32;
        if self.memory == MemoryStrategy::SoftMmu {
            // SAFETY: as below.
            let before = unsafe { (*site).load(std::sync::atomic::Ordering::Relaxed) };
            if before == rel {
                // Two threads left through the same site before either
                // chained it.
                return;
            }
            self.chained.push((field, before));
        }
        // SAFETY: the field lies in our arena (checked) and is 4-byte aligned
        // by construction. Other threads may be executing the jump: one
        // aligned 4-byte store is seen whole by their instruction fetch, so
        // they take the old target (its leave stub) or the new one.
        unsafe { (*site).store(rel, std::sync::atomic::Ordering::Release) };
    }

    /// Points every chain site patched since the arena was last reset back
    /// at its exit stub (system mode, after TLB maintenance: a chain skips
    /// the execution loop's check that the target still comes from the
    /// physical page its address maps to).
    ///
    /// # Safety
    /// Every recorded site must still be code of this arena (a reset
    /// forgets them).
    pub unsafe fn unchain_all(&mut self) {
        // Latest first, so a site recorded twice ends at its first value.
        for (field, rel) in self.chained.drain(..).rev() {
            // SAFETY: as in `patch_chain`: an aligned rel32 field of this
            // arena's code, which other threads see whole.
            unsafe { (*(field as *const std::sync::atomic::AtomicI32)).store(rel, std::sync::atomic::Ordering::Release) };
        }
    }

    /// Makes every entry into `t` leave to the execution loop instead (its
    /// code was superseded by the optimising tier).
    ///
    /// # Safety
    /// `t` must be a translation of the current generation, not running.
    pub unsafe fn retire(&mut self, t: &Translation) {
        // SAFETY: forwarded from the caller.
        unsafe { jump_from_entry(t.entry, t.leave) };
    }

    /// Makes every entry into `t` continue in `target`, code of the
    /// optimising tier that takes the CPU state as its first argument (RDI)
    /// and, like this backend's code, returns a status or leaves through a
    /// tail call: a small bridge in the arena loads RDI from RBP and jumps.
    /// Chains and the indirect-branch table keep pointing at `t`, so
    /// [`Baseline::unretire`] is all it takes to go back.
    ///
    /// Returns false, changing nothing, when the arena has no room for the
    /// bridge: the block's baseline code stays in use (the region is entered
    /// from the execution loop only). (Retiring the entry to the leave stub
    /// instead sent the execution loop round in a circle: the entry left at
    /// once with the same pc.)
    ///
    /// # Safety
    /// As for `retire`; `target` must stay valid until `unretire` or a
    /// reset.
    pub unsafe fn retire_to(&mut self, t: &Translation, target: *const u8) -> bool {
        let mut a = Asm { buf: Vec::with_capacity(16) };
        a.mov_rr(true, encode::regs::RDI, encode::regs::RBP);
        a.mov_abs(encode::regs::RAX, target as u64);
        a.jmp_r(encode::regs::RAX);
        let Some(bridge) = self.arena.push(&a.buf) else { return false };
        // SAFETY: forwarded from the caller.
        unsafe { jump_from_entry(t.entry, bridge) };
        true
    }

    /// Whether `addr` lies in this backend's code.
    pub fn contains(&self, addr: u64) -> bool {
        self.arena.contains(addr)
    }

    /// Undoes [`Baseline::retire`]: entries run `t` again, and its hot
    /// counter starts over at `hot_after`.
    ///
    /// # Safety
    /// As for `retire`.
    pub unsafe fn unretire(&mut self, t: &Translation, hot_after: u32) {
        let mut a = Asm { buf: Vec::with_capacity(8) };
        a.cmp_m32_zero_wide(encode::regs::RBP, self.layout.exit_request);
        // SAFETY: the same 7 bytes `emit` put there, written as in
        // `jump_from_entry`; the counter is the translation's own.
        unsafe {
            write_entry(t.entry, &a.buf);
            if !t.counter.is_null() {
                t.counter.write_volatile(counter_start(hot_after));
            }
        }
    }

    /// Forgets every translation.
    ///
    /// # Safety
    /// No translated code may be running, and no pointer to it be used again.
    pub unsafe fn reset(&mut self) {
        // SAFETY: forwarded from the caller.
        unsafe { self.arena.reset() };
        self.chained.clear();
        self.faults.clear();
        self.accesses.clear();
        self.stats.resets += 1;
    }

    /// Starts over in a fresh arena while other threads may still run code
    /// of this one: the old code comes back for the caller to keep until no
    /// thread can be inside it. `None` (nothing changed) if the host gives
    /// no new executable memory.
    pub fn renew(&mut self) -> Option<RetiredCode> {
        let fresh = Arena::new(self.arena_bytes)?;
        let old = std::mem::replace(&mut self.arena, fresh);
        self.chained.clear();
        self.stats.resets += 1;
        Some(RetiredCode { _arena: old, faults: std::mem::take(&mut self.faults), accesses: std::mem::take(&mut self.accesses) })
    }

    /// The guest instruction whose code contains the host address `host_pc`,
    /// if it is a memory access in this backend's code.
    pub fn guest_pc_at(&self, host_pc: u64) -> Option<u64> {
        guest_pc_in(&self.faults, &self.accesses, host_pc)
    }

    /// Bytes of the arena in use.
    pub fn arena_used(&self) -> usize {
        self.arena.used()
    }
}
