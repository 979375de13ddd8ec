//! Delivering a signal into a guest handler, and `rt_sigreturn`.
//!
//! The frame is the AArch64 Linux `struct rt_sigframe` (arch/arm64 uapi):
//!
//! ```text
//! sp ->  siginfo                 128 bytes
//!        ucontext                uc_flags, uc_link, uc_stack (24), uc_sigmask (8),
//!                                padding to 1024 bits of sigset, then
//!        sigcontext (16-aligned) fault_address, regs[31], sp, pc, pstate,
//!                                __reserved[4096]: fpsimd_context, esr_context
//!                                (for faults), terminator
//!        frame record            x29, x30 of the interrupted code
//! ```
//!
//! The handler runs with x0 = signal, x1 = &siginfo, x2 = &ucontext, x29
//! pointing at the frame record and x30 = the restorer: the guest's
//! `sa_restorer` when `SA_RESTORER` is set, otherwise a two-instruction
//! trampoline (`mov x8, #139; svc #0`) Kestrel maps once, standing in for the
//! vDSO's `__kernel_rt_sigreturn`.

use crate::process::Process;
use crate::signals::{bit, GuestSigaction, SIG_DFL, SS_DISABLE, SS_ONSTACK};
use kestrel::guest::aarch64::cpu::CpuState;
use std::sync::atomic::{AtomicU64, Ordering};

/// `SA_ONSTACK`.
pub const SA_ONSTACK: u64 = 0x0800_0000;
/// `SA_RESTART`.
pub const SA_RESTART: u64 = 0x1000_0000;
/// `SA_NODEFER`.
pub const SA_NODEFER: u64 = 0x4000_0000;
/// `SA_RESETHAND`.
pub const SA_RESETHAND: u64 = 0x8000_0000;
/// `SA_RESTORER`.
pub const SA_RESTORER: u64 = 0x0400_0000;

const SIGINFO_SIZE: u64 = 128;
const UC_OFFSET: u64 = SIGINFO_SIZE;
const UC_STACK: u64 = UC_OFFSET + 16;
const UC_SIGMASK: u64 = UC_OFFSET + 40;
/// `uc_mcontext`: after 1024 bits of sigset space, aligned to 16.
const MCONTEXT: u64 = (UC_OFFSET + 40 + 128 + 15) & !15;
const MC_FAULT_ADDRESS: u64 = MCONTEXT;
const MC_REGS: u64 = MCONTEXT + 8;
const MC_SP: u64 = MC_REGS + 31 * 8;
const MC_PC: u64 = MC_SP + 8;
const MC_PSTATE: u64 = MC_PC + 8;
const MC_RESERVED: u64 = (MC_PSTATE + 8 + 15) & !15;
const RESERVED_SIZE: u64 = 4096;
const FPSIMD_MAGIC: u32 = 0x4650_8001;
const FPSIMD_SIZE: u32 = 528;
const ESR_MAGIC: u32 = 0x4553_5201;
const ESR_SIZE: u32 = 16;
/// Size of `struct rt_sigframe`.
const SIGFRAME_SIZE: u64 = MC_RESERVED + RESERVED_SIZE;
/// The frame plus the 16-byte frame record.
const FRAME_TOTAL: u64 = SIGFRAME_SIZE + 16;

/// Details of one signal for `siginfo_t`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SigInfo {
    /// `si_code` (`SI_USER` = 0, `SI_KERNEL` = 0x80, `SEGV_MAPERR` = 1, ...).
    pub code: i32,
    /// `si_pid` for signals sent by a process, or `si_addr` for faults.
    pub pid_or_addr: u64,
    /// `si_uid` for signals sent by a process.
    pub uid: u32,
    /// Exception syndrome for synchronous faults (esr_context), if any.
    pub esr: Option<u64>,
}

fn w64(addr: u64, v: u64) {
    // SAFETY: the frame lies on the guest stack, which the guest owns; a bad
    // stack faults like the kernel's failed frame write would (SIGSEGV).
    unsafe { kestrel::mem::write::<u64>(addr, v) }
}
fn w32(addr: u64, v: u32) {
    // SAFETY: as for `w64`.
    unsafe { kestrel::mem::write::<u32>(addr, v) }
}
fn r64(addr: u64) -> u64 {
    // SAFETY: reading the frame the handler returns through; as for `w64`.
    unsafe { kestrel::mem::read::<u64>(addr) }
}
fn r32(addr: u64) -> u32 {
    // SAFETY: as for `r64`.
    unsafe { kestrel::mem::read::<u32>(addr) }
}

