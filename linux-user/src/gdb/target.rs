//! The guest as a `gdbstub` target: registers, memory, threads, resume
//! actions and software breakpoints, all through the debugger's shared state.

use super::{debugger, lock, Action, Debugger};
use gdbstub::common::{Signal, Tid};
use gdbstub::target::ext::base::multithread::{
    MultiThreadBase, MultiThreadResume, MultiThreadResumeOps, MultiThreadSchedulerLocking,
    MultiThreadSchedulerLockingOps, MultiThreadSingleStep, MultiThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{Breakpoints, BreakpointsOps, SwBreakpoint, SwBreakpointOps};
use gdbstub::target::{Target, TargetError, TargetResult};
use gdbstub_arch::aarch64::reg::AArch64CoreRegs;
use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::guest::aarch64::sysregs;

/// The debugged process (the state lives in [`Debugger`]).
pub struct Guest {
    pub(super) debugger: &'static Debugger,
}

impl Guest {
    /// Runs `f` on thread `tid`'s CPU state.
    fn with_cpu<R>(&self, tid: Tid, f: impl FnOnce(&mut CpuState) -> R) -> TargetResult<R, Self> {
        let s = lock(self.debugger);
        let entry = s.threads.get(&(tid.get() as u32)).ok_or(TargetError::NonFatal)?;
        // SAFETY: the thread is stopped (parked at a checkpoint, or blocked in
        // the kernel, where it does not touch its CPU state), and the state
        // lock keeps it from resuming while `f` runs.
        Ok(f(unsafe { &mut *entry.cpu }))
    }
}

/// The guest address space, for gdb's memory accesses.
fn mapped(addr: u64, len: usize, write: bool) -> bool {
    let access = if write { crate::mm::Access::Write } else { crate::mm::Access::Read };
    crate::threads::published().is_some_and(|shared| shared.with_process(|p| p.mm.check(addr, len as u64, access)))
}

impl Target for Guest {
    type Arch = gdbstub_arch::aarch64::AArch64;
    type Error = &'static str;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::MultiThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadBase for Guest {
    fn read_registers(&mut self, regs: &mut AArch64CoreRegs, tid: Tid) -> TargetResult<(), Self> {
        self.with_cpu(tid, |cpu| {
            regs.x.copy_from_slice(&cpu.x[..31]);
            regs.sp = cpu.x[31];
            regs.pc = cpu.pc;
            regs.cpsr = cpu.nzcv() as u32;
            regs.v = cpu.v;
            regs.fpcr = cpu.fpcr as u32;
            regs.fpsr = sysregs::read(cpu, sysregs::FPSR).unwrap_or(cpu.fpsr) as u32;
        })
    }

    fn write_registers(&mut self, regs: &AArch64CoreRegs, tid: Tid) -> TargetResult<(), Self> {
        self.with_cpu(tid, |cpu| {
            cpu.x[..31].copy_from_slice(&regs.x);
            cpu.x[31] = regs.sp;
            cpu.pc = regs.pc;
            cpu.set_nzcv(regs.cpsr as u64 & 0xf000_0000);
            cpu.v = regs.v;
            cpu.fpcr = regs.fpcr as u64 & 0x07ff_0000;
            let _ = sysregs::write(cpu, sysregs::FPSR, regs.fpsr as u64);
        })
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8], _tid: Tid) -> TargetResult<usize, Self> {
        if !mapped(start, data.len(), false) {
            return Err(TargetError::Errno(14)); // EFAULT
        }
        // SAFETY: the range is readable guest memory (checked above), which
        // is host memory at the same address.
        unsafe { std::ptr::copy_nonoverlapping(start as *const u8, data.as_mut_ptr(), data.len()) };
        Ok(data.len())
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], _tid: Tid) -> TargetResult<(), Self> {
        // gdb writes to code too (patching, breakpoints it inserts itself):
        // like ptrace, a private read-only mapping is made writable for the
        // copy and restored; shared read-only ones (the file itself) are not
        // written. Under the process lock, so nothing unmaps it meanwhile.
        let Some(shared) = crate::threads::published() else { return Err(TargetError::Errno(14)) };
        let written = shared.with_process(|p| {
            let len = data.len() as u64;
            if p.mm.check(start, len, crate::mm::Access::Write) {
                // SAFETY: writable guest memory (checked just now, under the lock).
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), start as *mut u8, data.len()) };
                return true;
            }
            let Some(m) = p.mm.find(start) else { return false };
            if m.flags & libc::MAP_SHARED != 0 || start + len > m.end || !p.mm.check(start, len, crate::mm::Access::Read) {
                return false;
            }
            let page = start & !4095;
            let span = ((start + len + 4095) & !4095) - page;
            // SAFETY: pages of one private guest mapping; protection restored below.
            if unsafe { libc::mprotect(page as *mut _, span as usize, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
                return false;
            }
            // SAFETY: mapped and writable now.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), start as *mut u8, data.len()) };
            // SAFETY: back to the mapping's own protection.
            unsafe { libc::mprotect(page as *mut _, span as usize, crate::host_mem::host_prot(m.prot)) };
            true
        });
        if !written {
            return Err(TargetError::Errno(14)); // EFAULT
        }
        kestrel::jit::invalidate_range(start, data.len() as u64);
        Ok(())
    }

    fn list_active_threads(&mut self, thread_is_active: &mut dyn FnMut(Tid)) -> Result<(), Self::Error> {
        for &tid in lock(self.debugger).threads.keys() {
            if let Some(t) = Tid::new(tid as usize) {
                thread_is_active(t);
            }
        }
        Ok(())
    }

    fn support_resume(&mut self) -> Option<MultiThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadResume for Guest {
    fn resume(&mut self) -> Result<(), Self::Error> {
        let mut s = lock(self.debugger);
        s.running = true;
        self.debugger.resumed.notify_all();
        Ok(())
    }

    /// The default for threads no action names is to continue (the stub's
    /// contract), unless scheduler locking is asked for below.
    fn clear_resume_actions(&mut self) -> Result<(), Self::Error> {
        for t in lock(self.debugger).threads.values_mut() {
            t.action = Action::Continue;
            t.explicit = false;
        }
        Ok(())
    }

    fn set_resume_action_continue(&mut self, tid: Tid, signal: Option<Signal>) -> Result<(), Self::Error> {
        set_action(self.debugger, tid, signal, Action::Continue)
    }

    fn support_single_step(&mut self) -> Option<MultiThreadSingleStepOps<'_, Self>> {
        Some(self)
    }

    fn support_scheduler_locking(&mut self) -> Option<MultiThreadSchedulerLockingOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadSchedulerLocking for Guest {
    /// Only the threads an action named may run.
    fn set_resume_action_scheduler_lock(&mut self) -> Result<(), Self::Error> {
        for t in lock(self.debugger).threads.values_mut().filter(|t| !t.explicit) {
            t.action = Action::Stop;
        }
        Ok(())
    }
}

impl MultiThreadSingleStep for Guest {
    fn set_resume_action_step(&mut self, tid: Tid, signal: Option<Signal>) -> Result<(), Self::Error> {
        set_action(self.debugger, tid, signal, Action::Step)
    }
}

fn set_action(d: &Debugger, tid: Tid, signal: Option<Signal>, action: Action) -> Result<(), &'static str> {
    if signal.is_some() {
        // Resuming with a signal would need it queued for the guest thread.
        return Err("resuming with a signal is not supported");
    }
    match lock(d).threads.get_mut(&(tid.get() as u32)) {
        Some(t) => {
            t.action = action;
            t.explicit = true;
            Ok(())
        }
        None => Err("no such thread"),
    }
}

impl Breakpoints for Guest {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for Guest {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        lock(self.debugger).breakpoints.insert(addr);
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(lock(self.debugger).breakpoints.remove(&addr))
    }
}

/// The target for the process's debugger, once [`super::start`] made one.
pub fn guest() -> Option<Guest> {
    debugger().map(|debugger| Guest { debugger })
}
