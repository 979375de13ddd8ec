//! `kestrel-aarch64`: runs AArch64 Linux programs on an x86-64 Linux host.
//!
//! Start-up is `cli` (options) -> `startup` (loader, heap, stack, registers) ->
//! `runner` (execution loop, system calls via `syscall`). Guest memory is
//! identity-mapped; `mm` tracks which host pages are the guest's.

mod binfmt;
mod brk;
mod cli;
mod code_cache;
mod elf;
mod fault;
mod gdb;
mod guest_mem;
mod host_cmdline;
mod host_mem;
mod hwcap;
mod loader;
mod logging;
mod mm;
mod mmap;
mod proc;
mod process;
mod runner;
mod safe_syscall;
mod sigframe;
mod signals;
mod stack;
mod startup;
mod syscall;
mod threads;

use cli::{Parsed, PROGRAM_NAME};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether SIGPIPE was ignored when this process was executed. Rust's runtime
/// sets SIGPIPE to "ignore" before `main`; this constructor runs earlier (from
/// `.init_array`) so the guest can inherit the real disposition.
static SIGPIPE_WAS_IGNORED: AtomicBool = AtomicBool::new(false);

extern "C" fn record_inherited_sigpipe() {
    // SAFETY: querying a disposition into a zeroed struct.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0 {
            SIGPIPE_WAS_IGNORED.store(old.sa_sigaction == libc::SIG_IGN, Ordering::Relaxed);
        }
    }
}

#[used]
#[link_section = ".init_array"]
static RECORD_INHERITED_SIGPIPE: extern "C" fn() = record_inherited_sigpipe;

fn restore_sigpipe() {
    let disposition = if SIGPIPE_WAS_IGNORED.load(Ordering::Relaxed) {
        libc::SIG_IGN
    } else {
        libc::SIG_DFL
    };
    // SAFETY: setting a standard disposition for SIGPIPE.
    unsafe { libc::signal(libc::SIGPIPE, disposition) };
}

fn main() {
    restore_sigpipe();
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    // Started by binfmt_misc: every argument is the guest's.
    let started = binfmt::Invocation::current();
    if started.by_binfmt() {
        args = started.command_line(&args);
    }
    // Running with a set-user-ID program's credentials (binfmt_misc `C`):
    // the caller's KESTREL_* variables must not choose what gets loaded or
    // which file the log goes to.
    // SAFETY: getauxval only reads the auxiliary vector.
    let secure = unsafe { libc::getauxval(libc::AT_SECURE) } != 0;
    let env = |name: &str| if secure { None } else { std::env::var_os(name) };
    let mut opts = match cli::parse(&args, &env) {
        Ok(Parsed::Run(opts)) => opts,
        Ok(Parsed::Exit(code)) => std::process::exit(code),
        Ok(Parsed::Binfmt(request)) => std::process::exit(binfmt::run(&request).unwrap_or_else(|err| {
            eprintln!("{PROGRAM_NAME}: {err}");
            1
        })),
        Err(err) => {
            eprintln!("{PROGRAM_NAME}: {err}");
            eprintln!("Try '{PROGRAM_NAME} -h' for more information.");
            std::process::exit(1);
        }
    };
    opts.exec_fd = started.exec_fd;
    if let Err(err) = logging::init(opts.log_items, opts.log_file.as_deref()) {
        let file = opts.log_file.as_deref().unwrap_or(std::path::Path::new("")).display();
        eprintln!("kestrel: {file}: {err}");
        std::process::exit(1);
    }
    if opts.gdb_port.is_some() {
        // Programs the guest runs are not debugged (as with qemu): the
        // variables must not reach them (start-up copies the environment
        // into the guest's) and make them wait for a debugger of their own.
        std::env::remove_var("KESTREL_GDB");
        std::env::remove_var("QEMU_GDB");
    }
    match startup::start(&opts) {
        Ok((proc, cpu)) => {
            fault::install();
            if let Some(port) = opts.gdb_port {
                if let Err(err) = gdb::start(port) {
                    eprintln!("kestrel: gdb: cannot listen on port {port}: {err}");
                    std::process::exit(1);
                }
            }
            runner::run(proc, cpu)
        }
        Err(err) => {
            eprintln!("kestrel: {err}");
            std::process::exit(1);
        }
    }
}
