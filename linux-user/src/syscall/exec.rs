//! `execve` and `execveat`: deciding who runs the new program.
//!
//! - An AArch64 ELF: Kestrel re-executes itself (`/proc/self/exe`) with the
//!   settings that must carry over, the guest's argv[0] passed with `-0`, and
//!   the guest's environment.
//! - A `#!` script whose interpreter is an AArch64 ELF: Kestrel runs the
//!   interpreter, with the argument list the kernel would build
//!   (interpreter, optional argument, script path, original argv[1..]).
//! - Anything else (host binaries, scripts with host interpreters, files that
//!   do not exist): the host's `execve` gets the call unchanged and reports
//!   success or the right errno itself.
//!
//! The new Kestrel gets the guest's environment as its own, so variables
//! meant for the guest's dynamic loader (`LD_PRELOAD`, `LD_LIBRARY_PATH`,
//! `LD_TRACE_LOADED_OBJECTS`, which `ldd` sets, ...) would steer the host's
//! loader starting Kestrel instead. They travel renamed (`KESTREL_GUEST_`
//! in front) and get their names back in the guest's environment.

use super::fs::{is_proc_self_exe, path_arg, PathArg};
use crate::loader::resolve_in_root;
use super::host::{syscall_args, SysResult};
use crate::elf::{classify, FileClass, BINPRM_BUF_SIZE};
use crate::guest_mem;
use crate::process::Process;
use nix::errno::Errno;
use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// `AT_EMPTY_PATH`.
const AT_EMPTY_PATH: u64 = 0x1000;
/// `AT_SYMLINK_NOFOLLOW`.
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
/// `AT_FDCWD`.
const AT_FDCWD: i32 = -100;

/// `execve(path, argv, envp)`.
pub fn execve(proc: &mut Process, path: u64, argv: u64, envp: u64) -> SysResult {
    let guest_path = guest_mem::read_path(&proc.mm, path)?;
    let host = path_arg(proc, path)?;
    run(proc, &guest_path, host, argv, envp)
}

/// `execveat(dirfd, path, argv, envp, flags)`.
pub fn execveat(proc: &mut Process, a: [u64; 6]) -> SysResult {
    let (dirfd, path, argv, envp, flags) = (a[0] as i32, a[1], a[2], a[3], a[4]);
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let name = guest_mem::read_path(&proc.mm, path)?;
    let resolved: Vec<u8> = if name.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        format!("/proc/self/fd/{dirfd}").into_bytes()
    } else if name.starts_with(b"/") || dirfd == AT_FDCWD {
        name.clone()
    } else {
        let mut p = format!("/proc/self/fd/{dirfd}/").into_bytes();
        p.extend_from_slice(&name);
        p
    };
    if flags & AT_SYMLINK_NOFOLLOW != 0 {
        let meta = Path::new(OsStr::from_bytes(&resolved)).symlink_metadata();
        if meta.map(|m| m.file_type().is_symlink()).unwrap_or(false) {
            return Err(Errno::ELOOP);
        }
    }
    let host = if resolved == name {
        path_arg(proc, path)?
    } else {
        PathArg::Host(CString::new(resolved.clone()).map_err(|_| Errno::EINVAL)?)
    };
    run(proc, &resolved, host, argv, envp)
}

/// Reads the first bytes of a file, or the errno that opening it gives.
fn read_head(path: &Path) -> Result<Vec<u8>, Errno> {
    let mut file = File::open(path).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?;
    let mut head = vec![0u8; BINPRM_BUF_SIZE];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))),
        }
    }
    head.truncate(filled);
    Ok(head)
}

/// The kernel's checks before it runs a file: it must exist, be a regular
/// file and be executable.
fn check_executable(path: &Path) -> Result<(), Errno> {
    let meta = std::fs::metadata(path).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?;
    if !meta.is_file() {
        return Err(Errno::EACCES);
    }
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
    // SAFETY: access reads the NUL-terminated path we pass.
    if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
        return Err(Errno::last());
    }
    Ok(())
}

fn path_of(host: &PathArg, guest_path: &[u8]) -> PathBuf {
    match host {
        PathArg::Host(c) => PathBuf::from(OsStr::from_bytes(c.as_bytes())),
        PathArg::Guest(_) => PathBuf::from(OsStr::from_bytes(guest_path)),
    }
}

