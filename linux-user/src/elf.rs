//! Reading and validating an AArch64 ELF executable's headers.
//!
//! Only the ELF header, the program headers and the `PT_INTERP` string are read;
//! sections and symbols are irrelevant to loading, and a program must not be
//! refused because of damage in parts the kernel never looks at. Everything the
//! loader relies on is checked here so that mapping code can trust it, and every
//! problem becomes an [`ElfError`] with a one-line description.

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::program_header::{ProgramHeader, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// `EM_AARCH64`.
pub const EM_AARCH64: u16 = 183;
/// `ET_EXEC`.
const ET_EXEC: u16 = 2;
/// `ET_DYN`.
const ET_DYN: u16 = 3;
/// Size of an `Elf64_Ehdr`.
const EHDR_SIZE: usize = 64;
/// Size of an `Elf64_Phdr`.
pub const PHDR_SIZE: u16 = 56;
/// Linux refuses program header tables larger than this.
const MAX_PHDR_TABLE: u64 = 65536;
/// Longest interpreter path accepted (Linux's PATH_MAX).
const MAX_INTERP_LEN: u64 = 4096;
/// Highest user address on an x86-64 host (47-bit user space); guest mappings
/// must fit below it because guest addresses are host addresses.
pub const USER_SPACE_END: u64 = 1 << 47;

/// Something an ELF file can be read from at arbitrary offsets.
pub trait ElfSource {
    /// Total size in bytes.
    fn size(&self) -> u64;
    /// Reads exactly `buf.len()` bytes at `offset`.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
}

impl ElfSource for File {
    fn size(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.read_exact_at(buf, offset)
    }
}

impl ElfSource for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let end = start.checked_add(buf.len()).ok_or(io::ErrorKind::UnexpectedEof)?;
        let src = self.get(start..end).ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// Why a file cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    /// No ELF magic.
    #[error("not an ELF executable")]
    NotElf,
    /// Shorter than an ELF header.
    #[error("truncated ELF header")]
    TruncatedHeader,
    /// ELFCLASS32.
    #[error("32-bit ELF is not supported (Kestrel runs 64-bit AArch64 programs)")]
    Class32,
    /// Neither ELFCLASS32 nor ELFCLASS64.
    #[error("invalid ELF class {0}")]
    BadClass(u8),
    /// ELFDATA2MSB.
    #[error("big-endian ELF is not supported")]
    BigEndian,
    /// Neither little- nor big-endian.
    #[error("invalid ELF data encoding {0}")]
    BadEncoding(u8),
    /// Another architecture's executable.
    #[error("wrong architecture: {0} executable (expected AArch64)")]
    WrongMachine(&'static str),
    /// A relocatable object, core file, ...
    #[error("not an executable ({0})")]
    NotExecutable(&'static str),
    /// A header field makes no sense.
    #[error("corrupt ELF header: {0}")]
    Corrupt(String),
    /// The program header table does not fit in the file.
    #[error("truncated file: program headers extend beyond the end of the file")]
    PhdrsTruncated,
    /// A segment's file contents do not fit in the file.
    #[error("truncated file: segment {0} extends beyond the end of the file")]
    SegmentBeyondEof(usize),
    /// A segment's fields are inconsistent.
    #[error("corrupt segment {index}: {what}")]
    BadSegment {
        /// Index in the program header table.
        index: usize,
        /// What is wrong.
        what: String,
    },
    /// No `PT_LOAD`.
    #[error("no loadable segments")]
    NoLoadSegments,
    /// The entry point is not inside any loaded segment.
    #[error("entry point {0:#x} is outside the loaded segments")]
    EntryOutside(u64),
    /// `PT_INTERP` is malformed.
    #[error("corrupt PT_INTERP: {0}")]
    BadInterp(&'static str),
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
}

/// Whether the image must be loaded at its link address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_EXEC`: fixed addresses.
    Executable,
    /// `ET_DYN`: position independent, loaded at a chosen base.
    Dynamic,
}

/// One `PT_LOAD` segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Link-time virtual address.
    pub vaddr: u64,
    /// Bytes in memory.
    pub memsz: u64,
    /// Offset of the contents in the file.
    pub offset: u64,
    /// Bytes of contents in the file (the rest is zero-filled).
    pub filesz: u64,
    /// `PROT_*` bits.
    pub prot: i32,
}

/// Everything the loader needs from an ELF file.
#[derive(Debug, Clone)]
pub struct ElfInfo {
    /// Fixed or position independent.
    pub kind: ElfKind,
    /// Link-time entry point.
    pub entry: u64,
    /// File offset of the program header table.
    pub phoff: u64,
    /// Number of program headers.
    pub phnum: u16,
    /// `PT_LOAD` segments in file order.
    pub segments: Vec<Segment>,
    /// `PT_INTERP` path without its NUL.
    pub interp: Option<Vec<u8>>,
    /// `PT_GNU_STACK` asks for an executable stack.
    pub exec_stack: bool,
    /// `PT_PHDR`'s address, if present.
    pub phdr_vaddr: Option<u64>,
    /// Largest `p_align` of the `PT_LOAD` segments.
    pub max_align: u64,
    /// The GNU property note (`PT_GNU_PROPERTY`) asks for branch target
    /// identification on the executable segments.
    pub bti: bool,
}

impl ElfInfo {
    /// Lowest and one-past-highest link-time address of the loaded segments.
    pub fn span(&self) -> (u64, u64) {
        let lo = self.segments.iter().map(|s| s.vaddr).min().unwrap_or(0);
        let hi = self.segments.iter().map(|s| s.vaddr + s.memsz).max().unwrap_or(0);
        (lo, hi)
    }

    /// Link-time address of the program headers in memory, as Linux computes it
    /// for `AT_PHDR`: from the `PT_LOAD` whose file range contains them, else
    /// from `PT_PHDR`.
    pub fn phdr_address(&self) -> Option<u64> {
        let table_end = self.phoff + self.phnum as u64 * PHDR_SIZE as u64;
        self.segments
            .iter()
            .find(|s| s.offset <= self.phoff && table_end <= s.offset + s.filesz)
            .map(|s| s.vaddr + (self.phoff - s.offset))
            .or(self.phdr_vaddr)
    }
}

fn machine_name(machine: u16) -> &'static str {
    match machine {
        3 => "i386",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "S/390",
        40 => "32-bit ARM",
        62 => "x86-64",
        243 => "RISC-V",
        258 => "LoongArch",
        _ => "non-AArch64",
    }
}

