//! The gdb remote stub of both front ends, as qemu offers it:
//! `gdb-multiarch -ex 'target remote :PORT'` sees every guest thread (user
//! mode) or vCPU (system mode), sets breakpoints, single-steps, reads and
//! writes registers and memory, and continues to the end. How guest memory
//! is reached is the front end's ([`DebugMemory`]).
//!
//! The protocol is the `gdbstub` crate's (with `gdbstub_arch`'s AArch64
//! register layout), driven from a server thread ([`server`]). The guest
//! threads meet the debugger at every instruction: while a debugger is
//! attached they run one instruction at a time in the interpreter
//! ([`checkpoint`] before each), which makes every instruction boundary a
//! place to stop at no cost to runs without a debugger.
//!
//! All-stop mode, as gdb expects from a Linux target: when one thread stops
//! (breakpoint, finished step, Ctrl-C), every other thread parks at its next
//! checkpoint; threads inside a blocking system call park when it returns
//! (their registers are not changing meanwhile).

mod server;
mod target;

use crate::guest::aarch64::cpu::CpuState;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

pub use server::start;

/// Guest memory as the debugger reads and writes it: virtual addresses as
/// thread (or vCPU) `tid` sees them.
pub trait DebugMemory: Send + Sync {
    /// Fills `data` from `addr`; false if any byte is not readable.
    fn read(&self, tid: u32, addr: u64, data: &mut [u8]) -> bool;
    /// Writes `data` at `addr` (code too, as ptrace does); false if it
    /// cannot.
    fn write(&self, tid: u32, addr: u64, data: &[u8]) -> bool;
}

/// Why a thread stopped, for the stop reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    /// Reached a software breakpoint (before executing it).
    Breakpoint,
    /// Finished a single step.
    Step,
    /// The guest process exits with this status.
    Exited(u8),
}

/// What a thread does when the debugger resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Stay parked.
    Stop,
    /// Run until something stops it.
    Continue,
    /// Execute one instruction, then report.
    Step,
}

/// One guest thread as the debugger sees it.
struct ThreadEntry {
    /// Its CPU state; stable while the thread lives (see `runner`).
    cpu: *mut CpuState,
    action: Action,
    /// `action` was set by gdb for this thread (not the default).
    explicit: bool,
    /// Parked at a checkpoint (its registers are safe to read and change).
    parked: bool,
    /// Inside a system call, which may block: counted as stopped (its
    /// registers do not change until the call returns).
    in_syscall: bool,
}

/// The debugger's shared state.
struct State {
    breakpoints: BTreeSet<u64>,
    /// False while the guest is stopped (all-stop).
    running: bool,
    threads: BTreeMap<u32, ThreadEntry>,
    /// Stops not yet reported to gdb.
    events: VecDeque<(u32, StopKind)>,
    /// The connection is gone: guest threads run freely.
    detached: bool,
}

// SAFETY: the raw CpuState pointers are only dereferenced by the server
// thread while their thread is parked (or blocked in the kernel), and by the
// owning thread otherwise; the mutex orders those accesses.
unsafe impl Send for State {}

struct Debugger {
    state: Mutex<State>,
    /// The front end's view of guest memory.
    memory: Box<dyn DebugMemory>,
    /// Signalled when the guest should re-check `running` and actions.
    resumed: Condvar,
    /// Signalled when a thread parks or an event is queued.
    stopped: Condvar,
}

static DEBUGGER: OnceLock<Debugger> = OnceLock::new();

fn debugger() -> Option<&'static Debugger> {
    DEBUGGER.get()
}

fn lock(d: &Debugger) -> MutexGuard<'_, State> {
    d.state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set while a connection is open, so [`attached`] costs one load.
static ATTACHED: AtomicBool = AtomicBool::new(false);

/// True while a debugger is attached: guest threads then run through
/// [`checkpoint`] one instruction at a time.
pub fn attached() -> bool {
    ATTACHED.load(Ordering::Acquire)
}

/// Whether thread `tid` is known to the debugger (a vCPU started before gdb
/// connected registers itself when it notices the connection).
pub fn knows_thread(tid: u32) -> bool {
    debugger().is_some_and(|d| lock(d).threads.contains_key(&tid))
}

