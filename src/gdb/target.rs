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
use crate::guest::aarch64::cpu::CpuState;
use crate::guest::aarch64::sysregs;

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

    fn read_addrs(&mut self, start: u64, data: &mut [u8], tid: Tid) -> TargetResult<usize, Self> {
        if !self.debugger.memory.read(tid.get() as u32, start, data) {
            return Err(TargetError::Errno(14)); // EFAULT
        }
        Ok(data.len())
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], tid: Tid) -> TargetResult<(), Self> {
        if !self.debugger.memory.write(tid.get() as u32, start, data) {
            return Err(TargetError::Errno(14)); // EFAULT
        }
        crate::jit::invalidate_range(start, data.len() as u64);
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
