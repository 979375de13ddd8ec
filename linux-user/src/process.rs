//! State of the emulated process that system calls read and change.

use crate::hwcap::CpuModel;
use crate::logging::LogItems;
use crate::mm::AddressSpace;
use crate::signals::SignalState;
use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Settings that a guest `execve` of another AArch64 program carries over to
/// the new Kestrel process.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `-L`.
    pub ld_prefix: Option<PathBuf>,
    /// `-cpu`.
    pub cpu: CpuModel,
    /// `-cpu MODEL,pauth-impdef=on|off`: `None` keeps the model's default
    /// pointer-authentication algorithm.
    pub pauth_impdef: Option<bool>,
    /// `-d` / `-strace`.
    pub log_items: LogItems,
    /// `-D`.
    pub log_file: Option<PathBuf>,
    /// `-s`.
    pub stack_size: u64,
    /// `-r`.
    pub uname_release: Option<String>,
    /// `--interp`.
    pub interpret_only: bool,
    /// `--jit-threshold`.
    pub jit_threshold: Option<u32>,
    /// `--tiers`.
    pub tiers: Option<kestrel::jit::Tiers>,
    /// `-perfmap`.
    pub perfmap: bool,
    /// `--code-cache DIR|off` (`KESTREL_CACHE_DIR`).
    pub code_cache: Option<PathBuf>,
}

impl Settings {
    /// Command-line options reproducing these settings.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(p) = &self.ld_prefix {
            args.push("-L".into());
            args.push(p.clone().into_os_string());
        }
        args.push("-cpu".into());
        args.push(match self.pauth_impdef {
            None => self.cpu.name().into(),
            Some(on) => format!("{},pauth-impdef={}", self.cpu.name(), if on { "on" } else { "off" }).into(),
        });
        let items = self.log_items.to_list();
        if !items.is_empty() {
            args.push("-d".into());
            args.push(items.into());
        }
        if let Some(f) = &self.log_file {
            args.push("-D".into());
            args.push(f.clone().into_os_string());
        }
        if self.stack_size != crate::cli::DEFAULT_STACK_SIZE {
            args.push("-s".into());
            args.push(self.stack_size.to_string().into());
        }
        if let Some(r) = &self.uname_release {
            args.push("-r".into());
            args.push(r.into());
        }
        if self.interpret_only {
            args.push("--interp".into());
        }
        if let Some(n) = self.jit_threshold {
            args.push("--jit-threshold".into());
            args.push(n.to_string().into());
        }
        if self.perfmap {
            args.push("-perfmap".into());
        }
        if let Some(dir) = &self.code_cache {
            args.push("--code-cache".into());
            args.push(dir.clone().into_os_string());
        }
        if let Some(t) = self.tiers {
            args.push("--tiers".into());
            args.push(t.to_string().into());
        }
        args
    }

    /// Where the guest's view of an absolute path lives on the host: under the
    /// sysroot if the file exists there, otherwise the path itself.
    pub fn host_path(&self, guest_path: &[u8]) -> Option<PathBuf> {
        let prefix = self.ld_prefix.as_ref()?;
        let rest = guest_path.strip_prefix(b"/")?;
        let candidate = prefix.join(Path::new(std::ffi::OsStr::from_bytes(rest)));
        // symlink_metadata: a dangling symlink in the sysroot still counts.
        candidate.symlink_metadata().ok().map(|_| candidate)
    }
}

/// The emulated process.
#[derive(Debug)]
pub struct Process {
    /// Guest mappings.
    pub mm: AddressSpace,
    /// Settings from the command line.
    pub settings: Settings,
    /// Absolute path of the guest executable (`/proc/self/exe`).
    pub exe_path: PathBuf,
    /// This Kestrel binary, re-executed for AArch64 `execve` targets.
    pub kestrel_exe: PathBuf,
    /// Guest signal handlers, mask and alternate stack.
    pub signals: SignalState,
    /// `set_tid_address` / `CLONE_CHILD_CLEARTID` pointer.
    pub clear_child_tid: u64,
    /// `set_robust_list` head and length.
    pub robust_list: (u64, u64),
    /// Current `personality` value.
    pub personality: u64,
    /// In the child of a vfork: the write end of the pipe the parent waits
    /// on. It closes when this process execs or exits; a further fork must not
    /// pass it on, or the parent would wait for the grandchild too.
    pub vfork_release_fd: Option<i32>,
    /// In the parent of a vfork: the read end of that pipe, waited on by the
    /// execution loop once the process lock is released (the wait lasts
    /// until the child execs or exits; other threads must go on meanwhile).
    pub vfork_wait: Option<i32>,
    /// System call numbers already reported as unimplemented.
    pub reported_unimplemented: HashSet<u64>,
}

impl Process {
    /// A process with nothing loaded yet.
    pub fn new(settings: Settings, exe_path: PathBuf) -> Process {
        let kestrel_exe =
            std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
        Process {
            mm: AddressSpace::new(),
            settings,
            exe_path,
            kestrel_exe,
            signals: SignalState::default(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            personality: 0,
            vfork_release_fd: None,
            vfork_wait: None,
            reported_unimplemented: HashSet::new(),
        }
    }

    /// The guest executable path as bytes.
    pub fn exe_bytes(&self) -> Vec<u8> {
        self.exe_path.clone().into_os_string().into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            ld_prefix: Some("/sysroot".into()),
            cpu: CpuModel::CortexA72,
            pauth_impdef: Some(false),
            log_items: LogItems { strace: true, ..Default::default() },
            log_file: None,
            stack_size: crate::cli::DEFAULT_STACK_SIZE,
            uname_release: None,
            interpret_only: true,
            jit_threshold: Some(9),
            tiers: Some("interp,opt".parse().unwrap()),
            perfmap: true,
            code_cache: Some("off".into()),
        }
    }

    #[test]
    fn settings_survive_the_command_line() {
        let s = settings();
        let mut args = s.to_args();
        args.push("prog".into());
        let Ok(crate::cli::Parsed::Run(o)) = crate::cli::parse(&args, &|_| None) else {
            panic!("did not parse")
        };
        assert_eq!(o.ld_prefix, s.ld_prefix);
        assert_eq!(o.cpu, s.cpu);
        assert_eq!(o.pauth_impdef, s.pauth_impdef);
        assert_eq!(o.code_cache, s.code_cache);
        assert_eq!(o.log_items, s.log_items);
        assert_eq!(o.interpret_only, s.interpret_only);
        assert_eq!(o.jit_threshold, s.jit_threshold);
        assert_eq!(o.tiers, s.tiers);
        assert_eq!(o.perfmap, s.perfmap);
    }

    #[test]
    fn sysroot_paths() {
        let dir = std::env::temp_dir().join(format!("kestrel-sysroot-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib")).unwrap();
        std::fs::write(dir.join("lib/libc.so.6"), b"x").unwrap();
        let s = Settings { ld_prefix: Some(dir.clone()), ..settings() };
        assert_eq!(s.host_path(b"/lib/libc.so.6"), Some(dir.join("lib/libc.so.6")));
        assert_eq!(s.host_path(b"/lib/missing"), None);
        assert_eq!(s.host_path(b"relative"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
