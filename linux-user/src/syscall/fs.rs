//! File system calls that need more than a pass-through: flag and struct
//! translation, the sysroot (`-L`) view of absolute paths, the guest's own
//! files under `/proc` (`crate::proc`), and keeping the guest away from
//! Kestrel's own descriptors.

use super::abi;
use super::host::{syscall_args, SysResult};
use crate::guest_mem;
use crate::logging;
use crate::process::Process;
use nix::errno::Errno;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

/// A path argument: either the guest's pointer as it is, or a replacement.
pub enum PathArg {
    /// Pass the guest pointer through.
    Guest(u64),
    /// Use this host path instead.
    Host(CString),
}

impl PathArg {
    /// The pointer to hand to the host kernel.
    pub fn ptr(&self) -> u64 {
        match self {
            PathArg::Guest(p) => *p,
            PathArg::Host(c) => c.as_ptr() as u64,
        }
    }
}

/// True for the paths that name the running executable.
pub fn is_proc_self_exe(path: &[u8]) -> bool {
    crate::proc::classify(path) == Some(crate::proc::ProcFile::Exe)
}

/// Decides which path the host should see for a guest path pointer.
pub fn path_arg(proc: &Process, ptr: u64) -> Result<PathArg, Errno> {
    let path = guest_mem::read_path(&proc.mm, ptr)?;
    if is_proc_self_exe(&path) {
        return Ok(PathArg::Host(to_cstring(proc.exe_path.as_os_str().as_bytes())?));
    }
    if let Some(host) = proc.settings.host_path(&path) {
        return Ok(PathArg::Host(to_cstring(host.as_os_str().as_bytes())?));
    }
    Ok(PathArg::Guest(ptr))
}

fn to_cstring(bytes: &[u8]) -> Result<CString, Errno> {
    CString::new(bytes).map_err(|_| Errno::EINVAL)
}

/// An `openat` decided under the process lock, to be finished without it
/// (opening a FIFO or a device may wait for a long time).
pub enum OpenAt {
    /// Kestrel answered it (the guest's own `/proc` files).
    Served(SysResult),
    /// The host call to make: `openat(dirfd, path, flags, mode)`.
    Host { dirfd: u64, path: PathArg, flags: u64, mode: u64 },
    /// Or `openat2(dirfd, path, &how, 24)`: flags, mode and resolve, the
    /// flags already the host's.
    HostHow { dirfd: u64, path: PathArg, how: [u64; 3] },
}

impl OpenAt {
    /// Decides `openat(dirfd, path, flags, mode)`: flags to the host's
    /// values, the path through `-L` and the guest's `/proc` view.
    pub fn prepare(proc: &Process, dirfd: u64, path: u64, flags: u64, mode: u64) -> Result<OpenAt, Errno> {
        let host_flags = abi::open_flags_to_host(flags as i32);
        if let Some(served) = crate::proc::open(proc, &guest_mem::read_path(&proc.mm, path)?, host_flags) {
            return Ok(OpenAt::Served(served));
        }
        let path = path_arg(proc, path)?;
        Ok(OpenAt::Host { dirfd, path, flags: host_flags as u32 as u64, mode })
    }

    /// Carries it out (a signal for a guest handler interrupts the wait).
    pub fn finish(self) -> SysResult {
        match self {
            OpenAt::Served(result) => result,
            OpenAt::Host { dirfd, path, flags, mode } => {
                super::host::syscall_interruptible(libc::SYS_openat, [dirfd, path.ptr(), flags, mode, 0, 0])
            }
            OpenAt::HostHow { dirfd, path, how } => super::host::syscall_interruptible(
                libc::SYS_openat2,
                [dirfd, path.ptr(), how.as_ptr() as u64, OPEN_HOW_SIZE, 0, 0],
            ),
        }
    }
}

/// Size of `struct open_how` (flags, mode, resolve: three u64, the same on
/// both architectures) as of Linux 5.6; larger structs must be zero beyond it.
const OPEN_HOW_SIZE: u64 = 24;
/// Largest `open_how` Kestrel reads (the kernel allows up to a page).
const OPEN_HOW_MAX: u64 = 4096;