/// The file to read and run: inside the sysroot, symlinks there are followed
/// within it (the kernel would follow an absolute link target on the host).
fn program_file(proc: &Process, host: &PathArg, guest_path: &[u8]) -> PathBuf {
    match (host, proc.settings.ld_prefix.as_deref()) {
        (PathArg::Host(_), Some(root)) if !is_proc_self_exe(guest_path) => {
            resolve_in_root(root, guest_path).unwrap_or_else(|| path_of(host, guest_path))
        }
        _ => path_of(host, guest_path),
    }
}

/// Where the `#!` interpreter `interp` of a script is on the host.
fn script_interpreter(proc: &Process, interp: &[u8]) -> PathBuf {
    let root = proc.settings.ld_prefix.as_deref();
    root.and_then(|root| resolve_in_root(root, interp))
        .or_else(|| proc.settings.host_path(interp))
        .unwrap_or_else(|| PathBuf::from(OsStr::from_bytes(interp)))
}

fn run(proc: &mut Process, guest_path: &[u8], host: PathArg, argv: u64, envp: u64) -> SysResult {
    let path = program_file(proc, &host, guest_path);
    let class = read_head(&path).map(|head| classify(&head));
    match class {
        Ok(FileClass::Aarch64Elf) => {
            check_executable(&path)?;
            let args = guest_mem::read_string_array(&proc.mm, argv)?;
            let env = guest_mem::read_string_array(&proc.mm, envp)?;
            let argv0 = args.first().cloned().unwrap_or_default();
            let rest: Vec<Vec<u8>> = args.into_iter().skip(1).collect();
            exec_under_kestrel(proc, &path, &argv0, &rest, &env)
                .or_else(|e| unless_kestrel_missing(e, &host, argv, envp))
        }
        Ok(FileClass::Script { interp, arg }) => {
            let interp_host = script_interpreter(proc, &interp);
            let interp_is_guest = read_head(&interp_host).map(|h| classify(&h)) == Ok(FileClass::Aarch64Elf);
            if !interp_is_guest {
                return host_execve(host.ptr(), argv, envp);
            }
            check_executable(&path)?;
            check_executable(&interp_host)?;
            let args = guest_mem::read_string_array(&proc.mm, argv)?;
            let env = guest_mem::read_string_array(&proc.mm, envp)?;
            let mut rest: Vec<Vec<u8>> = Vec::new();
            rest.extend(arg);
            rest.push(guest_path.to_vec());
            rest.extend(args.into_iter().skip(1));
            exec_under_kestrel(proc, &interp_host, &interp, &rest, &env)
                .or_else(|e| unless_kestrel_missing(e, &host, argv, envp))
        }
        _ => host_execve(host.ptr(), argv, envp),
    }
}

/// After a failed re-execution of Kestrel: `ENOENT` means Kestrel's own file
/// (or its loader) is not there, as in a chroot entered through binfmt_misc
/// without `/proc`; the kernel can still run the program through binfmt_misc.
fn unless_kestrel_missing(err: Errno, host: &PathArg, argv: u64, envp: u64) -> SysResult {
    if err == Errno::ENOENT {
        host_execve(host.ptr(), argv, envp)
    } else {
        Err(err)
    }
}

/// Lets the host kernel run the file (or report why it cannot).
fn host_execve(path: u64, argv: u64, envp: u64) -> SysResult {
    // The process image goes away if the call succeeds.
    crate::code_cache::save();
    syscall_args(libc::SYS_execve, &[path, argv, envp])
}

/// The argument vector for a Kestrel that runs `program`.
pub fn kestrel_command(
    proc: &Process,
    program: &Path,
    argv0: &[u8],
    rest: &[Vec<u8>],
) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![proc.kestrel_exe.clone().into_os_string()];
    args.extend(proc.settings.to_args());
    args.push("-0".into());
    args.push(OsString::from_vec(argv0.to_vec()));
    args.push("--".into());
    args.push(program.as_os_str().to_owned());
    args.extend(rest.iter().map(|a| OsString::from_vec(a.clone())));
    args
}

/// Prefix that hides a guest loader variable from the host's loader.
const HIDDEN_PREFIX: &[u8] = b"KESTREL_GUEST_";

