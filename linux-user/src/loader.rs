//! Maps an AArch64 ELF program (and its interpreter, if any) into guest memory.
//!
//! - `ET_EXEC`: segments go at their link addresses. The whole span is first
//!   claimed with `MAP_FIXED_NOREPLACE`, so a program linked over Kestrel's own
//!   memory is refused instead of overwriting the emulator.
//! - `ET_DYN` (static-PIE, or the interpreter): the kernel picks a base for the
//!   whole span (no `MAP_FIXED`), aligned to the largest segment alignment, and
//!   the segments are then placed inside that reservation with `MAP_FIXED`.
//!
//! Segments whose file offset and address agree modulo the page size are
//! file-backed mappings; others are anonymous memory filled by reading the file.
//! The part of the last file page past `p_filesz` is zeroed and extra `.bss`
//! pages are anonymous, as the kernel's ELF loader does.

mod sysroot;
pub use sysroot::resolve_in_root;

use crate::elf::{self, ElfInfo, ElfKind, Segment};
use crate::host_mem;
use crate::mm::{page_down, page_up, AddressSpace, MappingKind, PAGE_SIZE};
use nix::errno::Errno;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Why loading failed; shown as `kestrel: PATH: <this>`.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or is not a regular file.
    #[error("{}", Errno::from_raw(.0.raw_os_error().unwrap_or(libc::EIO)).desc())]
    Open(io::Error),
    /// The headers are invalid.
    #[error(transparent)]
    Elf(#[from] elf::ElfError),
    /// The interpreter named by `PT_INTERP` does not exist.
    #[error("interpreter {0} not found (use -L to point at the guest's root filesystem)")]
    InterpNotFound(String),
    /// Loading the interpreter failed.
    #[error("interpreter {path}: {reason}")]
    Interp {
        /// Interpreter path as resolved.
        path: String,
        /// What went wrong.
        reason: Box<LoadError>,
    },
    /// The interpreter names an interpreter itself.
    #[error("the interpreter itself asks for an interpreter")]
    NestedInterp,
    /// A fixed-address segment collides with memory in use.
    #[error("segment at {0:#x} overlaps memory already in use by the emulator")]
    Overlap(u64),
    /// The host refused a mapping.
    #[error("cannot map memory at {addr:#x}: {}", .errno.desc())]
    Map {
        /// Address of the failed mapping.
        addr: u64,
        /// Host error.
        errno: Errno,
    },
    /// Reading segment contents failed.
    #[error("cannot read segment contents: {0}")]
    Read(io::Error),
}

/// One ELF image placed in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedImage {
    /// Difference between run-time and link-time addresses.
    pub bias: u64,
    /// Run-time entry point.
    pub entry: u64,
    /// Run-time address of the program headers (`AT_PHDR`), 0 if not loaded.
    pub phdr: u64,
    /// Number of program headers (`AT_PHNUM`).
    pub phnum: u16,
    /// Page-aligned end of the highest segment.
    pub end: u64,
    /// `PT_GNU_STACK` asked for an executable stack.
    pub exec_stack: bool,
    /// End of the address range reserved for this image; beyond `end` when
    /// room for the heap was reserved together with a position-independent
    /// program.
    pub reserved_end: u64,
}

/// The program and its interpreter, ready to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedProgram {
    /// The main executable.
    pub main: LoadedImage,
    /// Load address of the interpreter (`AT_BASE`), 0 for static programs.
    pub interp_base: u64,
    /// Where the first instruction is: the interpreter's entry if there is one.
    pub entry: u64,
    /// Absolute path of the executable, for `/proc/self/exe`.
    pub exe_path: PathBuf,
    /// Executable segments to guard for branch target identification, if
    /// the CPU has it: the interpreter's when there is one (it guards the
    /// program and libraries itself), else the program's, when that image's
    /// GNU property note asks for BTI, as Linux does.
    pub bti_ranges: Vec<(u64, u64)>,
}

fn open_regular(path: &Path) -> Result<File, LoadError> {
    let file = File::open(path).map_err(LoadError::Open)?;
    let meta = file.metadata().map_err(LoadError::Open)?;
    if meta.is_dir() {
        return Err(LoadError::Open(io::Error::from_raw_os_error(libc::EISDIR)));
    }
    if !meta.is_file() {
        return Err(LoadError::Open(io::Error::from_raw_os_error(libc::EACCES)));
    }
    Ok(file)
}

