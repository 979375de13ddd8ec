//! binfmt_misc: making the kernel start Kestrel for every AArch64 program,
//! and recognising how it then calls us.
//!
//! `kestrel-aarch64 --binfmt register` writes an entry to
//! `/proc/sys/fs/binfmt_misc/register` that matches the ELF header of AArch64
//! little-endian ELF64 executables and shared objects (static-PIE programs
//! and `ld.so` are `ET_DYN`), with this binary's absolute path as the
//! interpreter. The flags (default `POCF`):
//!
//! - `F` (fix binary): the kernel opens Kestrel at registration, so the
//!   entry also works inside chroots, containers and other mount namespaces
//!   where Kestrel's path does not exist.
//! - `P` (preserve argv[0]): the kernel passes the original argv[0] as an
//!   extra argument; busybox-style programs and login shells need it.
//! - `O` (open binary): the kernel passes the program as an open descriptor
//!   (`AT_EXECFD`), so programs the user may run but not read still run.
//! - `C` (credentials, implies `O`): set-user-ID and set-group-ID programs get
//!   their credentials, as they would natively.
//!
//! How the kernel calls the interpreter (fs/binfmt_misc.c):
//!
//! ```text
//! without P:  kestrel  FILENAME  argv[1] ...
//! with P:     kestrel  FILENAME  argv[0]  argv[1] ...
//! ```
//!
//! Without `P` that is an ordinary Kestrel command line. With `P` it is
//! ambiguous — `kestrel prog a b` could be either — so Kestrel goes by the
//! kernel's own marker: `AT_FLAGS_PRESERVE_ARGV0` in its auxiliary vector
//! (Linux 5.12 and later; `register` refuses `P` on older kernels). When it is
//! set, or `AT_EXECFD` is present, no Kestrel options are parsed: the
//! arguments are the guest's, and settings come from `KESTREL_*` variables.

use nix::errno::Errno;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Where binfmt_misc is mounted.
pub const MOUNT_POINT: &str = "/proc/sys/fs/binfmt_misc";
/// Entry name unless `--binfmt-name` says otherwise.
pub const DEFAULT_NAME: &str = "kestrel-aarch64";
/// Flags unless `--binfmt-flags` says otherwise: what chroots and containers
/// need (see the module documentation).
pub const DEFAULT_FLAGS: &str = "POCF";

/// ELF header bytes 0..20 that identify an AArch64 program: `\x7fELF`,
/// 64-bit, little-endian, version 1, any OS ABI, `e_type` `ET_EXEC` or
/// `ET_DYN`, `e_machine` `EM_AARCH64` (183).
pub const MAGIC: [u8; 20] = [
    0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xb7, 0,
];
/// Which bits of [`MAGIC`] must match: the OS ABI byte is ignored and
/// `e_type`'s low bit may differ (2 or 3).
pub const MASK: [u8; 20] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xfe, 0xff, 0xff, 0xff,
];

/// `AT_FLAGS` bit set by the kernel when binfmt_misc's `P` flag applied.
const AT_FLAGS_PRESERVE_ARGV0: u64 = 1;
/// `AT_EXECFD`.
const AT_EXECFD: u64 = 2;

/// What `--binfmt` should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Add (or replace) the entry.
    Register,
    /// Remove the entry.
    Unregister,
    /// Show the entry and other AArch64 handlers.
    Status,
    /// Print the entry as a systemd-binfmt (`binfmt.d`) line for this binary.
    Conf,
}

impl Action {
    /// Parses `register`, `unregister` or `status`.
    pub fn from_name(name: &str) -> Option<Action> {
        match name {
            "register" => Some(Action::Register),
            "unregister" => Some(Action::Unregister),
            "status" => Some(Action::Status),
            "conf" => Some(Action::Conf),
            _ => None,
        }
    }
}

/// A `--binfmt` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The action.
    pub action: Action,
    /// Entry name.
    pub name: String,
    /// Flags, validated.
    pub flags: String,
}

