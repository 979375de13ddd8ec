//! System V IPC: shared memory, semaphores and message queues (PostgreSQL's
//! initdb, Apache, some test suites).
//!
//! Message queues, semaphore operations and `shmctl` pass straight through
//! (their structures are the asm-generic ones on both architectures). Two
//! things need Kestrel:
//! - `semctl`'s `struct semid64_ds`: x86-64 has its own layout (padding after
//!   each time field), AArch64 the generic one, so IPC_STAT/SEM_STAT results
//!   and IPC_SET arguments are converted;
//! - `shmat`/`shmdt` map and unmap memory, so the address-space tracker must
//!   see them, and an attach must not land on Kestrel's own memory.

use super::host::{syscall_args, SysResult};
use crate::guest_mem;
use crate::host_mem;
use crate::mm::{page_up, AddressSpace, MappingKind, PAGE_SIZE};
use nix::errno::Errno;

const IPC_SET: u64 = 1;
const IPC_STAT: u64 = 2;
const SEM_STAT: u64 = 18;
const SEM_STAT_ANY: u64 = 20;
const SHM_RDONLY: u64 = 0o10000;
const SHM_RND: u64 = 0o20000;
const SHM_REMAP: u64 = 0o40000;
const SHM_EXEC: u64 = 0o100000;
/// `SHMLBA` on AArch64 Linux (and x86-64): one page.
const SHMLBA: u64 = PAGE_SIZE;

/// Size of `struct ipc64_perm` (identical on both).
const IPC64_PERM_SIZE: usize = 48;
/// AArch64 (asm-generic) `struct semid64_ds`: perm, otime, ctime, nsems, 2 unused.
pub const GUEST_SEMID_DS_SIZE: usize = IPC64_PERM_SIZE + 5 * 8;
/// x86-64 `struct semid64_ds`: perm, otime, pad, ctime, pad, nsems, 2 unused.
const HOST_SEMID_DS_SIZE: usize = IPC64_PERM_SIZE + 7 * 8;

/// Host `semid64_ds` bytes to the guest's layout.
pub fn semid_ds_to_guest(host: &[u8; HOST_SEMID_DS_SIZE]) -> [u8; GUEST_SEMID_DS_SIZE] {
    let mut out = [0u8; GUEST_SEMID_DS_SIZE];
    let p = IPC64_PERM_SIZE;
    out[..p].copy_from_slice(&host[..p]);
    out[p..p + 8].copy_from_slice(&host[p..p + 8]); // sem_otime
    out[p + 8..p + 16].copy_from_slice(&host[p + 16..p + 24]); // sem_ctime
    out[p + 16..p + 24].copy_from_slice(&host[p + 32..p + 40]); // sem_nsems
    out
}

/// Guest `semid64_ds` bytes to the host's layout.
pub fn semid_ds_to_host(guest: &[u8]) -> [u8; HOST_SEMID_DS_SIZE] {
    let mut out = [0u8; HOST_SEMID_DS_SIZE];
    let p = IPC64_PERM_SIZE;
    out[..p].copy_from_slice(&guest[..p]);
    out[p..p + 8].copy_from_slice(&guest[p..p + 8]);
    out[p + 16..p + 24].copy_from_slice(&guest[p + 8..p + 16]);
    out[p + 32..p + 40].copy_from_slice(&guest[p + 16..p + 24]);
    out
}

/// `semctl(id, num, cmd, arg)`.
pub fn semctl(mm: &AddressSpace, a: [u64; 6]) -> SysResult {
    let (id, num, cmd, arg) = (a[0], a[1], a[2], a[3]);
    match cmd & 0xff {
        IPC_STAT | SEM_STAT | SEM_STAT_ANY => {
            if !mm.check(arg, GUEST_SEMID_DS_SIZE as u64, crate::mm::Access::Write) {
                return Err(Errno::EFAULT);
            }
            let mut host = [0u8; HOST_SEMID_DS_SIZE];
            let r = syscall_args(libc::SYS_semctl, &[id, num, cmd, host.as_mut_ptr() as u64])?;
            guest_mem::write_bytes(mm, arg, &semid_ds_to_guest(&host))?;
            Ok(r)
        }
        IPC_SET => {
            let guest = guest_mem::read_bytes(mm, arg, GUEST_SEMID_DS_SIZE)?;
            let host = semid_ds_to_host(&guest);
            syscall_args(libc::SYS_semctl, &[id, num, cmd, host.as_ptr() as u64])
        }
        // Values, arrays of unsigned short, struct seminfo: the same on both.
        _ => syscall_args(libc::SYS_semctl, &[id, num, cmd, arg]),
    }
}

