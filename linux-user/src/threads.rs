//! Guest threads: one host thread per guest thread, each with its own
//! `CpuState` and execution engine.
//!
//! The process-wide state (`Process`: address space, signal handlers, settings)
//! is shared behind one mutex that a thread holds while it handles a system
//! call. The state Linux keeps per thread (blocked mask, alternate stack,
//! `clear_child_tid`, robust list) lives in each thread's [`ThreadState`] and
//! is swapped into the `Process` while that thread holds the lock, so the
//! system call code keeps seeing one `&mut Process`.
//!
//! System calls that can block (futex waits, reads from pipes and sockets,
//! sleeps, waits for children, epoll) never hold the lock, or one waiting
//! thread would stop all others: see `syscall::unlocked`.

use crate::process::Process;
use crate::signals::AltStack;
use kestrel::guest::aarch64::cpu::CpuState;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Linux per-thread state that the system call code reads through `Process`.
#[derive(Debug, Clone, Copy)]
pub struct ThreadState {
    /// Blocked signals.
    pub mask: u64,
    /// `sigaltstack` setting.
    pub altstack: AltStack,
    /// Mask to restore after a handler interrupting `rt_sigsuspend`.
    pub saved_mask: Option<u64>,
    /// `CLONE_CHILD_CLEARTID` / `set_tid_address` pointer.
    pub clear_child_tid: u64,
    /// `set_robust_list` head and length.
    pub robust_list: (u64, u64),
}

impl ThreadState {
    /// Takes the per-thread fields out of `proc` (at the end of a locked section).
    pub fn save_from(proc: &Process) -> ThreadState {
        ThreadState {
            mask: proc.signals.mask,
            altstack: proc.signals.altstack,
            saved_mask: proc.signals.saved_mask,
            clear_child_tid: proc.clear_child_tid,
            robust_list: proc.robust_list,
        }
    }

    /// Puts this thread's fields into `proc` (at the start of a locked section).
    pub fn load_into(&self, proc: &mut Process) {
        proc.signals.mask = self.mask;
        proc.signals.altstack = self.altstack;
        proc.signals.saved_mask = self.saved_mask;
        proc.clear_child_tid = self.clear_child_tid;
        proc.robust_list = self.robust_list;
    }
}

/// The shared process and the lock around it.
pub struct Shared {
    process: Mutex<Process>,
}

impl Shared {
    /// Wraps the process for sharing between guest threads.
    pub fn new(proc: Process) -> Shared {
        Shared { process: Mutex::new(proc) }
    }

    /// Runs `f` on the process under the lock, without any thread's state
    /// swapped in: for code that only reads process-wide state (the address
    /// space) and runs outside a system call.
    pub fn with_process<R>(&self, f: impl FnOnce(&Process) -> R) -> R {
        let guard = self.process.lock().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    /// Locks the process with this thread's per-thread state swapped in.
    pub fn lock<'a>(&'a self, me: &'a mut ThreadState) -> Locked<'a> {
        let mut guard = self.process.lock().unwrap_or_else(|e| e.into_inner());
        me.load_into(&mut guard);
        Locked { guard, me }
    }
}

/// The process, locked for one thread; restores the thread's state on drop.
pub struct Locked<'a> {
    guard: MutexGuard<'a, Process>,
    me: &'a mut ThreadState,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.guard
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        *self.me = ThreadState::save_from(&self.guard);
    }
}

/// The process shared by every guest thread, once the guest runs.
static SHARED: std::sync::OnceLock<&'static Shared> = std::sync::OnceLock::new();

/// Publishes the process for code that runs outside a thread's own loop.
pub fn publish(shared: &'static Shared) {
    let _ = SHARED.set(shared);
}

/// The published process, if the guest is running.
pub fn published() -> Option<&'static Shared> {
    SHARED.get().copied()
}

/// Live guest threads (the main thread included).
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(1);

/// Records a new thread.
pub fn thread_started() {
    LIVE_THREADS.fetch_add(1, Ordering::SeqCst);
}

/// Records a thread's end; returns the number still running.
pub fn thread_ended() -> usize {
    LIVE_THREADS.fetch_sub(1, Ordering::SeqCst) - 1
}

/// After `fork`, the child has only the thread that forked.
pub fn reset_after_fork() {
    LIVE_THREADS.store(1, Ordering::SeqCst);
}

/// Slots for the CPU states of running threads, so the host signal handler
/// (which may run on any thread) can ask every engine to return to its loop.
const MAX_CPUS: usize = 1024;
static CPUS: [AtomicPtr<CpuState>; MAX_CPUS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; MAX_CPUS];

/// Registers a thread's CPU state; returns its slot.
pub fn register_cpu(cpu: *mut CpuState) -> Option<usize> {
    for (i, slot) in CPUS.iter().enumerate() {
        if slot.compare_exchange(std::ptr::null_mut(), cpu, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            return Some(i);
        }
    }
    None
}

/// Frees a slot taken by [`register_cpu`].
pub fn unregister_cpu(slot: usize) {
    CPUS[slot].store(std::ptr::null_mut(), Ordering::SeqCst);
}

/// Asks every running engine to return to its loop (async-signal-safe).
pub fn kick_all_cpus() {
    for slot in CPUS.iter() {
        let cpu = slot.load(Ordering::SeqCst);
        if !cpu.is_null() {
            // SAFETY: registered CpuStates are heap allocations that stay alive
            // until unregistered; only the atomic `exit_request` is touched.
            unsafe { (*std::ptr::addr_of!((*cpu).exit_request)).store(1, Ordering::SeqCst) };
        }
    }
}
