//! The guest's view of `/proc`.
//!
//! A few files under `/proc` describe the running program, and read through
//! to the host they would describe Kestrel instead: its executable, its
//! mappings, its auxiliary vector and command line, an x86 CPU. Opening one of
//! those gives the guest a memory file holding what Linux on AArch64 would
//! show, generated at open time, so `read`, `lseek`, `fstat` and `mmap` all
//! behave as on a regular file:
//!
//! | path (`self`, `thread-self`, own pid or thread id) | contents |
//! | --- | --- |
//! | `/proc/self/exe` | symlink to the guest program (`readlink`, `open`) |
//! | `/proc/self/maps` | the guest's mappings ([`maps`]) |
//! | `/proc/self/auxv` | the auxiliary vector the loader wrote |
//! | `/proc/self/cmdline` | the guest's argv, NUL-separated |
//! | `/proc/self/stat` | the host's line with the guest's image fields ([`stat`]) |
//! | `/proc/cpuinfo` | the `-cpu` model, one block per host CPU ([`cpuinfo`]) |
//!
//! Everything else under `/proc` is the host's and passes through. Paths are
//! matched after removing `//` and `/./`; paths relative to a directory
//! descriptor or with `..` are not recognised.

pub mod cpuinfo;
pub mod maps;
pub mod stat;

use crate::guest_mem;
use crate::mm::AddressSpace;
use crate::process::Process;
use nix::errno::Errno;
use std::sync::OnceLock;

/// A file under `/proc` that Kestrel answers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcFile {
    /// `exe`: a symlink to the guest program.
    Exe,
    /// `maps`.
    Maps,
    /// `auxv`.
    Auxv,
    /// `cmdline`.
    Cmdline,
    /// `stat`.
    Stat,
    /// `/proc/cpuinfo`.
    Cpuinfo,
}

/// True if `/proc/<id>` names this process or one of its threads.
fn is_own(id: &[u8]) -> bool {
    if id == b"self" || id == b"thread-self" {
        return true;
    }
    let Some(n) = std::str::from_utf8(id).ok().and_then(|s| s.parse::<u32>().ok()) else {
        return false;
    };
    // Another thread of this process is listed under our own task directory.
    n == std::process::id() || std::path::Path::new(&format!("/proc/self/task/{n}")).exists()
}

/// Which emulated file `path` names, if any.
pub fn classify(path: &[u8]) -> Option<ProcFile> {
    if !path.starts_with(b"/") {
        return None;
    }
    let parts: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".").collect();
    let file = match parts.as_slice() {
        [b"proc", b"cpuinfo"] => return Some(ProcFile::Cpuinfo),
        [b"proc", who, file] if is_own(who) => file,
        [b"proc", who, b"task", tid, file] if is_own(who) && is_own(tid) => file,
        _ => return None,
    };
    match *file {
        b"exe" => Some(ProcFile::Exe),
        b"maps" => Some(ProcFile::Maps),
        b"auxv" => Some(ProcFile::Auxv),
        b"cmdline" => Some(ProcFile::Cmdline),
        b"stat" => Some(ProcFile::Stat),
        _ => None,
    }
}

/// What the guest's `execve` laid out, recorded once at start-up: the kernel
/// keeps the same facts in its `mm_struct`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartInfo {
    /// Image addresses for `/proc/self/stat`.
    pub image: stat::ImageFields,
    /// The auxiliary vector, `AT_NULL` pair included, as the guest's bytes.
    pub auxv: Vec<u8>,
}

/// Per process: set once before the first guest instruction; a fork keeps
/// its copy, an exec starts a new Kestrel.
static START: OnceLock<StartInfo> = OnceLock::new();

/// `PT_LOAD`.
const PT_LOAD: u32 = 1;
/// `PF_X`.
const PF_X: u32 = 1;
/// `AT_NULL`, `AT_PHDR`, `AT_PHNUM`.
const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHNUM: u64 = 5;

