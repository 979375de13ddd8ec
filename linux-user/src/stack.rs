//! The initial process stack, laid out byte for byte as Linux's `execve` does on
//! AArch64 (fs/exec.c and `create_elf_tables` in fs/binfmt_elf.c).
//!
//! From the top of the stack down:
//! ```text
//!   8 zero bytes                  end marker
//!   execfn string                 (AT_EXECFN points here)
//!   envp strings, argv strings    argv[0]'s string is lowest
//!   -- aligned down to 16 --
//!   "aarch64\0"                   (AT_PLATFORM)
//!   16 random bytes               (AT_RANDOM)
//!   padding so that sp ends up 16-byte aligned
//!   auxv pairs, ending AT_NULL
//!   envp[], NULL
//!   argv[], NULL
//!   argc                          <- sp
//! ```

use crate::host_mem;
use crate::mm::{AddressSpace, MappingKind};

/// `AT_NULL`: end of the vector.
pub const AT_NULL: u64 = 0;
/// `AT_PHDR`.
pub const AT_PHDR: u64 = 3;
/// `AT_PHENT`.
pub const AT_PHENT: u64 = 4;
/// `AT_PHNUM`.
pub const AT_PHNUM: u64 = 5;
/// `AT_PAGESZ`.
pub const AT_PAGESZ: u64 = 6;
/// `AT_BASE`.
pub const AT_BASE: u64 = 7;
/// `AT_FLAGS`.
pub const AT_FLAGS: u64 = 8;
/// `AT_ENTRY`.
pub const AT_ENTRY: u64 = 9;
/// `AT_UID`.
pub const AT_UID: u64 = 11;
/// `AT_EUID`.
pub const AT_EUID: u64 = 12;
/// `AT_GID`.
pub const AT_GID: u64 = 13;
/// `AT_EGID`.
pub const AT_EGID: u64 = 14;
/// `AT_PLATFORM`.
pub const AT_PLATFORM: u64 = 15;
/// `AT_HWCAP`.
pub const AT_HWCAP: u64 = 16;
/// `AT_CLKTCK`.
pub const AT_CLKTCK: u64 = 17;
/// `AT_SECURE`.
pub const AT_SECURE: u64 = 23;
/// `AT_RANDOM`.
pub const AT_RANDOM: u64 = 25;
/// `AT_HWCAP2`.
pub const AT_HWCAP2: u64 = 26;
/// `AT_EXECFN`.
pub const AT_EXECFN: u64 = 31;

/// The value of one auxiliary-vector entry; some are addresses of data the
/// builder itself places on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuxValue {
    /// A plain number.
    Value(u64),
    /// Address of the 16 random bytes.
    RandomBytes,
    /// Address of the execfn string.
    ExecFn,
    /// Address of the platform string.
    Platform,
}

/// What goes on the initial stack.
#[derive(Debug, Clone)]
pub struct StackContents {
    /// Argument strings (without NULs).
    pub argv: Vec<Vec<u8>>,
    /// Environment strings `NAME=value`.
    pub envp: Vec<Vec<u8>>,
    /// Path the program was started as (`AT_EXECFN`).
    pub execfn: Vec<u8>,
    /// Platform string (`AT_PLATFORM`), "aarch64".
    pub platform: Vec<u8>,
    /// Bytes for `AT_RANDOM`.
    pub random: [u8; 16],
    /// Auxiliary vector in order, without the final `AT_NULL`.
    pub auxv: Vec<(u64, AuxValue)>,
}

/// The finished top of the stack: `bytes` are the contents of `[sp, top)`.
#[derive(Debug, Clone)]
pub struct StackImage {
    /// Initial stack pointer (address of argc), 16-byte aligned.
    pub sp: u64,
    /// Memory contents from `sp` up to the top.
    pub bytes: Vec<u8>,
}

/// The strings and tables do not fit in the stack.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("argument list too long for the initial stack")]
pub struct StackTooSmall;

