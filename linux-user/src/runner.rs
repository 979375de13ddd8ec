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
            ExitReason::Syscall => syscall::handle(&mut proc, cpu),
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
                note_undelivered(&mut proc, signals::take_pending());
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

/// Signals caught for guest handlers cannot be delivered yet; say so once each.
fn note_undelivered(proc: &mut Process, pending: u64) {
    for sig in 1..=signals::NSIG {
        if pending & signals::bit(sig) != 0 && proc.reported_unimplemented.insert(3 << 32 | sig as u64) {
            logging::unimp(&format!(
                "kestrel: signal {sig} arrived for a guest handler; delivery is not implemented yet"
            ));
        }
    }
}