/// `openat2(dirfd, path, how, size)`: the open flags in `how` move to their
/// x86-64 positions, `mode` and the `RESOLVE_*` bits pass on unchanged. The
/// guest's own `/proc` files and `-L` lookups work as with `openat`, except
/// under `RESOLVE_BENEATH`/`RESOLVE_IN_ROOT`, where the path must stay
/// relative to `dirfd` as the guest wrote it.
pub fn openat2(proc: &Process, dirfd: u64, path: u64, how: u64, size: u64) -> Result<OpenAt, Errno> {
    if !(OPEN_HOW_SIZE..=OPEN_HOW_MAX).contains(&size) {
        return Err(if size < OPEN_HOW_SIZE { Errno::EINVAL } else { Errno::E2BIG });
    }
    let bytes = guest_mem::read_bytes(&proc.mm, how, size as usize)?;
    if bytes[OPEN_HOW_SIZE as usize..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    let word = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    let (flags, mode, resolve) = (word(0), word(1), word(2));
    if flags >> 32 != 0 {
        return Err(Errno::EINVAL);
    }
    let host_flags = abi::open_flags_to_host(flags as i32) as u32 as u64;
    /// `RESOLVE_BENEATH | RESOLVE_IN_ROOT`.
    const CONFINED: u64 = 0x08 | 0x10;
    let path = if resolve & CONFINED != 0 {
        PathArg::Guest(path)
    } else {
        let guest_path = guest_mem::read_path(&proc.mm, path)?;
        if let Some(served) = crate::proc::open(proc, &guest_path, host_flags as i32) {
            return Ok(OpenAt::Served(served));
        }
        path_arg(proc, path)?
    };
    Ok(OpenAt::HostHow { dirfd, path, how: [host_flags, mode, resolve] })
}

/// `close(fd)`: Kestrel's own descriptors look closed to the guest.
pub fn close(fd: u64) -> SysResult {
    if logging::is_internal_fd(fd as i32) {
        return Err(Errno::EBADF);
    }
    syscall_args(libc::SYS_close, &[fd])
}

/// `close_range(first, last, flags)`, skipping Kestrel's descriptors.
pub fn close_range(first: u64, last: u64, flags: u64) -> SysResult {
    let (first, last) = (first as u32, last as u32);
    if first > last {
        return Err(Errno::EINVAL);
    }
    let mut start = first;
    for fd in first..=last.min(first.saturating_add(65536)) {
        if logging::is_internal_fd(fd as i32) {
            if fd > start {
                syscall_args(libc::SYS_close_range, &[start as u64, fd as u64 - 1, flags])?;
            }
            start = fd + 1;
        }
    }
    if start <= last && start >= first {
        syscall_args(libc::SYS_close_range, &[start as u64, last as u64, flags])?;
    }
    Ok(0)
}

/// `dup(fd)`.
pub fn dup(fd: u64) -> SysResult {
    if logging::is_internal_fd(fd as i32) {
        return Err(Errno::EBADF);
    }
    syscall_args(libc::SYS_dup, &[fd])
}

/// `dup3(old, new, flags)`: moves Kestrel's descriptor out of the way first.
pub fn dup3(old: u64, new: u64, flags: u64) -> SysResult {
    if logging::is_internal_fd(old as i32) {
        return Err(Errno::EBADF);
    }
    logging::evacuate_fd(new as i32);
    syscall_args(libc::SYS_dup3, &[old, new, flags])
}

/// `fcntl(fd, cmd, arg)`: file status flags are translated.
pub fn fcntl(fd: u64, cmd: u64, arg: u64) -> SysResult {
    if logging::is_internal_fd(fd as i32) {
        return Err(Errno::EBADF);
    }
    match cmd as i32 {
        libc::F_GETFL => {
            let flags = syscall_args(libc::SYS_fcntl, &[fd, cmd])?;
            Ok(abi::open_flags_to_guest(flags as i32) as u32 as u64)
        }
        libc::F_SETFL => {
            let flags = abi::open_flags_to_host(arg as i32) as u32 as u64;
            syscall_args(libc::SYS_fcntl, &[fd, cmd, flags])
        }
        // Waiting for a record lock: interruptible by guest signals.
        libc::F_SETLKW | libc::F_OFD_SETLKW => super::host::syscall_interruptible(libc::SYS_fcntl, [fd, cmd, arg, 0, 0, 0]),
        // Every other command has the same number and argument layout.
        _ => syscall_args(libc::SYS_fcntl, &[fd, cmd, arg]),
    }
}

/// `pipe2(fds, flags)`.
pub fn pipe2(fds: u64, flags: u64) -> SysResult {
    let flags = abi::open_flags_to_host(flags as i32) as u32 as u64;
    syscall_args(libc::SYS_pipe2, &[fds, flags])
}

/// Writes a host `stat` result to the guest in the AArch64 layout.
fn put_stat(proc: &Process, buf: u64, st: &libc::stat) -> SysResult {
    guest_mem::write_bytes(&proc.mm, buf, &abi::stat_to_guest(st))?;
    Ok(0)
}

/// `newfstatat(dirfd, path, statbuf, flags)`.
pub fn newfstatat(proc: &Process, dirfd: u64, path: u64, buf: u64, flags: u64) -> SysResult {
    let guest_path = path;
    let path = path_arg(proc, path)?;
    // SAFETY: all-zero is a valid libc::stat.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let result = syscall_args(
        libc::SYS_newfstatat,
        &[dirfd, path.ptr(), &mut st as *mut libc::stat as u64, flags],
    );
    if result == Err(Errno::ENOENT) {
        // The guest's /proc files exist even where the host's /proc is absent.
        if let Some(synthetic) = crate::proc::synthetic_stat(&guest_mem::read_path(&proc.mm, guest_path)?) {
            st = synthetic;
        } else {
            result?;
        }
    } else {
        result?;
    }
    put_stat(proc, buf, &st)
}