/// Registers a guest thread with the debugger (a no-op without one).
pub fn thread_started(tid: u32, cpu: *mut CpuState) {
    if let Some(d) = debugger() {
        let mut s = lock(d);
        // A new thread follows the others: stopped if they are stopped.
        let action = if s.running { Action::Continue } else { Action::Stop };
        s.threads.insert(tid, ThreadEntry { cpu, action, explicit: false, parked: false, in_syscall: false });
        d.stopped.notify_all();
    }
}

/// Forgets a thread that exited.
pub fn thread_ended(tid: u32) {
    if let Some(d) = debugger() {
        lock(d).threads.remove(&tid);
        d.stopped.notify_all();
    }
}

/// Called by a guest thread before each instruction while a debugger is
/// attached. Returns once the thread may execute the instruction at
/// `cpu.pc`; `stepping` is true when that instruction is a single step gdb
/// asked for (report it done afterwards with [`step_done`]).
pub fn checkpoint(tid: u32, cpu: &CpuState) -> bool {
    let Some(d) = debugger() else { return false };
    let mut s = lock(d);
    loop {
        if s.detached {
            return false;
        }
        let action = s.threads.get(&tid).map_or(Action::Continue, |t| t.action);
        if s.running && action != Action::Stop {
            // A breakpoint stops the thread before the instruction runs; a
            // step over it (gdb removes breakpoints before stepping) runs it.
            if action == Action::Continue && s.breakpoints.contains(&cpu.pc) {
                s.running = false;
                s.events.push_back((tid, StopKind::Breakpoint));
                d.stopped.notify_all();
                continue;
            }
            return action == Action::Step;
        }
        if let Some(t) = s.threads.get_mut(&tid) {
            t.parked = true;
        }
        d.stopped.notify_all();
        s = d.resumed.wait(s).unwrap_or_else(|e| e.into_inner());
        if let Some(t) = s.threads.get_mut(&tid) {
            t.parked = false;
        }
    }
}

/// Thread `tid` enters (`true`) or leaves a system call; all-stop does not
/// wait for a thread that is inside one.
pub fn in_syscall(tid: u32, inside: bool) {
    if let Some(d) = debugger() {
        if let Some(t) = lock(d).threads.get_mut(&tid) {
            t.in_syscall = inside;
        }
        d.stopped.notify_all();
    }
}

/// A single step of thread `tid` finished: stop everything and report.
pub fn step_done(tid: u32) {
    if let Some(d) = debugger() {
        let mut s = lock(d);
        s.running = false;
        s.events.push_back((tid, StopKind::Step));
        d.stopped.notify_all();
    }
}

/// The guest process is about to exit: tell gdb and give the server thread a
/// moment to send the reply before the process goes.
pub fn process_exiting(tid: u32, status: u8) {
    let Some(d) = debugger() else { return };
    let mut s = lock(d);
    if s.detached {
        return;
    }
    s.events.push_back((tid, StopKind::Exited(status)));
    d.stopped.notify_all();
    // The stub sends the exit reply and ends the session, which marks the
    // debugger detached (see `server::serve`).
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while !s.detached && std::time::Instant::now() < deadline {
        s = d.stopped.wait_timeout(s, Duration::from_millis(20)).unwrap_or_else(|e| e.into_inner()).0;
    }
}

/// The debugger's lock, held across a host fork (a thread may be at a
/// checkpoint, holding it, when another forks). The child cannot be debugged
/// (the connection is the parent's): it detaches, as under qemu.
pub struct ForkGuard(Option<MutexGuard<'static, State>>);

/// Takes the debugger's lock for a fork, if there is a debugger.
pub fn lock_for_fork() -> ForkGuard {
    ForkGuard(debugger().map(lock))
}

impl ForkGuard {
    /// In the child: forget the parent's debugger and run freely.
    pub fn detach_child(mut self) {
        if let Some(s) = self.0.as_mut() {
            s.detached = true;
            s.running = true;
            s.threads.clear();
            s.breakpoints.clear();
            s.events.clear();
        }
    }
}
