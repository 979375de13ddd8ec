//! Thin wrappers over the host's memory-mapping system calls.
//!
//! Guest pages are host pages, but Kestrel never executes them directly: the
//! translator reads guest instructions as data. So host mappings never get
//! `PROT_EXEC`; a guest's execute permission becomes host read permission
//! (which the translator needs to fetch instructions). This also keeps guest
//! memory W^X on the host and lets programs on `noexec` mounts run.

use nix::errno::Errno;

/// Host protection for a guest protection.
pub fn host_prot(guest_prot: i32) -> i32 {
    let mut prot = guest_prot & (libc::PROT_READ | libc::PROT_WRITE);
    if guest_prot & libc::PROT_EXEC != 0 {
        prot |= libc::PROT_READ;
    }
    prot
}

/// `mmap` with errno as the error; `prot` is already a host protection.
pub fn mmap(addr: u64, len: u64, prot: i32, flags: i32, fd: i32, offset: u64) -> Result<u64, Errno> {
    // SAFETY: mmap itself has no memory-safety preconditions; the callers decide
    // which ranges may be replaced (MAP_FIXED is only used on ranges the guest
    // or the loader owns, see `mmap.rs`).
    let r = unsafe {
        libc::mmap(addr as *mut libc::c_void, len as usize, prot, flags, fd, offset as libc::off_t)
    };
    if r == libc::MAP_FAILED {
        Err(Errno::last())
    } else {
        Ok(r as u64)
    }
}

/// `munmap`.
pub fn munmap(addr: u64, len: u64) -> Result<(), Errno> {
    // SAFETY: callers only unmap guest-owned ranges, which no Rust reference
    // points into.
    let r = unsafe { libc::munmap(addr as *mut libc::c_void, len as usize) };
    if r == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

/// `mprotect`; `prot` is already a host protection.
pub fn mprotect(addr: u64, len: u64, prot: i32) -> Result<(), Errno> {
    // SAFETY: callers only change guest-owned ranges.
    let r = unsafe { libc::mprotect(addr as *mut libc::c_void, len as usize, prot) };
    if r == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

const RESERVE_FLAGS: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;

/// Reserves `[addr, addr + len)` with an inaccessible mapping, failing with
/// `EEXIST` if anything is already mapped there. Kernels before 4.17 treat
/// `MAP_FIXED_NOREPLACE` as a hint, so the returned address is checked too.
pub fn reserve_at(addr: u64, len: u64) -> Result<(), Errno> {
    let got = mmap(addr, len, libc::PROT_NONE, RESERVE_FLAGS | libc::MAP_FIXED_NOREPLACE, -1, 0)?;
    if got != addr {
        let _ = munmap(got, len);
        return Err(Errno::EEXIST);
    }
    Ok(())
}

/// Reserves `len` bytes wherever the kernel finds room.
pub fn reserve_anywhere(len: u64) -> Result<u64, Errno> {
    mmap(0, len, libc::PROT_NONE, RESERVE_FLAGS, -1, 0)
}

/// Turns a range Kestrel already owns back into an inaccessible reservation
/// (used instead of `munmap` inside reserved regions so nothing else can move in).
pub fn rereserve(addr: u64, len: u64) -> Result<(), Errno> {
    mmap(addr, len, libc::PROT_NONE, RESERVE_FLAGS | libc::MAP_FIXED, -1, 0).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_becomes_read() {
        assert_eq!(host_prot(libc::PROT_EXEC), libc::PROT_READ);
        assert_eq!(host_prot(libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC), libc::PROT_READ | libc::PROT_WRITE);
        assert_eq!(host_prot(0), 0);
    }

    #[test]
    fn reserve_at_refuses_occupied_ranges() {
        let base = reserve_anywhere(3 * 4096).unwrap();
        assert_eq!(reserve_at(base + 4096, 4096), Err(Errno::EEXIST));
        munmap(base + 4096, 4096).unwrap();
        assert_eq!(reserve_at(base + 4096, 4096), Ok(()));
        munmap(base, 3 * 4096).unwrap();
    }
}
