//! How the interpreter and helpers reach guest memory.
//!
//! User mode maps guest virtual addresses one-to-one onto host virtual
//! addresses (`GUEST_BASE` is 0), so a guest load is a plain host load.
//! System mode puts a software MMU between guest virtual addresses and
//! guest RAM or device registers: a vCPU thread installs its
//! [`SystemMemory`] with [`set_system_memory`], and every access below goes
//! through it. Every access goes through these functions, so each memory
//! strategy has exactly one place to change.

use std::cell::Cell;

/// Offset added to a guest address to form the host address.
pub const GUEST_BASE: u64 = 0;

/// Guest memory behind a software MMU (system mode). A method that cannot
/// complete the access (a translation, permission or external abort)
/// records the guest's exception and calls [`crate::guard::abandon`]; it
/// never returns a made-up value.
pub trait SystemMemory {
    /// Reads `size` bytes (1, 2, 4 or 8) at virtual address `va`, zero-extended.
    fn load(&self, va: u64, size: usize) -> u64;
    /// Writes the low `size` bytes (1, 2, 4 or 8) of `value` at `va`.
    fn store(&self, va: u64, size: usize, value: u64);
    /// The host address of `size` bytes of RAM at `va` (within one page),
    /// for an atomic read-modify-write: read and write permission checked.
    fn host_rmw(&self, va: u64, size: usize) -> *mut u8;
    /// Fetches the instruction word at `va` (execute permission checked).
    fn fetch(&self, va: u64) -> u32;
    /// Code at `va` is about to be translated (every block, before its
    /// first fetch): the memory may watch the page for writes. Returns the
    /// physical page the code comes from (execute permission checked).
    fn translating(&self, va: u64) -> u64;
    /// The physical page instructions at `va` are fetched from now
    /// (execute permission checked), to check a translation found by
    /// virtual address against.
    fn code_page(&self, va: u64) -> u64;
    /// Checks the following data accesses with EL0's permissions (LDTR and
    /// STTR at EL1), until called with `false`.
    fn set_unprivileged(&self, _on: bool) {}
}

thread_local! {
    static SYSTEM: Cell<Option<*const dyn SystemMemory>> = const { Cell::new(None) };
}

/// Routes this thread's guest accesses through `memory` (system mode), or
/// back to identity-mapped host memory with `None`.
///
/// # Safety
/// `memory` must stay valid until it is replaced on this thread.
pub unsafe fn set_system_memory(memory: Option<*const dyn SystemMemory>) {
    SYSTEM.with(|s| s.set(memory));
}

#[inline(always)]
fn system() -> Option<&'static dyn SystemMemory> {
    // SAFETY: `set_system_memory`'s contract keeps the pointer valid.
    SYSTEM.with(|s| s.get()).map(|p| unsafe { &*p })
}

/// Host pointer for a guest address of identity-mapped memory.
#[inline(always)]
fn identity_ptr(guest_addr: u64) -> *mut u8 {
    guest_addr.wrapping_add(GUEST_BASE) as *mut u8
}

/// Host pointer for `size` bytes at a guest address, for an atomic
/// read-modify-write (exclusives, LSE atomics, CAS).
///
/// In user mode the address may be unmapped: using the pointer then faults
/// the host thread, which the front end turns into a guest signal. In system
/// mode a fault abandons the instruction here.
#[inline(always)]
pub fn host_ptr_rmw(guest_addr: u64, size: usize) -> *mut u8 {
    match system() {
        Some(sys) => sys.host_rmw(guest_addr, size),
        None => identity_ptr(guest_addr),
    }
}

/// Fetches the instruction word at a guest address, to translate it.
///
/// # Safety
/// As for [`read`]; in system mode a fault abandons with an instruction abort.
#[inline(always)]
pub unsafe fn fetch_insn(guest_addr: u64) -> u32 {
    match system() {
        Some(sys) => sys.fetch(guest_addr),
        // SAFETY: forwarded from the caller.
        None => unsafe { read::<u32>(guest_addr) },
    }
}

/// Tells a system memory that the block at `guest_addr` is being
/// translated (see [`SystemMemory::translating`]) and returns the physical
/// page it comes from; nothing in user mode, where code pages are tracked
/// by the engine's own page set and guest addresses are the only ones.
#[inline]
pub fn translating(guest_addr: u64) -> Option<u64> {
    system().map(|sys| sys.translating(guest_addr))
}

/// The physical page the instruction at `guest_addr` is fetched from now
/// (system mode; a fault abandons with an instruction abort), `None` in
/// user mode.
#[inline]
pub fn code_page(guest_addr: u64) -> Option<u64> {
    system().map(|sys| sys.code_page(guest_addr))
}