/// Address of the sigreturn trampoline, mapped on first use.
static TRAMPOLINE: AtomicU64 = AtomicU64::new(0);

fn trampoline() -> u64 {
    let t = TRAMPOLINE.load(Ordering::Acquire);
    if t != 0 {
        return t;
    }
    // SAFETY: a fresh anonymous page, written before it is made executable
    // for the guest (guest code is only ever read by the translator).
    let page = unsafe {
        let p = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
        if p == libc::MAP_FAILED {
            return 0;
        }
        let words: [u32; 2] = [0xd280_1168, 0xd400_0001]; // mov x8, #139; svc #0
        std::ptr::copy_nonoverlapping(words.as_ptr() as *const u8, p as *mut u8, 8);
        libc::mprotect(p, 4096, libc::PROT_READ | libc::PROT_EXEC);
        p as u64
    };
    TRAMPOLINE.store(page, Ordering::Release);
    page
}

fn on_altstack(proc: &Process, sp: u64) -> bool {
    let a = proc.signals.altstack;
    a.flags & SS_DISABLE == 0 && sp > a.sp && sp <= a.sp + a.size
}

/// Builds the signal frame for `sig` and points the CPU at the handler.
/// The caller has checked that `sig` has a guest handler and is not blocked.
pub fn deliver(proc: &mut Process, cpu: &mut CpuState, sig: usize, info: SigInfo) {
    let mask = proc.signals.mask;
    deliver_with_mask(proc, cpu, sig, info, mask);
}

/// Like [`deliver`], with the handler's mask built on `running_mask` (the
/// temporary mask of an interrupted `rt_sigsuspend`) while the frame saves the
/// process's current mask for sigreturn to restore.
pub fn deliver_with_mask(proc: &mut Process, cpu: &mut CpuState, sig: usize, info: SigInfo, running_mask: u64) {
    let action: GuestSigaction = proc.signals.actions[sig - 1];
    let old_mask = proc.signals.mask;
    let altstack = proc.signals.altstack;
    let sp_now = cpu.x[31];

    let mut top = sp_now;
    if action.flags & SA_ONSTACK != 0 && altstack.flags & SS_DISABLE == 0 && !on_altstack(proc, sp_now) {
        top = altstack.sp + altstack.size;
    }
    let frame = (top - FRAME_TOTAL) & !15;

    // siginfo
    for off in (0..SIGINFO_SIZE).step_by(8) {
        w64(frame + off, 0);
    }
    w32(frame, sig as u32);
    w32(frame + 8, info.code as u32);
    w64(frame + 16, info.pid_or_addr);
    if info.esr.is_none() {
        w32(frame + 20, info.uid);
    }

    // ucontext header
    w64(frame + UC_OFFSET, 0);
    w64(frame + UC_OFFSET + 8, 0);
    w64(frame + UC_STACK, altstack.sp);
    let ss_flags = if altstack.flags & SS_DISABLE != 0 {
        SS_DISABLE
    } else if on_altstack(proc, sp_now) {
        SS_ONSTACK
    } else {
        0
    };
    w32(frame + UC_STACK + 8, ss_flags as u32);
    w32(frame + UC_STACK + 12, 0);
    w64(frame + UC_STACK + 16, altstack.size);
    w64(frame + UC_SIGMASK, old_mask);

    // sigcontext
    w64(frame + MC_FAULT_ADDRESS, if info.esr.is_some() { info.pid_or_addr } else { 0 });
    for r in 0..31 {
        w64(frame + MC_REGS + 8 * r as u64, cpu.x[r]);
    }
    w64(frame + MC_SP, sp_now);
    w64(frame + MC_PC, cpu.pc);
    // PSTATE: NZCV and BTYPE (bits 11:10).
    w64(frame + MC_PSTATE, cpu.nzcv() | (cpu.btype & 3) << 10);

    // __reserved: fpsimd_context, optional esr_context, terminator.
    let mut rec = frame + MC_RESERVED;
    w32(rec, FPSIMD_MAGIC);
    w32(rec + 4, FPSIMD_SIZE);
    let fpsr = kestrel::guest::aarch64::sysregs::read(cpu, kestrel::guest::aarch64::sysregs::FPSR).unwrap_or(cpu.fpsr);
    w32(rec + 8, fpsr as u32);
    w32(rec + 12, cpu.fpcr as u32);
    for v in 0..32 {
        let val = cpu.v[v];
        w64(rec + 16 + 16 * v as u64, val as u64);
        w64(rec + 24 + 16 * v as u64, (val >> 64) as u64);
    }
    rec += FPSIMD_SIZE as u64;
    if let Some(esr) = info.esr {
        w32(rec, ESR_MAGIC);
        w32(rec + 4, ESR_SIZE);
        w64(rec + 8, esr);
        rec += ESR_SIZE as u64;
    }
    w32(rec, 0);
    w32(rec + 4, 0);

    // Frame record, so unwinders walk from the handler into the interrupted code.
    let record = frame + SIGFRAME_SIZE;
    w64(record, cpu.x[29]);
    w64(record + 8, cpu.x[30]);

    // Enter the handler.
    let restorer = if action.flags & SA_RESTORER != 0 && action.restorer != 0 { action.restorer } else { trampoline() };
    cpu.x[0] = sig as u64;
    cpu.x[1] = frame;
    cpu.x[2] = frame + UC_OFFSET;
    cpu.x[29] = record;
    cpu.x[30] = restorer;
    cpu.x[31] = frame;
    cpu.pc = action.handler;
    // Linux enters handlers as if called by BLR (BTYPE 2), so a handler on a
    // guarded page must start with BTI c or PACIASP.
    cpu.btype = if kestrel::guest::aarch64::bti::active() { 2 } else { 0 };

    let mut mask = running_mask | action.mask;
    if action.flags & SA_NODEFER == 0 {
        mask |= bit(sig);
    }
    proc.signals.mask = mask & !crate::signals::unblockable();
    crate::signals::apply_host_mask(proc.signals.mask);
    if action.flags & SA_RESETHAND != 0 {
        proc.signals.actions[sig - 1] = GuestSigaction { handler: SIG_DFL, ..GuestSigaction::default() };
        crate::signals::apply_host_disposition(sig, &proc.signals.actions[sig - 1]);
    }
}

