//! Guest `mmap`, `munmap`, `mprotect`, `mremap` and `madvise`.
//!
//! The rule that keeps the emulator alive: a guest request may replace memory
//! only where the guest already owns it. `MAP_FIXED` is passed through for
//! ranges made entirely of guest mappings (or the heap reservation); for any
//! other part of the range we first claim it with `MAP_FIXED_NOREPLACE`, and if
//! something is there — Kestrel's heap, code cache, stack — the request fails
//! (`ENOMEM`, or `EEXIST` when the guest itself asked for NOREPLACE semantics).
//! Unmapping or re-protecting memory the guest does not own is refused or
//! ignored in the way Linux treats unmapped ranges.

use crate::host_mem::{self, host_prot};
use crate::mm::{page_up, AddressSpace, MappingKind, PAGE_SIZE, PROT_EXEC};
use nix::errno::Errno;

/// AArch64 `PROT_BTI`: branch-target enforcement; meaningless to the host.
pub const PROT_BTI: i32 = 0x10;
/// AArch64 `PROT_MTE`: memory tagging; not emulated.
const PROT_MTE: i32 = 0x20;
const PROT_KNOWN: i32 = libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC | PROT_BTI | PROT_MTE;
/// The flags that say how a mapping is shared.
const MAP_TYPE: i32 = 0x0f;
/// `MREMAP_MAYMOVE`.
const MREMAP_MAYMOVE: i32 = 1;
/// `MREMAP_FIXED`.
const MREMAP_FIXED: i32 = 2;
/// `MREMAP_DONTUNMAP`.
const MREMAP_DONTUNMAP: i32 = 4;

/// Records whether `[start, end)` is guarded for branch target
/// identification (PROT_BTI on an executable mapping). A change drops the
/// translations of those pages, which have the answer compiled in; the
/// process's first guarded page drops every translation (none of them track
/// BTYPE yet).
pub fn record_guarded(start: u64, end: u64, raw_prot: i32) {
    use kestrel::guest::aarch64::bti;
    let guarded = raw_prot & PROT_BTI != 0 && raw_prot & PROT_EXEC != 0;
    match bti::set_guarded(start, end, guarded) {
        bti::Change::None => {}
        bti::Change::Range => {
            kestrel::jit::invalidate_range(start, end - start);
        }
        bti::Change::First => {
            kestrel::jit::invalidate_range(0, u64::MAX);
        }
    }
}

/// Removes AArch64-only protection bits; rejects unknown ones as Linux does.
fn guest_prot(prot: i32) -> Result<i32, Errno> {
    if prot & !(PROT_KNOWN | libc::PROT_GROWSDOWN | libc::PROT_GROWSUP) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(prot & (libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC))
}

/// Page-rounded length, or the errors Linux gives for 0 and overflow.
fn rounded_len(len: u64) -> Result<u64, Errno> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    page_up(len).ok_or(Errno::ENOMEM)
}

fn end_of(addr: u64, len: u64) -> Result<u64, Errno> {
    match addr.checked_add(len) {
        Some(end) if end <= crate::elf::USER_SPACE_END => Ok(end),
        _ => Err(Errno::ENOMEM),
    }
}

/// Claims the parts of `[start, end)` that are not guest memory so a
/// `MAP_FIXED` there cannot replace Kestrel's own mappings. Returns the
/// reservations made, to be undone if the real mapping fails.
fn claim_for_fixed(
    mm: &AddressSpace,
    start: u64,
    end: u64,
    refusal: Errno,
) -> Result<Vec<(u64, u64)>, Errno> {
    let mut claimed = Vec::new();
    for (s, e) in mm.foreign_gaps(start, end) {
        if let Err(errno) = host_mem::reserve_at(s, e - s) {
            undo_claims(&claimed);
            crate::logging::guest_error(&format!(
                "kestrel: guest mapping at {s:#x}..{e:#x} would overlap emulator memory; refused"
            ));
            return Err(if errno == Errno::EEXIST { refusal } else { errno });
        }
        claimed.push((s, e));
    }
    Ok(claimed)
}

fn undo_claims(claims: &[(u64, u64)]) {
    for &(s, e) in claims {
        let _ = host_mem::munmap(s, e - s);
    }
}

