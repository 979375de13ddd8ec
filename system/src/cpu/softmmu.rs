//! The software MMU of one vCPU: guest virtual addresses to guest RAM or
//! device registers, through a small direct-mapped TLB in front of the
//! stage 1 table walk.
//!
//! The TLB is the core's `kestrel::mem::soft_tlb` layout, which translated
//! code reads inline: one table per translation context (EL0, EL1, EL1 with
//! PAN), each entry one 4 KiB virtual page with a tag per access kind the
//! context may make and the host offset of the page, so that a hit on RAM
//! is a compare and an add. Device pages never get a tag: every access to
//! them walks and goes to the bus. Entries are never shared between
//! regimes: every write to SCTLR/TCR/TTBR0/TTBR1 and every TLBI empties the
//! tables (see [`SoftMmu::flush`]), which is what makes ASIDs safe to
//! ignore here. A miss walks the tables; a fault records the abort for the
//! vCPU loop and abandons the instruction ([`kestrel::guard::abandon`]).
//!
//! RAM pages that translated code came from get no write tag
//! ([`crate::code_pages`]): the first store to one comes here, drops that
//! code and only then makes the page writable at full speed.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::sync::Arc;

use kestrel::guest::aarch64::mmu::{self, Access, Fault, FaultKind, PhysMem, Regime, Translation};
use kestrel::mem::{soft_tlb, SystemMemory};

use crate::bus::Bus;
use crate::code_pages::CodePages;

const PAGE_BITS: u32 = 12;
const PAGE_SIZE: u64 = 1 << PAGE_BITS;
const PAGE_MASK: u64 = PAGE_SIZE - 1;

/// Guest RAM as the CPU sees it: one host mapping at a physical base.
#[derive(Clone, Copy)]
pub struct RamWindow {
    /// Guest-physical address of the first byte.
    pub base: u64,
    /// Bytes of RAM.
    pub size: u64,
    /// Host address of the first byte.
    pub host: *mut u8,
}

// SAFETY: the window describes memory that lives as long as the machine and
// is shared by design between vCPU threads (guest RAM is shared memory).
unsafe impl Send for RamWindow {}
// SAFETY: as above; the window itself is immutable.
unsafe impl Sync for RamWindow {}

impl RamWindow {
    /// The host address of `len` bytes at `pa`, if all of them are RAM.
    pub fn host(&self, pa: u64, len: u64) -> Option<*mut u8> {
        let offset = pa.checked_sub(self.base)?;
        (offset.checked_add(len)? <= self.size).then(|| self.host.wrapping_add(offset as usize))
    }
}

impl PhysMem for RamWindow {
    fn read_u64(&self, pa: u64) -> Option<u64> {
        let p = self.host(pa, 8)?;
        // SAFETY: `host` checked that the 8 bytes lie inside guest RAM;
        // descriptors are naturally aligned but read unaligned anyway. Other
        // vCPUs may write tables concurrently: a torn read is impossible for
        // an aligned u64 on x86-64.
        Some(unsafe { std::ptr::read_volatile(p as *const u64) })
    }
}

/// The state the MMU reads from the CPU: exception level, PSTATE.PAN and
/// the registers of the translation regime. The vCPU loop keeps it current.
#[derive(Debug, Clone, Copy, Default)]
pub struct MmuContext {
    /// Current exception level (0 or 1).
    pub el: u8,
    /// PSTATE.PAN.
    pub pan: bool,
    /// SCTLR_EL1, TCR_EL1, TTBR0_EL1, TTBR1_EL1.
    pub regime: Regime,
}

/// A synchronous abort the MMU found, for the vCPU to raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abort {
    /// ESR_EL1.
    pub esr: u64,
    /// FAR_EL1.
    pub far: u64,
}

/// The translation contexts, each with its own TLB table: what EL0 may do
/// (also LDTR/STTR at EL1), what EL1 may do, and EL1 with PSTATE.PAN.
const CONTEXTS: usize = 3;
const EL0_TABLE: usize = 0;
const EL1_TABLE: usize = 1;
const EL1_PAN_TABLE: usize = 2;

