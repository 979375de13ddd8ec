//! Host faults raised by guest memory accesses, turned into guest signals.
//!
//! Guest loads and stores are plain host loads and stores, so a guest access
//! to an unmapped or protected address faults the host thread. While guest
//! code runs, the thread sits inside [`guarded`]; the SIGSEGV/SIGBUS handler
//! then rewrites the interrupted context so that `guarded` returns `true` to
//! its caller, with the fault's details in thread-local storage. Nothing after
//! the faulting guest instruction has run, and the guest registers in
//! `CpuState` are exact for that instruction (see the JIT's state rules), so
//! the execution loop delivers SIGSEGV/SIGBUS to the guest at its pc: a guest
//! handler that fixes the cause and returns re-executes the instruction.
//!
//! Leaving the abandoned frames is like `longjmp` out of them: they hold no
//! values with destructors (the engine's loop and the translated code), and
//! callee-saved registers are restored from what `guarded` saved on entry, so
//! to its caller `guarded` is an ordinary call that returned.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// What the handler saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostFault {
    /// SIGSEGV or SIGBUS.
    pub signal: i32,
    /// The host `si_code` (SEGV_MAPERR, SEGV_ACCERR, BUS_ADRALN, ...).
    pub code: i32,
    /// The faulting data address.
    pub addr: u64,
    /// Host instruction pointer at the fault.
    pub host_pc: u64,
    /// The access was a write (x86 page-fault error code bit 1).
    pub write: bool,
}

thread_local! {
    static ACTIVE: Cell<*mut Resume> = const { Cell::new(std::ptr::null_mut()) };
    static LAST: Cell<HostFault> = const { Cell::new(HostFault { signal: 0, code: 0, addr: 0, host_pc: 0, write: false }) };
}

/// Saves the resume state into `*resume`, calls `f(arg)`, returns 0; a fault
/// handled by [`on_fault`] makes it return 1 instead.
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

unsafe extern "C" fn call_closure<F: FnMut()>(arg: *mut u8) {
    // SAFETY: `guarded` passes a pointer to its live closure.
    let f = unsafe { &mut *(arg as *mut F) };
    f();
}

/// Runs `f` so that a host SIGSEGV/SIGBUS inside it abandons it and returns
/// the fault instead. `f` must not hold values with destructors across points
/// where guest code runs.
pub fn guarded<F: FnMut()>(mut f: F) -> Option<HostFault> {
    let mut resume = Resume::default();
    let previous = ACTIVE.with(|a| a.replace(&mut resume));
    // SAFETY: `resume` outlives the call; the closure pointer is valid for it.
    let faulted = unsafe { guarded_call(&mut resume, call_closure::<F>, &mut f as *mut F as *mut u8) };
    ACTIVE.with(|a| a.set(previous));
    (faulted != 0).then(|| LAST.with(|l| l.get()))
}

/// Previous SIGSEGV/SIGBUS dispositions, for faults that are not the guest's.
static PREVIOUS_SEGV: AtomicUsize = AtomicUsize::new(0);
static PREVIOUS_BUS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let resume = ACTIVE.with(|a| a.get());
    if resume.is_null() || info.is_null() || ctx.is_null() {
        // Not a guest access: a bug in Kestrel itself. Let the default action
        // (or the handler that was there before) report it.
        // SAFETY: resetting our own disposition; returning re-runs the fault.
        unsafe {
            let previous = if sig == libc::SIGBUS { &PREVIOUS_BUS } else { &PREVIOUS_SEGV };
            let old = previous.load(Ordering::SeqCst);
            if old != 0 {
                libc::sigaction(sig, old as *const libc::sigaction, std::ptr::null_mut());
            } else {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        return;
    }
    // SAFETY: the kernel passes a valid siginfo and ucontext to an SA_SIGINFO
    // handler; `resume` was filled by `guarded_call` on this thread and its
    // frame is still live (we are inside the call).
    unsafe {
        let uc = &mut *(ctx as *mut libc::ucontext_t);
        let gregs = &mut uc.uc_mcontext.gregs;
        LAST.with(|l| {
            l.set(HostFault {
                signal: sig,
                code: (*info).si_code,
                addr: (*info).si_addr() as u64,
                host_pc: gregs[libc::REG_RIP as usize] as u64,
                write: gregs[libc::REG_ERR as usize] & 2 != 0,
            })
        });
        let r = &*resume;
        gregs[libc::REG_RBX as usize] = r.rbx as i64;
        gregs[libc::REG_RBP as usize] = r.rbp as i64;
        gregs[libc::REG_R12 as usize] = r.r12 as i64;
        gregs[libc::REG_R13 as usize] = r.r13 as i64;
        gregs[libc::REG_R14 as usize] = r.r14 as i64;
        gregs[libc::REG_R15 as usize] = r.r15 as i64;
        gregs[libc::REG_RSP as usize] = r.rsp as i64;
        gregs[libc::REG_RIP as usize] = r.rip as i64;
        gregs[libc::REG_RAX as usize] = 1;
    }
}

/// Installs the fault handler (once, at start-up).
pub fn install() {
    for (sig, previous) in [(libc::SIGSEGV, &PREVIOUS_SEGV), (libc::SIGBUS, &PREVIOUS_BUS)] {
        // SAFETY: installing a handler with a zeroed, then filled, sigaction;
        // the old one is leaked deliberately so it can be restored from the
        // handler without allocation.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_fault as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            let old: *mut libc::sigaction = Box::into_raw(Box::new(std::mem::zeroed()));
            if libc::sigaction(sig, &sa, old) == 0 {
                previous.store(old as usize, Ordering::SeqCst);
            }
        }
    }
}

/// The AArch64 exception syndrome Linux reports for a data abort at EL0.
pub fn data_abort_esr(fault: &HostFault) -> u64 {
    let ec = 0x24u64 << 26; // data abort from a lower exception level
    let il = 1u64 << 25;
    let wnr = if fault.write { 1u64 << 6 } else { 0 };
    // Level-3 translation fault for unmapped pages, permission fault otherwise.
    const SEGV_ACCERR: i32 = 2;
    let dfsc = if fault.code == SEGV_ACCERR { 0x0f } else { 0x07 };
    ec | il | wnr | dfsc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_inside_guarded_returns_its_details() {
        install();
        // SAFETY: a deliberately inaccessible page; reading it faults.
        let page = unsafe {
            libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        } as u64;
        let mut after = false;
        let fault = guarded(|| {
            // SAFETY: faults by design; the handler abandons this closure.
            let v = unsafe { std::ptr::read_volatile(page as *const u64) };
            after = v == 12345;
        });
        let fault = fault.expect("the read faulted");
        assert_eq!(fault.signal, libc::SIGSEGV);
        assert_eq!(fault.addr, page);
        assert!(!after);
        assert!(guarded(|| {}).is_none());
    }
}