/// Finds the interpreter, preferring the copy under the sysroot.
fn resolve_interp(interp: &[u8], ld_prefix: Option<&Path>) -> Result<PathBuf, LoadError> {
    use std::os::unix::ffi::OsStrExt;
    let as_path = Path::new(std::ffi::OsStr::from_bytes(interp));
    if let Some(found) = ld_prefix.and_then(|prefix| resolve_in_root(prefix, interp)) {
        return Ok(found);
    }
    if as_path.exists() {
        return Ok(as_path.to_path_buf());
    }
    Err(LoadError::InterpNotFound(as_path.display().to_string()))
}

/// Loads the program at `path` and its interpreter into `mm`. For a
/// position-independent program, `heap_room` bytes after it are reserved too,
/// so the heap can grow there wherever the kernel placed the program.
pub fn load_program(
    path: &Path,
    ld_prefix: Option<&Path>,
    heap_room: u64,
    mm: &mut AddressSpace,
) -> Result<LoadedProgram, LoadError> {
    load_program_file(open_regular(path)?, path, ld_prefix, heap_room, mm)
}

/// [`load_program`] for a program already open as `file` (binfmt_misc's `O`
/// flag hands one over, for programs the user may run but not read); `path`
/// names it.
pub fn load_program_file(
    file: File,
    path: &Path,
    ld_prefix: Option<&Path>,
    heap_room: u64,
    mm: &mut AddressSpace,
) -> Result<LoadedProgram, LoadError> {
    let info = elf::parse(&file)?;
    let name = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let main = load_image(&file, &info, &name.display().to_string(), heap_room, mm)?;
    let mut bti_ranges = if info.bti { exec_ranges(&info, main.bias) } else { Vec::new() };

    let (interp_base, entry) = match &info.interp {
        None => (0, main.entry),
        Some(interp) => {
            let ipath = resolve_interp(interp, ld_prefix)?;
            let wrap = |reason: LoadError| LoadError::Interp {
                path: ipath.display().to_string(),
                reason: Box::new(reason),
            };
            let ifile = open_regular(&ipath).map_err(wrap)?;
            let iinfo = elf::parse(&ifile).map_err(|e| wrap(e.into()))?;
            if iinfo.interp.is_some() {
                return Err(wrap(LoadError::NestedInterp));
            }
            let iname = std::fs::canonicalize(&ipath).unwrap_or(ipath.clone());
            let image = load_image(&ifile, &iinfo, &iname.display().to_string(), 0, mm).map_err(wrap)?;
            bti_ranges = if iinfo.bti { exec_ranges(&iinfo, image.bias) } else { Vec::new() };
            (image.bias + page_down(iinfo.span().0), image.entry)
        }
    };
    Ok(LoadedProgram { main, interp_base, entry, exe_path: name, bti_ranges })
}

/// The page ranges of an image's executable segments.
fn exec_ranges(info: &ElfInfo, bias: u64) -> Vec<(u64, u64)> {
    info.segments
        .iter()
        .filter(|s| s.prot & libc::PROT_EXEC != 0 && s.memsz > 0)
        .filter_map(|s| Some((page_down(s.vaddr + bias), page_up(s.vaddr + bias + s.memsz)?)))
        .collect()
}

/// Chooses the bias and claims the address range for an image (plus `extra`
/// bytes after it for position-independent images).
fn claim_span(info: &ElfInfo, lo: u64, hi: u64, extra: u64) -> Result<u64, LoadError> {
    let span = hi - lo;
    match info.kind {
        ElfKind::Executable => {
            host_mem::reserve_at(lo, span).map_err(|errno| match errno {
                Errno::EEXIST => LoadError::Overlap(lo),
                errno => LoadError::Map { addr: lo, errno },
            })?;
            Ok(0)
        }
        ElfKind::Dynamic => {
            // Honour segment alignment (up to 2 MiB) like the kernel does, so
            // code that assumes its p_align holds at run time keeps working.
            let align = info.max_align.clamp(PAGE_SIZE, 2 << 20);
            let keep = span + extra;
            let total = keep + align;
            let base = host_mem::reserve_anywhere(total)
                .map_err(|errno| LoadError::Map { addr: 0, errno })?;
            let start = (base + align - 1) & !(align - 1);
            if start > base {
                let _ = host_mem::munmap(base, start - base);
            }
            if base + total > start + keep {
                let _ = host_mem::munmap(start + keep, base + total - (start + keep));
            }
            Ok(start - lo)
        }
    }
}

