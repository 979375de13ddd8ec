//! How translated code and helpers reach guest memory.
//!
//! User mode maps guest virtual addresses one-to-one onto host virtual addresses
//! (`GUEST_BASE` is 0), so a guest load is a plain host load. Every access goes
//! through these functions so that a different strategy (an offset base, or a
//! software MMU in system mode) has exactly one place to change.

/// Offset added to a guest address to form the host address.
pub const GUEST_BASE: u64 = 0;

/// Host pointer for a guest address.
#[inline(always)]
pub fn host_ptr(guest_addr: u64) -> *mut u8 {
    guest_addr.wrapping_add(GUEST_BASE) as *mut u8
}

/// Reads a `T` from guest memory.
///
/// # Safety
/// The guest address must be mapped readable; an unmapped address faults the
/// host thread, which the front end's fault handler turns into a guest signal.
#[inline(always)]
pub unsafe fn read<T: Copy>(guest_addr: u64) -> T {
    // SAFETY: the caller guarantees mapping; guest data has no alignment promise.
    unsafe { std::ptr::read_unaligned(host_ptr(guest_addr) as *const T) }
}

/// Writes a `T` to guest memory.
///
/// # Safety
/// As for [`read`], with the page mapped writable.
#[inline(always)]
pub unsafe fn write<T: Copy>(guest_addr: u64, value: T) {
    // SAFETY: the caller guarantees mapping; guest data has no alignment promise.
    unsafe { std::ptr::write_unaligned(host_ptr(guest_addr) as *mut T, value) }
}