/// `fstat(fd, statbuf)`.
pub fn fstat(proc: &Process, fd: u64, buf: u64) -> SysResult {
    // SAFETY: all-zero is a valid libc::stat.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    syscall_args(libc::SYS_fstat, &[fd, &mut st as *mut libc::stat as u64])?;
    put_stat(proc, buf, &st)
}

/// `statx(dirfd, path, flags, mask, buf)`: same struct on both; path mapped.
pub fn statx(proc: &Process, dirfd: u64, path: u64, flags: u64, mask: u64, buf: u64) -> SysResult {
    let path = path_arg(proc, path)?;
    syscall_args(libc::SYS_statx, &[dirfd, path.ptr(), flags, mask, buf])
}

/// `faccessat(dirfd, path, mode)` and `faccessat2(..., flags)`.
pub fn faccessat(proc: &Process, dirfd: u64, path: u64, mode: u64, flags: Option<u64>) -> SysResult {
    let guest_path = path;
    let path = path_arg(proc, path)?;
    let result = match flags {
        None => syscall_args(libc::SYS_faccessat, &[dirfd, path.ptr(), mode]),
        Some(f) => syscall_args(libc::SYS_faccessat2, &[dirfd, path.ptr(), mode, f]),
    };
    if result == Err(Errno::ENOENT) {
        let name = guest_mem::read_path(&proc.mm, guest_path)?;
        return crate::proc::synthetic_access(&name, mode).unwrap_or(result);
    }
    result
}

/// `readlinkat(dirfd, path, buf, size)`: `/proc/self/exe` names the guest
/// program, not Kestrel.
pub fn readlinkat(proc: &Process, dirfd: u64, path: u64, buf: u64, size: u64) -> SysResult {
    let name = guest_mem::read_path(&proc.mm, path)?;
    if is_proc_self_exe(&name) {
        if size as i32 <= 0 {
            return Err(Errno::EINVAL);
        }
        let exe = proc.exe_bytes();
        let n = exe.len().min(size as usize);
        guest_mem::write_bytes(&proc.mm, buf, &exe[..n])?;
        return Ok(n as u64);
    }
    let path = path_arg(proc, path)?;
    syscall_args(libc::SYS_readlinkat, &[dirfd, path.ptr(), buf, size])
}

