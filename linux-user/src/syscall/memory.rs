//! Memory-management system calls: argument decoding in front of `mmap.rs`
//! and `brk.rs`, which keep the guest address-space tracker up to date.

use super::host::SysResult;
use crate::process::Process;
use crate::{brk, mmap};

/// `mmap(addr, len, prot, flags, fd, offset)`.
pub fn mmap(proc: &mut Process, a: [u64; 6]) -> SysResult {
    mmap::guest_mmap(&mut proc.mm, a[0], a[1], a[2] as i32, a[3] as i32, a[4] as i32, a[5])
}

/// `munmap(addr, len)`.
pub fn munmap(proc: &mut Process, addr: u64, len: u64) -> SysResult {
    mmap::guest_munmap(&mut proc.mm, addr, len)
}

/// `mprotect(addr, len, prot)`.
pub fn mprotect(proc: &mut Process, addr: u64, len: u64, prot: u64) -> SysResult {
    mmap::guest_mprotect(&mut proc.mm, addr, len, prot as i32)
}

/// `mremap(old, old_len, new_len, flags, new_addr)`.
pub fn mremap(proc: &mut Process, a: [u64; 6]) -> SysResult {
    mmap::guest_mremap(&mut proc.mm, a[0], a[1], a[2], a[3] as i32, a[4])
}

/// `madvise(addr, len, advice)`.
pub fn madvise(proc: &mut Process, addr: u64, len: u64, advice: u64) -> SysResult {
    mmap::guest_madvise(&proc.mm, addr, len, advice as i32)
}

/// `brk(addr)`: never fails; returns the (possibly unchanged) break.
pub fn brk(proc: &mut Process, addr: u64) -> SysResult {
    Ok(brk::guest_brk(&mut proc.mm, addr))
}