/// Builds the stack image for a stack whose highest address is `top`
/// (exclusive) and which may use at most `limit` bytes for these contents.
pub fn build(top: u64, limit: u64, contents: &StackContents) -> Result<StackImage, StackTooSmall> {
    // Everything is computed as addresses first, then rendered into a buffer.
    let mut p = top.checked_sub(8).ok_or(StackTooSmall)?;
    let mut strings: Vec<(u64, &[u8])> = Vec::new();
    /// Reserves room for a NUL-terminated string below `p`.
    fn place(p: &mut u64, len: usize) -> Result<u64, StackTooSmall> {
        *p = p.checked_sub(len as u64 + 1).ok_or(StackTooSmall)?;
        Ok(*p)
    }
    let execfn_addr = place(&mut p, contents.execfn.len())?;
    strings.push((execfn_addr, &contents.execfn));
    let mut envp_addrs = Vec::with_capacity(contents.envp.len());
    for s in contents.envp.iter().rev() {
        let a = place(&mut p, s.len())?;
        strings.push((a, s));
        envp_addrs.push(a);
    }
    envp_addrs.reverse();
    let mut argv_addrs = Vec::with_capacity(contents.argv.len());
    for s in contents.argv.iter().rev() {
        let a = place(&mut p, s.len())?;
        strings.push((a, s));
        argv_addrs.push(a);
    }
    argv_addrs.reverse();

    p &= !15;
    let platform_addr = place(&mut p, contents.platform.len())?;
    strings.push((platform_addr, &contents.platform));
    p = p.checked_sub(16).ok_or(StackTooSmall)?;
    let random_addr = p;

    let aux_words = (contents.auxv.len() + 1) * 2;
    let table_words = 1 + contents.argv.len() + 1 + contents.envp.len() + 1 + aux_words;
    let sp = p.checked_sub(table_words as u64 * 8).ok_or(StackTooSmall)? & !15;
    if top - sp > limit {
        return Err(StackTooSmall);
    }

    let mut bytes = vec![0u8; (top - sp) as usize];
    let at = |addr: u64| (addr - sp) as usize;
    for (addr, s) in strings {
        bytes[at(addr)..at(addr) + s.len()].copy_from_slice(s);
    }
    bytes[at(random_addr)..at(random_addr) + 16].copy_from_slice(&contents.random);

    let mut words: Vec<u64> = Vec::with_capacity(table_words);
    words.push(contents.argv.len() as u64);
    words.extend(&argv_addrs);
    words.push(0);
    words.extend(&envp_addrs);
    words.push(0);
    for &(key, value) in &contents.auxv {
        words.push(key);
        words.push(match value {
            AuxValue::Value(v) => v,
            AuxValue::RandomBytes => random_addr,
            AuxValue::ExecFn => execfn_addr,
            AuxValue::Platform => platform_addr,
        });
    }
    words.push(AT_NULL);
    words.push(0);
    for (i, w) in words.iter().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    Ok(StackImage { sp, bytes })
}

/// Errors from [`install`].
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// Mapping the stack failed.
    #[error("cannot allocate the guest stack: {}", .0.desc())]
    Map(nix::errno::Errno),
    /// The contents do not fit.
    #[error(transparent)]
    TooSmall(#[from] StackTooSmall),
}

