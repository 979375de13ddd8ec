//! The guest address-space tracker.
//!
//! Guest memory is identity-mapped into Kestrel's own address space, so the
//! host kernel's view cannot tell guest pages from the emulator's. This map
//! records which ranges belong to the guest — its image, stack, heap and every
//! `mmap` it made — so that
//! - a guest `MAP_FIXED`, `munmap`, `mprotect` or `madvise` can be refused when
//!   it would touch Kestrel's memory,
//! - system calls can check guest pointers before Kestrel dereferences them
//!   (bad pointers give `EFAULT`, never a host crash),
//! - `/proc/self/maps` can later be produced from it.
//!
//! Two ranges are reserved for the guest up front (`PROT_NONE`, nothing
//! committed): the heap after the program, and a large region where the guest's
//! own `mmap` calls are placed. Freed guest memory inside them goes back to
//! being reserved rather than unmapped, so Kestrel's allocations (code cache,
//! heap) never move into holes the guest expects to reuse.
//!
//! Addresses here are guest addresses; with `GUEST_BASE` 0 they are also host
//! addresses. This module only does bookkeeping; `mmap.rs` and `brk.rs` talk to
//! the host kernel.

use std::collections::BTreeMap;

/// Guest page size (AArch64 Linux with 4 KiB pages, same as the host).
pub const PAGE_SIZE: u64 = 4096;

/// `PROT_READ`.
pub const PROT_READ: i32 = 1;
/// `PROT_WRITE`.
pub const PROT_WRITE: i32 = 2;
/// `PROT_EXEC`.
pub const PROT_EXEC: i32 = 4;

/// Rounds down to a page boundary.
pub fn page_down(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// Rounds up to a page boundary; `None` on overflow.
pub fn page_up(addr: u64) -> Option<u64> {
    addr.checked_add(PAGE_SIZE - 1).map(page_down)
}

/// What a mapping holds, for diagnostics and `/proc/self/maps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingKind {
    /// A segment (or the gap between segments) of a loaded ELF file.
    Image(String),
    /// The initial stack.
    Stack,
    /// The `brk` heap.
    Heap,
    /// Anonymous memory from `mmap`.
    Anonymous,
    /// A file mapped by `mmap`.
    File(String),
}

/// One guest mapping: `[start, end)` with its protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// First byte (page aligned).
    pub start: u64,
    /// One past the last byte (page aligned).
    pub end: u64,
    /// `PROT_*` bits as the guest requested them.
    pub prot: i32,
    /// `MAP_SHARED` / `MAP_PRIVATE` and similar, as requested.
    pub flags: i32,
    /// What it holds.
    pub kind: MappingKind,
}

impl Mapping {
    /// True if guest loads may read it (any access right implies reads on
    /// both AArch64 and x86-64 page tables).
    pub fn readable(&self) -> bool {
        self.prot & (PROT_READ | PROT_WRITE | PROT_EXEC) != 0
    }

    /// True if guest stores may write it.
    pub fn writable(&self) -> bool {
        self.prot & PROT_WRITE != 0
    }
}

/// The access a pointer check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading.
    Read,
    /// Writing.
    Write,
}

/// The guest heap: `brk` moves within an address range reserved for it at load
/// time (`PROT_NONE`), so nothing else — guest or Kestrel — can be placed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapRange {
    /// Initial break (page aligned, just after the program image).
    pub start: u64,
    /// Current break as the guest sees it.
    pub brk: u64,
    /// End of the pages actually mapped for the heap.
    pub mapped_end: u64,
    /// End of the reserved range.
    pub reserve_end: u64,
}

/// All guest mappings, keyed by start address. Entries never overlap.
#[derive(Debug, Default)]
pub struct AddressSpace {
    maps: BTreeMap<u64, Mapping>,
    /// The heap, once the program is loaded.
    pub heap: Option<HeapRange>,
    /// Reserved range where guest `mmap` without a fixed address is placed.
    pub mmap_region: Option<(u64, u64)>,
}

impl AddressSpace {
    /// An empty address space.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a mapping, replacing whatever part of older mappings it overlaps.
    pub fn insert(&mut self, start: u64, end: u64, prot: i32, flags: i32, kind: MappingKind) {
        if start >= end {
            return;
        }
        self.remove(start, end);
        self.maps.insert(start, Mapping { start, end, prot, flags, kind });
    }

    /// Forgets `[start, end)`, splitting mappings that straddle the edges.
    pub fn remove(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.maps.range(start..end).map(|(&k, _)| k).collect();
        for k in keys {
            self.maps.remove(&k);
        }
    }

    /// Changes the protection of `[start, end)` (which should be covered).
    pub fn protect(&mut self, start: u64, end: u64, prot: i32) {
        if start >= end {
            return;
        }
        self.split_at(start);
        self.split_at(end);
        for (_, m) in self.maps.range_mut(start..end) {
            m.prot = prot;
        }
    }

