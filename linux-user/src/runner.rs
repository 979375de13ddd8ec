//! The execution loop: run guest code until it needs the operating system,
//! handle that, and continue.

use crate::logging;
use crate::fault;
use crate::process::Process;
use crate::threads::{self, Shared, ThreadState};
use crate::signals;
use crate::syscall;
use crate::syscall::clone_args::{CloneRequest, CLONE_PIDFD};
use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{CodeCache, Engine, EngineConfig, ExitReason};
use std::sync::atomic::Ordering;

/// Engine settings from the command line.
pub fn engine_config(proc: &Process) -> EngineConfig {
    let defaults = EngineConfig::default();
    let mut config = EngineConfig {
        jit_threshold: proc.settings.jit_threshold.unwrap_or(defaults.jit_threshold),
        // `-d in_asm`: show each compiled region (guest code as IR, then host code).
        dump_code: proc.settings.log_items.in_asm,
        perfmap: proc.settings.perfmap,
        ..defaults
    };
    if let Some(t) = proc.settings.tiers {
        t.apply(&mut config);
    }
    // KESTREL_COMPILE_THREAD=0 compiles hot regions on the guest thread
    // that found them (for comparisons and debugging).
    if std::env::var_os("KESTREL_COMPILE_THREAD").is_some_and(|v| v == "0") {
        config.background = false;
    }
    // `--interp` wins over everything.
    config.interpret_only |= proc.settings.interpret_only;
    config
}

/// Runs the guest until it exits; never returns.
pub fn run(proc: Process, cpu: CpuState) -> ! {
    let me = ThreadState::save_from(&proc);
    let shared: &'static Shared = Box::leak(Box::new(Shared::new(proc)));
    threads::publish(shared);
    kestrel::jit::cache::set_alias_resolver(shared_views);
    run_thread(shared, Box::new(cpu), me);
    // The main thread's guest code called `exit` while other threads run: the
    // process lives on until the last of them exits (that one ends it).
    signals::block_all_on_this_thread();
    loop {
        // SAFETY: pause just waits for a signal.
        unsafe { libc::pause() };
    }
}

/// For `IC IVAU`: the other views of a shared mapping (see
/// `AddressSpace::shared_aliases`).
fn shared_views(addr: u64) -> Vec<(u64, u64)> {
    threads::published().map(|shared| shared.with_process(|p| p.mm.shared_aliases(addr))).unwrap_or_default()
}

/// Runs one guest thread until it calls `exit` (returns) or the process ends.
fn run_thread(shared: &'static Shared, cpu: Box<CpuState>, mut me: ThreadState) {
    // Every thread runs the process's one set of translations.
    let mut engine = {
        let locked = shared.lock(&mut me);
        let config = engine_config(&locked);
        let code = CodeCache::for_process(&config);
        Engine::sharing(config, code)
    };
    // The CPU state stays at a fixed address while the thread runs, so the
    // host signal handler can flag it (see `threads::kick_all_cpus`).
    let cpu_ptr: *mut CpuState = Box::into_raw(cpu);
    let slot = threads::register_cpu(cpu_ptr);
    // SAFETY: `cpu_ptr` came from Box::into_raw; this loop is its only user
    // apart from the signal handler, which touches only `exit_request`.
    let cpu = unsafe { &mut *cpu_ptr };
    // SAFETY: gettid has no arguments and cannot fail.
    let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u32;
    crate::gdb::thread_started(tid, cpu_ptr);
    loop {
        // Under a debugger, one instruction at a time (see `gdb`).
        let debugging = crate::gdb::attached();
        let stepping = debugging && crate::gdb::checkpoint(tid, cpu);
        let mut reason = None;
        let ran = || {
            reason = if debugging { engine.step_one(cpu) } else { Some(engine.run(cpu)) };
        };
        if let Some(host_fault) = fault::guarded(ran) {
            // A guest load or store faulted: find the guest instruction and
            // give the guest its SIGSEGV/SIGBUS there.
            if let Some(pc) = engine.guest_pc_at(host_fault.host_pc) {
                cpu.pc = pc;
            }
            let mut locked = shared.lock(&mut me);
            deliver_fault(&mut locked, cpu, &host_fault);
            drop(locked);
            if stepping {
                // The step ends at the guest's handler.
                crate::gdb::step_done(tid);
            }
            continue;
        }
        let Some(reason) = reason else {
            if stepping {
                crate::gdb::step_done(tid);
            }
            continue;
        };
        match reason {
            ExitReason::Syscall => {
                if debugging {
                    crate::gdb::in_syscall(tid, true);
                }
                let exited = handle_syscall(shared, &mut me, cpu);
                if debugging {
                    crate::gdb::in_syscall(tid, false);
                }
                if let Some(status) = exited {
                    crate::gdb::thread_ended(tid);
                    if let Some(slot) = slot {
                        threads::unregister_cpu(slot);
                    }
                    // The CpuState stays allocated: the engine registered its
                    // exit flag, and leaking one page-sized struct per finished
                    // thread is cheaper than tracking that.
                    drop(engine);
                    if threads::thread_ended() == 0 {
                        crate::syscall::process::exit_process(status);
                    }
                    return;
                }
                let mut locked = shared.lock(&mut me);
                deliver_pending(&mut locked, cpu);
            }
            ExitReason::Undefined { pc, word } => {
                let mut locked = shared.lock(&mut me);
                if !has_handler(&locked, libc::SIGILL) {
                    let line = format!("kestrel: unimplemented/undefined instruction 0x{word:08x} at 0x{pc:x}");
                    report_fatal(&line);
                }
                // ILL_ILLOPC, at the instruction.
                deliver_synchronous(&mut locked, cpu, libc::SIGILL, 1, pc, ESR_IL);
            }
            ExitReason::Breakpoint { pc, imm } => {
                let mut locked = shared.lock(&mut me);
                if !has_handler(&locked, libc::SIGTRAP) {
                    report_fatal(&format!("kestrel: breakpoint (brk #{imm:#x}) at 0x{pc:x}"));
                }
                // TRAP_BRKPT.
                deliver_synchronous(&mut locked, cpu, libc::SIGTRAP, 1, pc, (0x3c << 26) | ESR_IL | imm as u64);
            }
            ExitReason::Alignment { pc, addr } => {
                let mut locked = shared.lock(&mut me);
                if !has_handler(&locked, libc::SIGBUS) {
                    report_fatal(&format!("kestrel: misaligned atomic access to 0x{addr:x} at 0x{pc:x}"));
                }
                // BUS_ADRALN.
                deliver_synchronous(&mut locked, cpu, libc::SIGBUS, 1, addr, (0x24 << 26) | ESR_IL | 0x21);
            }
            ExitReason::BranchTarget { pc } => {
                let mut locked = shared.lock(&mut me);
                if !has_handler(&locked, libc::SIGILL) {
                    report_fatal(&format!("kestrel: branch target exception (BTI, BTYPE {}) at 0x{pc:x}", cpu.btype));
                }
                // ILL_ILLOPC, with the Branch Target exception class and the
                // BTYPE in the ESR, as Linux reports it.
                let esr = (0x0d << 26) | ESR_IL | (cpu.btype & 3);
                deliver_synchronous(&mut locked, cpu, libc::SIGILL, 1, pc, esr);
            }
            ExitReason::ExitRequest => {
                cpu.exit_request.store(0, Ordering::SeqCst);
                let mut locked = shared.lock(&mut me);
                deliver_pending(&mut locked, cpu);
            }
            // Only engines in system mode hand system instructions back.
            ExitReason::System { pc, word } => {
                report_fatal(&format!("kestrel: system instruction 0x{word:08x} at 0x{pc:x} left to a user-mode front end"));
            }
        }
        if stepping {
            crate::gdb::step_done(tid);
        }
    }
}

