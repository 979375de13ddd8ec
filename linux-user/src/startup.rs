//! Building the new process: load the program, reserve the heap, lay out the
//! initial stack and registers — everything Linux's `execve` does before the
//! first guest instruction.

use kestrel::guest::aarch64::pac_insns;
use kestrel::guest::aarch64::pauth::PacAlgorithm;
use crate::brk;
use crate::cli::{EnvEdit, Options};
use crate::hwcap;
use crate::loader::{self, LoadError, LoadedProgram};
use crate::logging;
use crate::process::{Process, Settings};
use crate::signals;
use crate::stack::{self, AuxValue, StackContents, StackError};
use kestrel::guest::aarch64::cpu::{CpuState, SP};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// Why the guest could not be started; shown after `kestrel: `.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The program could not be loaded.
    #[error("{path}: {source}")]
    Load {
        /// Program path as given.
        path: String,
        /// What went wrong.
        source: LoadError,
    },
    /// The stack could not be built.
    #[error("{path}: {source}")]
    Stack {
        /// Program path as given.
        path: String,
        /// What went wrong.
        source: StackError,
    },
}

/// The guest environment: Kestrel's own, edited by `-E` / `-U` in order.
pub fn guest_environment(
    base: impl Iterator<Item = (OsString, OsString)>,
    edits: &[EnvEdit],
) -> Vec<Vec<u8>> {
    let name_of = |entry: &[u8]| -> Vec<u8> {
        entry.split(|&b| b == b'=').next().unwrap_or(entry).to_vec()
    };
    let mut env: Vec<Vec<u8>> = base
        .map(|(k, v)| {
            let mut e = k.into_vec();
            e.push(b'=');
            e.extend(v.into_vec());
            // A parent guest's loader variables arrive renamed (see exec.rs).
            crate::syscall::exec::unhide_loader_var(e)
        })
        .collect();
    for edit in edits {
        match edit {
            EnvEdit::Set(kv) => {
                let kv = kv.as_bytes().to_vec();
                let name = name_of(&kv);
                match env.iter_mut().find(|e| name_of(e) == name) {
                    Some(slot) => *slot = kv,
                    None => env.push(kv),
                }
            }
            EnvEdit::Unset(name) => {
                let name = name.as_bytes();
                env.retain(|e| name_of(e) != name);
            }
        }
    }
    env
}

/// 64 unpredictable bits (for pointer-authentication keys).
pub fn random_u64() -> u64 {
    u64::from_le_bytes(random_bytes()[..8].try_into().unwrap_or_default())
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    // SAFETY: getrandom writes at most 16 bytes into the buffer.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != 16 {
        // Still unpredictable enough for stack-protector canaries' purposes here.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = (t ^ ((std::process::id() as u128) << 64)).to_le_bytes();
    }
    bytes
}