fn prot_of(flags: u32) -> i32 {
    let mut prot = 0;
    if flags & PF_R != 0 {
        prot |= libc::PROT_READ;
    }
    if flags & PF_W != 0 {
        prot |= libc::PROT_WRITE;
    }
    if flags & PF_X != 0 {
        prot |= libc::PROT_EXEC;
    }
    prot
}

/// Reads and validates the headers of an AArch64 ELF executable.
pub fn parse(src: &(impl ElfSource + ?Sized)) -> Result<ElfInfo, ElfError> {
    let file_size = src.size();
    let mut ehdr = [0u8; EHDR_SIZE];
    let head_len = (file_size.min(EHDR_SIZE as u64)) as usize;
    src.read_at(&mut ehdr[..head_len], 0)?;
    if head_len < 4 || &ehdr[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    if head_len < 6 {
        return Err(ElfError::TruncatedHeader);
    }
    match ehdr[4] {
        2 => {}
        1 => return Err(ElfError::Class32),
        other => return Err(ElfError::BadClass(other)),
    }
    match ehdr[5] {
        1 => {}
        2 => return Err(ElfError::BigEndian),
        other => return Err(ElfError::BadEncoding(other)),
    }
    if head_len < EHDR_SIZE {
        return Err(ElfError::TruncatedHeader);
    }
    let header = goblin::elf::Elf::parse_header(&ehdr)
        .map_err(|e| ElfError::Corrupt(e.to_string()))?;
    if header.e_machine != EM_AARCH64 {
        return Err(ElfError::WrongMachine(machine_name(header.e_machine)));
    }
    let kind = match header.e_type {
        ET_EXEC => ElfKind::Executable,
        ET_DYN => ElfKind::Dynamic,
        0 => return Err(ElfError::NotExecutable("ELF type NONE")),
        1 => return Err(ElfError::NotExecutable("relocatable object file")),
        4 => return Err(ElfError::NotExecutable("core file")),
        _ => return Err(ElfError::NotExecutable("unknown ELF type")),
    };
    if header.e_phentsize != PHDR_SIZE {
        return Err(ElfError::Corrupt(format!(
            "program header entry size {} (expected {PHDR_SIZE})",
            header.e_phentsize
        )));
    }
    if header.e_phnum == 0 {
        return Err(ElfError::Corrupt("no program headers".into()));
    }
    let table_len = header.e_phnum as u64 * PHDR_SIZE as u64;
    if table_len > MAX_PHDR_TABLE {
        return Err(ElfError::Corrupt("too many program headers".into()));
    }
    match header.e_phoff.checked_add(table_len) {
        Some(end) if end <= file_size => {}
        _ => return Err(ElfError::PhdrsTruncated),
    }
    let mut table = vec![0u8; table_len as usize];
    src.read_at(&mut table, header.e_phoff)?;
    let phdrs = ProgramHeader::parse(
        &table,
        0,
        header.e_phnum as usize,
        Ctx::new(Container::Big, Endian::Little),
    )
    .map_err(|e| ElfError::Corrupt(e.to_string()))?;

    let mut info = ElfInfo {
        kind,
        entry: header.e_entry,
        phoff: header.e_phoff,
        phnum: header.e_phnum,
        segments: Vec::new(),
        interp: None,
        exec_stack: false,
        phdr_vaddr: None,
        max_align: 0,
        bti: false,
    };
    for (index, ph) in phdrs.iter().enumerate() {
        match ph.p_type {
            PT_LOAD => {
                info.segments.push(check_load(index, ph, file_size)?);
                if ph.p_align > 1 {
                    info.max_align = info.max_align.max(ph.p_align);
                }
            }
            PT_INTERP => {
                if info.interp.is_some() {
                    return Err(ElfError::BadInterp("more than one PT_INTERP"));
                }
                info.interp = Some(read_interp(src, ph, file_size)?);
            }
            PT_GNU_STACK => info.exec_stack = ph.p_flags & PF_X != 0,
            PT_GNU_PROPERTY => info.bti = property_note_asks_bti(src, ph, file_size)?,
            PT_PHDR => info.phdr_vaddr = Some(ph.p_vaddr),
            _ => {}
        }
    }
    if info.segments.is_empty() {
        return Err(ElfError::NoLoadSegments);
    }
    let entry_inside = info
        .segments
        .iter()
        .any(|s| s.vaddr <= info.entry && info.entry < s.vaddr + s.memsz);
    if !entry_inside {
        return Err(ElfError::EntryOutside(info.entry));
    }
    let (lo, hi) = info.span();
    if kind == ElfKind::Dynamic && hi - lo >= USER_SPACE_END / 2 {
        return Err(ElfError::Corrupt("segments span more than the address space".into()));
    }
    Ok(info)
}

fn check_load(index: usize, ph: &ProgramHeader, file_size: u64) -> Result<Segment, ElfError> {
    let bad = |what: &str| ElfError::BadSegment { index, what: what.to_string() };
    if ph.p_filesz > ph.p_memsz {
        return Err(bad("file size larger than memory size"));
    }
    // A segment with no file contents (all bss) may carry any offset: Linux
    // reads nothing from the file for it.
    match ph.p_offset.checked_add(ph.p_filesz) {
        _ if ph.p_filesz == 0 => {}
        Some(end) if end <= file_size => {}
        _ => return Err(ElfError::SegmentBeyondEof(index)),
    }
    match ph.p_vaddr.checked_add(ph.p_memsz) {
        Some(end) if end <= USER_SPACE_END => {}
        _ => return Err(bad(&format!("address range {:#x}+{:#x} out of range", ph.p_vaddr, ph.p_memsz))),
    }
    if ph.p_align > 1 && !ph.p_align.is_power_of_two() {
        return Err(bad("alignment is not a power of two"));
    }
    Ok(Segment {
        vaddr: ph.p_vaddr,
        memsz: ph.p_memsz,
        offset: ph.p_offset,
        filesz: ph.p_filesz,
        prot: prot_of(ph.p_flags),
    })
}

/// `PT_GNU_PROPERTY`.
const PT_GNU_PROPERTY: u32 = 0x6474_e553;
/// `NT_GNU_PROPERTY_TYPE_0`.
const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
/// `GNU_PROPERTY_AARCH64_FEATURE_1_AND`: its bit 0 is BTI, bit 1 PAC.
const GNU_PROPERTY_AARCH64_FEATURE_1_AND: u32 = 0xc000_0000;
/// Largest property segment read (Linux reads one page at most too).
const MAX_PROPERTY_LEN: u64 = 4096;

/// Whether the `PT_GNU_PROPERTY` segment's note has the AArch64 feature
/// property with BTI. A note that is not the GNU property note, or whose
/// fields run past its end, asks for nothing.
fn property_note_asks_bti(src: &(impl ElfSource + ?Sized), ph: &ProgramHeader, file_size: u64) -> Result<bool, ElfError> {
    let len = ph.p_filesz.min(MAX_PROPERTY_LEN);
    match ph.p_offset.checked_add(len) {
        Some(end) if end <= file_size => {}
        _ => return Err(ElfError::Corrupt("PT_GNU_PROPERTY extends beyond the end of the file".into())),
    }
    let mut note = vec![0u8; len as usize];
    src.read_at(&mut note, ph.p_offset)?;
    let word = |at: usize| note.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(namesz), Some(descsz), Some(kind)) = (word(0), word(4), word(8)) else { return Ok(false) };
    if namesz != 4 || kind != NT_GNU_PROPERTY_TYPE_0 || note.get(12..16) != Some(b"GNU\0") {
        return Ok(false);
    }
    // Properties: type, size, data padded to 8 bytes.
    let end = 16usize.saturating_add(descsz as usize).min(note.len());
    let mut at = 16;
    while at + 8 <= end {
        let (Some(pr_type), Some(size)) = (word(at), word(at + 4)) else { break };
        if pr_type == GNU_PROPERTY_AARCH64_FEATURE_1_AND {
            return Ok(size >= 4 && word(at + 8).is_some_and(|features| features & 1 != 0));
        }
        at = at.saturating_add(8).saturating_add((size as usize).next_multiple_of(8));
    }
    Ok(false)
}

