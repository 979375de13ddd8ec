//! The software MMU of one vCPU: guest virtual addresses to guest RAM or
//! device registers, through a small direct-mapped TLB in front of the
//! stage 1 table walk.
//!
//! Each TLB entry maps one 4 KiB virtual page of the current translation
//! regime to a physical page and records what the descriptors permit; a hit
//! on RAM is a tag compare and an add. Entries are never shared between
//! regimes: every write to SCTLR/TCR/TTBR0/TTBR1 and every TLBI empties the
//! table (see [`SoftMmu::flush`]), which is what makes ASIDs safe to ignore
//! here. A miss walks the tables; a fault records the abort for the vCPU
//! loop and abandons the instruction ([`kestrel::guard::abandon`]).

use std::cell::{Cell, UnsafeCell};
use std::sync::Arc;

use kestrel::guest::aarch64::mmu::{self, Access, Fault, FaultKind, PhysMem, Regime, Translation};
use kestrel::mem::SystemMemory;

use crate::bus::Bus;

const PAGE_BITS: u32 = 12;
const PAGE_SIZE: u64 = 1 << PAGE_BITS;
const PAGE_MASK: u64 = PAGE_SIZE - 1;
const TLB_ENTRIES: usize = 512;

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

/// Permission bits of a TLB entry.
mod perm {
    pub const EL1_READ: u8 = 1 << 0;
    pub const EL1_WRITE: u8 = 1 << 1;
    pub const EL1_EXEC: u8 = 1 << 2;
    pub const EL0_READ: u8 = 1 << 3;
    pub const EL0_WRITE: u8 = 1 << 4;
    pub const EL0_EXEC: u8 = 1 << 5;
}

#[derive(Clone, Copy)]
struct TlbEntry {
    /// Virtual page number + 1 (0 means empty).
    tag: u64,
    /// Host address of the page, or null for a device page.
    host: *mut u8,
    /// Physical address of the page.
    pa_page: u64,
    perms: u8,
}

const EMPTY: TlbEntry = TlbEntry { tag: 0, host: std::ptr::null_mut(), pa_page: 0, perms: 0 };

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

/// The software MMU of one vCPU.
pub struct SoftMmu {
    tlb: UnsafeCell<Box<[TlbEntry; TLB_ENTRIES]>>,
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
}

/// Synchronous external abort (DFSC/IFSC 0b010000): no RAM or device at the
/// physical address.
const EXTERNAL_ABORT: u64 = 0b01_0000;