/// Why a `--binfmt` command failed; one line after `kestrel-aarch64: `.
#[derive(Debug, thiserror::Error)]
pub enum BinfmtError {
    /// Bad entry name.
    #[error("invalid binfmt_misc entry name '{0}' (no '/', ':' or spaces)")]
    Name(String),
    /// Bad flags.
    #[error("invalid binfmt_misc flags '{0}' (a combination of P, O, C and F)")]
    Flags(String),
    /// The interpreter path cannot be written into an entry.
    #[error("cannot register {0}: the path must be absolute and free of ':' and newlines")]
    Interpreter(String),
    /// `P` cannot be recognised on this kernel.
    #[error("flag P needs Linux 5.12 or later (AT_FLAGS_PRESERVE_ARGV0); this is {0}; use --binfmt-flags OCF")]
    OldKernel(String),
    /// binfmt_misc is not available.
    #[error("binfmt_misc is not mounted at {MOUNT_POINT} and mounting it failed: {}{}", .0.desc(), root_hint(*.0))]
    Mount(Errno),
    /// Reading or writing binfmt_misc failed.
    #[error("{0}: {desc}{hint}", desc = .1.desc(), hint = root_hint(*.1))]
    Io(String, Errno),
    /// `F` with a dynamically linked Kestrel, which would fail in every chroot
    /// and container (their root has no x86-64 loader).
    #[error("{0} is dynamically linked, so flag F would fail in chroots and containers; use the static build (cargo build --release) or --binfmt-flags without F")]
    DynamicWithF(String),
    /// `unregister` of an entry that does not exist.
    #[error("no binfmt_misc entry named '{0}'")]
    NotRegistered(String),
}

/// Permission errors here mostly mean "not root".
fn root_hint(e: Errno) -> &'static str {
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root && matches!(e, Errno::EPERM | Errno::EACCES) {
        " (needs root)"
    } else {
        ""
    }
}

/// Checks a name for use as an entry (and file) name.
pub fn validate_name(name: &str) -> Result<(), BinfmtError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name == "register"
        || name == "status"
        || name.len() > 64
        || name.bytes().any(|b| b == b'/' || b == b':' || b <= b' ' || b == 0x7f);
    if bad {
        Err(BinfmtError::Name(name.to_string()))
    } else {
        Ok(())
    }
}

/// Validates flags and puts them in the kernel's order; `C` brings `O`.
pub fn normalize_flags(flags: &str) -> Result<String, BinfmtError> {
    let upper = flags.to_ascii_uppercase();
    if upper.chars().any(|c| !"POCF".contains(c)) {
        return Err(BinfmtError::Flags(flags.to_string()));
    }
    let has = |c: char| upper.contains(c) || (c == 'O' && upper.contains('C'));
    Ok("POCF".chars().filter(|&c| has(c)).collect())
}

fn hex_escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

/// The line written to `register`: `:name:type:offset:magic:mask:interpreter:flags`.
/// Magic and mask are written as `\x` escapes, which the kernel decodes, so
/// no byte can be taken for the `:` separator.
pub fn registration(name: &str, interpreter: &Path, flags: &str) -> Result<String, BinfmtError> {
    validate_name(name)?;
    let flags = normalize_flags(flags)?;
    let interp = interpreter.as_os_str().as_bytes();
    if !interp.starts_with(b"/") || interp.iter().any(|&b| b == b':' || b == b'\n') {
        return Err(BinfmtError::Interpreter(interpreter.display().to_string()));
    }
    Ok(format!(
        ":{name}:M::{}:{}:{}:{flags}",
        hex_escaped(&MAGIC),
        hex_escaped(&MASK),
        interpreter.display()
    ))
}

