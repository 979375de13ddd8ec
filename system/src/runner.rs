//! Running a machine from start to shutdown: the vCPU threads, the console
//! and the signals that end a run.

use std::sync::Arc;

use crate::board::BootImages;
use crate::config::{MachineConfig, SerialBackend};
use crate::console;
use crate::cpu::{idregs, Vcpu};
use crate::machine::{Machine, MachineError, Shutdown};

/// Stack of a vCPU thread: the interpreter's frames are small, but some
/// SIMD helpers keep buffers on the stack.
const VCPU_STACK: usize = 8 << 20;

/// Blocks SIGTERM and SIGHUP in this thread (and the threads it starts) and
/// turns them into a quit from a thread of their own, so the terminal is
/// restored and the disks are closed on the way out.
fn route_termination_signals(machine: Arc<Machine>) {
    // SAFETY: building a signal set and blocking it in this thread.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGHUP);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    let _ = std::thread::Builder::new().name("signals".into()).spawn(move || loop {
        let mut sig = 0;
        // SAFETY: waiting on the set blocked above.
        if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
            machine.request_shutdown(Shutdown::Quit);
        }
    });
}

/// Translated code returns to its vCPU's loop only at block boundaries when
/// asked; this thread asks every vCPU once a millisecond, so timer
/// interrupts are taken on time (a vCPU idle in WFI sleeps until its timer
/// is due instead).
const TICK: std::time::Duration = std::time::Duration::from_millis(1);

fn spawn_ticker(machine: Arc<Machine>) {
    let _ = std::thread::Builder::new().name("ticker".into()).spawn(move || {
        while !machine.stopping() {
            std::thread::sleep(TICK);
            for port in &machine.cpus {
                port.tick();
            }
        }
    });
}

/// Boots `images` on a machine built from `config` and runs it until the
/// guest powers off or resets, or the user quits.
pub fn run(config: &MachineConfig, images: &BootImages) -> Result<Shutdown, MachineError> {
    if config.stats {
        kestrel::jit::stats::count_reference_calls();
    }
    let plan = images.plan.as_ref().ok_or(MachineError::Unsupported("running without -kernel"))?;
    idregs::install(config.cpu);
    kestrel::guest::aarch64::interp::set_mrs_hook(crate::cpu::read_el1_register);
    kestrel::guest::aarch64::interp::set_msr_hook(crate::cpu::write_el1_register);
    let machine = Machine::build(config)?;
    machine.load(images)?;
    route_termination_signals(machine.clone());
    if config.serial == SerialBackend::MonStdio {
        console::enter_raw_mode(false);
    }
    if config.start_paused && config.gdb.is_none() {
        // -S alone: the monitor's `cont` starts the machine.
        machine.pause();
    }
    console::spawn_input(machine.clone(), config.serial);
    if let Some(gdb) = &config.gdb {
        let (port, memory) = (gdb.port, Box::new(crate::gdb::BoardMemory::new(machine.clone())));
        let program = crate::cli::PROGRAM_NAME;
        if config.start_paused {
            // -S: nothing runs before gdb is there.
            kestrel::gdb::start(port, memory, program).map_err(|e| MachineError::Gdb(e.to_string()))?;
        } else {
            // gdb may attach at any time; the guest runs meanwhile.
            let _ = std::thread::Builder::new().name("gdb-listen".into()).spawn(move || {
                if let Err(e) = kestrel::gdb::start(port, memory, program) {
                    eprintln!("{program}: gdb stub: {e}");
                }
            });
        }
    }
    let mut threads = Vec::new();
    for index in 0..config.smp as usize {
        let m = machine.clone();
        let entry = (index == 0).then_some((plan.entry.pc, plan.entry.x0));
        let thread = std::thread::Builder::new()
            .name(format!("vcpu{index}"))
            .stack_size(VCPU_STACK)
            .spawn(move || Vcpu::new(index, m).run(entry))
            .map_err(|e| MachineError::Load(format!("cannot start a vCPU thread: {e}")))?;
        threads.push(thread);
    }
    spawn_ticker(machine.clone());
    let why = machine.wait_for_shutdown();
    // A debugger sees the end of the run as the end of its inferior.
    kestrel::gdb::process_exiting(crate::gdb::tid(0), 0);
    for t in threads {
        let _ = t.join();
    }
    console::restore_terminal();
    if config.stats {
        print_stats(&machine);
    }
    Ok(why)
}

/// `-d stats`: what the translators did, and what sent the vCPUs back to
/// their loop.
fn print_stats(machine: &Machine) {
    eprintln!("{}", kestrel::jit::stats::Totals::current());
    let code = &machine.code_pages;
    eprintln!(
        "  system: {} returns to the vCPU loop for system instructions, {} RAM pages became code, {} code pages written, {} broadcast TLB invalidations, {} translations found made from another physical page",
        machine.system_exits.load(std::sync::atomic::Ordering::Relaxed),
        code.marks(),
        code.unmarks(),
        machine.tlb_broadcasts.load(std::sync::atomic::Ordering::Relaxed),
        kestrel::jit::stats::stale_translations()
    );
    for (word, count) in machine.top_exit_words(10) {
        eprintln!("    {count:>10}  {word:08x}  {}", system_instruction_name(word));
    }
}

/// A name for a system instruction's word (Rt cleared), in the generic
/// spelling of its fields.
fn system_instruction_name(word: u32) -> String {
    let f = |hi: u32, lo: u32| (word >> lo) & ((1 << (hi - lo + 1)) - 1);
    let (op1, crn, crm, op2) = (f(18, 16), f(15, 12), f(11, 8), f(7, 5));
    match word & 0xfff8_0000 {
        0xd510_0000 | 0xd518_0000 => format!("msr s{}_{op1}_c{crn}_c{crm}_{op2}", 2 + f(19, 19)),
        0xd530_0000 | 0xd538_0000 => format!("mrs s{}_{op1}_c{crn}_c{crm}_{op2}", 2 + f(19, 19)),
        0xd508_0000 => format!("sys #{op1}, c{crn}, c{crm}, #{op2}"),
        0xd500_0000 if crn == 4 => format!("msr pstate (op1 {op1}, op2 {op2}), #{crm}"),
        0xd500_0000 if crn == 2 => format!("hint #{}", crm << 3 | op2),
        _ if word & 0xff00_0000 == 0xd400_0000 => "exception generation".into(),
        _ if word == 0xd69f_03e0 => "eret".into(),
        _ => "other".into(),
    }
}