impl SoftMmu {
    /// An MMU for guest RAM `ram` and the devices on `bus`.
    pub fn new(ram: RamWindow, bus: Arc<Bus>) -> SoftMmu {
        SoftMmu {
            tlb: UnsafeCell::new(Box::new([EMPTY; TLB_ENTRIES])),
            ctx: Cell::new(MmuContext::default()),
            unprivileged: Cell::new(false),
            abort: Cell::new(None),
            code_page: Cell::new((0, std::ptr::null_mut())),
            ram,
            bus,
        }
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
            self.flush();
        }
        // Execute permission depends on the exception level.
        self.code_page.set((0, std::ptr::null_mut()));
    }

    /// The context in use.
    pub fn context(&self) -> MmuContext {
        self.ctx.get()
    }

    /// Marks the current instruction as an unprivileged load/store.
    pub fn set_unprivileged(&self, on: bool) {
        self.unprivileged.set(on);
    }

    /// Empties the TLB.
    pub fn flush(&self) {
        // SAFETY: the TLB is used only by this vCPU's thread, and no
        // reference into it is held across this call.
        let tlb = unsafe { &mut *self.tlb.get() };
        tlb.fill(EMPTY);
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

    fn required(&self, access: Access, el0: bool) -> u8 {
        match (access, el0) {
            (Access::Read, false) => perm::EL1_READ,
            (Access::Write, false) => perm::EL1_WRITE,
            (Access::Fetch, false) => perm::EL1_EXEC,
            (Access::Read, true) => perm::EL0_READ,
            (Access::Write, true) => perm::EL0_WRITE,
            (Access::Fetch, true) => perm::EL0_EXEC,
        }
    }

    /// The TLB entry for `va`, walking the tables on a miss or when the
    /// cached permissions refuse the access (so the fault is the walk's).
    #[inline(always)]
    fn entry(&self, va: u64, access: Access) -> TlbEntry {
        let ctx = self.ctx.get();
        let el0 = ctx.el == 0 || (self.unprivileged.get() && access != Access::Fetch);
        let vpn = va >> PAGE_BITS;
        let slot = (vpn as usize) & (TLB_ENTRIES - 1);
        // SAFETY: this vCPU's thread is the only user of its TLB.
        let e = unsafe { (*self.tlb.get())[slot] };
        let need = self.required(access, el0);
        // PAN refuses privileged data accesses to pages EL0 can read.
        let pan_refuses = pan_applies(&ctx) && !el0 && access != Access::Fetch && e.perms & perm::EL0_READ != 0;
        if e.tag == vpn + 1 && e.perms & need != 0 && !pan_refuses {
            return e;
        }
        self.fill(va, access, el0, slot)
    }

    #[cold]
    fn fill(&self, va: u64, access: Access, el0: bool, slot: usize) -> TlbEntry {
        let ctx = self.ctx.get();
        let fetch = access == Access::Fetch;
        let t = match mmu::translate(&self.ram, &ctx.regime, va, fetch) {
            Ok(t) => t,
            Err(fault) => self.raise(fault_syndrome(&fault, access, ctx.el == 0), va),
        };
        if let Err(fault) = t.check(access, el0, pan_applies(&ctx) && !el0) {
            self.raise(fault_syndrome(&fault, access, ctx.el == 0), va);
        }
        let pa_page = t.pa & !PAGE_MASK;
        let p = t.perms;
        let bits = [
            (p.el1_read, perm::EL1_READ),
            (p.el1_write, perm::EL1_WRITE),
            (p.el1_exec, perm::EL1_EXEC),
            (p.el0_read, perm::EL0_READ),
            (p.el0_write, perm::EL0_WRITE),
            (p.el0_exec, perm::EL0_EXEC),
        ];
        let perms = bits.iter().filter(|(on, _)| *on).fold(0, |acc, (_, bit)| acc | bit);
        let host = self.ram.host(pa_page, PAGE_SIZE).unwrap_or(std::ptr::null_mut());
        let e = TlbEntry { tag: (va >> PAGE_BITS) + 1, host, pa_page, perms };
        // SAFETY: this vCPU's thread is the only user of its TLB.
        unsafe { (*self.tlb.get())[slot] = e };
        e
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
        let from_el0 = self.ctx.get().el == 0;
        let ec: u64 = match (access, from_el0) {
            (Access::Fetch, true) => 0x20,
            (Access::Fetch, false) => 0x21,
            (_, true) => 0x24,
            (_, false) => 0x25,
        };
        let wnr = (access == Access::Write) as u64;
        self.raise((ec << 26) | (1 << 25) | (wnr << 6) | EXTERNAL_ABORT, va)
    }

    /// Fetches the instruction word at `va`.
    #[inline(always)]
    pub fn fetch_word(&self, va: u64) -> u32 {
        let (page, host) = self.code_page.get();
        let host = if page == (va >> PAGE_BITS) + 1 {
            host
        } else {
            let e = self.entry(va, Access::Fetch);
            if e.host.is_null() {
                self.external_abort(va, Access::Fetch);
            }
            self.code_page.set((e.tag, e.host));
            e.host
        };
        // SAFETY: `host` maps the whole page of guest RAM holding `va`;
        // instructions are 4-byte aligned (the vCPU checks the PC) so the
        // word is inside it.
        unsafe { std::ptr::read_unaligned(host.add((va & PAGE_MASK) as usize) as *const u32) }
    }

    fn load_slow(&self, va: u64, size: usize) -> u64 {
        if (va & PAGE_MASK) + size as u64 > PAGE_SIZE {
            // Crosses a page: byte by byte, each through its own page.
            return (0..size).fold(0u64, |acc, i| acc | (self.load(va.wrapping_add(i as u64), 1) << (8 * i)));
        }
        let e = self.entry(va, Access::Read);
        let pa = e.pa_page | (va & PAGE_MASK);
        match self.bus.read(pa, size as u8) {
            Some(v) => v,
            None => self.external_abort(va, Access::Read),
        }
    }

    fn store_slow(&self, va: u64, size: usize, value: u64) {
        if (va & PAGE_MASK) + size as u64 > PAGE_SIZE {
            // Check both pages before writing any byte, so a fault on the
            // second leaves memory untouched.
            self.entry(va, Access::Write);
            self.entry(va.wrapping_add(size as u64 - 1), Access::Write);
            for i in 0..size {
                self.store(va.wrapping_add(i as u64), 1, value >> (8 * i));
            }
            return;
        }
        let e = self.entry(va, Access::Write);
        let pa = e.pa_page | (va & PAGE_MASK);
        if self.bus.write(pa, size as u8, value).is_none() {
            self.external_abort(va, Access::Write);
        }
    }
}