/// The software MMU of one vCPU.
pub struct SoftMmu {
    /// `CONTEXTS` tables of `soft_tlb::ENTRIES` entries.
    tlb: UnsafeCell<Box<[soft_tlb::Entry]>>,
    ctx: Cell<MmuContext>,
    /// The current instruction is LDTR/STTR (and friends): check its data
    /// accesses as EL0's.
    unprivileged: Cell<bool>,
    abort: Cell<Option<Abort>>,
    /// The page instructions were last fetched from: virtual page number
    /// + 1 (0: none) and its host address. Sequential fetches skip the TLB.
    code_page: Cell<(u64, *mut u8)>,
    ram: RamWindow,
    bus: Arc<Bus>,
    code: Arc<CodePages>,
    /// Blocks and large pages (bigger than 4 KiB) the TLB holds pieces of,
    /// as (first virtual address, log2 size); `None` when there were too
    /// many to remember. A TLBI by address inside one must drop them all.
    large: RefCell<Option<Vec<(u64, u8)>>>,
    /// `code.marks()` when this TLB last dropped its write tags to code pages.
    code_marks_seen: Cell<u64>,
    /// The last page noted as translated: (RAM page, virtual page,
    /// `code.unmarks()` then), so that the blocks of one page note it once.
    last_translated: Cell<(u64, u64, u64)>,
}

impl SoftMmu {
    /// An MMU for guest RAM `ram` and the devices on `bus`; `code` tracks
    /// the RAM pages translated code came from.
    pub fn new(ram: RamWindow, bus: Arc<Bus>, code: Arc<CodePages>) -> SoftMmu {
        SoftMmu {
            tlb: UnsafeCell::new(vec![soft_tlb::EMPTY; CONTEXTS * soft_tlb::ENTRIES].into_boxed_slice()),
            ctx: Cell::new(MmuContext::default()),
            unprivileged: Cell::new(false),
            abort: Cell::new(None),
            code_page: Cell::new((0, std::ptr::null_mut())),
            ram,
            bus,
            code,
            large: RefCell::new(Some(Vec::new())),
            code_marks_seen: Cell::new(0),
            last_translated: Cell::new((u64::MAX, 0, 0)),
        }
    }

    /// The RAM page index of a host address inside guest RAM.
    fn ram_page(&self, host: *mut u8) -> u64 {
        (host as u64 - self.ram.host as u64) >> PAGE_BITS
    }

    /// Drops the write tags that lead to pages translated code came from,
    /// if any page became such a page since the last call: stores to them
    /// must take the slow path, which drops the code.
    pub fn sync_code_pages(&self) {
        let marks = self.code.marks();
        if marks == self.code_marks_seen.get() {
            return;
        }
        self.code_marks_seen.set(marks);
        // SAFETY: this vCPU's thread is the only user of its TLB.
        let tlb = unsafe { &mut *self.tlb.get() };
        for e in tlb.iter_mut().filter(|e| e.write != soft_tlb::INVALID) {
            // Entries exist only for RAM pages.
            let host = e.write.wrapping_add(e.addend) as *mut u8;
            if self.code.is_code(self.ram_page(host)) {
                e.write = soft_tlb::INVALID;
            }
        }
    }

    /// Code is being translated from the page of `va` (fetch permission
    /// checked; a fault abandons): registers the RAM page it comes from and
    /// returns its index.
    fn note_translation(&self, va: u64) -> u64 {
        let page = self.code_page_index(va);
        let key = (page, va & !PAGE_MASK, self.code.unmarks());
        if self.last_translated.get() != key {
            self.code.note_translation(key.0, key.1);
            self.last_translated.set(key);
        }
        // Another vCPU may have marked the page since this TLB last looked.
        self.sync_code_pages();
        page
    }

