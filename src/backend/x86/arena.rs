//! The baseline backend's executable memory: one large read-write-execute
//! mapping filled front to back, so translating a block costs no system call.
//! Translations are never freed one by one; when the arena fills, or code is
//! invalidated, the owner resets it whole from its dispatch loop (when none of
//! its code can be running).
//!
//! The first [`DATA_BYTES`] hold data that translated code writes (the hot
//! counters), never code: a store into a cache line or page the processor is
//! executing from costs a pipeline flush on x86 (self-modifying code
//! detection), which made every counted block entry several times slower.
//! Keeping them in the same mapping keeps them in reach of RIP-relative
//! addressing.

use std::ptr::NonNull;

/// Bytes reserved for baseline code (address space only; pages are touched as
/// they fill). Every jump inside it fits a rel32.
pub const ARENA_BYTES: usize = 256 << 20;

/// Bytes at the start of the arena reserved for data (1 Mi counters).
pub const DATA_BYTES: usize = 4 << 20;

/// An executable arena.
pub struct Arena {
    base: NonNull<u8>,
    len: usize,
    /// End of the code written so far (starts at `DATA_BYTES`).
    used: usize,
    /// End of the data handed out so far.
    data_used: usize,
}

// SAFETY: the arena is plain memory owned by one engine; moving it to another
// thread moves the ownership.
unsafe impl Send for Arena {}

impl Arena {
    /// Maps a new arena; `None` if the host refuses executable memory.
    pub fn new(len: usize) -> Option<Arena> {
        // SAFETY: anonymous private mapping, checked for failure; NORESERVE so
        // that untouched pages cost nothing.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        Some(Arena { base: NonNull::new(p as *mut u8)?, len, used: DATA_BYTES, data_used: 0 })
    }

    /// Copies `code` in at an address aligned to 16 bytes; `None` when full.
    pub fn push(&mut self, code: &[u8]) -> Option<*mut u8> {
        let start = (self.used + 15) & !15;
        let end = start.checked_add(code.len())?;
        if end > self.len {
            return None;
        }
        // SAFETY: [start, end) lies inside the mapping, which no live
        // translation uses (they all lie below `used`).
        unsafe {
            let dst = self.base.as_ptr().add(start);
            std::ptr::copy_nonoverlapping(code.as_ptr(), dst, code.len());
            self.used = end;
            Some(dst)
        }
    }

    /// Address `start` would get for the next `push` (code is position
    /// dependent: rel32 fields are computed against it).
    pub fn next_address(&self) -> u64 {
        self.base.as_ptr() as u64 + ((self.used + 15) & !15) as u64
    }

    /// Hands out an aligned, zeroed `u32` in the data area; `None` when full.
    pub fn alloc_u32(&mut self) -> Option<*mut u32> {
        if self.data_used + 4 > DATA_BYTES {
            return None;
        }
        // SAFETY: inside the data area of our mapping.
        let p = unsafe { self.base.as_ptr().add(self.data_used) } as *mut u32;
        self.data_used += 4;
        Some(p)
    }

    /// True if `addr` lies in the code written so far.
    pub fn contains(&self, addr: u64) -> bool {
        let b = self.base.as_ptr() as u64;
        addr >= b + DATA_BYTES as u64 && addr < b + self.used as u64
    }

    /// Bytes of code and data in use.
    pub fn used(&self) -> usize {
        self.used - DATA_BYTES + self.data_used
    }

    /// Forgets every translation.
    ///
    /// # Safety
    /// No code in the arena may be running or be entered again through a
    /// pointer taken before the reset.
    pub unsafe fn reset(&mut self) {
        self.used = DATA_BYTES;
        self.data_used = 0;
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: our own mapping; the owner drops it only when no code in it runs.
        unsafe { libc::munmap(self.base.as_ptr() as *mut libc::c_void, self.len) };
    }
}