fn read_interp(
    src: &(impl ElfSource + ?Sized),
    ph: &ProgramHeader,
    file_size: u64,
) -> Result<Vec<u8>, ElfError> {
    if ph.p_filesz < 2 || ph.p_filesz > MAX_INTERP_LEN {
        return Err(ElfError::BadInterp("bad length"));
    }
    match ph.p_offset.checked_add(ph.p_filesz) {
        Some(end) if end <= file_size => {}
        _ => return Err(ElfError::BadInterp("extends beyond the end of the file")),
    }
    let mut path = vec![0u8; ph.p_filesz as usize];
    src.read_at(&mut path, ph.p_offset)?;
    if path.pop() != Some(0) || path.contains(&0) {
        return Err(ElfError::BadInterp("path is not NUL-terminated"));
    }
    Ok(path)
}

/// Quick classification of a file's first bytes, used by `execve` to decide
/// who runs a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileClass {
    /// A 64-bit little-endian AArch64 ELF: Kestrel runs it.
    Aarch64Elf,
    /// Any other ELF (the host may be able to run it).
    OtherElf,
    /// `#!interpreter [arg]`.
    Script {
        /// Interpreter path.
        interp: Vec<u8>,
        /// The optional single argument.
        arg: Option<Vec<u8>>,
    },
    /// Anything else.
    Unknown,
}