/// Gives `[start, end)` back: unmapped, except inside the guest reservations
/// (heap, mmap region), which are re-reserved so nothing else moves in.
fn release(mm: &AddressSpace, start: u64, end: u64) {
    for (s, e, reserved) in mm.split_by_reservation(start, end) {
        let _ = if reserved { host_mem::rereserve(s, e - s) } else { host_mem::munmap(s, e - s) };
    }
}

/// Size of the region reserved for guest mappings, tried largest first. It
/// costs address space only (no memory), but RLIMIT_AS may forbid the larger.
const MMAP_REGION_SIZES: [u64; 5] = [1 << 40, 1 << 38, 1 << 36, 1 << 34, 1 << 32];

/// Reserves the region guest `mmap` calls are placed in. Without it guest
/// mappings go wherever the kernel puts them, which still works but lets
/// Kestrel's own allocations land in holes the guest unmapped.
pub fn reserve_mmap_region(mm: &mut AddressSpace) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we pass.
    let address_limit = if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0 {
        limit.rlim_cur
    } else {
        libc::RLIM_INFINITY
    };
    // Under an address-space limit, leave most of it to real allocations.
    let allowed = |size: u64| address_limit == libc::RLIM_INFINITY || size <= address_limit / 4;
    for size in MMAP_REGION_SIZES.into_iter().filter(|&s| allowed(s)) {
        if let Ok(start) = host_mem::reserve_anywhere(size) {
            mm.mmap_region = Some((start, start + size));
            return;
        }
    }
}

/// Where a guest mapping without `MAP_FIXED` goes: the hint if it is free in
/// the region, else the highest free range there; `None` lets the kernel choose.
fn place_in_region(mm: &AddressSpace, hint: u64, len: u64) -> Option<u64> {
    if hint != 0 && hint.is_multiple_of(PAGE_SIZE) {
        if let Some(end) = hint.checked_add(len) {
            if mm.is_free_in_region(hint, end) {
                return Some(hint);
            }
        }
    }
    mm.find_free(len)
}

/// Lowest hint Linux honours (the default `vm.mmap_min_addr`).
const MMAP_MIN_ADDR: u64 = 0x10000;

/// Linux honours a hint whenever the range is free. Inside the guest's
/// reservations [`place_in_region`] does that; a hint outside them (the JVM
/// asks for its class space at 0x800000000, Go for arenas at 0xc000000000)
/// is tried with `MAP_FIXED_NOREPLACE`, which fails instead of replacing
/// anything already there — Kestrel's own memory included. Returns the new
/// mapping, or `None` when the hint cannot be honoured and the caller places
/// it as usual.
fn map_at_foreign_hint(
    mm: &mut AddressSpace,
    hint: u64,
    len: u64,
    prot: i32,
    flags: i32,
    fd: i32,
    offset: u64,
) -> Result<Option<u64>, Errno> {
    if hint < MMAP_MIN_ADDR || !hint.is_multiple_of(PAGE_SIZE) {
        return Ok(None);
    }
    let Ok(end) = end_of(hint, len) else { return Ok(None) };
    if mm.foreign_gaps(hint, end) != [(hint, end)] {
        return Ok(None); // a guest mapping or reservation overlaps it
    }
    let host_flags = flags | libc::MAP_FIXED_NOREPLACE;
    // Any failure (something there, a hint beyond the host's address space
    // or below its mmap_min_addr) means the hint cannot be honoured, which
    // Linux answers by placing the mapping elsewhere.
    let Ok(start) = host_mem::mmap(hint, len, host_prot(prot), host_flags, fd, offset) else {
        return Ok(None);
    };
    if start != hint {
        // A kernel older than 4.17 took NOREPLACE as a plain hint.
        let _ = host_mem::munmap(start, len);
        return Ok(None);
    }
    mm.insert(start, end, prot, flags & (MAP_TYPE | libc::MAP_ANONYMOUS), mapping_kind(flags, fd));
    Ok(Some(start))
}

/// What the tracker records for a new mapping.
fn mapping_kind(flags: i32, fd: i32) -> MappingKind {
    if flags & libc::MAP_ANONYMOUS != 0 {
        MappingKind::Anonymous
    } else {
        MappingKind::File(file_name(fd))
    }
}