    /// Splits the mapping containing `addr` (if any) so that one starts at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some((_, m)) = self.maps.range(..addr).next_back() else { return };
        if m.end <= addr {
            return;
        }
        let mut tail = m.clone();
        tail.start = addr;
        if let Some(head) = self.maps.range_mut(..addr).next_back().map(|(_, m)| m) {
            head.end = addr;
        }
        self.maps.insert(addr, tail);
    }

    /// The mapping containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Mapping> {
        self.maps.range(..=addr).next_back().map(|(_, m)| m).filter(|m| addr < m.end)
    }

    /// Mappings overlapping `[start, end)`, in address order.
    pub fn overlapping(&self, start: u64, end: u64) -> Vec<Mapping> {
        let mut out = Vec::new();
        if start >= end {
            return out;
        }
        if let Some(m) = self.find(start) {
            out.push(m.clone());
        }
        for (_, m) in self.maps.range(start.saturating_add(1)..end) {
            out.push(m.clone());
        }
        out
    }

    /// Sub-ranges of `[start, end)` not covered by any mapping.
    pub fn unmapped_gaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut gaps = Vec::new();
        let mut cursor = start;
        for m in self.overlapping(start, end) {
            if m.start > cursor {
                gaps.push((cursor, m.start));
            }
            cursor = cursor.max(m.end);
        }
        if cursor < end {
            gaps.push((cursor, end));
        }
        gaps
    }

    /// The ranges reserved for the guest (heap, mmap region).
    pub fn reserved_ranges(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        if let Some(h) = self.heap {
            out.push((h.start, h.reserve_end));
        }
        if let Some(r) = self.mmap_region {
            out.push(r);
        }
        out.retain(|(s, e)| s < e);
        out
    }

    /// Splits `[start, end)` into pieces inside and outside the guest
    /// reservations: `(start, end, reserved)`, in address order.
    pub fn split_by_reservation(&self, start: u64, end: u64) -> Vec<(u64, u64, bool)> {
        let mut cuts = vec![start, end];
        for (s, e) in self.reserved_ranges() {
            for c in [s, e] {
                if start < c && c < end {
                    cuts.push(c);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let reserved = self.reserved_ranges();
        cuts.windows(2)
            .map(|w| (w[0], w[1], reserved.iter().any(|&(s, e)| s <= w[0] && w[1] <= e)))
            .collect()
    }

    /// Sub-ranges of `[start, end)` that belong neither to a guest mapping nor to
    /// a guest reservation: the parts Kestrel may own.
    pub fn foreign_gaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        for (s, e) in self.unmapped_gaps(start, end) {
            for (ps, pe, reserved) in self.split_by_reservation(s, e) {
                if !reserved {
                    out.push((ps, pe));
                }
            }
        }
        out
    }

    /// True if `[start, end)` is free (no guest mapping) and inside the mmap
    /// region, so a guest mapping may be placed there.
    pub fn is_free_in_region(&self, start: u64, end: u64) -> bool {
        matches!(self.mmap_region, Some((rs, re)) if rs <= start && end <= re && start < end)
            && self.overlapping(start, end).is_empty()
    }

    /// Highest free `len`-byte range in the mmap region (top-down first fit,
    /// like Linux's default layout).
    pub fn find_free(&self, len: u64) -> Option<u64> {
        let (rs, re) = self.mmap_region?;
        let floor = self.find(rs).map_or(rs, |m| m.end.max(rs));
        let mut top = re;
        for (_, m) in self.maps.range(rs..re).rev() {
            if m.end <= top && top - m.end >= len && m.end >= floor {
                return Some(top - len);
            }
            top = top.min(m.start);
            if top <= floor {
                return None;
            }
        }
        (top >= floor && top - floor >= len).then(|| top - len)
    }

    /// True if every byte of `[start, end)` is a guest mapping.
    pub fn is_covered(&self, start: u64, end: u64) -> bool {
        start < end && self.unmapped_gaps(start, end).is_empty()
    }

    /// True if the guest may access `len` bytes at `addr` in the given way.
    /// A zero-length range is always accessible.
    pub fn check(&self, addr: u64, len: u64, access: Access) -> bool {
        if len == 0 {
            return true;
        }
        let Some(end) = addr.checked_add(len) else { return false };
        let mut cursor = addr;
        while cursor < end {
            let Some(m) = self.find(cursor) else { return false };
            let ok = match access {
                Access::Read => m.readable(),
                Access::Write => m.writable(),
            };
            if !ok {
                return false;
            }
            cursor = m.end;
        }
        true
    }

    /// Other shared mappings of the file (or memfd) mapped shared at `addr`:
    /// writes through one view appear in the others, so code translated from
    /// them is stale when the one at `addr` changes. Files are told apart by
    /// name, which can only over-report (two files of one name).
    pub fn shared_aliases(&self, addr: u64) -> Vec<(u64, u64)> {
        let same_file = |m: &Mapping| match &m.kind {
            MappingKind::File(name) if m.flags & libc::MAP_SHARED != 0 && !name.is_empty() => Some(name.clone()),
            _ => None,
        };
        let Some(name) = self.find(addr).and_then(same_file) else { return Vec::new() };
        self.maps
            .values()
            .filter(|m| !(m.start <= addr && addr < m.end) && same_file(m).as_ref() == Some(&name))
            .map(|m| (m.start, m.end))
            .collect()
    }

    /// Every mapping in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Mapping> {
        self.maps.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RW: i32 = PROT_READ | PROT_WRITE;

    fn space() -> AddressSpace {
        let mut mm = AddressSpace::new();
        mm.insert(0x10000, 0x20000, PROT_READ | PROT_EXEC, 2, MappingKind::Image("a".into()));
        mm.insert(0x20000, 0x30000, RW, 2, MappingKind::Anonymous);
        mm.insert(0x40000, 0x41000, PROT_READ, 2, MappingKind::Anonymous);
        mm
    }

    #[test]
    fn insert_splits_existing() {
        let mut mm = space();
        mm.insert(0x18000, 0x22000, 0, 2, MappingKind::Anonymous);
        let starts: Vec<(u64, u64, i32)> = mm.iter().map(|m| (m.start, m.end, m.prot)).collect();
        assert_eq!(
            starts,
            vec![
                (0x10000, 0x18000, PROT_READ | PROT_EXEC),
                (0x18000, 0x22000, 0),
                (0x22000, 0x30000, RW),
                (0x40000, 0x41000, PROT_READ)
            ]
        );
    }

    #[test]
    fn remove_and_protect_split() {
        let mut mm = space();
        mm.remove(0x11000, 0x12000);
        assert!(mm.find(0x11800).is_none());
        assert_eq!(mm.find(0x10000).unwrap().end, 0x11000);
        assert_eq!(mm.find(0x12000).unwrap().start, 0x12000);
        mm.protect(0x21000, 0x22000, PROT_READ);
        assert_eq!(mm.find(0x21000).unwrap().prot, PROT_READ);
        assert_eq!(mm.find(0x20000).unwrap().prot, RW);
        assert_eq!(mm.find(0x22000).unwrap().prot, RW);
    }

    #[test]
    fn gaps_and_coverage() {
        let mm = space();
        assert!(mm.is_covered(0x10000, 0x30000));
        assert!(!mm.is_covered(0x10000, 0x40001));
        assert_eq!(mm.unmapped_gaps(0x8000, 0x42000), vec![(0x8000, 0x10000), (0x30000, 0x40000), (0x41000, 0x42000)]);
    }

    #[test]
    fn reservations_are_not_foreign() {
        let mut mm = space();
        mm.heap = Some(HeapRange { start: 0x30000, brk: 0x30000, mapped_end: 0x30000, reserve_end: 0x38000 });
        assert_eq!(mm.foreign_gaps(0x2f000, 0x3a000), vec![(0x38000, 0x3a000)]);
        mm.mmap_region = Some((0x39000, 0x40000));
        assert_eq!(mm.foreign_gaps(0x2f000, 0x42000), vec![(0x38000, 0x39000), (0x41000, 0x42000)]);
        assert_eq!(
            mm.split_by_reservation(0x37000, 0x3a000),
            vec![(0x37000, 0x38000, true), (0x38000, 0x39000, false), (0x39000, 0x3a000, true)]
        );
    }

    #[test]
    fn finds_free_space_top_down() {
        let mut mm = AddressSpace::new();
        mm.mmap_region = Some((0x100000, 0x200000));
        assert_eq!(mm.find_free(0x1000), Some(0x1ff000));
        mm.insert(0x1f0000, 0x200000, RW, 2, MappingKind::Anonymous);
        mm.insert(0x1e0000, 0x1e8000, RW, 2, MappingKind::Anonymous);
        assert_eq!(mm.find_free(0x8000), Some(0x1e8000));
        assert_eq!(mm.find_free(0x9000), Some(0x1d7000));
        assert_eq!(mm.find_free(0x100000), None);
        assert!(mm.is_free_in_region(0x1e8000, 0x1f0000));
        assert!(!mm.is_free_in_region(0x1e7000, 0x1f0000));
        assert!(!mm.is_free_in_region(0x1f0000, 0x201000));
    }

    #[test]
    fn pointer_checks() {
        let mm = space();
        assert!(mm.check(0x1fff0, 0x20, Access::Read));
        assert!(!mm.check(0x1fff0, 0x20, Access::Write));
        assert!(mm.check(0x20000, 0x10000, Access::Write));
        assert!(!mm.check(0x2fff0, 0x20, Access::Read));
        assert!(!mm.check(u64::MAX - 4, 16, Access::Read));
        assert!(mm.check(0, 0, Access::Write));
    }
}
