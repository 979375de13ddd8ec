//! Guest signal state: the handler table, the blocked mask and the alternate
//! stack, plus what the host must do so that default and ignored signals behave
//! as the guest asked.
//!
//! - `SIG_DFL` / `SIG_IGN` set by the guest are applied to the host, so default
//!   actions kill or stop the process exactly as on Linux, and ignored signals
//!   stay ignored across `execve`;
//! - a guest handler makes the host catch the signal and record it as pending
//!   (see [`take_pending`]); the execution loop then delivers it into the guest
//!   handler at the next block boundary or system call return (`sigframe.rs`);
//! - the guest's blocked mask is applied to the host, so blocked signals stay
//!   pending and the mask is inherited by programs the guest executes.
//!
//! Synchronous fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) are left
//! to Kestrel's own handling, and glibc's internal real-time signals 32 and 33
//! are never touched on the host (the guest's libc uses its own copies).

use std::sync::atomic::{AtomicU64, Ordering};

/// Highest signal number (Linux `_NSIG`).
pub const NSIG: usize = 64;
/// Guest `SIG_DFL`.
pub const SIG_DFL: u64 = 0;
/// Guest `SIG_IGN`.
pub const SIG_IGN: u64 = 1;
/// AArch64 `MINSIGSTKSZ` (uapi asm/signal.h).
pub const MINSIGSTKSZ: u64 = 5120;
/// `SS_ONSTACK`.
pub const SS_ONSTACK: i32 = 1;
/// `SS_DISABLE`.
pub const SS_DISABLE: i32 = 2;
/// `SS_AUTODISARM`.
pub const SS_AUTODISARM: i32 = 1 << 31;

/// The kernel's `struct sigaction` on AArch64 (asm-generic layout with
/// `sa_restorer`, since AArch64 defines SA_RESTORER): handler, flags,
/// restorer, mask — four 64-bit words, the same layout as on x86-64.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GuestSigaction {
    /// Handler address, or `SIG_DFL` / `SIG_IGN`.
    pub handler: u64,
    /// `SA_*` flags.
    pub flags: u64,
    /// `sa_restorer`.
    pub restorer: u64,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

impl GuestSigaction {
    /// Size of the guest struct.
    pub const SIZE: usize = 32;

    /// Decodes the guest struct.
    pub fn from_bytes(b: &[u8]) -> GuestSigaction {
        let word = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        GuestSigaction { handler: word(0), flags: word(1), restorer: word(2), mask: word(3) }
    }

    /// Encodes the guest struct.
    pub fn to_bytes(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, w) in [self.handler, self.flags, self.restorer, self.mask].iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

/// The guest's alternate signal stack (`stack_t`: sp, flags, size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AltStack {
    /// `ss_sp`.
    pub sp: u64,
    /// `ss_flags`.
    pub flags: i32,
    /// `ss_size`.
    pub size: u64,
}

impl Default for AltStack {
    fn default() -> Self {
        AltStack { sp: 0, flags: SS_DISABLE, size: 0 }
    }
}

/// Per-process guest signal state.
#[derive(Debug, Clone)]
pub struct SignalState {
    /// Handlers, indexed by signal number - 1.
    pub actions: [GuestSigaction; NSIG],
    /// Blocked signals (bit n-1 for signal n).
    pub mask: u64,
    /// `sigaltstack` setting.
    pub altstack: AltStack,
    /// The mask to restore after a handler that interrupted `rt_sigsuspend`
    /// (which runs with a temporary mask); saved in that handler's frame.
    pub saved_mask: Option<u64>,
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState { actions: [GuestSigaction::default(); NSIG], mask: 0, altstack: AltStack::default(), saved_mask: None }
    }
}

/// Bit for signal `sig` in a mask.
pub fn bit(sig: usize) -> u64 {
    1u64 << (sig - 1)
}

/// Signals whose host disposition and mask Kestrel keeps for itself.
fn host_reserved(sig: usize) -> bool {
    matches!(
        sig as i32,
        libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE | libc::SIGTRAP | libc::SIGKILL | libc::SIGSTOP
    ) || sig == 32
        || sig == 33
}