impl SystemMemory for SoftMmu {
    #[inline]
    fn load(&self, va: u64, size: usize) -> u64 {
        let e = self.entry(va, Access::Read);
        let offset = va & PAGE_MASK;
        if !e.host.is_null() && offset + size as u64 <= PAGE_SIZE {
            // SAFETY: the entry maps a whole page of guest RAM and the access
            // stays inside it.
            unsafe {
                let p = e.host.add(offset as usize);
                return match size {
                    1 => *p as u64,
                    2 => std::ptr::read_unaligned(p as *const u16) as u64,
                    4 => std::ptr::read_unaligned(p as *const u32) as u64,
                    _ => std::ptr::read_unaligned(p as *const u64),
                };
            }
        }
        self.load_slow(va, size)
    }

    #[inline]
    fn store(&self, va: u64, size: usize, value: u64) {
        let e = self.entry(va, Access::Write);
        let offset = va & PAGE_MASK;
        if !e.host.is_null() && offset + size as u64 <= PAGE_SIZE {
            // SAFETY: as in `load`.
            unsafe {
                let p = e.host.add(offset as usize);
                match size {
                    1 => *p = value as u8,
                    2 => std::ptr::write_unaligned(p as *mut u16, value as u16),
                    4 => std::ptr::write_unaligned(p as *mut u32, value as u32),
                    _ => std::ptr::write_unaligned(p as *mut u64, value),
                }
            }
            return;
        }
        self.store_slow(va, size, value)
    }

    fn fetch(&self, va: u64) -> u32 {
        self.fetch_word(va)
    }

    fn host_rmw(&self, va: u64, size: usize) -> *mut u8 {
        self.entry(va, Access::Read);
        let e = self.entry(va, Access::Write);
        let offset = va & PAGE_MASK;
        if e.host.is_null() || offset + size as u64 > PAGE_SIZE {
            // Atomics on device memory, or split across pages (the caller
            // checked alignment, so only the latter cannot happen).
            self.external_abort(va, Access::Write);
        }
        e.host.wrapping_add(offset as usize)
    }
}

/// PSTATE.PAN refuses privileged access to EL0's pages only when stage 1
/// translation is on: with the MMU off no page belongs to EL0.
fn pan_applies(ctx: &MmuContext) -> bool {
    ctx.pan && ctx.regime.sctlr & 1 != 0
}

/// ESR_EL1 of a stage 1 fault on `access`.
fn fault_syndrome(fault: &Fault, access: Access, from_el0: bool) -> u64 {
    mmu::abort_syndrome(fault, access, from_el0)
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
