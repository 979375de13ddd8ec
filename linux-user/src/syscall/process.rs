//! Process lifetime and identity: exit, fork-style clone, thread-id pointers,
//! uname, prctl, personality and resource limits.

use super::clone_args::{CloneRequest, CLONE_CLEAR_SIGHAND, CLONE_PIDFD};
use super::host::{syscall_args, SysResult};
use crate::guest_mem;
use crate::logging;
use crate::process::Process;
use kestrel::guest::aarch64::cpu::CpuState;
use nix::errno::Errno;

const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_PTRACE: u64 = 0x2000;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_DETACHED: u64 = 0x400000;
const CLONE_UNTRACED: u64 = 0x800000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// Flags a fork-style clone can honour.
const FORK_FLAGS: u64 = CLONE_VM
    | CLONE_VFORK
    | CLONE_PTRACE
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_DETACHED
    | CLONE_UNTRACED
    | CLONE_CHILD_SETTID
    | CLONE_PIDFD
    | CLONE_CLEAR_SIGHAND;

/// Ends the process with the guest's status (`exit` and `exit_group`: a
/// single-threaded guest has no difference between them).
pub fn exit_process(status: u64) -> ! {
    crate::gdb::process_exiting(gettid() as u32, (status & 0xff) as u8);
    crate::code_cache::save();
    if crate::logging::items().stats {
        crate::logging::stats_line(&kestrel::jit::stats::Totals::current().to_string());
    }
    std::process::exit((status & 0xff) as i32)
}

fn gettid() -> u64 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as u64 }
}

/// `clone(flags, newsp, parent_tid, tls, child_tid)` — AArch64's argument
/// order (tls before child_tid), unlike x86-64's — for a new process; threads
/// are made by the execution loop (`runner::spawn_thread`).
pub fn clone(proc: &mut Process, cpu: &mut CpuState, a: [u64; 6]) -> SysResult {
    clone_process(proc, cpu, &CloneRequest::from_clone(a))
}

/// `clone3(args, size)` for a new process.
pub fn clone3(proc: &mut Process, cpu: &mut CpuState, a: [u64; 6]) -> SysResult {
    let req = CloneRequest::from_clone3(&proc.mm, a[0], a[1])?;
    clone_process(proc, cpu, &req)
}

/// `fork`, `vfork` and `posix_spawn`-style clones become a host fork.
/// `CLONE_VM` with `CLONE_VFORK` is a vfork; the child gets a copy of memory
/// instead of sharing it, and the parent waits until the child execs or exits
/// as vfork promises.
pub fn clone_process(proc: &mut Process, cpu: &mut CpuState, req: &CloneRequest) -> SysResult {
    let flags = req.flags;
    let (newsp, ptid, tls, ctid) = (req.stack_pointer, req.parent_tid, req.tls, req.child_tid);
    let is_thread = flags & (CLONE_THREAD | CLONE_SIGHAND) != 0
        || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0);
    if is_thread || flags & (CLONE_FS | CLONE_FILES) != 0 && flags & CLONE_VFORK == 0 {
        if proc.reported_unimplemented.insert(2 << 32) {
            logging::unimp(&format!(
                "kestrel: clone flags {flags:#x}: sharing files or fs state without memory is not supported"
            ));
        }
        return Err(Errno::EINVAL);
    }
    if flags & !FORK_FLAGS & !(CLONE_FS | CLONE_FILES) != 0 {
        logging::unimp(&format!("kestrel: clone flags {flags:#x} not supported"));
        return Err(Errno::EINVAL);
    }
    let vfork_pipe = if flags & CLONE_VFORK != 0 { Some(cloexec_pipe()?) } else { None };
    let exit_signal = req.exit_signal;
    // Other guest threads may be translating code right now: hold the code
    // cache's locks across the fork so the child gets them free.
    let debugger_lock = crate::gdb::lock_for_fork();
    let cache_locks = kestrel::jit::cache::lock_for_fork();
    let persist_locks = kestrel::jit::persist::lock_for_fork();
    let pid = if exit_signal == libc::SIGCHLD as u64 {
        // SAFETY: the forking thread holds the process lock, so the child
        // gets a consistent copy of the guest state; glibc's fork resets its
        // own state. Guest threads are created by the execution loop, never
        // here (see `runner::spawn_thread`).
        unsafe { libc::fork() }
    } else {
        // SAFETY: a fork-like clone (no shared VM, no new stack) with a
        // different exit signal, which libc's fork cannot express.
        unsafe { libc::syscall(libc::SYS_clone, exit_signal, 0, 0, 0, 0) as libc::pid_t }
    };
    drop(persist_locks);
    cache_locks.release(pid == 0);
    if pid == 0 {
        debugger_lock.detach_child();
        kestrel::jit::persist::forget_fresh_after_fork();
    } else {
        drop(debugger_lock);
    }
    if pid < 0 {
        let errno = Errno::last();
        if let Some((r, w)) = vfork_pipe {
            close_fd(r);
            close_fd(w);
        }
        return Err(errno);
    }
    if pid == 0 {
        // Only the forking thread exists in the child.
        crate::threads::reset_after_fork();
        if let Some(inherited) = proc.vfork_release_fd.take() {
            close_fd(inherited);
        }
        if let Some((r, w)) = vfork_pipe {
            // The write end stays open until exec (close-on-exec) or exit.
            close_fd(r);
            proc.vfork_release_fd = Some(w);
        }
        if newsp != 0 {
            cpu.x[31] = newsp;
        }
        if flags & CLONE_SETTLS != 0 {
            cpu.tpidr_el0 = tls;
        }
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = guest_mem::write_u32(&proc.mm, ctid, gettid() as u32);
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            proc.clear_child_tid = ctid;
        }
        if flags & CLONE_CLEAR_SIGHAND != 0 {
            for sig in 1..=crate::signals::NSIG {
                let action = &mut proc.signals.actions[sig - 1];
                if action.handler > crate::signals::SIG_IGN {
                    *action = crate::signals::GuestSigaction::default();
                    crate::signals::apply_host_disposition(sig, action);
                }
            }
        }
        return Ok(0);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = guest_mem::write_u32(&proc.mm, ptid, pid as u32);
    }
    if let Some((r, w)) = vfork_pipe {
        close_fd(w);
        proc.vfork_wait = Some(r);
    }
    if flags & CLONE_PIDFD != 0 {
        // Made after the fork; another thread's wait(-1) could reap the
        // child first (then the guest gets -1, as for a failed pidfd_open).
        let fd = syscall_args(libc::SYS_pidfd_open, &[pid as u64, 0]).map_or(-1, |fd| fd as i32);
        if fd >= 0 {
            // SAFETY: the pidfd is ours until it reaches the guest.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        let _ = guest_mem::write_u32(&proc.mm, req.pidfd, fd as u32);
    }
    Ok(pid as u64)
}