/// Name for a file mapping, from the descriptor's path.
fn file_name(fd: i32) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Guest `mmap`.
pub fn guest_mmap(
    mm: &mut AddressSpace,
    addr: u64,
    len: u64,
    prot: i32,
    flags: i32,
    fd: i32,
    offset: u64,
) -> Result<u64, Errno> {
    let len = rounded_len(len)?;
    let raw_prot = prot;
    let prot = guest_prot(prot)?;
    if !offset.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if !matches!(flags & MAP_TYPE, libc::MAP_SHARED | libc::MAP_PRIVATE | libc::MAP_SHARED_VALIDATE) {
        return Err(Errno::EINVAL);
    }
    let fixed = flags & libc::MAP_FIXED != 0;
    let noreplace = flags & libc::MAP_FIXED_NOREPLACE != 0;
    let mut host_flags = flags;
    let mut claims = Vec::new();
    let mut addr = addr;

    if !(fixed || noreplace) {
        if let Some(start) = map_at_foreign_hint(mm, addr, len, prot, flags, fd, offset)? {
            record_guarded(start, start + len, raw_prot);
            let file = if flags & libc::MAP_ANONYMOUS != 0 { -1 } else { fd };
            crate::code_cache::mapped(start, start + len, prot, file, offset);
            return Ok(start);
        }
        if let Some(target) = place_in_region(mm, addr, len) {
            // Replaces only the region's reservation: the range is free guest space.
            addr = target;
            host_flags |= libc::MAP_FIXED;
        }
    } else {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let end = end_of(addr, len)?;
        // As in Linux, NOREPLACE wins when both flags are given.
        if noreplace && !mm.overlapping(addr, end).is_empty() {
            return Err(Errno::EEXIST);
        }
        let refusal = if noreplace { Errno::EEXIST } else { Errno::ENOMEM };
        claims = claim_for_fixed(mm, addr, end, refusal)?;
        host_flags = (flags & !libc::MAP_FIXED_NOREPLACE) | libc::MAP_FIXED;
    }

    let result = host_mem::mmap(addr, len, host_prot(prot), host_flags, fd, offset);
    let start = match result {
        Ok(start) => start,
        Err(errno) => {
            undo_claims(&claims);
            if !(fixed || noreplace) && host_flags & libc::MAP_FIXED != 0 {
                // A failed MAP_FIXED may have dropped part of the reservation.
                let _ = host_mem::rereserve(addr, len);
            }
            return Err(errno);
        }
    };
    if fixed || noreplace {
        kestrel::jit::invalidate_range(start, len);
    }
    mm.insert(start, start + len, prot, flags & (MAP_TYPE | libc::MAP_ANONYMOUS), mapping_kind(flags, fd));
    record_guarded(start, start + len, raw_prot);
    let file = if flags & libc::MAP_ANONYMOUS != 0 { -1 } else { fd };
    crate::code_cache::mapped(start, start + len, prot, file, offset);
    Ok(start)
}

/// Guest `munmap`: unmaps the guest's parts of the range; other parts are left
/// alone, as Linux succeeds silently on unmapped ranges.
pub fn guest_munmap(mm: &mut AddressSpace, addr: u64, len: u64) -> Result<u64, Errno> {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let len = rounded_len(len)?;
    let end = end_of(addr, len).map_err(|_| Errno::EINVAL)?;
    for m in mm.overlapping(addr, end) {
        let (s, e) = (m.start.max(addr), m.end.min(end));
        release(mm, s, e);
        kestrel::jit::invalidate_range(s, e - s);
        record_guarded(s, e, 0);
        crate::code_cache::unmapped(s, e);
    }
    mm.remove(addr, end);
    Ok(0)
}