/// Maps one image's segments.
fn load_image(
    file: &File,
    info: &ElfInfo,
    name: &str,
    heap_room: u64,
    mm: &mut AddressSpace,
) -> Result<LoadedImage, LoadError> {
    let (lo, hi) = info.span();
    let lo = page_down(lo);
    let hi = page_up(hi).ok_or(LoadError::Map { addr: hi, errno: Errno::ENOMEM })?;
    let extra = if info.kind == ElfKind::Dynamic { heap_room } else { 0 };
    let bias = claim_span(info, lo, hi, extra)?;
    // Gaps between segments stay reserved and belong to the image.
    mm.insert(
        lo + bias,
        hi + bias,
        libc::PROT_NONE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        MappingKind::Image(name.to_string()),
    );
    for seg in &info.segments {
        map_segment(file, seg, bias, name, mm)?;
    }
    Ok(LoadedImage {
        bias,
        entry: info.entry + bias,
        phdr: info.phdr_address().map(|a| a + bias).unwrap_or(0),
        phnum: info.phnum,
        end: hi + bias,
        exec_stack: info.exec_stack,
        reserved_end: hi + bias + extra,
    })
}

fn map_err(addr: u64) -> impl Fn(Errno) -> LoadError {
    move |errno| LoadError::Map { addr, errno }
}

/// Zeroes `[from, to)`, which lies inside a mapping this loader just created.
fn zero_fill(from: u64, to: u64, host_prot: i32) -> Result<(), LoadError> {
    if from >= to {
        return Ok(());
    }
    let page = page_down(from);
    let writable = host_prot & libc::PROT_WRITE != 0;
    if !writable {
        host_mem::mprotect(page, PAGE_SIZE, host_prot | libc::PROT_WRITE).map_err(map_err(page))?;
    }
    // SAFETY: [from, to) is inside one page this loader mapped a moment ago and
    // made writable; no Rust reference points into guest memory.
    unsafe { std::ptr::write_bytes(from as *mut u8, 0, (to - from) as usize) };
    if !writable {
        host_mem::mprotect(page, PAGE_SIZE, host_prot).map_err(map_err(page))?;
    }
    Ok(())
}

fn map_segment(
    file: &File,
    seg: &Segment,
    bias: u64,
    name: &str,
    mm: &mut AddressSpace,
) -> Result<(), LoadError> {
    let vaddr = seg.vaddr + bias;
    let start = page_down(vaddr);
    let file_end = vaddr + seg.filesz;
    let mem_end = vaddr + seg.memsz;
    let end = page_up(mem_end).ok_or(LoadError::Map { addr: mem_end, errno: Errno::ENOMEM })?;
    if end == start {
        return Ok(());
    }
    let prot = host_mem::host_prot(seg.prot);
    let fixed_private = libc::MAP_PRIVATE | libc::MAP_FIXED;
    let congruent = seg.vaddr % PAGE_SIZE == seg.offset % PAGE_SIZE;

    if seg.filesz > 0 && congruent {
        let file_map_end = page_up(file_end).unwrap_or(end);
        host_mem::mmap(
            start,
            file_map_end - start,
            prot,
            fixed_private,
            file.as_raw_fd(),
            page_down(seg.offset),
        )
        .map_err(map_err(start))?;
        if seg.memsz > seg.filesz {
            zero_fill(file_end, file_map_end.min(end), prot)?;
            if end > file_map_end {
                host_mem::mmap(
                    file_map_end,
                    end - file_map_end,
                    prot,
                    fixed_private | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
                .map_err(map_err(file_map_end))?;
            }
        }
    } else {
        let rw = libc::PROT_READ | libc::PROT_WRITE;
        host_mem::mmap(start, end - start, rw, fixed_private | libc::MAP_ANONYMOUS, -1, 0)
            .map_err(map_err(start))?;
        if seg.filesz > 0 {
            // SAFETY: [vaddr, vaddr + filesz) lies inside the read-write
            // anonymous mapping created just above.
            let dest = unsafe { std::slice::from_raw_parts_mut(vaddr as *mut u8, seg.filesz as usize) };
            file.read_exact_at(dest, seg.offset).map_err(LoadError::Read)?;
        }
        if prot != rw {
            host_mem::mprotect(start, end - start, prot).map_err(map_err(start))?;
        }
    }
    mm.insert(start, end, seg.prot, libc::MAP_PRIVATE, MappingKind::Image(name.to_string()));
    // The mapping starts at the segment's page: file offset rounded down alike.
    let file_offset = seg.offset - (vaddr - start);
    crate::code_cache::mapped(start, end, seg.prot, std::os::fd::AsRawFd::as_raw_fd(file), file_offset);
    Ok(())
}