/// Terminal and descriptor ioctls whose numbers and argument structures are
/// the same on AArch64 and x86-64 (asm-generic ioctls.h / termbits.h).
const SAME_LAYOUT_IOCTLS: &[u64] = &[
    0x5401,     // TCGETS
    0x5402,     // TCSETS
    0x5403,     // TCSETSW
    0x5404,     // TCSETSF
    0x5405,     // TCGETA
    0x5406,     // TCSETA
    0x5407,     // TCSETAW
    0x5408,     // TCSETAF
    0x5409,     // TCSBRK
    0x540A,     // TCXONC
    0x540B,     // TCFLSH
    0x540C,     // TIOCEXCL
    0x540D,     // TIOCNXCL
    0x540E,     // TIOCSCTTY
    0x540F,     // TIOCGPGRP
    0x5410,     // TIOCSPGRP
    0x5411,     // TIOCOUTQ
    0x5412,     // TIOCSTI
    0x5413,     // TIOCGWINSZ
    0x5414,     // TIOCSWINSZ
    0x5415,     // TIOCMGET
    0x5416,     // TIOCMBIS
    0x5417,     // TIOCMBIC
    0x5418,     // TIOCMSET
    0x541B,     // FIONREAD / TIOCINQ
    0x541D,     // TIOCCONS
    0x5421,     // FIONBIO
    0x5422,     // TIOCNOTTY
    0x5425,     // TCSBRKP
    0x5429,     // TIOCGSID
    0x5441,     // TIOCGPTPEER
    0x5450,     // FIONCLEX
    0x5451,     // FIOCLEX
    0x5452,     // FIOASYNC
    0x80045430, // TIOCGPTN
    0x40045431, // TIOCSPTLCK
    0x80045440, // TIOCGEXCL
    0x802C542A, // TCGETS2
    0x402C542B, // TCSETS2
    0x402C542C, // TCSETSW2
    0x402C542D, // TCSETSF2
    0x80081272, // BLKGETSIZE64
    0x80086601, // FS_IOC_GETFLAGS
    0x40086602, // FS_IOC_SETFLAGS
    0x40049409, // FICLONE
];

/// Socket and network-interface ioctls (`SIOC*`): `struct ifreq`, `ifconf`,
/// `rtentry` and `arpreq` have the same 64-bit layout on both architectures.
const SOCKET_IOCTLS: std::ops::RangeInclusive<u64> = 0x8901..=0x89ff;

/// `ioctl(fd, request, arg)`: only requests known to be layout-identical.
///
/// This part needs no process state, so it runs without the lock (some
/// requests wait: TCSETSW and TCSBRK drain a terminal's output); `None` for
/// a request Kestrel does not know, which [`ioctl_unsupported`] reports.
pub fn ioctl_known(fd: u64, request: u64, arg: u64) -> Option<SysResult> {
    let request = request & 0xffff_ffff;
    if logging::is_internal_fd(fd as i32) {
        return Some(Err(Errno::EBADF));
    }
    if SAME_LAYOUT_IOCTLS.contains(&request) || SOCKET_IOCTLS.contains(&request) {
        return Some(super::host::syscall_interruptible(libc::SYS_ioctl, [fd, request, arg, 0, 0, 0]));
    }
    None
}

/// An ioctl request Kestrel does not translate: ENOTTY, as for a file that
/// has no such request, reported once per request number like unknown
/// system calls.
pub fn ioctl_unsupported(proc: &mut Process, fd: u64, request: u64) -> SysResult {
    let request = request & 0xffff_ffff;
    if proc.reported_unimplemented.insert(1 << 32 | request) {
        logging::unimp(&format!("kestrel: unsupported ioctl {request:#x} on fd {}", fd as i32));
    }
    Err(Errno::ENOTTY)
}

/// `epoll_ctl(epfd, op, fd, event)`: the event struct is packed on x86-64.
pub fn epoll_ctl(proc: &Process, epfd: u64, op: u64, fd: u64, event: u64) -> SysResult {
    const EPOLL_CTL_DEL: u64 = 2;
    let mut host = if event == 0 && op == EPOLL_CTL_DEL {
        None
    } else {
        let bytes = guest_mem::read_bytes(&proc.mm, event, abi::GUEST_EPOLL_EVENT_SIZE)?;
        Some(abi::epoll_event_to_host(&bytes))
    };
    let ptr = host.as_mut().map_or(0, |h| h as *mut libc::epoll_event as u64);
    syscall_args(libc::SYS_epoll_ctl, &[epfd, op, fd, ptr])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_self_exe_paths() {
        assert!(is_proc_self_exe(b"/proc/self/exe"));
        assert!(is_proc_self_exe(format!("/proc/{}/exe", std::process::id()).as_bytes()));
        assert!(!is_proc_self_exe(b"/proc/1/exe"));
        assert!(!is_proc_self_exe(b"/proc/self/exe2"));
    }
}