/// A close-on-exec pipe moved out of the guest's descriptor range.
fn cloexec_pipe() -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Errno::last());
    }
    Ok((logging::move_to_internal_range(fds[0]), logging::move_to_internal_range(fds[1])))
}

fn close_fd(fd: i32) {
    // SAFETY: closing a descriptor this module created.
    unsafe { libc::close(fd) };
}

/// The vfork parent's wait, outside the process lock: returns when the
/// child has exec'd or exited (every writer of the pipe is gone).
pub fn wait_for_vfork_child(fd: i32) {
    wait_for_eof(fd);
    close_fd(fd);
}

/// Blocks until every writer of the pipe is gone.
fn wait_for_eof(fd: i32) {
    let mut buf = [0u8; 16];
    loop {
        // SAFETY: reading into a local buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n == 0 || (n < 0 && Errno::last() != Errno::EINTR) {
            return;
        }
    }
}

/// `set_tid_address(ptr)`.
pub fn set_tid_address(proc: &mut Process, ptr: u64) -> SysResult {
    proc.clear_child_tid = ptr;
    Ok(gettid())
}

/// Size of `struct robust_list_head` on 64-bit targets.
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

/// `set_robust_list(head, len)`: recorded for `get_robust_list`, and handed to
/// the host kernel, which walks the list when this (host) thread ends — the
/// list, its entries and the futex words are guest memory at the same
/// addresses, with the 64-bit layout both architectures share — so the
/// guest's robust mutexes held by a dying thread are marked `OWNER_DIED` as on
/// Linux. (Kestrel's own code uses no robust mutexes.)
pub fn set_robust_list(proc: &mut Process, head: u64, len: u64) -> SysResult {
    if len != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    syscall_args(libc::SYS_set_robust_list, &[head, len])?;
    proc.robust_list = (head, len);
    Ok(0)
}

/// `get_robust_list(pid, head_ptr, len_ptr)`.
pub fn get_robust_list(proc: &Process, pid: u64, head_ptr: u64, len_ptr: u64) -> SysResult {
    if pid as i32 != 0 && pid != gettid() {
        return Err(Errno::EPERM);
    }
    guest_mem::write_u64(&proc.mm, head_ptr, proc.robust_list.0)?;
    guest_mem::write_u64(&proc.mm, len_ptr, ROBUST_LIST_HEAD_SIZE)?;
    Ok(0)
}