/// Size of the buffer Linux reads to recognise a binary format.
pub const BINPRM_BUF_SIZE: usize = 256;

/// Classifies the first bytes of a file.
pub fn classify(head: &[u8]) -> FileClass {
    if head.len() >= 20 && &head[..4] == b"\x7fELF" {
        let machine = u16::from_le_bytes([head[18], head[19]]);
        return if head[4] == 2 && head[5] == 1 && machine == EM_AARCH64 {
            FileClass::Aarch64Elf
        } else {
            FileClass::OtherElf
        };
    }
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
        let line = trim_blank(line);
        let split = line.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(line.len());
        let interp = line[..split].to_vec();
        let arg = trim_blank(&line[split..]);
        if interp.is_empty() {
            return FileClass::Unknown;
        }
        return FileClass::Script {
            interp,
            arg: if arg.is_empty() { None } else { Some(arg.to_vec()) },
        };
    }
    FileClass::Unknown
}

fn trim_blank(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Hand-assembles a minimal ELF64 file: header, program headers, payload.
    pub struct ElfBuilder {
        pub class: u8,
        pub data: u8,
        pub machine: u16,
        pub e_type: u16,
        pub entry: u64,
        /// (p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz, p_align)
        pub phdrs: Vec<(u32, u32, u64, u64, u64, u64, u64)>,
        pub payload: Vec<u8>,
    }

    impl ElfBuilder {
        /// A static AArch64 executable with one RX segment covering the file.
        pub fn static_exec() -> Self {
            ElfBuilder {
                class: 2,
                data: 1,
                machine: EM_AARCH64,
                e_type: ET_EXEC,
                entry: 0x400078,
                phdrs: vec![(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x100, 0x100, 0x1000)],
                payload: vec![0; 0x100 - 64 - 56],
            }
        }

        pub fn build(&self) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend_from_slice(b"\x7fELF");
            out.extend_from_slice(&[self.class, self.data, 1, 0]);
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&self.e_type.to_le_bytes());
            out.extend_from_slice(&self.machine.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&self.entry.to_le_bytes());
            out.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
            out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
            out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
            out.extend_from_slice(&64u16.to_le_bytes()); // e_ehsize
            out.extend_from_slice(&PHDR_SIZE.to_le_bytes());
            out.extend_from_slice(&(self.phdrs.len() as u16).to_le_bytes());
            out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
            out.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
            out.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
            assert_eq!(out.len(), 64);
            for &(ty, flags, off, vaddr, filesz, memsz, align) in &self.phdrs {
                out.extend_from_slice(&ty.to_le_bytes());
                out.extend_from_slice(&flags.to_le_bytes());
                for v in [off, vaddr, vaddr, filesz, memsz, align] {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            out.extend_from_slice(&self.payload);
            out
        }
    }

    fn parse_bytes(bytes: &[u8]) -> Result<ElfInfo, ElfError> {
        parse(bytes)
    }

    #[test]
    fn accepts_minimal_static_executable() {
        let info = parse_bytes(&ElfBuilder::static_exec().build()).unwrap();
        assert_eq!(info.kind, ElfKind::Executable);
        assert_eq!(info.segments.len(), 1);
        assert_eq!(info.segments[0].prot, libc::PROT_READ | libc::PROT_EXEC);
        assert_eq!(info.phdr_address(), Some(0x400040));
        assert!(info.interp.is_none());
    }

    #[test]
    fn rejects_non_elf_and_truncated_headers() {
        assert!(matches!(parse_bytes(b""), Err(ElfError::NotElf)));
        assert!(matches!(parse_bytes(b"#!/bin/sh\necho hi\n"), Err(ElfError::NotElf)));
        let full = ElfBuilder::static_exec().build();
        assert!(matches!(parse_bytes(&full[..40]), Err(ElfError::TruncatedHeader)));
        assert!(matches!(parse_bytes(&full[..5]), Err(ElfError::TruncatedHeader)));
    }

    #[test]
    fn rejects_wrong_class_encoding_machine_type() {
        let mut b = ElfBuilder::static_exec();
        b.class = 1;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::Class32)));
        let mut b = ElfBuilder::static_exec();
        b.data = 2;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::BigEndian)));
        let mut b = ElfBuilder::static_exec();
        b.machine = 62;
        let err = parse_bytes(&b.build()).unwrap_err();
        assert_eq!(err.to_string(), "wrong architecture: x86-64 executable (expected AArch64)");
        let mut b = ElfBuilder::static_exec();
        b.e_type = 1;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::NotExecutable(_))));
    }

    #[test]
    fn rejects_truncated_program_headers_and_segments() {
        let full = ElfBuilder::static_exec().build();
        assert!(matches!(parse_bytes(&full[..64 + 20]), Err(ElfError::PhdrsTruncated)));
        let mut b = ElfBuilder::static_exec();
        b.phdrs[0].4 = 0x10000; // filesz far beyond the file
        b.phdrs[0].5 = 0x10000;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::SegmentBeyondEof(0))));
        let mut b = ElfBuilder::static_exec();
        b.phdrs[0].4 = 0x200; // filesz > memsz
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::BadSegment { .. })));
        let mut b = ElfBuilder::static_exec();
        b.phdrs[0].3 = u64::MAX - 10; // address wraps
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::BadSegment { .. })));
    }

    #[test]
    fn rejects_missing_loads_and_stray_entry() {
        let mut b = ElfBuilder::static_exec();
        b.phdrs[0].0 = PT_GNU_STACK;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::NoLoadSegments)));
        let mut b = ElfBuilder::static_exec();
        b.entry = 0x900000;
        assert!(matches!(parse_bytes(&b.build()), Err(ElfError::EntryOutside(0x900000))));
    }

    #[test]
    fn reads_interpreter() {
        let mut b = ElfBuilder::static_exec();
        b.e_type = ET_DYN;
        b.entry = 0x78;
        b.phdrs[0].3 = 0;
        let interp = b"/lib/ld-linux-aarch64.so.1\0";
        let off = 64 + 2 * 56;
        b.phdrs.push((PT_INTERP, PF_R, off, off, interp.len() as u64, interp.len() as u64, 1));
        b.payload = interp.to_vec();
        b.payload.resize(0x100 - off as usize, 0);
        let info = parse_bytes(&b.build()).unwrap();
        assert_eq!(info.kind, ElfKind::Dynamic);
        assert_eq!(info.interp.as_deref(), Some(&interp[..interp.len() - 1]));
    }

    #[test]
    fn classifies_scripts_and_binaries() {
        assert_eq!(
            classify(b"#! /bin/sh -e \nexit\n"),
            FileClass::Script { interp: b"/bin/sh".to_vec(), arg: Some(b"-e".to_vec()) }
        );
        assert_eq!(
            classify(b"#!/usr/bin/env python3"),
            FileClass::Script { interp: b"/usr/bin/env".to_vec(), arg: Some(b"python3".to_vec()) }
        );
        assert_eq!(classify(b"#!\n"), FileClass::Unknown);
        assert_eq!(classify(&ElfBuilder::static_exec().build()), FileClass::Aarch64Elf);
        let mut b = ElfBuilder::static_exec();
        b.machine = 62;
        assert_eq!(classify(&b.build()), FileClass::OtherElf);
        assert_eq!(classify(b"plain text"), FileClass::Unknown);
    }
}