/// `rt_sigreturn`: restores the state saved by [`deliver`] (as possibly
/// modified by the handler) from the frame at the current SP.
pub fn sigreturn(proc: &mut Process, cpu: &mut CpuState) {
    let frame = cpu.x[31];
    for r in 0..31 {
        cpu.x[r] = r64(frame + MC_REGS + 8 * r as u64);
    }
    cpu.x[31] = r64(frame + MC_SP);
    cpu.pc = r64(frame + MC_PC);
    let pstate = r64(frame + MC_PSTATE);
    cpu.set_nzcv(pstate & 0xf000_0000);
    cpu.btype = (pstate >> 10) & 3;
    let rec = frame + MC_RESERVED;
    if r32(rec) == FPSIMD_MAGIC {
        let fpsr = r32(rec + 8) as u64;
        let _ = kestrel::guest::aarch64::sysregs::write(cpu, kestrel::guest::aarch64::sysregs::FPSR, fpsr);
        cpu.fpcr = (r32(rec + 12) as u64) & 0x07ff_0000;
        for v in 0..32 {
            let lo = r64(rec + 16 + 16 * v as u64) as u128;
            let hi = r64(rec + 24 + 16 * v as u64) as u128;
            cpu.v[v] = (hi << 64) | lo;
        }
    }
    proc.signals.mask = r64(frame + UC_SIGMASK) & !crate::signals::unblockable();
    crate::signals::apply_host_mask(proc.signals.mask);
    cpu.excl_addr = u64::MAX;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_kernel_uapi() {
        // Offsets of struct rt_sigframe members on AArch64 Linux.
        assert_eq!(UC_OFFSET, 128);
        assert_eq!(UC_SIGMASK, 168);
        assert_eq!(MCONTEXT, 304);
        assert_eq!(MC_SP, 304 + 8 + 248);
        assert_eq!(MC_RESERVED, 592);
        assert_eq!(SIGFRAME_SIZE, 4688);
    }
}