/// Guest `mprotect`: the whole range must be guest memory (else `ENOMEM`, as
/// Linux reports unmapped pages).
pub fn guest_mprotect(mm: &mut AddressSpace, addr: u64, len: u64, prot: i32) -> Result<u64, Errno> {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let raw_prot = prot;
    let prot = guest_prot(prot)?;
    if len == 0 {
        return Ok(0);
    }
    let len = page_up(len).ok_or(Errno::ENOMEM)?;
    let end = end_of(addr, len)?;
    if !mm.is_covered(addr, end) {
        return Err(Errno::ENOMEM);
    }
    host_mem::mprotect(addr, len, host_prot(prot))?;
    let lost_exec = mm.overlapping(addr, end).iter().any(|m| m.prot & PROT_EXEC != 0)
        && prot & PROT_EXEC == 0;
    if lost_exec {
        kestrel::jit::invalidate_range(addr, len);
    }
    mm.protect(addr, end, prot);
    record_guarded(addr, end, raw_prot);
    Ok(0)
}

/// Guest `madvise`: only on guest memory (`MADV_DONTNEED` on Kestrel's own
/// memory would zero it).
pub fn guest_madvise(mm: &AddressSpace, addr: u64, len: u64, advice: i32) -> Result<u64, Errno> {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let len = page_up(len).ok_or(Errno::EINVAL)?;
    let end = end_of(addr, len)?;
    if !mm.is_covered(addr, end) {
        return Err(Errno::ENOMEM);
    }
    // SAFETY: the range is guest memory; advice cannot affect Kestrel's memory.
    let r = unsafe { libc::madvise(addr as *mut libc::c_void, len as usize, advice) };
    if r == 0 {
        if advice == libc::MADV_DONTNEED || advice == libc::MADV_REMOVE {
            kestrel::jit::invalidate_range(addr, len);
        }
        Ok(0)
    } else {
        Err(Errno::last())
    }
}

/// Moves the private anonymous mapping `[old, old + old_len)` to `target`
/// (free space of the region) and grows it to `new_len`, without a moment
/// in which either range is a hole another thread's host `mmap` could be
/// given: `MREMAP_DONTUNMAP` moves the pages and leaves the old range
/// mapped (empty) for the reservation to replace in one step, and the
/// growth maps over the reservation. `None` (nothing done) if the host
/// kernel refuses `MREMAP_DONTUNMAP` (before Linux 5.7).
fn move_anonymous(mm: &mut AddressSpace, template: &crate::mm::Mapping, old: u64, old_len: u64, new_len: u64, target: u64) -> Option<Result<u64, Errno>> {
    let flags = MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP;
    // SAFETY: the old range is guest memory (checked by the caller) and the
    // target is free space of the region, whose reservation MREMAP_FIXED
    // replaces.
    let r = unsafe { libc::mremap(old as *mut libc::c_void, old_len as usize, old_len as usize, flags, target as *mut libc::c_void) };
    if r == libc::MAP_FAILED {
        return None;
    }
    release(mm, old, old + old_len);
    if new_len > old_len {
        let host_flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED;
        if let Err(errno) = host_mem::mmap(target + old_len, new_len - old_len, host_prot(template.prot), host_flags, -1, 0) {
            // Undo, again without a hole: the pages go back over the old
            // range's reservation, the reservation back over the target.
            let _ = host_mem::rereserve(target + old_len, new_len - old_len);
            // SAFETY: as above, the other way round.
            unsafe { libc::mremap(target as *mut libc::c_void, old_len as usize, old_len as usize, flags, old as *mut libc::c_void) };
            let _ = host_mem::rereserve(target, old_len);
            return Some(Err(errno));
        }
    }
    kestrel::jit::invalidate_range(old, old_len);
    crate::code_cache::unmapped(old, old + old_len);
    mm.remove(old, old + old_len);
    mm.insert(target, target + new_len, template.prot, template.flags, template.kind.clone());
    Some(Ok(target))
}