/// ESR.IL: the instruction is 32 bits long.
const ESR_IL: u64 = 1 << 25;

/// True if the guest has a handler for `sig` and does not block it.
fn has_handler(proc: &Process, sig: i32) -> bool {
    let sig = sig as usize;
    proc.signals.actions[sig - 1].handler > signals::SIG_IGN && proc.signals.mask & signals::bit(sig) == 0
}

/// Delivers SIGILL/SIGTRAP/SIGBUS raised by an instruction at `cpu.pc` to the
/// guest's handler, or terminates the process as Linux does without one.
/// `esr` is the syndrome Linux reports in the frame's esr_context: exception
/// class 0 (unknown, for undefined instructions), 0x3c (BRK, with its
/// immediate) or 0x24 (data abort, alignment fault).
fn deliver_synchronous(proc: &mut Process, cpu: &mut CpuState, sig: i32, code: i32, addr: u64, esr: u64) {
    if !has_handler(proc, sig) {
        signals::die_by_signal(sig);
    }
    let info = crate::sigframe::SigInfo { code, pid_or_addr: addr, uid: 0, esr: Some(esr) };
    crate::sigframe::deliver(proc, cpu, sig as usize, info);
}

/// Delivers a synchronous fault to the guest's handler, or terminates the
/// process as Linux would when there is none (or the signal is blocked).
fn deliver_fault(proc: &mut Process, cpu: &mut CpuState, host_fault: &fault::HostFault) {
    let sig = host_fault.signal as usize;
    let action = proc.signals.actions[sig - 1];
    let blocked = proc.signals.mask & signals::bit(sig) != 0;
    if action.handler <= signals::SIG_IGN || blocked {
        signals::die_by_signal(host_fault.signal);
    }
    // Kestrel keeps pages the guest unmapped reserved (PROT_NONE) on the host,
    // so the host says ACCERR where Linux would say MAPERR.
    const SEGV_MAPERR: i32 = 1;
    let code = if sig == libc::SIGSEGV as usize && proc.mm.find(host_fault.addr).is_none() {
        SEGV_MAPERR
    } else {
        host_fault.code
    };
    let info = crate::sigframe::SigInfo {
        code,
        pid_or_addr: host_fault.addr,
        uid: 0,
        esr: Some(fault::data_abort_esr(host_fault)),
    };
    crate::sigframe::deliver(proc, cpu, sig, info);
}

