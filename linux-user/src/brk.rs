//! The guest program break (`brk`).
//!
//! Linux grows the heap upward from just after the program image and refuses to
//! grow into another mapping. Under Kestrel "another mapping" could be the
//! emulator's own memory, and with static-PIE programs placed by the kernel
//! among other mappings there is often no room at all. So at load time a range
//! after the image is reserved (`PROT_NONE`, no memory committed) and `brk`
//! moves within it; past the reservation it still tries to grow where nothing
//! is mapped, and otherwise fails the way Linux does: by returning the old break.

use crate::host_mem;
use crate::mm::{page_up, AddressSpace, HeapRange, MappingKind};

/// Room reserved for the heap when the loader can place it freely.
pub const HEAP_RESERVE: u64 = 1 << 30;
/// Reservation sizes tried after a fixed-address program, largest first.
const RESERVE_SIZES: [u64; 4] = [HEAP_RESERVE, 256 << 20, 64 << 20, 16 << 20];

/// Places the heap at `start` (page aligned). `reserved_end` is the end of a
/// reservation the loader already made after the program; if there is none,
/// room is reserved here if the address space allows.
pub fn setup_heap(mm: &mut AddressSpace, start: u64, reserved_end: u64) {
    let mut reserve_end = reserved_end.max(start);
    if reserve_end == start {
        for size in RESERVE_SIZES {
            if host_mem::reserve_at(start, size).is_ok() {
                reserve_end = start + size;
                break;
            }
        }
    }
    mm.heap = Some(HeapRange { start, brk: start, mapped_end: start, reserve_end });
}

/// Guest `brk`: returns the new break, or the old one if it cannot move.
pub fn guest_brk(mm: &mut AddressSpace, requested: u64) -> u64 {
    let Some(mut heap) = mm.heap else { return 0 };
    if requested < heap.start {
        return heap.brk;
    }
    let Some(new_end) = page_up(requested) else { return heap.brk };
    if new_end > crate::elf::USER_SPACE_END {
        return heap.brk;
    }
    if new_end > heap.mapped_end {
        if !grow(mm, &heap, new_end) {
            return heap.brk;
        }
        mm.insert(
            heap.mapped_end,
            new_end,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            MappingKind::Heap,
        );
        heap.mapped_end = new_end;
    } else if new_end < heap.mapped_end {
        let (s, e) = (new_end, heap.mapped_end);
        let in_reserve = e.min(heap.reserve_end);
        if s < in_reserve {
            let _ = host_mem::rereserve(s, in_reserve - s);
        }
        if e > heap.reserve_end {
            let from = s.max(heap.reserve_end);
            let _ = host_mem::munmap(from, e - from);
        }
        kestrel::jit::invalidate_range(s, e - s);
        mm.remove(s, e);
        heap.mapped_end = new_end;
    }
    heap.brk = requested;
    mm.heap = Some(heap);
    requested
}

/// Maps `[heap.mapped_end, new_end)` read-write; false if any of it is taken.
fn grow(mm: &AddressSpace, heap: &HeapRange, new_end: u64) -> bool {
    let from = heap.mapped_end;
    if !mm.overlapping(from, new_end).is_empty() {
        return false;
    }
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    let reserved_end = new_end.min(heap.reserve_end).max(from);
    if new_end > reserved_end {
        // Beyond the reservation: only where nothing at all is mapped.
        let len = new_end - reserved_end;
        if host_mem::mmap(reserved_end, len, rw, anon | libc::MAP_FIXED_NOREPLACE, -1, 0)
            != Ok(reserved_end)
        {
            return false;
        }
    }
    if reserved_end > from
        && host_mem::mmap(from, reserved_end - from, rw, anon | libc::MAP_FIXED, -1, 0).is_err()
    {
        if new_end > reserved_end {
            let _ = host_mem::munmap(reserved_end, new_end - reserved_end);
        }
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_shrinks_within_the_reservation() {
        let mut mm = AddressSpace::new();
        let base = host_mem::reserve_anywhere(64 << 20).unwrap();
        host_mem::munmap(base, 64 << 20).unwrap();
        setup_heap(&mut mm, base, base);
        assert_eq!(guest_brk(&mut mm, 0), base);
        assert_eq!(guest_brk(&mut mm, base + 100), base + 100);
        // SAFETY: the first heap page was just mapped read-write.
        unsafe { *((base + 99) as *mut u8) = 7 };
        assert_eq!(guest_brk(&mut mm, base + 3 * 4096 + 1), base + 3 * 4096 + 1);
        assert!(mm.is_covered(base, base + 4 * 4096));
        assert_eq!(guest_brk(&mut mm, base + 4096), base + 4096);
        assert!(mm.find(base + 4096).is_none());
        // Below the start the break does not move.
        assert_eq!(guest_brk(&mut mm, base - 4096), base + 4096);
        // An absurd request fails and returns the old break.
        assert_eq!(guest_brk(&mut mm, u64::MAX - 10), base + 4096);
        let h = mm.heap.unwrap();
        host_mem::munmap(h.start, h.reserve_end.max(h.mapped_end) - h.start).unwrap();
    }
}