    /// The RAM page (index from RAM's start) instructions at `va` come
    /// from; a fault abandons with the instruction abort.
    fn code_page_index(&self, va: u64) -> u64 {
        let Ok(host) = self.resolve(va, 4, Access::Fetch) else { self.external_abort(va, Access::Fetch) };
        self.ram_page(host)
    }

    /// Guest RAM.
    pub fn ram(&self) -> &RamWindow {
        &self.ram
    }

    /// Updates the CPU state translations depend on; a changed regime
    /// empties the TLB.
    pub fn set_context(&self, ctx: MmuContext) {
        let old = self.ctx.replace(ctx);
        if old.regime != ctx.regime {
            // A context switch changes only TTBR0 and the ASID: the kernel's
            // half (global, behind the same TTBR1 table) stays valid.
            const BADDR: u64 = 0x0000_ffff_ffff_fffe;
            let (o, n) = (&old.regime, &ctx.regime);
            if o.sctlr == n.sctlr && o.tcr == n.tcr && o.ttbr1 & BADDR == n.ttbr1 & BADDR {
                self.flush_lower_half();
            } else {
                self.flush();
            }
        }
        // Execute permission depends on the exception level.
        self.code_page.set((0, std::ptr::null_mut()));
    }

    /// The context in use.
    pub fn context(&self) -> MmuContext {
        self.ctx.get()
    }

    /// Empties the TLB.
    pub fn flush(&self) {
        // SAFETY: the TLB is used only by this vCPU's thread, and no
        // reference into it is held across this call.
        let tlb = unsafe { &mut *self.tlb.get() };
        tlb.fill(soft_tlb::EMPTY);
        self.code_page.set((0, std::ptr::null_mut()));
        *self.large.borrow_mut() = Some(Vec::new());
    }

    /// Drops the entries of the virtual page `page` (TLBI by address), in
    /// every context; the whole TLB when the page lies in a block or large
    /// page it holds pieces of. The top byte is not compared (TBI).
    pub fn flush_page(&self, page: u64) {
        const LOW: u64 = (1 << 56) - 1;
        let in_large = match &*self.large.borrow() {
            None => true,
            Some(ranges) => ranges.iter().any(|&(start, log2)| ((page ^ start) & LOW) >> log2 == 0),
        };
        if in_large {
            self.flush();
            return;
        }
        // SAFETY: as in `flush`.
        let tlb = unsafe { &mut *self.tlb.get() };
        for table in 0..CONTEXTS {
            let e = &mut tlb[table * soft_tlb::ENTRIES + soft_tlb::index(page)];
            if [e.read, e.write, e.fetch].into_iter().any(|t| t != soft_tlb::INVALID && (t ^ page) & LOW & !PAGE_MASK == 0) {
                *e = soft_tlb::EMPTY;
            }
        }
        self.code_page.set((0, std::ptr::null_mut()));
    }

    /// Remembers that the TLB holds a piece of the block or large page of
    /// `2^log2` bytes containing `va`.
    fn note_large(&self, va: u64, log2: u8) {
        let mut large = self.large.borrow_mut();
        if let Some(ranges) = large.as_mut() {
            let start = va & !((1u64 << log2) - 1);
            if !ranges.contains(&(start, log2)) {
                if ranges.len() == 64 {
                    *large = None;
                } else {
                    ranges.push((start, log2));
                }
            }
        }
    }

    /// Empties the entries of the lower (TTBR0) half of the address space.
    fn flush_lower_half(&self) {
        // SAFETY: as in `flush`.
        let tlb = unsafe { &mut *self.tlb.get() };
        for e in tlb.iter_mut() {
            // Every tag of an entry names the same page, or none.
            let page = [e.read, e.write, e.fetch].into_iter().find(|&t| t != soft_tlb::INVALID);
            if page.is_none_or(|p| p & (1 << 55) == 0) {
                *e = soft_tlb::EMPTY;
            }
        }
        if let Some(ranges) = self.large.borrow_mut().as_mut() {
            ranges.retain(|&(start, _)| start & (1 << 55) != 0);
        }
        self.code_page.set((0, std::ptr::null_mut()));
    }