/// Handles one system call. Returns `Some(status)` when this thread exits.
fn handle_syscall(shared: &'static Shared, me: &mut ThreadState, cpu: &mut CpuState) -> Option<u64> {
    use crate::syscall::numbers as n;
    let nr = cpu.x[8];
    match nr {
        n::EXIT => return Some(thread_exit(shared, me, cpu.x[0])),
        n::CLONE | n::CLONE3 => {
            let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
            let request = if nr == n::CLONE {
                Ok(CloneRequest::from_clone(args))
            } else {
                CloneRequest::from_clone3(&shared.lock(me).mm, args[0], args[1])
            };
            match request {
                Ok(req) if req.is_thread() => {
                    cpu.x[0] = spawn_thread(shared, me, cpu, &req);
                    return None;
                }
                Err(errno) => {
                    cpu.x[0] = crate::syscall::host::encode(Err(errno));
                    return None;
                }
                // A new process: under the lock, like every call that changes
                // Kestrel's state (see `syscall::process::clone_process`).
                Ok(_) => {}
            }
        }
        _ => {}
    }
    if syscall::unlocked::try_handle(shared, me, cpu) {
        return None;
    }
    let mut locked = shared.lock(me);
    syscall::handle(&mut locked, cpu);
    let vfork_wait = locked.vfork_wait.take();
    drop(locked);
    if let Some(fd) = vfork_wait {
        crate::syscall::process::wait_for_vfork_child(fd);
    }
    None
}

/// `exit` of one thread: clear and wake `clear_child_tid` as the kernel does,
/// then let the thread end. Returns the exit status.
fn thread_exit(shared: &'static Shared, me: &mut ThreadState, status: u64) -> u64 {
    let tid_addr = {
        let locked = shared.lock(me);
        locked.clear_child_tid
    };
    if tid_addr != 0 {
        // SAFETY: the guest registered this address for exactly this write; a
        // bad pointer is ignored by the kernel too, so check it is mapped.
        let ok = {
            let locked = shared.lock(me);
            locked.mm.check(tid_addr, 4, crate::mm::Access::Write)
        };
        if ok {
            // SAFETY: checked writable guest memory; futex wake on it.
            unsafe {
                kestrel::mem::write::<u32>(tid_addr, 0);
                libc::syscall(libc::SYS_futex, tid_addr, libc::FUTEX_WAKE, 1, 0, 0, 0);
            }
        }
    }
    status
}

/// Creates a guest thread for `clone(CLONE_VM | ...)` or `clone3`; returns
/// the value for the parent's x0 (the new thread's id, or a negative errno).
fn spawn_thread(shared: &'static Shared, me: &mut ThreadState, cpu: &mut CpuState, req: &CloneRequest) -> u64 {
    let (flags, newsp, ptid, tls, ctid) = (req.flags, req.stack_pointer, req.parent_tid, req.tls, req.child_tid);
    if flags & CLONE_PIDFD != 0 {
        // A pidfd for a thread needs PIDFD_THREAD (Linux 6.9); not offered.
        return (-(libc::EINVAL as i64)) as u64;
    }
    let mut child_cpu = Box::new(cpu.clone());
    child_cpu.x[0] = 0;
    if newsp != 0 {
        child_cpu.x[31] = newsp;
    }
    if flags & libc::CLONE_SETTLS as u64 != 0 {
        child_cpu.tpidr_el0 = tls;
    }
    let mut child_state = *me;
    child_state.saved_mask = None;
    child_state.robust_list = (0, 0);
    // A thread starts without an alternate signal stack (sigaltstack(2): a
    // CLONE_VM child has it disabled); inheriting the parent's would make two
    // threads run their handlers on one stack (Go adopts an existing one for
    // each new M, and then crashes under SIGURG preemption).
    child_state.altstack = crate::signals::AltStack::default();
    child_state.clear_child_tid = if flags & libc::CLONE_CHILD_CLEARTID as u64 != 0 { ctid } else { 0 };
    let (tid_tx, tid_rx) = std::sync::mpsc::channel::<u64>();
    threads::thread_started();
    let builder = std::thread::Builder::new().name("guest".into()).stack_size(16 << 20);
    let spawned = builder.spawn(move || {
        // SAFETY: gettid has no arguments and cannot fail.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u64;
        if flags & libc::CLONE_CHILD_SETTID as u64 != 0 {
            // SAFETY: the guest asked for its tid to be stored here; the write
            // happens before the thread runs guest code, as in the kernel.
            unsafe { kestrel::mem::write::<u32>(ctid, tid as u32) };
        }
        if flags & libc::CLONE_PARENT_SETTID as u64 != 0 {
            // SAFETY: as above, for the parent's copy.
            unsafe { kestrel::mem::write::<u32>(ptid, tid as u32) };
        }
        signals::apply_host_mask(child_state.mask);
        let _ = tid_tx.send(tid);
        run_thread(shared, child_cpu, child_state);
    });
    match spawned {
        Ok(_) => tid_rx.recv().unwrap_or((-(libc::EAGAIN as i64)) as u64),
        Err(_) => {
            threads::thread_ended();
            (-(libc::EAGAIN as i64)) as u64
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