fn auxv(settings: &Settings, program: &LoadedProgram) -> Vec<(u64, AuxValue)> {
    use stack::*;
    // SAFETY: these getters cannot fail.
    let (uid, euid, gid, egid) =
        unsafe { (libc::getuid(), libc::geteuid(), libc::getgid(), libc::getegid()) };
    let v = AuxValue::Value;
    // Pointer authentication: the model's algorithm (or -cpu ...,pauth-impdef)
    // and fresh random keys, as Linux gives every new process.
    let impdef = settings.pauth_impdef.unwrap_or(settings.cpu.default_pauth_impdef());
    let algorithm = if impdef { PacAlgorithm::ImpDef } else { PacAlgorithm::Qarma5 };
    pac_insns::set_algorithm(algorithm);
    pac_insns::reset_keys(0, random_u64);
    // MRS of the ID registers must tell the same story as AT_HWCAP.
    kestrel::guest::aarch64::sysregs::set_cpu_identity(
        settings.cpu.midr(),
        hwcap::hwcap(settings.cpu),
        hwcap::hwcap2(settings.cpu),
    );
    // The order Linux uses (create_elf_tables); AArch64 adds no vDSO here.
    vec![
        (AT_HWCAP, v(hwcap::hwcap(settings.cpu))),
        (AT_PAGESZ, v(crate::mm::PAGE_SIZE)),
        (AT_CLKTCK, v(100)),
        (AT_PHDR, v(program.main.phdr)),
        (AT_PHENT, v(crate::elf::PHDR_SIZE as u64)),
        (AT_PHNUM, v(program.main.phnum as u64)),
        (AT_BASE, v(program.interp_base)),
        (AT_FLAGS, v(0)),
        (AT_ENTRY, v(program.main.entry)),
        (AT_UID, v(uid as u64)),
        (AT_EUID, v(euid as u64)),
        (AT_GID, v(gid as u64)),
        (AT_EGID, v(egid as u64)),
        // Set when the host ran Kestrel setuid/setgid (binfmt_misc `C`), so
        // the guest's libc distrusts its environment too.
        // SAFETY: getauxval only reads the process's auxiliary vector.
        (AT_SECURE, v(unsafe { libc::getauxval(libc::AT_SECURE) })),
        (AT_RANDOM, AuxValue::RandomBytes),
        (AT_HWCAP2, v(hwcap::hwcap2(settings.cpu))),
        (AT_EXECFN, AuxValue::ExecFn),
        (AT_PLATFORM, AuxValue::Platform),
    ]
}

/// Signal state inherited across `execve`: the blocked mask and ignored
/// dispositions carry over on Linux, so the guest starts with the host's.
fn inherited_signals(proc: &mut Process) {
    // SAFETY: querying our own mask and dispositions; all structs are zeroed
    // before the calls fill them.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut set);
        for sig in 1..=signals::NSIG {
            if sig == 32 || sig == 33 {
                continue;
            }
            if libc::sigismember(&set, sig as i32) == 1 {
                proc.signals.mask |= signals::bit(sig);
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig as i32, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
            {
                proc.signals.actions[sig - 1].handler = signals::SIG_IGN;
            }
        }
    }
}

/// Loads the program named in `opts` and prepares its first thread.
pub fn start(opts: &Options) -> Result<(Process, CpuState), StartError> {
    let settings = Settings {
        ld_prefix: opts.ld_prefix.clone(),
        cpu: opts.cpu,
        pauth_impdef: opts.pauth_impdef,
        log_items: opts.log_items,
        log_file: opts.log_file.clone(),
        stack_size: opts.stack_size,
        uname_release: opts.uname_release.clone(),
        interpret_only: opts.interpret_only,
        jit_threshold: opts.jit_threshold,
        tiers: opts.tiers,
        perfmap: opts.perfmap,
        code_cache: opts.code_cache.clone(),
    };
    crate::code_cache::configure(opts.code_cache.as_deref());
    let shown = opts.program.to_string_lossy().into_owned();
    let program_path = PathBuf::from(&opts.program);
    let mut proc = Process::new(settings, program_path.clone());
    proc.kestrel_exe = crate::binfmt::reexec_path(std::mem::take(&mut proc.kestrel_exe));
    let program = match opts.exec_fd {
        // binfmt_misc `O`: the kernel opened the program for us.
        Some(fd) if fd >= 0 => {
            use std::os::fd::FromRawFd;
            // SAFETY: the kernel handed this descriptor to this process
            // (AT_EXECFD) and nothing else uses it; loading consumes it.
            let file = unsafe { std::fs::File::from_raw_fd(fd) };
            loader::load_program_file(file, &program_path, opts.ld_prefix.as_deref(), brk::HEAP_RESERVE, &mut proc.mm)
        }
        _ => loader::load_program(&program_path, opts.ld_prefix.as_deref(), brk::HEAP_RESERVE, &mut proc.mm),
    }
    .map_err(|source| StartError::Load { path: shown.clone(), source })?;
    proc.exe_path = program.exe_path.clone();
    if hwcap::hwcap2(proc.settings.cpu) & hwcap::HWCAP2_BTI != 0 {
        for &(start, end) in &program.bti_ranges {
            crate::mmap::record_guarded(start, end, libc::PROT_EXEC | crate::mmap::PROT_BTI);
        }
    }
    brk::setup_heap(&mut proc.mm, program.main.end, program.main.reserved_end);

    let argv0 = opts.argv0.clone().unwrap_or_else(|| opts.program.clone());
    let mut argv = vec![argv0.into_vec()];
    argv.extend(opts.args.iter().map(|a| a.as_bytes().to_vec()));
    let contents = StackContents {
        argv,
        envp: guest_environment(std::env::vars_os(), &opts.env_edits),
        execfn: opts.program.as_bytes().to_vec(),
        platform: b"aarch64".to_vec(),
        random: random_bytes(),
        auxv: auxv(&proc.settings, &program),
    };
    let sp = stack::install(&mut proc.mm, opts.stack_size, program.main.exec_stack, &contents)
        .map_err(|source| StartError::Stack { path: shown.clone(), source })?;
    let guest_args: Vec<&[u8]> = contents.argv.iter().map(Vec::as_slice).collect();
    crate::host_cmdline::show(&guest_args);

    crate::mmap::reserve_mmap_region(&mut proc.mm);
    inherited_signals(&mut proc);
    let heap_start = proc.mm.heap.map_or(0, |h| h.start);
    match crate::proc::start_info(&proc.mm, sp, program.main.bias, heap_start) {
        Ok(info) => crate::proc::record_start(info),
        Err(e) => logging::guest_error(&format!("kestrel: cannot read back the initial stack: {e}")),
    }
    set_thread_name(&opts.program);

    let mut cpu = CpuState { pc: program.entry, ..CpuState::default() };
    cpu.x[SP] = sp;
    if opts.log_items.page {
        log_layout(&proc, &program, sp);
    }
    Ok((proc, cpu))
}