    /// The abort that abandoned the last instruction, if any (cleared).
    pub fn take_abort(&self) -> Option<Abort> {
        self.abort.take()
    }

    /// Translates `va` for `access` as AT S1E1x/S1E0x does, without
    /// raising anything: the translation or the fault.
    pub fn probe(&self, va: u64, access: Access, as_el0: bool) -> Result<Translation, Fault> {
        let ctx = self.ctx.get();
        let t = mmu::translate(&self.ram, &ctx.regime, va, access == Access::Fetch)?;
        t.check(access, as_el0, pan_applies(&ctx) && !as_el0)?;
        Ok(t)
    }

    /// The table of the current context, for accesses that are (`el0`)
    /// or are not checked as EL0's.
    fn table_index(&self, el0: bool) -> usize {
        let ctx = self.ctx.get();
        if el0 || ctx.el == 0 {
            EL0_TABLE
        } else if pan_applies(&ctx) {
            EL1_PAN_TABLE
        } else {
            EL1_TABLE
        }
    }

    /// The host address of the current context's TLB table, for
    /// `CpuState::soft_tlb`; with `el0`, of the table LDTR/STTR use
    /// (`CpuState::soft_tlb_el0`).
    pub fn table_address(&self, el0: bool) -> u64 {
        let index = self.table_index(el0);
        // SAFETY: only the address is taken; the boxed slice never moves.
        unsafe { (*self.tlb.get()).as_ptr().add(index * soft_tlb::ENTRIES) as u64 }
    }

    /// The host address of an access of `size` bytes at `va` (inside one
    /// page) on a TLB hit, without walking.
    #[inline(always)]
    fn peek(&self, va: u64, size: u64, access: Access) -> Option<*mut u8> {
        let table = self.table_index(self.unprivileged.get() && access != Access::Fetch);
        // SAFETY: this vCPU's thread is the only user of its TLB.
        let e = unsafe { (*self.tlb.get())[table * soft_tlb::ENTRIES + soft_tlb::index(va)] };
        let tag = match access {
            Access::Read => e.read,
            Access::Write => e.write,
            Access::Fetch => e.fetch,
        };
        (tag == soft_tlb::tag(va, size)).then(|| va.wrapping_add(e.addend) as *mut u8)
    }

    /// The host address of an access of `size` bytes at `va` inside one
    /// page, or for device memory `Err(physical address)`; walks the tables
    /// on a TLB miss (filling the entry) and abandons on a fault.
    fn resolve(&self, va: u64, size: u64, access: Access) -> Result<*mut u8, u64> {
        if let Some(p) = self.peek(va, size, access) {
            return Ok(p);
        }
        let ctx = self.ctx.get();
        let table = self.table_index(self.unprivileged.get() && access != Access::Fetch);
        let (unprivileged, pan) = match table {
            EL0_TABLE => (true, false),
            EL1_TABLE => (false, false),
            _ => (false, true),
        };
        let t = match mmu::translate(&self.ram, &ctx.regime, va, access == Access::Fetch) {
            Ok(t) => t,
            Err(fault) => self.raise(mmu::abort_syndrome(&fault, access, ctx.el == 0), va),
        };
        // Fetches are checked at the level executing (LDTR does not fetch),
        // and PAN concerns data accesses only.
        let check = |a: Access| {
            let (as_el0, with_pan) = if a == Access::Fetch { (ctx.el == 0, false) } else { (unprivileged, pan) };
            t.check(a, as_el0, with_pan)
        };
        if let Err(fault) = check(access) {
            self.raise(mmu::abort_syndrome(&fault, access, ctx.el == 0), va);
        }
        let page = va & !PAGE_MASK;
        let pa_page = t.pa & !PAGE_MASK;
        let Some(host) = self.ram.host(pa_page, PAGE_SIZE) else {
            // Device memory (or nothing): no entry, the bus decides.
            return Err(pa_page | (va & PAGE_MASK));
        };
        if t.size_log2 > PAGE_BITS as u8 {
            self.note_large(va, t.size_log2);
        }
        let ram_page = self.ram_page(host);
        if access == Access::Write {
            // A store to a page translated code came from drops that code.
            self.code.written(ram_page);
        }
        let writable = !self.code.is_code(ram_page);
        let tag = |a: Access| if check(a).is_ok() && (a != Access::Write || writable) { page } else { soft_tlb::INVALID };
        let entry = soft_tlb::Entry {
            read: tag(Access::Read),
            write: tag(Access::Write),
            fetch: tag(Access::Fetch),
            addend: (host as u64).wrapping_sub(page),
        };
        // SAFETY: this vCPU's thread is the only user of its TLB.
        unsafe { (*self.tlb.get())[table * soft_tlb::ENTRIES + soft_tlb::index(va)] = entry };
        Ok(va.wrapping_add(entry.addend) as *mut u8)
    }

