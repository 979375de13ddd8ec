//! System calls that run without the process lock.
//!
//! A guest thread holds the process lock (see `threads.rs`) only while it
//! reads or changes Kestrel's own state, never while the host kernel may make
//! it wait: a thread blocked in `epoll_wait`, `futex`, `read` or `sigsuspend`
//! while holding it would stop every other thread at its next system call
//! (Node.js, Erlang and Go all wait like this in one thread while the others
//! run). So:
//!
//! - calls in the pass-through table go to the host with no lock at all;
//! - calls that need Kestrel state *and* may block (`epoll_pwait`,
//!   `epoll_pwait2`, `rt_sigsuspend`, `openat`) take the lock to check or
//!   prepare, release it for the wait, and take it again to finish;
//! - `fcntl` (F_SETLKW waits for a record lock), `close` (SO_LINGER) and the
//!   ioctls Kestrel passes on (TCSETSW drains a terminal) touch no Kestrel
//!   state.
//!
//! Everything else runs under the lock in [`super::handle`].

use super::host::{self, SysResult};
use super::{abi, numbers as n, passthrough, strace};
use crate::guest_mem;
use crate::logging;
use crate::mm::Access;
use crate::signals;
use crate::threads::{Shared, ThreadState};
use kestrel::guest::aarch64::cpu::CpuState;
use nix::errno::Errno;

/// A call's implementation: the shared process (to lock briefly), the
/// calling thread's state, the guest call number and its arguments.
type Handler = fn(&Shared, &mut ThreadState, u64, [u64; 6]) -> SysResult;

/// The unlocked implementation of guest call `nr`, if it has one.
fn handler(nr: u64) -> Option<Handler> {
    Some(match nr {
        n::EPOLL_PWAIT | n::EPOLL_PWAIT2 => epoll_wait,
        n::RT_SIGSUSPEND => rt_sigsuspend,
        n::OPENAT => openat,
        // close may wait (SO_LINGER, network filesystems); never restarted.
        n::CLOSE => |_, _, _, a| super::fs::close(a[0]),
        n::IOCTL => |s, me, _, a| match super::fs::ioctl_known(a[0], a[1], a[2]) {
            Some(result) => result,
            None => super::fs::ioctl_unsupported(&mut s.lock(me), a[0], a[1]),
        },
        n::OPENAT2 => |s, me, _, a| super::fs::openat2(&s.lock(me), a[0], a[1], a[2], a[3])?.finish(),
        // F_SETLKW waits; no command touches Kestrel's state.
        n::FCNTL => |_, _, _, a| super::fs::fcntl(a[0], a[1], a[2]),
        _ if passthrough::host_number(nr).is_some() => pass_through,
        _ => return None,
    })
}

/// Runs the guest's system call without holding the lock across the host
/// call, if it is one of those described above. Returns false (and does
/// nothing) for every other call.
pub fn try_handle(shared: &Shared, me: &mut ThreadState, cpu: &mut CpuState) -> bool {
    let nr = cpu.x[8];
    let Some(run) = handler(nr) else { return false };
    let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
    let trace = logging::items().strace.then(|| {
        let locked = shared.lock(me);
        strace::begin(&locked.mm, nr, &args)
    });
    let result = run(shared, me, nr, args);
    if result == Err(host::NOT_STARTED) {
        // A signal came first: the handler runs, then this SVC again.
        cpu.pc -= 4;
        return true;
    }
    if let Some(call) = trace {
        strace::finish(nr, call, &result);
    }
    if result == Err(Errno::EINTR) {
        let mut locked = shared.lock(me);
        if let Some(mask) = temporary_mask(&locked.mm, nr, &args) {
            // The call ran with its own mask, which let the signal in; the
            // handler runs under it too, and the old mask comes back with
            // its sigreturn (as after rt_sigsuspend).
            locked.signals.saved_mask = Some(locked.signals.mask);
            locked.signals.mask = mask & !signals::unblockable();
        }
        if super::restart_after_handler(&locked, nr) {
            // As in `super::handle`: the handler runs, then the SVC again.
            cpu.pc -= 4;
            return true;
        }
    }
    cpu.x[0] = host::encode(result);
    true
}