/// Address just past the NUL of the string at `addr`.
fn string_end(mm: &AddressSpace, addr: u64) -> Result<u64, Errno> {
    let s = guest_mem::read_cstring(mm, addr, 32 * 4096)?;
    Ok(addr + s.len() as u64 + 1)
}

/// `(first string, end of the last string)` of a NULL-terminated pointer
/// array at `slot`, and the slot after its NULL.
fn string_block(mm: &AddressSpace, mut slot: u64) -> Result<((u64, u64), u64), Errno> {
    let (mut first, mut end) = (0, 0);
    loop {
        let ptr = guest_mem::read_u64(mm, slot)?;
        slot += 8;
        if ptr == 0 {
            return Ok(((first, end), slot));
        }
        if first == 0 {
            first = ptr;
        }
        end = string_end(mm, ptr)?;
    }
}

/// Reads back the initial stack at `sp` (argc, argv, envp, auxv) and the
/// program headers, the way the kernel's `create_elf_tables` and
/// `load_elf_binary` record them. `bias` is the main program's load bias.
pub fn start_info(mm: &AddressSpace, sp: u64, bias: u64, start_brk: u64) -> Result<StartInfo, Errno> {
    let ((arg_start, arg_end), envp) = string_block(mm, sp + 8)?;
    let ((env_start, env_end), auxv_at) = string_block(mm, envp)?;
    let mut auxv = Vec::new();
    let (mut phdr, mut phnum) = (0, 0);
    for pair in 0..256u64 {
        let key = guest_mem::read_u64(mm, auxv_at + pair * 16)?;
        let value = guest_mem::read_u64(mm, auxv_at + pair * 16 + 8)?;
        auxv.extend_from_slice(&key.to_le_bytes());
        auxv.extend_from_slice(&value.to_le_bytes());
        match key {
            AT_PHDR => phdr = value,
            AT_PHNUM => phnum = value,
            AT_NULL => break,
            _ => {}
        }
    }
    let mut image = stat::ImageFields {
        start_stack: sp,
        start_brk,
        arg_start,
        arg_end,
        env_start: if env_start == 0 { arg_end } else { env_start },
        env_end: if env_end == 0 { arg_end } else { env_end },
        ..Default::default()
    };
    // As load_elf_binary: code spans the executable segments' file contents,
    // data starts at the highest segment and ends with the file contents.
    let mut start_code = u64::MAX;
    for i in 0..phnum.min(256) {
        let Ok(ph) = guest_mem::read_bytes(mm, phdr + i * 56, 56) else { break };
        let word = |at: usize| u64::from_le_bytes(ph[at..at + 8].try_into().unwrap_or([0; 8]));
        let (p_type, p_flags) = (word(0) as u32, (word(0) >> 32) as u32);
        if p_type != PT_LOAD {
            continue;
        }
        let (vaddr, filesz) = (word(16).wrapping_add(bias), word(32));
        if p_flags & PF_X != 0 {
            start_code = start_code.min(vaddr);
            image.end_code = image.end_code.max(vaddr.wrapping_add(filesz));
        }
        image.start_data = image.start_data.max(vaddr);
        image.end_data = image.end_data.max(vaddr.wrapping_add(filesz));
    }
    image.start_code = if start_code == u64::MAX { 0 } else { start_code };
    Ok(StartInfo { image, auxv })
}

/// Records what start-up laid out; later calls are ignored.
pub fn record_start(info: StartInfo) {
    let _ = START.set(info);
}

fn start() -> StartInfo {
    START.get().cloned().unwrap_or_default()
}

/// The guest's argv as `/proc/self/cmdline` shows it: read from guest memory
/// at open time, so a program that rewrites its arguments sees the change.
fn cmdline(mm: &AddressSpace, image: &stat::ImageFields) -> Vec<u8> {
    let len = image.arg_end.saturating_sub(image.arg_start).min(1 << 20) as usize;
    guest_mem::read_bytes(mm, image.arg_start, len).unwrap_or_default()
}