    /// Records an abort and abandons the instruction.
    fn raise(&self, esr: u64, far: u64) -> ! {
        self.abort.set(Some(Abort { esr, far }));
        // SAFETY: the vCPU loop runs every instruction inside `guarded`, and
        // the MMU's frames hold no values with destructors.
        unsafe { kestrel::guard::abandon() }
    }

    /// An access to a physical address with neither RAM nor a device.
    fn external_abort(&self, va: u64, access: Access) -> ! {
        let fault = Fault { kind: FaultKind::External, level: 0 };
        self.raise(mmu::abort_syndrome(&fault, access, self.ctx.get().el == 0), va)
    }

    /// Fetches the instruction word at `va`.
    #[inline(always)]
    pub fn fetch_word(&self, va: u64) -> u32 {
        let (page, host) = self.code_page.get();
        let host = if page == (va >> PAGE_BITS) + 1 {
            host
        } else {
            let Ok(p) = self.resolve(va, 4, Access::Fetch) else { self.external_abort(va, Access::Fetch) };
            let host = p.wrapping_sub((va & PAGE_MASK) as usize);
            self.code_page.set(((va >> PAGE_BITS) + 1, host));
            host
        };
        // SAFETY: `host` maps the whole page of guest RAM holding `va`;
        // instructions are 4-byte aligned (the vCPU checks the PC) so the
        // word is inside it.
        unsafe { std::ptr::read_unaligned(host.add((va & PAGE_MASK) as usize) as *const u32) }
    }

    #[cold]
    fn load_slow(&self, va: u64, size: usize) -> u64 {
        if (va & PAGE_MASK) + size as u64 > PAGE_SIZE {
            // Crosses a page: byte by byte, each through its own page.
            return (0..size).fold(0u64, |acc, i| acc | (self.load(va.wrapping_add(i as u64), 1) << (8 * i)));
        }
        match self.resolve(va, size as u64, Access::Read) {
            // SAFETY: `resolve` checked the access stays in a RAM page.
            Ok(p) => unsafe { read_host(p, size) },
            Err(pa) => match self.bus.read(pa, size as u8) {
                Some(v) => v,
                None => self.external_abort(va, Access::Read),
            },
        }
    }

    #[cold]
    fn store_slow(&self, va: u64, size: usize, value: u64) {
        if (va & PAGE_MASK) + size as u64 > PAGE_SIZE {
            // Check both pages before writing any byte, so a fault on the
            // second leaves memory untouched.
            let _ = self.resolve(va, 1, Access::Write);
            let _ = self.resolve(va.wrapping_add(size as u64 - 1), 1, Access::Write);
            for i in 0..size {
                self.store(va.wrapping_add(i as u64), 1, value >> (8 * i));
            }
            return;
        }
        match self.resolve(va, size as u64, Access::Write) {
            // SAFETY: `resolve` checked the access stays in a RAM page.
            Ok(p) => unsafe { write_host(p, size, value) },
            Err(pa) => {
                if self.bus.write(pa, size as u8, value).is_none() {
                    self.external_abort(va, Access::Write);
                }
            }
        }
    }
}