/// The signal mask a call installs while it waits (`ppoll`, `pselect6`,
/// `epoll_pwait`, `epoll_pwait2`), if it was given one.
fn temporary_mask(mm: &crate::mm::AddressSpace, nr: u64, a: &[u64; 6]) -> Option<u64> {
    let set = match nr {
        n::PPOLL => a[3],
        n::EPOLL_PWAIT | n::EPOLL_PWAIT2 => a[4],
        // pselect6's sixth argument points at { const sigset_t *ss; size_t len }.
        n::PSELECT6 if a[5] != 0 => guest_mem::read_u64(mm, a[5]).ok()?,
        _ => return None,
    };
    (set != 0).then(|| guest_mem::read_u64(mm, set).ok()).flatten()
}

/// A call from the pass-through table: only the number changes.
fn pass_through(_: &Shared, _: &mut ThreadState, nr: u64, a: [u64; 6]) -> SysResult {
    match passthrough::host_number(nr) {
        Some(host_nr) => host::syscall_interruptible(host_nr, a),
        None => Err(Errno::ENOSYS),
    }
}

/// `openat(dirfd, path, flags, mode)`: decided under the lock, opened
/// without it (a FIFO's open waits for the other end).
fn openat(shared: &Shared, me: &mut ThreadState, _: u64, a: [u64; 6]) -> SysResult {
    let open = super::fs::OpenAt::prepare(&shared.lock(me), a[0], a[1], a[2], a[3])?;
    open.finish()
}

/// Most events one call returns: Linux allows `INT_MAX / sizeof(event)`, but
/// each needs a host-side slot; a program asking for more gets this many,
/// which `epoll_wait` permits (it may always return fewer than asked).
const MAX_EPOLL_BATCH: usize = 1 << 20;

/// `epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize)` and
/// `epoll_pwait2(epfd, events, maxevents, timeout_ts, sigmask, sigsetsize)`:
/// the host fills its packed 12-byte events, which become AArch64's 16-byte
/// ones. The timespec and the 8-byte sigset are the same on both.
fn epoll_wait(shared: &Shared, me: &mut ThreadState, nr: u64, a: [u64; 6]) -> SysResult {
    let max = a[2] as i32;
    if max <= 0 || max as usize > (i32::MAX as usize / abi::GUEST_EPOLL_EVENT_SIZE) {
        return Err(Errno::EINVAL);
    }
    let batch = (max as usize).min(MAX_EPOLL_BATCH);
    let guest_len = (batch * abi::GUEST_EPOLL_EVENT_SIZE) as u64;
    // Linux checks the buffer before it waits, so a bad one fails at once.
    if !shared.lock(me).mm.check(a[1], guest_len, Access::Write) {
        return Err(Errno::EFAULT);
    }
    let host_nr = if nr == n::EPOLL_PWAIT { libc::SYS_epoll_pwait } else { libc::SYS_epoll_pwait2 };
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; batch];
    let ready = host::syscall_interruptible(
        host_nr,
        [a[0], events.as_mut_ptr() as u64, batch as u64, a[3], a[4], a[5]],
    )?;
    let mut out = Vec::with_capacity(ready as usize * abi::GUEST_EPOLL_EVENT_SIZE);
    for e in &events[..ready as usize] {
        out.extend_from_slice(&abi::epoll_event_to_guest(e));
    }
    guest_mem::write_bytes(&shared.lock(me).mm, a[1], &out)?;
    Ok(ready)
}

/// `rt_sigsuspend(mask, sigsetsize)`: waits on the host with the guest's
/// temporary mask and returns EINTR once a signal for a guest handler has
/// arrived, as Linux does. The handler runs with the temporary mask; its frame
/// saves the old one, which sigreturn (or the execution loop, if nothing was
/// delivered) restores.
fn rt_sigsuspend(shared: &Shared, me: &mut ThreadState, _: u64, a: [u64; 6]) -> SysResult {
    if a[1] != 8 {
        return Err(Errno::EINVAL);
    }
    let temporary = guest_mem::read_u64(&shared.lock(me).mm, a[0])? & !signals::unblockable();
    signals::suspend_until_pending(temporary);
    let mut locked = shared.lock(me);
    locked.signals.saved_mask = Some(locked.signals.mask);
    locked.signals.mask = temporary;
    Err(Errno::EINTR)
}