/// Signals that can never be blocked or caught.
pub fn unblockable() -> u64 {
    bit(libc::SIGKILL as usize) | bit(libc::SIGSTOP as usize)
}

thread_local! {
    /// Signals caught on the host for a guest handler and not yet delivered,
    /// per thread: the host kernel already chose the thread the way Linux
    /// chooses for the guest (the target of tgkill, or for process-wide
    /// signals any thread not blocking it; host masks mirror guest masks), so
    /// the thread that caught a signal is the one that delivers it. Atomic so
    /// the handler cannot tear an update interrupted on the same thread.
    static PENDING: AtomicU64 = const { AtomicU64::new(0) };
}

thread_local! {
    /// Set when a signal for a guest handler arrives on this thread, cleared
    /// when the execution loop takes the pending set: a blocking host call
    /// made through `safe_syscall` returns EINTR instead of waiting while it
    /// is set.
    static INTERRUPT: AtomicU64 = const { AtomicU64::new(0) };
}

/// Runs `f` with this thread's interrupt flag (see [`INTERRUPT`]).
pub fn with_interrupt_flag<R>(f: impl FnOnce(&AtomicU64) -> R) -> R {
    INTERRUPT.with(f)
}

/// Puts signals back as pending (they could not be delivered yet).
pub fn repost_pending(mask: u64) {
    PENDING.with(|p| p.fetch_or(mask, Ordering::SeqCst));
}

/// Sender details of the last occurrence of each caught signal: si_code in
/// the low 32 bits, si_pid above; and si_uid.
static SENDER: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];
static SENDER_UID: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];

extern "C" fn record_signal(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    if (1..=NSIG as i32).contains(&sig) {
        if !info.is_null() {
            // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler;
            // si_pid/si_uid are read from the union as the kernel filled it.
            let (code, pid, uid) = unsafe { ((*info).si_code, (*info).si_pid(), (*info).si_uid()) };
            SENDER[sig as usize - 1].store((code as u32 as u64) | ((pid as u32 as u64) << 32), Ordering::SeqCst);
            SENDER_UID[sig as usize - 1].store(uid as u64, Ordering::SeqCst);
        }
        PENDING.with(|p| p.fetch_or(bit(sig as usize), Ordering::SeqCst));
        INTERRUPT.with(|i| i.store(1, Ordering::SeqCst));
        // SAFETY: `ctx` is the ucontext the kernel passed to this handler.
        unsafe { crate::safe_syscall::rewind_if_inside(ctx) };
    }
    crate::threads::kick_all_cpus();
}

/// `(si_code, si_pid, si_uid)` of the last caught occurrence of `sig`.
pub fn sender(sig: usize) -> (i32, u32, u32) {
    let v = SENDER[sig - 1].load(Ordering::SeqCst);
    (v as u32 as i32, (v >> 32) as u32, SENDER_UID[sig - 1].load(Ordering::SeqCst) as u32)
}


/// Takes the set of signals caught for guest handlers since the last call.
pub fn take_pending() -> u64 {
    INTERRUPT.with(|i| i.store(0, Ordering::SeqCst));
    PENDING.with(|p| p.swap(0, Ordering::SeqCst))
}

/// Signals caught but not yet delivered (for `rt_sigpending`).
pub fn peek_pending() -> u64 {
    PENDING.with(|p| p.load(Ordering::SeqCst))
}

