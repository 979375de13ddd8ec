//! Kestrel's own diagnostics: which `-d` items are enabled and where log lines go
//! (standard error, or the `-D` file).
//!
//! Lines are written with one `write(2)` each and no buffering, so output from a
//! forked child and its parent interleaves by whole lines and nothing is lost
//! when the guest calls `_exit` or `execve`.

use std::fs::OpenOptions;
use std::io;
use std::os::fd::IntoRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// The `-d` items: QEMU's names, so existing command lines keep working.
/// Items marked "accepted" are parsed but do not produce output yet.
pub const ITEM_HELP: &[(&str, &str)] = &[
    ("strace", "log every system call and its result (same as -strace)"),
    ("unimp", "log unimplemented system calls and ioctls"),
    ("guest_errors", "log invalid guest requests (bad pointers, bad flags)"),
    ("page", "log the memory layout after loading"),
    ("stats", "at exit, print blocks and instructions translated per tier and the time spent"),
    ("in_asm", "accepted; guest code disassembly is not implemented yet"),
    ("out_asm", "accepted; host code dumps are not implemented yet"),
    ("exec", "accepted; block execution tracing is not implemented yet"),
    ("cpu", "accepted; register dumps are not implemented yet"),
    ("int", "accepted; exception logging is not implemented yet"),
    ("nochain", "accepted; block chaining cannot be disabled yet"),
    ("op", "accepted; no intermediate representation dump"),
    ("op_opt", "accepted; no intermediate representation dump"),
    ("tid", "accepted; log lines always carry the process id"),
];

/// Which diagnostic streams are enabled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LogItems {
    /// `-strace` / `-d strace`.
    pub strace: bool,
    /// `-d unimp`.
    pub unimp: bool,
    /// `-d guest_errors`.
    pub guest_errors: bool,
    /// `-d page`.
    pub page: bool,
    /// `-d in_asm` (for the core once it can disassemble).
    pub in_asm: bool,
    /// `-d exec` (for the core once it can trace blocks).
    pub exec: bool,
    /// `-d cpu` (for the core once it can dump registers).
    pub cpu: bool,
    /// `-d stats`: translation statistics at exit.
    pub stats: bool,
}

impl LogItems {
    /// Parses a comma-separated `-d` list. Returns the offending item on error.
    pub fn parse(list: &str) -> Result<LogItems, String> {
        let mut items = LogItems::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "strace" => items.strace = true,
                "unimp" => items.unimp = true,
                "guest_errors" => items.guest_errors = true,
                "page" => items.page = true,
                "in_asm" => items.in_asm = true,
                "exec" => items.exec = true,
                "cpu" => items.cpu = true,
                "stats" => items.stats = true,
                other if ITEM_HELP.iter().any(|(name, _)| *name == other) => {}
                other => return Err(other.to_string()),
            }
        }
        Ok(items)
    }

    /// The `-d` list that reproduces these settings (for re-executing Kestrel).
    pub fn to_list(self) -> String {
        let flags = [
            (self.strace, "strace"),
            (self.unimp, "unimp"),
            (self.guest_errors, "guest_errors"),
            (self.page, "page"),
            (self.in_asm, "in_asm"),
            (self.exec, "exec"),
            (self.cpu, "cpu"),
            (self.stats, "stats"),
        ];
        flags.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect::<Vec<_>>().join(",")
    }
}

static ITEMS: OnceLock<LogItems> = OnceLock::new();
/// Descriptor log lines go to; 2 (stderr) unless `-D` was given.
static LOG_FD: AtomicI32 = AtomicI32::new(2);

/// Where the `-d stats` summary goes without `-D`: a copy of the stderr
/// Kestrel started with (-1 if none), because many programs close their
/// stderr before they exit (GNU coreutils do), which would lose it.
static STATS_FD: AtomicI32 = AtomicI32::new(-1);

/// Lowest descriptor number Kestrel moves its own files to, out of the range
/// guest programs use, so a guest `dup2(x, 3)` does not hit the log file.
const INTERNAL_FD_FLOOR: i32 = 1000;