/// True for `NAME=value` entries that the host's dynamic loader or libc
/// start-up would act on (glibc's `ld.so`: `LD_*`, `GLIBC_TUNABLES`).
fn is_loader_var(entry: &[u8]) -> bool {
    entry.starts_with(b"LD_") || entry.starts_with(b"GLIBC_TUNABLES=")
}

/// The entry as the re-executed Kestrel's host environment carries it.
pub fn hide_loader_var(entry: &[u8]) -> Vec<u8> {
    if is_loader_var(entry) {
        [HIDDEN_PREFIX, entry].concat()
    } else {
        entry.to_vec()
    }
}

/// Undoes `hide_loader_var` for an entry of Kestrel's own environment on
/// its way into the guest's.
pub fn unhide_loader_var(entry: Vec<u8>) -> Vec<u8> {
    match entry.strip_prefix(HIDDEN_PREFIX) {
        Some(rest) if is_loader_var(rest) => rest.to_vec(),
        _ => entry,
    }
}

fn exec_under_kestrel(
    proc: &Process,
    program: &Path,
    argv0: &[u8],
    rest: &[Vec<u8>],
    env: &[Vec<u8>],
) -> SysResult {
    let to_c = |b: Vec<u8>| CString::new(b).map_err(|_| Errno::EINVAL);
    let args: Vec<CString> = kestrel_command(proc, program, argv0, rest)
        .into_iter()
        .map(|a| to_c(a.into_vec()))
        .collect::<Result<_, _>>()?;
    let env: Vec<CString> =
        env.iter().map(|e| to_c(hide_loader_var(e))).collect::<Result<_, _>>()?;
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());
    crate::code_cache::save();
    // SAFETY: both arrays are NULL-terminated and point at CStrings that live
    // until execve returns (it only returns on failure).
    unsafe { libc::execve(args[0].as_ptr(), argp.as_ptr(), envp.as_ptr()) };
    Err(Errno::last())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_variables_travel_hidden() {
        for entry in [&b"LD_PRELOAD=/x.so"[..], b"LD_TRACE_LOADED_OBJECTS=1", b"GLIBC_TUNABLES=a=1"] {
            let hidden = hide_loader_var(entry);
            assert!(hidden.starts_with(b"KESTREL_GUEST_LD_") || hidden.starts_with(b"KESTREL_GUEST_GLIBC"));
            assert_eq!(unhide_loader_var(hidden), entry);
        }
        assert_eq!(hide_loader_var(b"PATH=/bin"), b"PATH=/bin");
        assert_eq!(hide_loader_var(b"OLD_X=1"), b"OLD_X=1");
        // Only names that were hidden are restored.
        assert_eq!(unhide_loader_var(b"KESTREL_GUEST_FOO=1".to_vec()), b"KESTREL_GUEST_FOO=1");
    }
    use crate::hwcap::CpuModel;
    use crate::process::Settings;

    #[test]
    fn command_carries_settings_and_argv0() {
        let settings = Settings {
            ld_prefix: Some("/sysroot".into()),
            cpu: CpuModel::Max,
            pauth_impdef: None,
            log_items: Default::default(),
            log_file: None,
            stack_size: crate::cli::DEFAULT_STACK_SIZE,
            uname_release: None,
            interpret_only: false,
            jit_threshold: None,
            tiers: None,
            perfmap: false,
            code_cache: None,
        };
        let mut proc = Process::new(settings, "/bin/sh".into());
        proc.kestrel_exe = "/usr/bin/kestrel-aarch64".into();
        let cmd = kestrel_command(&proc, Path::new("/bin/ls"), b"ls", &[b"-l".to_vec()]);
        let cmd: Vec<String> = cmd.iter().map(|s| s.to_string_lossy().into_owned()).collect();
        assert_eq!(
            cmd,
            ["/usr/bin/kestrel-aarch64", "-L", "/sysroot", "-cpu", "max", "-0", "ls", "--", "/bin/ls", "-l"]
        );
        // The child parses it back to the same program and arguments.
        let parsed = crate::cli::parse(&cmd[1..].iter().map(OsString::from).collect::<Vec<_>>(), &|_| None);
        let Ok(crate::cli::Parsed::Run(o)) = parsed else { panic!("did not parse") };
        assert_eq!(o.program, OsString::from("/bin/ls"));
        assert_eq!(o.argv0, Some(OsString::from("ls")));
        assert_eq!(o.args, vec![OsString::from("-l")]);
    }
}