/// One entry as the kernel shows it in `binfmt_misc/NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `enabled` or `disabled`.
    pub enabled: bool,
    /// The interpreter path.
    pub interpreter: String,
    /// Flag letters.
    pub flags: String,
    /// Magic offset.
    pub offset: u64,
    /// Magic, as hex.
    pub magic: String,
    /// Mask, as hex.
    pub mask: String,
}

/// Parses an entry file (also an `E` (extension) entry, which has no magic).
pub fn parse_entry(text: &str) -> Entry {
    let mut e = Entry::default();
    for line in text.lines() {
        if line == "enabled" {
            e.enabled = true;
        } else if let Some(v) = line.strip_prefix("interpreter ") {
            e.interpreter = v.to_string();
        } else if let Some(v) = line.strip_prefix("flags: ") {
            e.flags = v.to_string();
        } else if let Some(v) = line.strip_prefix("offset ") {
            e.offset = v.parse().unwrap_or(0);
        } else if let Some(v) = line.strip_prefix("magic ") {
            e.magic = v.to_string();
        } else if let Some(v) = line.strip_prefix("mask ") {
            e.mask = v.to_string();
        }
    }
    e
}

impl Entry {
    /// True if the entry takes AArch64 ELF programs.
    pub fn handles_aarch64(&self) -> bool {
        // ELF, 64-bit, little endian ... e_machine 0x00b7 at byte 18.
        self.offset == 0 && self.magic.starts_with("7f454c460201") && self.magic.get(36..40) == Some("b700")
    }
}

/// The kernel's version as (major, minor), from `uname`.
fn kernel_version() -> (String, (u32, u32)) {
    // SAFETY: uname fills the zeroed struct; release is NUL-terminated.
    let release = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        libc::uname(&mut u);
        std::ffi::CStr::from_ptr(u.release.as_ptr()).to_string_lossy().into_owned()
    };
    let mut nums = release.split(|c: char| !c.is_ascii_digit()).filter_map(|s| s.parse().ok());
    let version = (nums.next().unwrap_or(0), nums.next().unwrap_or(0));
    (release, version)
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> BinfmtError + '_ {
    move |e| BinfmtError::Io(path.display().to_string(), Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))
}

/// Mounts binfmt_misc if it is not mounted yet.
fn ensure_mounted(dir: &Path) -> Result<(), BinfmtError> {
    if dir.join("register").exists() {
        return Ok(());
    }
    let target = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| BinfmtError::Mount(Errno::EINVAL))?;
    // SAFETY: all strings are NUL-terminated; binfmt_misc takes no data.
    let r = unsafe {
        libc::mount(c"binfmt_misc".as_ptr(), target.as_ptr(), c"binfmt_misc".as_ptr(), 0, std::ptr::null())
    };
    if r != 0 {
        return Err(BinfmtError::Mount(Errno::last()));
    }
    Ok(())
}