/// Sets the enabled items and opens the log file. The file is opened for
/// appending so that a re-executed Kestrel (guest `execve`) adds to it.
pub fn init(items: LogItems, file: Option<&Path>) -> io::Result<()> {
    let _ = ITEMS.set(items);
    if items.stats {
        kestrel::jit::stats::count_reference_calls();
    }
    if let Some(path) = file {
        let f = OpenOptions::new().create(true).append(true).mode(0o644).open(path)?;
        let fd = move_to_internal_range(f.into_raw_fd());
        LOG_FD.store(fd, Ordering::Relaxed);
    } else if items.stats {
        // SAFETY: dup has no memory effects; a failure leaves no copy.
        let copy = unsafe { libc::dup(2) };
        if copy >= 0 {
            STATS_FD.store(move_to_internal_range(copy), Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Writes the `-d stats` summary: to the log file, or else to the stderr
/// Kestrel started with, even if the guest has closed its own.
pub fn stats_line(text: &str) {
    let fd = STATS_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return line(text);
    }
    let mut buf = String::with_capacity(text.len() + 1);
    buf.push_str(text);
    buf.push('\n');
    write_to(fd, buf.as_bytes());
}

/// The enabled items.
pub fn items() -> LogItems {
    ITEMS.get().copied().unwrap_or_default()
}

/// Writes one line (a newline is appended if missing) to the log.
pub fn line(text: &str) {
    let mut buf = String::with_capacity(text.len() + 1);
    buf.push_str(text);
    if !buf.ends_with('\n') {
        buf.push('\n');
    }
    write_raw(buf.as_bytes());
}

/// Writes bytes to the log as they are (used for partial strace lines).
pub fn write_raw(bytes: &[u8]) {
    write_to(LOG_FD.load(Ordering::Relaxed), bytes);
}

fn write_to(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a valid slice for the duration of the call; writing
        // to a closed or bad descriptor only returns an error.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// The descriptor log lines currently go to.
pub fn current_fd() -> i32 {
    LOG_FD.load(Ordering::Relaxed)
}

/// True if `fd` is a descriptor Kestrel opened for itself and the guest must
/// not close or see.
pub fn is_internal_fd(fd: i32) -> bool {
    let log = LOG_FD.load(Ordering::Relaxed);
    (log != 2 && fd == log) || (fd >= 0 && fd == STATS_FD.load(Ordering::Relaxed))
}

/// Moves Kestrel's log descriptors if the guest is about to `dup2` over one.
pub fn evacuate_fd(fd: i32) {
    if !is_internal_fd(fd) {
        return;
    }
    for own in [&LOG_FD, &STATS_FD] {
        if own.load(Ordering::Relaxed) == fd {
            // SAFETY: duplicating a descriptor we own; failure leaves it in place.
            let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, fd + 1) };
            if new >= 0 {
                own.store(new, Ordering::Relaxed);
            }
        }
    }
}

/// Duplicates `fd` to a close-on-exec descriptor at or above
/// [`INTERNAL_FD_FLOOR`] (or below the soft descriptor limit) and closes the
/// original; returns the descriptor to use.
pub fn move_to_internal_range(fd: i32) -> i32 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we pass.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur.min(i32::MAX as u64) as i32
    } else {
        256
    };
    let floor = INTERNAL_FD_FLOOR.min(soft - 16).max(fd + 1);
    // SAFETY: duplicating a descriptor we own.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, floor) };
    if new < 0 {
        return fd;
    }
    // SAFETY: closing the original, which nothing else refers to.
    unsafe { libc::close(fd) };
    new
}

/// Logs a line when `-d unimp` (or `-strace`) is on.
pub fn unimp(text: &str) {
    let items = items();
    if items.unimp || items.strace {
        line(text);
    }
}

/// Logs a line when `-d guest_errors` is on.
pub fn guest_error(text: &str) {
    if items().guest_errors {
        line(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_item_lists() {
        let items = LogItems::parse("unimp,strace").unwrap();
        assert!(items.unimp && items.strace && !items.page);
        assert!(LogItems::parse("in_asm,nochain").unwrap().in_asm);
        assert_eq!(LogItems::parse("bogus"), Err("bogus".to_string()));
        assert_eq!(LogItems::parse("").unwrap(), LogItems::default());
    }

    #[test]
    fn list_round_trips() {
        let items = LogItems::parse("page,unimp").unwrap();
        assert_eq!(LogItems::parse(&items.to_list()).unwrap(), items);
    }
}