/// `uname(buf)`: the host's, with the machine changed to aarch64.
pub fn uname(proc: &Process, buf: u64) -> SysResult {
    // SAFETY: all-zero is a valid utsname, which uname fills.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname writes into the struct we pass.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Err(Errno::last());
    }
    let set = |field: &mut [libc::c_char; 65], value: &str| {
        field.fill(0);
        for (dst, &src) in field.iter_mut().zip(value.as_bytes().iter().take(64)) {
            *dst = src as libc::c_char;
        }
    };
    set(&mut u.machine, "aarch64");
    if let Some(release) = &proc.settings.uname_release {
        set(&mut u.release, release);
    }
    // SAFETY: utsname is plain bytes (six char arrays, 390 bytes).
    let bytes = unsafe {
        std::slice::from_raw_parts(
            &u as *const libc::utsname as *const u8,
            std::mem::size_of::<libc::utsname>(),
        )
    };
    guest_mem::write_bytes(&proc.mm, buf, bytes)?;
    Ok(0)
}

/// `prctl(option, ...)`: the process-attribute options that are the same on
/// both architectures, and PR_PAC_RESET_KEYS; the other AArch64-specific
/// ones (SVE, enabling keys, tagged addresses) report EINVAL as on a CPU
/// without those features.
pub fn prctl(a: [u64; 6]) -> SysResult {
    const PR_PAC_RESET_KEYS: u64 = 54;
    if a[0] == PR_PAC_RESET_KEYS {
        // arg2: the keys to replace (IA, IB, DA, DB, GA bits; 0 = all).
        if a[1] & !0x1f != 0 || a[2..5].iter().any(|&x| x != 0) {
            return Err(Errno::EINVAL);
        }
        kestrel::guest::aarch64::pac_insns::reset_keys(a[1], crate::startup::random_u64);
        return Ok(0);
    }
    const PASSED: &[u64] = &[
        1,  // PR_SET_PDEATHSIG
        2,  // PR_GET_PDEATHSIG
        3,  // PR_GET_DUMPABLE
        4,  // PR_SET_DUMPABLE
        7,  // PR_GET_KEEPCAPS
        8,  // PR_SET_KEEPCAPS
        15, // PR_SET_NAME
        16, // PR_GET_NAME
        23, // PR_CAPBSET_READ
        29, // PR_SET_TIMERSLACK
        30, // PR_GET_TIMERSLACK
        36, // PR_SET_CHILD_SUBREAPER
        37, // PR_GET_CHILD_SUBREAPER
        38, // PR_SET_NO_NEW_PRIVS
        39, // PR_GET_NO_NEW_PRIVS
    ];
    if PASSED.contains(&a[0]) {
        syscall_args(libc::SYS_prctl, &a[..5])
    } else {
        Err(Errno::EINVAL)
    }
}

/// `personality(persona)`: remembered, never applied to the host.
pub fn personality(proc: &mut Process, persona: u64) -> SysResult {
    let old = proc.personality;
    if persona as u32 != 0xffff_ffff {
        proc.personality = persona & 0xffff_ffff;
    }
    Ok(old)
}

/// Limits that would constrain the emulator rather than the guest: Kestrel's
/// own code cache and heap live in the same process, so these are accepted but
/// not applied (as qemu-user does).
fn limit_is_ignored(resource: u64) -> bool {
    matches!(resource as u32, libc::RLIMIT_AS | libc::RLIMIT_DATA | libc::RLIMIT_STACK)
}

/// `prlimit64(pid, resource, new, old)`.
pub fn prlimit64(a: [u64; 6]) -> SysResult {
    let (pid, resource, new, old) = (a[0], a[1], a[2], a[3]);
    let own = pid as i32 == 0 || pid as i32 == std::process::id() as i32;
    if new != 0 && own && limit_is_ignored(resource) {
        return syscall_args(libc::SYS_prlimit64, &[pid, resource, 0, old]);
    }
    syscall_args(libc::SYS_prlimit64, &[pid, resource, new, old])
}

/// `getrlimit(resource, rlim)`.
pub fn getrlimit(resource: u64, rlim: u64) -> SysResult {
    syscall_args(libc::SYS_getrlimit, &[resource, rlim])
}

/// `setrlimit(resource, rlim)`.
pub fn setrlimit(resource: u64, rlim: u64) -> SysResult {
    if limit_is_ignored(resource) {
        return Ok(0);
    }
    syscall_args(libc::SYS_setrlimit, &[resource, rlim])
}
