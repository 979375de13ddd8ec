//! Abandoning a guest instruction half-way, as a CPU does when an access faults.
//!
//! Guest code (translated or interpreted) runs inside [`guarded`]. When a
//! guest memory access cannot complete, the rest of the instruction and of
//! everything the host was doing for it must be dropped, and control must
//! return to the execution loop, which raises the guest's exception (a signal
//! in user mode, a data abort in system mode). Two things abandon:
//!
//! - a host SIGSEGV/SIGBUS in user mode, whose handler rewrites the
//!   interrupted context with [`Resume::restore_into`];
//! - the software MMU in system mode, which calls [`abandon`] directly.
//!
//! Either way `guarded` returns `true` to its caller, like `longjmp`: the
//! abandoned frames (the engine's loop, translated code, the interpreter,
//! a memory helper) hold no values with destructors, and callee-saved
//! registers come back from what `guarded` saved on entry, so to its caller
//! `guarded` is an ordinary call that returned.

use std::cell::Cell;

/// Callee-saved registers, stack pointer and return address of a
/// [`guarded`] call (System V x86-64).
#[repr(C)]
#[derive(Default)]
pub struct Resume {
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    rsp: u64,
    rip: u64,
}

impl Resume {
    /// Writes the resume point into an interrupted host context, so that
    /// returning from a signal handler returns `true` from [`guarded`].
    pub fn restore_into(&self, gregs: &mut [i64; 23]) {
        gregs[libc::REG_RBX as usize] = self.rbx as i64;
        gregs[libc::REG_RBP as usize] = self.rbp as i64;
        gregs[libc::REG_R12 as usize] = self.r12 as i64;
        gregs[libc::REG_R13 as usize] = self.r13 as i64;
        gregs[libc::REG_R14 as usize] = self.r14 as i64;
        gregs[libc::REG_R15 as usize] = self.r15 as i64;
        gregs[libc::REG_RSP as usize] = self.rsp as i64;
        gregs[libc::REG_RIP as usize] = self.rip as i64;
        gregs[libc::REG_RAX as usize] = 1;
    }
}

thread_local! {
    static ACTIVE: Cell<*mut Resume> = const { Cell::new(std::ptr::null_mut()) };
}

/// Saves the resume state into `*resume`, calls `f(arg)`, returns 0; an
/// abandon makes it return 1 instead.
#[unsafe(naked)]
unsafe extern "C" fn guarded_call(resume: *mut Resume, f: unsafe extern "C" fn(*mut u8), arg: *mut u8) -> u64 {
    std::arch::naked_asm!(
        "mov [rdi], rbx",
        "mov [rdi + 8], rbp",
        "mov [rdi + 16], r12",
        "mov [rdi + 24], r13",
        "mov [rdi + 32], r14",
        "mov [rdi + 40], r15",
        "lea rax, [rsp + 8]",
        "mov [rdi + 48], rax",
        "mov rax, [rsp]",
        "mov [rdi + 56], rax",
        // Keep the stack 16-byte aligned for the call.
        "sub rsp, 8",
        "mov rax, rsi",
        "mov rdi, rdx",
        "call rax",
        "add rsp, 8",
        "xor eax, eax",
        "ret",
    )
}

/// Restores `*resume` and returns 1 from the `guarded_call` that saved it.
#[unsafe(naked)]
unsafe extern "C" fn resume_at(resume: *const Resume) -> ! {
    std::arch::naked_asm!(
        "mov rbx, [rdi]",
        "mov rbp, [rdi + 8]",
        "mov r12, [rdi + 16]",
        "mov r13, [rdi + 24]",
        "mov r14, [rdi + 32]",
        "mov r15, [rdi + 40]",
        "mov rsp, [rdi + 48]",
        "mov eax, 1",
        "jmp qword ptr [rdi + 56]",
    )
}

unsafe extern "C" fn call_closure<F: FnMut()>(arg: *mut u8) {
    // SAFETY: `guarded` passes a pointer to its live closure.
    let f = unsafe { &mut *(arg as *mut F) };
    f();
}

/// Runs `f`; returns `true` if it was abandoned (by [`abandon`] or a host
/// fault handler), `false` if it returned. `f` must not hold values with
/// destructors across points where guest code runs.
pub fn guarded<F: FnMut()>(mut f: F) -> bool {
    let mut resume = Resume::default();
    let previous = ACTIVE.with(|a| a.replace(&mut resume));
    // SAFETY: `resume` outlives the call; the closure pointer is valid for it.
    let abandoned = unsafe { guarded_call(&mut resume, call_closure::<F>, &mut f as *mut F as *mut u8) };
    ACTIVE.with(|a| a.set(previous));
    abandoned != 0
}

/// Runs `f` with no [`guarded`] call active on this thread: a host fault in
/// it is Kestrel's own bug, reported as such, never abandoned as if the
/// guest had faulted. For the translator's work in the execution loop
/// (translating, compiling), which touches no guest memory.
pub fn unguarded<R>(f: impl FnOnce() -> R) -> R {
    let previous = ACTIVE.with(|a| a.replace(std::ptr::null_mut()));
    let r = f();
    ACTIVE.with(|a| a.set(previous));
    r
}

/// The innermost [`guarded`] call of this thread, if any (for a host fault
/// handler, which must not abandon code that is not the guest's).
pub fn active() -> Option<&'static Resume> {
    let p = ACTIVE.with(|a| a.get());
    // SAFETY: a non-null pointer is the live `resume` of a `guarded` frame
    // further up this thread's stack.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// Abandons the current guest instruction: returns `true` from the
/// innermost [`guarded`] call of this thread.
///
/// # Safety
/// A `guarded` call must be active on this thread, and the frames between it
/// and the caller must hold no values whose destructors matter (locks,
/// owned buffers that must be freed).
pub unsafe fn abandon() -> ! {
    let p = ACTIVE.with(|a| a.get());
    assert!(!p.is_null(), "guest access abandoned outside guest execution");
    // SAFETY: `p` is the live resume point of this thread's innermost
    // `guarded` frame (the caller's contract).
    unsafe { resume_at(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn deep(n: u32, hits: &mut u32) {
        *hits += 1;
        if n == 0 {
            // SAFETY: called only inside `guarded` below; the frames hold
            // plain integers.
            unsafe { abandon() }
        }
        deep(n - 1, hits);
    }

    #[test]
    fn abandon_returns_true_from_guarded_and_keeps_callee_saved_state() {
        let mut hits = 0;
        let kept = std::hint::black_box(0x1234_5678u64);
        assert!(guarded(|| deep(10, &mut hits)));
        assert_eq!(hits, 11);
        assert_eq!(std::hint::black_box(kept), 0x1234_5678);
        assert!(!guarded(|| hits += 1));
        assert_eq!(hits, 12);
        assert!(active().is_none());
    }

    #[test]
    fn nested_guarded_calls_abandon_the_innermost() {
        let mut inner = false;
        let outer = guarded(|| {
            // SAFETY: the inner `guarded` is active.
            inner = guarded(|| unsafe { abandon() });
        });
        assert!(inner);
        assert!(!outer);
    }
}