/// Guest `mremap`. Inside the mmap region the kernel cannot see free guest
/// space (it is reserved), so growth in place and moves are arranged here,
/// never by leaving a hole in the reservation: in the moment between the
/// hole and putting the reservation back, another thread's host `mmap` (the
/// allocator, the optimising tier's code pages) could be given it, and its
/// memory would then be destroyed. A private anonymous mapping grows in
/// place by mapping the new pages over the reservation (the kernel merges
/// them with the old ones: the same memory as a grown mapping), moves with
/// `MREMAP_DONTUNMAP` (see [`move_anonymous`]), and shrinks by putting the
/// reservation over its tail. Other mappings grow by moving (`MREMAP_FIXED`
/// onto a free range of the region) when the guest allows a move, else fail
/// with `ENOMEM` as a blocked growth does; their old range is a hole for a
/// moment after a move (file and shared mappings are rarely remapped).
pub fn guest_mremap(
    mm: &mut AddressSpace,
    old: u64,
    old_len: u64,
    new_len: u64,
    flags: i32,
    new_addr: u64,
) -> Result<u64, Errno> {
    if !old.is_multiple_of(PAGE_SIZE) || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
    let new_len = rounded_len(new_len)?;
    let old_end = end_of(old, old_len.max(PAGE_SIZE)).map_err(|_| Errno::EFAULT)?;
    let template = mm.find(old).cloned().ok_or(Errno::EFAULT)?;
    if old_len > 0 && !mm.is_covered(old, old_end) {
        return Err(Errno::EFAULT);
    }
    let (mut flags, mut new_addr) = (flags, new_addr);
    let anonymous = template.flags & (libc::MAP_ANONYMOUS | libc::MAP_SHARED) == libc::MAP_ANONYMOUS && old_end <= template.end;
    if flags & MREMAP_FIXED == 0 && new_len < old_len && old_len > 0 {
        // Shrinking in place: the tail goes back to the reservation (or is
        // unmapped outside it) in one step, without the kernel opening a
        // hole first.
        let (tail, end) = (old + new_len, old + old_len);
        release(mm, tail, end);
        kestrel::jit::invalidate_range(tail, end - tail);
        crate::code_cache::unmapped(tail, end);
        mm.remove(tail, end);
        return Ok(old);
    }
    let mut claims = Vec::new();
    if flags & MREMAP_FIXED != 0 {
        if !new_addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let new_end = end_of(new_addr, new_len)?;
        claims = claim_for_fixed(mm, new_addr, new_end, Errno::ENOMEM)?;
    } else if new_len > old_len && old_len > 0 {
        let (grow_start, grow_end) = (old + old_len, end_of(old, new_len)?);
        if anonymous && mm.is_free_in_region(grow_start, grow_end) {
            // Replaces only the region's reservation, in one step.
            let host_flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED;
            if let Err(errno) = host_mem::mmap(grow_start, grow_end - grow_start, host_prot(template.prot), host_flags, -1, 0) {
                // A failed MAP_FIXED may have dropped the reservation there.
                let _ = host_mem::rereserve(grow_start, grow_end - grow_start);
                return Err(errno);
            }
            // One entry for the grown mapping, so that it can grow again.
            mm.insert(template.start, grow_end, template.prot, template.flags, template.kind);
            return Ok(old);
        } else if flags & MREMAP_MAYMOVE != 0 {
            if let Some(target) = mm.find_free(new_len) {
                if anonymous && flags & MREMAP_DONTUNMAP == 0 {
                    if let Some(moved) = move_anonymous(mm, &template, old, old_len, new_len, target) {
                        return moved;
                    }
                }
                flags |= MREMAP_FIXED;
                new_addr = target;
            }
        }
    }
    // SAFETY: the old range is guest memory and the new one (if fixed) is guest
    // memory, claimed above, or free space of the region; otherwise the kernel
    // picks a free range.
    let r = unsafe {
        libc::mremap(
            old as *mut libc::c_void,
            old_len as usize,
            new_len as usize,
            flags,
            new_addr as *mut libc::c_void,
        )
    };
    if r == libc::MAP_FAILED {
        let errno = Errno::last();
        undo_claims(&claims);
        return Err(errno);
    }
    let start = r as u64;
    kestrel::jit::invalidate_range(old, old_len);
    // Moved code is no longer at its image's addresses.
    crate::code_cache::unmapped(old, old + old_len);
    if start == old {
        if new_len < old_len {
            // The kernel unmapped the tail; keep the reservations intact.
            release(mm, old + new_len, old + old_len);
            mm.remove(old + new_len, old + old_len);
        }
    } else {
        if flags & MREMAP_DONTUNMAP == 0 && old_len > 0 {
            release(mm, old, old + old_len);
            mm.remove(old, old + old_len);
        }
        kestrel::jit::invalidate_range(start, new_len);
        crate::code_cache::unmapped(start, start + new_len);
    }
    mm.insert(start, start + new_len, template.prot, template.flags, template.kind);
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::{PROT_READ, PROT_WRITE};

    const RW: i32 = PROT_READ | PROT_WRITE;
    const ANON: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;

    #[test]
    fn fixed_over_emulator_memory_is_refused() {
        let mut mm = AddressSpace::new();
        // Memory that belongs to "Kestrel": mapped on the host, unknown to the tracker.
        let ours = host_mem::mmap(0, 2 * PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        // SAFETY: writing into the page mapped just above.
        unsafe { *(ours as *mut u8) = 42 };
        let r = guest_mmap(&mut mm, ours, PAGE_SIZE, RW, ANON | libc::MAP_FIXED, -1, 0);
        assert_eq!(r, Err(Errno::ENOMEM));
        let r = guest_mmap(&mut mm, ours, PAGE_SIZE, RW, ANON | libc::MAP_FIXED_NOREPLACE, -1, 0);
        assert_eq!(r, Err(Errno::EEXIST));
        // SAFETY: the page is still ours and still mapped.
        assert_eq!(unsafe { *(ours as *const u8) }, 42);
        // Unmapping or protecting it as the guest does nothing / fails.
        assert_eq!(guest_munmap(&mut mm, ours, PAGE_SIZE), Ok(0));
        assert_eq!(guest_mprotect(&mut mm, ours, PAGE_SIZE, 0), Err(Errno::ENOMEM));
        // SAFETY: as above.
        assert_eq!(unsafe { *(ours as *const u8) }, 42);
        host_mem::munmap(ours, 2 * PAGE_SIZE).unwrap();
    }

    #[test]
    fn guest_mappings_round_trip() {
        let mut mm = AddressSpace::new();
        let a = guest_mmap(&mut mm, 0, 3 * PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        assert!(mm.is_covered(a, a + 3 * PAGE_SIZE));
        // MAP_FIXED inside the guest's own mapping is allowed.
        let b = guest_mmap(&mut mm, a + PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | libc::MAP_FIXED, -1, 0)
            .unwrap();
        assert_eq!(b, a + PAGE_SIZE);
        assert_eq!(mm.find(b).unwrap().prot, PROT_READ);
        guest_mprotect(&mut mm, a, PAGE_SIZE, PROT_READ).unwrap();
        assert_eq!(mm.find(a).unwrap().prot, PROT_READ);
        let c = guest_mremap(&mut mm, a + 2 * PAGE_SIZE, PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0)
            .unwrap();
        assert!(mm.is_covered(c, c + 4 * PAGE_SIZE));
        guest_munmap(&mut mm, a, 2 * PAGE_SIZE).unwrap();
        guest_munmap(&mut mm, c, 4 * PAGE_SIZE).unwrap();
        assert_eq!(mm.iter().count(), 0);
    }

    #[test]
    fn region_keeps_holes_for_the_guest() {
        let mut mm = AddressSpace::new();
        let base = host_mem::reserve_anywhere(64 * PAGE_SIZE).unwrap();
        mm.mmap_region = Some((base, base + 64 * PAGE_SIZE));
        let a = guest_mmap(&mut mm, 0, 3 * PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        assert_eq!(a, base + 61 * PAGE_SIZE);
        guest_munmap(&mut mm, a + PAGE_SIZE, PAGE_SIZE).unwrap();
        // Something else mapping now cannot take the hole: it is still reserved.
        let other = host_mem::mmap(0, PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        assert!(other < base || other >= base + 64 * PAGE_SIZE);
        let fixed = guest_mmap(&mut mm, a + PAGE_SIZE, PAGE_SIZE, RW, ANON | libc::MAP_FIXED, -1, 0);
        assert_eq!(fixed, Ok(a + PAGE_SIZE));
        // A hint inside the region is honoured when free.
        let hinted = guest_mmap(&mut mm, base, PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        assert_eq!(hinted, base);
        // Growing in place into free region space keeps the contents; the
        // new pages are zero and writable.
        // SAFETY: the guest mapping at `base` made just above.
        unsafe { *(base as *mut u8) = 7 };
        let grown = guest_mremap(&mut mm, base, PAGE_SIZE, 4 * PAGE_SIZE, 0, 0).unwrap();
        assert_eq!(grown, base);
        assert!(mm.is_covered(base, base + 4 * PAGE_SIZE));
        // SAFETY: the grown mapping covers these bytes.
        unsafe {
            assert_eq!(*(base as *const u8), 7);
            assert_eq!(*((base + 3 * PAGE_SIZE) as *const u8), 0);
            *((base + 3 * PAGE_SIZE) as *mut u8) = 9;
        }
        // Moving stays inside the region.
        let moved = guest_mremap(&mut mm, a, 3 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0).unwrap();
        assert!(moved >= base && moved + 8 * PAGE_SIZE <= base + 64 * PAGE_SIZE);
        host_mem::munmap(other, PAGE_SIZE).unwrap();
        host_mem::munmap(base, 64 * PAGE_SIZE).unwrap();
    }

    #[test]
    fn remapping_never_leaves_a_hole_in_the_region() {
        let mut mm = AddressSpace::new();
        let base = host_mem::reserve_anywhere(64 * PAGE_SIZE).unwrap();
        mm.mmap_region = Some((base, base + 64 * PAGE_SIZE));
        // Reserved (or mapped) ranges refuse a NOREPLACE claim.
        let occupied = |addr: u64, len: u64| host_mem::reserve_at(addr, len) == Err(Errno::EEXIST);
        // Placed top down: `b`, a neighbour right above `a`, blocks growth
        // in place.
        let b = guest_mmap(&mut mm, 0, PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        let a = guest_mmap(&mut mm, 0, 4 * PAGE_SIZE, RW, ANON, -1, 0).unwrap();
        assert_eq!(b, a + 4 * PAGE_SIZE);
        // SAFETY: the guest mapping at `a`, made above.
        unsafe { *((a + PAGE_SIZE) as *mut u8) = 5 };
        // Shrinking: the tail is reserved again at once.
        assert_eq!(guest_mremap(&mut mm, a, 4 * PAGE_SIZE, 2 * PAGE_SIZE, 0, 0), Ok(a));
        assert!(occupied(a + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
        assert!(!mm.is_covered(a, a + 3 * PAGE_SIZE));
        // Growing where the neighbour blocks: moved, contents kept, the old
        // range reserved again.
        let b2 = guest_mmap(&mut mm, a + 2 * PAGE_SIZE, PAGE_SIZE, RW, ANON | libc::MAP_FIXED, -1, 0).unwrap();
        assert_eq!(b2, a + 2 * PAGE_SIZE);
        let moved = guest_mremap(&mut mm, a, 2 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE, 0).unwrap();
        assert_ne!(moved, a);
        assert!(moved >= base && moved + 6 * PAGE_SIZE <= base + 64 * PAGE_SIZE);
        assert!(mm.is_covered(moved, moved + 6 * PAGE_SIZE) && !mm.is_covered(a, a + PAGE_SIZE));
        assert!(occupied(a, 2 * PAGE_SIZE));
        // SAFETY: the moved mapping covers these bytes.
        unsafe {
            assert_eq!(*((moved + PAGE_SIZE) as *const u8), 5);
            assert_eq!(*((moved + 5 * PAGE_SIZE) as *const u8), 0);
        }
        host_mem::munmap(base, 64 * PAGE_SIZE).unwrap();
    }

    #[test]
    fn bad_arguments() {
        let mut mm = AddressSpace::new();
        assert_eq!(guest_mmap(&mut mm, 0, 0, RW, ANON, -1, 0), Err(Errno::EINVAL));
        assert_eq!(guest_mmap(&mut mm, 0, 4096, RW, libc::MAP_ANONYMOUS, -1, 0), Err(Errno::EINVAL));
        assert_eq!(guest_mmap(&mut mm, 0, 4096, 0x100, ANON, -1, 0), Err(Errno::EINVAL));
        assert_eq!(guest_mmap(&mut mm, 0x1001, 4096, RW, ANON | libc::MAP_FIXED, -1, 0), Err(Errno::EINVAL));
        assert_eq!(guest_munmap(&mut mm, 0x1001, 4096), Err(Errno::EINVAL));
        assert_eq!(guest_mremap(&mut mm, 0x10000, 4096, 8192, 0, 0), Err(Errno::EFAULT));
    }
}