/// Size of the segment `id` (from IPC_STAT's `shm_segsz`).
fn segment_size(id: u64) -> Result<u64, Errno> {
    // SAFETY: all-zero is a valid shmid_ds for the kernel to fill.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    syscall_args(libc::SYS_shmctl, &[id, libc::IPC_STAT as u64, &mut ds as *mut _ as u64])?;
    Ok(ds.shm_segsz as u64)
}

/// `shmat(id, addr, flags)`: placed in the guest's mmap region unless the
/// guest names an address, which must not hold Kestrel's memory.
pub fn shmat(mm: &mut AddressSpace, id: u64, addr: u64, flags: u64) -> SysResult {
    let size = page_up(segment_size(id)?).ok_or(Errno::EINVAL)?;
    let mut addr = if flags & SHM_RND != 0 { addr & !(SHMLBA - 1) } else { addr };
    let mut host_flags = flags & (SHM_RDONLY | SHM_EXEC | SHM_REMAP);
    if addr == 0 {
        // The free range is still covered by the region's reservation, so
        // the attach must replace that.
        if let Some(free) = mm.find_free(size) {
            addr = free;
            host_flags |= SHM_REMAP;
        }
    } else {
        if !addr.is_multiple_of(SHMLBA) {
            return Err(Errno::EINVAL);
        }
        let end = addr.checked_add(size).ok_or(Errno::EINVAL)?;
        if !mm.foreign_gaps(addr, end).is_empty() {
            // Part of the range is neither the guest's nor reserved for it:
            // only an attach into free host space may go there.
            if host_flags & SHM_REMAP != 0 || !mm.overlapping(addr, end).is_empty() {
                return Err(Errno::EINVAL);
            }
        } else if mm.overlapping(addr, end).is_empty() {
            host_flags |= SHM_REMAP; // only the reservation is there
        } else if host_flags & SHM_REMAP == 0 {
            return Err(Errno::EINVAL); // guest memory there, and no SHM_REMAP
        }
    }
    let start = syscall_args(libc::SYS_shmat, &[id, addr, host_flags])?;
    let mut prot = libc::PROT_READ;
    if flags & SHM_RDONLY == 0 {
        prot |= libc::PROT_WRITE;
    }
    if flags & SHM_EXEC != 0 {
        prot |= libc::PROT_EXEC;
    }
    kestrel::jit::invalidate_range(start, size);
    let name = format!("/SYSV{:08x}", shm_key(id).unwrap_or(0));
    mm.insert(start, start + size, prot, libc::MAP_SHARED, MappingKind::File(name));
    Ok(start)
}

/// The key a segment was created with, for its name in /proc/self/maps.
fn shm_key(id: u64) -> Option<u32> {
    // SAFETY: all-zero is a valid shmid_ds for the kernel to fill.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    syscall_args(libc::SYS_shmctl, &[id, libc::IPC_STAT as u64, &mut ds as *mut _ as u64]).ok()?;
    Some(ds.shm_perm.__key as u32)
}

/// `shmdt(addr)`: the mapping that starts at `addr` goes; inside the guest's
/// reservations the hole is reserved again.
pub fn shmdt(mm: &mut AddressSpace, addr: u64) -> SysResult {
    let end = match mm.find(addr) {
        Some(m) if m.start == addr && matches!(&m.kind, MappingKind::File(n) if n.starts_with("/SYSV")) => m.end,
        _ => return Err(Errno::EINVAL),
    };
    syscall_args(libc::SYS_shmdt, &[addr])?;
    kestrel::jit::invalidate_range(addr, end - addr);
    mm.remove(addr, end);
    for (s, e, reserved) in mm.split_by_reservation(addr, end) {
        if reserved {
            let _ = host_mem::rereserve(s, e - s);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semid_ds_layouts() {
        let mut host = [0u8; HOST_SEMID_DS_SIZE];
        host[0] = 0x55; // perm.key
        host[48] = 1; // otime
        host[56] = 0xee; // padding
        host[64] = 2; // ctime
        host[80] = 4; // nsems
        let guest = semid_ds_to_guest(&host);
        assert_eq!((guest[0], guest[48], guest[56], guest[64]), (0x55, 1, 2, 4));
        let back = semid_ds_to_host(&guest);
        assert_eq!((back[48], back[56], back[64], back[80]), (1, 0, 2, 4));
    }
}