/// Applies a guest disposition to the host (see the module documentation).
pub fn apply_host_disposition(sig: usize, action: &GuestSigaction) {
    if host_reserved(sig) {
        return;
    }
    // Flags that change what the kernel does for us (child reaping, restarting
    // interrupted system calls) are passed on; the rest concern delivery.
    // SA_RESTART is not passed on: a blocking host call must return EINTR so the
    // guest handler can run; the guest's SA_RESTART is emulated by re-running
    // its SVC after the handler returns (see `syscall::handle`).
    let passed = (libc::SA_NOCLDSTOP | libc::SA_NOCLDWAIT) as u64;
    let handler = match action.handler {
        SIG_DFL => libc::SIG_DFL,
        SIG_IGN => libc::SIG_IGN,
        _ => record_signal as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize,
    };
    // SAFETY: an all-zero sigaction is a valid starting value.
    let mut host: libc::sigaction = unsafe { std::mem::zeroed() };
    host.sa_sigaction = handler;
    host.sa_flags = (action.flags & passed) as libc::c_int | libc::SA_SIGINFO;
    // SAFETY: `host` is fully initialised; the handler only touches atomics,
    // which is async-signal-safe.
    unsafe {
        libc::sigemptyset(&mut host.sa_mask);
        libc::sigaction(sig as libc::c_int, &host, std::ptr::null_mut());
    }
}

/// The host mask corresponding to a guest mask.
pub fn host_sigset(mask: u64) -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t.
    unsafe { libc::sigemptyset(&mut set) };
    for sig in 1..=NSIG {
        if mask & bit(sig) != 0 && !host_reserved(sig) {
            // SAFETY: `set` is valid and `sig` is in range.
            unsafe { libc::sigaddset(&mut set, sig as libc::c_int) };
        }
    }
    set
}

/// Blocks exactly the guest's blocked signals on the host thread.
pub fn apply_host_mask(mask: u64) {
    let set = host_sigset(mask);
    // SAFETY: `set` is a valid sigset_t; changing our own mask is always allowed.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut()) };
}

/// Waits until a signal for a guest handler that `mask` does not block has
/// been caught on this thread (`rt_sigsuspend`). One caught just before the
/// wait is not missed: host signals are blocked while `PENDING` is checked,
/// and `sigsuspend` unblocks them atomically.
pub fn suspend_until_pending(mask: u64) {
    let all = host_sigset(u64::MAX);
    // SAFETY: an empty set for the old mask; both sets are valid sigset_t.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: changing this thread's own mask.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut old) };
    if peek_pending() & !mask == 0 {
        let wait = host_sigset(mask);
        // SAFETY: `wait` is a valid sigset_t; sigsuspend returns after a handler ran.
        unsafe { libc::sigsuspend(&wait) };
    }
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
}

/// Blocks every signal on this host thread, for threads that never run guest
/// code again (a finished main thread waiting for the others): the host must
/// not pick it to receive a signal meant for the guest.
pub fn block_all_on_this_thread() {
    // SAFETY: a full set, applied to this thread only.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// The host's pending set translated to a guest mask.
pub fn host_pending() -> u64 {
    // SAFETY: sigpending fills the set we pass.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::sigpending(&mut set) };
    let mut mask = 0;
    for sig in 1..=NSIG {
        // SAFETY: `set` was filled by sigpending.
        if unsafe { libc::sigismember(&set, sig as libc::c_int) } == 1 {
            mask |= bit(sig);
        }
    }
    mask
}

/// Terminates the process as if killed by `sig` with its default action, so
/// the parent's wait status says "killed by signal", without a core dump of
/// the emulator.
pub fn die_by_signal(sig: i32) -> ! {
    let no_core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain system calls on our own process; raise with the default
    // action for a fatal signal does not return.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
        libc::_exit(128 + sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigaction_round_trips() {
        let a = GuestSigaction { handler: 0x401000, flags: 0x0400_0004, restorer: 0x402000, mask: 1 << 9 };
        assert_eq!(GuestSigaction::from_bytes(&a.to_bytes()), a);
    }

    #[test]
    fn reserved_signals_stay_out_of_host_masks() {
        let set = host_sigset(u64::MAX);
        // SAFETY: `set` is a valid sigset_t.
        unsafe {
            assert_eq!(libc::sigismember(&set, libc::SIGSEGV), 0);
            assert_eq!(libc::sigismember(&set, 32), 0);
            assert_eq!(libc::sigismember(&set, libc::SIGINT), 1);
            assert_eq!(libc::sigismember(&set, 40), 1);
        }
    }
}