fn io_errno(e: std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

/// The contents of an emulated file, generated now.
pub fn contents(proc: &Process, file: ProcFile) -> Result<Vec<u8>, Errno> {
    let info = start();
    Ok(match file {
        ProcFile::Exe => return Err(Errno::EINVAL),
        ProcFile::Maps => {
            let host = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
            let guest: Vec<_> = proc.mm.iter().cloned().collect();
            maps::render(&guest, &maps::parse_host_maps(&host)).into_bytes()
        }
        ProcFile::Auxv => info.auxv,
        ProcFile::Cmdline => cmdline(&proc.mm, &info.image),
        ProcFile::Stat => {
            let host = std::fs::read_to_string("/proc/self/stat").map_err(io_errno)?;
            stat::render(&host, &info.image).ok_or(Errno::EIO)?.into_bytes()
        }
        ProcFile::Cpuinfo => cpuinfo::render(proc.settings.cpu, cpuinfo::host_cpus()).into_bytes(),
    })
}

/// A read-only descriptor for `data`, positioned at 0, with the guest's
/// `O_CLOEXEC`/`O_NONBLOCK`, at the lowest free descriptor number.
pub fn serve(data: &[u8], host_flags: i32) -> Result<u64, Errno> {
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
    // SAFETY: memfd_create reads the NUL-terminated name.
    let fd = unsafe { libc::memfd_create(c"kestrel-proc".as_ptr(), libc::MFD_CLOEXEC) };
    let mut file = if fd >= 0 {
        // SAFETY: a new descriptor that nothing else owns.
        unsafe { std::fs::File::from_raw_fd(fd) }
    } else {
        // No memfd (old kernel, seccomp): an unnamed temporary file.
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_TMPFILE | libc::O_CLOEXEC)
            .open(std::env::temp_dir())
            .map_err(io_errno)?
    };
    file.write_all(data).map_err(io_errno)?;
    // Like the real files: readable by everyone, writable by no one.
    // SAFETY: fchmod on a descriptor we own.
    unsafe { libc::fchmod(file.as_raw_fd(), 0o444) };
    let fd = file.into_raw_fd();
    // Re-open read-only so the guest's descriptor has the access mode and
    // status flags it asked for, then put it where the first one was.
    let keep = libc::O_CLOEXEC | libc::O_NONBLOCK;
    let again = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).map_err(|_| Errno::EINVAL)?;
    // SAFETY: open reads the NUL-terminated path.
    let ro = unsafe { libc::open(again.as_ptr(), libc::O_RDONLY | (host_flags & keep)) };
    if ro >= 0 {
        // SAFETY: both descriptors are ours; dup3 replaces `fd` atomically.
        let r = unsafe { libc::dup3(ro, fd, host_flags & libc::O_CLOEXEC) };
        // SAFETY: `ro` is ours and no longer needed.
        unsafe { libc::close(ro) };
        if r < 0 {
            let e = Errno::last();
            // SAFETY: `fd` is ours.
            unsafe { libc::close(fd) };
            return Err(e);
        }
    } else {
        // No host /proc (a chroot): the read-write descriptor has to do.
        // SAFETY: plain descriptor calls on `fd`, which is ours.
        unsafe {
            libc::lseek(fd, 0, libc::SEEK_SET);
            if host_flags & libc::O_CLOEXEC == 0 {
                libc::fcntl(fd, libc::F_SETFD, 0);
            }
            if host_flags & libc::O_NONBLOCK != 0 {
                libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
            }
        }
    }
    Ok(fd as u64)
}