/// Other enabled entries that take AArch64 programs.
fn other_handlers(dir: &Path, except: &str) -> Vec<(String, Entry)> {
    let Ok(read) = fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, Entry)> = read
        .filter_map(Result::ok)
        .filter_map(|d| {
            let name = d.file_name().to_string_lossy().into_owned();
            if name == "register" || name == "status" || name == except {
                return None;
            }
            let entry = parse_entry(&fs::read_to_string(d.path()).ok()?);
            entry.handles_aarch64().then_some((name, entry))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// True if the executable at `path` names a dynamic loader (`PT_INTERP`),
/// which a chroot or container would then have to provide.
fn dynamically_linked(path: &Path) -> bool {
    let Ok(bytes) = fs::read(path) else { return false };
    goblin::elf::Elf::parse(&bytes).is_ok_and(|elf| elf.interpreter.is_some())
}

/// `F` makes the kernel start Kestrel inside chroots and containers, whose
/// root has no x86-64 loader: only a static Kestrel can be registered so.
fn check_fixed_binary(exe: &Path, flags: &str) -> Result<(), BinfmtError> {
    if flags.contains('F') && dynamically_linked(exe) {
        return Err(BinfmtError::DynamicWithF(exe.display().to_string()));
    }
    Ok(())
}

fn register(dir: &Path, req: &Request) -> Result<(), BinfmtError> {
    if req.flags.contains('P') {
        let (release, version) = kernel_version();
        if version < (5, 12) {
            return Err(BinfmtError::OldKernel(release));
        }
    }
    let exe = std::env::current_exe().map_err(io_err(Path::new("/proc/self/exe")))?;
    check_fixed_binary(&exe, &req.flags)?;
    let line = registration(&req.name, &exe, &req.flags)?;
    ensure_mounted(dir)?;
    let entry = dir.join(&req.name);
    if entry.exists() {
        fs::write(&entry, "-1").map_err(io_err(&entry))?;
    }
    let register = dir.join("register");
    fs::write(&register, line.as_bytes()).map_err(io_err(&register))?;
    println!("registered binfmt_misc entry {}: {} (flags {})", req.name, exe.display(), req.flags);
    for (name, _) in other_handlers(dir, &req.name) {
        println!("note: entry {name} also takes AArch64 programs; the newest registration is tried first");
    }
    Ok(())
}

fn unregister(dir: &Path, req: &Request) -> Result<(), BinfmtError> {
    let entry = dir.join(&req.name);
    if !entry.exists() {
        return Err(BinfmtError::NotRegistered(req.name.clone()));
    }
    fs::write(&entry, "-1").map_err(io_err(&entry))?;
    println!("removed binfmt_misc entry {}", req.name);
    Ok(())
}

/// Prints the entry; exit status 0 if it is registered and enabled.
fn status(dir: &Path, req: &Request) -> Result<i32, BinfmtError> {
    if !dir.join("register").exists() {
        println!("binfmt_misc is not mounted at {}", dir.display());
        return Ok(1);
    }
    let state = fs::read_to_string(dir.join("status")).unwrap_or_default();
    println!("binfmt_misc: {}", state.trim());
    let path = dir.join(&req.name);
    let code = match fs::read_to_string(&path) {
        Ok(text) => {
            let e = parse_entry(&text);
            let state = if e.enabled { "enabled" } else { "disabled" };
            println!("{}: {state}, interpreter {}, flags {}", req.name, e.interpreter, e.flags);
            if e.enabled { 0 } else { 1 }
        }
        Err(_) => {
            println!("{}: not registered", req.name);
            1
        }
    };
    for (name, e) in other_handlers(dir, &req.name) {
        let state = if e.enabled { "enabled" } else { "disabled" };
        println!("also takes AArch64 programs: {name} ({state}, interpreter {})", e.interpreter);
    }
    Ok(code)
}

/// Runs a `--binfmt` command; returns the exit status.
pub fn run(req: &Request) -> Result<i32, BinfmtError> {
    let dir = Path::new(MOUNT_POINT);
    match req.action {
        Action::Register => register(dir, req).map(|()| 0),
        Action::Unregister => unregister(dir, req).map(|()| 0),
        Action::Status => status(dir, req),
        Action::Conf => conf(req).map(|line| {
            println!("{line}");
            0
        }),
    }
}

/// The `binfmt.d(5)` file for this binary: a comment and the registration
/// line, which systemd-binfmt writes to binfmt_misc at every boot.
fn conf(req: &Request) -> Result<String, BinfmtError> {
    let exe = std::env::current_exe().map_err(io_err(Path::new("/proc/self/exe")))?;
    check_fixed_binary(&exe, &req.flags)?;
    Ok(format!(
        "# AArch64 ELF programs run by Kestrel (install as /usr/lib/binfmt.d/{}.conf)\n{}",
        req.name,
        registration(&req.name, &exe, &req.flags)?
    ))
}

/// How the kernel started this process, from its auxiliary vector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Invocation {
    /// binfmt_misc's `P` flag: argv[2] is the guest's argv[0].
    pub preserve_argv0: bool,
    /// binfmt_misc's `O` flag: the program, already open.
    pub exec_fd: Option<i32>,
}

impl Invocation {
    /// Reads this process's auxiliary vector.
    pub fn current() -> Invocation {
        // SAFETY: getauxval only reads the auxiliary vector; errno is
        // cleared first because 0 is a valid AT_EXECFD value.
        let (flags, exec_fd) = unsafe {
            let flags = libc::getauxval(libc::AT_FLAGS);
            *libc::__errno_location() = 0;
            let fd = libc::getauxval(AT_EXECFD);
            let found = *libc::__errno_location() != libc::ENOENT;
            (flags, found.then_some(fd as i32))
        };
        Invocation { preserve_argv0: flags & AT_FLAGS_PRESERVE_ARGV0 != 0, exec_fd }
    }

    /// True if binfmt_misc started us in a way that shows.
    pub fn by_binfmt(&self) -> bool {
        self.preserve_argv0 || self.exec_fd.is_some()
    }

    /// Rewrites the kernel's argument list (without argv[0]) into a Kestrel
    /// command line that treats every argument as the guest's:
    /// `FILENAME [ARGV0] ARGS...` becomes `-0 ARGV0 -- FILENAME ARGS...`.
    pub fn command_line(&self, args: &[OsString]) -> Vec<OsString> {
        let Some((filename, rest)) = args.split_first() else { return Vec::new() };
        let (argv0, rest) = match rest.split_first() {
            Some((argv0, rest)) if self.preserve_argv0 => (argv0.clone(), rest),
            _ => (filename.clone(), rest),
        };
        let mut out: Vec<OsString> = vec!["-0".into(), argv0, "--".into(), filename.clone()];
        out.extend(rest.iter().cloned());
        out
    }
}

/// The path a guest `execve` of another AArch64 program re-runs Kestrel by.
/// Inside a chroot entered through binfmt_misc (flag `F`) Kestrel's own path
/// may not exist or may be another file; `/proc/self/exe` still reaches this
/// binary when `/proc` is mounted there.
pub fn reexec_path(recorded: PathBuf) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let same = |a: &Path, b: &Path| match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    let proc_exe = Path::new("/proc/self/exe");
    if !proc_exe.exists() || same(&recorded, proc_exe) {
        recorded
    } else {
        proc_exe.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_string() {
        let line = registration("kestrel-aarch64", Path::new("/usr/bin/kestrel-aarch64"), "POCF").unwrap();
        assert_eq!(
            line,
            ":kestrel-aarch64:M::\
             \\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\
             \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:\
             /usr/bin/kestrel-aarch64:POCF"
        );
        // The separator appears exactly seven times: no field contains it.
        assert_eq!(line.matches(':').count(), 7);
    }

    #[test]
    fn magic_matches_aarch64_programs_only() {
        let matches = |header: &[u8]| header.iter().zip(MAGIC.iter().zip(MASK)).all(|(h, (m, k))| h & k == m & k);
        let mut exec = MAGIC;
        assert!(matches(&exec));
        exec[16] = 3; // ET_DYN
        assert!(matches(&exec));
        exec[7] = 3; // ELFOSABI_GNU
        assert!(matches(&exec));
        exec[16] = 1; // ET_REL
        assert!(!matches(&exec));
        let mut x86 = MAGIC;
        x86[18] = 0x3e;
        assert!(!matches(&x86));
        let mut big_endian = MAGIC;
        big_endian[5] = 2;
        assert!(!matches(&big_endian));
    }

    #[test]
    fn flags_and_names() {
        assert_eq!(normalize_flags("fcp").unwrap(), "POCF");
        assert_eq!(normalize_flags("C").unwrap(), "OC");
        assert_eq!(normalize_flags("").unwrap(), "");
        assert!(normalize_flags("PX").is_err());
        assert!(validate_name("kestrel-test").is_ok());
        for bad in ["", ".", "..", "a/b", "a:b", "a b", "register", "status"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert!(registration("x", Path::new("relative/kestrel"), "F").is_err());
        assert!(registration("x", Path::new("/odd:path"), "F").is_err());
    }

    #[test]
    fn entries_parse() {
        let text = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POCF\noffset 0\n\
                    magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
        let e = parse_entry(text);
        assert!(e.enabled && e.handles_aarch64());
        assert_eq!(e.flags, "POCF");
        assert_eq!(e.interpreter, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
        let arm32 = parse_entry("disabled\noffset 0\nmagic 7f454c4601010100000000000000000002002800\n");
        assert!(!arm32.enabled && !arm32.handles_aarch64());
    }

    #[test]
    fn kernel_command_lines() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let p = Invocation { preserve_argv0: true, exec_fd: None };
        assert_eq!(p.command_line(&os(&["/bin/ls", "ls", "-l"])), os(&["-0", "ls", "--", "/bin/ls", "-l"]));
        // A login shell's argv[0] and an argument that looks like an option.
        assert_eq!(p.command_line(&os(&["/bin/sh", "-sh", "-h"])), os(&["-0", "-sh", "--", "/bin/sh", "-h"]));
        let o = Invocation { preserve_argv0: false, exec_fd: Some(3) };
        assert_eq!(o.command_line(&os(&["./prog", "-x"])), os(&["-0", "./prog", "--", "./prog", "-x"]));
        assert_eq!(p.command_line(&os(&["/bin/true"])), os(&["-0", "/bin/true", "--", "/bin/true"]));
        assert!(p.command_line(&[]).is_empty());
        // The rewritten line parses back to the guest's view.
        let Ok(crate::cli::Parsed::Run(opts)) =
            crate::cli::parse(&p.command_line(&os(&["/bin/sh", "-sh", "-c", "x"])), &|_| None)
        else {
            panic!("did not parse")
        };
        assert_eq!(opts.argv0, Some("-sh".into()));
        assert_eq!(opts.program, OsString::from("/bin/sh"));
        assert_eq!(opts.args, os(&["-c", "x"]));
    }

    #[test]
    fn shipped_binfmt_d_file_is_the_registration() {
        // dist/kestrel-aarch64.conf, for /usr/lib/binfmt.d with the binary
        // installed as /usr/local/bin/kestrel-aarch64 (scripts/install.sh).
        let shipped = include_str!("../../dist/kestrel-aarch64.conf");
        let line = shipped.lines().find(|l| !l.starts_with('#')).unwrap_or_default();
        let want = registration(DEFAULT_NAME, Path::new("/usr/local/bin/kestrel-aarch64"), DEFAULT_FLAGS).unwrap();
        assert_eq!(line, want);
    }

    #[test]
    fn flag_f_needs_a_static_kestrel() {
        // The host's own programs are dynamically linked; this test binary
        // is built like Kestrel (static-pie).
        let dynamic = Path::new("/bin/true");
        assert!(dynamically_linked(dynamic));
        let err = check_fixed_binary(dynamic, "POCF").unwrap_err().to_string();
        assert!(err.contains("dynamically linked") && !err.contains('\n'), "{err}");
        assert!(check_fixed_binary(dynamic, "POC").is_ok());
        let me = std::env::current_exe().unwrap();
        assert!(!dynamically_linked(&me), "{} should be static", me.display());
        assert!(check_fixed_binary(&me, "POCF").is_ok());
    }

    #[test]
    fn not_started_by_binfmt_here() {
        assert!(!Invocation::current().by_binfmt());
        let me = std::env::current_exe().unwrap();
        assert_eq!(reexec_path(me.clone()), me);
        assert_eq!(reexec_path("/nonexistent/kestrel".into()), PathBuf::from("/proc/self/exe"));
    }
}