/// Runs `access` with the system memory checking it as EL0's (LDTR/STTR at
/// EL1) when `unprivileged`. A fault abandons from inside `access`; the front
/// end then clears the setting itself.
#[inline]
pub fn with_privilege<R>(unprivileged: bool, access: impl FnOnce() -> R) -> R {
    let sys = system().filter(|_| unprivileged);
    if let Some(sys) = sys {
        sys.set_unprivileged(true);
    }
    let r = access();
    if let Some(sys) = sys {
        sys.set_unprivileged(false);
    }
    r
}

/// Reads a `T` (at most 16 bytes) from guest memory.
///
/// # Safety
/// The guest address must be mapped readable; an unmapped address faults the
/// host thread (user mode) or abandons the instruction (system mode), and the
/// front end turns either into the guest's exception.
#[inline(always)]
pub unsafe fn read<T: Copy>(guest_addr: u64) -> T {
    if let Some(sys) = system() {
        let mut bytes = [0u64; 2];
        match size_of::<T>() {
            16 => bytes = [sys.load(guest_addr, 8), sys.load(guest_addr.wrapping_add(8), 8)],
            n => bytes[0] = sys.load(guest_addr, n),
        }
        // SAFETY: `T` fits in the 16 bytes read; little-endian host.
        return unsafe { std::ptr::read_unaligned(bytes.as_ptr() as *const T) };
    }
    // SAFETY: the caller guarantees mapping; guest data has no alignment promise.
    unsafe { std::ptr::read_unaligned(identity_ptr(guest_addr) as *const T) }
}

/// Writes a `T` (at most 16 bytes) to guest memory.
///
/// # Safety
/// As for [`read`], with the page mapped writable.
#[inline(always)]
pub unsafe fn write<T: Copy>(guest_addr: u64, value: T) {
    if let Some(sys) = system() {
        let mut bytes = [0u64; 2];
        // SAFETY: `T` fits in the 16 bytes; little-endian host.
        unsafe { std::ptr::write_unaligned(bytes.as_mut_ptr() as *mut T, value) };
        match size_of::<T>() {
            16 => {
                sys.store(guest_addr, 8, bytes[0]);
                sys.store(guest_addr.wrapping_add(8), 8, bytes[1]);
            }
            n => sys.store(guest_addr, n, bytes[0]),
        }
        return;
    }
    // SAFETY: the caller guarantees mapping; guest data has no alignment promise.
    unsafe { std::ptr::write_unaligned(identity_ptr(guest_addr) as *mut T, value) }
}

/// The software TLB that translated code reads inline in system mode: a
/// direct-mapped table of virtual pages per translation context, each entry
/// holding the page's address once per access kind the context may make
/// (an access whose last byte's page equals the tag may go straight to
/// `address + addend` on the host) and the host offset. A tag that allows
/// nothing is [`soft_tlb::INVALID`], which no page address equals.
pub mod soft_tlb {
    /// Bits of page offset.
    pub const PAGE_BITS: u32 = 12;
    /// Bits of the table index.
    pub const INDEX_BITS: u32 = 10;
    /// Entries per table.
    pub const ENTRIES: usize = 1 << INDEX_BITS;

    /// One TLB entry.
    #[repr(C)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Entry {
        /// Page address for reads, or [`INVALID`].
        pub read: u64,
        /// Page address for writes, or [`INVALID`].
        pub write: u64,
        /// Page address for instruction fetches, or [`INVALID`].
        pub fetch: u64,
        /// Host address minus guest virtual address, for the whole page.
        pub addend: u64,
    }

    /// A tag no access matches.
    pub const INVALID: u64 = u64::MAX;
    /// An empty entry.
    pub const EMPTY: Entry = Entry { read: INVALID, write: INVALID, fetch: INVALID, addend: 0 };
    /// log2 of the entry size.
    pub const ENTRY_BITS: u8 = 5;
    /// Byte offsets of the fields.
    pub const READ: i32 = 0;
    /// See [`READ`].
    pub const WRITE: i32 = 8;
    /// See [`READ`].
    pub const FETCH: i32 = 16;
    /// See [`READ`].
    pub const ADDEND: i32 = 24;

    const _: () = assert!(std::mem::size_of::<Entry>() == 1 << ENTRY_BITS);

    /// The index of the entry for `va`.
    #[inline(always)]
    pub fn index(va: u64) -> usize {
        ((va >> PAGE_BITS) as usize) & (ENTRIES - 1)
    }

    /// The tag an access of `size` bytes at `va` must find: the page of its
    /// last byte (an access crossing into the next page cannot match the
    /// entry of its first page).
    #[inline(always)]
    pub fn tag(va: u64, size: u64) -> u64 {
        va.wrapping_add(size - 1) & !((1 << PAGE_BITS) - 1)
    }
}
