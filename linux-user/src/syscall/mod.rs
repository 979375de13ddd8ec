//! The system call layer: decodes an AArch64 `SVC #0` (number in x8,
//! arguments in x0..x5, result in x0) and carries it out on the host.
//!
//! Generic code lives in the per-area modules; what is specific to the AArch64
//! ABI (numbers, struct layouts, flag values) is kept in `numbers.rs` and
//! `abi.rs`. Calls with identical arguments on both architectures go through
//! the `passthrough.rs` table, run by `unlocked.rs` without the process lock.

pub mod abi;
pub mod clone_args;
pub mod exec;
pub mod fs;
pub mod host;
pub mod ipc;
pub mod memory;
pub mod numbers;
pub mod passthrough;
pub mod process;
pub mod signal;
pub mod strace;
pub mod unlocked;

use crate::logging;
use crate::process::Process;
use host::SysResult;
use kestrel::guest::aarch64::cpu::CpuState;
use nix::errno::Errno;

/// Handles the system call the guest just made, under the process lock;
/// writes the result to x0. Calls that may block are handled by
/// [`unlocked::try_handle`] first, without the lock.
pub fn handle(proc: &mut Process, cpu: &mut CpuState) {
    let nr = cpu.x[8];
    let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
    if nr == numbers::RT_SIGRETURN {
        // Restores every register from the signal frame; there is no result.
        if logging::items().strace {
            logging::line(&format!("{} rt_sigreturn()", std::process::id()));
        }
        crate::sigframe::sigreturn(proc, cpu);
        return;
    }
    let trace = logging::items().strace.then(|| strace::begin(&proc.mm, nr, &args));
    let result = dispatch(proc, cpu, nr, args);
    if let Some(call) = trace {
        strace::finish(nr, call, &result);
    }
    if result == Err(host::NOT_STARTED) || result == Err(Errno::EINTR) && restart_after_handler(proc, nr) {
        // The call was interrupted by a signal whose handler asked for
        // SA_RESTART: run the handler, then the SVC again with the same
        // arguments, as the kernel does.
        cpu.pc -= 4;
        return;
    }
    cpu.x[0] = host::encode(result);
}

/// Calls Linux never restarts after a handler, SA_RESTART or not (signal(7)):
/// they return EINTR, and their timeouts would start again if rerun.
fn never_restarted(nr: u64) -> bool {
    use numbers as n;
    matches!(
        nr,
        n::RT_SIGSUSPEND
            | n::RT_SIGTIMEDWAIT
            | n::EPOLL_PWAIT
            | n::EPOLL_PWAIT2
            | n::PPOLL
            | n::PSELECT6
            | n::NANOSLEEP
            | n::CLOCK_NANOSLEEP
            | n::MSGRCV
            | n::MSGSND
            | n::SEMOP
            | n::SEMTIMEDOP
            | n::IO_GETEVENTS
            // The descriptor is gone even when close says EINTR; running it
            // again could close one another thread just opened.
            | n::CLOSE
    )
}

/// True if call `nr`, interrupted, is to run again after the signal about
/// to be delivered: its handler has `SA_RESTART`, and the call is one Linux
/// restarts.
pub fn restart_after_handler(proc: &Process, nr: u64) -> bool {
    if never_restarted(nr) {
        return false;
    }
    let pending = crate::signals::peek_pending() & !proc.signals.mask;
    if pending == 0 {
        return false;
    }
    let sig = pending.trailing_zeros() as usize + 1;
    proc.signals.actions[sig - 1].flags & crate::sigframe::SA_RESTART != 0
}

/// Runs one system call.
pub fn dispatch(proc: &mut Process, cpu: &mut CpuState, nr: u64, a: [u64; 6]) -> SysResult {
    use numbers as n;
    match nr {
        // Files.
        n::CLOSE_RANGE => fs::close_range(a[0], a[1], a[2]),
        n::DUP => fs::dup(a[0]),
        n::DUP3 => fs::dup3(a[0], a[1], a[2]),
        n::PIPE2 => fs::pipe2(a[0], a[1]),
        n::NEWFSTATAT => fs::newfstatat(proc, a[0], a[1], a[2], a[3]),
        n::FSTAT => fs::fstat(proc, a[0], a[1]),
        n::STATX => fs::statx(proc, a[0], a[1], a[2], a[3], a[4]),
        n::FACCESSAT => fs::faccessat(proc, a[0], a[1], a[2], None),
        n::FACCESSAT2 => fs::faccessat(proc, a[0], a[1], a[2], Some(a[3])),
        n::READLINKAT => fs::readlinkat(proc, a[0], a[1], a[2], a[3]),
        n::EPOLL_CTL => fs::epoll_ctl(proc, a[0], a[1], a[2], a[3]),

        // Memory.
        n::MMAP => memory::mmap(proc, a),
        n::MUNMAP => memory::munmap(proc, a[0], a[1]),
        n::MPROTECT => memory::mprotect(proc, a[0], a[1], a[2]),
        n::MREMAP => memory::mremap(proc, a),
        n::MADVISE => memory::madvise(proc, a[0], a[1], a[2]),
        n::BRK => memory::brk(proc, a[0]),
        n::SHMAT => ipc::shmat(&mut proc.mm, a[0], a[1], a[2]),
        n::SHMDT => ipc::shmdt(&mut proc.mm, a[0]),
        n::SEMCTL => ipc::semctl(&proc.mm, a),

        // Processes.
        n::EXIT | n::EXIT_GROUP => process::exit_process(a[0]),
        n::CLONE => process::clone(proc, cpu, a),
        n::CLONE3 => process::clone3(proc, cpu, a),
        n::EXECVE => exec::execve(proc, a[0], a[1], a[2]),
        n::EXECVEAT => exec::execveat(proc, a),
        n::SET_TID_ADDRESS => process::set_tid_address(proc, a[0]),
        n::SET_ROBUST_LIST => process::set_robust_list(proc, a[0], a[1]),
        n::GET_ROBUST_LIST => process::get_robust_list(proc, a[0], a[1], a[2]),
        n::RSEQ => Err(Errno::ENOSYS), // optional for glibc; needs per-thread emulation
        n::UNAME => process::uname(proc, a[0]),
        n::PRCTL => process::prctl(a),
        n::PERSONALITY => process::personality(proc, a[0]),
        n::PRLIMIT64 => process::prlimit64(a),
        n::GETRLIMIT => process::getrlimit(a[0], a[1]),
        n::SETRLIMIT => process::setrlimit(a[0], a[1]),

        // Signals.
        n::RT_SIGACTION => signal::rt_sigaction(proc, a[0], a[1], a[2], a[3]),
        n::RT_SIGPROCMASK => signal::rt_sigprocmask(proc, a[0], a[1], a[2], a[3]),
        n::RT_SIGPENDING => signal::rt_sigpending(proc, a[0], a[1]),
        n::SIGALTSTACK => signal::sigaltstack(proc, a[0], a[1]),

        // Pass-through calls never get here: `unlocked::try_handle` runs
        // them without the lock.
        _ => unimplemented(proc, nr),
    }
}

/// Unknown or unsupported call: `ENOSYS`, reported once per number.
fn unimplemented(proc: &mut Process, nr: u64) -> SysResult {
    if proc.reported_unimplemented.insert(nr) {
        let name = numbers::info(nr).map(|i| i.name).unwrap_or("unknown");
        logging::unimp(&format!("kestrel: unimplemented system call {nr} ({name})"));
    }
    Err(Errno::ENOSYS)
}