/// `openat` of an emulated file; `None` if `path` is not one (or is `exe`,
/// which opens the program itself). `host_flags` are already translated.
pub fn open(proc: &Process, path: &[u8], host_flags: i32) -> Option<Result<u64, Errno>> {
    let file = classify(path).filter(|&f| f != ProcFile::Exe)?;
    if host_flags & libc::O_DIRECTORY != 0 {
        return Some(Err(Errno::ENOTDIR));
    }
    if host_flags & (libc::O_CREAT | libc::O_EXCL) == libc::O_CREAT | libc::O_EXCL {
        return Some(Err(Errno::EEXIST));
    }
    if host_flags & libc::O_ACCMODE != libc::O_RDONLY {
        return Some(Err(Errno::EACCES));
    }
    Some(contents(proc, file).and_then(|data| serve(&data, host_flags)))
}

/// A `stat` for an emulated file the host cannot show (no `/proc` mounted,
/// as in a bare chroot): what procfs reports, a read-only empty file.
pub fn synthetic_stat(path: &[u8]) -> Option<libc::stat> {
    classify(path).filter(|&f| f != ProcFile::Exe)?;
    // SAFETY: all-zero is a valid libc::stat.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    st.st_mode = libc::S_IFREG | 0o444;
    st.st_nlink = 1;
    // SAFETY: these getters cannot fail.
    (st.st_uid, st.st_gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    st.st_blksize = 1024;
    Some(st)
}

/// `faccessat` of an emulated file the host cannot show: readable only.
pub fn synthetic_access(path: &[u8], mode: u64) -> Option<Result<u64, Errno>> {
    classify(path).filter(|&f| f != ProcFile::Exe)?;
    Some(if mode as i32 & (libc::W_OK | libc::X_OK) != 0 { Err(Errno::EACCES) } else { Ok(0) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::{MappingKind, PROT_READ, PROT_WRITE};

    #[test]
    fn recognises_own_paths_only() {
        let pid = std::process::id();
        assert_eq!(classify(b"/proc/self/maps"), Some(ProcFile::Maps));
        assert_eq!(classify(format!("/proc/{pid}/maps").as_bytes()), Some(ProcFile::Maps));
        assert_eq!(classify(format!("/proc/{pid}/exe").as_bytes()), Some(ProcFile::Exe));
        assert_eq!(classify(b"/proc/thread-self/exe"), Some(ProcFile::Exe));
        assert_eq!(classify(b"//proc/./self//auxv"), Some(ProcFile::Auxv));
        assert_eq!(classify(format!("/proc/self/task/{pid}/stat").as_bytes()), Some(ProcFile::Stat));
        assert_eq!(classify(b"/proc/cpuinfo"), Some(ProcFile::Cpuinfo));
        assert_eq!(classify(b"/proc/self/cmdline"), Some(ProcFile::Cmdline));
        assert_eq!(classify(b"/proc/1/maps"), None);
        assert_eq!(classify(b"/proc/self/status"), None);
        assert_eq!(classify(b"/proc/self/exe2"), None);
        assert_eq!(classify(b"proc/self/maps"), None);
        assert_eq!(classify(b"/proc/self/../1/maps"), None);
        assert_eq!(classify(b"/proc/self"), None);
    }

    /// A fake initial stack in a real buffer, tracked as guest memory.
    struct FakeStack {
        buf: Vec<u64>,
        mm: AddressSpace,
    }

    impl FakeStack {
        fn addr(&self, word: usize) -> u64 {
            self.buf.as_ptr() as u64 + word as u64 * 8
        }
    }

    fn fake_stack() -> FakeStack {
        // Words: argc, argv[2], NULL, envp[1], NULL, auxv (3 pairs), then
        // strings and one program header.
        let mut st = FakeStack { buf: vec![0u64; 64], mm: AddressSpace::new() };
        let strings = st.addr(20);
        let bytes: &[u8] = b"prog\0-x\0A=1\0";
        // SAFETY: the buffer has room for the strings from word 20 on.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), strings as *mut u8, bytes.len()) };
        let phdr = st.addr(32);
        let words = [2, strings, strings + 5, 0, strings + 8, 0, AT_PHDR, phdr, AT_PHNUM, 1, AT_NULL, 0];
        st.buf[..words.len()].copy_from_slice(&words);
        // PT_LOAD, PF_R|PF_X; vaddr 0x1000, filesz 0x500.
        st.buf[32] = PT_LOAD as u64 | (5u64 << 32);
        st.buf[34] = 0x1000;
        st.buf[36] = 0x500;
        let (s, e) = (st.addr(0), st.addr(64));
        st.mm.insert(s, e, PROT_READ | PROT_WRITE, 2, MappingKind::Stack);
        st
    }

    #[test]
    fn start_info_reads_the_stack_back() {
        let st = fake_stack();
        let info = start_info(&st.mm, st.addr(0), 0x40_0000, 0x9000).unwrap();
        let strings = st.addr(20);
        assert_eq!((info.image.arg_start, info.image.arg_end), (strings, strings + 8));
        assert_eq!((info.image.env_start, info.image.env_end), (strings + 8, strings + 12));
        assert_eq!(info.image.start_stack, st.addr(0));
        assert_eq!((info.image.start_code, info.image.end_code), (0x40_1000, 0x40_1500));
        assert_eq!((info.image.start_data, info.image.end_data), (0x40_1000, 0x40_1500));
        assert_eq!(info.image.start_brk, 0x9000);
        assert_eq!(info.auxv.len(), 3 * 16);
        assert_eq!(&info.auxv[32..48], &[0u8; 16]);
        assert_eq!(cmdline(&st.mm, &info.image), b"prog\0-x\0");
    }

    #[test]
    fn start_info_rejects_bad_stacks() {
        let st = fake_stack();
        assert_eq!(start_info(&st.mm, 0x1000, 0, 0), Err(Errno::EFAULT));
    }

    #[test]
    fn served_files_read_seek_stat_and_map() {
        use std::io::{Read, Seek, SeekFrom};
        use std::os::fd::FromRawFd;
        let fd = serve(b"hello\nworld\n", libc::O_CLOEXEC).unwrap() as i32;
        // SAFETY: `fd` is a new descriptor owned by this test.
        let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello\nworld\n");
        f.seek(SeekFrom::Start(6)).unwrap();
        text.clear();
        f.read_to_string(&mut text).unwrap();
        assert_eq!(text, "world\n");
        let meta = f.metadata().unwrap();
        assert_eq!(meta.len(), 12);
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o444);
        // SAFETY: fcntl queries on our descriptor.
        let (fd_flags, fl) = unsafe { (libc::fcntl(fd, libc::F_GETFD), libc::fcntl(fd, libc::F_GETFL)) };
        assert_eq!(fd_flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        assert_eq!(fl & libc::O_ACCMODE, libc::O_RDONLY);
        // SAFETY: a private read-only mapping of our file, unmapped below.
        unsafe {
            let p = libc::mmap(std::ptr::null_mut(), 12, libc::PROT_READ, libc::MAP_PRIVATE, fd, 0);
            assert_ne!(p, libc::MAP_FAILED);
            assert_eq!(std::slice::from_raw_parts(p as *const u8, 5), b"hello");
            libc::munmap(p, 12);
        }
    }

    #[test]
    fn synthetic_answers_for_a_missing_proc() {
        let st = synthetic_stat(b"/proc/self/maps").unwrap();
        assert_eq!(st.st_mode, libc::S_IFREG | 0o444);
        assert!(synthetic_stat(b"/proc/self/exe").is_none());
        assert_eq!(synthetic_access(b"/proc/cpuinfo", libc::R_OK as u64), Some(Ok(0)));
        assert_eq!(synthetic_access(b"/proc/cpuinfo", libc::W_OK as u64), Some(Err(Errno::EACCES)));
        assert_eq!(synthetic_access(b"/etc/passwd", 0), None);
    }
}