/// Names the host thread after the guest program, as the kernel's exec does
/// (`comm`, the base name cut to 15 bytes): `ps`, `top` and the guest's own
/// `/proc/<pid>/stat` and `/proc/<pid>/comm` then show the guest's name.
fn set_thread_name(program: &std::ffi::OsStr) {
    let bytes = program.as_bytes();
    let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    let mut name = [0u8; 16];
    let n = base.len().min(15);
    name[..n].copy_from_slice(&base[..n]);
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
}

fn log_layout(proc: &Process, program: &LoadedProgram, sp: u64) {
    logging::line(&format!(
        "kestrel: entry {:#x} (program entry {:#x}, interpreter base {:#x}), sp {:#x}",
        program.entry, program.main.entry, program.interp_base, sp
    ));
    for m in proc.mm.iter() {
        let prot = |bit: i32, c: char| if m.prot & bit != 0 { c } else { '-' };
        logging::line(&format!(
            "  {:012x}-{:012x} {}{}{} {:?}",
            m.start,
            m.end,
            prot(libc::PROT_READ, 'r'),
            prot(libc::PROT_WRITE, 'w'),
            prot(libc::PROT_EXEC, 'x'),
            m.kind
        ));
    }
    if let Some(h) = proc.mm.heap {
        logging::line(&format!("  heap: brk {:#x}, reserved to {:#x}", h.brk, h.reserve_end));
    }
    if let Some((s, e)) = proc.mm.mmap_region {
        logging::line(&format!("  mmap region: {s:#x}-{e:#x}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_edits_apply_in_order() {
        let base = vec![
            (OsString::from("A"), OsString::from("1")),
            (OsString::from("B"), OsString::from("2")),
        ];
        let edits = vec![
            EnvEdit::Set("B=3".into()),
            EnvEdit::Set("C=4".into()),
            EnvEdit::Unset("A".into()),
            EnvEdit::Set("A=5".into()),
        ];
        let env = guest_environment(base.into_iter(), &edits);
        assert_eq!(env, vec![b"B=3".to_vec(), b"C=4".to_vec(), b"A=5".to_vec()]);
    }
}
