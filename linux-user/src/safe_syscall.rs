//! Blocking host system calls that a guest signal can always interrupt.
//!
//! A signal for a guest handler is caught on the host (`signals.rs`), marked
//! pending, and delivered by the thread's execution loop when the system call
//! returns. A blocking call interrupted by it returns EINTR, because Kestrel
//! installs its host handlers without SA_RESTART. But a signal that arrives
//! after the pending check and *before* the thread enters the kernel would be
//! missed: the thread would sleep in `futex` or `epoll_wait` with the guest's
//! handler never run (Node.js then never sees its SIGTERM).
//!
//! [`call`] closes that window as qemu-user's safe_syscall does: a few
//! instructions of assembly check this thread's interrupt flag and then
//! execute `syscall`. If the signal handler finds the interrupted instruction
//! pointer between the check and the `syscall` instruction, it moves it to a
//! label that returns [`NOT_STARTED`] instead ([`rewind_if_inside`]): the call
//! did not run, so it is made again after the handler, whatever SA_RESTART
//! says (as Linux does for a signal that arrives before a system call). Once
//! `syscall` has started, the kernel itself returns EINTR.

use std::sync::atomic::AtomicU64;

std::arch::global_asm!(
    ".text",
    ".globl kestrel_safe_syscall",
    ".type kestrel_safe_syscall, @function",
    // System V arguments: rdi = flag pointer, rsi = number, rdx, rcx, r8, r9,
    // then two on the stack: the six system call arguments.
    "kestrel_safe_syscall:",
    "    push rbx",
    "    mov rbx, rdi",
    "    mov rax, rsi",
    "    mov rdi, rdx",
    "    mov rsi, rcx",
    "    mov rdx, r8",
    "    mov r10, r9",
    "    mov r8, [rsp + 16]",
    "    mov r9, [rsp + 24]",
    ".globl kestrel_safe_syscall_start",
    "kestrel_safe_syscall_start:",
    "    cmp qword ptr [rbx], 0",
    "    jnz kestrel_safe_syscall_interrupted",
    "    syscall",
    ".globl kestrel_safe_syscall_end",
    "kestrel_safe_syscall_end:",
    "    pop rbx",
    "    ret",
    ".globl kestrel_safe_syscall_interrupted",
    "kestrel_safe_syscall_interrupted:",
    "    mov rax, -512", // -ERESTARTSYS: not started, run it after the handler
    "    pop rbx",
    "    ret",
    ".size kestrel_safe_syscall, . - kestrel_safe_syscall",
);

unsafe extern "C" {
    fn kestrel_safe_syscall(flag: *const AtomicU64, nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64;
    static kestrel_safe_syscall_start: u8;
    static kestrel_safe_syscall_end: u8;
    static kestrel_safe_syscall_interrupted: u8;
}

/// What [`call`] returns when a signal came before the call started: the
/// kernel's internal ERESTARTSYS, which no system call returns to user space.
pub const NOT_STARTED: i64 = -512;

/// Runs host system call `nr`; returns the raw result (`-errno` on failure,
/// or [`NOT_STARTED`]).
/// `interrupt` is this thread's flag, set by the signal handler.
pub fn call(interrupt: &AtomicU64, nr: i64, a: [u64; 6]) -> i64 {
    // SAFETY: a raw system call with the caller's arguments; the routine
    // preserves every callee-saved register and only reads the flag.
    unsafe { kestrel_safe_syscall(interrupt, nr, a[0], a[1], a[2], a[3], a[4], a[5]) }
}

/// Called from a signal handler with the interrupted context: if the thread
/// was between its flag check and the `syscall` instruction, make it return
/// -EINTR instead of entering the kernel.
///
/// # Safety
/// `ctx` must be the `ucontext_t` the kernel passed to an SA_SIGINFO handler.
pub unsafe fn rewind_if_inside(ctx: *mut libc::c_void) {
    if ctx.is_null() {
        return;
    }
    let uc = ctx.cast::<libc::ucontext_t>();
    // SAFETY: the caller guarantees a valid ucontext; REG_RIP indexes gregs.
    unsafe {
        let rip = &mut (*uc).uc_mcontext.gregs[libc::REG_RIP as usize];
        let start = &raw const kestrel_safe_syscall_start as i64;
        let end = &raw const kestrel_safe_syscall_end as i64;
        if (start..end).contains(rip) {
            *rip = &raw const kestrel_safe_syscall_interrupted as i64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn runs_calls_and_honours_the_flag() {
        let flag = AtomicU64::new(0);
        let pid = call(&flag, libc::SYS_getpid, [0; 6]);
        assert_eq!(pid, std::process::id() as i64);
        let bad = call(&flag, libc::SYS_close, [u64::MAX >> 1, 0, 0, 0, 0, 0]);
        assert_eq!(bad, -(libc::EBADF as i64));
        // With the flag set, even a call that would block returns at once,
        // without running.
        flag.store(1, Ordering::SeqCst);
        let fds = [0i32; 2];
        let r = call(&flag, libc::SYS_read, [0, fds.as_ptr() as u64, 1, 0, 0, 0]);
        assert_eq!(r, NOT_STARTED);
    }
}