/// Maps a stack of `size` bytes wherever the kernel chooses, writes the
/// contents at its top and returns the initial stack pointer.
pub fn install(
    mm: &mut AddressSpace,
    size: u64,
    exec: bool,
    contents: &StackContents,
) -> Result<u64, StackError> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let base = host_mem::mmap(0, size, rw, flags, -1, 0).map_err(StackError::Map)?;
    let top = base + size;
    // Linux caps argument strings at a quarter of the stack limit.
    let image = build(top, size / 4 * 3, contents)?;
    // SAFETY: [image.sp, top) lies inside the read-write mapping created above,
    // and `bytes` has exactly top - sp bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(image.bytes.as_ptr(), image.sp as *mut u8, image.bytes.len())
    };
    let guest_prot = if exec { rw | libc::PROT_EXEC } else { rw };
    mm.insert(base, top, guest_prot, flags, MappingKind::Stack);
    Ok(image.sp)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: u64 = 0x7fff_f000_0000;

    fn read_u64(img: &StackImage, addr: u64) -> u64 {
        let off = (addr - img.sp) as usize;
        u64::from_le_bytes(img.bytes[off..off + 8].try_into().unwrap())
    }

    fn read_str(img: &StackImage, addr: u64) -> Vec<u8> {
        let off = (addr - img.sp) as usize;
        let end = img.bytes[off..].iter().position(|&b| b == 0).unwrap();
        img.bytes[off..off + end].to_vec()
    }

    fn sample() -> StackContents {
        StackContents {
            argv: vec![b"/bin/prog".to_vec(), b"one".to_vec(), b"".to_vec()],
            envp: vec![b"A=1".to_vec(), b"HOME=/root".to_vec()],
            execfn: b"./prog".to_vec(),
            platform: b"aarch64".to_vec(),
            random: *b"0123456789abcdef",
            auxv: vec![
                (AT_HWCAP, AuxValue::Value(3)),
                (AT_PAGESZ, AuxValue::Value(4096)),
                (AT_RANDOM, AuxValue::RandomBytes),
                (AT_EXECFN, AuxValue::ExecFn),
                (AT_PLATFORM, AuxValue::Platform),
            ],
        }
    }

    #[test]
    fn layout_parses_back() {
        let c = sample();
        let img = build(TOP, 1 << 20, &c).unwrap();
        assert_eq!(img.sp % 16, 0);
        assert_eq!(img.sp + img.bytes.len() as u64, TOP);
        let argc = read_u64(&img, img.sp);
        assert_eq!(argc, 3);
        let mut addr = img.sp + 8;
        for expected in &c.argv {
            assert_eq!(&read_str(&img, read_u64(&img, addr)), expected);
            addr += 8;
        }
        assert_eq!(read_u64(&img, addr), 0);
        addr += 8;
        for expected in &c.envp {
            assert_eq!(&read_str(&img, read_u64(&img, addr)), expected);
            addr += 8;
        }
        assert_eq!(read_u64(&img, addr), 0);
        addr += 8;
        let mut aux = Vec::new();
        loop {
            let (k, v) = (read_u64(&img, addr), read_u64(&img, addr + 8));
            addr += 16;
            if k == AT_NULL {
                break;
            }
            aux.push((k, v));
        }
        assert_eq!(aux.len(), 5);
        assert_eq!(aux[0], (AT_HWCAP, 3));
        assert_eq!(aux[1], (AT_PAGESZ, 4096));
        let random = aux[2].1;
        let off = (random - img.sp) as usize;
        assert_eq!(&img.bytes[off..off + 16], b"0123456789abcdef");
        assert_eq!(read_str(&img, aux[3].1), b"./prog");
        assert_eq!(read_str(&img, aux[4].1), b"aarch64");
        // The top 8 bytes are the zero end marker; execfn sits right below them.
        assert_eq!(read_u64(&img, TOP - 8), 0);
        assert_eq!(aux[3].1, TOP - 8 - 7);
        // argv strings are in order and contiguous, each NUL-terminated.
        let argv0 = read_u64(&img, img.sp + 8);
        assert_eq!(read_u64(&img, img.sp + 16), argv0 + 10);
        // The platform string is 16-byte aligned area below the strings.
        assert!(aux[4].1 < argv0 && random < aux[4].1);
    }

    #[test]
    fn sp_is_aligned_for_any_argument_count() {
        for n in 0..6 {
            let mut c = sample();
            c.argv.truncate(n.min(3));
            c.envp = (0..n).map(|i| format!("V{i}=x").into_bytes()).collect();
            let img = build(TOP - 8 * n as u64, 1 << 20, &c).unwrap();
            assert_eq!(img.sp % 16, 0, "n = {n}");
        }
    }

    #[test]
    fn too_large_is_an_error() {
        let mut c = sample();
        c.envp = vec![vec![b'x'; 5000]];
        assert_eq!(build(TOP, 4096, &c).unwrap_err(), StackTooSmall);
    }
}
