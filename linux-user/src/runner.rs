//! The execution loop: run guest code until it needs the operating system,
//! handle that, and continue.

use crate::logging;
use crate::process::Process;
use crate::signals;
use crate::syscall;
use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{Engine, EngineConfig, ExitReason};
use std::sync::atomic::Ordering;

/// Engine settings from the command line.
pub fn engine_config(proc: &Process) -> EngineConfig {
    let defaults = EngineConfig::default();
    EngineConfig {
        interpret_only: proc.settings.interpret_only,
        jit_threshold: proc.settings.jit_threshold.unwrap_or(defaults.jit_threshold),
        // `-d in_asm`: show each compiled region (guest code as IR, then host code).
        dump_code: proc.settings.log_items.in_asm,
        ..defaults
    }
}

/// Runs the guest until it exits; never returns.
pub fn run(mut proc: Process, cpu: CpuState) -> ! {
    let mut engine = Engine::new(engine_config(&proc));
    // The CPU state lives for the rest of the process at a fixed address, so
    // the host signal handler may flag it (see `signals::set_current_cpu`).
    let cpu_ptr: *mut CpuState = Box::into_raw(Box::new(cpu));
    signals::set_current_cpu(cpu_ptr);
    loop {
        // SAFETY: `cpu_ptr` came from Box::into_raw and is never freed; this
        // loop is its only user apart from the signal handler, which touches
        // only the atomic `exit_request`.
        let cpu = unsafe { &mut *cpu_ptr };
        match engine.run(cpu) {
            ExitReason::Syscall => {
                syscall::handle(&mut proc, cpu);
                deliver_pending(&mut proc, cpu);
            }
            ExitReason::Undefined { pc, word } => {
                let line = format!("kestrel: unimplemented/undefined instruction 0x{word:08x} at 0x{pc:x}");
                report_fatal(&line);
                signals::die_by_signal(libc::SIGILL);
            }
            ExitReason::Breakpoint { pc, imm } => {
                report_fatal(&format!("kestrel: breakpoint (brk #{imm:#x}) at 0x{pc:x}"));
                signals::die_by_signal(libc::SIGTRAP);
            }
            ExitReason::Alignment { pc, addr } => {
                report_fatal(&format!("kestrel: misaligned atomic access to 0x{addr:x} at 0x{pc:x}"));
                signals::die_by_signal(libc::SIGBUS);
            }
            ExitReason::ExitRequest => {
                cpu.exit_request.store(0, Ordering::SeqCst);
                deliver_pending(&mut proc, cpu);
            }
        }
    }
}

/// Writes a fatal message to standard error (and to the log file, if any).
fn report_fatal(line: &str) {
    eprintln!("{line}");
    if proc_has_log_file() {
        logging::line(line);
    }
}

fn proc_has_log_file() -> bool {
    logging::is_internal_fd(logging::current_fd())
}

/// Delivers the lowest pending signal that the guest does not block into its
/// handler; others stay pending and are delivered at the next opportunity
/// (the engine is asked to come back at once).
fn deliver_pending(proc: &mut Process, cpu: &mut CpuState) {
    let pending = signals::take_pending();
    let deliverable = pending & !proc.signals.mask;
    if deliverable == 0 {
        signals::repost_pending(pending);
        if let Some(saved) = proc.signals.saved_mask.take() {
            // rt_sigsuspend returned without a handler to run.
            proc.signals.mask = saved;
        }
        return;
    }
    let sig = deliverable.trailing_zeros() as usize + 1;
    let rest = pending & !signals::bit(sig);
    let action = proc.signals.actions[sig - 1];
    if action.handler > signals::SIG_IGN {
        let (code, pid, uid) = signals::sender(sig);
        let info = crate::sigframe::SigInfo { code, pid_or_addr: pid as u64, uid, esr: None };
        if let Some(saved) = proc.signals.saved_mask.take() {
            let temporary = proc.signals.mask;
            proc.signals.mask = saved;
            crate::sigframe::deliver_with_mask(proc, cpu, sig, info, temporary);
        } else {
            crate::sigframe::deliver(proc, cpu, sig, info);
        }
    }
    if rest != 0 {
        signals::repost_pending(rest);
        cpu.exit_request.store(1, Ordering::SeqCst);
    }
}
