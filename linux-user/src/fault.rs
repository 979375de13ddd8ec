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
    static LAST: Cell<HostFault> = const { Cell::new(HostFault { signal: 0, code: 0, addr: 0, host_pc: 0, write: false }) };
}

/// Runs `f` so that a host SIGSEGV/SIGBUS inside it abandons it and returns
/// the fault instead. `f` must not hold values with destructors across points
/// where guest code runs.
pub fn guarded<F: FnMut()>(f: F) -> Option<HostFault> {
    kestrel::guard::guarded(f).then(|| LAST.with(|l| l.get()))
}

/// Previous SIGSEGV/SIGBUS dispositions, for faults that are not the guest's.
static PREVIOUS_SEGV: AtomicUsize = AtomicUsize::new(0);
static PREVIOUS_BUS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let resume = kestrel::guard::active();
    if resume.is_none() || info.is_null() || ctx.is_null() {
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
        // A non-canonical address reached through RSP or RBP raises a
        // stack-segment fault, which Linux reports as SIGBUS (SI_KERNEL)
        // where any other base register would give SIGSEGV: the guest
        // must see the same as for a general-protection fault.
        const SI_KERNEL: i32 = 0x80;
        let sig = if sig == libc::SIGBUS && (*info).si_code == SI_KERNEL { libc::SIGSEGV } else { sig };
        LAST.with(|l| {
            l.set(HostFault {
                signal: sig,
                code: (*info).si_code,
                addr: (*info).si_addr() as u64,
                host_pc: gregs[libc::REG_RIP as usize] as u64,
                write: gregs[libc::REG_ERR as usize] & 2 != 0,
            })
        });
        if let Some(resume) = resume {
            resume.restore_into(gregs);
        }
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