/// Reads `size` bytes (1, 2, 4, 8) at a host address.
///
/// # Safety
/// The bytes must be readable host memory.
#[inline(always)]
unsafe fn read_host(p: *mut u8, size: usize) -> u64 {
    // SAFETY: the caller's contract; guest data has no alignment promise.
    unsafe {
        match size {
            1 => *p as u64,
            2 => std::ptr::read_unaligned(p as *const u16) as u64,
            4 => std::ptr::read_unaligned(p as *const u32) as u64,
            _ => std::ptr::read_unaligned(p as *const u64),
        }
    }
}

/// Writes the low `size` bytes of `value` at a host address.
///
/// # Safety
/// The bytes must be writable host memory.
#[inline(always)]
unsafe fn write_host(p: *mut u8, size: usize, value: u64) {
    // SAFETY: the caller's contract.
    unsafe {
        match size {
            1 => *p = value as u8,
            2 => std::ptr::write_unaligned(p as *mut u16, value as u16),
            4 => std::ptr::write_unaligned(p as *mut u32, value as u32),
            _ => std::ptr::write_unaligned(p as *mut u64, value),
        }
    }
}

impl SystemMemory for SoftMmu {
    #[inline]
    fn load(&self, va: u64, size: usize) -> u64 {
        match self.peek(va, size as u64, Access::Read) {
            // SAFETY: a TLB hit for a RAM page the access stays inside.
            Some(p) => unsafe { read_host(p, size) },
            None => self.load_slow(va, size),
        }
    }

    #[inline]
    fn store(&self, va: u64, size: usize, value: u64) {
        match self.peek(va, size as u64, Access::Write) {
            // SAFETY: as in `load`.
            Some(p) => unsafe { write_host(p, size, value) },
            None => self.store_slow(va, size, value),
        }
    }

    fn fetch(&self, va: u64) -> u32 {
        self.fetch_word(va)
    }

    fn translating(&self, va: u64) -> u64 {
        self.note_translation(va)
    }

    fn code_page(&self, va: u64) -> u64 {
        self.code_page_index(va)
    }

    fn set_unprivileged(&self, on: bool) {
        self.unprivileged.set(on);
    }

    fn host_rmw(&self, va: u64, size: usize) -> *mut u8 {
        if (va & PAGE_MASK) + size as u64 > PAGE_SIZE {
            // Callers check alignment, so this is a misaligned pair.
            self.external_abort(va, Access::Write);
        }
        let _ = self.resolve(va, size as u64, Access::Read);
        match self.resolve(va, size as u64, Access::Write) {
            Ok(p) => p,
            // Atomics on device memory.
            Err(_) => self.external_abort(va, Access::Write),
        }
    }
}

/// PSTATE.PAN refuses privileged access to EL0's pages only when stage 1
/// translation is on: with the MMU off no page belongs to EL0.
fn pan_applies(ctx: &MmuContext) -> bool {
    ctx.pan && ctx.regime.sctlr & 1 != 0
}

/// PAR_EL1 for an AT instruction's result: the physical address with the
/// memory attributes of its MAIR_EL1 entry, or the fault status.
pub fn par_el1(result: &Result<Translation, Fault>, mair: u64) -> u64 {
    match result {
        Ok(t) => {
            let attr = (mair >> (8 * t.attr_index)) & 0xff;
            // Normal memory is reported inner shareable, as Linux maps it;
            // NS (bit 9) is set: there is only the Non-secure state.
            let shareability = if attr & 0xf0 != 0 { 0b11 << 7 } else { 0 };
            (t.pa & 0x0000_ffff_ffff_f000) | (attr << 56) | shareability | (1 << 9) | (1 << 11)
        }
        Err(f) => {
            let ptw = (f.kind == FaultKind::ExternalAbortOnWalk) as u64;
            1 | ((f.status_code() as u64) << 1) | (ptw << 8) | (1 << 11)
        }
    }
}
