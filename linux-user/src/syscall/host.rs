//! Making host system calls on the guest's behalf.

use nix::errno::Errno;

/// A system call result: the value for x0, or an errno that becomes `-errno`.
pub type SysResult = Result<u64, Errno>;

/// Calls host system call `nr` with up to six raw arguments.
///
/// Pointer arguments are guest addresses, which are host addresses; the host
/// kernel validates them and reports `EFAULT` itself. (As with qemu-user, a
/// guest can still name Kestrel's own memory: user mode is not a sandbox.)
pub fn syscall(nr: libc::c_long, a: [u64; 6]) -> SysResult {
    // SAFETY: a raw system call; callers only use this for calls whose pointer
    // arguments the kernel checks and whose effects are confined to what the
    // guest asked for (see each caller).
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r == -1 {
        Err(Errno::last())
    } else {
        Ok(r as u64)
    }
}

/// Marks a call that a signal stopped before it started: the execution loop
/// runs the handler and then the same SVC again. It never reaches the guest
/// (Linux returns ERESTART to no one either).
pub const NOT_STARTED: Errno = Errno::ERESTART;

/// `syscall` for calls that may block: a signal for a guest handler that
/// arrives before the thread enters the kernel makes it return
/// [`NOT_STARTED`] without running (see `safe_syscall`), so the handler runs
/// without waiting for the call.
pub fn syscall_interruptible(nr: libc::c_long, a: [u64; 6]) -> SysResult {
    let r = crate::signals::with_interrupt_flag(|flag| crate::safe_syscall::call(flag, nr, a));
    if r == crate::safe_syscall::NOT_STARTED {
        return Err(NOT_STARTED);
    }
    if (-4095..0).contains(&r) {
        Err(Errno::from_raw(-r as i32))
    } else {
        Ok(r as u64)
    }
}

/// `syscall` with fewer arguments, zero-filled.
pub fn syscall_args(nr: libc::c_long, args: &[u64]) -> SysResult {
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    syscall(nr, a)
}

/// Encodes a result for x0.
pub fn encode(result: SysResult) -> u64 {
    match result {
        Ok(v) => v,
        Err(e) => (-(e as i64)) as u64,
    }
}
