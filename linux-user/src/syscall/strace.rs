//! `-strace` output in qemu-user's format:
//! `PID name(arg,arg,...) = result` or `= -1 errno=N (message)`.
//!
//! Each call is written as one whole line once it has finished, so lines from
//! a parent and its forked children never cut into each other. Calls that do
//! not return when they succeed (`exit`, `execve`) are written before they run.

use super::host::SysResult;
use super::numbers;
use crate::guest_mem;
use crate::logging;
use crate::mm::AddressSpace;

/// Longest string argument shown before eliding.
const MAX_SHOWN: usize = 64;
/// Most array elements shown.
const MAX_ELEMENTS: usize = 16;

fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(MAX_SHOWN) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s.push('"');
    if bytes.len() > MAX_SHOWN {
        s.push_str("...");
    }
    s
}

fn string_arg(mm: &AddressSpace, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match guest_mem::read_cstring(mm, addr, 4096) {
        Ok(bytes) => quote(&bytes),
        Err(_) => format!("{addr:#x}"),
    }
}

fn array_arg(mm: &AddressSpace, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let mut parts = Vec::new();
    for i in 0..=MAX_ELEMENTS as u64 {
        let Ok(ptr) = guest_mem::read_u64(mm, addr + 8 * i) else {
            return format!("{addr:#x}");
        };
        if ptr == 0 {
            break;
        }
        if i as usize == MAX_ELEMENTS {
            parts.push("...".to_string());
            break;
        }
        parts.push(string_arg(mm, ptr));
    }
    format!("[{}]", parts.join(","))
}

fn flag_names(value: u64, names: &[(u64, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = value;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 || parts.is_empty() && value != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

/// AArch64 open flags.
const OPEN_FLAGS: &[(u64, &str)] = &[
    (0o1, "O_WRONLY"),
    (0o2, "O_RDWR"),
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o10000, "O_DSYNC"),
    (0o20000, "O_ASYNC"),
    (0o40000, "O_DIRECTORY"),
    (0o100000, "O_NOFOLLOW"),
    (0o200000, "O_DIRECT"),
    (0o400000, "O_LARGEFILE"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o20000000, "O_TMPFILE"),
];

const PROT_FLAGS: &[(u64, &str)] =
    &[(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (0x10, "PROT_BTI"), (0x20, "PROT_MTE")];

const MAP_FLAGS: &[(u64, &str)] = &[
    (0x01, "MAP_SHARED"),
    (0x02, "MAP_PRIVATE"),
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
];

const SIGNAL_NAMES: [&str; 31] = [
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
    "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
];

fn format_arg(mm: &AddressSpace, kind: char, value: u64) -> String {
    match kind {
        'd' => (value as i32).to_string(),
        'D' => (value as i64).to_string(),
        'u' => value.to_string(),
        'o' => format!("0{:o}", value as u32),
        'p' => {
            if value == 0 {
                "NULL".into()
            } else {
                format!("{value:#x}")
            }
        }
        's' => string_arg(mm, value),
        'a' => array_arg(mm, value),
        'f' => {
            if value as i32 == -100 {
                "AT_FDCWD".into()
            } else {
                (value as i32).to_string()
            }
        }
        'O' => {
            let access = match value & 3 {
                0 => "O_RDONLY",
                1 => "O_WRONLY",
                2 => "O_RDWR",
                _ => "O_ACCMODE",
            };
            let rest = value & !3 & 0xffff_ffff;
            if rest == 0 {
                access.to_string()
            } else {
                format!("{access}|{}", flag_names(rest, OPEN_FLAGS, ""))
            }
        }
        'P' => flag_names(value & 0xffff_ffff, PROT_FLAGS, "PROT_NONE"),
        'M' => flag_names(value & 0xffff_ffff, MAP_FLAGS, "0"),
        'S' => match value as usize {
            n @ 1..=31 => SIGNAL_NAMES[n - 1].to_string(),
            n => n.to_string(),
        },
        _ => format!("{value:#x}"),
    }
}

/// Formats `name(args)` for a call.
pub fn format_call(mm: &AddressSpace, nr: u64, args: &[u64; 6]) -> String {
    let (name, spec) = match numbers::info(nr) {
        Some(info) => (info.name.to_string(), info.args),
        None => (format!("syscall_{nr}"), "xxxxxx"),
    };
    let spec = spec.split('>').next().unwrap_or("");
    let shown: Vec<String> =
        spec.chars().zip(args.iter()).map(|(kind, &v)| format_arg(mm, kind, v)).collect();
    format!("{name}({})", shown.join(","))
}

/// Formats ` = result` for a call.
pub fn format_result(nr: u64, result: &SysResult) -> String {
    let hex = numbers::info(nr).map(|i| i.args.ends_with(">x")).unwrap_or(false);
    match result {
        Ok(v) if hex => format!(" = {v:#x}"),
        Ok(v) => format!(" = {}", *v as i64),
        Err(e) => format!(" = -1 errno={} ({})", *e as i32, e.desc()),
    }
}

/// Calls written before they run because success does not return.
fn printed_before(nr: u64) -> bool {
    matches!(nr, numbers::EXIT | numbers::EXIT_GROUP | numbers::EXECVE | numbers::EXECVEAT)
}

/// Formats a call before it runs (arguments may be changed by the call); the
/// line is written now if the call may not return.
pub fn begin(mm: &AddressSpace, nr: u64, args: &[u64; 6]) -> String {
    let line = format!("{} {}", std::process::id(), format_call(mm, nr, args));
    if printed_before(nr) {
        logging::line(&line);
    }
    line
}

/// Writes the finished line for a call.
pub fn finish(nr: u64, call: String, result: &SysResult) {
    let line = if printed_before(nr) {
        let name = numbers::info(nr).map(|i| i.name).unwrap_or("");
        format!("{} {name}{}", std::process::id(), format_result(nr, result))
    } else {
        // A forked child reports its own pid, not the one the call began in.
        let pid = std::process::id().to_string();
        let rest = call.split_once(' ').map(|(_, r)| r).unwrap_or(&call);
        format!("{pid} {rest}{}", format_result(nr, result))
    };
    logging::line(&line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno;

    #[test]
    fn formats_like_qemu() {
        let mm = AddressSpace::new();
        let call = format_call(&mm, numbers::OPENAT, &[(-100i64) as u64, 0, 0o2000000 | 0o100 | 1, 0o644, 0, 0]);
        assert_eq!(call, "openat(AT_FDCWD,NULL,O_WRONLY|O_CREAT|O_CLOEXEC,0644)");
        let call = format_call(&mm, numbers::MMAP, &[0, 4096, 3, 0x22, u64::MAX, 0]);
        assert_eq!(call, "mmap(NULL,4096,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0x0)");
        assert_eq!(format_result(numbers::MMAP, &Ok(0x7f0000000000)), " = 0x7f0000000000");
        assert_eq!(format_result(numbers::WRITE, &Ok(13)), " = 13");
        assert_eq!(
            format_result(numbers::OPENAT, &Err(Errno::ENOENT)),
            " = -1 errno=2 (No such file or directory)"
        );
        assert_eq!(format_call(&mm, numbers::KILL, &[5, 15, 0, 0, 0, 0]), "kill(5,SIGTERM)");
        assert_eq!(format_call(&mm, 9999, &[1, 2, 3, 4, 5, 6]), "syscall_9999(0x1,0x2,0x3,0x4,0x5,0x6)");
    }
}
